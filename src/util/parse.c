/* parse.c: decimal integers from untrusted text with an explicit range. The whole
 * span must be the number (no spaces, no '+', no trailing text), and the value is built
 * as an unsigned magnitude so that INT64_MIN parses and overflow is caught exactly. */
#include "parse.h"

#include "banned.h"

int parse_i64(const char *s, size_t n, int64_t min, int64_t max, int64_t *out)
{
    uint64_t mag = 0, limit;
    int neg = 0;
    size_t i = 0;
    int64_t v;

    if (!s || n == 0)
        return -1;
    if (s[0] == '-') {
        neg = 1;
        i = 1;
    }
    if (i == n)
        return -1;
    limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < n; i++) {
        unsigned d;

        if (s[i] < '0' || s[i] > '9')
            return -1;
        d = (unsigned)(s[i] - '0');
        if (mag > (limit - d) / 10)
            return -1;
        mag = mag * 10 + d;
    }
    if (neg)
        v = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
    else
        v = (int64_t)mag;
    if (v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int parse_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}
