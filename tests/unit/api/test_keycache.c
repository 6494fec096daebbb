/* test_keycache.c: the cache of decrypted access-key secrets (src/api/keycache.c) on its
 * own (hit, miss, eviction, emptying, a fill that raced with an emptying), and inside the
 * executor, where the side thread fills it and the writer empties it: a key revoked by
 * RevokeAccessKey, by another process (meta('auth_gen'), as `tessera admin key-revoke`
 * does) or behind the cache's back stops working at the next request; signed requests do
 * not count against the login limits; a signed write is still remembered. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/exec.h"
#include "api/keycache.h"
#include "core/secrets.h"
#include "store/store.h"
#include "../../check.h"
#include "util/banned.h"

/* ---- the cache alone ---- */

static void test_hit_and_miss(void)
{
    struct keycache *kc = keycache_new(16);
    struct keycache_stats st;
    char secret[KEYCACHE_SECRET_MAX + 1];
    int64_t id = 0;

    CHECK_EQ_INT(keycache_get(kc, "AKIDONE", &id, secret), 0);
    CHECK_EQ_INT(keycache_put(kc, keycache_gen(kc), "AKIDONE", 7, "s3cret"), 1);
    CHECK_EQ_INT(keycache_get(kc, "AKIDONE", &id, secret), 1);
    CHECK_EQ_INT(id, 7);
    CHECK_EQ_STR(secret, "s3cret");
    CHECK_EQ_INT(keycache_get(kc, "AKIDTWO", &id, secret), 0);
    CHECK_EQ_INT(keycache_get(kc, "AKIDON", &id, secret), 0); /* a prefix is not the key */
    /* Too long to hold: not kept. */
    {
        char longid[KEYCACHE_ID_MAX + 2], longsecret[KEYCACHE_SECRET_MAX + 2];
        memset(longid, 'A', sizeof longid - 1);
        longid[sizeof longid - 1] = '\0';
        memset(longsecret, 's', sizeof longsecret - 1);
        longsecret[sizeof longsecret - 1] = '\0';
        CHECK_EQ_INT(keycache_put(kc, keycache_gen(kc), longid, 1, "s"), 0);
        CHECK_EQ_INT(keycache_put(kc, keycache_gen(kc), "AKIDTWO", 1, longsecret), 0);
        CHECK_EQ_INT(keycache_get(kc, "AKIDTWO", &id, secret), 0);
    }
    keycache_stats(kc, &st);
    CHECK_EQ_INT((long)st.hits, 1);
    CHECK_EQ_INT((long)st.misses, 4);
    CHECK_EQ_INT((long)st.fills, 1);
    keycache_free(kc);
}

static void test_eviction(void)
{
    struct keycache *kc = keycache_new(1); /* one slot: every other key evicts */
    struct keycache_stats st;
    char secret[KEYCACHE_SECRET_MAX + 1];
    int64_t id = 0;

    CHECK_EQ_INT(keycache_put(kc, keycache_gen(kc), "AKIDA", 1, "secret-a"), 1);
    CHECK_EQ_INT(keycache_put(kc, keycache_gen(kc), "AKIDB", 2, "b"), 1);
    CHECK_EQ_INT(keycache_get(kc, "AKIDA", &id, secret), 0);
    CHECK_EQ_INT(keycache_get(kc, "AKIDB", &id, secret), 1);
    CHECK_EQ_INT(id, 2);
    /* The evicted secret left nothing behind: a shorter one is not padded with it. */
    CHECK_EQ_STR(secret, "b");
    CHECK_EQ_INT((int)secret[2], 0);
    /* The same key again replaces itself: no eviction. */
    CHECK_EQ_INT(keycache_put(kc, keycache_gen(kc), "AKIDB", 2, "b2"), 1);
    keycache_stats(kc, &st);
    CHECK_EQ_INT((long)st.evictions, 1);
    keycache_free(kc);

    /* With many slots, many keys stay. */
    kc = keycache_new(KEYCACHE_SLOTS_DEFAULT);
    for (int i = 0; i < 64; i++) {
        char kid[32], sec[32];
        snprintf(kid, sizeof kid, "AKID%020d", i);
        snprintf(sec, sizeof sec, "secret-%d", i);
        keycache_put(kc, keycache_gen(kc), kid, i + 1, sec);
    }
    {
        int held = 0;
        for (int i = 0; i < 64; i++) {
            char kid[32], want[32];
            snprintf(kid, sizeof kid, "AKID%020d", i);
            snprintf(want, sizeof want, "secret-%d", i);
            if (keycache_get(kc, kid, &id, secret)) {
                held++;
                CHECK_EQ_STR(secret, want);
                CHECK_EQ_INT(id, i + 1);
            }
        }
        CHECK(held >= 48); /* 64 keys in 256 slots: few collide */
    }
    keycache_free(kc);
}

static void test_clear_and_stale_fill(void)
{
    struct keycache *kc = keycache_new(8);
    char secret[KEYCACHE_SECRET_MAX + 1];
    int64_t id = 0;
    uint64_t gen = keycache_gen(kc);

    CHECK_EQ_INT(keycache_put(kc, gen, "AKIDA", 1, "a"), 1);
    keycache_clear(kc);
    CHECK_EQ_INT(keycache_get(kc, "AKIDA", &id, secret), 0);
    CHECK(keycache_gen(kc) != gen);
    /* A fill that read the store before the emptying is dropped: it may hold a key that
     * the emptying was for. */
    CHECK_EQ_INT(keycache_put(kc, gen, "AKIDA", 1, "a"), 0);
    CHECK_EQ_INT(keycache_get(kc, "AKIDA", &id, secret), 0);
    CHECK_EQ_INT(keycache_put(kc, keycache_gen(kc), "AKIDA", 1, "a"), 1);
    CHECK_EQ_INT(keycache_get(kc, "AKIDA", &id, secret), 1);
    keycache_free(kc);
}

/* ---- inside the executor ---- */

static char dir[64], db_path[128];
static struct secrets *sec;
static struct core_config cfg;
static struct exec *x;
static struct store *rd; /* the test's own connection, as another process would be */
static int64_t rq_id;

/* The request's "signature" is right when it was made with want. */
struct fake_sig {
    const char *want;
    int calls;
};

static int fake_verify(void *ctx, const char *secret, int64_t now_ms, struct ts_error *err)
{
    struct fake_sig *f = ctx;
    (void)now_ms;
    f->calls++;
    if (strcmp(secret, f->want) != 0)
        return ts_failk(err, TS_EAUTH, "InvalidSignatureException", "wrong secret");
    return 0;
}

static int op_whoami(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    (void)in, (void)err;
    json_object_set_new(out, "id", json_integer(c->who.id));
    return 0;
}

static const struct op whoami_op = {"TestWhoAmI", ROLE_REQUESTER, 0, NULL, op_whoami, NULL};
static const struct op write_op = {"TestWrite", ROLE_REQUESTER, OP_WRITE, NULL, op_whoami,
                                   NULL};

struct signed_key {
    char id[21];
    char secret[41];
};

static void key_new(struct signed_key *k)
{
    unsigned char box[256];
    size_t len = 0;
    struct ts_error err = {0};
    secrets_access_key_new(k->id, k->secret);
    CHECK_EQ_INT(secrets_seal(sec, k->secret, strlen(k->secret), box, sizeof box, &len, &err), 0);
    CHECK_EQ_INT(store_access_key_insert(rd, k->id, rq_id, box, len, 0, &err), 0);
}

/* Runs op signed with key_id, its signature checked against want. Returns the outcome;
 * kind gets the error's kind ("" on success). */
static int run_signed(const struct op *op, const char *key_id, const char *want,
                      const char *signature, const char **kind)
{
    struct fake_sig f = {want, 0};
    struct exec_job j;
    memset(&j, 0, sizeof j);
    j.op = op;
    j.in = json_object();
    j.access_key_id = key_id;
    j.verify = fake_verify;
    j.verify_ctx = &f;
    j.signature = signature;
    j.signed_ms = 1700000000000;
    exec_run(x, &j);
    /* Verified once, unless the key was not found (revoked, and the cache told). */
    CHECK(f.calls == 1 || (f.calls == 0 && j.rc == TS_EAUTH));
    if (!j.rc)
        CHECK_EQ_INT(json_integer_value(json_object_get(j.out, "id")), rq_id);
    *kind = j.rc ? (j.err.kind ? j.err.kind : "(none)") : "";
    json_decref(j.in);
    json_decref(j.out);
    return j.rc;
}

/* Uses the key until it is cached: at most one timer sweep (which empties the cache once
 * a second) can come between a use and the look. */
static int cached_after_use(const struct signed_key *k)
{
    const char *kind;
    for (int i = 0; i < 3; i++) {
        if (run_signed(&whoami_op, k->id, k->secret, NULL, &kind) != 0)
            return 0;
        if (exec_key_cached(x, k->id))
            return 1;
    }
    return 0;
}

static void setup(void)
{
    struct ts_error err = {0};
    struct account a;
    char path[128];
    snprintf(dir, sizeof dir, "/tmp/tessera-keycache-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    snprintf(path, sizeof path, "%s/key", dir);
    CHECK_EQ_INT(secrets_load(path, &sec, &err), 0);
    snprintf(db_path, sizeof db_path, "%s/t.db", dir);
    core_config_init(&cfg);
    CHECK_EQ_INT(exec_start(db_path, sec, &cfg, &x, &err), 0);
    CHECK_EQ_INT(store_open(db_path, &rd, &err), 0);
    memset(&a, 0, sizeof a);
    a.role = ROLE_REQUESTER;
    snprintf(a.name, sizeof a.name, "rq");
    CHECK_EQ_INT(store_account_insert(rd, &a, &err), 0);
    rq_id = a.id;
}

static void teardown(void)
{
    char cmd[128];
    exec_stop(x);
    store_close(rd);
    secrets_free(sec);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_EQ_INT(system(cmd), 0);
}

static void test_fill_and_refusals(void)
{
    struct signed_key k;
    const char *kind;
    key_new(&k);
    CHECK_EQ_INT(exec_key_cached(x, k.id), 0);
    CHECK(cached_after_use(&k));
    /* A hit verifies like a miss: a wrong signature is refused. */
    CHECK_EQ_INT(run_signed(&whoami_op, k.id, "not the secret", NULL, &kind), TS_EAUTH);
    CHECK_EQ_STR(kind, "InvalidSignatureException");
    /* A key that does not exist is refused and not cached. */
    {
        struct fake_sig f = {"x", 0};
        struct exec_job j;
        memset(&j, 0, sizeof j);
        j.op = &whoami_op;
        j.in = json_object();
        j.access_key_id = "AKIDNOSUCHKEY";
        j.verify = fake_verify;
        j.verify_ctx = &f;
        exec_run(x, &j);
        CHECK_EQ_INT(j.rc, TS_EAUTH);
        CHECK_EQ_STR(j.err.kind ? j.err.kind : "", "UnrecognizedClientException");
        CHECK(strstr(j.err.msg, "no access key AKIDNOSUCHKEY") != NULL);
        CHECK_EQ_INT(f.calls, 0);
        CHECK_EQ_INT(exec_key_cached(x, "AKIDNOSUCHKEY"), 0);
        json_decref(j.in);
    }
}

/* RevokeAccessKey through the executor empties the cache; the key stops at once. */
static void test_revoke_op(void)
{
    struct signed_key k;
    struct exec_job j;
    const char *kind;
    key_new(&k);
    CHECK(cached_after_use(&k));
    memset(&j, 0, sizeof j);
    j.op = op_find("RevokeAccessKey");
    j.in = json_pack("{ss}", "AccessKeyId", k.id);
    j.account_id = rq_id;
    exec_run(x, &j);
    CHECK_EQ_INT(j.rc, 0);
    json_decref(j.in);
    json_decref(j.out);
    CHECK_EQ_INT(exec_key_cached(x, k.id), 0);
    CHECK_EQ_INT(run_signed(&whoami_op, k.id, k.secret, NULL, &kind), TS_EAUTH);
    CHECK_EQ_STR(kind, "UnrecognizedClientException");
}

/* Another process revokes the key and counts meta('auth_gen') up, as `tessera admin
 * key-revoke` does: the next request is refused, and the cache is emptied. */
static void test_revoke_elsewhere(void)
{
    struct signed_key k;
    struct ts_error err = {0};
    const char *kind;
    key_new(&k);
    CHECK(cached_after_use(&k));
    CHECK_EQ_INT(store_begin(rd, &err), 0);
    CHECK_EQ_INT(store_access_key_revoke(rd, 0, k.id, &err), 0);
    CHECK_EQ_INT(store_meta_set(rd, "auth_gen", "41", &err), 0);
    CHECK_EQ_INT(store_end(rd, 0, &err), 0);
    CHECK_EQ_INT(run_signed(&whoami_op, k.id, k.secret, NULL, &kind), TS_EAUTH);
    CHECK_EQ_STR(kind, "UnrecognizedClientException");
    CHECK_EQ_INT(exec_key_cached(x, k.id), 0);
}

/* A key revoked without anyone telling the cache (between the side thread's check and
 * the write) is still refused by the writer's own look inside the savepoint. */
static void test_revoke_behind_the_cache(void)
{
    struct signed_key k;
    struct ts_error err = {0};
    const char *kind;
    key_new(&k);
    CHECK(cached_after_use(&k));
    CHECK_EQ_INT(store_access_key_revoke(rd, 0, k.id, &err), 0);
    CHECK_EQ_INT(run_signed(&whoami_op, k.id, k.secret, NULL, &kind), TS_EAUTH);
    CHECK_EQ_STR(kind, "UnrecognizedClientException");
}

/* A signed write is remembered: the same signature again is refused. */
static void test_signed_write_remembered(void)
{
    static const char sig[] =
        "aaaabbbbccccddddaaaabbbbccccddddaaaabbbbccccddddaaaabbbbccccdddd";
    struct signed_key k;
    const char *kind;
    key_new(&k);
    CHECK_EQ_INT(run_signed(&write_op, k.id, k.secret, sig, &kind), 0);
    CHECK_EQ_INT(run_signed(&write_op, k.id, k.secret, sig, &kind), TS_EDUPLICATE);
    CHECK_EQ_STR(kind, "RequestReplayed");
}

struct tjob {
    struct exec_job j;
    struct fake_sig f;
    int answered;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

static void tjob_done(struct exec_job *j)
{
    struct tjob *t = (struct tjob *)j;
    pthread_mutex_lock(&mu);
    t->answered = 1;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}

/* Signed requests are not held to the login queue's limits (here one login in all, one
 * per address): sixteen at once from one address all go through. */
static void test_not_under_login_limits(void)
{
    enum { N = 16 };
    static struct tjob t[N];
    struct exec_limits lim;
    struct signed_key k;
    key_new(&k);
    exec_limits_init(&lim);
    lim.queue_max = 1;
    lim.queue_per_addr = 1;
    exec_set_limits(x, &lim);
    for (int i = 0; i < N; i++) {
        memset(&t[i], 0, sizeof t[i]);
        t[i].f.want = k.secret;
        t[i].j.op = &whoami_op;
        t[i].j.in = json_object();
        t[i].j.access_key_id = k.id;
        t[i].j.verify = fake_verify;
        t[i].j.verify_ctx = &t[i].f;
        snprintf(t[i].j.client, sizeof t[i].j.client, "127.0.0.1");
        t[i].j.done = tjob_done;
    }
    for (int i = 0; i < N; i++)
        exec_submit(x, &t[i].j);
    pthread_mutex_lock(&mu);
    for (int i = 0; i < N; i++)
        while (!t[i].answered)
            pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    for (int i = 0; i < N; i++) {
        CHECK_EQ_INT(t[i].j.rc, 0);
        CHECK_EQ_INT(t[i].j.retry_after_s, 0);
        json_decref(t[i].j.in);
        json_decref(t[i].j.out);
    }
    exec_limits_init(&lim);
    exec_set_limits(x, &lim);
}

static void test_executor(void)
{
    setup();
    test_fill_and_refusals();
    test_revoke_op();
    test_revoke_elsewhere();
    test_revoke_behind_the_cache();
    test_signed_write_remembered();
    test_not_under_login_limits();
    teardown();
}

CHECK_MAIN(test_hit_and_miss, test_eviction, test_clear_and_stale_fill, test_executor)
