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

static void agg_usage(FILE *f)
{
    fputs("usage: tessera aggregate [--method ds|hds|mv|mean|median] [--gold GOLD.csv]\n"
          "                         [--gold-for-training] [--tol X] [--max-iter N]\n"
          "                         [--smooth X] [--last-answer] [--verbose] ANSWERS.csv\n"
          "       tessera aggregate --simulate-overlap [--seed N] [--method ...]\n"
          "                         --gold GOLD.csv ANSWERS.csv\n"
          "ANSWERS.csv has the header item,worker,label; GOLD.csv item,label. Prints\n"
          "item,label,confidence for every item, in order of first appearance; with --gold\n"
          "also the accuracy on gold to stderr. The default method is ds. See docs/quality.md.\n",
          f);
}

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

/* One option with a value at argv[*i]; 1 when it was one of ours, -1 on error. */
static int agg_valued(int argc, char **argv, int *i, struct agg_opts *o)
{
    static const char *const valued[] = {"--method", "--gold",  "--tol",
                                         "--max-iter", "--smooth", "--seed"};
    const char *a = argv[*i], *v;
    size_t k, nv = sizeof valued / sizeof valued[0];

    for (k = 0; k < nv && strcmp(a, valued[k]) != 0; k++)
        ;
    if (k == nv)
        return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "tessera aggregate: %s needs a value\n", a);
        return -1;
    }
    v = argv[++*i];
    if (k == 0)
        return agg_method_named(v, &o->method) ? -1 : 1;
    if (k == 1) {
        o->gold = v;
        return 1;
    }
    if (k == 2)
        return agg_number(a, v, 0, 1, &o->tol) ? -1 : 1;
    if (k == 4)
        return agg_number(a, v, 1e-9, 1e9, &o->smooth) ? -1 : 1;
    if (parse_i64(v, strlen(v), k == 3 ? 1 : 0, k == 3 ? 1000000 : INT64_MAX,
                  k == 3 ? &o->max_iter : &o->seed)) {
        fprintf(stderr, "tessera aggregate: %s must be a whole number%s, not \"%s\"\n", a,
                k == 3 ? " in [1, 1000000]" : " >= 0", v);
        return -1;
    }
    return 1;
}

/* Returns 0, or the exit status for a usage error (2) or a help request (-1 -> 0). */
static int agg_parse(int argc, char **argv, struct agg_opts *o)
{
    int only_files = 0;

    memset(o, 0, sizeof *o);
    o->method = AGG_DEFAULT;
    o->tol = o->smooth = -1;
    o->max_iter = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int r;
        if (!only_files && a[0] == '-' && a[1] != '\0') {
            if (strcmp(a, "--") == 0) {
                only_files = 1;
                continue;
            }
            if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
                agg_usage(stdout);
                return -1;
            }
            if (strcmp(a, "--gold-for-training") == 0) {
                o->gold_train = 1;
                continue;
            }
            if (strcmp(a, "--simulate-overlap") == 0) {
                o->simulate = 1;
                continue;
            }
            if (strcmp(a, "--verbose") == 0) {
                o->verbose = 1;
                continue;
            }
            if (strcmp(a, "--last-answer") == 0) {
                o->last_answer = 1;
                continue;
            }
            r = agg_valued(argc, argv, &i, o);
            if (r < 0)
                return 2;
            if (r > 0)
                continue;
            fprintf(stderr, "tessera aggregate: unknown option \"%s\"\n", a);
            agg_usage(stderr);
            return 2;
        }
        if (o->answers) {
            fprintf(stderr, "tessera aggregate: one ANSWERS.csv only (got \"%s\" and \"%s\")\n",
                    o->answers, a);
            return 2;
        }
        o->answers = a;
    }
    if (!o->answers) {
        fprintf(stderr, "tessera aggregate: no ANSWERS.csv given\n");
        agg_usage(stderr);
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
