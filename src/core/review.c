/* review.c: MTurk's review policies. A policy is stored per HIT and level with its
 * Parameters as given (after validation); a run records ReviewResults and ReviewActions
 * in review_items and carries the actions out through asg_approve, asg_reject,
 * hit_add_assignments and hit_update_expiration, so money moves exactly as when the
 * requester calls those operations. Each action runs in a savepoint of its own: one that
 * fails for a reason of state or funds is undone and recorded as Failed, and the run goes
 * on. A failure of the store stops the run and fails the change that set it off. */
#include "review.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdarg.h>
#include "asg.h"
#include "event.h"
#include "hit.h"
#include "secrets.h"
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

/* ---- Reading parameters ------------------------------------------------------------ */

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
    {"ExtendMinimumTimeInSeconds", P_INT, 3600, 31536000},
    {NULL, P_INT, 0, 0},
};

static const struct pdef plurality_defs[] = {
    {"QuestionIds", P_LIST, 0, 0},
    {"QuestionAgreementThreshold", P_INT, 0, 100},
    {"DisregardAssignmentIfRejected", P_BOOL, 0, 0},
    {"DisregardAssignmentIfKnownAnswerScoreIsLessThan", P_INT, 0, 101},
    {"ExtendIfHITAgreementScoreIsLessThan", P_INT, 1, 100},
    {"ExtendMaximumAssignments", P_INT, 2, 25},
    {"ExtendMinimumTimeInSeconds", P_INT, 60, 31536000},
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

static int is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

/* s without surrounding white space: *p and *n. */
static void trim(const char *s, size_t len, const char **p, size_t *n)
{
    while (len > 0 && is_space(*s)) {
        s++;
        len--;
    }
    while (len > 0 && is_space(s[len - 1]))
        len--;
    *p = s;
    *n = len;
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
            trim(part, (size_t)(end - part), &q, &n);
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

/* ---- Scoring -------------------------------------------------------------------------- */

/* The trimmed answer to question q, or 0 when there is none (absent, not text). */
static int answer_of(json_t *answers, const char *q, const char **p, size_t *n)
{
    json_t *v = json_object_get(answers, q);
    if (!json_is_string(v))
        return 0;
    trim(json_string_value(v), json_string_length(v), p, n);
    return 1;
}

int review_known_score(const struct review_params *p, json_t *answers, int *correct)
{
    size_t right = 0;
    for (size_t i = 0; i < p->nkeys; i++) {
        const char *a, *k;
        size_t an = 0, kn = 0;
        int ok;
        if (!answer_of(answers, p->keys[i].question, &a, &an))
            an = 0;
        if (p->keys[i].answer)
            trim(p->keys[i].answer, strlen(p->keys[i].answer), &k, &kn);
        else
            k = "";
        /* A blank answer matches only a key that asks for a blank. */
        ok = p->keys[i].answer ? (an > 0 && an == kn && memcmp(a, k, an) == 0) : an == 0;
        if (correct)
            correct[i] = ok;
        right += (size_t)ok;
    }
    return p->nkeys ? (int)(right * 100 / p->nkeys) : 0;
}

/* An answer takes part in a plurality when it is not blank and at most 256 characters. */
static int vote_of(json_t *answers, const char *q, const char **p, size_t *n)
{
    if (!answer_of(answers, q, p, n) || *n == 0)
        return 0;
    return text_utf8_chars(*p, *n) <= REVIEW_MAX_ANSWER;
}

int review_plurality(const struct review_params *p, json_t *const *answers, size_t n,
                     struct review_question *q)
{
    size_t agreed = 0;

    for (size_t qi = 0; qi < p->nquestions; qi++) {
        const char *best = NULL;
        size_t best_n = 0;
        int64_t best_votes = 0;
        int tied = 0;
        memset(&q[qi], 0, sizeof q[qi]);
        /* Each distinct answer is counted once, at its first occurrence: O(n^2) over a
         * HIT's few assignments. */
        for (size_t i = 0; i < n; i++) {
            const char *a, *b;
            size_t an, bn;
            int64_t votes = 0;
            int earlier = 0;
            if (!vote_of(answers[i], p->questions[qi], &a, &an))
                continue;
            for (size_t j = 0; j < i && !earlier; j++)
                earlier = vote_of(answers[j], p->questions[qi], &b, &bn) && bn == an &&
                          memcmp(a, b, an) == 0;
            if (earlier)
                continue;
            for (size_t j = i; j < n; j++)
                if (vote_of(answers[j], p->questions[qi], &b, &bn) && bn == an &&
                    memcmp(a, b, an) == 0)
                    votes++;
            if (votes > best_votes) {
                best = a;
                best_n = an;
                best_votes = votes;
                tied = 0;
            } else if (votes == best_votes) {
                tied = 1;
            }
        }
        if (best && !tied) {
            q[qi].answer = xstrndup(best, best_n);
            q[qi].votes = best_votes;
            q[qi].score = (int)(best_votes * 100 / (int64_t)n);
            q[qi].agreed = q[qi].score > p->agreement_threshold;
        } else if (best) {
            q[qi].votes = best_votes;
            q[qi].score = (int)(best_votes * 100 / (int64_t)n);
        }
        agreed += (size_t)q[qi].agreed;
    }
    return p->nquestions ? (int)(agreed * 100 / p->nquestions) : 0;
}

void review_questions_release(struct review_question *q, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(q[i].answer);
        q[i].answer = NULL;
    }
}

int review_worker_score(const struct review_params *p, const struct review_question *q,
                        json_t *answers, int *right, int *wrong)
{
    *right = *wrong = 0;
    for (size_t qi = 0; qi < p->nquestions; qi++) {
        const char *a;
        size_t an;
        if (!q[qi].agreed)
            continue;
        if (vote_of(answers, p->questions[qi], &a, &an) && an == strlen(q[qi].answer) &&
            memcmp(a, q[qi].answer, an) == 0)
            (*right)++;
        else
            (*wrong)++;
    }
    if (*right + *wrong == 0)
        return -1;
    return *right * 100 / (*right + *wrong);
}

/* ---- Recording and acting --------------------------------------------------------------- */

struct run {
    struct core_ctx *c;
    const char *hit_id;
    int64_t requester_id;
    int level;
    char review_id[STORE_ID_MAX]; /* the run's "review" action, which its results cite */
};

static int put_result(struct run *r, const char *subject, const char *type, const char *question,
                      const char *key, const char *value, struct ts_error *err)
{
    struct review_item it = {0};
    it.level = r->level;
    it.kind = REVIEW_RESULT;
    it.action_id = r->review_id;
    it.object_id = subject;
    it.object_type = type;
    it.question_id = question;
    it.name = key;
    it.value = value;
    return store_review_item_insert(r->c->st, r->hit_id, &it, err);
}

static int put_result_int(struct run *r, const char *subject, const char *type,
                          const char *question, const char *key, int64_t v,
                          struct ts_error *err)
{
    char s[32];
    snprintf(s, sizeof s, "%lld", (long long)v);
    return put_result(r, subject, type, question, key, s, err);
}

static int put_action(struct run *r, const char *id, const char *name, const char *target,
                      const char *type, const char *status, const char *result,
                      const char *error_code, struct ts_error *err)
{
    struct review_item it = {0};
    it.level = r->level;
    it.kind = REVIEW_ACTION;
    it.action_id = id;
    it.object_id = target;
    it.object_type = type;
    it.name = name;
    it.value = result;
    it.status = status;
    it.complete_ms = r->c->now_ms;
    it.error_code = error_code;
    return store_review_item_insert(r->c->st, r->hit_id, &it, err);
}

static int begin_run(struct run *r, struct core_ctx *c, const char *hit_id, int64_t requester,
                     int level)
{
    r->c = c;
    r->hit_id = hit_id;
    r->requester_id = requester;
    r->level = level;
    secrets_id_new(r->review_id);
    return 0;
}

/* Whether rc is a refusal of the action (recorded as Failed) rather than a failure of the
 * server (which fails the whole change). */
static int refused(int rc)
{
    return rc == TS_EINVAL || rc == TS_ENOTFOUND || rc == TS_EFORBIDDEN || rc == TS_ECONFLICT ||
           rc == TS_EFUNDS || rc == TS_ETOOBIG || rc == TS_EDUPLICATE;
}

enum act { ACT_APPROVE, ACT_REJECT, ACT_EXTEND };

struct act_args {
    const char *target;   /* assignment id, or the HIT's for ACT_EXTEND */
    const char *reason;   /* approve / reject */
    int64_t extend_max, extend_min_s;
};

static int do_extend(struct run *r, const struct act_args *a, const char **result,
                     struct ts_error *err)
{
    struct core_ctx *c = r->c;
    struct hit h;
    int64_t until;
    int rc = store_hit_get(c->st, r->hit_id, &h, err);
    if (rc)
        return rc;
    if (h.max_assignments >= a->extend_max) {
        *result = "not extended: the HIT has the most assignments this policy extends it to";
        store_hit_release(&h);
        return 0;
    }
    until = h.expires_ms;
    store_hit_release(&h);
    rc = hit_add_assignments(c, r->requester_id, r->hit_id, 1, NULL, err);
    if (!rc && a->extend_min_s > 0 && until < timers_after_s(c->now_ms, a->extend_min_s))
        rc = hit_update_expiration(c, r->requester_id, r->hit_id,
                                   timers_after_s(c->now_ms, a->extend_min_s), err);
    *result = a->extend_min_s > 0 ? "extended by one assignment; open for at least "
                                    "ExtendMinimumTimeInSeconds"
                                  : "extended by one assignment";
    return rc;
}

/* Carries out one action in a savepoint of its own and records it. */
static int act(struct run *r, enum act what, const struct act_args *a, struct ts_error *err)
{
    static const char *const names[] = {"approve", "reject", "extend"};
    struct ts_error aerr = {0};
    const char *result = NULL;
    char id[STORE_ID_MAX], code[96];
    size_t mark = event_count(r->c);
    int rc = store_savepoint(r->c->st, err);
    if (rc)
        return rc;
    switch (what) {
    case ACT_APPROVE:
        rc = asg_approve(r->c, r->requester_id, a->target, a->reason, 0, &aerr);
        result = "Approved";
        break;
    case ACT_REJECT:
        rc = asg_reject(r->c, r->requester_id, a->target, a->reason, &aerr);
        result = "Rejected";
        break;
    case ACT_EXTEND:
        rc = do_extend(r, a, &result, &aerr);
        break;
    }
    if (rc) {
        store_savepoint_rollback(r->c->st);
        event_drop_since(r->c, mark); /* what it raised did not happen */
        if (!refused(rc)) {
            if (err)
                *err = aerr;
            return rc;
        }
    } else {
        rc = store_savepoint_release(r->c->st, err);
        if (rc)
            return rc;
    }
    secrets_id_new(id);
    if (rc) {
        snprintf(code, sizeof code, "AWS.MechanicalTurk.%s",
                 aerr.kind ? aerr.kind : ts_err_name(aerr.code));
        return put_action(r, id, names[what], a->target,
                          what == ACT_EXTEND ? "HIT" : "Assignment", "Failed", aerr.msg, code,
                          err);
    }
    return put_action(r, id, names[what], a->target, what == ACT_EXTEND ? "HIT" : "Assignment",
                      "Succeeded", result, NULL, err);
}

/* ---- ScoreMyKnownAnswers/2011-09-01 ------------------------------------------------------ */

static json_t *answers_json(const struct assignment *a)
{
    json_t *o = a->answer_json ? json_loads(a->answer_json, 0, NULL) : NULL;
    if (!json_is_object(o)) {
        json_decref(o);
        o = json_object();
    }
    return o;
}

/* Scores the just submitted assignment a, whose answers are answers, of HIT h. */
static int run_known(struct core_ctx *c, const struct hit *h, const struct assignment *a,
                     json_t *answers, struct ts_error *err)
{
    struct review_policy pol;
    struct review_params p;
    struct run r;
    int *correct = NULL, score, right = 0, rc;
    char summary[128];

    rc = store_review_policy_get(c->st, h->id, REVIEW_ASSIGNMENT, &pol, err);
    if (rc)
        return rc;
    rc = review_params_load(&pol, &p, err);
    store_review_policy_release(&pol);
    if (rc)
        return rc;
    correct = xcalloc(p.nkeys, sizeof *correct);
    score = review_known_score(&p, answers, correct);
    begin_run(&r, c, h->id, h->requester_id, REVIEW_ASSIGNMENT);
    for (size_t i = 0; i < p.nkeys; i++)
        right += correct[i];
    snprintf(summary, sizeof summary, "Reviewed %zu known answer%s; %d/%zu correct", p.nkeys,
             p.nkeys == 1 ? "" : "s", right, p.nkeys);
    rc = put_action(&r, r.review_id, "review", a->id, "Assignment", "Succeeded", summary, NULL,
                    err);
    for (size_t i = 0; !rc && i < p.nkeys; i++)
        rc = put_result(&r, a->id, "Assignment", p.keys[i].question, "KnownAnswerCorrect",
                        correct[i] ? "1" : "0", err);
    if (!rc)
        rc = put_result_int(&r, a->id, "Assignment", NULL, "KnownAnswerScore", score, err);
    if (!rc) {
        struct act_args args = {a->id, NULL, p.extend_max, p.extend_min_s};
        if (p.approve_at_least >= 0 && score >= p.approve_at_least) {
            args.reason = p.approve_reason;
            rc = act(&r, ACT_APPROVE, &args, err);
        } else if (p.reject_below >= 0 && score < p.reject_below) {
            args.reason = p.reject_reason;
            rc = act(&r, ACT_REJECT, &args, err);
        }
        if (!rc && p.extend_below >= 0 && score < p.extend_below) {
            args.target = h->id;
            rc = act(&r, ACT_EXTEND, &args, err);
        }
    }
    free(correct);
    review_params_release(&p);
    return rc;
}

/* ---- SimplePlurality/2011-09-01 ----------------------------------------------------------- */

struct collect {
    struct assignment *v;
    size_t n, cap;
};

static int collect_cb(void *ctx, const struct assignment *a)
{
    struct collect *w = ctx;
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 8;
        w->v = xrealloc(w->v, st_mult(w->cap, sizeof *w->v));
    }
    w->v[w->n] = *a;
    w->v[w->n].answer_json = a->answer_json ? xstrdup(a->answer_json) : NULL;
    w->v[w->n].feedback = NULL;
    w->v[w->n].label = NULL;
    w->n++;
    return 0;
}

/* The HIT's finished (submitted, approved, rejected) assignments, oldest first. */
static int finished_of(struct core_ctx *c, const char *hit_id, struct collect *w,
                       struct ts_error *err)
{
    struct asg_filter f = {0};
    int64_t after = 0, last;
    int more = 1, rc = 0;
    f.hit_id = hit_id;
    f.status_mask = ASG_MASK(ASG_SUBMITTED) | ASG_MASK(ASG_APPROVED) | ASG_MASK(ASG_REJECTED);
    while (!rc && more) {
        rc = store_asg_list(c->st, &f, after, 100, collect_cb, w, &last, &more, err);
        after = last;
    }
    return rc;
}

static void collect_release(struct collect *w)
{
    for (size_t i = 0; i < w->n; i++)
        free(w->v[i].answer_json);
    free(w->v);
}

/* The assignments the plurality counts: not rejected (when so asked) and not below the
 * known-answer score (when the HIT has an assignment-level policy). */
static int consider(struct core_ctx *c, const struct hit *h, const struct review_params *p,
                    struct collect *w, json_t **answers, int *use, size_t *n,
                    struct ts_error *err)
{
    struct review_params known;
    int have_known = 0, rc = 0;

    if (p->disregard_known_below >= 0 && (h->policies & REVIEW_LEVEL_BIT(REVIEW_ASSIGNMENT))) {
        struct review_policy pol;
        rc = store_review_policy_get(c->st, h->id, REVIEW_ASSIGNMENT, &pol, err);
        if (!rc)
            rc = review_params_load(&pol, &known, err);
        store_review_policy_release(&pol);
        if (rc)
            return rc;
        have_known = 1;
    }
    *n = 0;
    for (size_t i = 0; i < w->n; i++) {
        json_t *o = answers_json(&w->v[i]);
        use[i] = 1;
        if (p->disregard_rejected && w->v[i].status == ASG_REJECTED)
            use[i] = 0;
        if (have_known && review_known_score(&known, o, NULL) < p->disregard_known_below)
            use[i] = 0;
        if (use[i])
            answers[(*n)++] = o;
        else
            json_decref(o);
    }
    if (have_known)
        review_params_release(&known);
    return 0;
}

static int plurality_results(struct run *r, const struct review_params *p,
                             const struct review_question *q, int hit_score,
                             struct ts_error *err)
{
    int rc = 0;
    for (size_t qi = 0; !rc && qi < p->nquestions; qi++) {
        const char *qid = p->questions[qi];
        rc = put_result(r, r->hit_id, "HIT", qid, "AgreedAnswerFound",
                        q[qi].agreed ? "true" : "false", err);
        if (!rc && q[qi].answer)
            rc = put_result(r, r->hit_id, "HIT", qid, "PluralityAnswer", q[qi].answer, err);
        if (!rc && q[qi].votes)
            rc = put_result_int(r, r->hit_id, "HIT", qid, "PluralityLevel", q[qi].score, err);
        if (!rc && q[qi].agreed)
            rc = put_result(r, r->hit_id, "HIT", qid, "AgreedAnswer", q[qi].answer, err);
        if (!rc && q[qi].agreed)
            rc = put_result_int(r, r->hit_id, "HIT", qid, "AnswerAgreementScore", q[qi].score,
                                err);
    }
    if (!rc)
        rc = put_result_int(r, r->hit_id, "HIT", NULL, "HitAgreementScore", hit_score, err);
    return rc;
}

static int worker_results(struct run *r, const struct review_params *p,
                          const struct review_question *q, const struct assignment *a,
                          json_t *answers, struct ts_error *err)
{
    int right, wrong, score = review_worker_score(p, q, answers, &right, &wrong), rc = 0;
    struct act_args args = {a->id, NULL, 0, 0};

    for (size_t qi = 0; !rc && qi < p->nquestions; qi++) {
        const char *v;
        size_t n;
        if (!q[qi].agreed)
            continue;
        rc = put_result(r, a->id, "Assignment", p->questions[qi], "AgreedWithPlurality",
                        vote_of(answers, p->questions[qi], &v, &n) &&
                                n == strlen(q[qi].answer) && memcmp(v, q[qi].answer, n) == 0
                            ? "1"
                            : "0",
                        err);
    }
    if (rc || score < 0)
        return rc; /* no agreed question: nothing to judge the worker by */
    rc = put_result_int(r, a->id, "Assignment", NULL, "WorkerAgreementScore", score, err);
    if (!rc)
        rc = put_result_int(r, a->id, "Assignment", NULL, "PluralityAnswersCorrect", right, err);
    if (!rc)
        rc = put_result_int(r, a->id, "Assignment", NULL, "PluralityAnswersIncorrect", wrong,
                            err);
    if (!rc && p->approve_worker_at_least >= 0 && score >= p->approve_worker_at_least)
        rc = act(r, ACT_APPROVE, &args, err);
    else if (!rc && p->reject_worker_below >= 0 && score < p->reject_worker_below) {
        args.reason = p->reject_reason;
        rc = act(r, ACT_REJECT, &args, err);
    }
    return rc;
}

static int run_plurality(struct core_ctx *c, const struct hit *h, const struct review_params *p,
                         struct ts_error *err)
{
    struct collect w = {0};
    struct review_question *q = NULL;
    json_t **answers = NULL;
    int *use = NULL, hit_score, rc;
    size_t n = 0, k = 0;
    struct run r;
    char summary[160];

    rc = finished_of(c, h->id, &w, err);
    if (rc)
        goto out;
    answers = xcalloc(w.n + 1, sizeof *answers);
    use = xcalloc(w.n + 1, sizeof *use);
    rc = consider(c, h, p, &w, answers, use, &n, err);
    if (rc)
        goto out;
    q = xcalloc(p->nquestions, sizeof *q);
    hit_score = n ? review_plurality(p, answers, n, q) : 0;
    begin_run(&r, c, h->id, h->requester_id, REVIEW_HIT);
    {
        size_t agreed = 0;
        for (size_t i = 0; i < p->nquestions; i++)
            agreed += (size_t)q[i].agreed;
        snprintf(summary, sizeof summary,
                 "Reviewed %zu assignment%s on %zu question%s; %zu with an agreed answer", n,
                 n == 1 ? "" : "s", p->nquestions, p->nquestions == 1 ? "" : "s", agreed);
    }
    rc = put_action(&r, r.review_id, "review", h->id, "HIT", "Succeeded", summary, NULL, err);
    if (!rc)
        rc = plurality_results(&r, p, q, hit_score, err);
    for (size_t i = 0; !rc && i < w.n; i++) {
        if (!use[i])
            continue;
        rc = worker_results(&r, p, q, &w.v[i], answers[k++], err);
    }
    if (!rc && p->extend_hit_below >= 0 && hit_score < p->extend_hit_below) {
        struct act_args args = {h->id, NULL, p->extend_max, p->extend_min_s};
        rc = act(&r, ACT_EXTEND, &args, err);
    }
out:
    if (q) {
        review_questions_release(q, p->nquestions);
        free(q);
    }
    for (size_t i = 0; answers && i < n; i++)
        json_decref(answers[i]);
    free(answers);
    free(use);
    collect_release(&w);
    return rc;
}

/* ---- Hooks ------------------------------------------------------------------------------ */

int review_attach(struct core_ctx *c, const char *hit_id, const struct review_policy *asg,
                  const struct review_policy *hit, struct ts_error *err)
{
    int rc = 0;
    if (asg)
        rc = store_review_policy_put(c->st, hit_id, asg, err);
    if (!rc && hit)
        rc = store_review_policy_put(c->st, hit_id, hit, err);
    return rc;
}

/* Runs h's HIT-level policy when h (current) is Reviewable and has finished work the
 * policy has not seen yet. */
static int review_hit_maybe(struct core_ctx *c, const struct hit *h, struct ts_error *err)
{
    struct review_policy pol;
    struct review_params p;
    int64_t finished = h->submitted + h->approved + h->rejected;
    int rc;

    if (!(h->policies & REVIEW_LEVEL_BIT(REVIEW_HIT)) || finished == 0 ||
        hit_status_at(h, c->now_ms) != HIT_REVIEWABLE)
        return 0;
    rc = store_review_policy_get(c->st, h->id, REVIEW_HIT, &pol, err);
    if (rc)
        return rc;
    if (pol.reviewed == finished) {
        store_review_policy_release(&pol);
        return 0; /* this work was reviewed already */
    }
    /* Marked before the run: an event its actions raise (an extension that settles the
     * HIT's expiry) finds this work reviewed. */
    rc = store_review_policy_mark(c->st, h->id, REVIEW_HIT, finished, err);
    if (!rc)
        rc = review_params_load(&pol, &p, err);
    store_review_policy_release(&pol);
    if (rc)
        return rc;
    rc = run_plurality(c, h, &p, err);
    review_params_release(&p);
    return rc;
}

int review_react(struct core_ctx *c, struct event *e, struct ts_error *err)
{
    int rc = 0;

    switch (e->kind) {
    case EVENT_ASG_SUBMITTED:
        /* The assignment-level policy scores the submission with the event's rows. */
        if (e->hit.policies & REVIEW_LEVEL_BIT(REVIEW_ASSIGNMENT))
            rc = run_known(c, &e->hit, &e->asg, e->answers, err);
        break;
    case EVENT_ASG_RETURNED:  /* the last pending assignment of an expired HIT gone */
    case EVENT_ASG_ABANDONED:
    case EVENT_HIT_EXPIRED:   /* expired with its work in */
        break;
    default:
        return 0;
    }
    /* The HIT-level policy, when the HIT is Reviewable now: the row in hand, or read
     * again when events were raised since (the scoring's actions, say). */
    if (!rc && (e->hit.policies & REVIEW_LEVEL_BIT(REVIEW_HIT))) {
        rc = event_hit(c, e, err);
        if (!rc)
            rc = review_hit_maybe(c, &e->hit, err);
    }
    return rc;
}
