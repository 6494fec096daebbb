/* qc_pick.c: what the assignment transitions ask of quality control (docs/quality.md):
 * which HIT a worker is handed (gold mixing), and the label of a submission. What follows
 * a submission (consensus, dynamic overlap) is the quality reactor's, in qc.c. */
#include "qc_pick.h"
#include <string.h>
#include "secrets.h"
#include "../util/alloc.h"
#include "../util/banned.h"

int qc_pick(struct core_ctx *c, const char *hit_type_id, int64_t worker_id,
            char id[STORE_ID_MAX], struct ts_error *err)
{
    char gold[STORE_ID_MAX];
    struct hit h;
    struct batch b;
    int rc = store_hit_next_open(c->st, hit_type_id, worker_id, c->now_ms, 0, id, err);

    if (rc == TS_ENOTFOUND)
        return store_hit_next_open(c->st, hit_type_id, worker_id, c->now_ms, 1, id, err);
    if (rc)
        return rc;
    /* Most types have no gold HIT: one index probe says so. */
    rc = store_hit_next_open(c->st, hit_type_id, worker_id, c->now_ms, 1, gold, err);
    if (rc == TS_ENOTFOUND)
        return 0;
    if (rc)
        return rc;
    rc = store_hit_get(c->st, id, &h, err);
    if (rc)
        return rc;
    memset(&b, 0, sizeof b);
    if (h.qc && h.batch_id[0])
        rc = store_batch_get(c->st, h.batch_id, &b, err);
    if (!rc && b.gold_rate_ppm > 0 && secrets_uniform(1000000) < (uint32_t)b.gold_rate_ppm)
        memcpy(id, gold, STORE_ID_MAX);
    store_batch_release(&b);
    store_hit_release(&h);
    return rc;
}

int qc_label(struct core_ctx *c, const struct hit *h, json_t *answers, struct batch *b,
             char **label, struct ts_error *err)
{
    json_t *v;
    int rc = 0;

    memset(b, 0, sizeof *b);
    *label = NULL;
    if (!h->qc || !h->batch_id[0])
        return 0;
    rc = store_batch_get(c->st, h->batch_id, b, err);
    if (rc || !b->label_field[0])
        return rc;
    v = json_object_get(answers, b->label_field);
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 255)
        rc = ts_failk(err, TS_EINVAL, "ParameterValidationError",
                      "Answers must give the field \"%s\" (this batch's label) as text of "
                      "1 to 255 bytes",
                      b->label_field);
    else
        *label = xstrdup(json_string_value(v));
    return rc;
}
