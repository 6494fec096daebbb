/* common.c: what the subcommands share: the common options, opening the database and
 * the server key, and creating accounts with their credentials. */
#include "cli.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <sodium.h>
#include "../core/secrets.h"
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

/* The login limits and token lifetime of `serve` (docs/api.md, "Login limits"). Returns
 * 1 when a is one of them (its value v taken), 0 when it is not, -1 on a bad value. */
static int parse_limit(const char *a, const char *v, struct exec_limits *l)
{
    static const struct {
        const char *flag;
        int64_t min, max, scale;
        const char *unit;
    } flags[] = {
        {"--login-free-failures", 0, 1000, 1, "failures"},
        {"--login-max-delay", 1, 86400, 1000, "seconds"},
        {"--login-queue", 1, 100000, 1, "logins"},
        {"--login-queue-per-address", 1, 100000, 1, "logins"},
        {"--token-ttl-days", 1, 3650, (int64_t)86400 * 1000, "days"},
    };
    int64_t n;
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        if (strcmp(a, flags[i].flag) != 0)
            continue;
        if (!v || parse_i64(v, strlen(v), flags[i].min, flags[i].max, &n)) {
            fprintf(stderr, "tessera: %s must be a whole number of %s, %lld to %lld\n", a,
                    flags[i].unit, (long long)flags[i].min, (long long)flags[i].max);
            return -1;
        }
        n *= flags[i].scale;
        if (i == 0)
            l->login.free_failures = n;
        else if (i == 1)
            l->login.max_ms = n;
        else if (i == 2)
            l->queue_max = n;
        else if (i == 3)
            l->queue_per_addr = n;
        else
            l->token_ttl_ms = n;
        return 1;
    }
    return 0;
}

/* TESSERA_CLOCK_OFFSET_MS (tests only): runs this process that many ms in the future
 * (or past), so that tests can see tokens expire. */
static int clock_offset_from_env(void)
{
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
}

int cli_parse_common(int *argc, char **argv, struct cli_common *o)
{
    int out = 1;
    o->db = "tessera.db";
    o->key[0] = '\0';
    o->listen = "127.0.0.1:8080";
    o->base_url[0] = '\0';
    o->fee_bp = -1;
    o->masters_approved = o->masters_percent = -1;
    exec_limits_init(&o->limits);
    if (clock_offset_from_env())
        return -1;
    for (int i = 1; i < *argc; i++) {
        const char *a = argv[i];
        int has_value = i + 1 < *argc;
        int lim = parse_limit(a, has_value ? argv[i + 1] : NULL, &o->limits);
        if (lim < 0)
            return -1;
        if (lim) {
            i++;
            continue;
        }
        if (strcmp(a, "--db") == 0 || strcmp(a, "--key") == 0 || strcmp(a, "--listen") == 0 ||
            strcmp(a, "--base-url") == 0 ||
            strcmp(a, "--fee-percent") == 0 || strcmp(a, "--masters-approved") == 0 ||
            strcmp(a, "--masters-percent") == 0) {
            if (!has_value) {
                fprintf(stderr, "tessera: %s needs a value\n", a);
                return -1;
            }
            const char *v = argv[++i];
            if (strcmp(a, "--db") == 0)
                o->db = v;
            else if (strcmp(a, "--listen") == 0)
                o->listen = v;
            else if (strcmp(a, "--key") == 0)
                snprintf(o->key, sizeof o->key, "%s", v);
            else if (strcmp(a, "--base-url") == 0) {
                if (base_url_ok(v, o->base_url)) {
                    fprintf(stderr, "tessera: --base-url must be an http:// or https:// URL "
                                    "with a host and no query, at most 255 characters, as "
                                    "workers reach this server (e.g. "
                                    "https://tasks.example.org)\n");
                    return -1;
                }
            }
            else if (strcmp(a, "--masters-approved") == 0) {
                if (parse_i64(v, strlen(v), 1, 1000000000, &o->masters_approved)) {
                    fprintf(stderr, "tessera: --masters-approved must be a whole number "
                                    "1..1000000000\n");
                    return -1;
                }
            } else if (strcmp(a, "--masters-percent") == 0) {
                if (parse_i64(v, strlen(v), 0, 100, &o->masters_percent)) {
                    fprintf(stderr, "tessera: --masters-percent must be a whole number 0..100\n");
                    return -1;
                }
            } else {
                int64_t pct;
                if (parse_i64(v, strlen(v), 0, 100, &pct)) {
                    fprintf(stderr, "tessera: --fee-percent must be a whole number 0..100\n");
                    return -1;
                }
                o->fee_bp = (int)pct * 100;
            }
            continue;
        }
        argv[out++] = argv[i];
    }
    *argc = out;
    if (!o->key[0] && snprintf(o->key, sizeof o->key, "%s.key", o->db) >= (int)sizeof o->key) {
        fprintf(stderr, "tessera: --db path is too long\n");
        return -1;
    }
    return 0;
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
