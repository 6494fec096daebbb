/* qform_answers.c: a form's answers as the QuestionFormAnswers document MTurk clients
 * read. answers_xml.c writes the document and its text; this file decides, by each
 * question's kind, what elements an answer becomes (SelectionIdentifier per choice,
 * OtherSelectionText, an uploaded file's elements, FreeText otherwise). */
#include "qform_internal.h"

#include <string.h>

#include <jansson.h>

#include "answers_xml.h"
#include "../util/buf.h"
#include "../util/banned.h"

static int qform_put_elem(struct buf *b, const char *tag, const char *s, size_t n)
{
    buf_printf(b, "<%s>", tag);
    if (answers_xml_put_ascii(b, s, n) != 0)
        return -1;
    buf_printf(b, "</%s>", tag);
    return 0;
}

static int qform_put_answer(struct buf *b, const struct qform_question *q, const char *key,
                            json_t *v, struct ts_error *err)
{
    char num[64];
    const char *s;
    size_t n;
    int bad = 0;

    if (q && q->kind == QFORM_SELECTION && qform__empty(v))
        return 0;
    buf_puts(b, "<Answer>");
    if (qform_put_elem(b, "QuestionIdentifier", key, strlen(key)))
        return ts_fail(err, TS_EINVAL, "answer name is not valid UTF-8");
    if (q && q->kind == QFORM_SELECTION && (json_is_array(v) || json_is_string(v) ||
                                            qform__other_text(v))) {
        size_t cnt = json_is_array(v) ? json_array_size(v) : 1;
        json_t *other = NULL;
        for (size_t i = 0; i < cnt && !bad; i++) {
            json_t *e = json_is_array(v) ? json_array_get(v, i) : v;
            if (qform__other_text(e))
                other = qform__other_text(e);
            else if (json_is_string(e))
                bad = qform_put_elem(b, "SelectionIdentifier", json_string_value(e),
                                     json_string_length(e));
            else
                bad = 1;
        }
        if (!bad && other)
            bad = qform_put_elem(b, "OtherSelectionText", json_string_value(other),
                                 json_string_length(other));
    } else if (q && q->kind == QFORM_FILEUPLOAD && json_is_object(v)) {
        const char *file;
        size_t file_len;
        int64_t size;
        bad = !answers_xml_upload_of(v, &file, &file_len, &size) ||
              answers_xml_put_upload(b, file, file_len, size) != 0;
    } else if (json_is_null(v)) {
        buf_puts(b, "<FreeText></FreeText>");
    } else if (json_is_boolean(v)) {
        buf_puts(b, json_is_true(v) ? "<FreeText>true</FreeText>" : "<FreeText>false</FreeText>");
    } else {
        s = qform__value_text(v, num, sizeof num, &n);
        bad = !s || qform_put_elem(b, "FreeText", s, n);
    }
    if (bad)
        return ts_fail(err, TS_EINVAL, "answer \"%.40s\" has a value that does not fit its "
                       "question, or is not valid UTF-8", key);
    buf_puts(b, "</Answer>");
    return 0;
}

static int qform_put_member(struct buf *b, const char *key, json_t *v, const void *ctx,
                            struct ts_error *err)
{
    return qform_put_answer(b, qform_find(ctx, key), key, v, err);
}

int qform_answers_xml_obj(const struct qform *f, json_t *answers, struct buf *out,
                          struct ts_error *err)
{
    if (!json_is_object(answers))
        return ts_fail(err, TS_EINVAL, "answers must be a JSON object of QuestionIdentifier: "
                       "answer");
    return answers_xml_doc(answers, qform_put_member, f, out, err);
}

int qform_answers_xml(const struct qform *f, const char *answers_json, struct buf *out,
                      struct ts_error *err)
{
    json_error_t jerr;
    json_t *obj = json_loads(answers_json, JSON_REJECT_DUPLICATES, &jerr);
    int rc = qform_answers_xml_obj(f, obj, out, err);

    json_decref(obj);
    return rc;
}
