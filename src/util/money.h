/* money.h: amounts of money are int64_t micro-units (1 dollar = 1,000,000). Every
 * arithmetic step is checked for overflow; decimals are parsed digit by digit, never
 * through floating point. Rounding lives in money_round_cents alone. */
#ifndef TS_MONEY_H
#define TS_MONEY_H
#include <stdint.h>
#include "err.h"

#define MONEY_UNIT 1000000LL            /* micro-units per dollar */
#define MONEY_CENT 10000LL              /* micro-units per cent */
#define MONEY_MAX (1000000000LL * MONEY_UNIT) /* a billion dollars: larger is absurd */

/* Each returns 0 and updates *a, or returns non-zero on overflow leaving *a unchanged. */
int money_add(int64_t *a, int64_t b);
int money_sub(int64_t *a, int64_t b);
int money_mul(int64_t *a, int64_t b);

/* Parses a dollar string as MTurk's CurrencyAmount: ^[0-9]+(\.)?[0-9]{0,2}$ ("5",
 * "0.1", "5.", "101.42"), at most MONEY_MAX. Writes micro-units. TS_EINVAL otherwise,
 * with a message naming `what` (e.g. "Reward"). */
int money_parse(const char *s, int64_t *out, const char *what, struct ts_error *err);

/* Writes a dollar string with exactly two decimals ("0.05", "-3.10") into out (>= 32
 * bytes). Amounts are rounded half away from zero to the cent for display only. */
void money_format(int64_t micros, char out[32]);

/* Rounds half up (away from zero) to a whole cent. */
int64_t money_round_cents(int64_t micros);

/* The platform fee on amount at rate_bp basis points (2000 = 20%), rounded half up to
 * the cent. Returns 0 on success, non-zero on overflow. */
int money_fee(int64_t amount, int rate_bp, int64_t *fee);

#endif
