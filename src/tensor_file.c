/* tensor_file.c — single TensorProto files (.pb), as in ONNX test_data_set folders. */
#include "onnx_io.h"
#include "proto_depth.h"
#include "tensor_proto.h"
#include "value_proto.h"
#include <stdio.h>
#include <stdlib.h>

xc_status xc_tensor_load_pb_buffer(const void *buf, size_t len, xc_tensor **out)
{
    *out = NULL;
    if (xc_value_pb_is_container(buf, len)) return xc_value_load_pb_buffer(buf, len, out); /* a sequence or an optional */
    xc_proto_alloc pa;
    xc_proto_alloc_init(&pa);
    Onnx__TensorProto *tp = onnx__tensor_proto__unpack(&pa.allocator, len, buf);
    if (!tp && pa.failed) return xc_fail(XC_ERR_NOMEM, "out of memory unpacking %zu bytes of TensorProto", len);
    if (!tp) return xc_fail(XC_ERR_MODEL, "not a valid TensorProto (truncated or corrupt)");
    xc_proto_source src = {NULL, 0};
    xc_status s = xc_tensor_from_proto(tp, &src, out);
    onnx__tensor_proto__free_unpacked(tp, NULL);
    return s;
}

xc_status xc_tensor_load_pb(const char *path, xc_tensor **out)
{
    xc_mapping *m;
    XC_TRY(xc_read_file(path, &m));
    xc_status s = xc_tensor_load_pb_buffer(m->addr, m->len, out);
    xc_mapping_release(m);
    if (s != XC_OK) return xc_error_prefix(s, "%s: ", path);
    return XC_OK;
}

xc_status xc_tensor_save_pb(const xc_tensor *t, const char *path)
{
    if (t->value != XC_VALUE_TENSOR) return xc_value_save_pb(t, path);
    Onnx__TensorProto tp;
    XC_TRY(xc_tensor_to_proto(t, &tp));
    size_t len = onnx__tensor_proto__get_packed_size(&tp);
    uint8_t *buf = malloc(len ? len : 1);
    xc_status s;
    if (!buf) {
        s = xc_fail(XC_ERR_NOMEM, "out of memory");
    } else {
        onnx__tensor_proto__pack(&tp, buf);
        s = xc_write_file(path, buf, len);
    }
    free(buf);
    xc_tensor_proto_release(&tp);
    return s;
}
