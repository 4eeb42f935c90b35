#!/usr/bin/env python3
"""Models for the surgeon tests (tests/run_tests.py: surgeon_tests). Usage: make_models.py OUT_DIR [--big]

  shape.onnx      an exporter-style shape subgraph (Shape -> Gather -> Unsqueeze -> Concat ->
                  Reshape) on an input with a symbolic batch, Size -> Cast, a Constant chain, a
                  Tile whose output is 256 bytes, two identical initializers, a dead node and an
                  unused initializer
  unknown.onnx    unknown protobuf fields on the model, the graph and a node (must survive)
  unsorted.onnx   nodes stored in reverse order (invalid for onnx.checker until sorted)
  capture.onnx    an If whose branches read an outer node output and an outer initializer (only
                  through the subgraphs: cleanup and extract must keep both)
  ext/model.onnx  weights in an external file (weights.bin, offset/length)
  big/model.onnx  (--big) a 2.4 GB initializer in a SPARSE external file (no disk used) with
                  non-zero rows at the start and in the middle, read by a Gather
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

UNKNOWN = bytes([0xC0, 0x3E, 0x2A])  # field 1000, varint 42: no onnx message defines it


def f32(name, shape, seed):
    return numpy_helper.from_array(np.random.default_rng(seed).standard_normal(shape).astype(np.float32), name)


def i64(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def save(model, path, check=True):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if check:
        onnx.checker.check_model(model, full_check=True)
    onnx.save(model, path)


def shape_model():
    dup = np.linspace(0.5, 1.5, 64).astype(np.float32)
    nodes = [
        helper.make_node("Shape", ["x"], ["x_shape"], name="shape"),
        helper.make_node("Gather", ["x_shape", "zero"], ["batch"], name="gather_batch", axis=0),
        helper.make_node("Unsqueeze", ["batch", "axes0"], ["batch_1d"], name="unsqueeze"),
        helper.make_node("Concat", ["batch_1d", "c32"], ["new_shape"], name="concat", axis=0),
        helper.make_node("Reshape", ["x", "new_shape"], ["flat"], name="reshape"),
        helper.make_node("MatMul", ["flat", "W"], ["mm"], name="matmul"),
        helper.make_node("Constant", [], ["c"], name="const", value=f32("c_value", [64], 7)),
        helper.make_node("Add", ["c", "bias"], ["cb"], name="const_add"),
        helper.make_node("Tile", ["small", "reps"], ["big"], name="tile"),
        helper.make_node("Add", ["mm", "cb"], ["y"], name="add_cb"),
        helper.make_node("Add", ["y", "big"], ["y2"], name="add_big"),
        helper.make_node("Mul", ["y2", "dupA"], ["z"], name="mul_dup"),
        helper.make_node("Add", ["z", "dupB"], ["zz"], name="add_dup"),
        helper.make_node("Size", ["x"], ["size"], name="size"),
        helper.make_node("Cast", ["size"], ["size_f"], name="cast", to=TensorProto.FLOAT),
        helper.make_node("Div", ["zz", "size_f"], ["out"], name="div"),
        helper.make_node("Neg", ["x"], ["dead"], name="dead_neg"),
    ]
    inits = [i64("zero", 0), i64("axes0", [0]), i64("c32", [32]), f32("W", [32, 64], 1), f32("bias", [64], 2),
             f32("small", [1, 16], 3), i64("reps", [1, 4]), numpy_helper.from_array(dup, "dupA"),
             numpy_helper.from_array(dup.copy(), "dupB"), f32("unused_w", [8, 8], 4)]
    graph = helper.make_graph(nodes, "shape_subgraph",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4, 8])],
                              [helper.make_tensor_value_info("out", TensorProto.FLOAT, ["N", 64])], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="surgeon-tests")


def with_unknown(msg):
    copy = type(msg)()
    copy.ParseFromString(msg.SerializeToString() + UNKNOWN)
    return copy


def unknown_model():
    relu = with_unknown(helper.make_node("Relu", ["x"], ["y"], name="relu"))
    neg = helper.make_node("Neg", ["y"], ["z"], name="neg")
    graph = helper.make_graph([relu, neg], "unknown",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])],
                              [helper.make_tensor_value_info("z", TensorProto.FLOAT, [2, 3])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.graph.CopyFrom(with_unknown(model.graph))
    return with_unknown(model)


def unsorted_model():
    nodes = [helper.make_node("Relu", ["x"], ["a"], name="n0"), helper.make_node("Neg", ["a"], ["b"], name="n1"),
             helper.make_node("Add", ["a", "b"], ["c"], name="n2")]
    graph = helper.make_graph(list(reversed(nodes)), "unsorted",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])],
                              [helper.make_tensor_value_info("c", TensorProto.FLOAT, [4])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def capture_model():
    then_g = helper.make_graph([helper.make_node("Identity", ["r"], ["t_out"])], "then", [],
                               [helper.make_tensor_value_info("t_out", TensorProto.FLOAT, [4])])
    else_g = helper.make_graph([helper.make_node("Add", ["r", "w"], ["e_out"])], "else", [],
                               [helper.make_tensor_value_info("e_out", TensorProto.FLOAT, [4])])
    nodes = [helper.make_node("Relu", ["x"], ["r"], name="relu"),
             helper.make_node("If", ["cond"], ["o"], name="if", then_branch=then_g, else_branch=else_g),
             helper.make_node("Neg", ["x"], ["dead"], name="dead_neg")]
    graph = helper.make_graph(nodes, "capture", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4]),
                                                 helper.make_tensor_value_info("cond", TensorProto.BOOL, [])],
                              [helper.make_tensor_value_info("o", TensorProto.FLOAT, [4])],
                              [numpy_helper.from_array(np.arange(4, dtype=np.float32), "w")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def external_tensor(name, dtype, dims, location, offset, length):
    t = TensorProto(name=name, data_type=dtype, dims=dims, data_location=TensorProto.EXTERNAL)
    for k, v in (("location", location), ("offset", str(offset)), ("length", str(length))):
        e = t.external_data.add()
        e.key, e.value = k, v
    return t


def ext_model(folder):
    os.makedirs(folder, exist_ok=True)
    w = np.random.default_rng(5).standard_normal((128, 64)).astype(np.float32)
    with open(os.path.join(folder, "weights.bin"), "wb") as f:
        f.write(b"\0" * 100)  # an unaligned offset in the source: the output realigns it
        f.write(w.tobytes())
    nodes = [helper.make_node("MatMul", ["x", "w"], ["y"], name="mm"), helper.make_node("Add", ["y", "b"], ["z"], name="add")]
    graph = helper.make_graph(nodes, "ext", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 128])],
                              [helper.make_tensor_value_info("z", TensorProto.FLOAT, [2, 64])],
                              [external_tensor("w", TensorProto.FLOAT, [128, 64], "weights.bin", 100, w.nbytes),
                               f32("b", [64], 6)])
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), os.path.join(folder, "model.onnx"), check=False)


BIG_ROWS, BIG_COLS = 600000, 1024  # float32: 2.46 GB
MIDDLE_ROW = 300001


def big_model(folder):
    """The data file is created with truncate(), so it is all holes except the rows written."""
    os.makedirs(folder, exist_ok=True)
    nbytes = BIG_ROWS * BIG_COLS * 4
    row = lambda r: (np.arange(BIG_COLS, dtype=np.float32) + r).tobytes()
    with open(os.path.join(folder, "huge.bin"), "wb") as f:
        f.truncate(nbytes)
        for r in range(4):
            f.seek(r * BIG_COLS * 4)
            f.write(row(r))
        f.seek(MIDDLE_ROW * BIG_COLS * 4)
        f.write(row(MIDDLE_ROW))
    nodes = [helper.make_node("Gather", ["huge", "idx"], ["rows"], name="gather", axis=0),
             helper.make_node("Relu", ["rows"], ["out"], name="relu")]
    graph = helper.make_graph(nodes, "big", [helper.make_tensor_value_info("idx", TensorProto.INT64, [2])],
                              [helper.make_tensor_value_info("out", TensorProto.FLOAT, [2, BIG_COLS])],
                              [external_tensor("huge", TensorProto.FLOAT, [BIG_ROWS, BIG_COLS], "huge.bin", 0, nbytes)])
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), os.path.join(folder, "model.onnx"), check=False)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    save(shape_model(), os.path.join(out, "shape.onnx"))
    save(unknown_model(), os.path.join(out, "unknown.onnx"), check=False)
    save(unsorted_model(), os.path.join(out, "unsorted.onnx"), check=False)
    save(capture_model(), os.path.join(out, "capture.onnx"))
    ext_model(os.path.join(out, "ext"))
    if "--big" in sys.argv:
        big_model(os.path.join(out, "big"))


if __name__ == "__main__":
    main()
