/* consensus.h: the consensus label of one item from weighted answers, as the platform
 * keeps it current while answers arrive (docs/quality.md). The model is the "one-coin"
 * Dawid-Skene model: worker w answers the true label with probability q_w and each other
 * label with probability (1 - q_w) / (K - 1). With a uniform prior, the posterior of
 * label l is proportional to the product over answers of q_w when the answer is l and
 * (1 - q_w) / (K - 1) when it is not. */
#ifndef TS_CONSENSUS_H
#define TS_CONSENSUS_H
#include <stddef.h>
#include <stdint.h>

struct consensus_vote {
    const char *label; /* the answer, compared byte for byte */
    double accuracy;   /* q_w, clamped to [0.01, 0.99] */
};

/* A worker's accuracy from gold: the posterior mean under a Beta prior of mean 0.7 and
 * weight 2, clamped to [0.05, 0.99]. A worker with no gold answer gets 0.7. */
double consensus_accuracy(int64_t gold_seen, int64_t gold_correct);

/* The most probable label of n votes among K = max(n_classes, distinct labels, 2)
 * classes, and its posterior probability. Ties go to the label that sorts first
 * (strcmp). With no vote, *label is NULL and *confidence 0. *label points into v. */
void consensus_compute(const struct consensus_vote *v, size_t n, size_t n_classes,
                       const char **label, double *confidence);

#endif
