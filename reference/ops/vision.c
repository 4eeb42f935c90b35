/* vision.c — the kernel table of the detection and sampling ops (one file per op, see vision.h). */
#include "vision.h"

const xc_ref_kernel xc_ref_vision[] = {
    {"NonMaxSuppression", xc_ref_non_max_suppression},
    {"RoiAlign", xc_ref_roi_align},
    {"MaxRoiPool", xc_ref_max_roi_pool},
    {"GridSample", xc_ref_grid_sample},
    {"AffineGrid", xc_ref_affine_grid},
    {"DeformConv", xc_ref_deform_conv},
    {"Col2Im", xc_ref_col2im},
    {"CenterCropPad", xc_ref_center_crop_pad},
    {"MaxUnpool", xc_ref_max_unpool},
    {0},
};
