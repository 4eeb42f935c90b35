/* compare_options.h — the data and comparison options `run` and the debug tools share: the
 * inputs (--seed, --iterations, --val-range, --load-inputs) and how outputs are judged
 * (--atol/--rtol/--check-error-stat/--error-quantile per output, --tolerance-preset,
 * --allclose, --infinities-compare-equal, --compare-func, --index-tolerance, --postprocess,
 * --check-metric, --no-shape-check, --check-average). One parser, so a debug tool judges a
 * build exactly as `run` would with the same arguments. */
#ifndef XC_CLI_COMPARE_OPTIONS_H
#define XC_CLI_COMPARE_OPTIONS_H
#include "inputs.h"
#include "output_check.h"
#include "tolerance_spec.h"

typedef struct cli_compare {
    xc_tolerance_spec *tol;
    xc_check_spec *checks;
    xc_input_spec *inputs;
    xc_val_range **ranges; /* --val-range: *cap_ranges slots, growing (kept until exit) */
    int *cap_ranges;
    int *iterations;
    const char **load; /* --load-inputs paths (max_load slots) */
    int max_load, *n_load;
} cli_compare;

/* Parses argv[*i] if it is one of these options (advancing *i over its values): 1 taken, 0 not
 * one of them, -1 after a usage error (printed). */
int cli_compare_option(int argc, char **argv, int *i, const char *cmd, cli_compare *c);
extern const char cli_compare_help[];
/* Every one of them, one or more lines each (run --help). */
extern const char cli_compare_help_full[];
#endif
