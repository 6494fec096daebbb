/* ops_batch.c: Tessera's batch operations. CreateBatch makes one HIT type and one HIT
 * per CSV or JSON Lines row, filling the Question template's ${field} placeholders;
 * GetBatchResults returns one row per worked assignment (pseudonymous worker id, the
 * row's input, the answers, the times) as JSON Lines or CSV. */
#include "ops.h"
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <math.h>
#include "param.h"
#include "render.h"
#include "../core/hit.h"
#include "../core/asg.h"
#include "../core/pay.h"
#include "../core/pseudonym.h"
#include "../core/qc.h"
#include "../doc/question.h"
#include "../doc/rows.h"
#include "../core/secrets.h"
#include "../quality/agreement.h"
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

static const char *const f_quality[] = {"LabelField", "GoldColumn", "GoldRate",
                                        "MinAssignments", "ConfidenceThreshold", NULL};

/* A fraction in [min, max] ppm, given as a JSON number. */
static int param_ppm(json_t *in, const char *name, int64_t min, int64_t max, int64_t *out,
                     struct ts_error *err)
{
    json_t *v = json_object_get(in, name);
    double d;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_number(v))
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "Quality.%s must be a number", name);
    d = json_number_value(v) * 1e6;
    if (!(d >= (double)min && d <= (double)max))
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "Quality.%s must be between %g and %g", name, (double)min / 1e6,
                        (double)max / 1e6);
    *out = (int64_t)(d + 0.5);
    return 0;
}

/* The Quality member of CreateBatch into b; *gold_col is its GoldColumn or NULL. */
static int read_quality(json_t *in, int64_t max_assignments, struct batch *b,
                        const char **gold_col, struct ts_error *err)
{
    json_t *q = json_object_get(in, "Quality"), *v;
    const char *k, *label = NULL;
    int64_t min = 0;
    int rc = 0;

    *gold_col = NULL;
    if (!q || json_is_null(q))
        return 0;
    if (!json_is_object(q))
        return ts_failk(err, TS_EINVAL, "ParameterValidationError", "Quality must be an object");
    json_object_foreach(q, k, v)
    {
        const char *const *f = f_quality;
        while (*f && strcmp(*f, k) != 0)
            f++;
        if (!*f)
            return ts_failk(err, TS_EINVAL, "UnknownField",
                            "Quality does not take a member \"%s\"", k);
    }
    rc = param_str(q, "LabelField", PARAM_REQUIRED, sizeof b->label_field - 1, &label, err);
    if (!rc)
        rc = param_str(q, "GoldColumn", PARAM_OPTIONAL, ROWS_MAX_NAME, gold_col, err);
    if (!rc)
        rc = param_ppm(q, "GoldRate", 0, 500000, &b->gold_rate_ppm, err);
    if (!rc)
        rc = param_int(q, "MinAssignments", PARAM_OPTIONAL, 1, INT64_MAX, &min, err);
    b->confidence_ppm = 950000;
    if (!rc)
        rc = param_ppm(q, "ConfidenceThreshold", 500000, 1000000, &b->confidence_ppm, err);
    if (rc)
        return rc;
    if (b->gold_rate_ppm > 0 && !*gold_col)
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "Quality.GoldRate needs a Quality.GoldColumn: the rows' column that "
                        "holds the known answers");
    if (min && min >= max_assignments)
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "Quality.MinAssignments (%lld) must be less than MaxAssignments "
                        "(%lld), the most answers a HIT may grow to",
                        (long long)min, (long long)max_assignments);
    snprintf(b->label_field, sizeof b->label_field, "%s", label);
    b->min_assignments = min;
    return 0;
}

static int create_rows(struct op_ctx *c, const struct hit_type *t, const struct rows *r,
                       const char *tmpl, struct hit_params *p, char **gold,
                       int64_t min_assignments, json_t *ids, struct ts_error *err)
{
    struct buf q = BUF_INIT(QUESTION_MAX_BYTES);
    int64_t max = p->max_assignments;
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
        p->form = parsed.kind == QUESTION_FORM;
        question_release(&parsed);
        row = rows_row_json(r, i);
        p->question = q.p;
        p->input_json = row;
        /* A gold HIT takes up to MaxAssignments answers, to measure many workers; with
         * dynamic overlap another starts at MinAssignments and may grow to it. */
        p->gold = gold && gold[i][0] ? gold[i] : NULL;
        p->max_assignments = min_assignments && !p->gold ? min_assignments : max;
        p->overlap_max = min_assignments && !p->gold ? max : 0;
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
    p->max_assignments = max;
    return rc;
}

static int op_create_batch(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    const char *type_id = NULL, *tmpl = NULL;
    struct hit_type t;
    struct hit_params p;
    struct rows r = {0};
    struct batch b;
    const char *gold_col = NULL;
    char **gold = NULL;
    size_t ngold = 0;
    int own_type = 0;
    int rc;

    memset(&p, 0, sizeof p);
    memset(&t, 0, sizeof t);
    memset(&b, 0, sizeof b);
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
    if (!rc)
        rc = read_quality(in, p.max_assignments, &b, &gold_col, err);
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
    if (!rc && gold_col) {
        /* Known answers leave the rows here, so no worker ever sees them. */
        gold = rows_take_col(&r, gold_col);
        if (!gold)
            rc = ts_failk(err, TS_EINVAL, "ParameterValidationError",
                          "Quality.GoldColumn \"%s\" is not a column of Rows (besides at "
                          "least one other)",
                          gold_col);
        for (size_t i = 0; gold && i < r.nrows; i++)
            ngold += gold[i][0] != '\0';
    }
    if (!rc)
        rc = tmpl_check(tmpl, &r, err);
    if (rc)
        goto out;

    secrets_id_new(b.id);
    b.requester_id = c->who.id;
    memcpy(b.hit_type_id, t.id, STORE_ID_MAX);
    b.hits = (int64_t)r.nrows;
    b.created_ms = c->core->now_ms;
    rc = store_batch_insert(c->core->st, &b, err);
    if (rc)
        goto out;
    p.batch_id = b.id;
    p.qc = b.label_field[0] != '\0';
    json_t *ids = json_array();
    rc = create_rows(c, &t, &r, tmpl, &p, gold, b.min_assignments, ids, err);
    if (rc) {
        json_decref(ids);
        goto out;
    }
    json_object_set_new(out, "BatchId", json_string(b.id));
    json_object_set_new(out, "HITTypeId", json_string(t.id));
    json_object_set_new(out, "NumHITs", json_integer(b.hits));
    json_object_set_new(out, "HITIds", ids); /* the first 100 */
    if (b.label_field[0])
        json_object_set_new(out, "GoldHITs", json_integer((json_int_t)ngold));
out:
    if (gold)
        for (size_t i = 0; i < r.nrows; i++)
            free(gold[i]);
    free(gold);
    rows_release(&r);
    if (own_type)
        store_hit_type_release(&t);
    else
        free(t.quals_json);
    return rc;
}

/* One result row: the columns shared by both formats. The walk also gathers what the
 * quality figures need: each labelled answer as (item, label) indexes, and per worker
 * their answers, gold answers and agreement with the consensus. */
struct result_walk {
    struct op_ctx *c;
    json_t *rows;             /* array of objects, in assignment order */
    json_t *answer_keys;      /* object used as an ordered set of answer fields */
    json_t *input_keys;
    struct hit cur;           /* the HIT of the last row, to reuse */
    json_t *items, *labels;   /* HIT id -> index, label -> index */
    size_t *item_ix, *label_ix, n_ix, cap_ix;
    json_t *workers;          /* pseudonym -> counters (see quality_note) */
    struct ts_error *err;
    int rc;
};

static size_t index_of(json_t *map, const char *key)
{
    json_t *v = json_object_get(map, key);
    if (!v) {
        v = json_integer((json_int_t)json_object_size(map));
        json_object_set_new(map, key, v);
    }
    return (size_t)json_integer_value(v);
}

static void count(json_t *o, const char *key, json_int_t by)
{
    json_object_set_new(o, key, json_integer(json_integer_value(json_object_get(o, key)) + by));
}

/* Notes a's label for the agreement figures and its worker's quality counters. */
static void quality_note(struct result_walk *w, const struct assignment *a, const char *pseud)
{
    const struct hit *h = &w->cur;
    json_t *wk = json_object_get(w->workers, pseud);
    const char *ref = h->gold ? h->gold : h->consensus;

    if (!a->label)
        return;
    if (!wk) {
        wk = json_object();
        json_object_set_new(wk, "Confusion", json_object());
        json_object_set_new(w->workers, pseud, wk);
    }
    count(wk, "Answers", 1);
    if (h->gold) {
        count(wk, "GoldAnswers", 1);
        count(wk, "GoldCorrect", strcmp(a->label, h->gold) == 0);
    } else if (h->consensus) {
        count(wk, "Compared", 1);
        count(wk, "Agreed", strcmp(a->label, h->consensus) == 0);
    }
    if (ref) {
        char key[600];
        snprintf(key, sizeof key, "%s -> %s", ref, a->label);
        count(json_object_get(wk, "Confusion"), key, 1);
    }
    if (!qc_answer_counts(a))
        return; /* a rejected answer does not count in the consensus or the agreement */
    if (w->n_ix == w->cap_ix) {
        w->cap_ix = w->cap_ix ? 2 * w->cap_ix : 64;
        w->item_ix = xrealloc(w->item_ix, st_mult(w->cap_ix, sizeof *w->item_ix));
        w->label_ix = xrealloc(w->label_ix, st_mult(w->cap_ix, sizeof *w->label_ix));
    }
    w->item_ix[w->n_ix] = index_of(w->items, h->id);
    w->label_ix[w->n_ix] = index_of(w->labels, a->label);
    w->n_ix++;
}

static json_t *ratio(json_int_t num, json_int_t den)
{
    return den > 0 ? json_real((double)num / (double)den) : json_null();
}

static json_t *number_or_null(double x)
{
    return isnan(x) ? json_null() : json_real(x);
}

static json_t *agreement_json(struct result_walk *w)
{
    struct agreement ag;
    json_t *o = json_object();
    agreement_compute(w->item_ix, w->label_ix, w->n_ix, json_object_size(w->items),
                      json_object_size(w->labels), &ag);
    json_object_set_new(o, "Items", json_integer((json_int_t)ag.items));
    json_object_set_new(o, "Answers", json_integer((json_int_t)ag.answers));
    json_object_set_new(o, "KrippendorffAlpha", number_or_null(ag.alpha));
    json_object_set_new(o, "FleissKappa", number_or_null(ag.kappa));
    return o;
}

static json_t *workers_json(struct result_walk *w)
{
    json_t *arr = json_array(), *wk;
    const char *pseud;
    json_object_foreach(w->workers, pseud, wk)
    {
        json_int_t gs = json_integer_value(json_object_get(wk, "GoldAnswers"));
        json_int_t cmp = json_integer_value(json_object_get(wk, "Compared"));
        json_t *o = json_object();
        json_object_set_new(o, "WorkerId", json_string(pseud));
        json_object_set_new(o, "Answers", json_integer(json_integer_value(
                                              json_object_get(wk, "Answers"))));
        json_object_set_new(o, "GoldAnswers", json_integer(gs));
        json_object_set_new(o, "GoldAccuracy",
                            ratio(json_integer_value(json_object_get(wk, "GoldCorrect")), gs));
        json_object_set_new(o, "ComparedWithConsensus", json_integer(cmp));
        json_object_set_new(o, "AgreementWithConsensus",
                            ratio(json_integer_value(json_object_get(wk, "Agreed")), cmp));
        json_object_set_new(o, "Confusion", json_incref(json_object_get(wk, "Confusion")));
        json_array_append_new(arr, o);
    }
    return arr;
}

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
    pseudonym_derive(w->c->core->sec, a->requester_id, a->worker_id, pseud);
    json_t *o = json_object();
    json_object_set_new(o, "HITId", json_string(a->hit_id));
    json_object_set_new(o, "AssignmentId", json_string(a->id));
    json_object_set_new(o, "WorkerId", json_string(pseud));
    json_object_set_new(o, "AssignmentStatus", json_string(asg_status_name(a->status)));
    render_time(o, "AcceptTime", a->accepted_ms);
    render_time(o, "SubmitTime", a->submitted_ms);
    json_object_set_new(o, "WorkTimeInSeconds", json_real((double)pay_work_ms(a) / 1000.0));
    if (w->cur.consensus) {
        json_object_set_new(o, "Consensus", json_string(w->cur.consensus));
        json_object_set_new(o, "Confidence", json_real(w->cur.confidence));
    }
    if (w->cur.gold)
        json_object_set_new(o, "GoldAnswer", json_string(w->cur.gold));
    quality_note(w, a, pseud);
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

/* A plain decimal number ("-3", "+2.5", "10"): a spreadsheet reads it as a number, never
 * as a formula, so it is written as it is. */
static int csv_is_number(const char *s)
{
    size_t i = (*s == '-' || *s == '+') ? 1 : 0, digits = 0;
    for (; s[i] >= '0' && s[i] <= '9'; i++)
        digits++;
    if (digits && s[i] == '.') {
        size_t frac = 0;
        for (i++; s[i] >= '0' && s[i] <= '9'; i++)
            frac++;
        if (!frac)
            return 0;
    }
    return digits && s[i] == '\0';
}

/* One CSV cell (RFC 4180 quoting). Every text cell comes from somebody's input (answers,
 * input fields, gold, consensus), so a cell a spreadsheet would run as a formula or a DDE
 * call (it starts with '=', '+', '-', '@', tab, CR or LF) gets a leading "'", which makes
 * it text; plain numbers stay as they are. docs/api.md, GetBatchResults, says so. JSON
 * Lines results are never altered. */
static void csv_cell(struct buf *b, const char *s)
{
    int neutralise, quote;
    if (!s)
        s = "";
    neutralise = *s && strchr("=+-@\t\r\n", *s) != NULL && !csv_is_number(s);
    quote = strpbrk(s, ",\"\r\n") != NULL;
    if (!quote) {
        if (neutralise)
            buf_putc(b, '\'');
        buf_puts(b, s);
        return;
    }
    buf_putc(b, '"');
    if (neutralise)
        buf_putc(b, '\'');
    for (; *s; s++) {
        if (*s == '"')
            buf_putc(b, '"');
        buf_putc(b, *s);
    }
    buf_putc(b, '"');
}

static void header_cell(struct buf *b, const char *prefix, const char *name)
{
    struct buf h = BUF_INIT(BUF_MAX_BODY);
    buf_puts(&h, prefix);
    buf_puts(&h, name);
    buf_putc(b, ',');
    csv_cell(b, h.p);
    buf_release(&h);
}

static const char *const result_cols[] = {"HITId", "AssignmentId", "WorkerId",
                                          "AssignmentStatus", NULL};

/* One answer as a CSV cell: text as it is, a repeated field's values joined with '|' (as
 * MTurk's batch results do), an uploaded file as its UploadedFileKey. */
static void answer_cell(struct buf *b, json_t *v)
{
    if (json_is_array(v)) {
        struct buf j = BUF_INIT(BUF_MAX_BODY);
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            if (i)
                buf_putc(&j, '|');
            buf_puts(&j, json_string_value(e) ? json_string_value(e) : "");
        }
        csv_cell(b, j.p);
        buf_release(&j);
    } else if (json_is_object(v)) {
        csv_cell(b, json_string_value(json_object_get(v, "UploadedFileKey")));
    } else {
        csv_cell(b, json_string_value(v));
    }
}

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
    buf_puts(b, "AcceptTime,SubmitTime,WorkTimeInSeconds,Consensus,Confidence,GoldAnswer");
    /* Field names come from input too: quoted like any cell (they never start with a
     * formula character, being prefixed). */
    json_object_foreach(w->input_keys, k, v) header_cell(b, "Input.", k);
    json_object_foreach(w->answer_keys, k, v) header_cell(b, "Answer.", k);
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
        buf_putc(b, ',');
        csv_cell(b, json_string_value(json_object_get(row, "Consensus")));
        if (json_object_get(row, "Confidence"))
            buf_printf(b, ",%.6f,", json_real_value(json_object_get(row, "Confidence")));
        else
            buf_puts(b, ",,");
        csv_cell(b, json_string_value(json_object_get(row, "GoldAnswer")));
        json_t *input = json_object_get(row, "Input"), *ans = json_object_get(row, "Answers");
        json_object_foreach(w->input_keys, k, v)
        {
            buf_putc(b, ',');
            csv_cell(b, json_string_value(json_object_get(input, k)));
        }
        json_object_foreach(w->answer_keys, k, v)
        {
            buf_putc(b, ',');
            answer_cell(b, json_object_get(ans, k));
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

/* The batch called id, if it is the caller's. */
static int batch_owned(struct op_ctx *c, const char *id, struct batch *b, struct ts_error *err)
{
    int rc = store_batch_get(c->core->st, id, b, err);
    if (rc == 0 && b->requester_id != c->who.id) {
        store_batch_release(b);
        rc = TS_ENOTFOUND;
    }
    if (rc == TS_ENOTFOUND)
        return ts_failk(err, TS_ENOTFOUND, "BatchDoesNotExist", "Batch %s does not exist", id);
    return rc;
}

/* Walks every Submitted, Approved and Rejected assignment of batch id into w. */
static int walk_batch(struct op_ctx *c, const char *id, struct result_walk *w,
                      struct ts_error *err)
{
    struct asg_filter f = {0};
    int64_t after = 0, last = 0;
    int more = 1, rc = 0;

    memset(w, 0, sizeof *w);
    w->c = c;
    w->rows = json_array();
    w->answer_keys = json_object();
    w->input_keys = json_object();
    w->items = json_object();
    w->labels = json_object();
    w->workers = json_object();
    w->err = err;
    f.batch_id = id;
    f.status_mask = ASG_MASK_FINISHED;
    while (!rc && more) {
        rc = store_asg_list(c->core->st, &f, after, 1000, result_cb, w, &last, &more, err);
        if (!rc)
            rc = w->rc;
        after = last;
    }
    return rc;
}

static void walk_release(struct result_walk *w)
{
    store_hit_release(&w->cur);
    json_decref(w->rows);
    json_decref(w->answer_keys);
    json_decref(w->input_keys);
    json_decref(w->items);
    json_decref(w->labels);
    json_decref(w->workers);
    free(w->item_ix);
    free(w->label_ix);
}

static int op_get_batch_results(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    const char *id = NULL, *format = "jsonl";
    struct batch b;
    struct result_walk w;
    struct buf text = BUF_INIT(BUF_MAX_TEXT);
    int rc = param_id(in, "BatchId", PARAM_REQUIRED, &id, err);
    if (!rc)
        rc = param_str(in, "Format", PARAM_OPTIONAL, 16, &format, err);
    if (rc)
        return rc;
    if (strcmp(format, "jsonl") != 0 && strcmp(format, "csv") != 0)
        return ts_failk(err, TS_EINVAL, "ParameterValidationError",
                        "Format must be \"jsonl\" or \"csv\"");
    rc = batch_owned(c, id, &b, err);
    if (rc)
        return rc;
    rc = walk_batch(c, id, &w, err);
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
        if (b.label_field[0])
            json_object_set_new(out, "Agreement", agreement_json(&w));
    }
    buf_release(&text);
    walk_release(&w);
    store_batch_release(&b);
    return rc;
}

/* Per-worker quality for the requester's own batch, through pseudonyms only. */
static int op_get_batch_quality(struct op_ctx *c, json_t *in, json_t *out, struct ts_error *err)
{
    const char *id = NULL;
    struct batch b;
    struct result_walk w;
    int rc = param_id(in, "BatchId", PARAM_REQUIRED, &id, err);
    if (!rc)
        rc = batch_owned(c, id, &b, err);
    if (rc)
        return rc;
    if (!b.label_field[0]) {
        store_batch_release(&b);
        return ts_failk(err, TS_ECONFLICT, "NoQualitySettings",
                        "Batch %s was created without Quality.LabelField, so its answers "
                        "have no labels to compare",
                        id);
    }
    rc = walk_batch(c, id, &w, err);
    if (!rc) {
        json_object_set_new(out, "BatchId", json_string(id));
        json_object_set_new(out, "LabelField", json_string(b.label_field));
        json_object_set_new(out, "Agreement", agreement_json(&w));
        json_object_set_new(out, "Workers", workers_json(&w));
    }
    walk_release(&w);
    store_batch_release(&b);
    return rc;
}

static const char *const f_create_batch[] = {
    "HITTypeId", "Title", "Description", "Keywords", "Reward", "AssignmentDurationInSeconds",
    "AutoApprovalDelayInSeconds", "QualificationRequirements", "LifetimeInSeconds",
    "MaxAssignments", "Question", "RequesterAnnotation", "Format", "Rows", "Quality", NULL};
static const char *const f_results[] = {"BatchId", "Format", NULL};
static const char *const f_quality_report[] = {"BatchId", NULL};

const struct op ops_batch[] = {
    {"CreateBatch", ROLE_REQUESTER, OP_WRITE, f_create_batch, op_create_batch, NULL},
    {"GetBatchResults", ROLE_REQUESTER, 0, f_results, op_get_batch_results, NULL},
    {"GetBatchQuality", ROLE_REQUESTER, 0, f_quality_report, op_get_batch_quality, NULL},
};
const size_t ops_batch_n = sizeof ops_batch / sizeof ops_batch[0];
