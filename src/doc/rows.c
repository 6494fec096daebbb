/* rows.c: the room where a requester's batch file becomes rows, and where a row fills
 * a ${name} template. Batch files are hostile input: every error names the line, every
 * cell is checked UTF-8, and sizes are bounded by the caller's max_rows and by
 * ROWS_MAX_COLS. */
#include "rows.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../util/alloc.h"
#include "../util/text.h"
#include "../util/banned.h"

/* A growable vector of heap strings. */
struct rows_vec {
    char **v;
    size_t n, cap;
};

static void rows_vec_push(struct rows_vec *a, char *s)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? st_mult(a->cap, 2) : 16;
        a->v = xrealloc(a->v, st_mult(a->cap, sizeof *a->v));
    }
    a->v[a->n++] = s;
}

static void rows_vec_free(struct rows_vec *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
    a->v = NULL;
    a->n = a->cap = 0;
}

static int rows_name_start(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int rows_name_char(int c)
{
    return rows_name_start(c) || (c >= '0' && c <= '9');
}

/* Whether s[0..n) matches [A-Za-z_][A-Za-z0-9_]*. */
static int rows_name_ok(const char *s, size_t n)
{
    if (n == 0 || !rows_name_start((unsigned char)s[0]))
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!rows_name_char((unsigned char)s[i]))
            return 0;
    return 1;
}

/* Checks the column names in cols, found on `line`. */
static int rows_check_cols(const struct rows_vec *cols, size_t line, struct ts_error *err)
{
    if (cols->n > ROWS_MAX_COLS)
        return ts_fail(err, TS_ETOOBIG, "line %zu: more than %d columns", line, ROWS_MAX_COLS);
    for (size_t i = 0; i < cols->n; i++) {
        const char *c = cols->v[i];
        size_t len = strlen(c);
        if (len == 0)
            return ts_fail(err, TS_EINVAL, "line %zu: column %zu has an empty name", line, i + 1);
        if (len > ROWS_MAX_NAME || !rows_name_ok(c, len))
            return ts_fail(err, TS_EINVAL,
                           "line %zu: column name \"%.64s\" is not valid: use letters, digits "
                           "and _, not starting with a digit, at most %d characters",
                           line, c, ROWS_MAX_NAME);
        for (size_t j = 0; j < i; j++)
            if (strcmp(cols->v[j], c) == 0)
                return ts_fail(err, TS_EINVAL, "line %zu: column \"%s\" appears twice", line, c);
    }
    return 0;
}

static int rows_finish(struct rows_vec *cols, struct rows_vec *cells, size_t nrows,
                       const char *what, struct rows *out, struct ts_error *err)
{
    if (cols->n == 0)
        return ts_fail(err, TS_EINVAL, "%s is empty: the first line must name the columns",
                       what);
    if (nrows == 0)
        return ts_fail(err, TS_EINVAL, "%s has no data rows", what);
    out->nrows = nrows;
    out->ncols = cols->n;
    out->cols = cols->v;
    out->cells = cells->v;
    cols->v = cells->v = NULL;
    cols->n = cols->cap = cells->n = cells->cap = 0;
    return 0;
}

/* ---- CSV ---- */

struct rows_csv {
    const char *p, *end;
    size_t line;      /* physical line of p, 1-based */
    struct buf field; /* the field being read */
};

/* Consumes a line break at p, if any; returns whether there was one. */
static int rows_csv_eol(struct rows_csv *c)
{
    if (c->p < c->end && *c->p == '\r') {
        c->p++;
        if (c->p < c->end && *c->p == '\n')
            c->p++;
    } else if (c->p < c->end && *c->p == '\n') {
        c->p++;
    } else {
        return 0;
    }
    c->line++;
    return 1;
}

/* Reads one field at p into c->field. */
static int rows_csv_field(struct rows_csv *c, size_t col, struct ts_error *err)
{
    size_t start_line = c->line;
    const char *run;

    buf_reset(&c->field);
    if (c->p < c->end && *c->p == '"') {
        c->p++;
        for (;;) {
            if (c->p >= c->end)
                return ts_fail(err, TS_EINVAL,
                               "line %zu: the quoted field that starts here is never closed "
                               "with \"",
                               start_line);
            if (*c->p == '"') {
                if (c->p + 1 < c->end && c->p[1] == '"') {
                    buf_putc(&c->field, '"');
                    c->p += 2;
                    continue;
                }
                c->p++;
                break;
            }
            run = c->p;
            if (*c->p == '\r' || *c->p == '\n') {
                rows_csv_eol(c);
            } else {
                while (c->p < c->end && *c->p != '"' && *c->p != '\r' && *c->p != '\n')
                    c->p++;
            }
            buf_append(&c->field, run, (size_t)(c->p - run));
        }
        if (c->p < c->end && *c->p != ',' && *c->p != '\r' && *c->p != '\n')
            return ts_fail(err, TS_EINVAL,
                           "line %zu: text after the closing quote of field %zu; inside a "
                           "quoted field write a quote as \"\"",
                           c->line, col);
    } else {
        run = c->p;
        while (c->p < c->end && *c->p != ',' && *c->p != '\r' && *c->p != '\n')
            c->p++;
        buf_append(&c->field, run, (size_t)(c->p - run));
    }
    if (c->field.err)
        return ts_fail(err, TS_ETOOBIG, "line %zu: field %zu is too long", start_line, col);
    if (text_utf8_chars(c->field.p, c->field.len) < 0)
        return ts_fail(err, TS_EINVAL,
                       "line %zu: field %zu is not valid UTF-8 or holds a control character",
                       start_line, col);
    return 0;
}

/* Reads one record into rec; limit is the most fields accepted. */
static int rows_csv_record(struct rows_csv *c, struct rows_vec *rec, size_t limit,
                           struct ts_error *err)
{
    int rc;

    for (;;) {
        if (rec->n >= limit)
            return 1; /* the caller words the error */
        rc = rows_csv_field(c, rec->n + 1, err);
        if (rc)
            return rc;
        rows_vec_push(rec, xstrndup(c->field.p, c->field.len));
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        rows_csv_eol(c);
        return 0;
    }
}

int rows_parse_csv(const char *text, size_t n, size_t max_rows, struct rows *out,
                   struct ts_error *err)
{
    struct rows_csv c = {text, text + n, 1, BUF_INIT(n)};
    struct rows_vec cols = {0}, cells = {0}, rec = {0};
    size_t nrows = 0, line;
    int rc = 0;

    if (n >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        c.p += 3;
    while (c.p < c.end) {
        if (rows_csv_eol(&c))
            continue; /* an empty line */
        line = c.line;
        if (cols.n == 0) {
            rc = rows_csv_record(&c, &cols, ROWS_MAX_COLS, err);
            if (rc == 1)
                rc = ts_fail(err, TS_ETOOBIG, "line %zu: more than %d columns", line,
                             ROWS_MAX_COLS);
            if (!rc)
                rc = rows_check_cols(&cols, line, err);
            if (rc)
                goto out;
            continue;
        }
        if (nrows >= max_rows) {
            rc = ts_fail(err, TS_ETOOBIG, "line %zu: more than %zu rows; split the batch", line,
                         max_rows);
            goto out;
        }
        rc = rows_csv_record(&c, &rec, cols.n, err);
        if (rc == 1 || (rc == 0 && rec.n != cols.n)) {
            rc = ts_fail(err, TS_EINVAL, "line %zu: row has %s%zu fields but the header has %zu",
                         line, rc == 1 ? "more than " : "", rec.n, cols.n);
        }
        if (rc)
            goto out;
        for (size_t i = 0; i < rec.n; i++)
            rows_vec_push(&cells, rec.v[i]);
        rec.n = 0;
        nrows++;
    }
    rc = rows_finish(&cols, &cells, nrows, "CSV", out, err);
out:
    buf_release(&c.field);
    rows_vec_free(&rec);
    rows_vec_free(&cols);
    rows_vec_free(&cells);
    return rc;
}

/* ---- JSON Lines ---- */

/* Finds the value text of each member of a JSON object that jansson has already
 * accepted with only scalar values, so that numbers keep their written form. vals[i]
 * and lens[i] are the i-th member's value in text order. */
static void rows_json_values(const char *s, size_t n, const char **vals, size_t *lens,
                             size_t max)
{
    const char *p = s, *end = s + n, *v;
    size_t i = 0;

#define ROWS_WS() while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) p++
#define ROWS_STR()                                                      \
    do {                                                                \
        for (p++; p < end && *p != '"'; p++)                            \
            if (*p == '\\')                                             \
                p++;                                                    \
        p++;                                                            \
    } while (0)
    ROWS_WS();
    p++; /* { */
    while (p < end && i < max) {
        ROWS_WS();
        if (p >= end || *p == '}')
            break;
        ROWS_STR(); /* the key */
        ROWS_WS();
        p++; /* : */
        ROWS_WS();
        v = p;
        if (p < end && *p == '"')
            ROWS_STR();
        else
            while (p < end && *p != ',' && *p != '}' && *p != ' ' && *p != '\t' &&
                   *p != '\r' && *p != '\n')
                p++;
        vals[i] = v;
        lens[i] = (size_t)(p - v);
        i++;
        ROWS_WS();
        p++; /* , or } */
    }
#undef ROWS_WS
#undef ROWS_STR
}

static size_t rows_col_index(const struct rows_vec *cols, const char *name)
{
    for (size_t j = 0; j < cols->n; j++)
        if (strcmp(cols->v[j], name) == 0)
            return j;
    return (size_t)-1;
}

/* The text of one scalar value; NULL (with err) for other types. */
static char *rows_json_cell(json_t *v, const char *raw, size_t raw_len, const char *key,
                            size_t line, struct ts_error *err)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        if (text_utf8_chars(json_string_value(v), json_string_length(v)) < 0) {
            ts_fail(err, TS_EINVAL, "line %zu: value of \"%.64s\" holds a control character",
                    line, key);
            return NULL;
        }
        return xstrndup(json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
    case JSON_REAL:
        return xstrndup(raw, raw_len);
    case JSON_TRUE:
        return xstrdup("true");
    case JSON_FALSE:
        return xstrdup("false");
    case JSON_NULL:
        return xstrdup("");
    default:
        ts_fail(err, TS_EINVAL,
                "line %zu: value of \"%.64s\" must be a string, number, boolean or null", line,
                key);
        return NULL;
    }
}

/* Parses one line's object; on the first line also sets cols. */
static int rows_jsonl_line(const char *s, size_t len, size_t line, struct rows_vec *cols,
                           struct rows_vec *cells, struct ts_error *err)
{
    json_error_t jerr;
    json_t *obj = json_loadb(s, len, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &jerr), *v;
    const char **vals = NULL;
    size_t *lens = NULL, nmem, i = 0, base = cells->n, j;
    const char *key;
    char *cell;
    int first = cols->n == 0, rc = 0;

    if (!obj)
        return ts_fail(err, TS_EINVAL, "line %zu: not valid JSON: %s", line, jerr.text);
    if (!json_is_object(obj)) {
        rc = ts_fail(err, TS_EINVAL, "line %zu: must be a JSON object {\"column\": value, ...}",
                     line);
        goto out;
    }
    nmem = json_object_size(obj);
    if (nmem > ROWS_MAX_COLS) {
        rc = ts_fail(err, TS_ETOOBIG, "line %zu: more than %d keys", line, ROWS_MAX_COLS);
        goto out;
    }
    if (first) {
        json_object_foreach(obj, key, v)
            rows_vec_push(cols, xstrdup(key));
        rc = rows_check_cols(cols, line, err);
        if (!rc && cols->n == 0)
            rc = ts_fail(err, TS_EINVAL, "line %zu: the first object has no keys", line);
        if (rc)
            goto out;
    }
    vals = xcalloc(nmem + 1, sizeof *vals);
    lens = xcalloc(nmem + 1, sizeof *lens);
    rows_json_values(s, len, vals, lens, nmem);
    for (j = 0; j < cols->n; j++)
        rows_vec_push(cells, NULL);
    json_object_foreach(obj, key, v) {
        j = rows_col_index(cols, key);
        if (j == (size_t)-1) {
            rc = ts_fail(err, TS_EINVAL, "line %zu: key \"%.64s\" is not in the first line",
                         line, key);
            goto out;
        }
        cell = rows_json_cell(v, vals[i], lens[i], key, line, err);
        if (!cell) {
            rc = TS_EINVAL;
            goto out;
        }
        cells->v[base + j] = cell;
        i++;
    }
    for (j = 0; j < cols->n; j++) {
        if (!cells->v[base + j]) {
            rc = ts_fail(err, TS_EINVAL,
                         "line %zu: key \"%s\" is missing (every line needs the first line's "
                         "keys)",
                         line, cols->v[j]);
            goto out;
        }
    }
out:
    if (rc) {
        for (j = base; j < cells->n; j++)
            free(cells->v[j]);
        cells->n = base;
    }
    free(vals);
    free(lens);
    json_decref(obj);
    return rc;
}

static int rows_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return 0;
    return 1;
}

int rows_parse_jsonl(const char *text, size_t n, size_t max_rows, struct rows *out,
                     struct ts_error *err)
{
    struct rows_vec cols = {0}, cells = {0};
    const char *p = text, *end = text + n, *nl;
    size_t line = 0, nrows = 0, len;
    int rc = 0;

    if (n >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        p += 3;
    for (; p < end; p = nl + 1) {
        line++;
        nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            nl = end;
        len = (size_t)(nl - p);
        if (rows_blank(p, len))
            continue;
        if (cols.n > 0 && nrows >= max_rows) {
            rc = ts_fail(err, TS_ETOOBIG, "line %zu: more than %zu rows; split the batch", line,
                         max_rows);
            goto out;
        }
        rc = rows_jsonl_line(p, len, line, &cols, &cells, err);
        if (rc)
            goto out;
        nrows++;
    }
    rc = rows_finish(&cols, &cells, nrows, "JSON Lines input", out, err);
out:
    rows_vec_free(&cols);
    rows_vec_free(&cells);
    return rc;
}

void rows_release(struct rows *r)
{
    if (r->cols)
        for (size_t i = 0; i < r->ncols; i++)
            free(r->cols[i]);
    if (r->cells)
        for (size_t i = 0; i < st_mult(r->nrows, r->ncols); i++)
            free(r->cells[i]);
    free(r->cols);
    free(r->cells);
    r->cols = r->cells = NULL;
    r->nrows = r->ncols = 0;
}

char **rows_take_col(struct rows *r, const char *name)
{
    size_t g = 0, n = r->ncols;
    char **taken;

    while (g < n && strcmp(r->cols[g], name) != 0)
        g++;
    if (g == n || n < 2)
        return NULL;
    taken = xmalloc_array(r->nrows ? r->nrows : 1, sizeof *taken);
    for (size_t i = 0; i < r->nrows; i++) {
        taken[i] = r->cells[i * n + g];
        /* Row i's other cells move down to i * (n - 1). */
        for (size_t j = 0, k = 0; j < n; j++)
            if (j != g)
                r->cells[i * (n - 1) + k++] = r->cells[i * n + j];
    }
    free(r->cols[g]);
    memmove(r->cols + g, r->cols + g + 1, (n - g - 1) * sizeof *r->cols);
    r->ncols = n - 1;
    return taken;
}

char *rows_row_json(const struct rows *r, size_t row)
{
    json_t *obj;
    char *s, *copy = NULL;
    json_free_t jfree;

    if (row >= r->nrows)
        return NULL;
    obj = json_object();
    for (size_t j = 0; j < r->ncols; j++)
        json_object_set_new(obj, r->cols[j], json_string(r->cells[row * r->ncols + j]));
    s = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(obj);
    if (!s)
        TS_BUG("rows_row_json: cannot encode a row of checked UTF-8");
    copy = xstrdup(s);
    json_get_alloc_funcs(NULL, &jfree);
    jfree(s);
    return copy;
}

/* ---- templates ---- */

/* "a, b, c" for a message, cut short to fit. */
static void rows_col_list(const struct rows *r, char *out, size_t cap)
{
    size_t len = 0;

    out[0] = '\0';
    for (size_t j = 0; j < r->ncols; j++) {
        int w = snprintf(out + len, cap - len, "%s%s", j ? ", " : "", r->cols[j]);
        if (w < 0 || (size_t)w >= cap - len) {
            if (cap > 4)
                memcpy(out + cap - 4, "...", 4);
            return;
        }
        len += (size_t)w;
    }
}

/* Shared by tmpl_check (out == NULL; r may be NULL) and tmpl_fill. */
static int tmpl_walk(const char *tmpl, const struct rows *r, size_t row, struct buf *out,
                     struct ts_error *err)
{
    const char *p = tmpl, *run = tmpl, *name, *close;
    size_t line = 1, nlen, j;
    char cols[120];

    for (; *p; p++) {
        if (*p == '\n')
            line++;
        if (*p != '$' || (p[1] != '$' && p[1] != '{'))
            continue;
        if (out)
            buf_append(out, run, (size_t)(p - run));
        if (p[1] == '$') {
            if (out)
                buf_putc(out, '$');
            p++;
            run = p + 1;
            continue;
        }
        name = p + 2;
        close = strchr(name, '}');
        if (!close)
            return ts_fail(err, TS_EINVAL,
                           "template line %zu: \"${\" is not closed with \"}\" (write $${ for "
                           "a literal ${)",
                           line);
        nlen = (size_t)(close - name);
        if (!rows_name_ok(name, nlen))
            return ts_fail(err, TS_EINVAL,
                           "template line %zu: ${%.*s} is not a valid placeholder: names use "
                           "letters, digits and _, not starting with a digit (write $${ for a "
                           "literal ${)",
                           line, (int)(nlen > 40 ? 40 : nlen), name);
        j = (size_t)-1;
        if (r)
            for (j = 0; j < r->ncols; j++)
                if (strlen(r->cols[j]) == nlen && memcmp(r->cols[j], name, nlen) == 0)
                    break;
        if (r && j == r->ncols) {
            rows_col_list(r, cols, sizeof cols);
            return ts_fail(err, TS_EINVAL,
                           "template line %zu: ${%.*s} names no column of the batch "
                           "(columns: %s)",
                           line, (int)(nlen > 64 ? 64 : nlen), name, cols);
        }
        if (out) {
            const char *v = r->cells[row * r->ncols + j];
            buf_put_xml(out, v, strlen(v));
        }
        for (const char *q = p; q < close; q++)
            if (*q == '\n')
                line++;
        p = close;
        run = close + 1;
    }
    if (out)
        buf_append(out, run, (size_t)(p - run));
    return 0;
}

int tmpl_check(const char *tmpl, const struct rows *r, struct ts_error *err)
{
    return tmpl_walk(tmpl, r, 0, NULL, err);
}

int tmpl_fill(const char *tmpl, const struct rows *r, size_t row, struct buf *out,
              struct ts_error *err)
{
    size_t start = out->len;
    int rc;

    if (!r || row >= r->nrows)
        return ts_fail(err, TS_EINVAL, "template: row %zu is out of range", row);
    rc = tmpl_walk(tmpl, r, row, out, err);
    if (!rc && out->err)
        rc = ts_fail(err, TS_ETOOBIG, "filled template is larger than %zu bytes", out->max);
    if (rc && out->len > start) {
        out->len = start;
        out->p[start] = '\0';
    }
    return rc;
}
