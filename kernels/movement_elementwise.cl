/* movement_elementwise.cl — elementwise ops on any dtype with broadcasting: Cast, Where, the
 * comparisons and IsNaN/IsInf (bool out) and the logic ops (bool in and out). The pointwise kind only does float.
 *
 * Defines: OP (one of the OP_* below), N_IN (1-3), and per operand (A, B, C) and the output
 * (Y) either <X>_FLOAT — float32 data, stored as store_t (half under XC_FP16) — or <X>_T, the
 * OpenCL type of an integer/bool tensor (bool is uchar). Float operands are loaded to float.
 *
 * `view` holds the output dims (rank of them), then for each operand its element strides along
 * those dims (0 on broadcast axes). */
#define OP_CAST 0
#define OP_WHERE 1
#define OP_EQUAL 2
#define OP_LESS 3
#define OP_LESS_EQUAL 4
#define OP_GREATER 5
#define OP_GREATER_EQUAL 6
#define OP_AND 7
#define OP_OR 8
#define OP_XOR 9
#define OP_NOT 10
#define OP_ISNAN 11
#define OP_ISINF 12

#ifdef A_FLOAT
#define A_T store_t
#define GET_A(i) LOAD(a, i)
#else
#define GET_A(i) a[i]
#endif
#ifdef B_FLOAT
#define B_T store_t
#define GET_B(i) LOAD(b, i)
#else
#define GET_B(i) b[i]
#endif
#ifdef C_FLOAT
#define C_T store_t
#define GET_C(i) LOAD(c, i)
#else
#define GET_C(i) c[i]
#endif
#ifdef Y_FLOAT
#define Y_T store_t
#define PUT(i, v) STORE(y, i, (float)(v))
#elif OP == OP_CAST
#define PUT(i, v) (y[i] = Y_IS_BOOL ? (Y_T)((v) != 0) : (Y_T)(v)) /* any value to bool is != 0 */
#else
#define PUT(i, v) (y[i] = (Y_T)(v))
#endif

#if OP == OP_CAST || OP == OP_NOT
#define EXPR(va, vb, vc) (OP == OP_NOT ? !(va) : (va))
#elif OP == OP_WHERE
#define EXPR(va, vb, vc) ((va) ? (vb) : (vc))
#elif OP == OP_EQUAL
#define EXPR(va, vb, vc) ((va) == (vb))
#elif OP == OP_LESS
#define EXPR(va, vb, vc) ((va) < (vb))
#elif OP == OP_LESS_EQUAL
#define EXPR(va, vb, vc) ((va) <= (vb))
#elif OP == OP_GREATER
#define EXPR(va, vb, vc) ((va) > (vb))
#elif OP == OP_GREATER_EQUAL
#define EXPR(va, vb, vc) ((va) >= (vb))
#elif OP == OP_AND
#define EXPR(va, vb, vc) ((va) && (vb))
#elif OP == OP_OR
#define EXPR(va, vb, vc) ((va) || (vb))
#elif OP == OP_XOR
#define EXPR(va, vb, vc) (!(va) != !(vb))
#elif OP == OP_ISNAN
#define EXPR(va, vb, vc) (isnan((float)(va)) != 0)
#elif OP == OP_ISINF
#define EXPR(va, vb, vc) (isinf((float)(va)) != 0)
#endif

__kernel void elementwise(__global const A_T *a,
#if N_IN > 1
                          __global const B_T *b,
#endif
#if N_IN > 2
                          __global const C_T *c,
#endif
                          __global Y_T *y, __global const int *view, const int rank, const int n)
{
    const int i = get_global_id(0);
    if (i >= n) return;
    int rest = i, oa = 0, ob = 0, oc = 0;
    for (int k = rank - 1; k >= 0; k--) {
        const int d = view[k], q = rest % d;
        rest /= d;
        oa += q * view[rank + k];
        ob += q * view[2 * rank + k];
        oc += q * view[3 * rank + k];
    }
#if N_IN > 2
    PUT(i, EXPR(GET_A(oa), GET_B(ob), GET_C(oc)));
#elif N_IN > 1
    PUT(i, EXPR(GET_A(oa), GET_B(ob), 0));
#else
    PUT(i, EXPR(GET_A(oa), 0, 0));
#endif
}
