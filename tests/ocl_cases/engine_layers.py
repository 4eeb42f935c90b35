"""Layers added for issue 14: ConvTranspose (pads, output_padding, output_shape, auto_pad, groups,
dilations, 1-3 spatial axes), ArgMax/ArgMin, the along-axis and index ops, MaxPool's Indices,
Hardmax, Einsum and LayerNormalization's statistics outputs. Few cases per layer: each distinct
kernel program is a cold PoCL compile in the fast tier."""
import numpy as np
from onnx import TensorProto, helper, numpy_helper

from common import OPSET, rng

F, I64 = TensorProto.FLOAT, TensorProto.INT64


def typed(nodes, inputs, outputs, inits=(), opset=OPSET):
    """inputs/outputs: [(name, elem_type, shape or None)]; inits: [(name, numpy array)]."""
    g = helper.make_graph(
        nodes, "case",
        [helper.make_tensor_value_info(n, t, s) for n, t, s in inputs],
        [helper.make_tensor_value_info(n, t, s) for n, t, s in outputs],
        initializer=[numpy_helper.from_array(np.asarray(v), n) for n, v in inits])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m


TOL = {"rtol": 1e-3, "atol": 1e-4}
EXACT = {"rtol": 0, "atol": 0, "fp16_rtol": 0, "fp16_atol": 0}


def deconv_cases(r):
    def deconv(name, x_shape, w_shape, bias=False, **attrs):
        w = r.uniform(-1, 1, w_shape).astype(np.float32)
        inits = [("w", w)] + ([("b", r.uniform(-1, 1, [w_shape[1] * attrs.get("group", 1)]).astype(np.float32))] if bias else [])
        node = helper.make_node("ConvTranspose", ["x", "w"] + (["b"] if bias else []), ["y"], **attrs)
        out = ["d%d" % k for k in range(len(x_shape))]
        return name, typed([node], [("x", F, x_shape)], [("y", F, out)], inits), TOL

    yield deconv("deconv_2d_s2_pads_outpad_bias", [1, 4, 5, 6], [4, 3, 3, 3], bias=True, strides=[2, 2], pads=[1, 0, 1, 2],
                 output_padding=[1, 1])
    yield deconv("deconv_2d_groups_dilations", [2, 4, 4, 5], [4, 2, 3, 2], group=2, dilations=[2, 1], strides=[1, 2])
    yield deconv("deconv_1d_same_lower", [1, 3, 7], [3, 2, 4], bias=True, strides=[3], auto_pad="SAME_LOWER")
    yield deconv("deconv_3d_output_shape", [1, 2, 3, 3, 2], [2, 2, 2, 3, 2], strides=[2, 2, 2], output_shape=[7, 6, 5])


def arg_cases():
    def arg(name, op, x_type, shape, out_shape, **attrs):
        node = helper.make_node(op, ["x"], ["y"], **attrs)
        return name, typed([node], [("x", x_type, shape)], [("y", I64, out_shape)]), EXACT

    yield arg("argmax_axis1_keepdims", "ArgMax", F, [3, 17, 5], [3, 1, 5], axis=1)
    # int64 input: run's generated integers are 0..3, so every row has ties for select_last_index
    yield arg("argmin_int64_nokeep_last_index", "ArgMin", I64, [4, 6, 9], [4, 6], axis=-1, keepdims=0, select_last_index=1)


def axis_cases():
    def const(name, v, dtype=np.int64):
        return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(np.asarray(v, dtype=dtype), name))

    yield "cumsum_float_exclusive_reverse", typed(
        [const("a", 1), helper.make_node("CumSum", ["x", "a"], ["y"], exclusive=1, reverse=1)],
        [("x", F, [3, 7, 4])], [("y", F, [3, 7, 4])]), TOL
    yield "cumsum_int64_last_axis", typed(
        [const("a", -1), helper.make_node("CumSum", ["x", "a"], ["y"])], [("x", I64, [2, 9])], [("y", I64, [2, 9])]), EXACT
    # axis and k as graph inputs (run feeds 0..3): read by the kernels at run time
    yield "cumsum_run_time_axis", typed([helper.make_node("CumSum", ["x", "a"], ["y"])],
                                        [("x", F, [2, 3, 4, 5]), ("a", I64, [])], [("y", F, [2, 3, 4, 5])]), TOL
    yield "trilu_run_time_k", typed([helper.make_node("Trilu", ["x", "k"], ["y"], upper=0)],
                                    [("x", F, [3, 6, 5]), ("k", I64, [])], [("y", F, [3, 6, 5])]), TOL
    yield "trilu_upper_k2", typed([const("k", 2), helper.make_node("Trilu", ["x", "k"], ["y"])],
                                  [("x", F, [2, 5, 7])], [("y", F, [2, 5, 7])]), TOL
    yield "trilu_lower_k_neg", typed([const("k", -1), helper.make_node("Trilu", ["x", "k"], ["y"], upper=0)],
                                     [("x", F, [6, 4])], [("y", F, [6, 4])]), TOL
    yield "topk_largest_axis1", typed([const("k", [3]), helper.make_node("TopK", ["x", "k"], ["v", "i"], axis=1)],
                                      [("x", F, [3, 10, 4])], [("v", F, [3, 3, 4]), ("i", I64, [3, 3, 4])]), TOL
    # int64 values 0..3: ties everywhere, so the lower index must come first
    yield "topk_int64_smallest_ties", typed([const("k", [5]), helper.make_node("TopK", ["x", "k"], ["v", "i"], largest=0)],
                                            [("x", I64, [4, 12])], [("v", I64, [4, 5]), ("i", I64, [4, 5])]), EXACT


def index_cases():
    def const(name, v, dtype=np.int64):
        return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(np.asarray(v, dtype=dtype), name))

    # Mod(ind, -5) (fmod 0: the divisor's sign) turns run's indices 0..3 into 0, -4, -3, -2: negative
    # indices for OneHot, and integer Mod on the engine
    yield "onehot_negative_indices_int_mod", typed(
        [const("m", -5), const("depth", 5), const("vals", [0.5, 2.0], np.float32),
         helper.make_node("Mod", ["ind", "m"], ["neg"]),
         helper.make_node("OneHot", ["neg", "depth", "vals"], ["y"], axis=1)],
        [("ind", I64, [3, 4])], [("y", F, [3, 5, 4])]), TOL
    # float fmod: fp16 storage may move a value across a multiple of the divisor (an error of
    # up to |b|), so its fp16 tolerance is |b|'s
    yield "mod_float_fmod_broadcast", typed(
        [const("b", [0.3, -0.7, 1.1, -0.25], np.float32), helper.make_node("Mod", ["x", "b"], ["y"], fmod=1)],
        [("x", F, [3, 4])], [("y", F, [3, 4])]), dict(TOL, fp16_atol=1.2)
    yield "gather_elements_axis1", typed([helper.make_node("GatherElements", ["x", "ind"], ["y"], axis=1)],
                                         [("x", F, [4, 5, 3]), ("ind", I64, [4, 2, 3])], [("y", F, [4, 2, 3])]), TOL
    yield "scatter_elements_negative", typed(
        [const("ind", [[0, -1, 2, 4], [-2, 3, -5, 1]]), helper.make_node("ScatterElements", ["x", "ind", "u"], ["y"], axis=0)],
        [("x", F, [5, 4]), ("u", F, [2, 4])], [("y", F, [5, 4])]), TOL
    # duplicates (a constant list, and run's indices 0..3 along an axis of 5): the ordered kernels,
    # which apply them in the reference's order
    yield "scatter_nd_add_duplicates", typed(
        [const("ind", [[1], [3], [1], [-3]]), helper.make_node("ScatterND", ["x", "ind", "u"], ["y"], reduction="add")],
        [("x", F, [4, 3, 2]), ("u", F, [4, 3, 2])], [("y", F, [4, 3, 2])]), TOL
    yield "scatter_elements_max_run_time", typed(
        [helper.make_node("ScatterElements", ["x", "ind", "u"], ["y"], axis=1, reduction="max")],
        [("x", F, [3, 5, 2]), ("ind", I64, [3, 6, 2]), ("u", F, [3, 6, 2])], [("y", F, [3, 5, 2])]), TOL
    yield "gather_nd_batch_dims", typed(
        [const("ind", [[[0, -1], [3, 2], [1, 0]], [[2, 1], [-4, 0], [3, -3]]]),
         helper.make_node("GatherND", ["x", "ind"], ["y"], batch_dims=1)],
        [("x", F, [2, 4, 3, 5])], [("y", F, [2, 3, 5])]), TOL
    yield "scatter_nd_slices", typed(
        [const("ind", [[1], [-1]]), helper.make_node("ScatterND", ["x", "ind", "u"], ["y"])],
        [("x", F, [4, 5, 3]), ("u", F, [2, 5, 3])], [("y", F, [4, 5, 3])]), TOL


def maxpool_indices_cases(r):
    """MaxPool with its Indices output. The pooled values are x * 0 + C with C multiples of 1/4
    (exact in half too): ties by design, which the first-largest rule must break as the
    reference does, and fp16 storage cannot create or split a tie."""
    def pool(name, shape, **attrs):
        c = (r.integers(0, 6, shape) / 4).astype(np.float32)
        nodes = [helper.make_node("Mul", ["x", "zero"], ["z"]), helper.make_node("Add", ["z", "c"], ["v"]),
                 helper.make_node("MaxPool", ["v"], ["y", "i"], **attrs)]
        out = ["d%d" % k for k in range(len(shape))]
        return name, typed(nodes, [("x", F, shape)], [("y", F, out), ("i", I64, out)],
                           [("zero", np.zeros(1, np.float32)), ("c", c)]), TOL

    yield pool("maxpool_indices_2d_pads_ties", [1, 3, 7, 8], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    yield pool("maxpool_indices_colmajor_dilated_ceil", [2, 2, 9, 7], kernel_shape=[2, 3], strides=[2, 2], dilations=[2, 1],
               ceil_mode=1, storage_order=1)


def norm_cases(r):
    """Hardmax; Einsum; LayerNormalization with its Mean and InvStdDev outputs used, scale and bias
    broadcast."""
    node = helper.make_node("LayerNormalization", ["x", "s", "b"], ["y", "mean", "inv"], axis=1, epsilon=1e-3)
    # Hardmax at opset 11 flattens from the axis: one lane of 4*5 per batch row
    yield "hardmax_opset11_flatten", typed([helper.make_node("Hardmax", ["x"], ["y"], axis=1)],
                                           [("x", F, [3, 4, 5])], [("y", F, [3, 4, 5])], opset=11), TOL
    # Einsum: a broadcast contraction over an ellipsis, and a diagonal (repeated label)
    yield "einsum_ellipsis_contraction", typed([helper.make_node("Einsum", ["a", "b"], ["y"], equation="...ij,jk->...ik")],
                                               [("a", F, [2, 3, 4, 5]), ("b", F, [5, 6])], [("y", F, [2, 3, 4, 6])]), TOL
    yield "einsum_batch_diagonal", typed([helper.make_node("Einsum", ["a"], ["y"], equation="bii->bi")],
                                         [("a", F, [3, 5, 5])], [("y", F, [3, 5])]), TOL
    yield "layernorm_stats_axis1_broadcast", typed(
        [node], [("x", F, [2, 3, 4, 5])], [("y", F, [2, 3, 4, 5]), ("mean", F, [2, 1, 1, 1]), ("inv", F, [2, 1, 1, 1])],
        [("s", r.uniform(0.5, 1.5, (4, 5)).astype(np.float32)), ("b", r.uniform(-1, 1, 5).astype(np.float32))]), TOL


def cases():
    r = rng(14)
    yield from deconv_cases(r)
    yield from arg_cases()
    yield from axis_cases()
    yield from index_cases()
    yield from maxpool_indices_cases(r)
    yield from norm_cases(r)
