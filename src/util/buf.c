/* buf.c: the one growable byte buffer. Capacity doubles as it grows but never beyond
 * max + 1 (the NUL), and the first append that would pass max sets the sticky
 * TS_ETOOBIG, so builders append freely and test b->err once. A failed append writes
 * nothing: p and len are exactly as before. */
#include "buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "err.h"
#include "banned.h"

#define BUF_MIN_CAP 64

/* Shared by every empty buffer so that BUF_INIT needs no allocation. Never written:
 * a buffer whose p is buf__empty has cap 0, and every write first grows. */
char buf__empty[1];

void buf_init(struct buf *b, size_t max)
{
    b->p = buf__empty;
    b->len = 0;
    b->cap = 0;
    b->max = max;
    b->err = 0;
}

/* Makes room for extra more bytes plus the NUL, or sets the sticky error. */
static int buf_grow(struct buf *b, size_t extra)
{
    size_t max = b->max < SIZE_MAX ? b->max : SIZE_MAX - 1; /* room for the NUL */
    size_t need, cap;

    if (b->err)
        return b->err;
    if (extra > max || b->len > max - extra) {
        b->err = TS_ETOOBIG;
        return b->err;
    }
    need = b->len + extra + 1; /* len + extra <= max < SIZE_MAX */
    if (need <= b->cap)
        return 0;
    cap = b->cap ? b->cap : BUF_MIN_CAP;
    while (cap < need && cap <= SIZE_MAX / 2)
        cap *= 2;
    if (cap < need || cap - 1 > max)
        cap = max + 1;
    if (b->p == buf__empty) {
        b->p = xmalloc(cap);
        b->p[0] = '\0';
    } else {
        b->p = xrealloc(b->p, cap);
    }
    b->cap = cap;
    return 0;
}

int buf_append(struct buf *b, const void *p, size_t n)
{
    int rc = buf_grow(b, n);

    if (rc)
        return rc;
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
    if (b->cap)
        b->p[b->len] = '\0';
    return 0;
}

int buf_puts(struct buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

int buf_putc(struct buf *b, char c)
{
    return buf_append(b, &c, 1);
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    int n;
    size_t avail;
    int rc;

    if (b->err)
        return b->err;
    avail = b->cap ? b->cap - b->len : 0;
    va_copy(cp, ap);
    n = vsnprintf(avail ? b->p + b->len : NULL, avail, fmt, cp);
    va_end(cp);
    if (n < 0) {
        /* vsnprintf fails when the output would pass INT_MAX bytes: input can do that,
         * so it is a size error, not a bug. */
        if (avail)
            b->p[b->len] = '\0';
        b->err = TS_ETOOBIG;
        return b->err;
    }
    if ((size_t)n < avail) {
        b->len += (size_t)n;
        return 0;
    }
    if (avail)
        b->p[b->len] = '\0'; /* undo the truncated write before growing or failing */
    rc = buf_grow(b, (size_t)n);
    if (rc)
        return rc;
    if (vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap) != n)
        TS_BUG("buf_vprintf: format output changed length");
    b->len += (size_t)n;
    return 0;
}

static const char *xml_entity(char c)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    default:
        return NULL;
    }
}

int buf_put_pct(struct buf *b, const char *p, size_t n, int keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/')) {
            buf_putc(b, (char)c);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            buf_append(b, e, 3);
        }
    }
    return b->err;
}

int buf_put_xml(struct buf *b, const char *s, size_t n)
{
    size_t out = 0, i;
    const char *ent;
    char *w;
    int rc;

    for (i = 0; i < n; i++) {
        ent = xml_entity(s[i]);
        out = st_add(out, ent ? strlen(ent) : 1);
    }
    rc = buf_grow(b, out); /* all or nothing: measure, then write */
    if (rc)
        return rc;
    w = b->p + b->len;
    for (i = 0; i < n; i++) {
        ent = xml_entity(s[i]);
        if (ent) {
            memcpy(w, ent, strlen(ent));
            w += strlen(ent);
        } else {
            *w++ = s[i];
        }
    }
    b->len += out;
    if (b->cap)
        b->p[b->len] = '\0';
    return 0;
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    b->err = 0;
    if (b->cap)
        b->p[0] = '\0';
}

char *buf_detach(struct buf *b, size_t *len)
{
    char *p = b->p;

    if (len)
        *len = b->len;
    if (p == buf__empty) {
        p = xmalloc(1);
        p[0] = '\0';
    }
    buf_init(b, b->max);
    return p;
}

void buf_release(struct buf *b)
{
    if (b->p != buf__empty)
        free(b->p);
    buf_init(b, b->max);
}
