/* numeric.c: numbers from label text (digit by digit, never strtod on input) and the
 * mean/median of each item's answers. Items' answers are grouped with one counting sort
 * into a flat array; no allocation per item. */
#include "numeric.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../util/alloc.h"
#include "../util/banned.h"

/* Exact powers of ten: a mantissa below 2^53 times or divided by one of these is
 * correctly rounded. */
static const double numeric_pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

int numeric_parse(const char *s, size_t n, double *out)
{
    size_t i = 0;
    int neg = 0, digits = 0, exp_neg = 0;
    uint64_t mant = 0;
    long exp10 = 0, e = 0;
    double v;

    if (i < n && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    for (int frac = 0; i < n; i++) {
        if (s[i] == '.' && !frac) {
            frac = 1;
            continue;
        }
        if (s[i] < '0' || s[i] > '9')
            break;
        digits++;
        if (mant < 100000000000000000ull) {
            mant = mant * 10 + (uint64_t)(s[i] - '0');
            exp10 -= frac;
        } else {
            exp10 += !frac; /* a digit past 17 significant ones only scales */
        }
    }
    if (!digits)
        return -1;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        int edigits = 0;
        i++;
        if (i < n && (s[i] == '-' || s[i] == '+'))
            exp_neg = s[i++] == '-';
        for (; i < n && s[i] >= '0' && s[i] <= '9' && edigits < 4; i++, edigits++)
            e = e * 10 + (s[i] - '0');
        if (edigits == 0 || edigits > 3)
            return -1;
    }
    if (i != n)
        return -1;
    exp10 += exp_neg ? -e : e;
    v = (double)mant;
    if (exp10 >= 0 && exp10 <= 22)
        v *= numeric_pow10[exp10];
    else if (exp10 < 0 && exp10 >= -22)
        v /= numeric_pow10[-exp10];
    else
        v *= pow(10.0, (double)exp10);
    if (!isfinite(v) || fabs(v) > 1e300)
        return -1;
    *out = neg ? -v : v;
    return 0;
}

static int numeric_cmp(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* The median of v[0..n) (n >= 1), sorting v. */
static double numeric_median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, numeric_cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void numeric_item(double *v, size_t n, int median, double *value, double *conf)
{
    double est, spread;

    if (n == 0) {
        *value = 0;
        *conf = 0;
        return;
    }
    if (median) {
        est = numeric_median(v, n);
        for (size_t k = 0; k < n; k++)
            v[k] = fabs(v[k] - est);
        spread = 1.2533 * 1.4826 * numeric_median(v, n);
    } else {
        double sum = 0, ss = 0;
        for (size_t k = 0; k < n; k++)
            sum += v[k];
        est = sum / (double)n;
        for (size_t k = 0; k < n; k++)
            ss += (v[k] - est) * (v[k] - est);
        spread = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
    }
    *value = est;
    *conf = n > 1 ? 1 / (1 + spread / sqrt((double)n)) : 0;
}

void numeric_run(const struct answers *a, int median, double *value, double *conf)
{
    size_t ni = a->items.n;
    size_t *start = xcalloc(ni + 1, sizeof *start);
    double *v = xmalloc_array(a->n, sizeof *v);

    for (size_t j = 0; j < a->n; j++)
        start[a->item[j] + 1]++;
    for (size_t i = 0; i < ni; i++)
        start[i + 1] += start[i];
    for (size_t j = 0; j < a->n; j++)
        v[start[a->item[j]]++] = a->value[a->label[j]];
    /* start[i] now ends item i's answers; item i begins where item i-1 ended */
    for (size_t i = 0, b = 0; i < ni; i++) {
        numeric_item(v + b, start[i] - b, median, &value[i], &conf[i]);
        b = start[i];
    }
    free(v);
    free(start);
}
