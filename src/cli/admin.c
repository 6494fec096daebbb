/* admin.c: `tessera admin`: accounts, deposits and the invariant check, run directly on
 * the database (also while the server runs: writers wait for each other). */
#include "cli.h"
#include <stdio.h>
#include <string.h>
#include <jansson.h>
#include "../core/ledger.h"
#include "../core/quals.h"
#include "../core/secrets.h"
#include "../util/clock.h"
#include "../util/money.h"
#include "../util/parse.h"
#include "../util/banned.h"

static void report(void *ctx, const char *msg)
{
    (void)ctx;
    printf("violation: %s\n", msg);
}

static int cmd_check(struct core_ctx *c)
{
    struct ts_error err = {0};
    int violations = 0;
    int rc = store_check(c->st, report, NULL, &violations, &err);
    if (rc) {
        fprintf(stderr, "tessera: check could not run: %s\n", err.msg);
        return 2;
    }
    if (violations) {
        printf("check: %d violation%s\n", violations, violations == 1 ? "" : "s");
        return 1;
    }
    printf("check: ok, every invariant holds\n");
    return 0;
}

static int read_account(const char *s, struct core_ctx *c, struct account *a)
{
    struct ts_error err = {0};
    int64_t id;
    if (parse_i64(s, strlen(s), 1, INT64_MAX, &id)) {
        fprintf(stderr, "tessera: ACCOUNT_ID must be a positive whole number\n");
        return -1;
    }
    if (store_account_get(c->st, id, a, &err)) {
        fprintf(stderr, "tessera: account %lld does not exist\n", (long long)id);
        return -1;
    }
    return 0;
}

static int cmd_deposit(struct core_ctx *c, const char *who, const char *amount_s)
{
    struct ts_error err = {0};
    struct account a;
    int64_t amount, bal = 0;
    char s[32];
    int rc;
    if (read_account(who, c, &a))
        return 1;
    if (a.role != ROLE_REQUESTER) {
        fprintf(stderr, "tessera: account %lld is not a requester\n", (long long)a.id);
        return 1;
    }
    if (money_parse(amount_s, &amount, "AMOUNT", &err)) {
        fprintf(stderr, "tessera: %s\n", err.msg);
        return 1;
    }
    rc = store_begin(c->st, &err);
    if (!rc)
        rc = ledger_deposit(c, a.id, amount, &err);
    if (!rc)
        rc = ledger_balance(c, a.id, LEDGER_AVAILABLE, &bal, &err);
    rc = store_end(c->st, rc, &err);
    if (rc) {
        fprintf(stderr, "tessera: %s\n", err.msg);
        return 1;
    }
    money_format(bal, s);
    printf("{\"id\":%lld,\"AvailableBalance\":\"%s\"}\n", (long long)a.id, s);
    return 0;
}

static int cmd_token(struct core_ctx *c, const char *who)
{
    struct ts_error err = {0};
    struct account a;
    char token[SECRETS_TOKEN_LEN + 1];
    unsigned char hash[32];
    int rc;
    if (read_account(who, c, &a))
        return 1;
    secrets_token_new(token);
    secrets_token_hash(token, hash);
    rc = store_begin(c->st, &err);
    if (!rc)
        rc = store_token_insert(c->st, hash, a.id, c->now_ms, &err);
    rc = store_end(c->st, rc, &err);
    if (rc) {
        fprintf(stderr, "tessera: %s\n", err.msg);
        return 1;
    }
    printf("{\"id\":%lld,\"token\":\"%s\"}\n", (long long)a.id, token);
    return 0;
}

static int cmd_worker_create(struct core_ctx *c, int argc, char **argv)
{
    const char *name = NULL, *country = NULL, *pw = NULL, *sd = NULL;
    struct ts_error err = {0};
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--country") == 0 && i + 1 < argc)
            country = argv[++i];
        else if (strcmp(argv[i], "--subdivision") == 0 && i + 1 < argc)
            sd = argv[++i];
        else if (strcmp(argv[i], "--password") == 0 && i + 1 < argc)
            pw = argv[++i];
        else if (!name && argv[i][0] != '-')
            name = argv[i];
        else {
            fprintf(stderr, "tessera: unexpected argument \"%s\"\n", argv[i]);
            return 2;
        }
    }
    if (!name || !country || !pw) {
        fprintf(stderr, "usage: tessera admin worker-create NAME --country CC "
                        "[--subdivision SD] --password PW\n");
        return 2;
    }
    if (sd && quals_subdivision_check(country, sd, &err)) {
        fprintf(stderr, "tessera: --subdivision: %s\n", err.msg);
        return 2;
    }
    return cli_account_create(c, ROLE_WORKER, name, country, sd, pw, 1, NULL, 0) ? 1 : 0;
}

int cli_admin(int argc, char **argv)
{
    struct cli_common o;
    struct store *st;
    struct secrets *sec;
    struct core_config cfg;
    int rc;

    if (cli_parse_common(&argc, argv, &o))
        return 2;
    if (argc < 2) {
        fprintf(stderr, "usage: tessera admin [--db PATH] requester-create | worker-create | "
                        "deposit | token-create | check ...\n");
        return 2;
    }
    const char *cmd = argv[1];
    int nargs = argc - 2;
    char **args = argv + 2;
    if ((strcmp(cmd, "requester-create") == 0 && nargs != 1) ||
        (strcmp(cmd, "deposit") == 0 && nargs != 2) ||
        (strcmp(cmd, "token-create") == 0 && nargs != 1) ||
        (strcmp(cmd, "check") == 0 && nargs != 0)) {
        fprintf(stderr, "tessera admin %s: wrong number of arguments (see tessera help)\n", cmd);
        return 2;
    }
    if (cli_open(&o, &st, &sec, &cfg))
        return 1;
    struct core_ctx c = {st, sec, &cfg, clock_now_ms()};
    if (strcmp(cmd, "requester-create") == 0)
        rc = cli_account_create(&c, ROLE_REQUESTER, args[0], NULL, NULL, NULL, 1, NULL, 0) ? 1 : 0;
    else if (strcmp(cmd, "worker-create") == 0)
        rc = cmd_worker_create(&c, nargs, args);
    else if (strcmp(cmd, "deposit") == 0)
        rc = cmd_deposit(&c, args[0], args[1]);
    else if (strcmp(cmd, "token-create") == 0)
        rc = cmd_token(&c, args[0]);
    else if (strcmp(cmd, "check") == 0)
        rc = cmd_check(&c);
    else {
        fprintf(stderr, "tessera admin: unknown command \"%s\"\n", cmd);
        rc = 2;
    }
    store_close(st);
    secrets_free(sec);
    return rc;
}
