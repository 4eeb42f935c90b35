/* program.c — builds OpenCL programs with a two-level cache (see program.h). */
#include "ocl/program.h"
#include "ocl/ptx_patch.h"
#include "onnx_io.h"
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct kernel_file {
    const char *name, *source;
} kernel_file;
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

char *xc_kernel_sources_join(const char *first, const char *second)
{
    const char *a = xc_kernel_source(first), *b = xc_kernel_source(second);
    if (!a || !b) return NULL;
    size_t na = strlen(a), nb = strlen(b);
    char *s = malloc(na + nb + 2);
    if (!s) return NULL;
    memcpy(s, a, na);
    s[na] = '\n';
    memcpy(s + na + 1, b, nb + 1);
    return s;
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
    if (d && d[0])
        snprintf(buf, len, "%s", d);
    else if (xdg && xdg[0])
        snprintf(buf, len, "%s/crosscheck", xdg);
    else
        snprintf(buf, len, "%s/.cache/crosscheck", home && home[0] ? home : "/tmp");
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

/* A disk entry is a header then the driver's binary: a truncated or corrupt binary handed to
 * clCreateProgramWithBinary can abort inside the driver (PoCL does), so nothing reaches it
 * unless the magic, the length and the checksum all agree. */
#define ENTRY_MAGIC "XCCLBIN1"
typedef struct entry_header {
    char magic[8];
    uint64_t length;   /* bytes of binary after the header */
    uint64_t checksum; /* FNV-1a of those bytes */
} entry_header;

static uint64_t fnv_bytes(const unsigned char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/* NULL when the entry is fine, else why it is not. */
static const char *entry_problem(const unsigned char *data, size_t len)
{
    entry_header h;
    if (len < sizeof h) return "shorter than its header";
    memcpy(&h, data, sizeof h);
    if (memcmp(h.magic, ENTRY_MAGIC, sizeof h.magic)) return "no crosscheck header";
    if (!h.length || h.length != len - sizeof h) return "truncated or padded";
    if (h.checksum != fnv_bytes(data + sizeof h, len - sizeof h)) return "checksum mismatch";
    return NULL;
}

static cl_program from_disk(xc_ocl_device *d, const char *path)
{
    xc_mapping *m;
    if (xc_mapping_open(path, &m) != XC_OK) {
        xc_error_clear();
        return NULL; /* no entry yet */
    }
    const char *why = entry_problem(m->addr, m->len);
    if (why) {
        xc_warn("ignoring program cache entry %s (%s); rebuilding it", path, why);
        xc_mapping_release(m);
        return NULL;
    }
    const unsigned char *bin = (const unsigned char *)m->addr + sizeof(entry_header);
    size_t len = m->len - sizeof(entry_header);
    cl_int err, status;
    cl_program p = clCreateProgramWithBinary(d->context, 1, &d->id, &len, &bin, &status, &err);
    xc_mapping_release(m);
    if (!p) return NULL;
    if (err != CL_SUCCESS || status != CL_SUCCESS || clBuildProgram(p, 1, &d->id, "", NULL, NULL) != CL_SUCCESS) {
        clReleaseProgram(p);
        return NULL; /* a foreign entry: rebuild from source */
    }
    return p;
}

static int write_all(int fd, const void *data, size_t len)
{
    for (const char *p = data; len;) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return 0;
        p += w;
        len -= (size_t)w;
    }
    return 1;
}

/* Writes the entry under a unique temporary name in the cache folder, then renames it into
 * place: concurrent builders never see (or leave) a half-written entry. A cache that cannot be
 * written is not an error. */
static void write_entry(const char *path, const unsigned char *bin, size_t len)
{
    entry_header h;
    memcpy(h.magic, ENTRY_MAGIC, sizeof h.magic);
    h.length = len;
    h.checksum = fnv_bytes(bin, len);
    size_t n = strlen(path) + 8;
    char *tmp = malloc(n);
    if (!tmp) return;
    snprintf(tmp, n, "%s.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        free(tmp);
        return;
    }
    int ok = write_all(fd, &h, sizeof h) && write_all(fd, bin, len);
    ok &= close(fd) == 0;
    if (!ok || rename(tmp, path) != 0) unlink(tmp);
    free(tmp);
}

static void to_disk(cl_program p, const char *dir, const char *path)
{
    size_t len = 0;
    if (clGetProgramInfo(p, CL_PROGRAM_BINARY_SIZES, sizeof len, &len, NULL) != CL_SUCCESS || !len) return;
    unsigned char *bin = malloc(len);
    if (!bin) return;
    if (clGetProgramInfo(p, CL_PROGRAM_BINARIES, sizeof bin, &bin, NULL) == CL_SUCCESS) {
        mkdirs(dir);
        write_entry(path, bin, len);
    }
    free(bin);
}

static xc_status build_failure(xc_ocl_device *d, cl_program p, cl_int err, const char *label, const char *file)
{
    size_t len = 0;
    clGetProgramBuildInfo(p, d->id, CL_PROGRAM_BUILD_LOG, 0, NULL, &len);
    char *log = calloc(len + 1, 1);
    if (log) clGetProgramBuildInfo(p, d->id, CL_PROGRAM_BUILD_LOG, len, log, NULL);
    for (char *c = log; c && *c; c++)
        if (*c == '\n') *c = ' '; /* one line: the log follows the message */
    xc_status s = xc_fail(XC_ERR_RUNTIME, "kernel build failed for %s (kernels/%s): %s: %.1500s", label,
                          file ? file : "generated", xc_cl_error_name(err), log ? log : "");
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
    return xc_ocl_program_patched(d, prelude, file, generated, options, label, NULL, out);
}

/* Program p (built from source) rebuilt from its PTX as `patch` edits it; p is released. */
static xc_status rebuild_patched(xc_ocl_device *d, cl_program p, const xc_ptx_patch *patch, const char *label, cl_program *out)
{
    size_t len = 0;
    cl_int err = clGetProgramInfo(p, CL_PROGRAM_BINARY_SIZES, sizeof len, &len, NULL);
    char *ptx = err == CL_SUCCESS && len ? malloc(len) : NULL;
    unsigned char *bp = (unsigned char *)ptx;
    if (ptx) err = clGetProgramInfo(p, CL_PROGRAM_BINARIES, sizeof bp, &bp, NULL);
    clReleaseProgram(p);
    if (!ptx || err != CL_SUCCESS) {
        free(ptx);
        return xc_fail(XC_ERR_RUNTIME, "%s: the compiled program's PTX could not be read back (%s)", label,
                       ptx ? xc_cl_error_name(err) : "no binary");
    }
    char *edited;
    size_t elen;
    xc_status s = patch->apply(ptx, len, label, &edited, &elen);
    free(ptx);
    XC_TRY(s);
    const unsigned char *bin = (const unsigned char *)edited;
    size_t blen = elen + 1; /* PTX goes to the driver NUL-terminated */
    cl_int status = CL_SUCCESS;
    cl_program q = clCreateProgramWithBinary(d->context, 1, &d->id, &blen, &bin, &status, &err);
    free(edited);
    if (!q || err != CL_SUCCESS || status != CL_SUCCESS) {
        if (q) clReleaseProgram(q);
        return xc_fail(XC_ERR_RUNTIME, "%s: the patched PTX (%s) was refused: %s", label, patch->name,
                       xc_cl_error_name(err != CL_SUCCESS ? err : status));
    }
    err = clBuildProgram(q, 1, &d->id, "", NULL, NULL);
    if (err != CL_SUCCESS) {
        s = build_failure(d, q, err, label, NULL);
        clReleaseProgram(q);
        return s;
    }
    *out = q;
    return XC_OK;
}

xc_status xc_ocl_program_patched(xc_ocl_device *d, const char *prelude, const char *file, const char *generated,
                                 const char *options, const char *label, const xc_ptx_patch *patch, cl_program *out)
{
    const char *common = xc_kernel_source("common.cl"), *body = file ? xc_kernel_source(file) : "";
    if (!common || !body) return xc_fail(XC_ERR_INTERNAL, "kernel source kernels/%s is not embedded", file ? file : "common.cl");
    char devkey[1100], opts[2048];
    xc_ocl_device_key(d, devkey, sizeof devkey);
    const char *probe = getenv("CROSSCHECK_KERNEL_PROBE"); /* a diagnostic: kernels/mma_core.cl's XC_PROBE */
    if ((size_t)snprintf(opts, sizeof opts, "%s%s%s", options ? options : "", xc_ocl_device_ptx(d) ? " -DXC_PTX" : "",
                         probe && *probe && strcmp(probe, "0") ? " -DXC_PROBE" : "")
        >= sizeof opts)
        return xc_fail(XC_ERR_INTERNAL, "build options of kernels/%s too long", file ? file : "common.cl");
    options = opts;
    /* the entry format is part of the key: files of an older format are never read */
    uint64_t key = fnv(
        fnv(fnv(fnv(fnv(fnv(fnv(fnv(1469598103934665603ull, prelude), common), body), generated), options), devkey), ENTRY_MAGIC),
        patch ? patch->name : NULL);
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
    const char *srcs[] = {prelude ? prelude : "", common, body, generated ? generated : ""};
    xc_ocl_program_dump(label, options, srcs, key);
    cl_program p = from_disk(d, path);
    if (p) {
        n_disk++;
    } else {
        cl_int err;
        p = clCreateProgramWithSource(d->context, 4, srcs, NULL, &err);
        if (err != CL_SUCCESS) return xc_cl_fail(err, "clCreateProgramWithSource");
        err = clBuildProgram(p, 1, &d->id, options, NULL, NULL);
        if (err != CL_SUCCESS) {
            xc_status s = build_failure(d, p, err, label, file);
            clReleaseProgram(p);
            return s;
        }
        if (patch) XC_TRY(rebuild_patched(d, p, patch, label, &p));
        n_built++;
        to_disk(p, dir, path);
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
