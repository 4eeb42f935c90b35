"""gemm_residual: the pass that fuses a MatMul's residual Add (after its bias) into the product's
epilogue as Gemm's C, as transformer blocks end their output projections. On a batched linear
layer (A [2, 64, 48], the batch folded into one product) the engine must show one gemm layer
covering MatMul + bias Add + residual Add, agree with the reference (crosscheck's comparison,
fp32 and --fp16) and with ONNX Runtime, also on the tensor-core tactics' epilogues under
CROSSCHECK_MMA_EMULATE=1 (the cp.async kernel and the wgmma split-K reduce); `--disable-fusion
gemm_residual` leaves the Add a layer of its own with the same answer. Not fused: a residual
broadcast over the batch (not the output's shape), a product of two batched inputs (no single
C), an activation between the product and the Add. `debug fusions` with a fault planted in the
pass's groups names the group and its passes, and gemm_residual as the pass-level fix
(switching gemm_bias_act off fixes it too, but unfuses more)."""
import json
import os
import re
import subprocess

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from test_wgmma import _saved  # a --save-outputs folder's tensors of one runner and role


def _run(cmd, env=None):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)


def _model(path, a, n, r_shape, relu=False, b_input=False, seed=0):
    """Y = (A @ B + bias [-> Relu]) + R."""
    rng = np.random.default_rng(seed)
    k = a[-1]
    ins = [helper.make_tensor_value_info("A", TensorProto.FLOAT, a),
           helper.make_tensor_value_info("R", TensorProto.FLOAT, r_shape)]
    inits = [numpy_helper.from_array(rng.uniform(-1, 1, n).astype(np.float32), "bias")]
    if b_input:
        ins.append(helper.make_tensor_value_info("B", TensorProto.FLOAT, a[:-2] + [k, n]))
    else:
        inits.append(numpy_helper.from_array((rng.uniform(-1, 1, (k, n)) / np.sqrt(k)).astype(np.float32), "B"))
    nodes = [helper.make_node("MatMul", ["A", "B"], ["P"], name="proj"),
             helper.make_node("Add", ["P", "bias"], ["Q"], name="proj_bias")]
    q = "Q"
    if relu:
        nodes.append(helper.make_node("Relu", ["Q"], ["Qr"], name="relu"))
        q = "Qr"
    nodes.append(helper.make_node("Add", [q, "R"], ["Y"], name="residual"))
    g = helper.make_graph(nodes, "gemm_residual", ins, [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)],
                          initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.save(m, path)


def _layers(xc, model, plan, extra=(), env=None):
    r = _run([xc, "build", model, "-o", plan] + list(extra), env)
    return [lay["nodes"] for lay in json.load(open(plan))["layers"]] if r.returncode == 0 else r.stderr


def gemm_residual(s, xc, build, tmp):
    import onnxruntime as ort
    d = os.path.join(tmp, "gemm_residual")
    os.makedirs(d, exist_ok=True)
    model = os.path.join(d, "linear.onnx")
    _model(model, [2, 64, 320], 32, [2, 64, 32])  # K = 320: long enough for split-K
    fused = ["proj", "proj_bias", "residual"]
    layers = _layers(xc, model, os.path.join(d, "a.plan"))
    s.check("gemm_residual: one gemm layer covers MatMul + bias + residual Add", layers == [fused], str(layers))
    emu = dict(os.environ, CROSSCHECK_MMA_EMULATE="1")
    emu.setdefault("CROSSCHECK_CACHE_DIR", os.path.join(build, "cl-cache"))
    want = None
    for label, extra, env, rel_max in (
            ("fp32", [], None, 1e-5), ("--fp16", ["--fp16"], None, 4e-3),
            ("tf32 cp.async (emulated)", ["--tactics", "gemm.tf32_async.64x64*"], emu, 2e-3),
            ("tf32 wgmma split-K reduce (emulated)", ["--tactics", "gemm.tf32_wgmma_splitk.128x128x16.s3.la.k2"], emu, 2e-3),
            ("--disable-fusion gemm_residual", ["--disable-fusion", "gemm_residual"], None, 1e-5)):
        out = os.path.join(d, "out_%d" % len(label))
        r = _run([xc, "run", model, "--ref", "--ocl", "--per-layer", "--save-outputs", out, "--builder-optimization-level", "3",
                  "--val-range", "[-1,1]"] + extra, env)
        ok = r.returncode == 0
        rel = float("inf")
        if ok:
            if want is None:
                want = ort.InferenceSession(model, providers=["CPUExecutionProvider"]).run(None, _saved(out, "ref", "input"))[0]
            got = next(iter(_saved(out, "ocl", "output").values())).astype(np.float64)
            rel = float(np.linalg.norm(got - want) / np.linalg.norm(want))
        s.check("gemm_residual: %s passes crosscheck's comparison and agrees with ONNX Runtime (relative error %.3g)" %
                (label, rel), ok and rel < rel_max, r.stdout[-1200:] + r.stderr[-400:])
    layers = _layers(xc, model, os.path.join(d, "b.plan"), ["--disable-fusion", "gemm_residual"])
    s.check("gemm_residual: --disable-fusion gemm_residual keeps the Add a layer of its own",
            layers == [["proj", "proj_bias"], ["residual"]], str(layers))
    for label, kw in (("a residual broadcast over the batch", {"r_shape": [64, 32]}),
                      ("two batched inputs", {"r_shape": [2, 64, 32], "b_input": True}),
                      ("an activation between", {"r_shape": [2, 64, 32], "relu": True})):
        path = os.path.join(d, "no_%d.onnx" % len(label))
        _model(path, [2, 64, 48], 32, **kw)
        layers = _layers(xc, path, path + ".plan")
        s.check("gemm_residual: not fused with %s" % label,
                isinstance(layers, list) and ["residual"] in layers and not any("residual" in x and len(x) > 1 for x in layers),
                str(layers))
    r = _run([xc, "debug", "fusions", model, "--inject-fault", "fusion=gemm_residual:element"])
    s.check("gemm_residual: debug fusions names the fused group of a planted fault, its passes, and gemm_residual as the "
            "narrowest pass-level fix", "fused group 'proj + proj_bias + residual'" in r.stdout
            and "pass gemm_bias_act+gemm_residual) is wrong" in r.stdout
            and "pass level: --disable-fusion gemm_residual alone fixes it" in r.stdout,
            r.stdout[-1500:] + r.stderr[-400:])
    m = re.search(r"verdict \((\d+) checks over (\d+) candidates; bound for one culprit 2\*ceil\(log2 N\)\+4 plus (\d+) "
                  r"pass-level = (\d+)\)", r.stdout)
    s.check("gemm_residual: debug fusions' bound counts its pass-level checks and holds (checks <= bound)",
            m is not None and int(m.group(3)) >= 2 and int(m.group(1)) <= int(m.group(4)), r.stdout[-800:])
