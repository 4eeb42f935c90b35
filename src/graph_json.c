/* graph_json.c — shapes and node attributes as JSON (see graph_json.h), for `inspect model` and
 * for the key parameters of `inspect engine` layers. */
#include "graph_json.h"
#include <stdio.h>
#include <stdlib.h>

cJSON *xc_inspect_shape_json(int rank, const int64_t *dims, char *const *dim_params)
{
    if (rank < 0) return cJSON_CreateNull();
    cJSON *shape = cJSON_CreateArray();
    for (int k = 0; k < rank; k++) {
        if (dims[k] >= 0)
            cJSON_AddItemToArray(shape, cJSON_CreateNumber((double)dims[k]));
        else
            cJSON_AddItemToArray(shape, cJSON_CreateString(dim_params && dim_params[k] ? dim_params[k] : "?"));
    }
    return shape;
}

/* A float attribute as the shortest decimal that reads back as the same float, so 1e-5f
 * prints as 1e-05 and not as its double expansion 9.99999974737875e-06. */
static cJSON *float_json(float f)
{
    char buf[32];
    for (int prec = 6; prec <= 9; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, (double)f);
        if ((float)strtod(buf, NULL) == f || prec == 9) break;
    }
    return cJSON_CreateNumber(strtod(buf, NULL));
}

/* "<tensor float32[2,3]>", with the values when there are at most 8 of them. */
static cJSON *tensor_summary(const xc_tensor *t)
{
    char shape[256], text[600];
    if (!t) return cJSON_CreateString("<tensor>");
    int o = snprintf(text, sizeof text, "<tensor %s", xc_shape_str(t->dtype, t->rank, t->dims, shape, sizeof shape));
    size_t n = xc_tensor_numel(t);
    if (n <= 8 && xc_dtype_supported(t->dtype) && t->data) {
        for (size_t i = 0; i < n && o < (int)sizeof text; i++)
            o += snprintf(text + o, sizeof text - o, "%s%.9g", i ? ", " : " = [", xc_load_f64(t->dtype, t->data, i));
        if (o < (int)sizeof text) o += snprintf(text + o, sizeof text - o, "%s", n ? "]" : " = []");
    }
    if (o < (int)sizeof text) snprintf(text + o, sizeof text - o, ">");
    return cJSON_CreateString(text);
}

static cJSON *graph_summary(const xc_graph *g)
{
    char text[64];
    snprintf(text, sizeof text, "<subgraph %d nodes>", g ? g->n_nodes : 0);
    return cJSON_CreateString(text);
}

cJSON *xc_inspect_attr_json(const xc_attr *a)
{
    cJSON *list;
    if (a->ref_attr_name) {
        char text[300];
        snprintf(text, sizeof text, "<refers to attribute '%s'>", a->ref_attr_name);
        return cJSON_CreateString(text);
    }
    switch (a->type) {
    case XC_ATTR_FLOAT: return float_json(a->f);
    case XC_ATTR_INT: return cJSON_CreateNumber((double)a->i);
    case XC_ATTR_STRING: return cJSON_CreateString(a->s ? a->s : "");
    case XC_ATTR_TENSOR: return tensor_summary(a->t);
    case XC_ATTR_GRAPH: return graph_summary(a->g);
    case XC_ATTR_SPARSE_TENSOR: return cJSON_CreateString("<sparse tensor>");
    case XC_ATTR_TYPE_PROTO: return cJSON_CreateString("<type>");
    case XC_ATTR_SPARSE_TENSORS: return cJSON_CreateString("<sparse tensors>");
    case XC_ATTR_TYPE_PROTOS: return cJSON_CreateString("<types>");
    case XC_ATTR_UNDEFINED: return cJSON_CreateNull();
    default: break;
    }
    list = cJSON_CreateArray();
    for (size_t i = 0; i < a->n; i++) {
        cJSON *v = a->type == XC_ATTR_FLOATS    ? float_json(a->floats[i])
                   : a->type == XC_ATTR_INTS    ? cJSON_CreateNumber((double)a->ints[i])
                   : a->type == XC_ATTR_STRINGS ? cJSON_CreateString(a->strings[i] ? a->strings[i] : "")
                   : a->type == XC_ATTR_TENSORS ? tensor_summary(a->tensors[i])
                                                : graph_summary(a->graphs[i]);
        cJSON_AddItemToArray(list, v);
    }
    return list;
}

cJSON *xc_inspect_attrs_json(const xc_node *n)
{
    cJSON *o = cJSON_CreateObject();
    for (int i = 0; i < n->n_attrs; i++) cJSON_AddItemToObject(o, n->attrs[i].name, xc_inspect_attr_json(&n->attrs[i]));
    return o;
}
