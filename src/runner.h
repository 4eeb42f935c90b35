/* runner.h — one `crosscheck run`: load a model, get inputs (generated or loaded), run it on the
 * chosen runners (the reference, the OpenCL engine built now or loaded from a plan), compare
 * every runner after the first against the first, and against expected outputs when loaded;
 * save results when asked. The CLI only parses arguments into an xc_run_config and prints the
 * xc_run_report. */
#ifndef XC_RUNNER_H
#define XC_RUNNER_H
#include "compare.h"
#include "dataset.h"
#include "inputs.h"
#include "ocl/ocl.h"

#define XC_MAX_RUNNERS 4

typedef struct xc_run_config {
    const char *model_path;
    int use_ref, use_ocl;             /* neither: the reference alone */
    const char *plan;                 /* --plan: the OpenCL engine from a plan file */
    xc_ocl_build_options ocl;
    xc_input_spec inputs;
    const char *const *load_inputs;   /* .pb files or test_data_set folders; NULL: generate */
    int n_load_inputs;
    const char *const *load_outputs;  /* expected outputs to compare against; NULL: no comparison */
    int n_load_outputs;
    const char *save_outputs;         /* results folder (the first runner's outputs), or NULL */
    xc_tolerance tol;
} xc_run_config;

typedef struct xc_runner_result {
    const char *name;                 /* "ref", "ocl" */
    xc_tensor **outputs;              /* one per graph output, owned */
    double seconds;
} xc_runner_result;

/* A comparison of runner `runner` against runner `against` (-1: the loaded expected outputs). */
typedef struct xc_comparison {
    int runner, against;
    xc_compare_result *outputs;       /* per graph output */
    const xc_tensor **reference;      /* per graph output: what it was compared with (NULL: nothing) */
    int passed;
} xc_comparison;

typedef struct xc_run_report {
    xc_model *model;
    xc_tensor_list inputs;            /* what was fed */
    xc_tensor_list expected;          /* what was loaded */
    int n_outputs;
    int n_runners;
    xc_runner_result runners[XC_MAX_RUNNERS];
    int n_comparisons;
    xc_comparison comparisons[XC_MAX_RUNNERS];
    int compared, passed;             /* passed: every comparison passed */
} xc_run_report;

xc_run_config xc_run_config_default(void);
xc_status xc_run(const xc_run_config *c, xc_run_report *r);
void xc_run_report_free(xc_run_report *r);
#endif
