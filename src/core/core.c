/* core.c: defaults of the core's configuration, and the settle step: the one place where
 * the reactors run (docs/internals/events.md). Transitions raise events (event.c);
 * core_settle takes them oldest first and hands each to the reactors in a fixed order. */
#include "core.h"
#include <string.h>
#include "event.h"
#include "hit.h"
#include "notify.h"
#include "qc.h"
#include "review.h"
#include "../util/money.h"
#include "../util/banned.h"

void core_config_init(struct core_config *cfg)
{
    cfg->fee_bp = CORE_FEE_BP_DEFAULT;
    cfg->max_reward = 1000 * MONEY_UNIT;
    cfg->max_bonus = 10000 * MONEY_UNIT;
    cfg->max_assignments = 1000000;
    cfg->max_batch_rows = 100000;
    cfg->base_url = "http://127.0.0.1:8080";
    cfg->masters_approved = CORE_MASTERS_APPROVED_DEFAULT;
    cfg->masters_percent = CORE_MASTERS_PERCENT_DEFAULT;
}

/* The reactors, in the order each event meets them: quality first (it may close or open
 * the HIT's slots, which decides whether it became Reviewable), then the notification
 * of what happened, then review policies (whose actions raise further events). */
/* notify_reactor only forwards: notify_react takes its event const (it never changes
 * it), which a core_reactor cannot, and a cast between the two function types would make
 * the call undefined. */
static int notify_reactor(struct core_ctx *c, struct event *e, struct ts_error *err)
{
    return notify_react(c, e, err);
}

static const core_reactor reactors[] = {qc_react, notify_reactor, review_react};

int core__settle(struct core_ctx *c, const core_reactor *r, size_t nr, size_t max,
                 struct ts_error *err)
{
    uint64_t gen0 = c->events.gen;
    struct event *e;
    int rc = 0;

    while (!rc && (e = event_take(c)) != NULL) {
        /* gen counts raised events (and a few row changes, which only tighten this). */
        if (c->events.gen - gen0 > max)
            TS_BUG("the reactors of one settle step raised more than %zu events: they feed "
                   "each other",
                   max);
        for (size_t i = 0; !rc && i < nr; i++)
            rc = r[i](c, e, err);
        event_release(e);
    }
    event_clear(c);
    return rc;
}

int core_settle(struct core_ctx *c, struct ts_error *err)
{
    return core__settle(c, reactors, sizeof reactors / sizeof reactors[0], EVENT_SETTLE_MAX,
                        err);
}

int core_finish(struct core_ctx *c, int rc, struct ts_error *err)
{
    if (rc) {
        event_clear(c);
        return rc;
    }
    return core_settle(c, err);
}

int core_hit_get_owned(struct core_ctx *c, int64_t requester_id, const char *id,
                       struct hit *out, struct ts_error *err)
{
    size_t mark = event_count(c);
    int rc = hit_get_owned(c, requester_id, id, out, err);
    if (rc || event_count(c) == mark)
        return rc;
    store_hit_release(out);
    rc = core_settle(c, err);
    return rc ? rc : hit_get_owned(c, requester_id, id, out, err);
}

int core_hit_due(struct core_ctx *c, int64_t requester_id, const char *id,
                 struct ts_error *err)
{
    struct hit h;
    size_t mark = event_count(c);
    int rc = hit_get_owned(c, requester_id, id, &h, err);
    if (rc == TS_ENOTFOUND) {
        memset(err, 0, sizeof *err);
        return 0;
    }
    if (rc)
        return rc;
    store_hit_release(&h);
    return event_count(c) == mark ? 0 : core_settle(c, err);
}

int core_hit_may_take_type(const struct hit *h, const struct hit_type *t,
                           struct ts_error *err)
{
    char have[32], want[32];
    if (t->reward == h->reward)
        return 0;
    money_format(h->reward, have);
    money_format(t->reward, want);
    return ts_failk(err, TS_ECONFLICT, "InvalidHITType",
                    "HIT %s pays %s and HIT type %s pays %s: a HIT can move only to a type "
                    "with the same Reward",
                    h->id, have, t->id, want);
}
