/* intern.h: strings to dense integer ids 0, 1, 2, ... in order of first sight. The
 * aggregation code works on these ids and flat arrays; the strings are kept once each,
 * in one pool, for printing. */
#ifndef TS_QUALITY_INTERN_H
#define TS_QUALITY_INTERN_H
#include <stddef.h>
#include <stdint.h>

#define INTERN_NONE UINT32_MAX

/* Invariants: ids are 0..n-1; string id sits at pool + off[id], len[id] bytes, followed
 * by a NUL; slot holds ids or INTERN_NONE and is never more than half full. */
struct intern {
    char *pool;
    size_t pool_len, pool_cap;
    size_t *off;
    uint32_t *len, *hash;
    uint32_t n, cap;
    uint32_t *slot;
    uint32_t nslot; /* a power of two */
};

void intern_init(struct intern *t);
void intern_release(struct intern *t);

/* The id of s[0..n), adding it when new (then *added = 1, else 0; added may be NULL).
 * s need not be NUL-terminated. Aborts only when out of memory or past 2^32-2 strings. */
uint32_t intern_put(struct intern *t, const char *s, size_t n, int *added);

/* The id of s[0..n), or INTERN_NONE when it has not been added. */
uint32_t intern_get(const struct intern *t, const char *s, size_t n);

/* String id (NUL-terminated, borrowed; valid until the next intern_put) and its length. */
static inline const char *intern_str(const struct intern *t, uint32_t id)
{
    return t->pool + t->off[id];
}
static inline size_t intern_len(const struct intern *t, uint32_t id)
{
    return t->len[id];
}

#endif
