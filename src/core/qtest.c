/* qtest.c: qualification tests: a type's Test and AnswerKey checked together, and a
 * worker's answers checked against the test and scored with the key. The QuestionForm
 * is read by qform.c and the AnswerKey by answerkey.c; this room ties them. */
#include "qtest.h"

#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "../doc/answerkey.h"
#include "../doc/qform.h"
#include "../util/banned.h"

int qtest_parse(const char *test, struct qform *f, struct ts_error *err)
{
    int rc = qform_parse(test, strlen(test), f, err);
    if (rc) {
        char msg[sizeof err->msg];
        memcpy(msg, err->msg, sizeof msg);
        ts_fail(err, rc, "Test: %s", msg);
    }
    return rc;
}

/* Every key question a selection question of f, every key selection one of its own. */
static int qtest_key_fits(const struct qform *f, const struct answerkey *k,
                          struct ts_error *err)
{
    for (size_t i = 0; i < k->n_q; i++) {
        const struct answerkey_question *kq = &k->q[i];
        const struct qform_question *q = qform_find(f, kq->id);
        if (!q)
            return ts_fail(err, TS_EINVAL, "AnswerKey: question %.60s is not in the Test",
                           kq->id);
        if (q->kind != QFORM_SELECTION)
            return ts_fail(err, TS_EINVAL,
                           "AnswerKey: question %.60s is not a SelectionAnswer question, and "
                           "only selections can be scored",
                           kq->id);
        for (size_t j = 0; j < kq->n_opt; j++) {
            for (size_t s = 0; s < kq->opt[j].n_sel; s++) {
                size_t m = 0;
                while (m < q->n_selections &&
                       strcmp(q->selections[m].id, kq->opt[j].sel[s]) != 0)
                    m++;
                if (m == q->n_selections)
                    return ts_fail(err, TS_EINVAL,
                                   "AnswerKey: question %.60s has no selection %.60s in the "
                                   "Test",
                                   kq->id, kq->opt[j].sel[s]);
            }
        }
    }
    return 0;
}

int qtest_check(const char *test, const char *answer_key, struct ts_error *err)
{
    struct qform f;
    struct answerkey k;
    int rc = qtest_parse(test, &f, err);
    if (rc)
        return rc;
    if (answer_key) {
        rc = answerkey_parse(answer_key, strlen(answer_key), &k, err);
        if (!rc) {
            rc = qtest_key_fits(&f, &k, err);
            answerkey_release(&k);
        }
    }
    qform_release(&f);
    return rc;
}

int qtest_render(const char *test, const char *submit_url, struct buf *out,
                 struct ts_error *err)
{
    struct qform f;
    int rc = qtest_parse(test, &f, err);
    if (rc)
        return rc;
    rc = qform_render_html(&f, submit_url, "", out, err);
    qform_release(&f);
    return rc;
}

int qtest_grade(const struct qform *test, const char *answer_key, json_t *answers,
                struct qtest_result *res, struct ts_error *err)
{
    struct answerkey k;
    struct buf xml = BUF_INIT(4 * 1024 * 1024);
    int rc = qform_check_answers_obj(test, answers, err);

    memset(res, 0, sizeof *res);
    if (!rc)
        rc = qform_answers_xml_obj(test, answers, &xml, err);
    if (!rc && answer_key) {
        rc = answerkey_parse(answer_key, strlen(answer_key), &k, err);
        if (!rc) {
            res->scored = 1;
            res->has_value = answerkey_score(&k, answers, &res->sum, &res->value);
            answerkey_release(&k);
        }
    }
    if (!rc)
        res->answer_xml = buf_detach(&xml, NULL);
    buf_release(&xml);
    return rc;
}
