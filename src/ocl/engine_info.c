/* engine_info.c — read-only views of an engine's layers for code outside the backend
 * (comparisons, reports), so they need not see engine.h's internals. */
#include "ocl/engine.h"
#include "ocl/build.h" /* xc_layer_baseline */
#include "ocl/profile_shapes.h"
#include <stdlib.h>
#include <string.h>

int xc_engine_layer_count(const xc_engine *e) { return e->n_layers; }

/* A rounding layer: a live device layer on TF32 products, or a product kind on 16-bit storage. */
static int rounds(const xc_layer *L)
{
    return !L->dead && !L->cpu && (xc_tactic_tf32(L->tactic) || (L->fp16 && L->kind && L->kind->products));
}

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
    out->fp16_math = L->fp16 ? L->fp16_math : 0;
    out->half_format = L->half_format;
    out->tf32 = xc_tactic_tf32(L->tactic) && !L->cpu;
    out->rounds = rounds(L);
    out->cpu = L->cpu;
    out->int8 = L->kind && (!strcmp(L->kind->name, "qconv") || !strcmp(L->kind->name, "qgemm"));
    out->n_nodes = L->n_nodes;
    out->nodes = L->nodes;
    out->time_ms = L->time_ms;
    out->variant = L->variant;
    out->fusions = L->fusions;
    out->n_in = L->n_in, out->n_out = L->n_out;
    out->in = L->in, out->out = L->out;
}

int xc_engine_tensor_count(const xc_engine *e) { return e->n_tensors; }

void xc_engine_tensor_info_get(const xc_engine *e, int t, xc_engine_tensor_info *out)
{
    const xc_etensor *x = &e->tensors[t];
    out->name = x->name;
    out->dtype = x->dtype;
    out->rank = x->rank;
    out->dims = x->dims;
    out->fp16 = x->fp16;
}

int xc_engine_tensor_find(const xc_engine *e, const char *name) { return xc_names_get(&e->tensor_index, name); }

const xc_model *xc_engine_model(const xc_engine *e) { return e->model; }

const char *xc_engine_device(const xc_engine *e, int *index)
{
    *index = e->dev->index;
    return e->dev->name;
}

const char *xc_layer_info_precision(const xc_engine_layer_info *L)
{
    return L->cpu    ? "cpu-fp32"
           : L->int8 ? "int8"
           : L->fp16 ? (L->fp16_math ? xc_half_format_get(L->half_format)->name : xc_half_format_get(L->half_format)->storage)
           : L->tf32 ? "tf32"
                     : "fp32";
}

const char *xc_layer_precision_name(const xc_layer *L)
{
    xc_engine_layer_info info = {.cpu = L->cpu,
                                 .fp16 = L->fp16,
                                 .fp16_math = L->fp16 ? L->fp16_math : 0,
                                 .half_format = L->half_format,
                                 .tf32 = xc_tactic_tf32(L->tactic) && !L->cpu,
                                 .int8 = L->kind && (!strcmp(L->kind->name, "qconv") || !strcmp(L->kind->name, "qgemm"))};
    return xc_layer_info_precision(&info);
}

xc_status xc_engine_rounding_depth(const xc_engine *e, const char *tensor, int *out)
{
    *out = 0;
    int t = e && tensor ? xc_names_get(&e->tensor_index, tensor) : -1, any = 0;
    for (int l = 0; t >= 0 && l < e->n_layers && !any; l++) any = rounds(&e->layers[l]);
    if (!any) return XC_OK; /* exact fp32 engines: every depth is 0, no walk per compared tensor */
    int *depth = calloc((size_t)e->n_tensors, sizeof *depth);
    if (!depth) return xc_fail(XC_ERR_NOMEM, "out of memory");
    /* layers run in a topological order, so every input's depth is final when its reader comes */
    for (int l = 0; l < e->n_layers; l++) {
        const xc_layer *L = &e->layers[l];
        if (L->dead) continue;
        int d = 0;
        for (int i = 0; i < L->n_in; i++)
            if (L->in[i] >= 0 && depth[L->in[i]] > d) d = depth[L->in[i]];
        d += rounds(L);
        for (int o = 0; o < L->n_out; o++)
            if (L->out[o] >= 0 && d > depth[L->out[o]]) depth[L->out[o]] = d;
    }
    *out = depth[t];
    free(depth);
    return XC_OK;
}

int xc_engine_uses_fp16(const xc_engine *e)
{
    for (int l = 0; e && l < e->n_layers; l++)
        if (!e->layers[l].dead && !e->layers[l].cpu && e->layers[l].fp16) return 1;
    return 0;
}

int xc_engine_half_format(const xc_engine *e) { return e ? e->opt.half_format : XC_HALF_FP16; }

int xc_engine_layer_find(const xc_engine *e, const char *name)
{
    for (int l = 0; l < e->n_layers; l++)
        if (!e->layers[l].dead && !strcmp(e->layers[l].name, name)) return l;
    return -1;
}

int xc_engine_input_shape(const xc_engine *e, const char *name, xc_input_shape *out)
{
    const xc_engine *chosen = xc_profile_opt_engine(e, e->opt.opt_profile - 1); /* --opt-profile N: its opt shapes */
    if (chosen && chosen != e) return xc_engine_input_shape(chosen, name, out);
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

const char *xc_engine_layer_baseline(const xc_engine *e, int l, char *buf, size_t len)
{
    return xc_layer_baseline(e, &e->layers[l], buf, len);
}
