/* engine_print.c — an engine as a table, from the library's JSON description. */
#include "cli.h"
#include "ocl/ocl.h"
#include <cjson/cJSON.h>
#include <stdio.h>

static void print_dims(const cJSON *a)
{
    const cJSON *x;
    int i = 0;
    printf("[");
    cJSON_ArrayForEach(x, a) printf("%s%.0f", i++ ? "," : "", x->valuedouble);
    printf("]");
}

/* "profile 0: x [1,3,8,8]..[32,3,8,8] opt [8,3,8,8]", a line per profile. */
static void print_profiles(const cJSON *d)
{
    const cJSON *p, *in;
    int k = 0;
    cJSON_ArrayForEach(p, cJSON_GetObjectItem(d, "profiles"))
    {
        printf("profile %d:", k++);
        cJSON_ArrayForEach(in, cJSON_GetObjectItem(p, "inputs"))
        {
            printf(" %s ", cJSON_GetObjectItem(in, "name")->valuestring);
            print_dims(cJSON_GetObjectItem(in, "min"));
            printf("..");
            print_dims(cJSON_GetObjectItem(in, "max"));
            printf(" opt ");
            print_dims(cJSON_GetObjectItem(in, "opt"));
        }
        printf("\n");
    }
    if (k) printf("(the layers above are profile 0's at its opt shapes; memory is planned for its max)\n");
}

void cli_print_engine(const struct xc_engine *e)
{
    cJSON *d = xc_engine_describe(e), *l;
    const cJSON *mem = cJSON_GetObjectItem(d, "memory");
    printf("engine on %s\n", cJSON_GetObjectItem(d, "device")->valuestring);
    printf("  %-4s %-44s %-10s %-30s %-12s %9s\n", "#", "layer (ONNX nodes)", "kind", "tactic", "precision", "ms");
    int i = 0;
    cJSON_ArrayForEach(l, cJSON_GetObjectItem(d, "layers"))
    {
        double ms = cJSON_GetObjectItem(l, "time_ms")->valuedouble;
        char when[32] = "-"; /* pinned (replay, plan) or the only candidate: nothing was timed */
        if (ms > 0) snprintf(when, sizeof when, "%.4f", ms);
        printf("  %-4d %-44.44s %-10s %-30.30s %-12s %9s\n", i++, cJSON_GetObjectItem(l, "name")->valuestring,
               cJSON_GetObjectItem(l, "kind")->valuestring, cJSON_GetObjectItem(l, "tactic")->valuestring,
               cJSON_GetObjectItem(l, "precision")->valuestring, when);
    }
    cJSON_ArrayForEach(l, cJSON_GetObjectItem(d, "layers"))
    {
        const cJSON *f = cJSON_GetObjectItem(l, "fault");
        if (cJSON_IsString(f))
            printf("FAULT INJECTION ON layer '%s': %s\n", cJSON_GetObjectItem(l, "name")->valuestring, f->valuestring);
    }
    printf("memory: %.0f bytes planned in %.0f buffers for %.0f bytes of activations; %.0f bytes of weights\n",
           cJSON_GetObjectItem(mem, "planned_bytes")->valuedouble, cJSON_GetObjectItem(mem, "slots")->valuedouble,
           cJSON_GetObjectItem(mem, "activation_bytes")->valuedouble, cJSON_GetObjectItem(mem, "weight_bytes")->valuedouble);
    print_profiles(d);
    cJSON_Delete(d);
}
