/* exec.c: the executor: one writer thread, group commit, and the timer sweep; a side
 * thread for the slow checks before a write (password hashes, request signatures).
 * Invariant: a job's done() runs only after the transaction holding its changes has
 * committed (or failed as a whole), so no answer ever reports a write that is not
 * durable. Each operation runs in its own savepoint: a failed one changes nothing. */
#include "exec.h"
#include <pthread.h>
#include <string.h>
#include <stdio.h>
#include <time.h>
#include <sodium.h>
#include "../core/core.h"
#include "../core/hit.h"
#include "../core/asg.h"
#include "../core/notify.h"
#include "../core/secrets.h"
#include "keycache.h"
#include "../core/timers.h"
#include "sigv4.h"
#include "../util/alloc.h"
#include "../util/clock.h"
#include "../util/log.h"
#include "../util/banned.h"

#define EXEC_BATCH_MAX 512
#define SWEEP_CAP 500
/* Signature records deleted per sweep once SIGV4_REPLAY_MS old: more than the signed
 * writes of a second, so the table holds about 20 minutes' worth of them. */
#define SIG_PRUNE_CAP 5000
#define AUTH_CACHE_SLOTS 1024 /* a power of two */
#define TOKEN_PRUNE_CAP 500

/* Bearer token -> account, so that an operation costs no token or account lookup once
 * its caller has been seen. Direct-mapped on the token hash (itself uniform). A slot is
 * used only while its token needs no extension (so never once it has expired). It is
 * emptied when an operation here revokes a credential, when meta('auth_gen') shows that
 * another process did (read once per batch), and at every timer sweep, so a token or
 * account removed elsewhere stops working at once, or within TIMERS_SWEEP_EVERY_MS at worst. */
struct auth_slot {
    int used;
    unsigned char token_hash[32];
    int64_t expires_ms; /* 0: never */
    int sliding;
    struct account who;
};

struct exec {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct exec_job *head, *tail;
    int stopping;
    struct store *st;
    /* The side thread runs the slow first step of operations that have one (op->prep),
     * and checks the signatures of signed requests, with its own store connection, then
     * queues them here. Logins and signed requests wait apart (side_head, sig_head): each
     * turn checks every signed request waiting, then at most one login. */
    pthread_t side_thread;
    pthread_cond_t side_cv;
    struct exec_job *side_head, *side_tail;
    struct exec_job *sig_head, *sig_tail;
    int side_stopping;
    struct store *side_st;
    struct keycache *keys; /* access key id -> decrypted secret (the side thread's) */
    const struct secrets *sec;
    const struct core_config *cfg;
    int64_t next_sweep_ms;
    struct auth_slot *auth; /* AUTH_CACHE_SLOTS entries */
    char auth_gen[32];      /* meta('auth_gen') when the cache was last checked */
    /* Logins: the limits, the backoff (under mu) and how many wait on the side queue. */
    struct exec_limits lim;
    struct limiter *limiter;
    int64_t side_n;                /* logins waiting or being checked */
    const struct exec_job *side_cur; /* the login being checked, or NULL */
    /* Counters for the log line at stop. */
    uint64_t n_jobs, n_batches, commit_ns;
};

static struct auth_slot *auth_slot(struct exec *x, const unsigned char hash[32])
{
    size_t i = ((size_t)hash[0] | (size_t)hash[1] << 8) & (AUTH_CACHE_SLOTS - 1);
    return &x->auth[i];
}

static int no_access_key(struct exec_job *j)
{
    return ts_failk(&j->err, TS_EAUTH, "UnrecognizedClientException",
                    "The security token included in the request is invalid: no access "
                    "key %s",
                    j->access_key_id);
}

/* On the side thread: the account of j's access key and its secret, from the cache or
 * else from the store (then kept in the cache, unless it was emptied meanwhile). */
static int access_key_secret(struct exec *x, struct exec_job *j, int64_t *id,
                             char secret[KEYCACHE_SECRET_MAX + 1])
{
    unsigned char box[256];
    size_t len = 0;
    uint64_t gen;
    int rc;

    if (keycache_get(x->keys, j->access_key_id, id, secret))
        return 0;
    gen = keycache_gen(x->keys);
    rc = store_access_key_get(x->side_st, j->access_key_id, id, box, sizeof box, &len, &j->err);
    if (rc == TS_ENOTFOUND)
        return no_access_key(j);
    if (!rc)
        rc = secrets_open(x->sec, box, len, secret, KEYCACHE_SECRET_MAX + 1, &j->err);
    if (!rc)
        keycache_put(x->keys, gen, j->access_key_id, *id, secret);
    return rc;
}

/* On the side thread: j->verify accepts the request's signature made with the secret of
 * j's access key; j->signer_id is then the key's account. */
static int signature_verify(struct exec *x, struct exec_job *j)
{
    char secret[KEYCACHE_SECRET_MAX + 1];
    int64_t id = 0;
    int rc;

    if (!j->verify)
        TS_BUG("a job with an access key has no signature to verify");
    rc = access_key_secret(x, j, &id, secret);
    if (!rc)
        rc = j->verify(j->verify_ctx, secret, clock_now_ms(), &j->err);
    sodium_memzero(secret, sizeof secret);
    j->signer_id = rc ? 0 : id;
    return rc;
}

/* On the writer, in the operation's savepoint: the key whose signature the side thread
 * verified is still there and still its account's, so that a key revoked since (by
 * another job of this batch, or another process) is refused. */
static int access_key_active(struct exec *x, struct exec_job *j, int64_t *id)
{
    unsigned char box[256];
    size_t len = 0;
    int64_t owner = 0;
    int rc;

    if (j->signer_id <= 0)
        TS_BUG("a signed job reached the writer unverified");
    rc = store_access_key_get(x->st, j->access_key_id, &owner, box, sizeof box, &len, &j->err);
    if (rc == TS_ENOTFOUND || (!rc && owner != j->signer_id))
        return no_access_key(j);
    if (!rc)
        *id = owner;
    return rc;
}

/* The account of j's bearer token, refusing one that has expired and moving a sliding
 * token's expiry on when it has fallen behind (timers_token_slides). */
static int token_account(struct exec *x, struct exec_job *j, int64_t now_ms, int64_t *id,
                         int64_t *expires_ms, int *sliding)
{
    int rc = store_token_find(x->st, j->token_hash, id, expires_ms, sliding, &j->err);
    if (rc == TS_ENOTFOUND)
        return ts_failk(&j->err, TS_EAUTH, "UnrecognizedClient", "the bearer token is not valid");
    if (rc)
        return rc;
    if (timers_token_expired(now_ms, *expires_ms))
        return ts_failk(&j->err, TS_EAUTH, "ExpiredToken",
                        "the bearer token has expired; log in again");
    if (*sliding && timers_token_slides(now_ms, x->lim.token_ttl_ms, *expires_ms)) {
        *expires_ms = timers_token_expiry(now_ms, x->lim.token_ttl_ms);
        rc = store_token_extend(x->st, j->token_hash, *expires_ms, &j->err);
    }
    return rc;
}

static int authenticate(struct exec *x, struct exec_job *j, int64_t now_ms, struct account *who)
{
    int64_t id = j->account_id, expires_ms = 0;
    struct auth_slot *slot = NULL;
    int sliding = 0, rc;
    memset(who, 0, sizeof *who);
    if (j->op->roles == ROLE_NONE) {
        /* Runs as the account its prep step verified, if any. */
        if (id <= 0)
            return 0;
        rc = store_account_get(x->st, id, who, &j->err);
        return rc == TS_ENOTFOUND ? ts_failk(&j->err, TS_EAUTH, "UnrecognizedClient",
                                             "the account no longer exists")
                                  : rc;
    }
    if (id <= 0 && j->access_key_id) {
        rc = access_key_active(x, j, &id);
        if (rc)
            return rc;
    }
    if (id <= 0 && j->has_token) {
        slot = auth_slot(x, j->token_hash);
        if (slot->used && memcmp(slot->token_hash, j->token_hash, 32) == 0 &&
            (slot->expires_ms == 0 ||
             (slot->sliding ? !timers_token_slides(now_ms, x->lim.token_ttl_ms, slot->expires_ms)
                            : !timers_token_expired(now_ms, slot->expires_ms)))) {
            *who = slot->who;
            goto check_role;
        }
    }
    if (id <= 0) {
        if (!j->has_token)
            return ts_failk(&j->err, TS_EAUTH, "MissingAuthenticationToken",
                            "this operation needs an Authorization: Bearer <token> header");
        rc = token_account(x, j, now_ms, &id, &expires_ms, &sliding);
        if (rc)
            return rc;
    }
    rc = store_account_get(x->st, id, who, &j->err);
    if (rc)
        return rc == TS_ENOTFOUND ? ts_failk(&j->err, TS_EAUTH, "UnrecognizedClient",
                                             "the account of this credential no longer exists")
                                  : rc;
    if (slot) {
        slot->used = 1;
        memcpy(slot->token_hash, j->token_hash, 32);
        slot->expires_ms = expires_ms;
        slot->sliding = sliding;
        slot->who = *who;
    }
check_role:
    if (!(j->op->roles & (unsigned)who->role))
        return ts_failk(&j->err, TS_EFORBIDDEN, "AccessDenied",
                        "%s is not an operation for a %s account", j->op->name,
                        who->role == ROLE_WORKER ? "worker" : who->role == ROLE_REQUESTER
                                                                  ? "requester"
                                                                  : "admin");
    return 0;
}

/* The kind of the refusal of a replayed signed write (see exec.h). */
static const char replay_kind[] = "RequestReplayed";

/* Records j's signature (see exec.h). Only the executor writes, so the insert is the
 * whole check: a record committed by an earlier batch, or made by an earlier job of this
 * one, makes it fail with TS_ECONFLICT. */
static int remember_signature(struct exec *x, const struct exec_job *j, struct ts_error *err)
{
    unsigned char hash[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(hash, (const unsigned char *)j->signature, strlen(j->signature));
    return store_signature_remember(x->st, j->signed_ms, hash, j->access_key_id, err);
}

static int refuse_replay(struct exec_job *j)
{
    return ts_failk(&j->err, TS_EDUPLICATE, replay_kind,
                    "This signed %s request was already carried out or refused; a repeat "
                    "changes nothing. To send it again, sign it anew: identical calls in one "
                    "second sign alike, so vary a member (e.g. UniqueRequestToken) or wait a "
                    "second",
                    j->op->name);
}

/* j's operation refused it: its savepoint, record included, is rolled back. The record
 * is made again outside it, so that the same signed request cannot take effect later,
 * once it would no longer be refused. A failure of the server (TS_EIO, TS_EBUSY: the
 * SDKs retry those) keeps none, so the same request may be sent again. */
static void keep_refused_signature(struct exec *x, const struct exec_job *j)
{
    struct ts_error err = {0};

    if (j->rc == TS_EIO || j->rc == TS_EBUSY)
        return;
    if (remember_signature(x, j, &err))
        log_warn("could not remember the signature of a refused %s: %s", j->op->name,
                 err.msg);
}

static void run_job(struct exec *x, struct core_ctx *core, struct exec_job *j)
{
    struct op_ctx c;
    int recorded = 0;
    if (!core_idle(core))
        TS_BUG("an operation before %s left its events unsettled", j->op->name);
    j->out = NULL;
    memset(&j->err, 0, sizeof j->err);
    j->rc = store_savepoint(x->st, &j->err);
    if (j->rc)
        return;
    memset(&c, 0, sizeof c);
    c.core = core;
    c.access_key_id = j->account_id <= 0 ? j->access_key_id : NULL;
    c.token_hash = j->account_id <= 0 && j->has_token ? j->token_hash : NULL;
    c.token_ttl_ms = x->lim.token_ttl_ms;
    j->rc = authenticate(x, j, core->now_ms, &c.who);
    if (!j->rc && c.access_key_id && j->signature && (j->op->flags & OP_WRITE)) {
        j->rc = remember_signature(x, j, &j->err);
        if (j->rc == TS_ECONFLICT)
            j->rc = refuse_replay(j);
        recorded = !j->rc;
    }
    if (!j->rc) {
        j->out = json_object();
        j->rc = j->op->fn(&c, j->in, j->out, &j->err);
    }
    /* The settle step: the reactors of what the operation did, in its savepoint. */
    j->rc = core_finish(core, j->rc, &j->err);
    /* Emptying the caches is always safe, whether the revocation commits or not. */
    if (c.auth_changed) {
        memset(x->auth, 0, AUTH_CACHE_SLOTS * sizeof *x->auth);
        keycache_clear(x->keys);
    }
    if (j->rc) {
        if (!j->err.msg[0])
            ts_fail(&j->err, j->rc, "%s failed", j->op->name);
        store_savepoint_rollback(x->st);
        if (recorded)
            keep_refused_signature(x, j);
        json_decref(j->out);
        j->out = NULL;
    } else if ((j->rc = store_savepoint_release(x->st, &j->err)) != 0) {
        json_decref(j->out);
        j->out = NULL;
    }
}

/* Answers j, whose changes the store could not keep, with a "try again" error naming
 * the cause (docs/internals/faults.md). */
static void job_lost(struct exec_job *j, const char *what, const char *cause)
{
    json_decref(j->out);
    j->out = NULL;
    j->rc = TS_EBUSY;
    ts_fail(&j->err, TS_EBUSY, "%s: %s%s", what, cause,
            strstr(cause, "try again") ? "" : "; nothing was changed, try again");
}

/* Empties the token and key caches when another process has revoked a credential since the last
 * look (admin token-revoke and key-revoke count up meta('auth_gen')). Runs first in the
 * batch's transaction; a failed read fails the batch (a read error may have cost the
 * transaction, and a job must not run in a transaction of its own). */
static int auth_gen_check(struct exec *x, struct ts_error *err)
{
    char gen[32] = "";
    int rc = store_meta_get(x->st, "auth_gen", gen, sizeof gen, err);
    if (rc == TS_ENOTFOUND) {
        memset(err, 0, sizeof *err);
        rc = 0;
    }
    if (!rc && strcmp(gen, x->auth_gen) != 0) {
        memset(x->auth, 0, AUTH_CACHE_SLOTS * sizeof *x->auth);
        keycache_clear(x->keys);
        memcpy(x->auth_gen, gen, sizeof gen);
    }
    return rc;
}

static void run_batch(struct exec *x, struct exec_job *jobs)
{
    struct core_ctx core = CORE_CTX_INIT(x->st, x->sec, x->cfg, clock_now_ms());
    struct ts_error err = {0};
    struct exec_job *seg = jobs; /* the first job of the open transaction */
    int64_t t0;
    int rc = store_begin(x->st, &err);

    if (!rc && (rc = auth_gen_check(x, &err)) != 0 && store_in_transaction(x->st))
        store_rollback(x->st);
    for (struct exec_job *j = jobs; j; j = j->next) {
        x->n_jobs++;
        if (rc) {
            j->rc = rc;
            j->err = err;
            j->out = NULL;
            continue;
        }
        run_job(x, &core, j);
        if (store_in_transaction(x->st))
            continue;
        /* SQLite rolled the whole transaction back (an I/O error or a full disk inside a
         * statement): the jobs of it that had succeeded lost their changes, so they are
         * answered with the error too, and the rest of the batch goes on in a new
         * transaction. Without this, the next savepoint would start a transaction of
         * its own, its release would commit it, and the batch's COMMIT would then fail
         * and answer an error for a change that was saved. j itself is answered so
         * whatever it returned: an operation that swallowed the failure (a list whose
         * walk stopped early) would otherwise answer a partial result. */
        {
            char cause[sizeof j->err.msg];
            if (j->rc == TS_EBUSY)
                snprintf(cause, sizeof cause, "%s", j->err.msg);
            else
                snprintf(cause, sizeof cause, "the database storage failed during %s",
                         j->op->name);
            log_error("transaction lost in %s: %s", j->op->name, cause);
            for (struct exec_job *k = seg; k != j->next; k = k->next)
                if (k->rc == 0 || k->err.kind == replay_kind ||
                    (k == j && k->rc != TS_EBUSY))
                    job_lost(k, "the transaction was rolled back", cause);
        }
        seg = j->next;
        if (seg)
            rc = store_begin(x->st, &err);
    }
    x->n_batches++;
    t0 = clock_mono_ns();
    if (!rc && store_in_transaction(x->st) && (rc = store_commit(x->st, &err)) != 0) {
        /* Nothing of the transaction is kept: every job that had succeeded in it is
         * answered with the failure, none is left unanswered or reported as saved. */
        store_rollback(x->st);
        log_error("commit failed: %s", err.msg);
        for (struct exec_job *j = seg; j; j = j->next)
            /* A replay refused in this batch may have met a record the batch made, now
             * rolled back: it is answered as failed too (it changed nothing either way). */
            if (j->rc == 0 || j->err.kind == replay_kind)
                job_lost(j, "the change could not be saved", err.msg);
    }
    x->commit_ns += (uint64_t)(clock_mono_ns() - t0);
    for (struct exec_job *j = jobs, *next; j; j = next) {
        next = j->next;
        j->done(j);
    }
}

static void sweep(struct exec *x)
{
    struct core_ctx core = CORE_CTX_INIT(x->st, x->sec, x->cfg, clock_now_ms());
    struct ts_error err = {0};
    int hits = 0, asgs = 0, pruned = 0, sigs = 0, tokens = 0;
    int rc = store_begin(x->st, &err);
    memset(x->auth, 0, AUTH_CACHE_SLOTS * sizeof *x->auth);
    keycache_clear(x->keys);
    if (!rc)
        rc = core_finish(&core, hit_sweep(&core, SWEEP_CAP, &hits, &err), &err);
    if (!rc)
        rc = core_finish(&core, asg_sweep(&core, SWEEP_CAP, &asgs, &err), &err);
    if (!rc)
        rc = notify_prune(&core, SWEEP_CAP, &pruned, &err);
    if (!rc)
        rc = store_signature_prune(x->st, core.now_ms - SIGV4_REPLAY_MS, SIG_PRUNE_CAP, &sigs,
                                   &err);
    if (!rc)
        rc = store_token_prune(x->st, core.now_ms, TOKEN_PRUNE_CAP, &tokens, &err);
    rc = store_end(x->st, rc, &err);
    if (rc)
        log_warn("timer sweep failed, will retry: %s", err.msg);
    /* A full sweep means more may be due: come back at once. */
    x->next_sweep_ms = timers_next_sweep(core.now_ms, hits == SWEEP_CAP || asgs == SWEEP_CAP ||
                                                          pruned == SWEEP_CAP ||
                                                          sigs == SIG_PRUNE_CAP ||
                                                          tokens == TOKEN_PRUNE_CAP);
}

static void *exec_main(void *arg)
{
    struct exec *x = arg;
    for (;;) {
        struct exec_job *jobs = NULL, **tail = &jobs;
        int n = 0, stop;
        pthread_mutex_lock(&x->mu);
        while (!x->head && !x->stopping && clock_now_ms() < x->next_sweep_ms) {
            struct timespec ts;
            int64_t at = x->next_sweep_ms;
            ts.tv_sec = (time_t)(at / 1000);
            ts.tv_nsec = (long)(at % 1000) * 1000000L;
            pthread_cond_timedwait(&x->cv, &x->mu, &ts);
        }
        while (x->head && n < EXEC_BATCH_MAX) {
            struct exec_job *j = x->head;
            x->head = j->next;
            j->next = NULL;
            *tail = j;
            tail = &j->next;
            n++;
        }
        if (!x->head)
            x->tail = NULL;
        stop = x->stopping && !x->head && !jobs;
        pthread_mutex_unlock(&x->mu);
        if (jobs)
            run_batch(x, jobs);
        if (stop)
            break;
        if (clock_now_ms() >= x->next_sweep_ms)
            sweep(x);
    }
    return NULL;
}

static void push(struct exec_job **head, struct exec_job **tail, struct exec_job *job)
{
    job->next = NULL;
    if (*tail)
        (*tail)->next = job;
    else
        *head = job;
    *tail = job;
}

/* The account name a login job tries (the limiter's key), or "". */
static const char *login_name(const struct exec_job *j)
{
    const char *n = json_string_value(json_object_get(j->in, "Name"));
    return n ? n : "";
}

static int64_t secs_up(int64_t ms)
{
    return ms <= 0 ? 1 : (ms + 999) / 1000;
}

/* Whether login job j may wait for the side thread now (called under mu). 0, or the job
 * has its refusal with retry_after_s. A login let in counts as a failed one at once,
 * until its password proves right: so logins sent together cannot all slip through
 * before the first failure is known. */
static int login_admit(struct exec *x, struct exec_job *j)
{
    int64_t wait = limiter_check(x->limiter, j->client, login_name(j), clock_now_ms()), mine = 0;
    if (wait > 0) {
        j->retry_after_s = (int)secs_up(wait);
        return ts_failk(&j->err, TS_ETOOMANY, "TooManyRequests",
                        "too many failed logins from this address or for this name: try "
                        "again in %d s",
                        j->retry_after_s);
    }
    if (x->side_cur && strcmp(x->side_cur->client, j->client) == 0)
        mine++;
    for (const struct exec_job *p = x->side_head; p; p = p->next)
        if (strcmp(p->client, j->client) == 0)
            mine++;
    if (mine >= x->lim.queue_per_addr) {
        j->retry_after_s = 1;
        return ts_failk(&j->err, TS_ETOOMANY, "TooManyRequests",
                        "this address already has %lld logins under way: try again in 1 s",
                        (long long)mine);
    }
    if (x->side_n >= x->lim.queue_max) {
        j->retry_after_s = 1;
        return ts_failk(&j->err, TS_EBUSY, "ServiceUnavailable",
                        "too many logins are waiting: try again in 1 s");
    }
    limiter_failed(x->limiter, j->client, login_name(j), clock_now_ms());
    return 0;
}

/* Checks the signatures of the signed jobs in list (taken off sig_head): the verified
 * ones go to the writer's queue together, the others are answered here (nothing was
 * written: the answer needs no commit). */
static void side_signed(struct exec *x, struct exec_job *list)
{
    struct exec_job *ok = NULL, *ok_tail = NULL;
    for (struct exec_job *j = list, *next; j; j = next) {
        next = j->next;
        memset(&j->err, 0, sizeof j->err);
        j->out = NULL;
        j->rc = signature_verify(x, j);
        if (j->rc) {
            if (!j->err.msg[0])
                ts_fail(&j->err, j->rc, "%s failed", j->op->name);
            j->done(j);
            continue;
        }
        push(&ok, &ok_tail, j);
    }
    if (!ok)
        return;
    pthread_mutex_lock(&x->mu);
    if (x->tail)
        x->tail->next = ok;
    else
        x->head = ok;
    x->tail = ok_tail;
    pthread_cond_signal(&x->cv);
    pthread_mutex_unlock(&x->mu);
}

/* The login's slow first step (op->prep), under the login limits. */
static void side_login(struct exec *x, struct exec_job *j)
{
    memset(&j->err, 0, sizeof j->err);
    j->out = NULL;
    j->account_id = 0;
    j->rc = j->op->prep(x->side_st, j->in, &j->account_id, &j->err);
    pthread_mutex_lock(&x->mu);
    x->side_n--;
    x->side_cur = NULL;
    /* The attempt was counted as a failure when it was let in (login_admit). */
    if (!j->rc)
        limiter_succeeded(x->limiter, j->client, login_name(j), clock_now_ms());
    pthread_mutex_unlock(&x->mu);
    if (j->rc) {
        if (!j->err.msg[0])
            ts_fail(&j->err, j->rc, "%s failed", j->op->name);
        j->done(j); /* nothing was written: the answer needs no commit */
        return;
    }
    pthread_mutex_lock(&x->mu);
    push(&x->head, &x->tail, j);
    pthread_cond_signal(&x->cv);
    pthread_mutex_unlock(&x->mu);
}

/* Each turn takes every signed request waiting, then at most one login: a signed request
 * waits for at most one password check, and a login for one round of signature checks
 * (each some microseconds), so neither kind can starve the other. */
static void *side_main(void *arg)
{
    struct exec *x = arg;
    for (;;) {
        struct exec_job *sig, *login = NULL;
        pthread_mutex_lock(&x->mu);
        while (!x->side_head && !x->sig_head && !x->side_stopping)
            pthread_cond_wait(&x->side_cv, &x->mu);
        sig = x->sig_head;
        x->sig_head = x->sig_tail = NULL;
        if (!sig && x->side_head) {
            login = x->side_head;
            x->side_head = login->next;
            if (!x->side_head)
                x->side_tail = NULL;
            login->next = NULL;
            x->side_cur = login;
        }
        pthread_mutex_unlock(&x->mu);
        if (!sig && !login)
            break; /* stopping, and nothing waits */
        if (sig)
            side_signed(x, sig);
        else
            side_login(x, login);
    }
    return NULL;
}

int exec_start(const char *db_path, const struct secrets *sec, const struct core_config *cfg,
               struct exec **out, struct ts_error *err)
{
    struct exec *x = xcalloc(1, sizeof *x);
    pthread_condattr_t ca;
    int rc = store_open(db_path, &x->st, err);
    if (rc) {
        free(x);
        return rc;
    }
    rc = store_open(db_path, &x->side_st, err);
    if (rc) {
        store_close(x->st);
        free(x);
        return rc;
    }
    x->sec = sec;
    x->cfg = cfg;
    x->auth = xcalloc(AUTH_CACHE_SLOTS, sizeof *x->auth);
    x->keys = keycache_new(KEYCACHE_SLOTS_DEFAULT);
    exec_limits_init(&x->lim);
    x->limiter = limiter_new(&x->lim.login);
    x->next_sweep_ms = clock_now_ms();
    pthread_mutex_init(&x->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_cond_init(&x->cv, &ca);
    pthread_cond_init(&x->side_cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&x->thread, NULL, exec_main, x) != 0)
        TS_BUG("could not start the executor thread");
    if (pthread_create(&x->side_thread, NULL, side_main, x) != 0)
        TS_BUG("could not start the executor's side thread");
    *out = x;
    return 0;
}

void exec_limits_init(struct exec_limits *l)
{
    limiter_config_init(&l->login);
    l->queue_max = EXEC_QUEUE_MAX_DEFAULT;
    l->queue_per_addr = EXEC_QUEUE_PER_ADDR_DEFAULT;
    l->token_ttl_ms = EXEC_TOKEN_TTL_MS_DEFAULT;
}

void exec_set_limits(struct exec *x, const struct exec_limits *l)
{
    struct limiter *fresh = limiter_new(&l->login);
    pthread_mutex_lock(&x->mu);
    limiter_free(x->limiter);
    x->limiter = fresh;
    x->lim = *l;
    pthread_mutex_unlock(&x->mu);
}

void exec_submit(struct exec *x, struct exec_job *job)
{
    pthread_mutex_lock(&x->mu);
    job->retry_after_s = 0;
    if (job->op->prep) {
        memset(&job->err, 0, sizeof job->err);
        job->rc = login_admit(x, job);
        if (job->rc) {
            /* Refused before any work: answered at once, nothing was written. */
            pthread_mutex_unlock(&x->mu);
            job->out = NULL;
            job->done(job);
            return;
        }
        x->side_n++;
        push(&x->side_head, &x->side_tail, job);
        pthread_cond_signal(&x->side_cv);
    } else if (job->access_key_id) {
        /* Signed: its signature is checked on the side thread, not under the login
         * limits. */
        job->signer_id = 0;
        push(&x->sig_head, &x->sig_tail, job);
        pthread_cond_signal(&x->side_cv);
    } else {
        push(&x->head, &x->tail, job);
        pthread_cond_signal(&x->cv);
    }
    pthread_mutex_unlock(&x->mu);
}

int exec_key_cached(struct exec *x, const char *key_id)
{
    char secret[KEYCACHE_SECRET_MAX + 1];
    int64_t id;
    int hit = keycache_get(x->keys, key_id, &id, secret);
    sodium_memzero(secret, sizeof secret);
    return hit;
}

struct waiter {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done;
};

static void wake(struct exec_job *job)
{
    struct waiter *w = job->arg;
    pthread_mutex_lock(&w->mu);
    w->done = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

void exec_run(struct exec *x, struct exec_job *job)
{
    struct waiter w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
    job->done = wake;
    job->arg = &w;
    exec_submit(x, job);
    pthread_mutex_lock(&w.mu);
    while (!w.done)
        pthread_cond_wait(&w.cv, &w.mu);
    pthread_mutex_unlock(&w.mu);
}

void exec_stop(struct exec *x)
{
    if (!x)
        return;
    /* The side thread first: what it still holds goes on to the main queue. */
    pthread_mutex_lock(&x->mu);
    x->side_stopping = 1;
    pthread_cond_signal(&x->side_cv);
    pthread_mutex_unlock(&x->mu);
    pthread_join(x->side_thread, NULL);
    store_close(x->side_st);
    pthread_mutex_lock(&x->mu);
    x->stopping = 1;
    pthread_cond_signal(&x->cv);
    pthread_mutex_unlock(&x->mu);
    pthread_join(x->thread, NULL);
    if (x->n_batches)
        log_info("executor: %llu operations in %llu transactions (%.1f per commit), "
                 "%.2f ms per commit",
                 (unsigned long long)x->n_jobs, (unsigned long long)x->n_batches,
                 (double)x->n_jobs / (double)x->n_batches,
                 (double)x->commit_ns / 1e6 / (double)x->n_batches);
    store_close(x->st);
    free(x->auth);
    keycache_free(x->keys);
    limiter_free(x->limiter);
    pthread_mutex_destroy(&x->mu);
    pthread_cond_destroy(&x->cv);
    pthread_cond_destroy(&x->side_cv);
    free(x);
}
