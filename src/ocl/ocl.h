/* ocl.h — the optimized OpenCL backend's public API: build an engine from a model (passes,
 * timed tactics, timing cache, fp16 storage, memory plan), save/load it as a plan, and run it
 * as an xc_backend (each backend is an execution context sharing the engine's weights). */
#ifndef XC_OCL_H
#define XC_OCL_H
#include "backend.h"
#include "validate.h"

#define XC_MAX_NAMED 64

typedef struct xc_ocl_build_options {
    const char *device;            /* --ocl-device N|NAME; NULL: first GPU, else first device */
    int fp16;                      /* store activations and weights as half */
    const char *fp32_layers[XC_MAX_NAMED]; /* --layer-precision NAME:fp32 (layer or node names) */
    int n_fp32_layers;
    int no_fusion;                 /* every fusion pass off */
    const char *disabled[XC_MAX_NAMED]; /* --disable-fusion NAME */
    int n_disabled;
    int fallback_cpu;              /* run unsupported nodes on the reference */
    const char *timing_cache;      /* JSON file read and updated */
    const char *load_tactics;      /* pin every layer's tactic (replay file or plan) */
    const char *save_tactics;
    int timing_iterations;         /* per tactic, after one warm-up (default 10) */
    int queues;                    /* in-order queues independent branches run on (default 1) */
    int progress;                  /* progress bar while tuning (on a terminal) */
    const xc_input_shape *shapes;  /* --input-shapes */
    int n_shapes;
} xc_ocl_build_options;

typedef struct xc_engine xc_engine;

xc_ocl_build_options xc_ocl_build_defaults(void);
xc_status xc_ocl_build(const xc_model *m, const xc_ocl_build_options *o, xc_engine **out);
void xc_engine_free(xc_engine *e);

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
    xc_input_shape shapes[XC_MAX_NAMED];
    char *shape_text[XC_MAX_NAMED];
} xc_ocl_plan_header;
xc_status xc_ocl_plan_parse(const char *path, const void *buf, size_t len, const xc_ocl_build_options *given,
                            xc_ocl_plan_header *h);
void xc_ocl_plan_header_free(xc_ocl_plan_header *h);

/* An execution context on e as a backend (e must outlive it). With CROSSCHECK_OCL_CANARY=1 in
 * the environment it checks that no kernel writes past the end of a tensor: every tensor gets
 * its own buffer followed by a guard pattern verified after each layer (slow; for tests). */
xc_status xc_ocl_backend_create(xc_engine *e, xc_backend **out);

/* Name of the i-th builder pass (for --disable-fusion), NULL past the end. */
const char *xc_ocl_pass_name(int i);

/* Engine summary as JSON (layers, tactics, precision, memory plan); caller frees. */
struct cJSON *xc_engine_describe(const xc_engine *e);

#define XC_VERSION "0.1.0"
#endif
