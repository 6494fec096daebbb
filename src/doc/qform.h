/* qform.h: MTurk QuestionForm documents (the 2005-10-01 and 2017-11-06 schemas): parsed
 * into a form Tessera can render to an HTML page, check submitted answers against, and
 * turn answers into QuestionFormAnswers XML. Qualification tests are QuestionForms too.
 *
 * Answers JSON (what a worker submits and what the store keeps) is one object
 * {QuestionIdentifier: value}, where value is, by the question's AnswerSpecification:
 *   FreeTextAnswer    a string (numbers are accepted and read as their JSON text);
 *   SelectionAnswer   a SelectionIdentifier string, or an array of them, where one
 *                     element may instead be {"OtherSelectionText": "..."} (the
 *                     OtherSelection), which may also stand alone as the value;
 *   FileUploadAnswer  {"UploadedFileKey": "...", "UploadedFileSizeInBytes": N}.
 * A member "assignmentId" is ignored. A question left unanswered is simply absent
 * (an empty string or empty array counts as absent too). */
#ifndef TS_QFORM_H
#define TS_QFORM_H
#include <stddef.h>
#include <regex.h>
#include <stdint.h>

#include <jansson.h>

#include "../util/buf.h"
#include "../util/err.h"

#define QFORM_NS_2005 \
    "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionForm.xsd"
#define QFORM_NS_2017 \
    "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2017-11-06/QuestionForm.xsd"

#define QFORM_MAX_BYTES 65535    /* bytes in the document: QUESTION_MAX_BYTES, as any Question */
#define QFORM_MAX_QUESTIONS 200  /* Question elements in one form */
#define QFORM_MAX_SELECTIONS 200 /* Selection elements in one SelectionAnswer */
#define QFORM_MAX_DEPTH 8        /* unused: the schema's own nesting is fixed */
#define QFORM_MAX_HTML_DEPTH 32  /* FormattedContent elements deeper than this are cut */
#define QFORM_MAX_ID 255         /* bytes in a QuestionIdentifier or SelectionIdentifier */
#define QFORM_MAX_ANSWER 65535   /* bytes in one free-text answer */

/* AnswerFormatRegex limits (docs/internals/qform.md): glibc's regcomp copies a pattern's
 * tree for every counted repetition and its regexec builds a state per input byte, so both
 * the pattern and what it is matched against are bounded. Back-references are refused. */
#define QFORM_REGEX_MAX_BYTES 1000  /* bytes in the regex attribute */
#define QFORM_REGEX_MAX_REPEAT 255  /* largest m or n in {m,n} (POSIX's RE_DUP_MAX floor) */
#define QFORM_REGEX_MAX_SIZE 1000   /* elements once repetitions are expanded */
#define QFORM_REGEX_MAX_DEPTH 32    /* nested groups */
#define QFORM_REGEX_MAX_ANSWER 2048 /* bytes of an answer matched against a regex */

enum qform_answer_kind { QFORM_FREETEXT = 1, QFORM_SELECTION = 2, QFORM_FILEUPLOAD = 3 };

/* Selection styles; QFORM_STYLE_NONE when no StyleSuggestion was given. */
enum qform_style {
    QFORM_STYLE_NONE = 0,
    QFORM_STYLE_RADIOBUTTON,
    QFORM_STYLE_CHECKBOX,
    QFORM_STYLE_LIST,
    QFORM_STYLE_DROPDOWN,
    QFORM_STYLE_COMBOBOX,
    QFORM_STYLE_MULTICHOOSER
};

struct _xmlDoc;
struct qform_node; /* a content tree (Title, Text, List, Binary, FormattedContent, ...) */

struct qform_selection {
    char *id;                  /* SelectionIdentifier; owned */
    struct qform_node *label;  /* Text, FormattedContent or Binary; owned, opaque */
};

/* One Question. The fields are read-only for callers. */
struct qform_question {
    char *id;           /* QuestionIdentifier, unique in the form; owned */
    char *display_name; /* DisplayName, or NULL; owned */
    int required;       /* IsRequired (default false) */
    enum qform_answer_kind kind;
    struct qform_node *content; /* QuestionContent; owned, opaque */

    /* QFORM_FREETEXT. min_length is 0 and max_length -1 when absent; min_value and
     * max_value count only when has_min / has_max. */
    int numeric;                  /* Constraints/IsNumeric present */
    int has_min, has_max;
    int64_t min_value, max_value; /* IsNumeric minValue/maxValue (integers) */
    int64_t min_length, max_length; /* Length minLength/maxLength, in characters */
    char *regex;        /* AnswerFormatRegex regex (POSIX ERE), or NULL; owned */
    char *regex_error;  /* its errorText, or NULL; owned */
    int regex_icase;    /* its flags contain "i" */
    regex_t *rx;        /* regex compiled once at parse time, or NULL; owned */
    char *default_text; /* DefaultText, or NULL; owned */
    int64_t lines;      /* NumberOfLinesSuggestion, 0 when absent */

    /* QFORM_SELECTION */
    int64_t min_selections, max_selections; /* defaults 1 and 1 */
    enum qform_style style;
    size_t n_selections;
    struct qform_selection *selections; /* owned */
    int other;                          /* OtherSelection present */
    struct qform_question *other_spec;  /* OtherSelection's FreeText constraints
                                           (kind QFORM_FREETEXT), or NULL; owned */

    /* QFORM_FILEUPLOAD */
    int64_t min_file_size, max_file_size; /* bytes */
};

struct qform {
    int version;                       /* 2005 or 2017: which namespace the form used */
    size_t n_questions;
    struct qform_question *questions;  /* in document order; owned */
    struct qform_node *body;           /* Overview and Question order, for rendering; owned */
};

/* Parses the QuestionForm XML xml[0..n) (need not be NUL-terminated) into *out, which the
 * caller releases with qform_release. Same safety as question_parse: size-capped at
 * QFORM_MAX_BYTES (TS_ETOOBIG), no DOCTYPE, no entities, no network. Everything the
 * schema forbids, and what Tessera cannot show (Application, JavaApplet, Flash, ...), is
 * TS_EINVAL with a message naming the element. Regexes are checked against the
 * QFORM_REGEX_* limits (no back-references) and compiled here, once (POSIX regcomp,
 * REG_EXTENDED), so a bad or costly one is refused at parse time. FormattedContent is
 * sanitised here (kept in the form already reduced to the allowlist), not refused,
 * except when it is not well-formed XHTML.
 * On failure *out is untouched. Thread-safe. */
int qform_parse(const char *xml, size_t n, struct qform *out, struct ts_error *err);

/* The same for a document already read with xmldoc_read (flags 0) and held to
 * QFORM_MAX_BYTES, which stays the caller's: question_parse reads a Question once and
 * hands a QuestionForm on here instead of having it read again. */
int qform_parse_doc(struct _xmlDoc *doc, struct qform *out, struct ts_error *err);

/* Frees what qform_parse put in f and zeroes it. */
void qform_release(struct qform *f);

/* The question with that identifier, or NULL. */
const struct qform_question *qform_find(const struct qform *f, const char *id);

/* Checks the answers JSON object (see the top of this file; borrowed, not changed)
 * against f: every required question answered, no unknown question, values of the right
 * shape, FreeText constraints (IsNumeric range, Length, AnswerFormatRegex matched with
 * POSIX regexec on REG_EXTENDED against answers of at most QFORM_REGEX_MAX_ANSWER bytes),
 * selection counts, known SelectionIdentifiers without repeats, OtherSelection only when
 * offered, file sizes within bounds. TS_EINVAL with a message that names the question on
 * the first failure (answers not an object, or NULL: "answers must be a JSON object of
 * QuestionIdentifier: answer"); 0 when all is well. No side effects. */
int qform_check_answers_obj(const struct qform *f, json_t *answers, struct ts_error *err);

/* The same for the answers as JSON text, read with JSON_REJECT_DUPLICATES (text that is
 * not a JSON object: the message above). A caller holding the parsed object calls
 * qform_check_answers_obj instead of handing text over to be parsed again. */
int qform_check_answers(const struct qform *f, const char *answers_json, struct ts_error *err);

/* Turns the fields of a posted HTML form (as rendered by qform_render_html: a JSON
 * object of field: string or array of strings; borrowed, not changed) into the answers
 * JSON described above: selection fields become SelectionIdentifiers (an array when the
 * question allows more than one), the text field "<QuestionIdentifier>.OtherSelectionText"
 * becomes the {"OtherSelectionText": ...} element, empty fields are dropped. Does not
 * check the answers (call qform_check_answers_obj). Returns a new object the caller
 * releases with json_decref; its values may be posted's own (reference-counted), so
 * neither is to be changed while both are held. NULL with err set (TS_EINVAL, "the posted
 * form must be a JSON object of field: value") when posted is not such an object, or
 * holds a string with a NUL character (which the form's JSON text never could). */
json_t *qform_from_post_obj(const struct qform *f, json_t *posted, struct ts_error *err);

/* The same for the posted fields as JSON text (read without JSON_REJECT_DUPLICATES):
 * returns the answers as compact JSON text (key order kept) the caller frees, or NULL
 * with err set. */
char *qform_from_post(const struct qform *f, const char *posted_json, struct ts_error *err);

/* Appends to out a self-contained HTML page showing the form: every text escaped,
 * FormattedContent reduced to a small allowlist of tags and attributes (no scripts,
 * styles, event handlers or javascript: URLs). The form posts (method POST) to
 * submit_url with a hidden field assignmentId = assignment_id; the field names are the
 * QuestionIdentifiers and selections carry their SelectionIdentifiers as values. Both
 * strings are borrowed. TS_ETOOBIG when out reaches its max (out may then hold part). */
int qform_render_html(const struct qform *f, const char *submit_url, const char *assignment_id,
                      struct buf *out, struct ts_error *err);

/* Appends the QuestionFormAnswers document for the answers JSON object (borrowed;
 * checked or not) given the form f: SelectionIdentifier per selected choice,
 * OtherSelectionText, UploadedFileKey + UploadedFileSizeInBytes, FreeText otherwise;
 * answers to unknown questions are written as FreeText. Same escaping, errors and
 * guarantees as question_answers_xml_obj; answers not an object (or NULL): TS_EINVAL
 * "answers must be a JSON object of QuestionIdentifier: answer". */
int qform_answers_xml_obj(const struct qform *f, json_t *answers, struct buf *out,
                          struct ts_error *err);

/* The same for the answers as JSON text (an answer the store keeps), read with
 * JSON_REJECT_DUPLICATES; text that is not a JSON object gets the message above. */
int qform_answers_xml(const struct qform *f, const char *answers_json, struct buf *out,
                      struct ts_error *err);

#endif
