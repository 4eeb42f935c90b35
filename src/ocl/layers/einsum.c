/* einsum.c — the einsum layer kind: ONNX Einsum of one to four float32 inputs, any equation the
 * shared parser takes (src/ops/matmul_einsum.c: the reference and the schema read it there
 * too): transposes, traces and diagonals, batched contractions, broadcasting ellipses. Tactic
 * einsum.generic (kernels/einsum.cl): the reference's loop, one output element per work-item;
 * the equation goes in as a table, so every Einsum of a model shares a program per input count.
 * Contractions that are plain matmuls run faster as MatMul layers. */
#include "axis_util.h"
#include "ops/matmul_einsum.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EINSUM_KERNEL_INPUTS 4

static int plan_of(const xc_engine *e, const xc_layer *l, xc_einsum_plan *p)
{
    const xc_node *n = l->node;
    if (strcmp(n->op_type, "Einsum") || n->domain[0] || l->n_in < 1 || l->n_in > EINSUM_KERNEL_INPUTS || l->n_out != 1) return 0;
    if (l->out[0] < 0 || e->tensors[l->out[0]].dtype != XC_FLOAT || !xc_et_numel(&e->tensors[l->out[0]])
        || !mv_int_indexable(e, l))
        return 0;
    xc_type_shape shapes[EINSUM_KERNEL_INPUTS];
    memset(shapes, 0, sizeof shapes);
    for (int k = 0; k < l->n_in; k++) {
        if (l->in[k] < 0 || e->tensors[l->in[k]].dtype != XC_FLOAT) return 0;
        shapes[k].present = 1;
        shapes[k].dtype = XC_FLOAT;
        shapes[k].rank = e->tensors[l->in[k]].rank;
        memcpy(shapes[k].dims, e->tensors[l->in[k]].dims, sizeof shapes[k].dims);
    }
    if (xc_einsum_plan_make(xc_attr_string(n, "equation", ""), l->n_in, shapes, p) != XC_OK) {
        xc_error_clear();
        return 0;
    }
    int64_t n_sum = 1;
    for (int k = p->out_rank; k < p->n_labels; k++) n_sum *= p->extent[k];
    return n_sum >= 1 && n_sum < INT_MAX;
}

static int accepts(const xc_engine *e, const xc_layer *l)
{
    xc_einsum_plan p;
    return plan_of(e, l, &p);
}

static xc_status generic_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    xc_einsum_plan p;
    if (!plan_of(e, l, &p)) return xc_fail(XC_ERR_INTERNAL, "layer '%s': Einsum plan", l->name);
    int L = p.n_labels, *tab = calloc((size_t)(L * (l->n_in + 1)) + 1, sizeof *tab);
    if (!tab) return xc_fail(XC_ERR_NOMEM, "out of memory");
    int64_t n_sum = 1;
    for (int k = 0; k < L; k++) tab[k] = (int)p.extent[k];
    for (int k = p.out_rank; k < L; k++) n_sum *= p.extent[k];
    for (int k = 0; k < l->n_in; k++) { /* each input's step per label, as the reference takes them */
        const xc_etensor *t = &e->tensors[l->in[k]];
        int s = 1;
        for (int ax = t->rank - 1; ax >= 0; ax--) {
            if (t->dims[ax] != 1) tab[L * (k + 1) + p.in_label[k][ax]] += s;
            s *= (int)t->dims[ax];
        }
    }
    char opts[256];
    snprintf(opts, sizeof opts, "-DN_IN=%d %s", l->n_in, defines ? defines : "");
    cl_program prog;
    xc_status s = xc_layer_program(e, l, "einsum.cl", NULL, opts, &prog);
    xc_launch *k = s == XC_OK ? xc_layer_add_launch(l, prog, "einsum") : NULL;
    for (int i = 0; k && i < l->n_in && s == XC_OK; i++) s = xc_launch_input(e, l, k, l->in[i]);
    if (k && s == XC_OK) {
        size_t n_out = xc_et_numel(&e->tensors[l->out[0]]);
        xc_launch_tensor(k, l->out[0]);
        s = mv_launch_ints(e, k, tab, (size_t)(L * (l->n_in + 1)) + 1);
        xc_launch_int(k, L);
        xc_launch_int(k, p.out_rank);
        xc_launch_int(k, (int64_t)n_out);
        xc_launch_int(k, n_sum);
        xc_launch_1d(k, n_out);
    }
    free(tab);
    return s;
}

static const xc_tactic generic = {"einsum.generic", NULL, NULL, generic_prepare, NULL};
static const xc_tactic *const tactics[] = {&generic, NULL};
const xc_layer_kind xc_kind_einsum = {"einsum", accepts, tactics, 1};
