/* escrow.h: every movement of a HIT's money, built in one place. A HIT holds in escrow the
 * cost, reward + fee, of every slot that may still be paid (hit.c states the formula);
 * these functions post the ledger entries (ledger.c) that hold it, give it back and pay
 * it out, and compute the platform's fee. Each movement of a HIT's escrow also moves the
 * HIT's escrow column by the same delta (store_hit_add_counts, in the caller's
 * transaction) and the caller's struct hit: no caller writes escrow itself. */
#ifndef TS_ESCROW_H
#define TS_ESCROW_H
#include "core.h"

/* What one assignment slot of h costs its requester: reward + fee. */
int64_t escrow_slot_cost(const struct hit *h);
/* The platform's fee on amount (fee_bp basis points of the configuration): 0, or
 * non-zero on overflow (*fee then unchanged). */
int escrow_fee(const struct core_ctx *c, int64_t amount, int64_t *fee);
/* *amount = slot_cost * slots; TS_EINVAL ("the cost of N assignments is too large") past
 * MONEY_MAX. */
int escrow_cost(int64_t slot_cost, int64_t slots, int64_t *amount, struct ts_error *err);

/* Holds amount of h's requester's available balance in escrow for HIT h (extension, more
 * assignments). TS_EFUNDS when the balance is short. */
int escrow_hold(struct core_ctx *c, struct hit *h, int64_t amount, struct ts_error *err);
/* The same for a HIT not yet stored (creation): sets h->escrow to amount, which
 * store_hit_insert then writes. */
int escrow_hold_new(struct core_ctx *c, struct hit *h, int64_t amount, struct ts_error *err);
/* Gives amount of h's escrow back to the requester's available balance (expiry, slots
 * closed by dynamic overlap). */
int escrow_release(struct core_ctx *c, struct hit *h, int64_t amount, struct ts_error *err);
/* Gives one slot's cost back for assignment asg_id of h: a rejection, or an assignment
 * returned or abandoned after h's expiry was processed. */
int escrow_release_slot(struct core_ctx *c, struct hit *h, const char *asg_id,
                        struct ts_error *err);
/* Pays assignment a of h: its reward to the worker and the fee to the platform, from h's
 * escrow, or with from_available (an overridden rejection, whose slot was released) from
 * the requester's available balance (h's escrow then unchanged). */
int escrow_pay(struct core_ctx *c, struct hit *h, const struct assignment *a,
               int from_available, struct ts_error *err);
/* Pays bonus b (amount and fee set) from its requester's available balance. */
int escrow_bonus(struct core_ctx *c, const struct bonus *b, struct ts_error *err);

#endif
