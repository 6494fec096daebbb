/* money.c: amounts of money as int64_t micro-units. Arithmetic is checked with
 * __builtin_*_overflow and leaves its operand unchanged on overflow; dollar strings are
 * parsed digit by digit (never through double); every rounding to the cent happens in
 * money_round_cents, so display and fees round the same way. */
#include "money.h"

#include <inttypes.h>
#include <stdio.h>

#include "banned.h"

#define BP_WHOLE 10000 /* basis points in 100% */

int money_add(int64_t *a, int64_t b)
{
    int64_t r;

    if (__builtin_add_overflow(*a, b, &r))
        return -1;
    *a = r;
    return 0;
}

int money_sub(int64_t *a, int64_t b)
{
    int64_t r;

    if (__builtin_sub_overflow(*a, b, &r))
        return -1;
    *a = r;
    return 0;
}

int money_mul(int64_t *a, int64_t b)
{
    int64_t r;

    if (__builtin_mul_overflow(*a, b, &r))
        return -1;
    *a = r;
    return 0;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The message never echoes s: it may be long or hold control characters. */
static int bad_amount(const char *what, struct ts_error *err)
{
    return ts_fail(err, TS_EINVAL,
                   "%s must be a dollar amount such as 5 or 0.25: digits, then optionally "
                   "a point and at most two decimals",
                   what);
}

int money_parse(const char *s, int64_t *out, const char *what, struct ts_error *err)
{
    int64_t dollars = 0, cents = 0;
    int decimals = 0;

    if (!what)
        what = "amount";
    if (!s || !is_digit(*s))
        return bad_amount(what, err);
    for (; is_digit(*s); s++) {
        dollars = dollars * 10 + (*s - '0');
        if (dollars > MONEY_MAX / MONEY_UNIT) /* stops long before int64_t overflows */
            return ts_fail(err, TS_EINVAL, "%s must be at most %lld.00", what,
                           MONEY_MAX / MONEY_UNIT);
    }
    if (*s == '.') {
        for (s++; is_digit(*s) && decimals < 2; s++, decimals++)
            cents = cents * 10 + (*s - '0');
    }
    if (*s)
        return bad_amount(what, err);
    if (decimals == 1)
        cents *= 10;
    if (dollars * MONEY_UNIT + cents * MONEY_CENT > MONEY_MAX)
        return ts_fail(err, TS_EINVAL, "%s must be at most %lld.00", what,
                       MONEY_MAX / MONEY_UNIT);
    *out = dollars * MONEY_UNIT + cents * MONEY_CENT;
    return 0;
}

/* Within a cent of INT64_MIN/MAX, rounding away from zero would overflow; there (about
 * nine trillion dollars, far past MONEY_MAX) it rounds toward zero instead. */
int64_t money_round_cents(int64_t micros)
{
    int64_t rem = micros % MONEY_CENT; /* has the sign of micros */
    int64_t q = micros - rem;

    if (rem >= MONEY_CENT / 2 && q <= INT64_MAX - MONEY_CENT)
        q += MONEY_CENT;
    else if (rem <= -MONEY_CENT / 2 && q >= INT64_MIN + MONEY_CENT)
        q -= MONEY_CENT;
    return q;
}

void money_format(int64_t micros, char out[32])
{
    int64_t r = money_round_cents(micros);
    uint64_t mag = r < 0 ? (uint64_t)0 - (uint64_t)r : (uint64_t)r;
    uint64_t cents = mag / (uint64_t)MONEY_CENT;

    snprintf(out, 32, "%s%" PRIu64 ".%02" PRIu64, r < 0 ? "-" : "", cents / 100,
             cents % 100);
}

/* amount * rate_bp / 10000 is truncated toward zero to whole micro-units and then
 * rounded once. That is exact, not a double rounding: the half-cent thresholds are whole
 * micro-units, so a fraction of a micro-unit can never carry a value across one. */
int money_fee(int64_t amount, int rate_bp, int64_t *fee)
{
    int64_t p = amount;

    if (money_mul(&p, rate_bp))
        return -1;
    *fee = money_round_cents(p / BP_WHOLE);
    return 0;
}
