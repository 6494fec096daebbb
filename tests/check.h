/* check.h: the unit-test harness. CHECK* print the expression and both values with
 * file:line on failure, count, and continue. A test file defines its tests as
 * `static void test_x(void)` and ends with CHECK_MAIN(test_x, test_y, ...), whose main
 * runs them all and prints "N passed, N failed" (exit 1 on any failure).
 *
 * Given arguments, main runs only the cases named, in the order given (`test_bin test_y
 * test_x`); a name that is no case counts as a failure. `test_bin --list` prints the
 * names, one a line, and runs nothing. Cases that set up their own state can so be run
 * alone or in any order; a file whose list has setup/teardown entries that the other
 * cases rely on can only be run whole. */
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

/* The length of the i-th name in names (the stringified CHECK_MAIN list, "a, b, c"), its
 * start in *start; 0 past the last. */
static inline size_t check__name(const char *names, size_t i, const char **start)
{
    const char *p = names;
    for (;;) {
        size_t n;
        while (*p == ' ' || *p == ',')
            p++;
        n = strcspn(p, ", ");
        if (n == 0 || i == 0) {
            *start = p;
            return n;
        }
        p += n;
        i--;
    }
}

static inline int check__main(int argc, char **argv, const char *names, const check__fn *tests,
                              size_t n)
{
    const char *name;
    size_t len;
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; (len = check__name(names, i, &name)) > 0; i++)
            printf("%.*s\n", (int)len, name);
        return 0;
    }
    if (argc < 2)
        for (size_t i = 0; i < n; i++)
            tests[i]();
    for (int a = 1; a < argc; a++) {
        size_t i;
        for (i = 0; i < n; i++) {
            len = check__name(names, i, &name);
            if (len == strlen(argv[a]) && memcmp(name, argv[a], len) == 0)
                break;
        }
        if (i < n) {
            tests[i]();
        } else {
            check__failed++;
            fprintf(stderr, "%s: no case named %s (--list names them)\n", argv[0], argv[a]);
        }
    }
    printf("%d passed, %d failed\n", check__passed, check__failed);
    return check__failed ? 1 : 0;
}

#define CHECK_MAIN(...)                                                             \
    int main(int argc, char **argv)                                                 \
    {                                                                               \
        check__fn check__tests[] = {__VA_ARGS__};                                   \
        return check__main(argc, argv, #__VA_ARGS__, check__tests,                  \
                           sizeof check__tests / sizeof check__tests[0]);           \
    }

#endif
