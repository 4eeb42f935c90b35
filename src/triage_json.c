/* triage_json.c — the triage report as JSON ("format": "crosscheck-triage-1"): the same content
 * as the HTML page (verdict, culprit, minimal model, commands, steps with their times, every
 * layer's row), for scripts and CI. */
#include "triage.h"
#include <cjson/cJSON.h>
#include <math.h>

static void add_string(cJSON *o, const char *key, const char *v)
{
    if (v && v[0])
        cJSON_AddStringToObject(o, key, v);
    else
        cJSON_AddNullToObject(o, key);
}

/* A number, or null when not finite (JSON has no NaN). */
static void add_number(cJSON *o, const char *key, double v)
{
    if (isfinite(v))
        cJSON_AddNumberToObject(o, key, v);
    else
        cJSON_AddNullToObject(o, key);
}

cJSON *xc_triage_json(const xc_triage_config *c, const xc_triage_report *r)
{
    cJSON *root = cJSON_CreateObject();
    if (!root) return NULL;
    cJSON_AddStringToObject(root, "format", "crosscheck-triage-1");
    cJSON_AddStringToObject(root, "model", c->base.model_path);
    cJSON_AddBoolToObject(root, "diverged", r->diverged);
    cJSON_AddBoolToObject(root, "outputs_passed", r->outputs_passed);
    add_string(root, "crashed", r->crashed); /* the first build or run crashed: how */
    cJSON_AddNumberToObject(root, "layers", r->n_layers);
    cJSON_AddNumberToObject(root, "iteration", r->iteration);
    cJSON_AddNumberToObject(root, "failed_layers", r->n_failed);
    cJSON_AddBoolToObject(root, "fp16", r->fp16);
    if (r->first >= 0)
        cJSON_AddStringToObject(root, "first_divergence", r->layers[r->first].name);
    else
        cJSON_AddNullToObject(root, "first_divergence");
    cJSON *cul = cJSON_AddObjectToObject(root, "culprit");
    cJSON_AddBoolToObject(cul, "known", r->culprit_known);
    add_string(cul, "found_by", r->culprit_known ? r->culprit_by : NULL);
    add_string(cul, "layer", r->culprit_layer);
    add_string(cul, "nodes", r->culprit_nodes);
    add_string(cul, "what", r->culprit_what);
    cJSON *min = cJSON_AddObjectToObject(root, "minimal_model");
    add_string(min, "cut_model", r->cut_model);
    add_string(min, "path", r->minimal_model);
    add_string(min, "data", r->minimal_data);
    add_string(min, "nodes", r->minimal_nodes);
    cJSON_AddNumberToObject(min, "nodes_before", r->nodes_before);
    cJSON_AddNumberToObject(min, "nodes_after", r->nodes_after);
    cJSON *cmd = cJSON_AddObjectToObject(root, "commands");
    add_string(cmd, "reproduce", r->reproduce);
    add_string(cmd, "fix", r->fix);
    add_string(cmd, "reproduce_minimal", r->reduce_command);
    add_string(cmd, "fix_note", r->fix_note);
    cJSON *steps = cJSON_AddArrayToObject(root, "steps");
    for (int i = 0; i < r->n_steps; i++) {
        const xc_triage_step *s = &r->steps[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "step", s->name);
        cJSON_AddStringToObject(o, "why", s->why);
        cJSON_AddStringToObject(o, "result", s->result);
        cJSON_AddNumberToObject(o, "seconds", s->seconds);
        if (s->n_checks) cJSON_AddNumberToObject(o, "checks", s->n_checks);
        cJSON_AddItemToArray(steps, o);
    }
    cJSON_AddNumberToObject(root, "seconds", r->seconds);
    cJSON *files = cJSON_AddObjectToObject(root, "files");
    add_string(files, "html", r->html);
    add_string(files, "per_layer", r->per_layer_json);
    add_string(files, "graph_svg", r->graph_svg);
    add_string(files, "graph_note", r->graph_note);
    cJSON *layers = cJSON_AddArrayToObject(root, "per_layer");
    for (int i = 0; i < r->n_layers; i++) {
        const xc_triage_layer *t = &r->layers[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "layer", t->name);
        cJSON_AddStringToObject(o, "nodes", t->nodes);
        cJSON_AddStringToObject(o, "kind", t->kind);
        cJSON_AddStringToObject(o, "tactic", t->tactic);
        cJSON_AddBoolToObject(o, "baseline", t->baseline);
        add_string(o, "fusion", t->fusion);
        cJSON_AddStringToObject(o, "precision", t->precision);
        add_number(o, "error_over_tolerance", t->score);
        add_number(o, "max_abs", t->max_abs);
        add_number(o, "max_rel", t->max_rel);
        cJSON_AddStringToObject(o, "verdict", xc_verdict_name(t->verdict));
        cJSON_AddItemToArray(layers, o);
    }
    return root;
}
