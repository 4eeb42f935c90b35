/* cl.h — the OpenCL headers at the 1.2 API level (what NVIDIA's and PoCL's drivers both serve),
 * and the helper that turns a CL error code into crosscheck's one-line error. */
#ifndef XC_OCL_CL_H
#define XC_OCL_CL_H
#define CL_TARGET_OPENCL_VERSION 120
#define CL_USE_DEPRECATED_OPENCL_1_2_APIS
#include <CL/cl.h>
#include "error.h"

const char *xc_cl_error_name(cl_int err);
/* Fails with XC_ERR_RUNTIME: "<what>: CL_INVALID_VALUE (-30)". Allocation failures
 * (CL_MEM_OBJECT_ALLOCATION_FAILURE, CL_OUT_OF_RESOURCES, CL_OUT_OF_HOST_MEMORY,
 * CL_INVALID_BUFFER_SIZE) fail with XC_ERR_NOMEM and a hint (smaller batch, --fp16, fewer
 * --queues); CL_DEVICE_NOT_AVAILABLE / CL_DEVICE_NOT_FOUND say the device was lost. */
xc_status xc_cl_fail(cl_int err, const char *what);
/* The out-of-device-memory failure for a buffer over the device's allocation limit. */
xc_status xc_cl_too_big(size_t bytes, size_t limit, const char *what);
#define XC_CL_TRY(call, what)                                                                                                    \
    do {                                                                                                                         \
        cl_int e_ = (call);                                                                                                      \
        if (e_ != CL_SUCCESS) return xc_cl_fail(e_, what);                                                                       \
    } while (0)
#endif
