/* test_timers.c: the core's deadlines and windows (core/timers.c), at their edges. */
#include "../../check.h"
#include <string.h>
#include "core/timers.h"

static void test_deadlines(void)
{
    struct core_config cfg;
    struct core_ctx c = CORE_CTX_INIT(NULL, NULL, &cfg, 1800000000000LL);
    struct hit_type t;

    memset(&t, 0, sizeof t);
    t.duration_s = 60;
    t.auto_approval_s = 3600;
    CHECK(timers_deadline(&c, &t) == c.now_ms + 60000);
    CHECK(timers_auto_approval(&c, &t) == c.now_ms + 3600000);
    CHECK(timers_hit_expiry(&c, 30) == c.now_ms + 30000);
    CHECK(timers_expiry_max(&c) == c.now_ms + 365LL * 24 * 3600 * 1000);
    CHECK(timers_token_since(&c) == c.now_ms - 24LL * 3600 * 1000);
    /* Seconds up to the request bound convert without overflow. */
    CHECK(timers_after_s(0, TIMERS_SECONDS_MAX) > 0);
}

static void test_override_window(void)
{
    struct core_config cfg;
    struct core_ctx c = CORE_CTX_INIT(NULL, NULL, &cfg, 1800000000000LL);
    struct assignment a;

    memset(&a, 0, sizeof a);
    a.submitted_ms = c.now_ms - 30 * TIMERS_DAY_MS;
    CHECK_EQ_INT(timers_override_open(&c, &a), 1); /* exactly 30 days: still open */
    a.submitted_ms--;
    CHECK_EQ_INT(timers_override_open(&c, &a), 0);
}

static void test_token_expiry(void)
{
    int64_t now = 1800000000000LL, ttl = 7 * TIMERS_DAY_MS;
    CHECK(timers_token_expiry(now, ttl) == now + ttl);
    CHECK_EQ_INT(timers_token_expired(now, 0), 0); /* 0: never expires */
    CHECK_EQ_INT(timers_token_expired(now, now + 1), 0);
    CHECK_EQ_INT(timers_token_expired(now, now), 1); /* due at its expiry */
    CHECK_EQ_INT(timers_token_expired(now, now - 1), 1);
}

static void test_token_slides(void)
{
    int64_t now = 1800000000000LL, ttl = 7 * TIMERS_DAY_MS, shortttl = 4000;
    /* A long lifetime: moved on only once a day behind now + ttl. */
    CHECK_EQ_INT(timers_token_slides(now, ttl, now + ttl), 0);
    CHECK_EQ_INT(timers_token_slides(now, ttl, now + ttl - TIMERS_DAY_MS), 0);
    CHECK_EQ_INT(timers_token_slides(now, ttl, now + ttl - TIMERS_DAY_MS - 1), 1);
    /* A short lifetime: a quarter of it. */
    CHECK_EQ_INT(timers_token_slides(now, shortttl, now + 3000), 0);
    CHECK_EQ_INT(timers_token_slides(now, shortttl, now + 2999), 1);
}

static void test_link_expiry(void)
{
    struct core_config cfg;
    struct core_ctx c = CORE_CTX_INIT(NULL, NULL, &cfg, 1800000000999LL);
    CHECK(timers_link_expiry_s(&c, 60) == 1800000000LL + 60); /* whole seconds, down */
}

static void test_auto_approval_due(void)
{
    struct assignment a;
    memset(&a, 0, sizeof a);
    a.auto_approve_ms = 1800000000000LL;
    a.status = ASG_SUBMITTED;
    CHECK(timers_auto_approval_due(&a) == a.auto_approve_ms);
    a.status = ASG_APPROVED;
    CHECK(timers_auto_approval_due(&a) == 0);
    a.status = ASG_ACCEPTED;
    CHECK(timers_auto_approval_due(&a) == 0);
}

static void test_sweep(void)
{
    CHECK(timers_next_sweep(1000, 0) == 1000 + TIMERS_SWEEP_EVERY_MS);
    CHECK(timers_next_sweep(1000, 1) == 1000); /* a full sweep: again at once */
}

CHECK_MAIN(test_deadlines, test_override_window, test_token_expiry, test_token_slides,
           test_link_expiry, test_auto_approval_due, test_sweep)
