/* graph_draw_summary.c — the collapsed picture of a large graph: one box per block (see
 * graph_draw_blocks.c) labelled with its name prefix (or the span of its run), its node count
 * and its commonest op types; a block of one node is drawn as that node, exactly as in the full
 * picture. One edge joins two blocks however many tensors cross between them (labelled with the
 * tensor's type, or with the count when several). Graph inputs and outputs are drawn as in the
 * full picture; initializers are not. The title says what was collapsed and how to see more. */
#include "graph_draw_internal.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How many op types a block's label lists before "+N more". */
#define LISTED_OPS 3

/* Bytes of name up to the end of its component k (0-based), or all of it when shorter. */
static size_t prefix_len(const char *name, int k)
{
    const char *p = name;
    for (int c = 0; c <= k; c++) {
        while (*p == '/') p++;
        if (!*p) return strlen(name);
        const char *end = strchr(p, '/');
        p = end ? end : p + strlen(p);
    }
    return (size_t)(p - name);
}

static void literal_n(xc_text *t, const char *s, size_t n)
{
    char *copy = malloc(n + 1);
    if (!copy) {
        t->failed = 1;
        return;
    }
    memcpy(copy, s, n);
    copy[n] = 0;
    xc_text_literal(t, copy);
    free(copy);
}

/* "MatMul x12, Add x14, Softmax x2, +5 more op types": the block's commonest op types. */
static xc_status op_counts(const xc_draw *d, const xc_draw_box *b, xc_text *t)
{
    xc_names index;
    int *count = calloc((size_t)b->n, sizeof *count);
    const char **op = calloc((size_t)b->n, sizeof *op);
    if (!count || !op || xc_names_init(&index, 16) != XC_OK) {
        free(count);
        free(op);
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    int n_ops = 0;
    xc_status s = XC_OK;
    for (int k = 0; k < b->n && s == XC_OK; k++) {
        const char *name = d->g->nodes[b->nodes[k]].op_type;
        int j = xc_names_get(&index, name);
        if (j < 0) {
            op[n_ops] = name;
            s = xc_names_put(&index, name, j = n_ops++);
        }
        count[j]++;
    }
    for (int listed = 0; listed < LISTED_OPS && listed < n_ops && s == XC_OK; listed++) {
        int best = listed;
        for (int j = listed + 1; j < n_ops; j++)
            if (count[j] > count[best]) best = j;
        int c = count[best];
        const char *name = op[best];
        count[best] = count[listed];
        op[best] = op[listed];
        count[listed] = c;
        op[listed] = name;
        if (listed) xc_text_printf(t, ", ");
        xc_text_literal(t, name);
        xc_text_printf(t, " x%d", c);
    }
    if (n_ops > LISTED_OPS) xc_text_printf(t, ", +%d more op type%s", n_ops - LISTED_OPS, n_ops - LISTED_OPS > 1 ? "s" : "");
    xc_names_free(&index);
    free(count);
    free(op);
    return s;
}

static xc_status block_label(const xc_draw *d, const xc_draw_box *b, xc_text *t)
{
    const char *first = xc_draw_node_name(&d->g->nodes[b->nodes[0]]);
    const char *last = xc_draw_node_name(&d->g->nodes[b->nodes[b->n - 1]]);
    if (b->whole && b->level > 0) {
        literal_n(t, first, prefix_len(first, b->level - 1));
    } else {
        /* a run: from its first part to its last (a part is a sub-prefix or a single node) */
        literal_n(t, first, prefix_len(first, b->level));
        xc_text_printf(t, " ... ");
        literal_n(t, last, prefix_len(last, b->level));
    }
    xc_text_line(t);
    xc_text_printf(t, "%d nodes", b->n);
    xc_text_line(t);
    return op_counts(d, b, t);
}

static xc_status draw_block(xc_draw *d, int k)
{
    xc_draw_box *b = &d->boxes[k];
    char id[32];
    snprintf(id, sizeof id, b->n == 1 ? "n%d" : "block%d", b->n == 1 ? b->nodes[0] : k);
    b->drawn = agnode(d->root, id, 1);
    if (!b->drawn) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_text label = {0}, tip = {0};
    xc_status s = XC_OK;
    if (b->n == 1) {
        xc_draw_node_label(d, &d->g->nodes[b->nodes[0]], &label);
        xc_text_printf(&tip, "%s", xc_draw_node_name(&d->g->nodes[b->nodes[0]]));
    } else {
        s = block_label(d, b, &label);
        xc_text_printf(&tip, "%s ... %s", xc_draw_node_name(&d->g->nodes[b->nodes[0]]),
                       xc_draw_node_name(&d->g->nodes[b->nodes[b->n - 1]]));
        xc_draw_set(b->drawn, "shape", "box3d");
        xc_draw_set(b->drawn, "style", "filled");
        xc_draw_set(b->drawn, "fillcolor", "#e6e0f2");
    }
    xc_draw_set(b->drawn, "label", label.s ? label.s : "");
    xc_draw_set(b->drawn, "tooltip", tip.s ? tip.s : "");
    if (s == XC_OK && (label.failed || tip.failed)) s = xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_text_free(&label);
    xc_text_free(&tip);
    for (int j = 0; j < b->n; j++) d->drawn[b->nodes[j]] = b->drawn;
    return s;
}

/* A tensor crossing from block a to block b: output `slot` of node p. */
typedef struct crossing {
    int a, b, p, slot;
} crossing;

static int by_blocks(const void *x, const void *y)
{
    const crossing *u = x, *v = y;
    if (u->a != v->a) return u->a < v->a ? -1 : 1;
    if (u->b != v->b) return u->b < v->b ? -1 : 1;
    if (u->p != v->p) return u->p < v->p ? -1 : 1;
    return (u->slot > v->slot) - (u->slot < v->slot);
}

static int output_slot(const xc_node *n, const char *tensor)
{
    for (int o = 0; o < n->n_outputs; o++)
        if (!strcmp(n->outputs[o], tensor)) return o;
    return 0;
}

/* Every kept node's inputs: tensors from another block gathered in crossings (one edge per pair
 * of blocks, drawn after sorting), graph inputs drawn at once (one edge per input and block). */
static xc_status collect_inputs(xc_draw *d, crossing **out, size_t *n_out)
{
    size_t n = 0, cap = 64;
    crossing *c = malloc(cap * sizeof *c);
    if (!c) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int i = 0; i < d->g->n_nodes; i++) {
        const xc_node *node = &d->g->nodes[i];
        if (!d->keep[i]) continue;
        for (int k = 0; k < node->n_inputs; k++) {
            const char *t = node->inputs[k];
            int p = t[0] ? xc_names_get(&d->producer, t) : -1;
            if (p >= 0 && d->keep[p] && d->box_of[p] != d->box_of[i]) {
                if (n == cap) {
                    crossing *more = realloc(c, (cap *= 2) * sizeof *c);
                    if (!more) {
                        free(c);
                        return xc_fail(XC_ERR_NOMEM, "out of memory");
                    }
                    c = more;
                }
                c[n++] = (crossing){d->box_of[p], d->box_of[i], p, output_slot(&d->g->nodes[p], t)};
            } else if (p < 0 && t[0] && !d->o->around && xc_names_get(&d->initializer, t) < 0 && xc_draw_runtime_input(d, t)) {
                Agnode_t *in = xc_draw_io_node(d, "in:", t, "invhouse", "#d4edd4");
                Agnode_t *head = d->drawn[i];
                if (!in || (!agedge(d->root, in, head, NULL, 0) && !xc_draw_tensor_edge(d, in, head, t, 1))) {
                    free(c);
                    return xc_fail(XC_ERR_NOMEM, "out of memory");
                }
            }
        }
    }
    *out = c;
    *n_out = n;
    return XC_OK;
}

static xc_status draw_crossings(xc_draw *d, crossing *c, size_t n)
{
    qsort(c, n, sizeof *c, by_blocks);
    for (size_t k = 0; k < n;) {
        size_t end = k, tensors = 0;
        for (; end < n && c[end].a == c[k].a && c[end].b == c[k].b; end++)
            tensors += end == k || c[end].p != c[end - 1].p || c[end].slot != c[end - 1].slot;
        const char *tensor = d->g->nodes[c[k].p].outputs[c[k].slot];
        Agedge_t *e = xc_draw_tensor_edge(d, d->boxes[c[k].a].drawn, d->boxes[c[k].b].drawn, tensor, tensors == 1);
        if (!e) return xc_fail(XC_ERR_NOMEM, "out of memory");
        if (tensors > 1) {
            char label[48];
            snprintf(label, sizeof label, "%zu tensors", tensors);
            xc_draw_set(e, "label", label);
            xc_draw_set(e, "penwidth", "2");
        }
        k = end;
    }
    return XC_OK;
}

static xc_status draw_outputs(xc_draw *d)
{
    for (int o = 0; o < d->g->n_outputs; o++) {
        const char *t = d->g->outputs[o].name;
        int p = xc_names_get(&d->producer, t);
        if (p < 0 || !d->keep[p]) continue;
        Agnode_t *out = xc_draw_io_node(d, "out:", t, "house", "#f6d9bd");
        if (!out || !xc_draw_tensor_edge(d, d->drawn[p], out, t, 0)) return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    return XC_OK;
}

/* The title's second line: what was collapsed, and where the detail is. */
static void summary_title(xc_draw *d)
{
    int kept = 0, prefixed = 0;
    for (int b = 0; b < d->n_boxes; b++) {
        kept += d->boxes[b].n;
        prefixed |= d->boxes[b].level > 0;
    }
    xc_text title = {0};
    xc_text_printf(&title,
                   "%s\\n%d nodes collapsed into %d blocks (%s); each block's nodes: --around NODE, "
                   "every node: -o FILE.dot",
                   xc_draw_get(d->root, "label"), kept, d->n_boxes, prefixed ? "by name prefix" : "runs of consecutive nodes");
    xc_draw_set(d->root, "label", title.s ? title.s : "");
    xc_text_free(&title);
}

xc_status xc_draw_collapsed(xc_draw *d)
{
    xc_draw_picture_defaults(d, d->n_boxes);
    summary_title(d);
    for (int k = 0; k < d->n_boxes; k++) XC_TRY(draw_block(d, k));
    crossing *c = NULL;
    size_t n = 0;
    XC_TRY(collect_inputs(d, &c, &n));
    xc_status s = draw_crossings(d, c, n);
    free(c);
    XC_TRY(s);
    return draw_outputs(d);
}
