/* movement_elementwise.c — Cast, Where, the comparisons, IsNaN/IsInf and the logic ops on any dtype with
 * broadcasting (kernels/movement_elementwise.cl), tactic elementwise.broadcast: one output
 * element per work-item, each operand read at its broadcast offset. */
#include "movement_internal.h"
#include "axis_util.h" /* ax_int_type: the OpenCL type of an integer or bool dtype */
#include <stdio.h>
#include <string.h>

/* Op numbers as OP_* in the kernel file, and each op's input count. */
static const struct {
    const char *op;
    int code, n_in;
} ops[] = {
    {"Cast", 0, 1},        {"CastLike", 0, 2}, {"Where", 1, 3},          {"Equal", 2, 2},  {"Less", 3, 2},
    {"LessOrEqual", 4, 2}, {"Greater", 5, 2},  {"GreaterOrEqual", 6, 2}, {"And", 7, 2},    {"Or", 8, 2},
    {"Xor", 9, 2},         {"Not", 10, 1},     {"IsNaN", 11, 1},         {"IsInf", 12, 1}, {NULL, 0, 0},
};

static int find(const xc_node *n)
{
    if (n->domain[0]) return -1;
    for (int k = 0; ops[k].op; k++)
        if (!strcmp(ops[k].op, n->op_type)) return k;
    return -1;
}

int mv_is_elementwise_op(const xc_node *n) { return find(n) >= 0; }

static int kernel_dtype(xc_dtype t) { return t == XC_FLOAT || ax_int_type(t) != NULL; }

/* Inputs the kernel reads: CastLike's second input only gives the type. */
static int operands(const xc_layer *l) { return ops[find(l->node)].code == 0 ? 1 : ops[find(l->node)].n_in; }

int mv_elementwise_accepts(const xc_engine *e, const xc_layer *l)
{
    int k = find(l->node);
    if (k < 0 || l->n_in != ops[k].n_in || l->n_out != 1 || !mv_int_indexable(e, l)) return 0;
    /* IsInf detecting one sign only is left to the CPU fallback */
    if (ops[k].code == 12 && (!xc_attr_int(l->node, "detect_positive", 1) || !xc_attr_int(l->node, "detect_negative", 1)))
        return 0;
    for (int i = 0; i < operands(l); i++)
        if (l->in[i] < 0 || !kernel_dtype(e->tensors[l->in[i]].dtype)) return 0;
    return kernel_dtype(e->tensors[l->out[0]].dtype);
}

/* -D<name>_FLOAT or -D<name>_T=<type> for tensor t, appended to buf. */
static void type_define(char *buf, size_t len, const char *name, xc_dtype t)
{
    size_t o = strlen(buf);
    if (t == XC_FLOAT)
        snprintf(buf + o, len - o, " -D%s_FLOAT", name);
    else
        snprintf(buf + o, len - o, " -D%s_T=%s", name, ax_int_type(t));
}

/* Output dims, then each operand's strides along them (0 where it broadcasts; absent operands
 * all 0). */
static xc_status upload_strides(xc_engine *e, const xc_layer *l, xc_launch *k)
{
    const xc_etensor *y = &e->tensors[l->out[0]];
    int r = y->rank, view[4 * XC_MAX_RANK] = {0};
    for (int d = 0; d < r; d++) view[d] = (int)y->dims[d];
    for (int i = 0; i < operands(l); i++) {
        const xc_etensor *t = &e->tensors[l->in[i]];
        int stride = 1;
        for (int d = t->rank - 1; d >= 0; d--) {
            int at = d + (r - t->rank);
            view[(i + 1) * r + at] = t->dims[d] == 1 ? 0 : stride;
            stride *= (int)t->dims[d];
        }
    }
    return mv_launch_ints(e, k, view, 4 * (size_t)r);
}

static xc_status prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    static const char *const names[] = {"A", "B", "C"};
    const xc_etensor *y = &e->tensors[l->out[0]];
    int n = operands(l);
    char opts[512];
    snprintf(opts, sizeof opts, "-DOP=%d -DN_IN=%d -DY_IS_BOOL=%d %s", ops[find(l->node)].code, n, y->dtype == XC_BOOL, defines);
    for (int i = 0; i < n; i++) type_define(opts, sizeof opts, names[i], e->tensors[l->in[i]].dtype);
    type_define(opts, sizeof opts, "Y", y->dtype);
    cl_program p;
    XC_TRY(xc_layer_program(e, l, "movement_elementwise.cl", NULL, opts, &p));
    xc_launch *k = xc_layer_add_launch(l, p, "elementwise");
    for (int i = 0; i < n; i++) XC_TRY(xc_launch_input(e, l, k, l->in[i]));
    xc_launch_tensor(k, l->out[0]);
    XC_TRY(upload_strides(e, l, k));
    xc_launch_int(k, y->rank);
    xc_launch_int(k, (int64_t)xc_et_numel(y));
    xc_launch_1d(k, xc_et_numel(y));
    return XC_OK;
}

static int applicable(const xc_engine *e, const xc_layer *l) { return mv_elementwise_accepts(e, l); }

const xc_tactic mv_elementwise_tactic = {"elementwise.broadcast", applicable, NULL, prepare, NULL};
