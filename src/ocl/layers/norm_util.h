/* norm_util.h — helpers the pool, softmax, norm and reduce layer kinds share: building their
 * programs with the work-group reductions of kernels/norm_group.cl, -D option strings, and the
 * reduced axes of a Reduce* layer (also read by the layernorm_subgraph pass). */
#ifndef XC_OCL_NORM_UTIL_H
#define XC_OCL_NORM_UTIL_H
#include "ocl/engine.h"

/* Builds kernels/<file> for layer l, after kernels/norm_group.cl, with `defines`. */
xc_status xc_norm_program(xc_engine *e, xc_layer *l, const char *file, const char *defines, cl_program *out);
/* Appends printf-formatted text to the NUL-terminated buf of len bytes. */
void xc_defs(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Work-group sizes (powers of two) the row/group tactics try, as tactic variants. */
extern const xc_variant xc_norm_group_sizes[];
/* The work-group size a variant's -DWG=N option sets, or 1 without one. */
size_t xc_norm_wg(const char *defines);

/* reduce.c: which axes of input 0 the Reduce* layer l reduces (axes attribute or constant
 * input 1; all when none, none under noop_with_empty_axes). 0 if they are not known. */
int xc_reduce_axes(const xc_engine *e, const xc_layer *l, int reduced[XC_MAX_RANK]);
#endif
