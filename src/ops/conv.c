/* conv.c — schemas of the conv operator family (see families.h). */
#include "schema.h"

const xc_op_schema xc_schemas_conv[] = {
    {0},
};
