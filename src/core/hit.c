/* hit.c: HIT types and HITs. A HIT holds in escrow the cost of every slot that may
 * still be paid: (reward + fee) * (pending + submitted + free slots while it is open).
 * Creating, extending and adding assignments reserve money; expiry, deletion and
 * unused slots give it back. `tessera admin check` verifies that formula. */
#include "hit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "escrow.h"
#include "event.h"
#include "secrets.h"
#include "timers.h"
#include "../util/alloc.h"
#include "../util/money.h"
#include "../util/text.h"
#include "../util/banned.h"

const char *hit_status_name(enum hit_status s)
{
    switch (s) {
    case HIT_ASSIGNABLE: return "Assignable";
    case HIT_UNASSIGNABLE: return "Unassignable";
    case HIT_REVIEWABLE: return "Reviewable";
    case HIT_REVIEWING: return "Reviewing";
    case HIT_DISPOSED: return "Disposed";
    }
    return "Unknown";
}

int64_t hit_free_slots(const struct hit *h)
{
    return h->max_assignments - h->pending - h->submitted - h->approved - h->rejected;
}

int64_t hit_reserve_slots(const struct hit *h)
{
    return h->overlap_max > h->max_assignments ? h->overlap_max - h->max_assignments : 0;
}

int64_t hit_available_at(const struct hit *h, int64_t now_ms)
{
    if (h->disposed || h->expires_ms <= now_ms)
        return 0;
    return hit_free_slots(h);
}

enum hit_status hit_status_at(const struct hit *h, int64_t now_ms)
{
    if (h->disposed)
        return HIT_DISPOSED;
    if (h->reviewing)
        return HIT_REVIEWING;
    if (hit_available_at(h, now_ms) > 0)
        return HIT_ASSIGNABLE;
    if (h->pending > 0)
        return HIT_UNASSIGNABLE;
    return HIT_REVIEWABLE;
}

int hit_status_seen(const struct core_ctx *c, const struct hit *h)
{
    int64_t at = c->now_ms;
    if (!h->expired && h->expires_ms <= at)
        at = h->expires_ms - 1;
    return hit_status_at(h, at);
}

int64_t hit_slot_cost(const struct hit *h)
{
    return escrow_slot_cost(h);
}

static int check_text(const char *what, const char *s, long min, long max, struct ts_error *err)
{
    long n = text_utf8_chars(s, strlen(s));
    if (n < 0)
        return ts_fail(err, TS_EINVAL, "%s must be valid UTF-8 text without control characters",
                       what);
    if (n < min || n > max)
        return ts_fail(err, TS_EINVAL, "%s must be %ld to %ld characters long (it has %ld)", what,
                       min, max, n);
    return 0;
}

static int check_range(const char *what, int64_t v, int64_t min, int64_t max,
                       struct ts_error *err)
{
    if (v < min || v > max)
        return ts_fail(err, TS_EINVAL, "%s must be between %lld and %lld (got %lld)", what,
                       (long long)min, (long long)max, (long long)v);
    return 0;
}

int hit_type_create(struct core_ctx *c, struct hit_type *t, char id[STORE_ID_MAX],
                    struct ts_error *err)
{
    char max[32];
    int rc = check_text("Title", t->title, 1, 128, err);
    if (!rc)
        rc = check_text("Description", t->description, 1, 2000, err);
    if (!rc)
        rc = check_text("Keywords", t->keywords, 0, 1000, err);
    if (!rc)
        rc = check_range("AssignmentDurationInSeconds", t->duration_s, 30, TIMERS_YEAR_S, err);
    if (!rc)
        rc = check_range("AutoApprovalDelayInSeconds", t->auto_approval_s, 0, 2592000, err);
    if (rc)
        return rc;
    money_format(c->cfg->max_reward, max);
    if (t->reward < MONEY_CENT || t->reward > c->cfg->max_reward)
        return ts_fail(err, TS_EINVAL, "Reward must be at least $0.01 and at most $%s", max);
    if (!t->quals_json)
        t->quals_json = xstrdup("[]");

    rc = store_hit_type_find(c->st, t, id, err);
    if (rc != TS_ENOTFOUND)
        return rc;
    secrets_id_new(t->id);
    t->created_ms = c->now_ms;
    rc = store_hit_type_insert(c->st, t, err);
    if (rc)
        return rc;
    memcpy(id, t->id, STORE_ID_MAX);
    return 0;
}

int hit_type_get_owned(struct core_ctx *c, int64_t requester_id, const char *id,
                       struct hit_type *out, struct ts_error *err)
{
    int rc = store_hit_type_get(c->st, id, out, err);
    if (rc == 0 && out->requester_id != requester_id) {
        store_hit_type_release(out);
        rc = TS_ENOTFOUND;
    }
    if (rc == TS_ENOTFOUND)
        return ts_failk(err, TS_ENOTFOUND, "HITTypeDoesNotExist",
                        "HIT type %s does not exist", id);
    return rc;
}

int hit_create(struct core_ctx *c, const struct hit_type *t, const struct hit_params *p,
               struct hit *out, struct ts_error *err)
{
    int64_t fee, amount;
    int rc;

    memset(out, 0, sizeof *out);
    rc = check_range("MaxAssignments", p->max_assignments, 1, c->cfg->max_assignments, err);
    if (!rc)
        rc = check_range("LifetimeInSeconds", p->lifetime_s, 30, TIMERS_YEAR_S, err);
    if (!rc && p->annotation)
        rc = check_text("RequesterAnnotation", p->annotation, 0, 255, err);
    if (!rc && p->unique_token)
        rc = check_text("UniqueRequestToken", p->unique_token, 1, 64, err);
    if (!rc && p->overlap_max)
        rc = check_range("the dynamic overlap's maximum", p->overlap_max, p->max_assignments + 1,
                         c->cfg->max_assignments, err);
    if (rc)
        return rc;

    if (p->unique_token) {
        char ref[64];
        rc = store_request_token_get(c->st, t->requester_id, "CreateHIT", p->unique_token,
                                     timers_token_since(c), ref, sizeof ref, err);
        if (rc == 0)
            return ts_failk(err, TS_EDUPLICATE, "HitAlreadyExists",
                            "The HIT with ID %s already exists: UniqueRequestToken %s was used "
                            "in the last 24 hours",
                            ref, p->unique_token);
        if (rc != TS_ENOTFOUND)
            return rc;
    }

    if (escrow_fee(c, t->reward, &fee))
        return ts_fail(err, TS_EINVAL, "Reward is too large");
    out->reward = t->reward;
    out->fee = fee;
    /* A dynamic-overlap HIT holds the cost of every slot it may grow to. */
    rc = escrow_cost(hit_slot_cost(out), p->overlap_max ? p->overlap_max : p->max_assignments,
                     &amount, err);
    if (rc)
        return rc;

    secrets_id_new(out->id);
    memcpy(out->hit_type_id, t->id, STORE_ID_MAX);
    if (p->batch_id)
        snprintf(out->batch_id, sizeof out->batch_id, "%s", p->batch_id);
    if (p->layout_id)
        snprintf(out->layout_id, sizeof out->layout_id, "%s", p->layout_id);
    out->requester_id = t->requester_id;
    out->question = xstrdup(p->question);
    out->input_json = p->input_json ? xstrdup(p->input_json) : NULL;
    out->annotation = p->annotation ? xstrdup(p->annotation) : NULL;
    out->max_assignments = p->max_assignments;
    out->gold = p->gold ? xstrdup(p->gold) : NULL;
    out->overlap_max = p->overlap_max;
    out->qc = p->qc;
    out->form = p->form;
    out->created_ms = c->now_ms;
    out->expires_ms = timers_hit_expiry(c, p->lifetime_s);
    rc = escrow_hold_new(c, out, amount, err);
    if (!rc)
        rc = store_hit_insert(c->st, out, err);
    if (!rc)
        event_raise(c, EVENT_HIT_CREATED, out, NULL, 0, hit_status_seen(c, out));
    if (!rc && p->unique_token)
        rc = store_request_token_put(c->st, t->requester_id, "CreateHIT", p->unique_token,
                                     out->id, c->now_ms, err);
    if (rc)
        store_hit_release(out);
    return rc;
}

int hit_close_slots(struct core_ctx *c, struct hit *h, struct ts_error *err)
{
    int64_t n = hit_free_slots(h), amount = 0;
    int rc = 0;

    if (n <= 0 && hit_reserve_slots(h) == 0)
        return 0;
    if (!h->expired) {
        rc = escrow_cost(hit_slot_cost(h), (n > 0 ? n : 0) + hit_reserve_slots(h), &amount, err);
        if (!rc && amount)
            rc = escrow_release(c, h, amount, err);
        if (rc)
            return rc;
    }
    if (n > 0) {
        rc = store_hit_add_max(c->st, h->id, -n, h->max_assignments, err);
        if (rc)
            return rc;
        h->max_assignments -= n;
    }
    h->overlap_max = 0;
    c->events.gen++; /* the caller holds h up to date; other rows in events may not be */
    return store_hit_update(c->st, h, err);
}

int hit_open_slot(struct core_ctx *c, struct hit *h, struct ts_error *err)
{
    int rc;

    if (h->expired || h->disposed || hit_reserve_slots(h) == 0)
        return 0;
    rc = store_hit_add_max(c->st, h->id, 1, h->overlap_max, err);
    if (rc)
        return rc;
    h->max_assignments++;
    c->events.gen++; /* as in hit_close_slots */
    return 0;
}

int hit_settle(struct core_ctx *c, struct hit *h, struct ts_error *err)
{
    int64_t amount;
    int before, rc;

    if (h->disposed || h->expired || h->expires_ms > c->now_ms)
        return 0;
    before = hit_status_seen(c, h); /* as it was just before it expired */
    rc = escrow_cost(hit_slot_cost(h), hit_free_slots(h) + hit_reserve_slots(h), &amount, err);
    if (!rc)
        rc = escrow_release(c, h, amount, err);
    if (rc)
        return rc;
    h->expired = 1;
    rc = store_hit_update(c->st, h, err);
    if (!rc)
        event_raise(c, EVENT_HIT_EXPIRED, h, NULL, before, hit_status_seen(c, h));
    return rc;
}

int hit_get_owned(struct core_ctx *c, int64_t requester_id, const char *id, struct hit *out,
                  struct ts_error *err)
{
    int rc = store_hit_get(c->st, id, out, err);
    if (rc == 0 && (out->requester_id != requester_id || out->disposed)) {
        store_hit_release(out);
        rc = TS_ENOTFOUND;
    }
    if (rc == TS_ENOTFOUND)
        return ts_failk(err, TS_ENOTFOUND, "HITDoesNotExist", "Hit %s does not exist", id);
    if (rc)
        return rc;
    rc = hit_settle(c, out, err);
    if (rc)
        store_hit_release(out);
    return rc;
}

/* A Reviewing HIT that is extended (a later expiration or more assignments) and so has
 * slots to give again goes back to Assignable, as a Reviewable one does: the Reviewing
 * mark is for HITs whose work is finished. */
static void reopen_if_assignable(const struct core_ctx *c, struct hit *h)
{
    if (h->reviewing && hit_available_at(h, c->now_ms) > 0)
        h->reviewing = 0;
}

int hit_update_expiration(struct core_ctx *c, int64_t requester_id, const char *hit_id,
                          int64_t expire_at_ms, struct ts_error *err)
{
    struct hit h;
    int64_t amount;
    int later, before;
    int rc = hit_get_owned(c, requester_id, hit_id, &h, err);
    if (rc)
        return rc;
    before = hit_status_seen(c, &h);
    if (expire_at_ms > timers_expiry_max(c)) {
        rc = ts_fail(err, TS_EINVAL, "ExpireAt may be at most 365 days from now");
        goto out;
    }
    if (expire_at_ms <= c->now_ms) {
        /* Expire now: hit_settle releases the free slots' escrow. */
        if (h.expires_ms > c->now_ms)
            h.expires_ms = c->now_ms;
        rc = hit_settle(c, &h, err);
        if (!rc)
            rc = store_hit_update(c->st, &h, err);
        goto out;
    }
    if (h.expired) {
        /* Extending an expired HIT makes its free slots assignable again: hold their
         * cost once more. */
        rc = escrow_cost(hit_slot_cost(&h), hit_free_slots(&h) + hit_reserve_slots(&h), &amount,
                         err);
        if (!rc)
            rc = escrow_hold(c, &h, amount, err);
        if (rc)
            goto out;
        h.expired = 0;
    }
    later = expire_at_ms > h.expires_ms;
    h.expires_ms = expire_at_ms;
    reopen_if_assignable(c, &h);
    rc = store_hit_update(c->st, &h, err);
    if (!rc && later)
        event_raise(c, EVENT_HIT_EXTENDED, &h, NULL, before, hit_status_seen(c, &h));
out:
    store_hit_release(&h);
    return rc;
}

int hit_add_assignments(struct core_ctx *c, int64_t requester_id, const char *hit_id,
                        int64_t n, const char *unique_token, struct ts_error *err)
{
    struct hit h;
    int64_t amount, total;
    int before, rc;

    rc = check_range("NumberOfAdditionalAssignments", n, 1, c->cfg->max_assignments, err);
    if (!rc && unique_token)
        rc = check_text("UniqueRequestToken", unique_token, 1, 64, err);
    if (rc)
        return rc;
    if (unique_token) {
        char ref[64];
        rc = store_request_token_get(c->st, requester_id, "CreateAdditionalAssignmentsForHIT",
                                     unique_token, timers_token_since(c), ref, sizeof ref,
                                     err);
        if (rc == 0)
            return ts_failk(err, TS_EDUPLICATE, "DuplicateRequest",
                            "assignments were already added to HIT %s with UniqueRequestToken "
                            "%s in the last 24 hours",
                            ref, unique_token);
        if (rc != TS_ENOTFOUND)
            return rc;
    }
    rc = hit_get_owned(c, requester_id, hit_id, &h, err);
    if (rc)
        return rc;
    before = hit_status_seen(c, &h);
    if (h.overlap_max > 0) {
        rc = ts_failk(err, TS_ECONFLICT, "InvalidHITState",
                      "HIT %s uses dynamic overlap: it grows by itself, up to %lld assignments, "
                      "until its answers agree",
                      h.id, (long long)h.overlap_max);
        goto out;
    }
    total = h.max_assignments + n;
    if (total > c->cfg->max_assignments) {
        rc = ts_failk(err, TS_EINVAL, "InvalidMaximumAssignmentsIncrease",
                      "a HIT may have at most %lld assignments; it has %lld",
                      (long long)c->cfg->max_assignments, (long long)h.max_assignments);
        goto out;
    }
    if (!h.expired) {
        rc = escrow_cost(hit_slot_cost(&h), n, &amount, err);
        if (!rc)
            rc = escrow_hold(c, &h, amount, err);
        if (rc)
            goto out;
    }
    rc = store_hit_add_max(c->st, h.id, n, c->cfg->max_assignments, err);
    if (rc == TS_ECONFLICT) /* another writer added assignments meanwhile */
        rc = ts_failk(err, TS_EINVAL, "InvalidMaximumAssignmentsIncrease",
                      "a HIT may have at most %lld assignments",
                      (long long)c->cfg->max_assignments);
    if (rc)
        goto out;
    h.max_assignments = total;
    reopen_if_assignable(c, &h);
    rc = store_hit_update(c->st, &h, err);
    if (!rc)
        event_raise(c, EVENT_HIT_EXTENDED, &h, NULL, before, hit_status_seen(c, &h));
    if (!rc && unique_token)
        rc = store_request_token_put(c->st, requester_id, "CreateAdditionalAssignmentsForHIT",
                                     unique_token, h.id, c->now_ms, err);
out:
    store_hit_release(&h);
    return rc;
}

int hit_delete(struct core_ctx *c, int64_t requester_id, const char *hit_id,
               struct ts_error *err)
{
    struct hit h;
    enum hit_status s;
    int before;
    int rc = hit_get_owned(c, requester_id, hit_id, &h, err);
    if (rc)
        return rc;
    s = hit_status_at(&h, c->now_ms);
    if (s != HIT_REVIEWABLE && s != HIT_REVIEWING) {
        rc = ts_failk(err, TS_ECONFLICT, "InvalidHITState",
                      "HIT %s is %s: only a Reviewable or Reviewing HIT can be deleted; "
                      "expire it with UpdateExpirationForHIT and wait for pending work first",
                      h.id, hit_status_name(s));
        goto out;
    }
    if (h.submitted > 0 || h.pending > 0) {
        rc = ts_failk(err, TS_ECONFLICT, "InvalidHITState",
                      "HIT %s has %lld submitted assignments not yet approved or rejected",
                      h.id, (long long)h.submitted);
        goto out;
    }
    if (!h.expired && (hit_free_slots(&h) > 0 || hit_reserve_slots(&h) > 0)) {
        rc = ts_failk(err, TS_ECONFLICT, "InvalidHITState",
                      "HIT %s still has %lld assignments available to workers; expire it with "
                      "UpdateExpirationForHIT first",
                      h.id, (long long)(hit_free_slots(&h) + hit_reserve_slots(&h)));
        goto out;
    }
    if (h.escrow != 0)
        TS_BUG("HIT %s deleted with escrow %lld", h.id, (long long)h.escrow);
    before = hit_status_seen(c, &h);
    h.disposed = 1;
    rc = store_hit_update(c->st, &h, err);
    if (!rc)
        event_raise(c, EVENT_HIT_DISPOSED, &h, NULL, before, HIT_DISPOSED);
out:
    store_hit_release(&h);
    return rc;
}

int hit_set_reviewing(struct core_ctx *c, int64_t requester_id, const char *hit_id,
                      int revert, struct ts_error *err)
{
    struct hit h;
    enum hit_status s;
    int rc = hit_get_owned(c, requester_id, hit_id, &h, err);
    if (rc)
        return rc;
    s = hit_status_at(&h, c->now_ms);
    if ((!revert && s != HIT_REVIEWABLE) || (revert && s != HIT_REVIEWING)) {
        rc = ts_failk(err, TS_ECONFLICT, "InvalidHITState",
                      "HIT %s is %s: this operation needs a %s HIT", h.id, hit_status_name(s),
                      revert ? "Reviewing" : "Reviewable");
        goto out;
    }
    h.reviewing = !revert;
    rc = store_hit_update(c->st, &h, err);
    c->events.gen++; /* no reactor cares, but a row in an event may now be out of date */
out:
    store_hit_release(&h);
    return rc;
}

int hit_sweep(struct core_ctx *c, int cap, int *done, struct ts_error *err)
{
    char(*ids)[STORE_ID_MAX] = xmalloc_array((size_t)cap, sizeof *ids);
    int n = 0, rc;

    *done = 0;
    rc = store_hit_due_expiry(c->st, c->now_ms, ids, cap, &n, err);
    for (int i = 0; !rc && i < n; i++) {
        struct hit h;
        rc = store_hit_get(c->st, ids[i], &h, err);
        if (rc)
            break;
        rc = hit_settle(c, &h, err);
        store_hit_release(&h);
        if (!rc)
            (*done)++;
    }
    free(ids);
    return rc;
}
