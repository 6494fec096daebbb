/* asg.c: assignments, one worker's work on one HIT. The state machine is MTurk's:
 * Accepted -> Submitted -> Approved | Rejected (-> Approved by override), or Accepted ->
 * Returned (by the worker) | Abandoned (deadline passed). Each transition moves the HIT's
 * counters and, on approval or rejection, the money held in the HIT's escrow. */
#include "asg.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "escrow.h"
#include "event.h"
#include "hit.h"
#include "ledger.h"
#include "pseudonym.h"
#include "qc_pick.h"
#include "quals.h"
#include "secrets.h"
#include "timers.h"
#include "../doc/answers_xml.h"
#include "../doc/qform.h"
#include "../doc/question.h"
#include "../util/alloc.h"
#include "../util/money.h"
#include "../util/text.h"
#include "../util/banned.h"

#define ANSWERS_MAX_BYTES (64 * 1024)

const char *asg_status_name(enum asg_status s)
{
    switch (s) {
    case ASG_ACCEPTED: return "Accepted";
    case ASG_SUBMITTED: return "Submitted";
    case ASG_APPROVED: return "Approved";
    case ASG_REJECTED: return "Rejected";
    case ASG_RETURNED: return "Returned";
    case ASG_ABANDONED: return "Abandoned";
    }
    return "Unknown";
}

static int no_such_assignment(const char *id, struct ts_error *err)
{
    return ts_failk(err, TS_ENOTFOUND, "AssignmentDoesNotExist",
                    "Assignment %s does not exist", id);
}

static int wrong_state(const struct assignment *a, const char *allowed, struct ts_error *err)
{
    return ts_failk(err, TS_ECONFLICT, "InvalidAssignmentState",
                    "Assignment %s is %s. This operation can be called with a status of: %s",
                    a->id, asg_status_name(a->status), allowed);
}

/* The Accepted assignment a leaves the HIT without work (returned or abandoned): its
 * slot is free again, or, when the HIT's expiry was already processed, its escrow goes
 * back to the requester. */
static int asg_release_slot(struct core_ctx *c, struct assignment *a, enum asg_status to,
                            struct ts_error *err)
{
    struct hit h;
    int before;
    int rc = store_hit_get(c->st, a->hit_id, &h, err);
    if (rc)
        return rc;
    before = hit_status_seen(c, &h);
    h.pending--;
    if (h.expired || h.disposed)
        rc = escrow_release_slot(c, &h, a->id, err);
    if (!rc)
        rc = store_hit_add_counts(c->st, h.id, &(struct hit_counts){.pending = -1}, err);
    if (!rc) {
        a->status = to;
        a->returned_ms = c->now_ms;
        rc = store_asg_update(c->st, a, err);
    }
    if (!rc)
        event_raise(c, to == ASG_RETURNED ? EVENT_ASG_RETURNED : EVENT_ASG_ABANDONED, &h, a->id,
                    before, hit_status_seen(c, &h));
    store_hit_release(&h);
    return rc;
}

/* Processes a passed deadline on an Accepted assignment. */
static int asg_settle(struct core_ctx *c, struct assignment *a, struct ts_error *err)
{
    if (a->status != ASG_ACCEPTED || a->deadline_ms > c->now_ms)
        return 0;
    return asg_release_slot(c, a, ASG_ABANDONED, err);
}

int asg_may_preview(struct core_ctx *c, int64_t worker_id, const struct hit *h,
                    struct ts_error *err)
{
    struct hit_type t;
    struct quals_worker qw;
    char *reason = NULL;
    int rc;

    if (worker_id) {
        rc = store_block_get(c->st, h->requester_id, worker_id, &reason, err);
        if (rc == 0)
            rc = ts_failk(err, TS_EFORBIDDEN, "WorkerBlocked",
                          "the requester of HIT %s has blocked you from their HITs: %s", h->id,
                          reason);
        free(reason);
        if (rc != TS_ENOTFOUND)
            return rc;
    }
    rc = store_hit_type_get(c->st, h->hit_type_id, &t, err);
    if (rc)
        return rc;
    if (!worker_id) {
        if (quals_guards(t.quals_json, QUALS_PREVIEW))
            rc = ts_failk(err, TS_EFORBIDDEN, "QualificationNotMet",
                          "HIT %s may be previewed only by workers who meet its qualification "
                          "requirements: preview it signed in (PreviewWork)",
                          h->id);
    } else if (t.quals_json && strcmp(t.quals_json, "[]") != 0) {
        rc = quals_worker_load(c, worker_id, &qw, err);
        if (!rc)
            rc = quals_check_action(c, t.quals_json, &qw, QUALS_PREVIEW, err);
    }
    store_hit_type_release(&t);
    return rc;
}

/* Whether the worker meets the type's qualification requirements. */
static int accept_quals(struct core_ctx *c, int64_t worker_id, const struct hit_type *t,
                        struct ts_error *err)
{
    struct quals_worker qw;
    int rc;

    if (!t->quals_json || strcmp(t->quals_json, "[]") == 0)
        return 0;
    rc = quals_worker_load(c, worker_id, &qw, err);
    return rc ? rc : quals_check(c, t->quals_json, &qw, err);
}

/* What follows an accept, by type or by HIT: h is the HIT with the new assignment out,
 * whose status was before (hit_status_seen) until the accept. */
static int accepted(struct core_ctx *c, const struct hit *h, int before, int64_t worker_id,
                    const struct assignment *out, struct ts_error *err)
{
    /* What the requester will know this worker by, so that it can name them. */
    int rc = pseudonym_note(c, h->requester_id, worker_id, err);
    if (!rc)
        event_raise(c, EVENT_ASG_ACCEPTED, h, out->id, before, hit_status_seen(c, h));
    return rc;
}

static int no_work(const char *hit_type_id, struct ts_error *err)
{
    return ts_failk(err, TS_ENOTFOUND, "NoWorkAvailable",
                    "HIT type %s has no HIT left that you can accept", hit_type_id);
}

/* Accept by type. The store claims the HIT in one call (store_asg_claim): it picks the
 * first open one itself when hit_id is NULL (the type has no gold HIT open to the worker),
 * or takes the one qc_pick chose, mixing gold in. The worker's qualifications are the
 * type's; as before, "no work" is said before a requirement the worker misses. */
static int accept_claim(struct core_ctx *c, int64_t worker_id, const char *hit_type_id,
                        const char *hit_id, struct assignment *out, struct ts_error *err)
{
    struct hit h;
    struct hit_type t;
    struct asg_claim claim = {hit_type_id, 0, hit_id, worker_id, c->now_ms, 0};
    char open_id[STORE_ID_MAX];
    int before;
    int rc = store_hit_type_get(c->st, hit_type_id, &t, err);

    if (rc == TS_ENOTFOUND)
        return no_work(hit_type_id, err);
    if (rc)
        return rc;
    rc = accept_quals(c, worker_id, &t, err);
    claim.deadline_ms = timers_deadline(c, &t);
    store_hit_type_release(&t);
    if (rc && !hit_id && store_hit_next_open(c->st, hit_type_id, worker_id, c->now_ms, 0,
                                             open_id, NULL) == TS_ENOTFOUND)
        return no_work(hit_type_id, err);
    if (rc)
        return rc;
    secrets_id_new(out->id);
    rc = store_asg_claim(c->st, &claim, out, &h, err);
    if (rc == TS_ENOTFOUND)
        return no_work(hit_type_id, err);
    if (rc)
        return rc;
    /* The claim moved the pending count: the status before it is the one without. */
    h.pending--;
    before = hit_status_seen(c, &h);
    h.pending++;
    rc = accepted(c, &h, before, worker_id, out, err);
    store_hit_release(&h);
    return rc;
}

/* Why the claim of HIT h by id found it closed to the worker although the checks before
 * it found the HIT open and the worker not blocked: another writer took its last slot
 * (read again), or the worker already has an assignment on it. */
static int claim_refused(struct core_ctx *c, const struct hit *h, struct ts_error *err)
{
    struct hit now;
    int open, rc = store_hit_get(c->st, h->id, &now, err);
    if (rc)
        return rc;
    open = hit_available_at(&now, c->now_ms) > 0;
    store_hit_release(&now);
    if (!open)
        return ts_failk(err, TS_ECONFLICT, "NoWorkAvailable",
                        "HIT %s has no assignment left to accept", h->id);
    return ts_failk(err, TS_ECONFLICT, "AlreadyWorkedOn",
                    "you already have an assignment for HIT %s; a worker takes each HIT "
                    "at most once",
                    h->id);
}

int asg_accept(struct core_ctx *c, int64_t worker_id, const char *hit_type_id,
               const char *hit_id, struct assignment *out, struct ts_error *err)
{
    char id[STORE_ID_MAX];
    struct hit h, claimed;
    struct hit_type t;
    struct asg_claim claim = {NULL, 0, hit_id, worker_id, c->now_ms, 0};
    int before, rc;

    memset(out, 0, sizeof *out);
    if (!hit_id) {
        /* Most types have no gold HIT: one probe says so, and the claim picks. */
        rc = store_hit_next_open(c->st, hit_type_id, worker_id, c->now_ms, 1, id, err);
        if (rc == TS_ENOTFOUND)
            return accept_claim(c, worker_id, hit_type_id, NULL, out, err);
        if (!rc)
            rc = qc_pick(c, hit_type_id, worker_id, id, err);
        if (rc == TS_ENOTFOUND)
            return no_work(hit_type_id, err);
        if (rc)
            return rc;
        return accept_claim(c, worker_id, hit_type_id, id, out, err);
    }
    rc = store_hit_get(c->st, hit_id, &h, err);
    if (rc == TS_ENOTFOUND)
        return ts_failk(err, TS_ENOTFOUND, "HITDoesNotExist", "Hit %s does not exist", hit_id);
    if (rc)
        return rc;
    if (h.disposed) {
        rc = ts_failk(err, TS_ENOTFOUND, "HITDoesNotExist", "Hit %s does not exist", hit_id);
        goto out_hit;
    }
    if (hit_available_at(&h, c->now_ms) <= 0) {
        rc = ts_failk(err, TS_ECONFLICT, "NoWorkAvailable",
                      "HIT %s has no assignment left to accept", h.id);
        goto out_hit;
    }
    if (!hit_type_id) {
        /* A blocked worker is told so, with the requester's reason (by type, a blocked
         * worker's HITs were never picked: the open-HIT query skips them). */
        char *reason = NULL;
        rc = store_block_get(c->st, h.requester_id, worker_id, &reason, err);
        if (rc == 0)
            rc = ts_failk(err, TS_EFORBIDDEN, "WorkerBlocked",
                          "the requester of HIT %s has blocked you from their HITs: %s", h.id,
                          reason);
        else if (rc == TS_ENOTFOUND)
            rc = 0;
        free(reason);
        if (rc)
            goto out_hit;
    }
    rc = store_hit_type_get(c->st, h.hit_type_id, &t, err);
    if (rc)
        goto out_hit;
    rc = accept_quals(c, worker_id, &t, err);
    if (rc) {
        store_hit_type_release(&t);
        goto out_hit;
    }

    claim.deadline_ms = timers_deadline(c, &t);
    store_hit_type_release(&t);
    before = hit_status_seen(c, &h);
    secrets_id_new(out->id);
    rc = store_asg_claim(c->st, &claim, out, &claimed, err);
    if (rc == TS_ENOTFOUND || rc == TS_ECONFLICT) {
        rc = claim_refused(c, &h, err);
        goto out_hit;
    }
    if (rc)
        goto out_hit;
    store_hit_release(&h);
    h = claimed;
    rc = accepted(c, &h, before, worker_id, out, err);
out_hit:
    store_hit_release(&h);
    return rc;
}

int asg_get_worker(struct core_ctx *c, int64_t worker_id, const char *id,
                   struct assignment *out, struct ts_error *err)
{
    int rc = store_asg_get(c->st, id, out, err);
    /* A failed get filled nothing in: there is nothing to release then. */
    if (rc)
        return rc == TS_ENOTFOUND ? no_such_assignment(id, err) : rc;
    if (out->worker_id != worker_id) {
        store_asg_release(out);
        return no_such_assignment(id, err);
    }
    rc = asg_settle(c, out, err);
    if (rc)
        store_asg_release(out);
    return rc;
}

/* A repeated form field: an array of 1 to 200 strings. */
static int answer_is_list(json_t *v)
{
    size_t i;
    json_t *e;
    if (!json_is_array(v) || json_array_size(v) < 1 || json_array_size(v) > 200)
        return 0;
    json_array_foreach(v, i, e) if (!json_is_string(e)) return 0;
    return 1;
}

/* An uploaded file: {"UploadedFileKey": text, "UploadedFileSizeInBytes": n >= 0}. */
static int answer_is_upload(json_t *v)
{
    const char *key;
    size_t n;
    int64_t size;
    return answers_xml_upload_of(v, &key, &n, &size) && size >= 0;
}

/* Every uploaded-file answer must name a file stored with this assignment under that
 * field, with its size: a worker cannot point the requester at someone else's file. */
static int check_uploads(struct core_ctx *c, const struct assignment *a, json_t *o,
                         struct ts_error *err)
{
    const char *k;
    json_t *v;
    int rc = 0;
    json_object_foreach(o, k, v)
    {
        struct upload u;
        if (rc || !answer_is_upload(v))
            continue;
        json_int_t size = json_integer_value(json_object_get(v, "UploadedFileSizeInBytes"));
        rc = store_upload_get(c->st, json_string_value(json_object_get(v, "UploadedFileKey")),
                              NULL, NULL, 0, &u, err);
        if (rc == 0) {
            int ours = strcmp(u.asg_id, a->id) == 0 && strcmp(u.field, k) == 0 &&
                       u.size == (int64_t)size;
            store_upload_release(&u);
            rc = ours ? 0 : TS_ENOTFOUND;
        }
        if (rc == TS_ENOTFOUND)
            rc = ts_failk(err, TS_EINVAL, "ParameterValidationError",
                          "Answers field \"%s\" names a file that was not uploaded with this "
                          "assignment; files are sent with the task's form "
                          "(multipart/form-data)",
                          k);
    }
    return rc;
}

/* The answers' shape: 1 to 200 fields named by 1 to 255 characters. */
static int check_answer_names(json_t *o, struct ts_error *err)
{
    const char *k;
    json_t *v;

    if (json_object_size(o) == 0 || json_object_size(o) > 200)
        return ts_fail(err, TS_EINVAL, "Answers must have 1 to 200 fields");
    json_object_foreach(o, k, v)
    {
        if (text_utf8_chars(k, strlen(k)) < 1 || strlen(k) > 255)
            return ts_fail(err, TS_EINVAL, "Answers field names must be 1 to 255 characters");
    }
    return 0;
}

/* For an HTML or external question: every value is a string, a list of strings (a
 * repeated form field) or an uploaded file (a QuestionForm checks its own). */
static int check_answer_values(json_t *o, struct ts_error *err)
{
    const char *k;
    json_t *v;

    json_object_foreach(o, k, v)
    {
        if (!json_is_string(v) && !answer_is_list(v) && !answer_is_upload(v))
            return ts_fail(err, TS_EINVAL,
                           "Answers field \"%s\" must be a string (or a list of strings, for "
                           "a repeated form field)",
                           k);
    }
    return 0;
}

/* The text of answers, as it is stored (*text, the caller frees it): at most
 * ANSWERS_MAX_BYTES of one JSON object. */
static int answers_text(json_t *answers, char **text, struct ts_error *err)
{
    *text = NULL;
    if (!json_is_object(answers))
        return ts_fail(err, TS_EINVAL, "Answers must be a JSON object of field names to text");
    *text = json_dumps(answers, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!*text)
        return ts_fail(err, TS_EINVAL, "Answers could not be encoded");
    if (strlen(*text) > ANSWERS_MAX_BYTES) {
        free(*text);
        *text = NULL;
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "Answers are larger than %d bytes", ANSWERS_MAX_BYTES);
    }
    return 0;
}

/* Checks the answers (*text, and *o, its object) against the question of a HIT that may
 * be a QuestionForm (h->form; h must hold its texts): for a QuestionForm every rule the
 * form sets, for any other question the general shape. When posted, the answers are the
 * fields of the form Tessera rendered for a QuestionForm, first turned into its answers
 * shape (qform_from_post_obj): *text and *o (both the caller's) are then replaced by
 * those. The answers are checked as the object they are, never parsed again. */
static int check_form_answers(const struct hit *h, char **text, json_t **o, int posted,
                              struct ts_error *err)
{
    struct question q;
    json_t *conv = NULL;
    char *final = NULL;
    int rc;

    rc = question_parse(h->question, strlen(h->question), &q, err);
    if (rc)
        return ts_fail(err, TS_EIO, "HIT %s has a Question that no longer parses", h->id);
    if (q.kind != QUESTION_FORM) {
        question_release(&q);
        return check_answer_values(*o, err);
    }
    if (posted) {
        conv = qform_from_post_obj(q.form, *o, err);
        if (!conv)
            rc = TS_EINVAL;
        else
            rc = answers_text(conv, &final, err);
        if (!rc)
            rc = check_answer_names(conv, err); /* empty fields were dropped */
    }
    if (!rc)
        rc = qform_check_answers_obj(q.form, conv ? conv : *o, err);
    question_release(&q);
    if (rc) {
        json_decref(conv);
        free(final);
    } else if (final) {
        free(*text);
        *text = final;
        json_decref(*o);
        *o = conv;
    }
    return rc;
}

static int submit(struct core_ctx *c, int64_t worker_id, const char *id, json_t *answers,
                  int posted, struct ts_error *err)
{
    struct assignment a;
    struct hit h;
    struct hit_type t;
    struct batch b;
    struct event *e;
    char *text = NULL;
    json_t *o = json_incref(answers);
    int before;
    int rc = answers_text(answers, &text, err);
    if (!rc)
        rc = check_answer_names(o, err);
    if (!rc)
        rc = asg_get_worker(c, worker_id, id, &a, err);
    if (rc) {
        json_decref(o);
        free(text);
        return rc;
    }
    if (a.status == ASG_ABANDONED) {
        rc = ts_failk(err, TS_ECONFLICT, "AssignmentExpired",
                      "Assignment %s passed its deadline before it was submitted", a.id);
        goto out;
    }
    if (a.status != ASG_ACCEPTED) {
        rc = wrong_state(&a, "Accepted", err);
        goto out;
    }
    rc = check_uploads(c, &a, o, err);
    if (rc)
        goto out;
    rc = store_hit_get(c->st, a.hit_id, &h, err);
    if (rc)
        goto out;
    /* Only a HIT that may be a QuestionForm needs its question read. */
    if (h.form) {
        rc = store_hit_load_texts(c->st, &h, err);
        if (!rc)
            rc = check_form_answers(&h, &text, &o, posted, err);
    } else {
        rc = check_answer_values(o, err);
    }
    if (rc)
        goto out_hit;
    before = hit_status_seen(c, &h);
    rc = store_hit_type_get(c->st, h.hit_type_id, &t, err);
    if (rc)
        goto out_hit;
    rc = qc_label(c, &h, o, &b, &a.label, err);
    if (rc) {
        store_hit_type_release(&t);
        goto out_batch;
    }
    h.pending--;
    h.submitted++;
    a.status = ASG_SUBMITTED;
    a.submitted_ms = c->now_ms;
    a.auto_approve_ms = timers_auto_approval(c, &t);
    a.answer_json = text;
    text = NULL;
    store_hit_type_release(&t);
    rc = store_hit_add_counts(c->st, h.id, &(struct hit_counts){.pending = -1, .submitted = 1},
                              err);
    if (!rc)
        rc = store_asg_update(c->st, &a, err);
    if (rc)
        goto out_batch;
    /* The reactors (quality, notifications, review policies) take the rows from here. */
    e = event_raise(c, EVENT_ASG_SUBMITTED, &h, a.id, before, hit_status_seen(c, &h));
    e->submit = xmalloc(sizeof *e->submit);
    e->submit->asg = a;
    memset(&a, 0, sizeof a);
    e->submit->answers = o;
    o = NULL;
    e->submit->batch = b;
    memset(&b, 0, sizeof b);
out_batch:
    store_batch_release(&b);
out_hit:
    store_hit_release(&h);
out:
    store_asg_release(&a);
    json_decref(o);
    free(text);
    return rc;
}

int asg_submit(struct core_ctx *c, int64_t worker_id, const char *id, json_t *answers,
               struct ts_error *err)
{
    return submit(c, worker_id, id, answers, 0, err);
}

int asg_submit_posted(struct core_ctx *c, int64_t worker_id, const char *id, json_t *fields,
                      struct ts_error *err)
{
    return submit(c, worker_id, id, fields, 1, err);
}

int asg_return(struct core_ctx *c, int64_t worker_id, const char *id, struct ts_error *err)
{
    struct assignment a;
    int rc = asg_get_worker(c, worker_id, id, &a, err);
    if (rc)
        return rc;
    if (a.status != ASG_ACCEPTED)
        rc = wrong_state(&a, "Accepted", err);
    else
        rc = asg_release_slot(c, &a, ASG_RETURNED, err);
    store_asg_release(&a);
    return rc;
}

int asg_get_owned(struct core_ctx *c, int64_t requester_id, const char *id,
                  struct assignment *out, struct ts_error *err)
{
    int rc = store_asg_get(c->st, id, out, err);
    /* A failed get filled nothing in: there is nothing to release then. */
    if (rc)
        return rc == TS_ENOTFOUND ? no_such_assignment(id, err) : rc;
    if (out->requester_id != requester_id) {
        store_asg_release(out);
        return no_such_assignment(id, err);
    }
    rc = asg_settle(c, out, err);
    if (rc)
        store_asg_release(out);
    return rc;
}

static int set_feedback(struct assignment *a, const char *feedback, struct ts_error *err)
{
    if (!feedback)
        return 0;
    long n = text_utf8_chars(feedback, strlen(feedback));
    if (n < 0 || n > 1024)
        return ts_fail(err, TS_EINVAL, "RequesterFeedback must be valid text of at most 1024 "
                                       "characters");
    free(a->feedback);
    a->feedback = xstrdup(feedback);
    return 0;
}

static int approve_loaded(struct core_ctx *c, struct assignment *a, int override,
                          struct ts_error *err)
{
    struct hit h;
    int before, rc;

    if (a->status == ASG_APPROVED)
        return 0; /* already paid: approving again changes nothing */
    if (a->status == ASG_REJECTED && !override)
        return wrong_state(a, "Submitted (use OverrideRejection to approve a rejected one)",
                           err);
    if (a->status != ASG_SUBMITTED && a->status != ASG_REJECTED)
        return wrong_state(a, "Submitted", err);
    rc = store_hit_get(c->st, a->hit_id, &h, err);
    if (rc)
        return rc;
    before = hit_status_seen(c, &h);
    if (a->status == ASG_REJECTED) {
        if (h.disposed || !timers_override_open(c, a)) {
            rc = ts_failk(err, TS_ECONFLICT, "InvalidAssignmentState",
                          "Assignment %s can no longer be approved: a rejection can be "
                          "overridden within 30 days of submission while its HIT exists",
                          a->id);
            goto out;
        }
        rc = escrow_pay(c, &h, a, 1, err); /* its slot was released: from available */
        h.rejected--;
    } else {
        rc = escrow_pay(c, &h, a, 0, err);
        h.submitted--;
    }
    if (rc)
        goto out;
    h.approved++;
    rc = store_worker_count_add(c->st, a->worker_id, 1, a->status == ASG_REJECTED ? -1 : 0,
                                err);
    if (!rc)
        rc = store_hit_add_counts(c->st, h.id, a->status == ASG_REJECTED
                                  ? &(struct hit_counts){.rejected = -1, .approved = 1}
                                  : &(struct hit_counts){.submitted = -1, .approved = 1},
                                  err);
    if (rc)
        goto out;
    a->status = ASG_APPROVED;
    a->approved_ms = c->now_ms;
    if (!rc)
        rc = store_asg_update(c->st, a, err);
    if (!rc)
        /* With override, a rejected answer counts again (qc_react). */
        event_raise(c, EVENT_ASG_APPROVED, &h, a->id, before, hit_status_seen(c, &h))->flags =
            override ? EVENT_OVERRIDE : 0;
out:
    store_hit_release(&h);
    return rc;
}

int asg_approve(struct core_ctx *c, int64_t requester_id, const char *id, const char *feedback,
                int override, struct ts_error *err)
{
    struct assignment a;
    int rc = asg_get_owned(c, requester_id, id, &a, err);
    if (rc)
        return rc;
    if (a.status != ASG_APPROVED)
        rc = set_feedback(&a, feedback, err);
    if (!rc)
        rc = approve_loaded(c, &a, override, err);
    store_asg_release(&a);
    return rc;
}

int asg_reject(struct core_ctx *c, int64_t requester_id, const char *id, const char *feedback,
               struct ts_error *err)
{
    struct assignment a;
    struct hit h;
    int before, rc;

    if (!feedback || !*feedback)
        return ts_fail(err, TS_EINVAL, "RequesterFeedback is required to reject: tell the "
                                       "worker why");
    rc = asg_get_owned(c, requester_id, id, &a, err);
    if (rc)
        return rc;
    if (a.status == ASG_REJECTED)
        goto out; /* rejecting again changes nothing */
    if (a.status != ASG_SUBMITTED) {
        rc = wrong_state(&a, "Submitted", err);
        goto out;
    }
    rc = set_feedback(&a, feedback, err);
    if (rc)
        goto out;
    rc = store_hit_get(c->st, a.hit_id, &h, err);
    if (rc)
        goto out;
    before = hit_status_seen(c, &h);
    rc = escrow_release_slot(c, &h, a.id, err);
    h.submitted--;
    h.rejected++;
    a.status = ASG_REJECTED;
    a.rejected_ms = c->now_ms;
    if (!rc)
        rc = store_worker_count_add(c->st, a.worker_id, 0, 1, err);
    if (!rc)
        rc = store_hit_add_counts(c->st, h.id,
                                  &(struct hit_counts){.submitted = -1, .rejected = 1}, err);
    if (!rc)
        rc = store_asg_update(c->st, &a, err);
    if (!rc) /* a rejected answer no longer counts (qc_react) */
        event_raise(c, EVENT_ASG_REJECTED, &h, a.id, before, hit_status_seen(c, &h));
    store_hit_release(&h);
out:
    store_asg_release(&a);
    return rc;
}

int asg_bonus(struct core_ctx *c, int64_t requester_id, const char *worker_pseudonym,
              const char *asg_id, int64_t amount, const char *reason, const char *unique_token,
              struct bonus *out, struct ts_error *err)
{
    struct assignment a;
    char max[32];
    int64_t fee;
    long n;
    int rc;

    memset(out, 0, sizeof *out);
    money_format(c->cfg->max_bonus, max);
    if (amount < MONEY_CENT || amount > c->cfg->max_bonus)
        return ts_fail(err, TS_EINVAL, "BonusAmount must be at least $0.01 and at most $%s", max);
    n = reason ? text_utf8_chars(reason, strlen(reason)) : 0;
    if (n < 1 || n > 1024)
        return ts_fail(err, TS_EINVAL, "Reason is required (1 to 1024 characters): the worker "
                                       "sees it");
    if (unique_token) {
        char ref[64];
        if (text_utf8_chars(unique_token, strlen(unique_token)) < 1 || strlen(unique_token) > 64)
            return ts_fail(err, TS_EINVAL, "UniqueRequestToken must be 1 to 64 characters");
        rc = store_request_token_get(c->st, requester_id, "SendBonus", unique_token,
                                     timers_token_since(c), ref, sizeof ref, err);
        if (rc == 0)
            return ts_failk(err, TS_EDUPLICATE, "DuplicateRequest",
                            "bonus %s was already sent with UniqueRequestToken %s", ref,
                            unique_token);
        if (rc != TS_ENOTFOUND)
            return rc;
    }
    rc = asg_get_owned(c, requester_id, asg_id, &a, err);
    if (rc)
        return rc;
    if (!pseudonym_is(c, requester_id, worker_pseudonym, a.worker_id)) {
        rc = ts_fail(err, TS_EINVAL, "WorkerId %s did not work on assignment %s",
                     worker_pseudonym, a.id);
        goto out;
    }
    if (!asg_is_finished(&a)) {
        rc = wrong_state(&a, "Submitted, Approved, Rejected", err);
        goto out;
    }
    if (escrow_fee(c, amount, &fee))
        TS_BUG("bonus fee overflow");
    secrets_id_new(out->id);
    out->requester_id = requester_id;
    out->worker_id = a.worker_id;
    memcpy(out->assignment_id, a.id, STORE_ID_MAX);
    memcpy(out->hit_id, a.hit_id, STORE_ID_MAX);
    out->amount = amount;
    out->fee = fee;
    out->reason = xstrdup(reason);
    out->granted_ms = c->now_ms;
    rc = escrow_bonus(c, out, err);
    if (!rc)
        rc = store_bonus_insert(c->st, out, err);
    if (!rc && unique_token)
        rc = store_request_token_put(c->st, requester_id, "SendBonus", unique_token, out->id,
                                     c->now_ms, err);
    if (rc)
        store_bonus_release(out);
out:
    store_asg_release(&a);
    return rc;
}

int asg_sweep(struct core_ctx *c, int cap, int *done, struct ts_error *err)
{
    char(*ids)[STORE_ID_MAX] = xmalloc_array((size_t)cap, sizeof *ids);
    int n = 0, rc;

    *done = 0;
    rc = store_asg_due(c->st, ASG_DUE_DEADLINE, c->now_ms, ids, cap, &n, err);
    for (int i = 0; !rc && i < n; i++) {
        struct assignment a;
        rc = store_asg_get(c->st, ids[i], &a, err);
        if (rc)
            break;
        rc = asg_settle(c, &a, err);
        store_asg_release(&a);
        if (!rc)
            (*done)++;
    }
    if (!rc)
        rc = store_asg_due(c->st, ASG_DUE_APPROVAL, c->now_ms, ids, cap, &n, err);
    for (int i = 0; !rc && i < n; i++) {
        struct assignment a;
        rc = store_asg_get(c->st, ids[i], &a, err);
        if (rc)
            break;
        rc = approve_loaded(c, &a, 0, err);
        store_asg_release(&a);
        if (!rc)
            (*done)++;
    }
    free(ids);
    return rc;
}

int asg_is_finished(const struct assignment *a)
{
    return a->status == ASG_SUBMITTED || a->status == ASG_APPROVED ||
           a->status == ASG_REJECTED;
}

int asg_in_progress(const struct assignment *a)
{
    return a->status == ASG_ACCEPTED;
}
