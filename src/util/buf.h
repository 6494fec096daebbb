/* buf.h: the one growable byte buffer.
 * Invariants: p is never NULL and always NUL-terminated; len < cap or p is the shared
 * empty string; len never exceeds max. Growing past max sets err = TS_ETOOBIG, which is
 * sticky: later appends do nothing, so a builder appends freely and tests err once. */
#ifndef TS_BUF_H
#define TS_BUF_H
#include <stddef.h>
#include <stdarg.h>

extern char buf__empty[1];

struct buf {
    char *p;
    size_t len, cap, max;
    int err;
};

#define BUF_MAX_BODY ((size_t)1 << 20)   /* an HTTP request body */
#define BUF_MAX_TEXT ((size_t)64 << 20)  /* a generated document (results, exports) */
#define BUF_INIT(max) { buf__empty, 0, 0, (max), 0 }

void buf_init(struct buf *b, size_t max);
int buf_append(struct buf *b, const void *p, size_t n); /* 0, or TS_ETOOBIG (sticky) */
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Appends p[0..n) percent-encoded (RFC 3986): every byte outside the unreserved set
 * A-Z a-z 0-9 - . _ ~ (and '/' when keep_slash) as %XX with upper-case hex. */
int buf_put_pct(struct buf *b, const char *p, size_t n, int keep_slash);
/* Appends s with &<>"' escaped for XML/HTML text and attributes. */
int buf_put_xml(struct buf *b, const char *s, size_t n);
void buf_reset(struct buf *b);                 /* len = 0, keeps memory and err cleared */
char *buf_detach(struct buf *b, size_t *len);  /* caller frees; b is reset to empty */
void buf_release(struct buf *b);

#endif
