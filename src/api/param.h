/* param.h: reading typed members out of an operation's JSON input. Each returns 0 and
 * writes the value (leaving *out untouched when an optional member is absent), or
 * TS_EINVAL with a message naming the member and what it must be. */
#ifndef TS_PARAM_H
#define TS_PARAM_H
#include <stdint.h>
#include <jansson.h>
#include "../util/err.h"

enum { PARAM_OPTIONAL = 0, PARAM_REQUIRED = 1 };

int param_str(json_t *in, const char *name, int required, size_t max_bytes, const char **out,
              struct ts_error *err);
int param_id(json_t *in, const char *name, int required, const char **out,
             struct ts_error *err); /* ^[A-Z0-9]{1,64}$ */
int param_int(json_t *in, const char *name, int required, int64_t min, int64_t max,
              int64_t *out, struct ts_error *err);
int param_bool(json_t *in, const char *name, int required, int *out, struct ts_error *err);
int param_money(json_t *in, const char *name, int required, int64_t *out,
                struct ts_error *err);
/* Epoch seconds (integer or fractional) into milliseconds. */
int param_time_ms(json_t *in, const char *name, int required, int64_t *out,
                  struct ts_error *err);

/* Pagination: MaxResults 1..100 (default 10) and an opaque NextToken. */
int param_page(json_t *in, int64_t *after_seq, int *limit, struct ts_error *err);
/* Sets out's NextToken to the page after last_seq when there are more. */
void param_next_token(json_t *out, int64_t last_seq, int more);
/* Ends a list operation whose walk returned rc: on success sets NextToken (when more),
 * NumResults and arr under name on out, taking arr; on failure drops arr. Returns rc. */
int param_page_reply(json_t *out, const char *name, json_t *arr, int64_t last_seq, int more,
                     int rc);

/* One page of a list operation whose store walk appends to arr: param_list_begin reads
 * the page (param_page) and makes arr; the walk fills arr, last and more;
 * param_list_end is param_page_reply on them. On a begin failure nothing is allocated. */
struct param_list {
    int64_t after, last;
    int limit, more;
    json_t *arr;
};
int param_list_begin(json_t *in, struct param_list *pl, struct ts_error *err);
int param_list_end(json_t *out, const char *name, struct param_list *pl, int rc);

#endif
