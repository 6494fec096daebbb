/* test_asg.c: the assignment state machine (src/core/asg.c) as the store keeps it:
 * accept, submit, return, abandonment at the deadline, approve, reject, override and
 * auto-approval, and the errors for a step from the wrong state or by the wrong account.
 * Statuses are read back through the store. Each case starts from a fresh store
 * (core_fixture_start), so any case runs alone or in any order. */
#include "../../check.h"
#include <string.h>
#include "../core_fixture.h"
#include "core/asg.h"
#include "util/money.h"

#define STATUS(a) core_fixture_asg_status((a).id)

/* A HIT of max assignments of a $1.00 type (auto-approval after autoapp seconds). */
static void make_hit(const struct core_cast *k, int64_t max, int64_t autoapp,
                     struct hit_type *t, struct hit *h)
{
    struct hit_params p = core_fixture_params(max);
    *t = core_fixture_stored_type(k->rq, MONEY_UNIT, autoapp);
    CHECK_EQ_INT(core_fixture_hit(t, &p, h), 0);
}

/* worker accepts h and submits answers into a (the caller releases it). */
static void work(int64_t worker, const struct hit *h, const char *answers, struct assignment *a)
{
    struct ts_error err = {0};
    CHECK_EQ_INT(TX(asg_accept(&c, worker, NULL, h->id, a, &err)), 0);
    CHECK_EQ_INT(TX(submit_text(&c, worker, a->id, answers, &err)), 0);
}

/* By type a worker gets the next HIT not done yet; by id a HIT once at most. */
static void test_accept(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(5 * MONEY_UNIT);
    struct hit_type t;
    struct hit h;
    struct assignment a1, a2, a3;
    int64_t wk3 = account(ROLE_WORKER, "wk3");

    make_hit(&k, 2, 3600, &t, &h);
    CHECK_EQ_INT(TX(asg_accept(&c, k.wk1, t.id, NULL, &a1, &err)), 0);
    CHECK_EQ_STR(a1.hit_id, h.id);
    CHECK_EQ_INT(STATUS(a1), ASG_ACCEPTED);
    CHECK_EQ_INT(a1.deadline_ms, c.now_ms + 60 * 1000);
    /* The same worker cannot take the same HIT again, by id or by type. */
    CHECK_EQ_INT(TX(asg_accept(&c, k.wk1, NULL, h.id, &a2, &err)), TS_ECONFLICT);
    CHECK_EQ_STR(err.kind, "AlreadyWorkedOn");
    CHECK_EQ_INT(TX(asg_accept(&c, k.wk1, t.id, NULL, &a2, &err)), TS_ENOTFOUND);
    CHECK_EQ_STR(err.kind, "NoWorkAvailable");
    CHECK_EQ_INT(TX(asg_accept(&c, k.wk2, t.id, NULL, &a2, &err)), 0);
    /* Both slots held: nobody else gets it. */
    CHECK_EQ_INT(TX(asg_accept(&c, wk3, NULL, h.id, &a3, &err)), TS_ECONFLICT);
    CHECK_EQ_STR(err.kind, "NoWorkAvailable");
    CHECK_EQ_INT(TX(asg_accept(&c, wk3, NULL, "NOSUCHHIT", &a3, &err)), TS_ENOTFOUND);
    CHECK_EQ_STR(err.kind, "HITDoesNotExist");
    store_asg_release(&a1);
    store_asg_release(&a2);
    store_hit_release(&h);
    core_fixture_end();
}

/* Only the assignment's worker submits it, with answers that are a JSON object, once. */
static void test_submit(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(5 * MONEY_UNIT);
    struct hit_type t;
    struct hit h;
    struct assignment a1, a2;

    make_hit(&k, 2, 3600, &t, &h);
    CHECK_EQ_INT(TX(asg_accept(&c, k.wk1, NULL, h.id, &a1, &err)), 0);
    CHECK_EQ_INT(TX(asg_accept(&c, k.wk2, NULL, h.id, &a2, &err)), 0);
    /* wk2 cannot submit wk1's assignment. */
    CHECK_EQ_INT(TX(submit_text(&c, k.wk2, a1.id, "{\"label\":\"cat\"}", &err)), TS_ENOTFOUND);
    CHECK_EQ_INT(TX(submit_text(&c, k.wk1, a1.id, "not json", &err)), TS_EINVAL);
    CHECK_EQ_INT(STATUS(a1), ASG_ACCEPTED);
    CHECK_EQ_INT(TX(submit_text(&c, k.wk1, a1.id, "{\"label\":\"cat\"}", &err)), 0);
    CHECK_EQ_INT(STATUS(a1), ASG_SUBMITTED);
    CHECK_EQ_INT(TX(submit_text(&c, k.wk1, a1.id, "{\"label\":\"cat\"}", &err)), TS_ECONFLICT);
    CHECK_EQ_INT(TX(submit_text(&c, k.wk2, a2.id, "{\"label\":\"dog\"}", &err)), 0);
    CHECK_EQ_INT(STATUS(a2), ASG_SUBMITTED);
    store_asg_release(&a1);
    store_asg_release(&a2);
    store_hit_release(&h);
    core_fixture_end();
}

/* Returning gives the slot back; the worker still may not take that HIT again. */
static void test_return(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(5 * MONEY_UNIT);
    struct hit_type t;
    struct hit h;
    struct assignment a, b;

    make_hit(&k, 1, 3600, &t, &h);
    CHECK_EQ_INT(TX(asg_accept(&c, k.wk1, NULL, h.id, &a, &err)), 0);
    CHECK_EQ_INT(TX(asg_return(&c, k.wk2, a.id, &err)), TS_ENOTFOUND);
    CHECK_EQ_INT(TX(asg_return(&c, k.wk1, a.id, &err)), 0);
    CHECK_EQ_INT(STATUS(a), ASG_RETURNED);
    CHECK_EQ_INT(TX(asg_return(&c, k.wk1, a.id, &err)), TS_ECONFLICT);
    CHECK_EQ_INT(TX(submit_text(&c, k.wk1, a.id, "{\"a\":\"b\"}", &err)), TS_ECONFLICT);
    CHECK_EQ_INT(TX(asg_accept(&c, k.wk1, NULL, h.id, &b, &err)), TS_ECONFLICT);
    CHECK_EQ_INT(TX(asg_accept(&c, k.wk2, NULL, h.id, &b, &err)), 0);
    store_asg_release(&a);
    store_asg_release(&b);
    store_hit_release(&h);
    core_fixture_end();
}

/* Past its deadline an Accepted assignment is Abandoned: by the sweep, or when it is
 * next read. It cannot be submitted then. */
static void test_abandon(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(5 * MONEY_UNIT);
    struct hit_type t;
    struct hit h;
    struct assignment a1, a2, got;
    int done = 0;

    make_hit(&k, 2, 3600, &t, &h);
    CHECK_EQ_INT(TX(asg_accept(&c, k.wk1, NULL, h.id, &a1, &err)), 0);
    CHECK_EQ_INT(TX(asg_accept(&c, k.wk2, NULL, h.id, &a2, &err)), 0);
    c.now_ms += 60 * 1000 - 1; /* not yet */
    CHECK_EQ_INT(TX(asg_sweep(&c, 10, &done, &err)), 0);
    CHECK_EQ_INT(done, 0);
    CHECK_EQ_INT(STATUS(a1), ASG_ACCEPTED);
    c.now_ms += 1;
    CHECK_EQ_INT(TX(asg_get_worker(&c, k.wk1, a1.id, &got, &err)), 0);
    CHECK_EQ_INT(got.status, ASG_ABANDONED);
    store_asg_release(&got);
    CHECK_EQ_INT(STATUS(a1), ASG_ABANDONED);
    CHECK_EQ_INT(STATUS(a2), ASG_ACCEPTED);
    CHECK_EQ_INT(TX(asg_sweep(&c, 10, &done, &err)), 0);
    CHECK_EQ_INT(done, 1);
    CHECK_EQ_INT(STATUS(a2), ASG_ABANDONED);
    CHECK_EQ_INT(TX(submit_text(&c, k.wk2, a2.id, "{\"a\":\"b\"}", &err)), TS_ECONFLICT);
    store_asg_release(&a1);
    store_asg_release(&a2);
    store_hit_release(&h);
    core_fixture_end();
}

/* Approving twice succeeds and changes nothing the second time. */
static void test_approve(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(5 * MONEY_UNIT);
    struct hit_type t;
    struct hit h;
    struct assignment a;

    make_hit(&k, 1, 3600, &t, &h);
    work(k.wk1, &h, "{\"label\":\"cat\"}", &a);
    CHECK_EQ_INT(TX(asg_approve(&c, k.rq, a.id, NULL, 0, &err)), 0);
    CHECK_EQ_INT(STATUS(a), ASG_APPROVED);
    CHECK_EQ_INT(TX(asg_approve(&c, k.rq, a.id, NULL, 0, &err)), 0);
    CHECK_EQ_INT(STATUS(a), ASG_APPROVED);
    store_asg_release(&a);
    store_hit_release(&h);
    core_fixture_end();
}

/* Rejecting needs feedback and may be repeated; an approved assignment cannot be
 * rejected, and a rejected one is approved only with OverrideRejection. */
static void test_reject_and_override(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(5 * MONEY_UNIT);
    struct hit_type t;
    struct hit h;
    struct assignment a1, a2;

    make_hit(&k, 2, 3600, &t, &h);
    work(k.wk1, &h, "{\"label\":\"cat\"}", &a1);
    work(k.wk2, &h, "{\"label\":\"dog\"}", &a2);
    CHECK_EQ_INT(TX(asg_approve(&c, k.rq, a1.id, NULL, 0, &err)), 0);

    CHECK_EQ_INT(TX(asg_reject(&c, k.rq, a2.id, NULL, &err)), TS_EINVAL);
    CHECK_EQ_INT(TX(asg_reject(&c, k.rq, a2.id, "", &err)), TS_EINVAL);
    CHECK_EQ_INT(STATUS(a2), ASG_SUBMITTED);
    CHECK_EQ_INT(TX(asg_reject(&c, k.rq, a2.id, "off topic", &err)), 0);
    CHECK_EQ_INT(STATUS(a2), ASG_REJECTED);
    CHECK_EQ_INT(TX(asg_reject(&c, k.rq, a2.id, "off topic", &err)), 0);
    CHECK_EQ_INT(STATUS(a2), ASG_REJECTED);

    CHECK_EQ_INT(TX(asg_reject(&c, k.rq, a1.id, "late", &err)), TS_ECONFLICT);
    CHECK_EQ_INT(STATUS(a1), ASG_APPROVED);
    CHECK_EQ_INT(TX(asg_approve(&c, k.rq, a2.id, NULL, 0, &err)), TS_ECONFLICT);
    CHECK_EQ_STR(err.kind, "InvalidAssignmentState");
    CHECK_EQ_INT(STATUS(a2), ASG_REJECTED);
    CHECK_EQ_INT(TX(asg_approve(&c, k.rq, a2.id, "sorry", 1, &err)), 0);
    CHECK_EQ_INT(STATUS(a2), ASG_APPROVED);
    store_asg_release(&a1);
    store_asg_release(&a2);
    store_hit_release(&h);
    core_fixture_end();
}

/* A rejection is overridden only within 30 days of the submission. */
static void test_override_window(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(5 * MONEY_UNIT);
    struct hit_type t;
    struct hit h;
    struct assignment a;

    make_hit(&k, 1, 3600, &t, &h);
    work(k.wk1, &h, "{\"x\":\"y\"}", &a);
    CHECK_EQ_INT(TX(asg_reject(&c, k.rq, a.id, "no", &err)), 0);
    c.now_ms += 30LL * 86400 * 1000 + 1;
    CHECK_EQ_INT(TX(asg_approve(&c, k.rq, a.id, "sorry", 1, &err)), TS_ECONFLICT);
    CHECK_EQ_INT(STATUS(a), ASG_REJECTED);
    store_asg_release(&a);
    store_hit_release(&h);
    core_fixture_end();
}

/* Each step from a status that does not allow it is InvalidAssignmentState and changes
 * nothing; another account's assignment does not exist for the caller. */
static void test_wrong_state(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(5 * MONEY_UNIT);
    int64_t rq2 = account(ROLE_REQUESTER, "rq2");
    struct hit_type t;
    struct hit h;
    struct assignment a1, a2;
    struct bonus b;
    char pseud[16];

    make_hit(&k, 2, 3600, &t, &h);
    CHECK_EQ_INT(TX(asg_accept(&c, k.wk1, NULL, h.id, &a1, &err)), 0);
    work(k.wk2, &h, "{\"x\":\"y\"}", &a2);

    /* a1 is Accepted: nothing to review yet. */
    CHECK_EQ_INT(TX(asg_approve(&c, k.rq, a1.id, NULL, 0, &err)), TS_ECONFLICT);
    CHECK_EQ_STR(err.kind, "InvalidAssignmentState");
    CHECK_EQ_INT(TX(asg_approve(&c, k.rq, a1.id, NULL, 1, &err)), TS_ECONFLICT);
    CHECK_EQ_INT(TX(asg_reject(&c, k.rq, a1.id, "no", &err)), TS_ECONFLICT);
    CHECK_EQ_STR(err.kind, "InvalidAssignmentState");
    core_fixture_pseudonym(k.rq, k.wk1, pseud);
    CHECK_EQ_INT(TX(asg_bonus(&c, k.rq, pseud, a1.id, 100000, "early", NULL, &b, &err)),
                 TS_ECONFLICT);
    CHECK_EQ_INT(STATUS(a1), ASG_ACCEPTED);
    /* a2 is Submitted: the worker can no longer return it. */
    CHECK_EQ_INT(TX(asg_return(&c, k.wk2, a2.id, &err)), TS_ECONFLICT);
    CHECK_EQ_STR(err.kind, "InvalidAssignmentState");
    CHECK_EQ_INT(STATUS(a2), ASG_SUBMITTED);
    /* Another requester's, and a worker's own seen by another worker. */
    CHECK_EQ_INT(TX(asg_approve(&c, rq2, a2.id, NULL, 0, &err)), TS_ENOTFOUND);
    CHECK_EQ_STR(err.kind, "AssignmentDoesNotExist");
    CHECK_EQ_INT(TX(asg_reject(&c, rq2, a2.id, "no", &err)), TS_ENOTFOUND);
    CHECK_EQ_INT(TX(asg_return(&c, k.wk2, a1.id, &err)), TS_ENOTFOUND);
    CHECK_EQ_INT(TX(asg_approve(&c, k.rq, "NOSUCHASSIGNMENT", NULL, 0, &err)), TS_ENOTFOUND);
    CHECK_EQ_INT(STATUS(a2), ASG_SUBMITTED);
    CHECK_EQ_INT(STATUS(a1), ASG_ACCEPTED);
    store_asg_release(&a1);
    store_asg_release(&a2);
    store_hit_release(&h);
    core_fixture_end();
}

/* A submission is approved by the sweep once its auto-approval delay has passed. */
static void test_auto_approval(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(5 * MONEY_UNIT);
    struct hit_type t;
    struct hit h, h2;
    struct assignment a, a2;
    int done = 0;

    make_hit(&k, 1, 0, &t, &h); /* auto-approve at once */
    CHECK_EQ_INT(TX(asg_accept(&c, k.wk1, NULL, h.id, &a, &err)), 0);
    CHECK_EQ_INT(TX(submit_text(&c, k.wk1, a.id, "{\"x\":\"y\"}", &err)), 0);
    CHECK_EQ_INT(TX(asg_sweep(&c, 10, &done, &err)), 0);
    CHECK_EQ_INT(done, 1);
    CHECK_EQ_INT(STATUS(a), ASG_APPROVED);

    make_hit(&k, 1, 600, &t, &h2); /* after ten minutes */
    work(k.wk1, &h2, "{\"x\":\"y\"}", &a2);
    c.now_ms += 600 * 1000 - 1;
    CHECK_EQ_INT(TX(asg_sweep(&c, 10, &done, &err)), 0);
    CHECK_EQ_INT(done, 0);
    CHECK_EQ_INT(STATUS(a2), ASG_SUBMITTED);
    c.now_ms += 1;
    CHECK_EQ_INT(TX(asg_sweep(&c, 10, &done, &err)), 0);
    CHECK_EQ_INT(done, 1);
    CHECK_EQ_INT(STATUS(a2), ASG_APPROVED);
    store_asg_release(&a);
    store_asg_release(&a2);
    store_hit_release(&h);
    store_hit_release(&h2);
    core_fixture_end();
}

/* The pseudonym a requester knows a worker by is stable and differs between requesters. */
static void test_pseudonym(void)
{
    struct core_cast k = core_fixture_start(0);
    char p1[16], p2[16], p3[16];

    core_fixture_pseudonym(k.rq, k.wk1, p1);
    core_fixture_pseudonym(k.rq, k.wk1, p2);
    core_fixture_pseudonym(k.rq + 100, k.wk1, p3);
    CHECK_EQ_STR(p1, p2);
    CHECK(strcmp(p1, p3) != 0);
    CHECK(p1[0] == 'A');
    core_fixture_end();
}

/* The state predicates, on every status. */
static void test_state_predicates(void)
{
    struct assignment a;
    memset(&a, 0, sizeof a);
    for (int s = ASG_ACCEPTED; s <= ASG_ABANDONED; s++) {
        a.status = (enum asg_status)s;
        CHECK_EQ_INT(asg_is_finished(&a),
                     s == ASG_SUBMITTED || s == ASG_APPROVED || s == ASG_REJECTED);
        CHECK_EQ_INT(asg_in_progress(&a), s == ASG_ACCEPTED);
        CHECK_EQ_INT((ASG_MASK_FINISHED & ASG_MASK(s)) != 0, asg_is_finished(&a));
    }
}

CHECK_MAIN(test_accept, test_submit, test_return, test_abandon, test_approve,
           test_reject_and_override, test_override_window, test_wrong_state, test_auto_approval,
           test_pseudonym, test_state_predicates)
