/* test_consensus.c: the live consensus (one-coin posterior) and the agreement figures
 * (Krippendorff's alpha, Fleiss' kappa) on cases small enough to work out by hand. */
#include "quality/consensus.h"
#include "quality/agreement.h"
#include <math.h>
#include <string.h>
#include "../../check.h"
#include "util/banned.h"

#define NEAR(a, b) (fabs((a) - (b)) < 1e-9)

static void test_accuracy_prior(void)
{
    CHECK(NEAR(consensus_accuracy(0, 0), 0.7));
    CHECK(NEAR(consensus_accuracy(1, 1), 2.4 / 3.0));
    CHECK(NEAR(consensus_accuracy(10, 0), 1.4 / 12.0));
    CHECK(NEAR(consensus_accuracy(100, 0), 0.05)); /* clamped */
    CHECK(NEAR(consensus_accuracy(1000, 1000), 0.99));
}

static void test_two_agree(void)
{
    struct consensus_vote v[] = {{"cat", 0.7}, {"cat", 0.7}};
    const char *label;
    double conf;
    /* K = 2: 0.49 / (0.49 + 0.09). */
    consensus_compute(v, 2, 2, &label, &conf);
    CHECK_EQ_STR(label, "cat");
    CHECK(NEAR(conf, 0.49 / 0.58));
    /* K = 3: each other label has (0.15)^2: 0.49 / (0.49 + 2 * 0.0225). */
    consensus_compute(v, 2, 3, &label, &conf);
    CHECK(NEAR(conf, 0.49 / (0.49 + 0.045)));
}

static void test_weights_decide(void)
{
    /* A reliable worker (0.95) outweighs two weak ones (0.55) who agree, K = 2:
     * dog: 0.95 * 0.45^2 = 0.192375, cat: 0.05 * 0.55^2 = 0.015125. */
    struct consensus_vote v[] = {{"cat", 0.55}, {"dog", 0.95}, {"cat", 0.55}};
    const char *label;
    double conf;
    consensus_compute(v, 3, 2, &label, &conf);
    CHECK_EQ_STR(label, "dog");
    CHECK(NEAR(conf, 0.192375 / (0.192375 + 0.015125)));
}

static void test_tie_and_empty(void)
{
    struct consensus_vote v[] = {{"zebra", 0.8}, {"apple", 0.8}};
    const char *label = "x";
    double conf = 1;
    consensus_compute(v, 2, 2, &label, &conf);
    CHECK_EQ_STR(label, "apple"); /* equal posteriors: the label that sorts first */
    CHECK(NEAR(conf, 0.5));
    consensus_compute(v, 0, 2, &label, &conf);
    CHECK(label == NULL);
    CHECK(NEAR(conf, 0));
    /* One answer, K from the batch: 0.8 against 0.2 spread over 3 others. */
    consensus_compute(v, 1, 4, &label, &conf);
    CHECK_EQ_STR(label, "zebra");
    CHECK(NEAR(conf, 0.8));
}

static void test_agreement_by_hand(void)
{
    /* Two raters, four items: (a,a) (a,b) (b,b) (b,b); a = 0, b = 1.
     * alpha = 1 - 7 * 2 / 30 = 0.5333..; kappa = (0.75 - 34/64) / (30/64) = 0.4666.. */
    size_t item[] = {0, 0, 1, 1, 2, 2, 3, 3};
    size_t label[] = {0, 0, 0, 1, 1, 1, 1, 1};
    struct agreement ag;
    agreement_compute(item, label, 8, 4, 2, &ag);
    CHECK_EQ_INT(ag.items, 4);
    CHECK_EQ_INT(ag.answers, 8);
    CHECK(NEAR(ag.alpha, 1 - 14.0 / 30.0));
    CHECK(NEAR(ag.kappa, (0.75 - 34.0 / 64.0) / (30.0 / 64.0)));
}

static void test_agreement_edges(void)
{
    struct agreement ag;
    /* Perfect agreement on two labels: both are 1. */
    size_t item[] = {0, 0, 0, 1, 1};
    size_t label[] = {1, 1, 1, 0, 0};
    agreement_compute(item, label, 5, 2, 2, &ag);
    CHECK(NEAR(ag.alpha, 1));
    CHECK(NEAR(ag.kappa, 1));
    /* One label in all answers: undefined. */
    size_t same[] = {0, 0, 0, 0, 0};
    agreement_compute(item, same, 5, 2, 2, &ag);
    CHECK(isnan(ag.alpha) && isnan(ag.kappa));
    /* Items with one answer do not count; none left: undefined, zero items. */
    size_t single_item[] = {0, 1};
    size_t single_label[] = {0, 1};
    agreement_compute(single_item, single_label, 2, 2, 2, &ag);
    CHECK_EQ_INT(ag.items, 0);
    CHECK(isnan(ag.alpha));
}

CHECK_MAIN(test_accuracy_prior, test_two_agree, test_weights_decide, test_tie_and_empty,
           test_agreement_by_hand, test_agreement_edges)
