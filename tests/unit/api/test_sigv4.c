/* test_sigv4.c: the SigV4 verifier against byte-exact requests captured from the AWS
 * SDK for JavaScript v3 and boto3 (../shared/mturk-wire-samples.md), the published AWS
 * test-suite vectors, and refusals: tampering, wrong secrets, stale clocks, payload
 * hashes, and every malformed Authorization header we could think of. */
#include "api/sigv4.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../../check.h"
#include "api/door_mturk.h"
#include "util/alloc.h"
#include "util/banned.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define MS_20261128T094854Z INT64_C(1795859334000)
#define MIN_MS INT64_C(60000)
#define MISMATCH "The request signature we calculated does not match the signature you provided"

/* ---- captured requests (request line, headers, blank line, body; byte-exact) ---- */

/* Request 1, JS: CreateHIT */
static const char sample_1[] =
    "POST / HTTP/1.1\n"
    "content-type: application/x-amz-json-1.1\n"
    "x-amz-target: MTurkRequesterServiceV20170117.CreateHIT\n"
    "content-length: 1087\n"
    "x-amz-user-agent: aws-sdk-js/3.1015.0\n"
    "user-agent: aws-sdk-js/3.1015.0 ua/2.1 os/linux#<kernel-release> lang/js md/nodejs#20."
    "20.2 api/mturk#3.1015.0 m/N,E,e\n"
    "host: 127.0.0.1:35249\n"
    "amz-sdk-invocation-id: ea980377-ee02-444c-9f34-b153f7700e9f\n"
    "amz-sdk-request: attempt=1; max=3\n"
    "x-amz-date: 20261128T094854Z\n"
    "x-amz-content-sha256: 5146b3d6fc475e90e51f3f8800e025994e8a34d14f4766d6b6968e321d8b1dde"
    "\n"
    "authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261128/us-east-1/mturk-reques"
    "ter/aws4_request, SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;c"
    "ontent-type;host;x-amz-content-sha256;x-amz-date;x-amz-target;x-amz-user-agent, Signat"
    "ure=18f7050cbc54e7e0eee55562d9e832dbf6b2cc12ccf6e23538ff3c6f748c8164\n"
    "Connection: keep-alive\n"
    "\n"
    "{\"LifetimeInSeconds\":86400,\"AssignmentDurationInSeconds\":600,\"Reward\":\"0.10\",\""
    "Title\":\"Label the animal\",\"Description\":\"Pick the animal shown in the photo.\",\""
    "MaxAssignments\":3,\"AutoApprovalDelayInSeconds\":259200,\"Keywords\":\"image, label\""
    ",\"Question\":\"<HTMLQuestion xmlns=\\\"http://mechanicalturk.amazonaws.com/AWSMechani"
    "calTurkDataSchemas/2011-11-11/HTMLQuestion.xsd\\\"><HTMLContent><![CDATA[<!DOCTYPE htm"
    "l><html><body><form name=\\\"mturk_form\\\" method=\\\"post\\\" action=\\\"https://www"
    ".mturk.com/mturk/externalSubmit\\\"><input type=\\\"hidden\\\" name=\\\"assignmentId\\"
    "\" value=\\\"\\\"><input name=\\\"label\\\"><input type=\\\"submit\\\"></form></body><"
    "/html>]]></HTMLContent><FrameHeight>0</FrameHeight></HTMLQuestion>\",\"RequesterAnnota"
    "tion\":\"batch-7/item-42\",\"QualificationRequirements\":[{\"QualificationTypeId\":\"0"
    "00000000000000000L0\",\"Comparator\":\"GreaterThanOrEqualTo\",\"IntegerValues\":[95]},"
    "{\"QualificationTypeId\":\"00000000000000000071\",\"Comparator\":\"In\",\"LocaleValues"
    "\":[{\"Country\":\"US\"},{\"Country\":\"CA\",\"Subdivision\":\"ON\"}],\"ActionsGuarded"
    "\":\"DiscoverPreviewAndAccept\"}],\"UniqueRequestToken\":\"batch-7-item-42\"}";

/* Request 2, JS: ListHITs (attempt/page 1) */
static const char sample_2[] =
    "POST / HTTP/1.1\n"
    "content-type: application/x-amz-json-1.1\n"
    "x-amz-target: MTurkRequesterServiceV20170117.ListHITs\n"
    "content-length: 16\n"
    "x-amz-user-agent: aws-sdk-js/3.1015.0\n"
    "user-agent: aws-sdk-js/3.1015.0 ua/2.1 os/linux#<kernel-release> lang/js md/nodejs#20."
    "20.2 api/mturk#3.1015.0 m/N,E,e\n"
    "host: 127.0.0.1:35249\n"
    "amz-sdk-invocation-id: bfbf65d8-5cb5-4b47-bfbe-964804f5e897\n"
    "amz-sdk-request: attempt=1; max=3\n"
    "x-amz-date: 20261128T094854Z\n"
    "x-amz-content-sha256: 5d327dabe3dd761d0a1fd5ac1ad275322fd6e1d88a5d361c1750ac453ec177b9"
    "\n"
    "authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261128/us-east-1/mturk-reques"
    "ter/aws4_request, SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;c"
    "ontent-type;host;x-amz-content-sha256;x-amz-date;x-amz-target;x-amz-user-agent, Signat"
    "ure=1dc2b733aa65b3fe5d72398dba6c5def2b62fc629a73bf06daf622a62cc69433\n"
    "Connection: keep-alive\n"
    "\n"
    "{\"MaxResults\":1}";

/* Request 4, JS: GetAccountBalance */
static const char sample_4[] =
    "POST / HTTP/1.1\n"
    "content-type: application/x-amz-json-1.1\n"
    "x-amz-target: MTurkRequesterServiceV20170117.GetAccountBalance\n"
    "content-length: 2\n"
    "x-amz-user-agent: aws-sdk-js/3.1015.0\n"
    "user-agent: aws-sdk-js/3.1015.0 ua/2.1 os/linux#<kernel-release> lang/js md/nodejs#20."
    "20.2 api/mturk#3.1015.0 m/N,E,e\n"
    "host: 127.0.0.1:35249\n"
    "amz-sdk-invocation-id: 94f5717c-64e2-401f-9e1a-f48935a5f3bf\n"
    "amz-sdk-request: attempt=1; max=3\n"
    "x-amz-date: 20261128T094854Z\n"
    "x-amz-content-sha256: 44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
    "\n"
    "authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261128/us-east-1/mturk-reques"
    "ter/aws4_request, SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;c"
    "ontent-type;host;x-amz-content-sha256;x-amz-date;x-amz-target;x-amz-user-agent, Signat"
    "ure=d66a1ea3ca37784ab11159ba3d5c221808a57007ac53c5db02b0ae5b89326a6f\n"
    "Connection: keep-alive\n"
    "\n"
    "{}";

/* Request 7, JS: UpdateExpirationForHIT */
static const char sample_7[] =
    "POST / HTTP/1.1\n"
    "content-type: application/x-amz-json-1.1\n"
    "x-amz-target: MTurkRequesterServiceV20170117.UpdateExpirationForHIT\n"
    "content-length: 55\n"
    "x-amz-user-agent: aws-sdk-js/3.1015.0\n"
    "user-agent: aws-sdk-js/3.1015.0 ua/2.1 os/linux#<kernel-release> lang/js md/nodejs#20."
    "20.2 api/mturk#3.1015.0 m/N,E,e\n"
    "host: 127.0.0.1:35249\n"
    "amz-sdk-invocation-id: 9a70a926-fe0f-4009-b889-5a5cc6b9dd28\n"
    "amz-sdk-request: attempt=1; max=3\n"
    "x-amz-date: 20261128T094854Z\n"
    "x-amz-content-sha256: d9e971fdc673be881a246e4a7e3faa108b13699a87c27b9429469c8920c981f5"
    "\n"
    "authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261128/us-east-1/mturk-reques"
    "ter/aws4_request, SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;c"
    "ontent-type;host;x-amz-content-sha256;x-amz-date;x-amz-target;x-amz-user-agent, Signat"
    "ure=0e335f2bee6228fe0de8d9d385927d8181edecce43aba900805adc9acdb144d5\n"
    "Connection: keep-alive\n"
    "\n"
    "{\"HITId\":\"3X7837UUADRXYCA1K7JAJLKC66DJ60\",\"ExpireAt\":0}";

/* Request 23, JS: GetAccountBalance (attempt/page 2) */
static const char sample_23[] =
    "POST / HTTP/1.1\n"
    "content-type: application/x-amz-json-1.1\n"
    "x-amz-target: MTurkRequesterServiceV20170117.GetAccountBalance\n"
    "content-length: 2\n"
    "x-amz-user-agent: aws-sdk-js/3.1015.0\n"
    "user-agent: aws-sdk-js/3.1015.0 ua/2.1 os/linux#<kernel-release> lang/js md/nodejs#20."
    "20.2 api/mturk#3.1015.0 m/N,E,e\n"
    "host: 127.0.0.1:35249\n"
    "amz-sdk-invocation-id: 3ce5836b-68e6-4c39-9562-17b4d6e8043b\n"
    "amz-sdk-request: attempt=2; max=3\n"
    "x-amz-date: 20261128T104854Z\n"
    "x-amz-content-sha256: 44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
    "\n"
    "authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261128/us-east-1/mturk-reques"
    "ter/aws4_request, SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;c"
    "ontent-type;host;x-amz-content-sha256;x-amz-date;x-amz-target;x-amz-user-agent, Signat"
    "ure=0431fca5213b1b963d33feeb9c928311f69b2fffadfa2045399360dad6698f91\n"
    "Connection: keep-alive\n"
    "\n"
    "{}";

/* Request 25, boto3: CreateHIT */
static const char sample_25[] =
    "POST / HTTP/1.1\n"
    "Host: 127.0.0.1:35249\n"
    "Accept-Encoding: identity\n"
    "X-Amz-Target: MTurkRequesterServiceV20170117.CreateHIT\n"
    "Content-Type: application/x-amz-json-1.1\n"
    "User-Agent: Boto3/1.43.11 md/Botocore#1.43.11 ua/2.1 os/linux#<kernel-release> md/arch"
    "#x86_64 lang/python#3.11.7 md/pyimpl#CPython m/e,D,b,Z,N cfg/retry-mode#legacy Botocor"
    "e/1.43.11\n"
    "X-Amz-Date: 20261128T094855Z\n"
    "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261128/us-east-1/mturk-reques"
    "ter/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=b"
    "5281551ed255eb04a5112a16d35fd7b83240cfc89718820b9f3885cb719e813\n"
    "amz-sdk-invocation-id: 62933b9d-49cd-4dd8-aa43-10426edf443c\n"
    "amz-sdk-request: attempt=1\n"
    "Content-Length: 707\n"
    "\n"
    "{\"Title\": \"Label the animal\", \"Description\": \"Pick the animal shown in the phot"
    "o.\", \"Keywords\": \"image, label\", \"Reward\": \"0.10\", \"MaxAssignments\": 3, \"L"
    "ifetimeInSeconds\": 86400, \"AssignmentDurationInSeconds\": 600, \"AutoApprovalDelayIn"
    "Seconds\": 259200, \"Question\": \"<HTMLQuestion xmlns=\\\"http://mechanicalturk.amazo"
    "naws.com/AWSMechanicalTurkDataSchemas/2011-11-11/HTMLQuestion.xsd\\\"><HTMLContent><!["
    "CDATA[<!DOCTYPE html><html><body><form>...</form></body></html>]]></HTMLContent><Frame"
    "Height>0</FrameHeight></HTMLQuestion>\", \"UniqueRequestToken\": \"batch-7-item-42\", "
    "\"QualificationRequirements\": [{\"QualificationTypeId\": \"00000000000000000071\", \""
    "Comparator\": \"EqualTo\", \"LocaleValues\": [{\"Country\": \"US\"}]}]}";

/* Request 26, boto3: ListHITs */
static const char sample_26[] =
    "POST / HTTP/1.1\n"
    "Host: 127.0.0.1:35249\n"
    "Accept-Encoding: identity\n"
    "X-Amz-Target: MTurkRequesterServiceV20170117.ListHITs\n"
    "Content-Type: application/x-amz-json-1.1\n"
    "User-Agent: Boto3/1.43.11 md/Botocore#1.43.11 ua/2.1 os/linux#<kernel-release> md/arch"
    "#x86_64 lang/python#3.11.7 md/pyimpl#CPython m/e,D,b,Z,N cfg/retry-mode#legacy Botocor"
    "e/1.43.11\n"
    "X-Amz-Date: 20261128T094855Z\n"
    "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261128/us-east-1/mturk-reques"
    "ter/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=8"
    "9616ad2e245187579dccec7898a800928615d9b800904834fe43f4f4b5918d6\n"
    "amz-sdk-invocation-id: e6416066-14b7-4a12-927b-68ecb65a64d6\n"
    "amz-sdk-request: attempt=1\n"
    "Content-Length: 17\n"
    "\n"
    "{\"MaxResults\": 1}";

/* Request 27, boto3: GetAccountBalance */
static const char sample_27[] =
    "POST / HTTP/1.1\n"
    "Host: 127.0.0.1:35249\n"
    "Accept-Encoding: identity\n"
    "X-Amz-Target: MTurkRequesterServiceV20170117.GetAccountBalance\n"
    "Content-Type: application/x-amz-json-1.1\n"
    "User-Agent: Boto3/1.43.11 md/Botocore#1.43.11 ua/2.1 os/linux#<kernel-release> md/arch"
    "#x86_64 lang/python#3.11.7 md/pyimpl#CPython m/e,D,b,Z,N cfg/retry-mode#legacy Botocor"
    "e/1.43.11\n"
    "X-Amz-Date: 20261128T094855Z\n"
    "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261128/us-east-1/mturk-reques"
    "ter/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=5"
    "ec0ecef8f6770acad3ffd137e4b0d0a3ce69e3431ad1a42c5a0a410820b0ea7\n"
    "amz-sdk-invocation-id: 79635362-8daf-41a2-a051-6f8a914675e6\n"
    "amz-sdk-request: attempt=1\n"
    "Content-Length: 2\n"
    "\n"
    "{}";

/* Request 28, boto3: UpdateExpirationForHIT */
static const char sample_28[] =
    "POST / HTTP/1.1\n"
    "Host: 127.0.0.1:35249\n"
    "Accept-Encoding: identity\n"
    "X-Amz-Target: MTurkRequesterServiceV20170117.UpdateExpirationForHIT\n"
    "Content-Type: application/x-amz-json-1.1\n"
    "User-Agent: Boto3/1.43.11 md/Botocore#1.43.11 ua/2.1 os/linux#<kernel-release> md/arch"
    "#x86_64 lang/python#3.11.7 md/pyimpl#CPython m/e,D,b,Z,N cfg/retry-mode#legacy Botocor"
    "e/1.43.11\n"
    "X-Amz-Date: 20261128T094855Z\n"
    "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261128/us-east-1/mturk-reques"
    "ter/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=3"
    "22392800c27bc76d6af729df8fa9c3c6d086e1b5b2aff62464e80979a7387be\n"
    "amz-sdk-invocation-id: fbe25fb3-37e0-47bb-8797-eafd9c01e7de\n"
    "amz-sdk-request: attempt=1\n"
    "Content-Length: 67\n"
    "\n"
    "{\"HITId\": \"3X7837UUADRXYCA1K7JAJLKC66DJ60\", \"ExpireAt\": 1420070400}";

/* Request 34, boto3: GetHIT */
static const char sample_34[] =
    "POST / HTTP/1.1\n"
    "Host: 127.0.0.1:35249\n"
    "Accept-Encoding: identity\n"
    "X-Amz-Target: MTurkRequesterServiceV20170117.GetHIT\n"
    "Content-Type: application/x-amz-json-1.1\n"
    "User-Agent: Boto3/1.43.11 md/Botocore#1.43.11 ua/2.1 os/linux#<kernel-release> md/arch"
    "#x86_64 lang/python#3.11.7 md/pyimpl#CPython m/e,D,b,Z,N cfg/retry-mode#legacy Botocor"
    "e/1.43.11\n"
    "X-Amz-Date: 20261128T094907Z\n"
    "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261128/us-east-1/mturk-reques"
    "ter/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=4"
    "ebb53685bbf25ee656e69f75ab243404a3fd1bdb4806e73d1415da1f8d90b66\n"
    "amz-sdk-invocation-id: 7f806bd6-2497-41ac-8a59-8372b93f7b2f\n"
    "amz-sdk-request: ttl=20261128T094959Z; attempt=5; max=5\n"
    "Content-Length: 43\n"
    "\n"
    "{\"HITId\": \"3FAULT000000000000000000000000\"}";

/* Request 21, JS: GetAccountBalance */
static const char sample_21[] =
    "POST / HTTP/1.1\n"
    "content-type: application/x-amz-json-1.1\n"
    "x-amz-target: MTurkRequesterServiceV20170117.GetAccountBalance\n"
    "content-length: 2\n"
    "x-amz-user-agent: aws-sdk-js/3.1015.0\n"
    "user-agent: aws-sdk-js/3.1015.0 ua/2.1 os/linux#<kernel-release> lang/js md/nodejs#20."
    "20.2 api/mturk#3.1015.0 m/N,E,e\n"
    "host: 127.0.0.1:35249\n"
    "amz-sdk-invocation-id: 00dd6bdd-58e9-47b7-8809-23a6765d10b6\n"
    "amz-sdk-request: attempt=1; max=3\n"
    "x-amz-date: 20261128T094854Z\n"
    "x-amz-content-sha256: 44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
    "\n"
    "authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261128/us-east-1/mturk-reques"
    "ter/aws4_request, SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;c"
    "ontent-type;host;x-amz-content-sha256;x-amz-date;x-amz-target;x-amz-user-agent, Signat"
    "ure=831aa7513422880586394b8c4ab5d9956e970cf0ec0937683a93176e3ed65934\n"
    "Connection: keep-alive\n"
    "\n"
    "{}";

/* ---- a request held in memory, and the header callback ---- */

#define REQ_MAX_HEADERS 32

struct req {
    char *text;                     /* owned copy of the raw request */
    char *names[REQ_MAX_HEADERS];   /* lower-case, into text or owned (see owned[]) */
    char *values[REQ_MAX_HEADERS];  /* trimmed of spaces at both ends, as a server does */
    int owned[REQ_MAX_HEADERS];     /* 1: name and value were xstrdup'ed */
    size_t n;
    char *body;
    size_t body_len;
};

static void req_load(struct req *q, const char *raw)
{
    char *p, *sep;

    memset(q, 0, sizeof *q);
    q->text = xstrdup(raw);
    sep = strstr(q->text, "\n\n");
    CHECK(sep != NULL);
    if (!sep)
        return;
    *sep = '\0';
    q->body = sep + 2;
    q->body_len = strlen(q->body);
    p = strchr(q->text, '\n'); /* skip the request line */
    while (p && q->n < REQ_MAX_HEADERS) {
        char *line = p + 1, *colon, *end;
        p = strchr(line, '\n');
        if (p)
            *p = '\0';
        colon = strchr(line, ':');
        CHECK(colon != NULL);
        if (!colon)
            return;
        *colon = '\0';
        for (char *c = line; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c - 'A' + 'a');
        colon++;
        while (*colon == ' ' || *colon == '\t')
            colon++;
        end = colon + strlen(colon);
        while (end > colon && (end[-1] == ' ' || end[-1] == '\t'))
            *--end = '\0';
        q->names[q->n] = line;
        q->values[q->n] = colon;
        q->n++;
    }
}

static void req_release(struct req *q)
{
    for (size_t i = 0; i < q->n; i++) {
        if (q->owned[i]) {
            free(q->names[i]);
            free(q->values[i]);
        }
    }
    free(q->text);
}

static const char *req_header(void *ctx, const char *lower_name)
{
    struct req *q = ctx;
    for (size_t i = 0; i < q->n; i++)
        if (strcmp(q->names[i], lower_name) == 0)
            return q->values[i];
    return NULL;
}

/* Sets (replaces or adds) a header. */
static void req_set(struct req *q, const char *name, const char *value)
{
    size_t i;
    for (i = 0; i < q->n && strcmp(q->names[i], name) != 0; i++)
        ;
    if (i == q->n) {
        if (q->n == REQ_MAX_HEADERS)
            return;
        q->n++;
    } else if (q->owned[i]) {
        free(q->names[i]);
        free(q->values[i]);
    }
    q->names[i] = xstrdup(name);
    q->values[i] = xstrdup(value);
    q->owned[i] = 1;
}

static void req_del(struct req *q, const char *name)
{
    for (size_t i = 0; i < q->n; i++) {
        if (strcmp(q->names[i], name) != 0)
            continue;
        if (q->owned[i]) {
            free(q->names[i]);
            free(q->values[i]);
        }
        q->names[i] = q->names[q->n - 1];
        q->values[i] = q->values[q->n - 1];
        q->owned[i] = q->owned[q->n - 1];
        q->n--;
        return;
    }
}

static struct sigv4_request req_view(struct req *q, const char *method, const char *path,
                                     const char *query)
{
    struct sigv4_request r = {method, path, query, req_header, q, q->body, q->body_len};
    return r;
}

/* Parses the request's own Authorization and X-Amz-Date, then verifies it as POST /. */
static int req_verify(struct req *q, const char *secret, int64_t now_ms, struct ts_error *err)
{
    struct sigv4_auth a;
    struct sigv4_request r = req_view(q, "POST", "/", "");
    int rc = sigv4_parse(req_header(q, "authorization"), req_header(q, "x-amz-date"), &a, err);
    if (rc)
        return rc;
    return sigv4_verify(&a, &r, secret, now_ms, err);
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* rc is TS_EAUTH, the kind is kind, and the message holds part. */
#define CHECK_REFUSED(rc, err, kind_, part)                                             \
    do {                                                                                \
        CHECK_EQ_INT((rc), TS_EAUTH);                                                   \
        CHECK_EQ_STR((err).kind ? (err).kind : "(none)", (kind_));                      \
        CHECK(strstr((err).msg, (part)) != NULL);                                       \
        if (!strstr((err).msg, (part)))                                                 \
            fprintf(stderr, "  message was: %s\n", (err).msg);                          \
    } while (0)

/* ---- the captures verify ---- */

static const struct {
    const char *raw;
    const char *sdk;
} samples[] = {
    {sample_1, "js"},     {sample_2, "js"},     {sample_4, "js"},     {sample_7, "js"},
    {sample_23, "js"},    {sample_25, "boto3"}, {sample_26, "boto3"}, {sample_27, "boto3"},
    {sample_28, "boto3"}, {sample_34, "boto3"},
};

static void test_samples_valid(void)
{
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        struct req q;
        struct sigv4_auth a;
        struct ts_error err = {0};
        int64_t cl = -1;
        int rc;

        req_load(&q, samples[i].raw);
        cl = strtoll(req_header(&q, "content-length"), NULL, 10);
        CHECK_EQ_INT(cl, (long long)q.body_len);
        rc = sigv4_parse(req_header(&q, "authorization"), req_header(&q, "x-amz-date"), &a, &err);
        CHECK_EQ_INT(rc, 0);
        if (rc == 0) {
            struct sigv4_request r = req_view(&q, "POST", "/", "");
            rc = sigv4_verify(&a, &r, SECRET, a.amz_ms, &err);
            CHECK_EQ_INT(rc, 0);
            if (rc)
                fprintf(stderr, "  sample %zu (%s): %s\n", i, samples[i].sdk, err.msg);
            /* the edges of the window still pass */
            CHECK_EQ_INT(sigv4_verify(&a, &r, SECRET, a.amz_ms + 15 * MIN_MS, &err), 0);
            CHECK_EQ_INT(sigv4_verify(&a, &r, SECRET, a.amz_ms - 15 * MIN_MS, &err), 0);
            /* a query string the client did not sign breaks it */
            r.query = "x=1";
            CHECK_REFUSED(sigv4_verify(&a, &r, SECRET, a.amz_ms, &err), err,
                          "InvalidSignatureException", MISMATCH);
        }
        req_release(&q);
    }
}

static void test_parse_fields(void)
{
    struct req q;
    struct sigv4_auth a;
    struct ts_error err = {0};

    req_load(&q, sample_1);
    CHECK_EQ_INT(sigv4_parse(req_header(&q, "authorization"), req_header(&q, "x-amz-date"), &a,
                             &err),
                 0);
    CHECK_EQ_STR(a.access_key_id, "AKIDEXAMPLE");
    CHECK_EQ_STR(a.date, "20261128");
    CHECK_EQ_STR(a.region, "us-east-1");
    CHECK_EQ_STR(a.service, "mturk-requester");
    CHECK_EQ_STR(a.amz_date, "20261128T094854Z");
    CHECK_EQ_INT(a.amz_ms, MS_20261128T094854Z);
    CHECK_EQ_STR(a.signed_headers,
                 "amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;"
                 "x-amz-content-sha256;x-amz-date;x-amz-target;x-amz-user-agent");
    CHECK_EQ_STR(a.signature, "18f7050cbc54e7e0eee55562d9e832dbf6b2cc12ccf6e23538ff3c6f748c8164");
    req_release(&q);
}

/* The intermediate strings the samples file gives for the CreateHIT capture. */
static void test_canonical_createhit(void)
{
    static const char expect[] =
        "POST\n/\n\n"
        "amz-sdk-invocation-id:ea980377-ee02-444c-9f34-b153f7700e9f\n"
        "amz-sdk-request:attempt=1; max=3\n"
        "content-length:1087\n"
        "content-type:application/x-amz-json-1.1\n"
        "host:127.0.0.1:35249\n"
        "x-amz-content-sha256:5146b3d6fc475e90e51f3f8800e025994e8a34d14f4766d6b6968e321d8b1dde\n"
        "x-amz-date:20261128T094854Z\n"
        "x-amz-target:MTurkRequesterServiceV20170117.CreateHIT\n"
        "x-amz-user-agent:aws-sdk-js/3.1015.0\n\n"
        "amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;"
        "x-amz-content-sha256;x-amz-date;x-amz-target;x-amz-user-agent\n"
        "5146b3d6fc475e90e51f3f8800e025994e8a34d14f4766d6b6968e321d8b1dde";
    struct req q;
    struct sigv4_auth a;
    struct sigv4_request r;
    struct buf b = BUF_INIT(SIGV4_MAX_CANONICAL);
    struct ts_error err = {0};
    unsigned char h[32];
    char hex[65];

    req_load(&q, sample_1);
    r = req_view(&q, "POST", "/", NULL);
    CHECK_EQ_INT(sigv4_parse(req_header(&q, "authorization"), req_header(&q, "x-amz-date"), &a,
                             &err),
                 0);
    CHECK_EQ_INT(sigv4_canonical_request(&a, &r, &b, &err), 0);
    CHECK_EQ_STR(b.p, expect);
    crypto_hash_sha256(h, (const unsigned char *)b.p, b.len);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    CHECK_EQ_STR(hex, "37eea8f6c36c18cb0c9d9a607ad84ffccb86b6ff8bd00e81bffc90549419449b");
    buf_release(&b);
    req_release(&q);
}

/* ---- refusals of otherwise good requests ---- */

static void test_wrong_secret(void)
{
    struct req q;
    struct ts_error err = {0};

    /* captured: the JS SDK signing with another secret */
    req_load(&q, sample_21);
    CHECK_REFUSED(req_verify(&q, SECRET, MS_20261128T094854Z, &err), err,
                  "InvalidSignatureException", MISMATCH);
    CHECK(starts_with(err.msg, MISMATCH));
    CHECK(strstr(err.msg, "AKIDEXAMPLE") != NULL);
    req_release(&q);

    req_load(&q, sample_4);
    CHECK_REFUSED(req_verify(&q, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEz", MS_20261128T094854Z,
                             &err),
                  err, "InvalidSignatureException", MISMATCH);
    CHECK_REFUSED(req_verify(&q, "", MS_20261128T094854Z, &err), err,
                  "InvalidSignatureException", MISMATCH);
    req_release(&q);

    req_load(&q, sample_27);
    CHECK_REFUSED(req_verify(&q, SECRET "x", MS_20261128T094854Z, &err), err,
                  "InvalidSignatureException", MISMATCH);
    req_release(&q);
}

static void test_tampered_body(void)
{
    struct req q;
    struct ts_error err = {0};

    /* boto3 sends no x-amz-content-sha256: only the signature catches it */
    req_load(&q, sample_25);
    q.body[q.body_len / 2] ^= 1;
    CHECK_REFUSED(req_verify(&q, SECRET, MS_20261128T094854Z, &err), err,
                  "InvalidSignatureException", MISMATCH);
    req_release(&q);

    req_load(&q, sample_26);
    q.body_len--; /* one byte short */
    CHECK_REFUSED(req_verify(&q, SECRET, MS_20261128T094854Z, &err), err,
                  "InvalidSignatureException", MISMATCH);
    req_release(&q);

    /* the JS SDK's x-amz-content-sha256 no longer matches the body */
    req_load(&q, sample_1);
    q.body[q.body_len - 2] = ']';
    CHECK_REFUSED(req_verify(&q, SECRET, MS_20261128T094854Z, &err), err,
                  "InvalidSignatureException", "is not the SHA-256 of the body");
    req_release(&q);
}

static void test_signed_header_changed(void)
{
    struct req q;
    struct ts_error err = {0};

    req_load(&q, sample_2);
    req_set(&q, "x-amz-target", "MTurkRequesterServiceV20170117.DeleteHIT");
    CHECK_REFUSED(req_verify(&q, SECRET, MS_20261128T094854Z, &err), err,
                  "InvalidSignatureException", MISMATCH);
    req_release(&q);

    /* a proxy that rewrites Host */
    req_load(&q, sample_26);
    req_set(&q, "host", "127.0.0.1");
    CHECK_REFUSED(req_verify(&q, SECRET, MS_20261128T094854Z, &err), err,
                  "InvalidSignatureException", MISMATCH);
    req_release(&q);

    /* a changed header that is not signed does not matter */
    req_load(&q, sample_26);
    req_set(&q, "user-agent", "something else");
    req_set(&q, "x-forwarded-for", "10.0.0.1");
    CHECK_EQ_INT(req_verify(&q, SECRET, MS_20261128T094854Z, &err), 0);
    req_release(&q);
}

static void test_signed_header_missing(void)
{
    struct req q;
    struct ts_error err = {0};

    req_load(&q, sample_2);
    req_del(&q, "amz-sdk-request");
    CHECK_REFUSED(req_verify(&q, SECRET, MS_20261128T094854Z, &err), err,
                  "InvalidSignatureException", "SignedHeaders lists 'amz-sdk-request'");
    req_release(&q);

    req_load(&q, sample_27);
    req_del(&q, "host");
    CHECK_REFUSED(req_verify(&q, SECRET, MS_20261128T094854Z, &err), err,
                  "InvalidSignatureException", "'host' but the request has no such header");
    req_release(&q);
}

static void test_clock(void)
{
    struct req q;
    struct ts_error err = {0};
    int64_t t = MS_20261128T094854Z;

    req_load(&q, sample_4);
    CHECK_REFUSED(req_verify(&q, SECRET, t + 16 * MIN_MS, &err), err,
                  "InvalidSignatureException",
                  "Signature expired: 20261128T094854Z is now earlier than 20261128T094954Z "
                  "(20261128T100454Z - 15 min.)");
    CHECK_REFUSED(req_verify(&q, SECRET, t - 16 * MIN_MS, &err), err,
                  "InvalidSignatureException",
                  "Signature not yet current: 20261128T094854Z is still later than "
                  "20261128T094754Z (20261128T093254Z + 15 min.)");
    CHECK_REFUSED(req_verify(&q, SECRET, t + 15 * MIN_MS + 1, &err), err,
                  "InvalidSignatureException", "Signature expired");
    CHECK_REFUSED(req_verify(&q, SECRET, t - 15 * MIN_MS - 1, &err), err,
                  "InvalidSignatureException", "Signature not yet current");
    CHECK_EQ_INT(req_verify(&q, SECRET, t + 15 * MIN_MS, &err), 0);
    CHECK_REFUSED(req_verify(&q, SECRET, INT64_MAX, &err), err, "InvalidSignatureException",
                  "Signature expired");
    CHECK_REFUSED(req_verify(&q, SECRET, INT64_MIN, &err), err, "InvalidSignatureException",
                  "15 min.");
    CHECK_REFUSED(req_verify(&q, SECRET, 0, &err), err, "InvalidSignatureException",
                  "is still later than 19700101T001500Z (19700101T000000Z + 15 min.)");
    CHECK_REFUSED(req_verify(&q, SECRET, -1, &err), err, "InvalidSignatureException",
                  "19691231T235959Z");
    req_release(&q);

    /* captured: the JS SDK retried with its clock one hour ahead */
    req_load(&q, sample_23);
    CHECK_REFUSED(req_verify(&q, SECRET, t, &err), err, "InvalidSignatureException",
                  "Signature not yet current");
    CHECK_EQ_INT(req_verify(&q, SECRET, t + 60 * MIN_MS, &err), 0);
    req_release(&q);

    /* the date is signed: moving X-Amz-Date into the window breaks the signature */
    req_load(&q, sample_23);
    req_set(&q, "x-amz-date", "20261128T094854Z");
    CHECK_REFUSED(req_verify(&q, SECRET, t, &err), err, "InvalidSignatureException", MISMATCH);
    req_release(&q);
}

static void test_content_sha256(void)
{
    struct req q;
    struct ts_error err = {0};

    req_load(&q, sample_4);
    req_set(&q, "x-amz-content-sha256", "UNSIGNED-PAYLOAD");
    CHECK_REFUSED(req_verify(&q, SECRET, MS_20261128T094854Z, &err), err,
                  "InvalidSignatureException", "UNSIGNED-PAYLOAD is not accepted");
    req_set(&q, "x-amz-content-sha256",
            "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8b");
    CHECK_REFUSED(req_verify(&q, SECRET, MS_20261128T094854Z, &err), err,
                  "InvalidSignatureException", "is not the SHA-256 of the body");
    req_set(&q, "x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
    CHECK_REFUSED(req_verify(&q, SECRET, MS_20261128T094854Z, &err), err,
                  "InvalidSignatureException", "is not the SHA-256 of the body");
    req_set(&q, "x-amz-content-sha256", "");
    CHECK_REFUSED(req_verify(&q, SECRET, MS_20261128T094854Z, &err), err,
                  "InvalidSignatureException", "is not the SHA-256 of the body");
    req_release(&q);

    /* boto3 does not sign it; a wrong one is still refused, a right one accepted */
    req_load(&q, sample_27);
    req_set(&q, "x-amz-content-sha256", "UNSIGNED-PAYLOAD");
    CHECK_REFUSED(req_verify(&q, SECRET, MS_20261128T094854Z, &err), err,
                  "InvalidSignatureException", "UNSIGNED-PAYLOAD");
    req_set(&q, "x-amz-content-sha256",
            "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
    CHECK_EQ_INT(req_verify(&q, SECRET, MS_20261128T094854Z, &err), 0);
    req_release(&q);
}

static void test_security_token(void)
{
    struct req q;
    struct ts_error err = {0};

    req_load(&q, sample_27);
    req_set(&q, "x-amz-security-token", "FQoGZXIvYXdzE");
    CHECK_REFUSED(req_verify(&q, SECRET, MS_20261128T094854Z, &err), err,
                  "UnrecognizedClientException", "session tokens");
    req_release(&q);
}

/* ---- canonicalisation ---- */

/* Signed (by an independent implementation) over "my-header:a b c d"; sent with runs of
 * spaces and tabs inside and around the value. */
static const char whitespace_request[] =
    "POST / HTTP/1.1\n"
    "host: tessera.example:8443\n"
    "content-type: application/x-amz-json-1.1\n"
    "x-amz-date: 20261128T094854Z\n"
    "x-amz-target: MTurkRequesterServiceV20170117.GetAccountBalance\n"
    "authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261128/us-east-1/mturk-requester/"
    "aws4_request, SignedHeaders=content-type;host;my-header;x-amz-date;x-amz-target, "
    "Signature=990c171db6c97a47748064634fe3c4f9c0252f88db2a6c777941df958ece8e40\n"
    "\n"
    "{}";

static void test_whitespace_collapsed(void)
{
    struct req q;
    struct sigv4_auth a;
    struct sigv4_request r;
    struct buf b = BUF_INIT(SIGV4_MAX_CANONICAL);
    struct ts_error err = {0};

    req_load(&q, whitespace_request);
    req_set(&q, "my-header", "  a   b\t\tc  d  ");
    CHECK_EQ_INT(req_verify(&q, SECRET, MS_20261128T094854Z, &err), 0);
    req_set(&q, "my-header", "a b c d");
    CHECK_EQ_INT(req_verify(&q, SECRET, MS_20261128T094854Z, &err), 0);
    req_set(&q, "my-header", "\t a \r\n b \v\f c d");
    CHECK_EQ_INT(req_verify(&q, SECRET, MS_20261128T094854Z, &err), 0);
    req_set(&q, "my-header", "a b cd");
    CHECK_REFUSED(req_verify(&q, SECRET, MS_20261128T094854Z, &err), err,
                  "InvalidSignatureException", MISMATCH);

    req_set(&q, "my-header", "   ");
    r = req_view(&q, "POST", "/", "");
    CHECK_EQ_INT(sigv4_parse(req_header(&q, "authorization"), req_header(&q, "x-amz-date"), &a,
                             &err),
                 0);
    CHECK_EQ_INT(sigv4_canonical_request(&a, &r, &b, &err), 0);
    CHECK(strstr(b.p, "\nmy-header:\nx-amz-date:") != NULL);
    buf_reset(&b);
    req_set(&q, "my-header", "");
    CHECK_EQ_INT(sigv4_canonical_request(&a, &r, &b, &err), 0);
    CHECK(strstr(b.p, "\nmy-header:\nx-amz-date:") != NULL);
    buf_release(&b);
    req_release(&q);
}

/* An encoded path and a messy query, region "sandbox"; signed by an independent
 * implementation over path "/a%2520b/c~d/%25E1%2588%25B4" (SDKs double-encode for
 * non-S3 services) and query "=x&a=1&a=~1&b=2&c=&d=a%2Bb&e=%25zz%254". */
static void test_path_and_query(void)
{
    static const char auth[] =
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261128/sandbox/mturk-requester/aws4_request,"
        " SignedHeaders=host;x-amz-date, "
        "Signature=204e6803a5821b5a10c0ff829c42e2e378662e3bd6827dd0ff1fc9148e985f94";
    static const char path[] = "/a%20b/c~d/%E1%88%B4";
    static const char query[] = "b=2&a=%7e1&a=1&c&=x&&d=a+b&e=%zz%4";
    struct req q;
    struct sigv4_auth a;
    struct sigv4_request r;
    struct buf b = BUF_INIT(SIGV4_MAX_CANONICAL);
    struct ts_error err = {0};

    req_load(&q, "POST /x HTTP/1.1\nhost: 127.0.0.1:8080\nx-amz-date: 20261128T094854Z\n\n{}");
    CHECK_EQ_INT(sigv4_parse(auth, "20261128T094854Z", &a, &err), 0);
    CHECK_EQ_STR(a.region, "sandbox");
    r = req_view(&q, "POST", path, query);
    CHECK_EQ_INT(sigv4_canonical_request(&a, &r, &b, &err), 0);
    CHECK(starts_with(b.p, "POST\n/a%2520b/c~d/%25E1%2588%25B4\n"
                           "=x&a=1&a=~1&b=2&c=&d=a%2Bb&e=%25zz%254\nhost:127.0.0.1:8080\n"));
    CHECK_EQ_INT(sigv4_verify(&a, &r, SECRET, MS_20261128T094854Z, &err), 0);
    r.query = "b=2&a=%7E1&a=1&c=&=x&d=a%2Bb&e=%25zz%254"; /* the same, spelled canonically */
    CHECK_EQ_INT(sigv4_verify(&a, &r, SECRET, MS_20261128T094854Z, &err), 0);
    r.query = "b=2&a=~1&a=1&c&=x&d=a+b&e=%zz%4&f";
    CHECK_REFUSED(sigv4_verify(&a, &r, SECRET, MS_20261128T094854Z, &err), err,
                  "InvalidSignatureException", MISMATCH);
    r.query = query;
    r.path = "/a%20b/c~d/%E1%88%B5";
    CHECK_REFUSED(sigv4_verify(&a, &r, SECRET, MS_20261128T094854Z, &err), err,
                  "InvalidSignatureException", MISMATCH);

    /* empty path is "/", odd bytes are encoded, a '%' at the very end stays */
    buf_reset(&b);
    r.path = "";
    r.query = "%";
    CHECK_EQ_INT(sigv4_canonical_request(&a, &r, &b, &err), 0);
    CHECK(starts_with(b.p, "POST\n/\n%25=\n"));
    buf_reset(&b);
    r.path = "/\x01 \xff";
    r.query = "&&&=&a=%";
    CHECK_EQ_INT(sigv4_canonical_request(&a, &r, &b, &err), 0);
    CHECK(starts_with(b.p, "POST\n/%01%20%FF\n=&a=%25\n"));
    buf_release(&b);
    req_release(&q);
}

/* The published AWS SigV4 test suite (service "service", 2015-08-30T12:36:00Z). */
static void test_aws_suite(void)
{
    static const struct {
        const char *method, *path, *query, *content_type, *body, *signed_headers, *sig;
    } v[] = {
        {"GET", "/", "", NULL, "", "host;x-amz-date",
         "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"}, /* get-vanilla */
        {"GET", "/", "Param2=value2&Param1=value1", NULL, "", "host;x-amz-date",
         "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"}, /* query order */
        {"POST", "/", "", "application/x-www-form-urlencoded", "Param1=value1",
         "content-type;host;x-amz-date",
         "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"}, /* form */
        {"GET", "/\xe1\x88\xb4", "", NULL, "", "host;x-amz-date",
         "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"}, /* get-utf8 */
    };
    int64_t t = INT64_C(1440938160000);

    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        struct req q;
        struct sigv4_auth a;
        struct sigv4_request r;
        struct ts_error err = {0};

        req_load(&q, "GET / HTTP/1.1\nhost: example.amazonaws.com\n"
                     "x-amz-date: 20150830T123600Z\n\n");
        if (v[i].content_type)
            req_set(&q, "content-type", v[i].content_type);
        memset(&a, 0, sizeof a);
        memcpy(a.access_key_id, "AKIDEXAMPLE", 12);
        memcpy(a.date, "20150830", 9);
        memcpy(a.region, "us-east-1", 10);
        memcpy(a.service, "service", 8);
        memcpy(a.amz_date, "20150830T123600Z", 17);
        a.amz_ms = t;
        memcpy(a.signed_headers, v[i].signed_headers, strlen(v[i].signed_headers) + 1);
        memcpy(a.signature, v[i].sig, 65);
        r = req_view(&q, v[i].method, v[i].path, v[i].query);
        r.body = v[i].body;
        r.body_len = strlen(v[i].body);
        CHECK_EQ_INT(sigv4_verify(&a, &r, SECRET, t, &err), 0);
        if (err.code)
            fprintf(stderr, "  suite vector %zu: %s\n", i, err.msg);
        req_release(&q);
    }
}

/* ---- parsing ---- */

#define CRED "Credential=AKIDEXAMPLE/20261128/us-east-1/mturk-requester/aws4_request"
#define SH "SignedHeaders=content-type;host;x-amz-date;x-amz-target"
#define SIG "Signature=5ec0ecef8f6770acad3ffd137e4b0d0a3ce69e3431ad1a42c5a0a410820b0ea7"
#define ALG "AWS4-HMAC-SHA256 "
#define DATE "20261128T094854Z"
#define INCOMPLETE "IncompleteSignatureException"
#define INVALID "InvalidSignatureException"

static void test_parse_refusals(void)
{
    static const struct {
        const char *auth, *date, *kind, *part;
    } c[] = {
        {NULL, DATE, "MissingAuthenticationTokenException", "Missing Authentication Token"},
        {"", DATE, "MissingAuthenticationTokenException", "Signature Version 4"},
        {" \t ", DATE, "MissingAuthenticationTokenException", "Missing"},
        /* the algorithm */
        {"AWS4-HMAC-SHA1 " CRED ", " SH ", " SIG, DATE, INCOMPLETE,
         "Unsupported Authorization algorithm 'AWS4-HMAC-SHA1'"},
        {"aws4-hmac-sha256 " CRED ", " SH ", " SIG, DATE, INCOMPLETE, "Unsupported"},
        {"Bearer tsr_abc", DATE, INCOMPLETE, "Unsupported Authorization algorithm 'Bearer'"},
        {"AWS4-HMAC-SHA256" CRED ", " SH ", " SIG, DATE, INCOMPLETE, "Unsupported"},
        {"AWS AKIDEXAMPLE:abc=", DATE, INCOMPLETE, "Unsupported"},
        /* missing parts, all named */
        {"AWS4-HMAC-SHA256", DATE, INCOMPLETE,
         "requires the 'Credential', 'SignedHeaders', 'Signature' parameters"},
        {ALG SH ", " SIG, DATE, INCOMPLETE, "requires the 'Credential' parameter:"},
        {ALG CRED ", " SIG, DATE, INCOMPLETE, "requires the 'SignedHeaders' parameter:"},
        {ALG CRED ", " SH, DATE, INCOMPLETE, "requires the 'Signature' parameter:"},
        {ALG CRED, DATE, INCOMPLETE, "'SignedHeaders', 'Signature' parameters"},
        /* malformed parts */
        {ALG CRED ", " SH ", " SIG ", " SIG, DATE, INCOMPLETE, "has 'Signature' twice"},
        {ALG CRED ", " SH ", " SIG ", Foo=bar", DATE, INCOMPLETE, "unknown part 'Foo'"},
        {ALG CRED ", " SH ", signature=abc", DATE, INCOMPLETE, "unknown part 'signature'"},
        {ALG CRED ", " SH ", Signature=", DATE, INCOMPLETE, "empty 'Signature'"},
        {ALG CRED ", " SH ", Signature", DATE, INCOMPLETE, "expected Name=value"},
        {ALG CRED ", " SH ", =abc", DATE, INCOMPLETE, "expected Name=value"},
        {ALG CRED " " SH " " SIG, DATE, INCOMPLETE, "must be followed by a comma"},
        {ALG CRED ", " SH "; " SIG, DATE, INCOMPLETE, "must be followed by a comma"},
        {ALG ",,,", DATE, INCOMPLETE, "expected Name=value"},
        {ALG "\x01\x02\xff", DATE, INCOMPLETE, "expected Name=value"},
        {ALG "Credential=\xff\xfe/x, " SH ", " SIG, DATE, INCOMPLETE, "5 slash-delimited"},
        /* the signature */
        {ALG CRED ", " SH ", Signature=5ec0ecef8f6770acad3ffd137e4b0d0a3ce69e3431ad1a42c5a0a41082"
                            "0b0ea", DATE, INCOMPLETE, "64 lower-case hex digits"},
        {ALG CRED ", " SH ", Signature=5ec0ecef8f6770acad3ffd137e4b0d0a3ce69e3431ad1a42c5a0a41082"
                            "0b0ea7a", DATE, INCOMPLETE, "64 lower-case hex digits"},
        {ALG CRED ", " SH ", Signature=gec0ecef8f6770acad3ffd137e4b0d0a3ce69e3431ad1a42c5a0a41082"
                            "0b0ea7", DATE, INCOMPLETE, "64 lower-case hex digits"},
        {ALG CRED ", " SH ", Signature=5EC0ECEF8F6770ACAD3FFD137E4B0D0A3CE69E3431AD1A42C5A0A41082"
                            "0B0EA7", DATE, INCOMPLETE, "64 lower-case hex digits"},
        /* the credential */
        {ALG "Credential=AKIDEXAMPLE/20261128/us-east-1/mturk-requester, " SH ", " SIG, DATE,
         INCOMPLETE, "exactly 5 slash-delimited elements"},
        {ALG "Credential=AKIDEXAMPLE/20261128/us-east-1/mturk-requester/aws4_request/, " SH
             ", " SIG, DATE, INCOMPLETE, "exactly 5 slash-delimited elements"},
        {ALG "Credential=AKIDEXAMPLE/20261128/us-east-1/mturk-requester/aws4_request/x, " SH
             ", " SIG, DATE, INCOMPLETE, "exactly 5 slash-delimited elements"},
        {ALG "Credential=AKIDEXAMPLE, " SH ", " SIG, DATE, INCOMPLETE, "exactly 5"},
        {ALG "Credential=////, " SH ", " SIG, DATE, INCOMPLETE, "access key id"},
        {ALG "Credential=/20261128/us-east-1/mturk-requester/aws4_request, " SH ", " SIG, DATE,
         INCOMPLETE, "access key id in Credential must have 1 to 128"},
        {ALG "Credential=AKID-X/20261128/us-east-1/mturk-requester/aws4_request, " SH ", " SIG,
         DATE, INCOMPLETE, "may hold only letters, digits and '_'"},
        {ALG "Credential=AKIDEXAMPLE/2026112/us-east-1/mturk-requester/aws4_request, " SH ", " SIG,
         DATE, INCOMPLETE, "Invalid credential date '2026112'"},
        {ALG "Credential=AKIDEXAMPLE/2026112x/us-east-1/mturk-requester/aws4_request, " SH ", " SIG,
         DATE, INCOMPLETE, "must be YYYYMMDD"},
        {ALG "Credential=AKIDEXAMPLE/20261128//mturk-requester/aws4_request, " SH ", " SIG, DATE,
         INVALID, "valid region, not ''"},
        {ALG "Credential=AKIDEXAMPLE/20261128/us#east/mturk-requester/aws4_request, " SH ", " SIG,
         DATE, INVALID, "valid region, not 'us#east'"},
        {ALG "Credential=AKIDEXAMPLE/20261128/us-east-1/execute-api/aws4_request, " SH ", " SIG,
         DATE, INVALID, "scoped to correct service: 'mturk-requester', not 'execute-api'"},
        {ALG "Credential=AKIDEXAMPLE/20261128/us-east-1/mturk-requester-sandbox/aws4_request, " SH
             ", " SIG, DATE, INVALID, "correct service"},
        {ALG "Credential=AKIDEXAMPLE/20261128/us-east-1/mturk-requester/aws4_requesx, " SH ", " SIG,
         DATE, INVALID, "valid terminator: 'aws4_request', not 'aws4_requesx'"},
        {ALG "Credential=AKIDEXAMPLE/20261127/us-east-1/mturk-requester/aws4_request, " SH ", " SIG,
         DATE, INVALID, "'20261127' != '20261128'"},
        /* SignedHeaders */
        {ALG CRED ", SignedHeaders=content-type;x-amz-date;x-amz-target, " SIG, DATE, INVALID,
         "must include host"},
        {ALG CRED ", SignedHeaders=x-amz-date;host, " SIG, DATE, INVALID,
         "sorted and without repeats: 'host' comes after 'x-amz-date'"},
        {ALG CRED ", SignedHeaders=host;host, " SIG, DATE, INVALID, "without repeats"},
        {ALG CRED ", SignedHeaders=host;hos, " SIG, DATE, INVALID, "sorted"},
        {ALG CRED ", SignedHeaders=host;;x-amz-date, " SIG, DATE, INCOMPLETE, "empty header name"},
        {ALG CRED ", SignedHeaders=;host, " SIG, DATE, INCOMPLETE, "empty header name"},
        {ALG CRED ", SignedHeaders=host;, " SIG, DATE, INCOMPLETE, "empty header name"},
        {ALG CRED ", SignedHeaders=;, " SIG, DATE, INCOMPLETE, "empty header name"},
        {ALG CRED ", SignedHeaders=Host;x-amz-date, " SIG, DATE, INCOMPLETE,
         "lower-case header names separated by ';', found 'Host'"},
        {ALG CRED ", SignedHeaders=host;x:y, " SIG, DATE, INCOMPLETE, "found 'x:y'"},
        /* X-Amz-Date */
        {ALG CRED ", " SH ", " SIG, NULL, INVALID, "no X-Amz-Date header"},
        {ALG CRED ", " SH ", " SIG, "", INVALID, "no X-Amz-Date header"},
        {ALG CRED ", " SH ", " SIG, "20261128T094854", INVALID, "not a valid UTC time"},
        {ALG CRED ", " SH ", " SIG, "20261128T094854Z ", INVALID, "not a valid UTC time"},
        {ALG CRED ", " SH ", " SIG, "20261128 094854Z", INVALID, "YYYYMMDDTHHMMSSZ"},
        {ALG CRED ", " SH ", " SIG, "2026-11-28T09:48:54Z", INVALID, "not a valid UTC time"},
        {ALG CRED ", " SH ", " SIG, "Sat, 28 Nov 2026 09:48:54 GMT", INVALID, "not a valid"},
        {ALG CRED ", " SH ", " SIG, "20261128T246000Z", INVALID, "not a valid UTC time"},
        {ALG CRED ", " SH ", " SIG, "20261128T095960Z", INVALID, "not a valid UTC time"},
        {ALG CRED ", " SH ", " SIG, "20261128T-94854Z", INVALID, "not a valid UTC time"},
        {ALG CRED ", " SH ", " SIG, "2026112\xffT094854Z", INVALID, "not a valid UTC time"},
        {ALG "Credential=AKIDEXAMPLE/20261328/us-east-1/mturk-requester/aws4_request, " SH ", " SIG,
         "20261328T094854Z", INVALID, "not a valid UTC time"},
        {ALG "Credential=AKIDEXAMPLE/20261100/us-east-1/mturk-requester/aws4_request, " SH ", " SIG,
         "20261100T094854Z", INVALID, "not a valid UTC time"},
        {ALG "Credential=AKIDEXAMPLE/20270229/us-east-1/mturk-requester/aws4_request, " SH ", " SIG,
         "20270229T000000Z", INVALID, "not a valid UTC time"},
        {ALG "Credential=AKIDEXAMPLE/21000229/us-east-1/mturk-requester/aws4_request, " SH ", " SIG,
         "21000229T000000Z", INVALID, "not a valid UTC time"},
        {ALG CRED ", " SH ", " SIG, "20261129T000000Z", INVALID,
         "Date in Credential scope does not match"},
    };

    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        struct sigv4_auth a, before;
        struct ts_error err = {0};
        int rc;

        memset(&a, 0x5a, sizeof a);
        before = a;
        rc = sigv4_parse(c[i].auth, c[i].date, &a, &err);
        CHECK_REFUSED(rc, err, c[i].kind, c[i].part);
        CHECK(memcmp(&a, &before, sizeof a) == 0); /* untouched on failure */
        if (rc != TS_EAUTH || !err.kind || strcmp(err.kind, c[i].kind) != 0 ||
            !strstr(err.msg, c[i].part))
            fprintf(stderr, "  case %zu: %s\n", i, c[i].auth ? c[i].auth : "(null)");
    }
}

static void test_parse_accepts(void)
{
    static const struct {
        const char *auth, *date;
    } c[] = {
        {ALG CRED ", " SH ", " SIG, DATE},
        {"AWS4-HMAC-SHA256\t" CRED "," SH "," SIG, DATE},          /* tabs, no spaces */
        {"  AWS4-HMAC-SHA256   " CRED " ,  " SH " , " SIG "  ", DATE}, /* extra spaces */
        {ALG SIG ", " CRED ", " SH, DATE},                         /* another order */
        {ALG CRED ", " SH ", " SIG ",", DATE},                     /* trailing comma */
        {ALG "Credential=AKIDEXAMPLE/20261128/sandbox/mturk-requester/aws4_request, " SH ", " SIG,
         DATE},
        {ALG "Credential=AKIDEXAMPLE/20261128/eu-west-3/mturk-requester/aws4_request, " SH ", " SIG,
         DATE},
        {ALG "Credential=AKIDEXAMPLE/20280229/us-east-1/mturk-requester/aws4_request, " SH ", " SIG,
         "20280229T235959Z"},
        {ALG "Credential=AKIDEXAMPLE/20000229/us-east-1/mturk-requester/aws4_request, " SH ", " SIG,
         "20000229T000000Z"},
        {ALG CRED ", SignedHeaders=host, " SIG, DATE},
    };

    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        struct sigv4_auth a;
        struct ts_error err = {0};
        int rc = sigv4_parse(c[i].auth, c[i].date, &a, &err);
        CHECK_EQ_INT(rc, 0);
        if (rc)
            fprintf(stderr, "  case %zu: %s\n", i, err.msg);
    }
}

/* Long, odd and boundary-sized inputs: refused cleanly, never read out of bounds. */
static void test_parse_odd_inputs(void)
{
    struct sigv4_auth a;
    struct ts_error err = {0};
    char *big = xmalloc(20000), key[200], sh[1100];
    size_t n;
    int rc;

    /* a 20 KB header of 'A's, and one of commas */
    memset(big, 'A', 19999);
    big[19999] = '\0';
    CHECK_REFUSED(sigv4_parse(big, DATE, &a, &err), err, INCOMPLETE, "Unsupported");
    n = (size_t)snprintf(big, 20000, "%s", ALG);
    memset(big + n, ',', 19999 - n);
    CHECK_REFUSED(sigv4_parse(big, DATE, &a, &err), err, INCOMPLETE, "expected Name=value");
    n = (size_t)snprintf(big, 20000, "%s%s, %s, Credential=", ALG, SH, SIG);
    memset(big + n, '/', 19999 - n);
    CHECK_REFUSED(sigv4_parse(big, DATE, &a, &err), err, INCOMPLETE, "5 slash-delimited");
    free(big);

    /* an access key id of 128 characters is fine, 129 is not */
    memset(key, 'K', 128);
    snprintf(key + 128, sizeof key - 128, "%s", "");
    {
        char auth[600];
        snprintf(auth, sizeof auth,
                 ALG "Credential=%s/20261128/us-east-1/mturk-requester/aws4_request, " SH ", " SIG,
                 key);
        CHECK_EQ_INT(sigv4_parse(auth, DATE, &a, &err), 0);
        CHECK_EQ_INT(strlen(a.access_key_id), 128);
        snprintf(auth, sizeof auth,
                 ALG "Credential=%sK/20261128/us-east-1/mturk-requester/aws4_request, " SH ", " SIG,
                 key);
        CHECK_REFUSED(sigv4_parse(auth, DATE, &a, &err), err, INCOMPLETE, "1 to 128");
    }

    /* a region of 63 characters is fine, 64 is not */
    {
        char auth[600], region[70];
        memset(region, 'r', 63);
        region[63] = '\0';
        snprintf(auth, sizeof auth,
                 ALG "Credential=AKID/20261128/%s/mturk-requester/aws4_request, " SH ", " SIG,
                 region);
        CHECK_EQ_INT(sigv4_parse(auth, DATE, &a, &err), 0);
        snprintf(auth, sizeof auth,
                 ALG "Credential=AKID/20261128/%sr/mturk-requester/aws4_request, " SH ", " SIG,
                 region);
        CHECK_REFUSED(sigv4_parse(auth, DATE, &a, &err), err, INVALID, "valid region");
    }

    /* SignedHeaders of 1023 characters is fine, 1024 is not */
    {
        char auth[1400];
        memcpy(sh, "host;", 5);
        memset(sh + 5, 'x', 1018);
        sh[1023] = '\0';
        snprintf(auth, sizeof auth, ALG CRED ", SignedHeaders=%s, " SIG, sh);
        rc = sigv4_parse(auth, DATE, &a, &err);
        CHECK_EQ_INT(rc, 0);
        CHECK_EQ_INT(strlen(a.signed_headers), 1023);
        snprintf(auth, sizeof auth, ALG CRED ", SignedHeaders=%sx, " SIG, sh);
        CHECK_REFUSED(sigv4_parse(auth, DATE, &a, &err), err, INCOMPLETE,
                      "at most 1023 are accepted");
    }

    /* every prefix of a good header is refused or accepted without reading past it */
    {
        static const char good[] = ALG CRED ", " SH ", " SIG;
        for (size_t k = 0; k < sizeof good - 1; k++) {
            char *p = xstrndup(good, k);
            rc = sigv4_parse(p, DATE, &a, &err);
            CHECK(rc == TS_EAUTH);
            free(p);
        }
        for (size_t k = 0; k < 16; k++) {
            char *p = xstrndup(DATE, k);
            CHECK_REFUSED(sigv4_parse(good, p, &a, &err), err, INVALID, "X-Amz-Date");
            free(p);
        }
    }
}

/* A signed header list with many names, some missing from the request. */
static void test_verify_odd_inputs(void)
{
    struct req q;
    struct sigv4_auth a;
    struct sigv4_request r;
    struct ts_error err = {0};
    char *long_query = xmalloc(SIGV4_MAX_CANONICAL);

    req_load(&q, sample_27);
    CHECK_EQ_INT(sigv4_parse(req_header(&q, "authorization"), req_header(&q, "x-amz-date"), &a,
                             &err),
                 0);
    r = req_view(&q, "POST", "/", "");
    /* a header value longer than the canonical request may be */
    {
        char *huge = xmalloc(SIGV4_MAX_CANONICAL + 10);
        memset(huge, 'v', SIGV4_MAX_CANONICAL + 9);
        huge[SIGV4_MAX_CANONICAL + 9] = '\0';
        req_set(&q, "x-amz-target", huge);
        CHECK_REFUSED(sigv4_verify(&a, &r, SECRET, MS_20261128T094854Z, &err), err,
                      "InvalidSignatureException", "too long to verify");
        free(huge);
        req_set(&q, "x-amz-target", "MTurkRequesterServiceV20170117.GetAccountBalance");
        CHECK_EQ_INT(sigv4_verify(&a, &r, SECRET, MS_20261128T094854Z, &err), 0);
    }
    /* a query string over the limit */
    memset(long_query, 'q', SIGV4_MAX_CANONICAL - 1);
    long_query[SIGV4_MAX_CANONICAL - 1] = '\0';
    r.query = long_query;
    CHECK_REFUSED(sigv4_verify(&a, &r, SECRET, MS_20261128T094854Z, &err), err,
                  "InvalidSignatureException", "query string is too long");
    /* a long query of many empty and odd parameters is fine under the limit */
    memset(long_query, '&', 20000);
    memcpy(long_query + 20000, "%%%=%", 6);
    r.query = long_query;
    CHECK_REFUSED(sigv4_verify(&a, &r, SECRET, MS_20261128T094854Z, &err), err,
                  "InvalidSignatureException", MISMATCH);
    free(long_query);
    req_release(&q);
}

/* The MTurk door verifies the signature over the path and query it was given (the raw
 * request line), not over a fixed "/": the captures were signed for "/" with no query, so
 * any other path or query fails, while the spellings of "no query" and "/" pass. It hands
 * the executor the signature to remember for the replay check. */
static void test_door_path_and_query(void)
{
    static const struct {
        const char *path, *query;
        int ok;
    } cases[] = {
        {"/", NULL, 1},    {"/", "", 1},       {"", NULL, 1},      {"/", "a=1", 0},
        {"/", "a", 0},     {"/", "&", 1},      {"/x", NULL, 0},    {"//", NULL, 0},
        {"/%2F", NULL, 0}, {"/?", NULL, 0},    {"/", "X-Amz-Date=1", 0},
    };
    const char *const raws[] = {sample_1, sample_25};

    for (size_t k = 0; k < 2; k++) {
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            struct req q;
            struct exec_job job;
            struct door_reply reply = {0};
            struct sigv4_auth a;
            struct ts_error err = {0};
            int rc;

            req_load(&q, raws[k]);
            CHECK_EQ_INT(sigv4_parse(req_header(&q, "authorization"),
                                     req_header(&q, "x-amz-date"), &a, &err),
                         0);
            rc = door_mturk_prepare(req_header, &q, cases[i].path, cases[i].query, q.body,
                                    q.body_len, &job, &reply);
            CHECK_EQ_INT(rc, 0);
            if (rc) {
                free(reply.body);
                req_release(&q);
                continue;
            }
            CHECK_EQ_STR(job.signature, a.signature);
            CHECK_EQ_INT(job.signed_ms, a.amz_ms);
            rc = job.verify(job.verify_ctx, SECRET, a.amz_ms, &err);
            if (cases[i].ok) {
                CHECK_EQ_INT(rc, 0);
            } else {
                CHECK_REFUSED(rc, err, "InvalidSignatureException", MISMATCH);
            }
            if ((rc == 0) != cases[i].ok)
                fprintf(stderr, "  sample %zu, path \"%s\", query \"%s\": %s\n", k,
                        cases[i].path, cases[i].query ? cases[i].query : "(none)", err.msg);
            door_mturk_release(&job);
            json_decref(job.in);
            req_release(&q);
        }
    }
}

/* The canonical request's second and third lines are the path and query as received,
 * encoded as AWS does: what a client signs for "/?a=1" is not what it signs for "/". */
static void test_canonical_path_and_query_lines(void)
{
    static const struct {
        const char *path, *query, *lines;
    } cases[] = {
        {"/", NULL, "POST\n/\n\n"},
        {"/", "", "POST\n/\n\n"},
        {"/", "a=1", "POST\n/\na=1\n"},
        {"/", "b=2&a=1", "POST\n/\na=1&b=2\n"},
        {"/", "a", "POST\n/\na=\n"},
        {"/x/../y", "a=%7e", "POST\n/x/../y\na=~\n"},
        {"/a b", "q=a b", "POST\n/a%20b\nq=a%20b\n"},
        {"/%2F", NULL, "POST\n/%252F\n\n"},
    };
    struct req q;
    struct sigv4_auth a;
    struct ts_error err = {0};

    req_load(&q, sample_25);
    CHECK_EQ_INT(sigv4_parse(req_header(&q, "authorization"), req_header(&q, "x-amz-date"),
                             &a, &err),
                 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct buf b = BUF_INIT(SIGV4_MAX_CANONICAL);
        struct sigv4_request r = req_view(&q, "POST", cases[i].path, cases[i].query);
        CHECK_EQ_INT(sigv4_canonical_request(&a, &r, &b, &err), 0);
        CHECK(starts_with(b.p, cases[i].lines));
        if (!starts_with(b.p, cases[i].lines))
            fprintf(stderr, "  case %zu: canonical request starts \"%.40s\"\n", i, b.p);
        buf_release(&b);
    }
    req_release(&q);
}

CHECK_MAIN(test_samples_valid, test_parse_fields, test_canonical_createhit, test_wrong_secret,
           test_tampered_body, test_signed_header_changed, test_signed_header_missing,
           test_clock, test_content_sha256, test_security_token, test_whitespace_collapsed,
           test_path_and_query, test_aws_suite, test_parse_refusals, test_parse_accepts,
           test_parse_odd_inputs, test_verify_odd_inputs, test_door_path_and_query,
           test_canonical_path_and_query_lines)
