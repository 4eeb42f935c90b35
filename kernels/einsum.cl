/* einsum.cl — Einsum (einsum.generic): one work-item per output element; it sums, over every
 * combination of the summed labels, the product of the inputs' elements, accumulating in float.
 * Labels come renumbered as the plan makes them (src/ops/matmul_einsum.h): the output's axes
 * first, row-major, then the summed ones. `tab` holds each label's extent, then for each input
 * its element step per label (0 where it does not use the label; a diagonal's steps add up).
 * Defines: N_IN (1-4). */
inline long label_offset(__global const int *tab, const int n_labels, const int k, const int first, const int last, long rem)
{
    long off = 0;
    for (int l = last - 1; l >= first; l--) {
        const int e = tab[l];
        off += (rem % e) * tab[n_labels * (k + 1) + l];
        rem /= e;
    }
    return off;
}

__kernel void einsum(__global const store_t *a,
#if N_IN > 1
                     __global const store_t *b,
#endif
#if N_IN > 2
                     __global const store_t *c,
#endif
#if N_IN > 3
                     __global const store_t *d,
#endif
                     __global store_t *y, __global const int *tab, const int n_labels, const int out_rank, const int n_out,
                     const int n_sum)
{
    const int o = get_global_id(0);
    if (o >= n_out) return;
    long base[4];
    for (int k = 0; k < N_IN; k++) base[k] = label_offset(tab, n_labels, k, 0, out_rank, o);
    float acc = 0.0f;
    for (int t = 0; t < n_sum; t++) {
        float prod = LOAD(a, base[0] + label_offset(tab, n_labels, 0, out_rank, n_labels, t));
#if N_IN > 1
        prod *= LOAD(b, base[1] + label_offset(tab, n_labels, 1, out_rank, n_labels, t));
#endif
#if N_IN > 2
        prod *= LOAD(c, base[2] + label_offset(tab, n_labels, 2, out_rank, n_labels, t));
#endif
#if N_IN > 3
        prod *= LOAD(d, base[3] + label_offset(tab, n_labels, 3, out_rank, n_labels, t));
#endif
        acc += prod;
    }
    STORE(y, o, acc);
}
