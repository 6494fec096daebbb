/* door_native.c: the native JSON door onto the operation table. Every request is
 * validated here before it reaches the executor: the body is one JSON object, the
 * operation exists, every member is one it knows; unknown members are refused so that
 * a misspelt field never passes silently. */
#include "door.h"
#include <string.h>
#include <stdlib.h>
#include "../core/secrets.h"
#include "../util/alloc.h"
#include "../util/banned.h"

unsigned door_status(int code)
{
    switch (code) {
    case TS_EINVAL: return 400;
    case TS_EAUTH: return 401;
    case TS_EFUNDS: return 402;
    case TS_EFORBIDDEN: return 403;
    case TS_ENOTFOUND: return 404;
    case TS_ECONFLICT: return 409;
    case TS_EDUPLICATE: return 409;
    case TS_ETOOBIG: return 400; /* a member over its limit; a whole body over the limit is
                                  * refused by the server with 413 before it gets here */
    case TS_EBUSY: return 503;
    case TS_ETOOMANY: return 429;
    default: return 500;
    }
}

static void reply_json(unsigned status, json_t *o, struct door_reply *r)
{
    r->status = status;
    r->content_type = NULL;
    r->request_id = 0;
    r->body = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
    if (!r->body)
        TS_BUG("cannot serialise a reply");
    r->len = strlen(r->body);
    json_decref(o);
}

void door_error(unsigned status, const char *code, const char *msg, struct door_reply *r)
{
    json_t *e = json_object();
    json_object_set_new(e, "code", json_string(code));
    json_object_set_new(e, "message", json_string(msg));
    json_t *o = json_object();
    json_object_set_new(o, "error", e);
    reply_json(status, o, r);
}

int door_native_prepare(const char *op_name, const char *authorization, const char *body,
                        size_t n, struct exec_job *job, struct door_reply *reply)
{
    json_error_t jerr;
    struct ts_error err = {0};
    char msg[300];

    memset(job, 0, sizeof *job);
    job->op = op_find(op_name);
    if (!job->op) {
        snprintf(msg, sizeof msg, "there is no operation called \"%.100s\"; see docs/api.md",
                 op_name);
        door_error(404, "UnknownOperation", msg, reply);
        return -1;
    }
    if (authorization) {
        const char *p = authorization;
        if (strncmp(p, "Bearer ", 7) != 0 || strlen(p + 7) == 0 || strlen(p + 7) > 128) {
            door_error(401, "UnrecognizedClient",
                       "the Authorization header must be \"Bearer <token>\"", reply);
            return -1;
        }
        secrets_token_hash(p + 7, job->token_hash);
        job->has_token = 1;
    }
    if (n == 0) {
        door_error(400, "SerializationException", "the body must be a JSON object, e.g. {}",
                   reply);
        return -1;
    }
    job->in = json_loadb(body, n, JSON_REJECT_DUPLICATES, &jerr);
    if (!job->in || !json_is_object(job->in)) {
        snprintf(msg, sizeof msg, "the body is not a JSON object: %s (line %d, column %d)",
                 job->in ? "another JSON value" : jerr.text, jerr.line, jerr.column);
        json_decref(job->in);
        job->in = NULL;
        door_error(400, "SerializationException", msg, reply);
        return -1;
    }
    if (op_check_fields(job->op, job->in, &err)) {
        json_decref(job->in);
        job->in = NULL;
        door_error(400, err.kind ? err.kind : "UnknownField", err.msg, reply);
        return -1;
    }
    return 0;
}

void door_native_reply(struct exec_job *job, struct door_reply *reply)
{
    if (job->rc) {
        door_error(door_status(job->rc), job->err.kind ? job->err.kind : ts_err_name(job->err.code),
                   job->err.msg, reply);
        if (job->retry_after_s > 0 && reply->n_headers < DOOR_MAX_HEADERS) {
            char v[24];
            snprintf(v, sizeof v, "%d", job->retry_after_s);
            reply->headers[reply->n_headers].name = "Retry-After";
            reply->headers[reply->n_headers].value = xstrdup(v);
            reply->n_headers++;
        }
        return;
    }
    reply_json(200, job->out, reply);
    job->out = NULL;
}
