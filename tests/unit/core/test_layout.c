/* test_layout.c: filling HIT layouts (layout_fill): escaping, CDATA splitting, and the
 * parameter rules (every placeholder once, no unknown or repeated name). */
#include "core/layout.h"
#include "doc/question.h"

#include <stdlib.h>
#include <string.h>

#include "../../check.h"
#include "util/alloc.h"
#include "util/banned.h"

static struct hit_layout layout(const char *content, const char *names, int64_t height)
{
    struct hit_layout l;
    memset(&l, 0, sizeof l);
    memcpy(l.id, "LAYOUT1", 8);
    l.content = (char *)content;
    l.params_json = (char *)names;
    l.frame_height = height;
    return l;
}

static void test_fill(void)
{
    struct hit_layout l = layout("<p>${a} and ${b} cost $$5; ${a} again ]]> end</p>",
                                 "[\"a\",\"b\"]", 300);
    json_t *params = json_loads("[{\"Name\":\"b\",\"Value\":\"<i>x</i>\"},"
                                "{\"Name\":\"a\",\"Value\":\"A&B\"}]", 0, NULL);
    struct ts_error err = {0};
    struct question q = {0};
    char *xml = NULL;

    CHECK_EQ_INT(layout_fill(&l, params, &xml, &err), 0);
    CHECK(xml && strstr(xml, "<FrameHeight>300</FrameHeight>") != NULL);
    CHECK_EQ_INT(question_parse(xml, strlen(xml), &q, &err), 0);
    CHECK_EQ_INT(q.kind, QUESTION_HTML);
    CHECK_EQ_STR(q.html, "<p>A&amp;B and &lt;i&gt;x&lt;/i&gt; cost $5; A&amp;B again ]]> end</p>");
    question_release(&q);
    free(xml);
    json_decref(params);
}

struct bad_case {
    const char *params; /* JSON, or NULL for none */
    const char *msg;
};

static void test_bad(void)
{
    static const struct bad_case cases[] = {
        {NULL, "HITLayoutParameters lacks ${a}, a placeholder of HIT layout LAYOUT1"},
        {"[{\"Name\":\"a\",\"Value\":\"1\"}]", "HITLayoutParameters lacks ${b}"},
        {"[{\"Name\":\"a\",\"Value\":\"1\"},{\"Name\":\"b\",\"Value\":\"2\"},"
         "{\"Name\":\"c\",\"Value\":\"3\"}]", "names c, which HIT layout LAYOUT1 does not use"},
        {"[{\"Name\":\"a\",\"Value\":\"1\"},{\"Name\":\"a\",\"Value\":\"2\"}]", "names a twice"},
        {"[{\"Name\":\"a\",\"Value\":1}]", "HITLayoutParameters[0] must be"},
        {"[{\"Name\":\"a\"}]", "HITLayoutParameters[0] must be"},
        {"[{\"Name\":\"a\",\"Value\":\"1\",\"X\":1}]", "HITLayoutParameters[0] must be"},
        {"{\"a\":\"1\"}", "must be a list"},
    };
    struct hit_layout l = layout("<p>${a} ${b}</p>", "[\"a\",\"b\"]", 0);

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *p = cases[i].params ? json_loads(cases[i].params, 0, NULL) : NULL;
        struct ts_error err = {0};
        char *xml = (char *)"untouched";
        int rc = layout_fill(&l, p, &xml, &err);
        CHECK_EQ_INT(rc, TS_EINVAL);
        CHECK_EQ_STR(xml, "untouched");
        if (!strstr(err.msg, cases[i].msg))
            fprintf(stderr, "case %zu: \"%s\" lacks \"%s\"\n", i, err.msg, cases[i].msg);
        CHECK(strstr(err.msg, cases[i].msg) != NULL);
        json_decref(p);
    }

    /* a value that makes the Question too large */
    struct buf big = BUF_INIT(1 << 20);
    buf_puts(&big, "[{\"Name\":\"a\",\"Value\":\"");
    for (int i = 0; i < 12000; i++)
        buf_puts(&big, "<>");
    buf_puts(&big, "\"},{\"Name\":\"b\",\"Value\":\"\"}]");
    json_t *p = json_loads(big.p, 0, NULL);
    struct ts_error err = {0};
    char *xml = NULL;
    CHECK_EQ_INT(layout_fill(&l, p, &xml, &err), TS_ETOOBIG);
    CHECK(xml == NULL);
    json_decref(p);
    buf_release(&big);
}

CHECK_MAIN(test_fill, test_bad)
