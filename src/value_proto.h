/* value_proto.h — sequences and optionals in .pb files (SequenceProto, OptionalProto). */
#ifndef XC_VALUE_PROTO_H
#define XC_VALUE_PROTO_H
#include "tensor.h"

/* 1 if the message in buf is a SequenceProto or OptionalProto rather than a TensorProto: it
 * has an elem_type (field 2, at most 5) and only the fields those messages have. */
int xc_value_pb_is_container(const void *buf, size_t len);
/* Reads a SequenceProto or OptionalProto as a container of kind XC_VALUE_SEQUENCE whose items
 * are tensors or (nested) containers; xc_value_conform gives it its declared kind. */
xc_status xc_value_load_pb_buffer(const void *buf, size_t len, xc_tensor **out);
/* Gives a container loaded from a file the kind a graph declares for it (an OptionalProto and
 * a SequenceProto of at most one element look alike on the wire), and dtype where it holds no
 * tensor to tell. 1 when t fits `want`, else 0 (t unchanged). */
int xc_value_conform(xc_tensor *t, xc_value_kind want, xc_dtype dtype);
/* Writes a container as a SequenceProto (sequence) or OptionalProto (optional). */
xc_status xc_value_save_pb(const xc_tensor *t, const char *path);
#endif
