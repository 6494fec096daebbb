/* route.c: the routing table of the HTTP layer, as a pure function of the path and the
 * method (see route.h). */
#include "route.h"
#include <string.h>
#include "../util/banned.h"

/* rest = "<cap><tail>": the capability into cap, and *tail ("" or "/…"). -1 when the
 * capability part is empty or too long. */
static int split_link(const char *rest, char cap[CAP_SUBMIT_MAX], const char **tail)
{
    const char *slash = strchr(rest, '/');
    size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
    *tail = slash ? slash : "";
    if (n == 0 || n >= CAP_SUBMIT_MAX)
        return -1;
    memcpy(cap, rest, n);
    cap[n] = '\0';
    return 0;
}

/* /w/<cap>, /w/<cap>/task and /w/<cap>/mturk/externalSubmit. */
static void worker_link(const char *rest, const char *method, struct http_route *out)
{
    const char *tail;
    if (split_link(rest, out->cap, &tail)) {
        out->kind = ROUTE_BAD_TASK_LINK;
        out->submit = strcmp(tail, "/mturk/externalSubmit") == 0;
        return;
    }
    out->has_cap = 1;
    if (strcmp(tail, "/mturk/externalSubmit") == 0) {
        out->kind = ROUTE_SUBMIT;
        out->method_ok = 1; /* the form door answers for the method */
    } else if (strcmp(tail, "") != 0 && strcmp(tail, "/") != 0 && strcmp(tail, "/task") != 0) {
        out->kind = ROUTE_NO_TASK_PAGE;
    } else {
        out->kind = ROUTE_TASK;
        out->method_ok = strcmp(method, "GET") == 0;
    }
}

/* /q/<cap> (a running qualification test's page) and /q/<cap>/submit. */
static void test_link(const char *rest, struct http_route *out)
{
    const char *tail;
    int bad = split_link(rest, out->cap, &tail), submit = strcmp(tail, "/submit") == 0;
    if (bad || (!submit && strcmp(tail, "") != 0 && strcmp(tail, "/") != 0)) {
        out->kind = bad ? ROUTE_BAD_TEST_LINK : ROUTE_NO_TEST_PAGE;
        out->submit = submit;
        out->cap[0] = '\0';
        return;
    }
    out->kind = ROUTE_TEST;
    out->has_cap = 1;
    out->submit = submit;
    out->method_ok = 1; /* the form door answers for the method */
}

static void public_get(enum http_route_kind kind, const char *id, const char *method,
                       struct http_route *out)
{
    out->kind = kind;
    out->method_ok = strcmp(method, "GET") == 0;
    if (out->method_ok && (!*id || strlen(id) > 64 || strchr(id, '/')))
        out->kind = ROUTE_NO_PUBLIC_PAGE;
    else
        out->arg = id;
}

static enum http_door door_of(const char *url)
{
    char cap[CAP_SUBMIT_MAX];
    if (strcmp(url, "/") == 0)
        return HTTP_DOOR_MTURK;
    if (strcmp(url, "/mturk/externalSubmit") == 0 || http_submit_link(url, cap))
        return HTTP_DOOR_FORM_POST;
    if (strncmp(url, "/w/", 3) == 0 || strncmp(url, "/q/", 3) == 0 ||
        strncmp(url, "/mturk/", 7) == 0 || strncmp(url, "/preview/", 9) == 0)
        return HTTP_DOOR_PAGE;
    return HTTP_DOOR_NATIVE;
}

void http_route(const char *url, const char *method, struct http_route *out)
{
    static const char prefix[] = "/api/v1/";
    memset(out, 0, sizeof *out);
    out->kind = ROUTE_NOT_FOUND;
    out->door = door_of(url);
    if (strcmp(url, "/mturk/externalSubmit") == 0) {
        out->kind = ROUTE_SUBMIT;
        out->method_ok = 1;
    } else if (strncmp(url, "/w/", 3) == 0) {
        worker_link(url + 3, method, out);
    } else if (strncmp(url, "/q/", 3) == 0) {
        test_link(url + 3, out);
    } else if (strncmp(url, "/preview/", 9) == 0) {
        public_get(ROUTE_PREVIEW, url + 9, method, out);
    } else if (strncmp(url, "/mturk/upload/", 14) == 0) {
        public_get(ROUTE_UPLOAD, url + 14, method, out);
    } else if (strcmp(url, "/healthz") == 0) {
        out->kind = ROUTE_HEALTHZ;
        out->method_ok = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    } else if (strcmp(url, "/") == 0 && strcmp(method, "POST") == 0) {
        out->kind = ROUTE_MTURK;
        out->method_ok = 1;
    } else if (strncmp(url, prefix, sizeof prefix - 1) == 0) {
        out->kind = ROUTE_NATIVE;
        out->method_ok = strcmp(method, "POST") == 0;
        out->arg = url + sizeof prefix - 1;
    }
}

int http_submit_link(const char *url, char cap[CAP_SUBMIT_MAX])
{
    static const char tail[] = "/mturk/externalSubmit";
    size_t n = strlen(url), t = sizeof tail - 1;
    if (strncmp(url, "/w/", 3) != 0 || n < 3 + t || strcmp(url + n - t, tail) != 0)
        return 0;
    n -= 3 + t;
    if (n >= CAP_SUBMIT_MAX)
        n = CAP_SUBMIT_MAX - 1;
    memcpy(cap, url + 3, n);
    cap[n] = '\0';
    return 1;
}
