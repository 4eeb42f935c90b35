/* global_options.c — options every subcommand accepts, before or after the command's name,
 * taken out of argv before the subcommand parses the rest. --max-tensor-bytes N[K|M|G] caps the
 * size of any one tensor crosscheck allocates or maps (default: half of physical memory), so a
 * hostile or mistaken model fails with a clear error instead of exhausting memory. -v / -q
 * (repeatable) raise or lower what reaches stderr; --log-file FILE also appends warnings, info
 * and errors there (src/log.h). --plugins LIB.so (repeatable) loads a custom-op plugin
 * (crosscheck/plugin.h), after the log is set up so a refused plugin's error reaches it too. */
#include "cli.h"
#include "crosscheck/plugin.h"
#include "log.h"
#include "tensor.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int parse_bytes(const char *cmd, const char *s, size_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = s[0] == '-' ? 0 : strtoull(s, &end, 10);
    int shift = 0;
    if (s[0] != '-' && !errno && end != s) {
        switch (*end) {
        case 'K':
        case 'k': shift = 10, end++; break;
        case 'M':
        case 'm': shift = 20, end++; break;
        case 'G':
        case 'g': shift = 30, end++; break;
        default: break;
        }
    }
    if (s[0] == '-' || errno || end == s || *end || !v || v > (SIZE_MAX >> shift)) {
        cli_usage_error(cmd, "--max-tensor-bytes expects a positive byte count (suffix K, M or G allowed), got '%s'", s);
        return 0;
    }
    *out = (size_t)v << shift;
    return 1;
}

/* Removes argv[i] and, with_value, argv[i + 1]. */
static void drop(int *argc, char **argv, int i, int with_value)
{
    int n = 1 + with_value;
    memmove(argv + i, argv + i + n, sizeof *argv * (size_t)(*argc - i - n));
    *argc -= n;
    argv[*argc] = NULL;
}

/* -v, -vv, -q, -qq ...: the change of verbosity, 0 if arg is not one. */
static int verbosity_step(const char *arg)
{
    if (!strcmp(arg, "--verbose")) return 1;
    if (!strcmp(arg, "--quiet")) return -1;
    if (arg[0] != '-' || (arg[1] != 'v' && arg[1] != 'q')) return 0;
    size_t n = strspn(arg + 1, arg[1] == 'v' ? "v" : "q");
    if (arg[1 + n]) return 0;
    return arg[1] == 'v' ? (int)n : -(int)n;
}

int cli_global_options(int *argc, char **argv)
{
    const char *cmd = *argc > 1 && argv[1][0] != '-' ? argv[1] : "crosscheck";
    int level = XC_LOG_WARNING, n_plugins = 0;
    const char **plugins = calloc((size_t)*argc, sizeof *plugins);
    if (!plugins) return cli_out_of_memory(cmd), 0;
    for (int i = 1; i < *argc; i++) {
        int step = verbosity_step(argv[i]);
        if (step) {
            level += step;
            drop(argc, argv, i--, 0);
            continue;
        }
        int is_bytes = !strcmp(argv[i], "--max-tensor-bytes"), is_log = !strcmp(argv[i], "--log-file");
        int is_plugin = !strcmp(argv[i], "--plugins");
        if (!is_bytes && !is_log && !is_plugin) continue;
        int at = i;
        const char *v = cli_value(*argc, argv, &i, cmd);
        if (!v) return free(plugins), 0;
        if (is_bytes) {
            size_t n;
            if (!parse_bytes(cmd, v, &n)) return free(plugins), 0;
            xc_set_max_tensor_bytes(n);
        } else if (is_plugin) {
            plugins[n_plugins++] = v;
        } else if (xc_log_set_file(v) != XC_OK) {
            return free(plugins), cli_error(), 0;
        }
        drop(argc, argv, at, 1);
        i = at - 1;
    }
    xc_log_set_level(level);
    int ok = 1;
    for (int p = 0; p < n_plugins && ok; p++) ok = xc_plugin_load(plugins[p]) == XC_OK || (cli_error(), 0);
    free(plugins);
    return ok;
}
