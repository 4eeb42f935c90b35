/* program.c — builds OpenCL programs with a two-level cache (see program.h). */
#include "ocl/program.h"
#include "onnx_io.h"
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct kernel_file { const char *name, *source; } kernel_file;
extern const kernel_file xc_kernel_files[]; /* build/gen/kernels_embed.c */

typedef struct entry {
    xc_ocl_device *dev;
    uint64_t key;
    cl_program program;
    struct entry *next;
} entry;

static entry *cache;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int n_built, n_disk, n_memory;

const char *xc_kernel_source(const char *name)
{
    for (const kernel_file *k = xc_kernel_files; k->name; k++)
        if (!strcmp(k->name, name)) return k->source;
    return NULL;
}

void xc_ocl_program_stats(int *built, int *from_disk, int *from_memory)
{
    *built = n_built;
    *from_disk = n_disk;
    *from_memory = n_memory;
}

static uint64_t fnv(uint64_t h, const char *s)
{
    for (; s && *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return (h ^ 0xff) * 1099511628211ull; /* separator, so ("ab","c") != ("a","bc") */
}

static void cache_dir(char *buf, size_t len)
{
    const char *d = getenv("CROSSCHECK_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    if (d && d[0]) snprintf(buf, len, "%s", d);
    else if (xdg && xdg[0]) snprintf(buf, len, "%s/crosscheck", xdg);
    else snprintf(buf, len, "%s/.cache/crosscheck", home && home[0] ? home : "/tmp");
}

static void mkdirs(const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            mkdir(tmp, 0755);
            *p = '/';
        }
    mkdir(tmp, 0755);
}

static cl_program from_disk(xc_ocl_device *d, const char *path)
{
    xc_mapping *m;
    if (xc_mapping_open(path, &m) != XC_OK) {
        xc_error_clear();
        return NULL;
    }
    const unsigned char *bin = m->addr;
    size_t len = m->len;
    cl_int err, status;
    cl_program p = len ? clCreateProgramWithBinary(d->context, 1, &d->id, &len, &bin, &status, &err) : NULL;
    xc_mapping_release(m);
    if (!p) return NULL;
    if (err != CL_SUCCESS || status != CL_SUCCESS || clBuildProgram(p, 1, &d->id, "", NULL, NULL) != CL_SUCCESS) {
        clReleaseProgram(p);
        return NULL; /* a corrupt or foreign entry: rebuild from source */
    }
    return p;
}

static void to_disk(xc_ocl_device *d, cl_program p, const char *dir, const char *path)
{
    size_t len = 0;
    if (clGetProgramInfo(p, CL_PROGRAM_BINARY_SIZES, sizeof len, &len, NULL) != CL_SUCCESS || !len) return;
    unsigned char *bin = malloc(len);
    if (!bin) return;
    if (clGetProgramInfo(p, CL_PROGRAM_BINARIES, sizeof bin, &bin, NULL) == CL_SUCCESS) {
        mkdirs(dir);
        if (xc_write_file(path, bin, len) != XC_OK) xc_error_clear(); /* a cache that cannot be written is not an error */
    }
    free(bin);
    (void)d;
}

static xc_status build_failure(xc_ocl_device *d, cl_program p, cl_int err, const char *label, const char *file)
{
    size_t len = 0;
    clGetProgramBuildInfo(p, d->id, CL_PROGRAM_BUILD_LOG, 0, NULL, &len);
    char *log = calloc(len + 1, 1);
    if (log) clGetProgramBuildInfo(p, d->id, CL_PROGRAM_BUILD_LOG, len, log, NULL);
    for (char *c = log; c && *c; c++)
        if (*c == '\n') *c = ' '; /* one line: the log follows the message */
    xc_status s = xc_fail(XC_ERR_RUNTIME, "kernel build failed for %s (kernels/%s): %s: %.1500s", label, file ? file : "generated",
                          xc_cl_error_name(err), log ? log : "");
    free(log);
    return s;
}

xc_status xc_ocl_program(xc_ocl_device *d, const char *file, const char *generated, const char *options, const char *label,
                         cl_program *out)
{
    return xc_ocl_program_prelude(d, NULL, file, generated, options, label, out);
}

xc_status xc_ocl_program_prelude(xc_ocl_device *d, const char *prelude, const char *file, const char *generated,
                                 const char *options, const char *label, cl_program *out)
{
    const char *common = xc_kernel_source("common.cl"), *body = file ? xc_kernel_source(file) : "";
    if (!common || !body) return xc_fail(XC_ERR_INTERNAL, "kernel source kernels/%s is not embedded", file ? file : "common.cl");
    char devkey[1100];
    xc_ocl_device_key(d, devkey, sizeof devkey);
    uint64_t key = fnv(fnv(fnv(fnv(fnv(fnv(1469598103934665603ull, prelude), common), body), generated), options), devkey);
    pthread_mutex_lock(&lock);
    for (entry *e = cache; e; e = e->next)
        if (e->dev == d && e->key == key) {
            *out = e->program;
            n_memory++;
            pthread_mutex_unlock(&lock);
            return XC_OK;
        }
    pthread_mutex_unlock(&lock);
    char dir[2048], path[2200];
    cache_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/%016llx.bin", dir, (unsigned long long)key);
    cl_program p = from_disk(d, path);
    if (p) {
        n_disk++;
    } else {
        const char *srcs[] = {prelude ? prelude : "", common, body, generated ? generated : ""};
        cl_int err;
        p = clCreateProgramWithSource(d->context, 4, srcs, NULL, &err);
        if (err != CL_SUCCESS) return xc_cl_fail(err, "clCreateProgramWithSource");
        err = clBuildProgram(p, 1, &d->id, options, NULL, NULL);
        if (err != CL_SUCCESS) {
            xc_status s = build_failure(d, p, err, label, file);
            clReleaseProgram(p);
            return s;
        }
        n_built++;
        to_disk(d, p, dir, path);
    }
    entry *e = malloc(sizeof *e);
    if (!e) {
        clReleaseProgram(p);
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    e->dev = d;
    e->key = key;
    e->program = p;
    pthread_mutex_lock(&lock);
    e->next = cache;
    cache = e;
    pthread_mutex_unlock(&lock);
    *out = p;
    return XC_OK;
}

void xc_ocl_program_cache_release(xc_ocl_device *d)
{
    pthread_mutex_lock(&lock);
    for (entry **pp = &cache; *pp;) {
        entry *e = *pp;
        if (e->dev == d) {
            *pp = e->next;
            clReleaseProgram(e->program);
            free(e);
        } else {
            pp = &e->next;
        }
    }
    pthread_mutex_unlock(&lock);
}
