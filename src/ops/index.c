/* index.c — schemas of the index operator family (see families.h). */
#include "schema.h"

const xc_op_schema xc_schemas_index[] = {
    {0},
};
