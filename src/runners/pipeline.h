/* pipeline.h — the pipeline's check step for the commands that judge a runner against known
 * outputs (the debug tools, debug reduce's built-in check, conformance): run a runner on every
 * iteration's inputs and compare every graph output with the expected one, and (when asked)
 * every tensor the runner reports with the reference's by run --per-layer's rule, stopping at
 * the first failure. `run` (runner.h) is the same pipeline with several runners, a report and
 * layer-by-layer comparison. */
#ifndef XC_RUNNERS_PIPELINE_H
#define XC_RUNNERS_PIPELINE_H
#include "runners/runner.h"
#include "output_check.h"
#include "tolerance_spec.h"

/* Which tolerance applies: a spec (run's rules: per-output entries, dtype-aware defaults) or
 * one fixed tolerance for every output (conformance). */
typedef struct xc_check_tolerance {
    const xc_tolerance_spec *spec; /* used when not NULL */
    xc_tolerance fixed;
    int math;                    /* xc_math of the runner's results: half storage (spec only); an fp32
                                    output with a rounding layer on its path gets TF32's (its depth) */
    const int *golden_depth;     /* per graph output: the rounding layers behind the expected value (a golden
                                    engine's, xc_pipeline_rounding_depths), added to the runner's; NULL: none */
    const xc_check_spec *checks; /* with spec: run's output checks (compare function, top-K,
                                         shape matching, metric bounds); NULL: tolerance alone */
    const xc_model *layers;      /* not NULL (the model the runner runs; spec only): every tensor the
                                    runner reports is judged too, against the reference evaluated on
                                    demand, by run --per-layer's rule (per_layer.h, accumulated), so
                                    an error the outputs mask (a scale a LayerNorm removes) fails */
} xc_check_tolerance;

/* The verdict of a check: passed, or the first failing iteration and output with its
 * comparison, the runner's tensor and the expected one (the caller words the reason). */
typedef struct xc_check_verdict {
    int passed;
    int iteration, output; /* the first failure (-1 when passed; output -1 for a layer's tensor) */
    xc_compare_result r;
    char *layer, *tensor;               /* a failing tensor inside the model (layers judged, every output passing):
                             its engine layer and name (owned: xc_check_verdict_free), else NULL */
    char desc_got[256], desc_want[256]; /* shapes and dtypes, when they do not match */
} xc_check_verdict;

/* Runs r on fed[k] for k < n_iter and compares its outputs with want[k][o] (outputs without
 * an expected tensor are not compared).
 * A failing run is an error, not a verdict. */
xc_status xc_pipeline_check(xc_runner *r, const xc_graph *g, int n_iter, const xc_tensor *const *const *fed,
                            const xc_tensor *const *const *want, const xc_check_tolerance *tol, xc_check_verdict *v);
void xc_check_verdict_free(xc_check_verdict *v);
/* Runs r on fed alone: out[o] (allocated, one per graph output) owned by the caller. */
xc_status xc_pipeline_outputs(xc_runner *r, const xc_graph *g, int it, const xc_tensor *const *fed, xc_tensor ***out);
void xc_pipeline_outputs_free(const xc_graph *g, xc_tensor **out);
/* Per graph output, how many rounding layers of r's engine lie on its path (xc_engine_rounding_depth):
 * *depth (allocated, owned by the caller) is NULL for a runner without an engine. */
xc_status xc_pipeline_rounding_depths(const xc_runner *r, const xc_graph *g, int **depth);
#endif
