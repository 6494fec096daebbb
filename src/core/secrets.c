/* secrets.c: the room where key material lives. The master key comes from one file
 * (created on first start); everything else is derived from it with crypto_kdf or
 * drawn from randombytes. Keys never leave this file except as derived outputs
 * (MACs, ciphertexts, pseudonyms), and they are wiped when freed. */
#include "secrets.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "../util/alloc.h"
#include "../util/clock.h"
#include "../util/banned.h"

#define SECRETS_KEY_LEN 32
#define SECRETS_KDF_CONTEXT "tessera_"
#define SECRETS_SUBKEY_BOX 1
#define SECRETS_SUBKEY_PSEUDONYM 2
#define SECRETS_SUBKEY_CAPABILITY 3

_Static_assert(crypto_kdf_KEYBYTES == SECRETS_KEY_LEN, "master key size");
_Static_assert(sizeof SECRETS_KDF_CONTEXT - 1 == crypto_kdf_CONTEXTBYTES, "kdf context");
_Static_assert(SECRETS_SEAL_OVERHEAD == crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES,
               "seal overhead");
_Static_assert(crypto_pwhash_STRBYTES == 128, "password hash size");
_Static_assert(crypto_auth_hmacsha256_KEYBYTES == 32, "hmac key size");

struct secrets {
    unsigned char master[SECRETS_KEY_LEN];
    unsigned char box[crypto_secretbox_KEYBYTES];
    unsigned char pseudonym[crypto_auth_hmacsha256_KEYBYTES];
    unsigned char capability[crypto_auth_hmacsha256_KEYBYTES];
};

static const char secrets_upper36[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
static const char secrets_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+";

/* sodium_init is thread-safe and idempotent; it fails only when the system has no
 * usable randomness, and then nothing here can work. */
static void secrets_init(void)
{
    if (sodium_init() < 0)
        TS_BUG("sodium_init failed: no usable system randomness");
}

/* Random bytes for ids come from the kernel's generator 4 KiB at a time, not one
 * getrandom(2) per byte: an id costs a syscall otherwise, on the busiest path. Each
 * thread has its own pool, so no lock; the bytes are used once and then overwritten. */
static _Thread_local unsigned char secrets_pool[4096];
static _Thread_local size_t secrets_pool_left;

static unsigned char secrets_pool_byte(void)
{
    if (secrets_pool_left == 0) {
        randombytes_buf(secrets_pool, sizeof secrets_pool);
        secrets_pool_left = sizeof secrets_pool;
    }
    secrets_pool_left--;
    unsigned char b = secrets_pool[secrets_pool_left];
    secrets_pool[secrets_pool_left] = 0;
    return b;
}

uint32_t secrets_uniform(uint32_t n)
{
    uint32_t limit, v;
    if (n < 2)
        return 0;
    limit = UINT32_MAX - UINT32_MAX % n; /* values >= limit would bias: draw again */
    do {
        v = 0;
        for (int i = 0; i < 4; i++)
            v = v << 8 | secrets_pool_byte();
    } while (v >= limit);
    return v % n;
}

void secrets_uuid(char out[37])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[16];
    for (size_t i = 0; i < sizeof b; i++)
        b[i] = secrets_pool_byte();
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    for (size_t i = 0, o = 0; i < sizeof b; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 15];
    }
    out[36] = '\0';
}

/* n characters uniform over alphabet (size at most 256), by rejection sampling. */
static void secrets_random_chars(char *out, size_t n, const char *alphabet, uint32_t size)
{
    uint32_t limit = 256 - 256 % size;
    for (size_t i = 0; i < n; i++) {
        uint32_t b;
        do
            b = secrets_pool_byte();
        while (b >= limit);
        out[i] = alphabet[b % size];
    }
    out[n] = '\0';
}

/* fsyncs the directory holding path, so that a newly created key file survives a
 * crash. */
static int secrets_sync_dir(const char *path, struct ts_error *err)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc = 0;

    if (fd < 0 || fsync(fd) != 0)
        rc = ts_fail(err, TS_EIO, "cannot sync directory %s: %s", dir, strerror(errno));
    if (fd >= 0)
        close(fd);
    free(dir);
    return rc;
}

static int secrets_write_all(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += (size_t)w;
        n -= (size_t)w;
    }
    return 0;
}

/* Creates key_path with a fresh random key. Returns 0, 1 when the file appeared in
 * the meantime (the caller then reads it), or a negative code. */
static int secrets_create(const char *key_path, unsigned char key[SECRETS_KEY_LEN],
                          struct ts_error *err)
{
    int fd = open(key_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    int rc;

    if (fd < 0 && errno == EEXIST)
        return 1;
    if (fd < 0)
        return ts_fail(err, TS_EIO, "cannot create key file %s: %s", key_path, strerror(errno));
    randombytes_buf(key, SECRETS_KEY_LEN);
    if (secrets_write_all(fd, key, SECRETS_KEY_LEN) != 0 || fsync(fd) != 0) {
        rc = ts_fail(err, TS_EIO, "cannot write key file %s: %s", key_path, strerror(errno));
        close(fd);
        unlink(key_path);
        sodium_memzero(key, SECRETS_KEY_LEN);
        return rc;
    }
    if (close(fd) != 0) {
        rc = ts_fail(err, TS_EIO, "cannot write key file %s: %s", key_path, strerror(errno));
        unlink(key_path);
        sodium_memzero(key, SECRETS_KEY_LEN);
        return rc;
    }
    rc = secrets_sync_dir(key_path, err);
    if (rc)
        sodium_memzero(key, SECRETS_KEY_LEN);
    return rc;
}

/* Reads an existing key file. Returns 0, 1 when it does not exist, or a negative code. */
static int secrets_read(const char *key_path, unsigned char key[SECRETS_KEY_LEN],
                        struct ts_error *err)
{
    int fd = open(key_path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    struct stat st;
    unsigned char extra;
    size_t got = 0;
    int rc = 0;

    if (fd < 0 && errno == ENOENT)
        return 1;
    if (fd < 0)
        return ts_fail(err, TS_EIO, "cannot open key file %s: %s", key_path, strerror(errno));
    if (fstat(fd, &st) != 0) {
        rc = ts_fail(err, TS_EIO, "cannot stat key file %s: %s", key_path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = ts_fail(err, TS_EINVAL, "key file %s is not a regular file", key_path);
        goto out;
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        rc = ts_fail(err, TS_EINVAL,
                     "key file %s is accessible by group or other (mode %03o); "
                     "run: chmod 600 %s",
                     key_path, (unsigned)(st.st_mode & 0777), key_path);
        goto out;
    }
    if (st.st_size != SECRETS_KEY_LEN) {
        rc = ts_fail(err, TS_EINVAL,
                     "key file %s has %lld bytes, expected exactly %d; "
                     "restore the right file (a new key makes stored secrets unreadable)",
                     key_path, (long long)st.st_size, SECRETS_KEY_LEN);
        goto out;
    }
    while (got < SECRETS_KEY_LEN) {
        ssize_t r = read(fd, key + got, SECRETS_KEY_LEN - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    if (got != SECRETS_KEY_LEN || read(fd, &extra, 1) != 0) {
        rc = ts_fail(err, TS_EIO, "cannot read %d bytes from key file %s", SECRETS_KEY_LEN,
                     key_path);
        sodium_memzero(key, SECRETS_KEY_LEN);
    }
out:
    close(fd);
    return rc;
}

int secrets_load(const char *key_path, struct secrets **out, struct ts_error *err)
{
    unsigned char key[SECRETS_KEY_LEN];
    struct secrets *s;
    int rc;

    secrets_init();
    rc = secrets_read(key_path, key, err);
    if (rc == 1) {
        rc = secrets_create(key_path, key, err);
        if (rc == 1) /* another process created it first */
            rc = secrets_read(key_path, key, err);
        if (rc == 1)
            rc = ts_fail(err, TS_EIO, "key file %s vanished while loading", key_path);
    }
    if (rc)
        return rc;
    s = xmalloc(sizeof *s);
    memcpy(s->master, key, sizeof key);
    sodium_memzero(key, sizeof key);
    crypto_kdf_derive_from_key(s->box, sizeof s->box, SECRETS_SUBKEY_BOX, SECRETS_KDF_CONTEXT,
                               s->master);
    crypto_kdf_derive_from_key(s->pseudonym, sizeof s->pseudonym, SECRETS_SUBKEY_PSEUDONYM,
                               SECRETS_KDF_CONTEXT, s->master);
    crypto_kdf_derive_from_key(s->capability, sizeof s->capability, SECRETS_SUBKEY_CAPABILITY,
                               SECRETS_KDF_CONTEXT, s->master);
    *out = s;
    return 0;
}

void secrets_free(struct secrets *s)
{
    if (!s)
        return;
    sodium_memzero(s, sizeof *s);
    free(s);
}

void secrets_token_new(char out[SECRETS_TOKEN_LEN + 1])
{
    unsigned char raw[32];

    _Static_assert(sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING) ==
                       SECRETS_TOKEN_LEN + 1 - 4,
                   "token length");
    secrets_init();
    randombytes_buf(raw, sizeof raw);
    memcpy(out, "tsr_", 4);
    sodium_bin2base64(out + 4, SECRETS_TOKEN_LEN + 1 - 4, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

void secrets_token_hash(const char *token, unsigned char out[32])
{
    crypto_hash_sha256(out, (const unsigned char *)token, strlen(token));
}

int secrets_password_hash(const char *pw, char out[128], struct ts_error *err)
{
    size_t n = strnlen(pw, SECRETS_PASSWORD_MAX + 1);

    if (n < SECRETS_PASSWORD_MIN)
        return ts_fail(err, TS_EINVAL, "password must have at least %d characters",
                       SECRETS_PASSWORD_MIN);
    if (n > SECRETS_PASSWORD_MAX)
        return ts_fail(err, TS_EINVAL, "password must have at most %d characters",
                       SECRETS_PASSWORD_MAX);
    secrets_init();
    if (crypto_pwhash_str(out, pw, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return ts_fail(err, TS_EIO, "password hashing failed (out of memory)");
    return 0;
}

int secrets_password_verify(const char *hash, const char *pw)
{
    size_t n = strnlen(pw, SECRETS_PASSWORD_MAX + 1);

    /* A hash longer than its buffer was never made here; libsodium reads up to the NUL. */
    if (n > SECRETS_PASSWORD_MAX || strnlen(hash, crypto_pwhash_STRBYTES) >= crypto_pwhash_STRBYTES)
        return TS_EAUTH;
    secrets_init();
    return crypto_pwhash_str_verify(hash, pw, n) == 0 ? 0 : TS_EAUTH;
}

static char secrets_dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t secrets_dummy_once = PTHREAD_ONCE_INIT;

static void secrets_dummy_make(void)
{
    struct ts_error err;
    if (secrets_password_hash("not a password of anyone", secrets_dummy_hash, &err))
        TS_BUG("cannot hash the dummy password: %s", err.msg);
}

void secrets_password_burn(const char *pw)
{
    pthread_once(&secrets_dummy_once, secrets_dummy_make);
    (void)secrets_password_verify(secrets_dummy_hash, pw);
}

void secrets_access_key_new(char key_id[21], char secret[41])
{
    secrets_init();
    key_id[0] = 'T';
    key_id[1] = 'K';
    secrets_random_chars(key_id + 2, 18, secrets_upper36, 36);
    secrets_random_chars(secret, 40, secrets_b64, 64);
}

int secrets_seal(const struct secrets *s, const char *plain, size_t n, unsigned char *box,
                 size_t cap, size_t *len, struct ts_error *err)
{
    if (n > SIZE_MAX - SECRETS_SEAL_OVERHEAD || cap < n + SECRETS_SEAL_OVERHEAD)
        return ts_fail(err, TS_ETOOBIG, "sealed box needs %zu bytes, have %zu",
                       n + SECRETS_SEAL_OVERHEAD, cap);
    secrets_init();
    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, (const unsigned char *)plain, n,
                          box, s->box);
    *len = n + SECRETS_SEAL_OVERHEAD;
    return 0;
}

int secrets_open(const struct secrets *s, const unsigned char *box, size_t len, char *plain,
                 size_t cap, struct ts_error *err)
{
    size_t n;

    if (len < SECRETS_SEAL_OVERHEAD)
        return ts_fail(err, TS_EAUTH, "sealed box is too short (%zu bytes)", len);
    n = len - SECRETS_SEAL_OVERHEAD;
    if (cap < n + 1)
        return ts_fail(err, TS_ETOOBIG, "opened box needs %zu bytes, have %zu", n + 1, cap);
    /* secretbox verifies the MAC before it writes any plaintext. */
    if (crypto_secretbox_open_easy((unsigned char *)plain, box + crypto_secretbox_NONCEBYTES,
                                   len - crypto_secretbox_NONCEBYTES, box, s->box) != 0)
        return ts_fail(err, TS_EAUTH, "sealed box does not verify (tampered, or another key)");
    plain[n] = '\0';
    return 0;
}

void secrets_pseudonym_mac(const struct secrets *s, const void *msg, size_t n,
                           unsigned char out[SECRETS_MAC_LEN])
{
    crypto_auth_hmacsha256(out, msg, n, s->pseudonym);
}

void secrets_mac(const struct secrets *s, const char *domain, const void *msg, size_t n,
                 unsigned char out[SECRETS_MAC_LEN])
{
    crypto_auth_hmacsha256_state st;

    crypto_auth_hmacsha256_init(&st, s->capability, sizeof s->capability);
    /* The domain and its NUL first: a MAC made for one purpose never verifies another. */
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)domain, strlen(domain) + 1);
    crypto_auth_hmacsha256_update(&st, msg, n);
    crypto_auth_hmacsha256_final(&st, out);
    sodium_memzero(&st, sizeof st);
}

void secrets_id_new(char out[31])
{
    static const char digits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    int64_t ms = clock_now_ms();
    uint64_t t = ms > 0 ? (uint64_t)ms : 0;

    secrets_init();
    /* 9 base-36 digits of the time in ms (good until the year 5138), most significant
     * first and in ASCII order, so new ids sort after old ones and index inserts land
     * on the last pages instead of a random page each. */
    for (int i = 8; i >= 0; i--) {
        out[i] = digits[t % 36];
        t /= 36;
    }
    secrets_random_chars(out + 9, 21, secrets_upper36, 36);
}
