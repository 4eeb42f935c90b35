/* precision.c — per-layer precision and tensor storage. Under --fp16 (--bf16) every GPU layer
 * stores its float outputs as half (bfloat16) and reads them so, computing in that format or, with
 * --fp16-storage (--bf16-storage), in fp32; --layer-precision NAME:PREC
 * constrains a layer (see ocl.h: fp32 keeps it out of fp16, fp16/fp32 keep it out of int8, int8
 * requires it int8). Where a tensor's storage differs from what a consumer reads, a reformat
 * layer (kinds: "reformat") converts it, as TensorRT inserts reformatting layers.
 * CPU-fallback layers read any storage (the runtime converts) and write fp32; views (free
 * reshapes) keep the storage of what they view. */
#include "ocl/build.h"
#include "dtype.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const xc_layer_kind xc_kind_reformat, xc_kind_view;

static const char *const prec_names[] = {NULL, "int8", "fp16", "bf16", "fp32"};

static const xc_half_format_info half_formats[] = {
    [XC_HALF_FP16] = {"fp16", "fp16-storage", " -DXC_FP16", " -DXC_FP16_MATH", "Row major linear FP16", XC_LAYER_PREC_FP16,
                      xc_f32_to_f16, xc_f16_to_f32},
    [XC_HALF_BF16] = {"bf16", "bf16-storage", " -DXC_BF16", " -DXC_BF16_MATH", "Row major linear BF16", XC_LAYER_PREC_BF16,
                      xc_f32_to_bf16, xc_bf16_to_f32},
};

const xc_half_format_info *xc_half_format_get(int format)
{
    return &half_formats[format == XC_HALF_BF16 ? XC_HALF_BF16 : XC_HALF_FP16];
}

/* The reduced-precision modes: math 1 rounds arithmetic to the format, 2 its sums too. */
static int math_level(const xc_ocl_build_options *o) { return o->fp16_math ? 1 + !!o->fp16_acc : 0; }

static const struct precision_mode {
    const char *option;
    int format, math;
} modes[] = {
    {"--fp16", XC_HALF_FP16, 1}, {"--fp16-storage", XC_HALF_FP16, 0}, {"--fp16-accumulate", XC_HALF_FP16, 2},
    {"--bf16", XC_HALF_BF16, 1}, {"--bf16-storage", XC_HALF_BF16, 0},
};

int xc_ocl_precision_mode(xc_ocl_build_options *o, const char *option)
{
    for (size_t i = 0; i < sizeof modes / sizeof *modes; i++) {
        const struct precision_mode *m = &modes[i];
        if (strcmp(option, m->option)) continue;
        if (o->fp16 && o->half_format != m->format) {
            xc_fail(XC_ERR_USAGE, "%s cannot be combined with %s: an engine has one 16-bit float format", option,
                    xc_ocl_precision_option(o));
            return -1;
        }
        int was = o->fp16 ? math_level(o) : -1, math = m->math;
        if (was >= 0 && (was == 0) != (math == 0)) { /* storage alone vs arithmetic: no order decides that */
            xc_fail(XC_ERR_USAGE, "%s cannot be combined with %s: storage only or arithmetic, not both", option,
                    xc_ocl_precision_option(o));
            return -1;
        }
        if (was > math) math = was; /* --fp16 --fp16-accumulate in either order: sums rounded too */
        o->fp16 = 1;
        o->half_format = m->format;
        o->fp16_math = math > 0;
        o->fp16_acc = math > 1;
        return 1;
    }
    return 0;
}

const char *xc_ocl_precision_option(const xc_ocl_build_options *o)
{
    int math = math_level(o);
    for (size_t i = 0; o->fp16 && i < sizeof modes / sizeof *modes; i++)
        if (modes[i].format == o->half_format && modes[i].math == math) return modes[i].option;
    return NULL;
}

const char *xc_layer_prec_name(int prec)
{
    return prec > XC_LAYER_PREC_NONE && prec <= XC_LAYER_PREC_FP32 ? prec_names[prec] : NULL;
}

int xc_layer_prec_parse(const char *word)
{
    for (int p = XC_LAYER_PREC_INT8; p <= XC_LAYER_PREC_FP32; p++)
        if (!strcmp(word, prec_names[p])) return p;
    return -1;
}

/* The option list holding names constrained to prec. */
static xc_name_list *prec_list_mut(xc_ocl_build_options *o, int prec)
{
    if (prec == XC_LAYER_PREC_INT8) return &o->int8_layers;
    if (prec == XC_LAYER_PREC_FP16) return &o->fp16_layers;
    if (prec == XC_LAYER_PREC_BF16) return &o->bf16_layers;
    return &o->fp32_layers;
}

static const xc_name_list *prec_list(const xc_ocl_build_options *o, int prec)
{
    return prec_list_mut((xc_ocl_build_options *)o, prec); /* only read */
}

xc_status xc_ocl_constrain_layer(xc_ocl_build_options *o, const char *name, int prec)
{
    if (!xc_layer_prec_name(prec)) return xc_fail(XC_ERR_USAGE, "layer '%s': no such precision (%d)", name, prec);
    return xc_name_list_add(prec_list_mut(o, prec), name);
}

/* A node as layer names name it: its name, else its first output's. */
static const char *node_label(const xc_node *n) { return n->name[0] ? n->name : n->outputs[0]; }

/* Whether node label `node` is `want` or one of the parts of a " + "-joined name. */
static int names_node(const char *want, const char *node)
{
    size_t n = strlen(node);
    for (const char *part = want; part;) {
        const char *end = strstr(part, " + ");
        size_t len = end ? (size_t)(end - part) : strlen(part);
        if (len == n && !strncmp(node, part, len)) return 1;
        part = end ? end + 3 : NULL;
    }
    return 0;
}

/* Whether constraint name `want` names layer L: its name, one of its nodes, or a " + "-joined
 * layer name (another build's fused layer) one part of which is a node of L. */
static int names_layer(const xc_engine *e, const xc_layer *L, const char *want)
{
    if (!strcmp(L->name, want)) return 1;
    for (int k = 0; k < L->n_nodes; k++)
        if (names_node(want, node_label(&e->model->graph->nodes[L->nodes[k]]))) return 1;
    return 0;
}

xc_status xc_engine_own_constraints(xc_engine *e)
{
    const xc_graph *g = e->model->graph;
    for (int p = XC_LAYER_PREC_INT8; p <= XC_LAYER_PREC_FP32; p++) {
        xc_name_list *list = prec_list_mut(&e->opt, p), kept = {0};
        for (int j = 0; j < g->n_nodes; j++)
            for (int i = 0; i < list->n; i++)
                if (names_node(list->v[i], node_label(&g->nodes[j]))) {
                    xc_status s = xc_name_list_add(&kept, node_label(&g->nodes[j]));
                    if (s != XC_OK) return xc_name_list_free(&kept), s;
                    break;
                }
        xc_name_list_free(list);
        *list = kept;
    }
    return XC_OK;
}

int xc_layer_constraint(const xc_engine *e, const xc_layer *L)
{
    int best = XC_LAYER_PREC_NONE;
    for (int p = XC_LAYER_PREC_INT8; p <= XC_LAYER_PREC_FP32; p++) {
        const xc_name_list *list = prec_list(&e->opt, p);
        for (int i = 0; i < list->n && best < p; i++)
            if (names_layer(e, L, list->v[i])) best = p;
    }
    return best;
}

static int is_int8(const xc_layer *L) { return L->kind && (!strcmp(L->kind->name, "qconv") || !strcmp(L->kind->name, "qgemm")); }

/* Every constraint names a live layer, asks a precision the engine has, and an int8 one is met. */
static xc_status check_constraint(const xc_engine *e, const char *name, int prec)
{
    const char *word = xc_layer_prec_name(prec);
    const xc_half_format_info *f = xc_half_format_get(prec == XC_LAYER_PREC_BF16 ? XC_HALF_BF16 : XC_HALF_FP16);
    if ((prec == XC_LAYER_PREC_FP16 || prec == XC_LAYER_PREC_BF16)
        && (!e->opt.fp16 || xc_half_format_get(e->opt.half_format) != f))
        return xc_fail(XC_ERR_USAGE, "--layer-precision %s:%s needs --%s or --%s (%s)", name, word, f->name, f->storage,
                       e->opt.fp16 ? "the engine's 16-bit layers use the other format"
                                   : "without it every float layer runs fp32");
    int found = 0, any_int8 = 0;
    const xc_layer *not_int8 = NULL;
    for (int l = 0; l < e->n_layers; l++) {
        const xc_layer *L = &e->layers[l];
        if (L->dead) continue; /* fused away: its nodes are named by the layer that absorbed it */
        any_int8 |= is_int8(L);
        if (!names_layer(e, L, name)) continue;
        found = 1;
        if (!is_int8(L) && !not_int8 && xc_layer_constraint(e, L) == XC_LAYER_PREC_INT8) not_int8 = L;
    }
    if (!found) return xc_fail(XC_ERR_USAGE, "--layer-precision names '%s', which is no layer or node of the model", name);
    if (prec != XC_LAYER_PREC_INT8 || !not_int8) return XC_OK;
    if (!any_int8 && !e->opt.int8)
        return xc_fail(XC_ERR_USAGE, "--layer-precision %s:%s: the engine has no int8 (build with --int8, or a Q/DQ model)", name,
                       word);
    return xc_fail(XC_ERR_USAGE, "--layer-precision %s:%s: layer '%s' (%s) cannot run int8 in this engine", name, word,
                   not_int8->name,
                   not_int8->cpu    ? "cpu"
                   : not_int8->kind ? not_int8->kind->name
                                    : "?");
}

static xc_status check_constraints(const xc_engine *e)
{
    for (int p = XC_LAYER_PREC_INT8; p <= XC_LAYER_PREC_FP32; p++) {
        const xc_name_list *list = prec_list(&e->opt, p);
        for (int i = 0; i < list->n; i++) XC_TRY(check_constraint(e, list->v[i], p));
    }
    return XC_OK;
}

/* A reformat layer converting tensor t to the other storage, appended to layers[]. */
static xc_status add_reformat(xc_engine *e, xc_layer *layers, int *n, int t, int fp16, int *converted)
{
    xc_etensor *src = &e->tensors[t];
    char name[512];
    snprintf(name, sizeof name, "Reformat(%s -> %s)", src->name, fp16 ? xc_half_format_get(e->opt.half_format)->name : "fp32");
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
    R->fp16_math = fp16 ? math_level(&e->opt) : 0; /* named as the engine's other fp16 layers */
    R->half_format = e->opt.half_format;
    *converted = id;
    return XC_OK;
}

xc_status xc_engine_assign_precision(xc_engine *e)
{
    XC_TRY(check_constraints(e));
    for (int l = 0; l < e->n_layers; l++) {
        xc_layer *L = &e->layers[l];
        if (L->dead) continue;
        L->fp16 = e->opt.fp16 && !L->cpu && xc_layer_constraint(e, L) != XC_LAYER_PREC_FP32;
        if (L->kind == &xc_kind_view) L->fp16 = e->tensors[L->in[0]].fp16;
        L->fp16_math = L->fp16 ? math_level(&e->opt) : 0; /* --fp16 (math) vs --fp16-storage */
        L->half_format = e->opt.half_format;
        for (int o = 0; o < L->n_out; o++)
            if (L->out[o] >= 0) e->tensors[L->out[o]].fp16 = L->fp16 && e->tensors[L->out[o]].dtype == XC_FLOAT;
    }
    if (!e->opt.fp16) return XC_OK;
    /* rebuild the layer list with reformats in front of the consumers that need them */
    int cap = e->n_layers + 16, n = 0; /* every layer, and at most one reformat per layer input */
    for (int l = 0; l < e->n_layers; l++) cap += e->layers[l].n_in;
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
