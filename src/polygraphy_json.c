/* polygraphy_json.c — reads Polygraphy's RunResults and feed-dict JSON files (see
 * polygraphy_json.h): walks the JSON with cJSON, decodes each array's base64 and parses the
 * .npy image inside. */
#include "polygraphy_json.h"
#include "npy.h"
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#define LEGACY_PREFIX "__polygraphy_encoded_"
#define NPY_HEADER_ALLOWANCE (1u << 20) /* beyond the tensor itself: header and padding */

/* Keys that describe a JSON object rather than hold a tensor. */
static int is_marker(const char *key)
{
    return !strcmp(key, "polygraphy_class") || !strncmp(key, LEGACY_PREFIX, strlen(LEGACY_PREFIX));
}

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* Strict standard base64 (as Python's b64decode(validate=True)): length a multiple of 4,
 * padding only at the end. *out is malloc'd. */
static xc_status base64_decode(const char *s, unsigned char **out, size_t *out_len)
{
    size_t len = strlen(s), pad = 0;
    if (len % 4) return xc_fail(XC_ERR_MODEL, "array is not valid base64 (length %zu is not a multiple of 4)", len);
    while (pad < 2 && pad < len && s[len - 1 - pad] == '=') pad++;
    size_t n = len / 4 * 3 - pad;
    if (n > xc_max_tensor_bytes() + NPY_HEADER_ALLOWANCE)
        return xc_fail(XC_ERR_NOMEM, "array of %zu bytes exceeds the limit of %zu bytes (--max-tensor-bytes)", n,
                       xc_max_tensor_bytes());
    unsigned char *b = malloc(n ? n : 1);
    if (!b) return xc_fail(XC_ERR_NOMEM, "out of memory decoding %zu bytes", n);
    size_t o = 0;
    for (size_t i = 0; i < len; i += 4) {
        int v[4];
        for (int k = 0; k < 4; k++) {
            int last_group = i + 4 == len;
            v[k] = (last_group && k >= 4 - (int)pad) ? 0 : b64_value((unsigned char)s[i + k]);
            if (v[k] < 0) {
                free(b);
                return xc_fail(XC_ERR_MODEL, "array is not valid base64 (bad character at offset %zu)", i + k);
            }
        }
        unsigned bits = (unsigned)v[0] << 18 | (unsigned)v[1] << 12 | (unsigned)v[2] << 6 | (unsigned)v[3];
        unsigned char trio[3] = {(unsigned char)(bits >> 16), (unsigned char)(bits >> 8), (unsigned char)bits};
        for (int k = 0; k < 3 && o < n; k++) b[o++] = trio[k];
    }
    *out = b;
    *out_len = n;
    return XC_OK;
}

/* An encoded ndarray (or a LazyArray holding one) to a new tensor named `name`. */
static xc_status decode_array(const cJSON *v, const char *name, xc_tensor **out)
{
    for (int depth = 0; depth < 4 && cJSON_IsObject(v) && !cJSON_HasObjectItem(v, "array"); depth++)
        v = cJSON_GetObjectItem(v, "values"); /* LazyArray (LazyNumpyArray in older files) */
    const cJSON *a = cJSON_GetObjectItem(v, "array");
    if (!cJSON_IsString(a)) return xc_fail(XC_ERR_MODEL, "not an encoded numpy array (no \"array\" string)");
    unsigned char *bytes = NULL;
    size_t n = 0;
    if (!strncmp(a->valuestring, "\xc2\x93NUMPY", 7))
        return xc_fail(XC_ERR_UNSUPPORTED,
                       "array in the latin-1 encoding of older Polygraphy versions; re-save it with a current one");
    XC_TRY(base64_decode(a->valuestring, &bytes, &n));
    xc_status s;
    if (n >= 4 && !memcmp(bytes, "PK\x03\x04", 4))
        s = xc_fail(XC_ERR_UNSUPPORTED, "array is an .npz archive (older Polygraphy versions); re-save it with a current one");
    else
        s = xc_npy_parse(bytes, n, out);
    free(bytes);
    if (s == XC_OK && (s = xc_tensor_set_name(*out, name)) != XC_OK) xc_tensor_free(*out);
    return s;
}

/* One iteration's {name: array} dict (inside an IterationResult's "outputs" when present). */
static xc_status iteration(const cJSON *it, const char *runner, int k, xc_result_role role, xc_results *r)
{
    if (!cJSON_IsObject(it)) return xc_fail(XC_ERR_MODEL, "runner '%s', iteration %d: not a JSON object", runner, k);
    const cJSON *outs = cJSON_GetObjectItem(it, "outputs"), *m;
    if (!outs)
        outs = it;
    else if (!cJSON_IsObject(outs))
        return xc_fail(XC_ERR_MODEL, "runner '%s', iteration %d: 'outputs' is not an object", runner, k);
    cJSON_ArrayForEach(m, outs)
    {
        if (is_marker(m->string)
            || (outs == it && (!strcmp(m->string, "runtime") || !strcmp(m->string, "runner_name")) && !cJSON_IsObject(m)))
            continue;
        for (const cJSON *p = outs->child; p != m; p = p->next)
            if (!strcmp(p->string, m->string))
                return xc_fail(XC_ERR_MODEL, "runner '%s', iteration %d: tensor '%s' appears twice", runner, k, m->string);
        xc_tensor *t;
        xc_status s = decode_array(m, m->string, &t);
        if (s == XC_OK) s = xc_results_append(r, runner, k, role, t);
        if (s != XC_OK) return xc_error_prefix(s, "runner '%s', iteration %d, tensor '%s': ", runner, k, m->string);
    }
    return XC_OK;
}

static xc_status run_results(const cJSON *lst, int first, xc_results *r)
{
    if (!cJSON_IsArray(lst)) return xc_fail(XC_ERR_MODEL, "RunResults 'lst' is not a list");
    const cJSON *pair;
    int index = 0;
    cJSON_ArrayForEach(pair, lst)
    {
        const cJSON *name = cJSON_GetArrayItem(pair, 0), *its = cJSON_GetArrayItem(pair, 1), *it;
        if (!cJSON_IsArray(pair) || cJSON_GetArraySize(pair) != 2 || !cJSON_IsString(name) || !cJSON_IsArray(its))
            return xc_fail(XC_ERR_MODEL, "RunResults entry %d is not [runner name, [iterations]]", index);
        for (const cJSON *p = lst->child; p != pair; p = p->next)
            if (!strcmp(cJSON_GetArrayItem(p, 0)->valuestring, name->valuestring))
                return xc_fail(XC_ERR_MODEL, "runner '%s' appears twice in RunResults", name->valuestring);
        int k = first;
        cJSON_ArrayForEach(it, its) XC_TRY(iteration(it, name->valuestring, k++, XC_ROLE_OUTPUT, r));
        index++;
    }
    return XC_OK;
}

/* first: the number of the file's first iteration; one_file_per_iteration: the file is one
 * iteration of a per-iteration folder, where an inputs file is a single feed dict. */
static xc_status parse(const void *buf, size_t len, int first, int one_file_per_iteration, xc_results *r)
{
    const char *end = buf;
    cJSON *root = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
    if (!root)
        return xc_fail(XC_ERR_MODEL, "not valid JSON (near byte %zu)", end ? (size_t)(end - (const char *)buf) : (size_t)0);
    xc_status s = XC_OK;
    const cJSON *lst = cJSON_GetObjectItem(root, "lst"), *it;
    if (cJSON_IsArray(root)) {
        r->format = "polygraphy-inputs";
        int k = first;
        cJSON_ArrayForEach(it, root) if (s == XC_OK) s = iteration(it, "inputs", k++, XC_ROLE_INPUT, r);
    } else if (cJSON_IsObject(root) && lst) {
        r->format = "polygraphy-RunResults";
        s = run_results(lst, first, r);
    } else if (cJSON_IsObject(root) && one_file_per_iteration) {
        r->format = "polygraphy-inputs";
        s = iteration(root, "inputs", first, XC_ROLE_INPUT, r);
    } else {
        s = xc_fail(XC_ERR_MODEL, "not a Polygraphy RunResults (no \"lst\") nor a list of feed dicts");
    }
    cJSON_Delete(root);
    return s;
}

xc_status xc_polygraphy_json_parse(const void *buf, size_t len, xc_results *r) { return parse(buf, len, 0, 0, r); }

xc_status xc_polygraphy_json_parse_iteration(const void *buf, size_t len, int k, xc_results *r)
{
    return parse(buf, len, k, 1, r);
}

/* ---- writing ---- */

static char *base64_encode(const unsigned char *p, size_t n)
{
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;
    if (!out) return NULL;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
        *o++ = digits[v >> 18 & 63];
        *o++ = digits[v >> 12 & 63];
        *o++ = i + 1 < n ? digits[v >> 6 & 63] : '=';
        *o++ = i + 2 < n ? digits[v & 63] : '=';
    }
    *o = 0;
    return out;
}

xc_status xc_polygraphy_ndarray(const xc_tensor *t, cJSON **out)
{
    unsigned char *img;
    size_t len;
    *out = NULL;
    XC_TRY(xc_npy_image(t, &img, &len));
    char *b64 = base64_encode(img, len);
    free(img);
    cJSON *o = cJSON_CreateObject();
    if (!b64 || !o || !cJSON_AddStringToObject(o, "array", b64) || !cJSON_AddStringToObject(o, "polygraphy_class", "ndarray")) {
        free(b64);
        cJSON_Delete(o);
        return xc_fail(XC_ERR_NOMEM, "out of memory");
    }
    free(b64);
    *out = o;
    return XC_OK;
}
