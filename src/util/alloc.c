/* alloc.c: the only file allowed to call the raw allocators. Every wrapper either
 * returns usable memory or aborts with a message, so callers never test for NULL; size
 * arithmetic (st_mult, st_add) aborts on overflow instead of wrapping to a small size. */
#include "alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TS_ALLOC_IMPL
#include "banned.h"

static _Noreturn void die_oom(size_t n)
{
    fprintf(stderr, "fatal: out of memory allocating %zu bytes\n", n);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1); /* malloc(0) may return NULL: never a valid OOM */

    if (!p)
        die_oom(n);
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p;

    if (!n || !size)
        n = size = 1;
    p = calloc(n, size);
    if (!p)
        die_oom(st_mult(n, size));
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);

    if (!q)
        die_oom(n);
    return q;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = xmalloc(st_add(len, 1));

    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

void *xmalloc_array(size_t n, size_t size)
{
    return xmalloc(st_mult(n, size));
}

size_t st_mult(size_t a, size_t b)
{
    size_t r;

    if (__builtin_mul_overflow(a, b, &r)) {
        fprintf(stderr, "fatal: size overflow: %zu * %zu\n", a, b);
        abort();
    }
    return r;
}

size_t st_add(size_t a, size_t b)
{
    size_t r;

    if (__builtin_add_overflow(a, b, &r)) {
        fprintf(stderr, "fatal: size overflow: %zu + %zu\n", a, b);
        abort();
    }
    return r;
}
