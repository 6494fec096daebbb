/* review.c: the review reactor, which runs MTurk's review policies from the settle step
 * (core_settle). A policy is stored per HIT and level with its Parameters as given (after
 * validation, review_params.c); a run scores the work (review_score.c), records
 * ReviewResults and ReviewActions in review_items and carries the actions out through
 * asg_approve, asg_reject, hit_add_assignments and hit_update_expiration, so money moves
 * exactly as when the requester calls those operations. Each action runs in a savepoint
 * of its own: one that fails for a reason of state or funds is undone (with the events it
 * raised) and recorded as Failed, and the run goes on. A failure of the store stops the
 * run and fails the change that set it off. */
#include "review.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "asg.h"
#include "event.h"
#include "hit.h"
#include "secrets.h"
#include "timers.h"
#include "../util/alloc.h"
#include "../util/banned.h"

/* ---- Recording and acting --------------------------------------------------------------- */

struct run {
    struct core_ctx *c;
    const char *hit_id;
    int64_t requester_id;
    int level;
    char review_id[STORE_ID_MAX]; /* the run's "review" action, which its results cite */
};

static int put_result(struct run *r, const char *subject, const char *type, const char *question,
                      const char *key, const char *value, struct ts_error *err)
{
    struct review_item it = {0};
    it.level = r->level;
    it.kind = REVIEW_RESULT;
    it.action_id = r->review_id;
    it.object_id = subject;
    it.object_type = type;
    it.question_id = question;
    it.name = key;
    it.value = value;
    return store_review_item_insert(r->c->st, r->hit_id, &it, err);
}

static int put_result_int(struct run *r, const char *subject, const char *type,
                          const char *question, const char *key, int64_t v,
                          struct ts_error *err)
{
    char s[32];
    snprintf(s, sizeof s, "%lld", (long long)v);
    return put_result(r, subject, type, question, key, s, err);
}

static int put_action(struct run *r, const char *id, const char *name, const char *target,
                      const char *type, const char *status, const char *result,
                      const char *error_code, struct ts_error *err)
{
    struct review_item it = {0};
    it.level = r->level;
    it.kind = REVIEW_ACTION;
    it.action_id = id;
    it.object_id = target;
    it.object_type = type;
    it.name = name;
    it.value = result;
    it.status = status;
    it.complete_ms = r->c->now_ms;
    it.error_code = error_code;
    return store_review_item_insert(r->c->st, r->hit_id, &it, err);
}

static int begin_run(struct run *r, struct core_ctx *c, const char *hit_id, int64_t requester,
                     int level)
{
    r->c = c;
    r->hit_id = hit_id;
    r->requester_id = requester;
    r->level = level;
    secrets_id_new(r->review_id);
    return 0;
}

/* Whether rc is a refusal of the action (recorded as Failed) rather than a failure of the
 * server (which fails the whole change). */
static int refused(int rc)
{
    return rc == TS_EINVAL || rc == TS_ENOTFOUND || rc == TS_EFORBIDDEN || rc == TS_ECONFLICT ||
           rc == TS_EFUNDS || rc == TS_ETOOBIG || rc == TS_EDUPLICATE;
}

enum act { ACT_APPROVE, ACT_REJECT, ACT_EXTEND };

struct act_args {
    const char *target;   /* assignment id, or the HIT's for ACT_EXTEND */
    const char *reason;   /* approve / reject */
    int64_t extend_max, extend_min_s;
};

static int do_extend(struct run *r, const struct act_args *a, const char **result,
                     struct ts_error *err)
{
    struct core_ctx *c = r->c;
    struct hit h;
    int64_t until;
    int rc = store_hit_get(c->st, r->hit_id, &h, err);
    if (rc)
        return rc;
    if (h.max_assignments >= a->extend_max) {
        *result = "not extended: the HIT has the most assignments this policy extends it to";
        store_hit_release(&h);
        return 0;
    }
    until = h.expires_ms;
    store_hit_release(&h);
    rc = hit_add_assignments(c, r->requester_id, r->hit_id, 1, NULL, err);
    if (!rc && a->extend_min_s > 0 && until < timers_after_s(c->now_ms, a->extend_min_s))
        rc = hit_update_expiration(c, r->requester_id, r->hit_id,
                                   timers_after_s(c->now_ms, a->extend_min_s), err);
    *result = a->extend_min_s > 0 ? "extended by one assignment; open for at least "
                                    "ExtendMinimumTimeInSeconds"
                                  : "extended by one assignment";
    return rc;
}

/* Carries out one action in a savepoint of its own and records it. */
static int act(struct run *r, enum act what, const struct act_args *a, struct ts_error *err)
{
    static const char *const names[] = {"approve", "reject", "extend"};
    struct ts_error aerr = {0};
    const char *result = NULL;
    char id[STORE_ID_MAX], code[96];
    size_t mark = event_count(r->c);
    int rc = store_savepoint(r->c->st, err);
    if (rc)
        return rc;
    switch (what) {
    case ACT_APPROVE:
        rc = asg_approve(r->c, r->requester_id, a->target, a->reason, 0, &aerr);
        result = "Approved";
        break;
    case ACT_REJECT:
        rc = asg_reject(r->c, r->requester_id, a->target, a->reason, &aerr);
        result = "Rejected";
        break;
    case ACT_EXTEND:
        rc = do_extend(r, a, &result, &aerr);
        break;
    }
    if (rc) {
        store_savepoint_rollback(r->c->st);
        event_drop_since(r->c, mark); /* what it raised did not happen */
        if (!refused(rc)) {
            if (err)
                *err = aerr;
            return rc;
        }
    } else {
        rc = store_savepoint_release(r->c->st, err);
        if (rc)
            return rc;
    }
    secrets_id_new(id);
    if (rc) {
        snprintf(code, sizeof code, "AWS.MechanicalTurk.%s",
                 aerr.kind ? aerr.kind : ts_err_name(aerr.code));
        return put_action(r, id, names[what], a->target,
                          what == ACT_EXTEND ? "HIT" : "Assignment", "Failed", aerr.msg, code,
                          err);
    }
    return put_action(r, id, names[what], a->target, what == ACT_EXTEND ? "HIT" : "Assignment",
                      "Succeeded", result, NULL, err);
}

/* ---- ScoreMyKnownAnswers/2011-09-01 ------------------------------------------------------ */

static json_t *answers_json(const struct assignment *a)
{
    json_t *o = a->answer_json ? json_loads(a->answer_json, 0, NULL) : NULL;
    if (!json_is_object(o)) {
        json_decref(o);
        o = json_object();
    }
    return o;
}

/* Scores the just submitted assignment a, whose answers are answers, of HIT h. */
static int run_known(struct core_ctx *c, const struct hit *h, const struct assignment *a,
                     json_t *answers, struct ts_error *err)
{
    struct review_policy pol;
    struct review_params p;
    struct run r;
    int *correct = NULL, score, right = 0, rc;
    char summary[128];

    rc = store_review_policy_get(c->st, h->id, REVIEW_ASSIGNMENT, &pol, err);
    if (rc)
        return rc;
    rc = review_params_load(&pol, &p, err);
    store_review_policy_release(&pol);
    if (rc)
        return rc;
    correct = xcalloc(p.nkeys, sizeof *correct);
    score = review_known_score(&p, answers, correct);
    begin_run(&r, c, h->id, h->requester_id, REVIEW_ASSIGNMENT);
    for (size_t i = 0; i < p.nkeys; i++)
        right += correct[i];
    snprintf(summary, sizeof summary, "Reviewed %zu known answer%s; %d/%zu correct", p.nkeys,
             p.nkeys == 1 ? "" : "s", right, p.nkeys);
    rc = put_action(&r, r.review_id, "review", a->id, "Assignment", "Succeeded", summary, NULL,
                    err);
    for (size_t i = 0; !rc && i < p.nkeys; i++)
        rc = put_result(&r, a->id, "Assignment", p.keys[i].question, "KnownAnswerCorrect",
                        correct[i] ? "1" : "0", err);
    if (!rc)
        rc = put_result_int(&r, a->id, "Assignment", NULL, "KnownAnswerScore", score, err);
    if (!rc) {
        struct act_args args = {a->id, NULL, p.extend_max, p.extend_min_s};
        if (p.approve_at_least >= 0 && score >= p.approve_at_least) {
            args.reason = p.approve_reason;
            rc = act(&r, ACT_APPROVE, &args, err);
        } else if (p.reject_below >= 0 && score < p.reject_below) {
            args.reason = p.reject_reason;
            rc = act(&r, ACT_REJECT, &args, err);
        }
        if (!rc && p.extend_below >= 0 && score < p.extend_below) {
            args.target = h->id;
            rc = act(&r, ACT_EXTEND, &args, err);
        }
    }
    free(correct);
    review_params_release(&p);
    return rc;
}

/* ---- SimplePlurality/2011-09-01 ----------------------------------------------------------- */

struct collect {
    struct assignment *v;
    size_t n, cap;
};

static int collect_cb(void *ctx, const struct assignment *a)
{
    struct collect *w = ctx;
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 8;
        w->v = xrealloc(w->v, st_mult(w->cap, sizeof *w->v));
    }
    w->v[w->n] = *a;
    w->v[w->n].answer_json = a->answer_json ? xstrdup(a->answer_json) : NULL;
    w->v[w->n].feedback = NULL;
    w->v[w->n].label = NULL;
    w->n++;
    return 0;
}

/* The HIT's finished (submitted, approved, rejected) assignments, oldest first. */
static int finished_of(struct core_ctx *c, const char *hit_id, struct collect *w,
                       struct ts_error *err)
{
    struct asg_filter f = {0};
    int64_t after = 0, last;
    int more = 1, rc = 0;
    f.hit_id = hit_id;
    f.status_mask = ASG_MASK(ASG_SUBMITTED) | ASG_MASK(ASG_APPROVED) | ASG_MASK(ASG_REJECTED);
    while (!rc && more) {
        rc = store_asg_list(c->st, &f, after, 100, collect_cb, w, &last, &more, err);
        after = last;
    }
    return rc;
}

static void collect_release(struct collect *w)
{
    for (size_t i = 0; i < w->n; i++)
        free(w->v[i].answer_json);
    free(w->v);
}

/* The assignments the plurality counts: not rejected (when so asked) and not below the
 * known-answer score (when the HIT has an assignment-level policy). */
static int consider(struct core_ctx *c, const struct hit *h, const struct review_params *p,
                    struct collect *w, json_t **answers, int *use, size_t *n,
                    struct ts_error *err)
{
    struct review_params known;
    int have_known = 0, rc = 0;

    if (p->disregard_known_below >= 0 && (h->policies & REVIEW_LEVEL_BIT(REVIEW_ASSIGNMENT))) {
        struct review_policy pol;
        rc = store_review_policy_get(c->st, h->id, REVIEW_ASSIGNMENT, &pol, err);
        if (!rc)
            rc = review_params_load(&pol, &known, err);
        store_review_policy_release(&pol);
        if (rc)
            return rc;
        have_known = 1;
    }
    *n = 0;
    for (size_t i = 0; i < w->n; i++) {
        json_t *o = answers_json(&w->v[i]);
        use[i] = 1;
        if (p->disregard_rejected && w->v[i].status == ASG_REJECTED)
            use[i] = 0;
        if (have_known && review_known_score(&known, o, NULL) < p->disregard_known_below)
            use[i] = 0;
        if (use[i])
            answers[(*n)++] = o;
        else
            json_decref(o);
    }
    if (have_known)
        review_params_release(&known);
    return 0;
}

static int plurality_results(struct run *r, const struct review_params *p,
                             const struct review_question *q, int hit_score,
                             struct ts_error *err)
{
    int rc = 0;
    for (size_t qi = 0; !rc && qi < p->nquestions; qi++) {
        const char *qid = p->questions[qi];
        rc = put_result(r, r->hit_id, "HIT", qid, "AgreedAnswerFound",
                        q[qi].agreed ? "true" : "false", err);
        if (!rc && q[qi].answer)
            rc = put_result(r, r->hit_id, "HIT", qid, "PluralityAnswer", q[qi].answer, err);
        if (!rc && q[qi].votes)
            rc = put_result_int(r, r->hit_id, "HIT", qid, "PluralityLevel", q[qi].score, err);
        if (!rc && q[qi].agreed)
            rc = put_result(r, r->hit_id, "HIT", qid, "AgreedAnswer", q[qi].answer, err);
        if (!rc && q[qi].agreed)
            rc = put_result_int(r, r->hit_id, "HIT", qid, "AnswerAgreementScore", q[qi].score,
                                err);
    }
    if (!rc)
        rc = put_result_int(r, r->hit_id, "HIT", NULL, "HitAgreementScore", hit_score, err);
    return rc;
}

static int worker_results(struct run *r, const struct review_params *p,
                          const struct review_question *q, const struct assignment *a,
                          json_t *answers, struct ts_error *err)
{
    int right, wrong, score = review_worker_score(p, q, answers, &right, &wrong), rc = 0;
    struct act_args args = {a->id, NULL, 0, 0};

    for (size_t qi = 0; !rc && qi < p->nquestions; qi++) {
        const char *v;
        size_t n;
        if (!q[qi].agreed)
            continue;
        rc = put_result(r, a->id, "Assignment", p->questions[qi], "AgreedWithPlurality",
                        review__vote_of(answers, p->questions[qi], &v, &n) &&
                                n == strlen(q[qi].answer) && memcmp(v, q[qi].answer, n) == 0
                            ? "1"
                            : "0",
                        err);
    }
    if (rc || score < 0)
        return rc; /* no agreed question: nothing to judge the worker by */
    rc = put_result_int(r, a->id, "Assignment", NULL, "WorkerAgreementScore", score, err);
    if (!rc)
        rc = put_result_int(r, a->id, "Assignment", NULL, "PluralityAnswersCorrect", right, err);
    if (!rc)
        rc = put_result_int(r, a->id, "Assignment", NULL, "PluralityAnswersIncorrect", wrong,
                            err);
    if (!rc && p->approve_worker_at_least >= 0 && score >= p->approve_worker_at_least)
        rc = act(r, ACT_APPROVE, &args, err);
    else if (!rc && p->reject_worker_below >= 0 && score < p->reject_worker_below) {
        args.reason = p->reject_reason;
        rc = act(r, ACT_REJECT, &args, err);
    }
    return rc;
}

static int run_plurality(struct core_ctx *c, const struct hit *h, const struct review_params *p,
                         struct ts_error *err)
{
    struct collect w = {0};
    struct review_question *q = NULL;
    json_t **answers = NULL;
    int *use = NULL, hit_score, rc;
    size_t n = 0, k = 0;
    struct run r;
    char summary[160];

    rc = finished_of(c, h->id, &w, err);
    if (rc)
        goto out;
    answers = xcalloc(w.n + 1, sizeof *answers);
    use = xcalloc(w.n + 1, sizeof *use);
    rc = consider(c, h, p, &w, answers, use, &n, err);
    if (rc)
        goto out;
    q = xcalloc(p->nquestions, sizeof *q);
    hit_score = n ? review_plurality(p, answers, n, q) : 0;
    begin_run(&r, c, h->id, h->requester_id, REVIEW_HIT);
    {
        size_t agreed = 0;
        for (size_t i = 0; i < p->nquestions; i++)
            agreed += (size_t)q[i].agreed;
        snprintf(summary, sizeof summary,
                 "Reviewed %zu assignment%s on %zu question%s; %zu with an agreed answer", n,
                 n == 1 ? "" : "s", p->nquestions, p->nquestions == 1 ? "" : "s", agreed);
    }
    rc = put_action(&r, r.review_id, "review", h->id, "HIT", "Succeeded", summary, NULL, err);
    if (!rc)
        rc = plurality_results(&r, p, q, hit_score, err);
    for (size_t i = 0; !rc && i < w.n; i++) {
        if (!use[i])
            continue;
        rc = worker_results(&r, p, q, &w.v[i], answers[k++], err);
    }
    if (!rc && p->extend_hit_below >= 0 && hit_score < p->extend_hit_below) {
        struct act_args args = {h->id, NULL, p->extend_max, p->extend_min_s};
        rc = act(&r, ACT_EXTEND, &args, err);
    }
out:
    if (q) {
        review_questions_release(q, p->nquestions);
        free(q);
    }
    for (size_t i = 0; answers && i < n; i++)
        json_decref(answers[i]);
    free(answers);
    free(use);
    collect_release(&w);
    return rc;
}

/* ---- Hooks ------------------------------------------------------------------------------ */

int review_attach(struct core_ctx *c, const char *hit_id, const struct review_policy *asg,
                  const struct review_policy *hit, struct ts_error *err)
{
    int rc = 0;
    if (asg)
        rc = store_review_policy_put(c->st, hit_id, asg, err);
    if (!rc && hit)
        rc = store_review_policy_put(c->st, hit_id, hit, err);
    return rc;
}

/* Runs h's HIT-level policy when h (current) is Reviewable and has finished work the
 * policy has not seen yet. */
static int review_hit_maybe(struct core_ctx *c, const struct hit *h, struct ts_error *err)
{
    struct review_policy pol;
    struct review_params p;
    int64_t finished = h->submitted + h->approved + h->rejected;
    int rc;

    if (!(h->policies & REVIEW_LEVEL_BIT(REVIEW_HIT)) || finished == 0 ||
        hit_status_at(h, c->now_ms) != HIT_REVIEWABLE)
        return 0;
    rc = store_review_policy_get(c->st, h->id, REVIEW_HIT, &pol, err);
    if (rc)
        return rc;
    if (pol.reviewed == finished) {
        store_review_policy_release(&pol);
        return 0; /* this work was reviewed already */
    }
    /* Marked before the run: an event its actions raise (an extension that settles the
     * HIT's expiry) finds this work reviewed. */
    rc = store_review_policy_mark(c->st, h->id, REVIEW_HIT, finished, err);
    if (!rc)
        rc = review_params_load(&pol, &p, err);
    store_review_policy_release(&pol);
    if (rc)
        return rc;
    rc = run_plurality(c, h, &p, err);
    review_params_release(&p);
    return rc;
}

int review_react(struct core_ctx *c, struct event *e, struct ts_error *err)
{
    int rc = 0;

    switch (e->kind) {
    case EVENT_ASG_SUBMITTED:
        /* The assignment-level policy scores the submission with the event's rows. */
        if (e->submit && (e->hit.policies & REVIEW_LEVEL_BIT(REVIEW_ASSIGNMENT)))
            rc = run_known(c, &e->hit, &e->submit->asg, e->submit->answers, err);
        break;
    case EVENT_ASG_RETURNED:  /* the last pending assignment of an expired HIT gone */
    case EVENT_ASG_ABANDONED:
    case EVENT_HIT_EXPIRED:   /* expired with its work in */
        break;
    default:
        return 0;
    }
    /* The HIT-level policy, when the HIT is Reviewable now: the row in hand, or read
     * again when events were raised since (the scoring's actions, say). */
    if (!rc && (e->hit.policies & REVIEW_LEVEL_BIT(REVIEW_HIT))) {
        rc = event_hit(c, e, err);
        if (!rc)
            rc = review_hit_maybe(c, &e->hit, err);
    }
    return rc;
}
