/* consensus.c: the one-coin posterior of consensus.h, in logs so that many answers do
 * not underflow. n is the number of answers to one item: small, so the distinct labels
 * are found by pairwise comparison. */
#include "consensus.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "../util/alloc.h"
#include "../util/banned.h"

double consensus_accuracy(int64_t gold_seen, int64_t gold_correct)
{
    double q = ((double)gold_correct + 1.4) / ((double)gold_seen + 2.0);
    return q < 0.05 ? 0.05 : q > 0.99 ? 0.99 : q;
}

static double clamp_q(double q)
{
    return q < 0.01 ? 0.01 : q > 0.99 ? 0.99 : q;
}

void consensus_compute(const struct consensus_vote *v, size_t n, size_t n_classes,
                       const char **label, double *confidence)
{
    size_t *first = xmalloc_array(n ? n : 1, sizeof *first); /* distinct labels: a vote index */
    double *logp = xmalloc_array(n ? n : 1, sizeof *logp);
    size_t d = 0, k, best = 0;
    double base = 0, max, z = 0;

    *label = NULL;
    *confidence = 0;
    if (n == 0)
        goto out;
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < d && strcmp(v[first[j]].label, v[i].label) != 0)
            j++;
        if (j == d)
            first[d++] = i;
    }
    k = n_classes > d ? n_classes : d;
    if (k < 2)
        k = 2;
    /* base: the log-likelihood of a label no one gave; each given label adds, for each
     * of its votes, log q - log((1 - q) / (K - 1)). */
    for (size_t i = 0; i < n; i++) {
        double q = clamp_q(v[i].accuracy);
        base += log((1 - q) / (double)(k - 1));
    }
    for (size_t j = 0; j < d; j++) {
        logp[j] = base;
        for (size_t i = 0; i < n; i++) {
            if (strcmp(v[i].label, v[first[j]].label) == 0) {
                double q = clamp_q(v[i].accuracy);
                logp[j] += log(q) - log((1 - q) / (double)(k - 1));
            }
        }
    }
    for (size_t j = 1; j < d; j++) {
        int cmp = strcmp(v[first[j]].label, v[first[best]].label);
        if (logp[j] > logp[best] || (logp[j] == logp[best] && cmp < 0))
            best = j;
    }
    max = logp[best] > base ? logp[best] : base;
    for (size_t j = 0; j < d; j++)
        z += exp(logp[j] - max);
    z += (double)(k - d) * exp(base - max);
    *label = v[first[best]].label;
    *confidence = exp(logp[best] - max) / z;
out:
    free(first);
    free(logp);
}
