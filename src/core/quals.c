/* quals.c: validating and checking qualification requirements. A requirement compares
 * the worker's value of one qualification type with the values it lists; a worker meets
 * a HIT type's requirements when every one of them holds. Also the rules of the types
 * and scores themselves: a type's test settings, deleting a type, granting and revoking
 * a score (the requests for one are qreq.c's). */
#include "quals.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "qtest.h"
#include "../util/alloc.h"
#include "../util/banned.h"

enum cmp { LT, LE, GT, GE, EQ, NE, EXISTS, NOT_EXISTS, IN, NOT_IN, CMP_BAD };

static enum cmp cmp_of(const char *s)
{
    static const char *const names[] = {"LessThan", "LessThanOrEqualTo", "GreaterThan",
                                        "GreaterThanOrEqualTo", "EqualTo", "NotEqualTo",
                                        "Exists", "DoesNotExist", "In", "NotIn"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i]) == 0)
            return (enum cmp)i;
    return CMP_BAD;
}

static int bad(struct ts_error *err, size_t i, const char *what)
{
    return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                    "QualificationRequirements[%zu]: %s", i, what);
}

static int valid_locale(json_t *l)
{
    json_t *c = json_object_get(l, "Country"), *s = json_object_get(l, "Subdivision");
    const char *k;
    json_t *v;
    if (!json_is_object(l) || !json_is_string(c) || json_string_length(c) != 2)
        return 0;
    if (s && (!json_is_string(s) || json_string_length(s) < 1 || json_string_length(s) > 3))
        return 0;
    json_object_foreach(l, k, v)
    {
        if (strcmp(k, "Country") != 0 && strcmp(k, "Subdivision") != 0)
            return 0;
    }
    return 1;
}

enum sys { SYS_NONE, SYS_LOCALE, SYS_NUMBER_APPROVED, SYS_PERCENT_APPROVED,
           SYS_PERCENT_REJECTED, SYS_ADULT, SYS_MASTERS, SYS_LEGACY };

static enum sys sys_of(const char *id)
{
    static const struct {
        const char *id;
        enum sys s;
    } t[] = {{QUALS_LOCALE, SYS_LOCALE},
             {QUALS_NUMBER_APPROVED, SYS_NUMBER_APPROVED},
             {QUALS_PERCENT_APPROVED, SYS_PERCENT_APPROVED},
             {QUALS_PERCENT_REJECTED, SYS_PERCENT_REJECTED},
             {QUALS_ADULT, SYS_ADULT},
             {QUALS_MASTERS, SYS_MASTERS},
             {QUALS_MASTERS_SANDBOX, SYS_MASTERS},
             {QUALS_PERCENT_SUBMITTED, SYS_LEGACY},
             {QUALS_PERCENT_ABANDONED, SYS_LEGACY},
             {QUALS_PERCENT_RETURNED, SYS_LEGACY}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(id, t[i].id) == 0)
            return t[i].s;
    return SYS_NONE;
}

int quals_is_system(const char *id)
{
    enum sys s = sys_of(id);
    return s != SYS_NONE && s != SYS_LEGACY;
}

/* 0 when id is one of requester_id's own active qualification types; else why not. */
static int own_type(struct core_ctx *c, int64_t requester_id, const char *id, size_t i,
                    struct ts_error *err)
{
    struct qual_type q;
    int mine = 0, active = 0;
    int rc = store_qual_type_get(c->st, id, &q, err);

    if (rc && rc != TS_ENOTFOUND)
        return rc;
    if (!rc) {
        mine = q.requester_id == requester_id && !q.deleted;
        active = q.active;
        store_qual_type_release(&q);
    }
    if (!mine)
        return ts_failk(err, TS_EINVAL, "UnsupportedParameter",
                        "QualificationRequirements[%zu]: %s is neither one of your "
                        "qualification types nor a system type this server computes "
                        "(Worker_Locale, Worker_NumberHITsApproved, "
                        "Worker_PercentAssignmentsApproved, Worker_PercentAssignmentsRejected, "
                        "Worker_Adult, Masters; docs/mturk.md)",
                        i, id);
    if (!active)
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "QualificationRequirements[%zu]: qualification type %s is Inactive",
                        i, id);
    return 0;
}

int quals_validate(struct core_ctx *c, int64_t requester_id, json_t *reqs,
                   struct ts_error *err)
{
    size_t i;
    json_t *q;

    if (!json_is_array(reqs) || json_array_size(reqs) > 10)
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "QualificationRequirements must be a list of at most 10 requirements");
    json_array_foreach(reqs, i, q)
    {
        json_t *type = json_object_get(q, "QualificationTypeId");
        json_t *ints = json_object_get(q, "IntegerValues");
        json_t *locs = json_object_get(q, "LocaleValues");
        json_t *guard = json_object_get(q, "ActionsGuarded");
        const char *id;
        enum cmp cmp;
        size_t n_int, n_loc, j;
        json_t *v;
        int locale;
        enum sys sys;

        if (!json_is_object(q) || !json_is_string(type) ||
            !json_is_string(json_object_get(q, "Comparator")))
            return bad(err, i, "needs a QualificationTypeId and a Comparator");
        cmp = cmp_of(json_string_value(json_object_get(q, "Comparator")));
        if (cmp == CMP_BAD)
            return bad(err, i, "Comparator must be one of LessThan, LessThanOrEqualTo, "
                               "GreaterThan, GreaterThanOrEqualTo, EqualTo, NotEqualTo, "
                               "Exists, DoesNotExist, In, NotIn");
        if ((ints && !json_is_array(ints)) || (locs && !json_is_array(locs)))
            return bad(err, i, "IntegerValues and LocaleValues must be lists");
        n_int = ints ? json_array_size(ints) : 0;
        n_loc = locs ? json_array_size(locs) : 0;
        json_array_foreach(ints, j, v)
        {
            if (!json_is_integer(v))
                return bad(err, i, "IntegerValues must hold integers");
        }
        json_array_foreach(locs, j, v)
        {
            if (!valid_locale(v))
                return bad(err, i, "each LocaleValue is {\"Country\": two letters, "
                                   "\"Subdivision\": optional}");
        }
        if (guard && (!json_is_string(guard) ||
                      (strcmp(json_string_value(guard), "Accept") != 0 &&
                       strcmp(json_string_value(guard), "PreviewAndAccept") != 0 &&
                       strcmp(json_string_value(guard), "DiscoverPreviewAndAccept") != 0)))
            return bad(err, i, "ActionsGuarded must be Accept, PreviewAndAccept or "
                               "DiscoverPreviewAndAccept");
        id = json_string_value(type);
        sys = sys_of(id);
        locale = sys == SYS_LOCALE;
        if (sys == SYS_LEGACY)
            return ts_failk(err, TS_EINVAL, "UnsupportedParameter",
                            "QualificationRequirements[%zu]: %s (Worker_PercentAssignments"
                            "Submitted, Abandoned or Returned) is not computed: Tessera keeps "
                            "no per-worker count of submitted, abandoned and returned "
                            "assignments",
                            i, id);
        if (sys == SYS_NONE) {
            int rc = own_type(c, requester_id, id, i, err);
            if (rc)
                return rc;
        }
        if (sys == SYS_MASTERS && cmp != EXISTS && cmp != NOT_EXISTS)
            return bad(err, i, "Masters takes the Exists or DoesNotExist comparator only");
        if (sys == SYS_ADULT && (cmp == EXISTS || cmp == NOT_EXISTS))
            return bad(err, i, "Worker_Adult is a value every worker has (1: agreed to adult "
                               "content, 0: not): compare it with EqualTo 1");
        if (cmp == EXISTS || cmp == NOT_EXISTS) {
            if (n_int || n_loc)
                return bad(err, i, "Exists and DoesNotExist take no values");
            continue;
        }
        if (locale) {
            if (n_int)
                return bad(err, i, "Worker_Locale takes LocaleValues, not IntegerValues");
            if (cmp == EQ || cmp == NE) {
                if (n_loc != 1)
                    return bad(err, i, "EqualTo and NotEqualTo take exactly one LocaleValue");
            } else if (cmp == IN || cmp == NOT_IN) {
                if (n_loc < 1 || n_loc > 30)
                    return bad(err, i, "In and NotIn take 1 to 30 LocaleValues");
            } else {
                return bad(err, i, "Worker_Locale can be compared with EqualTo, NotEqualTo, "
                                   "In, NotIn, Exists or DoesNotExist only");
            }
            continue;
        }
        if (n_loc)
            return bad(err, i, "LocaleValues are for Worker_Locale only");
        if (cmp == IN || cmp == NOT_IN) {
            if (n_int < 1 || n_int > 15)
                return bad(err, i, "In and NotIn take 1 to 15 IntegerValues");
        } else if (n_int != 1) {
            return bad(err, i, "this Comparator takes exactly one IntegerValue");
        }
    }
    return 0;
}

int quals_worker_load(struct core_ctx *c, int64_t worker_id, struct quals_worker *w,
                      struct ts_error *err)
{
    struct account a;
    int rc = store_account_get(c->st, worker_id, &a, err);
    memset(w, 0, sizeof *w);
    w->id = worker_id;
    if (!rc) {
        memcpy(w->country, a.country, sizeof w->country);
        memcpy(w->subdivision, a.subdivision, sizeof w->subdivision);
        w->adult = a.adult;
        rc = store_worker_counts(c->st, worker_id, &w->approved, &w->rejected, err);
    }
    return rc;
}

/* A value without a Subdivision matches every worker of its country; one with a
 * Subdivision only the workers who declared that subdivision, as on MTurk. */
static int locale_matches(json_t *l, const struct quals_worker *w)
{
    json_t *sd = json_object_get(l, "Subdivision");
    return strcmp(json_string_value(json_object_get(l, "Country")), w->country) == 0 &&
           (!sd || strcmp(json_string_value(sd), w->subdivision) == 0);
}

int quals_subdivision_check(const char *country, const char *sd, struct ts_error *err)
{
    size_t n = strlen(sd);
    if (!country || !country[0])
        return ts_fail(err, TS_EINVAL, "a subdivision needs a country");
    if (n < 1 || n > 3)
        return ts_fail(err, TS_EINVAL, "a subdivision is 1 to 3 capital letters or digits "
                                       "(the part of an ISO 3166-2 code after \"%s-\")",
                       country);
    for (size_t i = 0; i < n; i++)
        if (!((sd[i] >= 'A' && sd[i] <= 'Z') || (sd[i] >= '0' && sd[i] <= '9')))
            return ts_fail(err, TS_EINVAL, "a subdivision is 1 to 3 capital letters or digits "
                                           "(the part of an ISO 3166-2 code after \"%s-\")",
                           country);
    return 0;
}

/* Whether w is a Master: an experienced worker by the operator's thresholds. */
static int is_master(struct core_ctx *c, const struct quals_worker *w)
{
    int64_t reviewed = w->approved + w->rejected;
    return w->approved >= c->cfg->masters_approved &&
           w->approved * 100 >= c->cfg->masters_percent * reviewed;
}

int quals_value(struct core_ctx *c, const char *type_id, int64_t worker_id, int64_t *value,
                struct ts_error *err)
{
    struct qual_type t;
    struct qual q;
    int rc = store_qual_get(c->st, type_id, worker_id, &q, err);

    if (rc == 0) {
        *value = q.value;
        return q.granted ? 1 : 0; /* a revoked score stays revoked */
    }
    if (rc != TS_ENOTFOUND)
        return rc;
    rc = store_qual_type_get(c->st, type_id, &t, err);
    if (rc == TS_ENOTFOUND)
        return 0;
    if (rc)
        return rc;
    rc = t.auto_granted && !t.deleted;
    *value = t.auto_value;
    store_qual_type_release(&t);
    return rc;
}

int quals_type_get_owned(struct core_ctx *c, int64_t requester_id, const char *id,
                         int with_deleted, struct qual_type *out, struct ts_error *err)
{
    int rc = store_qual_type_get(c->st, id, out, err);
    if (rc == 0 && (out->requester_id != requester_id || (out->deleted && !with_deleted))) {
        store_qual_type_release(out); /* a refusal keeps nothing: its Test may be 64 KB */
        rc = TS_ENOTFOUND;
    }
    if (rc == TS_ENOTFOUND)
        return ts_failk(err, TS_ENOTFOUND, "QualificationTypeDoesNotExist",
                        "qualification type %s does not exist", id);
    return rc;
}

/* 1 when requirement q holds for w, 0 when not, negative on a store failure. */
static int holds(struct core_ctx *c, json_t *q, const struct quals_worker *w,
                 struct ts_error *err)
{
    const char *id = json_string_value(json_object_get(q, "QualificationTypeId"));
    enum cmp cmp = cmp_of(json_string_value(json_object_get(q, "Comparator")));
    json_t *ints = json_object_get(q, "IntegerValues");
    json_t *locs = json_object_get(q, "LocaleValues");
    int64_t have, want;
    size_t j;
    json_t *v;
    int any = 0;

    enum sys sys = sys_of(id);

    if (sys == SYS_LOCALE) {
        if (cmp == EXISTS || cmp == NOT_EXISTS)
            return (w->country[0] != '\0') == (cmp == EXISTS);
        json_array_foreach(locs, j, v) any |= w->country[0] && locale_matches(v, w);
        return (cmp == EQ || cmp == IN) ? any : !any;
    }
    if (sys == SYS_MASTERS)
        return is_master(c, w) == (cmp == EXISTS);
    if (sys == SYS_NUMBER_APPROVED) {
        have = w->approved;
    } else if (sys == SYS_ADULT) {
        have = w->adult ? 1 : 0;
    } else if (sys == SYS_PERCENT_REJECTED) {
        /* Of the reviewed work, as Worker_PercentAssignmentsApproved: 0 with none. */
        int64_t reviewed = w->approved + w->rejected;
        have = reviewed ? w->rejected * 100 / reviewed : 0;
    } else if (sys != SYS_PERCENT_APPROVED) {
        int r = quals_value(c, id, w->id, &have, err);
        if (r <= 0)
            return r < 0 ? r : cmp == NOT_EXISTS; /* no score: only DoesNotExist holds */
        if (cmp == EXISTS || cmp == NOT_EXISTS)
            return cmp == EXISTS;
    } else {
        /* As on MTurk, a worker none of whose work has been reviewed counts as 100%. */
        int64_t reviewed = w->approved + w->rejected;
        have = reviewed ? w->approved * 100 / reviewed : 100;
    }
    if (cmp == EXISTS || cmp == NOT_EXISTS)
        return cmp == EXISTS; /* every worker has these values */
    if (cmp == IN || cmp == NOT_IN) {
        json_array_foreach(ints, j, v) any |= json_integer_value(v) == have;
        return cmp == IN ? any : !any;
    }
    want = json_integer_value(json_array_get(ints, 0));
    switch (cmp) {
    case LT: return have < want;
    case LE: return have <= want;
    case GT: return have > want;
    case GE: return have >= want;
    case EQ: return have == want;
    case NE: return have != want;
    default: return 0;
    }
}

/* The actions requirement q guards (enum quals_action bits): its ActionsGuarded; for the
 * deprecated RequiredToPreview = true without it, PreviewAndAccept; else Accept alone,
 * MTurk's default (an unqualified worker still finds and previews the HIT). */
static unsigned guarded(json_t *q)
{
    const char *g = json_string_value(json_object_get(q, "ActionsGuarded"));
    if (g && strcmp(g, "DiscoverPreviewAndAccept") == 0)
        return QUALS_DISCOVER | QUALS_PREVIEW | QUALS_ACCEPT;
    if ((g && strcmp(g, "PreviewAndAccept") == 0) ||
        (!g && json_is_true(json_object_get(q, "RequiredToPreview"))))
        return QUALS_PREVIEW | QUALS_ACCEPT;
    return QUALS_ACCEPT;
}

int quals_guards(const char *quals_json, enum quals_action action)
{
    json_t *reqs, *q;
    size_t i;
    int any = 0;

    if (!quals_json || strcmp(quals_json, "[]") == 0)
        return 0;
    reqs = json_loads(quals_json, 0, NULL);
    json_array_foreach(reqs, i, q) any |= (guarded(q) & action) != 0;
    json_decref(reqs);
    return any;
}

int quals_check(struct core_ctx *c, const char *quals_json, const struct quals_worker *w,
                struct ts_error *err)
{
    return quals_check_action(c, quals_json, w, QUALS_ACCEPT, err);
}

/* Checks the requirements of quals_json that guard any of actions. With blocked NULL it
 * stops at the first one w does not meet: TS_EFORBIDDEN ("QualificationNotMet") saying
 * which. Otherwise it checks them all, sets in *blocked the actions some unmet one guards,
 * leaves the first one's message in err and returns 0. A failure of the store wins. */
static int check(struct core_ctx *c, const char *quals_json, const struct quals_worker *w,
                 unsigned actions, unsigned *blocked, struct ts_error *err)
{
    json_t *reqs;
    size_t i;
    json_t *q;
    int rc = 0, unmet = 0;

    if (blocked)
        *blocked = 0;
    if (!quals_json || strcmp(quals_json, "[]") == 0)
        return 0;
    reqs = json_loads(quals_json, 0, NULL);
    json_array_foreach(reqs, i, q)
    {
        unsigned g = guarded(q);
        if (!(g & actions))
            continue;
        int h = holds(c, q, w, err);
        if (h < 0) {
            rc = h;
            break;
        }
        if (h)
            continue;
        if (!unmet++) {
            char *text = json_dumps(q, JSON_COMPACT | JSON_SORT_KEYS);
            ts_failk(err, TS_EFORBIDDEN, "QualificationNotMet",
                     "you do not meet a qualification requirement of this HIT type: %.160s",
                     text ? text : "?");
            free(text);
        }
        if (!blocked) {
            rc = TS_EFORBIDDEN;
            break;
        }
        *blocked |= g;
    }
    json_decref(reqs);
    return rc;
}

int quals_check_action(struct core_ctx *c, const char *quals_json, const struct quals_worker *w,
                       enum quals_action action, struct ts_error *err)
{
    return check(c, quals_json, w, action, NULL, err);
}

int quals_blocked(struct core_ctx *c, const char *quals_json, const struct quals_worker *w,
                  unsigned *blocked, struct ts_error *err)
{
    return check(c, quals_json, w, QUALS_DISCOVER | QUALS_PREVIEW | QUALS_ACCEPT, blocked, err);
}

int quals_grant(struct core_ctx *c, const char *type_id, int64_t worker_id, int64_t value,
                struct ts_error *err)
{
    struct qual q = {{0}, worker_id, value, 1, c->now_ms};
    snprintf(q.type_id, sizeof q.type_id, "%s", type_id);
    return store_qual_put(c->st, &q, err);
}

int quals_revoke(struct core_ctx *c, const char *type_id, int64_t worker_id,
                 struct ts_error *err)
{
    struct qual q;
    int rc = store_qual_get(c->st, type_id, worker_id, &q, err);
    if (rc == TS_ENOTFOUND)
        return ts_failk(err, TS_ENOTFOUND, "QualificationDoesNotExist",
                        "the worker has no score for qualification type %s", type_id);
    if (rc)
        return rc;
    q.granted = 0;
    q.granted_ms = c->now_ms;
    return store_qual_put(c->st, &q, err);
}

int quals_score(struct core_ctx *c, const struct qual_type *t, int64_t worker_id,
                struct qual *out, struct ts_error *err)
{
    int rc = store_qual_get(c->st, t->id, worker_id, out, err);
    if (rc == TS_ENOTFOUND && t->auto_granted) {
        /* An auto-granted type: the worker has it without having been given it. */
        memset(out, 0, sizeof *out);
        snprintf(out->type_id, sizeof out->type_id, "%s", t->id);
        out->worker_id = worker_id;
        out->value = t->auto_value;
        out->granted = 1;
        out->granted_ms = t->created_ms;
        rc = 0;
    }
    if (rc == TS_ENOTFOUND)
        rc = ts_failk(err, TS_ENOTFOUND, "QualificationDoesNotExist",
                      "the worker has no score for qualification type %s", t->id);
    return rc;
}

static int invalid(struct ts_error *err, const char *msg)
{
    return ts_failk(err, TS_EINVAL, "ParameterValidationError", "%s", msg);
}

int quals_type_set_test(struct qual_type *q, const struct quals_test_change *ch,
                        struct ts_error *err)
{
    const char *test = ch->test, *key = ch->answer_key;
    int64_t dur = ch->duration_s;
    int rc;
    if (ch->retry_delay_s >= 0)
        q->retry_delay_s = ch->retry_delay_s;
    if (q->auto_granted && (test || q->test))
        return invalid(err, "a type with a Test cannot be AutoGranted: workers get it by "
                            "taking the test");
    if (!test && !key && dur < 0)
        return 0;
    if (dur >= 0 && !test && !q->test)
        return invalid(err, "TestDurationInSeconds is given with a Test only");
    if (test && dur < 0 && !q->test)
        return invalid(err, "a Test needs TestDurationInSeconds");
    if (key && !test && !q->test)
        return invalid(err, "an AnswerKey needs a Test");
    rc = qtest_check(test ? test : q->test, key ? key : q->answer_key, err);
    if (rc) {
        err->kind = "ParameterValidationError";
        return rc;
    }
    if (test) {
        free(q->test);
        q->test = xstrdup(test);
    }
    if (key) {
        free(q->answer_key);
        q->answer_key = xstrdup(key);
    }
    if (dur >= 0)
        q->test_duration_s = dur;
    return 0;
}

int quals_type_delete(struct core_ctx *c, struct qual_type *q, struct ts_error *err)
{
    q->deleted = 1;
    q->active = 0;
    return store_qual_type_update(c->st, q, err);
}
