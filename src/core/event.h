/* event.h: what a transition did, recorded for the reactors. A transition of the HIT and
 * assignment state machines (asg.c, hit.c) changes its own rows and then raises one event
 * into the operation's core context; it never calls a reactor. The reactors
 * (notifications, live consensus and dynamic overlap, review policies) run later, from
 * core_settle (core.h), which takes the events in the order they were raised. The event
 * carries the rows the transition had in hand, so a reactor reads them from the event
 * instead of the store while nothing has changed since (docs/internals/events.md). */
#ifndef TS_EVENT_H
#define TS_EVENT_H
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "core.h"

enum event_kind {
    EVENT_ASG_ACCEPTED = 0,
    EVENT_ASG_SUBMITTED,
    EVENT_ASG_APPROVED,
    EVENT_ASG_REJECTED,
    EVENT_ASG_RETURNED,
    EVENT_ASG_ABANDONED,
    EVENT_HIT_CREATED,
    EVENT_HIT_EXPIRED,
    EVENT_HIT_EXTENDED,
    EVENT_HIT_DISPOSED,
    EVENT__COUNT
};
const char *event_kind_name(enum event_kind k);

#define EVENT_OVERRIDE 1u /* EVENT_ASG_APPROVED: a rejection was overridden */

/* The most events the reactors of one settle step may raise: past it, reactors feed each
 * other without end (a bug). The operation's own events are bounded by its input (a
 * CreateBatch raises one per row). */
#define EVENT_SETTLE_MAX 100000

/* What a submission had in hand (EVENT_ASG_SUBMITTED), all moved in by asg_submit: the
 * assignment as written, its answers (a reference is held) and the HIT's batch as
 * qc_label read it. */
struct event_submit {
    struct assignment asg;
    json_t *answers;
    struct batch batch;
};

struct event {
    enum event_kind kind;
    unsigned flags;
    uint64_t gen;  /* the queue's generation when it was raised */
    /* The HIT's status as its events see it (hit_status_seen) just before and just after
     * the transition: a HIT became Reviewable when after is and before was not. A reactor
     * that changes the HIT's slots (qc.c) sets after anew. */
    int before, after;
    struct hit hit;              /* the HIT as the transition left it, without its texts */
    char asg_id[STORE_ID_MAX];   /* "" for an event of the HIT alone */
    struct event_submit *submit; /* EVENT_ASG_SUBMITTED only (owned); NULL otherwise */
};

/* Raises an event of kind for HIT *h (and assignment asg_id, or NULL): the event keeps a
 * copy of h's row without its texts; before/after as above. Returns the event, which the
 * caller may fill further (flags, the submit members) until its next call into the
 * core. Never fails. */
struct event *event_raise(struct core_ctx *c, enum event_kind kind, const struct hit *h,
                          const char *asg_id, int before, int after);

/* How many events are queued; event_drop_since(c, mark) drops those raised after
 * event_count was mark (a transition rolled back with its savepoint). */
size_t event_count(const struct core_ctx *c);
void event_drop_since(struct core_ctx *c, size_t mark);

/* The oldest queued event, now the caller's (release it with event_release), or NULL. */
struct event *event_take(struct core_ctx *c);
void event_release(struct event *e);
/* Drops every queued event and frees the queue (a failed operation raised them). */
void event_clear(struct core_ctx *c);

/* Makes e->hit the HIT as it is now: kept as it is when no event was raised since e
 * (the row in hand is current), read from the store otherwise. */
int event_hit(struct core_ctx *c, struct event *e, struct ts_error *err);

#endif
