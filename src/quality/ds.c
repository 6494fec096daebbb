/* ds.c: Dawid–Skene EM over flat arrays. Each step walks the answer arrays once in file
 * order; a worker's matrices are stored transposed (x[w][l][k]) so that one answer
 * touches K consecutive doubles in both steps. The E-step multiplies probabilities
 * straight into post (with scaling against underflow) and normalises each row. */
#include "ds.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vote.h"
#include "../util/alloc.h"
#include "../util/banned.h"

#define DS_STRENGTH_MIN 1e-3
#define DS_STRENGTH_MAX 1e4
#define DS_STRENGTH_STEPS 3 /* fixed-point steps per M-step */
#define DS_TINY 1e-200
#define DS_SMOOTH_DEFAULT 1e-4 /* pseudo-answers per row: see ds.h */

void ds_opts_classic(struct ds_opts *o)
{
    memset(o, 0, sizeof *o);
    o->prior = DS_PRIOR_FLAT;
    o->smooth = DS_SMOOTH_DEFAULT;
    o->tol = 1e-5;
    o->max_iter = 100;
}

void ds_opts_hier(struct ds_opts *o)
{
    ds_opts_classic(o);
    o->prior = DS_PRIOR_POOLED;
    o->stop = DS_STOP_LOGLIK;
    o->smooth = 1;
    o->learn = 1;
}

/* The digamma function for x > 0: recurrence up to 6, then the asymptotic series
 * (error below 1e-10 there). */
static double ds_digamma(double x)
{
    double r = 0, f;
    while (x < 6) {
        r -= 1 / x;
        x += 1;
    }
    f = 1 / (x * x);
    return r + log(x) - 0.5 / x -
           f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f / 132))));
}

struct ds_state {
    size_t ni, nw, K;
    double *th;       /* [nw][K][K]: theta_w[k][l] at th[(w*K + l)*K + k] */
    double *cnt;      /* [nw][K][K]: expected answer counts, same layout */
    double *pool;     /* [K][K]: pooled row-normalised matrix, pool[l*K + k] */
    double *strength; /* [K]: prior strength per true class (POOLED) */
    double *pi;       /* [K] */
    uint32_t *scale;  /* [ni]: times the E-step scaled row i up by 1/DS_TINY */
    double *scratch;  /* [K] */
    uint32_t *nans;   /* [ni]: answers per item */
    double sumlogz;   /* the last E-step's sum over items of log Z_i */
    double prior_old; /* sum_k P_k log pi_old[k] (P_k = sum_i T_ik), set by the M-step */
    double x_old;     /* sum over workers and cells of C log theta_old, likewise */
};

/* x log y, with 0 when x is 0 (the limit; keeps 0 * log 0 out). */
static double ds_xlogy(double x, double y)
{
    return x > 0 && y > 0 ? x * log(y) : 0;
}

/* pi[k] = the mean posterior of the items with answers (a clamped item counts as its
 * known label). No pseudo-items: a class nobody ends up in gets pi 0, which the E-step
 * handles (its posterior is 0). Before overwriting pi, keeps sum_k P_k log pi_old[k]
 * for the objective. */
static void ds_prior_classes(const struct ds_opts *o, struct ds_state *s, const double *post)
{
    size_t K = s->K;
    double *p = s->scratch, tot = 0;

    for (size_t k = 0; k < K; k++)
        p[k] = 0;
    for (size_t i = 0; i < s->ni; i++) {
        if (o->clamp && o->clamp[i] < K)
            p[o->clamp[i]] += 1;
        else if (s->nans[i])
            for (size_t k = 0; k < K; k++)
                p[k] += post[i * K + k];
    }
    s->prior_old = 0;
    for (size_t k = 0; k < K; k++) {
        s->prior_old += ds_xlogy(p[k], s->pi[k]);
        tot += p[k];
    }
    for (size_t k = 0; k < K; k++)
        s->pi[k] = tot > 0 ? p[k] / tot : 1 / (double)K;
}

/* The per-answer loop of the M-step, inlined with K constant for small K so the
 * compiler unrolls it (this and ds_multiply are where EM spends its time). */
static inline __attribute__((always_inline)) void
ds_counts_k(const struct answers *a, const struct ds_opts *o, struct ds_state *s,
            const double *post, size_t K)
{
    for (size_t j = 0; j < a->n; j++) {
        double *c = s->cnt + ((size_t)a->worker[j] * K + a->label[j]) * K;
        uint32_t i = a->item[j];
        const double *q = post + (size_t)i * K;
        if (o->clamp && o->clamp[i] < K) {
            c[o->clamp[i]] += 1;
            continue;
        }
        for (size_t k = 0; k < K; k++)
            c[k] += q[k];
    }
}

static void ds_counts(const struct answers *a, const struct ds_opts *o, struct ds_state *s,
                      const double *post)
{
    memset(s->cnt, 0, st_mult(s->nw, s->K * s->K) * sizeof *s->cnt);
    switch (s->K) {
    case 2: ds_counts_k(a, o, s, post, 2); break;
    case 3: ds_counts_k(a, o, s, post, 3); break;
    case 4: ds_counts_k(a, o, s, post, 4); break;
    default: ds_counts_k(a, o, s, post, s->K); break;
    }
}

/* pool[l][k] = (sum over workers of cnt + 1) / (row total + K): never zero. */
static void ds_pool(struct ds_state *s)
{
    size_t K = s->K, KK = K * K;

    for (size_t x = 0; x < KK; x++)
        s->pool[x] = 1;
    for (size_t w = 0; w < s->nw; w++)
        for (size_t x = 0; x < KK; x++)
            s->pool[x] += s->cnt[w * KK + x];
    for (size_t k = 0; k < K; k++) {
        double row = 0;
        for (size_t l = 0; l < K; l++)
            row += s->pool[l * K + k];
        for (size_t l = 0; l < K; l++)
            s->pool[l * K + k] /= row;
    }
}

/* One step of Minka's fixed point for the precision s_k of a Dirichlet with mean
 * pool[.][k], treating each worker's (soft) counts in row k as one draw:
 * s' = s * sum_w sum_l m_l (psi(c_wl + s m_l) - psi(s m_l)) / sum_w (psi(n_w + s) - psi(s)).
 * Rows with (almost) no mass add nothing to either sum. */
static void ds_learn_strength(struct ds_state *s)
{
    size_t K = s->K, KK = K * K;

    for (size_t k = 0; k < K; k++) {
        double s0 = s->strength[k], num = 0, den = 0, psi_s = ds_digamma(s0);
        double *psi_m = s->scratch;
        for (size_t l = 0; l < K; l++)
            psi_m[l] = ds_digamma(s0 * s->pool[l * K + k]);
        for (size_t w = 0; w < s->nw; w++) {
            const double *c = s->cnt + w * KK;
            double n = 0;
            for (size_t l = 0; l < K; l++) {
                double m = s->pool[l * K + k], x = c[l * K + k];
                n += x;
                if (x > 1e-6)
                    num += m * (ds_digamma(x + s0 * m) - psi_m[l]);
            }
            if (n > 1e-6)
                den += ds_digamma(n + s0) - psi_s;
        }
        if (num > 0 && den > 0) {
            double v = s0 * num / den;
            s->strength[k] = v < DS_STRENGTH_MIN ? DS_STRENGTH_MIN
                             : v > DS_STRENGTH_MAX ? DS_STRENGTH_MAX
                                                   : v;
        }
    }
}

/* Returns sum_{w,l,k} C log theta + sum_k A_k log pi for the new parameters, where C are
 * the expected counts (before pseudo-counts) and A_k = sum_{w,l} C[w][l][k]: the part of
 * the objective (see ds_run) that depends on them. Also sets s->x_old from the matrices it
 * replaces (meaningful when they came from the E-step that produced post). */
static double ds_mstep(const struct answers *a, const struct ds_opts *o, struct ds_state *s,
                       const double *post)
{
    size_t K = s->K, KK = K * K;
    double *alpha = s->pool; /* becomes the per-cell pseudo-counts, alpha[l*K + k] */
    double *acc = s->scratch + K, x_new = 0, x_old = 0, pr = 0;

    ds_prior_classes(o, s, post);
    ds_counts(a, o, s, post);
    if (o->prior == DS_PRIOR_POOLED) {
        ds_pool(s);
        for (int r = 0; o->learn && r < DS_STRENGTH_STEPS; r++)
            ds_learn_strength(s);
        for (size_t l = 0; l < K; l++)
            for (size_t k = 0; k < K; k++)
                alpha[l * K + k] *= s->strength[k];
    } else {
        for (size_t x = 0; x < KK; x++)
            alpha[x] = o->smooth / (double)K;
    }
    for (size_t k = 0; k < K; k++)
        acc[k] = 0;
    for (size_t w = 0; w < s->nw; w++) {
        double *c = s->cnt + w * KK, *th = s->th + w * KK, *row = s->scratch;
        for (size_t k = 0; k < K; k++)
            row[k] = 0;
        for (size_t x = 0; x < KK; x++) {
            acc[x % K] += c[x];
            row[x % K] += c[x] + alpha[x];
        }
        for (size_t x = 0; x < KK; x++) {
            double t = (c[x] + alpha[x]) / row[x % K];
            x_old += ds_xlogy(c[x], th[x]);
            x_new += ds_xlogy(c[x], t);
            th[x] = t;
        }
    }
    for (size_t k = 0; k < K; k++)
        pr += ds_xlogy(acc[k], s->pi[k]);
    s->x_old = x_old;
    return x_new + pr;
}

/* The per-answer loop of the E-step (see ds_counts_k). */
static inline __attribute__((always_inline)) void
ds_multiply_k(const struct answers *a, struct ds_state *s, double *post, size_t K)
{
    for (size_t j = 0; j < a->n; j++) {
        const double *th = s->th + ((size_t)a->worker[j] * K + a->label[j]) * K;
        double *q = post + (size_t)a->item[j] * K, m = 0;
        for (size_t k = 0; k < K; k++) {
            q[k] *= th[k];
            m = q[k] > m ? q[k] : m;
        }
        if (m < DS_TINY) {
            for (size_t k = 0; k < K; k++)
                q[k] /= DS_TINY;
            s->scale[a->item[j]]++;
        }
    }
}

/* Returns the mean log-likelihood per answer. Works with probabilities, not logs, to
 * spare an exp per item and class: a row whose largest entry falls below DS_TINY is
 * scaled up by 1/DS_TINY (counted in s->scale) so long items cannot underflow; one
 * answer multiplies by at least ~1e-16, so a row never jumps from DS_TINY to zero. */
static double ds_estep(const struct answers *a, struct ds_state *s, double *post)
{
    size_t K = s->K;
    double ll = 0;

    for (size_t i = 0; i < s->ni; i++)
        memcpy(post + i * K, s->pi, K * sizeof *post);
    memset(s->scale, 0, s->ni * sizeof *s->scale);
    switch (K) {
    case 2: ds_multiply_k(a, s, post, 2); break;
    case 3: ds_multiply_k(a, s, post, 3); break;
    case 4: ds_multiply_k(a, s, post, 4); break;
    default: ds_multiply_k(a, s, post, K); break;
    }
    for (size_t i = 0; i < s->ni; i++) {
        double *q = post + i * K, sum = 0;
        for (size_t k = 0; k < K; k++)
            sum += q[k];
        for (size_t k = 0; k < K; k++)
            q[k] /= sum;
        ll += log(sum) + s->scale[i] * log(DS_TINY);
    }
    s->sumlogz = ll;
    return a->n ? ll / (double)a->n : 0;
}

/* The entropy of the posteriors of the items with answers. Without clamping it follows
 * from the E-step: log T_ik = log pi_k + sum of log theta over i's answers - log Z_i, so
 * H = sum_i log Z_i - sum_k P_k log pi_old[k] - sum C log theta_old, with no log per
 * item; with clamping C is not the E-step's, so it is summed directly. */
static double ds_entropy(const struct ds_opts *o, const struct ds_state *s, const double *post)
{
    double h = 0;

    if (!o->clamp)
        return s->sumlogz - s->prior_old - s->x_old;
    for (size_t i = 0; i < s->ni; i++)
        for (size_t k = 0; s->nans[i] && k < s->K; k++)
            h -= ds_xlogy(post[i * s->K + k], post[i * s->K + k]);
    return h;
}

void ds_run(const struct answers *a, const struct ds_opts *o, double *post,
            struct ds_info *info)
{
    struct ds_state s;
    double prev = -HUGE_VAL, prev_ll = -HUGE_VAL;

    s.ni = a->items.n;
    s.nw = a->workers.n;
    s.K = a->nlabels;
    s.th = xmalloc_array(st_mult(s.nw, s.K * s.K), sizeof *s.th);
    s.cnt = xmalloc_array(st_mult(s.nw, s.K * s.K), sizeof *s.cnt);
    s.pool = xmalloc_array(s.K * s.K, sizeof *s.pool);
    s.strength = xmalloc_array(s.K, sizeof *s.strength);
    s.pi = xmalloc_array(s.K, sizeof *s.pi);
    s.scale = xmalloc_array(s.ni, sizeof *s.scale);
    s.scratch = xmalloc_array(st_mult(s.K, 2), sizeof *s.scratch);
    s.nans = xmalloc_array(s.ni, sizeof *s.nans);
    answers_count_items(a, s.nans);
    for (size_t k = 0; k < s.K; k++)
        s.strength[k] = o->smooth;

    if (!o->warm)
        vote_soft(a, post);
    memset(info, 0, sizeof *info);
    for (size_t k = 0; k < s.K; k++)
        s.pi[k] = 0;
    memset(s.th, 0, st_mult(s.nw, s.K * s.K) * sizeof *s.th);
    ds_mstep(a, o, &s, post);
    for (int it = 1; it <= o->max_iter; it++) {
        double q;
        info->loglik = ds_estep(a, &s, post);
        info->iters = it;
        q = ds_mstep(a, o, &s, post);
        q = (q + ds_entropy(o, &s, post)) / (double)(a->n ? a->n : 1);
        info->objective = q;
        if (o->stop == DS_STOP_OBJECTIVE ? q - prev < o->tol
                                         : fabs(info->loglik - prev_ll) < o->tol) {
            info->converged = 1;
            break;
        }
        prev = q;
        prev_ll = info->loglik;
    }
    info->strength_lo = info->strength_hi = o->prior == DS_PRIOR_POOLED ? s.strength[0] : o->smooth;
    for (size_t k = 0; o->prior == DS_PRIOR_POOLED && k < s.K; k++) {
        info->strength_lo = s.strength[k] < info->strength_lo ? s.strength[k] : info->strength_lo;
        info->strength_hi = s.strength[k] > info->strength_hi ? s.strength[k] : info->strength_hi;
    }
    free(s.th);
    free(s.cnt);
    free(s.pool);
    free(s.strength);
    free(s.pi);
    free(s.scale);
    free(s.scratch);
    free(s.nans);
}
