/* test_review.c: the review policies' reading of parameters (what is refused and why),
 * the known-answer score, and the plurality with its agreement scores, including the
 * worked example of MTurk's SimplePlurality documentation. */
#include "core/review.h"

#include <stdlib.h>
#include <string.h>

#include "../../check.h"
#include "util/alloc.h"
#include "util/banned.h"

static json_t *js(const char *text)
{
    json_t *v = json_loads(text, 0, NULL);
    if (!v)
        TS_BUG("bad test JSON: %s", text);
    return v;
}

/* Reads a policy given as JSON text at level; fills p on success. */
static int load(const char *policy, int level, struct review_params *p, struct ts_error *err)
{
    struct review_policy pol;
    json_t *v = js(policy);
    int rc = review_policy_read(v, level, &pol, err);
    json_decref(v);
    if (!rc) {
        rc = review_params_load(&pol, p, err);
        store_review_policy_release(&pol);
    }
    return rc;
}

#define KNOWN "{\"PolicyName\":\"ScoreMyKnownAnswers/2011-09-01\",\"Parameters\":["
#define PLUR "{\"PolicyName\":\"SimplePlurality/2011-09-01\",\"Parameters\":["

static void test_read_known(void)
{
    struct review_params p;
    struct ts_error err = {0};

    CHECK_EQ_INT(load(KNOWN "{\"Key\":\"AnswerKey\",\"MapEntries\":["
                            "{\"Key\":\"q1\",\"Values\":[\"a\"]},{\"Key\":\"q2\",\"Values\":[]}]},"
                            "{\"Key\":\"ApproveIfKnownAnswerScoreIsAtLeast\",\"Values\":[\"90\"]},"
                            "{\"Key\":\"RejectIfKnownAnswerScoreIsLessThan\",\"Values\":[\"10\"]},"
                            "{\"Key\":\"RejectReason\",\"Values\":[\"wrong\"]}]}",
                      REVIEW_ASSIGNMENT, &p, &err),
                 0);
    CHECK_EQ_INT(p.nkeys, 2);
    CHECK_EQ_STR(p.keys[0].question, "q1");
    CHECK_EQ_STR(p.keys[0].answer, "a");
    CHECK(p.keys[1].answer == NULL);
    CHECK_EQ_INT(p.approve_at_least, 90);
    CHECK_EQ_INT(p.reject_below, 10);
    CHECK_EQ_INT(p.extend_below, -1);
    CHECK_EQ_INT(p.extend_max, 5); /* MTurk's default */
    CHECK_EQ_INT(p.extend_min_s, 0);
    CHECK_EQ_STR(p.reject_reason, "wrong");
    review_params_release(&p);
}

static void test_read_refusals(void)
{
    static const struct {
        const char *policy;
        int level;
        const char *words;
    } cases[] = {
        {"{\"PolicyName\":\"Nope/1\"}", REVIEW_ASSIGNMENT, "unknown policy"},
        {"{\"PolicyName\":\"SimplePlurality/2011-09-01\"}", REVIEW_ASSIGNMENT,
         "give it as HITReviewPolicy"},
        {"{\"Parameters\":[]}", REVIEW_HIT, "PolicyName"},
        {"{\"PolicyName\":\"SimplePlurality/2011-09-01\",\"Extra\":1}", REVIEW_HIT,
         "unknown member"},
        {KNOWN "]}", REVIEW_ASSIGNMENT, "AnswerKey"},
        {KNOWN "{\"Key\":\"AnswerKey\",\"MapEntries\":[{\"Key\":\"q\",\"Values\":[\"a\"]}]},"
               "{\"Key\":\"ExtendIfKnownAnswerScoreIsLessThan\",\"Values\":[\"-1\"]}]}",
         REVIEW_ASSIGNMENT, "from 0 to 101"},
        {KNOWN "{\"Key\":\"AnswerKey\",\"MapEntries\":[{\"Key\":\"q\",\"Values\":[\"a\"]}]},"
               "{\"Key\":\"ApproveReason\",\"Values\":[\"\"]}]}",
         REVIEW_ASSIGNMENT, "1 to 1024"},
        {KNOWN "{\"Key\":\"AnswerKey\",\"MapEntries\":[{\"Key\":\"\",\"Values\":[\"a\"]}]}]}",
         REVIEW_ASSIGNMENT, "1 to 255"},
        {KNOWN "{\"Key\":\"AnswerKey\",\"MapEntries\":[{\"Key\":\"q\",\"Values\":[\"a\"]}],"
               "\"Values\":[\"x\"]}]}",
         REVIEW_ASSIGNMENT, "not Values"},
        {KNOWN "{\"Key\":\"AnswerKey\",\"MapEntries\":[{\"Key\":\"q\",\"Values\":[\"a\"]}],"
               "\"Other\":1}]}",
         REVIEW_ASSIGNMENT, "unknown member"},
        {KNOWN "\"AnswerKey\"]}", REVIEW_ASSIGNMENT, "needs a Key"},
        {PLUR "{\"Key\":\"QuestionIds\",\"Values\":[\"a\",\"a\"]},"
              "{\"Key\":\"QuestionAgreementThreshold\",\"Values\":[\"5\"]}]}",
         REVIEW_HIT, "twice"},
        {PLUR "{\"Key\":\"QuestionIds\",\"Values\":[\"a\"]},"
              "{\"Key\":\"QuestionAgreementThreshold\",\"Values\":[\"5\"]},"
              "{\"Key\":\"ExtendIfHITAgreementScoreIsLessThan\",\"Values\":[\"0\"]}]}",
         REVIEW_HIT, "from 1 to 100"},
        {PLUR "{\"Key\":\"QuestionIds\",\"Values\":[\"a\"]},"
              "{\"Key\":\"QuestionAgreementThreshold\",\"Values\":[\"5\"]},"
              "{\"Key\":\"ExtendMinimumTimeInSeconds\",\"Values\":[\"59\"]}]}",
         REVIEW_HIT, "from 60 to 31536000"},
        {PLUR "{\"Key\":\"QuestionIds\",\"Values\":[\"a\"]},"
              "{\"Key\":\"QuestionAgreementThreshold\",\"Values\":[\"5\"]},"
              "{\"Key\":\"AnswerKey\",\"MapEntries\":[]}]}",
         REVIEW_HIT, "no parameter \"AnswerKey\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct review_params p;
        struct ts_error err = {0};
        int rc = load(cases[i].policy, cases[i].level, &p, &err);
        CHECK_EQ_INT(rc, TS_EINVAL);
        CHECK_EQ_STR(err.kind, "ParameterValidationError");
        if (!strstr(err.msg, cases[i].words)) {
            fprintf(stderr, "case %zu: \"%s\" does not say \"%s\"\n", i, err.msg,
                    cases[i].words);
            CHECK(0);
        }
        if (!rc)
            review_params_release(&p);
    }
}

static void test_known_score(void)
{
    struct review_params p;
    struct ts_error err = {0};
    static const struct {
        const char *answers;
        int score, c0, c1, c2;
    } cases[] = {
        {"{\"q1\":\"cat\",\"q2\":\"blue\",\"q3\":\"\"}", 100, 1, 1, 1},
        {"{\"q1\":\"  cat \",\"q2\":\"\\tblue\\n\"}", 100, 1, 1, 1}, /* trimmed; q3 absent */
        {"{\"q1\":\"Cat\",\"q2\":\"blue\"}", 66, 0, 1, 1},            /* case counts */
        {"{\"q1\":\"cat\",\"q2\":\"blue\",\"q3\":\"x\"}", 66, 1, 1, 0}, /* must be blank */
        {"{\"q2\":\"\"}", 33, 0, 0, 1},
        {"{}", 33, 0, 0, 1},
    };
    CHECK_EQ_INT(load(KNOWN "{\"Key\":\"AnswerKey\",\"MapEntries\":["
                            "{\"Key\":\"q1\",\"Values\":[\" cat \"]},"
                            "{\"Key\":\"q2\",\"Values\":[\"blue\"]},"
                            "{\"Key\":\"q3\",\"Values\":[]}]}]}",
                      REVIEW_ASSIGNMENT, &p, &err),
                 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int correct[3] = {-1, -1, -1};
        json_t *a = js(cases[i].answers);
        CHECK_EQ_INT(review_known_score(&p, a, correct), cases[i].score);
        CHECK_EQ_INT(correct[0], cases[i].c0);
        CHECK_EQ_INT(correct[1], cases[i].c1);
        CHECK_EQ_INT(correct[2], cases[i].c2);
        json_decref(a);
    }
    review_params_release(&p);
}

/* MTurk's worked example: questions A-D, three workers; A and B agreed at 66%, C at 100%,
 * D has no agreed answer; HIT agreement 75%; worker agreement 100%, 66%, 66%. */
static void test_plurality_example(void)
{
    struct review_params p;
    struct review_question q[4];
    struct ts_error err = {0};
    json_t *answers[3];
    int right, wrong;

    CHECK_EQ_INT(load(PLUR "{\"Key\":\"QuestionIds\",\"Values\":[\"A, B\",\"C\",\"D\"]},"
                           "{\"Key\":\"QuestionAgreementThreshold\",\"Values\":[\"50\"]}]}",
                      REVIEW_HIT, &p, &err),
                 0);
    CHECK_EQ_INT(p.nquestions, 4);
    CHECK_EQ_STR(p.questions[1], "B"); /* comma-separated and trimmed */
    answers[0] = js("{\"A\":\"coat\",\"B\":\"blue\",\"C\":\"large\",\"D\":\"Furry\"}");
    answers[1] = js("{\"A\":\"sweater\",\"B\":\"blue\",\"C\":\"large\",\"D\":\"fur\"}");
    answers[2] = js("{\"A\":\"coat\",\"B\":\"green\",\"C\":\"large\",\"D\":\"furr\"}");
    CHECK_EQ_INT(review_plurality(&p, answers, 3, q), 75);
    CHECK_EQ_STR(q[0].answer, "coat");
    CHECK_EQ_INT(q[0].score, 66);
    CHECK_EQ_INT(q[0].agreed, 1);
    CHECK_EQ_STR(q[1].answer, "blue");
    CHECK_EQ_INT(q[2].score, 100);
    CHECK(q[3].answer == NULL); /* a three-way tie */
    CHECK_EQ_INT(q[3].agreed, 0);
    CHECK_EQ_INT(review_worker_score(&p, q, answers[0], &right, &wrong), 100);
    CHECK_EQ_INT(right, 3);
    CHECK_EQ_INT(review_worker_score(&p, q, answers[1], &right, &wrong), 66);
    CHECK_EQ_INT(wrong, 1);
    CHECK_EQ_INT(review_worker_score(&p, q, answers[2], &right, &wrong), 66);
    review_questions_release(q, 4);
    for (int i = 0; i < 3; i++)
        json_decref(answers[i]);
    review_params_release(&p);
}

static void test_plurality_edges(void)
{
    struct review_params p;
    struct review_question q[2];
    struct ts_error err = {0};
    json_t *answers[4];
    int right, wrong;
    char long_answer[300 + 16];

    /* The threshold is strict (above, not at), a blank or missing answer is no vote but
     * the assignment still counts, and answers longer than 256 characters take no part. */
    CHECK_EQ_INT(load(PLUR "{\"Key\":\"QuestionIds\",\"Values\":[\"x\",\"y\"]},"
                           "{\"Key\":\"QuestionAgreementThreshold\",\"Values\":[\"50\"]}]}",
                      REVIEW_HIT, &p, &err),
                 0);
    memset(long_answer, 'z', 300);
    long_answer[300] = '\0';
    answers[0] = js("{\"x\":\"a\",\"y\":\"b\"}");
    answers[1] = js("{\"x\":\"a\",\"y\":\" \"}");
    answers[2] = json_pack("{s:s,s:s}", "x", "c", "y", long_answer);
    answers[3] = json_pack("{s:s,s:s}", "x", "d", "y", long_answer);
    CHECK_EQ_INT(review_plurality(&p, answers, 4, q), 0);
    CHECK_EQ_STR(q[0].answer, "a");
    CHECK_EQ_INT(q[0].score, 50); /* 2 of 4: not above 50 */
    CHECK_EQ_INT(q[0].agreed, 0);
    CHECK_EQ_STR(q[1].answer, "b"); /* the only vote; the long ones do not count */
    CHECK_EQ_INT(q[1].score, 25);
    CHECK_EQ_INT(review_worker_score(&p, q, answers[0], &right, &wrong), -1);
    review_questions_release(q, 2);
    CHECK_EQ_INT(review_plurality(&p, answers, 2, q), 50); /* x agreed, y not */
    CHECK_EQ_INT(q[1].score, 50);
    CHECK_EQ_INT(q[1].agreed, 0);
    review_questions_release(q, 2);
    for (int i = 0; i < 4; i++)
        json_decref(answers[i]);
    review_params_release(&p);
}

CHECK_MAIN(test_read_known, test_read_refusals, test_known_score, test_plurality_example,
           test_plurality_edges)
