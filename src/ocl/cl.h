/* cl.h — the OpenCL headers at the 1.2 API level (what NVIDIA's and PoCL's drivers both serve),
 * and the helper that turns a CL error code into crosscheck's one-line error. */
#ifndef XC_OCL_CL_H
#define XC_OCL_CL_H
#define CL_TARGET_OPENCL_VERSION 120
#define CL_USE_DEPRECATED_OPENCL_1_2_APIS
#include <CL/cl.h>
#include "error.h"

const char *xc_cl_error_name(cl_int err);
/* Fails with XC_ERR_RUNTIME (XC_ERR_NOMEM for allocation failures, with a hint):
 * "<what>: CL_OUT_OF_RESOURCES (-5)". */
xc_status xc_cl_fail(cl_int err, const char *what);
#define XC_CL_TRY(call, what) do { cl_int e_ = (call); if (e_ != CL_SUCCESS) return xc_cl_fail(e_, what); } while (0)
#endif
