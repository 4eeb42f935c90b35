/* ptx_patch.h — programs whose PTX is edited between the OpenCL compiler and the driver's
 * assembler. NVIDIA's OpenCL compiles to PTX for `.target sm_90`, which refuses the Hopper-only
 * instructions (wgmma.*, fence.proxy.async around them) that exist for `sm_90a` alone; no build
 * option reaches that target. A kernel writes such an instruction as a PTX comment led by
 * XC_PTX_MARK inside its inline asm, so the compiler substitutes the operands' registers and
 * passes the line through; the patch uncomments every marked line and retargets the module to
 * sm_90a, and the program is rebuilt from the edited PTX (clCreateProgramWithBinary). */
#ifndef XC_OCL_PTX_PATCH_H
#define XC_OCL_PTX_PATCH_H
#include "error.h"
#include <stddef.h>

#define XC_PTX_MARK "//XCPTX "

typedef struct xc_ptx_patch {
    const char *name; /* part of the program cache key */
    /* *out (malloc'd, NUL-terminated, *out_len bytes without the NUL) from ptx; an error names
     * what the PTX lacked, with label (the tactic) */
    xc_status (*apply)(const char *ptx, size_t len, const char *label, char **out, size_t *out_len);
} xc_ptx_patch;

/* Retargets sm_90 to sm_90a and uncomments the XC_PTX_MARK lines (at least one must exist). */
extern const xc_ptx_patch xc_ptx_sm90a;
#endif
