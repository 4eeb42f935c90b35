/* ptx_patch.c — the sm_90a patch (see ptx_patch.h). */
#include "ocl/ptx_patch.h"
#include <stdlib.h>
#include <string.h>

#define TARGET ".target sm_90"

static xc_status sm90a(const char *ptx, size_t len, const char *label, char **out, size_t *out_len)
{
    *out = NULL;
    while (len && !ptx[len - 1]) len--; /* the driver's binary may end in NULs */
    const char *t = memmem(ptx, len, TARGET, strlen(TARGET));
    size_t tl = strlen(TARGET);
    /* sm_90 exactly (sm_90a already, or sm_900, would be another module) */
    if (!t || (t + tl < ptx + len && ((t[tl] >= '0' && t[tl] <= '9') || t[tl] == 'a')))
        return xc_fail(XC_ERR_UNSUPPORTED, "%s: the device's OpenCL compiler did not emit PTX for %s (wgmma needs sm_90a)", label,
                       TARGET);
    if (!memmem(ptx, len, XC_PTX_MARK, strlen(XC_PTX_MARK)))
        return xc_fail(XC_ERR_INTERNAL, "%s: no %s line in the compiled PTX to patch", label, XC_PTX_MARK);
    char *o = malloc(len + 2);
    if (!o) return xc_fail(XC_ERR_NOMEM, "%s: out of memory patching PTX", label);
    size_t w = 0, mk = strlen(XC_PTX_MARK);
    for (size_t i = 0; i < len;) {
        if (ptx + i == t) { /* the target: append 'a' */
            memcpy(o + w, TARGET "a", tl + 1);
            w += tl + 1;
            i += tl;
        } else if (len - i >= mk && !memcmp(ptx + i, XC_PTX_MARK, mk)) {
            i += mk; /* the marked instruction, uncommented */
        } else {
            o[w++] = ptx[i++];
        }
    }
    o[w] = 0;
    *out = o;
    *out_len = w;
    return XC_OK;
}

const xc_ptx_patch xc_ptx_sm90a = {"sm90a-1", sm90a};
