/* sql_sqlite.h: SQLite's table of statement text (sql_sqlite.c), for db_sqlite.c. */
#ifndef TS_SQL_SQLITE_H
#define TS_SQL_SQLITE_H
#include "sql.h"

extern const char *const sql_sqlite[S__COUNT];

#endif
