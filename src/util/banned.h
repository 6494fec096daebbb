/* banned.h: included last in every .c. Turns functions that are easy to misuse into
 * compile errors (git banned.h). Raw allocators are banned outside util/alloc.c. */
#ifndef TS_BANNED_H
#define TS_BANNED_H

#define BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef gets
#define gets(x) BANNED(gets)
#undef atoi
#define atoi(x) BANNED(atoi)
#undef atol
#define atol(x) BANNED(atol)
#undef gmtime
#define gmtime(x) BANNED(gmtime)
#undef localtime
#define localtime(x) BANNED(localtime)

#ifndef TS_ALLOC_IMPL
#undef malloc
#define malloc(x) BANNED(malloc)
#undef calloc
#define calloc(x, y) BANNED(calloc)
#undef realloc
#define realloc(x, y) BANNED(realloc)
#undef strdup
#define strdup(x) BANNED(strdup)
#endif

#endif
