/* test_aggregate.c: the quality/ modules behind `tessera aggregate`: the CSV reader,
 * interning, answers and gold files, majority vote and its tie rule, Dawid–Skene (a
 * spammer is down-weighted, a label-flipper inverted), one-answer workers and items,
 * repeated pairs, and mean/median. Every expected value is derived by hand in a comment. */
#include "quality/answers.h"
#include "quality/csv.h"
#include "quality/ds.h"
#include "quality/intern.h"
#include "quality/numeric.h"
#include "quality/vote.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../../check.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/banned.h"

/* Reads answers (and gold when not NULL) from string literals; returns the rc. */
static int load(struct answers *a, int numeric, const char *answers, const char *gold,
                struct ts_error *err)
{
    char *t = xstrdup(answers);
    int rc;

    answers_init(a, numeric);
    rc = answers_read(a, t, strlen(t), "a.csv", err);
    free(t);
    if (rc || !gold)
        return rc;
    t = xstrdup(gold);
    rc = answers_read_gold(a, t, strlen(t), "g.csv", err);
    free(t);
    return rc;
}

/* The label text chosen for item `item` by method m ("mv", "ds" or "hds"). */
static const char *pick(struct answers *a, const char *m, const char *item, double *conf)
{
    static char out[64];
    uint32_t id = intern_get(&a->items, item, strlen(item));
    uint32_t *label = xmalloc_array(a->items.n, sizeof *label);
    double *c = xmalloc_array(a->items.n, sizeof *c);

    if (strcmp(m, "mv") == 0) {
        vote_run(a, label, c);
    } else {
        struct ds_opts o;
        struct ds_info info;
        double *post = xmalloc_array(a->items.n * a->nlabels, sizeof *post);
        if (strcmp(m, "ds") == 0)
            ds_opts_classic(&o);
        else
            ds_opts_hier(&o);
        ds_run(a, &o, post, &info);
        vote_pick_all(a, post, label, c);
        free(post);
    }
    snprintf(out, sizeof out, "%s", id == INTERN_NONE ? "?" : intern_str(&a->labels, label[id]));
    if (conf)
        *conf = id == INTERN_NONE ? -1 : c[id];
    free(label);
    free(c);
    return out;
}

static void test_csv_fields(void)
{
    char text[] = "\xef\xbb\xbfitem,worker,label\r\n"
                  "\"i,1\",w1,\"say \"\"hi\"\"\"\r\n"
                  "\r\n"
                  "i2,w2,\"two\nlines\"\n"
                  "i3,w3,\xc3\xa9";
    struct csv c;
    struct csv_field f[3];
    struct ts_error err = {0};
    size_t nf, line;

    csv_init(&c, text, strlen(text), "x.csv");
    CHECK_EQ_INT(csv_next(&c, f, 3, &nf, &line, &err), 1);
    CHECK(csv_field_is(&f[0], "item") && csv_field_is(&f[2], "label"));
    CHECK_EQ_INT(csv_next(&c, f, 3, &nf, &line, &err), 1);
    CHECK_EQ_INT(line, 2);
    CHECK(csv_field_is(&f[0], "i,1"));
    CHECK(csv_field_is(&f[2], "say \"hi\""));
    CHECK_EQ_INT(csv_next(&c, f, 3, &nf, &line, &err), 1);
    CHECK_EQ_INT(line, 4); /* the empty line 3 is skipped */
    CHECK(csv_field_is(&f[2], "two\nlines"));
    CHECK_EQ_INT(csv_next(&c, f, 3, &nf, &line, &err), 1);
    CHECK_EQ_INT(line, 6); /* the quoted line break counted */
    CHECK(csv_field_is(&f[2], "\xc3\xa9"));
    CHECK_EQ_INT(csv_next(&c, f, 3, &nf, &line, &err), 0);
}

static void test_csv_errors(void)
{
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"", "a.csv:1: empty file"},
        {"\xef\xbb\xbf\r\n\r\n", "a.csv:1: empty file"},
        {"item,label\n", "a.csv:1: the header must be \"item,worker,label\""},
        {"item,worker,answer\n", "a.csv:1: the header must be"},
        {"item,worker,label\n", "a.csv: no answers after the header"},
        {"item,worker,label\ni1,w1,a\ni2,w2\n", "a.csv:3: expected 3 fields (item,worker,label), found 2"},
        {"item,worker,label\ni1,w1,a,b\n", "a.csv:2: expected 3 fields"},
        {"item,worker,label\ni1,w1,\"a\n\nb\n", "a.csv:2: unterminated quoted field"},
        {"item,worker,label\ni1,w1,\"a\"b\n", "a.csv:2: text after a closing quote"},
        {"item,worker,label\ni1,w1,a\"b\n", "a.csv:2: a quote inside an unquoted field"},
        {"item,worker,label\ni1,,a\n", "a.csv:2: empty worker"},
        {"item,worker,label\ni1,w1,\xff\n", "a.csv:2: label is not valid UTF-8"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        struct answers a;
        struct ts_error err = {0};
        int rc = load(&a, 0, cases[k].text, NULL, &err);
        CHECK_EQ_INT(rc, TS_EINVAL);
        if (strncmp(err.msg, cases[k].msg, strlen(cases[k].msg)) != 0)
            CHECK_EQ_STR(err.msg, cases[k].msg);
        answers_release(&a);
    }
}

static void test_intern(void)
{
    struct intern t;
    int added;
    intern_init(&t);
    CHECK_EQ_INT(intern_get(&t, "a", 1), INTERN_NONE);
    CHECK_EQ_INT(intern_put(&t, "a", 1, &added), 0);
    CHECK_EQ_INT(added, 1);
    CHECK_EQ_INT(intern_put(&t, "ab", 2, &added), 1);
    CHECK_EQ_INT(intern_put(&t, "a", 1, &added), 0);
    CHECK_EQ_INT(added, 0);
    for (int k = 0; k < 1000; k++) { /* forces several rehashes */
        char s[16];
        int n = snprintf(s, sizeof s, "s%d", k);
        intern_put(&t, s, (size_t)n, NULL);
    }
    CHECK_EQ_INT(t.n, 1002);
    CHECK_EQ_INT(intern_get(&t, "s999", 4), 1001);
    CHECK_EQ_STR(intern_str(&t, 1), "ab");
    CHECK_EQ_INT(intern_len(&t, 1), 2);
    intern_release(&t);
}

/* Repeated (item, worker). By default every row is an answer (Dawid–Skene counts
 * repeated responses): i1 has w1:a, w2:a, w1:b, w1:c, so majority vote gives "a" with 2/4.
 * With last_only the last answer counts, in the place of the first: i1 has w1:c and
 * w2:a, a tie, and "a" sorts first. */
static void test_repeats(void)
{
    static const char text[] = "item,worker,label\ni1,w1,a\ni2,w1,b\ni1,w2,a\ni1,w1,b\ni1,w1,c\n";
    struct answers a;
    struct ts_error err = {0};
    double conf;
    char *t;

    CHECK_EQ_INT(load(&a, 0, text, NULL, &err), 0);
    CHECK_EQ_INT(a.rows, 5);
    CHECK_EQ_INT(a.n, 5);
    CHECK_EQ_INT(a.repeated, 2);
    CHECK_EQ_STR(intern_str(&a.labels, a.label[4]), "c");
    CHECK_EQ_STR(pick(&a, "mv", "i1", &conf), "a");
    CHECK(fabs(conf - 0.5) < 1e-12);
    answers_release(&a);

    answers_init(&a, 0);
    a.last_only = 1;
    t = xstrdup(text);
    CHECK_EQ_INT(answers_read(&a, t, strlen(t), "a.csv", &err), 0);
    free(t);
    CHECK_EQ_INT(a.rows, 5);
    CHECK_EQ_INT(a.n, 3);
    CHECK_EQ_INT(a.repeated, 2);
    CHECK_EQ_STR(intern_str(&a.labels, a.label[0]), "c");
    CHECK_EQ_STR(intern_str(&a.items, a.item[1]), "i2");
    CHECK_EQ_STR(pick(&a, "mv", "i1", &conf), "a");
    CHECK(fabs(conf - 0.5) < 1e-12);
    answers_release(&a);
}

static void test_vote_ties(void)
{
    struct answers a;
    struct ts_error err = {0};
    double conf;
    CHECK_EQ_INT(load(&a, 0,
                      "item,worker,label\n"
                      "t1,w1,b\nt1,w2,a\n"          /* 1-1: "a" < "b" */
                      "t2,w1,2\nt2,w2,10\n"         /* 1-1: "10" < "2" bytewise */
                      "t3,w1,b\nt3,w2,b\nt3,w3,a\n" /* 2-1: b, 2/3 */
                      "t4,w9,z\n",                  /* one answer: z, 1 */
                      NULL, &err),
                 0);
    CHECK_EQ_STR(pick(&a, "mv", "t1", &conf), "a");
    CHECK(fabs(conf - 0.5) < 1e-12);
    CHECK_EQ_STR(pick(&a, "mv", "t2", NULL), "10");
    CHECK_EQ_STR(pick(&a, "mv", "t3", &conf), "b");
    CHECK(fabs(conf - 2.0 / 3) < 1e-12);
    CHECK_EQ_STR(pick(&a, "mv", "t4", &conf), "z");
    CHECK(fabs(conf - 1) < 1e-12);
    answers_release(&a);
}

/* 20 items with truth a,b,a,b,...; three good workers answer all correctly, and worker
 * x answers a,a,b,b,a,a,b,b,... (right on exactly half, whatever the truth: a spammer).
 * Item q1 (truth b) is answered by g1 "b" and x "a": majority vote ties and picks "a";
 * DS has learned g1 ~ identity and x ~ uniform rows, so the posterior of q1 is
 * pi_b * theta_g1[b][b] * theta_x[b][a] against pi_a * theta_g1[a][b] * theta_x[a][a]:
 * about 0.5 * 1 * 0.5 against 0.5 * 0 * 0.5, so "b". */
static void build_crowd(struct buf *b, const char *odd_worker_pattern)
{
    buf_puts(b, "item,worker,label\n");
    for (int i = 0; i < 20; i++) {
        const char *truth = i % 2 ? "b" : "a";
        for (int g = 1; g <= 3; g++)
            buf_printf(b, "i%d,g%d,%s\n", i, g, truth);
        buf_printf(b, "i%d,x,%c\n", i, odd_worker_pattern[i % 4]);
    }
}

static void test_ds_spammer(void)
{
    struct buf b = BUF_INIT(1 << 16);
    struct answers a;
    struct ts_error err = {0};
    double conf;

    build_crowd(&b, "aabb");
    buf_puts(&b, "q1,g1,b\nq1,x,a\n");
    CHECK_EQ_INT(load(&a, 0, b.p, NULL, &err), 0);
    CHECK_EQ_STR(pick(&a, "mv", "q1", NULL), "a");
    CHECK_EQ_STR(pick(&a, "ds", "q1", &conf), "b");
    CHECK(conf > 0.9);
    CHECK_EQ_STR(pick(&a, "hds", "q1", &conf), "b");
    CHECK(conf > 0.9);
    CHECK_EQ_STR(pick(&a, "ds", "i3", NULL), "b");
    answers_release(&a);
    buf_release(&b);
}

/* Worker x answers the opposite of the truth every time (pattern b,a for truth a,b).
 * Item q2 has only x's answer "a". Majority vote says "a"; DS has learned
 * theta_x[b][a] ~ 1 and theta_x[a][a] ~ 0, so it says "b". */
static void test_ds_flipper(void)
{
    struct buf b = BUF_INIT(1 << 16);
    struct answers a;
    struct ts_error err = {0};
    double conf;

    build_crowd(&b, "baba");
    buf_puts(&b, "q2,x,a\n");
    CHECK_EQ_INT(load(&a, 0, b.p, NULL, &err), 0);
    CHECK_EQ_STR(pick(&a, "mv", "q2", NULL), "a");
    CHECK_EQ_STR(pick(&a, "ds", "q2", &conf), "b");
    CHECK(conf > 0.9);
    CHECK_EQ_STR(pick(&a, "hds", "q2", &conf), "b");
    CHECK(conf > 0.5);
    answers_release(&a);
    buf_release(&b);
}

/* A worker with one answer and an item with one answer give finite, sane results: the
 * smoothing keeps the one-answer worker's matrix from being degenerate. */
static void test_ds_sparse(void)
{
    struct buf b = BUF_INIT(1 << 16);
    struct answers a;
    struct ts_error err = {0};
    double conf;
    const char *m[] = {"ds", "hds"};

    build_crowd(&b, "abab"); /* x is good too */
    buf_puts(&b, "q3,lone,b\n");      /* one-answer worker on a one-answer item */
    buf_puts(&b, "q4,lone2,a\nq4,g1,b\n");
    CHECK_EQ_INT(load(&a, 0, b.p, NULL, &err), 0);
    for (int k = 0; k < 2; k++) {
        CHECK_EQ_STR(pick(&a, m[k], "q3", &conf), "b");
        CHECK(conf > 0.5 && conf < 1 && isfinite(conf));
        /* a known-good worker outweighs a stranger */
        CHECK_EQ_STR(pick(&a, m[k], "q4", &conf), "b");
        CHECK(conf > 0.5 && isfinite(conf));
    }
    answers_release(&a);
    buf_release(&b);
}

static void test_gold(void)
{
    struct answers a;
    struct ts_error err = {0};
    CHECK_EQ_INT(load(&a, 0, "item,worker,label\ni1,w1,a\ni2,w1,b\n",
                      "item,label\ni1,b\nnope,a\ni1,a\ni2,c\n", &err),
                 0);
    CHECK_EQ_INT(a.gold_rows, 4);
    CHECK_EQ_INT(a.gold_items, 2);
    CHECK_EQ_INT(a.gold_unknown, 1);
    CHECK_EQ_STR(intern_str(&a.labels, a.gold[0]), "a"); /* the last row counts */
    CHECK_EQ_INT(a.nlabels, 2);                          /* "c" is a gold-only label */
    CHECK(a.gold[1] >= a.nlabels);
    answers_release(&a);

    CHECK_EQ_INT(load(&a, 0, "item,worker,label\ni1,w1,a\n", "item,worker\ni1,a\n", &err),
                 TS_EINVAL);
    CHECK_EQ_STR(err.msg, "g.csv:1: the header must be \"item,label\"");
    answers_release(&a);
}

static void test_numeric_parse(void)
{
    static const struct {
        const char *s;
        int ok;
        double v;
    } cases[] = {{"1", 1, 1},      {"-2.5", 1, -2.5}, {"1e3", 1, 1000}, {".5", 1, 0.5},
                 {"5.", 1, 5},     {"+3", 1, 3},      {"0.1", 1, 0.1},  {"2.50E-1", 1, 0.25},
                 {"", 0, 0},       {"-", 0, 0},       {".", 0, 0},      {"1e", 0, 0},
                 {"abc", 0, 0},    {" 1", 0, 0},      {"1 ", 0, 0},     {"1e1000", 0, 0},
                 {"0x10", 0, 0},   {"nan", 0, 0},     {"inf", 0, 0},    {"1.2.3", 0, 0}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        double v = -12345;
        int rc = numeric_parse(cases[k].s, strlen(cases[k].s), &v);
        CHECK_EQ_INT(rc, cases[k].ok ? 0 : -1);
        if (cases[k].ok && v != cases[k].v)
            CHECK_EQ_STR(cases[k].s, "parsed to the wrong value");
    }
}

/* Item r: 1, 2, 6. Mean 3; s = sqrt((4 + 1 + 9) / 2) = sqrt 7; se = sqrt(7/3) = 1.52753;
 * confidence 1 / 2.52753 = 0.395644. Median 2; |deviations| 1, 0, 4, MAD 1;
 * se = 1.2533 * 1.4826 / sqrt 3 = 1.07280; confidence 1 / 2.07280 = 0.482439.
 * Item e: 1, 2, 3, 10: median 2.5. Item one: a single answer: confidence 0. */
static void test_mean_median(void)
{
    struct answers a;
    struct ts_error err = {0};
    double v[3], c[3];

    CHECK_EQ_INT(load(&a, 1,
                      "item,worker,label\nr,w1,1\nr,w2,2\nr,w3,6\n"
                      "e,w1,10\ne,w2,2\ne,w3,3\ne,w4,1\none,w1,4.5\n",
                      NULL, &err),
                 0);
    numeric_run(&a, 0, v, c);
    CHECK(fabs(v[0] - 3) < 1e-12);
    CHECK(fabs(c[0] - 0.395644) < 1e-6);
    CHECK(fabs(v[1] - 4) < 1e-12);
    CHECK(fabs(v[2] - 4.5) < 1e-12 && c[2] == 0);
    numeric_run(&a, 1, v, c);
    CHECK(fabs(v[0] - 2) < 1e-12);
    CHECK(fabs(c[0] - 0.482439) < 1e-6);
    CHECK(fabs(v[1] - 2.5) < 1e-12);
    CHECK(fabs(v[2] - 4.5) < 1e-12 && c[2] == 0);
    answers_release(&a);

    CHECK_EQ_INT(load(&a, 1, "item,worker,label\nr,w1,1\nr,w2,high\n", NULL, &err), TS_EINVAL);
    CHECK_EQ_STR(err.msg, "a.csv:3: label \"high\" is not a number");
    answers_release(&a);
}

CHECK_MAIN(test_csv_fields, test_csv_errors, test_intern, test_repeats, test_vote_ties,
           test_ds_spammer, test_ds_flipper, test_ds_sparse, test_gold, test_numeric_parse,
           test_mean_median)
