/* text.c — schema of TfIdfVectorizer: counts the n-grams of a pool (pool_int64s) found in each
 * row of X ([C] or [N, C]) and weights them. The output width is max(ngram_indexes) + 1. String
 * inputs (pool_strings) are refused: crosscheck holds no string tensors. */
#include "schema.h"

static const xc_attr_spec tfidf_attrs[] = {
    {"max_gram_length", XC_ATTR_INT, 1}, {"min_gram_length", XC_ATTR_INT, 1}, {"max_skip_count", XC_ATTR_INT, 1},
    {"mode", XC_ATTR_STRING, 1},         {"ngram_counts", XC_ATTR_INTS, 1},   {"ngram_indexes", XC_ATTR_INTS, 1},
    {"pool_int64s", XC_ATTR_INTS, 0},    {"pool_strings", XC_ATTR_STRINGS, 0}, {"weights", XC_ATTR_FLOATS, 0},
    {NULL, 0, 0}};

static xc_status infer_tfidf(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, XC_BIT(XC_INT32) | XC_BIT(XC_INT64)));
    const int64_t *idx;
    size_t n_idx = 0;
    if (!xc_attr_ints(c->node, "ngram_indexes", &idx, &n_idx) || !n_idx)
        return xc_infer_fail(c, "ngram_indexes is empty");
    int64_t width = 0;
    for (size_t i = 0; i < n_idx; i++) {
        if (idx[i] < 0) return xc_infer_fail(c, "ngram_indexes[%zu] = %lld is negative", i, (long long)idx[i]);
        if (idx[i] + 1 > width) width = idx[i] + 1;
    }
    const xc_type_shape *x = &c->in[0];
    if (x->rank < 0) {
        xc_infer_unknown(c, 0, XC_FLOAT);
        return XC_OK;
    }
    if (x->rank > 2) return xc_infer_fail(c, "X has rank %d; TfIdfVectorizer takes [C] or [N, C]", x->rank);
    int64_t dims[2] = {x->rank == 2 ? x->dims[0] : width, width};
    xc_infer_set(c, 0, XC_FLOAT, x->rank == 2 ? 2 : 1, dims);
    return XC_OK;
}

const xc_op_schema xc_schemas_text[] = {
    {"TfIdfVectorizer", 9, 1, 1, 1, 1, tfidf_attrs, infer_tfidf},
    {0},
};
