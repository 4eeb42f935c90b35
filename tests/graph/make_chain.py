#!/usr/bin/env python3
"""Writes a long chain of small elementwise ops (Add, Relu, Mul, Sigmoid, ...) with a residual
Add every 7 nodes (skips make the layout work harder than a plain line) as an ONNX model: the
`graph` command's size test. Usage: make_chain.py OUT.onnx [N_NODES]"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def chain(n):
    ops = ["Add", "Relu", "Mul", "Sigmoid", "Sub", "Tanh"]
    nodes, inits = [], []
    prev = "x"
    for i in range(n):
        op = ops[i % len(ops)]
        out = "t%d" % i
        if i % 7 == 6:
            nodes.append(helper.make_node("Add", [prev, "t%d" % (i - 5)], [out], name="skip_%d" % i))
        elif op in ("Add", "Mul", "Sub"):
            c = "c%d" % i
            inits.append(numpy_helper.from_array(np.full([1, 8], 0.5, np.float32), c))
            nodes.append(helper.make_node(op, [prev, c], [out], name="%s_%d" % (op.lower(), i)))
        else:
            nodes.append(helper.make_node(op, [prev], [out], name="%s_%d" % (op.lower(), i)))
        prev = out
    nodes.append(helper.make_node("Identity", [prev], ["y"], name="last"))
    g = helper.make_graph(nodes, "chain%d" % n, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8])], inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])


if __name__ == "__main__":
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1200
    onnx.save(chain(n), sys.argv[1])
