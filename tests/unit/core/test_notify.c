/* test_notify.c: notifications on a real SQLite store: the validation of a
 * NotificationSpecification, that an event writes its message in the transaction of the
 * change (and a rolled-back change leaves none), that inactive settings and unlisted
 * events write nothing, and the retry policy of notify_record_attempt. */
#include "../../check.h"
#include "../core_fixture.h"
#include <jansson.h>
#include "api/deliver.h"
#include "core/asg.h"
#include "core/ledger.h"
#include "core/notify.h"

static int64_t rq, wk;

static void case_open(void)
{
    struct ts_error err = {0};
    struct ledger_leg legs[2];
    core_fixture_open();
    rq = account(ROLE_REQUESTER, "rq");
    wk = account(ROLE_WORKER, "wk");
    legs[0] = (struct ledger_leg){0, LEDGER_EXTERNAL, -100000000};
    legs[1] = (struct ledger_leg){rq, LEDGER_AVAILABLE, 100000000};
    CHECK_EQ_INT(TX(ledger_post(&c, "deposit", "", legs, 2, &err)), 0);
}

static void case_close(void)
{
    core_fixture_close_checked();
}

static int count_cb(void *ctx, const struct notify_msg *m)
{
    int *n = ctx;
    (void)m;
    (*n)++;
    return 0;
}

static int queued(void)
{
    struct ts_error err = {0};
    int64_t last;
    int more, n = 0;
    CHECK_EQ_INT(store_notify_list(st, rq, 0, 100, count_cb, &n, &last, &more, &err), 0);
    return n;
}

static void test_spec_validation(void)
{
    case_open();
    static const struct {
        const char *dest, *transport, *version;
        unsigned events;
        int ok;
    } cases[] = {
        {"https://hooks.example.org/mturk?x=1", "HTTPS", "2006-05-05", 1, 1},
        {"http://10.0.0.7:8080/h", "HTTP", "2006-05-05", 1, 1},
        {"http://[::1]:9/h", "HTTP", "2014-08-15", 1, 1},
        {"http://x.org/h", "HTTPS", "2006-05-05", 1, 0},    /* scheme and transport */
        {"https://x.org/h", "HTTP", "2006-05-05", 1, 0},
        {"https://", "HTTPS", "2006-05-05", 1, 0},
        {"https://.x.org/", "HTTPS", "2006-05-05", 1, 0},
        {"https://x.org:0/", "HTTPS", "2006-05-05", 1, 0},
        {"https://x.org:65536/", "HTTPS", "2006-05-05", 1, 0},
        {"https://x.org:8a/", "HTTPS", "2006-05-05", 1, 0},
        {"https://u@x.org/", "HTTPS", "2006-05-05", 1, 0},
        {"https://x.org/#f", "HTTPS", "2006-05-05", 1, 0},
        {"https://x.org/\x7f", "HTTPS", "2006-05-05", 1, 0},
        {"https://[::1/", "HTTPS", "2006-05-05", 1, 0},
        {"https://x.org/", "SQS", "2006-05-05", 1, 0},
        {"https://x.org/", "https", "2006-05-05", 1, 0},
        {"https://x.org/", "HTTPS", "2006-05-06", 1, 0},
        {"https://x.org/", "HTTPS", "2006-05-05", 0, 0},    /* no event type */
        {"https://x.org/", "HTTPS", "2006-05-05", NOTIFY_BIT(NOTIFY_PING), 0},
    };
    char longurl[2100];
    struct notify_spec s;
    struct ts_error err = {0};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct notify_spec spec = {cases[i].dest, cases[i].transport, cases[i].version,
                                   cases[i].events};
        int rc = notify_spec_check(&spec, 0, &err);
        if ((rc == 0) != cases[i].ok)
            fprintf(stderr, "  case %zu (%s): %s\n", i, cases[i].dest, err.msg);
        CHECK_EQ_INT(rc == 0, cases[i].ok);
    }
    memset(longurl, 'a', sizeof longurl - 1);
    longurl[sizeof longurl - 1] = '\0';
    memcpy(longurl, "https://x.org/", 14);
    s = (struct notify_spec){longurl, "HTTPS", "2006-05-05", 1};
    CHECK_EQ_INT(notify_spec_check(&s, 0, &err), TS_EINVAL);
    s = (struct notify_spec){"https://x.org/", "SNS", "2006-05-05", 1};
    CHECK_EQ_INT(notify_spec_check(&s, 0, &err), TS_EINVAL);
    CHECK_EQ_STR(err.kind, "UnsupportedTransport");
    CHECK_EQ_INT(notify_event_parse("HITReviewable"), NOTIFY_HIT_REVIEWABLE);
    CHECK_EQ_INT(notify_event_parse("hitreviewable"), -1);
    CHECK_EQ_STR(notify_event_name(NOTIFY_ASSIGNMENT_SUBMITTED), "AssignmentSubmitted");
    case_close();
}

static void test_events_in_the_transaction(void)
{
    case_open();
    struct ts_error err = {0};
    struct hit_type t;
    struct hit h;
    struct assignment a;
    char tid[STORE_ID_MAX];
    struct hit_params p = {"<HTMLQuestion/>", NULL, NULL, NULL, NULL, 2, 3600, NULL, 0, 0, NULL, 0};
    struct notify_spec spec = {"http://127.0.0.1:9/h", "HTTP", "2006-05-05",
                               NOTIFY_BIT(NOTIFY_ASSIGNMENT_ACCEPTED) |
                                   NOTIFY_BIT(NOTIFY_HIT_CREATED)};

    t = core_fixture_type(rq, "Label", "Label one thing", 100000, 60, 60);
    core_fixture_type_create(&t);
    memcpy(tid, t.id, STORE_ID_MAX);

    /* Without settings nothing is written. */
    CHECK_EQ_INT(TX(hit_create(&c, &t, &p, &h, &err)), 0);
    store_hit_release(&h);
    CHECK_EQ_INT(queued(), 0);
    /* Another requester may not set them; Active alone needs settings first. */
    CHECK_EQ_INT(TX(notify_settings_update(&c, wk, "TK1", tid, &spec, -1, &err)),
                 TS_ENOTFOUND);
    CHECK_EQ_INT(TX(notify_settings_update(&c, rq, "TK1", tid, NULL, 1, &err)), TS_ECONFLICT);
    CHECK_EQ_INT(TX(notify_settings_update(&c, rq, "TK1", tid, &spec, -1, &err)), 0);

    CHECK_EQ_INT(TX(hit_create(&c, &t, &p, &h, &err)), 0);
    CHECK_EQ_INT(queued(), 1);
    /* A change that is rolled back leaves no message. */
    tx_begin();
    CHECK_EQ_INT(asg_accept(&c, wk, NULL, h.id, &a, &err), 0);
    store_asg_release(&a);
    CHECK_EQ_INT(queued(), 1); /* the message is the settle step's */
    CHECK_EQ_INT(core_settle(&c, &err), 0);
    CHECK_EQ_INT(queued(), 2);
    store_rollback(st);
    CHECK_EQ_INT(queued(), 1);
    /* An event not listed writes nothing; a listed one writes one message. */
    CHECK_EQ_INT(TX(asg_accept(&c, wk, NULL, h.id, &a, &err)), 0);
    CHECK_EQ_INT(queued(), 2);
    CHECK_EQ_INT(TX(asg_return(&c, wk, a.id, &err)), 0);
    store_asg_release(&a);
    store_hit_release(&h);
    CHECK_EQ_INT(queued(), 2);
    /* Inactive: nothing; active again: the kept spec applies. */
    CHECK_EQ_INT(TX(notify_settings_update(&c, rq, "TK1", tid, NULL, 0, &err)), 0);
    CHECK_EQ_INT(TX(hit_create(&c, &t, &p, &h, &err)), 0);
    store_hit_release(&h);
    CHECK_EQ_INT(queued(), 2);
    CHECK_EQ_INT(TX(notify_settings_update(&c, rq, "TK1", tid, NULL, 1, &err)), 0);
    CHECK_EQ_INT(TX(hit_create(&c, &t, &p, &h, &err)), 0);
    CHECK_EQ_INT(queued(), 3);
    store_hit_release(&h);
    case_close();
}

struct types_walk {
    char all[1024];
};

static int types_cb(void *ctx, const struct notify_msg *m)
{
    struct types_walk *w = ctx;
    size_t n = strlen(w->all);
    snprintf(w->all + n, sizeof w->all - n, "%s%s", n ? "|" : "", m->event_types);
    return 0;
}

/* The event types of the messages queued after seq, "|" between messages. */
static const char *types_after(int64_t seq)
{
    static struct types_walk w;
    struct ts_error err = {0};
    int64_t last;
    int more;
    w.all[0] = '\0';
    CHECK_EQ_INT(store_notify_list(st, rq, seq, 100, types_cb, &w, &last, &more, &err), 0);
    return w.all;
}

static int64_t last_seq(void)
{
    struct ts_error err = {0};
    int64_t last = 0, after = 0;
    int more = 1;
    while (more) {
        CHECK_EQ_INT(store_notify_list(st, rq, after, 100, count_cb, &(int){0}, &last, &more,
                                       &err), 0);
        if (last)
            after = last;
    }
    return after;
}

/* HITReviewable is sent once whether a HIT's expiry or its last submission is
 * processed first, and HITExpired once. */
static void test_reviewable_once(void)
{
    case_open();
    struct ts_error err = {0};
    struct hit_type t;
    struct hit h;
    struct assignment a;
    char tid[STORE_ID_MAX];
    int done;
    int64_t seq, t0 = c.now_ms;
    struct hit_params p = {"<HTMLQuestion/>", NULL, NULL, NULL, NULL, 2, 60, NULL, 0, 0, NULL, 0};
    struct notify_spec spec = {"http://127.0.0.1:9/h", "HTTP", "2006-05-05",
                               NOTIFY_BIT(NOTIFY_HIT_REVIEWABLE) |
                                   NOTIFY_BIT(NOTIFY_HIT_EXPIRED) |
                                   NOTIFY_BIT(NOTIFY_ASSIGNMENT_SUBMITTED)};

    t = core_fixture_type(rq, "Reviewable", "Once", 100000, 600, 600);
    core_fixture_type_create(&t);
    memcpy(tid, t.id, STORE_ID_MAX);
    CHECK_EQ_INT(TX(notify_settings_update(&c, rq, "TK1", tid, &spec, -1, &err)), 0);

    /* Submission first: the HIT's time is up but its expiry not yet processed. */
    CHECK_EQ_INT(TX(hit_create(&c, &t, &p, &h, &err)), 0);
    CHECK_EQ_INT(TX(asg_accept(&c, wk, NULL, h.id, &a, &err)), 0);
    seq = last_seq();
    c.now_ms += 61000;
    CHECK_EQ_INT(TX(submit_text(&c, wk, a.id, "{\"label\":\"x\"}", &err)), 0);
    CHECK_EQ_STR(types_after(seq), "AssignmentSubmitted");
    CHECK_EQ_INT(TX(hit_sweep(&c, 100, &done, &err)), 0);
    CHECK_EQ_STR(types_after(seq), "AssignmentSubmitted|HITExpired,HITReviewable");
    store_asg_release(&a);
    store_hit_release(&h);

    /* Expiry first, with work pending: Reviewable only once that work is in. */
    CHECK_EQ_INT(TX(hit_create(&c, &t, &p, &h, &err)), 0);
    CHECK_EQ_INT(TX(asg_accept(&c, wk, NULL, h.id, &a, &err)), 0);
    seq = last_seq();
    c.now_ms += 61000;
    CHECK_EQ_INT(TX(hit_sweep(&c, 100, &done, &err)), 0);
    CHECK_EQ_STR(types_after(seq), "HITExpired");
    CHECK_EQ_INT(TX(submit_text(&c, wk, a.id, "{\"label\":\"x\"}", &err)), 0);
    CHECK_EQ_STR(types_after(seq), "HITExpired|AssignmentSubmitted,HITReviewable");
    CHECK_EQ_INT(TX(hit_sweep(&c, 100, &done, &err)), 0);
    CHECK_EQ_STR(types_after(seq), "HITExpired|AssignmentSubmitted,HITReviewable");
    store_asg_release(&a);
    store_hit_release(&h);
    c.now_ms = t0 + 200000;
    case_close();
}

static void test_retry_policy(void)
{
    case_open();
    struct ts_error err = {0};
    struct notify_policy pol = {1000, 5};
    struct notify_spec spec = {"http://127.0.0.1:9/h", "HTTP", "2006-05-05", 0};
    struct notify_msg m;
    int64_t seq, t0 = c.now_ms;
    int64_t last;
    int more;
    static const int64_t delays[] = {1000, 2000, 4000, 8000};

    CHECK_EQ_INT(TX(notify_send_test(&c, rq, "TK1", &spec, NOTIFY_PING, &err)), 0);
    CHECK_EQ_INT(store_notify_list(st, rq, 0, 100, count_cb, &(int){0}, &last, &more, &err), 0);
    seq = last;
    for (int i = 0; i < 4; i++) {
        CHECK_EQ_INT(TX(notify_record_attempt(&c, seq, 0, 503, "HTTP 503", &pol, &err)), 0);
        CHECK_EQ_INT(store_notify_get(st, seq, &m, &err), 0);
        CHECK_EQ_INT(m.state, NOTIFY_PENDING);
        CHECK_EQ_INT(m.attempts, i + 1);
        CHECK_EQ_INT(m.next_ms - c.now_ms, delays[i]);
        CHECK_EQ_INT(m.last_status, 503);
        c.now_ms = m.next_ms;
    }
    CHECK_EQ_INT(TX(notify_record_attempt(&c, seq, 0, 0, "timeout", &pol, &err)), 0);
    CHECK_EQ_INT(store_notify_get(st, seq, &m, &err), 0);
    CHECK_EQ_INT(m.state, NOTIFY_FAILED);
    CHECK_EQ_INT(m.attempts, 5);
    CHECK_EQ_INT(m.done_ms, c.now_ms);
    /* A message no longer pending is left alone. */
    CHECK_EQ_INT(TX(notify_record_attempt(&c, seq, 1, 200, NULL, &pol, &err)), 0);
    CHECK_EQ_INT(store_notify_get(st, seq, &m, &err), 0);
    CHECK_EQ_INT(m.state, NOTIFY_FAILED);

    /* The delay is capped at an hour, and nothing is tried after 24 hours. */
    pol = (struct notify_policy){600000, 1000};
    CHECK_EQ_INT(TX(notify_send_test(&c, rq, "TK1", &spec, NOTIFY_PING, &err)), 0);
    CHECK_EQ_INT(store_notify_list(st, rq, seq, 100, count_cb, &(int){0}, &last, &more, &err),
                 0);
    seq = last;
    t0 = c.now_ms;
    for (int i = 0;; i++) {
        CHECK_EQ_INT(TX(notify_record_attempt(&c, seq, 0, 500, "HTTP 500", &pol, &err)), 0);
        CHECK_EQ_INT(store_notify_get(st, seq, &m, &err), 0);
        if (m.state != NOTIFY_PENDING || i > 100)
            break;
        CHECK(m.next_ms - c.now_ms <= NOTIFY_DELAY_MAX_MS);
        c.now_ms = m.next_ms;
    }
    CHECK_EQ_INT(m.state, NOTIFY_FAILED);
    CHECK(c.now_ms - t0 <= NOTIFY_GIVE_UP_MS);
    CHECK(c.now_ms - t0 > NOTIFY_GIVE_UP_MS - NOTIFY_DELAY_MAX_MS);
    /* Delivered on the next message's first attempt. */
    CHECK_EQ_INT(TX(notify_send_test(&c, rq, "TK1", &spec, NOTIFY_PING, &err)), 0);
    CHECK_EQ_INT(store_notify_list(st, rq, seq, 100, count_cb, &(int){0}, &last, &more, &err),
                 0);
    CHECK_EQ_INT(TX(notify_record_attempt(&c, last, 1, 204, NULL, &pol, &err)), 0);
    CHECK_EQ_INT(store_notify_get(st, last, &m, &err), 0);
    CHECK_EQ_INT(m.state, NOTIFY_DELIVERED);
    CHECK_EQ_INT(m.last_status, 204);
    case_close();
}

static void test_signature(void)
{
    case_open();
    /* HMAC-SHA256("key", "1700000000.{}"), computed independently (python3 hmac). */
    char sig[72];
    deliver_sign("key", 1700000000, "{}", 2, sig);
    CHECK_EQ_STR(sig, "sha256=9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae");
    case_close();
}

CHECK_MAIN(test_spec_validation, test_events_in_the_transaction, test_reviewable_once, test_retry_policy, test_signature)
