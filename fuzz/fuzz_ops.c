/* fuzz_ops.c: fuzzes the JSON input of the five hottest operations (AcceptWork,
 * SubmitAssignment, ApproveAssignment, SendBonus, CreateHIT), run for real, through the
 * operation table as the executor runs them, against a SQLite store in a temporary
 * directory. A fixture made once (a funded requester, three workers, two HITs, an
 * accepted, a submitted and an approved assignment) stays; each input runs in a savepoint
 * of one open transaction that is rolled back afterwards, so inputs do not see each other.
 *
 * CreateBatch runs too, on the batch rows (CSV, and JSON Lines with a gold column), the
 * reader's output meeting the templates and the HITs it makes.
 *
 * The input's first byte picks the operation (modulo 8: the five, then CreateBatch on a
 * fuzzed body, on fuzzed CSV rows, on fuzzed JSON Lines rows); for rows the rest is the
 * Rows text. Otherwise the rest is the request body,
 * checked as the native door checks it (a JSON object of known members), in which the
 * words $HIT, $TYPE, $ASG, $SUB, $APPROVED, $WORKER and $SUBWORKER are replaced by the
 * fixture's ids (a fresh HIT, its type, the caller's accepted assignment, a submitted and
 * an approved one, the approved one's and the submitted one's worker pseudonyms).
 *
 * Invariants: bad input is refused with a client error and a message (never TS_EIO,
 * TS_EBUSY or an unknown code, which would be a 5xx); an answer serialises; after a
 * success every stored invariant holds (store_check; FUZZ_OPS_NOCHECK=1 skips it, for
 * speed). A violation aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/op.h"
#include "core/ledger.h"
#include "core/secrets.h"
#include "store/store.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NOW_MS 1800000000000LL

/* By the input's first byte modulo 8: the five operations, then CreateBatch three ways:
 * a fuzzed body, and fuzzed CSV or JSON Lines rows in a fixed body (the batch rows). */
#define FUZZ_OPS 8
static const char *const op_names[FUZZ_OPS] = {
    "AcceptWork", "SubmitAssignment", "ApproveAssignment", "SendBonus",
    "CreateHIT",  "CreateBatch",      "CreateBatch",       "CreateBatch"};
static const int op_requester[FUZZ_OPS] = {0, 0, 1, 1, 1, 1, 1, 1};

static char dir[64];
static int verbose; /* FUZZ_OPS_VERBOSE=1: each input's outcome on stderr (for seeds) */
static int check = 1; /* FUZZ_OPS_NOCHECK=1: no store_check after a success */
static struct store *st;
static struct secrets *sec;
static struct core_config cfg;
static struct core_ctx core;
static struct account requester, worker;
/* The fixture's ids, by the word that stands for each in an input. */
static struct {
    const char *word;
    char value[128];
} ids[] = {{"$HIT", ""},    {"$TYPE", ""},     {"$ASG", ""},      {"$SUB", ""},
           {"$APPROVED", ""}, {"$WORKER", ""}, {"$SUBWORKER", ""}};

static void die(const char *what, const struct ts_error *err)
{
    fprintf(stderr, "fuzz_ops: %s: %s\n", what, err ? err->msg : "");
    abort();
}

static void cleanup(void)
{
    char cmd[128];
    if (st)
        store_close(st);
    secrets_free(sec);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz_ops: could not remove %s\n", dir);
}

static void make_account(int role, const char *name, struct account *a)
{
    struct ts_error err = {0};
    memset(a, 0, sizeof *a);
    a->role = role;
    snprintf(a->name, sizeof a->name, "%s", name);
    if (store_account_insert(st, a, &err))
        die("account", &err);
}

/* Runs op name as who on the JSON text body, for the fixture: it must succeed. */
static json_t *must(const char *name, const struct account *who, const char *body)
{
    struct op_ctx c = {.core = &core, .who = *who};
    const struct op *op = op_find(name);
    struct ts_error err = {0};
    json_error_t jerr;
    json_t *in = json_loads(body, 0, &jerr), *out = json_object();
    if (!op || !in || core_finish(&core, op->fn(&c, in, out, &err), &err))
        die(name, &err);
    json_decref(in);
    return out;
}

static void set_id(const char *word, const char *value)
{
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        if (strcmp(ids[i].word, word) == 0)
            snprintf(ids[i].value, sizeof ids[i].value, "%s", value ? value : "");
}

static const char *str_at(json_t *o, const char *a, const char *b)
{
    const char *s = json_string_value(json_object_get(json_object_get(o, a), b));
    if (!s)
        die("fixture answer without its id", NULL);
    return s;
}

#define QUESTION                                                                            \
    "<HTMLQuestion xmlns=\\\"http://mechanicalturk.amazonaws.com/"                               \
    "AWSMechanicalTurkDataSchemas/2011-11-11/HTMLQuestion.xsd\\\"><HTMLContent><![CDATA[<p>"  \
    "${text}</p><input name=\\\"label\\\">]]></HTMLContent><FrameHeight>400</FrameHeight>"     \
    "</HTMLQuestion>"
/* The fixed part of a CreateBatch of fuzzed rows (members in, Rows to add). */
#define BATCH_BODY                                                                          \
    "{\"Title\":\"Label sentences\",\"Description\":\"One per HIT\",\"Reward\":\"0.10\","        \
    "\"AssignmentDurationInSeconds\":600,\"LifetimeInSeconds\":3600,\"MaxAssignments\":3,"       \
    "\"Question\":\"" QUESTION "\"}"

#define HIT_BODY                                                                            \
    "{\"Title\":\"Label the text\",\"Description\":\"Read one sentence\",\"Reward\":\"0.50\","  \
    "\"AssignmentDurationInSeconds\":600,\"LifetimeInSeconds\":86400,\"MaxAssignments\":5,"  \
    "\"Question\":\"<HTMLQuestion xmlns=\\\"http://mechanicalturk.amazonaws.com/"            \
    "AWSMechanicalTurkDataSchemas/2011-11-11/HTMLQuestion.xsd\\\"><HTMLContent><![CDATA[<p>" \
    "x</p><input name=\\\"label\\\">]]></HTMLContent><FrameHeight>400</FrameHeight>"         \
    "</HTMLQuestion>\"}"

static void fixture(void)
{
    struct ts_error err = {0};
    struct account w2, w3;
    char path[128], body[256];
    json_t *o, *h1, *list;

    snprintf(dir, sizeof dir, "/tmp/tessera-fuzz-XXXXXX");
    if (!mkdtemp(dir))
        die("mkdtemp", NULL);
    atexit(cleanup);
    snprintf(path, sizeof path, "%s/key", dir);
    if (secrets_load(path, &sec, &err))
        die("secrets", &err);
    snprintf(path, sizeof path, "%s/t.db", dir);
    if (store_open(path, &st, &err))
        die("store", &err);
    core_config_init(&cfg);
    core = (struct core_ctx)CORE_CTX_INIT(st, sec, &cfg, FUZZ_NOW_MS - 60000);

    if (store_begin(st, &err))
        die("begin", &err);
    make_account(ROLE_REQUESTER, "fuzz requester", &requester);
    make_account(ROLE_WORKER, "fuzz worker", &worker);
    make_account(ROLE_WORKER, "fuzz worker 2", &w2);
    make_account(ROLE_WORKER, "fuzz worker 3", &w3);
    if (ledger_deposit(&core, requester.id, (int64_t)1000 * 1000000, &err))
        die("deposit", &err);
    h1 = must("CreateHIT", &requester, HIT_BODY);
    o = must("CreateHIT", &requester, HIT_BODY);
    set_id("$HIT", str_at(o, "HIT", "HITId"));
    set_id("$TYPE", str_at(o, "HIT", "HITTypeId"));
    json_decref(o);

    snprintf(body, sizeof body, "{\"HITId\":\"%s\"}", str_at(h1, "HIT", "HITId"));
    o = must("AcceptWork", &worker, body);
    set_id("$ASG", str_at(o, "Assignment", "AssignmentId"));
    json_decref(o);
    o = must("AcceptWork", &w2, body);
    set_id("$SUB", str_at(o, "Assignment", "AssignmentId"));
    json_decref(o);
    o = must("AcceptWork", &w3, body);
    set_id("$APPROVED", str_at(o, "Assignment", "AssignmentId"));
    json_decref(o);
    for (int i = 3; i <= 4; i++) {
        snprintf(body, sizeof body, "{\"AssignmentId\":\"%s\",\"Answers\":{\"label\":\"cat\"}}",
                 ids[i].value);
        json_decref(must("SubmitAssignment", i == 3 ? &w2 : &w3, body));
    }
    snprintf(body, sizeof body, "{\"AssignmentId\":\"%s\"}", ids[4].value);
    json_decref(must("ApproveAssignment", &requester, body));

    snprintf(body, sizeof body, "{\"HITId\":\"%s\"}", str_at(h1, "HIT", "HITId"));
    list = must("ListAssignmentsForHIT", &requester, body);
    json_t *asgs = json_object_get(list, "Assignments"), *a;
    size_t i;
    json_array_foreach(asgs, i, a) {
        const char *aid = json_string_value(json_object_get(a, "AssignmentId"));
        const char *wid = json_string_value(json_object_get(a, "WorkerId"));
        if (aid && strcmp(aid, ids[4].value) == 0)
            set_id("$WORKER", wid);
        if (aid && strcmp(aid, ids[3].value) == 0)
            set_id("$SUBWORKER", wid);
    }
    json_decref(list);
    json_decref(h1);
    if (!ids[5].value[0] || !ids[6].value[0])
        die("fixture: no worker pseudonyms", NULL);
    if (store_commit(st, &err))
        die("commit", &err);
    /* One transaction for the whole run: each input is a savepoint in it. */
    if (store_begin(st, &err))
        die("begin", &err);
    core.now_ms = FUZZ_NOW_MS;
}

/* The body with every fixture word replaced by its id. */
static void substitute(const char *p, size_t n, struct buf *out)
{
    while (n) {
        size_t i, k = 0;
        for (i = 0; i < sizeof ids / sizeof ids[0]; i++) {
            k = strlen(ids[i].word);
            /* the longest word first: $SUBWORKER before $SUB */
            if (n >= k && memcmp(p, ids[i].word, k) == 0 &&
                !(i == 3 && n >= 10 && memcmp(p, "$SUBWORKER", 10) == 0))
                break;
        }
        if (i < sizeof ids / sizeof ids[0]) {
            buf_puts(out, ids[i].value);
            p += k;
            n -= k;
        } else {
            buf_putc(out, *p);
            p++;
            n--;
        }
    }
}

static void report(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "fuzz_ops: violation: %s\n", msg);
}

static int client_error(int rc)
{
    return rc == TS_EINVAL || rc == TS_EAUTH || rc == TS_EFUNDS || rc == TS_EFORBIDDEN ||
           rc == TS_ENOTFOUND || rc == TS_ECONFLICT || rc == TS_EDUPLICATE || rc == TS_ETOOBIG;
}

static void run(const struct op *op, const struct account *who, json_t *in)
{
    struct op_ctx c = {.core = &core, .who = *who};
    struct ts_error err = {0};
    json_t *out = json_object();
    int rc, v = 0;

    if (store_savepoint(st, &err))
        die("savepoint", &err);
    rc = core_finish(&core, op->fn(&c, in, out, &err), &err);
    if (verbose)
        fprintf(stderr, "fuzz_ops: %s: %d %s\n", op->name, rc, rc ? err.msg : "ok");
    if (rc) {
        if (!client_error(rc) || !err.msg[0]) {
            fprintf(stderr, "fuzz_ops: %s answered %d (%s): %s\n", op->name, rc,
                    ts_err_name(rc), err.msg);
            abort();
        }
    } else {
        char *js = json_dumps(out, JSON_COMPACT);
        if (!js)
            die("an answer that does not serialise", NULL);
        free(js);
        if (check && (store_check(st, report, NULL, &v, &err) || v))
            die("store_check after a success", &err);
    }
    json_decref(out);
    store_savepoint_rollback(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct buf body = BUF_INIT((size_t)1 << 20);
    struct ts_error err = {0};
    const struct op *op;
    json_error_t jerr;
    json_t *in;
    size_t which;

    if (!st) {
        verbose = getenv("FUZZ_OPS_VERBOSE") != NULL;
        check = getenv("FUZZ_OPS_NOCHECK") == NULL;
        fixture();
    }
    if (size < 1)
        return 0;
    which = data[0] % FUZZ_OPS;
    op = op_find(op_names[which]);
    if (which < 6) {
        substitute((const char *)data + 1, size - 1, &body);
        in = body.err ? NULL : json_loadb(body.p, body.len, JSON_REJECT_DUPLICATES, &jerr);
    } else {
        /* Rows is a JSON string, so text that is not UTF-8 never gets this far. */
        json_t *rows = json_stringn((const char *)data + 1, size - 1);
        in = rows ? json_loads(BATCH_BODY, 0, &jerr) : NULL;
        if (!in)
            json_decref(rows);
        else
            json_object_set_new(in, "Rows", rows);
        if (in && which == 7) {
            json_object_set_new(in, "Format", json_string("jsonl"));
            json_object_set_new(in, "Quality", json_pack("{s:s, s:s, s:f}", "LabelField",
                                                         "label", "GoldColumn", "_gold",
                                                         "GoldRate", 0.25));
        }
    }
    /* What the native door lets through: one object of members the operation knows. */
    if (json_is_object(in) && op_check_fields(op, in, &err) == 0)
        run(op, op_requester[which] ? &requester : &worker, in);
    json_decref(in);
    buf_release(&body);
    return 0;
}
