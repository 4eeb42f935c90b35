/* inspect_layers.c — `inspect model --show layers[,attrs]`: every node with its inputs and
 * outputs typed by the model's load-time inference (see inspect.h). */
#include "inspect.h"
#include "validate.h"
#include <string.h>

static cJSON *typed_value(const xc_model *m, const char *name)
{
    const xc_type_shape *t = m->types ? xc_graph_type(m->types, name) : NULL;
    const xc_value_info *d = xc_graph_declared(m->graph, name);
    const xc_tensor *init;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", name);
    xc_dtype dt = t && t->dtype != XC_UNDEFINED ? t->dtype : d ? d->dtype : XC_UNDEFINED;
    cJSON_AddStringToObject(o, "dtype", xc_dtype_name(dt));
    char *const *params = d && t && d->rank == t->rank ? d->dim_params : NULL;
    if (t && t->rank >= 0) cJSON_AddItemToObject(o, "shape", xc_inspect_shape_json(t->rank, t->dims, params));
    else if (d) cJSON_AddItemToObject(o, "shape", xc_inspect_shape_json(d->rank, d->dims, d->dim_params));
    else cJSON_AddNullToObject(o, "shape");
    cJSON_AddBoolToObject(o, "initializer", xc_graph_find_initializer(m->graph, name, &init));
    return o;
}

static cJSON *values_json(const xc_model *m, char **names, int n)
{
    cJSON *list = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        if (names[i][0]) cJSON_AddItemToArray(list, typed_value(m, names[i])); /* "" = omitted optional */
    return list;
}

static cJSON *layers_json(const xc_model *m, unsigned flags)
{
    cJSON *list = cJSON_CreateArray();
    for (int k = 0; k < m->graph->n_nodes; k++) {
        const xc_node *n = &m->graph->nodes[k];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "index", k);
        cJSON_AddStringToObject(o, "name", n->name);
        cJSON_AddStringToObject(o, "op", n->op_type);
        cJSON_AddStringToObject(o, "domain", n->domain[0] ? n->domain : "ai.onnx");
        cJSON_AddItemToObject(o, "inputs", values_json(m, n->inputs, n->n_inputs));
        cJSON_AddItemToObject(o, "outputs", values_json(m, n->outputs, n->n_outputs));
        if (flags & XC_SHOW_ATTRS) cJSON_AddItemToObject(o, "attributes", xc_inspect_attrs_json(n));
        cJSON_AddItemToArray(list, o);
    }
    return list;
}

xc_status xc_inspect_parse_show(const char *list, unsigned *flags)
{
    static const struct { const char *word; unsigned flag; } views[] = {
        {"layers", XC_SHOW_LAYERS}, {"attrs", XC_SHOW_ATTRS | XC_SHOW_LAYERS}, {"weights", XC_SHOW_WEIGHTS}};
    *flags = 0;
    const char *p = list;
    while (*p) {
        size_t len = strcspn(p, ",");
        size_t v = 0;
        while (v < sizeof views / sizeof *views && (strlen(views[v].word) != len || strncmp(views[v].word, p, len))) v++;
        if (v == sizeof views / sizeof *views)
            return xc_fail(XC_ERR_USAGE, "--show: unknown view '%.*s' (expected layers, attrs or weights)", (int)len, p);
        *flags |= views[v].flag;
        p += len;
        if (*p == ',') p++;
    }
    if (!*flags) return xc_fail(XC_ERR_USAGE, "--show needs layers, attrs or weights");
    return XC_OK;
}

xc_status xc_inspect_model_show(const xc_model *m, unsigned flags, cJSON *summary)
{
    if (flags & XC_SHOW_LAYERS) cJSON_AddItemToObject(summary, "layers", layers_json(m, flags));
    if (flags & XC_SHOW_WEIGHTS) cJSON_AddItemToObject(summary, "weights", xc_inspect_weights_json(m->graph));
    return XC_OK;
}
