/* builder.c — model + input shapes + options -> engine. The stages, in order:
 *   1. tensors for initializers and inputs; one layer per ONNX node, in topological order;
 *      nodes whose inputs are all constant are folded on the reference right away (constant
 *      folding, shape subgraphs included), and every other node's output shapes are inferred
 *      with the shared schemas, so the engine has static shapes only;
 *   2. dead layers (nothing reads them) are dropped;
 *   3. each layer gets the first layer kind that accepts it, or the CPU fallback;
 *   4. the passes run (fusions, each switchable), then precision and reformats;
 *   5. tactics are chosen (tuner.c) and the memory plan made (memplan.c). */
#include "ocl/build.h"
#include "ocl/fault.h"
#include "ocl/profile_shapes.h"
#include "onnx_io.h"
#include "ops/plans.h"
#include "log.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

xc_ocl_build_options xc_ocl_build_defaults(void)
{
    /* a constant, not a local: the options are tens of KiB, and a frame that size is what fails
     * first when the stack cannot grow (a tight ulimit -v) */
    static const xc_ocl_build_options defaults = {.timing_iterations = 10, .opt_level = -1};
    return defaults;
}

#define XC_DEFAULT_OPT_LEVEL 3

xc_status xc_ocl_resolve_opt_level(int *level)
{
    if (*level >= 0) return *level <= 5 ? XC_OK : xc_fail(XC_ERR_USAGE, "builder optimization level %d is not in 0..5", *level);
    /* the environment sets the default for every engine a process builds (the test suite's fast
     * tier, debug tools that build many engines) */
    const char *env = getenv("CROSSCHECK_BUILDER_OPTIMIZATION_LEVEL");
    *level = XC_DEFAULT_OPT_LEVEL;
    if (!env || !*env) return XC_OK;
    if (env[1] || env[0] < '0' || env[0] > '5')
        return xc_fail(XC_ERR_USAGE, "CROSSCHECK_BUILDER_OPTIMIZATION_LEVEL='%s' is not a level in 0..5", env);
    *level = env[0] - '0';
    return XC_OK;
}

static xc_status add_layer(xc_engine *e, int node, int *index)
{
    if (e->n_layers == e->cap_layers) {
        int cap = e->cap_layers ? e->cap_layers * 2 : 64;
        xc_layer *l = realloc(e->layers, sizeof *l * cap);
        if (!l) return xc_fail(XC_ERR_NOMEM, "out of memory");
        e->layers = l;
        e->cap_layers = cap;
    }
    const xc_node *n = &e->model->graph->nodes[node];
    xc_layer *l = &e->layers[e->n_layers];
    memset(l, 0, sizeof *l);
    l->name = strdup(n->name[0] ? n->name : n->outputs[0]);
    l->nodes = malloc(sizeof(int));
    if (!l->name || !l->nodes) return xc_fail(XC_ERR_NOMEM, "out of memory");
    l->nodes[0] = node;
    l->n_nodes = 1;
    l->node = n;
    l->residual = -1;
    *index = e->n_layers++;
    return XC_OK;
}

int xc_engine_tensor(const xc_engine *e, const char *name) { return xc_names_get(&e->tensor_index, name); }

/* Initializers become constants; runtime inputs get their shape from --input-shapes, the
 * model, or 1 for symbolic dims (as `run` feeds them). */
static xc_status make_sources(xc_engine *e)
{
    const xc_graph *g = e->model->graph;
    for (int i = 0; i < g->n_initializers; i++) {
        const xc_tensor *v = g->initializers[i];
        int id = xc_engine_add_tensor(e, v->name, v->dtype, v->rank, v->dims);
        if (id < 0) return XC_ERR_NOMEM;
        XC_TRY(xc_tensor_clone(v, &e->tensors[id].value));
    }
    for (int i = 0, k = 0; i < g->n_inputs; i++) {
        if (!xc_graph_is_runtime_input(g, i)) continue;
        const xc_value_info *v = &g->inputs[i];
        int64_t dims[XC_MAX_RANK];
        int rank = v->rank < 0 ? 0 : v->rank;
        for (int d = 0; d < rank; d++) dims[d] = v->dims[d] < 0 ? 1 : v->dims[d];
        for (int s = 0; s < e->opt.n_shapes; s++)
            if (!strcmp(e->opt.shapes[s].name, v->name)) {
                rank = e->opt.shapes[s].rank;
                memcpy(dims, e->opt.shapes[s].dims, sizeof dims);
            }
        if (v->rank < 0) return xc_fail(XC_ERR_USAGE, "input '%s' has no known rank: give --input-shapes", v->name);
        int id = xc_engine_add_tensor(e, v->name, v->dtype, rank, dims);
        if (id < 0) return XC_ERR_NOMEM;
        e->tensors[id].graph_input = k++;
    }
    return XC_OK;
}

/* Runs node k on the reference (all inputs constant) and records its outputs as constants. */
static xc_status fold_node(xc_engine *e, const xc_node *n)
{
    /* on the heap: a node may have any number of inputs (100,000 overflowed a stack array) */
    const xc_tensor **in = calloc((size_t)n->n_inputs + 1, sizeof *in);
    xc_tensor **out = calloc((size_t)n->n_outputs + 1, sizeof *out);
    xc_status s = in && out ? XC_OK : xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int i = 0; s == XC_OK && i < n->n_inputs; i++)
        in[i] = n->inputs[i][0] ? e->tensors[xc_engine_tensor(e, n->inputs[i])].value : NULL;
    if (s == XC_OK) s = xc_ref_eval_node(n, in, out);
    for (int o = 0; s == XC_OK && o < n->n_outputs; o++) {
        if (!out[o]) continue;
        int id = xc_engine_add_tensor(e, n->outputs[o], out[o]->dtype, out[o]->rank, out[o]->dims);
        if (id < 0) {
            for (int p = o; p < n->n_outputs; p++) xc_tensor_free(out[p]);
            s = XC_ERR_NOMEM;
            break;
        }
        e->tensors[id].value = out[o];
    }
    free(in);
    free(out);
    return s;
}

/* The values a node's subgraphs read from the graph around them (If/Loop/Scan captures) become
 * extra inputs of its layer, after the node's own: the memory plan keeps them alive until the
 * layer runs, and the CPU fallback hands them to the reference as the enclosing scope. */
static xc_status add_captures(xc_engine *e, const xc_node *n, xc_layer *l)
{
    if (!xc_node_has_subgraphs(n)) return XC_OK;
    const char **names = NULL;
    int count = 0;
    char lb[256];
    XC_TRY(xc_node_captures(n, &names, &count));
    xc_status s = XC_OK;
    for (int i = 0; i < count && s == XC_OK; i++) {
        int id = xc_engine_tensor(e, names[i]);
        if (id < 0) continue; /* a value of a graph further in: the reference resolves it */
        if (l->n_in == XC_LAYER_IO)
            s = xc_fail(XC_ERR_UNSUPPORTED, "%s: its subgraphs read more than %d values of the graph around them",
                        xc_node_label(n, lb, sizeof lb), XC_LAYER_IO - n->n_inputs);
        else
            l->in[l->n_in++] = id;
    }
    free(names);
    return s;
}

/* A node that cannot be folded becomes a layer; its outputs' shapes must be static. tin and
 * tout hold one zeroed entry per input and output. */
static xc_status lower_node_with(xc_engine *e, int k, xc_type_shape *tin, xc_type_shape *tout)
{
    const xc_node *n = &e->model->graph->nodes[k];
    char lb[256];
    int layer = -1;
    XC_TRY(add_layer(e, k, &layer));
    xc_layer *l = &e->layers[layer];
    for (int i = 0; i < n->n_inputs; i++) {
        tin[i].rank = -1;
        if (!n->inputs[i][0]) {
            l->in[l->n_in++] = -1; /* keeps input positions: kinds read l->in[i] for input i */
            continue;
        }
        int id = xc_engine_tensor(e, n->inputs[i]);
        const xc_etensor *t = &e->tensors[id];
        tin[i] = (xc_type_shape){1, t->dtype, t->rank, {0}, t->value, XC_VALUE_TENSOR};
        memcpy(tin[i].dims, t->dims, sizeof t->dims);
        l->cpu |= t->host; /* only the reference takes a shape known at run time */
        if (l->n_in == XC_LAYER_IO)
            return xc_fail(XC_ERR_UNSUPPORTED, "%s: more than %d inputs", xc_node_label(n, lb, sizeof lb), XC_LAYER_IO);
        l->in[l->n_in++] = id;
    }
    XC_TRY(add_captures(e, n, l));
    for (int o = 0; o < n->n_outputs; o++) tout[o].present = n->outputs[o][0] != 0;
    XC_TRY(xc_node_infer(n, tin, n->n_inputs, tout, n->n_outputs));
    for (int o = 0; o < n->n_outputs; o++) {
        if (!tout[o].present) {
            l->out[l->n_out++] = -1;
            continue;
        }
        int host = !xc_infer_shape_known(&tout[o]);
        if (host && !e->opt.fallback_cpu)
            return xc_fail(XC_ERR_UNSUPPORTED,
                           "%s: output '%s' has a shape that depends on input values; the OpenCL engine "
                           "needs static shapes (give --input-shapes, make those inputs constants, or run such nodes and what "
                           "reads their outputs on the reference with --fallback-cpu)",
                           xc_node_label(n, lb, sizeof lb), n->outputs[o]);
        if (l->n_out == XC_LAYER_IO)
            return xc_fail(XC_ERR_UNSUPPORTED, "%s: more than %d outputs", xc_node_label(n, lb, sizeof lb), XC_LAYER_IO);
        int id = xc_engine_add_tensor(e, n->outputs[o], tout[o].dtype, tout[o].rank, tout[o].dims);
        if (id < 0) return XC_ERR_NOMEM;
        e->tensors[id].host = host;
        e->layers[layer].cpu |= host;
        e->tensors[id].producer = layer;
        e->layers[layer].out[e->layers[layer].n_out++] = id;
    }
    return XC_OK;
}

static xc_status lower_node(xc_engine *e, int k)
{
    const xc_node *n = &e->model->graph->nodes[k];
    xc_type_shape *tin = calloc((size_t)n->n_inputs + 1, sizeof *tin), *tout = calloc((size_t)n->n_outputs + 1, sizeof *tout);
    xc_status s = tin && tout ? lower_node_with(e, k, tin, tout) : xc_fail(XC_ERR_NOMEM, "out of memory");
    free(tin);
    free(tout);
    return s;
}

/* Shape and Size only read their input's dims, which are static in an engine: their outputs are
 * constants even when the input is an activation (this folds exporters' shape subgraphs:
 * Shape -> Gather -> Concat -> Reshape). Returns 1 when n was folded this way. */
static int fold_shape_of(xc_engine *e, const xc_node *n, xc_status *s)
{
    if (n->domain[0] || (strcmp(n->op_type, "Shape") && strcmp(n->op_type, "Size")) || n->n_outputs != 1 || !n->inputs[0][0])
        return 0;
    const xc_etensor *x = &e->tensors[xc_engine_tensor(e, n->inputs[0])];
    if (x->host) return 0; /* its dims are known at run time only */
    int start = 0, end = x->rank, is_shape = !strcmp(n->op_type, "Shape");
    if (is_shape) xc_shape_axes(n, x->rank, &start, &end);
    int64_t len = end > start ? end - start : 0, size = 1;
    for (int k = 0; k < x->rank; k++) size *= x->dims[k];
    xc_tensor *v;
    *s = xc_tensor_new(XC_INT64, is_shape ? 1 : 0, &len, &v);
    if (*s != XC_OK) return 1;
    for (int k = 0; k < len && is_shape; k++) ((int64_t *)v->data)[k] = x->dims[start + k];
    if (!is_shape) ((int64_t *)v->data)[0] = size;
    int id = xc_engine_add_tensor(e, n->outputs[0], XC_INT64, v->rank, v->dims);
    if (id < 0) {
        xc_tensor_free(v);
        *s = XC_ERR_NOMEM;
        return 1;
    }
    e->tensors[id].value = v;
    return 1;
}

static int all_inputs_constant(const xc_engine *e, const xc_node *n)
{
    for (int i = 0; i < n->n_inputs; i++)
        if (n->inputs[i][0] && !e->tensors[xc_engine_tensor(e, n->inputs[i])].value) return 0;
    return 1;
}

static xc_status make_layers(xc_engine *e)
{
    const xc_graph *g = e->model->graph;
    char lb[256];
    for (int k = 0; k < g->n_nodes; k++) {
        const xc_node *n = &g->nodes[k];
        xc_status s = XC_OK;
        if (!fold_shape_of(e, n, &s)) s = all_inputs_constant(e, n) && n->schema ? fold_node(e, n) : lower_node(e, k);
        if (s != XC_OK && !strstr(xc_error_message(), "node ")) xc_error_prefix(s, "%s: ", xc_node_label(n, lb, sizeof lb));
        XC_TRY(s);
    }
    for (int o = 0; o < g->n_outputs; o++) e->tensors[xc_engine_tensor(e, g->outputs[o].name)].graph_output = o;
    return XC_OK;
}

void xc_engine_count_uses(xc_engine *e)
{
    for (int t = 0; t < e->n_tensors; t++) e->tensors[t].consumers = 0;
    for (int l = 0; l < e->n_layers; l++) {
        if (e->layers[l].dead) continue;
        for (int i = 0; i < e->layers[l].n_in; i++)
            if (e->layers[l].in[i] >= 0) e->tensors[e->layers[l].in[i]].consumers++;
    }
}

/* Drops layers none of whose outputs is read or is a graph output, back to front. */
static void drop_dead(xc_engine *e)
{
    xc_engine_count_uses(e);
    for (int l = e->n_layers - 1; l >= 0; l--) {
        xc_layer *L = &e->layers[l];
        int used = 0;
        for (int o = 0; o < L->n_out; o++)
            if (L->out[o] >= 0) used |= e->tensors[L->out[o]].consumers > 0 || e->tensors[L->out[o]].graph_output >= 0;
        if (used) continue;
        L->dead = 1;
        for (int i = 0; i < L->n_in; i++)
            if (L->in[i] >= 0) e->tensors[L->in[i]].consumers--;
    }
}

/* float8, float4, int4 and int2 tensors have no OpenCL kernels: a layer that reads or writes
 * one is refused, or with --fallback-cpu runs on the reference (constants folded on the
 * reference are fine either way). */
static xc_status place_low_bit(xc_engine *e)
{
    char lb[256];
    for (int l = 0; l < e->n_layers; l++) {
        xc_layer *L = &e->layers[l];
        for (int k = 0; !L->dead && !L->cpu && k < L->n_in + L->n_out; k++) {
            int id = k < L->n_in ? L->in[k] : L->out[k - L->n_in];
            if (id < 0 || !xc_dtype_is_low(e->tensors[id].dtype)) continue;
            if (!e->opt.fallback_cpu)
                return xc_fail(XC_ERR_UNSUPPORTED,
                               "%s: tensor '%s' is %s, which the OpenCL engine does not support "
                               "(use --fallback-cpu to run such layers on the reference)",
                               xc_node_label(L->node, lb, sizeof lb), e->tensors[id].name, xc_dtype_name(e->tensors[id].dtype));
            L->kind = &xc_kind_cpu;
            L->cpu = 1;
        }
    }
    return XC_OK;
}

static xc_status assign_kinds(xc_engine *e)
{
    char msg[2048] = "";
    int missing = 0;
    for (int l = 0; l < e->n_layers; l++) {
        xc_layer *L = &e->layers[l];
        if (L->dead) continue;
        if (L->cpu) L->kind = &xc_kind_cpu; /* reads or writes a shape known at run time only */
        for (int k = 0; xc_layer_kinds[k] && !L->kind; k++)
            if (xc_layer_kinds[k]->accepts(e, L)) L->kind = xc_layer_kinds[k];
        if (L->kind) continue;
        if (e->opt.fallback_cpu) {
            L->kind = &xc_kind_cpu;
            L->cpu = 1;
            continue;
        }
        char lb[256];
        size_t o = strlen(msg);
        if (missing++ < 8)
            snprintf(msg + o, sizeof msg - o, "%s%s", missing > 1 ? "; " : "", xc_node_label(L->node, lb, sizeof lb));
    }
    if (missing)
        return xc_fail(XC_ERR_UNSUPPORTED,
                       "the OpenCL backend cannot run %d layer%s (use --fallback-cpu to run them on the reference): %s%s",
                       missing, missing > 1 ? "s" : "", msg, missing > 8 ? "; ..." : "");
    return XC_OK;
}

static int pass_enabled(const xc_engine *e, const xc_pass *p)
{
    if (p->is_fusion && e->opt.no_fusion) return 0;
    return !xc_name_list_has(&e->opt.disabled, p->name);
}

static xc_status check_disabled_names(const xc_engine *e)
{
    for (int i = 0; i < e->opt.disabled.n; i++) {
        int known = 0;
        for (int p = 0; xc_passes[p]; p++) known |= !strcmp(xc_passes[p]->name, e->opt.disabled.v[i]);
        if (!known)
            return xc_fail(XC_ERR_USAGE, "--disable-fusion '%s': no such pass (see 'crosscheck build --help')",
                           e->opt.disabled.v[i]);
    }
    return XC_OK;
}

/* --no-fuse-node names must be nodes of the model (named, or unnamed by their first output). */
static xc_status check_no_fuse_names(const xc_engine *e)
{
    const xc_graph *g = e->model->graph;
    for (int i = 0; i < e->opt.no_fuse_nodes.n; i++) {
        int known = 0;
        for (int k = 0; k < g->n_nodes && !known; k++)
            known = !strcmp(e->opt.no_fuse_nodes.v[i], g->nodes[k].name[0] ? g->nodes[k].name : g->nodes[k].outputs[0]);
        if (!known)
            return xc_fail(XC_ERR_USAGE, "--no-fuse-node '%s': no such node in %s", e->opt.no_fuse_nodes.v[i],
                           e->model->path ? e->model->path : "the model");
    }
    return XC_OK;
}

static xc_status run_passes(xc_engine *e)
{
    for (int p = 0; xc_passes[p]; p++) {
        if (!pass_enabled(e, xc_passes[p])) continue;
        xc_status s = xc_passes[p]->run(e);
        if (s != XC_OK) return xc_error_prefix(s, "pass %s: ", xc_passes[p]->name);
        xc_engine_count_uses(e);
    }
    return XC_OK;
}

static uint64_t hash_file(const char *path)
{
    uint64_t h = 1469598103934665603ull;
    xc_mapping *m;
    if (!path || xc_mapping_open(path, &m) != XC_OK) {
        xc_error_clear();
        return h;
    }
    const unsigned char *p = m->addr;
    for (size_t i = 0; i < m->len; i++) h = (h ^ p[i]) * 1099511628211ull;
    xc_mapping_release(m);
    return h;
}

xc_status xc_engine_probe(const xc_model *m, const xc_ocl_build_options *o, xc_engine **out)
{
    *out = NULL;
    xc_engine *e = calloc(1, sizeof *e);
    if (!e) return xc_fail(XC_ERR_NOMEM, "out of memory");
    e->model = m;
    e->opt = *o;
    if (e->opt.timing_iterations <= 0) e->opt.timing_iterations = 10;
    xc_status s0 = xc_ocl_resolve_opt_level(&e->opt.opt_level);
    if (s0 == XC_OK) s0 = xc_ocl_options_own(&e->opt); /* lists of its own: the caller's may go before it */
    if (s0 != XC_OK) {
        xc_ocl_options_free(&e->opt);
        free(e);
        return s0;
    }
    snprintf(e->model_hash, sizeof e->model_hash, "%016llx", (unsigned long long)hash_file(m->path));
    xc_status s = xc_names_init(&e->tensor_index, (size_t)m->graph->n_nodes * 2 + m->graph->n_initializers + 16);
    if (s == XC_OK && o->shared_device)
        e->dev = o->shared_device, e->dev_borrowed = 1;
    else if (s == XC_OK)
        s = xc_ocl_device_open(o->device, &e->dev);
    if (s != XC_OK) {
        xc_engine_free(e);
        return s;
    }
    *out = e;
    return XC_OK;
}

/* Engine buffers hold tensors: a model with a sequence or an optional anywhere (declared, or
 * made by a node as load-time inference found) is refused in one line. */
static xc_status refuse_containers(const xc_model *m)
{
    const xc_graph *g = m->graph;
    const xc_graph_types *t = m->types;
    const char *name = NULL;
    xc_value_kind k = XC_VALUE_TENSOR;
    for (int i = 0; !name && i < g->n_inputs + g->n_outputs; i++) {
        const xc_value_info *v = i < g->n_inputs ? &g->inputs[i] : &g->outputs[i - g->n_inputs];
        if (v->value != XC_VALUE_TENSOR) name = v->name, k = v->value;
    }
    for (int i = 0; !name && t && i < t->n_values; i++)
        if (t->types[i].kind != XC_VALUE_TENSOR) name = t->names[i], k = t->types[i].kind;
    if (name)
        return xc_fail(XC_ERR_UNSUPPORTED,
                       "the OpenCL engine runs tensors only, and '%s' is a %s (sequences and optionals run on --ref)", name,
                       xc_value_kind_name(k));
    /* string tensors likewise: the string ops run on --ref only */
    for (int i = 0; !name && i < g->n_inputs + g->n_outputs; i++) {
        const xc_value_info *v = i < g->n_inputs ? &g->inputs[i] : &g->outputs[i - g->n_inputs];
        if (v->dtype == XC_STRING) name = v->name;
    }
    for (int i = 0; !name && t && i < t->n_values; i++)
        if (t->types[i].dtype == XC_STRING) name = t->names[i];
    if (name)
        return xc_fail(XC_ERR_UNSUPPORTED,
                       "the OpenCL engine runs numbers only, and '%s' holds strings (string ops run on --ref)", name);
    return XC_OK;
}

xc_status xc_engine_build_structure(const xc_model *m, const xc_ocl_build_options *o, xc_engine **out)
{
    xc_engine *e;
    *out = NULL;
    XC_TRY(refuse_containers(m));
    XC_TRY(xc_engine_probe(m, o, &e));
    *out = NULL;
    xc_status s = check_disabled_names(e);
    if (s == XC_OK) s = check_no_fuse_names(e);
    if (s == XC_OK) s = make_sources(e);
    if (s == XC_OK) s = make_layers(e);
    if (s == XC_OK) {
        drop_dead(e);
        s = place_low_bit(e);
        if (s == XC_OK) s = assign_kinds(e);
    }
    if (s == XC_OK) s = run_passes(e);
    if (s == XC_OK) s = xc_engine_assign_precision(e);
    if (s != XC_OK) {
        xc_engine_free(e);
        return s;
    }
    *out = e;
    return XC_OK;
}

xc_status xc_ocl_build(const xc_model *m, const xc_ocl_build_options *o, xc_engine **out)
{
    if (o->profiles && o->profiles->n) return xc_profile_build(m, o, out);
    *out = NULL;
    if (o->opt_profile)
        return xc_fail(XC_ERR_USAGE, "--opt-profile %d: the engine has no optimization profiles (build it with --profile-shapes)",
                       o->opt_profile - 1);
    xc_engine *e;
    *out = NULL;
    XC_TRY(xc_engine_build_structure(m, o, &e));
    xc_status s = xc_engine_choose_tactics(e);
    if (s == XC_OK) s = xc_engine_plan_memory(e);
    if (s == XC_OK) s = xc_fault_setup(e);
    if (s != XC_OK) {
        xc_engine_free(e);
        return s;
    }
    int live = 0;
    for (int l = 0; l < e->n_layers; l++) live += !e->layers[l].dead;
    xc_log(XC_LOG_INFO, "built the OpenCL engine: %d layers from %d nodes", live, m->graph->n_nodes);
    *out = e;
    return XC_OK;
}
