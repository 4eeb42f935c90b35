/* inputs.c — deterministic input data: splitmix64 seeded by (seed, input name). */
#include "inputs.h"
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

xc_input_spec xc_input_spec_default(void)
{
    xc_input_spec s = {1, 0.0, 1.0, 3, NULL, 0, NULL, 0};
    return s;
}

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t name_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    while (*s) h = (h ^ (unsigned char)*s++) * 1099511628211ull;
    return h;
}

/* The range values of dtype t can hold: [0,1e39] on float32 would make Inf inputs, and an
 * integer range past the dtype's would wrap (int64 and uint64 are drawn as int64). */
static void dtype_range(xc_dtype t, double *min, double *max)
{
    int bits = 8 * (int)xc_dtype_size(t);
    if (xc_dtype_is_float(t)) {
        *max = t == XC_DOUBLE     ? DBL_MAX / 2 /* hi - lo stays finite */
               : t == XC_FLOAT16  ? 65504.0
               : t == XC_BFLOAT16 ? 0x1.fep127
                                  : FLT_MAX;
        *min = -*max;
    } else if (bits >= 64) {
        *min = xc_dtype_is_signed(t) ? -0x1p63 : 0;
        *max = 0x1p63 - 1024; /* the largest double below 2^63 */
    } else {
        *min = xc_dtype_is_signed(t) ? -ldexp(1, bits - 1) : 0;
        *max = xc_dtype_is_signed(t) ? ldexp(1, bits - 1) - 1 : ldexp(1, bits) - 1;
    }
}

/* The range of values for input v: --val-range (a named one wins over a global one), else
 * [lo, hi) for floats and [0, int_hi] for integers. */
static xc_status input_range(const xc_value_info *v, const xc_input_spec *spec, double *lo, double *hi)
{
    int ranged = 0;
    for (int pass = 0; pass < 2; pass++) /* global ranges first, so a named one wins */
        for (int i = 0; i < spec->n_ranges; i++) {
            const xc_val_range *r = &spec->ranges[i];
            if (pass == 0 ? r->name != NULL : !r->name || strcmp(r->name, v->name)) continue;
            *lo = r->lo, *hi = r->hi, ranged = 1;
        }
    if (!ranged) {
        *lo = xc_dtype_is_float(v->dtype) ? spec->lo : 0;
        *hi = xc_dtype_is_float(v->dtype) ? spec->hi : (double)spec->int_hi;
    }
    if (v->dtype == XC_BOOL) return XC_OK;
    double min, max;
    dtype_range(v->dtype, &min, &max);
    if (*lo < min || *hi > max)
        return xc_fail(XC_ERR_USAGE, "--val-range [%g,%g] for input '%s' does not fit %s (%g to %g)", *lo, *hi, v->name,
                       xc_dtype_name(v->dtype), min, max);
    if (!xc_dtype_is_float(v->dtype) && floor(*hi) < ceil(*lo))
        return xc_fail(XC_ERR_USAGE, "--val-range for '%s' holds no integer", v->name);
    return XC_OK;
}

static xc_status generate_one(const xc_value_info *v, const xc_input_spec *spec, xc_tensor **out)
{
    int64_t dims[XC_MAX_RANK];
    int rank = v->rank < 0 ? 0 : v->rank;
    for (int k = 0; k < rank; k++) dims[k] = v->dims[k] < 0 ? 1 : v->dims[k];
    for (int i = 0; i < spec->n_shapes; i++) {
        if (strcmp(spec->shapes[i].name, v->name)) continue;
        if (v->rank >= 0 && spec->shapes[i].rank != v->rank)
            return xc_fail(XC_ERR_USAGE, "--input-shapes gives '%s' rank %d but the model says rank %d", v->name,
                           spec->shapes[i].rank, v->rank);
        rank = spec->shapes[i].rank;
        memcpy(dims, spec->shapes[i].dims, sizeof dims);
    }
    xc_dtype t = v->dtype;
    if (t == XC_UNDEFINED) return xc_fail(XC_ERR_MODEL, "input '%s' has no element type", v->name);
    if (!xc_dtype_supported(t))
        return xc_fail(XC_ERR_UNSUPPORTED, "input '%s' has dtype %s, which crosscheck cannot generate", v->name,
                       xc_dtype_name(t));
    double lo, hi;
    XC_TRY(input_range(v, spec, &lo, &hi));
    int64_t ilo = (int64_t)ceil(lo), ihi = (int64_t)floor(hi);
    xc_status s = xc_tensor_new(t, rank, dims, out);
    if (s != XC_OK) return xc_error_prefix(s, "input '%s': ", v->name);
    uint64_t state = spec->seed ^ name_hash(v->name);
    size_t n = xc_tensor_numel(*out);
    for (size_t i = 0; i < n; i++) {
        uint64_t r = splitmix64(&state);
        if (xc_dtype_is_float(t)) {
            double u = (double)(r >> 11) * 0x1p-53;
            xc_store_f64(t, (*out)->data, i, lo + u * (hi - lo));
        } else if (t == XC_BOOL) {
            xc_store_i64(t, (*out)->data, i, (int64_t)(r & 1));
        } else {
            uint64_t span = (uint64_t)ihi - (uint64_t)ilo; /* no overflow over all of int64 */
            xc_store_i64(t, (*out)->data, i, (int64_t)((uint64_t)ilo + (span == UINT64_MAX ? r : r % (span + 1))));
        }
    }
    return xc_tensor_set_name(*out, v->name);
}

void xc_input_spec_warn_unused(const xc_graph *g, const xc_input_spec *spec)
{
    for (int i = 0; i < spec->n_ranges; i++) {
        int found = !spec->ranges[i].name;
        for (int k = 0; k < g->n_inputs && !found; k++) found = !strcmp(g->inputs[k].name, spec->ranges[i].name);
        if (!found) xc_warn("--val-range names '%s', which is not a graph input (ignored)", spec->ranges[i].name);
    }
}

xc_status xc_generate_inputs(const xc_graph *g, const xc_input_spec *spec, xc_tensor_list *out)
{
    for (int i = 0; i < spec->n_shapes; i++) {
        int found = 0;
        for (int k = 0; k < g->n_inputs; k++) found |= !strcmp(g->inputs[k].name, spec->shapes[i].name);
        if (!found) return xc_fail(XC_ERR_USAGE, "--input-shapes names '%s', which is not a graph input", spec->shapes[i].name);
    }
    for (int i = 0; i < g->n_inputs; i++) {
        if (!xc_graph_is_runtime_input(g, i)) continue;
        if (g->inputs[i].value != XC_VALUE_TENSOR) /* how many elements, of what shapes: nothing says */
            return xc_fail(XC_ERR_USAGE,
                           "input '%s' is a %s, which crosscheck cannot make up: give it with --load-inputs (a test_data_set or "
                           "a SequenceProto/OptionalProto .pb)",
                           g->inputs[i].name, xc_value_kind_name(g->inputs[i].value));
        xc_tensor *t;
        XC_TRY(generate_one(&g->inputs[i], spec, &t));
        XC_TRY(xc_tensor_list_push(out, t));
    }
    return XC_OK;
}

xc_status xc_parse_input_shape(char *text, xc_input_shape *out)
{
    char *colon = strrchr(text, ':');
    if (!colon || colon == text) return xc_fail(XC_ERR_USAGE, "input shape '%s' is not of the form name:[d0,d1,...]", text);
    *colon = 0;
    out->name = text;
    char *p = colon + 1;
    if (*p == '[') p++;
    out->rank = 0;
    if (!*p) return xc_fail(XC_ERR_USAGE, "input shape '%s:' gives no dimensions (a scalar is '%s:[]')", text, text);
    while (*p && *p != ']') {
        if (out->rank == XC_MAX_RANK)
            return xc_fail(XC_ERR_USAGE, "input shape for '%s' has more than %d dims", text, XC_MAX_RANK);
        char *end;
        errno = 0;
        long long d = strtoll(p, &end, 10);
        if (end == p || errno || d < 0) return xc_fail(XC_ERR_USAGE, "input shape for '%s': bad dimension '%s'", text, p);
        out->dims[out->rank++] = d;
        p = end;
        if (*p == ',' || *p == 'x') p++;
    }
    if (*p == ']') p++;
    if (*p) return xc_fail(XC_ERR_USAGE, "input shape for '%s': unexpected '%s'", text, p);
    return XC_OK;
}

xc_status xc_parse_val_range(char *text, xc_val_range *out)
{
    char *open = strchr(text, '[');
    out->name = NULL;
    if (!open) return xc_fail(XC_ERR_USAGE, "--val-range '%s' is not of the form [name:][lo,hi]", text);
    if (open != text) {
        if (open[-1] != ':' || open - 1 == text)
            return xc_fail(XC_ERR_USAGE, "--val-range '%s' is not of the form [name:][lo,hi]", text);
        open[-1] = 0;
        out->name = text;
    }
    char *end;
    errno = 0;
    out->lo = strtod(open + 1, &end);
    if (end == open + 1 || *end != ',') return xc_fail(XC_ERR_USAGE, "--val-range: bad low bound in '%s'", open);
    char *p = end + 1;
    out->hi = strtod(p, &end);
    if (end == p || strcmp(end, "]") || errno) return xc_fail(XC_ERR_USAGE, "--val-range: bad high bound in '%s'", open);
    if (!isfinite(out->lo) || !isfinite(out->hi) || out->hi < out->lo)
        return xc_fail(XC_ERR_USAGE, "--val-range: [%g,%g] is not a finite range with lo <= hi", out->lo, out->hi);
    return XC_OK;
}
