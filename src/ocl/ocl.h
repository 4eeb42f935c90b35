/* ocl.h — the optimized OpenCL backend's API inside the library (users call crosscheck/engine.h): build an engine from a model (passes,
 * timed tactics, timing cache, fp16 storage, memory plan), save/load it as a plan, and run it
 * as an xc_backend (each backend is an execution context sharing the engine's weights). */
#ifndef XC_OCL_H
#define XC_OCL_H
#include "crosscheck/engine.h"
#include "backend.h"
#include "name_list.h"
#include "validate.h"

enum { XC_PROGRESS_OFF, XC_PROGRESS_BAR, XC_PROGRESS_LINES };

/* How the tuner times a tactic (--timing-weights): COLD empties the device's cache before each
 * timed run and reads the layer's activation inputs back into it, the state a layer meets in a
 * model whose weights exceed the cache (its weights last read a whole run ago, its inputs just
 * written); CACHED leaves everything the previous run left there; AUTO is COLD on a GPU whose
 * cache the engine's weights exceed, else CACHED. */
enum { XC_TIMING_WEIGHTS_AUTO, XC_TIMING_WEIGHTS_CACHED, XC_TIMING_WEIGHTS_COLD };

typedef struct xc_ocl_build_options {
    const char *device; /* --ocl-device N|NAME; NULL: first GPU, else first device */
    int fp16;           /* store activations and weights as 16-bit floats (half_format) */
    int fp16_math;      /* with fp16: arithmetic in that format (--fp16, --bf16) */
    int fp16_acc;       /* --fp16-accumulate: sums rounded to half after every add */
    int half_format;    /* with fp16: an xc_half_format (XC_HALF_FP16: IEEE half) */
    int no_tf32;        /* --no-tf32: no TF32 tensor-core tactics (exact fp32 products) */
    /* The name lists (name_list.h): a struct copy of the options shares their arrays and only
     * reads them; code that adds to a copy first gives it lists of its own (xc_ocl_options_own). */
    xc_name_list fp32_layers; /* --layer-precision NAME:fp32 (layer or node names) */
    xc_name_list fp16_layers; /* --layer-precision NAME:fp16 (needs --fp16; not quantized under --int8) */
    xc_name_list bf16_layers; /* --layer-precision NAME:bf16 (needs --bf16 or --bf16-storage) */
    xc_name_list int8_layers; /* --layer-precision NAME:int8 (needs --int8 or Q/DQ: must run int8) */
    int no_fusion;            /* every fusion pass off */
    xc_name_list disabled;    /* --disable-fusion NAME */
    int fallback_cpu;         /* run unsupported nodes on the reference */
    const char *timing_cache; /* JSON file read and updated */
    const char *load_tactics; /* pin every layer's tactic (replay file or plan) */
    const char *save_tactics;
    int timing_iterations; /* per tactic, after one warm-up (default 10) */
    int timing_weights; /* --timing-weights: XC_TIMING_WEIGHTS_AUTO (0; the tuner makes it one of the others), _CACHED, _COLD */
    int opt_level;      /* --builder-optimization-level (trtexec's builderOptimizationLevel):
                                    * how many tactics the tuner builds and times. 0: none, each
                                    * layer runs its baseline tactic (or its timing-cache entry);
                                    * 1-2: the first variant of each tactic; 3 (default): every
                                    * variant meant for this device (CPU devices: the smallest tile
                                    * of the big-tile tactics); 4-5: every variant. -1: take it from
                                    * $CROSSCHECK_BUILDER_OPTIMIZATION_LEVEL, else 3 */
    int queues;         /* in-order queues independent branches run on (default 1) */
    int progress;       /* tuning progress on stderr: XC_PROGRESS_OFF, _BAR (a terminal:
                                    * layers done / total and the tactic being timed), _LINES (one
                                    * plain line per layer timed) */
    const xc_input_shape *shapes; /* --input-shapes */
    int n_shapes;
    xc_name_list no_fuse_nodes; /* --no-fuse-node: ONNX nodes no fusion pass may touch */
    xc_name_list faults;        /* --inject-fault KIND=PATTERN[:EFFECT] (see ocl/fault.h) */
    int quiet_faults;           /* do not announce faults on stderr (the debug tools announce once) */
    xc_name_list tactic_filter; /* --tactics GLOB: tune only tactics matching one (a layer
                                    * none matches keeps its baseline); the timing cache is not updated */
    /* optimization profiles (ocl/profile_shapes.h) */
    const struct xc_profile_set *profiles;       /* --profile-shapes; NULL: one static shape per input */
    int opt_profile;                             /* --opt-profile N, as N + 1; 0: the first profile holding the shapes fed */
    const struct xc_tactic_exclusions *excluded; /* internal: tactics not valid over the profile's range */
    const struct xc_tactics_file *pins;          /* internal: a profile's opt tactics, pinned (leniently) in its shape engines */
    const struct xc_engine *weights_from;        /* internal: an engine on the same device whose constants' buffers
                                    * this one borrows where name and value agree (a profile's engines) */
    struct xc_ocl_device *shared_device;         /* internal: the engines of one profiled engine share one device
                                    * (its context: their buffers and programs), borrowed */
    int int8;                                    /* --int8: implicit quantization of float conv/gemm (qdq_calibrated pass) */
    const char *calibration_data;                /* --calibration-data DIR: input sets the reference runs for activation ranges */
    const char *calibration_cache;               /* --calibration-cache FILE: ranges read from it if it exists, else written */
    int calibrator_entropy;                      /* --calibrator entropy: KL-divergence thresholds instead of min-max */
    const struct xc_tactics_file *replay;        /* internal: load_tactics already parsed (refit pins an engine's
                                    * own tactics); load_tactics then only names it in messages */
    int replay_lenient;                          /* debug tools: layers load_tactics does not name run their baseline
                                    * tactic (no timing: every check builds the same engine), and names
                                    * of layers that no longer exist (unfused groups) are ignored */
} xc_ocl_build_options;

xc_ocl_build_options xc_ocl_build_defaults(void);
/* The options' name lists, for code that treats every one alike (copying, freeing, sending). */
enum { XC_OCL_OPTION_LISTS = 8 };
void xc_ocl_option_lists(xc_ocl_build_options *o, xc_name_list *lists[XC_OCL_OPTION_LISTS]);
/* Gives o lists of its own: copies of the arrays a struct copy of other options shares (names
 * stay borrowed). Free them with xc_ocl_options_free. On failure o's lists are empty. */
xc_status xc_ocl_options_own(xc_ocl_build_options *o);
/* Frees the arrays of o's lists (options that own them: filled by adding, or after
 * xc_ocl_options_own); the lists are empty after. */
void xc_ocl_options_free(xc_ocl_build_options *o);

/* The 16-bit float formats of reduced-precision engines: IEEE half (--fp16, --fp16-storage,
 * --fp16-accumulate) and bfloat16, a float's top 16 bits (--bf16, --bf16-storage: fp32's range,
 * 8 significant bits). Every fact that differs between them is a row of one table (precision.c). */
typedef enum { XC_HALF_FP16, XC_HALF_BF16 } xc_half_format;
typedef struct xc_half_format_info {
    const char *name;          /* "fp16", "bf16": the math precision reports and --layer-precision name */
    const char *storage;       /* "fp16-storage", "bf16-storage": storage only, fp32 math */
    const char *define;        /* the kernels' storage define (common.cl): " -DXC_FP16", " -DXC_BF16" */
    const char *math_define;   /* and their arithmetic's: " -DXC_FP16_MATH", " -DXC_BF16_MATH" */
    const char *trt_format;    /* a tensor's format as TensorRT's inspector names it */
    int prec;                  /* its --layer-precision constraint, XC_LAYER_PREC_FP16 or _BF16 */
    uint16_t (*encode)(float); /* a float rounded to the format (nearest even), as stored */
    float (*decode)(uint16_t);
} xc_half_format_info;
const xc_half_format_info *xc_half_format_get(int format);
/* The reduced-precision modes as options: "--fp16", "--fp16-storage", "--fp16-accumulate",
 * "--bf16", "--bf16-storage". xc_ocl_precision_mode sets o's mode from option name `option`:
 * returns 1, 0 when option names no mode, or -1 (an XC_ERR_USAGE message) when o already has a
 * mode of the other format. xc_ocl_precision_option is o's mode as the option giving it, or NULL
 * without reduced precision. */
int xc_ocl_precision_mode(xc_ocl_build_options *o, const char *option);
const char *xc_ocl_precision_option(const xc_ocl_build_options *o);
/* Resolves opt_level -1 from the environment (else the default) and checks the range. */
xc_status xc_ocl_resolve_opt_level(int *level);
xc_status xc_ocl_build(const xc_model *m, const xc_ocl_build_options *o, xc_engine **out);

/* Plans: the engine's layers, tactics, parameters, memory plan, device, driver, crosscheck
 * version and the model's hash, as JSON. Loading rebuilds the engine from the same model with
 * every tactic pinned; a plan from another device, driver, version or model is refused. */
xc_status xc_ocl_plan_save(const xc_engine *e, const char *path);
xc_status xc_ocl_plan_load(const xc_model *m, const char *path, const xc_ocl_build_options *o, xc_engine **out);
/* The device-free half of loading a plan: its JSON and the build options it records, on top of
 * *given. h->opt borrows strings and shapes from h, which must stay where it is until
 * xc_ocl_plan_header_free. path names the plan in errors. */
typedef struct xc_ocl_plan_header {
    struct cJSON *root;
    xc_ocl_build_options opt;
    xc_input_shape *shapes; /* the plan's input shapes, then the given ones a profiled plan runs at */
    char **shape_text;      /* n_text copies the plan's shapes point into */
    int n_text;
    struct xc_profile_set *profiles; /* the plan's profiles (owned), NULL when it has none */
} xc_ocl_plan_header;
xc_status xc_ocl_plan_parse(const char *path, const void *buf, size_t len, const xc_ocl_build_options *given,
                            xc_ocl_plan_header *h);
void xc_ocl_plan_header_free(xc_ocl_plan_header *h);
/* xc_ocl_plan_parse of the file at path. */
xc_status xc_ocl_plan_read(const char *path, const xc_ocl_build_options *given, xc_ocl_plan_header *h);
/* Builds m with h's options and path's tactics pinned, once the plan is found to suit this
 * device and crosscheck and (same_model) to have been built from m (its hash); fails in one line
 * naming path. */
xc_status xc_ocl_plan_build(const xc_model *m, const char *path, xc_ocl_plan_header *h, int same_model, xc_engine **out);

/* What a plan refit did, for the caller to print. */
typedef struct xc_refit_summary {
    int layers;          /* live layers, each keeping its tactic */
    size_t weight_bytes; /* device weights re-derived and uploaded */
} xc_refit_summary;

/* Writes out: the plan `plan` with the weights of the model at `weights` (same structure as the
 * plan's model), every layer keeping its tactic (none is timed) and every weight-derived value
 * (folded BatchNorm, Winograd filters, packed and int8 weights, half copies, folded constants)
 * derived again by building with the plan's tactics pinned. The engine it builds must have the
 * plan's layers, tactics and memory plan, or nothing is written. out is written whole or not at
 * all. model: the model the plan was built from (NULL: the one the plan names); given: device
 * and other options the plan does not record. */
xc_status xc_ocl_plan_refit(const char *plan, const char *model, const char *weights, const xc_ocl_build_options *given,
                            const char *out, xc_refit_summary *sum);

/* The model file plan was built from: the plan's "model", which must name a file inside the
 * plan's folder (a plan is data: it never makes crosscheck open a file outside it). Malloc'd. */
xc_status xc_plan_model_path(const char *plan, char **out);
/* Opens path as an engine: a model is loaded and built with o; a plan (JSON) is loaded with its
 * model (model_path, else the one the plan names; with a model path, model_path is an error).
 * The caller frees both. */
xc_status xc_engine_open(const char *path, const char *model_path, const xc_ocl_build_options *o, xc_model **m, xc_engine **e);
/* An execution context on e as a backend (e must outlive it). With CROSSCHECK_OCL_CANARY=1 in
 * the environment it checks that no kernel writes past the end of a tensor: every tensor gets
 * its own buffer followed by a guard pattern verified after each layer (slow; for tests). */
xc_status xc_ocl_backend_create(xc_engine *e, xc_backend **out);

/* Isolated runs (per-layer comparison): before each layer, every activation input that has an
 * ONNX name is replaced by feed->value(name) (NULL: keep the engine's own value; a value of
 * another shape or dtype is ignored); feed->done(name), if set, is called once it is uploaded. */
typedef struct xc_feeder {
    xc_status (*value)(void *user, const char *name, const xc_tensor **out);
    void (*done)(void *user, const char *name);
    void *user;
} xc_feeder;
xc_status xc_ocl_backend_run_fed(xc_backend *b, const xc_tensor *const *inputs, xc_tensor **outputs, const xc_observer *obs,
                                 const xc_feeder *feed);

/* What a comparison reports about an engine layer. Dead layers (merged into others) have a NULL
 * name. Strings and nodes are the engine's: valid while it lives. */
typedef struct xc_engine_layer_info {
    const char *name;   /* ONNX node names joined with " + " */
    const char *kind;   /* "conv", "gemm", "pointwise", ... */
    const char *tactic; /* the variant running, e.g. "gemm.reg_blocked.4x4" */
    const char *fusion; /* the pass that formed the group, or NULL */
    int fp16, cpu;
    int fp16_math;   /* 16-bit arithmetic: 1, 2 with 16-bit sums; 0: fp32 math (storage only when fp16) */
    int int8;        /* int8 math (the qconv/qgemm kinds), whatever the float storage */
    int half_format; /* with fp16: the 16-bit format stored, an xc_half_format */
    int n_nodes;
    const int *nodes; /* model graph node indices covered (none: a reformat layer) */
    double time_ms;   /* measured at build or from the timing cache; 0: not timed */
    int n_in, n_out;
    const int *in, *out; /* engine tensor indices (xc_engine_tensor_info_get); -1: absent */
    int tf32;            /* its products ran on TF32 tensor cores (gemm.tf32, ...) */
    int rounds;          /* a rounding layer (xc_engine_rounding_depth counts it): its own depth */
    const char *variant; /* the tactic variant as replay files name it */
    unsigned fusions;    /* bit p: pass xc_ocl_pass_name(p) helped form this layer */
} xc_engine_layer_info;
/* The variant layer l would run as its kind's baseline tactic, written into buf (returns buf). */
const char *xc_engine_layer_baseline(const xc_engine *e, int l, char *buf, size_t len);
/* "cpu-fp32", "int8", "fp16" (fp16 arithmetic), "fp16-storage" (half storage, fp32 arithmetic),
 * "bf16", "bf16-storage", "tf32" or "fp32": the math a layer ran in (every report names it so). */
const char *xc_layer_info_precision(const xc_engine_layer_info *L);
/* *depth: the most rounding layers on any path from e's inputs to its tensor `tensor` (an ONNX
 * name; 0 when e is NULL, has no such layer or lacks the tensor), i.e. how many layers' rounding
 * errors the tensor's value carries; its tolerance grows with that (tolerance_spec.h). A rounding
 * layer sums products of rounded operands: TF32 tensor-core products, or a product kind
 * (xc_layer_kind.products: conv, gemm, attention, ...) on 16-bit storage. */
xc_status xc_engine_rounding_depth(const xc_engine *e, const char *tensor, int *depth);
/* Whether any live device layer of e (NULL: none) stores half: its outputs are compared with
 * fp16's tolerance whatever the command line said (a plan records --fp16 itself). */
int xc_engine_uses_fp16(const xc_engine *e);
/* The 16-bit format of e's reduced-precision layers (an xc_half_format; NULL: XC_HALF_FP16). */
int xc_engine_half_format(const xc_engine *e);
/* An engine tensor: what a layer reads or writes, with the engine's static shape and storage. */
typedef struct xc_engine_tensor_info {
    const char *name; /* the ONNX name, "" for tensors a pass made */
    xc_dtype dtype;   /* logical dtype */
    int rank;
    const int64_t *dims;
    int fp16; /* stored as half */
} xc_engine_tensor_info;
int xc_engine_tensor_count(const xc_engine *e);
void xc_engine_tensor_info_get(const xc_engine *e, int t, xc_engine_tensor_info *out);
/* Index of the tensor with ONNX name `name`, or -1. */
int xc_engine_tensor_find(const xc_engine *e, const char *name);
/* The model the engine was built from. */
const xc_model *xc_engine_model(const xc_engine *e);
/* The OpenCL device the engine runs on: its name (the engine's) and its index in `inspect
 * devices`. */
const char *xc_engine_device(const xc_engine *e, int *index);
int xc_engine_layer_count(const xc_engine *e);
void xc_engine_layer_info_get(const xc_engine *e, int l, xc_engine_layer_info *out);
/* Index of the live layer named `name`, or -1. */
int xc_engine_layer_find(const xc_engine *e, const char *name);
/* The static shape the engine was built for on graph input `name` (out->name borrowed from
 * e); 0 if e takes no such input. */
int xc_engine_input_shape(const xc_engine *e, const char *name, xc_input_shape *out);
/* Per-layer precision constraints (--layer-precision NAME:int8|fp16|bf16|fp32, as TensorRT's layer
 * precisions): a layer (or the layer covering node NAME, or every layer holding a node of a
 * " + "-joined layer name) runs in that precision. The highest wins where several name one
 * layer. fp16 needs --fp16 (or --fp16-storage), bf16 --bf16 (or --bf16-storage); int8 needs an int8 engine (--int8 or Q/DQ) and a layer with an int8
 * tactic; under --int8 an fp16/fp32 layer is not quantized, and under Q/DQ its Q/DQ stay float
 * ops around it. */
enum { XC_LAYER_PREC_NONE, XC_LAYER_PREC_INT8, XC_LAYER_PREC_FP16, XC_LAYER_PREC_BF16, XC_LAYER_PREC_FP32 };
/* "int8", "fp16", "bf16", "fp32" (NULL for NONE or unknown); parse returns -1 for an unknown word. */
const char *xc_layer_prec_name(int prec);
int xc_layer_prec_parse(const char *word);
/* Adds NAME (borrowed) to o's list for prec; fails when the list is full. */
xc_status xc_ocl_constrain_layer(xc_ocl_build_options *o, const char *name, int prec);
/* Per-layer precision files (--layer-precision-file), as JSON
 * {"format": "crosscheck-layer-precision-2", "layers": {"NAME": "fp16", ...}}; files of format
 * -1 ({"fp32": [NAME, ...]}: bare names) still read, as fp32. Loading allocates *names and
 * *precs (free with xc_layer_precision_free). */
xc_status xc_layer_precision_save(const char *path, const char *const *names, const int *precs, int n);
xc_status xc_layer_precision_load(const char *path, char ***names, int **precs, int *n);
void xc_layer_precision_free(char **names, int *precs, int n);

/* Name of the i-th builder pass (for --disable-fusion), NULL past the end. */
const char *xc_ocl_pass_name(int i);

/* Engine summary as JSON (layers, tactics, precision, memory plan); caller frees. */
struct cJSON *xc_engine_describe(const xc_engine *e);

#include "crosscheck/api.h" /* XC_VERSION, recorded in plans */
#endif
