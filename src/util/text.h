/* text.h: checks on text from outside: UTF-8 validity and length in characters. */
#ifndef TS_TEXT_H
#define TS_TEXT_H
#include <stddef.h>

/* The number of code points in s[0..n), or -1 when it is not valid UTF-8 or holds a
 * NUL or a control character other than tab, CR and LF. */
long text_utf8_chars(const char *s, size_t n);

#endif
