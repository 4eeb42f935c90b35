/* graph_draw_blocks.c — how a picture too large to lay out is collapsed into at most `budget`
 * blocks. Node names are read as paths ("/encoder/layer.3/attention/self/MatMul", as PyTorch's
 * exporter writes them; empty components skipped): a block is the nodes under one prefix, or a
 * run of consecutive parts of one prefix (sub-prefixes and single nodes, in topological order).
 *
 * Starting from one block of every kept node, the largest block is split into its parts at the
 * next name component until the budget is reached; when a block has more parts than the budget
 * still allows, consecutive parts are merged into runs of about equal node counts (so 2,000
 * layers under "/encoder" become runs "layer.0 ... layer.6"). Models whose names have no
 * prefixes (or no names) thus become runs of consecutive nodes. A block of one node is drawn as
 * that node. Each split touches the nodes of one block, so the whole costs O(nodes x depth). */
#include "graph_draw_internal.h"
#include <stdlib.h>
#include <string.h>

/* Component k (0-based) of a node's name path: sets *start and *len, returns 0 if there is none. */
static int component(const char *name, int k, const char **start, size_t *len)
{
    const char *p = name;
    for (;;) {
        while (*p == '/') p++;
        if (!*p) return 0;
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (k-- == 0) {
            *start = p;
            *len = n;
            return 1;
        }
        p += n;
    }
}

static const char *node_name(const xc_draw *d, int node) { return xc_draw_node_name(&d->g->nodes[node]); }

/* A node is a leaf of a block at `level` when its name has no component after that level. */
static int is_leaf(const xc_draw *d, int node, int level)
{
    const char *s;
    size_t n;
    return !component(node_name(d, node), level + 1, &s, &n);
}

/* The parts of box b at its level: part[j] for each of its nodes, numbered in order of first
 * appearance; a leaf is a part of its own. Returns the number of parts, or -1 out of memory. */
static int parts_of(const xc_draw *d, const xc_draw_box *b, int *part)
{
    xc_names index;
    char **keys = calloc((size_t)b->n + 1, sizeof *keys);
    if (!keys || xc_names_init(&index, (size_t)b->n) != XC_OK) {
        free(keys);
        return -1;
    }
    int n_parts = 0, failed = 0;
    for (int k = 0; k < b->n && !failed; k++) {
        const char *s;
        size_t len;
        if (is_leaf(d, b->nodes[k], b->level) || !component(node_name(d, b->nodes[k]), b->level, &s, &len)) {
            part[k] = n_parts++;
            continue;
        }
        char *key = malloc(len + 1);
        if (!key) {
            failed = 1;
            break;
        }
        memcpy(key, s, len);
        key[len] = 0;
        int j = xc_names_get(&index, key);
        if (j >= 0) {
            part[k] = j;
            free(key);
            continue;
        }
        keys[n_parts] = key;
        part[k] = n_parts;
        if (xc_names_put(&index, key, n_parts++) != XC_OK) failed = 1;
    }
    for (int j = 0; j < n_parts; j++) free(keys[j]);
    free(keys);
    xc_names_free(&index);
    return failed ? -1 : n_parts;
}

/* A block whose nodes all fall under one sub-prefix is that sub-prefix's block. */
static xc_status descend(const xc_draw *d, xc_draw_box *b)
{
    if (b->n < 2) return XC_OK;
    int *part = malloc((size_t)b->n * sizeof *part);
    if (!part) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (;;) {
        int n_parts = parts_of(d, b, part);
        if (n_parts < 0) {
            free(part);
            return xc_fail(XC_ERR_NOMEM, "out of memory");
        }
        if (n_parts != 1) break;
        b->level++;
        b->whole = 1;
    }
    free(part);
    return XC_OK;
}

/* Which of `runs` runs each of n_parts consecutive parts (of sizes size[]) falls in: runs of
 * about total/runs nodes, each holding at least one part. */
static void assign_runs(const int *size, int n_parts, int runs, int total, int *run)
{
    long long cum = 0;
    int r = 0;
    for (int j = 0; j < n_parts; j++) {
        run[j] = r;
        cum += size[j];
        int parts_left = n_parts - j - 1, runs_left = runs - r - 1;
        if (r < runs - 1 && (cum * runs >= (long long)(r + 1) * total || parts_left == runs_left)) r++;
    }
}

/* Splits boxes[i] into at most `pieces` blocks (pieces >= 2): it leaves the list and its runs
 * are appended (boxes has room for the budget; the caller keeps n_boxes - 1 + pieces within it). */
static xc_status split(xc_draw *d, int i, int pieces)
{
    xc_draw_box b = d->boxes[i];
    int *part = malloc((size_t)b.n * sizeof *part);
    int n_parts = part ? parts_of(d, &b, part) : -1;
    int runs = n_parts < pieces ? n_parts : pieces;
    int *size = n_parts > 0 ? calloc((size_t)n_parts, sizeof *size) : NULL;
    int *run = n_parts > 0 ? calloc((size_t)n_parts, sizeof *run) : NULL;
    int *count = runs > 0 ? calloc((size_t)runs, sizeof *count) : NULL;
    if (!size || !run || !count) {
        free(part);
        free(size);
        free(run);
        free(count);
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    for (int k = 0; k < b.n; k++) size[part[k]]++;
    assign_runs(size, n_parts, runs, b.n, run);
    for (int k = 0; k < b.n; k++) count[run[part[k]]]++;
    d->boxes[i] = d->boxes[--d->n_boxes];
    int first = d->n_boxes;
    xc_status s = XC_OK;
    for (int r = 0; r < runs; r++) {
        xc_draw_box *nb = &d->boxes[d->n_boxes++];
        memset(nb, 0, sizeof *nb);
        nb->level = b.level;
        nb->nodes = malloc((size_t)count[r] * sizeof *nb->nodes);
        if (!nb->nodes) s = xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    for (int k = 0; k < b.n && s == XC_OK; k++) {
        xc_draw_box *nb = &d->boxes[first + run[part[k]]];
        nb->nodes[nb->n++] = b.nodes[k];
    }
    /* a run of a single sub-prefix becomes that prefix's whole block */
    for (int r = 0; r < runs && s == XC_OK; r++) s = descend(d, &d->boxes[first + r]);
    free(b.nodes);
    free(part);
    free(size);
    free(run);
    free(count);
    return s;
}

xc_status xc_draw_blocks(xc_draw *d, int budget)
{
    int nn = d->g->n_nodes, kept = 0;
    if (budget < 1) budget = 1;
    d->box_of = malloc(((size_t)nn + 1) * sizeof *d->box_of);
    d->boxes = calloc((size_t)budget + 1, sizeof *d->boxes);
    if (!d->box_of || !d->boxes) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int i = 0; i < nn; i++) kept += d->keep[i];
    xc_draw_box *all = &d->boxes[d->n_boxes++];
    all->whole = 1;
    all->nodes = malloc(((size_t)kept + 1) * sizeof *all->nodes);
    if (!all->nodes) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int i = 0; i < nn; i++)
        if (d->keep[i]) all->nodes[all->n++] = i;
    XC_TRY(descend(d, all));
    while (d->n_boxes < budget) {
        int largest = -1;
        for (int b = 0; b < d->n_boxes; b++)
            if (d->boxes[b].n > 1 && (largest < 0 || d->boxes[b].n > d->boxes[largest].n)) largest = b;
        if (largest < 0) break;
        XC_TRY(split(d, largest, budget - d->n_boxes + 1));
    }
    for (int i = 0; i < nn; i++) d->box_of[i] = -1;
    for (int b = 0; b < d->n_boxes; b++)
        for (int k = 0; k < d->boxes[b].n; k++) d->box_of[d->boxes[b].nodes[k]] = b;
    return XC_OK;
}
