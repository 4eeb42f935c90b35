/* plan.c — the engine as a plan file (JSON) and back. A plan records the build options, every
 * layer (ONNX nodes covered, tactic, precision, time, inputs and outputs), the memory plan, the
 * device and driver, crosscheck's version and the model's hash. Loading rebuilds the engine
 * from the model with the plan's options and every tactic pinned, so the engine run is exactly
 * the engine saved; a plan made for another device, driver, version or model is refused. */
#include "ocl/build.h"
#include "ocl/fault.h"
#include "ocl/profile_shapes.h"
#include "ocl/tactics_file.h"
#include "onnx_io.h"
#include "inputs.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static cJSON *names_json(const xc_engine *e, const int *ids, int n)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        if (ids[i] >= 0) cJSON_AddItemToArray(a, cJSON_CreateString(e->tensors[ids[i]].name));
    return a;
}

static cJSON *dims_json(int rank, const int64_t *d)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < rank; i++) cJSON_AddItemToArray(a, cJSON_CreateNumber((double)d[i]));
    return a;
}

/* Each profile's ranges and, past profile 0 (the engine's own layers), its opt tactics. */
static void describe_profiles(const xc_engine *e, cJSON *root)
{
    const xc_profile_set *s = xc_engine_profiles(e);
    if (!s) return;
    cJSON *all = cJSON_AddArrayToObject(root, "profiles");
    for (int p = 0; p < s->n; p++) {
        cJSON *o = cJSON_CreateObject(), *in = cJSON_AddArrayToObject(o, "inputs");
        for (int i = 0; i < s->p[p].n; i++) {
            const xc_profile_input *x = &s->p[p].in[i];
            cJSON *j = cJSON_CreateObject();
            cJSON_AddStringToObject(j, "name", x->name);
            cJSON_AddItemToObject(j, "min", dims_json(x->rank, x->min));
            cJSON_AddItemToObject(j, "opt", dims_json(x->rank, x->opt));
            cJSON_AddItemToObject(j, "max", dims_json(x->rank, x->max));
            cJSON_AddItemToArray(in, j);
        }
        const xc_engine *E = xc_profile_opt_engine(e, p);
        if (p > 0 && E) {
            cJSON *t = cJSON_AddObjectToObject(o, "tactics");
            for (int l = 0; l < E->n_layers; l++)
                if (!E->layers[l].dead) cJSON_AddStringToObject(t, E->layers[l].name, E->layers[l].variant);
        }
        cJSON_AddItemToArray(all, o);
    }
}

cJSON *xc_engine_describe(const xc_engine *e)
{
    char dev[1100];
    cJSON *root = cJSON_CreateObject(), *layers, *opts;
    cJSON_AddStringToObject(root, "format", "crosscheck-plan-1");
    cJSON_AddStringToObject(root, "crosscheck_version", XC_VERSION);
    cJSON_AddStringToObject(root, "device", xc_ocl_device_key(e->dev, dev, sizeof dev));
    cJSON_AddStringToObject(root, "model", e->model->path ? e->model->path : "");
    cJSON_AddStringToObject(root, "model_hash", e->model_hash);
    opts = cJSON_AddObjectToObject(root, "options");
    cJSON_AddBoolToObject(opts, "fp16", e->opt.fp16);
    cJSON_AddBoolToObject(opts, "fp16_math", e->opt.fp16_math);
    cJSON_AddBoolToObject(opts, "fp16_accumulate", e->opt.fp16_acc);
    cJSON_AddStringToObject(opts, "half_format", xc_half_format_get(e->opt.half_format)->name); /* what "fp16" stores */
    cJSON_AddBoolToObject(opts, "no_fusion", e->opt.no_fusion);
    cJSON_AddBoolToObject(opts, "no_tf32", e->opt.no_tf32);
    cJSON_AddBoolToObject(opts, "fallback_cpu", e->opt.fallback_cpu);
    cJSON_AddBoolToObject(opts, "int8", e->opt.int8);
    if (e->opt.calibrator_entropy) cJSON_AddStringToObject(opts, "calibrator", "entropy");
    if (e->opt.calibration_data) cJSON_AddStringToObject(opts, "calibration_data", e->opt.calibration_data);
    if (e->opt.calibration_cache) cJSON_AddStringToObject(opts, "calibration_cache", e->opt.calibration_cache);
    cJSON_AddNumberToObject(opts, "queues", e->opt.queues < 1 ? 1 : e->opt.queues);
    cJSON *dis = cJSON_AddArrayToObject(opts, "disabled_passes"), *fp32 = cJSON_AddArrayToObject(opts, "fp32_layers");
    for (int i = 0; i < e->opt.disabled.n; i++) cJSON_AddItemToArray(dis, cJSON_CreateString(e->opt.disabled.v[i]));
    for (int i = 0; i < e->opt.fp32_layers.n; i++) cJSON_AddItemToArray(fp32, cJSON_CreateString(e->opt.fp32_layers.v[i]));
    cJSON *fp16 = cJSON_AddArrayToObject(opts, "fp16_layers"), *int8 = cJSON_AddArrayToObject(opts, "int8_layers");
    for (int i = 0; i < e->opt.fp16_layers.n; i++) cJSON_AddItemToArray(fp16, cJSON_CreateString(e->opt.fp16_layers.v[i]));
    for (int i = 0; i < e->opt.int8_layers.n; i++) cJSON_AddItemToArray(int8, cJSON_CreateString(e->opt.int8_layers.v[i]));
    cJSON *bf16 = cJSON_AddArrayToObject(opts, "bf16_layers");
    for (int i = 0; i < e->opt.bf16_layers.n; i++) cJSON_AddItemToArray(bf16, cJSON_CreateString(e->opt.bf16_layers.v[i]));
    cJSON *nofuse = cJSON_AddArrayToObject(opts, "no_fuse_nodes");
    for (int i = 0; i < e->opt.no_fuse_nodes.n; i++) cJSON_AddItemToArray(nofuse, cJSON_CreateString(e->opt.no_fuse_nodes.v[i]));
    if (e->faults) { /* announced wherever the engine is described; a plan never re-arms them */
        cJSON *faults = cJSON_AddArrayToObject(root, "fault_injection");
        for (int i = 0; i < e->faults->n; i++) cJSON_AddItemToArray(faults, cJSON_CreateString(e->faults->faults[i].spec));
    }
    cJSON *shapes = cJSON_AddArrayToObject(opts, "input_shapes");
    for (int t = 0; t < e->n_tensors; t++) {
        if (e->tensors[t].graph_input < 0) continue;
        char s[256];
        xc_dims_str(e->tensors[t].rank, e->tensors[t].dims, s, sizeof s);
        char item[600];
        snprintf(item, sizeof item, "%s:%s", e->tensors[t].name, s);
        cJSON_AddItemToArray(shapes, cJSON_CreateString(item));
    }
    describe_profiles(e, root);
    cJSON_AddNumberToObject(root, "timed_layers", e->n_timed);
    cJSON *mem = cJSON_AddObjectToObject(root, "memory");
    cJSON_AddNumberToObject(mem, "planned_bytes", (double)e->planned_bytes);
    cJSON_AddNumberToObject(mem, "activation_bytes", (double)e->activation_bytes);
    cJSON_AddNumberToObject(mem, "slots", e->n_slots);
    cJSON_AddNumberToObject(mem, "weight_bytes", (double)e->weight_bytes);
    layers = cJSON_AddArrayToObject(root, "layers");
    for (int l = 0; l < e->n_layers; l++) {
        const xc_layer *L = &e->layers[l];
        if (L->dead) continue;
        cJSON *o = cJSON_CreateObject(), *nodes = cJSON_CreateArray();
        cJSON_AddStringToObject(o, "name", L->name);
        cJSON_AddStringToObject(o, "kind", L->kind->name);
        for (int k = 0; k < L->n_nodes; k++) {
            const xc_node *n = &e->model->graph->nodes[L->nodes[k]];
            cJSON_AddItemToArray(nodes, cJSON_CreateString(n->name[0] ? n->name : n->outputs[0]));
        }
        cJSON_AddItemToObject(o, "nodes", nodes);
        cJSON_AddStringToObject(o, "tactic", L->variant);
        cJSON_AddStringToObject(o, "defines", L->defines ? L->defines : "");
        cJSON_AddStringToObject(o, "precision", xc_layer_precision_name(L));
        if (L->fusion) cJSON_AddStringToObject(o, "fusion", L->fusion);
        char fault[1024];
        if (xc_fault_on_layer(e, l, fault, sizeof fault)[0]) cJSON_AddStringToObject(o, "fault", fault);
        cJSON_AddNumberToObject(o, "time_ms", L->time_ms);
        cJSON_AddItemToObject(o, "inputs", names_json(e, L->in, L->n_in));
        cJSON_AddItemToObject(o, "outputs", names_json(e, L->out, L->n_out));
        cJSON_AddItemToArray(layers, o);
    }
    return root;
}

/* The model as the plan names it: relative to the plan's folder when it lies inside it (what
 * `bench PLAN` loads); a model elsewhere is recorded as given, and bench then asks for it. */
static void name_model_relative(cJSON *root, const char *plan, const char *model)
{
    char *dir = strdup(plan), *pdir = NULL, *mreal = model ? realpath(model, NULL) : NULL;
    if (dir && mreal) pdir = realpath(dirname(dir), NULL);
    size_t n = pdir ? strlen(pdir) : 0;
    if (pdir && !strncmp(mreal, pdir, n) && mreal[n] == '/')
        cJSON_ReplaceItemInObject(root, "model", cJSON_CreateString(mreal + n + 1));
    free(dir);
    free(pdir);
    free(mreal);
}

xc_status xc_ocl_plan_save(const xc_engine *e, const char *path)
{
    cJSON *root = xc_engine_describe(e);
    name_model_relative(root, path, e->model->path);
    char *text = cJSON_Print(root);
    xc_status s = text ? xc_write_file(path, text, strlen(text)) : xc_fail(XC_ERR_NOMEM, "out of memory");
    cJSON_free(text);
    cJSON_Delete(root);
    return s;
}

static const char *str_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static xc_status dims_of(const cJSON *a, const char *what, int *rank, int64_t *d)
{
    const cJSON *it;
    int n = 0;
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) > XC_MAX_RANK)
        return xc_fail(XC_ERR_MODEL, "profile input '%s': bad dims", what);
    cJSON_ArrayForEach(it, a)
    {
        if (!cJSON_IsNumber(it) || it->valuedouble < 0) return xc_fail(XC_ERR_MODEL, "profile input '%s': bad dims", what);
        d[n++] = (int64_t)it->valuedouble;
    }
    if (*rank >= 0 && *rank != n) return xc_fail(XC_ERR_MODEL, "profile input '%s': min, opt and max differ in rank", what);
    *rank = n;
    return XC_OK;
}

/* The plan's profiles (and past profile 0 their opt tactics) into h->profiles. */
static xc_status plan_profiles(xc_ocl_plan_header *h)
{
    const cJSON *all = cJSON_GetObjectItem(h->root, "profiles"), *p, *in, *t;
    if (!cJSON_IsArray(all) || !cJSON_GetArraySize(all)) return XC_OK;
    if (!(h->profiles = calloc(1, sizeof *h->profiles))) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_profile_set *s = h->profiles;
    cJSON_ArrayForEach(p, all)
    {
        xc_profile *q = realloc(s->p, sizeof *q * (size_t)(s->n + 1));
        if (!q) return xc_fail(XC_ERR_NOMEM, "out of memory");
        s->p = q;
        q = &s->p[s->n++];
        memset(q, 0, sizeof *q);
        cJSON_ArrayForEach(in, cJSON_GetObjectItem(p, "inputs"))
        {
            xc_profile_input x = {.rank = -1};
            const char *name = str_of(in, "name");
            XC_TRY(dims_of(cJSON_GetObjectItem(in, "min"), name, &x.rank, x.min));
            XC_TRY(dims_of(cJSON_GetObjectItem(in, "opt"), name, &x.rank, x.opt));
            XC_TRY(dims_of(cJSON_GetObjectItem(in, "max"), name, &x.rank, x.max));
            xc_profile_input *grown = realloc(q->in, sizeof *grown * (size_t)(q->n + 1));
            if (!grown || !(x.name = strdup(name))) {
                if (grown) q->in = grown;
                return xc_fail(XC_ERR_NOMEM, "out of memory");
            }
            q->in = grown;
            q->in[q->n++] = x;
        }
        const cJSON *tactics = cJSON_GetObjectItem(p, "tactics");
        if (!cJSON_IsObject(tactics)) continue;
        if (!(q->pins = xc_tactics_new())) return xc_fail(XC_ERR_NOMEM, "out of memory");
        cJSON_ArrayForEach(t, tactics) if (cJSON_IsString(t)) XC_TRY(xc_tactics_set(q->pins, t->string, t->valuestring, 0));
    }
    h->opt.profiles = s;
    return XC_OK;
}

/* Copies the plan's build options into h->opt (strings borrowed from the parsed plan). */
/* options.KEY's names replace list's (h->opt owns its lists). */
static xc_status name_list(const cJSON *opts, const char *key, xc_name_list *list)
{
    cJSON *it;
    xc_name_list_free(list);
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(opts, key))
    {
        if (cJSON_IsString(it)) XC_TRY(xc_name_list_add(list, it->valuestring));
    }
    return XC_OK;
}

static xc_status plan_options(xc_ocl_plan_header *h)
{
    const cJSON *opts = cJSON_GetObjectItem(h->root, "options"), *it;
    xc_ocl_build_options *o = &h->opt;
    o->fp16 = cJSON_IsTrue(cJSON_GetObjectItem(opts, "fp16"));
    /* plans from before fp16 math have no such field: their engines stored half only */
    o->fp16_math = cJSON_IsTrue(cJSON_GetObjectItem(opts, "fp16_math"));
    o->fp16_acc = cJSON_IsTrue(cJSON_GetObjectItem(opts, "fp16_accumulate"));
    /* plans from before bf16 have no half_format: their 16-bit layers are IEEE half */
    o->half_format = !strcmp(str_of(opts, "half_format"), xc_half_format_get(XC_HALF_BF16)->name) ? XC_HALF_BF16 : XC_HALF_FP16;
    o->no_fusion = cJSON_IsTrue(cJSON_GetObjectItem(opts, "no_fusion"));
    o->no_tf32 = cJSON_IsTrue(cJSON_GetObjectItem(opts, "no_tf32"));
    o->fallback_cpu = cJSON_IsTrue(cJSON_GetObjectItem(opts, "fallback_cpu"));
    o->int8 = cJSON_IsTrue(cJSON_GetObjectItem(opts, "int8"));
    o->calibrator_entropy |= !strcmp(str_of(opts, "calibrator"), "entropy");
    if (!o->calibration_data && *str_of(opts, "calibration_data")) o->calibration_data = str_of(opts, "calibration_data");
    if (!o->calibration_cache && *str_of(opts, "calibration_cache")) o->calibration_cache = str_of(opts, "calibration_cache");
    if (o->queues < 1 && cJSON_IsNumber(cJSON_GetObjectItem(opts, "queues")))
        o->queues = cJSON_GetObjectItem(opts, "queues")->valueint;
    /* room for the plan's shapes and the given ones (xc_ocl_plan_parse adds those) */
    int n = cJSON_GetArraySize(cJSON_GetObjectItem(opts, "input_shapes"));
    h->shapes = calloc((size_t)(n + o->n_shapes) + 1, sizeof *h->shapes);
    h->shape_text = calloc((size_t)n + 1, sizeof *h->shape_text);
    if (!h->shapes || !h->shape_text) return xc_fail(XC_ERR_NOMEM, "out of memory");
    o->n_shapes = 0;
    XC_TRY(name_list(opts, "disabled_passes", &o->disabled));
    XC_TRY(name_list(opts, "fp32_layers", &o->fp32_layers));
    XC_TRY(name_list(opts, "fp16_layers", &o->fp16_layers));
    XC_TRY(name_list(opts, "int8_layers", &o->int8_layers));
    XC_TRY(name_list(opts, "bf16_layers", &o->bf16_layers));
    XC_TRY(name_list(opts, "no_fuse_nodes", &o->no_fuse_nodes));
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(opts, "input_shapes"))
    {
        if (!cJSON_IsString(it)) continue;
        if (!(h->shape_text[h->n_text] = strdup(it->valuestring))) return xc_fail(XC_ERR_NOMEM, "out of memory");
        XC_TRY(xc_parse_input_shape(h->shape_text[h->n_text++], &h->shapes[o->n_shapes]));
        o->n_shapes++;
    }
    o->shapes = h->shapes;
    return plan_profiles(h);
}

xc_status xc_ocl_plan_parse(const char *path, const void *buf, size_t len, const xc_ocl_build_options *given,
                            xc_ocl_plan_header *h)
{
    memset(h, 0, sizeof *h);
    h->opt = *given;
    xc_status s = xc_ocl_options_own(&h->opt);                                /* the plan's lists replace some of given's */
    h->root = s == XC_OK ? cJSON_ParseWithLength(len ? buf : "", len) : NULL; /* an empty file maps to no address */
    if (s == XC_OK && !h->root) s = xc_fail(XC_ERR_MODEL, "%s: not valid JSON", path);
    if (s != XC_OK) {
        xc_ocl_options_free(&h->opt);
        return s;
    }
    s = plan_options(h);
    for (int i = 0; s == XC_OK && h->profiles && i < given->n_shapes; i++) {
        /* a profiled plan runs (bench) at the --input-shapes given inside its ranges */
        int profiled = 0;
        for (int k = 0; k < h->profiles->p[0].n; k++) profiled |= !strcmp(h->profiles->p[0].in[k].name, given->shapes[i].name);
        if (profiled) h->shapes[h->opt.n_shapes++] = given->shapes[i];
    }
    if (s != XC_OK) {
        xc_ocl_plan_header_free(h);
        return xc_error_prefix(s, "%s: ", path);
    }
    return XC_OK;
}

void xc_ocl_plan_header_free(xc_ocl_plan_header *h)
{
    for (int i = 0; i < h->n_text; i++) free(h->shape_text[i]);
    free(h->shape_text);
    free(h->shapes);
    if (h->profiles) xc_profile_set_free(h->profiles);
    free(h->profiles);
    cJSON_Delete(h->root);
    xc_ocl_options_free(&h->opt);
    memset(h, 0, sizeof *h);
}

static xc_status check_plan(const cJSON *root, const char *path, const xc_engine *probe, int same_model)
{
    char dev[1100];
    if (strcmp(str_of(root, "format"), "crosscheck-plan-1")) return xc_fail(XC_ERR_MODEL, "%s: not a crosscheck plan", path);
    if (strcmp(str_of(root, "crosscheck_version"), XC_VERSION))
        return xc_fail(XC_ERR_USAGE, "%s: made by crosscheck %s, this is %s: rebuild the plan", path,
                       str_of(root, "crosscheck_version"), XC_VERSION);
    if (strcmp(str_of(root, "device"), xc_ocl_device_key(probe->dev, dev, sizeof dev)))
        return xc_fail(XC_ERR_USAGE, "%s: built for device '%s', this is '%s': rebuild the plan", path, str_of(root, "device"),
                       dev);
    if (same_model && strcmp(str_of(root, "model_hash"), probe->model_hash))
        return xc_fail(XC_ERR_USAGE, "%s: built from another model (hash %s, this model %s)", path, str_of(root, "model_hash"),
                       probe->model_hash);
    return XC_OK;
}

/* The engine's options borrowed strings from the plan's JSON, freed with its header: point
 * disabled pass names at the passes' own (static) names, and drop the calibration paths the
 * plan gave (they served the build; `inspect engine --plan` printed freed memory before). */
/* Points *name at a copy that e owns instead of the plan's string. */
static xc_status own_name(xc_engine *e, const char **name)
{
    char **grown = realloc(e->opt_names, sizeof *grown * (size_t)(e->n_opt_names + 1)), *copy = strdup(*name);
    if (grown) e->opt_names = grown;
    if (!grown || !copy) {
        free(copy);
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    *name = e->opt_names[e->n_opt_names++] = copy;
    return XC_OK;
}

static xc_status unborrow(xc_engine *e, const xc_ocl_build_options *given)
{
    for (int i = 0; i < e->opt.disabled.n; i++)
        for (int p = 0; xc_ocl_pass_name(p); p++)
            if (!strcmp(xc_ocl_pass_name(p), e->opt.disabled.v[i])) e->opt.disabled.v[i] = xc_ocl_pass_name(p);
    if (e->opt.calibration_data != given->calibration_data) e->opt.calibration_data = NULL;
    if (e->opt.calibration_cache != given->calibration_cache) e->opt.calibration_cache = NULL;
    XC_TRY(xc_engine_own_constraints(e)); /* --layer-precision names: the model's node names */
    /* --no-fuse-node names: the engine's own copies, so describing or refitting the engine
     * later reads no freed memory */
    for (int i = 0; i < e->opt.no_fuse_nodes.n; i++) XC_TRY(own_name(e, &e->opt.no_fuse_nodes.v[i]));
    return XC_OK;
}

xc_status xc_ocl_plan_read(const char *path, const xc_ocl_build_options *given, xc_ocl_plan_header *h)
{
    xc_mapping *map;
    memset(h, 0, sizeof *h);
    XC_TRY(xc_read_file(path, &map));
    xc_status s = xc_ocl_plan_parse(path, map->addr, map->len, given, h);
    xc_mapping_release(map);
    return s;
}

xc_status xc_ocl_plan_build(const xc_model *m, const char *path, xc_ocl_plan_header *h, int same_model, xc_engine **out)
{
    *out = NULL;
    xc_engine *probe = NULL;
    xc_status s = xc_engine_probe(m, &h->opt, &probe); /* device and model hash, nothing built */
    if (s == XC_OK) s = check_plan(h->root, path, probe, same_model);
    xc_engine_free(probe);
    h->opt.load_tactics = path;
    h->opt.timing_cache = h->opt.save_tactics = NULL;
    return s == XC_OK ? xc_ocl_build(m, &h->opt, out) : s;
}

xc_status xc_ocl_plan_load(const xc_model *m, const char *path, const xc_ocl_build_options *given, xc_engine **out)
{
    *out = NULL;
    xc_ocl_plan_header h;
    XC_TRY(xc_ocl_plan_read(path, given, &h));
    xc_status s = xc_ocl_plan_build(m, path, &h, 1, out);
    if (s == XC_OK) s = unborrow(*out, given);
    if (s != XC_OK) xc_engine_free(*out), *out = NULL;
    xc_ocl_plan_header_free(&h);
    return s;
}
