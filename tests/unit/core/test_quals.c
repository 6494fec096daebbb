/* test_quals.c: quals_type_get_owned, the one read of a requester's own qualification
 * type: another requester's type is refused exactly as a missing one, a deleted one only
 * without with_deleted, and a refusal keeps nothing (under LeakSanitizer a type kept on
 * a refusal, with its 64 KB Test, fails this test). Also a type's test settings checked
 * together (quals_type_set_test), and scores granted and revoked. */
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

static void case_open(void)
{
    core_fixture_open();
    alpha = account(ROLE_REQUESTER, "alpha");
    beta = account(ROLE_REQUESTER, "beta");
    make_type(alpha, "L", 64000, 0, live);
    make_type(alpha, "G", 100, 1, gone);
}

static void case_close(void)
{
    core_fixture_close_checked();
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
    case_open();
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
    case_close();
}

#define QF "<QuestionForm xmlns=\"http://mechanicalturk.amazonaws.com/" \
           "AWSMechanicalTurkDataSchemas/2017-11-06/QuestionForm.xsd\"><Question>" \
           "<QuestionIdentifier>q1</QuestionIdentifier><QuestionContent><Text>Why?</Text>" \
           "</QuestionContent><AnswerSpecification><FreeTextAnswer/></AnswerSpecification>" \
           "</Question></QuestionForm>"

/* quals_type_set_test: the members a type's test is made of, checked together. */
static void test_set_test(void)
{
    case_open();
    static const struct {
        const char *what;
        int auto_granted, has_test;            /* the type as it is */
        struct quals_test_change ch;
        int rc;
        const char *says;
    } cases[] = {
        {"nothing given", 0, 0, {NULL, NULL, -1, -1}, 0, NULL},
        {"only a retry delay", 0, 0, {NULL, NULL, -1, 60}, 0, NULL},
        {"a test and its duration", 0, 0, {QF, NULL, 600, -1}, 0, NULL},
        {"a test on an auto-granted type", 1, 0, {QF, NULL, 600, -1}, TS_EINVAL, "AutoGranted"},
        {"auto-granted with a test already", 1, 1, {NULL, NULL, -1, -1}, TS_EINVAL,
         "AutoGranted"},
        {"a duration without a test", 0, 0, {NULL, NULL, 600, -1}, TS_EINVAL, "with a Test"},
        {"a test without a duration", 0, 0, {QF, NULL, -1, -1}, TS_EINVAL, "needs Test"},
        {"a new duration for the test it has", 0, 1, {NULL, NULL, 60, -1}, 0, NULL},
        {"a key without a test", 0, 0, {NULL, "<AnswerKey/>", -1, -1}, TS_EINVAL,
         "needs a Test"},
        {"a test that is no QuestionForm", 0, 0, {"<x/>", NULL, 600, -1}, TS_EINVAL, "Test"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct qual_type q;
        struct ts_error err = {0};
        memset(&q, 0, sizeof q);
        q.auto_granted = cases[i].auto_granted;
        q.retry_delay_s = -1;
        if (cases[i].has_test) {
            q.test = xstrdup(QF);
            q.test_duration_s = 300;
        }
        int rc = quals_type_set_test(&q, &cases[i].ch, &err);
        if (rc != cases[i].rc)
            fprintf(stderr, "case \"%s\": %s\n", cases[i].what, err.msg);
        CHECK_EQ_INT(rc, cases[i].rc);
        if (rc) {
            CHECK_EQ_STR(err.kind, "ParameterValidationError");
            CHECK(strstr(err.msg, cases[i].says) != NULL);
        } else if (cases[i].ch.test) {
            CHECK_EQ_STR(q.test, cases[i].ch.test);
            CHECK_EQ_INT(q.test_duration_s, cases[i].ch.duration_s);
        }
        if (!rc && cases[i].ch.retry_delay_s >= 0)
            CHECK_EQ_INT(q.retry_delay_s, cases[i].ch.retry_delay_s);
        free(q.test);
        free(q.answer_key);
    }
    case_close();
}

/* Scores: granted, revoked keeping the value, and none to revoke. */
static void test_scores(void)
{
    case_open();
    struct ts_error err = {0};
    struct qual_type t;
    struct qual q;
    int64_t worker = account(ROLE_WORKER, "scored");
    CHECK_EQ_INT(quals_type_get_owned(&c, alpha, live, 0, &t, &err), 0);
    CHECK_EQ_INT(quals_score(&c, &t, worker, &q, &err), TS_ENOTFOUND);
    CHECK_EQ_STR(err.kind, "QualificationDoesNotExist");
    CHECK_EQ_INT(TX(quals_revoke(&c, live, worker, &err)), TS_ENOTFOUND);
    CHECK_EQ_INT(TX(quals_grant(&c, live, worker, 42, &err)), 0);
    CHECK_EQ_INT(TX(quals_revoke(&c, live, worker, &err)), 0);
    CHECK_EQ_INT(quals_score(&c, &t, worker, &q, &err), 0);
    CHECK_EQ_INT(q.value, 42);
    CHECK_EQ_INT(q.granted, 0);
    /* An auto-granted type: every worker has its value without a score. */
    t.auto_granted = 1;
    t.auto_value = 9;
    CHECK_EQ_INT(quals_score(&c, &t, worker + 1000, &q, &err), 0);
    CHECK_EQ_INT(q.value, 9);
    CHECK_EQ_INT(q.granted, 1);
    CHECK_EQ_INT(q.granted_ms, t.created_ms);
    store_qual_type_release(&t);
    case_close();
}

CHECK_MAIN(test_owned, test_set_test, test_scores)
