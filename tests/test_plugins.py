"""plugins: custom-op libraries loaded with --plugins (include/crosscheck/plugin.h), on the reference.

plugins/example (com.example ScaledAdd = alpha*A + B) validates, infers shapes (load time, with
named dims too), runs, and shows in `inspect model` and `graph`, and on the OpenCL engine runs its
plugin's kernel (tactic plugin.opencl in the per-layer table); without --plugins the op stays
unsupported. Every refusal is one line, exit 2, never a crash: a missing file, a file that is no
shared library, a library that is no plugin, one built for another ABI, one registering an ai.onnx
op, an op registered twice, a shape callback's error and a compute callback failing without a
message (the broken plugins are compiled here from a few lines of C). plugins/contrib's
com.microsoft ops (Gelu, FastGelu, BiasGelu, QuickGelu, SkipLayerNormalization,
SkipSimplifiedLayerNormalization, FusedMatMul) agree with ONNX Runtime on one-node models, and so
does a BERT-like block after ONNX Runtime's extended optimizer (which fuses it into those ops)
against ONNX Runtime on the original model. On the engine, the Gelu family runs the contrib
kernels and FusedMatMul (no kernel) runs only with --fallback-cpu; a kernel that does not
compile is one error line."""
import collections
import os
import re
import subprocess

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
F = TensorProto.FLOAT

BROKEN_C = r"""
#include "crosscheck/plugin.h"
#if defined(ABI_999)
XC_PLUGIN_EXPORT const int xc_plugin_abi_version = 999;
#elif !defined(NO_ABI)
XC_PLUGIN_ABI;
#endif
static xc_status infer(const xc_plugin_node *n, int ni, const xc_plugin_shape *in, int no, xc_plugin_shape *out)
{
    (void)n, (void)ni, (void)no;
    out[0] = in[0];
    return XC_OK;
}
static xc_status compute(const xc_plugin_node *n, int ni, const xc_tensor *const *in, int no, xc_tensor **out)
{
    (void)n, (void)ni, (void)in, (void)no, (void)out;
    return XC_ERR_RUNTIME; /* and no message */
}
XC_PLUGIN_EXPORT xc_status xc_plugin_init(xc_plugin_registry *r)
{
#if defined(ONNX_DOMAIN)
    xc_plugin_op op = {"ai.onnx", "Relu", 1, 0, 1, 1, 1, 1, 0, infer, compute};
#elif defined(BAD_CL)
    xc_plugin_op op = {"com.broken", "Fails", 1, 0, 1, 1, 1, 1, 0, infer, compute, "this is not OpenCL C", "k"};
#elif defined(NO_COMPUTE)
    xc_plugin_op op = {"com.broken", "Fails", 1, 0, 1, 1, 1, 1, 0, infer, 0};
    (void)compute;
#else
    xc_plugin_op op = {"com.broken", "Fails", 1, 0, 1, 1, 1, 1, 0, infer, compute};
#endif
    return xc_plugin_register_op(r, &op);
}
"""


def _run(cmd, timeout=120):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def _one_line(r):
    return r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1


def _model(nodes, inputs, outputs, inits=(), domain=("com.microsoft", 1)):
    g = helper.make_graph(nodes, "g", inputs, outputs, initializer=list(inits))
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid(*domain)], ir_version=8)


def _vi(name, shape):
    return helper.make_tensor_value_info(name, F, shape)


def _save_set(d, feeds, outputs=None):
    os.makedirs(d, exist_ok=True)
    for k, (n, v) in enumerate(feeds.items()):
        with open(os.path.join(d, "input_%d.pb" % k), "wb") as f:
            f.write(numpy_helper.from_array(v, n).SerializeToString())
    for k, (n, v) in enumerate((outputs or {}).items()):
        with open(os.path.join(d, "output_%d.pb" % k), "wb") as f:
            f.write(numpy_helper.from_array(v, n).SerializeToString())


def _load(path):
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def _ref_outputs(xc, plugin, model_path, inputs_dir, out_dir, n_out):
    r = _run([xc, "--plugins", plugin, "run", model_path, "--ref", "--load-inputs", inputs_dir, "--save-outputs", out_dir])
    if r.returncode:
        return None, r
    return [_load(os.path.join(out_dir, "output_%d.pb" % k)) for k in range(n_out)], r


def _example(s, xc, ex, tmp):
    d = os.path.join(tmp, "plugins")
    os.makedirs(d, exist_ok=True)
    a, b = (np.random.default_rng(k).standard_normal((2, 3)).astype(np.float32) for k in (1, 2))
    want = np.maximum(np.float32(2.5) * a + b, 0)
    for symbolic in (False, True):
        dims = ["n", "c"] if symbolic else [2, 3]
        m = _model([helper.make_node("ScaledAdd", ["a", "b"], ["y"], name="sa", domain="com.example", alpha=2.5),
                    helper.make_node("Relu", ["y"], ["z"], name="relu")],
                   [_vi("a", dims), _vi("b", dims)], [_vi("z", None)], domain=("com.example", 1))
        path = os.path.join(d, "scaled_add%s.onnx" % ("_sym" if symbolic else ""))
        onnx.save(m, path)
        _save_set(os.path.join(d, "in"), {"a": a, "b": b})
        out = os.path.join(d, "out_sym" if symbolic else "out")
        # --plugins after the command's name, as any global option may be
        r = _run([xc, "run", path, "--ref", "--plugins", ex, "--load-inputs", os.path.join(d, "in"), "--save-outputs", out])
        got = _load(os.path.join(out, "output_0.pb")) if r.returncode == 0 else None
        s.check("plugins: com.example.ScaledAdd (alpha=2.5) then Relu runs on the reference and equals numpy%s" %
                (" (named dims: shapes known only at run time)" if symbolic else ""),
                got is not None and got.shape == want.shape and np.array_equal(got, want), r.stderr + str(got))
    path = os.path.join(d, "scaled_add.onnx")
    r = _run([xc, "run", path, "--ref"])
    s.check("plugins: without --plugins the custom op is unsupported (exit 2, names the domain)",
            r.returncode == 2 and "domain 'com.example' is not supported (no plugin loaded with --plugins registers ScaledAdd at "
            "opset 1)" in r.stderr, r.stderr)
    r = _run([xc, "--plugins", ex, "inspect", "model", path])
    s.check("plugins: inspect model lists ScaledAdd and says the reference supports every node",
            r.returncode == 0 and "ScaledAdd" in r.stdout and "reference   supports every node" in r.stdout, r.stdout + r.stderr)
    dot = os.path.join(d, "g.dot")
    r = _run([xc, "--plugins", ex, "graph", path, "-o", dot])
    text = open(dot).read() if r.returncode == 0 else ""
    s.check("plugins: graph draws com.example::ScaledAdd with its inferred output edge float32[2,3]",
            "com.example::ScaledAdd" in text and 'n0 -> n1\t[label="float32[2,3]"' in text, r.stderr + text[:800])
    m = _model([helper.make_node("ScaledAdd", ["a", "b"], ["y"], name="sa", domain="com.example", alpha=2.5)],
               [_vi("a", [2, 3]), _vi("b", [2, 3])], [_vi("y", None)], domain=("com.example", 1))
    alone = os.path.join(d, "scaled_add_alone.onnx")
    onnx.save(m, alone)
    r = _run([xc, "--plugins", ex, "run", alone, "--ref", "--ocl", "--per-layer"])
    s.check("plugins: on the OpenCL engine the op runs the plugin's kernel (tactic plugin.opencl in the per-layer table) "
            "and matches the reference",
            r.returncode == 0 and re.search(r"^\s+0\s+sa\s+plugin\.opencl\s.*pass$", r.stdout, re.M), r.stdout[-1500:] + r.stderr)
    return path


def _errors(s, xc, ex, build, tmp, sa_path):
    d = os.path.join(tmp, "plugins")
    src = os.path.join(d, "broken.c")
    with open(src, "w") as f:
        f.write(BROKEN_C)
    libs = {}
    for name, flags in (("noabi", ["-DNO_ABI"]), ("abi999", ["-DABI_999"]), ("onnxdom", ["-DONNX_DOMAIN"]), ("nocompute", ["-DNO_COMPUTE"]), ("badcl", ["-DBAD_CL"]),
                         ("fails", [])):
        libs[name] = os.path.join(d, "lib%s.so" % name)
        r = _run(["cc", "-std=c11", "-Wall", "-Werror", "-shared", "-fPIC", "-I", os.path.join(ROOT, "include"), *flags,
                  src, "-o", libs[name]])
        if not s.check("plugins: the broken test plugin '%s' compiles" % name, r.returncode == 0, r.stderr):
            return
    text = os.path.join(d, "notalib.so")
    with open(text, "w") as f:
        f.write("not an ELF file\n")
    missing = os.path.join(d, "missing.so")
    cases = [
        ("a missing file", [missing], ["missing.so", "No such file"]),
        ("a file that is no shared library", [text], ["notalib.so", "not a loadable shared library"]),
        ("a shared library that is no crosscheck plugin", [libs["noabi"]], ["libnoabi.so", "not a crosscheck plugin"]),
        ("a plugin built for another ABI version", [libs["abi999"]], ["libabi999.so", "ABI 999", "ABI 1"]),
        ("a plugin registering an ai.onnx op", [libs["onnxdom"]], ["libonnxdom.so", "Relu", "custom domains only"]),
        ("a plugin registering an op without a compute callback", [libs["nocompute"]],
         ["libnocompute.so", "com.broken.Fails", "no compute callback"]),
        ("an op registered twice (the example loaded twice)", [ex, ex], ["example.so", "com.example.ScaledAdd", "already registered"]),
    ]
    for label, plugins, words in cases:
        cmd = [xc]
        for p in plugins:
            cmd += ["--plugins", p]
        r = _run(cmd + ["run", sa_path, "--ref"])
        s.check("plugins: %s is refused in one line naming it, exit 2" % label,
                _one_line(r) and all(w in r.stderr for w in words), r.stderr)
    # the example's shape callback refuses A and B of different shapes
    m = _model([helper.make_node("ScaledAdd", ["a", "b"], ["y"], name="bad_sa", domain="com.example")],
               [_vi("a", [2, 3]), _vi("b", [2, 4])], [_vi("y", None)], domain=("com.example", 1))
    path = os.path.join(d, "bad_shapes.onnx")
    onnx.save(m, path)
    r = _run([xc, "--plugins", ex, "run", path, "--ref"])
    s.check("plugins: a shape callback's error is one line naming plugin, op and node, exit 2",
            _one_line(r) and all(w in r.stderr for w in ("example.so", "com.example.ScaledAdd", "bad_sa", "differ in dim 1")),
            r.stderr)
    m = _model([helper.make_node("ScaledAdd", ["a", "b"], ["y"], name="sa", domain="com.example", beta=1.0)],
               [_vi("a", [2, 3]), _vi("b", [2, 3])], [_vi("y", None)], domain=("com.example", 1))
    path = os.path.join(d, "bad_attr.onnx")
    onnx.save(m, path)
    r = _run([xc, "--plugins", ex, "run", path, "--ref"])
    s.check("plugins: an attribute the plugin did not declare is a validation error",
            r.returncode == 2 and "unknown attribute 'beta'" in r.stderr, r.stderr)
    m = _model([helper.make_node("Fails", ["a"], ["y"], name="f", domain="com.broken")], [_vi("a", [2])], [_vi("y", None)],
               domain=("com.broken", 1))
    path = os.path.join(d, "fails.onnx")
    onnx.save(m, path)
    r = _run([xc, "--plugins", libs["fails"], "run", path, "--ref"])
    s.check("plugins: a compute callback failing without a message gives one line naming plugin, op and node, exit 2",
            _one_line(r) and all(w in r.stderr for w in ("libfails.so", "com.broken.Fails", "node 'f'", "compute callback")),
            r.stderr)
    r = _run([xc, "--plugins", libs["badcl"], "run", path, "--ocl"])
    last = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ""  # PoCL prints its compiler's count before it
    s.check("plugins: a plugin OpenCL kernel that does not compile is one error line naming the tactic, exit 2",
            r.returncode == 2 and last.startswith("crosscheck: error:") and "plugin.opencl" in last and "build" in last, r.stderr)


def _contrib_engine(s, xc, contrib, tmp):
    """The Gelu family on the engine through the plugin's kernels; FusedMatMul (no kernel) only
    with --fallback-cpu, as a cpu.reference layer."""
    d = os.path.join(tmp, "plugins", "engine")
    os.makedirs(d, exist_ok=True)
    N, ms = helper.make_node, "com.microsoft"
    m = _model([N("Gelu", ["x"], ["a"], name="gelu", domain=ms), N("QuickGelu", ["a"], ["b"], name="quick", domain=ms, alpha=1.5),
                N("FastGelu", ["b", "bias"], ["c"], name="fast_bias", domain=ms), N("FastGelu", ["c"], ["e"], name="fast", domain=ms),
                N("BiasGelu", ["e", "bias"], ["y"], name="bias_gelu", domain=ms)],
               [_vi("x", [2, 3, 8]), _vi("bias", [8])], [_vi("y", [2, 3, 8])])
    path = os.path.join(d, "gelu_chain.onnx")
    onnx.save(m, path)
    r = _run([xc, "--plugins", contrib, "run", path, "--ref", "--ocl", "--per-layer"], timeout=300)
    layers = re.findall(r"^\s+\d+\s+(\w+)\s+plugin\.opencl\s.*pass$", r.stdout, re.M)
    s.check("plugins: contrib Gelu, QuickGelu, FastGelu (with and without bias) and BiasGelu run their OpenCL kernels on the "
            "engine and match the reference layer by layer (%s)" % layers,
            r.returncode == 0 and layers == ["gelu", "quick", "fast_bias", "fast", "bias_gelu"], r.stdout[-1500:] + r.stderr)
    m = _model([N("FusedMatMul", ["a", "b"], ["y"], name="fmm", domain=ms, alpha=0.5)], [_vi("a", [2, 3]), _vi("b", [3, 4])],
               [_vi("y", None)])
    path = os.path.join(d, "fused_matmul.onnx")
    onnx.save(m, path)
    r = _run([xc, "--plugins", contrib, "run", path, "--ref", "--ocl", "--fallback-cpu", "--per-layer"])
    s.check("plugins: an op without an OpenCL kernel runs on the engine with --fallback-cpu, a cpu.reference layer that passes",
            r.returncode == 0 and re.search(r"^\s+0\s+fmm\s+cpu\.reference\s.*pass$", r.stdout, re.M), r.stdout[-1500:] + r.stderr)
    r = _run([xc, "--plugins", contrib, "run", path, "--ocl"])
    s.check("plugins: without --fallback-cpu the engine refuses that op in one line",
            _one_line(r) and "--fallback-cpu" in r.stderr and "FusedMatMul" in r.stderr, r.stderr)


def _contrib_cases():
    rng = np.random.default_rng(7)
    x = lambda *shape: rng.standard_normal(shape).astype(np.float32)
    ms = "com.microsoft"
    N = helper.make_node
    return [
        ("Gelu", [N("Gelu", ["x"], ["y"], domain=ms)], {"x": x(2, 3, 8)}, 1),
        ("FastGelu with bias", [N("FastGelu", ["x", "b"], ["y"], domain=ms)], {"x": x(2, 3, 8), "b": x(8)}, 1),
        ("FastGelu without bias", [N("FastGelu", ["x"], ["y"], domain=ms)], {"x": x(4, 8)}, 1),
        ("BiasGelu", [N("BiasGelu", ["x", "b"], ["y"], domain=ms)], {"x": x(2, 3, 8), "b": x(8)}, 1),
        ("QuickGelu alpha=1.5", [N("QuickGelu", ["x"], ["y"], domain=ms, alpha=1.5)], {"x": x(2, 3, 8) * 3}, 1),
        ("QuickGelu default alpha", [N("QuickGelu", ["x"], ["y"], domain=ms)], {"x": x(2, 3, 8) * 3}, 1),
        ("SkipLayerNormalization all inputs and outputs",
         [N("SkipLayerNormalization", ["x", "s", "g", "b", "bias"], ["y", "mean", "inv", "sum"], domain=ms, epsilon=1e-5)],
         {"x": x(2, 3, 8), "s": x(2, 3, 8), "g": x(8), "b": x(8), "bias": x(8)}, 4),
        ("SkipLayerNormalization default epsilon, skip [S,H] broadcast",
         [N("SkipLayerNormalization", ["x", "s", "g"], ["y"], domain=ms)], {"x": x(2, 3, 8), "s": x(3, 8), "g": x(8)}, 1),
        ("SkipSimplifiedLayerNormalization with bias, all outputs",
         [N("SkipSimplifiedLayerNormalization", ["x", "s", "g", "bias"], ["y", "mean", "inv", "sum"], domain=ms, epsilon=1e-6)],
         {"x": x(2, 3, 8), "s": x(2, 3, 8), "g": x(8), "bias": x(8)}, 4),
        ("SkipSimplifiedLayerNormalization without bias", [N("SkipSimplifiedLayerNormalization", ["x", "s", "g"], ["y"], domain=ms)],
         {"x": x(2, 3, 8), "s": x(1, 3, 8), "g": x(8)}, 1),
        ("FusedMatMul alpha transA transB, batch broadcast",
         [N("FusedMatMul", ["a", "b"], ["y"], domain=ms, alpha=0.5, transA=1, transB=1)], {"a": x(2, 1, 5, 4), "b": x(3, 6, 5)}, 1),
        ("FusedMatMul defaults, rank 3 x rank 2", [N("FusedMatMul", ["a", "b"], ["y"], domain=ms)], {"a": x(2, 4, 5), "b": x(5, 6)}, 1),
    ]


def _contrib(s, xc, contrib, tmp):
    import onnxruntime as ort
    d = os.path.join(tmp, "plugins", "contrib")
    for k, (label, nodes, feeds, n_out) in enumerate(_contrib_cases()):
        m = _model(nodes, [_vi(n, list(v.shape)) for n, v in feeds.items()], [_vi(o, None) for o in nodes[0].output])
        cd = os.path.join(d, "case_%d" % k)
        os.makedirs(cd, exist_ok=True)
        path = os.path.join(cd, "model.onnx")
        onnx.save(m, path)
        want = ort.InferenceSession(path, providers=["CPUExecutionProvider"]).run(None, feeds)
        _save_set(os.path.join(cd, "in"), feeds)
        got, r = _ref_outputs(xc, contrib, path, os.path.join(cd, "in"), os.path.join(cd, "out"), n_out)
        ok = got is not None and all(g.shape == w.shape and np.allclose(g, w, rtol=1e-5, atol=1e-6) for g, w in zip(got, want))
        err = max(float(np.max(np.abs(g - w))) for g, w in zip(got, want)) if got and ok else None
        s.check("plugins: contrib %s agrees with ONNX Runtime (%d output%s, max abs error %s)"
                % (label, n_out, "s" if n_out > 1 else "", "%.2g" % err if err is not None else "-"), ok,
                r.stderr + (str([(g.shape, w.shape) for g, w in zip(got, want)]) if got else ""))
    r = _run([xc, "run", os.path.join(d, "case_0", "model.onnx"), "--ref"])
    s.check("plugins: without --plugins com.microsoft's Gelu stays unsupported on the reference",
            r.returncode == 2 and "Gelu" in r.stderr and "com.microsoft" in r.stderr, r.stderr)


def _bert_block(path):
    """A post-LN transformer block: self-attention, residual + LayerNormalization, an erf-GELU
    feed-forward, residual + LayerNormalization."""
    rng = np.random.default_rng(3)
    B, S, H = 2, 4, 8
    w = lambda n, shape: numpy_helper.from_array((rng.standard_normal(shape) * 0.3).astype(np.float32), n)
    c = lambda n, v: numpy_helper.from_array(np.array(v, dtype=np.float32), n)
    inits = [w("wq", [H, H]), w("wk", [H, H]), w("wv", [H, H]), c("scale", np.sqrt(H)), w("g1", [H]), w("b1", [H]),
             w("w1", [H, 2 * H]), w("bb1", [2 * H]), w("w2", [2 * H, H]), c("sqrt2", np.sqrt(2.0)), c("one", 1.0),
             c("half", 0.5), w("g2", [H]), w("b2", [H])]
    N = helper.make_node
    nodes = [N("MatMul", ["x", "wq"], ["q"]), N("MatMul", ["x", "wk"], ["k"]), N("MatMul", ["x", "wv"], ["v"]),
             N("Transpose", ["k"], ["kt"], perm=[0, 2, 1]), N("MatMul", ["q", "kt"], ["qk"]), N("Div", ["qk", "scale"], ["qks"]),
             N("Softmax", ["qks"], ["p"], axis=-1), N("MatMul", ["p", "v"], ["att"]), N("Add", ["att", "x"], ["res1"]),
             N("LayerNormalization", ["res1", "g1", "b1"], ["ln1"], axis=-1, epsilon=1e-5),
             N("MatMul", ["ln1", "w1"], ["h1"]), N("Add", ["h1", "bb1"], ["h1b"]), N("Div", ["h1b", "sqrt2"], ["gd"]),
             N("Erf", ["gd"], ["ge"]), N("Add", ["ge", "one"], ["ga"]), N("Mul", ["h1b", "ga"], ["gm"]),
             N("Mul", ["gm", "half"], ["gelu"]), N("MatMul", ["gelu", "w2"], ["h2"]), N("Add", ["h2", "ln1"], ["res2"]),
             N("LayerNormalization", ["res2", "g2", "b2"], ["y"], axis=-1, epsilon=1e-5)]
    g = helper.make_graph(nodes, "bert_block", [_vi("x", [B, S, H])], [_vi("y", [B, S, H])], initializer=inits)
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], ir_version=8), path)
    return rng.standard_normal((B, S, H)).astype(np.float32)


def _ort_optimized(s, xc, contrib, tmp):
    import onnxruntime as ort
    d = os.path.join(tmp, "plugins", "bert")
    os.makedirs(d, exist_ok=True)
    src, opt = os.path.join(d, "block.onnx"), os.path.join(d, "block_ort_opt.onnx")
    x = _bert_block(src)
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    so.optimized_model_filepath = opt
    ort.InferenceSession(src, so, providers=["CPUExecutionProvider"])
    want = ort.InferenceSession(src, providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    ops = collections.Counter(n.op_type for n in onnx.load(opt).graph.node if n.domain == "com.microsoft")
    s.check("plugins: ONNX Runtime's extended optimizer fused the block into com.microsoft ops (%s)" % dict(ops),
            {"SkipLayerNormalization", "FusedMatMul", "Gelu"} <= set(ops), str(ops))
    _save_set(os.path.join(d, "in"), {"x": x})
    got, r = _ref_outputs(xc, contrib, opt, os.path.join(d, "in"), os.path.join(d, "out"), 1)
    ok = got is not None and got[0].shape == want.shape and np.allclose(got[0], want, rtol=1e-5, atol=1e-5)
    s.check("plugins: the ORT-optimized block runs on the reference with --plugins contrib.so and agrees with ONNX Runtime "
            "on the original model (max abs error %s)" % ("%.2g" % float(np.max(np.abs(got[0] - want))) if ok else "-"),
            ok, r.stderr)


def plugins(s, xc, build, tmp):
    r = _run(["make", "-C", ROOT, "--no-print-directory", "BUILD=" + os.path.abspath(build), "plugins"], timeout=300)
    ex = os.path.join(os.path.abspath(build), "plugins", "example.so")
    contrib = os.path.join(os.path.abspath(build), "plugins", "contrib.so")
    if not s.check("plugins: make plugins builds example.so and contrib.so", r.returncode == 0 and os.path.isfile(ex)
                   and os.path.isfile(contrib), r.stdout[-1000:] + r.stderr[-1000:]):
        return
    exported = lambda f: {ln.split()[-1] for ln in _run(["nm", "-D", "--defined-only", f]).stdout.splitlines()
                          if ln.split() and ln.split()[-1].startswith("xc_")}
    api, cli = exported(os.path.join(build, "libcrosscheck.so")), exported(xc)
    s.check("plugins: the CLI exports every function libcrosscheck.so does (%d), so a plugin may call any of them (missing: %s)"
            % (len(api), sorted(api - cli)[:5]), api and api <= cli)
    sa_path = _example(s, xc, ex, tmp)
    _errors(s, xc, ex, build, tmp, sa_path)
    _contrib(s, xc, contrib, tmp)
    _ort_optimized(s, xc, contrib, tmp)
    _contrib_engine(s, xc, contrib, tmp)
