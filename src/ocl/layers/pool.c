/* pool.c — the pool layer kind: MaxPool (the Y output only), AveragePool, GlobalAveragePool and
 * GlobalMaxPool on float32 with one to three spatial axes. The geometry (pads, strides,
 * dilations, ceil_mode, auto_pad) comes from the same xc_window_forward the reference uses and
 * is baked into the kernel as -D options. Tactics: pool.direct (one work-item per output) and
 * pool.global_reduce.<WG> (global pools: one work-group per plane). */
#include "ocl/layers/norm_util.h"
#include "ops/conv_geom.h"
#include <stdio.h>
#include <string.h>

static int is_global(const xc_node *n)
{
    return !strcmp(n->op_type, "GlobalAveragePool") || !strcmp(n->op_type, "GlobalMaxPool");
}
static int is_max(const xc_node *n) { return !strcmp(n->op_type, "MaxPool") || !strcmp(n->op_type, "GlobalMaxPool"); }

/* The window of layer l lifted to three spatial axes; 0 if the node is malformed. */
static int pool_window(const xc_engine *e, const xc_layer *l, xc_window *w)
{
    const xc_etensor *x = &e->tensors[l->in[0]];
    int nsp = x->rank - 2;
    if (!is_global(l->node)) {
        if (xc_window_forward(l->node, nsp, x->dims + 2, NULL, w) != XC_OK) {
            xc_error_clear();
            return 0;
        }
    } else {
        memset(w, 0, sizeof *w);
        w->nsp = nsp;
        for (int a = 0; a < nsp; a++) {
            w->in[a] = w->kernel[a] = x->dims[2 + a];
            w->stride[a] = w->dilation[a] = w->out[a] = 1;
        }
    }
    xc_window_lift(w, 3);
    return 1;
}

static int pool_accepts(const xc_engine *e, const xc_layer *l)
{
    static const char *const ops[] = {"MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", NULL};
    int known = 0;
    for (int k = 0; ops[k]; k++) known |= !strcmp(l->node->op_type, ops[k]);
    if (!known || l->node->domain[0] || l->in[0] < 0 || l->out[0] < 0) return 0;
    for (int o = 1; o < l->n_out; o++)
        if (l->out[o] >= 0) return 0; /* MaxPool's Indices */
    const xc_etensor *x = &e->tensors[l->in[0]];
    xc_window w;
    return x->dtype == XC_FLOAT && !x->value && xc_et_numel(x) && x->rank >= 3 && x->rank <= 5 && pool_window(e, l, &w);
}

static xc_status pool_prepare(xc_engine *e, xc_layer *l, const char *defines, const char *kernel, size_t per_plane)
{
    xc_window w;
    pool_window(e, l, &w);
    const xc_etensor *x = &e->tensors[l->in[0]];
    int64_t planes = x->dims[0] * x->dims[1], outputs = planes * w.out[0] * w.out[1] * w.out[2];
    char defs[1024];
    snprintf(defs, sizeof defs, "%s -DPLANES=%lld %s%s", defines, (long long)planes,
             is_max(l->node) ? "-DPOOL_MAX" : "-DPOOL_AVG",
             xc_attr_int(l->node, "count_include_pad", 0) ? " -DCOUNT_INCLUDE_PAD" : "");
    for (int a = 0; a < 3; a++)
        xc_defs(defs, sizeof defs, " -DIN%d=%lld -DOUT%d=%lld -DK%d=%lld -DS%d=%lld -DD%d=%lld -DP%d=%lld -DE%d=%lld", a,
                (long long)w.in[a], a, (long long)w.out[a], a, (long long)w.kernel[a], a, (long long)w.stride[a], a,
                (long long)w.dilation[a], a, (long long)w.pad_begin[a], a, (long long)w.pad_end[a]);
    cl_program p;
    XC_TRY(xc_norm_program(e, l, "pool.cl", defs, &p));
    xc_launch *k = xc_layer_add_launch(l, p, kernel);
    XC_TRY(xc_launch_input(e, l, k, l->in[0]));
    xc_launch_tensor(k, l->out[0]);
    size_t local = per_plane ? per_plane : XC_WG_DEFAULT;
    size_t global = per_plane ? (size_t)planes * per_plane : xc_round_up((size_t)(outputs ? outputs : 1), local);
    xc_launch_range(k, 1, &global, &local);
    return XC_OK;
}

static xc_status direct_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    return pool_prepare(e, l, defines, "pool_direct", 0);
}

static xc_status global_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    return pool_prepare(e, l, defines, "pool_global", xc_norm_wg(defines));
}

static int global_applicable(const xc_engine *e, const xc_layer *l)
{
    (void)e;
    return is_global(l->node);
}

static const xc_tactic direct = {"pool.direct", NULL, NULL, direct_prepare, NULL};
static const xc_tactic global = {"pool.global_reduce", global_applicable, xc_norm_group_sizes, global_prepare, NULL};
static const xc_tactic *const tactics[] = {&direct, &global, NULL};
const xc_layer_kind xc_kind_pool = {"pool", pool_accepts, tactics, 0};
