/* escrow.c: the legs of every escrow movement: hold at HIT creation and extension,
 * release on expiry, closed slots, rejection and work given up after expiry, pay on
 * approval, bonuses, and the fee on rewards and bonuses. ledger.c posts them. */
#include "escrow.h"
#include "ledger.h"
#include "../util/money.h"
#include "../util/banned.h"

int64_t escrow_slot_cost(const struct hit *h)
{
    return h->reward + h->fee; /* both bounded at creation: cannot overflow */
}

int escrow_fee(const struct core_ctx *c, int64_t amount, int64_t *fee)
{
    return money_fee(amount, c->cfg->fee_bp, fee);
}

int escrow_cost(int64_t slot_cost, int64_t slots, int64_t *amount, struct ts_error *err)
{
    *amount = slot_cost;
    if (money_mul(amount, slots) || *amount > MONEY_MAX)
        return ts_fail(err, TS_EINVAL, "the cost of %lld assignments is too large",
                       (long long)slots);
    return 0;
}

/* Moves h's escrow by delta beside the ledger entry that moves the requester's: the
 * HIT's column by the same delta (never as a value read earlier, so that several writers
 * may move it), and the caller's h. */
static int move_hit(struct core_ctx *c, struct hit *h, int64_t delta, struct ts_error *err)
{
    int rc = 0;

    if (delta)
        rc = store_hit_add_counts(c->st, h->id, &(struct hit_counts){.escrow = delta}, err);
    if (!rc)
        h->escrow += delta;
    return rc;
}

/* Moves amount from the requester's available balance into escrow (amount > 0) or back
 * (amount < 0), for HIT h. */
static int move(struct core_ctx *c, struct hit *h, const char *kind, int64_t amount,
                struct ts_error *err)
{
    struct ledger_leg legs[2] = {
        {h->requester_id, LEDGER_AVAILABLE, -amount},
        {h->requester_id, LEDGER_ESCROW, amount},
    };
    int rc = ledger_post(c, kind, h->id, legs, 2, err);
    return rc ? rc : move_hit(c, h, amount, err);
}

int escrow_hold_new(struct core_ctx *c, struct hit *h, int64_t amount, struct ts_error *err)
{
    struct ledger_leg legs[2] = {
        {h->requester_id, LEDGER_AVAILABLE, -amount},
        {h->requester_id, LEDGER_ESCROW, amount},
    };
    int rc = ledger_post(c, "escrow", h->id, legs, 2, err);
    if (!rc)
        h->escrow = amount;
    return rc;
}

int escrow_hold(struct core_ctx *c, struct hit *h, int64_t amount, struct ts_error *err)
{
    return move(c, h, "escrow", amount, err);
}

int escrow_release(struct core_ctx *c, struct hit *h, int64_t amount, struct ts_error *err)
{
    return move(c, h, "release", -amount, err);
}

int escrow_release_slot(struct core_ctx *c, struct hit *h, const char *asg_id,
                        struct ts_error *err)
{
    int64_t cost = escrow_slot_cost(h);
    struct ledger_leg legs[2] = {
        {h->requester_id, LEDGER_ESCROW, -cost},
        {h->requester_id, LEDGER_AVAILABLE, cost},
    };
    int rc = ledger_post(c, "release", asg_id, legs, 2, err);
    return rc ? rc : move_hit(c, h, -cost, err);
}

int escrow_pay(struct core_ctx *c, struct hit *h, const struct assignment *a,
               int from_available, struct ts_error *err)
{
    struct ledger_leg legs[3] = {
        {h->requester_id, from_available ? LEDGER_AVAILABLE : LEDGER_ESCROW, -escrow_slot_cost(h)},
        {a->worker_id, LEDGER_EARNINGS, h->reward},
        {0, LEDGER_FEES, h->fee},
    };
    int rc = ledger_post(c, "pay", a->id, legs, 3, err);
    return rc || from_available ? rc : move_hit(c, h, -escrow_slot_cost(h), err);
}

int escrow_bonus(struct core_ctx *c, const struct bonus *b, struct ts_error *err)
{
    int64_t total = b->amount;
    if (money_add(&total, b->fee))
        TS_BUG("bonus total overflow");
    struct ledger_leg legs[3] = {
        {b->requester_id, LEDGER_AVAILABLE, -total},
        {b->worker_id, LEDGER_EARNINGS, b->amount},
        {0, LEDGER_FEES, b->fee},
    };
    return ledger_post(c, "bonus", b->id, legs, 3, err);
}
