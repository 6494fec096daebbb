/* test_store.c: the SQLite store against the contract in store.h. Each test opens a
 * fresh database file under /tmp and removes it (and its WAL files) afterwards. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/store.h"
#include "store/schema_sqlite.h"
#include "util/alloc.h"
#include "../../check.h"
#include "../store_fixture.h"
#include "util/banned.h"

struct fixture {
    char path[64];
    struct store *st;
    int64_t req, w[5];
};

static void fx_open(struct fixture *fx)
{
    memset(fx, 0, sizeof *fx);
    fx->st = store_fixture_open(fx->path, sizeof fx->path);
}

static void fx_close(struct fixture *fx)
{
    store_close(fx->st);
    fx->st = NULL;
    store_fixture_remove(fx->path);
}

/* A requester, five workers and HIT type "T1". */
static void fx_people(struct fixture *fx)
{
    struct hit_type t = {0};
    struct ts_error err = {0};
    char name[16];

    fx->req = add_account(fx->st, "req", ROLE_REQUESTER);
    for (int i = 0; i < 5; i++) {
        snprintf(name, sizeof name, "w%d", i);
        fx->w[i] = add_account(fx->st, name, ROLE_WORKER);
    }
    snprintf(t.id, sizeof t.id, "T1");
    t.requester_id = fx->req;
    t.title = (char *)"Label images";
    t.description = (char *)"Say what is in the picture";
    t.keywords = (char *)"image,label";
    t.quals_json = (char *)"[]";
    t.reward = 100;
    t.duration_s = 600;
    t.auto_approval_s = 3600;
    t.created_ms = 1000;
    CHECK_EQ_INT(store_hit_type_insert(fx->st, &t, &err), 0);
}

static void add_hit(struct store *st, const char *id, const char *type, const char *batch,
                    int64_t req, int64_t max, int64_t expires_ms)
{
    struct hit h = {0};
    struct ts_error err = {0};

    snprintf(h.id, sizeof h.id, "%s", id);
    snprintf(h.hit_type_id, sizeof h.hit_type_id, "%s", type);
    snprintf(h.batch_id, sizeof h.batch_id, "%s", batch);
    h.requester_id = req;
    h.question = (char *)"<QuestionForm/>";
    h.reward = 100;
    h.fee = 20;
    h.max_assignments = max;
    h.created_ms = 1000;
    h.expires_ms = expires_ms;
    h.escrow = 120 * max;
    CHECK_EQ_INT(store_hit_insert(st, &h, &err), 0);
    CHECK(h.seq > 0);
}

static int add_asg(struct store *st, const char *id, const char *hit, int64_t worker,
                   int64_t req, enum asg_status status, int64_t accepted, int64_t submitted,
                   struct ts_error *err)
{
    struct assignment a = {0};

    snprintf(a.id, sizeof a.id, "%s", id);
    snprintf(a.hit_id, sizeof a.hit_id, "%s", hit);
    snprintf(a.hit_type_id, sizeof a.hit_type_id, "T1");
    a.worker_id = worker;
    a.requester_id = req;
    a.status = status;
    a.accepted_ms = accepted;
    a.deadline_ms = accepted + 600000;
    a.submitted_ms = submitted;
    a.auto_approve_ms = submitted ? submitted + 3600000 : 0;
    return store_asg_insert(st, &a, err);
}

/* Sets a HIT's counts (as the core would after an assignment changes). */
static void set_counts(struct store *st, const char *id, int64_t pending, int64_t submitted,
                       int64_t approved, int64_t escrow)
{
    struct hit h;
    struct ts_error err = {0};

    CHECK_EQ_INT(store_hit_get(st, id, &h, &err), 0);
    CHECK_EQ_INT(store_hit_add_counts(st, id,
                                      &(struct hit_counts){pending - h.pending,
                                                           submitted - h.submitted,
                                                           approved - h.approved, 0,
                                                           escrow - h.escrow},
                                      &err),
                 0);
    store_hit_release(&h);
}

static void test_open_migrate(void)
{
    struct fixture fx;
    struct ts_error err = {0};
    char val[32];

    fx_open(&fx);
    CHECK_EQ_INT(store_schema_version(fx.st), SCHEMA_VERSION);
    CHECK_EQ_INT(store_meta_get(fx.st, "server_name", val, sizeof val, &err), TS_ENOTFOUND);
    CHECK_EQ_INT(store_meta_set(fx.st, "server_name", "tessera-1", &err), 0);
    CHECK_EQ_INT(store_meta_set(fx.st, "server_name", "tessera-2", &err), 0);
    store_close(fx.st);
    /* Reopening finds the schema current and the data kept. */
    CHECK_EQ_INT(store_open(fx.path, &fx.st, &err), 0);
    CHECK_EQ_INT(store_schema_version(fx.st), SCHEMA_VERSION);
    CHECK_EQ_INT(store_meta_get(fx.st, "server_name", val, sizeof val, &err), 0);
    CHECK_EQ_STR(val, "tessera-2");
    CHECK_EQ_INT(store_meta_get(fx.st, "schema_version", val, sizeof val, &err), 0);
    {
        char want[16];
        snprintf(want, sizeof want, "%d", SCHEMA_VERSION);
        CHECK_EQ_STR(val, want);
    }
    CHECK_EQ_INT(store_meta_get(fx.st, "server_name", val, 4, &err), TS_ETOOBIG);
    fx_close(&fx);
}

/* A database made by version 1 of the schema, holding a HIT, is migrated on open: the
 * HIT's texts move to hit_texts and nothing is lost. */
static void test_migrate_from_v1(void)
{
    char path[64];
    struct store *st = NULL;
    struct ts_error err = {0};
    struct hit got;
    sqlite3 *db = NULL;

    store_fixture_temp(path, sizeof path, "/tmp/ts_store_v1_XXXXXX");
    CHECK_EQ_INT(sqlite3_open(path, &db), SQLITE_OK);
    for (const char *const *part = schema_v1; *part; part++)
        CHECK_EQ_INT(sqlite3_exec(db, *part, NULL, NULL, NULL), SQLITE_OK);
    CHECK_EQ_INT(sqlite3_exec(db,
                              "INSERT INTO meta VALUES ('schema_version', '1');"
                              "INSERT INTO accounts(id, role, name, created_ms) "
                              "VALUES (1, 1, 'rq', 0);"
                              "INSERT INTO hit_types VALUES ('T1', 1, 't', 'd', '', '[]', 10, "
                              "60, 60, 0);"
                              "INSERT INTO hits(seq, id, hit_type_id, requester_id, question, "
                              "input_json, reward, fee, max_assignments, created_ms, "
                              "expires_ms) VALUES (7, 'H1', 'T1', 1, '<q/>', '{\"a\":\"b\"}', "
                              "10, 2, 3, 0, 1000);",
                              NULL, NULL, NULL),
                 SQLITE_OK);
    sqlite3_close(db);

    CHECK_EQ_INT(store_open(path, &st, &err), 0);
    if (!st)
        return;
    CHECK_EQ_INT(store_schema_version(st), SCHEMA_VERSION);
    CHECK_EQ_INT(store_hit_get(st, "H1", &got, &err), 0);
    CHECK_EQ_INT(got.seq, 7);
    CHECK_EQ_INT(got.max_assignments, 3);
    CHECK_EQ_INT(store_hit_load_texts(st, &got, &err), 0);
    CHECK_EQ_STR(got.question, "<q/>");
    CHECK_EQ_STR(got.input_json, "{\"a\":\"b\"}");
    store_hit_release(&got);
    store_close(st);

    CHECK_EQ_INT(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *s = NULL;
    CHECK_EQ_INT(sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_schema WHERE name = "
                                        "'assignments_hit'", -1, &s, NULL),
                 SQLITE_OK);
    CHECK_EQ_INT(sqlite3_step(s), SQLITE_ROW);
    CHECK_EQ_INT(sqlite3_column_int(s, 0), 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    store_fixture_remove(path);
}

static void test_transactions(void)
{
    struct fixture fx;
    struct ts_error err = {0};
    char val[32];

    fx_open(&fx);
    CHECK_EQ_INT(store_begin(fx.st, &err), 0);
    CHECK_EQ_INT(store_meta_set(fx.st, "a", "1", &err), 0);
    CHECK_EQ_INT(store_savepoint(fx.st, &err), 0);
    CHECK_EQ_INT(store_meta_set(fx.st, "b", "2", &err), 0);
    store_savepoint_rollback(fx.st);
    CHECK_EQ_INT(store_savepoint(fx.st, &err), 0);
    CHECK_EQ_INT(store_meta_set(fx.st, "c", "3", &err), 0);
    CHECK_EQ_INT(store_savepoint_release(fx.st, &err), 0);
    CHECK_EQ_INT(store_end(fx.st, 0, &err), 0);
    CHECK_EQ_INT(store_meta_get(fx.st, "a", val, sizeof val, &err), 0);
    CHECK_EQ_INT(store_meta_get(fx.st, "b", val, sizeof val, &err), TS_ENOTFOUND);
    CHECK_EQ_INT(store_meta_get(fx.st, "c", val, sizeof val, &err), 0);

    CHECK_EQ_INT(store_begin(fx.st, &err), 0);
    CHECK_EQ_INT(store_meta_set(fx.st, "d", "4", &err), 0);
    CHECK_EQ_INT(store_end(fx.st, TS_EINVAL, &err), TS_EINVAL);
    CHECK_EQ_INT(store_meta_get(fx.st, "d", val, sizeof val, &err), TS_ENOTFOUND);
    fx_close(&fx);
}

static void test_accounts(void)
{
    struct fixture fx;
    struct ts_error err = {0};
    struct account a = {0}, got;
    unsigned char hash[32], other[32], box[64], out[64];
    int64_t who = 0, exp = 0;
    int sliding = 0;
    size_t n = 0;

    fx_open(&fx);
    snprintf(a.name, sizeof a.name, "alice");
    snprintf(a.country, sizeof a.country, "KE");
    a.role = ROLE_WORKER;
    a.created_ms = 42;
    CHECK_EQ_INT(store_account_insert(fx.st, &a, &err), 0);
    CHECK(a.id > 0);
    CHECK_EQ_INT(store_account_insert(fx.st, &a, &err), TS_ECONFLICT);
    CHECK(strstr(err.msg, "alice") != NULL);
    CHECK_EQ_INT(store_account_get(fx.st, a.id, &got, &err), 0);
    CHECK_EQ_STR(got.name, "alice");
    CHECK_EQ_STR(got.country, "KE");
    CHECK_EQ_INT(got.role, ROLE_WORKER);
    CHECK_EQ_INT(got.created_ms, 42);
    CHECK_EQ_INT(store_account_by_name(fx.st, "alice", &got, &err), 0);
    CHECK_EQ_INT(got.id, a.id);
    CHECK_EQ_INT(store_account_by_name(fx.st, "bob", &got, &err), TS_ENOTFOUND);
    CHECK_EQ_INT(store_account_get(fx.st, 999, &got, &err), TS_ENOTFOUND);
    CHECK(strstr(err.msg, "999") != NULL);

    memset(hash, 7, sizeof hash);
    memset(other, 8, sizeof other);
    CHECK_EQ_INT(store_token_insert(fx.st, hash, a.id, 50, &err), 0);
    CHECK_EQ_INT(store_token_insert(fx.st, hash, a.id, 50, &err), TS_ECONFLICT);
    CHECK_EQ_INT(store_token_insert(fx.st, other, 999, 50, &err), TS_ENOTFOUND);
    CHECK_EQ_INT(store_token_find(fx.st, hash, &who, &exp, &sliding, &err), 0);
    CHECK_EQ_INT(who, a.id);
    CHECK_EQ_INT(store_token_find(fx.st, other, &who, &exp, &sliding, &err), TS_ENOTFOUND);

    memset(box, 9, sizeof box);
    CHECK_EQ_INT(store_access_key_insert(fx.st, "AKIA1", a.id, box, 40, 50, &err), 0);
    CHECK_EQ_INT(store_access_key_insert(fx.st, "AKIA1", a.id, box, 40, 50, &err),
                 TS_ECONFLICT);
    CHECK_EQ_INT(store_access_key_get(fx.st, "AKIA1", &who, out, sizeof out, &n, &err), 0);
    CHECK_EQ_INT(n, 40);
    CHECK(memcmp(out, box, 40) == 0);
    CHECK_EQ_INT(store_access_key_get(fx.st, "AKIA1", &who, out, 10, &n, &err), TS_ETOOBIG);
    CHECK_EQ_INT(store_access_key_get(fx.st, "AKIA2", &who, out, sizeof out, &n, &err),
                 TS_ENOTFOUND);

    char ref[STORE_ID_MAX];
    CHECK_EQ_INT(store_request_token_get(fx.st, a.id, "CreateHIT", "tok", 0, ref, sizeof ref,
                                         &err), TS_ENOTFOUND);
    CHECK_EQ_INT(store_request_token_put(fx.st, a.id, "CreateHIT", "tok", "H1", 100, &err), 0);
    CHECK_EQ_INT(store_request_token_get(fx.st, a.id, "CreateHIT", "tok", 50, ref, sizeof ref,
                                         &err), 0);
    CHECK_EQ_STR(ref, "H1");
    CHECK_EQ_INT(store_request_token_get(fx.st, a.id, "CreateHIT", "tok", 150, ref, sizeof ref,
                                         &err), TS_ENOTFOUND);
    CHECK_EQ_INT(store_request_token_put(fx.st, a.id, "CreateHIT", "tok", "H2", 200, &err), 0);
    CHECK_EQ_INT(store_request_token_get(fx.st, a.id, "CreateHIT", "tok", 150, ref, sizeof ref,
                                         &err), 0);
    CHECK_EQ_STR(ref, "H2");
    fx_close(&fx);
}

static void test_ledger(void)
{
    struct fixture fx;
    struct ts_error err = {0};
    int64_t ext = 0, avail = 0, again = 0, bal = -1, entry = 0, n = -1;

    fx_open(&fx);
    CHECK_EQ_INT(store_ledger_account(fx.st, 0, LEDGER_EXTERNAL, &ext, &err), 0);
    CHECK_EQ_INT(store_ledger_account(fx.st, 5, LEDGER_AVAILABLE, &avail, &err), 0);
    CHECK_EQ_INT(store_ledger_account(fx.st, 5, LEDGER_AVAILABLE, &again, &err), 0);
    CHECK_EQ_INT(again, avail);
    CHECK(ext != avail);
    CHECK_EQ_INT(store_ledger_balance(fx.st, avail, &bal, &err), 0);
    CHECK_EQ_INT(bal, 0);

    struct posting p[2] = {{ext, -30000}, {avail, 30000}};
    struct journal_entry e = {"deposit", "", 100, p, 2};
    CHECK_EQ_INT(store_begin(fx.st, &err), 0);
    CHECK_EQ_INT(store_journal_insert(fx.st, &e, &entry, &err), 0);
    CHECK_EQ_INT(store_commit(fx.st, &err), 0);
    CHECK(entry > 0);
    CHECK_EQ_INT(store_ledger_balance(fx.st, avail, &bal, &err), 0);
    CHECK_EQ_INT(bal, 30000);
    CHECK_EQ_INT(store_ledger_balance(fx.st, ext, &bal, &err), 0);
    CHECK_EQ_INT(bal, -30000);
    CHECK_EQ_INT(store_journal_count(fx.st, "deposit", "", &n, &err), 0);
    CHECK_EQ_INT(n, 1);

    /* A posting to a missing account fails and leaves nothing behind. */
    struct posting bad[2] = {{avail, -10}, {12345, 10}};
    struct journal_entry e2 = {"pay", "A1", 200, bad, 2};
    CHECK_EQ_INT(store_begin(fx.st, &err), 0);
    CHECK_EQ_INT(store_journal_insert(fx.st, &e2, &entry, &err), TS_ENOTFOUND);
    CHECK_EQ_INT(store_commit(fx.st, &err), 0);
    CHECK_EQ_INT(store_ledger_balance(fx.st, avail, &bal, &err), 0);
    CHECK_EQ_INT(bal, 30000);
    CHECK_EQ_INT(store_journal_count(fx.st, "pay", "A1", &n, &err), 0);
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_INT(store_ledger_balance(fx.st, 12345, &bal, &err), TS_ENOTFOUND);

    /* Overflow is refused rather than turned into a real. */
    struct posting big[2] = {{avail, INT64_MAX}, {ext, 0}};
    struct journal_entry e3 = {"deposit", "", 300, big, 2};
    CHECK_EQ_INT(store_journal_insert(fx.st, &e3, &entry, &err), TS_EINVAL);
    CHECK_EQ_INT(store_ledger_balance(fx.st, avail, &bal, &err), 0);
    CHECK_EQ_INT(bal, 30000);
    fx_close(&fx);
}

static void test_hit_types(void)
{
    struct fixture fx;
    struct ts_error err = {0};
    struct hit_type t = {0}, got;
    char id[STORE_ID_MAX];

    fx_open(&fx);
    fx_people(&fx);
    CHECK_EQ_INT(store_hit_type_get(fx.st, "T1", &got, &err), 0);
    CHECK_EQ_STR(got.title, "Label images");
    CHECK_EQ_STR(got.keywords, "image,label");
    CHECK_EQ_INT(got.reward, 100);
    CHECK_EQ_INT(got.auto_approval_s, 3600);
    t = got;
    CHECK_EQ_INT(store_hit_type_find(fx.st, &t, id, &err), 0);
    CHECK_EQ_STR(id, "T1");
    t.reward = 101;
    CHECK_EQ_INT(store_hit_type_find(fx.st, &t, id, &err), TS_ENOTFOUND);
    CHECK_EQ_INT(store_hit_type_insert(fx.st, &got, &err), TS_ECONFLICT);
    store_hit_type_release(&got);
    CHECK_EQ_INT(store_hit_type_get(fx.st, "NOPE", &got, &err), TS_ENOTFOUND);
    CHECK(strstr(err.msg, "NOPE") != NULL);
    fx_close(&fx);
}

static void test_hit_roundtrip(void)
{
    struct fixture fx;
    struct ts_error err = {0};
    struct hit h = {0}, got;

    fx_open(&fx);
    fx_people(&fx);
    snprintf(h.id, sizeof h.id, "3XHIT0000000000000000000000001");
    snprintf(h.hit_type_id, sizeof h.hit_type_id, "T1");
    h.requester_id = fx.req;
    h.question = (char *)"<q/>";
    h.input_json = (char *)"{\"url\":\"x\"}";
    h.reward = 100;
    h.fee = 20;
    h.max_assignments = 3;
    h.created_ms = 10;
    h.expires_ms = 1000;
    h.escrow = 360;
    CHECK_EQ_INT(store_hit_insert(fx.st, &h, &err), 0);
    CHECK_EQ_INT(store_hit_insert(fx.st, &h, &err), TS_ECONFLICT);
    CHECK_EQ_INT(store_hit_get(fx.st, h.id, &got, &err), 0);
    CHECK_EQ_STR(got.id, h.id);
    CHECK_EQ_STR(got.batch_id, "");
    CHECK(got.question == NULL && got.input_json == NULL); /* texts on demand */
    CHECK_EQ_INT(store_hit_load_texts(fx.st, &got, &err), 0);
    CHECK_EQ_STR(got.question, "<q/>");
    CHECK_EQ_STR(got.input_json, "{\"url\":\"x\"}");
    CHECK(got.annotation == NULL);
    CHECK_EQ_INT(got.seq, h.seq);
    CHECK_EQ_INT(got.max_assignments, 3);
    CHECK_EQ_INT(got.escrow, 360);
    /* The counters move by deltas only; an update leaves them alone. */
    CHECK_EQ_INT(store_hit_add_counts(fx.st, h.id,
                                      &(struct hit_counts){.pending = 1, .submitted = 1,
                                                           .approved = 1},
                                      &err),
                 0);
    got.pending = 7;
    got.max_assignments = 9;
    got.expires_ms = 2000;
    got.escrow = 240;
    got.reviewing = 1;
    got.expired = 1;
    CHECK_EQ_INT(store_hit_update(fx.st, &got, &err), 0);
    store_hit_release(&got);
    CHECK_EQ_INT(store_hit_get(fx.st, h.id, &got, &err), 0);
    CHECK_EQ_INT(got.pending + got.submitted + got.approved, 3);
    CHECK_EQ_INT(got.pending, 1);
    CHECK_EQ_INT(got.expires_ms, 2000);
    CHECK_EQ_INT(got.max_assignments, 3); /* the counters too */
    CHECK_EQ_INT(got.escrow, 360);
    CHECK_EQ_INT(got.reviewing, 1);
    CHECK_EQ_INT(got.expired, 1);
    CHECK_EQ_INT(got.disposed, 0);
    store_hit_release(&got);
    CHECK_EQ_INT(store_hit_get(fx.st, "3XNOPE", &got, &err), TS_ENOTFOUND);
    CHECK_EQ_STR(err.msg, "HIT 3XNOPE does not exist");
    snprintf(h.id, sizeof h.id, "H2");
    snprintf(h.hit_type_id, sizeof h.hit_type_id, "NOTYPE");
    CHECK_EQ_INT(store_hit_insert(fx.st, &h, &err), TS_ENOTFOUND);
    fx_close(&fx);
}

struct avail {
    char types[4][STORE_ID_MAX];
    int64_t counts[4];
    int n;
};

static int avail_cb(void *ctx, const char *type, int64_t hits)
{
    struct avail *a = ctx;
    if (a->n < 4) {
        snprintf(a->types[a->n], STORE_ID_MAX, "%s", type);
        a->counts[a->n++] = hits;
    }
    return 0;
}

static void test_next_open(void)
{
    struct fixture fx;
    struct ts_error err = {0};
    struct hit h;
    char id[STORE_ID_MAX];
    const int64_t now = 5000;

    fx_open(&fx);
    fx_people(&fx);
    add_hit(fx.st, "H1", "T1", "", fx.req, 1, 10000);
    add_hit(fx.st, "H2", "T1", "", fx.req, 2, 4000); /* expired */
    add_hit(fx.st, "H3", "T1", "", fx.req, 2, 10000);
    add_hit(fx.st, "H4", "T1", "", fx.req, 2, 10000);
    CHECK_EQ_INT(store_hit_get(fx.st, "H3", &h, &err), 0);
    h.disposed = 1;
    CHECK_EQ_INT(store_hit_update(fx.st, &h, &err), 0);
    store_hit_release(&h);

    CHECK_EQ_INT(store_hit_next_open(fx.st, "T1", fx.w[0], now, 0, id, &err), 0);
    CHECK_EQ_STR(id, "H1");
    CHECK_EQ_INT(add_asg(fx.st, "A1", "H1", fx.w[0], fx.req, ASG_ACCEPTED, now, 0, &err), 0);
    set_counts(fx.st, "H1", 1, 0, 0, 120);
    /* H1 is full, H2 expired, H3 disposed. */
    CHECK_EQ_INT(store_hit_next_open(fx.st, "T1", fx.w[0], now, 0, id, &err), 0);
    CHECK_EQ_STR(id, "H4");
    CHECK_EQ_INT(store_hit_next_open(fx.st, "T1", fx.w[1], now, 0, id, &err), 0);
    CHECK_EQ_STR(id, "H4");
    CHECK_EQ_INT(add_asg(fx.st, "A2", "H4", fx.w[1], fx.req, ASG_ACCEPTED, now, 0, &err), 0);
    set_counts(fx.st, "H4", 1, 0, 0, 240);
    /* w1 already holds an assignment on H4, the only HIT with a free slot. */
    CHECK_EQ_INT(store_hit_next_open(fx.st, "T1", fx.w[1], now, 0, id, &err), TS_ENOTFOUND);
    CHECK_EQ_INT(store_hit_next_open(fx.st, "T1", fx.w[0], now, 0, id, &err), 0);
    CHECK_EQ_STR(id, "H4");
    /* Before H2's expiry, H2 is open again. */
    CHECK_EQ_INT(store_hit_next_open(fx.st, "T1", fx.w[1], 3000, 0, id, &err), 0);
    CHECK_EQ_STR(id, "H2");
    CHECK_EQ_INT(store_hit_next_open(fx.st, "NOTYPE", fx.w[1], now, 0, id, &err), TS_ENOTFOUND);

    /* One worker, one assignment per HIT. */
    CHECK_EQ_INT(add_asg(fx.st, "A3", "H4", fx.w[1], fx.req, ASG_ACCEPTED, now, 0, &err),
                 TS_ECONFLICT);
    CHECK(strstr(err.msg, "already has an assignment on HIT H4") != NULL);
    CHECK_EQ_INT(add_asg(fx.st, "A2", "H2", fx.w[1], fx.req, ASG_ACCEPTED, now, 0, &err),
                 TS_ECONFLICT);

    struct avail av = {0};
    CHECK_EQ_INT(store_available_types(fx.st, fx.w[0], now, avail_cb, &av, &err), 0);
    CHECK_EQ_INT(av.n, 1);
    CHECK_EQ_STR(av.types[0], "T1");
    CHECK_EQ_INT(av.counts[0], 1);
    memset(&av, 0, sizeof av);
    CHECK_EQ_INT(store_available_types(fx.st, fx.w[1], now, avail_cb, &av, &err), 0);
    CHECK_EQ_INT(av.n, 0);
    memset(&av, 0, sizeof av);
    CHECK_EQ_INT(store_available_types(fx.st, fx.w[2], 3000, avail_cb, &av, &err), 0);
    CHECK_EQ_INT(av.n, 1);
    CHECK_EQ_INT(av.counts[0], 2);

    /* The hot path is one probe of the partial index, never a scan. */
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    int uses_index = 0;
    CHECK_EQ_INT(sqlite3_open(fx.path, &db), SQLITE_OK);
    CHECK_EQ_INT(sqlite3_prepare_v2(db,
                 "EXPLAIN QUERY PLAN SELECT id FROM hits WHERE hit_type_id = ?1 AND "
                 "is_gold = ?4 AND "
                 "disposed = 0 AND free > 0 AND expires_ms > ?3 AND NOT EXISTS (SELECT 1 "
                 "FROM assignments a WHERE a.hit_id = hits.id AND a.worker_id = ?2) "
                 "ORDER BY seq LIMIT 1", -1, &s, NULL), SQLITE_OK);
    while (sqlite3_step(s) == SQLITE_ROW) {
        const char *d = (const char *)sqlite3_column_text(s, 3);
        if (d && strstr(d, "USING INDEX hits_open"))
            uses_index = 1;
        CHECK(d && !strstr(d, "TEMP B-TREE"));
    }
    CHECK(uses_index);
    sqlite3_finalize(s);
    sqlite3_close(db);
    fx_close(&fx);
}

struct seen {
    char ids[16][STORE_ID_MAX];
    int n, stop_after;
};

static int hit_cb(void *ctx, const struct hit *h)
{
    struct seen *s = ctx;
    snprintf(s->ids[s->n++], STORE_ID_MAX, "%s", h->id);
    return s->stop_after && s->n >= s->stop_after;
}

static int asg_cb(void *ctx, const struct assignment *a)
{
    struct seen *s = ctx;
    snprintf(s->ids[s->n++], STORE_ID_MAX, "%s", a->id);
    return 0;
}

static int bonus_cb(void *ctx, const struct bonus *b)
{
    struct seen *s = ctx;
    snprintf(s->ids[s->n++], STORE_ID_MAX, "%s", b->id);
    return 0;
}

static void test_lists(void)
{
    struct fixture fx;
    struct ts_error err = {0};
    struct batch b = {0}, gotb;
    struct seen seen = {0};
    int64_t last = -1;
    int more = -1;
    char id[16];

    fx_open(&fx);
    fx_people(&fx);
    snprintf(b.id, sizeof b.id, "B1");
    snprintf(b.hit_type_id, sizeof b.hit_type_id, "T1");
    b.requester_id = fx.req;
    b.hits = 5;
    b.created_ms = 7;
    CHECK_EQ_INT(store_batch_insert(fx.st, &b, &err), 0);
    CHECK_EQ_INT(store_batch_insert(fx.st, &b, &err), TS_ECONFLICT);
    CHECK_EQ_INT(store_batch_get(fx.st, "B1", &gotb, &err), 0);
    CHECK_EQ_INT(gotb.hits, 5);
    CHECK_EQ_STR(gotb.hit_type_id, "T1");
    CHECK_EQ_STR(gotb.label_field, "");
    CHECK_EQ_STR(gotb.labels_json, "[]");
    store_batch_release(&gotb);
    CHECK_EQ_INT(store_batch_get(fx.st, "B2", &gotb, &err), TS_ENOTFOUND);

    add_hit(fx.st, "X0", "T1", "", fx.req, 1, 10000);
    for (int i = 1; i <= 5; i++) {
        snprintf(id, sizeof id, "B1H%d", i);
        add_hit(fx.st, id, "T1", "B1", fx.req, 1, 10000);
    }
    struct hit_filter f = {fx.req, NULL, "B1", HIT_LIST_LIVE, 5000, NULL};
    CHECK_EQ_INT(store_hit_list(fx.st, &f, 0, 2, hit_cb, &seen, &last, &more, &err), 0);
    CHECK_EQ_INT(seen.n, 2);
    CHECK_EQ_STR(seen.ids[0], "B1H1");
    CHECK_EQ_INT(more, 1);
    CHECK_EQ_INT(store_hit_list(fx.st, &f, last, 2, hit_cb, &seen, &last, &more, &err), 0);
    CHECK_EQ_INT(more, 1);
    CHECK_EQ_INT(store_hit_list(fx.st, &f, last, 2, hit_cb, &seen, &last, &more, &err), 0);
    CHECK_EQ_INT(seen.n, 5);
    CHECK_EQ_STR(seen.ids[4], "B1H5");
    CHECK_EQ_INT(more, 0);
    CHECK_EQ_INT(store_hit_list(fx.st, &f, last, 2, hit_cb, &seen, &last, &more, &err), 0);
    CHECK_EQ_INT(seen.n, 5);
    CHECK_EQ_INT(last, 0);
    CHECK_EQ_INT(more, 0);

    /* All of the requester's HITs; a callback that stops early. */
    memset(&seen, 0, sizeof seen);
    seen.stop_after = 3;
    f.batch_id = NULL;
    CHECK_EQ_INT(store_hit_list(fx.st, &f, 0, 10, hit_cb, &seen, &last, &more, &err), 0);
    CHECK_EQ_INT(seen.n, 3);
    CHECK_EQ_STR(seen.ids[0], "X0");
    CHECK_EQ_INT(more, 1);

    /* Reviewable: X0 full with nothing pending; B1H1 has a pending assignment. */
    CHECK_EQ_INT(add_asg(fx.st, "AX", "X0", fx.w[0], fx.req, ASG_SUBMITTED, 100, 200, &err), 0);
    set_counts(fx.st, "X0", 0, 1, 0, 120);
    CHECK_EQ_INT(add_asg(fx.st, "AB1", "B1H1", fx.w[0], fx.req, ASG_ACCEPTED, 100, 0, &err), 0);
    set_counts(fx.st, "B1H1", 1, 0, 0, 120);
    memset(&seen, 0, sizeof seen);
    f.mode = HIT_LIST_REVIEWABLE;
    CHECK_EQ_INT(store_hit_list(fx.st, &f, 0, 10, hit_cb, &seen, &last, &more, &err), 0);
    CHECK_EQ_INT(seen.n, 1);
    CHECK_EQ_STR(seen.ids[0], "X0");
    memset(&seen, 0, sizeof seen);
    f.now_ms = 20000; /* everything expired: all but B1H1 (pending) are reviewable */
    CHECK_EQ_INT(store_hit_list(fx.st, &f, 0, 10, hit_cb, &seen, &last, &more, &err), 0);
    CHECK_EQ_INT(seen.n, 5);

    /* Assignments by HIT, by worker, by batch, with a status mask. */
    CHECK_EQ_INT(add_asg(fx.st, "AB2", "B1H2", fx.w[0], fx.req, ASG_SUBMITTED, 100, 300, &err),
                 0);
    CHECK_EQ_INT(add_asg(fx.st, "AB3", "B1H3", fx.w[1], fx.req, ASG_ACCEPTED, 100, 0, &err), 0);
    struct asg_filter af = {NULL, NULL, fx.w[0], 0};
    memset(&seen, 0, sizeof seen);
    CHECK_EQ_INT(store_asg_list(fx.st, &af, 0, 2, asg_cb, &seen, &last, &more, &err), 0);
    CHECK_EQ_INT(seen.n, 2);
    CHECK_EQ_STR(seen.ids[0], "AX");
    CHECK_EQ_INT(more, 1);
    CHECK_EQ_INT(store_asg_list(fx.st, &af, last, 2, asg_cb, &seen, &last, &more, &err), 0);
    CHECK_EQ_INT(seen.n, 3);
    CHECK_EQ_STR(seen.ids[2], "AB2");
    CHECK_EQ_INT(more, 0);
    af = (struct asg_filter){NULL, "B1", 0, ASG_MASK(ASG_ACCEPTED)};
    memset(&seen, 0, sizeof seen);
    CHECK_EQ_INT(store_asg_list(fx.st, &af, 0, 10, asg_cb, &seen, &last, &more, &err), 0);
    CHECK_EQ_INT(seen.n, 2);
    CHECK_EQ_STR(seen.ids[0], "AB1");
    CHECK_EQ_STR(seen.ids[1], "AB3");
    af = (struct asg_filter){"X0", NULL, 0, 0};
    memset(&seen, 0, sizeof seen);
    CHECK_EQ_INT(store_asg_list(fx.st, &af, 0, 10, asg_cb, &seen, &last, &more, &err), 0);
    CHECK_EQ_INT(seen.n, 1);
    af = (struct asg_filter){"X0", "B1", 0, 0};
    CHECK_EQ_INT(store_asg_list(fx.st, &af, 0, 10, asg_cb, &seen, &last, &more, &err),
                 TS_EINVAL);

    /* Bonuses. */
    struct bonus bn = {0};
    snprintf(bn.id, sizeof bn.id, "BN1");
    bn.requester_id = fx.req;
    bn.worker_id = fx.w[0];
    snprintf(bn.assignment_id, sizeof bn.assignment_id, "AX");
    snprintf(bn.hit_id, sizeof bn.hit_id, "X0");
    bn.amount = 500;
    bn.fee = 100;
    bn.reason = (char *)"great work";
    CHECK_EQ_INT(store_bonus_insert(fx.st, &bn, &err), 0);
    CHECK_EQ_INT(store_bonus_insert(fx.st, &bn, &err), TS_ECONFLICT);
    snprintf(bn.id, sizeof bn.id, "BN2");
    snprintf(bn.assignment_id, sizeof bn.assignment_id, "AB2");
    snprintf(bn.hit_id, sizeof bn.hit_id, "B1H2");
    CHECK_EQ_INT(store_bonus_insert(fx.st, &bn, &err), 0);
    struct bonus_filter bf = {fx.req, NULL, NULL};
    memset(&seen, 0, sizeof seen);
    CHECK_EQ_INT(store_bonus_list(fx.st, &bf, 0, 1, bonus_cb, &seen, &last, &more, &err), 0);
    CHECK_EQ_INT(seen.n, 1);
    CHECK_EQ_INT(more, 1);
    bf.hit_id = "B1H2";
    memset(&seen, 0, sizeof seen);
    CHECK_EQ_INT(store_bonus_list(fx.st, &bf, 0, 10, bonus_cb, &seen, &last, &more, &err), 0);
    CHECK_EQ_INT(seen.n, 1);
    CHECK_EQ_STR(seen.ids[0], "BN2");

    struct worker_stats ws;
    CHECK_EQ_INT(store_worker_stats(fx.st, fx.w[0], &ws, &err), 0);
    CHECK_EQ_INT(ws.accepted, 3); /* ever accepted */
    CHECK_EQ_INT(ws.submitted, 2); /* ever submitted */
    CHECK_EQ_INT(ws.approved, 0);
    CHECK_EQ_INT(ws.bonuses, 1000);
    fx_close(&fx);
}

/* Quality columns: a batch's settings and labels, gold HITs apart in next_open, a HIT's
 * consensus, a worker's gold counts. */
static void test_quality_rows(void)
{
    struct fixture fx;
    struct ts_error err = {0};
    struct batch b = {0}, gotb;
    struct hit h, got;
    char id[STORE_ID_MAX];
    int64_t seen = -1, correct = -1;

    fx_open(&fx);
    fx_people(&fx);
    snprintf(b.id, sizeof b.id, "BQ");
    snprintf(b.hit_type_id, sizeof b.hit_type_id, "T1");
    snprintf(b.label_field, sizeof b.label_field, "label");
    b.requester_id = fx.req;
    b.gold_rate_ppm = 100000;
    b.min_assignments = 2;
    b.confidence_ppm = 950000;
    CHECK_EQ_INT(store_batch_insert(fx.st, &b, &err), 0);
    b.labels_json = (char *)"[\"cat\"]";
    CHECK_EQ_INT(store_batch_set_labels(fx.st, &b, &err), 0);
    CHECK_EQ_INT(store_batch_get(fx.st, "BQ", &gotb, &err), 0);
    CHECK_EQ_STR(gotb.label_field, "label");
    CHECK_EQ_INT(gotb.gold_rate_ppm, 100000);
    CHECK_EQ_INT(gotb.min_assignments, 2);
    CHECK_EQ_INT(gotb.confidence_ppm, 950000);
    CHECK_EQ_STR(gotb.labels_json, "[\"cat\"]");
    store_batch_release(&gotb);

    memset(&h, 0, sizeof h);
    snprintf(h.id, sizeof h.id, "G1");
    snprintf(h.hit_type_id, sizeof h.hit_type_id, "T1");
    snprintf(h.batch_id, sizeof h.batch_id, "BQ");
    h.requester_id = fx.req;
    h.question = (char *)"<q/>";
    h.gold = (char *)"cat";
    h.max_assignments = 1;
    h.overlap_max = 0;
    h.expires_ms = 10000;
    CHECK_EQ_INT(store_hit_insert(fx.st, &h, &err), 0);
    add_hit(fx.st, "N1", "T1", "BQ", fx.req, 1, 10000);
    /* The gold HIT comes first by seq, but each kind has its own probe. */
    CHECK_EQ_INT(store_hit_next_open(fx.st, "T1", fx.w[0], 5000, 0, id, &err), 0);
    CHECK_EQ_STR(id, "N1");
    CHECK_EQ_INT(store_hit_next_open(fx.st, "T1", fx.w[0], 5000, 1, id, &err), 0);
    CHECK_EQ_STR(id, "G1");

    CHECK_EQ_INT(store_hit_get(fx.st, "N1", &got, &err), 0);
    CHECK(got.gold == NULL && got.consensus == NULL);
    got.consensus = xstrdup("dog");
    got.confidence = 0.75;
    CHECK_EQ_INT(store_hit_set_consensus(fx.st, &got, &err), 0);
    store_hit_release(&got);
    CHECK_EQ_INT(store_hit_get(fx.st, "N1", &got, &err), 0);
    CHECK_EQ_STR(got.consensus, "dog");
    CHECK(got.confidence == 0.75);
    store_hit_release(&got);
    CHECK_EQ_INT(store_hit_get(fx.st, "G1", &got, &err), 0);
    CHECK_EQ_STR(got.gold, "cat");
    store_hit_release(&got);

    CHECK_EQ_INT(store_worker_gold_get(fx.st, "BQ", fx.w[0], &seen, &correct, &err), 0);
    CHECK(seen == 0 && correct == 0);
    CHECK_EQ_INT(store_worker_gold_add(fx.st, "BQ", fx.w[0], 1, &err), 0);
    CHECK_EQ_INT(store_worker_gold_add(fx.st, "BQ", fx.w[0], 0, &err), 0);
    CHECK_EQ_INT(store_worker_gold_get(fx.st, "BQ", fx.w[0], &seen, &correct, &err), 0);
    CHECK(seen == 2 && correct == 1);
    fx_close(&fx);
}

static int count_block(void *ctx, int64_t worker_id, const char *reason)
{
    (void)worker_id;
    (void)reason;
    (*(int *)ctx)++;
    return 0;
}

/* Pseudonyms remembered per requester; a block hides the requester's HITs from the
 * worker, and only from that worker. */
static void test_blocks(void)
{
    struct fixture fx;
    struct ts_error err = {0};
    char id[STORE_ID_MAX], *reason = NULL;
    int64_t w = 0, last = 0;
    int n = 0, more = 0;

    fx_open(&fx);
    fx_people(&fx);
    CHECK_EQ_INT(store_pseudonym_note(fx.st, fx.req, "AP1", fx.w[0], &err), 0);
    CHECK_EQ_INT(store_pseudonym_note(fx.st, fx.req, "AP1", fx.w[0], &err), 0);
    CHECK_EQ_INT(store_pseudonym_find(fx.st, fx.req, "AP1", &w, &err), 0);
    CHECK_EQ_INT(w, fx.w[0]);
    CHECK_EQ_INT(store_pseudonym_find(fx.st, fx.req + 1, "AP1", &w, &err), TS_ENOTFOUND);

    add_hit(fx.st, "HB1", "T1", "", fx.req, 2, 10000);
    CHECK_EQ_INT(store_block_get(fx.st, fx.req, fx.w[0], &reason, &err), TS_ENOTFOUND);
    CHECK_EQ_INT(store_block_put(fx.st, fx.req, fx.w[0], "spam", 5, &err), 0);
    CHECK_EQ_INT(store_block_put(fx.st, fx.req, fx.w[0], "spam answers", 6, &err), 0);
    CHECK_EQ_INT(store_block_get(fx.st, fx.req, fx.w[0], &reason, &err), 0);
    CHECK_EQ_STR(reason, "spam answers");
    free(reason);
    CHECK_EQ_INT(store_hit_next_open(fx.st, "T1", fx.w[0], 5000, 0, id, &err), TS_ENOTFOUND);
    CHECK_EQ_INT(store_hit_next_open(fx.st, "T1", fx.w[1], 5000, 0, id, &err), 0);
    CHECK_EQ_INT(store_block_list(fx.st, fx.req, 0, 10, count_block, &n, &last, &more, &err), 0);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(more, 0);
    CHECK_EQ_INT(store_block_delete(fx.st, fx.req, fx.w[0], &err), 0);
    CHECK_EQ_INT(store_block_delete(fx.st, fx.req, fx.w[0], &err), TS_ENOTFOUND);
    CHECK_EQ_INT(store_hit_next_open(fx.st, "T1", fx.w[0], 5000, 0, id, &err), 0);
    fx_close(&fx);
}

static int count_qt(void *ctx, const struct qual_type *q)
{
    (void)q;
    (*(int *)ctx)++;
    return 0;
}

static int count_q(void *ctx, const struct qual *q)
{
    (void)q;
    (*(int *)ctx)++;
    return 0;
}

/* A requester's qualification types (unique by name among those not deleted) and scores. */
static void test_qual_types(void)
{
    struct fixture fx;
    struct ts_error err = {0};
    struct qual_type q = {0}, got;
    struct qual sc = {0}, gsc;
    int64_t last = 0;
    int n = 0, more = 0;

    fx_open(&fx);
    fx_people(&fx);
    snprintf(q.id, sizeof q.id, "QT1");
    q.requester_id = fx.req;
    q.name = (char *)"Birds";
    q.description = (char *)"Knows birds";
    q.keywords = (char *)"ornithology";
    q.active = 1;
    q.auto_value = 1;
    CHECK_EQ_INT(store_qual_type_insert(fx.st, &q, &err), 0);
    snprintf(q.id, sizeof q.id, "QT2");
    CHECK_EQ_INT(store_qual_type_insert(fx.st, &q, &err), TS_ECONFLICT); /* same name */
    CHECK_EQ_INT(store_qual_type_get(fx.st, "QT1", &got, &err), 0);
    CHECK_EQ_STR(got.name, "Birds");
    CHECK_EQ_INT(got.active, 1);
    got.deleted = 1;
    CHECK_EQ_INT(store_qual_type_update(fx.st, &got, &err), 0);
    store_qual_type_release(&got);
    CHECK_EQ_INT(store_qual_type_insert(fx.st, &q, &err), 0); /* the name is free again */
    CHECK_EQ_INT(store_qual_type_list(fx.st, fx.req, "ornith", 0, 10, count_qt, &n, &last,
                                      &more, &err), 0);
    CHECK_EQ_INT(n, 1); /* QT2 only: QT1 is deleted */
    n = 0;
    CHECK_EQ_INT(store_qual_type_list(fx.st, fx.req, "nothing", 0, 10, count_qt, &n, &last,
                                      &more, &err), 0);
    CHECK_EQ_INT(n, 0);

    snprintf(sc.type_id, sizeof sc.type_id, "QT2");
    sc.worker_id = fx.w[0];
    sc.value = 90;
    sc.granted = 1;
    CHECK_EQ_INT(store_qual_put(fx.st, &sc, &err), 0);
    sc.granted = 0;
    CHECK_EQ_INT(store_qual_put(fx.st, &sc, &err), 0);
    CHECK_EQ_INT(store_qual_get(fx.st, "QT2", fx.w[0], &gsc, &err), 0);
    CHECK(gsc.value == 90 && gsc.granted == 0);
    CHECK_EQ_INT(store_qual_get(fx.st, "QT2", fx.w[1], &gsc, &err), TS_ENOTFOUND);
    n = 0;
    CHECK_EQ_INT(store_qual_list(fx.st, "QT2", 1, 0, 10, count_q, &n, &last, &more, &err), 0);
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_INT(store_qual_list(fx.st, "QT2", -1, 0, 10, count_q, &n, &last, &more, &err), 0);
    CHECK_EQ_INT(n, 1);
    fx_close(&fx);
}

static void test_due_and_median(void)
{
    struct fixture fx;
    struct ts_error err = {0};
    struct assignment a;
    char ids[4][STORE_ID_MAX];
    int n = -1;
    int64_t median = -1, count = -1;

    fx_open(&fx);
    fx_people(&fx);
    add_hit(fx.st, "H1", "T1", "", fx.req, 5, 10000);
    add_hit(fx.st, "H2", "T1", "", fx.req, 1, 3000);
    add_hit(fx.st, "H3", "T1", "", fx.req, 1, 2000);

    CHECK_EQ_INT(store_hit_due_expiry(fx.st, 2500, ids, 4, &n, &err), 0);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_STR(ids[0], "H3");
    CHECK_EQ_INT(store_hit_due_expiry(fx.st, 5000, ids, 1, &n, &err), 0);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_STR(ids[0], "H3");
    CHECK_EQ_INT(store_hit_due_expiry(fx.st, 5000, ids, 4, &n, &err), 0);
    CHECK_EQ_INT(n, 2);

    CHECK_EQ_INT(store_type_median_work_ms(fx.st, "T1", &median, &count, &err), 0);
    CHECK_EQ_INT(count, 0);
    CHECK_EQ_INT(median, 0);
    /* Work times 40, 10, 30, 20 (submitted), and one still accepted. */
    CHECK_EQ_INT(add_asg(fx.st, "A0", "H1", fx.w[0], fx.req, ASG_SUBMITTED, 1000, 1040, &err),
                 0);
    CHECK_EQ_INT(add_asg(fx.st, "A1", "H1", fx.w[1], fx.req, ASG_SUBMITTED, 1000, 1010, &err),
                 0);
    CHECK_EQ_INT(add_asg(fx.st, "A2", "H1", fx.w[2], fx.req, ASG_SUBMITTED, 1000, 1030, &err),
                 0);
    CHECK_EQ_INT(add_asg(fx.st, "A3", "H1", fx.w[3], fx.req, ASG_SUBMITTED, 1000, 1020, &err),
                 0);
    CHECK_EQ_INT(add_asg(fx.st, "A4", "H1", fx.w[4], fx.req, ASG_ACCEPTED, 1000, 0, &err), 0);
    CHECK_EQ_INT(store_type_median_work_ms(fx.st, "T1", &median, &count, &err), 0);
    CHECK_EQ_INT(count, 4);
    CHECK_EQ_INT(median, 25);
    CHECK_EQ_INT(store_asg_get(fx.st, "A3", &a, &err), 0);
    a.status = ASG_APPROVED;
    a.submitted_ms = 1100; /* 100 */
    a.approved_ms = 2000;
    a.feedback = (char *)"thanks";
    CHECK_EQ_INT(store_asg_update(fx.st, &a, &err), 0);
    CHECK_EQ_INT(store_asg_get(fx.st, "A3", &a, &err), 0);
    CHECK_EQ_INT(a.status, ASG_APPROVED);
    CHECK_EQ_STR(a.feedback, "thanks");
    CHECK(a.answer_json == NULL);
    store_asg_release(&a);
    CHECK_EQ_INT(store_asg_get(fx.st, "A9", &a, &err), TS_ENOTFOUND);
    CHECK_EQ_STR(err.msg, "assignment A9 does not exist");
    CHECK_EQ_INT(store_type_median_work_ms(fx.st, "T1", &median, &count, &err), 0);
    CHECK_EQ_INT(count, 4);
    CHECK_EQ_INT(median, 35); /* 10 30 | 40 100 */
    CHECK_EQ_INT(add_asg(fx.st, "A5", "H2", fx.w[0], fx.req, ASG_REJECTED, 1000, 1500, &err), 0);
    CHECK_EQ_INT(store_type_median_work_ms(fx.st, "T1", &median, &count, &err), 0);
    CHECK_EQ_INT(count, 5);
    CHECK_EQ_INT(median, 40);

    /* Deadlines: accepted at 1000 + 600000; auto-approval at submitted + 3600000. */
    CHECK_EQ_INT(store_asg_due(fx.st, ASG_DUE_DEADLINE, 600999, ids, 4, &n, &err), 0);
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_INT(store_asg_due(fx.st, ASG_DUE_DEADLINE, 601000, ids, 4, &n, &err), 0);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_STR(ids[0], "A4");
    /* A1 at 3601010, A2 at 3601030, A0 at 3601040; A3 is approved already. */
    CHECK_EQ_INT(store_asg_due(fx.st, ASG_DUE_APPROVAL, 3601035, ids, 4, &n, &err), 0);
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_STR(ids[0], "A1");
    CHECK_EQ_STR(ids[1], "A2");

    struct worker_stats ws;
    CHECK_EQ_INT(store_worker_stats(fx.st, fx.w[3], &ws, &err), 0);
    CHECK_EQ_INT(ws.approved, 1);
    CHECK_EQ_INT(ws.approved_work_ms, 100);
    CHECK_EQ_INT(ws.approved_reward, 100);
    CHECK_EQ_INT(ws.bonuses, 0);
    fx_close(&fx);
}

struct reports {
    int n;
    char last[512];
    int mentions_journal, mentions_hit;
};

static void report_cb(void *ctx, const char *msg)
{
    struct reports *r = ctx;
    r->n++;
    snprintf(r->last, sizeof r->last, "%s", msg);
    if (strstr(msg, "ledger account"))
        r->mentions_journal = 1;
    if (strstr(msg, "HIT H1"))
        r->mentions_hit = 1;
}

static void post(struct store *st, const char *kind, const char *ref, int64_t from, int64_t to,
                 int64_t amount)
{
    struct ts_error err = {0};
    struct posting p[2] = {{from, -amount}, {to, amount}};
    struct journal_entry e = {kind, ref, 100, p, 2};
    CHECK_EQ_INT(store_journal_insert(st, &e, NULL, &err), 0);
}

static void test_check(void)
{
    struct fixture fx;
    struct ts_error err = {0};
    struct reports rep = {0};
    struct assignment a;
    int violations = -1;
    int64_t ext, avail, escrow, earn, fees;

    fx_open(&fx);
    fx_people(&fx);
    CHECK_EQ_INT(store_check(fx.st, report_cb, &rep, &violations, &err), 0);
    CHECK_EQ_INT(violations, 0);

    /* A consistent story: deposit, escrow for a 2-slot HIT, one approved assignment. */
    CHECK_EQ_INT(store_begin(fx.st, &err), 0);
    CHECK_EQ_INT(store_ledger_account(fx.st, 0, LEDGER_EXTERNAL, &ext, &err), 0);
    CHECK_EQ_INT(store_ledger_account(fx.st, fx.req, LEDGER_AVAILABLE, &avail, &err), 0);
    CHECK_EQ_INT(store_ledger_account(fx.st, fx.req, LEDGER_ESCROW, &escrow, &err), 0);
    CHECK_EQ_INT(store_ledger_account(fx.st, fx.w[0], LEDGER_EARNINGS, &earn, &err), 0);
    CHECK_EQ_INT(store_ledger_account(fx.st, 0, LEDGER_FEES, &fees, &err), 0);
    post(fx.st, "deposit", "", ext, avail, 1000);
    add_hit(fx.st, "H1", "T1", "", fx.req, 2, 10000);
    post(fx.st, "escrow", "H1", avail, escrow, 240);
    CHECK_EQ_INT(add_asg(fx.st, "A1", "H1", fx.w[0], fx.req, ASG_ACCEPTED, 100, 0, &err), 0);
    CHECK_EQ_INT(store_asg_get(fx.st, "A1", &a, &err), 0);
    a.status = ASG_APPROVED;
    a.submitted_ms = 200;
    a.approved_ms = 300;
    CHECK_EQ_INT(store_asg_update(fx.st, &a, &err), 0);
    store_asg_release(&a);
    post(fx.st, "pay", "A1", escrow, earn, 100);
    post(fx.st, "fee", "A1", escrow, fees, 20);
    set_counts(fx.st, "H1", 0, 0, 1, 120);
    CHECK_EQ_INT(store_worker_count_add(fx.st, fx.w[0], 1, 0, &err), 0);
    CHECK_EQ_INT(store_commit(fx.st, &err), 0);
    CHECK_EQ_INT(store_check(fx.st, report_cb, &rep, &violations, &err), 0);
    CHECK_EQ_INT(violations, 0);
    if (violations)
        fprintf(stderr, "unexpected: %s\n", rep.last);

    /* Corrupt a balance and a HIT count behind the store's back. */
    sqlite3 *db = NULL;
    CHECK_EQ_INT(sqlite3_open(fx.path, &db), SQLITE_OK);
    CHECK_EQ_INT(sqlite3_exec(db, "UPDATE ledger_accounts SET balance = balance + 5 "
                              "WHERE kind = 4", NULL, NULL, NULL), SQLITE_OK);
    CHECK_EQ_INT(store_check(fx.st, report_cb, &rep, &violations, &err), 0);
    CHECK_EQ_INT(violations, 2); /* balance vs postings, and the total */
    CHECK(rep.mentions_journal);
    CHECK_EQ_STR(rep.last, "the ledger balances sum to 5, not 0");
    CHECK_EQ_INT(sqlite3_exec(db, "UPDATE ledger_accounts SET balance = balance - 5 "
                              "WHERE kind = 4; UPDATE hits SET pending = 1 WHERE id = 'H1'",
                              NULL, NULL, NULL), SQLITE_OK);
    memset(&rep, 0, sizeof rep);
    CHECK_EQ_INT(store_check(fx.st, report_cb, &rep, &violations, &err), 0);
    CHECK_EQ_INT(violations, 1); /* the counts (escrow 120 * (1 + 0) still agrees) */
    CHECK(rep.mentions_hit);
    CHECK_EQ_INT(sqlite3_exec(db, "UPDATE hits SET pending = 0 WHERE id = 'H1'; "
                              "UPDATE assignments SET status = 2 WHERE id = 'A1'",
                              NULL, NULL, NULL), SQLITE_OK);
    memset(&rep, 0, sizeof rep);
    CHECK_EQ_INT(store_check(fx.st, report_cb, &rep, &violations, &err), 0);
    CHECK_EQ_INT(violations, 3); /* paid while Submitted; HIT counts; worker counts */
    sqlite3_close(db);
    fx_close(&fx);
}

/* Credentials that end (schema v16): expiry, sliding only forward, revocation by id only
 * for the owner (or anyone: account 0), listing without the expired, pruning. */
static int count_tok(void *ctx, const struct token_info *t)
{
    (void)t;
    (*(int *)ctx)++;
    return 0;
}

static int count_key(void *ctx, const struct access_key_info *k)
{
    (void)k;
    (*(int *)ctx)++;
    return 0;
}

static void test_credentials(void)
{
    struct fixture fx;
    struct ts_error err = {0};
    struct account a = {0}, b = {0};
    unsigned char h1[32], h2[32], h3[32], box[40];
    char id1[STORE_TOKEN_ID_MAX], id2[STORE_TOKEN_ID_MAX], id3[STORE_TOKEN_ID_MAX];
    int64_t who = 0, exp = 0;
    int sliding = -1, n = 0, pruned = 0;

    fx_open(&fx);
    a.role = b.role = ROLE_REQUESTER;
    snprintf(a.name, sizeof a.name, "a");
    snprintf(b.name, sizeof b.name, "b");
    CHECK_EQ_INT(store_account_insert(fx.st, &a, &err), 0);
    CHECK_EQ_INT(store_account_insert(fx.st, &b, &err), 0);
    memset(h1, 1, 32);
    memset(h2, 2, 32);
    memset(h3, 3, 32);
    CHECK_EQ_INT(store_token_insert_expiring(fx.st, h1, a.id, 10, 1000, 1, id1, &err), 0);
    CHECK_EQ_INT(store_token_insert_expiring(fx.st, h2, a.id, 20, 500, 0, id2, &err), 0);
    CHECK_EQ_INT(store_token_insert_expiring(fx.st, h3, b.id, 30, 0, 1, id3, &err), 0);
    CHECK_EQ_STR(id1, "tk0101010101010101");
    CHECK_EQ_INT(store_token_find(fx.st, h1, &who, &exp, &sliding, &err), 0);
    CHECK_EQ_INT(who, a.id);
    CHECK_EQ_INT(exp, 1000);
    CHECK_EQ_INT(sliding, 1);
    /* Moves on, never back; a fixed or endless token does not move. */
    CHECK_EQ_INT(store_token_extend(fx.st, h1, 2000, &err), 0);
    CHECK_EQ_INT(store_token_extend(fx.st, h1, 1500, &err), 0);
    CHECK_EQ_INT(store_token_extend(fx.st, h2, 2000, &err), 0);
    CHECK_EQ_INT(store_token_extend(fx.st, h3, 2000, &err), 0);
    CHECK_EQ_INT(store_token_find(fx.st, h1, &who, &exp, &sliding, &err), 0);
    CHECK_EQ_INT(exp, 2000);
    CHECK_EQ_INT(store_token_find(fx.st, h2, &who, &exp, &sliding, &err), 0);
    CHECK_EQ_INT(exp, 500);
    CHECK_EQ_INT(sliding, 0);
    CHECK_EQ_INT(store_token_find(fx.st, h3, &who, &exp, &sliding, &err), 0);
    CHECK_EQ_INT(exp, 0);
    CHECK_EQ_INT(sliding, 0);
    /* Listing leaves out the expired. */
    CHECK_EQ_INT(store_token_list(fx.st, a.id, 100, 10, count_tok, &n, &err), 0);
    CHECK_EQ_INT(n, 2);
    n = 0;
    CHECK_EQ_INT(store_token_list(fx.st, a.id, 600, 10, count_tok, &n, &err), 0);
    CHECK_EQ_INT(n, 1);
    /* b cannot revoke a's token; a can; nobody twice. */
    CHECK_EQ_INT(store_token_revoke(fx.st, b.id, id1, &err), TS_ENOTFOUND);
    CHECK_EQ_INT(store_token_find(fx.st, h1, &who, &exp, &sliding, &err), 0);
    CHECK_EQ_INT(store_token_revoke(fx.st, a.id, id1, &err), 0);
    CHECK_EQ_INT(store_token_revoke(fx.st, 0, id1, &err), TS_ENOTFOUND);
    CHECK_EQ_INT(store_token_find(fx.st, h1, &who, &exp, &sliding, &err), TS_ENOTFOUND);
    CHECK_EQ_INT(store_token_delete_hash(fx.st, h3, &err), 0);
    CHECK_EQ_INT(store_token_delete_hash(fx.st, h3, &err), TS_ENOTFOUND);
    /* Pruning takes the expired only. */
    CHECK_EQ_INT(store_token_prune(fx.st, 499, 10, &pruned, &err), 0);
    CHECK_EQ_INT(pruned, 0);
    CHECK_EQ_INT(store_token_prune(fx.st, 500, 10, &pruned, &err), 0);
    CHECK_EQ_INT(pruned, 1);
    /* Access keys. */
    memset(box, 9, sizeof box);
    CHECK_EQ_INT(store_access_key_insert(fx.st, "AKA", a.id, box, 40, 1, &err), 0);
    CHECK_EQ_INT(store_access_key_insert(fx.st, "AKB", b.id, box, 40, 1, &err), 0);
    n = 0;
    CHECK_EQ_INT(store_access_key_list(fx.st, a.id, 10, count_key, &n, &err), 0);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(store_access_key_revoke(fx.st, a.id, "AKB", &err), TS_ENOTFOUND);
    CHECK_EQ_INT(store_access_key_revoke(fx.st, b.id, "AKB", &err), 0);
    CHECK_EQ_INT(store_access_key_revoke(fx.st, 0, "AKA", &err), 0);
    n = 0;
    CHECK_EQ_INT(store_access_key_list(fx.st, a.id, 10, count_key, &n, &err), 0);
    CHECK_EQ_INT(n, 0);
    fx_close(&fx);
}

CHECK_MAIN(test_credentials, test_open_migrate, test_migrate_from_v1, test_transactions, test_accounts,
           test_ledger, test_hit_types, test_hit_roundtrip, test_next_open, test_lists,
           test_quality_rows, test_blocks, test_qual_types, test_due_and_median, test_check)
