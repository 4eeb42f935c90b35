/* loss.c — schemas of NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss.
 *
 * Both take scores (N, C, d1, ..., dk), integer targets (N, d1, ..., dk) and an optional 1-D
 * weight of size C; `reduction` none keeps the target's shape, sum and mean give a scalar.
 * SoftmaxCrossEntropyLoss may also return log_prob, the scores' log-softmax over axis 1. Every
 * opset (12, 13, 22) differs only in the types it lists, so one entry serves them all. */
#include "schema.h"
#include <string.h>

static const xc_attr_spec loss_attrs[] = {{"reduction", XC_ATTR_STRING, 0}, {"ignore_index", XC_ATTR_INT, 0}, {NULL, 0, 0}};

static int dim_differs(int64_t a, int64_t b) { return a >= 0 && b >= 0 && a != b; }

static xc_status infer_loss(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, XC_T_FLOATS));
    XC_TRY(xc_infer_require_type(c, 1, XC_BIT(XC_INT32) | XC_BIT(XC_INT64)));
    XC_TRY(xc_infer_require_type(c, 2, XC_T_FLOATS));
    const char *r = xc_attr_string(c->node, "reduction", "mean");
    int none = !strcmp(r, "none");
    if (!none && strcmp(r, "sum") && strcmp(r, "mean")) return xc_infer_fail(c, "reduction '%s' is not none, sum or mean", r);
    const xc_type_shape *x = &c->in[0], *t = &c->in[1];
    const xc_type_shape *w = c->n_in > 2 && c->in[2].present ? &c->in[2] : NULL;
    if (x->rank >= 0 && x->rank < 2) return xc_infer_fail(c, "scores must have rank >= 2 (N, C, ...), got %d", x->rank);
    if (x->rank >= 0 && t->rank >= 0) {
        if (t->rank != x->rank - 1)
            return xc_infer_fail(c, "target has rank %d, expected %d (scores without C)", t->rank, x->rank - 1);
        for (int k = 0; k < t->rank; k++)
            if (dim_differs(t->dims[k], x->dims[k ? k + 1 : 0]))
                return xc_infer_fail(c, "target dim %d is %lld but scores have %lld", k, (long long)t->dims[k],
                                     (long long)x->dims[k ? k + 1 : 0]);
    }
    if (w && w->rank >= 0 && (w->rank != 1 || (x->rank >= 0 && dim_differs(w->dims[0], x->dims[1]))))
        return xc_infer_fail(c, "weight must be 1-D of size C");
    if (none) {
        xc_infer_copy(c, 0, 1);
        c->out[0].dtype = x->dtype;
    } else {
        xc_infer_set(c, 0, x->dtype, 0, NULL);
    }
    if (c->n_out > 1) xc_infer_copy(c, 1, 0);
    return XC_OK;
}

const xc_op_schema xc_schemas_loss[] = {
    {"NegativeLogLikelihoodLoss", 12, 2, 3, 1, 1, loss_attrs, infer_loss},
    {"SoftmaxCrossEntropyLoss", 12, 2, 3, 1, 2, loss_attrs, infer_loss},
    {0},
};
