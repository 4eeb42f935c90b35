/* attention.c — schemas of the attention operator family (see families.h). */
#include "schema.h"

const xc_op_schema xc_schemas_attention[] = {
    {0},
};
