/* loaded.c — saved results as a runner (`--load-outputs PATH...`): .pb files, test_data_set or
 * results folders, Polygraphy RunResults JSON. One runner per runner name saved inside (a
 * Polygraphy JSON may hold several), named as saved. Outputs are matched to the model's by
 * name, else by position. With layers asked for (per-layer), it observes the intermediate
 * tensors saved with them (crosscheck --outputs, Polygraphy mark all), node by node. */
#include "runners/runner.h"
#include "dataset.h"
#include "results.h"
#include <stdlib.h>
#include <string.h>

typedef struct loaded {
    xc_results *results; /* owned by the first runner of its files, else borrowed */
    xc_results *layers;  /* role "layer" tensors, when asked (same owner) */
    int owns;
    char *source;          /* the runner's name inside the results, owned */
    const xc_model *model; /* borrowed: the names outputs and layers are matched to */
} loaded;

static void loaded_release(xc_runner *r)
{
    loaded *l = r->impl;
    if (!l) return;
    if (l->owns) {
        xc_results_free(l->results);
        xc_results_free(l->layers);
    }
    free(l->source);
    free(l);
}

/* Each saved runner must hold outputs for every iteration run: an iteration it lacks would
 * otherwise compare nothing and read as passed. */
static xc_status check_iterations(const xc_runner_spec *spec, const xc_results *res, const char *const *names, int n,
                                  int iterations)
{
    for (int i = 0; i < n; i++) {
        int have = xc_results_iterations(res, names[i]);
        if (have < iterations)
            return xc_fail(XC_ERR_USAGE,
                           "%s: runner '%s' holds outputs for %d iteration%s, but the run has %d (--iterations, or the "
                           "iterations --load-inputs holds)",
                           spec->paths[0], names[i], have, have == 1 ? "" : "s", iterations);
    }
    return XC_OK;
}

static xc_status loaded_prepare(const xc_runner_spec *spec, const xc_runner_env *env, xc_runner_list *out)
{
    xc_results *res = NULL, *layers = NULL;
    XC_TRY(xc_results_load_paths(spec->paths, spec->n_paths, XC_ROLE_OUTPUT, &res));
    const char **names = NULL;
    int n = 0, owner_made = 0;
    xc_status s = env->layers ? xc_results_load_paths(spec->paths, spec->n_paths, XC_ROLE_LAYER, &layers) : XC_OK;
    if (s == XC_OK) s = xc_results_runners(res, &names, &n);
    if (s == XC_OK && !n) s = xc_fail(XC_ERR_USAGE, "%s: holds no outputs", spec->paths[0]);
    if (s == XC_OK) s = check_iterations(spec, res, names, n, env->iterations);
    for (int i = 0; i < n && s == XC_OK; i++) {
        xc_runner *r;
        loaded *l = calloc(1, sizeof *l);
        s = l ? xc_runner_new(&xc_runner_loaded, &r) : xc_fail(XC_ERR_NOMEM, "out of memory");
        if (s != XC_OK) {
            free(l);
            break;
        }
        *l = (loaded){res, layers, i == 0, strdup(names[i]), env->model};
        r->impl = l;
        r->live = 0;
        r->observes = layers != NULL;
        r->row_tactic = "saved";
        owner_made |= i == 0;
        /* plain tensor files are saved under "files": the runner is called by its kind */
        if (!l->source || (strcmp(names[i], "files") && !(r->name = strdup(names[i])))) {
            xc_runner_free(r);
            s = xc_fail(XC_ERR_NOMEM, "out of memory");
            break;
        }
        s = xc_runner_list_add(out, r);
    }
    free(names);
    if (!owner_made) {
        xc_results_free(res);
        xc_results_free(layers);
    }
    return s;
}

/* A saved tensor named name: graph outputs are saved as outputs, marked ones as layers. */
static const xc_tensor *saved(const loaded *l, int it, const char *name)
{
    const xc_results *sets[] = {l->layers, l->results};
    for (int i = 0; i < 2; i++) {
        const xc_tensor *t = NULL;
        if (sets[i] && !(t = xc_results_find(sets[i], l->source, it, XC_ROLE_LAYER, name)))
            t = xc_results_find(sets[i], l->source, it, XC_ROLE_OUTPUT, name);
        if (t) return t;
    }
    return NULL;
}

/* Every node output saved, in the model's (topological) order, reported as made by its node. */
static xc_status observe_saved(const xc_runner *r, int it, const xc_observer *obs)
{
    const loaded *l = r->impl;
    const xc_graph *g = l->model->graph;
    int intermediates = 0;
    for (int k = 0; k < g->n_nodes; k++) {
        const xc_node *nd = &g->nodes[k];
        for (int o = 0; o < nd->n_outputs; o++) {
            const xc_tensor *t = nd->outputs[o][0] ? saved(l, it, nd->outputs[o]) : NULL;
            if (!t) continue;
            int is_output = 0;
            for (int i = 0; i < g->n_outputs; i++) is_output |= !strcmp(g->outputs[i].name, nd->outputs[o]);
            intermediates += !is_output;
            XC_TRY(obs->on_tensor(obs->user, nd->outputs[o], t, nd->name[0] ? nd->name : nd->outputs[0]));
        }
    }
    if (!intermediates)
        return xc_fail(XC_ERR_USAGE,
                       "per-layer: the saved results of '%s' hold no intermediate tensor of the model (save them "
                       "with every layer marked: crosscheck run --outputs mark all, or polygraphy --onnx-outputs mark all)",
                       l->source);
    return XC_OK;
}

static xc_status loaded_run(xc_runner *r, int it, const xc_tensor *const *in, xc_tensor **out, const xc_observer *obs)
{
    (void)in;
    loaded *l = r->impl;
    const xc_graph *g = l->model->graph;
    if (obs) XC_TRY(observe_saved(r, it, obs));
    xc_tensor_list got = {0, NULL};
    const xc_tensor **want = calloc((size_t)g->n_outputs + 1, sizeof *want);
    xc_status s =
        want ? xc_results_take(l->results, l->source, it, XC_ROLE_OUTPUT, &got) : xc_fail(XC_ERR_NOMEM, "out of memory");
    if (s == XC_OK) s = xc_match_outputs(g, &got, want);            /* by name, else by position */
    for (int o = 0; o < g->n_outputs && s == XC_OK && it == 0; o++) /* a name, but not this output's */
        if (want[o] && want[o]->name && *want[o]->name && strcmp(want[o]->name, g->outputs[o].name))
            xc_warn("runner %s: saved output '%s' matches no output of the model; compared with output '%s' by position",
                    r->name ? r->name : "loaded", want[o]->name, g->outputs[o].name);
    for (int o = 0; o < g->n_outputs && s == XC_OK; o++)
        if (want[o]) s = xc_tensor_clone(want[o], &out[o]);
    free(want);
    xc_tensor_list_free(&got);
    return s;
}

const xc_runner_type xc_runner_loaded = {
    .kind = "loaded",
    .option = "--load-outputs",
    .arg = XC_RUNNER_ARG_LIST,
    .value_help = "PATH...",
    .help =
        "saved results: .pb files, test_data_set or results folders,\n"
        "Polygraphy RunResults JSON",
    .without_model = 1,
    .prepare = loaded_prepare,
    .run = loaded_run,
    .release = loaded_release,
};
