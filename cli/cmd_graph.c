/* cmd_graph.c — `crosscheck graph MODEL -o FILE.{dot,svg,png,pdf}`: draws the model, or with
 * --engine / --plan its OpenCL engine, with optional overlays (see graph_draw.h). */
#include "cli.h"
#include "graph_draw.h"
#include "ocl_options.h"
#include "onnx_io.h"
#include <stdio.h>
#include <string.h>

#define MAX_HIGHLIGHT 256

static void usage(void)
{
    printf("usage: crosscheck graph MODEL -o FILE.{dot,svg,png,pdf} [options]\n\n"
           "Draws MODEL with Graphviz: one box per node (op, name, key attributes, the initializers it\n"
           "reads), edges labelled with dtype and shape, graph inputs and outputs as house shapes.\n"
           "The output format follows the extension (.dot is the DOT text of the same graph).\n\n"
           "  -o FILE                    the picture to write\n"
           "  --engine                   draw the OpenCL engine built now: layers as clusters of their\n"
           "                             ONNX nodes, with tactic, precision and time (build options below)\n"
           "  --plan FILE.plan           draw the engine of a plan made from MODEL by 'crosscheck build'\n"
           "  --results FILE             colour by a per-layer comparison ('run --per-layer --json'):\n"
           "                             green pass, orange near tolerance, red fail, grey no data;\n"
           "                             the first divergent layer outlined thick\n"
           "  --highlight NAME...        outline these nodes, tensors (or engine layers) in blue\n"
           "  --around NODE              draw only the nodes within --radius edges of NODE\n"
           "  --radius N                 for --around, in either direction (default 1)\n"
           "  --show-initializers        draw initializers as their own nodes (default: listed in\n"
           "                             the label of the node reading them)\n"
           "  --max-nodes N              pictures of more nodes collapse into at most %d blocks\n"
           "                             (by name prefix, else runs of consecutive nodes), each a box\n"
           "                             with its node count; 0: no limit (default %d; .dot is\n"
           "                             always complete)\n\n"
           "OpenCL build options (with --engine):\n%s"
           "Exit status: 0 written, 2 usage, model, results-file or output error.\n",
           XC_DRAW_MAX_BLOCKS, XC_DRAW_MAX_NODES, cli_ocl_help);
}

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
    if (s == XC_OK && a->plan) s = xc_ocl_plan_load(m, a->plan, &a->ocl, &e);
    else if (s == XC_OK && a->engine) s = xc_ocl_build(m, &a->ocl, &e);
    o.engine = e;
    o.overlay = ov;
    if (s == XC_OK) s = xc_graph_draw(m, &o, a->out);
    if (s == XC_OK && summary.blocks)
        fprintf(stderr, "crosscheck graph: %d nodes are more than --max-nodes %d: drew %d blocks (%s) with their node "
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
    const char *cmd = "graph", *v;
    const char *highlight[MAX_HIGHLIGHT];
    xc_input_shape shapes[XC_MAX_NAMED];
    graph_args a = {.ocl = xc_ocl_build_defaults(), .draw = xc_draw_defaults()};
    int r, build_options = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (cli_is_help(arg)) {
            usage();
            return 0;
        } else if (!strcmp(arg, "-o")) {
            if (!(a.out = cli_value(argc, argv, &i, cmd))) return 2;
        } else if (!strcmp(arg, "--engine")) {
            a.engine = 1;
        } else if (!strcmp(arg, "--plan")) {
            if (!(a.plan = cli_value(argc, argv, &i, cmd))) return 2;
        } else if (!strcmp(arg, "--results")) {
            if (!(a.results = cli_value(argc, argv, &i, cmd))) return 2;
        } else if (!strcmp(arg, "--highlight")) {
            if (!cli_list(argc, argv, &i, highlight, MAX_HIGHLIGHT, &a.draw.n_highlight)) return cli_usage_error(cmd, "--highlight needs a name");
        } else if (!strcmp(arg, "--around")) {
            if (!(a.draw.around = cli_value(argc, argv, &i, cmd))) return 2;
        } else if (!strcmp(arg, "--radius")) {
            long radius;
            if (!(v = cli_value(argc, argv, &i, cmd)) || !cli_long(cmd, arg, v, &radius)) return 2;
            if (radius < 0 || radius > 1000000) return cli_usage_error(cmd, "--radius must be between 0 and 1000000");
            a.draw.radius = (int)radius;
        } else if (!strcmp(arg, "--max-nodes")) {
            long max;
            if (!(v = cli_value(argc, argv, &i, cmd)) || !cli_long(cmd, arg, v, &max)) return 2;
            if (max < 0 || max > 1000000000) return cli_usage_error(cmd, "--max-nodes must be between 0 and 1000000000");
            a.draw.max_nodes = (int)max;
        } else if (!strcmp(arg, "--show-initializers")) {
            a.draw.show_initializers = 1;
        } else if ((r = cli_ocl_option(argc, argv, &i, cmd, &a.ocl, shapes)) != 0) {
            if (r < 0) return 2;
            build_options = 1;
        } else if (!cli_positional(cmd, arg, &a.model)) {
            return 2;
        }
    }
    a.draw.highlight = highlight;
    if (!a.model) return cli_usage_error(cmd, "no MODEL given");
    if (ends_with(a.model, ".plan"))
        return cli_usage_error(cmd, "%s is a plan: give its model too ('crosscheck graph MODEL --plan %s -o ...')", a.model,
                               a.model);
    if (!a.out) return cli_usage_error(cmd, "no -o FILE given");
    if (!xc_draw_format(a.out)) return cli_usage_error(cmd, "%s: unknown picture format (use .dot, .svg, .png or .pdf)", a.out);
    if (a.engine && a.plan) return cli_usage_error(cmd, "--engine and --plan both name an engine; give one");
    if (build_options && !a.engine && !a.plan) return cli_usage_error(cmd, "OpenCL build options need --engine");
    return draw(&a);
}
