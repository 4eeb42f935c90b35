/* profile.h — benchmarking an engine, in the manner of trtexec: timed inferences on one
 * execution context (latency = H2D + compute + D2H by the wall clock; GPU compute, H2D and D2H
 * from profiling events), and an optional separate pass timing every layer. */
#ifndef XC_OCL_PROFILE_H
#define XC_OCL_PROFILE_H
#include "ocl/ocl.h"
#include <stdint.h>

typedef struct xc_bench_options {
    int iterations;    /* at least this many timed inferences (default 10) */
    double warmup_ms;  /* untimed inferences first, for this long (default 200; at least one) */
    double duration_s; /* and timed inferences for at least this long (default 3) */
    int profile;       /* then a per-layer profiling pass (same stopping rule) */
    uint64_t seed;     /* generated inputs (see inputs.h; default 1) */
} xc_bench_options;

xc_bench_options xc_bench_defaults(void);

/* Statistics of a set of samples, in ms. n = 0: nothing was measured (every field 0). */
typedef struct xc_stats {
    int n;
    double min, max, mean, median, p90, p95, p99;
} xc_stats;

typedef struct xc_layer_time {
    const char *name;   /* the layer's name (ONNX nodes covered); borrowed from the engine */
    const char *tactic; /* its tactic variant; borrowed */
    double mean_ms, median_ms;
    double percent; /* of the sum of every layer's mean */
} xc_layer_time;

typedef struct xc_bench_result {
    int iterations;          /* timed inferences */
    double wall_s;           /* of the timed inferences, back to back */
    double qps;              /* iterations / wall_s */
    xc_stats latency;        /* per inference: H2D + compute + D2H, host wall clock */
    xc_stats gpu;            /* first kernel's start to last kernel's end (events) */
    xc_stats h2d, d2h;       /* first transfer's start to last one's end (events) */
    int profiled_iterations; /* per-layer pass (0 without profile) */
    int n_layers;            /* layers that do work (views excluded), slowest first */
    xc_layer_time *layers;
    double layers_total_ms; /* sum of the layers' means */
} xc_bench_result;

/* Runs the benchmark on a fresh execution context of e with generated inputs of the engine's
 * static input shapes. */
xc_status xc_bench_run(xc_engine *e, const xc_bench_options *o, xc_bench_result *out);
void xc_bench_result_free(xc_bench_result *r);

/* The result (and the options it ran with) as JSON; caller frees. */
struct cJSON *xc_bench_json(const xc_bench_result *r, const xc_bench_options *o);
#endif
