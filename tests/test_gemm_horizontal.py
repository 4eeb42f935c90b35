"""gemm_horizontal: the pass that stacks MatMuls reading the same A with their own constant
weights (a transformer's Q, K and V projections) into one product whose output planes are the
three tensors. On an attention block as BERT exports it (MatMul + bias, Reshape, Transpose into
scaled dot-product attention) the engine must show one gemm layer covering the three
projections and their biases, with the nameless planes buffer then q_out, k_out, v_out as its
outputs. Each of Q, K and V (kept with --outputs) must equal X @ W + b computed here in float64
(an independent judge) and the block's output must agree with ONNX Runtime: in fp32, --fp16, the
isolated per-layer mode, and on the tensor-core tactics' epilogues under
CROSSCHECK_MMA_EMULATE=1 (cp.async, wgmma, wgmma split-K's reduce, fp16 wgmma). Not stacked: a
projection with another activation, whose output is a graph output, of another width, with a
weight that is an input, named by --layer-precision; --queues 2 (no slices there); --disable-fusion
gemm_horizontal. A plan refit with other weights stacks those. Three ONNX Gemms (Linear layers
on 2-D inputs: transB 1 or 0, C the bias row, alpha, beta) stack likewise, each part against
float64 and the output against ONNX Runtime; one of another alpha does not, nor Gemms whose C is
a column. `debug fusions` with a fault planted in the pass's group
names the pass."""
import json
import os
import re
import subprocess

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from test_wgmma import _saved  # a --save-outputs folder's tensors of one runner and role

B, S, H, D = 2, 16, 4, 64
E = H * D  # K = 256: long enough for split-K
PARTS = ["q", "q_bias", "k", "k_bias", "v", "v_bias"]


def _run(cmd, env=None):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)


def _model(path, relu_k=False, q_output=False, v_width=None, w_input=False, seed=0, size=(B, S, H, D)):
    """BERT's self-attention: Q, K, V = X @ W + b, split into heads, softmax(Q K^T / sqrt(D)) V.
    size: batch, sequence, heads, head size (bench/device_run.sh writes BERT-base's this way)."""
    B, S, H, D = size
    E = H * D
    v_width = v_width or E
    rng = np.random.default_rng(seed)
    ins = [helper.make_tensor_value_info("X", TensorProto.FLOAT, [B, S, E])]
    inits, nodes, weights = [], [], {}
    for p in "qkv":
        n = v_width if p == "v" else E
        weights[p] = ((rng.uniform(-1, 1, (E, n)) / np.sqrt(E)).astype(np.float32), rng.uniform(-1, 1, n).astype(np.float32))
        if w_input and p == "k":
            ins.append(helper.make_tensor_value_info("Wk", TensorProto.FLOAT, [E, n]))
        else:
            inits.append(numpy_helper.from_array(weights[p][0], "W" + p))
        inits.append(numpy_helper.from_array(weights[p][1], "b" + p))
        nodes.append(helper.make_node("MatMul", ["X", "W" + p], [p + "_mm"], name=p))
        nodes.append(helper.make_node("Add", [p + "_mm", "b" + p], [p + "_out"], name=p + "_bias"))
        src = p + "_out"
        if relu_k and p == "k":
            nodes.append(helper.make_node("Relu", [src], ["k_relu"], name="k_relu"))
            src = "k_relu"
        nodes.append(helper.make_node("Reshape", [src, "heads_" + p], [p + "_r"], name=p + "_split"))
        nodes.append(helper.make_node("Transpose", [p + "_r"], [p + "_t"], name=p + "_heads",
                                      perm=[0, 2, 3, 1] if p == "k" else [0, 2, 1, 3]))
        inits.append(numpy_helper.from_array(np.array([B, S, H, n // H], np.int64), "heads_" + p))
    inits.append(numpy_helper.from_array(np.array([np.sqrt(D)], np.float32), "scale"))
    inits.append(numpy_helper.from_array(np.array([B, S, v_width], np.int64), "merge"))
    nodes += [helper.make_node("MatMul", ["q_t", "k_t"], ["s"], name="scores"),
              helper.make_node("Div", ["s", "scale"], ["ss"], name="scale"),
              helper.make_node("Softmax", ["ss"], ["p"], name="softmax", axis=-1),
              helper.make_node("MatMul", ["p", "v_t"], ["ctx"], name="context"),
              helper.make_node("Transpose", ["ctx"], ["ctx_t"], name="merge_heads", perm=[0, 2, 1, 3]),
              helper.make_node("Reshape", ["ctx_t", "merge"], ["Y"], name="merge")]
    outs = [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)]
    if q_output:
        outs.append(helper.make_tensor_value_info("q_out", TensorProto.FLOAT, None))
    g = helper.make_graph(nodes, "gemm_horizontal", ins, outs, initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.save(m, path)
    return weights


def _gemm_model(path, trans_b, alphas=(0.7, 0.7, 0.7), m=64, k=96, n=40, c_column=False):
    """Three ONNX Gemms of one X (Linear layers on 2-D inputs as PyTorch exports them: transB,
    C the bias row; c_column: C [m, 1], one value a row), alpha as given, beta 0.5, their outputs
    combined by Add and Mul."""
    rng = np.random.default_rng(1)
    inits, nodes, parts = [], [], {}
    for p, alpha in zip("abc", alphas):
        w = (rng.uniform(-1, 1, (n, k) if trans_b else (k, n)) / np.sqrt(k)).astype(np.float32)
        c = rng.uniform(-1, 1, (m, 1) if c_column else n).astype(np.float32)
        parts[p] = (w.T if trans_b else w, c, alpha)
        inits += [numpy_helper.from_array(w, "W" + p), numpy_helper.from_array(c, "C" + p)]
        nodes.append(helper.make_node("Gemm", ["X", "W" + p, "C" + p], [p], name="fc_" + p, transB=trans_b, alpha=alpha,
                                      beta=0.5))
    nodes += [helper.make_node("Add", ["a", "b"], ["ab"], name="add"), helper.make_node("Mul", ["ab", "c"], ["Y"], name="mul")]
    g = helper.make_graph(nodes, "gemm_linear", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [m, k])],
                          [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)], initializer=inits)
    mo = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    mo.ir_version = 8
    onnx.save(mo, path)
    return parts


def _layers(xc, model, plan, extra=(), env=None):
    r = _run([xc, "build", model, "-o", plan] + list(extra), env)
    return [(lay["nodes"], lay["outputs"]) for lay in json.load(open(plan))["layers"]] if r.returncode == 0 else r.stderr


def _stacked(layers, parts):
    return isinstance(layers, list) and any(nodes == parts for nodes, _ in layers)


def gemm_horizontal(s, xc, build, tmp):
    import onnxruntime as ort
    d = os.path.join(tmp, "gemm_horizontal")
    os.makedirs(d, exist_ok=True)
    model = os.path.join(d, "attention.onnx")
    weights = _model(model)
    layers = _layers(xc, model, os.path.join(d, "a.plan"))
    s.check("gemm_horizontal: one gemm layer covers the Q, K and V projections, outputs the planes then q_out, k_out, v_out",
            isinstance(layers, list) and (PARTS, ["", "q_out", "k_out", "v_out"]) in layers, str(layers))
    r = _run([xc, "inspect", "engine", model])
    plane = B * S * E
    s.check("gemm_horizontal: inspect engine shows q_out, k_out, v_out as slices of the planes tensor at 0, 1 and 2 planes",
            all(re.search(r"out +%s_out .* slice of (#\d+) at element %d$" % (p, i * plane), r.stdout, re.M) for i, p in enumerate("qkv"))
            and len(set(re.findall(r"slice of (#\d+) at", r.stdout))) == 1, r.stdout[-2000:] + r.stderr[-400:])
    emu = dict(os.environ, CROSSCHECK_MMA_EMULATE="1")
    emu.setdefault("CROSSCHECK_CACHE_DIR", os.path.join(build, "cl-cache"))
    want_y = None
    for label, extra, env, rel_max in (
            ("fp32", [], None, 1e-5), ("--fp16", ["--fp16"], None, 4e-3),
            ("fp32 isolated per-layer", ["--per-layer=isolated"], None, 1e-5),
            ("tf32 cp.async (emulated)", ["--tactics", "gemm.tf32_async.64x64*"], emu, 2e-3),
            ("tf32 wgmma (emulated)", ["--tactics", "gemm.tf32_wgmma.128x64x16.s8"], emu, 2e-3),
            ("tf32 wgmma split-K reduce (emulated)", ["--tactics", "gemm.tf32_wgmma_splitk.128x128x16.s3.la.k2"], emu, 2e-3),
            ("fp16 wgmma (emulated)", ["--fp16", "--tactics", "gemm.mma_fp16_wgmma.128x64x32.s4.la"], emu, 4e-3)):
        out = os.path.join(d, "out_%d" % len(label))
        per_layer = [] if "isolated" in label else ["--per-layer"]
        r = _run([xc, "run", model, "--ref", "--ocl", "--save-outputs", out, "--outputs", "q_out", "k_out", "v_out",
                  "--builder-optimization-level", "3",
                  "--val-range", "[-1,1]"] + per_layer + extra, env)
        rel = {}
        if r.returncode == 0:
            x = _saved(out, "ref", "input")
            if want_y is None:
                want_y = ort.InferenceSession(model, providers=["CPUExecutionProvider"]).run(None, x)[0]
            got = _saved(out, "ocl", "output")
            got.update(_saved(out, "ocl", "layer"))
            for name, want in [("Y", want_y)] + [(p + "_out", x["X"].astype(np.float64) @ w + b) for p, (w, b) in weights.items()]:
                g = got.get(name)
                rel[name] = float(np.linalg.norm(g.astype(np.float64) - want) / np.linalg.norm(want)) \
                    if g is not None and g.shape == want.shape else float("inf")
        worst = max(rel.values()) if rel else float("inf")
        s.check("gemm_horizontal: %s passes crosscheck's comparison; Q, K, V against float64 and Y against ONNX Runtime "
                "(worst relative error %.3g)" % (label, worst), r.returncode == 0 and len(rel) == 4 and worst < rel_max,
                str(rel) + r.stdout[-1200:] + r.stderr[-400:])
    other = os.path.join(d, "attention_w5.onnx")
    _model(other, seed=5)
    refit = os.path.join(d, "refit.plan")
    r = _run([xc, "refit", os.path.join(d, "a.plan"), "--weights", other, "-o", refit])
    r2 = _run([xc, "run", other, "--ref", "--ocl", "--plan", refit, "--per-layer", "--val-range", "[-1,1]"]) if r.returncode == 0 else r
    s.check("gemm_horizontal: a refit plan stacks the new weights (its run passes against the new model's reference)",
            r2.returncode == 0 and "PASSED" in r2.stdout, r.stderr[-400:] + r2.stdout[-800:] + r2.stderr[-400:])
    layers = _layers(xc, model, os.path.join(d, "b.plan"), ["--disable-fusion", "gemm_horizontal"])
    s.check("gemm_horizontal: --disable-fusion gemm_horizontal keeps three products",
            isinstance(layers, list) and all(([p, p + "_bias"], [p + "_out"]) in layers for p in "qkv"), str(layers))
    layers = _layers(xc, model, os.path.join(d, "c.plan"), ["--queues", "2"])
    s.check("gemm_horizontal: not stacked with --queues 2 (the engine makes no slices there)",
            isinstance(layers, list) and ([ "q", "q_bias"], ["q_out"]) in layers, str(layers))
    layers = _layers(xc, model, os.path.join(d, "p.plan"), ["--fp16", "--layer-precision", "k:fp16"])
    s.check("gemm_horizontal: a projection --layer-precision names stays its own layer (the other two stack)",
            _stacked(layers, ["q", "q_bias", "v", "v_bias"]) and (["k", "k_bias"], ["k_out"]) in layers, str(layers))
    for label, kw, parts in (("another activation on K", {"relu_k": True}, ["q", "q_bias", "v", "v_bias"]),
                             ("Q a graph output", {"q_output": True}, ["k", "k_bias", "v", "v_bias"]),
                             ("V of another width", {"v_width": 2 * E}, ["q", "q_bias", "k", "k_bias"]),
                             ("K's weight an input", {"w_input": True}, ["q", "q_bias", "v", "v_bias"])):
        path = os.path.join(d, "no_%d.onnx" % len(label))
        _model(path, **kw)
        layers = _layers(xc, path, path + ".plan")
        s.check("gemm_horizontal: with %s only the other two stack" % label,
                _stacked(layers, parts) and not _stacked(layers, PARTS), str(layers))
    for trans_b, extra, env, rel_max in ((1, [], None, 1e-5), (0, [], None, 1e-5),
                                         (1, ["--tactics", "gemm.tf32_async.64x64*"], emu, 2e-3)):
        path = os.path.join(d, "linear_%d.onnx" % trans_b)
        parts = _gemm_model(path, trans_b)
        layers = _layers(xc, path, path + ".plan", ["--builder-optimization-level", "3"] + extra, env)
        out = os.path.join(d, "linear_out_%d_%d" % (trans_b, len(extra)))
        r = _run([xc, "run", path, "--ref", "--ocl", "--per-layer", "--save-outputs", out, "--outputs", "a", "b", "c",
                  "--builder-optimization-level", "3", "--val-range", "[-1,1]"] + extra, env)
        rel = {}
        if r.returncode == 0:
            x = _saved(out, "ref", "input")
            got = _saved(out, "ocl", "output")
            got.update(_saved(out, "ocl", "layer"))
            want = {"Y": ort.InferenceSession(path, providers=["CPUExecutionProvider"]).run(None, x)[0]}
            want.update({p: alpha * (x["X"].astype(np.float64) @ w) + 0.5 * c for p, (w, c, alpha) in parts.items()})
            rel = {t: float(np.linalg.norm(got[t].astype(np.float64) - v) / np.linalg.norm(v)) if t in got else float("inf")
                   for t, v in want.items()}
        worst = max(rel.values()) if rel else float("inf")
        s.check("gemm_horizontal: three Gemms (transB=%d, C, alpha 0.7, beta 0.5%s) stack into one layer; each part against "
                "float64, the output against ONNX Runtime (worst relative error %.3g)" %
                (trans_b, ", " + extra[-1] + " emulated" if extra else "", worst),
                isinstance(layers, list) and (["fc_a", "fc_b", "fc_c"], ["", "a", "b", "c"]) in layers
                and r.returncode == 0 and len(rel) == 4 and worst < rel_max, str(layers) + str(rel) + r.stdout[-800:] + r.stderr[-400:])
    path = os.path.join(d, "linear_alpha.onnx")
    _gemm_model(path, 1, alphas=(0.7, 0.5, 0.7))
    layers = _layers(xc, path, path + ".plan")
    s.check("gemm_horizontal: Gemms of another alpha do not stack with it (the other two do)",
            _stacked(layers, ["fc_a", "fc_c"]) and (["fc_b"], ["b"]) in layers, str(layers))
    path = os.path.join(d, "linear_column.onnx")
    _gemm_model(path, 1, m=40, n=40, c_column=True)  # C [40, 1] has a row's 40 values: still no row
    layers = _layers(xc, path, path + ".plan")
    r = _run([xc, "run", path, "--ref", "--ocl", "--val-range", "[-1,1]"])
    s.check("gemm_horizontal: Gemms whose C is a column (as many values as a row) stay apart and pass",
            isinstance(layers, list) and all(([n], [n[-1]]) in layers for n in ("fc_a", "fc_b", "fc_c")) and r.returncode == 0,
            str(layers) + r.stdout[-600:] + r.stderr[-300:])
    r = _run([xc, "debug", "fusions", model, "--inject-fault", "fusion=gemm_horizontal:element"])
    s.check("gemm_horizontal: debug fusions names the stacked group of a planted fault and the pass alone",
            "fused group 'q + q_bias + k + k_bias + v + v_bias'" in r.stdout
            and "--disable-fusion gemm_horizontal alone fixes it" in r.stdout, r.stdout[-1500:] + r.stderr[-400:])
