/* review_params.c: the parameters of MTurk's review policies: a ReviewPolicy as
 * CreateHIT gives it is validated here (review_policy_read) and stored as given; a stored
 * one is parsed again (review_params_load) when a policy runs. Every rule of a parameter
 * (its name, type and range, which ones go together) is in the tables and checks below;
 * nothing here touches the store. */
#include "review_params.h"
#include "review_score.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdarg.h>
#include "timers.h"
#include "../util/alloc.h"
#include "../util/parse.h"
#include "../util/text.h"
#include "../util/banned.h"

#define REASON_MAX_CHARS 1024
#define MAX_PARAMETERS 32

static int bad(struct ts_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A ParameterValidationError with a printf-style message. */
static int bad(struct ts_error *err, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ts_failk(err, TS_EINVAL, "ParameterValidationError", "%s", msg);
}

enum ptype { P_INT, P_BOOL, P_TEXT, P_KEY, P_LIST };

struct pdef {
    const char *key;
    enum ptype type;
    int64_t min, max;
};

static const struct pdef known_defs[] = {
    {"AnswerKey", P_KEY, 0, 0},
    {"ApproveIfKnownAnswerScoreIsAtLeast", P_INT, 0, 101},
    {"ApproveReason", P_TEXT, 0, 0},
    {"RejectIfKnownAnswerScoreIsLessThan", P_INT, 0, 101},
    {"RejectReason", P_TEXT, 0, 0},
    {"ExtendIfKnownAnswerScoreIsLessThan", P_INT, 0, 101},
    {"ExtendMaximumAssignments", P_INT, 2, 25},
    {"ExtendMinimumTimeInSeconds", P_INT, 3600, TIMERS_YEAR_S},
    {NULL, P_INT, 0, 0},
};

static const struct pdef plurality_defs[] = {
    {"QuestionIds", P_LIST, 0, 0},
    {"QuestionAgreementThreshold", P_INT, 0, 100},
    {"DisregardAssignmentIfRejected", P_BOOL, 0, 0},
    {"DisregardAssignmentIfKnownAnswerScoreIsLessThan", P_INT, 0, 101},
    {"ExtendIfHITAgreementScoreIsLessThan", P_INT, 1, 100},
    {"ExtendMaximumAssignments", P_INT, 2, 25},
    {"ExtendMinimumTimeInSeconds", P_INT, 60, TIMERS_YEAR_S},
    {"ApproveIfWorkerAgreementScoreIsAtLeast", P_INT, 0, 101},
    {"RejectIfWorkerAgreementScoreIsLessThan", P_INT, 0, 101},
    {"RejectReason", P_TEXT, 0, 0},
    {NULL, P_INT, 0, 0},
};

static const char *level_policy(int level)
{
    return level == REVIEW_ASSIGNMENT ? REVIEW_KNOWN_ANSWERS : REVIEW_PLURALITY;
}

static const char *level_member(int level)
{
    return level == REVIEW_ASSIGNMENT ? "AssignmentReviewPolicy" : "HITReviewPolicy";
}

static int text_ok(const char *s, long max)
{
    long n = text_utf8_chars(s, strlen(s));
    return n >= 0 && n <= max;
}

/* The one string of a scalar parameter. */
static int scalar(json_t *param, const char *key, const char **out, struct ts_error *err)
{
    json_t *vals = json_object_get(param, "Values");
    if (json_object_get(param, "MapEntries"))
        return bad(err, "review policy parameter %s takes Values, not MapEntries", key);
    if (!json_is_array(vals) || json_array_size(vals) != 1 ||
        !json_is_string(json_array_get(vals, 0)))
        return bad(err, "review policy parameter %s needs Values with exactly one string",
                   key);
    *out = json_string_value(json_array_get(vals, 0));
    return 0;
}

static int read_int(json_t *param, const struct pdef *d, int64_t *out, struct ts_error *err)
{
    const char *s;
    int rc = scalar(param, d->key, &s, err);
    if (rc)
        return rc;
    if (parse_i64(s, strlen(s), d->min, d->max, out))
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "review policy parameter %s must be a whole number from %lld to %lld",
                        d->key, (long long)d->min, (long long)d->max);
    return 0;
}

static int read_bool(json_t *param, const char *key, int *out, struct ts_error *err)
{
    const char *s;
    int rc = scalar(param, key, &s, err);
    if (rc)
        return rc;
    if (strcasecmp(s, "true") == 0 || strcmp(s, "T") == 0)
        *out = 1;
    else if (strcasecmp(s, "false") == 0 || strcmp(s, "F") == 0)
        *out = 0;
    else
        return bad(err, "review policy parameter %s must be true or false", key);
    return 0;
}

static int read_text(json_t *param, const char *key, const char **out, struct ts_error *err)
{
    int rc = scalar(param, key, out, err);
    if (rc)
        return rc;
    if (!**out || !text_ok(*out, REASON_MAX_CHARS))
        return bad(err, "review policy parameter %s must be text of 1 to 1024 characters", key);
    return 0;
}

static int read_answer_key(json_t *param, struct review_params *p, struct ts_error *err)
{
    json_t *map = json_object_get(param, "MapEntries"), *e;
    size_t i;

    if (json_object_get(param, "Values"))
        return bad(err, "review policy parameter %s takes MapEntries, not Values", "AnswerKey");
    if (!json_is_array(map) || json_array_size(map) < 1 ||
        json_array_size(map) > REVIEW_MAX_KEYS)
        return bad(err, "review policy parameter %s needs MapEntries with 1 to 100 entries",
                   "AnswerKey");
    p->keys = xcalloc(json_array_size(map), sizeof *p->keys);
    json_array_foreach(map, i, e)
    {
        json_t *k = json_object_get(e, "Key"), *v = json_object_get(e, "Values");
        const char *q;
        if (!json_is_object(e) || !json_is_string(k))
            return bad(err, "every AnswerKey entry needs a Key: the QuestionIdentifier (the "
                            "answer's field name)");
        q = json_string_value(k);
        if (!*q || strlen(q) > 255 || !text_ok(q, 255))
            return bad(err, "AnswerKey entry \"%.64s\": a Key must be 1 to 255 characters", q);
        for (size_t j = 0; j < p->nkeys; j++)
            if (strcmp(p->keys[j].question, q) == 0)
                return bad(err, "AnswerKey names question \"%.64s\" twice", q);
        if (v && (!json_is_array(v) || json_array_size(v) > 1 ||
                  (json_array_size(v) == 1 && !json_is_string(json_array_get(v, 0)))))
            return bad(err, "AnswerKey entry \"%.64s\": Values must hold one answer (or none: "
                            "the question must be left blank); a Tessera answer is one text "
                            "per field", q);
        p->keys[p->nkeys].question = q;
        p->keys[p->nkeys].answer = NULL;
        if (v && json_array_size(v) == 1) {
            const char *a = json_string_value(json_array_get(v, 0));
            if (!text_ok(a, REASON_MAX_CHARS))
                return bad(err, "AnswerKey entry \"%.64s\": the answer must be text of at most "
                                "1024 characters", q);
            p->keys[p->nkeys].answer = a;
        }
        p->nkeys++;
    }
    return 0;
}

static int read_questions(json_t *param, struct review_params *p, struct ts_error *err)
{
    json_t *vals = json_object_get(param, "Values"), *v;
    size_t i;

    if (json_object_get(param, "MapEntries"))
        return bad(err, "review policy parameter %s takes Values, not MapEntries",
                   "QuestionIds");
    if (!json_is_array(vals) || json_array_size(vals) < 1)
        return bad(err, "review policy parameter %s needs Values: 1 to 15 question ids",
                   "QuestionIds");
    p->questions = xcalloc(REVIEW_MAX_QUESTIONS, sizeof *p->questions);
    json_array_foreach(vals, i, v)
    {
        const char *s = json_string_value(v), *part, *end;
        if (!json_is_string(v))
            return bad(err, "review policy parameter %s: every value must be a string",
                       "QuestionIds");
        /* The legacy API took one comma-separated string; each value may still be one. */
        for (part = s;; part = end + 1) {
            const char *q;
            size_t n;
            end = strchr(part, ',');
            if (!end)
                end = part + strlen(part);
            review__trim(part, (size_t)(end - part), &q, &n);
            if (n < 1 || n > 255)
                return bad(err, "QuestionIds: \"%.64s\" holds an empty or too long question "
                                "id (1 to 255 characters each)", s);
            if (p->nquestions == REVIEW_MAX_QUESTIONS)
                return bad(err, "QuestionIds may name at most 15 questions");
            for (size_t j = 0; j < p->nquestions; j++)
                if (strlen(p->questions[j]) == n && memcmp(p->questions[j], q, n) == 0)
                    return bad(err, "QuestionIds names \"%.64s\" twice", p->questions[j]);
            p->questions[p->nquestions++] = xstrndup(q, n);
            if (!*end)
                break;
        }
    }
    return 0;
}

static void params_init(struct review_params *p, int level)
{
    memset(p, 0, sizeof *p);
    p->level = level;
    p->approve_at_least = p->reject_below = p->extend_below = -1;
    p->disregard_known_below = p->extend_hit_below = -1;
    p->approve_worker_at_least = p->reject_worker_below = -1;
    p->agreement_threshold = -1;
    p->extend_max = 5;
}

static int set_int(struct review_params *p, const char *key, int64_t v)
{
    static const struct {
        const char *key;
        size_t off;
    } ints[] = {
        {"ApproveIfKnownAnswerScoreIsAtLeast", offsetof(struct review_params, approve_at_least)},
        {"RejectIfKnownAnswerScoreIsLessThan", offsetof(struct review_params, reject_below)},
        {"ExtendIfKnownAnswerScoreIsLessThan", offsetof(struct review_params, extend_below)},
        {"QuestionAgreementThreshold", offsetof(struct review_params, agreement_threshold)},
        {"DisregardAssignmentIfKnownAnswerScoreIsLessThan",
         offsetof(struct review_params, disregard_known_below)},
        {"ExtendIfHITAgreementScoreIsLessThan", offsetof(struct review_params, extend_hit_below)},
        {"ApproveIfWorkerAgreementScoreIsAtLeast",
         offsetof(struct review_params, approve_worker_at_least)},
        {"RejectIfWorkerAgreementScoreIsLessThan",
         offsetof(struct review_params, reject_worker_below)},
    };
    if (strcmp(key, "ExtendMaximumAssignments") == 0) {
        p->extend_max = v;
        return 1;
    }
    if (strcmp(key, "ExtendMinimumTimeInSeconds") == 0) {
        p->extend_min_s = v;
        return 1;
    }
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
        if (strcmp(ints[i].key, key) == 0) {
            *(int *)(void *)((char *)p + ints[i].off) = (int)v; /* ranges fit in int */
            return 1;
        }
    return 0;
}

static int read_param(json_t *param, const struct pdef *d, struct review_params *p,
                      int *seen_extend_max, int *seen_extend_min, struct ts_error *err)
{
    int64_t v;
    int rc;

    switch (d->type) {
    case P_KEY:
        return read_answer_key(param, p, err);
    case P_LIST:
        return read_questions(param, p, err);
    case P_BOOL:
        return read_bool(param, d->key, &p->disregard_rejected, err);
    case P_TEXT:
        return read_text(param, d->key,
                         strcmp(d->key, "ApproveReason") == 0 ? &p->approve_reason
                                                              : &p->reject_reason,
                         err);
    case P_INT:
        rc = read_int(param, d, &v, err);
        if (rc)
            return rc;
        if (strcmp(d->key, "ExtendMaximumAssignments") == 0)
            *seen_extend_max = 1;
        if (strcmp(d->key, "ExtendMinimumTimeInSeconds") == 0)
            *seen_extend_min = 1;
        if (!set_int(p, d->key, v))
            TS_BUG("review parameter %s has no field", d->key);
        return 0;
    }
    return 0;
}

/* Rules between parameters, once all are read. */
static int check_together(struct review_params *p, int seen_extend_max, int seen_extend_min,
                          struct ts_error *err)
{
    if (p->level == REVIEW_ASSIGNMENT) {
        if (!p->nkeys)
            return bad(err, "%s needs the parameter AnswerKey", REVIEW_KNOWN_ANSWERS);
        if (p->reject_below >= 0 && !p->reject_reason)
            return bad(err, "RejectIfKnownAnswerScoreIsLessThan needs a RejectReason: a worker "
                            "whose work is rejected is told why");
        if (p->reject_below >= 0 && p->approve_at_least >= 0 &&
            p->reject_below > p->approve_at_least)
            return bad(err, "RejectIfKnownAnswerScoreIsLessThan may not be above "
                            "ApproveIfKnownAnswerScoreIsAtLeast: a score would be both");
        return 0;
    }
    if (!p->nquestions)
        return bad(err, "%s needs the parameter QuestionIds", REVIEW_PLURALITY);
    if (p->agreement_threshold < 0)
        return bad(err, "%s needs the parameter QuestionAgreementThreshold", REVIEW_PLURALITY);
    if (p->extend_hit_below >= 0 && (!seen_extend_max || !seen_extend_min))
        return bad(err, "ExtendIfHITAgreementScoreIsLessThan needs ExtendMaximumAssignments and "
                        "ExtendMinimumTimeInSeconds");
    if (p->reject_worker_below >= 0 && !p->reject_reason)
        return bad(err, "RejectIfWorkerAgreementScoreIsLessThan needs a RejectReason: a worker "
                        "whose work is rejected is told why");
    if (p->reject_worker_below >= 0 && p->approve_worker_at_least >= 0 &&
        p->reject_worker_below > p->approve_worker_at_least)
        return bad(err, "RejectIfWorkerAgreementScoreIsLessThan may not be above "
                        "ApproveIfWorkerAgreementScoreIsAtLeast: a score would be both");
    return 0;
}

static int params_parse(int level, json_t *params, struct review_params *p,
                        struct ts_error *err)
{
    const struct pdef *defs = level == REVIEW_ASSIGNMENT ? known_defs : plurality_defs;
    const char *seen[MAX_PARAMETERS];
    int seen_max = 0, seen_min = 0, rc = 0;
    json_t *param;
    size_t i;

    params_init(p, level);
    if (params && !json_is_array(params))
        return bad(err, "%s: Parameters must be a list", level_member(level));
    if (params && json_array_size(params) > MAX_PARAMETERS)
        return bad(err, "%s: Parameters may have at most 32 entries", level_member(level));
    if (params)
        p->root = json_incref(params);
    json_array_foreach(params, i, param)
    {
        const char *key, *member;
        json_t *mv;
        const struct pdef *d = NULL;
        if (!json_is_object(param) || !json_is_string(json_object_get(param, "Key")))
            return bad(err, "%s: every parameter needs a Key", level_member(level));
        key = json_string_value(json_object_get(param, "Key"));
        json_object_foreach(param, member, mv)
        {
            if (strcmp(member, "Key") && strcmp(member, "Values") && strcmp(member, "MapEntries"))
                return bad(err, "review policy parameter %.64s has an unknown member \"%.64s\"",
                           key, member);
        }
        for (const struct pdef *x = defs; x->key; x++)
            if (strcmp(x->key, key) == 0)
                d = x;
        if (!d)
            return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                            "%s has no parameter \"%.64s\" (see docs/mturk.md, \"Review "
                            "policies\", for the ones it takes)",
                            level_policy(level), key);
        for (size_t j = 0; j < i; j++)
            if (strcmp(seen[j], key) == 0)
                return bad(err, "review policy parameter %s is given twice", key);
        seen[i] = key;
        rc = read_param(param, d, p, &seen_max, &seen_min, err);
        if (rc)
            return rc;
    }
    return check_together(p, seen_max, seen_min, err);
}

void review_params_release(struct review_params *p)
{
    for (size_t i = 0; i < p->nquestions; i++)
        free(p->questions[i]);
    free(p->questions);
    free(p->keys);
    json_decref(p->root);
    memset(p, 0, sizeof *p);
}

int review_policy_read(json_t *policy, int level, struct review_policy *out,
                       struct ts_error *err)
{
    struct review_params p;
    json_t *name = json_object_get(policy, "PolicyName"), *params;
    const char *member, *want = level_policy(level);
    json_t *v;
    int rc;

    memset(out, 0, sizeof *out);
    if (!json_is_object(policy) || !json_is_string(name))
        return bad(err, "%s must be an object with a PolicyName (%s)", level_member(level), want);
    json_object_foreach(policy, member, v)
    {
        if (strcmp(member, "PolicyName") && strcmp(member, "Parameters"))
            return bad(err, "%s has an unknown member \"%.64s\"", level_member(level), member);
    }
    if (strcmp(json_string_value(name), want) != 0) {
        const char *other = level_policy(level == REVIEW_ASSIGNMENT ? REVIEW_HIT
                                                                     : REVIEW_ASSIGNMENT);
        if (strcmp(json_string_value(name), other) == 0)
            return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                            "%s is a policy of the other level: give it as %s", other,
                            level_member(level == REVIEW_ASSIGNMENT ? REVIEW_HIT
                                                                     : REVIEW_ASSIGNMENT));
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "%s: unknown policy \"%.64s\"; the policy of this level is %s",
                        level_member(level), json_string_value(name), want);
    }
    params = json_object_get(policy, "Parameters");
    if (json_is_null(params))
        params = NULL;
    rc = params_parse(level, params, &p, err);
    review_params_release(&p);
    if (rc)
        return rc;
    out->level = level;
    out->name = xstrdup(want);
    out->params_json = params ? json_dumps(params, JSON_COMPACT | JSON_PRESERVE_ORDER)
                              : xstrdup("[]");
    if (!out->params_json)
        TS_BUG("review parameters could not be encoded");
    return 0;
}

int review_params_load(const struct review_policy *pol, struct review_params *out,
                       struct ts_error *err)
{
    json_error_t jerr;
    json_t *params = json_loads(pol->params_json, 0, &jerr);
    int rc;

    if (!params)
        return ts_fail(err, TS_EIO, "stored review parameters are not JSON: %s", jerr.text);
    rc = params_parse(pol->level, params, out, err);
    json_decref(params); /* out->root holds its own reference */
    if (rc) {
        review_params_release(out);
        return ts_fail(err, TS_EIO, "stored review parameters no longer validate: %s",
                       err ? err->msg : "");
    }
    return 0;
}
