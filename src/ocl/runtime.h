/* runtime.h — execution contexts on an engine (internal). A context owns a command queue,
 * activation buffers (one per memory-plan slot, or one per tensor while tuning) and kernel
 * objects; several contexts share one engine's programs and weights. */
#ifndef XC_OCL_RUNTIME_H
#define XC_OCL_RUNTIME_H
#include "backend.h"
#include "ocl/engine.h"

#define XC_MAX_QUEUES 8

typedef struct xc_ocl_ctx {
    xc_engine *e;
    cl_command_queue q; /* queue 0: uploads, downloads, tuning */
    int n_queues;
    cl_command_queue queues[XC_MAX_QUEUES]; /* queues[0] == q */
    int *layer_queue;                       /* per layer, with --queues > 1 */
    int private_buffers;                    /* tuning and canary checks: every tensor its own buffer */
    int canary;                             /* a guard region after every buffer, checked after each layer */
    cl_mem *slots;                          /* per memory-plan slot */
    cl_mem *priv;                           /* per tensor, private mode (grows: tactics may add tensors) */
    int n_priv;
    cl_kernel *kernels; /* n_layers * XC_LAYER_LAUNCHES, made on first use */
    cl_mem workspace;   /* scratch for tactics that need it, grown on demand */
    size_t workspace_bytes;
    int n_kernels;
    const xc_feeder *feed; /* isolated runs: values replacing each layer's inputs */
    cl_mem *subs;          /* per tensor: the sub-buffer of a slice alias (in-place Concat) */
    int n_subs;
    cl_mem status;           /* XC_ARG_STATUS: one int per layer, made on first use */
    int n_host;              /* tensors whose shape is known at run time only (etensor.host): */
    struct xc_tensor **host; /* the last run's values, owned */
    int n_sub;               /* a profiled engine: contexts on the engines of other shapes, */
    struct xc_ocl_ctx **sub; /* made on first use (owned) */
    int refits;              /* e->refits when its kernels were made (refit.c) */
    cl_mem chill;            /* xc_ocl_ctx_chill's buffer, made on first use */
    size_t chill_bytes;
} xc_ocl_ctx;

xc_status xc_ocl_ctx_create(xc_engine *e, int private_buffers, xc_ocl_ctx **out);
void xc_ocl_ctx_free(xc_ocl_ctx *c);
/* Drops layer l's kernel objects (its tactic changed). */
void xc_ocl_ctx_forget_layer(xc_ocl_ctx *c, int l);
/* The buffer holding tensor t in this context (weights for constants). */
xc_status xc_ocl_ctx_mem(xc_ocl_ctx *c, int t, cl_mem *out);
/* Host tensor (logical dtype) -> device storage of t, and back. */
xc_status xc_ocl_ctx_upload(xc_ocl_ctx *c, int t, const xc_tensor *host);
xc_status xc_ocl_ctx_download(xc_ocl_ctx *c, int t, xc_tensor **out);
/* Enqueues layer l (CPU layers run synchronously). first/last (may be NULL) receive the events
 * of its first and last launch (NULL for layers without launches); the caller releases them. */
xc_status xc_ocl_ctx_run_layer(xc_ocl_ctx *c, int l, cl_event *first, cl_event *last);
/* Enqueues what empties the device's cache (a fill of a buffer twice its size, at least 128 MiB,
 * at most a quarter of the device's memory)
 * and then reads layer l's activation inputs back into it, so l's next run meets its weights in
 * memory and its inputs in the cache (the tuner's --timing-weights cold). */
xc_status xc_ocl_ctx_chill(xc_ocl_ctx *c, int l);
/* A whole inference: inputs in runtime-input order, outputs allocated in graph-output order. */
xc_status xc_ocl_ctx_run(xc_ocl_ctx *c, const xc_tensor *const *inputs, xc_tensor **outputs, const xc_observer *obs);
#endif
