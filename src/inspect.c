/* inspect.c — builds the model summary (see inspect.h); the --show views live in
 * inspect_layers.c and inspect_weights.c (shapes and attributes as JSON: graph_json.c). */
#include "inspect.h"
#include "backend.h"
#include "validate.h"
#include <stdio.h>
#include <string.h>

static cJSON *value_json(const xc_value_info *v)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", v->name);
    cJSON_AddStringToObject(o, "dtype", xc_dtype_name(v->dtype));
    cJSON_AddItemToObject(o, "shape", xc_inspect_shape_json(v->rank, v->dims, v->dim_params));
    if (v->value != XC_VALUE_TENSOR) /* dtype and shape are then those of the tensors it holds */
        cJSON_AddStringToObject(o, "value", xc_value_kind_name(v->value));
    return o;
}

static void add_unsupported(const xc_model *m, cJSON *root)
{
    cJSON *list = cJSON_CreateArray();
    const xc_graph *g = m->graph;
    for (int k = 0; k < g->n_nodes; k++) {
        const xc_node *n = &g->nodes[k];
        char buf[512];
        const char *why = xc_ref_node_unsupported(m, k, buf, sizeof buf);
        if (!why) continue;
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "node", n->name);
        cJSON_AddStringToObject(e, "op", n->op_type);
        cJSON_AddStringToObject(e, "domain", n->domain);
        cJSON_AddStringToObject(e, "reason", why);
        cJSON_AddItemToArray(list, e);
    }
    cJSON_AddItemToObject(root, "unsupported", list);
}

cJSON *xc_inspect_model(const xc_model *m)
{
    const xc_graph *g = m->graph;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "path", m->path ? m->path : "");
    cJSON_AddNumberToObject(root, "ir_version", (double)m->ir_version);
    cJSON_AddStringToObject(root, "producer", m->producer_name ? m->producer_name : "");
    cJSON_AddStringToObject(root, "producer_version", m->producer_version ? m->producer_version : "");
    cJSON_AddStringToObject(root, "graph_name", g->name);
    cJSON_AddStringToObject(root, "doc_string", m->doc_string ? m->doc_string : "");
    cJSON *opsets = cJSON_AddArrayToObject(root, "opsets");
    for (int i = 0; i < m->n_opsets; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "domain", m->opsets[i].domain[0] ? m->opsets[i].domain : "ai.onnx");
        cJSON_AddNumberToObject(o, "version", (double)m->opsets[i].version);
        cJSON_AddItemToArray(opsets, o);
    }
    cJSON *meta = cJSON_AddObjectToObject(root, "metadata");
    for (int i = 0; i < m->n_metadata; i++) cJSON_AddStringToObject(meta, m->metadata[i].key, m->metadata[i].value);
    cJSON *ins = cJSON_AddArrayToObject(root, "inputs"), *outs = cJSON_AddArrayToObject(root, "outputs");
    for (int i = 0; i < g->n_inputs; i++)
        if (xc_graph_is_runtime_input(g, i)) cJSON_AddItemToArray(ins, value_json(&g->inputs[i]));
    for (int i = 0; i < g->n_outputs; i++) cJSON_AddItemToArray(outs, value_json(&g->outputs[i]));
    cJSON_AddNumberToObject(root, "nodes", g->n_nodes);
    cJSON *ops = cJSON_AddObjectToObject(root, "ops");
    for (int k = 0; k < g->n_nodes; k++) {
        cJSON *c = cJSON_GetObjectItemCaseSensitive(ops, g->nodes[k].op_type);
        if (c)
            cJSON_SetNumberValue(c, c->valuedouble + 1);
        else
            cJSON_AddNumberToObject(ops, g->nodes[k].op_type, 1);
    }
    double params = 0, bytes = 0;
    for (int i = 0; i < g->n_initializers; i++) {
        params += (double)xc_tensor_numel(g->initializers[i]);
        bytes += (double)g->initializers[i]->nbytes;
    }
    cJSON_AddNumberToObject(root, "initializers", g->n_initializers);
    cJSON_AddNumberToObject(root, "parameters", params);
    cJSON_AddNumberToObject(root, "parameter_bytes", bytes);
    add_unsupported(m, root);
    return root;
}
