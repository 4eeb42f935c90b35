/* binary.c — schemas of the binary operator family (see families.h). */
#include "schema.h"

const xc_op_schema xc_schemas_binary[] = {
    {0},
};
