/* device.h — OpenCL platforms and devices: listing, choosing, and one opened device with its
 * context. Ownership: xc_ocl_device_close() releases what xc_ocl_device_open() made. */
#ifndef XC_OCL_DEVICE_H
#define XC_OCL_DEVICE_H
#include "ocl/cl.h"
#include <cjson/cJSON.h>
#include <stddef.h>

typedef struct xc_ocl_device {
    cl_platform_id platform;
    cl_device_id id;
    cl_context context;
    char name[256], vendor[256], driver[256], platform_name[256], version[256];
    int is_gpu;
    size_t max_wg, local_mem, global_mem, max_alloc;
    size_t cache_bytes; /* CL_DEVICE_GLOBAL_MEM_CACHE_SIZE (0: not reported) */
    cl_uint compute_units;
    int nv_cc_major, nv_cc_minor; /* NVIDIA compute capability (cl_nv_device_attribute_query); 0 elsewhere */
    int index;                    /* position in the flat list of all devices */
} xc_ocl_device;

/* Opens a device. sel NULL or "": the first GPU, else the first device of any kind.
 * A number picks that index of `inspect devices`; any other text picks the one device whose
 * name, vendor or platform contains it (case-insensitive); none or several is a usage error
 * listing the devices. */
xc_status xc_ocl_device_open(const char *sel, xc_ocl_device **out);
void xc_ocl_device_close(xc_ocl_device *d);
/* How many devices this process has opened: a process that has used OpenCL must not fork
 * children that use it (the debug tools' --isolate forks before its first open). */
int xc_ocl_devices_opened(void);
/* clCreateBuffer with crosscheck's errors: a buffer over d->max_alloc (the device's largest
 * allocation, or CROSSCHECK_OCL_MAX_ALLOC when lower) fails up front; allocation failures say
 * "out of device memory" with a hint. what names the buffer's purpose in the message. */
xc_status xc_ocl_buffer(xc_ocl_device *d, cl_mem_flags flags, size_t bytes, void *host, const char *what, cl_mem *out);
/* Every platform and device, as JSON: [{platform, version, devices:[{index, name, vendor, type,
 * driver, version, compute_units, global_mem, local_mem, max_alloc, max_work_group, extensions}]}] */
xc_status xc_ocl_device_list(cJSON **out);
/* Whether d's compiler takes inline PTX: an NVIDIA GPU of compute capability 6.0 or newer
 * (f16 conversions in hardware); its programs are built with -DXC_PTX. */
int xc_ocl_device_ptx(const xc_ocl_device *d);
/* Whether d runs TF32 tensor-core tactics: an NVIDIA device of compute capability 8.0 or
 * newer (their kernels issue mma.sync through inline PTX, which only NVIDIA's compiler takes). */
int xc_ocl_device_tf32(const xc_ocl_device *d);
/* Whether d runs the wgmma tactics: compute capability 9.0 exactly (H100, H200), whose PTX
 * target sm_90a they are patched to (ocl/ptx_patch.h); sm_90a code runs on no other device. */
int xc_ocl_device_wgmma(const xc_ocl_device *d);
/* A string identifying device + driver, for cache keys and plans. */
const char *xc_ocl_device_key(const xc_ocl_device *d, char *buf, size_t len);
#endif
