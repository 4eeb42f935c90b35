/* activation.c — lookups over the activation table (activation.h) and the OpenCL text made
 * from its rows: expressions with exact float literals, and the epilogue prelude. */
#include "ocl/activation.h"
#include "ocl/engine.h"
#include "ops/clip_bounds.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

#define XC_ACT_ROW_(id, op, an, ad, bn, bd, fuses, expr) {XC_ACT_##id, #id, op, an, bn, ad, bd, fuses, expr},
static const xc_activation_def table[] = {XC_ACTIVATION_TABLE(XC_ACT_ROW_)};
#undef XC_ACT_ROW_

const xc_activation_def *xc_activation_get(xc_activation a)
{
    return (unsigned)a < sizeof table / sizeof *table ? &table[a] : NULL;
}

const xc_activation_def *xc_activation_of_node(const xc_node *n)
{
    if (n->domain[0]) return NULL;
    for (size_t k = 0; k < sizeof table / sizeof *table; k++)
        if (table[k].op && !strcmp(table[k].op, n->op_type)) return &table[k];
    return NULL;
}

/* The one-element float constant feeding input i of n: 1 with *v set, 0 when absent, -1 when
 * present but not such a constant. */
static int const_input(const xc_engine *e, const xc_node *n, int i, double *v)
{
    if (i >= n->n_inputs || !n->inputs[i][0]) return 0;
    int t = xc_names_get(&e->tensor_index, n->inputs[i]);
    const float *p = t >= 0 ? xc_et_const_f32(&e->tensors[t]) : NULL;
    if (!p || xc_et_numel(&e->tensors[t]) != 1) return -1;
    *v = p[0];
    return 1;
}

int xc_activation_params(const xc_engine *e, const xc_node *n, const xc_activation_def *d, float *alpha, float *beta)
{
    *alpha = d->alpha ? xc_attr_float(n, d->alpha, d->alpha_default) : d->alpha_default;
    *beta = d->beta ? xc_attr_float(n, d->beta, d->beta_default) : d->beta_default;
    if (d->id != XC_ACT_CLIP) return 1;
    double in[2], lo, hi;
    int has[2];
    for (int k = 0; k < 2; k++) {
        has[k] = n->opset >= 11 ? const_input(e, n, k + 1, &in[k]) : 0;
        if (has[k] < 0) return 0; /* bounds computed at run time */
    }
    xc_clip_bounds(n, has[0] ? &in[0] : NULL, has[1] ? &in[1] : NULL, &lo, &hi);
    *alpha = (float)lo;
    *beta = (float)hi;
    return 1;
}

int xc_activation_fusable(const xc_engine *e, const xc_layer *l, xc_activation *act, float *alpha, float *beta)
{
    const xc_activation_def *d = l->dead || l->n_nodes != 1 ? NULL : xc_activation_of_node(l->node);
    float a, b;
    if (!d || !d->fuses || !xc_activation_params(e, l->node, d, &a, &b)) return 0;
    *act = d->id;
    *alpha = a;
    *beta = b;
    return 1;
}

/* An OpenCL literal that is exactly v: %.8e round-trips every float, the f suffix keeps it
 * float, and the non-finite values have no literal of their own. */
static int float_literal(char *buf, size_t len, float v)
{
    if (isnan(v)) return snprintf(buf, len, "NAN");
    if (isinf(v)) return snprintf(buf, len, v > 0 ? "INFINITY" : "(-INFINITY)");
    return snprintf(buf, len, "(%.8ef)", v);
}

size_t xc_cl_expr(char *buf, size_t len, const char *expr, const char *a, const char *b, float alpha, float beta)
{
    size_t o = 0;
    char lit[48];
    for (const char *s = expr; *s; s++) {
        const char *piece = lit;
        if (*s == 'A')
            piece = a;
        else if (*s == 'B')
            piece = b ? b : "";
        else if (!strncmp(s, "$alpha", 6))
            float_literal(lit, sizeof lit, alpha), s += 5;
        else if (!strncmp(s, "$beta", 5))
            float_literal(lit, sizeof lit, beta), s += 4;
        else
            lit[0] = *s, lit[1] = 0;
        o += (size_t)snprintf(buf + (o < len ? o : len), o < len ? len - o : 0, "%s", piece);
    }
    if (len) buf[o < len ? o : len - 1] = 0;
    return o;
}

size_t xc_activation_prelude(char *buf, size_t len, xc_activation a, float alpha, float beta)
{
    const xc_activation_def *d = xc_activation_get(a);
    if (len) buf[0] = 0;
    if (!d || a == XC_ACT_NONE) return 0;
    size_t o = (size_t)snprintf(buf, len, "#define XC_ACTIVATE(A) ");
    o += xc_cl_expr(buf + (o < len ? o : len), o < len ? len - o : 0, d->expr, "(A)", NULL, alpha, beta);
    o += (size_t)snprintf(buf + (o < len ? o : len), o < len ? len - o : 0, "\n");
    return o;
}
