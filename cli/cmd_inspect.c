/* cmd_inspect.c — `crosscheck inspect model MODEL [--show ...] [--json]` and `inspect devices`:
 * prints the library's summary and views; dispatches the engine and tactics views
 * (inspect_engine.c, inspect_tactics.c in this folder). */
#include "cli.h"
#include "options.h"
#include "inspect.h"
#include "onnx_io.h"
#include "ocl/device.h"
#include <stdio.h>
#include <string.h>

static const char *help =
    "usage: crosscheck inspect model MODEL [--show layers,attrs,weights] [--json]\n"
    "       crosscheck inspect engine MODEL [--plan PLAN | build options] [--profile] [--json]\n"
    "       crosscheck inspect tactics PLAN|REPLAY [--json]\n"
    "       crosscheck inspect diff-tactics --good FILE|DIR... --bad FILE|DIR... [--json]\n"
    "       crosscheck inspect results DIR|FILE [--json]\n"
    "       crosscheck inspect devices [--json]\n\n"
    "model, devices, engine, tactics, diff-tactics, results: 'crosscheck inspect VIEW --help'.\n";

static const char *model_description =
    "Summarizes MODEL: IR version, opsets, inputs and outputs with shapes and dtypes, op\n"
    "histogram, node count, parameter count and bytes, and the nodes the reference cannot run.\n"
    "The model is fully validated first (exit 2 with the problem if it is invalid).";

static const char *devices_description =
    "Every OpenCL platform and device with its index (for --ocl-device), memory,\n"
    "compute units, driver and extensions.";

/* "[1,3,batch,224]" or "(unknown rank)" from a JSON shape, into buf. */
const char *cli_shape_text(const cJSON *shape, char *buf, size_t len)
{
    const cJSON *d;
    if (!cJSON_IsArray(shape)) {
        snprintf(buf, len, "(unknown rank)");
        return buf;
    }
    size_t o = (size_t)snprintf(buf, len, "[");
    cJSON_ArrayForEach(d, shape)
    {
        const char *sep = d == shape->child ? "" : ",";
        if (o >= len) break;
        if (cJSON_IsNumber(d))
            o += (size_t)snprintf(buf + o, len - o, "%s%.0f", sep, d->valuedouble);
        else
            o += (size_t)snprintf(buf + o, len - o, "%s%s", sep, d->valuestring);
    }
    if (o < len) snprintf(buf + o, len - o, "]");
    return buf;
}

static void print_shape(const cJSON *v)
{
    char shape[512];
    const cJSON *kind = cJSON_GetObjectItem(v, "value");
    printf("    %-24s %-8s %s%s%s\n", cJSON_GetObjectItem(v, "name")->valuestring, cJSON_GetObjectItem(v, "dtype")->valuestring,
           cli_shape_text(cJSON_GetObjectItem(v, "shape"), shape, sizeof shape), kind ? "  " : "", kind ? kind->valuestring : "");
}

/* An attribute value from its JSON: lists of more than 16 shown as their first 16 and a count. */
static void print_attr_value(const cJSON *v)
{
    if (cJSON_IsNumber(v))
        printf("%.9g", v->valuedouble);
    else if (cJSON_IsString(v))
        printf("%s", v->valuestring);
    else if (cJSON_IsNull(v))
        printf("(undefined)");
    else if (cJSON_IsArray(v)) {
        int n = cJSON_GetArraySize(v), i = 0;
        const cJSON *x;
        printf("[");
        cJSON_ArrayForEach(x, v)
        {
            if (i == 16) {
                printf(", ... (%d in all)", n);
                break;
            }
            printf(i++ ? ", " : "");
            print_attr_value(x);
        }
        printf("]");
    }
}

static void print_layers(const cJSON *layers)
{
    const cJSON *l, *v;
    char shape[512];
    printf("layers (%d)\n", cJSON_GetArraySize(layers));
    cJSON_ArrayForEach(l, layers)
    {
        const char *name = cJSON_GetObjectItem(l, "name")->valuestring;
        printf("  [%.0f] %s (%s)\n", cJSON_GetObjectItem(l, "index")->valuedouble, name[0] ? name : "<unnamed>",
               cJSON_GetObjectItem(l, "op")->valuestring);
        for (int out = 0; out < 2; out++)
            cJSON_ArrayForEach(v, cJSON_GetObjectItem(l, out ? "outputs" : "inputs"))
                printf("      %-4s %-28s %-8s %s%s\n", out ? "out" : "in", cJSON_GetObjectItem(v, "name")->valuestring,
                       cJSON_GetObjectItem(v, "dtype")->valuestring,
                       cli_shape_text(cJSON_GetObjectItem(v, "shape"), shape, sizeof shape),
                       cJSON_IsTrue(cJSON_GetObjectItem(v, "initializer")) ? "  (initializer)" : "");
        cJSON_ArrayForEach(v, cJSON_GetObjectItem(l, "attributes"))
        {
            printf("      attr %s = ", v->string);
            print_attr_value(v);
            printf("\n");
        }
    }
}

static void print_weights(const cJSON *weights)
{
    const cJSON *w;
    char shape[512];
    printf("weights (%d)\n", cJSON_GetArraySize(weights));
    printf("    %-28s %-8s %-16s %12s %12s %12s %12s %7s %5s %5s\n", "name", "dtype", "shape", "min", "max", "mean", "std",
           "zeros", "nan", "inf");
    cJSON_ArrayForEach(w, weights)
    {
        printf("    %-28s %-8s %-16s", cJSON_GetObjectItem(w, "name")->valuestring, cJSON_GetObjectItem(w, "dtype")->valuestring,
               cli_shape_text(cJSON_GetObjectItem(w, "shape"), shape, sizeof shape));
        if (cJSON_IsString(cJSON_GetObjectItem(w, "stats"))) {
            printf(" %s\n", cJSON_GetObjectItem(w, "stats")->valuestring);
            continue;
        }
        const char *keys[] = {"min", "max", "mean", "std"};
        for (int k = 0; k < 4; k++) {
            const cJSON *x = cJSON_GetObjectItem(w, keys[k]);
            if (cJSON_IsNumber(x))
                printf(" %12.5g", x->valuedouble);
            else
                printf(" %12s", "-");
        }
        printf(" %6.2f%% %5.0f %5.0f\n", 100 * cJSON_GetObjectItem(w, "zero_fraction")->valuedouble,
               cJSON_GetObjectItem(w, "nan")->valuedouble, cJSON_GetObjectItem(w, "inf")->valuedouble);
    }
}

static void print_text(const cJSON *s)
{
    const cJSON *e;
    printf("model       %s\n", cJSON_GetObjectItem(s, "path")->valuestring);
    printf("ir_version  %.0f   producer %s %s\n", cJSON_GetObjectItem(s, "ir_version")->valuedouble,
           cJSON_GetObjectItem(s, "producer")->valuestring, cJSON_GetObjectItem(s, "producer_version")->valuestring);
    printf("opsets     ");
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(s, "opsets"))
        printf(" %s:%.0f", cJSON_GetObjectItem(e, "domain")->valuestring, cJSON_GetObjectItem(e, "version")->valuedouble);
    printf("\n");
    const cJSON *meta = cJSON_GetObjectItem(s, "metadata");
    if (cJSON_GetArraySize(meta)) {
        printf("metadata\n");
        cJSON_ArrayForEach(e, meta) printf("    %s = %s\n", e->string, e->valuestring);
    }
    printf("  inputs\n");
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(s, "inputs")) print_shape(e);
    printf("  outputs\n");
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(s, "outputs")) print_shape(e);
    printf("nodes       %.0f\n", cJSON_GetObjectItem(s, "nodes")->valuedouble);
    printf("parameters  %.0f in %.0f initializers (%.0f bytes)\n", cJSON_GetObjectItem(s, "parameters")->valuedouble,
           cJSON_GetObjectItem(s, "initializers")->valuedouble, cJSON_GetObjectItem(s, "parameter_bytes")->valuedouble);
    printf("ops\n");
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(s, "ops")) printf("    %-28s %.0f\n", e->string, e->valuedouble);
    const cJSON *un = cJSON_GetObjectItem(s, "unsupported");
    if (!cJSON_GetArraySize(un)) {
        printf("reference   supports every node\n");
        return;
    }
    printf("unsupported %d node%s\n", cJSON_GetArraySize(un), cJSON_GetArraySize(un) > 1 ? "s" : "");
    cJSON_ArrayForEach(e, un) printf("    %s\n", cJSON_GetObjectItem(e, "reason")->valuestring);
}

static void print_views(const cJSON *s)
{
    if (cJSON_GetObjectItem(s, "layers")) print_layers(cJSON_GetObjectItem(s, "layers"));
    if (cJSON_GetObjectItem(s, "weights")) print_weights(cJSON_GetObjectItem(s, "weights"));
}

static int inspect_devices(int argc, char **argv)
{
    cJSON *list, *p, *d;
    int json = 0;
    const cli_option opts[] = {{"--json", NULL, "print the list as JSON", CLI_FLAG, .flag = &json}, {0}};
    const cli_command c = {.name = "inspect devices", .description = devices_description, .options = opts};
    int rc = cli_parse(&c, argc, argv);
    if (rc >= 0) return rc;
    if (xc_ocl_device_list(&list) != XC_OK) return cli_error();
    if (json) return cli_print_json(list);
    cJSON_ArrayForEach(p, list)
    {
        printf("platform %s (%s)\n", cJSON_GetObjectItem(p, "platform")->valuestring,
               cJSON_GetObjectItem(p, "version")->valuestring);
        cJSON_ArrayForEach(d, cJSON_GetObjectItem(p, "devices"))
        {
            printf("  [%.0f] %s  %s, %s\n", cJSON_GetObjectItem(d, "index")->valuedouble,
                   cJSON_GetObjectItem(d, "name")->valuestring, cJSON_GetObjectItem(d, "type")->valuestring,
                   cJSON_GetObjectItem(d, "version")->valuestring);
            printf(
                "      driver %s, %.0f compute units, %.1f GiB global, %.0f KiB local, max alloc %.1f GiB, max work-group %.0f\n",
                cJSON_GetObjectItem(d, "driver")->valuestring, cJSON_GetObjectItem(d, "compute_units")->valuedouble,
                cJSON_GetObjectItem(d, "global_mem")->valuedouble / (1 << 30),
                cJSON_GetObjectItem(d, "local_mem")->valuedouble / 1024,
                cJSON_GetObjectItem(d, "max_alloc")->valuedouble / (1 << 30),
                cJSON_GetObjectItem(d, "max_work_group")->valuedouble);
            const cJSON *ext = cJSON_GetObjectItem(d, "extensions");
            if (cJSON_IsString(ext)) printf("      extensions: %s\n", ext->valuestring);
        }
    }
    cJSON_Delete(list);
    return 0;
}

static int parse_show(void *user, const char *v)
{
    if (xc_inspect_parse_show(v, user) == XC_OK) return 1;
    cli_usage_error("inspect model", "%s", xc_error_message());
    return 0;
}

int cmd_inspect(int argc, char **argv)
{
    const char *cmd = "inspect", *path = NULL;
    int json = 0;
    unsigned show = 0;
    if (argc >= 2 && cli_is_help(argv[1])) {
        fputs(help, stdout);
        return 0;
    }
    if (argc >= 2 && !strcmp(argv[1], "results")) return cmd_inspect_results(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "devices")) return inspect_devices(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "engine")) return cli_inspect_engine(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "tactics")) return cli_inspect_tactics(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "diff-tactics")) return cli_inspect_diff_tactics(argc - 1, argv + 1);
    if (argc < 2 || strcmp(argv[1], "model"))
        return cli_usage_error(cmd, "expected 'inspect model|engine|tactics|diff-tactics|results|devices ...'");
    cli_strings model = {0};
    const cli_option opts[] = {{"--show", "VIEWS",
                                "comma-separated views:\n"
                                "layers  every node with its inputs and outputs (dtype and shape from inference)\n"
                                "attrs   ... and each node's attributes (implies layers)\n"
                                "weights per initializer: dtype, shape, min, max, mean, std (of the finite\n"
                                "        values), fraction of zeros, NaN and Inf counts",
                                CLI_CUSTOM, .parse = parse_show, .user = &show},
                               {"--json", NULL, "print the summary as JSON", CLI_FLAG, .flag = &json},
                               {0}};
    const cli_command c = {.name = "inspect model",
                           .positional = "MODEL",
                           .description = model_description,
                           .options = opts,
                           .args = &model,
                           .min_args = 1,
                           .max_args = 1};
    int rc = cli_parse(&c, argc - 1, argv + 1);
    if (rc >= 0) return rc;
    path = model.v[0];
    xc_model *m;
    if (xc_model_load(path, &m) != XC_OK) return cli_error();
    cJSON *s = xc_inspect_model(m);
    xc_status st = xc_inspect_model_show(m, show, s);
    xc_model_free(m);
    if (st != XC_OK) {
        cJSON_Delete(s);
        return cli_error();
    }
    if (json) return cli_print_json(s);
    print_text(s);
    print_views(s);
    cJSON_Delete(s);
    return 0;
}
