/* run_json.c — the JSON form of a run's report (see run_json.h). */
#include "run_json.h"
#include "check_json.h"
#include "compare_json.h"
#include "onnx_io.h"
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static cJSON *layer_json(const xc_model *m, const xc_layer_row *row, int index)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "index", index);
    cJSON_AddNumberToObject(o, "engine_layer", row->layer);
    cJSON_AddStringToObject(o, "layer", row->info.name);
    cJSON *nodes = cJSON_AddArrayToObject(o, "nodes");
    for (int k = 0; k < row->info.n_nodes; k++) {
        const xc_node *n = &m->graph->nodes[row->info.nodes[k]];
        cJSON_AddItemToArray(nodes, cJSON_CreateString(n->name[0] ? n->name : n->outputs[0]));
    }
    cJSON_AddStringToObject(o, "kind", row->info.kind);
    cJSON_AddStringToObject(o, "tactic", row->info.tactic);
    if (row->info.fusion) cJSON_AddStringToObject(o, "fusion", row->info.fusion);
    cJSON_AddStringToObject(o, "precision", xc_layer_info_precision(&row->info));
    cJSON_AddNumberToObject(o, "max_abs", row->max_abs);
    cJSON_AddNumberToObject(o, "max_rel", row->max_rel);
    cJSON_AddNumberToObject(o, "nmse", row->nmse);
    cJSON_AddNumberToObject(o, "score", row->score);
    cJSON_AddStringToObject(o, "verdict", xc_verdict_name(row->verdict));
    cJSON *ts = cJSON_AddArrayToObject(o, "tensors");
    for (int k = 0; k < row->n_tensors; k++) {
        cJSON *t = xc_compare_json(&row->tensors[k].r, &row->tensors[k].tol, NULL);
        cJSON_AddStringToObject(t, "name", row->tensors[k].name);
        cJSON_AddItemToArray(ts, t);
    }
    return o;
}

cJSON *xc_per_layer_json(const xc_run_report *r, int k, int it, xc_per_layer_mode mode)
{
    const xc_per_layer *p = &r->runners[k].per_layer[it];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "format", "crosscheck-per-layer-1");
    cJSON_AddStringToObject(o, "runner", r->runners[k].name);
    cJSON_AddStringToObject(o, "against", r->layers_against < 0 ? "reference" : r->runners[r->layers_against].name);
    cJSON_AddNumberToObject(o, "iteration", it);
    cJSON_AddStringToObject(o, "mode", mode == XC_PER_LAYER_ISOLATED ? "isolated" : "accumulated");
    if (p->first_divergence >= 0)
        cJSON_AddStringToObject(o, "first_divergence", p->rows[p->first_divergence].info.name);
    else
        cJSON_AddNullToObject(o, "first_divergence");
    cJSON_AddNumberToObject(o, "failed_layers", p->n_failed);
    cJSON *layers = cJSON_AddArrayToObject(o, "layers");
    for (int i = 0; i < p->n_rows; i++) cJSON_AddItemToArray(layers, layer_json(r->model, &p->rows[i], i));
    return o;
}

cJSON *xc_run_report_json(const xc_run_report *r, const xc_run_config *c)
{
    const xc_graph *g = r->model->graph;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "format", "crosscheck-run-1");
    cJSON_AddStringToObject(root, "model", c->model_path);
    cJSON_AddNumberToObject(root, "iterations", r->iterations);
    cJSON_AddBoolToObject(root, "passed", r->passed);
    cJSON_AddStringToObject(root, "verdict_from",
                            !c->per_layer               ? "outputs"
                            : c->per_layer_outputs_only ? "outputs (--per-layer-verdict outputs)"
                                                        : "outputs and per-layer rows");
    if (c->per_layer) cJSON_AddNumberToObject(root, "failed_layers", r->failed_layers);
    cJSON_AddStringToObject(root, "compare_to", r->runners[r->against].name);
    cJSON *runners = cJSON_AddArrayToObject(root, "runners");
    for (int k = 0; k < r->n_runners; k++) {
        cJSON *o = cJSON_CreateObject(), *secs = cJSON_AddArrayToObject(o, "seconds");
        cJSON_AddStringToObject(o, "name", r->runners[k].name);
        cJSON_AddStringToObject(o, "kind", r->runners[k].kind);
        for (int it = 0; it < r->iterations; it++) cJSON_AddItemToArray(secs, cJSON_CreateNumber(r->runners[k].seconds[it]));
        if (r->runners[k].first_nan) {
            cJSON *fn = cJSON_AddArrayToObject(o, "first_nan");
            for (int it = 0; it < r->iterations; it++) {
                const xc_first_nan *f = &r->runners[k].first_nan[it];
                cJSON *e = cJSON_CreateObject();
                cJSON_AddNumberToObject(e, "iteration", it);
                cJSON_AddBoolToObject(e, "found", f->found);
                if (f->found) {
                    cJSON_AddStringToObject(e, "layer", f->layer);
                    cJSON_AddStringToObject(e, "tensor", f->tensor);
                    cJSON_AddNumberToObject(e, "index", (double)f->index);
                    cJSON_AddStringToObject(e, "value", f->value != f->value ? "nan" : f->value > 0 ? "inf" : "-inf");
                }
                if (f->constant.found) { /* computed from constants alone: marked, not the answer */
                    cJSON *c = cJSON_AddObjectToObject(e, "constant_derived");
                    cJSON_AddStringToObject(c, "layer", f->constant.layer);
                    cJSON_AddStringToObject(c, "tensor", f->constant.tensor);
                    cJSON_AddNumberToObject(c, "index", (double)f->constant.index);
                    cJSON_AddStringToObject(c, "value",
                                            f->constant.value != f->constant.value ? "nan"
                                            : f->constant.value > 0                ? "inf"
                                                                                   : "-inf");
                }
                cJSON_AddItemToArray(fn, e);
            }
        }
        cJSON_AddItemToArray(runners, o);
    }
    cJSON *cmps = cJSON_AddArrayToObject(root, "comparisons");
    for (int i = 0; i < r->n_comparisons; i++) {
        const xc_comparison *cmp = &r->comparisons[i];
        cJSON *o = cJSON_CreateObject(), *outs = cJSON_CreateArray();
        cJSON_AddStringToObject(o, "runner", r->runners[cmp->runner].name);
        cJSON_AddStringToObject(o, "against", r->runners[cmp->against].name);
        cJSON_AddNumberToObject(o, "iteration", cmp->iteration);
        cJSON_AddBoolToObject(o, "passed", cmp->passed);
        for (int k = 0; k < r->n_outputs; k++) {
            if (!cmp->outputs[k].present) continue;
            cJSON *e = xc_compare_json(&cmp->outputs[k].r, &cmp->outputs[k].tol,
                                       xc_checked_out(&cmp->outputs[k].checks, xc_run_output(r, cmp->runner, cmp->iteration, k)));
            cJSON_AddStringToObject(e, "name", g->outputs[k].name);
            xc_check_result_json(&cmp->outputs[k].checks, e);
            cJSON_AddItemToArray(outs, e);
        }
        cJSON_AddItemToObject(o, "outputs", outs);
        cJSON_AddItemToArray(cmps, o);
    }
    if (c->validate) cJSON_AddNumberToObject(root, "invalid_outputs", r->invalid);
    if (r->n_averages) cJSON_AddItemToObject(root, "averages", xc_averages_json(r));
    cJSON *all = NULL;
    for (int k = 0; k < r->n_runners; k++)
        for (int it = 0; r->runners[k].per_layer && it < r->iterations; it++) {
            if (!all) { /* the first table stands alone too, for `graph --results` */
                cJSON_AddItemToObject(root, "per_layer", xc_per_layer_json(r, k, it, c->per_layer));
                all = cJSON_AddArrayToObject(root, "per_layer_all");
            }
            cJSON_AddItemToArray(all, xc_per_layer_json(r, k, it, c->per_layer));
        }
    cJSON_AddNumberToObject(root, "peak_tensor_bytes", (double)r->peak_bytes);
    return root;
}

xc_status xc_run_report_save_json(const xc_run_report *r, const xc_run_config *c, const char *path)
{
    cJSON *j = xc_run_report_json(r, c);
    char *text = j ? cJSON_Print(j) : NULL;
    xc_status s = text ? xc_write_file(path, text, strlen(text)) : xc_fail(XC_ERR_NOMEM, "out of memory");
    cJSON_free(text);
    cJSON_Delete(j);
    return s;
}
