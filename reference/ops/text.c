/* text.c — reference kernel of TfIdfVectorizer, as onnx's reference and onnxruntime count:
 * for each skip distance d in 1..max_skip_count+1 and each start position, the n-grams
 * X[s], X[s+d], ..., of length n in [min_gram_length, max_gram_length] found in the pool are
 * counted at their ngram_indexes slot; unigrams are counted on the first distance only. A pool
 * n-gram is looked up by scanning the pool's n-grams of that length (pools are small). */
#include "ref.h"
#include <stdlib.h>
#include <string.h>

typedef struct pool {
    const int64_t *items, *counts, *indexes;
    size_t n_items, n_counts, n_indexes;
} pool;

/* Slot of the n-gram g (n values) in the pool, or -1. N-grams are numbered in pool order
 * across every length, as ngram_indexes numbers them. */
static int64_t find_gram(const pool *p, const int64_t *g, int64_t n)
{
    size_t id = 0;
    for (size_t k = 0; k < p->n_counts; k++) {
        size_t begin = (size_t)p->counts[k], end = k + 1 < p->n_counts ? (size_t)p->counts[k + 1] : p->n_items;
        size_t len = k + 1, grams = end > begin ? (end - begin) / len : 0;
        if ((int64_t)len == n)
            for (size_t j = 0; j < grams; j++)
                if (!memcmp(p->items + begin + j * len, g, len * sizeof *g))
                    return id + j < p->n_indexes ? p->indexes[id + j] : -1;
        id += grams;
    }
    return -1;
}

static xc_status ref_tfidf(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0];
    xc_tensor *y = a->out[0];
    pool p = {0};
    const float *w = NULL;
    size_t n_w = 0;
    if (!xc_attr_ints(a->node, "pool_int64s", &p.items, &p.n_items))
        return xc_ref_fail(a, XC_ERR_UNSUPPORTED, "only pool_int64s is supported (string pools need string tensors)");
    xc_attr_ints(a->node, "ngram_counts", &p.counts, &p.n_counts);
    xc_attr_ints(a->node, "ngram_indexes", &p.indexes, &p.n_indexes);
    xc_attr_floats(a->node, "weights", &w, &n_w);
    for (size_t k = 0; k < p.n_counts; k++)
        if (p.counts[k] < 0 || (size_t)p.counts[k] > p.n_items || (k && p.counts[k] < p.counts[k - 1]))
            return xc_ref_fail(a, XC_ERR_MODEL, "ngram_counts[%zu] = %lld is outside the pool of %zu items", k,
                               (long long)p.counts[k], p.n_items);
    int64_t min_n = xc_attr_int(a->node, "min_gram_length", 1), max_n = xc_attr_int(a->node, "max_gram_length", 1);
    int64_t skips = xc_attr_int(a->node, "max_skip_count", 0);
    const char *mode = xc_attr_string(a->node, "mode", "TF");
    int tf = !strcmp(mode, "TF"), idf = !strcmp(mode, "IDF"), tfidf = !strcmp(mode, "TFIDF");
    if (!tf && !idf && !tfidf) return xc_ref_fail(a, XC_ERR_MODEL, "mode '%s' is not TF, IDF or TFIDF", mode);
    if (min_n < 1 || max_n < min_n || skips < 0)
        return xc_ref_fail(a, XC_ERR_MODEL, "gram lengths %lld..%lld or max_skip_count %lld are invalid", (long long)min_n,
                           (long long)max_n, (long long)skips);
    size_t rows = x->rank == 2 ? (size_t)x->dims[0] : 1, cols = x->rank == 2 ? (size_t)x->dims[1] : xc_tensor_numel(x);
    size_t width = (size_t)y->dims[y->rank - 1];
    if (n_w && n_w < width) return xc_ref_fail(a, XC_ERR_MODEL, "weights holds %zu values for %zu outputs", n_w, width);
    int64_t *g = malloc(sizeof *g * (size_t)max_n);
    if (!g) return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
    float *out = y->data;
    for (size_t r = 0; r < rows; r++) {
        float *row = out + r * width;
        int64_t first = min_n;
        for (int64_t d = 1; d <= skips + 1 && first <= max_n; d++) {
            for (size_t s = 0; s < cols; s++)
                for (int64_t n = 1; n <= max_n && s + (size_t)((n - 1) * d) < cols; n++) {
                    g[n - 1] = xc_load_i64(x->dtype, x->data, r * cols + s + (size_t)((n - 1) * d));
                    if (n < first) continue;
                    int64_t slot = find_gram(&p, g, n);
                    if (slot >= 0 && (size_t)slot < width) row[slot] += 1;
                }
            if (first == 1) first = 2;
        }
        for (size_t i = 0; i < width; i++) {
            float f = row[i], wi = n_w ? w[i] : 1;
            row[i] = tf ? f : idf ? (f > 0 ? wi : 0) : wi * f;
        }
    }
    free(g);
    return XC_OK;
}

const xc_ref_kernel xc_ref_text[] = {
    {"TfIdfVectorizer", ref_tfidf},
    {0},
};
