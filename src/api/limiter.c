/* limiter.c: login backoff per address and per name in three fixed set-associative
 * tables (see limiter.h for the policy and why it cannot be used to lock an owner out). */
#include "limiter.h"
#include <string.h>
#include <sodium.h>
#include "../util/alloc.h"
#include "../util/banned.h"

#define WAYS 8

struct entry {
    uint64_t key;      /* 0: empty */
    int64_t failures;  /* pairs: this address's failures against this name */
    int64_t last_ms;   /* the last failure (pairs: the last use) */
    int64_t until_ms;  /* no attempt before this (addresses and names) */
    int known;         /* pairs: the address has logged in as this name */
    uint64_t addr;     /* names: the address of the first failure counted */
    int many;          /* names: failures have come from more than that one address */
};

struct table {
    struct entry *e;
    size_t sets; /* a power of two */
};

struct limiter {
    struct limiter_config cfg;
    unsigned char key[crypto_shorthash_KEYBYTES];
    struct table addrs, names, pairs;
};

void limiter_config_init(struct limiter_config *cfg)
{
    cfg->free_failures = LIMITER_FREE_DEFAULT;
    cfg->base_ms = LIMITER_BASE_MS_DEFAULT;
    cfg->max_ms = LIMITER_MAX_MS_DEFAULT;
    cfg->forget_ms = LIMITER_FORGET_MS_DEFAULT;
    cfg->slots = LIMITER_SLOTS_DEFAULT;
}

static void table_init(struct table *t, size_t slots)
{
    size_t n = WAYS;
    while (n < slots && n < ((size_t)1 << 24))
        n <<= 1;
    t->sets = n / WAYS;
    t->e = xcalloc(n, sizeof *t->e);
}

struct limiter *limiter_new(const struct limiter_config *cfg)
{
    struct limiter *l = xcalloc(1, sizeof *l);
    l->cfg = *cfg;
    randombytes_buf(l->key, sizeof l->key);
    table_init(&l->addrs, cfg->slots);
    table_init(&l->names, cfg->slots);
    table_init(&l->pairs, cfg->slots);
    return l;
}

void limiter_free(struct limiter *l)
{
    if (!l)
        return;
    free(l->addrs.e);
    free(l->names.e);
    free(l->pairs.e);
    free(l);
}

int64_t limiter_delay(const struct limiter_config *cfg, int64_t failures)
{
    int64_t over = failures - cfg->free_failures, d = cfg->base_ms;
    if (over <= 0)
        return 0;
    for (int64_t i = 1; i < over && d < cfg->max_ms; i++)
        d *= 2;
    return d < cfg->max_ms ? d : cfg->max_ms;
}

/* A keyed hash of tag, a and (for pairs) b, never 0. The NUL between a and b keeps
 * ("ab", "c") and ("a", "bc") apart. */
static uint64_t hash_key(const struct limiter *l, char tag, const char *a, const char *b)
{
    unsigned char buf[512], out[crypto_shorthash_BYTES];
    size_t n = 0, la = strlen(a), lb = b ? strlen(b) : 0;
    uint64_t k;
    if (la > 255)
        la = 255;
    if (lb > 255)
        lb = 255;
    buf[n++] = (unsigned char)tag;
    memcpy(buf + n, a, la);
    n += la;
    buf[n++] = 0;
    if (b) {
        memcpy(buf + n, b, lb);
        n += lb;
    }
    crypto_shorthash(out, buf, n, l->key);
    memcpy(&k, out, sizeof k);
    return k ? k : 1;
}

static int stale(const struct limiter *l, const struct entry *e, int64_t now_ms)
{
    return e->key && !e->known && now_ms - e->last_ms > l->cfg.forget_ms &&
           now_ms >= e->until_ms;
}

/* Which of a and b to give up first for a new key: empty, then forgotten, then (a pair)
 * not known, then fewer failures, then older. */
static int worse(const struct limiter *l, const struct entry *a, const struct entry *b,
                 int64_t now_ms)
{
    int ea = !a->key, eb = !b->key, sa = stale(l, a, now_ms), sb = stale(l, b, now_ms);
    if (ea != eb)
        return ea;
    if (sa != sb)
        return sa;
    if (a->known != b->known)
        return !a->known;
    if (a->failures != b->failures)
        return a->failures < b->failures;
    return a->last_ms < b->last_ms;
}

/* key's entry in t, or NULL; with create, a fresh one in place of the worst of its set.
 * An entry whose failures are forgotten is cleared on the way. */
static struct entry *find(const struct limiter *l, struct table *t, uint64_t key, int create,
                          int64_t now_ms)
{
    struct entry *set = &t->e[((size_t)(key ^ key >> 32) & (t->sets - 1)) * WAYS];
    struct entry *victim = &set[0];
    for (int i = 0; i < WAYS; i++) {
        struct entry *e = &set[i];
        if (e->key == key) {
            if (stale(l, e, now_ms)) {
                e->failures = 0;
                e->until_ms = 0;
                e->many = 0;
            }
            return e;
        }
        if (worse(l, e, victim, now_ms))
            victim = e;
    }
    if (!create)
        return NULL;
    memset(victim, 0, sizeof *victim);
    victim->key = key;
    victim->last_ms = now_ms;
    return victim;
}

int64_t limiter_check(struct limiter *l, const char *addr, const char *name, int64_t now_ms)
{
    uint64_t ak = hash_key(l, 'a', addr, NULL);
    struct entry *a = find(l, &l->addrs, ak, 0, now_ms), *n, *p;
    if (a && a->until_ms > now_ms)
        return a->until_ms - now_ms;
    n = find(l, &l->names, hash_key(l, 'n', name, NULL), 0, now_ms);
    if (!n || n->until_ms <= now_ms)
        return 0;
    /* Failures from one address alone are held back by that address's own delay: they
     * do not delay the name for anyone else. */
    if (!n->many && n->addr != ak)
        return 0;
    p = find(l, &l->pairs, hash_key(l, 'p', name, addr), 0, now_ms);
    if (p && p->known)
        return 0;
    return n->until_ms - now_ms;
}

static void bump(const struct limiter *l, struct entry *e, int64_t now_ms)
{
    if (e->failures < INT64_MAX / 2)
        e->failures++;
    e->last_ms = now_ms;
    e->until_ms = now_ms + limiter_delay(&l->cfg, e->failures);
}

void limiter_failed(struct limiter *l, const char *addr, const char *name, int64_t now_ms)
{
    uint64_t ak = hash_key(l, 'a', addr, NULL);
    struct entry *p = find(l, &l->pairs, hash_key(l, 'p', name, addr), 1, now_ms);
    struct entry *n = find(l, &l->names, hash_key(l, 'n', name, NULL), 1, now_ms);
    bump(l, find(l, &l->addrs, ak, 1, now_ms), now_ms);
    if (!n->failures)
        n->addr = ak;
    else if (n->addr != ak)
        n->many = 1;
    bump(l, n, now_ms);
    if (p->failures < INT64_MAX / 2)
        p->failures++;
    p->last_ms = now_ms;
}

void limiter_succeeded(struct limiter *l, const char *addr, const char *name, int64_t now_ms)
{
    struct entry *p = find(l, &l->pairs, hash_key(l, 'p', name, addr), 1, now_ms);
    struct entry *a = find(l, &l->addrs, hash_key(l, 'a', addr, NULL), 0, now_ms);
    struct entry *n = find(l, &l->names, hash_key(l, 'n', name, NULL), 0, now_ms);
    /* Only what this address did against this name is forgiven: a success on an account
     * of one's own does not clear guesses made at others. */
    if (a) {
        a->failures = a->failures > p->failures ? a->failures - p->failures : 0;
        a->until_ms = a->failures ? a->last_ms + limiter_delay(&l->cfg, a->failures) : 0;
    }
    if (n) {
        n->failures = 0;
        n->until_ms = 0;
        n->many = 0;
    }
    p->failures = 0;
    p->known = 1;
    p->last_ms = now_ms;
}
