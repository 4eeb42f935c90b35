"""Layers added for issue 14: ConvTranspose (pads, output_padding, output_shape, auto_pad, groups,
dilations, 1-3 spatial axes), ArgMax/ArgMin, and the along-axis and index ops. Few cases per
layer: each distinct kernel program is a cold PoCL compile in the fast tier."""
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


def cases():
    r = rng(14)
    yield from deconv_cases(r)
    yield from arg_cases()
