/* checked.h — int64 shape arithmetic that fails instead of overflowing.
 *
 * Dims, pads, strides and dilations come straight from the model, so any sum or product of
 * them can leave int64 (signed overflow is undefined behaviour, and a wrapped size turns into a
 * negative dim or a short buffer later). Every schema does its shape arithmetic through these:
 * each fails with XC_ERR_MODEL and "node 'x' (Op): <what> overflows int64 (a op b)". */
#ifndef XC_CHECKED_H
#define XC_CHECKED_H
#include "graph.h"
#include <stdint.h>

static inline xc_status xc_checked_fail(const xc_node *n, const char *what, int64_t a, char op, int64_t b)
{
    return xc_node_fail(n, XC_ERR_MODEL, "%s overflows int64 (%lld %c %lld)", what, (long long)a, op, (long long)b);
}

static inline xc_status xc_add_i64(const xc_node *n, const char *what, int64_t a, int64_t b, int64_t *r)
{
    return __builtin_add_overflow(a, b, r) ? xc_checked_fail(n, what, a, '+', b) : XC_OK;
}

static inline xc_status xc_sub_i64(const xc_node *n, const char *what, int64_t a, int64_t b, int64_t *r)
{
    return __builtin_sub_overflow(a, b, r) ? xc_checked_fail(n, what, a, '-', b) : XC_OK;
}

static inline xc_status xc_mul_i64(const xc_node *n, const char *what, int64_t a, int64_t b, int64_t *r)
{
    return __builtin_mul_overflow(a, b, r) ? xc_checked_fail(n, what, a, '*', b) : XC_OK;
}

/* Truncating division; b == 0 and INT64_MIN / -1 (the one quotient int64 cannot hold) fail. */
static inline xc_status xc_div_i64(const xc_node *n, const char *what, int64_t a, int64_t b, int64_t *r)
{
    if (b == 0) return xc_node_fail(n, XC_ERR_MODEL, "%s divides by zero", what);
    if (a == INT64_MIN && b == -1) return xc_checked_fail(n, what, a, '/', b);
    *r = a / b;
    return XC_OK;
}

/* ceil(a / b) for a >= 0, b >= 1, without forming a + b - 1. */
static inline int64_t xc_ceil_div_nonneg(int64_t a, int64_t b) { return a ? (a - 1) / b + 1 : 0; }

#endif
