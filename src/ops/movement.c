/* movement.c — schemas of the movement operator family (see families.h). */
#include "schema.h"

const xc_op_schema xc_schemas_movement[] = {
    {0},
};
