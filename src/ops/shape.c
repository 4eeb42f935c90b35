/* shape.c — schemas of the shape operator family (see families.h). */
#include "schema.h"

const xc_op_schema xc_schemas_shape[] = {
    {0},
};
