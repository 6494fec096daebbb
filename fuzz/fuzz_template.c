/* fuzz_template.c: fuzzes tmpl_check and tmpl_fill, which turn a requester's ${name}
 * template and one batch row into task HTML. The fuzz input is the template; the rows
 * are fixed and hold markup, so any unescaped '<' from a value would show. A template
 * that passes tmpl_check must fill; a failed fill must leave the buffer as it was. A
 * violation aborts, which the fuzzer and replay.c report. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "doc/rows.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fuzz_csv[] = "a,name,_x9\n\"<b>&\"\"'\",\xc3\xa9t\xc3\xa9,\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rows r = {0};
    struct ts_error err = {0};
    struct buf b = BUF_INIT(1 << 20);
    char *t = xmalloc(st_add(size, 1));
    int syntax, full, filled;

    memcpy(t, data, size);
    t[size] = '\0';
    if (rows_parse_csv(fuzz_csv, sizeof fuzz_csv - 1, 10, &r, &err) != 0)
        abort();
    syntax = tmpl_check(t, NULL, &err);
    full = tmpl_check(t, &r, &err);
    if (syntax != 0 && full == 0)
        abort(); /* the column check can only add errors */
    buf_puts(&b, "pre");
    filled = tmpl_fill(t, &r, 0, &b, &err);
    if (filled != full && !(filled == TS_ETOOBIG && full == 0))
        abort();
    if (filled != 0 && strcmp(b.p, "pre") != 0)
        abort();
    if (tmpl_fill(t, &r, 1, &b, &err) != TS_EINVAL)
        abort();
    rows_release(&r);
    buf_release(&b);
    free(t);
    return 0;
}
