/* dataset.c — test_data_set folders, lists of tensor files (read through results_load.c), and
 * name/position matching. */
#include "dataset.h"
#include "onnx_io.h"
#include "results.h"
#include "validate.h"
#include "value_proto.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static xc_status load_numbered(const char *dir, const char *prefix, xc_tensor_list *out)
{
    for (int k = 0;; k++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s_%d.pb", dir, prefix, k);
        if (access(path, F_OK) != 0) return XC_OK;
        xc_tensor *t;
        XC_TRY(xc_tensor_load_pb(path, &t));
        XC_TRY(xc_tensor_list_push(out, t));
    }
}

xc_status xc_dataset_load(const char *dir, xc_tensor_list *inputs, xc_tensor_list *outputs)
{
    struct stat st;
    if (stat(dir, &st) || !S_ISDIR(st.st_mode)) return xc_fail(XC_ERR_IO, "%s: not a folder", dir);
    if (inputs) XC_TRY(load_numbered(dir, "input", inputs));
    if (outputs) XC_TRY(load_numbered(dir, "output", outputs));
    return XC_OK;
}

xc_status xc_tensor_files_load(const char *const *paths, int n, const char *prefix, xc_tensor_list *out)
{
    int role = xc_result_role_from_name(prefix);
    if (role < 0) return xc_fail(XC_ERR_INTERNAL, "xc_tensor_files_load: bad role '%s'", prefix);
    /* each path on its own: bare .pb files add up, and every folder or JSON file gives its
     * first runner's iteration 0, as --load-inputs A B always meant A's tensors then B's */
    for (int i = 0; i < n; i++) {
        xc_results *r;
        XC_TRY(xc_results_load_paths(&paths[i], 1, (xc_result_role)role, &r));
        int any = 0;
        for (int k = 0; k < r->n; k++) any |= (int)r->e[k].role == role && r->e[k].iteration == 0;
        /* a test_data_set without input_K.pb is how ONNX stores a model that takes no inputs */
        xc_status s = any || strcmp(r->format, "test_data_set") ? xc_results_take(r, NULL, 0, (xc_result_role)role, out) : XC_OK;
        xc_results_free(r);
        XC_TRY(s);
    }
    return XC_OK;
}

int xc_graph_runtime_input_count(const xc_graph *g)
{
    int n = 0;
    for (int i = 0; i < g->n_inputs; i++) n += xc_graph_is_runtime_input(g, i);
    return n;
}

/* Matches names[i] (n of them) to given tensors: exact name first, then the tensor at the same
 * position when names do not help (unnamed tensors, as many test_data_sets have). */
static xc_status match(const char *const *names, int n, const xc_tensor_list *given, const xc_tensor **ordered, int required,
                       const char *what)
{
    int by_name = 0;
    for (int i = 0; i < n; i++) {
        ordered[i] = NULL;
        for (int j = 0; j < given->n; j++)
            if (given->t[j]->name && !strcmp(given->t[j]->name, names[i])) ordered[i] = given->t[j];
        by_name += ordered[i] != NULL;
    }
    /* outputs saved with intermediate tensors marked (Polygraphy's --onnx-outputs mark all): every
     * graph output found by name, the rest are not outputs of this model and are left alone */
    if (!required && by_name == n && given->n > n) return XC_OK;
    for (int i = 0; i < n; i++) {
        if (ordered[i] || i >= given->n) continue;
        const xc_tensor *cand = given->t[i];
        int claimed = 0; /* a positional match must not be a tensor already matched by name */
        for (int k = 0; k < n; k++) claimed |= ordered[k] == cand;
        if (!claimed) ordered[i] = cand;
    }
    if (given->n > n) return xc_fail(XC_ERR_USAGE, "%d %s tensors given but the model has %d", given->n, what, n);
    for (int i = 0; i < n && required; i++)
        if (!ordered[i]) return xc_fail(XC_ERR_USAGE, "no %s tensor given for '%s'", what, names[i]);
    return XC_OK;
}

/* Sequences and optionals read from files take the kind the graph declares (the two look
 * alike on the wire); a tensor given for one, or one for a tensor, is refused naming both. */
static xc_status conform(const xc_value_info *v, const xc_tensor_list *given, const xc_tensor *t, const char *what)
{
    if (!t || (t->value == XC_VALUE_TENSOR && v->value == XC_VALUE_TENSOR)) return XC_OK;
    for (int j = 0; j < given->n; j++)
        if (given->t[j] == t && xc_value_conform(given->t[j], v->value, v->dtype)) return XC_OK;
    char d[256];
    return xc_fail(XC_ERR_USAGE, "%s '%s': the model declares a %s, the given value is %s", what, v->name,
                   xc_value_kind_name(v->value), xc_tensor_desc(t, d, sizeof d));
}

xc_status xc_match_inputs(const xc_graph *g, const xc_tensor_list *given, const xc_tensor **ordered)
{
    const char **names = malloc(sizeof(char *) * (g->n_inputs + 1));
    if (!names) return xc_fail(XC_ERR_NOMEM, "out of memory");
    int n = 0;
    for (int i = 0; i < g->n_inputs; i++)
        if (xc_graph_is_runtime_input(g, i)) names[n++] = g->inputs[i].name;
    xc_status s = match(names, n, given, ordered, 1, "input");
    for (int i = 0, k = 0; s == XC_OK && i < g->n_inputs; i++)
        if (xc_graph_is_runtime_input(g, i)) s = conform(&g->inputs[i], given, ordered[k++], "input");
    free(names);
    return s;
}

xc_status xc_match_outputs(const xc_graph *g, const xc_tensor_list *given, const xc_tensor **ordered)
{
    const char **names = malloc(sizeof(char *) * (g->n_outputs + 1));
    if (!names) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int i = 0; i < g->n_outputs; i++) names[i] = g->outputs[i].name;
    xc_status s = match(names, g->n_outputs, given, ordered, 0, "output");
    for (int i = 0; s == XC_OK && i < g->n_outputs; i++) s = conform(&g->outputs[i], given, ordered[i], "output");
    free(names);
    return s;
}
