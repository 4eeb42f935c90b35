/* loss.c — reference kernels of NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss.
 *
 * Scores are viewed as (N, C, D) with D the product of the trailing dims. Element (n, d) has
 * loss -w[t] * x[n, t, d] with t its target and w[t] 1 without weights; a target equal to
 * ignore_index gets loss 0 and weight 0. mean divides the sum by the sum of the weights (the
 * count of targets not ignored without weights), as the ONNX specification says. Everything is
 * accumulated in double and rounded once on store. */
#include "ref.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The loss of every element into loss[N*D] (double), and the weight total into *wsum. */
static xc_status element_losses(const xc_ref_args *a, const double *x, double *loss, double *wsum)
{
    const xc_tensor *xs = a->in[0], *t = a->in[1], *w = a->n_in > 2 ? a->in[2] : NULL;
    size_t n = (size_t)xs->dims[0], cls = (size_t)xs->dims[1], d = 1;
    for (int k = 2; k < xs->rank; k++) d *= (size_t)xs->dims[k];
    const xc_attr *ii = xc_node_attr(a->node, "ignore_index");
    *wsum = 0;
    for (size_t i = 0; i < n * d; i++) {
        int64_t target = xc_load_i64(t->dtype, t->data, i);
        if (ii && target == ii->i) {
            loss[i] = 0;
            continue;
        }
        if (target < 0 || (size_t)target >= cls)
            return xc_ref_fail(a, XC_ERR_MODEL, "target %lld at element %zu is outside [0, %zu)", (long long)target, i, cls);
        double wt = w ? xc_load_f64(w->dtype, w->data, (size_t)target) : 1.0;
        size_t nn = i / d, dd = i % d;
        loss[i] = -wt * x[(nn * cls + (size_t)target) * d + dd];
        *wsum += wt;
    }
    return XC_OK;
}

/* Reduces loss[N*D] into the output as the reduction attribute says. */
static void store_loss(const xc_ref_args *a, const double *loss, size_t count, double wsum)
{
    xc_tensor *y = a->out[0];
    const char *r = xc_attr_string(a->node, "reduction", "mean");
    if (!strcmp(r, "none")) {
        for (size_t i = 0; i < count; i++) xc_store_f64(y->dtype, y->data, i, loss[i]);
        return;
    }
    double sum = 0;
    for (size_t i = 0; i < count; i++) sum += loss[i];
    xc_store_f64(y->dtype, y->data, 0, strcmp(r, "mean") ? sum : sum / wsum);
}

/* Runs the loss on x (the scores, or their log-softmax) held as doubles. */
static xc_status loss_of(xc_ref_args *a, const double *x)
{
    size_t count = xc_tensor_numel(a->in[1]);
    double *loss = malloc((count ? count : 1) * sizeof *loss), wsum;
    if (!loss) return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
    xc_status s = element_losses(a, x, loss, &wsum);
    if (s == XC_OK) store_loss(a, loss, count, wsum);
    free(loss);
    return s;
}

static xc_status load_scores(const xc_ref_args *a, double **out)
{
    const xc_tensor *x = a->in[0];
    size_t n = xc_tensor_numel(x);
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (!v) return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) v[i] = xc_load_f64(x->dtype, x->data, i);
    *out = v;
    return XC_OK;
}

static xc_status ref_nll(xc_ref_args *a)
{
    double *x;
    XC_TRY(load_scores(a, &x));
    xc_status s = loss_of(a, x);
    free(x);
    return s;
}

/* x[n, :, d] -= max + log(sum(exp(x - max))): the log-softmax over axis 1, in place. */
static void log_softmax_axis1(const xc_tensor *xs, double *x)
{
    size_t n = (size_t)xs->dims[0], cls = (size_t)xs->dims[1], d = 1;
    for (int k = 2; k < xs->rank; k++) d *= (size_t)xs->dims[k];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++) {
            double *lane = x + i * cls * d + j, max = lane[0], sum = 0;
            for (size_t k = 1; k < cls; k++) max = fmax(max, lane[k * d]);
            for (size_t k = 0; k < cls; k++) sum += exp(lane[k * d] - max);
            double shift = max + log(sum);
            for (size_t k = 0; k < cls; k++) lane[k * d] -= shift;
        }
}

static xc_status ref_sce(xc_ref_args *a)
{
    double *x;
    XC_TRY(load_scores(a, &x));
    log_softmax_axis1(a->in[0], x);
    xc_status s = loss_of(a, x);
    if (s == XC_OK && a->n_out > 1 && a->out[1]) {
        xc_tensor *lp = a->out[1];
        for (size_t i = 0; i < xc_tensor_numel(lp); i++) xc_store_f64(lp->dtype, lp->data, i, x[i]);
    }
    free(x);
    return s;
}

const xc_ref_kernel xc_ref_loss[] = {
    {"NegativeLogLikelihoodLoss", ref_nll},
    {"SoftmaxCrossEntropyLoss", ref_sce},
    {0},
};
