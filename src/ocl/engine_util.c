/* engine_util.c — small helpers kinds, tactics and passes share: tensors, weights, launches,
 * layer merging. */
#include "ocl/profile_shapes.h"
#include "ocl/engine.h"
#include "ocl/fault.h"
#include "ocl/program.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t xc_et_numel(const xc_etensor *t)
{
    size_t n = 1;
    if (t->host) return 0; /* no device storage */
    for (int k = 0; k < t->rank; k++) n *= (size_t)t->dims[k];
    return n;
}

size_t xc_et_bytes(const xc_etensor *t) { return xc_et_numel(t) * (t->fp16 ? 2 : xc_dtype_size(t->dtype)); }

int xc_et_is_const(const xc_etensor *t) { return t->value != NULL; }

const float *xc_et_const_f32(const xc_etensor *t) { return t->value && t->value->dtype == XC_FLOAT ? t->value->data : NULL; }

int xc_engine_add_tensor(xc_engine *e, const char *name, xc_dtype dt, int rank, const int64_t *dims)
{
    if (e->n_tensors == e->cap_tensors) {
        int cap = e->cap_tensors ? e->cap_tensors * 2 : 64;
        xc_etensor *t = realloc(e->tensors, sizeof *t * cap);
        if (!t) return xc_fail(XC_ERR_NOMEM, "out of memory"), -1;
        e->tensors = t;
        e->cap_tensors = cap;
    }
    int id = e->n_tensors;
    xc_etensor *t = &e->tensors[id];
    memset(t, 0, sizeof *t);
    t->name = strdup(name ? name : "");
    if (!t->name) return xc_fail(XC_ERR_NOMEM, "out of memory"), -1;
    t->dtype = dt;
    t->rank = rank;
    if (rank > 0) memcpy(t->dims, dims, sizeof(int64_t) * rank);
    t->producer = t->graph_input = t->graph_output = t->alias = t->weight = t->weight16 = t->slot = t->last_use = -1;
    t->converted_from = -1;
    e->n_tensors++;
    if (name && name[0] && xc_names_put(&e->tensor_index, t->name, id) != XC_OK) return -1;
    return id;
}

static xc_status grow_weights(xc_engine *e)
{
    if (e->n_weights == e->cap_weights) {
        int cap = e->cap_weights ? e->cap_weights * 2 : 64;
        cl_mem *w = realloc(e->weights, sizeof *w * cap);
        if (!w) return xc_fail(XC_ERR_NOMEM, "out of memory");
        e->weights = w;
        e->cap_weights = cap;
    }
    return XC_OK;
}

xc_status xc_engine_add_weight(xc_engine *e, const void *data, size_t bytes, int *index)
{
    XC_TRY(grow_weights(e));
    static const float empty = 0; /* an empty weight still needs a buffer to bind */
    cl_mem m;
    XC_TRY(xc_ocl_buffer(e->dev, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, bytes ? bytes : 4, (void *)(bytes ? data : &empty),
                         "uploading weights", &m));
    *index = e->n_weights;
    e->weights[e->n_weights++] = m;
    e->weight_bytes += bytes;
    return XC_OK;
}

void xc_engine_find_derived(const xc_engine *e, const char *key, int *index)
{
    *index = -1;
    for (int i = 0; i < e->n_derived && *index < 0; i++)
        if (!strcmp(e->derived[i].key, key)) *index = e->derived[i].index;
}

xc_status xc_engine_add_derived(xc_engine *e, const xc_layer *l, const char *key, const void *data, size_t bytes, int *index)
{
    if (e->n_derived == e->cap_derived) {
        int cap = e->cap_derived ? e->cap_derived * 2 : 16;
        struct xc_derived_weight *d = realloc(e->derived, sizeof *d * cap);
        if (!d) return xc_fail(XC_ERR_NOMEM, "out of memory");
        e->derived = d;
        e->cap_derived = cap;
    }
    char *k = strdup(key);
    if (!k) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_status s = xc_engine_add_weight(e, data, bytes, index);
    if (s != XC_OK) {
        free(k);
        return s;
    }
    e->derived[e->n_derived++] = (struct xc_derived_weight){k, *index, (int)(l - e->layers), bytes};
    return XC_OK;
}

static int binds_weight(const xc_layer *l, int w)
{
    for (int k = 0; k < l->n_launches; k++)
        for (int a = 0; a < l->launches[k].n_args; a++)
            if (l->launches[k].args[a].kind == XC_ARG_WEIGHT && l->launches[k].args[a].index == w) return 1;
    return 0;
}

void xc_engine_drop_unused_derived(xc_engine *e, const xc_layer *l)
{
    int kept = 0, li = (int)(l - e->layers);
    for (int d = 0; d < e->n_derived; d++) {
        struct xc_derived_weight *w = &e->derived[d];
        if (w->layer != li || binds_weight(l, w->index)) {
            e->derived[kept++] = *w;
            continue;
        }
        clReleaseMemObject(e->weights[w->index]);
        e->weights[w->index] = NULL;
        e->weight_bytes -= w->bytes;
        free(w->key);
    }
    e->n_derived = kept;
}

/* The buffer of the same constant (name, dtype, shape and bytes equal) in opt.weights_from, as
 * stored (half or not), or NULL: the engines of one profile hold one device copy of each. */
static cl_mem lender(const xc_engine *e, const xc_etensor *t, int half)
{
    const xc_engine *from = e->opt.weights_from;
    int id = from && t->name[0] ? xc_names_get(&from->tensor_index, t->name) : -1;
    if (id < 0) return NULL;
    const xc_etensor *f = &from->tensors[id];
    int w = half ? f->weight16 : f->weight;
    if (w < 0 || !f->value || f->value->dtype != t->value->dtype || f->value->nbytes != t->value->nbytes || f->rank != t->rank
        || memcmp(f->dims, t->dims, sizeof(int64_t) * (size_t)(t->rank > 0 ? t->rank : 0))
        || (t->value->nbytes && memcmp(f->value->data, t->value->data, t->value->nbytes)))
        return NULL;
    return from->weights[w];
}

xc_status xc_engine_const_weight(xc_engine *e, int tensor, int fp16, int *index)
{
    xc_etensor *t = xc_et(e, tensor);
    if (!t->value) return xc_fail(XC_ERR_INTERNAL, "tensor '%s' is not a constant", t->name);
    int half = fp16 && t->dtype == XC_FLOAT;
    int *slot = half ? &t->weight16 : &t->weight;
    if (*slot >= 0) {
        *index = *slot;
        return XC_OK;
    }
    cl_mem lent = lender(e, t, half);
    if (lent) { /* borrowed: released with this engine like its own, not counted in weight_bytes */
        XC_TRY(grow_weights(e));
        clRetainMemObject(lent);
        *slot = *index = e->n_weights;
        e->weights[e->n_weights++] = lent;
        return XC_OK;
    }
    if (!half) {
        XC_TRY(xc_engine_add_weight(e, t->value->data, t->value->nbytes, slot));
        *index = *slot;
        return XC_OK;
    }
    size_t n = xc_tensor_numel(t->value);
    uint16_t *h = malloc(2 * (n ? n : 1));
    if (!h) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) h[i] = xc_engine_half_bits(e, ((const float *)t->value->data)[i]);
    xc_status s = xc_engine_add_weight(e, h, 2 * n, slot);
    free(h);
    *index = *slot;
    return s;
}

uint16_t xc_engine_half_bits(const xc_engine *e, float f) { return xc_half_format_get(e->opt.half_format)->encode(f); }
float xc_engine_half_value(const xc_engine *e, uint16_t h) { return xc_half_format_get(e->opt.half_format)->decode(h); }

void xc_layer_common_defines(const xc_layer *l, char *buf, size_t len)
{
    size_t o = strlen(buf);
    const xc_half_format_info *f = xc_half_format_get(l->half_format);
    snprintf(buf + o, len - o, " -cl-std=CL1.2%s%s%s%s", l->fp16 ? f->define : "", l->residual >= 0 ? " -DXC_RESIDUAL" : "",
             l->fp16 && l->fp16_math ? f->math_define : "", l->fp16 && l->fp16_math > 1 ? " -DXC_FP16_ACC" : "");
}

xc_status xc_layer_program(xc_engine *e, xc_layer *l, const char *file, const char *generated, const char *defines,
                           cl_program *out)
{
    return xc_layer_program_patched(e, l, file, generated, defines, NULL, out);
}

xc_status xc_layer_program_patched(xc_engine *e, xc_layer *l, const char *file, const char *generated, const char *defines,
                                   const struct xc_ptx_patch *patch, cl_program *out)
{
    char opts[1024], prelude[512];
    snprintf(opts, sizeof opts, "%s", defines ? defines : "");
    xc_layer_common_defines(l, opts, sizeof opts);
    if (xc_activation_prelude(prelude, sizeof prelude, l->act, l->alpha, l->beta) >= sizeof prelude)
        return xc_fail(XC_ERR_INTERNAL, "layer '%s': activation prelude too long", l->name);
    return xc_ocl_program_patched(e->dev, prelude, file, generated, opts, l->variant[0] ? l->variant : l->name, patch, out);
}

xc_launch *xc_layer_add_launch(xc_layer *l, cl_program p, const char *kernel)
{
    if (l->n_launches == XC_LAYER_LAUNCHES) return NULL;
    xc_launch *k = &l->launches[l->n_launches++];
    memset(k, 0, sizeof *k);
    k->program = p;
    snprintf(k->kernel, sizeof k->kernel, "%s", kernel);
    return k;
}

static xc_arg *next_arg(xc_launch *k)
{
    static xc_arg spare; /* overflow sink: the runtime refuses launches with too many args */
    if (k->n_args >= XC_LAUNCH_ARGS) {
        k->n_args = XC_LAUNCH_ARGS + 1;
        return &spare;
    }
    xc_arg *a = &k->args[k->n_args++];
    memset(a, 0, sizeof *a);
    return a;
}

void xc_launch_tensor(xc_launch *k, int tensor)
{
    xc_arg *a = next_arg(k);
    a->kind = XC_ARG_TENSOR;
    a->index = tensor;
}
xc_status xc_launch_input(xc_engine *e, const xc_layer *l, xc_launch *k, int t)
{
    if (!e->tensors[t].value) {
        xc_launch_tensor(k, t);
        return XC_OK;
    }
    int w;
    XC_TRY(xc_engine_const_weight(e, t, l->fp16, &w));
    xc_launch_weight(k, w);
    return XC_OK;
}

void xc_launch_weight(xc_launch *k, int weight)
{
    xc_arg *a = next_arg(k);
    a->kind = XC_ARG_WEIGHT;
    a->index = weight;
}
void xc_launch_int(xc_launch *k, int64_t v)
{
    xc_arg *a = next_arg(k);
    a->kind = XC_ARG_INT;
    a->i = v;
}
void xc_launch_long(xc_launch *k, int64_t v)
{
    xc_arg *a = next_arg(k);
    a->kind = XC_ARG_INT;
    a->i = v;
    a->is_long = 1;
}
void xc_launch_float(xc_launch *k, float v)
{
    xc_arg *a = next_arg(k);
    a->kind = XC_ARG_FLOAT;
    a->f = v;
}
void xc_launch_local(xc_launch *k, size_t bytes)
{
    xc_arg *a = next_arg(k);
    a->kind = XC_ARG_LOCAL;
    a->bytes = bytes;
}

void xc_launch_workspace(xc_launch *k)
{
    xc_arg *a = next_arg(k);
    a->kind = XC_ARG_WORKSPACE;
}

void xc_launch_status(const xc_engine *e, const xc_layer *l, xc_launch *k)
{
    next_arg(k)->kind = XC_ARG_STATUS;
    xc_launch_int(k, l - e->layers);
}

void xc_launch_range(xc_launch *k, int dims, const size_t *global, const size_t *local)
{
    k->dims = dims;
    k->has_local = local != NULL;
    for (int d = 0; d < dims; d++) {
        k->global[d] = global[d];
        k->local[d] = local ? local[d] : 0;
    }
}

void xc_launch_1d(xc_launch *k, size_t n)
{
    size_t global = xc_round_up(n ? n : 1, XC_WG_DEFAULT), local = XC_WG_DEFAULT;
    xc_launch_range(k, 1, &global, &local);
}

int xc_engine_slice_fits(const xc_engine *e, const xc_etensor *t, size_t offset)
{
    cl_uint bits = 0;
    if (e->opt.queues > 1 || e->opt.fp32_layers.n) return 0;
    if (clGetDeviceInfo(e->dev->id, CL_DEVICE_MEM_BASE_ADDR_ALIGN, sizeof bits, &bits, NULL) != CL_SUCCESS || !bits) return 0;
    size_t elem = e->opt.fp16 && t->dtype == XC_FLOAT ? 2 : xc_dtype_size(t->dtype); /* as stored */
    return offset * elem % (bits / 8) == 0; /* CL_DEVICE_MEM_BASE_ADDR_ALIGN is in bits */
}

int xc_define_int(const char *defines, const char *name, int def)
{
    char key[40];
    snprintf(key, sizeof key, "-D%s=", name);
    const char *at = strstr(defines ? defines : "", key);
    return at ? atoi(at + strlen(key)) : def;
}

size_t xc_engine_slice_offset(const xc_engine *e, int t, size_t *image)
{
    size_t off = 0;
    *image = 0;
    for (; e->tensors[t].alias >= 0; t = e->tensors[t].alias) {
        off += e->tensors[t].alias_offset;
        if (!*image) *image = e->tensors[t].alias_image; /* a contiguous slice further up keeps it */
    }
    return off;
}

int xc_layer_find_input(const xc_engine *e, const xc_layer *l, int t)
{
    for (int i = 0; i < l->n_in; i++)
        if (l->in[i] >= 0 && (l->in[i] == t || e->tensors[l->in[i]].converted_from == t)) return i;
    return -1;
}

int xc_sole_consumer(const xc_engine *e, int t)
{
    const xc_etensor *x = &e->tensors[t];
    if (x->graph_output >= 0) return -1;
    int found = -1, uses = 0;
    for (int l = 0; l < e->n_layers; l++) {
        const xc_layer *L = &e->layers[l];
        if (L->dead) continue;
        for (int i = 0; i < L->n_in; i++)
            if (L->in[i] == t) {
                uses++;
                found = l;
            }
    }
    return uses == 1 ? found : -1;
}

/* The layer covering A's nodes then B's, named "A + B", with A's kind, inputs and epilogue and
 * B's outputs; A and B are left as they were. 0 when out of memory. */
static int joined(const xc_layer *A, const xc_layer *B, const char *fusion, xc_layer *merged)
{
    int *nodes = malloc(sizeof(int) * (A->n_nodes + B->n_nodes));
    size_t len = strlen(A->name) + strlen(B->name) + 4;
    char *name = malloc(len);
    if (!nodes || !name) {
        free(nodes);
        free(name);
        return 0;
    }
    memcpy(nodes, A->nodes, sizeof(int) * A->n_nodes);
    memcpy(nodes + A->n_nodes, B->nodes, sizeof(int) * B->n_nodes);
    snprintf(name, len, "%s + %s", A->name, B->name);
    *merged = *A;
    merged->nodes = nodes;
    merged->n_nodes = A->n_nodes + B->n_nodes;
    merged->name = name;
    merged->n_out = B->n_out;
    memcpy(merged->out, B->out, sizeof(int) * B->n_out);
    merged->fusion = fusion;
    merged->fusions = A->fusions | B->fusions | xc_pass_bit(fusion);
    merged->code = NULL; /* generated kernels come after the fusions that join layers */
    return 1;
}

/* Frees what layer L owns and marks it dead. */
static void bury(xc_layer *L)
{
    free(L->name);
    free(L->nodes);
    free(L->code);
    memset(L, 0, sizeof *L);
    L->dead = 1;
    L->residual = -1;
}

/* Puts merged at layer index at, its outputs produced there. */
static void place(xc_engine *e, int at, const xc_layer *merged)
{
    e->layers[at] = *merged;
    for (int o = 0; o < merged->n_out; o++)
        if (merged->out[o] >= 0) e->tensors[merged->out[o]].producer = at;
}

void xc_layer_absorb(xc_engine *e, int a, int b, const char *fusion)
{
    xc_layer merged;
    if (!joined(&e->layers[a], &e->layers[b], fusion, &merged)) return; /* out of memory: no fusion */
    bury(&e->layers[a]);
    bury(&e->layers[b]);
    place(e, b, &merged); /* at b's place: every input of the fused kernel is ready there */
}

int xc_layer_absorb_beside(xc_engine *e, int a, int b, const char *fusion)
{
    xc_layer *A = &e->layers[a], *B = &e->layers[b], merged;
    if (A->n_out + B->n_out > XC_LAYER_IO || !joined(A, B, fusion, &merged)) return 0;
    merged.n_out = A->n_out + B->n_out;
    memcpy(merged.out, A->out, sizeof(int) * A->n_out);
    memcpy(merged.out + A->n_out, B->out, sizeof(int) * B->n_out);
    bury(A);
    bury(B);
    place(e, a, &merged);
    return 1;
}

void xc_engine_free(xc_engine *e)
{
    if (!e) return;
    for (int i = 0; i < e->n_tensors; i++) {
        free(e->tensors[i].name);
        xc_tensor_free(e->tensors[i].value);
    }
    free(e->tensors);
    xc_names_free(&e->tensor_index);
    for (int l = 0; l < e->n_layers; l++) {
        free(e->layers[l].name); /* dead layers hold NULLs */
        free(e->layers[l].nodes);
        free(e->layers[l].code);
    }
    free(e->layers);
    for (int w = 0; w < e->n_weights; w++)
        if (e->weights[w]) clReleaseMemObject(e->weights[w]);
    free(e->weights);
    for (int d = 0; d < e->n_derived; d++) free(e->derived[d].key);
    free(e->derived);
    free(e->slot_bytes);
    xc_fault_set_free(e->faults);
    xc_profile_state_free(e->profiles);
    for (int i = 0; i < e->n_opt_names; i++) free(e->opt_names[i]);
    free(e->opt_names);
    xc_ocl_options_free(&e->opt);
    if (!e->dev_borrowed) xc_ocl_device_close(e->dev);
    free(e);
}
