/* model_api.c — the public view of a model (crosscheck/model.h, crosscheck/dataset.h): counts
 * and names of what a run takes and gives, and matching tensor sets to them. Library users see
 * xc_model as opaque; inside the library the graph is read directly. */
#include "dataset.h"

int xc_model_input_count(const xc_model *m) { return xc_graph_runtime_input_count(m->graph); }

const char *xc_model_input_name(const xc_model *m, int i)
{
    for (int k = 0; k < m->graph->n_inputs; k++)
        if (xc_graph_is_runtime_input(m->graph, k) && i-- == 0) return m->graph->inputs[k].name;
    return NULL;
}

int xc_model_output_count(const xc_model *m) { return m->graph->n_outputs; }

const char *xc_model_output_name(const xc_model *m, int i)
{
    return i >= 0 && i < m->graph->n_outputs ? m->graph->outputs[i].name : NULL;
}

xc_status xc_model_match_inputs(const xc_model *m, const xc_tensor_list *given, const xc_tensor **ordered)
{
    return xc_match_inputs(m->graph, given, ordered);
}

xc_status xc_model_match_outputs(const xc_model *m, const xc_tensor_list *given, const xc_tensor **ordered)
{
    return xc_match_outputs(m->graph, given, ordered);
}
