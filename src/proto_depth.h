/* proto_depth.h — bounds message nesting in protobuf bytes before protobuf-c unpacks them.
 *
 * protobuf-c unpacks nested messages by recursion, so a 34 KB file holding a TypeProto nested
 * 5,000 deep (or an If in an If ... 100,000 deep) overflows the stack inside the parser, before
 * any check on the unpacked model could run. This scan walks the wire format with an explicit
 * depth, guided by the message descriptors (only fields the schema says are messages are
 * entered: strings and packed arrays share the wire type), and refuses deeper nesting. */
#ifndef XC_PROTO_DEPTH_H
#define XC_PROTO_DEPTH_H
#include "error.h"
#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

/* Message levels a model may nest (ModelProto is level 1). A graph at subgraph depth 32 (the
 * loader's own limit) sits at level 98, its deepest tensor shape dim at level 103. */
#define XC_PROTO_MAX_DEPTH 128

/* XC_OK when buf, read as a desc message, nests at most max_depth message levels; else
 * XC_ERR_MODEL "protobuf messages nested deeper than N levels". Malformed bytes are left for
 * the parser to refuse: the scan only skips what it cannot read, it never accepts on its own. */
xc_status xc_proto_check_depth(const ProtobufCMessageDescriptor *desc, const void *buf, size_t len, int max_depth);

/* protobuf-c's unpack returns NULL both for bad bytes and for a failed allocation. Unpacking
 * through this allocator tells them apart, so running out of memory is not reported as a
 * corrupt file. Blocks come from malloc: free_unpacked(msg, NULL) frees them as usual. */
typedef struct xc_proto_alloc {
    ProtobufCAllocator allocator;
    int failed; /* set when an allocation failed */
} xc_proto_alloc;

void xc_proto_alloc_init(xc_proto_alloc *pa);

#endif
