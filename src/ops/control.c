/* control.c — schemas of the control-flow operators If, Loop and Scan: the arity of their
 * bodies (checked here so a wrong body fails at load, naming the node) and their output types,
 * inferred by running inference over the bodies with the enclosing graphs' types in scope. */
#include "schema.h"
#include <stdlib.h>
#include <string.h>

/* Effectively unbounded variadic outputs (ONNX gives no upper limit). */
#define MANY (1 << 20)

static const xc_attr_spec if_attrs[] = {{"then_branch", XC_ATTR_GRAPH, 1}, {"else_branch", XC_ATTR_GRAPH, 1}, {NULL, 0, 0}};
static const xc_attr_spec loop_attrs[] = {{"body", XC_ATTR_GRAPH, 1}, {NULL, 0, 0}};
static const xc_attr_spec scan8_attrs[] = {
    {"body", XC_ATTR_GRAPH, 1}, {"num_scan_inputs", XC_ATTR_INT, 1}, {"directions", XC_ATTR_INTS, 0}, {NULL, 0, 0}};
static const xc_attr_spec scan9_attrs[] = {{"body", XC_ATTR_GRAPH, 1},
                                           {"num_scan_inputs", XC_ATTR_INT, 1},
                                           {"scan_input_directions", XC_ATTR_INTS, 0},
                                           {"scan_output_directions", XC_ATTR_INTS, 0},
                                           {"scan_input_axes", XC_ATTR_INTS, 0},
                                           {"scan_output_axes", XC_ATTR_INTS, 0},
                                           {NULL, 0, 0}};

static const xc_graph *graph_attr(const xc_infer_ctx *c, const char *name)
{
    const xc_attr *a = xc_node_attr(c->node, name);
    return a && a->type == XC_ATTR_GRAPH ? a->g : NULL;
}

/* The type both a and b may have: dtype must agree; dims that differ become unknown, and
 * ranks that differ leave the rank unknown (If-11 and later allow branches of other shapes). */
static xc_status merge_types(const xc_infer_ctx *c, int o, const xc_type_shape *a, const xc_type_shape *b)
{
    xc_type_shape *r = &c->out[o];
    if (a->dtype != XC_UNDEFINED && b->dtype != XC_UNDEFINED && a->dtype != b->dtype)
        return xc_infer_fail(c, "output %d is %s in one branch and %s in the other", o, xc_dtype_name(a->dtype),
                             xc_dtype_name(b->dtype));
    r->dtype = a->dtype != XC_UNDEFINED ? a->dtype : b->dtype;
    r->kind = a->kind != XC_VALUE_TENSOR ? a->kind : b->kind; /* an empty optional may meet its element */
    r->rank = a->rank == b->rank ? a->rank : -1;
    for (int k = 0; k < r->rank; k++) r->dims[k] = a->dims[k] == b->dims[k] ? a->dims[k] : -1;
    return XC_OK;
}

/* Input i (when present) must have dtype want and hold one element when its shape is known. */
static xc_status require_single(const xc_infer_ctx *c, int i, xc_dtype want, const char *what)
{
    const xc_type_shape *t = &c->in[i];
    if (!t->present) return XC_OK;
    if (t->dtype != XC_UNDEFINED && t->dtype != want)
        return xc_infer_fail(c, "%s '%s' must be %s, got %s", what, c->node->inputs[i], xc_dtype_name(want),
                             xc_dtype_name(t->dtype));
    for (int k = 0; t->rank > 0 && k < t->rank; k++)
        if (t->dims[k] > 1) return xc_infer_fail(c, "%s '%s' must hold one element", what, c->node->inputs[i]);
    return XC_OK;
}

static xc_status infer_if(xc_infer_ctx *c)
{
    const xc_graph *br[2] = {graph_attr(c, "then_branch"), graph_attr(c, "else_branch")};
    const char *names[2] = {"then_branch", "else_branch"};
    XC_TRY(require_single(c, 0, XC_BOOL, "condition"));
    for (int b = 0; b < 2; b++) {
        if (br[b]->n_inputs) return xc_infer_fail(c, "%s has %d inputs, expected none", names[b], br[b]->n_inputs);
        if (br[b]->n_outputs != c->n_out)
            return xc_infer_fail(c, "%s has %d outputs, expected %d (one per output of the node)", names[b], br[b]->n_outputs,
                                 c->n_out);
    }
    /* declared types must agree even when only one branch is inferred below (a known condition) */
    for (int o = 0; o < c->n_out; o++) {
        xc_dtype t0 = br[0]->outputs[o].dtype, t1 = br[1]->outputs[o].dtype;
        if (t0 != XC_UNDEFINED && t1 != XC_UNDEFINED && t0 != t1)
            return xc_infer_fail(c, "output %d is declared %s in then_branch and %s in else_branch", o, xc_dtype_name(t0),
                                 xc_dtype_name(t1));
    }
    xc_type_shape *t = calloc((size_t)c->n_out * 2 + 1, sizeof *t);
    if (!t) return xc_fail(XC_ERR_NOMEM, "out of memory");
    /* A known condition (always at run time) leaves one branch to infer; otherwise a branch
     * whose inference fails may be the one that never runs for these inputs (exporters guard
     * rank-specific code with If), so it only contributes its declared output types. */
    const xc_tensor *cv = c->in[0].value;
    int known = cv && cv->dtype == XC_BOOL && xc_tensor_numel(cv) == 1, taken = known && ((const uint8_t *)cv->data)[0];
    xc_status s = XC_OK;
    for (int b = 0; b < 2 && s == XC_OK; b++) {
        xc_type_shape *bt = t + b * c->n_out;
        for (int o = 0; o < c->n_out; o++) bt[o].present = 1;
        if (known && (b == 0) != (taken != 0)) continue;
        s = xc_infer_subgraph(c, br[b], NULL, 0, bt, c->n_out);
        if (s == XC_ERR_MODEL && !known) {
            s = XC_OK;
            for (int o = 0; o < c->n_out; o++) {
                const xc_value_info *v = &br[b]->outputs[o];
                bt[o] = (xc_type_shape){1, v->dtype, v->rank, {0}, NULL, v->value};
                for (int d = 0; d < v->rank; d++) bt[o].dims[d] = v->dims[d];
            }
        }
    }
    if (known) /* both halves get the taken branch's types */
        memcpy(taken ? t + c->n_out : t, taken ? t : t + c->n_out, sizeof *t * (size_t)c->n_out);
    for (int o = 0; o < c->n_out && s == XC_OK; o++) s = merge_types(c, o, &t[o], &t[c->n_out + o]);
    free(t);
    return s;
}

/* Loop: inputs M, cond, N carried values; body (iteration, cond, N carried) -> (cond, N
 * carried, K scan outputs); node outputs: N final carried values, K stacked scan outputs. */
static xc_status infer_loop(xc_infer_ctx *c)
{
    const xc_graph *body = graph_attr(c, "body");
    if (c->n_in < 2)
        return xc_infer_fail(c, "has %d inputs, expected at least 2 (trip count and condition, either may be empty)", c->n_in);
    int n = c->n_in - 2, k = c->n_out - n;
    if (k < 0) return xc_infer_fail(c, "has %d loop-carried inputs but only %d outputs", n, c->n_out);
    if (body->n_inputs != 2 + n)
        return xc_infer_fail(c, "body has %d inputs, expected %d (iteration number, condition and %d loop-carried value%s)",
                             body->n_inputs, 2 + n, n, n == 1 ? "" : "s");
    if (body->n_outputs != 1 + c->n_out)
        return xc_infer_fail(c, "body has %d outputs, expected %d (condition, %d loop-carried value%s and %d scan output%s)",
                             body->n_outputs, 1 + c->n_out, n, n == 1 ? "" : "s", k, k == 1 ? "" : "s");
    XC_TRY(require_single(c, 0, XC_INT64, "trip count"));
    XC_TRY(require_single(c, 1, XC_BOOL, "condition"));
    xc_type_shape *bin = calloc((size_t)body->n_inputs + 1, sizeof *bin),
                  *bout = calloc((size_t)body->n_outputs + 1, sizeof *bout);
    if (!bin || !bout) {
        free(bin);
        free(bout);
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    bin[0] = (xc_type_shape){1, XC_INT64, 0, {0}, NULL, XC_VALUE_TENSOR};
    bin[1] = (xc_type_shape){1, XC_BOOL, 0, {0}, NULL, XC_VALUE_TENSOR};
    for (int i = 0; i < n; i++) {
        bin[2 + i] = c->in[2 + i];
        bin[2 + i].value = NULL; /* carried values change from one iteration to the next */
    }
    for (int o = 0; o < body->n_outputs; o++) bout[o].present = 1;
    xc_status s = xc_infer_subgraph(c, body, bin, body->n_inputs, bout, body->n_outputs);
    if (s == XC_OK && bout[0].dtype != XC_UNDEFINED && bout[0].dtype != XC_BOOL)
        s = xc_infer_fail(c, "body output 0 (the condition) must be bool, got %s", xc_dtype_name(bout[0].dtype));
    for (int i = 0; i < n && s == XC_OK; i++) {
        const xc_type_shape *init = &c->in[2 + i], *next = &bout[1 + i];
        if (init->dtype != XC_UNDEFINED && next->dtype != XC_UNDEFINED && init->dtype != next->dtype)
            s = xc_infer_fail(c, "loop-carried value %d enters as %s but the body makes it %s", i, xc_dtype_name(init->dtype),
                              xc_dtype_name(next->dtype));
        else
            s = merge_types(c, i, init, next);
    }
    for (int j = 0; j < k && s == XC_OK; j++) {
        const xc_type_shape *per = &bout[1 + n + j];
        xc_type_shape *r = &c->out[n + j];
        if (per->kind != XC_VALUE_TENSOR) {
            s = xc_infer_fail(c, "body output %d is a %s, but scan outputs stack tensors", 1 + n + j,
                              xc_value_kind_name(per->kind));
            break;
        }
        r->dtype = per->dtype;
        r->rank = per->rank >= 0 && per->rank < XC_MAX_RANK ? per->rank + 1 : -1;
        r->dims[0] = -1;
        for (int d = 0; d < per->rank && r->rank > 0; d++) r->dims[d + 1] = per->dims[d];
    }
    free(bin);
    free(bout);
    return s;
}

/* Scan's own view of its attributes: the axis of each scan input (and output) and whether it
 * runs backwards. Axes are normalized against the ranks given. */
static xc_status scan_axis(const xc_infer_ctx *c, const char *attr, int i, int rank, int *axis)
{
    const int64_t *v = NULL;
    size_t count = 0;
    *axis = 0;
    if (!xc_attr_ints(c->node, attr, &v, &count)) return XC_OK;
    if ((size_t)i >= count) return xc_infer_fail(c, "%s has %zu entries, too few", attr, count);
    if (rank < 0) return XC_OK;
    return xc_normalize_axis(c, v[i], rank, axis);
}

static xc_status check_count(const xc_infer_ctx *c, const char *attr, int want)
{
    const int64_t *v = NULL;
    size_t count = 0;
    if (xc_attr_ints(c->node, attr, &v, &count) && count != (size_t)want)
        return xc_infer_fail(c, "%s has %zu entries, expected %d", attr, count, want);
    for (size_t i = 0; i < count; i++)
        if (strstr(attr, "direction") && v[i] != 0 && v[i] != 1)
            return xc_infer_fail(c, "%s[%zu] is %lld, expected 0 (forward) or 1 (reverse)", attr, i, (long long)v[i]);
    return XC_OK;
}

/* Scan-9 and later (batch 0) and Scan-8 (batch 1: every input and output has a leading batch
 * axis, and input 0 is the optional sequence_lens). */
static xc_status infer_scan_common(xc_infer_ctx *c, int batch)
{
    const xc_graph *body = graph_attr(c, "body");
    int64_t m = xc_attr_int(c->node, "num_scan_inputs", 0);
    int first = batch ? 1 : 0, n_state_scan = c->n_in - first;
    for (int i = first; i < c->n_in; i++)
        if (!c->in[i].present) return xc_infer_fail(c, "input %d is empty (only sequence_lens may be)", i);
    if (m < 1 || m > n_state_scan) return xc_infer_fail(c, "num_scan_inputs is %lld, expected 1..%d", (long long)m, n_state_scan);
    int n = n_state_scan - (int)m, k = c->n_out - n;
    if (k < 0) return xc_infer_fail(c, "has %d state inputs but only %d outputs", n, c->n_out);
    if (body->n_inputs != n + (int)m)
        return xc_infer_fail(c, "body has %d inputs, expected %d (%d state value%s and %lld scan input%s)", body->n_inputs,
                             n + (int)m, n, n == 1 ? "" : "s", (long long)m, m == 1 ? "" : "s");
    if (body->n_outputs != c->n_out)
        return xc_infer_fail(c, "body has %d outputs, expected %d (%d state value%s and %d scan output%s)", body->n_outputs,
                             c->n_out, n, n == 1 ? "" : "s", k, k == 1 ? "" : "s");
    if (batch) {
        XC_TRY(check_count(c, "directions", (int)m));
        if (c->in[0].present && c->in[0].dtype != XC_UNDEFINED && c->in[0].dtype != XC_INT64)
            return xc_infer_fail(c, "sequence_lens must be int64, got %s", xc_dtype_name(c->in[0].dtype));
    } else {
        XC_TRY(check_count(c, "scan_input_directions", (int)m));
        XC_TRY(check_count(c, "scan_input_axes", (int)m));
        XC_TRY(check_count(c, "scan_output_directions", k));
        XC_TRY(check_count(c, "scan_output_axes", k));
    }
    xc_type_shape *bin = calloc((size_t)body->n_inputs + 1, sizeof *bin),
                  *bout = calloc((size_t)body->n_outputs + 1, sizeof *bout);
    if (!bin || !bout) {
        free(bin);
        free(bout);
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    xc_status s = XC_OK;
    int64_t length = -1; /* scan length when known */
    for (int i = 0; i < n + (int)m && s == XC_OK; i++) {
        const xc_type_shape *x = &c->in[first + i];
        xc_type_shape *b = &bin[i];
        *b = *x;
        b->value = NULL;
        int drop = i < n ? batch : batch + 1; /* states lose the batch axis, scan inputs also the scan axis */
        if (x->rank >= 0 && x->rank < drop) {
            s = xc_infer_fail(c, "input '%s' has rank %d, too small to scan", c->node->inputs[first + i], x->rank);
            break;
        }
        if (x->rank < 0) continue;
        int axis = 0;
        if (i >= n && !batch) s = scan_axis(c, "scan_input_axes", i - n, x->rank, &axis);
        if (i >= n && batch) axis = 1;
        int r = 0;
        for (int d = 0; d < x->rank; d++) {
            if ((batch && d == 0) || (i >= n && d == axis)) continue;
            b->dims[r++] = x->dims[d];
        }
        b->rank = r;
        if (i >= n && x->dims[axis] >= 0) {
            if (length >= 0 && length != x->dims[axis])
                s = xc_infer_fail(c, "scan inputs have different lengths (%lld and %lld)", (long long)length,
                                  (long long)x->dims[axis]);
            length = x->dims[axis];
        }
    }
    for (int o = 0; o < body->n_outputs; o++) bout[o].present = 1;
    if (s == XC_OK) s = xc_infer_subgraph(c, body, bin, body->n_inputs, bout, body->n_outputs);
    int64_t b_dim = -1;
    for (int i = 0; batch && i < n + (int)m; i++)
        if (c->in[first + i].rank > 0 && c->in[first + i].dims[0] >= 0) b_dim = c->in[first + i].dims[0];
    for (int o = 0; o < c->n_out && s == XC_OK; o++) {
        const xc_type_shape *per = &bout[o];
        xc_type_shape *r = &c->out[o];
        r->dtype = per->dtype;
        if (o < n) { /* final state: as the body computes it, with the batch axis back */
            if (per->dtype != XC_UNDEFINED && c->in[first + o].dtype != XC_UNDEFINED && per->dtype != c->in[first + o].dtype)
                s = xc_infer_fail(c, "state %d enters as %s but the body makes it %s", o, xc_dtype_name(c->in[first + o].dtype),
                                  xc_dtype_name(per->dtype));
            r->rank = per->rank >= 0 && per->rank + batch <= XC_MAX_RANK ? per->rank + batch : -1;
            if (batch && r->rank > 0) r->dims[0] = b_dim;
            for (int d = 0; d < per->rank && r->rank >= 0; d++) r->dims[d + batch] = per->dims[d];
            continue;
        }
        int extra = 1 + batch;
        r->rank = per->rank >= 0 && per->rank + extra <= XC_MAX_RANK ? per->rank + extra : -1;
        if (r->rank < 0) continue;
        int axis = 0;
        if (!batch)
            s = scan_axis(c, "scan_output_axes", o - n, r->rank, &axis);
        else
            axis = 1;
        for (int d = 0, src = 0; d < r->rank && s == XC_OK; d++) {
            if (batch && d == 0)
                r->dims[d] = b_dim;
            else if (d == axis)
                r->dims[d] = length;
            else
                r->dims[d] = per->dims[src++];
        }
    }
    free(bin);
    free(bout);
    return s;
}

static xc_status infer_scan8(xc_infer_ctx *c) { return infer_scan_common(c, 1); }
static xc_status infer_scan9(xc_infer_ctx *c) { return infer_scan_common(c, 0); }

const xc_op_schema xc_schemas_control[] = {
    {"If", 1, 1, 1, 1, MANY, if_attrs, infer_if},
    /* min_in 0: the first inputs are optional ("") yet positional; infer checks the count */
    {"Loop", 1, 0, -1, 1, MANY, loop_attrs, infer_loop},
    {"Scan", 8, 0, -1, 1, MANY, scan8_attrs, infer_scan8},
    {"Scan", 9, 1, -1, 1, MANY, scan9_attrs, infer_scan9},
    {0},
};
