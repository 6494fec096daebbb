/* server.c: the HTTP listener on libmicrohttpd. One epoll thread reads requests into
 * bounded buffers; a write is handed to the executor and its connection suspended until
 * the executor resumes it with the durable outcome, so the network thread never waits
 * on the disk. Answers go out on a later handler call than the first, which keeps
 * connections alive (libmicrohttpd closes them otherwise); only refusals from the
 * headers alone go out on the first. One client address holds at most
 * http_limits.per_address connections, and a connection that does not finish its
 * headers in time is shut down (watch.c). */
#include "server.h"
#include "route.h"
#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../api/door.h"
#include "../api/door_mturk.h"
#include "../api/door_form.h"
#include "../core/cap.h"
#include "../core/secrets.h"
#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/log.h"
#include "../util/parse.h"
#include "watch.h"
#include "../util/banned.h"

/* The request bodies held at once, over every connection: beyond this a request gets
 * 503 rather than more memory (each one is also held to its own limit). */
#define BODY_BUDGET ((size_t)256 << 20)

struct http_server {
    struct MHD_Daemon *d;
    struct exec *x;
    pthread_mutex_t mu;
    int stopping;
    unsigned port;
    size_t body_bytes; /* bytes of request bodies held now (the network thread's) */
    struct watch *watch; /* the header deadline, or NULL */
};

struct req;

/* One door of the HTTP layer (route.h, enum http_door): how a request that came through
 * it is held, handed to the executor and answered. The handler picks the row once, from
 * http_route on its first call, keeps it in the request, and asks it for everything after.
 * Each door's replies set their own Content-Type; type is for those that name none. */
struct door {
    const char *name;
    const char *type;
    size_t (*body_max)(void); /* the request's body limit */
    /* A refusal of the HTTP layer itself (413, 503, 405, 404) in this door's shape; code
     * is the error code where the shape carries one. */
    void (*refuse)(unsigned status, const char *code, const char *msg, struct door_reply *r);
    const char *too_large_code; /* the code of its 413 */
    /* The door whose shape answers 503 when the body budget is spent: NULL for this one. */
    const struct door *busy_as;
    /* What the headers alone refuse, before any body (0: read the body), or NULL. */
    int (*early)(struct req *q, const char *url, const char *method, struct door_reply *r);
    /* Acts on the route once the body is in: queues the job or answers. */
    enum MHD_Result (*prepare)(struct req *q, const struct http_route *rt, const char *method);
    /* The reply for a job the executor has run (takes job->out). */
    void (*reply)(struct exec_job *job, struct door_reply *r);
    /* Frees what prepare attached to the job, or NULL. */
    void (*release)(struct exec_job *job);
};

struct req {
    struct http_server *srv;
    struct MHD_Connection *conn;
    char *query;  /* the raw query string (after '?'), or NULL */
    char *path;   /* the raw path (before '?'), still percent-encoded */
    int started;  /* the handler has seen the request's headers */
    struct buf body;
    int toobig;
    int busy;     /* the body would have gone over BODY_BUDGET */
    const struct door *door; /* which door answers it (NULL until the headers are in) */
    struct http_route rt;    /* the route, taken with the headers; rt.arg is re-pointed
                              * into each call's url (arg_at bytes in) */
    size_t arg_at;
    int queued;   /* handed to the executor */
    int finished; /* the executor is done: job holds the outcome */
    struct exec_job job;
};

static enum MHD_Result send_reply(struct MHD_Connection *conn, struct door_reply *r,
                                  const char *type)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE);
    enum MHD_Result ret;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            r->content_type ? r->content_type : type);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    for (size_t i = 0; i < r->n_headers; i++) {
        MHD_add_response_header(resp, r->headers[i].name, r->headers[i].value);
        free(r->headers[i].value);
    }
    r->n_headers = 0;
    if (r->request_id) {
        char id[37];
        secrets_uuid(id);
        MHD_add_response_header(resp, "x-amzn-RequestId", id);
    }
    ret = MHD_queue_response(conn, r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Sends r, which door d rendered. */
static enum MHD_Result answer(struct req *q, const struct door *d, struct door_reply *r)
{
    return send_reply(q->conn, r, d->type);
}

/* A refusal of the HTTP layer in door d's shape. */
static enum MHD_Result refuse(struct req *q, const struct door *d, unsigned status,
                              const char *code, const char *msg)
{
    struct door_reply r = {0};
    d->refuse(status, code, msg, &r);
    return answer(q, d, &r);
}

static void job_done(struct exec_job *job)
{
    struct req *q = job->arg;
    q->finished = 1;
    MHD_resume_connection(q->conn);
}

static const char *mhd_header(void *ctx, const char *lower_name)
{
    return MHD_lookup_connection_value(ctx, MHD_HEADER_KIND, lower_name);
}

static const char *req_header(struct req *q, const char *name)
{
    return MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, name);
}

/* The peer's IP address as text, for the login limits; "" if unknown. */
static void client_address(struct MHD_Connection *conn, char *out, size_t cap)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    out[0] = '\0';
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)cap);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  (socklen_t)cap);
}

static const struct door door_native;

/* Hands q's prepared job to the executor, suspending the connection until it is done. */
static enum MHD_Result queue(struct req *q)
{
    q->job.done = job_done;
    q->job.arg = q;
    pthread_mutex_lock(&q->srv->mu);
    if (q->srv->stopping) {
        pthread_mutex_unlock(&q->srv->mu);
        return refuse(q, &door_native, 503, "ServiceUnavailable",
                      "the server is shutting down");
    }
    client_address(q->conn, q->job.client, sizeof q->job.client);
    q->queued = 1;
    MHD_suspend_connection(q->conn);
    exec_submit(q->srv->x, &q->job);
    pthread_mutex_unlock(&q->srv->mu);
    return MHD_YES;
}

/* The body is over the door's limit (declared, or once read): 413 in the door's shape. */
static enum MHD_Result too_large(struct req *q)
{
    char msg[96];
    snprintf(msg, sizeof msg, "the request body is larger than %zu bytes", q->body.max);
    return refuse(q, q->door, 413, q->door->too_large_code, msg);
}

/* An address that no route takes: JSON whichever door it came through. */
static enum MHD_Result not_found(struct req *q)
{
    return refuse(q, &door_native, 404, "NotFound",
                  "no such page; operations live under /api/v1/");
}

static size_t api_body_max(void)
{
    return DOOR_MAX_BODY;
}

/* ---- the native door: POST /api/v1/<Operation>, and /healthz ---- */

static void native_refuse(unsigned status, const char *code, const char *msg,
                          struct door_reply *r)
{
    door_error(status, code, msg, r);
}

static enum MHD_Result healthz(struct req *q)
{
    struct door_reply r = {0};
    r.status = 200;
    r.body = xstrdup("{\"status\":\"ok\"}");
    r.len = 15;
    return answer(q, &door_native, &r);
}

static enum MHD_Result native_prepare(struct req *q, const struct http_route *rt,
                                      const char *method)
{
    struct door_reply r = {0};
    (void)method;
    if (rt->kind == ROUTE_HEALTHZ) {
        if (!rt->method_ok)
            return refuse(q, q->door, 405, "MethodNotAllowed", "use GET /healthz");
        return healthz(q);
    }
    if (rt->kind != ROUTE_NATIVE)
        return not_found(q);
    if (!rt->method_ok)
        return refuse(q, q->door, 405, "MethodNotAllowed",
                      "operations are called with POST /api/v1/<Operation>");
    if (q->toobig)
        return too_large(q);
    if (door_native_prepare(rt->arg, req_header(q, MHD_HTTP_HEADER_AUTHORIZATION), q->body.p,
                            q->body.len, &q->job, &r))
        return answer(q, q->door, &r);
    return queue(q);
}

static const struct door door_native = {
    "native", "application/json", api_body_max, native_refuse, "RequestTooLarge", NULL, NULL,
    native_prepare, door_native_reply, NULL,
};

/* ---- the MTurk door: POST / with X-Amz-Target and SigV4 ---- */

static void mturk_refuse(unsigned status, const char *code, const char *msg,
                         struct door_reply *r)
{
    door_mturk_error(status, code, NULL, msg, r);
}

static enum MHD_Result mturk_prepare(struct req *q, const struct http_route *rt,
                                     const char *method)
{
    struct door_reply r = {0};
    (void)method;
    if (rt->kind != ROUTE_MTURK)
        return not_found(q);
    if (q->toobig)
        return too_large(q);
    if (door_mturk_prepare(mhd_header, q->conn, q->path, q->query, q->body.p, q->body.len,
                           &q->job, &r))
        return answer(q, q->door, &r);
    return queue(q);
}

static const struct door door_mturk = {
    "mturk", "application/x-amz-json-1.1", api_body_max, mturk_refuse,
    "RequestEntityTooLargeException", NULL, NULL, mturk_prepare, door_mturk_reply,
    door_mturk_release,
};

/* ---- the browser's doors: task and test links, public pages, form posts ---- */

static void form_refuse(unsigned status, const char *code, const char *msg,
                        struct door_reply *r)
{
    (void)code;
    door_form_error(status, msg, r);
}

/* The submit addresses refuse what they can from the headers alone, before the body. */
static int form_early(struct req *q, const char *url, const char *method, struct door_reply *r)
{
    char cap[CAP_SUBMIT_MAX];
    int link = http_submit_link(url, cap);
    return door_form_submit_early(link ? cap : NULL,
                                  req_header(q, MHD_HTTP_HEADER_AUTHORIZATION), method, r);
}

/* A form submitted to /mturk/externalSubmit (cap NULL: the bearer token says who) or to
 * /w/<cap>/mturk/externalSubmit. */
static int form_submit(struct req *q, const char *cap, const char *method, struct door_reply *r)
{
    return door_form_submit_prepare(cap, req_header(q, MHD_HTTP_HEADER_AUTHORIZATION), method,
                                    q->query, req_header(q, MHD_HTTP_HEADER_CONTENT_TYPE),
                                    q->body.p, q->body.len, q->toobig, &q->job, r);
}

/* The route's page or form, prepared: 0 with the job ready, else r filled. A task or test
 * link that is not shaped as one is answered as a forged link is (403, the same page), so
 * its shape tells nothing more than a wrong MAC does. */
static int form_job(struct req *q, const struct http_route *rt, const char *method,
                    struct door_reply *r)
{
    switch (rt->kind) {
    case ROUTE_SUBMIT:
        return form_submit(q, rt->has_cap ? rt->cap : NULL, method, r);
    case ROUTE_TASK:
        if (!rt->method_ok)
            break;
        return door_form_page_prepare(rt->cap, q->query, &q->job, r);
    case ROUTE_BAD_TASK_LINK:
        door_form_bad_link(rt->submit ? DOOR_LINK_TASK_SUBMIT : DOOR_LINK_TASK_PAGE, r);
        return -1;
    case ROUTE_NO_TASK_PAGE:
        door_form_error(404, "no such page under a task link", r);
        return -1;
    case ROUTE_TEST:
        return door_form_qtest_prepare(rt->cap, rt->submit, method,
                                       req_header(q, MHD_HTTP_HEADER_CONTENT_TYPE), q->body.p,
                                       q->body.len, q->toobig, &q->job, r);
    case ROUTE_BAD_TEST_LINK:
        door_form_bad_link(rt->submit ? DOOR_LINK_TEST_SUBMIT : DOOR_LINK_TEST_PAGE, r);
        return -1;
    case ROUTE_NO_TEST_PAGE:
        door_form_error(404, "no such page under a test link", r);
        return -1;
    case ROUTE_PREVIEW:
    case ROUTE_UPLOAD:
        if (!rt->method_ok)
            break;
        if (rt->kind == ROUTE_PREVIEW)
            return door_form_preview_prepare(rt->arg, q->query, &q->job, r);
        return door_form_download_prepare(rt->arg, q->query, &q->job, r);
    case ROUTE_NO_PUBLIC_PAGE:
        door_form_error(404, "no such page", r);
        return -1;
    default:
        TS_BUG("a route the browser's doors do not take");
    }
    door_form_error(405, rt->kind == ROUTE_TASK ? "the task page is read with GET"
                                                : "this page is read with GET",
                    r);
    return -1;
}

static enum MHD_Result form_prepare(struct req *q, const struct http_route *rt,
                                    const char *method)
{
    struct door_reply r = {0};
    if (rt->kind == ROUTE_NOT_FOUND)
        return not_found(q);
    if (form_job(q, rt, method, &r))
        return answer(q, q->door, &r);
    return queue(q);
}

static size_t form_body_max(void)
{
    return door_form_max_body();
}

/* Only the two submit addresses take a form with files, larger than an API call. */
static const struct door door_form_post = {
    "form post", "text/html; charset=utf-8", form_body_max, form_refuse, NULL, NULL,
    form_early, form_prepare, door_form_reply, NULL,
};

/* The pages' 503 for want of memory is JSON, as it has always been. */
static const struct door door_page = {
    "page", "text/html; charset=utf-8", api_body_max, form_refuse, NULL, &door_native, NULL,
    form_prepare, door_form_reply, NULL,
};

static const struct door *const doors[] = {
    [HTTP_DOOR_NATIVE] = &door_native,
    [HTTP_DOOR_MTURK] = &door_mturk,
    [HTTP_DOOR_FORM_POST] = &door_form_post,
    [HTTP_DOOR_PAGE] = &door_page,
};

/* The request could not be held: too many bodies are in memory at once. */
static enum MHD_Result busy(struct req *q)
{
    return refuse(q, q->door->busy_as ? q->door->busy_as : q->door, 503, "ServiceUnavailable",
                  "the server holds too many request bodies at once; retry soon");
}

/* Whether the request declares a Content-Length over max (one too large to parse is). */
static int declared_over(struct MHD_Connection *conn, size_t max)
{
    const char *v =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    int64_t n;
    if (!v)
        return 0;
    if (parse_i64(v, strlen(v), 0, INT64_MAX, &n))
        return 1; /* libmicrohttpd took it as a number: it is a huge one */
    return (uint64_t)n > (uint64_t)max;
}

/* The connection's entry in the header deadline (NULL without one). */
static struct watch_conn *conn_watch(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *i =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return i ? i->socket_context : NULL;
}

/* The headers are in: routes the request, which picks its door for good, and refuses
 * what the headers alone refuse. A body over the door's limit declared by Content-Length
 * is refused here, on the handler's first call, so libmicrohttpd sends no 100 Continue
 * and closes the connection after the answer rather than read the body. */
static enum MHD_Result headers_in(struct req *q, const char *url, const char *method)
{
    struct door_reply r = {0};
    q->started = 1;
    watch_headers_done(q->srv->watch, conn_watch(q->conn));
    http_route(url, method, &q->rt);
    q->arg_at = q->rt.arg ? (size_t)(q->rt.arg - url) : 0;
    q->door = doors[q->rt.door];
    buf_init(&q->body, q->door->body_max());
    if (declared_over(q->conn, q->body.max))
        return too_large(q);
    if (q->door->early && q->door->early(q, url, method, &r))
        return answer(q, q->door, &r);
    return MHD_YES;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url,
                               const char *method, const char *version,
                               const char *upload_data, size_t *upload_data_size,
                               void **con_cls)
{
    struct req *q = *con_cls;
    (void)version;
    (void)cls;
    if (!q->started) {
        q->conn = conn;
        return headers_in(q, url, method);
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (q->toobig || q->busy)
            return MHD_YES;
        if (q->srv->body_bytes + n > BODY_BUDGET) {
            q->busy = 1;
            q->srv->body_bytes -= q->body.len;
            buf_release(&q->body);
            return MHD_YES;
        }
        if (buf_append(&q->body, upload_data, n)) {
            /* Over this request's limit: it will be refused, so hold none of it. */
            q->toobig = 1;
            q->srv->body_bytes -= q->body.len;
            buf_release(&q->body);
            return MHD_YES;
        }
        q->srv->body_bytes += n;
        return MHD_YES;
    }
    if (q->finished) {
        struct door_reply r = {0};
        q->door->reply(&q->job, &r);
        return answer(q, q->door, &r);
    }
    if (q->queued)
        return MHD_YES; /* spurious call while suspended */
    if (q->busy)
        return busy(q);
    {
        struct http_route rt = q->rt;
        if (rt.arg)
            rt.arg = url + q->arg_at;
        return q->door->prepare(q, &rt, method);
    }
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    struct req *q = *con_cls;
    struct http_server *s = cls;
    (void)toe;
    watch_idle(s->watch, conn_watch(conn)); /* the next request's headers are due */
    if (!q)
        return;
    q->srv->body_bytes -= q->body.len;
    buf_release(&q->body);
    free(q->query);
    free(q->path);
    if (q->door && q->door->release)
        q->door->release(&q->job);
    json_decref(q->job.in);
    json_decref(q->job.out);
    free(q);
    *con_cls = NULL;
}

/* A connection opened or closed: it enters and leaves the header deadline. */
static void conn_event(void *cls, struct MHD_Connection *conn, void **socket_context,
                       enum MHD_ConnectionNotificationCode toe)
{
    struct http_server *s = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *i =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = i ? watch_add(s->watch, i->connect_fd) : NULL;
    } else {
        watch_remove(s->watch, *socket_context);
        *socket_context = NULL;
    }
}

/* Called with the raw request target before libmicrohttpd decodes it: keeps the path
 * and query string as sent (a form's '+' and %2B differ; SigV4 signs both raw), and
 * makes the request's state, which completed() frees (libmicrohttpd calls it for every
 * request this saw). */
static void *uri_seen(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct req *q = xcalloc(1, sizeof *q);
    const char *qm = strchr(uri, '?');
    q->srv = cls;
    q->conn = conn;
    if (qm)
        q->query = xstrdup(qm + 1);
    q->path = xstrndup(uri, qm ? (size_t)(qm - uri) : strlen(uri));
    return q;
}

static int parse_listen(const char *listen, struct sockaddr_in *sa, struct ts_error *err)
{
    const char *colon = strrchr(listen, ':');
    char host[64];
    int64_t port;
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    if (!colon || (size_t)(colon - listen) >= sizeof host ||
        parse_i64(colon + 1, strlen(colon + 1), 0, 65535, &port))
        return ts_fail(err, TS_EINVAL, "--listen must be HOST:PORT, e.g. 127.0.0.1:8080");
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof host, "127.0.0.1");
    if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
        return ts_fail(err, TS_EINVAL, "--listen host must be an IPv4 address, got \"%s\"", host);
    sa->sin_port = htons((uint16_t)port);
    return 0;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    (void)cls;
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_warn("http: %s", msg);
}

int http_start(const char *listen, const struct http_limits *lim, struct exec *x,
               struct http_server **out, struct ts_error *err)
{
    struct sockaddr_in sa;
    struct http_server *s;
    int rc = parse_listen(listen, &sa, err);
    if (rc)
        return rc;
    s = xcalloc(1, sizeof *s);
    s->x = x;
    rc = watch_new(lim->header_timeout_s, &s->watch, err);
    if (rc) {
        free(s);
        return rc;
    }
    pthread_mutex_init(&s->mu, NULL);
    s->d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME |
                                MHD_USE_ERROR_LOG,
                            0, NULL, NULL, handler, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log,
                            NULL, MHD_OPTION_SOCK_ADDR, &sa,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, s,
                            MHD_OPTION_URI_LOG_CALLBACK, uri_seen, s,
                            MHD_OPTION_NOTIFY_CONNECTION, conn_event, s,
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned)4096,
                            MHD_OPTION_PER_IP_CONNECTION_LIMIT, lim->per_address,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384,
                            MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_END);
    if (!s->d) {
        pthread_mutex_destroy(&s->mu);
        watch_free(s->watch);
        free(s);
        return ts_fail(err, TS_EIO, "cannot listen on %s (is the port in use?)", listen);
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : ntohs(sa.sin_port);
    *out = s;
    return 0;
}

unsigned http_port(const struct http_server *s)
{
    return s->port;
}

void http_stop(struct http_server *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->stopping = 1;
    pthread_mutex_unlock(&s->mu);
    MHD_quiesce_daemon(s->d);
    /* Every queued job finishes and resumes its connection before the daemon stops. */
    exec_stop(s->x);
    s->x = NULL;
    /* Give the network thread a moment to send the answers just resumed. */
    struct timespec ts = {0, 200 * 1000 * 1000};
    nanosleep(&ts, NULL);
    MHD_stop_daemon(s->d);
    watch_free(s->watch); /* every connection has left it */
    pthread_mutex_destroy(&s->mu);
    free(s);
}
