/* door_form.h: the browser door. A worker's browser has no bearer token, so its task
 * page and the form it posts are reached through a submit capability in the path
 * (/w/<cap>, see core/cap.h); native clients may post the same form to
 * /mturk/externalSubmit with their token. Requesters' scripts fetch uploaded files by a
 * signed link. Every answer is a small HTML page (or the file's bytes), never JSON,
 * since a person is looking at it. Like the other doors it knows no HTTP library. */
#ifndef TS_DOOR_FORM_H
#define TS_DOOR_FORM_H
#include "door.h"
#include "../util/buf.h"

/* The body limit of a form submission: a multipart body with files may be this large;
 * any other body is held to DOOR_MAX_BODY. */
size_t door_form_max_body(void);

/* What can be refused from the request line and headers alone, before any body is read:
 * a link not shaped like a capability, a method other than POST or GET, or (cap NULL) a
 * missing bearer token. 0 when the body is worth reading, else non-zero with reply
 * filled. door_form_submit_prepare makes the same checks again. */
int door_form_submit_early(const char *cap, const char *authorization, const char *method,
                           struct door_reply *reply);
/* A form submitted by GET (query only) or POST (query, then body). cap is the capability
 * of /w/<cap>/mturk/externalSubmit, or NULL for /mturk/externalSubmit with the worker's
 * authorization ("Bearer <token>"). query is the raw query string (or NULL); toobig says
 * the body went over door_form_max_body(). Returns 0 with job ready, or non-zero with
 * reply filled. */
int door_form_submit_prepare(const char *cap, const char *authorization, const char *method,
                             const char *query, const char *content_type, const char *body,
                             size_t n, int toobig, struct exec_job *job,
                             struct door_reply *reply);
/* A running qualification test: its page /q/<cap> (submit 0, GET), or its form posted to
 * /q/<cap>/submit (submit 1, POST; urlencoded or multipart, no files). 0 with job ready,
 * or non-zero with reply filled. */
int door_form_qtest_prepare(const char *cap, int submit, const char *method,
                            const char *content_type, const char *body, size_t n, int toobig,
                            struct exec_job *job, struct door_reply *reply);
/* The task page /w/<cap> (or /w/<cap>/task); a request without the page parameters is
 * redirected to the URL that carries them. Like every prepare function here: 0 with job
 * ready, or non-zero with reply filled (a link not shaped like a capability). */
int door_form_page_prepare(const char *cap, const char *query, struct exec_job *job,
                           struct door_reply *reply);
/* The public preview /preview/<HITId> (redirected, as the page is, to carry
 * assignmentId=ASSIGNMENT_ID_NOT_AVAILABLE and hitId). */
int door_form_preview_prepare(const char *hit_id, const char *query, struct exec_job *job,
                              struct door_reply *reply);
/* A signed download link /mturk/upload/<key>?expires=...&signature=... */
int door_form_download_prepare(const char *key, const char *query, struct exec_job *job,
                               struct door_reply *reply);
/* The reply for a job prepared here, once the executor has run it. */
void door_form_reply(struct exec_job *job, struct door_reply *reply);
/* A small HTML page saying what went wrong (msg HTML-escaped). */
void door_form_error(unsigned status, const char *msg, struct door_reply *reply);

/* Where a link that does not verify was used. */
enum door_link { DOOR_LINK_TASK_PAGE, DOOR_LINK_TASK_SUBMIT, DOOR_LINK_TEST_PAGE,
                 DOOR_LINK_TEST_SUBMIT };
/* The answer to a link that is malformed: 403, the very page a forged one gets from the
 * executor, so a guess learns nothing from the difference. */
void door_form_bad_link(enum door_link where, struct door_reply *reply);

/* Rewrites html for serving: every occurrence of MTurk's hard-coded submit URLs
 * (https://www.mturk.com/mturk/externalSubmit, https://workersandbox.mturk.com/...) is
 * replaced by submit_url (query strings after them are kept). Appends to out. */
void door_form_rewrite(const char *html, const char *submit_url, struct buf *out);

#endif
