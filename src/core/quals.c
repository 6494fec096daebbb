/* quals.c: validating and checking qualification requirements. A requirement compares
 * the worker's value of one qualification type with the values it lists; a worker meets
 * a HIT type's requirements when every one of them holds. */
#include "quals.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
                        "(Worker_Locale %s, Worker_NumberHITsApproved %s, "
                        "Worker_PercentAssignmentsApproved %s)",
                        i, id, QUALS_LOCALE, QUALS_NUMBER_APPROVED, QUALS_PERCENT_APPROVED);
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
        locale = strcmp(id, QUALS_LOCALE) == 0;
        if (!locale && strcmp(id, QUALS_NUMBER_APPROVED) != 0 &&
            strcmp(id, QUALS_PERCENT_APPROVED) != 0) {
            int rc = own_type(c, requester_id, id, i, err);
            if (rc)
                return rc;
        }
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
        rc = store_worker_counts(c->st, worker_id, &w->approved, &w->rejected, err);
    }
    return rc;
}

static int locale_matches(json_t *l, const char *country)
{
    /* Tessera records a worker's country only: a value naming a subdivision never
     * matches. */
    return !json_object_get(l, "Subdivision") &&
           strcmp(json_string_value(json_object_get(l, "Country")), country) == 0;
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

    if (strcmp(id, QUALS_LOCALE) == 0) {
        if (cmp == EXISTS || cmp == NOT_EXISTS)
            return (w->country[0] != '\0') == (cmp == EXISTS);
        json_array_foreach(locs, j, v) any |= w->country[0] && locale_matches(v, w->country);
        return (cmp == EQ || cmp == IN) ? any : !any;
    }
    if (strcmp(id, QUALS_NUMBER_APPROVED) == 0) {
        have = w->approved;
    } else if (strcmp(id, QUALS_PERCENT_APPROVED) != 0) {
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

int quals_check(struct core_ctx *c, const char *quals_json, const struct quals_worker *w,
                struct ts_error *err)
{
    json_t *reqs;
    size_t i;
    json_t *q;
    int rc = 0;

    if (!quals_json || strcmp(quals_json, "[]") == 0)
        return 0;
    reqs = json_loads(quals_json, 0, NULL);
    json_array_foreach(reqs, i, q)
    {
        int h = holds(c, q, w, err);
        if (h < 0) {
            rc = h;
            break;
        }
        if (!h) {
            char *text = json_dumps(q, JSON_COMPACT | JSON_SORT_KEYS);
            rc = ts_failk(err, TS_EFORBIDDEN, "QualificationNotMet",
                          "you do not meet a qualification requirement of this HIT type: "
                          "%.160s",
                          text ? text : "?");
            free(text);
            break;
        }
    }
    json_decref(reqs);
    return rc;
}
