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
#include "../core/qtest.h"
#include "../core/qc.h"
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

    struct ts_error unmet = {0};
    int can_accept = 1;

    w->rc = store_hit_type_get(w->c->core->st, type_id, &t, w->err);
    if (w->rc)
        return 1;
    if (t.quals_json && strcmp(t.quals_json, "[]") != 0) {
        /* Listed unless a requirement the worker does not meet guards discovery; then
         * Qualified says whether they may accept, and if not, which requirement fails. */
        if (!w->me_loaded) {
            w->rc = quals_worker_load(w->c->core, w->c->who.id, &w->me, w->err);
            if (w->rc) {
                store_hit_type_release(&t);
                return 1;
            }
            w->me_loaded = 1;
        }
        unsigned blocked;
        w->rc = quals_blocked(w->c->core, t.quals_json, &w->me, &blocked, &unmet);
        if (w->rc || (blocked & QUALS_DISCOVER)) {
            store_hit_type_release(&t);
            if (!w->rc)
                return 0;
            *w->err = unmet;
            return 1;
        }
        can_accept = !(blocked & QUALS_ACCEPT);
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
    json_object_set_new(o, "Qualified", json_boolean(can_accept));
    if (!can_accept)
        json_object_set_new(o, "QualificationNotMet", json_string(unmet.msg));
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
    struct avail_walk w = {.c = c, .arr = json_array(), .err = err};
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

void ops_task_urls(struct op_ctx *c, const struct assignment *a, struct buf *submit_to,
                   struct buf *query)
{
    char cap[CAP_SUBMIT_MAX], pseud[16];
    cap_submit_make(c->core->sec, a->id, a->worker_id, cap);
    secrets_pseudonym(c->core->sec, a->requester_id, a->worker_id, pseud);
    buf_printf(submit_to, "%s/w/%s", c->core->cfg->base_url, cap);
    buf_printf(query, "assignmentId=%s&hitId=%s&workerId=%s&turkSubmitTo=", a->id, a->hit_id,
               pseud);
    buf_put_pct(query, submit_to->p, submit_to->len, 0);
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
        buf_put_pct(&query, c->core->cfg->base_url, strlen(c->core->cfg->base_url), 0);
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

/* A HIT as its page shows it before it is accepted (assignmentId
 * ASSIGNMENT_ID_NOT_AVAILABLE), to a worker it is not blocked from and who meets every
 * requirement guarding preview: the named HIT, or by type the one AcceptWork would give. */
static int op_preview_work(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    const char *type_id = NULL, *id = NULL;
    char picked[STORE_ID_MAX];
    struct hit h;
    int rc = param_id(in, "HITTypeId", PARAM_OPTIONAL, &type_id, err);
    if (!rc)
        rc = param_id(in, "HITId", PARAM_OPTIONAL, &id, err);
    if (rc)
        return rc;
    if (!type_id == !id)
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "give exactly one of HITTypeId and HITId");
    if (type_id) {
        rc = qc_pick(c->core, type_id, c->who.id, picked, err);
        if (rc == TS_ENOTFOUND)
            return ts_failk(err, TS_ENOTFOUND, "NoWorkAvailable",
                            "HIT type %s has no HIT left that you can accept", type_id);
        if (rc)
            return rc;
        id = picked;
    }
    rc = store_hit_get(c->core->st, id, &h, err);
    if (rc == TS_ENOTFOUND)
        return ts_failk(err, TS_ENOTFOUND, "HITDoesNotExist", "Hit %s does not exist", id);
    if (rc)
        return rc;
    if (h.disposed)
        rc = ts_failk(err, TS_ENOTFOUND, "HITDoesNotExist", "Hit %s does not exist", id);
    if (!rc)
        rc = asg_may_preview(c->core, c->who.id, &h, err);
    if (!rc)
        rc = store_hit_load_texts(c->core->st, &h, err);
    if (!rc) {
        json_t *task = json_object();
        rc = ops_render_task(c, NULL, &h, task, err);
        json_object_set_new(task, "HITId", json_string(h.id));
        json_object_set_new(task, "HITTypeId", json_string(h.hit_type_id));
        json_object_set_new(out, "Task", task);
    }
    store_hit_release(&h);
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
    return asg_submit(c->core, c->who.id, id, answers, err);
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

/* The active type in's QualificationTypeId names, for a worker to request. */
static int requestable_type_id(struct op_ctx *c, const char *id, struct qual_type *t,
                               struct ts_error *err)
{
    int rc = store_qual_type_get(c->core->st, id, t, err);
    if (rc == 0 && (t->deleted || !t->active)) {
        store_qual_type_release(t);
        rc = TS_ENOTFOUND;
    }
    if (rc == TS_ENOTFOUND)
        return ts_failk(err, TS_ENOTFOUND, "QualificationTypeDoesNotExist",
                        "there is no qualification type %s that can be requested", id);
    return rc;
}

static int requestable_type(struct op_ctx *c, json_t *in, struct qual_type *t,
                            struct ts_error *err)
{
    const char *id = NULL;
    int rc = param_id(in, "QualificationTypeId", PARAM_REQUIRED, &id, err);
    return rc ? rc : requestable_type_id(c, id, t, err);
}

/* Whether the worker may ask for t again, given their last request old (read; released
 * here). 0: yes, and *old_id names the row to reuse; TS_ECONFLICT saying why not. A
 * rejected or scored request, or a test not handed in on time, may be retried once the
 * type's RetryDelayInSeconds has passed since it ended; without a delay never (MTurk). */
static int may_retry(struct op_ctx *c, const struct qual_type *t, struct qual_request *old,
                     char *old_id, struct ts_error *err)
{
    int64_t now = c->core->now_ms, ended = old->decided_ms;
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
static int request_save(struct op_ctx *c, const char *old_id, struct qual_request *r,
                        struct ts_error *err)
{
    char pseud[16];
    int rc = old_id[0] ? store_qual_request_set(c->core->st, old_id, r, err)
                       : store_qual_request_insert(c->core->st, r, err);
    secrets_pseudonym(c->core->sec, r->requester_id, c->who.id, pseud);
    if (!rc)
        rc = store_pseudonym_note(c->core->st, r->requester_id, pseud, c->who.id, err);
    return rc;
}

/* Reads the worker's last request for t into old_id (may_retry): 0 when none or a retry
 * is allowed. With running set, a test still running is reported through *running
 * (and *cur holds it) instead of refused. */
static int last_request(struct op_ctx *c, const struct qual_type *t, char *old_id,
                        struct qual_request *cur, int *running, struct ts_error *err)
{
    int rc = store_qual_request_get(c->core->st, NULL, t->id, c->who.id, cur, err);
    old_id[0] = '\0';
    if (running)
        *running = 0;
    if (rc == TS_ENOTFOUND)
        return 0;
    if (rc)
        return rc;
    if (cur->status == QREQ_TESTING && c->core->now_ms <= cur->deadline_ms) {
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

static void request_new(struct op_ctx *c, const struct qual_type *t, struct qual_request *r)
{
    memset(r, 0, sizeof *r);
    secrets_id_new(r->id);
    memcpy(r->type_id, t->id, sizeof r->type_id);
    r->worker_id = c->who.id;
    r->requester_id = t->requester_id;
    r->submitted_ms = c->core->now_ms;
}

/* Asks for a requester's qualification type: an auto-granted one is given at once, any
 * other waits for the requester (AcceptQualificationRequest or Reject...). A type with a
 * test is asked for by taking it (GetQualificationTest). */
static int op_request_qualification(struct op_ctx *c, json_t *in, json_t *out,
                                    struct ts_error *err)
{
    struct qual_type t;
    struct qual_request r, cur;
    char old_id[STORE_ID_MAX];
    int rc = requestable_type(c, in, &t, err);
    if (rc)
        return rc;
    if (t.test) {
        rc = ts_failk(err, TS_ECONFLICT, "QualificationTestRequired",
                      "%s has a qualification test: take it with GetQualificationTest and "
                      "hand it in with SubmitQualificationTest",
                      t.id);
        goto out;
    }
    rc = last_request(c, &t, old_id, &cur, NULL, err);
    if (rc)
        goto out;
    request_new(c, &t, &r);
    r.status = t.auto_granted ? QREQ_ACCEPTED : QREQ_PENDING;
    if (t.auto_granted) {
        r.value = t.auto_value;
        r.decided_ms = c->core->now_ms;
    }
    rc = request_save(c, old_id, &r, err);
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

/* Hands the worker the test of a type and starts its clock: the answers must come by
 * Deadline (TestDurationInSeconds from the first call). Asking again while the test runs
 * gives the same test and the same deadline. */
/* The page address of a running test, <base>/q/<request id>.<MAC>, into url: the
 * worker's browser shows the test there and posts it to that address + "/submit". */
static void qtest_link(struct op_ctx *c, const char *request_id, int64_t worker_id, char *url,
                       size_t n)
{
    char cap[CAP_SUBMIT_MAX];
    cap_qtest_make(c->core->sec, request_id, worker_id, cap);
    snprintf(url, n, "%s/q/%s", c->core->cfg->base_url, cap);
}

static int op_get_qualification_test(struct op_ctx *c, json_t *in, json_t *out,
                                     struct ts_error *err)
{
    struct qual_type t;
    struct qual_request r;
    struct buf html = BUF_INIT(4 * 1024 * 1024);
    char old_id[STORE_ID_MAX], url[400];
    int running = 0;
    int rc = requestable_type(c, in, &t, err);
    if (rc)
        return rc;
    if (!t.test) {
        rc = ts_failk(err, TS_ENOTFOUND, "QualificationTestDoesNotExist",
                      "%s has no qualification test: ask for it with RequestQualification",
                      t.id);
        goto out;
    }
    rc = last_request(c, &t, old_id, &r, &running, err);
    if (!rc && !running) {
        request_new(c, &t, &r);
        r.status = QREQ_TESTING;
        r.test = xstrdup(t.test);
        r.deadline_ms = c->core->now_ms + t.test_duration_s * 1000;
        rc = request_save(c, old_id, &r, err);
        if (rc)
            store_qual_request_release(&r);
    }
    if (rc)
        goto out;
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
out:
    buf_release(&html);
    store_qual_type_release(&t);
    return rc;
}

/* Hands in the answers of a running test: scored at once with the type's AnswerKey (the
 * mapped value is granted), otherwise kept for the requester to accept or reject. */
/* Hands in answers (an object {QuestionIdentifier: answer}) for worker's running test r
 * of type t: refused after its deadline; scored at once with the type's AnswerKey (the
 * mapped value is granted), otherwise kept for the requester to accept or reject. */
static int qtest_hand_in(struct op_ctx *c, int64_t worker_id, const struct qual_type *t,
                         struct qual_request *r, json_t *answers, json_t *out,
                         struct ts_error *err)
{
    struct qtest_result res = {0};
    char *text = NULL;
    int rc;

    if (c->core->now_ms > r->deadline_ms)
        return ts_failk(err, TS_ECONFLICT, "TestTimeExceeded",
                        "the time for the test of %s ran out %lld seconds ago; nothing was "
                        "recorded",
                        t->id, (long long)((c->core->now_ms - r->deadline_ms) / 1000));
    if (!json_is_object(answers))
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "Answers must be an object {QuestionIdentifier: answer}");
    text = json_dumps(answers, JSON_COMPACT);
    rc = qtest_grade(r->test ? r->test : t->test, t->answer_key, text, &res, err);
    free(text);
    if (rc)
        return rc;
    free(r->answer);
    r->answer = res.answer_xml;
    res.answer_xml = NULL;
    r->submitted_ms = c->core->now_ms;
    r->status = QREQ_PENDING;
    if (res.scored) {
        r->decided_ms = c->core->now_ms;
        r->status = res.has_value ? QREQ_SCORED : QREQ_REJECTED;
        r->value = res.value;
        if (!res.has_value)
            snprintf(r->reason, sizeof r->reason,
                     "your score %lld is outside every range of the answer key",
                     (long long)res.sum);
    }
    rc = store_qual_request_set(c->core->st, r->id, r, err);
    if (!rc && res.scored && res.has_value) {
        struct qual q = {{0}, worker_id, res.value, 1, c->core->now_ms};
        memcpy(q.type_id, t->id, sizeof q.type_id);
        rc = store_qual_put(c->core->st, &q, err);
    }
    if (!rc) {
        json_object_set_new(out, "QualificationRequestId", json_string(r->id));
        json_object_set_new(out, "Status",
                            json_string(r->status == QREQ_SCORED     ? "Granted"
                                        : r->status == QREQ_REJECTED ? "Rejected"
                                                                     : "Pending"));
        if (res.scored)
            json_object_set_new(out, "Score", json_integer(res.sum));
        if (r->status == QREQ_SCORED)
            json_object_set_new(out, "IntegerValue", json_integer(r->value));
        if (r->reason[0])
            json_object_set_new(out, "Reason", json_string(r->reason));
    }
    return rc;
}

static int op_submit_qualification_test(struct op_ctx *c, json_t *in, json_t *out,
                                        struct ts_error *err)
{
    struct qual_type t;
    struct qual_request r;
    int rc = requestable_type(c, in, &t, err);
    if (rc)
        return rc;
    rc = store_qual_request_get(c->core->st, NULL, t.id, c->who.id, &r, err);
    if (rc == TS_ENOTFOUND || (rc == 0 && r.status != QREQ_TESTING)) {
        if (rc == 0)
            store_qual_request_release(&r);
        rc = ts_failk(err, TS_ECONFLICT, "NoTestInProgress",
                      "you are not taking the test of %s: start it with GetQualificationTest",
                      t.id);
    }
    if (!rc) {
        rc = qtest_hand_in(c, c->who.id, &t, &r, json_object_get(in, "Answers"), out, err);
        store_qual_request_release(&r);
    }
    store_qual_type_release(&t);
    return rc;
}

/* The worker's own profile: Subdivision (ISO 3166-2, "" to clear) and Adult (consent to
 * adult content, Worker_Adult). Members left out stay as they are; {} just reads it. */
static int op_update_my_profile(struct op_ctx *c, json_t *in, json_t *out,
                                struct ts_error *err)
{
    struct account a;
    const char *sd = NULL;
    int adult = -1;
    int rc = param_str(in, "Subdivision", PARAM_OPTIONAL, 16, &sd, err);
    if (!rc)
        rc = param_bool(in, "Adult", PARAM_OPTIONAL, &adult, err);
    if (!rc)
        rc = store_account_get(c->core->st, c->who.id, &a, err);
    if (rc)
        return rc;
    if (sd && sd[0] && quals_subdivision_check(a.country, sd, err)) {
        char msg[sizeof err->msg];
        memcpy(msg, err->msg, sizeof msg);
        return ts_failk(err, TS_EINVAL, "ParameterValidationError", "Subdivision: %s", msg);
    }
    if (sd || adult >= 0) {
        if (sd)
            snprintf(a.subdivision, sizeof a.subdivision, "%s", sd);
        if (adult >= 0)
            a.adult = adult;
        rc = store_account_profile_set(c->core->st, &a, err);
    }
    if (!rc) {
        json_object_set_new(out, "Country", json_string(a.country));
        json_object_set_new(out, "Subdivision", json_string(a.subdivision));
        json_object_set_new(out, "Adult", json_boolean(a.adult));
    }
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
    if (!rc && (r->status != QREQ_TESTING || c->core->now_ms > r->deadline_ms))
        rc = ts_failk(err, TS_ECONFLICT, "NoTestInProgress",
                      "this test is over: it was handed in, or its time ran out");
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
    json_t *files = json_object_get(in, "Files");
    char *posted, *answers = NULL;
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
    posted = rc ? NULL : json_dumps(json_object_get(in, "Answers"), JSON_COMPACT);
    if (posted)
        answers = qform_from_post(q.form, posted, err);
    if (!rc && !answers)
        rc = TS_EINVAL;
    if (!rc) {
        struct qual_type t;
        rc = requestable_type_id(c, r.type_id, &t, err);
        if (!rc) {
            json_t *a = json_loads(answers, 0, NULL);
            rc = qtest_hand_in(c, r.worker_id, &t, &r, a, out, err);
            json_decref(a);
            store_qual_type_release(&t);
        }
    }
    free(posted);
    free(answers);
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
static const char *const f_page[] = {"NextToken", "MaxResults", NULL};
static const char *const f_qual_type[] = {"QualificationTypeId", NULL};
static const char *const f_accept[] = {"HITTypeId", "HITId", NULL};
static const char *const f_asg[] = {"AssignmentId", NULL};
static const char *const f_submit[] = {"AssignmentId", "Answers", NULL};
static const char *const f_mine[] = {"AssignmentStatus", "NextToken", "MaxResults", NULL};
static const char *const f_qual_test[] = {"QualificationTypeId", "Answers", NULL};
static const char *const f_profile[] = {"Subdivision", "Adult", NULL};

#define WK ROLE_WORKER

const struct op ops_worker[] = {
    {"ListAvailableWork", WK, 0, f_none, op_list_available_work, NULL},
    {"AcceptWork", WK, OP_WRITE, f_accept, op_accept_work, NULL},
    {"PreviewWork", WK, 0, f_accept, op_preview_work, NULL},
    {"GetMyAssignment", WK, 0, f_asg, op_get_my_assignment, NULL},
    {"SubmitAssignment", WK, OP_WRITE, f_submit, op_submit, NULL},
    {"ReturnAssignment", WK, OP_WRITE, f_asg, op_return, NULL},
    {"ListMyAssignments", WK, 0, f_mine, op_list_my_assignments, NULL},
    {"GetMyEarnings", WK, 0, f_none, op_get_my_earnings, NULL},
    {"ListMyMessages", WK, 0, f_page, op_list_my_messages, NULL},
    {"RequestQualification", WK, OP_WRITE, f_qual_type, op_request_qualification, NULL},
    {"GetQualificationTest", WK, OP_WRITE, f_qual_type, op_get_qualification_test, NULL},
    {"SubmitQualificationTest", WK, OP_WRITE, f_qual_test, op_submit_qualification_test, NULL},
    {"UpdateMyProfile", WK, OP_WRITE, f_profile, op_update_my_profile, NULL},
};
const size_t ops_worker_n = sizeof ops_worker / sizeof ops_worker[0];
