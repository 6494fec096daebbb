/* ops.h: the operation groups that op.c assembles into the one table. */
#ifndef TS_OPS_H
#define TS_OPS_H
#include <stddef.h>
#include "op.h"

extern const struct op ops_requester[];
extern const size_t ops_requester_n;
extern const struct op ops_worker[];
extern const size_t ops_worker_n;
extern const struct op ops_batch[];
extern const size_t ops_batch_n;
extern const struct op ops_quals[];
extern const size_t ops_quals_n;
extern const struct op ops_notify[];
extern const size_t ops_notify_n;
extern const struct op ops_review[];
extern const size_t ops_review_n;

/* Reads the HIT type members (Title, Description, Reward, ...) of in into t for the
 * caller. Strings are borrowed from in except t->quals_json, which the caller frees. */
int ops_read_hit_type(struct op_ctx *c, json_t *in, struct hit_type *t, struct ts_error *err);

/* The worker that in's WorkerId names: a pseudonym the caller has been shown (the worker
 * accepted one of its HITs or asked for one of its qualifications). "WorkerDoesNotExist"
 * otherwise. */
int ops_worker_named(struct op_ctx *c, json_t *in, int64_t *worker, struct ts_error *err);

#endif
