/* test_event.c: the event queue and the settle step: settling takes every event, oldest
 * first, and the events its reactors raise; a failed step drops its events unseen; a
 * rolled-back transition's events can be dropped; a row in an event is current until
 * another event is raised; more events than the bound is a bug. Then the real reactors:
 * a submission's notification is written by the settle step, and a review policy's
 * approval, an event raised by a reactor, is settled in the same step. */
#include "../../check.h"
#include <string.h>
#include "../core_fixture.h"
#include <signal.h>
#include <sys/wait.h>
#include <jansson.h>
#include "core/asg.h"
#include "core/event.h"
#include "core/ledger.h"
#include "core/notify.h"
#include "core/review.h"
#include "util/money.h"

static int64_t rq, wk;

/* Each case opens a store of its own, with a funded requester and a worker, and closes it
 * checked, so that any case runs alone or in any order. */
static void case_open(void)
{
    struct ts_error err = {0};
    core_fixture_open();
    rq = account(ROLE_REQUESTER, "rq");
    wk = account(ROLE_WORKER, "wk");
    CHECK_EQ_INT(TX(ledger_deposit(&c, rq, 100000000, &err)), 0);
}

static void case_close(void)
{
    core_fixture_close_checked();
}

/* A HIT row for events raised by hand: only its id matters here. */
static struct hit row(const char *id)
{
    struct hit h;
    memset(&h, 0, sizeof h);
    snprintf(h.id, sizeof h.id, "%s", id);
    return h;
}

/* What the test reactors saw: the kinds, in order. */
static int seen[64];
static int nseen;
static int feed; /* how many more follow-up events the feeding reactor raises */

static int record(struct core_ctx *cc, struct event *e, struct ts_error *err)
{
    (void)cc;
    (void)err;
    if (nseen < 64)
        seen[nseen] = (int)e->kind;
    nseen++;
    return 0;
}

static int feeding(struct core_ctx *cc, struct event *e, struct ts_error *err)
{
    (void)err;
    if (feed > 0 && e->kind == EVENT_ASG_SUBMITTED) {
        feed--;
        event_raise(cc, EVENT_ASG_APPROVED, &e->hit, e->asg_id, 0, 0);
    }
    return 0;
}

static int failing(struct core_ctx *cc, struct event *e, struct ts_error *err)
{
    (void)cc;
    (void)e;
    return ts_fail(err, TS_EIO, "reactor failed");
}

static void test_settle_drains_in_order(void)
{
    case_open();
    struct ts_error err = {0};
    struct hit h = row("H1");
    core_reactor r[] = {record};

    nseen = 0;
    event_raise(&c, EVENT_HIT_CREATED, &h, NULL, 0, 0);
    event_raise(&c, EVENT_ASG_ACCEPTED, &h, "A1", 0, 0);
    event_raise(&c, EVENT_ASG_SUBMITTED, &h, "A1", 0, 0);
    CHECK_EQ_INT((int)event_count(&c), 3);
    CHECK_EQ_INT(core__settle(&c, r, 1, 100, &err), 0);
    CHECK_EQ_INT(nseen, 3);
    CHECK_EQ_INT(seen[0], EVENT_HIT_CREATED);
    CHECK_EQ_INT(seen[1], EVENT_ASG_ACCEPTED);
    CHECK_EQ_INT(seen[2], EVENT_ASG_SUBMITTED);
    CHECK_EQ_INT((int)event_count(&c), 0);
    /* Nothing queued: settling is a no-op. */
    CHECK_EQ_INT(core__settle(&c, r, 1, 100, &err), 0);
    CHECK_EQ_INT(nseen, 3);
    case_close();
}

static void test_raised_by_reactors_are_settled(void)
{
    case_open();
    struct ts_error err = {0};
    struct hit h = row("H1");
    core_reactor r[] = {feeding, record};

    nseen = 0;
    feed = 2;
    event_raise(&c, EVENT_ASG_SUBMITTED, &h, "A1", 0, 0);
    event_raise(&c, EVENT_ASG_SUBMITTED, &h, "A2", 0, 0);
    event_raise(&c, EVENT_HIT_EXPIRED, &h, NULL, 0, 0);
    CHECK_EQ_INT(core__settle(&c, r, 2, 100, &err), 0);
    /* The follow-ups come after every event queued before them. */
    CHECK_EQ_INT(nseen, 5);
    CHECK_EQ_INT(seen[0], EVENT_ASG_SUBMITTED);
    CHECK_EQ_INT(seen[1], EVENT_ASG_SUBMITTED);
    CHECK_EQ_INT(seen[2], EVENT_HIT_EXPIRED);
    CHECK_EQ_INT(seen[3], EVENT_ASG_APPROVED);
    CHECK_EQ_INT(seen[4], EVENT_ASG_APPROVED);
    CHECK_EQ_INT((int)event_count(&c), 0);
    case_close();
}

static void test_failures_drop_events(void)
{
    case_open();
    struct ts_error err = {0};
    struct hit h = row("H1");
    core_reactor r[] = {failing, record};
    core_reactor ok[] = {record};
    size_t mark;

    /* A failed reactor fails the step and leaves nothing queued. */
    nseen = 0;
    event_raise(&c, EVENT_HIT_CREATED, &h, NULL, 0, 0);
    event_raise(&c, EVENT_HIT_EXTENDED, &h, NULL, 0, 0);
    CHECK_EQ_INT(core__settle(&c, r, 2, 100, &err), TS_EIO);
    CHECK_EQ_INT(nseen, 0);
    CHECK_EQ_INT((int)event_count(&c), 0);
    /* A failed step's events are dropped unseen. */
    event_raise(&c, EVENT_HIT_CREATED, &h, NULL, 0, 0);
    CHECK_EQ_INT(core_finish(&c, TS_ECONFLICT, &err), TS_ECONFLICT);
    CHECK_EQ_INT((int)event_count(&c), 0);
    /* A transition rolled back with its savepoint takes its events with it. */
    event_raise(&c, EVENT_HIT_CREATED, &h, NULL, 0, 0);
    mark = event_count(&c);
    event_raise(&c, EVENT_HIT_EXTENDED, &h, NULL, 0, 0);
    event_raise(&c, EVENT_HIT_DISPOSED, &h, NULL, 0, 0);
    event_drop_since(&c, mark);
    CHECK_EQ_INT(core__settle(&c, ok, 1, 100, &err), 0);
    CHECK_EQ_INT(nseen, 1);
    CHECK_EQ_INT(seen[0], EVENT_HIT_CREATED);
    case_close();
}

static void test_row_in_hand(void)
{
    case_open();
    struct ts_error err = {0};
    struct hit h = row("NoSuchHIT");
    struct event *e;

    tx_begin();
    e = event_raise(&c, EVENT_HIT_CREATED, &h, NULL, 0, 0);
    /* Nothing raised since: the row in hand is used, the store is not asked. */
    CHECK_EQ_INT(event_hit(&c, e, &err), 0);
    /* Another event since: the row is read again (and this one is not there). */
    event_raise(&c, EVENT_HIT_EXTENDED, &h, NULL, 0, 0);
    CHECK_EQ_INT(event_hit(&c, e, &err), TS_ENOTFOUND);
    event_clear(&c);
    tx_end(TS_EINVAL);
    case_close();
}

static int looping(struct core_ctx *cc, struct event *e, struct ts_error *err)
{
    (void)err;
    event_raise(cc, EVENT_HIT_EXTENDED, &e->hit, NULL, 0, 0);
    return 0;
}

static void test_bound_counts_reactors_only(void)
{
    case_open();
    struct ts_error err = {0};
    struct hit h = row("H1");
    core_reactor r[] = {record};

    /* An operation's own events (a CreateBatch raises one per row) are not the bound's. */
    nseen = 0;
    for (int i = 0; i < 50; i++)
        event_raise(&c, EVENT_HIT_CREATED, &h, NULL, 0, 0);
    CHECK_EQ_INT(core__settle(&c, r, 1, 10, &err), 0);
    CHECK_EQ_INT(nseen, 50);
    case_close();
}

static void test_bound(void)
{
    case_open();
    pid_t pid = fork();
    int status = 0;

    if (pid == 0) {
        /* Reactors that feed each other without end meet the bound: a bug, which aborts. */
        struct ts_error err = {0};
        struct hit h = row("H1");
        core_reactor r[] = {looping};
        if (!freopen("/dev/null", "w", stderr))
            _exit(2);
        event_raise(&c, EVENT_HIT_CREATED, &h, NULL, 0, 0);
        core__settle(&c, r, 1, 10, &err);
        _exit(0);
    }
    CHECK(pid > 0);
    CHECK_EQ_INT((int)waitpid(pid, &status, 0), (int)pid);
    CHECK(WIFSIGNALED(status));
    if (WIFSIGNALED(status))
        CHECK_EQ_INT(WTERMSIG(status), SIGABRT);
    case_close();
}

/* ---- The real reactors ----------------------------------------------------------------- */

static int types_cb(void *ctx, const struct notify_msg *m)
{
    struct buf_s {
        char s[512];
    } *b = ctx;
    size_t n = strlen(b->s);
    snprintf(b->s + n, sizeof b->s - n, "%s%s", n ? "|" : "", m->event_types);
    return 0;
}

/* The event types of the requester's queued messages, oldest first, joined by "|". */
static void outbox(char out[512])
{
    struct ts_error err = {0};
    struct {
        char s[512];
    } b = {""};
    int64_t last;
    int more;
    CHECK_EQ_INT(store_notify_list(st, rq, 0, 100, types_cb, &b, &last, &more, &err), 0);
    memcpy(out, b.s, 512);
}

static void test_reactors(void)
{
    case_open();
    struct ts_error err = {0};
    struct hit_type t;
    struct hit h;
    struct assignment a;
    struct review_policy pa;
    char types[512];
    struct hit_params p = {"<HTMLQuestion/>", NULL, NULL, NULL, NULL, 1, 3600, NULL, 0, 0, NULL, 0};
    struct notify_spec spec = {"http://127.0.0.1:9/h", "HTTP", "2006-05-05",
                               NOTIFY_BIT(NOTIFY_ASSIGNMENT_SUBMITTED) |
                                   NOTIFY_BIT(NOTIFY_ASSIGNMENT_APPROVED) |
                                   NOTIFY_BIT(NOTIFY_HIT_REVIEWABLE)};
    json_t *policy = json_loads(
        "{\"PolicyName\":\"ScoreMyKnownAnswers/2011-09-01\",\"Parameters\":["
        "{\"Key\":\"AnswerKey\",\"MapEntries\":[{\"Key\":\"label\",\"Values\":[\"cat\"]}]},"
        "{\"Key\":\"ApproveIfKnownAnswerScoreIsAtLeast\",\"Values\":[\"100\"]}]}",
        0, NULL);

    t = core_fixture_type(rq, "Label", "Label one thing", 100000, 60, 60);
    core_fixture_type_create(&t);
    CHECK_EQ_INT(TX(notify_settings_update(&c, rq, "TK1", t.id, &spec, -1, &err)), 0);
    CHECK_EQ_INT(review_policy_read(policy, REVIEW_ASSIGNMENT, &pa, &err), 0);
    json_decref(policy);
    CHECK_EQ_INT(TX(hit_create(&c, &t, &p, &h, &err)), 0);
    CHECK_EQ_INT(TX(review_attach(&c, h.id, &pa, NULL, &err)), 0);
    store_review_policy_release(&pa);
    CHECK_EQ_INT(TX(asg_accept(&c, wk, NULL, h.id, &a, &err)), 0);

    /* The transition alone writes no message: that is the settle step's. */
    tx_begin();
    CHECK_EQ_INT(submit_text(&c, wk, a.id, "{\"label\":\"cat\"}", &err), 0);
    CHECK_EQ_INT((int)event_count(&c), 1);
    outbox(types);
    CHECK_EQ_STR(types, "");
    /* Settling runs the review policy, whose approval is settled in the same step: the
     * submission (which made the HIT Reviewable) first, then the approval. */
    CHECK_EQ_INT(tx_end(0), 0);
    outbox(types);
    CHECK_EQ_STR(types, "AssignmentSubmitted,HITReviewable|AssignmentApproved");
    store_asg_release(&a);
    CHECK_EQ_INT(store_asg_get(st, a.id, &a, &err), 0);
    CHECK_EQ_INT(a.status, ASG_APPROVED);
    store_asg_release(&a);
    store_hit_release(&h);
    case_close();
}

/* A HIT whose expiry is due but not yet swept, with a HIT-level plurality policy and one
 * submission: loading it processes the expiry (the HIT becomes Reviewable) and the policy
 * approves. *hit receives the HIT's id; *asg the assignment's. */
static void due_hit(char hit[STORE_ID_MAX], char asg[STORE_ID_MAX])
{
    struct ts_error err = {0};
    struct hit_type t;
    struct hit h;
    struct assignment a;
    struct review_policy ph;
    struct hit_params p = {"<HTMLQuestion/>", NULL, NULL, NULL, NULL, 2, 60, NULL, 0, 0, NULL, 0};
    json_t *policy = json_loads(
        "{\"PolicyName\":\"SimplePlurality/2011-09-01\",\"Parameters\":["
        "{\"Key\":\"QuestionIds\",\"Values\":[\"label\"]},"
        "{\"Key\":\"QuestionAgreementThreshold\",\"Values\":[\"50\"]},"
        "{\"Key\":\"ApproveIfWorkerAgreementScoreIsAtLeast\",\"Values\":[\"50\"]}]}",
        0, NULL);

    t = core_fixture_type(rq, "Label", "Label one thing", 100000, 60, 3600);
    core_fixture_type_create(&t);
    CHECK_EQ_INT(review_policy_read(policy, REVIEW_HIT, &ph, &err), 0);
    json_decref(policy);
    CHECK_EQ_INT(TX(hit_create(&c, &t, &p, &h, &err)), 0);
    CHECK_EQ_INT(TX(review_attach(&c, h.id, NULL, &ph, &err)), 0);
    store_review_policy_release(&ph);
    CHECK_EQ_INT(TX(asg_accept(&c, wk, NULL, h.id, &a, &err)), 0);
    CHECK_EQ_INT(TX(submit_text(&c, wk, a.id, "{\"label\":\"cat\"}", &err)), 0);
    memcpy(hit, h.id, STORE_ID_MAX);
    memcpy(asg, a.id, STORE_ID_MAX);
    store_asg_release(&a);
    store_hit_release(&h);
    c.now_ms += 61 * 1000; /* the HIT's 60 s lifetime is over; no sweep has run */
}

static enum asg_status asg_status_of(const char *id)
{
    struct ts_error err = {0};
    struct assignment a;
    enum asg_status s;
    CHECK_EQ_INT(store_asg_get(st, id, &a, &err), 0);
    s = a.status;
    store_asg_release(&a);
    return s;
}

static void test_due_expiry_settled_on_load(void)
{
    case_open();
    struct ts_error err = {0};
    char hit[STORE_ID_MAX], asg[STORE_ID_MAX];
    struct hit h;
    int64_t t0 = c.now_ms;

    due_hit(hit, asg);
    /* The load processes the expiry, and its reactions are settled before the caller
     * goes on: the HIT it gets is the one the policy left (its assignment approved). */
    tx_begin();
    CHECK_EQ_INT(core_hit_get_owned(&c, rq, hit, &h, &err), 0);
    CHECK_EQ_INT((int)event_count(&c), 0);
    CHECK_EQ_INT(h.expired, 1);
    CHECK_EQ_INT(h.approved, 1);
    CHECK_EQ_INT(h.submitted, 0);
    store_hit_release(&h);
    CHECK_EQ_INT(tx_end(0), 0);
    CHECK_EQ_INT(asg_status_of(asg), ASG_APPROVED);
    c.now_ms = t0;
    case_close();
}

static void test_due_expiry_settled_before_a_transition(void)
{
    case_open();
    struct ts_error err = {0};
    char hit[STORE_ID_MAX], asg[STORE_ID_MAX];
    int64_t t0 = c.now_ms;

    due_hit(hit, asg);
    /* Extending a HIT whose expiry was due: the expiry is processed and the policy runs on
     * the Reviewable HIT first, as the sweep would have done, then the HIT is extended. */
    tx_begin();
    CHECK_EQ_INT(core_hit_due(&c, rq, hit, &err), 0);
    CHECK_EQ_INT(hit_update_expiration(&c, rq, hit, c.now_ms + 3600 * 1000, &err), 0);
    CHECK_EQ_INT(tx_end(0), 0);
    CHECK_EQ_INT(asg_status_of(asg), ASG_APPROVED);
    /* A HIT that is not there is the transition's to report. */
    tx_begin();
    CHECK_EQ_INT(core_hit_due(&c, rq, "NOSUCHHIT", &err), 0);
    CHECK_EQ_STR(err.msg, "");
    CHECK_EQ_INT(hit_update_expiration(&c, rq, "NOSUCHHIT", c.now_ms, &err), TS_ENOTFOUND);
    tx_end(TS_ENOTFOUND);
    c.now_ms = t0;
    case_close();
}

/* core_hit_may_take_type: only a type of the HIT's reward. */
static void test_hit_may_take_type(void)
{
    case_open();
    struct hit h;
    struct hit_type t;
    struct ts_error err = {0};
    memset(&h, 0, sizeof h);
    memset(&t, 0, sizeof t);
    h.reward = t.reward = MONEY_UNIT;
    CHECK_EQ_INT(core_hit_may_take_type(&h, &t, &err), 0);
    t.reward = MONEY_UNIT + 1;
    CHECK_EQ_INT(core_hit_may_take_type(&h, &t, &err), TS_ECONFLICT);
    CHECK_EQ_STR(err.kind, "InvalidHITType");
    case_close();
}

CHECK_MAIN(test_settle_drains_in_order, test_raised_by_reactors_are_settled,
           test_failures_drop_events, test_row_in_hand, test_bound_counts_reactors_only,
           test_bound, test_reactors, test_due_expiry_settled_on_load,
           test_due_expiry_settled_before_a_transition, test_hit_may_take_type)
