/* test_buf.c: the growable buffer: invariants, the max and its sticky error, detach,
 * printf and XML escaping. */
#include "util/buf.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "../../check.h"
#include "util/banned.h"

static void test_empty(void)
{
    struct buf b = BUF_INIT(16);

    CHECK(b.p != NULL);
    CHECK_EQ_STR(b.p, "");
    CHECK_EQ_INT(b.len, 0);
    buf_release(&b); /* releasing an empty buffer frees nothing */
    CHECK(b.p == buf__empty);
    CHECK_EQ_INT(b.max, 16);
}

static void test_append_and_grow(void)
{
    struct buf b;

    buf_init(&b, 10000);
    for (int i = 0; i < 1000; i++)
        CHECK_EQ_INT(buf_putc(&b, (char)('a' + i % 26)), 0);
    CHECK_EQ_INT(b.len, 1000);
    CHECK(b.len < b.cap);
    CHECK_EQ_INT(b.p[b.len], '\0');
    CHECK_EQ_INT(b.p[26], 'a');
    CHECK_EQ_INT(buf_append(&b, "", 0), 0);
    CHECK_EQ_INT(b.len, 1000);
    buf_reset(&b);
    CHECK_EQ_INT(b.len, 0);
    CHECK_EQ_STR(b.p, "");
    buf_release(&b);
}

static void test_max_sticky(void)
{
    struct buf b = BUF_INIT(8);

    CHECK_EQ_INT(buf_puts(&b, "12345678"), 0); /* exactly max fits */
    CHECK_EQ_STR(b.p, "12345678");
    CHECK(b.cap <= 9); /* capacity capped at max + NUL */
    CHECK_EQ_INT(buf_putc(&b, 'x'), TS_ETOOBIG);
    CHECK_EQ_INT(b.err, TS_ETOOBIG);
    CHECK_EQ_STR(b.p, "12345678"); /* failed append wrote nothing */
    buf_reset(&b);
    CHECK_EQ_INT(b.err, 0);

    CHECK_EQ_INT(buf_puts(&b, "abc"), 0);
    CHECK_EQ_INT(buf_puts(&b, "defghi"), TS_ETOOBIG);
    CHECK_EQ_STR(b.p, "abc");
    CHECK_EQ_INT(buf_puts(&b, "d"), TS_ETOOBIG); /* sticky: even what would fit */
    CHECK_EQ_INT(buf_printf(&b, "%d", 1), TS_ETOOBIG);
    CHECK_EQ_INT(buf_put_xml(&b, "e", 1), TS_ETOOBIG);
    CHECK_EQ_STR(b.p, "abc");
    CHECK_EQ_INT(b.len, 3);
    buf_release(&b);

    {
        struct buf z = BUF_INIT(0);

        CHECK_EQ_INT(buf_putc(&z, 'a'), TS_ETOOBIG);
        CHECK_EQ_STR(z.p, "");
        buf_release(&z);
    }
    {
        struct buf h = BUF_INIT(SIZE_MAX);

        CHECK_EQ_INT(buf_puts(&h, "ok"), 0);
        CHECK_EQ_INT(buf_append(&h, "x", SIZE_MAX), TS_ETOOBIG);
        CHECK_EQ_STR(h.p, "ok");
        buf_release(&h);
    }
}

static void test_printf(void)
{
    struct buf b = BUF_INIT(100);

    CHECK_EQ_INT(buf_printf(&b, "%s=%d", "n", 42), 0);
    CHECK_EQ_INT(buf_printf(&b, "%s", ""), 0);
    CHECK_EQ_INT(buf_printf(&b, ";%05.1f", 2.25), 0);
    CHECK_EQ_STR(b.p, "n=42;002.2");
    CHECK_EQ_INT(b.len, strlen("n=42;002.2"));
    /* output longer than the current capacity forces a grow and a second pass */
    CHECK_EQ_INT(buf_printf(&b, "%80s", "x"), 0);
    CHECK_EQ_INT(b.len, 90);
    CHECK_EQ_INT(b.p[89], 'x');
    /* past max: fails whole, the old content stays NUL-terminated */
    CHECK_EQ_INT(buf_printf(&b, "%20s", "y"), TS_ETOOBIG);
    CHECK_EQ_INT(b.len, 90);
    CHECK_EQ_INT(strlen(b.p), 90);
    buf_release(&b);
}

static void test_detach(void)
{
    struct buf b = BUF_INIT(64);
    size_t len = 99;
    char *s;

    s = buf_detach(&b, &len); /* even an empty buffer gives the caller memory to free */
    CHECK_EQ_STR(s, "");
    CHECK_EQ_INT(len, 0);
    free(s);

    CHECK_EQ_INT(buf_puts(&b, "hello"), 0);
    s = buf_detach(&b, &len);
    CHECK_EQ_STR(s, "hello");
    CHECK_EQ_INT(len, 5);
    CHECK(b.p == buf__empty);
    CHECK_EQ_INT(b.len, 0);
    CHECK_EQ_INT(b.cap, 0);
    CHECK_EQ_INT(b.max, 64);
    free(s);

    CHECK_EQ_INT(buf_puts(&b, "again"), 0);
    s = buf_detach(&b, NULL);
    CHECK_EQ_STR(s, "again");
    free(s);
}

static void test_xml(void)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"", ""},
        {"plain", "plain"},
        {"a&b", "a&amp;b"},
        {"<b>", "&lt;b&gt;"},
        {"\"q\" 'a'", "&quot;q&quot; &#39;a&#39;"},
        {"&amp;", "&amp;amp;"},
        {"<script>alert('x')</script>", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct buf b = BUF_INIT(256);

        CHECK_EQ_INT(buf_put_xml(&b, cases[i].in, strlen(cases[i].in)), 0);
        CHECK_EQ_STR(b.p, cases[i].out);
        CHECK_EQ_INT(b.len, strlen(cases[i].out));
        buf_release(&b);
    }
    {
        struct buf b = BUF_INIT(8);

        /* the escaped form (10 bytes) passes max: nothing is written */
        CHECK_EQ_INT(buf_put_xml(&b, "a<b>", 4), TS_ETOOBIG);
        CHECK_EQ_STR(b.p, "");
        CHECK_EQ_INT(b.len, 0);
        buf_release(&b);
    }
    {
        struct buf b = BUF_INIT(8);

        CHECK_EQ_INT(buf_puts(&b, "x"), 0);
        CHECK_EQ_INT(buf_put_xml(&b, "<<", 2), TS_ETOOBIG); /* 1 + 8 bytes > 8 */
        CHECK_EQ_STR(b.p, "x");
        CHECK_EQ_INT(buf_put_xml(&b, "<", 1), TS_ETOOBIG); /* sticky */
        buf_reset(&b);
        CHECK_EQ_INT(buf_put_xml(&b, "<", 1), 0);
        CHECK_EQ_STR(b.p, "&lt;");
        buf_release(&b);
    }
    {
        struct buf b = BUF_INIT(64);

        CHECK_EQ_INT(buf_put_xml(&b, "a\0<", 3), 0); /* embedded NUL is copied by length */
        CHECK_EQ_INT(b.len, 6);
        CHECK_EQ_INT(b.p[1], '\0');
        CHECK_EQ_INT(memcmp(b.p + 2, "&lt;", 4), 0);
        buf_release(&b);
    }
}

static void test_put_pct(void)
{
    struct buf b = BUF_INIT(256);
    CHECK_EQ_INT(buf_put_pct(&b, "aZ09-._~ /+%\xc3\xa9", 14, 0), 0);
    CHECK_EQ_STR(b.p, "aZ09-._~%20%2F%2B%25%C3%A9");
    buf_reset(&b);
    CHECK_EQ_INT(buf_put_pct(&b, "/a b/", 5, 1), 0);
    CHECK_EQ_STR(b.p, "/a%20b/");
    buf_release(&b);
}

CHECK_MAIN(test_put_pct, test_empty, test_append_and_grow, test_max_sticky, test_printf, test_detach,
           test_xml)
