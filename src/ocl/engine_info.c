/* engine_info.c — read-only views of an engine's layers for code outside the backend
 * (comparisons, reports), so they need not see engine.h's internals. */
#include "ocl/engine.h"
#include <string.h>

int xc_engine_layer_count(const xc_engine *e) { return e->n_layers; }

void xc_engine_layer_info_get(const xc_engine *e, int l, xc_engine_layer_info *out)
{
    const xc_layer *L = &e->layers[l];
    memset(out, 0, sizeof *out);
    if (L->dead) return;
    out->name = L->name;
    out->kind = L->cpu ? "cpu" : L->kind ? L->kind->name : "";
    out->tactic = L->variant[0] ? L->variant : L->tactic ? L->tactic->name : "";
    out->fusion = L->fusion;
    out->fp16 = L->fp16;
    out->tf32 = xc_tactic_tf32(L->tactic) && !L->cpu;
    out->cpu = L->cpu;
    out->n_nodes = L->n_nodes;
    out->nodes = L->nodes;
}

const char *xc_layer_precision_name(const xc_layer *L)
{
    return L->cpu ? "cpu-fp32" : L->fp16 ? "fp16" : xc_tactic_tf32(L->tactic) ? "tf32" : "fp32";
}

int xc_engine_uses_tf32(const xc_engine *e)
{
    for (int l = 0; e && l < e->n_layers; l++)
        if (!e->layers[l].dead && !e->layers[l].cpu && xc_tactic_tf32(e->layers[l].tactic)) return 1;
    return 0;
}

int xc_engine_layer_find(const xc_engine *e, const char *name)
{
    for (int l = 0; l < e->n_layers; l++)
        if (!e->layers[l].dead && !strcmp(e->layers[l].name, name)) return l;
    return -1;
}

int xc_engine_input_shape(const xc_engine *e, const char *name, xc_input_shape *out)
{
    for (int t = 0; t < e->n_tensors; t++) {
        const xc_etensor *x = &e->tensors[t];
        if (x->graph_input < 0 || strcmp(x->name, name)) continue;
        out->name = x->name;
        out->rank = x->rank;
        memcpy(out->dims, x->dims, sizeof out->dims);
        return 1;
    }
    return 0;
}
