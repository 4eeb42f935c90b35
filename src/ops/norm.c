/* norm.c — schemas of the norm operator family (see families.h). */
#include "schema.h"

const xc_op_schema xc_schemas_norm[] = {
    {0},
};
