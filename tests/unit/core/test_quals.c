/* test_quals.c: quals_type_get_owned, the one read of a requester's own qualification
 * type: another requester's type is refused exactly as a missing one, a deleted one only
 * without with_deleted, and a refusal keeps nothing (under LeakSanitizer a type kept on
 * a refusal, with its 64 KB Test, fails this test). */
#include "core/quals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../check.h"
#include "../core_fixture.h"
#include "util/alloc.h"
#include "util/banned.h"

static int64_t alpha, beta;
static char live[STORE_ID_MAX], gone[STORE_ID_MAX];

/* Stores a type of requester named name with a Test of test_bytes ('x' filler). */
static void make_type(int64_t requester, const char *name, size_t test_bytes, int deleted,
                      char id[STORE_ID_MAX])
{
    struct qual_type q;
    struct ts_error err = {0};
    memset(&q, 0, sizeof q);
    snprintf(q.id, sizeof q.id, "QT%s%027lld", name, (long long)requester);
    q.requester_id = requester;
    q.name = (char *)name;
    q.description = (char *)"d";
    q.keywords = (char *)"";
    q.active = 1;
    q.retry_delay_s = -1;
    q.created_ms = c.now_ms;
    q.test = xmalloc(test_bytes + 1);
    memset(q.test, 'x', test_bytes);
    q.test[test_bytes] = '\0';
    q.test_duration_s = 600;
    CHECK_EQ_INT(TX(store_qual_type_insert(st, &q, &err)), 0);
    if (deleted) {
        q.deleted = 1;
        q.active = 0;
        CHECK_EQ_INT(TX(store_qual_type_update(st, &q, &err)), 0);
    }
    free(q.test);
    memcpy(id, q.id, STORE_ID_MAX);
}

static void setup(void)
{
    core_fixture_open();
    alpha = account(ROLE_REQUESTER, "alpha");
    beta = account(ROLE_REQUESTER, "beta");
    make_type(alpha, "L", 64000, 0, live);
    make_type(alpha, "G", 100, 1, gone);
}

struct owned_case {
    const char *what;
    int64_t *requester;
    const char *id;
    int with_deleted;
    int rc;
};

static void test_owned(void)
{
    const struct owned_case cases[] = {
        {"own type", &alpha, live, 0, 0},
        {"own type, deleted ones too", &alpha, live, 1, 0},
        {"own deleted type", &alpha, gone, 0, TS_ENOTFOUND},
        {"own deleted type, deleted ones too", &alpha, gone, 1, 0},
        {"another requester's type", &beta, live, 0, TS_ENOTFOUND},
        {"another requester's type, deleted ones too", &beta, live, 1, TS_ENOTFOUND},
        {"another requester's deleted type", &beta, gone, 1, TS_ENOTFOUND},
        {"no such type", &alpha, "NOSUCHTYPE00000000000000000000", 1, TS_ENOTFOUND},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct owned_case *k = &cases[i];
        struct qual_type q;
        struct ts_error err = {0};
        char want[sizeof err.msg];
        int rc = quals_type_get_owned(&c, *k->requester, k->id, k->with_deleted, &q, &err);
        CHECK_EQ_INT(rc, k->rc);
        if (rc == 0) {
            CHECK_EQ_STR(q.id, k->id);
            CHECK(q.test != NULL);
            store_qual_type_release(&q);
            continue;
        }
        /* The same words as for an id that names nothing: existence never shows. */
        snprintf(want, sizeof want, "qualification type %s does not exist", k->id);
        CHECK_EQ_STR(err.kind, "QualificationTypeDoesNotExist");
        CHECK_EQ_STR(err.msg, want);
    }
}

static void teardown(void)
{
    core_fixture_close_checked();
}

CHECK_MAIN(setup, test_owned, teardown)
