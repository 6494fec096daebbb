/* door_mturk.h: the Mechanical Turk door: `POST /` with
 * `X-Amz-Target: MTurkRequesterServiceV20170117.<Operation>`, a JSON 1.1 body and an AWS
 * Signature Version 4, answering as the MTurk requester API does (docs/mturk.md). It
 * dispatches into the same operation table as the native door. Like door.h, it knows no
 * HTTP library: headers come through a lookup function. */
#ifndef TS_DOOR_MTURK_H
#define TS_DOOR_MTURK_H
#include "door.h"

#define DOOR_MTURK_TARGET_PREFIX "MTurkRequesterServiceV20170117."

/* Looks a request header up by its lower-case name: its value, or NULL. */
typedef const char *(*door_header_fn)(void *ctx, const char *lower_name);

/* Parses and checks a request whose path and query are as on the request line (raw,
 * still percent-encoded; query without the '?', NULL when there is none) and whose body
 * is body[0..n). path, query and body are borrowed and must stay valid until
 * door_mturk_release: the signature is verified over them. Returns 0 with job ready to
 * run (the executor verifies the signature through job->verify, and remembers it for a
 * write: job->signature), or non-zero with reply filled. */
int door_mturk_prepare(door_header_fn header, void *ctx, const char *path, const char *query,
                       const char *body, size_t n, struct exec_job *job,
                       struct door_reply *reply);
/* The reply for a job the executor has run; takes job->out. */
void door_mturk_reply(struct exec_job *job, struct door_reply *reply);
/* An error reply in MTurk's shape: {"__type":…,"Message":…[,"TurkErrorCode":…]}. */
void door_mturk_error(unsigned status, const char *type, const char *turk_code,
                      const char *msg, struct door_reply *reply);
/* Frees what door_mturk_prepare attached to job. */
void door_mturk_release(struct exec_job *job);

#endif
