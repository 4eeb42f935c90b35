/* wgmma_asm.c — the inline asm of kernels/gemm_wgmma.cl written out for a tile width: a
 * wgmma.mma_async m64nNk8 names all N / 2 accumulator registers of a work-item, one operand
 * each, which the preprocessor cannot count out. Every Hopper-only instruction is a PTX comment
 * led by XC_PTX_MARK (see ocl/ptx_patch.h); the accumulators are operands of the fence and the
 * wait too, so the compiler keeps them in place (no copies in or out) between the three. */
#include "ocl/layers/wgmma_asm.h"
#include "ocl/ptx_patch.h"
#include "text.h"
#include <stdlib.h>

/* ' "+f"(acc[0][j][e])' for every accumulator, comma-separated */
static void accumulators(xc_text *t, int regs)
{
    for (int r = 0; r < regs; r++) xc_text_printf(t, "%s\"+f\"(acc[0][%d][%d])", r ? ", " : "", r / 4, r % 4);
}

/* A function `name` issuing the operandless `instr` with every accumulator as an operand. */
static void fenced(xc_text *t, const char *name, const char *instr, int regs)
{
    xc_text_printf(t, "inline __attribute__((always_inline)) void %s(float acc[MT][NT8][4])\n{\n", name);
    xc_text_printf(t, "    asm volatile(XC_PTX_MARK \"%s;\" : ", instr);
    accumulators(t, regs);
    xc_text_printf(t, " :: \"memory\");\n}\n");
}

char *xc_wgmma_asm_source(int n, int fp16)
{
    const int regs = n / 2; /* 64 x n floats over 128 work-items */
    xc_text t = {0};
    xc_text_printf(&t, "#define XC_PTX_MARK \"%s\"\n", XC_PTX_MARK);
    xc_text_printf(&t, "#ifndef MMA_EMULATE\n");
    fenced(&t, "wgmma_fence", "wgmma.fence.sync.aligned", regs);
    fenced(&t, "wgmma_wait", "wgmma.wait_group.sync.aligned 0", regs);
    fenced(&t, "wgmma_wait1", "wgmma.wait_group.sync.aligned 1", regs);
    xc_text_printf(&t,
                   "inline __attribute__((always_inline)) void wgmma_step(float acc[MT][NT8][4], uint a0, uint a1, uint a2, uint "
                   "a3, ulong db)\n{\n");
    xc_text_printf(&t,
                   "    asm volatile(\"{\\n.reg .pred p;\\nsetp.ne.b32 p, %%%d, 0;\\n\" XC_PTX_MARK "
                   "\"wgmma.mma_async.sync.aligned.m64n%dk%s {",
                   regs + 5, n, fp16 ? "16.f32.f16.f16" : "8.f32.tf32.tf32");
    for (int r = 0; r < regs; r++) xc_text_printf(&t, "%s%%%d", r ? ", " : "", r);
    /* scale-d p, A and B not negated; f16 also names B's layout: 0, k-major (as TF32's must be) */
    xc_text_printf(&t, "}, {%%%d, %%%d, %%%d, %%%d}, %%%d, p, 1, 1%s;\\n}\"\n                 : ", regs, regs + 1, regs + 2,
                   regs + 3, regs + 4, fp16 ? ", 0" : "");
    accumulators(&t, regs);
    xc_text_printf(&t,
                   "\n                 : \"r\"(a0), \"r\"(a1), \"r\"(a2), \"r\"(a3), \"l\"(db), \"r\"(1)\n"
                   "                 : \"memory\");\n}\n#endif\n");
    if (t.failed) {
        xc_text_free(&t);
        return NULL;
    }
    return t.s;
}
