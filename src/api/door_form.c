/* door_form.c: the browser door (see door_form.h). On the network thread it parses the
 * form (form.c) into the request of one of the form operations (ops_files.c); after the
 * executor has run it, it writes the HTML a person sees: the task page with its
 * Content-Security-Policy, a redirect to the page URL with MTurk's parameters, the
 * result of a submission, or an error, every text HTML-escaped. */
#include "door_form.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "form.h"
#include "ops.h"
#include "../core/cap.h"
#include "../core/secrets.h"
#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/parse.h"
#include "../util/text.h"
#include "../util/banned.h"

/* The task page may run the requester's scripts and post its forms, but as an opaque
 * origin (no allow-same-origin): it can read nothing of Tessera's. */
#define CSP_TASK "sandbox allow-forms allow-scripts allow-popups"
/* Tessera's own pages: no script at all; the ExternalQuestion page frames one URL. */
#define CSP_OWN "default-src 'none'; style-src 'unsafe-inline'"
#define CSP_FRAME "default-src 'none'; style-src 'unsafe-inline'; frame-src http: https:"

static const char *const mturk_submit_urls[] = {
    "https://www.mturk.com/mturk/externalSubmit",
    "https://workersandbox.mturk.com/mturk/externalSubmit",
    "http://www.mturk.com/mturk/externalSubmit",
    "http://workersandbox.mturk.com/mturk/externalSubmit",
};

size_t door_form_max_body(void)
{
    return FORM_MAX_BODY;
}

static void add_header(struct door_reply *r, const char *name, const char *value)
{
    if (r->n_headers == DOOR_MAX_HEADERS)
        TS_BUG("too many headers on one reply");
    r->headers[r->n_headers].name = name;
    r->headers[r->n_headers].value = xstrdup(value);
    r->n_headers++;
}

static void set_body(struct door_reply *r, unsigned status, struct buf *b, const char *type)
{
    if (b->err)
        TS_BUG("an HTML page outgrew its buffer");
    r->status = status;
    r->body = buf_detach(b, &r->len);
    r->content_type = type;
    r->request_id = 0;
}

static void put_text(struct buf *b, const char *s)
{
    buf_put_xml(b, s, strlen(s));
}

/* A page of Tessera's own: a heading and one paragraph, both escaped. */
static void own_page(unsigned status, const char *title, const char *msg,
                     struct door_reply *r)
{
    struct buf b = BUF_INIT(BUF_MAX_BODY);
    buf_puts(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>");
    put_text(&b, title);
    buf_puts(&b, "</title><style>body{font-family:sans-serif;max-width:40em;margin:3em auto;"
                 "padding:0 1em}</style></head>\n<body><h1>");
    put_text(&b, title);
    buf_puts(&b, "</h1>\n<p>");
    put_text(&b, msg);
    buf_puts(&b, "</p>\n</body></html>\n");
    set_body(r, status, &b, "text/html; charset=utf-8");
    add_header(r, "Content-Security-Policy", CSP_OWN);
    add_header(r, "X-Content-Type-Options", "nosniff");
}

void door_form_error(unsigned status, const char *msg, struct door_reply *reply)
{
    char title[64];
    snprintf(title, sizeof title, "Error %u", status);
    own_page(status, title, msg, reply);
}

void door_form_rewrite(const char *html, const char *submit_url, struct buf *out)
{
    const char *p = html;
    for (;;) {
        const char *best = NULL;
        size_t best_len = 0;
        for (size_t i = 0; i < sizeof mturk_submit_urls / sizeof mturk_submit_urls[0]; i++) {
            const char *at = strstr(p, mturk_submit_urls[i]);
            if (at && (!best || at < best)) {
                best = at;
                best_len = strlen(mturk_submit_urls[i]);
            }
        }
        if (!best) {
            buf_puts(out, p);
            return;
        }
        buf_append(out, p, (size_t)(best - p));
        buf_puts(out, submit_url);
        p = best + best_len;
    }
}

/* ---- submissions ------------------------------------------------------------------ */

/* Turns the parsed form into the operation's input: assignmentId apart, every other
 * text field an answer (a repeated name an array, in order), files in Files. */
static int form_to_in(const struct form *f, json_t *in, struct ts_error *err)
{
    json_t *answers = json_object(), *files = json_array();
    const char *asg = NULL;
    int rc = 0;
    json_object_set_new(in, "Answers", answers);
    json_object_set_new(in, "Files", files);
    for (size_t i = 0; i < f->n && !rc; i++) {
        const struct form_field *x = &f->f[i];
        if (strcmp(x->name, "assignmentId") == 0) {
            if (x->filename)
                rc = ts_failk(err, TS_EINVAL, "BadForm", "assignmentId must not be a file");
            else if (asg && strcmp(asg, x->value) != 0)
                rc = ts_failk(err, TS_EINVAL, "BadForm",
                              "the form sends two different assignmentId values");
            else if (!asg && x->value_len > 0)
                asg = x->value;
            continue;
        }
        if (x->filename) {
            json_t *o = json_object();
            json_object_set_new(o, "Field", json_string(x->name));
            json_object_set_new(o, "FileName", json_string(x->filename));
            /* Bytes, not text: never serialised, only handed to the operation. */
            json_object_set_new(o, "Data", json_stringn_nocheck(x->value, x->value_len));
            json_array_append_new(files, o);
            continue;
        }
        json_t *v = json_stringn(x->value, x->value_len), *old = json_object_get(answers, x->name);
        if (!v) {
            rc = ts_failk(err, TS_EINVAL, "BadForm", "form field \"%.64s\" is not UTF-8 text",
                          x->name);
        } else if (!old) {
            json_object_set_new(answers, x->name, v);
        } else if (json_is_array(old)) {
            json_array_append_new(old, v);
        } else {
            json_t *arr = json_array();
            json_array_append(arr, old);
            json_array_append_new(arr, v);
            json_object_set_new(answers, x->name, arr);
        }
    }
    if (!rc && asg)
        json_object_set_new(in, "AssignmentId", json_string(asg));
    return rc;
}

static unsigned error_status(int code)
{
    return code == TS_ETOOBIG ? 413 : door_status(code);
}

/* The heading of a page that reports a failed job of op. */
static const char *fail_title(const struct op *op)
{
    if (op == &ops_form_submit || op == &ops_form_submit_token)
        return "Your work was not submitted";
    if (op == &ops_form_qtest_submit)
        return "Your test was not handed in";
    return "This page cannot be shown";
}

void door_form_bad_link(enum door_link where, struct door_reply *reply)
{
    static const struct op *const ops[] = {&ops_form_page, &ops_form_submit,
                                           &ops_form_qtest_page, &ops_form_qtest_submit};
    int test = where == DOOR_LINK_TEST_PAGE || where == DOOR_LINK_TEST_SUBMIT;
    own_page(403, fail_title(ops[where]), test ? CAP_QTEST_INVALID : CAP_SUBMIT_INVALID,
             reply);
}

/* A link that is not even shaped like a capability is refused here, on the network
 * thread, without a trip to the executor (the MAC is checked there), with the answer a
 * forged link gets. */
static int cap_malformed(const char *cap, enum door_link where, struct door_reply *reply)
{
    char id[32];
    struct ts_error err = {0};
    if (!cap || cap_submit_parse(cap, id, &err) == 0)
        return 0;
    door_form_bad_link(where, reply);
    return -1;
}

/* job->in from a posted form: the fields of query (when given) and, when post, of the
 * body, as form_to_in lays them out. Non-zero with reply filled when they do not parse. */
static int form_in(const char *query, int post, const char *content_type, const char *body,
                   size_t n, struct exec_job *job, struct door_reply *reply)
{
    struct form f = FORM_INIT;
    struct ts_error err = {0};
    int rc = 0;

    if (query && *query)
        rc = form_parse_urlencoded(&f, query, strlen(query), &err);
    if (!rc && post)
        rc = form_parse(&f, content_type, body, n, &err);
    job->in = json_object();
    if (!rc)
        rc = form_to_in(&f, job->in, &err);
    form_release(&f);
    if (rc) {
        json_decref(job->in);
        job->in = NULL;
        door_form_error(error_status(rc), err.msg, reply);
        return -1;
    }
    return 0;
}

/* The checks that need no body: whether a form to this address can be taken at all. */
static int submit_refused(const char *cap, const char *authorization, const char *method,
                          struct door_reply *reply)
{
    if (cap_malformed(cap, DOOR_LINK_TASK_SUBMIT, reply))
        return -1;
    if (strcmp(method, "POST") != 0 && strcmp(method, "GET") != 0) {
        door_form_error(405, "a form is submitted with POST or GET", reply);
        return -1;
    }
    if (!cap && (!authorization || strncmp(authorization, "Bearer ", 7) != 0 ||
                 !authorization[7] || strlen(authorization + 7) > 128)) {
        door_form_error(401,
                        "this address takes forms from clients with an Authorization: "
                        "Bearer <token> header; a browser posts to the task's own link "
                        "(turkSubmitTo + /mturk/externalSubmit)",
                        reply);
        return -1;
    }
    return 0;
}

int door_form_submit_early(const char *cap, const char *authorization, const char *method,
                           struct door_reply *reply)
{
    return submit_refused(cap, authorization, method, reply);
}

int door_form_submit_prepare(const char *cap, const char *authorization, const char *method,
                             const char *query, const char *content_type, const char *body,
                             size_t n, int toobig, struct exec_job *job,
                             struct door_reply *reply)
{
    char msg[160];
    int post = strcmp(method, "POST") == 0;

    memset(job, 0, sizeof *job);
    if (submit_refused(cap, authorization, method, reply))
        return -1;
    if (toobig || (post && n > DOOR_MAX_BODY && content_type &&
                   strncasecmp(content_type, "multipart/form-data", 19) != 0)) {
        snprintf(msg, sizeof msg,
                 "the form is too large: at most %zu bytes with files (multipart/form-data), "
                 "%zu bytes otherwise",
                 FORM_MAX_BODY, DOOR_MAX_BODY);
        door_form_error(413, msg, reply);
        return -1;
    }
    if (!cap) {
        secrets_token_hash(authorization + 7, job->token_hash);
        job->has_token = 1;
    }
    if (form_in(query, post, content_type, body, n, job, reply))
        return -1;
    if (cap) {
        json_object_set_new(job->in, "Capability", json_string(cap));
        job->op = &ops_form_submit;
    } else {
        job->op = &ops_form_submit_token;
    }
    return 0;
}

/* ---- pages ------------------------------------------------------------------------ */

/* Whether a query string already carries the page parameters (assignmentId). */
static int has_params(const char *query)
{
    struct form f = FORM_INIT;
    struct ts_error err = {0};
    int yes = 0;
    if (query && *query && form_parse_urlencoded(&f, query, strlen(query), &err) == 0)
        for (size_t i = 0; i < f.n; i++)
            if (strcmp(f.f[i].name, "assignmentId") == 0)
                yes = 1;
    form_release(&f);
    return yes;
}

int door_form_qtest_prepare(const char *cap, int submit, const char *method,
                            const char *content_type, const char *body, size_t n, int toobig,
                            struct exec_job *job, struct door_reply *reply)
{
    struct ts_error err = {0};
    char id[32];

    memset(job, 0, sizeof *job);
    if (cap_submit_parse(cap, id, &err)) { /* the same shape as a task link */
        door_form_bad_link(submit ? DOOR_LINK_TEST_SUBMIT : DOOR_LINK_TEST_PAGE, reply);
        return -1;
    }
    if (!submit) {
        if (strcmp(method, "GET") != 0) {
            door_form_error(405, "the test page is read with GET", reply);
            return -1;
        }
        job->op = &ops_form_qtest_page;
        job->in = json_object();
        json_object_set_new(job->in, "Capability", json_string(cap));
        return 0;
    }
    if (strcmp(method, "POST") != 0) {
        door_form_error(405, "a test is handed in with POST", reply);
        return -1;
    }
    if (toobig) {
        door_form_error(413, "the form is too large", reply);
        return -1;
    }
    if (form_in(NULL, 1, content_type, body, n, job, reply))
        return -1;
    json_object_set_new(job->in, "Capability", json_string(cap));
    job->op = &ops_form_qtest_submit;
    return 0;
}

int door_form_page_prepare(const char *cap, const char *query, struct exec_job *job,
                           struct door_reply *reply)
{
    memset(job, 0, sizeof *job);
    if (cap_malformed(cap, DOOR_LINK_TASK_PAGE, reply))
        return -1;
    job->op = &ops_form_page;
    job->in = json_object();
    json_object_set_new(job->in, "Capability", json_string(cap));
    json_object_set_new(job->in, "HasParams", json_boolean(has_params(query)));
    return 0;
}

int door_form_preview_prepare(const char *hit_id, const char *query, struct exec_job *job,
                              struct door_reply *reply)
{
    json_t *id = json_string(hit_id);
    memset(job, 0, sizeof *job);
    if (!id) { /* not UTF-8, so no HIT's id; it could not reach the operation either */
        door_form_error(404, "there is no HIT by that name", reply);
        return -1;
    }
    job->op = &ops_form_preview;
    job->in = json_object();
    json_object_set_new(job->in, "HITId", id);
    json_object_set_new(job->in, "HasParams", json_boolean(has_params(query)));
    return 0;
}

int door_form_download_prepare(const char *key, const char *query, struct exec_job *job,
                               struct door_reply *reply)
{
    struct form f = FORM_INIT;
    struct ts_error err = {0};
    const char *sig = NULL, *exp = NULL;
    int64_t expires = -1;
    memset(job, 0, sizeof *job);
    if (query && *query)
        (void)form_parse_urlencoded(&f, query, strlen(query), &err);
    for (size_t i = 0; i < f.n; i++) {
        if (strcmp(f.f[i].name, "signature") == 0)
            sig = f.f[i].value;
        else if (strcmp(f.f[i].name, "expires") == 0)
            exp = f.f[i].value;
    }
    /* A key that is not UTF-8 is no key this server made (and no JSON string). */
    if (!sig || !exp || parse_i64(exp, strlen(exp), 0, INT64_MAX / 1000, &expires) ||
        text_utf8_chars(key, strlen(key)) < 0) {
        form_release(&f);
        door_form_error(403, "this download link is incomplete or altered; ask "
                             "GetFileUploadURL for a new one",
                        reply);
        return -1;
    }
    job->op = &ops_form_download;
    job->in = json_object();
    json_object_set_new(job->in, "Key", json_string(key));
    json_object_set_new(job->in, "Expires", json_integer(expires));
    json_object_set_new(job->in, "Signature", json_string(sig));
    form_release(&f);
    return 0;
}

/* The worker's view of the task: the requester's HTML (task content, including a
 * rendered QuestionForm) served sandboxed with MTurk's submit URLs pointing here, or a
 * frame around the requester's ExternalURL. */
static void task_page(json_t *task, const char *submit_url, struct door_reply *r)
{
    const char *html = json_string_value(json_object_get(task, "Content"));
    const char *ext = json_string_value(json_object_get(task, "ExternalURL"));
    const char *title = json_string_value(json_object_get(task, "Title"));
    json_int_t height = json_integer_value(json_object_get(task, "FrameHeight"));
    struct buf b = BUF_INIT(BUF_MAX_TEXT);
    if (html) {
        door_form_rewrite(html, submit_url, &b);
        set_body(r, 200, &b, "text/html; charset=utf-8");
        add_header(r, "Content-Security-Policy", CSP_TASK);
    } else if (ext) {
        char h[32];
        if (height > 0)
            snprintf(h, sizeof h, "%lldpx", (long long)height);
        else
            snprintf(h, sizeof h, "100%%");
        buf_puts(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>");
        put_text(&b, title ? title : "Task");
        buf_printf(&b, "</title><style>html,body{margin:0;height:100%%}iframe{display:block;"
                       "border:0;width:100%%;height:%s}</style></head>\n<body><iframe src=\"",
                   h);
        put_text(&b, ext);
        buf_puts(&b, "\"></iframe></body></html>\n");
        set_body(r, 200, &b, "text/html; charset=utf-8");
        add_header(r, "Content-Security-Policy", CSP_FRAME);
    } else {
        buf_release(&b);
        door_form_error(500, "this task has no content to show", r);
        return;
    }
    /* The page's own URL is a credential: never send it on in a Referer. */
    add_header(r, "Referrer-Policy", "no-referrer");
    add_header(r, "X-Content-Type-Options", "nosniff");
}

static void redirect(const char *path, const char *query, struct door_reply *r)
{
    struct buf loc = BUF_INIT(8192);
    buf_printf(&loc, "%s?%s", path, query);
    own_page(303, "See the task page", "The task is at its page address.", r);
    add_header(r, "Location", loc.p);
    buf_release(&loc);
}

static void page_reply(struct exec_job *job, struct door_reply *r)
{
    const char *status = json_string_value(json_object_get(job->out, "AssignmentStatus"));
    const char *cap = json_string_value(json_object_get(job->in, "Capability"));
    json_t *task = json_object_get(job->out, "Task");
    char msg[200];
    if (status && strcmp(status, "Accepted") != 0) {
        int done = strcmp(status, "Returned") != 0 && strcmp(status, "Abandoned") != 0;
        snprintf(msg, sizeof msg,
                 done ? "This assignment was submitted already (it is %s); there is nothing "
                        "more to do here."
                      : "This assignment is %s: it is no longer yours to work on.",
                 status);
        own_page(done ? 200 : 410, done ? "Already submitted" : "No longer available", msg, r);
        return;
    }
    if (!json_is_true(json_object_get(job->in, "HasParams"))) {
        struct buf path = BUF_INIT(256);
        buf_printf(&path, "/w/%s/task", cap);
        redirect(path.p, json_string_value(json_object_get(job->out, "PageQuery")), r);
        buf_release(&path);
        return;
    }
    task_page(task, json_string_value(json_object_get(task, "SubmitURL")), r);
}

static void preview_reply(struct exec_job *job, struct door_reply *r)
{
    if (!json_is_true(json_object_get(job->in, "HasParams"))) {
        struct buf path = BUF_INIT(256);
        buf_printf(&path, "/preview/%s", json_string_value(json_object_get(job->in, "HITId")));
        redirect(path.p, json_string_value(json_object_get(job->out, "PageQuery")), r);
        buf_release(&path);
        return;
    }
    task_page(json_object_get(job->out, "Task"),
              json_string_value(json_object_get(job->out, "SubmitURL")), r);
}

static void qtest_reply(struct exec_job *job, struct door_reply *r)
{
    const char *status = json_string_value(json_object_get(job->out, "Status"));
    const char *reason = json_string_value(json_object_get(job->out, "Reason"));
    char msg[1200];
    if (status && strcmp(status, "Granted") == 0)
        snprintf(msg, sizeof msg, "Your test was scored: you have the qualification, with "
                                  "the value %lld.",
                 (long long)json_integer_value(json_object_get(job->out, "IntegerValue")));
    else if (status && strcmp(status, "Rejected") == 0)
        snprintf(msg, sizeof msg, "Your test was scored, and the qualification was not "
                                  "granted: %s",
                 reason ? reason : "");
    else
        snprintf(msg, sizeof msg, "Your test was handed in; the requester will review it.");
    own_page(200, "Thank you", msg, r);
}

static void download_reply(struct exec_job *job, struct door_reply *r)
{
    json_t *data = json_object_get(job->out, "Data");
    struct buf b = BUF_INIT(FORM_MAX_FILE + 1);
    char disp[96];
    buf_append(&b, json_string_value(data), json_string_length(data));
    /* Never the uploader's type: an HTML file must not render from Tessera's origin. */
    set_body(r, 200, &b, "application/octet-stream");
    snprintf(disp, sizeof disp, "attachment; filename=\"%s\"",
             json_string_value(json_object_get(job->in, "Key")));
    add_header(r, "Content-Disposition", disp);
    add_header(r, "X-Content-Type-Options", "nosniff");
    add_header(r, "Content-Security-Policy", "sandbox");
}

void door_form_reply(struct exec_job *job, struct door_reply *reply)
{
    if (job->rc) {
        own_page(error_status(job->rc), fail_title(job->op), job->err.msg, reply);
        return;
    }
    if (job->op == &ops_form_page)
        page_reply(job, reply);
    else if (job->op == &ops_form_preview)
        preview_reply(job, reply);
    else if (job->op == &ops_form_download)
        download_reply(job, reply);
    else if (job->op == &ops_form_qtest_page)
        task_page(json_object_get(job->out, "Task"),
                  json_string_value(json_object_get(job->out, "SubmitURL")), reply);
    else if (job->op == &ops_form_qtest_submit)
        qtest_reply(job, reply);
    else
        own_page(200, "Thank you",
                 "Your work was submitted. You can close this page or go back to find more "
                 "work.",
                 reply);
}
