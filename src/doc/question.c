/* question.c: the room where requester-supplied Question XML is read and where the
 * answers MTurk clients expect are written. Question XML is hostile input: it is
 * size-capped here and parsed by xmldoc_read (no network access, DTDs or entity
 * expansion; libxml2's errors captured per parse, never printed). */
#include "question.h"
#include "answers_xml.h"
#include "qform.h"
#include "xmldoc.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "../util/alloc.h"
#include "../util/parse.h"
#include "../util/banned.h"

/* A QuestionForm is a Question: qform_parse holds it to the same size. */
_Static_assert(QFORM_MAX_BYTES == QUESTION_MAX_BYTES, "one size limit for every Question");

/* The text of an element that must hold only text (and CDATA), trimmed of XML
 * whitespace when trim is set; caller frees. NULL with err set otherwise. HTML inside
 * HTMLContent gets its own hint. */
static char *question_text(xmlNodePtr el, const char *root, int trim, struct ts_error *err)
{
    if (strcmp((const char *)el->name, "HTMLContent") == 0) {
        for (xmlNodePtr c = el->children; c; c = c->next) {
            if (c->type == XML_ELEMENT_NODE) {
                ts_fail(err, TS_EINVAL,
                        "HTMLContent must be text, but it holds an element <%.40s>: wrap the "
                        "HTML page in <![CDATA[ ... ]]>",
                        (const char *)c->name);
                return NULL;
            }
        }
    }
    return xmldoc_text(el, root, trim, err);
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
            if (!xmldoc_is_blank(c->content))
                return ts_fail(err, TS_EINVAL,
                               "%s has text outside its elements: put it inside <%s>", rname,
                               body);
            continue;
        }
        if (c->type != XML_ELEMENT_NODE)
            continue; /* comments, processing instructions */
        if (!xmldoc_in_ns(c, ns))
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
    rc = xmldoc_read(xml, n, "Question", 0, &doc, err);
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
        q.kind = QUESTION_FORM;
        q.form = xcalloc(1, sizeof *q.form);
        rc = qform_parse_doc(doc, q.form, err);
        xmlFreeDoc(doc);
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

static int question_put_upload(struct buf *b, const char *name, json_t *v,
                               struct ts_error *err)
{
    const char *key;
    size_t key_len;
    int64_t size;

    if (!answers_xml_upload_of(v, &key, &key_len, &size) || size < 0)
        return ts_fail(err, TS_EINVAL,
                       "answer \"%.40s\" must be text, a number, a boolean or an uploaded "
                       "file {\"UploadedFileKey\", \"UploadedFileSizeInBytes\"}",
                       name);
    buf_puts(b, "<Answer><QuestionIdentifier>");
    if (answers_xml_put_ascii(b, name, strlen(name)) != 0)
        return ts_fail(err, TS_EINVAL, "answer name is not valid UTF-8");
    buf_puts(b, "</QuestionIdentifier>");
    if (answers_xml_put_upload(b, key, key_len, size) != 0)
        return ts_fail(err, TS_EINVAL, "answer \"%.40s\" is not valid UTF-8", name);
    buf_puts(b, "</Answer>");
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
    if (answers_xml_put_ascii(b, key, strlen(key)) != 0)
        return ts_fail(err, TS_EINVAL, "answer name is not valid UTF-8");
    buf_puts(b, "</QuestionIdentifier><FreeText>");
    if (answers_xml_put_ascii(b, text, n) != 0)
        return ts_fail(err, TS_EINVAL, "answer \"%.40s\" is not valid UTF-8", key);
    buf_puts(b, "</FreeText></Answer>");
    return 0;
}

/* One member of a submitted form: an array is one Answer per element. */
static int question_put_member(struct buf *b, const char *key, json_t *v, const void *ctx,
                               struct ts_error *err)
{
    size_t i;
    json_t *e;
    int rc;

    (void)ctx;
    if (!json_is_array(v))
        return question_put_answer(b, key, v, err);
    json_array_foreach(v, i, e) {
        rc = question_put_answer(b, key, e, err);
        if (rc)
            return rc;
    }
    return 0;
}

int question_answers_xml_obj(json_t *answers, struct buf *out, struct ts_error *err)
{
    if (!json_is_object(answers))
        return ts_fail(err, TS_EINVAL, "answers must be a JSON object of field: value");
    return answers_xml_doc(answers, question_put_member, NULL, out, err);
}

int question_answers_xml(const char *answers_json, struct buf *out, struct ts_error *err)
{
    json_error_t jerr;
    json_t *obj = json_loads(answers_json, JSON_REJECT_DUPLICATES, &jerr);
    int rc;

    if (!obj)
        return ts_fail(err, TS_EINVAL, "answers are not valid JSON: line %d: %s", jerr.line,
                       jerr.text);
    rc = question_answers_xml_obj(obj, out, err);
    json_decref(obj);
    return rc;
}
