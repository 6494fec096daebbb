/* demo.c: `tessera demo` (what `make run` starts): on first run it creates a funded demo
 * requester, a demo worker and a demo project with a few tasks; every run issues fresh
 * tokens for both (tokens are stored only as hashes, so old ones cannot be shown
 * again), prints the URLs and credentials, and serves. */
#include "cli.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../api/ops.h"
#include "../core/asg.h"
#include "../core/hit.h"
#include "../core/ledger.h"
#include "../core/secrets.h"
#include "../util/clock.h"
#include "../util/money.h"
#include "../util/banned.h"

#define DEMO_REQUESTER "demo-requester"
#define DEMO_WORKER "demo-worker"
#define DEMO_PASSWORD "demo-password"

static const char *const demo_items[] = {"a tabby cat asleep on a sofa",
                                         "a golden retriever catching a ball",
                                         "a parrot on a branch", "a cat in a cardboard box",
                                         "a puppy in the snow"};

/* Where the demo remembers its HIT type, to accept a task of it on every start. */
#define DEMO_TYPE_KEY "demo_hit_type"

/* The demo's task: a page a person can do in a browser. Its form posts to MTurk's
 * externalSubmit, which Tessera's task page points at the assignment's own submit
 * address (docs/mturk.md, "The worker's page"); the script fills in assignmentId from
 * the page's address as MTurk's externalHIT_v1.js does, and in a preview (no assignment)
 * disables the button. %s is the item. */
#define DEMO_QUESTION                                                                       \
    "<HTMLQuestion xmlns=\"http://mechanicalturk.amazonaws.com/"                             \
    "AWSMechanicalTurkDataSchemas/2011-11-11/HTMLQuestion.xsd\"><HTMLContent><![CDATA["     \
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"                     \
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"               \
    "<title>Which animal is this?</title><style>"                                            \
    "body{font:18px/1.5 system-ui,sans-serif;margin:0 auto;max-width:34em;padding:1em}"     \
    "fieldset{border:1px solid #999;border-radius:6px;padding:.5em 1em 1em}"                \
    "h1{font-size:1.3em}.item{font-size:1.2em;font-weight:bold}"                             \
    "legend{padding:0 .3em}label{display:block;padding:.5em 0;cursor:pointer}"               \
    "input[type=radio]{width:1.2em;height:1.2em;vertical-align:-.2em;margin-right:.5em}"     \
    "button{font:inherit;padding:.6em 2em;margin-top:1em;border-radius:6px}"                 \
    "</style></head><body>\n"                                                               \
    "<form id=\"task\" method=\"post\" action=\"https://www.mturk.com/mturk/externalSubmit\">" \
    "<input type=\"hidden\" name=\"assignmentId\" id=\"assignmentId\" value=\"\">\n"           \
    "<h1>Which animal is this?</h1>\n<p class=\"item\">%s</p>\n"                             \
    "<fieldset><legend>Your answer</legend>\n"                                               \
    "<label><input type=\"radio\" name=\"label\" value=\"cat\" required> Cat</label>\n"        \
    "<label><input type=\"radio\" name=\"label\" value=\"dog\"> Dog</label>\n"                 \
    "<label><input type=\"radio\" name=\"label\" value=\"bird\"> Bird</label>\n"               \
    "</fieldset>\n<button type=\"submit\" id=\"submitButton\">Submit</button>\n"               \
    "<p id=\"preview\" hidden>This is a preview: accept the task to answer it.</p>\n"        \
    "</form>\n<script>\n"                                                                    \
    "var id = new URLSearchParams(location.search).get(\"assignmentId\") || \"\";\n"           \
    "document.getElementById(\"assignmentId\").value = id;\n"                                \
    "if (!id || id === \"ASSIGNMENT_ID_NOT_AVAILABLE\") {\n"                                  \
    "  document.getElementById(\"submitButton\").disabled = true;\n"                         \
    "  document.getElementById(\"preview\").hidden = false;\n"                               \
    "}\n</script>\n</body></html>]]></HTMLContent>"                                          \
    "<FrameHeight>450</FrameHeight></HTMLQuestion>"

static int demo_project(struct core_ctx *c, int64_t requester_id, struct ts_error *err)
{
    struct hit_type t;
    char id[STORE_ID_MAX];
    int rc;
    memset(&t, 0, sizeof t);
    t.requester_id = requester_id;
    t.title = (char *)"Is this a cat, a dog or a bird?";
    t.description = (char *)"Read one short description and pick the animal. Demo project: "
                            "the data trains a toy classifier.";
    t.keywords = (char *)"demo, animals, classification";
    t.reward = 5 * MONEY_CENT;
    t.duration_s = 600;
    t.auto_approval_s = 86400;
    rc = ledger_deposit(c, requester_id, 100 * MONEY_UNIT, err);
    if (!rc)
        rc = hit_type_create(c, &t, id, err);
    free(t.quals_json);
    if (rc)
        return rc;
    memcpy(t.id, id, STORE_ID_MAX);
    rc = store_meta_set(c->st, DEMO_TYPE_KEY, id, err);
    for (size_t i = 0; !rc && i < sizeof demo_items / sizeof demo_items[0]; i++) {
        char q[4096];
        struct hit h;
        snprintf(q, sizeof q, DEMO_QUESTION, demo_items[i]);
        struct hit_params p = {q, NULL, NULL, NULL, NULL, 3, 7 * 86400, NULL, 0, 0, NULL, 0};
        rc = hit_create(c, &t, &p, &h, err);
        if (!rc)
            store_hit_release(&h);
    }
    return rc;
}

struct demo_banner {
    const char *db;
    char base[300]; /* how the server's links start, as cli_serve_until_signal makes them */
    char rq_token[64], wk_token[64];
    int64_t rq_id; /* for the access-key hint */
    char page[1024]; /* the task link of the assignment accepted for the demo worker, or "" */
};

static void banner(void *arg, unsigned port)
{
    struct demo_banner *b = arg;
    printf("\nTessera demo is running on %s (port %u, database %s)\n"
           "  health:     curl %s/healthz\n"
           "  requester:  %s, token %s\n"
           "  worker:     %s, password %s, token %s\n"
           "  try:        curl -s -X POST -H 'Authorization: Bearer %s' -d '{}' "
           "%s/api/v1/ListAvailableWork\n",
           b->base, port, b->db, b->base, DEMO_REQUESTER, b->rq_token, DEMO_WORKER,
           DEMO_PASSWORD, b->wk_token, b->wk_token, b->base);
    printf("  boto3:      tessera admin --db %s key-create %lld  (an access key pair for the\n"
           "              requester, for the MTurk door at %s/)\n",
           b->db, (long long)b->rq_id, b->base);
    if (b->page[0])
        printf("  do a task:  open this in a browser, pick an answer and press Submit (a task\n"
               "              accepted for %s; each start of the demo accepts one more):\n"
               "              %s\n",
               DEMO_WORKER, b->page);
    else
        printf("  do a task:  none is left for %s to accept\n", DEMO_WORKER);
    printf("Stop with Ctrl-C.\n\n");
    fflush(stdout);
}

/* Accepts the demo's next task for the worker and writes its task link to b->page
 * (left "" when every task is done or taken). */
static int demo_accept(struct core_ctx *c, int64_t worker_id, struct demo_banner *b,
                       struct ts_error *err)
{
    char type_id[STORE_ID_MAX];
    struct assignment a;
    struct buf to = BUF_INIT(1024), query = BUF_INIT(2048);
    int rc = store_meta_get(c->st, DEMO_TYPE_KEY, type_id, sizeof type_id, err);
    if (rc)
        return rc == TS_ENOTFOUND ? 0 : rc; /* a demo database from before the key */
    rc = asg_accept(c, worker_id, type_id, NULL, &a, err);
    if (rc == TS_ENOTFOUND) {
        err->msg[0] = '\0';
        return 0; /* none left: the banner says so */
    }
    if (rc)
        return rc;
    struct op_ctx oc;
    memset(&oc, 0, sizeof oc);
    oc.core = c;
    ops_task_urls(&oc, &a, &to, &query);
    /* The bare link: the server sends a browser on to its page with MTurk's parameters. */
    if (!to.err)
        snprintf(b->page, sizeof b->page, "%s", to.p);
    buf_release(&to);
    buf_release(&query);
    store_asg_release(&a);
    return 0;
}

static int fresh_token(struct core_ctx *c, int64_t id, char *out, size_t cap,
                       struct ts_error *err)
{
    char token[SECRETS_TOKEN_LEN + 1];
    unsigned char hash[32];
    secrets_token_new(token);
    secrets_token_hash(token, hash);
    int rc = store_token_insert(c->st, hash, id, c->now_ms, err);
    if (!rc)
        snprintf(out, cap, "%s", token);
    return rc;
}

static const struct cli_usage demo_usage = {
    "demo", "[options]", cli_serve_tables,
    "Creates a demo requester, worker and project on first run (what `make run` starts),\n"
    "prints fresh credentials and a task page to try in a browser, and serves.\n"};

int cli_demo(int argc, char **argv)
{
    struct cli_common o;
    struct store *st;
    struct secrets *sec;
    struct core_config cfg;
    struct ts_error err = {0};
    struct account rq, wk;
    struct demo_banner b;
    int rc;

    cli_common_init(&o);
    rc = cli_parse(&demo_usage, &o, 0, &argc, argv);
    if (rc)
        return rc == CLI_HELP ? 0 : rc;
    if (argc > 1) {
        fprintf(stderr, "tessera demo: unexpected argument \"%s\"\n", argv[1]);
        cli_usage_print(&demo_usage, stderr);
        return 2;
    }
    if (cli_common_finish(&o))
        return 2;
    if (cli_open(&o, &st, &sec, &cfg))
        return 1;
    memset(&b, 0, sizeof b);
    b.db = o.db;
    cli_base_url(&o, b.base, sizeof b.base);
    cfg.base_url = b.base;
    struct core_ctx c = CORE_CTX_INIT(st, sec, &cfg, clock_now_ms());
    rc = store_account_by_name(st, DEMO_REQUESTER, &rq, &err);
    if (rc == TS_ENOTFOUND) {
        rc = cli_account_create(&c, ROLE_REQUESTER, DEMO_REQUESTER, "US", NULL, NULL, 0, NULL, 0);
        if (!rc)
            rc = cli_account_create(&c, ROLE_WORKER, DEMO_WORKER, "US", NULL, DEMO_PASSWORD, 0,
                                    NULL, 0);
        if (!rc)
            rc = store_account_by_name(st, DEMO_REQUESTER, &rq, &err);
        if (!rc) {
            rc = store_begin(st, &err);
            if (!rc)
                rc = demo_project(&c, rq.id, &err);
            rc = store_end(st, core_finish(&c, rc, &err), &err);
        }
    }
    if (!rc)
        rc = store_account_by_name(st, DEMO_WORKER, &wk, &err);
    b.rq_id = rq.id;
    if (!rc) {
        rc = store_begin(st, &err);
        if (!rc)
            rc = fresh_token(&c, rq.id, b.rq_token, sizeof b.rq_token, &err);
        if (!rc)
            rc = fresh_token(&c, wk.id, b.wk_token, sizeof b.wk_token, &err);
        rc = store_end(st, rc, &err);
    }
    if (!rc) {
        rc = store_begin(st, &err);
        if (!rc)
            rc = demo_accept(&c, wk.id, &b, &err);
        rc = store_end(st, core_finish(&c, rc, &err), &err);
    }
    store_close(st);
    secrets_free(sec);
    if (rc) {
        fprintf(stderr, "tessera demo: %s\n", err.msg[0] ? err.msg : "could not set up");
        return 1;
    }
    return cli_serve_until_signal(&o, banner, &b);
}
