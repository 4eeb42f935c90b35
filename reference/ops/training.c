/* training.c — reference kernels of the ai.onnx.preview.training optimizers Momentum, Adagrad
 * and Adam, element by element in double following onnx's reference update rules. Inputs are
 * R, T, then x_1..x_n, g_1..g_n and the states; outputs the new x's then the new states. */
#include "ref.h"
#include <math.h>
#include <string.h>

static double ld(const xc_tensor *t, size_t i) { return xc_load_f64(t->dtype, t->data, i); }
static double attr(const xc_ref_args *a, const char *name, double def) { return xc_attr_float(a->node, name, (float)def); }

/* Momentum: g' = norm * x + g; v' = alpha * v + (T > 0 ? beta : 1) * g';
 * standard: x' = x - R * v'; nesterov: x' = x - R * (g' + alpha * v'). */
static xc_status ref_momentum(xc_ref_args *a)
{
    int n = (a->n_in - 2) / 3, nesterov = !strcmp(xc_attr_string(a->node, "mode", "standard"), "nesterov");
    double r = ld(a->in[0], 0), alpha = attr(a, "alpha", 0), norm = attr(a, "norm_coefficient", 0);
    double beta = xc_load_i64(a->in[1]->dtype, a->in[1]->data, 0) > 0 ? attr(a, "beta", 0) : 1.0;
    for (int j = 0; j < n; j++) {
        const xc_tensor *x = a->in[2 + j], *g = a->in[2 + n + j], *v = a->in[2 + 2 * n + j];
        xc_tensor *xo = a->out[j], *vo = a->out[n + j];
        for (size_t i = 0, e = xc_tensor_numel(x); i < e; i++) {
            double gr = norm * ld(x, i) + ld(g, i), vn = alpha * ld(v, i) + beta * gr;
            double xn = ld(x, i) - r * (nesterov ? gr + alpha * vn : vn);
            if (xo) xc_store_f64(xo->dtype, xo->data, i, xn);
            if (vo) xc_store_f64(vo->dtype, vo->data, i, vn);
        }
    }
    return XC_OK;
}

/* Adagrad: r = R / (1 + T * decay_factor); g' = norm * x + g; h' = h + g'^2;
 * x' = x - r * g' / (sqrt(h') + epsilon). */
static xc_status ref_adagrad(xc_ref_args *a)
{
    int n = (a->n_in - 2) / 3;
    double t = (double)xc_load_i64(a->in[1]->dtype, a->in[1]->data, 0);
    double r = ld(a->in[0], 0) / (1 + t * attr(a, "decay_factor", 0));
    double eps = attr(a, "epsilon", 1e-6), norm = attr(a, "norm_coefficient", 0);
    for (int j = 0; j < n; j++) {
        const xc_tensor *x = a->in[2 + j], *g = a->in[2 + n + j], *h = a->in[2 + 2 * n + j];
        xc_tensor *xo = a->out[j], *ho = a->out[n + j];
        for (size_t i = 0, e = xc_tensor_numel(x); i < e; i++) {
            double gr = norm * ld(x, i) + ld(g, i), hn = ld(h, i) + gr * gr;
            if (xo) xc_store_f64(xo->dtype, xo->data, i, ld(x, i) - r * gr / (sqrt(hn) + eps));
            if (ho) xc_store_f64(ho->dtype, ho->data, i, hn);
        }
    }
    return XC_OK;
}

/* Adam: g' = norm * x + g; v' = alpha * v + (1 - alpha) * g'; h' = beta * h + (1 - beta) * g'^2;
 * r = T > 0 ? R * sqrt(1 - beta^T) / (1 - alpha^T) : R; x' = (1 - norm_post) * (x - r * v' / (sqrt(h') + eps)). */
static xc_status ref_adam(xc_ref_args *a)
{
    int n = (a->n_in - 2) / 4;
    double alpha = attr(a, "alpha", 0.9), beta = attr(a, "beta", 0.999), eps = attr(a, "epsilon", 1e-6);
    double norm = attr(a, "norm_coefficient", 0), post = attr(a, "norm_coefficient_post", 0);
    double t = (double)xc_load_i64(a->in[1]->dtype, a->in[1]->data, 0), r = ld(a->in[0], 0);
    if (t > 0) r = r * sqrt(1 - pow(beta, t)) / (1 - pow(alpha, t));
    for (int j = 0; j < n; j++) {
        const xc_tensor *x = a->in[2 + j], *g = a->in[2 + n + j], *v = a->in[2 + 2 * n + j], *h = a->in[2 + 3 * n + j];
        xc_tensor *xo = a->out[j], *vo = a->out[n + j], *ho = a->out[2 * n + j];
        for (size_t i = 0, e = xc_tensor_numel(x); i < e; i++) {
            double gr = norm * ld(x, i) + ld(g, i);
            double vn = alpha * ld(v, i) + (1 - alpha) * gr, hn = beta * ld(h, i) + (1 - beta) * gr * gr;
            double xn = (1 - post) * (ld(x, i) - r * (vn / (sqrt(hn) + eps)));
            if (xo) xc_store_f64(xo->dtype, xo->data, i, xn);
            if (vo) xc_store_f64(vo->dtype, vo->data, i, vn);
            if (ho) xc_store_f64(ho->dtype, ho->data, i, hn);
        }
    }
    return XC_OK;
}

const xc_ref_kernel xc_ref_training[] = {
    {"Momentum", ref_momentum},
    {"Adagrad", ref_adagrad},
    {"Adam", ref_adam},
    {0},
};
