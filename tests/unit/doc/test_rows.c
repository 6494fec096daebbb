/* test_rows.c: CSV and JSON Lines batch input, row JSON, and ${name} templates. */
#include "doc/rows.h"

#include <stdlib.h>
#include <string.h>

#include "../../check.h"
#include "util/alloc.h"
#include "util/banned.h"

static const char *cell(const struct rows *r, size_t row, size_t col)
{
    return r->cells[row * r->ncols + col];
}

static int csv(const char *text, struct rows *r, struct ts_error *err)
{
    memset(r, 0, sizeof *r);
    return rows_parse_csv(text, strlen(text), 100, r, err);
}

static int jsonl(const char *text, struct rows *r, struct ts_error *err)
{
    memset(r, 0, sizeof *r);
    return rows_parse_jsonl(text, strlen(text), 100, r, err);
}

static void test_csv_basic(void)
{
    struct rows r;
    struct ts_error err = {0};

    CHECK_EQ_INT(csv("\xef\xbb\xbfimage_url,label\r\n"
                     "https://x/1.jpg,\"cat, or dog\"\r\n"
                     "\"https://x/2.jpg\",\"say \"\"hi\"\"\"\r\n"
                     "u3,\"two\r\nlines\"\r\n"
                     ",\r\n",
                     &r, &err),
                 0);
    CHECK_EQ_INT(r.ncols, 2);
    CHECK_EQ_INT(r.nrows, 4);
    CHECK_EQ_STR(r.cols[0], "image_url");
    CHECK_EQ_STR(r.cols[1], "label");
    CHECK_EQ_STR(cell(&r, 0, 1), "cat, or dog");
    CHECK_EQ_STR(cell(&r, 1, 0), "https://x/2.jpg");
    CHECK_EQ_STR(cell(&r, 1, 1), "say \"hi\"");
    CHECK_EQ_STR(cell(&r, 2, 1), "two\r\nlines");
    CHECK_EQ_STR(cell(&r, 3, 0), "");
    CHECK_EQ_STR(cell(&r, 3, 1), "");
    rows_release(&r);
    CHECK(r.cells == NULL && r.nrows == 0);

    /* LF, no final newline, blank lines skipped, UTF-8 kept */
    CHECK_EQ_INT(csv("a\n\nx\ny\n\n\xc3\xa9", &r, &err), 0);
    CHECK_EQ_INT(r.nrows, 3);
    CHECK_EQ_STR(cell(&r, 2, 0), "\xc3\xa9");
    rows_release(&r);

    /* embedded LF newline inside quotes, and a quoted empty last field */
    CHECK_EQ_INT(csv("a,b\n\"1\n2\",\"\"", &r, &err), 0);
    CHECK_EQ_STR(cell(&r, 0, 0), "1\n2");
    CHECK_EQ_STR(cell(&r, 0, 1), "");
    rows_release(&r);
}

struct bad_case {
    const char *text;
    int code;
    const char *msg;
};

static void test_csv_errors(void)
{
    static const struct bad_case cases[] = {
        {"a,b\n1,2\n3\n", TS_EINVAL, "line 3: row has 1 fields but the header has 2"},
        {"a,b\n1,2,3\n", TS_EINVAL, "line 2: row has more than 2 fields"},
        {"a,b\n\"x\ny\",1\n2\n", TS_EINVAL, "line 4: row has 1 fields"},
        {"a,b\n1,\"open\n", TS_EINVAL, "line 2: the quoted field that starts here is never closed"},
        {"a,b\n1,\"x\"y\n", TS_EINVAL, "line 2: text after the closing quote of field 2"},
        {"a,,c\n1,2,3\n", TS_EINVAL, "line 1: column 2 has an empty name"},
        {"a,b,a\n1,2,3\n", TS_EINVAL, "column \"a\" appears twice"},
        {"a,1b\n1,2\n", TS_EINVAL, "column name \"1b\" is not valid"},
        {"a,b c\n1,2\n", TS_EINVAL, "column name \"b c\" is not valid"},
        {"a\n", TS_EINVAL, "CSV has no data rows"},
        {"", TS_EINVAL, "CSV is empty"},
        {"\n\r\n", TS_EINVAL, "CSV is empty"},
        {"a\n\xff\n", TS_EINVAL, "line 2: field 1 is not valid UTF-8"},
        {"a\nx\x01y\n", TS_EINVAL, "control character"},
    };
    struct rows r;
    struct ts_error err;
    char big[2048];
    size_t len;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(&err, 0, sizeof err);
        CHECK_EQ_INT(csv(cases[i].text, &r, &err), cases[i].code);
        if (!strstr(err.msg, cases[i].msg)) {
            CHECK_EQ_STR(err.msg, cases[i].msg);
            fprintf(stderr, "  (case %zu)\n", i);
        }
        CHECK(r.cells == NULL && r.cols == NULL);
    }

    /* max_rows */
    len = (size_t)snprintf(big, sizeof big, "a\n1\n2\n3\n");
    memset(&r, 0, sizeof r);
    CHECK_EQ_INT(rows_parse_csv(big, len, 3, &r, &err), 0);
    rows_release(&r);
    CHECK_EQ_INT(rows_parse_csv(big, len, 2, &r, &err), TS_ETOOBIG);
    CHECK(strstr(err.msg, "line 4: more than 2 rows") != NULL);
    /* a 65-character column name */
    memset(big, 'n', 65);
    memcpy(big + 65, "\n1\n", 4);
    CHECK_EQ_INT(csv(big, &r, &err), TS_EINVAL);
    memcpy(big + 64, "\n1\n", 4);
    CHECK_EQ_INT(csv(big, &r, &err), 0);
    rows_release(&r);
}

static void test_jsonl(void)
{
    struct rows r;
    struct ts_error err = {0};
    char *js;

    CHECK_EQ_INT(jsonl("{\"url\":\"https://x/1\",\"n\":1.50,\"big\":12345678901234567890,\"ok\":true,\"z\":null}\r\n"
                       "\n"
                       "  {\"ok\":false,\"n\":-2e3,\"url\":\"caf\\u00e9 <b>\",\"big\":0,\"z\":\"\"}\n",
                       &r, &err),
                 0);
    if (r.ncols != 5) {
        CHECK_EQ_STR(err.msg, "");
        return;
    }
    CHECK_EQ_INT(r.nrows, 2);
    CHECK_EQ_STR(r.cols[0], "url");
    CHECK_EQ_STR(r.cols[4], "z");
    CHECK_EQ_STR(cell(&r, 0, 1), "1.50");
    CHECK_EQ_STR(cell(&r, 0, 2), "12345678901234567890");
    CHECK_EQ_STR(cell(&r, 0, 3), "true");
    CHECK_EQ_STR(cell(&r, 0, 4), "");
    CHECK_EQ_STR(cell(&r, 1, 0), "caf\xc3\xa9 <b>");
    CHECK_EQ_STR(cell(&r, 1, 1), "-2e3");
    CHECK_EQ_STR(cell(&r, 1, 3), "false");
    js = rows_row_json(&r, 1);
    CHECK_EQ_STR(js, "{\"url\":\"caf\xc3\xa9 <b>\",\"n\":\"-2e3\",\"big\":\"0\",\"ok\":\"false\",\"z\":\"\"}");
    free(js);
    CHECK(rows_row_json(&r, 2) == NULL);
    rows_release(&r);

    {
        static const struct bad_case cases[] = {
            {"{\"a\":1}\n{\"a\":2,\"b\":3}\n", TS_EINVAL, "line 2: key \"b\" is not in the first line"},
            {"{\"a\":1,\"b\":2}\n\n{\"a\":2}\n", TS_EINVAL, "line 3: key \"b\" is missing"},
            {"{\"a\":1}\n{\"a\":[1]}\n", TS_EINVAL, "line 2: value of \"a\" must be a string"},
            {"{\"a\":1}\n{\"a\":\n", TS_EINVAL, "line 2: not valid JSON"},
            {"[1]\n", TS_EINVAL, "line 1: must be a JSON object"},
            {"{}\n", TS_EINVAL, "line 1: the first object has no keys"},
            {"{\"a b\":1}\n", TS_EINVAL, "column name \"a b\" is not valid"},
            {"{\"a\":1,\"a\":2}\n", TS_EINVAL, "line 1: not valid JSON"},
            {"\n\n", TS_EINVAL, "is empty"},
            {"{\"a\":\"x\\u0002\"}\n", TS_EINVAL, "control character"},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            memset(&err, 0, sizeof err);
            CHECK_EQ_INT(jsonl(cases[i].text, &r, &err), cases[i].code);
            if (!strstr(err.msg, cases[i].msg)) {
                CHECK_EQ_STR(err.msg, cases[i].msg);
                fprintf(stderr, "  (case %zu)\n", i);
            }
        }
    }
    memset(&r, 0, sizeof r);
    CHECK_EQ_INT(rows_parse_jsonl("{\"a\":1}\n{\"a\":2}\n{\"a\":3}", 23, 2, &r, &err), TS_ETOOBIG);
    CHECK(strstr(err.msg, "line 3") != NULL);
}

static void test_jsonl_many_keys(void)
{
    /* key order must follow the text even when jansson's table grows */
    struct buf b = BUF_INIT(1 << 16);
    struct rows r = {0};
    struct ts_error err = {0};
    int ok = 1;

    buf_putc(&b, '{');
    for (int i = 0; i < 200; i++)
        buf_printf(&b, "%s\"k%d\":%d.0", i ? "," : "", 199 - i, i);
    buf_puts(&b, "}\n");
    CHECK_EQ_INT(rows_parse_jsonl(b.p, b.len, 10, &r, &err), 0);
    CHECK_EQ_INT(r.ncols, 200);
    for (int i = 0; i < 200 && r.ncols == 200; i++) {
        char name[16], val[16];
        snprintf(name, sizeof name, "k%d", 199 - i);
        snprintf(val, sizeof val, "%d.0", i);
        ok &= strcmp(r.cols[i], name) == 0 && strcmp(cell(&r, 0, (size_t)i), val) == 0;
    }
    CHECK(ok);
    rows_release(&r);
    buf_release(&b);
}

static void test_template(void)
{
    struct rows r;
    struct ts_error err = {0};
    struct buf b = BUF_INIT(4096);

    CHECK_EQ_INT(csv("url,label\nhttps://x/?a=1&b=2,<b>\"Tom's\"</b>\n", &r, &err), 0);
    CHECK_EQ_INT(tmpl_check("<img src=\"${url}\"> ${label} costs $$5 or $5 ${ label }", &r, &err),
                 TS_EINVAL);
    CHECK(strstr(err.msg, "${ label } is not a valid placeholder") != NULL);
    CHECK_EQ_INT(tmpl_check("<img src=\"${url}\">\n${label} costs $$5 or $5, $${x}", &r, &err), 0);
    CHECK_EQ_INT(tmpl_fill("<img src=\"${url}\">\n${label} costs $$5 or $5, $${x}$", &r, 0, &b, &err), 0);
    CHECK_EQ_STR(b.p, "<img src=\"https://x/?a=1&amp;b=2\">\n"
                      "&lt;b&gt;&quot;Tom&#39;s&quot;&lt;/b&gt; costs $5 or $5, ${x}$");

    /* unknown placeholder: named, with the line and the columns */
    buf_reset(&b);
    buf_puts(&b, "keep");
    CHECK_EQ_INT(tmpl_check("a\nb ${nope}", &r, &err), TS_EINVAL);
    CHECK_EQ_STR(err.msg, "template line 2: ${nope} names no column of the batch (columns: url, label)");
    CHECK_EQ_INT(tmpl_fill("${url} ${nope}", &r, 0, &b, &err), TS_EINVAL);
    CHECK_EQ_STR(b.p, "keep");
    CHECK_EQ_INT(tmpl_fill("${url}", &r, 1, &b, &err), TS_EINVAL); /* row out of range */
    /* syntax only without rows */
    CHECK_EQ_INT(tmpl_check("${anything_1}", NULL, &err), 0);
    CHECK_EQ_INT(tmpl_check("x ${unclosed", NULL, &err), TS_EINVAL);
    CHECK(strstr(err.msg, "not closed") != NULL);
    CHECK_EQ_INT(tmpl_check("${}", NULL, &err), TS_EINVAL);
    CHECK_EQ_INT(tmpl_check("${9a}", NULL, &err), TS_EINVAL);
    CHECK_EQ_INT(tmpl_check("$", NULL, &err), 0);
    CHECK_EQ_INT(tmpl_check("", NULL, &err), 0);
    rows_release(&r);
    buf_release(&b);

    {
        struct buf small = BUF_INIT(8);
        CHECK_EQ_INT(csv("a\n0123456789\n", &r, &err), 0);
        CHECK_EQ_INT(tmpl_fill("${a}", &r, 0, &small, &err), TS_ETOOBIG);
        CHECK_EQ_INT(small.len, 0);
        buf_release(&small);
        rows_release(&r);
    }
}

/* A gold column is taken out of the rows: its values come back, the others stay. */
static void test_take_col(void)
{
    struct ts_error err = {0};
    struct rows r = {0};
    char **gold;
    char *json;

    CHECK_EQ_INT(csv("url,_gold,note\na,cat,x\nb,,y\nc,dog,z\n", &r, &err), 0);
    CHECK(rows_take_col(&r, "missing") == NULL);
    gold = rows_take_col(&r, "_gold");
    CHECK(gold != NULL);
    if (!gold)
        return;
    CHECK_EQ_INT(r.ncols, 2);
    CHECK_EQ_STR(r.cols[0], "url");
    CHECK_EQ_STR(r.cols[1], "note");
    CHECK_EQ_STR(gold[0], "cat");
    CHECK_EQ_STR(gold[1], "");
    CHECK_EQ_STR(gold[2], "dog");
    CHECK_EQ_STR(cell(&r, 2, 0), "c");
    CHECK_EQ_STR(cell(&r, 2, 1), "z");
    CHECK_EQ_STR(cell(&r, 1, 1), "y");
    json = rows_row_json(&r, 0);
    CHECK_EQ_STR(json, "{\"url\":\"a\",\"note\":\"x\"}");
    free(json);
    CHECK_EQ_INT(tmpl_check("<p>${_gold}</p>", &r, &err), TS_EINVAL);
    for (size_t i = 0; i < 3; i++)
        free(gold[i]);
    free(gold);
    rows_release(&r);
}

CHECK_MAIN(test_csv_basic, test_csv_errors, test_jsonl, test_jsonl_many_keys, test_template,
           test_take_col)
