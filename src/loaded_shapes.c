/* loaded_shapes.c — `run --ocl --load-inputs DIR` builds the engine for the shapes of the
 * inputs it will be fed, not for 1 in every symbolic dim (a decode step with a 7-long KV cache
 * failed against an engine built for a 1-long one). --input-shapes still wins for the inputs it
 * names. One engine is one static shape set: iterations of different shapes are refused before
 * anything is built, in one line that names the input and both shapes. */
#include "loaded_shapes.h"
#include "dataset.h"
#include "error.h"
#include "tensor.h"
#include <stdlib.h>
#include <string.h>

static int named(const xc_input_shape *given, int n_given, const char *name)
{
    for (int k = 0; k < n_given; k++)
        if (!strcmp(given[k].name, name)) return 1;
    return 0;
}

static int same_shape(const xc_tensor *a, const xc_tensor *b)
{
    return a->rank == b->rank && !memcmp(a->dims, b->dims, sizeof(int64_t) * (size_t)a->rank);
}

/* Iteration it's loaded inputs in graph order (fed: one borrowed pointer per runtime input). */
static xc_status iteration_inputs(const xc_graph *g, const xc_results *loaded, int it, xc_tensor_list *list,
                                  const xc_tensor **fed)
{
    XC_TRY(xc_results_select(loaded, NULL, it, XC_ROLE_INPUT, list));
    return xc_match_inputs(g, list, fed);
}

/* Fails when iteration it gives an input a shape other than iteration 0's (first). */
static xc_status check_iteration(const xc_graph *g, const xc_results *loaded, int it, const xc_input_shape *given, int n_given,
                                 const xc_tensor **first, const xc_tensor **fed)
{
    xc_tensor_list list = {0, NULL};
    xc_status s = iteration_inputs(g, loaded, it, &list, fed);
    for (int i = 0, k = 0; i < g->n_inputs && s == XC_OK; i++) {
        if (!xc_graph_is_runtime_input(g, i)) continue;
        const xc_tensor *a = first[k], *b = fed[k++];
        if (named(given, n_given, g->inputs[i].name) || same_shape(a, b)) continue;
        char sa[256], sb[256];
        s = xc_fail(XC_ERR_USAGE,
                    "input '%s': loaded iteration 0 is %s, iteration %d is %s; an engine is built for one shape per input (run "
                    "those iterations separately, or give --iterations %d)",
                    g->inputs[i].name, xc_tensor_desc(a, sa, sizeof sa), it, xc_tensor_desc(b, sb, sizeof sb), it);
    }
    xc_tensor_list_free(&list);
    return s;
}

xc_status xc_loaded_input_shapes(const xc_graph *g, const xc_results *loaded, int iterations, const xc_input_shape *given,
                                 int n_given, xc_input_shape **out, int *n_out)
{
    int n_in = xc_graph_runtime_input_count(g);
    *out = calloc((size_t)n_given + (size_t)n_in + 1, sizeof **out);
    const xc_tensor **first = calloc((size_t)n_in + 1, sizeof *first), **fed = calloc((size_t)n_in + 1, sizeof *fed);
    xc_tensor_list list0 = {0, NULL};
    xc_status s = *out && first && fed ? XC_OK : xc_fail(XC_ERR_NOMEM, "out of memory");
    if (s == XC_OK && n_given) memcpy(*out, given, sizeof **out * (size_t)n_given);
    *n_out = n_given;
    if (s == XC_OK && n_in) s = iteration_inputs(g, loaded, 0, &list0, first);
    for (int it = 1; it < iterations && s == XC_OK && n_in; it++) s = check_iteration(g, loaded, it, given, n_given, first, fed);
    for (int i = 0, k = 0; i < g->n_inputs && s == XC_OK && n_in; i++) {
        if (!xc_graph_is_runtime_input(g, i)) continue;
        const xc_tensor *t = first[k++];
        if (named(given, n_given, g->inputs[i].name)) continue;
        xc_input_shape *x = &(*out)[(*n_out)++];
        x->name = g->inputs[i].name;
        x->rank = t->rank;
        memcpy(x->dims, t->dims, sizeof(int64_t) * (size_t)t->rank);
    }
    xc_tensor_list_free(&list0);
    free(first);
    free(fed);
    if (s != XC_OK) {
        free(*out);
        *out = NULL;
        *n_out = 0;
    }
    return s;
}
