/* numeric.h: aggregation of numeric answers (ratings, counts, estimates): the mean or
 * the median of each item's answers, with a confidence from their spread. */
#ifndef TS_QUALITY_NUMERIC_H
#define TS_QUALITY_NUMERIC_H
#include <stddef.h>

#include "answers.h"

/* Parses all of s[0..n) as a decimal number: optional sign, digits with an optional
 * '.', at least one digit, an optional exponent (e or E, optional sign, 1-3 digits); no
 * spaces. Returns 0 and *out (finite, |x| <= 1e300), or -1 with *out untouched. */
int numeric_parse(const char *s, size_t n, double *out);

/* For every item i of a (numeric mode): value[i] = the mean (median = 0) or the median
 * (median = 1; the mean of the two middle answers when their number is even) of its
 * answers, and conf[i] = 1 / (1 + se), where se is the standard error of that estimate:
 * s / sqrt(n) for the mean (s the sample standard deviation), 1.2533 * 1.4826 * MAD /
 * sqrt(n) for the median (MAD the median absolute deviation). An item with one answer
 * has no measurable spread and gets confidence 0; an item with none (only possible on a
 * subset) gets value 0 and confidence 0. */
void numeric_run(const struct answers *a, int median, double *value, double *conf);

#endif
