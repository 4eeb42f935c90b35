/* options.h — a command's options declared once, in a table that both parses argv and prints
 * --help, so the help text and the parser cannot drift apart and no list has a fixed size.
 *
 *     cli_strings roots = {0};
 *     const cli_option opts[] = {
 *         {"--filter", "REGEX", "run only cases whose name matches", CLI_STRING, .str = &o.filter},
 *         {"--quiet", NULL, "print failures only", CLI_FLAG, .flag = &quiet},
 *         {0}};
 *     const cli_command c = {"conformance", "ROOT...", "Runs every ...", opts, &roots, 1};
 *     int rc = cli_parse(&c, argc, argv);   // -1: go on; else the exit status (help: 0)
 */
#ifndef XC_CLI_OPTIONS_H
#define XC_CLI_OPTIONS_H

/* A list that grows as arguments come (memory kept until exit with cli_keep). */
typedef struct cli_strings {
    const char **v;
    int n, cap;
} cli_strings;

typedef enum {
    CLI_FLAG,   /* no value: *flag = 1 */
    CLI_STRING, /* *str = the value (given twice: a usage error, as for DOUBLE, LONG, CHOICE) */
    CLI_DOUBLE, /* *num = the value, within [lo, hi] */
    CLI_LONG,   /* *whole = the value, within [lo, hi] */
    CLI_CHOICE, /* *whole = index of the value in choices ("ref|ocl") */
    CLI_LIST,   /* appends the value and every non-option argument after it to *list */
    CLI_REST,   /* appends every argument after it (at least one) to *list: a command line */
    CLI_CUSTOM  /* parse(user, value) decides; returns 0 after printing a usage error */
} cli_kind;

typedef struct cli_option {
    const char *name; /* "--rtol"; several spellings as "--quiet|-q" */
    const char *arg;  /* the value's name in --help ("X", "REGEX"); NULL for flags */
    const char *help; /* one line, or several separated by '\n' (indented in --help) */
    cli_kind kind;
    int *flag;
    const char **str;
    double *num;
    long *whole;
    cli_strings *list;
    double lo, hi;       /* CLI_DOUBLE / CLI_LONG range (both 0: any finite number / any long) */
    const char *choices; /* CLI_CHOICE */
    int (*parse)(void *user, const char *value);
    void *user;
} cli_option;

/* A group of options shared with other commands (the runners, the data and comparison options,
 * the OpenCL build options): tried on each argument no table entry takes. */
typedef struct cli_group {
    /* returns 1 if taken (advancing *i over values), 0 if not its own, -1 after printing a
     * usage error */
    int (*parse)(void *user, int argc, char **argv, int *i);
    void *user;
    const char *title, *help; /* its help follows the table's under title (NULL: not listed) */
    void (*print)(void);      /* prints the group's help instead of help */
} cli_group;

typedef struct cli_command {
    const char *name;          /* "conformance" or "inspect model": error and usage lines */
    const char *positional;    /* "ROOT...", "MODEL" (NULL: none) */
    const char *description;   /* the paragraph after the usage line */
    const cli_option *options; /* ended by an entry with a NULL name */
    cli_strings *args;         /* the positional arguments */
    int min_args, max_args;    /* max_args 0: no limit */
    const cli_group *groups;   /* tried in order; ended by one with a NULL parse (NULL: none) */
    const char *epilogue;      /* printed last (exit statuses) */
} cli_command;

/* Parses argv[1..]: returns -1 to go on, 0 after printing --help, 2 after a usage error
 * (unknown option, missing or bad value, a single-value option given twice, wrong number of
 * positional arguments). */
int cli_parse(const cli_command *c, int argc, char **argv);
/* The help text: usage line built from the table, the description, one line per option. */
void cli_print_help(const cli_command *c);
/* Appends s (borrowed: argv outlives every command); 0 when out of memory. */
int cli_strings_push(cli_strings *l, const char *s);
#endif
