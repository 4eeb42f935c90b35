/* cmd_inspect.c — `crosscheck inspect model MODEL [--json]`: prints the library's summary. */
#include "cli.h"
#include "inspect.h"
#include "onnx_io.h"
#include "ocl/device.h"
#include <stdio.h>
#include <string.h>

static const char *help =
    "usage: crosscheck inspect model MODEL [--json]\n"
    "       crosscheck inspect devices [--json]\n\n"
    "devices: every OpenCL platform and device with its index (for --ocl-device), memory,\n"
    "compute units, driver and extensions.\n\n"
    "Summarizes MODEL: IR version, opsets, inputs and outputs with shapes and dtypes, op\n"
    "histogram, node count, parameter count and bytes, and the nodes the reference cannot run.\n"
    "The model is fully validated first (exit 2 with the problem if it is invalid).\n";

static void print_shape(const cJSON *v)
{
    const cJSON *shape = cJSON_GetObjectItem(v, "shape"), *d;
    printf("    %-24s %-8s ", cJSON_GetObjectItem(v, "name")->valuestring, cJSON_GetObjectItem(v, "dtype")->valuestring);
    if (cJSON_IsNull(shape)) {
        printf("(unknown rank)\n");
        return;
    }
    printf("[");
    int first = 1;
    cJSON_ArrayForEach(d, shape) {
        if (cJSON_IsNumber(d)) printf(first ? "%.0f" : ",%.0f", d->valuedouble);
        else printf(first ? "%s" : ",%s", d->valuestring);
        first = 0;
    }
    printf("]\n");
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

static int inspect_devices(int json)
{
    cJSON *list, *p, *d;
    if (xc_ocl_device_list(&list) != XC_OK) return cli_error();
    if (json) {
        char *text = cJSON_Print(list);
        puts(text);
        cJSON_free(text);
        cJSON_Delete(list);
        return 0;
    }
    cJSON_ArrayForEach(p, list) {
        printf("platform %s (%s)\n", cJSON_GetObjectItem(p, "platform")->valuestring, cJSON_GetObjectItem(p, "version")->valuestring);
        cJSON_ArrayForEach(d, cJSON_GetObjectItem(p, "devices")) {
            printf("  [%.0f] %s  %s, %s\n", cJSON_GetObjectItem(d, "index")->valuedouble, cJSON_GetObjectItem(d, "name")->valuestring,
                   cJSON_GetObjectItem(d, "type")->valuestring, cJSON_GetObjectItem(d, "version")->valuestring);
            printf("      driver %s, %.0f compute units, %.1f GiB global, %.0f KiB local, max alloc %.1f GiB, max work-group %.0f\n",
                   cJSON_GetObjectItem(d, "driver")->valuestring, cJSON_GetObjectItem(d, "compute_units")->valuedouble,
                   cJSON_GetObjectItem(d, "global_mem")->valuedouble / (1 << 30), cJSON_GetObjectItem(d, "local_mem")->valuedouble / 1024,
                   cJSON_GetObjectItem(d, "max_alloc")->valuedouble / (1 << 30), cJSON_GetObjectItem(d, "max_work_group")->valuedouble);
            const cJSON *ext = cJSON_GetObjectItem(d, "extensions");
            if (cJSON_IsString(ext)) printf("      extensions: %s\n", ext->valuestring);
        }
    }
    cJSON_Delete(list);
    return 0;
}

int cmd_inspect(int argc, char **argv)
{
    const char *cmd = "inspect", *path = NULL;
    int json = 0;
    if (argc >= 2 && cli_is_help(argv[1])) {
        fputs(help, stdout);
        return 0;
    }
    if (argc >= 2 && !strcmp(argv[1], "results")) return cmd_inspect_results(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "devices")) return inspect_devices(argc >= 3 && !strcmp(argv[2], "--json"));
    if (argc < 2 || strcmp(argv[1], "model")) return cli_usage_error(cmd, "expected 'inspect model MODEL' or 'inspect devices'");
    for (int i = 2; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            fputs(help, stdout);
            return 0;
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (!cli_positional(cmd, argv[i], &path)) {
            return 2;
        }
    }
    if (!path) return cli_usage_error(cmd, "no MODEL given");
    xc_model *m;
    if (xc_model_load(path, &m) != XC_OK) return cli_error();
    cJSON *s = xc_inspect_model(m);
    if (json) {
        char *text = cJSON_Print(s);
        puts(text);
        cJSON_free(text);
    } else {
        print_text(s);
    }
    cJSON_Delete(s);
    xc_model_free(m);
    return 0;
}
