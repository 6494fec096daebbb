/* test_answerkey.c: AnswerKey reading (valid, refused, hostile), scoring by exact
 * selection sets with DefaultScore, and the four ways to map a summed score. */
#include "doc/answerkey.h"
#include "core/qtest.h"
#include "doc/qform.h"

#include <stdlib.h>
#include <string.h>

#include "../../check.h"
#include "util/alloc.h"
#include "util/banned.h"

#define AK "<AnswerKey xmlns=\"" ANSWERKEY_NS "\">"
#define QF "<QuestionForm xmlns=\"http://mechanicalturk.amazonaws.com/" \
           "AWSMechanicalTurkDataSchemas/2017-11-06/QuestionForm.xsd\">"

/* q1: a 10, {a,b} 15, default 1; q2: x -3 (no default). */
#define QUESTIONS                                                                         \
    "<Question><QuestionIdentifier>q1</QuestionIdentifier>"                               \
    "<AnswerOption><SelectionIdentifier>a</SelectionIdentifier><AnswerScore>10"           \
    "</AnswerScore></AnswerOption>"                                                       \
    "<AnswerOption><SelectionIdentifier>a</SelectionIdentifier><SelectionIdentifier>b"    \
    "</SelectionIdentifier><AnswerScore>15</AnswerScore></AnswerOption>"                  \
    "<DefaultScore>1</DefaultScore></Question>"                                           \
    "<Question><QuestionIdentifier>q2</QuestionIdentifier>"                               \
    "<AnswerOption><SelectionIdentifier>x</SelectionIdentifier><AnswerScore> -3 "         \
    "</AnswerScore></AnswerOption></Question>"

static int parse(const char *xml, struct answerkey *k, struct ts_error *err)
{
    memset(err, 0, sizeof *err);
    return answerkey_parse(xml, strlen(xml), k, err);
}

/* Scores answers_json with key xml; returns has_value, *sum and *value filled. */
static int score(const char *xml, const char *answers_json, int64_t *sum, int64_t *value)
{
    struct answerkey k;
    struct ts_error err;
    json_t *a = json_loads(answers_json, 0, NULL);
    int r = -1;
    if (parse(xml, &k, &err) == 0) {
        r = answerkey_score(&k, a, sum, value);
        answerkey_release(&k);
    } else {
        fprintf(stderr, "parse: %s\n", err.msg);
    }
    json_decref(a);
    return r;
}

static void test_parse_valid(void)
{
    struct answerkey k;
    struct ts_error err;
    CHECK_EQ_INT(parse("<?xml version=\"1.0\"?>\n" AK QUESTIONS "</AnswerKey>", &k, &err), 0);
    CHECK_EQ_INT(k.n_q, 2);
    CHECK_EQ_STR(k.q[0].id, "q1");
    CHECK_EQ_INT(k.q[0].n_opt, 2);
    CHECK_EQ_INT(k.q[0].opt[1].n_sel, 2);
    CHECK_EQ_STR(k.q[0].opt[1].sel[1], "b");
    CHECK_EQ_INT(k.q[0].default_score, 1);
    CHECK_EQ_INT(k.q[1].opt[0].score, -3);
    CHECK_EQ_INT(k.mapping, ANSWERKEY_SUM);
    answerkey_release(&k);
    CHECK_EQ_INT(parse(AK QUESTIONS "<QualificationValueMapping><RangeMapping>"
                       "<SummedScoreRange><InclusiveLowerBound>0</InclusiveLowerBound>"
                       "<InclusiveUpperBound>5</InclusiveUpperBound><QualificationValue>1"
                       "</QualificationValue></SummedScoreRange>"
                       "<OutOfRangeQualificationValue>9</OutOfRangeQualificationValue>"
                       "</RangeMapping></QualificationValueMapping></AnswerKey>",
                       &k, &err),
                 0);
    CHECK_EQ_INT(k.mapping, ANSWERKEY_RANGE);
    CHECK_EQ_INT(k.n_range, 1);
    CHECK_EQ_INT(k.range[0].hi, 5);
    CHECK(k.has_out_of_range);
    CHECK_EQ_INT(k.out_of_range, 9);
    answerkey_release(&k);
}

static void test_parse_refused(void)
{
    static const struct {
        const char *xml, *words;
    } cases[] = {
        {"", "empty"},
        {AK QUESTIONS, "well-formed"},
        {"<AnswerKey>" QUESTIONS "</AnswerKey>", "root"},
        {"<AnswerKey xmlns=\"urn:other\">" QUESTIONS "</AnswerKey>", "root"},
        {AK "</AnswerKey>", "at least one Question"},
        {AK "<Question><AnswerOption><SelectionIdentifier>a</SelectionIdentifier>"
            "<AnswerScore>1</AnswerScore></AnswerOption></Question></AnswerKey>",
         "AnswerOption"},
        {AK "<Question><QuestionIdentifier>q</QuestionIdentifier><AnswerOption>"
            "<AnswerScore>1</AnswerScore></AnswerOption></Question></AnswerKey>",
         "AnswerScore"},
        {AK "<Question><QuestionIdentifier>q</QuestionIdentifier><AnswerOption>"
            "<SelectionIdentifier>a</SelectionIdentifier></AnswerOption></Question>"
            "</AnswerKey>",
         "AnswerScore"},
        {AK "<Question><QuestionIdentifier>q</QuestionIdentifier><AnswerOption>"
            "<SelectionIdentifier>a</SelectionIdentifier><SelectionIdentifier>a"
            "</SelectionIdentifier><AnswerScore>1</AnswerScore></AnswerOption></Question>"
            "</AnswerKey>",
         "repeated"},
        {AK "<Question><QuestionIdentifier>q</QuestionIdentifier><AnswerOption>"
            "<SelectionIdentifier>a</SelectionIdentifier><AnswerScore>1.5</AnswerScore>"
            "</AnswerOption></Question></AnswerKey>",
         "whole number"},
        {AK "<Question><QuestionIdentifier>q</QuestionIdentifier><AnswerOption>"
            "<SelectionIdentifier>a</SelectionIdentifier><AnswerScore>4294967296"
            "</AnswerScore></AnswerOption></Question></AnswerKey>",
         "32-bit"},
        {AK QUESTIONS QUESTIONS "</AnswerKey>", "twice"},
        {AK QUESTIONS "<Extra/></AnswerKey>", "Extra"},
        {AK "<Question>text<QuestionIdentifier>q</QuestionIdentifier></Question></AnswerKey>",
         "text"},
        {AK QUESTIONS "<QualificationValueMapping/></AnswerKey>", "exactly one"},
        {AK QUESTIONS "<QualificationValueMapping><PercentageMapping><MaximumSummedScore>0"
                      "</MaximumSummedScore></PercentageMapping></QualificationValueMapping>"
                      "</AnswerKey>",
         "at least 1"},
        {AK QUESTIONS "<QualificationValueMapping><ScaleMapping><SummedScoreMultiplier>-1"
                      "</SummedScoreMultiplier></ScaleMapping></QualificationValueMapping>"
                      "</AnswerKey>",
         "SummedScoreMultiplier"},
        {AK QUESTIONS "<QualificationValueMapping><ScaleMapping><SummedScoreMultiplier>0.1234567"
                      "</SummedScoreMultiplier></ScaleMapping></QualificationValueMapping>"
                      "</AnswerKey>",
         "6 decimals"},
        {AK QUESTIONS "<QualificationValueMapping><RangeMapping>"
                      "<OutOfRangeQualificationValue>1</OutOfRangeQualificationValue>"
                      "</RangeMapping></QualificationValueMapping></AnswerKey>",
         "OutOfRangeQualificationValue"},
        {AK QUESTIONS "<QualificationValueMapping><RangeMapping><SummedScoreRange>"
                      "<InclusiveLowerBound>5</InclusiveLowerBound><InclusiveUpperBound>1"
                      "</InclusiveUpperBound><QualificationValue>1</QualificationValue>"
                      "</SummedScoreRange></RangeMapping></QualificationValueMapping>"
                      "</AnswerKey>",
         "exceeds"},
        {AK QUESTIONS "</AnswerKey><AnswerKey/>", "well-formed"},
        /* Hostile: a DOCTYPE (entities, external DTD) is refused before it is read. */
        {"<!DOCTYPE AnswerKey [<!ENTITY e \"q1\">]>" AK
         "<Question><QuestionIdentifier>&e;</QuestionIdentifier></Question></AnswerKey>",
         "DOCTYPE"},
        {"<!DOCTYPE AnswerKey SYSTEM \"http://127.0.0.1:9/k.dtd\">" AK QUESTIONS
         "</AnswerKey>",
         "DOCTYPE"},
        {"<!DOCTYPE a [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;\">]>" AK
         "<Question><QuestionIdentifier>&b;</QuestionIdentifier></Question></AnswerKey>",
         "DOCTYPE"},
        {AK "<Question><QuestionIdentifier>&undefined;</QuestionIdentifier></Question>"
            "</AnswerKey>",
         "well-formed"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct answerkey k;
        struct ts_error err;
        memset(&k, 0x5a, sizeof k);
        int rc = parse(cases[i].xml, &k, &err);
        CHECK_EQ_INT(rc, TS_EINVAL);
        if (!strstr(err.msg, cases[i].words))
            fprintf(stderr, "case %zu: \"%s\" lacks \"%s\"\n", i, err.msg, cases[i].words);
        CHECK(strstr(err.msg, cases[i].words) != NULL);
        CHECK_EQ_INT(((unsigned char *)&k)[0], 0x5a); /* untouched on failure */
    }
}

static void test_too_big(void)
{
    size_t n = ANSWERKEY_MAX_BYTES + 1;
    char *big = xcalloc(1, n + 1);
    struct answerkey k;
    struct ts_error err = {0};
    memset(big, ' ', n);
    CHECK_EQ_INT(answerkey_parse(big, n, &k, &err), TS_ETOOBIG);
    free(big);
}

static void test_scoring(void)
{
    static const struct {
        const char *answers;
        int64_t sum;
    } cases[] = {
        {"{}", 1},                                 /* q1 default 1, q2 no default: 0 */
        {"{\"q1\":\"a\",\"q2\":\"x\"}", 7},        /* 10 - 3 */
        {"{\"q1\":[\"a\"],\"q2\":[\"x\"]}", 7},    /* arrays of one */
        {"{\"q1\":[\"b\",\"a\"]}", 15},            /* order does not matter */
        {"{\"q1\":[\"a\",\"b\",\"c\"]}", 1},       /* a superset earns nothing */
        {"{\"q1\":[\"a\",\"a\"]}", 1},             /* a repeat is not {a,b} */
        {"{\"q1\":\"b\"}", 1},                     /* a subset earns nothing */
        {"{\"q1\":{\"OtherSelectionText\":\"a\"}}", 1},
        {"{\"q1\":7,\"q3\":\"a\"}", 1},            /* wrong shapes, unknown questions */
        {"[1,2]", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t sum = -99, value = -99;
        CHECK_EQ_INT(score(AK QUESTIONS "</AnswerKey>", cases[i].answers, &sum, &value), 1);
        CHECK_EQ_INT(sum, cases[i].sum);
        CHECK_EQ_INT(value, cases[i].sum);
    }
}

static void test_mappings(void)
{
#define MAP(m) AK QUESTIONS "<QualificationValueMapping>" m "</QualificationValueMapping></AnswerKey>"
    static const struct {
        const char *key, *answers;
        int has;
        int64_t value;
    } cases[] = {
        /* 7 of 15 = 46.67% -> 47; 15 of 15 -> 100; 1 of 15 -> 6.67 -> 7 */
        {MAP("<PercentageMapping><MaximumSummedScore>15</MaximumSummedScore></PercentageMapping>"),
         "{\"q1\":\"a\",\"q2\":\"x\"}", 1, 47},
        {MAP("<PercentageMapping><MaximumSummedScore>15</MaximumSummedScore></PercentageMapping>"),
         "{\"q1\":[\"a\",\"b\"]}", 1, 100},
        {MAP("<PercentageMapping><MaximumSummedScore>15</MaximumSummedScore></PercentageMapping>"),
         "{}", 1, 7},
        /* -2 of 15 = -13.3% -> -13 (halves away from zero) */
        {MAP("<PercentageMapping><MaximumSummedScore>15</MaximumSummedScore></PercentageMapping>"),
         "{\"q1\":\"c\",\"q2\":\"x\"}", 1, -13},
        /* 7 * 2.5 = 17.5 -> 18; 7 * 0.1 = 0.7 -> 1; 15 * 0 = 0 */
        {MAP("<ScaleMapping><SummedScoreMultiplier>2.5</SummedScoreMultiplier></ScaleMapping>"),
         "{\"q1\":\"a\",\"q2\":\"x\"}", 1, 18},
        {MAP("<ScaleMapping><SummedScoreMultiplier>0.1</SummedScoreMultiplier></ScaleMapping>"),
         "{\"q1\":\"a\",\"q2\":\"x\"}", 1, 1},
        {MAP("<ScaleMapping><SummedScoreMultiplier>0</SummedScoreMultiplier></ScaleMapping>"),
         "{\"q1\":[\"a\",\"b\"]}", 1, 0},
        /* Ranges: the first holding the sum; out of range with and without a value. */
        {MAP("<RangeMapping><SummedScoreRange><InclusiveLowerBound>0</InclusiveLowerBound>"
             "<InclusiveUpperBound>7</InclusiveUpperBound><QualificationValue>70"
             "</QualificationValue></SummedScoreRange><SummedScoreRange><InclusiveLowerBound>7"
             "</InclusiveLowerBound><InclusiveUpperBound>15</InclusiveUpperBound>"
             "<QualificationValue>150</QualificationValue></SummedScoreRange>"
             "<OutOfRangeQualificationValue>-1</OutOfRangeQualificationValue></RangeMapping>"),
         "{\"q1\":\"a\",\"q2\":\"x\"}", 1, 70},
        {MAP("<RangeMapping><SummedScoreRange><InclusiveLowerBound>8</InclusiveLowerBound>"
             "<InclusiveUpperBound>15</InclusiveUpperBound><QualificationValue>150"
             "</QualificationValue></SummedScoreRange>"
             "<OutOfRangeQualificationValue>-1</OutOfRangeQualificationValue></RangeMapping>"),
         "{\"q1\":\"a\",\"q2\":\"x\"}", 1, -1},
        {MAP("<RangeMapping><SummedScoreRange><InclusiveLowerBound>8</InclusiveLowerBound>"
             "<InclusiveUpperBound>15</InclusiveUpperBound><QualificationValue>150"
             "</QualificationValue></SummedScoreRange></RangeMapping>"),
         "{\"q1\":\"a\",\"q2\":\"x\"}", 0, 0},
        {MAP("<RangeMapping><SummedScoreRange><InclusiveLowerBound>8</InclusiveLowerBound>"
             "<InclusiveUpperBound>15</InclusiveUpperBound><QualificationValue>150"
             "</QualificationValue></SummedScoreRange></RangeMapping>"),
         "{\"q1\":[\"a\",\"b\"]}", 1, 150},
    };
#undef MAP
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t sum = 0, value = -99;
        int has = score(cases[i].key, cases[i].answers, &sum, &value);
        CHECK_EQ_INT(has, cases[i].has);
        if (cases[i].has)
            CHECK_EQ_INT(value, cases[i].value);
    }
}

static void test_scale_clamps(void)
{
    int64_t sum = 0, value = 0;
    const char *key =
        AK "<Question><QuestionIdentifier>q</QuestionIdentifier><AnswerOption>"
           "<SelectionIdentifier>a</SelectionIdentifier><AnswerScore>2147483647</AnswerScore>"
           "</AnswerOption></Question><QualificationValueMapping><ScaleMapping>"
           "<SummedScoreMultiplier>1000000</SummedScoreMultiplier></ScaleMapping>"
           "</QualificationValueMapping></AnswerKey>";
    CHECK_EQ_INT(score(key, "{\"q\":\"a\"}", &sum, &value), 1);
    CHECK_EQ_INT(sum, 2147483647);
    CHECK_EQ_INT(value, 2147483647);
}

/* The key against its test: questions and selections must exist, selections only. */
static void test_key_fits_test(void)
{
    static const char *const form =
        QF "<Question><QuestionIdentifier>q1</QuestionIdentifier><QuestionContent><Text>?"
           "</Text></QuestionContent><AnswerSpecification><SelectionAnswer><Selections>"
           "<Selection><SelectionIdentifier>a</SelectionIdentifier><Text>A</Text></Selection>"
           "<Selection><SelectionIdentifier>b</SelectionIdentifier><Text>B</Text></Selection>"
           "</Selections></SelectionAnswer></AnswerSpecification></Question>"
           "<Question><QuestionIdentifier>t</QuestionIdentifier><QuestionContent><Text>?"
           "</Text></QuestionContent><AnswerSpecification><FreeTextAnswer/>"
           "</AnswerSpecification></Question></QuestionForm>";
    static const struct {
        const char *key, *words; /* words NULL: accepted */
    } cases[] = {
        {AK "<Question><QuestionIdentifier>q1</QuestionIdentifier><AnswerOption>"
            "<SelectionIdentifier>b</SelectionIdentifier><AnswerScore>1</AnswerScore>"
            "</AnswerOption></Question></AnswerKey>",
         NULL},
        {AK "<Question><QuestionIdentifier>q9</QuestionIdentifier></Question></AnswerKey>",
         "not in the Test"},
        {AK "<Question><QuestionIdentifier>t</QuestionIdentifier></Question></AnswerKey>",
         "SelectionAnswer"},
        {AK "<Question><QuestionIdentifier>q1</QuestionIdentifier><AnswerOption>"
            "<SelectionIdentifier>c</SelectionIdentifier><AnswerScore>1</AnswerScore>"
            "</AnswerOption></Question></AnswerKey>",
         "no selection c"},
    };
    struct ts_error err;
    struct qtest_result res;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(&err, 0, sizeof err);
        int rc = qtest_check(form, cases[i].key, &err);
        CHECK_EQ_INT(rc, cases[i].words ? TS_EINVAL : 0);
        if (cases[i].words)
            CHECK(strstr(err.msg, cases[i].words) != NULL);
    }
    memset(&err, 0, sizeof err);
    CHECK_EQ_INT(qtest_check("<QuestionForm/>", NULL, &err), TS_EINVAL);
    CHECK(strncmp(err.msg, "Test: ", 6) == 0);
    /* Grading: checked against the parsed form, written as QuestionFormAnswers, scored,
     * from answers read once. */
    struct qform f;
    json_t *a;
    memset(&err, 0, sizeof err);
    CHECK_EQ_INT(qtest_parse("<QuestionForm/>", &f, &err), TS_EINVAL);
    CHECK(strncmp(err.msg, "Test: ", 6) == 0);
    CHECK_EQ_INT(qtest_parse(form, &f, &err), 0);
    a = json_loads("{\"q1\":\"b\",\"t\":\"x<y\"}", 0, NULL);
    CHECK_EQ_INT(qtest_grade(&f, cases[0].key, a, &res, &err), 0);
    json_decref(a);
    CHECK(res.scored && res.has_value);
    CHECK_EQ_INT(res.value, 1);
    CHECK(res.answer_xml && strstr(res.answer_xml, "<SelectionIdentifier>b</SelectionIdentifier>"));
    CHECK(res.answer_xml && strstr(res.answer_xml, "x&lt;y"));
    free(res.answer_xml);
    a = json_loads("{\"q1\":\"z\"}", 0, NULL);
    CHECK_EQ_INT(qtest_grade(&f, NULL, a, &res, &err), TS_EINVAL);
    json_decref(a);
    CHECK(res.answer_xml == NULL);
    a = json_loads("{\"q1\":\"a\"}", 0, NULL);
    CHECK_EQ_INT(qtest_grade(&f, NULL, a, &res, &err), 0);
    json_decref(a);
    CHECK(!res.scored);
    free(res.answer_xml);
    CHECK_EQ_INT(qtest_grade(&f, NULL, NULL, &res, &err), TS_EINVAL);
    CHECK_EQ_STR(err.msg, "answers must be a JSON object of QuestionIdentifier: answer");
    qform_release(&f);
}

CHECK_MAIN(test_parse_valid, test_parse_refused, test_too_big, test_scoring, test_mappings,
           test_scale_clamps, test_key_fits_test)
