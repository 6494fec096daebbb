/* timers.c: the core's deadlines and windows, from the operation's one clock reading. */
#include "timers.h"
#include "../util/banned.h"

int64_t timers_after_s(int64_t now_ms, int64_t s)
{
    return now_ms + s * TIMERS_SECOND_MS;
}

int64_t timers_deadline(const struct core_ctx *c, const struct hit_type *t)
{
    return timers_after_s(c->now_ms, t->duration_s);
}

int64_t timers_auto_approval(const struct core_ctx *c, const struct hit_type *t)
{
    return timers_after_s(c->now_ms, t->auto_approval_s);
}

int64_t timers_hit_expiry(const struct core_ctx *c, int64_t lifetime_s)
{
    return timers_after_s(c->now_ms, lifetime_s);
}

int64_t timers_expiry_max(const struct core_ctx *c)
{
    return timers_after_s(c->now_ms, TIMERS_YEAR_S);
}

int timers_override_open(const struct core_ctx *c, const struct assignment *a)
{
    return c->now_ms - a->submitted_ms <= TIMERS_OVERRIDE_DAYS * TIMERS_DAY_MS;
}

int64_t timers_token_since(const struct core_ctx *c)
{
    return c->now_ms - TIMERS_TOKEN_MS;
}

int64_t timers_next_sweep(int64_t now_ms, int full)
{
    return now_ms + (full ? 0 : TIMERS_SWEEP_EVERY_MS);
}
