/* replay.c: the dynamic-overlap simulation. Answers are shuffled once (splitmix64,
 * Fisher-Yates); a "subset" is a shallow copy of the answers with its own answer arrays,
 * so the methods run on it unchanged (items without answers in a subset get the prior
 * or, for majority vote, the first label in tie order, with confidence 0).
 * The dynamic replay walks the random order in REPLAY_STEPS steps; within a step every
 * answer to an open item is bought, then the method re-runs (Dawid–Skene warm-started
 * from the previous posterior) and items with enough answers and confidence >= C close.
 * Answers to closed items are never bought. A final full run scores the bought answers. */
#include "replay.h"

#include <stdlib.h>
#include <string.h>

#include "vote.h"
#include "../util/alloc.h"
#include "../util/banned.h"

#define REPLAY_STEPS 50
#define REPLAY_STEP_ITERS 10

static const double replay_thresholds[] = {0.8, 0.9, 0.95, 0.99, 0.999, 0.9999, 0.99999, 0.999999};

static uint64_t replay_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

struct replay {
    const struct answers *a;
    const struct replay_opts *o;
    struct answers sub;   /* the bought answers; arrays owned here */
    uint32_t *order;      /* the random order of a's answer indices */
    uint32_t *label, *nans;
    double *conf, *post;
};

/* Runs the method on r->sub into label/conf. warm: start DS from r->post, at most
 * REPLAY_STEP_ITERS iterations. Returns the accuracy over gold items. */
static double replay_eval(struct replay *r, int warm)
{
    const struct answers *a = r->a;
    size_t ok = 0;

    if (r->o->ds) {
        struct ds_opts ds = *r->o->ds;
        struct ds_info info;
        ds.warm = warm;
        if (warm && ds.max_iter > REPLAY_STEP_ITERS)
            ds.max_iter = REPLAY_STEP_ITERS;
        ds_run(&r->sub, &ds, r->post, &info);
        vote_pick_all(&r->sub, r->post, r->label, r->conf);
    } else {
        vote_run(&r->sub, r->label, r->conf);
    }
    for (size_t i = 0; i < a->items.n; i++)
        ok += a->gold[i] != INTERN_NONE && r->label[i] == a->gold[i];
    return (double)ok / (double)a->gold_items;
}

static void replay_take(struct replay *r, size_t j)
{
    struct answers *s = &r->sub;
    s->item[s->n] = r->a->item[j];
    s->worker[s->n] = r->a->worker[j];
    s->label[s->n] = r->a->label[j];
    s->n++;
    r->nans[r->a->item[j]]++;
}

/* The dynamic replay with threshold c; returns the accuracy, *used the answers bought. */
static double replay_dynamic(struct replay *r, double c, size_t *used)
{
    const struct answers *a = r->a;
    size_t step = (a->n + REPLAY_STEPS - 1) / REPLAY_STEPS, j = 0;
    uint8_t *closed = xcalloc(a->items.n, 1);
    double acc;

    r->sub.n = 0;
    memset(r->nans, 0, a->items.n * sizeof *r->nans);
    while (j < a->n) {
        size_t end = j + step < a->n ? j + step : a->n;
        for (; j < end; j++)
            if (!closed[a->item[r->order[j]]])
                replay_take(r, r->order[j]);
        replay_eval(r, r->sub.n > 0 && j > step);
        for (size_t i = 0; i < a->items.n; i++)
            if (r->nans[i] >= REPLAY_MIN_ANSWERS && r->conf[i] >= c)
                closed[i] = 1;
    }
    acc = replay_eval(r, 0);
    *used = r->sub.n;
    free(closed);
    return acc;
}

int replay_overlap(const struct answers *a, const struct replay_opts *o, FILE *out)
{
    struct replay r;
    uint64_t seed = o->seed;
    double full, best_share = 1, best_c = 0;
    size_t reach = a->n;

    if (!a->gold || !a->gold_items)
        return -1;
    memset(&r, 0, sizeof r);
    r.a = a;
    r.o = o;
    r.sub = *a;
    r.sub.item = xmalloc_array(a->n, sizeof *r.sub.item);
    r.sub.worker = xmalloc_array(a->n, sizeof *r.sub.worker);
    r.sub.label = xmalloc_array(a->n, sizeof *r.sub.label);
    r.order = xmalloc_array(a->n, sizeof *r.order);
    r.label = xmalloc_array(a->items.n, sizeof *r.label);
    r.nans = xmalloc_array(a->items.n, sizeof *r.nans);
    r.conf = xmalloc_array(a->items.n, sizeof *r.conf);
    r.post = xmalloc_array(st_mult(a->items.n, a->nlabels), sizeof *r.post);
    for (size_t j = 0; j < a->n; j++)
        r.order[j] = (uint32_t)j;
    for (size_t j = a->n; j > 1; j--) {
        size_t k = (size_t)(replay_next(&seed) % j);
        uint32_t t = r.order[j - 1];
        r.order[j - 1] = r.order[k];
        r.order[k] = t;
    }

    memset(r.nans, 0, a->items.n * sizeof *r.nans);
    r.sub.n = 0;
    for (size_t j = 0; j < a->n; j++)
        replay_take(&r, j);
    full = replay_eval(&r, 0);
    fprintf(out, "# overlap replay: %s, seed %llu, %zu answers, %zu gold items\n",
            o->ds ? "Dawid-Skene" : "majority vote", (unsigned long long)o->seed, a->n,
            a->gold_items);
    fprintf(out, "full-data accuracy %.4f; target (within 1 point) %.4f\n", full, full - 0.01);

    fprintf(out, "random-order prefix (no stopping):\nshare,accuracy\n");
    memset(r.nans, 0, a->items.n * sizeof *r.nans);
    r.sub.n = 0;
    for (int pct = 5; pct <= 100; pct += 5) {
        size_t upto = a->n * (size_t)pct / 100;
        double acc;
        while (r.sub.n < upto)
            replay_take(&r, r.order[r.sub.n]);
        acc = replay_eval(&r, 0);
        fprintf(out, "%.2f,%.4f\n", pct / 100.0, acc);
        if (acc >= full - 0.01 - 1e-12 && upto < reach)
            reach = upto;
    }
    fprintf(out, "prefix share needed: %.2f\n", (double)reach / (double)a->n);

    fprintf(out, "dynamic overlap (min %d answers, stop at confidence >= C):\n"
                 "C,share,accuracy\n", REPLAY_MIN_ANSWERS);
    for (size_t t = 0; t < sizeof replay_thresholds / sizeof replay_thresholds[0]; t++) {
        size_t used;
        double acc = replay_dynamic(&r, replay_thresholds[t], &used);
        double share = (double)used / (double)a->n;
        fprintf(out, "%g,%.4f,%.4f\n", replay_thresholds[t], share, acc);
        if (acc >= full - 0.01 - 1e-12 && share < best_share) {
            best_share = share;
            best_c = replay_thresholds[t];
        }
    }
    if (best_c > 0)
        fprintf(out, "dynamic share needed: %.4f (C = %g)\n", best_share, best_c);
    else
        fprintf(out, "dynamic share needed: 1 (no threshold reached the target)\n");
    free(r.sub.item);
    free(r.sub.worker);
    free(r.sub.label);
    free(r.order);
    free(r.label);
    free(r.nans);
    free(r.conf);
    free(r.post);
    return 0;
}
