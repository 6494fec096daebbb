/* ops_work.c: the worker's work: find it (with its measured median time and hourly
 * pay), preview and accept it, see the task, submit or return it, and list one's own
 * assignments. A worker only ever sees their own assignments. Pay figures come from
 * core/pay.c. */
#include "ops.h"
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include "param.h"
#include "render.h"
#include "../core/hit.h"
#include "../core/asg.h"
#include "../core/cap.h"
#include "../core/pay.h"
#include "../core/pseudonym.h"
#include "../doc/question.h"
#include "../doc/qform.h"
#include "../core/qc.h"
#include "../core/quals.h"
#include "../core/timers.h"
#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/banned.h"

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
        render_money(o, "MedianHourlyPay", pay_hourly(t.reward, median));
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
    render_time(o, "AutoApprovalTime", timers_auto_approval_due(a));
    render_time(o, "ApprovalTime", a->approved_ms);
    render_time(o, "RejectionTime", a->rejected_ms);
    if (a->feedback)
        json_object_set_new(o, "RequesterFeedback", json_string(a->feedback));
    if (a->submitted_ms)
        json_object_set_new(o, "WorkTimeInSeconds", json_real((double)pay_work_ms(a) / 1000.0));
    return o;
}

/* The work in names: exactly one of HITTypeId (any HIT of the type) and HITId. */
static int read_work_ref(json_t *in, const char **type_id, const char **hit_id,
                         struct ts_error *err)
{
    int rc = param_id(in, "HITTypeId", PARAM_OPTIONAL, type_id, err);
    if (!rc)
        rc = param_id(in, "HITId", PARAM_OPTIONAL, hit_id, err);
    if (rc)
        return rc;
    if (!*type_id == !*hit_id)
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "give exactly one of HITTypeId and HITId");
    return 0;
}

static int op_accept_work(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    const char *type_id = NULL, *hit_id = NULL;
    struct assignment a;
    int rc = read_work_ref(in, &type_id, &hit_id, err);
    if (rc)
        return rc;
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
    char cap[CAP_SUBMIT_MAX], pseud[PSEUDONYM_SIZE];
    cap_submit_make(c->core->sec, a->id, a->worker_id, cap);
    pseudonym_derive(c->core->sec, a->requester_id, a->worker_id, pseud);
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
    int rc = read_work_ref(in, &type_id, &id, err);
    if (rc)
        return rc;
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
    if (pay_work_ms(a) > 0)
        render_money(o, "HourlyPay", pay_hourly(h.reward, pay_work_ms(a)));
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

static const char *const f_none[] = {NULL};
static const char *const f_accept[] = {"HITTypeId", "HITId", NULL};
static const char *const f_asg[] = {"AssignmentId", NULL};
static const char *const f_submit[] = {"AssignmentId", "Answers", NULL};
static const char *const f_mine[] = {"AssignmentStatus", "NextToken", "MaxResults", NULL};

#define WK ROLE_WORKER

const struct op ops_work[] = {
    {"ListAvailableWork", WK, 0, f_none, op_list_available_work, NULL},
    {"AcceptWork", WK, OP_WRITE, f_accept, op_accept_work, NULL},
    {"PreviewWork", WK, 0, f_accept, op_preview_work, NULL},
    {"GetMyAssignment", WK, 0, f_asg, op_get_my_assignment, NULL},
    {"SubmitAssignment", WK, OP_WRITE, f_submit, op_submit, NULL},
    {"ReturnAssignment", WK, OP_WRITE, f_asg, op_return, NULL},
    {"ListMyAssignments", WK, 0, f_mine, op_list_my_assignments, NULL},
};
const size_t ops_work_n = sizeof ops_work / sizeof ops_work[0];
