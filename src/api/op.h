/* op.h: the operation table. An operation is one C function with one JSON-in/JSON-out
 * shape and the roles that may call it. Every door (native JSON, MTurk JSON 1.1, form
 * posts, the CLI) dispatches into this one table. Operations run inside the executor's
 * transaction (see exec.h): a failed one is rolled back and changes nothing. */
#ifndef TS_OP_H
#define TS_OP_H
#include <jansson.h>
#include "../core/core.h"

struct op_ctx {
    struct core_ctx *core;
    struct account who; /* the authenticated caller */
    const char *access_key_id; /* the access key it signed with (MTurk door), or NULL */
    const unsigned char *token_hash; /* the bearer token it came with (hash), or NULL */
    int64_t token_ttl_ms;      /* the sliding lifetime of the tokens Login issues */
    int auth_changed;          /* set by an operation that revoked a credential */
};

/* in: the request object (borrowed). out: an empty object to fill. */
typedef int (*op_fn)(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err);
/* A slow first step that must not hold up the writer (a password check): it runs on the
 * executor's side thread, outside any transaction, with a store connection of its own
 * that it only reads. On success it names the account the operation then runs as
 * (op_ctx.who); on failure the job is answered with its error and fn never runs. */
typedef int (*op_prep_fn)(struct store *st, json_t *in, int64_t *account_id,
                          struct ts_error *err);

enum op_flags {
    OP_WRITE = 1,  /* changes state */
    OP_MTURK = 2   /* part of the MTurk requester API */
};

struct op {
    const char *name;
    unsigned roles;             /* enum role bits allowed to call it */
    unsigned flags;
    const char *const *fields;  /* the input members it knows, NULL-terminated */
    op_fn fn;
    op_prep_fn prep;            /* or NULL */
};

/* The operation called name, or NULL. */
const struct op *op_find(const char *name);
/* Every operation, for documentation and tests; *n is set to the count. */
const struct op *op_table(size_t *n);

/* TS_EINVAL naming the first member of in that op does not know. */
int op_check_fields(const struct op *op, json_t *in, struct ts_error *err);

#endif
