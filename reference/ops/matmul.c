/* matmul.c — reference kernels of the matmul operator family. */
#include "ref.h"

const xc_ref_kernel xc_ref_matmul[] = {
    {0},
};
