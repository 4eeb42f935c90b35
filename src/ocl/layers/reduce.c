/* reduce.c — the reduce layer kind (being written). */
#include "ocl/engine.h"

static int accepts(const xc_engine *e, const xc_layer *l)
{
    (void)e;
    (void)l;
    return 0;
}

static const xc_tactic *const tactics[] = {NULL};
const xc_layer_kind xc_kind_reduce = {"reduce", accepts, tactics};
