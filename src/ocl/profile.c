/* profile.c — benchmarking an engine like trtexec. One execution context runs inferences back
 * to back: each enqueues the input uploads, every layer and the output reads on the context's
 * in-order queue, then waits. The host wall clock around that is the latency; profiling events
 * give the GPU compute span (first kernel's start to last kernel's end) and the H2D and D2H
 * spans. Only the first and last kernel of an inference get events, so timing perturbs little;
 * per-layer times come from a separate pass (like trtexec's separate profile run) where every
 * layer gets events. Inputs are converted to their storage form once, before timing, and
 * outputs are read back in storage form, so transfers are timed without host-side conversion;
 * host buffers are pinned, as trtexec's are. */
#include "ocl/profile.h"
#include "ocl/profile_shapes.h"
#include "ocl/build.h"
#include "ocl/runtime.h"
#include "inputs.h"
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

xc_bench_options xc_bench_defaults(void)
{
    xc_bench_options o = {.iterations = 10, .warmup_ms = 200, .duration_s = 3, .profile = 0, .seed = 1};
    return o;
}

/* ---- samples and their statistics ---- */

typedef struct samples {
    int n, cap;
    double *v;
} samples;

static xc_status push(samples *s, double v)
{
    if (s->n == s->cap) {
        int cap = s->cap ? 2 * s->cap : 256;
        double *nv = realloc(s->v, (size_t)cap * sizeof *nv);
        if (!nv) return xc_fail(XC_ERR_NOMEM, "out of memory");
        s->v = nv;
        s->cap = cap;
    }
    s->v[s->n++] = v;
    return XC_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of n sorted values. */
static double percentile(const double *v, int n, double p)
{
    int k = (int)ceil(p / 100.0 * n);
    return v[k < 1 ? 0 : k - 1];
}

/* Sorts s in place. */
static xc_stats stats_of(samples *s)
{
    xc_stats st = {0};
    if (!s->n) return st;
    qsort(s->v, s->n, sizeof *s->v, cmp_double);
    double sum = 0;
    for (int i = 0; i < s->n; i++) sum += s->v[i];
    int h = s->n / 2;
    st.n = s->n;
    st.min = s->v[0];
    st.max = s->v[s->n - 1];
    st.mean = sum / s->n;
    st.median = s->n % 2 ? s->v[h] : (s->v[h - 1] + s->v[h]) / 2;
    st.p90 = percentile(s->v, s->n, 90);
    st.p95 = percentile(s->v, s->n, 95);
    st.p99 = percentile(s->v, s->n, 99);
    return st;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

/* ---- events ---- */

static void release(cl_event *ev, int n)
{
    for (int i = 0; i < n; i++)
        if (ev[i]) clReleaseEvent(ev[i]), ev[i] = NULL;
}

/* Adds the ms from a's start to b's end to s (nothing when there are no events). */
static xc_status add_span(cl_event a, cl_event b, samples *s)
{
    if (!a || !b) return XC_OK;
    cl_ulong start = 0, end = 0;
    cl_int err = clGetEventProfilingInfo(a, CL_PROFILING_COMMAND_START, sizeof start, &start, NULL);
    if (err == CL_SUCCESS) err = clGetEventProfilingInfo(b, CL_PROFILING_COMMAND_END, sizeof end, &end, NULL);
    if (err != CL_SUCCESS) return xc_cl_fail(err, "reading profiling events");
    return push(s, end > start ? (double)(end - start) * 1e-6 : 0);
}

/* ---- the benchmark's state ---- */

/* One graph input or output: its device buffer and host bytes in its storage form. */
typedef struct transfer {
    cl_mem mem;
    cl_mem pinned; /* host-allocated (pinned) buffer; host is its mapping */
    void *host;
    size_t bytes;
} transfer;

typedef struct bench {
    xc_engine *e;
    xc_ocl_ctx *c;
    transfer *in, *out;
    int n_in, n_out;
    int first_gpu, last_gpu; /* layers whose launches open and close an inference, -1: none */
    cl_event *ev;            /* profiling pass: first and last event of every layer */
} bench;

/* Layers that do work: views (no launches) only rename storage. */
static int does_work(const xc_layer *L) { return !L->dead && (L->cpu || L->n_launches > 0); }
static int on_gpu(const xc_layer *L) { return !L->dead && !L->cpu && L->n_launches > 0; }

/* Host memory for tr->bytes, page-locked where the driver can: a host-allocated buffer kept
 * mapped is OpenCL's way to the fast DMA path (trtexec uses cudaMallocHost likewise). */
static xc_status host_alloc(bench *b, transfer *tr)
{
    cl_int err;
    size_t n = tr->bytes ? tr->bytes : 1;
    tr->pinned = clCreateBuffer(b->e->dev->context, CL_MEM_READ_WRITE | CL_MEM_ALLOC_HOST_PTR, n, NULL, &err);
    if (err != CL_SUCCESS) return xc_cl_fail(err, "allocating pinned host memory");
    tr->host = clEnqueueMapBuffer(b->c->q, tr->pinned, CL_TRUE, CL_MAP_READ | CL_MAP_WRITE, 0, n, 0, NULL, NULL, &err);
    if (err != CL_SUCCESS) return xc_cl_fail(err, "mapping pinned host memory");
    return XC_OK;
}

static void host_free(bench *b, transfer *tr)
{
    if (tr->host) clEnqueueUnmapMemObject(b->c->q, tr->pinned, tr->host, 0, NULL, NULL);
    if (tr->pinned) clReleaseMemObject(tr->pinned);
}

/* An input's host bytes as stored on the device (halves for fp16 storage). */
static xc_status storage_bytes(bench *b, const xc_etensor *x, const xc_tensor *t, transfer *tr)
{
    size_t n = xc_tensor_numel(t);
    tr->bytes = xc_et_bytes(x);
    XC_TRY(host_alloc(b, tr));
    if (!x->fp16) {
        memcpy(tr->host, t->data, tr->bytes);
        return XC_OK;
    }
    uint16_t *h = tr->host;
    for (size_t i = 0; i < n; i++) h[i] = xc_engine_half_bits(b->e, xc_load_f32(t->dtype, t->data, i));
    return XC_OK;
}

/* Generated inputs of the engine's static shapes, in storage form. */
static xc_status make_inputs(bench *b, uint64_t seed)
{
    xc_engine *e = b->e;
    const xc_graph *g = e->model->graph;
    xc_input_shape *shapes = calloc((size_t)e->n_tensors + 1, sizeof *shapes);
    if (!shapes) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_input_spec spec = xc_input_spec_default();
    spec.seed = seed;
    for (int t = 0; t < e->n_tensors; t++) {
        const xc_etensor *x = &e->tensors[t];
        if (x->graph_input < 0) continue;
        xc_input_shape *s = &shapes[spec.n_shapes++];
        s->name = x->name;
        s->rank = x->rank;
        memcpy(s->dims, x->dims, sizeof s->dims);
        b->n_in = x->graph_input + 1 > b->n_in ? x->graph_input + 1 : b->n_in;
    }
    spec.shapes = shapes;
    xc_tensor_list host = {0};
    xc_status s = xc_generate_inputs(g, &spec, &host);
    free(shapes);
    b->in = calloc(b->n_in + 1, sizeof *b->in);
    if (s == XC_OK && !b->in) s = xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int t = 0; s == XC_OK && t < e->n_tensors; t++) {
        int k = e->tensors[t].graph_input;
        if (k < 0) continue;
        s = xc_ocl_ctx_mem(b->c, t, &b->in[k].mem);
        if (s == XC_OK) s = storage_bytes(b, &e->tensors[t], host.t[k], &b->in[k]);
    }
    xc_tensor_list_free(&host);
    return s;
}

/* Host buffers for every graph output that lives on the device. */
static xc_status make_outputs(bench *b)
{
    const xc_graph *g = b->e->model->graph;
    b->out = calloc(g->n_outputs + 1, sizeof *b->out);
    if (!b->out) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int o = 0; o < g->n_outputs; o++) {
        int t = xc_engine_tensor(b->e, g->outputs[o].name);
        const xc_etensor *x = &b->e->tensors[t];
        if (x->value || x->host) continue; /* a constant output is never transferred, nor one the CPU holds */
        transfer *tr = &b->out[b->n_out++];
        XC_TRY(xc_ocl_ctx_mem(b->c, t, &tr->mem));
        tr->bytes = xc_et_bytes(x);
        XC_TRY(host_alloc(b, tr));
    }
    return XC_OK;
}

static xc_status bench_open(xc_engine *e, const xc_bench_options *o, bench *b)
{
    memset(b, 0, sizeof *b);
    b->e = e;
    b->first_gpu = b->last_gpu = -1;
    for (int l = 0; l < e->n_layers; l++) {
        if (!on_gpu(&e->layers[l])) continue;
        if (b->first_gpu < 0) b->first_gpu = l;
        b->last_gpu = l;
    }
    b->ev = calloc(2 * (size_t)e->n_layers + 1, sizeof *b->ev);
    if (!b->ev) return xc_fail(XC_ERR_NOMEM, "out of memory");
    XC_TRY(xc_ocl_ctx_create(e, 0, &b->c));
    XC_TRY(make_inputs(b, o->seed));
    return make_outputs(b);
}

static void bench_close(bench *b)
{
    for (int i = 0; b->in && i < b->n_in; i++) host_free(b, &b->in[i]);
    for (int i = 0; b->out && i < b->n_out; i++) host_free(b, &b->out[i]);
    free(b->in);
    free(b->out);
    if (b->ev) release(b->ev, 2 * b->e->n_layers);
    free(b->ev);
    xc_ocl_ctx_free(b->c);
}

/* Enqueues every transfer (writes when up, else reads) without waiting; *first and *last get
 * the events of the first and last one (NULL when there is none). */
static xc_status enqueue_transfers(bench *b, int up, cl_event *first, cl_event *last)
{
    const transfer *t = up ? b->in : b->out;
    int n = up ? b->n_in : b->n_out;
    for (int i = 0; i < n; i++) {
        if (!t[i].bytes) continue;
        cl_event ev;
        cl_int err = up ? clEnqueueWriteBuffer(b->c->q, t[i].mem, CL_FALSE, 0, t[i].bytes, t[i].host, 0, NULL, &ev)
                        : clEnqueueReadBuffer(b->c->q, t[i].mem, CL_FALSE, 0, t[i].bytes, t[i].host, 0, NULL, &ev);
        if (err != CL_SUCCESS) return xc_cl_fail(err, up ? "uploading an input" : "reading an output back");
        if (!*first) *first = ev, clRetainEvent(ev); /* first and last may be the same event */
        if (*last) clReleaseEvent(*last);
        *last = ev;
    }
    return XC_OK;
}

/* Per-inference samples of the timed loop. */
typedef struct timings {
    samples latency, gpu, h2d, d2h;
} timings;

/* One inference; its times go to tm (NULL: warm-up). */
static xc_status infer(bench *b, timings *tm)
{
    enum { H2D_A, H2D_B, GPU_A, GPU_B, D2H_A, D2H_B, N_EV };
    cl_event ev[N_EV] = {0};
    double t0 = now_ms();
    xc_status s = enqueue_transfers(b, 1, &ev[H2D_A], &ev[H2D_B]);
    for (int l = 0; s == XC_OK && l < b->e->n_layers; l++)
        if (!b->e->layers[l].dead)
            s = xc_ocl_ctx_run_layer(b->c, l, l == b->first_gpu ? &ev[GPU_A] : NULL, l == b->last_gpu ? &ev[GPU_B] : NULL);
    if (s == XC_OK) s = enqueue_transfers(b, 0, &ev[D2H_A], &ev[D2H_B]);
    cl_int err = clFinish(b->c->q);
    if (s == XC_OK && err != CL_SUCCESS) s = xc_cl_fail(err, "running the engine");
    if (s == XC_OK && tm) {
        s = push(&tm->latency, now_ms() - t0);
        if (s == XC_OK) s = add_span(ev[H2D_A], ev[H2D_B], &tm->h2d);
        if (s == XC_OK) s = add_span(ev[GPU_A], ev[GPU_B], &tm->gpu);
        if (s == XC_OK) s = add_span(ev[D2H_A], ev[D2H_B], &tm->d2h);
    }
    release(ev, N_EV);
    return s;
}

/* One inference with events on every layer; each working layer's time goes to per_layer[l].
 * CPU-fallback layers run synchronously: they are timed by the wall clock after the queue
 * drains, so they are not charged for the kernels before them. */
static xc_status profile_once(bench *b, samples *per_layer)
{
    cl_event up_a = NULL, up_b = NULL;
    xc_status s = enqueue_transfers(b, 1, &up_a, &up_b);
    release(&up_a, 1);
    release(&up_b, 1);
    for (int l = 0; s == XC_OK && l < b->e->n_layers; l++) {
        if (!does_work(&b->e->layers[l])) continue;
        if (!b->e->layers[l].cpu) {
            s = xc_ocl_ctx_run_layer(b->c, l, &b->ev[2 * l], &b->ev[2 * l + 1]);
            continue;
        }
        cl_int err = clFinish(b->c->q);
        if (err != CL_SUCCESS) s = xc_cl_fail(err, "running the engine");
        double t0 = now_ms();
        if (s == XC_OK) s = xc_ocl_ctx_run_layer(b->c, l, NULL, NULL);
        if (s == XC_OK) s = push(&per_layer[l], now_ms() - t0);
    }
    cl_int err = clFinish(b->c->q);
    if (s == XC_OK && err != CL_SUCCESS) s = xc_cl_fail(err, "running the engine");
    for (int l = 0; s == XC_OK && l < b->e->n_layers; l++)
        if (on_gpu(&b->e->layers[l])) s = add_span(b->ev[2 * l], b->ev[2 * l + 1], &per_layer[l]);
    release(b->ev, 2 * b->e->n_layers);
    return s;
}

/* ---- the stopping rule: at least o->iterations runs and at least o->duration_s ---- */

static int more(const xc_bench_options *o, int done, double t0)
{
    return done < o->iterations || now_ms() - t0 < o->duration_s * 1e3;
}

static xc_status warm_up(bench *b, const xc_bench_options *o)
{
    double t0 = now_ms();
    do XC_TRY(infer(b, NULL));
    while (now_ms() - t0 < o->warmup_ms);
    return XC_OK;
}

static xc_status timed_runs(bench *b, const xc_bench_options *o, xc_bench_result *r)
{
    timings tm = {0};
    xc_status s = XC_OK;
    double t0 = now_ms();
    int n = 0;
    for (; s == XC_OK && more(o, n, t0); n++) s = infer(b, &tm);
    r->wall_s = (now_ms() - t0) * 1e-3;
    r->iterations = n;
    r->qps = r->wall_s > 0 ? n / r->wall_s : 0;
    r->latency = stats_of(&tm.latency);
    r->gpu = stats_of(&tm.gpu);
    r->h2d = stats_of(&tm.h2d);
    r->d2h = stats_of(&tm.d2h);
    free(tm.latency.v);
    free(tm.gpu.v);
    free(tm.h2d.v);
    free(tm.d2h.v);
    return s;
}

static int slower_first(const void *a, const void *b)
{
    double x = ((const xc_layer_time *)a)->mean_ms, y = ((const xc_layer_time *)b)->mean_ms;
    return (x < y) - (x > y);
}

/* The per-layer table from the profiling pass's samples, slowest first. */
static xc_status layer_table(const xc_engine *e, samples *per_layer, xc_bench_result *r)
{
    r->layers = calloc(e->n_layers + 1, sizeof *r->layers);
    if (!r->layers) return xc_fail(XC_ERR_NOMEM, "out of memory");
    for (int l = 0; l < e->n_layers; l++) {
        const xc_layer *L = &e->layers[l];
        if (!does_work(L)) continue;
        xc_stats st = stats_of(&per_layer[l]);
        xc_layer_time *t = &r->layers[r->n_layers++];
        t->name = L->name;
        t->tactic = L->variant;
        t->mean_ms = st.mean;
        t->median_ms = st.median;
        r->layers_total_ms += st.mean;
    }
    for (int i = 0; i < r->n_layers; i++)
        r->layers[i].percent = r->layers_total_ms > 0 ? 100 * r->layers[i].mean_ms / r->layers_total_ms : 0;
    qsort(r->layers, r->n_layers, sizeof *r->layers, slower_first);
    return XC_OK;
}

static xc_status profile_runs(bench *b, const xc_bench_options *o, xc_bench_result *r)
{
    samples *per_layer = calloc(b->e->n_layers + 1, sizeof *per_layer);
    if (!per_layer) return xc_fail(XC_ERR_NOMEM, "out of memory");
    xc_status s = XC_OK;
    double t0 = now_ms();
    int n = 0;
    for (; s == XC_OK && more(o, n, t0); n++) s = profile_once(b, per_layer);
    r->profiled_iterations = n;
    if (s == XC_OK) s = layer_table(b->e, per_layer, r);
    for (int l = 0; l < b->e->n_layers; l++) free(per_layer[l].v);
    free(per_layer);
    return s;
}

xc_status xc_bench_run(xc_engine *e, const xc_bench_options *o, xc_bench_result *out)
{
    memset(out, 0, sizeof *out);
    bench b;
    XC_TRY(
        xc_profile_engine_for_shapes(e, e->opt.shapes, e->opt.n_shapes, &e)); /* a profiled engine: the one for --input-shapes */
    xc_status s = bench_open(e, o, &b);
    if (s == XC_OK) s = warm_up(&b, o);
    if (s == XC_OK) s = timed_runs(&b, o, out);
    if (s == XC_OK && o->profile) s = profile_runs(&b, o, out);
    bench_close(&b);
    return s;
}

void xc_bench_result_free(xc_bench_result *r)
{
    free(r->layers);
    r->layers = NULL;
    r->n_layers = 0;
}

/* ---- JSON ---- */

static cJSON *stats_json(const xc_stats *s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "n", s->n);
    cJSON_AddNumberToObject(o, "min", s->min);
    cJSON_AddNumberToObject(o, "max", s->max);
    cJSON_AddNumberToObject(o, "mean", s->mean);
    cJSON_AddNumberToObject(o, "median", s->median);
    cJSON_AddNumberToObject(o, "p90", s->p90);
    cJSON_AddNumberToObject(o, "p95", s->p95);
    cJSON_AddNumberToObject(o, "p99", s->p99);
    return o;
}

cJSON *xc_bench_json(const xc_bench_result *r, const xc_bench_options *o)
{
    cJSON *root = cJSON_CreateObject(), *opt = cJSON_AddObjectToObject(root, "options");
    cJSON_AddNumberToObject(opt, "iterations", o->iterations);
    cJSON_AddNumberToObject(opt, "warmup_ms", o->warmup_ms);
    cJSON_AddNumberToObject(opt, "duration_s", o->duration_s);
    cJSON_AddBoolToObject(opt, "profile", o->profile);
    cJSON_AddNumberToObject(opt, "seed", (double)o->seed);
    cJSON_AddNumberToObject(root, "iterations", r->iterations);
    cJSON_AddNumberToObject(root, "wall_s", r->wall_s);
    cJSON_AddNumberToObject(root, "throughput_qps", r->qps);
    cJSON_AddItemToObject(root, "latency_ms", stats_json(&r->latency));
    cJSON_AddItemToObject(root, "gpu_compute_ms", stats_json(&r->gpu));
    cJSON_AddItemToObject(root, "h2d_ms", stats_json(&r->h2d));
    cJSON_AddItemToObject(root, "d2h_ms", stats_json(&r->d2h));
    if (!r->profiled_iterations) return root;
    cJSON *p = cJSON_AddObjectToObject(root, "profile"), *layers = cJSON_AddArrayToObject(p, "layers");
    cJSON_AddNumberToObject(p, "iterations", r->profiled_iterations);
    cJSON_AddNumberToObject(p, "total_ms", r->layers_total_ms);
    for (int i = 0; i < r->n_layers; i++) {
        const xc_layer_time *t = &r->layers[i];
        cJSON *l = cJSON_CreateObject();
        cJSON_AddStringToObject(l, "name", t->name);
        cJSON_AddStringToObject(l, "tactic", t->tactic);
        cJSON_AddNumberToObject(l, "mean_ms", t->mean_ms);
        cJSON_AddNumberToObject(l, "median_ms", t->median_ms);
        cJSON_AddNumberToObject(l, "percent", t->percent);
        cJSON_AddItemToArray(layers, l);
    }
    return root;
}
