/* test_runners.c — the runner registry (src/runners/runner.c) and the pipeline's check step
 * (src/runners/pipeline.c): kinds found by name, unknown kinds refused, the command-line words of
 * a spec, and the reference judged against its own outputs and against perturbed ones. */
#include "dataset.h"
#include "inputs.h"
#include "onnx_io.h"
#include "runners/pipeline.h"
#include "test.h"
#include <stdlib.h>
#include <string.h>

TEST(runner_registry_finds_every_kind)
{
    int n = 0;
    for (int i = 0; xc_runner_types[i]; i++, n++) {
        const xc_runner_type *t = xc_runner_types[i];
        CHECK(xc_runner_type_find(t->kind) == t);
        CHECK(t->prepare && t->run && t->release);
        for (int k = 0; k < i; k++) CHECK(strcmp(xc_runner_types[k]->kind, t->kind)); /* kinds are unique */
    }
    CHECK(n >= 6);
    CHECK(xc_runner_type_find("no-such-runner") == NULL && xc_runner_type_find(NULL) == NULL);
    xc_runner_list l = {0};
    xc_runner_spec bad = {.kind = "no-such-runner"};
    xc_runner_env env = {0};
    CHECK(xc_runner_prepare(&bad, &env, &l) == XC_ERR_USAGE && l.n == 0);
}

static void collect(void *user, const char *w)
{
    char *buf = user;
    strcat(buf, "[");
    strcat(buf, w);
    strcat(buf, "]");
}

TEST(runner_spec_words_reproduce_the_options)
{
    char buf[512] = "";
    xc_runner_spec exec = {.kind = "exec", .name = "ort", .command = "python3 t.py {model} {inputs} {outputs}"};
    CHECK_OK(xc_runner_spec_words(&exec, collect, buf));
    CHECK(!strcmp(buf, "[--exec-runner][ort=python3 t.py {model} {inputs} {outputs}]"));
    buf[0] = 0;
    const char *paths[] = {"a", "b c"};
    xc_runner_spec loaded = {.kind = "loaded", .paths = paths, .n_paths = 2};
    CHECK_OK(xc_runner_spec_words(&loaded, collect, buf));
    CHECK(!strcmp(buf, "[--load-outputs][a][b c]"));
    buf[0] = 0;
    xc_runner_spec plan = {.kind = "plan", .path = "m.plan"}, ref = {.kind = "ref"};
    CHECK_OK(xc_runner_spec_words(&plan, collect, buf));
    CHECK_OK(xc_runner_spec_words(&ref, collect, buf));
    CHECK(!strcmp(buf, "[--plan][m.plan][--ref]"));
}

/* --ocl@1, --plan@gpu FILE: engine runners on a device of their own reproduce their option with
 * the device; a runner on no device refuses one (the CLI refuses it too, for every command). */
TEST(runner_spec_words_keep_the_device)
{
    char buf[512] = "";
    xc_runner_spec ocl = {.kind = "ocl", .device = "1"}, plan = {.kind = "plan", .path = "m.plan", .device = "gpu"};
    CHECK_OK(xc_runner_spec_words(&ocl, collect, buf));
    CHECK_OK(xc_runner_spec_words(&plan, collect, buf));
    CHECK(!strcmp(buf, "[--ocl@1][--plan@gpu][m.plan]"));
    char path[4096];
    snprintf(path, sizeof path, "%s/pointwise.onnx", test_fixtures ? test_fixtures : "build/fixtures");
    xc_model *m = NULL;
    CHECK_OK(xc_model_load(path, &m));
    xc_runner_list l = {0};
    xc_runner_spec ref = {.kind = "ref", .device = "0"};
    xc_runner_env env = {.model = m};
    CHECK(xc_runner_prepare(&ref, &env, &l) == XC_ERR_USAGE && l.n == 0 && strstr(xc_error_message(), "'@0'"));
    xc_model_free(m);
}

TEST(pipeline_check_judges_the_reference)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/pointwise.onnx", test_fixtures ? test_fixtures : "build/fixtures");
    xc_model *m = NULL;
    CHECK_OK(xc_model_load(path, &m));
    if (!m) return;
    const xc_graph *g = m->graph;
    xc_input_spec is = xc_input_spec_default();
    xc_tensor_list in = {0, NULL};
    const xc_tensor **fed = calloc((size_t)xc_graph_runtime_input_count(g) + 1, sizeof *fed);
    CHECK_OK(xc_generate_inputs(g, &is, &in));
    CHECK_OK(xc_match_inputs(g, &in, fed));
    xc_runner *r = NULL;
    xc_runner_spec spec = {.kind = "ref"};
    xc_ocl_build_options o = xc_ocl_build_defaults();
    xc_runner_env env = {m, path, &o, 1, 0, 1.0};
    CHECK_OK(xc_runner_open(&spec, &env, &r));
    xc_tensor **want = NULL;
    if (r) CHECK_OK(xc_pipeline_outputs(r, g, 0, fed, &want));
    xc_check_tolerance tol = {.spec = NULL, .fixed = xc_tolerance_default()};
    xc_check_verdict v;
    const xc_tensor *const *fed1[] = {fed}, *const * want1[] = {(const xc_tensor *const *)want};
    if (want) {
        CHECK_OK(xc_pipeline_check(r, g, 1, fed1, want1, &tol, &v));
        CHECK(v.passed && v.iteration == -1 && v.output == -1);
        float *p = (float *)want[g->n_outputs - 1]->data; /* the last output off by 1 in one element */
        p[0] += 1.0f;
        CHECK_OK(xc_pipeline_check(r, g, 1, fed1, want1, &tol, &v));
        CHECK(!v.passed && v.iteration == 0 && v.output == g->n_outputs - 1 && v.r.n_failed == 1);
    }
    xc_pipeline_outputs_free(g, want);
    xc_runner_free(r);
    free(fed);
    xc_tensor_list_free(&in);
    xc_model_free(m);
}
