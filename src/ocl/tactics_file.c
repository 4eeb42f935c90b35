/* tactics_file.c — replay files and the timing cache (see tactics_file.h). */
#include "ocl/tactics_file.h"
#include "file_io.h"
#include "onnx_io.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct xc_tactics_file {
    char prefix[1400]; /* device + version, for timing-cache keys */
    int n, cap;
    char **keys, **tactics;
    double *ms;
    int is_cache;
    int is_plan;
};

static xc_status add(xc_tactics_file *f, const char *key, const char *tactic, double ms)
{
    for (int i = 0; i < f->n; i++)
        if (!strcmp(f->keys[i], key)) {
            char *t = strdup(tactic);
            if (!t) return xc_fail(XC_ERR_NOMEM, "out of memory");
            free(f->tactics[i]);
            f->tactics[i] = t;
            f->ms[i] = ms;
            return XC_OK;
        }
    if (f->n == f->cap) {
        int cap = f->cap ? f->cap * 2 : 32;
        char **k = realloc(f->keys, sizeof *k * cap), **t = k ? realloc(f->tactics, sizeof *t * cap) : NULL;
        double *m = t ? realloc(f->ms, sizeof *m * cap) : NULL;
        if (k) f->keys = k;
        if (t) f->tactics = t;
        if (m) f->ms = m;
        if (!k || !t || !m) return xc_fail(XC_ERR_NOMEM, "out of memory");
        f->cap = cap;
    }
    f->keys[f->n] = strdup(key);
    f->tactics[f->n] = strdup(tactic);
    f->ms[f->n] = ms;
    if (!f->keys[f->n] || !f->tactics[f->n]) return xc_fail(XC_ERR_NOMEM, "out of memory");
    f->n++;
    return XC_OK;
}

void xc_tactics_free(xc_tactics_file *f)
{
    if (!f) return;
    for (int i = 0; i < f->n; i++) {
        free(f->keys[i]);
        free(f->tactics[i]);
    }
    free(f->keys);
    free(f->tactics);
    free(f->ms);
    free(f);
}

static xc_status parse(const char *path, const void *buf, size_t len, xc_tactics_file *f)
{
    cJSON *root = cJSON_ParseWithLength(buf, len); /* the file's length: no copy, no trailing NUL needed */
    if (!root) return xc_fail(XC_ERR_MODEL, "%s: not valid JSON", path);
    const cJSON *format = cJSON_GetObjectItem(root, "format");
    f->is_plan = cJSON_IsString(format) && !strcmp(format->valuestring, "crosscheck-plan-1");
    const cJSON *list = cJSON_GetObjectItem(root, f->is_cache ? "entries" : "layers"), *it;
    xc_status s = cJSON_IsArray(list)
                      ? XC_OK
                      : xc_fail(XC_ERR_MODEL, "%s: no \"%s\" list (not a crosscheck %s file)", path,
                                f->is_cache ? "entries" : "layers", f->is_cache ? "timing-cache" : "tactics or plan");
    cJSON_ArrayForEach(it, list)
    {
        if (s != XC_OK) break;
        const cJSON *k = cJSON_GetObjectItem(it, f->is_cache ? "key" : "name"), *t = cJSON_GetObjectItem(it, "tactic"),
                    *ms = cJSON_GetObjectItem(it, "ms");
        if (!cJSON_IsString(k) || !cJSON_IsString(t)) {
            s = xc_fail(XC_ERR_MODEL, "%s: an entry lacks \"%s\" or \"tactic\"", path, f->is_cache ? "key" : "name");
            break;
        }
        s = add(f, k->valuestring, t->valuestring, cJSON_IsNumber(ms) ? ms->valuedouble : 0);
    }
    cJSON_Delete(root);
    return s;
}

xc_tactics_file *xc_tactics_new(void) { return calloc(1, sizeof(xc_tactics_file)); }
static xc_status new_file(int is_cache, xc_tactics_file **out)
{
    *out = xc_tactics_new();
    if (!*out) return xc_fail(XC_ERR_NOMEM, "out of memory");
    (*out)->is_cache = is_cache;
    return XC_OK;
}

xc_status xc_tactics_parse(const char *path, const void *buf, size_t len, int is_cache, xc_tactics_file **out)
{
    XC_TRY(new_file(is_cache, out));
    /* an empty file maps to no address: parse "" rather than NULL */
    xc_status s = parse(path, len ? buf : "", len, *out);
    if (s != XC_OK) {
        xc_tactics_free(*out);
        *out = NULL;
    }
    return s;
}

xc_status xc_tactics_load(const char *path, const xc_engine *e, xc_tactics_file **out)
{
    xc_status s;
    *out = NULL;
    if (e && access(path, F_OK) != 0) {
        s = new_file(1, out); /* first build with this cache: an empty one */
    } else {
        xc_mapping *m;
        XC_TRY(xc_read_file(path, &m));
        s = xc_tactics_parse(path, m->addr, m->len, e != NULL, out);
        xc_mapping_release(m);
    }
    if (s == XC_OK && e) {
        char dev[1100];
        snprintf((*out)->prefix, sizeof(*out)->prefix, "%s | crosscheck %s | ", xc_ocl_device_key(e->dev, dev, sizeof dev),
                 XC_VERSION);
    }
    return s;
}

int xc_tactics_is_plan(const xc_tactics_file *f) { return f->is_plan; }
int xc_tactics_count(const xc_tactics_file *f) { return f->n; }
const char *xc_tactics_key(const xc_tactics_file *f, int i) { return f->keys[i]; }

const char *xc_tactics_lookup(const xc_tactics_file *f, const char *key)
{
    size_t pl = strlen(f->prefix);
    for (int i = 0; i < f->n; i++)
        if (!strncmp(f->keys[i], f->prefix, pl) && !strcmp(f->keys[i] + pl, key)) return f->tactics[i];
    return NULL;
}

double xc_tactics_lookup_ms(const xc_tactics_file *f, const char *key)
{
    size_t pl = strlen(f->prefix);
    for (int i = 0; f->is_cache && i < f->n; i++)
        if (!strncmp(f->keys[i], f->prefix, pl) && !strcmp(f->keys[i] + pl, key)) return f->ms[i];
    return 0;
}

int xc_tactics_entry(const xc_tactics_file *f, int i, const char **key, const char **tactic)
{
    if (i < 0 || i >= f->n) return 0;
    *key = f->keys[i];
    *tactic = f->tactics[i];
    return 1;
}

xc_status xc_tactics_set(xc_tactics_file *f, const char *key, const char *tactic, double ms)
{
    size_t len = strlen(f->prefix) + strlen(key) + 1;
    char *full = malloc(len);
    if (!full) return xc_fail(XC_ERR_NOMEM, "out of memory");
    snprintf(full, len, "%s%s", f->prefix, key);
    xc_status s = add(f, full, tactic, ms);
    free(full);
    return s;
}

/* update: the file may be one this process read (a timing cache is read, then rewritten) */
static xc_status write_json(cJSON *root, const char *path, int update)
{
    char *text = cJSON_Print(root);
    xc_status s = text ? xc_write_file_flags(path, text, strlen(text), update ? XC_OUT_REPLACE_INPUT : 0)
                       : xc_fail(XC_ERR_NOMEM, "out of memory");
    cJSON_free(text);
    cJSON_Delete(root);
    return s;
}

xc_status xc_tactics_save(const xc_tactics_file *f, const char *path)
{
    cJSON *root = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(root, f->is_cache ? "entries" : "layers");
    cJSON_AddStringToObject(root, "format", f->is_cache ? "crosscheck-timing-cache-1" : "crosscheck-tactics-1");
    for (int i = 0; i < f->n; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, f->is_cache ? "key" : "name", f->keys[i]);
        cJSON_AddStringToObject(e, "tactic", f->tactics[i]);
        if (f->is_cache) cJSON_AddNumberToObject(e, "ms", f->ms[i]);
        cJSON_AddItemToArray(list, e);
    }
    return write_json(root, path, f->is_cache);
}

xc_status xc_tactics_save_engine(const xc_engine *e, const char *path)
{
    cJSON *root = cJSON_CreateObject(), *list;
    cJSON_AddStringToObject(root, "format", "crosscheck-tactics-1");
    list = cJSON_AddArrayToObject(root, "layers");
    for (int l = 0; l < e->n_layers; l++) {
        const xc_layer *L = &e->layers[l];
        if (L->dead) continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", L->name);
        cJSON_AddStringToObject(o, "tactic", L->variant);
        cJSON_AddItemToArray(list, o);
    }
    return write_json(root, path, 0);
}

static void put_attr(const xc_attr *a, xc_text *t)
{
    xc_text_printf(t, "%s=", a->name);
    switch (a->type) {
    case XC_ATTR_INT: xc_text_printf(t, "%lld", (long long)a->i); break;
    case XC_ATTR_FLOAT: xc_text_printf(t, "%.9g", a->f); break;
    case XC_ATTR_STRING: xc_text_printf(t, "%s", a->s); break;
    case XC_ATTR_INTS:
        for (size_t i = 0; i < a->n; i++) xc_text_printf(t, "%lld,", (long long)a->ints[i]);
        break;
    case XC_ATTR_FLOATS:
        for (size_t i = 0; i < a->n; i++) xc_text_printf(t, "%.9g,", a->floats[i]);
        break;
    default: break;
    }
}

void xc_layer_signature(const xc_engine *e, const xc_layer *l, xc_text *t)
{
    const xc_activation_def *act = xc_activation_get(l->act);
    xc_text_printf(t, "%s|act=%s,%.9g,%.9g|res=%d|fp16=%d|", l->kind->name, act ? act->label : "?", l->alpha, l->beta,
                   l->residual >= 0, l->fp16);
    if (l->fp16 && l->fp16_math) xc_text_printf(t, "fp16math=%d|", l->fp16_math);
    if (l->fp16 && l->half_format != XC_HALF_FP16) /* fp16 layers keep their keys from before bf16 */
        xc_text_printf(t, "%s|", xc_half_format_get(l->half_format)->name);
    if (xc_engine_tf32(e)) xc_text_printf(t, "tf32|"); /* another candidate set */
    for (int k = 0; k < l->n_nodes; k++) {
        const xc_node *n = &e->model->graph->nodes[l->nodes[k]];
        xc_text_printf(t, "%s{", n->op_type);
        for (int a = 0; a < n->n_attrs; a++) put_attr(&n->attrs[a], t), xc_text_printf(t, ";");
        xc_text_printf(t, "}");
    }
    for (int i = 0; i < l->n_in + l->n_out; i++) {
        int k = i < l->n_in ? l->in[i] : l->out[i - l->n_in];
        char s[256]; /* a shape of at most XC_MAX_RANK dims: far below */
        if (k < 0) continue;
        const xc_etensor *x = &e->tensors[k];
        xc_text_printf(t, "|%s%s%s", i < l->n_in ? "in" : "out", x->value ? "c" : "",
                       xc_shape_str(x->dtype, x->rank, x->dims, s, sizeof s));
    }
}
