/* average_verdict.h — --check-average: the verdict on each output is taken on its checked error
 * statistic (--check-error-stat max|mean|median|quantile, over every element as in compare.h)
 * averaged over all iterations, and on each --check-metric value averaged the same way, instead
 * of iteration by iteration (Polygraphy's check_average: the arithmetic mean of each metric, NaN
 * propagating, so an iteration with a NaN statistic fails the average). An output fails when
 * (mean abs statistic > atol or NaN) and (mean rel statistic > rtol or NaN), or when an averaged
 * metric misses its bound. atol and rtol are the means of the iterations' tolerances: equal to
 * each iteration's when they are fixed; under the auto preset, whose atol follows each
 * iteration's reference RMS, their mean. An iteration with a shape mismatch has no statistic:
 * the output fails (Polygraphy refuses to average there). Per-iteration verdicts are still
 * reported; only the averages decide. Elementwise checks and the indices function have no
 * statistic and are refused before the run (output_check.h). */
#ifndef XC_AVERAGE_VERDICT_H
#define XC_AVERAGE_VERDICT_H
#include "runner.h"

struct xc_average_verdict {
    int runner, output;   /* runner index, graph output index */
    int iterations;       /* iterations averaged */
    int shape_mismatches; /* iterations without a statistic */
    xc_check_stat stat;
    double quantile;
    double check_abs, check_rel; /* the statistic, averaged */
    double atol, rtol;           /* the tolerances, averaged */
    int tolerance_passed;
    int n_metrics;
    xc_metric_check metrics[XC_N_METRICS]; /* value: the average */
    int passed;
};

/* Computes r->averages from r's comparisons and sets r->passed from them. */
xc_status xc_run_average(const xc_run_config *c, xc_run_report *r);
#endif
