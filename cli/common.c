/* common.c — argument helpers shared by the subcommands. */
#include "cli.h"
#include "log.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_error(void)
{
    xc_log(XC_LOG_ERROR, "%s", xc_error_message()); /* "crosscheck: error: ...", also to --log-file */
    return 2;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "crosscheck %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see 'crosscheck %s --help')\n", cmd);
    va_end(ap);
    return 2;
}

const char *cli_value(int argc, char **argv, int *i, const char *cmd)
{
    if (*i + 1 >= argc) {
        cli_usage_error(cmd, "option %s needs a value", argv[*i]);
        return NULL;
    }
    return argv[++*i];
}

int cli_list(int argc, char **argv, int *i, const char **list, int max, int *n)
{
    int start = *n;
    while (*i + 1 < argc && argv[*i + 1][0] != '-' && *n < max) list[(*n)++] = argv[++*i];
    return *n > start;
}

int cli_double(const char *cmd, const char *opt, const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    if (errno || end == s || *end) {
        cli_usage_error(cmd, "%s expects a number, got '%s'", opt, s);
        return 0;
    }
    return 1;
}

int cli_long(const char *cmd, const char *opt, const char *s, long *out)
{
    char *end;
    errno = 0;
    *out = strtol(s, &end, 10);
    if (errno || end == s || *end) {
        cli_usage_error(cmd, "%s expects an integer, got '%s'", opt, s);
        return 0;
    }
    return 1;
}

int cli_positional(const char *cmd, const char *arg, const char **slot)
{
    if (arg[0] == '-') return cli_usage_error(cmd, "unknown option '%s'", arg), 0;
    if (*slot) return cli_usage_error(cmd, "unexpected argument '%s'", arg), 0;
    *slot = arg;
    return 1;
}

int cli_is_help(const char *arg) { return !strcmp(arg, "--help") || !strcmp(arg, "-h"); }

int cli_print_json(struct cJSON *doc)
{
    char *text = cJSON_Print(doc);
    cJSON_Delete(doc);
    if (!text) {
        fprintf(stderr, "crosscheck: error: out of memory printing JSON\n");
        return 2;
    }
    puts(text);
    cJSON_free(text);
    return 0;
}

void *cli_keep(void *p)
{
    static void *kept[8192];
    static int n;
    if (p && n < (int)(sizeof kept / sizeof kept[0])) kept[n++] = p;
    return p;
}
