/* question.c: the room where requester-supplied Question XML is read and where the
 * answers MTurk clients expect are written. Question XML is hostile input: it is
 * size-capped, parsed without network access, DTDs or entity expansion (a DOCTYPE
 * stops the parser before its internal subset is read), and libxml2's errors are
 * captured per parse instead of printed. */
#include "question.h"
#include "qform.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "../util/alloc.h"
#include "../util/parse.h"
#include "../util/banned.h"

#if LIBXML_VERSION >= 21200
typedef const xmlError *question_xml_error;
#else
typedef xmlErrorPtr question_xml_error;
#endif

/* What one parse learns through libxml2's callbacks; hung on ctxt->_private. */
struct question_capture {
    int doctype;  /* a DOCTYPE was seen: the parser was stopped */
    int have_err; /* msg holds the first error */
    int line;
    char msg[160];
};

static pthread_once_t question_once = PTHREAD_ONCE_INIT;

static void question_init_libxml(void)
{
    xmlInitParser();
}

static void question_capture_error(struct question_capture *cap, question_xml_error e)
{
    size_t n;

    if (!cap || cap->have_err || !e || e->level < XML_ERR_ERROR)
        return;
    cap->have_err = 1;
    cap->line = e->line;
    n = 0;
    if (e->message) {
        n = strlen(e->message);
        while (n > 0 && (e->message[n - 1] == '\n' || e->message[n - 1] == ' '))
            n--;
        if (n >= sizeof cap->msg)
            n = sizeof cap->msg - 1;
        memcpy(cap->msg, e->message, n);
    }
    cap->msg[n] = '\0';
}

/* Errors raised with the parser context (nearly all). */
static void question_on_error(void *user, question_xml_error e)
{
    xmlParserCtxtPtr ctxt = user;

    question_capture_error(ctxt ? ctxt->_private : NULL, e);
}

/* Errors raised without one (encoding conversion): user is the capture. */
static void question_on_global_error(void *user, question_xml_error e)
{
    question_capture_error(user, e);
}

/* Called when "<!DOCTYPE name ...>" has been read and before any "[ internal subset ]":
 * stopping here means no entity is ever declared, let alone expanded. */
static void question_on_doctype(void *user, const xmlChar *name, const xmlChar *external_id,
                                const xmlChar *system_id)
{
    xmlParserCtxtPtr ctxt = user;
    struct question_capture *cap = ctxt->_private;

    (void)name;
    (void)external_id;
    (void)system_id;
    cap->doctype = 1;
    xmlStopParser(ctxt);
}

/* Parses into *doc_out; 0 or TS_EINVAL with the requester-facing message. Whitespace-only
 * text between elements is dropped unless keep_blanks (mixed content such as XHTML). */
static int question_read(const char *xml, size_t n, const char *what, int keep_blanks,
                         struct _xmlDoc **doc_out, struct ts_error *err)
{
    struct question_capture cap = {0};
    xmlParserCtxtPtr ctxt;
    xmlDocPtr doc;
    int well_formed;
    xmlStructuredErrorFunc old_handler;
    void *old_data;

    pthread_once(&question_once, question_init_libxml);
    /* A few errors (encoding conversion) bypass the context's handler and go to the
     * structured handler, which libxml2 keeps per thread: borrow it for this parse. */
    old_handler = xmlStructuredError;
    old_data = xmlStructuredErrorContext;
    xmlSetStructuredErrorFunc(&cap, question_on_global_error);
    ctxt = xmlCreateMemoryParserCtxt(xml, (int)n);
    if (!ctxt) {
        xmlSetStructuredErrorFunc(old_data, old_handler);
        return ts_fail(err, TS_EINVAL, "%s is not well-formed XML: it is empty", what);
    }
    ctxt->_private = &cap;
    xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | (keep_blanks ? 0 : XML_PARSE_NOBLANKS));
    ctxt->sax->serror = question_on_error;
    ctxt->sax->internalSubset = question_on_doctype;
    ctxt->sax->externalSubset = NULL;
    ctxt->sax->resolveEntity = NULL;
    ctxt->vctxt.error = NULL;
    ctxt->vctxt.warning = NULL;
    xmlParseDocument(ctxt);
    doc = ctxt->myDoc;
    well_formed = ctxt->wellFormed;
    ctxt->myDoc = NULL;
    xmlFreeParserCtxt(ctxt);
    xmlSetStructuredErrorFunc(old_data, old_handler);

    if (cap.doctype || (doc && (doc->intSubset || doc->extSubset))) {
        xmlFreeDoc(doc);
        return ts_fail(err, TS_EINVAL,
                       "%s must not contain a DOCTYPE: DTDs and entity declarations "
                       "are not allowed", what);
    }
    if (!doc || !well_formed || cap.have_err) {
        xmlFreeDoc(doc);
        if (cap.have_err)
            return ts_fail(err, TS_EINVAL, "%s is not well-formed XML: line %d: %s", what,
                           cap.line, cap.msg);
        return ts_fail(err, TS_EINVAL, "%s is not well-formed XML", what);
    }
    *doc_out = doc;
    return 0;
}

int question__read(const char *xml, size_t n, const char *what, struct _xmlDoc **doc,
                   struct ts_error *err)
{
    return question_read(xml, n, what, 0, doc, err);
}

int question__read_mixed(const char *xml, size_t n, const char *what, struct _xmlDoc **doc,
                         struct ts_error *err)
{
    return question_read(xml, n, what, 1, doc, err);
}

static int question_is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The text of an element that must hold only text (and CDATA), trimmed of XML
 * whitespace when trim is set; caller frees. NULL with err set otherwise. */
static char *question_text(xmlNodePtr el, const char *root, int trim, struct ts_error *err)
{
    xmlChar *content;
    const char *s;
    size_t n;
    char *r;

    for (xmlNodePtr c = el->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            if (strcmp((const char *)el->name, "HTMLContent") == 0)
                ts_fail(err, TS_EINVAL,
                        "HTMLContent must be text, but it holds an element <%.40s>: wrap the "
                        "HTML page in <![CDATA[ ... ]]>",
                        (const char *)c->name);
            else
                ts_fail(err, TS_EINVAL, "%s: <%s> must hold only text, not <%.40s>", root,
                        (const char *)el->name, (const char *)c->name);
            return NULL;
        }
    }
    content = xmlNodeGetContent(el);
    s = content ? (const char *)content : "";
    n = strlen(s);
    if (trim) {
        while (n > 0 && question_is_space((unsigned char)s[n - 1]))
            n--;
        while (n > 0 && question_is_space((unsigned char)*s)) {
            s++;
            n--;
        }
    }
    r = xstrndup(s, n);
    xmlFree(content);
    return r;
}

static int question_frame_height(const char *text, const char *root, int64_t *out,
                                 struct ts_error *err)
{
    if (parse_i64(text, strlen(text), 0, QUESTION_MAX_FRAME_HEIGHT, out) != 0)
        return ts_fail(err, TS_EINVAL,
                       "%s: FrameHeight must be an integer from 0 to %d (0 sizes the frame "
                       "to the window), not \"%.40s\"",
                       root, QUESTION_MAX_FRAME_HEIGHT, text);
    return 0;
}

static int question_check_url(const char *url, struct ts_error *err)
{
    size_t n = strlen(url);

    if (n == 0)
        return ts_fail(err, TS_EINVAL, "ExternalQuestion needs a non-empty ExternalURL");
    if (n > QUESTION_MAX_URL)
        return ts_fail(err, TS_EINVAL, "ExternalURL has %zu characters; the limit is %d", n,
                       QUESTION_MAX_URL);
    if (strncasecmp(url, "https://", 8) != 0)
        return ts_fail(err, TS_EINVAL,
                       "ExternalURL must start with https:// (workers' browsers block "
                       "insecure frames), not \"%.60s\"",
                       url);
    if (url[8] == '\0' || url[8] == '/' || url[8] == '?' || url[8] == '#')
        return ts_fail(err, TS_EINVAL, "ExternalURL needs a host name after https://");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)url[i];
        if (c <= 0x20 || c == 0x7f)
            return ts_fail(err, TS_EINVAL,
                           "ExternalURL must not contain spaces or control characters "
                           "(percent-encode them)");
    }
    return 0;
}

/* Walks the children of an HTMLQuestion or ExternalQuestion root into q. */
static int question_fields(xmlNodePtr root, const char *ns, struct question *q,
                           struct ts_error *err)
{
    const char *rname = (const char *)root->name;
    const char *body = q->kind == QUESTION_HTML ? "HTMLContent" : "ExternalURL";
    char **body_out = q->kind == QUESTION_HTML ? &q->html : &q->url;
    char *text;
    int have_height = 0;
    int rc;

    for (xmlNodePtr c = root->children; c; c = c->next) {
        const char *name = (const char *)c->name;
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            for (const xmlChar *p = c->content; p && *p; p++)
                if (!question_is_space(*p))
                    return ts_fail(err, TS_EINVAL,
                                   "%s has text outside its elements: put it inside <%s>",
                                   rname, body);
            continue;
        }
        if (c->type != XML_ELEMENT_NODE)
            continue; /* comments, processing instructions */
        if (!c->ns || strcmp((const char *)c->ns->href, ns) != 0)
            return ts_fail(err, TS_EINVAL, "<%.40s> inside %s must be in the namespace %s",
                           name, rname, ns);
        if (strcmp(name, body) == 0) {
            if (*body_out)
                return ts_fail(err, TS_EINVAL, "%s has more than one <%s>", rname, body);
            text = question_text(c, rname, q->kind == QUESTION_EXTERNAL, err);
            if (!text)
                return TS_EINVAL;
            *body_out = text;
        } else if (strcmp(name, "FrameHeight") == 0) {
            if (have_height)
                return ts_fail(err, TS_EINVAL, "%s has more than one <FrameHeight>", rname);
            text = question_text(c, rname, 1, err);
            if (!text)
                return TS_EINVAL;
            rc = question_frame_height(text, rname, &q->frame_height, err);
            free(text);
            if (rc)
                return rc;
            have_height = 1;
        } else {
            return ts_fail(err, TS_EINVAL, "%s does not allow <%.40s>; it holds %s and FrameHeight",
                           rname, name, body);
        }
    }
    if (!*body_out || (q->kind == QUESTION_HTML && strspn(q->html, " \t\r\n") == strlen(q->html)))
        return ts_fail(err, TS_EINVAL, "%s needs %s", rname, body);
    if (!have_height)
        return ts_fail(err, TS_EINVAL,
                       "%s needs FrameHeight (an integer from 0 to %d; 0 sizes the frame to "
                       "the window)",
                       rname, QUESTION_MAX_FRAME_HEIGHT);
    if (q->kind == QUESTION_EXTERNAL)
        return question_check_url(q->url, err);
    return 0;
}

int question_parse(const char *xml, size_t n, struct question *out, struct ts_error *err)
{
    struct question q = {0};
    xmlDocPtr doc = NULL;
    xmlNodePtr root;
    const char *name, *ns, *href;
    int rc;

    if (n > QUESTION_MAX_BYTES)
        return ts_fail(err, TS_ETOOBIG, "Question has %zu bytes; the limit is %d", n,
                       QUESTION_MAX_BYTES);
    rc = question__read(xml, n, "Question", &doc, err);
    if (rc)
        return rc;
    root = xmlDocGetRootElement(doc);
    if (!root) {
        rc = ts_fail(err, TS_EINVAL, "Question is not well-formed XML: no root element");
        goto out;
    }
    name = (const char *)root->name;
    if (strcmp(name, "HTMLQuestion") == 0) {
        q.kind = QUESTION_HTML;
        ns = QUESTION_NS_HTML;
    } else if (strcmp(name, "ExternalQuestion") == 0) {
        q.kind = QUESTION_EXTERNAL;
        ns = QUESTION_NS_EXTERNAL;
    } else if (strcmp(name, "QuestionForm") == 0) {
        xmlFreeDoc(doc);
        q.kind = QUESTION_FORM;
        q.form = xcalloc(1, sizeof *q.form);
        rc = qform_parse(xml, n, q.form, err);
        if (rc) {
            free(q.form);
            return rc;
        }
        *out = q;
        return 0;
    } else {
        rc = ts_fail(err, TS_EINVAL,
                     "Question root element must be HTMLQuestion, ExternalQuestion or "
                     "QuestionForm, not <%.40s>",
                     name);
        goto out;
    }
    href = root->ns ? (const char *)root->ns->href : NULL;
    if (!href || strcmp(href, ns) != 0) {
        rc = ts_fail(err, TS_EINVAL, "%s must have xmlns=\"%s\" (found %s%.60s%s)", name, ns,
                     href ? "\"" : "", href ? href : "none", href ? "\"" : "");
        goto out;
    }
    rc = question_fields(root, ns, &q, err);
out:
    xmlFreeDoc(doc);
    if (rc) {
        question_release(&q);
        return rc;
    }
    *out = q;
    return 0;
}

void question_release(struct question *q)
{
    free(q->html);
    free(q->url);
    if (q->form) {
        qform_release(q->form);
        free(q->form);
    }
    q->html = NULL;
    q->url = NULL;
    q->form = NULL;
    q->frame_height = 0;
}

/* Decodes one UTF-8 character at s[0..n) into *cp; returns its length, or 0 when the
 * bytes are not valid UTF-8 (overlong, surrogate, beyond U+10FFFF, truncated). */
static size_t question_utf8(const unsigned char *s, size_t n, unsigned long *cp)
{
    unsigned long c = s[0], min;
    size_t len;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if ((c & 0xe0) == 0xc0) {
        len = 2;
        c &= 0x1f;
        min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        len = 3;
        c &= 0x0f;
        min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
        len = 4;
        c &= 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

/* Appends s[0..n) as ASCII XML text. -1 when s is not valid UTF-8. */
int question__put_ascii(struct buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    while (i < n) {
        unsigned long c;
        size_t len = question_utf8(p + i, n - i, &c);
        if (len == 0)
            return -1;
        i += len;
        if (c == '&')
            buf_puts(b, "&amp;");
        else if (c == '<')
            buf_puts(b, "&lt;");
        else if (c == '>')
            buf_puts(b, "&gt;");
        else if (c == '"')
            buf_puts(b, "&quot;");
        else if (c == '\'')
            buf_puts(b, "&apos;");
        else if (c == '\t' || c == '\n' || (c >= 0x20 && c < 0x7f))
            buf_putc(b, (char)c);
        else if (c == '\r' || c == 0x7f || (c >= 0x80 && c != 0xfffe && c != 0xffff))
            buf_printf(b, "&#%lu;", c); /* \r as a reference survives end-of-line handling */
        else
            buf_puts(b, "&#65533;"); /* not an XML 1.0 character, even as a reference */
    }
    return 0;
}

/* An uploaded file's answer {"UploadedFileKey": text, "UploadedFileSizeInBytes": n}
 * (exactly those two members) as MTurk writes a FileUploadAnswer. */
static int question_put_upload(struct buf *b, const char *key, json_t *v,
                               struct ts_error *err)
{
    json_t *k = json_object_get(v, "UploadedFileKey");
    json_t *n = json_object_get(v, "UploadedFileSizeInBytes");

    if (json_object_size(v) != 2 || !json_is_string(k) || !json_is_integer(n) ||
        json_integer_value(n) < 0)
        return ts_fail(err, TS_EINVAL,
                       "answer \"%.40s\" must be text, a number, a boolean or an uploaded "
                       "file {\"UploadedFileKey\", \"UploadedFileSizeInBytes\"}",
                       key);
    buf_puts(b, "<Answer><QuestionIdentifier>");
    if (question__put_ascii(b, key, strlen(key)) != 0)
        return ts_fail(err, TS_EINVAL, "answer name is not valid UTF-8");
    buf_printf(b, "</QuestionIdentifier><UploadedFileSizeInBytes>%" JSON_INTEGER_FORMAT
                  "</UploadedFileSizeInBytes><UploadedFileKey>",
               json_integer_value(n));
    if (question__put_ascii(b, json_string_value(k), json_string_length(k)) != 0)
        return ts_fail(err, TS_EINVAL, "answer \"%.40s\" is not valid UTF-8", key);
    buf_puts(b, "</UploadedFileKey></Answer>");
    return 0;
}

static int question_put_answer(struct buf *b, const char *key, json_t *v, struct ts_error *err)
{
    char num[64];
    const char *text;
    size_t n;

    switch (json_typeof(v)) {
    case JSON_STRING:
        text = json_string_value(v);
        n = json_string_length(v);
        break;
    case JSON_INTEGER:
        n = (size_t)snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        text = num;
        break;
    case JSON_REAL:
        n = (size_t)snprintf(num, sizeof num, "%.17g", json_real_value(v));
        text = num;
        break;
    case JSON_TRUE:
        text = "true";
        n = 4;
        break;
    case JSON_FALSE:
        text = "false";
        n = 5;
        break;
    case JSON_NULL:
        text = "";
        n = 0;
        break;
    case JSON_OBJECT:
        return question_put_upload(b, key, v, err);
    default:
        return ts_fail(err, TS_EINVAL, "answer \"%.40s\" must be text, a number or a boolean",
                       key);
    }
    buf_puts(b, "<Answer><QuestionIdentifier>");
    if (question__put_ascii(b, key, strlen(key)) != 0)
        return ts_fail(err, TS_EINVAL, "answer name is not valid UTF-8");
    buf_puts(b, "</QuestionIdentifier><FreeText>");
    if (question__put_ascii(b, text, n) != 0)
        return ts_fail(err, TS_EINVAL, "answer \"%.40s\" is not valid UTF-8", key);
    buf_puts(b, "</FreeText></Answer>");
    return 0;
}

int question_answers_xml(const char *answers_json, struct buf *out, struct ts_error *err)
{
    size_t start = out->len;
    json_error_t jerr;
    json_t *obj = json_loads(answers_json, JSON_REJECT_DUPLICATES, &jerr);
    const char *key;
    json_t *v;
    int rc = 0;

    if (!obj || !json_is_object(obj)) {
        if (obj)
            rc = ts_fail(err, TS_EINVAL, "answers must be a JSON object of field: value");
        else
            rc = ts_fail(err, TS_EINVAL, "answers are not valid JSON: line %d: %s", jerr.line,
                         jerr.text);
        goto out;
    }
    buf_puts(out, "<?xml version=\"1.0\" encoding=\"ASCII\"?><QuestionFormAnswers xmlns=\"" QUESTION_NS_ANSWERS "\">");
    json_object_foreach(obj, key, v) {
        if (strcmp(key, "assignmentId") == 0)
            continue;
        if (json_is_array(v)) {
            size_t i;
            json_t *e;
            json_array_foreach(v, i, e) {
                rc = question_put_answer(out, key, e, err);
                if (rc)
                    goto out;
            }
        } else {
            rc = question_put_answer(out, key, v, err);
            if (rc)
                goto out;
        }
    }
    buf_puts(out, "</QuestionFormAnswers>");
    if (out->err)
        rc = ts_fail(err, TS_ETOOBIG, "answers XML is larger than %zu bytes", out->max);
out:
    json_decref(obj);
    if (rc && out->len > start) {
        out->len = start;
        out->p[start] = '\0';
    }
    return rc;
}
