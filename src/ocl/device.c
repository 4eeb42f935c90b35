/* device.c — enumerates OpenCL platforms/devices and opens the chosen one. */
#include "ocl/device.h"
#include "ocl/program.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tensor.h"

#define MAX_PLATFORMS 16
#define MAX_DEVICES 64

typedef struct found {
    cl_platform_id platform;
    cl_device_id device;
} found;

/* Address space an OpenCL driver needs to start and compile kernels. Drivers do not fail
 * cleanly without it: PoCL, under `ulimit -v`, reports no platform, aborts from a thread pool
 * or from LLVM's std::bad_alloc, or dies with SIGSEGV (measured here: a first compile of
 * small_cnn crashes with 800 MiB of address space and runs with 1000 MiB). */
#define DRIVER_ADDRESS_SPACE ((size_t)1 << 30)

/* All devices of all platforms, in platform order: the numbering `inspect devices` shows. */
static xc_status enumerate(found *list, int *n)
{
    cl_platform_id plats[MAX_PLATFORMS];
    cl_uint np = 0;
    *n = 0;
    XC_TRY(xc_need_address_space(DRIVER_ADDRESS_SPACE, "OpenCL")); /* refused before the driver is entered */
    cl_int err = clGetPlatformIDs(MAX_PLATFORMS, plats, &np);
    *n = 0;
    if (err == -1001 || (err == CL_SUCCESS && np == 0))
        return xc_fail(XC_ERR_RUNTIME,
                       "no OpenCL platform found (install pocl-opencl-icd, or a GPU driver's ICD in /etc/OpenCL/vendors)");
    if (err != CL_SUCCESS) return xc_cl_fail(err, "clGetPlatformIDs");
    for (cl_uint p = 0; p < np && p < MAX_PLATFORMS; p++) {
        cl_device_id devs[MAX_DEVICES];
        cl_uint nd = 0;
        if (clGetDeviceIDs(plats[p], CL_DEVICE_TYPE_ALL, MAX_DEVICES, devs, &nd) != CL_SUCCESS) continue;
        for (cl_uint d = 0; d < nd && *n < MAX_DEVICES; d++) {
            list[*n].platform = plats[p];
            list[(*n)++].device = devs[d];
        }
    }
    if (!*n) return xc_fail(XC_ERR_RUNTIME, "no OpenCL device found on %u platform(s)", np);
    return XC_OK;
}

static void dev_str(cl_device_id d, cl_device_info what, char *buf, size_t len)
{
    buf[0] = 0;
    if (clGetDeviceInfo(d, what, len, buf, NULL) != CL_SUCCESS) buf[0] = 0;
    buf[len - 1] = 0;
}

static int contains_nocase(const char *hay, const char *needle)
{
    for (; *hay; hay++) {
        size_t i = 0;
        while (needle[i] && hay[i] && tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i])) i++;
        if (!needle[i]) return 1;
    }
    return 0;
}

static cl_device_type dev_type(cl_device_id d)
{
    cl_device_type t = 0;
    clGetDeviceInfo(d, CL_DEVICE_TYPE, sizeof t, &t, NULL);
    return t;
}

/* Whether the device's name, vendor or platform contains sel (case-insensitive). */
static int matches(const found *f, const char *sel)
{
    char name[256], vendor[256], plat[256] = "";
    dev_str(f->device, CL_DEVICE_NAME, name, sizeof name);
    dev_str(f->device, CL_DEVICE_VENDOR, vendor, sizeof vendor);
    clGetPlatformInfo(f->platform, CL_PLATFORM_NAME, sizeof plat, plat, NULL);
    return contains_nocase(name, sel) || contains_nocase(vendor, sel) || contains_nocase(plat, sel);
}

enum { NO_DEVICE = -1, AMBIGUOUS = -2 };

/* The index sel picks, NO_DEVICE, or AMBIGUOUS when a name matches several devices: runs that
 * hold engines on several devices must not land two of them on one by a guess. */
static int choose(const found *list, int n, const char *sel)
{
    if (!sel || !sel[0]) {
        for (int i = 0; i < n; i++)
            if (dev_type(list[i].device) & CL_DEVICE_TYPE_GPU) return i;
        return 0;
    }
    char *end;
    long k = strtol(sel, &end, 10);
    if (!*end) return k >= 0 && k < n ? (int)k : NO_DEVICE;
    int found = NO_DEVICE;
    for (int i = 0; i < n; i++)
        if (matches(&list[i], sel)) found = found == NO_DEVICE ? i : AMBIGUOUS;
    return found;
}

/* "[0] NAME (PLATFORM), [1] ...": what a selection that matched nothing could have said. */
static void describe_all(const found *list, int n, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = 0;
    for (int i = 0; i < n && o < len; i++) {
        char name[256], plat[256] = "";
        dev_str(list[i].device, CL_DEVICE_NAME, name, sizeof name);
        clGetPlatformInfo(list[i].platform, CL_PLATFORM_NAME, sizeof plat, plat, NULL);
        o += (size_t)snprintf(buf + o, len - o, "%s[%d] %s (%s)", i ? ", " : "", i, name, plat);
    }
}

/* CROSSCHECK_OCL_MAX_ALLOC=BYTES lowers the device's largest allocation: tests use it to see
 * an engine that does not fit fail cleanly, without needing a device that small. */
static size_t max_alloc_override(size_t device_max)
{
    const char *env = getenv("CROSSCHECK_OCL_MAX_ALLOC");
    char *end;
    unsigned long long v = env && env[0] ? strtoull(env, &end, 10) : 0;
    return v && !*end && v < device_max ? (size_t)v : device_max;
}

/* cl_nv_device_attribute_query's CL_DEVICE_COMPUTE_CAPABILITY_MAJOR_NV / _MINOR_NV. */
#define XC_CL_DEVICE_CC_MAJOR_NV 0x4000
#define XC_CL_DEVICE_CC_MINOR_NV 0x4001

/* The compute capability of an NVIDIA device; 0.0 on devices without the extension. */
static void nv_compute_capability(cl_device_id id, int *major, int *minor)
{
    size_t len = 0;
    *major = *minor = 0;
    if (clGetDeviceInfo(id, CL_DEVICE_EXTENSIONS, 0, NULL, &len) != CL_SUCCESS || !len) return;
    char *ext = calloc(len + 1, 1);
    int has = ext && clGetDeviceInfo(id, CL_DEVICE_EXTENSIONS, len, ext, NULL) == CL_SUCCESS
              && strstr(ext, "cl_nv_device_attribute_query") != NULL;
    free(ext);
    if (!has) return; /* other drivers may give 0x4000 another meaning */
    cl_uint ma = 0, mi = 0;
    if (clGetDeviceInfo(id, XC_CL_DEVICE_CC_MAJOR_NV, sizeof ma, &ma, NULL) != CL_SUCCESS
        || clGetDeviceInfo(id, XC_CL_DEVICE_CC_MINOR_NV, sizeof mi, &mi, NULL) != CL_SUCCESS)
        return;
    *major = (int)ma;
    *minor = (int)mi;
}

int xc_ocl_device_ptx(const xc_ocl_device *d) { return d->is_gpu && contains_nocase(d->vendor, "NVIDIA") && d->nv_cc_major >= 6; }

int xc_ocl_device_tf32(const xc_ocl_device *d) { return xc_ocl_device_ptx(d) && d->nv_cc_major >= 8; }

int xc_ocl_device_wgmma(const xc_ocl_device *d) { return xc_ocl_device_tf32(d) && d->nv_cc_major == 9 && d->nv_cc_minor == 0; }

static int devices_opened; /* OpenCL's state is in this process from the first open on */

int xc_ocl_devices_opened(void) { return devices_opened; }

xc_status xc_ocl_device_open(const char *sel, xc_ocl_device **out)
{
    found list[MAX_DEVICES];
    int n;
    *out = NULL;
    devices_opened++;
    XC_TRY(enumerate(list, &n));
    int k = choose(list, n, sel);
    if (k < 0) {
        char all[2048];
        describe_all(list, n, all, sizeof all);
        return xc_fail(XC_ERR_USAGE, "OpenCL device '%s' matches %s of the %d OpenCL device(s)%s: %s", sel,
                       k == AMBIGUOUS ? "several" : "none", n, k == AMBIGUOUS ? " (give its number)" : "", all);
    }
    xc_ocl_device *d = calloc(1, sizeof *d);
    if (!d) return xc_fail(XC_ERR_NOMEM, "out of memory");
    d->platform = list[k].platform;
    d->id = list[k].device;
    d->index = k;
    dev_str(d->id, CL_DEVICE_NAME, d->name, sizeof d->name);
    dev_str(d->id, CL_DEVICE_VENDOR, d->vendor, sizeof d->vendor);
    dev_str(d->id, CL_DRIVER_VERSION, d->driver, sizeof d->driver);
    dev_str(d->id, CL_DEVICE_VERSION, d->version, sizeof d->version);
    clGetPlatformInfo(d->platform, CL_PLATFORM_NAME, sizeof d->platform_name, d->platform_name, NULL);
    d->is_gpu = (dev_type(d->id) & CL_DEVICE_TYPE_GPU) != 0;
    cl_ulong gm = 0, lm = 0, ma = 0, cache = 0;
    clGetDeviceInfo(d->id, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof d->max_wg, &d->max_wg, NULL);
    clGetDeviceInfo(d->id, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof gm, &gm, NULL);
    clGetDeviceInfo(d->id, CL_DEVICE_LOCAL_MEM_SIZE, sizeof lm, &lm, NULL);
    clGetDeviceInfo(d->id, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof ma, &ma, NULL);
    clGetDeviceInfo(d->id, CL_DEVICE_GLOBAL_MEM_CACHE_SIZE, sizeof cache, &cache, NULL);
    clGetDeviceInfo(d->id, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof d->compute_units, &d->compute_units, NULL);
    nv_compute_capability(d->id, &d->nv_cc_major, &d->nv_cc_minor);
    d->global_mem = (size_t)gm;
    d->local_mem = (size_t)lm;
    d->max_alloc = max_alloc_override((size_t)ma);
    d->cache_bytes = (size_t)cache;
    cl_int err;
    cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)d->platform, 0};
    d->context = clCreateContext(props, 1, &d->id, NULL, NULL, &err);
    if (err != CL_SUCCESS) {
        free(d);
        return xc_cl_fail(err, "clCreateContext");
    }
    *out = d;
    return XC_OK;
}

xc_status xc_ocl_buffer(xc_ocl_device *d, cl_mem_flags flags, size_t bytes, void *host, const char *what, cl_mem *out)
{
    *out = NULL;
    /* checked here because drivers differ: some refuse at creation, some only at first use */
    if (bytes > d->max_alloc) return xc_cl_too_big(bytes, d->max_alloc, what);
    cl_int err;
    *out = clCreateBuffer(d->context, flags, bytes, host, &err);
    if (err != CL_SUCCESS) {
        *out = NULL;
        return xc_cl_fail(err, what);
    }
    return XC_OK;
}

void xc_ocl_device_close(xc_ocl_device *d)
{
    if (!d) return;
    xc_ocl_program_cache_release(d);
    if (d->context) clReleaseContext(d->context);
    free(d);
}

const char *xc_ocl_device_key(const xc_ocl_device *d, char *buf, size_t len)
{
    snprintf(buf, len, "%s | %s | %s | %s", d->platform_name, d->name, d->version, d->driver);
    return buf;
}

xc_status xc_ocl_device_list(cJSON **out)
{
    found list[MAX_DEVICES];
    int n;
    XC_TRY(enumerate(list, &n));
    cJSON *root = cJSON_CreateArray(), *plat = NULL;
    cl_platform_id last = NULL;
    for (int i = 0; i < n; i++) {
        if (list[i].platform != last) {
            char name[256] = "", ver[256] = "";
            clGetPlatformInfo(list[i].platform, CL_PLATFORM_NAME, sizeof name, name, NULL);
            clGetPlatformInfo(list[i].platform, CL_PLATFORM_VERSION, sizeof ver, ver, NULL);
            plat = cJSON_CreateObject();
            cJSON_AddStringToObject(plat, "platform", name);
            cJSON_AddStringToObject(plat, "version", ver);
            cJSON_AddArrayToObject(plat, "devices");
            cJSON_AddItemToArray(root, plat);
            last = list[i].platform;
        }
        cl_device_id d = list[i].device;
        char s[256], *ext;
        size_t ext_len = 0;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "index", i);
        dev_str(d, CL_DEVICE_NAME, s, sizeof s);
        cJSON_AddStringToObject(o, "name", s);
        dev_str(d, CL_DEVICE_VENDOR, s, sizeof s);
        cJSON_AddStringToObject(o, "vendor", s);
        cl_device_type t = dev_type(d);
        cJSON_AddStringToObject(o, "type", t & CL_DEVICE_TYPE_GPU ? "GPU" : t & CL_DEVICE_TYPE_CPU ? "CPU" : "other");
        dev_str(d, CL_DRIVER_VERSION, s, sizeof s);
        cJSON_AddStringToObject(o, "driver", s);
        dev_str(d, CL_DEVICE_VERSION, s, sizeof s);
        cJSON_AddStringToObject(o, "version", s);
        cl_uint cu = 0;
        cl_ulong gm = 0, lm = 0, ma = 0;
        size_t wg = 0;
        clGetDeviceInfo(d, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof cu, &cu, NULL);
        clGetDeviceInfo(d, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof gm, &gm, NULL);
        clGetDeviceInfo(d, CL_DEVICE_LOCAL_MEM_SIZE, sizeof lm, &lm, NULL);
        clGetDeviceInfo(d, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof ma, &ma, NULL);
        clGetDeviceInfo(d, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof wg, &wg, NULL);
        cJSON_AddNumberToObject(o, "compute_units", cu);
        cJSON_AddNumberToObject(o, "global_mem", (double)gm);
        cJSON_AddNumberToObject(o, "local_mem", (double)lm);
        cJSON_AddNumberToObject(o, "max_alloc", (double)ma);
        cJSON_AddNumberToObject(o, "max_work_group", (double)wg);
        int ccma, ccmi;
        nv_compute_capability(d, &ccma, &ccmi);
        if (ccma) {
            char cc[32];
            snprintf(cc, sizeof cc, "%d.%d", ccma, ccmi);
            cJSON_AddStringToObject(o, "compute_capability", cc);
        }
        clGetDeviceInfo(d, CL_DEVICE_EXTENSIONS, 0, NULL, &ext_len);
        ext = calloc(ext_len + 1, 1);
        if (ext && clGetDeviceInfo(d, CL_DEVICE_EXTENSIONS, ext_len, ext, NULL) == CL_SUCCESS)
            cJSON_AddStringToObject(o, "extensions", ext);
        free(ext);
        cJSON_AddItemToArray(cJSON_GetObjectItem(plat, "devices"), o);
    }
    *out = root;
    return XC_OK;
}
