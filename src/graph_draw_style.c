/* graph_draw_style.c — colours and outlines laid over a drawn graph: a per-layer comparison
 * (green pass, orange near tolerance, red fail, grey where the file has no data; the first
 * divergent layer's nodes outlined thick; failing tensors' edges red) and --highlight names
 * (nodes, tensors, or in the engine view layers, outlined blue). */
#include "graph_draw_internal.h"
#include "ocl/ocl.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *fill_of(xc_overlay_verdict v)
{
    switch (v) {
    case XC_OVERLAY_PASS: return "#b9e3b2";
    case XC_OVERLAY_NEAR: return "#ffd08a";
    case XC_OVERLAY_FAIL: return "#f3a09b";
    default: return "#d9d9d9";
    }
}

static const char *verdict_name(xc_overlay_verdict v)
{
    return v == XC_OVERLAY_PASS ? "pass" : v == XC_OVERLAY_NEAR ? "near" : "fail";
}

static void outline(void *obj, const char *color, const char *width)
{
    xc_draw_set(obj, "color", color);
    xc_draw_set(obj, "penwidth", width);
}

static void append_line(void *obj, const xc_overlay_layer *l)
{
    xc_text t = {0};
    xc_text_printf(&t, "%s\\n%s", xc_draw_get(obj, "label"), verdict_name(l->verdict));
    if (!isnan(l->max_abs)) xc_text_printf(&t, " max_abs=%.3g", l->max_abs);
    if (!isnan(l->max_rel)) xc_text_printf(&t, " max_rel=%.3g", l->max_rel);
    xc_draw_set(obj, "label", t.s ? t.s : "");
    xc_text_free(&t);
}

/* The cluster of the engine layer named name, or NULL (model view, or not drawn). */
static Agraph_t *layer_cluster(const xc_draw *d, const char *name)
{
    const xc_engine *e = d->o->engine;
    int l = e ? xc_engine_layer_find(e, name) : -1;
    return l >= 0 ? d->cluster[l] : NULL;
}

static void style_tensor_edges(const xc_draw *d, const char *tensor, const char *color, const char *width)
{
    for (Agnode_t *n = agfstnode(d->root); n; n = agnxtnode(d->root, n))
        for (Agedge_t *e = agfstout(d->root, n); e; e = agnxtout(d->root, e))
            if (!strcmp(xc_draw_get(e, "tooltip"), tensor)) {
                outline(e, color, width);
                xc_draw_set(e, "fontcolor", color);
            }
}

/* Whether node i is drawn inside a collapsed block of several nodes (whose label is no place
 * for every layer's numbers). */
static int in_block(const xc_draw *d, int i) { return d->boxes && d->box_of[i] >= 0 && d->boxes[d->box_of[i]].n > 1; }

/* Colours every drawn node by the verdict of the overlay layer covering it. */
static xc_status apply_overlay(xc_draw *d, const xc_overlay *ov)
{
    const char *model = d->m->path ? d->m->path : "the model";
    xc_overlay_verdict *verdict = calloc((size_t)d->g->n_nodes + 1, sizeof *verdict);
    if (!verdict) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int l = 0; l < ov->n_layers; l++) {
        const xc_overlay_layer *L = &ov->layers[l];
        for (int k = 0; k < L->n_nodes; k++) {
            int i = xc_names_get(&d->node_index, L->nodes[k]);
            if (i < 0) {
                free(verdict);
                return xc_fail(XC_ERR_MODEL, "%s: layer '%s' covers node '%s', which %s does not have", ov->path, L->name,
                               L->nodes[k], model);
            }
            verdict[i] = L->verdict > verdict[i] ? L->verdict : verdict[i];
        }
    }
    if (d->boxes) {
        /* a collapsed block takes the worst verdict of its nodes (a failure shows through) */
        xc_overlay_verdict *worst = calloc((size_t)d->n_boxes + 1, sizeof *worst);
        if (!worst) {
            free(verdict);
            return xc_fail(XC_ERR_NOMEM, "out of memory");
        }
        for (int i = 0; i < d->g->n_nodes; i++)
            if (d->box_of[i] >= 0 && verdict[i] > worst[d->box_of[i]]) worst[d->box_of[i]] = verdict[i];
        for (int b = 0; b < d->n_boxes; b++) xc_draw_set(d->boxes[b].drawn, "fillcolor", fill_of(worst[b]));
        free(worst);
    } else {
        for (int i = 0; i < d->g->n_nodes; i++)
            if (d->drawn[i]) xc_draw_set(d->drawn[i], "fillcolor", fill_of(verdict[i]));
    }
    free(verdict);
    for (int l = 0; l < ov->n_layers; l++) {
        const xc_overlay_layer *L = &ov->layers[l];
        const char *thick = l == ov->first_divergence ? "4" : NULL;
        Agraph_t *cluster = layer_cluster(d, L->name);
        /* the numbers go on the layer's cluster, or in the model view on its last node */
        int last = L->n_nodes ? xc_names_get(&d->node_index, L->nodes[L->n_nodes - 1]) : -1;
        if (cluster)
            append_line(cluster, L);
        else if (last >= 0 && d->drawn[last] && !in_block(d, last))
            append_line(d->drawn[last], L);
        if (!thick) continue;
        if (cluster) outline(cluster, "#b00000", thick);
        for (int k = 0; k < L->n_nodes; k++) {
            int i = xc_names_get(&d->node_index, L->nodes[k]);
            if (d->drawn[i]) outline(d->drawn[i], "#b00000", thick);
        }
    }
    for (int t = 0; t < ov->n_tensors; t++)
        if (!ov->tensors[t].passed) style_tensor_edges(d, ov->tensors[t].name, "#c00000", "2");
    xc_text title = {0};
    xc_text_printf(&title, "%s\\noverlay: ", xc_draw_get(d->root, "label"));
    xc_text_literal(&title, ov->path);
    if (ov->mode) {
        xc_text_printf(&title, " (");
        xc_text_literal(&title, ov->mode);
        xc_text_printf(&title, ")");
    }
    xc_text_printf(&title, "; first divergence: ");
    xc_text_literal(&title, ov->first_divergence >= 0 ? ov->layers[ov->first_divergence].name : "none");
    xc_draw_set(d->root, "label", title.s ? title.s : "");
    xc_text_free(&title);
    return XC_OK;
}

static int is_tensor(const xc_draw *d, const char *name)
{
    return xc_names_get(&d->producer, name) >= 0 || xc_names_get(&d->initializer, name) >= 0
           || xc_names_get(&d->declared, name) >= 0;
}

static xc_status highlight(xc_draw *d, const char *name)
{
    static const char *const blue = "#1f4fd0";
    int i = xc_names_get(&d->node_index, name);
    if (i >= 0) {
        if (d->drawn[i]) outline(d->drawn[i], blue, "3");
        return XC_OK;
    }
    if (is_tensor(d, name)) {
        style_tensor_edges(d, name, blue, "3");
        return XC_OK;
    }
    const xc_engine *e = d->o->engine;
    int l = e ? xc_engine_layer_find(e, name) : -1;
    if (l >= 0) {
        if (d->cluster[l]) outline(d->cluster[l], blue, "3");
        return XC_OK;
    }
    return xc_fail(XC_ERR_USAGE, "%s: no %s named '%s' to highlight", d->m->path ? d->m->path : "model",
                   e ? "node, tensor or layer" : "node or tensor", name);
}

xc_status xc_draw_style(xc_draw *d)
{
    if (d->o->overlay) XC_TRY(apply_overlay(d, d->o->overlay));
    for (int h = 0; h < d->o->n_highlight; h++) XC_TRY(highlight(d, d->o->highlight[h]));
    return XC_OK;
}
