/* test_exec.c: the executor (src/api/exec.h) through its public interface, on a real
 * SQLite file: in one batch (the jobs queued while a gate job holds the executor), a job
 * that fails leaves nothing of its own changes and takes nothing of the others' (each job
 * runs in its own savepoint); the jobs run and are answered in the order they were
 * queued, each with its own result; a job run alone that fails changes nothing and the
 * next one goes on; and an acknowledged write is on disk once exec_stop returns (a new
 * connection reads it). test_exec_faults.c covers storage faults during the commit. Each
 * case starts its own executor on a fresh file, so any case runs alone or in any order. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/exec.h"
#include "core/ledger.h"
#include "core/secrets.h"
#include "store/store.h"
#include "../../check.h"
#include "util/banned.h"

#define NJOBS 8

static char dir[64], db_path[128];
static struct secrets *sec;
static struct core_config cfg;
static struct exec *x;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int gate_open, gate_entered, answered;

/* ---- The operations of this file ----------------------------------------------------- */

/* in {"name": s, "fail": b}: a worker account called s; with fail, the account is made
 * and then the operation refuses (TS_EINVAL). out {"id": the account's id}. */
static int op_put(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    struct account a;
    int rc;
    memset(&a, 0, sizeof a);
    a.role = ROLE_WORKER;
    a.created_ms = c->core->now_ms;
    snprintf(a.name, sizeof a.name, "%s", json_string_value(json_object_get(in, "name")));
    rc = store_account_insert(c->core->st, &a, err);
    if (!rc)
        json_object_set_new(out, "id", json_integer(a.id));
    if (!rc && json_is_true(json_object_get(in, "fail")))
        rc = ts_fail(err, TS_EINVAL, "refused after writing %s", a.name);
    return rc;
}

/* in {"to": id, "amount": n, "fail": b}: deposits n into account id (ledger_deposit);
 * with fail, refuses after the deposit. */
static int op_deposit(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    int64_t to = (int64_t)json_integer_value(json_object_get(in, "to"));
    int64_t amount = (int64_t)json_integer_value(json_object_get(in, "amount"));
    int rc = ledger_deposit(c->core, to, amount, err);
    (void)out;
    if (!rc && json_is_true(json_object_get(in, "fail")))
        rc = ts_fail(err, TS_EINVAL, "refused after depositing");
    return rc;
}

/* in {"names": [s, ...]}: out {"seen": [the names that are accounts now]}. */
static int op_look(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    json_t *names = json_object_get(in, "names"), *seen = json_array(), *v;
    size_t i;
    json_array_foreach(names, i, v)
    {
        struct account a;
        struct ts_error e = {0};
        if (store_account_by_name(c->core->st, json_string_value(v), &a, &e) == 0)
            json_array_append(seen, v);
    }
    (void)err;
    json_object_set_new(out, "seen", seen);
    return 0;
}

/* Holds the executor until the test opens the gate, so that the jobs queued meanwhile
 * run as one batch. */
static int op_gate(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    (void)c, (void)in, (void)out, (void)err;
    pthread_mutex_lock(&mu);
    gate_entered = 1;
    pthread_cond_broadcast(&cv);
    while (!gate_open)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    return 0;
}

static const struct op put_op = {"TestPut", ROLE_NONE, OP_WRITE, NULL, op_put, NULL};
static const struct op deposit_op = {"TestDeposit", ROLE_NONE, OP_WRITE, NULL, op_deposit,
                                     NULL};
static const struct op look_op = {"TestLook", ROLE_NONE, 0, NULL, op_look, NULL};
static const struct op gate_op = {"TestGate", ROLE_NONE, 0, NULL, op_gate, NULL};

/* ---- Jobs ----------------------------------------------------------------------------- */

struct tjob {
    struct exec_job j;
    int answers; /* how many times done() was called */
    int order;   /* the how-manieth answer of the case it was (from 1) */
};

static void tjob_done(struct exec_job *j)
{
    struct tjob *t = (struct tjob *)j;
    pthread_mutex_lock(&mu);
    t->answers++;
    t->order = ++answered;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}

/* t runs op with in (stolen). */
static void tjob_init(struct tjob *t, const struct op *op, json_t *in)
{
    memset(t, 0, sizeof *t);
    t->j.op = op;
    t->j.in = in;
    t->j.done = tjob_done;
}

static void tjob_release(struct tjob *t)
{
    json_decref(t->j.in);
    json_decref(t->j.out);
}

static void wait_answered(struct tjob *t)
{
    pthread_mutex_lock(&mu);
    while (t->answers == 0)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
}

/* Queues the n jobs behind a gate, then opens it: they run as one batch. Waits for every
 * answer. Call it first in a case (the answers are numbered from start()). */
static void run_as_batch(struct tjob *jobs, int n)
{
    struct tjob gate;
    pthread_mutex_lock(&mu);
    gate_open = gate_entered = 0;
    pthread_mutex_unlock(&mu);
    tjob_init(&gate, &gate_op, json_object());
    exec_submit(x, &gate.j);
    pthread_mutex_lock(&mu);
    while (!gate_entered)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    for (int i = 0; i < n; i++)
        exec_submit(x, &jobs[i].j);
    pthread_mutex_lock(&mu);
    gate_open = 1;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    wait_answered(&gate);
    for (int i = 0; i < n; i++)
        wait_answered(&jobs[i]);
    /* The gate ran in a batch of its own, answered before the jobs' batch ran. */
    CHECK_EQ_INT(gate.j.rc, 0);
    CHECK_EQ_INT(gate.order, 1);
    tjob_release(&gate);
}

/* ---- One case's executor -------------------------------------------------------------- */

/* A fresh directory, key and database with a requester account (its id), and an
 * executor on it. */
static int64_t start(void)
{
    struct ts_error err = {0};
    struct store *st = NULL;
    struct account rq;
    char path[128];
    snprintf(dir, sizeof dir, "/tmp/tessera-exec-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    snprintf(path, sizeof path, "%s/key", dir);
    CHECK_EQ_INT(secrets_load(path, &sec, &err), 0);
    snprintf(db_path, sizeof db_path, "%s/t.db", dir);
    CHECK_EQ_INT(store_open(db_path, &st, &err), 0);
    memset(&rq, 0, sizeof rq);
    rq.role = ROLE_REQUESTER;
    snprintf(rq.name, sizeof rq.name, "rq");
    CHECK_EQ_INT(store_begin(st, &err), 0);
    CHECK_EQ_INT(store_account_insert(st, &rq, &err), 0);
    CHECK_EQ_INT(store_commit(st, &err), 0);
    store_close(st);
    core_config_init(&cfg);
    CHECK_EQ_INT(exec_start(db_path, sec, &cfg, &x, &err), 0);
    answered = 0;
    return rq.id;
}

static void report(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "  violation: %s\n", msg);
}

/* A new connection to the case's database (exits when it cannot be opened). */
static struct store *reopen(void)
{
    struct ts_error err = {0};
    struct store *st = NULL;
    CHECK_EQ_INT(store_open(db_path, &st, &err), 0);
    if (!st) {
        fprintf(stderr, "store_open: %s\n", err.msg);
        exit(1);
    }
    return st;
}

/* The id of account name as st reads it, or 0 when there is none. */
static int64_t account_id(struct store *st, const char *name)
{
    struct account a;
    struct ts_error err = {0};
    return store_account_by_name(st, name, &a, &err) == 0 ? a.id : 0;
}

static int64_t balance(struct store *st, int64_t owner, enum ledger_kind kind)
{
    struct core_ctx core = CORE_CTX_INIT(st, sec, &cfg, 0);
    struct ts_error err = {0};
    int64_t b = -1;
    CHECK_EQ_INT(store_begin(st, &err), 0);
    CHECK_EQ_INT(ledger_balance(&core, owner, kind, &b, &err), 0);
    CHECK_EQ_INT(store_commit(st, &err), 0);
    return b;
}

/* Stops the executor (when still running), checks every invariant of what it left,
 * removes it all. */
static void finish(void)
{
    struct ts_error err = {0};
    struct store *st;
    char cmd[128];
    int v = -1;
    if (x)
        exec_stop(x);
    x = NULL;
    st = reopen();
    CHECK_EQ_INT(store_check(st, report, NULL, &v, &err), 0);
    CHECK_EQ_INT(v, 0);
    store_close(st);
    secrets_free(sec);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_EQ_INT(system(cmd), 0);
}

/* ---- Cases ---------------------------------------------------------------------------- */

/* One batch: the failed jobs' account and deposit are gone, the others' kept; a job later
 * in the batch sees what the earlier ones that succeeded wrote, and nothing of a failed
 * one. */
static void test_failed_job_alone_undone(void)
{
    int64_t rq = start();
    struct tjob jobs[6];
    struct store *st;
    json_t *seen;

    tjob_init(&jobs[0], &put_op, json_pack("{ss}", "name", "alpha"));
    tjob_init(&jobs[1], &put_op, json_pack("{sssb}", "name", "beta", "fail", 1));
    tjob_init(&jobs[2], &deposit_op, json_pack("{sIsIsb}", "to", (json_int_t)rq, "amount",
                                               (json_int_t)2000000, "fail", 1));
    tjob_init(&jobs[3], &put_op, json_pack("{ss}", "name", "gamma"));
    tjob_init(&jobs[4], &deposit_op,
              json_pack("{sIsI}", "to", (json_int_t)rq, "amount", (json_int_t)500000));
    tjob_init(&jobs[5], &look_op, json_pack("{s[sss]}", "names", "alpha", "beta", "gamma"));
    run_as_batch(jobs, 6);

    CHECK_EQ_INT(jobs[0].j.rc, 0);
    CHECK_EQ_INT(jobs[1].j.rc, TS_EINVAL);
    CHECK(strstr(jobs[1].j.err.msg, "refused after writing beta") != NULL);
    CHECK(jobs[1].j.out == NULL);
    CHECK_EQ_INT(jobs[2].j.rc, TS_EINVAL);
    CHECK(jobs[2].j.out == NULL);
    CHECK_EQ_INT(jobs[3].j.rc, 0);
    CHECK_EQ_INT(jobs[4].j.rc, 0);
    CHECK_EQ_INT(jobs[5].j.rc, 0);
    seen = json_object_get(jobs[5].j.out, "seen");
    CHECK_EQ_INT(json_array_size(seen), 2);
    CHECK_EQ_STR(json_string_value(json_array_get(seen, 0)), "alpha");
    CHECK_EQ_STR(json_string_value(json_array_get(seen, 1)), "gamma");

    st = reopen();
    CHECK(account_id(st, "alpha") > 0);
    CHECK_EQ_INT(account_id(st, "beta"), 0);
    CHECK(account_id(st, "gamma") > 0);
    CHECK_EQ_INT(balance(st, rq, LEDGER_AVAILABLE), 500000);
    CHECK_EQ_INT(balance(st, 0, LEDGER_EXTERNAL), -500000);
    store_close(st);
    for (int i = 0; i < 6; i++)
        tjob_release(&jobs[i]);
    finish();
}

/* Jobs are answered in the order they were queued, each with its own outcome: the ids
 * handed out are those of the accounts of their own names, in order of creation. */
static void test_result_order(void)
{
    struct tjob jobs[NJOBS];
    char names[NJOBS][16];
    int64_t last = 0;
    struct store *st;

    start();
    for (int i = 0; i < NJOBS; i++) {
        snprintf(names[i], sizeof names[i], "w%d", i);
        tjob_init(&jobs[i], &put_op, json_pack("{sssb}", "name", names[i], "fail", i % 3 == 1));
    }
    run_as_batch(jobs, NJOBS);
    st = reopen();
    for (int i = 0; i < NJOBS; i++) {
        CHECK_EQ_INT(jobs[i].answers, 1);
        CHECK_EQ_INT(jobs[i].order, i + 2); /* the gate was answered first */
        if (i % 3 == 1) {
            CHECK_EQ_INT(jobs[i].j.rc, TS_EINVAL);
            CHECK_EQ_INT(account_id(st, names[i]), 0);
            continue;
        }
        int64_t id = (int64_t)json_integer_value(json_object_get(jobs[i].j.out, "id"));
        CHECK_EQ_INT(jobs[i].j.rc, 0);
        CHECK_EQ_INT(account_id(st, names[i]), id);
        CHECK(id > last);
        last = id;
    }
    store_close(st);
    for (int i = 0; i < NJOBS; i++)
        tjob_release(&jobs[i]);
    finish();
}

/* A job run alone that fails changes nothing; the executor goes on with the next. */
static void test_failure_then_next(void)
{
    struct tjob bad, good;
    struct store *st;

    start();
    tjob_init(&bad, &put_op, json_pack("{sssb}", "name", "bad", "fail", 1));
    exec_run(x, &bad.j);
    CHECK_EQ_INT(bad.j.rc, TS_EINVAL);
    CHECK(bad.j.out == NULL);
    tjob_init(&good, &put_op, json_pack("{ss}", "name", "good"));
    exec_run(x, &good.j);
    CHECK_EQ_INT(good.j.rc, 0);
    CHECK(good.j.out != NULL);
    st = reopen();
    CHECK_EQ_INT(account_id(st, "bad"), 0);
    CHECK(account_id(st, "good") > 0);
    store_close(st);
    tjob_release(&bad);
    tjob_release(&good);
    finish();
}

/* What the executor acknowledged is on disk after exec_stop: a job it ran and answered,
 * and one still queued when exec_stop was called (which finishes the queue first). */
static void test_acknowledged_is_durable(void)
{
    struct tjob ran, queued;
    struct store *st;
    int64_t id;

    start();
    tjob_init(&ran, &put_op, json_pack("{ss}", "name", "ran"));
    exec_run(x, &ran.j);
    CHECK_EQ_INT(ran.j.rc, 0);
    id = (int64_t)json_integer_value(json_object_get(ran.j.out, "id"));
    CHECK(id > 0);
    tjob_init(&queued, &put_op, json_pack("{ss}", "name", "queued"));
    exec_submit(x, &queued.j);
    exec_stop(x);
    x = NULL;
    CHECK_EQ_INT(queued.answers, 1);
    CHECK_EQ_INT(queued.j.rc, 0);

    st = reopen();
    CHECK_EQ_INT(account_id(st, "ran"), id);
    CHECK_EQ_INT(account_id(st, "queued"),
                 (int64_t)json_integer_value(json_object_get(queued.j.out, "id")));
    store_close(st);
    tjob_release(&ran);
    tjob_release(&queued);
    finish();
}

CHECK_MAIN(test_failed_job_alone_undone, test_result_order, test_failure_then_next,
           test_acknowledged_is_durable)
