/* qform_check.c: a worker's answers checked against the form: every required question
 * answered, no unknown one, each value of its question's shape and within its
 * constraints (numbers compared without floating point, text counted in characters,
 * AnswerFormatRegex matched on a bounded answer). It also reads what an answer's value
 * says, for qform_post.c and qform_answers.c. */
#include "qform_internal.h"

#include <regex.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "answers_xml.h"
#include "../util/text.h"
#include "../util/banned.h"

#define QFORM_NUM_SAT (INT64_MAX / 2 + 1) /* an integer part this big is out of any range */

/* Compares the decimal number s (already checked by qform_numeric) with integer bounds
 * without floating point: floor(v) >= min and ceil(v) <= max. */
static int qform_numeric(const char *s, int *neg, int64_t *ip, int *frac)
{
    const char *p = s;
    int digits = 0;

    *neg = 0;
    *ip = 0;
    *frac = 0;
    if (*p == '-' || *p == '+')
        *neg = *p++ == '-';
    for (; *p >= '0' && *p <= '9'; p++, digits++)
        if (*ip <= (QFORM_NUM_SAT - (*p - '0')) / 10)
            *ip = *ip * 10 + (*p - '0');
        else
            *ip = QFORM_NUM_SAT; /* above any bound a form can set (INT64_MAX / 2) */
    if (*p == '.') {
        p++;
        for (; *p >= '0' && *p <= '9'; p++, digits++)
            if (*p != '0')
                *frac = 1;
    }
    return digits > 0 && *p == '\0';
}

static int qform_check_text(const struct qform_question *q, const char *what, const char *s,
                            size_t n, struct ts_error *err)
{
    long chars = text_utf8_chars(s, n);

    if (chars < 0 || memchr(s, '\0', n))
        return ts_fail(err, TS_EINVAL, "%s \"%.60s\": the answer is not valid text", what, q->id);
    if (n > QFORM_MAX_ANSWER)
        return ts_fail(err, TS_EINVAL, "%s \"%.60s\": the answer is longer than %d bytes", what,
                       q->id, QFORM_MAX_ANSWER);
    if (chars < q->min_length)
        return ts_fail(err, TS_EINVAL, "%s \"%.60s\": the answer needs at least %lld characters",
                       what, q->id, (long long)q->min_length);
    if (q->max_length >= 0 && chars > q->max_length)
        return ts_fail(err, TS_EINVAL, "%s \"%.60s\": the answer may have at most %lld characters",
                       what, q->id, (long long)q->max_length);
    if (q->numeric) {
        int neg, frac;
        int64_t ip, lo, hi;
        if (!qform_numeric(s, &neg, &ip, &frac))
            return ts_fail(err, TS_EINVAL, "%s \"%.60s\": the answer must be a number, not "
                           "\"%.40s\"", what, q->id, s);
        lo = neg ? -(ip + frac) : ip; /* floor */
        hi = neg ? -ip : ip + frac;   /* ceiling */
        if (q->has_min && lo < q->min_value)
            return ts_fail(err, TS_EINVAL, "%s \"%.60s\": the answer must be at least %lld", what,
                           q->id, (long long)q->min_value);
        if (q->has_max && hi > q->max_value)
            return ts_fail(err, TS_EINVAL, "%s \"%.60s\": the answer must be at most %lld", what,
                           q->id, (long long)q->max_value);
    }
    if (q->rx) {
        if (n > QFORM_REGEX_MAX_ANSWER)
            return ts_fail(err, TS_EINVAL, "%s \"%.60s\": an answer checked by AnswerFormatRegex "
                           "may have at most %d bytes", what, q->id, QFORM_REGEX_MAX_ANSWER);
        if (regexec(q->rx, s, 0, NULL, 0) != 0)
            return ts_fail(err, TS_EINVAL, "%s \"%.60s\": %.120s", what, q->id,
                           q->regex_error && *q->regex_error
                               ? q->regex_error
                               : "the answer does not have the required format");
    }
    return 0;
}

/* The text of a free-text value: a string, or a number as its JSON text. */
const char *qform__value_text(json_t *v, char *num, size_t cap, size_t *n)
{
    if (json_is_string(v)) {
        *n = json_string_length(v);
        return json_string_value(v);
    }
    if (json_is_integer(v)) {
        *n = (size_t)snprintf(num, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return num;
    }
    if (json_is_real(v)) {
        *n = (size_t)snprintf(num, cap, "%.17g", json_real_value(v));
        return num;
    }
    return NULL;
}

/* Whether v counts as no answer at all. */
int qform__empty(json_t *v)
{
    return json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0) ||
           (json_is_array(v) && json_array_size(v) == 0);
}

json_t *qform__other_text(json_t *v)
{
    json_t *t;
    if (!json_is_object(v) || json_object_size(v) != 1)
        return NULL;
    t = json_object_get(v, "OtherSelectionText");
    return json_is_string(t) ? t : NULL;
}

static int qform_check_selection(const struct qform_question *q, json_t *v, struct ts_error *err)
{
    size_t n = json_is_array(v) ? json_array_size(v) : 1;
    int64_t count = 0;
    int others = 0;

    for (size_t i = 0; i < n; i++) {
        json_t *e = json_is_array(v) ? json_array_get(v, i) : v;
        json_t *ot = qform__other_text(e);
        if (ot) {
            int rc;
            if (!q->other)
                return ts_fail(err, TS_EINVAL,
                               "question \"%.60s\" offers no OtherSelection", q->id);
            if (others++)
                return ts_fail(err, TS_EINVAL,
                               "question \"%.60s\" has more than one OtherSelectionText", q->id);
            if (json_string_length(ot) == 0)
                return ts_fail(err, TS_EINVAL,
                               "question \"%.60s\": OtherSelectionText is empty", q->id);
            rc = qform_check_text(q->other_spec, "question", json_string_value(ot),
                                  json_string_length(ot), err);
            if (rc)
                return rc;
            count++;
            continue;
        }
        if (!json_is_string(e))
            return ts_fail(err, TS_EINVAL,
                           "question \"%.60s\" takes SelectionIdentifiers (strings) or "
                           "{\"OtherSelectionText\": \"...\"}", q->id);
        size_t k = 0;
        while (k < q->n_selections && strcmp(q->selections[k].id, json_string_value(e)) != 0)
            k++;
        if (k == q->n_selections)
            return ts_fail(err, TS_EINVAL, "question \"%.60s\" has no selection \"%.60s\"", q->id,
                           json_string_value(e));
        for (size_t j = 0; j < i; j++) {
            json_t *p = json_array_get(v, j);
            if (json_is_string(p) && strcmp(json_string_value(p), json_string_value(e)) == 0)
                return ts_fail(err, TS_EINVAL, "question \"%.60s\": \"%.60s\" is selected twice",
                               q->id, json_string_value(e));
        }
        count++;
    }
    if (count < q->min_selections)
        return ts_fail(err, TS_EINVAL, "question \"%.60s\" needs at least %lld selection%s",
                       q->id, (long long)q->min_selections, q->min_selections == 1 ? "" : "s");
    if (count > q->max_selections)
        return ts_fail(err, TS_EINVAL, "question \"%.60s\" allows at most %lld selection%s",
                       q->id, (long long)q->max_selections, q->max_selections == 1 ? "" : "s");
    return 0;
}

static int qform_check_file(const struct qform_question *q, json_t *v, struct ts_error *err)
{
    const char *key;
    size_t key_len;
    int64_t sz;

    if (!answers_xml_upload_of(v, &key, &key_len, &sz) || key_len == 0 || key_len > 1024)
        return ts_fail(err, TS_EINVAL,
                       "question \"%.60s\" takes {\"UploadedFileKey\": \"...\", "
                       "\"UploadedFileSizeInBytes\": N}", q->id);
    if (sz < q->min_file_size || sz > q->max_file_size)
        return ts_fail(err, TS_EINVAL,
                       "question \"%.60s\": the file must have %lld to %lld bytes, not %lld",
                       q->id, (long long)q->min_file_size, (long long)q->max_file_size,
                       (long long)sz);
    return 0;
}

static int qform_check_one(const struct qform_question *q, json_t *v, struct ts_error *err)
{
    char num[64];
    const char *s;
    size_t n;

    switch (q->kind) {
    case QFORM_FREETEXT:
        s = qform__value_text(v, num, sizeof num, &n);
        if (!s)
            return ts_fail(err, TS_EINVAL, "question \"%.60s\" takes text", q->id);
        return qform_check_text(q, "question", s, n, err);
    case QFORM_SELECTION:
        return qform_check_selection(q, v, err);
    case QFORM_FILEUPLOAD:
        return qform_check_file(q, v, err);
    }
    TS_BUG("question kind %d", (int)q->kind);
}

int qform_check_answers_obj(const struct qform *f, json_t *o, struct ts_error *err)
{
    const char *k;
    json_t *v;
    int rc = 0;

    if (!json_is_object(o))
        return ts_fail(err, TS_EINVAL, "answers must be a JSON object of QuestionIdentifier: "
                       "answer");
    json_object_foreach(o, k, v)
    {
        if (strcmp(k, "assignmentId") == 0)
            continue;
        if (!qform_find(f, k))
            return ts_fail(err, TS_EINVAL, "the form has no question \"%.60s\"", k);
    }
    for (size_t i = 0; i < f->n_questions && !rc; i++) {
        const struct qform_question *q = &f->questions[i];
        v = json_object_get(o, q->id);
        if (!v || qform__empty(v)) {
            if (q->required)
                rc = ts_fail(err, TS_EINVAL, "question \"%.60s\" is required", q->id);
            continue;
        }
        rc = qform_check_one(q, v, err);
    }
    return rc;
}

int qform_check_answers(const struct qform *f, const char *answers_json, struct ts_error *err)
{
    json_error_t jerr;
    json_t *o = json_loads(answers_json, JSON_REJECT_DUPLICATES, &jerr);
    int rc = qform_check_answers_obj(f, o, err);

    json_decref(o);
    return rc;
}
