/* precision_file.c — per-layer precision files (see ocl.h): the precision each layer must run
 * in, as `debug precision` found it, in a form `build --layer-precision-file` reads back. JSON,
 * like the other files the engine writes:
 *   {"format": "crosscheck-layer-precision-2", "layers": {"conv1": "fp16", "fc": "fp32"}}
 * Files of format -1 ({"fp32": ["layer", ...]}, before int8 and fp16 constraints) still read:
 * each bare name as fp32. */
#include "ocl/ocl.h"
#include "onnx_io.h"
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#define FORMAT "crosscheck-layer-precision-2"
#define FORMAT_FP32 "crosscheck-layer-precision-1"

xc_status xc_layer_precision_save(const char *path, const char *const *names, const int *precs, int n)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "format", FORMAT);
    cJSON *layers = cJSON_AddObjectToObject(root, "layers");
    for (int i = 0; i < n; i++) {
        const char *word = xc_layer_prec_name(precs[i]);
        if (!word) {
            cJSON_Delete(root);
            return xc_fail(XC_ERR_USAGE, "%s: layer '%s' has no precision to write", path, names[i]);
        }
        cJSON_DeleteItemFromObjectCaseSensitive(layers, names[i]); /* one entry a name: the last says */
        cJSON_AddStringToObject(layers, names[i], word);
    }
    char *text = cJSON_Print(root);
    xc_status s = text ? xc_write_file(path, text, strlen(text)) : xc_fail(XC_ERR_NOMEM, "out of memory");
    cJSON_free(text);
    cJSON_Delete(root);
    return s;
}

void xc_layer_precision_free(char **names, int *precs, int n)
{
    for (int i = 0; names && i < n; i++) free(names[i]);
    free(names);
    free(precs);
}

/* One entry: name (non-empty) and its precision word, appended to the lists. */
static xc_status add(const char *path, const cJSON *name, const char *word, char **names, int *precs, int *n)
{
    if (!name || !cJSON_IsString(name) || !name->valuestring[0])
        return xc_fail(XC_ERR_MODEL, "%s: entry %d is not a layer name", path, *n + 1);
    int p = word ? xc_layer_prec_parse(word) : -1;
    if (p < 0)
        return xc_fail(XC_ERR_MODEL, "%s: layer '%s': precision '%s' is none of int8, fp16, bf16, fp32", path, name->valuestring,
                       word ? word : "(not a string)");
    if (!(names[*n] = strdup(name->valuestring))) return xc_fail(XC_ERR_NOMEM, "out of memory");
    precs[(*n)++] = p;
    return XC_OK;
}

static xc_status parse(const char *path, const cJSON *root, char **names, int *precs, int *n)
{
    const cJSON *format = cJSON_GetObjectItem(root, "format"), *it;
    const char *f = cJSON_IsString(format) ? format->valuestring : "";
    xc_status s = XC_OK;
    if (!strcmp(f, FORMAT_FP32) && cJSON_IsArray(cJSON_GetObjectItem(root, "fp32"))) {
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(root, "fp32")) if (s == XC_OK) s = add(path, it, "fp32", names, precs, n);
        return s;
    }
    if (strcmp(f, FORMAT) || !cJSON_IsObject(cJSON_GetObjectItem(root, "layers")))
        return xc_fail(XC_ERR_MODEL,
                       "%s: not a crosscheck layer-precision file (want {\"format\": \"%s\", \"layers\": {\"NAME\": "
                       "\"int8|fp16|bf16|fp32\", ...}})",
                       path, FORMAT);
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(root, "layers"))
    {
        if (s != XC_OK) break;
        cJSON name = {.type = cJSON_String, .valuestring = it->string};
        s = add(path, &name, cJSON_IsString(it) ? it->valuestring : NULL, names, precs, n);
    }
    return s;
}

xc_status xc_layer_precision_load(const char *path, char ***names, int **precs, int *n)
{
    *names = NULL;
    *precs = NULL;
    *n = 0;
    xc_mapping *m;
    XC_TRY(xc_read_file(path, &m));
    cJSON *root = cJSON_ParseWithLength(m->addr, m->len);
    xc_mapping_release(m);
    int count = cJSON_GetArraySize(cJSON_GetObjectItem(root, "layers")) + cJSON_GetArraySize(cJSON_GetObjectItem(root, "fp32"));
    xc_status s = XC_OK;
    if (!root)
        s = xc_fail(XC_ERR_MODEL, "%s: not valid JSON", path);
    else if (!(*names = calloc((size_t)count + 1, sizeof **names)) || !(*precs = calloc((size_t)count + 1, sizeof **precs)))
        s = xc_fail(XC_ERR_NOMEM, "out of memory");
    else
        s = parse(path, root, *names, *precs, n);
    cJSON_Delete(root);
    if (s != XC_OK) {
        xc_layer_precision_free(*names, *precs, *n);
        *names = NULL;
        *precs = NULL;
        *n = 0;
    }
    return s;
}
