/* ptxas_report.c — what NVIDIA's assembler says about crosscheck's cached GPU programs: each
 * program-cache entry named (a CROSSCHECK_CACHE_DIR/<hash>.bin: a 24-byte header, then the PTX
 * the driver was given, patched PTX included) is built again with -cl-nv-verbose and its log
 * printed: registers, local memory, spills, wgmma serialization warnings.
 *   gcc -O1 -o .device/ptxas_report bench/ptxas_report.c -lOpenCL   (here; carried to the GPU)
 *   .device/ptxas_report $(grep -l wgmma.mma_async "$CROSSCHECK_CACHE_DIR"/[0-9a-f]*.bin)
 * Exit status 1 when no NVIDIA device or an entry cannot be read or built. */
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEADER 24 /* src/ocl/program.c's entry_header: magic, length, checksum */

static cl_device_id nvidia_device(void)
{
    cl_platform_id pl[8];
    cl_uint np = 0;
    cl_device_id dev = NULL;
    if (clGetPlatformIDs(8, pl, &np) != CL_SUCCESS) return NULL;
    for (cl_uint i = 0; i < np && i < 8 && !dev; i++) {
        char name[256] = "";
        clGetPlatformInfo(pl[i], CL_PLATFORM_NAME, sizeof name - 1, name, NULL);
        if (strstr(name, "NVIDIA") && clGetDeviceIDs(pl[i], CL_DEVICE_TYPE_GPU, 1, &dev, NULL) != CL_SUCCESS) dev = NULL;
    }
    return dev;
}

static int report(cl_context ctx, cl_device_id dev, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return fprintf(stderr, "%s: cannot open\n", path), 1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = n > HEADER ? malloc((size_t)n) : NULL;
    int ok = buf && fread(buf, 1, (size_t)n, f) == (size_t)n;
    fclose(f);
    if (!ok) return free(buf), fprintf(stderr, "%s: not a cache entry\n", path), 1;
    const unsigned char *bin = buf + HEADER;
    size_t len = (size_t)n - HEADER;
    cl_int st, err;
    cl_program p = clCreateProgramWithBinary(ctx, 1, &dev, &len, &bin, &st, &err);
    free(buf);
    if (!p) return fprintf(stderr, "%s: refused (%d)\n", path, err), 1;
    err = clBuildProgram(p, 1, &dev, "-cl-nv-verbose", NULL, NULL);
    size_t ll = 0;
    clGetProgramBuildInfo(p, dev, CL_PROGRAM_BUILD_LOG, 0, NULL, &ll);
    char *log = calloc(ll + 1, 1);
    if (log) clGetProgramBuildInfo(p, dev, CL_PROGRAM_BUILD_LOG, ll, log, NULL);
    printf("== %s (build %d)\n%s\n", path, err, log ? log : "");
    free(log);
    clReleaseProgram(p);
    return err != CL_SUCCESS;
}

int main(int argc, char **argv)
{
    cl_device_id dev = nvidia_device();
    if (!dev) return fprintf(stderr, "ptxas_report: no NVIDIA OpenCL device\n"), 1;
    cl_int err;
    cl_context ctx = clCreateContext(NULL, 1, &dev, NULL, NULL, &err);
    if (!ctx) return fprintf(stderr, "ptxas_report: no context (%d)\n", err), 1;
    int bad = 0;
    for (int a = 1; a < argc; a++) bad |= report(ctx, dev, argv[a]);
    clReleaseContext(ctx);
    return bad;
}
