/* conv_geom.c — the one implementation of sliding-window arithmetic (pads, auto_pad, ceil_mode,
 * output sizes) used by Conv, ConvTranspose and the pooling ops, at load and at run time. */
#include "conv_geom.h"
#include "checked.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef enum { PAD_NOTSET, PAD_SAME_UPPER, PAD_SAME_LOWER, PAD_VALID } auto_pad;

/* Python-style floor division: the spec's pad split is written for it and must hold for the
 * negative total padding an enlarging ConvTranspose output_shape gives. */
static int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }
static int64_t ceil_div(int64_t a, int64_t b) { return -floor_div(-a, b); }

/* Reads an INTS attribute of exactly count values, each >= min; fills def when it is absent. */
static xc_status read_ints(const xc_node *n, const char *name, int count, int64_t min, int64_t def, int64_t *out)
{
    const int64_t *v;
    size_t len;
    if (!xc_attr_ints(n, name, &v, &len)) {
        for (int k = 0; k < count; k++) out[k] = def;
        return XC_OK;
    }
    if (len != (size_t)count) return xc_node_fail(n, XC_ERR_MODEL, "%s has %zu values, expected %d", name, len, count);
    for (int k = 0; k < count; k++) {
        if (v[k] < min)
            return xc_node_fail(n, XC_ERR_MODEL, "%s[%d] is %lld, must be >= %lld", name, k, (long long)v[k], (long long)min);
        out[k] = v[k];
    }
    return XC_OK;
}

static xc_status read_auto_pad(const xc_node *n, auto_pad *ap)
{
    static const char *const names[] = {"NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"};
    const char *s = xc_attr_string(n, "auto_pad", "NOTSET");
    if (!s[0]) s = "NOTSET"; /* some old exporters write an empty string */
    for (int k = 0; k < 4; k++)
        if (!strcmp(s, names[k])) {
            *ap = (auto_pad)k;
            return XC_OK;
        }
    return xc_node_fail(n, XC_ERR_MODEL, "auto_pad '%s' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID", s);
}

/* kernel_shape when given (checked against W's), else W's spatial dims. */
static xc_status read_kernel(const xc_node *n, int nsp, const int64_t *weight_kernel, int64_t *k)
{
    if (!xc_node_attr(n, "kernel_shape")) {
        if (!weight_kernel) return xc_node_fail(n, XC_ERR_MODEL, "kernel_shape is missing");
        memcpy(k, weight_kernel, sizeof *k * nsp);
        return XC_OK;
    }
    XC_TRY(read_ints(n, "kernel_shape", nsp, 1, 1, k));
    for (int a = 0; weight_kernel && a < nsp; a++)
        if (weight_kernel[a] >= 0 && weight_kernel[a] != k[a])
            return xc_node_fail(n, XC_ERR_MODEL, "kernel_shape[%d] is %lld but W has %lld", a, (long long)k[a],
                                (long long)weight_kernel[a]);
    return XC_OK;
}

/* The attributes every window op shares; pads are the declared ones (zero under VALID). */
static xc_status read_common(const xc_node *n, int nsp, const int64_t *in, const int64_t *weight_kernel, xc_window *w,
                             auto_pad *ap)
{
    if (nsp < 1 || nsp > XC_MAX_SPATIAL) return xc_node_fail(n, XC_ERR_MODEL, "%d spatial axes are not supported", nsp);
    int64_t pads[2 * XC_MAX_SPATIAL];
    w->nsp = nsp;
    memcpy(w->in, in, sizeof *in * nsp);
    XC_TRY(read_auto_pad(n, ap));
    XC_TRY(read_kernel(n, nsp, weight_kernel, w->kernel));
    XC_TRY(read_ints(n, "strides", nsp, 1, 1, w->stride));
    XC_TRY(read_ints(n, "dilations", nsp, 1, 1, w->dilation));
    XC_TRY(read_ints(n, "pads", 2 * nsp, 0, 0, pads));
    for (int a = 0; a < nsp; a++) {
        w->pad_begin[a] = *ap == PAD_VALID ? 0 : pads[a];
        w->pad_end[a] = *ap == PAD_VALID ? 0 : pads[nsp + a];
    }
    return XC_OK;
}

/* Dilated extent of the kernel along axis a, -1 when the kernel is unknown. */
static xc_status window_span(const xc_node *n, const xc_window *w, int a, int64_t *span)
{
    *span = -1;
    if (w->kernel[a] < 0) return XC_OK;
    XC_TRY(xc_mul_i64(n, "dilated kernel extent", w->dilation[a], w->kernel[a] - 1, span));
    return xc_add_i64(n, "dilated kernel extent", *span, 1, span);
}

static xc_status forward_axis(const xc_node *n, int a, auto_pad ap, int ceil_mode, xc_window *w)
{
    int64_t in = w->in[a], s = w->stride[a], span, t;
    XC_TRY(window_span(n, w, a, &span));
    if (ap == PAD_SAME_UPPER || ap == PAD_SAME_LOWER) {
        w->out[a] = in < 0 ? -1 : ceil_div(in, s);
        if (in < 0 || span < 0) {
            w->pad_begin[a] = w->pad_end[a] = -1;
            return XC_OK;
        }
        int64_t total;
        XC_TRY(xc_mul_i64(n, "SAME padding", w->out[a] - 1, s, &t));
        XC_TRY(xc_add_i64(n, "SAME padding", t, span - in, &total)); /* span >= 1, in >= 0: no overflow */
        if (total < 0) total = 0;
        w->pad_begin[a] = ap == PAD_SAME_UPPER ? total / 2 : total - total / 2;
        w->pad_end[a] = total - w->pad_begin[a];
        return XC_OK;
    }
    if (in < 0 || span < 0) {
        w->out[a] = -1;
        return XC_OK;
    }
    int64_t padded, room;
    XC_TRY(xc_add_i64(n, "padded input size", in, w->pad_begin[a], &padded));
    XC_TRY(xc_add_i64(n, "padded input size", padded, w->pad_end[a], &padded));
    room = padded - span; /* both >= 0 */
    if (room < 0)
        return xc_node_fail(n, XC_ERR_MODEL, "spatial axis %d: padded input size %lld is smaller than the window %lld", a,
                            (long long)padded, (long long)span);
    XC_TRY(xc_add_i64(n, "output size", ceil_mode ? ceil_div(room, s) : room / s, 1, &w->out[a]));
    /* ceil_mode never starts a window inside the end padding (PyTorch's and ORT's rule); the
     * last window starts at (out - 1) * s <= room + s - 1, which may not fit in int64 */
    if (ceil_mode && (__builtin_mul_overflow(w->out[a] - 1, s, &t) || t >= in + w->pad_begin[a])) w->out[a]--;
    return XC_OK;
}

xc_status xc_window_forward(const xc_node *n, int nsp, const int64_t *in, const int64_t *weight_kernel, xc_window *w)
{
    auto_pad ap;
    XC_TRY(read_common(n, nsp, in, weight_kernel, w, &ap));
    int ceil_mode = xc_attr_int(n, "ceil_mode", 0) != 0;
    for (int a = 0; a < nsp; a++) XC_TRY(forward_axis(n, a, ap, ceil_mode, w));
    return XC_OK;
}

/* output_shape lists the spatial sizes; some exporters prepend N and C, which are dropped. */
static xc_status read_output_shape(const xc_node *n, int nsp, int64_t *shape, int *given)
{
    const int64_t *v;
    size_t len;
    *given = xc_attr_ints(n, "output_shape", &v, &len);
    if (!*given) return XC_OK;
    if (len != (size_t)nsp && len != (size_t)nsp + 2)
        return xc_node_fail(n, XC_ERR_MODEL, "output_shape has %zu values, expected %d", len, nsp);
    for (int a = 0; a < nsp; a++) {
        shape[a] = v[len - nsp + a];
        if (shape[a] < 1) return xc_node_fail(n, XC_ERR_MODEL, "output_shape[%d] is %lld", a, (long long)shape[a]);
    }
    return XC_OK;
}

xc_status xc_window_transpose(const xc_node *n, int nsp, const int64_t *in, const int64_t *weight_kernel, xc_window *w)
{
    auto_pad ap;
    int64_t out_pad[XC_MAX_SPATIAL], shape[XC_MAX_SPATIAL];
    int given;
    XC_TRY(read_common(n, nsp, in, weight_kernel, w, &ap));
    XC_TRY(read_ints(n, "output_padding", nsp, 0, 0, out_pad));
    XC_TRY(read_output_shape(n, nsp, shape, &given));
    for (int a = 0; a < nsp; a++) { /* a larger one adds output rows no input reaches; ONNX Runtime refuses it too */
        int64_t most = w->stride[a] > w->dilation[a] ? w->stride[a] : w->dilation[a];
        if (out_pad[a] >= most)
            return xc_node_fail(n, XC_ERR_MODEL, "output_padding[%d] is %lld, must be less than max(stride, dilation) = %lld", a,
                                (long long)out_pad[a], (long long)most);
    }
    for (int a = 0; a < nsp; a++) {
        int64_t s = w->stride[a], span, full = -1;
        XC_TRY(window_span(n, w, a, &span));
        if (w->in[a] >= 0 && span >= 0) { /* output before padding: s * (in - 1) + output_padding + span */
            XC_TRY(xc_mul_i64(n, "ConvTranspose output size", s, w->in[a] - 1, &full));
            XC_TRY(xc_add_i64(n, "ConvTranspose output size", full, out_pad[a], &full));
            XC_TRY(xc_add_i64(n, "ConvTranspose output size", full, span, &full));
        }
        if (given || ap == PAD_SAME_UPPER || ap == PAD_SAME_LOWER) {
            /* the pads are whatever turns the full output into the requested one */
            w->out[a] = -1;
            if (given)
                w->out[a] = shape[a];
            else if (w->in[a] >= 0)
                XC_TRY(xc_mul_i64(n, "SAME output size", w->in[a], s, &w->out[a]));
            if (full < 0 || w->out[a] < 0) {
                w->pad_begin[a] = w->pad_end[a] = -1;
                continue;
            }
            int64_t total = full - w->out[a];
            w->pad_begin[a] = ap == PAD_SAME_UPPER ? floor_div(total, 2) : total - floor_div(total, 2);
            w->pad_end[a] = total - w->pad_begin[a];
            continue;
        }
        w->out[a] = -1;
        if (full >= 0) { /* pads are >= 0 here */
            XC_TRY(xc_sub_i64(n, "ConvTranspose output size", full, w->pad_begin[a], &w->out[a]));
            XC_TRY(xc_sub_i64(n, "ConvTranspose output size", w->out[a], w->pad_end[a], &w->out[a]));
        }
        if (full >= 0 && w->out[a] < 1)
            return xc_node_fail(n, XC_ERR_MODEL, "spatial axis %d: pads %lld+%lld leave no output", a, (long long)w->pad_begin[a],
                                (long long)w->pad_end[a]);
    }
    return XC_OK;
}

void xc_window_lift(xc_window *w, int nsp)
{
    int lead = nsp - w->nsp;
    if (lead <= 0) return;
    for (int a = nsp - 1; a >= 0; a--) {
        int src = a - lead;
        w->in[a] = src < 0 ? 1 : w->in[src];
        w->kernel[a] = src < 0 ? 1 : w->kernel[src];
        w->stride[a] = src < 0 ? 1 : w->stride[src];
        w->dilation[a] = src < 0 ? 1 : w->dilation[src];
        w->pad_begin[a] = src < 0 ? 0 : w->pad_begin[src];
        w->pad_end[a] = src < 0 ? 0 : w->pad_end[src];
        w->out[a] = src < 0 ? 1 : w->out[src];
    }
    w->nsp = nsp;
}
