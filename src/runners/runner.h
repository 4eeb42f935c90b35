/* runner.h — the runner interface: what runs a model on given inputs and gives its outputs.
 *
 * A runner is a small table of functions (Polygraphy's runners, ggml's backend vtable):
 * prepare sets it up for a model, run gives one iteration's outputs and, when asked, reports
 * every tensor it can observe through an observer, release frees it. The reference, an OpenCL
 * engine built now (fp32 or fp16), a plan, saved results and an external command are runners;
 * each lives in its own file under src/runners/ and is registered by one line in
 * src/runners/registry.h. Every command that runs a model (run, the debug tools, debug
 * reduce, conformance) goes through this interface and the pipeline (pipeline.h), so a runner
 * added once serves them all; nothing else knows which runners exist.
 *
 * Adding a runner: write src/runners/NAME.c defining `const xc_runner_type xc_runner_NAME`
 * (kind, option, prepare, run, release) and add X(NAME) to registry.h. The CLI option that
 * adds it, its --help line and --compare-to NAME come from the table. */
#ifndef XC_RUNNERS_RUNNER_H
#define XC_RUNNERS_RUNNER_H
#include "backend.h"
#include "ocl/ocl.h"

/* What a runner's CLI option takes. */
typedef enum {
    XC_RUNNER_ARG_NONE,  /* --ref */
    XC_RUNNER_ARG_VALUE, /* --plan FILE: spec.path */
    XC_RUNNER_ARG_LIST,  /* --load-outputs PATH...: spec.paths */
    XC_RUNNER_ARG_NAMED  /* --exec-runner NAME=CMD: spec.name, spec.command */
} xc_runner_arg;

/* One runner as asked for (by the CLI or a library caller). Strings are borrowed. */
typedef struct xc_runner_spec {
    const char *kind;         /* a registered kind: "ref", "ocl", "ocl-fp16", "plan", "loaded", "exec" */
    const char *path;         /* ARG_VALUE: e.g. the plan file */
    const char *const *paths; /* ARG_LIST: e.g. results folders or files */
    int n_paths;
    const char *name, *command; /* ARG_NAMED: the runner's name and its command */
    const char *device;         /* types on_device (--ocl@DEVICE): the OpenCL device, N or part of its
                                   name; NULL: the build options' (--ocl-device, else the default) */
} xc_runner_spec;

/* What prepare may use (borrowed). */
typedef struct xc_runner_env {
    const xc_model *model;
    const char *model_path;          /* the model's file (external commands read it) */
    const xc_ocl_build_options *ocl; /* engines built now */
    int iterations;                  /* saved results must hold this many */
    int layers;                      /* saved results: also load their intermediate tensors */
    double exec_timeout;             /* external commands: seconds per run */
} xc_runner_env;

typedef struct xc_runner xc_runner;
typedef struct xc_runner_type xc_runner_type;
typedef struct xc_runner_list xc_runner_list;

/* One prepared runner. Allocated by xc_runner_new (in prepare), freed by xc_runner_free. */
struct xc_runner {
    const xc_runner_type *type;
    char *name;        /* owned: a name prepare chose ("loaded" sets keep the name
                                         saved inside them, exec runners the one given), or NULL:
                                         the pipeline names it after its kind */
    int named;         /* the name was given by the user: no other runner may have it */
    int observes;      /* run reports tensors through an observer when given one */
    int live;          /* runs the model (saved results do not) */
    int oracle;        /* its values are the reference's: per-layer against the
                                         reference leaves it out */
    int fp16;          /* its outputs are stored in a 16-bit float format: 0, or that format's
                                         xc_math (XC_MATH_FP16, XC_MATH_BF16: tolerances) */
    xc_engine *engine; /* OpenCL runners: the engine (layer names, input shapes);
                                         owned by the runner unless taken (xc_runner_take_engine) */
    int engine_taken;
    const char *row_tactic; /* per-layer rows of a runner without an engine (one row per
                                         node) show this as the tactic ("saved"); NULL: the kind */
    void *impl;             /* the type's own state */
};

struct xc_runner_type {
    const char *kind;   /* what reports call it */
    const char *option; /* the CLI option adding it ("--ref"), or NULL: none */
    xc_runner_arg arg;
    const char *help;       /* the option's --help text (after the option and its value) */
    const char *value_help; /* how --help names the option's value ("FILE.plan") */
    int without_model;      /* can run without a model (saved results compared with each other) */
    int builds_engine;      /* builds an engine now from env->ocl: for the loaded inputs' shapes */
    int on_device;          /* an OpenCL engine: OPTION@DEVICE puts it on a device of its own, so one
                               run may hold engines on several devices */
    /* Sets up the runner(s) of spec: each made with xc_runner_new and added with
     * xc_runner_list_add (saved results may hold several runners). */
    xc_status (*prepare)(const xc_runner_spec *spec, const xc_runner_env *env, xc_runner_list *out);
    /* One iteration: inputs one per runtime graph input, in order; outputs[o] allocated for each
     * graph output it has (NULL: absent, not compared). obs (only when r->observes) sees every
     * tensor it can observe, named by ONNX tensor name, with the layer or node that made it. */
    xc_status (*run)(xc_runner *r, int it, const xc_tensor *const *inputs, xc_tensor **outputs, const xc_observer *obs);
    /* Optional (NULL: cannot): the run with each layer fed by feed (isolated per-layer). */
    xc_status (*run_fed)(xc_runner *r, const xc_tensor *const *inputs, xc_tensor **outputs, const xc_observer *obs,
                         const xc_feeder *feed);
    /* Frees impl (not the engine: see xc_runner_take_engine). */
    void (*release)(xc_runner *r);
};

/* A growing list of prepared runners (owned). */
struct xc_runner_list {
    xc_runner **r;
    int n, cap;
};

/* The registered types (registry.h), each defined in its own file. */
#include "runners/registry.h"
#define X(name) extern const xc_runner_type xc_runner_##name;
XC_RUNNER_TYPES
#undef X

/* Every registered type, in registration order; NULL-terminated. */
extern const xc_runner_type *const xc_runner_types[];
/* The type of kind, or NULL. */
const xc_runner_type *xc_runner_type_find(const char *kind);

xc_status xc_runner_new(const xc_runner_type *t, xc_runner **out);
xc_status xc_runner_list_add(xc_runner_list *l, xc_runner *r);
void xc_runner_list_free(xc_runner_list *l);
/* Prepares the runner(s) of spec (a usage error names an unknown kind) and appends them to out. */
xc_status xc_runner_prepare(const xc_runner_spec *spec, const xc_runner_env *env, xc_runner_list *out);
/* Prepares exactly one runner. */
xc_status xc_runner_open(const xc_runner_spec *spec, const xc_runner_env *env, xc_runner **out);
static inline xc_status xc_runner_run(xc_runner *r, int it, const xc_tensor *const *in, xc_tensor **out, const xc_observer *obs)
{
    return r->type->run(r, it, in, out, r->observes ? obs : NULL);
}
/* The command-line words that ask for spec (its option and values), each passed to word():
 * commands that print a reproducing command line use it. */
xc_status xc_runner_spec_words(const xc_runner_spec *spec, void (*word)(void *user, const char *w), void *user);
/* The engine, from now owned by the caller (NULL if none); the runner keeps using it until freed. */
xc_engine *xc_runner_take_engine(xc_runner *r);
void xc_runner_free(xc_runner *r);
#endif
