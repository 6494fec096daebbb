/* test_notify_outbox.c: upkeep of the notification outbox on a real SQLite store: pruning
 * of delivered and given-up messages by age (store_notify_prune through notify_prune,
 * bounded, oldest first, pending ones kept), the per-requester limit of pending test
 * messages, and paging through the due messages (store_notify_due_after). */
#include "../../check.h"
#include "../core_fixture.h"
#include "core/notify.h"

static int64_t rq, rq2;
static const struct notify_spec spec = {"http://127.0.0.1:9/h", "HTTP", "2006-05-05", 0};
static const struct notify_policy once = {1000, 1}; /* one attempt, then given up */

static void case_open(void)
{
    core_fixture_open();
    rq = account(ROLE_REQUESTER, "rq");
    rq2 = account(ROLE_REQUESTER, "rq2");
}

static void case_close(void)
{
    core_fixture_close_checked();
}

struct seqs {
    int64_t v[64];
    int n;
};

static int seq_cb(void *ctx, const struct notify_msg *m)
{
    struct seqs *s = ctx;
    if (s->n < 64)
        s->v[s->n++] = m->seq;
    return 0;
}

static struct seqs listed(int64_t who)
{
    struct ts_error err = {0};
    struct seqs s = {{0}, 0};
    int64_t last;
    int more;
    CHECK_EQ_INT(store_notify_list(st, who, 0, 64, seq_cb, &s, &last, &more, &err), 0);
    return s;
}

/* Queues a test message for who; its seq. */
static int64_t queue(int64_t who)
{
    struct ts_error err = {0};
    struct seqs s;
    CHECK_EQ_INT(TX(notify_send_test(&c, who, "TK1", &spec, NOTIFY_PING, &err)), 0);
    s = listed(who);
    return s.v[s.n - 1];
}

static int64_t pending_tests(int64_t who)
{
    struct ts_error err = {0};
    int64_t n = -1;
    CHECK_EQ_INT(store_notify_test_pending(st, who, &n, &err), 0);
    return n;
}

static void test_prune(void)
{
    case_open();
    struct ts_error err = {0};
    struct notify_msg m;
    int64_t t0 = c.now_ms, a, b, p;
    int n = -1;

    a = queue(rq);
    b = queue(rq);
    p = queue(rq);
    CHECK_EQ_INT(TX(notify_record_attempt(&c, a, 1, 200, NULL, &once, &err)), 0);
    c.now_ms = t0 + 1000;
    CHECK_EQ_INT(TX(notify_record_attempt(&c, b, 0, 500, "HTTP 500", &once, &err)), 0);
    CHECK_EQ_INT(store_notify_get(st, b, &m, &err), 0);
    CHECK_EQ_INT(m.state, NOTIFY_FAILED);

    /* Nothing is old enough yet: done at t0 is not before t0. */
    CHECK_EQ_INT(TX(store_notify_prune(st, t0, 10, &n, &err)), 0);
    CHECK_EQ_INT(n, 0);
    c.now_ms = t0 + NOTIFY_KEEP_MS;
    CHECK_EQ_INT(TX(notify_prune(&c, 10, &n, &err)), 0);
    CHECK_EQ_INT(n, 0);

    /* Past the keeping time: bounded, oldest done first, the pending one kept. */
    c.now_ms = t0 + NOTIFY_KEEP_MS + 5000;
    CHECK_EQ_INT(TX(notify_prune(&c, 1, &n, &err)), 0);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(store_notify_get(st, a, &m, &err), TS_ENOTFOUND);
    CHECK_EQ_INT(store_notify_get(st, b, &m, &err), 0);
    CHECK_EQ_INT(TX(notify_prune(&c, 10, &n, &err)), 0);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(TX(notify_prune(&c, 10, &n, &err)), 0);
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_INT(store_notify_get(st, b, &m, &err), TS_ENOTFOUND);
    CHECK_EQ_INT(store_notify_get(st, p, &m, &err), 0);
    CHECK_EQ_INT(m.state, NOTIFY_PENDING);
    /* The requester's list still works and shows what is left. */
    CHECK_EQ_INT(listed(rq).n, 1);
    CHECK_EQ_INT(listed(rq).v[0], p);
    /* A rolled-back prune deletes nothing. */
    CHECK_EQ_INT(TX(notify_record_attempt(&c, p, 1, 200, NULL, &once, &err)), 0);
    c.now_ms += NOTIFY_KEEP_MS + 1;
    tx_begin();
    CHECK_EQ_INT(notify_prune(&c, 10, &n, &err), 0);
    CHECK_EQ_INT(n, 1);
    tx_end(TS_EIO);
    CHECK_EQ_INT(listed(rq).n, 1);
    CHECK_EQ_INT(TX(notify_prune(&c, 10, &n, &err)), 0);
    CHECK_EQ_INT(listed(rq).n, 0);
    case_close();
}

static void test_pending_test_limit(void)
{
    case_open();
    struct ts_error err = {0};
    struct seqs s;
    int64_t first;

    CHECK_EQ_INT(pending_tests(rq2), 0);
    first = queue(rq2);
    for (int i = 1; i < NOTIFY_TEST_PENDING_MAX; i++)
        queue(rq2);
    CHECK_EQ_INT(pending_tests(rq2), NOTIFY_TEST_PENDING_MAX);
    CHECK_EQ_INT(TX(notify_send_test(&c, rq2, "TK1", &spec, NOTIFY_PING, &err)), TS_ECONFLICT);
    CHECK_EQ_STR(err.kind, "TooManyPendingTestNotifications");
    CHECK_EQ_INT(listed(rq2).n, NOTIFY_TEST_PENDING_MAX);
    /* Another requester is not held back by them. */
    CHECK_EQ_INT(pending_tests(rq), 0);
    /* Once one is delivered (or given up), another may be sent. */
    CHECK_EQ_INT(TX(notify_record_attempt(&c, first, 1, 200, NULL, &once, &err)), 0);
    CHECK_EQ_INT(pending_tests(rq2), NOTIFY_TEST_PENDING_MAX - 1);
    queue(rq2);
    CHECK_EQ_INT(TX(notify_send_test(&c, rq2, "TK1", &spec, NOTIFY_PING, &err)), TS_ECONFLICT);
    s = listed(rq2);
    CHECK_EQ_INT(s.n, NOTIFY_TEST_PENDING_MAX + 1);
    case_close();
}

static void test_due_pages(void)
{
    case_open();
    struct ts_error err = {0};
    struct seqs all = {{0}, 0}, page;
    int64_t after_next = INT64_MIN, after_seq = 0;
    int pages = 0, total = 0;

    /* As many pending test messages as a requester may have, due now, listed in
     * (next_ms, seq) order. */
    for (int i = 0; i < NOTIFY_TEST_PENDING_MAX; i++)
        queue(rq2);
    CHECK_EQ_INT(store_notify_due_after(st, c.now_ms, INT64_MIN, 0, 64, seq_cb, &all, &err), 0);
    CHECK_EQ_INT(all.n, NOTIFY_TEST_PENDING_MAX);
    for (;;) {
        page.n = 0;
        CHECK_EQ_INT(store_notify_due_after(st, c.now_ms, after_next, after_seq, 3, seq_cb,
                                            &page, &err),
                     0);
        for (int i = 0; i < page.n; i++)
            CHECK_EQ_INT(page.v[i], all.v[total + i]);
        total += page.n;
        pages++;
        if (page.n < 3)
            break;
        {
            struct notify_msg m;
            CHECK_EQ_INT(store_notify_get(st, page.v[page.n - 1], &m, &err), 0);
            after_next = m.next_ms;
            after_seq = m.seq;
        }
    }
    CHECK_EQ_INT(total, all.n);
    CHECK_EQ_INT(pages, 4);
    /* Nothing is due before now. */
    page.n = 0;
    CHECK_EQ_INT(store_notify_due_after(st, c.now_ms - 1000000, INT64_MIN, 0, 3, seq_cb, &page,
                                        &err),
                 0);
    CHECK_EQ_INT(page.n, 0);
    case_close();
}

CHECK_MAIN(test_prune, test_pending_test_limit, test_due_pages)
