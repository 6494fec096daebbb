/* xmldoc.c: the room where hostile XML is parsed. Requester XML is size-capped by the
 * caller and parsed here without network access, DTDs or entity expansion (a DOCTYPE
 * stops the parser before its internal subset is read); libxml2's errors are captured
 * per parse instead of printed. question.c, qform.c and answerkey.c all read through
 * xmldoc_read, so there is one parser configuration to get right. */
#include "xmldoc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "../util/alloc.h"
#include "../util/banned.h"

#if LIBXML_VERSION >= 21200
typedef const xmlError *xmldoc_error;
#else
typedef xmlErrorPtr xmldoc_error;
#endif

/* What one parse learns through libxml2's callbacks; hung on ctxt->_private. */
struct xmldoc_capture {
    int doctype;  /* a DOCTYPE was seen: the parser was stopped */
    int have_err; /* msg holds the first error */
    int line;
    char msg[160];
};

static pthread_once_t xmldoc_once = PTHREAD_ONCE_INIT;

static void xmldoc_init_libxml(void)
{
    xmlInitParser();
}

static void xmldoc_capture_error(struct xmldoc_capture *cap, xmldoc_error e)
{
    size_t n = 0;

    if (!cap || cap->have_err || !e || e->level < XML_ERR_ERROR)
        return;
    cap->have_err = 1;
    cap->line = e->line;
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
static void xmldoc_on_error(void *user, xmldoc_error e)
{
    xmlParserCtxtPtr ctxt = user;

    xmldoc_capture_error(ctxt ? ctxt->_private : NULL, e);
}

/* Errors raised without one (encoding conversion): user is the capture. */
static void xmldoc_on_global_error(void *user, xmldoc_error e)
{
    xmldoc_capture_error(user, e);
}

/* Called when "<!DOCTYPE name ...>" has been read and before any "[ internal subset ]":
 * stopping here means no entity is ever declared, let alone expanded. */
static void xmldoc_on_doctype(void *user, const xmlChar *name, const xmlChar *external_id,
                              const xmlChar *system_id)
{
    xmlParserCtxtPtr ctxt = user;
    struct xmldoc_capture *cap = ctxt->_private;

    (void)name;
    (void)external_id;
    (void)system_id;
    cap->doctype = 1;
    xmlStopParser(ctxt);
}

int xmldoc_read(const char *xml, size_t n, const char *what, int flags, struct _xmlDoc **doc_out,
                struct ts_error *err)
{
    struct xmldoc_capture cap = {0};
    xmlParserCtxtPtr ctxt;
    xmlDocPtr doc;
    int well_formed;
    xmlStructuredErrorFunc old_handler;
    void *old_data;

    pthread_once(&xmldoc_once, xmldoc_init_libxml);
    /* A few errors (encoding conversion) bypass the context's handler and go to the
     * structured handler, which libxml2 keeps per thread: borrow it for this parse. */
    old_handler = xmlStructuredError;
    old_data = xmlStructuredErrorContext;
    xmlSetStructuredErrorFunc(&cap, xmldoc_on_global_error);
    ctxt = xmlCreateMemoryParserCtxt(xml, (int)n);
    if (!ctxt) {
        xmlSetStructuredErrorFunc(old_data, old_handler);
        return ts_fail(err, TS_EINVAL, "%s is not well-formed XML: it is empty", what);
    }
    ctxt->_private = &cap;
    xmlCtxtUseOptions(ctxt, XML_PARSE_NONET |
                                ((flags & XMLDOC_KEEP_BLANKS) ? 0 : XML_PARSE_NOBLANKS));
    ctxt->sax->serror = xmldoc_on_error;
    ctxt->sax->internalSubset = xmldoc_on_doctype;
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

int xmldoc_is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int xmldoc_is_blank(const unsigned char *s)
{
    for (; s && *s; s++)
        if (!xmldoc_is_space(*s))
            return 0;
    return 1;
}

int xmldoc_in_ns(const struct _xmlNode *el, const char *ns)
{
    return el->ns && el->ns->href && strcmp((const char *)el->ns->href, ns) == 0;
}

char *xmldoc_text(struct _xmlNode *el, const char *what, int trim, struct ts_error *err)
{
    xmlChar *content;
    const char *s;
    size_t n;
    char *r;

    for (xmlNodePtr c = el->children; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            ts_fail(err, TS_EINVAL, "%s: <%s> must hold only text, not <%.40s>", what,
                    (const char *)el->name, (const char *)c->name);
            return NULL;
        }
    }
    content = xmlNodeGetContent(el);
    s = content ? (const char *)content : "";
    n = strlen(s);
    if (trim) {
        while (n > 0 && xmldoc_is_space((unsigned char)s[n - 1]))
            n--;
        while (n > 0 && xmldoc_is_space((unsigned char)*s)) {
            s++;
            n--;
        }
    }
    r = xstrndup(s, n);
    xmlFree(content);
    return r;
}
