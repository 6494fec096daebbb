/* ops_account.c: the worker's own account: earnings (with the effective hourly pay of
 * approved work, core/pay.c), profile (subdivision and consent to adult content), and
 * the messages requesters sent with NotifyWorkers. */
#include "ops.h"
#include <stdio.h>
#include <string.h>
#include "param.h"
#include "render.h"
#include "../core/ledger.h"
#include "../core/pay.h"
#include "../core/quals.h"
#include "../util/banned.h"

static int op_get_my_earnings(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    struct worker_stats s;
    int64_t bal;
    (void)in;
    int rc = ledger_balance(c->core, c->who.id, LEDGER_EARNINGS, &bal, err);
    if (!rc)
        rc = store_worker_stats(c->core->st, c->who.id, &s, err);
    if (rc)
        return rc;
    render_money(out, "Balance", bal);
    render_money(out, "ApprovedEarnings", s.approved_reward);
    render_money(out, "Bonuses", s.bonuses);
    json_object_set_new(out, "AcceptedAssignments", json_integer(s.accepted));
    json_object_set_new(out, "SubmittedAssignments", json_integer(s.submitted));
    json_object_set_new(out, "ApprovedAssignments", json_integer(s.approved));
    json_object_set_new(out, "RejectedAssignments", json_integer(s.rejected));
    json_object_set_new(out, "ReturnedAssignments", json_integer(s.returned));
    json_object_set_new(out, "AbandonedAssignments", json_integer(s.abandoned));
    json_object_set_new(out, "ApprovedWorkSeconds",
                        json_real((double)s.approved_work_ms / 1000.0));
    if (s.approved_work_ms > 0)
        render_money(out, "EffectiveHourlyPay",
                     pay_hourly(s.approved_reward, s.approved_work_ms));
    else
        json_object_set_new(out, "EffectiveHourlyPay", json_null());
    return 0;
}

/* The worker's own profile: Subdivision (ISO 3166-2, "" to clear) and Adult (consent to
 * adult content, Worker_Adult). Members left out stay as they are; {} just reads it. */
static int op_update_my_profile(struct op_ctx *c, json_t *in, json_t *out,
                                struct ts_error *err)
{
    struct account a;
    const char *sd = NULL;
    int adult = -1;
    int rc = param_str(in, "Subdivision", PARAM_OPTIONAL, 16, &sd, err);
    if (!rc)
        rc = param_bool(in, "Adult", PARAM_OPTIONAL, &adult, err);
    if (!rc)
        rc = store_account_get(c->core->st, c->who.id, &a, err);
    if (rc)
        return rc;
    if (sd && sd[0] && quals_subdivision_check(a.country, sd, err)) {
        char msg[sizeof err->msg];
        memcpy(msg, err->msg, sizeof msg);
        return ts_failk(err, TS_EINVAL, "ParameterValidationError", "Subdivision: %s", msg);
    }
    if (sd || adult >= 0) {
        if (sd)
            snprintf(a.subdivision, sizeof a.subdivision, "%s", sd);
        if (adult >= 0)
            a.adult = adult;
        rc = store_account_profile_set(c->core->st, &a, err);
    }
    if (!rc) {
        json_object_set_new(out, "Country", json_string(a.country));
        json_object_set_new(out, "Subdivision", json_string(a.subdivision));
        json_object_set_new(out, "Adult", json_boolean(a.adult));
    }
    return rc;
}

struct msg_walk {
    struct op_ctx *c;
    json_t *arr;
    struct ts_error *err;
    int rc;
};

static int msg_cb(void *ctx, const struct message *m)
{
    struct msg_walk *w = ctx;
    struct account rq;
    json_t *o;
    w->rc = store_account_get(w->c->core->st, m->requester_id, &rq, w->err);
    if (w->rc)
        return 1;
    o = json_object();
    json_object_set_new(o, "RequesterName", json_string(rq.name));
    json_object_set_new(o, "Subject", json_string(m->subject ? m->subject : ""));
    json_object_set_new(o, "MessageText", json_string(m->body ? m->body : ""));
    render_time(o, "SentTime", m->sent_ms);
    json_array_append_new(w->arr, o);
    return 0;
}

/* Messages requesters sent this worker with NotifyWorkers, oldest first. */
static int op_list_my_messages(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    struct msg_walk w = {c, NULL, err, 0};
    int64_t after, last = 0;
    int limit, more = 0;
    int rc = param_page(in, &after, &limit, err);
    if (rc)
        return rc;
    w.arr = json_array();
    rc = store_message_list(c->core->st, c->who.id, after, limit, msg_cb, &w, &last, &more,
                            err);
    if (!rc)
        rc = w.rc;
    return param_page_reply(out, "Messages", w.arr, last, more, rc);
}

static const char *const f_none[] = {NULL};
static const char *const f_page[] = {"NextToken", "MaxResults", NULL};
static const char *const f_profile[] = {"Subdivision", "Adult", NULL};

#define WK ROLE_WORKER

const struct op ops_account[] = {
    {"GetMyEarnings", WK, 0, f_none, op_get_my_earnings, NULL},
    {"ListMyMessages", WK, 0, f_page, op_list_my_messages, NULL},
    {"UpdateMyProfile", WK, OP_WRITE, f_profile, op_update_my_profile, NULL},
};
const size_t ops_account_n = sizeof ops_account / sizeof ops_account[0];
