/* test_lifecycle.c: the core's rules on a real SQLite store: the ledger, escrow, the HIT
 * and assignment state machines, and that store_check finds the stored data consistent
 * after every step. */
#include "../../check.h"
#include "../core_fixture.h"
#include "core/asg.h"
#include "core/ledger.h"
#include "util/money.h"

static int64_t rq, wk1, wk2;
static int violations_seen;

static int violations(void)
{
    struct ts_error err = {0};
    int v = -1;
    if (store_check(st, report, NULL, &v, &err))
        fprintf(stderr, "  check failed: %s\n", err.msg);
    violations_seen += v;
    return v;
}

static int64_t balance(int64_t owner, enum ledger_kind kind)
{
    struct ts_error err = {0};
    int64_t b = -1;
    ledger_balance(&c, owner, kind, &b, &err);
    return b;
}

static void setup(void)
{
    core_fixture_open();
    rq = account(ROLE_REQUESTER, "rq");
    wk1 = account(ROLE_WORKER, "wk1");
    wk2 = account(ROLE_WORKER, "wk2");
}

static struct hit_type type_of(int64_t reward, int64_t autoapp)
{
    return core_fixture_type(rq, "Label", "Label one thing", reward, 60, autoapp);
}

static const char *question =
    "<HTMLQuestion xmlns=\"http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/"
    "2011-11-11/HTMLQuestion.xsd\"><HTMLContent><![CDATA[<p>x</p>]]></HTMLContent>"
    "<FrameHeight>0</FrameHeight></HTMLQuestion>";

static void make_hit(struct hit_type *t, int64_t max, struct hit *h, int expect_rc)
{
    struct ts_error err = {0};
    struct hit_params p = {question, NULL, NULL, NULL, NULL, max, 3600, NULL, 0, 0, NULL};
    core_fixture_type_create(t);
    CHECK_EQ_INT(TX(hit_create(&c, t, &p, h, &err)), expect_rc);
}

static void test_deposit_and_funds(void)
{
    struct ts_error err = {0};
    struct hit h;
    struct hit_type t = type_of(MONEY_UNIT, 3600); /* $1.00, fee $0.20 */

    CHECK_EQ_INT(TX(ledger_deposit(&c, rq, 0, &err)), TS_EINVAL);
    CHECK_EQ_INT(TX(ledger_deposit(&c, rq, -5, &err)), TS_EINVAL);
    CHECK_EQ_INT(TX(ledger_deposit(&c, rq, 5 * MONEY_UNIT, &err)), 0);
    CHECK_EQ_INT(balance(rq, LEDGER_AVAILABLE), 5 * MONEY_UNIT);
    /* 5 assignments cost 5 * 1.20 = 6.00 > 5.00: refused, nothing moves. */
    make_hit(&t, 5, &h, TS_EFUNDS);
    CHECK_EQ_INT(balance(rq, LEDGER_AVAILABLE), 5 * MONEY_UNIT);
    CHECK_EQ_INT(balance(rq, LEDGER_ESCROW), 0);
    CHECK_EQ_INT(violations(), 0);
}

static void test_pay_once(void)
{
    struct ts_error err = {0};
    struct hit h, got;
    struct assignment a1, a2;
    struct hit_type t = type_of(MONEY_UNIT, 3600);

    make_hit(&t, 2, &h, 0); /* reserves 2.40 of the 5.00 */
    CHECK_EQ_INT(balance(rq, LEDGER_AVAILABLE), 2600000);
    CHECK_EQ_INT(balance(rq, LEDGER_ESCROW), 2400000);
    CHECK_EQ_INT(hit_status_at(&h, c.now_ms), HIT_ASSIGNABLE);

    CHECK_EQ_INT(TX(asg_accept(&c, wk1, t.id, NULL, &a1, &err)), 0);
    /* The same worker cannot take the same HIT again, by id or by type. */
    CHECK_EQ_INT(TX(asg_accept(&c, wk1, NULL, h.id, &a2, &err)), TS_ECONFLICT);
    CHECK_EQ_INT(TX(asg_accept(&c, wk1, t.id, NULL, &a2, &err)), TS_ENOTFOUND);
    CHECK_EQ_INT(TX(asg_accept(&c, wk2, t.id, NULL, &a2, &err)), 0);
    store_hit_get(st, h.id, &got, &err);
    CHECK_EQ_INT(got.pending, 2);
    CHECK_EQ_INT(hit_status_at(&got, c.now_ms), HIT_UNASSIGNABLE);
    store_hit_release(&got);

    /* wk2 cannot submit wk1's assignment. */
    CHECK_EQ_INT(TX(submit_text(&c, wk2, a1.id, "{\"label\":\"cat\"}", &err)), TS_ENOTFOUND);
    CHECK_EQ_INT(TX(submit_text(&c, wk1, a1.id, "not json", &err)), TS_EINVAL);
    CHECK_EQ_INT(TX(submit_text(&c, wk1, a1.id, "{\"label\":\"cat\"}", &err)), 0);
    CHECK_EQ_INT(TX(submit_text(&c, wk1, a1.id, "{\"label\":\"cat\"}", &err)), TS_ECONFLICT);
    CHECK_EQ_INT(TX(submit_text(&c, wk2, a2.id, "{\"label\":\"dog\"}", &err)), 0);
    store_hit_get(st, h.id, &got, &err);
    CHECK_EQ_INT(hit_status_at(&got, c.now_ms), HIT_REVIEWABLE);
    store_hit_release(&got);

    /* Approve twice: paid once. */
    CHECK_EQ_INT(TX(asg_approve(&c, rq, a1.id, NULL, 0, &err)), 0);
    CHECK_EQ_INT(TX(asg_approve(&c, rq, a1.id, NULL, 0, &err)), 0);
    CHECK_EQ_INT(balance(wk1, LEDGER_EARNINGS), MONEY_UNIT);
    CHECK_EQ_INT(balance(0, LEDGER_FEES), 200000);
    CHECK_EQ_INT(balance(rq, LEDGER_ESCROW), 1200000);

    /* Reject needs feedback; rejection returns the slot's cost. */
    CHECK_EQ_INT(TX(asg_reject(&c, rq, a2.id, NULL, &err)), TS_EINVAL);
    CHECK_EQ_INT(TX(asg_reject(&c, rq, a2.id, "off topic", &err)), 0);
    CHECK_EQ_INT(TX(asg_approve(&c, rq, a1.id, NULL, 0, &err)), 0);
    CHECK_EQ_INT(balance(rq, LEDGER_ESCROW), 0);
    CHECK_EQ_INT(balance(rq, LEDGER_AVAILABLE), 3800000);
    /* An approved one cannot be rejected; a rejected one needs OverrideRejection. */
    CHECK_EQ_INT(TX(asg_reject(&c, rq, a1.id, "late", &err)), TS_ECONFLICT);
    CHECK_EQ_INT(TX(asg_approve(&c, rq, a2.id, NULL, 0, &err)), TS_ECONFLICT);
    CHECK_EQ_INT(TX(asg_approve(&c, rq, a2.id, "sorry", 1, &err)), 0);
    CHECK_EQ_INT(balance(wk2, LEDGER_EARNINGS), MONEY_UNIT);
    CHECK_EQ_INT(balance(rq, LEDGER_AVAILABLE), 2600000);
    CHECK_EQ_INT(violations(), 0);
    store_asg_release(&a1);
    store_asg_release(&a2);
    store_hit_release(&h);
}

static void test_expiry_and_return(void)
{
    struct ts_error err = {0};
    struct hit h, got;
    struct assignment a;
    struct hit_type t = type_of(100000, 3600); /* $0.10, fee $0.02 */
    int done = 0;

    make_hit(&t, 3, &h, 0);
    CHECK_EQ_INT(h.escrow, 360000);
    CHECK_EQ_INT(TX(asg_accept(&c, wk1, NULL, h.id, &a, &err)), 0);
    /* Returning frees the slot; the worker still may not take that HIT again. */
    CHECK_EQ_INT(TX(asg_return(&c, wk1, a.id, &err)), 0);
    CHECK_EQ_INT(TX(asg_return(&c, wk1, a.id, &err)), TS_ECONFLICT);
    store_asg_release(&a);
    CHECK_EQ_INT(TX(asg_accept(&c, wk2, NULL, h.id, &a, &err)), 0);

    /* Expire now: the two free slots' escrow goes back; wk2 keeps its slot. */
    int64_t before = balance(rq, LEDGER_AVAILABLE);
    CHECK_EQ_INT(TX(hit_update_expiration(&c, rq, h.id, 0, &err)), 0);
    CHECK_EQ_INT(balance(rq, LEDGER_AVAILABLE), before + 240000);
    store_hit_get(st, h.id, &got, &err);
    CHECK_EQ_INT(got.escrow, 120000);
    CHECK_EQ_INT(hit_status_at(&got, c.now_ms), HIT_UNASSIGNABLE);
    store_hit_release(&got);
    CHECK_EQ_INT(violations(), 0);

    /* The deadline passes: the sweep abandons wk2's assignment and, the HIT having
     * expired, releases its escrow too. */
    c.now_ms += 61 * 1000;
    CHECK_EQ_INT(TX(asg_sweep(&c, 10, &done, &err)), 0);
    CHECK_EQ_INT(done, 1);
    store_hit_get(st, h.id, &got, &err);
    CHECK_EQ_INT(got.escrow, 0);
    CHECK_EQ_INT(got.pending, 0);
    CHECK_EQ_INT(hit_status_at(&got, c.now_ms), HIT_REVIEWABLE);
    store_hit_release(&got);
    CHECK_EQ_INT(TX(submit_text(&c, wk2, a.id, "{\"a\":\"b\"}", &err)), TS_ECONFLICT);

    /* Extending re-reserves the three free slots; deleting then is refused. */
    CHECK_EQ_INT(TX(hit_update_expiration(&c, rq, h.id, c.now_ms + 3600 * 1000, &err)), 0);
    store_hit_get(st, h.id, &got, &err);
    CHECK_EQ_INT(got.escrow, 360000);
    store_hit_release(&got);
    CHECK_EQ_INT(TX(hit_delete(&c, rq, h.id, &err)), TS_ECONFLICT);
    CHECK_EQ_INT(TX(hit_update_expiration(&c, rq, h.id, 0, &err)), 0);
    CHECK_EQ_INT(TX(hit_delete(&c, rq, h.id, &err)), 0);
    CHECK_EQ_INT(TX(hit_get_owned(&c, rq, h.id, &got, &err)), TS_ENOTFOUND);
    CHECK_EQ_INT(violations(), 0);
    store_asg_release(&a);
    store_hit_release(&h);
}

static void test_auto_approval_and_bonus(void)
{
    struct ts_error err = {0};
    struct hit h;
    struct assignment a;
    struct bonus b;
    struct hit_type t = type_of(50000, 0); /* $0.05, fee $0.01, auto-approve at once */
    char pseud[16];
    int done = 0;

    make_hit(&t, 1, &h, 0);
    int64_t earned = balance(wk1, LEDGER_EARNINGS);
    CHECK_EQ_INT(TX(asg_accept(&c, wk1, NULL, h.id, &a, &err)), 0);
    CHECK_EQ_INT(TX(submit_text(&c, wk1, a.id, "{\"x\":\"y\"}", &err)), 0);
    CHECK_EQ_INT(TX(asg_sweep(&c, 10, &done, &err)), 0);
    CHECK_EQ_INT(done, 1);
    CHECK_EQ_INT(balance(wk1, LEDGER_EARNINGS), earned + 50000);

    secrets_pseudonym(sec, rq, wk1, pseud);
    CHECK_EQ_INT(TX(asg_bonus(&c, rq, "AWRONG", a.id, 100000, "thanks", NULL, &b, &err)),
                 TS_EINVAL);
    CHECK_EQ_INT(TX(asg_bonus(&c, rq, pseud, a.id, 100000, NULL, NULL, &b, &err)), TS_EINVAL);
    CHECK_EQ_INT(TX(asg_bonus(&c, rq, pseud, a.id, 100000, "thanks", "tok1", &b, &err)), 0);
    store_bonus_release(&b);
    CHECK_EQ_INT(TX(asg_bonus(&c, rq, pseud, a.id, 100000, "thanks", "tok1", &b, &err)),
                 TS_EDUPLICATE);
    CHECK_EQ_INT(balance(wk1, LEDGER_EARNINGS), earned + 150000);
    CHECK_EQ_INT(violations(), 0);
    store_asg_release(&a);
    store_hit_release(&h);
}

/* A Reviewing HIT given more assignments goes back to Assignable; DeleteHIT on it is a
 * state error, not a crash; once expired again it can be deleted. */
static void test_reviewing_reopens(void)
{
    struct ts_error err = {0};
    struct hit h, got;
    struct assignment a;
    struct hit_type t = type_of(100000, 3600);

    make_hit(&t, 1, &h, 0);
    CHECK_EQ_INT(TX(asg_accept(&c, wk1, NULL, h.id, &a, &err)), 0);
    CHECK_EQ_INT(TX(submit_text(&c, wk1, a.id, "{\"a\":\"b\"}", &err)), 0);
    CHECK_EQ_INT(TX(asg_approve(&c, rq, a.id, NULL, 0, &err)), 0);
    store_asg_release(&a);
    CHECK_EQ_INT(TX(hit_set_reviewing(&c, rq, h.id, 0, &err)), 0);
    store_hit_get(st, h.id, &got, &err);
    CHECK_EQ_INT(hit_status_at(&got, c.now_ms), HIT_REVIEWING);
    store_hit_release(&got);

    CHECK_EQ_INT(TX(hit_add_assignments(&c, rq, h.id, 2, NULL, &err)), 0);
    store_hit_get(st, h.id, &got, &err);
    CHECK_EQ_INT(hit_status_at(&got, c.now_ms), HIT_ASSIGNABLE);
    CHECK_EQ_INT(got.escrow, 240000);
    store_hit_release(&got);
    CHECK_EQ_INT(TX(hit_delete(&c, rq, h.id, &err)), TS_ECONFLICT);
    CHECK_EQ_STR(err.kind, "InvalidHITState");
    CHECK_EQ_INT(TX(hit_update_expiration(&c, rq, h.id, 0, &err)), 0);
    CHECK_EQ_INT(TX(hit_delete(&c, rq, h.id, &err)), 0);
    CHECK_EQ_INT(violations(), 0);
    store_hit_release(&h);
}

static void test_pseudonyms(void)
{
    char p1[16], p2[16], p3[16];
    secrets_pseudonym(sec, rq, wk1, p1);
    secrets_pseudonym(sec, rq, wk1, p2);
    secrets_pseudonym(sec, rq + 100, wk1, p3);
    CHECK_EQ_STR(p1, p2);
    CHECK(strcmp(p1, p3) != 0);
    CHECK(p1[0] == 'A');
}

static void teardown(void)
{
    core_fixture_close();
    CHECK_EQ_INT(violations_seen, 0);
}

CHECK_MAIN(setup, test_deposit_and_funds, test_pay_once, test_expiry_and_return,
           test_auto_approval_and_bonus, test_reviewing_reopens, test_pseudonyms, teardown)
