/* interp.c — the reference interpreter: runs nodes in topological order, one plain kernel per
 * op, and frees each intermediate right after its last consumer (a node whose subgraphs capture
 * a value counts as one), so peak memory is the live set rather than the sum of all
 * activations. Shapes come from the shared op schemas. */
#include "backend.h"
#include "ref.h"
#include "validate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ref_impl {
    const xc_model *model;
    xc_names slots; /* value name -> slot */
    int n_slots;
    int *last_use; /* per slot: index of the last node reading it; n_nodes if kept */
    int *input_slot, *output_slot, n_runtime_inputs;
    int *cap_start, *cap_slot; /* per node: slots its subgraphs capture (CSR, n_nodes + 1 starts) */
    int max_io;
} ref_impl;

static int slot_of(ref_impl *r, const char *name)
{
    int s = xc_names_get(&r->slots, name);
    if (s < 0) {
        s = r->n_slots++;
        if (xc_names_put(&r->slots, name, s) != XC_OK) return -1;
    }
    return s;
}

const char *xc_ref_node_unsupported(const xc_model *m, int k, char *buf, size_t len)
{
    const xc_node *n = &m->graph->nodes[k];
    char lb[256];
    if (m->types && m->types->node_unsupported[k]) return m->types->node_unsupported[k];
    if (!n->schema) { /* load-time inference records every schema-less node; this is a fallback */
        snprintf(buf, len, "%s: operator %s is not supported", xc_node_label(n, lb, sizeof lb), n->op_type);
        return buf;
    }
    if (!xc_ref_find_node(n)) {
        snprintf(buf, len, "%s: no reference kernel for %s", xc_node_label(n, lb, sizeof lb), n->op_type);
        return buf;
    }
    return xc_node_has_subgraphs(n) ? xc_ref_subgraphs_unsupported(n, buf, len) : NULL;
}

char *xc_ref_unsupported(const xc_model *m)
{
    size_t cap = 256, len = 0;
    char *out = malloc(cap);
    if (!out) return NULL;
    out[0] = 0;
    for (int k = 0; k < m->graph->n_nodes; k++) {
        char buf[512];
        const char *why = xc_ref_node_unsupported(m, k, buf, sizeof buf);
        if (!why) continue;
        size_t l = strlen(why);
        if (len + l + 2 > cap) {
            char *bigger = realloc(out, cap = (len + l + 2) * 2);
            if (!bigger) break;
            out = bigger;
        }
        memcpy(out + len, why, l);
        out[len + l] = '\n';
        out[len + l + 1] = 0;
        len += l + 1;
    }
    if (!len) {
        free(out);
        return NULL;
    }
    return out;
}

static void ref_destroy(xc_backend *b)
{
    if (!b) return;
    ref_impl *r = b->impl;
    if (r) {
        xc_names_free(&r->slots);
        free(r->last_use);
        free(r->input_slot);
        free(r->output_slot);
        free(r->cap_start);
        free(r->cap_slot);
        free(r);
    }
    free(b);
}

static xc_status check_input(const xc_value_info *v, const xc_tensor *t)
{
    char want[256], got[256];
    if (!t) return xc_fail(XC_ERR_USAGE, "input '%s' was not given", v->name);
    if (v->value != t->value)
        return xc_fail(XC_ERR_USAGE, "input '%s': the model expects a %s, got a %s", v->name, xc_value_kind_name(v->value),
                       xc_value_kind_name(t->value));
    if (v->value != XC_VALUE_TENSOR) return XC_OK; /* element shapes are checked by the ops reading them */
    int ok = v->dtype == XC_UNDEFINED || v->dtype == t->dtype;
    if (ok && v->rank >= 0) {
        ok = v->rank == t->rank;
        for (int k = 0; ok && k < v->rank; k++) ok = v->dims[k] < 0 || v->dims[k] == t->dims[k];
    }
    if (!ok)
        return xc_fail(XC_ERR_USAGE, "input '%s': the model expects %s, got %s", v->name,
                       xc_shape_str(v->dtype, v->rank < 0 ? 0 : v->rank, v->dims, want, sizeof want),
                       xc_tensor_desc(t, got, sizeof got));
    return XC_OK;
}

/* 1 when every output of n is allocated and holds no element: the kernel would write nothing,
 * and skipping it keeps kernels that walk an input's index space (a [2^62, 0] tensor has a
 * huge one and no data) from ever seeing such shapes. Ops with subgraphs still run: a branch
 * may fail, and that is a result. */
static int nothing_to_compute(const xc_node *n, xc_tensor *const *out)
{
    for (int a = 0; a < n->n_attrs; a++)
        if (n->attrs[a].g || n->attrs[a].graphs) return 0;
    int any = 0;
    for (int o = 0; o < n->n_outputs; o++) {
        if (!n->outputs[o][0]) continue;
        if (!out[o] || xc_tensor_numel(out[o])) return 0;
        any = 1;
    }
    return any;
}

xc_status xc_ref_eval_node(const xc_node *n, const xc_tensor *const *in, xc_tensor **out)
{
    return xc_ref_eval_node_in(n, in, out, NULL);
}

xc_status xc_ref_eval_node_in(const xc_node *n, const xc_tensor *const *in, xc_tensor **out, const xc_ref_scope *scope)
{
    xc_ref_fn fn = n->schema ? xc_ref_find_node(n) : NULL;
    char lb[256];
    if (!fn) return xc_fail(XC_ERR_UNSUPPORTED, "%s: no reference kernel", xc_node_label(n, lb, sizeof lb));
    xc_type_shape *tin = calloc(n->n_inputs + 1, sizeof *tin), *tout = calloc(n->n_outputs + 1, sizeof *tout);
    if (!tin || !tout) {
        free(tin);
        free(tout);
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < n->n_inputs; i++) {
        memset(&tin[i], 0, sizeof tin[i]);
        tin[i].rank = -1;
        const xc_tensor *t = in[i];
        if (!t) continue;
        tin[i].present = 1;
        tin[i].dtype = t->dtype;
        tin[i].kind = t->value;
        if (t->value != XC_VALUE_TENSOR) continue; /* its tensors' shapes are the elements' own */
        tin[i].rank = t->rank;
        memcpy(tin[i].dims, t->dims, sizeof t->dims);
        tin[i].value = t;
    }
    for (int o = 0; o < n->n_outputs; o++) {
        memset(&tout[o], 0, sizeof tout[o]);
        tout[o].present = n->outputs[o][0] != 0;
        out[o] = NULL;
    }
    xc_status s = xc_node_infer(n, tin, n->n_inputs, tout, n->n_outputs);
    for (int o = 0; o < n->n_outputs && s == XC_OK; o++)
        if (tout[o].kind == XC_VALUE_TENSOR && xc_infer_shape_known(&tout[o]) && tout[o].dtype != XC_UNDEFINED) {
            s = xc_tensor_new(tout[o].dtype, tout[o].rank, tout[o].dims, &out[o]);
            if (s != XC_OK) /* a size limit: say whose output it is */
                s = xc_error_prefix(s, "%s output '%s': ", xc_node_label(n, lb, sizeof lb), n->outputs[o]);
        }
    if (s == XC_OK && !nothing_to_compute(n, out)) {
        xc_ref_args a = {n, n->opset, n->n_inputs, n->n_outputs, in, out, tout, scope};
        s = fn(&a);
    }
    for (int o = 0; o < n->n_outputs && s == XC_OK; o++) {
        if (!n->outputs[o][0]) continue;
        if (!out[o])
            s = xc_fail(XC_ERR_INTERNAL, "%s: kernel produced no output %d", xc_node_label(n, lb, sizeof lb), o);
        else if (tout[o].dtype != XC_UNDEFINED && out[o]->dtype != tout[o].dtype)
            s = xc_fail(XC_ERR_INTERNAL, "%s: kernel produced %s for output %d, schema says %s", xc_node_label(n, lb, sizeof lb),
                        xc_dtype_name(out[o]->dtype), o, xc_dtype_name(tout[o].dtype));
    }
    for (int o = 0; o < n->n_outputs; o++) {
        if (s != XC_OK || !n->outputs[o][0]) {
            xc_tensor_free(out[o]);
            out[o] = NULL;
        } else {
            xc_tensor_set_name(out[o], n->outputs[o]);
        }
    }
    free(tin);
    free(tout);
    return s;
}

/* The model graph's values during a run, as the scope of its nodes' subgraphs. */
typedef struct run_scope {
    xc_ref_scope base;
    const ref_impl *r;
    xc_tensor *const *vals;
} run_scope;

static const xc_tensor *run_find(const xc_ref_scope *self, const char *name)
{
    const run_scope *rs = (const run_scope *)self;
    int slot = xc_names_get(&rs->r->slots, name);
    return slot >= 0 ? rs->vals[slot] : NULL;
}

/* Runs node k on the values computed so far and stores its outputs. */
static xc_status run_node(ref_impl *r, int k, xc_tensor **vals, const xc_tensor **in, xc_tensor **out)
{
    run_scope scope = {{NULL, run_find, NULL}, r, vals};
    const xc_node *n = &r->model->graph->nodes[k];
    for (int i = 0; i < n->n_inputs; i++) {
        in[i] = NULL;
        if (!n->inputs[i][0]) continue;
        in[i] = vals[xc_names_get(&r->slots, n->inputs[i])];
        if (!in[i]) return xc_fail(XC_ERR_INTERNAL, "value '%s' is not available", n->inputs[i]);
    }
    XC_TRY(xc_ref_eval_node_in(n, in, out, &scope.base));
    for (int o = 0; o < n->n_outputs; o++)
        if (n->outputs[o][0]) vals[xc_names_get(&r->slots, n->outputs[o])] = out[o];
    return XC_OK;
}

static xc_status ref_run(xc_backend *b, const xc_tensor *const *inputs, xc_tensor **outputs, const xc_observer *obs)
{
    ref_impl *r = b->impl;
    const xc_graph *g = r->model->graph;
    xc_tensor **vals = calloc(r->n_slots ? r->n_slots : 1, sizeof *vals);
    char *owned = calloc(r->n_slots ? r->n_slots : 1, 1);
    const xc_tensor **in = calloc(r->max_io, sizeof *in);
    xc_tensor **out = calloc(r->max_io, sizeof *out);
    xc_status s = XC_OK;
    int n_out_done = 0;
    if (!vals || !owned || !in || !out) {
        s = xc_fail(XC_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (int i = 0; i < g->n_initializers; i++) vals[xc_names_get(&r->slots, g->initializers[i]->name)] = g->initializers[i];
    for (int i = 0, j = 0; i < g->n_inputs; i++) {
        if (!xc_graph_is_runtime_input(g, i)) continue;
        if ((s = check_input(&g->inputs[i], inputs[j])) != XC_OK) goto done;
        vals[r->input_slot[j]] = (xc_tensor *)inputs[j];
        j++;
    }
    for (int k = 0; k < g->n_nodes; k++) {
        const xc_node *n = &g->nodes[k];
        if ((s = run_node(r, k, vals, in, out)) != XC_OK) break;
        for (int o = 0; o < n->n_outputs; o++) {
            if (!n->outputs[o][0]) continue;
            int slot = xc_names_get(&r->slots, n->outputs[o]);
            owned[slot] = 1;
            if (obs && obs->on_tensor
                && (s = obs->on_tensor(obs->user, n->outputs[o], vals[slot], n->name[0] ? n->name : n->outputs[0])) != XC_OK)
                break;
        }
        if (s != XC_OK) break;
        /* free what this node was the last to read (outputs of dead-end nodes included) */
        for (int i = 0; i < n->n_inputs + n->n_outputs + r->cap_start[k + 1] - r->cap_start[k]; i++) {
            int slot;
            if (i < n->n_inputs + n->n_outputs) {
                const char *name = i < n->n_inputs ? n->inputs[i] : n->outputs[i - n->n_inputs];
                if (!name[0]) continue;
                slot = xc_names_get(&r->slots, name);
            } else {
                slot = r->cap_slot[r->cap_start[k] + i - n->n_inputs - n->n_outputs];
            }
            if (owned[slot] && vals[slot] && r->last_use[slot] <= k) {
                xc_tensor_free(vals[slot]);
                vals[slot] = NULL;
            }
        }
    }
    if (s != XC_OK) goto done;
    for (int o = 0; o < g->n_outputs; o++, n_out_done++) {
        int slot = r->output_slot[o], later = 0;
        for (int p = o + 1; p < g->n_outputs; p++) later |= r->output_slot[p] == slot;
        if (owned[slot] == 1 && !later) { /* hand the node's tensor over instead of copying it */
            outputs[o] = vals[slot];
            owned[slot] = 0;
        } else if ((s = xc_tensor_clone(vals[slot], &outputs[o])) != XC_OK) {
            goto done;
        }
        xc_tensor_set_name(outputs[o], g->outputs[o].name);
    }
done:
    if (s != XC_OK)
        for (int o = 0; o < n_out_done; o++) {
            xc_tensor_free(outputs[o]);
            outputs[o] = NULL;
        }
    for (int i = 0; vals && owned && i < r->n_slots; i++)
        if (owned[i] == 1) xc_tensor_free(vals[i]);
    free(vals);
    free(owned);
    free(in);
    free(out);
    return s;
}

/* The model-graph values each node's subgraphs capture, as slots. */
static xc_status capture_slots(ref_impl *r, const xc_graph *g)
{
    int len = 0, cap = 0;
    r->cap_start = calloc((size_t)g->n_nodes + 1, sizeof(int));
    if (!r->cap_start) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int k = 0; k < g->n_nodes; k++) {
        const char **caps = NULL;
        int n_caps = 0;
        r->cap_start[k] = len;
        XC_TRY(xc_node_captures(&g->nodes[k], &caps, &n_caps));
        for (int i = 0; i < n_caps; i++) {
            int slot = xc_names_get(&r->slots, caps[i]);
            if (slot < 0) continue; /* validation resolved every capture; this one is not ours */
            if (len == cap) {
                int *bigger = realloc(r->cap_slot, sizeof(int) * (size_t)(cap = cap ? cap * 2 : 8));
                if (!bigger) {
                    free(caps);
                    return xc_fail(XC_ERR_NOMEM, "out of memory");
                }
                r->cap_slot = bigger;
            }
            r->cap_slot[len++] = slot;
        }
        free(caps);
    }
    r->cap_start[g->n_nodes] = len;
    return XC_OK;
}

xc_status xc_ref_backend_create(const xc_model *m, xc_backend **out)
{
    *out = NULL;
    char *unsupported = xc_ref_unsupported(m);
    if (unsupported) {
        size_t l = strlen(unsupported);
        if (l && unsupported[l - 1] == '\n') unsupported[l - 1] = 0;
        int count = 1;
        for (char *p = unsupported; *p; p++)
            if (*p == '\n') {
                *p = ';';
                count++;
            }
        xc_status s = xc_fail(XC_ERR_UNSUPPORTED, "reference cannot run %d node%s: %s", count, count > 1 ? "s" : "", unsupported);
        free(unsupported);
        return s;
    }
    const xc_graph *g = m->graph;
    xc_backend *b = calloc(1, sizeof *b);
    ref_impl *r = calloc(1, sizeof *r);
    if (!b || !r) {
        free(b);
        free(r);
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    b->name = "ref";
    b->run = ref_run;
    b->destroy = ref_destroy;
    b->impl = r;
    r->model = m;
    size_t cap = (size_t)g->n_inputs + g->n_initializers + 1;
    r->max_io = 1;
    for (int k = 0; k < g->n_nodes; k++) {
        cap += g->nodes[k].n_outputs + g->nodes[k].n_inputs;
        if (g->nodes[k].n_inputs > r->max_io) r->max_io = g->nodes[k].n_inputs;
        if (g->nodes[k].n_outputs > r->max_io) r->max_io = g->nodes[k].n_outputs;
    }
    xc_status s = xc_names_init(&r->slots, cap);
    r->last_use = malloc(sizeof(int) * cap);
    r->input_slot = calloc(g->n_inputs + 1, sizeof(int));
    r->output_slot = calloc(g->n_outputs + 1, sizeof(int));
    if (s != XC_OK || !r->last_use || !r->input_slot || !r->output_slot) {
        ref_destroy(b);
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < g->n_initializers; i++) slot_of(r, g->initializers[i]->name);
    for (int i = 0; i < g->n_inputs; i++)
        if (xc_graph_is_runtime_input(g, i)) r->input_slot[r->n_runtime_inputs++] = slot_of(r, g->inputs[i].name);
    for (int k = 0; k < g->n_nodes; k++) {
        for (int o = 0; o < g->nodes[k].n_outputs; o++)
            if (g->nodes[k].outputs[o][0]) slot_of(r, g->nodes[k].outputs[o]);
    }
    for (int i = 0; i < r->n_slots; i++) r->last_use[i] = -1;
    if ((s = capture_slots(r, g)) != XC_OK) {
        ref_destroy(b);
        return s;
    }
    for (int k = 0; k < g->n_nodes; k++) {
        for (int i = 0; i < g->nodes[k].n_inputs; i++)
            if (g->nodes[k].inputs[i][0]) r->last_use[xc_names_get(&r->slots, g->nodes[k].inputs[i])] = k;
        for (int e = r->cap_start[k]; e < r->cap_start[k + 1]; e++) r->last_use[r->cap_slot[e]] = k;
    }
    for (int o = 0; o < g->n_outputs; o++) {
        r->output_slot[o] = xc_names_get(&r->slots, g->outputs[o].name);
        r->last_use[r->output_slot[o]] = g->n_nodes;
    }
    *out = b;
    return XC_OK;
}
