/* shape_match.c — reshaping or transposing a reference to an output's shape (shape_match.h). */
#include "shape_match.h"
#include <string.h>

/* Polygraphy's try_permute: sorted dims equal, each axis the first unused one of its length. */
static int find_perm(int rank, const int64_t *from, const int64_t *to, int *perm)
{
    int used[XC_MAX_RANK] = {0};
    for (int d = 0; d < rank; d++) {
        perm[d] = -1;
        for (int k = 0; k < rank && perm[d] < 0; k++)
            if (!used[k] && from[k] == to[d]) perm[d] = k, used[k] = 1;
        if (perm[d] < 0) return 0;
    }
    return 1;
}

xc_status xc_match_shape(const xc_tensor *ref, int rank, const int64_t *dims, xc_tensor **out, int *permuted, int *perm)
{
    *out = NULL;
    *permuted = 0;
    size_t want;
    XC_TRY(xc_shape_numel(rank, dims, &want));
    if (want != xc_tensor_numel(ref)) return XC_OK;
    XC_TRY(xc_tensor_new(ref->dtype, rank, dims, out));
    size_t es = ref->nbytes / (want ? want : 1);
    if (ref->rank != rank || !find_perm(rank, ref->dims, dims, perm)
        || !memcmp(ref->dims, dims, sizeof(int64_t) * (size_t)rank)) {
        if (ref->nbytes) memcpy((*out)->data, ref->data, ref->nbytes); /* a reshape: same bytes */
        return XC_OK;
    }
    int identity = 1;
    for (int d = 0; d < rank; d++) identity &= perm[d] == d;
    if (identity) { /* equal dims in another order of equal lengths: nothing moves */
        if (ref->nbytes) memcpy((*out)->data, ref->data, ref->nbytes);
        return XC_OK;
    }
    *permuted = 1;
    int64_t stride[XC_MAX_RANK], c[XC_MAX_RANK] = {0};
    int64_t s = 1;
    for (int d = rank - 1; d >= 0; d--) stride[d] = s, s *= ref->dims[d];
    for (size_t i = 0; i < want; i++) {
        size_t src = 0;
        for (int d = 0; d < rank; d++) src += (size_t)(c[d] * stride[perm[d]]);
        memcpy((char *)(*out)->data + i * es, (const char *)ref->data + src * es, es);
        for (int d = rank - 1; d >= 0 && ++c[d] == dims[d]; d--) c[d] = 0;
    }
    return XC_OK;
}
