/* qc.h: quality control inside the platform (docs/quality.md). A batch may name a label
 * field (the answer field that holds the label), gold HITs (with a known answer), a
 * gold rate, and dynamic overlap (at least K answers, at most M, until the consensus is
 * confident enough). The quality reactor (qc_react) runs from the settle step after a
 * submission, a rejection and an overridden rejection; what the accept and submit
 * transitions ask of quality control themselves is in qc_pick.h. */
#ifndef TS_QC_H
#define TS_QC_H
#include "core.h"
#include "qc_pick.h"

struct event;

/* The quality reactor (core_settle): after EVENT_ASG_SUBMITTED, qc_after_submit with the
 * event's HIT, assignment and batch; after EVENT_ASG_REJECTED and an EVENT_ASG_APPROVED
 * that overrode a rejection, qc_review. When it changed the HIT's slots it sets the
 * event's after status anew, so that the notification and review reactors, which run
 * next, see the HIT as it left it. Other events: nothing. */
int qc_react(struct core_ctx *c, struct event *e, struct ts_error *err);

/* The answers that count in a HIT's consensus and in the agreement figures: Submitted or
 * Approved (a rejected answer does not). QC_COUNTED is the rule as a status mask (for a
 * list of a HIT's assignments); qc_answer_counts applies it to an answer in hand. */
#define QC_COUNTED (ASG_MASK(ASG_SUBMITTED) | ASG_MASK(ASG_APPROVED))
int qc_answer_counts(const struct assignment *a);

/* After a (the just submitted assignment, with its label) was written: counts a gold
 * answer, records a new label, then qc_refresh. */
int qc_after_submit(struct core_ctx *c, struct hit *h, const struct assignment *a,
                    struct batch *b, struct ts_error *err);

/* After a review that changes which answers count (a rejection, or a rejection
 * overridden): loads h's batch and runs qc_refresh. */
int qc_review(struct core_ctx *c, struct hit *h, struct ts_error *err);

/* Recomputes h's consensus from its Submitted and Approved answers and applies dynamic
 * overlap: a confident HIT gives up its free slots, an unsure one with every slot answered
 * gets one more (up to its maximum, while the requester can pay). No-op when b has no
 * label field. */
int qc_refresh(struct core_ctx *c, struct hit *h, struct batch *b, struct ts_error *err);

#endif
