/* gather.c — schemas of the gather operator family (see families.h). */
#include "schema.h"

const xc_op_schema xc_schemas_gather[] = {
    {0},
};
