/* test_qform_regex.c: AnswerFormatRegex limits (what is accepted, what is refused before
 * regcomp ever sees it), the compiled regex kept with the form, the answer-size bound for
 * regex checks, and IsNumeric bounds above 1e18. */
#include "doc/qform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../check.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/banned.h"

#define NS17 "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2017-11-06/QuestionForm.xsd"

/* A one-question form whose FreeText has the given constraints (already XML). */
static int parse_with(const char *constraints, struct qform *f, struct ts_error *err)
{
    struct buf b = BUF_INIT(1 << 16);
    int rc;
    buf_printf(&b, "<QuestionForm xmlns=\"" NS17 "\"><Question><QuestionIdentifier>q"
                   "</QuestionIdentifier><QuestionContent><Text>t</Text></QuestionContent>"
                   "<AnswerSpecification><FreeTextAnswer><Constraints>%s</Constraints>"
                   "</FreeTextAnswer></AnswerSpecification></Question></QuestionForm>",
               constraints);
    memset(f, 0, sizeof *f);
    rc = qform_parse(b.p, b.len, f, err);
    buf_release(&b);
    return rc;
}

/* Parses a form whose regex is re (escaped for an XML attribute here). */
static int parse_rx(const char *re, struct qform *f, struct ts_error *err)
{
    struct buf a = BUF_INIT(1 << 16);
    int rc;
    buf_puts(&a, "<AnswerFormatRegex regex=\"");
    for (const char *p = re; *p; p++) {
        if (*p == '<')
            buf_puts(&a, "&lt;");
        else if (*p == '&')
            buf_puts(&a, "&amp;");
        else if (*p == '"')
            buf_puts(&a, "&quot;");
        else
            buf_append(&a, p, 1);
    }
    buf_puts(&a, "\"/>");
    rc = parse_with(a.p, f, err);
    buf_release(&a);
    return rc;
}

static void test_accepted(void)
{
    static const char *const ok[] = {
        "^[A-Z]{2}[0-9]{6}$",
        "^[0-9]{5}(-[0-9]{4})?$",
        "^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$",
        "^(\\+?[0-9]{1,3}[ -]?)?\\(?[0-9]{3}\\)?[ -]?[0-9]{3}[ -]?[0-9]{4}$",
        "^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$",
        "^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
        "^([0-9]{1,3}\\.){3}[0-9]{1,3}$",
        "^https?://[^ ]{1,255}$",
        "^[[:alpha:]][[:alnum:]_]*$",
        "^[]a]+$",
        "^[^]]*$",
        "^[\\]+$",
        "^a{255}$",
        "^(a{1,10}){1,10}$",
        "^((ab){1,5}){1,5}(c{1,9}){1,9}$",
        "a{,5}b{2,}",
        "^x\\{$",
        "^[a-z ]{1,255}( [a-z]{1,3}){0,3}$",
        ")",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        struct qform f;
        struct ts_error err = {0};
        int rc = parse_rx(ok[i], &f, &err);
        if (rc)
            fprintf(stderr, "  refused %s: %s\n", ok[i], err.msg);
        CHECK_EQ_INT(rc, 0);
        if (!rc) {
            CHECK(f.questions[0].rx != NULL);
            qform_release(&f);
        }
    }
}

static void test_refused(void)
{
    static const struct {
        const char *re, *msg;
    } bad[] = {
        {"((a{1,100}){1,100}){1,100}", "expands to more than 1000 elements"},
        {"((a{1,160}){1,160}){1,160}", "expands to more than 1000 elements"},
        {"(((a{1,200}){1,200}){1,200})", "expands to more than 1000 elements"},
        {"^(.*)(.*)(.*)(.*)(.*)\\5\\4\\3\\2\\1x$", "may not use back-references (\\5)"},
        {"^(a|a)*\\1b$", "back-references (\\1)"},
        {"(a)\\0", "back-references (\\0)"},
        {"a{256}", "repeats 256 times; the limit is 255"},
        {"a{1,1000}", "repeats 1000 times"},
        {"a{99999999999999999999}", "the limit is 255"},
        {"(a{1,255}){4}", "expands to more than 1000"},
        {"a{1,100}{1,100}", "expands to more than 1000"},
        {"((((((((((a+)+)+)+)+)+)+)+)+)+)", "expands to more than 1000"},
        {"(((){255}){255}){255}", "expands to more than 1000"},
        /* a "]" first in a bracket, [:class:] and a backslash inside brackets do not end it
         * early, and what follows is still counted */
        {"[]](a{1,255}){255}", "expands to more than 1000"},
        {"[^]](a{1,255}){255}", "expands to more than 1000"},
        {"[[:alpha:]](a{1,255}){255}", "expands to more than 1000"},
        {"[\\](a{1,255}){255}", "expands to more than 1000"},
        {"[[.].]](a{1,255}){255}", "expands to more than 1000"},
        {"\\[(a{1,255}){255}\\]", "expands to more than 1000"},
        {"x[a", "without its \"]\""},
        {"((((((((((((((((((((((((((((((((((a))))))))))))))))))))))))))))))))))", "32 deep"},
        {"", "1 to 1000 bytes"},
        {"(", "is not a POSIX extended regular expression"},
        {"^x{$", "is not a POSIX extended regular expression"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct qform f;
        struct ts_error err = {0};
        CHECK_EQ_INT(parse_rx(bad[i].re, &f, &err), TS_EINVAL);
        if (!strstr(err.msg, bad[i].msg))
            fprintf(stderr, "  %s: %s\n", bad[i].re, err.msg);
        CHECK(strstr(err.msg, bad[i].msg) != NULL);
        CHECK(strstr(err.msg, "question \"q\"") != NULL);
        CHECK(f.questions == NULL && f.n_questions == 0);
    }

    /* the length cap */
    char long_re[QFORM_REGEX_MAX_BYTES + 2];
    memset(long_re, 'a', sizeof long_re - 1);
    long_re[sizeof long_re - 1] = '\0';
    {
        struct qform f;
        struct ts_error err = {0};
        CHECK_EQ_INT(parse_rx(long_re, &f, &err), TS_EINVAL);
        CHECK(strstr(err.msg, "1 to 1000 bytes") != NULL);
        long_re[QFORM_REGEX_MAX_BYTES] = '\0';
        CHECK_EQ_INT(parse_rx(long_re, &f, &err), 0);
        qform_release(&f);
    }
}

/* The compiled regex is kept and used; answers beyond the regex bound are refused. */
static void test_match(void)
{
    struct qform f;
    struct ts_error err = {0};
    char *big;
    size_t n = QFORM_REGEX_MAX_ANSWER + 1;

    CHECK_EQ_INT(parse_rx("^[A-Z]{2}[0-9]{6}$", &f, &err), 0);
    CHECK_EQ_INT(qform_check_answers(&f, "{\"q\":\"AB123456\"}", &err), 0);
    CHECK_EQ_INT(qform_check_answers(&f, "{\"q\":\"AB12345\"}", &err), TS_EINVAL);
    CHECK(strstr(err.msg, "does not have the required format") != NULL);
    qform_release(&f);

    CHECK_EQ_INT(parse_rx("^a*$", &f, &err), 0);
    big = xmalloc(n + 16);
    memcpy(big, "{\"q\":\"", 6);
    memset(big + 6, 'a', n);
    memcpy(big + 6 + n, "\"}", 3);
    CHECK_EQ_INT(qform_check_answers(&f, big, &err), TS_EINVAL);
    CHECK(strstr(err.msg, "checked by AnswerFormatRegex may have at most 2048 bytes") != NULL);
    memcpy(big + 6 + n - 1, "\"}", 3); /* exactly the bound */
    CHECK_EQ_INT(qform_check_answers(&f, big, &err), 0);
    free(big);
    qform_release(&f);
}

static void test_numeric_big(void)
{
    struct qform f;
    struct ts_error err = {0};

    CHECK_EQ_INT(parse_with("<IsNumeric maxValue=\"2000000000000000000\"/>", &f, &err), 0);
    CHECK_EQ_INT(qform_check_answers(&f, "{\"q\":\"9999999999999999999\"}", &err), TS_EINVAL);
    CHECK(strstr(err.msg, "at most 2000000000000000000") != NULL);
    CHECK_EQ_INT(qform_check_answers(&f, "{\"q\":\"99999999999999999999999999999\"}", &err),
                 TS_EINVAL);
    CHECK_EQ_INT(qform_check_answers(&f, "{\"q\":\"2000000000000000000\"}", &err), 0);
    CHECK_EQ_INT(qform_check_answers(&f, "{\"q\":\"2000000000000000000.5\"}", &err), TS_EINVAL);
    CHECK_EQ_INT(qform_check_answers(&f, "{\"q\":\"-99999999999999999999999\"}", &err), 0);
    qform_release(&f);

    CHECK_EQ_INT(parse_with("<IsNumeric minValue=\"1500000000000000000\"/>", &f, &err), 0);
    CHECK_EQ_INT(qform_check_answers(&f, "{\"q\":\"2000000000000000000\"}", &err), 0);
    CHECK_EQ_INT(qform_check_answers(&f, "{\"q\":\"99999999999999999999999\"}", &err), 0);
    CHECK_EQ_INT(qform_check_answers(&f, "{\"q\":\"1499999999999999999.9\"}", &err), TS_EINVAL);
    CHECK(strstr(err.msg, "at least 1500000000000000000") != NULL);
    qform_release(&f);

    CHECK_EQ_INT(parse_with("<IsNumeric minValue=\"-4611686018427387903\" "
                            "maxValue=\"4611686018427387903\"/>", &f, &err), 0);
    CHECK_EQ_INT(qform_check_answers(&f, "{\"q\":\"4611686018427387903\"}", &err), 0);
    CHECK_EQ_INT(qform_check_answers(&f, "{\"q\":\"4611686018427387904\"}", &err), TS_EINVAL);
    CHECK_EQ_INT(qform_check_answers(&f, "{\"q\":\"-4611686018427387903\"}", &err), 0);
    CHECK_EQ_INT(qform_check_answers(&f, "{\"q\":\"-4611686018427387904\"}", &err), TS_EINVAL);
    qform_release(&f);
}

CHECK_MAIN(test_accepted, test_refused, test_match, test_numeric_big)
