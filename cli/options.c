/* options.c — table-driven option parsing and the --help it generates (see options.h). */
#include "options.h"
#include "cli.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_strings_push(cli_strings *l, const char *s)
{
    if (!cli_grow(&l->v, l->n, &l->cap, sizeof *l->v)) return 0;
    l->v[l->n++] = s;
    return 1;
}

/* Does arg spell option o ("--quiet|-q")? */
static int spelled(const cli_option *o, const char *arg)
{
    size_t n = strlen(arg);
    for (const char *p = o->name; *p;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && !strncmp(p, arg, n)) return 1;
        p += len + (bar != NULL);
    }
    return 0;
}

static int choice_index(const char *choices, const char *v)
{
    int k = 0;
    size_t n = strlen(v);
    for (const char *p = choices; *p; k++) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && !strncmp(p, v, n)) return k;
        p += len + (bar != NULL);
    }
    return -1;
}

static int take(const cli_command *c, const cli_option *o, const char *a, const char *v)
{
    double lo = o->lo, hi = o->hi;
    switch (o->kind) {
    case CLI_STRING: *o->str = v; return 1;
    case CLI_DOUBLE:
        if (lo == 0 && hi == 0) lo = -1e308, hi = 1e308;
        return cli_double_in(c->name, a, v, lo, hi, o->num);
    case CLI_LONG:
        if (lo == 0 && hi == 0) return cli_long(c->name, a, v, o->whole);
        return cli_long_in(c->name, a, v, (long)lo, (long)hi, o->whole);
    case CLI_CHOICE: {
        int k = choice_index(o->choices, v);
        if (k < 0) return cli_usage_error(c->name, "%s: unknown value '%s' (one of: %s)", a, v, o->choices), 0;
        *o->whole = k;
        return 1;
    }
    case CLI_LIST:
    case CLI_REST: return cli_strings_push(o->list, v) || (cli_out_of_memory(c->name), 0);
    case CLI_CUSTOM: return o->parse(o->user, v);
    case CLI_FLAG: break;
    }
    return 0;
}

/* Options that take one value (a repeat is an error, not a silent "last one wins"). */
static int single_valued(const cli_option *o)
{
    return o->kind == CLI_STRING || o->kind == CLI_DOUBLE || o->kind == CLI_LONG || o->kind == CLI_CHOICE;
}

/* cli_parse with seen[k] set once table entry k took a value. */
static int parse(const cli_command *c, int argc, char **argv, char *seen)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            cli_print_help(c);
            return 0;
        }
        const cli_option *o = NULL;
        for (const cli_option *t = c->options; t && t->name && !o; t++)
            if (spelled(t, a)) o = t;
        int r = 0;
        for (const cli_group *g = c->groups; !o && !r && g && g->parse; g++) r = g->parse(g->user, argc, argv, &i);
        if (r < 0) return 2;
        if (r > 0) continue;
        if (!o) {
            if (a[0] == '-' && a[1]) return cli_usage_error(c->name, "unknown option '%s'", a);
            if (c->max_args && c->args->n == c->max_args)
                return cli_usage_error(c->name, "unexpected argument '%s' (takes %s)", a, c->positional);
            if (!cli_strings_push(c->args, a)) return cli_out_of_memory(c->name);
            continue;
        }
        if (o->kind == CLI_FLAG) {
            *o->flag = 1;
            continue;
        }
        if (o->kind == CLI_REST) { /* the rest of the line, options and all, is its value */
            if (i + 1 == argc) return cli_usage_error(c->name, "%s needs a command line (%s...)", a, o->arg);
            while (i + 1 < argc)
                if (!take(c, o, a, argv[++i])) return 2;
            continue;
        }
        if (single_valued(o) && seen[o - c->options]++) return cli_usage_error(c->name, "%s given twice (it takes one value)", a);
        const char *v = cli_value(argc, argv, &i, c->name);
        if (v && v[0] == '-' && v[1] == '-' && v[2]) /* "-o --fp16": the value was forgotten */
            return cli_usage_error(c->name, "option %s needs a value, got option '%s'", a, v);
        if (!v || !take(c, o, a, v)) return 2;
        if (o->kind == CLI_LIST)
            while (i + 1 < argc && argv[i + 1][0] != '-')
                if (!cli_strings_push(o->list, argv[++i])) return cli_out_of_memory(c->name);
    }
    if (c->args && c->args->n < c->min_args) return cli_usage_error(c->name, "missing %s", c->positional);
    return -1;
}

int cli_parse(const cli_command *c, int argc, char **argv)
{
    size_t n = 0;
    while (c->options && c->options[n].name) n++;
    char *seen = calloc(n + 1, 1);
    if (!seen) return cli_out_of_memory(c->name);
    int rc = parse(c, argc, argv, seen);
    free(seen);
    return rc;
}

/* Prints help text, indenting every line after the first by 29 columns. */
static void print_indented(const char *text)
{
    for (const char *p = text; *p; p++) {
        putchar(*p);
        if (*p == '\n' && p[1]) printf("%29s", "");
    }
    putchar('\n');
}

void cli_print_help(const cli_command *c)
{
    printf("usage: crosscheck %s%s%s [options]\n\n%s\n", c->name, c->positional ? " " : "", c->positional ? c->positional : "",
           c->description);
    if (c->options && c->options->name) printf("\noptions:\n");
    for (const cli_option *o = c->options; o && o->name; o++) {
        char head[128];
        const char *arg = o->kind == CLI_CHOICE && !o->arg ? o->choices : o->arg;
        snprintf(head, sizeof head, "%s%s%s%s", o->name, arg ? " " : "", arg ? arg : "",
                 o->kind == CLI_LIST || o->kind == CLI_REST ? "..." : "");
        if (strlen(head) < 27)
            printf("  %-26s ", head);
        else
            printf("  %s\n  %-26s ", head, "");
        print_indented(o->help);
    }
    for (const cli_group *g = c->groups; g && g->parse; g++) {
        if (!g->title) continue; /* it refuses an option, or takes one it need not list */
        printf("\n%s:\n", g->title);
        if (g->help) fputs(g->help, stdout);
        if (g->print) g->print();
    }
    if (c->epilogue) printf("\n%s\n", c->epilogue);
}
