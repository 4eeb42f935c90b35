/* axis_util.c — helpers of the along-axis and index layer kinds (axis_util.h). */
#include "axis_util.h"
#include <stdio.h>
#include <string.h>

int ax_normalize(int64_t a, int rank)
{
    if (a < 0) a += rank;
    return a < 0 || a >= rank ? -1 : (int)a;
}

ax_split ax_split_at(const xc_etensor *t, int axis)
{
    ax_split s = {1, t->dims[axis], 1};
    for (int d = 0; d < axis; d++) s.outer *= t->dims[d];
    for (int d = axis + 1; d < t->rank; d++) s.inner *= t->dims[d];
    return s;
}

void ax_launch_axis(xc_launch *k, int64_t items, ax_split s)
{
    xc_launch_int(k, items);
    xc_launch_int(k, s.n);
    xc_launch_int(k, s.inner);
}

const char *ax_int_type(xc_dtype t)
{
    switch (t) {
    case XC_INT8: return "char";
    case XC_UINT8:
    case XC_BOOL: return "uchar";
    case XC_INT16: return "short";
    case XC_UINT16: return "ushort";
    case XC_INT32: return "int";
    case XC_UINT32: return "uint";
    case XC_INT64: return "long";
    case XC_UINT64: return "ulong";
    default: return NULL;
    }
}

int ax_numeric(xc_dtype t) { return t == XC_FLOAT || (t != XC_BOOL && ax_int_type(t)); }

void ax_type_define(char *buf, size_t len, const char *name, xc_dtype t)
{
    size_t o = strlen(buf);
    if (o >= len) return;
    if (t == XC_FLOAT)
        snprintf(buf + o, len - o, " -D%s_FLOAT", name);
    else
        snprintf(buf + o, len - o, " -D%s_T=%s", name, ax_int_type(t));
}

int ax_const_int(const xc_engine *e, int id, int64_t *out)
{
    if (id < 0) return 0;
    const xc_tensor *v = e->tensors[id].value;
    if (!v || xc_tensor_numel(v) < 1 || xc_dtype_is_float(v->dtype) || v->dtype == XC_BOOL) return 0;
    *out = xc_load_i64(v->dtype, v->data, 0);
    return 1;
}
