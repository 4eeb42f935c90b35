/* precision.c — per-layer precision and tensor storage. Under --fp16 every GPU layer stores its
 * float outputs as half and reads halves (arithmetic stays fp32); --layer-precision NAME:fp32
 * keeps a layer in fp32. Where a tensor's storage differs from what a consumer reads, a
 * reformat layer (kinds: "reformat") converts it, as TensorRT inserts reformatting layers.
 * CPU-fallback layers read any storage (the runtime converts) and write fp32; views (free
 * reshapes) keep the storage of what they view. */
#include "ocl/build.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const xc_layer_kind xc_kind_reformat, xc_kind_view;

static int forced_fp32(const xc_engine *e, const xc_layer *L)
{
    for (int i = 0; i < e->opt.n_fp32_layers; i++) {
        const char *want = e->opt.fp32_layers[i];
        if (!strcmp(L->name, want)) return 1;
        for (int k = 0; k < L->n_nodes; k++)
            if (!strcmp(e->model->graph->nodes[L->nodes[k]].name, want)) return 1;
    }
    return 0;
}

static xc_status check_forced_names(const xc_engine *e)
{
    for (int i = 0; i < e->opt.n_fp32_layers; i++) {
        int found = 0;
        for (int l = 0; l < e->n_layers && !found; l++) {
            const xc_layer *L = &e->layers[l];
            if (L->dead) continue; /* fused away: its nodes are named by the layer that absorbed it */
            found |= !strcmp(L->name, e->opt.fp32_layers[i]);
            for (int k = 0; k < L->n_nodes; k++)
                found |= !strcmp(e->model->graph->nodes[L->nodes[k]].name, e->opt.fp32_layers[i]);
        }
        if (!found)
            return xc_fail(XC_ERR_USAGE, "--layer-precision names '%s', which is no layer or node of the model",
                           e->opt.fp32_layers[i]);
    }
    return XC_OK;
}

/* A reformat layer converting tensor t to the other storage, appended to layers[]. */
static xc_status add_reformat(xc_engine *e, xc_layer *layers, int *n, int t, int fp16, int *converted)
{
    xc_etensor *src = &e->tensors[t];
    char name[512];
    snprintf(name, sizeof name, "Reformat(%s -> %s)", src->name, fp16 ? "fp16" : "fp32");
    int id = xc_engine_add_tensor(e, "", src->dtype, src->rank, src->dims);
    if (id < 0) return XC_ERR_NOMEM;
    e->tensors[id].fp16 = fp16;
    e->tensors[id].converted_from = t;
    xc_layer *R = &layers[(*n)++];
    memset(R, 0, sizeof *R);
    R->name = strdup(name);
    R->nodes = malloc(sizeof(int));
    if (!R->name || !R->nodes) return xc_fail(XC_ERR_NOMEM, "out of memory");
    R->kind = &xc_kind_reformat;
    R->n_in = R->n_out = 1;
    R->in[0] = t;
    R->out[0] = id;
    R->residual = -1;
    R->fp16 = fp16;
    R->fp16_math = fp16 && e->opt.fp16_math ? 1 + !!e->opt.fp16_acc : 0; /* named as the engine's other fp16 layers */
    *converted = id;
    return XC_OK;
}

xc_status xc_engine_assign_precision(xc_engine *e)
{
    XC_TRY(check_forced_names(e));
    for (int l = 0; l < e->n_layers; l++) {
        xc_layer *L = &e->layers[l];
        if (L->dead) continue;
        L->fp16 = e->opt.fp16 && !L->cpu && !forced_fp32(e, L);
        if (L->kind == &xc_kind_view) L->fp16 = e->tensors[L->in[0]].fp16;
        L->fp16_math = L->fp16 && e->opt.fp16_math ? 1 + !!e->opt.fp16_acc : 0; /* --fp16 (math) vs --fp16-storage */
        for (int o = 0; o < L->n_out; o++)
            if (L->out[o] >= 0) e->tensors[L->out[o]].fp16 = L->fp16 && e->tensors[L->out[o]].dtype == XC_FLOAT;
    }
    if (!e->opt.fp16) return XC_OK;
    /* rebuild the layer list with reformats in front of the consumers that need them */
    int cap = e->n_layers * 2 + 16, n = 0;
    xc_layer *layers = calloc(cap, sizeof *layers);
    int *conv16 = malloc(sizeof(int) * e->n_tensors), *conv32 = malloc(sizeof(int) * e->n_tensors);
    int n_tensors = e->n_tensors;
    xc_status s = layers && conv16 && conv32 ? XC_OK : xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int t = 0; s == XC_OK && t < n_tensors; t++) conv16[t] = conv32[t] = -1;
    for (int l = 0; s == XC_OK && l < e->n_layers; l++) {
        xc_layer L = e->layers[l];
        for (int i = 0; !L.dead && !L.cpu && L.kind != &xc_kind_view && i < L.n_in && s == XC_OK; i++) {
            int t = L.in[i];
            if (t < 0 || t >= n_tensors || e->tensors[t].value || e->tensors[t].dtype != XC_FLOAT) continue;
            if (e->tensors[t].fp16 == L.fp16) continue;
            int *conv = L.fp16 ? conv16 : conv32;
            if (conv[t] < 0 && n + 1 < cap) s = add_reformat(e, layers, &n, t, L.fp16, &conv[t]);
            L.in[i] = conv[t];
        }
        if (n < cap) layers[n++] = L;
    }
    free(conv16);
    free(conv32);
    if (s != XC_OK) {
        for (int l = 0; layers && l < n; l++)
            if (layers[l].kind == &xc_kind_reformat) {
                free(layers[l].name);
                free(layers[l].nodes);
            }
        free(layers);
        return s;
    }
    free(e->layers);
    e->layers = layers;
    e->n_layers = n;
    e->cap_layers = cap;
    for (int l = 0; l < n; l++)
        for (int o = 0; o < layers[l].n_out; o++)
            if (layers[l].out[o] >= 0 && !layers[l].dead) e->tensors[layers[l].out[o]].producer = l;
    xc_engine_count_uses(e);
    return XC_OK;
}
