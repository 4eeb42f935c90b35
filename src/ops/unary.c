/* unary.c — schemas of the unary operator family (see families.h). */
#include "schema.h"

const xc_op_schema xc_schemas_unary[] = {
    {0},
};
