/* csv.c: the RFC 4180 reader behind `tessera aggregate`. One pass over a writable
 * buffer; a record's fields are slices into it, quoted ones unescaped in place. Every
 * error names the file and the line, because these files come from outside. */
#include "csv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/alloc.h"
#include "../util/banned.h"

int csv_load_file(const char *path, char **text, size_t *n, struct ts_error *err)
{
    FILE *f = fopen(path, "rb");
    char *p = NULL;
    size_t len = 0, cap = 0;
    int rc = 0;

    if (!f)
        return ts_fail(err, TS_EIO, "%s: cannot open: %s", path, strerror(errno));
    for (;;) {
        size_t got;
        if (cap - len < 65536) {
            cap = cap ? st_mult(cap, 2) : 1 << 20;
            p = xrealloc(p, cap);
        }
        got = fread(p + len, 1, cap - len - 1, f);
        len += got;
        if (len > CSV_MAX_FILE) {
            rc = ts_fail(err, TS_ETOOBIG, "%s: larger than %zu bytes", path, CSV_MAX_FILE);
            goto out;
        }
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        rc = ts_fail(err, TS_EIO, "%s: cannot read: %s", path, strerror(errno));
        goto out;
    }
    p[len] = '\0';
    *text = p;
    *n = len;
    p = NULL;
out:
    free(p);
    fclose(f);
    return rc;
}

void csv_init(struct csv *c, char *text, size_t n, const char *name)
{
    c->p = text;
    c->end = text + n;
    c->name = name;
    c->line = 1;
    if (n >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        c->p += 3;
}

/* Consumes one line break at c->p if there is one (CRLF, LF or CR); 1 if it did. */
static int csv_eol(struct csv *c)
{
    if (c->p < c->end && *c->p == '\r') {
        c->p++;
        if (c->p < c->end && *c->p == '\n')
            c->p++;
        c->line++;
        return 1;
    }
    if (c->p < c->end && *c->p == '\n') {
        c->p++;
        c->line++;
        return 1;
    }
    return 0;
}

/* Reads a quoted field starting at the opening quote; unescapes into place. */
static int csv_quoted(struct csv *c, struct csv_field *out, size_t start, struct ts_error *err)
{
    char *w = ++c->p; /* the unescaped text is written from here */
    const char *begin = w;

    for (;;) {
        if (c->p >= c->end)
            return ts_fail(err, TS_EINVAL, "%s:%zu: unterminated quoted field", c->name, start);
        if (*c->p == '"') {
            if (c->p + 1 < c->end && c->p[1] == '"') {
                *w++ = '"';
                c->p += 2;
                continue;
            }
            c->p++;
            break;
        }
        if (*c->p == '\n' || (*c->p == '\r' && !(c->p + 1 < c->end && c->p[1] == '\n')))
            c->line++;
        *w++ = *c->p++;
    }
    out->p = begin;
    out->n = (size_t)(w - begin);
    if (c->p < c->end && *c->p != ',' && *c->p != '\r' && *c->p != '\n')
        return ts_fail(err, TS_EINVAL, "%s:%zu: text after a closing quote", c->name, c->line);
    return 0;
}

static int csv_plain(struct csv *c, struct csv_field *out, struct ts_error *err)
{
    const char *begin = c->p;

    for (; c->p < c->end; c->p++) {
        char ch = *c->p;
        if (ch > '"' && ch != ',') /* the common case: no special character */
            continue;
        if (ch == ',' || ch == '\r' || ch == '\n')
            break;
        if (ch == '"')
            return ts_fail(err, TS_EINVAL, "%s:%zu: a quote inside an unquoted field",
                           c->name, c->line);
    }
    out->p = begin;
    out->n = (size_t)(c->p - begin);
    return 0;
}

int csv_next(struct csv *c, struct csv_field *f, size_t max, size_t *nf, size_t *line,
             struct ts_error *err)
{
    struct csv_field scratch;

    while (csv_eol(c))
        ; /* empty lines */
    if (c->p >= c->end)
        return 0;
    *line = c->line;
    *nf = 0;
    for (;;) {
        struct csv_field *dst = *nf < max ? &f[*nf] : &scratch;
        int rc = c->p < c->end && *c->p == '"' ? csv_quoted(c, dst, *line, err)
                                               : csv_plain(c, dst, err);
        if (rc)
            return rc;
        (*nf)++;
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        csv_eol(c);
        return 1;
    }
}

int csv_field_is(const struct csv_field *f, const char *s)
{
    size_t n = strlen(s);
    return f->n == n && memcmp(f->p, s, n) == 0;
}
