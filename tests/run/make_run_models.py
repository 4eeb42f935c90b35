#!/usr/bin/env python3
"""Models for the `crosscheck run` tests (written to the folder given):
  nan_chain/    Sub -> Sqrt -> Mul: inputs below 0.5 make the Sqrt the first NaN
  long_chain/   40 MaxPools on a 1 MiB activation: the activations summed (40 MiB) far exceed the
                live set (a few MiB), for the --memory-limit test of streaming per-layer
  two_outputs/  a conv stem with two outputs of different scales, for per-output tolerances"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def save(model, out, name):
    os.makedirs(os.path.join(out, name), exist_ok=True)
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, name, "model.onnx"))


def nan_chain(out):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 64])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 64])
    half = numpy_helper.from_array(np.array([0.5], np.float32), "half")
    two = numpy_helper.from_array(np.array([2.0], np.float32), "two")
    nodes = [helper.make_node("Relu", ["x"], ["r"], name="relu"),
             helper.make_node("Sub", ["r", "half"], ["d"], name="shift"),
             helper.make_node("Sqrt", ["d"], ["s"], name="sqrt"),
             helper.make_node("MaxPool", ["s3"], ["p"], name="pool", kernel_shape=[1]),
             helper.make_node("Reshape", ["s", "shape3"], ["s3"], name="to3d"),
             helper.make_node("Reshape", ["p", "shape2"], ["p2"], name="to2d"),
             helper.make_node("Mul", ["p2", "two"], ["y"], name="scale")]
    shape3 = numpy_helper.from_array(np.array([1, 1, 64], np.int64), "shape3")
    shape2 = numpy_helper.from_array(np.array([1, 64], np.int64), "shape2")
    g = helper.make_graph([nodes[0], nodes[1], nodes[2], nodes[4], nodes[3], nodes[5], nodes[6]], "nan_chain", [x], [y],
                          [half, two, shape3, shape2])
    save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), out, "nan_chain")


def long_chain(out, n=40):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 16, 128, 128])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 16, 128, 128])
    nodes, prev = [], "x"
    for i in range(n):
        name = "y" if i == n - 1 else "p%d" % i
        nodes.append(helper.make_node("MaxPool", [prev], [name], name="pool%d" % i, kernel_shape=[3, 3], pads=[1, 1, 1, 1]))
        prev = name
    g = helper.make_graph(nodes, "long_chain", [x], [y])
    save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), out, "long_chain")


def two_outputs(out):
    rng = np.random.default_rng(3)
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])
    small = helper.make_tensor_value_info("small", TensorProto.FLOAT, [1, 8, 8, 8])
    big = helper.make_tensor_value_info("big", TensorProto.FLOAT, [1, 8, 8, 8])
    w = numpy_helper.from_array(rng.standard_normal((8, 3, 3, 3)).astype(np.float32), "w")
    k = numpy_helper.from_array(np.array([1000.0], np.float32), "k")
    nodes = [helper.make_node("Conv", ["x", "w"], ["small"], name="conv", pads=[1, 1, 1, 1]),
             helper.make_node("Mul", ["small", "k"], ["big"], name="amplify")]
    g = helper.make_graph(nodes, "two_outputs", [x], [small, big], [w, k])
    save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), out, "two_outputs")


if __name__ == "__main__":
    out = sys.argv[1]
    nan_chain(out)
    long_chain(out)
    two_outputs(out)
