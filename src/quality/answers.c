/* answers.c: reading answers and gold files into interned ids and flat arrays. One
 * allocation per array, none per answer: a pair table (item, worker) -> answer index
 * finds repeated pairs, and is dropped when the file is read. */
#include "answers.h"

#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "numeric.h"
#include "../util/alloc.h"
#include "../util/text.h"
#include "../util/banned.h"

void answers_init(struct answers *a, int numeric)
{
    memset(a, 0, sizeof *a);
    intern_init(&a->items);
    intern_init(&a->workers);
    intern_init(&a->labels);
    a->numeric = numeric;
}

void answers_release(struct answers *a)
{
    intern_release(&a->items);
    intern_release(&a->workers);
    intern_release(&a->labels);
    free(a->item);
    free(a->worker);
    free(a->label);
    free(a->rank);
    free(a->value);
    free(a->gold);
    answers_init(a, 0);
}

/* The pair table: open addressing on item << 32 | worker, slots hold answer index + 1. */
struct pairs {
    uint32_t *slot;
    size_t mask;
};

static size_t pairs_hash(uint32_t item, uint32_t worker)
{
    uint64_t k = (uint64_t)item << 32 | worker; /* splitmix64's finaliser */
    k = (k ^ (k >> 30)) * 0xbf58476d1ce4e5b9ull;
    k = (k ^ (k >> 27)) * 0x94d049bb133111ebull;
    return (size_t)(k ^ (k >> 31));
}

static void pairs_rebuild(struct pairs *t, const struct answers *a, size_t nslot)
{
    free(t->slot);
    t->slot = xcalloc(nslot, sizeof *t->slot);
    t->mask = nslot - 1;
    for (size_t j = 0; j < a->n; j++) {
        size_t i = pairs_hash(a->item[j], a->worker[j]) & t->mask;
        while (t->slot[i])
            i = (i + 1) & t->mask;
        t->slot[i] = (uint32_t)(j + 1);
    }
}

/* Adds the answer. A repeated pair is counted; with last_only it replaces the label of
 * the earlier answer instead of adding a second one. */
static void answers_add(struct answers *a, struct pairs *t, uint32_t item, uint32_t worker,
                        uint32_t label)
{
    size_t i;

    if (st_mult(a->n + 1, 2) > t->mask + 1)
        pairs_rebuild(t, a, st_mult(t->mask + 1, 2));
    for (i = pairs_hash(item, worker) & t->mask; t->slot[i]; i = (i + 1) & t->mask) {
        size_t j = t->slot[i] - 1;
        if (a->item[j] == item && a->worker[j] == worker) {
            a->repeated++;
            if (a->last_only) {
                a->label[j] = label;
                return;
            }
            i = SIZE_MAX; /* keep the first answer's slot; append without one */
            break;
        }
    }
    if (a->n == a->cap) {
        a->cap = a->cap ? st_mult(a->cap, 2) : 4096;
        if (a->cap >= UINT32_MAX)
            TS_BUG("answers: too many answers");
        a->item = xrealloc(a->item, st_mult(a->cap, sizeof *a->item));
        a->worker = xrealloc(a->worker, st_mult(a->cap, sizeof *a->worker));
        a->label = xrealloc(a->label, st_mult(a->cap, sizeof *a->label));
    }
    if (i != SIZE_MAX)
        t->slot[i] = (uint32_t)(a->n + 1);
    a->item[a->n] = item;
    a->worker[a->n] = worker;
    a->label[a->n] = label;
    a->n++;
}

/* Interns field f of column col at name:line into t, checking it. */
static int answers_field(struct answers *a, struct intern *t, const struct csv_field *f,
                         const char *col, const char *name, size_t line, uint32_t *id,
                         struct ts_error *err)
{
    int added;

    if (f->n == 0)
        return ts_fail(err, TS_EINVAL, "%s:%zu: empty %s", name, line, col);
    *id = intern_put(t, f->p, f->n, &added);
    if (!added)
        return 0;
    if (text_utf8_chars(f->p, f->n) < 0)
        return ts_fail(err, TS_EINVAL,
                       "%s:%zu: %s is not valid UTF-8 or holds a control character", name,
                       line, col);
    if (a->numeric && t == &a->labels) {
        double v;
        if (numeric_parse(f->p, f->n, &v))
            return ts_fail(err, TS_EINVAL, "%s:%zu: label \"%.40s\" is not a number", name,
                           line, intern_str(t, *id));
        if (*id >= a->value_cap) {
            a->value_cap = a->value_cap ? st_mult(a->value_cap, 2) : 64;
            a->value = xrealloc(a->value, st_mult(a->value_cap, sizeof *a->value));
        }
        a->value[*id] = v;
    }
    return 0;
}

/* Reads the next record, which must have exactly want fields (columns names them). */
static int answers_record(struct csv *c, struct csv_field *f, size_t want, const char *columns,
                          size_t *line, struct ts_error *err)
{
    size_t nf;
    int rc = csv_next(c, f, want, &nf, line, err);

    if (rc == 1 && nf != want)
        return ts_fail(err, TS_EINVAL, "%s:%zu: expected %zu fields (%s), found %zu", c->name,
                       *line, want, columns, nf);
    return rc;
}

static int answers_header(struct csv *c, struct csv_field *f, size_t want, const char *columns,
                          struct ts_error *err)
{
    size_t nf, line = 1;
    int rc = csv_next(c, f, want, &nf, &line, err);
    int ok = rc == 1 && nf == want;

    if (rc == 0)
        return ts_fail(err, TS_EINVAL, "%s:1: empty file: expected the header \"%s\"",
                       c->name, columns);
    if (rc < 0)
        return rc;
    if (ok) {
        const char *w = columns;
        for (size_t i = 0; i < want && ok; i++) {
            size_t len = strcspn(w, ",");
            ok = f[i].n == len && memcmp(f[i].p, w, len) == 0;
            w += len + (w[len] == ',');
        }
    }
    if (!ok)
        return ts_fail(err, TS_EINVAL, "%s:%zu: the header must be \"%s\"", c->name, line,
                       columns);
    return 0;
}

/* 1 when label x sorts before label y bytewise (a prefix first). */
static int label_before(const struct answers *a, uint32_t x, uint32_t y)
{
    size_t nx = intern_len(&a->labels, x), ny = intern_len(&a->labels, y);
    int c = memcmp(intern_str(&a->labels, x), intern_str(&a->labels, y), nx < ny ? nx : ny);
    return c < 0 || (c == 0 && nx < ny);
}

/* rank[]: the labels in bytewise order. Insertion sort: the label set is small (a few
 * classes); it stays correct, if slower, for many. */
static void answers_rank(struct answers *a)
{
    uint32_t *order = xmalloc_array(a->nlabels, sizeof *order);

    for (uint32_t l = 0; l < a->nlabels; l++) {
        uint32_t k = l;
        while (k > 0 && label_before(a, l, order[k - 1])) {
            order[k] = order[k - 1];
            k--;
        }
        order[k] = l;
    }
    a->rank = xmalloc_array(a->nlabels, sizeof *a->rank);
    for (uint32_t r = 0; r < a->nlabels; r++)
        a->rank[order[r]] = r;
    free(order);
}

int answers_read(struct answers *a, char *text, size_t n, const char *name,
                 struct ts_error *err)
{
    struct csv c;
    struct csv_field f[3];
    struct pairs t = {NULL, 0};
    size_t line;
    int rc;

    csv_init(&c, text, n, name);
    rc = answers_header(&c, f, 3, "item,worker,label", err);
    if (rc)
        goto out;
    pairs_rebuild(&t, a, 8192);
    for (;;) {
        uint32_t item, worker, label;
        rc = answers_record(&c, f, 3, "item,worker,label", &line, err);
        if (rc != 1)
            break;
        rc = answers_field(a, &a->items, &f[0], "item", name, line, &item, err);
        if (!rc)
            rc = answers_field(a, &a->workers, &f[1], "worker", name, line, &worker, err);
        if (!rc)
            rc = answers_field(a, &a->labels, &f[2], "label", name, line, &label, err);
        if (rc)
            goto out;
        a->rows++;
        answers_add(a, &t, item, worker, label);
    }
    if (rc < 0)
        goto out;
    if (a->n == 0) {
        rc = ts_fail(err, TS_EINVAL, "%s: no answers after the header", name);
        goto out;
    }
    a->nlabels = a->labels.n;
    answers_rank(a);
out:
    free(t.slot);
    return rc;
}

int answers_read_gold(struct answers *a, char *text, size_t n, const char *name,
                      struct ts_error *err)
{
    struct csv c;
    struct csv_field f[2];
    size_t line;
    int rc;

    a->gold = xmalloc_array(a->items.n, sizeof *a->gold);
    memset(a->gold, 0xff, a->items.n * sizeof *a->gold);
    csv_init(&c, text, n, name);
    rc = answers_header(&c, f, 2, "item,label", err);
    if (rc)
        return rc;
    for (;;) {
        uint32_t item, label;
        rc = answers_record(&c, f, 2, "item,label", &line, err);
        if (rc != 1)
            break;
        if (f[0].n == 0)
            return ts_fail(err, TS_EINVAL, "%s:%zu: empty item", name, line);
        rc = answers_field(a, &a->labels, &f[1], "label", name, line, &label, err);
        if (rc)
            return rc;
        a->gold_rows++;
        item = intern_get(&a->items, f[0].p, f[0].n);
        if (item == INTERN_NONE) {
            a->gold_unknown++;
            continue;
        }
        if (a->gold[item] == INTERN_NONE)
            a->gold_items++;
        a->gold[item] = label;
    }
    return rc;
}

void answers_count_items(const struct answers *a, uint32_t *counts)
{
    memset(counts, 0, a->items.n * sizeof *counts);
    for (size_t j = 0; j < a->n; j++)
        counts[a->item[j]]++;
}
