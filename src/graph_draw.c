/* graph_draw.c — xc_graph_draw(): indexes the model's names, then runs the drawing steps in
 * order (select the nodes, make the engine's clusters, draw nodes and edges, add the engine's
 * own layers, apply overlays and highlights) and writes the result. A picture of more than
 * max_nodes nodes is collapsed into blocks instead (graph_draw_blocks.c, graph_draw_summary.c). */
#include "graph_draw_internal.h"
#include "ocl/ocl.h"
#include "validate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

xc_draw_options xc_draw_defaults(void)
{
    xc_draw_options o;
    memset(&o, 0, sizeof o);
    o.radius = 1;
    o.max_nodes = XC_DRAW_MAX_NODES;
    return o;
}

const char *xc_draw_format(const char *path)
{
    static const char *const formats[] = {"dot", "svg", "png", "pdf"};
    const char *dot = strrchr(path, '.');
    if (!dot || strchr(dot, '/')) return NULL;
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (!strcasecmp(dot + 1, formats[i])) return formats[i];
    return NULL;
}

const char *xc_draw_node_name(const xc_node *n) { return n->name[0] || !n->n_outputs ? n->name : n->outputs[0]; }

void xc_draw_set(void *obj, const char *attr, const char *value) { agsafeset(obj, (char *)attr, (char *)value, ""); }

const char *xc_draw_get(void *obj, const char *attr)
{
    const char *v = agget(obj, (char *)attr);
    return v ? v : "";
}

/* The declared value_info of a value (graph input, output or value_info), or NULL. */
static const xc_value_info *declared(const xc_draw *d, const char *name)
{
    int k = xc_names_get(&d->declared, name);
    if (k < 0) return NULL;
    if (k < d->g->n_inputs) return &d->g->inputs[k];
    k -= d->g->n_inputs;
    if (k < d->g->n_outputs) return &d->g->outputs[k];
    return &d->g->value_info[k - d->g->n_outputs];
}

/* In the engine view a tensor's type is the engine's: static shapes (--input-shapes applied) and
 * the storage precision it chose. Returns 0 when the engine has no such tensor. */
static int engine_tensor_type(const xc_draw *d, const char *tensor, xc_text *t)
{
    const xc_engine *e = d->o->engine;
    int id = e ? xc_engine_tensor_find(e, tensor) : -1;
    if (id < 0) return 0;
    xc_engine_tensor_info et;
    xc_engine_tensor_info_get(e, id, &et);
    char shape[512];
    xc_text_printf(t, "%s%s%s%s", xc_shape_str(et.dtype, et.rank, et.dims, shape, sizeof shape), et.fp16 ? " (" : "",
                   et.fp16 ? xc_half_format_get(xc_engine_half_format(e))->name : "", et.fp16 ? ")" : "");
    return 1;
}

void xc_draw_tensor_type(const xc_draw *d, const char *tensor, xc_text *t)
{
    if (engine_tensor_type(d, tensor, t)) return;
    const xc_type_shape *ts = d->m->types ? xc_graph_type(d->m->types, tensor) : NULL;
    const xc_value_info *v = declared(d, tensor);
    xc_dtype dt = ts && ts->dtype != XC_UNDEFINED ? ts->dtype : v ? v->dtype : XC_UNDEFINED;
    int rank = ts && ts->rank >= 0 ? ts->rank : v ? v->rank : -1;
    xc_text_printf(t, "%s", dt == XC_UNDEFINED ? "?" : xc_dtype_name(dt));
    if (rank < 0) {
        xc_text_printf(t, "[?]");
        return;
    }
    xc_text_printf(t, "[");
    for (int k = 0; k < rank; k++) {
        int64_t dim = ts && ts->rank == rank ? ts->dims[k] : v && v->rank == rank ? v->dims[k] : -1;
        const char *sym = v && v->rank == rank ? v->dim_params[k] : NULL;
        if (k) xc_text_printf(t, ",");
        if (dim >= 0)
            xc_text_printf(t, "%lld", (long long)dim);
        else if (sym)
            xc_text_literal(t, sym);
        else
            xc_text_printf(t, "?");
    }
    xc_text_printf(t, "]");
}

static xc_status build_indexes(xc_draw *d)
{
    const xc_graph *g = d->g;
    size_t nv = (size_t)g->n_inputs + g->n_outputs + g->n_value_info;
    XC_TRY(xc_names_init(&d->node_index, (size_t)g->n_nodes + 1));
    XC_TRY(xc_names_init(&d->producer, (size_t)g->n_nodes * 2 + 1));
    XC_TRY(xc_names_init(&d->initializer, (size_t)g->n_initializers + 1));
    XC_TRY(xc_names_init(&d->declared, nv + 1));
    for (int i = 0; i < g->n_nodes; i++) {
        const xc_node *n = &g->nodes[i];
        XC_TRY(xc_names_put(&d->node_index, xc_draw_node_name(n), i));
        for (int o = 0; o < n->n_outputs; o++)
            if (n->outputs[o][0]) XC_TRY(xc_names_put(&d->producer, n->outputs[o], i));
    }
    for (int i = 0; i < g->n_initializers; i++) XC_TRY(xc_names_put(&d->initializer, g->initializers[i]->name, i));
    /* value_info first, so a graph input's or output's own declaration wins */
    for (int i = 0; i < g->n_value_info; i++)
        XC_TRY(xc_names_put(&d->declared, g->value_info[i].name, g->n_inputs + g->n_outputs + i));
    for (int i = 0; i < g->n_outputs; i++) XC_TRY(xc_names_put(&d->declared, g->outputs[i].name, g->n_inputs + i));
    for (int i = 0; i < g->n_inputs; i++) XC_TRY(xc_names_put(&d->declared, g->inputs[i].name, i));
    return XC_OK;
}

/* Whether the picture is collapsed into blocks: only laid-out formats (DOT is written as is,
 * in time linear in the model) with more kept nodes than max_nodes. */
static int collapsed(const xc_draw *d, const char *path, int *kept)
{
    *kept = 0;
    for (int i = 0; i < d->g->n_nodes; i++) *kept += d->keep[i];
    return strcmp(xc_draw_format(path), "dot") && d->o->max_nodes > 0 && *kept > d->o->max_nodes;
}

static void report(const xc_draw *d, int kept)
{
    xc_draw_summary *r = d->o->summary;
    if (!r) return;
    memset(r, 0, sizeof *r);
    r->nodes = kept;
    if (!d->boxes) return;
    r->blocks = d->n_boxes;
    for (int b = 0; b < d->n_boxes; b++) r->by_prefix |= d->boxes[b].level > 0;
}

static xc_status draw_steps(xc_draw *d, const char *path)
{
    int n = d->g->n_nodes;
    int nl = d->o->engine ? xc_engine_layer_count(d->o->engine) : 0;
    d->keep = calloc((size_t)n + 1, 1);
    d->parent = calloc((size_t)n + 1, sizeof *d->parent);
    d->drawn = calloc((size_t)n + 1, sizeof *d->drawn);
    d->layer_of = calloc((size_t)n + 1, sizeof *d->layer_of);
    d->cluster = calloc((size_t)nl + 1, sizeof *d->cluster);
    if (!d->keep || !d->parent || !d->drawn || !d->layer_of || !d->cluster) return xc_fail(XC_ERR_NOMEM, "out of memory");
    XC_TRY(build_indexes(d));
    XC_TRY(xc_draw_select(d));
    d->root = agopen((char *)(d->g->name && d->g->name[0] ? d->g->name : "model"), Agdirected, NULL);
    if (!d->root) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        d->parent[i] = d->root;
        d->layer_of[i] = -1;
    }
    int kept;
    if (collapsed(d, path, &kept)) {
        XC_TRY(xc_draw_blocks(d, d->o->max_nodes < XC_DRAW_MAX_BLOCKS ? d->o->max_nodes : XC_DRAW_MAX_BLOCKS));
        XC_TRY(xc_draw_collapsed(d));
    } else {
        if (d->o->engine) XC_TRY(xc_draw_engine_clusters(d));
        XC_TRY(xc_draw_model(d));
        if (d->o->engine) XC_TRY(xc_draw_engine_extras(d));
    }
    XC_TRY(xc_draw_style(d));
    XC_TRY(xc_draw_write(d->root, path));
    report(d, kept);
    return XC_OK;
}

xc_status xc_graph_draw(const xc_model *m, const xc_draw_options *o, const char *path)
{
    if (!xc_draw_format(path)) return xc_fail(XC_ERR_USAGE, "%s: unknown picture format (use .dot, .svg, .png or .pdf)", path);
    if (o->engine && xc_engine_model(o->engine) != m)
        return xc_fail(XC_ERR_USAGE, "the engine to draw was not built from this model");
    xc_draw d;
    memset(&d, 0, sizeof d);
    d.m = m;
    d.g = m->graph;
    d.o = o;
    xc_status s = draw_steps(&d, path);
    if (d.root) agclose(d.root);
    xc_names_free(&d.node_index);
    xc_names_free(&d.producer);
    xc_names_free(&d.initializer);
    xc_names_free(&d.declared);
    free(d.keep);
    free(d.parent);
    free(d.drawn);
    free(d.layer_of);
    free(d.cluster);
    for (int b = 0; b < d.n_boxes; b++) free(d.boxes[b].nodes);
    free(d.boxes);
    free(d.box_of);
    return s;
}
