/* model.h — ONNX models: load (validated; external data memory-mapped), save, and the names of
 * what a run takes and gives. */
#ifndef XC_PUBLIC_MODEL_H
#define XC_PUBLIC_MODEL_H
#include "error.h"

typedef struct xc_model xc_model;

/* Loads and validates a model (structure, opsets, attributes, types). External data is resolved
 * relative to the model's folder and memory-mapped. */
XC_API xc_status xc_model_load(const char *path, xc_model **out);
/* Writes the model back (unknown fields kept; external data beside it when the model had some
 * or would pass protobuf's 2 GB limit). Refuses to overwrite a file the process read. */
XC_API xc_status xc_model_save(const xc_model *m, const char *path);
XC_API void xc_model_free(xc_model *m);

/* Runtime inputs are the graph inputs that are not initializers: what a run is fed, in order. */
XC_API int xc_model_input_count(const xc_model *m);
XC_API const char *xc_model_input_name(const xc_model *m, int i);
XC_API int xc_model_output_count(const xc_model *m);
XC_API const char *xc_model_output_name(const xc_model *m, int i);

#endif
