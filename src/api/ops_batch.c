/* ops_batch.c: Tessera's batch operations. CreateBatch makes one HIT type and one HIT
 * per CSV or JSON Lines row, filling the Question template's ${field} placeholders;
 * GetBatchResults returns one row per worked assignment (pseudonymous worker id, the
 * row's input, the answers, the times) as JSON Lines or CSV. */
#include "ops.h"
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include "param.h"
#include "render.h"
#include "../core/hit.h"
#include "../core/asg.h"
#include "../core/question.h"
#include "../core/rows.h"
#include "../core/secrets.h"
#include "../util/alloc.h"
#include "../util/buf.h"
#include "../util/banned.h"

#define ROWS_MAX_BYTES (8u << 20)

static int read_rows(struct op_ctx *c, json_t *in, struct rows *r, struct ts_error *err)
{
    const char *format = "csv", *text = NULL;
    size_t max = (size_t)c->core->cfg->max_batch_rows;
    int rc = param_str(in, "Format", PARAM_OPTIONAL, 16, &format, err);
    if (!rc)
        rc = param_str(in, "Rows", PARAM_REQUIRED, ROWS_MAX_BYTES, &text, err);
    if (rc)
        return rc;
    if (strcmp(format, "csv") == 0)
        rc = rows_parse_csv(text, strlen(text), max, r, err);
    else if (strcmp(format, "jsonl") == 0)
        rc = rows_parse_jsonl(text, strlen(text), max, r, err);
    else
        rc = ts_failk(err, TS_EINVAL, "ParameterValidationError",
                      "Format must be \"csv\" or \"jsonl\"");
    if (rc && err && !err->kind)
        err->kind = "ParameterValidationError";
    return rc;
}

/* Prefixes err's message with the row number. */
static int row_fail(struct ts_error *err, int rc, const char *kind, size_t row)
{
    char msg[sizeof err->msg];
    memcpy(msg, err->msg, sizeof msg);
    return ts_failk(err, rc, err->kind ? err->kind : kind, "row %zu: %s", row, msg);
}

static int create_rows(struct op_ctx *c, const struct hit_type *t, const struct rows *r,
                       const char *tmpl, struct hit_params *p, json_t *ids,
                       struct ts_error *err)
{
    struct buf q = BUF_INIT(QUESTION_MAX_BYTES);
    int rc = 0;
    for (size_t i = 0; !rc && i < r->nrows; i++) {
        struct question parsed;
        struct hit h;
        char *row = NULL;
        buf_reset(&q);
        rc = tmpl_fill(tmpl, r, i, &q, err);
        if (rc) {
            rc = row_fail(err, rc, "ParameterValidationError", i + 1);
            break;
        }
        rc = question_parse(q.p, q.len, &parsed, err);
        if (rc) {
            rc = row_fail(err, rc, "XMLParseError", i + 1);
            break;
        }
        question_release(&parsed);
        row = rows_row_json(r, i);
        p->question = q.p;
        p->input_json = row;
        rc = hit_create(c->core, t, p, &h, err);
        free(row);
        if (rc)
            rc = row_fail(err, rc, NULL, i + 1);
        if (!rc) {
            if (json_array_size(ids) < 100)
                json_array_append_new(ids, json_string(h.id));
            store_hit_release(&h);
        }
    }
    buf_release(&q);
    return rc;
}

static int op_create_batch(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    const char *type_id = NULL, *tmpl = NULL;
    struct hit_type t;
    struct hit_params p;
    struct rows r = {0};
    struct batch b;
    int own_type = 0;
    int rc;

    memset(&p, 0, sizeof p);
    memset(&t, 0, sizeof t);
    p.max_assignments = 1;
    rc = param_id(in, "HITTypeId", PARAM_OPTIONAL, &type_id, err);
    if (!rc)
        rc = param_int(in, "LifetimeInSeconds", PARAM_REQUIRED, 0, INT64_MAX / 1000,
                       &p.lifetime_s, err);
    if (!rc)
        rc = param_int(in, "MaxAssignments", PARAM_OPTIONAL, 0, INT64_MAX, &p.max_assignments,
                       err);
    if (!rc)
        rc = param_str(in, "Question", PARAM_REQUIRED, QUESTION_MAX_BYTES, &tmpl, err);
    if (!rc)
        rc = param_str(in, "RequesterAnnotation", PARAM_OPTIONAL, 1024, &p.annotation, err);
    if (rc)
        return rc;
    if (type_id) {
        rc = hit_type_get_owned(c->core, c->who.id, type_id, &t, err);
        own_type = 1;
    } else {
        char id[STORE_ID_MAX];
        rc = ops_read_hit_type(c, in, &t, err);
        if (!rc)
            rc = hit_type_create(c->core, &t, id, err);
        if (!rc)
            memcpy(t.id, id, STORE_ID_MAX);
    }
    if (rc)
        goto out;
    rc = read_rows(c, in, &r, err);
    if (!rc)
        rc = tmpl_check(tmpl, &r, err);
    if (rc)
        goto out;

    memset(&b, 0, sizeof b);
    secrets_id_new(b.id);
    b.requester_id = c->who.id;
    memcpy(b.hit_type_id, t.id, STORE_ID_MAX);
    b.hits = (int64_t)r.nrows;
    b.created_ms = c->core->now_ms;
    rc = store_batch_insert(c->core->st, &b, err);
    if (rc)
        goto out;
    p.batch_id = b.id;
    json_t *ids = json_array();
    rc = create_rows(c, &t, &r, tmpl, &p, ids, err);
    if (rc) {
        json_decref(ids);
        goto out;
    }
    json_object_set_new(out, "BatchId", json_string(b.id));
    json_object_set_new(out, "HITTypeId", json_string(t.id));
    json_object_set_new(out, "NumHITs", json_integer(b.hits));
    json_object_set_new(out, "HITIds", ids); /* the first 100 */
out:
    rows_release(&r);
    if (own_type)
        store_hit_type_release(&t);
    else
        free(t.quals_json);
    return rc;
}

/* One result row: the columns shared by both formats. */
struct result_walk {
    struct op_ctx *c;
    json_t *rows;             /* array of objects, in assignment order */
    json_t *answer_keys;      /* object used as an ordered set of answer fields */
    json_t *input_keys;
    struct hit cur;           /* the HIT of the last row, to reuse */
    struct ts_error *err;
    int rc;
};

static int result_cb(void *ctx, const struct assignment *a)
{
    struct result_walk *w = ctx;
    char pseud[16];
    if (strcmp(w->cur.id, a->hit_id) != 0) {
        store_hit_release(&w->cur);
        w->rc = store_hit_get(w->c->core->st, a->hit_id, &w->cur, w->err);
        if (!w->rc)
            w->rc = store_hit_load_texts(w->c->core->st, &w->cur, w->err);
        if (w->rc) {
            store_hit_release(&w->cur);
            memset(&w->cur, 0, sizeof w->cur);
            return 1;
        }
    }
    secrets_pseudonym(w->c->core->sec, a->requester_id, a->worker_id, pseud);
    json_t *o = json_object();
    json_object_set_new(o, "HITId", json_string(a->hit_id));
    json_object_set_new(o, "AssignmentId", json_string(a->id));
    json_object_set_new(o, "WorkerId", json_string(pseud));
    json_object_set_new(o, "AssignmentStatus", json_string(asg_status_name(a->status)));
    render_time(o, "AcceptTime", a->accepted_ms);
    render_time(o, "SubmitTime", a->submitted_ms);
    json_object_set_new(o, "WorkTimeInSeconds",
                        json_real((double)(a->submitted_ms - a->accepted_ms) / 1000.0));
    json_t *input = w->cur.input_json ? json_loads(w->cur.input_json, 0, NULL) : NULL;
    json_t *answers = a->answer_json ? json_loads(a->answer_json, 0, NULL) : NULL;
    const char *k;
    json_t *v;
    if (!input)
        input = json_object();
    if (!answers)
        answers = json_object();
    json_object_foreach(input, k, v) json_object_set(w->input_keys, k, json_true());
    json_object_foreach(answers, k, v) json_object_set(w->answer_keys, k, json_true());
    json_object_set_new(o, "Input", input);
    json_object_set_new(o, "Answers", answers);
    json_array_append_new(w->rows, o);
    return 0;
}

static void csv_cell(struct buf *b, const char *s)
{
    if (!s)
        s = "";
    if (strpbrk(s, ",\"\r\n") == NULL) {
        buf_puts(b, s);
        return;
    }
    buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"')
            buf_putc(b, '"');
        buf_putc(b, *s);
    }
    buf_putc(b, '"');
}

static const char *const result_cols[] = {"HITId", "AssignmentId", "WorkerId",
                                          "AssignmentStatus", NULL};

static void results_csv(struct result_walk *w, struct buf *b)
{
    const char *k;
    json_t *v;
    size_t i;
    json_t *row;
    for (const char *const *c = result_cols; *c; c++) {
        buf_puts(b, *c);
        buf_putc(b, ',');
    }
    buf_puts(b, "AcceptTime,SubmitTime,WorkTimeInSeconds");
    json_object_foreach(w->input_keys, k, v) buf_printf(b, ",Input.%s", k);
    json_object_foreach(w->answer_keys, k, v) buf_printf(b, ",Answer.%s", k);
    buf_puts(b, "\r\n");
    json_array_foreach(w->rows, i, row)
    {
        for (const char *const *c = result_cols; *c; c++) {
            csv_cell(b, json_string_value(json_object_get(row, *c)));
            buf_putc(b, ',');
        }
        buf_printf(b, "%lld,%lld,%.3f",
                   (long long)json_integer_value(json_object_get(row, "AcceptTime")),
                   (long long)json_integer_value(json_object_get(row, "SubmitTime")),
                   json_real_value(json_object_get(row, "WorkTimeInSeconds")));
        json_t *input = json_object_get(row, "Input"), *ans = json_object_get(row, "Answers");
        json_object_foreach(w->input_keys, k, v)
        {
            buf_putc(b, ',');
            csv_cell(b, json_string_value(json_object_get(input, k)));
        }
        json_object_foreach(w->answer_keys, k, v)
        {
            buf_putc(b, ',');
            csv_cell(b, json_string_value(json_object_get(ans, k)));
        }
        buf_puts(b, "\r\n");
    }
}

static void results_jsonl(struct result_walk *w, struct buf *b)
{
    size_t i;
    json_t *row;
    json_array_foreach(w->rows, i, row)
    {
        char *s = json_dumps(row, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (s) {
            buf_puts(b, s);
            buf_putc(b, '\n');
            free(s);
        }
    }
}

static int op_get_batch_results(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    const char *id = NULL, *format = "jsonl";
    struct batch b;
    struct result_walk w;
    struct asg_filter f = {0};
    struct buf text = BUF_INIT(BUF_MAX_TEXT);
    int64_t after = 0, last = 0;
    int more = 1;
    int rc = param_id(in, "BatchId", PARAM_REQUIRED, &id, err);
    if (!rc)
        rc = param_str(in, "Format", PARAM_OPTIONAL, 16, &format, err);
    if (rc)
        return rc;
    if (strcmp(format, "jsonl") != 0 && strcmp(format, "csv") != 0)
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "Format must be \"jsonl\" or \"csv\"");
    rc = store_batch_get(c->core->st, id, &b, err);
    if (rc == 0 && b.requester_id != c->who.id)
        rc = TS_ENOTFOUND;
    if (rc == TS_ENOTFOUND)
        return ts_failk(err, TS_ENOTFOUND, "BatchDoesNotExist", "Batch %s does not exist", id);
    if (rc)
        return rc;

    memset(&w, 0, sizeof w);
    w.c = c;
    w.rows = json_array();
    w.answer_keys = json_object();
    w.input_keys = json_object();
    w.err = err;
    f.batch_id = id;
    f.status_mask = ASG_MASK(ASG_SUBMITTED) | ASG_MASK(ASG_APPROVED) | ASG_MASK(ASG_REJECTED);
    while (!rc && more) {
        rc = store_asg_list(c->core->st, &f, after, 1000, result_cb, &w, &last, &more, err);
        if (!rc)
            rc = w.rc;
        after = last;
    }
    if (!rc) {
        if (strcmp(format, "csv") == 0)
            results_csv(&w, &text);
        else
            results_jsonl(&w, &text);
        if (text.err)
            rc = ts_fail(err, TS_ETOOBIG, "the results of batch %s are too large to return", id);
    }
    if (!rc) {
        json_object_set_new(out, "BatchId", json_string(id));
        json_object_set_new(out, "Format", json_string(format));
        json_object_set_new(out, "NumResults", json_integer((json_int_t)json_array_size(w.rows)));
        json_object_set_new(out, "Results", json_stringn(text.p, text.len));
    }
    buf_release(&text);
    store_hit_release(&w.cur);
    json_decref(w.rows);
    json_decref(w.answer_keys);
    json_decref(w.input_keys);
    return rc;
}

static const char *const f_create_batch[] = {
    "HITTypeId", "Title", "Description", "Keywords", "Reward", "AssignmentDurationInSeconds",
    "AutoApprovalDelayInSeconds", "QualificationRequirements", "LifetimeInSeconds",
    "MaxAssignments", "Question", "RequesterAnnotation", "Format", "Rows", NULL};
static const char *const f_results[] = {"BatchId", "Format", NULL};

const struct op ops_batch[] = {
    {"CreateBatch", ROLE_REQUESTER, OP_WRITE, f_create_batch, op_create_batch, NULL},
    {"GetBatchResults", ROLE_REQUESTER, 0, f_results, op_get_batch_results, NULL},
};
const size_t ops_batch_n = sizeof ops_batch / sizeof ops_batch[0];
