/* movement.c — schemas of the data-movement operators: Transpose, Concat, Split, Slice, Expand,
 * Tile, Pad, DepthToSpace and SpaceToDepth. They accept every dtype (kernels copy bytes).
 * Output shapes that depend on input values (Slice's starts, Pad's pads, Tile's repeats,
 * Expand's shape, Split's sizes) are computed whenever the values are known, which is always the
 * case at run time. Slice and Pad resolve their arguments in xc_slice_plan / xc_pad_plan, which
 * the kernels call too, so schema and kernel cannot disagree. */
#include "schema.h"
#include "checked.h"
#include "plans.h"
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Input i's tensor, NULL when the node has no such input or it is omitted. */
static const xc_tensor *arg(int n_in, const xc_tensor *const *in, int i) { return i < n_in ? in[i] : NULL; }

/* Reads the int list `name`, at most max values: the int tensor t when from_input (t NULL:
 * omitted), else the attribute. *given says whether the list is there. */
static xc_status read_ints(const xc_node *n, int from_input, const char *name, const xc_tensor *t, int64_t *vals, size_t max,
                           size_t *count, int *given)
{
    const int64_t *v = NULL;
    *count = 0;
    *given = from_input ? t != NULL : xc_attr_ints(n, name, &v, count);
    if (!*given) return XC_OK;
    if (from_input) {
        if (t->dtype != XC_INT64 && t->dtype != XC_INT32)
            return xc_node_fail(n, XC_ERR_MODEL, "'%s' must be an int64 tensor, not %s", name, xc_dtype_name(t->dtype));
        *count = xc_tensor_numel(t);
    }
    if (*count > max) return xc_node_fail(n, XC_ERR_UNSUPPORTED, "'%s' has %zu values, more than %zu", name, *count, max);
    for (size_t k = 0; k < *count; k++) vals[k] = from_input ? xc_load_i64(t->dtype, t->data, k) : v[k];
    return XC_OK;
}

/* The values of the inputs (NULL where omitted or not known). Returns 0 when an input after the
 * data is given but its value is not known yet (load time). */
static int input_values(const xc_infer_ctx *c, const xc_tensor **v)
{
    int known = 1;
    for (int i = 0; i < c->n_in; i++) {
        v[i] = c->in[i].present ? c->in[i].value : NULL;
        if (i > 0 && c->in[i].present && !v[i]) known = 0;
    }
    return known;
}

/* Output 0 gets the input's dtype and rank with every dim unknown (rank unknown if it is). */
static void same_rank_unknown_dims(xc_infer_ctx *c)
{
    int64_t dims[XC_MAX_RANK];
    for (int k = 0; k < c->in[0].rank; k++) dims[k] = -1;
    if (c->in[0].rank < 0)
        xc_infer_unknown(c, 0, c->in[0].dtype);
    else
        xc_infer_set(c, 0, c->in[0].dtype, c->in[0].rank, dims);
}

/* d * f for a dim d (-1: unknown) and a factor f >= 0, failing on overflow. */
static xc_status scale_dim(const xc_infer_ctx *c, int64_t d, int64_t f, int64_t *out)
{
    *out = -1;
    return d < 0 ? XC_OK : xc_mul_i64(c->node, "scaled dim", d, f, out);
}

/* ---- Transpose ---- */

static xc_status infer_transpose(xc_infer_ctx *c)
{
    const xc_type_shape *x = &c->in[0];
    const int64_t *perm;
    size_t n;
    int has_perm = xc_attr_ints(c->node, "perm", &perm, &n), seen[XC_MAX_RANK] = {0};
    int64_t dims[XC_MAX_RANK];
    if (x->rank < 0) {
        xc_infer_unknown(c, 0, x->dtype);
        return XC_OK;
    }
    if (has_perm && n != (size_t)x->rank) return xc_infer_fail(c, "perm has %zu entries for rank %d", n, x->rank);
    for (int k = 0; k < x->rank; k++) {
        int64_t p = has_perm ? perm[k] : x->rank - 1 - k; /* default: reverse the axes */
        if (p < 0 || p >= x->rank || seen[p]) return xc_infer_fail(c, "perm is not a permutation of 0..%d", x->rank - 1);
        seen[p] = 1;
        dims[k] = x->dims[p];
    }
    xc_infer_set(c, 0, x->dtype, x->rank, dims);
    return XC_OK;
}

/* ---- Concat ---- */

static xc_status infer_concat(xc_infer_ctx *c)
{
    const xc_type_shape *known = NULL;
    for (int i = 0; i < c->n_in && !known; i++)
        if (c->in[i].rank >= 0) known = &c->in[i];
    if (!known) {
        xc_infer_unknown(c, 0, c->in[0].dtype);
        return XC_OK;
    }
    int axis, r = known->rank;
    if (r == 0) return xc_infer_fail(c, "cannot concatenate scalars");
    XC_TRY(xc_normalize_axis(c, xc_attr_int(c->node, "axis", 1), r, &axis)); /* opset 1 defaults to 1 */
    int64_t dims[XC_MAX_RANK];
    memcpy(dims, known->dims, sizeof dims);
    dims[axis] = 0;
    for (int i = 0; i < c->n_in; i++) {
        const xc_type_shape *x = &c->in[i];
        if (x->dtype != c->in[0].dtype) return xc_infer_fail(c, "inputs have different dtypes");
        if (x->rank >= 0 && x->rank != r) return xc_infer_fail(c, "input %d has rank %d, expected %d", i, x->rank, r);
        for (int k = 0; k < r && x->rank >= 0; k++) {
            if (k == axis) continue;
            if (dims[k] >= 0 && x->dims[k] >= 0 && dims[k] != x->dims[k])
                return xc_infer_fail(c, "input %d has size %lld on axis %d, expected %lld", i, (long long)x->dims[k], k,
                                     (long long)dims[k]);
            if (dims[k] < 0) dims[k] = x->dims[k];
        }
        if (x->rank < 0 || x->dims[axis] < 0 || dims[axis] < 0)
            dims[axis] = -1;
        else
            XC_TRY(xc_add_i64(c->node, "concatenated size", dims[axis], x->dims[axis], &dims[axis]));
    }
    xc_infer_set(c, 0, c->in[0].dtype, r, dims);
    return XC_OK;
}

/* ---- Split ---- */

/* Equal parts of dim along axis; from opset 18 the last part may be smaller. */
static xc_status equal_split(xc_infer_ctx *c, int axis, int64_t dim)
{
    int n = c->n_out;
    int64_t num = xc_attr_int(c->node, "num_outputs", n);
    if (num != n) return xc_infer_fail(c, "num_outputs is %lld but the node has %d outputs", (long long)num, n);
    if (dim >= 0 && c->opset < 18 && dim % n)
        return xc_infer_fail(c, "size %lld does not split into %d equal parts", (long long)dim, n);
    int64_t chunk = dim < 0 ? -1 : dim / n + (dim % n != 0), last = dim < 0 ? -1 : dim - chunk * (n - 1);
    if (dim >= 0 && last < 0) return xc_infer_fail(c, "size %lld does not split into %d parts", (long long)dim, n);
    for (int o = 0; o < n; o++) c->out[o].dims[axis] = o < n - 1 ? chunk : last;
    return XC_OK;
}

/* Sets every output's size along axis: from the split list (input 1 in opsets 1 and 13+, the
 * attribute in opsets 1-11) when given, else equal parts. */
static xc_status split_sizes(xc_infer_ctx *c, int axis, int64_t dim)
{
    const int64_t *attr = NULL;
    size_t count = 0;
    int from_input = c->n_in > 1 && c->in[1].present;
    if (!from_input && !xc_attr_ints(c->node, "split", &attr, &count)) return equal_split(c, axis, dim);
    const xc_tensor *t = from_input ? c->in[1].value : NULL;
    if (from_input && !t) { /* sizes not known yet */
        for (int o = 0; o < c->n_out; o++) c->out[o].dims[axis] = -1;
        return XC_OK;
    }
    if (t && t->dtype != XC_INT64 && t->dtype != XC_INT32)
        return xc_infer_fail(c, "'split' must be an int64 tensor, not %s", xc_dtype_name(t->dtype));
    if (t) count = xc_tensor_numel(t);
    if (count != (size_t)c->n_out) return xc_infer_fail(c, "'split' has %zu sizes for %d outputs", count, c->n_out);
    int64_t left = dim;
    for (int o = 0; o < c->n_out; o++) {
        int64_t size = t ? xc_load_i64(t->dtype, t->data, o) : attr[o];
        if (size < 0 || (dim >= 0 && size > left))
            return xc_infer_fail(c, "split size %lld of output %d is negative or exceeds the axis", (long long)size, o);
        if (dim >= 0) left -= size;
        c->out[o].dims[axis] = size;
    }
    if (dim >= 0 && left) return xc_infer_fail(c, "split sizes add up to less than the axis size %lld", (long long)dim);
    return XC_OK;
}

static xc_status infer_split(xc_infer_ctx *c)
{
    const xc_type_shape *x = &c->in[0];
    int axis;
    for (int o = 0; o < c->n_out; o++) xc_infer_copy(c, o, 0);
    if (x->rank < 0) return XC_OK;
    XC_TRY(xc_normalize_axis(c, xc_attr_int(c->node, "axis", 0), x->rank, &axis));
    return split_sizes(c, axis, x->dims[axis]);
}

/* ---- Slice ---- */

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : v > hi ? hi : v; }

/* One axis of size dim sliced from s to e (exclusive) every step (!= 0): clamps as ONNX
 * specifies and gives the first index taken and how many are taken. */
static void slice_axis(int64_t dim, int64_t s, int64_t e, int64_t step, int64_t *start, int64_t *count)
{
    *start = 0;
    *count = dim < 0 ? -1 : 0;
    if (dim <= 0) return;
    if (s < 0) s += dim;
    if (e < 0) e += dim;
    s = clamp64(s, 0, step > 0 ? dim : dim - 1);
    e = clamp64(e, step > 0 ? 0 : -1, step > 0 ? dim : dim - 1);
    /* written so that no huge step can overflow: (e - s - 1) / step truncates toward zero */
    if (step > 0 && e > s) *count = 1 + (e - s - 1) / step;
    if (step < 0 && s > e) *count = 1 - (s - e - 1) / step;
    *start = s;
}

/* Slice's arguments resolved per axis of a (rank, dims) input (dims may be -1): the first index,
 * the step and the count along every axis. Opsets 1-9 take starts/ends/axes attributes; 10+ take
 * inputs 1-4 (starts, ends, axes, steps). Shared with the kernel (reference/ops/movement.c). */
xc_status xc_slice_plan(const xc_node *n, int n_in, const xc_tensor *const *in, int rank, const int64_t *dims, int64_t *start,
                        int64_t *step, int64_t *count)
{
    int64_t starts[XC_MAX_RANK], ends[XC_MAX_RANK], axes[XC_MAX_RANK], steps[XC_MAX_RANK];
    size_t ns, ne, na, nst;
    int inputs = n->opset >= 10, has_starts, has_ends, has_axes, has_steps, seen[XC_MAX_RANK] = {0};
    XC_TRY(read_ints(n, inputs, "starts", arg(n_in, in, 1), starts, XC_MAX_RANK, &ns, &has_starts));
    XC_TRY(read_ints(n, inputs, "ends", arg(n_in, in, 2), ends, XC_MAX_RANK, &ne, &has_ends));
    XC_TRY(read_ints(n, inputs, "axes", arg(n_in, in, 3), axes, XC_MAX_RANK, &na, &has_axes));
    XC_TRY(read_ints(n, 1, "steps", arg(n_in, in, 4), steps, XC_MAX_RANK, &nst, &has_steps));
    if (!has_starts || !has_ends) return xc_node_fail(n, XC_ERR_MODEL, "needs starts and ends");
    if (ne != ns || (has_axes && na != ns) || (has_steps && nst != ns))
        return xc_node_fail(n, XC_ERR_MODEL, "starts, ends, axes and steps must have the same length");
    for (int k = 0; k < rank; k++) {
        start[k] = 0;
        step[k] = 1;
        count[k] = dims[k];
    }
    for (size_t i = 0; i < ns; i++) {
        int64_t ax = has_axes ? axes[i] : (int64_t)i, st = has_steps ? steps[i] : 1;
        if (ax < 0) ax += rank;
        if (ax < 0 || ax >= rank)
            return xc_node_fail(n, XC_ERR_MODEL, "axis %lld is out of range for rank %d", (long long)ax, rank);
        if (seen[ax]) return xc_node_fail(n, XC_ERR_MODEL, "axis %lld is sliced twice", (long long)ax);
        if (!st) return xc_node_fail(n, XC_ERR_MODEL, "step is 0");
        seen[ax] = 1;
        step[ax] = st;
        slice_axis(dims[ax], starts[i], ends[i], st, &start[ax], &count[ax]);
    }
    return XC_OK;
}

static xc_status infer_slice(xc_infer_ctx *c)
{
    const xc_type_shape *x = &c->in[0];
    const xc_tensor *v[5];
    int64_t start[XC_MAX_RANK], step[XC_MAX_RANK], dims[XC_MAX_RANK];
    if (x->rank < 0 || !input_values(c, v)) {
        same_rank_unknown_dims(c);
        return XC_OK;
    }
    XC_TRY(xc_slice_plan(c->node, c->n_in, v, x->rank, x->dims, start, step, dims));
    xc_infer_set(c, 0, x->dtype, x->rank, dims);
    return XC_OK;
}

/* ---- Expand and Tile ---- */

static xc_status infer_expand(xc_infer_ctx *c)
{
    const xc_type_shape *x = &c->in[0];
    int64_t shape[XC_MAX_RANK], dims[XC_MAX_RANK];
    size_t n;
    int given, rank;
    if (x->rank < 0 || !c->in[1].value) {
        xc_infer_unknown(c, 0, x->dtype);
        return XC_OK;
    }
    XC_TRY(read_ints(c->node, 1, "shape", c->in[1].value, shape, XC_MAX_RANK, &n, &given));
    for (size_t k = 0; k < n; k++)
        if (shape[k] < 0) return xc_infer_fail(c, "shape has the negative dim %lld", (long long)shape[k]);
    if (xc_broadcast_shape(x->rank, x->dims, (int)n, shape, &rank, dims) != XC_OK) {
        char lb[256];
        return xc_error_prefix(XC_ERR_MODEL, "%s: ", xc_node_label(c->node, lb, sizeof lb));
    }
    xc_infer_set(c, 0, x->dtype, rank, dims);
    return XC_OK;
}

/* Tile's repeat count per axis: the `repeats` input (opset 6+), or in opset 1 the scalar inputs
 * `tiles` and `axis` (every other axis repeats once). */
static xc_status tile_repeats(xc_infer_ctx *c, const xc_tensor *const *v, int rank, int64_t *reps)
{
    size_t n;
    int given;
    if (c->opset >= 6) {
        XC_TRY(read_ints(c->node, 1, "repeats", v[1], reps, XC_MAX_RANK, &n, &given));
        if (n != (size_t)rank) return xc_infer_fail(c, "repeats has %zu values for rank %d", n, rank);
        return XC_OK;
    }
    int64_t tiles, axis;
    int ax;
    XC_TRY(read_ints(c->node, 1, "tiles", v[1], &tiles, 1, &n, &given));
    if (n == 1) XC_TRY(read_ints(c->node, 1, "axis", v[2], &axis, 1, &n, &given));
    if (n != 1) return xc_infer_fail(c, "tiles and axis must be scalars");
    XC_TRY(xc_normalize_axis(c, axis, rank, &ax));
    for (int k = 0; k < rank; k++) reps[k] = k == ax ? tiles : 1;
    return XC_OK;
}

static xc_status infer_tile(xc_infer_ctx *c)
{
    const xc_type_shape *x = &c->in[0];
    const xc_tensor *v[3];
    int64_t reps[XC_MAX_RANK], dims[XC_MAX_RANK];
    if (x->rank < 0 || !input_values(c, v)) {
        same_rank_unknown_dims(c);
        return XC_OK;
    }
    XC_TRY(tile_repeats(c, v, x->rank, reps));
    for (int k = 0; k < x->rank; k++) {
        if (reps[k] < 0) return xc_infer_fail(c, "negative repeat count %lld", (long long)reps[k]);
        XC_TRY(scale_dim(c, x->dims[k], reps[k], &dims[k]));
    }
    xc_infer_set(c, 0, x->dtype, x->rank, dims);
    return XC_OK;
}

/* ---- Pad ---- */

xc_pad_mode xc_pad_mode_of(const xc_node *n)
{
    static const char *const modes[] = {"constant", "reflect", "edge", "wrap"};
    const char *name = xc_attr_string(n, "mode", "constant");
    for (int m = 0; m < 4; m++)
        if (!strcmp(name, modes[m])) return (xc_pad_mode)m;
    return XC_PAD_CONSTANT;
}

/* Reflect mirrors without repeating the edge, with period 2 * (d - 1), so pads wider than the
 * axis keep reflecting as numpy does. */
int64_t xc_pad_source(xc_pad_mode mode, int64_t j, int64_t d)
{
    int64_t period = 2 * (d - 1);
    if (j >= 0 && j < d) return j;
    switch (mode) {
    case XC_PAD_EDGE: return j < 0 ? 0 : d - 1;
    case XC_PAD_WRAP: return (j % d + d) % d;
    case XC_PAD_REFLECT:
        if (!period) return 0;
        j = (j % period + period) % period;
        return j < d ? j : period - j;
    default: return -1;
    }
}

/* Pad's amounts per axis of a rank-`rank` input (negative: crop): the `paddings` (opset 1) or
 * `pads` (2-10) attribute, or input 1 with input 3 naming the axes (18+). Shared with the kernel
 * (reference/ops/movement.c). */
xc_status xc_pad_plan(const xc_node *n, int n_in, const xc_tensor *const *in, int rank, int64_t *begin, int64_t *end)
{
    int64_t pads[2 * XC_MAX_RANK], axes[XC_MAX_RANK];
    size_t np, na;
    int has_pads, has_axes;
    XC_TRY(read_ints(n, n->opset >= 11, n->opset < 2 ? "paddings" : "pads", arg(n_in, in, 1), pads, 2 * XC_MAX_RANK, &np,
                     &has_pads));
    XC_TRY(read_ints(n, 1, "axes", arg(n_in, in, 3), axes, XC_MAX_RANK, &na, &has_axes));
    if (!has_pads) return xc_node_fail(n, XC_ERR_MODEL, "needs pads");
    if (!has_axes) na = (size_t)rank;
    if (np != 2 * na) return xc_node_fail(n, XC_ERR_MODEL, "has %zu pads for %zu axes", np, na);
    for (int k = 0; k < rank; k++) begin[k] = end[k] = 0;
    for (size_t i = 0; i < na; i++) {
        int64_t ax = has_axes ? axes[i] : (int64_t)i;
        if (ax < 0) ax += rank;
        if (ax < 0 || ax >= rank)
            return xc_node_fail(n, XC_ERR_MODEL, "axis %lld is out of range for rank %d", (long long)ax, rank);
        begin[ax] = pads[i];
        end[ax] = pads[na + i];
    }
    return XC_OK;
}

static xc_status infer_pad(xc_infer_ctx *c)
{
    const xc_type_shape *x = &c->in[0];
    const char *mode = xc_attr_string(c->node, "mode", "constant");
    int constant = !strcmp(mode, "constant");
    if (!constant && strcmp(mode, "reflect") && strcmp(mode, "edge") && (strcmp(mode, "wrap") || c->opset < 19))
        return xc_infer_fail(c, "unknown mode '%s'", mode);
    if (c->n_in > 2 && c->in[2].present && c->in[2].dtype != x->dtype)
        return xc_infer_fail(c, "constant_value has dtype %s, data %s", xc_dtype_name(c->in[2].dtype), xc_dtype_name(x->dtype));
    const xc_tensor *v[4];
    int64_t begin[XC_MAX_RANK], end[XC_MAX_RANK], dims[XC_MAX_RANK];
    if (x->rank < 0 || !input_values(c, v)) {
        same_rank_unknown_dims(c);
        return XC_OK;
    }
    XC_TRY(xc_pad_plan(c->node, c->n_in, v, x->rank, begin, end));
    const int64_t limit = INT64_MAX / 4; /* far beyond any tensor; kernels index with i - begin */
    for (int k = 0; k < x->rank; k++) {
        if (begin[k] < -limit || begin[k] > limit || end[k] < -limit || end[k] > limit)
            return xc_infer_fail(c, "pads of axis %d are out of range", k);
        dims[k] = -1;
        if (x->dims[k] >= 0) {
            XC_TRY(xc_add_i64(c->node, "padded size", x->dims[k], begin[k], &dims[k]));
            XC_TRY(xc_add_i64(c->node, "padded size", dims[k], end[k], &dims[k]));
        }
        if (x->dims[k] >= 0 && dims[k] < 0) return xc_infer_fail(c, "pads of axis %d crop more than its size", k);
        if (!constant && x->dims[k] == 0 && dims[k] > 0)
            return xc_infer_fail(c, "mode '%s' cannot pad the empty axis %d", mode, k);
    }
    xc_infer_set(c, 0, x->dtype, x->rank, dims);
    return XC_OK;
}

/* ---- DepthToSpace and SpaceToDepth ---- */

/* Checks the shared attributes and the 4-D input; sets *bs to blocksize and *bb to its square. */
static xc_status block_args(xc_infer_ctx *c, int64_t *bs, int64_t *bb)
{
    const char *mode = xc_attr_string(c->node, "mode", "DCR");
    *bs = xc_attr_int(c->node, "blocksize", 0);
    if (*bs < 1) return xc_infer_fail(c, "blocksize must be positive, is %lld", (long long)*bs);
    if (strcmp(mode, "DCR") && strcmp(mode, "CRD")) return xc_infer_fail(c, "unknown mode '%s'", mode);
    if (c->in[0].rank >= 0 && c->in[0].rank != 4) return xc_infer_fail(c, "input must be 4-D, has rank %d", c->in[0].rank);
    return scale_dim(c, *bs, *bs, bb);
}

/* [N, C, H, W] -> [N, C / bs^2, H * bs, W * bs] */
static xc_status infer_depth_to_space(xc_infer_ctx *c)
{
    const xc_type_shape *x = &c->in[0];
    int64_t bs, bb, dims[4] = {-1, -1, -1, -1};
    XC_TRY(block_args(c, &bs, &bb));
    if (x->rank == 4) {
        if (x->dims[1] >= 0 && x->dims[1] % bb)
            return xc_infer_fail(c, "channels %lld are not a multiple of blocksize^2 = %lld", (long long)x->dims[1],
                                 (long long)bb);
        dims[0] = x->dims[0];
        dims[1] = x->dims[1] < 0 ? -1 : x->dims[1] / bb;
        XC_TRY(scale_dim(c, x->dims[2], bs, &dims[2]));
        XC_TRY(scale_dim(c, x->dims[3], bs, &dims[3]));
    }
    xc_infer_set(c, 0, x->dtype, 4, dims);
    return XC_OK;
}

/* [N, C, H, W] -> [N, C * bs^2, H / bs, W / bs] */
static xc_status infer_space_to_depth(xc_infer_ctx *c)
{
    const xc_type_shape *x = &c->in[0];
    int64_t bs, bb, dims[4] = {-1, -1, -1, -1};
    XC_TRY(block_args(c, &bs, &bb));
    if (x->rank == 4) {
        for (int k = 2; k < 4; k++) {
            if (x->dims[k] >= 0 && x->dims[k] % bs)
                return xc_infer_fail(c, "axis %d of size %lld is not a multiple of blocksize %lld", k, (long long)x->dims[k],
                                     (long long)bs);
            dims[k] = x->dims[k] < 0 ? -1 : x->dims[k] / bs;
        }
        dims[0] = x->dims[0];
        XC_TRY(scale_dim(c, x->dims[1], bb, &dims[1]));
    }
    xc_infer_set(c, 0, x->dtype, 4, dims);
    return XC_OK;
}

static const xc_attr_spec perm_attrs[] = {{"perm", XC_ATTR_INTS, 0}, {NULL, 0, 0}};
static const xc_attr_spec concat1_attrs[] = {{"axis", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec concat4_attrs[] = {{"axis", XC_ATTR_INT, 1}, {NULL, 0, 0}};
static const xc_attr_spec split1_attrs[] = {{"axis", XC_ATTR_INT, 0}, {"split", XC_ATTR_INTS, 0}, {NULL, 0, 0}};
static const xc_attr_spec split13_attrs[] = {{"axis", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec split18_attrs[] = {{"axis", XC_ATTR_INT, 0}, {"num_outputs", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec slice1_attrs[] = {
    {"starts", XC_ATTR_INTS, 1}, {"ends", XC_ATTR_INTS, 1}, {"axes", XC_ATTR_INTS, 0}, {NULL, 0, 0}};
static const xc_attr_spec pad1_attrs[] = {
    {"paddings", XC_ATTR_INTS, 1}, {"mode", XC_ATTR_STRING, 0}, {"value", XC_ATTR_FLOAT, 0}, {NULL, 0, 0}};
static const xc_attr_spec pad2_attrs[] = {
    {"pads", XC_ATTR_INTS, 1}, {"mode", XC_ATTR_STRING, 0}, {"value", XC_ATTR_FLOAT, 0}, {NULL, 0, 0}};
static const xc_attr_spec mode_attrs[] = {{"mode", XC_ATTR_STRING, 0}, {NULL, 0, 0}};
static const xc_attr_spec block_attrs[] = {{"blocksize", XC_ATTR_INT, 1}, {NULL, 0, 0}};
static const xc_attr_spec block_mode_attrs[] = {{"blocksize", XC_ATTR_INT, 1}, {"mode", XC_ATTR_STRING, 0}, {NULL, 0, 0}};

const xc_op_schema xc_schemas_movement[] = {
    {"Transpose", 1, 1, 1, 1, 1, perm_attrs, infer_transpose},
    {"Concat", 1, 1, -1, 1, 1, concat1_attrs, infer_concat},
    {"Concat", 4, 1, -1, 1, 1, concat4_attrs, infer_concat},
    {"Split", 1, 1, 2, 1, INT_MAX, split1_attrs, infer_split},
    {"Split", 2, 1, 1, 1, INT_MAX, split1_attrs, infer_split},
    {"Split", 13, 1, 2, 1, INT_MAX, split13_attrs, infer_split},
    {"Split", 18, 1, 2, 1, INT_MAX, split18_attrs, infer_split},
    {"Slice", 1, 1, 1, 1, 1, slice1_attrs, infer_slice},
    {"Slice", 10, 3, 5, 1, 1, NULL, infer_slice},
    {"Expand", 8, 2, 2, 1, 1, NULL, infer_expand},
    {"Tile", 1, 3, 3, 1, 1, NULL, infer_tile},
    {"Tile", 6, 2, 2, 1, 1, NULL, infer_tile},
    {"Pad", 1, 1, 1, 1, 1, pad1_attrs, infer_pad},
    {"Pad", 2, 1, 1, 1, 1, pad2_attrs, infer_pad},
    {"Pad", 11, 2, 3, 1, 1, mode_attrs, infer_pad},
    {"Pad", 18, 2, 4, 1, 1, mode_attrs, infer_pad},
    {"DepthToSpace", 1, 1, 1, 1, 1, block_attrs, infer_depth_to_space},
    {"DepthToSpace", 11, 1, 1, 1, 1, block_mode_attrs, infer_depth_to_space},
    {"SpaceToDepth", 1, 1, 1, 1, 1, block_attrs, infer_space_to_depth},
    {"SpaceToDepth", 28, 1, 1, 1, 1, block_mode_attrs, infer_space_to_depth},
    {0},
};
