#!/usr/bin/env python3
"""Makes the demo models committed beside this script (onnx helper API, fixed seeds), each as
<name>/model.onnx plus <name>/test_data_set_0/{input_0,output_0}.pb, the expected output computed
by onnx's own reference evaluator, so `crosscheck run` compares against an independent
implementation (and `crosscheck conformance models` runs them all):

  small_cnn.onnx          Conv+BatchNorm+Relu stem, a residual block (Conv+BN+Relu, Conv+BN, Add,
                          Relu), MaxPool, GlobalAveragePool, Flatten, Gemm, Softmax. 1x3x32x32 -> 1x10
  small_transformer.onnx  one pre-norm encoder block: Gather embedding (+ positional), LayerNorm,
                          Q/K/V MatMul, scaled Softmax attention over 2 heads, output projection,
                          residual, LayerNorm, Erf-GELU MLP, residual. int64 [1,16] ids -> 1x16x32

usage: python3 models/make_models.py [OUT_DIR]   (default: the folder of this script)
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17


class Builder:
    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.nodes, self.inits = [], []

    def weight(self, name, shape, scale=None):
        fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
        scale = scale if scale is not None else 1.0 / np.sqrt(fan_in)
        self.inits.append(numpy_helper.from_array((self.rng.standard_normal(shape) * scale).astype(np.float32), name))
        return name

    def const(self, name, array):
        self.inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def node(self, op, inputs, name, n_out=1, **attrs):
        outs = [name] if n_out == 1 else ["%s_%d" % (name, i) for i in range(n_out)]
        self.nodes.append(helper.make_node(op, inputs, outs, name=name, **attrs))
        return outs[0] if n_out == 1 else outs

    def conv_bn(self, x, name, cin, cout, k, stride=1, relu=True):
        w = self.weight(name + ".w", [cout, cin, k, k])
        y = self.node("Conv", [x, w], name, kernel_shape=[k, k], strides=[stride, stride], pads=[k // 2] * 4)
        bn = [self.const(name + ".bn_" + p, v.astype(np.float32)) for p, v in (
            ("scale", self.rng.uniform(0.5, 1.5, cout)), ("bias", self.rng.uniform(-0.2, 0.2, cout)),
            ("mean", self.rng.uniform(-0.2, 0.2, cout)), ("var", self.rng.uniform(0.5, 1.5, cout)))]
        y = self.node("BatchNormalization", [y] + bn, name + "_bn", epsilon=1e-5)
        return self.node("Relu", [y], name + "_relu") if relu else y

    def model(self, name, inputs, outputs):
        graph = helper.make_graph(self.nodes, name, inputs, outputs, initializer=self.inits)
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="crosscheck models/make_models.py")
        m.ir_version = 8
        onnx.checker.check_model(m, full_check=True)
        return m


def small_cnn():
    b = Builder(seed=1)
    x = b.conv_bn("input", "stem", 3, 16, 3)
    y = b.conv_bn(x, "block_conv1", 16, 16, 3)
    y = b.conv_bn(y, "block_conv2", 16, 16, 3, relu=False)
    y = b.node("Add", [y, x], "block_add")
    y = b.node("Relu", [y], "block_relu")
    y = b.node("MaxPool", [y], "pool", kernel_shape=[2, 2], strides=[2, 2])
    y = b.conv_bn(y, "conv3", 16, 32, 3, stride=2)
    y = b.node("GlobalAveragePool", [y], "gap")
    y = b.node("Flatten", [y], "flatten", axis=1)
    y = b.node("Gemm", [y, b.weight("fc.w", [10, 32]), b.weight("fc.b", [10], 0.1)], "fc", transB=1)
    b.node("Softmax", [y], "probs", axis=1)
    return b.model("small_cnn", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 32, 32])],
                   [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [1, 10])])


def small_transformer(seq=16, hidden=32, heads=2, vocab=100, ffn=64):
    b = Builder(seed=2)
    hd = hidden // heads
    emb = b.node("Gather", [b.weight("embed", [vocab, hidden], 1.0), "input_ids"], "embed_lookup", axis=0)
    x = b.node("Add", [emb, b.weight("pos_embed", [1, seq, hidden], 0.1)], "add_pos")

    def layer_norm(v, name):
        return b.node("LayerNormalization", [v, b.const(name + ".g", np.ones(hidden, np.float32)),
                                             b.const(name + ".b", np.zeros(hidden, np.float32))], name, axis=-1, epsilon=1e-5)

    def linear(v, name, cin, cout):
        y = b.node("MatMul", [v, b.weight(name + ".w", [cin, cout])], name)
        return b.node("Add", [y, b.weight(name + ".b", [cout], 0.02)], name + "_bias")

    split_shape = b.const("split_heads_shape", np.array([1, seq, heads, hd], np.int64))
    merge_shape = b.const("merge_heads_shape", np.array([1, seq, hidden], np.int64))

    def heads_of(v, name):
        r = b.node("Reshape", [v, split_shape], name + "_reshape")
        return b.node("Transpose", [r], name + "_heads", perm=[0, 2, 1, 3])

    h = layer_norm(x, "ln1")
    q, k, v = (heads_of(linear(h, n, hidden, hidden), n) for n in ("q_proj", "k_proj", "v_proj"))
    kt = b.node("Transpose", [k], "k_transpose", perm=[0, 1, 3, 2])
    scores = b.node("MatMul", [q, kt], "attn_scores")
    scores = b.node("Div", [scores, b.const("attn_scale", np.array(np.sqrt(hd), np.float32))], "attn_scaled")
    probs = b.node("Softmax", [scores], "attn_probs", axis=-1)
    ctx = b.node("MatMul", [probs, v], "attn_context")
    ctx = b.node("Transpose", [ctx], "context_merge", perm=[0, 2, 1, 3])
    ctx = b.node("Reshape", [ctx, merge_shape], "context_reshape")
    x = b.node("Add", [x, linear(ctx, "out_proj", hidden, hidden)], "residual1")
    h = linear(layer_norm(x, "ln2"), "fc1", hidden, ffn)
    # GELU(h) = 0.5 * h * (1 + erf(h / sqrt(2))), the pattern exporters emit
    e = b.node("Erf", [b.node("Div", [h, b.const("sqrt2", np.array(np.sqrt(2), np.float32))], "gelu_div")], "gelu_erf")
    e = b.node("Add", [e, b.const("one", np.array(1, np.float32))], "gelu_add")
    g = b.node("Mul", [b.node("Mul", [h, e], "gelu_mul"), b.const("half", np.array(0.5, np.float32))], "gelu")
    b.node("Add", [x, linear(g, "fc2", ffn, hidden)], "output")
    return b.model("small_transformer", [helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, seq])],
                   [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, seq, hidden])])


def write_case(out, name, model, feed):
    from onnx.reference import ReferenceEvaluator
    folder = os.path.join(out, name)
    ds = os.path.join(folder, "test_data_set_0")
    os.makedirs(ds, exist_ok=True)
    onnx.save(model, os.path.join(folder, "model.onnx"))
    (result,) = ReferenceEvaluator(model).run(None, feed)
    ((in_name, value),) = feed.items()
    onnx.save_tensor(numpy_helper.from_array(value, in_name), os.path.join(ds, "input_0.pb"))
    onnx.save_tensor(numpy_helper.from_array(result, model.graph.output[0].name), os.path.join(ds, "output_0.pb"))
    print("wrote", folder, len(model.graph.node), "nodes")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    rng = np.random.default_rng(3)
    write_case(out, "small_cnn", small_cnn(), {"input": rng.uniform(-1, 1, (1, 3, 32, 32)).astype(np.float32)})
    write_case(out, "small_transformer", small_transformer(), {"input_ids": rng.integers(0, 100, (1, 16)).astype(np.int64)})


if __name__ == "__main__":
    main()
