/* answers.h: a crowd's answers (item, worker, label) read from CSV, interned to integer
 * ids and stored in flat arrays, plus the optional gold (item, label) file. This is the
 * one input every aggregation method in quality/ reads. */
#ifndef TS_QUALITY_ANSWERS_H
#define TS_QUALITY_ANSWERS_H
#include <stddef.h>
#include <stdint.h>

#include "intern.h"
#include "../util/err.h"

/* Invariants after answers_read:
 * - answer j is (item[j], worker[j], label[j]), j < n, in file order. A row whose
 *   (item, worker) pair came before counts in `repeated`; by default it is one more
 *   answer (the Dawid–Skene model counts repeated responses), with last_only it replaces
 *   the label of the earlier answer in place (the last answer counts; the position is that
 *   of the first) and the set keeps one answer per pair;
 * - item ids are 0..items.n-1 in order of first appearance, and every item has at least
 *   one answer; likewise workers;
 * - label ids 0..nlabels-1 are the labels that occur in answers; gold may intern more
 *   labels after them (ids >= nlabels), which no method ever outputs;
 * - rank[l] (l < nlabels) orders the labels for breaking ties: bytewise order of the
 *   label text (so "0" < "1" < "10" < "2" < "a"); rank 0 is preferred;
 * - numeric mode: value[l] is label l read as a decimal number, for every label id. */
struct answers {
    struct intern items, workers, labels;
    uint32_t *item, *worker, *label;
    size_t n, cap;
    uint32_t nlabels;
    uint32_t *rank;
    int numeric;
    double *value;     /* numeric mode only; one per label id */
    size_t value_cap;
    size_t rows;       /* data rows read from the answers file */
    size_t repeated;   /* rows whose (item, worker) pair came earlier */
    int last_only;     /* set before answers_read: 1 = a repeated pair replaces */
    /* gold, after answers_read_gold; gold == NULL without it */
    uint32_t *gold;       /* per item id: the gold label id, or INTERN_NONE */
    size_t gold_rows;     /* data rows in the gold file */
    size_t gold_items;    /* answered items that have gold */
    size_t gold_unknown;  /* gold rows whose item has no answers (ignored) */
};

/* Sets up an empty set; numeric = 1 reads every label as a decimal number. */
void answers_init(struct answers *a, int numeric);
void answers_release(struct answers *a);

/* Reads an answers file text[0..n) (borrowed; unescaped in place) named name in
 * messages: the header `item,worker,label`, then at least one row. Fields must be
 * non-empty valid UTF-8 without control characters other than tab, CR and LF; in
 * numeric mode labels must be decimal numbers (numeric_parse). TS_EINVAL with
 * "NAME:LINE: ..." on the first problem. Call once, on a fresh set. */
int answers_read(struct answers *a, char *text, size_t n, const char *name,
                 struct ts_error *err);

/* Reads a gold file (header `item,label`) after answers_read. Gold for items without
 * answers is counted in gold_unknown and otherwise ignored; a repeated item: the last row
 * counts. Errors as answers_read. */
int answers_read_gold(struct answers *a, char *text, size_t n, const char *name,
                      struct ts_error *err);

/* Number of answers of each item (counts[items.n], caller's array), over a's answers. */
void answers_count_items(const struct answers *a, uint32_t *counts);

#endif
