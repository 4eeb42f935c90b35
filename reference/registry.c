/* registry.c — finds a reference kernel by op type across the family tables. */
#include "ref.h"
#include "ops/families.h"
#include "ops/plugins.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define DECLARE(f) extern const xc_ref_kernel xc_ref_##f[];
XC_OP_FAMILIES(DECLARE)
#define LIST(f) xc_ref_##f,
static const xc_ref_kernel *const families[] = {XC_OP_FAMILIES(LIST) NULL};

xc_ref_fn xc_ref_find(const char *op_type)
{
    for (int f = 0; families[f]; f++)
        for (const xc_ref_kernel *k = families[f]; k->op_type; k++)
            if (!strcmp(k->op_type, op_type)) return k->fn;
    return NULL;
}

/* A custom-domain node runs its plugin's compute callback (when a plugin registered the op). */
static xc_status run_plugin(xc_ref_args *a) { return xc_plugin_compute(a->node, a->n_in, a->in, a->n_out, a->out); }

xc_ref_fn xc_ref_find_node(const xc_node *n)
{
    if (n->domain[0] && xc_plugin_schema_is(n->schema)) return run_plugin;
    if (n->domain[0]) return xc_builtin_domain_op(n->domain, n->op_type) ? xc_ref_find(n->op_type) : NULL;
    return xc_ref_find(n->op_type);
}

xc_status xc_ref_fail(const xc_ref_args *a, xc_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    xc_status s = xc_node_vfail(a->node, code, fmt, ap);
    va_end(ap);
    return s;
}

void xc_ref_strides(int rank, const int64_t *dims, int64_t *strides)
{
    int64_t s = 1;
    for (int k = rank - 1; k >= 0; k--) {
        strides[k] = s;
        s *= dims[k];
    }
}

void xc_ref_bcast_strides(const xc_tensor *t, int rank, const int64_t *dims, int64_t *strides)
{
    int64_t own[XC_MAX_RANK];
    xc_ref_strides(t->rank, t->dims, own);
    int off = rank - t->rank;
    for (int k = 0; k < rank; k++) {
        int j = k - off;
        strides[k] = j < 0 || t->dims[j] == 1 ? 0 : own[j];
    }
    (void)dims;
}
