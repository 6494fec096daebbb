/* limiter.h: backoff after failed logins, per client address and per account name, in
 * bounded memory. The executor asks it before a login is queued for its password check
 * and tells it the outcome afterwards; it knows nothing of HTTP or the store, and takes
 * the time from its caller, so tests drive it with their own clock.
 *
 * The executor counts each login it lets in as failed at once (limiter_failed) and calls
 * limiter_succeeded when the password proves right, so that logins sent at the same
 * moment cannot all pass before the first failure is known.
 *
 * The policy (docs/api.md, "Login limits"): an address or a name may fail free_failures
 * times at no cost; each further failure makes it wait base_ms, then twice that, and so
 * on up to max_ms. A failure older than forget_ms is forgotten. A name's delay applies to
 * other addresses only once its failures come from two addresses or more: one address
 * alone is held back by its own delay and cannot delay the owner. A success clears the
 * name's failures and the failures that address made against that name, and remembers
 * the (name, address) pair as known: an address known for a name is not held back by
 * that name's delay (only by its own), so guesses against an account from elsewhere
 * never lock its owner out from where they usually log in. A new address of the owner is
 * only delayed by at most max_ms per attempt, never locked.
 *
 * Memory: three tables (addresses, names, pairs) of `slots` entries each, fixed at
 * limiter_new. A new key takes the place of the least telling entry in its set (a
 * forgotten one, else the one with the fewest failures, else the oldest); a pair that is
 * known is given up only for another known pair. Keys are kept as keyed 64-bit hashes
 * (SipHash with a random key), so an attacker cannot aim many keys at one set.
 *
 * Not thread-safe: the caller serialises every call (the executor holds its lock). */
#ifndef TS_LIMITER_H
#define TS_LIMITER_H
#include <stddef.h>
#include <stdint.h>

struct limiter_config {
    int64_t free_failures; /* failures without a delay (default 5) */
    int64_t base_ms;       /* the first delay (default 1000) */
    int64_t max_ms;        /* the longest (default 60000) */
    int64_t forget_ms;     /* failures this old no longer count (default 3600000) */
    size_t slots;          /* entries per table, rounded up to a power of two >= 8 */
};
#define LIMITER_FREE_DEFAULT 5
#define LIMITER_BASE_MS_DEFAULT 1000
#define LIMITER_MAX_MS_DEFAULT 60000
#define LIMITER_FORGET_MS_DEFAULT 3600000
#define LIMITER_SLOTS_DEFAULT 8192
void limiter_config_init(struct limiter_config *cfg);

struct limiter;
/* A limiter with cfg's settings (copied). Free with limiter_free. */
struct limiter *limiter_new(const struct limiter_config *cfg);
void limiter_free(struct limiter *l);

/* 0 when a login for name from addr may be tried at now_ms, else how many ms it must
 * wait (> 0). The address's own delay is asked first; the name's applies unless the pair
 * is known. Changes nothing but the forgetting of old failures. */
int64_t limiter_check(struct limiter *l, const char *addr, const char *name, int64_t now_ms);
/* Records a wrong password (or unknown name) for name from addr. */
void limiter_failed(struct limiter *l, const char *addr, const char *name, int64_t now_ms);
/* Records a right password: see the policy above. */
void limiter_succeeded(struct limiter *l, const char *addr, const char *name, int64_t now_ms);

/* The delay after n failures under cfg: 0 up to free_failures, then base_ms doubling up
 * to max_ms. */
int64_t limiter_delay(const struct limiter_config *cfg, int64_t failures);

#endif
