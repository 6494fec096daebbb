/* demo.c: `tessera demo` (what `make run` starts): on first run it creates a funded demo
 * requester, a demo worker and a demo project with a few tasks; every run issues fresh
 * tokens for both (tokens are stored only as hashes, so old ones cannot be shown
 * again), prints the URLs and credentials, and serves. */
#include "cli.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    for (size_t i = 0; !rc && i < sizeof demo_items / sizeof demo_items[0]; i++) {
        char q[1024];
        struct hit h;
        snprintf(q, sizeof q,
                 "<HTMLQuestion xmlns=\"http://mechanicalturk.amazonaws.com/"
                 "AWSMechanicalTurkDataSchemas/2011-11-11/HTMLQuestion.xsd\"><HTMLContent>"
                 "<![CDATA[<p>Which animal is this: <b>%s</b>?</p>"
                 "<label><input type=\"radio\" name=\"label\" value=\"cat\">cat</label>"
                 "<label><input type=\"radio\" name=\"label\" value=\"dog\">dog</label>"
                 "<label><input type=\"radio\" name=\"label\" value=\"bird\">bird</label>]]>"
                 "</HTMLContent><FrameHeight>300</FrameHeight></HTMLQuestion>",
                 demo_items[i]);
        struct hit_params p = {q, NULL, NULL, NULL, NULL, 3, 7 * 86400, NULL, 0, 0, NULL};
        rc = hit_create(c, &t, &p, &h, err);
        if (!rc)
            store_hit_release(&h);
    }
    return rc;
}

struct demo_banner {
    const char *db;
    char rq_token[64], wk_token[64];
};

static void banner(void *arg, unsigned port)
{
    struct demo_banner *b = arg;
    printf("\nTessera demo is running on http://127.0.0.1:%u (database %s)\n"
           "  health:     curl http://127.0.0.1:%u/healthz\n"
           "  requester:  %s, token %s\n"
           "  worker:     %s, password %s, token %s\n"
           "  try:        curl -s -X POST -H 'Authorization: Bearer %s' -d '{}' "
           "http://127.0.0.1:%u/api/v1/ListAvailableWork\n"
           "Stop with Ctrl-C.\n\n",
           port, b->db, port, DEMO_REQUESTER, b->rq_token, DEMO_WORKER, DEMO_PASSWORD,
           b->wk_token, b->wk_token, port);
    fflush(stdout);
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

    if (cli_parse_common(&argc, argv, &o))
        return 2;
    if (cli_open(&o, &st, &sec, &cfg))
        return 1;
    struct core_ctx c = {st, sec, &cfg, clock_now_ms()};
    memset(&b, 0, sizeof b);
    b.db = o.db;
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
            rc = store_end(st, rc, &err);
        }
    }
    if (!rc)
        rc = store_account_by_name(st, DEMO_WORKER, &wk, &err);
    if (!rc) {
        rc = store_begin(st, &err);
        if (!rc)
            rc = fresh_token(&c, rq.id, b.rq_token, sizeof b.rq_token, &err);
        if (!rc)
            rc = fresh_token(&c, wk.id, b.wk_token, sizeof b.wk_token, &err);
        rc = store_end(st, rc, &err);
    }
    store_close(st);
    secrets_free(sec);
    if (rc) {
        fprintf(stderr, "tessera demo: %s\n", err.msg[0] ? err.msg : "could not set up");
        return 1;
    }
    return cli_serve_until_signal(&o, banner, &b);
}
