/* qc.c: the quality reactor: live consensus and dynamic overlap. The consensus model
 * itself is in quality/consensus.c; worker accuracies come from their gold answers in the
 * batch. Gold mixing and labels, which the transitions use, are in qc_pick.c. */
#include "qc.h"
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "event.h"
#include "hit.h"
#include "../quality/consensus.h"
#include "../util/alloc.h"
#include "../util/banned.h"

#define QC_MAX_LABELS 1000 /* distinct labels a batch keeps track of */

/* b's known labels, as a JSON array (never NULL). */
static json_t *labels_of(const struct batch *b)
{
    json_t *arr = json_loads(b->labels_json ? b->labels_json : "[]", 0, NULL);
    if (!json_is_array(arr)) {
        json_decref(arr);
        arr = json_array();
    }
    return arr;
}

/* Adds label to b's known labels when it is new; *k is then how many there are. */
static int note_label(struct core_ctx *c, struct batch *b, const char *label, size_t *k,
                      struct ts_error *err)
{
    json_t *arr = labels_of(b);
    size_t i;
    json_t *v;
    int rc = 0;

    json_array_foreach(arr, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), label) == 0)
            goto out;
    }
    if (json_array_size(arr) >= QC_MAX_LABELS)
        goto out;
    json_array_append_new(arr, json_string(label));
    free(b->labels_json);
    b->labels_json = json_dumps(arr, JSON_COMPACT);
    if (!b->labels_json)
        TS_BUG("cannot serialise a batch's labels");
    rc = store_batch_set_labels(c->st, b, err);
out:
    *k = json_array_size(arr);
    json_decref(arr);
    return rc;
}

/* The answers of one HIT that count: Submitted and Approved, with a label. */
struct votes {
    struct core_ctx *c;
    const char *batch_id;
    struct consensus_vote *v;
    char **labels;
    size_t n, cap;
    struct ts_error *err;
    int rc;
};

static int vote_cb(void *ctx, const struct assignment *a)
{
    struct votes *w = ctx;
    int64_t seen, correct;

    if (!a->label)
        return 0;
    w->rc = store_worker_gold_get(w->c->st, w->batch_id, a->worker_id, &seen, &correct, w->err);
    if (w->rc)
        return 1;
    if (w->n == w->cap) {
        w->cap = w->cap ? 2 * w->cap : 8;
        w->v = xrealloc(w->v, st_mult(w->cap, sizeof *w->v));
        w->labels = xrealloc(w->labels, st_mult(w->cap, sizeof *w->labels));
    }
    w->labels[w->n] = xstrdup(a->label);
    w->v[w->n].label = w->labels[w->n];
    w->v[w->n].accuracy = consensus_accuracy(seen, correct);
    w->n++;
    return 0;
}

/* The consensus of h's answers among k known labels. */
static int compute_consensus(struct core_ctx *c, struct hit *h, const struct batch *b, size_t k,
                             struct ts_error *err)
{
    struct votes w = {.c = c, .batch_id = b->id, .err = err};
    struct asg_filter f = {.hit_id = h->id,
                           .status_mask = QC_COUNTED};
    const char *label = NULL;
    double conf = 0;
    int64_t last = 0;
    int more = 0;
    int rc;

    rc = store_asg_list(c->st, &f, 0, 1000000, vote_cb, &w, &last, &more, err);
    if (!rc)
        rc = w.rc;
    if (!rc) {
        consensus_compute(w.v, w.n, k, &label, &conf);
        free(h->consensus);
        h->consensus = label ? xstrdup(label) : NULL;
        h->confidence = conf;
        rc = store_hit_set_consensus(c->st, h, err);
    }
    for (size_t i = 0; i < w.n; i++)
        free(w.labels[i]);
    free(w.labels);
    free(w.v);
    return rc;
}

/* qc_refresh, with the number of labels the batch knows already counted. */
static int refresh(struct core_ctx *c, struct hit *h, const struct batch *b, size_t k,
                   struct ts_error *err)
{
    int rc;

    if (h->gold) {
        if (h->consensus)
            return 0;
        h->consensus = xstrdup(h->gold);
        h->confidence = 1;
        return store_hit_set_consensus(c->st, h, err);
    }
    rc = compute_consensus(c, h, b, k, err);
    if (rc || h->overlap_max <= 0)
        return rc;
    if (h->submitted + h->approved >= b->min_assignments &&
        h->confidence * 1e6 >= (double)b->confidence_ppm)
        return hit_close_slots(c, h, err);
    if (hit_free_slots(h) == 0 && h->pending == 0)
        rc = hit_open_slot(c, h, err);
    return rc;
}

int qc_refresh(struct core_ctx *c, struct hit *h, struct batch *b, struct ts_error *err)
{
    json_t *labels;
    size_t k;

    if (!b->label_field[0])
        return 0;
    labels = labels_of(b);
    k = json_array_size(labels);
    json_decref(labels);
    return refresh(c, h, b, k, err);
}

int qc_after_submit(struct core_ctx *c, struct hit *h, const struct assignment *a,
                    struct batch *b, struct ts_error *err)
{
    size_t k = 0;
    int rc = 0;

    if (!b->label_field[0] || !a->label)
        return 0;
    if (h->gold)
        rc = store_worker_gold_add(c->st, b->id, a->worker_id, strcmp(a->label, h->gold) == 0,
                                   err);
    if (!rc)
        rc = note_label(c, b, a->label, &k, err);
    if (!rc)
        rc = refresh(c, h, b, k, err);
    return rc;
}

int qc_review(struct core_ctx *c, struct hit *h, struct ts_error *err)
{
    struct batch b;
    int rc;

    if (!h->qc || !h->batch_id[0])
        return 0;
    memset(&b, 0, sizeof b);
    rc = store_batch_get(c->st, h->batch_id, &b, err);
    if (!rc)
        rc = qc_refresh(c, h, &b, err);
    store_batch_release(&b);
    return rc;
}

int qc_react(struct core_ctx *c, struct event *e, struct ts_error *err)
{
    int64_t max, overlap;
    int rc;

    if (e->kind == EVENT_ASG_SUBMITTED) {
        if (!e->submit || !e->submit->batch.label_field[0] || !e->submit->asg.label)
            return 0;
    } else if (e->kind == EVENT_ASG_REJECTED ||
               (e->kind == EVENT_ASG_APPROVED && (e->flags & EVENT_OVERRIDE))) {
        if (!e->hit.qc || !e->hit.batch_id[0])
            return 0;
    } else {
        return 0;
    }
    rc = event_hit(c, e, err);
    if (rc)
        return rc;
    max = e->hit.max_assignments;
    overlap = e->hit.overlap_max;
    if (e->kind == EVENT_ASG_SUBMITTED)
        rc = qc_after_submit(c, &e->hit, &e->submit->asg, &e->submit->batch, err);
    else
        rc = qc_review(c, &e->hit, err);
    if (rc)
        return rc;
    /* It raised no event, and hit_close_slots and hit_open_slot wrote e->hit itself: the
     * row in hand is still current. */
    e->gen = c->events.gen;
    if (e->hit.max_assignments != max || e->hit.overlap_max != overlap)
        e->after = hit_status_seen(c, &e->hit);
    return 0;
}

int qc_answer_counts(const struct assignment *a)
{
    return (QC_COUNTED & ASG_MASK(a->status)) != 0;
}
