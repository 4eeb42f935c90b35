/* tensor.c — tensor allocation with overflow and size-limit checks; shared file mappings. */
#include "tensor.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static size_t max_bytes, memory_limit;
static size_t live_bytes, peak_bytes;

static void account(size_t add, size_t sub)
{
    size_t now = __atomic_add_fetch(&live_bytes, add, __ATOMIC_RELAXED);
    now = __atomic_sub_fetch(&live_bytes, sub, __ATOMIC_RELAXED);
    size_t peak = __atomic_load_n(&peak_bytes, __ATOMIC_RELAXED);
    while (now > peak && !__atomic_compare_exchange_n(&peak_bytes, &peak, now, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
}

size_t xc_tensor_live_bytes(void) { return __atomic_load_n(&live_bytes, __ATOMIC_RELAXED); }
size_t xc_tensor_peak_bytes(void) { return __atomic_load_n(&peak_bytes, __ATOMIC_RELAXED); }
void xc_tensor_reset_peak(void) { __atomic_store_n(&peak_bytes, xc_tensor_live_bytes(), __ATOMIC_RELAXED); }

size_t xc_max_tensor_bytes(void)
{
    if (!max_bytes) {
        long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
        max_bytes = pages > 0 && psize > 0 ? (size_t)pages * (size_t)psize / 2 : (size_t)1 << 32;
    }
    return max_bytes;
}

void xc_set_max_tensor_bytes(size_t n) { max_bytes = n; }
void xc_set_memory_limit(size_t bytes) { memory_limit = bytes; }
size_t xc_memory_limit(void) { return memory_limit; }

static xc_status check_memory_limit(size_t nb)
{
    size_t live = xc_tensor_live_bytes();
    if (memory_limit && (nb > memory_limit || live > memory_limit - nb))
        return xc_fail(XC_ERR_NOMEM, "allocating %zu bytes with %zu bytes of tensors live exceeds --memory-limit %zu", nb, live,
                       memory_limit);
    return XC_OK;
}

xc_status xc_need_address_space(size_t bytes, const char *who)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return XC_OK;
    /* reserving it untouched is the test: what is mapped already, and how, is the kernel's count */
    void *p = mmap(NULL, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p != MAP_FAILED) {
        munmap(p, bytes);
        return XC_OK;
    }
    return xc_fail(XC_ERR_NOMEM,
                   "cannot start %s: out of address space: the limit (ulimit -v) of %llu MiB leaves less than "
                   "the %zu MiB it needs; raise the limit",
                   who, (unsigned long long)(rl.rlim_cur >> 20), (bytes + (1 << 20) - 1) >> 20);
}

void xc_index_coords(int rank, const int64_t *dims, size_t index, int64_t *coords)
{
    for (int k = rank - 1; k >= 0; k--) {
        int64_t d = dims[k] > 0 ? dims[k] : 1;
        coords[k] = (int64_t)(index % (size_t)d);
        index /= (size_t)d;
    }
}

char *xc_index_str(int rank, const int64_t *dims, size_t index, char *buf, size_t len)
{
    int64_t c[XC_MAX_RANK];
    xc_index_coords(rank, dims, index, c);
    size_t n = (size_t)snprintf(buf, len, "[");
    for (int k = 0; k < rank && n < len; k++) n += (size_t)snprintf(buf + n, len - n, k ? ",%lld" : "%lld", (long long)c[k]);
    if (n < len) snprintf(buf + n, len - n, "]");
    return buf;
}

xc_status xc_shape_numel(int rank, const int64_t *dims, size_t *numel)
{
    if (rank < 0 || rank > XC_MAX_RANK) return xc_fail(XC_ERR_UNSUPPORTED, "rank %d is outside 0..%d", rank, XC_MAX_RANK);
    /* the nonzero dims must multiply within int64 even when another dim is 0: kernels form
     * strides and index spaces from them, and [0, 2^62, 2^62] would overflow every one */
    int64_t n = 1;
    int empty = 0;
    for (int i = 0; i < rank; i++) {
        if (dims[i] < 0) return xc_fail(XC_ERR_MODEL, "negative dimension %lld", (long long)dims[i]);
        if (!dims[i])
            empty = 1;
        else if (__builtin_mul_overflow(n, dims[i], &n))
            return xc_fail(XC_ERR_MODEL, "element count overflows");
    }
    *numel = empty ? 0 : (size_t)n;
    return XC_OK;
}

xc_status xc_shape_nbytes(xc_dtype t, int rank, const int64_t *dims, size_t *nbytes)
{
    size_t es = xc_dtype_size(t), n;
    if (!es) return xc_fail(XC_ERR_UNSUPPORTED, "dtype %s is not supported", xc_dtype_name(t));
    XC_TRY(xc_shape_numel(rank, dims, &n));
    if (n > SIZE_MAX / es) return xc_fail(XC_ERR_MODEL, "byte size overflows");
    if (n * es > xc_max_tensor_bytes())
        return xc_fail(XC_ERR_NOMEM, "tensor of %zu bytes exceeds the limit of %zu bytes (--max-tensor-bytes)", n * es,
                       xc_max_tensor_bytes());
    *nbytes = n * es;
    return XC_OK;
}

static xc_status tensor_alloc(xc_dtype t, int rank, const int64_t *dims, xc_tensor **out, size_t *nbytes)
{
    XC_TRY(xc_shape_nbytes(t, rank, dims, nbytes));
    xc_tensor *x = calloc(1, sizeof *x);
    if (!x) return xc_fail(XC_ERR_NOMEM, "out of memory");
    x->dtype = t;
    x->rank = rank;
    if (rank) memcpy(x->dims, dims, sizeof(int64_t) * rank);
    x->nbytes = *nbytes;
    *out = x;
    return XC_OK;
}

xc_status xc_tensor_new(xc_dtype t, int rank, const int64_t *dims, xc_tensor **out)
{
    size_t nb;
    xc_tensor *x = NULL;
    XC_TRY(tensor_alloc(t, rank, dims, &x, &nb));
    x->kind = XC_DATA_OWNED;
    xc_status s = nb ? check_memory_limit(nb) : XC_OK;
    if (s != XC_OK) {
        free(x);
        return s;
    }
    /* an empty tensor still gets a (1-byte) buffer: kernels offset data pointers by zero-sized
     * strides, and doing that to NULL is undefined behaviour (the fuzzer found several) */
    x->data = calloc(1, nb ? nb : 1);
    if (!x->data) {
        free(x);
        return xc_fail(XC_ERR_NOMEM, "out of memory allocating %zu bytes", nb);
    }
    account(nb, 0);
    *out = x;
    return XC_OK;
}

xc_status xc_tensor_wrap(xc_dtype t, int rank, const int64_t *dims, void *data, xc_tensor **out)
{
    size_t nb;
    xc_tensor *x = NULL;
    XC_TRY(tensor_alloc(t, rank, dims, &x, &nb));
    x->kind = XC_DATA_BORROWED;
    x->data = data;
    *out = x;
    return XC_OK;
}

xc_status xc_strings_copy(char **dst, char *const *src, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dst[i] = strdup(src[i] ? src[i] : "");
        if (!dst[i]) {
            while (i) free(dst[--i]);
            return xc_fail(XC_ERR_NOMEM, "out of memory copying strings");
        }
    }
    return XC_OK;
}

const char *xc_string_at(const xc_tensor *t, size_t i)
{
    const char *s = ((char *const *)t->data)[i];
    return s ? s : "";
}

xc_status xc_tensor_copy_in(xc_tensor *t, const void *src)
{
    XC_TRY(check_memory_limit(t->nbytes));
    void *p = malloc(t->nbytes ? t->nbytes : 1);
    if (!p) return xc_fail(XC_ERR_NOMEM, "out of memory allocating %zu bytes", t->nbytes);
    if (t->dtype == XC_STRING) { /* deep: the tensor owns its strings */
        xc_status s = xc_strings_copy(p, src, xc_tensor_numel(t));
        if (s != XC_OK) {
            free(p);
            return s;
        }
    } else if (t->nbytes)
        memcpy(p, src, t->nbytes);
    account(t->nbytes, 0);
    t->data = p;
    t->kind = XC_DATA_OWNED;
    return XC_OK;
}

xc_status xc_value_new(xc_value_kind k, xc_dtype t, xc_tensor **out)
{
    xc_tensor *x = calloc(1, sizeof *x);
    if (!x) return xc_fail(XC_ERR_NOMEM, "out of memory");
    x->dtype = t;
    x->rank = 1; /* dims {0}: no data */
    x->kind = XC_DATA_OWNED;
    x->value = k;
    *out = x;
    return XC_OK;
}

xc_status xc_value_insert(xc_tensor *c, int pos, xc_tensor *item)
{
    xc_tensor **v = realloc(c->items, sizeof *v * (size_t)(c->n_items + 1));
    if (!v) {
        xc_tensor_free(item);
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    c->items = v;
    if (pos < 0 || pos > c->n_items) pos = c->n_items;
    memmove(v + pos + 1, v + pos, sizeof *v * (size_t)(c->n_items - pos));
    v[pos] = item;
    c->n_items++;
    return XC_OK;
}

const char *xc_value_kind_name(xc_value_kind k)
{
    switch (k) {
    case XC_VALUE_SEQUENCE: return "sequence";
    case XC_VALUE_OPTIONAL_TENSOR: return "optional(tensor)";
    case XC_VALUE_OPTIONAL_SEQUENCE: return "optional(sequence)";
    default: return "tensor";
    }
}

xc_status xc_tensor_clone(const xc_tensor *src, xc_tensor **out)
{
    if (src->value != XC_VALUE_TENSOR) {
        XC_TRY(xc_value_new(src->value, src->dtype, out));
        for (int i = 0; i < src->n_items; i++) {
            xc_tensor *c;
            xc_status s = xc_tensor_clone(src->items[i], &c);
            if (s == XC_OK) s = xc_value_insert(*out, -1, c);
            if (s != XC_OK) {
                xc_tensor_free(*out);
                *out = NULL;
                return s;
            }
        }
        if (src->name && xc_tensor_set_name(*out, src->name) != XC_OK) {
            xc_tensor_free(*out);
            return XC_ERR_NOMEM;
        }
        return XC_OK;
    }
    XC_TRY(xc_tensor_new(src->dtype, src->rank, src->dims, out));
    if (src->dtype == XC_STRING) {
        xc_status s = xc_strings_copy((char **)(*out)->data, (char *const *)src->data, xc_tensor_numel(src));
        if (s != XC_OK) {
            xc_tensor_free(*out);
            *out = NULL;
            return s;
        }
    } else if (src->nbytes)
        memcpy((*out)->data, src->data, src->nbytes);
    if (src->name && xc_tensor_set_name(*out, src->name) != XC_OK) {
        xc_tensor_free(*out);
        return XC_ERR_NOMEM;
    }
    return XC_OK;
}

xc_status xc_tensor_set_name(xc_tensor *t, const char *name)
{
    char *n = strdup(name ? name : "");
    if (!n) return xc_fail(XC_ERR_NOMEM, "out of memory");
    free(t->name);
    t->name = n;
    return XC_OK;
}

void xc_tensor_free(xc_tensor *t)
{
    if (!t) return;
    for (int i = 0; i < t->n_items; i++) xc_tensor_free(t->items[i]);
    free(t->items);
    if (t->kind == XC_DATA_OWNED && t->data) {
        if (t->dtype == XC_STRING && t->value == XC_VALUE_TENSOR)
            for (size_t i = 0, n = xc_tensor_numel(t); i < n; i++) free(((char **)t->data)[i]);
        account(0, t->nbytes);
        free(t->data);
    }
    if (t->kind == XC_DATA_MAPPED) xc_mapping_release(t->map);
    free(t->name);
    free(t);
}

size_t xc_tensor_numel(const xc_tensor *t)
{
    size_t n = 1;
    for (int i = 0; i < t->rank; i++) n *= (size_t)t->dims[i];
    return n;
}

char *xc_shape_str(xc_dtype t, int rank, const int64_t *dims, char *buf, size_t len)
{
    size_t o = (size_t)snprintf(buf, len, "%s", xc_dtype_name(t));
    if (o < len) xc_dims_str(rank, dims, buf + o, len - o);
    return buf;
}

char *xc_dims_str(int rank, const int64_t *dims, char *buf, size_t len)
{
    size_t o = (size_t)snprintf(buf, len, "[");
    for (int i = 0; i < rank && o < len; i++)
        o += dims[i] < 0 ? (size_t)snprintf(buf + o, len - o, i ? ",?" : "?")
                         : (size_t)snprintf(buf + o, len - o, i ? ",%lld" : "%lld", (long long)dims[i]);
    if (o < len) snprintf(buf + o, len - o, "]");
    return buf;
}

char *xc_tensor_desc(const xc_tensor *t, char *buf, size_t len)
{
    if (t->value == XC_VALUE_TENSOR) return xc_shape_str(t->dtype, t->rank, t->dims, buf, len);
    if (t->value == XC_VALUE_SEQUENCE)
        snprintf(buf, len, "sequence(%s) of %d", xc_dtype_name(t->dtype), t->n_items);
    else
        snprintf(buf, len, "%s of %s, %s", xc_value_kind_name(t->value), xc_dtype_name(t->dtype),
                 t->n_items ? "holding one" : "empty");
    return buf;
}

int xc_shape_equal(int ra, const int64_t *a, int rb, const int64_t *b)
{
    return ra == rb && (ra == 0 || !memcmp(a, b, sizeof(int64_t) * ra));
}

/* The public accessors (crosscheck/tensor.h): library users see xc_tensor as opaque. */
const char *xc_tensor_name(const xc_tensor *t) { return t->name; }
xc_dtype xc_tensor_dtype(const xc_tensor *t) { return t->dtype; }
int xc_tensor_rank(const xc_tensor *t) { return t->rank; }
const int64_t *xc_tensor_dims(const xc_tensor *t) { return t->dims; }
size_t xc_tensor_nbytes(const xc_tensor *t) { return t->nbytes; }
void *xc_tensor_data(const xc_tensor *t) { return t->data; }
