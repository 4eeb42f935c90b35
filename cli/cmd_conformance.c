/* cmd_conformance.c — `crosscheck conformance ROOT...`: prints one line per case and a summary. */
#include "cli.h"
#include "options.h"
#include "log.h"
#include "conformance.h"
#include "runner_options.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

static const char *description =
    "Runs every ROOT/<case>/model.onnx against each of its test_data_set_N folders on the\n"
    "reference interpreter (or, with --backend ocl, on the OpenCL engine built for each data set's\n"
    "input shapes; cases it cannot build are UNSUPPORTED). Prints PASS, FAIL or UNSUPPORTED per case with the reason, then\n"
    "'N passed, N failed, N skipped'. Default tolerance: rtol 1e-3, atol 1e-5 (numpy allclose);\n"
    "elements within --ulp ulps (default 2) of the expected value's dtype also pass, since\n"
    "one bfloat16 rounding step is 2^-8 relative.\n"
    "--exec-runner NAME='CMD' (or any runner option of 'crosscheck run') runs the cases on that\n"
    "runner instead, e.g. ONNX Runtime through tools/onnxruntime_runner.py.\n"
    "Cases listed in --expected-failures ('name reason' lines) may fail or be unsupported (XFAIL);\n"
    "one that passes is an error (XPASS), and so is an unlisted unsupported case. With -q (--quiet) only failures and the "
    "summary are printed.\n"
    "Exit 1 if any case fails unexpectedly, 2 on usage errors.";

typedef struct printer {
    int quiet;
    cJSON *json;
} printer;

static void on_case(const xc_case_result *r, void *user)
{
    printer *p = user;
    static const char *tags[] = {"PASS", "FAIL", "UNSUPPORTED", "XFAIL", "XPASS"};
    if (!p->quiet || r->verdict == XC_CASE_FAIL || r->verdict == XC_CASE_XPASS) {
        if (r->reason[0])
            printf("%-11s %s  (%s)\n", tags[r->verdict], r->name, r->reason);
        else
            printf("%-11s %s\n", tags[r->verdict], r->name);
        fflush(stdout);
    }
    if (p->json) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "name", r->name);
        cJSON_AddStringToObject(c, "root", r->root);
        cJSON_AddStringToObject(c, "verdict", tags[r->verdict]);
        cJSON_AddStringToObject(c, "reason", r->reason);
        cJSON_AddNumberToObject(c, "seconds", r->seconds);
        cJSON_AddItemToArray(cJSON_GetObjectItem(p->json, "cases"), c);
    }
}

static int runner_option(void *user, int argc, char **argv, int *i)
{
    return cli_runner_option(argc, argv, i, "conformance", user);
}

int cmd_conformance(int argc, char **argv)
{
    const char *json_path = NULL;
    cli_strings roots = {0};
    long backend = 0;
    xc_conformance_opts o = xc_conformance_defaults();
    printer p = {0, NULL};
    const cli_option opts[] = {
        {"--backend", NULL, "where cases run (default ref)", CLI_CHOICE, .whole = &backend, .choices = "ref|ocl"},
        {"--filter", "REGEX", "run only the cases whose name matches", CLI_STRING, .str = &o.filter},
        {"--rtol", "X", "relative tolerance (default 1e-3)", CLI_DOUBLE, .num = &o.tol.rtol, .lo = 0, .hi = 1e300},
        {"--atol", "X", "absolute tolerance (default 1e-5)", CLI_DOUBLE, .num = &o.tol.atol, .lo = 0, .hi = 1e300},
        {"--ulp", "N", "elements within N ulps pass (default 2)", CLI_DOUBLE, .num = &o.tol.ulp_tol, .lo = 0, .hi = 1e300},
        {"--expected-failures", "FILE", "'name reason' lines of cases that may fail", CLI_STRING, .str = &o.expected_failures},
        {"--json", "FILE", "write every case's verdict as JSON", CLI_STRING, .str = &json_path},
        {0}};
    static xc_runner_spec runner[1];
    int n_runners = 0;
    cli_runners runners = {.specs = runner, .n = &n_runners, .max = 1, .timeout = &o.exec_timeout};
    const cli_group groups[] = {
        {runner_option, &runners, "the runner cases run on instead of the reference (one)", NULL, cli_runner_help}, {0}};
    const cli_command c = {.name = "conformance",
                           .positional = "ROOT...",
                           .description = description,
                           .options = opts,
                           .args = &roots,
                           .min_args = 1,
                           .groups = groups};
    int rc = cli_parse(&c, argc, argv);
    if (rc >= 0) return rc;
    o.ocl = backend == 1;
    o.runner = n_runners ? runner : NULL;
    p.quiet = xc_log_get_level() < XC_LOG_WARNING; /* the global -q / --quiet */
    if (json_path) {
        p.json = cJSON_CreateObject();
        cJSON_AddItemToObject(p.json, "cases", cJSON_CreateArray());
    }
    o.on_case = on_case;
    o.user = &p;
    xc_conformance_summary s;
    if (xc_conformance_run(roots.v, roots.n, &o, &s) != XC_OK) {
        cJSON_Delete(p.json);
        return cli_error();
    }
    rc = s.failed || s.xpassed ? 1 : 0;
    if (p.json) {
        cJSON_AddNumberToObject(p.json, "passed", s.passed);
        cJSON_AddNumberToObject(p.json, "failed", s.failed + s.xpassed);
        cJSON_AddNumberToObject(p.json, "skipped", s.skipped);
        cJSON_AddNumberToObject(p.json, "expected_failures", s.xfailed);
        char *text = cJSON_Print(p.json);
        FILE *f = fopen(json_path, "w");
        if (!f || !text || fputs(text, f) < 0) {
            fprintf(stderr, "crosscheck conformance: cannot write %s\n", json_path);
            rc = 2;
        }
        if (f) fclose(f);
        cJSON_free(text);
        cJSON_Delete(p.json);
    }
    if (s.xfailed) printf("(%d expected failures)\n", s.xfailed);
    printf("%d passed, %d failed, %d skipped\n", s.passed, s.failed + s.xpassed, s.skipped);
    return rc;
}
