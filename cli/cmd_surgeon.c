/* cmd_surgeon.c — `crosscheck surgeon extract|sanitize|insert|prune-outputs`: parses options,
 * calls the surgeon library (src/surgeon.h), saves the result and prints what changed. */
#include "cli.h"
#include "inputs.h"
#include "onnx_io.h"
#include "surgeon.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *help =
    "usage: crosscheck surgeon extract MODEL --inputs SPECS --outputs SPECS -o OUT.onnx\n"
    "       crosscheck surgeon sanitize MODEL [--fold-constants] [--cleanup] [--toposort]\n"
    "                  [--override-input-shapes NAME:[D,..]...] [--fold-size-threshold BYTES] -o OUT.onnx\n"
    "       crosscheck surgeon insert MODEL --inputs A,B --outputs C --op OP [--name N]\n"
    "                  [--attrs K=V,...] -o OUT.onnx\n"
    "       crosscheck surgeon prune-outputs MODEL (--keep NAMES | --drop NAMES) -o OUT.onnx\n\n"
    "extract        keep the nodes computing --outputs from --inputs (and initializers); the\n"
    "               inputs become graph inputs. SPECS: name[:shape[:dtype]] for inputs,\n"
    "               name[:dtype] for outputs, comma-separated; 'auto' (or nothing) takes the\n"
    "               model's type: x:[1,3,?,W]:float32, y:auto, z (default --inputs: the\n"
    "               model's inputs)\n"
    "sanitize       --fold-constants: evaluate constant nodes on the reference (Shape of inputs\n"
    "               with static shapes included) and replace them by initializers, then clean up;\n"
    "               --fold-size-threshold: keep nodes whose folded output exceeds BYTES\n"
    "               (default and 0: no limit);\n"
    "               --cleanup: remove dead nodes and unused initializers, merge duplicate\n"
    "               initializers; --toposort: order nodes topologically (every output is)\n"
    "insert         replace the subgraph between --inputs and --outputs by one node; attribute\n"
    "               values: ints, floats, strings, lists [1,2]; dead nodes are removed\n"
    "prune-outputs  keep or drop graph outputs, removing what only they needed\n\n"
    "every command:\n"
    "  -o, --output OUT.onnx            the result (written to a temporary name, then renamed)\n"
    "  --external-data-threshold BYTES  initializers of at least BYTES go to external data\n"
    "                                   (default 1024; external data is used when the model had\n"
    "                                   it, when either option is given, or above 2 GB)\n"
    "  --external-data-file NAME        the data file beside OUT (default OUT's name + .data)\n\n"
    "Exit status: 0 written, 2 usage, model or I/O error (nothing written).\n";

#define MAX_LIST 256

typedef struct surgeon_args {
    const char *cmd, *model, *out, *op, *name, *attrs;
    char *inputs, *outputs, *keep, *drop;
    xc_save_options save;
    xc_sanitize_options sanitize;
    xc_input_shape shapes[MAX_LIST];
} surgeon_args;

static int size_value(const char *cmd, const char *opt, const char *v, size_t *out)
{
    long n;
    if (!cli_long(cmd, opt, v, &n)) return 0;
    if (n < 0) return cli_usage_error(cmd, "%s must not be negative", opt), 0;
    *out = (size_t)n;
    return 1;
}

/* Options of one subcommand; returns 1 if argv[*i] was taken, 0 after a usage error. */
static int parse_option(int argc, char **argv, int *i, surgeon_args *a)
{
    const char *o = argv[*i], *cmd = a->cmd, *v;
    char **lists[] = {&a->inputs, &a->outputs, &a->keep, &a->drop};
    const char *list_opts[] = {"--inputs", "--outputs", "--keep", "--drop"};
    const char **strs[] = {&a->out, &a->out, &a->op, &a->name, &a->attrs, &a->save.data_file};
    const char *str_opts[] = {"-o", "--output", "--op", "--name", "--attrs", "--external-data-file"};
    for (int k = 0; k < 4; k++)
        if (!strcmp(o, list_opts[k])) return (*lists[k] = (char *)cli_value(argc, argv, i, cmd)) != NULL;
    for (int k = 0; k < 6; k++)
        if (!strcmp(o, str_opts[k])) {
            if (k == 5) a->save.external = 1;
            return (*strs[k] = cli_value(argc, argv, i, cmd)) != NULL;
        }
    if (!strcmp(o, "--external-data-threshold")) {
        a->save.external = 1;
        return (v = cli_value(argc, argv, i, cmd)) && size_value(cmd, o, v, &a->save.threshold);
    }
    if (!strcmp(o, "--fold-size-threshold"))
        return (v = cli_value(argc, argv, i, cmd)) && size_value(cmd, o, v, &a->sanitize.fold_size_threshold);
    if (!strcmp(o, "--fold-constants")) return a->sanitize.fold_constants = 1;
    if (!strcmp(o, "--cleanup")) return a->sanitize.cleanup = 1;
    if (!strcmp(o, "--toposort")) return a->sanitize.toposort = 1;
    if (!strcmp(o, "--override-input-shapes")) {
        int start = a->sanitize.n_shapes;
        while (*i + 1 < argc && argv[*i + 1][0] != '-' && a->sanitize.n_shapes < MAX_LIST) {
            if (xc_parse_input_shape(argv[++*i], &a->shapes[a->sanitize.n_shapes]) != XC_OK)
                return cli_usage_error(cmd, "%s", xc_error_message()), 0;
            a->sanitize.n_shapes++;
        }
        if (a->sanitize.n_shapes == start) return cli_usage_error(cmd, "%s needs NAME:[D,..] values", o), 0;
        return 1;
    }
    return cli_positional(cmd, o, &a->model);
}

/* Splits "a,b,c" in place into plain names. */
static int split_names(char *text, const char **names, int max)
{
    int n = 0;
    for (char *p = text; p && n < max;) {
        names[n++] = p;
        p = strchr(p, ',');
        if (p) *p++ = 0;
    }
    return n;
}

static int save(const surgeon_args *a, const xc_model *m)
{
    if (xc_model_save_with(m, a->out, &a->save) != XC_OK) return cli_error();
    printf("wrote %s (%d nodes, %d initializers)\n", a->out, m->graph->n_nodes, m->graph->n_initializers);
    return 0;
}

static xc_status run_extract(surgeon_args *a, const xc_model *m, xc_model **out)
{
    xc_io_spec ins[MAX_LIST], outs[MAX_LIST];
    int n_in = 0, n_out = 0;
    if (a->inputs) {
        XC_TRY(xc_io_spec_parse_list(a->inputs, 1, ins, MAX_LIST, &n_in));
    } else { /* as in Polygraphy: without --inputs, the model's own inputs */
        for (int i = 0; i < m->graph->n_inputs && n_in < MAX_LIST; i++)
            if (xc_graph_is_runtime_input(m->graph, i)) ins[n_in++] = (xc_io_spec){.name = m->graph->inputs[i].name, .rank = -1};
    }
    XC_TRY(xc_io_spec_parse_list(a->outputs, 0, outs, MAX_LIST, &n_out));
    return xc_surgeon_extract(m, ins, n_in, outs, n_out, out);
}

static xc_status run_insert(surgeon_args *a, const xc_model *m, xc_model **out)
{
    const char *ins[MAX_LIST], *outs[MAX_LIST];
    int n_in = a->inputs && a->inputs[0] ? split_names(a->inputs, ins, MAX_LIST) : 0;
    int n_out = split_names(a->outputs, outs, MAX_LIST);
    xc_attr *attrs = NULL;
    int n_attrs = 0;
    XC_TRY(xc_attr_parse_list(a->attrs ? a->attrs : "", a->op, (int)xc_model_opset(m, ""), &attrs, &n_attrs));
    xc_status s = xc_surgeon_insert(m, ins, n_in, outs, n_out, a->op, a->name, attrs, n_attrs, out);
    for (int i = 0; i < n_attrs; i++) xc_attr_clear(&attrs[i]);
    free(attrs);
    return s;
}

static xc_status run_prune(surgeon_args *a, const xc_model *m, xc_model **out)
{
    const char *names[MAX_LIST];
    char *list = a->keep ? a->keep : a->drop;
    int n = split_names(list, names, MAX_LIST);
    return xc_surgeon_prune_outputs(m, names, n, a->keep != NULL, out);
}

static void print_sanitize(const xc_sanitize_report *r)
{
    printf("sanitize: %d -> %d nodes; %d folded into initializers", r->nodes_before, r->nodes_after, r->folded);
    if (r->kept_over_threshold) printf(", %d kept over the size threshold", r->kept_over_threshold);
    printf("; removed %d dead nodes, %d unused initializers; merged %d duplicate initializers\n", r->removed_nodes,
           r->removed_initializers, r->initializers_merged);
}

/* The required options of each subcommand, checked before the model is loaded. */
static int check_required(const surgeon_args *a)
{
    const char *cmd = a->cmd;
    if (!a->model) return cli_usage_error(cmd, "no MODEL given");
    if (!a->out) return cli_usage_error(cmd, "no output file given (-o OUT.onnx)");
    if (!strcmp(cmd, "surgeon extract") && !a->outputs) return cli_usage_error(cmd, "--outputs is required");
    if (!strcmp(cmd, "surgeon insert") && (!a->outputs || !a->op))
        return cli_usage_error(cmd, "--outputs and --op are required");
    if (!strcmp(cmd, "surgeon prune-outputs") && !a->keep == !a->drop)
        return cli_usage_error(cmd, "give exactly one of --keep and --drop");
    if (!strcmp(cmd, "surgeon sanitize") && !a->sanitize.fold_constants && !a->sanitize.cleanup && !a->sanitize.toposort &&
        !a->sanitize.n_shapes)
        return cli_usage_error(cmd, "nothing to do: give --fold-constants, --cleanup, --toposort or --override-input-shapes");
    return 0;
}

int cmd_surgeon(int argc, char **argv)
{
    static const char *subs[] = {"extract", "sanitize", "insert", "prune-outputs"};
    static char cmd_names[4][32];
    if (argc < 2 || cli_is_help(argv[1])) {
        fputs(help, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    int sub = -1;
    for (int k = 0; k < 4; k++)
        if (!strcmp(argv[1], subs[k])) sub = k;
    if (sub < 0) return cli_usage_error("surgeon", "unknown subcommand '%s'", argv[1]);
    surgeon_args a;
    memset(&a, 0, sizeof a);
    snprintf(cmd_names[sub], sizeof cmd_names[sub], "surgeon %s", subs[sub]);
    a.cmd = cmd_names[sub];
    a.save = xc_save_options_default();
    a.sanitize.shapes = a.shapes;
    for (int i = 2; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(help, stdout);
            return 0;
        }
        if (!parse_option(argc, argv, &i, &a)) return 2;
    }
    if (check_required(&a)) return 2;
    xc_model *m, *res = NULL;
    if (xc_model_load(a.model, &m) != XC_OK) return cli_error();
    xc_sanitize_report rep;
    xc_status s = sub == 0 ? run_extract(&a, m, &res)
                : sub == 1 ? xc_surgeon_sanitize(m, &a.sanitize, &res, &rep)
                : sub == 2 ? run_insert(&a, m, &res)
                           : run_prune(&a, m, &res);
    int rc = s != XC_OK ? cli_error() : 0;
    if (s == XC_OK && sub == 1) print_sanitize(&rep);
    if (s == XC_OK && sub != 1) printf("%s: %d -> %d nodes\n", a.cmd + 8, m->graph->n_nodes, res->graph->n_nodes);
    if (s == XC_OK) rc = save(&a, res);
    xc_model_free(res);
    xc_model_free(m);
    return rc;
}
