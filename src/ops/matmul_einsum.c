/* matmul_einsum.c — parses an Einsum equation against the inputs' shapes into an
 * xc_einsum_plan (see matmul_einsum.h), for the schema and the reference kernel alike. */
#include "matmul_einsum.h"
#include <string.h>

/* Raw labels before renumbering: 'A'..'Z' are 0..25 and 'a'..'z' 26..51 (ASCII order, the order
 * of numpy's implicit output), ellipsis axis t is 52 + t. */
#define RAW_ELLIPSIS 52
#define ITEM_ELLIPSIS -1
#define UNSET_EXTENT -2

typedef struct term {
    int n; /* items: raw letter labels, or ITEM_ELLIPSIS */
    int item[XC_MAX_RANK + 1];
    int has_ellipsis;
} term;

static int letter_label(char ch)
{
    if (ch >= 'A' && ch <= 'Z') return ch - 'A';
    if (ch >= 'a' && ch <= 'z') return 26 + ch - 'a';
    return -1;
}

static char label_char(int raw) { return (char)(raw < 26 ? 'A' + raw : 'a' + raw - 26); }

static xc_status parse_term(const char *s, size_t len, term *t)
{
    t->n = t->has_ellipsis = 0;
    for (size_t k = 0; k < len; k++) {
        int item = letter_label(s[k]);
        if (item < 0) {
            if (s[k] != '.' || k + 2 >= len || s[k + 1] != '.' || s[k + 2] != '.' || t->has_ellipsis)
                return xc_fail(XC_ERR_MODEL, "equation term '%.*s' is malformed", (int)len, s);
            item = ITEM_ELLIPSIS;
            t->has_ellipsis = 1;
            k += 2;
        }
        if (t->n == XC_MAX_RANK + 1) return xc_fail(XC_ERR_MODEL, "equation term '%.*s' has too many labels", (int)len, s);
        t->item[t->n++] = item;
    }
    return XC_OK;
}

/* Splits "t0,t1,...->out" (spaces removed) into terms; *explicit_out says whether "->" was given. */
static xc_status parse_equation(const char *eq, int n_in, term *in, term *out, int *explicit_out)
{
    char buf[1024];
    size_t len = 0;
    for (const char *p = eq; *p; p++) {
        if (*p == ' ') continue;
        if (len + 1 == sizeof buf) return xc_fail(XC_ERR_MODEL, "equation is too long");
        buf[len++] = *p;
    }
    buf[len] = 0;
    char *arrow = strstr(buf, "->");
    size_t lhs_len = arrow ? (size_t)(arrow - buf) : len;
    *explicit_out = arrow != NULL;
    if (arrow) XC_TRY(parse_term(arrow + 2, strlen(arrow + 2), out));
    int k = 0;
    for (size_t start = 0; start <= lhs_len; k++) {
        const char *comma = memchr(buf + start, ',', lhs_len - start);
        size_t end = comma ? (size_t)(comma - buf) : lhs_len;
        if (k == n_in) return xc_fail(XC_ERR_MODEL, "equation '%s' has more terms than the %d inputs", eq, n_in);
        XC_TRY(parse_term(buf + start, end - start, &in[k]));
        start = end + 1;
    }
    if (k != n_in) return xc_fail(XC_ERR_MODEL, "equation '%s' has %d terms for %d inputs", eq, k, n_in);
    return XC_OK;
}

/* Expands input k's term into one raw label per axis; its ellipsis axes are right-aligned with
 * the widest ellipsis (n_ell axes), so they broadcast like numpy's. */
static xc_status expand_input(const term *t, int k, int rank, int n_ell, int *raw)
{
    int letters = t->n - t->has_ellipsis, mine = rank - letters, axis = 0;
    if (letters > rank || (!t->has_ellipsis && letters != rank))
        return xc_fail(XC_ERR_MODEL, "equation term %d has %d labels for an input of rank %d", k, letters, rank);
    for (int i = 0; i < t->n; i++) {
        if (t->item[i] != ITEM_ELLIPSIS) {
            raw[axis++] = t->item[i];
            continue;
        }
        for (int e = 0; e < mine; e++) raw[axis++] = RAW_ELLIPSIS + n_ell - mine + e;
    }
    return XC_OK;
}

/* Raw labels of the output axes. */
static xc_status output_labels(const term *t, int explicit_out, int n_ell, const int *uses, int *raw, int *rank)
{
    int n = 0;
    if (!explicit_out) {
        for (int e = 0; e < n_ell; e++) raw[n++] = RAW_ELLIPSIS + e;
        for (int l = 0; l < RAW_ELLIPSIS; l++)
            if (uses[l] == 1) {
                if (n == XC_MAX_RANK) return xc_fail(XC_ERR_MODEL, "output rank exceeds %d", XC_MAX_RANK);
                raw[n++] = l;
            }
        *rank = n;
        return XC_OK;
    }
    if (n_ell && !t->has_ellipsis) return xc_fail(XC_ERR_MODEL, "inputs have ellipsis axes but the output term has no '...'");
    for (int i = 0; i < t->n; i++) {
        int l = t->item[i];
        if (l == ITEM_ELLIPSIS) {
            for (int e = 0; e < n_ell; e++) raw[n++] = RAW_ELLIPSIS + e;
            continue;
        }
        if (!uses[l]) return xc_fail(XC_ERR_MODEL, "output label '%c' appears in no input", label_char(l));
        for (int j = 0; j < n; j++)
            if (raw[j] == l) return xc_fail(XC_ERR_MODEL, "output label '%c' appears twice", label_char(l));
        raw[n++] = l;
    }
    if (n > XC_MAX_RANK) return xc_fail(XC_ERR_MODEL, "output rank exceeds %d", XC_MAX_RANK);
    *rank = n;
    return XC_OK;
}

/* Merges one axis size into a label's extent: size 1 broadcasts, -1 (unknown) defers. */
static int merge_extent(int64_t *cur, int64_t d)
{
    if (*cur == UNSET_EXTENT || *cur == 1 || (*cur == -1 && d != 1))
        *cur = d;
    else if (d != 1 && d != -1 && d != *cur)
        return 0;
    return 1;
}

xc_status xc_einsum_plan_make(const char *equation, int n_in, const xc_type_shape *in, xc_einsum_plan *p)
{
    term terms[XC_EINSUM_MAX_INPUTS], out;
    int explicit_out = 0, n_ell = 0;
    if (n_in > XC_EINSUM_MAX_INPUTS) return xc_fail(XC_ERR_MODEL, "more than %d inputs", XC_EINSUM_MAX_INPUTS);
    XC_TRY(parse_equation(equation, n_in, terms, &out, &explicit_out));
    for (int k = 0; k < n_in; k++) {
        int mine = in[k].rank - (terms[k].n - terms[k].has_ellipsis);
        if (terms[k].has_ellipsis && mine > n_ell) n_ell = mine;
    }
    int raw_in[XC_EINSUM_MAX_INPUTS][XC_MAX_RANK], uses[XC_EINSUM_MAX_LABELS] = {0};
    for (int k = 0; k < n_in; k++) {
        XC_TRY(expand_input(&terms[k], k, in[k].rank, n_ell, raw_in[k]));
        for (int a = 0; a < in[k].rank; a++) uses[raw_in[k][a]]++;
    }
    int raw_out[XC_MAX_RANK], id[XC_EINSUM_MAX_LABELS];
    XC_TRY(output_labels(&out, explicit_out, n_ell, uses, raw_out, &p->out_rank));
    /* renumber: output labels first, in output order, then the summed ones */
    memset(id, -1, sizeof id);
    p->n_in = n_in;
    p->n_labels = 0;
    for (int j = 0; j < p->out_rank; j++) id[raw_out[j]] = p->n_labels++;
    for (int l = 0; l < RAW_ELLIPSIS + n_ell; l++)
        if (uses[l] && id[l] < 0) id[l] = p->n_labels++;
    for (int l = 0; l < p->n_labels; l++) p->extent[l] = UNSET_EXTENT;
    for (int k = 0; k < n_in; k++) {
        p->in_rank[k] = in[k].rank;
        for (int a = 0; a < in[k].rank; a++) {
            int l = id[raw_in[k][a]];
            p->in_label[k][a] = l;
            if (!merge_extent(&p->extent[l], in[k].dims[a]))
                return xc_fail(XC_ERR_MODEL, "equation '%s': axis %d of input %d has size %lld, elsewhere %lld", equation, a, k,
                               (long long)in[k].dims[a], (long long)p->extent[l]);
        }
    }
    return XC_OK;
}
