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
#include "limiter.h"

struct exec;
struct secrets;

struct exec_job {
    /* What to run (filled by the door). */
    const struct op *op;
    json_t *in;                   /* owned by the door */
    int has_token;                /* authenticate by token_hash */
    unsigned char token_hash[32];
    int64_t account_id;           /* or: already authenticated as this account (> 0) */
    /* or: signed with an access key (the MTurk door). The executor's side thread looks
     * the key's secret up (a cache, else the store), and calls verify, which checks the
     * request's signature, before the job reaches the writer; the writer checks again,
     * in the operation's savepoint, that the key has not been revoked since. verify and
     * verify_ctx are used on the side thread only. */
    const char *access_key_id;
    int (*verify)(void *ctx, const char *secret, int64_t now_ms, struct ts_error *err);
    void *verify_ctx;
    int64_t signer_id;            /* set by the executor: the key's account, once verified */
    /* With access_key_id: the request's signature (64 hex digits, borrowed) and its
     * X-Amz-Date in ms. For an OP_WRITE operation the executor records them with the key
     * in the operation's own savepoint, for SIGV4_REPLAY_MS after signed_ms, so one
     * signed request takes effect at most once: a repeat is refused (TS_EDUPLICATE, kind
     * "RequestReplayed") and changes nothing. So is the repeat of a request the operation
     * refused; a failure of the server (TS_EIO, TS_EBUSY) leaves no record. */
    const char *signature;
    int64_t signed_ms;
    char client[48];              /* the caller's IP address (the HTTP layer), or "" */
    /* The outcome (filled by the executor before done is called). */
    int rc;
    struct ts_error err;
    json_t *out;                  /* on success: the answer (the door owns it then) */
    int retry_after_s;            /* with TS_ETOOMANY or TS_EBUSY: when to try again, or 0 */
    /* Called on the executor thread once the outcome is durable. */
    void (*done)(struct exec_job *job);
    void *arg;
    struct exec_job *next;
};

/* The limits on logins (and on what they issue). A login waits for its password check
 * on the side thread; it is refused before that with TS_ETOOMANY (429) while the
 * limiter holds its address or name back, or while its address already has
 * queue_per_addr logins waiting or being checked, and with TS_EBUSY (503) when queue_max
 * are in all. Both carry retry_after_s. See docs/api.md, "Login limits". */
struct exec_limits {
    struct limiter_config login;
    int64_t queue_max;       /* default 64 */
    int64_t queue_per_addr;  /* default 4 */
    int64_t token_ttl_ms;    /* Login tokens' sliding lifetime, default 30 days */
};
#define EXEC_QUEUE_MAX_DEFAULT 64
#define EXEC_QUEUE_PER_ADDR_DEFAULT 4
#define EXEC_TOKEN_TTL_MS_DEFAULT ((int64_t)30 * 86400 * 1000)
void exec_limits_init(struct exec_limits *l);
/* Replaces the limits (copied); call before requests arrive. exec_start sets the
 * defaults. */
void exec_set_limits(struct exec *x, const struct exec_limits *l);

/* Opens its own store connection on db_path and starts the thread. sec and cfg are
 * borrowed for the executor's lifetime. */
int exec_start(const char *db_path, const struct secrets *sec, const struct core_config *cfg,
               struct exec **out, struct ts_error *err);
/* Queues job; thread-safe. job->done is called later on the executor thread. */
void exec_submit(struct exec *x, struct exec_job *job);
/* Queues job and waits for its outcome. */
void exec_run(struct exec *x, struct exec_job *job);
/* For tests: whether the secret of access key key_id is in the executor's cache. */
int exec_key_cached(struct exec *x, const char *key_id);
/* Finishes what is queued, stops the thread, closes the store. */
void exec_stop(struct exec *x);

#endif
