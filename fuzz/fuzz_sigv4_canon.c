/* fuzz_sigv4_canon.c: fuzzes the SigV4 canonical request (sigv4_canonical_request) and
 * the verifier around it over fuzzed request lines and headers; fuzz_sigv4 fuzzes the
 * Authorization and X-Amz-Date parse. The input is: the path, the query string and the
 * SignedHeaders list on the first three lines, then "name:value" header lines up to an
 * empty line, then the body. A SignedHeaders list sigv4_parse refuses is replaced by
 * "host". Invariants of the canonical text: the method line; a path and a query made of
 * RFC 3986 unreserved characters, '/' (path), '=' and '&' (query) and upper-case %XX; one
 * "name:value" line per signed header, in order, its value trimmed with no run of spaces;
 * the SignedHeaders list and the body's hex SHA-256 last. Verifying with a made-up
 * signature must fail with TS_EAUTH and a message. A violation aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api/sigv4.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_HEADERS 40
#define SIG64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

struct headers {
    size_t n;
    char *names[FUZZ_MAX_HEADERS], *values[FUZZ_MAX_HEADERS];
};

/* Exact lower-case names, as the MTurk door's copy of the signed headers answers. */
static const char *lookup(void *ctx, const char *name)
{
    const struct headers *h = ctx;
    for (size_t i = 0; i < h->n; i++)
        if (strcmp(h->names[i], name) == 0)
            return h->values[i];
    return NULL;
}

/* The next '\n'-ended line of [*p, end), NUL-terminated in place. */
static char *next_line(char **p, char *end)
{
    char *line = *p, *nl = *p < end ? memchr(*p, '\n', (size_t)(end - *p)) : NULL;
    if (nl) {
        *nl = '\0';
        *p = nl + 1;
    } else {
        *p = end;
    }
    return line;
}

static int unreserved(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~';
}

static int upper_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

/* s[0..n) is percent-encoded with only the given extra characters left bare. */
static void check_encoded(const char *s, size_t n, const char *extra)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            if (i + 2 >= n || !upper_hex(s[i + 1]) || !upper_hex(s[i + 2]))
                abort();
            i += 2;
        } else if (!unreserved(s[i]) && !strchr(extra, s[i])) {
            abort();
        }
    }
}

static void check_canonical(const struct buf *b, const struct sigv4_auth *a, const char *body,
                            size_t body_len)
{
    const char *p = b->p, *end = b->p + b->len, *nl;
    const char *sh = a->signed_headers;
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[65], tail[1200];

    if (strlen(b->p) != b->len || strncmp(p, "POST\n", 5) != 0)
        abort();
    p += 5;
    nl = memchr(p, '\n', (size_t)(end - p)); /* the path */
    if (!nl || nl == p)
        abort();
    check_encoded(p, (size_t)(nl - p), "/");
    p = nl + 1;
    nl = memchr(p, '\n', (size_t)(end - p)); /* the query */
    if (!nl)
        abort();
    check_encoded(p, (size_t)(nl - p), "=&");
    p = nl + 1;
    while (*sh) { /* one line per signed header */
        size_t k = strcspn(sh, ";");
        nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl || (size_t)(nl - p) < k + 1 || memcmp(p, sh, k) != 0 || p[k] != ':')
            abort();
        for (const char *v = p + k + 1; v < nl; v++)
            if ((*v == ' ' && (v == p + k + 1 || v + 1 == nl || v[1] == ' ')))
                abort();
        p = nl + 1;
        sh += k;
        if (*sh == ';')
            sh++;
    }
    crypto_hash_sha256(h, (const unsigned char *)(body_len ? body : ""), body_len);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(tail, sizeof tail, "\n%s\n%s", a->signed_headers, hex);
    if ((size_t)(end - p) != strlen(tail) || strcmp(p, tail) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = xmalloc(st_add(size, 1)), *p = s, *end = s + size;
    char *path, *query, *signed_list, auth[1400];
    struct headers hs = {0};
    struct sigv4_auth a;
    struct ts_error err = {0};
    struct buf b = BUF_INIT(SIGV4_MAX_CANONICAL);
    int rc;

    memcpy(s, data, size);
    s[size] = '\0';
    path = next_line(&p, end);
    query = next_line(&p, end);
    signed_list = next_line(&p, end);
    while (p < end) {
        char *line = next_line(&p, end), *colon;
        if (!*line)
            break;
        colon = strchr(line, ':');
        if (colon && hs.n < FUZZ_MAX_HEADERS) {
            *colon = '\0';
            hs.names[hs.n] = line;
            hs.values[hs.n++] = colon + 1;
        }
    }
    snprintf(auth, sizeof auth,
             "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261128/us-east-1/mturk-requester/"
             "aws4_request, SignedHeaders=%.1100s, Signature=" SIG64,
             signed_list);
    if (sigv4_parse(auth, "20261128T094854Z", &a, &err) &&
        sigv4_parse("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261128/us-east-1/"
                    "mturk-requester/aws4_request, SignedHeaders=host, Signature=" SIG64,
                    "20261128T094854Z", &a, &err))
        abort();

    struct sigv4_request r = {"POST", path, query, lookup, &hs, p, (size_t)(end - p)};
    memset(&err, 0, sizeof err);
    rc = sigv4_canonical_request(&a, &r, &b, &err);
    if (rc == 0)
        check_canonical(&b, &a, p, (size_t)(end - p));
    else if (rc != TS_EAUTH || !err.msg[0])
        abort();
    memset(&err, 0, sizeof err);
    rc = sigv4_verify(&a, &r, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", a.amz_ms, &err);
    if (rc != TS_EAUTH || !err.msg[0])
        abort();
    buf_release(&b);
    free(s);
    return 0;
}
