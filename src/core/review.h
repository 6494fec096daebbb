/* review.h: Mechanical Turk's review policies, which review work for the requester.
 * ScoreMyKnownAnswers/2011-09-01 (assignment level) scores each submitted assignment
 * against an answer key as it is submitted; SimplePlurality/2011-09-01 (HIT level) finds
 * the plurality answer of each question when the HIT becomes Reviewable. Both record
 * results and actions (docs/mturk.md, "Review policies") and carry the actions out with
 * the same functions as ApproveAssignment, RejectAssignment and
 * CreateAdditionalAssignmentsForHIT, inside the transaction of the change that set them
 * off: review_react is a reactor of the settle step (core/event.h). The parameters are
 * review_params.h's, the scoring review_score.h's; review.c is the runner. */
#ifndef TS_REVIEW_H
#define TS_REVIEW_H
#include <stddef.h>
#include <jansson.h>
#include "core.h"
#include "review_params.h"
#include "review_score.h"

/* Stores the policies of a new HIT (either may be NULL). */
int review_attach(struct core_ctx *c, const char *hit_id, const struct review_policy *asg,
                  const struct review_policy *hit, struct ts_error *err);

struct event;
/* The review reactor (core_settle), which runs after the quality and notification
 * reactors: after EVENT_ASG_SUBMITTED the assignment-level policy scores the submission;
 * after it, EVENT_ASG_RETURNED, EVENT_ASG_ABANDONED and EVENT_HIT_EXPIRED the HIT-level
 * policy runs if the HIT is Reviewable now with finished work it has not seen. The
 * policies' actions are transitions, whose events the settle step takes in turn. */
int review_react(struct core_ctx *c, struct event *e, struct ts_error *err);

#endif
