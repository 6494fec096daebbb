/* event.c: the queue of events in an operation's core context. Transitions raise events
 * here; core_settle (core.c) takes them and runs the reactors. Knows no reactor. */
#include "event.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../util/alloc.h"
#include "../util/banned.h"

static const char *const kind_names[EVENT__COUNT] = {
    [EVENT_ASG_ACCEPTED] = "AssignmentAccepted", [EVENT_ASG_SUBMITTED] = "AssignmentSubmitted",
    [EVENT_ASG_APPROVED] = "AssignmentApproved", [EVENT_ASG_REJECTED] = "AssignmentRejected",
    [EVENT_ASG_RETURNED] = "AssignmentReturned", [EVENT_ASG_ABANDONED] = "AssignmentAbandoned",
    [EVENT_HIT_CREATED] = "HITCreated",          [EVENT_HIT_EXPIRED] = "HITExpired",
    [EVENT_HIT_EXTENDED] = "HITExtended",        [EVENT_HIT_DISPOSED] = "HITDisposed",
};

const char *event_kind_name(enum event_kind k)
{
    return (unsigned)k < EVENT__COUNT ? kind_names[k] : "Unknown";
}

/* h without its texts (question, input_json, annotation: no reactor reads them). */
static void copy_row(struct hit *to, const struct hit *h)
{
    *to = *h;
    to->question = to->input_json = to->annotation = NULL;
    to->gold = h->gold ? xstrdup(h->gold) : NULL;
    to->consensus = h->consensus ? xstrdup(h->consensus) : NULL;
}

struct event *event_raise(struct core_ctx *c, enum event_kind kind, const struct hit *h,
                          const char *asg_id, int before, int after)
{
    struct event_queue *q = &c->events;
    struct event *e;

    if (q->head > 0 && q->head == q->n)
        q->head = q->n = 0; /* all taken: start the array again */
    if (q->n == q->cap) {
        q->cap = q->cap ? 2 * q->cap : 8;
        q->v = xrealloc(q->v, st_mult(q->cap, sizeof *q->v));
    }
    e = xcalloc(1, sizeof *e);
    e->kind = kind;
    e->gen = ++q->gen;
    e->before = before;
    e->after = after;
    copy_row(&e->hit, h);
    if (asg_id)
        snprintf(e->asg_id, sizeof e->asg_id, "%s", asg_id);
    q->v[q->n++] = e;
    return e;
}

size_t event_count(const struct core_ctx *c)
{
    return c->events.n - c->events.head;
}

void event_release(struct event *e)
{
    if (!e)
        return;
    store_hit_release(&e->hit);
    if (e->submit) {
        store_asg_release(&e->submit->asg);
        store_batch_release(&e->submit->batch);
        json_decref(e->submit->answers);
        free(e->submit);
    }
    free(e);
}

void event_drop_since(struct core_ctx *c, size_t mark)
{
    struct event_queue *q = &c->events;
    while (q->n - q->head > mark)
        event_release(q->v[--q->n]);
    q->gen++; /* rows the dropped events held may have been rolled back */
}

struct event *event_take(struct core_ctx *c)
{
    struct event_queue *q = &c->events;
    if (q->head == q->n)
        return NULL;
    return q->v[q->head++];
}

void event_clear(struct core_ctx *c)
{
    struct event_queue *q = &c->events;
    for (size_t i = q->head; i < q->n; i++)
        event_release(q->v[i]);
    free(q->v);
    q->v = NULL;
    q->head = q->n = q->cap = 0;
}

int event_hit(struct core_ctx *c, struct event *e, struct ts_error *err)
{
    struct hit h;
    int rc;

    if (e->gen == c->events.gen)
        return 0;
    rc = store_hit_get(c->st, e->hit.id, &h, err);
    if (rc)
        return rc;
    store_hit_release(&e->hit);
    e->hit = h;
    e->gen = c->events.gen;
    return 0;
}
