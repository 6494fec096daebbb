/* db.h: the narrow seam between the backend-neutral store (store.c) and one database
 * engine. store.c knows the statements only by id (sql.h) and their columns by position;
 * a backend (db_sqlite.c) prepares the id's text from its own table (sql_sqlite.c),
 * binds, steps, reads columns and maps its failures to the neutral codes below. Nothing
 * above this header names the engine.
 *
 * Parameters are numbered from 1, columns from 0, in the order the statement table
 * gives them (every backend's table keeps the same order). A prepared statement belongs
 * to its connection, is cached there and is reset (db_reset) after each use; a text or
 * blob bound to it is borrowed until then. Columns read with db_column_text/_blob are
 * valid until the next step or reset. */
#ifndef TS_DB_H
#define TS_DB_H
#include <stddef.h>
#include <stdint.h>

#include "../util/err.h"
#include "sql.h"

struct db;      /* one connection */
struct db_stmt; /* one prepared statement of it */

/* What db_step returns: a row, the end, or why the statement failed. Never 0, so a
 * caller may test a failed step with `if (rc)` after mapping it with db_fail. */
enum db_rc {
    DB_E_UNIQUE = 1,     /* a unique or primary key would be duplicated */
    DB_E_FOREIGN = 2,    /* a reference to a row that does not exist */
    DB_E_CHECK = 3,      /* a CHECK constraint (e.g. balance >= 0) */
    DB_E_CONSTRAINT = 4, /* any other constraint (NOT NULL) */
    DB_E_BUSY = 5,       /* locked by another writer: try again */
    DB_E_TOOBIG = 6,
    DB_E_STORAGE = 7,    /* the disk failed or is full: nothing was written, try again */
    DB_E_OTHER = 8,
    DB_ROW = 100,
    DB_DONE = 101
};
#define DB_IS_CONSTRAINT(rc) ((rc) >= DB_E_UNIQUE && (rc) <= DB_E_CONSTRAINT)

enum db_type { DB_NULL = 0, DB_INTEGER = 1, DB_FLOAT = 2, DB_TEXT = 3, DB_BLOB = 4 };

/* Opens the database (the backend's part of the connection string: for SQLite a file
 * path), sets it up for durable commits and migrates its schema to the current version,
 * which *version receives. */
int db_open(const char *target, struct db **out, int *version, struct ts_error *err);
void db_close(struct db *db);

/* The cached statement id, prepared on first use. */
int db_prepare(struct db *db, enum sql_id id, struct db_stmt **out, struct ts_error *err);
void db_bind_int(struct db_stmt *s, int i, int64_t v);
void db_bind_double(struct db_stmt *s, int i, double v);
void db_bind_text(struct db_stmt *s, int i, const char *v); /* NULL binds NULL */
void db_bind_blob(struct db_stmt *s, int i, const void *p, size_t n);
void db_bind_null(struct db_stmt *s, int i);
/* DB_ROW, DB_DONE, or an enum db_rc failure. */
int db_step(struct db_stmt *s);
int64_t db_column_int(struct db_stmt *s, int i);
double db_column_double(struct db_stmt *s, int i);
const char *db_column_text(struct db_stmt *s, int i); /* NULL for NULL */
const void *db_column_blob(struct db_stmt *s, int i, size_t *n);
int db_column_type(struct db_stmt *s, int i); /* enum db_type */
void db_reset(struct db_stmt *s);

/* Rows changed by the last INSERT, UPDATE or DELETE; the row id the last INSERT made. */
int64_t db_changes(struct db *db);
int64_t db_last_insert_id(struct db *db);
/* 1 while a transaction is open (the engine may end one by itself after an I/O error). */
int db_in_transaction(struct db *db);

/* Maps the failure rc (enum db_rc) of the last step to a ts_err with a message saying
 * what was being done: busy and storage failures are TS_EBUSY, a duplicate TS_ECONFLICT,
 * a missing reference TS_ENOTFOUND. */
int db_fail(struct db *db, int rc, const char *what, struct ts_error *err);
/* The engine's text about the last failure (to tell which constraint failed). */
const char *db_errmsg(struct db *db);

#endif
