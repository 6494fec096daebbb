/* qform.c: MTurk QuestionForm documents. A form is read once into a small tree (content
 * nodes plus a table of questions), and everything else works from that tree: the HTML
 * page a worker sees, the check of what a worker submits, and the QuestionFormAnswers XML
 * a requester reads. This file keeps the tree: its nodes, its release and its lookup.
 * The work on it is in files of one job each (docs/internals/qform.md): qform_parse.c
 * reads the XML, qform_sanitize.c reduces FormattedContent to the allowlist,
 * qform_regex.c vets AnswerFormatRegex, qform_check.c checks answers, qform_post.c reads a
 * posted page, qform_render.c writes the page and qform_answers.c the answers XML. */
#include "qform_internal.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "../util/alloc.h"
#include "../util/banned.h"

void qform__node_free(struct qform_node *n)
{
    while (n) {
        struct qform_node *next = n->next;
        qform__node_free(n->child);
        free(n->text);
        free(n->mime);
        free(n->url);
        free(n->alt);
        free(n);
        n = next;
    }
}

struct qform_node *qform__node_new(enum qnode_kind kind)
{
    struct qform_node *n = xcalloc(1, sizeof *n);
    n->kind = kind;
    return n;
}

static void qform_question_release(struct qform_question *q)
{
    free(q->id);
    free(q->display_name);
    qform__node_free(q->content);
    free(q->regex);
    free(q->regex_error);
    if (q->rx) {
        regfree(q->rx);
        free(q->rx);
    }
    free(q->default_text);
    for (size_t i = 0; i < q->n_selections; i++) {
        free(q->selections[i].id);
        qform__node_free(q->selections[i].label);
    }
    free(q->selections);
    if (q->other_spec) {
        qform_question_release(q->other_spec);
        free(q->other_spec);
    }
    memset(q, 0, sizeof *q);
}

void qform_release(struct qform *f)
{
    for (size_t i = 0; i < f->n_questions; i++)
        qform_question_release(&f->questions[i]);
    free(f->questions);
    qform__node_free(f->body);
    memset(f, 0, sizeof *f);
}

const struct qform_question *qform_find(const struct qform *f, const char *id)
{
    for (size_t i = 0; i < f->n_questions; i++)
        if (strcmp(f->questions[i].id, id) == 0)
            return &f->questions[i];
    return NULL;
}
