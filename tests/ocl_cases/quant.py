"""Explicit quantization (issue 14): QuantizeLinear and DequantizeLinear layers (per tensor and per
axis, int8 and uint8) and the qdq_fusion pass's int8 conv and gemm (per-tensor and per-channel
weights, with and without the trailing QuantizeLinear). Every case's output is float (a final
DequantizeLinear, or the int8 layer's own float output), so the tolerance is one quantization
step of that output: the reference dequantizes, computes in float and requantizes, the engine
accumulates exactly in int32, and a value near a rounding boundary may land one step apart.
fp16 storage rounds x before its QuantizeLinear, which may move it by one step more."""
import numpy as np
from onnx import TensorProto, helper, numpy_helper

from common import OPSET, rng

F, I8, U8, I32 = TensorProto.FLOAT, TensorProto.INT8, TensorProto.UINT8, TensorProto.INT32
NP = {I8: np.int8, U8: np.uint8, I32: np.int32}


def graph(nodes, x_shape, y_shape, inits):
    g = helper.make_graph(nodes, "case", [helper.make_tensor_value_info("x", F, x_shape)],
                          [helper.make_tensor_value_info("y", F, y_shape)],
                          initializer=[numpy_helper.from_array(np.asarray(v), n) for n, v in inits])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", OPSET)])
    m.ir_version = 8
    return m


def step_tol(step, fp16_steps=2):
    return {"rtol": 0, "atol": step * 1.001, "fp16_rtol": 0, "fp16_atol": step * fp16_steps * 1.001 + 2e-3}


def qdq(prefix, src, dst, scale, zero, dtype, **attrs):
    """Q then DQ of src (the activation pattern quantize_static writes)."""
    inits = [(prefix + "_s", np.asarray(scale, np.float32)), (prefix + "_z", np.asarray(zero, NP[dtype]))]
    nodes = [helper.make_node("QuantizeLinear", [src, prefix + "_s", prefix + "_z"], [prefix + "_q"], **attrs),
             helper.make_node("DequantizeLinear", [prefix + "_q", prefix + "_s", prefix + "_z"], [dst], **attrs)]
    return nodes, inits


def quantize_weights(w, axis, dtype=I8):
    """Symmetric int8 (or uint8 with zero point 128) weights, per tensor (axis None) or per axis."""
    red = tuple(d for d in range(w.ndim) if d != axis) if axis is not None else None
    amax = np.max(np.abs(w), axis=red) if red is not None else np.max(np.abs(w))
    scale = (np.maximum(amax, 1e-6) / 127).astype(np.float32)
    shape = [1] * w.ndim
    if axis is not None:
        shape[axis] = -1
    zero = np.full(np.shape(scale), 0 if dtype == I8 else 128, NP[dtype])
    q = np.clip(np.rint(w / scale.reshape(shape)) + zero.reshape(shape).astype(np.int32), *( (-128, 127) if dtype == I8 else (0, 255)))
    return q.astype(NP[dtype]), scale, zero


def weight_dq(name, w, axis, dtype=I8):
    q, s, z = quantize_weights(w, axis, dtype)
    attrs = {"axis": axis} if axis is not None else {}
    node = helper.make_node("DequantizeLinear", [name + "_q", name + "_s", name + "_z"], [name], **attrs)
    return node, [(name + "_q", q), (name + "_s", s), (name + "_z", z)]


def conv_out(n, size, k, stride, pad, dil):
    return (size + 2 * pad - dil * (k - 1) - 1) // stride + 1


def qdq_conv(r, name, x_shape, m, k, group=1, stride=1, pad=0, dil=1, act=I8, w_axis=0, w_type=I8, requant=True, bias=True):
    c = x_shape[1]
    w = r.normal(0, 0.5, [m, c // group, k, k]).astype(np.float32)
    b = r.normal(0, 0.2, [m]).astype(np.float32)
    # inputs are uniform [0, 1): int8 x at 1/127 with zero point 0, uint8 at 1/255 around 128 (half unused)
    xs, xz = (1 / 127, 0) if act == I8 else (1 / 128, 128)
    nodes, inits = qdq("xq", "x", "xd", xs, xz, act)
    wn, wi = weight_dq("w", w, w_axis, w_type)
    nodes.append(wn)
    inits += wi
    ys = float(np.max(np.abs(w).sum(axis=(1, 2, 3)) + np.abs(b)) / 127 / 2)  # half the worst case: some saturate
    oh = conv_out(None, x_shape[2], k, stride, pad, dil)
    ow = conv_out(None, x_shape[3], k, stride, pad, dil)
    nodes.append(helper.make_node("Conv", ["xd", "w"] + (["b"] if bias else []), ["c" if requant else "y"], group=group,
                                  strides=[stride] * 2, pads=[pad] * 4, dilations=[dil] * 2))
    if bias:
        inits.append(("b", b))
    if requant:
        yn, yi = qdq("yq", "c", "y", ys, 0 if act == I8 else 128, act)
        nodes += yn
        inits += yi
    tol = step_tol(ys) if requant else {"rtol": 1e-3, "atol": 1e-3, "fp16_rtol": 2e-2, "fp16_atol": 0.1}
    return name, graph(nodes, x_shape, [x_shape[0], m, oh, ow], inits), tol


def qdq_gemm(r, name, x_shape, n, op="MatMul", trans_b=0, w_axis=1, act=I8, c_bias=False, alpha=1.0, beta=1.0):
    k = x_shape[-1]
    w = r.normal(0, 0.5, [n, k] if trans_b else [k, n]).astype(np.float32)
    nodes, inits = qdq("xq", "x", "xd", 1 / 127, 0, act) if act == I8 else qdq("xq", "x", "xd", 1 / 128, 128, act)
    wn, wi = weight_dq("w", w, w_axis)
    nodes.append(wn)
    inits += wi
    attrs = {"transB": trans_b, "alpha": alpha, "beta": beta} if op == "Gemm" else {}
    inputs = ["xd", "w"] + (["cb"] if c_bias else [])
    if c_bias:
        inits.append(("cb", r.normal(0, 0.2, [n]).astype(np.float32)))
    nodes.append(helper.make_node(op, inputs, ["g"], **attrs))
    ys = float(np.max(np.abs(w).sum(axis=1 if trans_b else 0)) * abs(alpha) / 127 / 2 + 0.01)
    yn, yi = qdq("yq", "g", "y", ys, 0 if act == I8 else 128, act)
    return name, graph(nodes + yn, x_shape, x_shape[:-1] + [n], inits + yi), step_tol(ys)


def cases():
    r = rng(14)
    # Q -> DQ alone: per tensor int8 with a zero point (values past 127 saturate), per axis uint8
    nodes, inits = qdq("q", "x", "y", 1 / 100, -20, I8)
    yield "quant_qdq_per_tensor_int8_saturating", graph(nodes, [2, 3, 5, 7], [2, 3, 5, 7], inits), step_tol(1 / 100, 1)
    scales = np.array([1 / 50, 1 / 200, 1 / 255, 1 / 90], np.float32)
    nodes, inits = qdq("q", "x", "y", scales, np.array([0, 10, 0, 200], np.uint8), U8, axis=1)
    yield "quant_qdq_per_axis_uint8", graph(nodes, [3, 4, 6], [3, 4, 6], inits), step_tol(1 / 50, 1)
    # int8 conv: per-channel weights (quantize_static's default layout), then uint8 + per-tensor,
    # group + stride + dilation + padding, and one without the trailing Q (float output)
    yield qdq_conv(r, "quant_conv_per_channel_int8", [1, 3, 9, 9], 8, 3, pad=1)
    yield qdq_conv(r, "quant_conv_uint8_group_stride_dilation", [2, 4, 11, 10], 6, 3, group=2, stride=2, pad=2, dil=2, act=U8,
                   w_axis=None)
    yield qdq_conv(r, "quant_conv_float_out_uint8_weights", [1, 5, 6, 6], 4, 1, w_type=U8, requant=False, bias=False)
    # int8 gemm: batched MatMul with per-column weights, Gemm transB with C, alpha and beta
    yield qdq_gemm(r, "quant_matmul_per_column", [2, 3, 24], 10)
    yield qdq_gemm(r, "quant_gemm_transb_bias_alpha", [5, 17], 12, op="Gemm", trans_b=1, w_axis=0, act=U8, c_bias=True,
                   alpha=0.5, beta=2.0)
