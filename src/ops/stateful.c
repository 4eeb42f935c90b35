/* stateful.c — schemas of the recurrent-state sequence ops of opset 27: LinearAttention (linear,
 * gated, delta and gated-delta recurrences over packed [B, T, H*D] q/k/v with a
 * [B, H_kv, d_k, d_v] state) and CausalConvWithState (depthwise causal 1-D convolution that
 * carries its last k-1 input positions as state). */
#include "schema.h"
#include <string.h>

#define HALF_OR_FLOAT (XC_BIT(XC_FLOAT) | XC_BIT(XC_FLOAT16) | XC_BIT(XC_BFLOAT16))

static const xc_attr_spec la_attrs[] = {{"chunk_size", XC_ATTR_INT, 0},     {"kv_num_heads", XC_ATTR_INT, 1},
                                        {"q_num_heads", XC_ATTR_INT, 1},    {"scale", XC_ATTR_FLOAT, 0},
                                        {"update_rule", XC_ATTR_STRING, 0}, {NULL, 0, 0}};
static const xc_attr_spec ccs_attrs[] = {{"activation", XC_ATTR_STRING, 0}, {NULL, 0, 0}};

static int present(const xc_infer_ctx *c, int i) { return i < c->n_in && c->in[i].present; }
/* Dim d of input i, or -1 when unknown. */
static int64_t dim(const xc_infer_ctx *c, int i, int d) { return c->in[i].rank > d ? c->in[i].dims[d] : -1; }

static xc_status require_rank(xc_infer_ctx *c, int i, int rank, const char *what)
{
    if (c->in[i].rank >= 0 && c->in[i].rank != rank)
        return xc_infer_fail(c, "%s must have rank %d, got rank %d", what, rank, c->in[i].rank);
    return XC_OK;
}

/* Fails unless the known dims a and b agree. */
static xc_status same_dim(xc_infer_ctx *c, int64_t a, int64_t b, const char *what)
{
    if (a >= 0 && b >= 0 && a != b) return xc_infer_fail(c, "%s is %lld, expected %lld", what, (long long)a, (long long)b);
    return XC_OK;
}

static xc_status infer_linear_attention(xc_infer_ctx *c)
{
    static const char *const names[] = {"query", "key", "value", "past_state", "decay", "beta"};
    for (int i = 0; i < 6; i++)
        if (present(c, i)) XC_TRY(xc_infer_require_type(c, i, HALF_OR_FLOAT));
    int64_t hq = xc_attr_int(c->node, "q_num_heads", 0), hkv = xc_attr_int(c->node, "kv_num_heads", 0);
    if (hq <= 0 || hkv <= 0 || hq % hkv)
        return xc_infer_fail(c, "q_num_heads (%lld) must be a positive multiple of kv_num_heads (%lld)", (long long)hq,
                             (long long)hkv);
    const char *rule = xc_attr_string(c->node, "update_rule", "gated_delta");
    int gated = !strcmp(rule, "gated") || !strcmp(rule, "gated_delta");
    int delta = !strcmp(rule, "delta") || !strcmp(rule, "gated_delta");
    if (!gated && !delta && strcmp(rule, "linear"))
        return xc_infer_fail(c, "update_rule '%s' is not one of linear, gated, delta, gated_delta", rule);
    if (gated != present(c, 4))
        return xc_infer_fail(c, "update_rule '%s' %s the decay input", rule, gated ? "requires" : "forbids");
    if (delta != present(c, 5))
        return xc_infer_fail(c, "update_rule '%s' %s the beta input", rule, delta ? "requires" : "forbids");
    for (int i = 0; i < 6; i++)
        if (present(c, i)) XC_TRY(require_rank(c, i, i == 3 ? 4 : 3, names[i]));
    int64_t b = dim(c, 0, 0), t = dim(c, 0, 1), qd = dim(c, 0, 2), kd = dim(c, 1, 2), vd = dim(c, 2, 2);
    if (qd >= 0 && qd % hq)
        return xc_infer_fail(c, "query's last dim %lld is not divisible by q_num_heads %lld", (long long)qd, (long long)hq);
    if (vd >= 0 && vd % hkv)
        return xc_infer_fail(c, "value's last dim %lld is not divisible by kv_num_heads %lld", (long long)vd, (long long)hkv);
    int64_t dk = qd < 0 ? -1 : qd / hq, dv = vd < 0 ? -1 : vd / hkv;
    XC_TRY(same_dim(c, kd, dk < 0 ? -1 : dk * hkv, "key's last dim (kv_num_heads * d_k)"));
    for (int i = 1; i < 6; i++) {
        if (!present(c, i) || i == 3) continue;
        XC_TRY(same_dim(c, dim(c, i, 0), b, "batch size"));
        XC_TRY(same_dim(c, dim(c, i, 1), t, "sequence length"));
    }
    int64_t last = present(c, 4) ? dim(c, 4, 2) : -1;
    if (last >= 0 && last != hkv && !(dk >= 0 && last == hkv * dk))
        return xc_infer_fail(c, "decay's last dim %lld must be kv_num_heads (%lld) or kv_num_heads*d_k", (long long)last,
                             (long long)hkv);
    last = present(c, 5) ? dim(c, 5, 2) : -1;
    if (last >= 0 && last != hkv && last != 1)
        return xc_infer_fail(c, "beta's last dim %lld must be kv_num_heads (%lld) or 1", (long long)last, (long long)hkv);
    int64_t sdims[4] = {b, hkv, dk, dv};
    if (present(c, 3))
        for (int d = 0; d < 4; d++) XC_TRY(same_dim(c, dim(c, 3, d), sdims[d], "a past_state dim (B, kv_num_heads, d_k, d_v)"));
    for (int i = 1; i < 6; i++)
        if (present(c, i) && i != 3 && c->in[i].dtype != XC_UNDEFINED && c->in[0].dtype != XC_UNDEFINED
            && c->in[i].dtype != c->in[0].dtype)
            return xc_infer_fail(c, "%s has dtype %s, query %s", names[i], xc_dtype_name(c->in[i].dtype),
                                 xc_dtype_name(c->in[0].dtype));
    int64_t odims[3] = {b, t, dv < 0 ? -1 : hq * dv};
    xc_infer_set(c, 0, c->in[0].dtype, 3, odims);
    if (c->n_out > 1) xc_infer_set(c, 1, present(c, 3) ? c->in[3].dtype : c->in[0].dtype, 4, sdims);
    return XC_OK;
}

static xc_status infer_causal_conv(xc_infer_ctx *c)
{
    static const char *const names[] = {"input", "weight", "bias", "past_state"};
    for (int i = 0; i < 4; i++)
        if (present(c, i)) {
            XC_TRY(xc_infer_require_type(c, i, HALF_OR_FLOAT));
            XC_TRY(require_rank(c, i, i == 2 ? 1 : 3, names[i]));
            if (i && c->in[i].dtype != XC_UNDEFINED && c->in[0].dtype != XC_UNDEFINED && c->in[i].dtype != c->in[0].dtype)
                return xc_infer_fail(c, "%s has dtype %s, input %s", names[i], xc_dtype_name(c->in[i].dtype),
                                     xc_dtype_name(c->in[0].dtype));
        }
    const char *act = xc_attr_string(c->node, "activation", "none");
    if (strcmp(act, "none") && strcmp(act, "silu") && strcmp(act, "swish"))
        return xc_infer_fail(c, "activation '%s' is not one of none, silu, swish", act);
    int64_t b = dim(c, 0, 0), ch = dim(c, 0, 1), k = dim(c, 1, 2);
    XC_TRY(same_dim(c, dim(c, 1, 0), ch, "weight's dim 0 (channels)"));
    XC_TRY(same_dim(c, dim(c, 1, 1), 1, "weight's dim 1 (depthwise)"));
    if (k == 0) return xc_infer_fail(c, "weight's kernel size is 0");
    if (present(c, 2)) XC_TRY(same_dim(c, dim(c, 2, 0), ch, "bias's length (channels)"));
    int64_t sdims[3] = {b, ch, k < 0 ? -1 : k - 1};
    if (present(c, 3))
        for (int d = 0; d < 3; d++) XC_TRY(same_dim(c, dim(c, 3, d), sdims[d], "a past_state dim (B, C, k-1)"));
    int64_t odims[3] = {b, ch, dim(c, 0, 2)};
    xc_infer_set(c, 0, c->in[0].dtype, 3, odims);
    if (c->n_out > 1) xc_infer_set(c, 1, c->in[0].dtype, 3, sdims);
    return XC_OK;
}

const xc_op_schema xc_schemas_stateful[] = {
    {"LinearAttention", 27, 3, 6, 2, 2, la_attrs, infer_linear_attention},
    {"CausalConvWithState", 27, 2, 4, 2, 2, ccs_attrs, infer_causal_conv},
    {0},
};
