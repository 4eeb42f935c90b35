/* subgraph.c — runs the subgraphs of control-flow nodes (If branches, Loop and Scan bodies) on
 * the reference: a plan made once per node execution maps the subgraph's names to slots and
 * knows each value's last reader, so a body run once per iteration frees its intermediates as
 * the interpreter does. Values the body does not define come from the enclosing graphs
 * through an xc_ref_scope, innermost first. */
#include "ref.h"
#include "names.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct xc_ref_plan {
    const xc_graph *g;
    xc_names slots; /* local value name -> slot */
    int n_slots;
    int *last_use; /* per slot: last node reading it (captures included); n_nodes if an output */
    int max_io;
    /* run state, reused from one run to the next */
    const xc_tensor **vals;
    char *owned;
    const xc_tensor **in;
    xc_tensor **out;
};

const xc_tensor *xc_ref_scope_find(const xc_ref_scope *s, const char *name)
{
    for (; s; s = s->parent) {
        const xc_tensor *t = s->find(s, name);
        if (t) return t;
    }
    return NULL;
}

void xc_ref_plan_free(xc_ref_plan *p)
{
    if (!p) return;
    for (int i = 0; p->vals && p->owned && i < p->n_slots; i++)
        if (p->owned[i]) xc_tensor_free((xc_tensor *)p->vals[i]);
    xc_names_free(&p->slots);
    free(p->last_use);
    free(p->vals);
    free(p->owned);
    free(p->in);
    free(p->out);
    free(p);
}

static xc_status add_slot(xc_ref_plan *p, const char *name)
{
    if (xc_names_get(&p->slots, name) >= 0) return XC_OK;
    return xc_names_put(&p->slots, name, p->n_slots++);
}

/* Marks node k as a reader of name, when name is local. */
static void read_at(xc_ref_plan *p, const char *name, int k)
{
    int slot = name[0] ? xc_names_get(&p->slots, name) : -1;
    if (slot >= 0 && p->last_use[slot] < k) p->last_use[slot] = k;
}

xc_status xc_ref_plan_create(const xc_graph *g, xc_ref_plan **out)
{
    *out = NULL;
    xc_ref_plan *p = calloc(1, sizeof *p);
    if (!p) return xc_fail(XC_ERR_NOMEM, "out of memory");
    p->g = g;
    size_t cap = (size_t)g->n_inputs + g->n_initializers + 1;
    p->max_io = 1;
    for (int k = 0; k < g->n_nodes; k++) {
        cap += g->nodes[k].n_outputs;
        if (g->nodes[k].n_inputs > p->max_io) p->max_io = g->nodes[k].n_inputs;
        if (g->nodes[k].n_outputs > p->max_io) p->max_io = g->nodes[k].n_outputs;
    }
    xc_status s = xc_names_init(&p->slots, cap);
    p->last_use = malloc(sizeof(int) * cap);
    p->vals = calloc(cap, sizeof *p->vals);
    p->owned = calloc(cap, 1);
    p->in = calloc((size_t)p->max_io, sizeof *p->in);
    p->out = calloc((size_t)p->max_io, sizeof *p->out);
    if (s != XC_OK || !p->last_use || !p->vals || !p->owned || !p->in || !p->out) {
        xc_ref_plan_free(p);
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < g->n_initializers && s == XC_OK; i++) s = add_slot(p, g->initializers[i]->name);
    for (int i = 0; i < g->n_inputs && s == XC_OK; i++) s = add_slot(p, g->inputs[i].name);
    for (int k = 0; k < g->n_nodes && s == XC_OK; k++)
        for (int o = 0; o < g->nodes[k].n_outputs && s == XC_OK; o++)
            if (g->nodes[k].outputs[o][0]) s = add_slot(p, g->nodes[k].outputs[o]);
    for (int i = 0; i < p->n_slots; i++) p->last_use[i] = -1;
    for (int k = 0; k < g->n_nodes && s == XC_OK; k++) {
        const xc_node *n = &g->nodes[k];
        for (int i = 0; i < n->n_inputs; i++) read_at(p, n->inputs[i], k);
        const char **caps = NULL;
        int n_caps = 0;
        s = xc_node_captures(n, &caps, &n_caps);
        for (int i = 0; i < n_caps; i++) read_at(p, caps[i], k);
        free(caps);
    }
    for (int o = 0; o < g->n_outputs; o++) read_at(p, g->outputs[o].name, g->n_nodes);
    if (s != XC_OK) {
        xc_ref_plan_free(p);
        return s;
    }
    *out = p;
    return XC_OK;
}

/* The scope of a running plan: its live local values. */
typedef struct plan_scope {
    xc_ref_scope base;
    const xc_ref_plan *p;
} plan_scope;

static const xc_tensor *plan_find(const xc_ref_scope *self, const char *name)
{
    const xc_ref_plan *p = ((const plan_scope *)self)->p;
    int slot = xc_names_get(&p->slots, name);
    return slot >= 0 ? p->vals[slot] : NULL;
}

static void release_slot(xc_ref_plan *p, int slot)
{
    if (p->owned[slot]) xc_tensor_free((xc_tensor *)p->vals[slot]);
    p->vals[slot] = NULL;
    p->owned[slot] = 0;
}

xc_status xc_ref_plan_run(xc_ref_plan *p, const xc_tensor *const *inputs, const xc_ref_scope *outer, xc_tensor **outputs)
{
    const xc_graph *g = p->g;
    char lb[256];
    plan_scope here = {{outer, plan_find, NULL}, p};
    xc_status s = XC_OK;
    for (int o = 0; o < g->n_outputs; o++) outputs[o] = NULL;
    for (int i = 0; i < g->n_initializers; i++) p->vals[xc_names_get(&p->slots, g->initializers[i]->name)] = g->initializers[i];
    for (int i = 0; i < g->n_inputs; i++) p->vals[xc_names_get(&p->slots, g->inputs[i].name)] = inputs[i];
    for (int k = 0; k < g->n_nodes && s == XC_OK; k++) {
        const xc_node *n = &g->nodes[k];
        for (int i = 0; i < n->n_inputs && s == XC_OK; i++) {
            p->in[i] = n->inputs[i][0] ? xc_ref_scope_find(&here.base, n->inputs[i]) : NULL;
            if (n->inputs[i][0] && !p->in[i])
                s = xc_fail(XC_ERR_UNSUPPORTED,
                            "%s: value '%s' of an enclosing graph is not available (the node was run without its graph's values)",
                            xc_node_label(n, lb, sizeof lb), n->inputs[i]);
        }
        if (s == XC_OK) s = xc_ref_eval_node_in(n, p->in, p->out, &here.base);
        if (s != XC_OK) break;
        for (int o = 0; o < n->n_outputs; o++) {
            if (!n->outputs[o][0]) continue;
            int slot = xc_names_get(&p->slots, n->outputs[o]);
            p->vals[slot] = p->out[o];
            p->owned[slot] = 1;
        }
        for (int i = 0; i < n->n_inputs + n->n_outputs; i++) {
            const char *name = i < n->n_inputs ? n->inputs[i] : n->outputs[i - n->n_inputs];
            int slot = name[0] ? xc_names_get(&p->slots, name) : -1;
            if (slot >= 0 && p->owned[slot] && p->last_use[slot] <= k) release_slot(p, slot);
        }
        /* captured values read for the last time by this node */
        if (xc_node_has_subgraphs(n)) {
            const char **caps = NULL;
            int n_caps = 0;
            s = xc_node_captures(n, &caps, &n_caps);
            for (int i = 0; i < n_caps; i++) {
                int slot = xc_names_get(&p->slots, caps[i]);
                if (slot >= 0 && p->owned[slot] && p->last_use[slot] <= k) release_slot(p, slot);
            }
            free(caps);
        }
    }
    for (int o = 0; o < g->n_outputs && s == XC_OK; o++) {
        const char *name = g->outputs[o].name;
        int slot = xc_names_get(&p->slots, name), later = 0;
        for (int q = o + 1; q < g->n_outputs; q++) later |= !strcmp(g->outputs[q].name, name);
        if (slot >= 0 && p->owned[slot] && !later) { /* hand the node's tensor over */
            outputs[o] = (xc_tensor *)p->vals[slot];
            p->vals[slot] = NULL;
            p->owned[slot] = 0;
            continue;
        }
        const xc_tensor *t = xc_ref_scope_find(&here.base, name);
        if (!t)
            s = xc_fail(XC_ERR_INTERNAL, "subgraph output '%s' is not available", name);
        else
            s = xc_tensor_clone(t, &outputs[o]);
        if (s == XC_OK) xc_tensor_set_name(outputs[o], name);
    }
    for (int i = 0; i < p->n_slots; i++) release_slot(p, i);
    if (s != XC_OK)
        for (int o = 0; o < g->n_outputs; o++) {
            xc_tensor_free(outputs[o]);
            outputs[o] = NULL;
        }
    return s;
}

const char *xc_ref_subgraphs_unsupported(const xc_node *n, char *buf, size_t len)
{
    char lb[256], ib[256];
    for (int a = 0; a < n->n_attrs; a++) {
        const xc_attr *at = &n->attrs[a];
        size_t count = at->g ? 1 : at->graphs ? at->n : 0;
        for (size_t j = 0; j < count; j++) {
            const xc_graph *g = at->g ? at->g : at->graphs[j];
            for (int k = 0; k < g->n_nodes; k++) {
                const xc_node *b = &g->nodes[k];
                const char *why = NULL;
                if (!b->schema)
                    why = b->domain[0] ? "its domain is not supported" : "the operator is not supported";
                else if (!xc_ref_find_node(b))
                    why = "there is no reference kernel for it";
                if (why) {
                    snprintf(buf, len, "%s: %s contains %s: %s", xc_node_label(n, lb, sizeof lb), at->name,
                             xc_node_label(b, ib, sizeof ib), why);
                    return buf;
                }
                char inner[512];
                if (xc_node_has_subgraphs(b) && xc_ref_subgraphs_unsupported(b, inner, sizeof inner)) {
                    snprintf(buf, len, "%s: %s contains %s", xc_node_label(n, lb, sizeof lb), at->name, inner);
                    return buf;
                }
            }
        }
    }
    return NULL;
}
