/* ops_notify.c: notifications. UpdateNotificationSettings and SendTestEventNotification
 * with MTurk's members (Tessera's transports are HTTPS and HTTP webhooks, see
 * docs/mturk.md "Notifications"), and the native ListNotificationDeliveries, which shows
 * a requester what was sent where and how each delivery went. */
#include "ops.h"
#include <string.h>
#include "param.h"
#include "render.h"
#include "../core/notify.h"
#include "../util/banned.h"

/* Reads a NotificationSpecification. The strings are borrowed from in. */
static int read_spec(json_t *in, const char *name, int ping_ok, struct notify_spec *spec,
                     struct ts_error *err)
{
    json_t *n = json_object_get(in, name), *types, *v;
    size_t i;
    int rc;

    memset(spec, 0, sizeof *spec);
    if (!json_is_object(n))
        return ts_fail(err, TS_EINVAL, "%s must be a NotificationSpecification object", name);
    rc = param_str(n, "Destination", PARAM_REQUIRED, STORE_URL_MAX * 2, &spec->destination,
                   err);
    if (!rc)
        rc = param_str(n, "Transport", PARAM_REQUIRED, 16, &spec->transport, err);
    if (!rc)
        rc = param_str(n, "Version", PARAM_REQUIRED, 16, &spec->version, err);
    if (rc)
        return rc;
    types = json_object_get(n, "EventTypes");
    if (!json_is_array(types) || (!ping_ok && json_array_size(types) == 0))
        return ts_fail(err, TS_EINVAL, "EventTypes must be a list of one or more event types");
    json_array_foreach(types, i, v)
    {
        int e = json_is_string(v) ? notify_event_parse(json_string_value(v)) : -1;
        if (e < 0)
            return ts_fail(err, TS_EINVAL, "EventTypes: \"%.64s\" is not an event type (one of "
                                           "AssignmentAccepted, AssignmentAbandoned, "
                                           "AssignmentReturned, AssignmentSubmitted, "
                                           "AssignmentRejected, AssignmentApproved, "
                                           "HITCreated, HITExpired, HITReviewable, "
                                           "HITExtended, HITDisposed)",
                           json_is_string(v) ? json_string_value(v) : "(not a string)");
        if (spec->events & NOTIFY_BIT(e))
            return ts_fail(err, TS_EINVAL, "EventTypes lists %s twice", notify_event_name(e));
        spec->events |= NOTIFY_BIT(e);
    }
    return 0;
}

/* The access key whose secret signs the caller's messages: the one it signed this request
 * with, or (native door) its oldest. */
static int signing_key(struct op_ctx *c, char key_id[STORE_ID_MAX], struct ts_error *err)
{
    int rc;
    if (c->access_key_id) {
        if (strlen(c->access_key_id) >= STORE_ID_MAX)
            return ts_fail(err, TS_EINVAL, "the access key id is too long");
        memcpy(key_id, c->access_key_id, strlen(c->access_key_id) + 1);
        return 0;
    }
    rc = store_access_key_first(c->core->st, c->who.id, key_id, err);
    if (rc == TS_ENOTFOUND)
        return ts_failk(err, TS_ECONFLICT, "NoAccessKey",
                        "notifications are signed with your secret access key, and this "
                        "account has none");
    return rc;
}

static int op_update_notification_settings(struct op_ctx *c, json_t *in, json_t *out,
                                           struct ts_error *err)
{
    const char *type_id = NULL;
    struct notify_spec spec;
    char key_id[STORE_ID_MAX];
    json_t *n = json_object_get(in, "Notification");
    int has_spec = n && !json_is_null(n), active = -1;
    (void)out;
    int rc = param_id(in, "HITTypeId", PARAM_REQUIRED, &type_id, err);
    if (!rc)
        rc = param_bool(in, "Active", PARAM_OPTIONAL, &active, err);
    if (!rc && has_spec)
        rc = read_spec(in, "Notification", 0, &spec, err);
    if (!rc)
        rc = signing_key(c, key_id, err);
    if (!rc)
        rc = notify_settings_update(c->core, c->who.id, key_id, type_id,
                                    has_spec ? &spec : NULL, active, err);
    return rc;
}

static int op_send_test_event_notification(struct op_ctx *c, json_t *in, json_t *out,
                                           struct ts_error *err)
{
    const char *type = NULL;
    struct notify_spec spec;
    char key_id[STORE_ID_MAX];
    int event;
    (void)out;
    int rc = read_spec(in, "Notification", 1, &spec, err);
    if (!rc)
        rc = param_str(in, "TestEventType", PARAM_REQUIRED, 64, &type, err);
    if (rc)
        return rc;
    event = notify_event_parse(type);
    if (event < 0)
        return ts_fail(err, TS_EINVAL, "TestEventType \"%s\" is not an event type", type);
    rc = signing_key(c, key_id, err);
    if (!rc)
        rc = notify_send_test(c->core, c->who.id, key_id, &spec, event, err);
    return rc;
}

static const char *const state_names[] = {"Pending", "Delivered", "Failed"};

static int delivery_cb(void *ctx, const struct notify_msg *m)
{
    json_t *arr = ctx, *o = json_object();
    json_object_set_new(o, "DeliveryId", json_integer(m->seq));
    if (m->hit_type_id)
        json_object_set_new(o, "HITTypeId", json_string(m->hit_type_id));
    json_object_set_new(o, "Destination", json_string(m->destination));
    json_object_set_new(o, "EventTypes", json_string(m->event_types));
    json_object_set_new(o, "Status",
                        json_string(m->state >= 0 && m->state <= 2 ? state_names[m->state]
                                                                   : "Unknown"));
    json_object_set_new(o, "Attempts", json_integer(m->attempts));
    render_time(o, "CreationTime", m->created_ms);
    if (m->state == NOTIFY_PENDING)
        render_time(o, "NextAttemptTime", m->next_ms);
    else
        render_time(o, "CompletionTime", m->done_ms);
    if (m->last_status)
        json_object_set_new(o, "LastHTTPStatus", json_integer(m->last_status));
    if (m->last_error)
        json_object_set_new(o, "LastError", json_string(m->last_error));
    json_object_set_new(o, "Message", json_string(m->body));
    json_array_append_new(arr, o);
    return 0;
}

static int op_list_notification_deliveries(struct op_ctx *c, json_t *in, json_t *out,
                                           struct ts_error *err)
{
    struct param_list pl;
    int rc = param_list_begin(in, &pl, err);
    if (rc)
        return rc;
    rc = store_notify_list(c->core->st, c->who.id, pl.after, pl.limit, delivery_cb, pl.arr,
                           &pl.last, &pl.more, err);
    return param_list_end(out, "Deliveries", &pl, rc);
}

static const char *const f_update[] = {"HITTypeId", "Notification", "Active", NULL};
static const char *const f_test[] = {"Notification", "TestEventType", NULL};
static const char *const f_page[] = {"NextToken", "MaxResults", NULL};

const struct op ops_notify[] = {
    {"UpdateNotificationSettings", ROLE_REQUESTER, OP_WRITE | OP_MTURK, f_update,
     op_update_notification_settings, NULL},
    {"SendTestEventNotification", ROLE_REQUESTER, OP_WRITE | OP_MTURK, f_test,
     op_send_test_event_notification, NULL},
    {"ListNotificationDeliveries", ROLE_REQUESTER, 0, f_page, op_list_notification_deliveries,
     NULL},
};
const size_t ops_notify_n = sizeof ops_notify / sizeof ops_notify[0];
