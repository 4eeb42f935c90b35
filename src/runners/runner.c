/* runner.c — the runner registry and what every runner shares: creating, listing, freeing. */
#include "runners/runner.h"
#include <stdlib.h>
#include <string.h>

#define X(name) &xc_runner_##name,
const xc_runner_type *const xc_runner_types[] = {XC_RUNNER_TYPES NULL};
#undef X

const xc_runner_type *xc_runner_type_find(const char *kind)
{
    for (int i = 0; kind && xc_runner_types[i]; i++)
        if (!strcmp(xc_runner_types[i]->kind, kind)) return xc_runner_types[i];
    return NULL;
}

xc_status xc_runner_new(const xc_runner_type *t, xc_runner **out)
{
    *out = calloc(1, sizeof **out);
    if (!*out) return xc_fail(XC_ERR_NOMEM, "out of memory");
    (*out)->type = t;
    (*out)->live = 1;
    return XC_OK;
}

void xc_runner_free(xc_runner *r)
{
    if (!r) return;
    if (r->type->release) r->type->release(r);
    if (!r->engine_taken) xc_engine_free(r->engine);
    free(r->name);
    free(r);
}

xc_engine *xc_runner_take_engine(xc_runner *r)
{
    r->engine_taken = 1;
    return r->engine;
}

xc_status xc_runner_list_add(xc_runner_list *l, xc_runner *r)
{
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : 8;
        xc_runner **v = realloc(l->r, sizeof *v * (size_t)cap);
        if (!v) {
            xc_runner_free(r);
            return xc_fail(XC_ERR_NOMEM, "out of memory");
        }
        l->r = v;
        l->cap = cap;
    }
    l->r[l->n++] = r;
    return XC_OK;
}

void xc_runner_list_free(xc_runner_list *l)
{
    for (int i = 0; i < l->n; i++) xc_runner_free(l->r[i]);
    free(l->r);
    memset(l, 0, sizeof *l);
}

xc_status xc_runner_prepare(const xc_runner_spec *spec, const xc_runner_env *env, xc_runner_list *out)
{
    const xc_runner_type *t = xc_runner_type_find(spec->kind);
    if (!t) return xc_fail(XC_ERR_USAGE, "no runner of kind '%s'", spec->kind ? spec->kind : "(none)");
    if (!env->model && !t->without_model) return xc_fail(XC_ERR_USAGE, "runner %s needs a model", t->kind);
    if (spec->device && !t->on_device)
        return xc_fail(XC_ERR_USAGE, "runner %s runs on no OpenCL device ('@%s')", t->kind, spec->device);
    return t->prepare(spec, env, out);
}

xc_status xc_runner_spec_words(const xc_runner_spec *spec, void (*word)(void *user, const char *w), void *user)
{
    const xc_runner_type *t = xc_runner_type_find(spec->kind);
    if (!t || !t->option) return xc_fail(XC_ERR_USAGE, "runner %s: no option asks for it", spec->kind ? spec->kind : "(none)");
    if (spec->device) {
        char *w = xc_strprintf("%s@%s", t->option, spec->device);
        if (!w) return xc_fail(XC_ERR_NOMEM, "out of memory");
        word(user, w);
        free(w);
    } else {
        word(user, t->option);
    }
    if (t->arg == XC_RUNNER_ARG_VALUE) word(user, spec->path);
    for (int i = 0; t->arg == XC_RUNNER_ARG_LIST && i < spec->n_paths; i++) word(user, spec->paths[i]);
    if (t->arg == XC_RUNNER_ARG_NAMED) {
        char *w = xc_strprintf("%s=%s", spec->name, spec->command);
        if (!w) return xc_fail(XC_ERR_NOMEM, "out of memory");
        word(user, w);
        free(w);
    }
    return XC_OK;
}

xc_status xc_runner_open(const xc_runner_spec *spec, const xc_runner_env *env, xc_runner **out)
{
    xc_runner_list l = {0};
    *out = NULL;
    xc_status s = xc_runner_prepare(spec, env, &l);
    if (s == XC_OK && l.n != 1) s = xc_fail(XC_ERR_USAGE, "%s: gives %d runners where one is needed", spec->kind, l.n);
    if (s == XC_OK) {
        *out = l.r[0];
        l.n = 0;
    }
    xc_runner_list_free(&l);
    return s;
}
