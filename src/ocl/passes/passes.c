/* passes.c — the builder's passes after lowering, in the order they run. Each is one file in
 * src/ocl/passes/ and can be switched off by name (--disable-fusion NAME; fusions also by
 * --no-fusion). Constant folding (shape subgraphs included) and dead-layer removal happen while
 * the builder lowers the graph (builder.c). */
#include "ocl/engine.h"
#include "ocl/ocl.h"

extern const xc_pass xc_pass_pointwise_chain;

const xc_pass *const xc_passes[] = {
    &xc_pass_pointwise_chain,
    NULL,
};

const char *xc_ocl_pass_name(int i)
{
    for (int k = 0; xc_passes[k]; k++)
        if (k == i) return xc_passes[k]->name;
    return NULL;
}
