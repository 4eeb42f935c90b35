/* unary.c — reference kernels of the unary operator family. */
#include "ref.h"

const xc_ref_kernel xc_ref_unary[] = {
    {0},
};
