/* deliver.h: the delivery thread of notifications. It reads the outbox (core/notify.h)
 * on a store connection of its own, which it only reads, POSTs each due message to its
 * destination with libcurl, signed, and hands the outcome of every attempt to the
 * executor as a small internal job, so the one writer stays the only writer. See
 * docs/internals/notify.md. */
#ifndef TS_DELIVER_H
#define TS_DELIVER_H
#include "exec.h"
#include "../core/notify.h"

struct deliver;

/* Starts the thread. sec and x are borrowed until deliver_stop; policy is copied. */
int deliver_start(const char *db_path, const struct secrets *sec, struct exec *x,
                  const struct notify_policy *policy, struct deliver **out,
                  struct ts_error *err);
/* Stops the thread (a POST under way is abandoned; its message stays queued and is sent
 * again after the next start), closes its store connection. Call before exec_stop.
 * NULL is a no-op. */
void deliver_stop(struct deliver *d);

/* The signature header value of body sent at unix time ts with secret: "sha256=" and the
 * lower-case hex HMAC-SHA256(secret, ts "." body). out holds at least 72 bytes. */
void deliver_sign(const char *secret, int64_t ts, const char *body, size_t len,
                  char out[72]);

#endif
