/* main.c — crosscheck's entry point: dispatches to one subcommand per file. */
#include "cli.h"
#include "file_io.h"
#include "crosscheck/api.h" /* XC_VERSION */
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *summary;
} commands[] = {
    {"run", cmd_run, "run a model on backends and compare the outputs"},
    {"inspect", cmd_inspect, "show a model, engine, tactics, results or the OpenCL devices"},
    {"conformance", cmd_conformance, "run ONNX backend-test cases on the reference"},
    {"graph", cmd_graph, "draw a model or its OpenCL engine (dot, svg, png, pdf), with overlays"},
    {"build", cmd_build, "build the OpenCL engine (fusions, timed tactics) and write a plan"},
    {"refit", cmd_refit, "replace a plan's weights with a model of the same structure (no re-timing)"},
    {"bench", cmd_bench, "time the OpenCL engine of a model or plan (latency, throughput, per layer)"},
    {"debug", cmd_debug, "find the tactic, fusion or fp16 layer that makes the engine disagree"},
    {"surgeon", cmd_surgeon, "edit models: extract, sanitize (fold constants), insert, prune-outputs"},
    {"check", cmd_check, "check lint: every problem of a model (errors and warnings) in one run"},
    {"triage", cmd_triage, "first aid: build, compare per layer, run the debug tools that fit, write an HTML report"},
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: crosscheck <command> [options]\n\n"
            "crosscheck finds which layer, fusion, tactic or precision choice makes an optimized\n"
            "backend disagree with a naive reference.\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'crosscheck <command> --help' shows the options of a command.\n");
    fprintf(f,
            "Every command also takes, before or after its name:\n"
            "  --max-tensor-bytes N[K|M|G]  the largest tensor it may allocate or map (default: half of\n"
            "                               physical memory)\n"
            "  -v, -vv / -q                 more (info, verbose) / fewer (errors only) messages on stderr\n"
            "  --log-file FILE              also append warnings, info and errors to FILE\n"
            "  --plugins LIB.so             load custom ops from a plugin (repeatable; crosscheck/plugin.h)\n"
            "'crosscheck --version' prints the version.\n");
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "--version")) {
        printf("crosscheck %s\n", XC_VERSION);
        return 0;
    }
    if (!cli_global_options(&argc, argv)) return 2;
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (cli_is_help(argv[1])) {
        usage(stdout);
        return 0;
    }
    xc_protect_inputs(); /* one process, one command: it never overwrites what it read */
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name)) {
            int rc = commands[i].fn(argc - 1, argv + 1);
            /* an input rewritten or truncated under a mapping: whatever was printed is void */
            const char *changed = xc_changed_input();
            if (changed && !(rc == 2 && strstr(xc_error_message(), changed))) /* run stops on it itself */
                fprintf(stderr, "crosscheck: error: %s\n", changed);
            return changed ? 2 : rc;
        }
    fprintf(stderr, "crosscheck: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
