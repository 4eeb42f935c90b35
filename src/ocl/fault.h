/* fault.h — fault injection: planted, announced errors in chosen engine layers, the test bed of
 * the debug tools (and a way for users to rehearse their own debugging workflows).
 *
 * A spec is KIND=PATTERN[:EFFECT]. KIND picks the layers:
 *   op           every layer covering a node of that ONNX op type
 *   node         the layer covering that ONNX node, whatever its tactic or fusion
 *   tactic       every layer running that tactic (PATTERN against the full variant name, e.g.
 *                "gemm.reg_blocked.4x4", and the tactic name, "gemm.reg_blocked")
 *   node-tactic  the layer covering that node, only while it runs a non-baseline tactic (the
 *                baseline is the first applicable tactic variant of its kind: the simplest kernel)
 *   fusion       every layer a fusion pass of that name helped form
 *   node-fusion  the layer covering that node, only while it is fused with other nodes
 * PATTERN is a name or an fnmatch glob. EFFECT (default bias=1) is applied to the layer's
 * ONNX-named float outputs after it runs: bias=X adds X, scale=X multiplies by X, nan makes
 * every element NaN, element adds 1 to the middle element only. Two effects test crash isolation
 * (the debug tools' --isolate): crash (or crash=1) raises SIGSEGV in the layer's hook, hang=S
 * sleeps S seconds there before the run goes on.
 *
 * Specs come from xc_ocl_build_options.faults (--inject-fault) and the environment variable
 * CROSSCHECK_INJECT_FAULT (specs separated by ';'). Faults are never on unless asked for, and
 * are announced whenever on: on stderr when the engine is built, in the plan JSON and the engine
 * description. Layers run while the builder times tactics are never perturbed. */
#ifndef XC_OCL_FAULT_H
#define XC_OCL_FAULT_H
#include "ocl/engine.h"

#define XC_MAX_FAULTS 64

typedef enum {
    XC_FAULT_OP,
    XC_FAULT_NODE,
    XC_FAULT_TACTIC,
    XC_FAULT_NODE_TACTIC,
    XC_FAULT_FUSION,
    XC_FAULT_NODE_FUSION
} xc_fault_kind;
typedef enum { XC_FAULT_BIAS, XC_FAULT_SCALE, XC_FAULT_NAN, XC_FAULT_ELEMENT, XC_FAULT_CRASH, XC_FAULT_HANG } xc_fault_effect;

typedef struct xc_fault {
    char spec[512]; /* as given, for messages */
    xc_fault_kind kind;
    char pattern[400];
    xc_fault_effect effect;
    double value; /* bias, scale, or hang's seconds */
    int n_layers; /* layers of the engine it hits */
} xc_fault;

/* The faults of one engine: which layers each hits (a bit per fault, per layer). */
typedef struct xc_fault_set {
    int n;
    xc_fault faults[XC_MAX_FAULTS];
    uint64_t *hits; /* per layer */
} xc_fault_set;

/* Parses one spec; a usage error naming the spec when malformed. */
xc_status xc_fault_parse(const char *spec, xc_fault *out);
/* After the build: parses the specs (options and environment), finds the layers each hits and
 * announces them on stderr (unless opt.quiet_faults), with a warning naming every spec that hits
 * nothing. Leaves e->faults NULL when no fault is asked for. */
xc_status xc_fault_setup(xc_engine *e);
/* The runtime's hook after layer l ran in context ctx: applies the faults hitting l. */
struct xc_ocl_ctx;
xc_status xc_fault_apply(struct xc_ocl_ctx *ctx, int l);
/* The specs hitting layer l, joined with "; " into buf ("" when none); returns buf. */
const char *xc_fault_on_layer(const xc_engine *e, int l, char *buf, size_t len);
/* Whether l runs its kind's baseline tactic (the first applicable variant; CPU layers do). */
int xc_layer_runs_baseline(const xc_engine *e, const xc_layer *l);
/* The same for layer index l (0 <= l < xc_engine_layer_count), for callers outside the engine. */
int xc_engine_layer_runs_baseline(const xc_engine *e, int l);
void xc_fault_set_free(xc_fault_set *f);
#endif
