/* hit.h: HIT types and HITs: creation with escrow, the status MTurk reports, expiry,
 * extension, extra assignments and deletion. */
#ifndef TS_HIT_H
#define TS_HIT_H
#include "core.h"

enum hit_status {
    HIT_ASSIGNABLE = 1,
    HIT_UNASSIGNABLE,
    HIT_REVIEWABLE,
    HIT_REVIEWING,
    HIT_DISPOSED
};
const char *hit_status_name(enum hit_status s);

/* The status and the three MTurk counters of h at now_ms. */
enum hit_status hit_status_at(const struct hit *h, int64_t now_ms);
/* h's status as far as its events go: a passed expiry counts only once it has been
 * processed (h->expired), since that is when HITExpired is sent. So a HIT becomes
 * Reviewable, and HITReviewable is sent, once, whether its expiry or its last
 * submission is processed first. Transitions record it before and after in their
 * event (core/event.h). */
int hit_status_seen(const struct core_ctx *c, const struct hit *h);
int64_t hit_free_slots(const struct hit *h);       /* slots nobody holds or finished */
/* Slots a dynamic-overlap HIT may still open (overlap_max - max_assignments): their cost
 * is held in escrow from creation, like free slots, until the HIT closes or expires. */
int64_t hit_reserve_slots(const struct hit *h);
int64_t hit_available_at(const struct hit *h, int64_t now_ms); /* 0 once expired */
/* Escrow per assignment slot: reward + fee (escrow_slot_cost). */
int64_t hit_slot_cost(const struct hit *h);

/* Validates t (title, description, keywords, durations, reward) and returns in id the
 * requester's existing type with exactly these properties, or a new one. */
int hit_type_create(struct core_ctx *c, struct hit_type *t, char id[STORE_ID_MAX],
                    struct ts_error *err);

/* Loads the requester's hit type; TS_ENOTFOUND for another requester's. The caller
 * releases out. */
int hit_type_get_owned(struct core_ctx *c, int64_t requester_id, const char *id,
                       struct hit_type *out, struct ts_error *err);

struct hit_params {
    const char *question;       /* validated Question XML */
    const char *input_json;     /* batch row fields, or NULL */
    const char *annotation;     /* or NULL */
    const char *batch_id;       /* or NULL */
    const char *unique_token;   /* or NULL */
    int64_t max_assignments;
    int64_t lifetime_s;
    const char *gold;           /* the known answer (a gold HIT), or NULL */
    int64_t overlap_max;        /* > max_assignments: dynamic overlap up to this; else 0 */
    int qc;                     /* the batch has quality settings (core/qc.c) */
    const char *layout_id;      /* the HIT layout question was made from, or NULL */
    int form;                   /* question is a QuestionForm (as question_parse read it) */
};

/* Creates a HIT of the requester's type t, reserving (reward + fee) * MaxAssignments
 * from the available balance into escrow. TS_EFUNDS when the balance is short;
 * TS_EDUPLICATE ("HitAlreadyExists", naming the HIT) when unique_token was used in the
 * last 24 hours. The caller releases out. */
int hit_create(struct core_ctx *c, const struct hit_type *t, const struct hit_params *p,
               struct hit *out, struct ts_error *err);
/* Dynamic overlap (core/qc.c). hit_close_slots gives up h's free and reserve slots and
 * returns their escrow: the HIT takes no new assignment. hit_open_slot turns one reserve
 * slot into a free one (its cost is already in escrow). Both move the stored HIT by
 * deltas (max_assignments within its bounds, else TS_ECONFLICT) and h with it, and raise
 * no event: they are the quality reactor's own steps, on the row it holds. */
int hit_close_slots(struct core_ctx *c, struct hit *h, struct ts_error *err);
int hit_open_slot(struct core_ctx *c, struct hit *h, struct ts_error *err);

/* Loads the requester's HIT and brings it up to date (processing an expiry that is
 * due). TS_ENOTFOUND ("HITDoesNotExist") for a missing, disposed or foreign HIT. */
int hit_get_owned(struct core_ctx *c, int64_t requester_id, const char *id, struct hit *out,
                  struct ts_error *err);
/* Processes h's expiry if it is due and unprocessed: the escrow of its free slots goes
 * back to the requester. Writes h and raises EVENT_HIT_EXPIRED when it changed. */
int hit_settle(struct core_ctx *c, struct hit *h, struct ts_error *err);

int hit_update_expiration(struct core_ctx *c, int64_t requester_id, const char *hit_id,
                          int64_t expire_at_ms, struct ts_error *err);
int hit_add_assignments(struct core_ctx *c, int64_t requester_id, const char *hit_id,
                        int64_t n, const char *unique_token, struct ts_error *err);
int hit_delete(struct core_ctx *c, int64_t requester_id, const char *hit_id,
               struct ts_error *err);
int hit_set_reviewing(struct core_ctx *c, int64_t requester_id, const char *hit_id,
                      int revert, struct ts_error *err);

/* Processes up to cap due HIT expiries; *done counts them. */
int hit_sweep(struct core_ctx *c, int cap, int *done, struct ts_error *err);

#endif
