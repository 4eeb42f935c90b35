/* onnx_io.h — reading and writing ONNX files: models and single TensorProto (.pb) files. */
#ifndef XC_ONNX_IO_H
#define XC_ONNX_IO_H
#include "graph.h"

struct xc_issue_sink;
/* Loads reporting every problem to sink (validate.h) instead of failing at the first: returns
 * an error only when the file cannot be read or parsed as ONNX protobuf (or memory runs out).
 * *out is the model (problems included), or NULL when one made it impossible to build. */
xc_status xc_model_load_checked(const char *path, const struct xc_issue_sink *sink, xc_model **out);
/* Same from memory; base_dir resolves external data (NULL: external data refused). */
xc_status xc_model_load_buffer(const void *buf, size_t len, const char *base_dir, xc_model **out);
/* xc_model_load and xc_model_save (with xc_save_options_default()) are public: crosscheck/model.h. */

/* Where initializers go on save. External data is one file beside the model; each tensor of at
 * least `threshold` bytes is stored there at an offset aligned to XC_EXTERNAL_ALIGN, and runs
 * of zero bytes are skipped (written as holes), so sparse weights stay sparse. */
#define XC_EXTERNAL_ALIGN 64
typedef struct xc_save_options {
    int external;          /* 1: external data; 0: all inline; -1 (default): external when the
                                model holds external data or would pass protobuf's 2 GB limit */
    size_t threshold;      /* default 1024 bytes */
    const char *data_file; /* a file name in the model's folder; NULL: "<model file name>.data" */
} xc_save_options;
xc_save_options xc_save_options_default(void);
xc_status xc_model_save_with(const xc_model *m, const char *path, const xc_save_options *o);

xc_status xc_tensor_load_pb_buffer(const void *buf, size_t len, xc_tensor **out);

/* Writes a file atomically (unique temporary file, then rename; special files directly), refusing
 * to replace a file this process read (see file_io.h). */
xc_status xc_write_file(const char *path, const void *data, size_t len);
/* Reads a whole file into memory (mapped); used by the loaders. */
xc_status xc_read_file(const char *path, xc_mapping **out);
#endif
