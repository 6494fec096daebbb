/* cap.c: capabilities: MACs that make a URL its own credential (see cap.h and
 * docs/internals/capabilities.md). The MAC key never leaves secrets.c. */
#include "cap.h"

#include <string.h>

#include <sodium.h>

#include "secrets.h"
#include "../util/banned.h"

#define CAP_ID_MAX 30

_Static_assert(sodium_base64_ENCODED_LEN(SECRETS_MAC_LEN,
                                         sodium_base64_VARIANT_URLSAFE_NO_PADDING) ==
                   CAP_MAC_CHARS + 1,
               "capability MAC length");
_Static_assert(CAP_ID_MAX + 1 + CAP_MAC_CHARS < CAP_SUBMIT_MAX, "capability length");

static void put_be64(unsigned char *p, int64_t v)
{
    uint64_t u = (uint64_t)v;
    for (int i = 7; i >= 0; i--) {
        p[i] = (unsigned char)(u & 0xff);
        u >>= 8;
    }
}

/* The MAC of domain over text (with its NUL) || number, base64url into out. */
static void cap_mac(const struct secrets *s, const char *domain, const char *text, int64_t number,
                    char out[CAP_MAC_CHARS + 1])
{
    unsigned char msg[CAP_ID_MAX + 1 + 8], mac[SECRETS_MAC_LEN];
    size_t n = strnlen(text, CAP_ID_MAX);

    memcpy(msg, text, n);
    msg[n] = '\0';
    put_be64(msg + n + 1, number);
    secrets_mac(s, domain, msg, n + 1 + 8, mac);
    sodium_bin2base64(out, CAP_MAC_CHARS + 1, mac, sizeof mac,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(mac, sizeof mac);
}

static int id_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
}

/* A character of unpadded base64url, the alphabet of every MAC here. */
static int mac_char(char c)
{
    return id_char(c) || (c >= 'a' && c <= 'z') || c == '-' || c == '_';
}

/* "<id>.<MAC of (domain, id, worker_id)>" into out. */
static void cap_make(const struct secrets *s, const char *domain, const char *id,
                     int64_t worker_id, char out[CAP_SUBMIT_MAX])
{
    size_t n = strnlen(id, CAP_ID_MAX);
    memcpy(out, id, n);
    out[n] = '.';
    cap_mac(s, domain, id, worker_id, out + n + 1);
}

/* 0 when cap is cap_make(domain, id, worker_id), compared in constant time. */
static int cap_check(const struct secrets *s, const char *domain, const char *cap,
                     const char *id, int64_t worker_id)
{
    char want[CAP_SUBMIT_MAX];
    size_t n = strlen(cap);
    int bad;

    cap_make(s, domain, id, worker_id, want);
    /* Lengths are public (they are fixed); the bytes are compared in constant time. */
    bad = n != strlen(want) || sodium_memcmp(want, cap, n) != 0;
    sodium_memzero(want, sizeof want);
    return bad;
}

void cap_submit_make(const struct secrets *s, const char *asg_id, int64_t worker_id,
                     char out[CAP_SUBMIT_MAX])
{
    cap_make(s, "submit", asg_id, worker_id, out);
}

void cap_qtest_make(const struct secrets *s, const char *request_id, int64_t worker_id,
                    char out[CAP_SUBMIT_MAX])
{
    cap_make(s, "qtest", request_id, worker_id, out);
}

int cap_qtest_check(const struct secrets *s, const char *cap, const char *request_id,
                    int64_t worker_id, struct ts_error *err)
{
    if (cap_check(s, "qtest", cap, request_id, worker_id))
        return ts_failk(err, TS_EFORBIDDEN, "BadCapability", CAP_QTEST_INVALID);
    return 0;
}

int cap_submit_parse(const char *cap, char asg_id[32], struct ts_error *err)
{
    const char *dot = strchr(cap, '.');
    size_t n = dot ? (size_t)(dot - cap) : 0;

    if (!dot || n < 1 || n > CAP_ID_MAX || strlen(dot + 1) != CAP_MAC_CHARS)
        return ts_failk(err, TS_EINVAL, "BadCapability",
                        "this is not a task link of this server: it must look like "
                        "/w/<assignment id>.<code>");
    for (size_t i = 0; i < n; i++)
        if (!id_char(cap[i]))
            return ts_failk(err, TS_EINVAL, "BadCapability",
                            "this is not a task link of this server");
    /* The code too: whatever the link carries goes on as a JSON string, so bytes that
     * are not even UTF-8 must stop here rather than vanish from the request. */
    for (size_t i = 0; i < CAP_MAC_CHARS; i++)
        if (!mac_char(dot[1 + i]))
            return ts_failk(err, TS_EINVAL, "BadCapability",
                            "this is not a task link of this server");
    memcpy(asg_id, cap, n);
    asg_id[n] = '\0';
    return 0;
}

int cap_submit_check(const struct secrets *s, const char *cap, const char *asg_id,
                     int64_t worker_id, struct ts_error *err)
{
    if (cap_check(s, "submit", cap, asg_id, worker_id))
        return ts_failk(err, TS_EFORBIDDEN, "BadCapability", CAP_SUBMIT_INVALID);
    return 0;
}

void cap_upload_sign(const struct secrets *s, const char *key, int64_t expires_s,
                     char sig[CAP_MAC_CHARS + 1])
{
    cap_mac(s, "upload", key, expires_s, sig);
}

int cap_upload_check(const struct secrets *s, const char *key, int64_t expires_s,
                     const char *sig, int64_t now_ms, struct ts_error *err)
{
    char want[CAP_MAC_CHARS + 1];
    /* The MAC covers at most CAP_ID_MAX characters of the key: a longer one is not ours. */
    int bad = strlen(sig) != CAP_MAC_CHARS || strlen(key) > CAP_ID_MAX;

    cap_upload_sign(s, key, expires_s, want);
    if (!bad)
        bad = sodium_memcmp(want, sig, CAP_MAC_CHARS) != 0;
    sodium_memzero(want, sizeof want);
    if (bad)
        return ts_failk(err, TS_EFORBIDDEN, "BadSignature",
                        "this download link was not made by this server or was altered");
    if (now_ms / 1000 > expires_s)
        return ts_failk(err, TS_EFORBIDDEN, "LinkExpired",
                        "this download link expired; ask GetFileUploadURL for a new one "
                        "(links are valid %d seconds)",
                        CAP_UPLOAD_TTL_S);
    return 0;
}
