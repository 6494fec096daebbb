/* route.h: where a request goes, decided from its path and method alone. Pure (no HTTP
 * library, no allocation, no state), so that it can be fuzzed (fuzz/fuzz_route.c);
 * server.c acts on the answer by calling the door it names. */
#ifndef TS_ROUTE_H
#define TS_ROUTE_H
#include "../core/cap.h"

enum http_route_kind {
    ROUTE_NOT_FOUND,      /* 404 NotFound (JSON): nothing lives there */
    ROUTE_HEALTHZ,        /* /healthz; method_ok: GET or HEAD, else 405 */
    ROUTE_NATIVE,         /* /api/v1/<arg>; method_ok: POST, else 405 */
    ROUTE_MTURK,          /* POST / */
    ROUTE_SUBMIT,         /* /mturk/externalSubmit, or /w/<cap>/mturk/externalSubmit (has_cap) */
    ROUTE_TASK,           /* /w/<cap>, /w/<cap>/ or /w/<cap>/task; method_ok: GET, else 405 */
    ROUTE_TEST,           /* /q/<cap>[/] (submit 0) or /q/<cap>/submit (submit 1) */
    ROUTE_PREVIEW,        /* /preview/<arg>; method_ok: GET, else 405 (checked before arg) */
    ROUTE_UPLOAD,         /* /mturk/upload/<arg>; method_ok as for ROUTE_PREVIEW */
    ROUTE_BAD_TASK_LINK,  /* 403 (HTML), as a forged link: /w/ with an empty or over-long
                           * capability (submit: its externalSubmit) */
    ROUTE_NO_TASK_PAGE,   /* 404 (HTML): /w/<cap>/<anything else> */
    ROUTE_BAD_TEST_LINK,  /* 403 (HTML), as a forged link: /q/ with an empty or over-long
                           * capability (submit: its /submit) */
    ROUTE_NO_TEST_PAGE,   /* 404 (HTML): /q/<cap>/<anything but submit> */
    ROUTE_NO_PUBLIC_PAGE, /* 404 (HTML): /preview/ or /mturk/upload/ with an empty, '/'-holding
                           * or over-64-byte name */
};

/* The door a request came through, told by its path alone (not the method), so that it is
 * known on the first sight of the headers and answers everything after: the body limit,
 * a refusal before the body (413) or for want of memory (503), the reply. */
enum http_door {
    HTTP_DOOR_NATIVE,    /* anything not below: /api/v1/, /healthz, unknown paths */
    HTTP_DOOR_MTURK,     /* "/" (ROUTE_MTURK when the method is POST) */
    HTTP_DOOR_FORM_POST, /* /mturk/externalSubmit and every path http_submit_link takes */
    HTTP_DOOR_PAGE,      /* the rest of /w/, /q/, /mturk/ and /preview/ */
};

struct http_route {
    enum http_route_kind kind;
    enum http_door door;      /* ROUTE_NATIVE, ROUTE_HEALTHZ: NATIVE; ROUTE_MTURK: MTURK;
                               * ROUTE_SUBMIT: FORM_POST; the other link and page kinds:
                               * FORM_POST or PAGE; ROUTE_NOT_FOUND: any */
    int method_ok;            /* the method is one this route takes (see each kind) */
    int has_cap;              /* cap holds the link's capability */
    int submit;               /* ROUTE_TEST, ROUTE_BAD_*_LINK: the form, not the page */
    char cap[CAP_SUBMIT_MAX]; /* NUL-terminated, 1..CAP_SUBMIT_MAX-1 bytes, no '/' */
    const char *arg;          /* points into url: the operation, HIT id or upload key */
};

/* Routes the decoded path url and method (both NUL-terminated, borrowed) into *out. */
void http_route(const char *url, const char *method, struct http_route *out);

/* 1 when url is /w/<cap>/mturk/externalSubmit, with the capability (cut to
 * CAP_SUBMIT_MAX-1 bytes) in cap; 0 otherwise. This decides, before any body is read,
 * which requests may send a form with files. */
int http_submit_link(const char *url, char cap[CAP_SUBMIT_MAX]);

#endif
