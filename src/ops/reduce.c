/* reduce.c — schemas of the reduce operator family (see families.h). */
#include "schema.h"

const xc_op_schema xc_schemas_reduce[] = {
    {0},
};
