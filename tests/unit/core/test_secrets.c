/* test_secrets.c: tokens, passwords, access keys, sealed boxes, the pseudonym MAC (the
 * pseudonyms themselves: test_pseudonym.c), ids and the master key file. */
#include "core/secrets.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "../../check.h"
#include "util/alloc.h"
#include "util/banned.h"

static int all_in(const char *s, const char *set)
{
    return strspn(s, set) == strlen(s);
}

#define UPPER36 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
#define B64URL "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

static char tmpdir[64];

static char *tmp_path(const char *name)
{
    size_t n = strlen(tmpdir) + strlen(name) + 2;
    char *p = xmalloc(n);
    snprintf(p, n, "%s/%s", tmpdir, name);
    return p;
}

static struct secrets *load_tmp(const char *name)
{
    struct secrets *s = NULL;
    struct ts_error err = {0};
    char *path = tmp_path(name);
    int rc = secrets_load(path, &s, &err);
    CHECK_EQ_INT(rc, 0);
    if (rc)
        fprintf(stderr, "secrets_load: %s\n", err.msg);
    free(path);
    return s;
}

static void test_token(void)
{
    char a[SECRETS_TOKEN_LEN + 1], b[SECRETS_TOKEN_LEN + 1];
    unsigned char h[32], h2[32];
    static const unsigned char abc[32] = {
        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
        0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};

    secrets_token_new(a);
    secrets_token_new(b);
    CHECK_EQ_INT(strlen(a), SECRETS_TOKEN_LEN);
    CHECK(strncmp(a, "tsr_", 4) == 0);
    CHECK(all_in(a + 4, B64URL));
    CHECK(strcmp(a, b) != 0);
    secrets_token_hash("abc", h);
    CHECK(memcmp(h, abc, 32) == 0);
    secrets_token_hash(a, h);
    secrets_token_hash(a, h2);
    CHECK(memcmp(h, h2, 32) == 0);
    secrets_token_hash(b, h2);
    CHECK(memcmp(h, h2, 32) != 0);
}

static void test_password(void)
{
    char hash[128], hash2[128], longpw[300];
    struct ts_error err = {0};

    CHECK_EQ_INT(secrets_password_hash("correct horse", hash, &err), 0);
    CHECK(strncmp(hash, "$argon2id$", 10) == 0);
    CHECK_EQ_INT(secrets_password_verify(hash, "correct horse"), 0);
    CHECK_EQ_INT(secrets_password_verify(hash, "correct horsE"), TS_EAUTH);
    CHECK_EQ_INT(secrets_password_verify(hash, ""), TS_EAUTH);
    CHECK_EQ_INT(secrets_password_verify("not a hash", "correct horse"), TS_EAUTH);
    CHECK_EQ_INT(secrets_password_hash("correct horse", hash2, &err), 0);
    CHECK(strcmp(hash, hash2) != 0); /* salted */
    CHECK_EQ_INT(secrets_password_hash("short", hash2, &err), TS_EINVAL);
    CHECK(strstr(err.msg, "at least 8") != NULL);
    memset(longpw, 'x', 257);
    longpw[257] = '\0';
    CHECK_EQ_INT(secrets_password_hash(longpw, hash2, &err), TS_EINVAL);
    longpw[256] = '\0';
    CHECK_EQ_INT(secrets_password_hash(longpw, hash2, &err), 0);
    CHECK_EQ_INT(secrets_password_verify(hash2, longpw), 0);
}

static void test_access_key_and_id(void)
{
    char id[21], secret[41], oid[31], oid2[31];

    secrets_access_key_new(id, secret);
    CHECK_EQ_INT(strlen(id), 20);
    CHECK(strncmp(id, "TK", 2) == 0);
    CHECK(all_in(id, UPPER36));
    CHECK_EQ_INT(strlen(secret), 40);
    CHECK(all_in(secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+"));
    secrets_id_new(oid);
    secrets_id_new(oid2);
    CHECK_EQ_INT(strlen(oid), 30);
    CHECK(all_in(oid, UPPER36));
    CHECK(strcmp(oid, oid2) != 0);
    /* Ids sort by creation time: one made 2 ms later sorts after. */
    struct timespec ts = {0, 2 * 1000 * 1000};
    nanosleep(&ts, NULL);
    secrets_id_new(oid2);
    CHECK(strcmp(oid, oid2) < 0);
    CHECK(memcmp(oid + 9, oid2 + 9, 21) != 0);
}

static void test_seal(void)
{
    struct secrets *s = load_tmp("seal.key");
    struct ts_error err = {0};
    const char *msg = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    unsigned char box[128];
    char plain[64];
    size_t len = 0;

    if (!s)
        return;
    CHECK_EQ_INT(secrets_seal(s, msg, strlen(msg), box, sizeof box, &len, &err), 0);
    CHECK_EQ_INT(len, strlen(msg) + SECRETS_SEAL_OVERHEAD);
    CHECK_EQ_INT(secrets_open(s, box, len, plain, sizeof plain, &err), 0);
    CHECK_EQ_STR(plain, msg);
    /* too small a buffer either way */
    CHECK_EQ_INT(secrets_seal(s, msg, strlen(msg), box, 50, &len, &err), TS_ETOOBIG);
    CHECK_EQ_INT(secrets_seal(s, msg, strlen(msg), box, sizeof box, &len, &err), 0);
    CHECK_EQ_INT(secrets_open(s, box, len, plain, strlen(msg), &err), TS_ETOOBIG);
    /* tampering anywhere is caught */
    box[len - 1] ^= 1;
    CHECK_EQ_INT(secrets_open(s, box, len, plain, sizeof plain, &err), TS_EAUTH);
    box[len - 1] ^= 1;
    box[0] ^= 0x80; /* the nonce */
    CHECK_EQ_INT(secrets_open(s, box, len, plain, sizeof plain, &err), TS_EAUTH);
    box[0] ^= 0x80;
    box[30] ^= 4; /* the MAC */
    CHECK_EQ_INT(secrets_open(s, box, len, plain, sizeof plain, &err), TS_EAUTH);
    box[30] ^= 4;
    CHECK_EQ_INT(secrets_open(s, box, len - 1, plain, sizeof plain, &err), TS_EAUTH);
    CHECK_EQ_INT(secrets_open(s, box, 10, plain, sizeof plain, &err), TS_EAUTH);
    CHECK_EQ_INT(secrets_open(s, box, len, plain, sizeof plain, &err), 0);
    /* empty plaintext */
    CHECK_EQ_INT(secrets_seal(s, "", 0, box, sizeof box, &len, &err), 0);
    CHECK_EQ_INT(secrets_open(s, box, len, plain, sizeof plain, &err), 0);
    CHECK_EQ_STR(plain, "");
    secrets_free(s);
}

/* The pseudonym MAC is keyed by its own subkey: deterministic, message-dependent, and
 * not the capability MAC of the same bytes. */
static void test_pseudonym_mac(void)
{
    struct secrets *s = load_tmp("pseud.key");
    unsigned char a[SECRETS_MAC_LEN], b[SECRETS_MAC_LEN], c[SECRETS_MAC_LEN],
        cap[SECRETS_MAC_LEN];

    if (!s)
        return;
    secrets_pseudonym_mac(s, "rq1wk42", 7, a);
    secrets_pseudonym_mac(s, "rq1wk42", 7, b);
    secrets_pseudonym_mac(s, "rq2wk42", 7, c);
    secrets_mac(s, "", "rq1wk42", 7, cap);
    CHECK(memcmp(a, b, sizeof a) == 0);
    CHECK(memcmp(a, c, sizeof a) != 0);
    CHECK(memcmp(a, cap, sizeof a) != 0);
    secrets_free(s);
}

static void test_key_file(void)
{
    struct secrets *s1, *s2, *s3;
    struct ts_error err = {0};
    unsigned char p1[SECRETS_MAC_LEN], p2[SECRETS_MAC_LEN], p3[SECRETS_MAC_LEN];
    char plain[32];
    unsigned char box[64];
    size_t len;
    struct stat st;
    char *path = tmp_path("master.key"), *bad = tmp_path("bad.key");
    int fd;

    s1 = load_tmp("master.key");
    CHECK(stat(path, &st) == 0);
    CHECK_EQ_INT(st.st_mode & 0777, 0600);
    CHECK_EQ_INT(st.st_size, 32);
    s2 = load_tmp("master.key");
    s3 = load_tmp("other.key");
    if (!s1 || !s2 || !s3)
        goto out;
    secrets_pseudonym_mac(s1, "7:9", 3, p1);
    secrets_pseudonym_mac(s2, "7:9", 3, p2);
    secrets_pseudonym_mac(s3, "7:9", 3, p3);
    CHECK(memcmp(p1, p2, sizeof p1) == 0);
    CHECK(memcmp(p1, p3, sizeof p1) != 0);
    CHECK_EQ_INT(secrets_seal(s1, "secret", 6, box, sizeof box, &len, &err), 0);
    CHECK_EQ_INT(secrets_open(s2, box, len, plain, sizeof plain, &err), 0);
    CHECK_EQ_STR(plain, "secret");
    CHECK_EQ_INT(secrets_open(s3, box, len, plain, sizeof plain, &err), TS_EAUTH);

    /* a key readable by others is refused */
    CHECK(chmod(path, 0640) == 0);
    CHECK_EQ_INT(secrets_load(path, &s3 /* untouched on failure */, &err), TS_EINVAL);
    CHECK(strstr(err.msg, "chmod 600") != NULL);
    CHECK(chmod(path, 0600) == 0);
    /* a key of the wrong size is refused */
    fd = open(bad, O_WRONLY | O_CREAT | O_EXCL, 0600);
    CHECK(fd >= 0);
    CHECK(write(fd, "short", 5) == 5);
    close(fd);
    CHECK_EQ_INT(secrets_load(bad, &s3, &err), TS_EINVAL);
    CHECK(strstr(err.msg, "expected exactly 32") != NULL);
    /* a directory that does not exist */
    CHECK_EQ_INT(secrets_load("/nonexistent-dir-tessera/key", &s3, &err), TS_EIO);
out:
    secrets_free(s1);
    secrets_free(s2);
    secrets_free(s3);
    unlink(bad);
    free(bad);
    free(path);
}

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_secrets.XXXXXX");
    if (!mkdtemp(tmpdir))
        TS_BUG("mkdtemp failed");
}

static void teardown(void)
{
    const char *names[] = {"seal.key", "pseud.key", "master.key", "other.key"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char *p = tmp_path(names[i]);
        unlink(p);
        free(p);
    }
    rmdir(tmpdir);
}

CHECK_MAIN(setup, test_token, test_password, test_access_key_and_id, test_seal,
           test_pseudonym_mac, test_key_file, teardown)
