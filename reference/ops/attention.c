/* attention.c — reference kernels of the attention operator family. */
#include "ref.h"

const xc_ref_kernel xc_ref_attention[] = {
    {0},
};
