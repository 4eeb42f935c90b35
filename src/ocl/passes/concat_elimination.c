/* concat_elimination.c — Concats that copy nothing. A Concat's output is its inputs laid side by
 * side, so producers could write straight into their slices of it; but the engine's aliases
 * (a tensor that is another's storage) have no byte offset, and the memory planner sizes and
 * places a buffer by its root tensor alone. So this pass removes only the Concats whose output
 * IS one input's storage: exactly one input holds elements (the others are empty), and the
 * Concat becomes a view of it (kind "view": no kernel, the output aliases the input). Writing
 * into slices at an offset needs the core changes described in the movement helper's report. */
#include "ocl/engine.h"
#include <string.h>

extern const xc_layer_kind xc_kind_view;

/* The one input of Concat layer l with elements, or -1 (none, several, or it is a constant). */
static int sole_nonempty_input(const xc_engine *e, const xc_layer *l)
{
    int found = -1;
    for (int i = 0; i < l->n_in; i++) {
        if (l->in[i] < 0 || !xc_et_numel(&e->tensors[l->in[i]])) continue;
        if (found >= 0) return -1;
        found = i;
    }
    return found >= 0 && !e->tensors[l->in[found]].value ? found : -1;
}

static xc_status run(xc_engine *e)
{
    for (int k = 0; k < e->n_layers; k++) {
        xc_layer *l = &e->layers[k];
        if (l->dead || l->cpu || l->node->domain[0] || strcmp(l->node->op_type, "Concat") || l->n_out != 1) continue;
        int i = sole_nonempty_input(e, l);
        if (i < 0 || !xc_fusion_allowed(e, k, k)) continue;
        l->in[0] = l->in[i];
        l->n_in = 1;
        l->kind = &xc_kind_view; /* its tactic aliases the output to in[0] */
        l->fusion = "concat_elimination";
        l->fusions |= xc_pass_bit(l->fusion);
    }
    return XC_OK;
}

const xc_pass xc_pass_concat_elimination = {"concat_elimination", 1, run};
