/* review_score.h: scoring for the review policies (review_score.c): known-answer scores,
 * plurality answers and worker agreement, as pure functions of answers already read. */
#ifndef TS_REVIEW_SCORE_H
#define TS_REVIEW_SCORE_H
#include <stddef.h>
#include <jansson.h>
#include "review_params.h"

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

/* Internals shared with review_params.c and review.c. s[0..len) without surrounding
 * white space: *p and *n. */
void review__trim(const char *s, size_t len, const char **p, size_t *n);
/* The trimmed answer to question q in answers when it takes part in a plurality (not
 * blank, at most REVIEW_MAX_ANSWER characters): 1 and *p, *n; 0 otherwise. */
int review__vote_of(json_t *answers, const char *q, const char **p, size_t *n);

#endif
