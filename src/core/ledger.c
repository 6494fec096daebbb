/* ledger.c: the double-entry journal. Every movement of money is one balanced entry in
 * integer micro-units; nothing else in Tessera changes a balance. The rules (balance
 * checked here, no overdraft kept by the database in the posting itself) are the ones
 * `tessera admin check` verifies on stored data. */
#include "ledger.h"
#include <stdio.h>
#include "../util/money.h"
#include "../util/banned.h"

#define LEDGER_MAX_LEGS 8

static const char *kind_name(enum ledger_kind k)
{
    switch (k) {
    case LEDGER_AVAILABLE: return "available balance";
    case LEDGER_ESCROW: return "escrow";
    case LEDGER_EARNINGS: return "earnings";
    case LEDGER_FEES: return "fee income";
    default: return "external";
    }
}

int ledger_balance(struct core_ctx *c, int64_t owner, enum ledger_kind kind, int64_t *bal,
                   struct ts_error *err)
{
    int64_t id;
    int rc = store_ledger_account(c->st, owner, kind, &id, err);
    if (rc)
        return rc;
    return store_ledger_balance(c->st, id, bal, err);
}

/* After the store refused an entry for want of funds: the message names the first leg its
 * account cannot cover, with the balance as it is (the refused entry left nothing). */
static int funds_refused(struct core_ctx *c, const struct posting *p,
                         const enum ledger_kind *kinds, int np, struct ts_error *err)
{
    for (int i = 0; i < np; i++) {
        int64_t bal;
        char need[32], have[32];
        if (kinds[i] == LEDGER_EXTERNAL || p[i].amount >= 0 ||
            store_ledger_balance(c->st, p[i].ledger_id, &bal, NULL) != 0 ||
            bal + p[i].amount >= 0)
            continue;
        money_format(-p[i].amount, need);
        money_format(bal, have);
        return ts_failk(err, TS_EFUNDS, "InsufficientFunds",
                        "insufficient funds: this needs $%s but the %s is $%s; "
                        "deposit more money first",
                        need, kind_name(kinds[i]), have);
    }
    return TS_EFUNDS; /* the store's own message stands */
}

/* Each leg's account is found (or made); the store then posts the entry, moving every
 * balance in one statement that the database refuses when it would overdraw (a CHECK,
 * schema v18): no balance is read before it is written, so several writers can post at
 * once. */
int ledger_post(struct core_ctx *c, const char *kind, const char *ref,
                const struct ledger_leg *legs, int n, struct ts_error *err)
{
    struct posting p[LEDGER_MAX_LEGS];
    enum ledger_kind kinds[LEDGER_MAX_LEGS];
    int64_t sum = 0;
    int np = 0;
    int rc;

    if (n > LEDGER_MAX_LEGS)
        TS_BUG("ledger entry with %d legs", n);
    for (int i = 0; i < n; i++) {
        int64_t id;
        if (legs[i].amount == 0)
            continue;
        if (money_add(&sum, legs[i].amount))
            return ts_fail(err, TS_EINVAL, "amount out of range in %s entry", kind);
        rc = store_ledger_account(c->st, legs[i].owner, legs[i].kind, &id, err);
        if (rc)
            return rc;
        p[np].ledger_id = id;
        p[np].amount = legs[i].amount;
        kinds[np++] = legs[i].kind;
    }
    if (sum != 0)
        TS_BUG("unbalanced %s entry: legs sum to %lld", kind, (long long)sum);
    if (np == 0)
        return 0;
    struct journal_entry e = {kind, ref ? ref : "", c->now_ms, p, np};
    int64_t entry_id;
    rc = store_journal_insert(c->st, &e, &entry_id, err);
    if (rc == TS_EFUNDS)
        return funds_refused(c, p, kinds, np, err);
    if (rc == TS_EINVAL)
        return ts_fail(err, TS_EINVAL, "balance out of range in %s entry", kind);
    return rc;
}

int ledger_deposit(struct core_ctx *c, int64_t requester_id, int64_t amount,
                   struct ts_error *err)
{
    if (amount <= 0 || amount > MONEY_MAX)
        return ts_fail(err, TS_EINVAL, "a deposit must be more than $0.00 and at most $%lld",
                       (long long)(MONEY_MAX / MONEY_UNIT));
    struct ledger_leg legs[2] = {
        {0, LEDGER_EXTERNAL, -amount},
        {requester_id, LEDGER_AVAILABLE, amount},
    };
    return ledger_post(c, "deposit", "", legs, 2, err);
}
