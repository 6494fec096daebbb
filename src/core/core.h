/* core.h: the context every rule runs in. The core owns the rules of Tessera (the
 * HIT and assignment state machines, money, pseudonyms); it knows no HTTP and no SQL,
 * only the store interface. Every core function runs inside a transaction its caller
 * opened, and a failed call is undone by rolling that transaction (or savepoint) back. */
#ifndef TS_CORE_H
#define TS_CORE_H
#include <stddef.h>
#include <stdint.h>
#include "../store/store.h"

struct secrets;

struct core_config {
    int fee_bp;              /* platform fee in basis points of rewards and bonuses */
    int64_t max_reward;      /* micro-units: the largest Reward accepted */
    int64_t max_bonus;       /* micro-units: the largest BonusAmount accepted */
    int64_t max_assignments; /* the largest MaxAssignments accepted */
    int64_t max_batch_rows;  /* the most HITs one CreateBatch makes */
    const char *base_url;    /* this server as workers reach it, e.g. http://127.0.0.1:8080 */
    /* Who counts as a Master (docs/mturk.md, "Masters"): at least this many approved
     * assignments, and at least this percentage of the reviewed ones approved. */
    int64_t masters_approved;
    int64_t masters_percent;
};
#define CORE_FEE_BP_DEFAULT 2000
#define CORE_MASTERS_APPROVED_DEFAULT 1000
#define CORE_MASTERS_PERCENT_DEFAULT 98
void core_config_init(struct core_config *cfg);

/* The events an operation's transitions raised and its reactors have not yet seen
 * (core/event.h). Zeroed, it is empty; event_clear frees it. */
struct event;
struct event_queue {
    struct event **v; /* v[head .. n) are queued, oldest first */
    size_t head, n, cap;
    uint64_t gen;     /* counts the events ever raised (and row changes without one) */
};

struct core_ctx {
    struct store *st;
    const struct secrets *sec;
    const struct core_config *cfg;
    int64_t now_ms; /* one clock reading for the whole transaction */
    struct event_queue events;
};

/* A context for one run of operations; the queue starts empty. */
#define CORE_CTX_INIT(st, sec, cfg, now_ms) {(st), (sec), (cfg), (now_ms), {NULL, 0, 0, 0, 0}}

/* The settle step. Runs the reactors of every queued event, in the order the events were
 * raised, and of the events those reactors raise in turn, until none is left: for each
 * event the quality reactor first (qc.c: live consensus, dynamic overlap), then
 * notifications (notify.c), then review policies (review.c). Call it after the
 * operation's function succeeded and before its savepoint (or transaction) is released.
 * A failure of a reactor is the operation's: the caller rolls back, and the queue is
 * emptied. Reactors that raise more than EVENT_SETTLE_MAX events in one step are a bug
 * (they feed each other without end). */
int core_settle(struct core_ctx *c, struct ts_error *err);
/* core_settle with the reactors r[0..nr) and the bound max (for tests). */
typedef int (*core_reactor)(struct core_ctx *c, struct event *e, struct ts_error *err);
int core__settle(struct core_ctx *c, const core_reactor *r, size_t nr, size_t max,
                 struct ts_error *err);

/* Whether no event is queued: true between steps (a step that was not finished with
 * core_finish leaves its events behind). */
static inline int core_idle(const struct core_ctx *c)
{
    return c->events.head == c->events.n;
}

/* The one way to end a core step: with rc == 0, settles (and returns its result);
 * otherwise drops the queued events and returns rc. So
 *     rc = store_end(st, core_finish(c, fn(c, ..., err), err), err);
 * runs a step as the executor does. */
int core_finish(struct core_ctx *c, int rc, struct ts_error *err);

/* Lazily processed timers. Loading a HIT processes its expiry when that is due
 * (hit_get_owned): the load raises the expiry's event like any transition. An operation
 * that goes on with the HIT sees it as the sweep would have left it, reactions included,
 * through these two: they settle what the load raised before the operation continues.
 *
 * core_hit_get_owned: hit_get_owned, and when the load processed a due timer, the settle
 * step and the HIT read again (*out is then the HIT after its reactions).
 * core_hit_due: the same for an operation whose transition loads the HIT itself
 * (hit_update_expiration, hit_add_assignments, hit_delete, hit_set_reviewing): called
 * just before it. A HIT that is not there is left for the transition to report, so the
 * operation's errors and their order are its own. */
struct hit;
int core_hit_get_owned(struct core_ctx *c, int64_t requester_id, const char *id,
                       struct hit *out, struct ts_error *err);
int core_hit_due(struct core_ctx *c, int64_t requester_id, const char *id,
                 struct ts_error *err);

/* UpdateHITTypeOfHIT: whether HIT h may take type t. A type with another Reward is
 * refused (TS_ECONFLICT, "InvalidHITType"): h's escrow and the rewards of work already
 * done were set by its reward. Checks only; changes nothing. */
struct hit_type;
int core_hit_may_take_type(const struct hit *h, const struct hit_type *t,
                           struct ts_error *err);

#endif
