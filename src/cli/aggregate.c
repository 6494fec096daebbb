/* aggregate.c: `tessera aggregate`: truth inference on files. Reads ANSWERS.csv
 * (item,worker,label) and optionally GOLD.csv (item,label), runs one method from
 * quality/, and prints item,label,confidence for every item in order of first appearance.
 * Everything is read and checked before the first byte goes to stdout, so malformed input
 * leaves stdout empty. docs/quality.md describes the methods and the measurements. */
#include "cli.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../quality/answers.h"
#include "../quality/csv.h"
#include "../quality/ds.h"
#include "../quality/numeric.h"
#include "../quality/replay.h"
#include "../quality/vote.h"
#include "../util/alloc.h"
#include "../util/parse.h"
#include "../util/banned.h"

enum agg_method { AGG_MV, AGG_DS, AGG_HDS, AGG_MEAN, AGG_MEDIAN };

static const struct {
    const char *name;
    enum agg_method m;
} agg_methods[] = {{"mv", AGG_MV},     {"ds", AGG_DS},         {"hds", AGG_HDS},
                   {"mean", AGG_MEAN}, {"median", AGG_MEDIAN}};

#define AGG_DEFAULT AGG_DS /* docs/quality.md says why not hds */

struct agg_opts {
    enum agg_method method;
    const char *answers, *gold;
    int gold_train;
    int simulate;         /* --simulate-overlap */
    int verbose;          /* --verbose: EM statistics to stderr */
    int last_answer;      /* --last-answer: a repeated (item, worker) pair keeps its last */
    int64_t seed;         /* --seed, for --simulate-overlap */
    struct ds_opts ds;
    double tol, smooth;   /* < 0: the method's default */
    int64_t max_iter;     /* < 0: the method's default */
};

static int agg_number(const char *opt, const char *v, double lo, double hi, double *out)
{
    if (numeric_parse(v, strlen(v), out) || !(*out >= lo && *out <= hi)) {
        fprintf(stderr, "tessera aggregate: %s must be a number in [%g, %g], not \"%s\"\n",
                opt, lo, hi, v);
        return -1;
    }
    return 0;
}

static int agg_method_named(const char *v, enum agg_method *m)
{
    for (size_t k = 0; k < sizeof agg_methods / sizeof agg_methods[0]; k++)
        if (strcmp(v, agg_methods[k].name) == 0) {
            *m = agg_methods[k].m;
            return 0;
        }
    fprintf(stderr, "tessera aggregate: unknown method \"%s\" (ds, hds, mv, mean, median)\n",
            v);
    return -1;
}

static int agg_set_method(void *ctx, const char *v)
{
    return agg_method_named(v, &((struct agg_opts *)ctx)->method);
}

static int agg_set_gold(void *ctx, const char *v)
{
    ((struct agg_opts *)ctx)->gold = v;
    return 0;
}

static int agg_set_gold_train(void *ctx, const char *v)
{
    (void)v;
    ((struct agg_opts *)ctx)->gold_train = 1;
    return 0;
}

static int agg_set_tol(void *ctx, const char *v)
{
    return agg_number("--tol", v, 0, 1, &((struct agg_opts *)ctx)->tol);
}

static int agg_set_smooth(void *ctx, const char *v)
{
    return agg_number("--smooth", v, 1e-9, 1e9, &((struct agg_opts *)ctx)->smooth);
}

static int agg_set_max_iter(void *ctx, const char *v)
{
    if (parse_i64(v, strlen(v), 1, 1000000, &((struct agg_opts *)ctx)->max_iter)) {
        fprintf(stderr, "tessera aggregate: --max-iter must be a whole number in [1, 1000000], "
                        "not \"%s\"\n", v);
        return -1;
    }
    return 0;
}

static int agg_set_seed(void *ctx, const char *v)
{
    if (parse_i64(v, strlen(v), 0, INT64_MAX, &((struct agg_opts *)ctx)->seed)) {
        fprintf(stderr, "tessera aggregate: --seed must be a whole number >= 0, not \"%s\"\n", v);
        return -1;
    }
    return 0;
}

static int agg_set_simulate(void *ctx, const char *v)
{
    (void)v;
    ((struct agg_opts *)ctx)->simulate = 1;
    return 0;
}

static int agg_set_verbose(void *ctx, const char *v)
{
    (void)v;
    ((struct agg_opts *)ctx)->verbose = 1;
    return 0;
}

static int agg_set_last_answer(void *ctx, const char *v)
{
    (void)v;
    ((struct agg_opts *)ctx)->last_answer = 1;
    return 0;
}

static const struct cli_opt agg_opts_table[] = {
    {"--method", "M", "ds (the default), hds, mv, mean or median: docs/quality.md",
     agg_set_method},
    {"--gold", "GOLD.csv", "known labels (item,label): accuracy on them to stderr",
     agg_set_gold},
    {"--gold-for-training", NULL, "also let the method learn from the gold labels",
     agg_set_gold_train},
    {"--tol", "X", "ds/hds: stop when the log-likelihood moves less than X", agg_set_tol},
    {"--max-iter", "N", "ds/hds: at most N EM iterations", agg_set_max_iter},
    {"--smooth", "X", "ds/hds: a fixed prior strength instead of a learned one",
     agg_set_smooth},
    {"--last-answer", NULL, "a repeated (item, worker) pair keeps its last answer",
     agg_set_last_answer},
    {"--verbose", NULL, "EM statistics to stderr", agg_set_verbose},
    {"--simulate-overlap", NULL, "accuracy at each overlap, replayed from the answers",
     agg_set_simulate},
    {"--seed", "N", "--simulate-overlap: the replay's random seed", agg_set_seed},
    {NULL, NULL, NULL, NULL},
};

static const struct cli_opt *const agg_tables[] = {agg_opts_table, NULL};

static const struct cli_usage agg_usage = {
    "aggregate",
    "[options] ANSWERS.csv\n"
    "--simulate-overlap [--seed N] [--method M] --gold GOLD.csv ANSWERS.csv",
    agg_tables,
    "ANSWERS.csv has the header item,worker,label; GOLD.csv item,label. Prints\n"
    "item,label,confidence for every item, in order of first appearance; with --gold\n"
    "also the accuracy on gold to stderr. The default method is ds. See docs/quality.md.\n"};

/* Returns 0, or the exit status for a usage error (2) or a help request (-1 -> 0). */
static int agg_parse(int argc, char **argv, struct agg_opts *o)
{
    int rc;

    memset(o, 0, sizeof *o);
    o->method = AGG_DEFAULT;
    o->tol = o->smooth = -1;
    o->max_iter = -1;
    rc = cli_parse(&agg_usage, o, 0, &argc, argv);
    if (rc)
        return rc == CLI_HELP ? -1 : rc;
    if (argc > 2) {
        fprintf(stderr, "tessera aggregate: one ANSWERS.csv only (got \"%s\" and \"%s\")\n",
                argv[1], argv[2]);
        return 2;
    }
    if (argc == 2)
        o->answers = argv[1];
    if (!o->answers) {
        fprintf(stderr, "tessera aggregate: no ANSWERS.csv given\n");
        cli_usage_print(&agg_usage, stderr);
        return 2;
    }
    if (o->gold_train && !o->gold) {
        fprintf(stderr, "tessera aggregate: --gold-for-training needs --gold GOLD.csv\n");
        return 2;
    }
    if (o->simulate && (!o->gold || o->gold_train || o->method >= AGG_MEAN)) {
        fprintf(stderr, "tessera aggregate: --simulate-overlap needs --gold, a categorical "
                        "method and no --gold-for-training\n");
        return 2;
    }
    if (o->method == AGG_MV || o->method >= AGG_MEAN) {
        if (o->tol >= 0 || o->max_iter >= 0 || o->smooth >= 0) {
            fprintf(stderr, "tessera aggregate: --tol, --max-iter and --smooth apply to "
                            "hds and ds only\n");
            return 2;
        }
    }
    if (o->method == AGG_DS)
        ds_opts_classic(&o->ds);
    else
        ds_opts_hier(&o->ds);
    if (o->tol >= 0)
        o->ds.tol = o->tol;
    if (o->smooth >= 0) {
        o->ds.smooth = o->smooth;
        o->ds.learn = 0; /* a given strength is kept, not learned */
    }
    if (o->max_iter >= 0)
        o->ds.max_iter = (int)o->max_iter;
    return 0;
}

/* Reads a file into *text and parses it (gold = 0: answers). Prints errors. */
static int agg_load(struct answers *a, const char *path, int gold, char **text)
{
    struct ts_error err = {0};
    size_t n;
    int rc = csv_load_file(path, text, &n, &err);

    if (!rc)
        rc = gold ? answers_read_gold(a, *text, n, path, &err)
                  : answers_read(a, *text, n, path, &err);
    if (rc)
        fprintf(stderr, "tessera aggregate: %s\n", err.msg);
    return rc;
}

/* A CSV field, quoted when it holds a comma, a quote or a line break. */
static void agg_field(FILE *f, const char *s, size_t n)
{
    if (strcspn(s, ",\"\r\n") >= n) {
        fwrite(s, 1, n, f);
        return;
    }
    putc('"', f);
    for (size_t k = 0; k < n; k++) {
        if (s[k] == '"')
            putc('"', f);
        putc(s[k], f);
    }
    putc('"', f);
}

static void agg_gold_categorical(const struct answers *a, const uint32_t *label, int trained)
{
    size_t ok = 0, L = a->labels.n;
    size_t *tp = xcalloc(L, sizeof *tp), *fp = xcalloc(L, sizeof *fp),
           *fn = xcalloc(L, sizeof *fn);

    for (size_t i = 0; i < a->items.n; i++) {
        uint32_t g = a->gold[i];
        if (g == INTERN_NONE)
            continue;
        if (label[i] == g) {
            ok++;
            tp[g]++;
        } else {
            fp[label[i]]++;
            fn[g]++;
        }
    }
    if (!a->gold_items)
        fprintf(stderr, "gold: no gold item has answers\n");
    else
        fprintf(stderr, "gold: accuracy %.4f (%zu of %zu gold items with answers)%s\n",
                (double)ok / (double)a->gold_items, ok, a->gold_items,
                trained ? " [trained on this gold: optimistic]" : "");
    for (uint32_t l = 0; l < L && a->gold_items; l++) {
        double p = tp[l] + fp[l] ? (double)tp[l] / (double)(tp[l] + fp[l]) : 0;
        double r = tp[l] + fn[l] ? (double)tp[l] / (double)(tp[l] + fn[l]) : 0;
        fputs("gold: label ", stderr);
        agg_field(stderr, intern_str(&a->labels, l), intern_len(&a->labels, l));
        fprintf(stderr, ": precision %.4f recall %.4f F1 %.4f (%zu gold)\n", p, r,
                p + r > 0 ? 2 * p * r / (p + r) : 0, tp[l] + fn[l]);
    }
    if (a->gold_unknown)
        fprintf(stderr, "gold: %zu rows for items without answers ignored\n", a->gold_unknown);
    free(tp);
    free(fp);
    free(fn);
}

static void agg_gold_numeric(const struct answers *a, const double *value)
{
    double ae = 0, se = 0;

    for (size_t i = 0; i < a->items.n; i++) {
        double d;
        if (a->gold[i] == INTERN_NONE)
            continue;
        d = value[i] - a->value[a->gold[i]];
        ae += fabs(d);
        se += d * d;
    }
    if (!a->gold_items)
        fprintf(stderr, "gold: no gold item has answers\n");
    else
        fprintf(stderr, "gold: mean absolute error %.6g, root mean square error %.6g "
                        "(%zu gold items with answers)\n",
                ae / (double)a->gold_items, sqrt(se / (double)a->gold_items), a->gold_items);
    if (a->gold_unknown)
        fprintf(stderr, "gold: %zu rows for items without answers ignored\n", a->gold_unknown);
}

/* Runs a categorical method into label[] and conf[]. */
static void agg_categorical(const struct answers *a, const struct agg_opts *o, uint32_t *label,
                            double *conf)
{
    double *post;
    struct ds_info info;
    struct ds_opts ds = o->ds;

    if (o->method == AGG_MV) {
        vote_run(a, label, conf);
        return;
    }
    post = xmalloc_array(st_mult(a->items.n, a->nlabels), sizeof *post);
    if (o->gold_train)
        ds.clamp = a->gold;
    ds_run(a, &ds, post, &info);
    vote_pick_all(a, post, label, conf);
    if (o->verbose)
        fprintf(stderr,
                "em: %d iterations, %s, log-likelihood per answer %.6f, objective %.6f, "
                "prior strength %.3g..%.3g\n",
                info.iters, info.converged ? "converged" : "stopped at --max-iter",
                info.loglik, info.objective, info.strength_lo, info.strength_hi);
    free(post);
}

static int agg_print(const struct answers *a, const struct agg_opts *o, const uint32_t *label,
                     const double *value, const double *conf)
{
    static char obuf[1 << 16];

    setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
    fputs("item,label,confidence\n", stdout);
    for (size_t i = 0; i < a->items.n; i++) {
        uint32_t g = o->gold_train ? a->gold[i] : INTERN_NONE;
        agg_field(stdout, intern_str(&a->items, (uint32_t)i), intern_len(&a->items, (uint32_t)i));
        putchar(',');
        if (g != INTERN_NONE)
            agg_field(stdout, intern_str(&a->labels, g), intern_len(&a->labels, g));
        else if (value)
            printf("%.15g", value[i]);
        else
            agg_field(stdout, intern_str(&a->labels, label[i]), intern_len(&a->labels, label[i]));
        printf(",%.6f\n", g != INTERN_NONE ? 1.0 : conf[i]);
    }
    if (fflush(stdout) || ferror(stdout)) {
        fprintf(stderr, "tessera aggregate: cannot write the output\n");
        return 1;
    }
    return 0;
}

int cli_aggregate(int argc, char **argv)
{
    struct agg_opts o;
    struct answers a;
    char *text = NULL, *gtext = NULL;
    uint32_t *label = NULL;
    double *conf = NULL, *value = NULL;
    int numeric, rc = agg_parse(argc, argv, &o);

    if (rc)
        return rc < 0 ? 0 : rc;
    numeric = o.method == AGG_MEAN || o.method == AGG_MEDIAN;
    answers_init(&a, numeric);
    a.last_only = o.last_answer;
    rc = agg_load(&a, o.answers, 0, &text);
    if (!rc && o.gold)
        rc = agg_load(&a, o.gold, 1, &gtext);
    if (rc) {
        rc = 1;
        goto out;
    }
    if (o.simulate) {
        struct replay_opts ro = {o.method == AGG_MV ? NULL : &o.ds, (uint64_t)o.seed};
        rc = replay_overlap(&a, &ro, stdout) ? 1 : 0;
        goto out;
    }
    conf = xmalloc_array(a.items.n, sizeof *conf);
    if (numeric) {
        value = xmalloc_array(a.items.n, sizeof *value);
        numeric_run(&a, o.method == AGG_MEDIAN, value, conf);
        if (o.gold)
            agg_gold_numeric(&a, value);
    } else {
        label = xmalloc_array(a.items.n, sizeof *label);
        agg_categorical(&a, &o, label, conf);
        if (o.gold)
            agg_gold_categorical(&a, label, o.gold_train);
    }
    rc = agg_print(&a, &o, label, value, conf);
out:
    free(label);
    free(conf);
    free(value);
    free(text);
    free(gtext);
    answers_release(&a);
    return rc;
}
