/* training.c — schemas of the optimizer ops of domain ai.onnx.preview.training (version 1):
 * Momentum, Adagrad and Adam. Each takes a learning rate R and a step count T, then n tensors
 * to optimize followed by their gradients and their state tensors (one state for Momentum and
 * Adagrad, two for Adam), and returns the new tensors then the new states: output j is the
 * update of input 2 + j, so it has that input's type and shape. The registry serves these ops
 * for that domain only (src/ops/registry.c). */
#include "schema.h"
#include <limits.h>
#include <string.h>

static const xc_attr_spec momentum_attrs[] = {{"alpha", XC_ATTR_FLOAT, 1},
                                              {"beta", XC_ATTR_FLOAT, 1},
                                              {"mode", XC_ATTR_STRING, 1},
                                              {"norm_coefficient", XC_ATTR_FLOAT, 1},
                                              {NULL, 0, 0}};
static const xc_attr_spec adagrad_attrs[] = {
    {"decay_factor", XC_ATTR_FLOAT, 0}, {"epsilon", XC_ATTR_FLOAT, 0}, {"norm_coefficient", XC_ATTR_FLOAT, 0}, {NULL, 0, 0}};
static const xc_attr_spec adam_attrs[] = {{"alpha", XC_ATTR_FLOAT, 0},
                                          {"beta", XC_ATTR_FLOAT, 0},
                                          {"epsilon", XC_ATTR_FLOAT, 0},
                                          {"norm_coefficient", XC_ATTR_FLOAT, 0},
                                          {"norm_coefficient_post", XC_ATTR_FLOAT, 0},
                                          {NULL, 0, 0}};

static int is_scalar(const xc_type_shape *t) { return t->rank == 0 || (t->rank == 1 && t->dims[0] == 1); }

/* Shared by the three ops: `per` tensors per optimized tensor (x, g, then the states). */
static xc_status infer_optimizer(xc_infer_ctx *c, int per)
{
    static const uint32_t F = XC_BIT(XC_FLOAT) | XC_BIT(XC_DOUBLE);
    int n = c->n_in - 2;
    if (n <= 0 || n % per)
        return xc_infer_fail(c, "has %d inputs after R and T, expected a multiple of %d (x, gradient and state tensors)", n, per);
    int groups = n / per;
    if (c->n_out != groups * (per - 1))
        return xc_infer_fail(c, "has %d outputs, expected %d for %d optimized tensors", c->n_out, groups * (per - 1), groups);
    XC_TRY(xc_infer_require_type(c, 0, F));
    XC_TRY(xc_infer_require_type(c, 1, XC_BIT(XC_INT64)));
    if ((c->in[0].rank >= 0 && !is_scalar(&c->in[0])) || (c->in[1].rank >= 0 && !is_scalar(&c->in[1])))
        return xc_infer_fail(c, "R (learning rate) and T (step count) must be scalars");
    for (int i = 2; i < c->n_in; i++) {
        XC_TRY(xc_infer_require_type(c, i, F));
        if (!c->in[i].present) return xc_infer_fail(c, "input %d is empty", i);
        const xc_type_shape *x = &c->in[2 + (i - 2) % groups], *t = &c->in[i];
        if (x->dtype != XC_UNDEFINED && t->dtype != XC_UNDEFINED && x->dtype != t->dtype)
            return xc_infer_fail(c, "input '%s' has dtype %s, but the tensor it goes with has %s", c->node->inputs[i],
                                 xc_dtype_name(t->dtype), xc_dtype_name(x->dtype));
        if (x->rank >= 0 && t->rank >= 0) {
            int same = x->rank == t->rank;
            for (int d = 0; same && d < x->rank; d++) same = x->dims[d] < 0 || t->dims[d] < 0 || x->dims[d] == t->dims[d];
            if (!same)
                return xc_infer_fail(c, "input '%s' differs in shape from the tensor it goes with ('%s')", c->node->inputs[i],
                                     c->node->inputs[2 + (i - 2) % groups]);
        }
    }
    for (int o = 0; o < c->n_out; o++) {
        /* outputs: new x's, then new states; the states skip the gradients among the inputs */
        int i = o < groups ? 2 + o : 2 + groups + o;
        xc_infer_copy(c, o, i);
    }
    return XC_OK;
}

static xc_status infer_momentum(xc_infer_ctx *c)
{
    const char *mode = xc_attr_string(c->node, "mode", "");
    if (strcmp(mode, "standard") && strcmp(mode, "nesterov"))
        return xc_infer_fail(c, "mode '%s' is not standard or nesterov", mode);
    return infer_optimizer(c, 3);
}
static xc_status infer_adagrad(xc_infer_ctx *c) { return infer_optimizer(c, 3); }
static xc_status infer_adam(xc_infer_ctx *c) { return infer_optimizer(c, 4); }

/* Arity is checked by infer_optimizer, which says how the inputs group. */
const xc_op_schema xc_schemas_training[] = {
    {"Momentum", 1, 3, -1, 1, INT_MAX, momentum_attrs, infer_momentum},
    {"Adagrad", 1, 3, -1, 1, INT_MAX, adagrad_attrs, infer_adagrad},
    {"Adam", 1, 3, -1, 1, INT_MAX, adam_attrs, infer_adam},
    {0},
};
