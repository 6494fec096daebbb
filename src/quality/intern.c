/* intern.c: an open-addressing hash table (linear probing) from strings to
 * dense ids, with the strings packed into one growing pool. */
#include "intern.h"

#include <stdlib.h>
#include <string.h>

#include "../util/alloc.h"
#include "../util/err.h"
#include "../util/banned.h"

/* Eight bytes at a time: multiply, fold the high half down; the tail is zero-padded and
 * the length mixed in, so "a" and "a\0" differ. */
static uint32_t intern_hash(const char *s, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
        h ^= h >> 31;
    }
    if (i < n) {
        uint64_t w = 0;
        memcpy(&w, s + i, n - i);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
        h ^= h >> 31;
    }
    h *= 0x94d049bb133111ebull;
    return (uint32_t)(h ^ (h >> 32));
}

void intern_init(struct intern *t)
{
    memset(t, 0, sizeof *t);
}

void intern_release(struct intern *t)
{
    free(t->pool);
    free(t->off);
    free(t->len);
    free(t->hash);
    free(t->slot);
    intern_init(t);
}

static uint32_t intern_find(const struct intern *t, const char *s, size_t n, uint32_t h,
                            uint32_t *where)
{
    uint32_t mask = t->nslot - 1, i = h & mask;
    for (;; i = (i + 1) & mask) {
        uint32_t id = t->slot[i];
        if (id == INTERN_NONE) {
            *where = i;
            return INTERN_NONE;
        }
        if (t->hash[id] == h && t->len[id] == n && memcmp(t->pool + t->off[id], s, n) == 0)
            return id;
    }
}

static void intern_grow_slots(struct intern *t)
{
    uint32_t nslot = t->nslot ? t->nslot * 2 : 64;
    if (nslot == 0 || nslot > (1u << 31))
        TS_BUG("intern: too many strings");
    free(t->slot);
    t->slot = xmalloc_array(nslot, sizeof *t->slot);
    memset(t->slot, 0xff, (size_t)nslot * sizeof *t->slot);
    t->nslot = nslot;
    for (uint32_t id = 0; id < t->n; id++) {
        uint32_t i = t->hash[id] & (nslot - 1);
        while (t->slot[i] != INTERN_NONE)
            i = (i + 1) & (nslot - 1);
        t->slot[i] = id;
    }
}

uint32_t intern_get(const struct intern *t, const char *s, size_t n)
{
    uint32_t where;
    if (!t->nslot)
        return INTERN_NONE;
    return intern_find(t, s, n, intern_hash(s, n), &where);
}

uint32_t intern_put(struct intern *t, const char *s, size_t n, int *added)
{
    uint32_t h = intern_hash(s, n), where, id;

    if (added)
        *added = 0;
    if (!t->nslot)
        intern_grow_slots(t);
    id = intern_find(t, s, n, h, &where);
    if (id != INTERN_NONE)
        return id;
    if ((size_t)t->n + 1 > t->nslot / 2) {
        intern_grow_slots(t);
        intern_find(t, s, n, h, &where);
    }
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        if (t->cap > (1u << 31))
            TS_BUG("intern: too many strings");
        t->off = xrealloc(t->off, st_mult(t->cap, sizeof *t->off));
        t->len = xrealloc(t->len, st_mult(t->cap, sizeof *t->len));
        t->hash = xrealloc(t->hash, st_mult(t->cap, sizeof *t->hash));
    }
    while (t->pool_cap - t->pool_len < n + 1) {
        t->pool_cap = t->pool_cap ? st_mult(t->pool_cap, 2) : 4096;
        t->pool = xrealloc(t->pool, t->pool_cap);
    }
    if (n > UINT32_MAX)
        TS_BUG("intern: string too long");
    id = t->n++;
    t->off[id] = t->pool_len;
    t->len[id] = (uint32_t)n;
    t->hash[id] = h;
    memcpy(t->pool + t->pool_len, s, n);
    t->pool[t->pool_len + n] = '\0';
    t->pool_len += n + 1;
    t->slot[where] = id;
    if (added)
        *added = 1;
    return id;
}
