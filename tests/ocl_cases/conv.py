"""Convolutions (every tactic's awkward cases: odd sizes, 1x1, large pads, groups, depthwise,
dilations, strides, auto_pad, 1-D) and the conv fusions (BatchNorm folding, residual Add,
activations, SiLU)."""
import numpy as np
from onnx import helper, shape_inference

from common import FP32_TOL, model, rng


def shaped(nodes, inputs, inits):
    """A model whose output "y" has the shape ONNX shape inference gives it."""
    return shape_inference.infer_shapes(model(nodes, inputs, [("y", None)], inits))


def conv_case(r, name, x_shape, m, k, group=1, bias=True, extra=(), post=None, **attrs):
    """Conv of input x_shape to m channels with kernel k (a tuple of spatial sizes); post(nodes,
    inits, r, y_shape) may append nodes reading "c" and must leave the result in "y"."""
    c = x_shape[1]
    w = (r.standard_normal([m, c // group] + list(k)) / np.sqrt(c // group * np.prod(k))).astype(np.float32)
    inits = [("w", w)]
    inputs = ["x", "w"]
    if bias:
        inits.append(("b", r.standard_normal(m).astype(np.float32)))
        inputs.append("b")
    out = "c" if post else "y"
    nodes = [helper.make_node("Conv", inputs, [out], name="Conv_0", group=group, **attrs)]
    feeds = [("x", x_shape)] + list(extra)
    if post:
        post(nodes, inits, r)
    return (name, shaped(nodes, feeds, inits), FP32_TOL)


def act(op, **attrs):
    def post(nodes, inits, r):
        nodes.append(helper.make_node(op, ["c"], ["y"], name=op + "_1", **attrs))
    return post


def bn(then=None):
    def post(nodes, inits, r):
        m = [v for n, v in inits if n == "w"][0].shape[0]
        inits += [("scale", r.uniform(0.5, 1.5, m).astype(np.float32)), ("bias_bn", r.standard_normal(m).astype(np.float32)),
                  ("mean", r.standard_normal(m).astype(np.float32)), ("var", r.uniform(0.2, 2.0, m).astype(np.float32))]
        out = "bn" if then else "y"
        nodes.append(helper.make_node("BatchNormalization", ["c", "scale", "bias_bn", "mean", "var"], [out], name="BN_1",
                                      epsilon=1e-3))
        if then:
            nodes.append(helper.make_node(then, ["bn"], ["y"], name=then + "_2"))
    return post


def residual(then=None):
    def post(nodes, inits, r):
        out = "s" if then else "y"
        nodes.append(helper.make_node("Add", ["skip", "c"], [out], name="Add_1"))
        if then:
            nodes.append(helper.make_node(then, [out], ["y"], name=then + "_2"))
    return post


def silu(nodes, inits, r):
    nodes += [helper.make_node("Sigmoid", ["c"], ["sg"], name="Sigmoid_1"),
              helper.make_node("Mul", ["c", "sg"], ["y"], name="Mul_2")]


def clip(nodes, inits, r):
    inits += [("lo", np.array(-0.5, np.float32)), ("hi", np.array(0.8, np.float32))]
    nodes.append(helper.make_node("Clip", ["c", "lo", "hi"], ["y"], name="Clip_1"))


def cases():
    r = rng(20)
    # plain geometry: odd sizes, 1x1, strides, pads, dilations, groups, depthwise, 1-D
    yield conv_case(r, "conv_3x3_pad1", [1, 3, 9, 11], 5, (3, 3), pads=[1, 1, 1, 1])
    yield conv_case(r, "conv_3x3_batch2_nobias", [2, 8, 7, 7], 16, (3, 3), bias=False, pads=[1, 1, 1, 1])
    yield conv_case(r, "conv_3x3_valid_odd", [1, 7, 13, 5], 9, (3, 3))
    yield conv_case(r, "conv_1x1", [1, 32, 6, 5], 24, (1, 1))
    yield conv_case(r, "conv_1x1_batch3_odd", [3, 5, 3, 7], 70, (1, 1))
    yield conv_case(r, "conv_1x1_stride2", [1, 16, 9, 9], 8, (1, 1), strides=[2, 2])
    yield conv_case(r, "conv_1x1_pad", [1, 4, 3, 3], 6, (1, 1), pads=[1, 0, 2, 1])
    yield conv_case(r, "conv_7x7_s2_p3", [1, 3, 23, 23], 8, (7, 7), strides=[2, 2], pads=[3, 3, 3, 3])
    yield conv_case(r, "conv_5x3_asym_pads", [1, 4, 10, 8], 6, (5, 3), pads=[0, 2, 4, 1])
    yield conv_case(r, "conv_large_pads", [1, 2, 3, 4], 3, (3, 3), pads=[5, 4, 6, 7])
    # an empty input plane: the output is all padding, i.e. the bias (a fuzzer found the reference
    # offsetting the input's null buffer)
    yield conv_case(r, "conv_empty_input_padded", [1, 2, 0, 3], 3, (1, 1), pads=[1, 1, 1, 1])
    yield conv_case(r, "conv_dilation2", [1, 6, 12, 12], 7, (3, 3), dilations=[2, 2], pads=[2, 2, 2, 2])
    yield conv_case(r, "conv_dilation_strided", [1, 5, 17, 14], 4, (3, 2), dilations=[3, 2], strides=[2, 3])
    yield conv_case(r, "conv_1x1_image", [1, 1, 1, 1], 1, (1, 1))
    yield conv_case(r, "conv_kernel_eq_input", [2, 3, 5, 5], 10, (5, 5))
    yield conv_case(r, "conv_group2", [1, 8, 9, 9], 12, (3, 3), group=2, pads=[1, 1, 1, 1])
    yield conv_case(r, "conv_group4_stride2", [1, 16, 10, 11], 8, (3, 3), group=4, strides=[2, 2], pads=[1, 1, 1, 1])
    yield conv_case(r, "conv_depthwise_3x3", [1, 12, 14, 15], 12, (3, 3), group=12, pads=[1, 1, 1, 1])
    yield conv_case(r, "conv_depthwise_5x5_s2", [2, 7, 11, 9], 7, (5, 5), group=7, strides=[2, 2], pads=[2, 2, 2, 2])
    yield conv_case(r, "conv_depthwise_mult2", [1, 4, 8, 8], 8, (3, 3), group=4, pads=[1, 1, 1, 1])
    yield conv_case(r, "conv_auto_same_upper", [1, 3, 10, 7], 4, (4, 3), auto_pad="SAME_UPPER", strides=[2, 2])
    yield conv_case(r, "conv_auto_same_lower", [1, 3, 9, 8], 4, (4, 4), auto_pad="SAME_LOWER")
    yield conv_case(r, "conv_auto_valid", [1, 3, 9, 8], 4, (3, 3), auto_pad="VALID", strides=[2, 1])
    yield conv_case(r, "conv_1d", [2, 6, 31], 5, (5,), pads=[2, 1])
    yield conv_case(r, "conv_1d_stride_dil", [1, 4, 40], 8, (3,), strides=[3], dilations=[2])
    yield conv_case(r, "conv_wide_channels", [1, 67, 9, 10], 130, (3, 3), pads=[1, 1, 1, 1])
    yield conv_case(r, "conv_winograd_odd_out", [1, 9, 7, 9], 11, (3, 3))
    # deep K on small maps (conv2d.splitk_gemm): slices that do not divide K, 1x1, strides
    yield conv_case(r, "conv_deep_3x3_small_map", [1, 64, 7, 7], 40, (3, 3), pads=[1, 1, 1, 1])
    yield conv_case(r, "conv_deep_1x1_small_map", [1, 300, 5, 5], 48, (1, 1))
    yield conv_case(r, "conv_deep_3x3_s2_batch2", [2, 41, 9, 9], 24, (3, 3), strides=[2, 2], pads=[1, 1, 1, 1])
    # the vec4 kernels' split-K (K >= 512): W rows of odd length (no float4 loads), 1x1 planes
    # whose size is or is not a multiple of 4 (float4 loads of B or not)
    yield conv_case(r, "conv_deep_3x3_odd_k", [1, 61, 6, 6], 36, (3, 3), pads=[1, 1, 1, 1])
    yield conv_case(r, "conv_deep_1x1_odd_k", [1, 521, 5, 5], 36, (1, 1))
    yield conv_case(r, "conv_deep_1x1_vec_plane", [2, 520, 4, 4], 40, (1, 1))
    # fusions
    yield conv_case(r, "conv_relu", [1, 4, 8, 8], 8, (3, 3), post=act("Relu"), pads=[1, 1, 1, 1])
    yield conv_case(r, "conv_leakyrelu", [1, 4, 8, 7], 5, (3, 3), post=act("LeakyRelu", alpha=0.2))
    yield conv_case(r, "conv_sigmoid", [1, 3, 6, 6], 4, (1, 1), post=act("Sigmoid"))
    yield conv_case(r, "conv_tanh", [1, 3, 6, 6], 4, (3, 3), post=act("Tanh"))
    yield conv_case(r, "conv_hardsigmoid", [1, 3, 6, 6], 4, (3, 3), post=act("HardSigmoid", alpha=0.3, beta=0.4))
    yield conv_case(r, "conv_hardswish", [1, 3, 6, 6], 4, (3, 3), post=act("HardSwish"))
    # activations added as one row of src/ocl/activation.h each
    yield conv_case(r, "conv_selu", [1, 3, 6, 6], 4, (3, 3), post=act("Selu", alpha=1.5, gamma=1.2))
    yield conv_case(r, "conv_thresholdedrelu", [1, 3, 6, 6], 4, (3, 3), post=act("ThresholdedRelu", alpha=0.3))
    yield conv_case(r, "conv_clip", [1, 3, 6, 6], 4, (3, 3), post=clip)
    yield conv_case(r, "conv_silu", [1, 6, 9, 9], 8, (3, 3), post=silu, pads=[1, 1, 1, 1])
    yield conv_case(r, "conv_bn", [1, 5, 9, 9], 6, (3, 3), post=bn(), pads=[1, 1, 1, 1])
    yield conv_case(r, "conv_bn_nobias_relu", [2, 5, 8, 8], 6, (1, 1), bias=False, post=bn("Relu"))
    yield conv_case(r, "conv_residual", [1, 6, 8, 8], 6, (3, 3), post=residual(), extra=[("skip", [1, 6, 8, 8])],
                    pads=[1, 1, 1, 1])
    yield conv_case(r, "conv_residual_relu", [1, 8, 7, 7], 8, (1, 1), post=residual("Relu"), extra=[("skip", [1, 8, 7, 7])])
    yield conv_case(r, "conv_deep_bn_residual_relu", [1, 96, 4, 4], 96, (3, 3), post=residual("Relu"),
                    extra=[("skip", [1, 96, 4, 4])], pads=[1, 1, 1, 1])
    yield conv_case(r, "conv_dw_residual_relu", [1, 8, 7, 7], 8, (3, 3), group=8, post=residual("Relu"),
                    extra=[("skip", [1, 8, 7, 7])], pads=[1, 1, 1, 1])
    yield resnet_block(r)
    yield from concat_blocks(r)


def concat_blocks(r):
    """Concats written in place (concat_elimination): a squeezenet fire module (two conv
    branches side by side along channels), a densenet-like chain (a concat's output is an
    input of the next concat: slices of slices; branches also read elsewhere), and a concat
    whose slice offsets are not aligned (it must keep copying)."""
    def w(cout, cin, k):
        return (r.standard_normal((cout, cin, k, k)) / np.sqrt(cin * k * k)).astype(np.float32)
    inits = [("sq", w(8, 16, 1)), ("e1", w(16, 8, 1)), ("e3", w(16, 8, 3)), ("c", w(8, 32, 1))]
    nodes = [helper.make_node("Conv", ["x", "sq"], ["s"], name="squeeze"),
             helper.make_node("Relu", ["s"], ["sr"], name="squeeze_relu"),
             helper.make_node("Conv", ["sr", "e1"], ["a"], name="expand1x1"),
             helper.make_node("Relu", ["a"], ["ar"], name="expand1x1_relu"),
             helper.make_node("Conv", ["sr", "e3"], ["b"], name="expand3x3", pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["b"], ["br"], name="expand3x3_relu"),
             helper.make_node("Concat", ["ar", "br"], ["cat"], name="fire_concat", axis=1),
             helper.make_node("Conv", ["cat", "c"], ["y"], name="after")]
    yield "conv_concat_fire", model(nodes, [("x", [1, 16, 8, 8])], [("y", [1, 8, 8, 8])], inits), FP32_TOL
    inits = [("w1", w(16, 16, 3)), ("w2", w(16, 32, 3)), ("w3", w(16, 48, 1))]
    nodes = [helper.make_node("Relu", ["x"], ["x0"], name="relu0"),
             helper.make_node("Conv", ["x0", "w1"], ["f1"], name="dense1", pads=[1, 1, 1, 1]),
             helper.make_node("Concat", ["x0", "f1"], ["c1"], name="cat1", axis=1),
             helper.make_node("Relu", ["c1"], ["c1r"], name="relu1"),
             helper.make_node("Conv", ["c1r", "w2"], ["f2"], name="dense2", pads=[1, 1, 1, 1]),
             helper.make_node("Concat", ["c1", "f2"], ["c2"], name="cat2", axis=1),
             helper.make_node("Conv", ["c2", "w3"], ["f3"], name="transition"),
             helper.make_node("Add", ["f3", "f1"], ["y"], name="reuse_f1")]
    yield "conv_concat_dense", model(nodes, [("x", [1, 16, 8, 8])], [("y", [1, 16, 8, 8])], inits), FP32_TOL
    # a DenseNet block's last Concat: 30 inputs (several concat.bands launches when copied)
    inits, nodes, feats = [], [helper.make_node("Relu", ["x"], ["f0"], name="stem_relu")], ["f0"]
    for i in range(1, 30):
        inits.append(("dw%d" % i, w(4, 4, 1)))
        nodes.append(helper.make_node("Conv", ["f0", "dw%d" % i], ["f%d" % i], name="branch%d" % i))
        feats.append("f%d" % i)
    nodes.append(helper.make_node("Concat", feats, ["y"], name="cat30", axis=1))
    yield "conv_concat_30_inputs", model(nodes, [("x", [1, 4, 8, 8])], [("y", [1, 120, 8, 8])], inits), FP32_TOL
    inits = [("u1", w(3, 4, 1)), ("u2", w(5, 4, 1))]
    nodes = [helper.make_node("Conv", ["x", "u1"], ["p"], name="odd1"),
             helper.make_node("Conv", ["x", "u2"], ["q"], name="odd2"),
             helper.make_node("Concat", ["p", "q"], ["y"], name="cat_unaligned", axis=1)]
    yield "conv_concat_unaligned", model(nodes, [("x", [1, 4, 3, 3])], [("y", [1, 8, 3, 3])], inits), FP32_TOL


def resnet_block(r):
    """Conv-BN-Relu, Conv-BN, + identity, Relu: every conv fusion in one graph."""
    c = 8
    def w():
        return (r.standard_normal([c, c, 3, 3]) / np.sqrt(9 * c)).astype(np.float32)
    def bn_inits(p):
        return [(p + "s", r.uniform(0.5, 1.5, c).astype(np.float32)), (p + "b", r.standard_normal(c).astype(np.float32)),
                (p + "m", r.standard_normal(c).astype(np.float32)), (p + "v", r.uniform(0.5, 2, c).astype(np.float32))]
    inits = [("w1", w()), ("w2", w())] + bn_inits("a") + bn_inits("b")
    pads = [1, 1, 1, 1]
    nodes = [helper.make_node("Conv", ["x", "w1"], ["c1"], name="Conv_0", pads=pads),
             helper.make_node("BatchNormalization", ["c1", "as", "ab", "am", "av"], ["n1"], name="BN_1"),
             helper.make_node("Relu", ["n1"], ["r1"], name="Relu_2"),
             helper.make_node("Conv", ["r1", "w2"], ["c2"], name="Conv_3", pads=pads),
             helper.make_node("BatchNormalization", ["c2", "bs", "bb", "bm", "bv"], ["n2"], name="BN_4"),
             helper.make_node("Add", ["n2", "x"], ["s"], name="Add_5"),
             helper.make_node("Relu", ["s"], ["y"], name="Relu_6")]
    return ("conv_resnet_block", shaped(nodes, [("x", [1, c, 10, 10])], inits), FP32_TOL)
