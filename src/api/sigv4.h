/* sigv4.h: the server side of AWS Signature Version 4, as the MTurk door needs it
 * (../shared/MTURK.md §2). sigv4_parse reads the Authorization and X-Amz-Date headers;
 * the caller looks up the secret for a.access_key_id; sigv4_verify recomputes the
 * signature over the request and compares it in constant time. Knows no HTTP library:
 * headers come through a lookup callback. Every refusal is TS_EAUTH with err->kind set
 * to the AWS error type the SDKs understand. */
#ifndef TS_SIGV4_H
#define TS_SIGV4_H
#include <stddef.h>
#include <stdint.h>

#include "../util/buf.h"
#include "../util/err.h"

#define SIGV4_SERVICE "mturk-requester"
#define SIGV4_MAX_SKEW_MS ((int64_t)15 * 60 * 1000)
/* How long after its X-Amz-Date a signature that took effect is remembered, so that the
 * same signed request is refused if sent again: the SIGV4_MAX_SKEW_MS it stays valid for,
 * plus 5 minutes for a server clock stepped back (or another server's clock behind) once
 * the memory is gone. See docs/internals/sigv4.md. */
#define SIGV4_REPLAY_MS (SIGV4_MAX_SKEW_MS + (int64_t)5 * 60 * 1000)
/* The longest canonical request verified (path, query, signed headers). */
#define SIGV4_MAX_CANONICAL ((size_t)256 << 10)

/* The parsed Authorization header and X-Amz-Date. All strings NUL-terminated. */
struct sigv4_auth {
    char access_key_id[129];   /* [A-Za-z0-9_], 1-128 characters */
    char date[9];              /* YYYYMMDD from the credential scope */
    char region[64];           /* any name the client signed with ("us-east-1", "sandbox") */
    char service[64];          /* always SIGV4_SERVICE after sigv4_parse */
    char amz_date[17];         /* YYYYMMDDTHHMMSSZ, a valid UTC time */
    int64_t amz_ms;            /* amz_date as ms since the epoch */
    char signed_headers[1024]; /* as given: ';'-separated, lower-case, sorted, has host */
    char signature[65];        /* 64 lower-case hex digits */
};

/* Parses "AWS4-HMAC-SHA256 Credential=<id>/<YYYYMMDD>/<region>/<service>/aws4_request,
 * SignedHeaders=<h1;h2;...>, Signature=<64 hex>" (the three parts in any order, commas
 * with optional spaces between them) and the X-Amz-Date value. Both strings are
 * borrowed; either may be NULL. On success fills *out; on failure *out is untouched and
 * err says, in words, what is wrong (TS_EAUTH):
 *  - "MissingAuthenticationTokenException": authorization NULL or blank;
 *  - "IncompleteSignatureException": another algorithm, a missing, repeated, unknown,
 *    empty or too long part, a credential without exactly five '/'-separated elements,
 *    a signature that is not 64 hex digits, a malformed SignedHeaders list;
 *  - "InvalidSignatureException": amz_date missing or not a valid YYYYMMDDTHHMMSSZ, the
 *    scope's service not "mturk-requester", its terminator not "aws4_request", its date
 *    not the first 8 characters of X-Amz-Date, SignedHeaders unsorted, repeated or
 *    without host.
 * Any region name is accepted (1-63 characters of [A-Za-z0-9._-]). */
int sigv4_parse(const char *authorization, const char *amz_date, struct sigv4_auth *out,
                struct ts_error *err);

/* One request to verify. Every pointer is borrowed for the duration of the call. */
struct sigv4_request {
    const char *method; /* "POST" */
    const char *path;   /* as on the request line, still percent-encoded ("" means "/") */
    const char *query;  /* raw query string without '?', as on the request line; "" or
                         * NULL when there is none */
    /* The value of the header with this lower-case name, or NULL when the request has
     * none. A header sent several times comes back as its values joined by ','. */
    const char *(*header)(void *ctx, const char *lower_name);
    void *ctx;
    const void *body; /* may be NULL when body_len is 0 */
    size_t body_len;
};

/* Verifies a (from sigv4_parse) over r with the caller's secret access key (a NUL-
 * terminated string, borrowed) at server time now_ms. 0 when the signature matches.
 * Otherwise TS_EAUTH with err->kind:
 *  - "UnrecognizedClientException": the request carries x-amz-security-token (Tessera
 *    issues no session tokens);
 *  - "InvalidSignatureException": X-Amz-Date more than SIGV4_MAX_SKEW_MS from now_ms
 *    ("Signature expired: ..." / "Signature not yet current: ..."); x-amz-content-sha256
 *    present and not the hex SHA-256 of the body (UNSIGNED-PAYLOAD included); a header
 *    listed in SignedHeaders missing from the request; a canonical request over
 *    SIGV4_MAX_CANONICAL; a signature mismatch ("The request signature we calculated does
 *    not match the signature you provided. ...").
 * The canonical request is AWS's: method, the path with every byte outside RFC 3986's
 * unreserved set percent-encoded per segment (which is how SDKs double-encode for non-S3
 * services; no dot-segment normalisation), the query decoded and re-encoded per
 * parameter and sorted by name then value, each signed header as "name:value" with the
 * value trimmed and inner whitespace runs collapsed to one space, the SignedHeaders
 * list, and the hex SHA-256 of the body. Intermediate keys are wiped before return. */
int sigv4_verify(const struct sigv4_auth *a, const struct sigv4_request *r, const char *secret,
                 int64_t now_ms, struct ts_error *err);

/* Appends the canonical request for a and r to out (for tests and for logging why a
 * signature did not match; it holds no secret). Fails as sigv4_verify does for a
 * missing signed header or an oversize request; out may then hold a partial text. */
int sigv4_canonical_request(const struct sigv4_auth *a, const struct sigv4_request *r,
                            struct buf *out, struct ts_error *err);

#endif
