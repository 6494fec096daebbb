/* qform_internal.h: what the qform*.c files share and no caller of qform.h sees: the
 * content tree's nodes, and the few functions one of those files offers the others.
 * Included only by src/doc/qform*.c. */
#ifndef TS_QFORM_INTERNAL_H
#define TS_QFORM_INTERNAL_H
#include <stddef.h>
#include <stdint.h>
#include <regex.h>

#include <jansson.h>

#include "qform.h"
#include "../util/err.h"

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

/* The page's text field for a question's OtherSelection is its QuestionIdentifier with
 * this suffix, so no QuestionIdentifier may end in it. */
#define QFORM_OTHER_SUFFIX ".OtherSelectionText"

/* qform.c: nodes of the content tree. qform__node_new never fails (out of memory
 * aborts); qform__node_free frees n, its children and the nodes after it. */
struct qform_node *qform__node_new(enum qnode_kind kind);
void qform__node_free(struct qform_node *n);

/* qform_sanitize.c: re-reads the FormattedContent text (borrowed) as XHTML and keeps only
 * the allowlist. 0 with *html (caller frees), or TS_EINVAL when it is not well-formed,
 * TS_ETOOBIG when the result would be too large. */
int qform__sanitize(const char *text, char **html, struct ts_error *err);

/* qform_regex.c: qform__regex_check holds an AnswerFormatRegex to the QFORM_REGEX_*
 * limits before regcomp sees it (0, or TS_EINVAL naming the question qid);
 * qform__regex_compile compiles one that passed, as regcomp returns. */
int qform__regex_check(const char *re, const char *qid, struct ts_error *err);
int qform__regex_compile(const char *re, int icase, regex_t *out);

/* qform_check.c: what an answer's JSON value says. qform__value_text gives a free-text
 * value's text (a string, or a number's JSON text written into num[0..cap)) and its
 * length, or NULL; qform__empty tells whether v counts as no answer; qform__other_text
 * gives the text of {"OtherSelectionText": text} (borrowed), or NULL. */
const char *qform__value_text(json_t *v, char *num, size_t cap, size_t *n);
int qform__empty(json_t *v);
json_t *qform__other_text(json_t *v);

#endif
