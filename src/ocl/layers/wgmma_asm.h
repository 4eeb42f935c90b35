/* wgmma_asm.h — the inline asm kernels/gemm_wgmma.cl needs for a tile width (wgmma_asm.c). */
#ifndef XC_OCL_WGMMA_ASM_H
#define XC_OCL_WGMMA_ASM_H

/* OpenCL C defining XC_PTX_MARK, wgmma_fence, wgmma_step (m64nNk8 TF32, or m64nNk16 f16 with fp32
 * accumulation when fp16) and wgmma_wait for BN = n (a multiple of 8 up to 256), malloc'd; NULL
 * when memory runs out. */
char *xc_wgmma_asm_source(int n, int fp16);
#endif
