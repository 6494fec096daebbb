/* notify.h: notifications of HIT and assignment events (MTurk's UpdateNotificationSettings
 * and SendTestEventNotification). A HIT type's settings name a destination URL and the
 * event types wanted; when such an event happens (core/event.h), the settle step's
 * notify_react writes the message into the outbox in the operation's transaction, so a
 * committed change always has its message and a rolled-back one never sends. The
 * delivery thread (api/deliver.c) POSTs the outbox. */
#ifndef TS_NOTIFY_H
#define TS_NOTIFY_H
#include "core.h"
#include "timers.h"

enum notify_event {
    NOTIFY_ASSIGNMENT_ACCEPTED = 0,
    NOTIFY_ASSIGNMENT_ABANDONED,
    NOTIFY_ASSIGNMENT_RETURNED,
    NOTIFY_ASSIGNMENT_SUBMITTED,
    NOTIFY_ASSIGNMENT_REJECTED,
    NOTIFY_ASSIGNMENT_APPROVED,
    NOTIFY_HIT_CREATED,
    NOTIFY_HIT_EXPIRED,
    NOTIFY_HIT_REVIEWABLE,
    NOTIFY_HIT_EXTENDED,
    NOTIFY_HIT_DISPOSED,
    NOTIFY_PING, /* only for SendTestEventNotification */
    NOTIFY__COUNT
};
#define NOTIFY_BIT(e) (1u << (e))

/* MTurk's name of e ("AssignmentSubmitted"). */
const char *notify_event_name(enum notify_event e);
/* The event called name, or -1. */
int notify_event_parse(const char *name);

/* A NotificationSpecification as given (strings borrowed). */
struct notify_spec {
    const char *destination, *transport, *version;
    unsigned events; /* NOTIFY_BIT set */
};

/* Writes to the outbox, in the caller's transaction, one message with every event of
 * events (NOTIFY_BIT set; asg_id NULL for HIT events) that h's HIT type has active
 * settings for. When the type has no settings this costs one primary-key lookup. */
int notify_hit(struct core_ctx *c, const struct hit *h, const char *asg_id, unsigned events,
               struct ts_error *err);
struct event;
/* The notification reactor (core_settle): writes the message of event e (and
 * HITReviewable with it when e's HIT became Reviewable: its status before e was not,
 * after e it is) through notify_hit. */
int notify_react(struct core_ctx *c, const struct event *e, struct ts_error *err);

/* UpdateNotificationSettings: spec (or NULL to keep the stored one) and active (1, 0, or
 * -1 to keep it; a new spec without it is active) for requester's HIT type. key_id is
 * the access key whose secret will sign the messages. Changes nothing on failure. */
int notify_settings_update(struct core_ctx *c, int64_t requester_id, const char *key_id,
                           const char *hit_type_id, const struct notify_spec *spec, int active,
                           struct ts_error *err);
/* SendTestEventNotification: queues one message of event (Ping allowed) to spec's
 * destination, storing no settings. A requester may have at most NOTIFY_TEST_PENDING_MAX
 * test messages pending (counted in the outbox, in the caller's transaction); a further
 * one is refused (TS_ECONFLICT, TooManyPendingTestNotifications) until some are
 * delivered or given up. */
#define NOTIFY_TEST_PENDING_MAX 10
int notify_send_test(struct core_ctx *c, int64_t requester_id, const char *key_id,
                     const struct notify_spec *spec, int event, struct ts_error *err);
/* Checks a spec as UpdateNotificationSettings takes it (Ping refused) or as
 * SendTestEventNotification does (ping_ok: its event types are not used). */
int notify_spec_check(const struct notify_spec *spec, int ping_ok, struct ts_error *err);

/* Delivery policy: the delay before attempt n + 1 after n failed attempts is
 * base_ms * 2^(n-1), at most NOTIFY_DELAY_MAX_MS; a message is given up after
 * max_attempts attempts or once NOTIFY_GIVE_UP_MS have passed since it was queued. */
#define NOTIFY_DELAY_MAX_MS (3600 * TIMERS_SECOND_MS)
#define NOTIFY_GIVE_UP_MS TIMERS_DAY_MS
#define NOTIFY_BASE_MS_DEFAULT 30000
#define NOTIFY_ATTEMPTS_DEFAULT 30
struct notify_policy {
    int64_t base_ms;
    int64_t max_attempts;
};
/* Records the outcome of one attempt to deliver message seq: delivered (ok), or failed
 * with the HTTP status (0 when there was none) and a short error, and then retried
 * later or given up by policy. A message no longer pending is left alone. */
int notify_record_attempt(struct core_ctx *c, int64_t seq, int ok, int http_status,
                          const char *error, const struct notify_policy *policy,
                          struct ts_error *err);

/* Delivered and given-up messages are kept NOTIFY_KEEP_MS after they were done (for
 * ListNotificationDeliveries), then deleted by notify_prune, which the executor's timer
 * sweep calls: up to limit of them, oldest first; *pruned says how many. */
#define NOTIFY_KEEP_MS (30 * TIMERS_DAY_MS)
int notify_prune(struct core_ctx *c, int limit, int *pruned, struct ts_error *err);

#endif
