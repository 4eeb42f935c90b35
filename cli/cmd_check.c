/* cmd_check.c — `crosscheck check lint MODEL [--json FILE]`: prints every finding of the
 * library's lint (src/lint.c), one line each. Exit 0 when no errors (warnings allowed), 1 when
 * errors were found, 2 when the file cannot be read as an ONNX model or on usage errors. */
#include "cli.h"
#include "options.h"
#include "lint.h"
#include <stdio.h>
#include <string.h>

static const char *description =
    "Reports every independent problem of MODEL in one run, one line each:\n"
    "  errors   what loading refuses: unknown ops, bad or missing attributes, wrong input or\n"
    "           output counts, inputs with no producer, values defined twice, cycles, and\n"
    "           type/shape inference failures (each node checked even after others failed)\n"
    "  warnings legal but suspicious: unused graph inputs, dead nodes (no graph output depends\n"
    "           on them), unused initializers, shadowed names (an initializer that is also a\n"
    "           graph input, a subgraph value hiding an outer one), unnamed nodes, nodes\n"
    "           crosscheck cannot run";

static int lint(int argc, char **argv)
{
    const char *model, *json = NULL;
    cli_strings models = {0};
    const cli_option opts[] = {{"--json", "FILE",
                                "also write the findings (severity, kind, node, op_type, tensor, message)\n"
                                "and a summary as JSON",
                                CLI_STRING, .str = &json},
                               {0}};
    const cli_command c = {.name = "check lint",
                           .positional = "MODEL",
                           .description = description,
                           .options = opts,
                           .args = &models,
                           .min_args = 1,
                           .max_args = 1,
                           .epilogue =
                               "Exit status: 0 no errors (warnings allowed), 1 errors found, 2 unreadable file or usage."};
    int rc = cli_parse(&c, argc, argv);
    if (rc >= 0) return rc;
    model = models.v[0];
    xc_lint_report r;
    if (xc_lint(model, &r) != XC_OK) return cli_error();
    for (int i = 0; i < r.n; i++)
        printf("[%c] %-18s %s\n", r.f[i].severity == XC_LINT_ERROR ? 'E' : 'W', r.f[i].kind, r.f[i].message);
    printf("%s: %d error%s, %d warning%s\n", model, r.n_errors, r.n_errors == 1 ? "" : "s", r.n_warnings,
           r.n_warnings == 1 ? "" : "s");
    rc = r.n_errors ? 1 : 0;
    if (json && xc_lint_report_save_json(&r, json) != XC_OK) rc = cli_error();
    xc_lint_report_free(&r);
    return rc;
}

int cmd_check(int argc, char **argv)
{
    if (argc < 2 || cli_is_help(argv[1])) {
        fputs("usage: crosscheck check lint MODEL [--json FILE]   ('crosscheck check lint --help')\n",
              argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "lint")) return lint(argc - 1, argv + 1);
    return cli_usage_error("check", "unknown check '%s' (known: lint)", argv[1]);
}
