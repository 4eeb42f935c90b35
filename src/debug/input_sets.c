/* input_sets.c — the input sets a debug session checks (issue 16 D4): every --load-inputs path
 * (a glob is expanded; each path holds one set, or several iterations of a results folder)
 * becomes loaded sets 0..L-1, in the order given; --iterations N > L adds generated sets up to
 * N (set k from seed + k), N < L keeps the first N; without --iterations all L are checked
 * (none loaded: one generated set). Engines are built for the loaded sets' shapes, as `run`
 * builds them (loaded_shapes.h): one static shape per input, so sets of different shapes are
 * refused before anything is built. Generated sets take the same shapes. */
#include "debug/session.h"
#include "dataset.h"
#include "loaded_shapes.h"
#include "results.h"
#include <glob.h>
#include <stdlib.h>
#include <string.h>

#define RUNNER "loaded"

/* Appends every input set of path to all (iterations renumbered from *n_sets). */
static xc_status load_path(const char *path, xc_results *all, int *n_sets)
{
    xc_results *r;
    XC_TRY(xc_results_load_paths(&path, 1, XC_ROLE_INPUT, &r));
    const char **names = NULL;
    int n = 0;
    xc_status s = xc_results_runners(r, &names, &n);
    int iters = s == XC_OK && n ? xc_results_iterations(r, names[0]) : 0;
    if (!iters) iters = 1; /* a model without inputs */
    for (int it = 0; it < iters && s == XC_OK; it++) {
        xc_tensor_list l = {0, NULL};
        s = n ? xc_results_select(r, names[0], it, XC_ROLE_INPUT, &l) : XC_OK;
        for (int k = 0; k < l.n && s == XC_OK; k++) {
            xc_tensor *c;
            s = xc_tensor_clone(l.t[k], &c);
            if (s == XC_OK) s = xc_results_append(all, RUNNER, *n_sets, XC_ROLE_INPUT, c);
        }
        xc_tensor_list_free(&l);
        (*n_sets)++;
    }
    free(names);
    xc_results_free(r);
    return s == XC_OK ? XC_OK : xc_error_prefix(s, "--load-inputs %s: ", path);
}

static xc_status load_all(const xc_debug_config *c, xc_results *all, int *n_sets)
{
    for (int i = 0; i < c->n_load_inputs; i++) {
        const char *p = c->load_inputs[i];
        if (!p[strcspn(p, "*?[")]) {
            XC_TRY(load_path(p, all, n_sets));
            continue;
        }
        glob_t g;
        int rc = glob(p, 0, NULL, &g); /* sorted: test_data_set_0, _1, ... in order */
        if (rc == GLOB_NOMATCH) return xc_fail(XC_ERR_USAGE, "--load-inputs %s: no file or folder matches", p);
        if (rc) return xc_fail(XC_ERR_IO, "--load-inputs %s: cannot expand the pattern", p);
        xc_status s = XC_OK;
        for (size_t k = 0; k < g.gl_pathc && s == XC_OK; k++) s = load_path(g.gl_pathv[k], all, n_sets);
        globfree(&g);
        XC_TRY(s);
    }
    return XC_OK;
}

xc_status xc_debug_input_sets(xc_debug_session *s)
{
    const xc_debug_config *c = s->cfg;
    const xc_graph *g = s->model->graph;
    int loaded = 0;
    s->n_shapes = c->ocl.n_shapes;
    if (!c->n_load_inputs) {
        s->n_iter = c->iterations > 0 ? c->iterations : 1;
        return XC_OK;
    }
    XC_TRY(xc_results_new(c->load_inputs[0], "mixed", &s->loaded));
    XC_TRY(load_all(c, s->loaded, &loaded));
    s->n_iter = c->iterations > 0 ? c->iterations : loaded;
    s->n_loaded = loaded < s->n_iter ? loaded : s->n_iter;
    XC_TRY(xc_loaded_input_shapes(g, s->loaded, s->n_loaded, c->ocl.shapes, c->ocl.n_shapes, &s->shapes, &s->n_shapes));
    xc_debug_say(s, "inputs: %d loaded set%s%s, %d generated (seeds from %llu)", s->n_loaded, s->n_loaded == 1 ? "" : "s",
                 loaded > s->n_loaded ? " (the first ones: --iterations)" : "", s->n_iter - s->n_loaded,
                 (unsigned long long)(c->inputs.seed + (uint64_t)s->n_loaded));
    return XC_OK;
}

xc_status xc_debug_make_set(const xc_debug_session *s, int k, uint64_t seed, xc_tensor_list *out)
{
    if (k >= 0 && k < s->n_loaded) return xc_results_select(s->loaded, RUNNER, k, XC_ROLE_INPUT, out);
    xc_input_spec spec = s->cfg->inputs;
    spec.seed = seed;
    spec.shapes = s->shapes ? s->shapes : s->cfg->ocl.shapes;
    spec.n_shapes = s->n_shapes;
    return xc_generate_inputs(s->model->graph, &spec, out);
}
