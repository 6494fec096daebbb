/* store_fixture.h: SQLite store files under /tmp for the store's unit tests. Header-only
 * (each test file is linked alone with the library): include it after check.h.
 * store_fixture_temp makes an empty file from a mkstemp template, store_fixture_open a
 * store in a new one, store_fixture_remove deletes a database file and its WAL files. */
#ifndef TS_STORE_FIXTURE_H
#define TS_STORE_FIXTURE_H
#include <stdlib.h>
#include <unistd.h>
#include "store/store.h"

/* path (of size bytes) becomes a new empty file named after tmpl ("...XXXXXX"). */
static inline void store_fixture_temp(char *path, size_t size, const char *tmpl)
{
    int fd;
    snprintf(path, size, "%s", tmpl);
    fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd >= 0)
        close(fd);
}

/* A store opened on a new file, its name in path; exits when it cannot be opened. */
static inline struct store *store_fixture_open(char *path, size_t size)
{
    struct store *st = NULL;
    struct ts_error err = {0};
    store_fixture_temp(path, size, "/tmp/ts_store_test_XXXXXX");
    CHECK_EQ_INT(store_open(path, &st, &err), 0);
    if (!st) {
        fprintf(stderr, "store_open: %s\n", err.msg);
        exit(1);
    }
    return st;
}

static inline void store_fixture_remove(const char *path)
{
    char p[128];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

/* A new account (created at 1000 ms) with name and role; its id. */
static inline int64_t add_account(struct store *st, const char *name, int role)
{
    struct account a = {0};
    struct ts_error err = {0};
    snprintf(a.name, sizeof a.name, "%s", name);
    a.role = role;
    a.created_ms = 1000;
    CHECK_EQ_INT(store_account_insert(st, &a, &err), 0);
    return a.id;
}

#endif
