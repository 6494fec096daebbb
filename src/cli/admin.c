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
static int cmd_token(struct core_ctx *c, const char *who, int64_t days)
{
    struct ts_error err = {0};
    struct account a;
    char token[SECRETS_TOKEN_LEN + 1], id[STORE_TOKEN_ID_MAX];
    unsigned char hash[32];
    int64_t expires = days ? c->now_ms + days * 86400 * 1000 : 0;
    int rc;
    if (read_account(who, c, &a))
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
    printf("{\"id\":%lld,\"token\":\"%s\",\"TokenId\":\"%s\",\"Expiration\":",
           (long long)a.id, token, id);
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

/* What the options of an admin command fill in; common first, so that cli_store_opts
 * can take a struct admin_args as its struct cli_common. */
struct admin_args {
    struct cli_common common;
    const char *country, *subdivision, *password;
    int64_t expires_days; /* token-create --expires-days, 0: never */
};

static int set_country(void *ctx, const char *v)
{
    ((struct admin_args *)ctx)->country = v;
    return 0;
}

static int set_subdivision(void *ctx, const char *v)
{
    ((struct admin_args *)ctx)->subdivision = v;
    return 0;
}

static int set_password(void *ctx, const char *v)
{
    ((struct admin_args *)ctx)->password = v;
    return 0;
}

static const struct cli_opt worker_opts[] = {
    {"--country", "CC", "the worker's country, an ISO 3166 code like US (required)",
     set_country},
    {"--subdivision", "SD", "the ISO 3166-2 subdivision, like CA for US-CA", set_subdivision},
    {"--password", "PW", "the password the worker logs in with (required)", set_password},
    {NULL, NULL, NULL, NULL},
};

static int set_expires_days(void *ctx, const char *v)
{
    if (parse_i64(v, strlen(v), 1, 36500, &((struct admin_args *)ctx)->expires_days)) {
        fprintf(stderr, "tessera: --expires-days must be a whole number 1..36500\n");
        return -1;
    }
    return 0;
}

static const struct cli_opt token_opts[] = {
    {"--expires-days", "N", "the token expires N days from now (default: never)",
     set_expires_days},
    {NULL, NULL, NULL, NULL},
};

static const struct cli_opt *const store_tables[] = {cli_store_opts, NULL};
static const struct cli_opt *const token_tables[] = {token_opts, cli_store_opts, NULL};
static const struct cli_opt *const worker_tables[] = {worker_opts, cli_store_opts, NULL};

static int cmd_worker_create(struct core_ctx *c, struct admin_args *a, char **args)
{
    struct ts_error err = {0};
    if (!a->country || !a->password) {
        fprintf(stderr, "tessera admin worker-create: --country and --password are required\n");
        return 2;
    }
    if (a->subdivision && quals_subdivision_check(a->country, a->subdivision, &err)) {
        fprintf(stderr, "tessera: --subdivision: %s\n", err.msg);
        return 2;
    }
    return cli_account_create(c, ROLE_WORKER, args[0], a->country, a->subdivision, a->password,
                              1, NULL, 0)
               ? 1
               : 0;
}

static int cmd_requester_create(struct core_ctx *c, struct admin_args *a, char **args)
{
    (void)a;
    return cli_account_create(c, ROLE_REQUESTER, args[0], NULL, NULL, NULL, 1, NULL, 0) ? 1 : 0;
}

static int cmd_deposit_args(struct core_ctx *c, struct admin_args *a, char **args)
{
    (void)a;
    return cmd_deposit(c, args[0], args[1]);
}

static int cmd_token_args(struct core_ctx *c, struct admin_args *a, char **args)
{
    return cmd_token(c, args[0], a->expires_days);
}

static int cmd_token_list_args(struct core_ctx *c, struct admin_args *a, char **args)
{
    (void)a;
    return cmd_token_list(c, args[0]);
}

static int cmd_token_revoke_args(struct core_ctx *c, struct admin_args *a, char **args)
{
    (void)a;
    return cmd_revoke(c, 0, args[0]);
}

static int cmd_key_create_args(struct core_ctx *c, struct admin_args *a, char **args)
{
    (void)a;
    return cmd_key_create(c, args[0]);
}

static int cmd_key_revoke_args(struct core_ctx *c, struct admin_args *a, char **args)
{
    (void)a;
    return cmd_revoke(c, 1, args[0]);
}

static int cmd_check_args(struct core_ctx *c, struct admin_args *a, char **args)
{
    (void)a;
    (void)args;
    return cmd_check(c);
}

/* The admin commands: each one's usage (its options included) and its exact number of
 * arguments. A new command is one more row. */
static const struct admin_cmd {
    struct cli_usage usage;
    int nargs;
    int (*run)(struct core_ctx *c, struct admin_args *a, char **args);
} admin_cmds[] = {
    {{"admin requester-create", "[--db PATH] [--key PATH] NAME", store_tables,
      "Creates a requester; prints its id, bearer token and access key pair as JSON.\n"},
     1, cmd_requester_create},
    {{"admin worker-create",
      "[--db PATH] [--key PATH] NAME --country CC [--subdivision SD] --password PW",
      worker_tables, "Creates a worker; prints its id and bearer token as JSON.\n"},
     1, cmd_worker_create},
    {{"admin deposit", "[--db PATH] [--key PATH] ACCOUNT_ID AMOUNT", store_tables,
      "Adds AMOUNT (dollars, e.g. 100.00) to a requester's available balance.\n"},
     2, cmd_deposit_args},
    {{"admin token-create", "[--db PATH] [--key PATH] ACCOUNT_ID [--expires-days N]",
      token_tables,
      "Issues one more bearer token for the account and prints it with its TokenId (it\n"
      "never expires, unless --expires-days gives it a fixed end).\n"},
     1, cmd_token_args},
    {{"admin token-list", "[--db PATH] [--key PATH] ACCOUNT_ID", store_tables,
      "Lists the account's live tokens (TokenId, creation, expiry; never the tokens).\n"},
     1, cmd_token_list_args},
    {{"admin token-revoke", "[--db PATH] [--key PATH] TOKEN_ID", store_tables,
      "Revokes a token at once, on running servers too.\n"},
     1, cmd_token_revoke_args},
    {{"admin key-create", "[--db PATH] [--key PATH] ACCOUNT_ID", store_tables,
      "Creates an access key pair for a requester (for boto3 and other SigV4 clients);\n"
      "prints the secret once.\n"},
     1, cmd_key_create_args},
    {{"admin key-revoke", "[--db PATH] [--key PATH] ACCESS_KEY_ID", store_tables,
      "Revokes an access key at once, on running servers too.\n"},
     1, cmd_key_revoke_args},
    {{"admin check", "[--db PATH] [--key PATH]", store_tables,
      "Verifies every invariant of the database (money, counters, states); exit 1 on a\n"
      "violation.\n"},
     0, cmd_check_args},
};
#define ADMIN_NCMDS (sizeof admin_cmds / sizeof admin_cmds[0])

/* Before the command, the settings kept in the database may be given too (cli_open
 * stores them). */
static const struct cli_opt *const admin_tables[] = {cli_store_opts, cli_settings_opts, NULL};
static const struct cli_usage admin_usage = {"admin", "[options] COMMAND [ARGS]", admin_tables,
                                             NULL};

/* The list of commands, after admin's usage. */
static void admin_commands_print(FILE *f)
{
    fputs("commands (tessera admin COMMAND --help tells more):\n", f);
    for (size_t i = 0; i < ADMIN_NCMDS; i++)
        fprintf(f, "  tessera %s %s\n", admin_cmds[i].usage.cmd, admin_cmds[i].usage.synopsis);
}

int cli_admin(int argc, char **argv)
{
    struct admin_args a;
    const struct admin_cmd *cmd = NULL;
    struct store *st;
    struct secrets *sec;
    struct core_config cfg;
    int rc;

    memset(&a, 0, sizeof a);
    cli_common_init(&a.common);
    /* The options before the command, then the command's own (--db and --key may
     * stand on either side). */
    rc = cli_parse(&admin_usage, &a.common, CLI_STOP_AT_ARG, &argc, argv);
    if (rc) {
        admin_commands_print(rc == CLI_HELP ? stdout : stderr);
        return rc == CLI_HELP ? 0 : rc;
    }
    if (argc < 2) {
        fprintf(stderr, "tessera admin: no command given\n");
        cli_usage_print(&admin_usage, stderr);
        admin_commands_print(stderr);
        return 2;
    }
    for (size_t i = 0; i < ADMIN_NCMDS; i++)
        if (strcmp(argv[1], admin_cmds[i].usage.cmd + sizeof "admin") == 0)
            cmd = &admin_cmds[i];
    if (!cmd) {
        fprintf(stderr, "tessera admin: unknown command \"%s\"\n", argv[1]);
        cli_usage_print(&admin_usage, stderr);
        admin_commands_print(stderr);
        return 2;
    }
    argc--;
    argv++;
    rc = cli_parse(&cmd->usage, &a, 0, &argc, argv);
    if (rc)
        return rc == CLI_HELP ? 0 : rc;
    if (argc - 1 != cmd->nargs) {
        fprintf(stderr, "tessera %s: expected %d argument%s, got %d\n", cmd->usage.cmd,
                cmd->nargs, cmd->nargs == 1 ? "" : "s", argc - 1);
        cli_usage_print(&cmd->usage, stderr);
        return 2;
    }
    if (cli_common_finish(&a.common))
        return 2;
    if (cli_open(&a.common, &st, &sec, &cfg))
        return 1;
    struct core_ctx c = CORE_CTX_INIT(st, sec, &cfg, clock_now_ms());
    rc = cmd->run(&c, &a, argv + 1);
    store_close(st);
    secrets_free(sec);
    return rc;
}
