/* qform_parse.c: a QuestionForm's XML read into the tree of qform.h. The XML is hostile
 * input and is read like any Question (xmldoc_read: no DOCTYPE, no entities, no network);
 * the schema's order and counts are checked element by element, FormattedContent is
 * handed to qform_sanitize.c and each AnswerFormatRegex to qform_regex.c, so what the tree
 * holds is already safe to put on a page and cheap to match. */
#include "qform_internal.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "xmldoc.h"
#include "../util/alloc.h"
#include "../util/parse.h"
#include "../util/banned.h"

/* What a parse carries along. */
struct qform_reader {
    const char *ns;
    int version;
    size_t questions;
    struct ts_error *err;
};

#define QFORM_MAX_URL 2000
#define QFORM_MAX_FILE_SIZE 2000000000

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

/* Re-reads FormattedContent as XHTML and keeps only the allowlist. */
static int qform_formatted(struct qform_reader *r, xmlNodePtr el, struct qform_node **out)
{
    char *text = qform_text(r, el, 0);
    char *html;
    int rc;

    if (!text)
        return TS_EINVAL;
    rc = qform__sanitize(text, &html, r->err);
    free(text);
    if (rc)
        return rc;
    *out = qform__node_new(QN_HTML);
    (*out)->text = html;
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
    struct qform_node *n = qform__node_new(QN_BINARY);
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
        qform__node_free(n);
        return rc;
    }
    *out = n;
    return 0;
}

static int qform_list(struct qform_reader *r, xmlNodePtr el, struct qform_node **out)
{
    struct qform_node *n = qform__node_new(QN_LIST), **tail = &n->child;
    int bad = 0, rc = 0, items = 0;

    for (xmlNodePtr c = qform_elem(r, el, el->children, &bad); c && !rc;
         c = qform_elem(r, el, c->next, &bad)) {
        if (!qform_is(c, "ListItem")) {
            rc = ts_fail(r->err, TS_EINVAL, "QuestionForm: <List> holds only <ListItem>, not <%.40s>",
                         (const char *)c->name);
            break;
        }
        *tail = qform__node_new(QN_ITEM);
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
        qform__node_free(n);
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
        struct qform_node *n = qform__node_new(qform_is(el, "Title") ? QN_TITLE : QN_TEXT);
        n->text = qform_text(r, el, 1);
        if (!n->text) {
            qform__node_free(n);
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
        qform__node_free(head);
        return rc;
    }
    *out = head;
    return 0;
}

/* ---------------------------------------------------------------- answer specifications */

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
                    rc = qform__regex_check(q->regex, q->id, r->err);
                if (!rc) {
                    q->rx = xmalloc(sizeof *q->rx);
                    if (qform__regex_compile(q->regex, q->regex_icase, q->rx) != 0) {
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
        qform__node_free(s->label);
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
            *tail = qform__node_new(QN_OVERVIEW);
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
            *tail = qform__node_new(QN_QUESTION);
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

int qform_parse_doc(struct _xmlDoc *doc, struct qform *out, struct ts_error *err)
{
    struct qform f = {0};
    struct qform_reader r = {0};
    xmlNodePtr root;
    const char *href;
    int rc;

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
    if (rc) {
        qform_release(&f);
        return rc;
    }
    *out = f;
    return 0;
}

int qform_parse(const char *xml, size_t n, struct qform *out, struct ts_error *err)
{
    struct _xmlDoc *doc = NULL;
    int rc;

    if (n > QFORM_MAX_BYTES)
        return ts_fail(err, TS_ETOOBIG, "QuestionForm has %zu bytes; the limit is %d", n,
                       QFORM_MAX_BYTES);
    rc = xmldoc_read(xml, n, "QuestionForm", 0, &doc, err);
    if (rc)
        return rc;
    rc = qform_parse_doc(doc, out, err);
    xmlFreeDoc(doc);
    return rc;
}
