/* onnx_save.c — writes an xc_model back to .onnx.
 *
 * The message tree is rebuilt from the xc structures, so edits (surgeon) are saved, but every
 * message that came from a file starts as a shallow copy of its original, so fields crosscheck
 * does not know (unknown fields, functions, training info, annotations...) are written back
 * unchanged. Everything built here lives in an arena freed after packing; nothing of the model
 * is modified. Initializers are written inline (raw_data) or, when saving with external data,
 * large ones are laid out in one data file written beside the model before the model itself. */
#include "onnx_io.h"
#include "tensor_proto.h"
#include "file_io.h"
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One initializer placed in the external data file. */
typedef struct ext_item {
    const xc_tensor *t;
    uint64_t offset;
} ext_item;

typedef struct arena {
    void **blocks;
    size_t n, cap;
    Onnx__TensorProto **tensors; /* built by xc_tensor_to_proto: their dims are released */
    size_t n_tensors, cap_tensors;
    int failed;
    /* external data layout: initializers of at least `threshold` bytes when `external` */
    int external;
    size_t threshold;
    const char *location;
    ext_item *items;
    size_t n_items, cap_items;
    uint64_t data_len;
} arena;

static void *arena_alloc(arena *a, size_t size)
{
    if (a->failed) return NULL;
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 256;
        void **b = realloc(a->blocks, cap * sizeof *b);
        if (!b) {
            a->failed = 1;
            return NULL;
        }
        a->blocks = b;
        a->cap = cap;
    }
    void *p = calloc(1, size ? size : 1);
    if (!p) {
        a->failed = 1;
        return NULL;
    }
    a->blocks[a->n++] = p;
    return p;
}

static void arena_free(arena *a)
{
    for (size_t i = 0; i < a->n_tensors; i++) xc_tensor_proto_release(a->tensors[i]);
    for (size_t i = 0; i < a->n; i++) free(a->blocks[i]);
    free(a->blocks);
    free(a->tensors);
    free(a->items);
}

#define NEW_ARRAY(a, type, count) ((type *)arena_alloc((a), sizeof(type) * (count)))

/* Reserves an aligned range of the data file for t. */
static int place_external(arena *a, const xc_tensor *t, uint64_t *offset)
{
    if (a->n_items == a->cap_items) {
        size_t cap = a->cap_items ? a->cap_items * 2 : 64;
        ext_item *b = realloc(a->items, cap * sizeof *b);
        if (!b) return 0;
        a->items = b;
        a->cap_items = cap;
    }
    *offset = (a->data_len + XC_EXTERNAL_ALIGN - 1) / XC_EXTERNAL_ALIGN * XC_EXTERNAL_ALIGN;
    a->items[a->n_items++] = (ext_item){t, *offset};
    a->data_len = *offset + t->nbytes;
    return 1;
}

/* initializer: may go to external data (attribute tensors always stay inline, as in onnx). */
static Onnx__TensorProto *tensor_proto(arena *a, const xc_tensor *t, int initializer)
{
    Onnx__TensorProto *tp = NEW_ARRAY(a, Onnx__TensorProto, 1);
    if (!tp) return NULL;
    if (a->n_tensors == a->cap_tensors) {
        size_t cap = a->cap_tensors ? a->cap_tensors * 2 : 64;
        Onnx__TensorProto **b = realloc(a->tensors, cap * sizeof *b);
        if (!b) {
            a->failed = 1;
            return NULL;
        }
        a->tensors = b;
        a->cap_tensors = cap;
    }
    uint64_t offset;
    xc_status s;
    /* 4- and 2-bit types stay inline: external data is written from memory as is, unpacked */
    if (initializer && a->external && t->nbytes >= a->threshold && t->nbytes > 0 && xc_dtype_bits(t->dtype) >= 8
        && t->dtype != XC_STRING) { /* strings too: string_data is inline by definition */
        if (!place_external(a, t, &offset)) {
            a->failed = 1;
            return NULL;
        }
        s = xc_tensor_to_proto_external(t, tp, a->location, offset);
    } else {
        s = xc_tensor_to_proto(t, tp);
    }
    if (s != XC_OK) {
        a->failed = 1;
        return NULL;
    }
    a->tensors[a->n_tensors++] = tp;
    return tp;
}

static Onnx__ValueInfoProto *value_proto(arena *a, const xc_value_info *v)
{
    Onnx__ValueInfoProto *vp = NEW_ARRAY(a, Onnx__ValueInfoProto, 1);
    if (!vp) return NULL;
    if (v->proto)
        *vp = *(const Onnx__ValueInfoProto *)v->proto;
    else
        onnx__value_info_proto__init(vp);
    vp->name = v->name;
    vp->doc_string = v->doc_string;
    if (v->dtype == XC_UNDEFINED && v->rank < 0 && v->value == XC_VALUE_TENSOR) {
        if (!v->proto) vp->type = NULL;
        return vp;
    }
    Onnx__TypeProto *outer = NULL, **hole = &outer; /* sequence/optional wrappers, outermost first */
    if (v->value == XC_VALUE_OPTIONAL_TENSOR || v->value == XC_VALUE_OPTIONAL_SEQUENCE) {
        Onnx__TypeProto *w = NEW_ARRAY(a, Onnx__TypeProto, 1);
        Onnx__TypeProto__Optional *o = NEW_ARRAY(a, Onnx__TypeProto__Optional, 1);
        if (!w || !o) return NULL;
        onnx__type_proto__init(w);
        onnx__type_proto__optional__init(o);
        w->value_case = ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE;
        w->optional_type = o;
        *hole = w;
        hole = &o->elem_type;
    }
    if (v->value == XC_VALUE_SEQUENCE || v->value == XC_VALUE_OPTIONAL_SEQUENCE) {
        Onnx__TypeProto *w = NEW_ARRAY(a, Onnx__TypeProto, 1);
        Onnx__TypeProto__Sequence *q = NEW_ARRAY(a, Onnx__TypeProto__Sequence, 1);
        if (!w || !q) return NULL;
        onnx__type_proto__init(w);
        onnx__type_proto__sequence__init(q);
        w->value_case = ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE;
        w->sequence_type = q;
        *hole = w;
        hole = &q->elem_type;
    }
    Onnx__TypeProto *tp = NEW_ARRAY(a, Onnx__TypeProto, 1);
    Onnx__TypeProto__Tensor *tt = NEW_ARRAY(a, Onnx__TypeProto__Tensor, 1);
    if (!tp || !tt) return NULL;
    onnx__type_proto__init(tp);
    onnx__type_proto__tensor__init(tt);
    tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    tp->tensor_type = tt;
    tt->has_elem_type = v->dtype != XC_UNDEFINED;
    tt->elem_type = (int32_t)v->dtype;
    if (v->rank >= 0) {
        Onnx__TensorShapeProto *sp = NEW_ARRAY(a, Onnx__TensorShapeProto, 1);
        Onnx__TensorShapeProto__Dimension **dims = NEW_ARRAY(a, Onnx__TensorShapeProto__Dimension *, v->rank + 1);
        if (!sp || !dims) return NULL;
        onnx__tensor_shape_proto__init(sp);
        sp->n_dim = (size_t)v->rank;
        sp->dim = dims;
        for (int k = 0; k < v->rank; k++) {
            Onnx__TensorShapeProto__Dimension *d = NEW_ARRAY(a, Onnx__TensorShapeProto__Dimension, 1);
            if (!d) return NULL;
            onnx__tensor_shape_proto__dimension__init(d);
            if (v->dims[k] >= 0) {
                d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
                d->dim_value = v->dims[k];
            } else if (v->dim_params[k]) {
                d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
                d->dim_param = v->dim_params[k];
            }
            dims[k] = d;
        }
        tt->shape = sp;
    }
    *hole = tp;
    vp->type = outer;
    return vp;
}

static Onnx__GraphProto *graph_proto(arena *a, const xc_graph *g);

static Onnx__AttributeProto *attr_proto(arena *a, const xc_attr *at)
{
    Onnx__AttributeProto *ap = NEW_ARRAY(a, Onnx__AttributeProto, 1);
    if (!ap) return NULL;
    if (at->proto)
        *ap = *(const Onnx__AttributeProto *)at->proto; /* keeps sparse/type-proto values */
    else
        onnx__attribute_proto__init(ap);
    ap->name = at->name;
    ap->ref_attr_name = at->ref_attr_name;
    ap->doc_string = at->doc_string;
    ap->has_type = 1;
    ap->type = (Onnx__AttributeProto__AttributeType)at->type;
    switch (at->type) {
    case XC_ATTR_FLOAT:
        ap->has_f = 1;
        ap->f = at->f;
        break;
    case XC_ATTR_INT:
        ap->has_i = 1;
        ap->i = at->i;
        break;
    case XC_ATTR_STRING:
        ap->has_s = 1;
        ap->s.data = (uint8_t *)at->s;
        ap->s.len = at->s_len;
        break;
    case XC_ATTR_TENSOR: ap->t = tensor_proto(a, at->t, 0); break;
    case XC_ATTR_GRAPH: ap->g = graph_proto(a, at->g); break;
    case XC_ATTR_FLOATS:
        ap->n_floats = at->n;
        ap->floats = at->floats;
        break;
    case XC_ATTR_INTS:
        ap->n_ints = at->n;
        ap->ints = at->ints;
        break;
    case XC_ATTR_STRINGS: {
        ProtobufCBinaryData *s = NEW_ARRAY(a, ProtobufCBinaryData, at->n + 1);
        if (!s) return NULL;
        for (size_t i = 0; i < at->n; i++) {
            s[i].data = (uint8_t *)at->strings[i];
            s[i].len = at->string_lens[i];
        }
        ap->n_strings = at->n;
        ap->strings = s;
        break;
    }
    case XC_ATTR_TENSORS: {
        Onnx__TensorProto **ts = NEW_ARRAY(a, Onnx__TensorProto *, at->n + 1);
        if (!ts) return NULL;
        for (size_t i = 0; i < at->n; i++) ts[i] = tensor_proto(a, at->tensors[i], 0);
        ap->n_tensors = at->n;
        ap->tensors = ts;
        break;
    }
    case XC_ATTR_GRAPHS: {
        Onnx__GraphProto **gs = NEW_ARRAY(a, Onnx__GraphProto *, at->n + 1);
        if (!gs) return NULL;
        for (size_t i = 0; i < at->n; i++) gs[i] = graph_proto(a, at->graphs[i]);
        ap->n_graphs = at->n;
        ap->graphs = gs;
        break;
    }
    default: break;
    }
    return ap;
}

static Onnx__NodeProto *node_proto(arena *a, const xc_node *n)
{
    Onnx__NodeProto *np = NEW_ARRAY(a, Onnx__NodeProto, 1);
    Onnx__AttributeProto **attrs = NEW_ARRAY(a, Onnx__AttributeProto *, n->n_attrs + 1);
    if (!np || !attrs) return NULL;
    if (n->proto)
        *np = *(const Onnx__NodeProto *)n->proto;
    else
        onnx__node_proto__init(np);
    np->name = n->name[0] || n->proto ? n->name : NULL;
    np->op_type = n->op_type;
    np->domain = n->domain[0] || (n->proto && ((const Onnx__NodeProto *)n->proto)->domain) ? n->domain : NULL;
    np->doc_string = n->doc_string;
    np->n_input = (size_t)n->n_inputs;
    np->input = n->inputs;
    np->n_output = (size_t)n->n_outputs;
    np->output = n->outputs;
    for (int i = 0; i < n->n_attrs; i++) attrs[i] = attr_proto(a, &n->attrs[i]);
    np->n_attribute = (size_t)n->n_attrs;
    np->attribute = attrs;
    return np;
}

static Onnx__ValueInfoProto **values_proto(arena *a, const xc_value_info *v, int n)
{
    Onnx__ValueInfoProto **out = NEW_ARRAY(a, Onnx__ValueInfoProto *, n + 1);
    for (int i = 0; out && i < n; i++) out[i] = value_proto(a, &v[i]);
    return out;
}

static Onnx__GraphProto *graph_proto(arena *a, const xc_graph *g)
{
    Onnx__GraphProto *gp = NEW_ARRAY(a, Onnx__GraphProto, 1);
    Onnx__NodeProto **nodes = NEW_ARRAY(a, Onnx__NodeProto *, g->n_nodes + 1);
    Onnx__TensorProto **inits = NEW_ARRAY(a, Onnx__TensorProto *, g->n_initializers + 1);
    if (!gp || !nodes || !inits) return NULL;
    if (g->proto)
        *gp = *(const Onnx__GraphProto *)g->proto;
    else
        onnx__graph_proto__init(gp);
    gp->name = g->name;
    gp->doc_string = g->doc_string;
    for (int k = 0; k < g->n_nodes; k++) nodes[k] = node_proto(a, &g->nodes[k]);
    for (int i = 0; i < g->n_initializers; i++) inits[i] = tensor_proto(a, g->initializers[i], 1);
    gp->n_node = (size_t)g->n_nodes;
    gp->node = nodes;
    gp->n_initializer = (size_t)g->n_initializers;
    gp->initializer = inits;
    gp->n_input = (size_t)g->n_inputs;
    gp->input = values_proto(a, g->inputs, g->n_inputs);
    gp->n_output = (size_t)g->n_outputs;
    gp->output = values_proto(a, g->outputs, g->n_outputs);
    gp->n_value_info = (size_t)g->n_value_info;
    gp->value_info = values_proto(a, g->value_info, g->n_value_info);
    return gp;
}

static Onnx__ModelProto *model_proto(arena *a, const xc_model *m)
{
    Onnx__ModelProto *mp = NEW_ARRAY(a, Onnx__ModelProto, 1);
    Onnx__OperatorSetIdProto **ops = NEW_ARRAY(a, Onnx__OperatorSetIdProto *, m->n_opsets + 1);
    Onnx__StringStringEntryProto **meta = NEW_ARRAY(a, Onnx__StringStringEntryProto *, m->n_metadata + 1);
    if (!mp || !ops || !meta) return NULL;
    if (m->proto)
        *mp = *(const Onnx__ModelProto *)m->proto;
    else
        onnx__model_proto__init(mp);
    mp->has_ir_version = 1;
    mp->ir_version = m->ir_version;
    mp->has_model_version = m->model_version != 0;
    mp->model_version = m->model_version;
    mp->producer_name = m->producer_name;
    mp->producer_version = m->producer_version;
    mp->domain = m->domain;
    mp->doc_string = m->doc_string;
    for (int i = 0; i < m->n_opsets; i++) {
        Onnx__OperatorSetIdProto *o = NEW_ARRAY(a, Onnx__OperatorSetIdProto, 1);
        if (!o) return NULL;
        onnx__operator_set_id_proto__init(o);
        o->domain = m->opsets[i].domain;
        o->has_version = 1;
        o->version = m->opsets[i].version;
        ops[i] = o;
    }
    mp->n_opset_import = (size_t)m->n_opsets;
    mp->opset_import = ops;
    for (int i = 0; i < m->n_metadata; i++) {
        Onnx__StringStringEntryProto *e = NEW_ARRAY(a, Onnx__StringStringEntryProto, 1);
        if (!e) return NULL;
        onnx__string_string_entry_proto__init(e);
        e->key = m->metadata[i].key;
        e->value = m->metadata[i].value;
        meta[i] = e;
    }
    mp->n_metadata_props = (size_t)m->n_metadata;
    mp->metadata_props = meta;
    mp->graph = graph_proto(a, m->graph);
    return mp;
}

xc_save_options xc_save_options_default(void) { return (xc_save_options){-1, 1024, NULL}; }

/* Inline protobuf must stay under 2 GB; leave room for everything that is not weights. */
#define INLINE_LIMIT ((uint64_t)INT32_MAX - (64u << 20))

/* Whether the file the model came from kept initializers in external data (also true of
 * surgeon copies, whose protobuf keeps those initializers' headers). */
static int loaded_external(const xc_model *m)
{
    const Onnx__ModelProto *mp = m->proto;
    for (size_t i = 0; mp && mp->graph && i < mp->graph->n_initializer; i++)
        if (mp->graph->initializer[i]->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) return 1;
    return 0;
}

static int use_external(const xc_model *m, const xc_save_options *o)
{
    const xc_graph *g = m->graph;
    if (o->external >= 0) return o->external;
    if (loaded_external(m)) return 1;
    uint64_t bytes = 0;
    for (int i = 0; i < g->n_initializers; i++) {
        if (g->initializers[i]->kind == XC_DATA_MAPPED) return 1;
        bytes += g->initializers[i]->nbytes;
    }
    return bytes > INLINE_LIMIT;
}

static int all_zero(const unsigned char *p, size_t n) { return n == 0 || (p[0] == 0 && !memcmp(p, p + 1, n - 1)); }

/* Writes the data file's bytes to f. Zero chunks are not written: the file is sized at the end,
 * so they read back as zeros and a sparse source stays sparse. */
static xc_status write_data(const arena *a, xc_out_file *f)
{
    enum { CHUNK = 1 << 16 };
    xc_status s = XC_OK;
    for (size_t i = 0; i < a->n_items && s == XC_OK; i++) {
        const unsigned char *p = a->items[i].t->data;
        size_t left = a->items[i].t->nbytes;
        uint64_t off = a->items[i].offset;
        while (left && s == XC_OK) {
            size_t n = left < CHUNK ? left : CHUNK;
            if (!all_zero(p, n)) s = xc_out_pwrite(f, p, n, off);
            p += n;
            off += n;
            left -= n;
        }
    }
    if (s == XC_OK && ftruncate(f->fd, (off_t)a->data_len) != 0) s = xc_fail(XC_ERR_IO, "%s: cannot size file", f->path);
    return s;
}

/* The data file's name (in the model's folder) and full path. */
static xc_status data_location(const char *path, const xc_save_options *o, char *name, size_t name_len, char *full,
                               size_t full_len)
{
    char a[PATH_MAX], b[PATH_MAX];
    snprintf(a, sizeof a, "%s", path);
    snprintf(b, sizeof b, "%s", path);
    const char *base = basename(a), *dir = dirname(b);
    if (o->data_file)
        snprintf(name, name_len, "%s", o->data_file);
    else
        snprintf(name, name_len, "%s.data", base);
    if (!name[0] || strchr(name, '/') || strchr(name, '\\') || !strcmp(name, ".") || !strcmp(name, ".."))
        return xc_fail(XC_ERR_USAGE, "external data file '%s' must be a plain file name (it goes beside the model)", name);
    if (!strcmp(name, base)) return xc_fail(XC_ERR_USAGE, "external data file '%s' would overwrite the model", name);
    snprintf(full, full_len, "%s/%s", dir, name);
    return XC_OK;
}

/* The model file is the commit point: a model names its data file, so the data must be
 * complete under the name the new model gives before the model is renamed into place, and no
 * data file an older model (or a loaded one) still reads may be replaced. The data therefore
 * goes to the chosen name only when no file has it yet, else to a fresh name beside it
 * ("NAME.XXXXXX"), which the new model then names. A kill at any point leaves the old model
 * with its old data, or the new model with its new data. */
/* How much of the data file's name its fresh names keep: "<name>.XXXXXX" must fit the folder's
 * name limit, so a name at the limit is cut (mkstemp's suffix keeps fresh names unique). */
static size_t fresh_stem(const char *data_path, const char *name)
{
    char *d = strdup(data_path);
    long lim = d ? pathconf(dirname(d), _PC_NAME_MAX) : -1;
    free(d);
    size_t max = lim > 8 ? (size_t)lim : NAME_MAX, n = strlen(name);
    return n + 7 > max ? max - 7 : n;
}

static xc_status begin_data(const char *data_path, const char *location, xc_out_file *f, char **used)
{
    struct stat st;
    *used = NULL;
    if (lstat(data_path, &st) != 0) {
        XC_TRY(xc_out_begin(data_path, XC_OUT_REGULAR_ONLY, f));
        *used = strdup(location);
        return *used ? XC_OK : xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    char *fresh = NULL;
    size_t stem = fresh_stem(data_path, location); /* location is data_path's last component */
    if (asprintf(&fresh, "%.*s.XXXXXX", (int)(strlen(data_path) - strlen(location) + stem), data_path) < 0)
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    int fd = mkostemp(fresh, O_CLOEXEC);
    if (fd < 0) {
        free(fresh);
        return xc_fail(XC_ERR_IO, "%s: cannot create file (%s)", data_path, strerror(errno));
    }
    fchmod(fd, 0644);
    memset(f, 0, sizeof *f);
    f->fd = fd;
    f->path = fresh;
    f->tmp = strdup(fresh); /* written in place: abort removes it */
    if (!f->tmp || asprintf(used, "%.*s%s", (int)stem, location, fresh + strlen(fresh) - 7) < 0) {
        xc_out_abort(f);
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    return XC_OK;
}

/* Syncs a data file written under its final name (begin_data's fresh name). */
static xc_status finish_data(xc_out_file *f)
{
    if (!f->tmp || strcmp(f->tmp, f->path)) return xc_out_commit(f);
    xc_status s = fsync(f->fd) == 0 ? XC_OK : xc_fail(XC_ERR_IO, "%s: write failed (%s)", f->path, strerror(errno));
    if (s != XC_OK) return s; /* caller aborts */
    close(f->fd);
    f->fd = -1;
    return XC_OK;
}

/* Whether name is "<base, cut to n>.XXXXXX" (begin_data's fresh names for this destination). */
static int is_fresh_name(const char *name, const char *base, size_t n)
{
    if (strncmp(name, base, n) || name[n] != '.' || strlen(name + n + 1) != 6) return 0;
    for (const char *p = name + n + 1; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))) return 0;
    return 1;
}

/* After the commit: the replaced model's data file goes when crosscheck made it under a fresh
 * name for this destination (so no other model names it), the new model does not name it, and
 * nothing loaded maps it. Data under the chosen name itself is never removed, so repeated saves
 * leave at most that file and one fresh one. */
static void remove_replaced_data(const char *old_model, size_t old_len, const char *data_path, const char *used)
{
    Onnx__ModelProto *mp = onnx__model_proto__unpack(NULL, old_len, (const uint8_t *)old_model);
    char *b = strdup(data_path), *d = strdup(data_path);
    const char *base = b ? basename(b) : NULL, *dir = d ? dirname(d) : NULL;
    for (size_t i = 0; mp && base && dir && mp->graph && i < mp->graph->n_initializer; i++) {
        const Onnx__TensorProto *t = mp->graph->initializer[i];
        for (size_t k = 0; k < t->n_external_data; k++) {
            const char *key = t->external_data[k]->key, *v = t->external_data[k]->value;
            if (!key || strcmp(key, "location") || !v || !is_fresh_name(v, base, fresh_stem(data_path, base))
                || (used && !strcmp(v, used)))
                continue;
            char *full = NULL;
            if (asprintf(&full, "%s/%s", dir, v) < 0) continue;
            if (!xc_input_named_by(full)) unlink(full);
            free(full);
        }
    }
    if (mp) onnx__model_proto__free_unpacked(mp, NULL);
    free(b);
    free(d);
}

/* The model file at path before the save (NULL when none or not readable), for cleaning up. */
static char *read_old_model(const char *path, size_t *len)
{
    int fd;
    struct stat st;
    *len = 0;
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (64 << 20)) return NULL;
    if (xc_open_input_quiet(path, &fd, &st) != XC_OK) {
        xc_error_clear();
        return NULL;
    }
    char *buf = malloc((size_t)st.st_size + 1);
    ssize_t n = buf ? read(fd, buf, (size_t)st.st_size) : -1;
    close(fd);
    if (n != st.st_size) {
        free(buf);
        return NULL;
    }
    *len = (size_t)n;
    return buf;
}

static xc_status save_packed(const xc_model *m, arena *a, const char *path, const char *data_path)
{
    xc_out_file data = {.fd = -1}, model = {.fd = -1};
    char *used = NULL;
    xc_status s = XC_OK;
    /* the model first: a destination that is an input or a folder is refused before any data is written */
    s = xc_out_begin(path, 0, &model);
    if (s == XC_OK && model.direct && a->external) {
        xc_out_abort(&model);
        s = xc_fail(XC_ERR_USAGE, "%s: not a regular file, and this model's external data must go beside it in a folder", path);
    }
    if (s == XC_OK && a->external) {
        s = begin_data(data_path, a->location, &data, &used);
        if (s == XC_OK) a->location = used;
    }
    Onnx__ModelProto *mp = s == XC_OK ? model_proto(a, m) : NULL;
    if (s == XC_OK && (!mp || a->failed)) s = xc_fail(XC_ERR_NOMEM, "%s: out of memory building the model", path);
    size_t len = mp ? onnx__model_proto__get_packed_size(mp) : 0;
    if (s == XC_OK && len > INT32_MAX)
        s = xc_fail(XC_ERR_UNSUPPORTED,
                    "%s: model is %zu bytes, over protobuf's 2 GB limit (weights must be saved as external data)", path, len);
    uint8_t *buf = s == XC_OK ? malloc(len ? len : 1) : NULL;
    if (s == XC_OK && !buf) s = xc_fail(XC_ERR_NOMEM, "%s: out of memory", path);
    if (s == XC_OK) {
        onnx__model_proto__pack(mp, buf);
        s = xc_out_write(&model, buf, len);
    }
    free(buf);
    int data_kept = 0; /* only a model that names external data keeps a data file */
    if (s == XC_OK && a->n_items) {
        s = write_data(a, &data);
        if (s == XC_OK) s = finish_data(&data);
        data_kept = s == XC_OK;
    }
    size_t old_len = 0;
    char *old_model = s == XC_OK && a->external ? read_old_model(path, &old_len) : NULL;
    if (s == XC_OK) {
        s = xc_out_commit(&model); /* the commit point */
        if (s == XC_OK && old_model) remove_replaced_data(old_model, old_len, data_path, data_kept ? used : NULL);
    } else {
        xc_out_abort(&model);
    }
    free(old_model);
    if (s == XC_OK && data_kept) { /* keep it: forget the name so abort does not remove it */
        free(data.tmp);
        data.tmp = NULL;
    }
    xc_out_abort(&data);
    free(used);
    return s;
}

xc_status xc_model_save_with(const xc_model *m, const char *path, const xc_save_options *o)
{
    arena a = {0};
    char location[PATH_MAX], data_path[PATH_MAX * 2];
    a.external = use_external(m, o);
    a.threshold = o->threshold;
    if (a.external) XC_TRY(data_location(path, o, location, sizeof location, data_path, sizeof data_path));
    a.location = location;
    xc_status s = save_packed(m, &a, path, data_path);
    arena_free(&a);
    return s;
}

xc_status xc_model_save(const xc_model *m, const char *path)
{
    xc_save_options o = xc_save_options_default();
    return xc_model_save_with(m, path, &o);
}
