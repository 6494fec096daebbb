/* test_parse.c: parse_i64, decimal integers with an explicit range. */
#include "util/parse.h"

#include <string.h>

#include "../../check.h"
#include "util/banned.h"

static void test_valid(void)
{
    static const struct {
        const char *s;
        int64_t min, max, want;
    } cases[] = {
        {"0", 0, 10, 0},
        {"10", 0, 10, 10},
        {"-5", -5, 5, -5},
        {"-0", 0, 0, 0},
        {"007", 0, 100, 7},
        {"9223372036854775807", INT64_MIN, INT64_MAX, INT64_MAX},
        {"-9223372036854775808", INT64_MIN, INT64_MAX, INT64_MIN},
        {"-9223372036854775807", INT64_MIN, INT64_MAX, INT64_MIN + 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t v = 12345;

        CHECK_EQ_INT(parse_i64(cases[i].s, strlen(cases[i].s), cases[i].min, cases[i].max, &v),
                     0);
        CHECK_EQ_INT(v, cases[i].want);
    }
}

static void test_invalid(void)
{
    static const struct {
        const char *s;
        int64_t min, max;
    } cases[] = {
        {"", 0, 10},
        {"-", -10, 10},
        {"+1", 0, 10},
        {" 1", 0, 10},
        {"1 ", 0, 10},
        {"1a", 0, 10},
        {"0x1", 0, 100},
        {"1.0", 0, 10},
        {"--1", -10, 10},
        {"11", 0, 10},
        {"-1", 0, 10},
        {"-6", -5, 5},
        {"9223372036854775808", INT64_MIN, INT64_MAX},
        {"-9223372036854775809", INT64_MIN, INT64_MAX},
        {"99999999999999999999999", INT64_MIN, INT64_MAX},
        {"18446744073709551616", INT64_MIN, INT64_MAX}, /* 2^64: must not wrap to 0 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t v = 12345;

        CHECK_EQ_INT(parse_i64(cases[i].s, strlen(cases[i].s), cases[i].min, cases[i].max, &v),
                     -1);
        CHECK_EQ_INT(v, 12345); /* nothing written */
    }
}

static void test_length_bounded(void)
{
    int64_t v = 0;

    /* only s[0..n) is read: the rest of the string is not part of the number */
    CHECK_EQ_INT(parse_i64("123abc", 3, 0, 1000, &v), 0);
    CHECK_EQ_INT(v, 123);
    CHECK_EQ_INT(parse_i64("12\0" "3", 4, 0, 1000, &v), -1); /* embedded NUL */
    CHECK_EQ_INT(parse_i64(NULL, 0, 0, 10, &v), -1);
    CHECK_EQ_INT(v, 123);
}

static void test_hex_digit(void)
{
    static const struct {
        char c;
        int want;
    } cases[] = {
        {'0', 0}, {'9', 9}, {'a', 10}, {'f', 15}, {'A', 10}, {'F', 15},
        {'g', -1}, {'G', -1}, {'/', -1}, {':', -1}, {'@', -1}, {'`', -1}, {' ', -1}, {'\0', -1},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_EQ_INT(parse_hex_digit(cases[i].c), cases[i].want);
}

CHECK_MAIN(test_valid, test_invalid, test_length_bounded, test_hex_digit)
