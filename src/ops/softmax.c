/* softmax.c — schemas of the softmax operator family (see families.h). */
#include "schema.h"

const xc_op_schema xc_schemas_softmax[] = {
    {0},
};
