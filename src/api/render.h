/* render.h: the JSON shapes of MTurk's structures (HIT, Assignment, BonusPayment), as
 * the requester sees them: epoch-second times, dollar strings, absent fields omitted,
 * workers only as their pseudonym for this requester. */
#ifndef TS_RENDER_H
#define TS_RENDER_H
#include <jansson.h>
#include "op.h"

void render_time(json_t *o, const char *name, int64_t ms); /* omitted when ms == 0 */
void render_money(json_t *o, const char *name, int64_t micros);
json_t *render_hit(const struct hit *h, const struct hit_type *t, int64_t now_ms);
/* The requester's view; NULL on failure (err set). Reads the HIT's question when the
 * assignment has answers, to write them as its QuestionForm says. */
json_t *render_asg(struct op_ctx *c, const struct assignment *a, struct ts_error *err);
/* The same with the HIT's QuestionForm already at hand (NULL: not a QuestionForm HIT),
 * for lists of one HIT's assignments. */
struct qform;
json_t *render_asg_form(struct op_ctx *c, const struct assignment *a, const struct qform *form,
                        struct ts_error *err);
/* Reads HIT hit_id's Question and parses it into *q (caller releases with
 * question_release). TS_ENOTFOUND, or TS_EIO when a stored Question no longer parses. */
struct question;
int render_question_load(struct op_ctx *c, const char *hit_id, struct question *q,
                         struct ts_error *err);
json_t *render_bonus(struct op_ctx *c, const struct bonus *b);

/* Loads h's type (reusing *cache when it is the same type) and renders h. */
int render_hit_cached(struct op_ctx *c, const struct hit *h, struct hit_type *cache,
                      json_t **out, struct ts_error *err);

#endif
