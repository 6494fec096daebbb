/* pay.h: what work pays, measured. Every assignment records when it was accepted and
 * submitted, so a worker's pay per hour is computed from real times, never estimated.
 * This is the one home of pay rules: the effective hourly pay shown with work and
 * earnings today, and the fair-pay rules to come (a wage floor per hour, top-ups that
 * lift pay to it) are to be added here, next to the measurement they rest on.
 *
 * Amounts are int64_t micro-units (util/money.h) and times are milliseconds. Nothing
 * here reads or writes the store: these are pure functions of their arguments. */
#ifndef TS_PAY_H
#define TS_PAY_H
#include <stdint.h>
#include "../store/store.h"

#define PAY_HOUR_MS 3600000LL

/* The time a's worker spent on it: submitted_ms - accepted_ms once submitted, 0 before
 * (and for an assignment returned or abandoned unsubmitted). Both times come from the
 * server's clock, so it is negative only if that clock was set back in between. */
int64_t pay_work_ms(const struct assignment *a);

/* Pay per hour, in micro-units, for earning reward over work_ms milliseconds of work:
 * reward * 3600000 / work_ms, rounded toward zero (truncated to the micro-unit: a worker
 * is never shown more than was earned). 0 when it is unknown: work_ms <= 0, or the
 * product reward * 3600000 overflows int64_t (a reward above about $2.56 million).
 * Accepted at t = 0 and submitted at t = 300 s for $1.00 gives exactly $12.00 per hour. */
int64_t pay_hourly(int64_t reward, int64_t work_ms);

#endif
