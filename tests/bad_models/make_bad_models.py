#!/usr/bin/env python3
"""Makes the hostile-model battery: files crosscheck must refuse with exit 2 and a one-line
error, never a crash, hang or unbounded allocation.

usage: make_bad_models.py OUT_DIR   (writes OUT_DIR/<case>/model.onnx and OUT_DIR/manifest.json:
        {case: substring the error message must contain})
"""
import json
import os
import random
import sys

import onnx
from onnx import TensorProto, helper, numpy_helper
import numpy as np
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from protobuf_wire import field, varint  # noqa: E402

FLOAT = TensorProto.FLOAT


def vi(name, shape=(1,), dtype=FLOAT):
    return helper.make_tensor_value_info(name, dtype, list(shape))


def model(nodes, inputs=(), outputs=("y",), inits=(), opset=17, extra_opsets=()):
    g = helper.make_graph(list(nodes), "bad", [vi(n) for n in inputs], [vi(n) for n in outputs], initializer=list(inits))
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)] + list(extra_opsets))


def raw_tensor(name, dims, raw, dtype=FLOAT):
    t = TensorProto(name=name, data_type=dtype, dims=list(dims))
    t.raw_data = raw
    return t


def external(name, location, offset=0, length=None, dims=(4,)):
    t = TensorProto(name=name, data_type=FLOAT, dims=list(dims), data_location=TensorProto.EXTERNAL)
    for k, v in (("location", location), ("offset", str(offset))) + ((("length", str(length)),) if length is not None else ()):
        e = t.external_data.add()
        e.key, e.value = k, v
    return t






def nested_if(depth):
    """An If whose then-branch holds an If ... depth levels deep. Written as raw protobuf
    because python's protobuf refuses to build messages this deep."""
    graph = field(1, field(1, b"c") + field(2, b"o") + field(4, b"Identity"))  # GraphProto.node
    for _ in range(depth):
        attr = field(1, b"then_branch") + varint(20 << 3) + varint(5) + field(6, graph)  # type=GRAPH, g=graph
        node = field(1, b"c") + field(2, b"o") + field(4, b"If") + field(5, attr)
        graph = field(1, node) + field(2, b"level")
    opset = field(8, field(1, b"") + varint(2 << 3) + varint(17))
    return varint(1 << 3) + varint(8) + opset + field(7, graph)  # ir_version, opset_import, graph


def cases(out):
    valid = model([helper.make_node("Relu", ["x"], ["y"])], inputs=("x",)).SerializeToString()
    rnd = random.Random(7)
    c = {}
    c["random_bytes"] = (bytes(rnd.getrandbits(8) for _ in range(4096)), "not a valid ONNX model")
    c["truncated"] = (valid[: len(valid) // 2], "not a valid ONNX model")
    c["empty_file"] = (b"", "model has no graph")
    c["negative_dims"] = (model([helper.make_node("Identity", ["w"], ["y"])], inits=[raw_tensor("w", [-4], b"")]), "negative dimension")
    c["overflowing_dims"] = (model([helper.make_node("Identity", ["w"], ["y"])],
                                   inits=[raw_tensor("w", [2**62, 2**62, 16], b"")]), "overflows")
    c["huge_dims"] = (model([helper.make_node("Identity", ["w"], ["y"])], inits=[raw_tensor("w", [2**40, 2**20], b"")]), "exceeds the limit")
    c["raw_data_too_short"] = (model([helper.make_node("Identity", ["w"], ["y"])], inits=[raw_tensor("w", [16], b"\0" * 12)]),
                               "raw_data has 12 bytes")
    c["typed_data_count_mismatch"] = (model([helper.make_node("Identity", ["w"], ["y"])],
                                            inits=[TensorProto(name="w", data_type=FLOAT, dims=[5], float_data=[1.0, 2.0])]), "holds 2 values")
    c["cycle"] = (model([helper.make_node("Relu", ["b"], ["a"], name="n1"), helper.make_node("Relu", ["a"], ["b"], name="n2"),
                         helper.make_node("Relu", ["b"], ["y"], name="n3")]), "cycle")
    c["self_loop"] = (model([helper.make_node("Add", ["x", "y"], ["y"], name="loop")], inputs=("x",)), "cycle")
    c["duplicate_output"] = (model([helper.make_node("Relu", ["x"], ["y"], name="a"), helper.make_node("Relu", ["x"], ["y"], name="b")],
                                   inputs=("x",)), "already defined")
    c["duplicate_initializer"] = (model([helper.make_node("Identity", ["w"], ["y"])],
                                        inits=[numpy_helper.from_array(np.ones(1, np.float32), "w")] * 2), "defined twice")
    c["missing_producer"] = (model([helper.make_node("Relu", ["nowhere"], ["y"], name="r")]), "has no producer")
    c["missing_initializer"] = (model([helper.make_node("Add", ["x", "weights"], ["y"], name="add")], inputs=("x",)), "'weights' has no producer")
    c["unknown_op"] = (model([helper.make_node("Frobnicate", ["x"], ["y"], name="f")], inputs=("x",)), "unknown op type 'Frobnicate'")
    c["domain_not_imported"] = (model([helper.make_node("Relu", ["x"], ["y"], domain="com.nowhere")], inputs=("x",)), "not imported")
    c["opset_too_new"] = (model([helper.make_node("Relu", ["x"], ["y"])], inputs=("x",), opset=99), "newer than the newest supported")
    bad_attr = helper.make_node("Constant", [], ["y"], name="const")
    bad_attr.attribute.append(helper.make_attribute("value_int", 1.5))  # FLOAT where INT is required
    c["attribute_type_confusion"] = (model([bad_attr]), "attribute 'value_int' has type FLOAT, expected INT")
    c["unknown_attribute"] = (model([helper.make_node("Constant", [], ["y"], value_float=1.0, colour=3)]), "unknown attribute 'colour'")
    c["output_not_produced"] = (model([helper.make_node("Relu", ["x"], ["z"])], inputs=("x",)), "graph output 'y' is not produced")
    c["deeply_nested_subgraphs"] = (nested_if(200), "nested deeper")
    c["external_absolute"] = (model([helper.make_node("Identity", ["w"], ["y"])], inits=[external("w", "/etc/hostname")]), "absolute path")
    c["external_dotdot"] = (model([helper.make_node("Identity", ["w"], ["y"])], inits=[external("w", "../escape.bin")]), "leaves the model's folder")
    c["external_symlink"] = (model([helper.make_node("Identity", ["w"], ["y"])], inits=[external("w", "link.bin")]), "outside the model's folder")
    c["external_offset_beyond_end"] = (model([helper.make_node("Identity", ["w"], ["y"])],
                                             inits=[external("w", "data.bin", offset=1 << 20)]), "beyond the file")
    c["external_length_mismatch"] = (model([helper.make_node("Identity", ["w"], ["y"])],
                                           inits=[external("w", "data.bin", length=8)]), "does not match")
    c["external_missing_file"] = (model([helper.make_node("Identity", ["w"], ["y"])], inits=[external("w", "nope.bin")]), "not found")
    manifest = {}
    for name, (m, expect) in c.items():
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        data = m if isinstance(m, bytes) else m.SerializeToString()
        with open(os.path.join(d, "model.onnx"), "wb") as f:
            f.write(data)
        manifest[name] = expect
    for d in ("external_offset_beyond_end", "external_length_mismatch"):
        with open(os.path.join(out, d, "data.bin"), "wb") as f:
            f.write(np.ones(4, np.float32).tobytes())
    link = os.path.join(out, "external_symlink", "link.bin")
    if not os.path.lexists(link):
        os.symlink("/etc/hostname", link)
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    cases(sys.argv[1])
