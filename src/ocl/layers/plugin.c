/* plugin.c — the plugin layer kind: a custom-domain op whose plugin gave an OpenCL kernel
 * (crosscheck/plugin.h). Tactic plugin.opencl: the plugin's kernel, one work-item per element
 * of output 0; arguments: inputs, outputs, output 0's element count, each input's element
 * count; defines: XC_N_INPUTS and the node's declared INT and FLOAT attributes as ATTR_<name>. Ops without a kernel, with an omitted
 * optional input or with a non-float tensor are left to other kinds (--fallback-cpu). */
#include "ocl/engine.h"
#include "ops/plugins.h"
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static int accepts(const xc_engine *e, const xc_layer *l)
{
    const char *src, *kernel;
    if (!xc_plugin_opencl(l->node->schema, &src, &kernel) || l->n_out < 1 || 2 * l->n_in + l->n_out + 1 > XC_LAUNCH_ARGS)
        return 0;
    for (int i = 0; i < l->n_in; i++)
        if (l->in[i] < 0 || e->tensors[l->in[i]].dtype != XC_FLOAT || xc_et_numel(&e->tensors[l->in[i]]) >= (size_t)INT_MAX)
            return 0;
    for (int o = 0; o < l->n_out; o++)
        if (l->out[o] < 0 || e->tensors[l->out[o]].dtype != XC_FLOAT) return 0;
    for (int a = 0; a < l->node->n_attrs; a++) /* a NaN or infinite value has no literal for its define */
        if (l->node->attrs[a].type == XC_ATTR_FLOAT && !isfinite(l->node->attrs[a].f)) return 0;
    size_t n = xc_et_numel(&e->tensors[l->out[0]]);
    return n > 0 && n < (size_t)INT_MAX;
}

/* " -DATTR_alpha=2.5f ..." for the declared numeric attributes the node sets (names that are
 * not C identifiers are left out); 0 when they do not fit. */
static int attr_defines(const xc_node *n, char *buf, size_t len)
{
    size_t o = strlen(buf);
    for (const xc_attr_spec *s = n->schema->attrs; s && s->name; s++) {
        const xc_attr *a = xc_node_attr(n, s->name);
        if (!a || (a->type != XC_ATTR_INT && a->type != XC_ATTR_FLOAT)
            || strspn(s->name,
                      "abcdefghijklmnopqrstuvwxyz"
                      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
                   != strlen(s->name))
            continue;
        int w = a->type == XC_ATTR_INT ? snprintf(buf + o, len - o, " -DATTR_%s=%lld", s->name, (long long)a->i)
                                       : snprintf(buf + o, len - o, " -DATTR_%s=%.9ef", s->name, (double)a->f);
        if (w < 0 || (size_t)w >= len - o) return 0;
        o += (size_t)w;
    }
    return 1;
}

static xc_status opencl_prepare(xc_engine *e, xc_layer *l, const char *defines)
{
    const char *src, *kernel;
    char opts[768];
    char lb[256];
    if (!xc_plugin_opencl(l->node->schema, &src, &kernel))
        return xc_fail(XC_ERR_INTERNAL, "%s: no plugin OpenCL kernel", xc_node_label(l->node, lb, sizeof lb));
    snprintf(opts, sizeof opts, "%s -DXC_N_INPUTS=%d", defines ? defines : "", l->n_in);
    if (!attr_defines(l->node, opts, sizeof opts))
        return xc_fail(XC_ERR_UNSUPPORTED, "%s: the attributes do not fit the kernel's build options",
                       xc_node_label(l->node, lb, sizeof lb));
    cl_program p;
    XC_TRY(xc_layer_program(e, l, NULL, src, opts, &p));
    xc_launch *k = xc_layer_add_launch(l, p, kernel);
    if (!k) return xc_fail(XC_ERR_INTERNAL, "layer '%s': too many launches", l->name);
    for (int i = 0; i < l->n_in; i++) XC_TRY(xc_launch_input(e, l, k, l->in[i]));
    for (int o = 0; o < l->n_out; o++) xc_launch_tensor(k, l->out[o]);
    size_t n = xc_et_numel(&e->tensors[l->out[0]]);
    xc_launch_int(k, (int64_t)n);
    for (int i = 0; i < l->n_in; i++) xc_launch_int(k, (int64_t)xc_et_numel(&e->tensors[l->in[i]]));
    size_t global = xc_round_up(n, XC_WG_DEFAULT), local = XC_WG_DEFAULT;
    xc_launch_range(k, 1, &global, &local);
    return XC_OK;
}

static const xc_tactic opencl = {"plugin.opencl", NULL, NULL, opencl_prepare, NULL};
static const xc_tactic *const tactics[] = {&opencl, NULL};
const xc_layer_kind xc_kind_plugin = {"plugin", accepts, tactics, 0};
