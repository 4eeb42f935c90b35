/* precision_file.c — per-layer precision files (see ocl.h): the layers `debug precision` found
 * must stay in fp32, in a form `build --layer-precision-file` reads back. JSON, like the other
 * files the engine writes: {"format": "crosscheck-layer-precision-1", "fp32": ["layer", ...]}. */
#include "ocl/ocl.h"
#include "onnx_io.h"
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#define FORMAT "crosscheck-layer-precision-1"

xc_status xc_layer_precision_save(const char *path, const char *const *fp32, int n)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "format", FORMAT);
    cJSON *list = cJSON_AddArrayToObject(root, "fp32");
    for (int i = 0; i < n; i++) cJSON_AddItemToArray(list, cJSON_CreateString(fp32[i]));
    char *text = cJSON_Print(root);
    xc_status s = text ? xc_write_file(path, text, strlen(text)) : xc_fail(XC_ERR_NOMEM, "out of memory");
    cJSON_free(text);
    cJSON_Delete(root);
    return s;
}

void xc_layer_precision_free(char **names, int n)
{
    for (int i = 0; names && i < n; i++) free(names[i]);
    free(names);
}

xc_status xc_layer_precision_load(const char *path, char ***names, int *n)
{
    *names = NULL;
    *n = 0;
    xc_mapping *m;
    XC_TRY(xc_read_file(path, &m));
    cJSON *root = cJSON_ParseWithLength(m->addr, m->len);
    xc_mapping_release(m);
    const cJSON *format = cJSON_GetObjectItem(root, "format"), *list = cJSON_GetObjectItem(root, "fp32"), *it;
    xc_status s = XC_OK;
    if (!root)
        s = xc_fail(XC_ERR_MODEL, "%s: not valid JSON", path);
    else if (!cJSON_IsString(format) || strcmp(format->valuestring, FORMAT) || !cJSON_IsArray(list))
        s = xc_fail(XC_ERR_MODEL, "%s: not a crosscheck layer-precision file (want {\"format\": \"%s\", \"fp32\": [...]})", path,
                    FORMAT);
    int count = cJSON_GetArraySize(list);
    if (s == XC_OK && !(*names = calloc(count + 1, sizeof **names))) s = xc_fail(XC_ERR_NOMEM, "out of memory");
    cJSON_ArrayForEach(it, list)
    {
        if (s != XC_OK) break;
        if (!cJSON_IsString(it) || !it->valuestring[0])
            s = xc_fail(XC_ERR_MODEL, "%s: entry %d of \"fp32\" is not a layer name", path, *n);
        else if (!((*names)[*n] = strdup(it->valuestring)))
            s = xc_fail(XC_ERR_NOMEM, "out of memory");
        else
            (*n)++;
    }
    cJSON_Delete(root);
    if (s != XC_OK) {
        xc_layer_precision_free(*names, *n);
        *names = NULL;
        *n = 0;
    }
    return s;
}
