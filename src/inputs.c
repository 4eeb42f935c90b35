/* inputs.c — deterministic input data: splitmix64 seeded by (seed, input name). */
#include "inputs.h"
#include <errno.h>
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
        return xc_fail(XC_ERR_UNSUPPORTED, "input '%s' has dtype %s, which crosscheck cannot generate", v->name, xc_dtype_name(t));
    xc_status s = xc_tensor_new(t, rank, dims, out);
    if (s != XC_OK) return xc_error_prefix(s, "input '%s': ", v->name);
    double lo = spec->lo, hi = spec->hi;
    int64_t ilo = 0, ihi = spec->int_hi;
    for (int pass = 0; pass < 2; pass++) /* global ranges first, so a named one wins */
        for (int i = 0; i < spec->n_ranges; i++) {
            const xc_val_range *r = &spec->ranges[i];
            if (pass == 0 ? r->name != NULL : !r->name || strcmp(r->name, v->name)) continue;
            lo = r->lo, hi = r->hi;
            ilo = (int64_t)ceil(r->lo), ihi = (int64_t)floor(r->hi);
        }
    if (!xc_dtype_is_float(t) && t != XC_BOOL && ihi < ilo)
        return xc_fail(XC_ERR_USAGE, "--val-range for '%s' holds no integer", v->name);
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
            xc_store_i64(t, (*out)->data, i, ilo + (int64_t)(r % (uint64_t)(ihi - ilo + 1)));
        }
    }
    return xc_tensor_set_name(*out, v->name);
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
    while (*p && *p != ']') {
        if (out->rank == XC_MAX_RANK) return xc_fail(XC_ERR_USAGE, "input shape for '%s' has more than %d dims", text, XC_MAX_RANK);
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
