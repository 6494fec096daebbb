/* test_pseudonym.c: workers as requesters see them (core/pseudonym.c): derived stably
 * per requester and differently across requesters, recorded when shown (at accept), and
 * resolved only for the requester that was shown them. Every case opens a fresh store. */
#include "core/pseudonym.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../../check.h"
#include "../core_fixture.h"
#include "core/asg.h"
#include "core/ledger.h"
#include "util/money.h"
#include "util/banned.h"

#define UPPER36 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

static int well_formed(const char *p)
{
    return strlen(p) == PSEUDONYM_LEN && p[0] == 'A' && strspn(p, UPPER36) == PSEUDONYM_LEN;
}

/* Stored pseudonyms must not change: with the master key 00 01 .. 1f, these are what
 * HMAC-SHA256 under the crypto_kdf subkey 2 ("tessera_") gives, in base 36. */
static void test_known_answers(void)
{
    static const struct {
        int64_t requester, worker;
        const char *want;
    } cases[] = {{7, 9, "A5RRQL365BND9Y"}, {9, 7, "AFRIWAK2PD6LWO"}, {1, 1, "A4SOZLGGEICY9Y"}};
    struct secrets *s = NULL;
    struct ts_error err = {0};
    unsigned char key[32];
    char path[128], got[PSEUDONYM_SIZE];
    core_fixture_open();
    for (int i = 0; i < 32; i++)
        key[i] = (unsigned char)i;
    snprintf(path, sizeof path, "%s/known.key", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    CHECK(fd >= 0 && write(fd, key, sizeof key) == (ssize_t)sizeof key);
    if (fd >= 0)
        close(fd);
    CHECK_EQ_INT(secrets_load(path, &s, &err), 0);
    for (size_t i = 0; s && i < sizeof cases / sizeof cases[0]; i++) {
        pseudonym_derive(s, cases[i].requester, cases[i].worker, got);
        CHECK_EQ_STR(got, cases[i].want);
    }
    secrets_free(s);
    core_fixture_close();
}

static void test_stable_per_requester(void)
{
    char a[PSEUDONYM_SIZE], b[PSEUDONYM_SIZE], other_rq[PSEUDONYM_SIZE],
        other_wk[PSEUDONYM_SIZE], edge[PSEUDONYM_SIZE];
    core_fixture_open();
    pseudonym_derive(sec, 1, 42, a);
    pseudonym_derive(sec, 1, 42, b);
    pseudonym_derive(sec, 2, 42, other_rq);
    pseudonym_derive(sec, 1, 43, other_wk);
    pseudonym_derive(sec, INT64_MIN, INT64_MAX, edge);
    CHECK(well_formed(a));
    CHECK(well_formed(edge));
    CHECK_EQ_STR(a, b);                  /* stable for the requester */
    CHECK(strcmp(a, other_rq) != 0);     /* another requester sees another id */
    CHECK(strcmp(a, other_wk) != 0);     /* another worker is another id */
    core_fixture_close();
}

static void test_resolved_only_by_its_requester(void)
{
    struct ts_error err = {0};
    char p1[PSEUDONYM_SIZE], p2[PSEUDONYM_SIZE];
    int64_t who = -1;
    core_fixture_open();
    int64_t rq1 = account(ROLE_REQUESTER, "rq1"), rq2 = account(ROLE_REQUESTER, "rq2");
    int64_t wk = account(ROLE_WORKER, "wk");
    pseudonym_derive(sec, rq1, wk, p1);
    pseudonym_derive(sec, rq2, wk, p2);

    /* Not shown yet: unknown even to its own requester. */
    CHECK_EQ_INT(pseudonym_resolve(&c, rq1, p1, &who, &err), TS_ENOTFOUND);
    CHECK_EQ_STR(err.kind, "WorkerDoesNotExist");
    CHECK_EQ_INT(who, -1);
    CHECK_EQ_INT(TX(pseudonym_note(&c, rq1, wk, &err)), 0);
    CHECK_EQ_INT(TX(pseudonym_note(&c, rq1, wk, &err)), 0); /* idempotent */
    CHECK_EQ_INT(pseudonym_resolve(&c, rq1, p1, &who, &err), 0);
    CHECK_EQ_INT(who, wk);
    /* The other requester can use neither its own pseudonym of the worker (never shown)
     * nor rq1's: both read as no worker at all. */
    who = -1;
    CHECK_EQ_INT(pseudonym_resolve(&c, rq2, p1, &who, &err), TS_ENOTFOUND);
    CHECK_EQ_STR(err.kind, "WorkerDoesNotExist");
    CHECK_EQ_INT(pseudonym_resolve(&c, rq2, p2, &who, &err), TS_ENOTFOUND);
    CHECK_EQ_INT(pseudonym_resolve(&c, rq1, "ANOSUCHWORKER1", &who, &err), TS_ENOTFOUND);
    CHECK_EQ_INT(who, -1);
    core_fixture_close_checked();
}

/* Accepting a HIT is what shows the worker to its requester. */
static void test_recorded_at_accept(void)
{
    struct ts_error err = {0};
    struct hit h;
    struct assignment a;
    char p[PSEUDONYM_SIZE];
    int64_t who = 0;
    struct hit_params hp = core_fixture_params(1);
    core_fixture_open();
    int64_t rq = account(ROLE_REQUESTER, "rq"), wk = account(ROLE_WORKER, "wk");
    struct hit_type t = core_fixture_type(rq, "Label", "Label one thing", MONEY_UNIT, 600, 3600);
    CHECK_EQ_INT(TX(ledger_deposit(&c, rq, 5 * MONEY_UNIT, &err)), 0);
    core_fixture_type_create(&t);
    CHECK_EQ_INT(TX(hit_create(&c, &t, &hp, &h, &err)), 0);
    pseudonym_derive(sec, rq, wk, p);
    CHECK_EQ_INT(pseudonym_resolve(&c, rq, p, &who, &err), TS_ENOTFOUND);
    CHECK_EQ_INT(TX(asg_accept(&c, wk, NULL, h.id, &a, &err)), 0);
    CHECK_EQ_INT(pseudonym_resolve(&c, rq, p, &who, &err), 0);
    CHECK_EQ_INT(who, wk);
    store_asg_release(&a);
    store_hit_release(&h);
    core_fixture_close_checked();
}

static void test_is(void)
{
    char p[PSEUDONYM_SIZE];
    core_fixture_open();
    pseudonym_derive(sec, 1, 42, p);
    CHECK_EQ_INT(pseudonym_is(&c, 1, p, 42), 1);
    CHECK_EQ_INT(pseudonym_is(&c, 2, p, 42), 0); /* another requester's view */
    CHECK_EQ_INT(pseudonym_is(&c, 1, p, 43), 0); /* another worker */
    CHECK_EQ_INT(pseudonym_is(&c, 1, "", 42), 0);
    core_fixture_close();
}

CHECK_MAIN(test_known_answers, test_stable_per_requester, test_resolved_only_by_its_requester,
           test_recorded_at_accept, test_is)
