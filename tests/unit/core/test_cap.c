/* test_cap.c: submit capabilities and signed download links: they verify for what they
 * were made, and for nothing else (another assignment, worker, key, domain, a changed
 * character, a passed expiry). */
#include "core/cap.h"
#include "core/secrets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../check.h"
#include "util/banned.h"

static char tmpdir[64], path1[96], path2[96];
static struct secrets *s1, *s2;

static void case_open(void)
{
    struct ts_error err = {0};
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_cap.XXXXXX");
    if (!mkdtemp(tmpdir))
        TS_BUG("mkdtemp failed");
    snprintf(path1, sizeof path1, "%s/a.key", tmpdir);
    snprintf(path2, sizeof path2, "%s/b.key", tmpdir);
    if (secrets_load(path1, &s1, &err) || secrets_load(path2, &s2, &err))
        TS_BUG("secrets_load: %s", err.msg);
}

static void case_close(void)
{
    secrets_free(s1);
    secrets_free(s2);
    unlink(path1);
    unlink(path2);
    rmdir(tmpdir);
}

#define ASG "0ABCDEFGH123456789012345678901"

static void test_submit(void)
{
    case_open();
    char cap[CAP_SUBMIT_MAX], other[CAP_SUBMIT_MAX + 1], id[32];
    struct ts_error err = {0};
    cap_submit_make(s1, ASG, 7, cap);
    CHECK_EQ_INT((int)strlen(cap), 30 + 1 + CAP_MAC_CHARS);
    CHECK(strncmp(cap, ASG ".", 31) == 0);
    CHECK_EQ_INT(cap_submit_parse(cap, id, &err), 0);
    CHECK_EQ_STR(id, ASG);
    CHECK_EQ_INT(cap_submit_check(s1, cap, ASG, 7, &err), 0);
    /* Another worker, assignment or key. */
    CHECK_EQ_INT(cap_submit_check(s1, cap, ASG, 8, &err), TS_EFORBIDDEN);
    CHECK_EQ_INT(cap_submit_check(s1, cap, "0ABCDEFGH123456789012345678902", 7, &err),
                 TS_EFORBIDDEN);
    CHECK_EQ_INT(cap_submit_check(s2, cap, ASG, 7, &err), TS_EFORBIDDEN);
    /* Every single changed character, and a shortened or lengthened one. */
    for (size_t i = 31; i < strlen(cap); i++) {
        memcpy(other, cap, sizeof cap);
        other[i] = other[i] == 'A' ? 'B' : 'A';
        CHECK_EQ_INT(cap_submit_check(s1, other, ASG, 7, &err), TS_EFORBIDDEN);
    }
    memcpy(other, cap, sizeof cap);
    other[strlen(other) - 1] = '\0';
    CHECK_EQ_INT(cap_submit_check(s1, other, ASG, 7, &err), TS_EFORBIDDEN);
    CHECK_EQ_INT(cap_submit_parse(other, id, &err), TS_EINVAL);
    snprintf(other, sizeof other, "%sA", cap);
    CHECK_EQ_INT(cap_submit_check(s1, other, ASG, 7, &err), TS_EFORBIDDEN);
    /* Malformed. */
#define MAC43 "0123456789012345678901234567890123456789012"
    const char *bad[] = {"", ".", "abc", ASG, "a.b",
                         "0abc." MAC43,                             /* lower case id */
                         "." MAC43,                                 /* no id */
                         "0123456789012345678901234567890A." MAC43, /* id of 31 */
                         ASG "." MAC43 "3",                         /* MAC of 44 */
                         /* a MAC of 43 bytes outside base64url (once passed on as a
                          * JSON string that could not be made, so the link vanished) */
                         ASG ".AAAAAAAAAAAAAAAAAAAAAAAAAA\277\276\276\301AAAAAAAAAAAAA",
                         ASG ".012345678901234567890123456789012345678901+",
                         ASG ".012345678901234567890123456789012345678901 "};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_EQ_INT(cap_submit_parse(bad[i], id, &err), TS_EINVAL);
    case_close();
}

static void test_upload(void)
{
    case_open();
    char sig[CAP_MAC_CHARS + 1], other[CAP_MAC_CHARS + 2];
    struct ts_error err = {0};
    int64_t exp = 1800000000, now = exp * 1000 - 30000;
    cap_upload_sign(s1, ASG, exp, sig);
    CHECK_EQ_INT((int)strlen(sig), CAP_MAC_CHARS);
    CHECK_EQ_INT(cap_upload_check(s1, ASG, exp, sig, now, &err), 0);
    /* Valid up to and including its expiry second, then never again. */
    CHECK_EQ_INT(cap_upload_check(s1, ASG, exp, sig, exp * 1000 + 999, &err), 0);
    CHECK_EQ_INT(cap_upload_check(s1, ASG, exp, sig, exp * 1000 + 1000, &err), TS_EFORBIDDEN);
    CHECK(strstr(err.msg, "expired") != NULL);
    CHECK_EQ_STR(err.kind, "LinkExpired");
    /* A moved expiry, another key or file, a changed signature. */
    CHECK_EQ_INT(cap_upload_check(s1, ASG, exp + 60, sig, now, &err), TS_EFORBIDDEN);
    CHECK_EQ_STR(err.kind, "BadSignature");
    CHECK_EQ_INT(cap_upload_check(s2, ASG, exp, sig, now, &err), TS_EFORBIDDEN);
    CHECK_EQ_INT(cap_upload_check(s1, "0ABCDEFGH123456789012345678902", exp, sig, now, &err),
                 TS_EFORBIDDEN);
    memcpy(other, sig, sizeof sig);
    other[0] = other[0] == 'A' ? 'B' : 'A';
    CHECK_EQ_INT(cap_upload_check(s1, ASG, exp, other, now, &err), TS_EFORBIDDEN);
    CHECK_EQ_INT(cap_upload_check(s1, ASG, exp, "", now, &err), TS_EFORBIDDEN);
    /* The MAC covers the first 30 characters of a key: a longer key is refused, not
     * taken for the key it starts with. */
    CHECK_EQ_INT(cap_upload_check(s1, ASG "X", exp, sig, now, &err), TS_EFORBIDDEN);
    /* Domains are separate: a submit MAC is no download signature. */
    char cap[CAP_SUBMIT_MAX];
    cap_submit_make(s1, ASG, exp, cap);
    CHECK_EQ_INT(cap_upload_check(s1, ASG, exp, cap + 31, now, &err), TS_EFORBIDDEN);
    case_close();
}

static void test_qtest(void)
{
    case_open();
    char cap[CAP_SUBMIT_MAX], task[CAP_SUBMIT_MAX], id[32];
    struct ts_error err = {0};
    cap_qtest_make(s1, ASG, 7, cap);
    CHECK_EQ_INT(cap_submit_parse(cap, id, &err), 0);
    CHECK_EQ_STR(id, ASG);
    CHECK_EQ_INT(cap_qtest_check(s1, cap, ASG, 7, &err), 0);
    CHECK_EQ_INT(cap_qtest_check(s1, cap, ASG, 8, &err), TS_EFORBIDDEN);
    CHECK_EQ_INT(cap_qtest_check(s2, cap, ASG, 7, &err), TS_EFORBIDDEN);
    /* A test link is no task link, and the other way round, for the same id and worker. */
    cap_submit_make(s1, ASG, 7, task);
    CHECK(strcmp(cap, task) != 0);
    CHECK_EQ_INT(cap_submit_check(s1, cap, ASG, 7, &err), TS_EFORBIDDEN);
    CHECK_EQ_INT(cap_qtest_check(s1, task, ASG, 7, &err), TS_EFORBIDDEN);
    case_close();
}

CHECK_MAIN(test_submit, test_qtest, test_upload)
