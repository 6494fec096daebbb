/* store.c: the backend-neutral half of store.h. It binds each call's values to a
 * statement named by id (sql.h), steps it and decodes its rows into the domain types
 * (core/model.h) over the database seam (db.h); the SQL text is the backend's table
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

/* Binds "" as NULL (batch ids). */
static void bind_text_opt(struct db_stmt *s, int i, const char *v)
{
    db_bind_text(s, i, v && v[0] ? v : NULL);
}

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

static int check_id(const char *id, const char *what, struct ts_error *err)
{
    if (!id || !id[0] || strlen(id) >= STORE_ID_MAX)
        return ts_fail(err, TS_EINVAL, "%s id must be 1 to %d characters", what,
                       STORE_ID_MAX - 2);
    return 0;
}

/* ---- Opening and transactions ------------------------------------------------------ */

int store_open(const char *conninfo, struct store **out, struct ts_error *err)
{
    struct store *st = xcalloc(1, sizeof *st);
    int rc = db_open(conninfo, &st->db, &st->version, err);

    *out = NULL;
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
    int rc = db_prepare(st->db, S_META_GET, &s, err);

    if (rc)
        return rc;
    db_bind_text(s, 1, key);
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
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_META_SET, &s, err);

    if (rc)
        return rc;
    db_bind_text(s, 1, key);
    db_bind_text(s, 2, val);
    return exec_stmt(st, s, "writing a setting", err);
}

/* ---- Accounts and credentials ------------------------------------------------------ */

int store_account_insert(struct store *st, struct account *a, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_ACCOUNT_INSERT, &s, err);

    if (rc)
        return rc;
    db_bind_int(s, 1, a->role);
    db_bind_text(s, 2, a->name);
    db_bind_text(s, 3, a->country);
    db_bind_text(s, 4, a->pw_hash);
    db_bind_int(s, 5, a->created_ms);
    db_bind_text(s, 6, a->subdivision);
    db_bind_int(s, 7, a->adult);
    rc = db_step(s);
    if (rc == DB_DONE) {
        a->id = (int64_t)db_last_insert_id(st->db);
        rc = 0;
    } else if (rc == DB_E_UNIQUE) {
        rc = ts_fail(err, TS_ECONFLICT, "the account name %s is already taken", a->name);
    } else {
        rc = db_fail(st->db, rc, "creating an account", err);
    }
    db_reset(s);
    return rc;
}

static void read_account(struct db_stmt *s, struct account *out)
{
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
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_ACCOUNT_PROFILE, &s, err);

    if (rc)
        return rc;
    db_bind_int(s, 1, a->id);
    db_bind_text(s, 2, a->country);
    db_bind_text(s, 3, a->subdivision);
    db_bind_int(s, 4, a->adult);
    return exec_stmt(st, s, "updating a worker's profile", err);
}

static int account_fetch(struct store *st, struct db_stmt *s, struct account *out,
                         const char *what, struct ts_error *err)
{
    int rc = db_step(s);

    if (rc == DB_ROW) {
        read_account(s, out);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = TS_ENOTFOUND;
    } else {
        rc = db_fail(st->db, rc, what, err);
    }
    db_reset(s);
    return rc;
}

int store_account_get(struct store *st, int64_t id, struct account *out, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_ACCOUNT_GET, &s, err);

    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    rc = account_fetch(st, s, out, "reading an account", err);
    if (rc == TS_ENOTFOUND)
        rc = ts_fail(err, TS_ENOTFOUND, "account %" PRId64 " does not exist", id);
    return rc;
}

int store_account_by_name(struct store *st, const char *name, struct account *out,
                          struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_ACCOUNT_BY_NAME, &s, err);

    if (rc)
        return rc;
    db_bind_text(s, 1, name);
    rc = account_fetch(st, s, out, "reading an account", err);
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
    struct db_stmt *s = NULL;
    int rc;

    if (box_len > INT_MAX)
        return ts_fail(err, TS_ETOOBIG, "the access key secret is too long");
    rc = db_prepare(st->db, S_AKEY_INSERT, &s, err);
    if (rc)
        return rc;
    db_bind_text(s, 1, key_id);
    db_bind_int(s, 2, account_id);
    db_bind_blob(s, 3, box, box_len);
    db_bind_int(s, 4, now_ms);
    rc = db_step(s);
    if (rc == DB_DONE)
        rc = 0;
    else if (rc == DB_E_UNIQUE)
        rc = ts_fail(err, TS_ECONFLICT, "access key %s already exists", key_id);
    else if (rc == DB_E_FOREIGN)
        rc = ts_fail(err, TS_ENOTFOUND, "account %" PRId64 " does not exist", account_id);
    else
        rc = db_fail(st->db, rc, "storing an access key", err);
    db_reset(s);
    return rc;
}

int store_access_key_get(struct store *st, const char *key_id, int64_t *account_id,
                         unsigned char *box, size_t cap, size_t *box_len,
                         struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_AKEY_GET, &s, err);

    if (rc)
        return rc;
    db_bind_text(s, 1, key_id);
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
    struct db_stmt *s = NULL;
    char id[STORE_TOKEN_ID_MAX];
    int rc = db_prepare(st->db, S_TOKEN_INSERT, &s, err);

    if (rc)
        return rc;
    store_token_id(hash, id);
    db_bind_blob(s, 1, hash, 32);
    db_bind_int(s, 2, account_id);
    db_bind_int(s, 3, now_ms);
    db_bind_text(s, 4, id);
    if (expires_ms > 0)
        db_bind_int(s, 5, expires_ms);
    else
        db_bind_null(s, 5);
    db_bind_int(s, 6, expires_ms > 0 && sliding);
    rc = db_step(s);
    if (rc == DB_DONE)
        rc = 0;
    else if (rc == DB_E_UNIQUE || rc == DB_E_UNIQUE)
        rc = ts_fail(err, TS_ECONFLICT, "this token is already registered");
    else if (rc == DB_E_FOREIGN)
        rc = ts_fail(err, TS_ENOTFOUND, "account %" PRId64 " does not exist", account_id);
    else
        rc = db_fail(st->db, rc, "storing a token", err);
    db_reset(s);
    if (!rc && id_out)
        memcpy(id_out, id, sizeof id);
    return rc;
}

int store_token_find(struct store *st, const unsigned char hash[32], int64_t *account_id,
                     int64_t *expires_ms, int *sliding, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_TOKEN_FIND, &s, err);

    if (rc)
        return rc;
    db_bind_blob(s, 1, hash, 32);
    rc = db_step(s);
    if (rc == DB_ROW) {
        *account_id = db_column_int(s, 0);
        *expires_ms = db_column_int(s, 1);
        *sliding = db_column_int(s, 2) != 0;
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = ts_fail(err, TS_ENOTFOUND, "the token is unknown");
    } else {
        rc = db_fail(st->db, rc, "looking up a token", err);
    }
    db_reset(s);
    return rc;
}

int store_token_extend(struct store *st, const unsigned char hash[32], int64_t expires_ms,
                       struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_TOKEN_EXTEND, &s, err);

    if (rc)
        return rc;
    db_bind_blob(s, 1, hash, 32);
    db_bind_int(s, 2, expires_ms);
    return exec_stmt(st, s, "extending a token", err);
}

/* Runs a DELETE prepared and bound in s; TS_ENOTFOUND (with what) when it deleted none. */
static int delete_one(struct store *st, struct db_stmt *s, const char *what, struct ts_error *err)
{
    int rc = exec_stmt(st, s, what, err);
    if (!rc && db_changes(st->db) == 0)
        rc = TS_ENOTFOUND;
    return rc;
}

int store_token_delete_hash(struct store *st, const unsigned char hash[32], struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_TOKEN_DELETE_HASH, &s, err);

    if (rc)
        return rc;
    db_bind_blob(s, 1, hash, 32);
    rc = delete_one(st, s, "revoking a token", err);
    return rc == TS_ENOTFOUND ? ts_fail(err, rc, "the token is unknown") : rc;
}

int store_token_revoke(struct store *st, int64_t account_id, const char *id, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_TOKEN_REVOKE, &s, err);

    if (rc)
        return rc;
    db_bind_text(s, 1, id);
    db_bind_int(s, 2, account_id);
    rc = delete_one(st, s, "revoking a token", err);
    return rc == TS_ENOTFOUND ? ts_fail(err, rc, "there is no token %.40s", id) : rc;
}

int store_token_list(struct store *st, int64_t account_id, int64_t now_ms, int limit,
                     store_token_cb cb, void *ctx, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_TOKEN_LIST, &s, err);

    if (rc)
        return rc;
    db_bind_int(s, 1, account_id);
    db_bind_int(s, 2, now_ms);
    db_bind_int(s, 3, limit);
    while ((rc = db_step(s)) == DB_ROW) {
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
        rc = cb(ctx, &t);
        if (rc) {
            db_reset(s);
            return rc;
        }
    }
    rc = rc == DB_DONE ? 0 : db_fail(st->db, rc, "listing tokens", err);
    db_reset(s);
    return rc;
}

int store_token_prune(struct store *st, int64_t now_ms, int limit, int *deleted,
                      struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_TOKEN_PRUNE, &s, err);

    *deleted = 0;
    if (rc)
        return rc;
    db_bind_int(s, 1, now_ms);
    db_bind_int(s, 2, limit);
    rc = exec_stmt(st, s, "pruning expired tokens", err);
    if (!rc)
        *deleted = (int)db_changes(st->db);
    return rc;
}

int store_access_key_list(struct store *st, int64_t account_id, int limit,
                          store_access_key_cb cb, void *ctx, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_AKEY_LIST, &s, err);

    if (rc)
        return rc;
    db_bind_int(s, 1, account_id);
    db_bind_int(s, 2, limit);
    while ((rc = db_step(s)) == DB_ROW) {
        struct access_key_info k;
        col_copy(s, 0, k.key_id, sizeof k.key_id);
        k.account_id = db_column_int(s, 1);
        k.created_ms = db_column_int(s, 2);
        rc = cb(ctx, &k);
        if (rc) {
            db_reset(s);
            return rc;
        }
    }
    rc = rc == DB_DONE ? 0 : db_fail(st->db, rc, "listing access keys", err);
    db_reset(s);
    return rc;
}

int store_access_key_revoke(struct store *st, int64_t account_id, const char *key_id,
                            struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_AKEY_REVOKE, &s, err);

    if (rc)
        return rc;
    db_bind_text(s, 1, key_id);
    db_bind_int(s, 2, account_id);
    rc = delete_one(st, s, "revoking an access key", err);
    return rc == TS_ENOTFOUND ? ts_fail(err, rc, "there is no access key %.40s", key_id) : rc;
}

/* ---- Ledger ----------------------------------------------------------------------- */

static int ledger_find(struct store *st, int64_t owner, enum ledger_kind kind, int64_t *id,
                       struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_LEDGER_FIND, &s, err);

    if (rc)
        return rc;
    db_bind_int(s, 1, owner);
    db_bind_int(s, 2, (int)kind);
    rc = db_step(s);
    if (rc == DB_ROW) {
        *id = db_column_int(s, 0);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = TS_ENOTFOUND;
    } else {
        rc = db_fail(st->db, rc, "finding a ledger account", err);
    }
    db_reset(s);
    return rc;
}

int store_ledger_account(struct store *st, int64_t owner, enum ledger_kind kind,
                         int64_t *ledger_id, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = ledger_find(st, owner, kind, ledger_id, err);

    if (rc != TS_ENOTFOUND)
        return rc;
    rc = db_prepare(st->db, S_LEDGER_CREATE, &s, err);
    if (rc)
        return rc;
    db_bind_int(s, 1, owner);
    db_bind_int(s, 2, (int)kind);
    rc = exec_stmt(st, s, "creating a ledger account", err);
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
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_LEDGER_BALANCE, &s, err);

    if (rc)
        return rc;
    db_bind_int(s, 1, ledger_id);
    rc = db_step(s);
    if (rc == DB_ROW) {
        *balance = db_column_int(s, 0);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = ts_fail(err, TS_ENOTFOUND, "ledger account %" PRId64 " does not exist",
                     ledger_id);
    } else {
        rc = db_fail(st->db, rc, "reading a balance", err);
    }
    db_reset(s);
    return rc;
}

static int journal_post(struct store *st, int64_t entry, const struct posting *p,
                        struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_POSTING_INSERT, &s, err);

    if (rc)
        return rc;
    db_bind_int(s, 1, entry);
    db_bind_int(s, 2, p->ledger_id);
    db_bind_int(s, 3, p->amount);
    rc = db_step(s);
    db_reset(s);
    if (rc == DB_E_FOREIGN)
        return ts_fail(err, TS_ENOTFOUND, "ledger account %" PRId64 " does not exist",
                       p->ledger_id);
    if (rc != DB_DONE)
        return db_fail(st->db, rc, "inserting a posting", err);
    rc = db_prepare(st->db, S_LEDGER_ADD, &s, err);
    if (rc)
        return rc;
    db_bind_int(s, 1, p->ledger_id);
    db_bind_int(s, 2, p->amount);
    rc = db_step(s);
    db_reset(s);
    /* The CHECK on balance catches SQLite's silent overflow into a real. */
    if (rc == DB_E_CHECK)
        return ts_fail(err, TS_EINVAL, "ledger account %" PRId64 ": balance would overflow",
                       p->ledger_id);
    if (rc != DB_DONE)
        return db_fail(st->db, rc, "updating a balance", err);
    if (db_changes(st->db) != 1)
        return ts_fail(err, TS_ENOTFOUND, "ledger account %" PRId64 " does not exist",
                       p->ledger_id);
    return 0;
}

int store_journal_insert(struct store *st, const struct journal_entry *e, int64_t *entry_id,
                         struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int64_t id = 0;
    /* An inner savepoint makes a failed insert leave nothing behind. */
    int rc = exec_id(st, S_JSAVEPOINT, "opening a savepoint", err);

    if (rc)
        return rc;
    rc = db_prepare(st->db, S_JOURNAL_INSERT, &s, err);
    if (rc)
        goto out;
    db_bind_text(s, 1, e->kind);
    db_bind_text(s, 2, e->ref ? e->ref : "");
    db_bind_int(s, 3, e->at_ms);
    rc = db_step(s);
    if (rc == DB_DONE) {
        id = (int64_t)db_last_insert_id(st->db);
        rc = 0;
    } else {
        rc = db_fail(st->db, rc, "inserting a journal entry", err);
    }
    db_reset(s);
    for (int i = 0; !rc && i < e->n; i++)
        rc = journal_post(st, id, &e->postings[i], err);
out:
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
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_JOURNAL_COUNT, &s, err);

    if (rc)
        return rc;
    db_bind_text(s, 1, kind);
    db_bind_text(s, 2, ref ? ref : "");
    rc = db_step(s);
    if (rc == DB_ROW) {
        *n = db_column_int(s, 0);
        rc = 0;
    } else {
        rc = db_fail(st->db, rc, "counting journal entries", err);
    }
    db_reset(s);
    return rc;
}

/* ---- Idempotency tokens ------------------------------------------------------------ */

int store_request_token_get(struct store *st, int64_t requester_id, const char *op,
                            const char *token, int64_t since_ms, char *ref, size_t cap,
                            struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_RTOKEN_GET, &s, err);

    if (rc)
        return rc;
    db_bind_int(s, 1, requester_id);
    db_bind_text(s, 2, op);
    db_bind_text(s, 3, token);
    db_bind_int(s, 4, since_ms);
    rc = db_step(s);
    if (rc == DB_ROW) {
        col_copy(s, 0, ref, cap);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = ts_fail(err, TS_ENOTFOUND, "request token %s has not been seen", token);
    } else {
        rc = db_fail(st->db, rc, "reading a request token", err);
    }
    db_reset(s);
    return rc;
}

int store_request_token_put(struct store *st, int64_t requester_id, const char *op,
                            const char *token, const char *ref, int64_t now_ms,
                            struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_RTOKEN_PUT, &s, err);

    if (rc)
        return rc;
    db_bind_int(s, 1, requester_id);
    db_bind_text(s, 2, op);
    db_bind_text(s, 3, token);
    db_bind_text(s, 4, ref ? ref : "");
    db_bind_int(s, 5, now_ms);
    return exec_stmt(st, s, "storing a request token", err);
}

/* ---- HIT types -------------------------------------------------------------------- */

int store_hit_type_insert(struct store *st, const struct hit_type *t, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = check_id(t->id, "HIT type", err);

    if (!rc)
        rc = db_prepare(st->db, S_TYPE_INSERT, &s, err);
    if (rc)
        return rc;
    db_bind_text(s, 1, t->id);
    db_bind_int(s, 2, t->requester_id);
    db_bind_text(s, 3, t->title ? t->title : "");
    db_bind_text(s, 4, t->description ? t->description : "");
    db_bind_text(s, 5, t->keywords ? t->keywords : "");
    db_bind_text(s, 6, t->quals_json ? t->quals_json : "[]");
    db_bind_int(s, 7, t->reward);
    db_bind_int(s, 8, t->duration_s);
    db_bind_int(s, 9, t->auto_approval_s);
    db_bind_int(s, 10, t->created_ms);
    rc = db_step(s);
    if (rc == DB_DONE)
        rc = 0;
    else if (rc == DB_E_UNIQUE || rc == DB_E_UNIQUE)
        rc = ts_fail(err, TS_ECONFLICT, "HIT type %s already exists", t->id);
    else if (rc == DB_E_FOREIGN)
        rc = ts_fail(err, TS_ENOTFOUND, "requester %" PRId64 " does not exist",
                     t->requester_id);
    else
        rc = db_fail(st->db, rc, "creating a HIT type", err);
    db_reset(s);
    return rc;
}

int store_hit_type_get(struct store *st, const char *id, struct hit_type *out,
                       struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_TYPE_GET, &s, err);

    if (rc)
        return rc;
    db_bind_text(s, 1, id);
    rc = db_step(s);
    if (rc == DB_ROW) {
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
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = ts_fail(err, TS_ENOTFOUND, "HIT type %s does not exist", id);
    } else {
        rc = db_fail(st->db, rc, "reading a HIT type", err);
    }
    db_reset(s);
    return rc;
}

int store_hit_type_find(struct store *st, const struct hit_type *t, char id[STORE_ID_MAX],
                        struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_TYPE_FIND, &s, err);

    if (rc)
        return rc;
    db_bind_int(s, 1, t->requester_id);
    db_bind_text(s, 2, t->title ? t->title : "");
    db_bind_text(s, 3, t->description ? t->description : "");
    db_bind_text(s, 4, t->keywords ? t->keywords : "");
    db_bind_text(s, 5, t->quals_json ? t->quals_json : "[]");
    db_bind_int(s, 6, t->reward);
    db_bind_int(s, 7, t->duration_s);
    db_bind_int(s, 8, t->auto_approval_s);
    rc = db_step(s);
    if (rc == DB_ROW) {
        col_copy(s, 0, id, STORE_ID_MAX);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = ts_fail(err, TS_ENOTFOUND, "no HIT type with these properties exists");
    } else {
        rc = db_fail(st->db, rc, "finding a HIT type", err);
    }
    db_reset(s);
    return rc;
}

/* ---- HITs ------------------------------------------------------------------------- */

static void read_hit(struct db_stmt *s, struct hit *h) /* columns: HIT_COLS */
{
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
    struct db_stmt *s = NULL;
    int rc = check_id(h->id, "HIT", err);

    if (!rc)
        rc = db_prepare(st->db, S_HIT_INSERT, &s, err);
    if (rc)
        return rc;
    db_bind_text(s, 1, h->id);
    db_bind_text(s, 2, h->hit_type_id);
    bind_text_opt(s, 3, h->batch_id);
    db_bind_int(s, 4, h->requester_id);
    db_bind_int(s, 5, h->reward);
    db_bind_int(s, 6, h->fee);
    db_bind_int(s, 7, h->max_assignments);
    db_bind_int(s, 8, h->pending);
    db_bind_int(s, 9, h->submitted);
    db_bind_int(s, 10, h->approved);
    db_bind_int(s, 11, h->rejected);
    db_bind_int(s, 12, h->created_ms);
    db_bind_int(s, 13, h->expires_ms);
    db_bind_int(s, 14, h->escrow);
    db_bind_int(s, 15, h->reviewing);
    db_bind_int(s, 16, h->disposed);
    db_bind_int(s, 17, h->expired);
    db_bind_text(s, 18, h->gold);
    db_bind_int(s, 19, h->overlap_max);
    db_bind_int(s, 20, h->qc);
    db_bind_int(s, 21, h->form);
    rc = db_step(s);
    if (rc == DB_DONE) {
        h->seq = (int64_t)db_last_insert_id(st->db);
        db_reset(s);
        if (h->layout_id[0]) {
            rc = db_prepare(st->db, S_HIT_LAYOUT_INSERT, &s, err);
            if (rc)
                return rc;
            db_bind_int(s, 1, h->seq);
            db_bind_text(s, 2, h->layout_id);
            rc = exec_stmt(st, s, "recording a HIT's layout", err);
            if (rc)
                return rc;
        }
        rc = db_prepare(st->db, S_HIT_TEXTS_INSERT, &s, err);
        if (rc)
            return rc;
        db_bind_int(s, 1, h->seq);
        db_bind_text(s, 2, h->question ? h->question : "");
        db_bind_text(s, 3, h->input_json);
        db_bind_text(s, 4, h->annotation);
        rc = exec_stmt(st, s, "storing a HIT's question", err);
        return rc;
    } else if (rc == DB_E_UNIQUE) {
        rc = ts_fail(err, TS_ECONFLICT, "HIT %s already exists", h->id);
    } else if (rc == DB_E_FOREIGN) {
        rc = ts_fail(err, TS_ENOTFOUND,
                     "HIT %s: HIT type %s or requester %" PRId64 " does not exist", h->id,
                     h->hit_type_id, h->requester_id);
    } else {
        rc = db_fail(st->db, rc, "creating a HIT", err);
    }
    db_reset(s);
    return rc;
}

int store_hit_get(struct store *st, const char *id, struct hit *out, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_HIT_GET, &s, err);

    if (rc)
        return rc;
    db_bind_text(s, 1, id);
    rc = db_step(s);
    if (rc == DB_ROW) {
        read_hit(s, out);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = ts_fail(err, TS_ENOTFOUND, "HIT %s does not exist", id);
    } else {
        rc = db_fail(st->db, rc, "reading a HIT", err);
    }
    db_reset(s);
    return rc;
}

int store_hit_set_type(struct store *st, const struct hit *h, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_HIT_SET_TYPE, &s, err);

    if (rc)
        return rc;
    db_bind_text(s, 1, h->id);
    db_bind_text(s, 2, h->hit_type_id);
    return exec_stmt(st, s, "changing a HIT's type", err);
}

int store_hit_set_consensus(struct store *st, const struct hit *h, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_HIT_SET_CONSENSUS, &s, err);

    if (rc)
        return rc;
    db_bind_text(s, 1, h->id);
    db_bind_text(s, 2, h->consensus);
    db_bind_double(s, 3, h->confidence);
    return exec_stmt(st, s, "storing a HIT's consensus", err);
}

int store_hit_load_texts(struct store *st, struct hit *h, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_HIT_TEXTS_GET, &s, err);

    if (rc)
        return rc;
    db_bind_int(s, 1, h->seq);
    rc = db_step(s);
    if (rc == DB_ROW) {
        free(h->question);
        free(h->input_json);
        free(h->annotation);
        h->question = col_dup_nn(s, 0);
        h->input_json = col_dup(s, 1);
        h->annotation = col_dup(s, 2);
        col_copy(s, 3, h->layout_id, sizeof h->layout_id);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = ts_fail(err, TS_EIO, "HIT %s has no stored question", h->id);
    } else {
        rc = db_fail(st->db, rc, "reading a HIT's question", err);
    }
    db_reset(s);
    return rc;
}

/* Runs a bound UPDATE of one HIT. */
static int hit_update_step(struct store *st, struct db_stmt *s, const struct hit *h,
                           struct ts_error *err)
{
    int rc = db_step(s);
    db_reset(s);
    if (rc != DB_DONE)
        return db_fail(st->db, rc, "updating a HIT", err);
    if (db_changes(st->db) == 0)
        return ts_fail(err, TS_ENOTFOUND, "HIT %s does not exist", h->id);
    return 0;
}

int store_hit_update(struct store *st, const struct hit *h, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_HIT_UPDATE, &s, err);

    if (rc)
        return rc;
    db_bind_text(s, 1, h->id);
    db_bind_int(s, 2, h->max_assignments);
    db_bind_int(s, 3, h->pending);
    db_bind_int(s, 4, h->submitted);
    db_bind_int(s, 5, h->approved);
    db_bind_int(s, 6, h->rejected);
    db_bind_int(s, 7, h->expires_ms);
    db_bind_int(s, 8, h->escrow);
    db_bind_int(s, 9, h->reviewing);
    db_bind_int(s, 10, h->disposed);
    db_bind_int(s, 11, h->expired);
    db_bind_int(s, 12, h->overlap_max);
    return hit_update_step(st, s, h, err);
}

int store_hit_update_counts(struct store *st, const struct hit *h, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_HIT_UPDATE_COUNTS, &s, err);

    if (rc)
        return rc;
    db_bind_text(s, 1, h->id);
    db_bind_int(s, 2, h->pending);
    db_bind_int(s, 3, h->submitted);
    db_bind_int(s, 4, h->approved);
    db_bind_int(s, 5, h->rejected);
    db_bind_int(s, 6, h->escrow);
    return hit_update_step(st, s, h, err);
}

int store_hit_next_open(struct store *st, const char *hit_type_id, int64_t worker_id,
                        int64_t now_ms, int gold, char hit_id[STORE_ID_MAX],
                        struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_HIT_NEXT_OPEN, &s, err);

    if (rc)
        return rc;
    db_bind_text(s, 1, hit_type_id);
    db_bind_int(s, 2, worker_id);
    db_bind_int(s, 3, now_ms);
    db_bind_int(s, 4, gold ? 1 : 0);
    rc = db_step(s);
    if (rc == DB_ROW) {
        col_copy(s, 0, hit_id, STORE_ID_MAX);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = ts_fail(err, TS_ENOTFOUND, "HIT type %s has no %sHIT open to worker %" PRId64,
                     hit_type_id, gold ? "gold " : "", worker_id);
    } else {
        rc = db_fail(st->db, rc, "finding an open HIT", err);
    }
    db_reset(s);
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
    struct db_stmt *s = NULL;
    int by_batch = f->batch_id && f->batch_id[0];
    struct list_cb lcb = {.hit = cb, .ctx = ctx};
    int rc;

    if (limit < 0)
        return ts_fail(err, TS_EINVAL, "the list limit must not be negative");
    rc = db_prepare(st->db, by_batch ? S_HIT_LIST_BATCH : S_HIT_LIST_REQ, &s, err);
    if (rc)
        return rc;
    db_bind_int(s, 1, f->requester_id);
    db_bind_int(s, 2, after_seq);
    db_bind_text(s, 3, f->hit_type_id);
    db_bind_int(s, 4, (int)f->mode);
    db_bind_int(s, 5, f->now_ms);
    db_bind_int(s, 6, (int64_t)limit + 1);
    if (by_batch)
        db_bind_text(s, 7, f->batch_id);
    if (f->qual_type_id) {
        char quoted[72]; /* ids are at most 64 characters */
        snprintf(quoted, sizeof quoted, "\"%s\"", f->qual_type_id);
        db_bind_text(s, 8, quoted);
    } else {
        db_bind_null(s, 8);
    }
    return walk_rows(st, s, limit, visit_hit, &lcb, last_seq, more, "listing HITs", err);
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

int store_hit_due_expiry(struct store *st, int64_t now_ms, char (*ids)[STORE_ID_MAX], int cap,
                         int *n, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_HIT_DUE_EXPIRY, &s, err);

    *n = 0;
    if (rc)
        return rc;
    db_bind_int(s, 1, now_ms);
    db_bind_int(s, 2, cap < 0 ? 0 : cap);
    return collect_ids(st, s, ids, cap, n, "listing expired HITs", err);
}

int store_available_types(struct store *st, int64_t worker_id, int64_t now_ms,
                          store_avail_cb cb, void *ctx, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_AVAILABLE_TYPES, &s, err);

    if (rc)
        return rc;
    db_bind_int(s, 2, worker_id);
    db_bind_int(s, 3, now_ms);
    for (;;) {
        rc = db_step(s);
        if (rc != DB_ROW)
            break;
        if (cb(ctx, ctext(s, 0), db_column_int(s, 1)) != 0) {
            rc = DB_DONE;
            break;
        }
    }
    rc = rc == DB_DONE ? 0 : db_fail(st->db, rc, "listing available HIT types", err);
    db_reset(s);
    return rc;
}

/* ---- Assignments ------------------------------------------------------------------ */

static void read_asg(struct db_stmt *s, struct assignment *a) /* columns: ASG_COLS */
{
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
    struct db_stmt *s = NULL;
    int rc = check_id(a->id, "assignment", err);

    if (!rc)
        rc = db_prepare(st->db, S_ASG_INSERT, &s, err);
    if (rc)
        return rc;
    db_bind_text(s, 1, a->id);
    db_bind_text(s, 2, a->hit_id);
    db_bind_text(s, 3, a->hit_type_id);
    db_bind_int(s, 4, a->worker_id);
    db_bind_int(s, 5, a->requester_id);
    db_bind_int(s, 6, (int)a->status);
    db_bind_int(s, 7, a->accepted_ms);
    db_bind_int(s, 8, a->deadline_ms);
    db_bind_int(s, 9, a->submitted_ms);
    db_bind_int(s, 10, a->auto_approve_ms);
    db_bind_int(s, 11, a->approved_ms);
    db_bind_int(s, 12, a->rejected_ms);
    db_bind_int(s, 13, a->returned_ms);
    db_bind_text(s, 14, a->answer_json);
    db_bind_text(s, 15, a->feedback);
    db_bind_text(s, 16, a->label);
    rc = db_step(s);
    if (rc == DB_DONE) {
        a->seq = (int64_t)db_last_insert_id(st->db);
        rc = 0;
    } else if (rc == DB_E_UNIQUE && strstr(db_errmsg(st->db), "worker_id")) {
        rc = ts_fail(err, TS_ECONFLICT, "worker %" PRId64 " already has an assignment on HIT %s",
                     a->worker_id, a->hit_id);
    } else if (rc == DB_E_UNIQUE) {
        rc = ts_fail(err, TS_ECONFLICT, "assignment %s already exists", a->id);
    } else if (rc == DB_E_FOREIGN) {
        rc = ts_fail(err, TS_ENOTFOUND,
                     "assignment %s: HIT %s or worker %" PRId64 " does not exist", a->id,
                     a->hit_id, a->worker_id);
    } else {
        rc = db_fail(st->db, rc, "creating an assignment", err);
    }
    db_reset(s);
    return rc;
}

int store_asg_get(struct store *st, const char *id, struct assignment *out,
                  struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_ASG_GET, &s, err);

    if (rc)
        return rc;
    db_bind_text(s, 1, id);
    rc = db_step(s);
    if (rc == DB_ROW) {
        read_asg(s, out);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = ts_fail(err, TS_ENOTFOUND, "assignment %s does not exist", id);
    } else {
        rc = db_fail(st->db, rc, "reading an assignment", err);
    }
    db_reset(s);
    return rc;
}

int store_asg_update(struct store *st, const struct assignment *a, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_ASG_UPDATE, &s, err);

    if (rc)
        return rc;
    db_bind_text(s, 1, a->id);
    db_bind_int(s, 2, (int)a->status);
    db_bind_int(s, 3, a->accepted_ms);
    db_bind_int(s, 4, a->deadline_ms);
    db_bind_int(s, 5, a->submitted_ms);
    db_bind_int(s, 6, a->auto_approve_ms);
    db_bind_int(s, 7, a->approved_ms);
    db_bind_int(s, 8, a->rejected_ms);
    db_bind_int(s, 9, a->returned_ms);
    db_bind_text(s, 10, a->answer_json);
    db_bind_text(s, 11, a->feedback);
    db_bind_text(s, 12, a->label);
    rc = db_step(s);
    db_reset(s);
    if (rc != DB_DONE)
        return db_fail(st->db, rc, "updating an assignment", err);
    if (db_changes(st->db) == 0)
        return ts_fail(err, TS_ENOTFOUND, "assignment %s does not exist", a->id);
    return 0;
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
    struct db_stmt *s = NULL;
    enum sql_id id;
    int set = (f->hit_id != NULL) + (f->batch_id != NULL) + (f->worker_id != 0);
    struct list_cb lcb = {.asg = cb, .ctx = ctx};
    int rc;

    *last_seq = 0;
    *more = 0;
    if (set != 1)
        return ts_fail(err, TS_EINVAL, "list assignments by exactly one of HIT, batch or "
                       "worker");
    if (limit < 0)
        return ts_fail(err, TS_EINVAL, "the list limit must not be negative");
    id = f->hit_id ? S_ASG_LIST_HIT : f->batch_id ? S_ASG_LIST_BATCH : S_ASG_LIST_WORKER;
    rc = db_prepare(st->db, id, &s, err);
    if (rc)
        return rc;
    if (f->hit_id)
        db_bind_text(s, 1, f->hit_id);
    else if (f->batch_id)
        db_bind_text(s, 1, f->batch_id);
    else
        db_bind_int(s, 1, f->worker_id);
    db_bind_int(s, 2, after_seq);
    db_bind_int(s, 3, (int64_t)f->status_mask);
    db_bind_int(s, 4, (int64_t)limit + 1);
    return walk_rows(st, s, limit, visit_asg, &lcb, last_seq, more, "listing assignments",
                     err);
}

int store_asg_due(struct store *st, enum asg_due which, int64_t now_ms,
                  char (*ids)[STORE_ID_MAX], int cap, int *n, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc;

    *n = 0;
    if (which != ASG_DUE_DEADLINE && which != ASG_DUE_APPROVAL)
        return ts_fail(err, TS_EINVAL, "unknown due list %d", (int)which);
    rc = db_prepare(st->db, which == ASG_DUE_DEADLINE ? S_ASG_DUE_DEADLINE : S_ASG_DUE_APPROVAL, &s,
                  err);
    if (rc)
        return rc;
    db_bind_int(s, 1, now_ms);
    db_bind_int(s, 2, cap < 0 ? 0 : cap);
    return collect_ids(st, s, ids, cap, n, "listing due assignments", err);
}

static int step_i64(struct store *st, struct db_stmt *s, int64_t *v, const char *what,
                    struct ts_error *err)
{
    int rc = db_step(s);

    if (rc == DB_ROW) {
        *v = db_column_int(s, 0);
        rc = 0;
    } else {
        rc = db_fail(st->db, rc, what, err);
    }
    db_reset(s);
    return rc;
}

int store_type_median_work_ms(struct store *st, const char *hit_type_id, int64_t *median_ms,
                              int64_t *n, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int64_t count = 0, a = 0, b = 0;
    int rc = db_prepare(st->db, S_MEDIAN_COUNT, &s, err);

    *median_ms = 0;
    *n = 0;
    if (rc)
        return rc;
    db_bind_text(s, 1, hit_type_id);
    rc = step_i64(st, s, &count, "counting work times", err);
    if (rc || count == 0)
        return rc;
    rc = db_prepare(st->db, S_MEDIAN_AT, &s, err);
    if (rc)
        return rc;
    db_bind_text(s, 1, hit_type_id);
    db_bind_int(s, 2, (count - 1) / 2);
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

/* The funnel: accepted counts every assignment the worker ever accepted, submitted those
 * ever submitted (now Submitted, Approved or Rejected), and approved, rejected, returned,
 * abandoned count the current status. approved_work_ms and approved_reward sum over the
 * Approved ones; bonuses over the bonuses table. */
int store_worker_stats(struct store *st, int64_t worker_id, struct worker_stats *out,
                       struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_WORKER_STATS, &s, err);

    memset(out, 0, sizeof *out);
    if (rc)
        return rc;
    db_bind_int(s, 1, worker_id);
    rc = db_step(s);
    if (rc == DB_ROW) {
        out->accepted = db_column_int(s, 0);
        out->submitted = db_column_int(s, 1);
        out->approved = db_column_int(s, 2);
        out->rejected = db_column_int(s, 3);
        out->returned = db_column_int(s, 4);
        out->abandoned = db_column_int(s, 5);
        out->approved_work_ms = db_column_int(s, 6);
        out->approved_reward = db_column_int(s, 7);
        rc = 0;
    } else {
        rc = db_fail(st->db, rc, "reading worker statistics", err);
    }
    db_reset(s);
    if (rc)
        return rc;
    rc = db_prepare(st->db, S_WORKER_BONUSES, &s, err);
    if (rc)
        return rc;
    db_bind_int(s, 1, worker_id);
    return step_i64(st, s, &out->bonuses, "summing bonuses", err);
}

/* ---- Bonuses ---------------------------------------------------------------------- */

int store_bonus_insert(struct store *st, struct bonus *b, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = check_id(b->id, "bonus", err);

    if (!rc)
        rc = db_prepare(st->db, S_BONUS_INSERT, &s, err);
    if (rc)
        return rc;
    db_bind_text(s, 1, b->id);
    db_bind_int(s, 2, b->requester_id);
    db_bind_int(s, 3, b->worker_id);
    db_bind_text(s, 4, b->assignment_id);
    db_bind_text(s, 5, b->hit_id);
    db_bind_int(s, 6, b->amount);
    db_bind_int(s, 7, b->fee);
    db_bind_text(s, 8, b->reason ? b->reason : "");
    db_bind_int(s, 9, b->granted_ms);
    rc = db_step(s);
    if (rc == DB_DONE) {
        b->seq = (int64_t)db_last_insert_id(st->db);
        rc = 0;
    } else if (rc == DB_E_UNIQUE) {
        rc = ts_fail(err, TS_ECONFLICT, "bonus %s already exists", b->id);
    } else {
        rc = db_fail(st->db, rc, "recording a bonus", err);
    }
    db_reset(s);
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
    struct db_stmt *s = NULL;
    struct list_cb lcb = {.bonus = cb, .ctx = ctx};
    int rc;

    *last_seq = 0;
    *more = 0;
    if (limit < 0)
        return ts_fail(err, TS_EINVAL, "the list limit must not be negative");
    rc = db_prepare(st->db, S_BONUS_LIST, &s, err);
    if (rc)
        return rc;
    db_bind_int(s, 1, f->requester_id);
    db_bind_int(s, 2, after_seq);
    db_bind_text(s, 3, f->hit_id);
    db_bind_text(s, 4, f->assignment_id);
    db_bind_int(s, 5, (int64_t)limit + 1);
    return walk_rows(st, s, limit, visit_bonus, &lcb, last_seq, more, "listing bonuses",
                     err);
}

/* ---- Batches ---------------------------------------------------------------------- */

int store_batch_set_labels(struct store *st, const struct batch *b, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_BATCH_SET_LABELS, &s, err);

    if (rc)
        return rc;
    db_bind_text(s, 1, b->id);
    db_bind_text(s, 2, b->labels_json ? b->labels_json : "[]");
    return exec_stmt(st, s, "updating a batch's labels", err);
}

int store_worker_gold_get(struct store *st, const char *batch_id, int64_t worker_id,
                          int64_t *seen, int64_t *correct, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_WGOLD_GET, &s, err);

    *seen = *correct = 0;
    if (rc)
        return rc;
    db_bind_text(s, 1, batch_id);
    db_bind_int(s, 2, worker_id);
    rc = db_step(s);
    if (rc == DB_ROW) {
        *seen = db_column_int(s, 0);
        *correct = db_column_int(s, 1);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = 0;
    } else {
        rc = db_fail(st->db, rc, "reading a worker's gold answers", err);
    }
    db_reset(s);
    return rc;
}

int store_worker_gold_add(struct store *st, const char *batch_id, int64_t worker_id,
                          int correct, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_WGOLD_ADD, &s, err);

    if (rc)
        return rc;
    db_bind_text(s, 1, batch_id);
    db_bind_int(s, 2, worker_id);
    db_bind_int(s, 3, correct ? 1 : 0);
    return exec_stmt(st, s, "counting a gold answer", err);
}

int store_batch_insert(struct store *st, const struct batch *b, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = check_id(b->id, "batch", err);

    if (!rc)
        rc = db_prepare(st->db, S_BATCH_INSERT, &s, err);
    if (rc)
        return rc;
    db_bind_text(s, 1, b->id);
    db_bind_int(s, 2, b->requester_id);
    db_bind_text(s, 3, b->hit_type_id);
    db_bind_int(s, 4, b->hits);
    db_bind_int(s, 5, b->created_ms);
    db_bind_text(s, 6, b->label_field[0] ? b->label_field : NULL);
    db_bind_int(s, 7, b->gold_rate_ppm);
    db_bind_int(s, 8, b->min_assignments);
    db_bind_int(s, 9, b->confidence_ppm);
    db_bind_text(s, 10, b->labels_json ? b->labels_json : "[]");
    rc = db_step(s);
    if (rc == DB_DONE)
        rc = 0;
    else if (rc == DB_E_UNIQUE || rc == DB_E_UNIQUE)
        rc = ts_fail(err, TS_ECONFLICT, "batch %s already exists", b->id);
    else if (rc == DB_E_FOREIGN)
        rc = ts_fail(err, TS_ENOTFOUND,
                     "batch %s: requester %" PRId64 " or HIT type %s does not exist", b->id,
                     b->requester_id, b->hit_type_id);
    else
        rc = db_fail(st->db, rc, "creating a batch", err);
    db_reset(s);
    return rc;
}

int store_batch_get(struct store *st, const char *id, struct batch *out, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_BATCH_GET, &s, err);

    if (rc)
        return rc;
    db_bind_text(s, 1, id);
    rc = db_step(s);
    if (rc == DB_ROW) {
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
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = ts_fail(err, TS_ENOTFOUND, "batch %s does not exist", id);
    } else {
        rc = db_fail(st->db, rc, "reading a batch", err);
    }
    db_reset(s);
    return rc;
}

/* ---- Consistency ------------------------------------------------------------------ */

struct check_run {
    void (*report)(void *ctx, const char *msg);
    void *ctx;
    int *violations;
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

static void say_row(struct check_run *r, enum sql_id id, struct db_stmt *s)
{
    switch (id) {
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
        TS_BUG("store_check: statement %d is not a check", (int)id);
    }
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
    struct check_run r = {report, ctx, violations};
    struct db_stmt *s = NULL;
    int rc = 0;

    *violations = 0;
    for (size_t i = 0; !rc && i < sizeof check_stmts / sizeof check_stmts[0]; i++) {
        rc = db_prepare(st->db, check_stmts[i], &s, err);
        if (rc)
            break;
        for (;;) {
            rc = db_step(s);
            if (rc != DB_ROW)
                break;
            say_row(&r, check_stmts[i], s);
        }
        rc = rc == DB_DONE ? 0 : db_fail(st->db, rc, "checking consistency", err);
        db_reset(s);
    }
    return rc;
}

/* ---- Pseudonyms and worker blocks ---------------------------------------------------- */

int store_pseudonym_note(struct store *st, int64_t requester_id, const char *pseudonym,
                         int64_t worker_id, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_PSEUD_NOTE, &s, err);

    if (rc)
        return rc;
    db_bind_int(s, 1, requester_id);
    db_bind_text(s, 2, pseudonym);
    db_bind_int(s, 3, worker_id);
    return exec_stmt(st, s, "remembering a pseudonym", err);
}

/* Prepares statement id and binds key (a requester or worker id) as its ?1. */
static int find_one(struct store *st, enum sql_id id, int64_t key, struct db_stmt **out,
                    struct ts_error *err)
{
    int rc = db_prepare(st->db, id, out, err);
    if (rc)
        return rc;
    db_bind_int(*out, 1, key);
    return 0;
}

/* The common shape of a keyed list: ?1 key, ?2 after_seq, then (when has_text) ?3 text,
 * then the limit + 1 (see walk_rows). */
static int list_keyed(struct store *st, enum sql_id id, int64_t key, int has_text,
                      const char *text, int64_t after_seq, int limit, row_visit visit,
                      const struct list_cb *lcb, int64_t *last_seq, int *more, const char *what,
                      struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc;

    *last_seq = 0;
    *more = 0;
    if (limit < 0)
        return ts_fail(err, TS_EINVAL, "the list limit must not be negative");
    rc = find_one(st, id, key, &s, err);
    if (rc)
        return rc;
    db_bind_int(s, 2, after_seq);
    if (has_text)
        db_bind_text(s, 3, text);
    db_bind_int(s, has_text ? 4 : 3, (int64_t)limit + 1);
    return walk_rows(st, s, limit, visit, lcb, last_seq, more, what, err);
}

int store_pseudonym_find(struct store *st, int64_t requester_id, const char *pseudonym,
                         int64_t *worker_id, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = find_one(st, S_PSEUD_FIND, requester_id, &s, err);

    if (rc)
        return rc;
    db_bind_text(s, 2, pseudonym);
    rc = db_step(s);
    if (rc == DB_ROW) {
        *worker_id = db_column_int(s, 0);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = ts_fail(err, TS_ENOTFOUND, "no worker %s has worked for requester %" PRId64,
                     pseudonym, requester_id);
    } else {
        rc = db_fail(st->db, rc, "finding a pseudonym", err);
    }
    db_reset(s);
    return rc;
}

int store_block_put(struct store *st, int64_t requester_id, int64_t worker_id,
                    const char *reason, int64_t now_ms, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = find_one(st, S_BLOCK_PUT, requester_id, &s, err);

    if (rc)
        return rc;
    db_bind_int(s, 2, worker_id);
    db_bind_text(s, 3, reason);
    db_bind_int(s, 4, now_ms);
    return exec_stmt(st, s, "blocking a worker", err);
}

int store_block_delete(struct store *st, int64_t requester_id, int64_t worker_id,
                       struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = find_one(st, S_BLOCK_DELETE, requester_id, &s, err);

    if (rc)
        return rc;
    db_bind_int(s, 2, worker_id);
    rc = exec_stmt(st, s, "unblocking a worker", err);
    if (!rc && db_changes(st->db) == 0)
        rc = ts_fail(err, TS_ENOTFOUND, "worker %" PRId64 " is not blocked", worker_id);
    return rc;
}

int store_block_get(struct store *st, int64_t requester_id, int64_t worker_id,
                    char **reason, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = find_one(st, S_BLOCK_GET, requester_id, &s, err);

    *reason = NULL;
    if (rc)
        return rc;
    db_bind_int(s, 2, worker_id);
    rc = db_step(s);
    if (rc == DB_ROW) {
        *reason = col_dup_nn(s, 0);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = TS_ENOTFOUND; /* not an error a person sees: the caller branches on it */
    } else {
        rc = db_fail(st->db, rc, "reading a block", err);
    }
    db_reset(s);
    return rc;
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
    return list_keyed(st, S_BLOCK_LIST, requester_id, 0, NULL, after_seq, limit, visit_block,
                      &lcb, last_seq, more, "listing blocks", err);
}

int store_worker_counts(struct store *st, int64_t worker_id, int64_t *approved,
                        int64_t *rejected, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = find_one(st, S_WCOUNT_GET, worker_id, &s, err);

    *approved = *rejected = 0;
    if (rc)
        return rc;
    rc = db_step(s);
    if (rc == DB_ROW) {
        *approved = db_column_int(s, 0);
        *rejected = db_column_int(s, 1);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = 0;
    } else {
        rc = db_fail(st->db, rc, "reading a worker's reviews", err);
    }
    db_reset(s);
    return rc;
}

int store_worker_count_add(struct store *st, int64_t worker_id, int64_t d_approved,
                           int64_t d_rejected, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = find_one(st, S_WCOUNT_ADD, worker_id, &s, err);

    if (rc)
        return rc;
    db_bind_int(s, 2, d_approved);
    db_bind_int(s, 3, d_rejected);
    return exec_stmt(st, s, "counting a worker's reviews", err);
}

/* ---- Qualification types and scores --------------------------------------------------- */

/* ---- HIT layouts ----------------------------------------------------------------------- */

static void read_layout(struct db_stmt *s, struct hit_layout *l) /* columns: LAYOUT_COLS */
{
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
    struct db_stmt *s = NULL;
    int rc = check_id(l->id, "HIT layout", err);

    if (!rc)
        rc = db_prepare(st->db, S_LAYOUT_INSERT, &s, err);
    if (rc)
        return rc;
    db_bind_text(s, 1, l->id);
    db_bind_int(s, 2, l->requester_id);
    db_bind_text(s, 3, l->name);
    db_bind_text(s, 4, l->content);
    db_bind_int(s, 5, l->frame_height);
    db_bind_text(s, 6, l->params_json);
    db_bind_int(s, 7, l->created_ms);
    rc = db_step(s);
    if (rc == DB_DONE) {
        l->seq = (int64_t)db_last_insert_id(st->db);
        rc = 0;
    } else {
        rc = db_fail(st->db, rc, "creating a HIT layout", err);
    }
    db_reset(s);
    return rc;
}

int store_layout_get(struct store *st, const char *id, struct hit_layout *out,
                     struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_LAYOUT_GET, &s, err);

    if (rc)
        return rc;
    db_bind_text(s, 1, id);
    rc = db_step(s);
    if (rc == DB_ROW) {
        read_layout(s, out);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = ts_fail(err, TS_ENOTFOUND, "HIT layout %s does not exist", id);
    } else {
        rc = db_fail(st->db, rc, "reading a HIT layout", err);
    }
    db_reset(s);
    return rc;
}

int store_layout_delete(struct store *st, const char *id, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_LAYOUT_DELETE, &s, err);

    if (rc)
        return rc;
    db_bind_text(s, 1, id);
    return exec_stmt(st, s, "deleting a HIT layout", err);
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
    return list_keyed(st, S_LAYOUT_LIST, requester_id, 0, NULL, after_seq, limit, visit_layout,
                      &lcb, last_seq, more, "listing HIT layouts", err);
}

static void read_qual_type(struct db_stmt *s, struct qual_type *q) /* columns: QT_COLS */
{
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

static void bind_qual_type_test(struct db_stmt *s, int i, const struct qual_type *q)
{
    db_bind_text(s, i, q->test);
    db_bind_text(s, i + 1, q->answer_key);
    db_bind_int(s, i + 2, q->test_duration_s);
    if (q->retry_delay_s >= 0)
        db_bind_int(s, i + 3, q->retry_delay_s);
    else
        db_bind_null(s, i + 3);
}

int store_qual_type_insert(struct store *st, struct qual_type *q, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = check_id(q->id, "qualification type", err);

    if (!rc)
        rc = db_prepare(st->db, S_QT_INSERT, &s, err);
    if (rc)
        return rc;
    db_bind_text(s, 1, q->id);
    db_bind_int(s, 2, q->requester_id);
    db_bind_text(s, 3, q->name);
    db_bind_text(s, 4, q->description);
    db_bind_text(s, 5, q->keywords ? q->keywords : "");
    db_bind_int(s, 6, q->active);
    db_bind_int(s, 7, q->auto_granted);
    db_bind_int(s, 8, q->auto_value);
    db_bind_int(s, 9, q->created_ms);
    bind_qual_type_test(s, 10, q);
    rc = db_step(s);
    if (rc == DB_DONE) {
        q->seq = (int64_t)db_last_insert_id(st->db);
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
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_QT_GET, &s, err);

    if (rc)
        return rc;
    db_bind_text(s, 1, id);
    rc = db_step(s);
    if (rc == DB_ROW) {
        read_qual_type(s, out);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = ts_fail(err, TS_ENOTFOUND, "qualification type %s does not exist", id);
    } else {
        rc = db_fail(st->db, rc, "reading a qualification type", err);
    }
    db_reset(s);
    return rc;
}

int store_qual_type_update(struct store *st, const struct qual_type *q, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_QT_UPDATE, &s, err);

    if (rc)
        return rc;
    db_bind_text(s, 1, q->id);
    db_bind_text(s, 2, q->description);
    db_bind_int(s, 3, q->active);
    db_bind_int(s, 4, q->auto_granted);
    db_bind_int(s, 5, q->auto_value);
    db_bind_int(s, 6, q->deleted);
    bind_qual_type_test(s, 7, q);
    return exec_stmt(st, s, "updating a qualification type", err);
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
    return list_keyed(st, S_QT_LIST, requester_id, 1, query, after_seq, limit,
                      visit_qual_type, &lcb, last_seq, more, "listing qualification types",
                      err);
}

int store_qual_put(struct store *st, const struct qual *q, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_Q_PUT, &s, err);

    if (rc)
        return rc;
    db_bind_text(s, 1, q->type_id);
    db_bind_int(s, 2, q->worker_id);
    db_bind_int(s, 3, q->value);
    db_bind_int(s, 4, q->granted);
    db_bind_int(s, 5, q->granted_ms);
    return exec_stmt(st, s, "storing a qualification score", err);
}

static void read_qual(struct db_stmt *s, struct qual *q)
{
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
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_Q_GET, &s, err);

    if (rc)
        return rc;
    db_bind_text(s, 1, type_id);
    db_bind_int(s, 2, worker_id);
    rc = db_step(s);
    if (rc == DB_ROW) {
        read_qual(s, out);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = TS_ENOTFOUND; /* the caller says what it means */
    } else {
        rc = db_fail(st->db, rc, "reading a qualification score", err);
    }
    db_reset(s);
    return rc;
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
    struct db_stmt *s = NULL;
    struct list_cb lcb = {.qual = cb, .ctx = ctx};
    int rc;

    *last_seq = 0;
    *more = 0;
    if (limit < 0)
        return ts_fail(err, TS_EINVAL, "the list limit must not be negative");
    rc = db_prepare(st->db, S_Q_LIST, &s, err);
    if (rc)
        return rc;
    db_bind_text(s, 1, type_id);
    db_bind_int(s, 2, after_seq);
    db_bind_int(s, 3, granted);
    db_bind_int(s, 4, (int64_t)limit + 1);
    return walk_rows(st, s, limit, visit_qual, &lcb, last_seq, more,
                     "listing qualification scores", err);
}

/* ---- Messages ------------------------------------------------------------------------ */

int store_message_insert(struct store *st, const struct message *m, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = find_one(st, S_MSG_INSERT, m->worker_id, &s, err);

    if (rc)
        return rc;
    db_bind_int(s, 2, m->requester_id);
    db_bind_text(s, 3, m->subject);
    db_bind_text(s, 4, m->body);
    db_bind_int(s, 5, m->sent_ms);
    return exec_stmt(st, s, "storing a message", err);
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
    return list_keyed(st, S_MSG_LIST, worker_id, 0, NULL, after_seq, limit, visit_message,
                      &lcb, last_seq, more, "listing messages", err);
}

int store_reviewed_work_of(struct store *st, int64_t requester_id, int64_t worker_id, int *yes,
                           struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = find_one(st, S_REVIEWED, worker_id, &s, err);

    *yes = 0;
    if (rc)
        return rc;
    db_bind_int(s, 2, requester_id);
    rc = db_step(s);
    if (rc == DB_ROW) {
        *yes = (int)db_column_int(s, 0);
        rc = 0;
    } else {
        rc = db_fail(st->db, rc, "looking for reviewed work", err);
    }
    db_reset(s);
    return rc;
}

/* ---- Qualification requests ----------------------------------------------------------- */

static void read_qual_request(struct db_stmt *s, struct qual_request *r) /* columns: QR_COLS */
{
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

/* Binds the members that change after a request is made, from i on. */
static void bind_qual_request_state(struct db_stmt *s, int i, const struct qual_request *r)
{
    db_bind_int(s, i, r->status);
    db_bind_text(s, i + 1, r->reason[0] ? r->reason : NULL);
    db_bind_int(s, i + 2, r->submitted_ms);
    db_bind_text(s, i + 3, r->test);
    db_bind_text(s, i + 4, r->answer);
    db_bind_int(s, i + 5, r->deadline_ms);
    db_bind_int(s, i + 6, r->decided_ms);
    db_bind_int(s, i + 7, r->value);
}

int store_qual_request_insert(struct store *st, const struct qual_request *r,
                              struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = check_id(r->id, "qualification request", err);

    if (!rc)
        rc = db_prepare(st->db, S_QR_INSERT, &s, err);
    if (rc)
        return rc;
    db_bind_text(s, 1, r->id);
    db_bind_text(s, 2, r->type_id);
    db_bind_int(s, 3, r->worker_id);
    db_bind_int(s, 4, r->requester_id);
    bind_qual_request_state(s, 5, r);
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
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, id ? S_QR_GET : S_QR_GET_PAIR, &s, err);

    if (rc)
        return rc;
    if (id) {
        db_bind_text(s, 1, id);
    } else {
        db_bind_text(s, 1, type_id);
        db_bind_int(s, 2, worker_id);
    }
    rc = db_step(s);
    if (rc == DB_ROW) {
        read_qual_request(s, out);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = TS_ENOTFOUND; /* the caller says what it means */
    } else {
        rc = db_fail(st->db, rc, "reading a qualification request", err);
    }
    db_reset(s);
    return rc;
}

int store_qual_request_set(struct store *st, const char *old_id, const struct qual_request *r,
                           struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = check_id(r->id, "qualification request", err);

    if (!rc)
        rc = db_prepare(st->db, S_QR_SET, &s, err);
    if (rc)
        return rc;
    db_bind_text(s, 1, old_id);
    db_bind_text(s, 2, r->id);
    bind_qual_request_state(s, 3, r);
    return exec_stmt(st, s, "updating a qualification request", err);
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
    return list_keyed(st, S_QR_LIST, requester_id, 1, type_id, after_seq, limit,
                      visit_qual_request, &lcb, last_seq, more,
                      "listing qualification requests", err);
}

/* ---- Uploaded files --------------------------------------------------------------- */

int store_upload_insert(struct store *st, const struct upload *u, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_UPLOAD_INSERT, &s, err);

    if (rc)
        return rc;
    if (u->size < 0 || u->size > INT_MAX)
        return ts_fail(err, TS_ETOOBIG, "a file of %" PRId64 " bytes cannot be stored", u->size);
    db_bind_text(s, 1, u->key);
    db_bind_text(s, 2, u->asg_id);
    db_bind_text(s, 3, u->field);
    db_bind_int(s, 4, u->size);
    db_bind_blob(s, 5, u->sha256, 32);
    db_bind_blob(s, 6, u->data, (size_t)u->size);
    db_bind_int(s, 7, u->created_ms);
    return exec_stmt(st, s, "storing an uploaded file", err);
}

static int read_upload(struct store *st, struct db_stmt *s, int with_data, struct upload *out,
                       struct ts_error *err)
{
    int rc = db_step(s);

    if (rc == DB_DONE) {
        rc = TS_ENOTFOUND;
        ts_fail(err, rc, "no such uploaded file");
    } else if (rc != DB_ROW) {
        rc = db_fail(st->db, rc, "reading an uploaded file", err);
    } else {
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
        if (with_data) {
            size_t n;
            const void *p = db_column_blob(s, 6, &n);
            out->data = xmalloc(n + 1);
            if (n)
                memcpy(out->data, p, n);
            out->data[n] = '\0';
            out->size = (int64_t)n;
        }
        rc = 0;
    }
    db_reset(s);
    return rc;
}

int store_upload_get(struct store *st, const char *key, const char *asg_id, const char *field,
                     int with_data, struct upload *out, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, key ? S_UPLOAD_GET_KEY : S_UPLOAD_GET_FIELD, &s, err);

    if (rc)
        return rc;
    if (key) {
        db_bind_text(s, 1, key);
        db_bind_int(s, 2, with_data != 0);
    } else {
        db_bind_text(s, 1, asg_id);
        db_bind_text(s, 2, field);
        db_bind_int(s, 3, with_data != 0);
    }
    return read_upload(st, s, with_data, out, err);
}

/* ---- Notifications ------------------------------------------------------------------ */

int store_notify_settings_get(struct store *st, const char *hit_type_id,
                              struct notify_settings *out, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc;

    if (st->nset_any < 0) {
        int64_t n = 0;
        rc = db_prepare(st->db, S_NSET_ANY, &s, err);
        if (!rc)
            rc = step_i64(st, s, &n, "looking for notification settings", err);
        if (rc)
            return rc;
        st->nset_any = n != 0;
    }
    if (!st->nset_any)
        return TS_ENOTFOUND;
    rc = db_prepare(st->db, S_NSET_GET, &s, err);
    if (rc)
        return rc;
    db_bind_text(s, 1, hit_type_id);
    rc = db_step(s);
    if (rc == DB_ROW) {
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
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = TS_ENOTFOUND;
    } else {
        rc = db_fail(st->db, rc, "reading notification settings", err);
    }
    db_reset(s);
    return rc;
}

int store_notify_settings_put(struct store *st, const struct notify_settings *n,
                              struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_NSET_PUT, &s, err);

    st->nset_any = 1;

    if (rc)
        return rc;
    db_bind_text(s, 1, n->hit_type_id);
    db_bind_int(s, 2, n->requester_id);
    db_bind_text(s, 3, n->destination);
    db_bind_text(s, 4, n->transport);
    db_bind_text(s, 5, n->version);
    db_bind_int(s, 6, (int64_t)n->events);
    db_bind_int(s, 7, n->active);
    db_bind_text(s, 8, n->key_id);
    db_bind_int(s, 9, n->updated_ms);
    return exec_stmt(st, s, "storing notification settings", err);
}

int store_notify_enqueue(struct store *st, const struct notify_msg *m, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_NOUT_INSERT, &s, err);

    if (rc)
        return rc;
    db_bind_int(s, 1, m->requester_id);
    db_bind_text(s, 2, m->hit_type_id);
    db_bind_text(s, 3, m->destination);
    db_bind_text(s, 4, m->key_id);
    db_bind_text(s, 5, m->event_types);
    db_bind_text(s, 6, m->body);
    db_bind_int(s, 7, m->created_ms);
    db_bind_int(s, 8, m->next_ms);
    return exec_stmt(st, s, "queueing a notification", err);
}

static void read_notify(struct db_stmt *s, struct notify_msg *m) /* columns: NOUT_COLS */
{
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

int store_notify_next_ms(struct store *st, int64_t *next_ms, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_NOUT_NEXT, &s, err);

    if (rc)
        return rc;
    rc = db_step(s);
    if (rc == DB_ROW && db_column_type(s, 0) != DB_NULL) {
        *next_ms = db_column_int(s, 0);
        rc = 0;
    } else if (rc == DB_ROW || rc == DB_DONE) {
        rc = TS_ENOTFOUND;
    } else {
        rc = db_fail(st->db, rc, "reading the notification queue", err);
    }
    db_reset(s);
    return rc;
}

int store_notify_get(struct store *st, int64_t seq, struct notify_msg *out,
                     struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = find_one(st, S_NOUT_GET, seq, &s, err);

    if (rc)
        return rc;
    rc = db_step(s);
    if (rc == DB_ROW) {
        read_notify(s, out);
        out->hit_type_id = out->destination = out->key_id = NULL;
        out->event_types = out->body = out->last_error = NULL;
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = ts_fail(err, TS_ENOTFOUND, "notification %" PRId64 " does not exist", seq);
    } else {
        rc = db_fail(st->db, rc, "reading a notification", err);
    }
    db_reset(s);
    return rc;
}

int store_notify_update(struct store *st, const struct notify_msg *m, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = find_one(st, S_NOUT_UPDATE, m->seq, &s, err);

    if (rc)
        return rc;
    db_bind_int(s, 2, m->state);
    db_bind_int(s, 3, m->attempts);
    db_bind_int(s, 4, m->next_ms);
    db_bind_int(s, 5, m->last_status);
    db_bind_text(s, 6, m->last_error);
    db_bind_int(s, 7, m->done_ms);
    return exec_stmt(st, s, "updating a notification", err);
}

int store_notify_list(struct store *st, int64_t requester_id, int64_t after_seq, int limit,
                      store_notify_cb cb, void *ctx, int64_t *last_seq, int *more,
                      struct ts_error *err)
{
    struct list_cb lcb = {.notify = cb, .ctx = ctx};
    return list_keyed(st, S_NOUT_LIST, requester_id, 0, NULL, after_seq, limit, visit_notify,
                      &lcb, last_seq, more, "listing notifications", err);
}

int store_access_key_first(struct store *st, int64_t account_id, char key_id[STORE_ID_MAX],
                           struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = find_one(st, S_AKEY_FIRST, account_id, &s, err);

    if (rc)
        return rc;
    rc = db_step(s);
    if (rc == DB_ROW) {
        col_copy(s, 0, key_id, STORE_ID_MAX);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = ts_fail(err, TS_ENOTFOUND, "account %" PRId64 " has no access key", account_id);
    } else {
        rc = db_fail(st->db, rc, "finding an access key", err);
    }
    db_reset(s);
    return rc;
}

/* ---- Review policies ----------------------------------------------------------------- */

int store_review_policy_put(struct store *st, const char *hit_id, const struct review_policy *p,
                            struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_RP_INSERT, &s, err);

    if (rc)
        return rc;
    db_bind_text(s, 1, hit_id);
    db_bind_int(s, 2, p->level);
    db_bind_text(s, 3, p->name);
    db_bind_text(s, 4, p->params_json);
    rc = exec_stmt(st, s, "storing a review policy", err);
    if (rc)
        return rc;
    rc = db_prepare(st->db, S_RP_FLAG, &s, err);
    if (rc)
        return rc;
    db_bind_text(s, 1, hit_id);
    db_bind_int(s, 2, REVIEW_LEVEL_BIT(p->level));
    return exec_stmt(st, s, "marking a HIT's review policies", err);
}

int store_review_policy_get(struct store *st, const char *hit_id, int level,
                            struct review_policy *out, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_RP_GET, &s, err);

    memset(out, 0, sizeof *out);
    if (rc)
        return rc;
    db_bind_text(s, 1, hit_id);
    db_bind_int(s, 2, level);
    rc = db_step(s);
    if (rc == DB_ROW) {
        out->level = level;
        out->name = col_dup_nn(s, 0);
        out->params_json = col_dup_nn(s, 1);
        out->reviewed = db_column_int(s, 2);
        rc = 0;
    } else if (rc == DB_DONE) {
        rc = ts_fail(err, TS_ENOTFOUND, "HIT %s has no review policy at level %d", hit_id,
                     level);
    } else {
        rc = db_fail(st->db, rc, "reading a review policy", err);
    }
    db_reset(s);
    return rc;
}

int store_review_policy_mark(struct store *st, const char *hit_id, int level, int64_t reviewed,
                             struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_RP_MARK, &s, err);

    if (rc)
        return rc;
    db_bind_text(s, 1, hit_id);
    db_bind_int(s, 2, level);
    db_bind_int(s, 3, reviewed);
    return exec_stmt(st, s, "marking a review policy run", err);
}

int store_review_item_insert(struct store *st, const char *hit_id, const struct review_item *it,
                             struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = db_prepare(st->db, S_RI_INSERT, &s, err);

    if (rc)
        return rc;
    db_bind_text(s, 1, hit_id);
    db_bind_int(s, 2, it->level);
    db_bind_int(s, 3, it->kind);
    db_bind_text(s, 4, it->action_id);
    db_bind_text(s, 5, it->object_id);
    db_bind_text(s, 6, it->object_type);
    bind_text_opt(s, 7, it->question_id);
    db_bind_text(s, 8, it->name);
    db_bind_text(s, 9, it->value);
    bind_text_opt(s, 10, it->status);
    db_bind_int(s, 11, it->complete_ms);
    bind_text_opt(s, 12, it->error_code);
    return exec_stmt(st, s, "storing a review result", err);
}

int store_review_item_list(struct store *st, const char *hit_id, int level_mask, int kind_mask,
                           int64_t after_seq, int limit, store_review_item_cb cb, void *ctx,
                           int64_t *last_seq, int *more, struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc, visited = 0, stop = 0;

    *last_seq = 0;
    *more = 0;
    if (limit < 0)
        return ts_fail(err, TS_EINVAL, "the list limit must not be negative");
    rc = db_prepare(st->db, S_RI_LIST, &s, err);
    if (rc)
        return rc;
    db_bind_text(s, 1, hit_id);
    db_bind_int(s, 2, after_seq);
    db_bind_int(s, 3, level_mask);
    db_bind_int(s, 4, kind_mask);
    db_bind_int(s, 5, (int64_t)limit + 1);
    for (;;) {
        struct review_item it;
        rc = db_step(s);
        if (rc == DB_DONE) {
            rc = 0;
            break;
        }
        if (rc != DB_ROW) {
            rc = db_fail(st->db, rc, "listing review results", err);
            break;
        }
        if (visited >= limit || stop) {
            *more = 1;
            rc = 0;
            break;
        }
        visited++;
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
        *last_seq = it.seq;
        stop = cb(ctx, &it) != 0;
    }
    db_reset(s);
    return rc;
}

/* ---- Notifications: paging the due messages, pruning, counting ----------------------- */

int store_notify_due_after(struct store *st, int64_t now_ms, int64_t after_next_ms,
                           int64_t after_seq, int limit, store_notify_cb cb, void *ctx,
                           struct ts_error *err)
{
    struct db_stmt *s = NULL;
    struct list_cb lcb = {.notify = cb, .ctx = ctx};
    int64_t last;
    int more;
    int rc = find_one(st, S_NOUT_DUE_AFTER, now_ms, &s, err);

    if (rc)
        return rc;
    db_bind_int(s, 2, after_next_ms);
    db_bind_int(s, 3, after_seq);
    db_bind_int(s, 4, limit);
    return walk_rows(st, s, limit, visit_notify, &lcb, &last, &more, "reading due notifications",
                     err);
}

int store_notify_prune(struct store *st, int64_t before_ms, int limit, int *deleted,
                       struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = find_one(st, S_NOUT_PRUNE, before_ms, &s, err);

    *deleted = 0;
    if (rc)
        return rc;
    db_bind_int(s, 2, limit);
    rc = exec_stmt(st, s, "pruning old notifications", err);
    if (!rc)
        *deleted = (int)db_changes(st->db);
    return rc;
}

int store_notify_test_pending(struct store *st, int64_t requester_id, int64_t *n,
                              struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = find_one(st, S_NOUT_TEST_PENDING, requester_id, &s, err);

    *n = 0;
    return rc ? rc : step_i64(st, s, n, "counting pending test notifications", err);
}

int store_signature_remember(struct store *st, int64_t signed_ms,
                             const unsigned char sig_hash[32], const char *key_id,
                             struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = find_one(st, S_SIG_REMEMBER, signed_ms, &s, err);

    if (rc)
        return rc;
    db_bind_blob(s, 2, sig_hash, 32);
    db_bind_text(s, 3, key_id);
    return exec_stmt(st, s, "remembering a request's signature", err);
}

int store_signature_prune(struct store *st, int64_t before_ms, int limit, int *deleted,
                          struct ts_error *err)
{
    struct db_stmt *s = NULL;
    int rc = find_one(st, S_SIG_PRUNE, before_ms, &s, err);

    *deleted = 0;
    if (rc)
        return rc;
    db_bind_int(s, 2, limit);
    rc = exec_stmt(st, s, "forgetting expired signatures", err);
    if (!rc)
        *deleted = (int)db_changes(st->db);
    return rc;
}
