/* metrics.h — whole-tensor accuracy metrics and their verdicts (--check-metric). With o the
 * output and r the reference, both cast to double, over the pairs where both are finite:
 *   cosine  sum(o*r) / sqrt(sum(o^2) * sum(r^2)), clamped to [-1, 1]; 1 when both are all zero,
 *           0 when only one is
 *   snr     10*log10(sum(r^2) / sum((o-r)^2)) dB: the reference is the signal, the difference the
 *           noise; +Inf when o == r, -Inf when r is all zero and o is not
 *   psnr    10*log10(peak^2 / mean((o-r)^2)) dB with peak = max|r| (1 for an all-zero reference);
 *           +Inf when o == r
 *   l2      relative L2 error ||o - r||_2 / ||r||_2 (= sqrt(NMSE)); 0 when o == r, +Inf when r is
 *           all zero and o is not
 * A pair that is non-finite on either side and not a match under the comparison's NaN/Inf rule
 * makes every metric NaN, which fails any bound. Polygraphy's own metrics differ: its l2 is the
 * absolute norm ||o - r||, its snr/psnr take the first runner as the signal and psnr's peak is
 * max(r), not max|r|; with r the signal and r >= 0, snr and psnr agree with crosscheck's.
 * A bound is "[NAME:]METRIC>=X" (cosine, snr, psnr) or "[NAME:]METRIC<=X" (l2). */
#ifndef XC_METRICS_H
#define XC_METRICS_H
#include "compare.h"

typedef enum { XC_METRIC_COSINE, XC_METRIC_SNR, XC_METRIC_PSNR, XC_METRIC_L2, XC_N_METRICS } xc_metric;

typedef struct xc_metric_bound {
    const char *name; /* NULL: every output */
    xc_metric metric;
    double threshold;
} xc_metric_bound;

typedef struct xc_metric_values {
    double v[XC_N_METRICS];
} xc_metric_values;

const char *xc_metric_name(xc_metric m);
/* 1 when larger is better (the bound is >=), 0 for l2 (<=). */
int xc_metric_higher_is_better(xc_metric m);
/* Parses "[NAME:]METRIC>=X" / "[NAME:]METRIC<=X"; the name is borrowed from text (modified). */
xc_status xc_metric_bound_parse(char *text, xc_metric_bound *out);
/* Does value meet the bound? NaN never does. */
int xc_metric_passes(xc_metric m, double value, double threshold);
/* Every metric of out against ref (same element count), with tol's NaN/Inf matching rule. */
xc_status xc_metrics_compute(const xc_tensor *out, const xc_tensor *ref, const xc_tolerance *tol, xc_metric_values *v);
#endif
