/* movement.c — reference kernels of the movement operator family. */
#include "ref.h"

const xc_ref_kernel xc_ref_movement[] = {
    {0},
};
