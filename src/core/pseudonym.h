/* pseudonym.h: how a requester knows a worker. A requester never sees a worker's
 * account: it sees a pseudonym, a keyed hash of (requester, worker) that is stable for
 * that requester and unlinkable across requesters. Since the hash cannot be reversed,
 * the pseudonyms a requester has been shown are recorded (when the worker accepts one
 * of its HITs or asks for one of its qualifications), and a requester can name (resolve)
 * only a worker it has been shown. The key itself stays in secrets.c. */
#ifndef TS_PSEUDONYM_H
#define TS_PSEUDONYM_H
#include <stdint.h>
#include "core.h"

#define PSEUDONYM_LEN 14 /* characters; buffers are PSEUDONYM_SIZE bytes */
#define PSEUDONYM_SIZE 16

/* The worker id requester_id sees: "A" + 13 characters [A-Z0-9], from
 * HMAC-SHA256(pseudonym subkey, requester_id || worker_id as big-endian int64). Stable
 * for a (requester, worker) pair and a given master key; unlinkable across requesters
 * without the key. out is NUL-terminated. Records nothing. */
void pseudonym_derive(const struct secrets *s, int64_t requester_id, int64_t worker_id,
                      char out[PSEUDONYM_SIZE]);

/* Records that requester_id has been shown worker_id (by its pseudonym), so that it may
 * name the worker from now on. Idempotent. Fails only as the store does. */
int pseudonym_note(struct core_ctx *c, int64_t requester_id, int64_t worker_id,
                   struct ts_error *err);

/* The worker that requester_id knows as pseudonym, into *worker_id. A pseudonym this
 * requester has not been shown (another requester's, or none at all) is
 * TS_ENOTFOUND ("WorkerDoesNotExist"), alike, so it tells nothing about other
 * requesters' workers; *worker_id is then untouched. */
int pseudonym_resolve(struct core_ctx *c, int64_t requester_id, const char *pseudonym,
                      int64_t *worker_id, struct ts_error *err);

/* Whether pseudonym is the one requester_id sees for worker_id. Records and reads
 * nothing in the store. */
int pseudonym_is(const struct core_ctx *c, int64_t requester_id, const char *pseudonym,
                 int64_t worker_id);

#endif
