/* server.c: the HTTP listener on libmicrohttpd. One epoll thread reads requests into
 * bounded buffers; a write is handed to the executor and its connection suspended until
 * the executor resumes it with the durable outcome, so the network thread never waits
 * on the disk. Answers go out on a later handler call than the first, which keeps
 * connections alive (libmicrohttpd closes them otherwise). */
#include "server.h"
#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../api/door.h"
#include "../api/door_mturk.h"
#include "../core/secrets.h"
#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/log.h"
#include "../util/parse.h"
#include "../util/banned.h"

struct http_server {
    struct MHD_Daemon *d;
    struct exec *x;
    pthread_mutex_t mu;
    int stopping;
    unsigned port;
};

struct req {
    struct http_server *srv;
    struct MHD_Connection *conn;
    struct buf body;
    int toobig;
    int mturk;    /* the MTurk door (POST /) */
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
    if (r->request_id) {
        char id[37];
        secrets_uuid(id);
        MHD_add_response_header(resp, "x-amzn-RequestId", id);
    }
    ret = MHD_queue_response(conn, r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *conn, unsigned status, const char *code,
                                  const char *msg)
{
    struct door_reply r = {0};
    door_error(status, code, msg, &r);
    return send_reply(conn, &r, "application/json");
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

/* Hands q's prepared job to the executor, suspending the connection until it is done. */
static enum MHD_Result queue(struct req *q)
{
    q->job.done = job_done;
    q->job.arg = q;
    pthread_mutex_lock(&q->srv->mu);
    if (q->srv->stopping) {
        pthread_mutex_unlock(&q->srv->mu);
        return send_error(q->conn, 503, "ServiceUnavailable", "the server is shutting down");
    }
    q->queued = 1;
    MHD_suspend_connection(q->conn);
    exec_submit(q->srv->x, &q->job);
    pthread_mutex_unlock(&q->srv->mu);
    return MHD_YES;
}

static enum MHD_Result native(struct req *q, const char *op)
{
    struct door_reply r = {0};
    const char *auth =
        MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (q->toobig) {
        char msg[96];
        snprintf(msg, sizeof msg, "the request body is larger than %zu bytes", DOOR_MAX_BODY);
        return send_error(q->conn, 413, "RequestTooLarge", msg);
    }
    if (door_native_prepare(op, auth, q->body.p, q->body.len, &q->job, &r))
        return send_reply(q->conn, &r, "application/json");
    return queue(q);
}

static enum MHD_Result mturk(struct req *q)
{
    struct door_reply r = {0};
    q->mturk = 1;
    if (q->toobig) {
        char msg[96];
        snprintf(msg, sizeof msg, "the request body is larger than %zu bytes", DOOR_MAX_BODY);
        door_mturk_error(413, "RequestEntityTooLargeException", NULL, msg, &r);
        return send_reply(q->conn, &r, NULL);
    }
    if (door_mturk_prepare(mhd_header, q->conn, q->body.p, q->body.len, &q->job, &r))
        return send_reply(q->conn, &r, NULL);
    return queue(q);
}

static enum MHD_Result route(struct req *q, const char *url, const char *method)
{
    static const char prefix[] = "/api/v1/";
    if (strcmp(url, "/healthz") == 0) {
        if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
            return send_error(q->conn, 405, "MethodNotAllowed", "use GET /healthz");
        struct door_reply r = {200, xstrdup("{\"status\":\"ok\"}"), 15, NULL, 0};
        return send_reply(q->conn, &r, "application/json");
    }
    if (strcmp(url, "/") == 0 && strcmp(method, "POST") == 0)
        return mturk(q);
    if (strncmp(url, prefix, sizeof prefix - 1) == 0) {
        if (strcmp(method, "POST") != 0)
            return send_error(q->conn, 405, "MethodNotAllowed",
                              "operations are called with POST /api/v1/<Operation>");
        return native(q, url + sizeof prefix - 1);
    }
    return send_error(q->conn, 404, "NotFound", "no such page; operations live under /api/v1/");
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url,
                               const char *method, const char *version,
                               const char *upload_data, size_t *upload_data_size,
                               void **con_cls)
{
    struct req *q = *con_cls;
    (void)version;
    if (!q) {
        q = xcalloc(1, sizeof *q);
        q->srv = cls;
        q->conn = conn;
        buf_init(&q->body, DOOR_MAX_BODY);
        *con_cls = q;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!q->toobig && buf_append(&q->body, upload_data, *upload_data_size))
            q->toobig = 1;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (q->finished) {
        struct door_reply r = {0};
        if (q->mturk)
            door_mturk_reply(&q->job, &r);
        else
            door_native_reply(&q->job, &r);
        return send_reply(conn, &r, "application/json");
    }
    if (q->queued)
        return MHD_YES; /* spurious call while suspended */
    return route(q, url, method);
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    struct req *q = *con_cls;
    (void)cls;
    (void)conn;
    (void)toe;
    if (!q)
        return;
    buf_release(&q->body);
    door_mturk_release(&q->job);
    json_decref(q->job.in);
    json_decref(q->job.out);
    free(q);
    *con_cls = NULL;
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

int http_start(const char *listen, struct exec *x, struct http_server **out,
               struct ts_error *err)
{
    struct sockaddr_in sa;
    struct http_server *s;
    int rc = parse_listen(listen, &sa, err);
    if (rc)
        return rc;
    s = xcalloc(1, sizeof *s);
    s->x = x;
    pthread_mutex_init(&s->mu, NULL);
    s->d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME |
                                MHD_USE_ERROR_LOG,
                            0, NULL, NULL, handler, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log,
                            NULL, MHD_OPTION_SOCK_ADDR, &sa,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, s,
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned)4096,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384,
                            MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_END);
    if (!s->d) {
        pthread_mutex_destroy(&s->mu);
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
    pthread_mutex_destroy(&s->mu);
    free(s);
}
