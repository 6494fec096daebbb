/* door_mturk.c: the MTurk wire protocol (awsJson1_1) onto the operation table.
 *
 * On the network thread: the target names an operation of the MTurk API; the body is one
 * JSON object (members the operation does not know are ignored, as AWS does); the
 * Authorization header is parsed, and the headers it signs are copied, so that the
 * executor can check the signature, over the path and query as received, once it has
 * looked up the key's secret (it owns the only store connection); it also remembers the
 * signature of a write, which therefore takes effect at most once. Answers are JSON 1.1;
 * errors carry __type, Message and, for the platform's own errors, TurkErrorCode, ending
 * with the server time in ms as the real service's do. */
#include "door_mturk.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sigv4.h"
#include "../util/alloc.h"
#include "../util/clock.h"
#include "../util/banned.h"

#define SIG_MAX_HEADERS 32
/* What the executor needs to check a signature: the parsed Authorization, the signed
 * headers' values, the path and query as received, and the body. */
struct mturk_sig {
    struct sigv4_auth auth;
    size_t nh;
    char *names[SIG_MAX_HEADERS + 1];
    char *values[SIG_MAX_HEADERS + 1];
    const char *path, *query; /* borrowed, as the body */
    const char *body;
    size_t len;
};

static const char *sig_header(void *ctx, const char *lower_name)
{
    const struct mturk_sig *s = ctx;
    for (size_t i = 0; i < s->nh; i++)
        if (strcmp(s->names[i], lower_name) == 0)
            return s->values[i];
    return NULL;
}

static int sig_verify(void *ctx, const char *secret, int64_t now_ms, struct ts_error *err)
{
    struct mturk_sig *s = ctx;
    struct sigv4_request r = {"POST", s->path, s->query, sig_header, s, s->body, s->len};
    return sigv4_verify(&s->auth, &r, secret, now_ms, err);
}

static void sig_free(struct mturk_sig *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nh; i++) {
        free(s->names[i]);
        free(s->values[i]);
    }
    free(s);
}

static void sig_copy(struct mturk_sig *s, door_header_fn header, void *ctx, const char *name)
{
    const char *v = header(ctx, name);
    if (!v || s->nh >= SIG_MAX_HEADERS || sig_header(s, name))
        return;
    s->names[s->nh] = xstrdup(name);
    s->values[s->nh] = xstrdup(v);
    s->nh++;
}

static void reply_json(unsigned status, json_t *o, struct door_reply *r)
{
    r->status = status;
    r->body = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    if (!r->body)
        TS_BUG("cannot serialise a reply");
    r->len = strlen(r->body);
    r->content_type = "application/x-amz-json-1.1";
    r->request_id = 1;
    json_decref(o);
}

void door_mturk_error(unsigned status, const char *type, const char *turk_code,
                      const char *msg, struct door_reply *reply)
{
    char text[sizeof ((struct ts_error *)0)->msg + 32];
    json_t *o = json_object();
    snprintf(text, sizeof text, "%s (%lld)", msg, (long long)clock_now_ms());
    json_object_set_new(o, "__type", json_string(type));
    json_object_set_new(o, "Message", json_string(text));
    if (turk_code) {
        char code[128];
        snprintf(code, sizeof code, "AWS.MechanicalTurk.%s", turk_code);
        json_object_set_new(o, "TurkErrorCode", json_string(code));
    }
    reply_json(status, o, reply);
}

int door_mturk_prepare(door_header_fn header, void *ctx, const char *path, const char *query,
                       const char *body, size_t n, struct exec_job *job,
                       struct door_reply *reply)
{
    const char *target = header(ctx, "x-amz-target");
    const char *name;
    struct ts_error err = {0};
    struct mturk_sig *s;
    json_error_t jerr;
    char msg[300];

    memset(job, 0, sizeof *job);
    if (!target || strncmp(target, DOOR_MTURK_TARGET_PREFIX,
                           sizeof DOOR_MTURK_TARGET_PREFIX - 1) != 0) {
        snprintf(msg, sizeof msg,
                 "the X-Amz-Target header must be %s<Operation>, got \"%.100s\"",
                 DOOR_MTURK_TARGET_PREFIX, target ? target : "");
        door_mturk_error(400, "UnknownOperationException", NULL, msg, reply);
        return -1;
    }
    name = target + sizeof DOOR_MTURK_TARGET_PREFIX - 1;
    job->op = op_find(name);
    if (!job->op || !(job->op->flags & OP_MTURK)) {
        job->op = NULL;
        snprintf(msg, sizeof msg, "there is no operation called \"%.100s\"", name);
        door_mturk_error(400, "UnknownOperationException", NULL, msg, reply);
        return -1;
    }

    s = xcalloc(1, sizeof *s);
    if (sigv4_parse(header(ctx, "authorization"), header(ctx, "x-amz-date"), &s->auth, &err)) {
        sig_free(s);
        door_mturk_error(400, err.kind ? err.kind : "InvalidSignatureException", NULL, err.msg,
                         reply);
        return -1;
    }
    if (header(ctx, "x-amz-security-token")) {
        sig_free(s);
        door_mturk_error(400, "UnrecognizedClientException", NULL,
                         "Tessera issues no temporary credentials: sign with an access key "
                         "from tessera admin, without a session token",
                         reply);
        return -1;
    }
    /* The headers the signature covers, and the body hash if the client sent one. */
    for (const char *p = s->auth.signed_headers; *p;) {
        char h[128];
        size_t k = strcspn(p, ";");
        if (k > 0 && k < sizeof h) {
            memcpy(h, p, k);
            h[k] = '\0';
            sig_copy(s, header, ctx, h);
        }
        p += k;
        if (*p == ';')
            p++;
    }
    sig_copy(s, header, ctx, "x-amz-content-sha256");
    s->path = path;
    s->query = query;
    s->body = body;
    s->len = n;

    job->in = n ? json_loadb(body, n, JSON_REJECT_DUPLICATES, &jerr) : json_object();
    if (!job->in || !json_is_object(job->in)) {
        snprintf(msg, sizeof msg, "the body is not a JSON object: %s",
                 job->in ? "another JSON value" : jerr.text);
        json_decref(job->in);
        job->in = NULL;
        sig_free(s);
        door_mturk_error(400, "SerializationException", NULL, msg, reply);
        return -1;
    }
    job->access_key_id = s->auth.access_key_id;
    /* A write takes effect at most once per signature (docs/internals/sigv4.md). */
    job->signature = s->auth.signature;
    job->signed_ms = s->auth.amz_ms;
    job->verify = sig_verify;
    job->verify_ctx = s;
    return 0;
}

/* How a platform error reads on the MTurk wire: authentication errors keep their AWS
 * type, malformed members are ParameterValidationError, failures of the server are
 * ServiceFault (the SDKs retry those: nothing was committed), and the rest are
 * RequestError with the condition as TurkErrorCode. */
void door_mturk_reply(struct exec_job *job, struct door_reply *reply)
{
    const char *kind;

    if (!job->rc) {
        reply_json(200, job->out, reply);
        job->out = NULL;
        return;
    }
    kind = job->err.kind ? job->err.kind : ts_err_name(job->err.code);
    switch (job->err.code) {
    case TS_EAUTH:
        if (strcmp(kind, "AuthFailure") == 0 || strcmp(kind, "UnrecognizedClient") == 0)
            kind = "UnrecognizedClientException";
        door_mturk_error(400, kind, NULL, job->err.msg, reply);
        return;
    case TS_EFORBIDDEN:
        door_mturk_error(400, "AccessDeniedException", NULL, job->err.msg, reply);
        return;
    case TS_EIO:
    case TS_EBUSY:
        door_mturk_error(500, "ServiceFault", "ServiceUnavailable", job->err.msg, reply);
        return;
    default:
        break;
    }
    if (strcmp(kind, "ParameterValidationError") == 0)
        door_mturk_error(400, "ParameterValidationError", kind, job->err.msg, reply);
    else
        door_mturk_error(400, "RequestError", kind, job->err.msg, reply);
}

void door_mturk_release(struct exec_job *job)
{
    sig_free(job->verify_ctx);
    job->verify_ctx = NULL;
    job->verify = NULL;
    job->access_key_id = NULL;
    job->signature = NULL;
}
