/* movement_view.c — the offset tables of the movement ops that are one gather over a view of
 * the output (kernels/movement.cl): Transpose, Slice, Expand, Tile, Pad (constant, reflect,
 * edge, wrap), DepthToSpace, SpaceToDepth and nearest Resize/Upsample. The views are the
 * reference's (reference/ops/movement.c, resize.c), built on the host from the layer's static
 * shapes and constant arguments. */
#include "movement_internal.h"
#include "ops/plans.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void strides_of(int rank, const int64_t *dims, int64_t *s)
{
    int64_t n = 1;
    for (int k = rank - 1; k >= 0; k--) {
        s[k] = n;
        n *= dims[k];
    }
}

static xc_status view_init(mv_view *v, int rank, const int64_t *dims)
{
    size_t total = 1, bytes; /* checked: an empty output may still have a 2^62 dim */
    for (int k = 0; k < rank; k++)
        if (dims[k] < 0 || __builtin_add_overflow(total, (size_t)dims[k], &total))
            return xc_fail(XC_ERR_NOMEM, "offset tables of %d axes overflow", rank);
    if (__builtin_mul_overflow(total, sizeof *v->buf, &bytes))
        return xc_fail(XC_ERR_NOMEM, "offset tables of %zu entries overflow", total);
    v->rank = rank;
    v->buf = malloc(bytes);
    if (!v->buf) return xc_fail(XC_ERR_NOMEM, "out of memory");
    int64_t *t = v->buf;
    for (int k = 0; k < rank; t += dims[k], k++) {
        v->dims[k] = dims[k];
        v->off[k] = t;
    }
    return XC_OK;
}

/* Axis k: index i reads first[k] + i * strides[k] (first NULL: 0). */
static xc_status view_strided(mv_view *v, int rank, const int64_t *dims, const int64_t *first, const int64_t *strides)
{
    XC_TRY(view_init(v, rank, dims));
    for (int k = 0; k < rank; k++)
        for (int64_t i = 0; i < dims[k]; i++) v->off[k][i] = (first ? first[k] : 0) + i * strides[k];
    return XC_OK;
}

void mv_view_free(mv_view *v)
{
    free(v->buf);
    v->buf = NULL;
}

static const xc_etensor *input(const xc_engine *e, const xc_layer *l, int i) { return &e->tensors[l->in[i]]; }
static const xc_etensor *output(const xc_engine *e, const xc_layer *l) { return &e->tensors[l->out[0]]; }

/* The constant values of l's inputs (NULL for the data and omitted inputs); 0 if an argument
 * input (any after the first) is computed at run time. */
static int const_args(const xc_engine *e, const xc_layer *l, const xc_tensor **vals)
{
    for (int i = 0; i < l->n_in; i++) {
        vals[i] = l->in[i] >= 0 ? e->tensors[l->in[i]].value : NULL;
        if (i > 0 && l->in[i] >= 0 && !vals[i]) return 0;
    }
    vals[0] = NULL;
    return 1;
}

/* ---- one builder per op ---- */

static xc_status build_transpose(const xc_engine *e, const xc_layer *l, mv_view *v)
{
    const xc_etensor *x = input(e, l, 0), *y = output(e, l);
    const int64_t *perm;
    size_t n;
    int has_perm = xc_attr_ints(l->node, "perm", &perm, &n);
    int64_t xs[XC_MAX_RANK], s[XC_MAX_RANK];
    strides_of(x->rank, x->dims, xs);
    for (int k = 0; k < y->rank; k++) s[k] = xs[has_perm ? perm[k] : y->rank - 1 - k];
    return view_strided(v, y->rank, y->dims, NULL, s);
}

static xc_status build_slice(const xc_engine *e, const xc_layer *l, mv_view *v)
{
    const xc_etensor *x = input(e, l, 0), *y = output(e, l);
    const xc_tensor *vals[XC_LAYER_IO];
    int64_t start[XC_MAX_RANK], step[XC_MAX_RANK], count[XC_MAX_RANK], xs[XC_MAX_RANK];
    if (!const_args(e, l, vals)) return xc_fail(XC_ERR_UNSUPPORTED, "Slice arguments computed at run time");
    XC_TRY(xc_slice_plan(l->node, l->n_in, vals, x->rank, x->dims, start, step, count));
    strides_of(x->rank, x->dims, xs);
    for (int k = 0; k < x->rank; k++) {
        start[k] *= xs[k];
        step[k] = count[k] > 1 ? step[k] * xs[k] : 0;
    }
    return view_strided(v, y->rank, y->dims, start, step);
}

/* Broadcast axes read with stride 0. */
static xc_status build_expand(const xc_engine *e, const xc_layer *l, mv_view *v)
{
    const xc_etensor *x = input(e, l, 0), *y = output(e, l);
    int64_t xs[XC_MAX_RANK], s[XC_MAX_RANK];
    strides_of(x->rank, x->dims, xs);
    for (int k = 0; k < y->rank; k++) {
        int j = k - (y->rank - x->rank);
        s[k] = j < 0 || x->dims[j] == 1 ? 0 : xs[j];
    }
    return view_strided(v, y->rank, y->dims, NULL, s);
}

/* Output axis k of size reps * d is viewed as (reps, d): the repeat index reads nothing. */
static xc_status build_tile(const xc_engine *e, const xc_layer *l, mv_view *v)
{
    const xc_etensor *x = input(e, l, 0), *y = output(e, l);
    int64_t xs[XC_MAX_RANK], dims[MV_VIEW_RANK], s[MV_VIEW_RANK];
    strides_of(x->rank, x->dims, xs);
    for (int k = 0; k < x->rank; k++) {
        dims[2 * k] = x->dims[k] ? y->dims[k] / x->dims[k] : 0;
        dims[2 * k + 1] = x->dims[k];
        s[2 * k] = 0;
        s[2 * k + 1] = xs[k];
    }
    return view_strided(v, 2 * x->rank, dims, NULL, s);
}

static xc_status build_pad(const xc_engine *e, const xc_layer *l, mv_view *v)
{
    const xc_etensor *x = input(e, l, 0), *y = output(e, l);
    const xc_tensor *vals[XC_LAYER_IO];
    xc_pad_mode mode = xc_pad_mode_of(l->node);
    int64_t begin[XC_MAX_RANK], end[XC_MAX_RANK], xs[XC_MAX_RANK];
    if (!const_args(e, l, vals)) return xc_fail(XC_ERR_UNSUPPORTED, "Pad arguments computed at run time");
    XC_TRY(xc_pad_plan(l->node, l->n_in, vals, x->rank, begin, end));
    strides_of(x->rank, x->dims, xs);
    XC_TRY(view_init(v, y->rank, y->dims));
    for (int k = 0; k < y->rank; k++)
        for (int64_t i = 0; i < y->dims[k]; i++) {
            int64_t j = xc_pad_source(mode, i - begin[k], x->dims[k]);
            v->off[k][i] = j < 0 ? -1 : j * xs[k];
        }
    return XC_OK;
}

uint64_t mv_pad_fill(const xc_engine *e, const xc_layer *l)
{
    const xc_etensor *y = output(e, l);
    unsigned char raw[8] = {0};
    const xc_etensor *c = l->n_in > 2 && l->in[2] >= 0 ? input(e, l, 2) : NULL;
    if (l->node->opset < 11)
        xc_store_f64(y->dtype, raw, 0, xc_attr_float(l->node, "value", 0.0f));
    else if (c && c->value && xc_tensor_numel(c->value))
        memcpy(raw, c->value->data, xc_dtype_size(y->dtype));
    uint64_t bits = 0;
    if (y->dtype == XC_FLOAT && l->fp16) {
        float f;
        memcpy(&f, raw, sizeof f);
        bits = xc_engine_half_bits(e, f);
    } else {
        memcpy(&bits, raw, sizeof bits); /* little-endian host and device: the low bytes are the element */
    }
    return bits;
}

/* DCR: channel (i * bs + j) * C' + c goes to y[n, c, h * bs + i, w * bs + j]; CRD: channel
 * (c * bs + i) * bs + j. y is viewed as [N, C', H, bs, W, bs]. */
static xc_status build_depth_to_space(const xc_engine *e, const xc_layer *l, mv_view *v)
{
    const xc_etensor *x = input(e, l, 0), *y = output(e, l);
    int64_t bs = xc_attr_int(l->node, "blocksize", 1), c = y->dims[1], xs[4];
    int crd = !strcmp(xc_attr_string(l->node, "mode", "DCR"), "CRD");
    strides_of(4, x->dims, xs);
    int64_t dims[6] = {x->dims[0], c, x->dims[2], bs, x->dims[3], bs};
    int64_t s[6] = {xs[0], crd ? bs * bs * xs[1] : xs[1], xs[2], crd ? bs * xs[1] : bs * c * xs[1],
                    xs[3], crd ? xs[1] : c * xs[1]};
    return view_strided(v, 6, dims, NULL, s);
}

/* The inverse: y is viewed as [N, bs, bs, C, H', W'] (DCR) or [N, C, bs, bs, H', W'] (CRD). */
static xc_status build_space_to_depth(const xc_engine *e, const xc_layer *l, mv_view *v)
{
    const xc_etensor *x = input(e, l, 0), *y = output(e, l);
    int64_t bs = xc_attr_int(l->node, "blocksize", 1), xs[4];
    int crd = !strcmp(xc_attr_string(l->node, "mode", "DCR"), "CRD");
    strides_of(4, x->dims, xs);
    int64_t dcr_dims[6] = {x->dims[0], bs, bs, x->dims[1], y->dims[2], y->dims[3]};
    int64_t dcr_s[6] = {xs[0], xs[2], xs[3], xs[1], bs * xs[2], bs * xs[3]};
    int64_t crd_dims[6] = {x->dims[0], x->dims[1], bs, bs, y->dims[2], y->dims[3]};
    int64_t crd_s[6] = {xs[0], xs[1], xs[2], xs[3], bs * xs[2], bs * xs[3]};
    return view_strided(v, 6, crd ? crd_dims : dcr_dims, NULL, crd ? crd_s : dcr_s);
}

/* ---- nearest Resize, as onnx/reference/ops/op_resize.py (and reference/ops/resize.c) ---- */

static xc_status build_resize(const xc_engine *e, const xc_layer *l, mv_view *v)
{
    const xc_node *n = l->node;
    const xc_etensor *x = input(e, l, 0), *y = output(e, l);
    const xc_tensor *vals[XC_LAYER_IO];
    xc_resize_opts o = xc_resize_opts_of(n);
    if (o.mode != XC_INTERP_NEAREST || o.coord == XC_COORD_TF_CROP_AND_RESIZE)
        return xc_fail(XC_ERR_UNSUPPORTED, "only nearest Resize without tf_crop_and_resize moves data");
    double scale[XC_MAX_RANK];
    int64_t out_dims[XC_MAX_RANK], xs[XC_MAX_RANK];
    if (!const_args(e, l, vals)) return xc_fail(XC_ERR_UNSUPPORTED, "Resize arguments computed at run time");
    XC_TRY(xc_resize_plan(n, x->rank, x->dims, vals, scale, out_dims));
    strides_of(x->rank, x->dims, xs);
    XC_TRY(view_init(v, y->rank, y->dims));
    for (int k = 0; k < y->rank; k++)
        for (int64_t i = 0; i < y->dims[k]; i++) {
            double s = xc_resize_source(&o, (double)i, scale[k], x->dims[k], y->dims[k], NULL);
            double pos = s == floor(s) ? s : xc_resize_nearest(o.nearest, s, scale[k]);
            int64_t j = pos < 0 ? 0 : pos >= (double)x->dims[k] ? x->dims[k] - 1 : (int64_t)pos;
            v->off[k][i] = j * xs[k];
        }
    return XC_OK;
}

static const struct {
    const char *op;
    xc_status (*build)(const xc_engine *e, const xc_layer *l, mv_view *v);
} builders[] = {
    {"Transpose", build_transpose},
    {"Slice", build_slice},
    {"Expand", build_expand},
    {"Tile", build_tile},
    {"Pad", build_pad},
    {"DepthToSpace", build_depth_to_space},
    {"SpaceToDepth", build_space_to_depth},
    {"Resize", build_resize},
    {"Upsample", build_resize},
    {NULL, NULL},
};

static int builder_of(const xc_node *n)
{
    if (n->domain[0]) return -1;
    for (int k = 0; builders[k].op; k++)
        if (!strcmp(builders[k].op, n->op_type)) return k;
    return -1;
}

int mv_is_view_op(const xc_node *n) { return builder_of(n) >= 0; }

xc_status mv_view_build(const xc_engine *e, const xc_layer *l, mv_view *v)
{
    int k = builder_of(l->node);
    v->buf = NULL;
    if (k < 0 || l->n_in < 1 || l->in[0] < 0) return xc_fail(XC_ERR_INTERNAL, "layer '%s' is no view op", l->name);
    return builders[k].build(e, l, v);
}

/* 1 if input axis b follows a once size-1 axes are dropped. */
static int adjacent(const xc_etensor *x, int a, int b)
{
    if (b <= a) return 0;
    for (int k = a + 1; k < b; k++)
        if (x->dims[k] > 1) return 0;
    return 1;
}

int mv_transpose_coalesce(const xc_engine *e, const xc_layer *l, int64_t *dims, int *perm)
{
    const xc_etensor *x = input(e, l, 0);
    const int64_t *p;
    size_t n;
    int has_perm = xc_attr_ints(l->node, "perm", &p, &n), q[XC_MAX_RANK], nq = 0, start[XC_MAX_RANK], runs = 0;
    for (int k = 0; k < x->rank; k++) { /* input axes in output order, size-1 axes dropped */
        int a = has_perm ? (int)p[k] : x->rank - 1 - k;
        if (x->dims[a] > 1) q[nq++] = a;
    }
    for (int k = 0; k < nq; k++) /* a run: input axes a, a+1, ... kept adjacent (ignoring dropped axes) */
        if (!k || !adjacent(x, q[k - 1], q[k])) start[runs++] = k;
    for (int r = 0; r < runs; r++) {
        int rank = 0; /* the run's position in input order */
        for (int o = 0; o < runs; o++) rank += q[start[o]] < q[start[r]];
        int64_t size = 1;
        for (int k = start[r]; k < (r + 1 < runs ? start[r + 1] : nq); k++) size *= x->dims[q[k]];
        dims[rank] = size;
        perm[r] = rank;
    }
    return runs;
}
