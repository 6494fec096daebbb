/* test_store_layouts.c: HIT layouts in the SQLite store (insert, get, list, delete), the
 * layout id a HIT keeps, and the store_check invariant that a HIT made from a layout
 * belongs to the layout's requester. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>
#include "store/store.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "../../check.h"
#include "../store_fixture.h"
#include "util/banned.h"

static char path[64];

static struct store *open_db(void)
{
    return store_fixture_open(path, sizeof path);
}

static void close_db(struct store *st)
{
    store_close(st);
    store_fixture_remove(path);
}

static int64_t add_requester(struct store *st, const char *name)
{
    return add_account(st, name, ROLE_REQUESTER);
}

static void add_layout(struct store *st, const char *id, int64_t req)
{
    struct hit_layout l = {0};
    struct ts_error err = {0};
    snprintf(l.id, sizeof l.id, "%s", id);
    l.requester_id = req;
    l.name = (char *)"Layout";
    l.content = (char *)"<p>${a}</p>";
    l.frame_height = 250;
    l.params_json = (char *)"[\"a\"]";
    l.created_ms = 2000;
    CHECK_EQ_INT(store_layout_insert(st, &l, &err), 0);
    CHECK(l.seq > 0);
}

static void add_hit(struct store *st, const char *id, int64_t req, const char *layout)
{
    struct hit_type t = {0};
    struct hit h = {0};
    struct ts_error err = {0};
    snprintf(t.id, sizeof t.id, "T%s", id);
    t.requester_id = req;
    t.title = t.description = t.keywords = (char *)"x";
    t.quals_json = (char *)"[]";
    t.reward = 100;
    t.duration_s = 600;
    t.created_ms = 1000;
    CHECK_EQ_INT(store_hit_type_insert(st, &t, &err), 0);
    snprintf(h.id, sizeof h.id, "%s", id);
    snprintf(h.hit_type_id, sizeof h.hit_type_id, "T%s", id);
    snprintf(h.layout_id, sizeof h.layout_id, "%s", layout);
    h.requester_id = req;
    h.question = (char *)"<HTMLQuestion/>";
    h.max_assignments = 1;
    h.created_ms = 1000;
    h.expires_ms = 10000;
    CHECK_EQ_INT(store_hit_insert(st, &h, &err), 0);
}

static int list_cb(void *ctx, const struct hit_layout *l)
{
    buf_printf(ctx, "%s,", l->id);
    return 0;
}

static int hit_cb(void *ctx, const struct hit *h)
{
    buf_printf(ctx, "%s=%s,", h->id, h->layout_id);
    return 0;
}

static void test_roundtrip(void)
{
    struct store *st = open_db();
    struct ts_error err = {0};
    struct hit_layout l;
    struct hit h;
    struct buf b = BUF_INIT(4096);
    int64_t req = add_requester(st, "req"), other = add_requester(st, "other"), last = 0;
    int more = 0;

    add_layout(st, "L1", req);
    add_layout(st, "L2", req);
    add_layout(st, "L3", other);
    CHECK_EQ_INT(store_layout_get(st, "L1", &l, &err), 0);
    CHECK_EQ_STR(l.content, "<p>${a}</p>");
    CHECK_EQ_STR(l.params_json, "[\"a\"]");
    CHECK_EQ_INT(l.frame_height, 250);
    CHECK_EQ_INT(l.requester_id, req);
    store_layout_release(&l);
    CHECK_EQ_INT(store_layout_get(st, "NOPE", &l, &err), TS_ENOTFOUND);

    CHECK_EQ_INT(store_layout_list(st, req, 0, 1, list_cb, &b, &last, &more, &err), 0);
    CHECK_EQ_STR(b.p, "L1,");
    CHECK_EQ_INT(more, 1);
    CHECK_EQ_INT(store_layout_list(st, req, last, 10, list_cb, &b, &last, &more, &err), 0);
    CHECK_EQ_STR(b.p, "L1,L2,");
    CHECK_EQ_INT(more, 0);

    add_hit(st, "H1", req, "L1");
    add_hit(st, "H2", req, "");
    CHECK_EQ_INT(store_hit_get(st, "H1", &h, &err), 0);
    CHECK_EQ_INT(store_hit_load_texts(st, &h, &err), 0); /* the layout comes with them */
    CHECK_EQ_STR(h.layout_id, "L1");
    store_hit_release(&h);
    CHECK_EQ_INT(store_hit_get(st, "H2", &h, &err), 0);
    CHECK_EQ_INT(store_hit_load_texts(st, &h, &err), 0);
    CHECK_EQ_STR(h.layout_id, "");
    store_hit_release(&h);
    buf_reset(&b);
    struct hit_filter f = {req, NULL, NULL, HIT_LIST_LIVE, 0, NULL};
    CHECK_EQ_INT(store_hit_list(st, &f, 0, 10, hit_cb, &b, &last, &more, &err), 0);
    CHECK_EQ_STR(b.p, "H1=L1,H2=,");

    CHECK_EQ_INT(store_layout_delete(st, "L1", &err), 0);
    CHECK_EQ_INT(store_layout_get(st, "L1", &l, &err), TS_ENOTFOUND);
    buf_reset(&b);
    CHECK_EQ_INT(store_layout_list(st, req, 0, 10, list_cb, &b, &last, &more, &err), 0);
    CHECK_EQ_STR(b.p, "L2,");
    CHECK_EQ_INT(store_hit_get(st, "H1", &h, &err), 0);
    CHECK_EQ_INT(store_hit_load_texts(st, &h, &err), 0);
    CHECK_EQ_STR(h.layout_id, "L1"); /* the HIT keeps the id */
    store_hit_release(&h);
    buf_release(&b);
    close_db(st);
}

static void report_cb(void *ctx, const char *msg)
{
    buf_printf(ctx, "%s\n", msg);
}

static void test_check(void)
{
    struct store *st = open_db();
    struct ts_error err = {0};
    struct buf b = BUF_INIT(4096);
    int64_t req = add_requester(st, "req"), other = add_requester(st, "other");
    int violations = -1;
    sqlite3 *db = NULL;

    add_layout(st, "L1", req);
    add_hit(st, "H1", req, "L1");
    CHECK_EQ_INT(store_check(st, report_cb, &b, &violations, &err), 0);
    CHECK_EQ_INT(violations, 0);
    CHECK_EQ_INT(sqlite3_open(path, &db), SQLITE_OK);
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE hit_layouts SET requester_id = %lld WHERE id = 'L1'",
             (long long)other);
    CHECK_EQ_INT(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    CHECK_EQ_INT(store_check(st, report_cb, &b, &violations, &err), 0);
    CHECK_EQ_INT(violations, 1);
    CHECK_EQ_STR(b.p, "HIT H1 was made from layout L1 of another requester\n");
    buf_release(&b);
    close_db(st);
}

CHECK_MAIN(test_roundtrip, test_check)
