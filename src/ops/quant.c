/* quant.c — schemas of the quant operator family (see families.h). */
#include "schema.h"

const xc_op_schema xc_schemas_quant[] = {
    {0},
};
