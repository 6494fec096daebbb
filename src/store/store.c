/* store.c: the backend-neutral half of store.h. It binds each call's values to a
 * statement named by id (sql.h), steps it and decodes its rows into the domain types
 * (model/model.h) over the database seam (db.h); the SQL text is the backend's table
 * (sql_sqlite.c) and the engine its db_*.c. The design is in docs/internals/store.md. */
#include "store.h"

#include <inttypes.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/alloc.h"
#include "db.h"
#include "../util/banned.h"



struct store {
    struct db *db;
    int version;
    /* Whether notify_settings may have a row: -1 not known yet, 0 none (every HIT event
     * asks, and almost always in vain, so "none" is answered without a query), 1 maybe.
     * Only this connection's writer adds rows; a put that rolls back leaves 1, which costs
     * a lookup and nothing else. */
    int nset_any;
};

/* ---- Helpers ---------------------------------------------------------------------- */

/* Copies a text column into a fixed array, truncating; NULL gives "". */
static void col_copy(struct db_stmt *s, int i, char *dst, size_t cap)
{
    const char *v = db_column_text(s, i);
    size_t n = v ? strlen(v) : 0;

    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, v, n);
    dst[n] = '\0';
}

static const char *ctext(struct db_stmt *s, int i)
{
    const char *v = db_column_text(s, i);
    return v ? v : "";
}

static char *col_dup(struct db_stmt *s, int i) /* NULL stays NULL */
{
    const char *v = db_column_text(s, i);
    return v ? xstrdup(v) : NULL;
}

static char *col_dup_nn(struct db_stmt *s, int i) /* NULL becomes "" */
{
    const char *v = db_column_text(s, i);
    return xstrdup(v ? v : "");
}

/* Steps a statement that returns no rows, then resets it. */
static int exec_stmt(struct store *st, struct db_stmt *s, const char *what, struct ts_error *err)
{
    int rc = db_step(s);

    if (rc != DB_DONE && rc != DB_ROW)
        rc = db_fail(st->db, rc, what, err);
    else
        rc = 0;
    db_reset(s);
    return rc;
}

static int exec_id(struct store *st, enum sql_id id, const char *what, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, id, &s, err);

    if (rc)
        return rc;
    return exec_stmt(st, s, what, err);
}

/* ---- Statement helpers ----------------------------------------------------------------
 * Every call below is: prepare a statement by id, bind its values, step it, decode what
 * it gives. ARGS(...) lists the values bound to ?1, ?2, ... in order; exec_args runs a
 * statement that returns no rows, get_row decodes the one row a lookup gives, get_int
 * reads one number, walk_page visits a page of a list. */

struct arg {
    int type; /* enum db_type */
    int64_t i;
    double d;
    const void *p; /* text (NUL-terminated; NULL binds NULL) or blob */
    size_t n;      /* blob bytes */
};
#define A_INT(x) ((struct arg){.type = DB_INTEGER, .i = (int64_t)(x)})
#define A_DBL(x) ((struct arg){.type = DB_FLOAT, .d = (x)})
#define A_TEXT(x) ((struct arg){.type = DB_TEXT, .p = (const char *)(x)})
#define A_OPT(x) A_TEXT(opt_text(x)) /* "" binds NULL (batch ids) */
#define A_BLOB(x, len) ((struct arg){.type = DB_BLOB, .p = (x), .n = (size_t)(len)})
#define A_NULL ((struct arg){.type = DB_NULL})
#define ARGS(...)                                                                          \
    (const struct arg[]){__VA_ARGS__},                                                     \
        (int)(sizeof((const struct arg[]){__VA_ARGS__}) / sizeof(struct arg))
#define NOARGS NULL, 0

static const char *opt_text(const char *v)
{
    return v && v[0] ? v : NULL;
}

static void bind_args(struct db_stmt *s, const struct arg *a, int n)
{
    for (int i = 0; i < n; i++) {
        switch (a[i].type) {
        case DB_INTEGER:
            db_bind_int(s, i + 1, a[i].i);
            break;
        case DB_FLOAT:
            db_bind_double(s, i + 1, a[i].d);
            break;
        case DB_TEXT:
            db_bind_text(s, i + 1, a[i].p);
            break;
        case DB_BLOB:
            db_bind_blob(s, i + 1, a[i].p, a[i].n);
            break;
        default:
            db_bind_null(s, i + 1);
            break;
        }
    }
}

/* Prepares id and binds a[0..n) to ?1..?n. */
static int prep(struct store *st, enum sql_id id, const struct arg *a, int n,
                struct db_stmt **out, struct ts_error *err)
{
    int rc = db_prepare(st->db, id, out, err);

    if (!rc)
        bind_args(*out, a, n);
    return rc;
}

/* Runs a statement that returns no rows: 0, or its failure mapped by db_fail (a
 * duplicate is TS_ECONFLICT, a missing reference TS_ENOTFOUND: a caller with a better
 * message for those replaces it). */
static int exec_args(struct store *st, enum sql_id id, const struct arg *a, int n,
                     const char *what, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = prep(st, id, a, n, &s, err);

    if (rc)
        return rc;
    return exec_stmt(st, s, what, err);
}

/* As exec_args; *changed says how many rows the statement changed. */
static int exec_changes(struct store *st, enum sql_id id, const struct arg *a, int n,
                        int64_t *changed, const char *what, struct ts_error *err)
{
    int rc = exec_args(st, id, a, n, what, err);

    *changed = rc ? 0 : db_changes(st->db);
    return rc;
}

typedef void (*row_read)(struct db_stmt *s, void *out);

/* Runs a lookup and decodes its first row into out with read. TS_ENOTFOUND, without a
 * message (the caller says what is missing), when there is none. */
static int get_row(struct store *st, enum sql_id id, const struct arg *a, int n, row_read read,
                   void *out, const char *what, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = prep(st, id, a, n, &s, err);

    if (rc)
        return rc;
    rc = db_step(s);
    if (rc == DB_ROW) {
        read(s, out);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = TS_ENOTFOUND;
    } else {
        rc = db_fail(st->db, rc, what, err);
    }
    db_reset(s);
    return rc;
}

static void read_int0(struct db_stmt *s, void *out)
{
    *(int64_t *)out = db_column_int(s, 0);
}

/* A text column copied into a fixed array (col_copy). */
struct text_out {
    char *p;
    size_t cap;
};

/* Column 0 of the lookup's first row; TS_ENOTFOUND (no message) when there is none. */
static int get_int(struct store *st, enum sql_id id, const struct arg *a, int n, int64_t *v,
                   const char *what, struct ts_error *err)
{
    return get_row(st, id, a, n, read_int0, v, what, err);
}

typedef int (*row_each)(struct db_stmt *s, void *ctx);

/* Runs a query and calls visit on each row; a non-zero return of visit stops the walk and
 * is returned. */
static int each_row(struct store *st, enum sql_id id, const struct arg *a, int n,
                    row_each visit, void *ctx, const char *what, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = prep(st, id, a, n, &s, err);

    if (rc)
        return rc;
    while ((rc = db_step(s)) == DB_ROW) {
        rc = visit(s, ctx);
        if (rc) {
            db_reset(s);
            return rc;
        }
    }
    rc = rc == DB_DONE ? 0 : db_fail(st->db, rc, what, err);
    db_reset(s);
    return rc;
}

/* Runs a DELETE (or an UPDATE) of one row: TS_ENOTFOUND, without a message, when it
 * changed none. */
static int change_one(struct store *st, enum sql_id id, const struct arg *a, int n,
                      const char *what, struct ts_error *err)
{
    int64_t changed;
    int rc = exec_changes(st, id, a, n, &changed, what, err);

    return !rc && changed == 0 ? TS_ENOTFOUND : rc;
}

static int check_id(const char *id, const char *what, struct ts_error *err)
{
    if (!id || !id[0] || strlen(id) >= STORE_ID_MAX)
        return ts_fail(err, TS_EINVAL, "%s id must be 1 to %d characters", what,
                       STORE_ID_MAX - 2);
    return 0;
}

/* ---- Opening and transactions ------------------------------------------------------ */

/* The backend a connection string names, and the part of it that backend opens: a file
 * path ("file:" or "sqlite:" before it, or nothing) for SQLite; "postgres://" and
 * "postgresql://" name PostgreSQL, which this build does not have. */
static int parse_conninfo(const char *conninfo, const char **target, struct ts_error *err)
{
    static const char *const sqlite_prefixes[] = {"sqlite://", "sqlite:", "file://", "file:"};
    static const char *const pg_prefixes[] = {"postgres://", "postgresql://", "postgres:"};

    if (!conninfo || !conninfo[0])
        return ts_fail(err, TS_EINVAL, "no database named: give a file path or a "
                       "connection string");
    for (size_t i = 0; i < sizeof pg_prefixes / sizeof pg_prefixes[0]; i++)
        if (strncmp(conninfo, pg_prefixes[i], strlen(pg_prefixes[i])) == 0)
            return ts_fail(err, TS_EINVAL, "the PostgreSQL backend is not built in this "
                           "version; give an SQLite database file");
    *target = conninfo;
    for (size_t i = 0; i < sizeof sqlite_prefixes / sizeof sqlite_prefixes[0]; i++) {
        size_t n = strlen(sqlite_prefixes[i]);
        if (strncmp(conninfo, sqlite_prefixes[i], n) == 0) {
            *target = conninfo + n;
            break;
        }
    }
    if (!(*target)[0])
        return ts_fail(err, TS_EINVAL, "the connection string %s names no database file",
                       conninfo);
    return 0;
}

int store_open(const char *conninfo, struct store **out, struct ts_error *err)
{
    const char *target = NULL;
    struct store *st;
    int rc = parse_conninfo(conninfo, &target, err);

    *out = NULL;
    if (rc)
        return rc;
    st = xcalloc(1, sizeof *st);
    rc = db_open(target, &st->db, &st->version, err);
    if (rc) {
        free(st);
        return rc;
    }
    st->nset_any = -1;
    *out = st;
    return 0;
}

void store_close(struct store *st)
{
    if (!st)
        return;
    db_close(st->db);
    free(st);
}

int store_schema_version(struct store *st)
{
    return st->version;
}

int store_begin(struct store *st, struct ts_error *err)
{
    return exec_id(st, S_BEGIN, "starting a transaction", err);
}

int store_commit(struct store *st, struct ts_error *err)
{
    return exec_id(st, S_COMMIT, "committing a transaction", err);
}

void store_rollback(struct store *st)
{
    /* SQLite may already have rolled back by itself (e.g. after an I/O error). */
    if (db_in_transaction(st->db))
        exec_id(st, S_ROLLBACK, "rolling back", NULL);
}

int store_end(struct store *st, int rc, struct ts_error *err)
{
    if (rc) {
        store_rollback(st);
        return rc;
    }
    rc = store_commit(st, err);
    if (rc)
        store_rollback(st);
    return rc;
}

int store_savepoint(struct store *st, struct ts_error *err)
{
    return exec_id(st, S_SAVEPOINT, "opening a savepoint", err);
}

int store_savepoint_release(struct store *st, struct ts_error *err)
{
    return exec_id(st, S_RELEASE, "releasing a savepoint", err);
}

void store_savepoint_rollback(struct store *st)
{
    if (!db_in_transaction(st->db))
        return;
    exec_id(st, S_ROLLBACK_TO, "rolling back to a savepoint", NULL);
    exec_id(st, S_RELEASE, "releasing a savepoint", NULL);
}

int store_in_transaction(struct store *st)
{
    return db_in_transaction(st->db);
}

int store_meta_get(struct store *st, const char *key, char *val, size_t cap,
                   struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = prep(st, S_META_GET, ARGS(A_TEXT(key)), &s, err);

    if (rc)
        return rc;
    rc = db_step(s);
    if (rc == DB_ROW) {
        const char *v = db_column_text(s, 0);
        size_t n = v ? strlen(v) : 0;
        if (n >= cap) {
            rc = ts_fail(err, TS_ETOOBIG, "setting %s is longer than %zu bytes", key, cap);
        } else {
            if (n)
                memcpy(val, v, n);
            val[n] = '\0';
            rc = 0;
        }
    } else if (rc == DB_DONE) {
        rc = ts_fail(err, TS_ENOTFOUND, "setting %s is not set", key);
    } else {
        rc = db_fail(st->db, rc, "reading a setting", err);
    }
    db_reset(s);
    return rc;
}

int store_meta_set(struct store *st, const char *key, const char *val, struct ts_error *err)
{
    return exec_args(st, S_META_SET, ARGS(A_TEXT(key), A_TEXT(val)), "writing a setting", err);
}

/* ---- Accounts and credentials ------------------------------------------------------ */

int store_account_insert(struct store *st, struct account *a, struct ts_error *err)
{
    int rc = exec_args(st, S_ACCOUNT_INSERT,
                       ARGS(A_INT(a->role), A_TEXT(a->name), A_TEXT(a->country),
                            A_TEXT(a->pw_hash), A_INT(a->created_ms), A_TEXT(a->subdivision),
                            A_INT(a->adult)),
                       "creating an account", err);

    if (rc == TS_ECONFLICT)
        return ts_fail(err, TS_ECONFLICT, "the account name %s is already taken", a->name);
    if (!rc)
        a->id = db_last_insert_id(st->db);
    return rc;
}

static void read_account(struct db_stmt *s, void *dst)
{
    struct account *out = dst;

    memset(out, 0, sizeof *out);
    out->id = db_column_int(s, 0);
    out->role = (int)db_column_int(s, 1);
    col_copy(s, 2, out->name, sizeof out->name);
    col_copy(s, 3, out->country, sizeof out->country);
    col_copy(s, 4, out->pw_hash, sizeof out->pw_hash);
    out->created_ms = db_column_int(s, 5);
    col_copy(s, 6, out->subdivision, sizeof out->subdivision);
    out->adult = (int)db_column_int(s, 7);
}

int store_account_profile_set(struct store *st, const struct account *a, struct ts_error *err)
{
    return exec_args(st, S_ACCOUNT_PROFILE,
                     ARGS(A_INT(a->id), A_TEXT(a->country), A_TEXT(a->subdivision),
                          A_INT(a->adult)),
                     "updating a worker's profile", err);
}

int store_account_get(struct store *st, int64_t id, struct account *out, struct ts_error *err)
{
    int rc = get_row(st, S_ACCOUNT_GET, ARGS(A_INT(id)), read_account, out,
                     "reading an account", err);

    if (rc == TS_ENOTFOUND)
        rc = ts_fail(err, TS_ENOTFOUND, "account %" PRId64 " does not exist", id);
    return rc;
}

int store_account_by_name(struct store *st, const char *name, struct account *out,
                          struct ts_error *err)
{
    int rc = get_row(st, S_ACCOUNT_BY_NAME, ARGS(A_TEXT(name)), read_account, out,
                     "reading an account", err);

    if (rc == TS_ENOTFOUND)
        rc = ts_fail(err, TS_ENOTFOUND, "account %s does not exist", name);
    return rc;
}

int store_token_insert(struct store *st, const unsigned char hash[32], int64_t account_id,
                       int64_t now_ms, struct ts_error *err)
{
    return store_token_insert_expiring(st, hash, account_id, now_ms, 0, 0, NULL, err);
}

int store_access_key_insert(struct store *st, const char *key_id, int64_t account_id,
                            const unsigned char *box, size_t box_len, int64_t now_ms,
                            struct ts_error *err)
{
    int rc;

    if (box_len > INT_MAX)
        return ts_fail(err, TS_ETOOBIG, "the access key secret is too long");
    rc = exec_args(st, S_AKEY_INSERT,
                   ARGS(A_TEXT(key_id), A_INT(account_id), A_BLOB(box, box_len), A_INT(now_ms)),
                   "storing an access key", err);
    if (rc == TS_ECONFLICT)
        rc = ts_fail(err, TS_ECONFLICT, "access key %s already exists", key_id);
    else if (rc == TS_ENOTFOUND)
        rc = ts_fail(err, TS_ENOTFOUND, "account %" PRId64 " does not exist", account_id);
    return rc;
}

int store_access_key_get(struct store *st, const char *key_id, int64_t *account_id,
                         unsigned char *box, size_t cap, size_t *box_len,
                         struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = prep(st, S_AKEY_GET, ARGS(A_TEXT(key_id)), &s, err);

    if (rc)
        return rc;
    rc = db_step(s);
    if (rc == DB_ROW) {
        size_t n;
        const void *p = db_column_blob(s, 1, &n);
        if (n > cap) {
            rc = ts_fail(err, TS_ETOOBIG, "access key %s: stored secret is %zu bytes, more "
                         "than %zu", key_id, n, cap);
        } else {
            *account_id = db_column_int(s, 0);
            if (n)
                memcpy(box, p, n);
            *box_len = n;
            rc = 0;
        }
    } else if (rc == DB_DONE) {
        rc = ts_fail(err, TS_ENOTFOUND, "access key %s does not exist", key_id);
    } else {
        rc = db_fail(st->db, rc, "reading an access key", err);
    }
    db_reset(s);
    return rc;
}

/* ---- Credentials that end (schema v17) -------------------------------------------- */

void store_token_id(const unsigned char hash[32], char id[STORE_TOKEN_ID_MAX])
{
    static const char hex[] = "0123456789abcdef";
    id[0] = 't';
    id[1] = 'k';
    for (int i = 0; i < 8; i++) {
        id[2 + 2 * i] = hex[hash[i] >> 4];
        id[3 + 2 * i] = hex[hash[i] & 15];
    }
    id[18] = '\0';
}

int store_token_insert_expiring(struct store *st, const unsigned char hash[32],
                                int64_t account_id, int64_t now_ms, int64_t expires_ms,
                                int sliding, char id_out[STORE_TOKEN_ID_MAX],
                                struct ts_error *err)
{
    char id[STORE_TOKEN_ID_MAX];
    int rc;

    store_token_id(hash, id);
    rc = exec_args(st, S_TOKEN_INSERT,
                   ARGS(A_BLOB(hash, 32), A_INT(account_id), A_INT(now_ms), A_TEXT(id),
                        expires_ms > 0 ? A_INT(expires_ms) : A_NULL,
                        A_INT(expires_ms > 0 && sliding)),
                   "storing a token", err);
    if (rc == TS_ECONFLICT)
        rc = ts_fail(err, TS_ECONFLICT, "this token is already registered");
    else if (rc == TS_ENOTFOUND)
        rc = ts_fail(err, TS_ENOTFOUND, "account %" PRId64 " does not exist", account_id);
    if (!rc && id_out)
        memcpy(id_out, id, sizeof id);
    return rc;
}

struct token_row {
    int64_t *account_id, *expires_ms;
    int *sliding;
};

static void read_token(struct db_stmt *s, void *dst)
{
    const struct token_row *t = dst;

    *t->account_id = db_column_int(s, 0);
    *t->expires_ms = db_column_int(s, 1);
    *t->sliding = db_column_int(s, 2) != 0;
}

int store_token_find(struct store *st, const unsigned char hash[32], int64_t *account_id,
                     int64_t *expires_ms, int *sliding, struct ts_error *err)
{
    struct token_row t = {account_id, expires_ms, sliding};
    int rc = get_row(st, S_TOKEN_FIND, ARGS(A_BLOB(hash, 32)), read_token, &t,
                     "looking up a token", err);

    return rc == TS_ENOTFOUND ? ts_fail(err, rc, "the token is unknown") : rc;
}

int store_token_extend(struct store *st, const unsigned char hash[32], int64_t expires_ms,
                       struct ts_error *err)
{
    return exec_args(st, S_TOKEN_EXTEND, ARGS(A_BLOB(hash, 32), A_INT(expires_ms)),
                     "extending a token", err);
}

int store_token_delete_hash(struct store *st, const unsigned char hash[32], struct ts_error *err)
{
    int rc = change_one(st, S_TOKEN_DELETE_HASH, ARGS(A_BLOB(hash, 32)), "revoking a token",
                        err);

    return rc == TS_ENOTFOUND ? ts_fail(err, rc, "the token is unknown") : rc;
}

int store_token_revoke(struct store *st, int64_t account_id, const char *id, struct ts_error *err)
{
    int rc = change_one(st, S_TOKEN_REVOKE, ARGS(A_TEXT(id), A_INT(account_id)),
                        "revoking a token", err);

    return rc == TS_ENOTFOUND ? ts_fail(err, rc, "there is no token %.40s", id) : rc;
}

struct each_cb {
    store_token_cb token;
    store_access_key_cb access_key;
    store_avail_cb avail;
    void *ctx;
};

static int visit_token(struct db_stmt *s, void *ctx)
{
    const struct each_cb *cb = ctx;
    struct token_info t;
    size_t hn;
    const void *h = db_column_blob(s, 4, &hn);

    col_copy(s, 0, t.id, sizeof t.id);
    t.account_id = db_column_int(s, 1);
    t.created_ms = db_column_int(s, 2);
    t.expires_ms = db_column_int(s, 3);
    memset(t.hash, 0, sizeof t.hash);
    if (h && hn == 32)
        memcpy(t.hash, h, 32);
    return cb->token(cb->ctx, &t);
}

int store_token_list(struct store *st, int64_t account_id, int64_t now_ms, int limit,
                     store_token_cb cb, void *ctx, struct ts_error *err)
{
    struct each_cb e = {.token = cb, .ctx = ctx};

    return each_row(st, S_TOKEN_LIST, ARGS(A_INT(account_id), A_INT(now_ms), A_INT(limit)),
                    visit_token, &e, "listing tokens", err);
}

int store_token_prune(struct store *st, int64_t now_ms, int limit, int *deleted,
                      struct ts_error *err)
{
    int64_t n;
    int rc = exec_changes(st, S_TOKEN_PRUNE, ARGS(A_INT(now_ms), A_INT(limit)), &n,
                          "pruning expired tokens", err);

    *deleted = (int)n;
    return rc;
}

static int visit_access_key(struct db_stmt *s, void *ctx)
{
    const struct each_cb *cb = ctx;
    struct access_key_info k;

    col_copy(s, 0, k.key_id, sizeof k.key_id);
    k.account_id = db_column_int(s, 1);
    k.created_ms = db_column_int(s, 2);
    return cb->access_key(cb->ctx, &k);
}

int store_access_key_list(struct store *st, int64_t account_id, int limit,
                          store_access_key_cb cb, void *ctx, struct ts_error *err)
{
    struct each_cb e = {.access_key = cb, .ctx = ctx};

    return each_row(st, S_AKEY_LIST, ARGS(A_INT(account_id), A_INT(limit)), visit_access_key,
                    &e, "listing access keys", err);
}

int store_access_key_revoke(struct store *st, int64_t account_id, const char *key_id,
                            struct ts_error *err)
{
    int rc = change_one(st, S_AKEY_REVOKE, ARGS(A_TEXT(key_id), A_INT(account_id)),
                        "revoking an access key", err);

    return rc == TS_ENOTFOUND ? ts_fail(err, rc, "there is no access key %.40s", key_id) : rc;
}

/* ---- Ledger ----------------------------------------------------------------------- */

static int ledger_find(struct store *st, int64_t owner, enum ledger_kind kind, int64_t *id,
                       struct ts_error *err)
{
    return get_int(st, S_LEDGER_FIND, ARGS(A_INT(owner), A_INT(kind)), id,
                   "finding a ledger account", err);
}

int store_ledger_account(struct store *st, int64_t owner, enum ledger_kind kind,
                         int64_t *ledger_id, struct ts_error *err)
{
    int rc = ledger_find(st, owner, kind, ledger_id, err);

    if (rc != TS_ENOTFOUND)
        return rc;
    rc = exec_args(st, S_LEDGER_CREATE, ARGS(A_INT(owner), A_INT(kind)),
                   "creating a ledger account", err);
    if (rc)
        return rc;
    rc = ledger_find(st, owner, kind, ledger_id, err);
    if (rc == TS_ENOTFOUND)
        rc = ts_fail(err, TS_EIO, "ledger account (%" PRId64 ", %d) vanished after creation",
                     owner, (int)kind);
    return rc;
}

int store_ledger_balance(struct store *st, int64_t ledger_id, int64_t *balance,
                         struct ts_error *err)
{
    int rc = get_int(st, S_LEDGER_BALANCE, ARGS(A_INT(ledger_id)), balance,
                     "reading a balance", err);

    if (rc == TS_ENOTFOUND)
        rc = ts_fail(err, TS_ENOTFOUND, "ledger account %" PRId64 " does not exist",
                     ledger_id);
    return rc;
}

/* One leg: the posting, then the balance moved by its amount in one statement, under
 * the table's CHECKs (schema v18): balance_funded refuses a negative balance of any
 * account but the external one (TS_EFUNDS), balance_integer an overflow (which SQLite
 * would turn into a real). */
static int journal_post(struct store *st, int64_t entry, const struct posting *p,
                        struct ts_error *err)
{
    int64_t changed;
    int rc = exec_args(st, S_POSTING_INSERT,
                       ARGS(A_INT(entry), A_INT(p->ledger_id), A_INT(p->amount)),
                       "inserting a posting", err);

    if (rc == TS_ENOTFOUND)
        return ts_fail(err, TS_ENOTFOUND, "ledger account %" PRId64 " does not exist",
                       p->ledger_id);
    if (rc)
        return rc;
    rc = exec_changes(st, S_LEDGER_ADD, ARGS(A_INT(p->ledger_id), A_INT(p->amount)), &changed,
                      "updating a balance", err);
    if (rc == TS_EINVAL && strstr(db_errmsg(st->db), "balance_funded"))
        return ts_failk(err, TS_EFUNDS, "InsufficientFunds",
                        "ledger account %" PRId64 ": insufficient funds", p->ledger_id);
    if (rc == TS_EINVAL)
        return ts_fail(err, TS_EINVAL, "ledger account %" PRId64 ": balance would overflow",
                       p->ledger_id);
    if (!rc && changed != 1)
        return ts_fail(err, TS_ENOTFOUND, "ledger account %" PRId64 " does not exist",
                       p->ledger_id);
    return rc;
}

int store_journal_insert(struct store *st, const struct journal_entry *e, int64_t *entry_id,
                         struct ts_error *err)
{
    int64_t id = 0;
    /* An inner savepoint makes a failed insert leave nothing behind. */
    int rc = exec_id(st, S_JSAVEPOINT, "opening a savepoint", err);

    if (rc)
        return rc;
    rc = exec_args(st, S_JOURNAL_INSERT,
                   ARGS(A_TEXT(e->kind), A_TEXT(e->ref ? e->ref : ""), A_INT(e->at_ms)),
                   "inserting a journal entry", err);
    if (!rc)
        id = db_last_insert_id(st->db);
    for (int i = 0; !rc && i < e->n; i++)
        rc = journal_post(st, id, &e->postings[i], err);
    if (rc) {
        if (db_in_transaction(st->db)) {
            exec_id(st, S_JROLLBACK_TO, "rolling back a journal entry", NULL);
            exec_id(st, S_JRELEASE, "releasing a savepoint", NULL);
        }
        return rc;
    }
    rc = exec_id(st, S_JRELEASE, "releasing a savepoint", err);
    if (!rc && entry_id)
        *entry_id = id;
    return rc;
}

int store_journal_count(struct store *st, const char *kind, const char *ref, int64_t *n,
                        struct ts_error *err)
{
    return get_int(st, S_JOURNAL_COUNT, ARGS(A_TEXT(kind), A_TEXT(ref ? ref : "")), n,
                   "counting journal entries", err);
}

/* ---- Idempotency tokens ------------------------------------------------------------ */

static void read_text0(struct db_stmt *s, void *dst)
{
    const struct text_out *t = dst;

    col_copy(s, 0, t->p, t->cap);
}

int store_request_token_get(struct store *st, int64_t requester_id, const char *op,
                            const char *token, int64_t since_ms, char *ref, size_t cap,
                            struct ts_error *err)
{
    struct text_out t = {ref, cap};
    int rc = get_row(st, S_RTOKEN_GET,
                     ARGS(A_INT(requester_id), A_TEXT(op), A_TEXT(token), A_INT(since_ms)),
                     read_text0, &t, "reading a request token", err);

    if (rc == TS_ENOTFOUND)
        rc = ts_fail(err, TS_ENOTFOUND, "request token %s has not been seen", token);
    return rc;
}

int store_request_token_put(struct store *st, int64_t requester_id, const char *op,
                            const char *token, const char *ref, int64_t now_ms,
                            struct ts_error *err)
{
    return exec_args(st, S_RTOKEN_PUT,
                     ARGS(A_INT(requester_id), A_TEXT(op), A_TEXT(token),
                          A_TEXT(ref ? ref : ""), A_INT(now_ms)),
                     "storing a request token", err);
}

/* ---- HIT types -------------------------------------------------------------------- */

static const char *nn(const char *v)
{
    return v ? v : "";
}

int store_hit_type_insert(struct store *st, const struct hit_type *t, struct ts_error *err)
{
    int rc = check_id(t->id, "HIT type", err);

    if (!rc)
        rc = exec_args(st, S_TYPE_INSERT,
                       ARGS(A_TEXT(t->id), A_INT(t->requester_id), A_TEXT(nn(t->title)),
                            A_TEXT(nn(t->description)), A_TEXT(nn(t->keywords)),
                            A_TEXT(t->quals_json ? t->quals_json : "[]"), A_INT(t->reward),
                            A_INT(t->duration_s), A_INT(t->auto_approval_s),
                            A_INT(t->created_ms)),
                       "creating a HIT type", err);
    if (rc == TS_ECONFLICT)
        rc = ts_fail(err, TS_ECONFLICT, "HIT type %s already exists", t->id);
    else if (rc == TS_ENOTFOUND)
        rc = ts_fail(err, TS_ENOTFOUND, "requester %" PRId64 " does not exist",
                     t->requester_id);
    return rc;
}

static void read_hit_type(struct db_stmt *s, void *dst)
{
    struct hit_type *out = dst;

    memset(out, 0, sizeof *out);
    col_copy(s, 0, out->id, sizeof out->id);
    out->requester_id = db_column_int(s, 1);
    out->title = col_dup_nn(s, 2);
    out->description = col_dup_nn(s, 3);
    out->keywords = col_dup_nn(s, 4);
    out->quals_json = col_dup_nn(s, 5);
    out->reward = db_column_int(s, 6);
    out->duration_s = db_column_int(s, 7);
    out->auto_approval_s = db_column_int(s, 8);
    out->created_ms = db_column_int(s, 9);
}

int store_hit_type_get(struct store *st, const char *id, struct hit_type *out,
                       struct ts_error *err)
{
    int rc = get_row(st, S_TYPE_GET, ARGS(A_TEXT(id)), read_hit_type, out,
                     "reading a HIT type", err);

    if (rc == TS_ENOTFOUND)
        rc = ts_fail(err, TS_ENOTFOUND, "HIT type %s does not exist", id);
    return rc;
}

int store_hit_type_find(struct store *st, const struct hit_type *t, char id[STORE_ID_MAX],
                        struct ts_error *err)
{
    struct text_out o = {id, STORE_ID_MAX};
    int rc = get_row(st, S_TYPE_FIND,
                     ARGS(A_INT(t->requester_id), A_TEXT(nn(t->title)),
                          A_TEXT(nn(t->description)), A_TEXT(nn(t->keywords)),
                          A_TEXT(t->quals_json ? t->quals_json : "[]"), A_INT(t->reward),
                          A_INT(t->duration_s), A_INT(t->auto_approval_s)),
                     read_text0, &o, "finding a HIT type", err);

    if (rc == TS_ENOTFOUND)
        rc = ts_fail(err, TS_ENOTFOUND, "no HIT type with these properties exists");
    return rc;
}

/* ---- HITs ------------------------------------------------------------------------- */

static void read_hit(struct db_stmt *s, void *dst) /* columns: HIT_COLS */
{
    struct hit *h = dst;

    memset(h, 0, sizeof *h);
    h->seq = db_column_int(s, 0);
    col_copy(s, 1, h->id, sizeof h->id);
    col_copy(s, 2, h->hit_type_id, sizeof h->hit_type_id);
    col_copy(s, 3, h->batch_id, sizeof h->batch_id);
    h->requester_id = db_column_int(s, 4);
    h->question = col_dup(s, 5);
    h->input_json = col_dup(s, 6);
    h->annotation = col_dup(s, 7);
    h->reward = db_column_int(s, 8);
    h->fee = db_column_int(s, 9);
    h->max_assignments = db_column_int(s, 10);
    h->pending = db_column_int(s, 11);
    h->submitted = db_column_int(s, 12);
    h->approved = db_column_int(s, 13);
    h->rejected = db_column_int(s, 14);
    h->created_ms = db_column_int(s, 15);
    h->expires_ms = db_column_int(s, 16);
    h->escrow = db_column_int(s, 17);
    h->reviewing = (int)db_column_int(s, 18);
    h->disposed = (int)db_column_int(s, 19);
    h->expired = (int)db_column_int(s, 20);
    h->gold = col_dup(s, 21);
    h->consensus = col_dup(s, 22);
    h->confidence = db_column_double(s, 23);
    h->overlap_max = db_column_int(s, 24);
    h->qc = (int)db_column_int(s, 25);
    h->policies = (int)db_column_int(s, 26);
    h->form = (int)db_column_int(s, 27);
    col_copy(s, 28, h->layout_id, sizeof h->layout_id);
}

int store_hit_insert(struct store *st, struct hit *h, struct ts_error *err)
{
    int rc = check_id(h->id, "HIT", err);

    if (!rc)
        rc = exec_args(st, S_HIT_INSERT,
                       ARGS(A_TEXT(h->id), A_TEXT(h->hit_type_id), A_OPT(h->batch_id),
                            A_INT(h->requester_id), A_INT(h->reward), A_INT(h->fee),
                            A_INT(h->max_assignments), A_INT(h->pending), A_INT(h->submitted),
                            A_INT(h->approved), A_INT(h->rejected), A_INT(h->created_ms),
                            A_INT(h->expires_ms), A_INT(h->escrow), A_INT(h->reviewing),
                            A_INT(h->disposed), A_INT(h->expired), A_TEXT(h->gold),
                            A_INT(h->overlap_max), A_INT(h->qc), A_INT(h->form)),
                       "creating a HIT", err);
    if (rc == TS_ECONFLICT)
        return ts_fail(err, TS_ECONFLICT, "HIT %s already exists", h->id);
    if (rc == TS_ENOTFOUND)
        return ts_fail(err, TS_ENOTFOUND,
                       "HIT %s: HIT type %s or requester %" PRId64 " does not exist", h->id,
                       h->hit_type_id, h->requester_id);
    if (rc)
        return rc;
    h->seq = db_last_insert_id(st->db);
    if (h->layout_id[0]) {
        rc = exec_args(st, S_HIT_LAYOUT_INSERT, ARGS(A_INT(h->seq), A_TEXT(h->layout_id)),
                       "recording a HIT's layout", err);
        if (rc)
            return rc;
    }
    return exec_args(st, S_HIT_TEXTS_INSERT,
                     ARGS(A_INT(h->seq), A_TEXT(nn(h->question)), A_TEXT(h->input_json),
                          A_TEXT(h->annotation)),
                     "storing a HIT's question", err);
}

int store_hit_get(struct store *st, const char *id, struct hit *out, struct ts_error *err)
{
    int rc = get_row(st, S_HIT_GET, ARGS(A_TEXT(id)), read_hit, out, "reading a HIT", err);

    if (rc == TS_ENOTFOUND)
        rc = ts_fail(err, TS_ENOTFOUND, "HIT %s does not exist", id);
    return rc;
}

int store_hit_set_type(struct store *st, const struct hit *h, struct ts_error *err)
{
    return exec_args(st, S_HIT_SET_TYPE, ARGS(A_TEXT(h->id), A_TEXT(h->hit_type_id)),
                     "changing a HIT's type", err);
}

int store_hit_set_consensus(struct store *st, const struct hit *h, struct ts_error *err)
{
    return exec_args(st, S_HIT_SET_CONSENSUS,
                     ARGS(A_TEXT(h->id), A_TEXT(h->consensus), A_DBL(h->confidence)),
                     "storing a HIT's consensus", err);
}

static void read_hit_texts(struct db_stmt *s, void *dst)
{
    struct hit *h = dst;

    free(h->question);
    free(h->input_json);
    free(h->annotation);
    h->question = col_dup_nn(s, 0);
    h->input_json = col_dup(s, 1);
    h->annotation = col_dup(s, 2);
    col_copy(s, 3, h->layout_id, sizeof h->layout_id);
}

int store_hit_load_texts(struct store *st, struct hit *h, struct ts_error *err)
{
    int rc = get_row(st, S_HIT_TEXTS_GET, ARGS(A_INT(h->seq)), read_hit_texts, h,
                     "reading a HIT's question", err);

    if (rc == TS_ENOTFOUND)
        rc = ts_fail(err, TS_EIO, "HIT %s has no stored question", h->id);
    return rc;
}

int store_hit_update(struct store *st, const struct hit *h, struct ts_error *err)
{
    int rc = change_one(st, S_HIT_UPDATE,
                        ARGS(A_TEXT(h->id), A_INT(h->expires_ms), A_INT(h->reviewing),
                             A_INT(h->disposed), A_INT(h->expired), A_INT(h->overlap_max)),
                        "updating a HIT", err);

    return rc == TS_ENOTFOUND ? ts_fail(err, rc, "HIT %s does not exist", h->id) : rc;
}

int store_hit_add_counts(struct store *st, const char *hit_id, const struct hit_counts *d,
                         struct ts_error *err)
{
    int rc = change_one(st, S_HIT_ADD_COUNTS,
                        ARGS(A_TEXT(hit_id), A_INT(d->pending), A_INT(d->submitted),
                             A_INT(d->approved), A_INT(d->rejected), A_INT(d->escrow)),
                        "updating a HIT", err);

    return rc == TS_ENOTFOUND ? ts_fail(err, rc, "HIT %s does not exist", hit_id) : rc;
}

int store_hit_add_max(struct store *st, const char *hit_id, int64_t delta, int64_t cap,
                      struct ts_error *err)
{
    int rc = change_one(st, S_HIT_ADD_MAX, ARGS(A_TEXT(hit_id), A_INT(delta), A_INT(cap)),
                        "updating a HIT's assignments", err);

    return rc == TS_ENOTFOUND
               ? ts_fail(err, TS_ECONFLICT,
                         "HIT %s does not exist or cannot have %+lld assignments within "
                         "its bounds",
                         hit_id, (long long)delta)
               : rc;
}

int store_hit_next_open(struct store *st, const char *hit_type_id, int64_t worker_id,
                        int64_t now_ms, int gold, char hit_id[STORE_ID_MAX],
                        struct ts_error *err)
{
    struct text_out o = {hit_id, STORE_ID_MAX};
    int rc = get_row(st, S_HIT_NEXT_OPEN,
                     ARGS(A_TEXT(hit_type_id), A_INT(worker_id), A_INT(now_ms),
                          A_INT(gold ? 1 : 0)),
                     read_text0, &o, "finding an open HIT", err);

    if (rc == TS_ENOTFOUND)
        rc = ts_fail(err, TS_ENOTFOUND, "HIT type %s has no %sHIT open to worker %" PRId64,
                     hit_type_id, gold ? "gold " : "", worker_id);
    return rc;
}

/* Walks a bound list statement whose first column is seq: calls visit for up to limit
 * rows (the statement was bound with LIMIT limit + 1), then resets it. */
struct list_cb {
    store_layout_cb layout;
    store_hit_cb hit;
    store_asg_cb asg;
    store_bonus_cb bonus;
    store_block_cb block;
    store_qual_type_cb qual_type;
    store_qual_cb qual;
    store_message_cb message;
    store_qual_request_cb qual_request;
    store_notify_cb notify;
    store_review_item_cb review_item;
    void *ctx;
};
typedef int (*row_visit)(struct db_stmt *s, const struct list_cb *cb);

static int walk_rows(struct store *st, struct db_stmt *s, int limit, row_visit visit,
                     const struct list_cb *cb, int64_t *last_seq, int *more, const char *what,
                     struct ts_error *err)
{
    int rc, visited = 0, stop = 0;

    *last_seq = 0;
    *more = 0;
    for (;;) {
        rc = db_step(s);
        if (rc == DB_DONE) {
            rc = 0;
            break;
        }
        if (rc != DB_ROW) {
            rc = db_fail(st->db, rc, what, err);
            break;
        }
        if (visited >= limit || stop) {
            *more = 1;
            rc = 0;
            break;
        }
        visited++;
        *last_seq = db_column_int(s, 0);
        stop = visit(s, cb) != 0;
    }
    db_reset(s);
    return rc;
}

/* Prepares a list statement, binds a[0..n) and walks it (walk_rows). */
static int walk_page(struct store *st, enum sql_id id, const struct arg *a, int n, int limit,
                     row_visit visit, const struct list_cb *cb, int64_t *last_seq, int *more,
                     const char *what, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc;

    *last_seq = 0;
    *more = 0;
    if (limit < 0)
        return ts_fail(err, TS_EINVAL, "the list limit must not be negative");
    rc = prep(st, id, a, n, &s, err);
    if (rc)
        return rc;
    return walk_rows(st, s, limit, visit, cb, last_seq, more, what, err);
}

static int visit_hit(struct db_stmt *s, const struct list_cb *cb)
{
    struct hit h;
    int r;

    read_hit(s, &h);
    r = cb->hit(cb->ctx, &h);
    store_hit_release(&h);
    return r;
}

int store_hit_list(struct store *st, const struct hit_filter *f, int64_t after_seq, int limit,
                   store_hit_cb cb, void *ctx, int64_t *last_seq, int *more,
                   struct ts_error *err)
{
    int by_batch = f->batch_id && f->batch_id[0];
    struct list_cb lcb = {.hit = cb, .ctx = ctx};
    char quoted[72]; /* ids are at most 64 characters */

    if (f->qual_type_id)
        snprintf(quoted, sizeof quoted, "\"%s\"", f->qual_type_id);
    return walk_page(st, by_batch ? S_HIT_LIST_BATCH : S_HIT_LIST_REQ,
                     ARGS(A_INT(f->requester_id), A_INT(after_seq), A_TEXT(f->hit_type_id),
                          A_INT(f->mode), A_INT(f->now_ms), A_INT((int64_t)limit + 1),
                          A_TEXT(by_batch ? f->batch_id : NULL),
                          A_TEXT(f->qual_type_id ? quoted : NULL)),
                     limit, visit_hit, &lcb, last_seq, more, "listing HITs", err);
}

static int collect_ids(struct store *st, struct db_stmt *s, char (*ids)[STORE_ID_MAX], int cap,
                       int *n, const char *what, struct ts_error *err)
{
    int rc;

    *n = 0;
    for (;;) {
        rc = db_step(s);
        if (rc != DB_ROW || *n >= cap)
            break;
        col_copy(s, 0, ids[*n], STORE_ID_MAX);
        (*n)++;
    }
    if (rc == DB_ROW || rc == DB_DONE)
        rc = 0;
    else
        rc = db_fail(st->db, rc, what, err);
    db_reset(s);
    return rc;
}

/* Prepares an id list statement, binds a[0..n) and collects up to cap ids. */
static int collect_page(struct store *st, enum sql_id id, const struct arg *a, int n,
                        char (*ids)[STORE_ID_MAX], int cap, int *count, const char *what,
                        struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = prep(st, id, a, n, &s, err);

    *count = 0;
    if (rc)
        return rc;
    return collect_ids(st, s, ids, cap, count, what, err);
}

int store_hit_due_expiry(struct store *st, int64_t now_ms, char (*ids)[STORE_ID_MAX], int cap,
                         int *n, struct ts_error *err)
{
    return collect_page(st, S_HIT_DUE_EXPIRY, ARGS(A_INT(now_ms), A_INT(cap < 0 ? 0 : cap)),
                        ids, cap, n, "listing expired HITs", err);
}

static int visit_avail(struct db_stmt *s, void *ctx)
{
    const struct each_cb *cb = ctx;

    return cb->avail(cb->ctx, ctext(s, 0), db_column_int(s, 1)) != 0;
}

int store_available_types(struct store *st, int64_t worker_id, int64_t now_ms,
                          store_avail_cb cb, void *ctx, struct ts_error *err)
{
    struct each_cb e = {.avail = cb, .ctx = ctx};
    int rc = each_row(st, S_AVAILABLE_TYPES, ARGS(A_NULL, A_INT(worker_id), A_INT(now_ms)),
                      visit_avail, &e, "listing available HIT types", err);

    return rc == 1 ? 0 : rc; /* a callback that stops the walk is not a failure */
}

/* ---- Assignments ------------------------------------------------------------------ */

static void read_asg(struct db_stmt *s, void *dst) /* columns: ASG_COLS */
{
    struct assignment *a = dst;

    memset(a, 0, sizeof *a);
    a->seq = db_column_int(s, 0);
    col_copy(s, 1, a->id, sizeof a->id);
    col_copy(s, 2, a->hit_id, sizeof a->hit_id);
    col_copy(s, 3, a->hit_type_id, sizeof a->hit_type_id);
    a->worker_id = db_column_int(s, 4);
    a->requester_id = db_column_int(s, 5);
    a->status = (enum asg_status)(int)db_column_int(s, 6);
    a->accepted_ms = db_column_int(s, 7);
    a->deadline_ms = db_column_int(s, 8);
    a->submitted_ms = db_column_int(s, 9);
    a->auto_approve_ms = db_column_int(s, 10);
    a->approved_ms = db_column_int(s, 11);
    a->rejected_ms = db_column_int(s, 12);
    a->returned_ms = db_column_int(s, 13);
    a->answer_json = col_dup(s, 14);
    a->feedback = col_dup(s, 15);
    a->label = col_dup(s, 16);
}

int store_asg_insert(struct store *st, struct assignment *a, struct ts_error *err)
{
    int rc = check_id(a->id, "assignment", err);

    if (!rc)
        rc = exec_args(st, S_ASG_INSERT,
                       ARGS(A_TEXT(a->id), A_TEXT(a->hit_id), A_TEXT(a->hit_type_id),
                            A_INT(a->worker_id), A_INT(a->requester_id), A_INT(a->status),
                            A_INT(a->accepted_ms), A_INT(a->deadline_ms),
                            A_INT(a->submitted_ms), A_INT(a->auto_approve_ms),
                            A_INT(a->approved_ms), A_INT(a->rejected_ms),
                            A_INT(a->returned_ms), A_TEXT(a->answer_json),
                            A_TEXT(a->feedback), A_TEXT(a->label)),
                       "creating an assignment", err);
    if (rc == TS_ECONFLICT && strstr(db_errmsg(st->db), "worker_id"))
        return ts_fail(err, TS_ECONFLICT,
                       "worker %" PRId64 " already has an assignment on HIT %s", a->worker_id,
                       a->hit_id);
    if (rc == TS_ECONFLICT)
        return ts_fail(err, TS_ECONFLICT, "assignment %s already exists", a->id);
    if (rc == TS_ENOTFOUND)
        return ts_fail(err, TS_ENOTFOUND,
                       "assignment %s: HIT %s or worker %" PRId64 " does not exist", a->id,
                       a->hit_id, a->worker_id);
    if (!rc)
        a->seq = db_last_insert_id(st->db);
    return rc;
}

int store_asg_claim(struct store *st, const struct asg_claim *c, struct assignment *a,
                    struct hit *h, struct ts_error *err)
{
    int rc;

    if (c->hit_id)
        rc = get_row(st, S_HIT_CLAIM_ONE,
                     ARGS(A_TEXT(c->hit_id), A_INT(c->worker_id), A_INT(c->now_ms)), read_hit,
                     h, "claiming a HIT", err);
    else
        rc = get_row(st, S_HIT_CLAIM_NEXT,
                     ARGS(A_TEXT(c->hit_type_id), A_INT(c->worker_id), A_INT(c->now_ms),
                          A_INT(c->gold ? 1 : 0)),
                     read_hit, h, "claiming a HIT", err);
    if (rc == TS_ENOTFOUND)
        return ts_fail(err, TS_ENOTFOUND, "no HIT %s is open to worker %" PRId64,
                       c->hit_id ? c->hit_id : c->hit_type_id, c->worker_id);
    if (rc)
        return rc;
    memcpy(a->hit_id, h->id, STORE_ID_MAX);
    memcpy(a->hit_type_id, h->hit_type_id, STORE_ID_MAX);
    a->worker_id = c->worker_id;
    a->requester_id = h->requester_id;
    a->status = ASG_ACCEPTED;
    a->accepted_ms = c->now_ms;
    a->deadline_ms = c->deadline_ms;
    rc = store_asg_insert(st, a, err);
    if (!rc)
        rc = store_hit_add_counts(st, h->id, &(struct hit_counts){.pending = 1}, err);
    if (rc) {
        store_hit_release(h);
        return rc;
    }
    h->pending++;
    return 0;
}

int store_asg_get(struct store *st, const char *id, struct assignment *out,
                  struct ts_error *err)
{
    int rc = get_row(st, S_ASG_GET, ARGS(A_TEXT(id)), read_asg, out, "reading an assignment",
                     err);

    if (rc == TS_ENOTFOUND)
        rc = ts_fail(err, TS_ENOTFOUND, "assignment %s does not exist", id);
    return rc;
}

int store_asg_update(struct store *st, const struct assignment *a, struct ts_error *err)
{
    int rc = change_one(st, S_ASG_UPDATE,
                        ARGS(A_TEXT(a->id), A_INT(a->status), A_INT(a->accepted_ms),
                             A_INT(a->deadline_ms), A_INT(a->submitted_ms),
                             A_INT(a->auto_approve_ms), A_INT(a->approved_ms),
                             A_INT(a->rejected_ms), A_INT(a->returned_ms),
                             A_TEXT(a->answer_json), A_TEXT(a->feedback), A_TEXT(a->label)),
                        "updating an assignment", err);

    return rc == TS_ENOTFOUND ? ts_fail(err, rc, "assignment %s does not exist", a->id) : rc;
}

static int visit_asg(struct db_stmt *s, const struct list_cb *cb)
{
    struct assignment a;
    int r;

    read_asg(s, &a);
    r = cb->asg(cb->ctx, &a);
    store_asg_release(&a);
    return r;
}

int store_asg_list(struct store *st, const struct asg_filter *f, int64_t after_seq, int limit,
                   store_asg_cb cb, void *ctx, int64_t *last_seq, int *more,
                   struct ts_error *err)
{
    int set = (f->hit_id != NULL) + (f->batch_id != NULL) + (f->worker_id != 0);
    struct list_cb lcb = {.asg = cb, .ctx = ctx};
    struct arg key = f->hit_id     ? A_TEXT(f->hit_id)
                     : f->batch_id ? A_TEXT(f->batch_id)
                                   : A_INT(f->worker_id);

    *last_seq = 0;
    *more = 0;
    if (set != 1)
        return ts_fail(err, TS_EINVAL, "list assignments by exactly one of HIT, batch or "
                       "worker");
    return walk_page(st,
                     f->hit_id     ? S_ASG_LIST_HIT
                     : f->batch_id ? S_ASG_LIST_BATCH
                                   : S_ASG_LIST_WORKER,
                     ARGS(key, A_INT(after_seq), A_INT(f->status_mask),
                          A_INT((int64_t)limit + 1)),
                     limit, visit_asg, &lcb, last_seq, more, "listing assignments", err);
}

int store_asg_due(struct store *st, enum asg_due which, int64_t now_ms,
                  char (*ids)[STORE_ID_MAX], int cap, int *n, struct ts_error *err)
{
    *n = 0;
    if (which != ASG_DUE_DEADLINE && which != ASG_DUE_APPROVAL)
        return ts_fail(err, TS_EINVAL, "unknown due list %d", (int)which);
    return collect_page(st, which == ASG_DUE_DEADLINE ? S_ASG_DUE_DEADLINE : S_ASG_DUE_APPROVAL,
                        ARGS(A_INT(now_ms), A_INT(cap < 0 ? 0 : cap)), ids, cap, n,
                        "listing due assignments", err);
}

int store_type_median_work_ms(struct store *st, const char *hit_type_id, int64_t *median_ms,
                              int64_t *n, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int64_t count = 0, a = 0, b = 0;
    int rc = get_int(st, S_MEDIAN_COUNT, ARGS(A_TEXT(hit_type_id)), &count,
                     "counting work times", err);

    *median_ms = 0;
    *n = 0;
    if (rc || count == 0)
        return rc;
    rc = prep(st, S_MEDIAN_AT, ARGS(A_TEXT(hit_type_id), A_INT((count - 1) / 2)), &s, err);
    if (rc)
        return rc;
    rc = db_step(s);
    if (rc == DB_ROW) {
        a = b = db_column_int(s, 0);
        if (count % 2 == 0 && db_step(s) == DB_ROW)
            b = db_column_int(s, 0);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = 0; /* the rows changed under us: report none */
        count = 0;
    } else {
        rc = db_fail(st->db, rc, "reading the median work time", err);
    }
    db_reset(s);
    if (rc)
        return rc;
    *median_ms = a + (b - a) / 2; /* no overflow for a <= b */
    *n = count;
    return 0;
}

static void read_worker_stats(struct db_stmt *s, void *dst)
{
    struct worker_stats *out = dst;

    out->accepted = db_column_int(s, 0);
    out->submitted = db_column_int(s, 1);
    out->approved = db_column_int(s, 2);
    out->rejected = db_column_int(s, 3);
    out->returned = db_column_int(s, 4);
    out->abandoned = db_column_int(s, 5);
    out->approved_work_ms = db_column_int(s, 6);
    out->approved_reward = db_column_int(s, 7);
}

/* The funnel: accepted counts every assignment the worker ever accepted, submitted those
 * ever submitted (now Submitted, Approved or Rejected), and approved, rejected, returned,
 * abandoned count the current status. approved_work_ms and approved_reward sum over the
 * Approved ones; bonuses over the bonuses table. */
int store_worker_stats(struct store *st, int64_t worker_id, struct worker_stats *out,
                       struct ts_error *err)
{
    int rc;

    memset(out, 0, sizeof *out);
    rc = get_row(st, S_WORKER_STATS, ARGS(A_INT(worker_id)), read_worker_stats, out,
                 "reading worker statistics", err);
    if (!rc)
        rc = get_int(st, S_WORKER_BONUSES, ARGS(A_INT(worker_id)), &out->bonuses,
                     "summing bonuses", err);
    return rc == TS_ENOTFOUND ? ts_fail(err, TS_EIO, "worker statistics: no row") : rc;
}

/* ---- Bonuses ---------------------------------------------------------------------- */

int store_bonus_insert(struct store *st, struct bonus *b, struct ts_error *err)
{
    int rc = check_id(b->id, "bonus", err);

    if (!rc)
        rc = exec_args(st, S_BONUS_INSERT,
                       ARGS(A_TEXT(b->id), A_INT(b->requester_id), A_INT(b->worker_id),
                            A_TEXT(b->assignment_id), A_TEXT(b->hit_id), A_INT(b->amount),
                            A_INT(b->fee), A_TEXT(nn(b->reason)), A_INT(b->granted_ms)),
                       "recording a bonus", err);
    if (rc == TS_ECONFLICT)
        return ts_fail(err, TS_ECONFLICT, "bonus %s already exists", b->id);
    if (!rc)
        b->seq = db_last_insert_id(st->db);
    return rc;
}

static int visit_bonus(struct db_stmt *s, const struct list_cb *cb)
{
    struct bonus b;
    int r;

    memset(&b, 0, sizeof b);
    b.seq = db_column_int(s, 0);
    col_copy(s, 1, b.id, sizeof b.id);
    b.requester_id = db_column_int(s, 2);
    b.worker_id = db_column_int(s, 3);
    col_copy(s, 4, b.assignment_id, sizeof b.assignment_id);
    col_copy(s, 5, b.hit_id, sizeof b.hit_id);
    b.amount = db_column_int(s, 6);
    b.fee = db_column_int(s, 7);
    b.reason = col_dup_nn(s, 8);
    b.granted_ms = db_column_int(s, 9);
    r = cb->bonus(cb->ctx, &b);
    store_bonus_release(&b);
    return r;
}

int store_bonus_list(struct store *st, const struct bonus_filter *f, int64_t after_seq,
                     int limit, store_bonus_cb cb, void *ctx, int64_t *last_seq, int *more,
                     struct ts_error *err)
{
    struct list_cb lcb = {.bonus = cb, .ctx = ctx};

    return walk_page(st, S_BONUS_LIST,
                     ARGS(A_INT(f->requester_id), A_INT(after_seq), A_TEXT(f->hit_id),
                          A_TEXT(f->assignment_id), A_INT((int64_t)limit + 1)),
                     limit, visit_bonus, &lcb, last_seq, more, "listing bonuses", err);
}

/* ---- Batches ---------------------------------------------------------------------- */

int store_batch_set_labels(struct store *st, const struct batch *b, struct ts_error *err)
{
    return exec_args(st, S_BATCH_SET_LABELS,
                     ARGS(A_TEXT(b->id), A_TEXT(b->labels_json ? b->labels_json : "[]")),
                     "updating a batch's labels", err);
}

struct pair_out {
    int64_t *a, *b;
};

static void read_pair(struct db_stmt *s, void *dst)
{
    const struct pair_out *p = dst;

    *p->a = db_column_int(s, 0);
    *p->b = db_column_int(s, 1);
}

int store_worker_gold_get(struct store *st, const char *batch_id, int64_t worker_id,
                          int64_t *seen, int64_t *correct, struct ts_error *err)
{
    struct pair_out p = {seen, correct};
    int rc;

    *seen = *correct = 0;
    rc = get_row(st, S_WGOLD_GET, ARGS(A_TEXT(batch_id), A_INT(worker_id)), read_pair, &p,
                 "reading a worker's gold answers", err);
    return rc == TS_ENOTFOUND ? 0 : rc;
}

int store_worker_gold_add(struct store *st, const char *batch_id, int64_t worker_id,
                          int correct, struct ts_error *err)
{
    return exec_args(st, S_WGOLD_ADD,
                     ARGS(A_TEXT(batch_id), A_INT(worker_id), A_INT(correct ? 1 : 0)),
                     "counting a gold answer", err);
}

int store_batch_insert(struct store *st, const struct batch *b, struct ts_error *err)
{
    int rc = check_id(b->id, "batch", err);

    if (!rc)
        rc = exec_args(st, S_BATCH_INSERT,
                       ARGS(A_TEXT(b->id), A_INT(b->requester_id), A_TEXT(b->hit_type_id),
                            A_INT(b->hits), A_INT(b->created_ms), A_OPT(b->label_field),
                            A_INT(b->gold_rate_ppm), A_INT(b->min_assignments),
                            A_INT(b->confidence_ppm),
                            A_TEXT(b->labels_json ? b->labels_json : "[]")),
                       "creating a batch", err);
    if (rc == TS_ECONFLICT)
        rc = ts_fail(err, TS_ECONFLICT, "batch %s already exists", b->id);
    else if (rc == TS_ENOTFOUND)
        rc = ts_fail(err, TS_ENOTFOUND,
                     "batch %s: requester %" PRId64 " or HIT type %s does not exist", b->id,
                     b->requester_id, b->hit_type_id);
    return rc;
}

static void read_batch(struct db_stmt *s, void *dst)
{
    struct batch *out = dst;

    memset(out, 0, sizeof *out);
    col_copy(s, 0, out->id, sizeof out->id);
    out->requester_id = db_column_int(s, 1);
    col_copy(s, 2, out->hit_type_id, sizeof out->hit_type_id);
    out->hits = db_column_int(s, 3);
    out->created_ms = db_column_int(s, 4);
    col_copy(s, 5, out->label_field, sizeof out->label_field);
    out->gold_rate_ppm = db_column_int(s, 6);
    out->min_assignments = db_column_int(s, 7);
    out->confidence_ppm = db_column_int(s, 8);
    out->labels_json = col_dup_nn(s, 9);
}

int store_batch_get(struct store *st, const char *id, struct batch *out, struct ts_error *err)
{
    int rc = get_row(st, S_BATCH_GET, ARGS(A_TEXT(id)), read_batch, out, "reading a batch",
                     err);

    if (rc == TS_ENOTFOUND)
        rc = ts_fail(err, TS_ENOTFOUND, "batch %s does not exist", id);
    return rc;
}

/* ---- Consistency ------------------------------------------------------------------ */

struct check_run {
    void (*report)(void *ctx, const char *msg);
    void *ctx;
    int *violations;
    enum sql_id id; /* the check running */
};

static void say(struct check_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct check_run *r, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    if (vsnprintf(msg, sizeof msg, fmt, ap) < 0)
        msg[0] = '\0';
    va_end(ap);
    (*r->violations)++;
    if (r->report)
        r->report(r->ctx, msg);
}

static const char *kind_name(int64_t kind)
{
    switch (kind) {
    case LEDGER_EXTERNAL: return "external";
    case LEDGER_AVAILABLE: return "available";
    case LEDGER_ESCROW: return "escrow";
    case LEDGER_EARNINGS: return "earnings";
    case LEDGER_FEES: return "fees";
    default: return "unknown-kind";
    }
}

static int say_row(struct db_stmt *s, void *ctx)
{
    struct check_run *r = ctx;

    switch (r->id) {
    case S_CHECK_ENTRY_SUM:
        say(r, "journal entry %" PRId64 " (%s %s) does not balance: postings sum to %" PRId64,
            db_column_int(s, 0), ctext(s, 1), ctext(s, 2), db_column_int(s, 3));
        break;
    case S_CHECK_BALANCE_SUM:
        say(r, "ledger account %" PRId64 " (%s of owner %" PRId64 ") has balance %" PRId64
            " but its postings sum to %" PRId64, db_column_int(s, 0), kind_name(db_column_int(s, 2)),
            db_column_int(s, 1), db_column_int(s, 3), db_column_int(s, 4));
        break;
    case S_CHECK_NEGATIVE:
        say(r, "ledger account %" PRId64 " (%s of owner %" PRId64 ") is negative: %" PRId64,
            db_column_int(s, 0), kind_name(db_column_int(s, 2)), db_column_int(s, 1), db_column_int(s, 3));
        break;
    case S_CHECK_PAY_TWICE:
        say(r, "assignment %s is paid %" PRId64 " times", ctext(s, 0), db_column_int(s, 1));
        break;
    case S_CHECK_PAY_STATUS:
        if (db_column_int(s, 1) == ASG_APPROVED)
            say(r, "assignment %s is Approved but has no pay entry", ctext(s, 0));
        else
            say(r, "assignment %s has status %" PRId64 " but %" PRId64 " pay entries",
                ctext(s, 0), db_column_int(s, 1), db_column_int(s, 2));
        break;
    case S_CHECK_HIT_COUNTS:
        say(r, "HIT %s counts pending=%" PRId64 " submitted=%" PRId64 " approved=%" PRId64
            " rejected=%" PRId64 " but has %" PRId64 " Accepted, %" PRId64 " Submitted, %"
            PRId64 " Approved, %" PRId64 " Rejected assignments", ctext(s, 0), db_column_int(s, 1),
            db_column_int(s, 2), db_column_int(s, 3), db_column_int(s, 4), db_column_int(s, 5), db_column_int(s, 6),
            db_column_int(s, 7), db_column_int(s, 8));
        break;
    case S_CHECK_HIT_MAX:
        say(r, "HIT %s has %" PRId64 " live and finished assignments, more than its maximum %"
            PRId64, ctext(s, 0), db_column_int(s, 1), db_column_int(s, 2));
        break;
    case S_CHECK_PAIR:
        say(r, "worker %" PRId64 " holds %" PRId64 " assignments on HIT %s", db_column_int(s, 1),
            db_column_int(s, 2), ctext(s, 0));
        break;
    case S_CHECK_HIT_ESCROW:
        say(r, "HIT %s holds escrow %" PRId64 " but should hold %" PRId64, ctext(s, 0),
            db_column_int(s, 1), db_column_int(s, 2));
        break;
    case S_CHECK_REQ_ESCROW:
        say(r, "requester %" PRId64 " has escrow balance %" PRId64 " but its HITs hold %" PRId64,
            db_column_int(s, 0), db_column_int(s, 1), db_column_int(s, 2));
        break;
    case S_CHECK_TOTAL:
        if (db_column_int(s, 0) != 0)
            say(r, "the ledger balances sum to %" PRId64 ", not 0", db_column_int(s, 0));
        break;
    case S_CHECK_WORKER_COUNTS:
        say(r, "worker %" PRId64 " has %" PRId64 " Approved and %" PRId64 " Rejected "
            "assignments but counts %" PRId64 " and %" PRId64, db_column_int(s, 0), db_column_int(s, 1),
            db_column_int(s, 2), db_column_int(s, 3), db_column_int(s, 4));
        break;
    case S_CHECK_LAYOUT_OWNER:
        say(r, "HIT %s was made from layout %s of another requester", ctext(s, 0), ctext(s, 1));
        break;
    case S_CHECK_UPLOADS:
        say(r, "upload %s of assignment %s (status %" PRId64 ") is not a stored file of "
            "submitted work: size %" PRId64 ", %" PRId64 " bytes, hash of %" PRId64 " bytes",
            ctext(s, 0), ctext(s, 1), db_column_int(s, 2), db_column_int(s, 3), db_column_int(s, 4),
            db_column_int(s, 5));
        break;
    case S_CHECK_NOTIFY:
        say(r, "notification %s %s is inconsistent (settings of another requester's HIT "
            "type, or a message whose state, attempts and done time disagree)",
            ctext(s, 0), ctext(s, 1));
        break;
    case S_CHECK_REVIEW_FLAGS:
        say(r, "HIT %s marks review policy levels %" PRId64 " but has policies for %" PRId64,
            ctext(s, 0), db_column_int(s, 1), db_column_int(s, 2));
        break;
    case S_CHECK_REVIEW_ITEMS:
        say(r, "HIT %s has %" PRId64 " review results or actions at level %" PRId64
            " but no policy there", ctext(s, 0), db_column_int(s, 2), db_column_int(s, 1));
        break;
    case S_CHECK_REVIEW_APPROVED:
        say(r, "assignment %s was approved by a review policy but has status %" PRId64,
            ctext(s, 0), db_column_int(s, 1));
        break;
    case S_CHECK_QUAL_REQUEST:
        say(r, "qualification request %s (status %" PRId64 ") lacks the score, test or "
            "answers its status needs", ctext(s, 0), db_column_int(s, 1));
        break;
    default:
        TS_BUG("store_check: statement %d is not a check", (int)r->id);
    }
    return 0;
}

static const enum sql_id check_stmts[] = {
    S_CHECK_ENTRY_SUM, S_CHECK_BALANCE_SUM, S_CHECK_NEGATIVE, S_CHECK_PAY_TWICE,
    S_CHECK_PAY_STATUS, S_CHECK_HIT_COUNTS, S_CHECK_HIT_MAX, S_CHECK_PAIR,
    S_CHECK_HIT_ESCROW, S_CHECK_REQ_ESCROW, S_CHECK_TOTAL, S_CHECK_WORKER_COUNTS,
    S_CHECK_LAYOUT_OWNER,
    S_CHECK_UPLOADS,
    S_CHECK_NOTIFY, S_CHECK_REVIEW_FLAGS, S_CHECK_REVIEW_ITEMS, S_CHECK_REVIEW_APPROVED,
    S_CHECK_QUAL_REQUEST,
};

int store_check(struct store *st, void (*report)(void *ctx, const char *msg), void *ctx,
                int *violations, struct ts_error *err)
{
    struct check_run r = {report, ctx, violations, 0};
    int rc = 0;

    *violations = 0;
    for (size_t i = 0; !rc && i < sizeof check_stmts / sizeof check_stmts[0]; i++) {
        r.id = check_stmts[i];
        rc = each_row(st, check_stmts[i], NOARGS, say_row, &r, "checking consistency", err);
    }
    return rc;
}

/* ---- Pseudonyms and worker blocks ---------------------------------------------------- */

int store_pseudonym_note(struct store *st, int64_t requester_id, const char *pseudonym,
                         int64_t worker_id, struct ts_error *err)
{
    return exec_args(st, S_PSEUD_NOTE, ARGS(A_INT(requester_id), A_TEXT(pseudonym), A_INT(worker_id)), "remembering a pseudonym", err);
}

int store_pseudonym_find(struct store *st, int64_t requester_id, const char *pseudonym,
                         int64_t *worker_id, struct ts_error *err)
{
    int rc = get_int(st, S_PSEUD_FIND, ARGS(A_INT(requester_id), A_TEXT(pseudonym)), worker_id,
                     "finding a pseudonym", err);

    if (rc == TS_ENOTFOUND)
        rc = ts_fail(err, TS_ENOTFOUND, "no worker %s has worked for requester %" PRId64,
                     pseudonym, requester_id);
    return rc;
}

int store_block_put(struct store *st, int64_t requester_id, int64_t worker_id,
                    const char *reason, int64_t now_ms, struct ts_error *err)
{
    return exec_args(st, S_BLOCK_PUT,
                     ARGS(A_INT(requester_id), A_INT(worker_id), A_TEXT(reason), A_INT(now_ms)),
                     "blocking a worker", err);
}

int store_block_delete(struct store *st, int64_t requester_id, int64_t worker_id,
                       struct ts_error *err)
{
    int rc = change_one(st, S_BLOCK_DELETE, ARGS(A_INT(requester_id), A_INT(worker_id)),
                        "unblocking a worker", err);

    if (rc == TS_ENOTFOUND)
        rc = ts_fail(err, TS_ENOTFOUND, "worker %" PRId64 " is not blocked", worker_id);
    return rc;
}

static void read_dup0(struct db_stmt *s, void *dst)
{
    *(char **)dst = col_dup_nn(s, 0);
}

int store_block_get(struct store *st, int64_t requester_id, int64_t worker_id,
                    char **reason, struct ts_error *err)
{
    *reason = NULL;
    /* TS_ENOTFOUND is not an error a person sees: the caller branches on it. */
    return get_row(st, S_BLOCK_GET, ARGS(A_INT(requester_id), A_INT(worker_id)), read_dup0,
                   reason, "reading a block", err);
}

static int visit_block(struct db_stmt *s, const struct list_cb *cb)
{
    return cb->block(cb->ctx, db_column_int(s, 1), db_column_text(s, 2));
}

int store_block_list(struct store *st, int64_t requester_id, int64_t after_seq, int limit,
                     store_block_cb cb, void *ctx, int64_t *last_seq, int *more,
                     struct ts_error *err)
{
    struct list_cb lcb = {.block = cb, .ctx = ctx};

    return walk_page(st, S_BLOCK_LIST,
                     ARGS(A_INT(requester_id), A_INT(after_seq), A_INT((int64_t)limit + 1)),
                     limit, visit_block, &lcb, last_seq, more, "listing blocks", err);
}

int store_worker_counts(struct store *st, int64_t worker_id, int64_t *approved,
                        int64_t *rejected, struct ts_error *err)
{
    struct pair_out p = {approved, rejected};
    int rc;

    *approved = *rejected = 0;
    rc = get_row(st, S_WCOUNT_GET, ARGS(A_INT(worker_id)), read_pair, &p,
                 "reading a worker's reviews", err);
    return rc == TS_ENOTFOUND ? 0 : rc;
}

int store_worker_count_add(struct store *st, int64_t worker_id, int64_t d_approved,
                           int64_t d_rejected, struct ts_error *err)
{
    return exec_args(st, S_WCOUNT_ADD, ARGS(A_INT(worker_id), A_INT(d_approved), A_INT(d_rejected)),
                     "counting a worker's reviews", err);
}

/* ---- Qualification types and scores --------------------------------------------------- */

/* ---- HIT layouts ----------------------------------------------------------------------- */

static void read_layout(struct db_stmt *s, void *dst) /* columns: LAYOUT_COLS */
{
    struct hit_layout *l = dst;

    memset(l, 0, sizeof *l);
    l->seq = db_column_int(s, 0);
    col_copy(s, 1, l->id, sizeof l->id);
    l->requester_id = db_column_int(s, 2);
    l->name = col_dup_nn(s, 3);
    l->content = col_dup_nn(s, 4);
    l->frame_height = db_column_int(s, 5);
    l->params_json = col_dup_nn(s, 6);
    l->created_ms = db_column_int(s, 7);
}

int store_layout_insert(struct store *st, struct hit_layout *l, struct ts_error *err)
{
    int rc = check_id(l->id, "HIT layout", err);

    if (!rc)
        rc = exec_args(st, S_LAYOUT_INSERT,
                       ARGS(A_TEXT(l->id), A_INT(l->requester_id), A_TEXT(l->name),
                            A_TEXT(l->content), A_INT(l->frame_height), A_TEXT(l->params_json),
                            A_INT(l->created_ms)),
                       "creating a HIT layout", err);
    if (!rc)
        l->seq = db_last_insert_id(st->db);
    return rc;
}

int store_layout_get(struct store *st, const char *id, struct hit_layout *out,
                     struct ts_error *err)
{
    int rc = get_row(st, S_LAYOUT_GET, ARGS(A_TEXT(id)), read_layout, out,
                     "reading a HIT layout", err);

    if (rc == TS_ENOTFOUND)
        rc = ts_fail(err, TS_ENOTFOUND, "HIT layout %s does not exist", id);
    return rc;
}

int store_layout_delete(struct store *st, const char *id, struct ts_error *err)
{
    return exec_args(st, S_LAYOUT_DELETE, ARGS(A_TEXT(id)), "deleting a HIT layout", err);
}

static int visit_layout(struct db_stmt *s, const struct list_cb *cb)
{
    struct hit_layout l;
    int r;

    read_layout(s, &l);
    r = cb->layout(cb->ctx, &l);
    store_layout_release(&l);
    return r;
}

int store_layout_list(struct store *st, int64_t requester_id, int64_t after_seq, int limit,
                      store_layout_cb cb, void *ctx, int64_t *last_seq, int *more,
                      struct ts_error *err)
{
    struct list_cb lcb = {.layout = cb, .ctx = ctx};

    return walk_page(st, S_LAYOUT_LIST,
                     ARGS(A_INT(requester_id), A_INT(after_seq), A_INT((int64_t)limit + 1)),
                     limit, visit_layout, &lcb, last_seq, more, "listing HIT layouts", err);
}

static void read_qual_type(struct db_stmt *s, void *dst) /* columns: QT_COLS */
{
    struct qual_type *q = dst;

    memset(q, 0, sizeof *q);
    q->seq = db_column_int(s, 0);
    col_copy(s, 1, q->id, sizeof q->id);
    q->requester_id = db_column_int(s, 2);
    q->name = col_dup_nn(s, 3);
    q->description = col_dup_nn(s, 4);
    q->keywords = col_dup_nn(s, 5);
    q->active = (int)db_column_int(s, 6);
    q->auto_granted = (int)db_column_int(s, 7);
    q->auto_value = db_column_int(s, 8);
    q->created_ms = db_column_int(s, 9);
    q->deleted = (int)db_column_int(s, 10);
    q->test = col_dup(s, 11);
    q->answer_key = col_dup(s, 12);
    q->test_duration_s = db_column_int(s, 13);
    q->retry_delay_s = db_column_type(s, 14) == DB_NULL ? -1 : db_column_int(s, 14);
}

/* The test's members of a qualification type, as the last four values of its insert and
 * update (a retry delay of -1, no retry, is stored as NULL). */
#define QT_TEST_ARGS(q)                                                                    \
    A_TEXT((q)->test), A_TEXT((q)->answer_key), A_INT((q)->test_duration_s),               \
        (q)->retry_delay_s >= 0 ? A_INT((q)->retry_delay_s) : A_NULL

int store_qual_type_insert(struct store *st, struct qual_type *q, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = check_id(q->id, "qualification type", err);

    if (!rc)
        rc = prep(st, S_QT_INSERT,
                  ARGS(A_TEXT(q->id), A_INT(q->requester_id), A_TEXT(q->name),
                       A_TEXT(q->description), A_TEXT(nn(q->keywords)), A_INT(q->active),
                       A_INT(q->auto_granted), A_INT(q->auto_value), A_INT(q->created_ms),
                       QT_TEST_ARGS(q)),
                  &s, err);
    if (rc)
        return rc;
    rc = db_step(s);
    if (rc == DB_DONE) {
        q->seq = db_last_insert_id(st->db);
        rc = 0;
    } else if (DB_IS_CONSTRAINT(rc)) {
        rc = ts_fail(err, TS_ECONFLICT, "you already have a qualification type called \"%s\"",
                     q->name);
    } else {
        rc = db_fail(st->db, rc, "creating a qualification type", err);
    }
    db_reset(s);
    return rc;
}

int store_qual_type_get(struct store *st, const char *id, struct qual_type *out,
                        struct ts_error *err)
{
    int rc = get_row(st, S_QT_GET, ARGS(A_TEXT(id)), read_qual_type, out,
                     "reading a qualification type", err);

    if (rc == TS_ENOTFOUND)
        rc = ts_fail(err, TS_ENOTFOUND, "qualification type %s does not exist", id);
    return rc;
}

int store_qual_type_update(struct store *st, const struct qual_type *q, struct ts_error *err)
{
    return exec_args(st, S_QT_UPDATE,
                     ARGS(A_TEXT(q->id), A_TEXT(q->description), A_INT(q->active),
                          A_INT(q->auto_granted), A_INT(q->auto_value), A_INT(q->deleted),
                          QT_TEST_ARGS(q)),
                     "updating a qualification type", err);
}

static int visit_qual_type(struct db_stmt *s, const struct list_cb *cb)
{
    struct qual_type q;
    int r;

    read_qual_type(s, &q);
    r = cb->qual_type(cb->ctx, &q);
    store_qual_type_release(&q);
    return r;
}

int store_qual_type_list(struct store *st, int64_t requester_id, const char *query,
                         int64_t after_seq, int limit, store_qual_type_cb cb, void *ctx,
                         int64_t *last_seq, int *more, struct ts_error *err)
{
    struct list_cb lcb = {.qual_type = cb, .ctx = ctx};

    return walk_page(st, S_QT_LIST,
                     ARGS(A_INT(requester_id), A_INT(after_seq), A_TEXT(query),
                          A_INT((int64_t)limit + 1)),
                     limit, visit_qual_type, &lcb, last_seq, more,
                     "listing qualification types", err);
}

int store_qual_put(struct store *st, const struct qual *q, struct ts_error *err)
{
    return exec_args(st, S_Q_PUT,
                     ARGS(A_TEXT(q->type_id), A_INT(q->worker_id), A_INT(q->value),
                          A_INT(q->granted), A_INT(q->granted_ms)),
                     "storing a qualification score", err);
}

static void read_qual(struct db_stmt *s, void *dst)
{
    struct qual *q = dst;

    memset(q, 0, sizeof *q);
    col_copy(s, 1, q->type_id, sizeof q->type_id);
    q->worker_id = db_column_int(s, 2);
    q->value = db_column_int(s, 3);
    q->granted = (int)db_column_int(s, 4);
    q->granted_ms = db_column_int(s, 5);
}

int store_qual_get(struct store *st, const char *type_id, int64_t worker_id, struct qual *out,
                   struct ts_error *err)
{
    /* TS_ENOTFOUND without a message: the caller says what it means. */
    return get_row(st, S_Q_GET, ARGS(A_TEXT(type_id), A_INT(worker_id)), read_qual, out,
                   "reading a qualification score", err);
}

static int visit_qual(struct db_stmt *s, const struct list_cb *cb)
{
    struct qual q;
    read_qual(s, &q);
    return cb->qual(cb->ctx, &q);
}

int store_qual_list(struct store *st, const char *type_id, int granted, int64_t after_seq,
                    int limit, store_qual_cb cb, void *ctx, int64_t *last_seq, int *more,
                    struct ts_error *err)
{
    struct list_cb lcb = {.qual = cb, .ctx = ctx};

    return walk_page(st, S_Q_LIST,
                     ARGS(A_TEXT(type_id), A_INT(after_seq), A_INT(granted),
                          A_INT((int64_t)limit + 1)),
                     limit, visit_qual, &lcb, last_seq, more, "listing qualification scores",
                     err);
}

/* ---- Messages ------------------------------------------------------------------------ */

int store_message_insert(struct store *st, const struct message *m, struct ts_error *err)
{
    return exec_args(st, S_MSG_INSERT,
                     ARGS(A_INT(m->worker_id), A_INT(m->requester_id), A_TEXT(m->subject),
                          A_TEXT(m->body), A_INT(m->sent_ms)),
                     "storing a message", err);
}

static int visit_message(struct db_stmt *s, const struct list_cb *cb)
{
    struct message m;
    m.seq = db_column_int(s, 0);
    m.worker_id = db_column_int(s, 1);
    m.requester_id = db_column_int(s, 2);
    m.subject = db_column_text(s, 3);
    m.body = db_column_text(s, 4);
    m.sent_ms = db_column_int(s, 5);
    return cb->message(cb->ctx, &m);
}

int store_message_list(struct store *st, int64_t worker_id, int64_t after_seq, int limit,
                       store_message_cb cb, void *ctx, int64_t *last_seq, int *more,
                       struct ts_error *err)
{
    struct list_cb lcb = {.message = cb, .ctx = ctx};

    return walk_page(st, S_MSG_LIST,
                     ARGS(A_INT(worker_id), A_INT(after_seq), A_INT((int64_t)limit + 1)),
                     limit, visit_message, &lcb, last_seq, more, "listing messages", err);
}

int store_reviewed_work_of(struct store *st, int64_t requester_id, int64_t worker_id, int *yes,
                           struct ts_error *err)
{
    int64_t v = 0;
    int rc = get_int(st, S_REVIEWED, ARGS(A_INT(worker_id), A_INT(requester_id)), &v,
                     "looking for reviewed work", err);

    *yes = rc ? 0 : (int)v;
    return rc == TS_ENOTFOUND ? ts_fail(err, TS_EIO, "looking for reviewed work: no row") : rc;
}

/* ---- Qualification requests ----------------------------------------------------------- */

static void read_qual_request(struct db_stmt *s, void *dst) /* columns: QR_COLS */
{
    struct qual_request *r = dst;

    memset(r, 0, sizeof *r);
    col_copy(s, 1, r->id, sizeof r->id);
    col_copy(s, 2, r->type_id, sizeof r->type_id);
    r->worker_id = db_column_int(s, 3);
    r->requester_id = db_column_int(s, 4);
    r->status = (int)db_column_int(s, 5);
    col_copy(s, 6, r->reason, sizeof r->reason);
    r->submitted_ms = db_column_int(s, 7);
    r->test = col_dup(s, 8);
    r->answer = col_dup(s, 9);
    r->deadline_ms = db_column_int(s, 10);
    r->decided_ms = db_column_int(s, 11);
    r->value = db_column_int(s, 12);
}

/* The members that change after a request is made: the last eight values of its insert
 * and update. */
#define QR_STATE_ARGS(r)                                                                   \
    A_INT((r)->status), A_OPT((r)->reason), A_INT((r)->submitted_ms), A_TEXT((r)->test),  \
        A_TEXT((r)->answer), A_INT((r)->deadline_ms), A_INT((r)->decided_ms),              \
        A_INT((r)->value)

int store_qual_request_insert(struct store *st, const struct qual_request *r,
                              struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = check_id(r->id, "qualification request", err);

    if (!rc)
        rc = prep(st, S_QR_INSERT,
                  ARGS(A_TEXT(r->id), A_TEXT(r->type_id), A_INT(r->worker_id),
                       A_INT(r->requester_id), QR_STATE_ARGS(r)),
                  &s, err);
    if (rc)
        return rc;
    rc = db_step(s);
    if (rc == DB_DONE)
        rc = 0;
    else if (DB_IS_CONSTRAINT(rc))
        rc = ts_fail(err, TS_ECONFLICT, "you have asked for qualification type %s already",
                     r->type_id);
    else
        rc = db_fail(st->db, rc, "storing a qualification request", err);
    db_reset(s);
    return rc;
}

int store_qual_request_get(struct store *st, const char *id, const char *type_id,
                           int64_t worker_id, struct qual_request *out, struct ts_error *err)
{
    /* TS_ENOTFOUND without a message: the caller says what it means. */
    if (id)
        return get_row(st, S_QR_GET, ARGS(A_TEXT(id)), read_qual_request, out,
                       "reading a qualification request", err);
    return get_row(st, S_QR_GET_PAIR, ARGS(A_TEXT(type_id), A_INT(worker_id)),
                   read_qual_request, out, "reading a qualification request", err);
}

int store_qual_request_set(struct store *st, const char *old_id, const struct qual_request *r,
                           struct ts_error *err)
{
    int rc = check_id(r->id, "qualification request", err);

    if (rc)
        return rc;
    return exec_args(st, S_QR_SET, ARGS(A_TEXT(old_id), A_TEXT(r->id), QR_STATE_ARGS(r)),
                     "updating a qualification request", err);
}

static int visit_qual_request(struct db_stmt *s, const struct list_cb *cb)
{
    struct qual_request r;
    int rv;
    read_qual_request(s, &r);
    rv = cb->qual_request(cb->ctx, &r);
    store_qual_request_release(&r);
    return rv;
}

int store_qual_request_list(struct store *st, int64_t requester_id, const char *type_id,
                            int64_t after_seq, int limit, store_qual_request_cb cb, void *ctx,
                            int64_t *last_seq, int *more, struct ts_error *err)
{
    struct list_cb lcb = {.qual_request = cb, .ctx = ctx};

    return walk_page(st, S_QR_LIST,
                     ARGS(A_INT(requester_id), A_INT(after_seq), A_TEXT(type_id),
                          A_INT((int64_t)limit + 1)),
                     limit, visit_qual_request, &lcb, last_seq, more,
                     "listing qualification requests", err);
}

/* ---- Uploaded files --------------------------------------------------------------- */

int store_upload_insert(struct store *st, const struct upload *u, struct ts_error *err)
{
    if (u->size < 0 || u->size > INT_MAX)
        return ts_fail(err, TS_ETOOBIG, "a file of %" PRId64 " bytes cannot be stored", u->size);
    return exec_args(st, S_UPLOAD_INSERT,
                     ARGS(A_TEXT(u->key), A_TEXT(u->asg_id), A_TEXT(u->field), A_INT(u->size),
                          A_BLOB(u->sha256, 32), A_BLOB(u->data, u->size),
                          A_INT(u->created_ms)),
                     "storing an uploaded file", err);
}

struct upload_out {
    struct upload *u;
    int with_data;
};

static void read_upload(struct db_stmt *s, void *dst)
{
    const struct upload_out *o = dst;
    struct upload *out = o->u;
    size_t hn;
    const void *h = db_column_blob(s, 4, &hn);

    memset(out, 0, sizeof *out);
    col_copy(s, 0, out->key, sizeof out->key);
    col_copy(s, 1, out->asg_id, sizeof out->asg_id);
    out->field = col_dup_nn(s, 2);
    out->size = db_column_int(s, 3);
    if (h && hn == 32)
        memcpy(out->sha256, h, 32);
    out->created_ms = db_column_int(s, 5);
    if (o->with_data) {
        size_t n;
        const void *p = db_column_blob(s, 6, &n);
        out->data = xmalloc(n + 1);
        if (n)
            memcpy(out->data, p, n);
        out->data[n] = '\0';
        out->size = (int64_t)n;
    }
}

int store_upload_get(struct store *st, const char *key, const char *asg_id, const char *field,
                     int with_data, struct upload *out, struct ts_error *err)
{
    struct upload_out o = {out, with_data};
    int rc;

    if (key)
        rc = get_row(st, S_UPLOAD_GET_KEY, ARGS(A_TEXT(key), A_INT(with_data != 0)),
                     read_upload, &o, "reading an uploaded file", err);
    else
        rc = get_row(st, S_UPLOAD_GET_FIELD,
                     ARGS(A_TEXT(asg_id), A_TEXT(field), A_INT(with_data != 0)), read_upload,
                     &o, "reading an uploaded file", err);
    return rc == TS_ENOTFOUND ? ts_fail(err, rc, "no such uploaded file") : rc;
}

/* ---- Notifications ------------------------------------------------------------------ */

static void read_notify_settings(struct db_stmt *s, void *dst)
{
    struct notify_settings *out = dst;

    memset(out, 0, sizeof *out);
    col_copy(s, 0, out->hit_type_id, sizeof out->hit_type_id);
    out->requester_id = db_column_int(s, 1);
    col_copy(s, 2, out->destination, sizeof out->destination);
    col_copy(s, 3, out->transport, sizeof out->transport);
    col_copy(s, 4, out->version, sizeof out->version);
    out->events = (unsigned)db_column_int(s, 5);
    out->active = (int)db_column_int(s, 6);
    col_copy(s, 7, out->key_id, sizeof out->key_id);
    out->updated_ms = db_column_int(s, 8);
}

int store_notify_settings_get(struct store *st, const char *hit_type_id,
                              struct notify_settings *out, struct ts_error *err)
{
    int rc;

    if (st->nset_any < 0) {
        int64_t n = 0;
        rc = get_int(st, S_NSET_ANY, NOARGS, &n, "looking for notification settings", err);
        if (rc == TS_ENOTFOUND)
            rc = ts_fail(err, TS_EIO, "looking for notification settings: no row");
        if (rc)
            return rc;
        st->nset_any = n != 0;
    }
    if (!st->nset_any)
        return TS_ENOTFOUND;
    return get_row(st, S_NSET_GET, ARGS(A_TEXT(hit_type_id)), read_notify_settings, out,
                   "reading notification settings", err);
}

int store_notify_settings_put(struct store *st, const struct notify_settings *n,
                              struct ts_error *err)
{
    st->nset_any = 1;
    return exec_args(st, S_NSET_PUT,
                     ARGS(A_TEXT(n->hit_type_id), A_INT(n->requester_id),
                          A_TEXT(n->destination), A_TEXT(n->transport), A_TEXT(n->version),
                          A_INT(n->events), A_INT(n->active), A_TEXT(n->key_id),
                          A_INT(n->updated_ms)),
                     "storing notification settings", err);
}

int store_notify_enqueue(struct store *st, const struct notify_msg *m, struct ts_error *err)
{
    return exec_args(st, S_NOUT_INSERT,
                     ARGS(A_INT(m->requester_id), A_TEXT(m->hit_type_id),
                          A_TEXT(m->destination), A_TEXT(m->key_id), A_TEXT(m->event_types),
                          A_TEXT(m->body), A_INT(m->created_ms), A_INT(m->next_ms)),
                     "queueing a notification", err);
}

static void read_notify(struct db_stmt *s, void *dst) /* columns: NOUT_COLS */
{
    struct notify_msg *m = dst;

    m->seq = db_column_int(s, 0);
    m->requester_id = db_column_int(s, 1);
    m->hit_type_id = db_column_text(s, 2);
    m->destination = ctext(s, 3);
    m->key_id = ctext(s, 4);
    m->event_types = ctext(s, 5);
    m->body = ctext(s, 6);
    m->created_ms = db_column_int(s, 7);
    m->state = (int)db_column_int(s, 8);
    m->attempts = db_column_int(s, 9);
    m->next_ms = db_column_int(s, 10);
    m->last_status = (int)db_column_int(s, 11);
    m->last_error = db_column_text(s, 12);
    m->done_ms = db_column_int(s, 13);
}

static int visit_notify(struct db_stmt *s, const struct list_cb *cb)
{
    struct notify_msg m;
    read_notify(s, &m);
    return cb->notify(cb->ctx, &m);
}

struct opt_int {
    int64_t v;
    int set;
};

static void read_opt_int0(struct db_stmt *s, void *dst)
{
    struct opt_int *o = dst;

    o->set = db_column_type(s, 0) != DB_NULL;
    o->v = o->set ? db_column_int(s, 0) : 0;
}

int store_notify_next_ms(struct store *st, int64_t *next_ms, struct ts_error *err)
{
    struct opt_int o = {0, 0};
    int rc = get_row(st, S_NOUT_NEXT, NOARGS, read_opt_int0, &o,
                     "reading the notification queue", err);

    if (!rc && !o.set)
        rc = TS_ENOTFOUND; /* min() over no pending message is NULL */
    if (!rc)
        *next_ms = o.v;
    return rc;
}

int store_notify_get(struct store *st, int64_t seq, struct notify_msg *out,
                     struct ts_error *err)
{
    int rc = get_row(st, S_NOUT_GET, ARGS(A_INT(seq)), read_notify, out,
                     "reading a notification", err);

    if (rc == TS_ENOTFOUND)
        return ts_fail(err, TS_ENOTFOUND, "notification %" PRId64 " does not exist", seq);
    if (!rc) {
        out->hit_type_id = out->destination = out->key_id = NULL;
        out->event_types = out->body = out->last_error = NULL;
    }
    return rc;
}

int store_notify_update(struct store *st, const struct notify_msg *m, struct ts_error *err)
{
    return exec_args(st, S_NOUT_UPDATE,
                     ARGS(A_INT(m->seq), A_INT(m->state), A_INT(m->attempts),
                          A_INT(m->next_ms), A_INT(m->last_status), A_TEXT(m->last_error),
                          A_INT(m->done_ms)),
                     "updating a notification", err);
}

int store_notify_list(struct store *st, int64_t requester_id, int64_t after_seq, int limit,
                      store_notify_cb cb, void *ctx, int64_t *last_seq, int *more,
                      struct ts_error *err)
{
    struct list_cb lcb = {.notify = cb, .ctx = ctx};

    return walk_page(st, S_NOUT_LIST,
                     ARGS(A_INT(requester_id), A_INT(after_seq), A_INT((int64_t)limit + 1)),
                     limit, visit_notify, &lcb, last_seq, more, "listing notifications", err);
}

int store_access_key_first(struct store *st, int64_t account_id, char key_id[STORE_ID_MAX],
                           struct ts_error *err)
{
    struct text_out o = {key_id, STORE_ID_MAX};
    int rc = get_row(st, S_AKEY_FIRST, ARGS(A_INT(account_id)), read_text0, &o,
                     "finding an access key", err);

    if (rc == TS_ENOTFOUND)
        rc = ts_fail(err, TS_ENOTFOUND, "account %" PRId64 " has no access key", account_id);
    return rc;
}

/* ---- Review policies ----------------------------------------------------------------- */

int store_review_policy_put(struct store *st, const char *hit_id, const struct review_policy *p,
                            struct ts_error *err)
{
    int rc = exec_args(st, S_RP_INSERT,
                       ARGS(A_TEXT(hit_id), A_INT(p->level), A_TEXT(p->name),
                            A_TEXT(p->params_json)),
                       "storing a review policy", err);

    if (rc)
        return rc;
    return exec_args(st, S_RP_FLAG, ARGS(A_TEXT(hit_id), A_INT(REVIEW_LEVEL_BIT(p->level))),
                     "marking a HIT's review policies", err);
}

static void read_review_policy(struct db_stmt *s, void *dst)
{
    struct review_policy *out = dst;

    out->name = col_dup_nn(s, 0);
    out->params_json = col_dup_nn(s, 1);
    out->reviewed = db_column_int(s, 2);
}

int store_review_policy_get(struct store *st, const char *hit_id, int level,
                            struct review_policy *out, struct ts_error *err)
{
    int rc;

    memset(out, 0, sizeof *out);
    rc = get_row(st, S_RP_GET, ARGS(A_TEXT(hit_id), A_INT(level)), read_review_policy, out,
                 "reading a review policy", err);
    if (rc == TS_ENOTFOUND)
        return ts_fail(err, TS_ENOTFOUND, "HIT %s has no review policy at level %d", hit_id,
                       level);
    if (!rc)
        out->level = level;
    return rc;
}

int store_review_policy_mark(struct store *st, const char *hit_id, int level, int64_t reviewed,
                             struct ts_error *err)
{
    return exec_args(st, S_RP_MARK, ARGS(A_TEXT(hit_id), A_INT(level), A_INT(reviewed)),
                     "marking a review policy run", err);
}

int store_review_item_insert(struct store *st, const char *hit_id, const struct review_item *it,
                             struct ts_error *err)
{
    return exec_args(st, S_RI_INSERT,
                     ARGS(A_TEXT(hit_id), A_INT(it->level), A_INT(it->kind),
                          A_TEXT(it->action_id), A_TEXT(it->object_id),
                          A_TEXT(it->object_type), A_OPT(it->question_id), A_TEXT(it->name),
                          A_TEXT(it->value), A_OPT(it->status), A_INT(it->complete_ms),
                          A_OPT(it->error_code)),
                     "storing a review result", err);
}

static int visit_review_item(struct db_stmt *s, const struct list_cb *cb)
{
    struct review_item it;

    it.seq = db_column_int(s, 0);
    it.level = (int)db_column_int(s, 1);
    it.kind = (int)db_column_int(s, 2);
    it.action_id = ctext(s, 3);
    it.object_id = ctext(s, 4);
    it.object_type = ctext(s, 5);
    it.question_id = db_column_text(s, 6);
    it.name = ctext(s, 7);
    it.value = ctext(s, 8);
    it.status = db_column_text(s, 9);
    it.complete_ms = db_column_int(s, 10);
    it.error_code = db_column_text(s, 11);
    return cb->review_item(cb->ctx, &it);
}

int store_review_item_list(struct store *st, const char *hit_id, int level_mask, int kind_mask,
                           int64_t after_seq, int limit, store_review_item_cb cb, void *ctx,
                           int64_t *last_seq, int *more, struct ts_error *err)
{
    struct list_cb lcb = {.review_item = cb, .ctx = ctx};

    return walk_page(st, S_RI_LIST,
                     ARGS(A_TEXT(hit_id), A_INT(after_seq), A_INT(level_mask),
                          A_INT(kind_mask), A_INT((int64_t)limit + 1)),
                     limit, visit_review_item, &lcb, last_seq, more, "listing review results",
                     err);
}

/* ---- Notifications: paging the due messages, pruning, counting ----------------------- */

int store_notify_due_after(struct store *st, int64_t now_ms, int64_t after_next_ms,
                           int64_t after_seq, int limit, store_notify_cb cb, void *ctx,
                           struct ts_error *err)
{
    struct list_cb lcb = {.notify = cb, .ctx = ctx};
    int64_t last;
    int more;

    return walk_page(st, S_NOUT_DUE_AFTER,
                     ARGS(A_INT(now_ms), A_INT(after_next_ms), A_INT(after_seq), A_INT(limit)),
                     limit, visit_notify, &lcb, &last, &more, "reading due notifications", err);
}

/* Runs a bounded DELETE; *deleted says how many rows it removed. */
static int prune(struct store *st, enum sql_id id, int64_t before_ms, int limit, int *deleted,
                 const char *what, struct ts_error *err)
{
    int64_t n;
    int rc = exec_changes(st, id, ARGS(A_INT(before_ms), A_INT(limit)), &n, what, err);

    *deleted = (int)n;
    return rc;
}

int store_notify_prune(struct store *st, int64_t before_ms, int limit, int *deleted,
                       struct ts_error *err)
{
    return prune(st, S_NOUT_PRUNE, before_ms, limit, deleted, "pruning old notifications",
                 err);
}

int store_notify_test_pending(struct store *st, int64_t requester_id, int64_t *n,
                              struct ts_error *err)
{
    int rc;

    *n = 0;
    rc = get_int(st, S_NOUT_TEST_PENDING, ARGS(A_INT(requester_id)), n,
                 "counting pending test notifications", err);
    return rc == TS_ENOTFOUND ? 0 : rc;
}

int store_signature_remember(struct store *st, int64_t signed_ms,
                             const unsigned char sig_hash[32], const char *key_id,
                             struct ts_error *err)
{
    return exec_args(st, S_SIG_REMEMBER,
                     ARGS(A_INT(signed_ms), A_BLOB(sig_hash, 32), A_TEXT(key_id)),
                     "remembering a request's signature", err);
}

int store_signature_prune(struct store *st, int64_t before_ms, int limit, int *deleted,
                          struct ts_error *err)
{
    return prune(st, S_SIG_PRUNE, before_ms, limit, deleted, "forgetting expired signatures",
                 err);
}
