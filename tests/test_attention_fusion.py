"""Section `attention_fusion` (issue 15): the attention pass on a small 2-layer BERT-like encoder
built here with onnx.helper (Q/K/V projections, heads split by Reshape + Transpose, K as Kt in
layer 0 the way Hugging Face exports write it and as a Transpose of the last two axes in layer 1,
Div and Mul scales, a padding mask from a graph input, output projection, residual, LayerNorm).
Both attention blocks must become one `attention` layer each in `inspect engine`; the engine must
agree with the reference (fp32 and fp16 storage) and with ONNX Runtime; `run --per-layer` names
the fused layers; `--disable-fusion attention` gives the unfused engine (Softmax layers back);
`debug fusions` finds a fault planted in the fusion and names the pass. Near misses (Softmax
over another axis, the probabilities also a graph output, a mask that widens the scores) stay
unfused. The OpenCL case families (tests/ocl_cases/attention.py) cover the layer's shapes."""
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

S, HID, HEADS = 16, 16, 2
HD = HID // HEADS
# the mask input near 1 gives biases in [-5, 0]: keys weigh in unevenly, none dominates
TOL = ["--rtol", "1e-3", "--atol", "1e-4", "--val-range", "mask:[0.9995,1]"]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _run(cmd, env=None):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    except subprocess.TimeoutExpired as e:
        return subprocess.CompletedProcess(cmd, "timeout", e.stdout or "", "timed out")


class _Graph:
    def __init__(self, seed):
        self.nodes, self.inits, self.r = [], [], np.random.default_rng(seed)

    def node(self, op, ins, out, **attrs):
        self.nodes.append(helper.make_node(op, ins, [out], name=out, **attrs))
        return out

    def const(self, name, value):
        self.inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def weight(self, name, *shape):
        return self.const(name, (self.r.standard_normal(shape) / np.sqrt(shape[0])).astype(np.float32))


def bert_like():
    g = _Graph(15)
    split = g.const("split_shape", np.array([1, S, HEADS, HD], np.int64))
    merge = g.const("merge_shape", np.array([1, S, HID], np.int64))
    # the padding mask as BERT builds it: (1 - mask) * -10000, broadcast over heads and queries
    keep = g.node("Sub", [g.const("one", np.array(1, np.float32)), "mask"], "mask_inv")
    g.node("Mul", [keep, g.const("neg", np.array(-10000, np.float32))], "mask_bias")
    x = "x"
    for i in range(2):
        p = "l%d_" % i

        def linear(h, n):
            return g.node("Add", [g.node("MatMul", [h, g.weight(p + n + ".w", HID, HID)], p + n), g.weight(p + n + ".b", HID)], p + n + "_b")

        def heads(t, n, perm):
            return g.node("Transpose", [g.node("Reshape", [t, split], p + n + "_split")], p + n + "_heads", perm=perm)

        q = heads(linear(x, "q"), "q", [0, 2, 1, 3])
        v = heads(linear(x, "v"), "v", [0, 2, 1, 3])
        if i == 0:  # Kt straight from the head split, scores / sqrt(d), mask + scores
            kt = heads(linear(x, "k"), "k", [0, 2, 3, 1])
            sc = g.node("Div", [g.node("MatMul", [q, kt], p + "scores"), g.const(p + "c", np.array(np.sqrt(HD), np.float32))], p + "scaled")
            sc = g.node("Add", ["mask_bias", sc], p + "masked")
        else:  # K as rows, transposed in the pattern, scores * 1/sqrt(d), scores + mask
            k = heads(linear(x, "k"), "k", [0, 2, 1, 3])
            kt = g.node("Transpose", [k], p + "kt", perm=[0, 1, 3, 2])
            sc = g.node("Mul", [g.node("MatMul", [q, kt], p + "scores"), g.const(p + "c", np.array(1 / np.sqrt(HD), np.float32))], p + "scaled")
            sc = g.node("Add", [sc, "mask_bias"], p + "masked")
        ctx = g.node("MatMul", [g.node("Softmax", [sc], p + "probs", axis=-1), v], p + "context")
        ctx = g.node("Reshape", [g.node("Transpose", [ctx], p + "merge", perm=[0, 2, 1, 3]), merge], p + "merged")
        res = g.node("Add", [x, linear(ctx, "out")], p + "res")
        x = g.node("LayerNormalization", [res, g.const(p + "ln.g", np.ones(HID, np.float32)), g.const(p + "ln.b", np.zeros(HID, np.float32))],
                   p + "ln", axis=-1, epsilon=1e-5)
    graph = helper.make_graph(g.nodes, "bert_like",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, S, HID]),
                               helper.make_tensor_value_info("mask", TensorProto.FLOAT, [1, 1, 1, S])],
                              [helper.make_tensor_value_info(x, TensorProto.FLOAT, [1, S, HID])], initializer=g.inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


def near_misses():
    """Three attention-like chains that must not fuse, side by side in one model."""
    g = _Graph(16)
    c = g.const("c", np.array(1 / np.sqrt(HD), np.float32))
    outs = []
    for tag, axis, leak, mask_shape in (("axis", 2, False, None), ("leak", -1, True, None), ("wide", -1, False, [1, 2, S, S])):
        sc = g.node("Mul", [g.node("MatMul", ["q", "kt"], tag + "_scores"), c], tag + "_scaled")
        if mask_shape:
            sc = g.node("Add", [sc, g.weight(tag + "_mask", *mask_shape)], tag + "_masked")
        probs = g.node("Softmax", [sc], tag + "_probs", axis=axis)
        outs.append(g.node("MatMul", [probs, "v"], tag + "_y"))
        if leak:
            outs.append(probs)
    info = [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in outs]
    graph = helper.make_graph(g.nodes, "near_misses",
                              [helper.make_tensor_value_info("q", TensorProto.FLOAT, [1, 1, S, HD]),
                               helper.make_tensor_value_info("kt", TensorProto.FLOAT, [1, 1, HD, S]),
                               helper.make_tensor_value_info("v", TensorProto.FLOAT, [1, 1, S, HD])], info, initializer=g.inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


def _attention_layers(text):
    return [line for line in text.splitlines() if line.strip().startswith("attention ") and "tactic attention.flash" in line]


def attention_fusion(s, xc, build, tmp):
    d = os.path.join(tmp, "attention_fusion")
    os.makedirs(d, exist_ok=True)
    bert, near = os.path.join(d, "bert_like.onnx"), os.path.join(d, "near_misses.onnx")
    onnx.save(bert_like(), bert)
    onnx.save(near_misses(), near)

    r = _run([xc, "inspect", "engine", bert])
    layers = _attention_layers(r.stdout)
    s.check("attention: both attention blocks of the BERT-like model are one attention layer each",
            r.returncode == 0 and len(layers) == 2 and all("fusion attention" in L for L in layers) and " softmax " not in r.stdout
            and "l0_scores + l0_scaled + l0_masked + l0_probs + l0_context" in r.stdout
            and "l1_kt + l1_scores + l1_scaled + l1_masked + l1_probs + l1_context" in r.stdout, r.stdout[-3000:] + r.stderr[-800:])
    r = _run([xc, "run", bert, "--ref", "--ocl", "--per-layer", "--timing-iterations", "1"] + TOL)
    rows = [L for L in r.stdout.splitlines() if "attention.flash" in L and L.rstrip().endswith("pass")]
    s.check("attention: the fused engine agrees with the reference, and --per-layer compares each attention layer",
            r.returncode == 0 and len(rows) == 2, r.stdout[-3000:] + r.stderr[-800:])
    r = _run([xc, "run", bert, "--ref", "--ocl", "--per-layer=isolated", "--timing-iterations", "1"] + TOL)
    rows = [L for L in r.stdout.splitlines() if "attention.flash" in L and L.rstrip().endswith("pass") and " 0  pass" not in L]
    s.check("attention: isolated per-layer mode feeds each attention layer the reference's Q, K, V and mask",
            r.returncode == 0 and len(rows) == 2, r.stdout[-3000:] + r.stderr[-800:])
    # (default inputs: half storage cannot hold a mask near 1 finely enough to give those biases)
    r = _run([xc, "run", bert, "--ref", "--ocl", "--fp16", "--timing-iterations", "1", "--rtol", "2e-2", "--atol", "2e-2"])
    s.check("attention: the fp16-storage engine agrees with the reference", r.returncode == 0, r.stdout[-2000:] + r.stderr[-800:])
    ort = "ort=%s %s {model} {inputs} {outputs}" % (sys.executable, os.path.join(ROOT, "tools", "onnxruntime_runner.py"))
    r = _run([xc, "run", bert, "--ocl", "--exec-runner", ort, "--compare-to", "ort", "--timing-iterations", "1"] + TOL)
    s.check("attention: the fused engine agrees with ONNX Runtime", r.returncode == 0, r.stdout[-2000:] + r.stderr[-800:])

    r = _run([xc, "inspect", "engine", bert, "--disable-fusion", "attention"])
    s.check("attention: --disable-fusion attention gives the unfused engine (Softmax layers, no attention layer)",
            r.returncode == 0 and not _attention_layers(r.stdout) and r.stdout.count(" softmax ") == 2, r.stdout[-3000:] + r.stderr[-800:])
    r = _run([xc, "run", bert, "--ref", "--ocl", "--disable-fusion", "attention", "--timing-iterations", "1"] + TOL)
    s.check("attention: the unfused engine agrees with the reference too", r.returncode == 0, r.stdout[-2000:] + r.stderr[-800:])

    r = _run([xc, "debug", "fusions", bert, "--inject-fault", "fusion=attention:element", "--artifacts-dir", os.path.join(d, "art")] + TOL[:4])
    s.check("attention: debug fusions finds both attention groups and names the pass",
            r.returncode == 0 and r.stdout.count("pass attention) is wrong; unfused it is right") == 2 and "--disable-fusion attention alone fixes it" in r.stdout,
            r.stdout[-3000:] + r.stderr[-800:])

    r = _run([xc, "inspect", "engine", near])
    s.check("attention: near misses (Softmax over another axis, probabilities read elsewhere, a widening mask) stay unfused",
            r.returncode == 0 and not _attention_layers(r.stdout) and r.stdout.count(" softmax ") == 3, r.stdout[-3000:] + r.stderr[-800:])
    r = _run([xc, "run", near, "--ref", "--ocl", "--timing-iterations", "1"] + TOL)
    s.check("attention: the near misses agree with the reference", r.returncode == 0, r.stdout[-2000:] + r.stderr[-800:])
