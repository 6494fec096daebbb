/* layout.h: HIT layouts, Tessera's own store of requester pages with ${name}
 * placeholders (MTurk's HITLayoutId + HITLayoutParameters). A HIT made from a layout
 * gets the page with every placeholder replaced by its HTML-escaped value, as an
 * HTMLQuestion, and remembers the layout's id. */
#ifndef TS_LAYOUT_H
#define TS_LAYOUT_H
#include <jansson.h>

#include "core.h"

#define LAYOUT_MAX_PARAMS 100   /* placeholders in one layout */
#define LAYOUT_MAX_NAME 255     /* characters in a layout's Name */
#define LAYOUT_MAX_VALUE 65535  /* bytes in one parameter value */

/* Creates the requester's layout: name 1..LAYOUT_MAX_NAME characters, content a
 * non-empty page whose placeholders follow the template rules of rows.h (tmpl_check)
 * and that fits an HTMLQuestion, frame_height 0..QUESTION_MAX_FRAME_HEIGHT. Fills out
 * (caller releases with store_layout_release). TS_EINVAL naming what is wrong. */
int layout_create(struct core_ctx *c, int64_t requester_id, const char *name,
                  const char *content, int64_t frame_height, struct hit_layout *out,
                  struct ts_error *err);

/* The requester's layout; TS_ENOTFOUND ("HITLayoutDoesNotExist") when it does not
 * exist, was deleted, or belongs to someone else. Caller releases out. */
int layout_get_owned(struct core_ctx *c, int64_t requester_id, const char *id,
                     struct hit_layout *out, struct ts_error *err);

/* Fills l with params (borrowed: a JSON array of {"Name": s, "Value": s}, or NULL for
 * none): every placeholder must be given exactly once and no other name. Returns the
 * HTMLQuestion XML in *question (caller frees), which question_parse accepts. TS_EINVAL
 * naming the parameter, or TS_ETOOBIG when the question would pass QUESTION_MAX_BYTES. */
int layout_fill(const struct hit_layout *l, json_t *params, char **question,
                struct ts_error *err);

#endif
