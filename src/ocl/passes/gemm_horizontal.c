/* gemm_horizontal.c — horizontal fusion (TensorRT's term): MatMuls (or Gemms) that read the same
 * A, each with a constant 2-D weight of the same shape (all or none with a constant bias or a
 * Gemm's C row, the same alpha, beta, transB and activation), become ONE product with the
 * weights laid along N. Transformers' Q, K and V projections are the case: three products of 96
 * tiles each leave most of a large GPU idle, one of 288 fills it, and A is read once; Linear
 * layers on 2-D inputs (ONNX Gemm, transB, the bias as C) stack the same way.
 *
 * The stacked layer writes each part's output as a contiguous plane of one new buffer (the
 * gemm kind's Y_PLANE epilogue), so each part's ONNX tensor is a slice alias of it (as
 * concat_elimination's, a sub-buffer at run time) and every consumer reads it unchanged. Its
 * outputs are the buffer (nameless) then the parts' tensors, so per-layer comparison still
 * sees Q, K and V by name. It sits at the first part's place: its inputs are A and constants,
 * ready there, and every part's consumers come after it.
 *
 * Runs after gemm_bias_act (each part's bias and activation are its epilogue already), the int8
 * passes (an int8 layer is no gemm layer) and gemm_residual (a part with a C is left alone).
 * Not stacked: a part whose output is a graph output or already a slice, or that a
 * --layer-precision names (stacked, its precision would become its partners'); slices the
 * device's sub-buffer alignment refuses or the engine makes none of (xc_engine_slice_fits). */
#include "ocl/build.h"
#include "ocl/engine.h"
#include "ocl/layers/gemm.h"
#include <stdio.h>
#include <string.h>

#define FUSION "gemm_horizontal"
#define MAX_PARTS 16

typedef struct part {
    int layer;
    xc_gemm_part g;
} part;

/* Layer li as a part: a live stackable gemm layer (its weight, C and bias in p->g). */
static int as_part(const xc_engine *e, int li, part *p)
{
    const xc_layer *l = &e->layers[li];
    if (l->dead || l->kind != &xc_kind_gemm || l->node->domain[0] || l->cpu) return 0;
    if (xc_layer_constraint(e, l) != XC_LAYER_PREC_NONE) return 0; /* --layer-precision names it: it stays its own layer */
    const xc_etensor *y = &e->tensors[l->out[0]];
    if (y->graph_output >= 0 || y->alias >= 0 || y->dtype != XC_FLOAT) return 0;
    p->layer = li;
    return xc_gemm_stackable(e, l, &p->g);
}

static int same_shape(const xc_etensor *a, const xc_etensor *b)
{
    return a->rank == b->rank && !memcmp(a->dims, b->dims, sizeof(int64_t) * (size_t)a->rank);
}

/* Whether q stacks with p: same A, weight and output shapes, C, bias and epilogue. */
static int matches(const xc_engine *e, const part *p, const part *q)
{
    const xc_layer *a = &e->layers[p->layer], *b = &e->layers[q->layer];
    const xc_gemm_part *x = &p->g, *y = &q->g;
    return a->in[0] == b->in[0] && same_shape(&e->tensors[x->b], &e->tensors[y->b])
           && same_shape(&e->tensors[a->out[0]], &e->tensors[b->out[0]]) && (x->c < 0) == (y->c < 0)
           && (x->bias < 0) == (y->bias < 0) && x->gemm == y->gemm && x->trans_b == y->trans_b && x->alpha == y->alpha
           && x->beta == y->beta && a->act == b->act && a->alpha == b->alpha && a->beta == b->beta
           && xc_fusion_allowed(e, p->layer, q->layer);
}

/* The constant of each part that `pick` selects (its weight, C or bias). */
typedef int (*pick_fn)(const xc_gemm_part *g);
static int pick_b(const xc_gemm_part *g) { return g->b; }
static int pick_c(const xc_gemm_part *g) { return g->c; }
static int pick_bias(const xc_gemm_part *g) { return g->bias; }

/* A new constant holding the n parts' constants (each [rows, cols], or [cols]) laid along N:
 * side by side ([rows, n * cols]), or one under the other ([n * rows, cols]) for weights stored
 * N x K (transB). Named after the first part's output; -1 when out of memory. */
static int along_n(xc_engine *e, const part *parts, int n, pick_fn pick, int under, const char *what)
{
    const xc_etensor *first = &e->tensors[pick(&parts[0].g)];
    int64_t rows = first->rank == 2 ? first->dims[0] : 1, cols = first->dims[first->rank - 1];
    int64_t dims[2] = {under ? n * rows : rows, under ? cols : n * cols};
    char name[512];
    snprintf(name, sizeof name, "%s#%s:%s", e->tensors[e->layers[parts[0].layer].out[0]].name, FUSION, what);
    int id = xc_engine_add_tensor(e, name, XC_FLOAT, first->rank, first->rank == 2 ? dims : dims + 1);
    if (id < 0 || xc_tensor_new(XC_FLOAT, e->tensors[id].rank, e->tensors[id].dims, &e->tensors[id].value) != XC_OK) return -1;
    float *to = e->tensors[id].value->data;
    for (int p = 0; p < n; p++) {
        const float *from = xc_et_const_f32(&e->tensors[pick(&parts[p].g)]);
        for (int64_t r = 0; r < rows; r++)
            memcpy(to + (under ? (p * rows + r) * cols : r * n * cols + p * cols), from + r * cols, sizeof(float) * (size_t)cols);
    }
    return id;
}

/* The tensor all parts' outputs become planes of: [n, output dims...]; -1 when it cannot be. */
static int planes_of(xc_engine *e, const part *parts, int n)
{
    const xc_etensor *y = &e->tensors[e->layers[parts[0].layer].out[0]];
    if (!xc_engine_slice_fits(e, y, xc_et_numel(y)) || y->rank + 1 > XC_MAX_RANK) return -1; /* plane k starts k planes in */
    int64_t dims[XC_MAX_RANK];
    dims[0] = n;
    memcpy(dims + 1, y->dims, sizeof(int64_t) * (size_t)y->rank);
    return xc_engine_add_tensor(e, "", XC_FLOAT, y->rank + 1, dims);
}

/* Stacks parts[0..n) into parts[0]'s layer. */
static xc_status stack(xc_engine *e, const part *parts, int n)
{
    int planes = planes_of(e, parts, n);
    if (planes < 0) return XC_OK; /* no slices here: the products stay apart */
    const xc_gemm_part *g = &parts[0].g;
    int b = along_n(e, parts, n, pick_b, g->trans_b, "B");
    int c = g->c < 0 || b < 0 ? -1 : along_n(e, parts, n, pick_c, 0, "C");
    int bias = g->bias < 0 || b < 0 ? -1 : along_n(e, parts, n, pick_bias, 0, "bias");
    if (b < 0 || (g->c >= 0 && c < 0) || (g->bias >= 0 && bias < 0)) return XC_ERR_NOMEM;
    int at = parts[0].layer;
    for (int p = 1; p < n; p++)
        if (!xc_layer_absorb_beside(e, at, parts[p].layer, FUSION)) return XC_ERR_NOMEM;
    xc_layer *l = &e->layers[at];
    size_t plane = xc_et_numel(&e->tensors[l->out[0]]);
    for (int p = n; p > 0; p--) { /* out[0] the planes, out[p] part p - 1's tensor, a slice of them */
        l->out[p] = l->out[p - 1];
        e->tensors[l->out[p]].alias = planes;
        e->tensors[l->out[p]].alias_offset = (size_t)(p - 1) * plane;
    }
    l->out[0] = planes;
    l->n_out = n + 1;
    e->tensors[planes].producer = at;
    xc_gemm_set_stacked(l, b, c, bias);
    return XC_OK;
}

static xc_status run(xc_engine *e)
{
    for (int li = 0; li < e->n_layers; li++) {
        part parts[MAX_PARTS];
        int n = 0;
        if (!as_part(e, li, &parts[0])) continue;
        n = 1;
        for (int lj = li + 1; lj < e->n_layers && n < MAX_PARTS; lj++)
            if (as_part(e, lj, &parts[n]) && matches(e, &parts[0], &parts[n])) n++;
        if (n > 1) XC_TRY(stack(e, parts, n));
    }
    return XC_OK;
}

const xc_pass xc_pass_gemm_horizontal = {FUSION, 1, run};
