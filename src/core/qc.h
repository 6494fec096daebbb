/* qc.h: quality control inside the platform (docs/quality.md). A batch may name a label
 * field (the answer field that holds the label), gold HITs (with a known answer), a
 * gold rate, and dynamic overlap (at least K answers, at most M, until the consensus is
 * confident enough). These functions run inside the executor's transaction, from the
 * accept, submit and review paths of asg.c. */
#ifndef TS_QC_H
#define TS_QC_H
#include "core.h"

/* The HIT a worker gets from AcceptWork by HIT type: the next HIT without a known answer,
 * except that with the probability of its batch's gold rate it is the next gold HIT of
 * the type instead; a gold HIT too when no other is left. TS_ENOTFOUND when none. */
int qc_pick(struct core_ctx *c, const char *hit_type_id, int64_t worker_id,
            char id[STORE_ID_MAX], struct ts_error *err);

/* Loads h's batch into b (b->id is "" when h is in none; release b either way) and, when
 * the batch has a label field, sets *label (allocated) to that field of answers_json.
 * TS_EINVAL, changing nothing, when the answers lack it. */
int qc_label(struct core_ctx *c, const struct hit *h, const char *answers_json,
             struct batch *b, char **label, struct ts_error *err);

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
