/* review.h: Mechanical Turk's review policies, which review work for the requester.
 * ScoreMyKnownAnswers/2011-09-01 (assignment level) scores each submitted assignment
 * against an answer key as it is submitted; SimplePlurality/2011-09-01 (HIT level) finds
 * the plurality answer of each question when the HIT becomes Reviewable. Both record
 * results and actions (docs/mturk.md, "Review policies") and carry the actions out with
 * the same functions as ApproveAssignment, RejectAssignment and
 * CreateAdditionalAssignmentsForHIT, inside the transaction of the change that set them
 * off: review_react is a reactor of the settle step (core/event.h). */
#ifndef TS_REVIEW_H
#define TS_REVIEW_H
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

/* The known-answer score of answers (a JSON object field -> text) against p's key: the
 * percentage, rounded down, of key questions answered correctly (answers and key are
 * compared after trimming surrounding white space). correct[i] (when not NULL; nkeys
 * entries) says whether key i was met. */
int review_known_score(const struct review_params *p, json_t *answers, int *correct);

/* One question of a plurality review. */
struct review_question {
    char *answer;     /* the plurality answer (owned), NULL when none or tied */
    int64_t votes;    /* how many assignments gave it */
    int score;        /* question agreement score: votes * 100 / assignments, rounded down */
    int agreed;       /* a plurality answer scoring above the threshold */
};
/* Computes p's questions over n assignments' answers. q has p->nquestions entries, which
 * the caller releases with review_questions_release. Returns the HIT agreement score: the
 * percentage of questions with an agreed answer, rounded down. */
int review_plurality(const struct review_params *p, json_t *const *answers, size_t n,
                     struct review_question *q);
void review_questions_release(struct review_question *q, size_t n);
/* The worker agreement score of one assignment's answers: the percentage of agreed
 * questions it answered with the agreed answer, or -1 when no question was agreed.
 * *right and *wrong count those questions. */
int review_worker_score(const struct review_params *p, const struct review_question *q,
                        json_t *answers, int *right, int *wrong);

/* Stores the policies of a new HIT (either may be NULL). */
int review_attach(struct core_ctx *c, const char *hit_id, const struct review_policy *asg,
                  const struct review_policy *hit, struct ts_error *err);

struct event;
/* The review reactor (core_settle), which runs after the quality and notification
 * reactors: after EVENT_ASG_SUBMITTED the assignment-level policy scores the submission;
 * after it, EVENT_ASG_RETURNED, EVENT_ASG_ABANDONED and EVENT_HIT_EXPIRED the HIT-level
 * policy runs if the HIT is Reviewable now with finished work it has not seen. The
 * policies' actions are transitions, whose events the settle step takes in turn. */
int review_react(struct core_ctx *c, struct event *e, struct ts_error *err);

#endif
