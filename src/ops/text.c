/* text.c — schemas of the text ops. TfIdfVectorizer counts the n-grams of a pool (pool_int64s)
 * found in each row of X ([C] or [N, C]) and weights them; the output width is
 * max(ngram_indexes) + 1 (string pools are refused). StringNormalizer, StringConcat,
 * StringSplit and RegexFullMatch take string tensors, as does Equal (src/ops/binary.c);
 * xc_op_takes_strings() names them, and inference refuses strings to every other op. */
#include "schema.h"
#include <string.h>

static const xc_attr_spec tfidf_attrs[] = {{"max_gram_length", XC_ATTR_INT, 1}, {"min_gram_length", XC_ATTR_INT, 1},
                                           {"max_skip_count", XC_ATTR_INT, 1},  {"mode", XC_ATTR_STRING, 1},
                                           {"ngram_counts", XC_ATTR_INTS, 1},   {"ngram_indexes", XC_ATTR_INTS, 1},
                                           {"pool_int64s", XC_ATTR_INTS, 0},    {"pool_strings", XC_ATTR_STRINGS, 0},
                                           {"weights", XC_ATTR_FLOATS, 0},      {NULL, 0, 0}};

static xc_status infer_tfidf(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, XC_BIT(XC_INT32) | XC_BIT(XC_INT64)));
    const int64_t *idx;
    size_t n_idx = 0;
    if (!xc_attr_ints(c->node, "ngram_indexes", &idx, &n_idx) || !n_idx) return xc_infer_fail(c, "ngram_indexes is empty");
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

/* ---- string ops: X and Y are string tensors (one owned C string per element) ---- */

#define T_STR XC_BIT(XC_STRING)

int xc_op_takes_strings(const char *op_type)
{
    static const char *const ops[] = {"StringNormalizer", "StringConcat", "StringSplit", "RegexFullMatch", "Equal", NULL};
    for (int i = 0; ops[i]; i++)
        if (!strcmp(ops[i], op_type)) return 1;
    return 0;
}

static const xc_attr_spec normalizer_attrs[] = {{"case_change_action", XC_ATTR_STRING, 0},
                                                {"is_case_sensitive", XC_ATTR_INT, 0},
                                                {"locale", XC_ATTR_STRING, 0},
                                                {"stopwords", XC_ATTR_STRINGS, 0},
                                                {NULL, 0, 0}};
static const xc_attr_spec split_attrs[] = {{"delimiter", XC_ATTR_STRING, 0}, {"maxsplit", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec regex_attrs[] = {{"pattern", XC_ATTR_STRING, 0}, {NULL, 0, 0}};

/* [C] or [1, C]: stopwords removed, so the width depends on the data. */
static xc_status infer_normalizer(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, T_STR));
    const xc_type_shape *x = &c->in[0];
    if (x->rank > 2 || x->rank == 0) return xc_infer_fail(c, "X has rank %d; StringNormalizer takes [C] or [1, C]", x->rank);
    if (x->rank == 2 && x->dims[0] > 1)
        return xc_infer_fail(c, "X is [%lld, C]; StringNormalizer takes [C] or [1, C]", (long long)x->dims[0]);
    const char *act = xc_attr_string(c->node, "case_change_action", "NONE");
    if (strcmp(act, "NONE") && strcmp(act, "LOWER") && strcmp(act, "UPPER"))
        return xc_infer_fail(c, "case_change_action '%s' is not NONE, LOWER or UPPER", act);
    int64_t dims[2] = {1, -1};
    if (x->rank < 0)
        xc_infer_unknown(c, 0, XC_STRING);
    else
        xc_infer_set(c, 0, XC_STRING, x->rank, x->rank == 2 ? dims : dims + 1);
    return XC_OK;
}

static xc_status infer_concat(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, T_STR));
    XC_TRY(xc_infer_require_type(c, 1, T_STR));
    return xc_infer_broadcast(c, 0, XC_STRING);
}

/* Y: X's shape plus the most substrings any element splits into; Z: X's shape, the counts. */
static xc_status infer_split(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, T_STR));
    const xc_type_shape *x = &c->in[0];
    if (x->rank < 0) {
        xc_infer_unknown(c, 0, XC_STRING);
        if (c->n_out > 1) xc_infer_unknown(c, 1, XC_INT64);
        return XC_OK;
    }
    if (x->rank + 1 > XC_MAX_RANK) return xc_infer_fail(c, "X of rank %d leaves no room for the split axis", x->rank);
    int64_t dims[XC_MAX_RANK];
    memcpy(dims, x->dims, sizeof(int64_t) * (size_t)x->rank);
    dims[x->rank] = -1;
    xc_infer_set(c, 0, XC_STRING, x->rank + 1, dims);
    if (c->n_out > 1) xc_infer_set(c, 1, XC_INT64, x->rank, x->dims);
    return XC_OK;
}

static xc_status infer_regex(xc_infer_ctx *c)
{
    XC_TRY(xc_infer_require_type(c, 0, T_STR));
    xc_infer_copy(c, 0, 0);
    c->out[0].dtype = XC_BOOL;
    return XC_OK;
}

const xc_op_schema xc_schemas_text[] = {
    {"TfIdfVectorizer", 9, 1, 1, 1, 1, tfidf_attrs, infer_tfidf},
    {"StringNormalizer", 10, 1, 1, 1, 1, normalizer_attrs, infer_normalizer},
    {"StringConcat", 20, 2, 2, 1, 1, NULL, infer_concat},
    {"StringSplit", 20, 1, 1, 2, 2, split_attrs, infer_split},
    {"RegexFullMatch", 20, 1, 1, 1, 1, regex_attrs, infer_regex},
    {0},
};
