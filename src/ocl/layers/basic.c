/* basic.c — the layer kinds with no arithmetic of their own:
 *  - view: Reshape, Flatten, Squeeze, Unsqueeze, Identity and inference Dropout emit no kernel;
 *    the output is another name for the input's storage (the builder's "free reshape");
 *  - reformat: fp32 <-> fp16 storage conversion, inserted by precision.c;
 *  - cpu: a node run on the reference interpreter (--fallback-cpu); never chosen by lowering. */
#include "ocl/engine.h"
#include "ocl/program.h"
#include <string.h>

static int is_view_op(const char *op)
{
    static const char *const ops[] = {"Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity", "Dropout", NULL};
    for (int i = 0; ops[i]; i++)
        if (!strcmp(op, ops[i])) return 1;
    return 0;
}

/* Dropout is a copy only in inference mode: training_mode (opset 12+ input 2) absent or a
 * constant false. */
static int dropout_is_identity(const xc_engine *e, const xc_layer *l)
{
    if (strcmp(l->node->op_type, "Dropout") || l->n_in < 3 || l->in[2] < 0) return 1;
    const xc_tensor *mode = e->tensors[l->in[2]].value;
    return mode && xc_tensor_numel(mode) == 1 && !xc_load_i64(mode->dtype, mode->data, 0);
}

static int view_accepts(const xc_engine *e, const xc_layer *l)
{
    if (!is_view_op(l->node->op_type) || l->node->domain[0] || l->n_in < 1 || l->in[0] < 0) return 0;
    if (!dropout_is_identity(e, l)) return 0;
    for (int o = 1; o < l->n_out; o++) { /* Dropout's mask: real data, unless nobody reads it */
        const xc_etensor *mask = l->out[o] >= 0 ? &e->tensors[l->out[o]] : NULL;
        if (mask && (mask->consumers > 0 || mask->graph_output >= 0)) return 0;
    }
    const xc_etensor *x = &e->tensors[l->in[0]], *y = &e->tensors[l->out[0]];
    return !x->value && x->dtype == y->dtype && xc_et_numel(x) == xc_et_numel(y);
}

static xc_status view_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    (void)defines;
    e->tensors[l->out[0]].alias = l->in[0];            /* same bytes, new shape: no kernel */
    for (int o = 1; o < l->n_out; o++) l->out[o] = -1; /* an unread Dropout mask is never made */
    return XC_OK;
}

static const xc_tactic view_tactic = {"view.alias", NULL, NULL, view_prepare, NULL};
static const xc_tactic *const view_tactics[] = {&view_tactic, NULL};
const xc_layer_kind xc_kind_view = {"view", view_accepts, view_tactics, 0};

static int never(const xc_engine *e, const xc_layer *l)
{
    (void)e;
    (void)l;
    return 0;
}

static xc_status reformat_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    cl_program p;
    XC_TRY(xc_ocl_program(e->dev, "reformat.cl", NULL, defines ? defines : "", l->name, &p));
    /* [format][to 16 bits]: the layer stores what it converts to */
    static const char *const kernels[][2] = {[XC_HALF_FP16] = {"to_float", "to_half"}, [XC_HALF_BF16] = {"from_bf16", "to_bf16"}};
    xc_launch *k = xc_layer_add_launch(l, p, kernels[l->half_format == XC_HALF_BF16][l->fp16]);
    size_t n = xc_et_numel(&e->tensors[l->out[0]]), global = xc_round_up(n ? n : 1, XC_WG_DEFAULT);
    xc_launch_tensor(k, l->in[0]);
    xc_launch_tensor(k, l->out[0]);
    xc_launch_int(k, (int64_t)n);
    xc_launch_range(k, 1, &global, NULL);
    return XC_OK;
}

static const xc_tactic reformat_tactic = {"reformat.copy", NULL, NULL, reformat_prepare, NULL};
static const xc_tactic *const reformat_tactics[] = {&reformat_tactic, NULL};
const xc_layer_kind xc_kind_reformat = {"reformat", never, reformat_tactics, 0};

/* A Concat whose inputs were written straight into their slices of its output
 * (concat_elimination): nothing is left to do. */
static const xc_tactic in_place_tactic = {"concat.in_place", NULL, NULL, NULL, NULL};
static const xc_tactic *const in_place_tactics[] = {&in_place_tactic, NULL};
const xc_layer_kind xc_kind_inplace = {"inplace", never, in_place_tactics, 0};

static const xc_tactic cpu_tactic = {"cpu.reference", NULL, NULL, NULL, NULL};
static const xc_tactic *const cpu_tactics[] = {&cpu_tactic, NULL};
const xc_layer_kind xc_kind_cpu = {"cpu", never, cpu_tactics, 0};
