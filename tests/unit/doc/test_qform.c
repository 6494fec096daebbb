/* test_qform.c: QuestionForm reading (valid, refused, hostile), the answer check, the
 * rendered page and its sanitised FormattedContent, posted forms, and the answers XML. */
#include "doc/qform.h"
#include "doc/question.h"

#include <stdlib.h>
#include <string.h>

#include "../../check.h"
#include "util/alloc.h"
#include "util/banned.h"

#define NS17 "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2017-11-06/QuestionForm.xsd"
#define NS05 "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionForm.xsd"

/* A form using most of the schema. */
static const char *const FORM =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<QuestionForm xmlns=\"" NS17 "\">\n"
    " <Overview><Title>Birds &amp; bees</Title><Text>Look &lt;carefully&gt;</Text>\n"
    "  <List><ListItem>one</ListItem><ListItem>two</ListItem></List>\n"
    "  <Binary><MimeType><Type>image</Type><SubType>png</SubType></MimeType>\n"
    "   <DataURL>https://example.com/a.png</DataURL><AltText>a bird</AltText></Binary>\n"
    "  <FormattedContent><![CDATA[<p onclick=\"evil()\">Hi <b>there</b><script>alert(1)</script>"
    "<a href=\"javascript:alert(1)\">x</a><a href=\"https://ok.example/\">ok</a>"
    "<img src=\"https://i.example/i.png\" onerror=\"x()\" alt=\"i\"/><marquee>kept text</marquee>"
    "<style>p{}</style></p>]]></FormattedContent>\n"
    " </Overview>\n"
    " <Question><QuestionIdentifier>species</QuestionIdentifier>\n"
    "  <DisplayName>Species</DisplayName><IsRequired>true</IsRequired>\n"
    "  <QuestionContent><Text>Which bird?</Text></QuestionContent>\n"
    "  <AnswerSpecification><SelectionAnswer>\n"
    "   <StyleSuggestion>radiobutton</StyleSuggestion>\n"
    "   <Selections>\n"
    "    <Selection><SelectionIdentifier>robin</SelectionIdentifier><Text>Robin</Text></Selection>\n"
    "    <Selection><SelectionIdentifier>crow</SelectionIdentifier>"
    "<FormattedContent><![CDATA[<i>Crow</i>]]></FormattedContent></Selection>\n"
    "    <OtherSelection><Constraints><Length minLength=\"2\" maxLength=\"20\"/></Constraints>"
    "</OtherSelection>\n"
    "   </Selections></SelectionAnswer></AnswerSpecification>\n"
    " </Question>\n"
    " <Question><QuestionIdentifier>colours</QuestionIdentifier>\n"
    "  <QuestionContent><Text>Colours?</Text></QuestionContent>\n"
    "  <AnswerSpecification><SelectionAnswer><MinSelectionCount>1</MinSelectionCount>\n"
    "   <MaxSelectionCount>2</MaxSelectionCount><StyleSuggestion>checkbox</StyleSuggestion>\n"
    "   <Selections>\n"
    "    <Selection><SelectionIdentifier>red</SelectionIdentifier><Text>Red</Text></Selection>\n"
    "    <Selection><SelectionIdentifier>blue</SelectionIdentifier><Text>Blue</Text></Selection>\n"
    "    <Selection><SelectionIdentifier>green</SelectionIdentifier><Text>Green</Text></Selection>\n"
    "   </Selections></SelectionAnswer></AnswerSpecification>\n"
    " </Question>\n"
    " <Question><QuestionIdentifier>count</QuestionIdentifier><IsRequired>true</IsRequired>\n"
    "  <QuestionContent><Text>How many?</Text></QuestionContent>\n"
    "  <AnswerSpecification><FreeTextAnswer><Constraints>"
    "<IsNumeric minValue=\"1\" maxValue=\"10\"/></Constraints>"
    "<DefaultText>3</DefaultText></FreeTextAnswer></AnswerSpecification>\n"
    " </Question>\n"
    " <Question><QuestionIdentifier>code</QuestionIdentifier>\n"
    "  <QuestionContent><Text>Code</Text></QuestionContent>\n"
    "  <AnswerSpecification><FreeTextAnswer><Constraints>"
    "<Length minLength=\"2\" maxLength=\"4\"/>"
    "<AnswerFormatRegex regex=\"^[a-z]+$\" errorText=\"letters only\" flags=\"i\"/>"
    "</Constraints><NumberOfLinesSuggestion>3</NumberOfLinesSuggestion></FreeTextAnswer>"
    "</AnswerSpecification>\n"
    " </Question>\n"
    "</QuestionForm>\n";

static int parse(const char *xml, struct qform *f, struct ts_error *err)
{
    memset(f, 0, sizeof *f);
    return qform_parse(xml, strlen(xml), f, err);
}

static void test_parse(void)
{
    struct qform f;
    struct ts_error err = {0};
    const struct qform_question *q;

    CHECK_EQ_INT(parse(FORM, &f, &err), 0);
    CHECK_EQ_INT(f.version, 2017);
    CHECK_EQ_INT(f.n_questions, 4);
    q = qform_find(&f, "species");
    CHECK(q != NULL);
    if (q) {
        CHECK_EQ_INT(q->kind, QFORM_SELECTION);
        CHECK_EQ_INT(q->required, 1);
        CHECK_EQ_STR(q->display_name, "Species");
        CHECK_EQ_INT(q->n_selections, 2);
        CHECK_EQ_STR(q->selections[1].id, "crow");
        CHECK_EQ_INT(q->other, 1);
        CHECK_EQ_INT(q->min_selections, 1);
        CHECK_EQ_INT(q->max_selections, 1);
        CHECK_EQ_INT(q->style, QFORM_STYLE_RADIOBUTTON);
    }
    q = qform_find(&f, "count");
    CHECK(q && q->kind == QFORM_FREETEXT && q->numeric && q->has_min && q->min_value == 1 &&
          q->max_value == 10);
    CHECK(q && q->default_text && strcmp(q->default_text, "3") == 0);
    q = qform_find(&f, "code");
    CHECK(q && q->regex && q->regex_icase && q->min_length == 2 && q->max_length == 4 &&
          q->lines == 3);
    CHECK(qform_find(&f, "nope") == NULL);
    qform_release(&f);
    CHECK_EQ_INT(f.n_questions, 0);

    /* through question_parse too */
    struct question qq = {0};
    CHECK_EQ_INT(question_parse(FORM, strlen(FORM), &qq, &err), 0);
    CHECK_EQ_INT(qq.kind, QUESTION_FORM);
    CHECK(qq.form && qq.form->n_questions == 4);
    question_release(&qq);
    CHECK(qq.form == NULL);
}

static void test_file_2005(void)
{
    struct qform f;
    struct ts_error err = {0};
    const char *xml05 =
        "<QuestionForm xmlns=\"" NS05 "\"><Question><QuestionIdentifier>f</QuestionIdentifier>"
        "<QuestionContent><Text>Upload</Text></QuestionContent><AnswerSpecification>"
        "<FileUploadAnswer><MaxFileSizeInBytes>1000</MaxFileSizeInBytes>"
        "<MinFileSizeInBytes>10</MinFileSizeInBytes></FileUploadAnswer></AnswerSpecification>"
        "</Question></QuestionForm>";
    char *xml17 = xstrdup(xml05);
    char *p = strstr(xml17, "2005-10-01");

    CHECK_EQ_INT(parse(xml05, &f, &err), 0);
    CHECK_EQ_INT(f.version, 2005);
    CHECK(f.n_questions == 1 && f.questions[0].kind == QFORM_FILEUPLOAD &&
          f.questions[0].max_file_size == 1000 && f.questions[0].min_file_size == 10);
    CHECK_EQ_INT(qform_check_answers(&f, "{\"f\":{\"UploadedFileKey\":\"k/1\","
                                         "\"UploadedFileSizeInBytes\":500}}", &err), 0);
    CHECK_EQ_INT(qform_check_answers(&f, "{\"f\":{\"UploadedFileKey\":\"k/1\","
                                         "\"UploadedFileSizeInBytes\":5000}}", &err), TS_EINVAL);
    CHECK(strstr(err.msg, "question \"f\": the file must have 10 to 1000 bytes") != NULL);
    CHECK_EQ_INT(qform_check_answers(&f, "{\"f\":\"text\"}", &err), TS_EINVAL);
    CHECK(strstr(err.msg, "UploadedFileKey") != NULL);
    struct buf b = BUF_INIT(4096);
    CHECK_EQ_INT(qform_answers_xml(&f, "{\"f\":{\"UploadedFileKey\":\"k/1\","
                                       "\"UploadedFileSizeInBytes\":500}}", &b, &err), 0);
    CHECK(strstr(b.p, "<Answer><QuestionIdentifier>f</QuestionIdentifier><UploadedFileSizeInBytes>"
                      "500</UploadedFileSizeInBytes><UploadedFileKey>k/1</UploadedFileKey>"
                      "</Answer>") != NULL);
    buf_reset(&b);
    CHECK_EQ_INT(qform_render_html(&f, "https://t.example/s", "A1", &b, &err), 0);
    CHECK(strstr(b.p, "enctype=\"multipart/form-data\"") != NULL);
    CHECK(strstr(b.p, "<input type=\"file\" name=\"f\">") != NULL);
    buf_release(&b);
    qform_release(&f);

    memcpy(p, "2017-11-06", 10);
    CHECK_EQ_INT(parse(xml17, &f, &err), TS_EINVAL);
    CHECK(strstr(err.msg, "FileUploadAnswer is only in the 2005-10-01") != NULL);
    free(xml17);
}

struct bad_case {
    const char *body; /* inside <QuestionForm xmlns=NS17> */
    const char *msg;
};

#define QSTART "<Question><QuestionIdentifier>q</QuestionIdentifier>" \
               "<QuestionContent><Text>t</Text></QuestionContent><AnswerSpecification>"
#define QEND "</AnswerSpecification></Question>"
#define SEL(x) "<Selection><SelectionIdentifier>" x "</SelectionIdentifier><Text>x</Text></Selection>"

static void test_bad(void)
{
    static const struct bad_case cases[] = {
        {"", "needs at least one <Question>"},
        {"<Overview><Text>x</Text></Overview>", "needs at least one <Question>"},
        {"<Bogus/>", "QuestionForm does not allow <Bogus>"},
        {"<Overview><Application><JavaApplet/></Application></Overview>" QSTART
         "<FreeTextAnswer/>" QEND,
         "<Application> is not supported"},
        {"<Overview><Flash/></Overview>", "<Flash> is not supported"},
        {"<Overview><Marquee/></Overview>", "<Overview> does not allow <Marquee>"},
        {"<Overview></Overview>", "<Overview> needs some content"},
        {QSTART "<FreeTextAnswer/>" QEND QSTART "<FreeTextAnswer/>" QEND,
         "QuestionIdentifier \"q\" is used twice"},
        {"<Question><QuestionContent><Text>t</Text></QuestionContent></Question>",
         "starts with <QuestionIdentifier>"},
        {"<Question><QuestionIdentifier>q</QuestionIdentifier></Question>",
         "question \"q\" needs QuestionIdentifier, QuestionContent and AnswerSpecification"},
        {"<Question><QuestionIdentifier></QuestionIdentifier></Question>", "1 to 255 bytes"},
        {"<Question><QuestionIdentifier>assignmentId</QuestionIdentifier></Question>",
         "\"assignmentId\" cannot be"},
        {QSTART QEND, "AnswerSpecification needs FreeTextAnswer"},
        {QSTART "<FreeTextAnswer/><FreeTextAnswer/>" QEND, "exactly one answer element"},
        {QSTART "<Essay/>" QEND, "<AnswerSpecification> does not allow <Essay>"},
        {QSTART "<FreeTextAnswer><Constraints><AnswerFormatRegex regex=\"(\"/></Constraints>"
         "</FreeTextAnswer>" QEND,
         "is not a POSIX extended regular expression"},
        {QSTART "<FreeTextAnswer><Constraints><AnswerFormatRegex regex=\"a\" flags=\"g\"/>"
         "</Constraints></FreeTextAnswer>" QEND,
         "flags may only be"},
        {QSTART "<FreeTextAnswer><Constraints><IsNumeric minValue=\"5\" maxValue=\"1\"/>"
         "</Constraints></FreeTextAnswer>" QEND,
         "minValue is above maxValue"},
        {QSTART "<FreeTextAnswer><Constraints><IsNumeric minValue=\"x\"/>"
         "</Constraints></FreeTextAnswer>" QEND,
         "<IsNumeric minValue> must be an integer"},
        {QSTART "<FreeTextAnswer><Constraints><Length minLength=\"5\" maxLength=\"1\"/>"
         "</Constraints></FreeTextAnswer>" QEND,
         "minLength is above maxLength"},
        {QSTART "<FreeTextAnswer><DefaultText>a</DefaultText><Constraints/></FreeTextAnswer>" QEND,
         "<FreeTextAnswer> does not allow <Constraints> here"},
        {QSTART "<SelectionAnswer/>" QEND, "SelectionAnswer needs <Selections>"},
        {QSTART "<SelectionAnswer><Selections/></SelectionAnswer>" QEND,
         "needs at least one <Selection>"},
        {QSTART "<SelectionAnswer><Selections>" SEL("a") SEL("a") "</Selections></SelectionAnswer>"
         QEND, "SelectionIdentifier \"a\" is used twice"},
        {QSTART "<SelectionAnswer><MinSelectionCount>3</MinSelectionCount><MaxSelectionCount>2"
                "</MaxSelectionCount><Selections>" SEL("a") "</Selections></SelectionAnswer>" QEND,
         "MinSelectionCount is above MaxSelectionCount"},
        {QSTART "<SelectionAnswer><MinSelectionCount>2</MinSelectionCount><MaxSelectionCount>2"
                "</MaxSelectionCount><Selections>" SEL("a") "</Selections></SelectionAnswer>" QEND,
         "MinSelectionCount is more than the choices"},
        {QSTART "<SelectionAnswer><StyleSuggestion>wheel</StyleSuggestion><Selections>" SEL("a")
                "</Selections></SelectionAnswer>" QEND,
         "StyleSuggestion must be radiobutton"},
        {QSTART "<SelectionAnswer><Selections><Selection><Text>x</Text></Selection></Selections>"
                "</SelectionAnswer>" QEND,
         "<Selection> holds a SelectionIdentifier then"},
        {QSTART "<SelectionAnswer><Selections>" SEL("a") "<OtherSelection/>" SEL("b")
                "</Selections></SelectionAnswer>" QEND,
         "at most one OtherSelection, last"},
        {QSTART "<FileUploadAnswer><MaxFileSizeInBytes>1</MaxFileSizeInBytes>"
                "<MinFileSizeInBytes>0</MinFileSizeInBytes></FileUploadAnswer>" QEND,
         "FileUploadAnswer is only in the 2005-10-01"},
        {"<Overview><Binary><MimeType><Type>image</Type></MimeType><DataURL>javascript:alert(1)"
         "</DataURL><AltText>a</AltText></Binary></Overview>",
         "DataURL must be an http:// or https:// URL"},
        {"<Overview><Binary><MimeType><Type>Image</Type></MimeType><DataURL>https://a/</DataURL>"
         "<AltText>a</AltText></Binary></Overview>",
         "<MimeType> needs a Type"},
        {"<Overview><Binary><DataURL>https://a/</DataURL></Binary></Overview>",
         "<Binary> needs MimeType, DataURL and AltText"},
        {"<Overview><List/></Overview>", "<List> needs at least one <ListItem>"},
        {"<Overview><List><Item/></List></Overview>", "<List> holds only <ListItem>"},
        {"<Overview><Text>a<b/></Text></Overview>", "<Text> must hold only text"},
        {"<Overview><FormattedContent><![CDATA[<p>unclosed]]></FormattedContent></Overview>",
         "FormattedContent is not well-formed XML"},
        {"<Overview><FormattedContent><![CDATA[<p>&nbsp;</p>]]></FormattedContent></Overview>",
         "FormattedContent is not well-formed XML"},
        {"<Overview><FormattedContent><![CDATA[<!DOCTYPE x [<!ENTITY e \"x\">]><p/>]]>"
         "</FormattedContent></Overview>",
         "FormattedContent is not well-formed XML"},
        {"stray", "has text outside its elements"},
        {"<x:Overview xmlns:x=\"urn:x\"/>", "must be in the namespace"},
        {QSTART "<FreeTextAnswer/>" QEND
         "<Question><QuestionIdentifier>q.OtherSelectionText</QuestionIdentifier>"
         "<QuestionContent><Text>t</Text></QuestionContent><AnswerSpecification>"
         "<FreeTextAnswer/>" QEND,
         "must not end in \".OtherSelectionText\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct buf b = BUF_INIT(70000);
        struct qform f;
        struct ts_error err = {0};
        buf_printf(&b, "<QuestionForm xmlns=\"" NS17 "\">%s</QuestionForm>", cases[i].body);
        memset(&f, 0xa5, sizeof f);
        int rc = qform_parse(b.p, b.len, &f, &err);
        CHECK_EQ_INT(rc, TS_EINVAL);
        if (!strstr(err.msg, cases[i].msg))
            fprintf(stderr, "case %zu: \"%s\" lacks \"%s\"\n", i, err.msg, cases[i].msg);
        CHECK(strstr(err.msg, cases[i].msg) != NULL);
        CHECK(f.questions == (void *)(uintptr_t)0xa5a5a5a5a5a5a5a5ull); /* untouched */
        buf_release(&b);
    }
}

static void test_hostile(void)
{
    struct qform f;
    struct ts_error err = {0};
    static const char *const docs[] = {
        "<!DOCTYPE QuestionForm [<!ENTITY x \"boom\">]><QuestionForm xmlns=\"" NS17 "\"/>",
        "<!DOCTYPE QuestionForm SYSTEM \"http://evil.example/x.dtd\"><QuestionForm/>",
        "<QuestionForm xmlns=\"" NS17 "\"><Overview><Text>&x;</Text></Overview></QuestionForm>",
        "<QuestionForm xmlns=\"urn:other\"/>",
        "<QuestionForm/>",
        "<HTMLQuestion/>",
        "",
        "<QuestionForm xmlns=\"" NS17 "\"><Overview>",
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        int rc = parse(docs[i], &f, &err);
        CHECK_EQ_INT(rc, TS_EINVAL);
    }
    CHECK(strstr((parse(docs[0], &f, &err), err.msg), "must not contain a DOCTYPE") != NULL);
    CHECK(strstr((parse(docs[3], &f, &err), err.msg), "must have xmlns=") != NULL);

    struct buf big = BUF_INIT(200000);
    buf_puts(&big, "<QuestionForm xmlns=\"" NS17 "\">");
    while (big.len <= QUESTION_MAX_BYTES)
        buf_puts(&big, "<Overview><Text>padding padding</Text></Overview>");
    buf_puts(&big, "</QuestionForm>");
    CHECK_EQ_INT(qform_parse(big.p, big.len, &f, &err), TS_ETOOBIG);
    buf_reset(&big);
    buf_puts(&big, "<QuestionForm xmlns=\"" NS17 "\">");
    for (int i = 0; i <= QFORM_MAX_QUESTIONS; i++)
        buf_printf(&big, "<Question><QuestionIdentifier>%d</QuestionIdentifier><QuestionContent>"
                         "<Text>t</Text></QuestionContent><AnswerSpecification><FreeTextAnswer/>"
                         "</AnswerSpecification></Question>", i);
    buf_puts(&big, "</QuestionForm>");
    CHECK_EQ_INT(qform_parse(big.p, big.len, &f, &err), TS_EINVAL);
    CHECK(strstr(err.msg, "more than 200 questions") != NULL);
    buf_release(&big);
}

struct answer_case {
    const char *json;
    const char *msg; /* NULL: accepted */
};

static void test_check(void)
{
    static const struct answer_case cases[] = {
        {"{\"species\":\"robin\",\"count\":\"4\"}", NULL},
        {"{\"assignmentId\":\"X\",\"species\":\"crow\",\"count\":\"10\",\"colours\":[\"red\","
         "\"blue\"],\"code\":\"AbC\"}", NULL},
        {"{\"species\":{\"OtherSelectionText\":\"owl\"},\"count\":\"1\"}", NULL},
        {"{\"species\":[{\"OtherSelectionText\":\"owl\"}],\"count\":\"1.0\"}", NULL},
        {"{\"species\":\"robin\",\"count\":4}", NULL},
        {"{\"species\":\"robin\",\"count\":\"4\",\"colours\":[],\"code\":\"\"}", NULL},
        {"{\"species\":\"robin\"}", "question \"count\" is required"},
        {"{\"count\":\"4\"}", "question \"species\" is required"},
        {"{\"species\":\"\",\"count\":\"4\"}", "question \"species\" is required"},
        {"{\"species\":\"eagle\",\"count\":\"4\"}", "question \"species\" has no selection \"eagle\""},
        {"{\"species\":[\"robin\",\"crow\"],\"count\":\"4\"}",
         "question \"species\" allows at most 1 selection"},
        {"{\"species\":[\"robin\",{\"OtherSelectionText\":\"owl\"}],\"count\":\"4\"}",
         "question \"species\" allows at most 1 selection"},
        {"{\"species\":{\"OtherSelectionText\":\"o\"},\"count\":\"4\"}",
         "question \"species\": the answer needs at least 2 characters"},
        {"{\"species\":{\"OtherSelectionText\":\"\"},\"count\":\"4\"}", "OtherSelectionText is empty"},
        {"{\"species\":7,\"count\":\"4\"}", "question \"species\" takes SelectionIdentifiers"},
        {"{\"species\":\"robin\",\"count\":\"4\",\"colours\":[\"red\",\"red\"]}",
         "\"red\" is selected twice"},
        {"{\"species\":\"robin\",\"count\":\"4\",\"colours\":[\"red\",\"blue\",\"green\"]}",
         "question \"colours\" allows at most 2 selections"},
        {"{\"species\":\"robin\",\"count\":\"4\",\"colours\":{\"OtherSelectionText\":\"pink\"}}",
         "question \"colours\" offers no OtherSelection"},
        {"{\"species\":\"robin\",\"count\":\"11\"}", "question \"count\": the answer must be at most 10"},
        {"{\"species\":\"robin\",\"count\":\"10.5\"}", "question \"count\": the answer must be at most 10"},
        {"{\"species\":\"robin\",\"count\":\"0.5\"}", "question \"count\": the answer must be at least 1"},
        {"{\"species\":\"robin\",\"count\":\"-3\"}", "must be at least 1"},
        {"{\"species\":\"robin\",\"count\":\"four\"}", "the answer must be a number"},
        {"{\"species\":\"robin\",\"count\":\"1e3\"}", "the answer must be a number"},
        {"{\"species\":\"robin\",\"count\":\"\"}", "question \"count\" is required"},
        {"{\"species\":\"robin\",\"count\":\"4\",\"code\":\"a\"}", "needs at least 2 characters"},
        {"{\"species\":\"robin\",\"count\":\"4\",\"code\":\"abcde\"}", "at most 4 characters"},
        {"{\"species\":\"robin\",\"count\":\"4\",\"code\":\"a1\"}", "question \"code\": letters only"},
        {"{\"species\":\"robin\",\"count\":\"4\",\"code\":[\"ab\"]}", "question \"code\" takes text"},
        {"{\"species\":\"robin\",\"count\":\"4\",\"extra\":\"x\"}", "the form has no question \"extra\""},
        {"[1]", "answers must be a JSON object"},
        {"not json", "answers must be a JSON object"},
    };
    struct qform f;
    struct ts_error err = {0};

    CHECK_EQ_INT(parse(FORM, &f, &err), 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(&err, 0, sizeof err);
        int rc = qform_check_answers(&f, cases[i].json, &err);
        if (!cases[i].msg) {
            if (rc)
                fprintf(stderr, "case %zu refused: %s\n", i, err.msg);
            CHECK_EQ_INT(rc, 0);
        } else {
            CHECK_EQ_INT(rc, TS_EINVAL);
            if (!strstr(err.msg, cases[i].msg))
                fprintf(stderr, "case %zu: \"%s\" lacks \"%s\"\n", i, err.msg, cases[i].msg);
            CHECK(strstr(err.msg, cases[i].msg) != NULL);
        }
    }
    qform_release(&f);
}

static void test_render(void)
{
    struct qform f;
    struct ts_error err = {0};
    struct buf b = BUF_INIT(1 << 20);

    CHECK_EQ_INT(parse(FORM, &f, &err), 0);
    CHECK_EQ_INT(qform_render_html(&f, "https://t.example/mturk/externalSubmit?a=1&b=2", "A\"1",
                                   &b, &err), 0);
    CHECK(strstr(b.p, "<form method=\"POST\" action=\"https://t.example/mturk/externalSubmit?a=1&amp;b=2\">") != NULL);
    CHECK(strstr(b.p, "<input type=\"hidden\" name=\"assignmentId\" value=\"A&quot;1\">") != NULL);
    CHECK(strstr(b.p, "<h2>Birds &amp; bees</h2>") != NULL);
    CHECK(strstr(b.p, "<p>Look &lt;carefully&gt;</p>") != NULL);
    CHECK(strstr(b.p, "<li>one</li><li>two</li>") != NULL);
    CHECK(strstr(b.p, "<img src=\"https://example.com/a.png\" alt=\"a bird\">") != NULL);
    /* sanitised FormattedContent */
    CHECK(strstr(b.p, "<p>Hi <b>there</b>") != NULL);
    CHECK(strstr(b.p, "script") == NULL);
    CHECK(strstr(b.p, "onclick") == NULL);
    CHECK(strstr(b.p, "onerror") == NULL);
    CHECK(strstr(b.p, "javascript:") == NULL);
    CHECK(strstr(b.p, "p{}") == NULL);
    CHECK(strstr(b.p, "kept text") != NULL);
    CHECK(strstr(b.p, "marquee") == NULL);
    CHECK(strstr(b.p, "<a rel=\"noopener noreferrer\" target=\"_blank\">x</a>") != NULL);
    CHECK(strstr(b.p, "<a href=\"https://ok.example/\" rel=\"noopener noreferrer\" target=\"_blank\">ok</a>") != NULL);
    CHECK(strstr(b.p, "<img src=\"https://i.example/i.png\" alt=\"i\">") != NULL);
    /* fields */
    CHECK(strstr(b.p, "<input type=\"radio\" name=\"species\" value=\"robin\"> <span>Robin</span>") != NULL);
    CHECK(strstr(b.p, "value=\"crow\"> <span class=\"fc\"><i>Crow</i></span>") != NULL);
    CHECK(strstr(b.p, "name=\"species.OtherSelectionText\"") != NULL);
    CHECK(strstr(b.p, "<input type=\"checkbox\" name=\"colours\" value=\"green\">") != NULL);
    CHECK(strstr(b.p, "<input type=\"text\" size=\"60\" name=\"count\" value=\"3\" required>") != NULL);
    CHECK(strstr(b.p, "<textarea rows=\"3\" cols=\"60\" name=\"code\">") != NULL);
    CHECK(strstr(b.p, "multipart") == NULL);
    CHECK(strstr(b.p, "<legend>Species <span class=\"req\">*</span></legend>") != NULL);

    struct buf small = BUF_INIT(100);
    CHECK_EQ_INT(qform_render_html(&f, "u", "a", &small, &err), TS_ETOOBIG);
    buf_release(&small);
    buf_release(&b);
    qform_release(&f);
}

static void test_post_and_xml(void)
{
    struct qform f;
    struct ts_error err = {0};
    struct buf b = BUF_INIT(1 << 16);
    char *a;

    CHECK_EQ_INT(parse(FORM, &f, &err), 0);
    a = qform_from_post(&f, "{\"assignmentId\":\"A1\",\"species\":\"\",\"species.OtherSelectionText\":"
                            "\"owl\",\"colours\":[\"red\",\"blue\"],\"count\":\"4\",\"code\":\"\"}",
                        &err);
    CHECK_EQ_STR(a, "{\"colours\":[\"red\",\"blue\"],\"count\":\"4\",\"species\":"
                    "{\"OtherSelectionText\":\"owl\"}}");
    CHECK_EQ_INT(qform_check_answers(&f, a, &err), 0);
    free(a);
    a = qform_from_post(&f, "{\"species\":\"robin\",\"colours\":\"green\",\"count\":\"2\"}", &err);
    CHECK_EQ_STR(a, "{\"species\":\"robin\",\"colours\":[\"green\"],\"count\":\"2\"}");
    free(a);
    CHECK(qform_from_post(&f, "[]", &err) == NULL);

    CHECK_EQ_INT(qform_answers_xml(&f, "{\"assignmentId\":\"A\",\"species\":[\"robin\","
                                       "{\"OtherSelectionText\":\"\\u00e9 & <x>\"}],\"colours\":"
                                       "[\"red\",\"blue\"],\"count\":\"4\",\"colours2\":7}",
                                   &b, &err), 0);
    CHECK_EQ_STR(b.p,
                 "<?xml version=\"1.0\" encoding=\"ASCII\"?><QuestionFormAnswers xmlns=\""
                 "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/"
                 "QuestionFormAnswers.xsd\">"
                 "<Answer><QuestionIdentifier>species</QuestionIdentifier><SelectionIdentifier>"
                 "robin</SelectionIdentifier><OtherSelectionText>&#233; &amp; &lt;x&gt;"
                 "</OtherSelectionText></Answer>"
                 "<Answer><QuestionIdentifier>colours</QuestionIdentifier><SelectionIdentifier>red"
                 "</SelectionIdentifier><SelectionIdentifier>blue</SelectionIdentifier></Answer>"
                 "<Answer><QuestionIdentifier>count</QuestionIdentifier><FreeText>4</FreeText>"
                 "</Answer>"
                 "<Answer><QuestionIdentifier>colours2</QuestionIdentifier><FreeText>7</FreeText>"
                 "</Answer></QuestionFormAnswers>");
    buf_reset(&b);
    buf_puts(&b, "keep");
    CHECK_EQ_INT(qform_answers_xml(&f, "{\"species\":[1]}", &b, &err), TS_EINVAL);
    CHECK_EQ_STR(b.p, "keep");
    CHECK_EQ_INT(qform_answers_xml(&f, "nope", &b, &err), TS_EINVAL);
    CHECK_EQ_STR(b.p, "keep");
    buf_release(&b);
    qform_release(&f);
}

/* Whitespace between elements is text in XHTML: it must survive sanitising. */
static void test_formatted_spaces(void)
{
    struct qform f;
    struct ts_error err = {0};
    struct buf b = BUF_INIT(1 << 16);
    const char *xml =
        "<QuestionForm xmlns=\"" NS17 "\"><Overview><FormattedContent><![CDATA[<p><b>a</b> "
        "<i>b</i> <table><tr><td>1</td><td>2</td></tr></table></p>]]></FormattedContent>"
        "</Overview><Question><QuestionIdentifier>q</QuestionIdentifier><QuestionContent>"
        "<Text>t</Text></QuestionContent><AnswerSpecification><FreeTextAnswer/>"
        "</AnswerSpecification></Question></QuestionForm>";

    CHECK_EQ_INT(parse(xml, &f, &err), 0);
    CHECK_EQ_INT(qform_render_html(&f, "u", "a", &b, &err), 0);
    CHECK(strstr(b.p, "<p><b>a</b> <i>b</i> <table><tr><td>1</td><td>2</td></tr></table></p>") !=
          NULL);
    buf_release(&b);
    qform_release(&f);
}

/* The parsed-object entry points agree with the text ones, byte for byte, errors
 * included; the text ones are a parse in front of them. */
static void test_obj_variants(void)
{
    static const char *const answers[] = {
        "{\"assignmentId\":\"A\",\"species\":[\"robin\",{\"OtherSelectionText\":\"x\"}],"
        "\"colours\":[\"red\"],\"count\":\"4\"}",
        "{\"species\":\"robin\",\"colours\":[\"red\",\"red\"],\"count\":\"4\"}",
        "{\"species\":\"robin\",\"colours\":\"red\",\"count\":4.5}",
        "{\"species\":[1],\"count\":\"4\"}",
        "{\"nope\":\"x\"}",
        "{}",
        "[1]",
    };
    static const char *const posted[] = {
        "{\"assignmentId\":\"A1\",\"species\":\"\",\"species.OtherSelectionText\":\"owl\","
        "\"colours\":[\"red\",\"blue\"],\"count\":\"4\",\"code\":\"\"}",
        "{\"species\":\"robin\",\"colours\":\"green\",\"count\":\"2\"}",
        "{\"species\":[\"robin\",\"\"],\"species.OtherSelectionText\":[\"a\",\"b\"]}",
        "[]",
        "\"text\"",
    };
    struct qform f;
    struct ts_error e1 = {0}, e2 = {0};

    CHECK_EQ_INT(parse(FORM, &f, &e1), 0);
    for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++) {
        json_t *o = json_loads(answers[i], JSON_REJECT_DUPLICATES, NULL);
        struct buf x1 = BUF_INIT(1 << 16), x2 = BUF_INIT(1 << 16);
        memset(&e1, 0, sizeof e1);
        memset(&e2, 0, sizeof e2);
        CHECK_EQ_INT(qform_check_answers_obj(&f, o, &e1), qform_check_answers(&f, answers[i], &e2));
        CHECK_EQ_STR(e1.msg, e2.msg);
        memset(&e1, 0, sizeof e1);
        memset(&e2, 0, sizeof e2);
        CHECK_EQ_INT(qform_answers_xml_obj(&f, o, &x1, &e1),
                     qform_answers_xml(&f, answers[i], &x2, &e2));
        CHECK_EQ_STR(e1.msg, e2.msg);
        CHECK_EQ_STR(x1.p, x2.p);
        memset(&e1, 0, sizeof e1);
        memset(&e2, 0, sizeof e2);
        CHECK_EQ_INT(question_answers_xml_obj(o, &x1, &e1), question_answers_xml(answers[i], &x2, &e2));
        CHECK_EQ_STR(e1.msg, e2.msg);
        CHECK_EQ_STR(x1.p, x2.p);
        buf_release(&x1);
        buf_release(&x2);
        json_decref(o);
    }
    for (size_t i = 0; i < sizeof posted / sizeof posted[0]; i++) {
        json_t *in = json_loads(posted[i], JSON_DECODE_ANY, NULL);
        json_t *o;
        char *t, *d;
        memset(&e1, 0, sizeof e1);
        memset(&e2, 0, sizeof e2);
        o = qform_from_post_obj(&f, in, &e1);
        t = qform_from_post(&f, posted[i], &e2);
        d = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        CHECK((o == NULL) == (t == NULL));
        if (d && t)
            CHECK_EQ_STR(d, t);
        CHECK_EQ_STR(e1.msg, e2.msg);
        free(d);
        free(t);
        json_decref(o);
        json_decref(in);
    }
    /* A posted string with a NUL (only json_stringn_nocheck makes one) is refused as the
     * form's JSON text would have been. */
    {
        json_t *in = json_object();
        json_object_set_new(in, "count", json_stringn_nocheck("4\0", 2));
        memset(&e1, 0, sizeof e1);
        CHECK(qform_from_post_obj(&f, in, &e1) == NULL);
        CHECK_EQ_STR(e1.msg, "the posted form must be a JSON object of field: value");
        json_decref(in);
        memset(&e1, 0, sizeof e1);
        CHECK(qform_from_post_obj(&f, NULL, &e1) == NULL);
        CHECK_EQ_STR(e1.msg, "the posted form must be a JSON object of field: value");
    }
    memset(&e1, 0, sizeof e1);
    CHECK_EQ_INT(qform_check_answers_obj(&f, NULL, &e1), TS_EINVAL);
    CHECK_EQ_STR(e1.msg, "answers must be a JSON object of QuestionIdentifier: answer");
    qform_release(&f);
}

CHECK_MAIN(test_formatted_spaces, test_parse, test_file_2005, test_bad, test_hostile, test_check, test_render,
           test_post_and_xml, test_obj_variants)
