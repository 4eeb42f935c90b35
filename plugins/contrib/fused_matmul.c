/* fused_matmul.c — com.microsoft FusedMatMul (what ONNX Runtime fuses Transpose + MatMul + Mul
 * by a scalar into): Y = alpha * op(A) @ op(B), op transposing the last two axes when transA /
 * transB is 1, batch axes broadcast as numpy's matmul does. Both inputs need rank >= 2;
 * transBatchA / transBatchB other than 0 are refused as unsupported. Dot products accumulate
 * in double in k order. */
#include "contrib.h"

typedef struct mm_attrs {
    float alpha;
    int64_t ta, tb;
} mm_attrs;

static xc_status read_attrs(const xc_plugin_node *n, mm_attrs *a)
{
    int64_t tba = 0, tbb = 0;
    a->alpha = 1.0f, a->ta = 0, a->tb = 0;
    xc_plugin_attr_float(n, "alpha", &a->alpha);
    xc_plugin_attr_int(n, "transA", &a->ta);
    xc_plugin_attr_int(n, "transB", &a->tb);
    xc_plugin_attr_int(n, "transBatchA", &tba);
    xc_plugin_attr_int(n, "transBatchB", &tbb);
    if (tba || tbb) return xc_plugin_fail(n, XC_ERR_UNSUPPORTED, "transBatchA / transBatchB are not implemented");
    return XC_OK;
}

/* The output's shape from A's and B's (dims -1 where unknown); fails on a mismatch. */
static xc_status out_shape(const xc_plugin_node *n, const mm_attrs *at, int ra, const int64_t *a, int rb, const int64_t *b,
                           int *rank, int64_t *dims)
{
    if (ra < 2 || rb < 2) return xc_plugin_fail(n, XC_ERR_UNSUPPORTED, "inputs of rank below 2 are not implemented");
    int64_t m = a[ra - 2 + (int)!!at->ta], ka = a[ra - 1 - (int)!!at->ta];
    int64_t kb = b[rb - 2 + (int)!!at->tb], nn = b[rb - 1 - (int)!!at->tb];
    if (ka >= 0 && kb >= 0 && ka != kb)
        return xc_plugin_fail(n, XC_ERR_MODEL, "the inner dims differ (%lld vs %lld)", (long long)ka, (long long)kb);
    int r = (ra > rb ? ra : rb);
    for (int k = 0; k < r - 2; k++) {
        int ia = k - (r - ra), ib = k - (r - rb);
        int64_t da = ia >= 0 ? a[ia] : 1, db = ib >= 0 ? b[ib] : 1;
        if (da >= 0 && db >= 0 && da != db && da != 1 && db != 1)
            return xc_plugin_fail(n, XC_ERR_MODEL, "batch dims %lld and %lld do not broadcast", (long long)da, (long long)db);
        dims[k] = da == 1 ? db : db == 1 ? da : da >= 0 ? da : db;
    }
    dims[r - 2] = m;
    dims[r - 1] = nn;
    *rank = r;
    return XC_OK;
}

static xc_status infer(const xc_plugin_node *n, int n_in, const xc_plugin_shape *in, int n_out, xc_plugin_shape *out)
{
    (void)n_out;
    mm_attrs at;
    xc_status s = contrib_require_float(n, n_in, in);
    if (s == XC_OK) s = read_attrs(n, &at);
    if (s != XC_OK) return s;
    out[0].dtype = XC_FLOAT;
    if (in[0].rank < 0 || in[1].rank < 0) return XC_OK;
    return out_shape(n, &at, in[0].rank, in[0].dims, in[1].rank, in[1].dims, &out[0].rank, out[0].dims);
}

/* Offset of batch index `bi` (over the output's batch dims) in a tensor with its own dims. */
static size_t batch_offset(size_t bi, int r, const int64_t *out_dims, int rt, const int64_t *t_dims, size_t mat)
{
    size_t off = 0, stride = mat;
    for (int k = r - 3; k >= 0; k--) {
        size_t idx = bi % (size_t)out_dims[k];
        bi /= (size_t)out_dims[k];
        int kt = k - (r - rt);
        if (kt < 0) continue;
        if (t_dims[kt] != 1) off += idx * stride;
        stride *= (size_t)t_dims[kt];
    }
    return off;
}

static xc_status compute(const xc_plugin_node *n, int n_in, const xc_tensor *const *in, int n_out, xc_tensor **out)
{
    (void)n_in, (void)n_out;
    mm_attrs at;
    int rank;
    int64_t dims[XC_MAX_RANK];
    const xc_tensor *A = in[0], *B = in[1];
    int ra = xc_tensor_rank(A), rb = xc_tensor_rank(B);
    const int64_t *da = xc_tensor_dims(A), *db = xc_tensor_dims(B);
    xc_status s = read_attrs(n, &at);
    if (s == XC_OK) s = out_shape(n, &at, ra, da, rb, db, &rank, dims);
    if (s == XC_OK && !out[0]) s = xc_tensor_new(XC_FLOAT, rank, dims, &out[0]);
    if (s != XC_OK) return s;
    size_t M = (size_t)dims[rank - 2], N = (size_t)dims[rank - 1], K = (size_t)da[ra - 1 - (int)!!at.ta];
    size_t batches = 1;
    for (int k = 0; k < rank - 2; k++) batches *= (size_t)dims[k];
    const float *pa = xc_tensor_data(A), *pb = xc_tensor_data(B);
    float *y = xc_tensor_data(out[0]);
    for (size_t bi = 0; bi < batches; bi++) {
        const float *a = pa + batch_offset(bi, rank, dims, ra, da, M * K);
        const float *b = pb + batch_offset(bi, rank, dims, rb, db, K * N);
        for (size_t i = 0; i < M; i++)
            for (size_t j = 0; j < N; j++) {
                double acc = 0;
                for (size_t k = 0; k < K; k++) acc += (double)a[at.ta ? k * M + i : i * K + k] * b[at.tb ? j * K + k : k * N + j];
                y[(bi * M + i) * N + j] = (float)(at.alpha * acc);
            }
    }
    return XC_OK;
}

xc_status contrib_register_fused_matmul(xc_plugin_registry *r)
{
    static const xc_plugin_attr attrs[] = {{"alpha", XC_PLUGIN_ATTR_FLOAT, 0},     {"transA", XC_PLUGIN_ATTR_INT, 0},
                                           {"transB", XC_PLUGIN_ATTR_INT, 0},      {"transBatchA", XC_PLUGIN_ATTR_INT, 0},
                                           {"transBatchB", XC_PLUGIN_ATTR_INT, 0}, {0}};
    static const xc_plugin_op op = {CONTRIB_DOMAIN, "FusedMatMul", 1, 0, 2, 2, 1, 1, attrs, infer, compute, NULL, NULL};
    return xc_plugin_register_op(r, &op);
}
