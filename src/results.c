/* results.c — writes a results folder (see results.h). */
#include "results.h"
#include "onnx_io.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static xc_status save_one(const char *dir, const char *role, int k, const xc_tensor *t, const char *runner, int iteration,
                          cJSON *list)
{
    char file[64], path[4200];
    snprintf(file, sizeof file, "%s_%d.pb", role, k);
    snprintf(path, sizeof path, "%s/%s", dir, file);
    XC_TRY(xc_tensor_save_pb(t, path));
    cJSON *e = cJSON_CreateObject(), *shape = cJSON_CreateArray();
    for (int d = 0; d < t->rank; d++) cJSON_AddItemToArray(shape, cJSON_CreateNumber((double)t->dims[d]));
    cJSON_AddStringToObject(e, "runner", runner);
    cJSON_AddNumberToObject(e, "iteration", iteration);
    cJSON_AddStringToObject(e, "role", role);
    cJSON_AddStringToObject(e, "tensor", t->name ? t->name : "");
    cJSON_AddStringToObject(e, "dtype", xc_dtype_name(t->dtype));
    cJSON_AddItemToObject(e, "shape", shape);
    cJSON_AddStringToObject(e, "file", file);
    cJSON_AddItemToArray(list, e);
    return XC_OK;
}

xc_status xc_results_save(const char *dir, const char *runner, int iteration, const xc_tensor_list *inputs,
                          xc_tensor *const *outputs, int n_outputs)
{
    if (mkdir(dir, 0777) && errno != EEXIST) return xc_fail(XC_ERR_IO, "%s: cannot create folder (%s)", dir, strerror(errno));
    cJSON *root = cJSON_CreateObject(), *list = cJSON_CreateArray();
    cJSON_AddStringToObject(root, "format", "crosscheck-results-1");
    cJSON_AddItemToObject(root, "tensors", list);
    xc_status s = XC_OK;
    for (int i = 0; inputs && i < inputs->n && s == XC_OK; i++) s = save_one(dir, "input", i, inputs->t[i], runner, iteration, list);
    for (int o = 0; o < n_outputs && s == XC_OK; o++) s = save_one(dir, "output", o, outputs[o], runner, iteration, list);
    if (s == XC_OK) {
        char path[4200], *text = cJSON_Print(root);
        snprintf(path, sizeof path, "%s/index.json", dir);
        s = text ? xc_write_file(path, text, strlen(text)) : xc_fail(XC_ERR_NOMEM, "out of memory");
        cJSON_free(text);
    }
    cJSON_Delete(root);
    return s;
}
