/* question.h: MTurk Question XML (HTMLQuestion, ExternalQuestion) in, and the
 * QuestionFormAnswers XML that MTurk clients read out. See MTURK.md section 6. */
#ifndef TS_QUESTION_H
#define TS_QUESTION_H
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../util/buf.h"
#include "../util/err.h"

#define QUESTION_NS_HTML \
    "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2011-11-11/HTMLQuestion.xsd"
#define QUESTION_NS_EXTERNAL                                                            \
    "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/"      \
    "ExternalQuestion.xsd"

enum question_kind { QUESTION_HTML = 1, QUESTION_EXTERNAL = 2, QUESTION_FORM = 3 };

struct qform;

struct question {
    enum question_kind kind;
    char *html;           /* HTMLContent text (QUESTION_HTML), else NULL; owned */
    char *url;            /* ExternalURL (QUESTION_EXTERNAL), else NULL; owned */
    struct qform *form;   /* the parsed QuestionForm (QUESTION_FORM), else NULL; owned */
    int64_t frame_height; /* pixels, 0..QUESTION_MAX_FRAME_HEIGHT; 0 = size to the window
                             (always 0 for a QuestionForm, which sizes itself) */
};

#define QUESTION_MAX_BYTES 65535
#define QUESTION_MAX_URL 2000
#define QUESTION_MAX_FRAME_HEIGHT 100000

/* Parses the Question XML xml[0..n) (HTMLQuestion, ExternalQuestion or QuestionForm, the
 * last through qform_parse) (need not be NUL-terminated) into *out, which the
 * caller releases with question_release. No DTD is ever read: a document with a
 * DOCTYPE is refused before its internal subset is parsed, so no entity is declared
 * or expanded, and nothing is fetched from the network. Errors: TS_ETOOBIG when n
 * exceeds QUESTION_MAX_BYTES; TS_EINVAL with a message a requester can act on for
 * anything else. On failure *out is untouched. Safe to call from several threads. */
int question_parse(const char *xml, size_t n, struct question *out, struct ts_error *err);

/* Frees what question_parse put in q and clears it. */
void question_release(struct question *q);

/* Appends to out the QuestionFormAnswers document for a submitted form:
 * answers is a JSON object {"field": "value", ...} (borrowed); each member becomes one
 * <Answer><QuestionIdentifier>field</QuestionIdentifier><FreeText>value</FreeText>
 * </Answer>, in the object's key order. A member whose value is an array becomes one
 * Answer per element (a repeated form field). Numbers and booleans are written as
 * JSON text, null as empty text; the field "assignmentId" is left out, as MTurk does.
 * An object with exactly the members UploadedFileKey (text) and UploadedFileSizeInBytes
 * (an integer >= 0), an uploaded file, becomes <UploadedFileSizeInBytes> and
 * <UploadedFileKey> instead of <FreeText>.
 * The document is pure ASCII: markup characters are escaped and every non-ASCII
 * character is a numeric character reference; characters XML cannot carry (most C0
 * controls) become U+FFFD. Errors: TS_EINVAL when answers is not an object (or NULL:
 * "answers must be a JSON object of field: value") or holds other values, TS_ETOOBIG
 * when out reaches its max. On failure out keeps its length (its sticky error may be
 * set). */
int question_answers_xml_obj(json_t *answers, struct buf *out, struct ts_error *err);

/* The same for the answers as JSON text (an answer the store keeps), read with
 * JSON_REJECT_DUPLICATES: text that is not JSON is TS_EINVAL "answers are not valid
 * JSON: line N: ...". */
int question_answers_xml(const char *answers_json, struct buf *out, struct ts_error *err);

#endif
