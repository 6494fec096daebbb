/* vote.c: majority vote and the shared tie rule. */
#include "vote.h"

#include <stdlib.h>
#include <string.h>

#include "../util/alloc.h"
#include "../util/banned.h"

void vote_soft(const struct answers *a, double *post)
{
    size_t K = a->nlabels, ni = a->items.n;
    uint32_t *cnt = xmalloc_array(ni, sizeof *cnt);

    answers_count_items(a, cnt);
    memset(post, 0, st_mult(ni, K) * sizeof *post);
    for (size_t j = 0; j < a->n; j++)
        post[a->item[j] * K + a->label[j]] += 1.0 / cnt[a->item[j]];
    free(cnt);
}

uint32_t vote_pick(const double *p, uint32_t K, const uint32_t *rank)
{
    uint32_t best = 0;
    for (uint32_t k = 1; k < K; k++)
        if (p[k] > p[best] || (p[k] == p[best] && rank[k] < rank[best]))
            best = k;
    return best;
}

void vote_pick_all(const struct answers *a, const double *post, uint32_t *label, double *conf)
{
    uint32_t K = a->nlabels;
    for (size_t i = 0; i < a->items.n; i++) {
        label[i] = vote_pick(post + i * K, K, a->rank);
        conf[i] = post[i * K + label[i]];
    }
}

void vote_run(const struct answers *a, uint32_t *label, double *conf)
{
    double *post = xmalloc_array(st_mult(a->items.n, a->nlabels), sizeof *post);
    vote_soft(a, post);
    vote_pick_all(a, post, label, conf);
    free(post);
}
