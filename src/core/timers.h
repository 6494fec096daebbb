/* timers.h: when things happen. Every deadline and window of the core is computed here
 * from the operation's clock reading (core_ctx.now_ms): an assignment's deadline and
 * auto-approval time, a HIT's expiry and the longest it may be set to, the 30 days in
 * which a rejection may be overridden, the 24 hours in which a UniqueRequestToken is
 * remembered, and when the executor sweeps the timers that have come due. The sweep
 * itself (hit_sweep, asg_sweep) processes in bulk what these times made due. */
#ifndef TS_TIMERS_H
#define TS_TIMERS_H
#include <stdint.h>
#include "core.h"

#define TIMERS_SECOND_MS 1000LL
#define TIMERS_DAY_MS (24LL * 3600 * TIMERS_SECOND_MS)
#define TIMERS_YEAR_S 31536000LL /* 365 days: the longest duration, lifetime and ExpireAt */
#define TIMERS_OVERRIDE_DAYS 30  /* a rejection may be overridden this long after submission */
#define TIMERS_TOKEN_MS TIMERS_DAY_MS /* a UniqueRequestToken is remembered this long */
/* The most seconds a request may give for a duration: they convert to milliseconds
 * without overflow, before the core's own ranges are checked. */
#define TIMERS_SECONDS_MAX (INT64_MAX / TIMERS_SECOND_MS)

/* now_ms + s seconds (s bounded by its validation: cannot overflow). */
int64_t timers_after_s(int64_t now_ms, int64_t s);

/* An assignment accepted now of type t: when it is abandoned unless submitted. */
int64_t timers_deadline(const struct core_ctx *c, const struct hit_type *t);
/* An assignment submitted now of type t: when it is approved unless reviewed first. */
int64_t timers_auto_approval(const struct core_ctx *c, const struct hit_type *t);
/* A HIT created now with lifetime_s: when it expires. */
int64_t timers_hit_expiry(const struct core_ctx *c, int64_t lifetime_s);
/* The latest expiry a HIT may be given now (UpdateExpirationForHIT). */
int64_t timers_expiry_max(const struct core_ctx *c);
/* Whether the rejection of assignment a, submitted at a->submitted_ms, may still be
 * overridden. */
int timers_override_open(const struct core_ctx *c, const struct assignment *a);
/* A UniqueRequestToken recorded at or after this time is still in force. */
int64_t timers_token_since(const struct core_ctx *c);

/* Bearer tokens (Login, and the executor's authentication). A token lives ttl_ms after
 * it was issued or last moved on; a sliding token's expiry is moved on (written again)
 * only once it has fallen TIMERS_SLIDE_SLACK_MS behind now + ttl_ms (or a quarter of
 * ttl_ms, if that is shorter), so the hot path writes about once a day per token. */
#define TIMERS_SLIDE_SLACK_MS TIMERS_DAY_MS
/* A token issued, or moved on, now: when it expires. */
int64_t timers_token_expiry(int64_t now_ms, int64_t ttl_ms);
/* Whether a token expiring at expires_ms (0: never) has expired by now. */
int timers_token_expired(int64_t now_ms, int64_t expires_ms);
/* Whether a sliding token of lifetime ttl_ms, expiring at expires_ms, has fallen far
 * enough behind to be moved on now (to timers_token_expiry). */
int timers_token_slides(int64_t now_ms, int64_t ttl_ms, int64_t expires_ms);

/* A signed download link made now, valid ttl_s seconds: its expiry, in whole seconds
 * since the epoch (as the link carries it). */
int64_t timers_link_expiry_s(const struct core_ctx *c, int64_t ttl_s);

/* When assignment a will be approved unless reviewed first: its auto-approval time while
 * it is Submitted, else 0 (nothing is due). */
int64_t timers_auto_approval_due(const struct assignment *a);

/* The executor's timer sweep: every TIMERS_SWEEP_EVERY_MS, or at once again when the
 * last sweep was full (it took its cap of some timer, so more may be due). */
#define TIMERS_SWEEP_EVERY_MS 1000
int64_t timers_next_sweep(int64_t now_ms, int full);

#endif
