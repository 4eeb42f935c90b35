/* profile_shapes.c — optimization profiles: parsing them, building a profiled engine (one
 * engine per profile timed at opt, tactics restricted to those valid over the range, memory
 * planned at max) and choosing, at run time, the engine for the shapes fed (building shape
 * engines lazily with the profile's tactics pinned). The design and its trade-off are in
 * profile_shapes.h. Owns: struct xc_profile_state (held by the engine built at profile 0's
 * opt, freed with it) and, through it, the other profiles' opt engines and every shape engine. */
#include "ocl/profile_shapes.h"
#include "ocl/build.h"
#include "ocl/tactics_file.h"
#include "log.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- parsing ---- */

static xc_status parse_dims(const char *text, const char **p, int *rank, int64_t *dims)
{
    const char *s = *p;
    if (*s != '[') return xc_fail(XC_ERR_USAGE, "profile shape '%s': expected '[' at '%s'", text, s);
    s++;
    *rank = 0;
    while (*s && *s != ']') {
        if (*rank == XC_MAX_RANK) return xc_fail(XC_ERR_USAGE, "profile shape '%s': more than %d dims", text, XC_MAX_RANK);
        char *end;
        errno = 0;
        long long d = strtoll(s, &end, 10);
        if (end == s || errno || d < 0) return xc_fail(XC_ERR_USAGE, "profile shape '%s': bad dimension at '%s'", text, s);
        dims[(*rank)++] = d;
        s = end;
        if (*s == ',') s++;
    }
    if (*s != ']') return xc_fail(XC_ERR_USAGE, "profile shape '%s': missing ']'", text);
    *p = s + 1;
    return XC_OK;
}

/* Where the keys start: the first ':' followed by min=, opt= or max= (names may hold ':'). */
static const char *keys_start(const char *text)
{
    for (const char *c = strchr(text, ':'); c; c = strchr(c + 1, ':'))
        if (!strncmp(c + 1, "min=", 4) || !strncmp(c + 1, "opt=", 4) || !strncmp(c + 1, "max=", 4)) return c;
    return NULL;
}

static xc_status parse_input(const char *text, xc_profile_input *x)
{
    const char *colon = keys_start(text);
    if (!colon || colon == text)
        return xc_fail(XC_ERR_USAGE, "profile shape '%s' is not of the form NAME:min=[..],opt=[..],max=[..]", text);
    int64_t *dst[3] = {x->min, x->opt, x->max};
    int rank[3] = {-1, -1, -1};
    const char *p = colon + 1;
    while (*p) {
        int k = !strncmp(p, "min=", 4) ? 0 : !strncmp(p, "opt=", 4) ? 1 : !strncmp(p, "max=", 4) ? 2 : -1;
        if (k < 0) return xc_fail(XC_ERR_USAGE, "profile shape '%s': expected min=, opt= or max= at '%s'", text, p);
        if (rank[k] >= 0) return xc_fail(XC_ERR_USAGE, "profile shape '%s': %.3s given twice", text, p);
        p += 4;
        XC_TRY(parse_dims(text, &p, &rank[k], dst[k]));
        if (*p == ',')
            p++;
        else if (*p)
            return xc_fail(XC_ERR_USAGE, "profile shape '%s': unexpected '%s'", text, p);
    }
    if (rank[0] < 0 || rank[1] < 0 || rank[2] < 0)
        return xc_fail(XC_ERR_USAGE, "profile shape '%s' needs min=, opt= and max=", text);
    if (rank[0] != rank[1] || rank[1] != rank[2])
        return xc_fail(XC_ERR_USAGE, "profile shape '%s': min, opt and max differ in rank", text);
    x->rank = rank[0];
    for (int d = 0; d < x->rank; d++)
        if (x->min[d] > x->opt[d] || x->opt[d] > x->max[d])
            return xc_fail(XC_ERR_USAGE, "profile shape '%s': dim %d is not min <= opt <= max", text, d);
    x->name = strndup(text, (size_t)(colon - text));
    return x->name ? XC_OK : xc_fail(XC_ERR_NOMEM, "out of memory");
}

static xc_status add_profile(xc_profile_set *s)
{
    xc_profile *p = realloc(s->p, sizeof *p * (size_t)(s->n + 1));
    if (!p) return xc_fail(XC_ERR_NOMEM, "out of memory");
    s->p = p;
    memset(&s->p[s->n++], 0, sizeof *s->p);
    return XC_OK;
}

static xc_status add_input(xc_profile *p, const xc_profile_input *x)
{
    xc_profile_input *in = realloc(p->in, sizeof *in * (size_t)(p->n + 1));
    if (!in) return xc_fail(XC_ERR_NOMEM, "out of memory");
    p->in = in;
    p->in[p->n++] = *x;
    return XC_OK;
}

xc_status xc_profile_parse(xc_profile_set *s, int profile, const char *text)
{
    if (profile < 0 || profile > s->n) return xc_fail(XC_ERR_INTERNAL, "profile %d of %d", profile, s->n);
    xc_profile_input x;
    memset(&x, 0, sizeof x);
    XC_TRY(parse_input(text, &x));
    xc_status st = profile == s->n ? add_profile(s) : XC_OK;
    for (int i = 0; st == XC_OK && i < s->p[profile].n; i++)
        if (!strcmp(s->p[profile].in[i].name, x.name))
            st = xc_fail(XC_ERR_USAGE, "profile %d names input '%s' twice", profile, x.name);
    if (st == XC_OK) st = add_input(&s->p[profile], &x);
    if (st != XC_OK) free(x.name);
    return st;
}

xc_status xc_profile_set_copy(const xc_profile_set *from, xc_profile_set *to)
{
    memset(to, 0, sizeof *to);
    for (int p = 0; p < from->n; p++) {
        XC_TRY(add_profile(to));
        for (int i = 0; i < from->p[p].n; i++) {
            xc_profile_input x = from->p[p].in[i];
            x.name = strdup(x.name);
            if (!x.name) return xc_fail(XC_ERR_NOMEM, "out of memory");
            if (add_input(&to->p[p], &x) != XC_OK) {
                free(x.name);
                return XC_ERR_NOMEM;
            }
        }
    }
    return XC_OK;
}

void xc_profile_set_free(xc_profile_set *s)
{
    for (int p = 0; p < s->n; p++) {
        for (int i = 0; i < s->p[p].n; i++) free(s->p[p].in[i].name);
        free(s->p[p].in);
        xc_tactics_free(s->p[p].pins);
    }
    free(s->p);
    memset(s, 0, sizeof *s);
}

/* ---- tactic exclusions ---- */

int xc_tactic_excluded(const xc_tactic_exclusions *x, const char *layer, const char *tactic)
{
    for (int i = 0; x && i < x->n; i++)
        if (!strcmp(x->tactic[i], tactic) && !strcmp(x->layer[i], layer)) return 1;
    return 0;
}

static xc_status exclude(xc_tactic_exclusions *x, const char *layer, const char *tactic)
{
    if (xc_tactic_excluded(x, layer, tactic)) return XC_OK;
    if (x->n == x->cap) {
        int cap = x->cap ? x->cap * 2 : 16;
        char **l = realloc(x->layer, sizeof *l * (size_t)cap);
        if (l) x->layer = l;
        const char **t = l ? realloc(x->tactic, sizeof *t * (size_t)cap) : NULL;
        if (!t) return xc_fail(XC_ERR_NOMEM, "out of memory");
        x->tactic = t;
        x->cap = cap;
    }
    if (!(x->layer[x->n] = strdup(layer))) return xc_fail(XC_ERR_NOMEM, "out of memory");
    x->tactic[x->n++] = tactic;
    return XC_OK;
}

static void exclusions_free(xc_tactic_exclusions *x)
{
    for (int i = 0; i < x->n; i++) free(x->layer[i]);
    free(x->layer);
    free(x->tactic);
    memset(x, 0, sizeof *x);
}

/* ---- the state a profiled engine holds ---- */

typedef struct shape_engine {
    int profile;
    int64_t *dims; /* per profile input, XC_MAX_RANK each */
    xc_engine *e;
} shape_engine;

struct xc_profile_state {
    xc_profile_set set;
    xc_engine **opt;        /* per profile; opt[0] is the engine holding this state (not owned) */
    xc_tactics_file **pins; /* per profile: its opt engine's tactics */
    int n_shape, cap_shape;
    shape_engine *shape;
    xc_ocl_build_options base; /* for shape engines: its lists (owned) point into `strings` */
    char **strings;
    int n_strings;
    xc_input_shape *given; /* --input-shapes, names in `strings` */
    int n_given;
    xc_ocl_device *dev; /* every engine here borrows it (one OpenCL context) */
};

void xc_profile_state_free(struct xc_profile_state *ps)
{
    if (!ps) return;
    for (int p = 1; ps->opt && p < ps->set.n; p++) xc_engine_free(ps->opt[p]);
    for (int p = 0; ps->pins && p < ps->set.n; p++) xc_tactics_free(ps->pins[p]);
    for (int k = 0; k < ps->n_shape; k++) {
        xc_engine_free(ps->shape[k].e);
        free(ps->shape[k].dims);
    }
    free(ps->shape);
    free(ps->opt);
    free(ps->pins);
    for (int i = 0; i < ps->n_strings; i++) free(ps->strings[i]);
    free(ps->strings);
    free(ps->given);
    xc_ocl_options_free(&ps->base);
    xc_profile_set_free(&ps->set);
    xc_ocl_device_close(ps->dev);
    free(ps);
}

/* A copy of str owned by ps (NULL stays NULL). */
static xc_status own(struct xc_profile_state *ps, const char **str)
{
    if (!*str) return XC_OK;
    char **s = realloc(ps->strings, sizeof *s * (size_t)(ps->n_strings + 1));
    if (!s) return xc_fail(XC_ERR_NOMEM, "out of memory");
    ps->strings = s;
    if (!(s[ps->n_strings] = strdup(*str))) return xc_fail(XC_ERR_NOMEM, "out of memory");
    *str = s[ps->n_strings++];
    return XC_OK;
}

static xc_status own_list(struct xc_profile_state *ps, xc_name_list *list)
{
    for (int i = 0; i < list->n; i++) XC_TRY(own(ps, &list->v[i]));
    return XC_OK;
}

/* The options shape engines are built with, owning every string (the caller's, e.g. a plan's
 * parsed JSON, may be gone by the time a run asks for a new shape). */
static xc_status own_options(struct xc_profile_state *ps, const xc_ocl_build_options *o)
{
    ps->base = *o;
    xc_ocl_build_options *b = &ps->base;
    b->tactic_filter = (xc_name_list){0}; /* every layer is pinned */
    XC_TRY(xc_ocl_options_own(b));        /* lists of its own, freed with ps */
    XC_TRY(own(ps, &b->device));
    xc_name_list *lists[XC_OCL_OPTION_LISTS];
    xc_ocl_option_lists(b, lists);
    for (int i = 0; i < XC_OCL_OPTION_LISTS; i++) XC_TRY(own_list(ps, lists[i]));
    ps->given = calloc((size_t)o->n_shapes + 1, sizeof *ps->given);
    if (!ps->given) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int i = 0; i < o->n_shapes; i++) {
        ps->given[i] = o->shapes[i];
        XC_TRY(own(ps, &ps->given[i].name));
    }
    ps->n_given = o->n_shapes;
    b->shapes = NULL;
    b->n_shapes = 0;
    b->profiles = NULL;
    b->opt_profile = 0;
    b->excluded = NULL;
    b->pins = NULL;
    b->load_tactics = b->save_tactics = b->timing_cache = NULL;
    b->progress = 0;
    b->replay_lenient = 1;
    b->opt_level = 0; /* every layer is pinned; one that is not runs its baseline */
    b->quiet_faults = 1;
    return XC_OK;
}

/* ---- shapes of a point in a profile ---- */

/* --input-shapes for the inputs p does not name, then p's inputs at dims[i] (malloc'd). */
static xc_status point_shapes(const xc_input_shape *given, int n_given, const xc_profile *p, const int64_t *const *dims,
                              xc_input_shape **out, int *n_out)
{
    *out = calloc((size_t)n_given + (size_t)p->n + 1, sizeof **out);
    if (!*out) return xc_fail(XC_ERR_NOMEM, "out of memory");
    int n = 0;
    for (int g = 0; g < n_given; g++) {
        int named = 0;
        for (int i = 0; i < p->n && !named; i++) named = !strcmp(p->in[i].name, given[g].name);
        if (!named) (*out)[n++] = given[g];
    }
    for (int i = 0; i < p->n; i++) {
        xc_input_shape *s = &(*out)[n++];
        s->name = p->in[i].name;
        s->rank = p->in[i].rank;
        memcpy(s->dims, dims[i], sizeof(int64_t) * (size_t)s->rank);
    }
    *n_out = n;
    return XC_OK;
}

static void describe_point(const xc_profile *p, const int64_t *const *dims, char *buf, size_t len)
{
    size_t o = 0;
    buf[0] = 0;
    for (int i = 0; i < p->n && o < len; i++) {
        char d[256];
        o += (size_t)snprintf(buf + o, len - o, "%s%s=%s", i ? " " : "", p->in[i].name,
                              xc_dims_str(p->in[i].rank, dims[i], d, sizeof d));
    }
}

/* Every profile input must be a runtime input of the model, of the same rank, with the model's
 * static dims inside the range. */
static xc_status check_profiles(const xc_model *m, const xc_profile_set *s)
{
    const xc_graph *g = m->graph;
    for (int p = 0; p < s->n; p++)
        for (int i = 0; i < s->p[p].n; i++) {
            const xc_profile_input *x = &s->p[p].in[i];
            int k = 0;
            while (k < g->n_inputs && (strcmp(g->inputs[k].name, x->name) || !xc_graph_is_runtime_input(g, k))) k++;
            if (k == g->n_inputs)
                return xc_fail(XC_ERR_USAGE, "--profile-shapes: profile %d names '%s', which is not an input of the model", p,
                               x->name);
            const xc_value_info *v = &g->inputs[k];
            if (v->rank >= 0 && v->rank != x->rank)
                return xc_fail(XC_ERR_USAGE, "--profile-shapes: profile %d gives input '%s' rank %d, the model rank %d", p,
                               x->name, x->rank, v->rank);
            for (int d = 0; d < x->rank && v->rank >= 0; d++)
                if (v->dims[d] >= 0 && (x->min[d] != v->dims[d] || x->max[d] != v->dims[d]))
                    return xc_fail(XC_ERR_USAGE,
                                   "--profile-shapes: profile %d: dim %d of input '%s' is %lld in the model, not a range", p, d,
                                   x->name, (long long)v->dims[d]);
        }
    for (int p = 1; p < s->n; p++) { /* one set of profiled inputs: a run picks a profile by them */
        int same = s->p[p].n == s->p[0].n;
        for (int i = 0; same && i < s->p[p].n; i++) {
            int found = 0;
            for (int j = 0; j < s->p[0].n && !found; j++) found = !strcmp(s->p[0].in[j].name, s->p[p].in[i].name);
            same = found;
        }
        if (!same)
            return xc_fail(XC_ERR_USAGE,
                           "--profile-shapes: profile %d names other inputs than profile 0 (every profile names the same inputs)",
                           p);
    }
    return XC_OK;
}

/* ---- tactics valid over the range ---- */

/* Tactics of P's layers that do not apply there are excluded for those layers. */
static xc_status exclude_inapplicable(const xc_engine *P, xc_tactic_exclusions *x)
{
    for (int l = 0; l < P->n_layers; l++) {
        const xc_layer *L = &P->layers[l];
        if (L->dead || L->cpu || !L->kind) continue;
        for (int k = 0; L->kind->tactics[k]; k++) {
            const xc_tactic *t = L->kind->tactics[k];
            if (t->applicable && !t->applicable(P, L)) XC_TRY(exclude(x, L->name, t->name));
        }
    }
    return XC_OK;
}

/* The diagonal offsets probed: all of 0..span when few, else both ends' XC_PROFILE_PROBES/2. */
static int probe_offsets(int64_t span, int64_t *out)
{
    int n = 0;
    if (span + 1 <= XC_PROFILE_PROBES) {
        for (int64_t j = 0; j <= span; j++) out[n++] = j;
        return n;
    }
    for (int64_t j = 0; j < XC_PROFILE_PROBES / 2; j++) out[n++] = j;
    for (int64_t j = span - XC_PROFILE_PROBES / 2 + 1; j <= span; j++) out[n++] = j;
    return n;
}

static xc_status probe(const xc_model *m, const xc_ocl_build_options *o, const xc_profile *p, int pi, const int64_t *const *dims,
                       xc_tactic_exclusions *x)
{
    xc_ocl_build_options q = *o;
    xc_input_shape *shapes = NULL;
    int n = 0;
    XC_TRY(point_shapes(o->shapes, o->n_shapes, p, dims, &shapes, &n));
    q.shapes = shapes;
    q.n_shapes = n;
    xc_engine *P = NULL;
    xc_status s = xc_engine_build_structure(m, &q, &P);
    if (s == XC_OK) s = exclude_inapplicable(P, x);
    if (s != XC_OK) {
        char at[1024];
        describe_point(p, dims, at, sizeof at);
        xc_error_prefix(s, "profile %d: the shapes %s inside its range do not build: ", pi, at);
    }
    xc_engine_free(P);
    free(shapes);
    return s;
}

/* Probes p's range along its diagonal (every dim min + j, clamped to max) and at opt. */
static xc_status range_exclusions(const xc_model *m, const xc_ocl_build_options *o, const xc_profile *p, int pi,
                                  xc_tactic_exclusions *x)
{
    int64_t span = 0, offs[XC_PROFILE_PROBES + 1];
    for (int i = 0; i < p->n; i++)
        for (int d = 0; d < p->in[i].rank; d++)
            if (p->in[i].max[d] - p->in[i].min[d] > span) span = p->in[i].max[d] - p->in[i].min[d];
    int n = probe_offsets(span, offs);
    int64_t(*pt)[XC_MAX_RANK] = calloc((size_t)p->n + 1, sizeof *pt);
    const int64_t **dims = calloc((size_t)p->n + 1, sizeof *dims);
    xc_status s = pt && dims ? XC_OK : xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int i = 0; i < p->n && s == XC_OK; i++) dims[i] = pt[i];
    for (int k = 0; k <= n && s == XC_OK; k++) {
        for (int i = 0; i < p->n; i++)
            for (int d = 0; d < p->in[i].rank; d++) {
                int64_t v = k == n ? p->in[i].opt[d] : p->in[i].min[d] + offs[k];
                pt[i][d] = v > p->in[i].max[d] ? p->in[i].max[d] : v;
            }
        s = probe(m, o, p, pi, dims, x);
    }
    free(pt);
    free(dims);
    return s;
}

/* ---- building ---- */

static xc_status pins_of(const xc_engine *e, xc_tactics_file **out)
{
    *out = xc_tactics_new();
    if (!*out) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int l = 0; l < e->n_layers; l++)
        if (!e->layers[l].dead) XC_TRY(xc_tactics_set(*out, e->layers[l].name, e->layers[l].variant, e->layers[l].time_ms));
    return XC_OK;
}

/* The memory plan of p at max, adopted by E when their structures agree. */
static xc_status plan_at_max(const xc_model *m, const xc_ocl_build_options *o, const xc_profile *p, int pi, xc_engine *E)
{
    const int64_t **dims = calloc((size_t)p->n + 1, sizeof *dims);
    if (!dims) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int i = 0; i < p->n; i++) dims[i] = p->in[i].max;
    xc_ocl_build_options q = *o;
    xc_input_shape *shapes = NULL;
    int n = 0;
    xc_status s = point_shapes(o->shapes, o->n_shapes, p, dims, &shapes, &n);
    xc_engine *M = NULL;
    q.shapes = shapes;
    q.n_shapes = n;
    if (s == XC_OK) s = xc_engine_build_structure(m, &q, &M);
    if (s == XC_OK) { /* tactics make free views (view.alias) of what they reshape: E's are M's too */
        for (int t = 0; t < M->n_tensors && t < E->n_tensors; t++)
            if (M->tensors[t].alias < 0 && E->tensors[t].alias >= 0 && !E->tensors[t].alias_offset)
                M->tensors[t].alias = E->tensors[t].alias;
        s = xc_engine_plan_memory(M);
    }
    if (s == XC_OK && !xc_engine_adopt_memory_plan(E, M, pi))
        xc_log(XC_LOG_INFO,
               "profile %d: the engine at max differs in structure from the one at opt; it keeps its own memory plan", pi);
    xc_engine_free(M);
    free(shapes);
    free(dims);
    return s;
}

/* Builds profile pi at its opt shapes (timed, or pinned from a plan), restricted to tactics
 * valid over its range, with the memory plan of its max. */
static xc_status build_opt(const xc_model *m, const xc_ocl_build_options *o, struct xc_profile_state *ps,
                           const xc_profile_set *given, int pi, xc_engine **out)
{
    const xc_profile *p = &ps->set.p[pi];
    xc_ocl_build_options q = *o;
    q.profiles = NULL;
    q.opt_profile = 0; /* set on the profiled engine once built */
    if (pi > 0) {
        q.load_tactics = q.save_tactics = NULL;
        q.pins = given->p[pi].pins;
        q.weights_from = ps->opt[0];
    }
    xc_tactic_exclusions x = {0};
    xc_status s = XC_OK;
    if (!(pi == 0 && o->load_tactics) && !q.pins) s = range_exclusions(m, o, p, pi, &x);
    const int64_t **dims = calloc((size_t)p->n + 1, sizeof *dims);
    xc_input_shape *shapes = NULL;
    int n = 0;
    if (s == XC_OK && !dims) s = xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int i = 0; s == XC_OK && i < p->n; i++) dims[i] = p->in[i].opt;
    if (s == XC_OK) s = point_shapes(o->shapes, o->n_shapes, p, dims, &shapes, &n);
    q.shapes = shapes;
    q.n_shapes = n;
    q.excluded = &x;
    if (s == XC_OK) s = xc_ocl_build(m, &q, out);
    if (s == XC_OK) s = plan_at_max(m, o, p, pi, *out);
    if (s == XC_OK) {
        (*out)->opt.shapes = pi == 0 ? ps->given : NULL; /* the point's array goes now; the caller's may too */
        (*out)->opt.n_shapes = pi == 0 ? ps->n_given : 0;
        (*out)->opt.excluded = NULL;
        (*out)->opt.pins = NULL;
        (*out)->opt.shared_device = NULL; /* a copy of these options builds an engine of its own */
        (*out)->opt.weights_from = NULL;
        (*out)->opt.opt_profile = o->opt_profile;
    }
    if (s != XC_OK && *out) {
        xc_engine_free(*out);
        *out = NULL;
    }
    if (s != XC_OK) xc_error_prefix(s, "profile %d: ", pi);
    exclusions_free(&x);
    free(shapes);
    free(dims);
    return s;
}

xc_status xc_profile_build(const xc_model *m, const xc_ocl_build_options *o, xc_engine **out)
{
    *out = NULL;
    const xc_profile_set *given = o->profiles;
    XC_TRY(check_profiles(m, given));
    if (o->opt_profile > given->n)
        return xc_fail(XC_ERR_USAGE, "--opt-profile %d: the engine has %d profile%s (0..%d)", o->opt_profile - 1, given->n,
                       given->n > 1 ? "s" : "", given->n - 1);
    struct xc_profile_state *ps = calloc(1, sizeof *ps);
    if (!ps) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_status s = xc_profile_set_copy(given, &ps->set);
    if (s == XC_OK) s = own_options(ps, o);
    ps->opt = calloc((size_t)given->n, sizeof *ps->opt);
    ps->pins = calloc((size_t)given->n, sizeof *ps->pins);
    if (s == XC_OK && (!ps->opt || !ps->pins)) s = xc_fail(XC_ERR_NOMEM, "out of memory");
    if (s == XC_OK) s = xc_ocl_device_open(o->device, &ps->dev);
    xc_ocl_build_options q = *o;
    q.shared_device = ps->base.shared_device = ps->dev;
    for (int p = 0; p < given->n && s == XC_OK; p++) {
        s = build_opt(m, &q, ps, given, p, &ps->opt[p]);
        if (s == XC_OK) s = pins_of(ps->opt[p], &ps->pins[p]);
    }
    if (s != XC_OK) {
        if (ps->opt) xc_engine_free(ps->opt[0]);
        xc_profile_state_free(ps);
        return s;
    }
    xc_engine *e = ps->opt[0];
    e->profiles = ps;
    e->opt.profiles = &ps->set;
    *out = e;
    return XC_OK;
}

/* ---- choosing the engine for a run ---- */

const xc_profile_set *xc_engine_profiles(const xc_engine *e) { return e->profiles ? &e->profiles->set : NULL; }

const xc_engine *xc_profile_opt_engine(const xc_engine *e, int p)
{
    return e->profiles && p >= 0 && p < e->profiles->set.n ? e->profiles->opt[p] : NULL;
}

/* The fed tensor of input `name` (inputs in runtime-input order), or NULL. */
static const xc_tensor *fed(const xc_engine *e, const xc_tensor *const *inputs, const char *name)
{
    for (int t = 0; t < e->n_tensors; t++)
        if (e->tensors[t].graph_input >= 0 && !strcmp(e->tensors[t].name, name)) return inputs[e->tensors[t].graph_input];
    return NULL;
}

/* Index of the first input of p the inputs fall outside of, or -1 when all are inside. */
static int outside(const xc_engine *e, const xc_profile *p, const xc_tensor *const *inputs)
{
    for (int i = 0; i < p->n; i++) {
        const xc_tensor *t = fed(e, inputs, p->in[i].name);
        if (!t || t->rank != p->in[i].rank) return i;
        for (int d = 0; d < t->rank; d++)
            if (t->dims[d] < p->in[i].min[d] || t->dims[d] > p->in[i].max[d]) return i;
    }
    return -1;
}

static xc_status refuse(const xc_engine *e, const xc_profile_set *s, int only, const xc_tensor *const *inputs)
{
    int first = only >= 0 ? only : 0, i = outside(e, &s->p[first], inputs);
    const xc_profile_input *x = &s->p[first].in[i];
    const xc_tensor *t = fed(e, inputs, x->name);
    char got[256], ranges[2048] = "";
    size_t o = 0;
    for (int p = 0; p < s->n && o < sizeof ranges; p++) {
        if (only >= 0 && p != only) continue;
        const xc_profile_input *y = NULL;
        for (int k = 0; k < s->p[p].n; k++)
            if (!strcmp(s->p[p].in[k].name, x->name)) y = &s->p[p].in[k];
        char lo[256], hi[256];
        o += (size_t)snprintf(ranges + o, sizeof ranges - o, "%sprofile %d: min %s, max %s", o ? "; " : "", p,
                              xc_dims_str(y->rank, y->min, lo, sizeof lo), xc_dims_str(y->rank, y->max, hi, sizeof hi));
    }
    return xc_fail(XC_ERR_USAGE, "input '%s': shape %s is outside %s (%s)", x->name,
                   t ? xc_dims_str(t->rank, t->dims, got, sizeof got) : "(none)",
                   only >= 0  ? "the profile chosen"
                   : s->n > 1 ? "every profile"
                              : "the engine's profile",
                   ranges);
}

static int at_point(const xc_engine *e, const xc_profile *p, const xc_tensor *const *inputs, const int64_t *dims, int opt)
{
    for (int i = 0; i < p->n; i++) {
        const xc_tensor *t = fed(e, inputs, p->in[i].name);
        const int64_t *want = opt ? p->in[i].opt : dims + (size_t)i * XC_MAX_RANK;
        if (memcmp(t->dims, want, sizeof(int64_t) * (size_t)t->rank)) return 0;
    }
    return 1;
}

static xc_status build_shape_engine(xc_engine *e, int pi, const xc_tensor *const *inputs, xc_engine **out)
{
    struct xc_profile_state *ps = e->profiles;
    const xc_profile *p = &ps->set.p[pi];
    if (ps->n_shape == ps->cap_shape) {
        int cap = ps->cap_shape ? ps->cap_shape * 2 : 8;
        shape_engine *se = realloc(ps->shape, sizeof *se * (size_t)cap);
        if (!se) return xc_fail(XC_ERR_NOMEM, "out of memory");
        ps->shape = se;
        ps->cap_shape = cap;
    }
    int64_t *dims = calloc((size_t)p->n * XC_MAX_RANK + 1, sizeof *dims);
    const int64_t **rows = calloc((size_t)p->n + 1, sizeof *rows);
    xc_status s = dims && rows ? XC_OK : xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int i = 0; s == XC_OK && i < p->n; i++) {
        const xc_tensor *t = fed(e, inputs, p->in[i].name);
        memcpy(dims + (size_t)i * XC_MAX_RANK, t->dims, sizeof(int64_t) * (size_t)t->rank);
        rows[i] = dims + (size_t)i * XC_MAX_RANK;
    }
    xc_input_shape *shapes = NULL;
    int n = 0;
    if (s == XC_OK) s = point_shapes(ps->given, ps->n_given, p, rows, &shapes, &n);
    xc_ocl_build_options q = ps->base;
    q.shapes = shapes;
    q.n_shapes = n;
    q.pins = ps->pins[pi];
    q.weights_from = ps->opt[pi];
    xc_engine *E = NULL;
    char at[1024] = "";
    if (s == XC_OK) {
        describe_point(p, rows, at, sizeof at);
        xc_log(XC_LOG_INFO, "building the OpenCL engine for %s (profile %d, tactics of its opt shapes)", at, pi);
        s = xc_ocl_build(e->model, &q, &E);
    }
    if (s == XC_OK && !xc_engine_adopt_memory_plan(E, ps->opt[pi], pi))
        xc_log(XC_LOG_INFO, "the engine for %s differs in structure from profile %d's; it has its own memory plan", at, pi);
    if (s == XC_OK) {
        E->opt.shapes = NULL;
        E->opt.n_shapes = 0;
        E->opt.pins = NULL;
        E->opt.shared_device = NULL;
        E->opt.weights_from = NULL;
        ps->shape[ps->n_shape++] = (shape_engine){pi, dims, E};
        *out = E;
    } else {
        xc_error_prefix(s, "profile %d, shapes %s: ", pi, at);
        free(dims);
    }
    free(shapes);
    free(rows);
    return s;
}

xc_status xc_profile_engine_for(xc_engine *e, const xc_tensor *const *inputs, xc_engine **out, int *profile)
{
    struct xc_profile_state *ps = e->profiles;
    *out = e;
    *profile = -1;
    if (!ps) return XC_OK;
    int only = e->opt.opt_profile - 1, pi = -1;
    for (int p = 0; p < ps->set.n && pi < 0; p++)
        if ((only < 0 || p == only) && outside(e, &ps->set.p[p], inputs) < 0) pi = p;
    if (pi < 0) return refuse(e, &ps->set, only, inputs);
    *profile = pi;
    if (at_point(e, &ps->set.p[pi], inputs, NULL, 1)) {
        *out = ps->opt[pi];
        return XC_OK;
    }
    for (int k = 0; k < ps->n_shape; k++)
        if (ps->shape[k].profile == pi && at_point(e, &ps->set.p[pi], inputs, ps->shape[k].dims, 0)) {
            *out = ps->shape[k].e;
            return XC_OK;
        }
    return build_shape_engine(e, pi, inputs, out);
}

xc_status xc_profile_engine_for_shapes(xc_engine *e, const xc_input_shape *shapes, int n, xc_engine **out)
{
    *out = e;
    if (!e->profiles) return XC_OK;
    int n_in = 0;
    for (int t = 0; t < e->n_tensors; t++)
        if (e->tensors[t].graph_input >= n_in) n_in = e->tensors[t].graph_input + 1;
    xc_tensor *dims = calloc((size_t)n_in + 1, sizeof *dims); /* shapes only: nothing reads data */
    const xc_tensor **in = calloc((size_t)n_in + 1, sizeof *in);
    xc_status s = dims && in ? XC_OK : xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int t = 0; t < e->n_tensors && s == XC_OK; t++) {
        int k = e->tensors[t].graph_input;
        if (k < 0) continue;
        xc_input_shape x;
        xc_engine_input_shape(e, e->tensors[t].name, &x);
        for (int i = 0; i < n; i++)
            if (!strcmp(shapes[i].name, x.name)) x = shapes[i];
        dims[k].dtype = e->tensors[t].dtype;
        dims[k].rank = x.rank;
        memcpy(dims[k].dims, x.dims, sizeof x.dims);
        in[k] = &dims[k];
    }
    int p;
    if (s == XC_OK) s = xc_profile_engine_for(e, in, out, &p);
    free(dims);
    free(in);
    return s;
}
