/* rows.h: batch input (CSV or JSON Lines: one row per task) and the ${name} templates
 * that turn a row into a task's HTML. */
#ifndef TS_ROWS_H
#define TS_ROWS_H
#include <stddef.h>

#include "../util/buf.h"
#include "../util/err.h"

/* A parsed batch. Column names match [A-Za-z_][A-Za-z0-9_]{0,63} and are distinct;
 * every cell is a heap string of valid UTF-8 without NUL or control characters other
 * than tab, CR and LF. cells is row-major: row i, column j is cells[i * ncols + j]. */
struct rows {
    size_t nrows, ncols;
    char **cols;
    char **cells;
};

#define ROWS_MAX_COLS 1000
#define ROWS_MAX_NAME 64

/* Parses RFC 4180 CSV text[0..n) into *out (caller releases with rows_release): a
 * header line of column names, then at least one data row with exactly as many fields.
 * Fields may be quoted ("" is a quote inside quotes) and then hold commas and line
 * breaks; lines end in CRLF, LF or CR; the final line break is optional; a UTF-8 BOM
 * is skipped; empty lines are skipped. Errors name the line: TS_EINVAL for ragged
 * rows, an unterminated quote, bad/duplicate/empty column names, invalid UTF-8, no
 * data rows; TS_ETOOBIG for more than max_rows rows or ROWS_MAX_COLS columns. On
 * failure *out is untouched. */
int rows_parse_csv(const char *text, size_t n, size_t max_rows, struct rows *out,
                   struct ts_error *err);

/* Parses JSON Lines: one JSON object per non-empty line, with string, number, boolean
 * or null values (numbers kept as written, booleans as true/false, null as ""). The
 * first object's keys, in order, are the columns; every later object must have exactly
 * those keys (in any order). Errors as for rows_parse_csv, naming the line. */
int rows_parse_jsonl(const char *text, size_t n, size_t max_rows, struct rows *out,
                     struct ts_error *err);

/* Frees everything in r and clears it. */
void rows_release(struct rows *r);

/* Removes the column called name from r and returns its cells (nrows strings, in row
 * order; the caller frees each and the array), or NULL when r has no such column. With
 * a single column, nothing is removed and NULL is returned too: a row needs a field. */
char **rows_take_col(struct rows *r, const char *name);

/* Row `row` as a compact JSON object {"col": "value", ...} in column order; every
 * value is a string. Caller frees. NULL when row is out of range. */
char *rows_row_json(const struct rows *r, size_t row);

/* Checks a template: "$$" is a literal "$", "${name}" a placeholder whose name matches
 * [A-Za-z_][A-Za-z0-9_]*, and any other "$" is literal. TS_EINVAL naming the line and
 * placeholder when a "${" is not closed, a name is malformed, or (when r is not NULL)
 * a name is not one of r's columns. */
int tmpl_check(const char *tmpl, const struct rows *r, struct ts_error *err);

/* Appends tmpl to out with each ${name} replaced by row `row`'s value, escaped for
 * HTML/XML (buf_put_xml), and "$$" by "$". Errors as tmpl_check (r is required, row
 * must be in range), TS_ETOOBIG when out reaches its max; on failure out keeps its
 * length (its sticky error may be set). */
int tmpl_fill(const char *tmpl, const struct rows *r, size_t row, struct buf *out,
              struct ts_error *err);

#endif
