/* ledger.h: the double-entry journal. Every movement of money is one balanced entry
 * in integer micro-units; nothing else in Tessera changes a balance. */
#ifndef TS_LEDGER_H
#define TS_LEDGER_H
#include "core.h"

struct ledger_leg {
    int64_t owner;         /* account id; 0 for the platform's own accounts */
    enum ledger_kind kind;
    int64_t amount;        /* signed */
};

/* Posts one entry. Fails with TS_EINVAL when the legs do not sum to zero and with
 * TS_EFUNDS (naming the shortfall) when a balance other than LEDGER_EXTERNAL would go
 * below zero; nothing is written then. Legs with amount 0 are skipped. */
int ledger_post(struct core_ctx *c, const char *kind, const char *ref,
                const struct ledger_leg *legs, int n, struct ts_error *err);

int ledger_balance(struct core_ctx *c, int64_t owner, enum ledger_kind kind, int64_t *bal,
                   struct ts_error *err);

/* Money from outside into a requester's available balance. amount > 0. */
int ledger_deposit(struct core_ctx *c, int64_t requester_id, int64_t amount,
                   struct ts_error *err);

#endif
