/* conv_geom.h — sliding-window geometry shared by Conv, ConvTranspose and the pooling ops.
 *
 * One place turns kernel_shape / strides / dilations / pads / auto_pad / ceil_mode (and, for
 * ConvTranspose, output_padding / output_shape) into per-axis pads and output sizes. Schemas
 * call it for shape inference and the reference kernels call it again for the pads, so the
 * two can never disagree. Sizes that are unknown at load time are -1 and propagate. */
#ifndef XC_CONV_GEOM_H
#define XC_CONV_GEOM_H
#include "schema.h"

#define XC_MAX_SPATIAL (XC_MAX_RANK - 2)

typedef struct xc_window {
    int nsp;                        /* number of spatial axes */
    int64_t in[XC_MAX_SPATIAL];     /* input size (-1 unknown) */
    int64_t kernel[XC_MAX_SPATIAL]; /* kernel size (-1 unknown) */
    int64_t stride[XC_MAX_SPATIAL], dilation[XC_MAX_SPATIAL];
    int64_t pad_begin[XC_MAX_SPATIAL]; /* -1 unknown; negative pads only for ConvTranspose */
    int64_t pad_end[XC_MAX_SPATIAL];   /* as declared or derived, without ceil_mode's extension */
    int64_t out[XC_MAX_SPATIAL];       /* output size (-1 unknown) */
} xc_window;

/* Geometry of a forward window op (Conv, pools) over nsp spatial axes with input sizes in.
 * weight_kernel: the kernel sizes W implies (Conv), or NULL where kernel_shape is the only
 * source (pools). Fails with XC_ERR_MODEL naming the node on malformed attributes, a kernel
 * that disagrees with W, or an input too small for the window. */
xc_status xc_window_forward(const xc_node *n, int nsp, const int64_t *in, const int64_t *weight_kernel, xc_window *w);
/* Geometry of ConvTranspose (output_padding, output_shape, auto_pad as the ONNX spec says). */
xc_status xc_window_transpose(const xc_node *n, int nsp, const int64_t *in, const int64_t *weight_kernel, xc_window *w);
/* Prepends axes of size 1 (kernel 1, stride 1, dilation 1, no pads) until w has nsp axes, so a
 * kernel can run every rank through the same fixed-depth loops. */
void xc_window_lift(xc_window *w, int nsp);
/* Conv's attributes (auto_pad, dilations, group, kernel_shape, pads, strides): the schema of
 * Conv and of the quantized convolutions (ConvInteger, QLinearConv) that take the same ones. */
extern const xc_attr_spec xc_conv_attrs[];

#endif
