/* test_qc.c: quality control as the core runs it on submit and review (src/core/qc.c,
 * docs/internals/qc.md): gold HITs (their consensus, the workers' gold scores, how
 * AcceptWork by type mixes them in), the live consensus of a HIT's answers, and dynamic
 * overlap (a slot at a time until the answers agree, the unused slots' escrow given
 * back). Results are read back through the store. Each case starts from a fresh store
 * (core_fixture_start), so any case runs alone or in any order. */
#include "../../check.h"
#include <string.h>
#include "../core_fixture.h"
#include "core/asg.h"
#include "core/qc.h"
#include "util/money.h"

#define BAL(owner, kind) core_fixture_balance(owner, kind)
/* The one-coin model's posteriors with workers of no gold answer (accuracy 0.7) and two
 * labels: one answer 0.7; two that agree 0.49 / (0.49 + 0.09). */
#define NEAR(x, y) ((x) > (y)-1e-6 && (x) < (y) + 1e-6)

/* A batch of the requester's type t with quality settings: label field "label", a gold
 * rate, and dynamic overlap's MinAssignments and confidence threshold (ppm). */
static void make_batch(const struct core_cast *k, const struct hit_type *t, int64_t gold_ppm,
                       int64_t min, int64_t confidence_ppm, struct batch *b)
{
    struct ts_error err = {0};
    memset(b, 0, sizeof *b);
    secrets_id_new(b->id);
    b->requester_id = k->rq;
    memcpy(b->hit_type_id, t->id, STORE_ID_MAX);
    b->hits = 1;
    b->created_ms = c.now_ms;
    snprintf(b->label_field, sizeof b->label_field, "label");
    b->gold_rate_ppm = gold_ppm;
    b->min_assignments = min;
    b->confidence_ppm = confidence_ppm;
    CHECK_EQ_INT(TX(store_batch_insert(st, b, &err)), 0);
}

/* A HIT of batch b: gold (known answer) or NULL; max assignments, or with overlap_max >
 * 0 dynamic overlap from max up to overlap_max. */
static void make_hit(const struct hit_type *t, const struct batch *b, const char *gold,
                     int64_t max, int64_t overlap_max, struct hit *h)
{
    struct hit_params p = core_fixture_params(max);
    p.batch_id = b->id;
    p.qc = 1;
    p.gold = gold;
    p.overlap_max = overlap_max;
    CHECK_EQ_INT(core_fixture_hit(t, &p, h), 0);
}

/* worker answers label on h (accepted by id); a is filled (the caller releases it). */
static void answer(int64_t worker, const struct hit *h, const char *label, struct assignment *a)
{
    struct ts_error err = {0};
    char json[64];
    snprintf(json, sizeof json, "{\"label\":\"%s\"}", label);
    CHECK_EQ_INT(TX(asg_accept(&c, worker, NULL, h->id, a, &err)), 0);
    CHECK_EQ_INT(TX(submit_text(&c, worker, a->id, json, &err)), 0);
}

/* An answer without the batch's label field is refused and changes nothing. */
static void test_label_required(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(MONEY_UNIT);
    struct hit_type t = core_fixture_stored_type(k.rq, 100000, 3600);
    struct batch b;
    struct hit h, got;
    struct assignment a;

    make_batch(&k, &t, 0, 0, 950000, &b);
    make_hit(&t, &b, NULL, 1, 0, &h);
    CHECK_EQ_INT(TX(asg_accept(&c, k.wk1, NULL, h.id, &a, &err)), 0);
    CHECK_EQ_INT(TX(submit_text(&c, k.wk1, a.id, "{\"other\":\"cat\"}", &err)), TS_EINVAL);
    CHECK(strstr(err.msg, "\"label\"") != NULL);
    CHECK_EQ_INT(TX(submit_text(&c, k.wk1, a.id, "{\"label\":\"\"}", &err)), TS_EINVAL);
    CHECK_EQ_INT(core_fixture_asg_status(a.id), ASG_ACCEPTED);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_INT(got.pending, 1);
    CHECK_EQ_INT(got.submitted, 0);
    CHECK(got.consensus == NULL);
    store_hit_release(&got);
    CHECK_EQ_INT(TX(submit_text(&c, k.wk1, a.id, "{\"label\":\"cat\",\"other\":\"x\"}", &err)), 0);
    store_asg_release(&a);
    store_batch_release(&b);
    store_hit_release(&h);
    core_fixture_end();
}

/* A gold HIT's consensus is its known answer, certain; each answer to it scores its
 * worker, right or wrong. */
static void test_gold_scores(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(MONEY_UNIT);
    struct hit_type t = core_fixture_stored_type(k.rq, 100000, 3600);
    struct batch b;
    struct hit h, got;
    struct assignment a1, a2;
    int64_t seen = -1, correct = -1;

    make_batch(&k, &t, 0, 0, 950000, &b);
    make_hit(&t, &b, "cat", 3, 0, &h);
    answer(k.wk1, &h, "cat", &a1);
    answer(k.wk2, &h, "dog", &a2);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_STR(got.consensus, "cat");
    CHECK(NEAR(got.confidence, 1.0));
    store_hit_release(&got);
    CHECK_EQ_INT(TX(store_worker_gold_get(st, b.id, k.wk1, &seen, &correct, &err)), 0);
    CHECK_EQ_INT(seen, 1);
    CHECK_EQ_INT(correct, 1);
    CHECK_EQ_INT(TX(store_worker_gold_get(st, b.id, k.wk2, &seen, &correct, &err)), 0);
    CHECK_EQ_INT(seen, 1);
    CHECK_EQ_INT(correct, 0);
    /* Gold answers are work, paid like any other. */
    CHECK_EQ_INT(TX(asg_approve(&c, k.rq, a2.id, NULL, 0, &err)), 0);
    CHECK_EQ_INT(BAL(k.wk2, LEDGER_EARNINGS), 100000);
    store_asg_release(&a1);
    store_asg_release(&a2);
    store_batch_release(&b);
    store_hit_release(&h);
    core_fixture_end();
}

/* AcceptWork by type gives the HIT without a known answer first at a gold rate of 0, a
 * gold HIT when no other is left, and the gold HIT first at a rate of 1. */
static void test_gold_mixing(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(MONEY_UNIT);
    struct hit_type t = core_fixture_stored_type(k.rq, 100000, 3600);
    struct hit_type t2 = core_fixture_stored_type(k.rq, 100000, 1800);
    struct batch b, b2;
    struct hit gold, plain, gold2, plain2;
    struct assignment a;

    make_batch(&k, &t, 0, 0, 950000, &b);
    make_hit(&t, &b, "cat", 2, 0, &gold); /* made first: the order is not what decides */
    make_hit(&t, &b, NULL, 2, 0, &plain);
    CHECK_EQ_INT(TX(asg_accept(&c, k.wk1, t.id, NULL, &a, &err)), 0);
    CHECK_EQ_STR(a.hit_id, plain.id);
    store_asg_release(&a);
    CHECK_EQ_INT(TX(asg_accept(&c, k.wk1, t.id, NULL, &a, &err)), 0);
    CHECK_EQ_STR(a.hit_id, gold.id);
    store_asg_release(&a);
    CHECK_EQ_INT(TX(asg_accept(&c, k.wk1, t.id, NULL, &a, &err)), TS_ENOTFOUND);

    make_batch(&k, &t2, 1000000, 0, 950000, &b2);
    make_hit(&t2, &b2, NULL, 2, 0, &plain2);
    make_hit(&t2, &b2, "dog", 2, 0, &gold2);
    CHECK_EQ_INT(TX(asg_accept(&c, k.wk2, t2.id, NULL, &a, &err)), 0);
    CHECK_EQ_STR(a.hit_id, gold2.id);
    store_asg_release(&a);
    CHECK_EQ_INT(TX(asg_accept(&c, k.wk2, t2.id, NULL, &a, &err)), 0);
    CHECK_EQ_STR(a.hit_id, plain2.id);
    store_asg_release(&a);
    store_batch_release(&b);
    store_batch_release(&b2);
    store_hit_release(&gold);
    store_hit_release(&plain);
    store_hit_release(&gold2);
    store_hit_release(&plain2);
    core_fixture_end();
}

/* The consensus follows the answers that count: each submission, a rejection (which
 * takes an answer out) and an override (which puts it back). Ties go to the label that
 * sorts first. */
static void test_live_consensus(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(MONEY_UNIT);
    int64_t wk3 = account(ROLE_WORKER, "wk3");
    struct hit_type t = core_fixture_stored_type(k.rq, 100000, 3600);
    struct batch b, gotb;
    struct hit h, got;
    struct assignment a1, a2, a3;

    make_batch(&k, &t, 0, 0, 950000, &b);
    make_hit(&t, &b, NULL, 3, 0, &h);
    answer(k.wk1, &h, "dog", &a1);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_STR(got.consensus, "dog");
    CHECK(NEAR(got.confidence, 0.7));
    store_hit_release(&got);
    answer(k.wk2, &h, "cat", &a2);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_STR(got.consensus, "cat"); /* a tie */
    CHECK(NEAR(got.confidence, 0.5));
    store_hit_release(&got);
    answer(wk3, &h, "dog", &a3);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_STR(got.consensus, "dog");
    CHECK(NEAR(got.confidence, 0.7));
    store_hit_release(&got);

    CHECK_EQ_INT(TX(asg_reject(&c, k.rq, a3.id, "no", &err)), 0);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_STR(got.consensus, "cat");
    CHECK(NEAR(got.confidence, 0.5));
    store_hit_release(&got);
    CHECK_EQ_INT(TX(asg_approve(&c, k.rq, a3.id, "sorry", 1, &err)), 0);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_STR(got.consensus, "dog");
    store_hit_release(&got);
    /* An approval changes nothing of which answers count. */
    CHECK_EQ_INT(TX(asg_approve(&c, k.rq, a1.id, NULL, 0, &err)), 0);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_STR(got.consensus, "dog");
    CHECK(NEAR(got.confidence, 0.7));
    store_hit_release(&got);
    /* The batch remembers the labels answered. */
    CHECK_EQ_INT(TX(store_batch_get(st, b.id, &gotb, &err)), 0);
    CHECK(gotb.labels_json && strstr(gotb.labels_json, "\"dog\"") &&
          strstr(gotb.labels_json, "\"cat\""));
    store_batch_release(&gotb);
    store_asg_release(&a1);
    store_asg_release(&a2);
    store_asg_release(&a3);
    store_batch_release(&b);
    store_hit_release(&h);
    core_fixture_end();
}

/* Dynamic overlap from 1 up to 3 assignments at a threshold of 0.8: the HIT holds all
 * three slots from creation; one answer (0.7) opens a second slot; a second answer that
 * agrees (0.845) closes the HIT and gives the third slot's escrow back. */
static void test_overlap_grows_then_closes(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(MONEY_UNIT);
    int64_t wk3 = account(ROLE_WORKER, "wk3");
    struct hit_type t = core_fixture_stored_type(k.rq, 100000, 3600); /* slot $0.12 */
    struct batch b;
    struct hit h, got;
    struct assignment a1, a2, a3;

    make_batch(&k, &t, 0, 1, 800000, &b);
    make_hit(&t, &b, NULL, 1, 3, &h);
    CHECK_EQ_INT(h.escrow, 360000);
    CHECK_EQ_INT(hit_reserve_slots(&h), 2);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_AVAILABLE), MONEY_UNIT - 360000);
    /* It grows by itself: more assignments by hand are refused. */
    CHECK_EQ_INT(TX(hit_add_assignments(&c, k.rq, h.id, 1, NULL, &err)), TS_ECONFLICT);

    answer(k.wk1, &h, "cat", &a1);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_INT(got.max_assignments, 2);
    CHECK_EQ_INT(got.overlap_max, 3);
    CHECK_EQ_INT(got.escrow, 360000);
    CHECK_EQ_INT(hit_status_at(&got, c.now_ms), HIT_ASSIGNABLE);
    store_hit_release(&got);

    answer(k.wk2, &h, "cat", &a2);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_STR(got.consensus, "cat");
    CHECK(got.confidence >= 0.8);
    CHECK_EQ_INT(got.max_assignments, 2);
    CHECK_EQ_INT(got.overlap_max, 0);
    CHECK_EQ_INT(got.escrow, 240000);
    CHECK_EQ_INT(hit_status_at(&got, c.now_ms), HIT_REVIEWABLE);
    store_hit_release(&got);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_AVAILABLE), MONEY_UNIT - 240000);
    CHECK_EQ_INT(TX(asg_accept(&c, wk3, NULL, h.id, &a3, &err)), TS_ECONFLICT);
    store_asg_release(&a1);
    store_asg_release(&a2);
    store_batch_release(&b);
    store_hit_release(&h);
    core_fixture_end();
}

/* Answers that never agree enough stop at the maximum; a slot opens only when every
 * open one is answered, not while one is still being worked on. */
static void test_overlap_stops_at_max(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(MONEY_UNIT);
    int64_t wk3 = account(ROLE_WORKER, "wk3");
    struct hit_type t = core_fixture_stored_type(k.rq, 100000, 3600);
    struct batch b;
    struct hit h, got;
    struct assignment a1, a2, a3;

    make_batch(&k, &t, 0, 2, 1000000, &b); /* certainty: never reached */
    make_hit(&t, &b, NULL, 2, 3, &h);
    CHECK_EQ_INT(TX(asg_accept(&c, k.wk2, NULL, h.id, &a2, &err)), 0);
    answer(k.wk1, &h, "cat", &a1);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_INT(got.max_assignments, 2); /* wk2 is still at work */
    store_hit_release(&got);
    CHECK_EQ_INT(TX(submit_text(&c, k.wk2, a2.id, "{\"label\":\"dog\"}", &err)), 0);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_INT(got.max_assignments, 3);
    store_hit_release(&got);
    answer(wk3, &h, "dog", &a3);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_INT(got.max_assignments, 3);
    CHECK_EQ_INT(hit_reserve_slots(&got), 0);
    CHECK_EQ_STR(got.consensus, "dog");
    CHECK(got.confidence < 1.0);
    CHECK_EQ_INT(got.escrow, 360000);
    CHECK_EQ_INT(hit_status_at(&got, c.now_ms), HIT_REVIEWABLE);
    store_hit_release(&got);
    store_asg_release(&a1);
    store_asg_release(&a2);
    store_asg_release(&a3);
    store_batch_release(&b);
    store_hit_release(&h);
    core_fixture_end();
}

/* Expiry gives back the reserve slots' escrow with the free slots'. */
static void test_overlap_expiry(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(MONEY_UNIT);
    struct hit_type t = core_fixture_stored_type(k.rq, 100000, 3600);
    struct batch b;
    struct hit h, got;
    struct assignment a;

    make_batch(&k, &t, 0, 1, 950000, &b);
    make_hit(&t, &b, NULL, 1, 4, &h);
    answer(k.wk1, &h, "cat", &a); /* 0.7: a second slot opens */
    CHECK_EQ_INT(TX(hit_update_expiration(&c, k.rq, h.id, 0, &err)), 0);
    got = core_fixture_hit_get(h.id);
    CHECK_EQ_INT(got.escrow, 120000); /* wk1's answer, not yet reviewed */
    store_hit_release(&got);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_AVAILABLE), MONEY_UNIT - 120000);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_ESCROW), 120000);
    store_asg_release(&a);
    store_batch_release(&b);
    store_hit_release(&h);
    core_fixture_end();
}

static void test_answer_counts(void)
{
    struct assignment a;
    memset(&a, 0, sizeof a);
    for (int s = ASG_ACCEPTED; s <= ASG_ABANDONED; s++) {
        a.status = (enum asg_status)s;
        CHECK_EQ_INT(qc_answer_counts(&a), s == ASG_SUBMITTED || s == ASG_APPROVED);
    }
}

CHECK_MAIN(test_label_required, test_gold_scores, test_gold_mixing, test_live_consensus,
           test_overlap_grows_then_closes, test_overlap_stops_at_max, test_overlap_expiry,
           test_answer_counts)
