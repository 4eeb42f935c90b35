#!/usr/bin/env python3
"""Makes the ONNX files the unit tests read (python onnx is a test-time tool only).

usage: make_fixtures.py OUT_DIR
  roundtrip.onnx   every attribute type, initializers of every dtype (raw_data and typed
                   fields), metadata, doc strings, value_info, symbolic dims, and unknown
                   protobuf fields on the model, graph and a node
  ext/             a model whose weights live in an external file (offset/length)
  chain.onnx       40 elementwise nodes in a row on a 1 MiB tensor (memory bound test)
  pointwise.onnx   a fusable elementwise chain, a free reshape (OpenCL engine tests)
  refit_a.onnx, refit_b.onnx  Conv 3x3 + BatchNormalization + Clip (bounds as initializers, fused
                   into the conv kernel's epilogue), one structure, two sets of weights (xc_engine_refit)
  long_chain_a.onnx, long_chain_b.onnx  300 LeakyRelu in a row (one fused layer), differing only
                   in the last alpha (layer signatures past 4096 characters)
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

UNKNOWN = bytes([0xC0, 0x3E, 0x2A])  # field 1000, varint 42: no ONNX message defines field 1000

DTYPES = [np.float32, np.float16, np.float64, np.int8, np.int16, np.int32, np.int64,
          np.uint8, np.uint16, np.uint32, np.uint64, np.bool_]


def with_unknown(msg):
    """Returns a copy of msg carrying an unknown field (kept by parsers that preserve them)."""
    copy = type(msg)()
    copy.ParseFromString(msg.SerializeToString() + UNKNOWN)
    return copy


def initializers():
    inits = []
    for i, dt in enumerate(DTYPES):
        values = (np.arange(6).reshape(2, 3) % 2 == 1) if dt == np.bool_ else (np.arange(6, dtype=np.float64).reshape(2, 3) * 3 - 5).astype(dt)
        if np.dtype(dt).kind == "u":
            values = np.arange(6, dtype=dt).reshape(2, 3) * 7
        raw = numpy_helper.from_array(values, "w_raw_%s" % np.dtype(dt).name)
        typed = helper.make_tensor("w_typed_%s" % np.dtype(dt).name, helper.np_dtype_to_tensor_dtype(np.dtype(dt)),
                                   values.shape, values.flatten().tolist(), raw=False)
        inits += [raw, typed]
    bf = helper.make_tensor("w_bfloat16", TensorProto.BFLOAT16, [3], [1.0, -2.5, 3.0])
    return inits + [bf]


def roundtrip_model():
    sub = helper.make_graph([helper.make_node("Identity", ["a"], ["b"])], "body",
                            [helper.make_tensor_value_info("a", TensorProto.FLOAT, [1])],
                            [helper.make_tensor_value_info("b", TensorProto.FLOAT, [1])])
    custom = helper.make_node(
        "Everything", ["x"], ["y"], name="custom_node", domain="com.example", doc_string="node doc",
        f=1.5, i=-7, s=b"text", t=numpy_helper.from_array(np.array([1, 2], np.int64), "attr_t"), g=sub,
        floats=[0.5, 0.25], ints=[1, 2, 3], strings=[b"a", b"bc"],
        tensors=[numpy_helper.from_array(np.array([3.0], np.float32), "attr_ts")])
    relu = helper.make_node("Relu", ["y"], ["z"], name="relu")
    graph = helper.make_graph(
        [with_unknown(custom), relu], "roundtrip",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("z", TensorProto.FLOAT, ["batch", 4])],
        initializer=initializers(), doc_string="graph doc",
        value_info=[helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 4])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.example", 1)],
                              producer_name="crosscheck-fixtures", doc_string="model doc")
    model.graph.CopyFrom(with_unknown(model.graph))
    helper.set_model_props(model, {"author": "tests", "purpose": "round trip"})
    return with_unknown(model)


def external_model(folder):
    os.makedirs(folder, exist_ok=True)
    w = np.arange(12, dtype=np.float32).reshape(3, 4) / 4
    pad = b"\0" * 16  # the tensor starts at a non-zero offset
    with open(os.path.join(folder, "weights.bin"), "wb") as f:
        f.write(pad + w.tobytes())
    t = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=[3, 4], data_location=TensorProto.EXTERNAL)
    for k, v in (("location", "weights.bin"), ("offset", str(len(pad))), ("length", str(w.nbytes))):
        e = t.external_data.add()
        e.key, e.value = k, v
    graph = helper.make_graph([helper.make_node("Identity", ["w"], ["y"])], "ext", [],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, 4])], initializer=[t])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    with open(os.path.join(folder, "model.onnx"), "wb") as f:
        f.write(model.SerializeToString())


def chain_model(n=40):
    """n Relu/Neg nodes in a row on a 1 MiB tensor: 40 MiB of activations, a live set of two."""
    nodes = [helper.make_node("Relu" if i % 2 else "Neg", ["t%d" % i], ["t%d" % (i + 1)], name="n%d" % i) for i in range(n)]
    nodes[-1].output[0] = "y"
    graph = helper.make_graph(nodes, "chain", [helper.make_tensor_value_info("t0", TensorProto.FLOAT, [256, 1024])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [256, 1024])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def pointwise_model():
    """Add + Relu + Mul (fused into one kernel), a free Reshape, a Sigmoid."""
    nodes = [helper.make_node("Add", ["x", "b"], ["a"], name="add"), helper.make_node("Relu", ["a"], ["r"], name="relu"),
             helper.make_node("Mul", ["r", "s"], ["m"], name="mul"), helper.make_node("Reshape", ["m", "shp"], ["y"], name="reshape"),
             helper.make_node("Sigmoid", ["y"], ["z"], name="sig")]
    inits = [numpy_helper.from_array(np.arange(4, dtype=np.float32) - 1.5, "b"),
             numpy_helper.from_array(np.array([[2], [3], [4]], np.float32), "s"), numpy_helper.from_array(np.array([6, 4], np.int64), "shp")]
    graph = helper.make_graph(nodes, "pw", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 4])],
                              [helper.make_tensor_value_info("z", TensorProto.FLOAT, [6, 4])], initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def long_chain_model(last_alpha):
    """300 LeakyRelu nodes in a row (fused into one layer whose signature is ~9,000 characters);
    the two fixtures differ only in the last node's alpha."""
    alphas = [0.01 * (1 + i % 7) for i in range(299)] + [last_alpha]
    nodes = [helper.make_node("LeakyRelu", ["t%d" % i], ["t%d" % (i + 1)], name="lr%d" % i, alpha=a) for i, a in enumerate(alphas)]
    graph = helper.make_graph(nodes, "long_chain", [helper.make_tensor_value_info("t0", TensorProto.FLOAT, [4])],
                              [helper.make_tensor_value_info("t300", TensorProto.FLOAT, [4])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def refit_model(seed):
    """Conv 3x3 (Winograd-eligible) + BatchNormalization + Clip; seed picks the weights and the
    upper bound (compiled into the fused kernel: a refit changes the program)."""
    r = np.random.default_rng(seed)
    inits = [numpy_helper.from_array(a.astype(np.float32), n) for n, a in (
        ("w", r.normal(0, .3, [8, 4, 3, 3])), ("b", r.normal(0, .1, [8])), ("g", r.uniform(.5, 1.5, [8])),
        ("beta", r.normal(0, .1, [8])), ("mean", r.normal(0, .1, [8])), ("var", r.uniform(.5, 1.5, [8])),
        ("lo", np.array(0.0)), ("hi", np.array(1.0 / seed)))]
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["c"], name="conv", pads=[1, 1, 1, 1]),
             helper.make_node("BatchNormalization", ["c", "g", "beta", "mean", "var"], ["n"], name="bn"),
             helper.make_node("Clip", ["n", "lo", "hi"], ["y"], name="clip")]
    graph = helper.make_graph(nodes, "refit", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 6, 6])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8, 6, 6])], initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "roundtrip.onnx"), "wb") as f:
        f.write(roundtrip_model().SerializeToString())
    external_model(os.path.join(out, "ext"))
    onnx.save(chain_model(), os.path.join(out, "chain.onnx"))
    onnx.save(pointwise_model(), os.path.join(out, "pointwise.onnx"))
    onnx.save(refit_model(1), os.path.join(out, "refit_a.onnx"))
    onnx.save(refit_model(2), os.path.join(out, "refit_b.onnx"))
    onnx.save(long_chain_model(0.5), os.path.join(out, "long_chain_a.onnx"))
    onnx.save(long_chain_model(0.25), os.path.join(out, "long_chain_b.onnx"))


if __name__ == "__main__":
    main()
