/* norm_util.c — see norm_util.h. */
#include "ocl/layers/norm_util.h"
#include "ocl/program.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

xc_status xc_norm_program(xc_engine *e, xc_layer *l, const char *file, const char *defines, cl_program *out)
{
    const char *body = xc_kernel_source(file);
    if (!body) return xc_fail(XC_ERR_INTERNAL, "kernel source kernels/%s is not embedded", file);
    return xc_layer_program(e, l, "norm_group.cl", body, defines, out);
}

void xc_defs(char *buf, size_t len, const char *fmt, ...)
{
    size_t o = strlen(buf);
    if (o >= len) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + o, len - o, fmt, ap);
    va_end(ap);
}

const xc_variant xc_norm_group_sizes[] = {
    {"64", "-DWG=64"},
    {"128", "-DWG=128"},
    {"256", "-DWG=256"},
    {NULL, NULL},
};

size_t xc_norm_wg(const char *defines) { return (size_t)xc_define_int(defines, "WG", 1); }
