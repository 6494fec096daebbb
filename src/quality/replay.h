/* replay.h: the dynamic-overlap simulation (issue #4): replay a dataset's answers in a
 * seeded random order and measure how many of them a platform would have needed to buy
 * (a) when it simply stops early, and (b) when each item stops taking answers as soon as
 * its consensus is confident enough. Used by `tessera aggregate --simulate-overlap`. */
#ifndef TS_QUALITY_REPLAY_H
#define TS_QUALITY_REPLAY_H
#include <stdint.h>
#include <stdio.h>

#include "answers.h"
#include "ds.h"

struct replay_opts {
    const struct ds_opts *ds; /* the method: Dawid–Skene with these options, or NULL for
                                 majority vote */
    uint64_t seed;            /* the random order */
};

/* a must have gold (answers_read_gold). Writes a report to out: the full-data accuracy;
 * for prefixes of the random order, the accuracy and the smallest share within one
 * point (0.01) of the full-data accuracy; then, for a fixed list of confidence
 * thresholds C, the share of answers used and the accuracy when an item stops taking
 * answers once it has REPLAY_MIN_ANSWERS and confidence >= C. Returns 0, or -1 when a
 * has no gold items. Deterministic for a given seed. */
int replay_overlap(const struct answers *a, const struct replay_opts *o, FILE *out);

#define REPLAY_MIN_ANSWERS 2

#endif
