/* plugins.c — loads custom-op plugins (dlopen) and keeps the process-wide table of their ops.
 *
 * Each registered op becomes an xc_op_schema of its custom domain whose infer function is a
 * trampoline into the plugin's callback, so validation, load-time and run-time inference treat it
 * like a built-in op. A plugin's ops are collected while its xc_plugin_init runs and kept only
 * when every registration and the init itself succeeded: a refused plugin leaves nothing behind.
 * Ownership: the table owns every entry and its copied strings for the life of the process (a
 * loaded model's nodes point at the schemas), and plugins are never unloaded. */
#include "ops/plugins.h"
#include "error.h"
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct plugin_entry {
    xc_op_schema schema; /* first: a node's schema pointer is the entry's address */
    char *domain, *op_type;
    int until;           /* 0: no upper opset bound */
    xc_attr_spec *attrs; /* copied, {NULL}-terminated */
    xc_plugin_infer_fn infer;
    xc_plugin_compute_fn compute;
    char *cl_source, *cl_kernel; /* NULL when the op has no OpenCL kernel */
    const char *plugin;          /* the file's base name, owned by the plugin_lib */
} plugin_entry;

struct xc_plugin_registry {
    const char *plugin;
    plugin_entry **ops; /* registered during init, not yet committed */
    int n_ops;
    xc_status error; /* the first failed registration; its message in message */
    char *message;
};

struct xc_plugin_node {
    const xc_node *node;
    const plugin_entry *op;
    int *failed; /* set by xc_plugin_fail: the message is the callback's own */
};

static plugin_entry **table; /* every committed op */
static int n_table;

static void entry_free(plugin_entry *e)
{
    if (!e) return;
    for (xc_attr_spec *a = e->attrs; a && a->name; a++) free((char *)a->name);
    free(e->attrs);
    free(e->cl_source);
    free(e->cl_kernel);
    free(e->domain);
    free(e->op_type);
    free(e);
}

static int is_onnx_domain(const char *d) { return !d[0] || !strcmp(d, "ai.onnx"); }

static int ranges_overlap(int a0, int a1, int b0, int b1) { return (!a1 || b0 <= a1) && (!b1 || a0 <= b1); }

/* The entry already covering some of op's opsets (among the committed and this plugin's own). */
static const plugin_entry *clash(const xc_plugin_registry *r, const xc_plugin_op *op)
{
    for (int pass = 0; pass < 2; pass++) {
        plugin_entry **list = pass ? r->ops : table;
        int n = pass ? r->n_ops : n_table;
        for (int i = 0; i < n; i++)
            if (!strcmp(list[i]->domain, op->domain) && !strcmp(list[i]->op_type, op->op_type)
                && ranges_overlap(list[i]->schema.since, list[i]->until, op->since_version, op->until_version))
                return list[i];
    }
    return NULL;
}

/* Why op cannot be registered, or NULL. */
static const char *malformed(const xc_plugin_op *op)
{
    if (!op->domain || is_onnx_domain(op->domain)) return "plugins register ops of custom domains only (not ai.onnx)";
    if (op->since_version < 1 || (op->until_version && op->until_version < op->since_version))
        return "its opset range is empty or starts below 1";
    if (op->min_inputs < 0 || op->max_inputs < -1 || (op->max_inputs >= 0 && op->max_inputs < op->min_inputs))
        return "its input counts are invalid";
    if (op->min_outputs < 1 || op->max_outputs < op->min_outputs) return "its output counts are invalid (at least one output)";
    if (!op->infer || !op->compute) return "it has no shape-inference or no compute callback";
    if (!op->opencl_source != !op->opencl_kernel || (op->opencl_kernel && !op->opencl_kernel[0]))
        return "it gives only one of opencl_source and opencl_kernel";
    for (const xc_plugin_attr *a = op->attrs; a && a->name; a++)
        if (!a->name[0]
            || (a->type != XC_PLUGIN_ATTR_FLOAT && a->type != XC_PLUGIN_ATTR_INT && a->type != XC_PLUGIN_ATTR_STRING
                && a->type != XC_PLUGIN_ATTR_FLOATS && a->type != XC_PLUGIN_ATTR_INTS))
            return "an attribute has no name or an unknown type";
    return NULL;
}

static xc_status infer_trampoline(xc_infer_ctx *c);

static plugin_entry *entry_new(const xc_plugin_op *op, const char *plugin)
{
    plugin_entry *e = calloc(1, sizeof *e);
    int n_attrs = 0;
    while (op->attrs && op->attrs[n_attrs].name) n_attrs++;
    if (!e || !(e->attrs = calloc((size_t)n_attrs + 1, sizeof *e->attrs)) || !(e->domain = strdup(op->domain))
        || !(e->op_type = strdup(op->op_type))) {
        entry_free(e);
        return NULL;
    }
    for (int a = 0; a < n_attrs; a++) {
        e->attrs[a].type = (xc_attr_type)op->attrs[a].type;
        e->attrs[a].required = op->attrs[a].required;
        if (!(e->attrs[a].name = strdup(op->attrs[a].name))) {
            entry_free(e);
            return NULL;
        }
    }
    if (op->opencl_source && (!(e->cl_source = strdup(op->opencl_source)) || !(e->cl_kernel = strdup(op->opencl_kernel)))) {
        entry_free(e);
        return NULL;
    }
    e->schema = (xc_op_schema){e->op_type,      op->since_version, op->min_inputs, op->max_inputs,
                               op->min_outputs, op->max_outputs,   e->attrs,       infer_trampoline};
    e->until = op->until_version;
    e->infer = op->infer;
    e->compute = op->compute;
    e->plugin = plugin;
    return e;
}

static xc_status registry_fail(xc_plugin_registry *r, xc_status code, const char *fmt, ...) XC_PRINTF(3, 4);
static xc_status registry_fail(xc_plugin_registry *r, xc_status code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    xc_fail(code, "plugin '%s': %s", r->plugin, msg);
    if (!r->error) {
        r->error = code;
        r->message = strdup(xc_error_message());
    }
    return code;
}

xc_status xc_plugin_register_op(xc_plugin_registry *r, const xc_plugin_op *op)
{
    if (!r) return xc_fail(XC_ERR_USAGE, "xc_plugin_register_op: no registry (call it from xc_plugin_init)");
    if (!op || !op->op_type || !op->op_type[0]) return registry_fail(r, XC_ERR_USAGE, "an op was registered without an op_type");
    const char *dom = op->domain ? op->domain : "(null)";
    const char *why = malformed(op);
    if (why) return registry_fail(r, XC_ERR_USAGE, "%s.%s: %s", dom, op->op_type, why);
    const plugin_entry *other = clash(r, op);
    if (other)
        return registry_fail(r, XC_ERR_USAGE, "%s.%s (opsets from %d) is already registered by plugin '%s' (opsets from %d)", dom,
                             op->op_type, op->since_version, other->plugin, other->schema.since);
    plugin_entry **grown = realloc(r->ops, sizeof *grown * (size_t)(r->n_ops + 1));
    plugin_entry *e = grown ? entry_new(op, r->plugin) : NULL;
    if (grown) r->ops = grown;
    if (!e) return registry_fail(r, XC_ERR_NOMEM, "out of memory registering %s.%s", dom, op->op_type);
    r->ops[r->n_ops++] = e;
    return XC_OK;
}

const xc_op_schema *xc_plugin_schema_find(const char *domain, const char *op_type, int opset)
{
    for (int i = 0; i < n_table; i++) {
        const plugin_entry *e = table[i];
        if (!strcmp(e->domain, domain) && !strcmp(e->op_type, op_type) && e->schema.since <= opset
            && (!e->until || opset <= e->until))
            return &e->schema;
    }
    return NULL;
}

int xc_plugin_schema_is(const xc_op_schema *schema) { return schema && schema->infer == infer_trampoline; }

int xc_plugin_opencl(const xc_op_schema *schema, const char **source, const char **kernel)
{
    const plugin_entry *e = xc_plugin_schema_is(schema) ? (const plugin_entry *)schema : NULL;
    if (!e || !e->cl_source) return 0;
    *source = e->cl_source;
    *kernel = e->cl_kernel;
    return 1;
}

/* ---- loading ---- */

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Calls the plugin's init and commits its ops; on failure frees them and leaves the message. */
static xc_status run_init(xc_status (*init)(xc_plugin_registry *), const char *path, const char *name)
{
    xc_plugin_registry r = {name, NULL, 0, XC_OK, NULL};
    xc_status s = init(&r);
    if (r.error) {
        s = xc_fail(r.error, "%s", r.message ? r.message : "out of memory");
    } else if (s != XC_OK) {
        s = xc_fail(s > XC_OK && s <= XC_ERR_INTERNAL ? s : XC_ERR_RUNTIME, "plugin '%s': xc_plugin_init failed (status %d)",
                    path, (int)s);
    } else if (!r.n_ops) {
        s = xc_fail(XC_ERR_USAGE, "plugin '%s' registered no operator", path);
    } else {
        plugin_entry **grown = realloc(table, sizeof *grown * (size_t)(n_table + r.n_ops));
        if (!grown) {
            s = xc_fail(XC_ERR_NOMEM, "out of memory loading plugin '%s'", path);
        } else {
            table = grown;
            memcpy(table + n_table, r.ops, sizeof *r.ops * (size_t)r.n_ops);
            n_table += r.n_ops;
            r.n_ops = 0;
        }
    }
    for (int i = 0; i < r.n_ops; i++) entry_free(r.ops[i]);
    free(r.ops);
    free(r.message);
    return s;
}

xc_status xc_plugin_load(const char *path)
{
    struct stat st;
    if (!path || !path[0]) return xc_fail(XC_ERR_USAGE, "--plugins needs a shared library's path");
    if (stat(path, &st)) return xc_fail(XC_ERR_IO, "plugin '%s': %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode)) return xc_fail(XC_ERR_IO, "plugin '%s' is not a file", path);
    /* a name without '/' would be searched for in the system's library paths */
    char *local = strchr(path, '/') ? strdup(path) : xc_strprintf("./%s", path);
    char *name = strdup(base_name(path));
    if (!local || !name) {
        free(local);
        free(name);
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    void *h = dlopen(local, RTLD_NOW | RTLD_LOCAL);
    free(local);
    if (!h) {
        free(name);
        return xc_fail(XC_ERR_USAGE, "plugin '%s' is not a loadable shared library: %s", path, dlerror());
    }
    const int *abi = dlsym(h, "xc_plugin_abi_version");
    void *sym = dlsym(h, "xc_plugin_init");
    xc_status (*init)(xc_plugin_registry *) = NULL;
    memcpy(&init, &sym, sizeof init < sizeof sym ? sizeof init : sizeof sym); /* object to function pointer, as POSIX allows */
    xc_status s;
    if (!abi || !init)
        s = xc_fail(XC_ERR_USAGE, "'%s' is not a crosscheck plugin: it defines no %s (see crosscheck/plugin.h)", path,
                    abi ? "xc_plugin_init" : "xc_plugin_abi_version (XC_PLUGIN_ABI)");
    else if (*abi != XC_PLUGIN_ABI_VERSION)
        s = xc_fail(XC_ERR_USAGE,
                    "plugin '%s' was built for plugin ABI %d, this crosscheck loads ABI %d: rebuild it against "
                    "this crosscheck's plugin.h",
                    path, *abi, XC_PLUGIN_ABI_VERSION);
    else
        s = run_init(init, path, name);
    if (s != XC_OK) {
        dlclose(h);
        free(name);
    }
    /* kept on success: the entries point at name, and the library stays loaded for the process */
    return s;
}

/* ---- calling the callbacks ---- */

static xc_status callback_failed(const xc_plugin_node *pn, xc_status s, int failed, const char *what)
{
    char lb[256];
    if (s <= XC_OK || s > XC_ERR_INTERNAL) s = XC_ERR_RUNTIME;
    if (failed) return s;
    return xc_fail(s, "plugin '%s': %s.%s, %s: the %s callback failed without a message", pn->op->plugin, pn->op->domain,
                   pn->op->op_type, xc_node_label(pn->node, lb, sizeof lb), what);
}

static xc_status infer_trampoline(xc_infer_ctx *c)
{
    const plugin_entry *e = (const plugin_entry *)c->node->schema;
    xc_plugin_shape *in = calloc((size_t)c->n_in + 1, sizeof *in), *out = calloc((size_t)c->n_out + 1, sizeof *out);
    if (!in || !out) {
        free(in);
        free(out);
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < c->n_in; i++) {
        in[i].present = c->in[i].present;
        in[i].dtype = c->in[i].dtype;
        in[i].rank = c->in[i].rank;
        memcpy(in[i].dims, c->in[i].dims, sizeof in[i].dims);
        in[i].value = c->in[i].value;
    }
    for (int o = 0; o < c->n_out; o++) {
        out[o].present = c->out[o].present;
        out[o].dtype = XC_UNDEFINED;
        out[o].rank = -1;
        for (int k = 0; k < XC_MAX_RANK; k++) out[o].dims[k] = -1;
    }
    int failed = 0;
    xc_plugin_node pn = {c->node, e, &failed};
    xc_status s = e->infer(&pn, c->n_in, in, c->n_out, out);
    if (s != XC_OK) s = callback_failed(&pn, s, failed, "shape-inference");
    for (int o = 0; o < c->n_out && s == XC_OK; o++) {
        int ok = out[o].rank >= -1 && out[o].rank <= XC_MAX_RANK && out[o].dtype >= XC_UNDEFINED && out[o].dtype < XC_DTYPE_COUNT;
        for (int k = 0; ok && k < out[o].rank; k++) ok = out[o].dims[k] >= -1;
        if (!ok) {
            char lb[256];
            s = xc_fail(XC_ERR_RUNTIME, "plugin '%s': %s.%s, %s: shape inference gave output %d an invalid dtype, rank or dim",
                        e->plugin, e->domain, e->op_type, xc_node_label(c->node, lb, sizeof lb), o);
            break;
        }
        c->out[o].dtype = out[o].dtype;
        c->out[o].rank = out[o].rank;
        memcpy(c->out[o].dims, out[o].dims, sizeof c->out[o].dims);
    }
    free(in);
    free(out);
    return s;
}

xc_status xc_plugin_compute(const xc_node *n, int n_in, const xc_tensor *const *in, int n_out, xc_tensor **out)
{
    char lb[256];
    if (!xc_plugin_schema_is(n->schema)) return xc_fail(XC_ERR_INTERNAL, "%s: not a plugin op", xc_node_label(n, lb, sizeof lb));
    const plugin_entry *e = (const plugin_entry *)n->schema;
    int failed = 0;
    xc_plugin_node pn = {n, e, &failed};
    xc_status s = e->compute(&pn, n_in, in, n_out, out);
    if (s != XC_OK) return callback_failed(&pn, s, failed, "compute");
    for (int o = 0; o < n_out; o++)
        if (n->outputs[o][0] && !out[o])
            return xc_fail(XC_ERR_RUNTIME, "plugin '%s': %s.%s, %s: the compute callback produced no output %d", e->plugin,
                           e->domain, e->op_type, xc_node_label(n, lb, sizeof lb), o);
    return XC_OK;
}

/* ---- what callbacks ask ---- */

const char *xc_plugin_node_name(const xc_plugin_node *n) { return n->node->name ? n->node->name : ""; }
int xc_plugin_node_opset(const xc_plugin_node *n) { return n->node->opset; }

static const xc_attr *attr_of(const xc_plugin_node *n, const char *name, xc_attr_type t)
{
    const xc_attr *a = xc_node_attr(n->node, name);
    return a && a->type == t ? a : NULL;
}

int xc_plugin_attr_int(const xc_plugin_node *n, const char *name, int64_t *out)
{
    const xc_attr *a = attr_of(n, name, XC_ATTR_INT);
    if (a) *out = a->i;
    return a != NULL;
}

int xc_plugin_attr_float(const xc_plugin_node *n, const char *name, float *out)
{
    const xc_attr *a = attr_of(n, name, XC_ATTR_FLOAT);
    if (a) *out = a->f;
    return a != NULL;
}

int xc_plugin_attr_string(const xc_plugin_node *n, const char *name, const char **out)
{
    const xc_attr *a = attr_of(n, name, XC_ATTR_STRING);
    if (a) *out = a->s;
    return a != NULL;
}

int xc_plugin_attr_ints(const xc_plugin_node *n, const char *name, const int64_t **vals, size_t *count)
{
    const xc_attr *a = attr_of(n, name, XC_ATTR_INTS);
    if (a) *vals = a->ints, *count = a->n;
    return a != NULL;
}

int xc_plugin_attr_floats(const xc_plugin_node *n, const char *name, const float **vals, size_t *count)
{
    const xc_attr *a = attr_of(n, name, XC_ATTR_FLOATS);
    if (a) *vals = a->floats, *count = a->n;
    return a != NULL;
}

xc_status xc_plugin_fail(const xc_plugin_node *n, xc_status code, const char *fmt, ...)
{
    char msg[1024], lb[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt ? fmt : "failed", ap);
    va_end(ap);
    if (code <= XC_OK || code > XC_ERR_INTERNAL) code = XC_ERR_RUNTIME;
    if (!n) return xc_fail(code, "plugin: %s (xc_plugin_fail called without its node)", msg);
    *n->failed = 1;
    return xc_fail(code, "plugin '%s': %s.%s, %s: %s", n->op->plugin, n->op->domain, n->op->op_type,
                   xc_node_label(n->node, lb, sizeof lb), msg);
}
