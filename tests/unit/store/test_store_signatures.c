/* test_store_signatures.c: the record of signatures that took effect (SigV4 replay
 * protection, schema v16): a record is refused a second time, per key, inside or across
 * transactions and across a reopen; a rolled-back record is not kept; pruning deletes
 * only records signed before its bound, at most limit of them, oldest first. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "util/alloc.h"
#include "../../check.h"
#include "../store_fixture.h"
#include "util/banned.h"

static void hash_of(unsigned char h[32], int n)
{
    memset(h, 0, 32);
    h[0] = (unsigned char)n;
    h[31] = 0xa5;
}

static int remember(struct store *st, const char *key, int n, int64_t signed_ms)
{
    unsigned char h[32];
    struct ts_error err = {0};
    int rc;

    hash_of(h, n);
    rc = store_begin(st, &err);
    if (!rc)
        rc = store_signature_remember(st, signed_ms, h, key, &err);
    return store_end(st, rc, &err);
}

static void test_remember_once(void)
{
    char path[64];
    struct store *st = store_fixture_open(path, sizeof path);
    unsigned char h[32];
    struct ts_error err = {0};

    CHECK_EQ_INT(remember(st, "AKID1", 1, 5000), 0);
    CHECK_EQ_INT(remember(st, "AKID1", 1, 5000), TS_ECONFLICT);
    CHECK_EQ_INT(remember(st, "AKID2", 1, 5000), 0); /* another key */
    CHECK_EQ_INT(remember(st, "AKID1", 2, 5000), 0); /* another signature */
    CHECK_EQ_INT(remember(st, "AKID1", 1, 5001), 0); /* another date (another request) */

    /* Within one transaction, as in one group commit: the second is refused and the
     * transaction goes on. */
    hash_of(h, 3);
    CHECK_EQ_INT(store_begin(st, &err), 0);
    CHECK_EQ_INT(store_savepoint(st, &err), 0);
    CHECK_EQ_INT(store_signature_remember(st, 5000, h, "AKID1", &err), 0);
    CHECK_EQ_INT(store_savepoint_release(st, &err), 0);
    CHECK_EQ_INT(store_savepoint(st, &err), 0);
    CHECK_EQ_INT(store_signature_remember(st, 5000, h, "AKID1", &err), TS_ECONFLICT);
    CHECK(strstr(err.msg, "signature") != NULL);
    store_savepoint_rollback(st);
    CHECK_EQ_INT(store_commit(st, &err), 0);
    CHECK_EQ_INT(remember(st, "AKID1", 3, 5000), TS_ECONFLICT);

    /* A record in a rolled-back savepoint or transaction is not kept. */
    hash_of(h, 4);
    CHECK_EQ_INT(store_begin(st, &err), 0);
    CHECK_EQ_INT(store_savepoint(st, &err), 0);
    CHECK_EQ_INT(store_signature_remember(st, 5000, h, "AKID1", &err), 0);
    store_savepoint_rollback(st);
    CHECK_EQ_INT(store_commit(st, &err), 0);
    hash_of(h, 5);
    CHECK_EQ_INT(store_begin(st, &err), 0);
    CHECK_EQ_INT(store_signature_remember(st, 5000, h, "AKID1", &err), 0);
    store_rollback(st);
    CHECK_EQ_INT(remember(st, "AKID1", 4, 5000), 0);
    CHECK_EQ_INT(remember(st, "AKID1", 5, 5000), 0);

    /* Durable: a reopened store still refuses. */
    store_close(st);
    st = NULL;
    CHECK_EQ_INT(store_open(path, &st, &err), 0);
    CHECK_EQ_INT(remember(st, "AKID1", 1, 5000), TS_ECONFLICT);
    CHECK_EQ_INT(remember(st, "AKID2", 1, 5000), TS_ECONFLICT);
    store_close(st);
    store_fixture_remove(path);
}

static void test_prune(void)
{
    char path[64];
    struct store *st = store_fixture_open(path, sizeof path);
    struct ts_error err = {0};
    int n = -1;

    for (int i = 0; i < 10; i++)
        CHECK_EQ_INT(remember(st, i % 2 ? "AKID1" : "AKID2", i, 1000 + 100 * i), 0);
    /* signed 1000 .. 1900; before 1450: five, deleted at most three at a time */
    CHECK_EQ_INT(store_begin(st, &err), 0);
    CHECK_EQ_INT(store_signature_prune(st, 1450, 3, &n, &err), 0);
    CHECK_EQ_INT(n, 3);
    CHECK_EQ_INT(store_signature_prune(st, 1450, 3, &n, &err), 0);
    CHECK_EQ_INT(n, 2);
    CHECK_EQ_INT(store_signature_prune(st, 1450, 3, &n, &err), 0);
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_INT(store_commit(st, &err), 0);
    /* the pruned ones are forgotten, the rest still refused */
    for (int i = 0; i < 10; i++)
        CHECK_EQ_INT(remember(st, i % 2 ? "AKID1" : "AKID2", i, 1000 + 100 * i),
                     i < 5 ? 0 : TS_ECONFLICT);
    /* a record signed exactly at the bound is kept */
    CHECK_EQ_INT(store_begin(st, &err), 0);
    CHECK_EQ_INT(store_signature_prune(st, 1500, 100, &n, &err), 0);
    CHECK_EQ_INT(n, 5); /* the five just put back */
    CHECK_EQ_INT(store_signature_prune(st, 1501, 100, &n, &err), 0);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(store_commit(st, &err), 0);
    CHECK_EQ_INT(remember(st, "AKID1", 5, 1500), 0);
    CHECK_EQ_INT(remember(st, "AKID2", 6, 1600), TS_ECONFLICT);
    store_close(st);
    store_fixture_remove(path);
}

CHECK_MAIN(test_remember_once, test_prune)
