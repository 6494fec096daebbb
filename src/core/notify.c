/* notify.c: notifications of HIT and assignment events: the notification reactor of the
 * settle step (core_settle). The settings are per HIT type; a message is written to the
 * outbox in the transaction of the change it reports, so it exists exactly when the
 * change does. The message is MTurk's notification document
 * (EventDocVersion 2014-08-15); worker ids never appear in it. Delivery and its retries
 * are api/deliver.c's; the bookkeeping of each attempt is here. */
#include "notify.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <sodium.h>
#include "event.h"
#include "hit.h"
#include "../util/clock.h"
#include "../util/banned.h"

static const char *const event_names[NOTIFY__COUNT] = {
    [NOTIFY_ASSIGNMENT_ACCEPTED] = "AssignmentAccepted",
    [NOTIFY_ASSIGNMENT_ABANDONED] = "AssignmentAbandoned",
    [NOTIFY_ASSIGNMENT_RETURNED] = "AssignmentReturned",
    [NOTIFY_ASSIGNMENT_SUBMITTED] = "AssignmentSubmitted",
    [NOTIFY_ASSIGNMENT_REJECTED] = "AssignmentRejected",
    [NOTIFY_ASSIGNMENT_APPROVED] = "AssignmentApproved",
    [NOTIFY_HIT_CREATED] = "HITCreated",
    [NOTIFY_HIT_EXPIRED] = "HITExpired",
    [NOTIFY_HIT_REVIEWABLE] = "HITReviewable",
    [NOTIFY_HIT_EXTENDED] = "HITExtended",
    [NOTIFY_HIT_DISPOSED] = "HITDisposed",
    [NOTIFY_PING] = "Ping",
};

#define ASSIGNMENT_EVENTS                                                                  \
    (NOTIFY_BIT(NOTIFY_ASSIGNMENT_ACCEPTED) | NOTIFY_BIT(NOTIFY_ASSIGNMENT_ABANDONED) |     \
     NOTIFY_BIT(NOTIFY_ASSIGNMENT_RETURNED) | NOTIFY_BIT(NOTIFY_ASSIGNMENT_SUBMITTED) |    \
     NOTIFY_BIT(NOTIFY_ASSIGNMENT_REJECTED) | NOTIFY_BIT(NOTIFY_ASSIGNMENT_APPROVED))

const char *notify_event_name(enum notify_event e)
{
    return (unsigned)e < NOTIFY__COUNT ? event_names[e] : "Unknown";
}

int notify_event_parse(const char *name)
{
    for (int i = 0; i < NOTIFY__COUNT; i++)
        if (strcmp(event_names[i], name) == 0)
            return i;
    return -1;
}

/* scheme://host[:port][/path][?query]: printable ASCII without spaces, no user info, no
 * fragment; host a name, an IPv4 address or a bracketed IPv6 address. */
static int check_url(const char *url, const char *scheme, struct ts_error *err)
{
    size_t n = strlen(url), sl = strlen(scheme);
    const char *p, *host, *end;

    if (n > STORE_URL_MAX)
        return ts_fail(err, TS_EINVAL, "Destination must be at most %d characters",
                       STORE_URL_MAX);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)url[i] <= 0x20 || (unsigned char)url[i] >= 0x7f || url[i] == '#')
            return ts_fail(err, TS_EINVAL, "Destination must be a URL of printable ASCII "
                                           "without spaces or a #fragment");
    if (n < sl + 3 || strncmp(url, scheme, sl) != 0 || strncmp(url + sl, "://", 3) != 0)
        return ts_fail(err, TS_EINVAL, "Destination must be a URL starting with %s:// for "
                                       "this Transport",
                       scheme);
    host = url + sl + 3;
    end = host + strcspn(host, "/?");
    for (p = host; p < end; p++)
        if (*p == '@')
            return ts_fail(err, TS_EINVAL, "Destination must not carry a user name or password");
    if (*host == '[') {
        for (p = host + 1; p < end && *p != ']'; p++)
            if (!strchr("0123456789abcdefABCDEF:.", *p))
                break;
        if (p >= end || *p != ']' || p == host + 1)
            return ts_fail(err, TS_EINVAL, "Destination has a malformed IPv6 host");
        p++;
    } else {
        for (p = host; p < end && *p != ':'; p++)
            if (!(('a' <= *p && *p <= 'z') || ('A' <= *p && *p <= 'Z') ||
                  ('0' <= *p && *p <= '9') || *p == '-' || *p == '.'))
                return ts_fail(err, TS_EINVAL, "Destination has a malformed host name");
        if (p == host || host[0] == '.' || host[0] == '-' || p[-1] == '-')
            return ts_fail(err, TS_EINVAL, "Destination must name a host");
    }
    if (p < end) {
        long port = 0;
        if (*p != ':' || p + 1 == end || end - p > 6)
            return ts_fail(err, TS_EINVAL, "Destination has a malformed port");
        for (p++; p < end; p++) {
            if (*p < '0' || *p > '9')
                return ts_fail(err, TS_EINVAL, "Destination has a malformed port");
            port = port * 10 + (*p - '0');
        }
        if (port < 1 || port > 65535)
            return ts_fail(err, TS_EINVAL, "Destination's port must be 1 to 65535");
    }
    return 0;
}

int notify_spec_check(const struct notify_spec *spec, int ping_ok, struct ts_error *err)
{
    const char *t = spec->transport;
    int rc;

    if (!t || !spec->destination || !spec->version)
        return ts_fail(err, TS_EINVAL, "Notification needs Destination, Transport, Version and "
                                       "EventTypes");
    if (strcmp(t, "SQS") == 0 || strcmp(t, "SNS") == 0 || strcmp(t, "Email") == 0)
        return ts_failk(err, TS_EINVAL, "UnsupportedTransport",
                        "Transport %s is not available on Tessera, which has no Amazon %s; "
                        "use Transport HTTPS with an https:// URL as Destination (or HTTP with "
                        "an http:// URL, for a receiver on a trusted network): each message is "
                        "POSTed there as JSON, signed with your secret access key",
                        t, strcmp(t, "Email") == 0 ? "e-mail" : t);
    if (strcmp(t, "HTTPS") == 0)
        rc = check_url(spec->destination, "https", err);
    else if (strcmp(t, "HTTP") == 0)
        rc = check_url(spec->destination, "http", err);
    else
        return ts_fail(err, TS_EINVAL, "Transport must be HTTPS or HTTP (SQS, SNS and Email are "
                                       "not available on Tessera)");
    if (rc)
        return rc;
    if (strcmp(spec->version, "2006-05-05") != 0 && strcmp(spec->version, "2014-08-15") != 0)
        return ts_fail(err, TS_EINVAL, "Version must be 2006-05-05 (or 2014-08-15)");
    if (!ping_ok) {
        if (spec->events == 0)
            return ts_fail(err, TS_EINVAL, "EventTypes must list at least one event type");
        if (spec->events & NOTIFY_BIT(NOTIFY_PING))
            return ts_fail(err, TS_EINVAL, "EventTypes: Ping is only for "
                                           "SendTestEventNotification");
    }
    return 0;
}

/* MTurk's document: {"Events":[...],"EventDocId","SourceAccount","CustomerId",
 * "EventDocVersion"}. hit NULL for a test message. Caller frees *body. */
static char *build_doc(struct core_ctx *c, int64_t requester_id, const struct hit *hit,
                       const char *asg_id, unsigned events, char *types, size_t cap)
{
    json_t *doc = json_object(), *arr = json_array();
    unsigned char rnd[20];
    char docid[41], when[32], customer[32];
    size_t used = 0;
    char *body;

    clock_iso8601(c->now_ms, when);
    types[0] = '\0';
    for (int e = 0; e < NOTIFY__COUNT; e++) {
        json_t *ev;
        int w;
        if (!(events & NOTIFY_BIT(e)))
            continue;
        ev = json_object();
        json_object_set_new(ev, "EventType", json_string(event_names[e]));
        json_object_set_new(ev, "EventTimestamp", json_string(when));
        if (hit) {
            json_object_set_new(ev, "HITId", json_string(hit->id));
            if (asg_id && (NOTIFY_BIT(e) & ASSIGNMENT_EVENTS))
                json_object_set_new(ev, "AssignmentId", json_string(asg_id));
            json_object_set_new(ev, "HITTypeId", json_string(hit->hit_type_id));
        }
        json_array_append_new(arr, ev);
        w = snprintf(types + used, cap - used, "%s%s", used ? "," : "", event_names[e]);
        if (w > 0 && (size_t)w < cap - used)
            used += (size_t)w;
    }
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(docid, sizeof docid, rnd, sizeof rnd);
    snprintf(customer, sizeof customer, "R%lld", (long long)requester_id);
    json_object_set_new(doc, "Events", arr);
    json_object_set_new(doc, "EventDocId", json_string(docid));
    json_object_set_new(doc, "SourceAccount", json_string("tessera"));
    json_object_set_new(doc, "CustomerId", json_string(customer));
    json_object_set_new(doc, "EventDocVersion", json_string("2014-08-15"));
    body = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    if (!body)
        TS_BUG("could not serialize a notification");
    return body;
}

static int enqueue(struct core_ctx *c, int64_t requester_id, const char *destination,
                   const char *key_id, const struct hit *hit, const char *asg_id,
                   unsigned events, struct ts_error *err)
{
    char types[512];
    struct notify_msg m;
    int rc;

    memset(&m, 0, sizeof m);
    m.body = build_doc(c, requester_id, hit, asg_id, events, types, sizeof types);
    m.requester_id = requester_id;
    m.hit_type_id = hit ? hit->hit_type_id : NULL;
    m.destination = destination;
    m.key_id = key_id;
    m.event_types = types;
    m.created_ms = c->now_ms;
    m.next_ms = c->now_ms;
    rc = store_notify_enqueue(c->st, &m, err);
    free((char *)m.body);
    return rc;
}

int notify_hit(struct core_ctx *c, const struct hit *h, const char *asg_id, unsigned events,
               struct ts_error *err)
{
    struct notify_settings s;
    int rc;

    if (!events)
        return 0;
    rc = store_notify_settings_get(c->st, h->hit_type_id, &s, err);
    if (rc == TS_ENOTFOUND)
        return 0;
    if (rc)
        return rc;
    events &= s.events;
    if (!s.active || !events)
        return 0;
    return enqueue(c, s.requester_id, s.destination, s.key_id, h, asg_id, events, err);
}

/* The message each event sends, and whether it may carry HITReviewable (the transitions
 * after which a HIT can have become Reviewable). */
static const struct {
    enum notify_event event;
    int reviewable;
} reacts[EVENT__COUNT] = {
    [EVENT_ASG_ACCEPTED] = {NOTIFY_ASSIGNMENT_ACCEPTED, 0},
    [EVENT_ASG_SUBMITTED] = {NOTIFY_ASSIGNMENT_SUBMITTED, 1},
    [EVENT_ASG_APPROVED] = {NOTIFY_ASSIGNMENT_APPROVED, 1},
    [EVENT_ASG_REJECTED] = {NOTIFY_ASSIGNMENT_REJECTED, 1},
    [EVENT_ASG_RETURNED] = {NOTIFY_ASSIGNMENT_RETURNED, 1},
    [EVENT_ASG_ABANDONED] = {NOTIFY_ASSIGNMENT_ABANDONED, 1},
    [EVENT_HIT_CREATED] = {NOTIFY_HIT_CREATED, 0},
    [EVENT_HIT_EXPIRED] = {NOTIFY_HIT_EXPIRED, 1},
    [EVENT_HIT_EXTENDED] = {NOTIFY_HIT_EXTENDED, 0},
    [EVENT_HIT_DISPOSED] = {NOTIFY_HIT_DISPOSED, 0},
};

int notify_react(struct core_ctx *c, const struct event *e, struct ts_error *err)
{
    unsigned events;

    if ((unsigned)e->kind >= EVENT__COUNT)
        TS_BUG("event kind %d", (int)e->kind);
    events = NOTIFY_BIT(reacts[e->kind].event);
    if (reacts[e->kind].reviewable && e->before != HIT_REVIEWABLE &&
        e->after == HIT_REVIEWABLE)
        events |= NOTIFY_BIT(NOTIFY_HIT_REVIEWABLE);
    return notify_hit(c, &e->hit, e->asg_id[0] ? e->asg_id : NULL, events, err);
}

int notify_settings_update(struct core_ctx *c, int64_t requester_id, const char *key_id,
                           const char *hit_type_id, const struct notify_spec *spec, int active,
                           struct ts_error *err)
{
    struct hit_type t;
    struct notify_settings s;
    int rc = hit_type_get_owned(c, requester_id, hit_type_id, &t, err);

    if (rc)
        return rc;
    store_hit_type_release(&t);
    if (!spec && active < 0)
        return ts_fail(err, TS_EINVAL, "give Notification, Active, or both");
    if (spec && (rc = notify_spec_check(spec, 0, err)) != 0)
        return rc;
    rc = store_notify_settings_get(c->st, hit_type_id, &s, err);
    if (rc == TS_ENOTFOUND && !spec)
        return ts_failk(err, TS_ECONFLICT, "NotificationNotSet",
                        "HIT type %s has no notification settings to %s: give Notification",
                        hit_type_id, active ? "activate" : "deactivate");
    if (rc && rc != TS_ENOTFOUND)
        return rc;
    if (spec) {
        memset(&s, 0, sizeof s);
        snprintf(s.hit_type_id, sizeof s.hit_type_id, "%s", hit_type_id);
        snprintf(s.destination, sizeof s.destination, "%s", spec->destination);
        snprintf(s.transport, sizeof s.transport, "%s", spec->transport);
        snprintf(s.version, sizeof s.version, "%s", spec->version);
        s.events = spec->events;
        s.active = 1;
    }
    s.requester_id = requester_id;
    if (active >= 0)
        s.active = active;
    snprintf(s.key_id, sizeof s.key_id, "%s", key_id);
    s.updated_ms = c->now_ms;
    return store_notify_settings_put(c->st, &s, err);
}

int notify_send_test(struct core_ctx *c, int64_t requester_id, const char *key_id,
                     const struct notify_spec *spec, int event, struct ts_error *err)
{
    int64_t pending = 0;
    int rc = notify_spec_check(spec, 1, err);
    if (rc)
        return rc;
    if (event < 0 || event >= NOTIFY__COUNT)
        return ts_fail(err, TS_EINVAL, "TestEventType must be an event type");
    rc = store_notify_test_pending(c->st, requester_id, &pending, err);
    if (rc)
        return rc;
    if (pending >= NOTIFY_TEST_PENDING_MAX)
        return ts_failk(err, TS_ECONFLICT, "TooManyPendingTestNotifications",
                        "you already have %lld test notifications waiting to be delivered (at "
                        "most %d may wait at a time); send another once they are delivered or "
                        "given up (ListNotificationDeliveries shows them)",
                        (long long)pending, NOTIFY_TEST_PENDING_MAX);
    return enqueue(c, requester_id, spec->destination, key_id, NULL, NULL,
                   NOTIFY_BIT(event), err);
}

int notify_record_attempt(struct core_ctx *c, int64_t seq, int ok, int http_status,
                          const char *error, const struct notify_policy *policy,
                          struct ts_error *err)
{
    struct notify_msg m;
    int rc = store_notify_get(c->st, seq, &m, err);

    if (rc)
        return rc;
    if (m.state != NOTIFY_PENDING)
        return 0;
    m.attempts++;
    m.last_status = http_status;
    m.last_error = ok ? NULL : error;
    if (ok) {
        m.state = NOTIFY_DELIVERED;
        m.done_ms = c->now_ms;
    } else {
        int64_t delay = policy->base_ms > 0 ? policy->base_ms : 1;
        for (int64_t i = 1; i < m.attempts && delay < NOTIFY_DELAY_MAX_MS; i++)
            delay *= 2;
        if (delay > NOTIFY_DELAY_MAX_MS)
            delay = NOTIFY_DELAY_MAX_MS;
        m.next_ms = c->now_ms + delay;
        if (m.attempts >= policy->max_attempts || m.next_ms > m.created_ms + NOTIFY_GIVE_UP_MS) {
            m.state = NOTIFY_FAILED;
            m.done_ms = c->now_ms;
        }
    }
    return store_notify_update(c->st, &m, err);
}

int notify_prune(struct core_ctx *c, int limit, int *pruned, struct ts_error *err)
{
    return store_notify_prune(c->st, c->now_ms - NOTIFY_KEEP_MS, limit, pruned, err);
}
