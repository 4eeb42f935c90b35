/* runtime.c — runs an engine: binds each layer's launches to a context's buffers, enqueues them
 * in order on one in-order queue, reports every materialized ONNX tensor to the observer, and
 * runs CPU-fallback layers on the reference. */
#include "ocl/runtime.h"
#include "ocl/build.h"
#include "ocl/fault.h"
#include "ocl/profile_shapes.h"
#include "ocl/schedule.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CANARY_BYTES 256
#define CANARY_WORD 0xA5C3E1F7u

static int root_of(const xc_engine *e, int t)
{
    while (e->tensors[t].alias >= 0) t = e->tensors[t].alias;
    return t;
}

/* share: a context whose activation buffers this one uses too (the engines of one profile
 * share its memory plan at max; runs on one backend never overlap), or NULL. */
static xc_status ctx_create(xc_engine *e, int private_buffers, const xc_ocl_ctx *share, xc_ocl_ctx **out)
{
    *out = NULL;
    xc_ocl_ctx *c = calloc(1, sizeof *c);
    if (!c) return xc_fail(XC_ERR_NOMEM, "out of memory");
    c->e = e;
    c->refits = e->refits;
    c->private_buffers = private_buffers;
    c->n_kernels = e->n_layers * XC_LAYER_LAUNCHES;
    c->kernels = calloc(c->n_kernels + 1, sizeof *c->kernels);
    c->n_priv = e->n_tensors;
    c->priv = calloc(c->n_priv + 1, sizeof *c->priv);
    c->slots = calloc(e->n_slots + 1, sizeof *c->slots);
    cl_int err = CL_SUCCESS;
    if (!c->kernels || !c->priv || !c->slots) {
        xc_ocl_ctx_free(c);
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    c->n_queues = e->opt.queues < 1 ? 1 : e->opt.queues > XC_MAX_QUEUES ? XC_MAX_QUEUES : e->opt.queues;
    c->layer_queue = calloc(e->n_layers + 1, sizeof(int));
    if (!c->layer_queue) {
        xc_ocl_ctx_free(c);
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    for (int k = 0; k < c->n_queues; k++) {
        c->queues[k] = clCreateCommandQueue(e->dev->context, e->dev->id, CL_QUEUE_PROFILING_ENABLE, &err);
        if (err != CL_SUCCESS) {
            xc_ocl_ctx_free(c);
            return xc_cl_fail(err, "clCreateCommandQueue");
        }
    }
    c->q = c->queues[0];
    if (c->n_queues > 1) xc_schedule_assign(c);
    for (int s = 0; !private_buffers && share && s < e->n_slots; s++) {
        c->slots[s] = share->slots[s];
        clRetainMemObject(c->slots[s]);
    }
    for (int s = 0; !private_buffers && !share && s < e->n_slots; s++) {
        xc_status st = xc_ocl_buffer(e->dev, CL_MEM_READ_WRITE, e->slot_bytes[s] ? e->slot_bytes[s] : 4, NULL,
                                     "allocating activation memory", &c->slots[s]);
        if (st != XC_OK) {
            xc_ocl_ctx_free(c);
            return st;
        }
    }
    *out = c;
    return XC_OK;
}

xc_status xc_ocl_ctx_create(xc_engine *e, int private_buffers, xc_ocl_ctx **out)
{
    return ctx_create(e, private_buffers, NULL, out);
}

void xc_ocl_ctx_forget_layer(xc_ocl_ctx *c, int l)
{
    for (int k = 0; k < XC_LAYER_LAUNCHES; k++) {
        cl_kernel *kk = &c->kernels[l * XC_LAYER_LAUNCHES + k];
        if (*kk) clReleaseKernel(*kk);
        *kk = NULL;
    }
}

void xc_ocl_ctx_free(xc_ocl_ctx *c)
{
    if (!c) return;
    for (int k = 0; k < c->n_sub; k++) xc_ocl_ctx_free(c->sub[k]);
    free(c->sub);
    for (int t = 0; t < c->n_host; t++) xc_tensor_free(c->host[t]);
    free(c->host);
    for (int k = 0; c->kernels && k < c->n_kernels; k++)
        if (c->kernels[k]) clReleaseKernel(c->kernels[k]);
    for (int t = 0; c->priv && t < c->n_priv; t++)
        if (c->priv[t]) clReleaseMemObject(c->priv[t]);
    if (c->chill) clReleaseMemObject(c->chill);
    for (int t = 0; c->subs && t < c->n_subs; t++) /* before their parents */
        if (c->subs[t]) clReleaseMemObject(c->subs[t]);
    free(c->subs);
    for (int s = 0; c->slots && s < c->e->n_slots; s++)
        if (c->slots[s]) clReleaseMemObject(c->slots[s]);
    if (c->workspace) clReleaseMemObject(c->workspace);
    if (c->status) clReleaseMemObject(c->status);
    for (int k = 0; k < c->n_queues; k++)
        if (c->queues[k]) clReleaseCommandQueue(c->queues[k]);
    free(c->layer_queue);
    free(c->kernels);
    free(c->priv);
    free(c->slots);
    free(c);
}

/* Grows a per-tensor table of buffers (zero-filled) to cover tensor t. */
static xc_status cover_tensor(const xc_engine *e, cl_mem **table, int *n, int t)
{
    if (t < *n) return XC_OK;
    cl_mem *bigger = realloc(*table, sizeof *bigger * (e->n_tensors + 1));
    if (!bigger) return xc_fail(XC_ERR_NOMEM, "out of memory");
    memset(bigger + *n, 0, sizeof *bigger * (e->n_tensors + 1 - *n));
    *table = bigger;
    *n = e->n_tensors;
    return XC_OK;
}

static xc_status root_mem(xc_ocl_ctx *c, int t, cl_mem *out);

/* A slice of its root's buffer (an in-place Concat input): a sub-buffer, made once per context.
 * concat_elimination only makes slices whose byte offset meets the device's alignment. */
static xc_status slice_mem(xc_ocl_ctx *c, int t, size_t offset, cl_mem *out)
{
    xc_engine *e = c->e;
    XC_TRY(cover_tensor(e, &c->subs, &c->n_subs, t));
    if (!c->subs[t]) {
        cl_mem parent;
        XC_TRY(root_mem(c, t, &parent));
        const xc_etensor *x = &e->tensors[t];
        cl_buffer_region region = {offset * (x->fp16 ? 2 : xc_dtype_size(x->dtype)),
                                   xc_round_up(xc_et_bytes(x) ? xc_et_bytes(x) : 4, 4)};
        cl_int err;
        c->subs[t] = clCreateSubBuffer(parent, CL_MEM_READ_WRITE, CL_BUFFER_CREATE_TYPE_REGION, &region, &err);
        if (err != CL_SUCCESS) return xc_cl_fail(err, "making the slice of a tensor in its Concat's output");
    }
    *out = c->subs[t];
    return XC_OK;
}

xc_status xc_ocl_ctx_mem(xc_ocl_ctx *c, int t, cl_mem *out)
{
    size_t image, offset = xc_engine_slice_offset(c->e, t, &image);
    return offset && !image ? slice_mem(c, t, offset, out) : root_mem(c, t, out);
}

/* Moves tensor t's `bytes` as stored between m, its buffer (xc_ocl_ctx_mem), and host memory at
 * `host` (write: to the device): one copy, or for a strided slice one row per image (its images
 * lie `image` elements apart in the root's buffer, from its offset on). */
static cl_int transfer(xc_ocl_ctx *c, int t, cl_mem m, int write, size_t bytes, void *host)
{
    if (!bytes) return CL_SUCCESS;
    size_t image, offset = xc_engine_slice_offset(c->e, t, &image);
    if (!image)
        return write ? clEnqueueWriteBuffer(c->q, m, CL_TRUE, 0, bytes, host, 0, NULL, NULL)
                     : clEnqueueReadBuffer(c->q, m, CL_TRUE, 0, bytes, host, 0, NULL, NULL);
    const xc_etensor *x = &c->e->tensors[t];
    size_t elem = x->fp16 ? 2 : xc_dtype_size(x->dtype), images = (size_t)x->dims[0], row = bytes / images;
    const size_t dev_at[3] = {offset * elem, 0, 0}, host_at[3] = {0, 0, 0}, region[3] = {row, images, 1};
    return write
               ? clEnqueueWriteBufferRect(c->q, m, CL_TRUE, dev_at, host_at, region, image * elem, 0, row, 0, host, 0, NULL, NULL)
               : clEnqueueReadBufferRect(c->q, m, CL_TRUE, dev_at, host_at, region, image * elem, 0, row, 0, host, 0, NULL, NULL);
}

/* The buffer of t's root tensor. */
static xc_status root_mem(xc_ocl_ctx *c, int t, cl_mem *out)
{
    xc_engine *e = c->e;
    t = root_of(e, t);
    xc_etensor *x = &e->tensors[t];
    if (x->value) {
        if (x->weight < 0) return xc_fail(XC_ERR_INTERNAL, "constant '%s' is bound as an activation", x->name);
        *out = e->weights[x->weight];
        return XC_OK;
    }
    if (!c->private_buffers) {
        if (x->slot < 0) return xc_fail(XC_ERR_INTERNAL, "tensor '%s' has no memory slot", x->name);
        *out = c->slots[x->slot];
        return XC_OK;
    }
    XC_TRY(cover_tensor(e, &c->priv, &c->n_priv, t)); /* t may be newer than the context (a tactic's derived constant) */
    if (!c->priv[t]) {
        cl_int err;
        size_t bytes = xc_round_up(xc_et_bytes(x) ? xc_et_bytes(x) : 4, 4); /* aliases have the same bytes */
        XC_TRY(xc_ocl_buffer(e->dev, CL_MEM_READ_WRITE, bytes + (c->canary ? CANARY_BYTES : 0), NULL,
                             "allocating a tensor buffer", &c->priv[t]));
        static const cl_uint zero = 0, guard = CANARY_WORD; /* tactics are timed on zeros, not on stale memory */
        err = clEnqueueFillBuffer(c->q, c->priv[t], &zero, sizeof zero, 0, bytes, 0, NULL, NULL);
        if (err == CL_SUCCESS && c->canary)
            err = clEnqueueFillBuffer(c->q, c->priv[t], &guard, sizeof guard, bytes, CANARY_BYTES, 0, NULL, NULL);
        if (err != CL_SUCCESS) return xc_cl_fail(err, "clearing a tensor buffer");
    }
    *out = c->priv[t];
    return XC_OK;
}

/* The host table's entry for tensor t (a shape known at run time), grown to cover t. */
static xc_status host_slot(xc_ocl_ctx *c, int t, xc_tensor ***out)
{
    if (t >= c->n_host) {
        xc_tensor **h = realloc(c->host, sizeof *h * ((size_t)c->e->n_tensors + 1));
        if (!h) return xc_fail(XC_ERR_NOMEM, "out of memory");
        memset(h + c->n_host, 0, sizeof *h * ((size_t)c->e->n_tensors + 1 - (size_t)c->n_host));
        c->host = h;
        c->n_host = c->e->n_tensors;
    }
    *out = &c->host[t];
    return XC_OK;
}

xc_status xc_ocl_ctx_upload(xc_ocl_ctx *c, int t, const xc_tensor *host)
{
    const xc_etensor *x = &c->e->tensors[t];
    if (x->host) { /* kept on the host: a copy, replacing the last run's */
        xc_tensor **slot;
        XC_TRY(host_slot(c, t, &slot));
        xc_tensor_free(*slot);
        *slot = NULL;
        return xc_tensor_clone(host, slot);
    }
    cl_mem m;
    XC_TRY(xc_ocl_ctx_mem(c, t, &m));
    size_t n = xc_tensor_numel(host);
    const void *src = host->data;
    uint16_t *half = NULL;
    if (x->fp16) { /* storage is 16-bit: convert on the host */
        half = malloc(2 * (n ? n : 1));
        if (!half) return xc_fail(XC_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < n; i++) half[i] = xc_engine_half_bits(c->e, xc_load_f32(host->dtype, host->data, i));
        src = half;
    }
    size_t bytes = x->fp16 ? 2 * n : host->nbytes;
    cl_int err = transfer(c, t, m, 1, bytes, (void *)src);
    free(half);
    if (err != CL_SUCCESS) return xc_cl_fail(err, "uploading an input");
    return XC_OK;
}

xc_status xc_ocl_ctx_download(xc_ocl_ctx *c, int t, xc_tensor **out)
{
    const xc_etensor *x = &c->e->tensors[t];
    if (x->value) return xc_tensor_clone(x->value, out);
    if (x->host) {
        xc_tensor **slot;
        XC_TRY(host_slot(c, t, &slot));
        if (!*slot) return xc_fail(XC_ERR_INTERNAL, "tensor '%s' is read before the CPU layer making it ran", x->name);
        XC_TRY(xc_tensor_clone(*slot, out));
        return xc_tensor_set_name(*out, x->name);
    }
    cl_mem m;
    XC_TRY(xc_ocl_ctx_mem(c, t, &m));
    XC_TRY(xc_tensor_new(x->dtype, x->rank, x->dims, out));
    size_t n = xc_tensor_numel(*out);
    cl_int err;
    if (x->fp16) {
        uint16_t *half = malloc(2 * (n ? n : 1));
        if (!half) return xc_fail(XC_ERR_NOMEM, "out of memory");
        err = transfer(c, t, m, 0, 2 * n, half);
        for (size_t i = 0; err == CL_SUCCESS && i < n; i++)
            xc_store_f32(x->dtype, (*out)->data, i, xc_engine_half_value(c->e, half[i]));
        free(half);
    } else {
        err = transfer(c, t, m, 0, (*out)->nbytes, (*out)->data);
    }
    if (err != CL_SUCCESS) {
        xc_tensor_free(*out);
        *out = NULL;
        return xc_cl_fail(err, "reading a tensor back");
    }
    return xc_tensor_set_name(*out, x->name);
}

/* The per-layer error flags, zeroed, on first use. */
static xc_status status_mem(xc_ocl_ctx *c)
{
    if (c->status) return XC_OK;
    size_t bytes = (size_t)c->e->n_layers * sizeof(cl_int);
    cl_int *zero = calloc(c->e->n_layers + 1, sizeof *zero);
    if (!zero) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_status s = xc_ocl_buffer(c->e->dev, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, bytes ? bytes : sizeof(cl_int), zero,
                                "allocating the error flags", &c->status);
    free(zero);
    return s;
}

/* After a run: the first layer whose kernels flagged an input they cannot honour fails the run
 * (and the flags are cleared for the next one). */
static xc_status check_status(xc_ocl_ctx *c)
{
    int n = c->e->n_layers;
    if (!c->status || n == 0) return XC_OK;
    cl_int *flags = calloc(n, sizeof *flags);
    if (!flags) return xc_fail(XC_ERR_NOMEM, "out of memory");
    cl_int err = clEnqueueReadBuffer(c->q, c->status, CL_TRUE, 0, n * sizeof *flags, flags, 0, NULL, NULL);
    int bad = -1;
    for (int l = 0; err == CL_SUCCESS && l < n && bad < 0; l++)
        if (flags[l]) bad = l;
    if (err == CL_SUCCESS && bad >= 0) {
        memset(flags, 0, n * sizeof *flags);
        err = clEnqueueWriteBuffer(c->q, c->status, CL_TRUE, 0, n * sizeof *flags, flags, 0, NULL, NULL);
    }
    free(flags);
    if (err != CL_SUCCESS) return xc_cl_fail(err, "reading the error flags");
    if (bad < 0) return XC_OK;
    const xc_layer *L = &c->e->layers[bad];
    return xc_fail(XC_ERR_MODEL, "layer '%s' (%s): an index input holds a value out of range for the axis it indexes", L->name,
                   L->node ? L->node->op_type : "?");
}

static xc_status bind_args(xc_ocl_ctx *c, cl_kernel k, const xc_launch *L)
{
    if (L->n_args > XC_LAUNCH_ARGS) return xc_fail(XC_ERR_INTERNAL, "kernel %s has too many arguments", L->kernel);
    for (int a = 0; a < L->n_args; a++) {
        const xc_arg *x = &L->args[a];
        cl_int err = CL_SUCCESS;
        cl_mem m;
        cl_int i32;
        cl_long i64;
        switch (x->kind) {
        case XC_ARG_TENSOR:
            XC_TRY(xc_ocl_ctx_mem(c, x->index, &m));
            err = clSetKernelArg(k, a, sizeof m, &m);
            break;
        case XC_ARG_WEIGHT: err = clSetKernelArg(k, a, sizeof(cl_mem), &c->e->weights[x->index]); break;
        case XC_ARG_INT:
            if (x->is_long) {
                i64 = x->i;
                err = clSetKernelArg(k, a, sizeof i64, &i64);
            } else {
                i32 = (cl_int)x->i;
                err = clSetKernelArg(k, a, sizeof i32, &i32);
            }
            break;
        case XC_ARG_FLOAT: err = clSetKernelArg(k, a, sizeof(cl_float), &x->f); break;
        case XC_ARG_LOCAL: err = clSetKernelArg(k, a, x->bytes, NULL); break;
        case XC_ARG_WORKSPACE: err = clSetKernelArg(k, a, sizeof(cl_mem), &c->workspace); break;
        case XC_ARG_STATUS:
            XC_TRY(status_mem(c));
            err = clSetKernelArg(k, a, sizeof(cl_mem), &c->status);
            break;
        }
        if (err != CL_SUCCESS) {
            char what[128];
            snprintf(what, sizeof what, "setting argument %d of kernel %s", a, L->kernel);
            return xc_cl_fail(err, what);
        }
    }
    return XC_OK;
}

/* The values a CPU layer's subgraphs capture: its inputs past the node's own (add_captures). */
typedef struct captured {
    const xc_engine *e;
    const xc_layer *L;
    xc_tensor *const *values;
} captured;

static const xc_tensor *find_captured(const xc_ref_scope *self, const char *name)
{
    const captured *c = self->user;
    for (int i = c->L->node->n_inputs; i < c->L->n_in; i++)
        if (!strcmp(c->e->tensors[c->L->in[i]].name, name)) return c->values[i];
    return NULL;
}

static xc_status run_cpu_layer(xc_ocl_ctx *c, int l)
{
    xc_engine *e = c->e;
    const xc_layer *L = &e->layers[l];
    const xc_node *n = L->node;
    xc_tensor *in[XC_LAYER_IO] = {0}, *out[XC_LAYER_IO] = {0};
    xc_status s = XC_OK;
    for (int i = 0; i < L->n_in && s == XC_OK; i++)
        if (L->in[i] >= 0) s = xc_ocl_ctx_download(c, L->in[i], &in[i]);
    captured cap = {e, L, in};
    xc_ref_scope scope = {NULL, find_captured, &cap};
    if (s == XC_OK) s = xc_ref_eval_node_in(n, (const xc_tensor *const *)in, out, L->n_in > n->n_inputs ? &scope : NULL);
    for (int o = 0; o < L->n_out && s == XC_OK; o++)
        if (L->out[o] >= 0 && out[o]) s = xc_ocl_ctx_upload(c, L->out[o], out[o]);
    for (int i = 0; i < XC_LAYER_IO; i++) {
        xc_tensor_free(in[i]);
        xc_tensor_free(out[i]);
    }
    return s;
}

static void finish_all(xc_ocl_ctx *c)
{
    for (int k = 0; k < c->n_queues; k++) clFinish(c->queues[k]);
}

/* Enqueues layer l on queue q, its first launch waiting for `wait`. */
static xc_status run_layer_on(xc_ocl_ctx *c, int l, cl_command_queue q, int n_wait, const cl_event *wait, cl_event *first,
                              cl_event *last)
{
    xc_layer *L = &c->e->layers[l];
    if (first) *first = NULL;
    if (last) *last = NULL;
    if (L->cpu) {
        finish_all(c); /* the reference reads through queue 0: everything before must be done */
        return run_cpu_layer(c, l);
    }
    if (L->workspace > c->workspace_bytes) { /* grown once per larger need; layers run in turn */
        finish_all(c);
        if (c->workspace) clReleaseMemObject(c->workspace);
        xc_status st =
            xc_ocl_buffer(c->e->dev, CL_MEM_READ_WRITE, L->workspace, NULL, "allocating tactic workspace", &c->workspace);
        c->workspace_bytes = c->workspace ? L->workspace : 0;
        if (st != XC_OK) return st;
    }
    for (int k = 0; k < L->n_launches; k++) {
        const xc_launch *la = &L->launches[k];
        cl_kernel *kk = &c->kernels[l * XC_LAYER_LAUNCHES + k];
        cl_int err;
        if (!*kk) {
            *kk = clCreateKernel(la->program, la->kernel, &err);
            if (err != CL_SUCCESS) return xc_cl_fail(err, la->kernel);
        }
        XC_TRY(bind_args(c, *kk, la));
        cl_event *want = k == L->n_launches - 1 && last ? last : k == 0 && first ? first : NULL;
        err = clEnqueueNDRangeKernel(q, *kk, la->dims, NULL, la->global, la->has_local ? la->local : NULL,
                                     k ? 0 : (cl_uint)n_wait, k || !n_wait ? NULL : wait, want);
        if (err == CL_SUCCESS && k == 0 && first && last && L->n_launches == 1) {
            *first = *last;
            clRetainEvent(*first); /* one launch: first and last are the same event */
        }
        if (err != CL_SUCCESS) {
            char what[256];
            snprintf(what, sizeof what, "layer '%s' (%s): launching %s", L->name, L->variant, la->kernel);
            return xc_cl_fail(err, what);
        }
    }
    return XC_OK;
}

/* Canary mode: the guard after each output of layer l must be intact. */
static xc_status check_canaries(xc_ocl_ctx *c, int l)
{
    const xc_layer *L = &c->e->layers[l];
    for (int o = 0; o < L->n_out; o++) {
        if (L->out[o] < 0) continue;
        int t = root_of(c->e, L->out[o]);
        if (t >= c->n_priv || !c->priv[t]) continue;
        cl_uint guard[CANARY_BYTES / 4];
        size_t end = xc_round_up(xc_et_bytes(&c->e->tensors[t]) ? xc_et_bytes(&c->e->tensors[t]) : 4, 4);
        cl_int err = clEnqueueReadBuffer(c->q, c->priv[t], CL_TRUE, end, CANARY_BYTES, guard, 0, NULL, NULL);
        if (err != CL_SUCCESS) return xc_cl_fail(err, "reading a canary");
        for (int k = 0; k < CANARY_BYTES / 4; k++)
            if (guard[k] != CANARY_WORD)
                return xc_fail(XC_ERR_RUNTIME, "layer '%s' (tactic %s) wrote past the end of tensor '%s' (byte %zu after it)",
                               L->name, L->variant, c->e->tensors[t].name, (size_t)k * 4);
    }
    return XC_OK;
}

xc_status xc_ocl_ctx_run_layer(xc_ocl_ctx *c, int l, cl_event *first, cl_event *last)
{
    return run_layer_on(c, l, c->q, 0, NULL, first, last);
}

/* The buffers layer l reads (activations only: weights never change) and writes. */
static int layer_buffers(xc_ocl_ctx *c, int l, cl_mem *reads, int *n_reads, cl_mem *writes)
{
    const xc_layer *L = &c->e->layers[l];
    int nw = 0;
    *n_reads = 0;
    for (int i = 0; i < L->n_in; i++)
        if (L->in[i] >= 0 && !c->e->tensors[L->in[i]].value && xc_ocl_ctx_mem(c, L->in[i], &reads[*n_reads]) == XC_OK)
            (*n_reads)++;
    for (int o = 0; o < L->n_out; o++)
        if (L->out[o] >= 0 && xc_ocl_ctx_mem(c, L->out[o], &writes[nw]) == XC_OK) nw++;
    if (L->workspace && c->workspace) writes[nw++] = c->workspace;
    return nw;
}

xc_status xc_ocl_ctx_chill(xc_ocl_ctx *c, int l)
{
    if (!c->chill) {
        const xc_ocl_device *d = c->e->dev;
        size_t bytes = 2 * d->cache_bytes > ((size_t)128 << 20) ? 2 * d->cache_bytes : (size_t)128 << 20;
        if (bytes > d->global_mem / 4) bytes = d->global_mem / 4; /* a device's memory, not a host's swap */
        if (bytes > d->max_alloc) bytes = d->max_alloc;
        XC_TRY(xc_ocl_buffer(c->e->dev, CL_MEM_READ_WRITE, bytes, NULL, "allocating the buffer that empties the device cache",
                             &c->chill));
        c->chill_bytes = bytes;
    }
    static const cl_uint pattern = 0x5a5a5a5au;
    cl_int err = clEnqueueFillBuffer(c->q, c->chill, &pattern, sizeof pattern, 0, c->chill_bytes, 0, NULL, NULL);
    cl_mem reads[XC_LAYER_IO], writes[XC_LAYER_IO + 1];
    int n_reads;
    layer_buffers(c, l, reads, &n_reads, writes);
    for (int i = 0; i < n_reads && err == CL_SUCCESS; i++) { /* a copy reads the input through the cache */
        size_t size = 0;
        err = clGetMemObjectInfo(reads[i], CL_MEM_SIZE, sizeof size, &size, NULL);
        if (err == CL_SUCCESS && size)
            err =
                clEnqueueCopyBuffer(c->q, reads[i], c->chill, 0, 0, size < c->chill_bytes ? size : c->chill_bytes, 0, NULL, NULL);
    }
    return err == CL_SUCCESS ? XC_OK : xc_cl_fail(err, "emptying the device cache before a timed run");
}

/* One layer under --queues N: on its queue, after the events it depends on. */
static xc_status run_scheduled(xc_ocl_ctx *c, xc_schedule *s, int l)
{
    cl_mem reads[XC_LAYER_IO], writes[XC_LAYER_IO + 1];
    cl_event wait[64], ev = NULL;
    int n_reads, n_writes = layer_buffers(c, l, reads, &n_reads, writes);
    int n_wait = xc_schedule_waits(s, reads, n_reads, writes, n_writes, wait, 64);
    XC_TRY(run_layer_on(c, l, c->queues[c->layer_queue[l]], n_wait, wait, NULL, &ev));
    if (!ev) return XC_OK; /* no launches (views) or ran on the CPU, which finished everything */
    n_writes = layer_buffers(c, l, reads, &n_reads, writes); /* the workspace may have been created */
    xc_schedule_done(s, reads, n_reads, writes, n_writes, ev);
    clReleaseEvent(ev);
    return XC_OK;
}

static xc_status report(xc_ocl_ctx *c, int l, const xc_observer *obs)
{
    const xc_layer *L = &c->e->layers[l];
    for (int o = 0; o < L->n_out; o++) {
        if (L->out[o] < 0 || !c->e->tensors[L->out[o]].name[0]) continue;
        xc_tensor *t;
        XC_TRY(xc_ocl_ctx_download(c, L->out[o], &t));
        xc_status s = obs->on_tensor(obs->user, t->name, t, L->name);
        xc_tensor_free(t);
        XC_TRY(s);
    }
    return XC_OK;
}

/* The ONNX name a layer input carries: its own, or that of the tensor it is a reformatted copy
 * of ("" for tensors a pass made, which have no counterpart in the model). */
static const char *onnx_name(const xc_engine *e, int t)
{
    const xc_etensor *x = &e->tensors[t];
    if (!x->name[0] && x->converted_from >= 0) x = &e->tensors[x->converted_from];
    return x->name;
}

/* Isolated runs: replaces layer l's activation inputs by the feeder's values (the reference's),
 * so the layer's output shows its own error rather than the error accumulated upstream. */
static xc_status feed_layer(xc_ocl_ctx *c, int l)
{
    const xc_layer *L = &c->e->layers[l];
    finish_all(c); /* uploads go through queue 0; the layer may run on another */
    for (int i = 0; i < L->n_in; i++) {
        int t = L->in[i];
        if (t < 0 || c->e->tensors[t].value || c->e->tensors[t].graph_input >= 0) continue;
        const xc_etensor *x = &c->e->tensors[t];
        const char *name = onnx_name(c->e, t);
        const xc_tensor *v = NULL;
        if (!name[0]) continue;
        XC_TRY(c->feed->value(c->feed->user, name, &v));
        xc_status s = XC_OK;
        if (v && v->dtype == x->dtype && xc_shape_equal(v->rank, v->dims, x->rank, x->dims)) s = xc_ocl_ctx_upload(c, t, v);
        if (v && c->feed->done) c->feed->done(c->feed->user, name);
        XC_TRY(s);
    }
    return XC_OK;
}

/* A context of c on se (a shape engine of profile p, or another profile's opt engine), made
 * once; it shares the activation buffers of a context whose engine has the same memory plan. */
static xc_status sub_ctx(xc_ocl_ctx *c, xc_engine *se, int p, xc_ocl_ctx **out)
{
    for (int k = 0; k < c->n_sub; k++)
        if (c->sub[k]->e == se) return *out = c->sub[k], XC_OK;
    const xc_ocl_ctx *share = NULL;
    if (se->plan_profile == p + 1 && !c->private_buffers) {
        if (c->e->plan_profile == p + 1) share = c;
        for (int k = 0; k < c->n_sub && !share; k++)
            if (c->sub[k]->e->plan_profile == p + 1 && c->sub[k]->e->n_slots == se->n_slots) share = c->sub[k];
        if (share && share->e->n_slots != se->n_slots) share = NULL;
    }
    xc_ocl_ctx **grown = realloc(c->sub, sizeof *grown * (size_t)(c->n_sub + 1));
    if (!grown) return xc_fail(XC_ERR_NOMEM, "out of memory");
    c->sub = grown;
    XC_TRY(ctx_create(se, c->private_buffers, share, out));
    (*out)->canary = c->canary;
    c->sub[c->n_sub++] = *out;
    return XC_OK;
}

xc_status xc_ocl_ctx_run(xc_ocl_ctx *c, const xc_tensor *const *inputs, xc_tensor **outputs, const xc_observer *obs)
{
    xc_engine *e = c->e;
    if (e->profiles) { /* the engine for the shapes fed: e, or one of its profile's */
        xc_engine *se;
        xc_ocl_ctx *sc = NULL;
        int p;
        XC_TRY(xc_profile_engine_for(e, inputs, &se, &p));
        if (se != e) {
            XC_TRY(sub_ctx(c, se, p, &sc));
            sc->feed = c->feed;
            xc_status s = xc_ocl_ctx_run(sc, inputs, outputs, obs);
            sc->feed = NULL;
            return s;
        }
    }
    if (c->refits != e->refits) { /* a refit replaced the launches: kernels of the old programs go */
        for (int l = 0; l < c->n_kernels / XC_LAYER_LAUNCHES; l++) xc_ocl_ctx_forget_layer(c, l);
        c->refits = e->refits;
    }
    for (int t = 0; t < e->n_tensors; t++) {
        int k = e->tensors[t].graph_input;
        if (k < 0) continue;
        const xc_etensor *x = &e->tensors[t];
        if (!inputs[k] || inputs[k]->dtype != x->dtype || !xc_shape_equal(x->rank, x->dims, inputs[k]->rank, inputs[k]->dims)) {
            char want[256], got[256], dims[256];
            return xc_fail(XC_ERR_USAGE,
                           "input '%s': the engine was built for %s, got %s (give inputs of its shape, --input-shapes %s:%s, or "
                           "build an engine for these)",
                           x->name, xc_shape_str(x->dtype, x->rank, x->dims, want, sizeof want),
                           inputs[k] ? xc_tensor_desc(inputs[k], got, sizeof got) : "nothing", x->name,
                           xc_dims_str(x->rank, x->dims, dims, sizeof dims));
        }
        XC_TRY(xc_ocl_ctx_upload(c, t, inputs[k]));
    }
    xc_schedule *sched = NULL;
    if (c->n_queues > 1) XC_TRY(xc_schedule_begin(&sched));
    xc_status s = XC_OK;
    for (int l = 0; l < e->n_layers && s == XC_OK; l++) {
        if (e->layers[l].dead) continue;
        if (c->feed && (s = feed_layer(c, l)) != XC_OK) break;
        s = sched ? run_scheduled(c, sched, l) : xc_ocl_ctx_run_layer(c, l, NULL, NULL);
        if (s == XC_OK) s = xc_fault_apply(c, l); /* off unless asked for (ocl/fault.h) */
        if (s == XC_OK && (c->canary || (obs && obs->on_tensor))) finish_all(c);
        if (s == XC_OK && c->canary) s = check_canaries(c, l);
        if (s == XC_OK && obs && obs->on_tensor) s = report(c, l, obs);
    }
    for (int k = 0; k < c->n_queues; k++) {
        cl_int err = clFinish(c->queues[k]);
        if (err != CL_SUCCESS && s == XC_OK) s = xc_cl_fail(err, "running the engine");
    }
    xc_schedule_end(sched);
    XC_TRY(s);
    XC_TRY(check_status(c));
    const xc_graph *g = e->model->graph;
    for (int o = 0; o < g->n_outputs; o++) {
        xc_status s = xc_ocl_ctx_download(c, xc_engine_tensor(e, g->outputs[o].name), &outputs[o]);
        if (s != XC_OK) {
            for (int p = 0; p < o; p++) {
                xc_tensor_free(outputs[p]);
                outputs[p] = NULL;
            }
            return s;
        }
    }
    return XC_OK;
}

/* ---- the xc_backend face of a context ---- */

static xc_status backend_run(xc_backend *b, const xc_tensor *const *in, xc_tensor **out, const xc_observer *obs)
{
    return xc_ocl_ctx_run(b->impl, in, out, obs);
}

static void backend_destroy(xc_backend *b)
{
    xc_ocl_ctx_free(b->impl);
    free(b);
}

xc_status xc_ocl_backend_run_fed(xc_backend *b, const xc_tensor *const *inputs, xc_tensor **outputs, const xc_observer *obs,
                                 const xc_feeder *feed)
{
    xc_ocl_ctx *c = b->impl;
    c->feed = feed;
    xc_status s = xc_ocl_ctx_run(c, inputs, outputs, obs);
    c->feed = NULL;
    return s;
}

xc_status xc_ocl_backend_create(xc_engine *e, xc_backend **out)
{
    *out = NULL;
    xc_backend *b = calloc(1, sizeof *b);
    if (!b) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_ocl_ctx *c;
    const char *canary = getenv("CROSSCHECK_OCL_CANARY");
    int guard = canary && canary[0] && strcmp(canary, "0");
    xc_status s = xc_ocl_ctx_create(e, guard, &c);
    if (s == XC_OK) c->canary = guard;
    if (s != XC_OK) {
        free(b);
        return s;
    }
    b->name = "ocl";
    b->run = backend_run;
    b->destroy = backend_destroy;
    b->impl = c;
    *out = b;
    return XC_OK;
}
