/* compare_options.c — the data and comparison options `run` and the debug tools share (see
 * compare_options.h). */
#include "compare_options.h"
#include "cli.h"
#include <stdlib.h>
#include <string.h>

const char cli_compare_help[] =
    "  --val-range [NAME:][LO,HI] (generated values),\n"
    "  --atol/--rtol/--check-error-stat/--error-quantile [NAME:]X, --tolerance-preset auto|polygraphy,\n"
    "  --allclose, --infinities-compare-equal, --compare-func simple|indices, --index-tolerance,\n"
    "  --postprocess top-K, --check-metric, --no-shape-check   as run's (crosscheck run --help)\n";

/* An option with one value whose text is kept for the whole run (names are borrowed from it). */
static char *kept_value(int argc, char **argv, int *i, const char *cmd)
{
    const char *v = cli_value(argc, argv, i, cmd);
    return v ? cli_keep(strdup(v)) : NULL;
}

int cli_compare_option(int argc, char **argv, int *i, const char *cmd, cli_compare *c)
{
    const char *a = argv[*i], *v;
    char *copy;
    long n;
    if (!strcmp(a, "--load-inputs"))
        return cli_list(argc, argv, i, c->load, c->max_load, c->n_load)
                   ? 1
                   : (cli_usage_error(cmd, "--load-inputs needs a path"), -1);
    if (!strcmp(a, "--allclose")) return c->tol->rule = XC_RULE_ALLCLOSE, 1;
    if (!strcmp(a, "--infinities-compare-equal")) return c->tol->infinities_equal = 1, 1;
    if (!strcmp(a, "--no-shape-check")) return c->checks->no_shape_check = 1, 1;
    if (!strcmp(a, "--check-average")) return c->checks->check_average = 1, 1;
    static const char *const check_opts[] = {"--compare-func", "--index-tolerance", "--postprocess", "--check-metric"};
    for (int k = 0; k < 4; k++) {
        if (strcmp(a, check_opts[k])) continue;
        if (!(copy = kept_value(argc, argv, i, cmd))) return -1;
        return xc_check_spec_add(c->checks, a + 2, copy) == XC_OK ? 1 : (cli_error(), -1);
    }
    static const char *const tol_opts[] = {"--atol", "--rtol", "--check-error-stat", "--error-quantile"};
    for (int k = 0; k < 4; k++) {
        if (strcmp(a, tol_opts[k])) continue;
        if (!(copy = kept_value(argc, argv, i, cmd))) return -1; /* names live as long as the run */
        return xc_tolerance_spec_add(c->tol, a + 2, copy) == XC_OK ? 1 : (cli_error(), -1);
    }
    if (strcmp(a, "--seed") && strcmp(a, "--iterations") && strcmp(a, "--val-range") && strcmp(a, "--tolerance-preset")) return 0;
    if (!(v = cli_value(argc, argv, i, cmd))) return -1;
    if (!strcmp(a, "--seed")) return cli_long(cmd, a, v, &n) ? (c->inputs->seed = (uint64_t)n, 1) : -1;
    if (!strcmp(a, "--iterations")) return cli_long_in(cmd, a, v, 1, 100000, &n) ? (*c->iterations = (int)n, 1) : -1;
    if (!strcmp(a, "--tolerance-preset")) {
        if (!strcmp(v, "auto")) return c->tol->preset = XC_TOL_AUTO, 1;
        if (!strcmp(v, "polygraphy")) return c->tol->preset = XC_TOL_POLYGRAPHY, 1;
        return cli_usage_error(cmd, "--tolerance-preset takes auto or polygraphy"), -1;
    }
    /* --val-range */
    if (c->inputs->n_ranges == XC_MAX_NAMED) return cli_usage_error(cmd, "too many --val-range"), -1;
    copy = cli_keep(strdup(v));
    if (!copy || xc_parse_val_range(copy, &c->ranges[c->inputs->n_ranges]) != XC_OK) return cli_error(), -1;
    c->inputs->ranges = c->ranges;
    c->inputs->n_ranges++;
    return 1;
}
