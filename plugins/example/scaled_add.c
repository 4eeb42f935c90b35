/* scaled_add.c — the example plugin: com.example.ScaledAdd(A, B) = alpha * A + B.
 *
 * A and B are float32 of one shape (no broadcasting, to keep the example short); alpha is a
 * float attribute, 1 when absent. It shows the whole plugin API: the ABI stamp, the entry point,
 * attribute declarations, shape inference that reports bad inputs through xc_plugin_fail(), a
 * plain reference kernel over the public tensor accessors and an OpenCL kernel for the engine.
 * Build:
 *     cc -shared -fPIC -I<crosscheck>/include scaled_add.c -o example.so */
#include "crosscheck/plugin.h"

XC_PLUGIN_ABI;

static xc_status infer(const xc_plugin_node *n, int n_in, const xc_plugin_shape *in, int n_out, xc_plugin_shape *out)
{
    (void)n_in, (void)n_out;
    for (int i = 0; i < 2; i++)
        if (in[i].dtype != XC_UNDEFINED && in[i].dtype != XC_FLOAT)
            return xc_plugin_fail(n, XC_ERR_UNSUPPORTED, "input %d is %s, only float32 is supported", i,
                                  xc_dtype_name(in[i].dtype));
    out[0].dtype = XC_FLOAT;
    if (in[0].rank < 0 || in[1].rank < 0) { /* one shape unknown: take the other */
        out[0].rank = in[0].rank >= 0 ? in[0].rank : in[1].rank;
        for (int k = 0; k < out[0].rank; k++) out[0].dims[k] = in[0].rank >= 0 ? in[0].dims[k] : in[1].dims[k];
        return XC_OK;
    }
    if (in[0].rank != in[1].rank)
        return xc_plugin_fail(n, XC_ERR_MODEL, "A has rank %d and B rank %d; they must have one shape", in[0].rank, in[1].rank);
    out[0].rank = in[0].rank;
    for (int k = 0; k < in[0].rank; k++) {
        int64_t a = in[0].dims[k], b = in[1].dims[k];
        if (a >= 0 && b >= 0 && a != b)
            return xc_plugin_fail(n, XC_ERR_MODEL, "A and B differ in dim %d (%lld vs %lld); they must have one shape", k,
                                  (long long)a, (long long)b);
        out[0].dims[k] = a >= 0 ? a : b;
    }
    return XC_OK;
}

static xc_status compute(const xc_plugin_node *n, int n_in, const xc_tensor *const *in, int n_out, xc_tensor **out)
{
    (void)n_in, (void)n_out;
    float alpha = 1.0f;
    xc_plugin_attr_float(n, "alpha", &alpha);
    if (!out[0]) { /* inference always knows this shape at run time; allocate anyway when it did not */
        xc_status s = xc_tensor_new(XC_FLOAT, xc_tensor_rank(in[0]), xc_tensor_dims(in[0]), &out[0]);
        if (s != XC_OK) return s;
    }
    const float *a = xc_tensor_data(in[0]), *b = xc_tensor_data(in[1]);
    float *y = xc_tensor_data(out[0]);
    for (size_t i = 0, count = xc_tensor_numel(out[0]); i < count; i++) y[i] = alpha * a[i] + b[i];
    return XC_OK;
}

/* The engine's kernel: one work-item per element; alpha arrives as the define ATTR_alpha. */
static const char opencl[] =
    "#ifndef ATTR_alpha\n#define ATTR_alpha 1.0f\n#endif\n"
    "__kernel void scaled_add(__global const store_t *a, __global const store_t *b, __global store_t *y,\n"
    "                         const int n, const int na, const int nb)\n"
    "{\n"
    "    const int i = get_global_id(0);\n"
    "    if (i < n) STORE(y, i, ATTR_alpha * LOAD(a, i) + LOAD(b, i));\n"
    "}\n";

XC_PLUGIN_EXPORT xc_status xc_plugin_init(xc_plugin_registry *r)
{
    static const xc_plugin_attr attrs[] = {{"alpha", XC_PLUGIN_ATTR_FLOAT, 0}, {0}};
    static const xc_plugin_op op = {"com.example", "ScaledAdd", 1, 0, 2, 2, 1, 1, attrs, infer, compute, opencl, "scaled_add"};
    return xc_plugin_register_op(r, &op);
}
