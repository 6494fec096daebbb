/* answers_xml.h: the QuestionFormAnswers XML that MTurk clients read, written for the
 * answers of any kind of Question. The document's frame, the pure-ASCII text escaping and
 * an uploaded file's elements live here, so that question.c (plain forms) and qform.c
 * (QuestionForms) each write their own <Answer> elements through the same writer. */
#ifndef TS_ANSWERS_XML_H
#define TS_ANSWERS_XML_H
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../util/buf.h"
#include "../util/err.h"

#define ANSWERS_XML_NS                                                                  \
    "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/"      \
    "QuestionFormAnswers.xsd"

/* Writes one member (key, v) of a submitted form's answers as <Answer> elements. */
typedef int (*answers_xml_put_fn)(struct buf *b, const char *key, json_t *v, const void *ctx,
                                  struct ts_error *err);

/* Appends the QuestionFormAnswers document for the JSON object obj (borrowed): put(ctx)
 * writes each member but "assignmentId" (which MTurk leaves out), in key order.
 * TS_ETOOBIG when out reaches its max, or put's error; on failure out keeps its
 * length (its sticky error may be set). */
int answers_xml_doc(json_t *obj, answers_xml_put_fn put, const void *ctx, struct buf *out,
                    struct ts_error *err);

/* Appends s[0..n) as pure-ASCII XML text: markup characters escaped, every non-ASCII
 * character a numeric character reference, characters XML cannot carry (most C0
 * controls) U+FFFD. -1 when s is not valid UTF-8. */
int answers_xml_put_ascii(struct buf *b, const char *s, size_t n);

/* An uploaded file's answer: an object of exactly {"UploadedFileKey": text,
 * "UploadedFileSizeInBytes": integer}. 1 with *key (borrowed), *key_len and *size, else 0. */
int answers_xml_upload_of(json_t *v, const char **key, size_t *key_len, int64_t *size);

/* Appends a file's answer elements as MTurk writes them: UploadedFileSizeInBytes, then
 * UploadedFileKey. -1 when key is not valid UTF-8. */
int answers_xml_put_upload(struct buf *b, const char *key, size_t key_len, int64_t size);

#endif
