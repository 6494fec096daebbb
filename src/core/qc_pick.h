/* qc_pick.h: quality control's part in the assignment transitions (docs/quality.md): the
 * HIT AcceptWork hands out, and a submission's label. */
#ifndef TS_QC_PICK_H
#define TS_QC_PICK_H
#include <jansson.h>
#include "core.h"

/* The HIT a worker gets from AcceptWork by HIT type: the next HIT without a known answer,
 * except that with the probability of its batch's gold rate it is the next gold HIT of
 * the type instead; a gold HIT too when no other is left. TS_ENOTFOUND when none. */
int qc_pick(struct core_ctx *c, const char *hit_type_id, int64_t worker_id,
            char id[STORE_ID_MAX], struct ts_error *err);

/* Loads h's batch into b (b->id is "" when h is in none; release b either way) and, when
 * the batch has a label field, sets *label (allocated) to that field of answers (a JSON
 * object, borrowed). TS_EINVAL, changing nothing, when the answers lack it. */
int qc_label(struct core_ctx *c, const struct hit *h, json_t *answers, struct batch *b,
             char **label, struct ts_error *err);

#endif
