/* review_score.c: the scoring of review policies, on answers already read: the
 * known-answer score of one assignment against an answer key (ScoreMyKnownAnswers), and
 * the plurality answer of each question over a HIT's assignments with each worker's
 * agreement with it (SimplePlurality). Pure functions of their inputs. */
#include "review_score.h"
#include <stdlib.h>
#include <string.h>
#include "../util/alloc.h"
#include "../util/text.h"
#include "../util/banned.h"

static int is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

/* s without surrounding white space: *p and *n. */
void review__trim(const char *s, size_t len, const char **p, size_t *n)
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

/* The trimmed answer to question q, or 0 when there is none (absent, not text). */
static int answer_of(json_t *answers, const char *q, const char **p, size_t *n)
{
    json_t *v = json_object_get(answers, q);
    if (!json_is_string(v))
        return 0;
    review__trim(json_string_value(v), json_string_length(v), p, n);
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
            review__trim(p->keys[i].answer, strlen(p->keys[i].answer), &k, &kn);
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
int review__vote_of(json_t *answers, const char *q, const char **p, size_t *n)
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
            if (!review__vote_of(answers[i], p->questions[qi], &a, &an))
                continue;
            for (size_t j = 0; j < i && !earlier; j++)
                earlier = review__vote_of(answers[j], p->questions[qi], &b, &bn) && bn == an &&
                          memcmp(a, b, an) == 0;
            if (earlier)
                continue;
            for (size_t j = i; j < n; j++)
                if (review__vote_of(answers[j], p->questions[qi], &b, &bn) && bn == an &&
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
        if (review__vote_of(answers, p->questions[qi], &a, &an) && an == strlen(q[qi].answer) &&
            memcmp(a, q[qi].answer, an) == 0)
            (*right)++;
        else
            (*wrong)++;
    }
    if (*right + *wrong == 0)
        return -1;
    return *right * 100 / (*right + *wrong);
}
