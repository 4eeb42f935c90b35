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

int cli_out_of_memory(const char *cmd)
{
    fputs("crosscheck: error: out of memory starting '", stderr); /* stderr is unbuffered: nothing to allocate */
    fputs(cmd, stderr);
    fputs("'\n", stderr);
    return 2;
}

/* Messages quote what the user typed: control characters become '?', as in library errors,
 * so the message stays one line and no escape sequence reaches the terminal. */
static void print_one_line(const char *s)
{
    for (; *s; s++) fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, stderr);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *msg = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (msg) {
        va_start(ap, fmt);
        vsnprintf(msg, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    fprintf(stderr, "crosscheck ");
    print_one_line(cmd);
    fprintf(stderr, ": ");
    print_one_line(msg ? msg : "out of memory");
    fprintf(stderr, " (see 'crosscheck ");
    print_one_line(cmd);
    fprintf(stderr, " --help')\n");
    free(msg);
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

int cli_double_in(const char *cmd, const char *opt, const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    if (errno || end == s || *end || !(*out >= lo && *out <= hi)) { /* NaN fails the comparison */
        cli_usage_error(cmd, "%s takes a number from %g to %g, got '%s'", opt, lo, hi, s);
        return 0;
    }
    return 1;
}

int cli_long_in(const char *cmd, const char *opt, const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    *out = strtol(s, &end, 10);
    if (errno || end == s || *end || *out < lo || *out > hi) {
        cli_usage_error(cmd, "%s takes an integer from %ld to %ld, got '%s'", opt, lo, hi, s);
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

static void **kept;
static size_t n_kept, cap_kept;

static void free_kept(void)
{
    for (size_t i = 0; i < n_kept; i++) free(kept[i]);
    free(kept);
}

/* Strings the options point into live until exit, where they are freed (so leak checkers see
 * no loss); the list grows as needed. */
void *cli_keep(void *p)
{
    if (!p) return p;
    if (n_kept == cap_kept) {
        size_t cap = cap_kept ? cap_kept * 2 : 64;
        void **k = realloc(kept, cap * sizeof *k);
        if (!k) return p; /* out of memory: p simply lives on unlisted */
        if (!kept) atexit(free_kept);
        kept = k;
        cap_kept = cap;
    }
    kept[n_kept++] = p;
    return p;
}

/* kept's slot holding p, or -1 */
static long kept_slot(const void *p)
{
    for (size_t i = 0; i < n_kept; i++)
        if (kept[i] == p) return (long)i;
    return -1;
}

/* now takes slot `slot` of kept (-1: a new one) */
static void keep_at(long slot, void *now)
{
    if (slot >= 0)
        kept[slot] = now;
    else
        cli_keep(now);
}

void cli_keep_replace(void *old, void *now) { keep_at(kept_slot(old), now); }

int cli_grow(void *array, int n, int *cap, size_t size)
{
    if (n < *cap) return 1;
    void *old, *now;
    memcpy(&old, array, sizeof old);  /* array is some T **: its pointer read and written as bytes */
    const long slot = kept_slot(old); /* looked up before realloc, after which old may not be read */
    int more = *cap ? 2 * *cap : 16;
    if (!(now = realloc(old, (size_t)more * size))) return 0;
    keep_at(slot, now);
    memcpy(array, &now, sizeof now);
    *cap = more;
    return 1;
}
