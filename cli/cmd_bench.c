/* cmd_bench.c — `crosscheck bench MODEL|PLAN`: trtexec-style timing of the OpenCL engine
 * (throughput, latency, GPU compute, transfers) and, with --profile, per-layer times. */
#include "cli.h"
#include "ocl/profile.h"
#include "ocl_group.h"
#include "file_io.h"
#include "onnx_io.h"
#include "tensor_proto.h"
#include <libgen.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *description =
    "Builds the OpenCL engine from MODEL (or loads a plan made by 'crosscheck build': the model\n"
    "it names is loaded only from inside the plan's folder, else give it with --model), warms up, then\n"
    "runs inferences back to back with generated inputs and reports throughput, latency\n"
    "(H2D + compute + D2H by the host clock), GPU compute time (first kernel's start to last\n"
    "kernel's end, profiling events) and the H2D and D2H transfer times.";

static void print_stats(const char *label, const xc_stats *s)
{
    if (!s->n) {
        printf("%s: not measured\n", label);
        return;
    }
    printf(
        "%s: min = %.5f ms, max = %.5f ms, mean = %.5f ms, median = %.5f ms, percentile(90%%) = %.5f ms, "
        "percentile(95%%) = %.5f ms, percentile(99%%) = %.5f ms\n",
        label, s->min, s->max, s->mean, s->median, s->p90, s->p95, s->p99);
}

static void print_summary(const xc_bench_result *r)
{
    printf("\n=== Performance summary (%d inferences in %.3f s) ===\n", r->iterations, r->wall_s);
    printf("Throughput: %.3f qps\n", r->qps);
    print_stats("Latency", &r->latency);
    print_stats("GPU Compute Time", &r->gpu);
    print_stats("H2D Latency", &r->h2d);
    print_stats("D2H Latency", &r->d2h);
    printf(
        "Latency is H2D + GPU compute + D2H per inference by the host clock; GPU compute runs from the\n"
        "first kernel's start to the last kernel's end (profiling events).\n");
}

static void print_profile(const xc_bench_result *r)
{
    printf("\n=== Profile (%d iterations) ===\n", r->profiled_iterations);
    printf("%12s %12s %9s  %-34s %s\n", "Avg(ms)", "Median(ms)", "Time(%)", "Tactic", "Layer");
    for (int i = 0; i < r->n_layers; i++) {
        const xc_layer_time *t = &r->layers[i];
        printf("%12.5f %12.5f %9.2f  %-34s %s\n", t->mean_ms, t->median_ms, t->percent, t->tactic, t->name);
    }
    printf("%12.5f %12s %9.2f  %-34s %s\n", r->layers_total_ms, "", 100.0, "", "Total");
}

static int write_json(const char *path, const char *model, const xc_engine *e, const xc_bench_result *r,
                      const xc_bench_options *o)
{
    cJSON *root = xc_bench_json(r, o);
    cJSON_AddStringToObject(root, "model", model);
    cJSON_AddItemToObject(root, "engine", xc_engine_describe(e));
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    xc_status s = text ? xc_write_file(path, text, strlen(text)) : xc_fail(XC_ERR_NOMEM, "out of memory");
    cJSON_free(text);
    if (s != XC_OK) return cli_error();
    printf("wrote %s\n", path);
    return 0;
}

int cmd_bench(int argc, char **argv)
{
    const char *cmd = "bench", *json = NULL, *model = NULL;
    xc_ocl_build_options o = xc_ocl_build_defaults();
    xc_bench_options b = xc_bench_defaults();
    long iterations = b.iterations, seed = (long)b.seed;
    const cli_option opts[] = {
        {"--iterations", "N", "at least N timed inferences (default 10)", CLI_LONG, .whole = &iterations, .lo = 1,
         .hi = 100000000},
        {"--duration-s", "X", "and at least X seconds of them (default 3)", CLI_DOUBLE, .num = &b.duration_s, .lo = 0,
         .hi = 86400e3},
        {"--warmup-ms", "X", "untimed inferences first, for X ms (default 200; at least one)", CLI_DOUBLE, .num = &b.warmup_ms,
         .lo = 0, .hi = 86400e3},
        {"--profile", NULL, "then a separate pass timing every layer (same stopping rule)", CLI_FLAG, .flag = &b.profile},
        {"--seed", "N", "seed for the generated inputs (default 1)", CLI_LONG, .whole = &seed},
        {"--json", "FILE", "write the results, the profile and the engine as JSON", CLI_STRING, .str = &json},
        {"--model", "FILE", "the model of a PLAN (default: the one the plan names, in its folder)", CLI_STRING, .str = &model},
        {0}};
    cli_ocl_group g = {.o = &o};
    const cli_command c = {.name = cmd, .positional = "MODEL|FILE.plan", .description = description, .options = opts};
    const char *path = NULL;
    int rc = cli_parse_ocl(c, &g, "OpenCL build options (for a plan, the plan's own options win)", argc, argv, &path);
    if (rc >= 0) return rc;
    b.iterations = (int)iterations;
    b.seed = (uint64_t)seed;
    o.progress = cli_ocl_progress();
    xc_model *m;
    xc_engine *e;
    if (xc_engine_open(path, model, &o, &m, &e) != XC_OK) {
        xc_model_free(m);
        return cli_error();
    }
    cli_print_engine(e);
    xc_bench_result r;
    rc = 0;
    if (xc_bench_run(e, &b, &r) != XC_OK) {
        rc = cli_error();
    } else {
        print_summary(&r);
        if (b.profile) print_profile(&r);
        if (json) rc = write_json(json, path, e, &r, &b);
    }
    xc_bench_result_free(&r);
    xc_engine_free(e);
    xc_model_free(m);
    return rc;
}
