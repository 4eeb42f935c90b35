/* control.c — reference kernels of If, Loop and Scan. Bodies run through xc_ref_plan
 * (reference/subgraph.c) with the node's scope as their outer scope, so a body reads the values
 * of every enclosing graph. Per-iteration outputs are kept until the loop ends and then stacked;
 * an output whose iterations disagree in shape fails naming the node and the iteration. */
#include "ref.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Body runs allowed for one outermost If/Loop/Scan, nested ones included: a Loop with a huge
 * trip count (or none, and a condition that stays true) would otherwise run for ever, and nested
 * loops multiply. Deterministic, unlike a time limit; CROSSCHECK_MAX_LOOP_ITERATIONS=N changes
 * it (read when an outermost control node starts). */
#define DEFAULT_MAX_BODY_RUNS 1000000
static _Thread_local int control_depth;
static _Thread_local int64_t body_runs, body_runs_max;

static void control_enter(void)
{
    if (control_depth++) return;
    const char *env = getenv("CROSSCHECK_MAX_LOOP_ITERATIONS");
    char *end = NULL;
    long long v = env ? strtoll(env, &end, 10) : 0;
    body_runs_max = env && end != env && !*end && v > 0 ? v : DEFAULT_MAX_BODY_RUNS;
    body_runs = 0;
}

static xc_status control_leave(xc_status s)
{
    control_depth--;
    return s;
}

/* Counts one body run; fails naming the node once the budget is spent. */
static xc_status count_body_run(xc_ref_args *a)
{
    if (++body_runs <= body_runs_max) return XC_OK;
    return xc_ref_fail(a, XC_ERR_RUNTIME,
                       "bodies ran %lld times, the limit for one control-flow node and those nested in it "
                       "(CROSSCHECK_MAX_LOOP_ITERATIONS=N changes it)",
                       (long long)body_runs_max);
}

static const xc_graph *body_of(const xc_node *n, const char *name)
{
    const xc_attr *at = xc_node_attr(n, name);
    return at ? at->g : NULL;
}

/* Puts t in output o, replacing what the interpreter preallocated from static shapes. */
static void set_output(xc_ref_args *a, int o, xc_tensor *t)
{
    xc_tensor_free(a->out[o]);
    a->out[o] = t;
}

/* One element of a bool (or int64) tensor, checked. */
static xc_status single_value(xc_ref_args *a, const xc_tensor *t, xc_dtype want, const char *what, int64_t *v)
{
    char d[128];
    if (t->dtype != want || xc_tensor_numel(t) != 1)
        return xc_ref_fail(a, XC_ERR_MODEL, "%s must be one %s element, got %s", what, xc_dtype_name(want),
                           xc_tensor_desc(t, d, sizeof d));
    *v = want == XC_BOOL ? ((const uint8_t *)t->data)[0] != 0 : ((const int64_t *)t->data)[0];
    return XC_OK;
}

/* Element bytes of t; the control ops move whole elements only. */
static xc_status elem_size(xc_ref_args *a, xc_dtype t, size_t *size)
{
    *size = xc_dtype_size(t);
    if (!*size) return xc_ref_fail(a, XC_ERR_UNSUPPORTED, "dtype %s cannot be scanned", xc_dtype_name(t));
    return XC_OK;
}

/* out = x with axis removed, at position idx along it. */
static xc_status slice_axis(xc_ref_args *a, const xc_tensor *x, int axis, int64_t idx, xc_tensor **out)
{
    int64_t dims[XC_MAX_RANK];
    size_t es, outer = 1, inner;
    XC_TRY(elem_size(a, x->dtype, &es));
    inner = es;
    for (int d = 0, r = 0; d < x->rank; d++) {
        if (d == axis) continue;
        dims[r++] = x->dims[d];
        if (d < axis)
            outer *= (size_t)x->dims[d];
        else
            inner *= (size_t)x->dims[d];
    }
    XC_TRY(xc_tensor_new(x->dtype, x->rank - 1, dims, out));
    size_t len = (size_t)x->dims[axis];
    for (size_t o = 0; o < outer && inner; o++)
        memcpy((char *)(*out)->data + o * inner, (const char *)x->data + (o * len + (size_t)idx) * inner, inner);
    return XC_OK;
}

/* out = the count parts (all of one shape) stacked along a new axis. */
static xc_status stack_axis(xc_ref_args *a, int o_index, xc_tensor *const *parts, int64_t count, int axis, xc_tensor **out)
{
    const xc_tensor *p0 = parts[0];
    char d0[128], d1[128];
    for (int64_t t = 1; t < count; t++)
        if (parts[t]->dtype != p0->dtype || !xc_shape_equal(parts[t]->rank, parts[t]->dims, p0->rank, p0->dims))
            return xc_ref_fail(a, XC_ERR_MODEL, "scan output %d is %s in iteration 0 but %s in iteration %lld", o_index,
                               xc_tensor_desc(p0, d0, sizeof d0), xc_tensor_desc(parts[t], d1, sizeof d1), (long long)t);
    if (p0->rank + 1 > XC_MAX_RANK)
        return xc_ref_fail(a, XC_ERR_UNSUPPORTED, "scan output %d would have rank %d", o_index, p0->rank + 1);
    int64_t dims[XC_MAX_RANK];
    size_t es, outer = 1, inner;
    XC_TRY(elem_size(a, p0->dtype, &es));
    inner = es;
    for (int d = 0, r = 0; d <= p0->rank; d++) {
        if (d == axis) {
            dims[d] = count;
            continue;
        }
        dims[d] = p0->dims[r];
        if (d < axis)
            outer *= (size_t)p0->dims[r];
        else
            inner *= (size_t)p0->dims[r];
        r++;
    }
    XC_TRY(xc_tensor_new(p0->dtype, p0->rank + 1, dims, out));
    for (size_t o = 0; o < outer && inner; o++)
        for (int64_t t = 0; t < count; t++)
            memcpy((char *)(*out)->data + (o * (size_t)count + (size_t)t) * inner, (const char *)parts[t]->data + o * inner,
                   inner);
    return XC_OK;
}

/* A stacked output of zero iterations: the inferred shape with the unknown dims (and the
 * stacking axis) 0. */
static xc_status empty_output(xc_ref_args *a, int o, int axis, xc_tensor **out)
{
    const xc_type_shape *t = &a->types[o];
    int64_t dims[XC_MAX_RANK] = {0};
    int rank = t->rank >= 1 ? t->rank : 1;
    for (int d = 0; d < rank && t->rank >= 1; d++) dims[d] = d == axis || t->dims[d] < 0 ? 0 : t->dims[d];
    if (t->dtype == XC_UNDEFINED)
        return xc_ref_fail(a, XC_ERR_UNSUPPORTED, "scan output %d of zero iterations has an unknown dtype", o);
    return xc_tensor_new(t->dtype, rank, dims, out);
}

static xc_status ref_if(xc_ref_args *a)
{
    int64_t cond;
    char lb[256];
    XC_TRY(single_value(a, a->in[0], XC_BOOL, "the condition", &cond));
    const char *which = cond ? "then_branch" : "else_branch";
    const xc_graph *g = body_of(a->node, which);
    xc_tensor **res = calloc((size_t)g->n_outputs + 1, sizeof *res);
    if (!res) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_ref_plan *p = NULL;
    xc_status s = xc_ref_plan_create(g, &p);
    if (s == XC_OK) s = xc_ref_plan_run(p, NULL, a->scope, res);
    xc_ref_plan_free(p);
    if (s != XC_OK) {
        free(res);
        return s == XC_ERR_NOMEM ? s : xc_error_prefix(s, "%s %s: ", xc_node_label(a->node, lb, sizeof lb), which);
    }
    for (int o = 0; o < a->n_out; o++) set_output(a, o, res[o]);
    free(res);
    return XC_OK;
}

/* Per-iteration tensors of one stacked output. */
typedef struct parts {
    xc_tensor **v;
    int64_t n, cap;
    size_t bytes; /* of the tensors in v */
} parts;

static xc_status parts_push(parts *p, xc_tensor *t)
{
    if (p->n == p->cap) {
        int64_t cap = p->cap ? p->cap * 2 : 8;
        xc_tensor **v = realloc(p->v, sizeof *v * (size_t)cap);
        if (!v) return xc_fail(XC_ERR_NOMEM, "out of memory");
        p->v = v;
        p->cap = cap;
    }
    p->v[p->n++] = t;
    return XC_OK;
}

static void parts_free(parts *p, int count)
{
    for (int j = 0; p && j < count; j++) {
        for (int64_t t = 0; t < p[j].n; t++) xc_tensor_free(p[j].v[t]);
        free(p[j].v);
    }
    free(p);
}

/* Loop state shared by the iterations: carried values (owned once the body made them). */
typedef struct loop_state {
    int n, k;
    const xc_tensor **carried;
    char *owned;
    parts *scan;
    xc_tensor **res, *iter, *cond;
    const xc_tensor **bin;
} loop_state;

static void loop_state_free(loop_state *st)
{
    for (int i = 0; st->carried && st->owned && i < st->n; i++)
        if (st->owned[i]) xc_tensor_free((xc_tensor *)st->carried[i]);
    free(st->carried);
    free(st->owned);
    parts_free(st->scan, st->k);
    free(st->res);
    free(st->bin);
    xc_tensor_free(st->iter);
    xc_tensor_free(st->cond);
}

/* One iteration: body(i, cond, carried) -> (cond, carried, scan parts). */
static xc_status loop_iteration(xc_ref_args *a, xc_ref_plan *p, loop_state *st, int64_t i, int64_t *cond)
{
    int n = st->n;
    ((int64_t *)st->iter->data)[0] = i;
    ((uint8_t *)st->cond->data)[0] = (uint8_t)(*cond != 0);
    st->bin[0] = st->iter;
    st->bin[1] = st->cond;
    for (int j = 0; j < n; j++) st->bin[2 + j] = st->carried[j];
    XC_TRY(xc_ref_plan_run(p, st->bin, a->scope, st->res));
    xc_status s = single_value(a, st->res[0], XC_BOOL, "the body's condition output", cond);
    for (int j = 0; j < n && s == XC_OK; j++)
        if (st->res[1 + j]->dtype != st->carried[j]->dtype)
            s = xc_ref_fail(a, XC_ERR_MODEL, "loop-carried value %d enters as %s but the body makes it %s", j,
                            xc_dtype_name(st->carried[j]->dtype), xc_dtype_name(st->res[1 + j]->dtype));
    xc_tensor_free(st->res[0]);
    st->res[0] = NULL;
    for (int j = 0; j < n; j++) {
        if (s == XC_OK) {
            if (st->owned[j]) xc_tensor_free((xc_tensor *)st->carried[j]);
            st->carried[j] = st->res[1 + j];
            st->owned[j] = 1;
        } else {
            xc_tensor_free(st->res[1 + j]);
        }
        st->res[1 + j] = NULL;
    }
    for (int j = 0; j < st->k; j++) {
        /* the parts are stacked into one tensor at the end: more bytes than one tensor may hold
         * fail now, not after a huge trip count has piled them up */
        parts *sp = &st->scan[j];
        size_t nb = st->res[1 + n + j] ? st->res[1 + n + j]->nbytes : 0;
        if (s == XC_OK && (nb > xc_max_tensor_bytes() || sp->bytes > xc_max_tensor_bytes() - nb))
            s = xc_ref_fail(a, XC_ERR_NOMEM, "scan output %d exceeds the tensor size limit of %zu bytes after %lld iterations", j,
                            xc_max_tensor_bytes(), (long long)i + 1);
        if (s == XC_OK) sp->bytes += nb;
        if (s == XC_OK)
            s = parts_push(sp, st->res[1 + n + j]);
        else
            xc_tensor_free(st->res[1 + n + j]);
        st->res[1 + n + j] = NULL;
    }
    return s;
}

static xc_status ref_loop(xc_ref_args *a)
{
    const xc_graph *body = body_of(a->node, "body");
    char lb[256];
    int64_t trips = INT64_MAX, cond = 1;
    if (a->in[0]) XC_TRY(single_value(a, a->in[0], XC_INT64, "the trip count M", &trips));
    if (a->in[1]) XC_TRY(single_value(a, a->in[1], XC_BOOL, "the condition", &cond));
    loop_state st = {0};
    st.n = a->n_in - 2;
    st.k = a->n_out - st.n;
    st.carried = calloc((size_t)st.n + 1, sizeof *st.carried);
    st.owned = calloc((size_t)st.n + 1, 1);
    st.scan = calloc((size_t)st.k + 1, sizeof *st.scan);
    st.res = calloc((size_t)body->n_outputs + 1, sizeof *st.res);
    st.bin = calloc((size_t)body->n_inputs + 1, sizeof *st.bin);
    xc_status s = st.carried && st.owned && st.scan && st.res && st.bin ? XC_OK : xc_fail(XC_ERR_NOMEM, "out of memory");
    if (s == XC_OK) s = xc_tensor_new(XC_INT64, 0, NULL, &st.iter);
    if (s == XC_OK) s = xc_tensor_new(XC_BOOL, 0, NULL, &st.cond);
    for (int j = 0; j < st.n && s == XC_OK; j++) {
        st.carried[j] = a->in[2 + j];
        if (!st.carried[j]) s = xc_ref_fail(a, XC_ERR_MODEL, "loop-carried input %d is empty", j);
    }
    xc_ref_plan *p = NULL;
    if (s == XC_OK) s = xc_ref_plan_create(body, &p);
    int64_t i = 0;
    /* M absent and cond absent is ONNX's infinite loop: it runs until the body fails */
    for (; s == XC_OK && i < trips && cond; i++) {
        if ((s = count_body_run(a)) != XC_OK) break;
        s = loop_iteration(a, p, &st, i, &cond);
        if (s != XC_OK && s != XC_ERR_NOMEM)
            s = xc_error_prefix(s, "%s body, iteration %lld: ", xc_node_label(a->node, lb, sizeof lb), (long long)i);
    }
    xc_ref_plan_free(p);
    for (int j = 0; j < st.n && s == XC_OK; j++) {
        xc_tensor *t = NULL;
        if (st.owned[j]) {
            t = (xc_tensor *)st.carried[j];
            st.owned[j] = 0;
        } else {
            s = xc_tensor_clone(st.carried[j], &t);
        }
        if (s == XC_OK) set_output(a, j, t);
    }
    for (int j = 0; j < st.k && s == XC_OK; j++) {
        xc_tensor *t = NULL;
        if (st.scan[j].n)
            s = stack_axis(a, j, st.scan[j].v, st.scan[j].n, 0, &t);
        else
            s = empty_output(a, st.n + j, 0, &t);
        if (s == XC_OK) set_output(a, st.n + j, t);
    }
    loop_state_free(&st);
    return s;
}

/* Which way and along which axis each scan input and output goes (Scan-9 attributes, or the
 * Scan-8 ones mapped onto them). */
typedef struct scan_plan {
    int n, m, k;
    int *in_axis, *in_rev, *out_axis, *out_rev;
} scan_plan;

static void scan_plan_free(scan_plan *sp)
{
    free(sp->in_axis);
    free(sp->in_rev);
    free(sp->out_axis);
    free(sp->out_rev);
}

/* Runs the body len times over states and scan inputs; outs: n final states, k stacked outputs. */
static xc_status scan_run(xc_ref_args *a, const scan_plan *sp, const xc_tensor *const *states, const xc_tensor *const *scans,
                          int64_t len, int out_base, xc_tensor **outs)
{
    const xc_graph *body = body_of(a->node, "body");
    char lb[256];
    int n = sp->n, m = sp->m, k = sp->k;
    const xc_tensor **bin = calloc((size_t)(n + m) + 1, sizeof *bin), **cur = calloc((size_t)n + 1, sizeof *cur);
    xc_tensor **slices = calloc((size_t)m + 1, sizeof *slices), **res = calloc((size_t)(n + k) + 1, sizeof *res);
    char *owned = calloc((size_t)n + 1, 1);
    parts *per = calloc((size_t)k + 1, sizeof *per);
    xc_status s = bin && cur && slices && res && owned && per ? XC_OK : xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_ref_plan *p = NULL;
    if (s == XC_OK) s = xc_ref_plan_create(body, &p);
    for (int j = 0; j < n && s == XC_OK; j++) cur[j] = states[j];
    for (int j = 0; j < k && s == XC_OK; j++) {
        per[j].v = calloc((size_t)len + 1, sizeof *per[j].v);
        per[j].n = per[j].cap = len;
        if (!per[j].v) s = xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    for (int64_t t = 0; t < len && s == XC_OK; t++) {
        if ((s = count_body_run(a)) != XC_OK) break;
        for (int j = 0; j < m && s == XC_OK; j++) {
            xc_tensor_free(slices[j]);
            slices[j] = NULL;
            s = slice_axis(a, scans[j], sp->in_axis[j], sp->in_rev[j] ? len - 1 - t : t, &slices[j]);
        }
        for (int j = 0; j < n; j++) bin[j] = cur[j];
        for (int j = 0; j < m; j++) bin[n + j] = slices[j];
        if (s == XC_OK) s = xc_ref_plan_run(p, bin, a->scope, res);
        if (s != XC_OK) {
            if (s != XC_ERR_NOMEM)
                s = xc_error_prefix(s, "%s body, iteration %lld: ", xc_node_label(a->node, lb, sizeof lb), (long long)t);
            break;
        }
        for (int j = 0; j < n; j++) {
            if (s == XC_OK && res[j]->dtype != cur[j]->dtype)
                s = xc_ref_fail(a, XC_ERR_MODEL, "state %d enters as %s but the body makes it %s", j,
                                xc_dtype_name(cur[j]->dtype), xc_dtype_name(res[j]->dtype));
            if (owned[j]) xc_tensor_free((xc_tensor *)cur[j]);
            cur[j] = res[j];
            owned[j] = 1;
            res[j] = NULL;
        }
        for (int j = 0; j < k; j++) {
            per[j].v[sp->out_rev[j] ? len - 1 - t : t] = res[n + j];
            res[n + j] = NULL;
        }
    }
    xc_ref_plan_free(p);
    for (int j = 0; j < n && s == XC_OK; j++) {
        if (owned[j]) {
            outs[j] = (xc_tensor *)cur[j];
            owned[j] = 0;
        } else {
            s = xc_tensor_clone(cur[j], &outs[j]);
        }
    }
    for (int j = 0; j < k && s == XC_OK; j++) {
        /* an output's rank is its body output's plus one */
        int rank = len ? per[j].v[0]->rank + 1 : a->types[out_base + n + j].rank, axis = sp->out_axis[j];
        if (axis < -rank || axis >= rank) {
            s = xc_ref_fail(a, XC_ERR_MODEL, "scan_output_axes[%d] is %d, outside [%d, %d)", j, axis, -rank, rank);
            break;
        }
        if (axis < 0) axis += rank;
        if (len)
            s = stack_axis(a, j, per[j].v, len, axis, &outs[n + j]);
        else
            s = empty_output(a, out_base + n + j, axis, &outs[n + j]);
    }
    for (int j = 0; owned && j < n; j++)
        if (owned[j]) xc_tensor_free((xc_tensor *)cur[j]);
    for (int j = 0; slices && j < m; j++) xc_tensor_free(slices[j]);
    parts_free(per, per ? k : 0);
    free(bin);
    free(cur);
    free(slices);
    free(res);
    free(owned);
    return s;
}

/* Reads an INTS attribute of count entries into v (default def), normalizing axes by rank. */
static xc_status scan_ints(xc_ref_args *a, const char *name, int count, int def, const int *ranks, int *v)
{
    const int64_t *vals = NULL;
    size_t got = 0;
    int have = xc_attr_ints(a->node, name, &vals, &got);
    for (int j = 0; j < count; j++) {
        int64_t x = have && (size_t)j < got ? vals[j] : def;
        if (ranks) {
            if (x < -ranks[j] || x >= ranks[j])
                return xc_ref_fail(a, XC_ERR_MODEL, "%s[%d] is %lld, outside [%d, %d)", name, j, (long long)x, -ranks[j],
                                   ranks[j]);
            if (x < 0) x += ranks[j];
        }
        v[j] = (int)x;
    }
    return XC_OK;
}

static xc_status scan_plan_alloc(scan_plan *sp)
{
    sp->in_axis = calloc((size_t)sp->m + 1, sizeof(int));
    sp->in_rev = calloc((size_t)sp->m + 1, sizeof(int));
    sp->out_axis = calloc((size_t)sp->k + 1, sizeof(int));
    sp->out_rev = calloc((size_t)sp->k + 1, sizeof(int));
    if (!sp->in_axis || !sp->in_rev || !sp->out_axis || !sp->out_rev) return xc_fail(XC_ERR_NOMEM, "out of memory");
    return XC_OK;
}

static xc_status ref_scan9(xc_ref_args *a)
{
    scan_plan sp = {0};
    sp.m = (int)xc_attr_int(a->node, "num_scan_inputs", 0);
    sp.n = a->n_in - sp.m;
    sp.k = a->n_out - sp.n;
    xc_status s = scan_plan_alloc(&sp);
    int *ranks = calloc((size_t)(sp.m > sp.k ? sp.m : sp.k) + 1, sizeof(int));
    if (!ranks && s == XC_OK) s = xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int j = 0; j < sp.m && s == XC_OK; j++) ranks[j] = a->in[sp.n + j]->rank;
    if (s == XC_OK) s = scan_ints(a, "scan_input_axes", sp.m, 0, ranks, sp.in_axis);
    if (s == XC_OK) s = scan_ints(a, "scan_input_directions", sp.m, 0, NULL, sp.in_rev);
    if (s == XC_OK) s = scan_ints(a, "scan_output_directions", sp.k, 0, NULL, sp.out_rev);
    if (s == XC_OK) s = scan_ints(a, "scan_output_axes", sp.k, 0, NULL, sp.out_axis); /* normalized in scan_run */
    int64_t len = -1;
    for (int j = 0; j < sp.m && s == XC_OK; j++) {
        int64_t l = a->in[sp.n + j]->dims[sp.in_axis[j]];
        if (len >= 0 && l != len)
            s = xc_ref_fail(a, XC_ERR_MODEL, "scan inputs have different lengths (%lld and %lld)", (long long)len, (long long)l);
        len = l;
    }
    xc_tensor **outs = calloc((size_t)a->n_out + 1, sizeof *outs);
    if (!outs && s == XC_OK) s = xc_fail(XC_ERR_NOMEM, "out of memory");
    if (s == XC_OK) s = scan_run(a, &sp, a->in, a->in + sp.n, len, 0, outs);
    for (int o = 0; o < a->n_out && outs; o++) {
        if (s == XC_OK)
            set_output(a, o, outs[o]);
        else
            xc_tensor_free(outs[o]);
    }
    free(outs);
    free(ranks);
    scan_plan_free(&sp);
    return s;
}

/* Copies t into row b of out ([B, ...t's shape]), zero-padding a shorter first axis. */
static void put_row(xc_tensor *out, int64_t b, const xc_tensor *t)
{
    size_t row = out->nbytes / (size_t)(out->dims[0] ? out->dims[0] : 1);
    if (t->nbytes) memcpy((char *)out->data + (size_t)b * row, t->data, t->nbytes < row ? t->nbytes : row);
}

/* Scan-8: every input and output has a leading batch axis, scan inputs scan along axis 1, and
 * sequence_lens (input 0, optional) cuts each batch row's scan short (outputs zero-padded). */
static xc_status ref_scan8(xc_ref_args *a)
{
    scan_plan sp = {0};
    sp.m = (int)xc_attr_int(a->node, "num_scan_inputs", 0);
    sp.n = a->n_in - 1 - sp.m;
    sp.k = a->n_out - sp.n;
    const xc_tensor *const *states = a->in + 1, *const *scans = a->in + 1 + sp.n;
    xc_status s = scan_plan_alloc(&sp);
    if (s == XC_OK) s = scan_ints(a, "directions", sp.m, 0, NULL, sp.in_rev);
    int64_t batch = scans[0]->rank >= 2 ? scans[0]->dims[0] : -1, len = scans[0]->rank >= 2 ? scans[0]->dims[1] : -1;
    for (int j = 0; j < sp.n + sp.m && s == XC_OK; j++) {
        const xc_tensor *x = j < sp.n ? states[j] : scans[j - sp.n];
        int need = j < sp.n ? 1 : 2;
        if (x->rank < need || x->dims[0] != batch || (j >= sp.n && x->dims[1] != len))
            s = xc_ref_fail(a, XC_ERR_MODEL, "input '%s' does not have the batch size %lld%s", a->node->inputs[1 + j],
                            (long long)batch, j >= sp.n ? " and scan length of the first scan input" : "");
    }
    const xc_tensor *lens = a->in[0];
    if (s == XC_OK && lens && (lens->dtype != XC_INT64 || (int64_t)xc_tensor_numel(lens) != batch))
        s = xc_ref_fail(a, XC_ERR_MODEL, "sequence_lens must be int64 with one entry per batch row (%lld)", (long long)batch);
    const xc_tensor **bs = calloc((size_t)(sp.n + sp.m) + 1, sizeof *bs);
    xc_tensor **row_in = calloc((size_t)(sp.n + sp.m) + 1, sizeof *row_in),
              **row_out = calloc((size_t)a->n_out + 1, sizeof *row_out);
    if ((!bs || !row_in || !row_out) && s == XC_OK) s = xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int64_t b = 0; b < batch && s == XC_OK; b++) {
        int64_t l = lens ? ((const int64_t *)lens->data)[b] : len;
        if (l < 1 || l > len) {
            s = xc_ref_fail(a, XC_ERR_MODEL, "sequence_lens[%lld] is %lld, expected 1..%lld", (long long)b, (long long)l,
                            (long long)len);
            break;
        }
        for (int j = 0; j < sp.n + sp.m && s == XC_OK; j++) {
            const xc_tensor *x = j < sp.n ? states[j] : scans[j - sp.n];
            s = slice_axis(a, x, 0, b, &row_in[j]);
            if (s == XC_OK && j >= sp.n && l < len) row_in[j]->dims[0] = l; /* a prefix of the row is the shorter sequence */
            bs[j] = row_in[j];
        }
        if (s == XC_OK) s = scan_run(a, &sp, bs, bs + sp.n, l, 1, row_out);
        for (int o = 0; o < a->n_out && s == XC_OK; o++) {
            if (!a->out[o] || b == 0) {
                int64_t dims[XC_MAX_RANK];
                dims[0] = batch;
                for (int d = 0; d < row_out[o]->rank; d++) dims[d + 1] = row_out[o]->dims[d];
                if (o >= sp.n) dims[1] = len;
                xc_tensor *t = NULL;
                if (row_out[o]->rank + 1 > XC_MAX_RANK)
                    s = xc_ref_fail(a, XC_ERR_UNSUPPORTED, "output %d would have rank %d", o, row_out[o]->rank + 1);
                if (s == XC_OK) s = xc_tensor_new(row_out[o]->dtype, row_out[o]->rank + 1, dims, &t);
                if (s == XC_OK) set_output(a, o, t);
            }
            if (s == XC_OK) put_row(a->out[o], b, row_out[o]);
        }
        for (int j = 0; j < sp.n + sp.m; j++) {
            xc_tensor_free(row_in[j]);
            row_in[j] = NULL;
        }
        for (int o = 0; o < a->n_out; o++) {
            xc_tensor_free(row_out[o]);
            row_out[o] = NULL;
        }
    }
    if (s == XC_OK && batch == 0) s = xc_ref_fail(a, XC_ERR_UNSUPPORTED, "a batch of 0 rows is not supported");
    free(bs);
    free(row_in);
    free(row_out);
    scan_plan_free(&sp);
    return s;
}

static xc_status ref_scan(xc_ref_args *a)
{
    control_enter();
    return control_leave(a->opset >= 9 ? ref_scan9(a) : ref_scan8(a));
}

static xc_status ref_if_counted(xc_ref_args *a)
{
    control_enter();
    return control_leave(ref_if(a));
}

static xc_status ref_loop_counted(xc_ref_args *a)
{
    control_enter();
    return control_leave(ref_loop(a));
}

const xc_ref_kernel xc_ref_control[] = {
    {"If", ref_if_counted},
    {"Loop", ref_loop_counted},
    {"Scan", ref_scan},
    {0},
};
