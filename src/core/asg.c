/* asg.c: assignments, one worker's work on one HIT. The state machine is MTurk's:
 * Accepted -> Submitted -> Approved | Rejected (-> Approved by override), or Accepted ->
 * Returned (by the worker) | Abandoned (deadline passed). Each transition moves the HIT's
 * counters and, on approval or rejection, the money held in the HIT's escrow. */
#include "asg.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "hit.h"
#include "ledger.h"
#include "notify.h"
#include "qc.h"
#include "qform.h"
#include "question.h"
#include "quals.h"
#include "review.h"
#include "secrets.h"
#include "../util/alloc.h"
#include "../util/money.h"
#include "../util/text.h"
#include "../util/banned.h"

#define DAY_MS (24LL * 3600 * 1000)
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
    before = notify_hit_status(c, &h);
    h.pending--;
    if (h.expired || h.disposed) {
        int64_t cost = hit_slot_cost(&h);
        struct ledger_leg legs[2] = {
            {h.requester_id, LEDGER_ESCROW, -cost},
            {h.requester_id, LEDGER_AVAILABLE, cost},
        };
        rc = ledger_post(c, "release", a->id, legs, 2, err);
        h.escrow -= cost;
    }
    if (!rc)
        rc = store_hit_add_counts(c->st, h.id, &(struct hit_counts){.pending = -1,
                                  .escrow = h.expired || h.disposed ? -hit_slot_cost(&h) : 0},
                                  err);
    if (!rc) {
        a->status = to;
        a->returned_ms = c->now_ms;
        rc = store_asg_update(c->st, a, err);
    }
    if (!rc)
        rc = notify_hit(c, &h, a->id,
                        NOTIFY_BIT(to == ASG_RETURNED ? NOTIFY_ASSIGNMENT_RETURNED
                                                      : NOTIFY_ASSIGNMENT_ABANDONED) |
                            notify_if_reviewable(c, before, &h),
                        err);
    /* The last pending assignment of an expired HIT gone: it may now be Reviewable. */
    if (!rc && (h.policies & REVIEW_LEVEL_BIT(REVIEW_HIT)))
        rc = review_hit_maybe_id(c, a->hit_id, err);
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

/* What follows an accept, by type or by HIT: h is the HIT with the new assignment out. */
static int accepted(struct core_ctx *c, const struct hit *h, int64_t worker_id,
                    const struct assignment *out, struct ts_error *err)
{
    /* What the requester will know this worker by, so that it can name them. */
    char pseud[16];
    int rc;

    secrets_pseudonym(c->sec, h->requester_id, worker_id, pseud);
    rc = store_pseudonym_note(c->st, h->requester_id, pseud, worker_id, err);
    if (!rc)
        rc = notify_hit(c, h, out->id, NOTIFY_BIT(NOTIFY_ASSIGNMENT_ACCEPTED), err);
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
    int rc = store_hit_type_get(c->st, hit_type_id, &t, err);

    if (rc == TS_ENOTFOUND)
        return no_work(hit_type_id, err);
    if (rc)
        return rc;
    rc = accept_quals(c, worker_id, &t, err);
    claim.duration_ms = t.duration_s * 1000;
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
    rc = accepted(c, &h, worker_id, out, err);
    store_hit_release(&h);
    return rc;
}

int asg_accept(struct core_ctx *c, int64_t worker_id, const char *hit_type_id,
               const char *hit_id, struct assignment *out, struct ts_error *err)
{
    char id[STORE_ID_MAX];
    struct hit h;
    struct hit_type t;
    int rc;

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

    secrets_id_new(out->id);
    memcpy(out->hit_id, h.id, STORE_ID_MAX);
    memcpy(out->hit_type_id, h.hit_type_id, STORE_ID_MAX);
    out->worker_id = worker_id;
    out->requester_id = h.requester_id;
    out->status = ASG_ACCEPTED;
    out->accepted_ms = c->now_ms;
    out->deadline_ms = c->now_ms + t.duration_s * 1000;
    store_hit_type_release(&t);
    rc = store_asg_insert(c->st, out, err);
    if (rc == TS_ECONFLICT) {
        rc = ts_failk(err, TS_ECONFLICT, "AlreadyWorkedOn",
                      "you already have an assignment for HIT %s; a worker takes each HIT "
                      "at most once",
                      h.id);
        goto out_hit;
    }
    if (rc)
        goto out_hit;
    h.pending++;
    rc = store_hit_add_counts(c->st, h.id, &(struct hit_counts){.pending = 1}, err);
    if (!rc)
        rc = accepted(c, &h, worker_id, out, err);
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
    return question_upload_of(v, &key, &n, &size) && size >= 0;
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

/* answers_json parsed into *out (the caller's to release): at most ANSWERS_MAX_BYTES of
 * one JSON object. */
static int parse_answers(const char *answers_json, json_t **out, struct ts_error *err)
{
    json_error_t jerr;
    json_t *o;

    *out = NULL;
    if (strlen(answers_json) > ANSWERS_MAX_BYTES)
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "Answers are larger than %d bytes", ANSWERS_MAX_BYTES);
    o = json_loads(answers_json, JSON_REJECT_DUPLICATES, &jerr);
    if (!o || !json_is_object(o)) {
        json_decref(o);
        return ts_fail(err, TS_EINVAL, "Answers must be a JSON object of field names to text");
    }
    *out = o;
    return 0;
}

/* Checks answers_json, whose parsed object is o, against the question of a HIT that may
 * be a QuestionForm (h->form; h must hold its texts): for a QuestionForm every rule the
 * form sets, for any other question the general shape. When posted, the answers are the
 * fields of the form Tessera rendered for a QuestionForm, first turned into its answers
 * shape (qform_from_post); *final then receives that text, which the caller frees, and
 * stays NULL when answers_json itself is the answer. */
static int check_form_answers(const struct hit *h, const char *answers_json, json_t *o,
                              int posted, char **final, struct ts_error *err)
{
    struct question q;
    json_t *conv = NULL;
    int rc;

    *final = NULL;
    rc = question_parse(h->question, strlen(h->question), &q, err);
    if (rc)
        return ts_fail(err, TS_EIO, "HIT %s has a Question that no longer parses", h->id);
    if (q.kind != QUESTION_FORM) {
        question_release(&q);
        return check_answer_values(o, err);
    }
    if (posted) {
        *final = qform_from_post(q.form, answers_json, err);
        if (!*final)
            rc = TS_EINVAL;
        else
            rc = parse_answers(*final, &conv, err);
        if (!rc) {
            answers_json = *final;
            o = conv;
        }
    }
    if (!rc && conv)
        rc = check_answer_names(conv, err); /* empty fields were dropped */
    if (!rc)
        rc = qform_check_answers(q.form, answers_json, err);
    json_decref(conv);
    question_release(&q);
    if (rc) {
        free(*final);
        *final = NULL;
    }
    return rc;
}

static int submit(struct core_ctx *c, int64_t worker_id, const char *id, const char *answers_json,
                  int posted, struct ts_error *err)
{
    struct assignment a;
    struct hit h;
    struct hit_type t;
    struct batch b;
    char *final = NULL;
    json_t *o;
    int before;
    int rc = parse_answers(answers_json, &o, err);
    if (!rc)
        rc = check_answer_names(o, err);
    if (!rc)
        rc = asg_get_worker(c, worker_id, id, &a, err);
    if (rc) {
        json_decref(o);
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
            rc = check_form_answers(&h, answers_json, o, posted, &final, err);
    } else {
        rc = check_answer_values(o, err);
    }
    if (rc)
        goto out_hit;
    if (final)
        answers_json = final;
    before = notify_hit_status(c, &h);
    rc = store_hit_type_get(c->st, h.hit_type_id, &t, err);
    if (rc)
        goto out_hit;
    rc = qc_label(c, &h, answers_json, &b, &a.label, err);
    if (rc) {
        store_hit_type_release(&t);
        goto out_batch;
    }
    h.pending--;
    h.submitted++;
    a.status = ASG_SUBMITTED;
    a.submitted_ms = c->now_ms;
    a.auto_approve_ms = c->now_ms + t.auto_approval_s * 1000;
    a.answer_json = xstrdup(answers_json);
    store_hit_type_release(&t);
    rc = store_hit_add_counts(c->st, h.id, &(struct hit_counts){.pending = -1, .submitted = 1},
                              err);
    if (!rc)
        rc = store_asg_update(c->st, &a, err);
    if (!rc)
        rc = qc_after_submit(c, &h, &a, &b, err);
    if (!rc)
        rc = notify_hit(c, &h, a.id,
                        NOTIFY_BIT(NOTIFY_ASSIGNMENT_SUBMITTED) |
                            notify_if_reviewable(c, before, &h),
                        err);
    /* Review policies: a flag on the HIT row already read, so HITs without any pay
     * nothing more. The policies reload what they need (h is not written after this). */
    if (!rc && h.policies)
        rc = review_after_submit(c, h.id, a.id, h.policies, err);
out_batch:
    store_batch_release(&b);
out_hit:
    store_hit_release(&h);
out:
    store_asg_release(&a);
    json_decref(o);
    free(final);
    return rc;
}

int asg_submit(struct core_ctx *c, int64_t worker_id, const char *id, const char *answers_json,
               struct ts_error *err)
{
    return submit(c, worker_id, id, answers_json, 0, err);
}

int asg_submit_posted(struct core_ctx *c, int64_t worker_id, const char *id,
                      const char *fields_json, struct ts_error *err)
{
    return submit(c, worker_id, id, fields_json, 1, err);
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

/* Pays a's reward to its worker and its fee to the platform, from the HIT's escrow, or
 * (for an overridden rejection) from the requester's available balance. */
static int asg_pay(struct core_ctx *c, const struct assignment *a, const struct hit *h,
                   enum ledger_kind from, struct ts_error *err)
{
    struct ledger_leg legs[3] = {
        {h->requester_id, from, -hit_slot_cost(h)},
        {a->worker_id, LEDGER_EARNINGS, h->reward},
        {0, LEDGER_FEES, h->fee},
    };
    return ledger_post(c, "pay", a->id, legs, 3, err);
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
    before = notify_hit_status(c, &h);
    if (a->status == ASG_REJECTED) {
        if (h.disposed || c->now_ms - a->submitted_ms > 30 * DAY_MS) {
            rc = ts_failk(err, TS_ECONFLICT, "InvalidAssignmentState",
                          "Assignment %s can no longer be approved: a rejection can be "
                          "overridden within 30 days of submission while its HIT exists",
                          a->id);
            goto out;
        }
        rc = asg_pay(c, a, &h, LEDGER_AVAILABLE, err);
        h.rejected--;
    } else {
        rc = asg_pay(c, a, &h, LEDGER_ESCROW, err);
        h.escrow -= hit_slot_cost(&h);
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
                                  : &(struct hit_counts){.submitted = -1, .approved = 1,
                                                         .escrow = -hit_slot_cost(&h)},
                                  err);
    if (rc)
        goto out;
    a->status = ASG_APPROVED;
    a->approved_ms = c->now_ms;
    if (!rc)
        rc = store_asg_update(c->st, a, err);
    if (!rc && override)
        rc = qc_review(c, &h, err); /* a rejected answer counts again */
    if (!rc)
        rc = notify_hit(c, &h, a->id,
                        NOTIFY_BIT(NOTIFY_ASSIGNMENT_APPROVED) |
                            notify_if_reviewable(c, before, &h),
                        err);
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
    before = notify_hit_status(c, &h);
    {
        int64_t cost = hit_slot_cost(&h);
        struct ledger_leg legs[2] = {
            {h.requester_id, LEDGER_ESCROW, -cost},
            {h.requester_id, LEDGER_AVAILABLE, cost},
        };
        rc = ledger_post(c, "release", a.id, legs, 2, err);
        h.escrow -= cost;
    }
    h.submitted--;
    h.rejected++;
    a.status = ASG_REJECTED;
    a.rejected_ms = c->now_ms;
    if (!rc)
        rc = store_worker_count_add(c->st, a.worker_id, 0, 1, err);
    if (!rc)
        rc = store_hit_add_counts(c->st, h.id, &(struct hit_counts){.submitted = -1,
                                  .rejected = 1, .escrow = -hit_slot_cost(&h)}, err);
    if (!rc)
        rc = store_asg_update(c->st, &a, err);
    if (!rc)
        rc = qc_review(c, &h, err); /* a rejected answer no longer counts */
    if (!rc)
        rc = notify_hit(c, &h, a.id,
                        NOTIFY_BIT(NOTIFY_ASSIGNMENT_REJECTED) |
                            notify_if_reviewable(c, before, &h),
                        err);
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
    char pseud[16], max[32];
    int64_t fee, total;
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
                                     c->now_ms - DAY_MS, ref, sizeof ref, err);
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
    secrets_pseudonym(c->sec, requester_id, a.worker_id, pseud);
    if (strcmp(pseud, worker_pseudonym) != 0) {
        rc = ts_fail(err, TS_EINVAL, "WorkerId %s did not work on assignment %s",
                     worker_pseudonym, a.id);
        goto out;
    }
    if (a.status != ASG_SUBMITTED && a.status != ASG_APPROVED && a.status != ASG_REJECTED) {
        rc = wrong_state(&a, "Submitted, Approved, Rejected", err);
        goto out;
    }
    if (money_fee(amount, c->cfg->fee_bp, &fee))
        TS_BUG("bonus fee overflow");
    total = amount + fee;
    secrets_id_new(out->id);
    out->requester_id = requester_id;
    out->worker_id = a.worker_id;
    memcpy(out->assignment_id, a.id, STORE_ID_MAX);
    memcpy(out->hit_id, a.hit_id, STORE_ID_MAX);
    out->amount = amount;
    out->fee = fee;
    out->reason = xstrdup(reason);
    out->granted_ms = c->now_ms;
    {
        struct ledger_leg legs[3] = {
            {requester_id, LEDGER_AVAILABLE, -total},
            {a.worker_id, LEDGER_EARNINGS, amount},
            {0, LEDGER_FEES, fee},
        };
        rc = ledger_post(c, "bonus", out->id, legs, 3, err);
    }
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
