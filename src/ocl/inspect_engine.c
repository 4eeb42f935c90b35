/* inspect_engine.c — the engine in the shape of TensorRT's engine inspector JSON (see
 * inspect_engine.h). The plan description (xc_engine_describe) is the base: its fields are
 * renamed to the inspector's CamelCase, and the name lists of each layer's inputs and outputs
 * are replaced by full tensor records, so both views come from one description. */
#include "ocl/inspect_engine.h"
#include "ocl/engine.h"
#include "graph_json.h"
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* "planned_bytes" -> "PlannedBytes". */
static void camel_key(const char *in, char *out, size_t len)
{
    size_t o = 0;
    for (int up = 1; *in && o + 1 < len; in++) {
        if (*in == '_') {
            up = 1;
            continue;
        }
        out[o++] = up ? (char)toupper((unsigned char)*in) : *in;
        up = 0;
    }
    out[o] = 0;
}

/* Renames o's keys (recursively through objects) to CamelCase. */
static void camel_object(cJSON *o)
{
    int n = cJSON_GetArraySize(o);
    for (int i = 0; i < n; i++) {
        cJSON *item = cJSON_DetachItemFromArray(o, 0); /* rotate: detach the first, re-add at the end */
        char key[128];
        camel_key(item->string, key, sizeof key);
        if (cJSON_IsObject(item)) camel_object(item);
        cJSON_AddItemToObject(o, key, item);
    }
}

/* Profiles: their inputs' keys too, but not the tactics' keys (layer names). */
static void camel_profiles(cJSON *root)
{
    cJSON *p, *in;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(root, "Profiles"))
    {
        cJSON *tactics = cJSON_DetachItemFromObjectCaseSensitive(p, "tactics");
        cJSON_ArrayForEach(in, cJSON_GetObjectItemCaseSensitive(p, "inputs")) camel_object(in);
        camel_object(p);
        if (tactics) cJSON_AddItemToObject(p, "Tactics", tactics);
    }
}

static void rename_key(cJSON *o, const char *from, const char *to)
{
    cJSON *item = cJSON_DetachItemFromObjectCaseSensitive(o, from);
    if (item) cJSON_AddItemToObject(o, to, item);
}

/* Puts the inspector's own fields first, in its order, so the JSON reads like TensorRT's. */
static void inspector_order(cJSON *o)
{
    static const char *const first[] = {"Name", "LayerType", "Inputs", "Outputs", "TacticName", "Metadata"};
    for (int k = (int)(sizeof first / sizeof *first) - 1; k >= 0; k--) {
        cJSON *item = cJSON_DetachItemFromObjectCaseSensitive(o, first[k]);
        if (item) cJSON_InsertItemInArray(o, 0, item);
    }
}

static const char *format_name(const xc_engine *e, const xc_etensor *t)
{
    if (t->fp16) return xc_half_format_get(e->opt.half_format)->trt_format;
    switch (t->dtype) {
    case XC_FLOAT: return "Row major linear FP32";
    case XC_FLOAT16: return "Row major linear FP16";
    case XC_INT64: return "Row major linear Int64";
    case XC_INT32: return "Row major linear Int32";
    case XC_INT8: return "Row major linear Int8";
    case XC_UINT8: return "Row major linear UInt8";
    case XC_BOOL: return "Row major linear Bool";
    default: return "Row major linear";
    }
}

/* How tensor id is named here: its ONNX name, a reformat's source and format, or "#id" for a
 * tensor a pass made (a stacked product's planes). */
static void display_name(const xc_engine *e, int id, int fp16, char *buf, size_t len)
{
    const xc_etensor *t = &e->tensors[id];
    if (t->name[0])
        snprintf(buf, len, "%s", t->name);
    else if (t->converted_from >= 0)
        snprintf(buf, len, "%s (%s)", e->tensors[t->converted_from].name,
                 fp16 ? xc_half_format_get(e->opt.half_format)->name : "fp32");
    else
        snprintf(buf, len, "#%d", id);
}

/* Tensor id as layer L reads or writes it. A float constant read by an fp16 layer is bound as
 * its half copy (xc_engine_const_weight), so that is the format shown. */
static cJSON *tensor_json(const xc_engine *e, const xc_layer *L, int id)
{
    xc_etensor as_read = e->tensors[id];
    const xc_etensor *t = &as_read;
    if (t->value && L->fp16 && !L->cpu && t->dtype == XC_FLOAT) as_read.fp16 = 1;
    cJSON *o = cJSON_CreateObject();
    char name[600], storage[700], alias[600];
    display_name(e, id, t->fp16, name, sizeof name);
    if (t->alias >= 0) display_name(e, t->alias, e->tensors[t->alias].fp16, alias, sizeof alias);
    if (t->value)
        snprintf(storage, sizeof storage, "constant");
    else if (t->alias >= 0
             && xc_et_numel(t) < xc_et_numel(&e->tensors[t->alias])) /* an in-place Concat input, a stacked product's part */
        snprintf(storage, sizeof storage,
                 t->alias_image ? "slice of %s at element %zu of each image" : "slice of %s at element %zu", alias,
                 t->alias_offset);
    else if (t->alias >= 0)
        snprintf(storage, sizeof storage, "view of %s", alias);
    else if (t->host)
        snprintf(storage, sizeof storage, "host (shape known at run time)");
    else
        snprintf(storage, sizeof storage, "slot %d", t->slot);
    cJSON_AddStringToObject(o, "Name", name);
    cJSON_AddStringToObject(o, "Location", "Device");
    cJSON_AddItemToObject(o, "Dimensions", xc_inspect_shape_json(t->rank, t->dims, NULL));
    cJSON_AddStringToObject(o, "Format/Datatype", format_name(e, t));
    cJSON_AddStringToObject(o, "Datatype", xc_dtype_name(t->dtype));
    cJSON_AddStringToObject(o, "Storage", storage);
    cJSON_AddNumberToObject(o, "Bytes", (double)xc_et_bytes(t));
    return o;
}

static cJSON *tensors_json(const xc_engine *e, const xc_layer *L, const int *ids, int n)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        if (ids[i] >= 0) cJSON_AddItemToArray(a, tensor_json(e, L, ids[i]));
    return a;
}

static const char *activation_name(xc_activation a)
{
    const xc_activation_def *d = xc_activation_get(a);
    return d ? d->label : "?";
}

static cJSON *sizes_json(int n, const size_t *v)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++) cJSON_AddItemToArray(a, cJSON_CreateNumber((double)v[i]));
    return a;
}

static cJSON *kernels_json(const xc_layer *L)
{
    cJSON *a = cJSON_CreateArray();
    for (int k = 0; k < L->n_launches; k++) {
        const xc_launch *K = &L->launches[k];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "Kernel", K->kernel);
        cJSON_AddItemToObject(o, "Global", sizes_json(K->dims, K->global));
        cJSON_AddItemToObject(o, "Local", K->has_local ? sizes_json(K->dims, K->local) : cJSON_CreateNull());
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

/* What the plan description lacks: full tensors, ONNX origin, parameters, epilogue, kernels. */
static void add_layer_details(const xc_engine *e, const xc_layer *L, cJSON *o)
{
    char meta[2048];
    size_t m = 0;
    meta[0] = 0;
    cJSON *ops = cJSON_CreateArray();
    for (int k = 0; k < L->n_nodes; k++) {
        const xc_node *n = &e->model->graph->nodes[L->nodes[k]];
        cJSON_AddItemToArray(ops, cJSON_CreateString(n->op_type));
        if (m < sizeof meta)
            m += (size_t)snprintf(meta + m, sizeof meta - m, "%s[ONNX Layer: %s]", k ? " " : "",
                                  n->name[0] ? n->name : n->outputs[0]);
    }
    cJSON_DeleteItemFromObjectCaseSensitive(o, "Inputs");
    cJSON_DeleteItemFromObjectCaseSensitive(o, "Outputs");
    cJSON_AddItemToObject(o, "Inputs", tensors_json(e, L, L->in, L->n_in));
    cJSON_AddItemToObject(o, "Outputs", tensors_json(e, L, L->out, L->n_out));
    cJSON_AddStringToObject(o, "Metadata", meta);
    cJSON_AddItemToObject(o, "Ops", ops);
    cJSON_AddItemToObject(o, "Parameters", L->node ? xc_inspect_attrs_json(L->node) : cJSON_CreateObject());
    cJSON_AddStringToObject(o, "Activation", activation_name(L->act));
    if (L->act != XC_ACT_NONE) {
        cJSON_AddNumberToObject(o, "Alpha", L->alpha);
        cJSON_AddNumberToObject(o, "Beta", L->beta);
    }
    cJSON_AddBoolToObject(o, "HasResidual", L->residual >= 0);
    cJSON_AddNumberToObject(o, "Workspace", (double)L->workspace);
    cJSON_AddItemToObject(o, "Kernels", kernels_json(L));
}

static void add_profile(const xc_layer *L, const xc_bench_result *p, cJSON *o)
{
    for (int i = 0; p && i < p->n_layers; i++) {
        if (p->layers[i].name != L->name) continue; /* borrowed from this very layer */
        cJSON *t = cJSON_AddObjectToObject(o, "Profile");
        cJSON_AddNumberToObject(t, "AverageMs", p->layers[i].mean_ms);
        cJSON_AddNumberToObject(t, "MedianMs", p->layers[i].median_ms);
        cJSON_AddNumberToObject(t, "Percent", p->layers[i].percent);
    }
}

static cJSON *bindings_json(const xc_engine *e)
{
    cJSON *a = cJSON_CreateArray();
    for (int pass = 0; pass < 2; pass++) /* inputs in their order, then outputs in theirs */
        for (int idx = 0;; idx++) {
            int found = 0;
            for (int t = 0; t < e->n_tensors && !found; t++) {
                if ((pass ? e->tensors[t].graph_output : e->tensors[t].graph_input) != idx) continue;
                cJSON_AddItemToArray(a, cJSON_CreateString(e->tensors[t].name));
                found = 1;
            }
            if (!found) break;
        }
    return a;
}

cJSON *xc_inspect_engine(const xc_engine *e, const xc_bench_result *profile)
{
    cJSON *root = xc_engine_describe(e);
    cJSON *layers = cJSON_DetachItemFromObjectCaseSensitive(root, "layers"), *o;
    camel_object(root);
    camel_profiles(root);
    rename_key(root, "CrosscheckVersion", "Version");
    cJSON *mem = cJSON_GetObjectItemCaseSensitive(root, "Memory");
    cJSON_AddItemToObject(mem, "SlotBytes", sizes_json(e->n_slots, e->slot_bytes));
    cJSON_AddStringToObject(root, "DeviceName", e->dev->name);
    cJSON_AddStringToObject(root, "Platform", e->dev->platform_name);
    cJSON_AddStringToObject(root, "Driver", e->dev->driver);
    cJSON_AddStringToObject(root, "DeviceVersion", e->dev->version);
    int l = 0;
    cJSON_ArrayForEach(o, layers)
    { /* describe lists the live layers in engine order */
        while (e->layers[l].dead) l++;
        camel_object(o);
        rename_key(o, "Kind", "LayerType");
        rename_key(o, "Tactic", "TacticName");
        rename_key(o, "TimeMs", "TacticTimeMs");
        add_layer_details(e, &e->layers[l], o);
        add_profile(&e->layers[l], profile, o);
        inspector_order(o);
        l++;
    }
    cJSON_AddItemToObject(root, "Layers", layers);
    cJSON_AddItemToObject(root, "Bindings", bindings_json(e));
    if (profile && profile->profiled_iterations) {
        cJSON *p = cJSON_AddObjectToObject(root, "Profile");
        cJSON_AddNumberToObject(p, "Iterations", profile->profiled_iterations);
        cJSON_AddNumberToObject(p, "TotalMs", profile->layers_total_ms);
    }
    return root;
}
