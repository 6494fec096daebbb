/* ops_worker_quals.c: a worker's side of qualifications: asking for a type
 * (RequestQualification), taking its test (GetQualificationTest,
 * SubmitQualificationTest), and the test's pages in a browser (/q/<cap>, reached through
 * the form door). The request's states and checks are core/qreq.c's; this file reads the
 * input, calls it, and renders the answer. */
#include "ops.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "param.h"
#include "render.h"
#include "../core/cap.h"
#include "../doc/qform.h"
#include "../core/qreq.h"
#include "../core/qtest.h"
#include "../doc/question.h"
#include "../util/buf.h"
#include "../util/banned.h"

static int type_id_of(json_t *in, const char **id, struct ts_error *err)
{
    return param_id(in, "QualificationTypeId", PARAM_REQUIRED, id, err);
}

/* Asks for a requester's qualification type: an auto-granted one is given at once, any
 * other waits for the requester (AcceptQualificationRequest or Reject...). A type with a
 * test is asked for by taking it (GetQualificationTest). */
static int op_request_qualification(struct op_ctx *c, json_t *in, json_t *out,
                                    struct ts_error *err)
{
    const char *type_id = NULL;
    struct qual_request r;
    int rc = type_id_of(in, &type_id, err);
    if (!rc)
        rc = qreq_request(c->core, c->who.id, type_id, &r, err);
    if (rc)
        return rc;
    json_object_set_new(out, "QualificationRequestId", json_string(r.id));
    json_object_set_new(out, "Status", json_string(qreq_status_name(&r)));
    store_qual_request_release(&r);
    return 0;
}

/* The page address of a running test, <base>/q/<request id>.<MAC>, into url: the
 * worker's browser shows the test there and posts it to that address + "/submit". */
static void qtest_link(struct op_ctx *c, const char *request_id, int64_t worker_id, char *url,
                       size_t n)
{
    char cap[CAP_SUBMIT_MAX];
    cap_qtest_make(c->core->sec, request_id, worker_id, cap);
    snprintf(url, n, "%s/q/%s", c->core->cfg->base_url, cap);
}

/* Hands the worker the test of a type and starts its clock: the answers must come by
 * Deadline (TestDurationInSeconds from the first call). Asking again while the test runs
 * gives the same test and the same deadline. */
static int op_get_qualification_test(struct op_ctx *c, json_t *in, json_t *out,
                                     struct ts_error *err)
{
    const char *type_id = NULL;
    struct qual_type t;
    struct qual_request r;
    struct buf html = BUF_INIT(4 * 1024 * 1024);
    char url[400];
    int rc = type_id_of(in, &type_id, err);
    if (!rc)
        rc = qreq_test_start(c->core, c->who.id, type_id, &t, &r, err);
    if (rc)
        return rc;
    qtest_link(c, r.id, c->who.id, url, sizeof url);
    json_object_set_new(out, "TestURL", json_string(url));
    strncat(url, "/submit", sizeof url - strlen(url) - 1);
    rc = qtest_render(r.test, url, &html, err);
    if (!rc) {
        json_object_set_new(out, "QualificationRequestId", json_string(r.id));
        json_object_set_new(out, "QualificationTypeId", json_string(t.id));
        json_object_set_new(out, "Test", json_string(r.test));
        json_object_set_new(out, "TestHTML", json_stringn(html.p, html.len));
        json_object_set_new(out, "TestDurationInSeconds", json_integer(t.test_duration_s));
        render_time(out, "Deadline", r.deadline_ms);
    }
    store_qual_request_release(&r);
    buf_release(&html);
    store_qual_type_release(&t);
    return rc;
}

/* The answer to handing in a test r: its state, the score, the value granted, and why
 * it was rejected. */
static void render_hand_in(const struct qual_request *r, const struct qreq_score *score,
                           json_t *out)
{
    json_object_set_new(out, "QualificationRequestId", json_string(r->id));
    json_object_set_new(out, "Status", json_string(qreq_status_name(r)));
    if (score->scored)
        json_object_set_new(out, "Score", json_integer(score->sum));
    if (r->status == QREQ_SCORED)
        json_object_set_new(out, "IntegerValue", json_integer(r->value));
    if (r->reason[0])
        json_object_set_new(out, "Reason", json_string(r->reason));
}

/* Hands in the answers of a running test: scored at once with the type's AnswerKey (the
 * mapped value is granted), otherwise kept for the requester to accept or reject. */
static int op_submit_qualification_test(struct op_ctx *c, json_t *in, json_t *out,
                                        struct ts_error *err)
{
    const char *type_id = NULL;
    struct qual_request r;
    struct qreq_score score;
    int rc = type_id_of(in, &type_id, err);
    if (!rc)
        rc = qreq_test_submit(c->core, c->who.id, type_id, json_object_get(in, "Answers"), &r,
                              &score, err);
    if (rc)
        return rc;
    render_hand_in(&r, &score, out);
    store_qual_request_release(&r);
    return 0;
}

/* ---- Qualification tests from a browser: /q/<cap> and /q/<cap>/submit -------------- */

/* The running test a test link names, once its MAC checks out against the request's
 * worker. An earlier attempt's link names a request id that no longer exists. */
static int cap_request(struct op_ctx *c, json_t *in, struct qual_request *r,
                       struct ts_error *err)
{
    const char *cap = json_string_value(json_object_get(in, "Capability"));
    char id[32];
    int rc = cap ? cap_submit_parse(cap, id, err)
                 : ts_failk(err, TS_EINVAL, "BadCapability", "no test link was given");
    if (rc)
        return rc;
    rc = store_qual_request_get(c->core->st, id, NULL, 0, r, err);
    if (rc == TS_ENOTFOUND)
        return ts_failk(err, TS_EFORBIDDEN, "BadCapability", CAP_QTEST_INVALID);
    if (rc)
        return rc;
    rc = cap_qtest_check(c->core->sec, cap, r->id, r->worker_id, err);
    if (!rc)
        rc = qreq_test_running(c->core, r, err);
    if (rc)
        store_qual_request_release(r);
    return rc;
}

static int op_form_qtest_page(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    struct qual_request r;
    struct buf html = BUF_INIT(4 * 1024 * 1024);
    char url[400];
    int rc = cap_request(c, in, &r, err);
    if (rc)
        return rc;
    qtest_link(c, r.id, r.worker_id, url, sizeof url);
    strncat(url, "/submit", sizeof url - strlen(url) - 1);
    rc = qtest_render(r.test, url, &html, err);
    if (!rc) {
        json_t *task = json_object();
        json_object_set_new(task, "Content", json_stringn(html.p, html.len));
        json_object_set_new(out, "Task", task);
        json_object_set_new(out, "SubmitURL", json_string(url));
    }
    buf_release(&html);
    store_qual_request_release(&r);
    return rc;
}

/* A test's form as the browser posted it: the fields become the test's answers (as
 * qform_from_post reads the form Tessera rendered) and are handed in for the worker the
 * link names, exactly as SubmitQualificationTest does. */
static int op_form_qtest_submit(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    struct qual_request r;
    struct question q = {0};
    json_t *files = json_object_get(in, "Files"), *answers = NULL;
    int rc = cap_request(c, in, &r, err);
    if (rc)
        return rc;
    if (json_array_size(files) > 0) {
        store_qual_request_release(&r);
        return ts_failk(err, TS_EINVAL, "BadForm", "a qualification test takes no files");
    }
    rc = question_parse(r.test, strlen(r.test), &q, err);
    if (!rc && q.kind != QUESTION_FORM)
        rc = ts_fail(err, TS_EIO, "the test of request %s is not a QuestionForm", r.id);
    if (!rc) {
        answers = qform_from_post_obj(q.form, json_object_get(in, "Answers"), err);
        if (!answers)
            rc = TS_EINVAL;
    }
    if (!rc) {
        struct qreq_score score;
        rc = qreq_test_hand_in(c->core, &r, q.form, answers, &score, err);
        if (!rc)
            render_hand_in(&r, &score, out);
    }
    json_decref(answers);
    if (q.kind)
        question_release(&q);
    store_qual_request_release(&r);
    return rc;
}

static const char *const f_none[] = {NULL};
const struct op ops_form_qtest_page = {"QualificationTestPage", ROLE_NONE, 0, f_none,
                                       op_form_qtest_page, NULL};
const struct op ops_form_qtest_submit = {"QualificationTestSubmit", ROLE_NONE, OP_WRITE, f_none,
                                         op_form_qtest_submit, NULL};
static const char *const f_qual_type[] = {"QualificationTypeId", NULL};
static const char *const f_qual_test[] = {"QualificationTypeId", "Answers", NULL};

#define WK ROLE_WORKER

const struct op ops_worker_quals[] = {
    {"RequestQualification", WK, OP_WRITE, f_qual_type, op_request_qualification, NULL},
    {"GetQualificationTest", WK, OP_WRITE, f_qual_type, op_get_qualification_test, NULL},
    {"SubmitQualificationTest", WK, OP_WRITE, f_qual_test, op_submit_qualification_test, NULL},
};
const size_t ops_worker_quals_n = sizeof ops_worker_quals / sizeof ops_worker_quals[0];
