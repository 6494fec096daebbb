/* keycache.h: the decrypted secrets of the access keys used lately, so that a signed
 * request whose key has been seen costs no store read and no secretbox open. Bounded
 * (a fixed number of slots, direct-mapped on a hash of the key id: a key that lands on a
 * taken slot evicts its holder), held in sodium_malloc'd memory (guard pages, locked in
 * RAM where the system allows), and wiped with sodium_memzero whenever a slot is evicted
 * or emptied. Thread-safe: one mutex, held only to copy a slot in or out.
 *
 * The cache never decides whether a key is still valid: the executor empties it when a
 * credential is revoked (by an operation, by meta('auth_gen'), at every timer sweep), and
 * checks the key again inside each operation's savepoint. A fill that raced with an
 * emptying is dropped (keycache_gen). See docs/internals/sigv4.md. */
#ifndef TS_KEYCACHE_H
#define TS_KEYCACHE_H
#include <stddef.h>
#include <stdint.h>

#define KEYCACHE_SLOTS_DEFAULT 256
#define KEYCACHE_ID_MAX 128     /* an access key id's longest (sigv4.h) */
#define KEYCACHE_SECRET_MAX 216 /* a secret's longest: a 256-byte box less its overhead */

struct keycache;

struct keycache_stats {
    uint64_t hits, misses, fills, evictions, clears;
};

/* A cache of slots entries (a power of two, at least 1). Aborts when out of memory. */
struct keycache *keycache_new(size_t slots);
/* Wipes and frees kc (NULL is fine). */
void keycache_free(struct keycache *kc);

/* The generation: counts up at every keycache_clear. Read it before looking a key up in
 * the store, and pass it to keycache_put. */
uint64_t keycache_gen(struct keycache *kc);
/* On a hit: 1, with the key's account in *account_id and its secret (NUL-terminated) in
 * secret, which the caller wipes after use. On a miss: 0, nothing written. */
int keycache_get(struct keycache *kc, const char *key_id, int64_t *account_id,
                 char secret[KEYCACHE_SECRET_MAX + 1]);
/* Keeps key_id's account and secret (both copied), evicting the slot's holder. Nothing is
 * kept (0) when kc has been cleared since gen was read, or when the id or the secret is
 * longer than this cache holds; 1 otherwise. */
int keycache_put(struct keycache *kc, uint64_t gen, const char *key_id, int64_t account_id,
                 const char *secret);
/* Wipes every slot and counts the generation up. */
void keycache_clear(struct keycache *kc);
void keycache_stats(struct keycache *kc, struct keycache_stats *out);

#endif
