/* tensor_proto.c — Onnx__TensorProto <-> xc_tensor, including external data.
 *
 * External data is memory-mapped and the tensor points into the mapping, so weights that live
 * beside a model are never copied. A location that leaves the model's folder (absolute path,
 * "..", or a symlink resolving outside) is refused. */
#include "tensor_proto.h"
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

xc_status xc_external_path(const char *base_dir, const char *location, char **out)
{
    if (!base_dir) return xc_fail(XC_ERR_MODEL, "external data '%s' is not allowed here", location);
    if (!location || !location[0]) return xc_fail(XC_ERR_MODEL, "external data has no location");
    if (location[0] == '/' || location[0] == '\\')
        return xc_fail(XC_ERR_MODEL, "external data location '%s' is an absolute path; it must be inside the model's folder",
                       location);
    for (const char *p = location; *p;) { /* reject any ".." path component */
        size_t len = strcspn(p, "/\\");
        if (len == 2 && p[0] == '.' && p[1] == '.')
            return xc_fail(XC_ERR_MODEL, "external data location '%s' leaves the model's folder", location);
        p += len;
        if (*p) p++;
    }
    char base_real[PATH_MAX], full[PATH_MAX * 2], full_real[PATH_MAX];
    if (!realpath(base_dir, base_real)) return xc_fail(XC_ERR_IO, "%s: cannot resolve folder", base_dir);
    snprintf(full, sizeof full, "%s/%s", base_real, location);
    if (!realpath(full, full_real))
        return xc_fail(XC_ERR_IO, "external data file '%s' not found (%s)", location, strerror(errno));
    size_t bl = strlen(base_real);
    if (strncmp(full_real, base_real, bl) || (full_real[bl] != '/' && !(bl == 1 && base_real[0] == '/')))
        return xc_fail(XC_ERR_MODEL, "external data location '%s' resolves to '%s', outside the model's folder", location,
                       full_real);
    *out = strdup(full_real);
    return *out ? XC_OK : xc_fail(XC_ERR_NOMEM, "out of memory");
}

/* ONNX stores offset and length as decimal int64 text. A negative value or one past int64 is
 * reported as the text given, never as the number it would wrap to. */
static xc_status parse_u64(const char *key, const char *v, uint64_t *out)
{
    char *end;
    errno = 0;
    if (!v || !*v) return xc_fail(XC_ERR_MODEL, "external data %s '%s' is not a number", key, v ? v : "");
    long long x = strtoll(v, &end, 10);
    if (*end || end == v) return xc_fail(XC_ERR_MODEL, "external data %s '%s' is not a number", key, v);
    if (errno == ERANGE)
        return xc_fail(XC_ERR_MODEL, "external data %s '%s' is out of range (at most %lld)", key, v, (long long)INT64_MAX);
    if (x < 0) return xc_fail(XC_ERR_MODEL, "external data %s '%s' is negative", key, v);
    *out = (uint64_t)x;
    return XC_OK;
}

static xc_status load_external(const Onnx__TensorProto *tp, const char *base_dir, xc_tensor *t)
{
    const char *location = NULL;
    uint64_t offset = 0, length = UINT64_MAX;
    for (size_t i = 0; i < tp->n_external_data; i++) {
        const char *k = tp->external_data[i]->key, *v = tp->external_data[i]->value;
        if (!k) continue;
        if (!strcmp(k, "location"))
            location = v;
        else if (!strcmp(k, "offset"))
            XC_TRY(parse_u64("offset", v, &offset));
        else if (!strcmp(k, "length"))
            XC_TRY(parse_u64("length", v, &length));
    }
    size_t want = xc_dtype_file_bytes(t->dtype, xc_tensor_numel(t)); /* packed for 4- and 2-bit types */
    if (length != UINT64_MAX && length != want)
        return xc_fail(XC_ERR_MODEL, "external data length %llu does not match the %zu bytes of the shape",
                       (unsigned long long)length, want);
    char *path;
    XC_TRY(xc_external_path(base_dir, location, &path));
    xc_mapping *m;
    xc_status s = xc_mapping_open(path, &m);
    if (s != XC_OK) {
        free(path);
        return s;
    }
    if (offset > m->len || want > m->len - offset) {
        s = xc_fail(XC_ERR_MODEL, "external data '%s': offset %llu + %zu bytes is beyond the file's %zu bytes", location,
                    (unsigned long long)offset, want, m->len);
        xc_mapping_release(m);
        free(path);
        return s;
    }
    free(path);
    size_t es = xc_dtype_size(t->dtype);
    if (xc_dtype_bits(t->dtype) < 8) { /* packed in the file: unpack into memory of our own */
        uint8_t *tmp = malloc(t->nbytes ? t->nbytes : 1);
        s = tmp ? XC_OK : xc_fail(XC_ERR_NOMEM, "out of memory");
        if (tmp) xc_low_unpack(t->dtype, (const uint8_t *)m->addr + offset, xc_tensor_numel(t), tmp);
        if (tmp) s = xc_tensor_copy_in(t, tmp);
        free(tmp);
        xc_mapping_release(m);
        return s;
    }
    if (offset % es == 0) { /* aligned: point into the mapping */
        t->kind = XC_DATA_MAPPED;
        t->map = m;
        t->data = (char *)m->addr + offset;
        return XC_OK;
    }
    /* Misaligned offsets would make typed loads undefined behaviour: copy instead. */
    s = xc_tensor_copy_in(t, (char *)m->addr + offset);
    xc_mapping_release(m);
    return s;
}

/* Low-bit types in int32_data: float8 one bit pattern per value, 4- and 2-bit types packed
 * bytes (as onnx.helper.make_tensor writes them). */
static xc_status load_low_typed(const Onnx__TensorProto *tp, xc_tensor *t, size_t numel)
{
    size_t want = xc_dtype_file_bytes(t->dtype, numel);
    if (tp->n_int32_data != want)
        return xc_fail(XC_ERR_MODEL, "holds %zu int32_data values but %zu %s values need %zu", tp->n_int32_data, numel,
                       xc_dtype_name(t->dtype), want);
    uint8_t *bytes = t->data;
    if (xc_dtype_bits(t->dtype) < 8 && !(bytes = malloc(want ? want : 1))) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < want; i++) {
        if (tp->int32_data[i] < 0 || tp->int32_data[i] > 255) {
            if (bytes != t->data) free(bytes);
            return xc_fail(XC_ERR_MODEL, "int32_data[%zu] = %d is not a byte of %s data", i, (int)tp->int32_data[i],
                           xc_dtype_name(t->dtype));
        }
        bytes[i] = (uint8_t)tp->int32_data[i];
    }
    if (bytes != t->data) {
        xc_low_unpack(t->dtype, bytes, numel, t->data);
        free(bytes);
    }
    return XC_OK;
}

/* Typed repeated fields: which one holds a dtype, and how many values it has. */
static xc_status load_typed(const Onnx__TensorProto *tp, xc_tensor *t, size_t numel)
{
    if (xc_dtype_is_low(t->dtype)) return load_low_typed(tp, t, numel);
    size_t have = 0;
    switch (t->dtype) {
    case XC_FLOAT: have = tp->n_float_data; break;
    case XC_DOUBLE: have = tp->n_double_data; break;
    case XC_INT64: have = tp->n_int64_data; break;
    case XC_UINT32:
    case XC_UINT64: have = tp->n_uint64_data; break;
    default: have = tp->n_int32_data; break;
    }
    if (have != numel) return xc_fail(XC_ERR_MODEL, "holds %zu values but its shape needs %zu", have, numel);
    for (size_t i = 0; i < numel; i++) {
        switch (t->dtype) {
        case XC_FLOAT: ((float *)t->data)[i] = tp->float_data[i]; break;
        case XC_DOUBLE: ((double *)t->data)[i] = tp->double_data[i]; break;
        case XC_INT64: ((int64_t *)t->data)[i] = tp->int64_data[i]; break;
        case XC_UINT32: ((uint32_t *)t->data)[i] = (uint32_t)tp->uint64_data[i]; break;
        case XC_UINT64: ((uint64_t *)t->data)[i] = tp->uint64_data[i]; break;
        case XC_FLOAT16:
        case XC_BFLOAT16: ((uint16_t *)t->data)[i] = (uint16_t)tp->int32_data[i]; break;
        default: xc_store_i64(t->dtype, t->data, i, tp->int32_data[i]); break;
        }
    }
    return XC_OK;
}

/* string_data: one entry per element, copied NUL-terminated (an embedded NUL is refused: the
 * string ops work on C strings). */
static xc_status strings_from_proto(const Onnx__TensorProto *tp, int rank, size_t numel, xc_tensor **out)
{
    if (tp->has_raw_data || (tp->has_data_location && tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL))
        return xc_fail(XC_ERR_MODEL, "a string tensor keeps its values in string_data, not raw or external data");
    if (tp->n_string_data != numel)
        return xc_fail(XC_ERR_MODEL, "string_data has %zu values but the shape holds %zu", tp->n_string_data, numel);
    for (size_t i = 0; i < numel; i++)
        if (tp->string_data[i].len && memchr(tp->string_data[i].data, 0, tp->string_data[i].len))
            return xc_fail(XC_ERR_UNSUPPORTED, "string %zu holds a NUL byte, which crosscheck's string ops do not support", i);
    xc_tensor *t;
    XC_TRY(xc_tensor_new(XC_STRING, rank, tp->dims, &t));
    char **v = t->data;
    for (size_t i = 0; i < numel; i++) {
        v[i] = malloc(tp->string_data[i].len + 1);
        if (!v[i]) {
            xc_tensor_free(t);
            return xc_fail(XC_ERR_NOMEM, "out of memory");
        }
        if (tp->string_data[i].len) memcpy(v[i], tp->string_data[i].data, tp->string_data[i].len);
        v[i][tp->string_data[i].len] = 0;
    }
    *out = t;
    return XC_OK;
}

static xc_status from_proto(const Onnx__TensorProto *tp, const xc_proto_source *src, xc_tensor **out)
{
    if (!tp->has_data_type || !tp->data_type) return xc_fail(XC_ERR_MODEL, "has no data type");
    xc_dtype dt = (xc_dtype)tp->data_type;
    if (!xc_dtype_holds(dt))
        return xc_fail(XC_ERR_UNSUPPORTED, "has data type %s (%d), which crosscheck does not support", xc_dtype_name(dt),
                       tp->data_type);
    if (tp->n_dims > XC_MAX_RANK)
        return xc_fail(XC_ERR_UNSUPPORTED, "has rank %zu (at most %d supported)", tp->n_dims, XC_MAX_RANK);
    if (tp->segment) return xc_fail(XC_ERR_UNSUPPORTED, "is segmented, which crosscheck does not support");
    int rank = (int)tp->n_dims;
    xc_tensor *t;
    size_t nbytes, numel;
    XC_TRY(xc_shape_nbytes(dt, rank, tp->dims, &nbytes));
    numel = nbytes / xc_dtype_size(dt);
    int external = tp->has_data_location && tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
    if (dt == XC_STRING) {
        XC_TRY(strings_from_proto(tp, rank, numel, &t));
    } else if (external) {
        XC_TRY(xc_tensor_wrap(dt, rank, tp->dims, NULL, &t));
        xc_status s = load_external(tp, src->base_dir, t);
        if (s != XC_OK) {
            t->kind = XC_DATA_BORROWED;
            xc_tensor_free(t);
            return s;
        }
    } else if (tp->has_raw_data && xc_dtype_bits(dt) < 8) {
        size_t want = xc_dtype_file_bytes(dt, numel);
        if (tp->raw_data.len != want)
            return xc_fail(XC_ERR_MODEL, "raw_data has %zu bytes but shape %s needs %zu (%d values per byte)", tp->raw_data.len,
                           xc_shape_str(dt, rank, tp->dims, (char[256]){0}, 256), want, 8 / xc_dtype_bits(dt));
        XC_TRY(xc_tensor_new(dt, rank, tp->dims, &t));
        xc_low_unpack(dt, tp->raw_data.data, numel, t->data);
    } else if (tp->has_raw_data) {
        if (tp->raw_data.len != nbytes)
            return xc_fail(XC_ERR_MODEL, "raw_data has %zu bytes but shape %s needs %zu", tp->raw_data.len,
                           xc_shape_str(dt, rank, tp->dims, (char[256]){0}, 256), nbytes);
        if (src->borrow) {
            XC_TRY(xc_tensor_wrap(dt, rank, tp->dims, tp->raw_data.data, &t));
        } else {
            XC_TRY(xc_tensor_new(dt, rank, tp->dims, &t));
            if (nbytes) memcpy(t->data, tp->raw_data.data, nbytes);
        }
    } else {
        XC_TRY(xc_tensor_new(dt, rank, tp->dims, &t));
        xc_status s = load_typed(tp, t, numel);
        if (s != XC_OK) {
            xc_tensor_free(t);
            return s;
        }
    }
    if (tp->name && xc_tensor_set_name(t, tp->name) != XC_OK) {
        xc_tensor_free(t);
        return XC_ERR_NOMEM;
    }
    *out = t;
    return XC_OK;
}

xc_status xc_tensor_from_proto(const Onnx__TensorProto *tp, const xc_proto_source *src, xc_tensor **out)
{
    xc_status s = from_proto(tp, src, out);
    if (s != XC_OK) return xc_error_prefix(s, "tensor '%s': ", tp->name ? tp->name : "");
    return XC_OK;
}

xc_status xc_tensor_to_proto(const xc_tensor *t, Onnx__TensorProto *tp)
{
    onnx__tensor_proto__init(tp);
    tp->n_dims = (size_t)t->rank;
    tp->dims = malloc(sizeof(int64_t) * (t->rank ? t->rank : 1));
    if (!tp->dims) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int i = 0; i < t->rank; i++) tp->dims[i] = t->dims[i];
    tp->has_data_type = 1;
    tp->data_type = (int32_t)t->dtype;
    tp->name = t->name;
    if (t->dtype == XC_STRING) { /* string_data points at t's strings; the array is ours */
        size_t n = xc_tensor_numel(t);
        tp->string_data = malloc(sizeof *tp->string_data * (n ? n : 1));
        if (!tp->string_data) {
            xc_tensor_proto_release(tp);
            return xc_fail(XC_ERR_NOMEM, "out of memory");
        }
        tp->n_string_data = n;
        for (size_t i = 0; i < n; i++) {
            const char *s = xc_string_at(t, i);
            tp->string_data[i].len = strlen(s);
            tp->string_data[i].data = (uint8_t *)s;
        }
        return XC_OK;
    }
    tp->has_raw_data = 1;
    tp->raw_data.len = t->nbytes;
    tp->raw_data.data = t->data;
    if (xc_dtype_bits(t->dtype) < 8) { /* packed: raw_data is ours, freed by xc_tensor_proto_release */
        size_t numel = xc_tensor_numel(t);
        tp->raw_data.len = xc_dtype_file_bytes(t->dtype, numel);
        tp->raw_data.data = malloc(tp->raw_data.len ? tp->raw_data.len : 1);
        if (!tp->raw_data.data) {
            xc_tensor_proto_release(tp);
            return xc_fail(XC_ERR_NOMEM, "out of memory");
        }
        xc_low_pack(t->dtype, t->data, numel, tp->raw_data.data);
    }
    return XC_OK;
}

/* The three key/value entries and their number strings live in one block, freed at once. */
typedef struct external_block {
    Onnx__StringStringEntryProto *ptrs[3];
    Onnx__StringStringEntryProto e[3];
    char offset[24], length[24];
} external_block;

xc_status xc_tensor_to_proto_external(const xc_tensor *t, Onnx__TensorProto *tp, const char *location, uint64_t offset)
{
    if (xc_dtype_bits(t->dtype) < 8 || t->dtype == XC_STRING) /* the caller writes t->data as is: packed types stay inline */
        return xc_fail(XC_ERR_UNSUPPORTED, "tensor '%s': %s tensors are saved inline, not as external data",
                       t->name ? t->name : "", xc_dtype_name(t->dtype));
    XC_TRY(xc_tensor_to_proto(t, tp));
    external_block *b = calloc(1, sizeof *b);
    if (!b) {
        xc_tensor_proto_release(tp);
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    snprintf(b->offset, sizeof b->offset, "%llu", (unsigned long long)offset);
    snprintf(b->length, sizeof b->length, "%zu", t->nbytes);
    const char *keys[3] = {"location", "offset", "length"}, *vals[3] = {location, b->offset, b->length};
    for (int i = 0; i < 3; i++) {
        onnx__string_string_entry_proto__init(&b->e[i]);
        b->e[i].key = (char *)keys[i];
        b->e[i].value = (char *)vals[i];
        b->ptrs[i] = &b->e[i];
    }
    tp->has_raw_data = 0;
    tp->raw_data.len = 0;
    tp->raw_data.data = NULL;
    tp->has_data_location = 1;
    tp->data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
    tp->n_external_data = 3;
    tp->external_data = b->ptrs; /* first member: freeing this frees the block */
    return XC_OK;
}

void xc_tensor_proto_release(Onnx__TensorProto *tp)
{
    if (tp->has_data_type && xc_dtype_bits((xc_dtype)tp->data_type) < 8 && tp->has_raw_data) free(tp->raw_data.data);
    tp->raw_data.data = NULL;
    if (tp->has_data_type && tp->data_type == XC_STRING) free(tp->string_data);
    tp->string_data = NULL;
    tp->n_string_data = 0;
    free(tp->dims);
    tp->dims = NULL;
    if (tp->n_external_data) free(tp->external_data);
    tp->external_data = NULL;
    tp->n_external_data = 0;
}
