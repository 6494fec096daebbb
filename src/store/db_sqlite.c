/* db_sqlite.c: the database seam (db.h) on SQLite. One connection per thread (NOMUTEX),
 * WAL with synchronous=FULL so every commit is durable, a 10 s busy timeout so writers
 * queue instead of failing. Every statement is a literal of sql_sqlite.c, prepared once
 * per connection on first use and reset after each use; values only ever go through
 * sqlite3_bind_*. The schema and its migrations live in schema_sqlite.h. */
#include "db.h"

#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>

#include <sqlite3.h>

#include "../util/alloc.h"
#include "schema_sqlite.h"
#include "sql_sqlite.h"
#include "../util/banned.h"

struct db_stmt {
    sqlite3_stmt *s;
    struct db *db;
};

struct db {
    sqlite3 *h;
    int last_rc; /* SQLite's extended code of the last failed step */
    struct db_stmt stmt[S__COUNT];
};

/* ---- Failures ------------------------------------------------------------------------ */

static int map_rc(int rc)
{
    switch (rc) {
    case SQLITE_ROW:
        return DB_ROW;
    case SQLITE_DONE:
        return DB_DONE;
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
        return DB_E_UNIQUE;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
        return DB_E_FOREIGN;
    case SQLITE_CONSTRAINT_CHECK:
        return DB_E_CHECK;
    default:
        break;
    }
    switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
        return DB_E_CONSTRAINT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return DB_E_BUSY;
    case SQLITE_TOOBIG:
        return DB_E_TOOBIG;
    case SQLITE_FULL:
    case SQLITE_IOERR:
        return DB_E_STORAGE;
    default:
        return DB_E_OTHER;
    }
}

int db_fail(struct db *db, int rc, const char *what, struct ts_error *err)
{
    const char *msg = sqlite3_errmsg(db->h);

    switch (rc) {
    case DB_E_BUSY:
        return ts_fail(err, TS_EBUSY, "the database is busy (%s); try again", what);
    case DB_E_UNIQUE:
        return ts_fail(err, TS_ECONFLICT, "%s: it already exists", what);
    case DB_E_FOREIGN:
        return ts_fail(err, TS_ENOTFOUND, "%s: it refers to an object that does not exist",
                       what);
    case DB_E_CHECK:
    case DB_E_CONSTRAINT:
        return ts_fail(err, TS_EINVAL, "%s: %s", what, msg);
    case DB_E_TOOBIG:
        return ts_fail(err, TS_ETOOBIG, "%s: value too big", what);
    case DB_E_STORAGE:
        /* The storage failed (docs/internals/faults.md): a retry may succeed. */
        return ts_fail(err, TS_EBUSY,
                       "the database storage failed (%s: %s); nothing was changed, "
                       "try again",
                       what, sqlite3_errstr(db->last_rc));
    default:
        return ts_fail(err, TS_EIO, "%s: %s", what, msg);
    }
}

const char *db_errmsg(struct db *db)
{
    return sqlite3_errmsg(db->h);
}

/* ---- Statements ---------------------------------------------------------------------- */

int db_prepare(struct db *db, enum sql_id id, struct db_stmt **out, struct ts_error *err)
{
    struct db_stmt *s = &db->stmt[id];
    int rc;

    if (!s->s) {
        rc = sqlite3_prepare_v3(db->h, sql_sqlite[id], -1, SQLITE_PREPARE_PERSISTENT, &s->s,
                                NULL);
        if (rc != SQLITE_OK) {
            s->s = NULL;
            db->last_rc = rc;
            return db_fail(db, map_rc(rc), "preparing a statement", err);
        }
        s->db = db;
    }
    *out = s;
    return 0;
}

void db_bind_int(struct db_stmt *s, int i, int64_t v)
{
    sqlite3_bind_int64(s->s, i, (sqlite3_int64)v);
}

void db_bind_double(struct db_stmt *s, int i, double v)
{
    sqlite3_bind_double(s->s, i, v);
}

void db_bind_text(struct db_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s->s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s->s, i);
}

void db_bind_blob(struct db_stmt *s, int i, const void *p, size_t n)
{
    /* Callers cap their blobs far below INT_MAX (store.c checks before binding). */
    sqlite3_bind_blob(s->s, i, n ? p : "", n > INT_MAX ? INT_MAX : (int)n, SQLITE_STATIC);
}

void db_bind_null(struct db_stmt *s, int i)
{
    sqlite3_bind_null(s->s, i);
}

int db_step(struct db_stmt *s)
{
    int rc = sqlite3_step(s->s);

    if (rc == SQLITE_ROW)
        return DB_ROW;
    if (rc == SQLITE_DONE)
        return DB_DONE;
    s->db->last_rc = rc;
    return map_rc(rc);
}

int64_t db_column_int(struct db_stmt *s, int i)
{
    return (int64_t)sqlite3_column_int64(s->s, i);
}

double db_column_double(struct db_stmt *s, int i)
{
    return sqlite3_column_double(s->s, i);
}

const char *db_column_text(struct db_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s->s, i);
}

const void *db_column_blob(struct db_stmt *s, int i, size_t *n)
{
    const void *p = sqlite3_column_blob(s->s, i);

    *n = (size_t)sqlite3_column_bytes(s->s, i);
    return p;
}

int db_column_type(struct db_stmt *s, int i)
{
    switch (sqlite3_column_type(s->s, i)) {
    case SQLITE_INTEGER:
        return DB_INTEGER;
    case SQLITE_FLOAT:
        return DB_FLOAT;
    case SQLITE_TEXT:
        return DB_TEXT;
    case SQLITE_BLOB:
        return DB_BLOB;
    default:
        return DB_NULL;
    }
}

void db_reset(struct db_stmt *s)
{
    sqlite3_reset(s->s);
}

int64_t db_changes(struct db *db)
{
    return (int64_t)sqlite3_changes(db->h);
}

int64_t db_last_insert_id(struct db *db)
{
    return (int64_t)sqlite3_last_insert_rowid(db->h);
}

int db_in_transaction(struct db *db)
{
    return !sqlite3_get_autocommit(db->h);
}

/* ---- Opening and migrating -------------------------------------------------------- */

static int exec_script(struct db *db, const char *sql, const char *what, struct ts_error *err)
{
    char *emsg = NULL;
    int rc = sqlite3_exec(db->h, sql, NULL, NULL, &emsg);

    if (rc != SQLITE_OK) {
        if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
            rc = ts_fail(err, TS_EBUSY, "the database is busy (%s); try again", what);
        else
            rc = ts_fail(err, TS_EIO, "%s: %s", what, emsg ? emsg : sqlite3_errstr(rc));
        sqlite3_free(emsg);
        return rc;
    }
    return 0;
}

static const char sql_has_meta[] =
    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'";
static const char sql_get_version[] =
    "SELECT CAST(val AS INTEGER) FROM meta WHERE key = 'schema_version'";
static const char sql_set_version[] =
    "INSERT INTO meta(key, val) VALUES ('schema_version', CAST(?1 AS TEXT)) "
    "ON CONFLICT(key) DO UPDATE SET val = excluded.val";

static const char sql_fk_violations[] = "SELECT count(*) FROM pragma_foreign_key_check";

/* Runs a one-off single-value query (migration only; not worth caching). */
static int query_int(struct db *db, const char *sql, int64_t bindv, int64_t *out,
                     struct ts_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(db->h, sql, -1, &s, NULL);

    if (rc != SQLITE_OK) {
        db->last_rc = rc;
        return db_fail(db, map_rc(rc), "reading the schema version", err);
    }
    if (sqlite3_bind_parameter_count(s) > 0)
        sqlite3_bind_int64(s, 1, (sqlite3_int64)bindv);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *out = (int64_t)sqlite3_column_int64(s, 0);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        *out = 0;
        rc = 0;
    } else {
        db->last_rc = rc;
        rc = db_fail(db, map_rc(rc), "reading the schema version", err);
    }
    sqlite3_finalize(s);
    return rc;
}

static int migrate(struct db *db, int *version_out, struct ts_error *err)
{
    int64_t has_meta = 0, version = 0, dummy;
    int rc = exec_script(db, "BEGIN IMMEDIATE", "starting the schema migration", err);

    if (rc)
        return rc;
    rc = query_int(db, sql_has_meta, 0, &has_meta, err);
    if (!rc && has_meta)
        rc = query_int(db, sql_get_version, 0, &version, err);
    if (!rc && (version < 0 || version > SCHEMA_VERSION))
        rc = ts_fail(err, TS_EIO,
                     "the database has schema version %" PRId64
                     ", newer than this build understands (%d)",
                     version, SCHEMA_VERSION);
    for (int64_t v = version; !rc && v < SCHEMA_VERSION; v++) {
        for (const char *const *part = schema_migrations[v]; !rc && *part; part++)
            rc = exec_script(db, *part, "migrating the schema", err);
        if (!rc)
            rc = query_int(db, sql_set_version, v + 1, &dummy, err);
    }
    /* Migrations run with foreign keys off (a table rebuild needs it): what they leave must
     * still hold every reference. */
    if (!rc && version > 0 && version < SCHEMA_VERSION) {
        int64_t dangling = 0;
        rc = query_int(db, sql_fk_violations, 0, &dangling, err);
        if (!rc && dangling)
            rc = ts_fail(err, TS_EIO, "migrating the schema left %" PRId64 " dangling "
                         "references", dangling);
    }
    if (rc) {
        sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    rc = exec_script(db, "COMMIT", "committing the schema migration", err);
    if (rc) {
        sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    *version_out = SCHEMA_VERSION;
    return 0;
}

int db_open(const char *path, struct db **out, int *version, struct ts_error *err)
{
    struct db *db = xcalloc(1, sizeof *db);
    int rc = sqlite3_open_v2(path, &db->h,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             NULL);

    *out = NULL;
    if (rc != SQLITE_OK) {
        rc = ts_fail(err, TS_EIO, "cannot open the database %s: %s", path,
                     db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
        goto fail;
    }
    sqlite3_extended_result_codes(db->h, 1);
    sqlite3_busy_timeout(db->h, 10000);
    rc = exec_script(db, "PRAGMA journal_mode = WAL", "setting WAL mode", err);
    if (!rc)
        rc = exec_script(db, "PRAGMA synchronous = FULL", "setting synchronous", err);
    /* 64 MiB of page cache (the default is 2 MiB): the server's one writer connection
     * keeps the hot pages of hits and assignments in memory across transactions. */
    if (!rc)
        rc = exec_script(db, "PRAGMA cache_size = -65536", "setting the cache size", err);
    if (!rc)
        rc = migrate(db, version, err);
    if (!rc)
        rc = exec_script(db, "PRAGMA foreign_keys = ON", "enabling foreign keys", err);
    if (rc)
        goto fail;
    *out = db;
    return 0;
fail:
    sqlite3_close(db->h);
    free(db);
    return rc;
}

void db_close(struct db *db)
{
    if (!db)
        return;
    for (int i = 0; i < S__COUNT; i++)
        sqlite3_finalize(db->stmt[i].s);
    sqlite3_close(db->h);
    free(db);
}
