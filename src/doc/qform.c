/* qform.c: MTurk QuestionForm documents. A form is read once into a small tree (content
 * nodes plus a table of questions), and everything else works from that tree: the HTML
 * page a worker sees, the check of what a worker submits, and the QuestionFormAnswers XML
 * a requester reads. The XML is hostile input and is read like any Question
 * (xmldoc_read: no DOCTYPE, no entities, no network); FormattedContent is re-parsed
 * as XHTML and reduced to an allowlist when read, so what is stored in the tree is
 * already safe to put on a page. */
#include "qform.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "answers_xml.h"
#include "xmldoc.h"
#include "../util/alloc.h"
#include "../util/parse.h"
#include "../util/text.h"
#include "../util/banned.h"

enum qnode_kind {
    QN_TITLE = 1,
    QN_TEXT,
    QN_LIST,      /* children are QN_ITEM */
    QN_ITEM,
    QN_BINARY,    /* Binary and EmbeddedBinary */
    QN_HTML,      /* FormattedContent, sanitised */
    QN_OVERVIEW,  /* children are content */
    QN_QUESTION   /* question index in qi */
};

struct qform_node {
    enum qnode_kind kind;
    char *text; /* QN_TITLE, QN_TEXT, QN_ITEM: plain text; QN_HTML: safe HTML */
    char *mime; /* QN_BINARY: type/subtype */
    char *url;  /* QN_BINARY: DataURL, http(s) */
    char *alt;  /* QN_BINARY: AltText */
    int64_t width, height; /* QN_BINARY (EmbeddedBinary), 0 when absent */
    size_t qi;  /* QN_QUESTION */
    struct qform_node *child, *next;
};

/* What a parse carries along. */
struct qform_reader {
    const char *ns;
    int version;
    size_t questions;
    struct ts_error *err;
};

#define QFORM_MAX_URL 2000
#define QFORM_MAX_FILE_SIZE 2000000000
#define QFORM_OTHER_SUFFIX ".OtherSelectionText"

/* ---------------------------------------------------------------- tree helpers */

static void qnode_free(struct qform_node *n)
{
    while (n) {
        struct qform_node *next = n->next;
        qnode_free(n->child);
        free(n->text);
        free(n->mime);
        free(n->url);
        free(n->alt);
        free(n);
        n = next;
    }
}

static struct qform_node *qnode_new(enum qnode_kind kind)
{
    struct qform_node *n = xcalloc(1, sizeof *n);
    n->kind = kind;
    return n;
}

static int qform_is(xmlNodePtr n, const char *name)
{
    return strcmp((const char *)n->name, name) == 0;
}

/* Next element child at or after c, refusing stray text; NULL at the end (err untouched)
 * or on error (*bad set). */
static xmlNodePtr qform_elem(struct qform_reader *r, xmlNodePtr parent, xmlNodePtr c, int *bad)
{
    for (; c; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            if (!xmldoc_is_blank(c->content)) {
                *bad = 1;
                ts_fail(r->err, TS_EINVAL, "QuestionForm: <%s> has text outside its elements",
                        (const char *)parent->name);
                return NULL;
            }
            continue;
        }
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (!xmldoc_in_ns(c, r->ns)) {
            *bad = 1;
            ts_fail(r->err, TS_EINVAL, "QuestionForm: <%.40s> inside <%s> must be in the namespace %s",
                    (const char *)c->name, (const char *)parent->name, r->ns);
            return NULL;
        }
        return c;
    }
    return NULL;
}

/* The text of an element holding only text; trimmed when trim. NULL with err set. */
static char *qform_text(struct qform_reader *r, xmlNodePtr el, int trim)
{
    return xmldoc_text(el, "QuestionForm", trim, r->err);
}

static int qform_int(struct qform_reader *r, xmlNodePtr el, int64_t lo, int64_t hi, int64_t *v)
{
    char *t = qform_text(r, el, 1);
    int rc;
    if (!t)
        return TS_EINVAL;
    rc = parse_i64(t, strlen(t), lo, hi, v);
    if (rc)
        rc = ts_fail(r->err, TS_EINVAL,
                     "QuestionForm: <%s> must be an integer from %lld to %lld, not \"%.40s\"",
                     (const char *)el->name, (long long)lo, (long long)hi, t);
    free(t);
    return rc;
}

/* An attribute as an integer; absent leaves *v and *have alone. */
static int qform_attr_int(struct qform_reader *r, xmlNodePtr el, const char *name, int64_t lo,
                          int64_t hi, int64_t *v, int *have)
{
    xmlChar *a = xmlGetNoNsProp(el, (const xmlChar *)name);
    int rc = 0;
    if (!a)
        return 0;
    if (parse_i64((const char *)a, strlen((const char *)a), lo, hi, v) != 0)
        rc = ts_fail(r->err, TS_EINVAL,
                     "QuestionForm: <%s %s> must be an integer from %lld to %lld, not \"%.40s\"",
                     (const char *)el->name, name, (long long)lo, (long long)hi,
                     (const char *)a);
    else if (have)
        *have = 1;
    xmlFree(a);
    return rc;
}

static int qform_bool(struct qform_reader *r, xmlNodePtr el, int *v)
{
    char *t = qform_text(r, el, 1);
    int rc = 0;
    if (!t)
        return TS_EINVAL;
    if (strcmp(t, "true") == 0 || strcmp(t, "1") == 0)
        *v = 1;
    else if (strcmp(t, "false") == 0 || strcmp(t, "0") == 0)
        *v = 0;
    else
        rc = ts_fail(r->err, TS_EINVAL, "QuestionForm: <%s> must be true or false, not \"%.40s\"",
                     (const char *)el->name, t);
    free(t);
    return rc;
}

/* A URL a page may load or link: http(s) only, no spaces or controls. */
static int qform_url_ok(const char *u)
{
    size_t n = strlen(u);
    if (n == 0 || n > QFORM_MAX_URL)
        return 0;
    if (strncasecmp(u, "https://", 8) != 0 && strncasecmp(u, "http://", 7) != 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)u[i] <= 0x20 || u[i] == 0x7f)
            return 0;
    return 1;
}

/* ---------------------------------------------------------------- FormattedContent */

/* The allowlist: tags kept with their attributes in attrs (space-separated). Anything
 * else is unwrapped (its text kept), except the tags in qform_drop, which go with all
 * they contain. */
static const struct {
    const char *tag;
    const char *attrs;
} qform_tags[] = {
    {"a", " href title "},        {"b", " "},           {"big", " "},
    {"blockquote", " "},          {"br", " "},          {"caption", " "},
    {"center", " "},              {"cite", " "},        {"code", " "},
    {"col", " span width "},      {"colgroup", " span width "},
    {"dd", " "},                  {"del", " "},         {"div", " align title "},
    {"dl", " "},                  {"dt", " "},          {"em", " "},
    {"h1", " align "},            {"h2", " align "},    {"h3", " align "},
    {"h4", " align "},            {"h5", " align "},    {"h6", " align "},
    {"hr", " "},                  {"i", " "},           {"img", " src alt width height title "},
    {"ins", " "},                 {"li", " "},          {"ol", " start type "},
    {"p", " align title "},       {"pre", " "},         {"q", " "},
    {"s", " "},                   {"small", " "},       {"span", " title "},
    {"strike", " "},              {"strong", " "},      {"sub", " "},
    {"sup", " "},                 {"table", " border cellpadding cellspacing width summary "},
    {"tbody", " align valign "},  {"td", " align valign colspan rowspan width "},
    {"tfoot", " align valign "},  {"th", " align valign colspan rowspan width scope "},
    {"thead", " align valign "},  {"tr", " align valign "},
    {"tt", " "},                  {"u", " "},           {"ul", " type "},
};

static const char *const qform_drop[] = {"script", "style", "iframe", "frame", "frameset",
                                         "object", "embed", "applet", "form", "input",
                                         "button", "select", "textarea", "link", "meta",
                                         "base", "svg", "math", "template", "noscript",
                                         "title", "head"};

static const char *qform_tag_attrs(const char *tag)
{
    for (size_t i = 0; i < sizeof qform_tags / sizeof qform_tags[0]; i++)
        if (strcasecmp(qform_tags[i].tag, tag) == 0)
            return qform_tags[i].attrs;
    return NULL;
}

static int qform_tag_dropped(const char *tag)
{
    for (size_t i = 0; i < sizeof qform_drop / sizeof qform_drop[0]; i++)
        if (strcasecmp(qform_drop[i], tag) == 0)
            return 1;
    return 0;
}

static int qform_attr_allowed(const char *attrs, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = strstr(attrs, name); p; p = strstr(p + 1, name))
        if (p[-1] == ' ' && p[n] == ' ')
            return 1;
    return 0;
}

/* A link or image target on a worker's page: http, https, mailto (links only) or a
 * reference without a scheme; whitespace and control characters refused, so no
 * "java\tscript:" can slip through. */
static int qform_href_ok(const char *u, int link)
{
    size_t colon = strcspn(u, ":/?#");
    for (const char *p = u; *p; p++)
        if ((unsigned char)*p <= 0x20 || *p == 0x7f)
            return 0;
    if (u[colon] != ':')
        return 1;
    if (colon == 4 && strncasecmp(u, "http", 4) == 0)
        return 1;
    if (colon == 5 && strncasecmp(u, "https", 5) == 0)
        return 1;
    return link && colon == 6 && strncasecmp(u, "mailto", 6) == 0;
}

static int qform_void_tag(const char *tag)
{
    return !strcasecmp(tag, "br") || !strcasecmp(tag, "hr") || !strcasecmp(tag, "img") ||
           !strcasecmp(tag, "col");
}

static void qform_html_out(struct buf *b, xmlNodePtr first, int depth)
{
    for (xmlNodePtr c = first; c; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            const char *t = (const char *)c->content;
            if (t)
                buf_put_xml(b, t, strlen(t));
            continue;
        }
        if (c->type != XML_ELEMENT_NODE)
            continue; /* comments, processing instructions */
        const char *tag = (const char *)c->name;
        const char *attrs = qform_tag_attrs(tag);
        if (qform_tag_dropped(tag))
            continue;
        if (!attrs || depth >= QFORM_MAX_HTML_DEPTH) {
            if (depth < QFORM_MAX_HTML_DEPTH)
                qform_html_out(b, c->children, depth + 1);
            continue;
        }
        buf_putc(b, '<');
        for (const char *p = tag; *p; p++)
            buf_putc(b, (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p));
        for (xmlAttrPtr a = c->properties; a; a = a->next) {
            char lname[32];
            size_t ln = strlen((const char *)a->name);
            if (a->ns || ln >= sizeof lname)
                continue;
            for (size_t i = 0; i <= ln; i++) {
                char ch = (char)a->name[i];
                lname[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
            }
            if (!qform_attr_allowed(attrs, lname))
                continue;
            xmlChar *v = xmlNodeListGetString(c->doc, a->children, 1);
            const char *vs = v ? (const char *)v : "";
            int ok = 1;
            if (!strcmp(lname, "href") || !strcmp(lname, "src"))
                ok = qform_href_ok(vs, lname[0] == 'h');
            if (ok) {
                buf_printf(b, " %s=\"", lname);
                buf_put_xml(b, vs, strlen(vs));
                buf_putc(b, '"');
            }
            xmlFree(v);
        }
        if (!strcasecmp(tag, "a"))
            buf_puts(b, " rel=\"noopener noreferrer\" target=\"_blank\"");
        buf_putc(b, '>');
        if (qform_void_tag(tag))
            continue;
        qform_html_out(b, c->children, depth + 1);
        buf_puts(b, "</");
        for (const char *p = tag; *p; p++)
            buf_putc(b, (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p));
        buf_putc(b, '>');
    }
}

/* Re-reads FormattedContent as XHTML and keeps only the allowlist. */
static int qform_formatted(struct qform_reader *r, xmlNodePtr el, struct qform_node **out)
{
    struct buf src = BUF_INIT(QFORM_MAX_BYTES + 64);
    struct buf html = BUF_INIT((size_t)QFORM_MAX_BYTES * 2);
    struct _xmlDoc *doc = NULL;
    char *text = qform_text(r, el, 0);
    int rc;

    if (!text)
        return TS_EINVAL;
    buf_puts(&src, "<div>");
    buf_puts(&src, text);
    buf_puts(&src, "</div>");
    free(text);
    rc = xmldoc_read(src.p, src.len, "FormattedContent", XMLDOC_KEEP_BLANKS, &doc, r->err);
    buf_release(&src);
    if (rc)
        return rc;
    qform_html_out(&html, xmlDocGetRootElement(doc)->children, 0);
    xmlFreeDoc(doc);
    if (html.err) {
        buf_release(&html);
        return ts_fail(r->err, TS_ETOOBIG, "QuestionForm: FormattedContent is too large");
    }
    *out = qnode_new(QN_HTML);
    (*out)->text = buf_detach(&html, NULL);
    return 0;
}

/* ---------------------------------------------------------------- content */

/* MimeType / EmbeddedMimeType: Type and optional SubType, as "type/subtype". */
static int qform_mime(struct qform_reader *r, xmlNodePtr el, char **out)
{
    int bad = 0;
    char *type = NULL, *sub = NULL;
    struct buf b = BUF_INIT(256);
    int rc = 0;

    for (xmlNodePtr c = qform_elem(r, el, el->children, &bad); c;
         c = qform_elem(r, el, c->next, &bad)) {
        char **dst = qform_is(c, "Type") ? &type : qform_is(c, "SubType") ? &sub : NULL;
        if (!dst || *dst) {
            rc = ts_fail(r->err, TS_EINVAL,
                         "QuestionForm: <%s> holds one Type and at most one SubType, not <%.40s>",
                         (const char *)el->name, (const char *)c->name);
            goto out;
        }
        *dst = qform_text(r, c, 1);
        if (!*dst) {
            rc = TS_EINVAL;
            goto out;
        }
    }
    if (bad) {
        rc = TS_EINVAL;
        goto out;
    }
    if (!type || !*type || strlen(type) > 40 ||
        strspn(type, "abcdefghijklmnopqrstuvwxyz") != strlen(type) ||
        (sub && (!*sub || strlen(sub) > 80 ||
                 strspn(sub, "abcdefghijklmnopqrstuvwxyz0123456789.+-") != strlen(sub)))) {
        rc = ts_fail(r->err, TS_EINVAL,
                     "QuestionForm: <%s> needs a Type such as image, audio or video (lower-case "
                     "letters) and at most one SubType",
                     (const char *)el->name);
        goto out;
    }
    buf_puts(&b, type);
    if (sub)
        buf_printf(&b, "/%s", sub);
    *out = buf_detach(&b, NULL);
out:
    buf_release(&b);
    free(type);
    free(sub);
    return rc;
}

/* Binary or EmbeddedBinary. */
static int qform_binary(struct qform_reader *r, xmlNodePtr el, struct qform_node **out)
{
    int embedded = qform_is(el, "EmbeddedBinary");
    const char *mime_name = embedded ? "EmbeddedMimeType" : "MimeType";
    struct qform_node *n = qnode_new(QN_BINARY);
    int bad = 0, rc = 0;

    for (xmlNodePtr c = qform_elem(r, el, el->children, &bad); c && !rc;
         c = qform_elem(r, el, c->next, &bad)) {
        if (qform_is(c, mime_name) && !n->mime) {
            rc = qform_mime(r, c, &n->mime);
        } else if (qform_is(c, "DataURL") && !n->url) {
            n->url = qform_text(r, c, 1);
            if (!n->url)
                rc = TS_EINVAL;
            else if (!qform_url_ok(n->url))
                rc = ts_fail(r->err, TS_EINVAL,
                             "QuestionForm: <%s> DataURL must be an http:// or https:// URL of at "
                             "most %d characters without spaces, not \"%.60s\"",
                             (const char *)el->name, QFORM_MAX_URL, n->url);
        } else if (qform_is(c, "AltText") && !n->alt) {
            n->alt = qform_text(r, c, 1);
            if (!n->alt)
                rc = TS_EINVAL;
        } else if (embedded && qform_is(c, "Width") && !n->width) {
            rc = qform_int(r, c, 1, 10000, &n->width);
        } else if (embedded && qform_is(c, "Height") && !n->height) {
            rc = qform_int(r, c, 1, 10000, &n->height);
        } else if (embedded && qform_is(c, "ApplicationParameter")) {
            continue; /* parameters for a player; a plain media element needs none */
        } else {
            rc = ts_fail(r->err, TS_EINVAL,
                         "QuestionForm: <%s> does not allow <%.40s> here (it holds %s, DataURL "
                         "and AltText%s, once each)",
                         (const char *)el->name, (const char *)c->name, mime_name,
                         embedded ? ", Width, Height" : "");
        }
    }
    if (!rc && bad)
        rc = TS_EINVAL;
    if (!rc && (!n->mime || !n->url || !n->alt))
        rc = ts_fail(r->err, TS_EINVAL, "QuestionForm: <%s> needs %s, DataURL and AltText",
                     (const char *)el->name, mime_name);
    if (rc) {
        qnode_free(n);
        return rc;
    }
    *out = n;
    return 0;
}

static int qform_list(struct qform_reader *r, xmlNodePtr el, struct qform_node **out)
{
    struct qform_node *n = qnode_new(QN_LIST), **tail = &n->child;
    int bad = 0, rc = 0, items = 0;

    for (xmlNodePtr c = qform_elem(r, el, el->children, &bad); c && !rc;
         c = qform_elem(r, el, c->next, &bad)) {
        if (!qform_is(c, "ListItem")) {
            rc = ts_fail(r->err, TS_EINVAL, "QuestionForm: <List> holds only <ListItem>, not <%.40s>",
                         (const char *)c->name);
            break;
        }
        *tail = qnode_new(QN_ITEM);
        (*tail)->text = qform_text(r, c, 1);
        if (!(*tail)->text)
            rc = TS_EINVAL;
        tail = &(*tail)->next;
        items++;
    }
    if (!rc && bad)
        rc = TS_EINVAL;
    if (!rc && items == 0)
        rc = ts_fail(r->err, TS_EINVAL, "QuestionForm: <List> needs at least one <ListItem>");
    if (rc) {
        qnode_free(n);
        return rc;
    }
    *out = n;
    return 0;
}

/* One content element (Title, Text, List, Binary, EmbeddedBinary, FormattedContent); 1
 * when el is not a content element (nothing said), else 0 or an error. */
static int qform_content_one(struct qform_reader *r, xmlNodePtr el, struct qform_node **out)
{
    if (qform_is(el, "Title") || qform_is(el, "Text")) {
        struct qform_node *n = qnode_new(qform_is(el, "Title") ? QN_TITLE : QN_TEXT);
        n->text = qform_text(r, el, 1);
        if (!n->text) {
            qnode_free(n);
            return TS_EINVAL;
        }
        *out = n;
        return 0;
    }
    if (qform_is(el, "List"))
        return qform_list(r, el, out);
    if (qform_is(el, "Binary") || qform_is(el, "EmbeddedBinary"))
        return qform_binary(r, el, out);
    if (qform_is(el, "FormattedContent"))
        return qform_formatted(r, el, out);
    if (qform_is(el, "Application") || qform_is(el, "JavaApplet") || qform_is(el, "Flash"))
        return ts_fail(r->err, TS_EINVAL,
                       "QuestionForm: <%s> is not supported: Tessera does not run Java applets "
                       "or Flash; use Binary, FormattedContent or an HTMLQuestion",
                       (const char *)el->name);
    return 1;
}

/* The content children of el (Overview, QuestionContent): at least one. */
static int qform_content(struct qform_reader *r, xmlNodePtr el, struct qform_node **out)
{
    struct qform_node *head = NULL, **tail = &head;
    int bad = 0, rc = 0;

    for (xmlNodePtr c = qform_elem(r, el, el->children, &bad); c && !rc;
         c = qform_elem(r, el, c->next, &bad)) {
        rc = qform_content_one(r, c, tail);
        if (rc == 1)
            rc = ts_fail(r->err, TS_EINVAL,
                         "QuestionForm: <%s> does not allow <%.40s>; it holds Title, Text, List, "
                         "Binary, EmbeddedBinary and FormattedContent",
                         (const char *)el->name, (const char *)c->name);
        else if (!rc)
            tail = &(*tail)->next;
    }
    if (!rc && bad)
        rc = TS_EINVAL;
    if (!rc && !head)
        rc = ts_fail(r->err, TS_EINVAL, "QuestionForm: <%s> needs some content (Title, Text, ...)",
                     (const char *)el->name);
    if (rc) {
        qnode_free(head);
        return rc;
    }
    *out = head;
    return 0;
}

/* ---------------------------------------------------------------- answer specifications */

/* The size glibc's regcomp would build for re, counted before it is asked to: every atom,
 * group and alternation is one element, and a repetition copies what it applies to (glibc
 * expands x{m,n} into n copies, x{m,} into m+1, x+ into 2), so nested counts multiply.
 * Values saturate just above QFORM_REGEX_MAX_SIZE. Brackets and escapes are read as glibc
 * reads them in REG_EXTENDED (a backslash is literal inside [...], "]" first in a bracket
 * is literal, [:class:], [.coll.] and [=equiv=] may hold "]"), so the count cannot be
 * fooled into skipping part of the pattern. 0 when re may be compiled; otherwise TS_EINVAL
 * naming the question. */
struct qform_rx_level {
    long alts, cur, last; /* finished alternatives, this branch before its last atom, it */
};

static long qform_rx_sat(long v)
{
    return v > QFORM_REGEX_MAX_SIZE ? QFORM_REGEX_MAX_SIZE + 1 : v;
}

/* Index just past the bracket expression opening at re[i] == '[', or 0 if unterminated. */
static size_t qform_rx_bracket(const char *re, size_t i)
{
    i++;
    if (re[i] == '^')
        i++;
    if (re[i] == ']')
        i++;
    while (re[i] && re[i] != ']') {
        if (re[i] == '[' && (re[i + 1] == ':' || re[i + 1] == '.' || re[i + 1] == '=')) {
            char d = re[i + 1];
            const char *e;
            i += 2;
            for (e = re + i; *e && !(e[0] == d && e[1] == ']'); e++)
                ;
            if (!*e)
                return 0;
            i = (size_t)(e - re) + 2;
        } else {
            i++;
        }
    }
    return re[i] == ']' ? i + 1 : 0;
}

/* Reads an interval "{m}", "{m,}", "{,n}", "{m,n}" at re[i] == '{': its copy count and the
 * largest bound written into *copies and *bound, the index past it returned; 0 when it is
 * not an interval (glibc then refuses the pattern or reads "{" as a character). */
static size_t qform_rx_interval(const char *re, size_t i, long *copies, long *bound)
{
    long lo = 0, hi = 0;
    int have_lo = 0, have_hi = 0, comma = 0;

    for (i++; re[i] >= '0' && re[i] <= '9'; i++, have_lo = 1)
        lo = lo > 100000 ? lo : lo * 10 + (re[i] - '0');
    if (re[i] == ',') {
        comma = 1;
        for (i++; re[i] >= '0' && re[i] <= '9'; i++, have_hi = 1)
            hi = hi > 100000 ? hi : hi * 10 + (re[i] - '0');
    }
    if (re[i] != '}' || (!have_lo && !comma))
        return 0;
    if (!comma)
        hi = lo, have_hi = 1;
    *bound = have_hi && hi > lo ? hi : lo;
    *copies = have_hi ? hi : lo + 1;
    if (*copies < 1)
        *copies = 1;
    return i + 1;
}

static int qform_regex_check(const char *re, const char *qid, struct ts_error *err)
{
    struct qform_rx_level st[QFORM_REGEX_MAX_DEPTH + 1];
    size_t n = strlen(re), depth = 0;
    long copies, bound;

    if (n == 0 || n > QFORM_REGEX_MAX_BYTES)
        return ts_fail(err, TS_EINVAL,
                       "QuestionForm: question \"%.60s\": AnswerFormatRegex needs a regex "
                       "attribute of 1 to %d bytes", qid, QFORM_REGEX_MAX_BYTES);
    memset(st, 0, sizeof st);
    for (size_t i = 0; i < n;) {
        struct qform_rx_level *l = &st[depth];
        char c = re[i];
        size_t next = i + 1;
        if (c == '*' || c == '?' || c == '+' || (c == '{' && qform_rx_interval(re, i, &copies,
                                                                               &bound))) {
            if (c == '{') {
                next = qform_rx_interval(re, i, &copies, &bound);
                if (bound > QFORM_REGEX_MAX_REPEAT)
                    return ts_fail(err, TS_EINVAL,
                                   "QuestionForm: question \"%.60s\": AnswerFormatRegex repeats "
                                   "%ld times; the limit is %d per {m,n}", qid, bound,
                                   QFORM_REGEX_MAX_REPEAT);
            } else {
                copies = c == '+' ? 2 : 1;
            }
            l->last = qform_rx_sat(l->last * copies);
        } else if (c == '(') {
            if (depth == QFORM_REGEX_MAX_DEPTH)
                return ts_fail(err, TS_EINVAL,
                               "QuestionForm: question \"%.60s\": AnswerFormatRegex nests groups "
                               "more than %d deep", qid, QFORM_REGEX_MAX_DEPTH);
            l->cur = qform_rx_sat(l->cur + l->last);
            l->last = 0;
            depth++;
            memset(&st[depth], 0, sizeof st[depth]);
        } else if (c == ')' && depth > 0) {
            long g = qform_rx_sat(l->alts + l->cur + l->last + 1);
            depth--;
            st[depth].last = g;
        } else if (c == '|') {
            l->alts = qform_rx_sat(l->alts + l->cur + l->last + 1);
            l->cur = l->last = 0;
        } else {
            if (c == '[') {
                next = qform_rx_bracket(re, i);
                if (!next)
                    return ts_fail(err, TS_EINVAL,
                                   "QuestionForm: question \"%.60s\": AnswerFormatRegex has a "
                                   "\"[\" without its \"]\"", qid);
            } else if (c == '\\') {
                if (re[i + 1] >= '0' && re[i + 1] <= '9')
                    return ts_fail(err, TS_EINVAL,
                                   "QuestionForm: question \"%.60s\": AnswerFormatRegex may not "
                                   "use back-references (\\%c)", qid, re[i + 1]);
                next = re[i + 1] ? i + 2 : i + 1;
            }
            l->cur = qform_rx_sat(l->cur + l->last);
            l->last = 1;
        }
        i = next;
    }
    while (depth > 0) { /* an unclosed "(": regcomp refuses it; count it all the same */
        long g = qform_rx_sat(st[depth].alts + st[depth].cur + st[depth].last + 1);
        depth--;
        st[depth].last = g;
    }
    if (st[0].alts + st[0].cur + st[0].last > QFORM_REGEX_MAX_SIZE)
        return ts_fail(err, TS_EINVAL,
                       "QuestionForm: question \"%.60s\": AnswerFormatRegex expands to more than "
                       "%d elements (repetitions multiply when nested: (x{1,10}){1,10} is 110)",
                       qid, QFORM_REGEX_MAX_SIZE);
    return 0;
}

static int qform_regex_compile(const char *re, int icase, regex_t *out)
{
    return regcomp(out, re, REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0));
}

static int qform_constraints(struct qform_reader *r, struct qform_question *q, xmlNodePtr el)
{
    int bad = 0, rc = 0, have_len = 0;

    for (xmlNodePtr c = qform_elem(r, el, el->children, &bad); c && !rc;
         c = qform_elem(r, el, c->next, &bad)) {
        if (qform_is(c, "IsNumeric") && !q->numeric) {
            q->numeric = 1;
            rc = qform_attr_int(r, c, "minValue", INT64_MIN / 2, INT64_MAX / 2, &q->min_value,
                                &q->has_min);
            if (!rc)
                rc = qform_attr_int(r, c, "maxValue", INT64_MIN / 2, INT64_MAX / 2,
                                    &q->max_value, &q->has_max);
            if (!rc && q->has_min && q->has_max && q->min_value > q->max_value)
                rc = ts_fail(r->err, TS_EINVAL,
                             "QuestionForm: question \"%.60s\": IsNumeric minValue is above "
                             "maxValue", q->id);
        } else if (qform_is(c, "Length") && !have_len) {
            have_len = 1;
            rc = qform_attr_int(r, c, "minLength", 0, QFORM_MAX_ANSWER, &q->min_length, NULL);
            if (!rc)
                rc = qform_attr_int(r, c, "maxLength", 1, QFORM_MAX_ANSWER, &q->max_length,
                                    NULL);
            if (!rc && q->max_length >= 0 && q->min_length > q->max_length)
                rc = ts_fail(r->err, TS_EINVAL,
                             "QuestionForm: question \"%.60s\": Length minLength is above "
                             "maxLength", q->id);
        } else if (qform_is(c, "AnswerFormatRegex") && !q->regex) {
            xmlChar *re = xmlGetNoNsProp(c, (const xmlChar *)"regex");
            xmlChar *et = xmlGetNoNsProp(c, (const xmlChar *)"errorText");
            xmlChar *fl = xmlGetNoNsProp(c, (const xmlChar *)"flags");
            if (!re) {
                rc = ts_fail(r->err, TS_EINVAL,
                             "QuestionForm: question \"%.60s\": AnswerFormatRegex needs a regex "
                             "attribute of 1 to %d bytes", q->id, QFORM_REGEX_MAX_BYTES);
            } else {
                q->regex = xstrdup((const char *)re);
                q->regex_error = et ? xstrdup((const char *)et) : NULL;
                q->regex_icase = fl && strchr((const char *)fl, 'i') != NULL;
                if (fl && strspn((const char *)fl, "i") != strlen((const char *)fl))
                    rc = ts_fail(r->err, TS_EINVAL,
                                 "QuestionForm: question \"%.60s\": AnswerFormatRegex flags "
                                 "may only be \"i\" (case-insensitive)", q->id);
                else
                    rc = qform_regex_check(q->regex, q->id, r->err);
                if (!rc) {
                    q->rx = xmalloc(sizeof *q->rx);
                    if (qform_regex_compile(q->regex, q->regex_icase, q->rx) != 0) {
                        free(q->rx);
                        q->rx = NULL;
                        rc = ts_fail(r->err, TS_EINVAL,
                                     "QuestionForm: question \"%.60s\": AnswerFormatRegex "
                                     "\"%.60s\" is not a POSIX extended regular expression",
                                     q->id, q->regex);
                    }
                }
            }
            xmlFree(re);
            xmlFree(et);
            xmlFree(fl);
        } else if (qform_is(c, "AnswerFormatRegex")) {
            rc = ts_fail(r->err, TS_EINVAL,
                         "QuestionForm: question \"%.60s\": Tessera takes one AnswerFormatRegex "
                         "per answer", q->id);
        } else {
            rc = ts_fail(r->err, TS_EINVAL,
                         "QuestionForm: <Constraints> does not allow <%.40s> here; it holds "
                         "IsNumeric, Length and AnswerFormatRegex",
                         (const char *)c->name);
        }
    }
    if (!rc && bad)
        rc = TS_EINVAL;
    return rc;
}

/* FreeTextAnswer, or the OtherSelection that has the same shape. */
static int qform_freetext(struct qform_reader *r, struct qform_question *q, xmlNodePtr el)
{
    int bad = 0, rc = 0, stage = 0;

    q->kind = QFORM_FREETEXT;
    q->min_length = 0;
    q->max_length = -1;
    for (xmlNodePtr c = qform_elem(r, el, el->children, &bad); c && !rc;
         c = qform_elem(r, el, c->next, &bad)) {
        if (qform_is(c, "Constraints") && stage < 1) {
            stage = 1;
            rc = qform_constraints(r, q, c);
        } else if (qform_is(c, "DefaultText") && stage < 2) {
            stage = 2;
            q->default_text = qform_text(r, c, 0);
            if (!q->default_text)
                rc = TS_EINVAL;
        } else if (qform_is(c, "NumberOfLinesSuggestion") && stage < 3) {
            stage = 3;
            rc = qform_int(r, c, 1, 100, &q->lines);
        } else {
            rc = ts_fail(r->err, TS_EINVAL,
                         "QuestionForm: <%s> does not allow <%.40s> here; it holds Constraints, "
                         "DefaultText and NumberOfLinesSuggestion, in that order",
                         (const char *)el->name, (const char *)c->name);
        }
    }
    if (!rc && bad)
        rc = TS_EINVAL;
    return rc;
}

static const char *const qform_style_names[] = {
    "", "radiobutton", "checkbox", "list", "dropdown", "combobox", "multichooser"};

static int qform_style(struct qform_reader *r, struct qform_question *q, xmlNodePtr el)
{
    char *t = qform_text(r, el, 1);
    if (!t)
        return TS_EINVAL;
    for (int i = 1; i < (int)(sizeof qform_style_names / sizeof qform_style_names[0]); i++)
        if (strcmp(t, qform_style_names[i]) == 0) {
            q->style = (enum qform_style)i;
            free(t);
            return 0;
        }
    ts_fail(r->err, TS_EINVAL,
            "QuestionForm: question \"%.60s\": StyleSuggestion must be radiobutton, checkbox, "
            "list, dropdown, combobox or multichooser, not \"%.40s\"", q->id, t);
    free(t);
    return TS_EINVAL;
}

static int qform_selection(struct qform_reader *r, struct qform_question *q, xmlNodePtr el)
{
    struct qform_selection *s;
    int bad = 0, rc = 0;

    if (q->n_selections >= QFORM_MAX_SELECTIONS)
        return ts_fail(r->err, TS_EINVAL,
                       "QuestionForm: question \"%.60s\" has more than %d Selections", q->id,
                       QFORM_MAX_SELECTIONS);
    s = &q->selections[q->n_selections];
    for (xmlNodePtr c = qform_elem(r, el, el->children, &bad); c && !rc;
         c = qform_elem(r, el, c->next, &bad)) {
        if (qform_is(c, "SelectionIdentifier") && !s->id && !s->label) {
            s->id = qform_text(r, c, 1);
            if (!s->id)
                rc = TS_EINVAL;
            else if (!*s->id || strlen(s->id) > QFORM_MAX_ID)
                rc = ts_fail(r->err, TS_EINVAL,
                             "QuestionForm: question \"%.60s\": a SelectionIdentifier must have "
                             "1 to %d bytes", q->id, QFORM_MAX_ID);
        } else if (s->id && !s->label &&
                   (qform_is(c, "Text") || qform_is(c, "FormattedContent") ||
                    qform_is(c, "Binary"))) {
            rc = qform_content_one(r, c, &s->label);
        } else {
            rc = ts_fail(r->err, TS_EINVAL,
                         "QuestionForm: question \"%.60s\": <Selection> holds a "
                         "SelectionIdentifier then one Text, FormattedContent or Binary, not "
                         "<%.40s> here", q->id, (const char *)c->name);
        }
    }
    if (!rc && bad)
        rc = TS_EINVAL;
    if (!rc && (!s->id || !s->label))
        rc = ts_fail(r->err, TS_EINVAL,
                     "QuestionForm: question \"%.60s\": each <Selection> needs a "
                     "SelectionIdentifier and a Text, FormattedContent or Binary", q->id);
    for (size_t i = 0; !rc && i < q->n_selections; i++)
        if (strcmp(q->selections[i].id, s->id) == 0)
            rc = ts_fail(r->err, TS_EINVAL,
                         "QuestionForm: question \"%.60s\": SelectionIdentifier \"%.60s\" is "
                         "used twice", q->id, s->id);
    if (rc) {
        free(s->id);
        qnode_free(s->label);
        memset(s, 0, sizeof *s);
        return rc;
    }
    q->n_selections++;
    return 0;
}

static int qform_selections(struct qform_reader *r, struct qform_question *q, xmlNodePtr el)
{
    int bad = 0, rc = 0;

    q->selections = xcalloc(QFORM_MAX_SELECTIONS, sizeof *q->selections);
    for (xmlNodePtr c = qform_elem(r, el, el->children, &bad); c && !rc;
         c = qform_elem(r, el, c->next, &bad)) {
        if (qform_is(c, "Selection") && !q->other) {
            rc = qform_selection(r, q, c);
        } else if (qform_is(c, "OtherSelection") && !q->other) {
            q->other = 1;
            q->other_spec = xcalloc(1, sizeof *q->other_spec);
            q->other_spec->id = xstrdup(q->id);
            rc = qform_freetext(r, q->other_spec, c);
        } else {
            rc = ts_fail(r->err, TS_EINVAL,
                         "QuestionForm: question \"%.60s\": <Selections> holds Selection "
                         "elements and at most one OtherSelection, last; not <%.40s> here",
                         q->id, (const char *)c->name);
        }
    }
    if (!rc && bad)
        rc = TS_EINVAL;
    if (!rc && q->n_selections == 0)
        rc = ts_fail(r->err, TS_EINVAL,
                     "QuestionForm: question \"%.60s\": <Selections> needs at least one "
                     "<Selection>", q->id);
    return rc;
}

static int qform_selection_answer(struct qform_reader *r, struct qform_question *q,
                                  xmlNodePtr el)
{
    int bad = 0, rc = 0, stage = 0, have_sels = 0;

    q->kind = QFORM_SELECTION;
    q->min_selections = 1;
    q->max_selections = 1;
    for (xmlNodePtr c = qform_elem(r, el, el->children, &bad); c && !rc;
         c = qform_elem(r, el, c->next, &bad)) {
        if (qform_is(c, "MinSelectionCount") && stage < 1) {
            stage = 1;
            rc = qform_int(r, c, 0, QFORM_MAX_SELECTIONS + 1, &q->min_selections);
        } else if (qform_is(c, "MaxSelectionCount") && stage < 2) {
            stage = 2;
            rc = qform_int(r, c, 1, QFORM_MAX_SELECTIONS + 1, &q->max_selections);
        } else if (qform_is(c, "StyleSuggestion") && stage < 3) {
            stage = 3;
            rc = qform_style(r, q, c);
        } else if (qform_is(c, "Selections") && stage < 4) {
            stage = 4;
            have_sels = 1;
            rc = qform_selections(r, q, c);
        } else {
            rc = ts_fail(r->err, TS_EINVAL,
                         "QuestionForm: <SelectionAnswer> does not allow <%.40s> here; it holds "
                         "MinSelectionCount, MaxSelectionCount, StyleSuggestion and Selections, "
                         "in that order",
                         (const char *)c->name);
        }
    }
    if (!rc && bad)
        rc = TS_EINVAL;
    if (!rc && !have_sels)
        rc = ts_fail(r->err, TS_EINVAL, "QuestionForm: question \"%.60s\": SelectionAnswer needs "
                     "<Selections>", q->id);
    if (!rc && q->min_selections > q->max_selections)
        rc = ts_fail(r->err, TS_EINVAL,
                     "QuestionForm: question \"%.60s\": MinSelectionCount is above "
                     "MaxSelectionCount", q->id);
    if (!rc && q->min_selections > (int64_t)q->n_selections + q->other)
        rc = ts_fail(r->err, TS_EINVAL,
                     "QuestionForm: question \"%.60s\": MinSelectionCount is more than the "
                     "choices offered", q->id);
    if (!rc && q->max_selections > 1 &&
        (q->style == QFORM_STYLE_RADIOBUTTON || q->style == QFORM_STYLE_DROPDOWN))
        q->style = QFORM_STYLE_CHECKBOX; /* a suggestion: several answers need boxes */
    return rc;
}

static int qform_file_answer(struct qform_reader *r, struct qform_question *q, xmlNodePtr el)
{
    int bad = 0, rc = 0, have_max = 0, have_min = 0;

    q->kind = QFORM_FILEUPLOAD;
    if (r->version != 2005)
        return ts_fail(r->err, TS_EINVAL,
                       "QuestionForm: FileUploadAnswer is only in the 2005-10-01 QuestionForm "
                       "schema, not 2017-11-06");
    for (xmlNodePtr c = qform_elem(r, el, el->children, &bad); c && !rc;
         c = qform_elem(r, el, c->next, &bad)) {
        if (qform_is(c, "MaxFileSizeInBytes") && !have_max) {
            have_max = 1;
            rc = qform_int(r, c, 0, QFORM_MAX_FILE_SIZE, &q->max_file_size);
        } else if (qform_is(c, "MinFileSizeInBytes") && !have_min) {
            have_min = 1;
            rc = qform_int(r, c, 0, QFORM_MAX_FILE_SIZE, &q->min_file_size);
        } else {
            rc = ts_fail(r->err, TS_EINVAL,
                         "QuestionForm: <FileUploadAnswer> holds MaxFileSizeInBytes and "
                         "MinFileSizeInBytes, not <%.40s>", (const char *)c->name);
        }
    }
    if (!rc && bad)
        rc = TS_EINVAL;
    if (!rc && (!have_max || !have_min))
        rc = ts_fail(r->err, TS_EINVAL,
                     "QuestionForm: question \"%.60s\": FileUploadAnswer needs "
                     "MaxFileSizeInBytes and MinFileSizeInBytes", q->id);
    if (!rc && q->min_file_size > q->max_file_size)
        rc = ts_fail(r->err, TS_EINVAL,
                     "QuestionForm: question \"%.60s\": MinFileSizeInBytes is above "
                     "MaxFileSizeInBytes", q->id);
    return rc;
}

static int qform_answer_spec(struct qform_reader *r, struct qform_question *q, xmlNodePtr el)
{
    int bad = 0;
    xmlNodePtr c = qform_elem(r, el, el->children, &bad);
    int rc;

    if (bad)
        return TS_EINVAL;
    if (!c)
        return ts_fail(r->err, TS_EINVAL,
                       "QuestionForm: question \"%.60s\": AnswerSpecification needs "
                       "FreeTextAnswer, SelectionAnswer or FileUploadAnswer", q->id);
    if (qform_is(c, "FreeTextAnswer"))
        rc = qform_freetext(r, q, c);
    else if (qform_is(c, "SelectionAnswer"))
        rc = qform_selection_answer(r, q, c);
    else if (qform_is(c, "FileUploadAnswer"))
        rc = qform_file_answer(r, q, c);
    else
        rc = ts_fail(r->err, TS_EINVAL,
                     "QuestionForm: <AnswerSpecification> does not allow <%.40s>; it holds one "
                     "FreeTextAnswer, SelectionAnswer or FileUploadAnswer",
                     (const char *)c->name);
    if (!rc && qform_elem(r, el, c->next, &bad))
        rc = ts_fail(r->err, TS_EINVAL,
                     "QuestionForm: question \"%.60s\": AnswerSpecification holds exactly one "
                     "answer element", q->id);
    if (!rc && bad)
        rc = TS_EINVAL;
    return rc;
}

/* ---------------------------------------------------------------- questions and form */

static void qform_question_release(struct qform_question *q)
{
    free(q->id);
    free(q->display_name);
    qnode_free(q->content);
    free(q->regex);
    free(q->regex_error);
    if (q->rx) {
        regfree(q->rx);
        free(q->rx);
    }
    free(q->default_text);
    for (size_t i = 0; i < q->n_selections; i++) {
        free(q->selections[i].id);
        qnode_free(q->selections[i].label);
    }
    free(q->selections);
    if (q->other_spec) {
        qform_question_release(q->other_spec);
        free(q->other_spec);
    }
    memset(q, 0, sizeof *q);
}

static int qform_question(struct qform_reader *r, struct qform_question *q, xmlNodePtr el)
{
    int bad = 0, rc = 0, stage = 0, have_spec = 0;

    for (xmlNodePtr c = qform_elem(r, el, el->children, &bad); c && !rc;
         c = qform_elem(r, el, c->next, &bad)) {
        if (qform_is(c, "QuestionIdentifier") && stage < 1) {
            stage = 1;
            q->id = qform_text(r, c, 1);
            if (!q->id)
                rc = TS_EINVAL;
            else if (!*q->id || strlen(q->id) > QFORM_MAX_ID)
                rc = ts_fail(r->err, TS_EINVAL,
                             "QuestionForm: a QuestionIdentifier must have 1 to %d bytes",
                             QFORM_MAX_ID);
            else if (strcmp(q->id, "assignmentId") == 0)
                rc = ts_fail(r->err, TS_EINVAL,
                             "QuestionForm: \"assignmentId\" cannot be a QuestionIdentifier: "
                             "the submitted form uses that field");
        } else if (stage < 1) {
            rc = ts_fail(r->err, TS_EINVAL,
                         "QuestionForm: <Question> starts with <QuestionIdentifier>, not "
                         "<%.40s>", (const char *)c->name);
        } else if (qform_is(c, "DisplayName") && stage < 2) {
            stage = 2;
            q->display_name = qform_text(r, c, 1);
            if (!q->display_name)
                rc = TS_EINVAL;
        } else if (qform_is(c, "IsRequired") && stage < 3) {
            stage = 3;
            rc = qform_bool(r, c, &q->required);
        } else if (qform_is(c, "QuestionContent") && stage < 4) {
            stage = 4;
            rc = qform_content(r, c, &q->content);
        } else if (qform_is(c, "AnswerSpecification") && stage == 4) {
            stage = 5;
            have_spec = 1;
            rc = qform_answer_spec(r, q, c);
        } else {
            rc = ts_fail(r->err, TS_EINVAL,
                         "QuestionForm: question \"%.60s\": <Question> does not allow <%.40s> "
                         "here; it holds QuestionIdentifier, DisplayName, IsRequired, "
                         "QuestionContent and AnswerSpecification, in that order",
                         q->id, (const char *)c->name);
        }
    }
    if (!rc && bad)
        rc = TS_EINVAL;
    if (!rc && (!q->id || !q->content || !have_spec))
        rc = ts_fail(r->err, TS_EINVAL,
                     "QuestionForm: question \"%.60s\" needs QuestionIdentifier, QuestionContent "
                     "and AnswerSpecification", q->id ? q->id : "");
    return rc;
}

/* Identifiers unique; no question named like another's "other" field. */
static int qform_check_ids(struct qform *f, struct ts_error *err)
{
    for (size_t i = 0; i < f->n_questions; i++) {
        const struct qform_question *q = &f->questions[i];
        size_t n = strlen(q->id), sn = strlen(QFORM_OTHER_SUFFIX);
        for (size_t j = 0; j < i; j++)
            if (strcmp(f->questions[j].id, q->id) == 0)
                return ts_fail(err, TS_EINVAL,
                               "QuestionForm: QuestionIdentifier \"%.60s\" is used twice", q->id);
        if (n > sn && strcmp(q->id + n - sn, QFORM_OTHER_SUFFIX) == 0)
            return ts_fail(err, TS_EINVAL,
                           "QuestionForm: QuestionIdentifier \"%.60s\" must not end in "
                           "\"" QFORM_OTHER_SUFFIX "\": the page uses such names for "
                           "OtherSelection text", q->id);
    }
    return 0;
}

static int qform_root(struct qform_reader *r, xmlNodePtr root, struct qform *f)
{
    struct qform_node **tail = &f->body;
    int bad = 0, rc = 0;

    f->questions = xcalloc(QFORM_MAX_QUESTIONS, sizeof *f->questions);
    for (xmlNodePtr c = qform_elem(r, root, root->children, &bad); c && !rc;
         c = qform_elem(r, root, c->next, &bad)) {
        if (qform_is(c, "Overview")) {
            *tail = qnode_new(QN_OVERVIEW);
            rc = qform_content(r, c, &(*tail)->child);
            tail = &(*tail)->next;
        } else if (qform_is(c, "Question")) {
            if (f->n_questions >= QFORM_MAX_QUESTIONS) {
                rc = ts_fail(r->err, TS_EINVAL, "QuestionForm has more than %d questions",
                             QFORM_MAX_QUESTIONS);
                break;
            }
            rc = qform_question(r, &f->questions[f->n_questions], c);
            f->n_questions++; /* released with the form even when incomplete */
            if (rc)
                break;
            *tail = qnode_new(QN_QUESTION);
            (*tail)->qi = f->n_questions - 1;
            tail = &(*tail)->next;
        } else {
            rc = ts_fail(r->err, TS_EINVAL,
                         "QuestionForm does not allow <%.40s>; it holds Overview and Question "
                         "elements", (const char *)c->name);
        }
    }
    if (!rc && bad)
        rc = TS_EINVAL;
    if (!rc && f->n_questions == 0)
        rc = ts_fail(r->err, TS_EINVAL, "QuestionForm needs at least one <Question>");
    if (!rc)
        rc = qform_check_ids(f, r->err);
    return rc;
}

int qform_parse(const char *xml, size_t n, struct qform *out, struct ts_error *err)
{
    struct qform f = {0};
    struct qform_reader r = {0};
    struct _xmlDoc *doc = NULL;
    xmlNodePtr root;
    const char *href;
    int rc;

    if (n > QFORM_MAX_BYTES)
        return ts_fail(err, TS_ETOOBIG, "QuestionForm has %zu bytes; the limit is %d", n,
                       QFORM_MAX_BYTES);
    rc = xmldoc_read(xml, n, "QuestionForm", 0, &doc, err);
    if (rc)
        return rc;
    r.err = err;
    root = xmlDocGetRootElement(doc);
    href = root && root->ns ? (const char *)root->ns->href : NULL;
    if (!root || strcmp((const char *)root->name, "QuestionForm") != 0) {
        rc = ts_fail(err, TS_EINVAL, "QuestionForm: the root element must be <QuestionForm>");
        goto out;
    }
    if (href && strcmp(href, QFORM_NS_2005) == 0) {
        r.version = 2005;
    } else if (href && strcmp(href, QFORM_NS_2017) == 0) {
        r.version = 2017;
    } else {
        rc = ts_fail(err, TS_EINVAL, "QuestionForm must have xmlns=\"%s\" or \"%s\" (found %.80s)",
                     QFORM_NS_2017, QFORM_NS_2005, href ? href : "none");
        goto out;
    }
    r.ns = href;
    f.version = r.version;
    rc = qform_root(&r, root, &f);
out:
    xmlFreeDoc(doc);
    if (rc) {
        qform_release(&f);
        return rc;
    }
    *out = f;
    return 0;
}

void qform_release(struct qform *f)
{
    for (size_t i = 0; i < f->n_questions; i++)
        qform_question_release(&f->questions[i]);
    free(f->questions);
    qnode_free(f->body);
    memset(f, 0, sizeof *f);
}

const struct qform_question *qform_find(const struct qform *f, const char *id)
{
    for (size_t i = 0; i < f->n_questions; i++)
        if (strcmp(f->questions[i].id, id) == 0)
            return &f->questions[i];
    return NULL;
}

/* ---------------------------------------------------------------- checking answers */

#define QFORM_NUM_SAT (INT64_MAX / 2 + 1) /* an integer part this big is out of any range */

/* Compares the decimal number s (already checked by qform_numeric) with integer bounds
 * without floating point: floor(v) >= min and ceil(v) <= max. */
static int qform_numeric(const char *s, int *neg, int64_t *ip, int *frac)
{
    const char *p = s;
    int digits = 0;

    *neg = 0;
    *ip = 0;
    *frac = 0;
    if (*p == '-' || *p == '+')
        *neg = *p++ == '-';
    for (; *p >= '0' && *p <= '9'; p++, digits++)
        if (*ip <= (QFORM_NUM_SAT - (*p - '0')) / 10)
            *ip = *ip * 10 + (*p - '0');
        else
            *ip = QFORM_NUM_SAT; /* above any bound a form can set (INT64_MAX / 2) */
    if (*p == '.') {
        p++;
        for (; *p >= '0' && *p <= '9'; p++, digits++)
            if (*p != '0')
                *frac = 1;
    }
    return digits > 0 && *p == '\0';
}

static int qform_check_text(const struct qform_question *q, const char *what, const char *s,
                            size_t n, struct ts_error *err)
{
    long chars = text_utf8_chars(s, n);

    if (chars < 0 || memchr(s, '\0', n))
        return ts_fail(err, TS_EINVAL, "%s \"%.60s\": the answer is not valid text", what, q->id);
    if (n > QFORM_MAX_ANSWER)
        return ts_fail(err, TS_EINVAL, "%s \"%.60s\": the answer is longer than %d bytes", what,
                       q->id, QFORM_MAX_ANSWER);
    if (chars < q->min_length)
        return ts_fail(err, TS_EINVAL, "%s \"%.60s\": the answer needs at least %lld characters",
                       what, q->id, (long long)q->min_length);
    if (q->max_length >= 0 && chars > q->max_length)
        return ts_fail(err, TS_EINVAL, "%s \"%.60s\": the answer may have at most %lld characters",
                       what, q->id, (long long)q->max_length);
    if (q->numeric) {
        int neg, frac;
        int64_t ip, lo, hi;
        if (!qform_numeric(s, &neg, &ip, &frac))
            return ts_fail(err, TS_EINVAL, "%s \"%.60s\": the answer must be a number, not "
                           "\"%.40s\"", what, q->id, s);
        lo = neg ? -(ip + frac) : ip; /* floor */
        hi = neg ? -ip : ip + frac;   /* ceiling */
        if (q->has_min && lo < q->min_value)
            return ts_fail(err, TS_EINVAL, "%s \"%.60s\": the answer must be at least %lld", what,
                           q->id, (long long)q->min_value);
        if (q->has_max && hi > q->max_value)
            return ts_fail(err, TS_EINVAL, "%s \"%.60s\": the answer must be at most %lld", what,
                           q->id, (long long)q->max_value);
    }
    if (q->rx) {
        if (n > QFORM_REGEX_MAX_ANSWER)
            return ts_fail(err, TS_EINVAL, "%s \"%.60s\": an answer checked by AnswerFormatRegex "
                           "may have at most %d bytes", what, q->id, QFORM_REGEX_MAX_ANSWER);
        if (regexec(q->rx, s, 0, NULL, 0) != 0)
            return ts_fail(err, TS_EINVAL, "%s \"%.60s\": %.120s", what, q->id,
                           q->regex_error && *q->regex_error
                               ? q->regex_error
                               : "the answer does not have the required format");
    }
    return 0;
}

/* The text of a free-text value: a string, or a number as its JSON text. */
static const char *qform_value_text(json_t *v, char *num, size_t cap, size_t *n)
{
    if (json_is_string(v)) {
        *n = json_string_length(v);
        return json_string_value(v);
    }
    if (json_is_integer(v)) {
        *n = (size_t)snprintf(num, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return num;
    }
    if (json_is_real(v)) {
        *n = (size_t)snprintf(num, cap, "%.17g", json_real_value(v));
        return num;
    }
    return NULL;
}

/* Whether v counts as no answer at all. */
static int qform_empty(json_t *v)
{
    return json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0) ||
           (json_is_array(v) && json_array_size(v) == 0);
}

static json_t *qform_other_text(json_t *v)
{
    json_t *t;
    if (!json_is_object(v) || json_object_size(v) != 1)
        return NULL;
    t = json_object_get(v, "OtherSelectionText");
    return json_is_string(t) ? t : NULL;
}

static int qform_check_selection(const struct qform_question *q, json_t *v, struct ts_error *err)
{
    size_t n = json_is_array(v) ? json_array_size(v) : 1;
    int64_t count = 0;
    int others = 0;

    for (size_t i = 0; i < n; i++) {
        json_t *e = json_is_array(v) ? json_array_get(v, i) : v;
        json_t *ot = qform_other_text(e);
        if (ot) {
            int rc;
            if (!q->other)
                return ts_fail(err, TS_EINVAL,
                               "question \"%.60s\" offers no OtherSelection", q->id);
            if (others++)
                return ts_fail(err, TS_EINVAL,
                               "question \"%.60s\" has more than one OtherSelectionText", q->id);
            if (json_string_length(ot) == 0)
                return ts_fail(err, TS_EINVAL,
                               "question \"%.60s\": OtherSelectionText is empty", q->id);
            rc = qform_check_text(q->other_spec, "question", json_string_value(ot),
                                  json_string_length(ot), err);
            if (rc)
                return rc;
            count++;
            continue;
        }
        if (!json_is_string(e))
            return ts_fail(err, TS_EINVAL,
                           "question \"%.60s\" takes SelectionIdentifiers (strings) or "
                           "{\"OtherSelectionText\": \"...\"}", q->id);
        size_t k = 0;
        while (k < q->n_selections && strcmp(q->selections[k].id, json_string_value(e)) != 0)
            k++;
        if (k == q->n_selections)
            return ts_fail(err, TS_EINVAL, "question \"%.60s\" has no selection \"%.60s\"", q->id,
                           json_string_value(e));
        for (size_t j = 0; j < i; j++) {
            json_t *p = json_array_get(v, j);
            if (json_is_string(p) && strcmp(json_string_value(p), json_string_value(e)) == 0)
                return ts_fail(err, TS_EINVAL, "question \"%.60s\": \"%.60s\" is selected twice",
                               q->id, json_string_value(e));
        }
        count++;
    }
    if (count < q->min_selections)
        return ts_fail(err, TS_EINVAL, "question \"%.60s\" needs at least %lld selection%s",
                       q->id, (long long)q->min_selections, q->min_selections == 1 ? "" : "s");
    if (count > q->max_selections)
        return ts_fail(err, TS_EINVAL, "question \"%.60s\" allows at most %lld selection%s",
                       q->id, (long long)q->max_selections, q->max_selections == 1 ? "" : "s");
    return 0;
}

static int qform_check_file(const struct qform_question *q, json_t *v, struct ts_error *err)
{
    const char *key;
    size_t key_len;
    int64_t sz;

    if (!answers_xml_upload_of(v, &key, &key_len, &sz) || key_len == 0 || key_len > 1024)
        return ts_fail(err, TS_EINVAL,
                       "question \"%.60s\" takes {\"UploadedFileKey\": \"...\", "
                       "\"UploadedFileSizeInBytes\": N}", q->id);
    if (sz < q->min_file_size || sz > q->max_file_size)
        return ts_fail(err, TS_EINVAL,
                       "question \"%.60s\": the file must have %lld to %lld bytes, not %lld",
                       q->id, (long long)q->min_file_size, (long long)q->max_file_size,
                       (long long)sz);
    return 0;
}

static int qform_check_one(const struct qform_question *q, json_t *v, struct ts_error *err)
{
    char num[64];
    const char *s;
    size_t n;

    switch (q->kind) {
    case QFORM_FREETEXT:
        s = qform_value_text(v, num, sizeof num, &n);
        if (!s)
            return ts_fail(err, TS_EINVAL, "question \"%.60s\" takes text", q->id);
        return qform_check_text(q, "question", s, n, err);
    case QFORM_SELECTION:
        return qform_check_selection(q, v, err);
    case QFORM_FILEUPLOAD:
        return qform_check_file(q, v, err);
    }
    TS_BUG("question kind %d", (int)q->kind);
}

int qform_check_answers(const struct qform *f, const char *answers_json, struct ts_error *err)
{
    json_error_t jerr;
    json_t *o = json_loads(answers_json, JSON_REJECT_DUPLICATES, &jerr);
    const char *k;
    json_t *v;
    int rc = 0;

    if (!json_is_object(o)) {
        json_decref(o);
        return ts_fail(err, TS_EINVAL, "answers must be a JSON object of QuestionIdentifier: "
                       "answer");
    }
    json_object_foreach(o, k, v)
    {
        if (strcmp(k, "assignmentId") == 0)
            continue;
        if (!qform_find(f, k)) {
            rc = ts_fail(err, TS_EINVAL, "the form has no question \"%.60s\"", k);
            goto out;
        }
    }
    for (size_t i = 0; i < f->n_questions && !rc; i++) {
        const struct qform_question *q = &f->questions[i];
        v = json_object_get(o, q->id);
        if (!v || qform_empty(v)) {
            if (q->required)
                rc = ts_fail(err, TS_EINVAL, "question \"%.60s\" is required", q->id);
            continue;
        }
        rc = qform_check_one(q, v, err);
    }
out:
    json_decref(o);
    return rc;
}

/* ---------------------------------------------------------------- posted forms */

char *qform_from_post(const struct qform *f, const char *posted_json, struct ts_error *err)
{
    json_error_t jerr;
    json_t *in = json_loads(posted_json, 0, &jerr);
    json_t *out;
    const char *k;
    json_t *v;
    char *s;

    if (!json_is_object(in)) {
        json_decref(in);
        ts_fail(err, TS_EINVAL, "the posted form must be a JSON object of field: value");
        return NULL;
    }
    out = json_object();
    json_object_foreach(in, k, v)
    {
        const struct qform_question *q = qform_find(f, k);
        size_t kn = strlen(k), sn = strlen(QFORM_OTHER_SUFFIX);
        if (strcmp(k, "assignmentId") == 0 || qform_empty(v))
            continue;
        if (!q && kn > sn && strcmp(k + kn - sn, QFORM_OTHER_SUFFIX) == 0)
            continue; /* folded in with its question below */
        if (!q || q->kind != QFORM_SELECTION) {
            json_object_set(out, k, v);
            continue;
        }
        json_t *a = json_array();
        if (json_is_array(v)) {
            size_t i;
            json_t *e;
            json_array_foreach(v, i, e)
                if (!qform_empty(e))
                    json_array_append(a, e);
        } else {
            json_array_append(a, v);
        }
        json_object_set_new(out, k, a);
    }
    for (size_t i = 0; i < f->n_questions; i++) {
        const struct qform_question *q = &f->questions[i];
        struct buf name = BUF_INIT(QFORM_MAX_ID + 64);
        json_t *ot, *a;
        if (q->kind != QFORM_SELECTION)
            continue;
        buf_printf(&name, "%s" QFORM_OTHER_SUFFIX, q->id);
        ot = json_object_get(in, name.p);
        buf_release(&name);
        if (json_is_array(ot))
            ot = json_array_get(ot, json_array_size(ot) - 1);
        a = json_object_get(out, q->id);
        if (json_is_string(ot) && json_string_length(ot) > 0) {
            if (!a) {
                a = json_array();
                json_object_set_new(out, q->id, a);
            }
            json_array_append_new(a, json_pack("{s:O}", "OtherSelectionText", ot));
        }
        if (a && q->max_selections == 1 && json_array_size(a) == 1)
            json_object_set(out, q->id, json_array_get(a, 0));
        else if (a && json_array_size(a) == 0)
            json_object_del(out, q->id);
    }
    json_decref(in);
    s = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(out);
    if (!s)
        ts_fail(err, TS_EINVAL, "the posted form could not be converted");
    return s;
}

/* ---------------------------------------------------------------- rendering */

static void qform_esc(struct buf *b, const char *s)
{
    buf_put_xml(b, s, strlen(s));
}

static void qform_render_binary(struct buf *b, const struct qform_node *n)
{
    char size[64] = "";
    if (n->width && n->height)
        snprintf(size, sizeof size, " width=\"%lld\" height=\"%lld\"", (long long)n->width,
                 (long long)n->height);
    if (strncmp(n->mime, "image", 5) == 0 && (n->mime[5] == '\0' || n->mime[5] == '/')) {
        buf_puts(b, "<img src=\"");
        qform_esc(b, n->url);
        buf_puts(b, "\" alt=\"");
        qform_esc(b, n->alt);
        buf_printf(b, "\"%s>", size);
    } else if (strncmp(n->mime, "video", 5) == 0 || strncmp(n->mime, "audio", 5) == 0) {
        const char *tag = n->mime[0] == 'v' ? "video" : "audio";
        buf_printf(b, "<%s controls src=\"", tag);
        qform_esc(b, n->url);
        buf_printf(b, "\"%s>", size);
        qform_esc(b, n->alt);
        buf_printf(b, "</%s>", tag);
    } else {
        buf_puts(b, "<a rel=\"noopener noreferrer\" target=\"_blank\" href=\"");
        qform_esc(b, n->url);
        buf_puts(b, "\">");
        qform_esc(b, n->alt);
        buf_puts(b, "</a>");
    }
}

/* Content nodes, inline when label is set (a selection's label). */
static void qform_render_content(struct buf *b, const struct qform_node *n, int label)
{
    for (; n; n = n->next) {
        switch (n->kind) {
        case QN_TITLE:
            buf_puts(b, "<h2>");
            qform_esc(b, n->text);
            buf_puts(b, "</h2>\n");
            break;
        case QN_TEXT:
            buf_puts(b, label ? "<span>" : "<p>");
            qform_esc(b, n->text);
            buf_puts(b, label ? "</span>" : "</p>\n");
            break;
        case QN_LIST:
            buf_puts(b, "<ul>");
            for (const struct qform_node *i = n->child; i; i = i->next) {
                buf_puts(b, "<li>");
                qform_esc(b, i->text);
                buf_puts(b, "</li>");
            }
            buf_puts(b, "</ul>\n");
            break;
        case QN_BINARY:
            qform_render_binary(b, n);
            break;
        case QN_HTML:
            buf_puts(b, label ? "<span class=\"fc\">" : "<div class=\"fc\">");
            buf_puts(b, n->text); /* sanitised when read */
            buf_puts(b, label ? "</span>" : "</div>\n");
            break;
        case QN_ITEM:
        case QN_OVERVIEW:
        case QN_QUESTION:
            break;
        }
    }
}

/* Text for a <option>, which cannot hold markup: the Text, else the AltText, else the
 * SelectionIdentifier. */
static const char *qform_option_text(const struct qform_selection *s)
{
    if (s->label->kind == QN_TEXT)
        return s->label->text;
    if (s->label->kind == QN_BINARY)
        return s->label->alt;
    return s->id;
}

static void qform_render_selection(struct buf *b, const struct qform_question *q, size_t qi)
{
    int multi = q->max_selections > 1;
    int menu = q->style == QFORM_STYLE_LIST || q->style == QFORM_STYLE_DROPDOWN ||
               q->style == QFORM_STYLE_COMBOBOX || q->style == QFORM_STYLE_MULTICHOOSER;

    if (menu) {
        buf_puts(b, "<select name=\"");
        qform_esc(b, q->id);
        buf_puts(b, "\"");
        if (multi)
            buf_printf(b, " multiple size=\"%zu\"",
                       q->n_selections < 8 ? q->n_selections : (size_t)8);
        buf_puts(b, ">");
        if (!multi)
            buf_puts(b, "<option value=\"\"></option>");
        for (size_t i = 0; i < q->n_selections; i++) {
            buf_puts(b, "<option value=\"");
            qform_esc(b, q->selections[i].id);
            buf_puts(b, "\">");
            qform_esc(b, qform_option_text(&q->selections[i]));
            buf_puts(b, "</option>");
        }
        buf_puts(b, "</select>\n");
    } else {
        for (size_t i = 0; i < q->n_selections; i++) {
            buf_printf(b, "<label class=\"choice\"><input type=\"%s\" name=\"",
                       multi ? "checkbox" : "radio");
            qform_esc(b, q->id);
            buf_puts(b, "\" value=\"");
            qform_esc(b, q->selections[i].id);
            buf_puts(b, "\"> ");
            qform_render_content(b, q->selections[i].label, 1);
            buf_puts(b, "</label>\n");
        }
    }
    if (q->other) {
        buf_printf(b, "<label class=\"choice\" for=\"q%zu-other\">Other:</label> "
                      "<input type=\"text\" id=\"q%zu-other\" name=\"", qi, qi);
        qform_esc(b, q->id);
        buf_puts(b, QFORM_OTHER_SUFFIX "\"");
        if (q->other_spec->default_text) {
            buf_puts(b, " placeholder=\"");
            qform_esc(b, q->other_spec->default_text);
            buf_puts(b, "\"");
        }
        buf_puts(b, ">\n");
    }
}

static void qform_render_question(struct buf *b, const struct qform_question *q, size_t qi)
{
    buf_puts(b, "<fieldset class=\"question\">");
    if (q->display_name) {
        buf_puts(b, "<legend>");
        qform_esc(b, q->display_name);
        buf_puts(b, q->required ? " <span class=\"req\">*</span></legend>\n" : "</legend>\n");
    }
    qform_render_content(b, q->content, 0);
    buf_puts(b, "<div class=\"answer\">");
    switch (q->kind) {
    case QFORM_FREETEXT:
        if (q->lines > 1) {
            buf_printf(b, "<textarea rows=\"%lld\" cols=\"60\" name=\"", (long long)q->lines);
            qform_esc(b, q->id);
            buf_puts(b, q->required ? "\" required>" : "\">");
            if (q->default_text)
                qform_esc(b, q->default_text);
            buf_puts(b, "</textarea>");
        } else {
            buf_puts(b, "<input type=\"text\" size=\"60\" name=\"");
            qform_esc(b, q->id);
            buf_puts(b, "\"");
            if (q->default_text) {
                buf_puts(b, " value=\"");
                qform_esc(b, q->default_text);
                buf_puts(b, "\"");
            }
            if (q->max_length > 0)
                buf_printf(b, " maxlength=\"%lld\"", (long long)q->max_length);
            buf_puts(b, q->required ? " required>" : ">");
        }
        break;
    case QFORM_SELECTION:
        qform_render_selection(b, q, qi);
        break;
    case QFORM_FILEUPLOAD:
        buf_puts(b, "<input type=\"file\" name=\"");
        qform_esc(b, q->id);
        buf_puts(b, q->required ? "\" required>" : "\">");
        break;
    }
    buf_puts(b, "</div></fieldset>\n");
}

int qform_render_html(const struct qform *f, const char *submit_url, const char *assignment_id,
                      struct buf *out, struct ts_error *err)
{
    int files = 0;

    for (size_t i = 0; i < f->n_questions; i++)
        files |= f->questions[i].kind == QFORM_FILEUPLOAD;
    buf_puts(out,
             "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
             "<title>Task</title><style>"
             "body{font-family:sans-serif;max-width:50em;margin:1em auto;padding:0 1em}"
             "fieldset.question{margin:1em 0;border:1px solid #ccc;padding:.5em 1em}"
             "label.choice{display:block;margin:.2em 0}.req{color:#b00}"
             "img,video{max-width:100%}"
             "</style></head><body>\n<form method=\"POST\" action=\"");
    qform_esc(out, submit_url);
    buf_puts(out, files ? "\" enctype=\"multipart/form-data\">\n" : "\">\n");
    buf_puts(out, "<input type=\"hidden\" name=\"assignmentId\" value=\"");
    qform_esc(out, assignment_id);
    buf_puts(out, "\">\n");
    for (const struct qform_node *n = f->body; n; n = n->next) {
        if (n->kind == QN_OVERVIEW) {
            buf_puts(out, "<div class=\"overview\">");
            qform_render_content(out, n->child, 0);
            buf_puts(out, "</div>\n");
        } else if (n->kind == QN_QUESTION) {
            qform_render_question(out, &f->questions[n->qi], n->qi);
        }
    }
    buf_puts(out, "<p><input type=\"submit\" value=\"Submit\"></p>\n</form></body></html>\n");
    if (out->err)
        return ts_fail(err, TS_ETOOBIG, "the rendered form is larger than %zu bytes", out->max);
    return 0;
}

/* ---------------------------------------------------------------- answers XML */

static int qform_put_elem(struct buf *b, const char *tag, const char *s, size_t n)
{
    buf_printf(b, "<%s>", tag);
    if (answers_xml_put_ascii(b, s, n) != 0)
        return -1;
    buf_printf(b, "</%s>", tag);
    return 0;
}

static int qform_put_answer(struct buf *b, const struct qform_question *q, const char *key,
                            json_t *v, struct ts_error *err)
{
    char num[64];
    const char *s;
    size_t n;
    int bad = 0;

    if (q && q->kind == QFORM_SELECTION && qform_empty(v))
        return 0;
    buf_puts(b, "<Answer>");
    if (qform_put_elem(b, "QuestionIdentifier", key, strlen(key)))
        return ts_fail(err, TS_EINVAL, "answer name is not valid UTF-8");
    if (q && q->kind == QFORM_SELECTION && (json_is_array(v) || json_is_string(v) ||
                                            qform_other_text(v))) {
        size_t cnt = json_is_array(v) ? json_array_size(v) : 1;
        json_t *other = NULL;
        for (size_t i = 0; i < cnt && !bad; i++) {
            json_t *e = json_is_array(v) ? json_array_get(v, i) : v;
            if (qform_other_text(e))
                other = qform_other_text(e);
            else if (json_is_string(e))
                bad = qform_put_elem(b, "SelectionIdentifier", json_string_value(e),
                                     json_string_length(e));
            else
                bad = 1;
        }
        if (!bad && other)
            bad = qform_put_elem(b, "OtherSelectionText", json_string_value(other),
                                 json_string_length(other));
    } else if (q && q->kind == QFORM_FILEUPLOAD && json_is_object(v)) {
        const char *file;
        size_t file_len;
        int64_t size;
        bad = !answers_xml_upload_of(v, &file, &file_len, &size) ||
              answers_xml_put_upload(b, file, file_len, size) != 0;
    } else if (json_is_null(v)) {
        buf_puts(b, "<FreeText></FreeText>");
    } else if (json_is_boolean(v)) {
        buf_puts(b, json_is_true(v) ? "<FreeText>true</FreeText>" : "<FreeText>false</FreeText>");
    } else {
        s = qform_value_text(v, num, sizeof num, &n);
        bad = !s || qform_put_elem(b, "FreeText", s, n);
    }
    if (bad)
        return ts_fail(err, TS_EINVAL, "answer \"%.40s\" has a value that does not fit its "
                       "question, or is not valid UTF-8", key);
    buf_puts(b, "</Answer>");
    return 0;
}

static int qform_put_member(struct buf *b, const char *key, json_t *v, const void *ctx,
                            struct ts_error *err)
{
    return qform_put_answer(b, qform_find(ctx, key), key, v, err);
}

int qform_answers_xml(const struct qform *f, const char *answers_json, struct buf *out,
                      struct ts_error *err)
{
    json_error_t jerr;
    json_t *obj = json_loads(answers_json, JSON_REJECT_DUPLICATES, &jerr);
    int rc;

    if (json_is_object(obj))
        rc = answers_xml_doc(obj, qform_put_member, f, out, err);
    else
        rc = ts_fail(err, TS_EINVAL, "answers must be a JSON object of QuestionIdentifier: "
                     "answer");
    json_decref(obj);
    return rc;
}
