/* qreq.c: the qualification-request state machine (see qreq.h): asking, the test and
 * its clock, handing it in, and the requester's decision. */
#include "qreq.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pseudonym.h"
#include "qtest.h"
#include "../doc/qform.h"
#include "quals.h"
#include "secrets.h"
#include "../util/alloc.h"
#include "../util/banned.h"

int qreq_type(struct core_ctx *c, const char *type_id, struct qual_type *t,
              struct ts_error *err)
{
    int rc = store_qual_type_get(c->st, type_id, t, err);
    if (rc == 0 && (t->deleted || !t->active)) {
        store_qual_type_release(t);
        rc = TS_ENOTFOUND;
    }
    if (rc == TS_ENOTFOUND)
        return ts_failk(err, TS_ENOTFOUND, "QualificationTypeDoesNotExist",
                        "there is no qualification type %s that can be requested", type_id);
    return rc;
}

/* Whether the worker may ask for t again, given their last request old (read; released
 * here). 0: yes, and *old_id names the row to reuse; TS_ECONFLICT saying why not. A
 * rejected or scored request, or a test not handed in on time, may be retried once the
 * type's RetryDelayInSeconds has passed since it ended; without a delay never (MTurk). */
static int may_retry(struct core_ctx *c, const struct qual_type *t, struct qual_request *old,
                     char *old_id, struct ts_error *err)
{
    int64_t now = c->now_ms, ended = old->decided_ms;
    int rc = 0;
    int expired = old->status == QREQ_TESTING && now > old->deadline_ms;

    if (expired)
        ended = old->deadline_ms;
    if (old->status == QREQ_PENDING)
        rc = ts_failk(err, TS_ECONFLICT, "AlreadyRequested",
                      "you have asked for %s already (waiting for the requester)", t->id);
    else if (old->status == QREQ_ACCEPTED)
        rc = ts_failk(err, TS_ECONFLICT, "AlreadyRequested",
                      "you have asked for %s already (granted)", t->id);
    else if (old->status == QREQ_TESTING && !expired)
        TS_BUG("may_retry: a running test");
    else if (t->retry_delay_s < 0)
        rc = ts_failk(err, TS_ECONFLICT, "AlreadyRequested",
                      "%s can be requested once only, and your request %s%s%s", t->id,
                      old->status == QREQ_REJECTED ? "was rejected: "
                      : expired                    ? "ran out of time"
                                                   : "was scored",
                      old->status == QREQ_REJECTED && !old->reason[0] ? "no reason given"
                                                                      : "",
                      old->status == QREQ_REJECTED ? old->reason : "");
    else if (now < ended + t->retry_delay_s * 1000)
        rc = ts_failk(err, TS_ECONFLICT, "RetryTooSoon",
                      "you may ask for %s again in %lld seconds", t->id,
                      (long long)((ended + t->retry_delay_s * 1000 - now + 999) / 1000));
    memcpy(old_id, old->id, STORE_ID_MAX);
    store_qual_request_release(old);
    return rc;
}

/* Stores r, a new request or (old_id[0]) a retry reusing the worker's row, and notes
 * the worker's pseudonym, which the requester sees with the request. */
static int request_save(struct core_ctx *c, const char *old_id, struct qual_request *r,
                        struct ts_error *err)
{
    int rc = old_id[0] ? store_qual_request_set(c->st, old_id, r, err)
                       : store_qual_request_insert(c->st, r, err);
    if (!rc)
        rc = pseudonym_note(c, r->requester_id, r->worker_id, err);
    return rc;
}

/* Reads the worker's last request for t into old_id (may_retry): 0 when none or a retry
 * is allowed. With running set, a test still running is reported through *running
 * (and *cur holds it) instead of refused. */
static int last_request(struct core_ctx *c, int64_t worker_id, const struct qual_type *t,
                        char *old_id, struct qual_request *cur, int *running,
                        struct ts_error *err)
{
    int rc = store_qual_request_get(c->st, NULL, t->id, worker_id, cur, err);
    old_id[0] = '\0';
    if (running)
        *running = 0;
    if (rc == TS_ENOTFOUND)
        return 0;
    if (rc)
        return rc;
    if (cur->status == QREQ_TESTING && c->now_ms <= cur->deadline_ms) {
        if (running) {
            *running = 1;
            return 0;
        }
        store_qual_request_release(cur);
        return ts_failk(err, TS_ECONFLICT, "AlreadyRequested",
                        "you are taking the test of %s: hand it in with "
                        "SubmitQualificationTest",
                        t->id);
    }
    return may_retry(c, t, cur, old_id, err);
}

static void request_new(struct core_ctx *c, int64_t worker_id, const struct qual_type *t,
                        struct qual_request *r)
{
    memset(r, 0, sizeof *r);
    secrets_id_new(r->id);
    memcpy(r->type_id, t->id, sizeof r->type_id);
    r->worker_id = worker_id;
    r->requester_id = t->requester_id;
    r->submitted_ms = c->now_ms;
}

int qreq_request(struct core_ctx *c, int64_t worker_id, const char *type_id,
                 struct qual_request *out, struct ts_error *err)
{
    struct qual_type t;
    struct qual_request cur;
    char old_id[STORE_ID_MAX];
    int rc = qreq_type(c, type_id, &t, err);
    if (rc)
        return rc;
    if (t.test) {
        rc = ts_failk(err, TS_ECONFLICT, "QualificationTestRequired",
                      "%s has a qualification test: take it with GetQualificationTest and "
                      "hand it in with SubmitQualificationTest",
                      t.id);
        goto out;
    }
    rc = last_request(c, worker_id, &t, old_id, &cur, NULL, err);
    if (rc)
        goto out;
    request_new(c, worker_id, &t, out);
    out->status = t.auto_granted ? QREQ_ACCEPTED : QREQ_PENDING;
    if (t.auto_granted) {
        out->value = t.auto_value;
        out->decided_ms = c->now_ms;
    }
    rc = request_save(c, old_id, out, err);
    if (!rc && t.auto_granted)
        rc = quals_grant(c, t.id, worker_id, t.auto_value, err);
out:
    store_qual_type_release(&t);
    return rc;
}

int qreq_test_start(struct core_ctx *c, int64_t worker_id, const char *type_id,
                    struct qual_type *t, struct qual_request *out, struct ts_error *err)
{
    char old_id[STORE_ID_MAX];
    int running = 0;
    int rc = qreq_type(c, type_id, t, err);
    if (rc)
        return rc;
    if (!t->test) {
        rc = ts_failk(err, TS_ENOTFOUND, "QualificationTestDoesNotExist",
                      "%s has no qualification test: ask for it with RequestQualification",
                      t->id);
        goto out;
    }
    rc = last_request(c, worker_id, t, old_id, out, &running, err);
    if (rc || running)
        goto out;
    request_new(c, worker_id, t, out);
    out->status = QREQ_TESTING;
    out->test = xstrdup(t->test);
    out->deadline_ms = c->now_ms + t->test_duration_s * 1000;
    rc = request_save(c, old_id, out, err);
    if (rc)
        store_qual_request_release(out);
out:
    if (rc)
        store_qual_type_release(t);
    return rc;
}

int qreq_test_running(struct core_ctx *c, const struct qual_request *r, struct ts_error *err)
{
    if (r->status != QREQ_TESTING || c->now_ms > r->deadline_ms)
        return ts_failk(err, TS_ECONFLICT, "NoTestInProgress",
                        "this test is over: it was handed in, or its time ran out");
    return 0;
}

/* Hands in answers for worker r->worker_id's running test r of type t: refused after
 * its deadline; scored at once with the type's AnswerKey (the mapped value is granted),
 * otherwise kept for the requester to accept or reject. */
static int hand_in(struct core_ctx *c, const struct qual_type *t, struct qual_request *r,
                   const struct qform *form, json_t *answers, struct qreq_score *score,
                   struct ts_error *err)
{
    struct qtest_result res = {0};
    struct qform f = {0};
    int rc;

    memset(score, 0, sizeof *score);
    if (c->now_ms > r->deadline_ms)
        return ts_failk(err, TS_ECONFLICT, "TestTimeExceeded",
                        "the time for the test of %s ran out %lld seconds ago; nothing was "
                        "recorded",
                        t->id, (long long)((c->now_ms - r->deadline_ms) / 1000));
    if (!json_is_object(answers))
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "Answers must be an object {QuestionIdentifier: answer}");
    if (!form) {
        rc = qtest_parse(r->test ? r->test : t->test, &f, err);
        if (rc)
            return rc;
        form = &f;
    }
    rc = qtest_grade(form, t->answer_key, answers, &res, err);
    qform_release(&f);
    if (rc)
        return rc;
    free(r->answer);
    r->answer = res.answer_xml;
    res.answer_xml = NULL;
    r->submitted_ms = c->now_ms;
    r->status = QREQ_PENDING;
    if (res.scored) {
        r->decided_ms = c->now_ms;
        r->status = res.has_value ? QREQ_SCORED : QREQ_REJECTED;
        r->value = res.value;
        if (!res.has_value)
            snprintf(r->reason, sizeof r->reason,
                     "your score %lld is outside every range of the answer key",
                     (long long)res.sum);
    }
    rc = store_qual_request_set(c->st, r->id, r, err);
    if (!rc && res.scored && res.has_value)
        rc = quals_grant(c, t->id, r->worker_id, res.value, err);
    if (!rc) {
        score->scored = res.scored;
        score->sum = res.sum;
    }
    return rc;
}

int qreq_test_submit(struct core_ctx *c, int64_t worker_id, const char *type_id,
                     json_t *answers, struct qual_request *out, struct qreq_score *score,
                     struct ts_error *err)
{
    struct qual_type t;
    int rc = qreq_type(c, type_id, &t, err);
    if (rc)
        return rc;
    rc = store_qual_request_get(c->st, NULL, t.id, worker_id, out, err);
    if (rc == TS_ENOTFOUND || (rc == 0 && out->status != QREQ_TESTING)) {
        if (rc == 0)
            store_qual_request_release(out);
        rc = ts_failk(err, TS_ECONFLICT, "NoTestInProgress",
                      "you are not taking the test of %s: start it with GetQualificationTest",
                      t.id);
    }
    if (!rc) {
        rc = hand_in(c, &t, out, NULL, answers, score, err);
        if (rc)
            store_qual_request_release(out);
    }
    store_qual_type_release(&t);
    return rc;
}

int qreq_test_hand_in(struct core_ctx *c, struct qual_request *r, const struct qform *form,
                      json_t *answers, struct qreq_score *score, struct ts_error *err)
{
    struct qual_type t;
    int rc = qreq_type(c, r->type_id, &t, err);
    if (rc)
        return rc;
    rc = hand_in(c, &t, r, form, answers, score, err);
    store_qual_type_release(&t);
    return rc;
}

int qreq_pending(struct core_ctx *c, int64_t requester_id, const char *id,
                 struct qual_request *r, struct ts_error *err)
{
    int rc = store_qual_request_get(c->st, id, NULL, 0, r, err);
    if (rc == 0 && (r->requester_id != requester_id || r->status == QREQ_TESTING)) {
        store_qual_request_release(r); /* a test not handed in is not a request yet */
        rc = TS_ENOTFOUND;
    }
    if (rc == TS_ENOTFOUND)
        return ts_failk(err, TS_ENOTFOUND, "QualificationRequestDoesNotExist",
                        "qualification request %s does not exist", id);
    if (rc == 0 && r->status != QREQ_PENDING) {
        rc = ts_failk(err, TS_ECONFLICT, "InvalidQualificationRequestState",
                      "qualification request %s was already %s", id,
                      r->status == QREQ_ACCEPTED   ? "accepted"
                      : r->status == QREQ_REJECTED ? "rejected"
                                                   : "scored with the type's AnswerKey");
        store_qual_request_release(r);
    }
    return rc;
}

int qreq_grant(struct core_ctx *c, struct qual_request *r, int64_t value,
               struct ts_error *err)
{
    if (r->status != QREQ_PENDING)
        TS_BUG("qreq_grant: request not pending");
    int rc = quals_grant(c, r->type_id, r->worker_id, value, err);
    if (rc)
        return rc;
    r->status = QREQ_ACCEPTED;
    r->value = value;
    r->decided_ms = c->now_ms;
    return store_qual_request_set(c->st, r->id, r, err);
}

int qreq_reject(struct core_ctx *c, struct qual_request *r, const char *reason,
                struct ts_error *err)
{
    if (r->status != QREQ_PENDING)
        TS_BUG("qreq_reject: request not pending");
    if (reason && strlen(reason) >= sizeof r->reason)
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "Reason must be at most %zu bytes", sizeof r->reason - 1);
    r->status = QREQ_REJECTED;
    r->decided_ms = c->now_ms;
    snprintf(r->reason, sizeof r->reason, "%s", reason ? reason : "");
    return store_qual_request_set(c->st, r->id, r, err);
}

const char *qreq_status_name(const struct qual_request *r)
{
    switch (r->status) {
    case QREQ_ACCEPTED:
    case QREQ_SCORED:
        return "Granted";
    case QREQ_REJECTED:
        return "Rejected";
    default:
        return "Pending";
    }
}
