/* tensor.h — a dense tensor: dtype, shape and a contiguous row-major buffer.
 *
 * Ownership: a tensor owns its struct and its name. Its data is either owned (malloc'd, freed
 * with the tensor), or borrowed from something that outlives it (a parsed model's raw_data),
 * or a view into a shared file mapping (xc_mapping, reference counted), so multi-gigabyte
 * external weights are never copied. */
#ifndef XC_TENSOR_H
#define XC_TENSOR_H
#include "crosscheck/tensor.h"
#include "dtype.h"
#include "error.h"
#include <stddef.h>
#include <stdint.h>

/* A read-only memory mapping of a file, shared by every tensor that points into it. */
typedef struct xc_mapping {
    void *addr;
    size_t len;
    int refs;
    /* file_map.c's own: which file, as it was when mapped (a file is mapped once however many
     * tensors point into it; a change while mapped is reported, see file_io.h) */
    char *path;
    uint64_t dev, ino;
    int64_t mtime_ns;
    struct xc_mapping *next;
} xc_mapping;

/* Maps a regular file read-only (refs = 1), or retains the live mapping of the same file. */
xc_status xc_mapping_open(const char *path, xc_mapping **out);
void xc_mapping_retain(xc_mapping *m);
void xc_mapping_release(xc_mapping *m);

typedef enum { XC_DATA_OWNED, XC_DATA_BORROWED, XC_DATA_MAPPED } xc_data_kind;

/* What a value is: a tensor, a sequence of tensors, or an optional holding a tensor or a
 * sequence. One enum for declared types (xc_value_info), inferred types (xc_type_shape) and
 * run-time values (xc_tensor), so the three never disagree on what can be nested. */
typedef enum { XC_VALUE_TENSOR = 0, XC_VALUE_SEQUENCE, XC_VALUE_OPTIONAL_TENSOR, XC_VALUE_OPTIONAL_SEQUENCE } xc_value_kind;

struct xc_tensor {
    char *name; /* may be NULL */
    xc_dtype dtype;
    int rank;
    int64_t dims[XC_MAX_RANK];
    void *data; /* NULL only when numel == 0 */
    size_t nbytes;
    xc_data_kind kind;
    xc_mapping *map; /* XC_DATA_MAPPED: the mapping holding data */
    /* A container (value != XC_VALUE_TENSOR) holds no data of its own (rank 1, dims {0}, so a
     * caller treating it as a tensor sees an empty one); dtype is its tensors' dtype. A sequence
     * owns its n_items tensors; an optional owns 0 (empty) or 1 item, a tensor or a sequence. */
    xc_value_kind value;
    int n_items;
    struct xc_tensor **items;
};

/* Upper bound on one tensor's size; hostile files cannot make crosscheck allocate more.
 * Defaults to half of physical memory; xc_set_max_tensor_bytes() changes it. */
size_t xc_max_tensor_bytes(void);
void xc_set_max_tensor_bytes(size_t n);

/* Bytes held by owned tensor buffers right now, and the most held since the last reset: how
 * tests (and memory limits) see that backends keep only the live set. */
size_t xc_tensor_live_bytes(void);
size_t xc_tensor_peak_bytes(void);
void xc_tensor_reset_peak(void);

/* Element count of a shape, failing (XC_ERR_MODEL) on negative dims or size_t overflow. */
xc_status xc_shape_numel(int rank, const int64_t *dims, size_t *numel);
/* Byte size of a shape of dtype t, checked for overflow and against xc_max_tensor_bytes(). */
xc_status xc_shape_nbytes(xc_dtype t, int rank, const int64_t *dims, size_t *nbytes);

/* New tensor whose data points at borrowed memory (not freed by the tensor). */
xc_status xc_tensor_wrap(xc_dtype t, int rank, const int64_t *dims, void *data, xc_tensor **out);
/* Gives t (data borrowed or absent) its own copy of t->nbytes bytes from src. */
xc_status xc_tensor_copy_in(xc_tensor *t, const void *src);
xc_status xc_tensor_clone(const xc_tensor *src, xc_tensor **out);
/* String tensors (dtype XC_STRING): dst[i] = a new copy of src[i] (NULL copied as ""), all or
 * none; and element i of t, "" where unset. */
xc_status xc_strings_copy(char **dst, char *const *src, size_t n);
const char *xc_string_at(const xc_tensor *t, size_t i);

/* "float32[1,3,224,224]" into buf; returns buf. */
char *xc_shape_str(xc_dtype t, int rank, const int64_t *dims, char *buf, size_t len);
/* "[1,3,?,224]" (unknown dims as ?) into buf; returns buf. */
char *xc_dims_str(int rank, const int64_t *dims, char *buf, size_t len);
char *xc_tensor_desc(const xc_tensor *t, char *buf, size_t len);
/* Row-major coordinates of flat index i. */
void xc_index_coords(int rank, const int64_t *dims, size_t index, int64_t *coords);
/* "[0,2,13,7]": the coordinates of flat row-major index i, into buf; returns buf. */
char *xc_index_str(int rank, const int64_t *dims, size_t index, char *buf, size_t len);
/* Host memory limit for tensor buffers (--memory-limit): 0 = none. An allocation that would
 * take the bytes held by live tensors past it fails naming both figures. */
void xc_set_memory_limit(size_t bytes);
size_t xc_memory_limit(void);

/* Under an address-space limit (RLIMIT_AS, `ulimit -v`): XC_OK when `bytes` more of address
 * space can still be reserved, else XC_ERR_NOMEM "cannot start WHO: out of address space ...".
 * For libraries that crash instead of failing when an allocation fails (OpenCL drivers,
 * Graphviz): asked before entering them. Without a limit, always XC_OK. */
xc_status xc_need_address_space(size_t bytes, const char *who);
/* New empty container of kind k (not XC_VALUE_TENSOR) whose tensors are of dtype t. */
xc_status xc_value_new(xc_value_kind k, xc_dtype t, xc_tensor **out);
/* Appends item (taken, freed on failure) to container c at position pos (-1: at the end). */
xc_status xc_value_insert(xc_tensor *c, int pos, xc_tensor *item);
/* "seq(float32)", "optional(seq(float32))" or "tensor". */
const char *xc_value_kind_name(xc_value_kind k);
int xc_shape_equal(int ra, const int64_t *a, int rb, const int64_t *b);

#endif
