/* cmd_inspect_engine.c — `crosscheck inspect engine MODEL [--plan PLAN | build options]`:
 * prints the library's engine-inspector description (TensorRT-shaped JSON) as text or JSON. */
#include "cli.h"
#include "ocl/inspect_engine.h"
#include "ocl_group.h"
#include "onnx_io.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

static const char *description =
    "Describes the OpenCL engine of MODEL built now, or of a PLAN made by 'crosscheck build' (its\n"
    "model is the one the plan names, in the plan's folder, or MODEL --plan PLAN): every layer with\n"
    "the ONNX nodes it covers, kind, tactic, precision, fusion pass, inputs and outputs (shape,\n"
    "dtype, storage: memory-plan slot, constant or view), the defining node's parameters, fused\n"
    "activation, kernels and launch sizes; the memory plan (slots and bytes, planned vs the sum of\n"
    "activations); device, driver and crosscheck version. --json writes it in the shape of\n"
    "TensorRT's engine inspector ({\"Layers\": [{\"Name\", \"LayerType\", \"Inputs\", \"Outputs\",\n"
    "\"TacticName\", ...}], \"Bindings\": [...]}) with crosscheck's extra fields.";

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static void print_tensors(const char *label, const cJSON *list)
{
    const cJSON *t;
    char shape[512];
    cJSON_ArrayForEach(t, list) printf("      %-4s %-32s %-8s %-18s %-24s %s\n", label, str(t, "Name"), str(t, "Datatype"),
                                       cli_shape_text(cJSON_GetObjectItem(t, "Dimensions"), shape, sizeof shape),
                                       str(t, "Format/Datatype"), str(t, "Storage"));
}

static void print_layer(int index, const cJSON *l)
{
    const cJSON *x;
    printf("  [%d] %s\n", index, str(l, "Name"));
    printf("      %s  tactic %s  %s", str(l, "LayerType"), str(l, "TacticName"), str(l, "Precision"));
    if (cJSON_GetObjectItem(l, "Fusion")) printf("  fusion %s", str(l, "Fusion"));
    if (strcmp(str(l, "Activation"), "NONE")) printf("  activation %s", str(l, "Activation"));
    if (cJSON_IsTrue(cJSON_GetObjectItem(l, "HasResidual"))) printf("  +residual");
    printf("\n");
    if (cJSON_GetArraySize(cJSON_GetObjectItem(l, "Nodes"))) printf("      onnx %s\n", str(l, "Metadata"));
    print_tensors("in", cJSON_GetObjectItem(l, "Inputs"));
    print_tensors("out", cJSON_GetObjectItem(l, "Outputs"));
    const cJSON *params = cJSON_GetObjectItem(l, "Parameters");
    if (cJSON_GetArraySize(params)) {
        printf("      params");
        cJSON_ArrayForEach(x, params)
        {
            char *v = cJSON_PrintUnformatted(x);
            printf(" %s=%s", x->string, v ? v : "?");
            cJSON_free(v);
        }
        printf("\n");
    }
    cJSON_ArrayForEach(x, cJSON_GetObjectItem(l, "Kernels"))
    {
        char *g = cJSON_PrintUnformatted(cJSON_GetObjectItem(x, "Global")),
             *loc = cJSON_PrintUnformatted(cJSON_GetObjectItem(x, "Local"));
        printf("      kernel %s global %s local %s\n", str(x, "Kernel"), g ? g : "?", loc ? loc : "?");
        cJSON_free(g);
        cJSON_free(loc);
    }
    if (num(l, "Workspace") > 0) printf("      workspace %.0f bytes\n", num(l, "Workspace"));
    if ((x = cJSON_GetObjectItem(l, "Profile")))
        printf("      profile %.5f ms average, %.5f ms median, %.2f%%\n", num(x, "AverageMs"), num(x, "MedianMs"),
               num(x, "Percent"));
}

static void print_dims(const char *label, const cJSON *a)
{
    const cJSON *x;
    printf(" %s [", label);
    int i = 0;
    cJSON_ArrayForEach(x, a) printf("%s%.0f", i++ ? "," : "", x->valuedouble);
    printf("]");
}

/* "profile 0  x min [1,3,8,8] opt [4,3,8,8] max [32,3,8,8]", an input a line. */
static void print_profiles(const cJSON *d)
{
    const cJSON *p, *in;
    int k = 0;
    cJSON_ArrayForEach(p, cJSON_GetObjectItem(d, "Profiles"))
    {
        int i = 0;
        cJSON_ArrayForEach(in, cJSON_GetObjectItem(p, "Inputs"))
        {
            if (i++)
                printf("           %s", str(in, "Name"));
            else
                printf("profile %d  %s", k, str(in, "Name"));
            print_dims("min", cJSON_GetObjectItem(in, "Min"));
            print_dims("opt", cJSON_GetObjectItem(in, "Opt"));
            print_dims("max", cJSON_GetObjectItem(in, "Max"));
            printf("\n");
        }
        k++;
    }
}

static void print_engine(const cJSON *d)
{
    const cJSON *l, *mem = cJSON_GetObjectItem(d, "Memory"), *x;
    printf("engine   %s (%s), driver %s, crosscheck %s\n", str(d, "DeviceName"), str(d, "Platform"), str(d, "Driver"),
           str(d, "Version"));
    printf("model    %s (hash %s)\n", str(d, "Model"), str(d, "ModelHash"));
    print_profiles(d);
    printf("layers   %d\n", cJSON_GetArraySize(cJSON_GetObjectItem(d, "Layers")));
    int i = 0;
    cJSON_ArrayForEach(l, cJSON_GetObjectItem(d, "Layers")) print_layer(i++, l);
    double planned = num(mem, "PlannedBytes"), act = num(mem, "ActivationBytes");
    printf(
        "memory   %.0f bytes planned in %.0f slots, %.1f%% of the %.0f bytes every activation in its own buffer would take;\n"
        "         %.0f bytes of weights\n",
        planned, num(mem, "Slots"), act > 0 ? 100 * planned / act : 0, act, num(mem, "WeightBytes"));
    i = 0;
    cJSON_ArrayForEach(x, cJSON_GetObjectItem(mem, "SlotBytes")) printf("    slot %d: %.0f bytes\n", i++, x->valuedouble);
    printf("bindings");
    cJSON_ArrayForEach(x, cJSON_GetObjectItem(d, "Bindings")) printf(" %s", x->valuestring);
    printf("\n");
    if ((x = cJSON_GetObjectItem(d, "Profile")))
        printf("profile  %.0f iterations, %.5f ms per inference summed over layers\n", num(x, "Iterations"), num(x, "TotalMs"));
}

int cli_inspect_engine(int argc, char **argv)
{
    const char *cmd = "inspect engine", *plan = NULL;
    xc_ocl_build_options o = xc_ocl_build_defaults();
    xc_bench_options b = xc_bench_defaults();
    int json = 0;
    long iterations = 0;
    b.duration_s = 0; /* a profile for inspection: the iteration count alone decides */
    b.warmup_ms = 50;
    const cli_option opts[] = {
        {"--plan", "FILE.plan", "the engine of a plan instead of a new build", CLI_STRING, .str = &plan},
        {"--profile", NULL, "time every layer (like 'crosscheck bench --profile')", CLI_FLAG, .flag = &b.profile},
        {"--iterations", "N", "profiled inferences (default 10; with --profile)", CLI_LONG, .whole = &iterations, .lo = 1,
         .hi = 1000000},
        {"--json", NULL, "JSON instead of text", CLI_FLAG, .flag = &json},
        {0}};
    cli_ocl_group g = {.o = &o};
    const cli_command c = {.name = cmd, .positional = "MODEL|PLAN", .description = description, .options = opts};
    const char *model = NULL;
    int rc = cli_parse_ocl(c, &g, "OpenCL build options (for a plan, the plan's own options win)", argc, argv, &model);
    if (rc >= 0) return rc;
    if (iterations && !b.profile) return cli_usage_error(cmd, "--iterations counts profiled inferences: it needs --profile");
    if (iterations) b.iterations = (int)iterations;
    xc_model *m = NULL;
    xc_engine *e = NULL;
    /* MODEL --plan PLAN names both; a lone PLAN finds its model through itself */
    xc_status s = plan ? xc_engine_open(plan, model, &o, &m, &e) : xc_engine_open(model, NULL, &o, &m, &e);
    xc_bench_result r = {0};
    if (s == XC_OK && b.profile) s = xc_bench_run(e, &b, &r);
    rc = s == XC_OK ? 0 : cli_error();
    if (s == XC_OK) {
        cJSON *d = xc_inspect_engine(e, b.profile ? &r : NULL);
        if (json) {
            rc = cli_print_json(d);
        } else {
            print_engine(d);
            cJSON_Delete(d);
        }
    }
    xc_bench_result_free(&r);
    xc_engine_free(e);
    xc_model_free(m);
    return rc;
}
