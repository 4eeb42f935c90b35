/* matmul.c — schemas of the matmul operator family (see families.h). */
#include "schema.h"

const xc_op_schema xc_schemas_matmul[] = {
    {0},
};
