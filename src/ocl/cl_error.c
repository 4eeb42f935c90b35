/* cl_error.c — OpenCL error codes as names, and the errors crosscheck reports for them. */
#include "ocl/cl.h"

const char *xc_cl_error_name(cl_int err)
{
    switch (err) {
        /* clang-format off */ /* the codes as a table */
#define E(x) case x: return #x;
    E(CL_DEVICE_NOT_FOUND) E(CL_DEVICE_NOT_AVAILABLE) E(CL_COMPILER_NOT_AVAILABLE)
    E(CL_MEM_OBJECT_ALLOCATION_FAILURE) E(CL_OUT_OF_RESOURCES) E(CL_OUT_OF_HOST_MEMORY)
    E(CL_PROFILING_INFO_NOT_AVAILABLE) E(CL_BUILD_PROGRAM_FAILURE) E(CL_INVALID_VALUE)
    E(CL_INVALID_DEVICE) E(CL_INVALID_CONTEXT) E(CL_INVALID_COMMAND_QUEUE) E(CL_INVALID_MEM_OBJECT)
    E(CL_INVALID_BINARY) E(CL_INVALID_BUILD_OPTIONS) E(CL_INVALID_PROGRAM) E(CL_INVALID_KERNEL_NAME)
    E(CL_INVALID_KERNEL) E(CL_INVALID_ARG_INDEX) E(CL_INVALID_ARG_VALUE) E(CL_INVALID_ARG_SIZE)
    E(CL_INVALID_KERNEL_ARGS) E(CL_INVALID_WORK_DIMENSION) E(CL_INVALID_WORK_GROUP_SIZE)
    E(CL_INVALID_WORK_ITEM_SIZE) E(CL_INVALID_GLOBAL_OFFSET) E(CL_INVALID_EVENT_WAIT_LIST)
    E(CL_INVALID_EVENT) E(CL_INVALID_OPERATION) E(CL_INVALID_BUFFER_SIZE) E(CL_INVALID_GLOBAL_WORK_SIZE)
    E(CL_INVALID_PLATFORM) E(CL_INVALID_PROGRAM_EXECUTABLE) E(CL_MISALIGNED_SUB_BUFFER_OFFSET)
#undef E
    case -1001: return "CL_PLATFORM_NOT_FOUND_KHR";
    /* clang-format on */
    default: return "CL_UNKNOWN_ERROR";
    }
}

/* What to do about running out: the three things that shrink what the engine allocates. */
#define XC_OOM_HINT "try a smaller batch (--input-shapes), --fp16, or fewer --queues"

xc_status xc_cl_fail(cl_int err, const char *what)
{
    switch (err) {
    case CL_MEM_OBJECT_ALLOCATION_FAILURE:
    case CL_OUT_OF_RESOURCES:
    case CL_OUT_OF_HOST_MEMORY:
        return xc_fail(XC_ERR_NOMEM, "%s: %s (%d): out of device memory (" XC_OOM_HINT ")", what, xc_cl_error_name(err), err);
    case CL_INVALID_BUFFER_SIZE:
        return xc_fail(XC_ERR_NOMEM, "%s: %s (%d): a buffer is larger than the device can allocate (" XC_OOM_HINT ")", what,
                       xc_cl_error_name(err), err);
    case CL_DEVICE_NOT_AVAILABLE:
    case CL_DEVICE_NOT_FOUND:
        /* a device that answered at start-up and no longer does: reset, removed, or taken exclusively */
        return xc_fail(XC_ERR_RUNTIME,
                       "%s: %s (%d): the OpenCL device was lost or is unavailable (driver reset, device removed "
                       "or in exclusive use by another process); check 'crosscheck inspect devices'",
                       what, xc_cl_error_name(err), err);
    default: return xc_fail(XC_ERR_RUNTIME, "%s: %s (%d)", what, xc_cl_error_name(err), err);
    }
}

xc_status xc_cl_too_big(size_t bytes, size_t limit, const char *what)
{
    return xc_fail(XC_ERR_NOMEM, "%s: a buffer of %zu bytes is larger than the device can allocate (%zu bytes) (" XC_OOM_HINT ")",
                   what, bytes, limit);
}
