/* refit.c — new weights for a built engine (as TensorRT's refitter): a model of the same
 * structure replaces the weights of a plan (xc_ocl_plan_refit, `crosscheck refit`) or of an
 * engine in memory (xc_engine_refit), without re-timing.
 *
 * Everything an engine derives from weights happens while it is built: constant folding on the
 * reference, BatchNorm folded into conv, Winograd-transformed and packed filters, int8 weights
 * and their per-channel scales, half copies. So a refit is a build of the new model with every
 * layer's tactic pinned from the old engine (the replay mechanism plans use): nothing is timed,
 * every derived weight is derived again by the code that derived it the first time, and the
 * result is bit-identical to a fresh build of the new model with the same tactics. What makes
 * it a refit rather than a rebuild is the check around it: the new model must have the old
 * one's structure (refit_structure.c), and the engine built must have the old one's layers,
 * tactics, precisions and memory plan (weights that change the structure, e.g. a Reshape's
 * shape, are refused) — otherwise nothing is replaced and nothing is written. */
#include "ocl/refit.h"
#include "ocl/build.h"
#include "ocl/runtime.h"
#include "ocl/tactics_file.h"
#include "file_io.h"
#include "onnx_io.h"
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

/* ---- the engine built must be the engine refit ---- */

static const char *json_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static xc_status same_layer(const cJSON *a, const cJSON *b)
{
    static const char *const fields[] = {"name", "kind", "tactic", "precision", "fusion", "inputs", "outputs", NULL};
    for (int f = 0; fields[f]; f++) {
        const cJSON *x = cJSON_GetObjectItem(a, fields[f]), *y = cJSON_GetObjectItem(b, fields[f]);
        if (!x && !y) continue;
        if (!x || !y || !cJSON_Compare(x, y, 1))
            return xc_fail(XC_ERR_MODEL, "layer '%s': its %s would change with these weights (the engine has '%s' as %s)",
                           json_str(a, "name"), fields[f], json_str(a, "name"), json_str(a, "tactic"));
    }
    return XC_OK;
}

/* was and now are engine descriptions (xc_engine_describe, or a plan's JSON). */
static xc_status same_engine(const cJSON *was, const cJSON *now)
{
    const cJSON *la = cJSON_GetObjectItem(was, "layers"), *lb = cJSON_GetObjectItem(now, "layers");
    int n = cJSON_GetArraySize(la);
    for (int i = 0; i < n; i++) {
        const cJSON *b = cJSON_GetArrayItem(lb, i);
        if (!b)
            return xc_fail(XC_ERR_MODEL, "layer '%s' is not in the engine these weights build",
                           json_str(cJSON_GetArrayItem(la, i), "name"));
        XC_TRY(same_layer(cJSON_GetArrayItem(la, i), b));
    }
    if (cJSON_GetArraySize(lb) != n)
        return xc_fail(XC_ERR_MODEL, "layer '%s' is new in the engine these weights build",
                       json_str(cJSON_GetArrayItem(lb, n), "name"));
    static const char *const memory[] = {"planned_bytes", "activation_bytes", "slots", NULL};
    const cJSON *ma = cJSON_GetObjectItem(was, "memory"), *mb = cJSON_GetObjectItem(now, "memory");
    for (int f = 0; memory[f]; f++)
        if (!cJSON_Compare(cJSON_GetObjectItem(ma, memory[f]), cJSON_GetObjectItem(mb, memory[f]), 1))
            return xc_fail(XC_ERR_MODEL, "the memory plan would change with these weights (%s): tensor shapes depend on them",
                           memory[f]);
    return XC_OK;
}

/* Keeps the plan's measured times: the tactics are the ones they were measured for. */
static void keep_times(xc_engine *e, const cJSON *plan)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(plan, "layers"))
    {
        const cJSON *ms = cJSON_GetObjectItem(it, "time_ms");
        int l = xc_engine_layer_find(e, json_str(it, "name"));
        if (l >= 0 && cJSON_IsNumber(ms)) e->layers[l].time_ms = ms->valuedouble;
    }
}

static void summarize(const xc_engine *e, xc_refit_summary *sum)
{
    if (!sum) return;
    sum->layers = 0;
    for (int l = 0; l < e->n_layers; l++) sum->layers += !e->layers[l].dead;
    sum->weight_bytes = e->weight_bytes;
}

/* Tensors (names, dtypes, static shapes, storage) must match too: contexts made on an engine
 * keep their activation buffers, and a plan records no shapes but its inputs'. */
static xc_status same_tensors(const xc_engine *a, const xc_engine *b)
{
    if (a->n_tensors != b->n_tensors || a->n_layers != b->n_layers || a->n_slots != b->n_slots)
        return xc_fail(XC_ERR_MODEL, "the engine these weights build has other tensors or layers");
    for (int t = 0; t < a->n_tensors; t++) {
        const xc_etensor *x = &a->tensors[t], *y = &b->tensors[t];
        if (strcmp(x->name, y->name) || x->dtype != y->dtype || x->fp16 != y->fp16 || x->rank != y->rank
            || (x->rank > 0 && memcmp(x->dims, y->dims, sizeof *x->dims * (size_t)x->rank)))
            return xc_fail(XC_ERR_MODEL, "tensor '%s': its type or shape would change with these weights", x->name);
    }
    for (int k = 0; k < a->n_slots; k++)
        if (a->slot_bytes[k] != b->slot_bytes[k])
            return xc_fail(XC_ERR_MODEL, "the memory plan would change with these weights (slot %d)", k);
    return XC_OK;
}

/* ---- plans ---- */

/* Builds the plan's engine (was must be the model it was built from: its hash is checked) and
 * the engine of `now` with the plan's options and tactics, and checks they are the same engine
 * but for the weights. */
static xc_status refit_build(const char *plan, xc_ocl_plan_header *h, const xc_model *was, const xc_model *now, xc_engine **out)
{
    xc_engine *old = NULL, *e = NULL;
    xc_status s = xc_ocl_plan_build(was, plan, h, 1, &old); /* a plan pins every layer: none is timed */
    if (s == XC_OK) s = xc_ocl_plan_build(now, plan, h, 0, &e);
    cJSON *desc = s == XC_OK ? xc_engine_describe(e) : NULL;
    if (s == XC_OK) {
        s = desc ? same_engine(h->root, desc) : xc_fail(XC_ERR_NOMEM, "out of memory");
        if (s == XC_OK) s = same_tensors(old, e);
        if (s != XC_OK) xc_error_prefix(s, "%s: ", now->path ? now->path : "the new weights");
    }
    cJSON_Delete(desc);
    xc_engine_free(old);
    if (s != XC_OK) {
        xc_engine_free(e);
        return s;
    }
    keep_times(e, h->root);
    *out = e;
    return XC_OK;
}

xc_status xc_ocl_plan_refit(const char *plan, const char *model, const char *weights, const xc_ocl_build_options *given,
                            const char *out, xc_refit_summary *sum)
{
    xc_ocl_plan_header h;
    XC_TRY(xc_ocl_plan_read(plan, given, &h));
    char *was_path = NULL;
    xc_model *was = NULL, *now = NULL;
    xc_engine *e = NULL;
    xc_status s = model ? ((was_path = strdup(model)) ? XC_OK : xc_fail(XC_ERR_NOMEM, "out of memory"))
                        : xc_plan_model_path(plan, &was_path);
    if (s == XC_OK) s = xc_model_load(was_path, &was);
    if (s == XC_OK) s = xc_model_load(weights, &now);
    if (s == XC_OK) s = xc_refit_same_structure(was, now);
    if (s == XC_OK) s = refit_build(plan, &h, was, now, &e);
    if (s == XC_OK) s = xc_ocl_plan_save(e, out); /* a temporary file renamed over out */
    if (s == XC_OK) summarize(e, sum);
    xc_engine_free(e);
    xc_model_free(now);
    xc_model_free(was);
    free(was_path);
    xc_ocl_plan_header_free(&h);
    return s;
}

/* ---- an engine in memory ---- */

/* The engine's own tactics as a plan pins them (every layer, strictly). */
static xc_status own_tactics(const xc_engine *e, cJSON **desc, xc_tactics_file **out)
{
    *out = NULL;
    if (!(*desc = xc_engine_describe(e))) return xc_fail(XC_ERR_NOMEM, "out of memory");
    char *text = cJSON_PrintUnformatted(*desc);
    if (!text) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_status s = xc_tactics_parse("the engine refit", text, strlen(text), 0, out);
    cJSON_free(text);
    return s;
}

/* Swaps the contents of e and n, keeping with e its options (and the names they point to), the
 * device (n borrowed it) and the refit count. n then holds the old weights and its own options
 * (their lists are freed with it). */
static void take_contents(xc_engine *e, xc_engine *n)
{
    xc_ocl_build_options opt = e->opt, built = n->opt;
    int borrowed = e->dev_borrowed, refits = e->refits;
    xc_engine tmp = *e;
    *e = *n;
    *n = tmp;
    e->opt_names = n->opt_names, e->n_opt_names = n->n_opt_names; /* the new contents own none */
    n->opt_names = NULL, n->n_opt_names = 0;
    e->opt = opt;
    n->opt = built;
    e->dev_borrowed = borrowed;
    e->refits = refits + 1;
    n->dev_borrowed = 1;
}

/* The shapes e was built for, from its own input tensors (e->opt.shapes of an engine loaded from
 * a plan pointed into the plan's header, gone since): shapes has room for every tensor. */
static int own_shapes(const xc_engine *e, xc_input_shape *shapes)
{
    int n = 0;
    for (int t = 0; t < e->n_tensors; t++) {
        const xc_etensor *x = &e->tensors[t];
        if (x->graph_input < 0) continue;
        shapes[n].name = x->name;
        shapes[n].rank = x->rank;
        memcpy(shapes[n].dims, x->dims, sizeof shapes[n].dims);
        n++;
    }
    return n;
}

xc_status xc_engine_refit(xc_engine *e, const xc_model *m)
{
    if (!e || !m) return xc_fail(XC_ERR_USAGE, "xc_engine_refit: no engine or no model");
    if (e->profiles)
        return xc_fail(XC_ERR_UNSUPPORTED,
                       "xc_engine_refit: the engine has optimization profiles; refit its plan instead (crosscheck refit)");
    XC_TRY(xc_refit_same_structure(e->model, m));
    cJSON *was = NULL, *now = NULL;
    xc_tactics_file *pins = NULL;
    xc_engine *n = NULL;
    xc_status s = own_tactics(e, &was, &pins);
    xc_ocl_build_options o = e->opt;
    xc_input_shape *shapes = calloc((size_t)e->n_tensors + 1, sizeof *shapes);
    if (s == XC_OK && !shapes) s = xc_fail(XC_ERR_NOMEM, "out of memory");
    o.n_shapes = shapes ? own_shapes(e, shapes) : 0;
    o.shapes = shapes;
    o.shared_device = e->dev; /* the same OpenCL context: contexts made on e keep working */
    o.replay = pins;
    o.load_tactics = "the engine refit";
    o.timing_cache = o.save_tactics = NULL;
    o.weights_from = NULL;
    o.progress = XC_PROGRESS_OFF;
    if (s == XC_OK) s = xc_ocl_build(m, &o, &n);
    if (s == XC_OK) s = (now = xc_engine_describe(n)) ? same_engine(was, now) : xc_fail(XC_ERR_NOMEM, "out of memory");
    if (s == XC_OK) s = same_tensors(e, n);
    if (s == XC_OK) {
        for (int l = 0; l < n->n_layers; l++) n->layers[l].time_ms = e->layers[l].time_ms;
        take_contents(e, n);
    }
    xc_engine_free(n); /* the old contents after a refit, else the engine that did not fit */
    free(shapes);
    xc_tactics_free(pins);
    cJSON_Delete(was);
    cJSON_Delete(now);
    if (s != XC_OK) return xc_error_prefix(s, "%s: ", m->path ? m->path : "refit");
    return XC_OK;
}
