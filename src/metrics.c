/* metrics.c — cosine, SNR, PSNR and relative L2, and the bounds users put on them (metrics.h). */
#include "metrics.h"
#include "tolerance_spec.h"
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[XC_N_METRICS] = {"cosine", "snr", "psnr", "l2"};

const char *xc_metric_name(xc_metric m) { return names[m]; }

int xc_metric_higher_is_better(xc_metric m) { return m != XC_METRIC_L2; }

xc_status xc_metric_bound_parse(char *text, xc_metric_bound *out)
{
    char *expr = xc_split_tensor_name(text, &out->name);
    char *op = strpbrk(expr, "<>=");
    int m = -1;
    for (int k = 0; op && k < XC_N_METRICS; k++)
        if ((size_t)(op - expr) == strlen(names[k]) && !strncmp(expr, names[k], strlen(names[k]))) m = k;
    if (!op || m < 0)
        return xc_fail(XC_ERR_USAGE, "--check-metric: '%s' is not [NAME:]METRIC>=X or METRIC<=X (METRIC: cosine, snr, psnr, l2)",
                       expr);
    const char *want = xc_metric_higher_is_better((xc_metric)m) ? ">=" : "<=";
    if (strncmp(op, want, 2))
        return xc_fail(XC_ERR_USAGE, "--check-metric: '%s': %s takes %s (%s)", expr, names[m], want,
                       m == XC_METRIC_L2 ? "an error bound" : "larger is better");
    char *end;
    errno = 0;
    double x = strtod(op + 2, &end);
    if (end == op + 2 || *end || errno || isnan(x))
        return xc_fail(XC_ERR_USAGE, "--check-metric: '%s': '%s' is not a number", expr, op + 2);
    out->metric = (xc_metric)m;
    out->threshold = x;
    return XC_OK;
}

int xc_metric_passes(xc_metric m, double value, double threshold)
{
    if (isnan(value)) return 0;
    return xc_metric_higher_is_better(m) ? value >= threshold : value <= threshold;
}

xc_status xc_metrics_compute(const xc_tensor *out, const xc_tensor *ref, const xc_tolerance *tol, xc_metric_values *v)
{
    size_t n = xc_tensor_numel(ref);
    if (xc_tensor_numel(out) != n)
        return xc_fail(XC_ERR_INTERNAL, "metrics of tensors of %zu and %zu elements", xc_tensor_numel(out), n);
    double so = 0, sr = 0, se = 0, dot = 0, peak = 0;
    size_t finite = 0, mismatch = 0;
    for (size_t i = 0; i < n; i++) {
        double o = xc_load_f64(out->dtype, out->data, i), r = xc_load_f64(ref->dtype, ref->data, i);
        if (!isfinite(o) || !isfinite(r)) {
            int match = (isnan(o) && isnan(r)) ? tol->equal_nan : tol->equal_inf && isinf(o) && o == r;
            mismatch += !match;
            continue;
        }
        finite++;
        so += o * o;
        sr += r * r;
        se += (o - r) * (o - r);
        dot += o * r;
        if (fabs(r) > peak) peak = fabs(r);
    }
    if (mismatch) {
        for (int k = 0; k < XC_N_METRICS; k++) v->v[k] = NAN;
        return XC_OK;
    }
    double cos = so == 0 && sr == 0 ? 1 : so == 0 || sr == 0 ? 0 : dot / (sqrt(so) * sqrt(sr));
    v->v[XC_METRIC_COSINE] = cos > 1 ? 1 : cos < -1 ? -1 : cos;
    v->v[XC_METRIC_SNR] = se == 0 ? INFINITY : sr == 0 ? -INFINITY : 10 * log10(sr / se);
    double mse = finite ? se / (double)finite : 0;
    if (peak == 0) peak = 1;
    v->v[XC_METRIC_PSNR] = mse == 0 ? INFINITY : 20 * log10(peak) - 10 * log10(mse);
    v->v[XC_METRIC_L2] = se == 0 ? 0 : sr == 0 ? INFINITY : sqrt(se) / sqrt(sr);
    return XC_OK;
}
