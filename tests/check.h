/* check.h: the unit-test harness. CHECK* print the expression and both values with
 * file:line on failure, count, and continue. A test file defines its tests as
 * `static void test_x(void)` and ends with CHECK_MAIN(test_x, test_y, ...), whose main
 * runs them all and prints "N passed, N failed" (exit 1 on any failure). */
#ifndef TS_CHECK_H
#define TS_CHECK_H
#include <stdio.h>
#include <string.h>
#include <inttypes.h>

static int check__passed, check__failed;

#define CHECK(x)                                                                    \
    do {                                                                            \
        if (x) {                                                                    \
            check__passed++;                                                        \
        } else {                                                                    \
            check__failed++;                                                        \
            fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #x);   \
        }                                                                           \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                          \
    do {                                                                            \
        long long check__a = (long long)(a), check__b = (long long)(b);             \
        if (check__a == check__b) {                                                 \
            check__passed++;                                                        \
        } else {                                                                    \
            check__failed++;                                                        \
            fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__,     \
                    __LINE__, #a, #b, check__a, check__b);                          \
        }                                                                           \
    } while (0)

#define CHECK_EQ_STR(a, b)                                                          \
    do {                                                                            \
        const char *check__a = (a), *check__b = (b);                                \
        if (check__a && check__b && strcmp(check__a, check__b) == 0) {             \
            check__passed++;                                                        \
        } else {                                                                    \
            check__failed++;                                                        \
            fprintf(stderr, "%s:%d: %s == %s failed: \"%s\" != \"%s\"\n", __FILE__, \
                    __LINE__, #a, #b, check__a ? check__a : "(null)",               \
                    check__b ? check__b : "(null)");                                \
        }                                                                           \
    } while (0)

typedef void (*check__fn)(void);

#define CHECK_MAIN(...)                                                             \
    int main(void)                                                                  \
    {                                                                               \
        check__fn check__tests[] = {__VA_ARGS__};                                   \
        for (size_t i = 0; i < sizeof check__tests / sizeof check__tests[0]; i++)   \
            check__tests[i]();                                                      \
        printf("%d passed, %d failed\n", check__passed, check__failed);            \
        return check__failed ? 1 : 0;                                               \
    }

#endif
