/* core_fixture.h: a core context on a real SQLite store in a fresh /tmp directory, for
 * unit tests of src/core. Header-only (each test file is linked alone with the library):
 * include it after check.h. core_fixture_open() makes the directory, a secrets key, the
 * store and `c`; core_fixture_close() removes them all. TX(expr) runs one core step in its
 * own transaction, as the executor does.
 *
 * A case that owns its state starts with core_fixture_start() (a fresh store, a requester
 * with a deposit, two workers) and ends with core_fixture_end() (every invariant holds,
 * then close), so that it can run alone or in any order (check.h: by name). */
#ifndef TS_CORE_FIXTURE_H
#define TS_CORE_FIXTURE_H
#include <stdlib.h>
#include <unistd.h>
#include <jansson.h>
#include "core/asg.h"
#include "core/hit.h"
#include "core/ledger.h"
#include "core/pseudonym.h"
#include "core/secrets.h"

static char dir[64];
static struct store *st;
static struct secrets *sec;
static struct core_config cfg;
static struct core_ctx c;

static inline void core_fixture_open(void)
{
    struct ts_error err = {0};
    char path[128];
    snprintf(dir, sizeof dir, "/tmp/tessera-test-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    snprintf(path, sizeof path, "%s/key", dir);
    CHECK_EQ_INT(secrets_load(path, &sec, &err), 0);
    snprintf(path, sizeof path, "%s/t.db", dir);
    CHECK_EQ_INT(store_open(path, &st, &err), 0);
    core_config_init(&cfg);
    c.st = st;
    c.sec = sec;
    c.cfg = &cfg;
    c.now_ms = 1800000000000LL;
}

static inline void core_fixture_close(void)
{
    char cmd[128];
    store_close(st);
    secrets_free(sec);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_EQ_INT(system(cmd), 0);
}

/* store_check's reporter: prints each violation. */
static inline void report(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "  violation: %s\n", msg);
}

/* The last step of a file that changes the store: every invariant holds, then close. */
static inline void core_fixture_close_checked(void)
{
    struct ts_error err = {0};
    int v = -1;
    CHECK_EQ_INT(store_check(st, report, NULL, &v, &err), 0);
    CHECK_EQ_INT(v, 0);
    core_fixture_close();
}

/* A new account with role and name, in a transaction of its own; its id. */
static inline int64_t account(int role, const char *name)
{
    struct account a;
    struct ts_error err = {0};
    memset(&a, 0, sizeof a);
    a.role = role;
    snprintf(a.name, sizeof a.name, "%s", name);
    store_begin(st, &err);
    CHECK_EQ_INT(store_account_insert(st, &a, &err), 0);
    store_commit(st, &err);
    return a.id;
}

/* The comma operator in TX opens the transaction before the step is evaluated. */
static inline void tx_begin(void)
{
    struct ts_error err = {0};
    store_begin(st, &err);
}

static inline int tx_end(int rc)
{
    struct ts_error err = {0};
    rc = core_finish(&c, rc, &err); /* the settle step, as the executor runs it */
    store_end(st, rc, &err);
    return rc;
}

#define TX(expr) (tx_begin(), tx_end(expr))

/* asg_submit with the answers given as JSON text (none when it does not parse). */
static inline int submit_text(struct core_ctx *cc, int64_t worker, const char *id,
                              const char *text, struct ts_error *err)
{
    json_t *o = json_loads(text, 0, NULL);
    int rc = asg_submit(cc, worker, id, o, err);
    json_decref(o);
    return rc;
}

/* A HIT type of requester (not yet stored; the strings are not owned). */
static inline struct hit_type core_fixture_type(int64_t requester, const char *title,
                                                const char *description, int64_t reward,
                                                int64_t duration_s, int64_t auto_approval_s)
{
    struct hit_type t;
    memset(&t, 0, sizeof t);
    t.requester_id = requester;
    t.title = (char *)title;
    t.description = (char *)description;
    t.keywords = (char *)"";
    t.reward = reward;
    t.duration_s = duration_s;
    t.auto_approval_s = auto_approval_s;
    return t;
}

/* Stores t through hit_type_create (which must succeed) and gives it its id. */
static inline void core_fixture_type_create(struct hit_type *t)
{
    struct ts_error err = {0};
    char id[STORE_ID_MAX];
    CHECK_EQ_INT(TX(hit_type_create(&c, t, id, &err)), 0);
    memcpy(t->id, id, STORE_ID_MAX);
    free(t->quals_json);
    t->quals_json = NULL;
}

/* ---- One case's own state ---------------------------------------------------------- */

/* The accounts of a case: a requester and two workers. */
struct core_cast {
    int64_t rq, wk1, wk2;
};

/* A fresh store (core_fixture_open) with requester "rq", who has deposited deposit (none
 * when 0), and workers "wk1" and "wk2". */
static inline struct core_cast core_fixture_start(int64_t deposit)
{
    struct ts_error err = {0};
    struct core_cast k;
    core_fixture_open();
    k.rq = account(ROLE_REQUESTER, "rq");
    k.wk1 = account(ROLE_WORKER, "wk1");
    k.wk2 = account(ROLE_WORKER, "wk2");
    if (deposit)
        CHECK_EQ_INT(TX(ledger_deposit(&c, k.rq, deposit, &err)), 0);
    return k;
}

/* The end of a case: every invariant of the stored data holds; then close. */
static inline void core_fixture_end(void)
{
    core_fixture_close_checked();
}

/* How many violations store_check finds now (each one printed); -1 when it fails. */
static inline int core_fixture_violations(void)
{
    struct ts_error err = {0};
    int v = -1;
    if (store_check(st, report, NULL, &v, &err))
        fprintf(stderr, "  check failed: %s\n", err.msg);
    return v;
}

/* The balance of (owner, kind), read in a transaction of its own; -1 when it fails. */
static inline int64_t core_fixture_balance(int64_t owner, enum ledger_kind kind)
{
    struct ts_error err = {0};
    int64_t b = -1;
    if (TX(ledger_balance(&c, owner, kind, &b, &err)))
        b = -1;
    return b;
}

/* A valid HTMLQuestion for the HITs of a case. */
#define CORE_FIXTURE_QUESTION                                                             \
    "<HTMLQuestion xmlns=\"http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/" \
    "2011-11-11/HTMLQuestion.xsd\"><HTMLContent><![CDATA[<p>x</p>]]></HTMLContent>"        \
    "<FrameHeight>0</FrameHeight></HTMLQuestion>"

/* The parameters of a plain HIT: the question above, max assignments, a lifetime of one
 * hour, nothing else. */
static inline struct hit_params core_fixture_params(int64_t max)
{
    struct hit_params p;
    memset(&p, 0, sizeof p);
    p.question = CORE_FIXTURE_QUESTION;
    p.max_assignments = max;
    p.lifetime_s = 3600;
    return p;
}

/* A HIT type of the requester with a reward, an assignment duration of 60 s and an
 * auto-approval delay, stored (core_fixture_type_create). */
static inline struct hit_type core_fixture_stored_type(int64_t requester, int64_t reward,
                                                       int64_t auto_approval_s)
{
    struct hit_type t = core_fixture_type(requester, "Label", "Label one thing", reward, 60,
                                          auto_approval_s);
    core_fixture_type_create(&t);
    return t;
}

/* hit_create(t, p) in a transaction of its own; its result. h is filled on success (the
 * caller releases it). */
static inline int core_fixture_hit(const struct hit_type *t, const struct hit_params *p,
                                   struct hit *h)
{
    struct ts_error err = {0};
    return TX(hit_create(&c, t, p, h, &err));
}

/* The stored HIT id as the store reads it now (must exist); the caller releases it. */
static inline struct hit core_fixture_hit_get(const char *id)
{
    struct ts_error err = {0};
    struct hit h;
    memset(&h, 0, sizeof h);
    CHECK_EQ_INT(TX(store_hit_get(st, id, &h, &err)), 0);
    return h;
}

/* The stored assignment id's status now (0 when it cannot be read). */
static inline enum asg_status core_fixture_asg_status(const char *id)
{
    struct ts_error err = {0};
    struct assignment a;
    enum asg_status s = 0;
    memset(&a, 0, sizeof a);
    if (TX(store_asg_get(st, id, &a, &err)) == 0) {
        s = a.status;
        store_asg_release(&a);
    }
    return s;
}

/* The pseudonym the requester knows the worker by. */
static inline void core_fixture_pseudonym(int64_t requester, int64_t worker, char out[16])
{
    pseudonym_derive(sec, requester, worker, out);
}

#endif
