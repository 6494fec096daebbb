/* keycache.c: the cache of decrypted access-key secrets (see keycache.h). */
#include "keycache.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "../util/alloc.h"
#include "../util/err.h"
#include "../util/banned.h"

struct keycache_slot {
    int used;
    int64_t account_id;
    char key_id[KEYCACHE_ID_MAX + 1];
    char secret[KEYCACHE_SECRET_MAX + 1];
};

struct keycache {
    pthread_mutex_t mu;
    size_t mask;                 /* slots - 1 */
    struct keycache_slot *slot;  /* sodium_malloc'd */
    uint64_t gen;
    struct keycache_stats stats;
};

/* FNV-1a: the ids are the server's own random names, and only keys that exist are kept,
 * so a caller cannot choose collisions. */
static size_t keycache_hash(const char *s)
{
    uint64_t h = 14695981039346656037u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211u;
    }
    return (size_t)(h ^ (h >> 32));
}

struct keycache *keycache_new(size_t slots)
{
    struct keycache *kc;
    if (slots == 0 || (slots & (slots - 1)) != 0)
        TS_BUG("keycache_new: %zu slots is not a power of two", slots);
    if (sodium_init() < 0)
        TS_BUG("sodium_init failed: no usable system randomness");
    kc = xcalloc(1, sizeof *kc);
    kc->slot = sodium_allocarray(slots, sizeof *kc->slot);
    if (!kc->slot)
        TS_BUG("out of memory for the access key cache");
    sodium_memzero(kc->slot, slots * sizeof *kc->slot);
    kc->mask = slots - 1;
    pthread_mutex_init(&kc->mu, NULL);
    return kc;
}

void keycache_free(struct keycache *kc)
{
    if (!kc)
        return;
    pthread_mutex_destroy(&kc->mu);
    sodium_free(kc->slot); /* sodium_free wipes what it frees */
    free(kc);
}

uint64_t keycache_gen(struct keycache *kc)
{
    uint64_t g;
    pthread_mutex_lock(&kc->mu);
    g = kc->gen;
    pthread_mutex_unlock(&kc->mu);
    return g;
}

int keycache_get(struct keycache *kc, const char *key_id, int64_t *account_id,
                 char secret[KEYCACHE_SECRET_MAX + 1])
{
    struct keycache_slot *s = &kc->slot[keycache_hash(key_id) & kc->mask];
    int hit;
    pthread_mutex_lock(&kc->mu);
    hit = s->used && strcmp(s->key_id, key_id) == 0;
    if (hit) {
        *account_id = s->account_id;
        memcpy(secret, s->secret, sizeof s->secret);
        kc->stats.hits++;
    } else {
        kc->stats.misses++;
    }
    pthread_mutex_unlock(&kc->mu);
    return hit;
}

int keycache_put(struct keycache *kc, uint64_t gen, const char *key_id, int64_t account_id,
                 const char *secret)
{
    size_t id_len = strlen(key_id), secret_len = strlen(secret);
    struct keycache_slot *s = &kc->slot[keycache_hash(key_id) & kc->mask];
    int kept = 0;
    if (id_len > KEYCACHE_ID_MAX || secret_len > KEYCACHE_SECRET_MAX)
        return 0;
    pthread_mutex_lock(&kc->mu);
    if (gen == kc->gen) {
        if (s->used && strcmp(s->key_id, key_id) != 0)
            kc->stats.evictions++;
        sodium_memzero(s, sizeof *s);
        s->used = 1;
        s->account_id = account_id;
        memcpy(s->key_id, key_id, id_len + 1);
        memcpy(s->secret, secret, secret_len + 1);
        kc->stats.fills++;
        kept = 1;
    }
    pthread_mutex_unlock(&kc->mu);
    return kept;
}

void keycache_clear(struct keycache *kc)
{
    pthread_mutex_lock(&kc->mu);
    sodium_memzero(kc->slot, (kc->mask + 1) * sizeof *kc->slot);
    kc->gen++;
    kc->stats.clears++;
    pthread_mutex_unlock(&kc->mu);
}

void keycache_stats(struct keycache *kc, struct keycache_stats *out)
{
    pthread_mutex_lock(&kc->mu);
    *out = kc->stats;
    pthread_mutex_unlock(&kc->mu);
}
