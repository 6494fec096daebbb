/* fuzz_route.c: fuzzes what the HTTP layer does with a request before the executor sees
 * it: the routing table (http_route, http_submit_link) and the door that the route names,
 * fed the request's headers and body (door_native_prepare, door_mturk_prepare with its
 * SigV4 parse and signed-header copy, and the form door's prepare functions).
 *
 * The input is a request as text: "METHOD TARGET" on the first line (TARGET is the path,
 * optionally "?query"), then "Name: value" header lines up to an empty line, then the
 * body. Invariants: the route's capability is 1..CAP_SUBMIT_MAX-1 bytes without '/'; its
 * argument points into the path; every door either refuses with a 4xx reply and a body,
 * or prepares a job with an operation and a JSON object that holds what the route gave
 * it. A violation aborts, which the fuzzer and replay.c report. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/door.h"
#include "api/door_form.h"
#include "api/door_mturk.h"
#include "api/sigv4.h"
#include "http/route.h"
#include "util/alloc.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_HEADERS 32

struct request {
    char *method, *url, *query;
    size_t nh;
    char *names[FUZZ_MAX_HEADERS], *values[FUZZ_MAX_HEADERS];
    const char *body;
    size_t body_len;
};

/* As libmicrohttpd looks a header up: by name, case-insensitively; the first one wins. */
static const char *header(void *ctx, const char *name)
{
    const struct request *q = ctx;
    for (size_t i = 0; i < q->nh; i++)
        if (strcasecmp(q->names[i], name) == 0)
            return q->values[i];
    return NULL;
}

/* Splits s (NUL-terminated, size bytes, writable) into q, in place. */
static void split(char *s, size_t size, struct request *q)
{
    char *end = s + size, *line = s, *nl = memchr(s, '\n', size);
    char *sp;

    memset(q, 0, sizeof *q);
    if (nl)
        *nl = '\0';
    sp = strchr(line, ' ');
    q->method = line;
    q->url = sp ? (*sp = '\0', sp + 1) : line + strlen(line);
    q->query = strchr(q->url, '?');
    if (q->query)
        *q->query++ = '\0';
    line = nl ? nl + 1 : end;
    while (line < end) {
        char *colon;
        nl = memchr(line, '\n', (size_t)(end - line));
        if (nl)
            *nl = '\0';
        if (*line == '\0' || (line[0] == '\r' && line[1] == '\0')) {
            line = nl ? nl + 1 : end;
            break;
        }
        colon = strchr(line, ':');
        if (colon && q->nh < FUZZ_MAX_HEADERS) {
            *colon = '\0';
            q->names[q->nh] = line;
            q->values[q->nh] = colon + 1 + strspn(colon + 1, " \t");
            q->nh++;
        }
        line = nl ? nl + 1 : end;
    }
    q->body = line < end ? line : end;
    q->body_len = (size_t)(end - q->body);
}

static void free_reply(struct door_reply *r)
{
    free(r->body);
    for (size_t i = 0; i < r->n_headers; i++)
        free(r->headers[i].value);
    memset(r, 0, sizeof *r);
}

static void check_route(const struct request *q, const struct http_route *rt)
{
    char cap[CAP_SUBMIT_MAX];
    size_t n = strlen(rt->cap);

    if (rt->has_cap && (n == 0 || n >= CAP_SUBMIT_MAX || strchr(rt->cap, '/')))
        abort();
    if (rt->arg && (rt->arg < q->url || rt->arg > q->url + strlen(q->url)))
        abort();
    if ((rt->kind == ROUTE_PREVIEW || rt->kind == ROUTE_UPLOAD) && rt->method_ok &&
        (!rt->arg || !*rt->arg || strlen(rt->arg) > 64 || strchr(rt->arg, '/')))
        abort();
    /* The door is the one its kind lives behind (route.h). */
    switch (rt->kind) {
    case ROUTE_NATIVE:
    case ROUTE_HEALTHZ:
        if (rt->door != HTTP_DOOR_NATIVE)
            abort();
        break;
    case ROUTE_MTURK:
        if (rt->door != HTTP_DOOR_MTURK)
            abort();
        break;
    case ROUTE_SUBMIT:
        if (rt->door != HTTP_DOOR_FORM_POST)
            abort();
        break;
    case ROUTE_NOT_FOUND:
        break;
    default:
        if (rt->door != HTTP_DOOR_FORM_POST && rt->door != HTTP_DOOR_PAGE)
            abort();
        break;
    }
    /* The early check sees the submit links the routing table sees; one it takes for a
     * link that the table does not (a capability cut to fit) is refused before the body. */
    if (rt->kind == ROUTE_SUBMIT && rt->has_cap) {
        if (!http_submit_link(q->url, cap) || strcmp(cap, rt->cap) != 0)
            abort();
    } else if (http_submit_link(q->url, cap)) {
        struct door_reply r = {0};
        if (door_form_submit_early(cap, NULL, "POST", &r) == 0)
            abort();
        free_reply(&r);
    }
}

/* A refusal has a 4xx status and a body; a prepared job an operation and an object. */
static void check_outcome(int rc, struct exec_job *job, struct door_reply *r, const char *member)
{
    if (rc) {
        if (r->status < 400 || r->status > 499 || !r->body || r->len != strlen(r->body) ||
            job->in)
            abort();
    } else {
        if (!job->op || !json_is_object(job->in) || r->body)
            abort();
        if (member && !json_is_string(json_object_get(job->in, member)))
            abort();
    }
    free_reply(r);
}

static void mturk(struct request *q)
{
    struct exec_job job;
    struct door_reply r = {0};
    int rc = door_mturk_prepare(header, q, q->url, q->query, q->body, q->body_len, &job, &r);

    check_outcome(rc, &job, &r, NULL);
    if (rc == 0) {
        /* The executor's check, over the headers the door copied. */
        struct sigv4_auth a;
        struct ts_error err = {0};
        if (!job.verify || !job.access_key_id ||
            sigv4_parse(header(q, "authorization"), header(q, "x-amz-date"), &a, &err))
            abort();
        rc = job.verify(job.verify_ctx, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", a.amz_ms,
                        &err);
        if (rc && (rc != TS_EAUTH || !err.msg[0]))
            abort();
    }
    door_mturk_release(&job);
    json_decref(job.in);
}

static void dispatch(struct request *q, const struct http_route *rt)
{
    struct exec_job job;
    struct door_reply r = {0};
    const char *ctype = header(q, "content-type"), *auth = header(q, "authorization");
    int rc;

    switch (rt->kind) {
    case ROUTE_NATIVE:
        if (!rt->method_ok)
            return;
        rc = door_native_prepare(rt->arg, auth, q->body, q->body_len, &job, &r);
        check_outcome(rc, &job, &r, NULL);
        break;
    case ROUTE_MTURK:
        mturk(q);
        return;
    case ROUTE_SUBMIT:
        rc = door_form_submit_early(rt->has_cap ? rt->cap : NULL, auth, q->method, &r);
        if (rc ? r.status < 400 || r.status > 499 || !r.body : r.body != NULL)
            abort();
        free_reply(&r);
        rc = door_form_submit_prepare(rt->has_cap ? rt->cap : NULL, auth, q->method, q->query,
                                      ctype, q->body, q->body_len, 0, &job, &r);
        check_outcome(rc, &job, &r, rt->has_cap ? "Capability" : NULL);
        break;
    case ROUTE_TASK:
        if (!rt->method_ok)
            return;
        rc = door_form_page_prepare(rt->cap, q->query, &job, &r);
        check_outcome(rc, &job, &r, "Capability");
        break;
    case ROUTE_TEST:
        rc = door_form_qtest_prepare(rt->cap, rt->submit, q->method, ctype, q->body,
                                     q->body_len, 0, &job, &r);
        check_outcome(rc, &job, &r, "Capability");
        break;
    case ROUTE_PREVIEW:
        if (!rt->method_ok)
            return;
        rc = door_form_preview_prepare(rt->arg, q->query, &job, &r);
        check_outcome(rc, &job, &r, "HITId");
        break;
    case ROUTE_UPLOAD:
        if (!rt->method_ok)
            return;
        rc = door_form_download_prepare(rt->arg, q->query, &job, &r);
        check_outcome(rc, &job, &r, "Key");
        break;
    default:
        return;
    }
    json_decref(job.in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = xmalloc(st_add(size, 1));
    struct request q;
    struct http_route rt;

    memcpy(s, data, size);
    s[size] = '\0';
    split(s, size, &q);
    http_route(q.url, q.method, &rt);
    check_route(&q, &rt);
    dispatch(&q, &rt);
    free(s);
    return 0;
}
