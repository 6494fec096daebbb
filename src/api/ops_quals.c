/* ops_quals.c: a requester's own qualification types and the scores it gives workers
 * (MTurk's qualification operations), and its decisions on the requests workers make for
 * them (RequestQualification, GetQualificationTest, SubmitQualificationTest in
 * ops_worker_quals.c). A type may carry a test (core/qtest.h). Scores and requirements
 * are core/quals.c's, the requests' states core/qreq.c's. Workers are named by
 * pseudonym. */
#include "ops.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "param.h"
#include "render.h"
#include "../core/pseudonym.h"
#include "../core/qreq.h"
#include "../core/qtest.h"
#include "../core/quals.h"
#include "../core/secrets.h"
#include "../util/alloc.h"
#include "../util/text.h"
#include "../util/banned.h"

static int check_len(const char *what, const char *s, long min, long max, struct ts_error *err)
{
    long n = text_utf8_chars(s, strlen(s));
    if (n < min || n > max)
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "%s must be %ld to %ld characters of text", what, min, max);
    return 0;
}

static int read_status(json_t *in, int required, int *active, struct ts_error *err)
{
    const char *s = NULL;
    int rc = param_str(in, "QualificationTypeStatus", required, 16, &s, err);
    if (rc || !s)
        return rc;
    if (strcmp(s, "Active") != 0 && strcmp(s, "Inactive") != 0)
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "QualificationTypeStatus must be Active or Inactive");
    *active = strcmp(s, "Active") == 0;
    return 0;
}

/* Reads Test, AnswerKey, TestDurationInSeconds and RetryDelayInSeconds from in and
 * gives them to q (on an update q holds the type as it is) with quals_type_set_test,
 * which checks the type they make. */
static int read_test(json_t *in, struct qual_type *q, struct ts_error *err)
{
    struct quals_test_change ch = {NULL, NULL, -1, -1};
    int rc = param_str(in, "Test", PARAM_OPTIONAL, QTEST_MAX_BYTES, &ch.test, err);
    if (!rc)
        rc = param_str(in, "AnswerKey", PARAM_OPTIONAL, QTEST_MAX_BYTES, &ch.answer_key, err);
    if (!rc)
        rc = param_int(in, "TestDurationInSeconds", PARAM_OPTIONAL, 1, QTEST_MAX_DURATION_S,
                       &ch.duration_s, err);
    if (!rc)
        rc = param_int(in, "RetryDelayInSeconds", PARAM_OPTIONAL, 0, QTEST_MAX_DURATION_S,
                       &ch.retry_delay_s, err);
    return rc ? rc : quals_type_set_test(q, &ch, err);
}

static json_t *render_type(const struct qual_type *q)
{
    json_t *o = json_object();
    json_object_set_new(o, "QualificationTypeId", json_string(q->id));
    render_time(o, "CreationTime", q->created_ms);
    json_object_set_new(o, "Name", json_string(q->name));
    json_object_set_new(o, "Description", json_string(q->description));
    if (q->keywords && *q->keywords)
        json_object_set_new(o, "Keywords", json_string(q->keywords));
    json_object_set_new(o, "QualificationTypeStatus",
                        json_string(q->active ? "Active" : "Inactive"));
    /* Workers may ask for an active type (RequestQualification). */
    json_object_set_new(o, "IsRequestable", json_boolean(q->active));
    json_object_set_new(o, "AutoGranted", json_boolean(q->auto_granted));
    if (q->auto_granted)
        json_object_set_new(o, "AutoGrantedValue", json_integer(q->auto_value));
    if (q->test) {
        json_object_set_new(o, "Test", json_string(q->test));
        json_object_set_new(o, "TestDurationInSeconds", json_integer(q->test_duration_s));
    }
    if (q->answer_key)
        json_object_set_new(o, "AnswerKey", json_string(q->answer_key));
    if (q->retry_delay_s >= 0)
        json_object_set_new(o, "RetryDelayInSeconds", json_integer(q->retry_delay_s));
    return o;
}

/* The caller's type called by in's QualificationTypeId, not deleted. */
static int type_owned(struct op_ctx *c, json_t *in, struct qual_type *q, struct ts_error *err)
{
    const char *id = NULL;
    int rc = param_id(in, "QualificationTypeId", PARAM_REQUIRED, &id, err);
    if (rc)
        return rc;
    return quals_type_get_owned(c->core, c->who.id, id, 0, q, err);
}

static int op_create_qual_type(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    struct qual_type q;
    const char *name = NULL, *desc = NULL, *kw = "";
    int rc;

    memset(&q, 0, sizeof q);
    q.auto_value = 1;
    q.retry_delay_s = -1;
    rc = param_str(in, "Name", PARAM_REQUIRED, 4096, &name, err);
    if (!rc)
        rc = param_str(in, "Description", PARAM_REQUIRED, 8192, &desc, err);
    if (!rc)
        rc = param_str(in, "Keywords", PARAM_OPTIONAL, 4096, &kw, err);
    if (!rc)
        rc = read_status(in, PARAM_REQUIRED, &q.active, err);
    if (!rc)
        rc = param_bool(in, "AutoGranted", PARAM_OPTIONAL, &q.auto_granted, err);
    if (!rc)
        rc = param_int(in, "AutoGrantedValue", PARAM_OPTIONAL, INT32_MIN, INT32_MAX,
                       &q.auto_value, err);
    if (!rc)
        rc = check_len("Name", name, 1, 256, err);
    if (!rc)
        rc = check_len("Description", desc, 1, 2000, err);
    if (!rc)
        rc = check_len("Keywords", kw, 0, 1000, err);
    if (!rc)
        rc = read_test(in, &q, err);
    if (rc) {
        free(q.test);
        free(q.answer_key);
        return rc;
    }
    secrets_id_new(q.id);
    q.requester_id = c->who.id;
    q.name = (char *)name;
    q.description = (char *)desc;
    q.keywords = (char *)kw;
    q.created_ms = c->core->now_ms;
    rc = store_qual_type_insert(c->core->st, &q, err);
    if (rc == TS_ECONFLICT)
        err->kind = "QualificationTypeAlreadyExists";
    if (!rc)
        json_object_set_new(out, "QualificationType", render_type(&q));
    free(q.test);
    free(q.answer_key);
    return rc;
}

static int op_get_qual_type(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    struct qual_type q;
    int rc = type_owned(c, in, &q, err);
    if (rc)
        return rc;
    json_object_set_new(out, "QualificationType", render_type(&q));
    store_qual_type_release(&q);
    return 0;
}

static int op_update_qual_type(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    struct qual_type q;
    const char *desc = NULL;
    int rc = type_owned(c, in, &q, err);
    if (rc)
        return rc;
    rc = param_str(in, "Description", PARAM_OPTIONAL, 8192, &desc, err);
    if (!rc && desc)
        rc = check_len("Description", desc, 1, 2000, err);
    if (!rc)
        rc = read_status(in, PARAM_OPTIONAL, &q.active, err);
    if (!rc)
        rc = param_bool(in, "AutoGranted", PARAM_OPTIONAL, &q.auto_granted, err);
    if (!rc)
        rc = param_int(in, "AutoGrantedValue", PARAM_OPTIONAL, INT32_MIN, INT32_MAX,
                       &q.auto_value, err);
    if (!rc)
        rc = read_test(in, &q, err);
    if (!rc && desc) {
        free(q.description);
        q.description = xstrdup(desc);
    }
    if (!rc)
        rc = store_qual_type_update(c->core->st, &q, err);
    if (!rc)
        json_object_set_new(out, "QualificationType", render_type(&q));
    store_qual_type_release(&q);
    return rc;
}

static int op_delete_qual_type(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    struct qual_type q;
    int rc = type_owned(c, in, &q, err);
    (void)out;
    if (rc)
        return rc;
    rc = quals_type_delete(c->core, &q, err);
    store_qual_type_release(&q);
    return rc;
}

struct type_walk {
    json_t *arr;
    int must_requestable;
};

static int type_cb(void *ctx, const struct qual_type *q)
{
    struct type_walk *w = ctx;
    if (!w->must_requestable || q->active)
        json_array_append_new(w->arr, render_type(q));
    return 0;
}

static int op_list_qual_types(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    const char *query = NULL;
    int must_requestable = 0, must_owned = 1, limit, more = 0;
    int64_t after, last = 0;
    struct type_walk w = {NULL, 0};
    int rc = param_bool(in, "MustBeRequestable", PARAM_REQUIRED, &must_requestable, err);
    if (!rc)
        rc = param_bool(in, "MustBeOwnedByCaller", PARAM_OPTIONAL, &must_owned, err);
    if (!rc)
        rc = param_str(in, "Query", PARAM_OPTIONAL, 4096, &query, err);
    if (!rc)
        rc = param_page(in, &after, &limit, err);
    if (rc)
        return rc;
    w.arr = json_array();
    w.must_requestable = must_requestable;
    /* Only the caller's own types are listed (MustBeOwnedByCaller is taken as true). */
    rc = store_qual_type_list(c->core->st, c->who.id, query, after, limit, type_cb, &w, &last,
                              &more, err);
    return param_page_reply(out, "QualificationTypes", w.arr, last, more, rc);
}

static json_t *render_qual(struct op_ctx *c, const struct qual *q)
{
    char pseud[16];
    json_t *o = json_object();
    pseudonym_derive(c->core->sec, c->who.id, q->worker_id, pseud);
    json_object_set_new(o, "QualificationTypeId", json_string(q->type_id));
    json_object_set_new(o, "WorkerId", json_string(pseud));
    render_time(o, "GrantTime", q->granted_ms);
    json_object_set_new(o, "IntegerValue", json_integer(q->value));
    json_object_set_new(o, "Status", json_string(q->granted ? "Granted" : "Revoked"));
    return o;
}

static int set_score(struct op_ctx *c, json_t *in, int grant, struct ts_error *err)
{
    struct qual_type t;
    int64_t worker = 0, value = 1;
    int notify = 0;
    const char *reason = NULL;
    char type_id[STORE_ID_MAX];
    int rc = type_owned(c, in, &t, err);
    if (rc)
        return rc;
    memcpy(type_id, t.id, sizeof type_id);
    store_qual_type_release(&t);
    rc = ops_worker_named(c, in, &worker, err);
    if (!rc && grant)
        rc = param_int(in, "IntegerValue", PARAM_OPTIONAL, INT32_MIN, INT32_MAX, &value, err);
    if (!rc && grant)
        rc = param_bool(in, "SendNotification", PARAM_OPTIONAL, &notify, err);
    if (!rc && !grant)
        rc = param_str(in, "Reason", PARAM_OPTIONAL, 4096, &reason, err);
    if (rc)
        return rc;
    return grant ? quals_grant(c->core, type_id, worker, value, err)
                 : quals_revoke(c->core, type_id, worker, err);
}

static int op_associate(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    (void)out;
    return set_score(c, in, 1, err);
}

static int op_disassociate(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    (void)out;
    return set_score(c, in, 0, err);
}

static int op_get_score(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    struct qual_type t;
    struct qual q;
    int64_t worker = 0;
    int rc = type_owned(c, in, &t, err);
    if (rc)
        return rc;
    rc = ops_worker_named(c, in, &worker, err);
    if (!rc)
        rc = quals_score(c->core, &t, worker, &q, err);
    if (!rc)
        json_object_set_new(out, "Qualification", render_qual(c, &q));
    store_qual_type_release(&t);
    return rc;
}

struct qual_walk {
    struct op_ctx *c;
    json_t *arr;
};

static int qual_cb(void *ctx, const struct qual *q)
{
    struct qual_walk *w = ctx;
    json_array_append_new(w->arr, render_qual(w->c, q));
    return 0;
}

static int op_list_workers(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    struct qual_type t;
    const char *status = NULL;
    int granted = -1, limit, more = 0;
    int64_t after, last = 0;
    struct qual_walk w = {c, NULL};
    int rc = type_owned(c, in, &t, err);
    if (rc)
        return rc;
    rc = param_str(in, "Status", PARAM_OPTIONAL, 16, &status, err);
    if (!rc && status) {
        if (strcmp(status, "Granted") == 0)
            granted = 1;
        else if (strcmp(status, "Revoked") == 0)
            granted = 0;
        else
            rc = ts_failk(err, TS_EINVAL, "ParameterValidationError",
                          "Status must be Granted or Revoked");
    }
    if (!rc)
        rc = param_page(in, &after, &limit, err);
    if (!rc) {
        w.arr = json_array();
        rc = store_qual_list(c->core->st, t.id, granted, after, limit, qual_cb, &w, &last,
                             &more, err);
        rc = param_page_reply(out, "Qualifications", w.arr, last, more, rc);
    }
    store_qual_type_release(&t);
    return rc;
}

/* ---- Requests ---- */

static json_t *render_request(struct op_ctx *c, const struct qual_request *r)
{
    char pseud[16];
    json_t *o = json_object();
    pseudonym_derive(c->core->sec, c->who.id, r->worker_id, pseud);
    json_object_set_new(o, "QualificationRequestId", json_string(r->id));
    json_object_set_new(o, "QualificationTypeId", json_string(r->type_id));
    json_object_set_new(o, "WorkerId", json_string(pseud));
    render_time(o, "SubmitTime", r->submitted_ms);
    if (r->test)
        json_object_set_new(o, "Test", json_string(r->test));
    if (r->answer)
        json_object_set_new(o, "Answer", json_string(r->answer));
    return o;
}

/* The caller's pending request called by in's QualificationRequestId. */
static int request_pending(struct op_ctx *c, json_t *in, struct qual_request *r,
                           struct ts_error *err)
{
    const char *id = NULL;
    int rc = param_str(in, "QualificationRequestId", PARAM_REQUIRED, 64, &id, err);
    return rc ? rc : qreq_pending(c->core, c->who.id, id, r, err);
}

static int op_accept_request(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    struct qual_request r;
    int64_t value = 1;
    int rc = request_pending(c, in, &r, err);
    (void)out;
    if (rc)
        return rc;
    rc = param_int(in, "IntegerValue", PARAM_OPTIONAL, INT32_MIN, INT32_MAX, &value, err);
    if (!rc)
        rc = qreq_grant(c->core, &r, value, err);
    store_qual_request_release(&r);
    return rc;
}

static int op_reject_request(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    struct qual_request r;
    const char *reason = NULL;
    int rc = request_pending(c, in, &r, err);
    (void)out;
    if (rc)
        return rc;
    rc = param_str(in, "Reason", PARAM_OPTIONAL, sizeof r.reason - 1, &reason, err);
    if (!rc)
        rc = qreq_reject(c->core, &r, reason, err);
    store_qual_request_release(&r);
    return rc;
}

struct request_walk {
    struct op_ctx *c;
    json_t *arr;
};

static int request_cb(void *ctx, const struct qual_request *r)
{
    struct request_walk *w = ctx;
    json_array_append_new(w->arr, render_request(w->c, r));
    return 0;
}

static int op_list_requests(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    const char *type_id = NULL;
    struct request_walk w = {c, NULL};
    int64_t after, last = 0;
    int limit, more = 0;
    int rc = param_id(in, "QualificationTypeId", PARAM_OPTIONAL, &type_id, err);
    if (!rc)
        rc = param_page(in, &after, &limit, err);
    if (rc)
        return rc;
    w.arr = json_array();
    rc = store_qual_request_list(c->core->st, c->who.id, type_id, after, limit, request_cb, &w,
                                 &last, &more, err);
    return param_page_reply(out, "QualificationRequests", w.arr, last, more, rc);
}

static const char *const f_accept_req[] = {"QualificationRequestId", "IntegerValue", NULL};
static const char *const f_reject_req[] = {"QualificationRequestId", "Reason", NULL};
static const char *const f_list_req[] = {"QualificationTypeId", "NextToken", "MaxResults",
                                         NULL};

static const char *const f_create[] = {"Name", "Description", "Keywords",
                                       "QualificationTypeStatus", "RetryDelayInSeconds", "Test",
                                       "AnswerKey", "TestDurationInSeconds", "AutoGranted",
                                       "AutoGrantedValue", NULL};
static const char *const f_type[] = {"QualificationTypeId", NULL};
static const char *const f_update[] = {"QualificationTypeId", "Description",
                                       "QualificationTypeStatus", "RetryDelayInSeconds", "Test",
                                       "AnswerKey", "TestDurationInSeconds", "AutoGranted",
                                       "AutoGrantedValue", NULL};
static const char *const f_list[] = {"Query", "MustBeRequestable", "MustBeOwnedByCaller",
                                     "NextToken", "MaxResults", NULL};
static const char *const f_assoc[] = {"QualificationTypeId", "WorkerId", "IntegerValue",
                                      "SendNotification", NULL};
static const char *const f_disassoc[] = {"QualificationTypeId", "WorkerId", "Reason", NULL};
static const char *const f_score[] = {"QualificationTypeId", "WorkerId", NULL};
static const char *const f_workers[] = {"QualificationTypeId", "Status", "NextToken",
                                        "MaxResults", NULL};

#define RQ ROLE_REQUESTER
#define W_MT (OP_WRITE | OP_MTURK)

const struct op ops_quals[] = {
    {"CreateQualificationType", RQ, W_MT, f_create, op_create_qual_type, NULL},
    {"GetQualificationType", RQ, OP_MTURK, f_type, op_get_qual_type, NULL},
    {"UpdateQualificationType", RQ, W_MT, f_update, op_update_qual_type, NULL},
    {"DeleteQualificationType", RQ, W_MT, f_type, op_delete_qual_type, NULL},
    {"ListQualificationTypes", RQ, OP_MTURK, f_list, op_list_qual_types, NULL},
    {"AssociateQualificationWithWorker", RQ, W_MT, f_assoc, op_associate, NULL},
    {"DisassociateQualificationFromWorker", RQ, W_MT, f_disassoc, op_disassociate, NULL},
    {"GetQualificationScore", RQ, OP_MTURK, f_score, op_get_score, NULL},
    {"ListWorkersWithQualificationType", RQ, OP_MTURK, f_workers, op_list_workers, NULL},
    {"AcceptQualificationRequest", RQ, W_MT, f_accept_req, op_accept_request, NULL},
    {"RejectQualificationRequest", RQ, W_MT, f_reject_req, op_reject_request, NULL},
    {"ListQualificationRequests", RQ, OP_MTURK, f_list_req, op_list_requests, NULL},
};
const size_t ops_quals_n = sizeof ops_quals / sizeof ops_quals[0];
