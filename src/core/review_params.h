/* review_params.h: the parameters of MTurk's review policies (docs/mturk.md, "Review
 * policies"): their validation when a HIT is created and their parsing when a policy
 * runs (review_params.c). */
#ifndef TS_REVIEW_PARAMS_H
#define TS_REVIEW_PARAMS_H
#include <stddef.h>
#include <jansson.h>
#include "core.h"

#define REVIEW_KNOWN_ANSWERS "ScoreMyKnownAnswers/2011-09-01"
#define REVIEW_PLURALITY "SimplePlurality/2011-09-01"
#define REVIEW_MAX_KEYS 100       /* AnswerKey entries */
#define REVIEW_MAX_QUESTIONS 15   /* QuestionIds */
#define REVIEW_MAX_ANSWER 256     /* longer answers take no part in a plurality */

struct review_key {
    const char *question; /* borrowed from review_params.root */
    const char *answer;   /* the correct answer, or NULL: the question must be left blank */
};

/* A policy's parameters, validated. -1 marks an absent threshold. */
struct review_params {
    int level;                  /* enum review_level */
    json_t *root;               /* the Parameters array (a reference is held) */
    /* ScoreMyKnownAnswers/2011-09-01 */
    struct review_key *keys;    /* owned array */
    size_t nkeys;
    int approve_at_least, reject_below, extend_below;
    const char *approve_reason, *reject_reason; /* borrowed, or NULL */
    int64_t extend_max;         /* the most assignments an extension grows the HIT to */
    int64_t extend_min_s;       /* an extended HIT stays open at least this long; 0 = as is */
    /* SimplePlurality/2011-09-01 */
    char **questions;           /* owned, trimmed */
    size_t nquestions;
    int agreement_threshold;    /* a question is agreed when its score is above this */
    int disregard_rejected;
    int disregard_known_below;
    int extend_hit_below;
    int approve_worker_at_least, reject_worker_below;
};

/* Validates a ReviewPolicy structure ({PolicyName, Parameters}) given for level (enum
 * review_level) and fills out->name and out->params_json (allocated; release with
 * store_review_policy_release). TS_EINVAL ("ParameterValidationError") naming what is
 * wrong: an unknown policy or parameter, a missing or repeated one, a value out of range. */
int review_policy_read(json_t *policy, int level, struct review_policy *out,
                       struct ts_error *err);

/* Parses a stored policy's parameters (as review_policy_read validated them). The caller
 * releases out with review_params_release. */
int review_params_load(const struct review_policy *p, struct review_params *out,
                       struct ts_error *err);
void review_params_release(struct review_params *p);

#endif
