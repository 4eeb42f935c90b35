/* resize.c — the resize layer kind: linear and cubic Resize / Upsample on float tensors with
 * constant scales or sizes (nearest Resize is a movement view, movement_view.c). Tactic
 * resize.separable: per resized axis, the taps the reference uses (src/ops/resize_taps.c)
 * uploaded as an index table and a weight table, and one launch of kernels/resize.cl; partial
 * results between launches stay float, alternating between the two halves of the workspace.
 * tf_crop_and_resize (positions outside the input take an extrapolation value) is left to the
 * reference (--fallback-cpu). */
#include "ocl/engine.h"
#include "ops/plans.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The resize plan of layer l: options, per-axis scales and output sizes; 0 if the layer is not
 * one this kind runs. */
static int resize_plan(const xc_engine *e, const xc_layer *l, xc_resize_opts *o, double *scale, int64_t *out_dims)
{
    const xc_node *n = l->node;
    if ((strcmp(n->op_type, "Resize") && strcmp(n->op_type, "Upsample")) || n->domain[0] || l->n_out != 1 || l->in[0] < 0)
        return 0;
    const xc_etensor *x = &e->tensors[l->in[0]], *y = &e->tensors[l->out[0]];
    *o = xc_resize_opts_of(n);
    if (o->mode == XC_INTERP_NEAREST || o->coord == XC_COORD_TF_CROP_AND_RESIZE) return 0;
    if (x->dtype != XC_FLOAT || y->dtype != XC_FLOAT || x->value || x->rank != y->rank) return 0;
    if (xc_et_numel(x) >= (size_t)INT_MAX || xc_et_numel(y) >= (size_t)INT_MAX || !xc_et_numel(y)) return 0;
    const xc_tensor *vals[XC_LAYER_IO] = {NULL};
    for (int i = 1; i < l->n_in; i++) { /* roi, scales, sizes: constants only */
        if (l->in[i] >= 0 && !(vals[i] = e->tensors[l->in[i]].value)) return 0;
    }
    if (xc_resize_plan(n, x->rank, x->dims, vals, scale, out_dims) != XC_OK) {
        xc_error_clear();
        return 0;
    }
    return !memcmp(out_dims, y->dims, sizeof(int64_t) * (size_t)y->rank);
}

static int accepts(const xc_engine *e, const xc_layer *l)
{
    xc_resize_opts o;
    double scale[XC_MAX_RANK];
    int64_t out_dims[XC_MAX_RANK];
    return resize_plan(e, l, &o, scale, out_dims);
}

/* Uploads one axis' taps (of layer l) as an int index table and a float weight table, once. */
static xc_status upload_taps(xc_engine *e, const xc_layer *l, int axis, const xc_resize_taps *t, int64_t out, int *idx, int *w)
{
    char ikey[300], wkey[300];
    snprintf(ikey, sizeof ikey, "resize:%d:%s:%d:index", (int)(l - e->layers), l->name, axis);
    snprintf(wkey, sizeof wkey, "resize:%d:%s:%d:weight", (int)(l - e->layers), l->name, axis);
    xc_engine_find_derived(e, ikey, idx);
    xc_engine_find_derived(e, wkey, w);
    if (*idx >= 0 && *w >= 0) return XC_OK;
    size_t n = (size_t)out * (size_t)t->n;
    int *iv = malloc(n * sizeof *iv);
    float *wv = malloc(n * sizeof *wv);
    xc_status s = iv && wv ? XC_OK : xc_fail(XC_ERR_NOMEM, "out of memory");
    for (size_t k = 0; s == XC_OK && k < n; k++) {
        iv[k] = (int)t->src[k];
        wv[k] = (float)t->w[k];
    }
    if (s == XC_OK) s = xc_engine_add_derived(e, l, ikey, iv, n * sizeof *iv, idx);
    if (s == XC_OK) s = xc_engine_add_derived(e, l, wkey, wv, n * sizeof *wv, w);
    free(iv);
    free(wv);
    return s;
}

static xc_status separable_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    xc_resize_opts o;
    double scale[XC_MAX_RANK];
    int64_t out_dims[XC_MAX_RANK], dims[XC_MAX_RANK];
    if (!resize_plan(e, l, &o, scale, out_dims)) return xc_fail(XC_ERR_INTERNAL, "layer '%s': resize plan", l->name);
    const xc_etensor *x = &e->tensors[l->in[0]];
    int rank = x->rank, axes[XC_MAX_RANK], n_axes = 0;
    xc_resize_taps taps[XC_MAX_RANK] = {{0}};
    xc_status s = XC_OK;
    for (int k = 0; k < rank && s == XC_OK; k++) { /* the axes whose taps are not the identity */
        s = xc_resize_taps_build(&o, scale[k], x->dims[k], out_dims[k], NULL, &taps[k]);
        if (s == XC_OK && !xc_resize_taps_identity(&taps[k], x->dims[k], out_dims[k])) axes[n_axes++] = k;
    }
    if (s == XC_OK && n_axes == 0) axes[n_axes++] = rank - 1; /* scale 1 everywhere: still one (copying) launch */
    cl_program p = NULL;
    if (s == XC_OK) s = xc_layer_program(e, l, "resize.cl", NULL, defines, &p);
    /* the largest intermediate (every launch but the last writes one) sizes each workspace half */
    memcpy(dims, x->dims, sizeof(int64_t) * (size_t)rank);
    size_t half = 1;
    for (int a = 0; a < n_axes; a++) {
        dims[axes[a]] = out_dims[axes[a]];
        size_t numel = 1;
        for (int k = 0; k < rank; k++) numel *= (size_t)dims[k];
        if (a + 1 < n_axes && numel > half) half = numel;
    }
    l->workspace = n_axes > 1 ? 2 * half * sizeof(float) : 0;
    memcpy(dims, x->dims, sizeof(int64_t) * (size_t)rank);
    for (int a = 0; a < n_axes && s == XC_OK; a++) {
        int ax = axes[a], first = a == 0, last = a + 1 == n_axes, idx, w;
        s = upload_taps(e, l, ax, &taps[ax], out_dims[ax], &idx, &w);
        const char *kernel = first && last ? "resize_axis_tt"
                             : first       ? "resize_axis_tw"
                             : last        ? "resize_axis_wt"
                                           : "resize_axis_ww";
        xc_launch *k = s == XC_OK ? xc_layer_add_launch(l, p, kernel) : NULL;
        if (s == XC_OK && !k) s = xc_fail(XC_ERR_UNSUPPORTED, "layer '%s': too many resized axes", l->name);
        if (s != XC_OK) break;
        if (first)
            s = xc_launch_input(e, l, k, l->in[0]);
        else
            xc_launch_workspace(k);
        if (last)
            xc_launch_tensor(k, l->out[0]);
        else
            xc_launch_workspace(k);
        int64_t outer = 1, inner = 1;
        for (int j = 0; j < ax; j++) outer *= dims[j];
        for (int j = ax + 1; j < rank; j++) inner *= dims[j];
        int64_t in = dims[ax];
        dims[ax] = out_dims[ax];
        xc_launch_weight(k, idx);
        xc_launch_weight(k, w);
        xc_launch_int(k, first ? 0 : (int64_t)((a - 1) % 2 * half)); /* a reads what launch a - 1 wrote */
        xc_launch_int(k, last ? 0 : (int64_t)(a % 2 * half));
        size_t n = (size_t)(outer * dims[ax] * inner);
        xc_launch_int(k, (int64_t)n);
        xc_launch_int(k, in);
        xc_launch_int(k, dims[ax]);
        xc_launch_int(k, inner);
        xc_launch_int(k, taps[ax].n);
        size_t global = xc_round_up(n, XC_WG_DEFAULT), local = XC_WG_DEFAULT;
        xc_launch_range(k, 1, &global, &local);
    }
    for (int k = 0; k < rank; k++) xc_resize_taps_free(&taps[k]);
    return s;
}

static const xc_tactic separable = {"resize.separable", NULL, NULL, separable_prepare, NULL};
static const xc_tactic *const tactics[] = {&separable, NULL};
const xc_layer_kind xc_kind_resize = {"resize", accepts, tactics, 0};
