/* test_question.c: Question XML parsing (valid, malformed, hostile) and the
 * QuestionFormAnswers writer. */
#include "doc/question.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../../check.h"
#include "util/alloc.h"
#include "util/banned.h"

#define HQ_NS "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2011-11-11/HTMLQuestion.xsd"
#define EQ_NS "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/ExternalQuestion.xsd"

static int parse(const char *xml, struct question *q, struct ts_error *err)
{
    memset(q, 0, sizeof *q);
    return question_parse(xml, strlen(xml), q, err);
}

static void test_html(void)
{
    struct question q;
    struct ts_error err = {0};
    const char *xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<HTMLQuestion xmlns=\"" HQ_NS "\">\n"
        "  <HTMLContent><![CDATA[<!DOCTYPE html><html><body><form>&amp;<input name=\"x\"></form></body></html>]]>\n"
        "  </HTMLContent>\n"
        "  <FrameHeight>450</FrameHeight>\n"
        "</HTMLQuestion>\n";

    CHECK_EQ_INT(parse(xml, &q, &err), 0);
    CHECK_EQ_INT(q.kind, QUESTION_HTML);
    CHECK(q.html && strstr(q.html, "<form>&amp;<input name=\"x\"></form>") != NULL);
    CHECK(q.url == NULL);
    CHECK_EQ_INT(q.frame_height, 450);
    question_release(&q);

    /* escaped (not CDATA) content and FrameHeight 0 */
    CHECK_EQ_INT(parse("<HTMLQuestion xmlns='" HQ_NS "'><HTMLContent>&lt;p&gt;hi &#233;</HTMLContent>"
                       "<FrameHeight> 0 </FrameHeight></HTMLQuestion>",
                       &q, &err),
                 0);
    CHECK_EQ_STR(q.html, "<p>hi \xc3\xa9");
    CHECK_EQ_INT(q.frame_height, 0);
    question_release(&q);
}

static void test_external(void)
{
    struct question q;
    struct ts_error err = {0};

    CHECK_EQ_INT(parse("<ExternalQuestion xmlns=\"" EQ_NS "\">"
                       "<ExternalURL> https://example.com/task?a=1&amp;b=2 </ExternalURL>"
                       "<FrameHeight>600</FrameHeight></ExternalQuestion>",
                       &q, &err),
                 0);
    CHECK_EQ_INT(q.kind, QUESTION_EXTERNAL);
    CHECK_EQ_STR(q.url, "https://example.com/task?a=1&b=2");
    CHECK(q.html == NULL);
    CHECK_EQ_INT(q.frame_height, 600);
    question_release(&q);
}

struct bad_case {
    const char *xml;
    int code;
    const char *msg; /* a substring of the message */
};

static void test_bad(void)
{
    static const struct bad_case cases[] = {
        {"<HTMLQuestion xmlns=\"" HQ_NS "\">\n<HTMLContent>\n<p>x</b>", TS_EINVAL,
         "Question is not well-formed XML: line 3: "},
        {"", TS_EINVAL, "not well-formed"},
        {"just text", TS_EINVAL, "not well-formed XML: line 1"},
        {"<HTMLQuestion xmlns=\"" HQ_NS "\"><HTMLContent>&nbsp;</HTMLContent>"
         "<FrameHeight>1</FrameHeight></HTMLQuestion>",
         TS_EINVAL, "not well-formed"},
        {"<QuestionForm xmlns=\"http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/"
         "2017-11-06/QuestionForm.xsd\"/>",
         TS_EINVAL, "QuestionForm needs at least one <Question>"},
        {"<html/>", TS_EINVAL, "must be HTMLQuestion, ExternalQuestion or QuestionForm"},
        {"<HTMLQuestion xmlns=\"" HQ_NS "\"><FrameHeight>1</FrameHeight></HTMLQuestion>",
         TS_EINVAL, "HTMLQuestion needs HTMLContent"},
        {"<HTMLQuestion xmlns=\"" HQ_NS "\"><HTMLContent>  </HTMLContent>"
         "<FrameHeight>1</FrameHeight></HTMLQuestion>",
         TS_EINVAL, "HTMLQuestion needs HTMLContent"},
        {"<HTMLQuestion xmlns=\"" HQ_NS "\"><HTMLContent>x</HTMLContent></HTMLQuestion>",
         TS_EINVAL, "needs FrameHeight"},
        {"<HTMLQuestion xmlns=\"" HQ_NS "\"><HTMLContent>x</HTMLContent>"
         "<FrameHeight>100001</FrameHeight></HTMLQuestion>",
         TS_EINVAL, "FrameHeight must be an integer from 0 to 100000"},
        {"<HTMLQuestion xmlns=\"" HQ_NS "\"><HTMLContent>x</HTMLContent>"
         "<FrameHeight>-1</FrameHeight></HTMLQuestion>",
         TS_EINVAL, "FrameHeight"},
        {"<HTMLQuestion xmlns=\"" HQ_NS "\"><HTMLContent>x</HTMLContent>"
         "<FrameHeight>12px</FrameHeight></HTMLQuestion>",
         TS_EINVAL, "FrameHeight"},
        {"<HTMLQuestion xmlns=\"" HQ_NS "\"><HTMLContent><p>x</p></HTMLContent>"
         "<FrameHeight>1</FrameHeight></HTMLQuestion>",
         TS_EINVAL, "CDATA"},
        {"<HTMLQuestion xmlns=\"" HQ_NS "\"><HTMLContent>x</HTMLContent><HTMLContent>y</HTMLContent>"
         "<FrameHeight>1</FrameHeight></HTMLQuestion>",
         TS_EINVAL, "more than one"},
        {"<HTMLQuestion xmlns=\"" HQ_NS "\"><HTMLContent>x</HTMLContent><Extra/>"
         "<FrameHeight>1</FrameHeight></HTMLQuestion>",
         TS_EINVAL, "does not allow <Extra>"},
        {"<HTMLQuestion xmlns=\"" HQ_NS "\">stray<HTMLContent>x</HTMLContent>"
         "<FrameHeight>1</FrameHeight></HTMLQuestion>",
         TS_EINVAL, "text outside"},
        /* wrong namespaces */
        {"<HTMLQuestion><HTMLContent>x</HTMLContent><FrameHeight>1</FrameHeight></HTMLQuestion>",
         TS_EINVAL, "HTMLQuestion must have xmlns=\"" HQ_NS "\" (found none)"},
        {"<HTMLQuestion xmlns=\"" EQ_NS "\"><HTMLContent>x</HTMLContent>"
         "<FrameHeight>1</FrameHeight></HTMLQuestion>",
         TS_EINVAL, "HTMLQuestion must have xmlns=\"" HQ_NS "\""},
        {"<ExternalQuestion xmlns=\"" HQ_NS "\"><ExternalURL>https://a.b/</ExternalURL>"
         "<FrameHeight>1</FrameHeight></ExternalQuestion>",
         TS_EINVAL, "ExternalQuestion must have xmlns=\"" EQ_NS "\""},
        {"<q:HTMLQuestion xmlns:q=\"" HQ_NS "\"><HTMLContent>x</HTMLContent>"
         "<q:FrameHeight>1</q:FrameHeight></q:HTMLQuestion>",
         TS_EINVAL, "must be in the namespace"},
        /* ExternalURL rules */
        {"<ExternalQuestion xmlns=\"" EQ_NS "\"><ExternalURL>http://example.com/</ExternalURL>"
         "<FrameHeight>1</FrameHeight></ExternalQuestion>",
         TS_EINVAL, "ExternalURL must start with https://"},
        {"<ExternalQuestion xmlns=\"" EQ_NS "\"><ExternalURL>javascript:alert(1)</ExternalURL>"
         "<FrameHeight>1</FrameHeight></ExternalQuestion>",
         TS_EINVAL, "https://"},
        {"<ExternalQuestion xmlns=\"" EQ_NS "\"><ExternalURL>https:///x</ExternalURL>"
         "<FrameHeight>1</FrameHeight></ExternalQuestion>",
         TS_EINVAL, "host"},
        {"<ExternalQuestion xmlns=\"" EQ_NS "\"><ExternalURL>https://a.b/x y</ExternalURL>"
         "<FrameHeight>1</FrameHeight></ExternalQuestion>",
         TS_EINVAL, "spaces"},
        {"<ExternalQuestion xmlns=\"" EQ_NS "\"><FrameHeight>1</FrameHeight></ExternalQuestion>",
         TS_EINVAL, "ExternalQuestion needs ExternalURL"},
        /* DTDs: billion laughs, external entities, even a bare DOCTYPE */
        {"<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n"
         " <!ENTITY lol \"lol\">\n"
         " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
         " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
         " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
         " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
         " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
         " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
         " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
         " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
         " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
         "]>\n<HTMLQuestion xmlns=\"" HQ_NS "\"><HTMLContent>&lol9;</HTMLContent>"
         "<FrameHeight>1</FrameHeight></HTMLQuestion>",
         TS_EINVAL, "must not contain a DOCTYPE"},
        {"<!DOCTYPE HTMLQuestion [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
         "<HTMLQuestion xmlns=\"" HQ_NS "\"><HTMLContent>&xxe;</HTMLContent>"
         "<FrameHeight>1</FrameHeight></HTMLQuestion>",
         TS_EINVAL, "must not contain a DOCTYPE"},
        {"<!DOCTYPE HTMLQuestion SYSTEM \"http://127.0.0.1:1/evil.dtd\">"
         "<HTMLQuestion xmlns=\"" HQ_NS "\"><HTMLContent>x</HTMLContent>"
         "<FrameHeight>1</FrameHeight></HTMLQuestion>",
         TS_EINVAL, "must not contain a DOCTYPE"},
        {"<HTMLQuestion xmlns=\"" HQ_NS "\"><HTMLContent>&xxe;</HTMLContent>"
         "<FrameHeight>1</FrameHeight></HTMLQuestion>",
         TS_EINVAL, "not well-formed"},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct question q;
        struct ts_error err = {0};
        int rc = parse(cases[i].xml, &q, &err);
        CHECK_EQ_INT(rc, cases[i].code);
        if (!strstr(err.msg, cases[i].msg)) {
            CHECK_EQ_STR(err.msg, cases[i].msg);
            fprintf(stderr, "  (case %zu)\n", i);
        }
        CHECK(q.html == NULL && q.url == NULL); /* untouched on failure */
    }
}

static void test_sizes(void)
{
    struct question q = {0};
    struct ts_error err = {0};
    size_t n = QUESTION_MAX_BYTES + 1;
    char *big = xmalloc(n + 1), *url;
    const char *head = "<ExternalQuestion xmlns=\"" EQ_NS "\"><ExternalURL>https://a.b/";
    const char *tail = "</ExternalURL><FrameHeight>1</FrameHeight></ExternalQuestion>";

    memset(big, ' ', n);
    big[n] = '\0';
    CHECK_EQ_INT(question_parse(big, n, &q, &err), TS_ETOOBIG);
    /* not NUL-terminated input is read only up to n */
    memcpy(big, "<HTMLQuestion xmlns=\"" HQ_NS "\"><HTMLContent>x</HTMLContent>"
                "<FrameHeight>1</FrameHeight></HTMLQuestion>GARBAGE",
           strlen("<HTMLQuestion xmlns=\"" HQ_NS "\"><HTMLContent>x</HTMLContent>"
                  "<FrameHeight>1</FrameHeight></HTMLQuestion>GARBAGE"));
    CHECK_EQ_INT(question_parse(big, strlen("<HTMLQuestion xmlns=\"" HQ_NS "\"><HTMLContent>x"
                                            "</HTMLContent><FrameHeight>1</FrameHeight>"
                                            "</HTMLQuestion>"),
                                &q, &err),
                 0);
    CHECK_EQ_STR(q.html, "x");
    question_release(&q);
    free(big);

    /* URL of exactly 2000 characters is fine, 2001 is not */
    url = xmalloc(4000);
    for (size_t len = 2000; len <= 2001; len++) {
        size_t fill = len - strlen("https://a.b/");
        size_t off = strlen(head);
        memcpy(url, head, off);
        memset(url + off, 'x', fill);
        memcpy(url + off + fill, tail, strlen(tail) + 1);
        CHECK_EQ_INT(parse(url, &q, &err), len == 2000 ? 0 : TS_EINVAL);
        if (len == 2000)
            CHECK_EQ_INT(strlen(q.url), 2000);
        else
            CHECK(strstr(err.msg, "limit is 2000") != NULL);
        question_release(&q);
    }
    free(url);
}

static void test_answers(void)
{
    struct buf b = BUF_INIT(1 << 16);
    struct ts_error err = {0};

    CHECK_EQ_INT(question_answers_xml("{\"assignmentId\":\"X\",\"weather\":\"sunny & <warm> \\\"'\","
                                      "\"country\":\"Espa\\u00f1a \\u00e9\xf0\x9f\x98\x80\","
                                      "\"n\":3,\"ok\":true,\"tags\":[\"a\",\"b\"],\"ctl\":\"a\\u0001\\r\\n\"}",
                                      &b, &err),
                 0);
    CHECK_EQ_STR(b.p,
                 "<?xml version=\"1.0\" encoding=\"ASCII\"?><QuestionFormAnswers xmlns=\""
                 "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/"
                 "QuestionFormAnswers.xsd\">"
                 "<Answer><QuestionIdentifier>weather</QuestionIdentifier>"
                 "<FreeText>sunny &amp; &lt;warm&gt; &quot;&apos;</FreeText></Answer>"
                 "<Answer><QuestionIdentifier>country</QuestionIdentifier>"
                 "<FreeText>Espa&#241;a &#233;&#128512;</FreeText></Answer>"
                 "<Answer><QuestionIdentifier>n</QuestionIdentifier><FreeText>3</FreeText></Answer>"
                 "<Answer><QuestionIdentifier>ok</QuestionIdentifier><FreeText>true</FreeText></Answer>"
                 "<Answer><QuestionIdentifier>tags</QuestionIdentifier><FreeText>a</FreeText></Answer>"
                 "<Answer><QuestionIdentifier>tags</QuestionIdentifier><FreeText>b</FreeText></Answer>"
                 "<Answer><QuestionIdentifier>ctl</QuestionIdentifier>"
                 "<FreeText>a&#65533;&#13;\n</FreeText></Answer>"
                 "</QuestionFormAnswers>");
    {
        int ascii = 1;
        for (size_t i = 0; i < b.len; i++)
            ascii &= (unsigned char)b.p[i] < 0x80;
        CHECK(ascii);
    }

    buf_reset(&b);
    CHECK_EQ_INT(question_answers_xml("{}", &b, &err), 0);
    CHECK(strstr(b.p, "<QuestionFormAnswers") != NULL && strstr(b.p, "<Answer>") == NULL);

    /* errors leave the buffer as it was */
    buf_reset(&b);
    buf_puts(&b, "keep");
    CHECK_EQ_INT(question_answers_xml("[1]", &b, &err), TS_EINVAL);
    CHECK_EQ_INT(question_answers_xml("{\"a\":", &b, &err), TS_EINVAL);
    CHECK(strstr(err.msg, "not valid JSON") != NULL);
    CHECK_EQ_INT(question_answers_xml("{\"a\":\"x\",\"b\":{\"c\":1}}", &b, &err), TS_EINVAL);
    CHECK_EQ_INT(question_answers_xml("{\"a\":\"\xff\"}", &b, &err), TS_EINVAL);
    CHECK_EQ_INT(question_answers_xml("{\"a\":\"x\",\"a\":\"y\"}", &b, &err), TS_EINVAL);
    CHECK_EQ_STR(b.p, "keep");
    buf_release(&b);

    {
        struct buf small = BUF_INIT(100);
        CHECK_EQ_INT(question_answers_xml("{\"a\":\"x\"}", &small, &err), TS_ETOOBIG);
        buf_release(&small);
    }
}

/* Several threads parse at once, good and bad documents, each seeing its own error. */
static void *parse_many(void *arg)
{
    long bad = 0;

    (void)arg;
    for (int i = 0; i < 200; i++) {
        struct question q;
        struct ts_error err = {0};
        int rc = parse(i % 2 ? "<HTMLQuestion xmlns=\"" HQ_NS "\"><HTMLContent>x</HTMLContent>"
                               "<FrameHeight>1</FrameHeight></HTMLQuestion>"
                             : "<HTMLQuestion>\n<oops></HTMLQuestion>",
                       &q, &err);
        if (i % 2 ? rc != 0 : (rc != TS_EINVAL || !strstr(err.msg, "line 2: ")))
            bad++;
        question_release(&q);
    }
    return (void *)bad;
}

static void test_threads(void)
{
    pthread_t t[4];
    void *bad;

    for (int i = 0; i < 4; i++)
        CHECK_EQ_INT(pthread_create(&t[i], NULL, parse_many, NULL), 0);
    for (int i = 0; i < 4; i++) {
        CHECK_EQ_INT(pthread_join(t[i], &bad), 0);
        CHECK(bad == NULL);
    }
}

CHECK_MAIN(test_html, test_external, test_bad, test_sizes, test_answers, test_threads)
