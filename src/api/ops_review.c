/* ops_review.c: ListReviewPolicyResultsForHIT, what a HIT's review policies
 * (core/review.c) found and did, in MTurk's shape. Subjects and targets are HITs and
 * assignments only, so no worker id ever appears. */
#include "ops.h"
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include "param.h"
#include "render.h"
#include "../core/hit.h"
#include "../core/review.h"
#include "../util/alloc.h"
#include "../util/banned.h"

#define RQ ROLE_REQUESTER

static int read_levels(json_t *in, int *mask, struct ts_error *err)
{
    json_t *v = json_object_get(in, "PolicyLevels"), *e;
    size_t i;

    *mask = REVIEW_LEVEL_BIT(REVIEW_ASSIGNMENT) | REVIEW_LEVEL_BIT(REVIEW_HIT);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_array(v) || json_array_size(v) > 2)
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "PolicyLevels must be a list of Assignment and/or HIT");
    if (json_array_size(v) == 0)
        return 0; /* as if omitted: both levels */
    *mask = 0;
    json_array_foreach(v, i, e)
    {
        const char *s = json_string_value(e);
        if (s && strcmp(s, "Assignment") == 0)
            *mask |= REVIEW_LEVEL_BIT(REVIEW_ASSIGNMENT);
        else if (s && strcmp(s, "HIT") == 0)
            *mask |= REVIEW_LEVEL_BIT(REVIEW_HIT);
        else
            return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                            "PolicyLevels may hold only Assignment and HIT");
    }
    return 0;
}

/* The stored policy as a ReviewPolicy structure, or NULL when the HIT has none there. */
static int policy_json(struct op_ctx *c, const char *hit_id, int level, json_t **out,
                       struct ts_error *err)
{
    struct review_policy pol;
    json_t *o, *params;
    int rc = store_review_policy_get(c->core->st, hit_id, level, &pol, err);

    *out = NULL;
    if (rc == TS_ENOTFOUND)
        return 0;
    if (rc)
        return rc;
    params = json_loads(pol.params_json, 0, NULL);
    o = json_object();
    json_object_set_new(o, "PolicyName", json_string(pol.name));
    if (json_is_array(params) && json_array_size(params) > 0)
        json_object_set_new(o, "Parameters", params);
    else
        json_decref(params);
    store_review_policy_release(&pol);
    *out = o;
    return 0;
}

struct report_walk {
    json_t *results[3], *actions[3]; /* by level */
};

static int item_cb(void *ctx, const struct review_item *it)
{
    struct report_walk *w = ctx;
    json_t *o = json_object();
    if (it->level != REVIEW_ASSIGNMENT && it->level != REVIEW_HIT) {
        json_decref(o);
        return 0;
    }
    json_object_set_new(o, "ActionId", json_string(it->action_id));
    if (it->kind == REVIEW_RESULT) {
        json_object_set_new(o, "SubjectId", json_string(it->object_id));
        json_object_set_new(o, "SubjectType", json_string(it->object_type));
        if (it->question_id)
            json_object_set_new(o, "QuestionId", json_string(it->question_id));
        json_object_set_new(o, "Key", json_string(it->name));
        json_object_set_new(o, "Value", json_string(it->value));
        json_array_append_new(w->results[it->level], o);
    } else {
        json_object_set_new(o, "ActionName", json_string(it->name));
        json_object_set_new(o, "TargetId", json_string(it->object_id));
        json_object_set_new(o, "TargetType", json_string(it->object_type));
        if (it->status)
            json_object_set_new(o, "Status", json_string(it->status));
        render_time(o, "CompleteTime", it->complete_ms);
        json_object_set_new(o, "Result", json_string(it->value));
        if (it->error_code)
            json_object_set_new(o, "ErrorCode", json_string(it->error_code));
        json_array_append_new(w->actions[it->level], o);
    }
    return 0;
}

static int op_list_review_results(struct op_ctx *c, json_t *in, json_t *out,
                                  struct ts_error *err)
{
    const char *hit_id = NULL;
    struct report_walk w;
    struct hit h;
    int64_t after, last = 0;
    int limit, more = 0, levels, actions = 1, results = 1, kinds = 0, rc;

    rc = param_id(in, "HITId", PARAM_REQUIRED, &hit_id, err);
    if (!rc)
        rc = read_levels(in, &levels, err);
    if (!rc)
        rc = param_bool(in, "RetrieveActions", PARAM_OPTIONAL, &actions, err);
    if (!rc)
        rc = param_bool(in, "RetrieveResults", PARAM_OPTIONAL, &results, err);
    if (!rc)
        rc = param_page(in, &after, &limit, err);
    if (!rc)
        rc = core_hit_get_owned(c->core, c->who.id, hit_id, &h, err);
    if (rc)
        return rc;
    json_object_set_new(out, "HITId", json_string(h.id));
    store_hit_release(&h);
    for (int l = REVIEW_ASSIGNMENT; l <= REVIEW_HIT; l++) {
        w.results[l] = json_array();
        w.actions[l] = json_array();
    }
    for (int l = REVIEW_ASSIGNMENT; l <= REVIEW_HIT; l++) {
        json_t *pol;
        if (!(levels & REVIEW_LEVEL_BIT(l)))
            continue;
        rc = policy_json(c, hit_id, l, &pol, err);
        if (rc)
            goto out;
        if (pol)
            json_object_set_new(out, l == REVIEW_ASSIGNMENT ? "AssignmentReviewPolicy"
                                                             : "HITReviewPolicy",
                                pol);
    }
    if (results)
        kinds |= 1 << REVIEW_RESULT;
    if (actions)
        kinds |= 1 << REVIEW_ACTION;
    if (kinds)
        rc = store_review_item_list(c->core->st, hit_id, levels, kinds, after, limit, item_cb,
                                    &w, &last, &more, err);
    if (rc)
        goto out;
    for (int l = REVIEW_ASSIGNMENT; l <= REVIEW_HIT; l++) {
        json_t *report;
        if (!(levels & REVIEW_LEVEL_BIT(l)))
            continue;
        report = json_object();
        if (results)
            json_object_set(report, "ReviewResults", w.results[l]);
        if (actions)
            json_object_set(report, "ReviewActions", w.actions[l]);
        json_object_set_new(out, l == REVIEW_ASSIGNMENT ? "AssignmentReviewReport"
                                                         : "HITReviewReport",
                            report);
    }
    param_next_token(out, last, more);
out:
    for (int l = REVIEW_ASSIGNMENT; l <= REVIEW_HIT; l++) {
        json_decref(w.results[l]);
        json_decref(w.actions[l]);
    }
    return rc;
}

static const char *const f_list_review[] = {"HITId",   "PolicyLevels", "RetrieveActions",
                                            "RetrieveResults", "NextToken",    "MaxResults",
                                            NULL};

const struct op ops_review[] = {
    {"ListReviewPolicyResultsForHIT", RQ, OP_MTURK, f_list_review, op_list_review_results,
     NULL},
};
const size_t ops_review_n = sizeof ops_review / sizeof ops_review[0];
