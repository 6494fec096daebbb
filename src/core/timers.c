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

int64_t timers_token_expiry(int64_t now_ms, int64_t ttl_ms)
{
    return now_ms + ttl_ms;
}

int timers_token_expired(int64_t now_ms, int64_t expires_ms)
{
    return expires_ms && expires_ms <= now_ms;
}

int timers_token_slides(int64_t now_ms, int64_t ttl_ms, int64_t expires_ms)
{
    int64_t slack = ttl_ms / 4 < TIMERS_SLIDE_SLACK_MS ? ttl_ms / 4 : TIMERS_SLIDE_SLACK_MS;
    return expires_ms < now_ms + ttl_ms - slack;
}

int64_t timers_link_expiry_s(const struct core_ctx *c, int64_t ttl_s)
{
    return c->now_ms / TIMERS_SECOND_MS + ttl_s;
}

int64_t timers_auto_approval_due(const struct assignment *a)
{
    return a->status == ASG_SUBMITTED ? a->auto_approve_ms : 0;
}

int64_t timers_next_sweep(int64_t now_ms, int full)
{
    return now_ms + (full ? 0 : TIMERS_SWEEP_EVERY_MS);
}
