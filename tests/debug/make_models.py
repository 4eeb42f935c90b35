#!/usr/bin/env python3
"""Models for the debug-tool tests (tests/run_tests.py: debug_tools), small enough that PoCL runs
each in well under a second, real enough to exercise every fusion:

  resnet.onnx       a ResNet-like CNN, 1x3x16x16: Conv+BN+Relu stem, 8 basic blocks (Conv+BN+Relu,
                    Conv+BN, residual Add, Relu; a strided 1x1 Conv+BN shortcut where the width
                    grows 8 -> 16), GlobalAveragePool, Flatten, Gemm. 60+ ONNX nodes.
  transformer.onnx  two pre-norm encoder blocks on a 1x8x32 float input, LayerNorm written as
                    exporters do (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add),
                    MatMul+Add linears, 2-head softmax attention, Erf-GELU MLP.
  overflow.onnx     the same stack with the second block's MLP LayerNorm fed h * 1e6: exact in
                    fp32 (LayerNorm is scale invariant), infinite when stored as fp16 (> 65504).

usage: make_models.py OUT_DIR
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# the demo models' builder: same weights, Conv+BN blocks and checks
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "models"))
from make_models import OPSET, Builder  # noqa: E402


def resnet():
    b = Builder(seed=11)
    x = b.conv_bn("input", "stem", 3, 8, 3)
    cin = 8
    for i, cout in enumerate([8, 8, 8, 8, 16, 16, 16, 16]):
        stride = 2 if cout != cin else 1
        y = b.conv_bn(x, "b%d_conv1" % i, cin, cout, 3, stride=stride)
        y = b.conv_bn(y, "b%d_conv2" % i, cout, cout, 3, relu=False)
        short = x if cout == cin else b.conv_bn(x, "b%d_down" % i, cin, cout, 1, stride=stride, relu=False)
        x = b.node("Relu", [b.node("Add", [y, short], "b%d_add" % i)], "b%d_relu" % i)
        cin = cout
    y = b.node("Flatten", [b.node("GlobalAveragePool", [x], "gap")], "flatten", axis=1)
    b.node("Gemm", [y, b.weight("fc.w", [10, 16]), b.weight("fc.b", [10], 0.1)], "fc", transB=1)
    return b.model("resnet", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 16, 16])],
                   [helper.make_tensor_value_info("fc", TensorProto.FLOAT, [1, 10])])


def transformer(overflow=False, seq=8, hidden=32, heads=2, ffn=64, blocks=2):
    b = Builder(seed=12)
    hd = hidden // heads
    split = b.const("split_shape", np.array([1, seq, heads, hd], np.int64))
    merge = b.const("merge_shape", np.array([1, seq, hidden], np.int64))

    def layer_norm(v, name):
        m = b.node("ReduceMean", [v], name + "_mean", axes=[-1])
        d = b.node("Sub", [v, m], name + "_sub")
        p = b.node("Pow", [d, b.const(name + ".two", np.array(2, np.float32))], name + "_pow")
        var = b.node("ReduceMean", [p], name + "_var", axes=[-1])
        s = b.node("Sqrt", [b.node("Add", [var, b.const(name + ".eps", np.array(1e-5, np.float32))], name + "_eps")], name + "_sqrt")
        n = b.node("Div", [d, s], name + "_div")
        g = b.node("Mul", [n, b.const(name + ".g", b.rng.uniform(0.8, 1.2, hidden).astype(np.float32))], name + "_gamma")
        return b.node("Add", [g, b.const(name + ".b", b.rng.uniform(-0.1, 0.1, hidden).astype(np.float32))], name)

    def linear(v, name, cin, cout):
        y = b.node("MatMul", [v, b.weight(name + ".w", [cin, cout])], name)
        return b.node("Add", [y, b.weight(name + ".b", [cout], 0.02)], name + "_bias")

    def heads_of(v, name):
        return b.node("Transpose", [b.node("Reshape", [v, split], name + "_reshape")], name + "_heads", perm=[0, 2, 1, 3])

    x = "input"
    for i in range(blocks):
        p = "l%d_" % i
        h = layer_norm(x, p + "ln1")
        q, k, v = (heads_of(linear(h, p + n, hidden, hidden), p + n) for n in ("q", "k", "v"))
        scores = b.node("MatMul", [q, b.node("Transpose", [k], p + "kt", perm=[0, 1, 3, 2])], p + "scores")
        scores = b.node("Div", [scores, b.const(p + "scale", np.array(np.sqrt(hd), np.float32))], p + "scaled")
        ctx = b.node("MatMul", [b.node("Softmax", [scores], p + "probs", axis=-1), v], p + "context")
        ctx = b.node("Reshape", [b.node("Transpose", [ctx], p + "merge", perm=[0, 2, 1, 3]), merge], p + "merged")
        x = b.node("Add", [x, linear(ctx, p + "out", hidden, hidden)], p + "res1")
        ln_in = x
        if overflow and i == blocks - 1:
            ln_in = b.node("Mul", [x, b.const("blow_up.k", np.array(1e6, np.float32))], "blow_up")
        h = linear(layer_norm(ln_in, p + "ln2"), p + "fc1", hidden, ffn)
        e = b.node("Erf", [b.node("Div", [h, b.const(p + "sqrt2", np.array(np.sqrt(2), np.float32))], p + "gelu_div")], p + "gelu_erf")
        e = b.node("Add", [e, b.const(p + "one", np.array(1, np.float32))], p + "gelu_add")
        g = b.node("Mul", [b.node("Mul", [h, e], p + "gelu_mul"), b.const(p + "half", np.array(0.5, np.float32))], p + "gelu")
        x = b.node("Add", [x, linear(g, p + "fc2", ffn, hidden)], p + "res2")
    name = "overflow" if overflow else "transformer"
    return b.model(name, [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, seq, hidden])],
                   [helper.make_tensor_value_info(x, TensorProto.FLOAT, [1, seq, hidden])])


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, m in (("resnet", resnet()), ("transformer", transformer()), ("overflow", transformer(overflow=True))):
        onnx.save(m, os.path.join(out, name + ".onnx"))
        print("wrote %s/%s.onnx (%d nodes)" % (out, name, len(m.graph.node)))


if __name__ == "__main__":
    main()
