/* value_proto.c — sequences and optionals in .pb files: ONNX's SequenceProto and OptionalProto
 * (onnx-data.proto, which our generated onnx.pb-c does not include), read and written by hand.
 * Both messages have the same wire layout (1 name, 2 elem_type, 3 tensor(s), 5 sequence(s),
 * 7 optional(s)), so a file is read as a generic container and takes its declared kind
 * (sequence or optional) from the graph it is fed to (xc_value_conform). */
#include "value_proto.h"
#include "onnx_io.h"
#include "proto_depth.h"
#include "tensor_proto.h"
#include <stdlib.h>
#include <string.h>

enum { ELEM_UNDEFINED = 0, ELEM_TENSOR = 1, ELEM_SPARSE = 2, ELEM_SEQUENCE = 3, ELEM_MAP = 4, ELEM_OPTIONAL = 5 };
#define MAX_NESTING 8

typedef struct wire {
    const uint8_t *p, *end;
} wire;

static int varint(wire *w, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 64 && w->p < w->end; shift += 7) {
        uint8_t b = *w->p++;
        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) return 1;
    }
    return 0;
}

/* Next field: number, wire type, and for LEN its payload (else *val). 0 at the end, -1 if bad. */
static int next_field(wire *w, int *field, int *type, uint64_t *val, wire *payload)
{
    uint64_t tag;
    if (w->p >= w->end) return 0;
    if (!varint(w, &tag)) return -1;
    *field = (int)(tag >> 3);
    *type = (int)(tag & 7);
    if (*type == 0) return varint(w, val) ? 1 : -1;
    if (*type == 2) {
        uint64_t len;
        if (!varint(w, &len) || len > (uint64_t)(w->end - w->p)) return -1;
        payload->p = w->p;
        payload->end = w->p + len;
        w->p += len;
        return 1;
    }
    if (*type == 1 && w->end - w->p >= 8) {
        w->p += 8;
        return 1;
    }
    if (*type == 5 && w->end - w->p >= 4) {
        w->p += 4;
        return 1;
    }
    return -1;
}

/* A TensorProto can look alike (an unnamed scalar whose data is packed float_data, field 4;
 * dims written packed, field 1), so the test is strict: an elem_type, a name of printable
 * bytes, tensors, and nested messages that pass the same test; no sparse tensors or maps. */
static int is_container(wire w, int depth)
{
    wire pl;
    int field, type, r, has_elem = 0;
    uint64_t v = 0;
    if (depth > MAX_NESTING) return 0;
    while ((r = next_field(&w, &field, &type, &v, &pl)) == 1) {
        if (field == 2 && type == 0 && v <= ELEM_OPTIONAL) {
            has_elem = 1;
        } else if (field == 1 && type == 2) {
            for (const uint8_t *p = pl.p; p < pl.end; p++)
                if (*p < 0x20) return 0; /* packed dims, not a name */
        } else if ((field == 5 || field == 7) && type == 2) {
            if (!is_container(pl, depth + 1)) return 0;
        } else if (!(field == 3 && type == 2)) {
            return 0; /* a field only a TensorProto has (a data_type above 5, raw_data, ...) */
        }
    }
    return r == 0 && has_elem;
}

int xc_value_pb_is_container(const void *buf, size_t len)
{
    wire w = {buf, (const uint8_t *)buf + len};
    return is_container(w, 0);
}

static xc_status load_tensor(wire *pl, xc_tensor **out)
{
    xc_proto_alloc pa;
    xc_proto_alloc_init(&pa);
    Onnx__TensorProto *tp = onnx__tensor_proto__unpack(&pa.allocator, (size_t)(pl->end - pl->p), pl->p);
    if (!tp)
        return pa.failed ? xc_fail(XC_ERR_NOMEM, "out of memory")
                         : xc_fail(XC_ERR_MODEL, "an element is not a valid TensorProto");
    xc_proto_source src = {NULL, 0};
    xc_status s = xc_tensor_from_proto(tp, &src, out);
    onnx__tensor_proto__free_unpacked(tp, NULL);
    return s;
}

static xc_status load_container(wire w, int depth, xc_tensor **out)
{
    if (depth > MAX_NESTING) return xc_fail(XC_ERR_MODEL, "sequences nested deeper than %d", MAX_NESTING);
    wire pl;
    int field, type, r;
    uint64_t v = 0, elem = ELEM_UNDEFINED;
    char *name = NULL;
    XC_TRY(xc_value_new(XC_VALUE_SEQUENCE, XC_UNDEFINED, out));
    xc_status s = XC_OK;
    while (s == XC_OK && (r = next_field(&w, &field, &type, &v, &pl)) == 1) {
        xc_tensor *item = NULL;
        if (field == 1 && type == 2) {
            free(name);
            name = strndup((const char *)pl.p, (size_t)(pl.end - pl.p));
            if (!name) s = xc_fail(XC_ERR_NOMEM, "out of memory");
        } else if (field == 2 && type == 0) {
            elem = v;
        } else if (field == 3 && type == 2) {
            s = load_tensor(&pl, &item);
        } else if (field == 5 && type == 2) {
            s = load_container(pl, depth + 1, &item);
        } else if (type == 2 && (field == 4 || field == 6 || field == 7)) {
            s = xc_fail(XC_ERR_UNSUPPORTED, "holds a %s, which crosscheck does not support",
                        field == 4   ? "sparse tensor"
                        : field == 6 ? "map"
                                     : "nested optional");
        }
        if (s == XC_OK && item) {
            if ((*out)->dtype == XC_UNDEFINED) (*out)->dtype = item->dtype;
            if (item->dtype != (*out)->dtype) {
                xc_tensor_free(item);
                s = xc_fail(XC_ERR_MODEL, "holds tensors of different dtypes");
            } else {
                s = xc_value_insert(*out, -1, item);
            }
        }
    }
    if (s == XC_OK && r < 0) s = xc_fail(XC_ERR_MODEL, "not a valid SequenceProto or OptionalProto (truncated or corrupt)");
    if (s == XC_OK && elem != ELEM_UNDEFINED && elem != ELEM_TENSOR && elem != ELEM_SEQUENCE)
        s = xc_fail(XC_ERR_UNSUPPORTED, "holds elements of type %d (only tensors and sequences are supported)", (int)elem);
    if (s == XC_OK && name) s = xc_tensor_set_name(*out, name);
    free(name);
    if (s != XC_OK) {
        xc_tensor_free(*out);
        *out = NULL;
    }
    return s;
}

xc_status xc_value_load_pb_buffer(const void *buf, size_t len, xc_tensor **out)
{
    wire w = {buf, (const uint8_t *)buf + len};
    return load_container(w, 0, out);
}

/* One element of a container as an item of kind `want`, or -1 when it cannot be one. */
static int fits(const xc_tensor *t, xc_value_kind want)
{
    if (t->value == XC_VALUE_TENSOR) return want == XC_VALUE_TENSOR;
    if (want == XC_VALUE_TENSOR) return 0;
    for (int i = 0; i < t->n_items; i++)
        if (!fits(t->items[i], XC_VALUE_TENSOR)) return 0;
    return want == XC_VALUE_SEQUENCE;
}

int xc_value_conform(xc_tensor *t, xc_value_kind want, xc_dtype dtype)
{
    if (t->value == XC_VALUE_TENSOR || want == XC_VALUE_TENSOR) return t->value == want;
    if (want == XC_VALUE_SEQUENCE) {
        if (!fits(t, XC_VALUE_SEQUENCE)) return 0;
    } else {
        xc_value_kind inner = want == XC_VALUE_OPTIONAL_SEQUENCE ? XC_VALUE_SEQUENCE : XC_VALUE_TENSOR;
        if (t->n_items > 1 || (t->n_items && !fits(t->items[0], inner))) return 0;
        if (t->n_items && inner == XC_VALUE_SEQUENCE) t->items[0]->value = XC_VALUE_SEQUENCE;
    }
    t->value = want;
    if (t->dtype == XC_UNDEFINED) t->dtype = dtype;
    if (t->n_items && t->items[0]->value == XC_VALUE_SEQUENCE && t->items[0]->dtype == XC_UNDEFINED) t->items[0]->dtype = dtype;
    return 1;
}

/* ---- writing ---- */

typedef struct sink {
    uint8_t *p;
    size_t len, cap;
} sink;

static int put_bytes(sink *s, const void *b, size_t n)
{
    if (s->len + n > s->cap) {
        size_t cap = (s->len + n) * 2 + 64;
        uint8_t *q = realloc(s->p, cap);
        if (!q) return 0;
        s->p = q;
        s->cap = cap;
    }
    memcpy(s->p + s->len, b, n);
    s->len += n;
    return 1;
}

static int put_varint(sink *s, uint64_t v)
{
    uint8_t b[10];
    int n = 0;
    do {
        b[n] = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v) b[n] |= 0x80;
        n++;
    } while (v);
    return put_bytes(s, b, (size_t)n);
}

static int put_len(sink *s, int field, const void *b, size_t n)
{
    return put_varint(s, (uint64_t)field << 3 | 2) && put_varint(s, n) && put_bytes(s, b, n);
}

static xc_status write_value(const xc_tensor *t, sink *s)
{
    if (t->name && t->name[0] && !put_len(s, 1, t->name, strlen(t->name))) return xc_fail(XC_ERR_NOMEM, "out of memory");
    int elem = t->value == XC_VALUE_SEQUENCE            ? ELEM_TENSOR
               : !t->n_items                            ? ELEM_UNDEFINED
               : t->value == XC_VALUE_OPTIONAL_SEQUENCE ? ELEM_SEQUENCE
                                                        : ELEM_TENSOR;
    if (!put_varint(s, 2 << 3) || !put_varint(s, (uint64_t)elem)) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int i = 0; i < t->n_items; i++) {
        const xc_tensor *it = t->items[i];
        if (it->value != XC_VALUE_TENSOR) {
            sink sub = {0};
            xc_status st = write_value(it, &sub);
            if (st == XC_OK && !put_len(s, 5, sub.p, sub.len)) st = xc_fail(XC_ERR_NOMEM, "out of memory");
            free(sub.p);
            XC_TRY(st);
            continue;
        }
        Onnx__TensorProto tp;
        XC_TRY(xc_tensor_to_proto(it, &tp));
        size_t n = onnx__tensor_proto__get_packed_size(&tp);
        uint8_t *b = malloc(n ? n : 1);
        xc_status st = b ? XC_OK : xc_fail(XC_ERR_NOMEM, "out of memory");
        if (b) onnx__tensor_proto__pack(&tp, b);
        if (st == XC_OK && !put_len(s, 3, b, n)) st = xc_fail(XC_ERR_NOMEM, "out of memory");
        free(b);
        xc_tensor_proto_release(&tp);
        XC_TRY(st);
    }
    return XC_OK;
}

xc_status xc_value_save_pb(const xc_tensor *t, const char *path)
{
    sink s = {0};
    xc_status st = write_value(t, &s);
    if (st == XC_OK) st = xc_write_file(path, s.p ? s.p : (const uint8_t *)"", s.len);
    free(s.p);
    return st;
}
