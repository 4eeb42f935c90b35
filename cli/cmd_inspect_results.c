/* cmd_inspect_results.c — `crosscheck inspect results DIR|FILE [--json]`: prints the library's
 * summary of a results set (src/inspect_results.c). */
#include "cli.h"
#include "options.h"
#include "inspect_results.h"
#include <stdio.h>
#include <string.h>

static const char *description =
    "Summarizes a results set: a crosscheck results folder (run --save-outputs), an ONNX\n"
    "test_data_set folder, a .pb or .npy file, or a Polygraphy JSON file (run --save-outputs or\n"
    "--save-inputs). Per runner and iteration, each tensor's dtype, shape, min/max/mean/std,\n"
    "NaN and Inf counts and a 10-bin histogram of its finite values; the comparison statistics\n"
    "when the results index recorded them. Exit 2 if the set cannot be read.";

/* A number of the summary, or "-" where it is null (no finite values). */
static void print_num(const char *label, const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(o, key);
    if (cJSON_IsNumber(v))
        printf(" %s=%.6g", label, v->valuedouble);
    else
        printf(" %s=-", label);
}

static void print_tensor(const cJSON *t)
{
    const cJSON *stats = cJSON_GetObjectItem(t, "stats"), *cmp = cJSON_GetObjectItem(t, "compare"), *d;
    printf("    %-6s %-24s %s[", cJSON_GetObjectItem(t, "role")->valuestring, cJSON_GetObjectItem(t, "name")->valuestring,
           cJSON_GetObjectItem(t, "dtype")->valuestring);
    int first = 1;
    cJSON_ArrayForEach(d, cJSON_GetObjectItem(t, "shape"))
    {
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
    cJSON_ArrayForEach(r, cJSON_GetObjectItem(s, "runners"))
    {
        printf("runner %s\n", cJSON_GetObjectItem(r, "name")->valuestring);
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(r, "iterations"))
        {
            printf("  iteration %.0f\n", cJSON_GetObjectItem(it, "iteration")->valuedouble);
            cJSON_ArrayForEach(t, cJSON_GetObjectItem(it, "tensors")) print_tensor(t);
        }
    }
}

int cmd_inspect_results(int argc, char **argv)
{
    const char *path;
    int json = 0, show_values = 0;
    long max_values = 100;
    cli_strings set = {0};
    const cli_option opts[] = {
        {"--json", NULL, "print the summary as JSON", CLI_FLAG, .flag = &json},
        {"--show-values", NULL, "print the values too, one row of the last axis a line", CLI_FLAG, .flag = &show_values},
        {"--max-values", "N", "at most N values per tensor, then '... N more' (default 100, 0: all)", CLI_LONG,
         .whole = &max_values, .lo = 0, .hi = 1e15},
        {0}};
    const cli_command c = {.name = "inspect results",
                           .positional = "DIR|FILE",
                           .description = description,
                           .options = opts,
                           .args = &set,
                           .min_args = 1,
                           .max_args = 1};
    int rc = cli_parse(&c, argc, argv);
    if (rc >= 0) return rc;
    path = set.v[0];
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
