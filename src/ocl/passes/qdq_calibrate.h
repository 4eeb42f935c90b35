/* qdq_calibrate.h — activation ranges for implicit quantization (--int8): the min-max
 * calibrator runs the reference over each calibration input set and keeps max |value| of the
 * tensors asked for (or, with --calibrator entropy, TensorRT's KL-divergence threshold over a
 * 2048-bin histogram of |value|); the ranges are read from, or written to, a calibration cache (JSON):
 *   {"format": "crosscheck-calibration-1", "calibrator": "minmax" or "entropy", "sets": N,
 *    "ranges": {"tensor": amax, ...}}
 * as TensorRT's calibrators read and write theirs. */
#ifndef XC_OCL_QDQ_CALIBRATE_H
#define XC_OCL_QDQ_CALIBRATE_H
#include "ocl/engine.h"

/* amax[i] for tensors names[i] (ONNX names of model tensors): from the cache when it exists
 * (every name must be in it), else calibrated over o->calibration_data and written to the cache
 * when one is named. Fails naming what is missing when neither gives them. */
xc_status xq_calibration_ranges(const xc_model *m, const xc_ocl_build_options *o, const char *const *names, int n, float *amax);
#endif
