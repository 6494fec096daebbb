/* test_store_contract.c: the store contract (store.h) as any backend must keep it. It
 * uses store.h alone, never the engine, so a second backend runs it unchanged: with
 * TESSERA_TEST_STORE set to a connection string (e.g. "postgres://.../tessera_test") every
 * case opens that database; without it each case opens a new SQLite file under /tmp.
 * Every case names its own accounts, HIT types and HITs after a tag of its own, so the
 * cases do not depend on each other or on their order, on a fresh database or a shared
 * one. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "../../check.h"
#include "util/banned.h"

struct cx {
    char path[64];    /* the temp file, when the case made one */
    struct store *st;
    char tag[24];     /* unique to the case: prefixes every name and id it makes */
    int64_t req, w[3];
};

static int cx_serial;

static void cx_open(struct cx *c)
{
    const char *conninfo = getenv("TESSERA_TEST_STORE");
    struct ts_error err = {0};

    memset(c, 0, sizeof *c);
    snprintf(c->tag, sizeof c->tag, "c%ld_%d", (long)getpid(), ++cx_serial);
    if (!conninfo || !conninfo[0]) {
        int fd;
        snprintf(c->path, sizeof c->path, "/tmp/ts_contract_XXXXXX");
        fd = mkstemp(c->path);
        CHECK(fd >= 0);
        if (fd >= 0)
            close(fd);
        conninfo = c->path;
    }
    CHECK_EQ_INT(store_open(conninfo, &c->st, &err), 0);
    if (!c->st) {
        fprintf(stderr, "store_open: %s\n", err.msg);
        exit(1);
    }
}

static void cx_close(struct cx *c)
{
    char p[80];

    store_close(c->st);
    c->st = NULL;
    if (!c->path[0])
        return;
    unlink(c->path);
    snprintf(p, sizeof p, "%s-wal", c->path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", c->path);
    unlink(p);
}

/* name = tag + suffix, in buf. */
static const char *nm(const struct cx *c, char *buf, size_t cap, const char *suffix)
{
    snprintf(buf, cap, "%s%s", c->tag, suffix);
    return buf;
}

static int64_t cx_account(struct cx *c, const char *suffix, int role)
{
    struct account a = {0};
    struct ts_error err = {0};

    nm(c, a.name, sizeof a.name, suffix);
    a.role = role;
    a.created_ms = 1000;
    CHECK_EQ_INT(store_account_insert(c->st, &a, &err), 0);
    CHECK(a.id > 0);
    return a.id;
}

/* A requester, three workers and the HIT type tag+"T" (reward 100, 600 s). */
static void cx_people(struct cx *c)
{
    struct hit_type t = {0};
    struct ts_error err = {0};

    c->req = cx_account(c, "req", ROLE_REQUESTER);
    c->w[0] = cx_account(c, "w0", ROLE_WORKER);
    c->w[1] = cx_account(c, "w1", ROLE_WORKER);
    c->w[2] = cx_account(c, "w2", ROLE_WORKER);
    nm(c, t.id, sizeof t.id, "T");
    t.requester_id = c->req;
    t.title = (char *)"Label images";
    t.description = (char *)"Say what is in the picture";
    t.keywords = (char *)"image";
    t.quals_json = (char *)"[]";
    t.reward = 100;
    t.duration_s = 600;
    t.auto_approval_s = 3600;
    t.created_ms = 1000;
    CHECK_EQ_INT(store_hit_type_insert(c->st, &t, &err), 0);
}

/* HIT tag+suffix of type tag+"T": max slots, expiring at 10^7 ms; gold when gold. */
static int64_t cx_hit(struct cx *c, const char *suffix, int64_t max, const char *gold)
{
    struct hit h = {0};
    struct ts_error err = {0};

    nm(c, h.id, sizeof h.id, suffix);
    nm(c, h.hit_type_id, sizeof h.hit_type_id, "T");
    h.requester_id = c->req;
    h.question = (char *)"<QuestionForm/>";
    h.reward = 100;
    h.fee = 20;
    h.max_assignments = max;
    h.created_ms = 1000;
    h.expires_ms = 10000000;
    h.escrow = 120 * max;
    h.gold = (char *)gold;
    CHECK_EQ_INT(store_hit_insert(c->st, &h, &err), 0);
    return h.seq;
}

static int64_t balance(struct store *st, int64_t ledger_id)
{
    struct ts_error err = {0};
    int64_t b = -1;

    CHECK_EQ_INT(store_ledger_balance(st, ledger_id, &b, &err), 0);
    return b;
}

/* ---- Opening and transactions ------------------------------------------------------- */

static void test_open(void)
{
    struct store *st = NULL;
    struct ts_error err = {0};
    struct cx c;

    CHECK_EQ_INT(store_open("", &st, &err), TS_EINVAL);
    CHECK(st == NULL);
    CHECK(err.msg[0] != '\0');
    cx_open(&c);
    CHECK(store_schema_version(c.st) > 0);
    CHECK_EQ_INT(store_in_transaction(c.st), 0);
    cx_close(&c);
}

static void test_transactions(void)
{
    struct cx c;
    struct ts_error err = {0};
    struct account a;
    char name[64];

    cx_open(&c);
    /* Rolled back: gone. */
    CHECK_EQ_INT(store_begin(c.st, &err), 0);
    CHECK_EQ_INT(store_in_transaction(c.st), 1);
    cx_account(&c, "gone", ROLE_WORKER);
    store_rollback(c.st);
    CHECK_EQ_INT(store_in_transaction(c.st), 0);
    CHECK_EQ_INT(store_account_by_name(c.st, nm(&c, name, sizeof name, "gone"), &a, &err),
                 TS_ENOTFOUND);

    /* A savepoint undoes only itself; they nest. */
    CHECK_EQ_INT(store_begin(c.st, &err), 0);
    cx_account(&c, "kept", ROLE_WORKER);
    CHECK_EQ_INT(store_savepoint(c.st, &err), 0);
    cx_account(&c, "inner", ROLE_WORKER);
    CHECK_EQ_INT(store_savepoint(c.st, &err), 0);
    cx_account(&c, "innermost", ROLE_WORKER);
    store_savepoint_rollback(c.st);
    CHECK_EQ_INT(store_savepoint_release(c.st, &err), 0);
    CHECK_EQ_INT(store_savepoint(c.st, &err), 0);
    cx_account(&c, "undone", ROLE_WORKER);
    store_savepoint_rollback(c.st);
    CHECK_EQ_INT(store_end(c.st, 0, &err), 0);
    CHECK_EQ_INT(store_account_by_name(c.st, nm(&c, name, sizeof name, "kept"), &a, &err), 0);
    CHECK_EQ_INT(store_account_by_name(c.st, nm(&c, name, sizeof name, "inner"), &a, &err), 0);
    CHECK_EQ_INT(store_account_by_name(c.st, nm(&c, name, sizeof name, "innermost"), &a, &err),
                 TS_ENOTFOUND);
    CHECK_EQ_INT(store_account_by_name(c.st, nm(&c, name, sizeof name, "undone"), &a, &err),
                 TS_ENOTFOUND);

    /* store_end with a failure rolls back and returns it. */
    CHECK_EQ_INT(store_begin(c.st, &err), 0);
    cx_account(&c, "failed", ROLE_WORKER);
    CHECK_EQ_INT(store_end(c.st, TS_ECONFLICT, &err), TS_ECONFLICT);
    CHECK_EQ_INT(store_in_transaction(c.st), 0);
    CHECK_EQ_INT(store_account_by_name(c.st, nm(&c, name, sizeof name, "failed"), &a, &err),
                 TS_ENOTFOUND);
    cx_close(&c);
}

/* ---- The main types ------------------------------------------------------------------ */

static void test_accounts_and_meta(void)
{
    struct cx c;
    struct ts_error err = {0};
    struct account a = {0}, got;
    char key[64], val[16];

    cx_open(&c);
    nm(&c, a.name, sizeof a.name, "alice");
    a.role = ROLE_WORKER;
    snprintf(a.country, sizeof a.country, "DE");
    a.created_ms = 5;
    CHECK_EQ_INT(store_account_insert(c.st, &a, &err), 0);
    CHECK_EQ_INT(store_account_insert(c.st, &a, &err), TS_ECONFLICT);
    CHECK_EQ_INT(store_account_get(c.st, a.id, &got, &err), 0);
    CHECK_EQ_STR(got.name, a.name);
    CHECK_EQ_STR(got.country, "DE");
    CHECK_EQ_INT(got.role, ROLE_WORKER);
    snprintf(a.country, sizeof a.country, "FR");
    a.adult = 1;
    CHECK_EQ_INT(store_account_profile_set(c.st, &a, &err), 0);
    CHECK_EQ_INT(store_account_by_name(c.st, a.name, &got, &err), 0);
    CHECK_EQ_STR(got.country, "FR");
    CHECK_EQ_INT(got.adult, 1);
    CHECK_EQ_INT(store_account_get(c.st, a.id + 1000000, &got, &err), TS_ENOTFOUND);

    nm(&c, key, sizeof key, "setting");
    CHECK_EQ_INT(store_meta_get(c.st, key, val, sizeof val, &err), TS_ENOTFOUND);
    CHECK_EQ_INT(store_meta_set(c.st, key, "one", &err), 0);
    CHECK_EQ_INT(store_meta_set(c.st, key, "two", &err), 0);
    CHECK_EQ_INT(store_meta_get(c.st, key, val, sizeof val, &err), 0);
    CHECK_EQ_STR(val, "two");
    cx_close(&c);
}

static void test_hits_and_assignments(void)
{
    struct cx c;
    struct ts_error err = {0};
    struct hit h;
    struct hit_type t;
    struct assignment a = {0}, got;
    char id[64], tid[STORE_ID_MAX];

    cx_open(&c);
    cx_people(&c);
    CHECK_EQ_INT(store_hit_type_get(c.st, nm(&c, id, sizeof id, "T"), &t, &err), 0);
    CHECK_EQ_STR(t.title, "Label images");
    CHECK_EQ_INT(t.reward, 100);
    CHECK_EQ_INT(store_hit_type_find(c.st, &t, tid, &err), 0);
    CHECK_EQ_STR(tid, id);
    store_hit_type_release(&t);

    cx_hit(&c, "H", 2, NULL);
    CHECK_EQ_INT(store_hit_get(c.st, nm(&c, id, sizeof id, "H"), &h, &err), 0);
    CHECK_EQ_INT(h.max_assignments, 2);
    CHECK(h.question == NULL); /* without its texts */
    CHECK_EQ_INT(store_hit_load_texts(c.st, &h, &err), 0);
    CHECK_EQ_STR(h.question, "<QuestionForm/>");
    h.reviewing = 1;
    CHECK_EQ_INT(store_hit_update(c.st, &h, &err), 0);
    CHECK_EQ_INT(store_hit_add_max(c.st, h.id, 1, 1000, &err), 0);
    store_hit_release(&h);
    CHECK_EQ_INT(store_hit_get(c.st, id, &h, &err), 0);
    CHECK_EQ_INT(h.max_assignments, 3);
    CHECK_EQ_INT(h.reviewing, 1);
    store_hit_release(&h);
    CHECK_EQ_INT(store_hit_get(c.st, nm(&c, id, sizeof id, "none"), &h, &err), TS_ENOTFOUND);

    nm(&c, a.id, sizeof a.id, "A");
    nm(&c, a.hit_id, sizeof a.hit_id, "H");
    nm(&c, a.hit_type_id, sizeof a.hit_type_id, "T");
    a.worker_id = c.w[0];
    a.requester_id = c.req;
    a.status = ASG_ACCEPTED;
    a.accepted_ms = 2000;
    a.deadline_ms = 602000;
    CHECK_EQ_INT(store_asg_insert(c.st, &a, &err), 0);
    CHECK(a.seq > 0);
    /* A worker holds one assignment of a HIT at most. */
    nm(&c, a.id, sizeof a.id, "A2");
    CHECK_EQ_INT(store_asg_insert(c.st, &a, &err), TS_ECONFLICT);
    CHECK_EQ_INT(store_asg_get(c.st, nm(&c, id, sizeof id, "A"), &got, &err), 0);
    CHECK_EQ_INT(got.status, ASG_ACCEPTED);
    CHECK_EQ_INT(got.worker_id, c.w[0]);
    got.status = ASG_SUBMITTED;
    got.submitted_ms = 3000;
    got.answer_json = (char *)"{\"label\":\"cat\"}";
    CHECK_EQ_INT(store_asg_update(c.st, &got, &err), 0);
    CHECK_EQ_INT(store_asg_get(c.st, id, &got, &err), 0);
    CHECK_EQ_INT(got.status, ASG_SUBMITTED);
    CHECK_EQ_STR(got.answer_json, "{\"label\":\"cat\"}");
    store_asg_release(&got);
    cx_close(&c);
}

/* ---- Counters by deltas ---------------------------------------------------------------- */

static void test_counter_deltas(void)
{
    struct cx c;
    struct ts_error err = {0};
    struct hit h;
    char id[64];

    cx_open(&c);
    cx_people(&c);
    cx_hit(&c, "H", 3, NULL);
    nm(&c, id, sizeof id, "H");
    CHECK_EQ_INT(store_hit_add_counts(c.st, id, &(struct hit_counts){.pending = 1}, &err), 0);
    CHECK_EQ_INT(store_hit_add_counts(c.st, id, &(struct hit_counts){.pending = 1}, &err), 0);
    CHECK_EQ_INT(store_hit_add_counts(c.st, id,
                                      &(struct hit_counts){.pending = -1, .submitted = 1}, &err),
                 0);
    CHECK_EQ_INT(store_hit_add_counts(c.st, id,
                                      &(struct hit_counts){.submitted = -1, .approved = 1,
                                                           .escrow = -120},
                                      &err),
                 0);
    CHECK_EQ_INT(store_hit_get(c.st, id, &h, &err), 0);
    CHECK_EQ_INT(h.pending, 1);
    CHECK_EQ_INT(h.submitted, 0);
    CHECK_EQ_INT(h.approved, 1);
    CHECK_EQ_INT(h.rejected, 0);
    CHECK_EQ_INT(h.escrow, 360 - 120);
    /* An update of the HIT's other fields leaves the counters to the deltas. */
    h.pending = 99;
    h.max_assignments = 4;
    h.escrow = 0;
    CHECK_EQ_INT(store_hit_update(c.st, &h, &err), 0);
    store_hit_release(&h);
    CHECK_EQ_INT(store_hit_get(c.st, id, &h, &err), 0);
    CHECK_EQ_INT(h.pending, 1);
    CHECK_EQ_INT(h.max_assignments, 3);
    CHECK_EQ_INT(h.escrow, 360 - 120);
    store_hit_release(&h);
    /* Escrow alone, both ways: two writers' deltas both take effect. */
    CHECK_EQ_INT(store_hit_add_counts(c.st, id, &(struct hit_counts){.escrow = 240}, &err), 0);
    CHECK_EQ_INT(store_hit_add_counts(c.st, id, &(struct hit_counts){.escrow = -120}, &err), 0);
    CHECK_EQ_INT(store_hit_get(c.st, id, &h, &err), 0);
    CHECK_EQ_INT(h.escrow, 360);
    CHECK_EQ_INT(h.pending + h.submitted + h.approved + h.rejected, 2);
    store_hit_release(&h);
    CHECK_EQ_INT(store_hit_add_counts(c.st, nm(&c, id, sizeof id, "none"),
                                      &(struct hit_counts){.pending = 1}, &err),
                 TS_ENOTFOUND);
    cx_close(&c);
}

/* max_assignments moves by deltas, its bounds kept by the statement: at most the cap, never
 * below the slots handed out; nothing changes when one would break. */
static void test_max_deltas(void)
{
    struct cx c;
    struct ts_error err = {0};
    struct hit h;
    char id[64];

    cx_open(&c);
    cx_people(&c);
    cx_hit(&c, "H", 3, NULL);
    nm(&c, id, sizeof id, "H");
    CHECK_EQ_INT(store_hit_add_counts(c.st, id, &(struct hit_counts){.pending = 1}, &err), 0);
    CHECK_EQ_INT(store_hit_add_counts(c.st, id, &(struct hit_counts){.approved = 1}, &err), 0);
    CHECK_EQ_INT(store_hit_add_max(c.st, id, 2, 5, &err), 0);
    CHECK_EQ_INT(store_hit_add_max(c.st, id, 1, 6, &err), 0);
    CHECK_EQ_INT(store_hit_get(c.st, id, &h, &err), 0);
    CHECK_EQ_INT(h.max_assignments, 6);
    store_hit_release(&h);
    /* Past the cap. */
    CHECK_EQ_INT(store_hit_add_max(c.st, id, 1, 6, &err), TS_ECONFLICT);
    /* Below the two slots handed out. */
    CHECK_EQ_INT(store_hit_add_max(c.st, id, -5, 6, &err), TS_ECONFLICT);
    CHECK_EQ_INT(store_hit_get(c.st, id, &h, &err), 0);
    CHECK_EQ_INT(h.max_assignments, 6);
    store_hit_release(&h);
    CHECK_EQ_INT(store_hit_add_max(c.st, id, -4, 6, &err), 0);
    CHECK_EQ_INT(store_hit_get(c.st, id, &h, &err), 0);
    CHECK_EQ_INT(h.max_assignments, 2);
    CHECK_EQ_INT(h.pending, 1);
    CHECK_EQ_INT(h.approved, 1);
    store_hit_release(&h);
    CHECK_EQ_INT(store_hit_add_max(c.st, nm(&c, id, sizeof id, "none"), 1, 6, &err),
                 TS_ECONFLICT);
    cx_close(&c);
}

/* ---- The claim --------------------------------------------------------------------------- */

static int count_cb(void *ctx, const struct assignment *a)
{
    (void)a;
    (*(int *)ctx)++;
    return 0;
}

static int asg_count(struct store *st, const char *hit_id)
{
    struct ts_error err = {0};
    struct asg_filter f = {hit_id, NULL, 0, 0};
    int64_t last = 0;
    int more = 0, n = 0;

    CHECK_EQ_INT(store_asg_list(st, &f, 0, 100, count_cb, &n, &last, &more, &err), 0);
    return n;
}

static void test_claim(void)
{
    struct cx c;
    struct ts_error err = {0};
    struct assignment a;
    struct hit h;
    char type[64], h1[64], h2[64], gold[64];
    struct asg_claim cl = {0};

    cx_open(&c);
    cx_people(&c);
    cx_hit(&c, "H1", 1, NULL);
    cx_hit(&c, "H2", 2, NULL);
    cx_hit(&c, "G", 5, "cat");
    nm(&c, type, sizeof type, "T");
    nm(&c, h1, sizeof h1, "H1");
    nm(&c, h2, sizeof h2, "H2");
    nm(&c, gold, sizeof gold, "G");
    cl.hit_type_id = type;
    cl.worker_id = c.w[0];
    cl.now_ms = 5000;
    cl.deadline_ms = 605000;

    /* By type: the first open HIT by seq; the assignment and the count move together. */
    CHECK_EQ_INT(store_begin(c.st, &err), 0);
    memset(&a, 0, sizeof a);
    nm(&c, a.id, sizeof a.id, "A1");
    CHECK_EQ_INT(store_asg_claim(c.st, &cl, &a, &h, &err), 0);
    CHECK_EQ_STR(h.id, h1);
    CHECK_EQ_INT(h.pending, 1);
    CHECK_EQ_STR(a.hit_id, h1);
    CHECK_EQ_STR(a.hit_type_id, type);
    CHECK_EQ_INT(a.worker_id, c.w[0]);
    CHECK_EQ_INT(a.requester_id, c.req);
    CHECK_EQ_INT(a.status, ASG_ACCEPTED);
    CHECK_EQ_INT(a.accepted_ms, 5000);
    CHECK_EQ_INT(a.deadline_ms, 605000);
    CHECK(a.seq > 0);
    store_hit_release(&h);
    CHECK_EQ_INT(store_commit(c.st, &err), 0);
    CHECK_EQ_INT(store_hit_get(c.st, h1, &h, &err), 0);
    CHECK_EQ_INT(h.pending, 1);
    store_hit_release(&h);

    /* H1 is full, and the same worker never gets H2's second slot twice. */
    CHECK_EQ_INT(store_begin(c.st, &err), 0);
    memset(&a, 0, sizeof a);
    nm(&c, a.id, sizeof a.id, "A2");
    CHECK_EQ_INT(store_asg_claim(c.st, &cl, &a, &h, &err), 0);
    CHECK_EQ_STR(h.id, h2);
    store_hit_release(&h);
    memset(&a, 0, sizeof a);
    nm(&c, a.id, sizeof a.id, "A3");
    CHECK_EQ_INT(store_asg_claim(c.st, &cl, &a, &h, &err), TS_ENOTFOUND);
    CHECK_EQ_INT(asg_count(c.st, h2), 1);

    /* Another worker takes H2's last slot; a third finds no normal HIT, but gold. */
    cl.worker_id = c.w[1];
    memset(&a, 0, sizeof a);
    nm(&c, a.id, sizeof a.id, "A4");
    CHECK_EQ_INT(store_asg_claim(c.st, &cl, &a, &h, &err), 0);
    CHECK_EQ_STR(h.id, h2);
    CHECK_EQ_INT(h.pending, 2);
    store_hit_release(&h);
    cl.worker_id = c.w[2];
    memset(&a, 0, sizeof a);
    nm(&c, a.id, sizeof a.id, "A5");
    CHECK_EQ_INT(store_asg_claim(c.st, &cl, &a, &h, &err), TS_ENOTFOUND);
    cl.gold = 1;
    CHECK_EQ_INT(store_asg_claim(c.st, &cl, &a, &h, &err), 0);
    CHECK_EQ_STR(h.id, gold);
    store_hit_release(&h);

    /* By id: that HIT if open to the worker, else nothing written. */
    memset(&cl, 0, sizeof cl);
    cl.hit_id = h1;
    cl.worker_id = c.w[1];
    cl.now_ms = 5000;
    memset(&a, 0, sizeof a);
    nm(&c, a.id, sizeof a.id, "A6");
    CHECK_EQ_INT(store_asg_claim(c.st, &cl, &a, &h, &err), TS_ENOTFOUND); /* full */
    cl.hit_id = gold;
    CHECK_EQ_INT(store_asg_claim(c.st, &cl, &a, &h, &err), 0);
    CHECK_EQ_INT(h.pending, 2);
    store_hit_release(&h);
    /* An expired HIT is not open. */
    cl.now_ms = 10000000;
    cl.worker_id = c.w[0];
    memset(&a, 0, sizeof a);
    nm(&c, a.id, sizeof a.id, "A7");
    CHECK_EQ_INT(store_asg_claim(c.st, &cl, &a, &h, &err), TS_ENOTFOUND);
    CHECK_EQ_INT(store_commit(c.st, &err), 0);
    CHECK_EQ_INT(asg_count(c.st, h1), 1);
    CHECK_EQ_INT(asg_count(c.st, gold), 2);
    cx_close(&c);
}

/* ---- The ledger ---------------------------------------------------------------------------- */

static void test_ledger_posting(void)
{
    struct cx c;
    struct ts_error err = {0};
    int64_t ext, avail, escrow, n = -1;
    int violations = -1;
    char ref[64];

    cx_open(&c);
    cx_people(&c);
    CHECK_EQ_INT(store_ledger_account(c.st, 0, LEDGER_EXTERNAL, &ext, &err), 0);
    CHECK_EQ_INT(store_ledger_account(c.st, c.req, LEDGER_AVAILABLE, &avail, &err), 0);
    CHECK_EQ_INT(store_ledger_account(c.st, c.req, LEDGER_ESCROW, &escrow, &err), 0);
    int64_t ext0 = balance(c.st, ext);
    CHECK_EQ_INT(balance(c.st, avail), 0);

    /* The external account may go negative; the others may not. */
    struct posting dep[2] = {{ext, -1000}, {avail, 1000}};
    struct journal_entry e = {"deposit", "", 100, dep, 2};
    CHECK_EQ_INT(store_begin(c.st, &err), 0);
    CHECK_EQ_INT(store_journal_insert(c.st, &e, NULL, &err), 0);
    CHECK_EQ_INT(store_commit(c.st, &err), 0);
    CHECK_EQ_INT(balance(c.st, avail), 1000);
    CHECK_EQ_INT(balance(c.st, ext), ext0 - 1000);

    /* An overdraft is refused in the posting itself, with nothing left behind, and the
     * transaction stays usable. */
    nm(&c, ref, sizeof ref, "H");
    struct posting over[2] = {{avail, -1001}, {escrow, 1001}};
    struct journal_entry e2 = {"escrow", ref, 200, over, 2};
    CHECK_EQ_INT(store_begin(c.st, &err), 0);
    CHECK_EQ_INT(store_journal_insert(c.st, &e2, NULL, &err), TS_EFUNDS);
    CHECK_EQ_INT(store_in_transaction(c.st), 1);
    struct posting ok[2] = {{avail, -1000}, {escrow, 1000}};
    struct journal_entry e3 = {"escrow", ref, 200, ok, 2};
    CHECK_EQ_INT(store_journal_insert(c.st, &e3, NULL, &err), 0);
    CHECK_EQ_INT(store_commit(c.st, &err), 0);
    CHECK_EQ_INT(balance(c.st, avail), 0);
    CHECK_EQ_INT(balance(c.st, escrow), 1000);
    CHECK_EQ_INT(store_journal_count(c.st, "escrow", ref, &n, &err), 0);
    CHECK_EQ_INT(n, 1);

    /* Moving the escrow's last micro-unit too many is refused as well. */
    struct posting back[2] = {{escrow, -1001}, {avail, 1001}};
    struct journal_entry e4 = {"release", ref, 300, back, 2};
    CHECK_EQ_INT(store_begin(c.st, &err), 0);
    CHECK_EQ_INT(store_journal_insert(c.st, &e4, NULL, &err), TS_EFUNDS);
    CHECK_EQ_INT(balance(c.st, escrow), 1000);
    CHECK_EQ_INT(balance(c.st, avail), 0);
    CHECK_EQ_INT(store_journal_count(c.st, "release", ref, &n, &err), 0);
    CHECK_EQ_INT(n, 0);
    struct posting all[2] = {{escrow, -1000}, {avail, 1000}};
    struct journal_entry e5 = {"release", ref, 300, all, 2};
    CHECK_EQ_INT(store_journal_insert(c.st, &e5, NULL, &err), 0);
    CHECK_EQ_INT(store_commit(c.st, &err), 0);
    CHECK_EQ_INT(balance(c.st, escrow), 0);
    CHECK_EQ_INT(balance(c.st, avail), 1000);
    if (!getenv("TESSERA_TEST_STORE")) {
        /* On a database of its own, the consistency check finds the ledger whole. */
        CHECK_EQ_INT(store_check(c.st, NULL, NULL, &violations, &err), 0);
        CHECK_EQ_INT(violations, 0);
    }
    cx_close(&c);
}

/* ---- Paging ------------------------------------------------------------------------------- */

struct page {
    int n;
    char ids[8][STORE_ID_MAX];
};

static int page_cb(void *ctx, const struct hit *h)
{
    struct page *p = ctx;
    if (p->n < 8)
        memcpy(p->ids[p->n], h->id, STORE_ID_MAX);
    p->n++;
    return 0;
}

static void test_paging(void)
{
    struct cx c;
    struct ts_error err = {0};
    struct hit_filter f = {0};
    struct page p;
    int64_t last = 0, seqs[5];
    int more = 0;
    char type[64], id[64];

    cx_open(&c);
    cx_people(&c);
    for (int i = 0; i < 5; i++) {
        char suffix[16];
        snprintf(suffix, sizeof suffix, "H%d", i);
        seqs[i] = cx_hit(&c, suffix, 1, NULL);
    }
    f.requester_id = c.req;
    f.hit_type_id = nm(&c, type, sizeof type, "T");
    f.mode = HIT_LIST_LIVE;
    f.now_ms = 5000;

    memset(&p, 0, sizeof p);
    CHECK_EQ_INT(store_hit_list(c.st, &f, 0, 2, page_cb, &p, &last, &more, &err), 0);
    CHECK_EQ_INT(p.n, 2);
    CHECK_EQ_STR(p.ids[0], nm(&c, id, sizeof id, "H0"));
    CHECK_EQ_STR(p.ids[1], nm(&c, id, sizeof id, "H1"));
    CHECK_EQ_INT(last, seqs[1]);
    CHECK_EQ_INT(more, 1);

    memset(&p, 0, sizeof p);
    CHECK_EQ_INT(store_hit_list(c.st, &f, last, 2, page_cb, &p, &last, &more, &err), 0);
    CHECK_EQ_INT(p.n, 2);
    CHECK_EQ_STR(p.ids[0], nm(&c, id, sizeof id, "H2"));
    CHECK_EQ_INT(more, 1);

    memset(&p, 0, sizeof p);
    CHECK_EQ_INT(store_hit_list(c.st, &f, last, 2, page_cb, &p, &last, &more, &err), 0);
    CHECK_EQ_INT(p.n, 1);
    CHECK_EQ_STR(p.ids[0], nm(&c, id, sizeof id, "H4"));
    CHECK_EQ_INT(last, seqs[4]);
    CHECK_EQ_INT(more, 0);

    memset(&p, 0, sizeof p);
    CHECK_EQ_INT(store_hit_list(c.st, &f, last, 2, page_cb, &p, &last, &more, &err), 0);
    CHECK_EQ_INT(p.n, 0);
    CHECK_EQ_INT(last, 0);
    CHECK_EQ_INT(more, 0);
    CHECK_EQ_INT(store_hit_list(c.st, &f, 0, -1, page_cb, &p, &last, &more, &err), TS_EINVAL);
    cx_close(&c);
}

CHECK_MAIN(test_open, test_transactions, test_accounts_and_meta, test_hits_and_assignments,
           test_counter_deltas, test_max_deltas, test_claim, test_ledger_posting, test_paging)
