/* tensor_proto.h — conversion between Onnx__TensorProto and xc_tensor (internal). */
#ifndef XC_TENSOR_PROTO_H
#define XC_TENSOR_PROTO_H
#include "tensor.h"
#include "onnx/onnx.pb-c.h"

/* How a tensor may refer to the proto's bytes instead of copying them. */
typedef struct xc_proto_source {
    const char *base_dir; /* folder for external data; NULL refuses external data */
    int borrow;           /* 1: raw_data is borrowed (the proto outlives the tensor) */
} xc_proto_source;

xc_status xc_tensor_from_proto(const Onnx__TensorProto *tp, const xc_proto_source *src, xc_tensor **out);
/* Fills *tp (initialised by the caller) to describe t with raw_data pointing at t's data:
 * the proto borrows, so t must outlive any packing of tp. Frees nothing of t. */
xc_status xc_tensor_to_proto(const xc_tensor *t, Onnx__TensorProto *tp);
/* Same, but describing t as external data at `offset` of file `location` (borrowed: it must
 * outlive tp). The bytes themselves are written by the caller. */
xc_status xc_tensor_to_proto_external(const xc_tensor *t, Onnx__TensorProto *tp, const char *location, uint64_t offset);
/* Frees what xc_tensor_to_proto(_external) allocated inside tp. */
void xc_tensor_proto_release(Onnx__TensorProto *tp);

/* Resolves an external-data location against base_dir, refusing any path that leaves it. */
xc_status xc_external_path(const char *base_dir, const char *location, char **out);
#endif
