/* norm.c — the norm layer kind: LayerNormalization (Y only), InstanceNormalization, inference
 * BatchNormalization, and the LayerNorm subgraphs the layernorm_subgraph pass fuses (a layer
 * whose `fusion` is that pass: in = {x, gamma or -1, beta or -1}, epsilon in l->alpha, the last
 * axis normalized). float32; statistics in float, two-pass (mean, then mean squared deviation).
 * Tactics for row normalizations: layernorm.row_serial (one work-item per row),
 * layernorm.row_local.<WG> (one work-group per row, local-memory reductions) and
 * layernorm.row_registers.<WG> (the same, the row read once into registers); for
 * BatchNormalization, batchnorm.affine (one work-item per element). */
#include "ocl/layers/norm_util.h"
#include <stdio.h>
#include <string.h>

#define MAX_PER_ITEM 32 /* registers per work-item for row elements in row_registers */

/* A row normalization: rows of len contiguous elements; scale/bias tensors (-1 absent) with
 * per_row: one value per row (modulo their size), else one per element of the row. */
typedef struct norm_rows {
    int64_t rows, len;
    float eps;
    int scale, bias, per_row;
} norm_rows;

static int is_op(const xc_layer *l, const char *op) { return !l->fusion && !l->node->domain[0] && !strcmp(l->node->op_type, op); }
static int is_fused(const xc_layer *l) { return l->fusion && !strcmp(l->fusion, "layernorm_subgraph"); }

static int input(const xc_layer *l, int i) { return i < l->n_in ? l->in[i] : -1; }

/* The row view of layer l; 0 when l is no row normalization. */
static int row_view(const xc_engine *e, const xc_layer *l, norm_rows *r)
{
    const xc_etensor *x = &e->tensors[l->in[0]];
    int64_t axis = x->rank - 1;
    r->scale = input(l, 1);
    r->bias = input(l, 2);
    r->per_row = 0;
    if (is_fused(l))
        r->eps = l->alpha;
    else if (is_op(l, "LayerNormalization")) {
        axis = xc_attr_int(l->node, "axis", -1);
        if (axis < 0) axis += x->rank;
        r->eps = xc_attr_float(l->node, "epsilon", 1e-5f);
    } else if (is_op(l, "InstanceNormalization")) {
        axis = 2;
        r->per_row = 1;
        r->eps = xc_attr_float(l->node, "epsilon", 1e-5f);
    } else
        return 0;
    r->rows = r->len = 1;
    for (int k = 0; k < x->rank; k++) *(k < axis ? &r->rows : &r->len) *= x->dims[k];
    return axis >= 0 && axis < x->rank;
}

/* A per-element parameter broadcast over the normalized dims (from axis on) is read as
 * i % numel: it must be x's trailing dims, with only 1s before them. */
static int param_ok(const xc_engine *e, int t, int per_row, int channels, const xc_etensor *x, int64_t len)
{
    if (t < 0) return 1;
    const xc_etensor *p = &e->tensors[t];
    if (p->dtype != XC_FLOAT) return 0;
    if (per_row) return (int64_t)xc_et_numel(p) == channels;
    int lead = 0;
    while (lead < p->rank && p->dims[lead] == 1) lead++;
    int64_t n = 1;
    for (int k = lead; k < p->rank; k++) {
        if (p->rank - k > x->rank || p->dims[k] != x->dims[x->rank - (p->rank - k)]) return 0;
        n *= p->dims[k];
    }
    return len % n == 0;
}

static int batchnorm_ok(const xc_engine *e, const xc_layer *l)
{
    const xc_etensor *x = &e->tensors[l->in[0]];
    if (l->n_in < 5 || x->rank < 2 || xc_attr_int(l->node, "training_mode", 0)) return 0;
    size_t n = xc_et_numel(&e->tensors[l->in[1]]), sample = xc_et_numel(x) / (size_t)x->dims[0];
    for (int i = 1; i < 5; i++)
        if (l->in[i] < 0 || e->tensors[l->in[i]].dtype != XC_FLOAT || xc_et_numel(&e->tensors[l->in[i]]) != n) return 0;
    return n && sample % n == 0;
}

static int norm_accepts(const xc_engine *e, const xc_layer *l)
{
    if (l->in[0] < 0 || l->out[0] < 0) return 0;
    for (int o = 1; o < l->n_out; o++)
        if (l->out[o] >= 0) return 0; /* mean / inverse std outputs, training statistics */
    const xc_etensor *x = &e->tensors[l->in[0]];
    if (x->dtype != XC_FLOAT || x->value || !xc_et_numel(x)) return 0;
    if (is_op(l, "BatchNormalization")) return batchnorm_ok(e, l);
    norm_rows r;
    if (!row_view(e, l, &r) || (r.per_row && (x->rank < 3 || r.scale < 0 || r.bias < 0))) return 0;
    int channels = x->rank > 1 ? (int)x->dims[1] : 1;
    return param_ok(e, r.scale, r.per_row, channels, x, r.len) && param_ok(e, r.bias, r.per_row, channels, x, r.len);
}

/* Binds scale or bias, or x in place of an absent one (the kernel does not read it then). */
static xc_status bind_param(xc_engine *e, xc_layer *l, xc_launch *k, int t)
{
    return xc_launch_input(e, l, k, t >= 0 ? t : l->in[0]);
}

static xc_status rows_prepare(xc_engine *e, xc_layer *l, const char *defines, const char *kernel, size_t per_row)
{
    norm_rows r;
    row_view(e, l, &r);
    char defs[512];
    snprintf(defs, sizeof defs, "%s -DROWS=%lldL -DLEN=%lld -DEPS=((float)%.9g)%s", defines, (long long)r.rows, (long long)r.len,
             r.eps, r.per_row ? " -DPER_ROW" : "");
    if (r.scale >= 0) xc_defs(defs, sizeof defs, " -DHAS_SCALE -DN_SCALE=%zu", xc_et_numel(&e->tensors[r.scale]));
    if (r.bias >= 0) xc_defs(defs, sizeof defs, " -DHAS_BIAS -DN_BIAS=%zu", xc_et_numel(&e->tensors[r.bias]));
    if (!strcmp(kernel, "norm_registers"))
        xc_defs(defs, sizeof defs, " -DPER_ITEM=%lld", (long long)((r.len + per_row - 1) / per_row));
    cl_program p;
    XC_TRY(xc_norm_program(e, l, "norm.cl", defs, &p));
    xc_launch *k = xc_layer_add_launch(l, p, kernel);
    XC_TRY(xc_launch_input(e, l, k, l->in[0]));
    XC_TRY(bind_param(e, l, k, r.scale));
    XC_TRY(bind_param(e, l, k, r.bias));
    xc_launch_tensor(k, l->out[0]);
    size_t local = per_row > 1 ? per_row : XC_WG_DEFAULT;
    size_t global = per_row > 1 ? (size_t)r.rows * per_row : xc_round_up((size_t)r.rows, local);
    xc_launch_range(k, 1, &global, &local);
    return XC_OK;
}

static xc_status serial_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    return rows_prepare(e, l, defines, "norm_serial", 1);
}

static xc_status local_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    return rows_prepare(e, l, defines, "norm_local", xc_norm_wg(defines));
}

static xc_status registers_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    return rows_prepare(e, l, defines, "norm_registers", xc_norm_wg(defines));
}

static int serial_applicable(const xc_engine *e, const xc_layer *l)
{
    norm_rows r;
    return row_view(e, l, &r);
}

/* A work-group per row needs rows long enough to share out. */
static int local_applicable(const xc_engine *e, const xc_layer *l)
{
    norm_rows r;
    return row_view(e, l, &r) && r.len >= 32;
}

/* Every work-group size tried must hold the row in MAX_PER_ITEM registers per work-item. */
static int registers_applicable(const xc_engine *e, const xc_layer *l)
{
    norm_rows r;
    return row_view(e, l, &r) && r.len >= 32 && (size_t)r.len <= MAX_PER_ITEM * xc_norm_wg(xc_norm_group_sizes[0].defines);
}

static xc_status batchnorm_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    const xc_etensor *x = &e->tensors[l->in[0]];
    size_t total = xc_et_numel(x), n = xc_et_numel(&e->tensors[l->in[1]]), inner = total / (size_t)x->dims[0] / n;
    char defs[512];
    snprintf(defs, sizeof defs, "%s -DTOTAL=%zuL -DINNER=%zu -DN_SCALE=%zu -DEPS=((float)%.9g)", defines, total, inner, n,
             xc_attr_float(l->node, "epsilon", 1e-5f));
    cl_program p;
    XC_TRY(xc_norm_program(e, l, "norm.cl", defs, &p));
    xc_launch *k = xc_layer_add_launch(l, p, "batchnorm");
    for (int i = 0; i < 5; i++) XC_TRY(xc_launch_input(e, l, k, l->in[i]));
    xc_launch_tensor(k, l->out[0]);
    size_t local = XC_WG_DEFAULT, global = xc_round_up(total, local);
    xc_launch_range(k, 1, &global, &local);
    return XC_OK;
}

static int batchnorm_applicable(const xc_engine *e, const xc_layer *l)
{
    (void)e;
    return is_op(l, "BatchNormalization");
}

static const xc_tactic serial = {"layernorm.row_serial", serial_applicable, NULL, serial_prepare, NULL};
static const xc_tactic local = {"layernorm.row_local", local_applicable, xc_norm_group_sizes, local_prepare, NULL};
static const xc_tactic registers = {"layernorm.row_registers", registers_applicable, xc_norm_group_sizes, registers_prepare,
                                    NULL};
static const xc_tactic batchnorm = {"batchnorm.affine", batchnorm_applicable, NULL, batchnorm_prepare, NULL};
static const xc_tactic *const tactics[] = {&serial, &local, &registers, &batchnorm, NULL};
const xc_layer_kind xc_kind_norm = {"norm", norm_accepts, tactics, 0};
