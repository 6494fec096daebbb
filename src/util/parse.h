/* parse.h: numbers from text with an explicit range; never atoi or strtod on input. */
#ifndef TS_PARSE_H
#define TS_PARSE_H
#include <stdint.h>
#include <stddef.h>

/* Parses all of s[0..n) as a decimal integer (optional leading '-') within [min, max].
 * Returns 0 and writes *out, or -1 (nothing written) on any other text or overflow. */
int parse_i64(const char *s, size_t n, int64_t min, int64_t max, int64_t *out);

/* The value 0..15 of the hex digit c (either case), or -1 when c is not one. */
int parse_hex_digit(char c);

#endif
