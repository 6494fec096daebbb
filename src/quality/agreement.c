/* agreement.c: both statistics from the item-by-label count table n_uc.
 *
 * Krippendorff's alpha, nominal: with m_u answers on item u and n_c = sum over items of
 * n_uc, alpha = 1 - (n - 1) * sum_u (m_u^2 - sum_c n_uc^2) / (m_u - 1)
 *                   / (n^2 - sum_c n_c^2).
 * Fleiss' kappa with m_u raters per item: P_u = (sum_c n_uc^2 - m_u) / (m_u (m_u - 1)),
 * P = mean of P_u, p_c = n_c / n, Pe = sum_c p_c^2, kappa = (P - Pe) / (1 - Pe). */
#include "agreement.h"
#include <math.h>
#include <stdlib.h>
#include "../util/alloc.h"
#include "../util/banned.h"

void agreement_compute(const size_t *item, const size_t *label, size_t n, size_t n_items,
                       size_t n_labels, struct agreement *out)
{
    size_t cells = st_mult(n_items, n_labels);
    double *cnt = xcalloc(cells ? cells : 1, sizeof *cnt);
    double *m = xcalloc(n_items ? n_items : 1, sizeof *m);
    double *nc = xcalloc(n_labels ? n_labels : 1, sizeof *nc);
    double disagree = 0, p_sum = 0, total = 0, sq = 0;

    out->items = out->answers = 0;
    out->alpha = out->kappa = NAN;
    for (size_t i = 0; i < n; i++) {
        cnt[item[i] * n_labels + label[i]] += 1;
        m[item[i]] += 1;
    }
    for (size_t u = 0; u < n_items; u++) {
        double s2 = 0;
        if (m[u] < 2)
            continue;
        for (size_t c = 0; c < n_labels; c++) {
            double x = cnt[u * n_labels + c];
            s2 += x * x;
            nc[c] += x;
        }
        disagree += (m[u] * m[u] - s2) / (m[u] - 1);
        p_sum += (s2 - m[u]) / (m[u] * (m[u] - 1));
        total += m[u];
        out->items++;
    }
    out->answers = (size_t)total;
    if (out->items == 0)
        goto out;
    for (size_t c = 0; c < n_labels; c++)
        sq += nc[c] * nc[c];
    if (total * total - sq > 0) {
        double pe = sq / (total * total);
        out->alpha = 1 - (total - 1) * disagree / (total * total - sq);
        out->kappa = (p_sum / (double)out->items - pe) / (1 - pe);
    }
out:
    free(cnt);
    free(m);
    free(nc);
}
