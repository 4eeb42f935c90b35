/* global_options.c — options every subcommand accepts, taken out of argv before the subcommand
 * parses the rest. --max-tensor-bytes N[K|M|G] caps the size of any one tensor crosscheck
 * allocates or maps (default: half of physical memory), so a hostile or mistaken model fails
 * with a clear error instead of exhausting memory. */
#include "cli.h"
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
        case 'K': case 'k': shift = 10, end++; break;
        case 'M': case 'm': shift = 20, end++; break;
        case 'G': case 'g': shift = 30, end++; break;
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

int cli_global_options(int *argc, char **argv)
{
    const char *cmd = *argc > 1 ? argv[1] : "crosscheck";
    for (int i = 2; i < *argc; i++) {
        if (strcmp(argv[i], "--max-tensor-bytes")) continue;
        size_t n;
        const char *v = cli_value(*argc, argv, &i, cmd);
        if (!v || !parse_bytes(cmd, v, &n)) return 0;
        xc_set_max_tensor_bytes(n);
        memmove(argv + i - 1, argv + i + 1, sizeof *argv * (size_t)(*argc - i - 1)); /* drop the option and its value */
        *argc -= 2;
        argv[*argc] = NULL;
        i -= 2;
    }
    return 1;
}
