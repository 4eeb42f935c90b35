/* reduce.c — reference kernels of the Reduce* operators.
 *
 * One driver serves them all: for each output position it walks the input positions that fold
 * into it (an odometer over the reduced axes) and folds them with the op's step, then applies
 * the op's finish. Floats accumulate in double, so the oracle's sums barely depend on the order
 * of summation; integers accumulate in int64, which stays exact where a double would round
 * (above 2^53) and wraps like numpy on overflow. */
#include "ref.h"
#include <math.h>
#include <string.h>

/* The fold's starting value, which is also the result over an empty set (before finish). */
typedef enum { ID_ZERO, ID_ONE, ID_LOWEST, ID_HIGHEST } identity;

typedef struct reduce_op {
    const char *op_type;
    identity start;
    double (*step_f)(double acc, double x);
    int64_t (*step_i)(int64_t acc, int64_t x);  /* NULL: integer inputs take the double path */
    double (*finish)(double acc, double count); /* NULL: the accumulator is the result */
} reduce_op;

static double add_f(double acc, double x) { return acc + x; }
static double mul_f(double acc, double x) { return acc * x; }
static double abs_add_f(double acc, double x) { return acc + fabs(x); }
static double square_add_f(double acc, double x) { return acc + x * x; }
static double exp_add_f(double acc, double x) { return acc + exp(x); }
/* NaN wins, as with numpy's maximum/minimum. */
static double max_f(double acc, double x) { return x > acc || isnan(x) ? x : acc; }
static double min_f(double acc, double x) { return x < acc || isnan(x) ? x : acc; }

/* Sums and products go through uint64 so overflow wraps (signed overflow is undefined in C). */
static int64_t add_i(int64_t acc, int64_t x) { return (int64_t)((uint64_t)acc + (uint64_t)x); }
static int64_t mul_i(int64_t acc, int64_t x) { return (int64_t)((uint64_t)acc * (uint64_t)x); }
static int64_t abs_add_i(int64_t acc, int64_t x) { return add_i(acc, x < 0 ? (int64_t)(0 - (uint64_t)x) : x); }
static int64_t square_add_i(int64_t acc, int64_t x) { return add_i(acc, mul_i(x, x)); }
static int64_t max_i(int64_t acc, int64_t x) { return x > acc ? x : acc; }
static int64_t min_i(int64_t acc, int64_t x) { return x < acc ? x : acc; }

static double mean(double acc, double count) { return acc / count; }
static double root(double acc, double count)
{
    (void)count;
    return sqrt(acc);
}
static double logarithm(double acc, double count)
{
    (void)count;
    return log(acc);
}

/* LogSumExp is exp-summed in double without a max shift: exact to the spec's formula, and
 * double's range holds exp(x) for every x up to 709, far beyond float32 activations. */
static const reduce_op reduce_ops[] = {
    {"ReduceSum", ID_ZERO, add_f, add_i, NULL},
    {"ReduceMean", ID_ZERO, add_f, add_i, mean},
    {"ReduceProd", ID_ONE, mul_f, mul_i, NULL},
    {"ReduceMax", ID_LOWEST, max_f, max_i, NULL},
    {"ReduceMin", ID_HIGHEST, min_f, min_i, NULL},
    {"ReduceL1", ID_ZERO, abs_add_f, abs_add_i, NULL},
    {"ReduceL2", ID_ZERO, square_add_f, square_add_i, root},
    {"ReduceSumSquare", ID_ZERO, square_add_f, square_add_i, NULL},
    {"ReduceLogSum", ID_ZERO, add_f, add_i, logarithm},
    {"ReduceLogSumExp", ID_ZERO, exp_add_f, NULL, logarithm},
};

static double start_f(identity id)
{
    switch (id) {
    case ID_ONE: return 1;
    case ID_LOWEST: return -INFINITY;
    case ID_HIGHEST: return INFINITY;
    default: return 0;
    }
}

/* Integer starting values; Max and Min start from the dtype's own extremes so that an empty
 * set gives what numpy gives (bool: false for Max, true for Min). */
static int64_t start_i(identity id, xc_dtype t)
{
    int64_t lo = INT64_MIN, hi = INT64_MAX;
    switch (t) {
    case XC_BOOL: lo = 0, hi = 1; break;
    case XC_UINT8: lo = 0, hi = UINT8_MAX; break;
    case XC_INT8: lo = INT8_MIN, hi = INT8_MAX; break;
    case XC_UINT16: lo = 0, hi = UINT16_MAX; break;
    case XC_INT16: lo = INT16_MIN, hi = INT16_MAX; break;
    case XC_UINT32: lo = 0, hi = UINT32_MAX; break;
    case XC_INT32: lo = INT32_MIN, hi = INT32_MAX; break;
    default: break;
    }
    return id == ID_LOWEST ? lo : id == ID_HIGHEST ? hi : id == ID_ONE ? 1 : 0;
}

/* Where the positions of one output sit in the input: the kept axes locate the output's first
 * input position, the reduced axes are walked from there. */
typedef struct reduce_plan {
    int kept_rank, red_rank;
    int64_t kept_dims[XC_MAX_RANK], kept_strides[XC_MAX_RANK];
    int64_t red_dims[XC_MAX_RANK], red_strides[XC_MAX_RANK];
    int64_t count; /* input positions per output */
} reduce_plan;

/* The reduced axes, from the axes attribute or input 1 (inference has checked them): the listed
 * ones, or all when none are listed, or none under noop_with_empty_axes. */
static xc_status reduced_axes(const xc_ref_args *a, int rank, int *reduced)
{
    const int64_t *attr = NULL;
    size_t n = 0;
    const xc_tensor *list = a->n_in > 1 ? a->in[1] : NULL;
    if (!xc_attr_ints(a->node, "axes", &attr, &n) && list) n = xc_tensor_numel(list);
    int noop = xc_attr_int(a->node, "noop_with_empty_axes", 0) != 0;
    for (int k = 0; k < rank; k++) reduced[k] = n == 0 && !noop;
    for (size_t j = 0; j < n; j++) {
        int64_t ax = attr ? attr[j] : xc_load_i64(list->dtype, list->data, j);
        if (ax < 0) ax += rank;
        if (ax < 0 || ax >= rank)
            return xc_ref_fail(a, XC_ERR_MODEL, "axis %lld is out of range for rank %d", (long long)ax, rank);
        reduced[ax] = 1;
    }
    return XC_OK;
}

static xc_status plan_reduce(const xc_ref_args *a, reduce_plan *p)
{
    const xc_tensor *x = a->in[0];
    int reduced[XC_MAX_RANK];
    int64_t strides[XC_MAX_RANK];
    XC_TRY(reduced_axes(a, x->rank, reduced));
    xc_ref_strides(x->rank, x->dims, strides);
    p->kept_rank = p->red_rank = 0;
    p->count = 1;
    for (int k = 0; k < x->rank; k++) {
        if (reduced[k]) {
            p->red_dims[p->red_rank] = x->dims[k];
            p->red_strides[p->red_rank++] = strides[k];
            p->count *= x->dims[k];
        } else {
            p->kept_dims[p->kept_rank] = x->dims[k];
            p->kept_strides[p->kept_rank++] = strides[k];
        }
    }
    return XC_OK;
}

/* Advances the odometer over the reduced axes; returns the next input offset. */
static inline int64_t next_offset(const reduce_plan *p, int64_t *idx, int64_t off)
{
    for (int k = p->red_rank - 1; k >= 0; k--) {
        off += p->red_strides[k];
        if (++idx[k] < p->red_dims[k]) return off;
        off -= p->red_strides[k] * p->red_dims[k];
        idx[k] = 0;
    }
    return off;
}

static double fold_f(const reduce_op *op, const reduce_plan *p, const xc_tensor *x, int64_t off)
{
    const float *xf = x->dtype == XC_FLOAT ? x->data : NULL; /* float32 fast path */
    int64_t idx[XC_MAX_RANK] = {0};
    double acc = start_f(op->start);
    for (int64_t j = 0; j < p->count; j++) {
        acc = op->step_f(acc, xf ? xf[off] : xc_load_f64(x->dtype, x->data, (size_t)off));
        off = next_offset(p, idx, off);
    }
    return op->finish ? op->finish(acc, (double)p->count) : acc;
}

static int64_t fold_i(const reduce_op *op, const reduce_plan *p, const xc_tensor *x, int64_t off)
{
    int64_t idx[XC_MAX_RANK] = {0};
    int64_t acc = start_i(op->start, x->dtype);
    for (int64_t j = 0; j < p->count; j++) {
        acc = op->step_i(acc, xc_load_i64(x->dtype, x->data, (size_t)off));
        off = next_offset(p, idx, off);
    }
    return acc;
}

/* Every Reduce*: the output has the kept axes in order, whether keepdims left 1s or not. */
static xc_status ref_reduce(xc_ref_args *a)
{
    const reduce_op *op = NULL;
    for (size_t k = 0; k < sizeof reduce_ops / sizeof reduce_ops[0]; k++)
        if (!strcmp(reduce_ops[k].op_type, a->node->op_type)) op = &reduce_ops[k];
    if (!op) return xc_ref_fail(a, XC_ERR_INTERNAL, "no reduction named %s", a->node->op_type);
    reduce_plan p;
    XC_TRY(plan_reduce(a, &p));
    const xc_tensor *x = a->in[0];
    xc_tensor *y = a->out[0];
    int ints = op->step_i && !xc_dtype_is_float(x->dtype);
    size_t n = xc_tensor_numel(y);
    for (size_t o = 0; o < n; o++) {
        int64_t base = xc_ref_offset((int64_t)o, p.kept_rank, p.kept_dims, p.kept_strides);
        if (!ints) {
            xc_store_f64(y->dtype, y->data, o, fold_f(op, &p, x, base));
        } else {
            int64_t acc = fold_i(op, &p, x, base);
            if (op->finish)
                xc_store_f64(y->dtype, y->data, o, op->finish((double)acc, (double)p.count));
            else
                xc_store_i64(y->dtype, y->data, o, acc);
        }
    }
    return XC_OK;
}

const xc_ref_kernel xc_ref_reduce[] = {
    {"ReduceSum", ref_reduce},
    {"ReduceMean", ref_reduce},
    {"ReduceProd", ref_reduce},
    {"ReduceMax", ref_reduce},
    {"ReduceMin", ref_reduce},
    {"ReduceL1", ref_reduce},
    {"ReduceL2", ref_reduce},
    {"ReduceSumSquare", ref_reduce},
    {"ReduceLogSum", ref_reduce},
    {"ReduceLogSumExp", ref_reduce},
    {0},
};
