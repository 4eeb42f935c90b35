/* random.c — reference kernels of RandomUniform(Like), RandomNormal(Like) and Bernoulli.
 *
 * Draws come from splitmix64, a small generator with a 64-bit state, seeded from the `seed`
 * attribute's value, so the same seed gives the same tensor on every run and machine. Without
 * a seed the state comes from a hash of the node's output name: runs stay reproducible (two
 * runs of a model compare equal) while two unseeded nodes still draw different streams.
 * Nothing can match another runtime's generator, so only shapes, types and statistics are
 * comparable across runtimes. Normal draws use Box-Muller. */
#include "ref.h"
#include <math.h>
#include <string.h>

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t next_u64(rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1) with 53 random bits. */
static double next_unit(rng *r) { return (double)(next_u64(r) >> 11) * 0x1p-53; }

static rng rng_of(const xc_node *n)
{
    rng r = {0};
    const xc_attr *seed = xc_node_attr(n, "seed");
    if (seed) {
        double v = seed->f;
        memcpy(&r.s, &v, sizeof v);
    } else {
        r.s = 0xcbf29ce484222325ull; /* FNV-1a of the first output's name */
        for (const char *p = n->outputs[0]; *p; p++) r.s = (r.s ^ (unsigned char)*p) * 0x100000001b3ull;
    }
    next_u64(&r);
    return r;
}

static xc_status ref_uniform(xc_ref_args *a)
{
    xc_tensor *y = a->out[0];
    rng r = rng_of(a->node);
    double low = xc_attr_float(a->node, "low", 0), high = xc_attr_float(a->node, "high", 1);
    for (size_t i = 0; i < xc_tensor_numel(y); i++) xc_store_f64(y->dtype, y->data, i, low + (high - low) * next_unit(&r));
    return XC_OK;
}

static xc_status ref_normal(xc_ref_args *a)
{
    xc_tensor *y = a->out[0];
    rng r = rng_of(a->node);
    double mean = xc_attr_float(a->node, "mean", 0), scale = xc_attr_float(a->node, "scale", 1);
    size_t n = xc_tensor_numel(y);
    for (size_t i = 0; i < n; i += 2) {
        double u1 = 1.0 - next_unit(&r), u2 = next_unit(&r), rad = sqrt(-2.0 * log(u1));
        xc_store_f64(y->dtype, y->data, i, mean + scale * rad * cos(2 * M_PI * u2));
        if (i + 1 < n) xc_store_f64(y->dtype, y->data, i + 1, mean + scale * rad * sin(2 * M_PI * u2));
    }
    return XC_OK;
}

/* y = 1 with probability p (a uniform draw below p), else 0. */
static xc_status ref_bernoulli(xc_ref_args *a)
{
    const xc_tensor *p = a->in[0];
    xc_tensor *y = a->out[0];
    rng r = rng_of(a->node);
    for (size_t i = 0; i < xc_tensor_numel(y); i++) {
        double prob = xc_load_f64(p->dtype, p->data, i);
        if (!(prob >= 0 && prob <= 1))
            return xc_ref_fail(a, XC_ERR_MODEL, "probability %g at index %zu is outside [0, 1]", prob, i);
        xc_store_f64(y->dtype, y->data, i, next_unit(&r) < prob ? 1.0 : 0.0);
    }
    return XC_OK;
}

const xc_ref_kernel xc_ref_random[] = {
    {"RandomUniform", ref_uniform},   {"RandomNormal", ref_normal}, {"RandomUniformLike", ref_uniform},
    {"RandomNormalLike", ref_normal}, {"Bernoulli", ref_bernoulli}, {0},
};
