/* pay.c: pay measured per hour of work (see pay.h); the home of the fair-pay rules. */
#include "pay.h"
#include "../util/money.h"
#include "../util/banned.h"

int64_t pay_work_ms(const struct assignment *a)
{
    if (!a->submitted_ms)
        return 0;
    return a->submitted_ms - a->accepted_ms;
}

int64_t pay_hourly(int64_t reward, int64_t work_ms)
{
    int64_t v = reward;
    if (work_ms <= 0)
        return 0;
    if (money_mul(&v, PAY_HOUR_MS))
        return 0;
    return v / work_ms;
}
