/* proto_depth.c — the nesting scan of proto_depth.h: a wire-format walk that recurses only into
 * fields the descriptors call messages, and never deeper than the limit it enforces. */
#include "proto_depth.h"
#include <stdint.h>
#include <stdlib.h>

static void *alloc_noting(void *data, size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p) ((xc_proto_alloc *)data)->failed = 1;
    return p;
}

static void free_block(void *data, void *p)
{
    (void)data;
    free(p);
}

void xc_proto_alloc_init(xc_proto_alloc *pa)
{
    pa->allocator.alloc = alloc_noting;
    pa->allocator.free = free_block;
    pa->allocator.allocator_data = pa;
    pa->failed = 0;
}

typedef struct cursor {
    const uint8_t *p, *end;
} cursor;

/* Reads a varint; 0 at a truncated or over-long one. */
static int read_varint(cursor *c, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 64 && c->p < c->end; shift += 7) {
        uint8_t b = *c->p++;
        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) return 1;
    }
    return 0;
}

static int skip(cursor *c, uint64_t n)
{
    if (n > (uint64_t)(c->end - c->p)) return 0;
    c->p += n;
    return 1;
}

/* 1 when some message inside [p, end) (a desc message at level depth) nests beyond max. */
static int too_deep(const ProtobufCMessageDescriptor *desc, const uint8_t *p, const uint8_t *end, int depth, int max)
{
    if (depth > max) return 1;
    cursor c = {p, end};
    while (c.p < c.end) {
        uint64_t tag, n;
        if (!read_varint(&c, &tag)) return 0; /* malformed: the parser refuses this level */
        switch (tag & 7) {
        case 0:
            if (!read_varint(&c, &n)) return 0;
            break;
        case 1:
            if (!skip(&c, 8)) return 0;
            break;
        case 5:
            if (!skip(&c, 4)) return 0;
            break;
        case 2: {
            if (!read_varint(&c, &n) || n > (uint64_t)(c.end - c.p)) return 0;
            const uint8_t *body = c.p;
            c.p += n;
            const ProtobufCFieldDescriptor *f =
                tag >> 3 <= UINT32_MAX ? protobuf_c_message_descriptor_get_field(desc, (unsigned)(tag >> 3)) : NULL;
            if (f && f->type == PROTOBUF_C_TYPE_MESSAGE && too_deep(f->descriptor, body, c.p, depth + 1, max)) return 1;
            break;
        }
        default: return 0; /* groups and unknown wire types: the parser refuses them */
        }
    }
    return 0;
}

xc_status xc_proto_check_depth(const ProtobufCMessageDescriptor *desc, const void *buf, size_t len, int max_depth)
{
    const uint8_t *p = buf;
    if (len && too_deep(desc, p, p + len, 1, max_depth))
        return xc_fail(XC_ERR_MODEL, "protobuf messages nested deeper than %d levels (subgraphs or types nested too deep)",
                       max_depth);
    return XC_OK;
}
