/* test_exec_faults.c: the executor's group commit under storage faults. A real SQLite file
 * sits behind the fault VFS (src/store/faultvfs.h); operations of this file's own (each
 * inserts one account) are queued behind a gate, so that they run as one batch, one
 * transaction; then a fault is injected at each write of its commit in turn (and at each
 * read inside it), as an I/O error and as a full disk, persistent or not. After each:
 * every job is answered exactly once; a job answered 0 has its row, a failed one has
 * none (nothing half-applied, nothing lost silently); and, the fault cleared, the next
 * batch commits. docs/internals/faults.md. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/exec.h"
#include "core/secrets.h"
#include "store/faultvfs.h"
#include "store/store.h"
#include "../../check.h"
#include "util/banned.h"

#define NJOBS 4

static char dir[64], db_path[128];
static struct secrets *sec;
static struct core_config cfg;
static struct exec *x;
static struct store *rd; /* the test's own connection, for checking */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int gate_open, gate_entered;

/* in {"name": s}: a worker account called s. */
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
    return rc;
}

/* Holds the executor until the test opens the gate, so the jobs queued meanwhile run as
 * one batch. */
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
static const struct op gate_op = {"TestGate", ROLE_NONE, 0, NULL, op_gate, NULL};

struct tjob {
    struct exec_job j;
    int answers; /* how many times done() was called */
};

static void tjob_done(struct exec_job *j)
{
    struct tjob *t = (struct tjob *)j;
    pthread_mutex_lock(&mu);
    t->answers++;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}

static void tjob_init(struct tjob *t, const struct op *op, const char *name)
{
    memset(t, 0, sizeof *t);
    t->j.op = op;
    t->j.in = json_pack("{ss}", "name", name ? name : "");
    t->j.done = tjob_done;
}

static void wait_answered(struct tjob *t, int n)
{
    pthread_mutex_lock(&mu);
    for (int i = 0; i < n; i++)
        while (t[i].answers == 0)
            pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
}

static int has_account(const char *name)
{
    struct account a;
    struct ts_error err = {0};
    return store_account_by_name(rd, name, &a, &err) == 0;
}

/* One batch of NJOBS puts named <tag>-<i> with the fault armed as given once the batch
 * is queued. Returns how many jobs succeeded; checks the invariants above. */
static int batch(const char *tag, enum faultvfs_kind kind, unsigned what, long n, int persist,
                 long *fired)
{
    struct tjob gate, jobs[NJOBS];
    char names[NJOBS][32];
    long before;
    int ok = 0;

    pthread_mutex_lock(&mu);
    gate_open = gate_entered = 0;
    pthread_mutex_unlock(&mu);
    tjob_init(&gate, &gate_op, NULL);
    exec_submit(x, &gate.j);
    pthread_mutex_lock(&mu);
    while (!gate_entered)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    for (int i = 0; i < NJOBS; i++) {
        snprintf(names[i], sizeof names[i], "%s-%d", tag, i);
        tjob_init(&jobs[i], &put_op, names[i]);
        exec_submit(x, &jobs[i].j);
    }
    /* The gate's own commit writes nothing (it changed nothing), so counting starts with
     * the batch. */
    before = faultvfs_fired();
    faultvfs_arm(kind, what, n, persist);
    pthread_mutex_lock(&mu);
    gate_open = 1;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
    wait_answered(&gate, 1);
    wait_answered(jobs, NJOBS);
    faultvfs_disarm();
    *fired = faultvfs_fired() - before;
    for (int i = 0; i < NJOBS; i++) {
        CHECK_EQ_INT(jobs[i].answers, 1);
        if (jobs[i].j.rc == 0) {
            ok++;
            CHECK(jobs[i].j.out != NULL);
            CHECK(has_account(names[i]));
        } else {
            /* Refused with a "try again" error (503), and nothing of it was kept. */
            CHECK_EQ_INT(jobs[i].j.rc, TS_EBUSY);
            CHECK(jobs[i].j.out == NULL);
            CHECK(strstr(jobs[i].j.err.msg, "try again") != NULL);
            CHECK(!has_account(names[i]));
        }
        json_decref(jobs[i].j.out);
        json_decref(jobs[i].j.in);
    }
    json_decref(gate.j.out);
    json_decref(gate.j.in);
    return ok;
}

/* The executor keeps serving once the fault is gone. */
static void check_recovers(const char *tag)
{
    long fired = 0;
    char t[48];
    snprintf(t, sizeof t, "%s-after", tag);
    CHECK_EQ_INT(batch(t, FAULTVFS_OFF, 0, 0, 0, &fired), NJOBS);
    CHECK_EQ_INT(fired, 0);
}

static long total_faults, total_refused;

/* A fault at the n-th write of the commit, for n = 1, 2, ... until one lands past the
 * commit's last write (do_ioerr_test). A fault there fails the whole group. */
static void sweep_writes(enum faultvfs_kind kind, int persist)
{
    long n;
    for (n = 1; n < 100; n++) {
        char tag[48];
        long fired = 0;
        int ok;
        snprintf(tag, sizeof tag, "w%d%d-%ld", (int)kind, persist, n);
        ok = batch(tag, kind, FAULTVFS_WRITES, n, persist, &fired);
        check_recovers(tag);
        if (!fired) {
            CHECK_EQ_INT(ok, NJOBS);
            break;
        }
        total_faults++;
        total_refused += NJOBS - ok;
        /* Every write of a group commit is the group's: a fault fails all of it. */
        CHECK_EQ_INT(ok, 0);
    }
    CHECK(n > 2); /* the commit wrote at least the WAL frames and synced them */
}

static void test_commit_write_faults(void)
{
    sweep_writes(FAULTVFS_IOERR, 0);
    sweep_writes(FAULTVFS_FULL, 0);
    sweep_writes(FAULTVFS_IOERR, 1);
    sweep_writes(FAULTVFS_FULL, 1);
}

/* Another connection's commit makes the executor's page cache stale, so its next batch
 * reads pages inside its jobs: a read fault there is an I/O error inside a statement,
 * after which SQLite rolls back the whole transaction. The jobs before it must then be
 * answered with an error too (their rows are gone), the failing one too, and the jobs
 * after it must run in a new transaction and be answered by its commit. */
static void test_read_faults_inside_jobs(void)
{
    long n, saw_partial = 0;
    for (n = 1; n < 200; n++) {
        char tag[48], other[48];
        struct ts_error err = {0};
        long fired = 0;
        int ok;
        snprintf(other, sizeof other, "other-%ld", n);
        CHECK_EQ_INT(store_begin(rd, &err), 0);
        {
            struct account a;
            memset(&a, 0, sizeof a);
            a.role = ROLE_WORKER;
            snprintf(a.name, sizeof a.name, "%s", other);
            CHECK_EQ_INT(store_account_insert(rd, &a, &err), 0);
        }
        CHECK_EQ_INT(store_commit(rd, &err), 0);
        snprintf(tag, sizeof tag, "r-%ld", n);
        ok = batch(tag, FAULTVFS_IOERR, FAULTVFS_READS, n, 0, &fired);
        check_recovers(tag);
        if (!fired)
            break;
        total_faults++;
        total_refused += NJOBS - ok;
        if (ok > 0 && ok < NJOBS)
            saw_partial++;
    }
    CHECK(n > 1);
    /* Some fault landed in a later job: the ones after it were committed and said so. */
    CHECK(saw_partial > 0);
}

static void setup(void)
{
    struct ts_error err = {0};
    char path[128];
    snprintf(dir, sizeof dir, "/tmp/tessera-faults-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    CHECK_EQ_INT(faultvfs_install(), 0);
    snprintf(path, sizeof path, "%s/key", dir);
    CHECK_EQ_INT(secrets_load(path, &sec, &err), 0);
    snprintf(db_path, sizeof db_path, "%s/t.db", dir);
    core_config_init(&cfg);
    CHECK_EQ_INT(exec_start(db_path, sec, &cfg, &x, &err), 0);
    CHECK_EQ_INT(store_open(db_path, &rd, &err), 0);
}

static void report(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "  violation: %s\n", msg);
}

static void teardown(void)
{
    struct ts_error err = {0};
    char cmd[128];
    int v = -1;
    exec_stop(x);
    CHECK_EQ_INT(store_check(rd, report, NULL, &v, &err), 0);
    CHECK_EQ_INT(v, 0);
    store_close(rd);
    secrets_free(sec);
    printf("faults injected: %ld, jobs refused: %ld\n", total_faults, total_refused);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_EQ_INT(system(cmd), 0);
}

static void test_all(void)
{
    setup();
    test_commit_write_faults();
    test_read_faults_inside_jobs();
    teardown();
}

CHECK_MAIN(test_all)
