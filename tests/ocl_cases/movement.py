"""Movement layers: Transpose, Slice, Expand, Tile, Pad, DepthToSpace/SpaceToDepth, Split, Concat,
Gather, Resize/Upsample (nearest views; linear and cubic), and the any-dtype elementwise ops (Cast, Where, comparisons,
logic), with awkward shapes: odd sizes, size-1 axes, negative steps and indices, wide pads,
broadcasting, more tensors than one launch takes, int and bool tensors."""
import numpy as np
from onnx import TensorProto, helper, numpy_helper, shape_inference

from common import FP32_TOL, OPSET, rng

F, I64, I32, B = TensorProto.FLOAT, TensorProto.INT64, TensorProto.INT32, TensorProto.BOOL
EXACT = {"rtol": 0.0, "atol": 0.0}


def typed(nodes, inputs, outputs, inits=(), opset=OPSET):
    """inputs/outputs: [(name, shape, elem_type)]; output shapes may be None (then inferred)."""
    g = helper.make_graph(
        nodes, "case",
        [helper.make_tensor_value_info(n, t, list(s)) for n, s, t in inputs],
        [helper.make_tensor_value_info(n, t, list(s) if s is not None else None) for n, s, t in outputs],
        initializer=[numpy_helper.from_array(np.asarray(v), n) for n, v in inits])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return shape_inference.infer_shapes(m, strict_mode=True)


def one(op, x_shape, inits=(), extra_inputs=(), x_type=F, y_type=None, opset=OPSET, **attrs):
    """A single node y = op(x, *extra_inputs) with constant extras from inits."""
    names = ["x"] + [n for n, _ in inits] + list(extra_inputs)
    node = helper.make_node(op, names, ["y"], **attrs)
    return typed([node], [("x", x_shape, x_type)], [("y", None, y_type or x_type)], inits, opset)


def i64(*v):
    return np.array(v, np.int64)


def transposes():
    for name, shape, perm in [("2d", [37, 53], [1, 0]), ("2d_big", [64, 96], [1, 0]),
                              ("nchw_nhwc", [2, 5, 7, 9], [0, 2, 3, 1]), ("nhwc_nchw", [2, 7, 9, 5], [0, 3, 1, 2]),
                              ("last_kept", [4, 3, 5, 6], [1, 0, 2, 3]), ("size1", [1, 1, 5, 1], [3, 2, 0, 1]),
                              ("rank5", [2, 3, 1, 4, 5], [4, 0, 3, 2, 1]), ("heads", [2, 17, 4, 8], [0, 2, 1, 3]),
                              ("kt", [2, 4, 17, 8], [0, 1, 3, 2])]:
        yield "mv_transpose_" + name, one("Transpose", shape, perm=perm), FP32_TOL
    yield "mv_transpose_default", one("Transpose", [3, 4, 5]), FP32_TOL
    yield "mv_transpose_int64", one("Transpose", [5, 3, 33], x_type=I64, perm=[2, 0, 1]), EXACT


def slices():
    cases = [("basic", [6, 9, 10], i64(1, 0, 2), i64(5, 9, 9), i64(0, 1, 2), i64(1, 2, 3)),
             ("neg_step", [7, 11], i64(-1, 9), i64(-100, 1), i64(0, 1), i64(-2, -3)),
             ("neg_axes_oob", [4, 5, 6], i64(1, -1000), i64(1000, 3), i64(-2, -1), i64(1, 1)),
             ("outer_rows", [8, 3, 32], i64(2,), i64(7,), i64(0,), i64(1,)),
             ("inner", [3, 40], i64(3,), i64(35,), i64(1,), i64(1,))]
    for name, shape, starts, ends, axes, steps in cases:
        inits = [("starts", starts), ("ends", ends), ("axes", axes), ("steps", steps)]
        yield "mv_slice_" + name, one("Slice", shape, inits), FP32_TOL
    inits = [("starts", np.array([1], np.int32)), ("ends", np.array([3], np.int32))]
    yield "mv_slice_int32_args", one("Slice", [5, 4], inits, x_type=I64), EXACT


def expands_and_tiles():
    yield "mv_expand_bcast", one("Expand", [3, 1, 5], [("shape", i64(2, 3, 4, 5))]), FP32_TOL
    yield "mv_expand_scalar", one("Expand", [1], [("shape", i64(4, 3))]), FP32_TOL
    yield "mv_expand_rows", one("Expand", [1, 64], [("shape", i64(7, 64))]), FP32_TOL
    yield "mv_tile", one("Tile", [2, 3, 4], [("reps", i64(2, 1, 3))]), FP32_TOL
    yield "mv_tile_ones", one("Tile", [5, 1], [("reps", i64(1, 7))]), FP32_TOL
    yield "mv_tile_bool", one("Tile", [3, 2], [("reps", i64(2, 2))], x_type=B), EXACT


def pads():
    yield "mv_pad_constant", one("Pad", [2, 3, 5, 7], [("pads", i64(0, 1, 2, 3, 0, 2, 1, 0)),
                                                       ("value", np.array(1.5, np.float32))]), FP32_TOL
    yield "mv_pad_crop", one("Pad", [4, 9], [("pads", i64(-1, 2, 0, -3))]), FP32_TOL
    for mode in ["reflect", "edge", "wrap"]:
        yield ("mv_pad_" + mode, one("Pad", [1, 2, 4, 5], [("pads", i64(0, 0, 3, 7, 0, 0, 6, 2))], mode=mode, opset=19),
               FP32_TOL)
    yield ("mv_pad_axes", one("Pad", [3, 4, 5], [("pads", i64(2, 1, 0, 3)), ("value", np.array(0, np.float32)),
                                                 ("axes", i64(-1, 0))], opset=18), FP32_TOL)
    yield "mv_pad_int64", one("Pad", [3, 4], [("pads", i64(1, 1, 1, 1)), ("value", i64(7))], x_type=I64), EXACT
    yield "mv_pad_opset2", one("Pad", [3, 4], pads=[0, 2, 1, 0], value=-2.0, opset=2), FP32_TOL


def depth_space():
    for mode in ["DCR", "CRD"]:
        yield "mv_d2s_" + mode.lower(), one("DepthToSpace", [2, 12, 3, 5], blocksize=2, mode=mode), FP32_TOL
    yield "mv_d2s_bs3", one("DepthToSpace", [1, 18, 2, 3], blocksize=3), FP32_TOL
    yield "mv_s2d", one("SpaceToDepth", [2, 3, 6, 4], blocksize=2), FP32_TOL


def splits_and_concats():
    def split(name, shape, n_out, inits=(), opset=OPSET, **attrs):
        names = ["x"] + [n for n, _ in inits]
        outs = ["y%d" % i for i in range(n_out)]
        node = helper.make_node("Split", names, outs, **attrs)
        return name, typed([node], [("x", shape, F)], [(o, None, F) for o in outs], inits, opset), FP32_TOL

    yield split("mv_split_equal", [6, 9], 3, axis=1)
    yield split("mv_split_uneven", [7, 5, 3], 3, [("split", i64(1, 4, 2))])
    yield split("mv_split_six_last", [2, 3, 13], 6, [("split", i64(1, 2, 3, 4, 2, 1))], axis=-1)
    yield split("mv_split_num_outputs", [2, 11], 3, axis=1, num_outputs=3, opset=18)

    def concat(name, shapes, axis, inits=(), t=F):
        names = ["x%d" % i for i in range(len(shapes))]
        node = helper.make_node("Concat", names + [n for n, _ in inits], ["y"], axis=axis)
        return name, typed([node], [(n, s, t) for n, s in zip(names, shapes)], [("y", None, t)], inits), \
            EXACT if t != F else FP32_TOL

    yield concat("mv_concat_2", [[2, 3, 5], [2, 4, 5]], 1)
    yield concat("mv_concat_5_axis0", [[1, 3], [2, 3], [4, 3], [1, 3], [3, 3]], 0)
    yield concat("mv_concat_9_last", [[2, 2, k] for k in range(1, 10)], -1)
    yield concat("mv_concat_const", [[3, 4]], 1, [("c", rng(3).standard_normal((3, 2)).astype(np.float32))])
    yield concat("mv_concat_int64", [[2, 3], [2, 1]], 1, t=I64)
    # one input with elements: concat_elimination makes the Concat a view of it
    yield concat("mv_concat_one_nonempty", [[2, 0, 3], [2, 4, 3]], 1, [("e", np.zeros((2, 0, 3), np.float32))])


def gathers():
    def gather(name, x_shape, idx_shape, axis, idx_type=I64, x_type=F):
        node = helper.make_node("Gather", ["x", "i"], ["y"], axis=axis)
        return name, typed([node], [("x", x_shape, x_type), ("i", idx_shape, idx_type)], [("y", None, x_type)]), \
            FP32_TOL if x_type == F else EXACT

    yield gather("mv_gather_rows", [5, 8], [2, 3], 0)
    yield gather("mv_gather_axis1_i32", [3, 4, 7], [6], 1, I32)
    yield gather("mv_gather_last", [2, 3, 4], [5], -1)
    yield gather("mv_gather_int64_data", [4, 6], [3], 0, x_type=I64)
    emb = rng(5).standard_normal((50, 16)).astype(np.float32)
    node = helper.make_node("Gather", ["emb", "i"], ["y"], axis=0)
    yield "mv_gather_embedding", typed([node], [("i", [2, 7], I64)], [("y", None, F)], [("emb", emb)]), FP32_TOL
    for name, idx in [("neg", i64(-1, 0, -3, 2)), ("scalar", np.array(-2, np.int64))]:
        yield "mv_gather_const_" + name, one("Gather", [3, 5, 4], [("i", idx)], axis=1), FP32_TOL


def resizes():
    def resize(name, shape, scales=None, sizes=None, mode="nearest", **attrs):
        inits = [("roi", np.array([], np.float32)), ("scales", np.array(scales or [], np.float32))]
        if sizes:
            inits.append(("sizes", i64(*sizes)))
        return name, one("Resize", shape, inits, mode=mode, **attrs), FP32_TOL

    yield resize("mv_resize_up2", [1, 2, 3, 5], [1, 1, 2, 2])
    yield resize("mv_resize_down_sizes", [2, 3, 9, 7], sizes=[2, 3, 4, 5])
    yield resize("mv_resize_asym_floor", [1, 1, 4, 5], [1, 1, 1.5, 2.5], coordinate_transformation_mode="asymmetric",
                 nearest_mode="floor")
    yield resize("mv_resize_align_ceil", [1, 2, 3, 4], sizes=[1, 2, 7, 9], coordinate_transformation_mode="align_corners",
                 nearest_mode="ceil")
    yield ("mv_upsample_opset9", one("Upsample", [1, 2, 3, 3], [("scales", np.array([1, 1, 2, 3], np.float32))],
                                     opset=9), FP32_TOL)
    # linear and cubic (resize.separable): one or two resized axes, every coordinate mode that
    # changes the taps, antialiased downsampling (more taps), exclude_outside, a 3-D input
    yield resize("rs_linear_up2_half_pixel", [1, 3, 5, 7], [1, 1, 2, 2], mode="linear")
    yield resize("rs_linear_sizes_align_corners", [2, 2, 4, 5], sizes=[2, 2, 7, 3], mode="linear",
                 coordinate_transformation_mode="align_corners")
    yield resize("rs_linear_pytorch_half_pixel", [1, 2, 6, 6], sizes=[1, 2, 1, 9], mode="linear",
                 coordinate_transformation_mode="pytorch_half_pixel")
    yield resize("rs_linear_one_axis_asymmetric", [1, 4, 3, 8], [1, 1, 1, 1.5], mode="linear",
                 coordinate_transformation_mode="asymmetric")
    yield resize("rs_linear_antialias_down", [1, 2, 12, 10], [1, 1, 0.4, 0.6], mode="linear", antialias=1, opset=18)
    yield resize("rs_cubic_up", [1, 2, 4, 4], [1, 1, 2.5, 1.5], mode="cubic")
    yield resize("rs_cubic_exclude_outside", [1, 1, 6, 5], sizes=[1, 1, 4, 8], mode="cubic", cubic_coeff_a=-0.5,
                 exclude_outside=1)
    yield resize("rs_linear_3d_channels_too", [3, 4, 10], [2, 0.5, 1.3], mode="linear")


def elementwise():
    # floats snapped to eighths: exact in half, so comparisons agree under --fp16
    snap = [helper.make_node("Mul", ["x", "eight"], ["x8"]), helper.make_node("Floor", ["x8"], ["xs"])]
    eight = [("eight", np.array(8, np.float32)), ("t", np.array([[2], [4], [6]], np.float32))]
    for op in ["Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual"]:
        nodes = snap + [helper.make_node(op, ["xs", "t"], ["y"])]
        yield "mv_%s_float" % op.lower(), typed(nodes, [("x", [2, 3, 5], F)], [("y", None, B)], eight), EXACT
        node = helper.make_node(op, ["a", "b"], ["y"])
        yield ("mv_%s_int64" % op.lower(), typed([node], [("a", [4, 1, 6], I64), ("b", [5, 1], I64)], [("y", None, B)]),
               EXACT)
    for op in ["And", "Or", "Xor"]:
        node = helper.make_node(op, ["a", "b"], ["y"])
        yield "mv_%s" % op.lower(), typed([node], [("a", [3, 4, 5], B), ("b", [4, 1], B)], [("y", None, B)]), EXACT
    yield "mv_not", one("Not", [3, 7], x_type=B), EXACT
    node = helper.make_node("Where", ["c", "a", "b"], ["y"])
    yield ("mv_where_float", typed([node], [("c", [3, 1, 5], B), ("a", [4, 5], F), ("b", [1], F)], [("y", None, F)]),
           FP32_TOL)
    yield ("mv_where_int64", typed([node], [("c", [2, 6], B), ("a", [2, 6], I64), ("b", [6], I64)], [("y", None, I64)]),
           EXACT)
    scale = [helper.make_node("Mul", ["x", "k"], ["xm"]), helper.make_node("Floor", ["xm"], ["xk"])]
    k = [("k", np.array(-20, np.float32))]
    for name, to in [("int32", I32), ("int64", I64), ("bool", B)]:
        nodes = scale + [helper.make_node("Cast", ["xk"], ["y"], to=to)]
        yield "mv_cast_float_%s" % name, typed(nodes, [("x", [3, 17], F)], [("y", None, to)], k), EXACT
    for name, frm in [("int64", I64), ("bool", B), ("int32", I32)]:
        yield "mv_cast_%s_float" % name, one("Cast", [4, 9], x_type=frm, y_type=F, to=F), FP32_TOL
    yield "mv_cast_int64_int32", one("Cast", [5], x_type=I64, y_type=I32, to=I32), EXACT
    # NaN from the log of negatives, infinities from 1/0 (attention masks test for them)
    half = [("h", np.array(0.5, np.float32)), ("one", np.array(1, np.float32))]
    nodes = [helper.make_node("Sub", ["x", "h"], ["d"]), helper.make_node("Log", ["d"], ["l"]),
             helper.make_node("IsNaN", ["l"], ["y"])]
    yield "mv_isnan", typed(nodes, [("x", [4, 33], F)], [("y", None, B)], half), EXACT
    nodes = [helper.make_node("Sub", ["x", "x"], ["z"]), helper.make_node("Div", ["one", "z"], ["r"]),
             helper.make_node("IsInf", ["r"], ["y"])]
    yield "mv_isinf", typed(nodes, [("x", [7, 5], F)], [("y", None, B)], half), EXACT


def cases():
    for family in [transposes, slices, expands_and_tiles, pads, depth_space, splits_and_concats, gathers, resizes,
                   elementwise]:
        yield from family()
