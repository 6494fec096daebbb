/* test_qreq.c: the qualification-request state machine (core/qreq.c): asking for a type
 * with and without auto-grant, the requester's grant and rejection, retries and their
 * delay, a test's clock, and handing a test in to be scored or kept for the requester.
 * Every case opens a fresh store, so each stands alone. */
#include "core/qreq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../check.h"
#include "../core_fixture.h"
#include "core/pseudonym.h"
#include "core/quals.h"
#include "util/banned.h"

#define NS_QF "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2017-11-06/" \
              "QuestionForm.xsd"
#define NS_AK "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/" \
              "AnswerKey.xsd"

/* One selection question, q1: a or b. */
static const char *test_xml =
    "<QuestionForm xmlns=\"" NS_QF "\"><Question><QuestionIdentifier>q1</QuestionIdentifier>"
    "<QuestionContent><Text>Pick</Text></QuestionContent><AnswerSpecification>"
    "<SelectionAnswer><Selections><Selection><SelectionIdentifier>a</SelectionIdentifier>"
    "<Text>A</Text></Selection><Selection><SelectionIdentifier>b</SelectionIdentifier>"
    "<Text>B</Text></Selection></Selections></SelectionAnswer></AnswerSpecification>"
    "</Question></QuestionForm>";

/* a scores 10, which maps to the value 7; b scores 0, which maps to none. */
static const char *key_xml =
    "<AnswerKey xmlns=\"" NS_AK "\"><Question><QuestionIdentifier>q1</QuestionIdentifier>"
    "<AnswerOption><SelectionIdentifier>a</SelectionIdentifier><AnswerScore>10</AnswerScore>"
    "</AnswerOption><DefaultScore>0</DefaultScore></Question><QualificationValueMapping>"
    "<RangeMapping><SummedScoreRange><InclusiveLowerBound>10</InclusiveLowerBound>"
    "<InclusiveUpperBound>10</InclusiveUpperBound><QualificationValue>7</QualificationValue>"
    "</SummedScoreRange></RangeMapping></QualificationValueMapping></AnswerKey>";

static int64_t rq, rq2, wk;

static void open_store(void)
{
    core_fixture_open();
    rq = account(ROLE_REQUESTER, "rq");
    rq2 = account(ROLE_REQUESTER, "rq2");
    wk = account(ROLE_WORKER, "wk");
}

struct type_opts {
    int auto_granted, inactive;
    int64_t retry_delay_s; /* -1: none */
    const char *test, *key;
};

/* Stores a type of rq as opts say; its id into id. */
static void make_type(const char *name, struct type_opts o, char id[STORE_ID_MAX])
{
    struct qual_type q;
    struct ts_error err = {0};
    memset(&q, 0, sizeof q);
    secrets_id_new(q.id);
    q.requester_id = rq;
    q.name = (char *)name;
    q.description = (char *)"d";
    q.keywords = (char *)"";
    q.active = !o.inactive;
    q.auto_granted = o.auto_granted;
    q.auto_value = 5;
    q.retry_delay_s = o.retry_delay_s;
    q.created_ms = c.now_ms;
    q.test = (char *)o.test;
    q.answer_key = (char *)o.key;
    q.test_duration_s = o.test ? 600 : 0;
    CHECK_EQ_INT(TX(store_qual_type_insert(st, &q, &err)), 0);
    memcpy(id, q.id, STORE_ID_MAX);
}

/* wk's value of type id (quals_value), or -1 when none. */
static int64_t value_of(const char *id)
{
    struct ts_error err = {0};
    int64_t v = -1;
    if (quals_value(&c, id, wk, &v, &err) != 1)
        return -1;
    return v;
}

static int ask(const char *id, struct qual_request *r, struct ts_error *err)
{
    int rc = TX(qreq_request(&c, wk, id, r, err));
    if (!rc)
        store_qual_request_release(r);
    return rc;
}

static void test_pending_then_granted(void)
{
    struct ts_error err = {0};
    struct qual_request r, p;
    char id[STORE_ID_MAX], pseud[PSEUDONYM_SIZE];
    int64_t who = 0;
    open_store();
    make_type("plain", (struct type_opts){0, 0, -1, NULL, NULL}, id);

    CHECK_EQ_INT(ask(id, &r, &err), 0);
    CHECK_EQ_INT(r.status, QREQ_PENDING);
    CHECK_EQ_STR(qreq_status_name(&r), "Pending");
    CHECK_EQ_INT(value_of(id), -1);
    /* Asked: the requester now knows the worker by pseudonym. */
    pseudonym_derive(sec, rq, wk, pseud);
    CHECK_EQ_INT(pseudonym_resolve(&c, rq, pseud, &who, &err), 0);
    CHECK_EQ_INT(who, wk);
    /* Waiting for the requester: not again. */
    CHECK_EQ_INT(ask(id, &p, &err), TS_ECONFLICT);
    CHECK_EQ_STR(err.kind, "AlreadyRequested");

    /* Only its own requester decides it. */
    CHECK_EQ_INT(qreq_pending(&c, rq2, r.id, &p, &err), TS_ENOTFOUND);
    CHECK_EQ_STR(err.kind, "QualificationRequestDoesNotExist");
    CHECK_EQ_INT(qreq_pending(&c, rq, "nosuchrequest", &p, &err), TS_ENOTFOUND);
    CHECK_EQ_INT(qreq_pending(&c, rq, r.id, &p, &err), 0);
    CHECK_EQ_INT(TX(qreq_grant(&c, &p, 3, &err)), 0);
    CHECK_EQ_INT(p.status, QREQ_ACCEPTED);
    store_qual_request_release(&p);
    CHECK_EQ_INT(value_of(id), 3);
    /* Decided: not again, and never asked for again once granted. */
    CHECK_EQ_INT(qreq_pending(&c, rq, r.id, &p, &err), TS_ECONFLICT);
    CHECK_EQ_STR(err.kind, "InvalidQualificationRequestState");
    CHECK(strstr(err.msg, "accepted") != NULL);
    CHECK_EQ_INT(ask(id, &p, &err), TS_ECONFLICT);
    CHECK(strstr(err.msg, "granted") != NULL);
    core_fixture_close_checked();
}

static void test_auto_granted(void)
{
    struct ts_error err = {0};
    struct qual_request r;
    char id[STORE_ID_MAX];
    open_store();
    make_type("auto", (struct type_opts){1, 0, -1, NULL, NULL}, id);
    CHECK_EQ_INT(ask(id, &r, &err), 0);
    CHECK_EQ_INT(r.status, QREQ_ACCEPTED);
    CHECK_EQ_INT(r.value, 5);
    CHECK_EQ_INT(r.decided_ms, c.now_ms);
    CHECK_EQ_STR(qreq_status_name(&r), "Granted");
    CHECK_EQ_INT(value_of(id), 5);
    core_fixture_close_checked();
}

static void test_types_that_cannot_be_asked(void)
{
    struct ts_error err = {0};
    struct qual_request r;
    struct qual_type t;
    char off[STORE_ID_MAX], tested[STORE_ID_MAX], plain[STORE_ID_MAX];
    open_store();
    make_type("off", (struct type_opts){0, 1, -1, NULL, NULL}, off);
    make_type("tested", (struct type_opts){0, 0, -1, test_xml, NULL}, tested);
    make_type("plain", (struct type_opts){0, 0, -1, NULL, NULL}, plain);
    const struct {
        const char *id;
        int test, rc;
        const char *kind;
    } cases[] = {
        {off, 0, TS_ENOTFOUND, "QualificationTypeDoesNotExist"},
        {"NOSUCHTYPE", 0, TS_ENOTFOUND, "QualificationTypeDoesNotExist"},
        {tested, 0, TS_ECONFLICT, "QualificationTestRequired"},
        {off, 1, TS_ENOTFOUND, "QualificationTypeDoesNotExist"},
        {plain, 1, TS_ENOTFOUND, "QualificationTestDoesNotExist"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = cases[i].test ? TX(qreq_test_start(&c, wk, cases[i].id, &t, &r, &err))
                               : TX(qreq_request(&c, wk, cases[i].id, &r, &err));
        CHECK_EQ_INT(rc, cases[i].rc);
        CHECK_EQ_STR(err.kind, cases[i].kind);
    }
    core_fixture_close_checked();
}

static void test_rejected_and_retried(void)
{
    struct ts_error err = {0};
    struct qual_request r, p;
    char once[STORE_ID_MAX], later[STORE_ID_MAX];
    open_store();
    make_type("once", (struct type_opts){0, 0, -1, NULL, NULL}, once);
    make_type("later", (struct type_opts){0, 0, 60, NULL, NULL}, later);
    int64_t t0 = c.now_ms;

    for (int i = 0; i < 2; i++) {
        CHECK_EQ_INT(ask(i ? later : once, &r, &err), 0);
        CHECK_EQ_INT(qreq_pending(&c, rq, r.id, &p, &err), 0);
        CHECK_EQ_INT(TX(qreq_reject(&c, &p, i ? NULL : "not yet", &err)), 0);
        CHECK_EQ_INT(p.status, QREQ_REJECTED);
        store_qual_request_release(&p);
    }
    CHECK_EQ_INT(value_of(once), -1);
    /* Without a retry delay: never again, and the worker is told the reason. */
    CHECK_EQ_INT(ask(once, &r, &err), TS_ECONFLICT);
    CHECK_EQ_STR(err.kind, "AlreadyRequested");
    CHECK(strstr(err.msg, "was rejected: not yet") != NULL);
    /* With one: after it has passed since the rejection. */
    c.now_ms = t0 + 59 * 1000;
    CHECK_EQ_INT(ask(later, &r, &err), TS_ECONFLICT);
    CHECK_EQ_STR(err.kind, "RetryTooSoon");
    CHECK(strstr(err.msg, "in 1 seconds") != NULL);
    c.now_ms = t0 + 60 * 1000;
    CHECK_EQ_INT(ask(later, &r, &err), 0);
    CHECK_EQ_INT(r.status, QREQ_PENDING);
    /* The retry took the worker's row: one request of the type to decide. */
    CHECK_EQ_INT(qreq_pending(&c, rq, r.id, &p, &err), 0);
    store_qual_request_release(&p);
    core_fixture_close_checked();
}

static void test_reject_reason_too_long(void)
{
    struct ts_error err = {0};
    struct qual_request r, p;
    char id[STORE_ID_MAX], reason[1100];
    open_store();
    make_type("plain", (struct type_opts){0, 0, -1, NULL, NULL}, id);
    CHECK_EQ_INT(ask(id, &r, &err), 0);
    memset(reason, 'x', sizeof reason - 1);
    reason[sizeof reason - 1] = '\0';
    CHECK_EQ_INT(qreq_pending(&c, rq, r.id, &p, &err), 0);
    CHECK_EQ_INT(TX(qreq_reject(&c, &p, reason, &err)), TS_EINVAL);
    store_qual_request_release(&p);
    /* Nothing changed: still pending. */
    CHECK_EQ_INT(qreq_pending(&c, rq, r.id, &p, &err), 0);
    store_qual_request_release(&p);
    core_fixture_close_checked();
}

/* Starts wk's test of id (must succeed); the request into *r (released by the caller). */
static void start(const char *id, struct qual_request *r)
{
    struct ts_error err = {0};
    struct qual_type t;
    CHECK_EQ_INT(TX(qreq_test_start(&c, wk, id, &t, r, &err)), 0);
    store_qual_type_release(&t);
}

static int submit(const char *id, const char *answers, struct qual_request *r,
                  struct qreq_score *score, struct ts_error *err)
{
    json_t *a = json_loads(answers, 0, NULL);
    int rc = TX(qreq_test_submit(&c, wk, id, a, r, score, err));
    json_decref(a);
    return rc;
}

static void test_test_clock(void)
{
    struct ts_error err = {0};
    struct qual_request r, again, p;
    struct qreq_score score;
    char id[STORE_ID_MAX];
    open_store();
    make_type("quiz", (struct type_opts){0, 0, -1, test_xml, key_xml}, id);
    int64_t t0 = c.now_ms;

    CHECK_EQ_INT(submit(id, "{\"q1\":\"a\"}", &p, &score, &err), TS_ECONFLICT);
    CHECK_EQ_STR(err.kind, "NoTestInProgress");
    start(id, &r);
    CHECK_EQ_INT(r.status, QREQ_TESTING);
    CHECK_EQ_STR(r.test, test_xml);
    CHECK_EQ_INT(r.deadline_ms, t0 + 600 * 1000);
    CHECK_EQ_INT(qreq_test_running(&c, &r, &err), 0);
    /* Running: asking again gives the same test and the same deadline. */
    c.now_ms = t0 + 1000;
    start(id, &again);
    CHECK_EQ_STR(again.id, r.id);
    CHECK_EQ_INT(again.deadline_ms, r.deadline_ms);
    store_qual_request_release(&again);
    /* A running test is not a request the requester can decide, nor one to ask again. */
    CHECK_EQ_INT(qreq_pending(&c, rq, r.id, &p, &err), TS_ENOTFOUND);
    /* Past its deadline: refused, and the test is over. */
    c.now_ms = r.deadline_ms + 5000;
    CHECK_EQ_INT(qreq_test_running(&c, &r, &err), TS_ECONFLICT);
    CHECK_EQ_INT(submit(id, "{\"q1\":\"a\"}", &p, &score, &err), TS_ECONFLICT);
    CHECK_EQ_STR(err.kind, "TestTimeExceeded");
    CHECK(strstr(err.msg, "5 seconds ago") != NULL);
    CHECK_EQ_INT(value_of(id), -1);
    /* Without a retry delay, a test that ran out cannot be taken again. */
    struct qual_type t;
    CHECK_EQ_INT(TX(qreq_test_start(&c, wk, id, &t, &p, &err)), TS_ECONFLICT);
    CHECK(strstr(err.msg, "ran out of time") != NULL);
    store_qual_request_release(&r);
    core_fixture_close_checked();
}

static void test_scored(void)
{
    struct ts_error err = {0};
    struct qual_request r, done;
    struct qreq_score score;
    char id[STORE_ID_MAX];
    open_store();
    make_type("quiz", (struct type_opts){0, 0, -1, test_xml, key_xml}, id);
    start(id, &r);
    /* Answers that do not fit the test change nothing: the test goes on. */
    CHECK_EQ_INT(submit(id, "{\"q1\":\"z\"}", &done, &score, &err), TS_EINVAL);
    CHECK_EQ_INT(submit(id, "[]", &done, &score, &err), TS_EINVAL);
    CHECK_EQ_INT(submit(id, "{\"q1\":\"a\"}", &done, &score, &err), 0);
    CHECK_EQ_INT(done.status, QREQ_SCORED);
    CHECK_EQ_STR(qreq_status_name(&done), "Granted");
    CHECK(score.scored);
    CHECK_EQ_INT(score.sum, 10);
    CHECK_EQ_INT(done.value, 7);
    CHECK(done.answer && strstr(done.answer, "QuestionFormAnswers") != NULL);
    CHECK_EQ_INT(value_of(id), 7);
    /* Handed in: the test is over. */
    CHECK_EQ_INT(qreq_test_running(&c, &done, &err), TS_ECONFLICT);
    store_qual_request_release(&done);
    store_qual_request_release(&r);
    core_fixture_close_checked();
}

static void test_scored_out_of_range(void)
{
    struct ts_error err = {0};
    struct qual_request r, done;
    struct qreq_score score;
    char id[STORE_ID_MAX];
    open_store();
    make_type("quiz", (struct type_opts){0, 0, -1, test_xml, key_xml}, id);
    start(id, &r);
    CHECK_EQ_INT(submit(id, "{\"q1\":\"b\"}", &done, &score, &err), 0);
    CHECK_EQ_INT(done.status, QREQ_REJECTED);
    CHECK_EQ_STR(qreq_status_name(&done), "Rejected");
    CHECK_EQ_INT(score.sum, 0);
    CHECK(strstr(done.reason, "outside every range") != NULL);
    CHECK_EQ_INT(value_of(id), -1);
    store_qual_request_release(&done);
    store_qual_request_release(&r);
    core_fixture_close_checked();
}

static void test_for_the_requester(void)
{
    struct ts_error err = {0};
    struct qual_request r, done, p;
    struct qreq_score score;
    char id[STORE_ID_MAX];
    open_store();
    make_type("essay", (struct type_opts){0, 0, -1, test_xml, NULL}, id);
    start(id, &r);
    /* Handed in through the test's link: the loaded request is handed in in place. */
    json_t *a = json_loads("{\"q1\":\"b\"}", 0, NULL);
    CHECK_EQ_INT(TX(qreq_test_hand_in(&c, &r, NULL, a, &score, &err)), 0);
    json_decref(a);
    CHECK_EQ_INT(r.status, QREQ_PENDING);
    CHECK(!score.scored);
    CHECK_EQ_INT(value_of(id), -1);
    CHECK_EQ_INT(qreq_pending(&c, rq, r.id, &p, &err), 0);
    CHECK(p.answer && strstr(p.answer, "<SelectionIdentifier>b</SelectionIdentifier>"));
    CHECK_EQ_INT(TX(qreq_grant(&c, &p, 2, &err)), 0);
    store_qual_request_release(&p);
    CHECK_EQ_INT(value_of(id), 2);
    /* Not running any more: a second hand-in is refused. */
    CHECK_EQ_INT(submit(id, "{\"q1\":\"a\"}", &done, &score, &err), TS_ECONFLICT);
    CHECK_EQ_STR(err.kind, "NoTestInProgress");
    store_qual_request_release(&r);
    core_fixture_close_checked();
}

CHECK_MAIN(test_pending_then_granted, test_auto_granted, test_types_that_cannot_be_asked,
           test_rejected_and_retried, test_reject_reason_too_long, test_test_clock,
           test_scored, test_scored_out_of_range, test_for_the_requester)
