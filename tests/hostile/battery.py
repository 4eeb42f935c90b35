"""The hostile battery (issue 17): hundreds of generated inputs a hostile user would try --
overflowing shape arithmetic, empty tensors with huge dimensions, deep nesting, wide nodes,
mutated model bytes, special files where files are expected, absurd option values. Every case
runs in a scratch folder with a 10 s limit and must end with exit 0, 1 or 2 (2: one line on
stderr), no signal, no sanitizer report, and no file in the folder changed except the outputs
the case names (hashed before and after).

Usage from the suite: hostile_battery(s, xc, build, tmp). Standalone:
    python3 tests/hostile/battery.py build/crosscheck  (prints every failing case)
"""
import hashlib
import os
import random
import stat
import subprocess
import sys
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from protobuf_wire import field, varint  # noqa: E402

FLOAT, INT64 = TensorProto.FLOAT, TensorProto.INT64
BIG = [2 ** 62, 2 ** 63 - 1, 2 ** 31, 2 ** 32 + 1, -(2 ** 62), -1, 0]
LIMIT_S = 10


def model_bytes(nodes, inputs, outputs, inits=(), opset=17):
    g = helper.make_graph(nodes, "hostile", inputs, outputs, initializer=list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m.SerializeToString()


def vi(name, shape, dtype=FLOAT):
    return helper.make_tensor_value_info(name, dtype, shape)


def const_i64(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


# ---- model families -------------------------------------------------------------------------

def conv_cases():
    x = vi("x", [1, 1, 5, 5])
    w = numpy_helper.from_array(np.ones((1, 1, 3, 3), np.float32), "w")
    for attr in ("dilations", "strides", "pads", "kernel_shape"):
        for v in BIG:
            n = 4 if attr == "pads" else 2
            vals = [v] + [1] * (n - 1) if attr != "pads" else [v, 0, 0, 0]
            node = helper.make_node("Conv", ["x", "w"], ["y"], **{attr: vals})
            yield "conv_%s_%d" % (attr, v), model_bytes([node], [x], [vi("y", None)], [w])


def pool_cases():
    x = vi("x", [1, 1, 5, 5])
    for op in ("MaxPool", "AveragePool", "LpPool"):
        for attr in ("pads", "strides", "kernel_shape", "dilations"):
            if attr == "dilations" and op != "MaxPool":
                continue
            for v in BIG:
                kw = {"kernel_shape": [2, 2]}
                kw[attr] = [v, 0, 0, 0] if attr == "pads" else [v, 1]
                node = helper.make_node(op, ["x"], ["y"], **kw)
                yield "%s_%s_%d" % (op.lower(), attr, v), model_bytes([node], [x], [vi("y", None)])


def range_cases():
    for start, limit, delta in ((2 ** 63 - 1, -(2 ** 63), -1), (-(2 ** 63), 2 ** 63 - 1, 1), (0, 2 ** 62, 1),
                                (0, 10, 0), (0, -(2 ** 63), -(2 ** 63)), (5, 5, 1), (2 ** 62, -(2 ** 62), -3)):
        inits = [numpy_helper.from_array(np.array(v, np.int64), k) for k, v in (("s", start), ("l", limit), ("d", delta))]
        node = helper.make_node("Range", ["s", "l", "d"], ["y"])
        yield "range_%d_%d_%d" % (start, limit, delta), model_bytes([node], [], [vi("y", None, INT64)], inits)


def empty_huge_cases():
    """Zero-element tensors whose other dims are huge, through the movement and index ops."""
    for dims in ([0, 2 ** 62 - 1, 2], [2 ** 40, 0, 2 ** 30], [0, 2 ** 31, 2 ** 31]):
        x = vi("x", dims)
        name = "x".join(str(d) for d in dims)
        for op, kw, extra in (("Transpose", {"perm": [2, 1, 0]}, []), ("Identity", {}, []), ("Neg", {}, []),
                              ("ArgMax", {"axis": 1}, []), ("CumSum", {}, ["ax"]), ("Softmax", {"axis": 1}, []),
                              ("ReduceSum", {"keepdims": 1}, []), ("Tile", {}, ["reps"]), ("Expand", {}, ["shape"]),
                              ("TopK", {"axis": 1}, ["k"])):
            inits = {"ax": [const_i64("ax", 1)], "reps": [const_i64("reps", [2, 1, 2])],
                     "shape": [const_i64("shape", [1, 1, 1])], "k": [const_i64("k", [0])]}
            init = [t for e in extra for t in inits[e]]
            outs = ["y", "yi"] if op == "TopK" else ["y"]
            node = helper.make_node(op, ["x"] + extra, outs, **kw)
            outputs = [vi("y", None), vi("yi", None, INT64)] if op == "TopK" else [vi("y", None, INT64 if op == "ArgMax" else FLOAT)]
            yield "empty_%s_%s" % (op.lower(), name), model_bytes([node], [x], outputs, init)
            # the same tensor as an initializer: constant folding meets it at load time
            t = TensorProto(name="x", data_type=FLOAT, dims=dims)
            node = helper.make_node(op, ["x"] + extra, outs, **kw)
            yield "empty_init_%s_%s" % (op.lower(), name), model_bytes([node], [], outputs, [t] + init)
        for bs in (2, 2 ** 62, 2 ** 63 - 1):
            for op in ("DepthToSpace", "SpaceToDepth"):
                node = helper.make_node(op, ["x4"], ["y"], blocksize=bs)
                yield "%s_%s_bs%d" % (op.lower(), name, bs), model_bytes([node], [vi("x4", dims + [1])], [vi("y", None)])


def shape_value_cases():
    """Shapes given as values: Reshape, ConstantOfShape, Expand, Slice, Pad with extreme numbers."""
    x = vi("x", [2, 3])
    for v in BIG + [2 ** 63 - 2]:
        yield "reshape_%d" % v, model_bytes([helper.make_node("Reshape", ["x", "s"], ["y"])], [x], [vi("y", None)],
                                            [const_i64("s", [v, -1])])
        yield "constantofshape_%d" % v, model_bytes([helper.make_node("ConstantOfShape", ["s"], ["y"])], [], [vi("y", None)],
                                                    [const_i64("s", [v, v])])
        yield "expand_%d" % v, model_bytes([helper.make_node("Expand", ["x", "s"], ["y"])], [x], [vi("y", None)],
                                           [const_i64("s", [v, 3])])
        yield "slice_%d" % v, model_bytes([helper.make_node("Slice", ["x", "st", "en", "ax", "sp"], ["y"])], [x], [vi("y", None)],
                                          [const_i64("st", [v]), const_i64("en", [-v if v != -(2 ** 62) else v]),
                                           const_i64("ax", [1]), const_i64("sp", [v if v else 1])])
        yield "pad_%d" % v, model_bytes([helper.make_node("Pad", ["x", "p"], ["y"])], [x], [vi("y", None)],
                                        [const_i64("p", [v, 0, 0, v])])
        yield "tile_%d" % v, model_bytes([helper.make_node("Tile", ["x", "r"], ["y"])], [x], [vi("y", None)],
                                         [const_i64("r", [v, v])])


def wide_cases():
    """Nodes with very many inputs (VLAs sized by input count overflowed the stack)."""
    for op, n in (("Concat", 100000), ("Sum", 100000), ("Max", 30000)):
        names = ["x%d" % i for i in range(n)]
        kw = {"axis": 0} if op == "Concat" else {}
        node = helper.make_node(op, names, ["y"], **kw)
        inits = [numpy_helper.from_array(np.array([float(k % 7)], np.float32), nm) for k, nm in enumerate(names)]
        yield "wide_%s_%d" % (op.lower(), n), model_bytes([node], [], [vi("y", None)], inits)






def nesting_cases():
    """Messages nested thousands deep, written as raw protobuf (python's protobuf refuses them)."""
    for depth in (200, 5000, 100000):
        t = field(1, field(1, b""))  # TypeProto.tensor_type {elem_type...}: start with an empty tensor type
        for _ in range(depth):
            t = field(4, field(1, t))  # TypeProto.sequence_type { elem_type: t }
        value = field(1, b"x") + field(2, t)  # ValueInfoProto {name, type}
        graph = field(1, field(1, b"x") + field(2, b"y") + field(4, b"Identity")) + field(2, b"g") + field(11, value) + \
            field(12, field(1, b"y"))
        model = b"\x08\x08" + field(7, graph) + field(8, field(1, b"") + b"\x10\x11")
        yield "nested_type_%d" % depth, model
    for depth in (1000, 100000):
        g = field(1, field(1, b"c") + field(2, b"o") + field(4, b"Identity"))
        for _ in range(depth):
            attr = field(1, b"then_branch") + b"\x20\x05" + field(6, g)  # AttributeProto {name, type GRAPH, g}
            g = field(1, field(1, b"c") + field(2, b"o") + field(4, b"If") + field(5, attr))
        model = b"\x08\x08" + field(7, g + field(2, b"g")) + field(8, field(1, b"") + b"\x10\x11")
        yield "nested_if_%d" % depth, model


def mutated_cases(root, count):
    """Byte-level mutations of the shipped models: flips, truncations, duplicated runs."""
    rng = random.Random(17)
    seeds = [open(os.path.join(root, "models", d, "model.onnx"), "rb").read()
             for d in sorted(os.listdir(os.path.join(root, "models"))) if os.path.exists(os.path.join(root, "models", d, "model.onnx"))]
    for i in range(count):
        b = bytearray(seeds[i % len(seeds)])
        kind = i % 4
        if kind == 0:
            for _ in range(rng.randint(1, 8)):
                b[rng.randrange(len(b))] = rng.randrange(256)
        elif kind == 1:
            b = b[:rng.randrange(len(b))]
        elif kind == 2:
            at = rng.randrange(len(b))
            b[at:at] = b[at:at + rng.randint(1, 64)] * rng.randint(1, 4)
        else:
            at = rng.randrange(len(b))
            b[at:at + 4] = rng.choice([b"\xff\xff\xff\xff", b"\x7f\xff\xff\xff", b"\x00\x00\x00\x80", b"\x80\x80\x80\x80"])
        yield "mutated_%03d" % i, bytes(b)


# ---- the later op families (control flow, recurrent, vision, signal, losses, quantized, random,
# index ops): each case is (name, model, node) -- node: the node the one-line error must name
# (exit 2 required), or None where the input is extreme but valid (no crash, hang or huge
# allocation is all that is asked)

def i64(name, v):
    return numpy_helper.from_array(np.array(v, dtype=np.int64), name)


def f32(name, v):
    return numpy_helper.from_array(np.array(v, dtype=np.float32), name)


def one(op, inputs, inits, outs=1, opset=17, out_types=None, graph_inputs=(), **attrs):
    """A model of one node named 'bad' reading initializers (and graph_inputs)."""
    names = ["y%d" % i for i in range(outs)]
    node = helper.make_node(op, inputs, names, name="bad", **attrs)
    types = out_types or [FLOAT] * outs
    return model_bytes([node], list(graph_inputs), [vi(n, None, t) for n, t in zip(names, types)], inits, opset)


def loop_body(cond_from="c", carried=True, extra_out=False, drop_in=False, scan=False):
    ins = [vi("i", [], INT64), vi("c", [], TensorProto.BOOL)] + ([] if drop_in else [vi("v", [2])])
    nodes = [helper.make_node("Identity", [cond_from], ["co"]), helper.make_node("Add", ["v", "one"], ["vo"])]
    outs = [vi("co", [], TensorProto.BOOL), vi("vo", None)]
    if scan:
        nodes.append(helper.make_node("Identity", ["vo"], ["so"]))
        outs.append(vi("so", None))
    if extra_out:
        outs.append(vi("v", None))
    return helper.make_graph(nodes, "body", ins, outs, initializer=[f32("one", [1, 1])])


def loop_model(m, cond, body, outs=1, extra_nodes=(), opset=17):
    inits = [f32("v0", [0, 0])]
    ins = []
    if m is not None:
        inits.append(i64("M", m) if not isinstance(m, float) else f32("M", m))
    if cond is not None:
        inits.append(numpy_helper.from_array(np.array(cond), "C"))
    node = helper.make_node("Loop", ["M" if m is not None else "", "C" if cond is not None else "", "v0"],
                            ["y%d" % i for i in range(outs)], name="bad", body=body)
    return model_bytes([node] + list(extra_nodes), ins, [vi("y%d" % i, None) for i in range(outs)], inits, opset)


def control_cases():
    big = 2 ** 62
    yield "loop_huge_trip_count", loop_model(big, None, loop_body()), "bad"
    yield "loop_no_trip_count_no_cond", loop_model(None, None, loop_body()), "bad"
    yield "loop_huge_trip_scan_output", loop_model(big, np.array(True), loop_body(scan=True), outs=2), "bad"
    inner = helper.make_graph([helper.make_node("Loop", ["M", "", "v"], ["vo"], name="inner", body=loop_body()),
                               helper.make_node("Identity", ["c"], ["co"])], "outer_body",
                              [vi("i", [], INT64), vi("c", [], TensorProto.BOOL), vi("v", [2])],
                              [vi("co", [], TensorProto.BOOL), vi("vo", None)])
    yield "loop_nested_product", loop_model(3000, None, inner), "bad"
    yield "loop_body_too_few_inputs", loop_model(2, None, loop_body(drop_in=True)), "bad"
    yield "loop_body_extra_output", loop_model(2, None, loop_body(extra_out=True)), "bad"
    yield "loop_trip_count_float", loop_model(2.0, None, loop_body()), "bad"
    yield "loop_trip_count_two_values", loop_model([2, 3], None, loop_body()), "bad"
    yield "loop_cond_int", loop_model(2, np.array(1, np.int64), loop_body()), "bad"
    yield "loop_negative_trip_count", loop_model(-5, None, loop_body()), None
    grow = helper.make_graph([helper.make_node("Identity", ["c"], ["co"]), helper.make_node("Concat", ["v", "v"], ["vo"], name="grow_concat", axis=0),
                              helper.make_node("Identity", ["v"], ["so"])], "body",
                             [vi("i", [], INT64), vi("c", [], TensorProto.BOOL), vi("v", None)],
                             [vi("co", [], TensorProto.BOOL), vi("vo", None), vi("so", None)])
    yield "loop_scan_output_changes_shape", loop_model(3, None, grow, outs=2), "bad"
    yield "loop_carried_doubles", loop_model(40, None, grow, outs=2), "grow_concat", ["--max-tensor-bytes", "8M"]
    # 1 MB scan parts under an 8 MB limit: the parts are stacked into one tensor, so the 9th
    # part fails at once instead of piling up for 2^62 iterations
    body = helper.make_graph([helper.make_node("Identity", ["c"], ["co"]), helper.make_node("Identity", ["v"], ["vo"]),
                              helper.make_node("Identity", ["big"], ["so"])], "body",
                             [vi("i", [], INT64), vi("c", [], TensorProto.BOOL), vi("v", [2])],
                             [vi("co", [], TensorProto.BOOL), vi("vo", None), vi("so", None)])
    node = helper.make_node("Loop", ["M", "", "v0"], ["y0", "y1"], name="bad", body=body)
    yield "loop_scan_parts_exceed_tensor_limit", model_bytes([node], [], [vi("y0", None), vi("y1", None)],
                                                             [i64("M", big), f32("v0", [0, 0]), f32("big", np.zeros(1 << 18))]), "bad", \
        ["--max-tensor-bytes", "8M"]
    # If
    then_g = helper.make_graph([helper.make_node("Identity", ["a"], ["t"])], "then", [], [vi("t", None)], [f32("a", [1])])
    else2 = helper.make_graph([helper.make_node("Identity", ["b"], ["e"]), helper.make_node("Identity", ["b"], ["e2"])], "else", [],
                              [vi("e", None), vi("e2", None)], [f32("b", [2])])
    else_int = helper.make_graph([helper.make_node("Identity", ["b"], ["e"])], "else", [], [vi("e", None, INT64)], [i64("b", [2])])
    for name, cond, eg in (("if_empty_condition", np.zeros([0], bool), then_g), ("if_two_conditions", np.array([True, False]), then_g),
                           ("if_else_two_outputs", np.array(True), else2), ("if_branch_dtypes_differ", np.array(False), else_int),
                           ("if_condition_float", np.array(1.0, np.float32), then_g)):
        node = helper.make_node("If", ["C"], ["y0"], name="bad", then_branch=then_g, else_branch=eg)
        yield name, model_bytes([node], [], [vi("y0", None, INT64 if eg is else_int else FLOAT)], [numpy_helper.from_array(cond, "C")]), "bad"
    node = helper.make_node("If", ["C"], ["y0"], name="bad", then_branch=then_g)
    yield "if_no_else_branch", model_bytes([node], [], [vi("y0", None)], [numpy_helper.from_array(np.array(True), "C")]), "bad"
    # Scan
    body = helper.make_graph([helper.make_node("Add", ["s", "x"], ["so"]), helper.make_node("Identity", ["so"], ["yo"])], "body",
                             [vi("s", [2]), vi("x", [2])], [vi("so", None), vi("yo", None)])
    def scan(name, inputs, inits, node_name="bad", **kw):
        kw.setdefault("num_scan_inputs", 1)
        node = helper.make_node("Scan", inputs, ["y0", "y1"], name=node_name, body=body, **kw)
        return name, model_bytes([node], [], [vi("y0", None), vi("y1", None)], inits, 11), "bad"
    s0, xs = f32("s0", [0, 0]), f32("xs", np.ones([3, 2]))
    yield scan("scan_num_scan_inputs_0", ["s0", "xs"], [s0, xs], num_scan_inputs=0)
    yield scan("scan_num_scan_inputs_huge", ["s0", "xs"], [s0, xs], num_scan_inputs=2 ** 40)
    yield scan("scan_input_axis_out_of_range", ["s0", "xs"], [s0, xs], scan_input_axes=[5])
    yield scan("scan_output_axis_out_of_range", ["s0", "xs"], [s0, xs], scan_output_axes=[-9])
    yield scan("scan_direction_2", ["s0", "xs"], [s0, xs], scan_input_directions=[2])
    yield scan("scan_lengths_differ", ["s0", "xs", "xt"], [s0, xs, f32("xt", np.ones([4, 2]))], num_scan_inputs=2)
    yield scan("scan_scalar_scan_input", ["s0", "xq"], [s0, f32("xq", 1.0)])


def recurrent_cases():
    for op, G in (("RNN", 1), ("GRU", 3), ("LSTM", 4)):
        S, B, I, H = 2, 1, 3, 2
        X, W, R = f32("X", np.ones([S, B, I])), f32("W", np.ones([1, G * H, I])), f32("R", np.ones([1, G * H, H]))
        lo = op.lower()
        yield lo + "_hidden_size_mismatch", one(op, ["X", "W", "R"], [X, W, R], hidden_size=H + 1), "bad"
        yield lo + "_hidden_size_huge", one(op, ["X", "W", "R"], [X, W, R], hidden_size=2 ** 40), "bad"
        yield lo + "_hidden_size_negative", one(op, ["X", "W", "R"], [X, W, R], hidden_size=-2), "bad"
        yield lo + "_direction_bogus", one(op, ["X", "W", "R"], [X, W, R], hidden_size=H, direction="sideways"), "bad"
        yield lo + "_bidirectional_one_dir_weights", one(op, ["X", "W", "R"], [X, W, R], hidden_size=H, direction="bidirectional"), "bad"
        yield lo + "_x_rank2", one(op, ["X2", "W", "R"], [f32("X2", np.ones([S, I])), W, R], hidden_size=H), "bad"
        yield lo + "_layout_2", one(op, ["X", "W", "R"], [X, W, R], hidden_size=H, layout=2), "bad"
        lens = numpy_helper.from_array(np.array([S + 3], np.int32), "L")
        yield lo + "_seq_lens_too_long", one(op, ["X", "W", "R", "", "L"], [X, W, R, lens], hidden_size=H), "bad"
        lens = numpy_helper.from_array(np.array([-1], np.int32), "L")
        yield lo + "_seq_lens_negative", one(op, ["X", "W", "R", "", "L"], [X, W, R, lens], hidden_size=H), "bad"
        lens = numpy_helper.from_array(np.array([1, 1], np.int32), "L")
        yield lo + "_seq_lens_wrong_batch", one(op, ["X", "W", "R", "", "L"], [X, W, R, lens], hidden_size=H), "bad"
        yield lo + "_bias_short", one(op, ["X", "W", "R", "Bs"], [X, W, R, f32("Bs", np.ones([1, G * H]))], hidden_size=H), "bad"
        yield lo + "_initial_h_wrong", one(op, ["X", "W", "R", "", "", "H0"], [X, W, R, f32("H0", np.ones([1, B, H + 1]))], hidden_size=H), "bad"
        yield lo + "_x_nan", one(op, ["Xn", "W", "R"], [f32("Xn", np.full([S, B, I], np.nan)), W, R], hidden_size=H), None
        yield lo + "_empty_sequence", one(op, ["X0", "W", "R"], [f32("X0", np.ones([0, B, I])), W, R], hidden_size=H), None
    X, W, R = f32("X", np.ones([2, 1, 3])), f32("W", np.ones([1, 8, 3])), f32("R", np.ones([1, 8, 2]))
    yield "lstm_peephole_short", one("LSTM", ["X", "W", "R", "", "", "", "", "P"], [X, W, R, f32("P", np.ones([1, 2]))], hidden_size=2), "bad"
    yield "lstm_activations_unknown", one("LSTM", ["X", "W", "R"], [X, W, R], hidden_size=2, activations=["Foo", "Tanh", "Tanh"]), "bad"


def vision_cases():
    x = f32("X", np.ones([1, 2, 4, 4]))
    boxes, scores = f32("bx", np.random.RandomState(0).rand(1, 3, 4)), f32("sc", np.ones([1, 1, 3]))
    yield "nms_huge_max_output", one("NonMaxSuppression", ["bx", "sc", "mo"], [boxes, scores, i64("mo", 2 ** 62)], out_types=[INT64]), None
    yield "nms_boxes_rank2", one("NonMaxSuppression", ["b2", "sc"], [f32("b2", np.ones([3, 4])), scores], out_types=[INT64]), "bad"
    yield "nms_scores_other_count", one("NonMaxSuppression", ["bx", "s4"], [boxes, f32("s4", np.ones([1, 1, 4]))], out_types=[INT64]), "bad"
    yield "nms_center_point_box_5", one("NonMaxSuppression", ["bx", "sc"], [boxes, scores], out_types=[INT64], center_point_box=5), "bad"
    yield "nms_no_boxes", one("NonMaxSuppression", ["b0", "s0", "mo"], [f32("b0", np.ones([1, 0, 4])), f32("s0", np.ones([1, 2, 0])), i64("mo", 3)],
                              out_types=[INT64]), None
    yield "nms_nan_boxes_and_scores", one("NonMaxSuppression", ["bn", "sn", "mo"], [f32("bn", np.full([1, 3, 4], np.nan)),
                                          f32("sn", [[[np.nan, 1, np.nan]]]), i64("mo", 3)], out_types=[INT64]), None
    rois, bi = f32("rois", [[0, 0, 2, 2]]), i64("bi", [0])
    yield "roialign_batch_index_out_of_range", one("RoiAlign", ["X", "rois", "bi9"], [x, rois, i64("bi9", [9])]), "bad"
    yield "roialign_batch_index_negative", one("RoiAlign", ["X", "rois", "bim"], [x, rois, i64("bim", [-1])]), "bad"
    yield "roialign_output_huge", one("RoiAlign", ["X", "rois", "bi"], [x, rois, bi], output_height=2 ** 40, output_width=2 ** 40), "bad"
    yield "roialign_output_zero", one("RoiAlign", ["X", "rois", "bi"], [x, rois, bi], output_height=0), "bad"
    yield "roialign_sampling_negative", one("RoiAlign", ["X", "rois", "bi"], [x, rois, bi], sampling_ratio=-3), "bad"
    yield "roialign_rois_nan_inf", one("RoiAlign", ["X", "rn", "bi"], [x, f32("rn", [[np.nan, -np.inf, np.inf, 1e30]]), bi]), None
    yield "roialign_rois_huge_sampling", one("RoiAlign", ["X", "rh", "bi"], [x, f32("rh", [[0, 0, 3e38, 3e38]]), bi]), None
    yield "roialign_region_of_1e12_samples", one("RoiAlign", ["X", "rb", "bi"], [x, f32("rb", [[0, 0, 999000, 999000]]), bi],
                                                 opset=16, output_height=1, output_width=1), "bad"
    yield "roialign_sampling_ratio_huge", one("RoiAlign", ["X", "rois", "bi"], [x, rois, bi], sampling_ratio=200000), "bad"
    yield "roialign_mode_bogus", one("RoiAlign", ["X", "rois", "bi"], [x, rois, bi], mode="median"), "bad"
    yield "maxroipool_nan_batch_index", one("MaxRoiPool", ["X", "r5"], [x, f32("r5", [[np.nan, 0, 0, 1, 1]])], pooled_shape=[2, 2]), "bad"
    yield "maxroipool_batch_index_out_of_range", one("MaxRoiPool", ["X", "r5"], [x, f32("r5", [[3, 0, 0, 1, 1]])], pooled_shape=[2, 2]), "bad"
    yield "maxroipool_huge_batch_index", one("MaxRoiPool", ["X", "r5"], [x, f32("r5", [[1e30, 0, 0, 1, 1]])], pooled_shape=[2, 2]), "bad"
    yield "maxroipool_coords_nan_inf", one("MaxRoiPool", ["X", "r5"], [x, f32("r5", [[0, np.nan, -np.inf, np.inf, 1e30]])], pooled_shape=[2, 2]), None
    yield "maxroipool_pooled_huge", one("MaxRoiPool", ["X", "r5"], [x, f32("r5", [[0, 0, 0, 1, 1]])], pooled_shape=[2 ** 40, 2 ** 40]), "bad"
    yield "maxroipool_pooled_zero", one("MaxRoiPool", ["X", "r5"], [x, f32("r5", [[0, 0, 0, 1, 1]])], pooled_shape=[0, 2]), "bad"
    grid = f32("g", np.zeros([1, 2, 2, 2]))
    yield "gridsample_grid_last_dim_3", one("GridSample", ["X", "g3"], [x, f32("g3", np.zeros([1, 2, 2, 3]))], opset=16), "bad"
    yield "gridsample_batch_mismatch", one("GridSample", ["X", "gb"], [x, f32("gb", np.zeros([2, 2, 2, 2]))], opset=16), "bad"
    yield "gridsample_mode_bogus", one("GridSample", ["X", "g"], [x, grid], opset=16, mode="trilinear"), "bad"
    yield "gridsample_padding_bogus", one("GridSample", ["X", "g"], [x, grid], opset=16, padding_mode="wrap"), "bad"
    special = f32("gs", np.array([np.nan, np.inf, -np.inf, 1e30, -1e30, 3e38, np.nan, 0]).reshape(1, 2, 2, 2))
    for mode in ("bilinear", "nearest", "bicubic"):
        for pad in ("zeros", "border", "reflection"):
            yield "gridsample_nan_inf_%s_%s" % (mode, pad), one("GridSample", ["X", "gs"], [x, special], opset=16, mode=mode,
                                                                padding_mode=pad), None
    theta = f32("th", np.zeros([1, 2, 3]))
    yield "affinegrid_size_negative", one("AffineGrid", ["th", "sz"], [theta, i64("sz", [1, 1, -4, 4])], opset=20), "bad"
    yield "affinegrid_size_huge", one("AffineGrid", ["th", "sz"], [theta, i64("sz", [1, 1, 2 ** 40, 2 ** 40])], opset=20), "bad"
    yield "affinegrid_batch_mismatch", one("AffineGrid", ["th", "sz"], [theta, i64("sz", [3, 1, 4, 4])], opset=20), "bad"
    yield "affinegrid_size_three_values", one("AffineGrid", ["th", "sz"], [theta, i64("sz", [1, 1, 4])], opset=20), "bad"
    w = f32("W", np.ones([1, 2, 2, 2]))
    yield "deformconv_offset_channels_wrong", one("DeformConv", ["X", "W", "off"], [x, w, f32("off", np.zeros([1, 7, 3, 3]))], opset=19), "bad"
    yield "deformconv_offset_group_3", one("DeformConv", ["X", "W", "off"], [x, w, f32("off", np.zeros([1, 24, 3, 3]))], opset=19, offset_group=3), "bad"
    yield "deformconv_offset_spatial_wrong", one("DeformConv", ["X", "W", "off"], [x, w, f32("off", np.zeros([1, 8, 4, 4]))], opset=19), "bad"
    yield "deformconv_offsets_nan_huge", one("DeformConv", ["X", "W", "off"], [x, w, f32("off", np.tile(np.array([np.nan, 1e30, -3e38, np.inf], np.float32), 18).reshape(1, 8, 3, 3))],
                                             opset=19), None
    yield "deformconv_mask_wrong", one("DeformConv", ["X", "W", "off", "", "mk"], [x, w, f32("off", np.zeros([1, 8, 3, 3])), f32("mk", np.ones([1, 5, 3, 3]))], opset=19), "bad"
    blocks = f32("cb", np.ones([1, 4, 9]))
    yield "col2im_block_count_wrong", one("Col2Im", ["cb", "im", "bs"], [f32("cb", np.ones([1, 4, 8])), i64("im", [4, 4]), i64("bs", [2, 2])], opset=18), "bad"
    yield "col2im_block_zero", one("Col2Im", ["cb", "im", "bs"], [blocks, i64("im", [4, 4]), i64("bs", [0, 2])], opset=18), "bad"
    yield "col2im_image_huge", one("Col2Im", ["cb", "im", "bs"], [blocks, i64("im", [2 ** 62, 2 ** 62]), i64("bs", [2, 2])], opset=18), "bad"
    yield "col2im_stride_zero", one("Col2Im", ["cb", "im", "bs"], [blocks, i64("im", [4, 4]), i64("bs", [2, 2])], opset=18, strides=[0, 1]), "bad"
    yield "col2im_dilation_huge", one("Col2Im", ["cb", "im", "bs"], [blocks, i64("im", [4, 4]), i64("bs", [2, 2])], opset=18, dilations=[2 ** 62, 1]), "bad"
    yield "col2im_image_shape_3_values", one("Col2Im", ["cb", "im", "bs"], [blocks, i64("im", [4, 4, 4]), i64("bs", [2, 2])], opset=18), "bad"
    yield "centercroppad_negative", one("CenterCropPad", ["X", "sh"], [x, i64("sh", [1, 2, -3, 4])], opset=18), "bad"
    yield "centercroppad_huge", one("CenterCropPad", ["X", "sh"], [x, i64("sh", [1, 2, 2 ** 40, 2 ** 40])], opset=18), "bad"
    yield "centercroppad_axes_out_of_range", one("CenterCropPad", ["X", "sh"], [x, i64("sh", [2])], opset=18, axes=[7]), "bad"
    yield "centercroppad_axes_repeated", one("CenterCropPad", ["X", "sh"], [x, i64("sh", [2, 3])], opset=18, axes=[2, -2]), "bad"
    yield "centercroppad_shape_count_wrong", one("CenterCropPad", ["X", "sh"], [x, i64("sh", [2, 3])], opset=18), "bad"
    xi = f32("xi", np.ones([1, 1, 2, 2]))
    yield "maxunpool_index_out_of_range", one("MaxUnpool", ["xi", "ix"], [xi, i64("ix", np.full([1, 1, 2, 2], 16))], kernel_shape=[2, 2], strides=[2, 2]), "bad"
    yield "maxunpool_index_negative", one("MaxUnpool", ["xi", "ix"], [xi, i64("ix", np.full([1, 1, 2, 2], -1))], kernel_shape=[2, 2], strides=[2, 2]), "bad"
    yield "maxunpool_index_shape_wrong", one("MaxUnpool", ["xi", "ix"], [xi, i64("ix", np.zeros([1, 1, 2, 3]))], kernel_shape=[2, 2], strides=[2, 2]), "bad"
    yield "maxunpool_output_shape_small", one("MaxUnpool", ["xi", "ix", "os"], [xi, i64("ix", [[[[0, 3], [8, 15]]]]), i64("os", [1, 1, 1, 1])],
                                              kernel_shape=[2, 2], strides=[2, 2]), "bad"
    yield "maxunpool_output_shape_huge", one("MaxUnpool", ["xi", "ix", "os"], [xi, i64("ix", [[[[0, 3], [8, 15]]]]), i64("os", [1, 1, 2 ** 40, 2 ** 40])],
                                             kernel_shape=[2, 2], strides=[2, 2]), "bad"
    yield "maxunpool_stride_zero", one("MaxUnpool", ["xi", "ix"], [xi, i64("ix", np.zeros([1, 1, 2, 2]))], kernel_shape=[2, 2], strides=[0, 2]), "bad"


def loss_cases():
    sc = f32("sc", np.ones([2, 3]))
    for op in ("SoftmaxCrossEntropyLoss", "NegativeLogLikelihoodLoss"):
        lo = "sce" if op.startswith("Softmax") else "nll"
        yield lo + "_label_out_of_range", one(op, ["sc", "lb"], [sc, i64("lb", [0, 3])]), "bad"
        yield lo + "_label_negative", one(op, ["sc", "lb"], [sc, i64("lb", [0, -4])]), "bad"
        yield lo + "_label_huge", one(op, ["sc", "lb"], [sc, i64("lb", [0, 2 ** 62])]), "bad"
        yield lo + "_label_batch_wrong", one(op, ["sc", "lb"], [sc, i64("lb", [0, 1, 2])]), "bad"
        yield lo + "_weights_wrong_length", one(op, ["sc", "lb", "w"], [sc, i64("lb", [0, 1]), f32("w", [1, 1])]), "bad"
        yield lo + "_reduction_bogus", one(op, ["sc", "lb"], [sc, i64("lb", [0, 1])], reduction="median"), "bad"
        yield lo + "_all_ignored_mean", one(op, ["sc", "lb"], [sc, i64("lb", [2, 2])], ignore_index=2), None
        yield lo + "_scores_rank1", one(op, ["s1", "lb"], [f32("s1", [1, 2]), i64("lb", [0, 1])]), "bad"
        yield lo + "_empty_batch", one(op, ["s0", "l0"], [f32("s0", np.ones([0, 3])), i64("l0", np.zeros([0]))]), None
        yield lo + "_zero_weights_mean", one(op, ["sc", "lb", "w"], [sc, i64("lb", [0, 1]), f32("w", [0, 0, 0])]), None


def signal_cases():
    x = f32("x", np.ones([1, 4, 1]))
    for opset in (17, 20):
        def dft(name, inputs, inits, **kw):
            if opset == 17:
                return "dft%d_%s" % (opset, name), one("DFT", inputs, inits, opset=opset, **kw), "bad"
            return "dft%d_%s" % (opset, name), one("DFT", inputs + ["ax"], inits + [i64("ax", kw.pop("axis", 1))], opset=opset, **kw), "bad"
        for v in (0, -1, 2 ** 40, 2 ** 62):
            yield dft("length_%d" % v, ["x", "n"], [x, i64("n", v)])
        yield dft("axis_out_of_range", ["x", ""], [x], axis=5)
        yield dft("axis_last", ["x", ""], [x], axis=2 if opset == 17 else -1)
        yield dft("last_dim_3", ["x3", ""], [f32("x3", np.ones([1, 4, 3]))])
        yield dft("length_two_values", ["x", "n"], [x, i64("n", [2, 2])])
    sig = f32("sig", np.ones([1, 8, 1]))
    yield "stft_step_zero", one("STFT", ["sig", "st", "", "fl"], [sig, i64("st", 0), i64("fl", 4)]), "bad"
    yield "stft_step_negative", one("STFT", ["sig", "st", "", "fl"], [sig, i64("st", -2), i64("fl", 4)]), "bad"
    yield "stft_frame_longer_than_signal", one("STFT", ["sig", "st", "", "fl"], [sig, i64("st", 1), i64("fl", 9)]), "bad"
    yield "stft_frame_huge", one("STFT", ["sig", "st", "", "fl"], [sig, i64("st", 1), i64("fl", 2 ** 62)]), "bad"
    yield "stft_window_length_differs", one("STFT", ["sig", "st", "win", "fl"], [sig, i64("st", 1), f32("win", np.ones(3)), i64("fl", 4)]), "bad"
    yield "stft_no_window_no_length", one("STFT", ["sig", "st"], [sig, i64("st", 1)]), "bad"
    yield "stft_step_huge", one("STFT", ["sig", "st", "", "fl"], [sig, i64("st", 2 ** 62), i64("fl", 4)]), None
    for op in ("HannWindow", "HammingWindow", "BlackmanWindow"):
        for v in (-1, 2 ** 40, 2 ** 62):
            yield "%s_size_%d" % (op.lower(), v), one(op, ["n"], [i64("n", v)]), "bad"
        yield "%s_size_two_values" % op.lower(), one(op, ["n"], [i64("n", [3, 3])]), "bad"
        yield "%s_output_string" % op.lower(), one(op, ["n"], [i64("n", 4)], output_datatype=8), "bad"
    mel = lambda name, b, d, r, lo, hi: ("mel_" + name, one("MelWeightMatrix", ["b", "d", "r", "lo", "hi"],
                                                            [i64("b", b), i64("d", d), i64("r", r), f32("lo", lo), f32("hi", hi)]), "bad")
    yield mel("bins_huge", 2 ** 40, 16, 16000, 0.0, 8000.0)
    yield mel("bins_zero", 0, 16, 16000, 0.0, 8000.0)
    yield mel("dft_length_huge", 4, 2 ** 62, 16000, 0.0, 8000.0)
    yield mel("dft_length_zero", 4, 0, 16000, 0.0, 8000.0)
    yield mel("sample_rate_zero", 4, 16, 0, 0.0, 8000.0)
    yield mel("edges_reversed", 4, 16, 16000, 8000.0, 10.0)[:2]
    yield mel("edges_nan", 4, 16, 16000, float("nan"), 8000.0)
    yield mel("upper_above_nyquist", 4, 16, 16000, 0.0, 9e9)


def misc_cases():
    x = f32("x", np.arange(6, dtype=np.float32).reshape(2, 3))
    yield "unique_axis_out_of_range", one("Unique", ["x"], [x], axis=2), "bad"
    yield "unique_nan_values", one("Unique", ["xn"], [f32("xn", [np.nan, np.nan, 1, -0.0, 0.0])]), None
    yield "unique_empty", one("Unique", ["x0"], [f32("x0", np.ones([0, 3]))], axis=1), None
    b = lambda name, v: numpy_helper.from_array(np.array(v, bool), name)
    yield "compress_condition_too_long", one("Compress", ["x", "c"], [x, b("c", [1, 0, 1, 1])], axis=1), "bad"
    yield "compress_axis_out_of_range", one("Compress", ["x", "c"], [x, b("c", [1, 0])], axis=-3), "bad"
    yield "compress_condition_rank2", one("Compress", ["x", "c"], [x, b("c", [[1, 0]])], axis=0), "bad"
    yield "compress_condition_float", one("Compress", ["x", "cf"], [x, f32("cf", [1, 0])], axis=0), "bad"
    yield "det_not_square", one("Det", ["x"], [x]), "bad"
    yield "det_rank1", one("Det", ["v"], [f32("v", [1, 2])]), "bad"
    yield "det_nan_inf", one("Det", ["m"], [f32("m", [[np.nan, 1], [np.inf, -np.inf]])]), None
    yield "det_empty_matrix", one("Det", ["m0"], [f32("m0", np.ones([2, 0, 0]))]), None
    past, upd = f32("past", np.zeros([2, 1, 4, 2])), f32("upd", np.ones([2, 1, 1, 2]))
    ts = lambda name, w, node="bad", **kw: (name, one("TensorScatter", ["past", "upd", "wi"], [past, upd, i64("wi", w)], opset=24, **kw), node)
    yield ts("tensorscatter_index_out_of_range", [0, 4])
    yield ts("tensorscatter_index_negative", [0, -1])
    yield ts("tensorscatter_index_huge", [0, 2 ** 62])
    yield ts("tensorscatter_index_huge_circular", [0, 2 ** 62], None, mode="circular")
    yield ts("tensorscatter_index_negative_circular", [0, -(2 ** 62)], "bad", mode="circular")
    yield ts("tensorscatter_index_int64_max_circular", [0, 2 ** 63 - 1], None, mode="circular")
    yield ts("tensorscatter_index_int64_max", [0, 2 ** 63 - 1])
    yield ts("tensorscatter_indices_wrong_count", [0, 1, 2])
    yield ts("tensorscatter_axis_0", [0, 1], axis=0)
    yield ts("tensorscatter_mode_bogus", [0, 1], mode="spiral")
    yield "tensorscatter_update_longer", one("TensorScatter", ["past", "u5"], [past, f32("u5", np.ones([2, 1, 5, 2]))], opset=24), "bad"
    yield "bitcast_to_string", one("BitCast", ["x"], [x], opset=26, to=8), "bad"
    yield "bitcast_to_1000", one("BitCast", ["x"], [x], opset=26, to=1000), "bad"
    yield "bitcast_to_negative", one("BitCast", ["x"], [x], opset=26, to=-1), "bad"
    yield "bitcast_float_to_uint8", one("BitCast", ["x"], [x], opset=26, to=2, out_types=[TensorProto.UINT8]), None
    u8 = lambda name, v: numpy_helper.from_array(np.array(v, np.uint8), name)
    a, bm = u8("a", np.ones([2, 3])), u8("b", np.ones([3, 2]))
    yield "matmulinteger_inner_mismatch", one("MatMulInteger", ["a", "b4"], [a, u8("b4", np.ones([4, 2]))], out_types=[TensorProto.INT32]), "bad"
    yield "matmulinteger_zero_point_length", one("MatMulInteger", ["a", "b", "az"], [a, bm, u8("az", [1, 2, 3, 4, 5])], out_types=[TensorProto.INT32]), "bad"
    yield "matmulinteger_zero_point_dtype", one("MatMulInteger", ["a", "b", "az"], [a, bm, numpy_helper.from_array(np.array(1, np.int8), "az")],
                                                out_types=[TensorProto.INT32]), "bad"
    xc_, wc = u8("xc", np.ones([1, 2, 3, 3])), u8("wc", np.ones([1, 3, 2, 2]))
    yield "convinteger_channels_mismatch", one("ConvInteger", ["xc", "wc"], [xc_, wc], out_types=[TensorProto.INT32]), "bad"
    yield "convinteger_kernel_larger_than_input", one("ConvInteger", ["xc", "wk"], [xc_, u8("wk", np.ones([1, 2, 5, 5]))], out_types=[TensorProto.INT32]), "bad"
    yield "convinteger_stride_zero", one("ConvInteger", ["xc", "wz"], [xc_, u8("wz", np.ones([1, 2, 2, 2]))], out_types=[TensorProto.INT32], strides=[0, 1]), "bad"
    sc, zp = f32("s", 0.1), u8("z", 0)
    for name, ys in (("zero", 0.0), ("nan", np.nan), ("inf", np.inf), ("negative", -1.0)):
        yield "qlinearmatmul_y_scale_%s" % name, one("QLinearMatMul", ["a", "s", "z", "b", "s", "z", "ys", "z"], [a, bm, sc, zp, f32("ys", ys)],
                                                     out_types=[TensorProto.UINT8]), None
    yield "qlinearmatmul_scale_vector_wrong", one("QLinearMatMul", ["a", "sv", "z", "b", "s", "z", "s", "z"], [a, bm, sc, zp, f32("sv", [1, 2, 3, 4, 5])],
                                                  out_types=[TensorProto.UINT8]), "bad"
    yield "qlinearconv_zero_point_dtype_mixed", one("QLinearConv", ["xc", "s", "z", "wc2", "s", "zi", "s", "z"],
                                                    [xc_, u8("wc2", np.ones([1, 2, 2, 2])), sc, zp, numpy_helper.from_array(np.array(0, np.int8), "zi")],
                                                    out_types=[TensorProto.UINT8]), "bad"
    for op in ("RandomNormal", "RandomUniform"):
        lo = op.lower()
        yield lo + "_shape_huge", one(op, [], [], shape=[2 ** 40, 2 ** 40]), "bad"
        yield lo + "_shape_negative", one(op, [], [], shape=[2, -3]), "bad"
        yield lo + "_dtype_string", one(op, [], [], shape=[2], dtype=8), "bad"
        yield lo + "_dtype_int", one(op, [], [], shape=[2], dtype=7), "bad"
    yield "randomuniform_low_above_high", one("RandomUniform", [], [], shape=[2], low=3.0, high=1.0), "bad"
    yield "randomnormal_scale_nan", one("RandomNormal", [], [], shape=[2], scale=float("nan")), None
    yield "bernoulli_probabilities_outside", one("Bernoulli", ["bp"], [f32("bp", [np.nan, -1, 2, np.inf])]), None


def index_cases():
    x = f32("x", np.arange(6, dtype=np.float32).reshape(2, 3))
    for k in (-1, 4, 2 ** 40, 2 ** 62):
        yield "topk_k_%d" % k, one("TopK", ["x", "k"], [x, i64("k", [k])], outs=2, out_types=[FLOAT, INT64]), "bad"
    yield "topk_axis_out_of_range", one("TopK", ["x", "k"], [x, i64("k", [1])], outs=2, out_types=[FLOAT, INT64], axis=2), "bad"
    yield "topk_k_two_values", one("TopK", ["x", "k"], [x, i64("k", [1, 1])], outs=2, out_types=[FLOAT, INT64]), "bad"
    yield "topk_nan_values", one("TopK", ["xn", "k"], [f32("xn", [np.nan, 1, np.nan, -np.inf]), i64("k", [3])], outs=2, out_types=[FLOAT, INT64]), None
    yield "cumsum_axis_out_of_range", one("CumSum", ["x", "ax"], [x, i64("ax", 2)]), "bad"
    yield "cumsum_axis_two_values", one("CumSum", ["x", "ax"], [x, i64("ax", [0, 1])]), "bad"
    yield "argmax_axis_out_of_range", one("ArgMax", ["x"], [x], out_types=[INT64], axis=-3), "bad"
    yield "argmax_empty_axis", one("ArgMax", ["x0"], [f32("x0", np.ones([2, 0]))], out_types=[INT64], axis=1), "bad"
    for name, v in (("past_end", 3), ("negative", -4), ("huge", 2 ** 62), ("min", -(2 ** 63))):
        idx = i64("i", [[0, v]])
        yield "gatherelements_index_%s" % name, one("GatherElements", ["x", "i"], [x, idx], axis=1), "bad"
        yield "scatterelements_index_%s" % name, one("ScatterElements", ["x", "i", "u"], [x, idx, f32("u", [[1, 1]])], axis=1), "bad"
        yield "gathernd_index_%s" % name, one("GatherND", ["x", "i"], [x, i64("i", [[0, v]])]), "bad"
        yield "scatternd_index_%s" % name, one("ScatterND", ["x", "i", "u"], [x, i64("i", [[0, v]]), f32("u", [1])]), "bad"
        yield "onehot_index_%s" % name, one("OneHot", ["oi", "d", "ov"], [i64("oi", [v]), i64("d", 3), f32("ov", [0, 1])]), None
    yield "gatherelements_rank_mismatch", one("GatherElements", ["x", "i"], [x, i64("i", [0, 1])], axis=0), "bad"
    yield "scatterelements_updates_shape", one("ScatterElements", ["x", "i", "u"], [x, i64("i", [[0, 1]]), f32("u", [[1, 1, 1]])], axis=1), "bad"
    yield "scatterelements_reduction_bogus", one("ScatterElements", ["x", "i", "u"], [x, i64("i", [[0, 1]]), f32("u", [[1, 1]])], axis=1,
                                                 reduction="avg"), "bad"
    yield "gathernd_index_too_long", one("GatherND", ["x", "i"], [x, i64("i", [[0, 1, 2]])]), "bad"
    yield "gathernd_batch_dims_huge", one("GatherND", ["x", "i"], [x, i64("i", [[0]])], batch_dims=2 ** 40), "bad"
    yield "scatternd_updates_shape", one("ScatterND", ["x", "i", "u"], [x, i64("i", [[0]]), f32("u", [[1, 1]])]), "bad"
    for v in (0, -1, 2 ** 40, 2 ** 62):
        yield "onehot_depth_%d" % v, one("OneHot", ["oi", "d", "ov"], [i64("oi", [0, 1]), i64("d", v), f32("ov", [0, 1])]), "bad"
    yield "onehot_values_three", one("OneHot", ["oi", "d", "ov"], [i64("oi", [0]), i64("d", 3), f32("ov", [0, 1, 2])]), "bad"
    yield "onehot_axis_out_of_range", one("OneHot", ["oi", "d", "ov"], [i64("oi", [0]), i64("d", 3), f32("ov", [0, 1])], axis=5), "bad"
    yield "onehot_depth_float_huge", one("OneHot", ["oi", "df", "ov"], [i64("oi", [0]), f32("df", 1e30), f32("ov", [0, 1])]), "bad"
    y = f32("y", np.ones([3, 4]))
    for i, eq in enumerate(("ij,jk->ik,", "ij,jk->il", "ij,j->k", "abc", "ij->ii", "i j->j", "ij,kl->ijkl" * 4, "...ij,...j", "ij,jk,kl->il",
                            "a....b->ab", "ij->", "Ij->I", "->", "ij,jk->ik->x", "ij,ik->jk")):
        inputs = ["x", "y", "y"][:eq.split("->")[0].count(",") + 1] if eq != "ij,jk,kl->il" else ["x", "y", "y"]
        yield "einsum_%d" % i, one("Einsum", inputs, [x, y], equation=eq), None
    big = vi("big", [1000, 1000])  # three 4 MB inputs, 1e18 products: refused, not run for ever
    yield "einsum_outer_products_1e18", model_bytes([helper.make_node("Einsum", ["big", "big", "big"], ["y0"], name="bad", equation="ab,cd,ef->")],
                                                    [big], [vi("y0", None)]), "bad"
    xt, wt = f32("xt", np.ones([1, 2, 3, 3])), f32("wt", np.ones([2, 1, 2, 2]))
    yield "convtranspose_output_padding_ge_stride", one("ConvTranspose", ["xt", "wt"], [xt, wt], strides=[2, 2], output_padding=[2, 0]), "bad"
    yield "convtranspose_output_shape_huge", one("ConvTranspose", ["xt", "wt"], [xt, wt], output_shape=[2 ** 40, 2 ** 40]), "bad"
    yield "convtranspose_output_shape_small", one("ConvTranspose", ["xt", "wt"], [xt, wt], output_shape=[1, 1]), None
    yield "convtranspose_group_mismatch", one("ConvTranspose", ["xt", "wt"], [xt, wt], group=3), "bad"
    yield "convtranspose_dilation_huge", one("ConvTranspose", ["xt", "wt"], [xt, wt], dilations=[2 ** 62, 1]), "bad"
    yield "convtranspose_stride_huge", one("ConvTranspose", ["xt", "wt"], [xt, wt], strides=[2 ** 62, 1]), "bad"


# ---- running ----------------------------------------------------------------------------------

def folder_hash(path, skip):
    h = {}
    for dp, dn, fn in os.walk(path):
        for f in fn:
            p = os.path.join(dp, f)
            if p in skip:
                continue
            st = os.lstat(p)
            if stat.S_ISREG(st.st_mode):
                h[p] = hashlib.sha1(open(p, "rb").read()).hexdigest()
            else:
                h[p] = "special:%o" % st.st_mode
    return h


def run_case(xc, folder, args, outputs=(), node=None):
    """Runs one command; returns a failure description or None. node: the command must fail
    (exit 2) with its one line naming that node."""
    skip = {os.path.join(folder, o) for o in outputs}
    before = folder_hash(folder, skip)
    t0 = time.time()
    try:
        # Loops stop at the reference's body-run limit: 1/50 of the default keeps the
        # sanitizer build of a huge-trip-count case well inside LIMIT_S
        env = dict(os.environ, CROSSCHECK_MAX_LOOP_ITERATIONS="20000")
        r = subprocess.run([xc] + args, cwd=folder, capture_output=True, timeout=LIMIT_S, stdin=subprocess.DEVNULL, env=env)
    except subprocess.TimeoutExpired:
        return "hang (over %d s)" % LIMIT_S
    err = r.stderr.decode("utf-8", "replace")
    if r.returncode < 0 or r.returncode not in (0, 1, 2):
        return "exit %d (signal or crash) %.1fs: %s" % (r.returncode, time.time() - t0, err[-400:])
    if "Sanitizer" in err or "runtime error" in err:
        return "sanitizer report: " + err[-600:]
    lines = [L for L in err.strip().splitlines() if not L.startswith(("Suppressions used", "  count", "---", "#"))]
    if r.returncode == 2 and len(lines) != 1:
        return "exit 2 with %d stderr lines: %s" % (len(lines), err[-400:])
    if node and (r.returncode != 2 or "node '%s'" % node not in err):
        return "expected exit 2 naming node '%s', got exit %d: %s" % (node, r.returncode, err[-300:])
    after = folder_hash(folder, skip)
    if after != before:
        changed = sorted(set(before.items()) ^ set(after.items()))
        return "changed files outside the named outputs: %s" % [c[0] for c in changed][:5]
    return None


def file_cases(folder, model):
    """Special files where crosscheck expects files: FIFOs, folders, empty files, dangling links."""
    os.mkfifo(os.path.join(folder, "fifo"))
    os.mkdir(os.path.join(folder, "adir"))
    open(os.path.join(folder, "empty"), "wb").close()
    os.symlink("nowhere", os.path.join(folder, "dangling"))
    for special in ("fifo", "adir", "empty", "dangling", "/dev/null"):
        yield "model_is_%s" % special.strip("/").replace("/", "_"), ["run", special, "--ref"], ()
        yield "inspect_%s" % special.strip("/").replace("/", "_"), ["inspect", "model", special], ()
        for opt in ("--load-inputs", "--load-outputs"):
            yield "%s_%s" % (opt[2:], special.strip("/").replace("/", "_")), ["run", model, "--ref", opt, special], ()
        for opt in ("--timing-cache", "--load-tactics"):
            # the timing cache is read and updated: the path the user named is an output too
            named = ("out.plan", special) if opt == "--timing-cache" else ("out.plan",)
            yield "%s_%s" % (opt[2:], special.strip("/").replace("/", "_")), ["build", model, "-o", "out.plan", opt, special], named
        yield "plan_%s" % special.strip("/").replace("/", "_"), ["run", model, "--plan", special], ()
        yield "results_%s" % special.strip("/").replace("/", "_"), ["inspect", "results", special], ()


def option_cases(model):
    """Absurd option values: each must be refused with one line (or accepted sensibly)."""
    values = ["nan", "inf", "-inf", "-1", "1e400", "99999999999999999999", "0x10", "", "3.5", "\x1b[31m", "a\nb", "1:2:3"]
    for opt in ("--atol", "--rtol", "--seed", "--iterations", "--memory-limit", "--max-tensor-bytes", "--val-range",
                "--input-shapes", "--error-quantile", "--check-error-stat"):
        for i, v in enumerate(values):
            yield "opt%s_%d" % (opt, i), ["run", model, "--ref", opt, v], ()


def collect(root, folder, model):
    cases = []
    families = (conv_cases(), pool_cases(), range_cases(), empty_huge_cases(), shape_value_cases(), wide_cases(),
                nesting_cases(), mutated_cases(root, 120), control_cases(), recurrent_cases(), vision_cases(), loss_cases(),
                signal_cases(), misc_cases(), index_cases())
    for fam in families:
        for case in fam:
            name, data, node, extra = case[0], case[1], case[2] if len(case) > 2 else None, list(case[3]) if len(case) > 3 else []
            path = os.path.join(folder, name + ".onnx")
            with open(path, "wb") as f:
                f.write(data)
            cases.append((name + " (run)", ["run", name + ".onnx", "--ref"] + extra, (), node))
            cases.append((name + " (inspect)", ["inspect", "model", name + ".onnx"], (), None))
    cases += [c + (None,) for c in file_cases(folder, model)]
    cases += [c + (None,) for c in option_cases(model)]
    return cases


def battery(xc, root, folder, every=1, only=None):
    """Returns (number of cases, failures as (name, why), seconds); every: run every Nth case;
    only: a substring the case names must contain."""
    import shutil
    os.makedirs(folder, exist_ok=True)
    model = "small_cnn.onnx"
    shutil.copy(os.path.join(root, "models", "small_cnn", "model.onnx"), os.path.join(folder, model))
    xc = os.path.abspath(xc)
    cases = [c for c in collect(root, folder, model) if not only or only in c[0]][::every]
    t0 = time.time()
    failures = []
    for name, args, outs, node in cases:
        why = run_case(xc, folder, args, outs, node)
        if why:
            failures.append((name, why))
    return len(cases), failures, time.time() - t0


def hostile_battery(s, xc, build, tmp):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    # sanitizers slow every case several times over: their build runs every other case, unbounded
    asan = "libasan" in subprocess.run(["ldd", xc], capture_output=True, text=True).stdout
    n, failures, secs = battery(xc, root, os.path.join(tmp, "hostile"), 2 if asan else 1)
    s.check("hostile battery: %d cases in %.0f s, no crash, hang, multi-line error or stray write" % (n, secs),
            not failures and n >= (250 if asan else 500),
            "%d failures:\n%s" % (len(failures), "\n".join("%s: %s" % f for f in failures[:30])))
    if not asan:
        # each case has its own time limit; this catches a battery-wide slowdown (sections share
        # the machine with another one under make test's --jobs 2, hence the margin)
        s.check("hostile battery runs within 6 minutes", secs < 360, "%.0f s" % secs)


if __name__ == "__main__":
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        n, failures, secs = battery(sys.argv[1], os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), d,
                                    only=sys.argv[2] if len(sys.argv) > 2 else None)
        for f in failures:
            print("FAIL %s: %s" % f)
        print("%d cases, %d failures, %.0f s" % (n, len(failures), secs))
