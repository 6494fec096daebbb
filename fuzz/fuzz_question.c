/* fuzz_question.c: fuzzes question_parse, the reader of requester-supplied Question
 * XML, and question_answers_xml, the writer of QuestionFormAnswers. An accepted
 * question must have exactly the field its kind promises, a FrameHeight in range, and
 * an https:// ExternalURL of at most 2000 characters; the answers writer must only
 * ever produce ASCII. A violation aborts, which the fuzzer and replay.c report. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "doc/question.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/err.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct question q = {0};
    struct ts_error err = {0};
    struct buf b = BUF_INIT(1 << 20);
    char *s;

    if (question_parse((const char *)data, size, &q, &err) == 0) {
        if (q.frame_height < 0 || q.frame_height > QUESTION_MAX_FRAME_HEIGHT)
            abort();
        if (q.kind == QUESTION_HTML && (!q.html || q.url))
            abort();
        if (q.kind == QUESTION_EXTERNAL &&
            (!q.url || q.html || strncasecmp(q.url, "https://", 8) != 0 ||
             strlen(q.url) > QUESTION_MAX_URL))
            abort();
        if (q.kind == QUESTION_FORM && (!q.form || q.html || q.url))
            abort();
        if (q.kind != QUESTION_HTML && q.kind != QUESTION_EXTERNAL && q.kind != QUESTION_FORM)
            abort();
        question_release(&q);
    } else if (q.html || q.url || q.form || err.msg[0] == '\0') {
        abort(); /* a failure must leave q untouched and say why */
    }

    s = xmalloc(st_add(size, 1));
    memcpy(s, data, size);
    s[size] = '\0';
    if (question_answers_xml(s, &b, &err) == 0) {
        for (size_t i = 0; i < b.len; i++)
            if ((unsigned char)b.p[i] >= 0x80)
                abort();
    } else if (b.len != 0) {
        abort();
    }
    buf_release(&b);
    free(s);
    return 0;
}
