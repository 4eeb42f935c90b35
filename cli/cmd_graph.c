/* cmd_graph.c — `crosscheck graph MODEL -o FILE.{dot,svg,png,pdf}`: draws the model, or with
 * --engine / --plan its OpenCL engine, with optional overlays (see graph_draw.h). */
#include "cli.h"
#include "options.h"
#include "graph_draw.h"
#include "ocl_group.h"
#include "onnx_io.h"
#include <stdio.h>
#include <string.h>

static const char *description =
    "Draws MODEL with Graphviz: one box per node (op, name, key attributes, the initializers it\n"
    "reads), edges labelled with dtype and shape, graph inputs and outputs as house shapes.\n"
    "The output format follows the extension (.dot is the DOT text of the same graph).";

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcmp(s + a - b, suffix);
}

typedef struct graph_args {
    const char *model, *out, *plan, *results;
    int engine;
    xc_ocl_build_options ocl;
    xc_draw_options draw;
} graph_args;

/* Loads what the arguments name and draws it; returns the exit status. */
static int draw(const graph_args *a)
{
    xc_model *m = NULL;
    xc_engine *e = NULL;
    xc_overlay *ov = NULL;
    xc_draw_options o = a->draw;
    xc_draw_summary summary;
    o.summary = &summary;
    xc_status s = a->results ? xc_overlay_load(a->results, &ov) : XC_OK;
    if (s == XC_OK) s = xc_model_load(a->model, &m);
    if (s == XC_OK && a->plan)
        s = xc_ocl_plan_load(m, a->plan, &a->ocl, &e);
    else if (s == XC_OK && a->engine)
        s = xc_ocl_build(m, &a->ocl, &e);
    o.engine = e;
    o.overlay = ov;
    if (s == XC_OK) s = xc_graph_draw(m, &o, a->out);
    if (s == XC_OK && summary.blocks)
        fprintf(stderr,
                "crosscheck graph: %d nodes are more than --max-nodes %d: drew %d blocks (%s) with their node "
                "counts; for detail draw one with --around NODE --radius N, or every node with -o FILE.dot or "
                "--max-nodes 0\n",
                summary.nodes, o.max_nodes, summary.blocks, summary.by_prefix ? "by name prefix" : "runs of consecutive nodes");
    if (s == XC_OK) printf("wrote %s\n", a->out);
    xc_engine_free(e);
    xc_model_free(m);
    xc_overlay_free(ov);
    return s == XC_OK ? 0 : cli_error();
}

int cmd_graph(int argc, char **argv)
{
    const char *cmd = "graph";
    graph_args a = {.ocl = xc_ocl_build_defaults(), .draw = xc_draw_defaults()};
    cli_strings highlight = {0};
    long radius = a.draw.radius, max_nodes = a.draw.max_nodes;
    char max_nodes_help[300];
    snprintf(max_nodes_help, sizeof max_nodes_help,
             "pictures of more nodes collapse into at most %d blocks\n(by name prefix, else runs of consecutive nodes), "
             "each a box\nwith its node count; 0: no limit (default %d; .dot is\nalways complete)",
             XC_DRAW_MAX_BLOCKS, XC_DRAW_MAX_NODES);
    const cli_option opts[] = {
        {"-o", "FILE", "the picture to write (.dot, .svg, .png or .pdf)", CLI_STRING, .str = &a.out},
        {"--engine", NULL,
         "draw the OpenCL engine built now: layers as clusters of their\n"
         "ONNX nodes, with tactic, precision and time (build options below)",
         CLI_FLAG, .flag = &a.engine},
        {"--plan", "FILE.plan", "draw the engine of a plan made from MODEL by 'crosscheck build'", CLI_STRING, .str = &a.plan},
        {"--results", "FILE",
         "colour by a per-layer comparison ('run --per-layer --json'):\n"
         "green pass, orange near tolerance, red fail, grey no data;\n"
         "the first divergent layer outlined thick",
         CLI_STRING, .str = &a.results},
        {"--highlight", "NAME", "outline these nodes, tensors (or engine layers) in blue", CLI_LIST, .list = &highlight},
        {"--around", "NODE", "draw only the nodes within --radius edges of NODE", CLI_STRING, .str = &a.draw.around},
        {"--radius", "N", "for --around, in either direction (default 1)", CLI_LONG, .whole = &radius, .lo = 0, .hi = 1000000},
        {"--show-initializers", NULL,
         "draw initializers as their own nodes (default: listed in\n"
         "the label of the node reading them)",
         CLI_FLAG, .flag = &a.draw.show_initializers},
        {"--max-nodes", "N", max_nodes_help, CLI_LONG, .whole = &max_nodes, .lo = 0, .hi = 1000000000},
        {0}};
    cli_ocl_group group = {.o = &a.ocl};
    const cli_command c = {.name = cmd,
                           .positional = "MODEL",
                           .description = description,
                           .options = opts,
                           .epilogue = "Exit status: 0 written, 2 usage, model, results-file or output error."};
    int rc = cli_parse_ocl(c, &group, "OpenCL build options (with --engine)", argc, argv, &a.model);
    if (rc >= 0) return rc;
    a.draw.radius = (int)radius;
    a.draw.max_nodes = (int)max_nodes;
    a.draw.n_highlight = highlight.n;
    int build_options = group.used;
    a.draw.highlight = highlight.v;
    if (ends_with(a.model, ".plan"))
        return cli_usage_error(cmd, "%s is a plan: give its model too ('crosscheck graph MODEL --plan %s -o ...')", a.model,
                               a.model);
    if (!a.out) return cli_usage_error(cmd, "no -o FILE given");
    if (!xc_draw_format(a.out)) return cli_usage_error(cmd, "%s: unknown picture format (use .dot, .svg, .png or .pdf)", a.out);
    if (a.engine && a.plan) return cli_usage_error(cmd, "--engine and --plan both name an engine; give one");
    if (build_options && !a.engine && !a.plan) return cli_usage_error(cmd, "OpenCL build options need --engine");
    return draw(&a);
}
