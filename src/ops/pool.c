/* pool.c — schemas of the pool operator family (see families.h). */
#include "schema.h"

const xc_op_schema xc_schemas_pool[] = {
    {0},
};
