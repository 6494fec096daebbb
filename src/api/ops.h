/* ops.h: the operation groups that op.c assembles into the one table. */
#ifndef TS_OPS_H
#define TS_OPS_H
#include <stddef.h>
#include "op.h"
#include "../util/buf.h"

extern const struct op ops_requester[];
extern const size_t ops_requester_n;
extern const struct op ops_work[];          /* ops_work.c: find, accept, do and submit work */
extern const size_t ops_work_n;
extern const struct op ops_account[];       /* ops_account.c: earnings, profile, messages */
extern const size_t ops_account_n;
extern const struct op ops_worker_quals[];  /* ops_worker_quals.c: asking, tests */
extern const size_t ops_worker_quals_n;
extern const struct op ops_batch[];
extern const size_t ops_batch_n;
extern const struct op ops_quals[];
extern const size_t ops_quals_n;
extern const struct op ops_notify[];
extern const size_t ops_notify_n;
extern const struct op ops_layouts[];
extern const size_t ops_layouts_n;
extern const struct op ops_review[];
extern const size_t ops_review_n;
extern const struct op ops_auth[];
extern const size_t ops_auth_n;

/* Reads the HIT type members (Title, Description, Reward, ...) of in into t for the
 * caller. Strings are borrowed from in except t->quals_json, which the caller frees. */
int ops_read_hit_type(struct op_ctx *c, json_t *in, struct hit_type *t, struct ts_error *err);

/* The worker that in's WorkerId names: a pseudonym the caller has been shown (the worker
 * accepted one of its HITs or asked for one of its qualifications). "WorkerDoesNotExist"
 * otherwise. */
int ops_worker_named(struct op_ctx *c, json_t *in, int64_t *worker, struct ts_error *err);

/* The assignment id a preview page shows, as MTurk's do: pages disable their submit
 * button when they see it. */
#define OPS_PREVIEW_ASSIGNMENT "ASSIGNMENT_ID_NOT_AVAILABLE"

/* Appends to submit_to the assignment's turkSubmitTo, <base_url>/w/<capability>, and to
 * query the parameters MTurk gives a task page: assignmentId, hitId, workerId (the
 * requester's pseudonym of the worker) and turkSubmitTo, percent-encoded. */
void ops_task_urls(struct op_ctx *c, const struct assignment *a, struct buf *submit_to,
                   struct buf *query);

/* Fills task with the task as a worker's page shows it: Title, Description,
 * RequesterName, Reward, FrameHeight, QuestionType, then Content (HTML to show) or
 * ExternalURL (with the page parameters), and Input. With an assignment a (NULL for a
 * preview) also PageURL (the task page, <base_url>/w/<capability>/task?<parameters>) and
 * SubmitURL (where its form posts). h's texts must be loaded. */
int ops_render_task(struct op_ctx *c, const struct assignment *a, const struct hit *h,
                    json_t *task, struct ts_error *err);

/* Operations reached only through the form door (door_form.c), never by name. */
extern const struct op ops_form_submit;       /* a form posted to /w/<cap>/mturk/externalSubmit */
extern const struct op ops_form_submit_token; /* a form posted with a worker's bearer token */
extern const struct op ops_form_page;         /* the task page of /w/<cap> */
extern const struct op ops_form_preview;      /* /preview/<HITId> */
extern const struct op ops_form_download;     /* a signed /mturk/upload/ link */
extern const struct op ops_form_qtest_page;   /* a running qualification test, /q/<cap> */
extern const struct op ops_form_qtest_submit; /* its form posted to /q/<cap>/submit */

extern const struct op ops_files[];
extern const size_t ops_files_n;

#endif
