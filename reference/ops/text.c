/* text.c — reference kernel of TfIdfVectorizer, as onnx's reference and onnxruntime count:
 * for each skip distance d in 1..max_skip_count+1 and each start position, the n-grams
 * X[s], X[s+d], ..., of length n in [min_gram_length, max_gram_length] found in the pool are
 * counted at their ngram_indexes slot; unigrams are counted on the first distance only. A pool
 * n-gram is looked up by scanning the pool's n-grams of that length (pools are small). */
#include "ref.h"
#include <ctype.h>
#include <regex.h>
#include <stdio.h>
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

/* ---- string ops. Outputs are allocated here (their shapes may depend on the data); every
 * element gets its own malloc'd string, so the tensor frees them. ---- */

static xc_status new_output(xc_ref_args *a, int o, xc_dtype t, int rank, const int64_t *dims)
{
    xc_tensor_free(a->out[o]);
    a->out[o] = NULL;
    return xc_tensor_new(t, rank, dims, &a->out[o]);
}

static char *dup_n(const char *s, size_t n)
{
    char *r = malloc(n + 1);
    if (r) {
        memcpy(r, s, n);
        r[n] = 0;
    }
    return r;
}

/* Flat index into x (broadcast against y's shape) of y's flat index i. */
static size_t bcast_index(const xc_tensor *x, const xc_tensor *y, size_t i)
{
    int64_t c[XC_MAX_RANK];
    xc_index_coords(y->rank, y->dims, i, c);
    size_t k = 0;
    for (int d = 0; d < x->rank; d++) {
        int64_t cd = c[y->rank - x->rank + d];
        k = k * (size_t)x->dims[d] + (size_t)(x->dims[d] == 1 ? 0 : cd);
    }
    return k;
}

/* Equal on strings (reference/ops/binary.c hands them here): byte-wise equality, broadcast. */
xc_status xc_ref_string_equal(xc_ref_args *a)
{
    xc_tensor *y = a->out[0];
    for (size_t i = 0, n = xc_tensor_numel(y); i < n; i++)
        ((uint8_t *)y->data)[i] =
            !strcmp(xc_string_at(a->in[0], bcast_index(a->in[0], y, i)), xc_string_at(a->in[1], bcast_index(a->in[1], y, i)));
    return XC_OK;
}

static xc_status ref_string_concat(xc_ref_args *a)
{
    xc_tensor *y = a->out[0];
    for (size_t i = 0, n = xc_tensor_numel(y); i < n; i++) {
        const char *p = xc_string_at(a->in[0], bcast_index(a->in[0], y, i)),
                   *q = xc_string_at(a->in[1], bcast_index(a->in[1], y, i));
        size_t lp = strlen(p), lq = strlen(q);
        char *r = malloc(lp + lq + 1);
        if (!r) return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
        memcpy(r, p, lp);
        memcpy(r + lp, q, lq + 1);
        free(((char **)y->data)[i]);
        ((char **)y->data)[i] = r;
    }
    return XC_OK;
}

/* ASCII case folding: bytes of multi-byte UTF-8 characters are left as they are. */
static void change_case(char *s, int upper)
{
    for (; *s; s++) *s = (char)(upper ? toupper((unsigned char)*s) : tolower((unsigned char)*s));
}

static int same_word(const char *p, const char *q, int sensitive)
{
    if (sensitive) return !strcmp(p, q);
    for (; *p && *q; p++, q++)
        if (tolower((unsigned char)*p) != tolower((unsigned char)*q)) return 0;
    return *p == *q;
}

/* StringNormalizer: drops the stopwords (ASCII case-insensitively unless is_case_sensitive),
 * then changes case (ASCII only). An input left empty gives one empty string, as onnxruntime. */
static xc_status ref_string_normalizer(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0];
    const char *act = xc_attr_string(a->node, "case_change_action", "NONE");
    int sensitive = (int)xc_attr_int(a->node, "is_case_sensitive", 0);
    const xc_attr *sw = xc_node_attr(a->node, "stopwords");
    size_t n = xc_tensor_numel(x), kept = 0;
    char **tmp = calloc(n ? n : 1, sizeof *tmp);
    if (!tmp) return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
    xc_status st = XC_OK;
    for (size_t i = 0; i < n && st == XC_OK; i++) {
        const char *w = xc_string_at(x, i);
        int stop = 0;
        for (size_t k = 0; sw && k < sw->n && !stop; k++) stop = same_word(w, sw->strings[k] ? sw->strings[k] : "", sensitive);
        if (stop) continue;
        if (!(tmp[kept] = strdup(w)))
            st = xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
        else if (strcmp(act, "NONE"))
            change_case(tmp[kept++], !strcmp(act, "UPPER"));
        else
            kept++;
    }
    int64_t dims[2] = {1, (int64_t)(kept ? kept : 1)};
    if (st == XC_OK) st = new_output(a, 0, XC_STRING, x->rank, x->rank == 2 ? dims : dims + 1);
    if (st == XC_OK) {
        if (kept)
            memcpy(a->out[0]->data, tmp, kept * sizeof *tmp);
        else if (!(((char **)a->out[0]->data)[0] = strdup("")))
            st = xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
        kept = 0; /* the output owns them now */
    }
    for (size_t i = 0; i < kept; i++) free(tmp[i]);
    free(tmp);
    return st;
}

/* Splits s as Python's str.split(sep, maxsplit) does (sep "" or absent: runs of whitespace,
 * leading ignored; past maxsplit, the rest as is); parts[] gets (start, length) pairs when given. Returns the count. */
static size_t split_one(const char *s, const char *sep, int64_t maxsplit, size_t *parts)
{
    size_t n = 0, ls = sep ? strlen(sep) : 0;
    if (!ls) {
        const char *p = s;
        while (*p) {
            while (*p && isspace((unsigned char)*p)) p++;
            if (!*p) break;
            const char *b = p;
            if (maxsplit >= 0 && (int64_t)n == maxsplit)
                p += strlen(p);
            else
                while (*p && !isspace((unsigned char)*p)) p++;
            if (parts) parts[2 * n] = (size_t)(b - s), parts[2 * n + 1] = (size_t)(p - b); /* the rest keeps its trailing space */
            n++;
        }
        return n;
    }
    const char *p = s;
    for (;;) {
        const char *hit = maxsplit >= 0 && (int64_t)n == maxsplit ? NULL : strstr(p, sep);
        size_t len = hit ? (size_t)(hit - p) : strlen(p);
        if (parts) parts[2 * n] = (size_t)(p - s), parts[2 * n + 1] = len;
        n++;
        if (!hit) return n;
        p = hit + ls;
    }
}

static xc_status ref_string_split(xc_ref_args *a)
{
    const xc_tensor *x = a->in[0];
    const char *sep = xc_attr_string(a->node, "delimiter", "");
    int64_t maxsplit = xc_node_attr(a->node, "maxsplit") ? xc_attr_int(a->node, "maxsplit", -1) : -1;
    size_t n = xc_tensor_numel(x), width = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = split_one(xc_string_at(x, i), sep, maxsplit, NULL);
        if (k > width) width = k;
    }
    int64_t dims[XC_MAX_RANK];
    memcpy(dims, x->dims, sizeof(int64_t) * (size_t)x->rank);
    dims[x->rank] = (int64_t)width;
    XC_TRY(new_output(a, 0, XC_STRING, x->rank + 1, dims));
    if (a->n_out > 1 && a->node->outputs[1][0]) XC_TRY(new_output(a, 1, XC_INT64, x->rank, x->dims));
    size_t *parts = malloc(sizeof *parts * 2 * (width ? width : 1));
    if (!parts) return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
    char **y = a->out[0]->data;
    for (size_t i = 0; i < n; i++) {
        const char *s = xc_string_at(x, i);
        size_t k = split_one(s, sep, maxsplit, parts);
        if (a->n_out > 1 && a->out[1]) ((int64_t *)a->out[1]->data)[i] = (int64_t)k;
        for (size_t j = 0; j < width; j++)
            if (!(y[i * width + j] = j < k ? dup_n(s + parts[2 * j], parts[2 * j + 1]) : strdup(""))) {
                free(parts);
                return xc_ref_fail(a, XC_ERR_NOMEM, "out of memory");
            }
    }
    free(parts);
    return XC_OK;
}

/* RE2 pattern -> POSIX extended regex for glibc's regcomp. The subset: ERE syntax plus \d \D \w
 * \W \s \S \b \B and backslash escapes, also inside brackets ([\w.\-]). RE2-only features
 * ((?...) groups and flags, lazy quantifiers, \p classes, \A \z \Q...\E, \D \W \S inside
 * brackets) are refused: *why names the first. Returns the translation (malloc'd) or NULL. */
static char *re2_to_posix(const char *p, const char **why)
{
    size_t len = strlen(p), cap = 16 * len + 8, o = 0;
    char *r = malloc(cap);
    if (!r) return *why = "out of memory", NULL;
    o += (size_t)sprintf(r, "^(");
    int in_bracket = 0, dash = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = p[i];
        if (!in_bracket && ch == '(' && p[i + 1] == '?') return free(r), *why = "(?...) groups or flags", NULL;
        if (!in_bracket && (ch == '*' || ch == '+' || ch == '?' || ch == '}') && p[i + 1] == '?' && i > 0 && p[i - 1] != '\\'
            && !(ch == '?' && p[i - 1] == '('))
            return free(r), *why = "lazy quantifiers", NULL;
        if (ch == '\\' && i + 1 < len) {
            char e = p[++i];
            const char *cls = NULL;
            if (strchr("pPAzQEC", e)) return free(r), *why = "\\p, \\A, \\z, \\Q...\\E or \\C", NULL;
            if (in_bracket) {
                if (strchr("DWS", e)) return free(r), *why = "negated classes inside brackets", NULL;
                cls = e == 'd' ? "[:digit:]" : e == 'w' ? "[:alnum:]_" : e == 's' ? "[:space:]" : NULL;
                if (cls)
                    o += (size_t)sprintf(r + o, "%s", cls);
                else if (e == '-')
                    dash = 1; /* a literal '-' goes last in the bracket */
                else if (e == ']' || e == '\\' || e == '^')
                    return free(r), *why = "escaped ], \\ or ^ inside brackets", NULL;
                else
                    r[o++] = e;
                continue;
            }
            cls = e == 'd' ? "[0-9]" : e == 'D' ? "[^0-9]" : NULL;
            if (cls)
                o += (size_t)sprintf(r + o, "%s", cls);
            else if (e == 't')
                r[o++] = '\t';
            else if (e == 'n')
                r[o++] = '\n';
            else
                r[o++] = '\\', r[o++] = e; /* \w \W \s \S \b \B and escaped metacharacters: glibc's */
            continue;
        }
        if (!in_bracket && ch == '[') {
            in_bracket = 1;
            dash = 0;
            r[o++] = ch;
            if (p[i + 1] == '^') r[o++] = p[++i];
            if (p[i + 1] == ']') r[o++] = p[++i];
            continue;
        }
        if (in_bracket && ch == ']') {
            in_bracket = 0;
            if (dash) r[o++] = '-';
        }
        r[o++] = ch;
    }
    o += (size_t)sprintf(r + o, ")$");
    return r;
}

static xc_status ref_regex_full_match(xc_ref_args *a)
{
    const char *pat = xc_attr_string(a->node, "pattern", ""), *why = NULL;
    char *posix = re2_to_posix(pat, &why);
    if (!posix)
        return xc_ref_fail(a, XC_ERR_UNSUPPORTED, "pattern '%s' uses %s, which crosscheck's POSIX regex subset does not support",
                           pat, why);
    regex_t re;
    int rc = regcomp(&re, posix, REG_EXTENDED | REG_NOSUB);
    if (rc) {
        char msg[256];
        regerror(rc, &re, msg, sizeof msg);
        free(posix);
        return xc_ref_fail(a, XC_ERR_UNSUPPORTED, "pattern '%s' does not compile as a POSIX regex: %s", pat, msg);
    }
    free(posix);
    const xc_tensor *x = a->in[0];
    XC_TRY(new_output(a, 0, XC_BOOL, x->rank, x->dims));
    for (size_t i = 0, n = xc_tensor_numel(x); i < n; i++)
        ((uint8_t *)a->out[0]->data)[i] = regexec(&re, xc_string_at(x, i), 0, NULL, 0) == 0;
    regfree(&re);
    return XC_OK;
}

const xc_ref_kernel xc_ref_text[] = {
    {"TfIdfVectorizer", ref_tfidf},    {"StringNormalizer", ref_string_normalizer}, {"StringConcat", ref_string_concat},
    {"StringSplit", ref_string_split}, {"RegexFullMatch", ref_regex_full_match},    {0},
};
