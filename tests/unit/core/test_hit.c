/* test_hit.c: HIT types and HITs (src/core/hit.c) as the store keeps them: creation and
 * its refusals, the counters and the status MTurk reports as assignments move, what is
 * available to workers, expiry (by hand and by the sweep), extension, more assignments,
 * Reviewing, and deletion. Each case starts from a fresh store (core_fixture_start), so
 * any case runs alone or in any order. */
#include "../../check.h"
#include "../core_fixture.h"
#include "core/asg.h"
#include "util/money.h"

#define HOUR_MS (3600 * 1000LL)

/* The stored status of HIT id now. */
static enum hit_status status_of(const char *id)
{
    struct hit h = core_fixture_hit_get(id);
    enum hit_status s = hit_status_at(&h, c.now_ms);
    store_hit_release(&h);
    return s;
}

/* A new HIT of max assignments of a $0.10 type; the caller releases h. */
static void make_hit(const struct core_cast *k, int64_t max, struct hit_type *t, struct hit *h)
{
    struct hit_params p = core_fixture_params(max);
    *t = core_fixture_stored_type(k->rq, 100000, 3600);
    CHECK_EQ_INT(core_fixture_hit(t, &p, h), 0);
}

/* A new HIT is stored Assignable with every slot free until its lifetime ends. */
static void test_create(void)
{
    struct core_cast k = core_fixture_start(MONEY_UNIT);
    struct hit_type t;
    struct hit h, got;

    make_hit(&k, 3, &t, &h);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_STR(got.hit_type_id, t.id);
    CHECK_EQ_INT(got.requester_id, k.rq);
    CHECK_EQ_INT(got.max_assignments, 3);
    CHECK_EQ_INT(got.pending + got.submitted + got.approved + got.rejected, 0);
    CHECK_EQ_INT(got.created_ms, c.now_ms);
    CHECK_EQ_INT(got.expires_ms, c.now_ms + HOUR_MS);
    CHECK_EQ_INT(hit_status_at(&got, c.now_ms), HIT_ASSIGNABLE);
    CHECK_EQ_INT(hit_free_slots(&got), 3);
    CHECK_EQ_INT(hit_available_at(&got, c.now_ms), 3);
    CHECK_EQ_INT(hit_available_at(&got, got.expires_ms), 0);
    CHECK_EQ_INT(hit_status_at(&got, got.expires_ms), HIT_REVIEWABLE);
    CHECK_EQ_INT(hit_slot_cost(&got), 120000);
    store_hit_release(&got);
    store_hit_release(&h);
    core_fixture_end();
}

/* Bad parameters and a repeated UniqueRequestToken are refused, and no HIT is made. */
static void test_create_refused(void)
{
    static const struct {
        int64_t max, lifetime_s;
        const char *token;
        int rc;
    } cases[] = {
        {0, 3600, NULL, TS_EINVAL},     /* no assignment */
        {3, 29, NULL, TS_EINVAL},       /* a lifetime under 30 s */
        {3, 31536001, NULL, TS_EINVAL}, /* over a year */
        {3, 3600, "", TS_EINVAL},       /* an empty token */
        {3, 3600, "tok", 0},
        {3, 3600, "tok", TS_EDUPLICATE},
    };
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(MONEY_UNIT);
    struct hit_type t = core_fixture_stored_type(k.rq, 100000, 3600);
    struct hit h;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct hit_params p = core_fixture_params(cases[i].max);
        p.lifetime_s = cases[i].lifetime_s;
        p.unique_token = cases[i].token;
        memset(&err, 0, sizeof err);
        CHECK_EQ_INT(TX(hit_create(&c, &t, &p, &h, &err)), cases[i].rc);
        if (cases[i].rc == TS_EDUPLICATE)
            CHECK_EQ_STR(err.kind, "HitAlreadyExists");
        if (!cases[i].rc)
            store_hit_release(&h);
    }
    /* Only the one good HIT holds money. */
    CHECK_EQ_INT(core_fixture_balance(k.rq, LEDGER_ESCROW), 360000);
    core_fixture_end();
}

/* A type with the same properties is the same type; another requester's is not found. */
static void test_types(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(0);
    int64_t rq2 = account(ROLE_REQUESTER, "rq2");
    struct hit_type t1 = core_fixture_stored_type(k.rq, 100000, 3600);
    struct hit_type t2 = core_fixture_stored_type(k.rq, 100000, 3600);
    struct hit_type t3 = core_fixture_stored_type(k.rq, 200000, 3600);
    struct hit_type bad = core_fixture_type(k.rq, "", "Label one thing", 100000, 60, 3600);
    struct hit_type got;
    char id[STORE_ID_MAX];

    CHECK_EQ_STR(t1.id, t2.id);
    CHECK(strcmp(t1.id, t3.id) != 0);
    CHECK_EQ_INT(TX(hit_type_create(&c, &bad, id, &err)), TS_EINVAL); /* no title */
    CHECK_EQ_INT(TX(hit_type_get_owned(&c, k.rq, t1.id, &got, &err)), 0);
    CHECK_EQ_INT(got.reward, 100000);
    store_hit_type_release(&got);
    CHECK_EQ_INT(TX(hit_type_get_owned(&c, rq2, t1.id, &got, &err)), TS_ENOTFOUND);
    CHECK_EQ_STR(err.kind, "HITTypeDoesNotExist");
    core_fixture_end();
}

/* The four counters and the status follow the assignments. */
static void test_counters(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(MONEY_UNIT);
    struct hit_type t;
    struct hit h, got;
    struct assignment a1, a2;

    make_hit(&k, 2, &t, &h);
    CHECK_EQ_INT(TX(asg_accept(&c, k.wk1, t.id, NULL, &a1, &err)), 0);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_INT(got.pending, 1);
    CHECK_EQ_INT(hit_available_at(&got, c.now_ms), 1);
    CHECK_EQ_INT(hit_status_at(&got, c.now_ms), HIT_ASSIGNABLE);
    store_hit_release(&got);
    CHECK_EQ_INT(TX(asg_accept(&c, k.wk2, t.id, NULL, &a2, &err)), 0);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_INT(got.pending, 2);
    CHECK_EQ_INT(hit_available_at(&got, c.now_ms), 0);
    CHECK_EQ_INT(hit_status_at(&got, c.now_ms), HIT_UNASSIGNABLE);
    store_hit_release(&got);

    CHECK_EQ_INT(TX(submit_text(&c, k.wk1, a1.id, "{\"label\":\"cat\"}", &err)), 0);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_INT(got.pending, 1);
    CHECK_EQ_INT(got.submitted, 1);
    CHECK_EQ_INT(hit_status_at(&got, c.now_ms), HIT_UNASSIGNABLE);
    store_hit_release(&got);
    CHECK_EQ_INT(TX(submit_text(&c, k.wk2, a2.id, "{\"label\":\"dog\"}", &err)), 0);
    CHECK_EQ_INT(status_of(h.id), HIT_REVIEWABLE);

    CHECK_EQ_INT(TX(asg_approve(&c, k.rq, a1.id, NULL, 0, &err)), 0);
    CHECK_EQ_INT(TX(asg_reject(&c, k.rq, a2.id, "no", &err)), 0);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_INT(got.pending, 0);
    CHECK_EQ_INT(got.submitted, 0);
    CHECK_EQ_INT(got.approved, 1);
    CHECK_EQ_INT(got.rejected, 1);
    CHECK_EQ_INT(hit_status_at(&got, c.now_ms), HIT_REVIEWABLE);
    store_hit_release(&got);
    /* An override moves the count from rejected to approved. */
    CHECK_EQ_INT(TX(asg_approve(&c, k.rq, a2.id, "sorry", 1, &err)), 0);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_INT(got.approved, 2);
    CHECK_EQ_INT(got.rejected, 0);
    store_hit_release(&got);
    store_asg_release(&a1);
    store_asg_release(&a2);
    store_hit_release(&h);
    core_fixture_end();
}

/* A returned or abandoned assignment frees its slot: the HIT is Assignable again. */
static void test_slot_freed(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(MONEY_UNIT);
    struct hit_type t;
    struct hit h, got;
    struct assignment a1, a2;
    int done = 0;

    make_hit(&k, 1, &t, &h);
    CHECK_EQ_INT(TX(asg_accept(&c, k.wk1, NULL, h.id, &a1, &err)), 0);
    CHECK_EQ_INT(status_of(h.id), HIT_UNASSIGNABLE);
    CHECK_EQ_INT(TX(asg_return(&c, k.wk1, a1.id, &err)), 0);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_INT(got.pending, 0);
    CHECK_EQ_INT(hit_available_at(&got, c.now_ms), 1);
    CHECK_EQ_INT(hit_status_at(&got, c.now_ms), HIT_ASSIGNABLE);
    store_hit_release(&got);
    CHECK_EQ_INT(TX(asg_accept(&c, k.wk2, NULL, h.id, &a2, &err)), 0);
    c.now_ms += 61 * 1000;
    CHECK_EQ_INT(TX(asg_sweep(&c, 10, &done, &err)), 0);
    CHECK_EQ_INT(done, 1);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_INT(got.pending, 0);
    CHECK_EQ_INT(hit_status_at(&got, c.now_ms), HIT_ASSIGNABLE);
    store_hit_release(&got);
    store_asg_release(&a1);
    store_asg_release(&a2);
    store_hit_release(&h);
    core_fixture_end();
}

/* Expiring by hand with work pending, the deadline passing, extending, and deleting. */
static void test_expire_extend_delete(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(MONEY_UNIT);
    struct hit_type t;
    struct hit h, got;
    struct assignment a;
    int done = 0;

    make_hit(&k, 3, &t, &h);
    CHECK_EQ_INT(TX(asg_accept(&c, k.wk2, NULL, h.id, &a, &err)), 0);
    CHECK_EQ_INT(TX(hit_update_expiration(&c, k.rq, h.id, 0, &err)), 0);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_INT(got.expired, 1);
    CHECK_EQ_INT(got.expires_ms, c.now_ms);
    CHECK_EQ_INT(hit_available_at(&got, c.now_ms), 0);
    CHECK_EQ_INT(hit_status_at(&got, c.now_ms), HIT_UNASSIGNABLE);
    store_hit_release(&got);
    /* Deleting with work pending is refused. */
    CHECK_EQ_INT(TX(hit_delete(&c, k.rq, h.id, &err)), TS_ECONFLICT);

    c.now_ms += 61 * 1000;
    CHECK_EQ_INT(TX(asg_sweep(&c, 10, &done, &err)), 0);
    CHECK_EQ_INT(done, 1);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_INT(got.pending, 0);
    CHECK_EQ_INT(hit_status_at(&got, c.now_ms), HIT_REVIEWABLE);
    store_hit_release(&got);

    /* Extending makes it Assignable; deleting then is refused. */
    CHECK_EQ_INT(TX(hit_update_expiration(&c, k.rq, h.id, c.now_ms + HOUR_MS, &err)), 0);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_INT(got.expired, 0);
    CHECK_EQ_INT(got.expires_ms, c.now_ms + HOUR_MS);
    CHECK_EQ_INT(hit_status_at(&got, c.now_ms), HIT_ASSIGNABLE);
    store_hit_release(&got);
    CHECK_EQ_INT(TX(hit_delete(&c, k.rq, h.id, &err)), TS_ECONFLICT);
    CHECK_EQ_STR(err.kind, "InvalidHITState");
    CHECK_EQ_INT(TX(hit_update_expiration(&c, k.rq, h.id, 0, &err)), 0);
    CHECK_EQ_INT(TX(hit_delete(&c, k.rq, h.id, &err)), 0);
    CHECK_EQ_INT(TX(hit_get_owned(&c, k.rq, h.id, &got, &err)), TS_ENOTFOUND);
    CHECK_EQ_STR(err.kind, "HITDoesNotExist");
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_INT(got.disposed, 1);
    CHECK_EQ_INT(hit_status_at(&got, c.now_ms), HIT_DISPOSED);
    store_hit_release(&got);
    /* A deleted HIT is gone for workers and for its requester. */
    store_asg_release(&a);
    CHECK_EQ_INT(TX(asg_accept(&c, k.wk1, NULL, h.id, &a, &err)), TS_ENOTFOUND);
    CHECK_EQ_INT(TX(hit_delete(&c, k.rq, h.id, &err)), TS_ENOTFOUND);
    store_asg_release(&a);
    store_hit_release(&h);
    core_fixture_end();
}

/* An expiry nobody asked about is processed by the sweep, once. */
static void test_sweep_expiry(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(MONEY_UNIT);
    struct hit_type t;
    struct hit h, got;
    int done = 0;

    make_hit(&k, 2, &t, &h);
    c.now_ms += HOUR_MS - 1;
    CHECK_EQ_INT(TX(hit_sweep(&c, 10, &done, &err)), 0);
    CHECK_EQ_INT(done, 0);
    c.now_ms += 1;
    CHECK_EQ_INT(TX(hit_sweep(&c, 10, &done, &err)), 0);
    CHECK_EQ_INT(done, 1);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_INT(got.expired, 1);
    CHECK_EQ_INT(got.escrow, 0);
    CHECK_EQ_INT(hit_status_at(&got, c.now_ms), HIT_REVIEWABLE);
    store_hit_release(&got);
    CHECK_EQ_INT(TX(hit_sweep(&c, 10, &done, &err)), 0);
    CHECK_EQ_INT(done, 0);
    CHECK_EQ_INT(TX(hit_delete(&c, k.rq, h.id, &err)), 0);
    store_hit_release(&h);
    core_fixture_end();
}

/* Another requester's HIT does not exist for the caller; a date over a year ahead is
 * refused; both change nothing. */
static void test_update_refused(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(MONEY_UNIT);
    int64_t rq2 = account(ROLE_REQUESTER, "rq2");
    struct hit_type t;
    struct hit h, got;

    make_hit(&k, 1, &t, &h);
    CHECK_EQ_INT(TX(hit_update_expiration(&c, rq2, h.id, 0, &err)), TS_ENOTFOUND);
    CHECK_EQ_INT(TX(hit_add_assignments(&c, rq2, h.id, 1, NULL, &err)), TS_ENOTFOUND);
    CHECK_EQ_INT(TX(hit_delete(&c, rq2, h.id, &err)), TS_ENOTFOUND);
    CHECK_EQ_INT(TX(hit_get_owned(&c, rq2, h.id, &got, &err)), TS_ENOTFOUND);
    CHECK_EQ_INT(TX(hit_update_expiration(&c, k.rq, h.id, c.now_ms + 366 * 24 * HOUR_MS,
                                          &err)),
                 TS_EINVAL);
    CHECK_EQ_INT(TX(hit_add_assignments(&c, k.rq, h.id, 0, NULL, &err)), TS_EINVAL);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_INT(got.expires_ms, h.expires_ms);
    CHECK_EQ_INT(got.max_assignments, 1);
    CHECK_EQ_INT(hit_status_at(&got, c.now_ms), HIT_ASSIGNABLE);
    store_hit_release(&got);
    store_hit_release(&h);
    core_fixture_end();
}

/* More assignments count at once; a repeated UniqueRequestToken adds nothing. */
static void test_add_assignments(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(MONEY_UNIT);
    struct hit_type t;
    struct hit h, got;
    struct assignment a;

    make_hit(&k, 1, &t, &h);
    CHECK_EQ_INT(TX(asg_accept(&c, k.wk1, NULL, h.id, &a, &err)), 0);
    CHECK_EQ_INT(status_of(h.id), HIT_UNASSIGNABLE);
    CHECK_EQ_INT(TX(hit_add_assignments(&c, k.rq, h.id, 2, "more", &err)), 0);
    CHECK_EQ_INT(TX(hit_add_assignments(&c, k.rq, h.id, 2, "more", &err)), TS_EDUPLICATE);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_INT(got.max_assignments, 3);
    CHECK_EQ_INT(hit_available_at(&got, c.now_ms), 2);
    CHECK_EQ_INT(hit_status_at(&got, c.now_ms), HIT_ASSIGNABLE);
    store_hit_release(&got);
    store_asg_release(&a);
    store_hit_release(&h);
    core_fixture_end();
}

/* A Reviewing HIT given more assignments goes back to Assignable; DeleteHIT on it is a
 * state error, not a crash; once expired again it can be deleted. */
static void test_reviewing_reopens(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(MONEY_UNIT);
    struct hit_type t;
    struct hit h, got;
    struct assignment a;

    make_hit(&k, 1, &t, &h);
    CHECK_EQ_INT(TX(hit_set_reviewing(&c, k.rq, h.id, 0, &err)), TS_ECONFLICT); /* Assignable */
    CHECK_EQ_INT(TX(asg_accept(&c, k.wk1, NULL, h.id, &a, &err)), 0);
    CHECK_EQ_INT(TX(submit_text(&c, k.wk1, a.id, "{\"a\":\"b\"}", &err)), 0);
    CHECK_EQ_INT(TX(asg_approve(&c, k.rq, a.id, NULL, 0, &err)), 0);
    store_asg_release(&a);
    CHECK_EQ_INT(TX(hit_set_reviewing(&c, k.rq, h.id, 1, &err)), TS_ECONFLICT); /* not yet */
    CHECK_EQ_INT(TX(hit_set_reviewing(&c, k.rq, h.id, 0, &err)), 0);
    CHECK_EQ_INT(status_of(h.id), HIT_REVIEWING);
    CHECK_EQ_INT(TX(hit_set_reviewing(&c, k.rq, h.id, 1, &err)), 0);
    CHECK_EQ_INT(status_of(h.id), HIT_REVIEWABLE);
    CHECK_EQ_INT(TX(hit_set_reviewing(&c, k.rq, h.id, 0, &err)), 0);

    CHECK_EQ_INT(TX(hit_add_assignments(&c, k.rq, h.id, 2, NULL, &err)), 0);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_INT(hit_status_at(&got, c.now_ms), HIT_ASSIGNABLE);
    CHECK_EQ_INT(got.escrow, 240000);
    store_hit_release(&got);
    CHECK_EQ_INT(TX(hit_delete(&c, k.rq, h.id, &err)), TS_ECONFLICT);
    CHECK_EQ_STR(err.kind, "InvalidHITState");
    CHECK_EQ_INT(TX(hit_update_expiration(&c, k.rq, h.id, 0, &err)), 0);
    CHECK_EQ_INT(TX(hit_delete(&c, k.rq, h.id, &err)), 0);
    store_hit_release(&h);
    core_fixture_end();
}

CHECK_MAIN(test_create, test_create_refused, test_types, test_counters, test_slot_freed,
           test_expire_extend_delete, test_sweep_expiry, test_update_refused,
           test_add_assignments, test_reviewing_reopens)
