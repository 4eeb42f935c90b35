/* onnx_load.c — parses a .onnx file (protobuf-c) into an xc_model and validates it.
 *
 * The parsed ModelProto is kept alive by the model: raw_data initializers point into it
 * (no copy), and fields crosscheck does not know survive a save. */
#include "onnx_io.h"
#include "proto_depth.h"
#include "tensor_proto.h"
#include "log.h"
#include "validate.h"
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SUBGRAPH_DEPTH 32

typedef struct load_ctx {
    xc_proto_source src;
} load_ctx;

static char *dup_str(const char *s) { return strdup(s ? s : ""); }
static char *dup_opt(const char *s) { return s ? strdup(s) : NULL; }

xc_status xc_read_file(const char *path, xc_mapping **out)
{
    return xc_mapping_open(path, out); /* its messages name the path and the cause (out of memory, ...) */
}

static xc_status load_type(const Onnx__TypeProto *tp, xc_value_info *v, int required);

static xc_status load_value_info(const Onnx__ValueInfoProto *vp, xc_value_info *v, int required)
{
    memset(v, 0, sizeof *v);
    v->name = dup_str(vp->name);
    v->doc_string = dup_opt(vp->doc_string);
    v->proto = vp;
    v->rank = -1;
    if (!v->name) return xc_fail(XC_ERR_NOMEM, "out of memory");
    return load_type(vp->type, v, required);
}

/* The type of value v (named already) from tp, which may be NULL. */
static xc_status load_type(const Onnx__TypeProto *tp, xc_value_info *v, int required)
{
    /* sequence(tensor) and optional(tensor | sequence(tensor)): keep the kind, then read the
     * innermost tensor type as for a plain tensor */
    if (tp && tp->value_case == ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE && tp->optional_type && tp->optional_type->elem_type) {
        const Onnx__TypeProto *e = tp->optional_type->elem_type;
        v->value = e->value_case == ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE ? XC_VALUE_OPTIONAL_SEQUENCE : XC_VALUE_OPTIONAL_TENSOR;
        tp = e;
    }
    if (tp && tp->value_case == ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE && tp->sequence_type && tp->sequence_type->elem_type
        && v->value != XC_VALUE_OPTIONAL_TENSOR) {
        if (v->value == XC_VALUE_TENSOR) v->value = XC_VALUE_SEQUENCE;
        tp = tp->sequence_type->elem_type;
    }
    if (!tp || tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !tp->tensor_type) {
        if (required && tp && tp->value_case != ONNX__TYPE_PROTO__VALUE__NOT_SET)
            return xc_fail(XC_ERR_UNSUPPORTED,
                           "value '%s' is not a tensor, a sequence of tensors or an optional of either (maps and nested "
                           "sequences are not supported)",
                           v->name);
        v->value = XC_VALUE_TENSOR; /* an annotation crosscheck cannot use: the value stays unknown */
        return XC_OK;
    }
    const Onnx__TypeProto__Tensor *tt = tp->tensor_type;
    v->dtype = tt->has_elem_type ? (xc_dtype)tt->elem_type : XC_UNDEFINED;
    if (!tt->shape) return XC_OK;
    if (tt->shape->n_dim > XC_MAX_RANK)
        return xc_fail(XC_ERR_UNSUPPORTED, "value '%s' has rank %zu (at most %d supported)", v->name, tt->shape->n_dim,
                       XC_MAX_RANK);
    v->rank = (int)tt->shape->n_dim;
    for (int i = 0; i < v->rank; i++) {
        const Onnx__TensorShapeProto__Dimension *d = tt->shape->dim[i];
        v->dims[i] = -1;
        if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE) {
            if (d->dim_value < 0)
                return xc_fail(XC_ERR_MODEL, "value '%s' has negative dimension %lld", v->name, (long long)d->dim_value);
            v->dims[i] = d->dim_value;
        } else if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM && d->dim_param) {
            v->dim_params[i] = strdup(d->dim_param);
        }
    }
    return XC_OK;
}

static xc_status load_values(Onnx__ValueInfoProto **vp, size_t n, xc_value_info **out, int *count, int required)
{
    *out = calloc(n ? n : 1, sizeof **out);
    if (!*out) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        *count = (int)i + 1;
        XC_TRY(load_value_info(vp[i], &(*out)[i], required));
    }
    *count = (int)n;
    return XC_OK;
}

static xc_status load_graph(const Onnx__GraphProto *gp, load_ctx *ctx, int depth, xc_graph **out);

static xc_status load_attr(const Onnx__AttributeProto *ap, load_ctx *ctx, int depth, xc_attr *a)
{
    a->name = dup_str(ap->name);
    a->ref_attr_name = dup_opt(ap->ref_attr_name);
    a->doc_string = dup_opt(ap->doc_string);
    a->proto = ap;
    if (!a->name) return xc_fail(XC_ERR_NOMEM, "out of memory");
    a->type = ap->has_type ? (xc_attr_type)ap->type : XC_ATTR_UNDEFINED;
    if (a->type == XC_ATTR_UNDEFINED) { /* IR < 3 files infer the type from the field present */
        if (ap->has_f)
            a->type = XC_ATTR_FLOAT;
        else if (ap->has_i)
            a->type = XC_ATTR_INT;
        else if (ap->has_s)
            a->type = XC_ATTR_STRING;
        else if (ap->t)
            a->type = XC_ATTR_TENSOR;
        else if (ap->g)
            a->type = XC_ATTR_GRAPH;
        else if (ap->n_floats)
            a->type = XC_ATTR_FLOATS;
        else if (ap->n_ints)
            a->type = XC_ATTR_INTS;
        else if (ap->n_strings)
            a->type = XC_ATTR_STRINGS;
    }
    switch (a->type) {
    case XC_ATTR_FLOAT: a->f = ap->f; break;
    case XC_ATTR_INT: a->i = ap->i; break;
    case XC_ATTR_STRING:
        a->s = malloc(ap->s.len + 1);
        if (!a->s) return xc_fail(XC_ERR_NOMEM, "out of memory");
        if (ap->s.len) memcpy(a->s, ap->s.data, ap->s.len);
        a->s[ap->s.len] = 0;
        a->s_len = ap->s.len;
        break;
    case XC_ATTR_TENSOR:
        if (!ap->t) return xc_fail(XC_ERR_MODEL, "attribute '%s' of type TENSOR has no tensor", a->name);
        XC_TRY(xc_tensor_from_proto(ap->t, &ctx->src, &a->t));
        break;
    case XC_ATTR_GRAPH:
        if (!ap->g) return xc_fail(XC_ERR_MODEL, "attribute '%s' of type GRAPH has no graph", a->name);
        XC_TRY(load_graph(ap->g, ctx, depth + 1, &a->g));
        break;
    case XC_ATTR_FLOATS:
        a->n = ap->n_floats;
        a->floats = malloc(sizeof(float) * (a->n ? a->n : 1));
        if (!a->floats) return xc_fail(XC_ERR_NOMEM, "out of memory");
        if (a->n) memcpy(a->floats, ap->floats, sizeof(float) * a->n);
        break;
    case XC_ATTR_INTS:
        a->n = ap->n_ints;
        a->ints = malloc(sizeof(int64_t) * (a->n ? a->n : 1));
        if (!a->ints) return xc_fail(XC_ERR_NOMEM, "out of memory");
        if (a->n) memcpy(a->ints, ap->ints, sizeof(int64_t) * a->n);
        break;
    case XC_ATTR_STRINGS:
        a->strings = calloc(ap->n_strings ? ap->n_strings : 1, sizeof(char *));
        a->string_lens = calloc(ap->n_strings ? ap->n_strings : 1, sizeof(size_t));
        if (!a->strings || !a->string_lens) return xc_fail(XC_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < ap->n_strings; i++) {
            a->n = i + 1;
            a->strings[i] = malloc(ap->strings[i].len + 1);
            if (!a->strings[i]) return xc_fail(XC_ERR_NOMEM, "out of memory");
            if (ap->strings[i].len) memcpy(a->strings[i], ap->strings[i].data, ap->strings[i].len);
            a->strings[i][ap->strings[i].len] = 0;
            a->string_lens[i] = ap->strings[i].len;
        }
        a->n = ap->n_strings;
        break;
    case XC_ATTR_TENSORS:
        a->tensors = calloc(ap->n_tensors ? ap->n_tensors : 1, sizeof(xc_tensor *));
        if (!a->tensors) return xc_fail(XC_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < ap->n_tensors; i++) {
            a->n = i + 1;
            XC_TRY(xc_tensor_from_proto(ap->tensors[i], &ctx->src, &a->tensors[i]));
        }
        break;
    case XC_ATTR_GRAPHS:
        a->graphs = calloc(ap->n_graphs ? ap->n_graphs : 1, sizeof(xc_graph *));
        if (!a->graphs) return xc_fail(XC_ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < ap->n_graphs; i++) {
            a->n = i + 1;
            XC_TRY(load_graph(ap->graphs[i], ctx, depth + 1, &a->graphs[i]));
        }
        break;
    case XC_ATTR_TYPE_PROTO: /* Optional's type: read as a value's; a type crosscheck lacks stays unknown */
        a->type_proto = calloc(1, sizeof *a->type_proto);
        if (!a->type_proto || !(a->type_proto->name = strdup(""))) return xc_fail(XC_ERR_NOMEM, "out of memory");
        a->type_proto->rank = -1;
        XC_TRY(load_type(ap->tp, a->type_proto, 0));
        break;
    case XC_ATTR_SPARSE_TENSOR:
    case XC_ATTR_SPARSE_TENSORS:
    case XC_ATTR_TYPE_PROTOS: break; /* kept only through the proto; no supported op reads them */
    default: return xc_fail(XC_ERR_MODEL, "attribute '%s' has unknown type %d", a->name, (int)a->type);
    }
    return XC_OK;
}

static xc_status load_node(const Onnx__NodeProto *np, load_ctx *ctx, int depth, xc_node *n)
{
    n->name = dup_str(np->name);
    n->op_type = dup_str(np->op_type);
    n->domain = dup_str(np->domain);
    n->doc_string = dup_opt(np->doc_string);
    n->proto = np;
    n->inputs = calloc(np->n_input ? np->n_input : 1, sizeof(char *));
    n->outputs = calloc(np->n_output ? np->n_output : 1, sizeof(char *));
    n->attrs = calloc(np->n_attribute ? np->n_attribute : 1, sizeof(xc_attr));
    if (!n->name || !n->op_type || !n->domain || !n->inputs || !n->outputs || !n->attrs)
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    if (!strcmp(n->domain, "ai.onnx")) n->domain[0] = 0;
    for (size_t i = 0; i < np->n_input; i++, n->n_inputs++)
        if (!(n->inputs[i] = dup_str(np->input[i]))) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < np->n_output; i++, n->n_outputs++)
        if (!(n->outputs[i] = dup_str(np->output[i]))) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < np->n_attribute; i++) {
        n->n_attrs++;
        xc_status s = load_attr(np->attribute[i], ctx, depth, &n->attrs[i]);
        if (s != XC_OK) return s;
    }
    return XC_OK;
}

static xc_status load_graph(const Onnx__GraphProto *gp, load_ctx *ctx, int depth, xc_graph **out)
{
    if (depth > MAX_SUBGRAPH_DEPTH) return xc_fail(XC_ERR_MODEL, "subgraphs nested deeper than %d levels", MAX_SUBGRAPH_DEPTH);
    if (gp->n_node > INT32_MAX / 2 || gp->n_initializer > INT32_MAX / 2) return xc_fail(XC_ERR_MODEL, "graph is too large");
    xc_graph *g = calloc(1, sizeof *g);
    if (!g) return xc_fail(XC_ERR_NOMEM, "out of memory");
    *out = g;
    g->name = dup_str(gp->name);
    g->doc_string = dup_opt(gp->doc_string);
    g->proto = gp;
    g->nodes = calloc(gp->n_node ? gp->n_node : 1, sizeof(xc_node));
    g->initializers = calloc(gp->n_initializer ? gp->n_initializer : 1, sizeof(xc_tensor *));
    if (!g->name || !g->nodes || !g->initializers) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < gp->n_initializer; i++) {
        XC_TRY(xc_tensor_from_proto(gp->initializer[i], &ctx->src, &g->initializers[i]));
        g->n_initializers++;
        if (!g->initializers[i]->name || !g->initializers[i]->name[0])
            return xc_fail(XC_ERR_MODEL, "initializer #%zu has no name", i);
    }
    if (gp->n_sparse_initializer) return xc_fail(XC_ERR_UNSUPPORTED, "sparse initializers are not supported");
    XC_TRY(load_values(gp->input, gp->n_input, &g->inputs, &g->n_inputs, 1));
    XC_TRY(load_values(gp->output, gp->n_output, &g->outputs, &g->n_outputs, 1));
    XC_TRY(load_values(gp->value_info, gp->n_value_info, &g->value_info, &g->n_value_info, 0));
    for (size_t i = 0; i < gp->n_node; i++) {
        g->n_nodes++;
        xc_status s = load_node(gp->node[i], ctx, depth, &g->nodes[i]);
        if (s != XC_OK) {
            char lb[256];
            return xc_error_prefix(s, "%s: ", xc_node_label(&g->nodes[i], lb, sizeof lb));
        }
    }
    return XC_OK;
}

static xc_status load_model(Onnx__ModelProto *mp, const char *base_dir, const xc_issue_sink *sink, xc_model *m)
{
    m->ir_version = mp->has_ir_version ? mp->ir_version : 0;
    m->model_version = mp->has_model_version ? mp->model_version : 0;
    m->producer_name = dup_opt(mp->producer_name);
    m->producer_version = dup_opt(mp->producer_version);
    m->domain = dup_opt(mp->domain);
    m->doc_string = dup_opt(mp->doc_string);
    m->opsets = calloc(mp->n_opset_import ? mp->n_opset_import : 1, sizeof(xc_opset));
    m->metadata = calloc(mp->n_metadata_props ? mp->n_metadata_props : 1, sizeof(xc_kv));
    if (!m->opsets || !m->metadata) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < mp->n_opset_import; i++, m->n_opsets++) {
        m->opsets[i].domain = dup_str(mp->opset_import[i]->domain);
        m->opsets[i].version = mp->opset_import[i]->has_version ? mp->opset_import[i]->version : 0;
    }
    for (int i = 0; i < m->n_opsets; i++) {
        if (!m->opsets[i].domain) return xc_fail(XC_ERR_NOMEM, "out of memory");
        /* "" and "ai.onnx" are one domain: two imports of it leave its version ambiguous */
        const char *d = !strcmp(m->opsets[i].domain, "ai.onnx") ? "" : m->opsets[i].domain;
        for (int k = 0; k < i; k++) {
            const char *e = !strcmp(m->opsets[k].domain, "ai.onnx") ? "" : m->opsets[k].domain;
            if (!strcmp(d, e))
                return xc_fail(XC_ERR_MODEL, "opset_import lists domain '%s' twice (versions %lld and %lld)", *d ? d : "ai.onnx",
                               (long long)m->opsets[k].version, (long long)m->opsets[i].version);
        }
    }
    for (size_t i = 0; i < mp->n_metadata_props; i++, m->n_metadata++) {
        m->metadata[i].key = dup_str(mp->metadata_props[i]->key);
        m->metadata[i].value = dup_str(mp->metadata_props[i]->value);
    }
    if (!mp->graph) return xc_fail(XC_ERR_MODEL, "model has no graph");
    load_ctx ctx = {{base_dir, 1}};
    XC_TRY(load_graph(mp->graph, &ctx, 0, &m->graph));
    return xc_model_validate_all(m, sink);
}

static xc_status load_buffer(const void *buf, size_t len, const char *base_dir, const xc_issue_sink *sink, xc_model **out)
{
    *out = NULL;
    /* before unpacking: protobuf-c recurses once per level and a deep file overflows its stack */
    XC_TRY(xc_proto_check_depth(&onnx__model_proto__descriptor, buf, len, XC_PROTO_MAX_DEPTH));
    xc_proto_alloc pa;
    xc_proto_alloc_init(&pa);
    Onnx__ModelProto *mp = onnx__model_proto__unpack(&pa.allocator, len, buf);
    if (!mp && pa.failed) return xc_fail(XC_ERR_NOMEM, "out of memory unpacking the model's %zu bytes of protobuf", len);
    if (!mp) return xc_fail(XC_ERR_MODEL, "not a valid ONNX model (the protobuf does not parse: truncated or corrupt)");
    xc_model *m = calloc(1, sizeof *m);
    if (!m) {
        onnx__model_proto__free_unpacked(mp, NULL);
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    m->proto = mp;
    xc_status s = load_model(mp, base_dir, sink, m);
    if (s != XC_OK) {
        xc_model_free(m);
        /* a model that parses but cannot be built is one more problem to report */
        if (sink && s != XC_ERR_NOMEM) s = sink->report(sink->user, s, "load", NULL, NULL);
        return s;
    }
    *out = m;
    return XC_OK;
}

xc_status xc_model_load_buffer(const void *buf, size_t len, const char *base_dir, xc_model **out)
{
    return load_buffer(buf, len, base_dir, NULL, out);
}

static xc_status load_file(const char *path, const xc_issue_sink *sink, xc_model **out)
{
    *out = NULL;
    xc_mapping *map;
    XC_TRY(xc_read_file(path, &map));
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    xc_status s = load_buffer(map->addr, map->len, dirname(dir), sink, out);
    xc_mapping_release(map); /* protobuf-c copied what it needs */
    if (s != XC_OK) return xc_error_prefix(s, "%s: ", path);
    if (*out) {
        (*out)->path = strdup(path);
        xc_log(XC_LOG_INFO, "%s: loaded %d nodes, %d initializers, ai.onnx opset %lld", path, (*out)->graph->n_nodes,
               (*out)->graph->n_initializers, (long long)xc_model_opset(*out, ""));
    }
    return XC_OK;
}

xc_status xc_model_load(const char *path, xc_model **out) { return load_file(path, NULL, out); }

xc_status xc_model_load_checked(const char *path, const xc_issue_sink *sink, xc_model **out)
{
    return load_file(path, sink, out);
}
