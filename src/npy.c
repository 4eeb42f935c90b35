/* npy.c — reads numpy .npy images (see npy.h). The header is a Python dict literal such as
 * {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }; it is parsed by a small scanner
 * that never leaves the header's declared length, since the file may be hostile. */
#include "npy.h"
#include "onnx_io.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NPY_MAGIC "\x93NUMPY"

typedef struct scanner {
    const char *p, *end;
} scanner;

static void skip_space(scanner *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')) s->p++;
}

static int accept(scanner *s, char c)
{
    skip_space(s);
    if (s->p < s->end && *s->p == c) {
        s->p++;
        return 1;
    }
    return 0;
}

/* A quoted Python string without escapes (numpy never writes any in these headers). */
static xc_status quoted(scanner *s, char *buf, size_t cap)
{
    skip_space(s);
    if (s->p >= s->end || (*s->p != '\'' && *s->p != '"')) return xc_fail(XC_ERR_MODEL, "npy: header is not a dict literal");
    char q = *s->p++;
    size_t n = 0;
    while (s->p < s->end && *s->p != q) {
        if (n + 1 >= cap) return xc_fail(XC_ERR_MODEL, "npy: header string too long");
        buf[n++] = *s->p++;
    }
    if (s->p >= s->end) return xc_fail(XC_ERR_MODEL, "npy: unterminated string in header");
    s->p++;
    buf[n] = 0;
    return XC_OK;
}

static xc_status shape_tuple(scanner *s, int *rank, int64_t *dims)
{
    if (!accept(s, '(')) return xc_fail(XC_ERR_MODEL, "npy: 'shape' is not a tuple");
    *rank = 0;
    while (!accept(s, ')')) {
        skip_space(s);
        if (s->p >= s->end || *s->p < '0' || *s->p > '9')
            return xc_fail(XC_ERR_MODEL, "npy: 'shape' holds something other than a non-negative integer");
        int64_t v = 0;
        while (s->p < s->end && *s->p >= '0' && *s->p <= '9') {
            if (v > (INT64_MAX - 9) / 10) return xc_fail(XC_ERR_MODEL, "npy: a dimension of 'shape' overflows");
            v = v * 10 + (*s->p++ - '0');
        }
        if (s->p < s->end && *s->p == 'L') s->p++; /* Python 2 long literal */
        if (*rank >= XC_MAX_RANK) return xc_fail(XC_ERR_UNSUPPORTED, "npy: rank above %d", XC_MAX_RANK);
        dims[(*rank)++] = v;
        if (!accept(s, ',')) {
            if (!accept(s, ')')) return xc_fail(XC_ERR_MODEL, "npy: malformed 'shape' tuple");
            break;
        }
    }
    return XC_OK;
}

static xc_status boolean(scanner *s, int *out)
{
    skip_space(s);
    size_t left = (size_t)(s->end - s->p);
    if (left >= 4 && !memcmp(s->p, "True", 4)) {
        *out = 1;
        s->p += 4;
    } else if (left >= 5 && !memcmp(s->p, "False", 5)) {
        *out = 0;
        s->p += 5;
    } else {
        return xc_fail(XC_ERR_MODEL, "npy: 'fortran_order' is not True or False");
    }
    return XC_OK;
}

/* '<f4' and friends to an ONNX dtype. Multi-byte types must be little-endian ('<'; '=' is
 * native, and crosscheck only runs on little-endian hosts); one-byte types may say '|'. */
static const struct {
    const char *code;
    xc_dtype t;
} table[] = {
    {"f2", XC_FLOAT16}, {"f4", XC_FLOAT}, {"f8", XC_DOUBLE}, {"i1", XC_INT8},   {"i2", XC_INT16},  {"i4", XC_INT32},
    {"i8", XC_INT64},   {"u1", XC_UINT8}, {"u2", XC_UINT16}, {"u4", XC_UINT32}, {"u8", XC_UINT64}, {"b1", XC_BOOL},
};

static xc_status dtype_of(const char *descr, xc_dtype *out)
{
    char order = descr[0];
    for (size_t i = 0; order && i < sizeof table / sizeof *table; i++) {
        if (strcmp(descr + 1, table[i].code)) continue;
        int one_byte = table[i].code[1] == '1';
        if (order == '<' || order == '=' || (one_byte && (order == '|' || order == '>'))) {
            *out = table[i].t;
            return XC_OK;
        }
        if (order == '>') return xc_fail(XC_ERR_UNSUPPORTED, "npy: big-endian dtype '%s' is not supported", descr);
    }
    return xc_fail(XC_ERR_UNSUPPORTED, "npy: dtype '%s' is not supported", descr);
}

typedef struct npy_header {
    xc_dtype dtype;
    int rank;
    int64_t dims[XC_MAX_RANK];
} npy_header;

static xc_status parse_dict(scanner *s, npy_header *h)
{
    int have_descr = 0, have_order = 0, have_shape = 0, fortran = 0;
    if (!accept(s, '{')) return xc_fail(XC_ERR_MODEL, "npy: header is not a dict literal");
    while (!accept(s, '}')) {
        char key[32], descr[32];
        XC_TRY(quoted(s, key, sizeof key));
        if (!accept(s, ':')) return xc_fail(XC_ERR_MODEL, "npy: header is not a dict literal");
        if (!strcmp(key, "descr") && !have_descr++) {
            skip_space(s);
            if (s->p < s->end && *s->p == '[') return xc_fail(XC_ERR_UNSUPPORTED, "npy: structured dtypes are not supported");
            XC_TRY(quoted(s, descr, sizeof descr));
            XC_TRY(dtype_of(descr, &h->dtype));
        } else if (!strcmp(key, "fortran_order") && !have_order++) {
            XC_TRY(boolean(s, &fortran));
        } else if (!strcmp(key, "shape") && !have_shape++) {
            XC_TRY(shape_tuple(s, &h->rank, h->dims));
        } else {
            return xc_fail(XC_ERR_MODEL, "npy: unexpected or repeated key '%s' in header", key);
        }
        if (!accept(s, ',')) {
            if (!accept(s, '}')) return xc_fail(XC_ERR_MODEL, "npy: header is not a dict literal");
            break;
        }
    }
    if (!have_descr || !have_order || !have_shape)
        return xc_fail(XC_ERR_MODEL, "npy: header lacks '%s'", !have_descr ? "descr" : !have_order ? "fortran_order" : "shape");
    if (fortran) return xc_fail(XC_ERR_UNSUPPORTED, "npy: Fortran-ordered arrays are not supported (save with C order)");
    return XC_OK;
}

xc_status xc_npy_parse(const void *buf, size_t len, xc_tensor **out)
{
    const uint8_t *b = buf;
    *out = NULL;
    if (len < 10 || memcmp(b, NPY_MAGIC, 6)) return xc_fail(XC_ERR_MODEL, "npy: not a .npy image (bad magic)");
    size_t header_len, start;
    if (b[6] == 1 && b[7] == 0) {
        header_len = (size_t)b[8] | (size_t)b[9] << 8;
        start = 10;
    } else if ((b[6] == 2 || b[6] == 3) && b[7] == 0) {
        if (len < 12) return xc_fail(XC_ERR_MODEL, "npy: truncated header");
        header_len = (size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24;
        start = 12;
    } else {
        return xc_fail(XC_ERR_UNSUPPORTED, "npy: format version %u.%u is not supported", b[6], b[7]);
    }
    if (header_len > len - start)
        return xc_fail(XC_ERR_MODEL, "npy: truncated header (%zu bytes declared, %zu present)", header_len, len - start);
    scanner s = {(const char *)b + start, (const char *)b + start + header_len};
    npy_header h = {0};
    XC_TRY(parse_dict(&s, &h));
    size_t nbytes, have = len - start - header_len;
    XC_TRY(xc_shape_nbytes(h.dtype, h.rank, h.dims, &nbytes));
    if (have != nbytes) return xc_fail(XC_ERR_MODEL, "npy: data holds %zu bytes but shape and dtype need %zu", have, nbytes);
    xc_tensor *t;
    XC_TRY(xc_tensor_new(h.dtype, h.rank, h.dims, &t));
    if (nbytes) memcpy(t->data, b + start + header_len, nbytes);
    if (h.dtype == XC_BOOL) /* numpy writes 0/1; anything else would break ONNX's bool */
        for (size_t i = 0; i < nbytes; i++) ((uint8_t *)t->data)[i] = ((uint8_t *)t->data)[i] != 0;
    *out = t;
    return XC_OK;
}

xc_status xc_npy_load(const char *path, xc_tensor **out)
{
    xc_mapping *m;
    XC_TRY(xc_read_file(path, &m));
    xc_status s = xc_npy_parse(m->addr, m->len, out);
    xc_mapping_release(m);
    return s == XC_OK ? XC_OK : xc_error_prefix(s, "%s: ", path);
}

xc_status xc_npy_image(const xc_tensor *t, unsigned char **out, size_t *len)
{
    *out = NULL;
    const char *code = NULL;
    for (size_t i = 0; i < sizeof table / sizeof *table && !code; i++)
        if (table[i].t == t->dtype) code = table[i].code;
    if (!code) return xc_fail(XC_ERR_UNSUPPORTED, "npy: dtype %s has no numpy equivalent", xc_dtype_name(t->dtype));
    char header[96 + XC_MAX_RANK * 24], shape[XC_MAX_RANK * 24 + 4] = "";
    size_t o = 0;
    for (int d = 0; d < t->rank; d++)
        o += (size_t)snprintf(shape + o, sizeof shape - o, "%lld,%s", (long long)t->dims[d],
                              t->rank > 1 && d < t->rank - 1 ? " " : "");
    if (t->rank > 1) shape[--o] = 0; /* (2, 3) but (3,) */
    int n = snprintf(header, sizeof header, "{'descr': '%c%s', 'fortran_order': False, 'shape': (%s), }",
                     code[1] == '1' ? '|' : '<', code, shape);
    size_t hlen = (size_t)n + 1, total = 10 + hlen;
    size_t pad = (64 - total % 64) % 64; /* numpy aligns the data to 64 bytes */
    hlen += pad;
    unsigned char *b = malloc(10 + hlen + t->nbytes);
    if (!b) return xc_fail(XC_ERR_NOMEM, "out of memory");
    memcpy(b, NPY_MAGIC "\x01\x00", 8);
    b[8] = (unsigned char)(hlen & 0xff);
    b[9] = (unsigned char)(hlen >> 8);
    memcpy(b + 10, header, (size_t)n);
    memset(b + 10 + n, ' ', pad);
    b[10 + hlen - 1] = '\n';
    if (t->nbytes) memcpy(b + 10 + hlen, t->data, t->nbytes);
    *out = b;
    *len = 10 + hlen + t->nbytes;
    return XC_OK;
}
