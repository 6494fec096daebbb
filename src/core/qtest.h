/* qtest.h: qualification tests. A qualification type may carry a Test (a QuestionForm,
 * qform.h) with a duration, and an AnswerKey (answerkey.h) that scores it. A worker gets
 * the test, which starts its clock, and hands in answers: with an AnswerKey they are
 * scored at once and the mapped value granted; without one the request waits for the
 * requester, who sees the test and the answers (QuestionFormAnswers XML). */
#ifndef TS_QTEST_H
#define TS_QTEST_H
#include <stdint.h>

#include <jansson.h>

#include "../util/buf.h"
#include "../util/err.h"

#define QTEST_MAX_BYTES 65535            /* Test and AnswerKey, as MTurk's limit */
#define QTEST_MAX_DURATION_S 31536000    /* TestDurationInSeconds, RetryDelayInSeconds */

struct qform;

/* Reads a type's test (a QuestionForm) into *f, which the caller releases with
 * qform_release. Errors as qform_parse, the message starting "Test: ". */
int qtest_parse(const char *test, struct qform *f, struct ts_error *err);

/* Checks a type's test: test (required) must be a QuestionForm qform_parse accepts;
 * answer_key (or NULL) must parse, and every question it scores must be a
 * SelectionAnswer question of the test whose selections include every
 * SelectionIdentifier the key names. TS_EINVAL (or TS_ETOOBIG) with a message naming
 * "Test" or "AnswerKey". No side effects. */
int qtest_check(const char *test, const char *answer_key, struct ts_error *err);

/* Appends the HTML page of the test (qform_render_html) to out; the page's form posts
 * to submit_url. Errors as qform_render_html. */
int qtest_render(const char *test, const char *submit_url, struct buf *out,
                 struct ts_error *err);

struct qtest_result {
    char *answer_xml; /* QuestionFormAnswers XML of the answers; caller frees */
    int scored;       /* an AnswerKey scored the answers */
    int has_value;    /* scored, and the key maps the score to a value */
    int64_t sum;      /* the summed score (scored) */
    int64_t value;    /* the qualification value (has_value) */
};

/* Checks answers (qform.h's answers JSON object, borrowed, not changed) against the
 * parsed test and, with answer_key (or NULL), scores them: the answers are read once,
 * by the caller. TS_EINVAL naming the question when the answers do not fit the form;
 * on success *res is filled (free res->answer_xml). */
int qtest_grade(const struct qform *test, const char *answer_key, json_t *answers,
                struct qtest_result *res, struct ts_error *err);

#endif
