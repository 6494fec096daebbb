/* test_money.c: money parsing (MTurk CurrencyAmount), checked arithmetic, rounding to
 * the cent, fees and formatting. */
#include "util/money.h"

#include <string.h>

#include "../../check.h"
#include "util/banned.h"

static void test_parse_valid(void)
{
    static const struct {
        const char *s;
        int64_t micros;
    } cases[] = {
        {"5", 5000000},        {"0.1", 100000},         {"5.", 5000000},
        {"101.42", 101420000}, {"0", 0},                {"0.00", 0},
        {"0.05", 50000},       {"007.5", 7500000},      {"1000000000", MONEY_MAX},
        {"1000000000.00", MONEY_MAX}, {"999999999.99", MONEY_MAX - MONEY_CENT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ts_error err = {0};
        int64_t v = -1;

        CHECK_EQ_INT(money_parse(cases[i].s, &v, "Reward", &err), 0);
        CHECK_EQ_INT(v, cases[i].micros);
    }
}

static void test_parse_invalid(void)
{
    static const char *const cases[] = {
        "",      ".5",  "-1",  "1.234", "1e3", " 1",        "1 ",  "abc",
        "99999999999999999999", "1000000001", "1000000000.01", "+1",  "1..2",
        "1.2.",  "0x10", ".",  "1,00",  "5.-", "9223372036854775808",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ts_error err = {0};
        int64_t v = 42;

        CHECK_EQ_INT(money_parse(cases[i], &v, "Reward", &err), TS_EINVAL);
        CHECK_EQ_INT(err.code, TS_EINVAL);
        CHECK(strstr(err.msg, "Reward") != NULL);
        CHECK_EQ_INT(v, 42); /* nothing written on failure */
    }
    /* NULL err and NULL input are tolerated */
    {
        int64_t v = 42;

        CHECK_EQ_INT(money_parse("x", &v, NULL, NULL), TS_EINVAL);
        CHECK_EQ_INT(money_parse(NULL, &v, "Reward", NULL), TS_EINVAL);
        CHECK_EQ_INT(v, 42);
    }
}

static void test_arith_overflow(void)
{
    int64_t a = INT64_MAX - 1;

    CHECK_EQ_INT(money_add(&a, 1), 0);
    CHECK_EQ_INT(a, INT64_MAX);
    CHECK(money_add(&a, 1) != 0);
    CHECK_EQ_INT(a, INT64_MAX);

    a = INT64_MIN;
    CHECK(money_sub(&a, 1) != 0);
    CHECK_EQ_INT(a, INT64_MIN);
    CHECK_EQ_INT(money_sub(&a, -1), 0);
    CHECK_EQ_INT(a, INT64_MIN + 1);

    a = INT64_MAX / 2 + 1;
    CHECK(money_mul(&a, 2) != 0);
    CHECK_EQ_INT(a, INT64_MAX / 2 + 1);
    a = INT64_MIN;
    CHECK(money_mul(&a, -1) != 0);
    CHECK_EQ_INT(a, INT64_MIN);
    a = 3 * MONEY_UNIT;
    CHECK_EQ_INT(money_mul(&a, 7), 0);
    CHECK_EQ_INT(a, 21 * MONEY_UNIT);
}

static void test_round_cents(void)
{
    static const struct {
        int64_t in, out;
    } cases[] = {
        {0, 0},           {4999, 0},       {5000, 10000},    {5001, 10000},
        {14999, 10000},   {15000, 20000},  {-4999, 0},       {-5000, -10000},
        {-15000, -20000}, {10000, 10000},  {-10000, -10000},
        {INT64_MAX, INT64_MAX - INT64_MAX % 10000}, /* would overflow: toward zero */
        {INT64_MIN, INT64_MIN - INT64_MIN % 10000},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_EQ_INT(money_round_cents(cases[i].in), cases[i].out);
}

static void test_fee(void)
{
    static const struct {
        int64_t amount;
        int rate_bp;
        int64_t fee;
    } cases[] = {
        {70000, 2000, 10000},             /* 20% of 0.07 = 0.014 -> 0.01 */
        {25000, 2000, 10000},             /* 20% of 0.025 = 0.005 -> 0.01 (half up) */
        {24999, 2000, 0},                 /* 0.0049998 -> 0.00 */
        {50000, 2000, 10000},             /* 20% of 0.05 = 0.01 */
        {10 * MONEY_UNIT, 2000, 2 * MONEY_UNIT},
        {10 * MONEY_UNIT, 0, 0},
        {123450000, 10000, 123450000},    /* 100% */
        {1000000, 2500, 250000},          /* 25% of 1.00 */
        {1000000, 1, 0},                  /* 0.0001 */
        {MONEY_MAX, 2000, MONEY_MAX / 5},
        {-25000, 2000, -10000},           /* half away from zero */
        {-70000, 2000, -10000},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t fee = -7;

        CHECK_EQ_INT(money_fee(cases[i].amount, cases[i].rate_bp, &fee), 0);
        CHECK_EQ_INT(fee, cases[i].fee);
    }
    {
        int64_t fee = -7;

        CHECK(money_fee(INT64_MAX / 100, 2000, &fee) != 0);
        CHECK_EQ_INT(fee, -7);
    }
}

static void test_format(void)
{
    static const struct {
        int64_t micros;
        const char *s;
    } cases[] = {
        {0, "0.00"},
        {50000, "0.05"},
        {12300000, "12.30"},
        {-3100000, "-3.10"},
        {5000, "0.01"},       /* half a cent rounds up */
        {4999, "0.00"},
        {-5000, "-0.01"},     /* half away from zero */
        {-4999, "0.00"},      /* no "-0.00" */
        {1999999, "2.00"},
        {MONEY_MAX, "1000000000.00"},
        {INT64_MAX, "9223372036854.77"},
        {INT64_MIN, "-9223372036854.77"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[32];

        money_format(cases[i].micros, out);
        CHECK_EQ_STR(out, cases[i].s);
    }
}

static void test_roundtrip(void)
{
    static const char *const cases[] = {"0", "0.01", "5.", "101.42", "1000000000", "7.5"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t a = 0, b = 1;
        char out[32];

        CHECK_EQ_INT(money_parse(cases[i], &a, "x", NULL), 0);
        money_format(a, out);
        CHECK_EQ_INT(money_parse(out, &b, "x", NULL), 0);
        CHECK_EQ_INT(a, b);
    }
}

CHECK_MAIN(test_parse_valid, test_parse_invalid, test_arith_overflow, test_round_cents,
           test_fee, test_format, test_roundtrip)
