/* vote.h: majority vote, the baseline every other method is measured against, and the
 * one tie rule all categorical methods share. */
#ifndef TS_QUALITY_VOTE_H
#define TS_QUALITY_VOTE_H
#include <stdint.h>

#include "answers.h"

/* Soft vote: post[i * K + k] (K = a->nlabels) = the share of item i's answers that say
 * label k; all zeros for an item without answers (possible only on a subset). */
void vote_soft(const struct answers *a, double *post);

/* The tie rule: the k < K with the largest p[k]; among equal ones, the lowest rank[k]
 * (the label that sorts first bytewise, as crowd-kit's majority vote does). */
uint32_t vote_pick(const double *p, uint32_t K, const uint32_t *rank);

/* Majority vote: label[i] = vote_pick of item i's soft vote, conf[i] = its share of the
 * item's answers (0 for an item without answers). */
void vote_run(const struct answers *a, uint32_t *label, double *conf);

/* label[i], conf[i] = vote_pick of post row i and its value, for every item. */
void vote_pick_all(const struct answers *a, const double *post, uint32_t *label, double *conf);

#endif
