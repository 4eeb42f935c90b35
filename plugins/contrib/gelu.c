/* gelu.c — com.microsoft Gelu, FastGelu, BiasGelu and QuickGelu.
 *   Gelu(X)             = 0.5 x (1 + erf(x / sqrt 2))
 *   BiasGelu(A, B)      = Gelu(A + B), B 1-D over A's last axis
 *   FastGelu(X[, bias]) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), x = X + bias
 *   QuickGelu(X)        = x sigmoid(alpha x), alpha 1.702 by default
 * Computed in double per element and rounded to float32 once; each op also gives the engine an
 * OpenCL kernel. */
#include "contrib.h"
#include <math.h>
#include <string.h>

typedef double (*act_fn)(double x, double alpha);

static double gelu(double x, double alpha) { return (void)alpha, 0.5 * x * (1.0 + erf(x / sqrt(2.0))); }
static double fast_gelu(double x, double alpha)
{
    (void)alpha;
    return 0.5 * x * (1.0 + tanh(0.7978845608028654 /* sqrt(2/pi) */ * (x + 0.044715 * x * x * x)));
}
static double quick_gelu(double x, double alpha) { return x / (1.0 + exp(-alpha * x)); }

static act_fn act_of(const char *op)
{
    if (!strcmp(op, "FastGelu")) return fast_gelu;
    if (!strcmp(op, "QuickGelu")) return quick_gelu;
    return gelu; /* Gelu, BiasGelu */
}

/* Input 1, when given, is a bias over X's last axis. */
static xc_status infer(const xc_plugin_node *n, int n_in, const xc_plugin_shape *in, int n_out, xc_plugin_shape *out)
{
    (void)n_out;
    xc_status s = contrib_require_float(n, n_in, in);
    if (s != XC_OK) return s;
    if (n_in > 1 && in[1].present && in[1].rank >= 0) {
        int64_t last = in[0].rank > 0 ? in[0].dims[in[0].rank - 1] : -1;
        if (in[1].rank != 1 || (last >= 0 && in[1].dims[0] >= 0 && in[1].dims[0] != last))
            return xc_plugin_fail(n, XC_ERR_MODEL, "the bias must be 1-D with the size of the input's last dim (%lld)",
                                  (long long)last);
    }
    contrib_same_shape(&out[0], &in[0]);
    return XC_OK;
}

static xc_status compute_op(const xc_plugin_node *n, const char *op, int n_in, const xc_tensor *const *in, xc_tensor **out)
{
    float alpha = 1.702f;
    xc_plugin_attr_float(n, "alpha", &alpha);
    act_fn f = act_of(op);
    xc_status s = contrib_alloc_like(&out[0], in[0]);
    if (s != XC_OK) return s;
    const xc_tensor *bias = n_in > 1 ? in[1] : NULL;
    const float *x = xc_tensor_data(in[0]), *b = bias ? xc_tensor_data(bias) : NULL;
    size_t nb = bias ? xc_tensor_numel(bias) : 0;
    float *y = xc_tensor_data(out[0]);
    for (size_t i = 0, count = xc_tensor_numel(in[0]); i < count; i++) {
        float v = b ? x[i] + b[i % nb] : x[i]; /* the bias add rounds to float32, as a separate Add would */
        y[i] = (float)f(v, alpha);
    }
    return XC_OK;
}

static xc_status compute_gelu(const xc_plugin_node *n, int n_in, const xc_tensor *const *in, int n_out, xc_tensor **out)
{
    return (void)n_out, compute_op(n, "Gelu", n_in, in, out);
}
static xc_status compute_fast(const xc_plugin_node *n, int n_in, const xc_tensor *const *in, int n_out, xc_tensor **out)
{
    return (void)n_out, compute_op(n, "FastGelu", n_in, in, out);
}
static xc_status compute_quick(const xc_plugin_node *n, int n_in, const xc_tensor *const *in, int n_out, xc_tensor **out)
{
    return (void)n_out, compute_op(n, "QuickGelu", n_in, in, out);
}

/* The engine's kernels (crosscheck/plugin.h's convention): the same formulas in float, the bias
 * (input 1, when XC_N_INPUTS is 2) indexed modulo its size. */
static const char opencl[] =
    "#ifndef ATTR_alpha\n#define ATTR_alpha 1.702f\n#endif\n"
    "inline float gelu_erf(float x) { return 0.5f * x * (1.0f + erf(x * 0.70710678118654752f)); }\n"
    "inline float gelu_tanh(float x) { return 0.5f * x * (1.0f + tanh(0.79788456080286536f * (x + 0.044715f * x * x * x))); }\n"
    "#if XC_N_INPUTS == 2\n"
    "#define BIASED_KERNEL(name, f) __kernel void name(__global const store_t *x, __global const store_t *b, \\\n"
    "    __global store_t *y, const int n, const int nx, const int nb) \\\n"
    "{ const int i = get_global_id(0); if (i < n) STORE(y, i, f(LOAD(x, i) + LOAD(b, i % nb))); }\n"
    "BIASED_KERNEL(bias_gelu, gelu_erf)\n"
    "BIASED_KERNEL(fast_gelu, gelu_tanh)\n"
    "#else\n"
    "#define KERNEL(name, f) __kernel void name(__global const store_t *x, __global store_t *y, const int n, const int nx) \\\n"
    "{ const int i = get_global_id(0); if (i < n) STORE(y, i, f(LOAD(x, i))); }\n"
    "inline float quick(float x) { return x / (1.0f + exp(-ATTR_alpha * x)); }\n"
    "KERNEL(gelu, gelu_erf)\n"
    "KERNEL(fast_gelu, gelu_tanh)\n"
    "KERNEL(quick_gelu, quick)\n"
    "#endif\n";

xc_status contrib_register_gelu(xc_plugin_registry *r)
{
    static const xc_plugin_attr quick_attrs[] = {{"alpha", XC_PLUGIN_ATTR_FLOAT, 0}, {0}};
    const xc_plugin_op ops[] = {
        {CONTRIB_DOMAIN, "Gelu", 1, 0, 1, 1, 1, 1, NULL, infer, compute_gelu, opencl, "gelu"},
        {CONTRIB_DOMAIN, "BiasGelu", 1, 0, 2, 2, 1, 1, NULL, infer, compute_gelu, opencl, "bias_gelu"},
        {CONTRIB_DOMAIN, "FastGelu", 1, 0, 1, 2, 1, 1, NULL, infer, compute_fast, opencl, "fast_gelu"},
        {CONTRIB_DOMAIN, "QuickGelu", 1, 0, 1, 1, 1, 1, quick_attrs, infer, compute_quick, opencl, "quick_gelu"},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        xc_status s = xc_plugin_register_op(r, &ops[i]);
        if (s != XC_OK) return s;
    }
    return XC_OK;
}
