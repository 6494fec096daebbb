/* fuzz_csv.c: fuzzes rows_parse_csv and rows_parse_jsonl, the readers of requesters'
 * batch files, and rows_row_json on what they accept. Accepted rows must respect the
 * limits and have valid column names; every row must encode as JSON. A violation
 * aborts, which the fuzzer and replay.c report. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "doc/rows.h"
#include "util/err.h"
#include "util/banned.h"

#define FUZZ_MAX_ROWS 50

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_rows(struct rows *r)
{
    char *js;

    if (r->nrows == 0 || r->nrows > FUZZ_MAX_ROWS || r->ncols == 0 || r->ncols > ROWS_MAX_COLS)
        abort();
    for (size_t j = 0; j < r->ncols; j++)
        if (strlen(r->cols[j]) == 0 || strlen(r->cols[j]) > ROWS_MAX_NAME)
            abort();
    for (size_t i = 0; i < r->nrows; i++) {
        js = rows_row_json(r, i);
        if (!js || js[0] != '{')
            abort();
        free(js);
    }
    if (rows_row_json(r, r->nrows) != NULL)
        abort();
    rows_release(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rows r = {0};
    struct ts_error err = {0};

    if (rows_parse_csv((const char *)data, size, FUZZ_MAX_ROWS, &r, &err) == 0)
        check_rows(&r);
    else if (r.cells || r.cols || err.msg[0] == '\0')
        abort();
    if (rows_parse_jsonl((const char *)data, size, FUZZ_MAX_ROWS, &r, &err) == 0)
        check_rows(&r);
    else if (r.cells || r.cols || err.msg[0] == '\0')
        abort();
    return 0;
}
