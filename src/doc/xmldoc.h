/* xmldoc.h: the one way Tessera reads requester-supplied XML (Question, QuestionForm,
 * FormattedContent, AnswerKey), and the small tree helpers those readers share. */
#ifndef TS_XMLDOC_H
#define TS_XMLDOC_H
#include <stddef.h>

#include "../util/err.h"

struct _xmlDoc;
struct _xmlNode;

/* xmldoc_read flags. */
#define XMLDOC_KEEP_BLANKS 1 /* keep whitespace-only text between elements (XHTML) */

/* Parses xml[0..n) (need not be NUL-terminated; the caller caps n) into *doc, which the
 * caller frees with xmlFreeDoc. No DTD is ever read: a document with a DOCTYPE is
 * refused before its internal subset is parsed, so no entity is declared or expanded,
 * and nothing is fetched from the network. libxml2's errors are captured for this
 * parse, never printed. what names the document in messages. 0, or TS_EINVAL with
 * "<what> must not contain a DOCTYPE: ..." or "<what> is not well-formed XML[: ...]";
 * on failure *doc is untouched. Safe to call from several threads. */
int xmldoc_read(const char *xml, size_t n, const char *what, int flags, struct _xmlDoc **doc,
                struct ts_error *err);

/* Whether c is XML whitespace (space, tab, newline, carriage return). */
int xmldoc_is_space(int c);

/* Whether the NUL-terminated s (NULL counts as empty) is all XML whitespace. */
int xmldoc_is_blank(const unsigned char *s);

/* Whether el is an element in the namespace ns. */
int xmldoc_in_ns(const struct _xmlNode *el, const char *ns);

/* The text (and CDATA) of an element that must hold only text, trimmed of XML whitespace
 * when trim; caller frees. NULL with TS_EINVAL "<what>: <el> must hold only text, not
 * <child>" when el has an element child. */
char *xmldoc_text(struct _xmlNode *el, const char *what, int trim, struct ts_error *err);

#endif
