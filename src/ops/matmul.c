/* matmul.c — schemas of the matrix products: Gemm, MatMul (numpy semantics) and Einsum (whose
 * equation parser lives in matmul_einsum.c, shared with the reference kernel). */
#include "matmul_einsum.h"
#include "schema.h"

/* MatMul and Gemm: floats from opset 1, 32/64-bit integers from 9, bfloat16 from 13. */
static uint32_t product_types(int opset)
{
    uint32_t t = XC_BIT(XC_FLOAT16) | XC_BIT(XC_FLOAT) | XC_BIT(XC_DOUBLE);
    if (opset >= 9) t |= XC_BIT(XC_INT32) | XC_BIT(XC_INT64) | XC_BIT(XC_UINT32) | XC_BIT(XC_UINT64);
    if (opset >= 13) t |= XC_BIT(XC_BFLOAT16);
    return t;
}

/* Checks every present input against the op's types and against input 0's dtype. */
static xc_status require_same_type(xc_infer_ctx *c, uint32_t mask)
{
    for (int i = 0; i < c->n_in; i++) {
        if (!c->in[i].present) continue;
        XC_TRY(xc_infer_require_type(c, i, mask));
        xc_dtype t0 = c->in[0].dtype, ti = c->in[i].dtype;
        if (t0 != XC_UNDEFINED && ti != XC_UNDEFINED && ti != t0)
            return xc_infer_fail(c, "input %d has dtype %s but input 0 has %s", i, xc_dtype_name(ti), xc_dtype_name(t0));
    }
    return XC_OK;
}

/* Two known-or-unknown (-1) sizes that must agree. */
static int dims_clash(int64_t a, int64_t b) { return a >= 0 && b >= 0 && a != b; }

/* ---- Gemm: Y = alpha * A' * B' + beta * C, with A' = transA ? A^T : A (2-D only) ---- */

#define GEMM7_ATTRS                                                                                                              \
    {"alpha", XC_ATTR_FLOAT, 0}, {"beta", XC_ATTR_FLOAT, 0}, {"transA", XC_ATTR_INT, 0}, { "transB", XC_ATTR_INT, 0 }
static const xc_attr_spec gemm1_attrs[] = {GEMM7_ATTRS, {"broadcast", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec gemm7_attrs[] = {GEMM7_ATTRS, {NULL, 0, 0}};

/* C must broadcast unidirectionally to (M, N); before opset 7 it must be exactly (M, N) unless
 * the `broadcast` attribute is set. */
static xc_status check_gemm_bias(xc_infer_ctx *c, const int64_t *mn)
{
    const xc_type_shape *bias = &c->in[2];
    if (c->n_in < 3 || !bias->present || bias->rank < 0) return XC_OK;
    if (bias->rank > 2) return xc_infer_fail(c, "C has rank %d, expected at most 2", bias->rank);
    int exact = c->opset < 7 && !xc_attr_int(c->node, "broadcast", 0);
    if (exact && bias->rank != 2) return xc_infer_fail(c, "C must have shape (M, N) when broadcast is 0");
    for (int k = 0; k < bias->rank; k++) {
        int64_t d = bias->dims[k], want = mn[2 - bias->rank + k];
        if ((!exact && d == 1) || !dims_clash(d, want)) continue;
        char s[128];
        return xc_infer_fail(c, "C of shape %s does not broadcast to (%lld, %lld)",
                             xc_dims_str(bias->rank, bias->dims, s, sizeof s), (long long)mn[0], (long long)mn[1]);
    }
    return XC_OK;
}

static xc_status infer_gemm(xc_infer_ctx *c)
{
    XC_TRY(require_same_type(c, product_types(c->opset)));
    const xc_type_shape *a = &c->in[0], *b = &c->in[1];
    xc_dtype t = a->dtype;
    if (a->rank < 0 || b->rank < 0) {
        xc_infer_unknown(c, 0, t);
        return XC_OK;
    }
    if (a->rank != 2 || b->rank != 2) return xc_infer_fail(c, "A and B must be 2-D, got ranks %d and %d", a->rank, b->rank);
    int ta = xc_attr_int(c->node, "transA", 0) != 0, tb = xc_attr_int(c->node, "transB", 0) != 0;
    int64_t mn[2] = {a->dims[ta ? 1 : 0], b->dims[tb ? 0 : 1]};
    int64_t ka = a->dims[ta ? 0 : 1], kb = b->dims[tb ? 1 : 0];
    if (dims_clash(ka, kb))
        return xc_infer_fail(c, "inner dimensions differ: A' is (%lld, %lld), B' is (%lld, %lld)", (long long)mn[0],
                             (long long)ka, (long long)kb, (long long)mn[1]);
    XC_TRY(check_gemm_bias(c, mn));
    xc_infer_set(c, 0, t, 2, mn);
    return XC_OK;
}

/* ---- MatMul: numpy.matmul, 1-D operands promoted then their added axis removed ---- */

xc_status xc_infer_matmul_shape(xc_infer_ctx *c, int ia, int ib, xc_dtype t, int64_t *m, int64_t *n)
{
    const xc_type_shape *a = &c->in[ia], *b = &c->in[ib];
    *m = *n = -1;
    if (a->rank < 0 || b->rank < 0) {
        xc_infer_unknown(c, 0, t);
        return XC_OK;
    }
    if (a->rank == 0 || b->rank == 0) return xc_infer_fail(c, "operands must have rank >= 1, got %d and %d", a->rank, b->rank);
    int64_t ka = a->dims[a->rank - 1], kb = b->dims[b->rank == 1 ? 0 : b->rank - 2];
    if (dims_clash(ka, kb)) return xc_infer_fail(c, "inner dimensions differ: %lld vs %lld", (long long)ka, (long long)kb);
    int rank;
    int64_t dims[XC_MAX_RANK + 1];
    int ba = a->rank > 2 ? a->rank - 2 : 0, bb = b->rank > 2 ? b->rank - 2 : 0;
    if (xc_broadcast_shape(ba, a->dims, bb, b->dims, &rank, dims) != XC_OK) {
        char lb[256];
        return xc_error_prefix(XC_ERR_MODEL, "%s: batch dimensions: ", xc_node_label(c->node, lb, sizeof lb));
    }
    *m = a->rank >= 2 ? a->dims[a->rank - 2] : 1;
    *n = b->rank >= 2 ? b->dims[b->rank - 1] : 1;
    if (a->rank >= 2) dims[rank++] = *m;
    if (b->rank >= 2) dims[rank++] = *n;
    if (rank > XC_MAX_RANK) return xc_infer_unsupported(c, "output rank %d exceeds %d", rank, XC_MAX_RANK);
    xc_infer_set(c, 0, t, rank, dims);
    return XC_OK;
}

static xc_status infer_matmul(xc_infer_ctx *c)
{
    XC_TRY(require_same_type(c, product_types(c->opset)));
    int64_t m, n;
    return xc_infer_matmul_shape(c, 0, 1, c->in[0].dtype, &m, &n);
}

/* ---- Einsum ---- */

static const xc_attr_spec einsum_attrs[] = {{"equation", XC_ATTR_STRING, 1}, {NULL, 0, 0}};

static xc_status infer_einsum(xc_infer_ctx *c)
{
    uint32_t mask = XC_T_INTS | XC_BIT(XC_FLOAT16) | XC_BIT(XC_FLOAT) | XC_BIT(XC_DOUBLE);
    if (c->opset >= 28) mask |= XC_BIT(XC_BFLOAT16);
    XC_TRY(require_same_type(c, mask));
    for (int i = 0; i < c->n_in; i++)
        if (c->in[i].rank < 0) {
            xc_infer_unknown(c, 0, c->in[0].dtype);
            return XC_OK;
        }
    xc_einsum_plan p;
    if (xc_einsum_plan_make(xc_attr_string(c->node, "equation", ""), c->n_in, c->in, &p) != XC_OK) {
        char lb[256];
        return xc_error_prefix(XC_ERR_MODEL, "%s: ", xc_node_label(c->node, lb, sizeof lb));
    }
    xc_infer_set(c, 0, c->in[0].dtype, p.out_rank, p.extent);
    return XC_OK;
}

const xc_op_schema xc_schemas_matmul[] = {
    {"Gemm", 1, 3, 3, 1, 1, gemm1_attrs, infer_gemm},        {"Gemm", 7, 3, 3, 1, 1, gemm7_attrs, infer_gemm},
    {"Gemm", 11, 2, 3, 1, 1, gemm7_attrs, infer_gemm},       {"MatMul", 1, 2, 2, 1, 1, NULL, infer_matmul},
    {"Einsum", 12, 1, -1, 1, 1, einsum_attrs, infer_einsum}, {0},
};
