/* ds.h: Dawid–Skene truth inference (Dawid & Skene 1979): every worker w has a confusion
 * matrix theta_w[k][l] = P(w answers l | the truth is k), the classes have a prior pi[k],
 * and EM alternates the posterior of each item's truth (E-step) with the maximum a
 * posteriori parameters (M-step), starting from the soft majority vote.
 *
 * Each row theta_w[k][.] has a Dirichlet prior, which is what keeps a worker with one
 * answer from getting a degenerate matrix. Two priors:
 * - DS_PRIOR_FLAT (`ds`, the default method): `smooth` pseudo-answers spread evenly over
 *   the row. The default, 1e-4, is negligible next to one real answer, so the estimates
 *   are classic DS's; its job is to keep every cell positive (no log 0, no 0/0 for a row
 *   without mass). With the class prior as the plain mean posterior and
 *   DS_STOP_OBJECTIVE this is DS as crowd-kit 1.4.1 computes it, to rounding.
 * - DS_PRIOR_POOLED (`hds`): the prior mean is the pooled confusion
 *   matrix of all workers and its strength s_k (pseudo-answers per row of class k) is
 *   learned from the data by empirical Bayes (Minka's fixed point for the Dirichlet
 *   precision, one step per EM iteration), so a sparse worker looks like the crowd and a
 *   busy one like itself. docs/quality.md has the formulas. */
#ifndef TS_QUALITY_DS_H
#define TS_QUALITY_DS_H
#include <stdint.h>

#include "answers.h"

enum ds_prior { DS_PRIOR_FLAT, DS_PRIOR_POOLED };

/* What the tolerance is tested on after each iteration (E-step, then M-step):
 * - DS_STOP_OBJECTIVE (`ds`): crowd-kit's stopping quantity, per answer,
 *   [sum over answers and k of T_ik (log theta_w[k][l] + log pi_k) + sum_i H(T_i)] / n
 *   with the new parameters and the posteriors T they were fitted to (note the class
 *   prior counted once per answer, as crowd-kit does); stop when it rises by less than
 *   tol (or falls).
 * - DS_STOP_LOGLIK (`hds`): |change| of the mean log-likelihood per answer < tol (the
 *   objective above drifts with hds's learned prior strengths and would not settle). */
enum ds_stop { DS_STOP_OBJECTIVE, DS_STOP_LOGLIK };

struct ds_opts {
    enum ds_prior prior;
    double smooth;         /* FLAT: pseudo-answers per row; POOLED: the (starting) strength */
    int learn;             /* POOLED: learn the strength per class (else keep `smooth`) */
    enum ds_stop stop;
    double tol;            /* stop when the mean log-likelihood per answer moves less */
    int max_iter;          /* at most this many EM iterations (>= 1) */
    const uint32_t *clamp; /* NULL, or per item a known label id (< nlabels), else
                              INTERN_NONE: the M-step takes that item's truth as known
                              (--gold-for-training); its posterior is still computed
                              from its answers alone */
    int warm;              /* 1: post already holds the starting posterior */
};

/* The defaults of `--method ds` and of `--method hds`. */
void ds_opts_classic(struct ds_opts *o);
void ds_opts_hier(struct ds_opts *o);

struct ds_info {
    int iters;                   /* EM iterations run */
    int converged;               /* 1 when tol was met before max_iter */
    double loglik;               /* final mean log-likelihood per answer */
    double objective;            /* the last value of the stopping objective (ds_run) */
    double strength_lo, strength_hi; /* the prior strengths used in the last M-step */
};

/* Runs EM on a's answers. post[items.n * nlabels] receives the posterior (row i: item
 * i's truth); it is also the starting point when o->warm. Items without answers (only on
 * a subset) get the class prior. Cannot fail; allocates O(workers * K^2) scratch. */
void ds_run(const struct answers *a, const struct ds_opts *o, double *post,
            struct ds_info *info);

#endif
