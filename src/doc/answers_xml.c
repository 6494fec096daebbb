/* answers_xml.c: the QuestionFormAnswers document MTurk clients read. Its frame and its
 * text are written here, pure ASCII, for question.c and qform.c alike; each of those
 * decides what <Answer> elements one answer becomes. */
#include "answers_xml.h"

#include <string.h>

#include <jansson.h>

#include "../util/banned.h"

/* Decodes one UTF-8 character at s[0..n) into *cp; returns its length, or 0 when the
 * bytes are not valid UTF-8 (overlong, surrogate, beyond U+10FFFF, truncated). */
static size_t answers_xml_utf8(const unsigned char *s, size_t n, unsigned long *cp)
{
    unsigned long c = s[0], min;
    size_t len;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if ((c & 0xe0) == 0xc0) {
        len = 2;
        c &= 0x1f;
        min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        len = 3;
        c &= 0x0f;
        min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
        len = 4;
        c &= 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

/* Appends s[0..n) as ASCII XML text. -1 when s is not valid UTF-8. */
int answers_xml_put_ascii(struct buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < n) {
        unsigned long c;
        size_t len = answers_xml_utf8(p + i, n - i, &c);
        if (len == 0)
            return -1;
        i += len;
        if (c == '&')
            buf_puts(b, "&amp;");
        else if (c == '<')
            buf_puts(b, "&lt;");
        else if (c == '>')
            buf_puts(b, "&gt;");
        else if (c == '"')
            buf_puts(b, "&quot;");
        else if (c == '\'')
            buf_puts(b, "&apos;");
        else if (c == '\t' || c == '\n' || (c >= 0x20 && c < 0x7f))
            buf_putc(b, (char)c);
        else if (c == '\r' || c == 0x7f || (c >= 0x80 && c != 0xfffe && c != 0xffff))
            buf_printf(b, "&#%lu;", c); /* \r as a reference survives end-of-line handling */
        else
            buf_puts(b, "&#65533;"); /* not an XML 1.0 character, even as a reference */
    }
    return 0;
}

/* An uploaded file's answer {"UploadedFileKey": text, "UploadedFileSizeInBytes": n}
 * (exactly those two members) as MTurk writes a FileUploadAnswer. */
int answers_xml_upload_of(json_t *v, const char **key, size_t *key_len, int64_t *size)
{
    json_t *k = json_object_get(v, "UploadedFileKey");
    json_t *n = json_object_get(v, "UploadedFileSizeInBytes");

    if (!json_is_object(v) || json_object_size(v) != 2 || !json_is_string(k) ||
        !json_is_integer(n))
        return 0;
    *key = json_string_value(k);
    *key_len = json_string_length(k);
    *size = (int64_t)json_integer_value(n);
    return 1;
}

int answers_xml_put_upload(struct buf *b, const char *key, size_t key_len, int64_t size)
{
    buf_printf(b, "<UploadedFileSizeInBytes>%lld</UploadedFileSizeInBytes><UploadedFileKey>",
               (long long)size);
    if (answers_xml_put_ascii(b, key, key_len) != 0)
        return -1;
    buf_puts(b, "</UploadedFileKey>");
    return 0;
}

int answers_xml_doc(json_t *obj, answers_xml_put_fn put, const void *ctx, struct buf *out,
                          struct ts_error *err)
{
    size_t start = out->len;
    const char *key;
    json_t *v;
    int rc = 0;

    buf_puts(out, "<?xml version=\"1.0\" encoding=\"ASCII\"?><QuestionFormAnswers xmlns=\"" ANSWERS_XML_NS "\">");
    json_object_foreach(obj, key, v) {
        if (strcmp(key, "assignmentId") == 0)
            continue;
        rc = put(out, key, v, ctx, err);
        if (rc)
            goto out;
    }
    buf_puts(out, "</QuestionFormAnswers>");
    if (out->err)
        rc = ts_fail(err, TS_ETOOBIG, "answers XML is larger than %zu bytes", out->max);
out:
    if (rc && out->len > start) {
        out->len = start;
        out->p[start] = '\0';
    }
    return rc;
}
