/* ledger.c: the double-entry journal. Every movement of money is one balanced entry in
 * integer micro-units; nothing else in Tessera changes a balance. The rules checked here
 * (balance, no overdraft) are the ones `tessera admin check` verifies on stored data. */
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

int ledger_post(struct core_ctx *c, const char *kind, const char *ref,
                const struct ledger_leg *legs, int n, struct ts_error *err)
{
    struct posting p[LEDGER_MAX_LEGS];
    int64_t sum = 0;
    int np = 0;

    if (n > LEDGER_MAX_LEGS)
        TS_BUG("ledger entry with %d legs", n);
    for (int i = 0; i < n; i++) {
        int64_t id, bal;
        int rc;
        if (legs[i].amount == 0)
            continue;
        if (money_add(&sum, legs[i].amount))
            return ts_fail(err, TS_EINVAL, "amount out of range in %s entry", kind);
        rc = store_ledger_account(c->st, legs[i].owner, legs[i].kind, &id, err);
        if (rc)
            return rc;
        rc = store_ledger_balance(c->st, id, &bal, err);
        if (rc)
            return rc;
        if (money_add(&bal, legs[i].amount))
            return ts_fail(err, TS_EINVAL, "balance out of range in %s entry", kind);
        if (bal < 0 && legs[i].kind != LEDGER_EXTERNAL) {
            char need[32], have[32];
            int64_t cur = bal - legs[i].amount;
            money_format(-legs[i].amount, need);
            money_format(cur, have);
            return ts_failk(err, TS_EFUNDS, "InsufficientFunds",
                            "insufficient funds: this needs $%s but the %s is $%s; "
                            "deposit more money first",
                            need, kind_name(legs[i].kind), have);
        }
        p[np].ledger_id = id;
        p[np].amount = legs[i].amount;
        np++;
    }
    if (sum != 0)
        TS_BUG("unbalanced %s entry: legs sum to %lld", kind, (long long)sum);
    if (np == 0)
        return 0;
    struct journal_entry e = {kind, ref ? ref : "", c->now_ms, p, np};
    int64_t entry_id;
    return store_journal_insert(c->st, &e, &entry_id, err);
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
