/* text.c: checks on text from outside: UTF-8 validity and length in characters. */
#include "text.h"
#include "banned.h"

long text_utf8_chars(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    long chars = 0;
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        size_t len;
        unsigned cp;
        if (c < 0x80) {
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                return -1;
            if (c == 0x7f)
                return -1;
            i++;
            chars++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            len = 2;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            len = 3;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return -1;
        }
        if (n - i < len)
            return -1;
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return -1;
            cp = (cp << 6) | (p[i + k] & 0x3fu);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
            return -1;
        i += len;
        chars++;
    }
    return chars;
}
