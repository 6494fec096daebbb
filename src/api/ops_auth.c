/* ops_auth.c: a caller's own credentials through the native door: Login (the password
 * check runs on the executor's side thread, behind the login limits of exec.h), Logout,
 * and listing and revoking one's tokens and (requesters) access keys. Every operation
 * acts only on the caller's own credentials: another account's are "not found", never
 * listed, never revoked. */
#include "ops.h"
#include <stdio.h>
#include <string.h>
#include <sodium.h>
#include "param.h"
#include "render.h"
#include "../core/secrets.h"
#include "../core/timers.h"
#include "../util/banned.h"

/* The most access keys a requester may hold at once (CreateAccessKey refuses more). */
#define OPS_AUTH_MAX_KEYS 20
/* The most tokens ListMyTokens shows (the newest). */
#define OPS_AUTH_LIST_MAX 500

static int login_failed(struct ts_error *err)
{
    return ts_failk(err, TS_EAUTH, "LoginFailed", "wrong name or password");
}

/* The password check: argon2id takes tens of milliseconds on purpose, so it runs on the
 * executor's side thread, never on the writer. An unknown name costs the same time as a
 * wrong password, so timing does not tell which names exist. */
static int prep_login(struct store *st, json_t *in, int64_t *account_id, struct ts_error *err)
{
    const char *name = NULL, *pw = NULL;
    struct account a;
    int rc = param_str(in, "Name", PARAM_REQUIRED, 127, &name, err);
    if (!rc)
        rc = param_str(in, "Password", PARAM_REQUIRED, 256, &pw, err);
    if (rc)
        return rc;
    rc = store_account_by_name(st, name, &a, err);
    if (rc && rc != TS_ENOTFOUND)
        return rc;
    if (rc == TS_ENOTFOUND || !a.pw_hash[0]) {
        secrets_password_burn(pw);
        return login_failed(err);
    }
    if (secrets_password_verify(a.pw_hash, pw))
        return login_failed(err);
    *account_id = a.id;
    return 0;
}

/* Runs as the account prep_login verified: issues a new bearer token for it, which
 * expires token_ttl_ms after its last use (exec.c moves the expiry on). */
static int op_login(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    char token[SECRETS_TOKEN_LEN + 1], id[STORE_TOKEN_ID_MAX];
    unsigned char hash[32];
    int64_t expires = timers_token_expiry(c->core->now_ms, c->token_ttl_ms);
    int rc;
    (void)in;
    if (c->who.id <= 0)
        return login_failed(err);
    secrets_token_new(token);
    secrets_token_hash(token, hash);
    rc = store_token_insert_expiring(c->core->st, hash, c->who.id, c->core->now_ms, expires, 1,
                                     id, err);
    if (!rc) {
        json_object_set_new(out, "token", json_string(token));
        json_object_set_new(out, "id", json_integer(c->who.id));
        json_object_set_new(out, "TokenId", json_string(id));
        render_time(out, "Expiration", expires);
    }
    sodium_memzero(token, sizeof token);
    return rc;
}

static int op_logout(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    int rc;
    (void)in;
    (void)out;
    if (!c->token_hash)
        return ts_failk(err, TS_EINVAL, "NoToken",
                        "Logout revokes the bearer token it is called with; this request "
                        "came with none");
    rc = store_token_delete_hash(c->core->st, c->token_hash, err);
    if (!rc)
        c->auth_changed = 1;
    return rc;
}

struct token_list {
    json_t *arr;
    const unsigned char *mine;
};

static int add_token(void *ctx, const struct token_info *t)
{
    struct token_list *l = ctx;
    json_t *o = json_object();
    json_object_set_new(o, "TokenId", json_string(t->id));
    render_time(o, "CreationTime", t->created_ms);
    if (t->expires_ms)
        render_time(o, "Expiration", t->expires_ms);
    else
        json_object_set_new(o, "Expiration", json_null());
    json_object_set_new(o, "Current",
                        json_boolean(l->mine && sodium_memcmp(l->mine, t->hash, 32) == 0));
    json_array_append_new(l->arr, o);
    return 0;
}

static int op_list_my_tokens(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    struct token_list l = {json_array(), c->token_hash};
    int rc;
    (void)in;
    json_object_set_new(out, "Tokens", l.arr);
    rc = store_token_list(c->core->st, c->who.id, c->core->now_ms, OPS_AUTH_LIST_MAX, add_token,
                          &l, err);
    if (!rc)
        json_object_set_new(out, "NumResults", json_integer((json_int_t)json_array_size(l.arr)));
    return rc;
}

static int op_revoke_token(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    const char *id = NULL;
    int rc = param_str(in, "TokenId", PARAM_REQUIRED, STORE_TOKEN_ID_MAX - 1, &id, err);
    (void)out;
    if (rc)
        return rc;
    rc = store_token_revoke(c->core->st, c->who.id, id, err);
    if (rc == TS_ENOTFOUND)
        return ts_failk(err, TS_ENOTFOUND, "TokenDoesNotExist", "you have no token %s", id);
    if (!rc)
        c->auth_changed = 1;
    return rc;
}

static int count_key(void *ctx, const struct access_key_info *k)
{
    (void)k;
    (*(int *)ctx)++;
    return 0;
}

static int op_create_access_key(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    char key_id[21], secret[41];
    unsigned char box[256];
    size_t box_len = 0;
    int n = 0;
    int rc = store_access_key_list(c->core->st, c->who.id, OPS_AUTH_MAX_KEYS + 1, count_key, &n,
                                   err);
    (void)in;
    if (rc)
        return rc;
    if (n >= OPS_AUTH_MAX_KEYS)
        return ts_failk(err, TS_ECONFLICT, "LimitExceeded",
                        "you already have %d access keys, the most one may hold: revoke one "
                        "first (RevokeAccessKey)",
                        n);
    secrets_access_key_new(key_id, secret);
    rc = secrets_seal(c->core->sec, secret, strlen(secret), box, sizeof box, &box_len, err);
    if (!rc)
        rc = store_access_key_insert(c->core->st, key_id, c->who.id, box, box_len,
                                     c->core->now_ms, err);
    if (!rc) {
        json_object_set_new(out, "AccessKeyId", json_string(key_id));
        json_object_set_new(out, "SecretAccessKey", json_string(secret));
        render_time(out, "CreationTime", c->core->now_ms);
    }
    sodium_memzero(secret, sizeof secret);
    return rc;
}

static int add_key(void *ctx, const struct access_key_info *k)
{
    json_t *o = json_object();
    json_object_set_new(o, "AccessKeyId", json_string(k->key_id));
    render_time(o, "CreationTime", k->created_ms);
    json_array_append_new(ctx, o);
    return 0;
}

static int op_list_access_keys(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    json_t *arr = json_array();
    (void)in;
    json_object_set_new(out, "AccessKeys", arr);
    return store_access_key_list(c->core->st, c->who.id, OPS_AUTH_MAX_KEYS * 5, add_key, arr,
                                 err);
}

static int op_revoke_access_key(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    const char *id = NULL;
    int rc = param_str(in, "AccessKeyId", PARAM_REQUIRED, STORE_ID_MAX - 1, &id, err);
    (void)out;
    if (rc)
        return rc;
    rc = store_access_key_revoke(c->core->st, c->who.id, id, err);
    if (rc == TS_ENOTFOUND)
        return ts_failk(err, TS_ENOTFOUND, "AccessKeyDoesNotExist", "you have no access key %s",
                        id);
    if (!rc)
        c->auth_changed = 1; /* the executor forgets the key's secret */
    return rc;
}

static const char *const f_none[] = {NULL};
static const char *const f_login[] = {"Name", "Password", NULL};
static const char *const f_token[] = {"TokenId", NULL};
static const char *const f_key[] = {"AccessKeyId", NULL};

#define ANY (ROLE_REQUESTER | ROLE_WORKER | ROLE_ADMIN)

const struct op ops_auth[] = {
    {"Login", ROLE_NONE, OP_WRITE, f_login, op_login, prep_login},
    {"Logout", ANY, OP_WRITE, f_none, op_logout, NULL},
    {"ListMyTokens", ANY, 0, f_none, op_list_my_tokens, NULL},
    {"RevokeToken", ANY, OP_WRITE, f_token, op_revoke_token, NULL},
    {"CreateAccessKey", ROLE_REQUESTER, OP_WRITE, f_none, op_create_access_key, NULL},
    {"ListAccessKeys", ROLE_REQUESTER, 0, f_none, op_list_access_keys, NULL},
    {"RevokeAccessKey", ROLE_REQUESTER, OP_WRITE, f_key, op_revoke_access_key, NULL},
};
const size_t ops_auth_n = sizeof ops_auth / sizeof ops_auth[0];
