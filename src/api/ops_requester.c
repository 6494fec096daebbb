/* ops_requester.c: the requester operations with Mechanical Turk's names, members and
 * JSON shapes (../shared/MTURK.md §4), so the MTurk door dispatches into the same
 * functions. Each validates its input, calls the core, and renders the answer. */
#include "ops.h"
#include <string.h>
#include <stdlib.h>
#include "param.h"
#include "render.h"
#include "../core/hit.h"
#include "../core/asg.h"
#include "../core/layout.h"
#include "../core/ledger.h"
#include "../core/pseudonym.h"
#include "../doc/question.h"
#include "../core/quals.h"
#include "../core/review.h"
#include "../core/timers.h"
#include "../util/alloc.h"
#include "../util/money.h"
#include "../util/text.h"
#include "../util/banned.h"

#define TEXT_MAX_BYTES (16 * 1024)

/* Fills t from the HIT type members of in. t's strings are borrowed from in except
 * quals_json, which is allocated (free it). */
int ops_read_hit_type(struct op_ctx *c, json_t *in, struct hit_type *t, struct ts_error *err)
{
    const char *title = NULL, *desc = NULL, *kw = "";
    int64_t reward = 0, duration = 0, autoapp = 2592000;
    json_t *quals;
    int rc;

    memset(t, 0, sizeof *t);
    rc = param_str(in, "Title", PARAM_REQUIRED, TEXT_MAX_BYTES, &title, err);
    if (!rc)
        rc = param_str(in, "Description", PARAM_REQUIRED, TEXT_MAX_BYTES, &desc, err);
    if (!rc)
        rc = param_str(in, "Keywords", PARAM_OPTIONAL, TEXT_MAX_BYTES, &kw, err);
    if (!rc)
        rc = param_money(in, "Reward", PARAM_REQUIRED, &reward, err);
    if (!rc)
        rc = param_int(in, "AssignmentDurationInSeconds", PARAM_REQUIRED, 0, TIMERS_SECONDS_MAX,
                       &duration, err);
    if (!rc)
        rc = param_int(in, "AutoApprovalDelayInSeconds", PARAM_OPTIONAL, 0, TIMERS_SECONDS_MAX,
                       &autoapp, err);
    if (rc)
        return rc;
    quals = json_object_get(in, "QualificationRequirements");
    if (quals && !json_is_null(quals)) {
        /* Requirements this build cannot check are refused, never stored and ignored. */
        rc = quals_validate(c->core, c->who.id, quals, err);
        if (rc)
            return rc;
        t->quals_json = json_dumps(quals, JSON_COMPACT | JSON_SORT_KEYS);
    }
    t->requester_id = c->who.id;
    t->title = (char *)title;
    t->description = (char *)desc;
    t->keywords = (char *)kw;
    t->reward = reward;
    t->duration_s = duration;
    t->auto_approval_s = autoapp;
    return 0;
}

/* The Question a HIT gets from HITLayoutId + HITLayoutParameters: the caller's layout,
 * filled. *question is the caller's to free. */
static int read_layout_question(struct op_ctx *c, json_t *in, struct hit_params *p,
                                char **question, struct ts_error *err)
{
    const char *layout_id = NULL;
    struct hit_layout l;
    int rc = param_id(in, "HITLayoutId", PARAM_REQUIRED, &layout_id, err);
    if (!rc)
        rc = layout_get_owned(c->core, c->who.id, layout_id, &l, err);
    if (rc)
        return rc;
    json_t *params = json_object_get(in, "HITLayoutParameters");
    rc = layout_fill(&l, json_is_null(params) ? NULL : params, question, err);
    if (!rc)
        p->layout_id = layout_id;
    store_layout_release(&l);
    return rc;
}

/* Reads the review policy member name (level: enum review_level) into *pol when present;
 * *have says whether it was. The caller releases *pol. */
static int read_policy(json_t *in, const char *name, int level, struct review_policy *pol,
                       int *have, struct ts_error *err)
{
    json_t *v = json_object_get(in, name);
    memset(pol, 0, sizeof *pol);
    *have = v && !json_is_null(v);
    return *have ? review_policy_read(v, level, pol, err) : 0;
}

/* Reads and validates the members that create a HIT of an existing type. The Question
 * is given, or made from a layout; in the second case *owned holds it (caller frees). */
static int read_hit_params(struct op_ctx *c, json_t *in, struct hit_params *p, char **owned,
                           struct ts_error *err)
{
    const char *question = NULL;
    struct question q;
    json_t *qv = json_object_get(in, "Question"), *lv = json_object_get(in, "HITLayoutId");
    int rc;

    memset(p, 0, sizeof *p);
    *owned = NULL;
    p->max_assignments = 1;
    rc = param_int(in, "LifetimeInSeconds", PARAM_REQUIRED, 0, TIMERS_SECONDS_MAX, &p->lifetime_s,
                   err);
    if (!rc)
        rc = param_int(in, "MaxAssignments", PARAM_OPTIONAL, 0, INT64_MAX, &p->max_assignments,
                       err);
    if (!rc)
        rc = param_str(in, "RequesterAnnotation", PARAM_OPTIONAL, 1024, &p->annotation, err);
    if (!rc)
        rc = param_str(in, "UniqueRequestToken", PARAM_OPTIONAL, 64, &p->unique_token, err);
    if (rc)
        return rc;
    if ((qv && !json_is_null(qv)) == (lv && !json_is_null(lv)))
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "give exactly one of Question and HITLayoutId");
    if (lv && !json_is_null(lv)) {
        rc = read_layout_question(c, in, p, owned, err);
        if (!rc)
            p->question = *owned;
        return rc;
    }
    json_t *pv = json_object_get(in, "HITLayoutParameters");
    if (pv && !json_is_null(pv))
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "HITLayoutParameters goes with HITLayoutId, not with Question");
    rc = param_str(in, "Question", PARAM_REQUIRED, QUESTION_MAX_BYTES + 1, &question, err);
    if (rc)
        return rc;
    rc = question_parse(question, strlen(question), &q, err);
    if (rc) {
        if (err)
            err->kind = "XMLParseError";
        return rc;
    }
    p->form = q.kind == QUESTION_FORM;
    question_release(&q);
    p->question = question;
    return 0;
}

static int create_on_type(struct op_ctx *c, const struct hit_type *t, json_t *in, json_t *out,
                          struct ts_error *err)
{
    struct hit_params p;
    struct review_policy pa, ph;
    struct hit h;
    char *owned;
    int has_a = 0, has_h = 0;
    int rc = read_hit_params(c, in, &p, &owned, err);
    if (!rc)
        rc = read_policy(in, "AssignmentReviewPolicy", REVIEW_ASSIGNMENT, &pa, &has_a, err);
    if (!rc)
        rc = read_policy(in, "HITReviewPolicy", REVIEW_HIT, &ph, &has_h, err);
    if (!rc)
        rc = hit_create(c->core, t, &p, &h, err);
    free(owned);
    if (!rc && (has_a || has_h)) {
        rc = review_attach(c->core, h.id, has_a ? &pa : NULL, has_h ? &ph : NULL, err);
        if (rc)
            store_hit_release(&h);
    }
    if (has_a)
        store_review_policy_release(&pa);
    if (has_h)
        store_review_policy_release(&ph);
    if (rc)
        return rc;
    json_object_set_new(out, "HIT", render_hit(&h, t, c->core->now_ms));
    store_hit_release(&h);
    return 0;
}

static int op_create_hit_type(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    struct hit_type t;
    char id[STORE_ID_MAX];
    int rc = ops_read_hit_type(c, in, &t, err);
    if (!rc)
        rc = hit_type_create(c->core, &t, id, err);
    if (!rc)
        json_object_set_new(out, "HITTypeId", json_string(id));
    free(t.quals_json);
    return rc;
}

static int op_create_hit(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    struct hit_type t;
    char id[STORE_ID_MAX];
    int rc = ops_read_hit_type(c, in, &t, err);
    if (!rc)
        rc = hit_type_create(c->core, &t, id, err);
    if (!rc) {
        memcpy(t.id, id, STORE_ID_MAX);
        rc = create_on_type(c, &t, in, out, err);
    }
    free(t.quals_json);
    return rc;
}

static int op_create_hit_with_type(struct op_ctx *c, json_t *in, json_t *out,
                                   struct ts_error *err)
{
    const char *type_id = NULL;
    struct hit_type t;
    int rc = param_id(in, "HITTypeId", PARAM_REQUIRED, &type_id, err);
    if (!rc)
        rc = hit_type_get_owned(c->core, c->who.id, type_id, &t, err);
    if (rc)
        return rc;
    rc = create_on_type(c, &t, in, out, err);
    store_hit_type_release(&t);
    return rc;
}

static int op_get_hit(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    const char *id = NULL;
    struct hit h;
    struct hit_type t;
    int rc = param_id(in, "HITId", PARAM_REQUIRED, &id, err);
    if (!rc)
        rc = core_hit_get_owned(c->core, c->who.id, id, &h, err);
    if (rc)
        return rc;
    rc = store_hit_load_texts(c->core->st, &h, err);
    if (!rc)
        rc = store_hit_type_get(c->core->st, h.hit_type_id, &t, err);
    if (!rc) {
        json_object_set_new(out, "HIT", render_hit(&h, &t, c->core->now_ms));
        store_hit_type_release(&t);
    }
    store_hit_release(&h);
    return rc;
}

struct hit_walk {
    struct op_ctx *c;
    json_t *arr;
    struct hit_type cache;
    struct ts_error *err;
};

static int hit_walk_cb(void *ctx, const struct hit *h)
{
    struct hit_walk *w = ctx;
    json_t *o;
    if (render_hit_cached(w->c, h, &w->cache, &o, w->err))
        return 1;
    json_array_append_new(w->arr, o);
    return 0;
}

static int list_hits(struct op_ctx *c, json_t *in, json_t *out, struct hit_filter *f,
                     struct ts_error *err)
{
    struct hit_walk w;
    int64_t after, last = 0;
    int limit, more = 0;
    memset(&w, 0, sizeof w);
    w.c = c;
    w.arr = json_array();
    w.err = err;
    int rc = param_page(in, &after, &limit, err);
    if (!rc)
        rc = store_hit_list(c->core->st, f, after, limit, hit_walk_cb, &w, &last, &more, err);
    store_hit_type_release(&w.cache);
    return param_page_reply(out, "HITs", w.arr, last, more, rc);
}

static int op_list_hits(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    struct hit_filter f = {c->who.id, NULL, NULL, HIT_LIST_LIVE, c->core->now_ms, NULL};
    return list_hits(c, in, out, &f, err);
}

/* The caller's live HITs whose type has a requirement on one of its qualification
 * types (or on a system type). */
static int op_list_hits_for_qual(struct op_ctx *c, json_t *in, json_t *out,
                                 struct ts_error *err)
{
    struct hit_filter f = {c->who.id, NULL, NULL, HIT_LIST_LIVE, c->core->now_ms, NULL};
    int rc = param_id(in, "QualificationTypeId", PARAM_REQUIRED, &f.qual_type_id, err);
    if (rc)
        return rc;
    if (!quals_is_system(f.qual_type_id)) {
        /* Another requester's type is refused like a missing one; the helper keeps
         * nothing of it (a Test may be 64 KB). */
        struct qual_type q;
        rc = quals_type_get_owned(c->core, c->who.id, f.qual_type_id, 1, &q, err);
        if (rc)
            return rc;
        store_qual_type_release(&q);
    }
    return list_hits(c, in, out, &f, err);
}

static int op_list_reviewable_hits(struct op_ctx *c, json_t *in, json_t *out,
                                   struct ts_error *err)
{
    struct hit_filter f = {c->who.id, NULL, NULL, HIT_LIST_REVIEWABLE, c->core->now_ms, NULL};
    const char *status = NULL;
    int rc = param_id(in, "HITTypeId", PARAM_OPTIONAL, &f.hit_type_id, err);
    if (!rc)
        rc = param_str(in, "Status", PARAM_OPTIONAL, 32, &status, err);
    if (rc)
        return rc;
    if (status && strcmp(status, "Reviewing") == 0)
        f.mode = HIT_LIST_REVIEWING;
    else if (status && strcmp(status, "Reviewable") != 0)
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "Status must be Reviewable or Reviewing");
    return list_hits(c, in, out, &f, err);
}

struct asg_walk {
    struct op_ctx *c;
    json_t *arr;
    const struct qform *form; /* the HIT's QuestionForm, or NULL */
    struct ts_error *err;
};

static int asg_walk_cb(void *ctx, const struct assignment *a)
{
    struct asg_walk *w = ctx;
    json_t *o = render_asg_form(w->c, a, w->form, w->err);
    if (!o)
        return 1;
    json_array_append_new(w->arr, o);
    return 0;
}

static int op_list_assignments(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    const char *id = NULL;
    struct hit h;
    struct asg_filter f = {0};
    int64_t after, last = 0;
    int limit, more = 0;
    json_t *st = json_object_get(in, "AssignmentStatuses");
    int rc = param_id(in, "HITId", PARAM_REQUIRED, &id, err);
    if (!rc)
        rc = param_page(in, &after, &limit, err);
    if (rc)
        return rc;
    f.status_mask = ASG_MASK_FINISHED;
    if (st && !json_is_null(st)) {
        size_t i;
        json_t *v;
        if (!json_is_array(st) || json_array_size(st) == 0 || json_array_size(st) > 3)
            return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                            "AssignmentStatuses must be a list of Submitted, Approved, Rejected");
        f.status_mask = 0;
        json_array_foreach(st, i, v)
        {
            const char *s = json_string_value(v);
            if (s && strcmp(s, "Submitted") == 0)
                f.status_mask |= ASG_MASK(ASG_SUBMITTED);
            else if (s && strcmp(s, "Approved") == 0)
                f.status_mask |= ASG_MASK(ASG_APPROVED);
            else if (s && strcmp(s, "Rejected") == 0)
                f.status_mask |= ASG_MASK(ASG_REJECTED);
            else
                return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                                "AssignmentStatuses may hold only Submitted, Approved, Rejected");
        }
    }
    rc = core_hit_get_owned(c->core, c->who.id, id, &h, err);
    if (rc)
        return rc;
    store_hit_release(&h);
    struct question q;
    rc = render_question_load(c, id, &q, err);
    if (rc)
        return rc;
    f.hit_id = id;
    struct asg_walk w = {c, json_array(), q.form, err};
    rc = store_asg_list(c->core->st, &f, after, limit, asg_walk_cb, &w, &last, &more, err);
    question_release(&q);
    return param_page_reply(out, "Assignments", w.arr, last, more, rc);
}

static int op_get_assignment(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    const char *id = NULL;
    struct assignment a;
    struct hit h;
    struct hit_type t;
    json_t *o;
    int rc = param_id(in, "AssignmentId", PARAM_REQUIRED, &id, err);
    if (!rc)
        rc = asg_get_owned(c->core, c->who.id, id, &a, err);
    if (rc)
        return rc;
    if (!asg_is_finished(&a)) {
        store_asg_release(&a);
        return ts_failk(err, TS_ENOTFOUND, "AssignmentDoesNotExist",
                        "Assignment %s has not been submitted", id);
    }
    rc = store_hit_get(c->core->st, a.hit_id, &h, err);
    if (!rc) {
        rc = store_hit_load_texts(c->core->st, &h, err);
        if (!rc)
            rc = store_hit_type_get(c->core->st, h.hit_type_id, &t, err);
        if (!rc) {
            o = render_asg(c, &a, err);
            if (!o)
                rc = err->code;
            else {
                json_object_set_new(out, "Assignment", o);
                json_object_set_new(out, "HIT", render_hit(&h, &t, c->core->now_ms));
            }
            store_hit_type_release(&t);
        }
        store_hit_release(&h);
    }
    store_asg_release(&a);
    return rc;
}

static int op_approve(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    const char *id = NULL, *fb = NULL;
    int override = 0;
    (void)out;
    int rc = param_id(in, "AssignmentId", PARAM_REQUIRED, &id, err);
    if (!rc)
        rc = param_str(in, "RequesterFeedback", PARAM_OPTIONAL, TEXT_MAX_BYTES, &fb, err);
    if (!rc)
        rc = param_bool(in, "OverrideRejection", PARAM_OPTIONAL, &override, err);
    if (!rc)
        rc = asg_approve(c->core, c->who.id, id, fb, override, err);
    return rc;
}

static int op_reject(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    const char *id = NULL, *fb = NULL;
    (void)out;
    int rc = param_id(in, "AssignmentId", PARAM_REQUIRED, &id, err);
    if (!rc)
        rc = param_str(in, "RequesterFeedback", PARAM_REQUIRED, TEXT_MAX_BYTES, &fb, err);
    if (!rc)
        rc = asg_reject(c->core, c->who.id, id, fb, err);
    return rc;
}

static int op_send_bonus(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    const char *worker = NULL, *id = NULL, *reason = NULL, *token = NULL;
    int64_t amount = 0;
    struct bonus b;
    (void)out;
    int rc = param_str(in, "WorkerId", PARAM_REQUIRED, 64, &worker, err);
    if (!rc)
        rc = param_money(in, "BonusAmount", PARAM_REQUIRED, &amount, err);
    if (!rc)
        rc = param_id(in, "AssignmentId", PARAM_REQUIRED, &id, err);
    if (!rc)
        rc = param_str(in, "Reason", PARAM_REQUIRED, TEXT_MAX_BYTES, &reason, err);
    if (!rc)
        rc = param_str(in, "UniqueRequestToken", PARAM_OPTIONAL, 64, &token, err);
    if (!rc)
        rc = asg_bonus(c->core, c->who.id, worker, id, amount, reason, token, &b, err);
    if (!rc)
        store_bonus_release(&b);
    return rc;
}

struct bonus_walk {
    struct op_ctx *c;
    json_t *arr;
};

static int bonus_walk_cb(void *ctx, const struct bonus *b)
{
    struct bonus_walk *w = ctx;
    json_array_append_new(w->arr, render_bonus(w->c, b));
    return 0;
}

static int op_list_bonus_payments(struct op_ctx *c, json_t *in, json_t *out,
                                  struct ts_error *err)
{
    struct bonus_filter f = {c->who.id, NULL, NULL};
    int64_t after, last = 0;
    int limit, more = 0;
    int rc = param_id(in, "HITId", PARAM_OPTIONAL, &f.hit_id, err);
    if (!rc)
        rc = param_id(in, "AssignmentId", PARAM_OPTIONAL, &f.assignment_id, err);
    if (!rc)
        rc = param_page(in, &after, &limit, err);
    if (rc)
        return rc;
    if (!f.hit_id == !f.assignment_id)
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "give exactly one of HITId and AssignmentId");
    if (f.hit_id) {
        struct hit h;
        rc = core_hit_get_owned(c->core, c->who.id, f.hit_id, &h, err);
        if (rc)
            return rc;
        store_hit_release(&h);
    } else {
        struct assignment a;
        rc = asg_get_owned(c->core, c->who.id, f.assignment_id, &a, err);
        if (rc)
            return rc;
        store_asg_release(&a);
    }
    struct bonus_walk w = {c, json_array()};
    rc = store_bonus_list(c->core->st, &f, after, limit, bonus_walk_cb, &w, &last, &more, err);
    return param_page_reply(out, "BonusPayments", w.arr, last, more, rc);
}

static int op_get_account_balance(struct op_ctx *c, json_t *in, json_t *out,
                                  struct ts_error *err)
{
    int64_t avail, hold;
    (void)in;
    int rc = ledger_balance(c->core, c->who.id, LEDGER_AVAILABLE, &avail, err);
    if (!rc)
        rc = ledger_balance(c->core, c->who.id, LEDGER_ESCROW, &hold, err);
    if (rc)
        return rc;
    render_money(out, "AvailableBalance", avail);
    render_money(out, "OnHoldBalance", hold);
    return 0;
}

static int op_update_expiration(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    const char *id = NULL;
    int64_t at = 0;
    (void)out;
    int rc = param_id(in, "HITId", PARAM_REQUIRED, &id, err);
    if (!rc)
        rc = param_time_ms(in, "ExpireAt", PARAM_REQUIRED, &at, err);
    if (!rc)
        rc = core_hit_due(c->core, c->who.id, id, err);
    if (!rc)
        rc = hit_update_expiration(c->core, c->who.id, id, at, err);
    return rc;
}

static int op_delete_hit(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    const char *id = NULL;
    (void)out;
    int rc = param_id(in, "HITId", PARAM_REQUIRED, &id, err);
    if (!rc)
        rc = core_hit_due(c->core, c->who.id, id, err);
    if (!rc)
        rc = hit_delete(c->core, c->who.id, id, err);
    return rc;
}

static int op_create_additional(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    const char *id = NULL, *token = NULL;
    int64_t n = 0;
    (void)out;
    int rc = param_id(in, "HITId", PARAM_REQUIRED, &id, err);
    if (!rc)
        rc = param_int(in, "NumberOfAdditionalAssignments", PARAM_REQUIRED, 1, INT64_MAX, &n, err);
    if (!rc)
        rc = param_str(in, "UniqueRequestToken", PARAM_OPTIONAL, 64, &token, err);
    if (!rc)
        rc = core_hit_due(c->core, c->who.id, id, err);
    if (!rc)
        rc = hit_add_assignments(c->core, c->who.id, id, n, token, err);
    return rc;
}

static int op_update_review_status(struct op_ctx *c, json_t *in, json_t *out,
                                   struct ts_error *err)
{
    const char *id = NULL;
    int revert = 0;
    (void)out;
    int rc = param_id(in, "HITId", PARAM_REQUIRED, &id, err);
    if (!rc)
        rc = param_bool(in, "Revert", PARAM_OPTIONAL, &revert, err);
    if (!rc)
        rc = core_hit_due(c->core, c->who.id, id, err);
    if (!rc)
        rc = hit_set_reviewing(c->core, c->who.id, id, revert, err);
    return rc;
}

#define TYPE_FIELDS                                                                         \
    "Title", "Description", "Keywords", "Reward", "AssignmentDurationInSeconds",           \
        "AutoApprovalDelayInSeconds", "QualificationRequirements"
#define HIT_FIELDS                                                                          \
    "LifetimeInSeconds", "MaxAssignments", "Question", "RequesterAnnotation",              \
        "UniqueRequestToken", "AssignmentReviewPolicy", "HITReviewPolicy", "HITLayoutId",  \
        "HITLayoutParameters"

static const char *const f_create_type[] = {TYPE_FIELDS, NULL};
static const char *const f_create_hit[] = {TYPE_FIELDS, HIT_FIELDS, NULL};
/* ---- Worker blocks: a blocked worker is offered none of the requester's HITs, and is
 * told the reason when trying one by id. Workers are named by pseudonym. */

int ops_worker_named(struct op_ctx *c, json_t *in, int64_t *worker, struct ts_error *err)
{
    const char *pseud = NULL;
    int rc = param_str(in, "WorkerId", PARAM_REQUIRED, 64, &pseud, err);
    if (rc)
        return rc;
    return pseudonym_resolve(c->core, c->who.id, pseud, worker, err);
}

static int op_create_worker_block(struct op_ctx *c, json_t *in, json_t *out,
                                  struct ts_error *err)
{
    const char *reason = NULL;
    int64_t worker = 0;
    long n;
    int rc = param_str(in, "Reason", PARAM_REQUIRED, 4096, &reason, err);
    (void)out;
    if (!rc)
        rc = ops_worker_named(c, in, &worker, err);
    if (rc)
        return rc;
    n = text_utf8_chars(reason, strlen(reason));
    if (n < 1 || n > 1024)
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "Reason must be 1 to 1024 characters of text: the worker sees it");
    return store_block_put(c->core->st, c->who.id, worker, reason, c->core->now_ms, err);
}

static int op_delete_worker_block(struct op_ctx *c, json_t *in, json_t *out,
                                  struct ts_error *err)
{
    const char *reason = NULL;
    int64_t worker = 0;
    int rc = param_str(in, "Reason", PARAM_OPTIONAL, 4096, &reason, err);
    (void)out;
    if (!rc)
        rc = ops_worker_named(c, in, &worker, err); /* an unknown worker: 404 */
    if (rc)
        return rc;
    rc = store_block_delete(c->core->st, c->who.id, worker, err);
    return rc == TS_ENOTFOUND ? 0 : rc; /* a known worker not blocked: nothing to undo */
}

struct block_walk {
    struct op_ctx *c;
    json_t *arr;
};

static int block_cb(void *ctx, int64_t worker_id, const char *reason)
{
    struct block_walk *w = ctx;
    char pseud[16];
    json_t *o = json_object();
    pseudonym_derive(w->c->core->sec, w->c->who.id, worker_id, pseud);
    json_object_set_new(o, "WorkerId", json_string(pseud));
    json_object_set_new(o, "Reason", json_string(reason ? reason : ""));
    json_array_append_new(w->arr, o);
    return 0;
}

static int op_list_worker_blocks(struct op_ctx *c, json_t *in, json_t *out,
                                 struct ts_error *err)
{
    struct block_walk w = {c, NULL};
    int64_t after, last = 0;
    int limit, more = 0;
    int rc = param_page(in, &after, &limit, err);
    if (rc)
        return rc;
    w.arr = json_array();
    rc = store_block_list(c->core->st, c->who.id, after, limit, block_cb, &w, &last, &more, err);
    return param_page_reply(out, "WorkerBlocks", w.arr, last, more, rc);
}

/* UpdateHITTypeOfHIT: the HIT takes another of the caller's types (title, description,
 * keywords, duration, auto-approval, qualification requirements), if the core lets it
 * (core_hit_may_take_type: the same Reward). */
static int op_update_hit_type(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    const char *hit_id = NULL, *type_id = NULL;
    struct hit h;
    struct hit_type t;
    int rc = param_id(in, "HITId", PARAM_REQUIRED, &hit_id, err);
    (void)out;
    if (!rc)
        rc = param_id(in, "HITTypeId", PARAM_REQUIRED, &type_id, err);
    if (!rc)
        rc = core_hit_get_owned(c->core, c->who.id, hit_id, &h, err);
    if (rc)
        return rc;
    rc = hit_type_get_owned(c->core, c->who.id, type_id, &t, err);
    if (rc) {
        store_hit_release(&h);
        return rc;
    }
    rc = core_hit_may_take_type(&h, &t, err);
    if (!rc) {
        memcpy(h.hit_type_id, t.id, sizeof h.hit_type_id);
        rc = store_hit_set_type(c->core->st, &h, err);
    }
    store_hit_type_release(&t);
    store_hit_release(&h);
    return rc;
}

/* ---- NotifyWorkers: a message to workers whose work the caller approved or rejected
 * (as on MTurk), read by them with ListMyMessages. A worker it cannot reach is reported,
 * not an error of the whole call. */
static void notify_failure(json_t *arr, const char *worker, const char *msg)
{
    json_t *o = json_object();
    json_object_set_new(o, "NotifyWorkersFailureCode", json_string("HardFailure"));
    json_object_set_new(o, "NotifyWorkersFailureMessage", json_string(msg));
    json_object_set_new(o, "WorkerId", json_string(worker));
    json_array_append_new(arr, o);
}

static int op_notify_workers(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    const char *subject = NULL, *text = NULL;
    json_t *ids = json_object_get(in, "WorkerIds"), *v, *fails;
    size_t i;
    long n;
    int rc = param_str(in, "Subject", PARAM_REQUIRED, 4096, &subject, err);
    if (!rc)
        rc = param_str(in, "MessageText", PARAM_REQUIRED, 65536, &text, err);
    if (rc)
        return rc;
    n = text_utf8_chars(subject, strlen(subject));
    if (n < 1 || n > 200)
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "Subject must be 1 to 200 characters of text");
    n = text_utf8_chars(text, strlen(text));
    if (n < 1 || n > 4096)
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "MessageText must be 1 to 4096 characters of text");
    if (!json_is_array(ids) || json_array_size(ids) < 1 || json_array_size(ids) > 100)
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "WorkerIds must be a list of 1 to 100 worker ids");
    json_array_foreach(ids, i, v)
    {
        if (!json_is_string(v) || json_string_length(v) < 1 || json_string_length(v) > 64)
            return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                            "WorkerIds must hold worker ids");
    }
    fails = json_array();
    json_array_foreach(ids, i, v)
    {
        const char *pseud = json_string_value(v);
        struct message m = {0, 0, c->who.id, subject, text, c->core->now_ms};
        int reviewed = 0;
        rc = pseudonym_resolve(c->core, c->who.id, pseud, &m.worker_id, err);
        if (rc == TS_ENOTFOUND) {
            notify_failure(fails, pseud, "no such worker has worked for you");
            continue;
        }
        if (!rc)
            rc = store_reviewed_work_of(c->core->st, c->who.id, m.worker_id, &reviewed, err);
        if (!rc && !reviewed) {
            notify_failure(fails, pseud, "you can write only to workers whose work you have "
                                         "approved or rejected");
            continue;
        }
        if (!rc)
            rc = store_message_insert(c->core->st, &m, err);
        if (rc) {
            json_decref(fails);
            return rc;
        }
    }
    json_object_set_new(out, "NotifyWorkersFailureStatuses", fails);
    return 0;
}

static const char *const f_create_with_type[] = {"HITTypeId", HIT_FIELDS, NULL};
static const char *const f_hit[] = {"HITId", NULL};
static const char *const f_page[] = {"NextToken", "MaxResults", NULL};
static const char *const f_reviewable[] = {"HITTypeId", "Status", "NextToken", "MaxResults",
                                           NULL};
static const char *const f_list_asg[] = {"HITId", "AssignmentStatuses", "NextToken",
                                         "MaxResults", NULL};
static const char *const f_asg[] = {"AssignmentId", NULL};
static const char *const f_approve[] = {"AssignmentId", "RequesterFeedback", "OverrideRejection",
                                        NULL};
static const char *const f_reject[] = {"AssignmentId", "RequesterFeedback", NULL};
static const char *const f_bonus[] = {"WorkerId", "BonusAmount", "AssignmentId", "Reason",
                                      "UniqueRequestToken", NULL};
static const char *const f_list_bonus[] = {"HITId", "AssignmentId", "NextToken", "MaxResults",
                                           NULL};
static const char *const f_none[] = {NULL};
static const char *const f_expire[] = {"HITId", "ExpireAt", NULL};
static const char *const f_additional[] = {"HITId", "NumberOfAdditionalAssignments",
                                           "UniqueRequestToken", NULL};
static const char *const f_review[] = {"HITId", "Revert", NULL};
static const char *const f_block[] = {"WorkerId", "Reason", NULL};
static const char *const f_notify[] = {"Subject", "MessageText", "WorkerIds", NULL};
static const char *const f_hit_type_of_hit[] = {"HITId", "HITTypeId", NULL};
static const char *const f_hits_for_qual[] = {"QualificationTypeId", "NextToken", "MaxResults",
                                              NULL};

#define RQ ROLE_REQUESTER
#define W_MT (OP_WRITE | OP_MTURK)

const struct op ops_requester[] = {
    {"CreateHITType", RQ, W_MT, f_create_type, op_create_hit_type, NULL},
    {"CreateHIT", RQ, W_MT, f_create_hit, op_create_hit, NULL},
    {"CreateHITWithHITType", RQ, W_MT, f_create_with_type, op_create_hit_with_type, NULL},
    {"GetHIT", RQ, OP_MTURK, f_hit, op_get_hit, NULL},
    {"ListHITs", RQ, OP_MTURK, f_page, op_list_hits, NULL},
    {"ListReviewableHITs", RQ, OP_MTURK, f_reviewable, op_list_reviewable_hits, NULL},
    {"ListAssignmentsForHIT", RQ, OP_MTURK, f_list_asg, op_list_assignments, NULL},
    {"GetAssignment", RQ, OP_MTURK, f_asg, op_get_assignment, NULL},
    {"ApproveAssignment", RQ, W_MT, f_approve, op_approve, NULL},
    {"RejectAssignment", RQ, W_MT, f_reject, op_reject, NULL},
    {"SendBonus", RQ, W_MT, f_bonus, op_send_bonus, NULL},
    {"ListBonusPayments", RQ, OP_MTURK, f_list_bonus, op_list_bonus_payments, NULL},
    {"GetAccountBalance", RQ, OP_MTURK, f_none, op_get_account_balance, NULL},
    {"UpdateExpirationForHIT", RQ, W_MT, f_expire, op_update_expiration, NULL},
    {"DeleteHIT", RQ, W_MT, f_hit, op_delete_hit, NULL},
    {"CreateAdditionalAssignmentsForHIT", RQ, W_MT, f_additional, op_create_additional, NULL},
    {"UpdateHITReviewStatus", RQ, W_MT, f_review, op_update_review_status, NULL},
    {"CreateWorkerBlock", RQ, W_MT, f_block, op_create_worker_block, NULL},
    {"DeleteWorkerBlock", RQ, W_MT, f_block, op_delete_worker_block, NULL},
    {"ListWorkerBlocks", RQ, OP_MTURK, f_page, op_list_worker_blocks, NULL},
    {"ListHITsForQualificationType", RQ, OP_MTURK, f_hits_for_qual, op_list_hits_for_qual,
     NULL},
    {"NotifyWorkers", RQ, W_MT, f_notify, op_notify_workers, NULL},
    {"UpdateHITTypeOfHIT", RQ, W_MT, f_hit_type_of_hit, op_update_hit_type, NULL},
};
const size_t ops_requester_n = sizeof ops_requester / sizeof ops_requester[0];
