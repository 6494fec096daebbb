/* alloc.h: allocation that never returns NULL. Out of memory aborts, which is safe
 * because every state change is a store transaction. Outside util/alloc.c the raw
 * allocators are banned (banned.h). */
#ifndef TS_ALLOC_H
#define TS_ALLOC_H
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* n * size, aborting on overflow (git st_mult). */
void *xmalloc_array(size_t n, size_t size);
size_t st_mult(size_t a, size_t b);
size_t st_add(size_t a, size_t b);

#endif
