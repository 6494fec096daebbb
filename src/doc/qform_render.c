/* qform_render.c: the HTML page a worker sees for a form. Every text is escaped; the
 * FormattedContent in the tree was sanitised when it was read, so it goes out as it is.
 * Field names are QuestionIdentifiers and selections carry their SelectionIdentifiers,
 * which is what qform_post.c reads back. */
#include "qform_internal.h"

#include <stdio.h>
#include <string.h>

#include "../util/buf.h"
#include "../util/banned.h"

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
