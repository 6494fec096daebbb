/* test_limiter.c: the login backoff, driven by a clock of the test's own. */
#include "api/limiter.h"

#include <stdio.h>
#include <sodium.h>

#include "../../check.h"
#include "util/banned.h"

static struct limiter *small(int64_t free_failures, size_t slots)
{
    struct limiter_config cfg;
    limiter_config_init(&cfg);
    cfg.free_failures = free_failures;
    cfg.base_ms = 1000;
    cfg.max_ms = 8000;
    cfg.forget_ms = 60000;
    cfg.slots = slots;
    return limiter_new(&cfg);
}

static void test_delay_table(void)
{
    struct limiter_config cfg;
    static const struct {
        int64_t failures, ms;
    } cases[] = {{0, 0}, {3, 0}, {4, 1000}, {5, 2000}, {6, 4000}, {7, 8000}, {8, 8000},
                 {1000, 8000}, {INT64_MAX / 2, 8000}};
    limiter_config_init(&cfg);
    cfg.free_failures = 3;
    cfg.base_ms = 1000;
    cfg.max_ms = 8000;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_EQ_INT(limiter_delay(&cfg, cases[i].failures), cases[i].ms);
}

static void test_address_backoff_and_forgetting(void)
{
    struct limiter *l = small(3, 64);
    int64_t t = 1000000;
    for (int i = 0; i < 3; i++) {
        CHECK_EQ_INT(limiter_check(l, "10.0.0.1", "alice", t), 0);
        limiter_failed(l, "10.0.0.1", "alice", t);
    }
    CHECK_EQ_INT(limiter_check(l, "10.0.0.1", "bob", t), 0); /* three are free */
    limiter_failed(l, "10.0.0.1", "bob", t);
    /* The fourth failure costs the address a second, whatever name it tries next. */
    CHECK_EQ_INT(limiter_check(l, "10.0.0.1", "carol", t), 1000);
    CHECK_EQ_INT(limiter_check(l, "10.0.0.1", "carol", t + 400), 600);
    CHECK_EQ_INT(limiter_check(l, "10.0.0.1", "carol", t + 1000), 0);
    limiter_failed(l, "10.0.0.1", "carol", t + 1000);
    CHECK_EQ_INT(limiter_check(l, "10.0.0.1", "dave", t + 1000), 2000);
    /* Another address is not held back by it. */
    CHECK_EQ_INT(limiter_check(l, "10.0.0.2", "dave", t + 1000), 0);
    /* Doubling up to the cap. */
    for (int i = 0; i < 10; i++)
        limiter_failed(l, "10.0.0.1", "x", t + 2000);
    CHECK_EQ_INT(limiter_check(l, "10.0.0.1", "dave", t + 2000), 8000);
    /* A minute without failures and past the delay: forgotten. */
    CHECK_EQ_INT(limiter_check(l, "10.0.0.1", "dave", t + 2000 + 60001), 0);
    limiter_failed(l, "10.0.0.1", "dave", t + 2000 + 60001);
    CHECK_EQ_INT(limiter_check(l, "10.0.0.1", "dave", t + 2000 + 60001), 0);
    limiter_free(l);
}

static void test_name_backoff_spares_known_address(void)
{
    struct limiter *l = small(2, 64);
    int64_t t = 5000;
    /* The owner logs in from home once. */
    limiter_succeeded(l, "10.0.0.9", "alice", t);
    /* Guesses at alice from many addresses, two each (within each address's free share). */
    for (int i = 0; i < 20; i++) {
        char addr[32];
        snprintf(addr, sizeof addr, "192.168.0.%d", i);
        limiter_failed(l, addr, "alice", t);
        limiter_failed(l, addr, "alice", t);
    }
    /* A fresh address is delayed by alice's backoff (the cap), never locked... */
    CHECK_EQ_INT(limiter_check(l, "172.16.0.1", "alice", t), 8000);
    CHECK_EQ_INT(limiter_check(l, "172.16.0.1", "alice", t + 8000), 0);
    /* ...other names are not touched... */
    CHECK_EQ_INT(limiter_check(l, "172.16.0.1", "bob", t), 0);
    /* ...and the owner's known address is not held back at all. */
    CHECK_EQ_INT(limiter_check(l, "10.0.0.9", "alice", t), 0);
    /* The owner's success clears the name's backoff. */
    limiter_succeeded(l, "10.0.0.9", "alice", t + 1);
    CHECK_EQ_INT(limiter_check(l, "172.16.0.1", "alice", t + 1), 0);
    limiter_free(l);
}

/* One address flooding a name delays only itself: the owner, even from an address never
 * seen before, is not held back; a second failing address makes it the name's delay. */
static void test_one_address_cannot_delay_a_name(void)
{
    struct limiter *l = small(2, 64);
    int64_t t = 9000;
    for (int i = 0; i < 10; i++)
        limiter_failed(l, "10.6.6.6", "alice", t);
    CHECK_EQ_INT(limiter_check(l, "10.6.6.6", "alice", t), 8000);
    CHECK_EQ_INT(limiter_check(l, "10.7.7.7", "alice", t), 0);
    limiter_failed(l, "10.6.6.7", "alice", t);
    CHECK_EQ_INT(limiter_check(l, "10.7.7.7", "alice", t), 8000);
    /* The owner's success makes it one address's again. */
    limiter_succeeded(l, "10.7.7.7", "alice", t + 8000);
    limiter_failed(l, "10.6.6.6", "alice", t + 8000);
    CHECK_EQ_INT(limiter_check(l, "10.8.8.8", "alice", t + 8000), 0);
    limiter_free(l);
}

static void test_success_forgives_only_own_failures(void)
{
    struct limiter *l = small(2, 64);
    int64_t t = 7000;
    /* An address guesses at bob three times, then logs in to its own account. */
    for (int i = 0; i < 3; i++)
        limiter_failed(l, "10.1.1.1", "bob", t);
    limiter_succeeded(l, "10.1.1.1", "mallory", t);
    CHECK_EQ_INT(limiter_check(l, "10.1.1.1", "carol", t), 1000);
    /* A mistyped password forgiven by the right one. */
    limiter_failed(l, "10.2.2.2", "alice", t);
    limiter_failed(l, "10.2.2.2", "alice", t);
    limiter_failed(l, "10.2.2.2", "alice", t);
    CHECK_EQ_INT(limiter_check(l, "10.2.2.2", "alice", t), 1000);
    limiter_succeeded(l, "10.2.2.2", "alice", t + 1000);
    CHECK_EQ_INT(limiter_check(l, "10.2.2.2", "alice", t + 1000), 0);
    limiter_failed(l, "10.2.2.2", "alice", t + 1000);
    CHECK_EQ_INT(limiter_check(l, "10.2.2.2", "alice", t + 1000), 0);
    limiter_free(l);
}

/* Many addresses and names keep the tables at their size, and a heavily failing address
 * is not pushed out by a crowd of addresses with one failure each. */
static void test_memory_bounded(void)
{
    struct limiter *l = small(2, 64);
    int64_t t = 100000;
    for (int i = 0; i < 10; i++)
        limiter_failed(l, "10.9.9.9", "alice", t);
    limiter_failed(l, "10.9.9.7", "alice", t);
    for (int i = 0; i < 100000; i++) {
        char addr[32], name[32];
        snprintf(addr, sizeof addr, "a%d", i);
        snprintf(name, sizeof name, "n%d", i);
        limiter_failed(l, addr, name, t);
    }
    CHECK_EQ_INT(limiter_check(l, "10.9.9.9", "zed", t), 8000);
    CHECK_EQ_INT(limiter_check(l, "10.9.9.8", "alice", t), 8000);
    limiter_free(l);
}

static void setup(void)
{
    CHECK(sodium_init() >= 0);
}

CHECK_MAIN(setup, test_delay_table, test_address_backoff_and_forgetting,
           test_name_backoff_spares_known_address, test_one_address_cannot_delay_a_name,
           test_success_forgives_only_own_failures,
           test_memory_bounded)
