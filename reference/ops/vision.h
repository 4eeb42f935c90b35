/* vision.h — the reference kernels of the detection and sampling ops, one file each
 * (nms.c, roi_align.c, max_roi_pool.c, grid_sample.c, affine_grid.c, deform_conv.c, col2im.c,
 * center_crop_pad.c, max_unpool.c); vision.c lists them. Their schemas are src/ops/vision.c. */
#ifndef XC_REF_VISION_H
#define XC_REF_VISION_H
#include "ref.h"

xc_status xc_ref_non_max_suppression(xc_ref_args *a);
xc_status xc_ref_roi_align(xc_ref_args *a);
xc_status xc_ref_max_roi_pool(xc_ref_args *a);
xc_status xc_ref_grid_sample(xc_ref_args *a);
xc_status xc_ref_affine_grid(xc_ref_args *a);
xc_status xc_ref_deform_conv(xc_ref_args *a);
xc_status xc_ref_col2im(xc_ref_args *a);
xc_status xc_ref_center_crop_pad(xc_ref_args *a);
xc_status xc_ref_max_unpool(xc_ref_args *a);

#endif
