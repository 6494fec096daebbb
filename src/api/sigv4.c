/* sigv4.c: AWS Signature Version 4, verified on the server. Parsing reads the
 * Authorization header strictly, with bounds on every field, and never writes its
 * output until everything checked out. Verification rebuilds the canonical request
 * exactly as the SDKs do, derives the signing key from the stored secret, and compares
 * the hex signatures in constant time. Refusals carry the AWS error type in err->kind
 * and say in words what to fix; the texts follow AWS's own where they are known. */
#include "sigv4.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../util/alloc.h"
#include "../util/parse.h"
#include "../util/banned.h"

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define SIGV4_TERMINATOR "aws4_request"
#define SIGV4_MISSING "MissingAuthenticationTokenException"
#define SIGV4_INCOMPLETE "IncompleteSignatureException"
#define SIGV4_INVALID "InvalidSignatureException"
#define SIGV4_UNRECOGNIZED "UnrecognizedClientException"
#define SIGV4_MS_PER_DAY ((int64_t)86400000)

/* A piece of the input: pointer then length, not NUL-terminated. */
struct sigv4_part {
    const char *p;
    size_t n;
};

/* At most this many characters of client input are echoed into a message. */
static int sigv4_show(size_t n)
{
    return (int)(n > 64 ? 64 : n);
}

static int sigv4_is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* Whitespace collapsed in canonical header values (what JS's \s and Python's split()
 * treat as whitespace, within ASCII). */
static int sigv4_is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int sigv4_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int sigv4_is_alnum(char c)
{
    return sigv4_is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int sigv4_part_eq(struct sigv4_part s, const char *lit)
{
    size_t n = strlen(lit);
    return s.n == n && memcmp(s.p, lit, n) == 0;
}

/* ---- dates ------------------------------------------------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t sigv4_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void sigv4_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t era;
    unsigned doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* ms since the epoch as YYYYMMDDTHHMMSSZ, for messages. */
static void sigv4_format_amz(int64_t ms, char out[64])
{
    int64_t days = ms / SIGV4_MS_PER_DAY, rem = ms % SIGV4_MS_PER_DAY, y;
    unsigned mo, d, s;

    if (rem < 0) {
        rem += SIGV4_MS_PER_DAY;
        days--;
    }
    sigv4_civil_from_days(days, &y, &mo, &d);
    s = (unsigned)(rem / 1000);
    snprintf(out, 64, "%04lld%02u%02uT%02u%02u%02uZ", (long long)y, mo % 100u, d % 100u,
             (s / 3600) % 100u, s / 60 % 60, s % 60);
}

static unsigned sigv4_digits(const char *s, size_t n)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (unsigned)(s[i] - '0');
    return v;
}

/* Parses exactly YYYYMMDDTHHMMSSZ, a real calendar time, into ms since the epoch. */
static int sigv4_parse_amz_date(const char *s, int64_t *ms)
{
    static const unsigned mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned y, mo, d, h, mi, sec, dim;

    if (strnlen(s, 17) != 16 || s[8] != 'T' || s[15] != 'Z')
        return -1;
    for (size_t i = 0; i < 15; i++)
        if (i != 8 && !sigv4_is_digit(s[i]))
            return -1;
    y = sigv4_digits(s, 4);
    mo = sigv4_digits(s + 4, 2);
    d = sigv4_digits(s + 6, 2);
    h = sigv4_digits(s + 9, 2);
    mi = sigv4_digits(s + 11, 2);
    sec = sigv4_digits(s + 13, 2);
    if (mo < 1 || mo > 12 || h > 23 || mi > 59 || sec > 59)
        return -1;
    dim = mdays[mo - 1];
    if (mo == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
        dim = 29;
    if (d < 1 || d > dim)
        return -1;
    *ms = sigv4_days_from_civil(y, mo, d) * SIGV4_MS_PER_DAY +
          ((int64_t)h * 3600 + (int64_t)mi * 60 + (int64_t)sec) * 1000;
    return 0;
}

/* ---- parsing the Authorization header --------------------------------------------- */

static int sigv4_copy(char *dst, size_t cap, struct sigv4_part s)
{
    if (s.n >= cap)
        return -1;
    memcpy(dst, s.p, s.n);
    dst[s.n] = '\0';
    return 0;
}

/* Splits "Name=value, Name=value, ..." into the three known parts. */
static int sigv4_split_parts(const char *p, struct sigv4_part parts[3], struct ts_error *err)
{
    static const char *const names[3] = {"Credential", "SignedHeaders", "Signature"};

    for (;;) {
        struct sigv4_part name, value;
        int i;

        while (sigv4_is_ows(*p))
            p++;
        if (!*p)
            return 0;
        name.p = p;
        while (*p && *p != '=' && *p != ',' && !sigv4_is_ows(*p))
            p++;
        name.n = (size_t)(p - name.p);
        if (*p != '=' || name.n == 0)
            return ts_failk(err, TS_EAUTH, SIGV4_INCOMPLETE,
                            "Authorization header: expected Name=value after the algorithm, "
                            "found '%.*s'",
                            sigv4_show(strnlen(name.p, 64)), name.p);
        p++;
        value.p = p;
        while (*p && *p != ',' && !sigv4_is_ows(*p))
            p++;
        value.n = (size_t)(p - value.p);
        for (i = 0; i < 3 && !sigv4_part_eq(name, names[i]); i++)
            ;
        if (i == 3)
            return ts_failk(err, TS_EAUTH, SIGV4_INCOMPLETE,
                            "Authorization header has an unknown part '%.*s'; it takes "
                            "Credential, SignedHeaders and Signature",
                            sigv4_show(name.n), name.p);
        if (parts[i].p)
            return ts_failk(err, TS_EAUTH, SIGV4_INCOMPLETE,
                            "Authorization header has '%s' twice", names[i]);
        if (value.n == 0)
            return ts_failk(err, TS_EAUTH, SIGV4_INCOMPLETE,
                            "Authorization header has an empty '%s'", names[i]);
        parts[i] = value;
        while (sigv4_is_ows(*p))
            p++;
        if (*p == ',')
            p++;
        else if (*p)
            return ts_failk(err, TS_EAUTH, SIGV4_INCOMPLETE,
                            "Authorization header: '%s=…' must be followed by a comma, "
                            "found '%.*s'",
                            names[i], sigv4_show(strnlen(p, 64)), p);
    }
}

/* Fails naming every missing part, as AWS does. */
static int sigv4_require_parts(const struct sigv4_part parts[3], struct ts_error *err)
{
    static const char *const names[3] = {"Credential", "SignedHeaders", "Signature"};
    char list[64] = "";
    size_t len = 0;
    int missing = 0;

    for (int i = 0; i < 3; i++) {
        if (parts[i].p)
            continue;
        int w = snprintf(list + len, sizeof list - len, "%s'%s'", missing ? ", " : "",
                         names[i]);
        if (w > 0 && (size_t)w < sizeof list - len)
            len += (size_t)w;
        missing++;
    }
    if (!missing)
        return 0;
    return ts_failk(err, TS_EAUTH, SIGV4_INCOMPLETE,
                    "Authorization header requires the %s parameter%s: send '" SIGV4_ALGORITHM
                    " Credential=<key id>/<date>/<region>/" SIGV4_SERVICE "/" SIGV4_TERMINATOR
                    ", SignedHeaders=<h1;h2>, Signature=<hex>'",
                    list, missing > 1 ? "s" : "");
}

static int sigv4_parse_credential(struct sigv4_part c, struct sigv4_auth *a,
                                  struct ts_error *err)
{
    struct sigv4_part el[5];
    size_t k = 0;
    const char *start = c.p, *end = c.p + c.n;

    for (const char *q = c.p; q <= end; q++) {
        if (q < end && *q != '/')
            continue;
        if (k == 5)
            break;
        el[k].p = start;
        el[k].n = (size_t)(q - start);
        k++;
        start = q + 1;
    }
    if (k != 5 || start <= end)
        return ts_failk(err, TS_EAUTH, SIGV4_INCOMPLETE,
                        "Credential must have exactly 5 slash-delimited elements, e.g. "
                        "keyid/date/region/service/term, got '%.*s'",
                        sigv4_show(c.n), c.p);
    if (el[0].n == 0 || el[0].n >= sizeof a->access_key_id)
        return ts_failk(err, TS_EAUTH, SIGV4_INCOMPLETE,
                        "the access key id in Credential must have 1 to %zu characters",
                        sizeof a->access_key_id - 1);
    for (size_t i = 0; i < el[0].n; i++)
        if (!sigv4_is_alnum(el[0].p[i]) && el[0].p[i] != '_')
            return ts_failk(err, TS_EAUTH, SIGV4_INCOMPLETE,
                            "the access key id in Credential may hold only letters, digits "
                            "and '_', got '%.*s'",
                            sigv4_show(el[0].n), el[0].p);
    sigv4_copy(a->access_key_id, sizeof a->access_key_id, el[0]);

    int date_ok = el[1].n == 8;
    for (size_t i = 0; date_ok && i < 8; i++)
        date_ok = sigv4_is_digit(el[1].p[i]);
    if (!date_ok)
        return ts_failk(err, TS_EAUTH, SIGV4_INCOMPLETE,
                        "Invalid credential date '%.*s': the date in Credential must be "
                        "YYYYMMDD",
                        sigv4_show(el[1].n), el[1].p);
    sigv4_copy(a->date, sizeof a->date, el[1]);

    int region_ok = el[2].n > 0 && el[2].n < sizeof a->region;
    for (size_t i = 0; region_ok && i < el[2].n; i++)
        region_ok = sigv4_is_alnum(el[2].p[i]) || el[2].p[i] == '-' || el[2].p[i] == '.' ||
                    el[2].p[i] == '_';
    if (!region_ok)
        return ts_failk(err, TS_EAUTH, SIGV4_INVALID,
                        "Credential should be scoped to a valid region, not '%.*s' (use the "
                        "region your client is configured with, e.g. us-east-1)",
                        sigv4_show(el[2].n), el[2].p);
    sigv4_copy(a->region, sizeof a->region, el[2]);

    if (!sigv4_part_eq(el[3], SIGV4_SERVICE))
        return ts_failk(err, TS_EAUTH, SIGV4_INVALID,
                        "Credential should be scoped to correct service: '" SIGV4_SERVICE
                        "', not '%.*s' (create the client for MTurk)",
                        sigv4_show(el[3].n), el[3].p);
    sigv4_copy(a->service, sizeof a->service, el[3]);

    if (!sigv4_part_eq(el[4], SIGV4_TERMINATOR))
        return ts_failk(err, TS_EAUTH, SIGV4_INVALID,
                        "Credential should be scoped with a valid terminator: '" SIGV4_TERMINATOR
                        "', not '%.*s'",
                        sigv4_show(el[4].n), el[4].p);
    return 0;
}

/* tchar of RFC 9110 without upper-case letters. */
static int sigv4_is_header_char(char c)
{
    return (c >= 'a' && c <= 'z') || sigv4_is_digit(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int sigv4_parse_signed_headers(struct sigv4_part s, struct sigv4_auth *a,
                                      struct ts_error *err)
{
    struct sigv4_part prev = {NULL, 0};
    const char *p = s.p, *end = s.p + s.n;
    int has_host = 0;

    if (s.n >= sizeof a->signed_headers)
        return ts_failk(err, TS_EAUTH, SIGV4_INCOMPLETE,
                        "SignedHeaders is %zu characters long; at most %zu are accepted", s.n,
                        sizeof a->signed_headers - 1);
    while (p <= end) {
        struct sigv4_part h = {p, 0};
        while (p < end && *p != ';')
            p++;
        h.n = (size_t)(p - h.p);
        p++; /* past the ';' or the end */
        if (h.n == 0)
            return ts_failk(err, TS_EAUTH, SIGV4_INCOMPLETE,
                            "SignedHeaders has an empty header name in '%.*s'",
                            sigv4_show(s.n), s.p);
        for (size_t i = 0; i < h.n; i++)
            if (!sigv4_is_header_char(h.p[i]))
                return ts_failk(err, TS_EAUTH, SIGV4_INCOMPLETE,
                                "SignedHeaders must list lower-case header names separated "
                                "by ';', found '%.*s'",
                                sigv4_show(h.n), h.p);
        if (prev.p) {
            size_t m = prev.n < h.n ? prev.n : h.n;
            int c = memcmp(prev.p, h.p, m);
            if (c > 0 || (c == 0 && prev.n >= h.n))
                return ts_failk(err, TS_EAUTH, SIGV4_INVALID,
                                "SignedHeaders must be sorted and without repeats: '%.*s' "
                                "comes after '%.*s'",
                                sigv4_show(h.n), h.p, sigv4_show(prev.n), prev.p);
        }
        if (sigv4_part_eq(h, "host"))
            has_host = 1;
        prev = h;
    }
    if (!has_host)
        return ts_failk(err, TS_EAUTH, SIGV4_INVALID,
                        "SignedHeaders must include host (got '%.*s')", sigv4_show(s.n), s.p);
    sigv4_copy(a->signed_headers, sizeof a->signed_headers, s);
    return 0;
}

static int sigv4_parse_signature(struct sigv4_part s, struct sigv4_auth *a,
                                 struct ts_error *err)
{
    int ok = s.n == 64;
    for (size_t i = 0; ok && i < s.n; i++)
        ok = sigv4_is_digit(s.p[i]) || (s.p[i] >= 'a' && s.p[i] <= 'f');
    if (!ok)
        return ts_failk(err, TS_EAUTH, SIGV4_INCOMPLETE,
                        "Signature must be 64 lower-case hex digits, got '%.*s'",
                        sigv4_show(s.n), s.p);
    sigv4_copy(a->signature, sizeof a->signature, s);
    return 0;
}

static int sigv4_parse_date(const char *amz_date, struct sigv4_auth *a, struct ts_error *err)
{
    if (!amz_date || !*amz_date)
        return ts_failk(err, TS_EAUTH, SIGV4_INVALID,
                        "the request has no X-Amz-Date header; send the signing time as "
                        "X-Amz-Date: YYYYMMDDTHHMMSSZ (UTC)");
    if (sigv4_parse_amz_date(amz_date, &a->amz_ms) != 0)
        return ts_failk(err, TS_EAUTH, SIGV4_INVALID,
                        "X-Amz-Date '%.*s' is not a valid UTC time of the form "
                        "YYYYMMDDTHHMMSSZ",
                        sigv4_show(strnlen(amz_date, 64)), amz_date);
    memcpy(a->amz_date, amz_date, 16);
    a->amz_date[16] = '\0';
    if (memcmp(a->date, a->amz_date, 8) != 0)
        return ts_failk(err, TS_EAUTH, SIGV4_INVALID,
                        "Date in Credential scope does not match YYYYMMDD from X-Amz-Date: "
                        "'%s' != '%.8s', from '%s'",
                        a->date, a->amz_date, a->amz_date);
    return 0;
}

int sigv4_parse(const char *authorization, const char *amz_date, struct sigv4_auth *out,
                struct ts_error *err)
{
    struct sigv4_auth a;
    struct sigv4_part parts[3] = {{NULL, 0}, {NULL, 0}, {NULL, 0}};
    struct sigv4_part alg;
    const char *p = authorization;
    int rc;

    memset(&a, 0, sizeof a);
    while (p && sigv4_is_ows(*p))
        p++;
    if (!p || !*p)
        return ts_failk(err, TS_EAUTH, SIGV4_MISSING,
                        "Missing Authentication Token: sign the request with AWS Signature "
                        "Version 4 (an Authorization header starting '" SIGV4_ALGORITHM "')");
    alg.p = p;
    while (*p && !sigv4_is_ows(*p))
        p++;
    alg.n = (size_t)(p - alg.p);
    if (!sigv4_part_eq(alg, SIGV4_ALGORITHM))
        return ts_failk(err, TS_EAUTH, SIGV4_INCOMPLETE,
                        "Unsupported Authorization algorithm '%.*s': sign the request with "
                        "AWS Signature Version 4 (" SIGV4_ALGORITHM ")",
                        sigv4_show(alg.n), alg.p);
    rc = sigv4_split_parts(p, parts, err);
    if (!rc)
        rc = sigv4_require_parts(parts, err);
    if (!rc)
        rc = sigv4_parse_credential(parts[0], &a, err);
    if (!rc)
        rc = sigv4_parse_signed_headers(parts[1], &a, err);
    if (!rc)
        rc = sigv4_parse_signature(parts[2], &a, err);
    if (!rc)
        rc = sigv4_parse_date(amz_date, &a, err);
    if (!rc)
        *out = a;
    return rc;
}

/* ---- the canonical request -------------------------------------------------------- */

/* A query name or value: percent-decoded (a '%' not followed by two hex digits stays
 * itself), then encoded canonically. Caller frees. */
static char *sigv4_query_component(const char *p, size_t n)
{
    char *raw = xmalloc(n + 1);
    struct buf b = BUF_INIT(SIGV4_MAX_CANONICAL);
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        int hi = p[i] == '%' && i + 2 < n ? parse_hex_digit(p[i + 1]) : -1;
        int lo = hi >= 0 ? parse_hex_digit(p[i + 2]) : -1;
        if (lo >= 0) {
            raw[k++] = (char)(hi << 4 | lo);
            i += 2;
        } else {
            raw[k++] = p[i];
        }
    }
    buf_put_pct(&b, raw, k, 0);
    free(raw);
    return buf_detach(&b, NULL);
}

struct sigv4_param {
    char *name, *value;
};

static int sigv4_param_cmp(const void *x, const void *y)
{
    const struct sigv4_param *a = x, *b = y;
    int c = strcmp(a->name, b->name);
    return c ? c : strcmp(a->value, b->value);
}

/* Appends the canonical query: parameters sorted by encoded name, then value. */
static void sigv4_put_query(struct buf *b, const char *q)
{
    size_t n = strlen(q), cap = 1, count = 0;
    struct sigv4_param *params;
    const char *p = q, *end = q + n;

    for (size_t i = 0; i < n; i++)
        cap += q[i] == '&';
    params = xmalloc_array(cap, sizeof *params);
    while (p <= end) {
        const char *amp = memchr(p, '&', (size_t)(end - p)), *eq;
        size_t len = amp ? (size_t)(amp - p) : (size_t)(end - p);
        if (len > 0) {
            eq = memchr(p, '=', len);
            size_t nlen = eq ? (size_t)(eq - p) : len;
            params[count].name = sigv4_query_component(p, nlen);
            params[count].value = eq ? sigv4_query_component(eq + 1, len - nlen - 1)
                                     : xstrdup("");
            count++;
        }
        p += len + 1;
    }
    qsort(params, count, sizeof *params, sigv4_param_cmp);
    for (size_t i = 0; i < count; i++) {
        buf_printf(b, "%s%s=%s", i ? "&" : "", params[i].name, params[i].value);
        free(params[i].name);
        free(params[i].value);
    }
    free(params);
}

/* Appends a header value trimmed, with inner whitespace runs collapsed to one space. */
static void sigv4_put_header_value(struct buf *b, const char *v)
{
    int pending = 0, started = 0;

    for (; *v; v++) {
        if (sigv4_is_space(*v)) {
            pending = started;
            continue;
        }
        if (pending)
            buf_putc(b, ' ');
        buf_putc(b, *v);
        pending = 0;
        started = 1;
    }
}

static int sigv4_put_headers(struct buf *b, const struct sigv4_auth *a,
                             const struct sigv4_request *r, struct ts_error *err)
{
    const char *p = a->signed_headers;
    char name[sizeof a->signed_headers];

    while (*p) {
        size_t n = strcspn(p, ";");
        const char *v;

        memcpy(name, p, n);
        name[n] = '\0';
        p += n;
        if (*p == ';')
            p++;
        v = r->header(r->ctx, name);
        if (!v)
            return ts_failk(err, TS_EAUTH, SIGV4_INVALID,
                            "SignedHeaders lists '%s' but the request has no such header "
                            "(a proxy may have removed it)",
                            name);
        buf_puts(b, name);
        buf_putc(b, ':');
        sigv4_put_header_value(b, v);
        buf_putc(b, '\n');
    }
    return 0;
}

static int sigv4_build(const struct sigv4_auth *a, const struct sigv4_request *r,
                       const char *body_hex, struct buf *out, struct ts_error *err)
{
    const char *path = r->path && *r->path ? r->path : "/";
    int rc;

    if (!r->method || !r->header)
        TS_BUG("sigv4: request without method or header callback");
    if (r->query && strlen(r->query) > SIGV4_MAX_CANONICAL / 3)
        return ts_failk(err, TS_EAUTH, SIGV4_INVALID,
                        "the query string is too long to verify (limit %zu bytes)",
                        SIGV4_MAX_CANONICAL / 3);
    buf_puts(out, r->method);
    buf_putc(out, '\n');
    buf_put_pct(out, path, strlen(path), 1);
    buf_putc(out, '\n');
    if (r->query)
        sigv4_put_query(out, r->query);
    buf_putc(out, '\n');
    rc = sigv4_put_headers(out, a, r, err);
    if (rc)
        return rc;
    buf_printf(out, "\n%s\n%s", a->signed_headers, body_hex);
    if (out->err)
        return ts_failk(err, TS_EAUTH, SIGV4_INVALID,
                        "the request line and signed headers are too long to verify "
                        "(limit %zu bytes)",
                        out->max);
    return 0;
}

static void sigv4_sha256_hex(const void *p, size_t n, char hex[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(h, n ? p : (const void *)"", n);
    sodium_bin2hex(hex, 65, h, sizeof h);
}

int sigv4_canonical_request(const struct sigv4_auth *a, const struct sigv4_request *r,
                            struct buf *out, struct ts_error *err)
{
    char body_hex[65];

    sigv4_sha256_hex(r->body, r->body_len, body_hex);
    return sigv4_build(a, r, body_hex, out, err);
}

/* ---- verification ----------------------------------------------------------------- */

static void sigv4_hmac(unsigned char out[32], const void *key, size_t key_len, const char *msg)
{
    crypto_auth_hmacsha256_state st;

    crypto_auth_hmacsha256_init(&st, key, key_len);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, strlen(msg));
    crypto_auth_hmacsha256_final(&st, out);
    sodium_memzero(&st, sizeof st);
}

/* Refuses an X-Amz-Date more than SIGV4_MAX_SKEW_MS away from now_ms. */
static int sigv4_check_clock(const struct sigv4_auth *a, int64_t now_ms, struct ts_error *err)
{
    char lo[64], hi[64], now[64];
    int64_t diff, lo_ms, hi_ms;

    if (__builtin_sub_overflow(now_ms, a->amz_ms, &diff) ||
        __builtin_sub_overflow(now_ms, SIGV4_MAX_SKEW_MS, &lo_ms) ||
        __builtin_add_overflow(now_ms, SIGV4_MAX_SKEW_MS, &hi_ms))
        return ts_failk(err, TS_EAUTH, SIGV4_INVALID,
                        "Signature expired: %s is more than 15 min. from the server time",
                        a->amz_date);
    if (diff >= -SIGV4_MAX_SKEW_MS && diff <= SIGV4_MAX_SKEW_MS)
        return 0;
    sigv4_format_amz(now_ms, now);
    sigv4_format_amz(lo_ms, lo);
    sigv4_format_amz(hi_ms, hi);
    if (diff > 0)
        return ts_failk(err, TS_EAUTH, SIGV4_INVALID,
                        "Signature expired: %s is now earlier than %s (%s - 15 min.); "
                        "check the client's clock and sign again",
                        a->amz_date, lo, now);
    return ts_failk(err, TS_EAUTH, SIGV4_INVALID,
                    "Signature not yet current: %s is still later than %s (%s + 15 min.); "
                    "check the client's clock and sign again",
                    a->amz_date, hi, now);
}

/* When x-amz-content-sha256 is present it must be the body's hash. */
static int sigv4_check_content_hash(const struct sigv4_request *r, const char *body_hex,
                                    struct ts_error *err)
{
    const char *v = r->header(r->ctx, "x-amz-content-sha256");
    size_t n;

    if (!v)
        return 0;
    while (sigv4_is_space(*v))
        v++;
    n = strlen(v);
    while (n > 0 && sigv4_is_space(v[n - 1]))
        n--;
    if (n == 64 && memcmp(v, body_hex, 64) == 0)
        return 0;
    if (n == 16 && memcmp(v, "UNSIGNED-PAYLOAD", 16) == 0)
        return ts_failk(err, TS_EAUTH, SIGV4_INVALID,
                        "x-amz-content-sha256: UNSIGNED-PAYLOAD is not accepted; sign the "
                        "body (the SDKs do by default)");
    return ts_failk(err, TS_EAUTH, SIGV4_INVALID,
                    "x-amz-content-sha256 '%.*s' is not the SHA-256 of the body (%s): the "
                    "body was changed after signing",
                    sigv4_show(n), v, body_hex);
}

/* The hex signature of a over canonical (the signing-key chain of SigV4). */
static void sigv4_sign(const struct sigv4_auth *a, const char *secret, const char *canonical,
                       size_t canonical_len, char sig_hex[65])
{
    struct buf sts = BUF_INIT(1024);
    size_t secret_len = strlen(secret);
    unsigned char *k0 = xmalloc(st_add(secret_len, 4));
    unsigned char k[32], sig[32];
    char creq_hex[65];

    memcpy(k0, "AWS4", 4);
    memcpy(k0 + 4, secret, secret_len);
    sigv4_hmac(k, k0, secret_len + 4, a->date);
    sodium_memzero(k0, secret_len + 4);
    free(k0);
    sigv4_hmac(k, k, sizeof k, a->region);
    sigv4_hmac(k, k, sizeof k, a->service);
    sigv4_hmac(k, k, sizeof k, SIGV4_TERMINATOR);

    sigv4_sha256_hex(canonical, canonical_len, creq_hex);
    buf_printf(&sts, SIGV4_ALGORITHM "\n%s\n%s/%s/%s/" SIGV4_TERMINATOR "\n%s", a->amz_date,
               a->date, a->region, a->service, creq_hex);
    if (sts.err)
        TS_BUG("sigv4: string to sign over its bound");
    sigv4_hmac(sig, k, sizeof k, sts.p);
    sodium_bin2hex(sig_hex, 65, sig, sizeof sig);
    sodium_memzero(k, sizeof k);
    buf_release(&sts);
}

int sigv4_verify(const struct sigv4_auth *a, const struct sigv4_request *r, const char *secret,
                 int64_t now_ms, struct ts_error *err)
{
    struct buf creq = BUF_INIT(SIGV4_MAX_CANONICAL);
    char body_hex[65], sig_hex[65];
    int rc;

    if (sodium_init() < 0)
        TS_BUG("sodium_init failed: no usable system randomness");
    if (!r->header)
        TS_BUG("sigv4: request without a header callback");
    if (r->header(r->ctx, "x-amz-security-token"))
        return ts_failk(err, TS_EAUTH, SIGV4_UNRECOGNIZED,
                        "The security token included in the request is invalid: Tessera "
                        "issues no session tokens; use the account's access key and secret");
    rc = sigv4_check_clock(a, now_ms, err);
    if (rc)
        return rc;
    sigv4_sha256_hex(r->body, r->body_len, body_hex);
    rc = sigv4_check_content_hash(r, body_hex, err);
    if (rc)
        return rc;
    rc = sigv4_build(a, r, body_hex, &creq, err);
    if (rc)
        goto out;
    sigv4_sign(a, secret, creq.p, creq.len, sig_hex);
    if (sodium_memcmp(sig_hex, a->signature, 64) != 0)
        rc = ts_failk(err, TS_EAUTH, SIGV4_INVALID,
                      "The request signature we calculated does not match the signature you "
                      "provided. Check the secret access key of %s, and that nothing between "
                      "client and server changes the Host header, the path or the body",
                      a->access_key_id);
    sodium_memzero(sig_hex, sizeof sig_hex);
out:
    buf_release(&creq);
    return rc;
}
