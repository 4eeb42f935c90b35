/* clone.c — deep copies of models, so every surgeon result is independent of its source.
 *
 * The xc structures keep `proto` pointers into the parsed protobuf so that fields crosscheck
 * does not know survive a save. A copy gets its own protobuf: the source's ModelProto is packed
 * WITHOUT its top-level initializers (those are the weights, carried by the xc tensors) and
 * unpacked again, then the two message trees are walked in parallel to map every old message
 * to its copy. Weights are copied, except external data, whose file mapping is shared. */
#include "internal.h"
#include "onnx/onnx.pb-c.h"
#include <stdlib.h>
#include <string.h>

/* ---- old message -> copied message, open addressing on pointers ---- */

typedef struct ptr_map {
    const void **keys;
    void **vals;
    size_t cap, count;
} ptr_map;

static size_t ptr_hash(const void *p)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x;
}

static int map_put(ptr_map *m, const void *k, void *v)
{
    if ((m->count + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 1024;
        const void **keys = calloc(cap, sizeof *keys);
        void **vals = calloc(cap, sizeof *vals);
        if (!keys || !vals) {
            free(keys);
            free(vals);
            return 0;
        }
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->keys[i]) continue;
            size_t j = ptr_hash(m->keys[i]) & (cap - 1);
            while (keys[j]) j = (j + 1) & (cap - 1);
            keys[j] = m->keys[i];
            vals[j] = m->vals[i];
        }
        free(m->keys);
        free(m->vals);
        m->keys = keys;
        m->vals = vals;
        m->cap = cap;
    }
    size_t j = ptr_hash(k) & (m->cap - 1);
    while (m->keys[j] && m->keys[j] != k) j = (j + 1) & (m->cap - 1);
    if (!m->keys[j]) m->count++;
    m->keys[j] = k;
    m->vals[j] = v;
    return 1;
}

/* The copy of old message k, or NULL (then the copy is saved from the xc fields alone).
 * Without a map (copies inside one model) the message is the same. */
static const void *map_get(const ptr_map *m, const void *k)
{
    if (!m) return k;
    if (!k || !m->cap) return NULL;
    size_t j = ptr_hash(k) & (m->cap - 1);
    while (m->keys[j]) {
        if (m->keys[j] == k) return m->vals[j];
        j = (j + 1) & (m->cap - 1);
    }
    return NULL;
}

static void map_free(ptr_map *m)
{
    free(m->keys);
    free(m->vals);
}

static int map_graph(ptr_map *pm, const Onnx__GraphProto *a, Onnx__GraphProto *b);

static int map_node(ptr_map *pm, const Onnx__NodeProto *a, Onnx__NodeProto *b)
{
    if (!map_put(pm, a, b) || a->n_attribute != b->n_attribute) return 0;
    for (size_t i = 0; i < a->n_attribute; i++) {
        const Onnx__AttributeProto *x = a->attribute[i];
        Onnx__AttributeProto *y = b->attribute[i];
        if (!map_put(pm, x, y)) return 0;
        if (x->g && y->g && !map_graph(pm, x->g, y->g)) return 0;
        for (size_t k = 0; k < x->n_graphs && k < y->n_graphs; k++)
            if (!map_graph(pm, x->graphs[k], y->graphs[k])) return 0;
    }
    return 1;
}

static int map_values(ptr_map *pm, Onnx__ValueInfoProto *const *a, size_t na, Onnx__ValueInfoProto **b, size_t nb)
{
    for (size_t i = 0; i < na && i < nb; i++)
        if (!map_put(pm, a[i], b[i])) return 0;
    return 1;
}

static int map_graph(ptr_map *pm, const Onnx__GraphProto *a, Onnx__GraphProto *b)
{
    if (!map_put(pm, a, b) || a->n_node != b->n_node) return 0;
    for (size_t i = 0; i < a->n_node; i++)
        if (!map_node(pm, a->node[i], b->node[i])) return 0;
    return map_values(pm, a->input, a->n_input, b->input, b->n_input)
           && map_values(pm, a->output, a->n_output, b->output, b->n_output)
           && map_values(pm, a->value_info, a->n_value_info, b->value_info, b->n_value_info);
}

/* The source's ModelProto without the top-level initializers' data, packed and unpacked: a
 * private copy of everything the xc structures point into. Initializers that name external
 * data stay (they hold no bytes): saving looks at them to keep such models external. NULL on
 * failure (the caller reports NOMEM). */
static Onnx__ModelProto *weightless_copy(const Onnx__ModelProto *mp)
{
    Onnx__ModelProto m = *mp;
    Onnx__GraphProto g;
    Onnx__TensorProto **external = NULL;
    if (mp->graph) {
        g = *mp->graph;
        external = malloc(sizeof *external * (g.n_initializer + 1));
        if (!external) return NULL;
        g.n_initializer = 0;
        for (size_t i = 0; i < mp->graph->n_initializer; i++)
            if (mp->graph->initializer[i]->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
                external[g.n_initializer++] = mp->graph->initializer[i];
        g.initializer = external;
        m.graph = &g;
    }
    size_t len = onnx__model_proto__get_packed_size(&m);
    uint8_t *buf = malloc(len ? len : 1);
    Onnx__ModelProto *copy = NULL;
    if (buf) {
        onnx__model_proto__pack(&m, buf);
        copy = onnx__model_proto__unpack(NULL, len, buf);
    }
    free(buf);
    free(external);
    return copy;
}

/* ---- deep copies of the xc structures ---- */

static xc_status nomem(void) { return xc_fail(XC_ERR_NOMEM, "out of memory copying the model"); }

static int dup_opt(const char *s, char **out)
{
    *out = s ? strdup(s) : NULL;
    return !s || *out;
}

static xc_status copy_bytes(const void *src, size_t size, void **out)
{
    *out = malloc(size ? size : 1);
    if (!*out) return nomem();
    if (size) memcpy(*out, src, size);
    return XC_OK;
}

xc_status sg_share_tensor(const xc_tensor *t, xc_tensor **out)
{
    if (t->kind != XC_DATA_MAPPED) return xc_tensor_clone(t, out);
    XC_TRY(xc_tensor_wrap(t->dtype, t->rank, t->dims, t->data, out));
    (*out)->kind = XC_DATA_MAPPED;
    (*out)->map = t->map;
    xc_mapping_retain(t->map);
    if (t->name && xc_tensor_set_name(*out, t->name) != XC_OK) {
        xc_tensor_free(*out);
        *out = NULL;
        return XC_ERR_NOMEM;
    }
    return XC_OK;
}

static xc_status copy_graph(const xc_graph *a, const ptr_map *pm, const char *keep_nodes, const char *keep_inits, xc_graph **out);

static xc_status copy_value(const xc_value_info *a, const ptr_map *pm, xc_value_info *b);

static xc_status copy_attr(const xc_attr *a, const ptr_map *pm, xc_attr *b)
{
    *b = *a; /* scalars; every pointer is replaced below */
    b->name = b->s = b->ref_attr_name = b->doc_string = NULL;
    b->t = NULL;
    b->g = NULL;
    b->floats = NULL;
    b->ints = NULL;
    b->strings = NULL;
    b->string_lens = NULL;
    b->tensors = NULL;
    b->graphs = NULL;
    b->type_proto = NULL;
    b->n = 0; /* counts the items copied so far, so a failure frees exactly those */
    b->proto = map_get(pm, a->proto);
    if (!dup_opt(a->name, &b->name) || !dup_opt(a->ref_attr_name, &b->ref_attr_name) || !dup_opt(a->doc_string, &b->doc_string))
        return nomem();
    if (a->s) XC_TRY(copy_bytes(a->s, a->s_len + 1, (void **)&b->s));
    if (a->t) XC_TRY(sg_share_tensor(a->t, &b->t));
    if (a->g) XC_TRY(copy_graph(a->g, pm, NULL, NULL, &b->g));
    if (a->type_proto) {
        if (!(b->type_proto = calloc(1, sizeof *b->type_proto))) return nomem();
        XC_TRY(copy_value(a->type_proto, pm, b->type_proto));
    }
    if (a->floats) XC_TRY(copy_bytes(a->floats, sizeof(float) * a->n, (void **)&b->floats));
    if (a->ints) XC_TRY(copy_bytes(a->ints, sizeof(int64_t) * a->n, (void **)&b->ints));
    if (a->string_lens) XC_TRY(copy_bytes(a->string_lens, sizeof(size_t) * a->n, (void **)&b->string_lens));
    if (a->strings && !(b->strings = calloc(a->n + 1, sizeof(char *)))) return nomem();
    if (a->tensors && !(b->tensors = calloc(a->n + 1, sizeof(xc_tensor *)))) return nomem();
    if (a->graphs && !(b->graphs = calloc(a->n + 1, sizeof(xc_graph *)))) return nomem();
    for (size_t i = 0; i < a->n; i++) {
        b->n = i + 1;
        if (a->strings) XC_TRY(copy_bytes(a->strings[i], a->string_lens[i] + 1, (void **)&b->strings[i]));
        if (a->tensors) XC_TRY(sg_share_tensor(a->tensors[i], &b->tensors[i]));
        if (a->graphs) XC_TRY(copy_graph(a->graphs[i], pm, NULL, NULL, &b->graphs[i]));
    }
    b->n = a->n;
    return XC_OK;
}

static xc_status copy_node(const xc_node *a, const ptr_map *pm, xc_node *b)
{
    memset(b, 0, sizeof *b);
    b->schema = a->schema;
    b->opset = a->opset;
    b->proto = map_get(pm, a->proto);
    b->inputs = calloc(a->n_inputs + 1, sizeof(char *));
    b->outputs = calloc(a->n_outputs + 1, sizeof(char *));
    b->attrs = calloc(a->n_attrs + 1, sizeof(xc_attr));
    if (!b->inputs || !b->outputs || !b->attrs || !(b->name = strdup(a->name)) || !(b->op_type = strdup(a->op_type))
        || !(b->domain = strdup(a->domain)) || !dup_opt(a->doc_string, &b->doc_string))
        return nomem();
    for (; b->n_inputs < a->n_inputs; b->n_inputs++)
        if (!(b->inputs[b->n_inputs] = strdup(a->inputs[b->n_inputs]))) return nomem();
    for (; b->n_outputs < a->n_outputs; b->n_outputs++)
        if (!(b->outputs[b->n_outputs] = strdup(a->outputs[b->n_outputs]))) return nomem();
    for (; b->n_attrs < a->n_attrs; b->n_attrs++) XC_TRY(copy_attr(&a->attrs[b->n_attrs], pm, &b->attrs[b->n_attrs]));
    return XC_OK;
}

static xc_status copy_value(const xc_value_info *a, const ptr_map *pm, xc_value_info *b)
{
    *b = *a;
    b->proto = map_get(pm, a->proto);
    b->name = NULL;
    b->doc_string = NULL;
    for (int k = 0; k < XC_MAX_RANK; k++) b->dim_params[k] = NULL;
    if (!(b->name = strdup(a->name)) || !dup_opt(a->doc_string, &b->doc_string)) return nomem();
    for (int k = 0; k < XC_MAX_RANK; k++)
        if (!dup_opt(a->dim_params[k], &b->dim_params[k])) return nomem();
    return XC_OK;
}

static xc_status copy_values(const xc_value_info *a, int n, const ptr_map *pm, xc_value_info **out, int *count)
{
    *out = calloc(n + 1, sizeof **out);
    if (!*out) return nomem();
    for (*count = 0; *count < n;) {
        xc_status s = copy_value(&a[*count], pm, &(*out)[*count]);
        ++*count; /* a half-copied value is freed with the rest */
        XC_TRY(s);
    }
    return XC_OK;
}

xc_status sg_copy_value(const xc_value_info *a, xc_value_info *b) { return copy_value(a, NULL, b); }
xc_status sg_copy_attr(const xc_attr *a, xc_attr *b) { return copy_attr(a, NULL, b); }

static xc_status copy_graph(const xc_graph *a, const ptr_map *pm, const char *keep_nodes, const char *keep_inits, xc_graph **out)
{
    xc_graph *b = calloc(1, sizeof *b);
    if (!b) return nomem();
    *out = b;
    b->proto = map_get(pm, a->proto);
    b->nodes = calloc(a->n_nodes + 1, sizeof(xc_node));
    b->initializers = calloc(a->n_initializers + 1, sizeof(xc_tensor *));
    if (!b->nodes || !b->initializers || !(b->name = strdup(a->name)) || !dup_opt(a->doc_string, &b->doc_string)) return nomem();
    for (int k = 0; k < a->n_nodes; k++) {
        if (keep_nodes && !keep_nodes[k]) continue;
        xc_status s = copy_node(&a->nodes[k], pm, &b->nodes[b->n_nodes]);
        b->n_nodes++;
        XC_TRY(s);
    }
    for (int i = 0; i < a->n_initializers; i++) {
        if (keep_inits && !keep_inits[i]) continue;
        XC_TRY(sg_share_tensor(a->initializers[i], &b->initializers[b->n_initializers]));
        b->n_initializers++;
    }
    XC_TRY(copy_values(a->inputs, a->n_inputs, pm, &b->inputs, &b->n_inputs));
    XC_TRY(copy_values(a->outputs, a->n_outputs, pm, &b->outputs, &b->n_outputs));
    return copy_values(a->value_info, a->n_value_info, pm, &b->value_info, &b->n_value_info);
}

static xc_status copy_model(const xc_model *a, const ptr_map *pm, const char *keep_nodes, const char *keep_inits, xc_model *b)
{
    b->ir_version = a->ir_version;
    b->model_version = a->model_version;
    b->opsets = calloc(a->n_opsets + 1, sizeof(xc_opset));
    b->metadata = calloc(a->n_metadata + 1, sizeof(xc_kv));
    if (!b->opsets || !b->metadata || !dup_opt(a->path, &b->path) || !dup_opt(a->producer_name, &b->producer_name)
        || !dup_opt(a->producer_version, &b->producer_version) || !dup_opt(a->domain, &b->domain)
        || !dup_opt(a->doc_string, &b->doc_string))
        return nomem();
    for (; b->n_opsets < a->n_opsets; b->n_opsets++) {
        b->opsets[b->n_opsets].version = a->opsets[b->n_opsets].version;
        if (!(b->opsets[b->n_opsets].domain = strdup(a->opsets[b->n_opsets].domain))) return nomem();
    }
    for (; b->n_metadata < a->n_metadata; b->n_metadata++) {
        xc_kv *kv = &b->metadata[b->n_metadata];
        if (!(kv->key = strdup(a->metadata[b->n_metadata].key)) || !(kv->value = strdup(a->metadata[b->n_metadata].value)))
            return nomem();
    }
    return copy_graph(a->graph, pm, keep_nodes, keep_inits, &b->graph);
}

xc_status sg_clone(const xc_model *m, const char *keep_nodes, const char *keep_inits, xc_model **out)
{
    *out = NULL;
    xc_model *b = calloc(1, sizeof *b);
    if (!b) return nomem();
    ptr_map pm = {0};
    xc_status s = XC_OK;
    if (m->proto) {
        b->proto = weightless_copy(m->proto);
        const Onnx__ModelProto *mp = m->proto;
        Onnx__ModelProto *cp = b->proto;
        if (!b->proto || (mp->graph && cp->graph && !map_graph(&pm, mp->graph, cp->graph))) s = nomem();
    }
    if (s == XC_OK) s = copy_model(m, &pm, keep_nodes, keep_inits, b);
    map_free(&pm);
    if (s != XC_OK) {
        xc_model_free(b);
        return s;
    }
    *out = b;
    return XC_OK;
}

xc_status xc_model_clone(const xc_model *m, xc_model **out)
{
    xc_model *w;
    XC_TRY(sg_clone(m, NULL, NULL, &w));
    return sg_finish(w, "clone: ", out);
}
