/* runner.h — the pipeline behind `crosscheck run`: inputs -> runners -> comparator -> report.
 * Load a model; get inputs for each iteration (generated with seed + i, or loaded); run every
 * runner in order (any registered runner: runners/runner.h); compare every runner against the
 * first (or --compare-to) on every iteration with per-output tolerances; optionally compare
 * layer by layer (every runner that observes its tensors, against the reference or the
 * --compare-to runner), find the first NaN, validate outputs, save results. The CLI parses
 * arguments into an xc_run_config and prints the xc_run_report (run_json.h turns it into JSON). */
#ifndef XC_RUNNER_H
#define XC_RUNNER_H
#include "compare.h"
#include "dataset.h"
#include "inputs.h"
#include "ocl/ocl.h"
#include "output_check.h"
#include "per_layer.h"
#include "runners/runner.h"
#include "tolerance_spec.h"

#define XC_MAX_RUNNERS 8

typedef struct xc_run_config {
    const char *model_path;                 /* NULL: saved results only (each path a set), compared
                                         with each other by output name */
    xc_runner_spec runners[XC_MAX_RUNNERS]; /* in order; none: the reference alone */
    int n_runners;
    int use_ref, use_ocl;     /* shorthand for library callers when n_runners is 0 */
    const char *plan;         /*   (use_ocl with plan: the engine of that plan) */
    xc_ocl_build_options ocl; /* for engines built now ("ocl-fp16" forces fp16) */
    xc_input_spec inputs;
    int iterations;                 /* iteration i feeds inputs made with seed + i; 0: as many as
                                         the loaded inputs hold, else 1 */
    const char *const *load_inputs; /* .pb files, test_data_set folders, results; NULL: generate */
    int n_load_inputs;
    const char *save_inputs;  /* folder for every iteration's inputs, or NULL */
    const char *save_outputs; /* folder for inputs, every runner's outputs, per-layer stats */
    const char *compare_to;   /* runner name every other runner is compared against;
                                         NULL: the first */
    xc_tolerance_spec tol;
    xc_check_spec checks;        /* compare function, postprocessing, metric bounds, averages */
    int validate;                /* fail outputs holding NaN or Inf */
    int fail_fast;               /* stop at the first failing comparison */
    xc_per_layer_mode per_layer; /* every runner observing its tensors, against the reference
                                         (or the --compare-to runner when it observes its own) */
    int per_layer_outputs_only;  /* --per-layer-verdict outputs: failing per-layer rows do not fail the run */
    int first_nan;               /* report each runner's first layer producing NaN/Inf */
    size_t memory_limit;         /* host bytes of live tensors (0: no limit) */
    const char *const *mark;     /* --outputs: intermediate tensors to keep (mark.h patterns) */
    int n_mark;
    double exec_timeout; /* external commands: seconds each may take (default 600) */
} xc_run_config;

typedef struct xc_runner_result {
    char *name;              /* owned: its kind ("ref", "ocl", ...; + "-2"...), a loaded
                                         runner's saved name, however long, or the name given */
    const char *kind;        /* its type's kind (static) */
    int live;                /* it ran the model (saved results did not) */
    int fp16;                /* its outputs' 16-bit float format as an xc_math (0: none) */
    xc_engine *engine;       /* OpenCL runners: kept so per-layer rows can name layers */
    xc_tensor **outputs;     /* [iteration * n_outputs + o], owned; NULL where absent */
    double *seconds;         /* per iteration */
    xc_per_layer *per_layer; /* per iteration, when asked (runners observing tensors) */
    xc_first_nan *first_nan; /* per iteration, when asked */
    size_t *nonfinite;       /* --validate: NaN/Inf count per [iteration * n_outputs + o] */
    xc_tensor_list *marked;  /* --outputs: per iteration, the marked tensors it materialized */
} xc_runner_result;

typedef struct xc_output_comparison {
    int present; /* both sides had this output */
    xc_tolerance tol;
    xc_compare_result r; /* r.passed: the output's verdict (output_check.h) */
    xc_check_result checks;
} xc_output_comparison;

typedef struct xc_average_verdict xc_average_verdict; /* average_verdict.h */

typedef struct xc_comparison {
    int runner, against, iteration;
    xc_output_comparison *outputs; /* per graph output */
    int passed;
} xc_comparison;

typedef struct xc_run_report {
    xc_model *model;
    int n_outputs;
    int iterations;         /* iterations actually run (fewer after --fail-fast) */
    xc_tensor_list *inputs; /* per iteration */
    int n_runners;
    xc_runner_result runners[XC_MAX_RUNNERS];
    int against;        /* runner the others are compared with */
    int layers_against; /* per-layer: the runner whose tensors are the golden, or -1:
                                         the reference (evaluated on demand) */
    int n_comparisons, cap_comparisons;
    xc_comparison *comparisons;
    int compared;                 /* output comparisons made */
    int passed;                   /* every comparison (and --validate check) passed */
    int invalid;                  /* --validate: outputs holding NaN/Inf */
    int failed_layers;            /* --per-layer: failing rows, every runner and iteration */
    size_t peak_bytes;            /* most host tensor bytes live at once during the run */
    xc_average_verdict *averages; /* --check-average: per runner and output, owned */
    int n_averages;
    struct xc_marks *marks; /* --outputs resolved against the model, owned */
} xc_run_report;

xc_run_config xc_run_config_default(void);
xc_status xc_run(const xc_run_config *c, xc_run_report *r);
void xc_run_report_free(xc_run_report *r);
/* The output of runner k at iteration it, output o (NULL if absent). */
static inline xc_tensor *xc_run_output(const xc_run_report *r, int k, int it, int o)
{
    return r->runners[k].outputs ? r->runners[k].outputs[(size_t)it * r->n_outputs + o] : NULL;
}
#endif
