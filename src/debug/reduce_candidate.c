/* reduce_candidate.c — candidates of `debug reduce`: which nodes a subgraph keeps, the model
 * made from it with the surgeon, and the data it is checked on.
 *
 * A tensor cut from its producer is fed with the reference's value of that tensor (computed on
 * the ORIGINAL model from iteration k's inputs, so iteration k of a candidate sees exactly what
 * the full model saw; reduce_data.c: a runner's, or generated data, where the reference cannot
 * compute it). It stays a graph input unless it must be frozen as an initializer:
 * always with --inputs-as constants, and for tensors that are not floating point (shapes,
 * indices, masks: the engine folds those and cannot take them at run time) or that depend on
 * no runtime input (constants computed by nodes). Frozen tensors take iteration 0's value; the
 * expected outputs are therefore computed by the reference on the candidate itself, which for
 * unfrozen inputs equals the original model's values (none when the reference cannot run the
 * candidate: then only --check or --interactive can judge it). */
#include "debug/reduce.h"
#include "backend.h"
#include "dataset.h"
#include "onnx_io.h"
#include "surgeon.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static xc_status nomem(void) { return xc_fail(XC_ERR_NOMEM, "out of memory"); }

static xc_status add_value(rd_state *st, const char *name, int producer, int *slot)
{
    *slot = st->n_values++;
    st->value_name[*slot] = name;
    st->producer[*slot] = producer;
    st->read_after[*slot] = -1;
    return xc_names_put(&st->index, name, *slot);
}

xc_status rd_index(rd_state *st)
{
    const xc_graph *g = st->g;
    int cap = g->n_inputs + 1;
    for (int k = 0; k < g->n_nodes; k++) cap += g->nodes[k].n_outputs;
    st->value_name = calloc(cap, sizeof *st->value_name);
    st->producer = calloc(cap, sizeof *st->producer);
    st->dynamic = calloc(cap, 1);
    st->read_after = calloc(cap, sizeof *st->read_after);
    st->ref_ok = calloc(cap, 1);
    st->node_ok = calloc(g->n_nodes + 1, 1);
    st->node_in = calloc(g->n_nodes + 1, sizeof *st->node_in);
    st->node_out = calloc(g->n_nodes + 1, sizeof *st->node_out);
    if (!st->value_name || !st->producer || !st->dynamic || !st->read_after || !st->node_in || !st->node_out || !st->ref_ok
        || !st->node_ok)
        return nomem();
    XC_TRY(xc_names_init(&st->index, (size_t)cap * 2));
    int v;
    for (int i = 0; i < g->n_inputs; i++) {
        if (!xc_graph_is_runtime_input(g, i)) continue;
        XC_TRY(add_value(st, g->inputs[i].name, -1, &v));
        st->dynamic[v] = st->ref_ok[v] = 1;
    }
    st->unsupported = -1;
    for (int k = 0; k < g->n_nodes; k++) {
        const xc_node *n = &g->nodes[k];
        st->node_in[k] = malloc(sizeof(int) * (n->n_inputs + 1));
        st->node_out[k] = malloc(sizeof(int) * (n->n_outputs + 1));
        if (!st->node_in[k] || !st->node_out[k]) return nomem();
        char why[512];
        int dyn = 0, ok = st->node_ok[k] = !xc_ref_node_unsupported(st->s.model, k, why, sizeof why);
        if (!ok && st->unsupported < 0) st->unsupported = k;
        for (int i = 0; i < n->n_inputs; i++) {
            /* -1: absent, or an initializer (always available, never cut) */
            v = n->inputs[i][0] ? xc_names_get(&st->index, n->inputs[i]) : -1;
            st->node_in[k][i] = v;
            if (v >= 0) {
                st->read_after[v] = k;
                dyn |= st->dynamic[v];
                ok &= st->ref_ok[v];
            }
        }
        for (int o = 0; o < n->n_outputs; o++) {
            st->node_out[k][o] = -1;
            if (!n->outputs[o][0]) continue;
            XC_TRY(add_value(st, n->outputs[o], k, &st->node_out[k][o]));
            st->dynamic[st->node_out[k][o]] = (unsigned char)dyn;
            st->ref_ok[st->node_out[k][o]] = (unsigned char)ok;
        }
    }
    for (int o = 0; o < g->n_outputs; o++)
        if ((v = xc_names_get(&st->index, g->outputs[o].name)) >= 0) st->read_after[v] = g->n_nodes;
    return XC_OK;
}

void rd_index_free(rd_state *st)
{
    for (int k = 0; st->node_in && k < st->g->n_nodes; k++) {
        free(st->node_in[k]);
        free(st->node_out[k]);
    }
    free(st->node_in);
    free(st->node_out);
    free(st->value_name);
    free(st->producer);
    free(st->dynamic);
    free(st->read_after);
    free(st->ref_ok);
    free(st->node_ok);
    xc_names_free(&st->index);
}

static int cmp_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

void rd_cand_free(rd_cand *c)
{
    free(c->keep);
    free(c->outs);
    free(c->ins);
    memset(c, 0, sizeof *c);
}

/* Walks back from the outputs: a value made by an allowed node pulls that node in, any other
 * value (an original input, or made by a node left out) is fed. */
xc_status rd_cand_make(const rd_state *st, const unsigned char *allowed, const int *outs, int n_out, rd_cand *c)
{
    int n = st->g->n_nodes, V = st->n_values;
    memset(c, 0, sizeof *c);
    c->keep = calloc(n + 1, 1);
    c->outs = malloc(sizeof(int) * (n_out + 1));
    c->ins = malloc(sizeof(int) * (V + 1));
    unsigned char *seen = calloc(V + 1, 1);
    int *stack = malloc(sizeof(int) * (V + 1)), top = 0;
    if (!c->keep || !c->outs || !c->ins || !seen || !stack) {
        free(seen);
        free(stack);
        rd_cand_free(c);
        return nomem();
    }
    memcpy(c->outs, outs, sizeof(int) * n_out);
    c->n_out = n_out;
    qsort(c->outs, n_out, sizeof(int), cmp_int);
    for (int i = 0; i < n_out; i++)
        if (!seen[outs[i]]) seen[outs[i]] = 1, stack[top++] = outs[i];
    while (top) {
        int v = stack[--top], p = st->producer[v];
        if (p < 0 || !allowed[p]) {
            c->ins[c->n_in++] = v;
            continue;
        }
        if (c->keep[p]) continue;
        c->keep[p] = 1;
        c->n_nodes++;
        for (int i = 0; i < st->g->nodes[p].n_inputs; i++) {
            int u = st->node_in[p][i];
            if (u >= 0 && !seen[u]) seen[u] = 1, stack[top++] = u;
        }
    }
    qsort(c->ins, c->n_in, sizeof(int), cmp_int);
    free(seen);
    free(stack);
    return XC_OK;
}

uint64_t rd_cand_key(const rd_state *st, const rd_cand *c)
{
    uint64_t h = st->check_id;
    for (int k = 0; k < st->g->n_nodes; k++)
        if (c->keep[k]) h = rd_hash(h, &k, sizeof k);
    h = rd_hash(h, "|", 1);
    for (int i = 0; i < c->n_out; i++) h = rd_hash(h, st->value_name[c->outs[i]], strlen(st->value_name[c->outs[i]]) + 1);
    return h;
}

void rd_data_free(rd_data *d)
{
    for (int k = 0; k < d->n_iter; k++) {
        if (d->fed_own) xc_tensor_list_free(&d->fed_own[k]);
        if (d->fed) free(d->fed[k]);
        for (int o = 0; d->ref && d->ref[k] && o < d->model->graph->n_outputs; o++) xc_tensor_free(d->ref[k][o]);
        if (d->ref) free(d->ref[k]);
    }
    free(d->fed_own);
    free(d->fed);
    free(d->ref);
    free(d->golden_depth);
    xc_model_free(d->model);
    memset(d, 0, sizeof *d);
}

static int is_cut(const rd_state *st, int v) { return st->producer[v] >= 0; }

const xc_tensor *rd_own_value(const rd_data *d, int k, const char *name)
{
    for (int i = 0; i < d->fed_own[k].n; i++)
        if (!strcmp(d->fed_own[k].t[i]->name, name)) return d->fed_own[k].t[i];
    return NULL;
}

static int frozen(const rd_state *st, const rd_data *d, int v)
{
    if (!is_cut(st, v)) return 0;
    const xc_tensor *t = rd_own_value(d, 0, st->value_name[v]);
    return st->cfg->freeze_inputs || !st->dynamic[v] || !t || !xc_dtype_is_float(t->dtype);
}

/* Turns the graph inputs to freeze into initializers (iteration 0's values), then validates the
 * edited model again (validation re-infers every type). */
static xc_status freeze(rd_state *st, const rd_cand *c, rd_data *d)
{
    xc_graph *g = d->model->graph;
    int any = 0;
    for (int i = 0; i < c->n_in; i++) {
        int v = c->ins[i];
        if (!frozen(st, d, v)) continue;
        const char *name = st->value_name[v];
        int w = 0;
        for (int j = 0; j < g->n_inputs; j++) {
            if (!strcmp(g->inputs[j].name, name))
                xc_value_info_clear(&g->inputs[j]);
            else
                g->inputs[w++] = g->inputs[j];
        }
        g->n_inputs = w;
        xc_tensor *copy = NULL, **inits = realloc(g->initializers, sizeof *inits * (g->n_initializers + 1));
        if (!inits) return nomem();
        g->initializers = inits;
        XC_TRY(xc_tensor_clone(rd_own_value(d, 0, name), &copy));
        if (xc_tensor_set_name(copy, name) != XC_OK) {
            xc_tensor_free(copy);
            return nomem();
        }
        g->initializers[g->n_initializers++] = copy;
        any = 1;
    }
    return any ? xc_model_validate(d->model) : XC_OK;
}

static xc_status extract(rd_state *st, const rd_cand *c, rd_data *d)
{
    xc_io_spec *in = calloc(c->n_in + 1, sizeof *in), *out = calloc(c->n_out + 1, sizeof *out);
    if (!in || !out) {
        free(in);
        free(out);
        return nomem();
    }
    for (int i = 0; i < c->n_in; i++) {
        const xc_tensor *t = is_cut(st, c->ins[i]) ? rd_own_value(d, 0, st->value_name[c->ins[i]]) : NULL;
        in[i].name = st->value_name[c->ins[i]];
        in[i].dtype = t ? t->dtype : XC_UNDEFINED;
        in[i].rank = t ? t->rank : -1; /* cut tensors: the concrete shape the reference produced */
        for (int r = 0; t && r < t->rank; r++) in[i].dims[r] = t->dims[r];
    }
    for (int o = 0; o < c->n_out; o++) out[o] = (xc_io_spec){.name = st->value_name[c->outs[o]], .rank = -1};
    xc_status s = xc_surgeon_extract(st->s.model, in, c->n_in, out, c->n_out, &d->model);
    free(in);
    free(out);
    return s;
}

/* The candidate's runtime inputs for iteration k, in its graph-input order. */
static xc_status feed(rd_state *st, rd_data *d, int k)
{
    const xc_graph *g = d->model->graph;
    d->fed[k] = calloc(g->n_inputs + 1, sizeof *d->fed[k]);
    if (!d->fed[k]) return nomem();
    int r = 0;
    for (int i = 0; i < g->n_inputs; i++) {
        if (!xc_graph_is_runtime_input(g, i)) continue;
        int v = xc_names_get(&st->index, g->inputs[i].name);
        const xc_tensor *t = v < 0 ? NULL : is_cut(st, v) ? rd_own_value(d, k, g->inputs[i].name) : st->s.fed[k][v];
        if (!t) return xc_fail(XC_ERR_INTERNAL, "reduce: no value for input '%s'", g->inputs[i].name);
        d->fed[k][r++] = t;
    }
    return XC_OK;
}

xc_status rd_data_make(rd_state *st, const rd_cand *c, rd_data *d)
{
    memset(d, 0, sizeof *d);
    d->n_iter = st->s.n_iter;
    d->fed_own = calloc(d->n_iter, sizeof *d->fed_own);
    d->fed = calloc(d->n_iter, sizeof *d->fed);
    d->ref = calloc(d->n_iter, sizeof *d->ref);
    xc_status s = d->fed_own && d->fed && d->ref ? XC_OK : nomem();
    if (s == XC_OK) s = rd_cut_values(st, c, d);
    if (s == XC_OK) s = extract(st, c, d);
    if (s == XC_OK) s = rd_generate_missing(st, c, d);
    if (s == XC_OK) s = freeze(st, c, d);
    int runs = 1; /* whether the reference can run the candidate (else no expected outputs) */
    for (int k = 0; k < st->g->n_nodes; k++) runs &= !c->keep[k] || st->node_ok[k];
    xc_backend *ref = NULL;
    if (s == XC_OK && runs) s = xc_ref_backend_create(d->model, &ref);
    for (int k = 0; k < d->n_iter && s == XC_OK; k++) {
        s = feed(st, d, k);
        d->ref[k] = s == XC_OK ? calloc(d->model->graph->n_outputs + 1, sizeof *d->ref[k]) : NULL;
        if (s == XC_OK && !d->ref[k]) s = nomem();
        if (s == XC_OK && ref) s = xc_backend_run(ref, d->fed[k], d->ref[k], NULL);
    }
    xc_backend_destroy(ref);
    if (s != XC_OK) rd_data_free(d);
    return s;
}

static xc_status make_dir(const char *dir)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return xc_fail(XC_ERR_IO, "%s: cannot create the folder: %s", dir, strerror(errno));
    return XC_OK;
}

/* Saves t under `name` (tensors fed from loaded files may carry other names). */
static xc_status save_named(const xc_tensor *t, const char *name, const char *path)
{
    xc_tensor named = *t;
    named.name = (char *)name;
    return xc_tensor_save_pb(&named, path);
}

/* Removes set/KIND_n.pb, KIND_n+1.pb, ... left by an earlier save of more tensors (a folder
 * reused by a later candidate or run): a stale input would be fed too. */
static void remove_stale(const char *set, const char *kind, int n)
{
    char path[8192];
    for (;; n++) {
        snprintf(path, sizeof path, "%s/%s_%d.pb", set, kind, n);
        if (unlink(path) != 0) return;
    }
}

xc_status rd_data_save(const rd_data *d, const char *dir)
{
    const xc_graph *g = d->model->graph;
    char set[8192], path[8300];
    XC_TRY(make_dir(dir));
    for (int k = 0; k < d->n_iter; k++) {
        snprintf(set, sizeof set, "%s/test_data_set_%d", dir, k);
        XC_TRY(make_dir(set));
        int r = 0, o = 0;
        for (int i = 0; i < g->n_inputs; i++) {
            if (!xc_graph_is_runtime_input(g, i)) continue;
            snprintf(path, sizeof path, "%s/input_%d.pb", set, r);
            XC_TRY(save_named(d->fed[k][r++], g->inputs[i].name, path));
        }
        for (; o < g->n_outputs && d->ref[k][o]; o++) {
            snprintf(path, sizeof path, "%s/output_%d.pb", set, o);
            XC_TRY(save_named(d->ref[k][o], g->outputs[o].name, path));
        }
        remove_stale(set, "input", r);
        remove_stale(set, "output", o);
    }
    return XC_OK;
}

static const char *node_name(const xc_node *n) { return n->name[0] ? n->name : n->outputs[0]; }

static int has_node(const xc_graph *g, const char *name)
{
    for (int k = 0; k < g->n_nodes; k++)
        if (!strcmp(node_name(&g->nodes[k]), name)) return 1;
    return 0;
}

/* Whether `part` is one of the " + "-joined names of a fused layer name. */
static int layer_has_part(const char *layer, const char *part)
{
    size_t n = strlen(part);
    for (const char *p = strstr(layer, part); p; p = strstr(p + 1, part))
        if ((p == layer || (p - layer >= 3 && !strncmp(p - 3, " + ", 3))) && (!p[n] || !strncmp(p + n, " + ", 3))) return 1;
    return 0;
}

/* The nodes of g that the layer names `from` (--layer-precision's) cover, added to `to` (a
 * joined layer name covers several nodes). */
static xc_status keep_constrained(const xc_graph *g, const xc_name_list *from, xc_name_list *to)
{
    for (int i = 0; i < from->n; i++)
        for (int k = 0; k < g->n_nodes; k++)
            if (layer_has_part(from->v[i], node_name(&g->nodes[k]))) XC_TRY(xc_name_list_add(to, node_name(&g->nodes[k])));
    return XC_OK;
}

/* The candidate's lists (its own: free them with xc_ocl_options_free). */
static xc_status candidate_lists(const xc_ocl_build_options *base, const xc_graph *g, xc_ocl_build_options *o)
{
    xc_name_list *rebuilt[] = {&o->no_fuse_nodes, &o->fp32_layers, &o->fp16_layers, &o->int8_layers, &o->bf16_layers};
    for (size_t i = 0; i < sizeof rebuilt / sizeof rebuilt[0]; i++) *rebuilt[i] = (xc_name_list){0};
    XC_TRY(xc_ocl_options_own(o)); /* the others as given */
    /* options naming nodes the candidate lacks would fail its build: keep those it has */
    for (int i = 0; i < base->no_fuse_nodes.n; i++)
        if (has_node(g, base->no_fuse_nodes.v[i])) XC_TRY(xc_name_list_add(&o->no_fuse_nodes, base->no_fuse_nodes.v[i]));
    XC_TRY(keep_constrained(g, &base->fp32_layers, &o->fp32_layers));
    XC_TRY(keep_constrained(g, &base->fp16_layers, &o->fp16_layers));
    XC_TRY(keep_constrained(g, &base->int8_layers, &o->int8_layers));
    return keep_constrained(g, &base->bf16_layers, &o->bf16_layers);
}

xc_status rd_build_options(const rd_state *st, const xc_model *m, xc_ocl_build_options *o)
{
    const xc_ocl_build_options *base = &st->cfg->base.ocl;
    *o = *base;
    xc_status s = candidate_lists(base, m->graph, o);
    if (s != XC_OK) {
        xc_ocl_options_free(o);
        return s;
    }
    o->save_tactics = NULL; /* the user's file describes the model given, not candidates */
    if (st->tactics[0]) {
        /* every check pins the failing build's tactics where layer names still match and the
         * baseline elsewhere: no timing, so the same candidate always gives the same verdict */
        o->load_tactics = st->tactics;
        o->replay_lenient = 1;
    }
    return XC_OK;
}
