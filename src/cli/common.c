/* common.c: what the subcommands share: the common options, opening the database and
 * the server key, and creating accounts with their credentials. */
#include "cli.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <sodium.h>
#include "../core/secrets.h"
#include "../http/server.h"
#include "../util/clock.h"
#include "../util/parse.h"
#include "../util/text.h"
#include "../util/banned.h"

/* --base-url: http:// or https://, a host, an optional port and path; no query,
 * fragment, user, space or control character. A final '/' is dropped. */
static int base_url_ok(const char *v, char out[256])
{
    size_t n = strlen(v), skip;
    if (strncmp(v, "https://", 8) == 0)
        skip = 8;
    else if (strncmp(v, "http://", 7) == 0)
        skip = 7;
    else
        return -1;
    if (n >= 256 || n == skip || v[skip] == '/' || v[skip] == ':')
        return -1;
    for (const char *p = v; *p; p++)
        if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f || strchr("?#@\\\"<>'`", *p))
            return -1;
    memcpy(out, v, n + 1);
    if (out[n - 1] == '/')
        out[n - 1] = '\0';
    return 0;
}

static int set_db(void *ctx, const char *v)
{
    ((struct cli_common *)ctx)->db = v;
    return 0;
}

static int set_key(void *ctx, const char *v)
{
    struct cli_common *o = ctx;
    if (!v[0] || snprintf(o->key, sizeof o->key, "%s", v) >= (int)sizeof o->key) {
        fprintf(stderr, "tessera: --key must be a path of 1 to %zu bytes\n",
                sizeof o->key - 1);
        return -1;
    }
    return 0;
}

static int set_listen(void *ctx, const char *v)
{
    ((struct cli_common *)ctx)->listen = v;
    return 0;
}

static int set_base_url(void *ctx, const char *v)
{
    if (base_url_ok(v, ((struct cli_common *)ctx)->base_url)) {
        fprintf(stderr, "tessera: --base-url must be an http:// or https:// URL with a host "
                        "and no query, at most 255 characters, as workers reach this server "
                        "(e.g. https://tasks.example.org)\n");
        return -1;
    }
    return 0;
}

static int set_fee(void *ctx, const char *v)
{
    int64_t pct;
    if (parse_i64(v, strlen(v), 0, 100, &pct)) {
        fprintf(stderr, "tessera: --fee-percent must be a whole number 0..100\n");
        return -1;
    }
    ((struct cli_common *)ctx)->fee_bp = (int)pct * 100;
    return 0;
}

static int set_masters_approved(void *ctx, const char *v)
{
    if (parse_i64(v, strlen(v), 1, 1000000000, &((struct cli_common *)ctx)->masters_approved)) {
        fprintf(stderr, "tessera: --masters-approved must be a whole number 1..1000000000\n");
        return -1;
    }
    return 0;
}

static int set_masters_percent(void *ctx, const char *v)
{
    if (parse_i64(v, strlen(v), 0, 100, &((struct cli_common *)ctx)->masters_percent)) {
        fprintf(stderr, "tessera: --masters-percent must be a whole number 0..100\n");
        return -1;
    }
    return 0;
}

/* The whole-number options of a server: its connection limits, login limits (docs/api.md,
 * "Login limits") and token lifetime. set_number parses flag i of number_flags in its
 * range, scales it to the unit the field keeps and stores it. */
static const struct {
    const char *flag;
    int64_t min, max, scale;
    const char *unit;
} number_flags[] = {
    {"--login-free-failures", 0, 1000, 1, "failures"},
    {"--login-max-delay", 1, 86400, 1000, "seconds"},
    {"--login-queue", 1, 100000, 1, "logins"},
    {"--login-queue-per-address", 1, 100000, 1, "logins"},
    {"--token-ttl-days", 1, 3650, (int64_t)86400 * 1000, "days"},
    {"--max-connections-per-address", 0, 4096, 1, "connections (0: no limit)"},
    {"--header-timeout", 0, 3600, 1, "seconds (0: no timeout)"},
};

static int set_number(void *ctx, const char *v, size_t i)
{
    struct cli_common *o = ctx;
    struct exec_limits *l = &o->limits;
    int64_t n;
    if (parse_i64(v, strlen(v), number_flags[i].min, number_flags[i].max, &n)) {
        fprintf(stderr, "tessera: %s must be a whole number of %s, %lld to %lld\n",
                number_flags[i].flag, number_flags[i].unit, (long long)number_flags[i].min,
                (long long)number_flags[i].max);
        return -1;
    }
    n *= number_flags[i].scale;
    switch (i) {
    case 0: l->login.free_failures = n; break;
    case 1: l->login.max_ms = n; break;
    case 2: l->queue_max = n; break;
    case 3: l->queue_per_addr = n; break;
    case 4: l->token_ttl_ms = n; break;
    case 5: o->per_address = (unsigned)n; break;
    default: o->header_timeout_s = (unsigned)n; break;
    }
    return 0;
}

static int set_login_free_failures(void *ctx, const char *v) { return set_number(ctx, v, 0); }
static int set_login_max_delay(void *ctx, const char *v) { return set_number(ctx, v, 1); }
static int set_login_queue(void *ctx, const char *v) { return set_number(ctx, v, 2); }
static int set_login_queue_per_address(void *ctx, const char *v) { return set_number(ctx, v, 3); }
static int set_token_ttl_days(void *ctx, const char *v) { return set_number(ctx, v, 4); }
static int set_per_address(void *ctx, const char *v) { return set_number(ctx, v, 5); }
static int set_header_timeout(void *ctx, const char *v) { return set_number(ctx, v, 6); }

/* TESSERA_CLOCK_OFFSET_MS, in the test build only (-DTESSERA_FAULTS, as the fault VFS):
 * runs this process that many ms in the future (or past), so that tests can see tokens
 * expire. A production build ignores the variable: its clock is the system's. */
static int clock_offset_from_env(void)
{
#ifndef TESSERA_FAULTS
    return 0;
#else
    const char *v = getenv("TESSERA_CLOCK_OFFSET_MS");
    int64_t n;
    if (!v)
        return 0;
    if (parse_i64(v, strlen(v), -((int64_t)1 << 50), (int64_t)1 << 50, &n)) {
        fprintf(stderr, "tessera: TESSERA_CLOCK_OFFSET_MS must be a whole number of ms\n");
        return -1;
    }
    clock_set_offset_ms(n);
    return 0;
#endif
}

const struct cli_opt cli_store_opts[] = {
    {"--db", "PATH", "the database (default tessera.db; created if missing)", set_db},
    {"--key", "PATH", "the server's master key (default <db>.key; created if missing)",
     set_key},
    {NULL, NULL, NULL, NULL},
};

const struct cli_opt cli_server_opts[] = {
    {"--listen", "HOST:PORT", "where to listen (default 127.0.0.1:8080; port 0: any free)",
     set_listen},
    {"--base-url", "URL", "how workers' browsers reach this server (default http://<listen>)",
     set_base_url},
    {"--max-connections-per-address", "N",
     "open connections one client address may hold (default 64; 0: no limit)",
     set_per_address},
    {"--header-timeout", "S",
     "seconds a connection has to finish its request headers (default 10; 0: none)",
     set_header_timeout},
    {"--login-free-failures", "N",
     "failed logins an address or name has before backoff starts (default 5)",
     set_login_free_failures},
    {"--login-max-delay", "S", "the longest login backoff, in seconds (default 60)",
     set_login_max_delay},
    {"--login-queue", "N", "logins waiting for a password check at most (default 64)",
     set_login_queue},
    {"--login-queue-per-address", "N",
     "logins one address may have waiting at most (default 4)", set_login_queue_per_address},
    {"--token-ttl-days", "D", "days a Login token lives after its last use (default 30)",
     set_token_ttl_days},
    {NULL, NULL, NULL, NULL},
};

const struct cli_opt cli_settings_opts[] = {
    {"--fee-percent", "P", "the platform fee on rewards and bonuses, 0..100 (kept in the db)",
     set_fee},
    {"--masters-approved", "N", "approved assignments for the Masters qualification (kept)",
     set_masters_approved},
    {"--masters-percent", "P", "approval percentage for the Masters qualification (kept)",
     set_masters_percent},
    {NULL, NULL, NULL, NULL},
};

const struct cli_opt *const cli_serve_tables[] = {cli_server_opts, cli_settings_opts,
                                                  cli_store_opts, NULL};

void cli_common_init(struct cli_common *o)
{
    o->db = "tessera.db";
    o->key[0] = '\0';
    o->listen = "127.0.0.1:8080";
    o->base_url[0] = '\0';
    o->fee_bp = -1;
    o->masters_approved = o->masters_percent = -1;
    o->per_address = HTTP_PER_ADDRESS_DEFAULT;
    o->header_timeout_s = HTTP_HEADER_TIMEOUT_DEFAULT;
    exec_limits_init(&o->limits);
}

int cli_common_finish(struct cli_common *o)
{
    if (clock_offset_from_env())
        return -1;
    if (!o->key[0] && snprintf(o->key, sizeof o->key, "%s.key", o->db) >= (int)sizeof o->key) {
        fprintf(stderr, "tessera: --db path is too long\n");
        return -1;
    }
    return 0;
}

void cli_usage_print(const struct cli_usage *u, FILE *f)
{
    const char *line = u->synopsis;
    int first = 1;
    do {
        size_t n = strcspn(line, "\n");
        fprintf(f, "%s tessera %s%s%.*s\n", first ? "usage:" : "      ", u->cmd, n ? " " : "",
                (int)n, line);
        line += n;
        first = 0;
    } while (*line++ == '\n' && *line);
    if (u->opts && u->opts[0] && u->opts[0]->name) {
        fputs("options:\n", f);
        for (const struct cli_opt *const *t = u->opts; *t; t++)
            for (const struct cli_opt *op = *t; op->name; op++) {
                char head[64];
                snprintf(head, sizeof head, "%s%s%s", op->name, op->arg ? " " : "",
                         op->arg ? op->arg : "");
                fprintf(f, "  %-24s %s\n", head, op->help);
            }
        fprintf(f, "  %-24s %s\n", "--help", "this text");
    }
    if (u->notes)
        fputs(u->notes, f);
}

/* The option called by the argument a ("--name" or "--name=value"), or NULL. */
static const struct cli_opt *opt_find(const struct cli_usage *u, const char *a, size_t *name_len)
{
    size_t n = strcspn(a, "=");
    if (!u->opts)
        return NULL;
    for (const struct cli_opt *const *t = u->opts; *t; t++)
        for (const struct cli_opt *op = *t; op->name; op++)
            if (strlen(op->name) == n && strncmp(op->name, a, n) == 0) {
                *name_len = n;
                return op;
            }
    return NULL;
}

/* One pass over argv. Without apply it only looks for --help and for errors of form
 * (unknown option, missing value, a value for a switch): --help wins wherever it stands,
 * else the first error is told with the usage; with apply it sets the options and keeps
 * the arguments. */
static int parse_pass(const struct cli_usage *u, void *ctx, int flags, int apply, int *argc,
                      char **argv)
{
    int out = 1, only_args = 0;
    char bad[256] = "";
    for (int i = 1; i < *argc; i++) {
        const char *a = argv[i], *v = NULL;
        const struct cli_opt *op;
        size_t n = 0;
        if (only_args || a[0] != '-' || a[1] == '\0') {
            if (flags & CLI_STOP_AT_ARG)
                only_args = 1;
            if (apply)
                argv[out++] = argv[i];
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_args = 1;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            cli_usage_print(u, stdout);
            return CLI_HELP;
        }
        op = opt_find(u, a, &n);
        if (!op) {
            if (!bad[0])
                snprintf(bad, sizeof bad, "unknown option \"%.200s\"", a);
            continue;
        }
        if (a[n] == '=')
            v = a + n + 1;
        if (op->arg && !v) {
            if (i + 1 >= *argc) {
                if (!bad[0])
                    snprintf(bad, sizeof bad, "%s needs a value", op->name);
                continue;
            }
            v = argv[++i];
        }
        if (!op->arg && v) {
            if (!bad[0])
                snprintf(bad, sizeof bad, "%s takes no value", op->name);
            continue;
        }
        if (apply && op->set(ctx, v))
            return 2;
    }
    if (bad[0]) {
        fprintf(stderr, "tessera %s: %s\n", u->cmd, bad);
        cli_usage_print(u, stderr);
        return 2;
    }
    if (apply)
        *argc = out;
    return 0;
}

int cli_parse(const struct cli_usage *u, void *ctx, int flags, int *argc, char **argv)
{
    int rc = parse_pass(u, ctx, flags, 0, argc, argv);
    return rc ? rc : parse_pass(u, ctx, flags, 1, argc, argv);
}

/* A setting kept in the meta table: given (>= 0) is stored, else the stored value (if
 * any, and within [min, max]) replaces *cur. */
static int meta_setting(struct store *st, const char *key, int64_t given, int64_t min,
                        int64_t max, int64_t *cur, struct ts_error *err)
{
    char v[32];
    int64_t n;
    int rc;

    if (given >= 0) {
        snprintf(v, sizeof v, "%lld", (long long)given);
        *cur = given;
        return store_meta_set(st, key, v, err);
    }
    rc = store_meta_get(st, key, v, sizeof v, err);
    if (rc == TS_ENOTFOUND)
        return 0;
    if (!rc && parse_i64(v, strlen(v), min, max, &n) == 0)
        *cur = n;
    return rc;
}

int cli_open(const struct cli_common *o, struct store **st, struct secrets **sec,
             struct core_config *cfg)
{
    struct ts_error err = {0};
    int64_t bp;
    int rc;

    core_config_init(cfg);
    rc = secrets_load(o->key, sec, &err);
    if (rc) {
        fprintf(stderr, "tessera: %s\n", err.msg);
        return rc;
    }
    rc = store_open(o->db, st, &err);
    if (rc) {
        fprintf(stderr, "tessera: %s\n", err.msg);
        secrets_free(*sec);
        return rc;
    }
    bp = cfg->fee_bp;
    rc = store_begin(*st, &err);
    if (!rc)
        rc = meta_setting(*st, "fee_bp", o->fee_bp, 0, 10000, &bp, &err);
    if (!rc)
        rc = meta_setting(*st, "masters_approved", o->masters_approved, 1, 1000000000,
                          &cfg->masters_approved, &err);
    if (!rc)
        rc = meta_setting(*st, "masters_percent", o->masters_percent, 0, 100,
                          &cfg->masters_percent, &err);
    rc = store_end(*st, rc, &err);
    cfg->fee_bp = (int)bp;
    if (rc) {
        fprintf(stderr, "tessera: %s\n", err.msg);
        store_close(*st);
        secrets_free(*sec);
    }
    return rc;
}

static int check_name(const char *name)
{
    long n = text_utf8_chars(name, strlen(name));
    if (n < 1 || n > 64 || strlen(name) >= sizeof ((struct account *)0)->name) {
        fprintf(stderr, "tessera: a name must be 1 to 64 characters of text\n");
        return -1;
    }
    return 0;
}

int cli_account_create(struct core_ctx *c, int role, const char *name, const char *country,
                       const char *subdivision, const char *password, int print_json,
                       char *token_out, size_t cap)
{
    struct ts_error err = {0};
    struct account a;
    char token[SECRETS_TOKEN_LEN + 1], key_id[21], secret[41];
    unsigned char hash[32], box[256];
    size_t box_len = 0;
    int rc;

    if (check_name(name))
        return TS_EINVAL;
    memset(&a, 0, sizeof a);
    a.role = role;
    snprintf(a.name, sizeof a.name, "%s", name);
    if (country) {
        if (strlen(country) != 2 || country[0] < 'A' || country[0] > 'Z' || country[1] < 'A' ||
            country[1] > 'Z') {
            fprintf(stderr, "tessera: --country must be an ISO 3166 code like US or DE\n");
            return TS_EINVAL;
        }
        snprintf(a.country, sizeof a.country, "%s", country);
    }
    if (subdivision)
        snprintf(a.subdivision, sizeof a.subdivision, "%s", subdivision);
    if (password && secrets_password_hash(password, a.pw_hash, &err)) {
        fprintf(stderr, "tessera: %s\n", err.msg);
        return err.code;
    }
    a.created_ms = c->now_ms;
    secrets_token_new(token);
    secrets_token_hash(token, hash);
    rc = store_begin(c->st, &err);
    if (!rc)
        rc = store_account_insert(c->st, &a, &err);
    if (!rc)
        rc = store_token_insert(c->st, hash, a.id, c->now_ms, &err);
    if (!rc && role == ROLE_REQUESTER) {
        secrets_access_key_new(key_id, secret);
        rc = secrets_seal(c->sec, secret, strlen(secret), box, sizeof box, &box_len, &err);
        if (!rc)
            rc = store_access_key_insert(c->st, key_id, a.id, box, box_len, c->now_ms, &err);
    }
    rc = store_end(c->st, rc, &err);
    if (rc) {
        fprintf(stderr, "tessera: %s\n", err.msg);
        goto out;
    }
    if (token_out)
        snprintf(token_out, cap, "%s", token);
    if (print_json) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(a.id));
        if (role == ROLE_REQUESTER) {
            json_object_set_new(o, "access_key_id", json_string(key_id));
            json_object_set_new(o, "secret_access_key", json_string(secret));
        }
        json_object_set_new(o, "token", json_string(token));
        json_dumpf(o, stdout, JSON_PRESERVE_ORDER);
        fputc('\n', stdout);
        json_decref(o);
    }
out:
    /* The plain token and secret exist only to be printed once. */
    sodium_memzero(token, sizeof token);
    sodium_memzero(secret, sizeof secret);
    return rc;
}
