/* door.h: the native door: `POST /api/v1/<Operation>` with a JSON body and
 * `Authorization: Bearer <token>`, answering JSON, errors as
 * {"error":{"code":"…","message":"…"}}. The HTTP layer hands it bytes and headers and
 * sends back what it replies; the door knows no HTTP library. */
#ifndef TS_DOOR_H
#define TS_DOOR_H
#include <stddef.h>
#include "exec.h"

#define DOOR_MAX_HEADERS 6

struct door_reply {
    unsigned status;
    char *body; /* heap; the HTTP layer frees it */
    size_t len;
    const char *content_type; /* NULL: application/json */
    int request_id;           /* 1: send an x-amzn-RequestId header */
    /* More response headers: static names, heap values the HTTP layer frees. */
    size_t n_headers;
    struct {
        const char *name;
        char *value;
    } headers[DOOR_MAX_HEADERS];
};

#define DOOR_MAX_BODY ((size_t)8 << 20)

/* Parses and checks a request. Returns 0 with job ready to run (job->in owned by the
 * caller: json_decref it after the reply), or non-zero with reply filled. */
int door_native_prepare(const char *op_name, const char *authorization, const char *body,
                        size_t n, struct exec_job *job, struct door_reply *reply);
/* The reply for a job the executor has run; takes job->out. */
void door_native_reply(struct exec_job *job, struct door_reply *reply);
void door_error(unsigned status, const char *code, const char *msg, struct door_reply *reply);
/* The HTTP status for an error code. */
unsigned door_status(int code);

#endif
