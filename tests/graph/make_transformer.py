#!/usr/bin/env python3
"""Writes a transformer-like ONNX model named the way PyTorch's exporter names nodes
(`/encoder/layer.3/attention/self/query/MatMul`): an embedding Add, then encoder layers of
attention (q/k/v projections, scores, softmax, output projection), residual Adds, LayerNorms
decomposed into ReduceMean/Sub/Pow/Sqrt/Div as older opsets export them, and a GELU MLP; 42
nodes a layer. The `graph` command's test of collapsing large models into blocks.
Usage: make_transformer.py OUT.onnx [N_NODES]  (layers enough for about N_NODES nodes)"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

D = 8
NODES_PER_LAYER = 42


class Builder:
    def __init__(self):
        self.nodes, self.inits = [], []
        self.shared = {}

    def const(self, name, value):
        if name not in self.shared:
            self.shared[name] = numpy_helper.from_array(np.array(value, np.float32), name)
            self.inits.append(self.shared[name])
        return name

    def weight(self, name, shape, seed):
        rng = np.random.default_rng(seed)
        self.inits.append(numpy_helper.from_array((rng.standard_normal(shape) * 0.1).astype(np.float32), name))
        return name

    def node(self, scope, op, inputs, **attrs):
        name = "%s/%s" % (scope, op)
        k, base = 1, name
        while any(n.name == name for n in self.nodes[-NODES_PER_LAYER:]):
            name = "%s_%d" % (base, k)
            k += 1
        out = name + "_output_0"
        self.nodes.append(helper.make_node(op, inputs, [out], name=name, **attrs))
        return out

    def linear(self, scope, x, pname, seed):
        w = self.weight(pname + ".weight", [D, D], seed)
        b = self.weight(pname + ".bias", [D], seed + 1)
        return self.node(scope, "Add", [self.node(scope, "MatMul", [x, w]), b])

    def layer_norm(self, scope, x):
        mean = self.node(scope, "ReduceMean", [x], axes=[-1])
        centred = self.node(scope, "Sub", [x, mean])
        var = self.node(scope, "ReduceMean", [self.node(scope, "Pow", [centred, self.const("two", 2.0)])], axes=[-1])
        std = self.node(scope, "Sqrt", [self.node(scope, "Add", [var, self.const("eps", 1e-5)])])
        normed = self.node(scope, "Div", [centred, std])
        return self.node(scope, "Add", [self.node(scope, "Mul", [normed, self.const("gamma", np.ones(D))]),
                                        self.const("beta", np.zeros(D))])

    def layer(self, i, x):
        s = "/encoder/layer.%d" % i
        p = "encoder.layer.%d" % i
        a = s + "/attention/self"
        q = self.linear(a + "/query", x, p + ".attention.self.query", 10 * i)
        k = self.linear(a + "/key", x, p + ".attention.self.key", 10 * i + 2)
        v = self.linear(a + "/value", x, p + ".attention.self.value", 10 * i + 4)
        scores = self.node(a, "MatMul", [q, self.node(a, "Transpose", [k], perm=[0, 2, 1])])
        probs = self.node(a, "Softmax", [self.node(a, "Div", [scores, self.const("sqrt_d", np.sqrt(D))])], axis=-1)
        ctx = self.node(a, "MatMul", [probs, v])
        o = s + "/attention/output"
        h = self.layer_norm(o + "/LayerNorm", self.node(o, "Add", [self.linear(o + "/dense", ctx, p + ".attention.output.dense", 10 * i + 6), x]))
        m = s + "/intermediate"
        u = self.linear(m + "/dense", h, p + ".intermediate.dense", 10 * i + 8)
        erf = self.node(m + "/intermediate_act_fn", "Erf", [self.node(m + "/intermediate_act_fn", "Div", [u, self.const("sqrt2", np.sqrt(2.0))])])
        gelu = self.node(m + "/intermediate_act_fn", "Mul", [self.node(m + "/intermediate_act_fn", "Mul", [u, self.node(m + "/intermediate_act_fn", "Add", [erf, self.const("one", 1.0)])]), self.const("half", 0.5)])
        o = s + "/output"
        return self.layer_norm(o + "/LayerNorm", self.node(o, "Add", [self.linear(o + "/dense", gelu, p + ".output.dense", 10 * i + 9), h]))


def transformer(n_nodes):
    b = Builder()
    x = b.node("/embeddings", "Add", ["x", b.weight("embeddings.position_embeddings", [1, 4, D], 7)])
    for i in range(max(1, (n_nodes - 2) // NODES_PER_LAYER)):
        x = b.layer(i, x)
    b.nodes.append(helper.make_node("Identity", [x], ["y"], name="/pooler/Identity"))
    g = helper.make_graph(b.nodes, "transformer", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, D])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, D])], b.inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])


if __name__ == "__main__":
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    onnx.save(transformer(n), sys.argv[1])
