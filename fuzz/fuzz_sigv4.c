/* fuzz_sigv4.c: fuzzes the SigV4 verifier, which reads the Authorization and X-Amz-Date
 * headers of every unauthenticated request to the MTurk door. The input is three parts
 * separated by newlines: Authorization, X-Amz-Date, then the body; the other headers are
 * fixed. Parsing and verifying must never crash or read out of bounds, must fail with
 * TS_EAUTH and a message, and a parsed header must hold NUL-terminated fields. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/sigv4.h"
#include "util/alloc.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *fixed_header(void *ctx, const char *name)
{
    (void)ctx;
    if (strcmp(name, "host") == 0)
        return "127.0.0.1:8080";
    if (strcmp(name, "content-type") == 0)
        return "application/x-amz-json-1.1";
    if (strcmp(name, "x-amz-target") == 0)
        return "MTurkRequesterServiceV20170117.GetAccountBalance";
    if (strcmp(name, "x-amz-date") == 0)
        return "20261128T094854Z";
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = xmalloc(st_add(size, 1));
    char *auth, *date, *body, *nl;
    struct sigv4_auth a;
    struct ts_error err = {0};
    int rc;

    memcpy(s, data, size);
    s[size] = '\0';
    auth = s;
    nl = strchr(auth, '\n');
    date = nl ? (*nl = '\0', nl + 1) : s + size;
    nl = strchr(date, '\n');
    body = nl ? (*nl = '\0', nl + 1) : s + size;

    rc = sigv4_parse(auth, date, &a, &err);
    if (rc) {
        if (rc != TS_EAUTH || !err.msg[0])
            abort();
    } else {
        struct sigv4_request r = {"POST", "/", "", fixed_header, NULL, body, strlen(body)};
        if (memchr(a.access_key_id, '\0', sizeof a.access_key_id) == NULL ||
            memchr(a.signed_headers, '\0', sizeof a.signed_headers) == NULL ||
            strlen(a.signature) != 64)
            abort();
        memset(&err, 0, sizeof err);
        rc = sigv4_verify(&a, &r, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", a.amz_ms, &err);
        if (rc && (rc != TS_EAUTH || !err.msg[0]))
            abort();
    }
    free(s);
    return 0;
}
