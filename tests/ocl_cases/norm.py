"""Pools, softmax, normalizations, reductions and the LayerNorm subgraph fusion."""
import numpy as np
from onnx import helper

from common import FP32_TOL, model, rng


def one(op, shape, out_shape, inits=(), opset=None, **attrs):
    """A single-node model with input x of `shape` (plus constant inputs named in `inits`);
    out_shape None: symbolic dims of x's rank (pools)."""
    names = ["x"] + [n for n, _ in inits]
    if out_shape is None:
        out_shape = ["d%d" % k for k in range(len(shape))]
    node = helper.make_node(op, names, ["y"], **attrs)
    kw = {"opset": opset} if opset else {}
    return model([node], [("x", shape)], [("y", out_shape)], inits, **kw)


def pool_cases():
    yield "pool_max_k3s2p1", one("MaxPool", [1, 3, 17, 17], None, kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    yield "pool_max_ceil", one("MaxPool", [2, 3, 10, 9], None, kernel_shape=[3, 2], strides=[2, 2], ceil_mode=1)
    yield "pool_max_dilated", one("MaxPool", [1, 2, 13, 11], None, kernel_shape=[3, 3], dilations=[2, 3], pads=[2, 1, 0, 3])
    yield "pool_max_same_upper", one("MaxPool", [1, 4, 9, 8], None, kernel_shape=[4, 3], strides=[2, 3], auto_pad="SAME_UPPER")
    yield "pool_max_same_lower", one("MaxPool", [1, 4, 9, 8], None, kernel_shape=[4, 3], strides=[2, 2], auto_pad="SAME_LOWER")
    yield "pool_max_1d", one("MaxPool", [2, 3, 11], None, kernel_shape=[3], strides=[2])
    yield "pool_max_3d", one("MaxPool", [1, 2, 5, 6, 7], None, kernel_shape=[2, 3, 2], pads=[1, 0, 1, 0, 1, 1])
    yield "pool_max_1x1", one("MaxPool", [1, 5, 1, 1], None, kernel_shape=[1, 1])
    yield "pool_avg_pads", one("AveragePool", [2, 3, 11, 12], None, kernel_shape=[3, 3], strides=[2, 2], pads=[2, 2, 2, 2])
    yield "pool_avg_pads_incl", one("AveragePool", [2, 3, 11, 12], None, kernel_shape=[3, 3], strides=[2, 2], pads=[2, 1, 2, 0],
                                    count_include_pad=1)
    yield "pool_avg_ceil_incl", one("AveragePool", [1, 3, 10, 10], None, kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1],
                                    ceil_mode=1, count_include_pad=1)
    yield "pool_avg_big_kernel", one("AveragePool", [1, 8, 14, 14], None, kernel_shape=[7, 7], strides=[7, 7])
    yield "pool_avg_3d", one("AveragePool", [1, 2, 6, 5, 7], None, kernel_shape=[3, 2, 3], strides=[2, 1, 2], pads=[1, 1, 1, 1, 0, 1])
    yield "pool_gap", one("GlobalAveragePool", [2, 5, 7, 7], None)
    yield "pool_gap_1x1", one("GlobalAveragePool", [1, 3, 1, 1], None)
    yield "pool_gap_big", one("GlobalAveragePool", [1, 6, 61, 67], None)
    yield "pool_gap_1d", one("GlobalAveragePool", [3, 4, 19], None)
    yield "pool_gmp", one("GlobalMaxPool", [2, 5, 9, 7], None)
    yield "pool_gmp_3d", one("GlobalMaxPool", [1, 3, 4, 5, 6], None)


def softmax_cases():
    for op in ("Softmax", "LogSoftmax"):
        o = op.lower()
        yield "%s_last" % o, one(op, [3, 7, 33], [3, 7, 33], axis=-1)
        yield "%s_axis1" % o, one(op, [2, 5, 4, 3], [2, 5, 4, 3], axis=1)
        yield "%s_axis0" % o, one(op, [6, 5], [6, 5], axis=0)
        yield "%s_opset11" % o, one(op, [2, 3, 4, 5], [2, 3, 4, 5], opset=11, axis=1)
        yield "%s_opset11_default" % o, one(op, [2, 3, 4, 5], [2, 3, 4, 5], opset=11)
        yield "%s_long_row" % o, one(op, [2, 1000], [2, 1000], axis=-1)
        yield "%s_one" % o, one(op, [4, 1], [4, 1], axis=-1)


def norm_cases(r):
    def f32(*shape, lo=0.5, hi=1.5):
        return r.uniform(lo, hi, shape).astype(np.float32)

    yield "layernorm_last", one("LayerNormalization", [2, 7, 33], [2, 7, 33], [("s", f32(33)), ("b", f32(33, lo=-1, hi=1))],
                                axis=-1, epsilon=1e-5)
    yield "layernorm_axis1", one("LayerNormalization", [2, 3, 4, 5], [2, 3, 4, 5], [("s", f32(3, 4, 5)), ("b", f32(3, 4, 5))], axis=1)
    yield "layernorm_bcast_scale", one("LayerNormalization", [3, 4, 5], [3, 4, 5], [("s", f32(5))], axis=-2, epsilon=1e-3)
    yield "layernorm_wide", one("LayerNormalization", [4, 3000], [4, 3000], [("s", f32(3000)), ("b", f32(3000))], axis=-1)
    yield "layernorm_single", one("LayerNormalization", [5, 1], [5, 1], [("s", f32(1)), ("b", f32(1))], axis=-1)
    bn = [("s", f32(3)), ("b", f32(3, lo=-1, hi=1)), ("m", f32(3, lo=-1, hi=1)), ("v", f32(3))]
    yield "batchnorm_4d", one("BatchNormalization", [2, 3, 5, 7], [2, 3, 5, 7], bn, epsilon=1e-3)
    bn2 = [("s", f32(6)), ("b", f32(6)), ("m", f32(6)), ("v", f32(6))]
    yield "batchnorm_2d", one("BatchNormalization", [4, 6], [4, 6], bn2)
    yield "instnorm_4d", one("InstanceNormalization", [2, 3, 6, 7], [2, 3, 6, 7], [("s", f32(3)), ("b", f32(3))], epsilon=1e-4)
    yield "instnorm_3d", one("InstanceNormalization", [1, 4, 129], [1, 4, 129], [("s", f32(4)), ("b", f32(4))])
    yield "instnorm_big", one("InstanceNormalization", [1, 2, 40, 50], [1, 2, 40, 50], [("s", f32(2)), ("b", f32(2))])
    # LRN: odd and even windows (the window is not centred for even sizes), wider than the
    # channels, rank 2 and 3
    yield "lrn_alexnet", one("LRN", [2, 7, 5, 6], [2, 7, 5, 6], size=5, alpha=1e-4, beta=0.75, bias=2.0)
    yield "lrn_even_window", one("LRN", [1, 6, 4, 3], [1, 6, 4, 3], size=4, alpha=0.3, beta=0.5)
    yield "lrn_window_wider", one("LRN", [1, 3, 3, 3], [1, 3, 3, 3], size=9, alpha=0.05, beta=1.2, bias=0.5)
    yield "lrn_rank2", one("LRN", [4, 9], [4, 9], size=3)
    yield "lrn_rank3", one("LRN", [2, 5, 11], [2, 5, 11], size=2, alpha=0.01)


def reduce_cases():
    for op in ("ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceSumSquare", "ReduceL2"):
        o = op.lower()
        # opset 18: axes as an input for every op
        for tag, axes, keep, shape, out in (("a1", [1], 1, [2, 5, 7], [2, 1, 7]), ("a02", [0, 2], 0, [3, 4, 5, 2], [4, 2]),
                                            ("last", [-1], 1, [6, 300], [6, 1]), ("all", None, 0, [3, 5, 7], [])):
            inits = [("axes", np.array(axes, np.int64))] if axes is not None else []
            yield "%s_%s" % (o, tag), one(op, shape, out, inits, opset=18, keepdims=keep)
    yield "reducemean_attr", one("ReduceMean", [2, 3, 4, 5], [2, 1, 1, 5], axes=[1, 2], keepdims=1)
    yield "reducemax_attr_mixed", one("ReduceMax", [2, 3, 4, 5, 6], [3, 5], opset=13, axes=[0, 2, -1], keepdims=0)
    yield "reducesum_noop", one("ReduceSum", [3, 4], [3, 4], [("axes", np.zeros(0, np.int64))], noop_with_empty_axes=1)
    yield "reducesum_big", one("ReduceSum", [2, 5000], [2, 1], [("axes", np.array([1], np.int64))])


def layernorm_subgraph(r, name, hidden, square="Pow", gamma=True, beta=True, leak=False):
    """LayerNorm as exporters write it: ReduceMean, Sub, Pow (or Mul), ReduceMean, Add eps,
    Sqrt, Div, Mul gamma, Add beta. leak: an intermediate is also a graph output (no fusion)."""
    nodes = [helper.make_node("ReduceMean", ["x"], ["m"], axes=[-1]), helper.make_node("Sub", ["x", "m"], ["d"])]
    inits = [("eps", np.array(1e-5, np.float32))]
    if square == "Pow":
        nodes.append(helper.make_node("Pow", ["d", "two"], ["p"]))
        inits.append(("two", np.array(2.0, np.float32)))
    else:
        nodes.append(helper.make_node("Mul", ["d", "d"], ["p"]))
    nodes += [helper.make_node("ReduceMean", ["p"], ["v"], axes=[-1]), helper.make_node("Add", ["v", "eps"], ["ve"]),
              helper.make_node("Sqrt", ["ve"], ["s"]), helper.make_node("Div", ["d", "s"], ["n"])]
    last = "n"
    if gamma:
        nodes.append(helper.make_node("Mul", ["n", "g"], ["ng"]))
        inits.append(("g", r.uniform(0.5, 1.5, hidden).astype(np.float32)))
        last = "ng"
    if beta:
        nodes.append(helper.make_node("Add", ["be", last], ["nb"]))
        inits.append(("be", r.uniform(-1, 1, hidden).astype(np.float32)))
        last = "nb"
    nodes.append(helper.make_node("Relu", [last], ["y"]))
    outputs = [("y", [2, 5, hidden])] + ([("v", [2, 5, 1])] if leak else [])
    return name, model(nodes, [("x", [2, 5, hidden])], outputs, inits)


def cases():
    r = rng(30)
    families = [pool_cases(), softmax_cases(), norm_cases(r), reduce_cases()]
    for family in families:
        for name, m in family:
            yield name, m, FP32_TOL
    for args in (("ln_subgraph_pow", 48), ("ln_subgraph_mul", 33, "Mul"), ("ln_subgraph_no_affine", 20, "Pow", False, False),
                 ("ln_subgraph_gamma", 64, "Mul", True, False), ("ln_subgraph_leak", 16, "Pow", True, True, True)):
        name, m = layernorm_subgraph(r, *args)
        yield name, m, FP32_TOL
