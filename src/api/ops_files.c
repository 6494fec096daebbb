/* ops_files.c: work submitted from a browser, and the files it carries. The form door
 * (door_form.c) turns a task page's form into a request for one of the operations
 * here: submit by capability or by bearer token, show the task page, or stream an
 * uploaded file by a signed link. Submissions go through the core's asg_submit_posted,
 * the native SubmitAssignment's path, so the rules are the same. GetFileUploadURL (MTurk)
 * signs the link. */
#include "ops.h"
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sodium.h>
#include "param.h"
#include "../core/asg.h"
#include "../core/cap.h"
#include "../core/secrets.h"
#include "../core/timers.h"
#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/banned.h"

/* The assignment a capability names, once its MAC checks out against the assignment's
 * worker. A capability for an assignment that does not exist is just as invalid. */
static int cap_assignment(struct op_ctx *c, json_t *in, struct assignment *a,
                          struct ts_error *err)
{
    const char *cap = json_string_value(json_object_get(in, "Capability"));
    char id[32];
    int rc = cap ? cap_submit_parse(cap, id, err)
                 : ts_failk(err, TS_EINVAL, "BadCapability", "no task link was given");
    if (rc)
        return rc;
    rc = store_asg_get(c->core->st, id, a, err);
    if (rc == TS_ENOTFOUND)
        return ts_failk(err, TS_EFORBIDDEN, "BadCapability", CAP_SUBMIT_INVALID);
    if (rc)
        return rc;
    rc = cap_submit_check(c->core->sec, cap, a->id, a->worker_id, err);
    if (rc)
        store_asg_release(a);
    return rc;
}

/* Stores each uploaded file of in's Files and puts its answer {UploadedFileKey,
 * UploadedFileSizeInBytes} into answers. A file input left empty (no name, no bytes)
 * answers "". */
static int store_files(struct op_ctx *c, const char *asg_id, json_t *files, json_t *answers,
                       struct ts_error *err)
{
    size_t i;
    json_t *f;
    json_array_foreach(files, i, f)
    {
        const char *field = json_string_value(json_object_get(f, "Field"));
        const char *name = json_string_value(json_object_get(f, "FileName"));
        json_t *data = json_object_get(f, "Data");
        struct upload u;
        int rc;
        if (!field || !json_is_string(data))
            TS_BUG("the form door sent a file without Field or Data");
        if (json_object_get(answers, field))
            return ts_failk(err, TS_EINVAL, "BadForm",
                            "the form sends more than one value for the file field \"%.64s\"",
                            field);
        if (json_string_length(data) == 0 && (!name || !name[0])) {
            json_object_set_new(answers, field, json_string(""));
            continue;
        }
        memset(&u, 0, sizeof u);
        secrets_id_new(u.key);
        memcpy(u.asg_id, asg_id, strlen(asg_id) + 1);
        u.field = (char *)field;
        u.size = (int64_t)json_string_length(data);
        u.data = (char *)json_string_value(data);
        u.created_ms = c->core->now_ms;
        crypto_hash_sha256(u.sha256, (const unsigned char *)u.data, (unsigned long long)u.size);
        rc = store_upload_insert(c->core->st, &u, err);
        if (rc)
            return rc;
        json_t *o = json_object();
        json_object_set_new(o, "UploadedFileKey", json_string(u.key));
        json_object_set_new(o, "UploadedFileSizeInBytes", json_integer(u.size));
        json_object_set_new(answers, field, o);
    }
    return 0;
}

/* The submission shared by both doors: files first (in this operation's savepoint, so a
 * refused submission stores none), then the core's asg_submit_posted. */
static int submit(struct op_ctx *c, int64_t worker_id, const char *asg_id, json_t *in,
                  json_t *out, struct ts_error *err)
{
    json_t *answers = json_deep_copy(json_object_get(in, "Answers"));
    int rc;
    if (!json_is_object(answers))
        TS_BUG("the form door sent no Answers object");
    rc = store_files(c, asg_id, json_object_get(in, "Files"), answers, err);
    if (!rc && json_object_size(answers) == 0)
        rc = ts_failk(err, TS_EINVAL, "BadForm",
                      "the form sends no answer: it needs at least one field besides "
                      "assignmentId");
    if (rc) {
        json_decref(answers);
        return rc;
    }
    rc = asg_submit_posted(c->core, worker_id, asg_id, answers, err);
    json_decref(answers);
    if (!rc)
        json_object_set_new(out, "AssignmentId", json_string(asg_id));
    return rc;
}

static const char *form_asg_id(json_t *in)
{
    return json_string_value(json_object_get(in, "AssignmentId"));
}

static int no_asg_id(struct ts_error *err)
{
    return ts_failk(err, TS_EINVAL, "BadForm",
                    "the form must send the field assignmentId (the assignment being "
                    "submitted)");
}

static int op_form_submit(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    struct assignment a;
    const char *id = form_asg_id(in);
    int rc = cap_assignment(c, in, &a, err);
    if (rc)
        return rc;
    if (!id)
        rc = no_asg_id(err);
    else if (strcmp(id, a.id) != 0)
        rc = ts_failk(err, TS_EINVAL, "BadForm",
                      "the form's assignmentId \"%.40s\" is not the assignment of this task "
                      "link (%s)",
                      id, a.id);
    else
        rc = submit(c, a.worker_id, a.id, in, out, err);
    store_asg_release(&a);
    return rc;
}

static int op_form_submit_token(struct op_ctx *c, json_t *in, json_t *out,
                                struct ts_error *err)
{
    const char *id = form_asg_id(in);
    struct assignment a;
    int rc;
    if (!id)
        return no_asg_id(err);
    /* Refuse another worker's assignment before any file is stored. */
    rc = asg_get_worker(c->core, c->who.id, id, &a, err);
    if (rc)
        return rc;
    store_asg_release(&a);
    return submit(c, c->who.id, id, in, out, err);
}

static int op_form_page(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    struct assignment a, now;
    struct hit h;
    int rc = cap_assignment(c, in, &a, err);
    if (rc)
        return rc;
    /* Settle a passed deadline first, as every worker operation does. */
    rc = asg_get_worker(c->core, a.worker_id, a.id, &now, err);
    store_asg_release(&a);
    if (rc)
        return rc;
    json_object_set_new(out, "AssignmentStatus", json_string(asg_status_name(now.status)));
    /* The page renders the task only when it shows it: to the link with its parameters
     * (the bare link is redirected there), while the assignment is Accepted. */
    if (!asg_in_progress(&now)) {
        store_asg_release(&now);
        return 0;
    }
    if (!json_is_true(json_object_get(in, "HasParams"))) {
        struct buf to = BUF_INIT(1024), query = BUF_INIT(2048);
        ops_task_urls(c, &now, &to, &query);
        json_object_set_new(out, "PageQuery", json_string(query.p));
        buf_release(&to);
        buf_release(&query);
        store_asg_release(&now);
        return 0;
    }
    rc = store_hit_get(c->core->st, now.hit_id, &h, err);
    if (!rc) {
        rc = store_hit_load_texts(c->core->st, &h, err);
        if (!rc) {
            json_t *task = json_object();
            rc = ops_render_task(c, &now, &h, task, err);
            json_object_set_new(out, "Task", task);
        }
        store_hit_release(&h);
    }
    store_asg_release(&now);
    return rc;
}

static int op_form_preview(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    const char *id = NULL;
    struct hit h;
    int rc = param_id(in, "HITId", PARAM_REQUIRED, &id, err);
    if (!rc)
        rc = store_hit_get(c->core->st, id, &h, err);
    if (rc == TS_ENOTFOUND)
        return ts_failk(err, TS_ENOTFOUND, "HITDoesNotExist", "there is no HIT %s", id);
    if (rc)
        return rc;
    if (h.disposed) {
        store_hit_release(&h);
        return ts_failk(err, TS_ENOTFOUND, "HITDoesNotExist", "there is no HIT %s", id);
    }
    rc = asg_may_preview(c->core, 0, &h, err);
    if (!rc && !json_is_true(json_object_get(in, "HasParams"))) {
        /* The bare address is redirected to the one with the page parameters. */
        struct buf b = BUF_INIT(1024);
        buf_printf(&b, "assignmentId=%s&hitId=%s", OPS_PREVIEW_ASSIGNMENT, h.id);
        json_object_set_new(out, "PageQuery", json_string(b.p));
        buf_release(&b);
    } else if (!rc) {
        rc = store_hit_load_texts(c->core->st, &h, err);
        if (!rc) {
            json_t *task = json_object();
            struct buf b = BUF_INIT(1024);
            rc = ops_render_task(c, NULL, &h, task, err);
            json_object_set_new(out, "Task", task);
            /* A preview cannot submit: its form goes to the plain externalSubmit, which
             * answers that the HIT must be accepted first. */
            buf_printf(&b, "%s/mturk/externalSubmit", c->core->cfg->base_url);
            json_object_set_new(out, "SubmitURL", json_string(b.p));
            buf_release(&b);
        }
    }
    store_hit_release(&h);
    return rc;
}

static int op_form_download(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    const char *key = json_string_value(json_object_get(in, "Key"));
    const char *sig = json_string_value(json_object_get(in, "Signature"));
    json_t *exp = json_object_get(in, "Expires");
    struct upload u;
    int rc;
    if (!key || !sig || !json_is_integer(exp))
        return ts_failk(err, TS_EFORBIDDEN, "BadSignature",
                        "this download link is incomplete; ask GetFileUploadURL for one");
    rc = cap_upload_check(c->core->sec, key, json_integer_value(exp), sig, c->core->now_ms,
                          err);
    if (!rc)
        rc = store_upload_get(c->core->st, key, NULL, NULL, 1, &u, err);
    if (rc == TS_ENOTFOUND)
        return ts_failk(err, TS_ENOTFOUND, "FileDoesNotExist", "the file is no longer stored");
    if (rc)
        return rc;
    /* Bytes, not text: the form door sends them as they are and never serialises this. */
    json_object_set_new(out, "Data", json_stringn_nocheck(u.data, (size_t)u.size));
    store_upload_release(&u);
    return 0;
}

/* GetFileUploadURL: a link, valid CAP_UPLOAD_TTL_S seconds, to the file the worker
 * uploaded for QuestionIdentifier in the requester's submitted assignment. */
static int op_get_file_upload_url(struct op_ctx *c, json_t *in, json_t *out,
                                  struct ts_error *err)
{
    const char *id = NULL, *qid = NULL;
    struct assignment a;
    struct upload u;
    char sig[CAP_MAC_CHARS + 1];
    int rc = param_id(in, "AssignmentId", PARAM_REQUIRED, &id, err);
    if (!rc)
        rc = param_str(in, "QuestionIdentifier", PARAM_REQUIRED, 255, &qid, err);
    if (!rc)
        rc = asg_get_owned(c->core, c->who.id, id, &a, err);
    if (rc)
        return rc;
    if (!asg_is_finished(&a))
        rc = ts_failk(err, TS_ECONFLICT, "InvalidAssignmentState",
                      "Assignment %s is %s. This operation can be called with a status of: "
                      "Submitted, Approved, Rejected",
                      a.id, asg_status_name(a.status));
    if (!rc) {
        rc = store_upload_get(c->core->st, NULL, a.id, qid, 0, &u, err);
        if (rc == TS_ENOTFOUND)
            rc = ts_failk(err, TS_ENOTFOUND, "FileUploadAnswerDoesNotExist",
                          "Assignment %s has no uploaded file for the question \"%.64s\"",
                          a.id, qid);
    }
    store_asg_release(&a);
    if (rc)
        return rc;
    int64_t expires = timers_link_expiry_s(c->core, CAP_UPLOAD_TTL_S);
    struct buf b = BUF_INIT(1024);
    cap_upload_sign(c->core->sec, u.key, expires, sig);
    buf_printf(&b, "%s/mturk/upload/%s?expires=%lld&signature=%s", c->core->cfg->base_url,
               u.key, (long long)expires, sig);
    json_object_set_new(out, "FileUploadURL", json_string(b.p));
    buf_release(&b);
    store_upload_release(&u);
    return 0;
}

static const char *const f_none[] = {NULL};
static const char *const f_file_url[] = {"AssignmentId", "QuestionIdentifier", NULL};

const struct op ops_form_submit = {"ExternalSubmit", ROLE_NONE, OP_WRITE, f_none,
                                   op_form_submit, NULL};
const struct op ops_form_submit_token = {"ExternalSubmit", ROLE_WORKER, OP_WRITE, f_none,
                                         op_form_submit_token, NULL};
const struct op ops_form_page = {"TaskPage", ROLE_NONE, OP_WRITE, f_none, op_form_page, NULL};
const struct op ops_form_preview = {"TaskPreview", ROLE_NONE, 0, f_none, op_form_preview,
                                    NULL};
const struct op ops_form_download = {"UploadedFile", ROLE_NONE, 0, f_none, op_form_download,
                                     NULL};

const struct op ops_files[] = {
    {"GetFileUploadURL", ROLE_REQUESTER, OP_MTURK, f_file_url, op_get_file_upload_url, NULL},
};
const size_t ops_files_n = sizeof ops_files / sizeof ops_files[0];
