/* test_escrow.c: the money a HIT holds and where it goes, read back as balances: held at
 * creation and at extension, released on expiry, return, abandonment and rejection, paid
 * on approval (by hand or automatic) and on an overridden rejection, bonuses, and the
 * platform's fee on each; and two changes of one HIT made through two copies of it, read
 * before either, both take effect (the counters move by deltas). Each case starts from a fresh store (core_fixture_start), so any
 * case runs alone or in any order. */
#include "../../check.h"
#include "../core_fixture.h"
#include "core/asg.h"
#include "core/escrow.h"
#include "core/hit.h"
#include "util/money.h"

#define BAL(owner, kind) core_fixture_balance(owner, kind)

/* Accepts h for worker and submits answers; fills a (the caller releases it). */
static void work(int64_t worker, const struct hit *h, const char *answers, struct assignment *a)
{
    struct ts_error err = {0};
    CHECK_EQ_INT(TX(asg_accept(&c, worker, NULL, h->id, a, &err)), 0);
    CHECK_EQ_INT(TX(submit_text(&c, worker, a->id, answers, &err)), 0);
}

/* A HIT holds (reward + fee) for each assignment, from the available balance. */
static void test_held_at_creation(void)
{
    struct core_cast k = core_fixture_start(5 * MONEY_UNIT);
    struct hit_type t = core_fixture_stored_type(k.rq, MONEY_UNIT, 3600); /* fee $0.20 */
    struct hit_type t2 = core_fixture_stored_type(k.rq, 100000, 3600);    /* fee $0.02 */
    struct hit_params p = core_fixture_params(2);
    struct hit h, h2;

    CHECK_EQ_INT(core_fixture_hit(&t, &p, &h), 0); /* reserves 2.40 of the 5.00 */
    CHECK_EQ_INT(BAL(k.rq, LEDGER_AVAILABLE), 2600000);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_ESCROW), 2400000);
    CHECK_EQ_INT(h.escrow, 2400000);
    p.max_assignments = 3;
    CHECK_EQ_INT(core_fixture_hit(&t2, &p, &h2), 0);
    CHECK_EQ_INT(h2.escrow, 360000);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_ESCROW), 2760000);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_AVAILABLE), 2240000);
    store_hit_release(&h);
    store_hit_release(&h2);
    core_fixture_end();
}

/* The fee is a share of the reward (CORE_FEE_BP_DEFAULT, 20%) in whole cents, fixed when
 * the HIT is made, and held with the reward. */
static void test_fee(void)
{
    struct core_cast k = core_fixture_start(2 * MONEY_UNIT);
    struct hit_type t = core_fixture_stored_type(k.rq, 50000, 3600);
    struct hit_type t2 = core_fixture_stored_type(k.rq, 500000, 3600);
    struct hit_params p = core_fixture_params(1);
    struct hit h, h2, h3;

    CHECK_EQ_INT(core_fixture_hit(&t, &p, &h), 0);
    CHECK_EQ_INT(h.reward, 50000);
    CHECK_EQ_INT(h.fee, 10000);
    CHECK_EQ_INT(h.escrow, 60000);
    cfg.fee_bp = 1000; /* 10% from now on; h keeps its own */
    CHECK_EQ_INT(core_fixture_hit(&t2, &p, &h2), 0);
    CHECK_EQ_INT(h2.fee, 50000);
    CHECK_EQ_INT(h2.escrow, 550000);
    CHECK_EQ_INT(core_fixture_hit(&t, &p, &h3), 0); /* $0.005 rounds to a cent */
    CHECK_EQ_INT(h3.fee, 10000);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_ESCROW), 670000);
    cfg.fee_bp = CORE_FEE_BP_DEFAULT;
    store_hit_release(&h);
    store_hit_release(&h2);
    store_hit_release(&h3);
    core_fixture_end();
}

/* Approval pays reward and fee out of escrow, once; rejection gives the slot's cost back;
 * an overridden rejection pays from the available balance. */
static void test_approve_reject_override(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(5 * MONEY_UNIT);
    struct hit_type t = core_fixture_stored_type(k.rq, MONEY_UNIT, 3600);
    struct hit_params p = core_fixture_params(2);
    struct hit h, got;
    struct assignment a1, a2;

    CHECK_EQ_INT(core_fixture_hit(&t, &p, &h), 0);
    work(k.wk1, &h, "{\"label\":\"cat\"}", &a1);
    work(k.wk2, &h, "{\"label\":\"dog\"}", &a2);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_ESCROW), 2400000); /* submitted work stays held */

    CHECK_EQ_INT(TX(asg_approve(&c, k.rq, a1.id, NULL, 0, &err)), 0);
    CHECK_EQ_INT(BAL(k.wk1, LEDGER_EARNINGS), MONEY_UNIT);
    CHECK_EQ_INT(BAL(0, LEDGER_FEES), 200000);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_ESCROW), 1200000);
    /* Approving again pays nothing more. */
    CHECK_EQ_INT(TX(asg_approve(&c, k.rq, a1.id, NULL, 0, &err)), 0);
    CHECK_EQ_INT(BAL(k.wk1, LEDGER_EARNINGS), MONEY_UNIT);
    CHECK_EQ_INT(BAL(0, LEDGER_FEES), 200000);

    CHECK_EQ_INT(TX(asg_reject(&c, k.rq, a2.id, "off topic", &err)), 0);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_ESCROW), 0);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_AVAILABLE), 3800000);
    CHECK_EQ_INT(BAL(k.wk2, LEDGER_EARNINGS), 0);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_INT(got.escrow, 0);
    store_hit_release(&got);

    CHECK_EQ_INT(TX(asg_approve(&c, k.rq, a2.id, "sorry", 1, &err)), 0);
    CHECK_EQ_INT(BAL(k.wk2, LEDGER_EARNINGS), MONEY_UNIT);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_AVAILABLE), 2600000);
    CHECK_EQ_INT(BAL(0, LEDGER_FEES), 400000);
    store_asg_release(&a1);
    store_asg_release(&a2);
    store_hit_release(&h);
    core_fixture_end();
}

/* An override the available balance cannot pay is refused, and nothing moves. */
static void test_override_needs_funds(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(MONEY_UNIT + 200000);
    struct hit_type t = core_fixture_stored_type(k.rq, MONEY_UNIT, 3600);
    struct hit_params p = core_fixture_params(1);
    struct hit h, h2;
    struct assignment a;

    CHECK_EQ_INT(core_fixture_hit(&t, &p, &h), 0);
    work(k.wk1, &h, "{\"x\":\"y\"}", &a);
    CHECK_EQ_INT(TX(asg_reject(&c, k.rq, a.id, "no", &err)), 0);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_AVAILABLE), 1200000);
    CHECK_EQ_INT(core_fixture_hit(&t, &p, &h2), 0); /* spends it all again */
    CHECK_EQ_INT(TX(asg_approve(&c, k.rq, a.id, "sorry", 1, &err)), TS_EFUNDS);
    CHECK_EQ_INT(BAL(k.wk1, LEDGER_EARNINGS), 0);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_AVAILABLE), 0);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_ESCROW), 1200000);
    CHECK_EQ_INT(core_fixture_asg_status(a.id), ASG_REJECTED);
    store_asg_release(&a);
    store_hit_release(&h);
    store_hit_release(&h2);
    core_fixture_end();
}

/* Expiring gives back the free slots' escrow and keeps a held slot's; that slot's is given
 * back when its deadline passes; extending holds the free slots' cost again. */
static void test_expiry_abandon_extension(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(MONEY_UNIT);
    struct hit_type t = core_fixture_stored_type(k.rq, 100000, 3600); /* $0.10, fee $0.02 */
    struct hit_params p = core_fixture_params(3);
    struct hit h, got;
    struct assignment a;
    int done = 0;

    CHECK_EQ_INT(core_fixture_hit(&t, &p, &h), 0);
    CHECK_EQ_INT(h.escrow, 360000);
    CHECK_EQ_INT(TX(asg_accept(&c, k.wk2, NULL, h.id, &a, &err)), 0);

    /* Expire now: the two free slots' escrow goes back; wk2 keeps its slot. */
    int64_t before = BAL(k.rq, LEDGER_AVAILABLE);
    CHECK_EQ_INT(TX(hit_update_expiration(&c, k.rq, h.id, 0, &err)), 0);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_AVAILABLE), before + 240000);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_INT(got.escrow, 120000);
    store_hit_release(&got);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_ESCROW), 120000);
    CHECK_EQ_INT(core_fixture_violations(), 0);

    /* The deadline passes: the sweep abandons wk2's assignment and, the HIT having
     * expired, releases its escrow too. */
    c.now_ms += 61 * 1000;
    CHECK_EQ_INT(TX(asg_sweep(&c, 10, &done, &err)), 0);
    CHECK_EQ_INT(done, 1);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_INT(got.escrow, 0);
    store_hit_release(&got);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_ESCROW), 0);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_AVAILABLE), MONEY_UNIT);

    /* Extending re-reserves the three free slots. */
    CHECK_EQ_INT(TX(hit_update_expiration(&c, k.rq, h.id, c.now_ms + 3600 * 1000, &err)), 0);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_INT(got.escrow, 360000);
    store_hit_release(&got);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_AVAILABLE), MONEY_UNIT - 360000);
    store_asg_release(&a);
    store_hit_release(&h);
    core_fixture_end();
}

/* Extending an expired HIT the balance no longer covers is refused, and it stays
 * expired with nothing held. */
static void test_extension_needs_funds(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(120000);
    struct hit_type t = core_fixture_stored_type(k.rq, 100000, 3600);
    struct hit_params p = core_fixture_params(1);
    struct hit h, h2, got;

    CHECK_EQ_INT(core_fixture_hit(&t, &p, &h), 0);
    CHECK_EQ_INT(TX(hit_update_expiration(&c, k.rq, h.id, 0, &err)), 0);
    CHECK_EQ_INT(core_fixture_hit(&t, &p, &h2), 0); /* the released money, spent */
    CHECK_EQ_INT(TX(hit_update_expiration(&c, k.rq, h.id, c.now_ms + 3600 * 1000, &err)),
                 TS_EFUNDS);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_INT(got.escrow, 0);
    CHECK_EQ_INT(got.expired, 1);
    store_hit_release(&got);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_ESCROW), 120000);
    store_hit_release(&h);
    store_hit_release(&h2);
    core_fixture_end();
}

/* A returned assignment's slot is free again and its cost stays held for the next
 * worker; once the HIT has expired a return gives the cost back. */
static void test_return(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(MONEY_UNIT);
    struct hit_type t = core_fixture_stored_type(k.rq, 100000, 3600);
    struct hit_params p = core_fixture_params(2);
    struct hit h, got;
    struct assignment a1, a2;

    CHECK_EQ_INT(core_fixture_hit(&t, &p, &h), 0);
    CHECK_EQ_INT(TX(asg_accept(&c, k.wk1, NULL, h.id, &a1, &err)), 0);
    CHECK_EQ_INT(TX(asg_return(&c, k.wk1, a1.id, &err)), 0);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_ESCROW), 240000);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_AVAILABLE), MONEY_UNIT - 240000);

    CHECK_EQ_INT(TX(asg_accept(&c, k.wk2, NULL, h.id, &a2, &err)), 0);
    CHECK_EQ_INT(TX(hit_update_expiration(&c, k.rq, h.id, 0, &err)), 0);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_ESCROW), 120000);
    CHECK_EQ_INT(TX(asg_return(&c, k.wk2, a2.id, &err)), 0);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_ESCROW), 0);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_AVAILABLE), MONEY_UNIT);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_INT(got.escrow, 0);
    store_hit_release(&got);
    store_asg_release(&a1);
    store_asg_release(&a2);
    store_hit_release(&h);
    core_fixture_end();
}

/* More assignments hold their cost at once; refused, with nothing held, when the balance
 * is short. */
static void test_added_assignments(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(500000);
    struct hit_type t = core_fixture_stored_type(k.rq, 100000, 3600);
    struct hit_params p = core_fixture_params(1);
    struct hit h, got;

    CHECK_EQ_INT(core_fixture_hit(&t, &p, &h), 0);
    CHECK_EQ_INT(TX(hit_add_assignments(&c, k.rq, h.id, 2, NULL, &err)), 0);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_INT(got.escrow, 360000);
    CHECK_EQ_INT(got.max_assignments, 3);
    store_hit_release(&got);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_AVAILABLE), 140000);
    CHECK_EQ_INT(TX(hit_add_assignments(&c, k.rq, h.id, 2, NULL, &err)), TS_EFUNDS);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_INT(got.escrow, 360000);
    CHECK_EQ_INT(got.max_assignments, 3);
    store_hit_release(&got);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_AVAILABLE), 140000);
    store_hit_release(&h);
    core_fixture_end();
}

/* A submission due for auto-approval is paid by the sweep. */
static void test_auto_approval_pays(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(MONEY_UNIT);
    struct hit_type t = core_fixture_stored_type(k.rq, 50000, 0); /* auto-approve at once */
    struct hit_params p = core_fixture_params(1);
    struct hit h;
    struct assignment a;
    int done = 0;

    CHECK_EQ_INT(core_fixture_hit(&t, &p, &h), 0);
    int64_t earned = BAL(k.wk1, LEDGER_EARNINGS);
    work(k.wk1, &h, "{\"x\":\"y\"}", &a);
    CHECK_EQ_INT(TX(asg_sweep(&c, 10, &done, &err)), 0);
    CHECK_EQ_INT(done, 1);
    CHECK_EQ_INT(BAL(k.wk1, LEDGER_EARNINGS), earned + 50000);
    CHECK_EQ_INT(BAL(0, LEDGER_FEES), 10000);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_ESCROW), 0);
    store_asg_release(&a);
    store_hit_release(&h);
    core_fixture_end();
}

/* A bonus goes to the worker named by pseudonym, with a reason, once per token; the
 * requester pays it and its fee from the available balance. */
static void test_bonus(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(MONEY_UNIT);
    struct hit_type t = core_fixture_stored_type(k.rq, 50000, 3600);
    struct hit_params p = core_fixture_params(1);
    struct hit h;
    struct assignment a;
    struct bonus b;
    char pseud[16];

    CHECK_EQ_INT(core_fixture_hit(&t, &p, &h), 0);
    work(k.wk1, &h, "{\"x\":\"y\"}", &a);
    CHECK_EQ_INT(TX(asg_approve(&c, k.rq, a.id, NULL, 0, &err)), 0);
    int64_t earned = BAL(k.wk1, LEDGER_EARNINGS);
    int64_t avail = BAL(k.rq, LEDGER_AVAILABLE);
    int64_t fees = BAL(0, LEDGER_FEES);

    core_fixture_pseudonym(k.rq, k.wk1, pseud);
    CHECK_EQ_INT(TX(asg_bonus(&c, k.rq, "AWRONG", a.id, 100000, "thanks", NULL, &b, &err)),
                 TS_EINVAL);
    CHECK_EQ_INT(TX(asg_bonus(&c, k.rq, pseud, a.id, 100000, NULL, NULL, &b, &err)), TS_EINVAL);
    CHECK_EQ_INT(BAL(k.wk1, LEDGER_EARNINGS), earned);
    CHECK_EQ_INT(TX(asg_bonus(&c, k.rq, pseud, a.id, 100000, "thanks", "tok1", &b, &err)), 0);
    CHECK_EQ_INT(b.amount, 100000);
    CHECK_EQ_INT(b.fee, 20000);
    store_bonus_release(&b);
    CHECK_EQ_INT(TX(asg_bonus(&c, k.rq, pseud, a.id, 100000, "thanks", "tok1", &b, &err)),
                 TS_EDUPLICATE);
    CHECK_EQ_INT(BAL(k.wk1, LEDGER_EARNINGS), earned + 100000);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_AVAILABLE), avail - 120000);
    CHECK_EQ_INT(BAL(0, LEDGER_FEES), fees + 20000);
    /* More than the available balance: refused, nothing paid. */
    CHECK_EQ_INT(TX(asg_bonus(&c, k.rq, pseud, a.id, MONEY_UNIT, "more", NULL, &b, &err)),
                 TS_EFUNDS);
    CHECK_EQ_INT(BAL(k.wk1, LEDGER_EARNINGS), earned + 100000);
    store_asg_release(&a);
    store_hit_release(&h);
    core_fixture_end();
}

/* Two copies of one HIT, both read before either change: escrow held through one (with
 * two more slots) and released through the other (with one slot less) both take effect,
 * in the stored row, the ledger and each copy; the invariant holds. */
static void test_interleaved_escrow(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(5 * MONEY_UNIT);
    struct hit_type t = core_fixture_stored_type(k.rq, 100000, 3600); /* 0.12 a slot */
    struct hit_params p = core_fixture_params(3);
    struct hit h, h1, h2, got;

    CHECK_EQ_INT(core_fixture_hit(&t, &p, &h), 0);
    h1 = core_fixture_hit_get(h.id);
    h2 = core_fixture_hit_get(h.id);
    tx_begin();
    CHECK_EQ_INT(escrow_hold(&c, &h1, 240000, &err), 0);
    CHECK_EQ_INT(store_hit_add_max(st, h1.id, 2, cfg.max_assignments, &err), 0);
    CHECK_EQ_INT(escrow_release(&c, &h2, 120000, &err), 0);
    CHECK_EQ_INT(store_hit_add_max(st, h2.id, -1, cfg.max_assignments, &err), 0);
    CHECK_EQ_INT(tx_end(0), 0);
    CHECK_EQ_INT(h1.escrow, 600000); /* each copy moved by its own delta */
    CHECK_EQ_INT(h2.escrow, 240000);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_INT(got.escrow, 480000);
    CHECK_EQ_INT(got.max_assignments, 4);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_ESCROW), 480000);
    CHECK_EQ_INT(core_fixture_violations(), 0);
    store_hit_release(&got);
    store_hit_release(&h1);
    store_hit_release(&h2);
    store_hit_release(&h);
    core_fixture_end();
}

/* Dynamic overlap: a reserve slot opened through each of two copies read before either
 * opens two; past overlap_max a copy's stale count opens none (the statement's bound). */
static void test_interleaved_slots(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(5 * MONEY_UNIT);
    struct hit_type t = core_fixture_stored_type(k.rq, 100000, 3600);
    struct hit_params p = core_fixture_params(2);
    struct hit h, h1, h2, h3, got;

    p.overlap_max = 4;
    CHECK_EQ_INT(core_fixture_hit(&t, &p, &h), 0);
    CHECK_EQ_INT(h.escrow, 480000); /* the reserve is held too */
    h1 = core_fixture_hit_get(h.id);
    h2 = core_fixture_hit_get(h.id);
    h3 = core_fixture_hit_get(h.id);
    CHECK_EQ_INT(TX(hit_open_slot(&c, &h1, &err)), 0);
    CHECK_EQ_INT(TX(hit_open_slot(&c, &h2, &err)), 0);
    CHECK_EQ_INT(h1.max_assignments, 3);
    CHECK_EQ_INT(h2.max_assignments, 3);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_INT(got.max_assignments, 4);
    CHECK_EQ_INT(got.escrow, 480000);
    store_hit_release(&got);
    /* h3 still sees a reserve slot, but the HIT has none left: refused, nothing changed. */
    CHECK_EQ_INT(TX(hit_open_slot(&c, &h3, &err)), TS_ECONFLICT);
    CHECK_EQ_INT(h3.max_assignments, 2);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_INT(got.max_assignments, 4);
    store_hit_release(&got);
    CHECK_EQ_INT(core_fixture_violations(), 0);
    store_hit_release(&h1);
    store_hit_release(&h2);
    store_hit_release(&h3);
    store_hit_release(&h);
    core_fixture_end();
}

CHECK_MAIN(test_held_at_creation, test_fee, test_approve_reject_override,
           test_override_needs_funds, test_expiry_abandon_extension, test_extension_needs_funds,
           test_return, test_added_assignments, test_auto_approval_pays, test_bonus,
           test_interleaved_escrow, test_interleaved_slots)
