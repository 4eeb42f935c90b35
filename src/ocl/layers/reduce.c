/* reduce.c — the reduce layer kind: ReduceSum, ReduceMean, ReduceMax, ReduceMin,
 * ReduceSumSquare and ReduceL2 on float32 over any axes (attribute or constant input), with or
 * without keepdims (the output's order is the kept axes' either way). The input's axes are
 * merged into at most four kept and four reduced groups, baked into the kernel as -D options.
 * Tactics: reduce.direct (one work-item per output) and reduce.group.<WG> (one work-group per
 * output, for long reductions). */
#include "ocl/layers/norm_util.h"
#include <stdio.h>
#include <string.h>

#define GROUPS 4

static const char *const reduce_ops[] = {"ReduceSum",       "ReduceMean", "ReduceMax", "ReduceMin",
                                         "ReduceSumSquare", "ReduceL2",   NULL};

/* The op's number in kernels/reduce.cl (OP), or -1. */
static int reduce_op(const xc_node *n)
{
    if (n->domain[0]) return -1;
    for (int k = 0; reduce_ops[k]; k++)
        if (!strcmp(n->op_type, reduce_ops[k])) return k;
    return -1;
}

int xc_reduce_axes(const xc_engine *e, const xc_layer *l, int reduced[XC_MAX_RANK])
{
    const xc_etensor *x = &e->tensors[l->in[0]];
    const int64_t *attr = NULL;
    size_t n = 0;
    const xc_tensor *list = l->n_in > 1 && l->in[1] >= 0 ? e->tensors[l->in[1]].value : NULL;
    if (l->n_in > 1 && l->in[1] >= 0 && !list) return 0; /* axes computed at run time */
    if (!xc_attr_ints(l->node, "axes", &attr, &n) && list) n = xc_tensor_numel(list);
    int noop = xc_attr_int(l->node, "noop_with_empty_axes", 0) != 0;
    for (int k = 0; k < x->rank; k++) reduced[k] = n == 0 && !noop;
    for (size_t j = 0; j < n; j++) {
        int64_t ax = attr ? attr[j] : xc_load_i64(list->dtype, list->data, j);
        if (ax < 0) ax += x->rank;
        if (ax < 0 || ax >= x->rank) return 0;
        reduced[ax] = 1;
    }
    return 1;
}

/* The input as kept and reduced axis groups, outermost first. */
typedef struct reduce_geom {
    int n_kept, n_red;
    int64_t kept_dims[XC_MAX_RANK], kept_strides[XC_MAX_RANK], red_dims[XC_MAX_RANK], red_strides[XC_MAX_RANK];
    int64_t count, outputs;
} reduce_geom;

/* Groups the axes: size-1 axes are dropped, and an axis joins the group before it when both
 * are kept or both reduced (adjacent row-major axes merge into one of their product). */
static int reduce_geometry(const xc_engine *e, const xc_layer *l, reduce_geom *g)
{
    int reduced[XC_MAX_RANK];
    if (!xc_reduce_axes(e, l, reduced)) return 0;
    const xc_etensor *x = &e->tensors[l->in[0]];
    memset(g, 0, sizeof *g);
    g->count = g->outputs = 1;
    int last = -1; /* kind of the previous group: 1 reduced, 0 kept */
    int64_t stride = 1;
    for (int k = x->rank - 1; k >= 0; k--) { /* innermost first */
        int64_t d = x->dims[k];
        if (d != 1) {
            int64_t *dims = reduced[k] ? g->red_dims : g->kept_dims, *strides = reduced[k] ? g->red_strides : g->kept_strides;
            int *n = reduced[k] ? &g->n_red : &g->n_kept;
            if (last == reduced[k])
                dims[*n - 1] *= d;
            else {
                dims[*n] = d;
                strides[(*n)++] = stride;
            }
            last = reduced[k];
            *(reduced[k] ? &g->count : &g->outputs) *= d;
        }
        stride *= d;
    }
    return g->n_kept <= GROUPS && g->n_red <= GROUPS;
}

static int reduce_accepts(const xc_engine *e, const xc_layer *l)
{
    reduce_geom g;
    if (reduce_op(l->node) < 0 || l->n_out != 1 || l->in[0] < 0) return 0;
    const xc_etensor *x = &e->tensors[l->in[0]];
    return x->dtype == XC_FLOAT && !x->value && xc_et_numel(x) && e->tensors[l->out[0]].dtype == XC_FLOAT
           && reduce_geometry(e, l, &g);
}

/* -D options of the geometry: slot 0 is the outermost group, unused outer slots size 1. */
static void geometry_defines(const reduce_geom *g, char *buf, size_t len)
{
    for (int s = 0; s < GROUPS; s++) {
        int i = GROUPS - 1 - s; /* groups are stored innermost first */
        xc_defs(buf, len, " -DKD%d=%lldL -DKS%d=%lldL -DRD%d=%lldL -DRS%d=%lldL", s,
                (long long)(i < g->n_kept ? g->kept_dims[i] : 1), s, (long long)(i < g->n_kept ? g->kept_strides[i] : 0), s,
                (long long)(i < g->n_red ? g->red_dims[i] : 1), s, (long long)(i < g->n_red ? g->red_strides[i] : 0));
    }
    xc_defs(buf, len, " -DCOUNT=%lldL -DOUTPUTS=%lldL", (long long)g->count, (long long)g->outputs);
}

/* One launch of `kernel` with `per_output` work-items per output (1: direct). */
static xc_status reduce_prepare(xc_engine *e, xc_layer *l, const char *defines, const char *kernel, size_t per_output)
{
    reduce_geom g;
    if (!reduce_geometry(e, l, &g)) return xc_fail(XC_ERR_INTERNAL, "layer '%s': reduce geometry changed", l->name);
    char defs[1024];
    snprintf(defs, sizeof defs, "%s -DOP=%d", defines, reduce_op(l->node));
    geometry_defines(&g, defs, sizeof defs);
    cl_program p;
    XC_TRY(xc_norm_program(e, l, "reduce.cl", defs, &p));
    xc_launch *k = xc_layer_add_launch(l, p, kernel);
    XC_TRY(xc_launch_input(e, l, k, l->in[0]));
    xc_launch_tensor(k, l->out[0]);
    size_t local = per_output > 1 ? per_output : XC_WG_DEFAULT, global = xc_round_up((size_t)g.outputs * per_output, local);
    xc_launch_range(k, 1, &global, &local);
    return XC_OK;
}

static xc_status direct_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    return reduce_prepare(e, l, defines, "reduce_direct", 1);
}

static xc_status group_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    return reduce_prepare(e, l, defines, "reduce_group", xc_norm_wg(defines));
}

/* A work-group per output pays off only when there are elements for all its work-items. */
static int group_applicable(const xc_engine *e, const xc_layer *l)
{
    reduce_geom g;
    return reduce_geometry(e, l, &g) && g.count >= 64;
}

static const xc_tactic direct = {"reduce.direct", NULL, NULL, direct_prepare, NULL};
static const xc_tactic group = {"reduce.group", group_applicable, xc_norm_group_sizes, group_prepare, NULL};
static const xc_tactic *const tactics[] = {&direct, &group, NULL};
const xc_layer_kind xc_kind_reduce = {"reduce", reduce_accepts, tactics, 0};
