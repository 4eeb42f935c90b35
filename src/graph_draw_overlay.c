/* graph_draw_overlay.c — reads a per-layer comparison file (what `run --per-layer --json`
 * writes: "format": "crosscheck-per-layer-1", at the root or under "per_layer") into an
 * xc_overlay. The file drives colours a user will trust, so it is checked strictly: a missing
 * or mistyped field is an error naming the file and the layer, never a silently grey node. */
#include "graph_draw.h"
#include "onnx_io.h"
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FORMAT "crosscheck-per-layer-1"

void xc_overlay_free(xc_overlay *o)
{
    if (!o) return;
    for (int i = 0; i < o->n_layers; i++) {
        xc_overlay_layer *l = &o->layers[i];
        for (int k = 0; k < l->n_nodes; k++) free(l->nodes[k]);
        free(l->nodes);
        free(l->name);
        free(l->tactic);
        free(l->precision);
    }
    for (int i = 0; i < o->n_tensors; i++) free(o->tensors[i].name);
    free(o->layers);
    free(o->tensors);
    free(o->mode);
    free(o->path);
    free(o);
}

static char *dup_string(const cJSON *v) { return cJSON_IsString(v) ? strdup(v->valuestring) : NULL; }

static double number_or_nan(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(obj, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static xc_status load_tensors(xc_overlay *o, const cJSON *tensors, xc_overlay_layer *l)
{
    const cJSON *t;
    cJSON_ArrayForEach(t, tensors)
    {
        const cJSON *name = cJSON_GetObjectItem(t, "name"), *passed = cJSON_GetObjectItem(t, "passed");
        if (!cJSON_IsString(name) || !cJSON_IsBool(passed))
            return xc_fail(XC_ERR_MODEL, "%s: layer '%s': each tensor needs a string \"name\" and a boolean \"passed\"", o->path,
                           l->name);
        xc_overlay_tensor *ot = &o->tensors[o->n_tensors];
        ot->name = strdup(name->valuestring);
        if (!ot->name) return xc_fail(XC_ERR_NOMEM, "out of memory");
        o->n_tensors++;
        ot->passed = cJSON_IsTrue(passed);
        ot->max_abs = number_or_nan(t, "max_abs");
    }
    return XC_OK;
}

static xc_status load_layer(xc_overlay *o, const cJSON *j, int index)
{
    xc_overlay_layer *l = &o->layers[index];
    const cJSON *name = cJSON_GetObjectItem(j, "layer"), *nodes = cJSON_GetObjectItem(j, "nodes");
    const cJSON *verdict = cJSON_GetObjectItem(j, "verdict"), *tensors = cJSON_GetObjectItem(j, "tensors");
    if (!cJSON_IsString(name)) return xc_fail(XC_ERR_MODEL, "%s: layers[%d] has no string \"layer\"", o->path, index);
    l->name = strdup(name->valuestring);
    if (!l->name) return xc_fail(XC_ERR_NOMEM, "out of memory");
    o->n_layers = index + 1;
    if (!cJSON_IsArray(nodes)) return xc_fail(XC_ERR_MODEL, "%s: layer '%s' has no \"nodes\" list", o->path, l->name);
    static const char *const verdicts[] = {"pass", "near", "fail"};
    for (int v = 0; v < 3 && cJSON_IsString(verdict); v++)
        if (!strcmp(verdict->valuestring, verdicts[v])) l->verdict = (xc_overlay_verdict)(XC_OVERLAY_PASS + v);
    if (l->verdict == XC_OVERLAY_NO_DATA)
        return xc_fail(XC_ERR_MODEL, "%s: layer '%s': \"verdict\" must be \"pass\", \"near\" or \"fail\"", o->path, l->name);
    l->nodes = calloc((size_t)cJSON_GetArraySize(nodes) + 1, sizeof *l->nodes);
    if (!l->nodes) return xc_fail(XC_ERR_NOMEM, "out of memory");
    const cJSON *n;
    cJSON_ArrayForEach(n, nodes)
    {
        if (!cJSON_IsString(n)) return xc_fail(XC_ERR_MODEL, "%s: layer '%s': \"nodes\" must hold strings", o->path, l->name);
        if (!(l->nodes[l->n_nodes++] = strdup(n->valuestring))) return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    l->max_abs = number_or_nan(j, "max_abs");
    l->max_rel = number_or_nan(j, "max_rel");
    l->tactic = dup_string(cJSON_GetObjectItem(j, "tactic"));
    l->precision = dup_string(cJSON_GetObjectItem(j, "precision"));
    if (tensors && !cJSON_IsArray(tensors))
        return xc_fail(XC_ERR_MODEL, "%s: layer '%s': \"tensors\" must be a list", o->path, l->name);
    return load_tensors(o, tensors, l);
}

/* The per-layer object: the root itself, or its "per_layer" member (a `run --json` file). */
static const cJSON *per_layer_object(const cJSON *root)
{
    const cJSON *inner = cJSON_GetObjectItem(root, "per_layer");
    return cJSON_IsObject(inner) ? inner : root;
}

static xc_status load_root(xc_overlay *o, const cJSON *root)
{
    const cJSON *p = per_layer_object(root);
    const cJSON *format = cJSON_GetObjectItem(p, "format"), *layers = cJSON_GetObjectItem(p, "layers");
    if (!cJSON_IsString(format) || strcmp(format->valuestring, FORMAT))
        return xc_fail(XC_ERR_MODEL, "%s: not a per-layer results file (expected \"format\": \"%s\")", o->path, FORMAT);
    if (!cJSON_IsArray(layers)) return xc_fail(XC_ERR_MODEL, "%s: no \"layers\" list", o->path);
    o->mode = dup_string(cJSON_GetObjectItem(p, "mode"));
    int n = cJSON_GetArraySize(layers), n_tensors = 0;
    const cJSON *j;
    cJSON_ArrayForEach(j, layers) n_tensors += cJSON_GetArraySize(cJSON_GetObjectItem(j, "tensors"));
    o->layers = calloc((size_t)n + 1, sizeof *o->layers);
    o->tensors = calloc((size_t)n_tensors + 1, sizeof *o->tensors);
    if (!o->layers || !o->tensors) return xc_fail(XC_ERR_NOMEM, "out of memory");
    int index = 0;
    cJSON_ArrayForEach(j, layers)
    {
        if (!cJSON_IsObject(j)) return xc_fail(XC_ERR_MODEL, "%s: layers[%d] is not an object", o->path, index);
        XC_TRY(load_layer(o, j, index++));
    }
    const cJSON *first = cJSON_GetObjectItem(p, "first_divergence");
    o->first_divergence = -1;
    if (!first || cJSON_IsNull(first)) return XC_OK;
    if (!cJSON_IsString(first)) return xc_fail(XC_ERR_MODEL, "%s: \"first_divergence\" must be a layer name or null", o->path);
    for (int i = 0; i < o->n_layers && o->first_divergence < 0; i++)
        if (!strcmp(o->layers[i].name, first->valuestring)) o->first_divergence = i;
    if (o->first_divergence < 0)
        return xc_fail(XC_ERR_MODEL, "%s: \"first_divergence\" names '%s', which is not among its layers", o->path,
                       first->valuestring);
    return XC_OK;
}

xc_status xc_overlay_load(const char *path, xc_overlay **out)
{
    *out = NULL;
    xc_mapping *map;
    XC_TRY(xc_read_file(path, &map));
    cJSON *root = cJSON_ParseWithLength(map->addr, map->len);
    xc_mapping_release(map);
    if (!root) return xc_fail(XC_ERR_MODEL, "%s: not valid JSON", path);
    xc_overlay *o = calloc(1, sizeof *o);
    xc_status s = o && (o->path = strdup(path)) ? load_root(o, root) : xc_fail(XC_ERR_NOMEM, "out of memory");
    cJSON_Delete(root);
    if (s != XC_OK) {
        xc_overlay_free(o);
        return s;
    }
    *out = o;
    return XC_OK;
}
