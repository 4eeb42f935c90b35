/* resize.c — reference kernels of the resize operator family. */
#include "ref.h"

const xc_ref_kernel xc_ref_resize[] = {
    {0},
};
