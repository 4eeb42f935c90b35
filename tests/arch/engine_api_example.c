/* engine_api_example.c — the public engine API as a library user calls it (install_tests builds
 * it against an installed copy): build an OpenCL engine at optimization level 0, run it and the
 * reference on a test_data_set's inputs, compare every output, save the plan, load it back and
 * compare again; log messages are caught by a callback, never printed. Prints one line per
 * output and "log lines: N"; exit 0 when everything agrees, 1 on a mismatch, 2 on an error. */
#include <crosscheck/crosscheck.h>
#include <stdio.h>
#include <stdlib.h>

static void on_log(xc_log_level level, const char *line, void *user)
{
    (void)level, (void)line;
    ++*(int *)user;
}

/* Runs b on x and compares each output with the reference's; returns mismatches or -1. */
static int compare_run(xc_backend *b, const xc_model *m, const xc_tensor **x, xc_tensor **ref_out, const char *what)
{
    int n = xc_model_output_count(m), bad = 0;
    xc_tensor **out = calloc(n, sizeof *out);
    xc_tolerance tol = xc_tolerance_default();
    tol.atol = tol.rtol = 1e-4;
    if (!out || xc_backend_run(b, x, out, NULL)) bad = -1;
    for (int i = 0; bad >= 0 && i < n; i++) {
        xc_compare_result r;
        if (xc_compare(out[i], ref_out[i], &tol, &r))
            bad = -1;
        else
            printf("%s %s %s: %s, max abs diff %g\n", what, xc_backend_name(b), xc_model_output_name(m, i),
                   r.passed ? "PASS" : "MISMATCH", r.max_abs),
                bad += !r.passed;
    }
    for (int i = 0; out && i < n; i++) xc_tensor_free(out[i]);
    free(out);
    return bad;
}

int main(int argc, char **argv)
{
    xc_model *m = NULL;
    xc_backend *ref = NULL, *eb = NULL, *pb = NULL;
    xc_engine_config *c = NULL;
    xc_engine *e = NULL, *loaded = NULL;
    xc_tensor_list in = {0}, saved = {0};
    const xc_tensor **x = NULL;
    xc_tensor **ref_out = NULL;
    int rc = 2, lines = 0, n_out = 0, a = 0, b = 0;
    if (argc != 4) return fprintf(stderr, "usage: %s MODEL.onnx TEST_DATA_SET PLAN\n", argv[0]), 2;
    xc_log_set_callback(on_log, &lines);
    xc_log_set_level(XC_LOG_VERBOSE);
    if (xc_model_load(argv[1], &m) || xc_dataset_load(argv[2], &in, &saved)) goto fail;
    n_out = xc_model_output_count(m);
    x = calloc(xc_model_input_count(m) + 1, sizeof *x);
    ref_out = calloc(n_out, sizeof *ref_out);
    if (!x || !ref_out || xc_model_match_inputs(m, &in, x) || xc_ref_backend_create(m, &ref)
        || xc_backend_run(ref, x, ref_out, NULL))
        goto fail;
    if (xc_engine_config_create(&c)) goto fail;
    if (xc_engine_config_set_optimization_level(c, 9) == XC_OK) {
        fprintf(stderr, "optimization level 9 was accepted\n");
        goto done;
    }
    printf("level 9 refused: %s\n", xc_error_message());
    if (xc_engine_config_add_profile_shape(c, 0, "input:min=[2,3,32,32],opt=[1,3,32,32],max=[4,3,32,32]") == XC_OK
        || xc_engine_config_add_profile_shape(c, 5, "input:min=[1,3,32,32],opt=[1,3,32,32],max=[1,3,32,32]") == XC_OK) {
        fprintf(stderr, "a bad profile was accepted\n");
        goto done;
    }
    printf("bad profiles refused\n");
    if (xc_engine_config_set_optimization_level(c, 0) || xc_engine_build(m, c, &e) || xc_engine_backend_create(e, &eb)) goto fail;
    if ((a = compare_run(eb, m, x, ref_out, "built")) < 0) goto fail;
    if (xc_engine_save_plan(e, argv[3]) || xc_engine_load_plan(m, argv[3], c, &loaded) || xc_engine_backend_create(loaded, &pb))
        goto fail;
    if ((b = compare_run(pb, m, x, ref_out, "plan")) < 0) goto fail;
    printf("log lines: %d\n", lines);
    rc = a || b ? 1 : 0;
    goto done;
fail:
    fprintf(stderr, "%s\n", xc_error_message());
done:
    for (int i = 0; ref_out && i < n_out; i++) xc_tensor_free(ref_out[i]);
    free(ref_out), free(x);
    xc_backend_destroy(pb), xc_backend_destroy(eb), xc_backend_destroy(ref);
    xc_engine_free(loaded), xc_engine_free(e);
    xc_engine_config_free(c);
    xc_tensor_list_free(&in), xc_tensor_list_free(&saved);
    xc_model_free(m);
    return rc;
}
