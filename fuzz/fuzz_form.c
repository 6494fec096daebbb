/* fuzz_form.c: fuzzes the form parsers (form.c) that read what browsers post to
 * /mturk/externalSubmit: the input is parsed as a multipart/form-data body (boundary
 * "XyZ") and as an urlencoded body. Whatever comes in, every field that comes out must
 * keep the promises of form.h: a name of 1..255 bytes of UTF-8, text values UTF-8 and
 * within their cap, at most FORM_MAX_FILES files each within FORM_MAX_FILE. A violation
 * aborts, which the fuzzer and replay.c report. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/form.h"
#include "util/text.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct form *f)
{
    size_t files = 0;
    if (f->n > FORM_MAX_FIELDS)
        abort();
    for (size_t i = 0; i < f->n; i++) {
        const struct form_field *x = &f->f[i];
        size_t nl = strlen(x->name);
        if (nl < 1 || nl > FORM_MAX_NAME || text_utf8_chars(x->name, nl) < 1)
            abort();
        if (x->value[x->value_len] != '\0')
            abort();
        if (x->filename) {
            files++;
            if (x->value_len > FORM_MAX_FILE || text_utf8_chars(x->filename,
                                                                strlen(x->filename)) < 0)
                abort();
        } else if (x->value_len > FORM_MAX_VALUE ||
                   (x->value_len && text_utf8_chars(x->value, x->value_len) < 0)) {
            abort();
        }
    }
    if (files != f->files || files > FORM_MAX_FILES)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct form f = FORM_INIT;
    struct ts_error err = {0};
    const char *p = (const char *)data;
    int rc = form_parse(&f, "multipart/form-data; boundary=XyZ", p, size, &err);
    check(&f);
    if (rc && !err.msg[0])
        abort();
    form_release(&f);
    memset(&err, 0, sizeof err);
    rc = form_parse(&f, "Application/X-WWW-Form-Urlencoded; charset=UTF-8", p, size, &err);
    check(&f);
    if (rc && !err.msg[0])
        abort();
    form_release(&f);
    return 0;
}
