/* test_ledger.c: the double-entry journal (src/core/ledger.c) on a real SQLite store:
 * deposits, postings between balances, what a balance reads, the refusal of an overdraft
 * with nothing written, and that every entry keeps the books balanced. Each case starts
 * from a fresh store (core_fixture_start), so any case runs alone or in any order. */
#include "../../check.h"
#include "../core_fixture.h"
#include "core/asg.h"
#include "util/money.h"

#define BAL(owner, kind) core_fixture_balance(owner, kind)

/* The sum of every balance the case's money can reach: 0 when each entry was balanced
 * (money only moves, it is never made or lost). */
static int64_t books(const struct core_cast *k)
{
    return BAL(0, LEDGER_EXTERNAL) + BAL(0, LEDGER_FEES) + BAL(k->rq, LEDGER_AVAILABLE) +
           BAL(k->rq, LEDGER_ESCROW) + BAL(k->wk1, LEDGER_EARNINGS) +
           BAL(k->wk2, LEDGER_EARNINGS);
}

/* A deposit must be positive; a good one lands in the available balance, taken from the
 * outside world, which alone may go below zero. */
static void test_deposit(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(0);

    CHECK_EQ_INT(BAL(k.rq, LEDGER_AVAILABLE), 0);
    CHECK_EQ_INT(TX(ledger_deposit(&c, k.rq, 0, &err)), TS_EINVAL);
    CHECK_EQ_INT(TX(ledger_deposit(&c, k.rq, -5, &err)), TS_EINVAL);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_AVAILABLE), 0);
    CHECK_EQ_INT(TX(ledger_deposit(&c, k.rq, 5 * MONEY_UNIT, &err)), 0);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_AVAILABLE), 5 * MONEY_UNIT);
    CHECK_EQ_INT(TX(ledger_deposit(&c, k.rq, MONEY_CENT, &err)), 0);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_AVAILABLE), 5 * MONEY_UNIT + MONEY_CENT);
    CHECK_EQ_INT(BAL(0, LEDGER_EXTERNAL), -(5 * MONEY_UNIT + MONEY_CENT));
    CHECK_EQ_INT(books(&k), 0);
    core_fixture_end();
}

/* A posting moves money between balances; a leg of 0 is skipped; an account never
 * posted to reads 0. */
static void test_posting(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(3 * MONEY_UNIT);
    const struct ledger_leg hold[3] = {
        {k.rq, LEDGER_AVAILABLE, -MONEY_UNIT},
        {k.rq, LEDGER_ESCROW, MONEY_UNIT},
        {k.wk1, LEDGER_EARNINGS, 0},
    };
    const struct ledger_leg pay[3] = {
        {k.rq, LEDGER_ESCROW, -MONEY_UNIT},
        {k.wk1, LEDGER_EARNINGS, 800000},
        {0, LEDGER_FEES, 200000},
    };

    CHECK_EQ_INT(BAL(k.wk2, LEDGER_EARNINGS), 0);
    CHECK_EQ_INT(TX(ledger_post(&c, "escrow", "ref1", hold, 3, &err)), 0);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_AVAILABLE), 2 * MONEY_UNIT);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_ESCROW), MONEY_UNIT);
    CHECK_EQ_INT(BAL(k.wk1, LEDGER_EARNINGS), 0);
    CHECK_EQ_INT(TX(ledger_post(&c, "pay", "ref1", pay, 3, &err)), 0);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_ESCROW), 0);
    CHECK_EQ_INT(BAL(k.wk1, LEDGER_EARNINGS), 800000);
    CHECK_EQ_INT(BAL(0, LEDGER_FEES), 200000);
    CHECK_EQ_INT(books(&k), 0);
    core_fixture_end();
}

/* A posting that would take a balance below zero is refused, naming the shortfall, and
 * writes none of its legs, not even those that came before the short one. */
static void test_overdraft_refused(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(MONEY_UNIT);
    const struct ledger_leg legs[3] = {
        {0, LEDGER_FEES, 2 * MONEY_UNIT},
        {k.wk1, LEDGER_EARNINGS, 0},
        {k.rq, LEDGER_AVAILABLE, -2 * MONEY_UNIT},
    };

    CHECK_EQ_INT(TX(ledger_post(&c, "pay", "ref2", legs, 3, &err)), TS_EFUNDS);
    CHECK_EQ_STR(err.kind, "InsufficientFunds");
    CHECK(strstr(err.msg, "$2.00") != NULL);
    CHECK(strstr(err.msg, "$1.00") != NULL);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_AVAILABLE), MONEY_UNIT);
    CHECK_EQ_INT(BAL(0, LEDGER_FEES), 0);
    CHECK_EQ_INT(books(&k), 0);
    core_fixture_end();
}

/* A HIT costs (reward + fee) for each assignment: 5 assignments of $1.00 with a fee of
 * $0.20 cost $6.00, more than the $5.00 deposited, and are refused with nothing moved. */
static void test_hit_beyond_balance_refused(void)
{
    struct core_cast k = core_fixture_start(5 * MONEY_UNIT);
    struct hit_type t = core_fixture_stored_type(k.rq, MONEY_UNIT, 3600);
    struct hit_params p = core_fixture_params(5);
    struct hit h;

    CHECK_EQ_INT(BAL(k.rq, LEDGER_AVAILABLE), 5 * MONEY_UNIT);
    CHECK_EQ_INT(core_fixture_hit(&t, &p, &h), TS_EFUNDS);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_AVAILABLE), 5 * MONEY_UNIT);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_ESCROW), 0);
    CHECK_EQ_INT(core_fixture_violations(), 0);
    /* Four fit exactly: $4.80 of the $5.00. */
    p.max_assignments = 4;
    CHECK_EQ_INT(core_fixture_hit(&t, &p, &h), 0);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_AVAILABLE), 200000);
    CHECK_EQ_INT(BAL(k.rq, LEDGER_ESCROW), 4800000);
    CHECK_EQ_INT(books(&k), 0);
    store_hit_release(&h);
    core_fixture_end();
}

/* Through a HIT's whole life (escrow, pay, release, bonus) every entry balances. */
static void test_books_balance(void)
{
    struct ts_error err = {0};
    struct core_cast k = core_fixture_start(2 * MONEY_UNIT);
    struct hit_type t = core_fixture_stored_type(k.rq, 100000, 3600);
    struct hit_params p = core_fixture_params(3);
    struct hit h;
    struct assignment a1, a2;
    struct bonus b;
    char pseud[16];

    CHECK_EQ_INT(core_fixture_hit(&t, &p, &h), 0);
    CHECK_EQ_INT(books(&k), 0);
    CHECK_EQ_INT(TX(asg_accept(&c, k.wk1, NULL, h.id, &a1, &err)), 0);
    CHECK_EQ_INT(TX(asg_accept(&c, k.wk2, NULL, h.id, &a2, &err)), 0);
    CHECK_EQ_INT(TX(submit_text(&c, k.wk1, a1.id, "{\"a\":\"b\"}", &err)), 0);
    CHECK_EQ_INT(TX(submit_text(&c, k.wk2, a2.id, "{\"a\":\"c\"}", &err)), 0);
    CHECK_EQ_INT(TX(asg_approve(&c, k.rq, a1.id, NULL, 0, &err)), 0);
    CHECK_EQ_INT(TX(asg_reject(&c, k.rq, a2.id, "no", &err)), 0);
    CHECK_EQ_INT(books(&k), 0);
    core_fixture_pseudonym(k.rq, k.wk1, pseud);
    CHECK_EQ_INT(TX(asg_bonus(&c, k.rq, pseud, a1.id, 50000, "good", NULL, &b, &err)), 0);
    store_bonus_release(&b);
    CHECK_EQ_INT(TX(hit_update_expiration(&c, k.rq, h.id, 0, &err)), 0);
    CHECK_EQ_INT(books(&k), 0);
    CHECK_EQ_INT(BAL(0, LEDGER_EXTERNAL), -2 * MONEY_UNIT);
    store_asg_release(&a1);
    store_asg_release(&a2);
    store_hit_release(&h);
    core_fixture_end();
}

CHECK_MAIN(test_deposit, test_posting, test_overdraft_refused, test_hit_beyond_balance_refused,
           test_books_balance)
