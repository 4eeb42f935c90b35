/* pb_write.h — a minimal protobuf wire-format writer, enough to emit ONNX models field by field.
 * The execution fuzzer uses it so that generated models go through the same bytes -> parse ->
 * validate path as files on disk. Field numbers are ONNX's (onnx.proto). Out of memory aborts:
 * this is test code, and a fuzzer must not mistake it for a library failure. */
#ifndef XC_FUZZ_PB_WRITE_H
#define XC_FUZZ_PB_WRITE_H
#include <stddef.h>
#include <stdint.h>

typedef struct pb_buf {
    uint8_t *d;
    size_t n, cap;
} pb_buf;

void pb_varint_field(pb_buf *b, int field, uint64_t v);
void pb_bytes_field(pb_buf *b, int field, const void *p, size_t n);
void pb_string_field(pb_buf *b, int field, const char *s);
void pb_float_field(pb_buf *b, int field, float f);
/* Appends sub as a length-delimited field and frees it. */
void pb_message_field(pb_buf *b, int field, pb_buf *sub);
void pb_free(pb_buf *b);
#endif
