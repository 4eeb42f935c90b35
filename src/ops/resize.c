/* resize.c — schemas of the resize operator family (see families.h). */
#include "schema.h"

const xc_op_schema xc_schemas_resize[] = {
    {0},
};
