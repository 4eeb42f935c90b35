/* inspect_layers.c — `inspect model --show layers[,attrs]`: every node with its inputs and
 * outputs typed by the model's load-time inference (see inspect.h), subgraph nodes included
 * after their owner, named by their path ("Loop_3/body/Add_1"). */
#include "inspect.h"
#include "validate.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A graph and what inference learnt about it, inside the graphs around it: subgraph nodes
 * read values of their enclosing graphs. */
typedef struct layer_scope {
    const xc_graph *g;
    const xc_graph_types *t;
    const struct layer_scope *parent;
} layer_scope;

static cJSON *typed_value(const layer_scope *sc, const char *name)
{
    const xc_type_shape *t = NULL;
    const xc_value_info *d = NULL;
    const xc_tensor *init = NULL;
    int is_init = 0;
    for (; sc; sc = sc->parent) { /* the innermost graph that knows the name */
        t = sc->t ? xc_graph_type(sc->t, name) : NULL;
        d = xc_graph_declared(sc->g, name);
        is_init = xc_graph_find_initializer(sc->g, name, &init);
        if (t || d || is_init || !sc->parent) break;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", name);
    xc_dtype dt = t && t->dtype != XC_UNDEFINED ? t->dtype : d ? d->dtype : XC_UNDEFINED;
    cJSON_AddStringToObject(o, "dtype", xc_dtype_name(dt));
    char *const *params = d && t && d->rank == t->rank ? d->dim_params : NULL;
    if (t && t->rank >= 0)
        cJSON_AddItemToObject(o, "shape", xc_inspect_shape_json(t->rank, t->dims, params));
    else if (d)
        cJSON_AddItemToObject(o, "shape", xc_inspect_shape_json(d->rank, d->dims, d->dim_params));
    else
        cJSON_AddNullToObject(o, "shape");
    cJSON_AddBoolToObject(o, "initializer", is_init);
    return o;
}

static cJSON *values_json(const layer_scope *sc, char **names, int n)
{
    cJSON *list = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        if (names[i][0]) cJSON_AddItemToArray(list, typed_value(sc, names[i])); /* "" = omitted optional */
    return list;
}

/* The nodes of sc->g, each followed by the nodes of its subgraphs, named by their path from
 * the model's graph ("Loop_3/body/Add_1"; prefix NULL for the model's graph). */
static void add_layers(cJSON *list, const layer_scope *sc, const char *prefix, unsigned flags)
{
    for (int k = 0; k < sc->g->n_nodes; k++) {
        const xc_node *n = &sc->g->nodes[k];
        char *path = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&path, &len);
        if (!f) return;
        if (prefix) fprintf(f, "%s/", prefix);
        /* an unnamed node inside a subgraph is named by its first output (or its index) */
        if (n->name[0] || !prefix)
            fputs(n->name, f);
        else if (n->n_outputs && n->outputs[0][0])
            fputs(n->outputs[0], f);
        else
            fprintf(f, "%s_%d", n->op_type, k);
        fclose(f);
        if (!path) return;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "index", k);
        cJSON_AddStringToObject(o, "name", path);
        if (prefix) cJSON_AddStringToObject(o, "graph", prefix); /* a subgraph's node */
        cJSON_AddStringToObject(o, "op", n->op_type);
        cJSON_AddStringToObject(o, "domain", n->domain[0] ? n->domain : "ai.onnx");
        cJSON_AddItemToObject(o, "inputs", values_json(sc, n->inputs, n->n_inputs));
        cJSON_AddItemToObject(o, "outputs", values_json(sc, n->outputs, n->n_outputs));
        if (flags & XC_SHOW_ATTRS) cJSON_AddItemToObject(o, "attributes", xc_inspect_attrs_json(n));
        cJSON_AddItemToArray(list, o);
        for (int a = 0; a < n->n_attrs; a++) {
            const xc_attr *at = &n->attrs[a];
            size_t count = at->g ? 1 : at->graphs ? at->n : 0;
            for (size_t j = 0; j < count; j++) {
                const xc_graph *sg = at->g ? at->g : at->graphs[j];
                char *sub = NULL;
                size_t sub_len = 0;
                FILE *sf = open_memstream(&sub, &sub_len);
                if (!sf) break;
                fprintf(sf, at->g ? "%s/%s" : "%s/%s[%zu]", path, at->name, j);
                fclose(sf);
                if (!sub) break;
                layer_scope inner = {sg, xc_subgraph_types_of(sc->t, sg), sc};
                add_layers(list, &inner, sub, flags);
                free(sub);
            }
        }
        free(path);
    }
}

static cJSON *layers_json(const xc_model *m, unsigned flags)
{
    cJSON *list = cJSON_CreateArray();
    layer_scope top = {m->graph, m->types, NULL};
    add_layers(list, &top, NULL, flags);
    return list;
}

xc_status xc_inspect_parse_show(const char *list, unsigned *flags)
{
    static const struct {
        const char *word;
        unsigned flag;
    } views[] = {{"layers", XC_SHOW_LAYERS}, {"attrs", XC_SHOW_ATTRS | XC_SHOW_LAYERS}, {"weights", XC_SHOW_WEIGHTS}};
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
