/* test_pay.c: pay measured per hour (core/pay.c): the work time of an assignment, and
 * effective hourly pay in integer micro-units, truncated, with 0 for what is unknown.
 * The fixture case runs a real accept and submit on a fresh store. */
#include "core/pay.h"

#include <stdint.h>
#include <string.h>

#include "../../check.h"
#include "../core_fixture.h"
#include "core/asg.h"
#include "core/ledger.h"
#include "util/money.h"
#include "util/banned.h"

static void test_hourly_table(void)
{
    static const struct {
        int64_t reward, work_ms, want;
    } cases[] = {
        {MONEY_UNIT, 300000, 12 * MONEY_UNIT},  /* $1.00 in 5 minutes: $12.00/h */
        {MONEY_UNIT, PAY_HOUR_MS, MONEY_UNIT},  /* an hour's work */
        {50000, 90000, 2 * MONEY_UNIT},         /* $0.05 in 90 s: $2.00/h */
        {1, 7, 514285},                         /* 3600000 / 7 = 514285.71: truncated */
        {2 * MONEY_UNIT, 7 * 60000, 17142857},  /* $2.00 in 7 min: 17.1428571...: truncated */
        {0, 300000, 0},                         /* nothing earned */
        {MONEY_UNIT, 0, 0},                     /* no measured time: unknown */
        {MONEY_UNIT, -5, 0},                    /* a clock set back: unknown */
        /* The largest reward whose product with an hour fits, and the next, which does not
         * (about $2.56 million: unknown). */
        {INT64_MAX / PAY_HOUR_MS, PAY_HOUR_MS, INT64_MAX / PAY_HOUR_MS},
        {INT64_MAX / PAY_HOUR_MS + 1, PAY_HOUR_MS, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t got = pay_hourly(cases[i].reward, cases[i].work_ms);
        if (got != cases[i].want)
            fprintf(stderr, "case %zu: reward %lld over %lld ms\n", i,
                    (long long)cases[i].reward, (long long)cases[i].work_ms);
        CHECK_EQ_INT(got, cases[i].want);
    }
}

static void test_work_ms(void)
{
    struct assignment a;
    memset(&a, 0, sizeof a);
    a.accepted_ms = 1000;
    CHECK_EQ_INT(pay_work_ms(&a), 0); /* not submitted: no time yet */
    a.submitted_ms = 1000;
    CHECK_EQ_INT(pay_work_ms(&a), 0);
    a.submitted_ms = 301000;
    CHECK_EQ_INT(pay_work_ms(&a), 300000);
}

/* Accepted at t = 0 and submitted at t = 300 s, for a reward of $1.00: the worker was
 * paid exactly $12.00 per hour. */
static void test_accept_submit_fixture(void)
{
    struct ts_error err = {0};
    struct hit h;
    struct assignment a, got;
    struct hit_params p = core_fixture_params(1);

    core_fixture_open();
    int64_t rq = account(ROLE_REQUESTER, "rq"), wk = account(ROLE_WORKER, "wk");
    struct hit_type t = core_fixture_type(rq, "Label", "Label one thing", MONEY_UNIT, 600, 3600);
    int64_t t0 = c.now_ms;
    CHECK_EQ_INT(TX(ledger_deposit(&c, rq, 5 * MONEY_UNIT, &err)), 0);
    core_fixture_type_create(&t);
    CHECK_EQ_INT(TX(hit_create(&c, &t, &p, &h, &err)), 0);
    CHECK_EQ_INT(TX(asg_accept(&c, wk, NULL, h.id, &a, &err)), 0);
    c.now_ms = t0 + 300 * 1000;
    CHECK_EQ_INT(TX(submit_text(&c, wk, a.id, "{\"label\":\"cat\"}", &err)), 0);
    CHECK_EQ_INT(TX(asg_get_worker(&c, wk, a.id, &got, &err)), 0);
    CHECK_EQ_INT(got.accepted_ms, t0);
    CHECK_EQ_INT(pay_work_ms(&got), 300000);
    CHECK_EQ_INT(pay_hourly(h.reward, pay_work_ms(&got)), 12 * MONEY_UNIT);
    store_asg_release(&got);
    store_asg_release(&a);
    store_hit_release(&h);
    core_fixture_close_checked();
}

CHECK_MAIN(test_hourly_table, test_work_ms, test_accept_submit_fixture)
