/* loadgen.c: the benchmark load generator. It plays N workers, each looping
 * AcceptWork -> SubmitAssignment over its own HTTP/1.1 keep-alive connection to a
 * Tessera server on 127.0.0.1, and prints cycles per second and p50/p99/max latency
 * per operation.
 *
 * It shares the machine (often two cores) with the server it measures, so it is built
 * to be cheap: one thread, one epoll set, every connection a small state machine,
 * requests formatted by hand (the AcceptWork request of each token is built once),
 * and responses parsed only as far as needed: the status line, Content-Length or
 * chunked framing, Connection, and "AssignmentId":"…" in the body.
 *
 * Standalone by design: libc only, no Tessera headers except banned.h, so it can be
 * pointed at any build of the server. Latencies go into log-linear buckets (HDR
 * style, <1.6% relative error) so memory does not grow with the length of the run.
 *
 * Every loop is bounded: the run stops at --duration (after --warmup), at
 * --max-cycles, on SIGINT/SIGTERM, or when every worker has been told there is no
 * work left; outstanding requests then get at most DRAIN_MS to finish. */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Standalone program: it holds its own x* allocation wrappers below, the way
 * util/alloc.c does, so it is exempt from the raw-allocator ban. */
#define TS_ALLOC_IMPL
#include "../src/util/banned.h"

#define MAX_WORKERS 20000
#define MAX_TOKEN 1024          /* bytes in one bearer token */
#define MAX_ID 64               /* bytes in a HITTypeId or AssignmentId */
#define MAX_RESPONSE (1u << 20) /* a larger response is an error */
#define IN_START 4096
#define DRAIN_MS 1000           /* how long outstanding requests may finish at the end */
#define BACKOFF_MS 50           /* first wait before reconnecting after a failure */
#define BACKOFF_MAX_MS 1000
#define MAX_EVENTS 256
#define ERRMSG_MAX 200          /* the first error body of each kind is shown, cut here */

/* ---- small helpers -------------------------------------------------------------- */

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fputs("loadgen: out of memory\n", stderr);
        abort();
    }
    return q;
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) {
        fputs("loadgen: out of memory\n", stderr);
        abort();
    }
    return p;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Parses a decimal integer in [min, max]; 0 on success, -1 otherwise. */
static int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (!s || !*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        if (v > (UINT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    if (v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* Parses seconds with up to three decimals ("10", "0.5") into milliseconds,
 * at most max_ms; 0 on success, -1 otherwise. No strtod on input. */
static int parse_ms(const char *s, uint64_t max_ms, uint64_t *out)
{
    uint64_t whole = 0, frac = 0, scale = 100;
    int digits = 0;
    if (!s)
        return -1;
    for (; *s >= '0' && *s <= '9'; s++, digits++) {
        whole = whole * 10 + (uint64_t)(*s - '0');
        if (whole > max_ms / 1000)
            return -1;
    }
    if (*s == '.')
        for (s++; *s >= '0' && *s <= '9'; s++, digits++) {
            if (!scale)
                return -1; /* more than three decimals */
            frac += (uint64_t)(*s - '0') * scale;
            scale /= 10;
        }
    if (*s || !digits || whole * 1000 + frac > max_ms)
        return -1;
    *out = whole * 1000 + frac;
    return 0;
}

/* An id we put into JSON and headers unescaped: letters, digits, '-' and '_'. */
static int id_ok(const char *p, size_t n)
{
    if (n == 0 || n > MAX_ID)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

/* Does p[0..n) contain needle, ignoring ASCII case? */
static int contains_ci(const char *p, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (strncasecmp(p + i, needle, k) == 0)
            return 1;
    return 0;
}

/* Appends n bytes to dst at *len; the caller sized dst. */
static void put(char *dst, size_t *len, const char *src, size_t n)
{
    memcpy(dst + *len, src, n);
    *len += n;
}

static void put_str(char *dst, size_t *len, const char *s)
{
    put(dst, len, s, strlen(s));
}

static void put_uint(char *dst, size_t *len, size_t v)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v && n < sizeof tmp);
    while (n)
        dst[(*len)++] = tmp[--n];
}

/* ---- latency histogram ------------------------------------------------------------ */

/* Values in microseconds. Below 64 us each value has its own bucket; above, each
 * power of two is split into 64 buckets, so a bucket is within 1/64 of its value. */
#define HIST_SUB 64
#define HIST_MAX_SHIFT 34
#define HIST_N (HIST_SUB + (HIST_MAX_SHIFT + 1) * HIST_SUB)

struct hist {
    uint64_t n, sum_us, max_us;
    uint64_t b[HIST_N];
};

static size_t hist_index(uint64_t us)
{
    if (us < HIST_SUB)
        return (size_t)us;
    int msb = 63 - __builtin_clzll(us);
    int shift = msb - 6;
    if (shift > HIST_MAX_SHIFT)
        return HIST_N - 1;
    return HIST_SUB + (size_t)shift * HIST_SUB + (size_t)((us >> shift) - HIST_SUB);
}

/* The middle of bucket i, in microseconds. */
static double hist_value(size_t i)
{
    if (i < HIST_SUB)
        return (double)i;
    size_t shift = (i - HIST_SUB) / HIST_SUB;
    uint64_t lo = (uint64_t)((i - HIST_SUB) % HIST_SUB + HIST_SUB) << shift;
    uint64_t width = (uint64_t)1 << shift;
    return (double)lo + (double)(width - 1) / 2.0;
}

static void hist_add(struct hist *h, uint64_t us)
{
    h->n++;
    h->sum_us += us;
    if (us > h->max_us)
        h->max_us = us;
    h->b[hist_index(us)]++;
}

/* The p-quantile (0 < p <= 1) in microseconds, never above the exact maximum. */
static double hist_quantile(const struct hist *h, double p)
{
    if (!h->n)
        return 0;
    uint64_t rank = (uint64_t)(p * (double)h->n);
    if ((double)rank < p * (double)h->n)
        rank++;
    if (rank < 1)
        rank = 1;
    uint64_t seen = 0;
    for (size_t i = 0; i < HIST_N; i++) {
        seen += h->b[i];
        if (seen >= rank) {
            double v = hist_value(i);
            return v > (double)h->max_us ? (double)h->max_us : v;
        }
    }
    return (double)h->max_us;
}

/* ---- configuration and shared state ----------------------------------------------- */

enum op { OP_ACCEPT, OP_SUBMIT, OP_COUNT };
static const char *op_name[OP_COUNT] = {"AcceptWork", "SubmitAssignment"};

/* Per token: its AcceptWork request (complete) and its SubmitAssignment request up
 * to and including "Content-Length: ". Both are built once. */
struct token_req {
    char *accept;
    size_t accept_len;
    char *submit_head;
    size_t submit_head_len;
};

enum wstate { W_IDLE, W_CONNECTING, W_SENDING, W_READING, W_BACKOFF, W_DONE };
enum framing { F_LENGTH, F_CHUNKED, F_EOF };

struct worker {
    int fd;
    enum wstate st;
    enum op op;
    int want_out;        /* EPOLLOUT is in the interest set */
    unsigned fails;      /* consecutive connection failures, for backoff */
    const struct token_req *tok;
    const char *out;     /* the request being sent: tok->accept or sub (or a raw one) */
    size_t next;         /* --requests: the index of the next raw request */
    size_t out_len, out_off;
    char *sub;           /* this worker's SubmitAssignment request */
    size_t sub_cap;
    char *in;            /* the response being read */
    size_t in_len, in_cap, scan, body_off, clen;
    int status, have_head, close_after;
    enum framing framing;
    uint64_t t0, retry_at;
};

struct cfg {
    uint16_t port;
    const char *hit_type;
    const char *tokens;
    const char *requests; /* or: a file of raw requests, each sent as it is */
    int once;
    unsigned workers;
    uint64_t duration_ms, warmup_ms, max_cycles;
};

struct run {
    int ep;
    struct worker *w;
    unsigned nw, active; /* active: workers not yet DONE */
    unsigned nbackoff;
    int stopping;
    const char *stop_reason;
    uint64_t t_start, t_measure, t_deadline, t_end;
    uint64_t cycles, nowork, reconnects, io_errors;
    uint64_t errors[OP_COUNT];
    struct hist lat[OP_COUNT];
    int shown[OP_COUNT];
    char **raw;          /* --requests: the requests, raw_len[i] bytes each */
    size_t *raw_len, nraw;
    int once;            /* --once: each request is sent once, then the worker stops */
};

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
    (void)sig;
    got_signal = 1;
}

/* ---- request building ------------------------------------------------------------- */

static const char sub_body0[] = "{\"AssignmentId\":\"";
static const char sub_body1[] = "\",\"Answers\":{\"label\":\"cat\"}}";

static void token_req_init(struct token_req *t, const char *token, const char *host,
                           const char *hit_type)
{
    static const char a0[] = "POST /api/v1/AcceptWork HTTP/1.1\r\nHost: ";
    static const char s0[] = "POST /api/v1/SubmitAssignment HTTP/1.1\r\nHost: ";
    static const char h1[] = "\r\nAuthorization: Bearer ";
    static const char h2[] = "\r\nContent-Type: application/json\r\nContent-Length: ";
    size_t room = strlen(s0) + strlen(host) + strlen(h1) + strlen(token) + strlen(h2) +
                  strlen(hit_type) + 64;
    size_t n = 0, body_len = strlen("{\"HITTypeId\":\"\"}") + strlen(hit_type);

    t->accept = xcalloc(room, 1);
    put_str(t->accept, &n, a0);
    put_str(t->accept, &n, host);
    put_str(t->accept, &n, h1);
    put_str(t->accept, &n, token);
    put_str(t->accept, &n, h2);
    put_uint(t->accept, &n, body_len);
    put_str(t->accept, &n, "\r\n\r\n{\"HITTypeId\":\"");
    put_str(t->accept, &n, hit_type);
    put_str(t->accept, &n, "\"}");
    t->accept_len = n;

    n = 0;
    t->submit_head = xcalloc(room, 1);
    put_str(t->submit_head, &n, s0);
    put_str(t->submit_head, &n, host);
    put_str(t->submit_head, &n, h1);
    put_str(t->submit_head, &n, token);
    put_str(t->submit_head, &n, h2);
    t->submit_head_len = n;
}

/* Fills w->sub with the SubmitAssignment request for assignment id[0..n). */
static void build_submit(struct worker *w, const char *id, size_t n)
{
    size_t len = 0, body_len = strlen(sub_body0) + n + strlen(sub_body1);
    put(w->sub, &len, w->tok->submit_head, w->tok->submit_head_len);
    put_uint(w->sub, &len, body_len);
    put(w->sub, &len, "\r\n\r\n", 4);
    put(w->sub, &len, sub_body0, strlen(sub_body0));
    put(w->sub, &len, id, n);
    put(w->sub, &len, sub_body1, strlen(sub_body1));
    w->out = w->sub;
    w->out_len = len;
}

/* ---- response parsing ------------------------------------------------------------- */

/* Finds the end of a chunked body p[0..n). 1 and *end when complete, 0 when more is
 * needed, -1 on malformed framing. Each pass consumes at least one byte. */
static int chunked_end(const char *p, size_t n, size_t *end)
{
    size_t i = 0;
    while (i < n) {
        uint64_t sz = 0;
        size_t digits = 0;
        for (; i < n; i++, digits++) {
            char c = p[i];
            unsigned v;
            if (c >= '0' && c <= '9')
                v = (unsigned)(c - '0');
            else if (c >= 'a' && c <= 'f')
                v = (unsigned)(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                v = (unsigned)(c - 'A' + 10);
            else
                break;
            sz = sz * 16 + v;
            if (sz > MAX_RESPONSE)
                return -1;
        }
        if (i >= n)
            return 0;
        if (!digits)
            return -1;
        const char *lf = memchr(p + i, '\n', n - i);
        if (!lf)
            return 0;
        i = (size_t)(lf - p) + 1;
        if (sz == 0) {
            /* trailers, then an empty line */
            while (i < n) {
                lf = memchr(p + i, '\n', n - i);
                if (!lf)
                    return 0;
                size_t len = (size_t)(lf - (p + i));
                i = (size_t)(lf - p) + 1;
                if (len == 0 || (len == 1 && p[i - 2] == '\r')) {
                    *end = i;
                    return 1;
                }
            }
            return 0;
        }
        if (n - i < sz + 2)
            return 0;
        i += (size_t)sz;
        if (p[i] != '\r' || p[i + 1] != '\n')
            return -1;
        i += 2;
    }
    return 0;
}

/* Parses the status line and the headers in w->in[0..w->body_off). -1 if malformed. */
static int parse_head(struct worker *w)
{
    const char *p = w->in, *endp = w->in + w->body_off - 2;
    int http10;
    if (w->body_off < 16 || memcmp(p, "HTTP/1.", 7) != 0 || (p[7] != '0' && p[7] != '1') ||
        p[8] != ' ')
        return -1;
    http10 = p[7] == '0';
    w->status = 0;
    for (int i = 9; i < 12; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        w->status = w->status * 10 + (p[i] - '0');
    }
    w->close_after = http10;
    w->framing = F_EOF;
    const char *line = memchr(p, '\n', (size_t)(endp - p));
    while (line && line < endp) {
        line++;
        const char *eol = memchr(line, '\n', (size_t)(endp - line + 1));
        if (!eol)
            break;
        size_t len = (size_t)(eol - line);
        if (len && line[len - 1] == '\r')
            len--;
        const char *colon = memchr(line, ':', len);
        if (colon) {
            size_t nlen = (size_t)(colon - line);
            const char *v = colon + 1, *vend = line + len;
            while (v < vend && (*v == ' ' || *v == '\t'))
                v++;
            size_t vlen = (size_t)(vend - v);
            if (nlen == 14 && strncasecmp(line, "content-length", 14) == 0) {
                uint64_t cl = 0;
                if (vlen == 0)
                    return -1;
                for (size_t k = 0; k < vlen; k++) {
                    if (v[k] == ' ' || v[k] == '\t' || v[k] == '\r')
                        break;
                    if (v[k] < '0' || v[k] > '9')
                        return -1;
                    cl = cl * 10 + (uint64_t)(v[k] - '0');
                    if (cl > MAX_RESPONSE)
                        return -1;
                }
                if (w->framing != F_CHUNKED) {
                    w->framing = F_LENGTH;
                    w->clen = (size_t)cl;
                }
            } else if (nlen == 17 && strncasecmp(line, "transfer-encoding", 17) == 0) {
                if (contains_ci(v, vlen, "chunked"))
                    w->framing = F_CHUNKED;
            } else if (nlen == 10 && strncasecmp(line, "connection", 10) == 0) {
                if (contains_ci(v, vlen, "close"))
                    w->close_after = 1;
                else if (contains_ci(v, vlen, "keep-alive"))
                    w->close_after = 0;
            }
        }
        line = eol;
    }
    if (w->status == 204 || w->status == 304 || (w->status >= 100 && w->status < 200)) {
        if (w->status < 200)
            return -1; /* we never send Expect: no interim responses */
        w->framing = F_LENGTH;
        w->clen = 0;
    }
    if (w->framing == F_EOF)
        w->close_after = 1;
    return 0;
}

/* Is the response in w->in complete? 1 yes (the body is w->in[body_off..*end)),
 * 0 need more, -1 malformed. eof: the peer has closed. */
static int response_done(struct worker *w, int eof, size_t *end)
{
    if (!w->have_head) {
        size_t from = w->scan;
        const char *h = memmem(w->in + from, w->in_len - from, "\r\n\r\n", 4);
        if (!h) {
            w->scan = w->in_len > 3 ? w->in_len - 3 : 0;
            return eof ? -1 : 0;
        }
        w->body_off = (size_t)(h - w->in) + 4;
        w->have_head = 1;
        if (parse_head(w))
            return -1;
    }
    switch (w->framing) {
    case F_LENGTH:
        if (w->in_len - w->body_off >= w->clen) {
            *end = w->body_off + w->clen;
            return 1;
        }
        return eof ? -1 : 0;
    case F_CHUNKED: {
        size_t e = 0;
        int rc = chunked_end(w->in + w->body_off, w->in_len - w->body_off, &e);
        if (rc == 1)
            *end = w->body_off + e;
        return rc == 0 && eof ? -1 : rc;
    }
    case F_EOF:
        if (eof) {
            *end = w->in_len;
            return 1;
        }
        return 0;
    }
    return -1;
}

/* Finds "AssignmentId":"<id>" in body[0..n) (the first one: the Assignment's own).
 * Allows whitespace around the colon, in case the server pretty-prints. */
static int find_assignment_id(const char *body, size_t n, const char **id, size_t *len)
{
    static const char key[] = "\"AssignmentId\"";
    const char *p = memmem(body, n, key, sizeof key - 1);
    const char *end = body + n;
    if (!p)
        return -1;
    p += sizeof key - 1;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    if (p >= end || *p++ != ':')
        return -1;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    if (p >= end || *p++ != '"')
        return -1;
    const char *q = memchr(p, '"', (size_t)(end - p));
    if (!q || !id_ok(p, (size_t)(q - p)))
        return -1;
    *id = p;
    *len = (size_t)(q - p);
    return 0;
}

/* ---- the state machine ------------------------------------------------------------ */

static void worker_connect(struct run *r, struct worker *w, uint16_t port);
static void cycle_start(struct run *r, struct worker *w, uint16_t port);

static void show_error(struct run *r, enum op op, int status, const char *body, size_t n)
{
    if (r->shown[op]++)
        return;
    char msg[ERRMSG_MAX + 1];
    size_t k = 0;
    for (size_t i = 0; body && i < n && k < ERRMSG_MAX; i++)
        msg[k++] = body[i] >= ' ' && body[i] < 127 ? body[i] : ' ';
    msg[k] = 0;
    fprintf(stderr, "loadgen: first %s failure: HTTP %d: %s\n", op_name[op], status, msg);
}

static void set_events(struct run *r, struct worker *w, int want_out)
{
    struct epoll_event ev = {0};
    if (w->want_out == want_out)
        return;
    ev.events = EPOLLIN | (want_out ? (uint32_t)EPOLLOUT : 0u);
    ev.data.ptr = w;
    if (epoll_ctl(r->ep, EPOLL_CTL_MOD, w->fd, &ev) == 0)
        w->want_out = want_out;
}

static void worker_close(struct worker *w)
{
    if (w->fd >= 0)
        close(w->fd); /* also leaves the epoll set */
    w->fd = -1;
    w->want_out = 0;
}

static void worker_done(struct run *r, struct worker *w)
{
    worker_close(w);
    if (w->st == W_BACKOFF)
        r->nbackoff--;
    if (w->st != W_DONE)
        r->active--;
    w->st = W_DONE;
}

static void stop(struct run *r, uint64_t t, const char *why)
{
    if (r->stopping)
        return;
    r->stopping = 1;
    r->stop_reason = why;
    r->t_end = t < r->t_measure ? r->t_measure : t;
}

/* The connection broke or spoke nonsense: count it, drop it, and reconnect (after a
 * growing pause when it keeps happening). The cycle starts again with AcceptWork. */
static void conn_fail(struct run *r, struct worker *w, uint16_t port, int counted)
{
    if (!counted && (w->st == W_SENDING || w->st == W_READING))
        r->errors[w->op]++;
    r->io_errors++;
    worker_close(w);
    if (r->stopping) {
        worker_done(r, w);
        return;
    }
    w->fails++;
    r->reconnects++;
    if (w->fails > 1) {
        uint64_t ms = (uint64_t)BACKOFF_MS << (w->fails < 6 ? w->fails - 2 : 4);
        if (ms > BACKOFF_MAX_MS)
            ms = BACKOFF_MAX_MS;
        w->st = W_BACKOFF;
        w->retry_at = now_ns() + ms * 1000000u;
        r->nbackoff++;
        return;
    }
    w->st = W_IDLE;
    w->op = OP_ACCEPT;
    w->out = w->tok->accept;
    w->out_len = w->tok->accept_len;
    worker_connect(r, w, port);
}

static void try_write(struct run *r, struct worker *w, uint16_t port)
{
    while (w->out_off < w->out_len) {
        ssize_t k = send(w->fd, w->out + w->out_off, w->out_len - w->out_off, MSG_NOSIGNAL);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                set_events(r, w, 1);
                return;
            }
            conn_fail(r, w, port, 0);
            return;
        }
        w->out_off += (size_t)k;
    }
    set_events(r, w, 0);
    w->st = W_READING;
}

/* Sends w->out[0..out_len) as the next request (connecting first if needed). */
static void send_request(struct run *r, struct worker *w, uint16_t port)
{
    if (w->fd < 0) {
        worker_connect(r, w, port);
        return;
    }
    w->in_len = 0;
    w->scan = 0;
    w->have_head = 0;
    w->out_off = 0;
    w->st = W_SENDING;
    w->t0 = now_ns();
    try_write(r, w, port);
}

static void cycle_start(struct run *r, struct worker *w, uint16_t port)
{
    if (r->stopping) {
        worker_done(r, w);
        return;
    }
    if (r->nraw) {
        /* One request is one cycle; the workers take the file's requests in turn. */
        if (r->once && w->next >= r->nraw) {
            worker_done(r, w);
            if (r->active == 0)
                stop(r, now_ns(), "every request sent");
            return;
        }
        w->op = OP_SUBMIT;
        w->out = r->raw[w->next % r->nraw];
        w->out_len = r->raw_len[w->next % r->nraw];
        w->next = r->once ? w->next + r->nw : (w->next + r->nw) % r->nraw;
        send_request(r, w, port);
        return;
    }
    w->op = OP_ACCEPT;
    w->out = w->tok->accept;
    w->out_len = w->tok->accept_len;
    send_request(r, w, port);
}

static void on_connected(struct run *r, struct worker *w, uint16_t port)
{
    struct epoll_event ev = {0};
    ev.events = EPOLLIN;
    ev.data.ptr = w;
    if (w->want_out) {
        if (epoll_ctl(r->ep, EPOLL_CTL_MOD, w->fd, &ev)) {
            conn_fail(r, w, port, 1);
            return;
        }
        w->want_out = 0;
    }
    if (r->stopping) {
        worker_done(r, w);
        return;
    }
    send_request(r, w, port); /* w->out was prepared before connecting */
}

static void worker_connect(struct run *r, struct worker *w, uint16_t port)
{
    struct sockaddr_in sa;
    struct epoll_event ev = {0};
    int one = 1;

    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* 127.0.0.1, always */
    w->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (w->fd < 0) {
        conn_fail(r, w, port, 1);
        return;
    }
    setsockopt(w->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int rc = connect(w->fd, (struct sockaddr *)&sa, sizeof sa);
    if (rc < 0 && errno != EINPROGRESS) {
        conn_fail(r, w, port, 1);
        return;
    }
    ev.events = rc == 0 ? EPOLLIN : (EPOLLIN | EPOLLOUT);
    ev.data.ptr = w;
    if (epoll_ctl(r->ep, EPOLL_CTL_ADD, w->fd, &ev)) {
        conn_fail(r, w, port, 1);
        return;
    }
    w->want_out = rc != 0;
    if (rc == 0) {
        on_connected(r, w, port);
        return;
    }
    w->st = W_CONNECTING;
}

static int measuring(const struct run *r, const struct worker *w, uint64_t t)
{
    return !r->stopping && w->t0 >= r->t_measure && t < r->t_deadline;
}

/* A whole response is in w->in: body is w->in[body_off..end). Decides what next. */
static void on_response(struct run *r, struct worker *w, size_t end, uint16_t port)
{
    uint64_t t = now_ns();
    const char *body = w->in + w->body_off;
    size_t blen = end - w->body_off;
    int rec = measuring(r, w, t);
    int close_after = w->close_after || end != w->in_len; /* no pipelining: extra bytes are junk */

    w->fails = 0;
    if (end != w->in_len) {
        r->io_errors++;
        show_error(r, w->op, w->status, "unexpected bytes after the response", 36);
    }
    if (close_after)
        worker_close(w);
    if (w->op == OP_ACCEPT) {
        const char *id;
        size_t idn;
        if (w->status == 200 && find_assignment_id(body, blen, &id, &idn) == 0) {
            if (rec)
                hist_add(&r->lat[OP_ACCEPT], (t - w->t0) / 1000);
            if (r->stopping) {
                worker_done(r, w);
                return;
            }
            build_submit(w, id, idn);
            w->op = OP_SUBMIT;
            send_request(r, w, port);
            return;
        }
        if (w->status >= 400 && w->status < 500) {
            /* NoWorkAvailable, or any other 4xx: this worker is finished. */
            if (!contains_ci(body, blen, "NoWorkAvailable"))
                show_error(r, OP_ACCEPT, w->status, body, blen);
            r->nowork++;
            worker_done(r, w);
            if (r->active == 0)
                stop(r, t, "no work left");
            return;
        }
        r->errors[OP_ACCEPT]++;
        show_error(r, OP_ACCEPT, w->status, body, blen);
        cycle_start(r, w, port);
        return;
    }
    if (w->status >= 200 && w->status < 300) {
        if (rec) {
            hist_add(&r->lat[OP_SUBMIT], (t - w->t0) / 1000);
            r->cycles++;
        }
    } else {
        r->errors[OP_SUBMIT]++;
        show_error(r, OP_SUBMIT, w->status, body, blen);
    }
    cycle_start(r, w, port);
}

static void on_readable(struct run *r, struct worker *w, uint16_t port)
{
    if (w->st != W_SENDING && w->st != W_READING) {
        /* Idle and readable: the server closed an idle keep-alive connection. */
        conn_fail(r, w, port, 1);
        return;
    }
    if (w->in_len == w->in_cap) {
        if (w->in_cap >= MAX_RESPONSE) {
            show_error(r, w->op, 0, "response too large", 18);
            conn_fail(r, w, port, 0);
            return;
        }
        w->in_cap = w->in_cap ? w->in_cap * 2 : IN_START;
        w->in = xrealloc(w->in, w->in_cap);
    }
    ssize_t k = recv(w->fd, w->in + w->in_len, w->in_cap - w->in_len, 0);
    if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (k < 0) {
        conn_fail(r, w, port, 0);
        return;
    }
    w->in_len += (size_t)k;
    size_t end = 0;
    int rc = response_done(w, k == 0, &end);
    if (rc == 0)
        return;
    if (rc < 0) {
        if (k != 0 || w->in_len != 0)
            show_error(r, w->op, w->status, "malformed or truncated response", 31);
        conn_fail(r, w, port, 0);
        return;
    }
    if (k == 0)
        w->close_after = 1;
    on_response(r, w, end, port);
}

static void on_event(struct run *r, struct worker *w, uint32_t ev, uint16_t port)
{
    if (w->st == W_CONNECTING) {
        int err = 0;
        socklen_t len = sizeof err;
        if (!(ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
            return;
        if (getsockopt(w->fd, SOL_SOCKET, SO_ERROR, &err, &len) || err) {
            conn_fail(r, w, port, 1);
            return;
        }
        on_connected(r, w, port);
        return;
    }
    if (w->st == W_SENDING && (ev & EPOLLOUT)) {
        int fd = w->fd;
        try_write(r, w, port);
        if (w->fd != fd || (w->st != W_SENDING && w->st != W_READING))
            return; /* the connection failed and was replaced: this event is stale */
    }
    if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP))
        on_readable(r, w, port);
}

/* ---- setup, main loop, report ----------------------------------------------------- */

static void usage(FILE *f)
{
    fputs("usage: loadgen --port P --hit-type ID --tokens FILE [--workers 64]\n"
          "               [--duration 10] [--max-cycles N] [--warmup 1] [--host 127.0.0.1]\n"
          "Each simulated worker loops AcceptWork -> SubmitAssignment on its own keep-alive\n"
          "connection to 127.0.0.1:P; worker i uses the token on line i % lines of FILE.\n"
          "Durations are seconds (up to 3 decimals). Only 127.0.0.1 is ever contacted.\n"
          "       loadgen --port P --requests FILE [--workers 64] [--duration 10] ...\n"
          "Each worker loops over the complete HTTP requests in FILE (separated by NUL\n"
          "bytes; worker i sends request i, i + workers, ...), one cycle per 2xx answer;\n"
          "with --once each request is sent once (for signed writes, which take effect once).\n",
          f);
}

static int parse_args(int argc, char **argv, struct cfg *c)
{
    static const struct option opts[] = {
        {"port", required_argument, NULL, 'p'},     {"hit-type", required_argument, NULL, 't'},
        {"tokens", required_argument, NULL, 'k'},   {"workers", required_argument, NULL, 'w'},
        {"duration", required_argument, NULL, 'd'}, {"max-cycles", required_argument, NULL, 'm'},
        {"warmup", required_argument, NULL, 'u'},   {"host", required_argument, NULL, 'H'},
        {"requests", required_argument, NULL, 'r'}, {"once", no_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    uint64_t v;
    int o, idx = 0;

    memset(c, 0, sizeof *c);
    c->workers = 64;
    c->duration_ms = 10000;
    c->warmup_ms = 1000;
    while ((o = getopt_long(argc, argv, "", opts, &idx)) != -1) {
        switch (o) {
        case 'p':
            if (parse_u64(optarg, 1, 65535, &v))
                goto bad;
            c->port = (uint16_t)v;
            break;
        case 't':
            c->hit_type = optarg;
            break;
        case 'k':
            c->tokens = optarg;
            break;
        case 'r':
            c->requests = optarg;
            break;
        case 'o':
            c->once = 1;
            break;
        case 'w':
            if (parse_u64(optarg, 1, MAX_WORKERS, &v))
                goto bad;
            c->workers = (unsigned)v;
            break;
        case 'd':
            if (parse_ms(optarg, 24ull * 3600 * 1000, &c->duration_ms) || !c->duration_ms)
                goto bad;
            break;
        case 'u':
            if (parse_ms(optarg, 3600ull * 1000, &c->warmup_ms))
                goto bad;
            break;
        case 'm':
            if (parse_u64(optarg, 1, UINT64_MAX / 2, &c->max_cycles))
                goto bad;
            break;
        case 'H':
            if (strcmp(optarg, "127.0.0.1") != 0 && strcmp(optarg, "localhost") != 0) {
                fprintf(stderr, "loadgen: refusing host \"%s\": only 127.0.0.1 is allowed\n",
                        optarg);
                return -1;
            }
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return -1;
        }
    }
    if (optind != argc || !c->port ||
        (c->requests ? c->hit_type || c->tokens : !c->hit_type || !c->tokens)) {
        usage(stderr);
        return -1;
    }
    if (c->requests)
        return 0;
    if (!id_ok(c->hit_type, strlen(c->hit_type))) {
        fprintf(stderr, "loadgen: --hit-type must be 1-%d letters, digits, '-' or '_'\n", MAX_ID);
        return -1;
    }
    return 0;
bad:
    fprintf(stderr, "loadgen: bad value for --%s: \"%s\"\n", opts[idx].name, optarg);
    usage(stderr);
    return -1;
}

/* Reads one token per line (blank lines skipped). Tokens go into headers unescaped,
 * so only visible ASCII is allowed. Returns the count, or -1. Caller frees each. */
static long read_tokens(const char *path, char ***out)
{
    FILE *f = fopen(path, "r");
    char *line = NULL, **v = NULL;
    size_t cap = 0, nv = 0, vcap = 0;
    long lineno = 0;
    ssize_t len;

    if (!f) {
        fprintf(stderr, "loadgen: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    while ((len = getline(&line, &cap, f)) >= 0 && nv < MAX_WORKERS) {
        size_t n = (size_t)len;
        lineno++;
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' ||
                     line[n - 1] == '\t'))
            n--;
        if (!n)
            continue;
        int ok = n <= MAX_TOKEN;
        for (size_t i = 0; ok && i < n; i++)
            ok = line[i] > ' ' && line[i] < 127;
        if (!ok) {
            fprintf(stderr, "loadgen: %s:%ld: a token is 1-%d visible ASCII characters\n", path,
                    lineno, MAX_TOKEN);
            free(line);
            fclose(f);
            for (size_t i = 0; i < nv; i++)
                free(v[i]);
            free(v);
            return -1;
        }
        if (nv == vcap) {
            vcap = vcap ? vcap * 2 : 16;
            v = xrealloc(v, vcap * sizeof *v);
        }
        v[nv] = xcalloc(n + 1, 1);
        memcpy(v[nv], line, n);
        nv++;
    }
    free(line);
    fclose(f);
    if (!nv) {
        fprintf(stderr, "loadgen: %s holds no tokens\n", path);
        free(v);
        return -1;
    }
    *out = v;
    return (long)nv;
}

/* One blocking connect first, so a wrong port fails at once with a clear message. */
/* Reads FILE's NUL-separated requests into r. Returns the count, or -1. */
static long read_requests(const char *path, struct run *r)
{
    FILE *f = fopen(path, "rb");
    char *all = NULL;
    size_t n = 0, cap = 0, start = 0;
    if (!f) {
        fprintf(stderr, "loadgen: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    for (;;) {
        size_t got;
        if (n == cap) {
            cap = cap ? cap * 2 : 1 << 16;
            all = xrealloc(all, cap);
        }
        got = fread(all + n, 1, cap - n, f);
        if (got == 0)
            break;
        n += got;
    }
    fclose(f);
    for (size_t i = 0; i <= n; i++) {
        if (i < n && all[i] != '\0')
            continue;
        if (i > start) {
            r->raw = xrealloc(r->raw, (r->nraw + 1) * sizeof *r->raw);
            r->raw_len = xrealloc(r->raw_len, (r->nraw + 1) * sizeof *r->raw_len);
            r->raw[r->nraw] = xcalloc(i - start, 1);
            memcpy(r->raw[r->nraw], all + start, i - start);
            r->raw_len[r->nraw] = i - start;
            r->nraw++;
        }
        start = i + 1;
    }
    free(all);
    if (!r->nraw)
        fprintf(stderr, "loadgen: %s holds no request\n", path);
    return r->nraw ? (long)r->nraw : -1;
}

static int probe(uint16_t port)
{
    struct sockaddr_in sa;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa)) {
        fprintf(stderr, "loadgen: cannot connect to 127.0.0.1:%u: %s\n", (unsigned)port,
                strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

static void raise_fd_limit(unsigned workers)
{
    struct rlimit rl;
    rlim_t want = (rlim_t)workers + 64;
    if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= want)
        return;
    rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
    setrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < want)
        fprintf(stderr, "loadgen: warning: open-file limit %llu is low for %u workers\n",
                (unsigned long long)rl.rlim_cur, workers);
}

static void retry_backoffs(struct run *r, uint64_t t, uint16_t port)
{
    for (unsigned i = 0; i < r->nw && r->nbackoff; i++) {
        struct worker *w = &r->w[i];
        if (w->st != W_BACKOFF || (w->retry_at > t && !r->stopping))
            continue;
        r->nbackoff--;
        w->st = W_IDLE;
        if (r->stopping) {
            worker_done(r, w);
            continue;
        }
        w->op = OP_ACCEPT;
        w->out = w->tok->accept;
        w->out_len = w->tok->accept_len;
        worker_connect(r, w, port);
    }
}

static int inflight(const struct run *r)
{
    for (unsigned i = 0; i < r->nw; i++)
        if (r->w[i].st == W_SENDING || r->w[i].st == W_READING || r->w[i].st == W_CONNECTING)
            return 1;
    return 0;
}

static void main_loop(struct run *r, const struct cfg *c)
{
    struct epoll_event evs[MAX_EVENTS];
    uint64_t max_ns = r->t_deadline + (uint64_t)DRAIN_MS * 1000000u;

    /* Bounded by the clock: the loop cannot outlive warmup + duration + drain. */
    for (;;) {
        uint64_t t = now_ns();
        if (!r->stopping) {
            if (got_signal)
                stop(r, t, "signal");
            else if (t >= r->t_deadline)
                stop(r, r->t_deadline, "duration");
            else if (c->max_cycles && r->cycles >= c->max_cycles)
                stop(r, t, "max-cycles");
            if (r->stopping) {
                /* No new work: drop idle and waiting workers, drain the rest. */
                max_ns = t + (uint64_t)DRAIN_MS * 1000000u;
                retry_backoffs(r, t, c->port);
            }
        }
        if (r->stopping && (t >= max_ns || !inflight(r)))
            break;
        if (t >= max_ns) /* belt and braces */
            break;
        if (r->nbackoff)
            retry_backoffs(r, t, c->port);

        uint64_t until = r->stopping ? max_ns : r->t_deadline;
        uint64_t wait_ms = until > t ? (until - t) / 1000000u + 1 : 0;
        if (wait_ms > 100)
            wait_ms = 100;
        if (r->nbackoff && wait_ms > 10)
            wait_ms = 10;
        int n = epoll_wait(r->ep, evs, MAX_EVENTS, (int)wait_ms);
        if (n < 0 && errno != EINTR) {
            perror("loadgen: epoll_wait");
            stop(r, now_ns(), "epoll error");
            break;
        }
        for (int i = 0; i < n; i++) {
            struct worker *w = evs[i].data.ptr;
            if (w->fd < 0 || w->st == W_DONE)
                continue; /* closed earlier in this batch */
            on_event(r, w, evs[i].events, c->port);
        }
    }
}

static void report(const struct run *r, const struct cfg *c)
{
    double secs = (double)(r->t_end - r->t_measure) / 1e9;
    uint64_t errors = r->errors[OP_ACCEPT] + r->errors[OP_SUBMIT];
    if (secs <= 0)
        secs = 1e-9;
    printf("workers %u  duration %.1f s  cycles %llu  cycles/s %.1f  errors %llu\n", c->workers,
           secs, (unsigned long long)r->cycles, (double)r->cycles / secs,
           (unsigned long long)errors);
    for (int op = 0; op < OP_COUNT; op++) {
        const struct hist *h = &r->lat[op];
        printf("%-17s n=%llu  p50 %.3f ms  p99 %.3f ms  max %.3f ms\n", op_name[op],
               (unsigned long long)h->n, hist_quantile(h, 0.50) / 1000.0,
               hist_quantile(h, 0.99) / 1000.0, (double)h->max_us / 1000.0);
    }
    printf("stopped by %s  no-work workers %llu/%u  connection errors %llu  reconnects %llu\n",
           r->stop_reason ? r->stop_reason : "?", (unsigned long long)r->nowork, c->workers,
           (unsigned long long)r->io_errors, (unsigned long long)r->reconnects);
}

int main(int argc, char **argv)
{
    struct cfg c;
    struct run *r;
    struct token_req *treq;
    char **tokens = NULL, host[32];
    long ntok;
    struct sigaction sa;
    int rc = 1;

    if (parse_args(argc, argv, &c))
        return 2;
    r = xcalloc(1, sizeof *r);
    if (c.requests) {
        if (read_requests(c.requests, r) < 0)
            return 2;
        op_name[OP_SUBMIT] = "request";
        r->once = c.once;
        tokens = xcalloc(1, sizeof *tokens);
        tokens[0] = xcalloc(2, 1); /* one unused token: the workers' shared state stays */
        tokens[0][0] = '-';
        ntok = 1;
        c.hit_type = "-";
    } else {
        ntok = read_tokens(c.tokens, &tokens);
    }
    if (ntok < 0)
        return 2;
    if (probe(c.port))
        goto free_tokens;
    raise_fd_limit(c.workers);

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    snprintf(host, sizeof host, "127.0.0.1:%u", (unsigned)c.port);
    treq = xcalloc((size_t)ntok, sizeof *treq);
    for (long i = 0; i < ntok; i++)
        token_req_init(&treq[i], tokens[i], host, c.hit_type);

    r->ep = epoll_create1(EPOLL_CLOEXEC);
    if (r->ep < 0) {
        perror("loadgen: epoll_create1");
        goto free_run;
    }
    r->nw = c.workers;
    r->active = c.workers;
    r->w = xcalloc(c.workers, sizeof *r->w);
    r->t_start = now_ns();
    r->t_measure = r->t_start + c.warmup_ms * 1000000u;
    r->t_deadline = r->t_measure + c.duration_ms * 1000000u;
    for (unsigned i = 0; i < c.workers; i++) {
        struct worker *w = &r->w[i];
        w->fd = -1;
        w->tok = &treq[(size_t)i % (size_t)ntok];
        w->next = r->nraw ? i % r->nraw : 0;
        w->sub_cap = w->tok->submit_head_len + 32 + strlen(sub_body0) + MAX_ID + strlen(sub_body1);
        w->sub = xcalloc(w->sub_cap, 1);
    }
    for (unsigned i = 0; i < c.workers; i++)
        cycle_start(r, &r->w[i], c.port);
    main_loop(r, &c);
    if (!r->stopping)
        stop(r, now_ns(), "?");
    report(r, &c);
    /* Errors are reported, not fatal; a run that measured nothing is. */
    rc = r->cycles ? 0 : 1;
    if (!r->cycles)
        fputs("loadgen: no cycle completed in the measured window\n", stderr);

    for (unsigned i = 0; i < c.workers; i++) {
        worker_close(&r->w[i]);
        free(r->w[i].sub);
        free(r->w[i].in);
    }
    free(r->w);
    close(r->ep);
free_run:
    for (long i = 0; i < ntok; i++) {
        free(treq[i].accept);
        free(treq[i].submit_head);
    }
    free(treq);
free_tokens:
    for (size_t i = 0; i < r->nraw; i++)
        free(r->raw[i]);
    free(r->raw);
    free(r->raw_len);
    free(r);
    for (long i = 0; i < ntok; i++)
        free(tokens[i]);
    free(tokens);
    return rc;
}
