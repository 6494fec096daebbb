/* deliver.h: the delivery threads of notifications. A dispatcher reads the outbox
 * (core/notify.h) on a store connection of its own, which it only reads, and hands due
 * messages to DELIVER_WORKERS workers, at most one per destination and
 * DELIVER_PER_REQUESTER per requester at a time; a worker
 * POSTs its message with libcurl, signed, and hands the outcome of the attempt to the
 * executor as a small internal job, so the one writer stays the only writer. See
 * docs/internals/notify.md. */
#ifndef TS_DELIVER_H
#define TS_DELIVER_H
#include "exec.h"
#include "../core/notify.h"

struct deliver;

/* Messages in flight at once, each to a different destination, and at most
 * DELIVER_PER_REQUESTER of them one requester's. */
#define DELIVER_WORKERS 4
#define DELIVER_PER_REQUESTER 2

/* Starts the threads. sec and x are borrowed until deliver_stop; policy is copied. */
int deliver_start(const char *db_path, const struct secrets *sec, struct exec *x,
                  const struct notify_policy *policy, struct deliver **out,
                  struct ts_error *err);
/* Stops the threads (POSTs under way are abandoned; their messages stay queued and are
 * sent again after the next start), closes their store connections. Call before exec_stop.
 * NULL is a no-op. */
void deliver_stop(struct deliver *d);

/* The signature header value of body sent at unix time ts with secret: "sha256=" and the
 * lower-case hex HMAC-SHA256(secret, ts "." body). out holds at least 72 bytes. */
void deliver_sign(const char *secret, int64_t ts, const char *body, size_t len,
                  char out[72]);

#endif
