/* cmd_inspect_results.c — `crosscheck inspect results DIR|FILE [--json]`: prints the library's
 * summary of a results set (src/inspect_results.c). */
#include "cli.h"
#include "inspect_results.h"
#include <stdio.h>
#include <string.h>

static const char *help =
    "usage: crosscheck inspect results DIR|FILE [--json] [--show-values [--max-values N]]\n\n"
    "Summarizes a results set: a crosscheck results folder (run --save-outputs), an ONNX\n"
    "test_data_set folder, a .pb or .npy file, or a Polygraphy JSON file (run --save-outputs or\n"
    "--save-inputs). Per runner and iteration, each tensor's dtype, shape, min/max/mean/std,\n"
    "NaN and Inf counts and a 10-bin histogram of its finite values; the comparison statistics\n"
    "when the results index recorded them. --show-values prints the values too, one row of the\n"
    "last axis a line, at most --max-values of them (default 100, 0: all), then '... N more'.\n"
    "Exit 2 if the set cannot be read.\n";

/* A number of the summary, or "-" where it is null (no finite values). */
static void print_num(const char *label, const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(o, key);
    if (cJSON_IsNumber(v)) printf(" %s=%.6g", label, v->valuedouble);
    else printf(" %s=-", label);
}

static void print_tensor(const cJSON *t)
{
    const cJSON *stats = cJSON_GetObjectItem(t, "stats"), *cmp = cJSON_GetObjectItem(t, "compare"), *d;
    printf("    %-6s %-24s %s[", cJSON_GetObjectItem(t, "role")->valuestring, cJSON_GetObjectItem(t, "name")->valuestring,
           cJSON_GetObjectItem(t, "dtype")->valuestring);
    int first = 1;
    cJSON_ArrayForEach(d, cJSON_GetObjectItem(t, "shape")) {
        printf(first ? "%.0f" : ",%.0f", d->valuedouble);
        first = 0;
    }
    printf("]\n          ");
    print_num("min", stats, "min");
    print_num("max", stats, "max");
    print_num("mean", stats, "mean");
    print_num("std", stats, "std");
    print_num("nan", stats, "nan");
    print_num("inf", stats, "inf");
    printf("\n           histogram");
    cJSON_ArrayForEach(d, cJSON_GetObjectItem(stats, "histogram")) printf(" %.0f", d->valuedouble);
    printf("\n");
    const cJSON *values = cJSON_GetObjectItem(t, "values");
    if (cJSON_IsString(values)) { /* indent every line under the tensor */
        printf("           values\n");
        for (const char *p = values->valuestring; *p;) {
            const char *nl = strchr(p, '\n');
            int len = nl ? (int)(nl - p) : (int)strlen(p);
            printf("             %.*s\n", len, p);
            p += len + (nl != NULL);
        }
    }
    if (!cmp) return;
    printf("           %s", cJSON_IsTrue(cJSON_GetObjectItem(cmp, "passed")) ? "PASSED" : "FAILED");
    if (cJSON_IsTrue(cJSON_GetObjectItem(cmp, "shape_mismatch"))) {
        printf(" (shape mismatch)\n");
        return;
    }
    static const char *keys[] = {"max_abs", "mean_abs", "max_rel", "mean_rel", "nmse", "cosine", "max_ulp"};
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) print_num(keys[k], cmp, keys[k]);
    printf("\n");
}

static void print_text(const cJSON *s)
{
    const cJSON *r, *it, *t;
    printf("results %s (%s)\n", cJSON_GetObjectItem(s, "source")->valuestring, cJSON_GetObjectItem(s, "format")->valuestring);
    cJSON_ArrayForEach(r, cJSON_GetObjectItem(s, "runners")) {
        printf("runner %s\n", cJSON_GetObjectItem(r, "name")->valuestring);
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(r, "iterations")) {
            printf("  iteration %.0f\n", cJSON_GetObjectItem(it, "iteration")->valuedouble);
            cJSON_ArrayForEach(t, cJSON_GetObjectItem(it, "tensors")) print_tensor(t);
        }
    }
}

int cmd_inspect_results(int argc, char **argv)
{
    const char *cmd = "inspect results", *path = NULL;
    int json = 0, show_values = 0;
    long max_values = 100;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(help, stdout);
            return 0;
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (!strcmp(argv[i], "--show-values")) {
            show_values = 1;
        } else if (!strcmp(argv[i], "--max-values")) {
            const char *v = cli_value(argc, argv, &i, cmd);
            if (!v || !cli_long(cmd, "--max-values", v, &max_values)) return 2;
            if (max_values < 0) return cli_usage_error(cmd, "--max-values takes a count (0: all)");
        } else if (!cli_positional(cmd, argv[i], &path)) {
            return 2;
        }
    }
    if (!path) return cli_usage_error(cmd, "no DIR or FILE given");
    cJSON *s;
    if (xc_inspect_results_values(path, show_values, (size_t)max_values, &s) != XC_OK) return cli_error();
    if (json) {
        char *text = cJSON_Print(s);
        puts(text);
        cJSON_free(text);
    } else {
        print_text(s);
    }
    cJSON_Delete(s);
    return 0;
}
