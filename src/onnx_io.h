/* onnx_io.h — reading and writing ONNX files: models and single TensorProto (.pb) files. */
#ifndef XC_ONNX_IO_H
#define XC_ONNX_IO_H
#include "graph.h"

/* Loads and validates a model (structure, opsets, attributes, types). External data is
 * resolved relative to the model's folder and memory-mapped. */
xc_status xc_model_load(const char *path, xc_model **out);
/* Same from memory; base_dir resolves external data (NULL: external data refused). */
xc_status xc_model_load_buffer(const void *buf, size_t len, const char *base_dir, xc_model **out);
/* Writes the model; initializers are written inline. Unknown fields are preserved. */
xc_status xc_model_save(const xc_model *m, const char *path);

xc_status xc_tensor_load_pb(const char *path, xc_tensor **out);
xc_status xc_tensor_load_pb_buffer(const void *buf, size_t len, xc_tensor **out);
xc_status xc_tensor_save_pb(const xc_tensor *t, const char *path);

/* Writes a file atomically (temporary file, then rename). */
xc_status xc_write_file(const char *path, const void *data, size_t len);
/* Reads a whole file into memory (mapped); used by the loaders. */
xc_status xc_read_file(const char *path, xc_mapping **out);
#endif
