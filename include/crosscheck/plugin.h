/* plugin.h — custom operators from shared libraries (`--plugins lib.so`, xc_plugin_load()).
 *
 * A plugin is a shared library that registers operators of custom domains (never ai.onnx):
 * each with an opset range, input/output counts, attributes, a shape-inference callback and a
 * reference compute callback. Registered ops validate, infer shapes and run on the reference
 * like built-in ones; the OpenCL engine runs them with --fallback-cpu (on the reference).
 *
 * A plugin defines exactly two symbols, both with this header's macros:
 *
 *     #include <crosscheck/plugin.h>
 *     XC_PLUGIN_ABI;                                     // the ABI it was built for
 *     XC_PLUGIN_EXPORT xc_status xc_plugin_init(xc_plugin_registry *r)
 *     {
 *         static const xc_plugin_op op = {"com.example", "ScaledAdd", 1, 0, 2, 2, 1, 1,
 *                                         attrs, infer, compute};
 *         return xc_plugin_register_op(r, &op);
 *     }
 *
 * and is linked with undefined references to the XC_API functions below (`cc -shared -fPIC`,
 * no -lcrosscheck needed): they resolve against the crosscheck that loads it (the CLI exports
 * them, as does libcrosscheck.so). A library built for another XC_PLUGIN_ABI_VERSION is refused
 * with a one-line error. Loading is process-wide, not thread-safe, and cannot be undone; load
 * plugins before loading models that use them.
 *
 * Callbacks report failures by returning xc_plugin_fail(): the message then names the plugin,
 * the op and the node. They must not keep pointers they were given past the call.
 *
 * OpenCL (optional): an op whose inputs and outputs are all float32 may give the engine a
 * kernel (opencl_source, opencl_kernel); without one the engine runs the op on the reference
 * with --fallback-cpu. The kernel runs one work-item per element of output 0 (global size
 * rounded up: return when get_global_id(0) >= n) with the signature
 *     __kernel void K(__global const store_t *in0, ..., __global store_t *out0, ...,
 *                     const int n, const int n_in0, ...)
 * n being output 0's element count and n_in<i> input i's (omitted optional inputs keep the node
 * on the CPU; XC_N_INPUTS says how many inputs the node has). Tensors are read with LOAD(p, i)
 * and written with STORE(p, i, v) in float arithmetic (storage is half under --fp16). Each
 * declared INT or FLOAT attribute the node sets is a define, ATTR_<name>; use #ifndef for
 * defaults. The engine lists such layers with tactic plugin.opencl. */
#ifndef XC_PUBLIC_PLUGIN_H
#define XC_PUBLIC_PLUGIN_H
#include "tensor.h"
#include <stddef.h>
#include <stdint.h>

/* Raised whenever a struct or callback below changes. */
#define XC_PLUGIN_ABI_VERSION 1

#if defined(__GNUC__) || defined(__clang__)
#define XC_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define XC_PLUGIN_EXPORT
#endif
/* Defines the plugin's ABI stamp; crosscheck reads it before calling xc_plugin_init. */
#define XC_PLUGIN_ABI XC_PLUGIN_EXPORT const int xc_plugin_abi_version = XC_PLUGIN_ABI_VERSION

/* Handed to xc_plugin_init; valid only during that call. */
typedef struct xc_plugin_registry xc_plugin_registry;
/* The node a callback is called for; valid only during that call. */
typedef struct xc_plugin_node xc_plugin_node;

/* Attribute types, numbered as ONNX's AttributeProto. */
typedef enum {
    XC_PLUGIN_ATTR_FLOAT = 1,
    XC_PLUGIN_ATTR_INT = 2,
    XC_PLUGIN_ATTR_STRING = 3,
    XC_PLUGIN_ATTR_FLOATS = 6,
    XC_PLUGIN_ATTR_INTS = 7
} xc_plugin_attr_type;

typedef struct xc_plugin_attr {
    const char *name;
    xc_plugin_attr_type type;
    int required;
} xc_plugin_attr;

/* What is known about one input or output during shape inference. Inference runs at load time
 * (dims of symbolic inputs unknown, `value` set only for constant inputs) and again before each
 * run (everything known). */
typedef struct xc_plugin_shape {
    int present;               /* 0: optional input omitted, or output not requested */
    xc_dtype dtype;            /* XC_UNDEFINED when unknown */
    int rank;                  /* -1 when unknown */
    int64_t dims[XC_MAX_RANK]; /* -1 where unknown */
    const xc_tensor *value;    /* inputs only: the value when known, else NULL */
} xc_plugin_shape;

/* Sets out[o].dtype, .rank and .dims (they arrive as unknown) from what is known of the inputs.
 * Leaving an output unknown is allowed (compute then allocates it); an invalid input is an
 * error (XC_ERR_MODEL) or unsupported (XC_ERR_UNSUPPORTED). */
typedef xc_status (*xc_plugin_infer_fn)(const xc_plugin_node *node, int n_in, const xc_plugin_shape *in, int n_out,
                                        xc_plugin_shape *out);
/* Computes the outputs. in[i] is NULL for an omitted optional input. out[o] arrives allocated
 * (zero-filled, with the inferred dtype and shape) when inference knew its shape, else NULL:
 * then the callback creates it with xc_tensor_new(). An allocated output is written in place,
 * never replaced. Outputs not requested arrive NULL and may stay NULL. Reference kernels should be plain and obvious: they are the oracle. */
typedef xc_status (*xc_plugin_compute_fn)(const xc_plugin_node *node, int n_in, const xc_tensor *const *in, int n_out,
                                          xc_tensor **out);

typedef struct xc_plugin_op {
    const char *domain; /* a custom domain, e.g. "com.example" (not "" or "ai.onnx") */
    const char *op_type;
    int since_version;          /* the opset range of the domain this entry covers: */
    int until_version;          /* since..until, until 0 meaning no upper bound */
    int min_inputs, max_inputs; /* max_inputs -1: variadic */
    int min_outputs, max_outputs;
    const xc_plugin_attr *attrs; /* terminated by {NULL}; NULL when the op takes none */
    xc_plugin_infer_fn infer;
    xc_plugin_compute_fn compute;
    const char *opencl_source; /* optional, with opencl_kernel: the engine's kernel (above) */
    const char *opencl_kernel;
} xc_plugin_op;

/* Registers op (copied: op may live on the stack). Fails, and then the whole plugin is refused,
 * when the op is malformed or another op of the same domain and type covers an overlapping
 * opset range. */
XC_API xc_status xc_plugin_register_op(xc_plugin_registry *r, const xc_plugin_op *op);

/* Loads the plugin at path and registers its ops; on any failure nothing of it stays
 * registered and the error names the file. */
XC_API xc_status xc_plugin_load(const char *path);

/* ---- what a callback can ask about its node ---- */
XC_API const char *xc_plugin_node_name(const xc_plugin_node *n); /* "" when unnamed */
XC_API int xc_plugin_node_opset(const xc_plugin_node *n);        /* the model's version of the domain */
/* Attribute readers: 1 and *out set when the node has the attribute with that type, else 0. */
XC_API int xc_plugin_attr_int(const xc_plugin_node *n, const char *name, int64_t *out);
XC_API int xc_plugin_attr_float(const xc_plugin_node *n, const char *name, float *out);
XC_API int xc_plugin_attr_string(const xc_plugin_node *n, const char *name, const char **out);
XC_API int xc_plugin_attr_ints(const xc_plugin_node *n, const char *name, const int64_t **vals, size_t *count);
XC_API int xc_plugin_attr_floats(const xc_plugin_node *n, const char *name, const float **vals, size_t *count);

/* Sets the error message ("plugin 'lib.so': com.example.ScaledAdd: node 'n': <message>") and
 * returns code, so a callback can `return xc_plugin_fail(n, XC_ERR_MODEL, ...)`. */
XC_API xc_status xc_plugin_fail(const xc_plugin_node *n, xc_status code, const char *fmt, ...) XC_PRINTF(3, 4);

#endif
