/* asg.h: assignments, one worker's work on one HIT: accept, submit, return, abandon on
 * deadline, approve (pay), reject (release escrow), auto-approval, and bonuses. Each
 * transition raises its event (core/event.h); the caller settles (core_finish). */
#ifndef TS_ASG_H
#define TS_ASG_H
#include <jansson.h>
#include "core.h"

const char *asg_status_name(enum asg_status s);

/* Whether HIT h may be previewed: by worker_id, who must not be blocked by its requester
 * and must meet every requirement of its type guarding preview; or, worker_id 0, by
 * anyone, when no requirement guards preview (nobody's qualifications can be checked).
 * 0, or TS_EFORBIDDEN ("WorkerBlocked", "QualificationNotMet") saying why not. */
int asg_may_preview(struct core_ctx *c, int64_t worker_id, const struct hit *h,
                    struct ts_error *err);

/* Accepts the next HIT of hit_type_id that the worker has not done (hit_id NULL), or
 * the named HIT. TS_ENOTFOUND ("NoWorkAvailable") when none is open. */
int asg_accept(struct core_ctx *c, int64_t worker_id, const char *hit_type_id,
               const char *hit_id, struct assignment *out, struct ts_error *err);

/* Loads the worker's own assignment (TS_ENOTFOUND for another worker's), processing
 * a passed deadline first. */
int asg_get_worker(struct core_ctx *c, int64_t worker_id, const char *id,
                   struct assignment *out, struct ts_error *err);

/* answers: a JSON object of field -> value (docs/api.md, SubmitAssignment; borrowed: the
 * event keeps its own reference), checked against the HIT's question. Raises
 * EVENT_ASG_SUBMITTED carrying the assignment as written, its answers and its batch. */
int asg_submit(struct core_ctx *c, int64_t worker_id, const char *id, json_t *answers,
               struct ts_error *err);
/* The same for the fields a browser posted with the task's form: for a QuestionForm HIT
 * they are first turned into its answers (selections, OtherSelectionText) as the form
 * Tessera rendered names them; for other HITs this is asg_submit. */
int asg_submit_posted(struct core_ctx *c, int64_t worker_id, const char *id, json_t *fields,
                      struct ts_error *err);
int asg_return(struct core_ctx *c, int64_t worker_id, const char *id, struct ts_error *err);

/* Loads an assignment on one of the requester's HITs. TS_ENOTFOUND otherwise. */
int asg_get_owned(struct core_ctx *c, int64_t requester_id, const char *id,
                  struct assignment *out, struct ts_error *err);

/* Approves a Submitted assignment and pays it; approving an Approved one again changes
 * nothing and succeeds (an assignment is paid at most once). With override, a
 * Rejected assignment submitted in the last 30 days is approved and paid from the
 * requester's available balance. */
int asg_approve(struct core_ctx *c, int64_t requester_id, const char *id, const char *feedback,
                int override, struct ts_error *err);
/* Rejects a Submitted assignment (feedback required) and releases its escrow. Rejecting
 * a Rejected one again succeeds without change. */
int asg_reject(struct core_ctx *c, int64_t requester_id, const char *id, const char *feedback,
               struct ts_error *err);

/* Sends a bonus to the worker of one of the requester's assignments. worker_pseudonym
 * must be that worker's pseudonym for this requester. */
int asg_bonus(struct core_ctx *c, int64_t requester_id, const char *worker_pseudonym,
              const char *asg_id, int64_t amount, const char *reason, const char *unique_token,
              struct bonus *out, struct ts_error *err);

/* Abandons due deadlines and auto-approves due submissions, up to cap of each. */
int asg_sweep(struct core_ctx *c, int cap, int *done, struct ts_error *err);

/* Whether a's worker has finished it: Submitted, Approved or Rejected (the work a
 * requester may see, download files of, or pay a bonus for). */
int asg_is_finished(const struct assignment *a);
/* The same as a store filter (asg_filter.status_mask): the finished statuses. */
#define ASG_MASK_FINISHED                                                                   \
    (ASG_MASK(ASG_SUBMITTED) | ASG_MASK(ASG_APPROVED) | ASG_MASK(ASG_REJECTED))
/* Whether a's worker is still working on it: Accepted (the task page shows the task). */
int asg_in_progress(const struct assignment *a);

#endif
