/* graph_draw_engine.c — the engine view: each live layer of an xc_engine becomes a cluster
 * holding the ONNX nodes it covers, labelled with the layer's name, kind and tactic, precision,
 * measured time and the fusion pass that formed it. Reformat layers (which cover no ONNX node:
 * the builder inserts them where fp16 and fp32 storage meet) are drawn as their own small nodes
 * on the tensor they convert; nodes no layer covers were folded away at build time and are
 * drawn dashed. */
#include "graph_draw_internal.h"
#include "ocl/ocl.h"
#include <stdio.h>
#include <string.h>

/* Long fused chains get long names; the cluster shows the start and the node count. */
#define MAX_NAME_CHARS 60

static const char *precision(const xc_engine_layer_info *L) { return xc_layer_info_precision(L); }

static void cluster_label(const xc_engine_layer_info *L, xc_text *t)
{
    if (strlen(L->name) > MAX_NAME_CHARS) {
        char head[MAX_NAME_CHARS + 1];
        snprintf(head, sizeof head, "%s", L->name);
        xc_text_literal(t, head);
        xc_text_printf(t, "... (%d nodes)", L->n_nodes);
    } else {
        xc_text_literal(t, L->name);
    }
    xc_text_line(t);
    xc_text_literal(t, L->tactic[0] ? L->tactic : L->kind);
    xc_text_printf(t, " | %s | ", precision(L));
    if (L->time_ms > 0)
        xc_text_printf(t, "%.4g ms", L->time_ms);
    else
        xc_text_printf(t, "not timed");
    if (L->fusion) {
        xc_text_line(t);
        xc_text_printf(t, "fusion: ");
        xc_text_literal(t, L->fusion);
    }
}

xc_status xc_draw_engine_clusters(xc_draw *d)
{
    const xc_engine *e = d->o->engine;
    for (int l = 0; l < xc_engine_layer_count(e); l++) {
        xc_engine_layer_info info, *L = &info;
        xc_engine_layer_info_get(e, l, L);
        if (!L->name) continue; /* merged into another layer */
        int kept = 0;
        for (int k = 0; k < L->n_nodes; k++) {
            d->layer_of[L->nodes[k]] = l;
            kept |= d->keep[L->nodes[k]];
        }
        if (!kept) continue;
        char id[32];
        snprintf(id, sizeof id, "cluster_%d", l);
        d->cluster[l] = agsubg(d->root, id, 1);
        if (!d->cluster[l]) return xc_fail(XC_ERR_NOMEM, "out of memory");
        xc_text label = {0};
        cluster_label(L, &label);
        xc_draw_set(d->cluster[l], "label", label.s ? label.s : "");
        xc_text_free(&label);
        xc_draw_set(d->cluster[l], "style", "rounded,filled");
        xc_draw_set(d->cluster[l], "fillcolor", L->fp16 ? "#fbf3e4" : "#f3f3f3");
        xc_draw_set(d->cluster[l], "color", "#8a8aa8");
        xc_draw_set(d->cluster[l], "fontsize", "9");
        xc_draw_set(d->cluster[l], "tooltip", L->name);
        for (int k = 0; k < L->n_nodes; k++) d->parent[L->nodes[k]] = d->cluster[l];
    }
    return XC_OK;
}

/* The drawn node producing ONNX tensor name (a node, or the graph input's node), or NULL. */
static Agnode_t *tensor_source(const xc_draw *d, const char *name)
{
    int p = xc_names_get(&d->producer, name);
    if (p >= 0) return d->drawn[p];
    xc_text id = {0};
    xc_text_printf(&id, "in:%s", name);
    Agnode_t *v = id.s ? agnode(d->root, id.s, 0) : NULL;
    xc_text_free(&id);
    return v;
}

/* Dashed edges from a reformat node to the nodes of layers reading its converted tensor. */
static xc_status reformat_heads(xc_draw *d, Agnode_t *r, const char *source, int converted)
{
    const xc_engine *e = d->o->engine;
    for (int l = 0; l < xc_engine_layer_count(e); l++) {
        xc_engine_layer_info info, *L = &info;
        xc_engine_layer_info_get(e, l, L);
        int reads = 0;
        for (int k = 0; L->name && k < L->n_in && !reads; k++) reads = L->in[k] == converted;
        if (!reads) continue;
        for (int k = 0; k < L->n_nodes; k++) {
            const xc_node *n = &d->g->nodes[L->nodes[k]];
            int uses = 0;
            for (int j = 0; j < n->n_inputs && !uses; j++) uses = !strcmp(n->inputs[j], source);
            if (!uses || !d->drawn[L->nodes[k]]) continue;
            Agedge_t *edge = agedge(d->root, r, d->drawn[L->nodes[k]], NULL, 1);
            if (!edge) return xc_fail(XC_ERR_NOMEM, "out of memory");
            xc_draw_set(edge, "style", "dashed");
            xc_draw_set(edge, "tooltip", source);
        }
    }
    return XC_OK;
}

static xc_status draw_reformat(xc_draw *d, int l, const xc_engine_layer_info *L)
{
    xc_engine_tensor_info in;
    xc_engine_tensor_info_get(d->o->engine, L->in[0], &in);
    const char *source = in.name;
    Agnode_t *tail = source[0] ? tensor_source(d, source) : NULL;
    if (!tail) return XC_OK; /* outside the --around selection */
    char id[32];
    snprintf(id, sizeof id, "layer:%d", l);
    Agnode_t *r = agnode(d->root, id, 1);
    Agedge_t *edge = r ? agedge(d->root, tail, r, NULL, 1) : NULL;
    if (!edge) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_text label = {0};
    xc_text_printf(&label, "Reformat to %s", precision(L));
    if (L->time_ms > 0) xc_text_printf(&label, "\\n%.4g ms", L->time_ms);
    xc_draw_set(r, "label", label.s ? label.s : "");
    xc_text_free(&label);
    xc_draw_set(r, "shape", "cds");
    xc_draw_set(r, "fillcolor", "#eadcf2");
    xc_draw_set(r, "tooltip", L->name);
    xc_draw_set(edge, "style", "dashed");
    xc_draw_set(edge, "tooltip", source);
    return reformat_heads(d, r, source, L->out[0]);
}

xc_status xc_draw_engine_extras(xc_draw *d)
{
    const xc_engine *e = d->o->engine;
    for (int l = 0; l < xc_engine_layer_count(e); l++) {
        xc_engine_layer_info L;
        xc_engine_layer_info_get(e, l, &L);
        if (L.name && L.n_nodes == 0 && L.n_in == 1 && L.n_out == 1) XC_TRY(draw_reformat(d, l, &L));
    }
    for (int i = 0; i < d->g->n_nodes; i++) {
        if (!d->drawn[i] || d->layer_of[i] >= 0) continue;
        xc_text label = {0};
        xc_text_printf(&label, "%s\\n(folded at build)", xc_draw_get(d->drawn[i], "label"));
        xc_draw_set(d->drawn[i], "label", label.s ? label.s : "");
        xc_text_free(&label);
        xc_draw_set(d->drawn[i], "style", "rounded,dashed,filled");
        xc_draw_set(d->drawn[i], "fillcolor", "#f4f4f4");
        xc_draw_set(d->drawn[i], "fontcolor", "#707070");
    }
    return XC_OK;
}
