/* ocl_options.c — parsing of the OpenCL build options (see ocl_options.h). */
#include "ocl_options.h"
#include "cli.h"
#include "inputs.h"
#include "log.h"
#include "ocl/fault.h"
#include "ocl/profile_shapes.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *cli_ocl_help =
    "  --ocl-device N|NAME        OpenCL device (default: first GPU, else first device; see\n"
    "                             'crosscheck inspect devices')\n"
    "  --fp16                     fp16 arithmetic as TensorRT's: half storage, products and\n"
    "                             pointwise/softmax/norm steps rounded to half, sums in fp32\n"
    "  --fp16-storage             store activations and weights as half, compute in fp32\n"
    "  --fp16-accumulate          --fp16 with every running sum rounded to half too\n"
    "  --bf16                     bf16 arithmetic: bfloat16 storage, products and pointwise/softmax/\n"
    "                             norm steps rounded to bf16 (nearest even), sums in fp32\n"
    "  --bf16-storage             store activations and weights as bfloat16, compute in fp32\n"
    "  --no-tf32                  no TF32 tensor-core tactics (used by default on NVIDIA GPUs of\n"
    "                             compute capability >= 8.0): exact fp32 products\n"
    "  --layer-precision NAME:fp32  keep a layer (or the layer covering node NAME) in fp32\n"
    "  --layer-precision NAME:int8|fp16|bf16  run that layer in int8 (needs --int8 or a Q/DQ model),\n"
    "                             fp16 (needs --fp16) or bf16 (needs --bf16); not quantized under\n"
    "                             --int8, Q/DQ kept as float ops\n"
    "  --no-fusion                turn every fusion pass off\n"
    "  --disable-fusion NAME      turn one pass off (repeatable)\n"
    "  --fallback-cpu             run layers the OpenCL backend lacks on the reference\n"
    "  --timing-cache FILE        reuse and update tactic timings (JSON)\n"
    "  --save-tactics FILE        write every layer's tactic (replay file)\n"
    "  --load-tactics FILE        pin every layer's tactic from a replay file or plan\n"
    "  --timing-iterations N      timed runs per tactic after a warm-up (default 10)\n"
    "  --timing-weights auto|cached|cold  tactics timed with the device cache emptied before each\n"
    "                             run and the layer's inputs read back (cold: a model whose weights\n"
    "                             exceed the cache meets them in memory), or as the last run left it;\n"
    "                             auto (default): cold on a GPU whose cache the weights exceed\n"
    "  --builder-optimization-level N  0..5 (default 3, or $CROSSCHECK_BUILDER_OPTIMIZATION_LEVEL):\n"
    "                             0 times nothing (baseline tactics), 1-2 one variant per tactic,\n"
    "                             3 the variants meant for this device, 4-5 every variant\n"
    "  --queues N                 run independent branches on N in-order queues (default 1)\n"
    "  --input-shapes NAME:[D,..] static shape of an input (symbolic dims default to 1)\n"
    "  --profile-shapes NAME:min=[D,..],opt=[D,..],max=[D,..] [NAME:...]  an optimization profile:\n"
    "                             the ranges of the inputs named; tactics timed at opt and valid\n"
    "                             over the range, memory for max; repeat the option for another\n"
    "                             profile (numbered 0, 1, ... in order)\n"
    "  --opt-profile N            run the profile N of the engine (default: the first holding the\n"
    "                             input shapes)\n"
    "  --layer-precision-file F   the per-layer precisions in F (written by 'debug precision'; a\n"
    "                             file of bare names keeps them in fp32)\n"
    "  --no-fuse-node NAME        no fusion pass may fuse ONNX node NAME (repeatable)\n"
    "  --tactics GLOB             tune only tactics matching GLOB (repeatable; e.g. 'conv2d.winograd*');\n"
    "                             a layer no tactic matches keeps its baseline; a glob matching\n"
    "                             no tactic offered at this optimization level is refused\n"
    "  --int8                     implicit quantization: float conv/gemm layers run as int8 with\n"
    "                             ranges from calibration (min-max over the reference's activations)\n"
    "  --calibration-data DIR     calibration input sets (test_data_set folders, or one set of .pb files)\n"
    "  --calibration-cache FILE   activation ranges: read if FILE exists, else calibrated and written\n"
    "  --calibrator minmax|entropy  max |value| (default), or TensorRT's entropy (KL divergence) threshold\n"
    "  --inject-fault SPEC        plant a fault, KIND=PATTERN[:EFFECT] (repeatable; also\n"
    "                             CROSSCHECK_INJECT_FAULT='SPEC;SPEC'): KIND op|node|tactic|\n"
    "                             node-tactic|fusion|node-fusion, EFFECT bias=X (default bias=1)|\n"
    "                             scale=X|nan|element; for rehearsing the debug tools\n";

static int add_name(xc_name_list *list, const char *v) { return xc_name_list_add(list, v) == XC_OK ? 1 : (cli_error(), -1); }

/* Adds the file's names to --layer-precision's lists. */
static int layer_precision_file(xc_ocl_build_options *o, const char *path)
{
    char **names;
    int *precs, n;
    if (xc_layer_precision_load(path, &names, &precs, &n) != XC_OK) return cli_error(), -1;
    cli_keep(names);
    cli_keep(precs);
    for (int i = 0; i < n; i++)
        if (xc_ocl_constrain_layer(o, cli_keep(names[i]), precs[i]) != XC_OK) return cli_error(), -1;
    return 1;
}

/* The profiles of this process's command line (one command parses them once); reachable from
 * here until exit. */
static xc_profile_set cli_profiles;

/* --profile-shapes SPEC...: a new profile of the inputs SPEC names. */
static int profile_shapes(int argc, char **argv, int *i, const char *cmd, xc_ocl_build_options *o)
{
    int p = cli_profiles.n, any = 0;
    while (*i + 1 < argc && argv[*i + 1][0] != '-') {
        if (xc_profile_parse(&cli_profiles, p, argv[++*i]) != XC_OK) return cli_error(), -1;
        any = 1;
    }
    o->profiles = &cli_profiles;
    return any ? 1 : (cli_usage_error(cmd, "--profile-shapes needs NAME:min=[D,..],opt=[D,..],max=[D,..]"), -1);
}

static int option(int argc, char **argv, int *i, const char *cmd, xc_ocl_build_options *o, xc_input_shape **shapes,
                  int *cap_shapes)
{
    const char *a = argv[*i], *v;
    long n;
    int mode = xc_ocl_precision_mode(o, a); /* --fp16, --bf16-storage, ... */
    if (mode) return mode > 0 ? 1 : (cli_error(), -1);
    if (!strcmp(a, "--no-fusion")) return o->no_fusion = 1, 1;
    if (!strcmp(a, "--no-tf32")) return o->no_tf32 = 1, 1;
    if (!strcmp(a, "--fallback-cpu")) return o->fallback_cpu = 1, 1;
    if (!strcmp(a, "--profile-shapes")) return profile_shapes(argc, argv, i, cmd, o);
    if (!strcmp(a, "--int8")) return o->int8 = 1, 1;
    if (!strcmp(a, "--input-shapes")) {
        int any = 0;
        while (*i + 1 < argc && argv[*i + 1][0] != '-') {
            if (!cli_grow(shapes, o->n_shapes, cap_shapes, sizeof **shapes)) return cli_out_of_memory(cmd), -1;
            o->shapes = *shapes;
            /* parsed from a copy: parsing cuts the text at ':', and argv is echoed later (the debug
             * tools' reproduce command printed '--input-shapes x' for 'x:[1,3]') */
            char *text = cli_keep(strdup(argv[++*i]));
            if (!text) return cli_usage_error(cmd, "out of memory"), -1;
            if (xc_parse_input_shape(text, &(*shapes)[o->n_shapes]) != XC_OK) return cli_error(), -1;
            o->n_shapes++;
            any = 1;
        }
        return any ? 1 : (cli_usage_error(cmd, "--input-shapes needs NAME:[D,...]"), -1);
    }
    static const char *const valued[] = {"--ocl-device",
                                         "--layer-precision",
                                         "--disable-fusion",
                                         "--timing-cache",
                                         "--save-tactics",
                                         "--load-tactics",
                                         "--timing-iterations",
                                         "--queues",
                                         "--inject-fault",
                                         "--no-fuse-node",
                                         "--layer-precision-file",
                                         "--tactics",
                                         "--opt-profile",
                                         "--calibration-data",
                                         "--calibration-cache",
                                         "--calibrator",
                                         "--timing-weights",
                                         "--builder-optimization-level",
                                         NULL};
    int k = 0;
    while (valued[k] && strcmp(valued[k], a)) k++;
    if (!valued[k]) return 0;
    if (!(v = cli_value(argc, argv, i, cmd))) return -1;
    switch (k) {
    case 0:
        if (!*v) return cli_usage_error(cmd, "--ocl-device takes a device number or part of its name, got ''"), -1;
        o->device = v;
        return 1;
    case 1: {
        const char *colon = strrchr(v, ':');
        int prec = colon && colon > v ? xc_layer_prec_parse(colon + 1) : -1;
        if (prec < 0) return cli_usage_error(cmd, "--layer-precision expects NAME:int8|fp16|bf16|fp32, got '%s'", v), -1;
        char *name = cli_keep(strndup(v, (size_t)(colon - v))); /* lives as long as the process */
        if (!name) return cli_usage_error(cmd, "out of memory"), -1;
        return xc_ocl_constrain_layer(o, name, prec) == XC_OK ? 1 : (cli_error(), -1);
    }
    case 2: return add_name(&o->disabled, v);
    case 3: o->timing_cache = v; return 1;
    case 4: o->save_tactics = v; return 1;
    case 5: o->load_tactics = v; return 1;
    case 6:
        if (!cli_long_in(cmd, a, v, 1, 64, &n)) return -1;
        o->timing_iterations = (int)n;
        return 1;
    case 7:
        if (!cli_long_in(cmd, a, v, 1, 8, &n)) return -1;
        o->queues = (int)n;
        return 1;
    case 8: {
        xc_fault f;
        if (xc_fault_parse(v, &f) != XC_OK) return cli_error(), -1;
        return add_name(&o->faults, v);
    }
    case 9: return add_name(&o->no_fuse_nodes, v);
    case 10: return layer_precision_file(o, v);
    case 11: return add_name(&o->tactic_filter, v);
    case 12:
        if (!cli_long_in(cmd, a, v, 0, 1000, &n)) return -1;
        o->opt_profile = (int)n + 1;
        return 1;
    case 13: o->calibration_data = v; return 1;
    case 14: o->calibration_cache = v; return 1;
    case 15:
        if (strcmp(v, "minmax") && strcmp(v, "entropy"))
            return cli_usage_error(cmd, "--calibrator takes minmax or entropy, got '%s'", v), -1;
        o->calibrator_entropy = !strcmp(v, "entropy");
        return 1;
    case 16:
        if (strcmp(v, "auto") && strcmp(v, "cached") && strcmp(v, "cold"))
            return cli_usage_error(cmd, "--timing-weights takes auto, cached or cold, got '%s'", v), -1;
        o->timing_weights = !strcmp(v, "cold")     ? XC_TIMING_WEIGHTS_COLD
                            : !strcmp(v, "cached") ? XC_TIMING_WEIGHTS_CACHED
                                                   : XC_TIMING_WEIGHTS_AUTO;
        return 1;
    default:
        if (!cli_long(cmd, a, v, &n) || n < 0 || n > 5)
            return cli_usage_error(cmd, "--builder-optimization-level takes 0..5"), -1;
        o->opt_level = (int)n;
        return 1;
    }
}

int cli_ocl_option(int argc, char **argv, int *i, const char *cmd, xc_ocl_build_options *o, xc_input_shape **shapes,
                   int *cap_shapes)
{
    xc_name_list *lists[XC_OCL_OPTION_LISTS];
    const char **was[XC_OCL_OPTION_LISTS];
    xc_ocl_option_lists(o, lists);
    for (int k = 0; k < XC_OCL_OPTION_LISTS; k++) was[k] = lists[k]->v;
    int rc = option(argc, argv, i, cmd, o, shapes, cap_shapes);
    for (int k = 0; k < XC_OCL_OPTION_LISTS; k++) /* the lists' arrays live until exit, as the names they hold */
        if (lists[k]->v != was[k]) cli_keep_replace((void *)was[k], (void *)lists[k]->v);
    return rc;
}

int cli_ocl_progress(void)
{
    if (xc_log_get_level() < XC_LOG_WARNING) return XC_PROGRESS_OFF;
    return isatty(STDERR_FILENO) ? XC_PROGRESS_BAR : XC_PROGRESS_LINES;
}
