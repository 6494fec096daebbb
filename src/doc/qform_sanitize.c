/* qform_sanitize.c: FormattedContent made safe for a worker's page. The text is re-read
 * as XHTML (xmldoc_read, as hostile as any Question) and written back with only a small
 * allowlist of tags and attributes: scripts, styles, frames and forms go with all they
 * hold, other unknown tags are unwrapped, event handlers and javascript: URLs never pass,
 * and nesting deeper than QFORM_MAX_HTML_DEPTH is cut. */
#include "qform_internal.h"

#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "xmldoc.h"
#include "../util/buf.h"
#include "../util/banned.h"

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

int qform__sanitize(const char *text, char **out, struct ts_error *err)
{
    struct buf src = BUF_INIT(QFORM_MAX_BYTES + 64);
    struct buf html = BUF_INIT((size_t)QFORM_MAX_BYTES * 2);
    struct _xmlDoc *doc = NULL;
    int rc;

    buf_puts(&src, "<div>");
    buf_puts(&src, text);
    buf_puts(&src, "</div>");
    rc = xmldoc_read(src.p, src.len, "FormattedContent", XMLDOC_KEEP_BLANKS, &doc, err);
    buf_release(&src);
    if (rc)
        return rc;
    qform_html_out(&html, xmlDocGetRootElement(doc)->children, 0);
    xmlFreeDoc(doc);
    if (html.err) {
        buf_release(&html);
        return ts_fail(err, TS_ETOOBIG, "QuestionForm: FormattedContent is too large");
    }
    *out = buf_detach(&html, NULL);
    return 0;
}
