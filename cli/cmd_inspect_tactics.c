/* cmd_inspect_tactics.c — `crosscheck inspect tactics PLAN|REPLAY` and `crosscheck inspect
 * diff-tactics --good ... --bad ...`: print the library's tactic views (inspect_tactics.h). */
#include "cli.h"
#include "inspect_tactics.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#define MAX_FILES 256

static const char *tactics_help =
    "usage: crosscheck inspect tactics PLAN|REPLAY [--json]\n\n"
    "Lists each layer's tactic from a plan ('crosscheck build -o') or a replay file (--save-tactics).\n";

static const char *diff_help =
    "usage: crosscheck inspect diff-tactics --good FILE|DIR... --bad FILE|DIR... [--json]\n\n"
    "Compares the tactic replays (or plans) of builds that worked with those of builds that did not,\n"
    "as Polygraphy's 'inspect diff-tactics' does: for each layer, the tactics seen in bad builds and\n"
    "never in good ones are the suspects. A folder stands for the .json files in it. Exits 0.\n";

int cli_inspect_tactics(int argc, char **argv)
{
    const char *cmd = "inspect tactics", *path = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(tactics_help, stdout);
            return 0;
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (!cli_positional(cmd, argv[i], &path)) {
            return 2;
        }
    }
    if (!path) return cli_usage_error(cmd, "no PLAN or REPLAY file given");
    cJSON *d, *l;
    if (xc_inspect_tactics(path, &d) != XC_OK) return cli_error();
    if (json) return cli_print_json(d);
    printf("%s: %d layers\n", path, cJSON_GetArraySize(cJSON_GetObjectItem(d, "layers")));
    cJSON_ArrayForEach(l, cJSON_GetObjectItem(d, "layers"))
        printf("  %-40s %s\n", cJSON_GetObjectItem(l, "tactic")->valuestring, cJSON_GetObjectItem(l, "name")->valuestring);
    cJSON_Delete(d);
    return 0;
}

static void print_counts(const char *label, const cJSON *list, const char *key, int of)
{
    const cJSON *t;
    cJSON_ArrayForEach(t, list) printf("    %-22s %-40s (%.0f of %d)\n", label, cJSON_GetObjectItem(t, "tactic")->valuestring,
                                       cJSON_GetObjectItem(t, key)->valuedouble, of);
}

static void print_diff(const cJSON *d)
{
    int n_good = cJSON_GetArraySize(cJSON_GetObjectItem(d, "good_files"));
    int n_bad = cJSON_GetArraySize(cJSON_GetObjectItem(d, "bad_files"));
    const cJSON *layers = cJSON_GetObjectItem(d, "layers"), *l;
    printf("compared %d good and %d bad build%s over %.0f layers\n", n_good, n_bad, n_bad > 1 ? "s" : "",
           cJSON_GetObjectItem(d, "layers_compared")->valuedouble);
    cJSON_ArrayForEach(l, layers)
    {
        printf("Layer: %s%s\n", cJSON_GetObjectItem(l, "name")->valuestring,
               cJSON_IsTrue(cJSON_GetObjectItem(l, "in_good_builds")) ? "" : "  (in no good build)");
        print_counts("only in bad builds:", cJSON_GetObjectItem(l, "suspects"), "bad_builds", n_bad);
        print_counts("in good builds:", cJSON_GetObjectItem(l, "good_tactics"), "good_builds", n_good);
    }
    int n = cJSON_GetArraySize(layers);
    if (n)
        printf("%d layer%s with tactics seen only in bad builds\n", n, n > 1 ? "s" : "");
    else
        printf("no tactic is seen only in bad builds\n");
}

int cli_inspect_diff_tactics(int argc, char **argv)
{
    const char *cmd = "inspect diff-tactics", *good[MAX_FILES], *bad[MAX_FILES];
    int n_good = 0, n_bad = 0, json = 0, side = -1; /* -1 before --good/--bad: no file expected */
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(diff_help, stdout);
            return 0;
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (!strcmp(argv[i], "--good") || !strcmp(argv[i], "--bad")) {
            side = !strcmp(argv[i], "--bad");
        } else if (argv[i][0] == '-') {
            return cli_usage_error(cmd, "unknown option '%s'", argv[i]);
        } else if (side < 0) {
            return cli_usage_error(cmd, "'%s': say --good or --bad before the files", argv[i]);
        } else if ((side ? n_bad : n_good) == MAX_FILES) {
            return cli_usage_error(cmd, "more than %d files on one side", MAX_FILES);
        } else if (side) {
            bad[n_bad++] = argv[i];
        } else {
            good[n_good++] = argv[i];
        }
    }
    if (!n_good || !n_bad) return cli_usage_error(cmd, "needs --good FILES... and --bad FILES...");
    cJSON *d;
    if (xc_diff_tactics(good, n_good, bad, n_bad, &d) != XC_OK) return cli_error();
    if (json) return cli_print_json(d);
    print_diff(d);
    cJSON_Delete(d);
    return 0;
}
