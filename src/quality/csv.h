/* csv.h: a small RFC 4180 reader for the files `tessera aggregate` reads. It walks a
 * buffer the caller owns and hands out fields as slices into it: no allocation per
 * record or field. Quoted fields are unescaped in place ("" becomes "), which is why the
 * buffer is writable; a field is never longer than its raw text, so this is safe. */
#ifndef TS_QUALITY_CSV_H
#define TS_QUALITY_CSV_H
#include <stddef.h>

#include "../util/err.h"

/* A field: pointer then length, into the reader's buffer; not NUL-terminated. */
struct csv_field {
    const char *p;
    size_t n;
};

/* Files larger than this are refused by csv_load_file (TS_ETOOBIG). */
#define CSV_MAX_FILE ((size_t)1 << 31)

struct csv {
    char *p, *end;    /* the unread text */
    const char *name; /* the file name, for messages (borrowed) */
    size_t line;      /* the physical line the next record starts on (1-based) */
};

/* Reads all of path into a new buffer (*text, caller frees; *n bytes, NUL-terminated).
 * TS_EIO naming the file when it cannot be opened or read, TS_ETOOBIG past
 * CSV_MAX_FILE. On failure *text is untouched. */
int csv_load_file(const char *path, char **text, size_t *n, struct ts_error *err);

/* Starts reading text[0..n) (borrowed, written to by csv_next) named name in messages.
 * A leading UTF-8 byte order mark is skipped. */
void csv_init(struct csv *c, char *text, size_t n, const char *name);

/* Reads the next record. Empty lines are skipped; lines end in CRLF, LF or CR; the last
 * line break is optional; a quoted field may hold commas, quotes (doubled) and line
 * breaks. Text after a closing quote other than a separator is an error, as is a quote
 * inside an unquoted field.
 * Returns 1 with *line = the record's first line, *nf = its number of fields and
 * f[0..min(*nf, max)) filled; 0 at the end of the text; or TS_EINVAL with a message
 * "NAME:LINE: ..." when the record is malformed (do not read on after an error). */
int csv_next(struct csv *c, struct csv_field *f, size_t max, size_t *nf, size_t *line,
             struct ts_error *err);

/* 1 when field f equals the NUL-terminated s. */
int csv_field_is(const struct csv_field *f, const char *s);

#endif
