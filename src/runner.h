/* runner.h — one `crosscheck run`: load a model, get inputs (generated or loaded), run the
 * reference, compare with expected outputs when given, save results when asked. The CLI only
 * parses arguments into an xc_run_config and prints the xc_run_report. */
#ifndef XC_RUNNER_H
#define XC_RUNNER_H
#include "compare.h"
#include "dataset.h"
#include "inputs.h"

typedef struct xc_run_config {
    const char *model_path;
    xc_input_spec inputs;
    const char *const *load_inputs;   /* .pb files or test_data_set folders; NULL: generate */
    int n_load_inputs;
    const char *const *load_outputs;  /* expected outputs to compare against; NULL: no comparison */
    int n_load_outputs;
    const char *save_outputs;         /* results folder, or NULL */
    xc_tolerance tol;
} xc_run_config;

typedef struct xc_output_report {
    const char *name;                 /* graph output name (borrowed from the model) */
    xc_tensor *actual;                /* the reference's output */
    const xc_tensor *expected;        /* NULL when no expected tensor matched */
    xc_compare_result cmp;
} xc_output_report;

typedef struct xc_run_report {
    xc_model *model;
    xc_tensor_list inputs;            /* what was fed */
    xc_tensor_list expected;          /* what was loaded */
    int n_outputs;
    xc_output_report *outputs;
    int compared, passed;             /* passed: every compared output passed */
    double seconds;                   /* reference run time */
} xc_run_report;

xc_run_config xc_run_config_default(void);
xc_status xc_run(const xc_run_config *c, xc_run_report *r);
void xc_run_report_free(xc_run_report *r);
#endif
