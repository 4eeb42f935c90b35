/* program.h — OpenCL programs: kernel sources embedded from the kernels folder at build time, built
 * with tactic parameters as -D options, cached in memory and on disk.
 *
 * The disk cache lives in $CROSSCHECK_CACHE_DIR, else $XDG_CACHE_HOME/crosscheck, else
 * ~/.cache/crosscheck; each entry is a program binary named by a hash of the source, the
 * options, the device and the driver, so a driver update never reuses a stale binary. An entry
 * starts with a header (magic, length, checksum) checked before the driver sees the binary: a
 * bad entry is ignored with a warning and rebuilt. Entries are written to a unique temporary
 * name in the cache folder and renamed into place. */
#ifndef XC_OCL_PROGRAM_H
#define XC_OCL_PROGRAM_H
#include "ocl/device.h"
#include <stdint.h>

/* Embedded source of kernels/<name>, or NULL. */
const char *xc_kernel_source(const char *name);
/* kernels/<first> then kernels/<second> as one string (a shared core and the file built on it,
 * e.g. mma_core.cl + gemm_mma.cl), malloc'd: the caller frees it. NULL when either is not
 * embedded or memory runs out. */
char *xc_kernel_sources_join(const char *first, const char *second);

/* Builds (or fetches) the program made of kernels/common.cl, kernels/<file> (may be NULL) and
 * `generated` (may be NULL) with `options`. label names the tactic or layer in errors, which
 * carry the compiler log. The program stays owned by the cache. */
xc_status xc_ocl_program(xc_ocl_device *d, const char *file, const char *generated, const char *options, const char *label,
                         cl_program *out);
/* The same, with `prelude` (may be NULL) placed before kernels/common.cl: definitions common.cl
 * reads, such as the layer's fused activation XC_ACTIVATE. */
xc_status xc_ocl_program_prelude(xc_ocl_device *d, const char *prelude, const char *file, const char *generated,
                                 const char *options, const char *label, cl_program *out);
/* With CROSSCHECK_DUMP_KERNELS=DIR set, every program built or fetched from the disk cache (once
 * a process) is also written to DIR/<label>.<key>.cl: key is the cache's hash of source, options
 * and device (one tactic builds several programs), label its first 255 characters with any but
 * letters, digits and ._- as '_'. The first line names the label and the build options, then
 * comes the whole source as the compiler was given it, so that it can be compiled elsewhere
 * (bench/kernel_occupancy.py: registers, shared memory and work-groups an SM from ptxas, with no
 * GPU). A file that cannot be written is a warning; the build goes on. */
void xc_ocl_program_dump(const char *label, const char *options, const char *const srcs[4], uint64_t key);
/* The same, the compiled PTX edited by `patch` (may be NULL; ocl/ptx_patch.h) before the driver
 * assembles it; the cache keeps the edited program. */
struct xc_ptx_patch;
xc_status xc_ocl_program_patched(xc_ocl_device *d, const char *prelude, const char *file, const char *generated,
                                 const char *options, const char *label, const struct xc_ptx_patch *patch, cl_program *out);
/* Releases every cached program of d (called by xc_ocl_device_close). */
void xc_ocl_program_cache_release(xc_ocl_device *d);
/* Counters since start: builds from source, loads from disk, memory hits (tests read them). */
void xc_ocl_program_stats(int *built, int *from_disk, int *from_memory);
#endif
