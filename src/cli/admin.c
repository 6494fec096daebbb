/* admin.c: `tessera admin`: accounts, deposits and the invariant check, run directly on
 * the database (also while the server runs: writers wait for each other). */
#include "cli.h"
#include <stdio.h>
#include <string.h>
#include <jansson.h>
#include <sodium.h>
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

/* token-create ACCOUNT_ID [--expires-days N]: a token that never expires, or one that
 * expires N days from now (a fixed date; only Login tokens slide). */
static int cmd_token(struct core_ctx *c, int argc, char **argv)
{
    struct ts_error err = {0};
    struct account a;
    char token[SECRETS_TOKEN_LEN + 1], id[STORE_TOKEN_ID_MAX];
    unsigned char hash[32];
    int64_t days = 0, expires = 0;
    int rc;
    if (argc == 3 && strcmp(argv[1], "--expires-days") == 0) {
        if (parse_i64(argv[2], strlen(argv[2]), 1, 36500, &days)) {
            fprintf(stderr, "tessera: --expires-days must be a whole number 1..36500\n");
            return 2;
        }
        expires = c->now_ms + days * 86400 * 1000;
    } else if (argc != 1) {
        fprintf(stderr, "usage: tessera admin token-create ACCOUNT_ID [--expires-days N]\n");
        return 2;
    }
    if (read_account(argv[0], c, &a))
        return 1;
    secrets_token_new(token);
    secrets_token_hash(token, hash);
    rc = store_begin(c->st, &err);
    if (!rc)
        rc = store_token_insert_expiring(c->st, hash, a.id, c->now_ms, expires, 0, id, &err);
    rc = store_end(c->st, rc, &err);
    if (rc) {
        fprintf(stderr, "tessera: %s\n", err.msg);
        sodium_memzero(token, sizeof token);
        return 1;
    }
    printf("{\"id\":%lld,\"token\":\"%s\",\"TokenId\":\"%s\",\"Expiration\":", (long long)a.id,
           token, id);
    if (expires)
        printf("%lld}\n", (long long)(expires / 1000));
    else
        printf("null}\n");
    sodium_memzero(token, sizeof token);
    return 0;
}

static int add_token(void *ctx, const struct token_info *t)
{
    json_t *o = json_object();
    json_object_set_new(o, "TokenId", json_string(t->id));
    json_object_set_new(o, "CreationTime", json_integer(t->created_ms / 1000));
    json_object_set_new(o, "Expiration",
                        t->expires_ms ? json_integer(t->expires_ms / 1000) : json_null());
    json_array_append_new(ctx, o);
    return 0;
}

/* token-list ACCOUNT_ID: the account's live tokens, newest first, as one JSON object
 * (ids and times, never the tokens). */
static int cmd_token_list(struct core_ctx *c, const char *who)
{
    struct ts_error err = {0};
    struct account a;
    json_t *arr, *o;
    if (read_account(who, c, &a))
        return 1;
    arr = json_array();
    if (store_token_list(c->st, a.id, c->now_ms, 1000000, add_token, arr, &err)) {
        fprintf(stderr, "tessera: %s\n", err.msg);
        json_decref(arr);
        return 1;
    }
    o = json_pack("{sIso}", "id", (json_int_t)a.id, "Tokens", arr);
    json_dumpf(o, stdout, JSON_PRESERVE_ORDER | JSON_COMPACT);
    fputc('\n', stdout);
    json_decref(o);
    return 0;
}

/* Counts up meta('auth_gen') in the open transaction, so that a running server empties
 * its token cache before its next batch. */
static int auth_gen_bump(struct store *st, struct ts_error *err)
{
    char v[32] = "0";
    int64_t n = 0;
    int rc = store_meta_get(st, "auth_gen", v, sizeof v, err);
    if (rc && rc != TS_ENOTFOUND)
        return rc;
    if (parse_i64(v, strlen(v), 0, INT64_MAX - 1, &n))
        n = 0;
    snprintf(v, sizeof v, "%lld", (long long)(n + 1));
    return store_meta_set(st, "auth_gen", v, err);
}

/* token-revoke TOKEN_ID and key-revoke ACCESS_KEY_ID: whoever's it is. */
static int cmd_revoke(struct core_ctx *c, int key, const char *id)
{
    struct ts_error err = {0};
    int rc = store_begin(c->st, &err);
    if (!rc)
        rc = key ? store_access_key_revoke(c->st, 0, id, &err)
                 : store_token_revoke(c->st, 0, id, &err);
    if (!rc)
        rc = auth_gen_bump(c->st, &err);
    rc = store_end(c->st, rc, &err);
    if (rc) {
        fprintf(stderr, "tessera: %s\n", err.msg);
        return 1;
    }
    printf("{\"%s\":\"%s\",\"revoked\":true}\n", key ? "AccessKeyId" : "TokenId", id);
    return 0;
}

/* key-create ACCOUNT_ID: a new access key pair for a requester, for SigV4 clients (boto3);
 * the secret is printed once and kept only encrypted. */
static int cmd_key_create(struct core_ctx *c, const char *who)
{
    struct ts_error err = {0};
    struct account a;
    char key_id[21], secret[41];
    unsigned char box[256];
    size_t box_len = 0;
    int rc;
    if (read_account(who, c, &a))
        return 1;
    if (a.role != ROLE_REQUESTER) {
        fprintf(stderr, "tessera: account %lld is not a requester\n", (long long)a.id);
        return 1;
    }
    secrets_access_key_new(key_id, secret);
    rc = secrets_seal(c->sec, secret, strlen(secret), box, sizeof box, &box_len, &err);
    if (!rc)
        rc = store_begin(c->st, &err);
    if (!rc) {
        rc = store_access_key_insert(c->st, key_id, a.id, box, box_len, c->now_ms, &err);
        rc = store_end(c->st, rc, &err);
    }
    if (rc)
        fprintf(stderr, "tessera: %s\n", err.msg);
    else
        printf("{\"id\":%lld,\"access_key_id\":\"%s\",\"secret_access_key\":\"%s\"}\n",
               (long long)a.id, key_id, secret);
    sodium_memzero(secret, sizeof secret);
    return rc ? 1 : 0;
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
                        "deposit | token-create | token-list | token-revoke | key-create | "
                        "key-revoke | check ...\n");
        return 2;
    }
    const char *cmd = argv[1];
    int nargs = argc - 2;
    char **args = argv + 2;
    if ((strcmp(cmd, "requester-create") == 0 && nargs != 1) ||
        (strcmp(cmd, "deposit") == 0 && nargs != 2) ||
        (strcmp(cmd, "token-create") == 0 && nargs != 1 && nargs != 3) ||
        ((strcmp(cmd, "token-list") == 0 || strcmp(cmd, "token-revoke") == 0 ||
          strcmp(cmd, "key-create") == 0 || strcmp(cmd, "key-revoke") == 0) && nargs != 1) ||
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
        rc = cmd_token(&c, nargs, args);
    else if (strcmp(cmd, "token-list") == 0)
        rc = cmd_token_list(&c, args[0]);
    else if (strcmp(cmd, "token-revoke") == 0)
        rc = cmd_revoke(&c, 0, args[0]);
    else if (strcmp(cmd, "key-create") == 0)
        rc = cmd_key_create(&c, args[0]);
    else if (strcmp(cmd, "key-revoke") == 0)
        rc = cmd_revoke(&c, 1, args[0]);
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
