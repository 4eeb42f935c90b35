/* softmax.c — the softmax layer kind: Softmax and LogSoftmax on float32. Opset 13 normalizes
 * along the one axis `axis` (default -1); earlier opsets flatten the input to 2-D at `axis`
 * (default 1) and normalize each row of the trailing block, as the reference does. Either way
 * the input is viewed as [outer, n, inner] and each of the outer * inner rows is normalized.
 * Tactics: softmax.row_serial (one work-item per row) and softmax.row_local.<WG> (one
 * work-group per row, local-memory reductions). */
#include "ocl/layers/norm_util.h"
#include <stdio.h>
#include <string.h>

typedef struct rows {
    int64_t outer, n, inner;
} rows;

static rows softmax_rows(const xc_engine *e, const xc_layer *l)
{
    const xc_etensor *x = &e->tensors[l->in[0]];
    int per_axis = l->node->opset >= 13;
    int64_t axis = xc_attr_int(l->node, "axis", per_axis ? -1 : 1);
    if (axis < 0) axis += x->rank;
    rows r = {1, 1, 1};
    for (int k = 0; k < x->rank; k++) {
        if (k < axis)
            r.outer *= x->dims[k];
        else if (k == axis || !per_axis)
            r.n *= x->dims[k];
        else
            r.inner *= x->dims[k];
    }
    return r;
}

static int softmax_accepts(const xc_engine *e, const xc_layer *l)
{
    const char *op = l->node->op_type;
    if ((strcmp(op, "Softmax") && strcmp(op, "LogSoftmax")) || l->node->domain[0] || l->n_out != 1 || l->in[0] < 0) return 0;
    const xc_etensor *x = &e->tensors[l->in[0]];
    int64_t axis = xc_attr_int(l->node, "axis", l->node->opset >= 13 ? -1 : 1);
    return x->dtype == XC_FLOAT && !x->value && x->rank >= 1 && axis >= -x->rank && axis < x->rank && xc_et_numel(x) > 0;
}

static xc_status softmax_prepare(xc_engine *e, xc_layer *l, const char *defines, const char *kernel, size_t per_row)
{
    rows r = softmax_rows(e, l);
    char defs[512];
    snprintf(defs, sizeof defs, "%s -DOUTER=%lld -DN=%lld -DINNER=%lld%s", defines, (long long)r.outer, (long long)r.n,
             (long long)r.inner, !strcmp(l->node->op_type, "LogSoftmax") ? " -DLOG" : "");
    cl_program p;
    XC_TRY(xc_norm_program(e, l, "softmax.cl", defs, &p));
    xc_launch *k = xc_layer_add_launch(l, p, kernel);
    XC_TRY(xc_launch_input(e, l, k, l->in[0]));
    xc_launch_tensor(k, l->out[0]);
    size_t n_rows = (size_t)(r.outer * r.inner), local = per_row > 1 ? per_row : XC_WG_DEFAULT;
    size_t global = per_row > 1 ? n_rows * per_row : xc_round_up(n_rows, local);
    xc_launch_range(k, 1, &global, &local);
    return XC_OK;
}

static xc_status serial_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    return softmax_prepare(e, l, defines, "softmax_serial", 1);
}

static xc_status local_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    return softmax_prepare(e, l, defines, "softmax_local", xc_norm_wg(defines));
}

/* A work-group per row needs rows long enough to share out. */
static int local_applicable(const xc_engine *e, const xc_layer *l) { return softmax_rows(e, l).n >= 32; }

static const xc_tactic serial = {"softmax.row_serial", NULL, NULL, serial_prepare, NULL};
static const xc_tactic local = {"softmax.row_local", local_applicable, xc_norm_group_sizes, local_prepare, NULL};
static const xc_tactic *const tactics[] = {&serial, &local, NULL};
const xc_layer_kind xc_kind_softmax = {"softmax", softmax_accepts, tactics, 0};
