/* tolerance_spec.c — per-tensor tolerances and the dtype-aware defaults (see the header). */
#include "tolerance_spec.h"
#include <errno.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const stat_names[] = {"elemwise", "max", "mean", "median", "quantile"};

const char *xc_check_stat_name(xc_check_stat s) { return stat_names[s]; }

xc_tolerance_spec xc_tolerance_spec_default(void)
{
    xc_tolerance_spec s;
    memset(&s, 0, sizeof s);
    s.preset = XC_TOL_AUTO;
    s.rule = XC_RULE_POLYGRAPHY;
    return s;
}

static xc_status parse_value(const char *option, const char *v, double *out)
{
    if (!strcmp(option, "check-error-stat")) {
        for (int k = 0; k < 5; k++)
            if (!strcmp(v, stat_names[k])) {
                *out = k;
                return XC_OK;
            }
        return xc_fail(XC_ERR_USAGE, "--check-error-stat: '%s' is not one of elemwise, max, mean, median, quantile", v);
    }
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (end == v || *end || errno || !isfinite(d) || d < 0)
        return xc_fail(XC_ERR_USAGE, "--%s: '%s' is not a non-negative number", option, v);
    if (!strcmp(option, "error-quantile") && d > 1) return xc_fail(XC_ERR_USAGE, "--error-quantile: %s is not in [0, 1]", v);
    *out = d;
    return XC_OK;
}

char *xc_split_tensor_name(char *text, const char **name)
{
    char *colon = strrchr(text, ':');
    *name = NULL;
    if (!colon) return text;
    *colon = 0;
    *name = text;
    return colon + 1;
}

xc_status xc_tolerance_spec_add(xc_tolerance_spec *s, const char *option, char *text)
{
    xc_tol_entry *list;
    int *n;
    if (!strcmp(option, "atol"))
        list = s->atol, n = &s->n_atol;
    else if (!strcmp(option, "rtol"))
        list = s->rtol, n = &s->n_rtol;
    else if (!strcmp(option, "check-error-stat"))
        list = s->stat, n = &s->n_stat;
    else if (!strcmp(option, "error-quantile"))
        list = s->quantile, n = &s->n_quantile;
    else
        return xc_fail(XC_ERR_INTERNAL, "unknown tolerance option %s", option);
    if (*n == XC_MAX_TOL_ENTRIES) return xc_fail(XC_ERR_USAGE, "--%s given more than %d times", option, XC_MAX_TOL_ENTRIES);
    xc_tol_entry e = {NULL, 0};
    char *value = xc_split_tensor_name(text, &e.name);
    XC_TRY(parse_value(option, value, &e.value));
    list[(*n)++] = e;
    return XC_OK;
}

/* The entry for name (a named one wins over a global one); 0 if none. */
static int lookup(const xc_tol_entry *list, int n, const char *name, double *out)
{
    int found = 0;
    for (int i = 0; i < n; i++) {
        if (list[i].name && name && !strcmp(list[i].name, name)) {
            *out = list[i].value;
            return 1;
        }
        if (!list[i].name) {
            *out = list[i].value;
            found = 1;
        }
    }
    return found;
}

/* Sum of squares and count of the finite elements (of every tensor a sequence or optional holds). */
static void squares(const xc_tensor *t, double *sum, size_t *finite)
{
    for (int i = 0; i < t->n_items; i++) squares(t->items[i], sum, finite);
    size_t n = t->value == XC_VALUE_TENSOR ? xc_tensor_numel(t) : 0;
    for (size_t i = 0; i < n; i++) {
        double v = xc_load_f64(t->dtype, t->data, i);
        if (isfinite(v)) *sum += v * v, (*finite)++;
    }
}

static double rms(const xc_tensor *t)
{
    size_t finite = 0;
    double sum = 0;
    squares(t, &sum, &finite);
    return finite ? sqrt(sum / (double)finite) : 0;
}

/* The auto preset's tolerance for results of a 16-bit float format with unit roundoff u (half
 * an ulp of 1): 1e-2 for fp16 (u = 2^-11, about 20 roundings of slack), and the same count of
 * roundings for any other format (bf16, u = 2^-8: 8e-2). */
#define XC_HALF_RTOL(u) (1e-2 / 0x1p-11 * (u))

xc_tolerance xc_tolerance_for(const xc_tolerance_spec *s, const char *name, const xc_tensor *ref, int math, int depth)
{
    int fp16 = math == XC_MATH_FP16, bf16 = math == XC_MATH_BF16, tf32 = math == XC_MATH_TF32;
    /* how far the rounding errors of depth layers grow one layer's (TF32) or the base's (16-bit) */
    const double tf32_rtol = XC_TF32_RTOL * sqrt(depth > 1 ? depth : 1),
                 half_growth = sqrt(depth > XC_HALF_FREE_LAYERS ? (double)depth / XC_HALF_FREE_LAYERS : 1);
    xc_tolerance t = xc_tolerance_default();
    t.rule = s->rule;
    t.half_storage = fp16 || ref->dtype == XC_FLOAT16;
    t.ref_rms = rms(ref);
    if (s->preset == XC_TOL_AUTO) {
        double base;
        switch (ref->dtype) {
        case XC_DOUBLE: base = 1e-10; break;
        case XC_FLOAT:
            base = fp16   ? XC_HALF_RTOL(0x1p-11) * half_growth
                   : bf16 ? XC_HALF_RTOL(0x1p-8) * half_growth
                   : tf32 ? tf32_rtol
                          : 1e-4;
            break;
        case XC_FLOAT16: base = XC_HALF_RTOL(0x1p-11) * half_growth; break;
        case XC_BFLOAT16: base = 5e-2; break;
        default: base = 0; break;
        }
        if (tf32 && ref->dtype == XC_FLOAT) t.rounded_layers = depth > 1 ? depth : 1;
        if ((((fp16 || bf16) && ref->dtype == XC_FLOAT) || ref->dtype == XC_FLOAT16) && depth > XC_HALF_FREE_LAYERS)
            t.rounded_layers = depth; /* grown past the base */
        if (base > 0) {
            double r = t.ref_rms;
            t.atol_base = base;
            t.atol_rms = r;
            t.atol = r > 0 ? base * r : base;
        } else {
            t.atol = 0;
        }
        t.rtol = base;
    } else {
        t.equal_nan = 0;
        t.equal_inf = s->infinities_equal;
    }
    if (lookup(s->atol, s->n_atol, name, &t.atol)) t.atol_base = t.atol_rms = 0;
    lookup(s->rtol, s->n_rtol, name, &t.rtol);
    double v;
    if (lookup(s->stat, s->n_stat, name, &v)) t.stat = (xc_check_stat)(int)v;
    if (lookup(s->quantile, s->n_quantile, name, &v)) t.quantile = v;
    return t;
}

/* Half precision's smallest normal number, 2^-14: below it fp16 keeps fewer than 11 bits, and
 * below 2^-24 nothing at all. */
#define XC_HALF_MIN_NORMAL 6.103515625e-05

int xc_tolerance_half_underflow(const xc_tolerance *t)
{
    return t->half_storage && t->ref_rms > 0 && t->ref_rms < XC_HALF_MIN_NORMAL;
}

int xc_tolerance_spec_arg(const xc_tolerance_spec *s, int i, const char **option, xc_text *val)
{
    xc_text_clear(val);
    if (s->preset == XC_TOL_POLYGRAPHY && i-- == 0) {
        *option = "--tolerance-preset";
        xc_text_printf(val, "polygraphy");
        return 1;
    }
    if (s->infinities_equal && i-- == 0) {
        *option = "--infinities-compare-equal";
        return 1;
    }
    if (s->rule == XC_RULE_ALLCLOSE && i-- == 0) {
        *option = "--allclose";
        return 1;
    }
    const struct {
        const char *option;
        const xc_tol_entry *list;
        int n;
    } lists[] = {{"--atol", s->atol, s->n_atol},
                 {"--rtol", s->rtol, s->n_rtol},
                 {"--check-error-stat", s->stat, s->n_stat},
                 {"--error-quantile", s->quantile, s->n_quantile}};
    for (int k = 0; k < 4; k++) {
        if (i >= lists[k].n) {
            i -= lists[k].n;
            continue;
        }
        const xc_tol_entry *e = &lists[k].list[i];
        char num[64];
        if (k == 2)
            snprintf(num, sizeof num, "%s", stat_names[(int)e->value]);
        else
            snprintf(num, sizeof num, "%.9g", e->value);
        *option = lists[k].option;
        xc_text_printf(val, "%s%s%s", e->name ? e->name : "", e->name ? ":" : "", num);
        return 1;
    }
    return 0;
}
