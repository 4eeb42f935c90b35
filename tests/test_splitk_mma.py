"""splitk_mma: the split-K tensor-core conv tactics (conv2d.splitk_tf32, conv2d.splitk_mma_fp16)
on PoCL with CROSSCHECK_MMA_EMULATE=1 (products in plain OpenCL C over the same local stages).
Each case forces one variant on a one-conv model whose K does not split evenly into the
variant's slices (a ragged last slice, or an empty one), and must agree with ONNX Runtime at the
layer's precision (TF32: relative error under 2e-3 and above 1e-5, so the operands really were
rounded; fp16: under 2e-2) as well as pass crosscheck's own per-layer comparison; the engine's
layer must name the forced variant, the precision and every ONNX node it covers (the bias,
residual Add and Relu fused into the conv, so conv_splitk_reduce's epilogue is what computed
them). Shapes: stride 2 with a partial position tile, a grouped conv (slices and groups share
the NDRange's third dimension), a 1x1 over 520 channels (the CONV_B_1X1 gather, an empty last
slice), and fp16 with K not a multiple of its 16-byte chunks. A second run of one case must
give bit-identical outputs (slices added in order). Where K is short, or without the emulation
(no tensor cores here), or with --no-tf32, the tactics are not offered. The GPU run itself is
bench/tf32_check.py's job."""
import json
import os
import subprocess

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def _run(cmd, env):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)


def _conv(path, x, m, k, stride=1, pad=0, group=1, residual=False, relu=False, seed=0):
    """One Conv with constant weights and bias on input X, then Add(R) and Relu where asked."""
    rng = np.random.default_rng(seed)
    c = x[1]
    w = (rng.uniform(-1, 1, (m, c // group, k, k)) / np.sqrt(k * k * c / group)).astype(np.float32)
    inits = [numpy_helper.from_array(w, "W"), numpy_helper.from_array(rng.uniform(-1, 1, m).astype(np.float32), "Bias")]
    nodes = [helper.make_node("Conv", ["X", "W", "Bias"], ["C"], name="conv", kernel_shape=[k, k], strides=[stride] * 2,
                              pads=[pad] * 4, group=group)]
    ins = [helper.make_tensor_value_info("X", TensorProto.FLOAT, x)]
    y = "C"
    if residual:
        oh = (x[2] + 2 * pad - k) // stride + 1
        ins.append(helper.make_tensor_value_info("R", TensorProto.FLOAT, [x[0], m, oh, oh]))
        nodes.append(helper.make_node("Add", ["C", "R"], ["S"], name="res"))
        y = "S"
    if relu:
        nodes.append(helper.make_node("Relu", [y], ["Y"], name="relu"))
        y = "Y"
    g = helper.make_graph(nodes, "splitk_mma", ins, [helper.make_tensor_value_info(y, TensorProto.FLOAT, None)],
                          initializer=inits)
    mdl = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    mdl.ir_version = 8
    onnx.save(mdl, path)
    return [n.name for n in nodes]


# name, input shape, output channels, window, stride, pad, group, residual + relu, extra options, variant, precision
CASES = [
    # K = 576 in 8 slices of 80 (5 tiles), the last 16; 25 positions (one partial tile); fused epilogue
    ("s2_res_relu", [1, 64, 9, 9], 32, 3, 2, 1, 1, True, [], "conv2d.splitk_tf32.64x64x16.2x2.s8", "tf32"),
    # 2 groups of K = 576 in 4 slices of 144; 32 channels a group in a 128-row tile
    ("grouped", [1, 128, 6, 6], 64, 3, 1, 1, 2, False, [], "conv2d.splitk_tf32.128x64x16.2x2.s4", "tf32"),
    # 1x1 over 520 channels in 8 slices of 80: slice 6 ends on a partial tile, slice 7 is empty
    ("1x1_c520", [2, 520, 3, 5], 48, 1, 1, 0, 1, False, [], "conv2d.splitk_tf32.64x64x16.2x2.s8", "tf32"),
    # fp16: K = 1062 (no multiple of 8: unaligned chunks) in 4 slices of 288, the last 198
    ("fp16_res_relu", [1, 118, 7, 7], 40, 3, 1, 1, 1, True, ["--fp16"], "conv2d.splitk_mma_fp16.64x64x32.2x2.s4", "fp16"),
]


def _ocl_output(folder):
    idx = json.load(open(os.path.join(folder, "index.json")))
    f = next(e["file"] for e in idx["tensors"] if e["runner"].startswith("ocl") and e["role"] == "output")
    return numpy_helper.to_array(onnx.load_tensor(os.path.join(folder, f))).astype(np.float64)


def _inputs(folder):
    idx = json.load(open(os.path.join(folder, "index.json")))
    return {e["tensor"]: numpy_helper.to_array(onnx.load_tensor(os.path.join(folder, e["file"])))
            for e in idx["tensors"] if e["runner"] == "ref" and e["role"] == "input"}


def splitk_mma(s, xc, build, tmp):
    import onnxruntime as ort
    d = os.path.join(tmp, "splitk_mma")
    os.makedirs(d, exist_ok=True)
    env = dict(os.environ, CROSSCHECK_MMA_EMULATE="1")
    env.setdefault("CROSSCHECK_CACHE_DIR", os.path.join(build, "cl-cache"))
    for name, x, m, k, stride, pad, group, fused, extra, variant, prec in CASES:
        model = os.path.join(d, name + ".onnx")
        nodes = _conv(model, x, m, k, stride, pad, group, fused, fused)
        j, out = os.path.join(d, name + ".json"), os.path.join(d, name + "_out")
        cmd = [xc, "run", model, "--ref", "--ocl", "--per-layer", "--json", j, "--builder-optimization-level", "3",
               "--tactics", variant, "--save-outputs", out, "--val-range", "[-1,1]"] + extra
        r = _run(cmd, env)
        rows = json.load(open(j))["per_layer"]["layers"] if r.returncode == 0 else []
        row = rows[0] if len(rows) == 1 else {}
        s.check("splitk_mma: %s (%s) emulated passes crosscheck's comparison; one layer covering %s runs it at %s" %
                (variant, name, "+".join(nodes), prec),
                r.returncode == 0 and row.get("tactic") == variant and row.get("precision") == prec
                and sorted(row.get("nodes", [])) == sorted(nodes), r.stdout[-1200:] + r.stderr[-400:] + str(rows)[:400])
        if r.returncode not in (0, 1):  # 1: the comparison failed, the outputs are saved
            continue
        feeds = _inputs(out)
        want = ort.InferenceSession(model, providers=["CPUExecutionProvider"]).run(None, feeds)[0].astype(np.float64)
        got = _ocl_output(out)
        rel = float(np.linalg.norm(got - want) / np.linalg.norm(want)) if got.shape == want.shape else float("inf")
        ok = rel < 2e-3 and rel > 1e-5 if prec == "tf32" else rel < 2e-2
        s.check("splitk_mma: %s (%s) against ONNX Runtime: relative error %.3g within %s's range" % (variant, name, rel, prec),
                ok, "shapes %s %s" % (got.shape, want.shape))
        if name != "grouped" or r.returncode != 0:
            continue
        out2 = out + "2"
        r2 = _run(cmd[:cmd.index("--save-outputs") + 1] + [out2] + cmd[cmd.index("--save-outputs") + 2:], env)
        s.check("splitk_mma: %s gives bit-identical outputs on a second run (slices added in order)" % variant,
                r2.returncode == 0 and np.array_equal(got, _ocl_output(out2)), r2.stderr[-400:])

    # not offered: K = 144 leaves 8 slices under 4 tiles each; no tensor cores without the
    # emulation; --no-tf32
    short = os.path.join(d, "short.onnx")
    _conv(short, [1, 16, 8, 8], 32, 3, 1, 1)
    deep = os.path.join(d, "s2_res_relu.onnx")
    for label, model, e, extra in (("K = 144", short, env, []), ("no tensor cores (no emulation)", deep, dict(os.environ), []),
                                   ("--no-tf32", deep, env, ["--no-tf32"])):
        r = _run([xc, "run", model, "--ocl", "--builder-optimization-level", "3", "--tactics", "conv2d.splitk_tf32*"] + extra, e)
        s.check("splitk_mma: conv2d.splitk_tf32 is not offered (%s)" % label,
                r.returncode == 2 and "matches no tactic" in r.stderr, r.stdout[-400:] + r.stderr[-400:])
