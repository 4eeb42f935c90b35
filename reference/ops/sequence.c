/* sequence.c — reference kernels of the sequence and optional ops. A sequence is an xc_tensor
 * container owning its tensors (tensor.h); every op copies the tensors it passes on, so no two
 * values share storage and the interpreter may free any of them after its last reader. */
#include "ref.h"
#include <stdlib.h>
#include <string.h>

/* Replaces output o (possibly preallocated) by t. */
static void put(xc_ref_args *a, int o, xc_tensor *t)
{
    xc_tensor_free(a->out[o]);
    a->out[o] = t;
}

/* A copy of sequence s, or a new empty one of dtype t when s is NULL. */
static xc_status copy_seq(const xc_tensor *s, xc_dtype t, xc_tensor **out)
{
    if (s) return xc_tensor_clone(s, out);
    return xc_value_new(XC_VALUE_SEQUENCE, t, out);
}

/* The position input (when present) as an index into a sequence of n tensors, where `end`
 * (n for an insertion, n - 1 otherwise) is the largest one allowed; absent: def. */
static xc_status position(xc_ref_args *a, int i, int n, int end, int def, int *pos)
{
    *pos = def;
    if (i >= a->n_in || !a->in[i]) return XC_OK;
    const xc_tensor *p = a->in[i];
    if (xc_tensor_numel(p) != 1) return xc_ref_fail(a, XC_ERR_MODEL, "position must hold one value");
    int64_t v = xc_load_i64(p->dtype, p->data, 0);
    if (v < -(int64_t)n || v > end)
        return xc_ref_fail(a, XC_ERR_MODEL, "position %lld is out of range for a sequence of %d tensor%s (allowed %d..%d)",
                           (long long)v, n, n == 1 ? "" : "s", -n, end);
    *pos = (int)(v < 0 ? v + n : v);
    return XC_OK;
}

static xc_status ref_empty(xc_ref_args *a)
{
    xc_tensor *s;
    XC_TRY(xc_value_new(XC_VALUE_SEQUENCE, a->types[0].dtype, &s));
    put(a, 0, s);
    return XC_OK;
}

static xc_status ref_construct(xc_ref_args *a)
{
    xc_tensor *s, *c;
    XC_TRY(xc_value_new(XC_VALUE_SEQUENCE, a->in[0]->dtype, &s));
    for (int i = 0; i < a->n_in; i++) {
        xc_status st = xc_tensor_clone(a->in[i], &c);
        if (st == XC_OK) st = xc_value_insert(s, -1, c);
        if (st != XC_OK) {
            xc_tensor_free(s);
            return st;
        }
    }
    put(a, 0, s);
    return XC_OK;
}

static xc_status ref_insert(xc_ref_args *a)
{
    const xc_tensor *seq = a->in[0];
    int pos;
    xc_tensor *s, *c;
    if (a->in[1]->dtype != seq->dtype)
        return xc_ref_fail(a, XC_ERR_MODEL, "inserts a %s tensor into a sequence of %s", xc_dtype_name(a->in[1]->dtype),
                           xc_dtype_name(seq->dtype));
    XC_TRY(position(a, 2, seq->n_items, seq->n_items, seq->n_items, &pos));
    XC_TRY(copy_seq(seq, seq->dtype, &s));
    xc_status st = xc_tensor_clone(a->in[1], &c);
    if (st == XC_OK) st = xc_value_insert(s, pos, c);
    if (st != XC_OK) {
        xc_tensor_free(s);
        return st;
    }
    put(a, 0, s);
    return XC_OK;
}

static xc_status ref_at(xc_ref_args *a)
{
    const xc_tensor *seq = a->in[0];
    int pos;
    xc_tensor *c;
    if (!a->in[1]) return xc_ref_fail(a, XC_ERR_MODEL, "position is required");
    XC_TRY(position(a, 1, seq->n_items, seq->n_items - 1, 0, &pos));
    XC_TRY(xc_tensor_clone(seq->items[pos], &c));
    put(a, 0, c);
    return XC_OK;
}

static xc_status ref_erase(xc_ref_args *a)
{
    const xc_tensor *seq = a->in[0];
    int pos;
    xc_tensor *s;
    if (!seq->n_items) return xc_ref_fail(a, XC_ERR_MODEL, "cannot erase from an empty sequence");
    XC_TRY(position(a, 1, seq->n_items, seq->n_items - 1, seq->n_items - 1, &pos));
    XC_TRY(copy_seq(seq, seq->dtype, &s));
    xc_tensor_free(s->items[pos]);
    memmove(s->items + pos, s->items + pos + 1, sizeof *s->items * (size_t)(s->n_items - pos - 1));
    s->n_items--;
    put(a, 0, s);
    return XC_OK;
}

static xc_status ref_length(xc_ref_args *a)
{
    xc_tensor *t;
    XC_TRY(xc_tensor_new(XC_INT64, 0, NULL, &t));
    ((int64_t *)t->data)[0] = a->in[0]->n_items;
    put(a, 0, t);
    return XC_OK;
}

/* Slice [start, start + len) of x along axis, as a new tensor (the axis dropped when squeeze). */
static xc_status slice_axis(const xc_tensor *x, int axis, int64_t start, int64_t len, int squeeze, xc_tensor **out)
{
    int64_t dims[XC_MAX_RANK];
    int rank = 0;
    for (int k = 0; k < x->rank; k++) {
        if (k == axis && squeeze) continue;
        dims[rank++] = k == axis ? len : x->dims[k];
    }
    XC_TRY(xc_tensor_new(x->dtype, rank, dims, out));
    size_t es = xc_dtype_size(x->dtype), outer = 1, inner = es;
    for (int k = 0; k < axis; k++) outer *= (size_t)x->dims[k];
    for (int k = axis + 1; k < x->rank; k++) inner *= (size_t)x->dims[k];
    for (size_t o = 0; o < outer && len; o++)
        memcpy((char *)(*out)->data + o * (size_t)len * inner,
               (const char *)x->data + (o * (size_t)x->dims[axis] + (size_t)start) * inner, (size_t)len * inner);
    return XC_OK;
}

static xc_status ref_split(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0], *split = a->n_in > 1 ? a->in[1] : NULL;
    int axis = (int)xc_attr_int(a->node, "axis", 0);
    if (axis < 0) axis += x->rank;
    int64_t n = x->dims[axis];
    int64_t *len = NULL, parts = 0;
    int squeeze = 0;
    if (!split) { /* one part per index; keepdims=0 drops the axis */
        parts = n;
        squeeze = !xc_attr_int(a->node, "keepdims", 1);
    } else if (split->rank == 0) { /* equal parts of that length, the last one shorter */
        int64_t l = xc_load_i64(split->dtype, split->data, 0);
        if (l <= 0) return xc_ref_fail(a, XC_ERR_MODEL, "split length %lld must be positive", (long long)l);
        parts = (n + l - 1) / l;
    } else {
        parts = (int64_t)xc_tensor_numel(split);
    }
    len = calloc((size_t)parts + 1, sizeof *len);
    if (!len) return xc_fail(XC_ERR_NOMEM, "out of memory");
    int64_t total = 0;
    for (int64_t p = 0; p < parts; p++) {
        int64_t l = !split ? 1 : xc_load_i64(split->dtype, split->data, split->rank == 0 ? 0 : (size_t)p);
        if (split && split->rank == 0 && l > n - total) l = n - total; /* the last part is shorter */
        if (l < 0) {
            free(len);
            return xc_ref_fail(a, XC_ERR_MODEL, "split length %lld is negative", (long long)l);
        }
        len[p] = l;
        total += l;
    }
    if (total != n) {
        free(len);
        return xc_ref_fail(a, XC_ERR_MODEL, "split lengths add up to %lld, but axis %d has %lld", (long long)total, axis,
                           (long long)n);
    }
    xc_tensor *s;
    xc_status st = xc_value_new(XC_VALUE_SEQUENCE, x->dtype, &s);
    for (int64_t p = 0, start = 0; st == XC_OK && p < parts; start += len[p], p++) {
        xc_tensor *c;
        st = slice_axis(x, axis, start, len[p], squeeze, &c);
        if (st == XC_OK) st = xc_value_insert(s, -1, c);
    }
    free(len);
    if (st != XC_OK) {
        if (s) xc_tensor_free(s);
        return st;
    }
    put(a, 0, s);
    return XC_OK;
}

/* ConcatFromSequence: Concat of the tensors, or (new_axis=1) Stack along a new axis. */
static xc_status ref_concat(xc_ref_args *a)
{
    const xc_tensor *seq = a->in[0];
    int new_axis = xc_attr_int(a->node, "new_axis", 0) != 0;
    if (!seq->n_items) return xc_ref_fail(a, XC_ERR_MODEL, "cannot concatenate an empty sequence");
    const xc_tensor *t0 = seq->items[0];
    int rank = t0->rank + new_axis;
    int64_t ax = xc_attr_int(a->node, "axis", 0);
    if (ax < -rank || ax >= rank)
        return xc_ref_fail(a, XC_ERR_MODEL, "axis %lld is out of range for rank %d", (long long)ax, rank);
    int axis = (int)(ax < 0 ? ax + rank : ax);
    int64_t dims[XC_MAX_RANK], total = 0;
    char d0[128], di[128];
    for (int i = 0; i < seq->n_items; i++) {
        const xc_tensor *t = seq->items[i];
        int ok = t->rank == t0->rank;
        for (int k = 0; ok && k < t0->rank; k++) ok = t->dims[k] == t0->dims[k] || (!new_axis && k == axis);
        if (!ok)
            return xc_ref_fail(a, XC_ERR_MODEL, "tensor %d is %s, which does not %s tensor 0 (%s)", i,
                               xc_tensor_desc(t, di, sizeof di), new_axis ? "stack with" : "concatenate with",
                               xc_tensor_desc(t0, d0, sizeof d0));
        total += new_axis ? 1 : t->dims[axis];
    }
    if (rank > XC_MAX_RANK) return xc_ref_fail(a, XC_ERR_UNSUPPORTED, "result rank %d exceeds %d", rank, XC_MAX_RANK);
    /* the tensors' dims with axis summed, or (new_axis) with a new axis of the count inserted */
    for (int k = 0, j = 0; k < rank; k++, j++) {
        if (k == axis && new_axis) j--;
        dims[k] = k == axis ? total : t0->dims[j];
    }
    xc_tensor *out;
    XC_TRY(xc_tensor_new(t0->dtype, rank, dims, &out));
    size_t es = xc_dtype_size(t0->dtype), outer = 1, inner = es;
    for (int k = 0; k < axis; k++) outer *= (size_t)dims[k];
    for (int k = axis + 1; k < rank; k++) inner *= (size_t)dims[k];
    size_t row = (size_t)total * inner, at = 0;
    for (int i = 0; i < seq->n_items; i++) {
        const xc_tensor *t = seq->items[i];
        size_t chunk = (new_axis ? 1 : (size_t)t->dims[axis]) * inner;
        for (size_t o = 0; o < outer && chunk; o++)
            memcpy((char *)out->data + o * row + at, (const char *)t->data + o * chunk, chunk);
        at += chunk;
    }
    put(a, 0, out);
    return XC_OK;
}

/* SequenceMap: runs the body once per element of input 0; every sequence input must have as
 * many elements. */
static xc_status ref_map(xc_ref_args *a)
{
    const xc_attr *b = xc_node_attr(a->node, "body");
    const xc_graph *body = b ? b->g : NULL;
    int n = a->in[0]->n_items;
    char lb[256];
    if (!body) return xc_ref_fail(a, XC_ERR_MODEL, "attribute 'body' (a graph) is required");
    for (int i = 1; i < a->n_in; i++)
        if (a->in[i]->value == XC_VALUE_SEQUENCE && a->in[i]->n_items != n)
            return xc_ref_fail(a, XC_ERR_MODEL, "input %d has %d tensors but input 0 has %d", i, a->in[i]->n_items, n);
    const xc_tensor **bin = calloc((size_t)a->n_in + 1, sizeof *bin);
    xc_tensor **res = calloc((size_t)a->n_out + 1, sizeof *res), **seqs = calloc((size_t)a->n_out + 1, sizeof *seqs);
    xc_ref_plan *p = NULL;
    xc_status s = !bin || !res || !seqs ? xc_fail(XC_ERR_NOMEM, "out of memory") : XC_OK;
    for (int o = 0; s == XC_OK && o < a->n_out; o++) s = xc_value_new(XC_VALUE_SEQUENCE, a->types[o].dtype, &seqs[o]);
    if (s == XC_OK) s = xc_ref_plan_create(body, &p);
    for (int e = 0; s == XC_OK && e < n; e++) {
        for (int i = 0; i < a->n_in; i++) bin[i] = a->in[i]->value == XC_VALUE_SEQUENCE ? a->in[i]->items[e] : a->in[i];
        s = xc_ref_plan_run(p, bin, a->scope, res);
        if (s != XC_OK && s != XC_ERR_NOMEM)
            s = xc_error_prefix(s, "%s body, element %d: ", xc_node_label(a->node, lb, sizeof lb), e);
        for (int o = 0; o < a->n_out; o++) {
            if (s == XC_OK) {
                if (seqs[o]->dtype == XC_UNDEFINED) seqs[o]->dtype = res[o]->dtype;
                s = xc_value_insert(seqs[o], -1, res[o]);
            } else {
                xc_tensor_free(res[o]);
            }
            res[o] = NULL;
        }
    }
    xc_ref_plan_free(p);
    for (int o = 0; seqs && o < a->n_out; o++) {
        if (s == XC_OK)
            put(a, o, seqs[o]);
        else
            xc_tensor_free(seqs[o]);
    }
    free(bin);
    free(res);
    free(seqs);
    return s;
}

static xc_status ref_optional(xc_ref_args *a)
{
    const xc_tensor *x = a->n_in ? a->in[0] : NULL;
    xc_tensor *o, *c;
    if (!x) { /* empty, of the type inference read from the 'type' attribute */
        XC_TRY(xc_value_new(a->types[0].kind, a->types[0].dtype, &o));
        put(a, 0, o);
        return XC_OK;
    }
    XC_TRY(xc_value_new(x->value == XC_VALUE_SEQUENCE ? XC_VALUE_OPTIONAL_SEQUENCE : XC_VALUE_OPTIONAL_TENSOR, x->dtype, &o));
    xc_status s = xc_tensor_clone(x, &c);
    if (s == XC_OK) s = xc_value_insert(o, -1, c);
    if (s != XC_OK) {
        xc_tensor_free(o);
        return s;
    }
    put(a, 0, o);
    return XC_OK;
}

static int is_optional(const xc_tensor *t)
{
    return t->value == XC_VALUE_OPTIONAL_TENSOR || t->value == XC_VALUE_OPTIONAL_SEQUENCE;
}

static xc_status ref_has(xc_ref_args *a)
{
    const xc_tensor *x = a->n_in ? a->in[0] : NULL;
    xc_tensor *t;
    XC_TRY(xc_tensor_new(XC_BOOL, 0, NULL, &t));
    ((uint8_t *)t->data)[0] = x && (!is_optional(x) || x->n_items);
    put(a, 0, t);
    return XC_OK;
}

static xc_status ref_get(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0];
    xc_tensor *c;
    if (is_optional(x) && !x->n_items) return xc_ref_fail(a, XC_ERR_MODEL, "optional input '%s' is empty", a->node->inputs[0]);
    XC_TRY(xc_tensor_clone(is_optional(x) ? x->items[0] : x, &c));
    put(a, 0, c);
    return XC_OK;
}

const xc_ref_kernel xc_ref_sequence[] = {
    {"SequenceEmpty", ref_empty},
    {"SequenceConstruct", ref_construct},
    {"SequenceInsert", ref_insert},
    {"SequenceAt", ref_at},
    {"SequenceErase", ref_erase},
    {"SequenceLength", ref_length},
    {"SplitToSequence", ref_split},
    {"ConcatFromSequence", ref_concat},
    {"SequenceMap", ref_map},
    {"Optional", ref_optional},
    {"OptionalHasElement", ref_has},
    {"OptionalGetElement", ref_get},
    {0},
};
