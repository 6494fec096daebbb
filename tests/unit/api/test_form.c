/* test_form.c: the form parsers (urlencoded, multipart/form-data), the rewrite of MTurk's
 * submit URLs in served HTML, and the Answer XML of an uploaded file. */
#include "api/form.h"
#include "api/door_form.h"
#include "doc/question.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../check.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/banned.h"

static const char *CT = "multipart/form-data; boundary=\"b-1\"";

static void test_urlencoded(void)
{
    struct form f = FORM_INIT;
    struct ts_error err = {0};
    const char *in = "assignmentId=A1&tag=one&tag=t%C3%A9+two&plus=%2B&flag&&bad=%zz%4";
    CHECK_EQ_INT(form_parse(&f, "application/x-www-form-urlencoded", in, strlen(in), &err), 0);
    CHECK_EQ_INT((int)f.n, 6);
    if (f.n == 6) {
        CHECK_EQ_STR(f.f[0].name, "assignmentId");
        CHECK_EQ_STR(f.f[0].value, "A1");
        CHECK_EQ_STR(f.f[2].value, "t\xc3\xa9 two");
        CHECK_EQ_STR(f.f[3].value, "+");
        CHECK_EQ_STR(f.f[4].name, "flag");
        CHECK_EQ_STR(f.f[4].value, "");
        CHECK_EQ_STR(f.f[5].value, "%zz%4");
        CHECK(f.f[0].filename == NULL);
    }
    form_release(&f);
    const struct {
        const char *in;
        int rc;
    } bad[] = {
        {"=x", TS_EINVAL},            /* empty name */
        {"a=%FF", TS_EINVAL},         /* not UTF-8 */
        {"a=%00", TS_EINVAL},         /* NUL */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_EQ_INT(form_parse_urlencoded(&f, bad[i].in, strlen(bad[i].in), &err), bad[i].rc);
        form_release(&f);
    }
}

static void test_multipart(void)
{
    struct form f = FORM_INIT;
    struct ts_error err = {0};
    static const char body[] =
        "ignored preamble\r\n--b-1\r\n"
        "Content-Disposition: form-data; name=\"assignmentId\"\r\n\r\nA1\r\n"
        "--b-1\r\ncontent-disposition: FORM-DATA; name=\"q\\\"%22x\"\r\n\r\nline1\r\nline2\r\n"
        "--b-1  \r\nContent-Disposition: form-data; name=photo; filename=\"c.png\"\r\n"
        "Content-Type: image/png\r\nX-Other: kept out\r\n\r\n\x89PNG\0\xff--b-\r\n"
        "--b-1\r\nContent-Disposition: form-data; name=\"empty\"; filename=\"\"\r\n\r\n\r\n"
        "--b-1--\r\nepilogue";
    CHECK_EQ_INT(form_parse(&f, CT, body, sizeof body - 1, &err), 0);
    CHECK_EQ_INT((int)f.n, 4);
    CHECK_EQ_INT((int)f.files, 2);
    if (f.n == 4) {
        CHECK_EQ_STR(f.f[0].value, "A1");
        CHECK_EQ_STR(f.f[1].name, "q\"\"x");
        CHECK_EQ_STR(f.f[1].value, "line1\r\nline2");
        CHECK_EQ_STR(f.f[2].name, "photo");
        CHECK_EQ_STR(f.f[2].filename, "c.png");
        CHECK_EQ_STR(f.f[2].content_type, "image/png");
        CHECK_EQ_INT((int)f.f[2].value_len, 10);
        CHECK(memcmp(f.f[2].value, "\x89PNG\0\xff--b-", 10) == 0);
        CHECK_EQ_STR(f.f[3].filename, "");
        CHECK_EQ_INT((int)f.f[3].value_len, 0);
    }
    form_release(&f);

    const struct {
        const char *ct, *body;
        int rc;
    } bad[] = {
        {"multipart/form-data", "--b-1--", TS_EINVAL},                 /* no boundary */
        {"multipart/form-data; boundary=", "----", TS_EINVAL},
        {CT, "no delimiter at all", TS_EINVAL},
        {CT, "--b-1\r\nContent-Disposition: form-data; name=a\r\n\r\nx", TS_EINVAL},
        {CT, "--b-1\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--b-1", TS_EINVAL},
        {CT, "--b-1\r\nContent-Disposition: attachment; name=a\r\n\r\nx\r\n--b-1--", TS_EINVAL},
        {CT, "--b-1\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b-1--", TS_EINVAL},
        {CT, "--b-1\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\nx\r\n--b-1--",
         TS_EINVAL},
        {CT, "--b-1\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--b-1--", TS_EINVAL},
        {CT, "--b-1\r\n Content-Disposition: form-data; name=a\r\n\r\nx\r\n--b-1--", TS_EINVAL},
        {CT, "--b-1\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nx\r\n--b-1--", TS_EINVAL},
        {CT, "--b-1\r\nno colon\r\n\r\nx\r\n--b-1--", TS_EINVAL},
        {CT, "--b-1\r\nContent-Disposition: form-data; name=a\r\n\r\n\xff\r\n--b-1--", TS_EINVAL},
        {"text/plain", "a=b", TS_EINVAL},
        {NULL, "a=b", TS_EINVAL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = form_parse(&f, bad[i].ct, bad[i].body, strlen(bad[i].body), &err);
        CHECK_EQ_INT(rc, bad[i].rc);
        if (rc != bad[i].rc)
            fprintf(stderr, "  case %zu: %s\n", i, err.msg);
        CHECK(err.msg[0] != '\0');
        form_release(&f);
    }
}

/* A multipart body with n files of size bytes each. */
static char *files_body(int n, size_t size, size_t *len)
{
    struct buf b = BUF_INIT((size_t)64 << 20);
    for (int i = 0; i < n; i++) {
        buf_printf(&b, "--b-1\r\nContent-Disposition: form-data; name=\"f%d\"; "
                       "filename=\"x\"\r\n\r\n", i);
        for (size_t k = 0; k < size; k++)
            buf_putc(&b, 'z');
        buf_puts(&b, "\r\n");
    }
    buf_puts(&b, "--b-1--\r\n");
    return buf_detach(&b, len);
}

static void test_limits(void)
{
    struct form f = FORM_INIT;
    struct ts_error err = {0};
    size_t n;
    char *body = files_body(FORM_MAX_FILES, 10, &n);
    CHECK_EQ_INT(form_parse(&f, CT, body, n, &err), 0);
    form_release(&f);
    free(body);
    body = files_body(FORM_MAX_FILES + 1, 10, &n);
    CHECK_EQ_INT(form_parse(&f, CT, body, n, &err), TS_ETOOBIG);
    form_release(&f);
    free(body);
    body = files_body(1, FORM_MAX_FILE, &n);
    CHECK_EQ_INT(form_parse(&f, CT, body, n, &err), 0);
    form_release(&f);
    free(body);
    body = files_body(1, FORM_MAX_FILE + 1, &n);
    CHECK_EQ_INT(form_parse(&f, CT, body, n, &err), TS_ETOOBIG);
    CHECK(strstr(err.msg, "limit per file") != NULL);
    form_release(&f);
    free(body);
    char *big = xmalloc(FORM_MAX_VALUE + 8);
    memcpy(big, "a=", 2);
    memset(big + 2, 'x', FORM_MAX_VALUE + 1);
    CHECK_EQ_INT(form_parse_urlencoded(&f, big, FORM_MAX_VALUE + 3, &err), TS_ETOOBIG);
    form_release(&f);
    free(big);
}

static void test_rewrite(void)
{
    struct buf b = BUF_INIT(1 << 20);
    door_form_rewrite("<form action=\"https://www.mturk.com/mturk/externalSubmit\">"
                      "<form action='https://workersandbox.mturk.com/mturk/externalSubmit?x=1'>"
                      "https://www.mturk.com/mturk/other",
                      "http://h/w/C", &b);
    CHECK_EQ_STR(b.p, "<form action=\"http://h/w/C\"><form action='http://h/w/C?x=1'>"
                      "https://www.mturk.com/mturk/other");
    buf_release(&b);
}

static void test_upload_answer_xml(void)
{
    struct buf b = BUF_INIT(1 << 20);
    struct ts_error err = {0};
    CHECK_EQ_INT(question_answers_xml("{\"photo\":{\"UploadedFileKey\":\"K1\","
                                      "\"UploadedFileSizeInBytes\":42},\"t\":[\"a\",\"b\"]}",
                                      &b, &err),
                 0);
    CHECK(strstr(b.p, "<Answer><QuestionIdentifier>photo</QuestionIdentifier>"
                      "<UploadedFileSizeInBytes>42</UploadedFileSizeInBytes>"
                      "<UploadedFileKey>K1</UploadedFileKey></Answer>") != NULL);
    CHECK(strstr(b.p, "<FreeText>a</FreeText></Answer><Answer><QuestionIdentifier>t"
                      "</QuestionIdentifier><FreeText>b</FreeText>") != NULL);
    buf_reset(&b);
    const char *bad[] = {"{\"p\":{\"UploadedFileKey\":\"K1\"}}",
                         "{\"p\":{\"UploadedFileKey\":\"K1\",\"UploadedFileSizeInBytes\":-1}}",
                         "{\"p\":{\"UploadedFileKey\":1,\"UploadedFileSizeInBytes\":1}}",
                         "{\"p\":{\"UploadedFileKey\":\"K\",\"UploadedFileSizeInBytes\":1,"
                         "\"x\":1}}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_EQ_INT(question_answers_xml(bad[i], &b, &err), TS_EINVAL);
        CHECK_EQ_INT((int)b.len, 0);
    }
    buf_release(&b);
}

static void test_error_page(void)
{
    struct door_reply r = {0};
    door_form_error(409, "field \"<script>alert('x')</script>&\" refused", &r);
    CHECK_EQ_INT((int)r.status, 409);
    CHECK_EQ_STR(r.content_type, "text/html; charset=utf-8");
    CHECK(r.body && strstr(r.body, "<script>") == NULL);
    CHECK(r.body && strstr(r.body, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;") !=
                        NULL);
    CHECK(r.body && strstr(r.body, "Error 409") != NULL);
    CHECK_EQ_INT((int)r.n_headers, 2);
    CHECK_EQ_STR(r.headers[0].name, "Content-Security-Policy");
    CHECK(strstr(r.headers[0].value, "default-src 'none'") != NULL);
    for (size_t i = 0; i < r.n_headers; i++)
        free(r.headers[i].value);
    free(r.body);
}

CHECK_MAIN(test_urlencoded, test_multipart, test_limits, test_rewrite, test_upload_answer_xml,
           test_error_page)
