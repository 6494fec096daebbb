/* fuzz_review.c: fuzzes review_policy_read, the reader of the AssignmentReviewPolicy and
 * HITReviewPolicy members of CreateHIT. The input is JSON (a ReviewPolicy); at each level
 * a policy that is accepted must load again from what was stored, and its scores, run on
 * an answer object made from the same input, must stay within 0..100. A violation aborts,
 * which the fuzzer and replay.c report. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/review.h"
#include "util/alloc.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise(const struct review_params *p, json_t *answers)
{
    json_t *set[3] = {answers, answers, answers};
    int score = review_known_score(p, answers, NULL);
    if (score < 0 || score > 100)
        abort();
    if (p->nquestions) {
        struct review_question *q = xcalloc(p->nquestions, sizeof *q);
        int right, wrong, hit = review_plurality(p, set, 3, q);
        if (hit < 0 || hit > 100)
            abort();
        for (size_t i = 0; i < p->nquestions; i++)
            if (q[i].score < 0 || q[i].score > 100 || (q[i].agreed && !q[i].answer))
                abort();
        score = review_worker_score(p, q, answers, &right, &wrong);
        if (score < -1 || score > 100)
            abort();
        review_questions_release(q, p->nquestions);
        free(q);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *v = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    json_t *answers = json_object();

    if (!v) {
        json_decref(answers);
        return 0;
    }
    /* Answers: the policy's own string values, under their parameter keys. */
    if (json_is_object(v)) {
        json_t *params = json_object_get(v, "Parameters"), *e;
        size_t i;
        json_array_foreach(params, i, e)
        {
            json_t *vals = json_object_get(e, "Values");
            const char *k = json_string_value(json_object_get(e, "Key"));
            if (k && json_is_string(json_array_get(vals, 0)))
                json_object_set(answers, k, json_array_get(vals, 0));
        }
    }
    for (int level = REVIEW_ASSIGNMENT; level <= REVIEW_HIT; level++) {
        struct review_policy pol;
        struct review_params p;
        struct ts_error err = {0};
        if (review_policy_read(v, level, &pol, &err) != 0)
            continue;
        if (review_params_load(&pol, &p, &err) != 0)
            abort(); /* what was accepted must load again */
        exercise(&p, answers);
        review_params_release(&p);
        store_review_policy_release(&pol);
    }
    json_decref(answers);
    json_decref(v);
    return 0;
}
