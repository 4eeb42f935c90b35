/* cmd_inspect_tactics.c — `crosscheck inspect tactics PLAN|REPLAY` and `crosscheck inspect
 * diff-tactics --good ... --bad ...`: print the library's tactic views (inspect_tactics.h). */
#include "cli.h"
#include "inspect_tactics.h"
#include "options.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

static const char *tactics_help =
    "Lists each layer's tactic from a plan ('crosscheck build -o') or a replay file (--save-tactics).";

static const char *diff_help =
    "Compares the tactic replays (or plans) of builds that worked with those of builds that did not,\n"
    "as Polygraphy's 'inspect diff-tactics' does: for each layer, the tactics seen in bad builds and\n"
    "never in good ones are the suspects. A folder stands for the .json files in it. Exits 0.";

#define JSON_HELP "JSON instead of text"

int cli_inspect_tactics(int argc, char **argv)
{
    const char *cmd = "inspect tactics";
    int json = 0;
    cli_strings args = {0};
    const cli_option opts[] = {{"--json", NULL, JSON_HELP, CLI_FLAG, .flag = &json}, {0}};
    const cli_command c = {.name = cmd,
                           .positional = "PLAN|REPLAY",
                           .description = tactics_help,
                           .options = opts,
                           .args = &args,
                           .min_args = 1,
                           .max_args = 1};
    int rc = cli_parse(&c, argc, argv);
    if (rc >= 0) return rc;
    const char *path = args.v[0];
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
    const char *cmd = "inspect diff-tactics";
    int json = 0;
    cli_strings good = {0}, bad = {0}, stray = {0};
    const cli_option opts[] = {{"--good", "FILE|DIR", "replays (or plans) of builds that worked", CLI_LIST, .list = &good},
                               {"--bad", "FILE|DIR", "replays (or plans) of builds that failed", CLI_LIST, .list = &bad},
                               {"--json", NULL, JSON_HELP, CLI_FLAG, .flag = &json},
                               {0}};
    const cli_command c = {.name = cmd, .description = diff_help, .options = opts, .args = &stray};
    int rc = cli_parse(&c, argc, argv);
    if (rc >= 0) return rc;
    if (stray.n) return cli_usage_error(cmd, "'%s': say --good or --bad before the files", stray.v[0]);
    if (!good.n || !bad.n) return cli_usage_error(cmd, "needs --good FILES... and --bad FILES...");
    cJSON *d;
    if (xc_diff_tactics(good.v, good.n, bad.v, bad.n, &d) != XC_OK) return cli_error();
    if (json) return cli_print_json(d);
    print_diff(d);
    cJSON_Delete(d);
    return 0;
}
