/* qreq.h: the qualification-request state machine. A worker asks for a requester's
 * qualification type, and the request moves through these states (store.h's enum
 * qual_request_status):
 *
 *   ask (RequestQualification) ── auto-granted type ──> ACCEPTED (value granted)
 *        └──────────────────────── otherwise ─────────> PENDING
 *   PENDING ── the requester grants ──> ACCEPTED (value granted)
 *           └─ the requester rejects ─> REJECTED (with a reason)
 *   take the test (GetQualificationTest) ──> TESTING (its clock runs to deadline_ms)
 *   TESTING ── handed in, with an AnswerKey ──> SCORED (value granted) | REJECTED
 *           └─ handed in, without one ───────> PENDING (the requester decides)
 *           └─ not handed in by the deadline: ends then, as if decided
 *
 * A worker has one request row per type. A PENDING or ACCEPTED request cannot be asked
 * again; a REJECTED or SCORED one, or a test that ran out, may be retried once the type's
 * RetryDelayInSeconds has passed since it ended (never without a delay, as on MTurk),
 * and the retry reuses the row. Every ask notes the worker's pseudonym for the
 * requester, which sees it with the request. Errors carry MTurk's names in err->kind;
 * a failed call changes nothing (the caller rolls back). */
#ifndef TS_QREQ_H
#define TS_QREQ_H
#include <jansson.h>
#include "core.h"

/* The active, not deleted type id, for a worker to ask for, into *t (the caller
 * releases it with store_qual_type_release). TS_ENOTFOUND
 * ("QualificationTypeDoesNotExist") otherwise. */
int qreq_type(struct core_ctx *c, const char *type_id, struct qual_type *t,
              struct ts_error *err);

/* RequestQualification: worker_id asks for type_id, which has no test
 * ("QualificationTestRequired" otherwise). *out gets the stored request (release it):
 * QREQ_ACCEPTED at once for an auto-granted type (and the score granted), else
 * QREQ_PENDING. TS_ECONFLICT ("AlreadyRequested", "RetryTooSoon") when the worker may not
 * ask again yet. */
int qreq_request(struct core_ctx *c, int64_t worker_id, const char *type_id,
                 struct qual_request *out, struct ts_error *err);

/* GetQualificationTest: hands worker_id the test of type_id and starts its clock
 * (deadline_ms = now + TestDurationInSeconds); asked again while the test runs, the same
 * request (same test, same deadline). *t and *out get the type and the request (release
 * both; on failure there is nothing to release). "QualificationTestDoesNotExist" for a type without a test; retries as
 * qreq_request. */
int qreq_test_start(struct core_ctx *c, int64_t worker_id, const char *type_id,
                    struct qual_type *t, struct qual_request *out, struct ts_error *err);

/* What handing in a test gave: the request's new state is in the request itself. */
struct qreq_score {
    int scored;  /* an AnswerKey scored the answers */
    int64_t sum; /* the score (scored) */
};

/* 0 when r is a test still running at now; TS_ECONFLICT ("NoTestInProgress") when it was
 * handed in or its time ran out. */
int qreq_test_running(struct core_ctx *c, const struct qual_request *r, struct ts_error *err);

/* SubmitQualificationTest: hands in answers (an object {QuestionIdentifier: answer},
 * borrowed) for worker_id's running test of type_id. *out gets the request as it now
 * is (release it; on failure there is nothing to release). With the type's AnswerKey the answers are scored at once: SCORED with
 * the mapped value granted, or REJECTED when the score maps to none; without one the
 * request is PENDING for the requester. "NoTestInProgress" when no test runs,
 * "TestTimeExceeded" after the deadline, TS_EINVAL when answers do not fit the test. */
int qreq_test_submit(struct core_ctx *c, int64_t worker_id, const char *type_id,
                     json_t *answers, struct qual_request *out, struct qreq_score *score,
                     struct ts_error *err);

/* The same for a running test r already loaded (a test link names it): r is updated in
 * place as it is stored, and stays the caller's to release. form is the test already
 * parsed by the caller, or NULL to have it read from r. */
struct qform;
int qreq_test_hand_in(struct core_ctx *c, struct qual_request *r, const struct qform *form,
                      json_t *answers, struct qreq_score *score, struct ts_error *err);

/* requester_id's request id that waits for a decision, into *r (release it). Another
 * requester's, a test not handed in, or none: TS_ENOTFOUND
 * ("QualificationRequestDoesNotExist"); decided already: TS_ECONFLICT
 * ("InvalidQualificationRequestState"). */
int qreq_pending(struct core_ctx *c, int64_t requester_id, const char *id,
                 struct qual_request *r, struct ts_error *err);

/* AcceptQualificationRequest: the pending request r (from qreq_pending) becomes
 * ACCEPTED with value, and the worker is granted the type with that value. */
int qreq_grant(struct core_ctx *c, struct qual_request *r, int64_t value,
               struct ts_error *err);

/* RejectQualificationRequest: the pending request r becomes REJECTED with reason
 * (NULL for none; at most sizeof r->reason - 1 bytes, longer is TS_EINVAL). */
int qreq_reject(struct core_ctx *c, struct qual_request *r, const char *reason,
                struct ts_error *err);

/* The name a request's state has in answers to the worker: "Granted" (ACCEPTED, SCORED),
 * "Rejected" or "Pending" (PENDING, TESTING). */
const char *qreq_status_name(const struct qual_request *r);

#endif
