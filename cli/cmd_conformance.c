/* cmd_conformance.c — `crosscheck conformance ROOT...`: prints one line per case and a summary. */
#include "cli.h"
#include "conformance.h"
#include "runner_options.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

static const char *help =
    "usage: crosscheck conformance ROOT... [--backend ref|ocl] [--filter REGEX] [--rtol X] [--atol X] [--ulp N]\n"
    "                                      [--expected-failures FILE] [--json FILE] [--quiet]\n\n"
    "Runs every ROOT/<case>/model.onnx against each of its test_data_set_N folders on the\n"
    "reference interpreter (or, with --backend ocl, on the OpenCL engine built for each data set's\n"
    "input shapes; cases it cannot build are UNSUPPORTED). Prints PASS, FAIL or UNSUPPORTED per case with the reason, then\n"
    "'N passed, N failed, N skipped'. Default tolerance: rtol 1e-3, atol 1e-5 (numpy allclose);\n"
    "elements within --ulp ulps (default 2) of the expected value's dtype also pass, since\n"
    "one bfloat16 rounding step is 2^-8 relative.\n"
    "--exec-runner NAME='CMD' (or any runner option of 'crosscheck run') runs the cases on that\n"
    "runner instead, e.g. ONNX Runtime through tools/onnxruntime_runner.py.\n"
    "Cases listed in --expected-failures ('name reason' lines) may fail (XFAIL); one that passes\n"
    "is an error (XPASS). Exit 1 if any case fails unexpectedly, 2 on usage errors.\n";

typedef struct printer {
    int quiet;
    cJSON *json;
} printer;

static void on_case(const xc_case_result *r, void *user)
{
    printer *p = user;
    static const char *tags[] = {"PASS", "FAIL", "UNSUPPORTED", "XFAIL", "XPASS"};
    if (!p->quiet || r->verdict == XC_CASE_FAIL || r->verdict == XC_CASE_XPASS) {
        if (r->reason[0]) printf("%-11s %s  (%s)\n", tags[r->verdict], r->name, r->reason);
        else printf("%-11s %s\n", tags[r->verdict], r->name);
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

int cmd_conformance(int argc, char **argv)
{
    const char *cmd = "conformance", *json_path = NULL;
    const char *roots[64];
    int n_roots = 0;
    xc_conformance_opts o = xc_conformance_defaults();
    printer p = {0, NULL};
    static xc_runner_spec runner[1];
    int n_runners = 0, r;
    cli_runners runners = {.specs = runner, .n = &n_runners, .max = 1, .timeout = &o.exec_timeout};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if ((r = cli_runner_option(argc, argv, &i, cmd, &runners)) != 0) {
            if (r < 0) return 2;
            o.runner = n_runners ? runner : NULL;
        } else if (cli_is_help(a)) {
            fputs(help, stdout);
            return 0;
        } else if (!strcmp(a, "--filter")) {
            if (!(o.filter = cli_value(argc, argv, &i, cmd))) return 2;
        } else if (!strcmp(a, "--backend")) {
            if (!(v = cli_value(argc, argv, &i, cmd))) return 2;
            if (strcmp(v, "ref") && strcmp(v, "ocl")) return cli_usage_error(cmd, "unknown backend '%s' (available: ref, ocl)", v);
            o.ocl = !strcmp(v, "ocl");
        } else if (!strcmp(a, "--rtol") || !strcmp(a, "--atol")) {
            if (!(v = cli_value(argc, argv, &i, cmd))) return 2;
            if (!cli_double_in(cmd, a, v, 0, 1e300, a[2] == 'r' ? &o.tol.rtol : &o.tol.atol)) return 2;
        } else if (!strcmp(a, "--ulp")) {
            if (!(v = cli_value(argc, argv, &i, cmd)) || !cli_double_in(cmd, a, v, 0, 1e300, &o.tol.ulp_tol)) return 2;
        } else if (!strcmp(a, "--expected-failures")) {
            if (!(o.expected_failures = cli_value(argc, argv, &i, cmd))) return 2;
        } else if (!strcmp(a, "--json")) {
            if (!(json_path = cli_value(argc, argv, &i, cmd))) return 2;
        } else if (!strcmp(a, "--quiet")) {
            p.quiet = 1;
        } else if (a[0] == '-') {
            return cli_usage_error(cmd, "unknown option '%s'", a);
        } else if (n_roots < 64) {
            roots[n_roots++] = a;
        }
    }
    if (!n_roots) return cli_usage_error(cmd, "no ROOT folder given");
    if (json_path) {
        p.json = cJSON_CreateObject();
        cJSON_AddItemToObject(p.json, "cases", cJSON_CreateArray());
    }
    o.on_case = on_case;
    o.user = &p;
    xc_conformance_summary s;
    if (xc_conformance_run(roots, n_roots, &o, &s) != XC_OK) {
        cJSON_Delete(p.json);
        return cli_error();
    }
    int rc = s.failed || s.xpassed ? 1 : 0;
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
