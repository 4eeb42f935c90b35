/* engine.h — the OpenCL engine: what the builder makes from a model (layers, each covering one
 * or more ONNX nodes and running one tactic; tensors with static shapes; a memory plan) and the
 * interfaces layer kinds, tactics and passes implement.
 *
 * Ownership: the engine owns its tensors, layers, weights (device buffers) and programs (through
 * the device's program cache). Execution contexts (runtime.c) own activation buffers and kernel
 * objects, so several contexts can share one engine's weights. */
#ifndef XC_OCL_ENGINE_H
#define XC_OCL_ENGINE_H
#include "graph.h"
#include "names.h"
#include "ocl/activation.h"
#include "ocl/device.h"
#include "ocl/ocl.h"

#define XC_LAYER_IO 64
#define XC_LAUNCH_ARGS 32
#define XC_LAYER_LAUNCHES 8

/* ---- tensors ---- */
typedef struct xc_etensor {
    char *name;     /* ONNX tensor name ("" for tensors a pass made) */
    xc_dtype dtype; /* logical dtype */
    int rank;
    int64_t dims[XC_MAX_RANK];     /* always static in an engine */
    int fp16;                      /* stored in the engine's 16-bit format (float32 tensors under --fp16, --bf16) */
    xc_tensor *value;              /* constants: the host value (owned) */
    int producer;                  /* layer index; -1 for inputs and constants */
    int consumers;                 /* number of layer inputs reading it (kept up to date by passes) */
    int graph_input, graph_output; /* index among runtime inputs / graph outputs, or -1 */
    int alias;                     /* -1, or the tensor whose storage this one is (free reshapes) */
    size_t alias_offset;           /* elements into the alias's storage where this one starts (a
                                * Concat input written in place into its slice of the output) */
    size_t alias_image;            /* a strided slice (a channel Concat's input at batch > 1): elements
                                * between its images (dim 0) in the alias's storage; 0: contiguous */
    int weight, weight16;          /* constants: device buffers holding it as stored / as half, -1 before upload */
    int slot;                      /* activations: memory-plan slot */
    int last_use;                  /* layer index of the last reader */
    int converted_from;            /* a reformat's output: the tensor it converts, else -1 */
    int host;                      /* its shape depends on values (NonZero, NMS outputs; --fallback-cpu): rank
                                * and dims may be -1, it lives on the host between CPU layers, never on
                                * the device, and every layer reading it runs on the CPU */
} xc_etensor;

/* ---- kernel launches, as data: the runtime binds them to a context's buffers ---- */
/* STATUS: the context's per-layer error flags (int per layer): a kernel that meets input it
 * cannot honour (an index out of range) sets its layer's flag, and the run then fails naming it. */
typedef enum {
    XC_ARG_TENSOR,
    XC_ARG_WEIGHT,
    XC_ARG_INT,
    XC_ARG_FLOAT,
    XC_ARG_LOCAL,
    XC_ARG_WORKSPACE,
    XC_ARG_STATUS
} xc_arg_kind;
typedef struct xc_arg {
    xc_arg_kind kind;
    int index; /* TENSOR: tensor id; WEIGHT: engine weight buffer */
    int64_t i; /* INT (passed as cl_int unless is_long) */
    int is_long;
    float f;
    size_t bytes; /* LOCAL */
} xc_arg;

typedef struct xc_launch {
    cl_program program; /* owned by the device's program cache */
    char kernel[64];
    int n_args;
    xc_arg args[XC_LAUNCH_ARGS];
    int dims;
    size_t global[3], local[3];
    int has_local;
} xc_launch;

/* ---- layers ---- */

struct xc_layer_kind;
struct xc_tactic;

typedef struct xc_layer {
    char *name; /* ONNX node names joined with " + " */
    const struct xc_layer_kind *kind;
    int n_nodes, *nodes; /* the ONNX nodes covered (model graph indices), in order */
    const xc_node *node; /* the node whose attributes define the layer */
    int n_in, n_out;
    int in[XC_LAYER_IO], out[XC_LAYER_IO];
    /* epilogue fused into the producing kernel (kinds that support it) */
    xc_activation act;
    float alpha, beta;  /* activation parameters (Clip min/max, LeakyRelu slope, ...) */
    int residual;       /* tensor added before the activation, or -1 */
    const char *fusion; /* name of the pass that formed the group; NULL for a lone node */
    unsigned fusions;   /* bit p: pass xc_passes[p] helped form this layer */
    char *code;         /* generated kernel source (pointwise chains), owned */
    int dead;           /* removed by a pass; skipped everywhere */
    /* tactic choice */
    const struct xc_tactic *tactic;
    char variant[96];    /* full tactic name with parameters, e.g. "gemm.reg_blocked.4x4" */
    const char *defines; /* the variant's -D options */
    double time_ms;      /* median measured at build, or the timing cache's (0 when pinned or untimed) */
    int fp16;            /* precision chosen for this layer: 16-bit storage (half_format) */
    int fp16_math;       /* with fp16: 1 16-bit arithmetic (-DXC_FP16_MATH, _BF16_MATH), 2 also sums (-DXC_FP16_ACC) */
    int half_format;     /* the engine's opt.half_format, for the layer's -D options */
    int cpu;             /* runs on the reference interpreter (--fallback-cpu) */
    size_t workspace;    /* scratch bytes the tactic needs (im2col, transformed tiles) */
    int n_launches;
    xc_launch launches[XC_LAYER_LAUNCHES];
} xc_layer;

typedef struct xc_engine {
    const xc_model *model;
    xc_ocl_device *dev;
    xc_ocl_build_options opt;
    int n_tensors, cap_tensors;
    xc_etensor *tensors;
    xc_names tensor_index; /* ONNX name -> tensor id */
    int n_layers, cap_layers;
    xc_layer *layers;
    int n_weights, cap_weights;
    cl_mem *weights;
    size_t weight_bytes;
    int n_derived, cap_derived; /* weights a tactic derived from constants, by key and layer */
    struct xc_derived_weight {
        char *key;
        int index, layer;
        size_t bytes;
    } * derived;
    /* memory plan */
    int n_slots;
    size_t *slot_bytes;
    size_t planned_bytes, activation_bytes;
    char model_hash[20];
    int n_timed;                       /* layers whose tactics were timed in this build (0 on cache hits) */
    int n_cache_hits;                  /* layers whose tactic came from the timing cache in this build */
    int progress_done, progress_total; /* layers through tactic choice so far, of all (tuner.c) */
    struct xc_fault_set *faults;       /* fault injection (fault.h); NULL when off */
    struct xc_profile_state *profiles; /* optimization profiles (profile_shapes.h), owned; NULL: static shapes */
    int dev_borrowed;                  /* dev belongs to the profiled engine this one serves (opt.shared_device) */
    int refits;                        /* times xc_engine_refit replaced its contents (contexts re-make kernels) */
    char **opt_names;                  /* copies of opt's layer and node names a plan lent (plan.c), owned */
    int n_opt_names;
    int plan_profile; /* p + 1 when the memory plan is profile p's at max (shared by its engines); 0: its own */
} xc_engine;

/* ---- tactics: named implementations of a layer kind ---- */
typedef struct xc_variant {
    const char *suffix;  /* appended to the tactic name: "4x4" -> "gemm.reg_blocked.4x4" */
    const char *defines; /* -D options */
} xc_variant;

typedef struct xc_tactic {
    const char *name; /* stable, e.g. "conv2d.direct" */
    int (*applicable)(const xc_engine *e, const xc_layer *l);
    const xc_variant *variants; /* NULL: a single variant with no suffix; else ends with {NULL} */
    /* Fills l->launches (building programs with the variant's defines, uploading any
     * transformed weights with xc_engine_add_derived). */
    xc_status (*prepare)(xc_engine *e, xc_layer *l, const char *defines);
    /* The variants tuned on devices that are not GPUs (NULL: all of them). Big GPU tiles compile
     * slowly on CPU OpenCL (PoCL) and timing them there says nothing about a GPU; pinned
     * variants (--load-tactics, plans) are still found among all of them. */
    const xc_variant *cpu_variants;
} xc_tactic;

/* ---- layer kinds: which ONNX nodes they take and their tactics ---- */
typedef struct xc_layer_kind {
    const char *name; /* "conv", "gemm", "pointwise", ... */
    /* 1 if this kind can run layer l (one ONNX node, static shapes) */
    int (*accepts)(const xc_engine *e, const xc_layer *l);
    const xc_tactic *const *tactics; /* ends with NULL; tactics[0] is the baseline (simplest) */
    int products;                    /* 1: its outputs are sums of products (conv, gemm, attention, recurrent cells),
                     so on 16-bit storage each adds a rounding error of its own to every value
                     after it (xc_engine_rounding_depth counts them) */
} xc_layer_kind;

/* ---- passes ---- */
typedef struct xc_pass {
    const char *name; /* switchable: --disable-fusion NAME */
    int is_fusion;    /* --no-fusion turns it off */
    xc_status (*run)(xc_engine *e);
} xc_pass;

/* ---- helpers for kinds, tactics and passes (builder.c) ---- */
static inline xc_etensor *xc_et(xc_engine *e, int id) { return &e->tensors[id]; }
size_t xc_et_numel(const xc_etensor *t);
size_t xc_et_bytes(const xc_etensor *t); /* storage bytes (halves under fp16) */
int xc_et_is_const(const xc_etensor *t);
/* The float32 host value of a constant float tensor (NULL if not constant or not float). */
const float *xc_et_const_f32(const xc_etensor *t);
/* Adds a tensor; returns its id or -1 (error set). */
int xc_engine_add_tensor(xc_engine *e, const char *name, xc_dtype dt, int rank, const int64_t *dims);
/* Uploads bytes as a read-only device buffer; sets *index. Host data is copied. */
xc_status xc_engine_add_weight(xc_engine *e, const void *data, size_t bytes, int *index);
/* A weight a tactic derives from constants (transformed filters, tap tables), uploaded once per
 * key: the tuner prepares every variant of a tactic, and each must not leave its own copy behind.
 * *index is the key's weight, or -1 when there is none yet (then upload with
 * xc_engine_add_derived). */
void xc_engine_find_derived(const xc_engine *e, const char *key, int *index);
xc_status xc_engine_add_derived(xc_engine *e, const xc_layer *l, const char *key, const void *data, size_t bytes, int *index);
/* Releases the derived weights of layer l that its launches do not bind (the tactics the tuner
 * tried and did not keep); their weight slots stay, empty. */
void xc_engine_drop_unused_derived(xc_engine *e, const xc_layer *l);
/* Uploads a constant tensor (as half when fp16 and float) once per form; returns its weight index. */
xc_status xc_engine_const_weight(xc_engine *e, int tensor, int fp16, int *index);
/* Builds a program for layer l (label = its variant name) and names one launch's kernel. */
xc_status xc_layer_program(xc_engine *e, xc_layer *l, const char *file, const char *generated, const char *defines,
                           cl_program *out);
/* The same with the compiled PTX edited by patch (ocl/ptx_patch.h) before the driver assembles it. */
struct xc_ptx_patch;
xc_status xc_layer_program_patched(xc_engine *e, xc_layer *l, const char *file, const char *generated, const char *defines,
                                   const struct xc_ptx_patch *patch, cl_program *out);
/* f as stored in e's 16-bit format (fp16 or bf16: opt.half_format), and such a value as a float. */
uint16_t xc_engine_half_bits(const xc_engine *e, float f);
float xc_engine_half_value(const xc_engine *e, uint16_t h);
/* -D options every program of layer l gets: storage (XC_FP16, XC_BF16) and the residual epilogue
 * (XC_RESIDUAL) — appended to buf. The activation comes as a prelude (xc_activation_prelude). */
void xc_layer_common_defines(const xc_layer *l, char *buf, size_t len);
/* Adds a launch to l and returns it (NULL when full). */
xc_launch *xc_layer_add_launch(xc_layer *l, cl_program p, const char *kernel);
void xc_launch_tensor(xc_launch *k, int tensor);
/* Binds tensor t, which may be a constant: constants are uploaded once per precision (half for
 * fp16 layers when float) and bound as weights. Use this for every layer input. */
xc_status xc_launch_input(xc_engine *e, const xc_layer *l, xc_launch *k, int t);
void xc_launch_weight(xc_launch *k, int weight);
void xc_launch_int(xc_launch *k, int64_t v);  /* a cl_int */
void xc_launch_long(xc_launch *k, int64_t v); /* a cl_long */
void xc_launch_float(xc_launch *k, float v);
void xc_launch_local(xc_launch *k, size_t bytes);
/* The context's scratch buffer (at least l->workspace bytes, shared by all layers in turn). */
void xc_launch_workspace(xc_launch *k);
/* Binds (__global int *status, int layer): the error flags and layer l's index into them. */
void xc_launch_status(const xc_engine *e, const xc_layer *l, xc_launch *k);
void xc_launch_range(xc_launch *k, int dims, const size_t *global, const size_t *local);
/* Rounds n up to a multiple of m. */
static inline size_t xc_round_up(size_t n, size_t m) { return (n + m - 1) / m * m; }
/* The work-group size of kernels that do not choose their own (one work-item per element, or the
 * threads of a row when rows are short): a multiple of every GPU's SIMD width (32 on NVIDIA, 64
 * on AMD) and small enough for any OpenCL device's limit. */
#define XC_WG_DEFAULT 64
/* A 1-D launch of n work-items (at least one) in work-groups of XC_WG_DEFAULT. */
void xc_launch_1d(xc_launch *k, size_t n);

/* Merges layer a into b, its output's only consumer (b comes later): the fused layer takes b's
 * place (so every input it reads is ready), keeps a's kind, inputs and epilogue, covers a's
 * nodes then b's, outputs b's outputs; a is marked dead. The fused kernel's extra inputs (a
 * residual, b's other operands) are the pass's to add to a->in before the call. */
void xc_layer_absorb(xc_engine *e, int a, int b, const char *fusion);
/* Merges layer b into a, both reading what is ready at a's place and neither the other's
 * outputs (horizontal fusion): the fused layer takes a's place, keeps a's kind, inputs and
 * epilogue, covers a's nodes then b's and outputs a's outputs then b's; b is marked dead.
 * 0, nothing changed, when the outputs do not fit one layer or memory runs out. */
int xc_layer_absorb_beside(xc_engine *e, int a, int b, const char *fusion);
/* Whether a tensor of t's dtype may start `offset` elements into another's storage as a slice
 * (alias_offset; the runtime binds a sub-buffer): the byte offset as stored meets the device's
 * sub-buffer alignment, and this engine makes slices at all (not with several queues, whose
 * hazard tracking sees buffers, not slices, nor with per-layer precision overrides, where a
 * reformat could land between a slice's producer and its storage). */
int xc_engine_slice_fits(const xc_engine *e, const xc_etensor *t, size_t offset);
/* Elements from the start of t's root storage to t's first element; *image: the distance between
 * t's images there where t is a strided slice (bound as its root: its writers take the offset and
 * stride as arguments), else 0 (bound as a sub-buffer where the offset is not 0). */
size_t xc_engine_slice_offset(const xc_engine *e, int t, size_t *image);
/* The value of -D<name>=<int> in a tactic variant's defines (its tile sizes and the like), or def. */
int xc_define_int(const char *defines, const char *name, int def);
/* Position in l->in of ONNX tensor t (or of its reformatted copy), or -1. */
int xc_layer_find_input(const xc_engine *e, const xc_layer *l, int t);
/* The single live layer reading tensor t, or -1 if none or several (or t is a graph output). */
int xc_sole_consumer(const xc_engine *e, int t);

/* Whether a pass may fuse layers a and b (b may equal a for a pass rewriting one layer): no
 * node of either is on the --no-fuse-node list. Every fusion pass asks before changing anything. */
int xc_fusion_allowed(const xc_engine *e, int a, int b);
/* The bit of pass `name` in xc_layer.fusions (0 if no such pass). */
unsigned xc_pass_bit(const char *name);

/* Whether e may use TF32 tensor-core tactics: the device has them (xc_ocl_device_tf32) and
 * --no-tf32 was not given (layers/gemm.c). */
int xc_engine_tf32(const xc_engine *e);
/* Whether tactic t (NULL: none) computes its products on TF32 tensor cores (10-bit mantissas):
 * the comparison judges its layers with TF32's tolerance. Such tactics have "tf32" in their name. */
int xc_tactic_tf32(const xc_tactic *t);
/* Whether layer L of e may use the FP16 tensor-core tactics (gemm.mma_fp16, conv2d.*_mma_fp16):
 * it stores half (--fp16; not bf16: they read the stored bits as halves) and the device has
 * tensor cores (xc_ocl_device_tf32). */
int xc_layer_mma_fp16(const xc_engine *e, const xc_layer *l);
/* CROSSCHECK_MMA_EMULATE=1 (a test aid, off by default): the mma tactics are offered on every
 * device and built with MMA_EMULATE, plain OpenCL C computing each stage's products from the same
 * local stages (kernels/mma_core.cl), so their loads, layouts and epilogues are testable on PoCL.
 * xc_mma_defines is the define to add to every mma program ("" when off). */
int xc_mma_emulated(void);
const char *xc_mma_defines(void);
/* The cp.async (MMA_PIPE) tiles of the TF32 and FP16 mma tactics, one table for the GEMM's and
 * the 1x1 conv's pipelined kernels (gemm.c). */
extern const xc_variant xc_mma_pipe_tf32_tiles[];
extern const xc_variant xc_mma_pipe_fp16_tiles[];
/* Layer L's precision as plans, reports and pictures name it: "cpu-fp32", "fp16", "fp16-storage", "bf16",
 * "bf16-storage", "tf32", "fp32". */
const char *xc_layer_precision_name(const xc_layer *L);

/* Registries (layers/kinds.c, passes/passes.c). */
extern const xc_layer_kind *const xc_layer_kinds[];
extern const xc_pass *const xc_passes[];
extern const xc_layer_kind xc_kind_cpu;
extern const xc_layer_kind xc_kind_inplace;

void xc_engine_free(xc_engine *e);
#endif
