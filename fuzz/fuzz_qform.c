/* fuzz_qform.c: fuzzes the QuestionForm reader and everything that works from a form.
 * The input is a QuestionForm, optionally followed by a NUL byte and an answers JSON
 * object. An accepted form must have 1..QFORM_MAX_QUESTIONS questions with unique
 * identifiers; its rendered page must carry no <script>, <iframe>, <object>, <embed>,
 * <style> or <link> tag (FormattedContent is sanitised); the answers check must either
 * pass or say why; the answers XML must be pure ASCII and leave the buffer as it was on
 * failure. A violation aborts, which the fuzzer and replay.c report. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "doc/qform.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_page(const struct buf *b)
{
    static const char *const tags[] = {"<script", "<iframe", "<object", "<embed", "<style",
                                       "<link", "<frame", "<base"};
    const char *form = strstr(b->p, "<form ");
    if (!form)
        abort();
    for (size_t i = (size_t)(form - b->p); i < b->len; i++)
        for (size_t t = 0; t < sizeof tags / sizeof tags[0]; t++)
            if (strncasecmp(b->p + i, tags[t], strlen(tags[t])) == 0)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct qform f;
    struct ts_error err = {0};
    const uint8_t *nul = memchr(data, 0, size);
    size_t xml_n = nul ? (size_t)(nul - data) : size;
    char *answers = NULL;

    memset(&f, 0, sizeof f);
    if (qform_parse((const char *)data, xml_n, &f, &err) != 0) {
        if (f.questions || f.body || err.msg[0] == '\0')
            abort();
        return 0;
    }
    if (f.n_questions == 0 || f.n_questions > QFORM_MAX_QUESTIONS)
        abort();
    for (size_t i = 0; i < f.n_questions; i++) {
        if (qform_find(&f, f.questions[i].id) != &f.questions[i])
            abort(); /* identifiers are unique */
        if (f.questions[i].kind == QFORM_SELECTION && f.questions[i].n_selections == 0)
            abort();
    }

    struct buf page = BUF_INIT(1 << 22);
    if (qform_render_html(&f, "https://t.example/mturk/externalSubmit", "A1", &page, &err) == 0)
        check_page(&page);
    buf_release(&page);

    if (nul) {
        size_t n = size - xml_n - 1;
        struct buf xml = BUF_INIT(1 << 20);
        char *posted;
        answers = xmalloc(st_add(n, 1));
        memcpy(answers, nul + 1, n);
        answers[n] = '\0';
        memset(&err, 0, sizeof err);
        if (qform_check_answers(&f, answers, &err) != 0 && err.msg[0] == '\0')
            abort();
        buf_puts(&xml, "x");
        if (qform_answers_xml(&f, answers, &xml, &err) == 0) {
            for (size_t i = 0; i < xml.len; i++)
                if ((unsigned char)xml.p[i] >= 0x80)
                    abort();
        } else if (xml.len != 1) {
            abort();
        }
        buf_release(&xml);
        posted = qform_from_post(&f, answers, &err);
        free(posted);
        free(answers);
    }
    qform_release(&f);
    return 0;
}
