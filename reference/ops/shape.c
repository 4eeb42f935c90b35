/* shape.c — reference kernels of the shape operator family. */
#include "ref.h"

const xc_ref_kernel xc_ref_shape[] = {
    {0},
};
