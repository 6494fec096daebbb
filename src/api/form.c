/* form.c: form submissions from browsers (see form.h). The multipart parser works on
 * the whole body, already bounded by the HTTP layer: it finds each delimiter line with
 * memmem, reads the part's header block (bounded, CRLF-separated, no folding, no NUL),
 * takes name and filename from Content-Disposition, and copies the content out. A file's
 * bytes are never parsed or reinterpreted. */
#include "form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/alloc.h"
#include "../util/parse.h"
#include "../util/text.h"
#include "../util/banned.h"

#define FORM_MAX_BOUNDARY 70 /* RFC 2046 */
#define FORM_MAX_FILENAME 255

void form_release(struct form *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->f[i].name);
        free(f->f[i].value);
        free(f->f[i].filename);
        free(f->f[i].content_type);
    }
    free(f->f);
    memset(f, 0, sizeof *f);
}

static char *dup_bytes(const char *p, size_t n)
{
    char *s = xmalloc(st_add(n, 1));
    if (n)
        memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

static int check_name(const char *name, size_t n, struct ts_error *err)
{
    if (n == 0)
        return ts_failk(err, TS_EINVAL, "BadForm", "a form field has an empty name");
    if (n > FORM_MAX_NAME)
        return ts_failk(err, TS_EINVAL, "BadForm",
                        "a form field name is longer than %d bytes", FORM_MAX_NAME);
    if (memchr(name, '\0', n) || text_utf8_chars(name, n) < 1)
        return ts_failk(err, TS_EINVAL, "BadForm",
                        "a form field name is not valid UTF-8 text");
    return 0;
}

/* Appends a field, taking name, value and filename (heap, NUL-terminated). */
static int push(struct form *f, char *name, size_t name_len, char *value, size_t value_len,
                char *filename, char *content_type, struct ts_error *err)
{
    int rc = check_name(name, name_len, err);
    if (!rc && f->n >= FORM_MAX_FIELDS)
        rc = ts_failk(err, TS_EINVAL, "BadForm", "the form has more than %d fields",
                      FORM_MAX_FIELDS);
    if (!rc && !filename) {
        if (value_len > FORM_MAX_VALUE)
            rc = ts_failk(err, TS_ETOOBIG, "BadForm",
                          "form field \"%.64s\" is longer than %d bytes", name,
                          FORM_MAX_VALUE);
        else if (value_len && (memchr(value, '\0', value_len) ||
                               text_utf8_chars(value, value_len) < 0))
            rc = ts_failk(err, TS_EINVAL, "BadForm",
                          "form field \"%.64s\" is not valid UTF-8 text", name);
    }
    if (!rc && filename) {
        if (f->files >= FORM_MAX_FILES)
            rc = ts_failk(err, TS_ETOOBIG, "BadForm", "the form sends more than %d files",
                          FORM_MAX_FILES);
        else if (value_len > FORM_MAX_FILE)
            rc = ts_failk(err, TS_ETOOBIG, "BadForm",
                          "file \"%.64s\" is larger than %zu bytes (the limit per file)", name,
                          FORM_MAX_FILE);
    }
    if (rc) {
        free(name);
        free(value);
        free(filename);
        free(content_type);
        return rc;
    }
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 16;
        f->f = xrealloc(f->f, st_mult(f->cap, sizeof *f->f));
    }
    f->f[f->n].name = name;
    f->f[f->n].value = value;
    f->f[f->n].value_len = value_len;
    f->f[f->n].filename = filename;
    f->f[f->n].content_type = content_type;
    f->n++;
    if (filename)
        f->files++;
    return 0;
}

/* Decodes p[0..n) ('+' is a space, %XX a byte; a '%' without two hex digits stays as it
 * is, as browsers parse it) into a new string; *len is its length. */
static char *url_decode(const char *p, size_t n, size_t *len)
{
    char *out = xmalloc(st_add(n, 1));
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '+') {
            out[o++] = ' ';
        } else if (p[i] == '%' && n - i > 2 && parse_hex_digit(p[i + 1]) >= 0 &&
                   parse_hex_digit(p[i + 2]) >= 0) {
            out[o++] = (char)(parse_hex_digit(p[i + 1]) * 16 + parse_hex_digit(p[i + 2]));
            i += 2;
        } else {
            out[o++] = p[i];
        }
    }
    out[o] = '\0';
    *len = o;
    return out;
}

int form_parse_urlencoded(struct form *f, const char *p, size_t n, struct ts_error *err)
{
    size_t i = 0;
    while (i < n) {
        const char *amp = memchr(p + i, '&', n - i);
        size_t end = amp ? (size_t)(amp - p) : n;
        if (end > i) {
            const char *eq = memchr(p + i, '=', end - i);
            size_t name_end = eq ? (size_t)(eq - p) : end;
            size_t nl, vl;
            char *name = url_decode(p + i, name_end - i, &nl);
            char *value = eq ? url_decode(eq + 1, end - name_end - 1, &vl) : dup_bytes("", 0);
            if (!eq)
                vl = 0;
            int rc = push(f, name, nl, value, vl, NULL, NULL, err);
            if (rc)
                return rc;
        }
        i = end + 1;
    }
    return 0;
}

/* ---- header parameters ------------------------------------------------------------ */

static int is_ws(char c)
{
    return c == ' ' || c == '\t';
}

static int is_token_char(char c)
{
    return c > 0x20 && c < 0x7f && !strchr("()<>@,;:\\\"/[]?={}", c);
}

/* Reads the parameters after a header's first value: `; name=token` or
 * `; name="quoted"`. Calls want(name) to learn where a value goes (or NULL to skip it).
 * Values are unquoted (backslash escapes) into new strings. TS_EINVAL on bad syntax or
 * a parameter given twice. */
struct param_slot {
    const char *name;
    char **value;
};

static int read_params(const char *p, size_t n, struct param_slot *slots, size_t nslots,
                       const char *header, struct ts_error *err)
{
    size_t i = 0;
    for (;;) {
        while (i < n && is_ws(p[i]))
            i++;
        if (i == n)
            return 0;
        if (p[i] != ';')
            return ts_failk(err, TS_EINVAL, "BadForm", "malformed %s header in a form part",
                            header);
        i++;
        while (i < n && is_ws(p[i]))
            i++;
        if (i == n)
            return 0; /* a trailing ';' */
        size_t ns = i;
        while (i < n && is_token_char(p[i]) && p[i] != '=')
            i++;
        size_t ne = i;
        while (i < n && is_ws(p[i]))
            i++;
        if (ne == ns || i == n || p[i] != '=')
            return ts_failk(err, TS_EINVAL, "BadForm",
                            "malformed parameter in the %s header of a form part", header);
        i++;
        while (i < n && is_ws(p[i]))
            i++;
        char *val = xmalloc(st_add(n - i, 1));
        size_t vl = 0;
        if (i < n && p[i] == '"') {
            i++;
            while (i < n && p[i] != '"') {
                if (p[i] == '\\' && i + 1 < n)
                    i++;
                val[vl++] = p[i++];
            }
            if (i == n) {
                free(val);
                return ts_failk(err, TS_EINVAL, "BadForm",
                                "unterminated quoted string in the %s header of a form part",
                                header);
            }
            i++;
        } else {
            while (i < n && is_token_char(p[i]))
                val[vl++] = p[i++];
        }
        val[vl] = '\0';
        char **dst = NULL;
        for (size_t s = 0; s < nslots; s++)
            if (ne - ns == strlen(slots[s].name) &&
                strncasecmp(p + ns, slots[s].name, ne - ns) == 0)
                dst = slots[s].value;
        if (!dst) {
            free(val);
            continue;
        }
        if (*dst) {
            free(val);
            return ts_failk(err, TS_EINVAL, "BadForm",
                            "a parameter appears twice in the %s header of a form part",
                            header);
        }
        *dst = val;
    }
}

/* HTML's multipart encoding writes '"', CR and LF in names and filenames as %22, %0D and
 * %0A: undo exactly those, in place. */
static size_t html_unescape_name(char *s)
{
    size_t o = 0;
    for (size_t i = 0; s[i]; i++) {
        if (s[i] == '%' && s[i + 1] && s[i + 2]) {
            if (s[i + 1] == '2' && s[i + 2] == '2') {
                s[o++] = '"';
                i += 2;
                continue;
            }
            if (s[i + 1] == '0' && (s[i + 2] == 'D' || s[i + 2] == 'd')) {
                s[o++] = '\r';
                i += 2;
                continue;
            }
            if (s[i + 1] == '0' && (s[i + 2] == 'A' || s[i + 2] == 'a')) {
                s[o++] = '\n';
                i += 2;
                continue;
            }
        }
        s[o++] = s[i];
    }
    s[o] = '\0';
    return o;
}

/* The boundary of a multipart/form-data Content-Type, into out. */
static int boundary_of(const char *ct, char out[FORM_MAX_BOUNDARY + 1], struct ts_error *err)
{
    const char *semi = strchr(ct, ';');
    char *b = NULL;
    struct param_slot slot = {"boundary", &b};
    int rc;

    if (!semi)
        return ts_failk(err, TS_EINVAL, "BadForm",
                        "multipart/form-data needs a boundary parameter");
    rc = read_params(semi, strlen(semi), &slot, 1, "Content-Type", err);
    if (!rc && (!b || !b[0] || strlen(b) > FORM_MAX_BOUNDARY))
        rc = ts_failk(err, TS_EINVAL, "BadForm",
                      "multipart/form-data needs a boundary of 1 to %d characters",
                      FORM_MAX_BOUNDARY);
    for (size_t i = 0; !rc && b[i]; i++)
        if ((unsigned char)b[i] < 0x20 || (unsigned char)b[i] > 0x7e)
            rc = ts_failk(err, TS_EINVAL, "BadForm", "the multipart boundary is not printable");
    if (!rc)
        memcpy(out, b, strlen(b) + 1);
    free(b);
    return rc;
}

/* One part's header block h[0..n) (CRLF-separated lines, without the blank line). */
static int part_headers(const char *h, size_t n, char **name, char **filename,
                        char **content_type, struct ts_error *err)
{
    size_t i = 0;
    int seen_cd = 0;
    if (memchr(h, '\0', n))
        return ts_failk(err, TS_EINVAL, "BadForm", "a form part's headers hold a NUL byte");
    while (i < n) {
        const char *crlf = memmem(h + i, n - i, "\r\n", 2);
        size_t end = crlf ? (size_t)(crlf - h) : n;
        const char *line = h + i;
        size_t len = end - i;
        const char *colon = memchr(line, ':', len);
        if (len && is_ws(line[0]))
            return ts_failk(err, TS_EINVAL, "BadForm",
                            "folded header lines are not allowed in a form part");
        if (!colon || colon == line || memchr(line, '\r', len) || memchr(line, '\n', len))
            return ts_failk(err, TS_EINVAL, "BadForm", "a form part has a malformed header");
        size_t nl = (size_t)(colon - line);
        const char *v = colon + 1;
        size_t vl = len - nl - 1;
        while (vl && is_ws(*v)) {
            v++;
            vl--;
        }
        while (vl && is_ws(v[vl - 1]))
            vl--;
        if (nl == 19 && strncasecmp(line, "Content-Disposition", 19) == 0) {
            struct param_slot slots[2] = {{"name", name}, {"filename", filename}};
            size_t tl = 0;
            if (seen_cd++)
                return ts_failk(err, TS_EINVAL, "BadForm",
                                "a form part has two Content-Disposition headers");
            while (tl < vl && is_token_char(v[tl]))
                tl++;
            if (tl != 9 || strncasecmp(v, "form-data", 9) != 0)
                return ts_failk(err, TS_EINVAL, "BadForm",
                                "a form part's Content-Disposition must be form-data");
            int rc = read_params(v + tl, vl - tl, slots, 2, "Content-Disposition", err);
            if (rc)
                return rc;
        } else if (nl == 12 && strncasecmp(line, "Content-Type", 12) == 0) {
            if (*content_type)
                return ts_failk(err, TS_EINVAL, "BadForm",
                                "a form part has two Content-Type headers");
            *content_type = dup_bytes(v, vl < 255 ? vl : 255);
        }
        i = end + 2;
    }
    if (!*name)
        return ts_failk(err, TS_EINVAL, "BadForm",
                        "a form part has no Content-Disposition: form-data; name=\"...\"");
    return 0;
}

/* A multipart/form-data body whose Content-Type header (content_type) carries the
 * boundary; see form_parse. */
static int form_parse_multipart(struct form *f, const char *content_type, const char *p,
                                size_t n, struct ts_error *err)
{
    char boundary[FORM_MAX_BOUNDARY + 1], delim[FORM_MAX_BOUNDARY + 5];
    size_t dl, pos;
    const char *at;
    int rc = boundary_of(content_type, boundary, err);
    if (rc)
        return rc;
    if (n > FORM_MAX_BODY)
        return ts_failk(err, TS_ETOOBIG, "BadForm", "the form is larger than %zu bytes",
                        FORM_MAX_BODY);
    dl = (size_t)snprintf(delim, sizeof delim, "\r\n--%s", boundary);
    /* The first delimiter may open the body (no CRLF before it). */
    if (n >= dl - 2 && memcmp(p, delim + 2, dl - 2) == 0) {
        pos = dl - 2;
    } else {
        at = memmem(p, n, delim, dl);
        if (!at)
            return ts_failk(err, TS_EINVAL, "BadForm",
                            "the multipart body has no boundary line \"--%s\"", boundary);
        pos = (size_t)(at - p) + dl;
    }
    for (;;) {
        /* After a delimiter: "--" closes the body; else optional blanks, then CRLF. */
        if (n - pos >= 2 && p[pos] == '-' && p[pos + 1] == '-')
            return 0;
        while (pos < n && is_ws(p[pos]))
            pos++;
        if (n - pos < 2 || p[pos] != '\r' || p[pos + 1] != '\n')
            return ts_failk(err, TS_EINVAL, "BadForm",
                            "the multipart body ends without its closing boundary");
        pos += 2;
        size_t hstart = pos, hend, cstart;
        if (n - pos >= 2 && p[pos] == '\r' && p[pos + 1] == '\n') {
            hend = pos;
            cstart = pos + 2;
        } else {
            size_t lim = n - pos < FORM_MAX_PART_HEADERS + 4 ? n - pos
                                                             : FORM_MAX_PART_HEADERS + 4;
            at = memmem(p + pos, lim, "\r\n\r\n", 4);
            if (!at)
                return ts_failk(err, TS_EINVAL, "BadForm",
                                "a form part's headers are unterminated or longer than %d "
                                "bytes",
                                FORM_MAX_PART_HEADERS);
            hend = (size_t)(at - p);
            cstart = hend + 4;
        }
        at = memmem(p + cstart, n - cstart, delim, dl);
        if (!at)
            return ts_failk(err, TS_EINVAL, "BadForm",
                            "the multipart body ends without its closing boundary");
        size_t cend = (size_t)(at - p);
        char *name = NULL, *filename = NULL, *ctype = NULL;
        rc = part_headers(p + hstart, hend - hstart, &name, &filename, &ctype, err);
        if (!rc && filename && (strlen(filename) > FORM_MAX_FILENAME ||
                                text_utf8_chars(filename, strlen(filename)) < 0))
            rc = ts_failk(err, TS_EINVAL, "BadForm",
                          "a file's name is not UTF-8 text of at most %d bytes",
                          FORM_MAX_FILENAME);
        if (rc) {
            free(name);
            free(filename);
            free(ctype);
            return rc;
        }
        size_t nl = html_unescape_name(name);
        if (filename)
            html_unescape_name(filename);
        rc = push(f, name, nl, dup_bytes(p + cstart, cend - cstart), cend - cstart, filename,
                  ctype, err);
        if (rc)
            return rc;
        pos = cend + dl;
    }
}

/* The media type of a Content-Type value, lower-cased, without parameters. */
static void media_type(const char *ct, char out[64])
{
    size_t i = 0, o = 0;
    while (ct[i] && is_ws(ct[i]))
        i++;
    while (ct[i] && ct[i] != ';' && !is_ws(ct[i]) && o < 63) {
        char c = ct[i++];
        out[o++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    out[o] = '\0';
}

int form_parse(struct form *f, const char *content_type, const char *p, size_t n,
               struct ts_error *err)
{
    char mt[64];
    if (!content_type || !content_type[0]) {
        if (n == 0)
            return 0;
        return ts_failk(err, TS_EINVAL, "BadForm",
                        "a form body needs a Content-Type (application/x-www-form-urlencoded "
                        "or multipart/form-data)");
    }
    media_type(content_type, mt);
    if (strcmp(mt, "application/x-www-form-urlencoded") == 0)
        return form_parse_urlencoded(f, p, n, err);
    if (strcmp(mt, "multipart/form-data") == 0)
        return form_parse_multipart(f, content_type, p, n, err);
    return ts_failk(err, TS_EINVAL, "BadForm",
                    "a form must be sent as application/x-www-form-urlencoded or "
                    "multipart/form-data, not %.60s",
                    mt);
}
