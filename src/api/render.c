/* render.c: the JSON shapes of MTurk's structures as the requester sees them. */
#include "render.h"
#include <string.h>
#include "../core/hit.h"
#include "../core/asg.h"
#include "../core/pay.h"
#include "../core/pseudonym.h"
#include "../core/timers.h"
#include "../doc/question.h"
#include "../doc/qform.h"
#include "../util/buf.h"
#include "../util/money.h"
#include "../util/banned.h"

void render_time(json_t *o, const char *name, int64_t ms)
{
    if (ms > 0)
        json_object_set_new(o, name, json_integer(ms / 1000));
}

void render_money(json_t *o, const char *name, int64_t micros)
{
    char s[32];
    money_format(micros, s);
    json_object_set_new(o, name, json_string(s));
}

json_t *render_hit(const struct hit *h, const struct hit_type *t, int64_t now_ms)
{
    json_t *o = json_object();
    json_t *quals = json_loads(t->quals_json ? t->quals_json : "[]", 0, NULL);

    if (!h->question)
        TS_BUG("HIT %s rendered without its texts (store_hit_load_texts)", h->id);
    json_object_set_new(o, "HITId", json_string(h->id));
    json_object_set_new(o, "HITTypeId", json_string(h->hit_type_id));
    json_object_set_new(o, "HITGroupId", json_string(h->hit_type_id));
    render_time(o, "CreationTime", h->created_ms);
    json_object_set_new(o, "Title", json_string(t->title));
    json_object_set_new(o, "Description", json_string(t->description));
    json_object_set_new(o, "Question", json_string(h->question));
    if (h->layout_id[0])
        json_object_set_new(o, "HITLayoutId", json_string(h->layout_id));
    if (t->keywords && *t->keywords)
        json_object_set_new(o, "Keywords", json_string(t->keywords));
    json_object_set_new(o, "HITStatus", json_string(hit_status_name(hit_status_at(h, now_ms))));
    json_object_set_new(o, "MaxAssignments", json_integer(h->max_assignments));
    render_money(o, "Reward", h->reward);
    render_money(o, "Fee", h->fee);
    json_object_set_new(o, "AutoApprovalDelayInSeconds", json_integer(t->auto_approval_s));
    render_time(o, "Expiration", h->expires_ms);
    json_object_set_new(o, "AssignmentDurationInSeconds", json_integer(t->duration_s));
    if (h->annotation)
        json_object_set_new(o, "RequesterAnnotation", json_string(h->annotation));
    json_object_set_new(o, "QualificationRequirements", quals ? quals : json_array());
    json_object_set_new(o, "HITReviewStatus", json_string("NotReviewed"));
    json_object_set_new(o, "NumberOfAssignmentsPending", json_integer(h->pending));
    json_object_set_new(o, "NumberOfAssignmentsAvailable",
                        json_integer(hit_available_at(h, now_ms)));
    json_object_set_new(o, "NumberOfAssignmentsCompleted",
                        json_integer(h->approved + h->rejected));
    if (h->batch_id[0])
        json_object_set_new(o, "BatchId", json_string(h->batch_id));
    return o;
}

int render_hit_cached(struct op_ctx *c, const struct hit *h, struct hit_type *cache,
                      json_t **out, struct ts_error *err)
{
    if (strcmp(cache->id, h->hit_type_id) != 0) {
        store_hit_type_release(cache);
        int rc = store_hit_type_get(c->core->st, h->hit_type_id, cache, err);
        if (rc) {
            memset(cache, 0, sizeof *cache);
            return rc;
        }
    }
    *out = render_hit(h, cache, c->core->now_ms);
    return 0;
}

int render_question_load(struct op_ctx *c, const char *hit_id, struct question *q,
                         struct ts_error *err)
{
    struct hit h;
    int rc = store_hit_get(c->core->st, hit_id, &h, err);
    memset(q, 0, sizeof *q);
    if (rc)
        return rc;
    rc = store_hit_load_texts(c->core->st, &h, err);
    if (!rc && question_parse(h.question, strlen(h.question), q, err) != 0)
        rc = ts_fail(err, TS_EIO, "HIT %s has a Question that no longer parses", hit_id);
    store_hit_release(&h);
    return rc;
}

json_t *render_asg(struct op_ctx *c, const struct assignment *a, struct ts_error *err)
{
    struct question q;
    json_t *o;

    if (!a->answer_json)
        return render_asg_form(c, a, NULL, err);
    if (render_question_load(c, a->hit_id, &q, err))
        return NULL;
    o = render_asg_form(c, a, q.form, err);
    question_release(&q);
    return o;
}

json_t *render_asg_form(struct op_ctx *c, const struct assignment *a, const struct qform *form,
                        struct ts_error *err)
{
    json_t *o = json_object();
    char pseud[16];

    pseudonym_derive(c->core->sec, a->requester_id, a->worker_id, pseud);
    json_object_set_new(o, "AssignmentId", json_string(a->id));
    json_object_set_new(o, "WorkerId", json_string(pseud));
    json_object_set_new(o, "HITId", json_string(a->hit_id));
    json_object_set_new(o, "AssignmentStatus", json_string(asg_status_name(a->status)));
    render_time(o, "AutoApprovalTime", timers_auto_approval_due(a));
    render_time(o, "AcceptTime", a->accepted_ms);
    render_time(o, "SubmitTime", a->submitted_ms);
    render_time(o, "ApprovalTime", a->approved_ms);
    render_time(o, "RejectionTime", a->rejected_ms);
    render_time(o, "Deadline", a->deadline_ms);
    if (a->answer_json) {
        struct buf b = BUF_INIT(BUF_MAX_BODY);
        int rc = form ? qform_answers_xml(form, a->answer_json, &b, err)
                      : question_answers_xml(a->answer_json, &b, err);
        if (rc || b.err) {
            buf_release(&b);
            json_decref(o);
            if (!err->msg[0])
                ts_fail(err, TS_EIO, "could not render the answer of %s", a->id);
            return NULL;
        }
        json_object_set_new(o, "Answer", json_stringn(b.p, b.len));
        buf_release(&b);
    }
    if (a->feedback)
        json_object_set_new(o, "RequesterFeedback", json_string(a->feedback));
    if (a->submitted_ms)
        json_object_set_new(o, "WorkTimeInSeconds", json_real((double)pay_work_ms(a) / 1000.0));
    return o;
}

json_t *render_bonus(struct op_ctx *c, const struct bonus *b)
{
    json_t *o = json_object();
    char pseud[16];
    pseudonym_derive(c->core->sec, b->requester_id, b->worker_id, pseud);
    json_object_set_new(o, "WorkerId", json_string(pseud));
    render_money(o, "BonusAmount", b->amount);
    render_money(o, "Fee", b->fee);
    json_object_set_new(o, "AssignmentId", json_string(b->assignment_id));
    json_object_set_new(o, "Reason", json_string(b->reason ? b->reason : ""));
    render_time(o, "GrantTime", b->granted_ms);
    return o;
}
