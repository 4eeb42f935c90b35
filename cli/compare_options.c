/* compare_options.c — the data and comparison options `run` and the debug tools share (see
 * compare_options.h). */
#include "compare_options.h"
#include "cli.h"
#include <stdlib.h>
#include <string.h>

const char cli_compare_help_full[] =
    "  --seed N                   seed for generated inputs (default 1); iteration i uses seed+i\n"
    "  --iterations N             run and compare N input sets (default 1)\n"
    "  --val-range [NAME:][LO,HI] range of generated values (default [0,1]; integers [0,3])\n"
    "  --load-inputs PATH...      inputs: .pb files, test_data_set or results folders\n"
    "  --atol [NAME:]X            absolute tolerance (per output with NAME; repeatable)\n"
    "  --rtol [NAME:]X            relative tolerance\n"
    "  --check-error-stat [NAME:]elemwise|max|mean|median|quantile   (default elemwise)\n"
    "  --error-quantile [NAME:]Q  quantile for --check-error-stat quantile (default 0.99)\n"
    "  --tolerance-preset auto|polygraphy   defaults when no --atol/--rtol: dtype-aware (auto:\n"
    "                             float32 1e-4, fp16 1e-2, atol scaled by the RMS of the\n"
    "                             reference, integers exact; NaN matches NaN, Inf the same Inf)\n"
    "                             or Polygraphy's (1e-5; NaN never matches, Inf only with\n"
    "                             --infinities-compare-equal)\n"
    "  --infinities-compare-equal an infinity matches the same infinity (polygraphy preset)\n"
    "  --allclose                 numpy.allclose's rule instead of Polygraphy's\n"
    "  --postprocess [NAME:]top-K[,axis=A]  compare the indices of the K largest values instead\n"
    "  --no-shape-check           reshape (or transpose) a reference of the same element count\n"
    "  --compare-func simple|indices  indices: each output value must appear in the reference's\n"
    "                             batch within --index-tolerance [NAME:]N positions (default 0)\n"
    "  --check-metric [NAME:]METRIC>=X  also bound cosine, snr or psnr (>=), or l2 (<=) (repeatable)\n"
    "  --check-average            decide on the error statistic and metrics averaged over the\n"
    "                             iterations (Polygraphy's)\n";

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
    if (!cli_grow(c->ranges, c->inputs->n_ranges, c->cap_ranges, sizeof **c->ranges)) return cli_out_of_memory(cmd), -1;
    c->inputs->ranges = *c->ranges;
    copy = cli_keep(strdup(v));
    if (!copy || xc_parse_val_range(copy, &(*c->ranges)[c->inputs->n_ranges]) != XC_OK) return cli_error(), -1;
    c->inputs->n_ranges++;
    return 1;
}
