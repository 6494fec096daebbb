/* form.h: HTML form submissions as a browser sends them: the query string, an
 * application/x-www-form-urlencoded body, or a multipart/form-data body (RFC 7578) with
 * files. No HTTP library here: the caller hands over the bytes and the Content-Type.
 * Every name and value is bounded; a file part is only ever data, never a header. */
#ifndef TS_FORM_H
#define TS_FORM_H
#include <stddef.h>

#include "../util/err.h"

#define FORM_MAX_FIELDS 200          /* as many as Answers may have */
#define FORM_MAX_NAME 255            /* bytes in a field name */
#define FORM_MAX_VALUE (64 * 1024)   /* bytes in one text value */
#define FORM_MAX_FILES 10            /* file parts in one submission */
#define FORM_MAX_FILE ((size_t)5 << 20)  /* bytes in one file */
#define FORM_MAX_BODY ((size_t)10 << 20) /* bytes in a whole multipart body */
#define FORM_MAX_PART_HEADERS 4096   /* bytes of one part's header block */

struct form_field {
    char *name;         /* UTF-8, 1..FORM_MAX_NAME bytes, NUL-terminated; owned */
    char *value;        /* value_len bytes + NUL; owned. Text fields are UTF-8 */
    size_t value_len;
    char *filename;     /* a file part's filename (maybe ""), else NULL; owned */
    char *content_type; /* a file part's Content-Type, or NULL; owned */
};

struct form {
    struct form_field *f;
    size_t n, cap;
    size_t files;
};
#define FORM_INIT {NULL, 0, 0, 0}
void form_release(struct form *f);

/* Parses p[0..n) as name=value pairs separated by '&' (';' is not a separator), with
 * '+' as space and %XX escapes, appending each to f. An empty pair is skipped; a pair
 * without '=' has an empty value. */
int form_parse_urlencoded(struct form *f, const char *p, size_t n, struct ts_error *err);

/* Dispatches on content_type (NULL or empty: an empty body only; urlencoded; or
 * multipart/form-data, whose text parts are fields and whose parts with a filename are
 * files, at most FORM_MAX_FILES of at most FORM_MAX_FILE bytes; a part without
 * Content-Disposition: form-data and a name is refused, as is anything after a malformed
 * boundary). TS_EINVAL for any other media type. On failure f may hold the fields parsed before the error; release
 * it. */
int form_parse(struct form *f, const char *content_type, const char *p, size_t n,
               struct ts_error *err);

#endif
