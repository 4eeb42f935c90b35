/* binary.c — reference kernels of the elementwise binary family (schemas in src/ops/binary.c).
 *
 * Every op runs through one broadcast driver: output dims of size 1 are dropped and adjacent dims
 * that are contiguous in every operand are merged, so equal shapes become one flat loop, a scalar
 * operand a loop with step 0, and a broadcast row one loop per row. The innermost loop is a row
 * function generated per op and compute domain, with the element expression inlined.
 *
 * Ops compute in one of four domains: float (float32; float16/bfloat16 are loaded to float and
 * rounded on store), double, int64 (signed ints) and uint64 (unsigned ints and bool). Integer
 * results wrap modulo 2^64 and are narrowed by truncation, which equals wrapping in the narrow
 * type. Operands not already of the domain's type are converted once, before the loops. */
#include "ref.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef enum { D_F32, D_F64, D_I64, D_U64, D_COUNT } domain;
static const xc_dtype domain_dtype[D_COUNT] = {XC_FLOAT, XC_DOUBLE, XC_INT64, XC_UINT64};

static domain domain_of(xc_dtype t)
{
    if (t == XC_DOUBLE) return D_F64;
    if (xc_dtype_is_float(t)) return D_F32;
    return xc_dtype_is_signed(t) ? D_I64 : D_U64;
}

/* ---- element functions the row expressions use ---- */

/* Signed wrapping arithmetic: plain int64 overflow is undefined in C. */
static inline int64_t wrap_add(int64_t a, int64_t b) { return (int64_t)((uint64_t)a + (uint64_t)b); }
static inline int64_t wrap_sub(int64_t a, int64_t b) { return (int64_t)((uint64_t)a - (uint64_t)b); }
static inline int64_t wrap_mul(int64_t a, int64_t b) { return (int64_t)((uint64_t)a * (uint64_t)b); }

/* Integer division truncates (Div-14). Division by zero is undefined in ONNX; it gives 0, as in
 * numpy (the ONNX reference implementation), instead of trapping; INT64_MIN / -1 wraps. */
static inline int64_t div_i64(int64_t a, int64_t b) { return b == 0 ? 0 : b == -1 ? wrap_sub(0, a) : a / b; }
static inline uint64_t div_u64(uint64_t a, uint64_t b) { return b ? a / b : 0; }

/* Remainder with the dividend's sign (C %, Mod fmod=1); x % 0 gives 0 like numpy. */
static inline int64_t fmod_i64(int64_t a, int64_t b) { return b == 0 || b == -1 ? 0 : a % b; }
static inline uint64_t mod_u64(uint64_t a, uint64_t b) { return b ? a % b : 0; }

/* Remainder with the divisor's sign (Python %, Mod fmod=0). */
static inline int64_t floor_mod_i64(int64_t a, int64_t b)
{
    int64_t r = fmod_i64(a, b);
    return r != 0 && (r < 0) != (b < 0) ? r + b : r;
}

/* Floating floor-mod per Mod-28: a zero result takes B's sign; inf/nan cases come from fmod.
 * float operands are exact in double, so the float domain shares this. */
static inline double floor_mod_f64(double a, double b)
{
    double r = fmod(a, b);
    if (r == 0) return copysign(0.0, b);
    return (r < 0) != (b < 0) ? r + b : r;
}

/* Integer power by squaring, wrapping. A negative exponent gives the real result truncated:
 * 1 for base 1, +-1 for base -1, else 0 (also for base 0, where there is no real result). */
static int64_t pow_i64(int64_t a, int64_t b)
{
    if (b < 0) return a == 1 ? 1 : a == -1 ? ((b & 1) ? -1 : 1) : 0;
    uint64_t r = 1, base = (uint64_t)a;
    for (uint64_t e = (uint64_t)b; e; e >>= 1, base *= base)
        if (e & 1) r *= base;
    return (int64_t)r;
}

/* BitShift-28: a shift by a negative amount or by the full width or more leaves only the sign
 * fill. Narrow types need no special case: their values are sign- or zero-extended to 64 bits
 * and truncated back. Right shifts of negative values are arithmetic in GCC and Clang. */
static inline int64_t shl_i64(int64_t a, int64_t b) { return b < 0 || b >= 64 ? 0 : (int64_t)((uint64_t)a << b); }
static inline int64_t shr_i64(int64_t a, int64_t b) { return b < 0 || b >= 64 ? (a < 0 ? -1 : 0) : a >> b; }
static inline uint64_t shl_u64(uint64_t a, uint64_t b) { return b >= 64 ? 0 : a << b; }
static inline uint64_t shr_u64(uint64_t a, uint64_t b) { return b >= 64 ? 0 : a >> b; }

/* numpy's maximum/minimum: a NaN in either operand gives NaN. */
#define FMAX(a, b) ((a) > (b) || (a) != (a) ? (a) : (b))
#define FMIN(a, b) ((a) < (b) || (a) != (a) ? (a) : (b))

/* ---- row functions ---- */

/* y[i] = f(x0[i * step[0]], x1[i * step[1]], ...) for i < n. */
typedef void (*row_fn)(const void *const *x, const size_t *step, void *y, size_t n);

#define ROW(name, T, Y, expr)                                                                                                    \
    static void name(const void *const *x, const size_t *step, void *out, size_t n)                                              \
    {                                                                                                                            \
        const T *pa = x[0], *pb = x[1];                                                                                          \
        Y *y = out;                                                                                                              \
        for (size_t i = 0; i < n; i++, pa += step[0], pb += step[1]) {                                                           \
            T a = *pa, b = *pb;                                                                                                  \
            y[i] = (expr);                                                                                                       \
        }                                                                                                                        \
    }
#define FLOAT_ROWS(op, expr) ROW(row_##op##_f32, float, float, expr) ROW(row_##op##_f64, double, double, expr)
#define INT_ROWS(op, iexpr, uexpr) ROW(row_##op##_i64, int64_t, int64_t, iexpr) ROW(row_##op##_u64, uint64_t, uint64_t, uexpr)
#define ARITH_ROWS(op, fexpr, iexpr, uexpr) FLOAT_ROWS(op, fexpr) INT_ROWS(op, iexpr, uexpr)
#define COMPARE_ROWS(op, expr)                                                                                                   \
    ROW(row_##op##_f32, float, uint8_t, expr)                                                                                    \
    ROW(row_##op##_f64, double, uint8_t, expr)                                                                                   \
    ROW(row_##op##_i64, int64_t, uint8_t, expr) ROW(row_##op##_u64, uint64_t, uint8_t, expr)
#define ALL_DOMAINS(op)                                                                                                          \
    {                                                                                                                            \
        row_##op##_f32, row_##op##_f64, row_##op##_i64, row_##op##_u64                                                           \
    }
#define INT_DOMAINS(op)                                                                                                          \
    {                                                                                                                            \
        NULL, NULL, row_##op##_i64, row_##op##_u64                                                                               \
    }

ARITH_ROWS(add, a + b, wrap_add(a, b), a + b)
ARITH_ROWS(sub, a - b, wrap_sub(a, b), a - b)
ARITH_ROWS(mul, a *b, wrap_mul(a, b), a *b)
ARITH_ROWS(div, a / b, div_i64(a, b), div_u64(a, b))
ARITH_ROWS(fmod, fmod(a, b), fmod_i64(a, b), mod_u64(a, b))
ARITH_ROWS(floor_mod, floor_mod_f64(a, b), floor_mod_i64(a, b), mod_u64(a, b))
ARITH_ROWS(max, FMAX(a, b), a > b ? a : b, a > b ? a : b)
ARITH_ROWS(min, FMIN(a, b), a < b ? a : b, a < b ? a : b)
/* Float powers are computed in double and rounded once on store. */
FLOAT_ROWS(pow, pow(a, b))
ROW(row_pow_i64, int64_t, int64_t, pow_i64(a, b))
FLOAT_ROWS(prelu, a < 0 ? a * b : a)
ROW(row_prelu_i64, int64_t, int64_t, a < 0 ? wrap_mul(a, b) : a)
COMPARE_ROWS(equal, a == b)
COMPARE_ROWS(less, a < b)
COMPARE_ROWS(less_equal, a <= b)
COMPARE_ROWS(greater, a > b)
COMPARE_ROWS(greater_equal, a >= b)
ROW(row_and_u64, uint64_t, uint8_t, a &&b)
ROW(row_or_u64, uint64_t, uint8_t, a || b)
ROW(row_xor_u64, uint64_t, uint8_t, !a != !b)
INT_ROWS(bit_and, a &b, a &b)
INT_ROWS(bit_or, a | b, a | b)
INT_ROWS(bit_xor, a ^ b, a ^ b)
INT_ROWS(shl, shl_i64(a, b), shl_u64(a, b))
INT_ROWS(shr, shr_i64(a, b), shr_u64(a, b))

/* Where's rows only move elements, so they go by element size. */
#define WHERE_ROW(name, T)                                                                                                       \
    static void name(const void *const *x, const size_t *step, void *out, size_t n)                                              \
    {                                                                                                                            \
        const uint8_t *cond = x[0];                                                                                              \
        const T *pa = x[1], *pb = x[2];                                                                                          \
        T *y = out;                                                                                                              \
        for (size_t i = 0; i < n; i++, cond += step[0], pa += step[1], pb += step[2]) y[i] = *cond ? *pa : *pb;                  \
    }
WHERE_ROW(row_where_8, uint8_t)
WHERE_ROW(row_where_16, uint16_t)
WHERE_ROW(row_where_32, uint32_t)
WHERE_ROW(row_where_64, uint64_t)

/* Per op, its row in each domain; NULL where the op takes no such dtype (the schema rejects it). */
typedef row_fn domain_rows[D_COUNT];

static const struct {
    const char *op_type;
    domain_rows fn;
} plain_ops[] = {
    {"Add", ALL_DOMAINS(add)},
    {"Sub", ALL_DOMAINS(sub)},
    {"Mul", ALL_DOMAINS(mul)},
    {"Div", ALL_DOMAINS(div)},
    {"Max", ALL_DOMAINS(max)},
    {"Min", ALL_DOMAINS(min)},
    {"Equal", ALL_DOMAINS(equal)},
    {"Less", ALL_DOMAINS(less)},
    {"LessOrEqual", ALL_DOMAINS(less_equal)},
    {"Greater", ALL_DOMAINS(greater)},
    {"GreaterOrEqual", ALL_DOMAINS(greater_equal)},
    {"And", {NULL, NULL, NULL, row_and_u64}},
    {"Or", {NULL, NULL, NULL, row_or_u64}},
    {"Xor", {NULL, NULL, NULL, row_xor_u64}},
    {"BitwiseAnd", INT_DOMAINS(bit_and)},
    {"BitwiseOr", INT_DOMAINS(bit_or)},
    {"BitwiseXor", INT_DOMAINS(bit_xor)},
};
static const domain_rows pow_rows = {row_pow_f32, row_pow_f64, row_pow_i64, NULL};
static const domain_rows prelu_rows = {row_prelu_f32, row_prelu_f64, row_prelu_i64, NULL};
static const domain_rows fmod_rows = ALL_DOMAINS(fmod);
static const domain_rows floor_mod_rows = ALL_DOMAINS(floor_mod);
static const domain_rows shl_rows = INT_DOMAINS(shl);
static const domain_rows shr_rows = INT_DOMAINS(shr);
static const domain_rows add_rows = ALL_DOMAINS(add);
static const domain_rows bit_xor_rows = INT_DOMAINS(bit_xor);

/* ---- the broadcast driver ---- */

/* Data of one dtype seen with a shape that broadcasts (numpy, right-aligned) to the output's. */
typedef struct operand {
    const void *data;
    xc_dtype dtype;
    int rank;
    int64_t dims[XC_MAX_RANK];
} operand;

#define MAX_ROW_INPUTS 3

static size_t dims_numel(int rank, const int64_t *dims)
{
    size_t n = 1;
    for (int k = 0; k < rank; k++) n *= (size_t)dims[k];
    return n;
}

/* Element strides of x viewed with the output's shape: 0 along broadcast axes. */
static void view_strides(const operand *x, int rank, int64_t *strides)
{
    int64_t step = 1;
    for (int k = rank - 1; k >= 0; k--) {
        int kx = k - (rank - x->rank);
        int64_t d = kx >= 0 ? x->dims[kx] : 1;
        strides[k] = d == 1 ? 0 : step;
        step *= d;
    }
}

/* Runs fn over the output shape (rank, dims), y contiguous with elements of y_esz bytes. */
static void broadcast_rows(int rank, const int64_t *dims, int n, const operand *x, void *y, size_t y_esz, row_fn fn)
{
    int64_t st[MAX_ROW_INPUTS][XC_MAX_RANK], cst[MAX_ROW_INPUTS][XC_MAX_RANK], cd[XC_MAX_RANK];
    int r = 0;
    for (int i = 0; i < n; i++) view_strides(&x[i], rank, st[i]);
    for (int k = 0; k < rank; k++) {
        if (dims[k] == 1) continue;
        int merge = r > 0; /* dim k continues the previous one in every operand */
        for (int i = 0; merge && i < n; i++) merge = cst[i][r - 1] == st[i][k] * dims[k];
        if (merge)
            cd[r - 1] *= dims[k];
        else
            cd[r++] = dims[k];
        for (int i = 0; i < n; i++) cst[i][r - 1] = st[i][k];
    }
    size_t inner = r ? (size_t)cd[r - 1] : 1, outer = dims_numel(r, cd) / inner, step[MAX_ROW_INPUTS];
    for (int i = 0; i < n; i++) step[i] = r ? (size_t)cst[i][r - 1] : 0;
    for (size_t o = 0; o < outer; o++) {
        const void *p[MAX_ROW_INPUTS];
        for (int i = 0; i < n; i++)
            p[i] = (const char *)x[i].data + xc_ref_offset((int64_t)o, r - 1, cd, cst[i]) * (int64_t)xc_dtype_size(x[i].dtype);
        fn(p, step, (char *)y + o * inner * y_esz, inner);
    }
}

/* ---- domain conversion ---- */

/* *out = x in domain d: x itself when it has the domain's type, else a converted copy returned
 * in *owned for the caller to free. */
static xc_status to_domain(const xc_ref_args *a, const operand *x, domain d, operand *out, void **owned)
{
    *out = *x;
    *owned = NULL;
    if (x->dtype == domain_dtype[d]) return XC_OK;
    size_t n = dims_numel(x->rank, x->dims);
    void *buf = malloc(n ? n * xc_dtype_size(domain_dtype[d]) : 1);
    if (!buf) return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory converting an input");
    if (d == D_F32)
        for (size_t i = 0; i < n; i++) ((float *)buf)[i] = xc_load_f32(x->dtype, x->data, i);
    else if (d == D_F64 && x->dtype == XC_FLOAT) /* Sum/Mean of float32: keep the switch out of the loop */
        for (size_t i = 0; i < n; i++) ((double *)buf)[i] = ((const float *)x->data)[i];
    else if (d == D_F64)
        for (size_t i = 0; i < n; i++) ((double *)buf)[i] = xc_load_f64(x->dtype, x->data, i);
    else /* both integer domains hold 64-bit patterns; unsigned values round-trip through int64 */
        for (size_t i = 0; i < n; i++) ((int64_t *)buf)[i] = xc_load_i64(x->dtype, x->data, i);
    out->data = buf;
    out->dtype = domain_dtype[d];
    *owned = buf;
    return XC_OK;
}

/* The buffer results are computed into: y's data when it has the domain's type (bool results
 * always do), else a temporary that acc_close() narrows into y. */
static xc_status acc_open(const xc_ref_args *a, xc_tensor *y, domain d, void **acc)
{
    *acc = y->data;
    if (y->dtype == XC_BOOL || y->dtype == domain_dtype[d]) return XC_OK;
    *acc = malloc(xc_tensor_numel(y) * xc_dtype_size(domain_dtype[d]));
    return *acc ? XC_OK : xc_ref_fail(a, XC_ERR_NOMEM, "out of memory for the result");
}

static void acc_close(xc_tensor *y, domain d, void *acc)
{
    if (acc == y->data) return;
    size_t n = xc_tensor_numel(y);
    if (d == D_F32)
        for (size_t i = 0; i < n; i++) xc_store_f32(y->dtype, y->data, i, ((const float *)acc)[i]);
    else if (d == D_F64 && y->dtype == XC_FLOAT)
        for (size_t i = 0; i < n; i++) ((float *)y->data)[i] = (float)((const double *)acc)[i];
    else if (d == D_F64)
        for (size_t i = 0; i < n; i++) xc_store_f64(y->dtype, y->data, i, ((const double *)acc)[i]);
    else
        for (size_t i = 0; i < n; i++) xc_store_i64(y->dtype, y->data, i, ((const int64_t *)acc)[i]);
    free(acc);
}

static size_t acc_esz(const xc_tensor *y, domain d) { return y->dtype == XC_BOOL ? 1 : xc_dtype_size(domain_dtype[d]); }

/* acc = x[0] op x[1] op ... op x[n-1], left to right, each broadcast to y's shape. */
static xc_status fold(const xc_ref_args *a, row_fn fn, domain d, int n, const operand *x, const xc_tensor *y, void *acc)
{
    operand in[2];
    void *owned0, *owned1;
    XC_TRY(to_domain(a, &x[0], d, &in[0], &owned0));
    if (n == 1) memcpy(acc, in[0].data, xc_tensor_numel(y) * acc_esz(y, d));
    for (int i = 1; i < n; i++) {
        xc_status s = to_domain(a, &x[i], d, &in[1], &owned1);
        if (s != XC_OK) {
            free(owned0);
            return s;
        }
        broadcast_rows(y->rank, y->dims, 2, in, acc, acc_esz(y, d), fn);
        free(owned1);
        in[0] = (operand){acc, domain_dtype[d], y->rank, {0}};
        memcpy(in[0].dims, y->dims, sizeof y->dims);
    }
    free(owned0);
    return XC_OK;
}

/* ---- operands of a node ---- */

static operand operand_of(const xc_tensor *t)
{
    operand x = {t->data, t->dtype, t->rank, {0}};
    memcpy(x.dims, t->dims, sizeof t->dims);
    return x;
}

/* Legacy broadcast: b's dims placed at [axis, axis + rank) of a rank-`rank` shape of ones. The
 * schema has checked that they fit. */
static operand placed_at(const xc_tensor *b, int rank, int axis)
{
    operand x = {b->data, b->dtype, rank, {0}};
    for (int k = 0; k < rank; k++) x.dims[k] = k >= axis && k < axis + b->rank ? b->dims[k - axis] : 1;
    return x;
}

/* The node's inputs as operands (NULL when out of memory); before opset 7, broadcast=1
 * places input 1 at `axis`. */
static operand *node_operands(const xc_ref_args *a)
{
    operand *x = calloc((size_t)a->n_in, sizeof *x);
    if (!x) return NULL;
    for (int i = 0; i < a->n_in; i++) x[i] = operand_of(a->in[i]);
    if (a->opset < 7 && a->n_in == 2 && xc_attr_int(a->node, "broadcast", 0)) {
        int ra = a->in[0]->rank, rb = a->in[1]->rank;
        int64_t axis = xc_attr_int(a->node, "axis", ra - rb);
        x[1] = placed_at(a->in[1], ra, (int)(axis < 0 ? axis + ra : axis));
    }
    return x;
}

/* y = x[0] op x[1] op ... op x[n-1] with op's row fn in domain d; with `average` the result is
 * then divided by n (Mean, whose domain is double). */
static xc_status compute(xc_ref_args *a, row_fn fn, domain d, int n, const operand *x, int average)
{
    xc_tensor *y = a->out[0];
    if (!fn) return xc_ref_fail(a, XC_ERR_UNSUPPORTED, "no kernel for %s inputs", xc_dtype_name(x[0].dtype));
    size_t numel = xc_tensor_numel(y);
    if (!numel) return XC_OK;
    void *acc;
    XC_TRY(acc_open(a, y, d, &acc));
    xc_status s = fold(a, fn, d, n, x, y, acc);
    for (size_t i = 0; average && i < numel; i++) ((double *)acc)[i] /= n;
    acc_close(y, d, acc);
    return s;
}

/* Runs the op's row for domain d over all inputs of the node. */
static xc_status run_rows(xc_ref_args *a, const domain_rows fn, domain d, int average)
{
    operand *x = node_operands(a);
    if (!x) return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
    xc_status s = compute(a, fn[d], d, a->n_in, x, average);
    free(x);
    return s;
}

/* ---- kernels ---- */

/* Ops whose row depends only on the op type and the inputs' dtype. */
static xc_status ref_plain(xc_ref_args *a)
{
    if (a->in[0]->dtype == XC_STRING) return xc_ref_string_equal(a); /* inference lets only Equal take strings */
    size_t k = 0;
    while (strcmp(plain_ops[k].op_type, a->node->op_type)) k++; /* the kernel table lists only these ops */
    return run_rows(a, plain_ops[k].fn, domain_of(a->in[0]->dtype), 0);
}

/* Pow: integer base and exponent stay integer; a float32-family pair computes in float; any
 * other mix in double. The result is stored in the base's dtype (ints truncate, as Cast). */
static xc_status ref_pow(xc_ref_args *a)
{
    domain db = domain_of(a->in[0]->dtype), de = domain_of(a->in[1]->dtype);
    int ints = (db == D_I64 || db == D_U64) && (de == D_I64 || de == D_U64);
    return run_rows(a, pow_rows, ints ? D_I64 : db == D_F32 && de == D_F32 ? D_F32 : D_F64, 0);
}

static xc_status ref_mod(xc_ref_args *a)
{
    return run_rows(a, xc_attr_int(a->node, "fmod", 0) ? fmod_rows : floor_mod_rows, domain_of(a->in[0]->dtype), 0);
}

static xc_status ref_bitshift(xc_ref_args *a)
{
    const char *dir = xc_attr_string(a->node, "direction", "");
    return run_rows(a, strcmp(dir, "LEFT") ? shr_rows : shl_rows, domain_of(a->in[0]->dtype), 0);
}

/* Sum and Mean accumulate in double (inputs in order) and round once on store. */
static xc_status ref_sum(xc_ref_args *a) { return run_rows(a, add_rows, D_F64, 0); }
static xc_status ref_mean(xc_ref_args *a) { return run_rows(a, add_rows, D_F64, 1); }

/* BitwiseNot(x) = x ^ all-ones. */
static xc_status ref_bitwise_not(xc_ref_args *a)
{
    domain d = domain_of(a->in[0]->dtype);
    const int64_t ones = -1;
    operand x[2] = {operand_of(a->in[0]), {&ones, domain_dtype[d], 0, {0}}};
    return compute(a, bit_xor_rows[d], d, 2, x, 0);
}

/* PRelu: y = x < 0 ? slope * x : x, the slope broadcast to x's shape. Before opset 7 a slope of
 * more than one value runs along the channel axis 1 (unless it has x's rank). */
static xc_status ref_prelu(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0], *slope = a->in[1];
    operand in[2] = {operand_of(x), operand_of(slope)};
    if (xc_tensor_numel(slope) == 1)
        in[1].rank = 0;
    else if (a->opset < 7)
        in[1] = placed_at(slope, x->rank, slope->rank < x->rank ? 1 : 0);
    domain d = domain_of(x->dtype);
    return compute(a, prelu_rows[d], d, 2, in, 0);
}

static xc_status ref_where(xc_ref_args *a)
{
    xc_tensor *y = a->out[0];
    size_t esz = xc_dtype_size(y->dtype);
    row_fn fn = esz == 1 ? row_where_8 : esz == 2 ? row_where_16 : esz == 4 ? row_where_32 : esz == 8 ? row_where_64 : NULL;
    if (!fn) return xc_ref_fail(a, XC_ERR_UNSUPPORTED, "Where has no kernel for %s", xc_dtype_name(y->dtype));
    operand x[3] = {operand_of(a->in[0]), operand_of(a->in[1]), operand_of(a->in[2])};
    if (xc_tensor_numel(y)) broadcast_rows(y->rank, y->dims, 3, x, y->data, esz, fn);
    return XC_OK;
}

const xc_ref_kernel xc_ref_binary[] = {
    {"Add", ref_plain},
    {"Sub", ref_plain},
    {"Mul", ref_plain},
    {"Div", ref_plain},
    {"Max", ref_plain},
    {"Min", ref_plain},
    {"Equal", ref_plain},
    {"Less", ref_plain},
    {"LessOrEqual", ref_plain},
    {"Greater", ref_plain},
    {"GreaterOrEqual", ref_plain},
    {"And", ref_plain},
    {"Or", ref_plain},
    {"Xor", ref_plain},
    {"BitwiseAnd", ref_plain},
    {"BitwiseOr", ref_plain},
    {"BitwiseXor", ref_plain},
    {"BitwiseNot", ref_bitwise_not},
    {"Pow", ref_pow},
    {"Mod", ref_mod},
    {"BitShift", ref_bitshift},
    {"Sum", ref_sum},
    {"Mean", ref_mean},
    {"PRelu", ref_prelu},
    {"Where", ref_where},
    {0},
};
