/* ops_worker.c: the worker operations: find work (with its measured median time and
 * hourly pay), accept, see the task, submit, return, and see one's own assignments and
 * earnings. A worker only ever sees their own assignments. */
#include "ops.h"
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sodium.h>
#include "param.h"
#include "render.h"
#include "../core/hit.h"
#include "../core/asg.h"
#include "../core/cap.h"
#include "../core/ledger.h"
#include "../core/question.h"
#include "../core/qform.h"
#include "../core/quals.h"
#include "../core/secrets.h"
#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/money.h"
#include "../util/banned.h"

/* reward per hour for work taking work_ms, in micro-units; 0 when unknown. */
static int64_t hourly(int64_t reward, int64_t work_ms)
{
    if (work_ms <= 0)
        return 0;
    int64_t v = reward;
    if (money_mul(&v, 3600000))
        return 0;
    return v / work_ms;
}

struct avail_walk {
    struct op_ctx *c;
    json_t *arr;
    struct ts_error *err;
    int rc;
    int me_loaded;          /* me holds the caller's qualification values */
    struct quals_worker me;
};

static int avail_cb(void *ctx, const char *type_id, int64_t hits)
{
    struct avail_walk *w = ctx;
    struct hit_type t;
    struct account rq;
    int64_t median = 0, n = 0;
    json_t *o;

    w->rc = store_hit_type_get(w->c->core->st, type_id, &t, w->err);
    if (w->rc)
        return 1;
    if (t.quals_json && strcmp(t.quals_json, "[]") != 0) {
        /* Listed only when the worker meets the type's requirements. */
        struct ts_error ignored = {0};
        if (!w->me_loaded) {
            w->rc = quals_worker_load(w->c->core, w->c->who.id, &w->me, w->err);
            if (w->rc) {
                store_hit_type_release(&t);
                return 1;
            }
            w->me_loaded = 1;
        }
        int met = quals_check(w->c->core, t.quals_json, &w->me, &ignored);
        if (met) {
            store_hit_type_release(&t);
            if (met == TS_EFORBIDDEN)
                return 0;
            *w->err = ignored;
            w->rc = met;
            return 1;
        }
    }
    w->rc = store_account_get(w->c->core->st, t.requester_id, &rq, w->err);
    if (!w->rc)
        w->rc = store_type_median_work_ms(w->c->core->st, type_id, &median, &n, w->err);
    if (w->rc) {
        store_hit_type_release(&t);
        return 1;
    }
    o = json_object();
    json_object_set_new(o, "HITTypeId", json_string(type_id));
    json_object_set_new(o, "Title", json_string(t.title));
    json_object_set_new(o, "Description", json_string(t.description));
    json_object_set_new(o, "RequesterName", json_string(rq.name));
    render_money(o, "Reward", t.reward);
    json_object_set_new(o, "HITsAvailable", json_integer(hits));
    json_object_set_new(o, "AssignmentDurationInSeconds", json_integer(t.duration_s));
    if (n > 0) {
        json_object_set_new(o, "MedianSecondsPerAssignment",
                            json_real((double)median / 1000.0));
        render_money(o, "MedianHourlyPay", hourly(t.reward, median));
    } else {
        json_object_set_new(o, "MedianSecondsPerAssignment", json_null());
        json_object_set_new(o, "MedianHourlyPay", json_null());
    }
    json_array_append_new(w->arr, o);
    store_hit_type_release(&t);
    return 0;
}

static int op_list_available_work(struct op_ctx *c, json_t *in, json_t *out,
                                  struct ts_error *err)
{
    struct avail_walk w = {c, json_array(), err, 0, 0, {0, {0}, 0, 0}};
    (void)in;
    int rc = store_available_types(c->core->st, c->who.id, c->core->now_ms, avail_cb, &w, err);
    if (!rc)
        rc = w.rc;
    if (rc) {
        json_decref(w.arr);
        return rc;
    }
    json_object_set_new(out, "HITTypes", w.arr);
    return 0;
}

static json_t *worker_asg(const struct assignment *a)
{
    json_t *o = json_object();
    json_object_set_new(o, "AssignmentId", json_string(a->id));
    json_object_set_new(o, "HITId", json_string(a->hit_id));
    json_object_set_new(o, "HITTypeId", json_string(a->hit_type_id));
    json_object_set_new(o, "AssignmentStatus", json_string(asg_status_name(a->status)));
    render_time(o, "AcceptTime", a->accepted_ms);
    render_time(o, "Deadline", a->deadline_ms);
    render_time(o, "SubmitTime", a->submitted_ms);
    render_time(o, "AutoApprovalTime", a->status == ASG_SUBMITTED ? a->auto_approve_ms : 0);
    render_time(o, "ApprovalTime", a->approved_ms);
    render_time(o, "RejectionTime", a->rejected_ms);
    if (a->feedback)
        json_object_set_new(o, "RequesterFeedback", json_string(a->feedback));
    if (a->submitted_ms)
        json_object_set_new(o, "WorkTimeInSeconds",
                            json_real((double)(a->submitted_ms - a->accepted_ms) / 1000.0));
    return o;
}

static int op_accept_work(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    const char *type_id = NULL, *hit_id = NULL;
    struct assignment a;
    int rc = param_id(in, "HITTypeId", PARAM_OPTIONAL, &type_id, err);
    if (!rc)
        rc = param_id(in, "HITId", PARAM_OPTIONAL, &hit_id, err);
    if (rc)
        return rc;
    if (!type_id == !hit_id)
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "give exactly one of HITTypeId and HITId");
    rc = asg_accept(c->core, c->who.id, type_id, hit_id, &a, err);
    if (rc)
        return rc;
    json_object_set_new(out, "Assignment", worker_asg(&a));
    store_asg_release(&a);
    return 0;
}

/* Appends s to b percent-encoded as a query value (unreserved characters stay). */
static void put_query_value(struct buf *b, const char *s)
{
    for (const char *p = s; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
            ch == '-' || ch == '.' || ch == '_' || ch == '~')
            buf_putc(b, (char)ch);
        else
            buf_printf(b, "%%%02X", ch);
    }
}

void ops_task_urls(struct op_ctx *c, const struct assignment *a, struct buf *submit_to,
                   struct buf *query)
{
    char cap[CAP_SUBMIT_MAX], pseud[16];
    cap_submit_make(c->core->sec, a->id, a->worker_id, cap);
    secrets_pseudonym(c->core->sec, a->requester_id, a->worker_id, pseud);
    buf_printf(submit_to, "%s/w/%s", c->core->cfg->base_url, cap);
    buf_printf(query, "assignmentId=%s&hitId=%s&workerId=%s&turkSubmitTo=", a->id, a->hit_id,
               pseud);
    put_query_value(query, submit_to->p);
}

int ops_render_task(struct op_ctx *c, const struct assignment *a, const struct hit *h,
                    json_t *task, struct ts_error *err)
{
    struct question q;
    struct account rq;
    struct hit_type t;
    int rc = question_parse(h->question, strlen(h->question), &q, err);
    if (rc)
        return rc;
    rc = store_account_get(c->core->st, h->requester_id, &rq, err);
    if (!rc)
        rc = store_hit_type_get(c->core->st, h->hit_type_id, &t, err);
    if (rc) {
        question_release(&q);
        return rc;
    }
    struct buf to = BUF_INIT(1024), query = BUF_INIT(2048), submit = BUF_INIT(1024),
               b = BUF_INIT(8192);
    /* Where the task's form posts: the assignment's link, or for a preview the plain
     * address, which refuses it. Task content of any kind may point its form here. */
    if (a) {
        ops_task_urls(c, a, &to, &query);
        buf_printf(&submit, "%s/mturk/externalSubmit", to.p);
    } else {
        buf_printf(&query, "assignmentId=" OPS_PREVIEW_ASSIGNMENT "&hitId=%s&turkSubmitTo=",
                   h->id);
        put_query_value(&query, c->core->cfg->base_url);
        buf_printf(&submit, "%s/mturk/externalSubmit", c->core->cfg->base_url);
    }
    json_object_set_new(task, "Title", json_string(t.title));
    json_object_set_new(task, "Description", json_string(t.description));
    json_object_set_new(task, "RequesterName", json_string(rq.name));
    render_money(task, "Reward", h->reward);
    json_object_set_new(task, "FrameHeight", json_integer(q.frame_height));
    if (q.kind == QUESTION_HTML) {
        json_object_set_new(task, "QuestionType", json_string("HTMLQuestion"));
        json_object_set_new(task, "Content", json_string(q.html));
    } else if (q.kind == QUESTION_FORM) {
        struct buf page = BUF_INIT(BUF_MAX_BODY);
        rc = qform_render_html(q.form, submit.p, a ? a->id : OPS_PREVIEW_ASSIGNMENT, &page, err);
        if (!rc) {
            json_object_set_new(task, "QuestionType", json_string("QuestionForm"));
            json_object_set_new(task, "Content", json_stringn(page.p, page.len));
            json_object_set_new(task, "Question", json_string(h->question));
        }
        buf_release(&page);
    } else {
        buf_printf(&b, "%s%c%s", q.url, strchr(q.url, '?') ? '&' : '?', query.p);
        json_object_set_new(task, "QuestionType", json_string("ExternalQuestion"));
        json_object_set_new(task, "ExternalURL", json_string(b.p));
    }
    if (a) {
        buf_reset(&b);
        buf_printf(&b, "%s/task?%s", to.p, query.p);
        json_object_set_new(task, "PageURL", json_string(b.p));
        json_object_set_new(task, "SubmitURL", json_string(submit.p));
    }
    json_t *input = h->input_json ? json_loads(h->input_json, 0, NULL) : NULL;
    json_object_set_new(task, "Input", input ? input : json_object());
    buf_release(&to);
    buf_release(&query);
    buf_release(&submit);
    buf_release(&b);
    store_hit_type_release(&t);
    question_release(&q);
    return rc;
}

static int op_get_my_assignment(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    const char *id = NULL;
    struct assignment a;
    struct hit h;
    int rc = param_id(in, "AssignmentId", PARAM_REQUIRED, &id, err);
    if (!rc)
        rc = asg_get_worker(c->core, c->who.id, id, &a, err);
    if (rc)
        return rc;
    rc = store_hit_get(c->core->st, a.hit_id, &h, err);
    if (!rc) {
        rc = store_hit_load_texts(c->core->st, &h, err);
        if (!rc) {
            json_t *task = json_object();
            rc = ops_render_task(c, &a, &h, task, err);
            json_t *ao = worker_asg(&a);
            if (a.answer_json) {
                json_t *ans = json_loads(a.answer_json, 0, NULL);
                if (ans)
                    json_object_set_new(ao, "Answers", ans);
            }
            json_object_set_new(out, "Assignment", ao);
            json_object_set_new(out, "Task", task);
        }
        store_hit_release(&h);
    }
    store_asg_release(&a);
    return rc;
}

static int op_submit(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    const char *id = NULL;
    json_t *answers = json_object_get(in, "Answers");
    (void)out;
    int rc = param_id(in, "AssignmentId", PARAM_REQUIRED, &id, err);
    if (rc)
        return rc;
    if (!json_is_object(answers))
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "Answers must be an object of field names to text, e.g. "
                        "{\"label\":\"cat\"}");
    char *text = json_dumps(answers, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!text)
        return ts_fail(err, TS_EINVAL, "Answers could not be encoded");
    rc = asg_submit(c->core, c->who.id, id, text, err);
    free(text);
    return rc;
}

static int op_return(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    const char *id = NULL;
    (void)out;
    int rc = param_id(in, "AssignmentId", PARAM_REQUIRED, &id, err);
    if (!rc)
        rc = asg_return(c->core, c->who.id, id, err);
    return rc;
}

struct mine_walk {
    struct op_ctx *c;
    json_t *arr;
    struct ts_error *err;
};

static int mine_cb(void *ctx, const struct assignment *a)
{
    struct mine_walk *w = ctx;
    struct hit h;
    if (store_hit_get(w->c->core->st, a->hit_id, &h, w->err))
        return 1;
    json_t *o = worker_asg(a);
    render_money(o, "Reward", h.reward);
    if (a->submitted_ms > a->accepted_ms)
        render_money(o, "HourlyPay", hourly(h.reward, a->submitted_ms - a->accepted_ms));
    json_array_append_new(w->arr, o);
    store_hit_release(&h);
    return 0;
}

static int op_list_my_assignments(struct op_ctx *c, json_t *in, json_t *out,
                                  struct ts_error *err)
{
    struct asg_filter f = {0};
    const char *status = NULL;
    int64_t after, last = 0;
    int limit, more = 0;
    int rc = param_page(in, &after, &limit, err);
    if (!rc)
        rc = param_str(in, "AssignmentStatus", PARAM_OPTIONAL, 32, &status, err);
    if (rc)
        return rc;
    f.worker_id = c->who.id;
    if (status) {
        for (int s = ASG_ACCEPTED; s <= ASG_ABANDONED; s++)
            if (strcmp(status, asg_status_name((enum asg_status)s)) == 0)
                f.status_mask = ASG_MASK(s);
        if (!f.status_mask)
            return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                            "AssignmentStatus must be one of Accepted, Submitted, Approved, "
                            "Rejected, Returned, Abandoned");
    }
    struct mine_walk w = {c, json_array(), err};
    rc = store_asg_list(c->core->st, &f, after, limit, mine_cb, &w, &last, &more, err);
    return param_page_reply(out, "Assignments", w.arr, last, more, rc);
}

static int op_get_my_earnings(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    struct worker_stats s;
    int64_t bal;
    (void)in;
    int rc = ledger_balance(c->core, c->who.id, LEDGER_EARNINGS, &bal, err);
    if (!rc)
        rc = store_worker_stats(c->core->st, c->who.id, &s, err);
    if (rc)
        return rc;
    render_money(out, "Balance", bal);
    render_money(out, "ApprovedEarnings", s.approved_reward);
    render_money(out, "Bonuses", s.bonuses);
    json_object_set_new(out, "AcceptedAssignments", json_integer(s.accepted));
    json_object_set_new(out, "SubmittedAssignments", json_integer(s.submitted));
    json_object_set_new(out, "ApprovedAssignments", json_integer(s.approved));
    json_object_set_new(out, "RejectedAssignments", json_integer(s.rejected));
    json_object_set_new(out, "ReturnedAssignments", json_integer(s.returned));
    json_object_set_new(out, "AbandonedAssignments", json_integer(s.abandoned));
    json_object_set_new(out, "ApprovedWorkSeconds",
                        json_real((double)s.approved_work_ms / 1000.0));
    if (s.approved_work_ms > 0)
        render_money(out, "EffectiveHourlyPay", hourly(s.approved_reward, s.approved_work_ms));
    else
        json_object_set_new(out, "EffectiveHourlyPay", json_null());
    return 0;
}

static int login_failed(struct ts_error *err)
{
    return ts_failk(err, TS_EAUTH, "LoginFailed", "wrong name or password");
}

/* The password check: argon2id takes tens of milliseconds on purpose, so it runs on the
 * executor's side thread, never on the writer. An unknown name costs the same time as a
 * wrong password, so timing does not tell which names exist. */
static int prep_login(struct store *st, json_t *in, int64_t *account_id, struct ts_error *err)
{
    const char *name = NULL, *pw = NULL;
    struct account a;
    int rc = param_str(in, "Name", PARAM_REQUIRED, 127, &name, err);
    if (!rc)
        rc = param_str(in, "Password", PARAM_REQUIRED, 256, &pw, err);
    if (rc)
        return rc;
    rc = store_account_by_name(st, name, &a, err);
    if (rc && rc != TS_ENOTFOUND)
        return rc;
    if (rc == TS_ENOTFOUND || !a.pw_hash[0]) {
        secrets_password_burn(pw);
        return login_failed(err);
    }
    if (secrets_password_verify(a.pw_hash, pw))
        return login_failed(err);
    *account_id = a.id;
    return 0;
}

/* Runs as the account prep_login verified: issues a new bearer token for it. */
static int op_login(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    char token[SECRETS_TOKEN_LEN + 1];
    unsigned char hash[32];
    int rc;
    (void)in;
    if (c->who.id <= 0)
        return login_failed(err);
    secrets_token_new(token);
    secrets_token_hash(token, hash);
    rc = store_token_insert(c->core->st, hash, c->who.id, c->core->now_ms, err);
    if (rc)
        return rc;
    json_object_set_new(out, "token", json_string(token));
    json_object_set_new(out, "id", json_integer(c->who.id));
    sodium_memzero(token, sizeof token);
    return 0;
}

/* Asks for a requester's qualification type: an auto-granted one is given at once, any
 * other waits for the requester (AcceptQualificationRequest or Reject...). Once per type. */
static int op_request_qualification(struct op_ctx *c, json_t *in, json_t *out,
                                    struct ts_error *err)
{
    const char *id = NULL;
    struct qual_type t;
    struct qual_request r, old;
    char pseud[16];
    int rc = param_id(in, "QualificationTypeId", PARAM_REQUIRED, &id, err);
    if (rc)
        return rc;
    rc = store_qual_type_get(c->core->st, id, &t, err);
    if (rc == 0 && (t.deleted || !t.active)) {
        store_qual_type_release(&t);
        rc = TS_ENOTFOUND;
    }
    if (rc == TS_ENOTFOUND)
        return ts_failk(err, TS_ENOTFOUND, "QualificationTypeDoesNotExist",
                        "there is no qualification type %s that can be requested", id);
    if (rc)
        return rc;
    rc = store_qual_request_get(c->core->st, NULL, t.id, c->who.id, &old, err);
    if (rc == 0) {
        rc = old.status == QREQ_REJECTED
                 ? ts_failk(err, TS_ECONFLICT, "AlreadyRequested",
                            "your request for %s was rejected: %s", t.id,
                            old.reason[0] ? old.reason : "no reason given")
                 : ts_failk(err, TS_ECONFLICT, "AlreadyRequested",
                            "you have asked for %s already (%s)", t.id,
                            old.status == QREQ_PENDING ? "waiting for the requester"
                                                       : "granted");
        goto out;
    }
    if (rc != TS_ENOTFOUND)
        goto out;
    memset(&r, 0, sizeof r);
    secrets_id_new(r.id);
    memcpy(r.type_id, t.id, sizeof r.type_id);
    r.worker_id = c->who.id;
    r.requester_id = t.requester_id;
    r.status = t.auto_granted ? QREQ_ACCEPTED : QREQ_PENDING;
    r.submitted_ms = c->core->now_ms;
    rc = store_qual_request_insert(c->core->st, &r, err);
    /* The requester will see this worker's pseudonym with the request. */
    secrets_pseudonym(c->core->sec, t.requester_id, c->who.id, pseud);
    if (!rc)
        rc = store_pseudonym_note(c->core->st, t.requester_id, pseud, c->who.id, err);
    if (!rc && t.auto_granted) {
        struct qual q = {{0}, c->who.id, t.auto_value, 1, c->core->now_ms};
        memcpy(q.type_id, t.id, sizeof q.type_id);
        rc = store_qual_put(c->core->st, &q, err);
    }
    if (!rc) {
        json_object_set_new(out, "QualificationRequestId", json_string(r.id));
        json_object_set_new(out, "Status", json_string(t.auto_granted ? "Granted" : "Pending"));
    }
out:
    store_qual_type_release(&t);
    return rc;
}

struct msg_walk {
    struct op_ctx *c;
    json_t *arr;
    struct ts_error *err;
    int rc;
};

static int msg_cb(void *ctx, const struct message *m)
{
    struct msg_walk *w = ctx;
    struct account rq;
    json_t *o;
    w->rc = store_account_get(w->c->core->st, m->requester_id, &rq, w->err);
    if (w->rc)
        return 1;
    o = json_object();
    json_object_set_new(o, "RequesterName", json_string(rq.name));
    json_object_set_new(o, "Subject", json_string(m->subject ? m->subject : ""));
    json_object_set_new(o, "MessageText", json_string(m->body ? m->body : ""));
    render_time(o, "SentTime", m->sent_ms);
    json_array_append_new(w->arr, o);
    return 0;
}

/* Messages requesters sent this worker with NotifyWorkers, oldest first. */
static int op_list_my_messages(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    struct msg_walk w = {c, NULL, err, 0};
    int64_t after, last = 0;
    int limit, more = 0;
    int rc = param_page(in, &after, &limit, err);
    if (rc)
        return rc;
    w.arr = json_array();
    rc = store_message_list(c->core->st, c->who.id, after, limit, msg_cb, &w, &last, &more,
                            err);
    if (!rc)
        rc = w.rc;
    return param_page_reply(out, "Messages", w.arr, last, more, rc);
}

static const char *const f_none[] = {NULL};
static const char *const f_page[] = {"NextToken", "MaxResults", NULL};
static const char *const f_qual_type[] = {"QualificationTypeId", NULL};
static const char *const f_accept[] = {"HITTypeId", "HITId", NULL};
static const char *const f_asg[] = {"AssignmentId", NULL};
static const char *const f_submit[] = {"AssignmentId", "Answers", NULL};
static const char *const f_mine[] = {"AssignmentStatus", "NextToken", "MaxResults", NULL};
static const char *const f_login[] = {"Name", "Password", NULL};

#define WK ROLE_WORKER

const struct op ops_worker[] = {
    {"ListAvailableWork", WK, 0, f_none, op_list_available_work, NULL},
    {"AcceptWork", WK, OP_WRITE, f_accept, op_accept_work, NULL},
    {"GetMyAssignment", WK, 0, f_asg, op_get_my_assignment, NULL},
    {"SubmitAssignment", WK, OP_WRITE, f_submit, op_submit, NULL},
    {"ReturnAssignment", WK, OP_WRITE, f_asg, op_return, NULL},
    {"ListMyAssignments", WK, 0, f_mine, op_list_my_assignments, NULL},
    {"GetMyEarnings", WK, 0, f_none, op_get_my_earnings, NULL},
    {"ListMyMessages", WK, 0, f_page, op_list_my_messages, NULL},
    {"RequestQualification", WK, OP_WRITE, f_qual_type, op_request_qualification, NULL},
    {"Login", ROLE_NONE, OP_WRITE, f_login, op_login, prep_login},
};
const size_t ops_worker_n = sizeof ops_worker / sizeof ops_worker[0];
