/* agreement.h: chance-corrected agreement of a set of labelled items: Krippendorff's
 * alpha (nominal) and Fleiss' kappa, in the form that allows a different number of
 * answers per item (docs/quality.md). Items with fewer than two answers do not count. */
#ifndef TS_AGREEMENT_H
#define TS_AGREEMENT_H
#include <stddef.h>

struct agreement {
    size_t items;   /* items with at least two answers */
    size_t answers; /* answers on those items */
    double alpha;   /* NAN when undefined (no item, or only one label in all answers) */
    double kappa;   /* NAN when undefined */
};

/* item[i] and label[i] are the item and label index of answer i (items < n_items,
 * labels < n_labels). */
void agreement_compute(const size_t *item, const size_t *label, size_t n, size_t n_items,
                       size_t n_labels, struct agreement *out);

#endif
