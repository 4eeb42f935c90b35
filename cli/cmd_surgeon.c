/* cmd_surgeon.c — `crosscheck surgeon extract|sanitize|insert|prune-outputs`: parses options,
 * calls the surgeon library (src/surgeon.h), saves the result and prints what changed. */
#include "cli.h"
#include "options.h"
#include "inputs.h"
#include "onnx_io.h"
#include "surgeon.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *descriptions[4] = {
    "Keeps the nodes computing --outputs from --inputs (and initializers); the inputs become graph\n"
    "inputs.",
    "Folds constants, removes what nothing uses, orders nodes (at least one of --fold-constants,\n"
    "--cleanup, --toposort, --override-input-shapes).",
    "Replaces the subgraph between --inputs and --outputs by one node; dead nodes are removed.",
    "Keeps or drops graph outputs (exactly one of --keep and --drop), removing what only they needed."};
static const char *subs[4] = {"extract", "sanitize", "insert", "prune-outputs"};
static const char *epilogue = "Exit status: 0 written, 2 usage, model or I/O error (nothing written).";

typedef struct surgeon_args {
    const char *cmd, *model, *out, *op, *name, *attrs, *inputs, *outputs, *keep, *drop, *data_file;
    long threshold, fold_threshold;
    int external_threshold_given;
    xc_save_options save;
    xc_sanitize_options sanitize;
    xc_input_shape *shapes;
    int cap_shapes;
} surgeon_args;

/* --override-input-shapes NAME:[D,..]: one more override (the list grows). */
static int add_shape(void *user, const char *v)
{
    surgeon_args *a = user;
    if (a->sanitize.n_shapes == a->cap_shapes) {
        int cap = a->cap_shapes ? 2 * a->cap_shapes : 8;
        xc_input_shape *bigger = realloc(a->shapes, (size_t)cap * sizeof *bigger);
        if (!bigger) return cli_out_of_memory(a->cmd), 0;
        a->shapes = bigger, a->cap_shapes = cap;
        a->sanitize.shapes = bigger;
    }
    if (xc_parse_input_shape((char *)v /* an argv string: writable */, &a->shapes[a->sanitize.n_shapes]) != XC_OK)
        return cli_usage_error(a->cmd, "%s", xc_error_message()), 0;
    a->sanitize.n_shapes++;
    return 1;
}

/* Splits "a,b,c" in place into plain names: *names is malloc'd (one per comma-separated item). */
static xc_status split_names(char *text, const char ***names, int *n)
{
    int cap = 1;
    for (const char *p = text; *p; p++) cap += *p == ',';
    if (!(*names = malloc(sizeof **names * (size_t)cap))) return xc_fail(XC_ERR_NOMEM, "out of memory");
    *n = 0;
    for (char *p = text; p;) {
        (*names)[(*n)++] = p;
        p = strchr(p, ',');
        if (p) *p++ = 0;
    }
    return XC_OK;
}

/* A copy of a list option's text for splitting in place (argv stays as given). */
static char *dup_text(const char *s) { return cli_keep(strdup(s ? s : "")); }

static int save(const surgeon_args *a, const xc_model *m)
{
    if (xc_model_save_with(m, a->out, &a->save) != XC_OK) return cli_error();
    printf("wrote %s (%d nodes, %d initializers)\n", a->out, m->graph->n_nodes, m->graph->n_initializers);
    return 0;
}

static xc_status run_extract(surgeon_args *a, const xc_model *m, xc_model **out)
{
    char *in_text = dup_text(a->inputs), *out_text = dup_text(a->outputs);
    int max = 2 + (int)strlen(a->inputs ? a->inputs : "") + (int)strlen(a->outputs) + m->graph->n_inputs;
    xc_io_spec *ins = calloc((size_t)max, sizeof *ins), *outs = calloc((size_t)max, sizeof *outs);
    int n_in = 0, n_out = 0;
    xc_status s = ins && outs && in_text && out_text ? XC_OK : xc_fail(XC_ERR_NOMEM, "out of memory");
    if (s == XC_OK && a->inputs) {
        s = xc_io_spec_parse_list(in_text, 1, ins, max, &n_in);
    } else if (s == XC_OK) { /* as in Polygraphy: without --inputs, the model's own inputs */
        for (int i = 0; i < m->graph->n_inputs; i++)
            if (xc_graph_is_runtime_input(m->graph, i)) ins[n_in++] = (xc_io_spec){.name = m->graph->inputs[i].name, .rank = -1};
    }
    if (s == XC_OK) s = xc_io_spec_parse_list(out_text, 0, outs, max, &n_out);
    if (s == XC_OK) s = xc_surgeon_extract(m, ins, n_in, outs, n_out, out);
    free(ins), free(outs);
    return s;
}

static xc_status run_insert(surgeon_args *a, const xc_model *m, xc_model **out)
{
    const char **ins = NULL, **outs = NULL;
    int n_in = 0, n_out = 0, n_attrs = 0;
    xc_attr *attrs = NULL;
    char *in_text = dup_text(a->inputs), *out_text = dup_text(a->outputs);
    xc_status s = in_text && out_text ? XC_OK : xc_fail(XC_ERR_NOMEM, "out of memory");
    if (s == XC_OK && in_text[0]) s = split_names(in_text, &ins, &n_in);
    if (s == XC_OK) s = split_names(out_text, &outs, &n_out);
    if (s == XC_OK) s = xc_attr_parse_list(a->attrs ? a->attrs : "", a->op, (int)xc_model_opset(m, ""), &attrs, &n_attrs);
    if (s == XC_OK) s = xc_surgeon_insert(m, ins, n_in, outs, n_out, a->op, a->name, attrs, n_attrs, out);
    for (int i = 0; i < n_attrs; i++) xc_attr_clear(&attrs[i]);
    free(attrs), free(ins), free(outs);
    return s;
}

static xc_status run_prune(surgeon_args *a, const xc_model *m, xc_model **out)
{
    const char **names = NULL;
    int n = 0;
    char *text = dup_text(a->keep ? a->keep : a->drop);
    xc_status s = text ? split_names(text, &names, &n) : xc_fail(XC_ERR_NOMEM, "out of memory");
    if (s == XC_OK) s = xc_surgeon_prune_outputs(m, names, n, a->keep != NULL, out);
    free(names);
    return s;
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
    if (!a->out) return cli_usage_error(cmd, "no output file given (-o OUT.onnx)");
    if (!strcmp(cmd, "surgeon extract") && !a->outputs) return cli_usage_error(cmd, "--outputs is required");
    if (!strcmp(cmd, "surgeon insert") && (!a->outputs || !a->op)) return cli_usage_error(cmd, "--outputs and --op are required");
    if (!strcmp(cmd, "surgeon prune-outputs") && !a->keep == !a->drop)
        return cli_usage_error(cmd, "give exactly one of --keep and --drop");
    if (!strcmp(cmd, "surgeon sanitize") && !a->sanitize.fold_constants && !a->sanitize.cleanup && !a->sanitize.toposort
        && !a->sanitize.n_shapes)
        return cli_usage_error(cmd, "nothing to do: give --fold-constants, --cleanup, --toposort or --override-input-shapes");
    return 0;
}

int cmd_surgeon(int argc, char **argv)
{
    static char names[4][32];
    if (argc < 2 || cli_is_help(argv[1])) {
        fputs(
            "usage: crosscheck surgeon extract|sanitize|insert|prune-outputs MODEL ... -o OUT.onnx\n"
            "('crosscheck surgeon SUBCOMMAND --help' for each)\n",
            argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    int sub = -1;
    for (int k = 0; k < 4; k++)
        if (!strcmp(argv[1], subs[k])) sub = k;
    if (sub < 0) return cli_usage_error("surgeon", "unknown subcommand '%s' (extract, sanitize, insert, prune-outputs)", argv[1]);
    surgeon_args a;
    memset(&a, 0, sizeof a);
    snprintf(names[sub], sizeof names[sub], "surgeon %s", subs[sub]);
    a.cmd = names[sub];
    a.save = xc_save_options_default();
    a.threshold = -1;
    cli_strings model = {0};
    const cli_option common[] = {
        {"-o|--output", "OUT.onnx", "the result (written to a temporary name, then renamed)", CLI_STRING, .str = &a.out},
        {"--external-data-threshold", "BYTES",
         "initializers of at least BYTES go to external data (default 1024;\n"
         "external data is used when the model had it, when either\n"
         "option is given, or above 2 GB)",
         CLI_LONG, .whole = &a.threshold, .lo = 0, .hi = 9e18},
        {"--external-data-file", "NAME", "the data file beside OUT (default OUT's name + .data)", CLI_STRING,
         .str = &a.data_file}};
    const cli_option extract[] = {
        {"--inputs", "SPECS",
         "name[:shape[:dtype]], comma-separated; 'auto' (or nothing) takes the\n"
         "model's type: x:[1,3,?,W]:float32 (default: the model's inputs)",
         CLI_STRING, .str = &a.inputs},
        {"--outputs", "SPECS", "name[:dtype], comma-separated (required)", CLI_STRING, .str = &a.outputs}};
    const cli_option sanitize[] = {
        {"--fold-constants", NULL,
         "evaluate constant nodes on the reference (Shape of inputs with static\n"
         "shapes included) and replace them by initializers, then clean up",
         CLI_FLAG, .flag = &a.sanitize.fold_constants},
        {"--fold-size-threshold", "BYTES", "keep nodes whose folded output exceeds BYTES (default and 0: no limit)", CLI_LONG,
         .whole = &a.fold_threshold, .lo = 0, .hi = 9e18},
        {"--cleanup", NULL, "remove dead nodes and unused initializers, merge duplicate initializers", CLI_FLAG,
         .flag = &a.sanitize.cleanup},
        {"--toposort", NULL, "order nodes topologically (every output is)", CLI_FLAG, .flag = &a.sanitize.toposort},
        {"--override-input-shapes", "NAME:[D,..]", "static shapes for inputs (repeatable; makes their Shape foldable)",
         CLI_CUSTOM, .parse = add_shape, .user = &a}};
    const cli_option insert[] = {
        {"--inputs", "A,B", "the tensors the new node reads", CLI_STRING, .str = &a.inputs},
        {"--outputs", "C", "the tensors it writes (required)", CLI_STRING, .str = &a.outputs},
        {"--op", "OP", "its op type (required)", CLI_STRING, .str = &a.op},
        {"--name", "N", "its name", CLI_STRING, .str = &a.name},
        {"--attrs", "K=V,...", "attribute values: ints, floats, strings, lists [1,2]", CLI_STRING, .str = &a.attrs}};
    const cli_option prune[] = {{"--keep", "NAMES", "the graph outputs to keep, comma-separated", CLI_STRING, .str = &a.keep},
                                {"--drop", "NAMES", "the graph outputs to drop, comma-separated", CLI_STRING, .str = &a.drop}};
    const cli_option *own[4] = {extract, sanitize, insert, prune};
    const size_t n_own[4] = {sizeof extract / sizeof *extract, sizeof sanitize / sizeof *sanitize, sizeof insert / sizeof *insert,
                             sizeof prune / sizeof *prune};
    cli_option opts[16] = {{0}}; /* this subcommand's options, then the common ones, then the end */
    memcpy(opts, own[sub], n_own[sub] * sizeof *opts);
    memcpy(opts + n_own[sub], common, sizeof common);
    const cli_command c = {.name = a.cmd,
                           .positional = "MODEL",
                           .description = descriptions[sub],
                           .options = opts,
                           .args = &model,
                           .min_args = 1,
                           .max_args = 1,
                           .epilogue = epilogue};
    int rc = cli_parse(&c, argc - 1, argv + 1);
    if (rc >= 0) return free(a.shapes), rc;
    a.model = model.v[0];
    if (a.threshold >= 0) a.save.external = 1, a.save.threshold = (size_t)a.threshold;
    if (a.data_file) a.save.external = 1, a.save.data_file = a.data_file;
    a.sanitize.fold_size_threshold = (size_t)a.fold_threshold;
    if (check_required(&a)) return free(a.shapes), 2;
    xc_model *m, *res = NULL;
    if (xc_model_load(a.model, &m) != XC_OK) return free(a.shapes), cli_error();
    xc_sanitize_report rep;
    xc_status s = sub == 0   ? run_extract(&a, m, &res)
                  : sub == 1 ? xc_surgeon_sanitize(m, &a.sanitize, &res, &rep)
                  : sub == 2 ? run_insert(&a, m, &res)
                             : run_prune(&a, m, &res);
    rc = s != XC_OK ? cli_error() : 0;
    if (s == XC_OK && sub == 1) print_sanitize(&rep);
    if (s == XC_OK && sub != 1) printf("%s: %d -> %d nodes\n", a.cmd + 8, m->graph->n_nodes, res->graph->n_nodes);
    if (s == XC_OK) rc = save(&a, res);
    xc_model_free(res);
    xc_model_free(m);
    free(a.shapes);
    return rc;
}
