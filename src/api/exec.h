/* exec.h: the executor, Tessera's one writer. Requests from every door are queued here;
 * one thread takes all that are waiting, runs each operation in its own savepoint of
 * one transaction, commits the batch durably (group commit), and only then hands each
 * request its answer. So an acknowledged write is always on disk, and many requests
 * share the cost of one fsync. The same thread sweeps the timers (deadlines,
 * auto-approvals, HIT expiries) in bulk once a second. */
#ifndef TS_EXEC_H
#define TS_EXEC_H
#include <jansson.h>
#include "op.h"

struct exec;
struct secrets;

struct exec_job {
    /* What to run (filled by the door). */
    const struct op *op;
    json_t *in;                   /* owned by the door */
    int has_token;                /* authenticate by token_hash */
    unsigned char token_hash[32];
    int64_t account_id;           /* or: already authenticated as this account (> 0) */
    /* or: signed with an access key (the MTurk door). The executor looks the key up,
     * opens its secret and calls verify, which checks the request's signature. */
    const char *access_key_id;
    int (*verify)(void *ctx, const char *secret, int64_t now_ms, struct ts_error *err);
    void *verify_ctx;
    /* With access_key_id: the request's signature (64 hex digits, borrowed) and its
     * X-Amz-Date in ms. For an OP_WRITE operation the executor records them with the key
     * in the operation's own savepoint, for SIGV4_REPLAY_MS after signed_ms, so one
     * signed request takes effect at most once: a repeat is refused (TS_EDUPLICATE, kind
     * "RequestReplayed") and changes nothing. So is the repeat of a request the operation
     * refused; a failure of the server (TS_EIO, TS_EBUSY) leaves no record. */
    const char *signature;
    int64_t signed_ms;
    /* The outcome (filled by the executor before done is called). */
    int rc;
    struct ts_error err;
    json_t *out;                  /* on success: the answer (the door owns it then) */
    /* Called on the executor thread once the outcome is durable. */
    void (*done)(struct exec_job *job);
    void *arg;
    struct exec_job *next;
};

/* Opens its own store connection on db_path and starts the thread. sec and cfg are
 * borrowed for the executor's lifetime. */
int exec_start(const char *db_path, const struct secrets *sec, const struct core_config *cfg,
               struct exec **out, struct ts_error *err);
/* Queues job; thread-safe. job->done is called later on the executor thread. */
void exec_submit(struct exec *x, struct exec_job *job);
/* Queues job and waits for its outcome. */
void exec_run(struct exec *x, struct exec_job *job);
/* Finishes what is queued, stops the thread, closes the store. */
void exec_stop(struct exec *x);

#endif
