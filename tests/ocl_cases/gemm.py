"""Gemm and MatMul layers (every tactic of the gemm kind) and the gemm_bias_act fusions: transposes,
alpha/beta, every C broadcast, constant or runtime operands, odd and 1-sized shapes, batched MatMul
with numpy broadcasting and 1-D operands, then bias + activation patterns (GELU, SiLU, Clip, ...)."""
import numpy as np
from onnx import helper

from common import FP32_TOL, model, rng


def gemm_cases(r):
    shapes = [(1, 1, 1), (7, 13, 5), (33, 65, 17), (1, 300, 1), (130, 5, 129), (64, 64, 64), (96, 200, 40)]
    c_shapes = [None, (), (1,), "n", "1n", "m1", "mn"]
    for i, (m, k, n) in enumerate(shapes):
        for ta in (0, 1):
            for tb in (0, 1):
                cs = c_shapes[(i + 2 * ta + tb) % len(c_shapes)]
                cshape = {"n": (n,), "1n": (1, n), "m1": (m, 1), "mn": (m, n)}.get(cs, cs)
                alpha, beta = (1.0, 1.0) if (ta + tb) % 2 == 0 else (0.5, -2.0)
                a_shape = (k, m) if ta else (m, k)
                b = r.standard_normal((n, k) if tb else (k, n)).astype(np.float32)
                inits = [("b", b)]
                ins = ["a", "b"]
                if cshape is not None:
                    inits.append(("c", r.standard_normal(cshape).astype(np.float32)))
                    ins.append("c")
                node = helper.make_node("Gemm", ins, ["y"], transA=ta, transB=tb, alpha=alpha, beta=beta)
                name = "gemm_%dx%dx%d_t%d%d_c%s" % (m, k, n, ta, tb, "none" if cs is None else "".join(map(str, cs)) or "scalar")
                yield name, model([node], [("a", a_shape)], [("y", (m, n))], inits), FP32_TOL
    # A a constant (weights on the left), B the runtime input
    a = r.standard_normal((24, 40)).astype(np.float32)
    node = helper.make_node("Gemm", ["a", "x"], ["y"], transB=1)
    yield "gemm_const_a", model([node], [("x", (19, 40))], [("y", (24, 19))], [("a", a)]), FP32_TOL
    # both operands and C at run time
    node = helper.make_node("Gemm", ["a", "b", "c"], ["y"], transA=1, alpha=0.25)
    yield "gemm_all_runtime", model([node], [("a", (21, 12)), ("b", (21, 36)), ("c", (12, 1))], [("y", (12, 36))]), FP32_TOL


def matmul_cases(r):
    pairs = [
        ((37, 29), (29, 53)), ((64, 64), (64, 64)), ((1, 512), (512, 256)), ((128, 1), (1, 96)),
        ((2, 3, 5, 8), (8, 4)),            # batch folded into M
        ((2, 3, 5, 8), (2, 3, 8, 4)),      # same batch on both sides
        ((2, 1, 5, 8), (1, 3, 8, 6)),      # broadcast both ways
        ((4, 1, 2, 3, 5, 6), (3, 6, 7)),   # several batch dims, B broadcast over some
        ((3, 5, 8), (8,)),                 # 1-D B
        ((8,), (2, 8, 4)),                 # 1-D A
        ((16,), (16,)),                    # dot product
        ((3, 1, 12), (12, 20)),
    ]
    for sa, sb in pairs:
        y = np.matmul(np.zeros(sa, np.float32), np.zeros(sb, np.float32)).shape
        name = "matmul_%s_%s" % ("x".join(map(str, sa)), "x".join(map(str, sb)))
        b = r.standard_normal(sb).astype(np.float32)
        yield name, model([helper.make_node("MatMul", ["a", "b"], ["y"])], [("a", sa)], [("y", y)], [("b", b)]), FP32_TOL
    # attention scores: both operands at run time
    yield "matmul_qkt", model([helper.make_node("MatMul", ["q", "kt"], ["y"])], [("q", (2, 4, 9, 16)), ("kt", (2, 4, 16, 9))],
                              [("y", (2, 4, 9, 9))]), FP32_TOL


def linear(r, x_shape, n, tail_nodes, extra_inits=(), bias_shape=None, out="z"):
    """MatMul by a constant weight, Add of a bias, then tail_nodes reading 'h' and writing `out`."""
    k = x_shape[-1]
    w = (r.standard_normal((k, n)) / np.sqrt(k)).astype(np.float32)
    b = r.standard_normal(bias_shape or (n,)).astype(np.float32)
    nodes = [helper.make_node("MatMul", ["x", "w"], ["y"]), helper.make_node("Add", ["y", "bias"], ["h"])] + tail_nodes
    y_shape = tuple(x_shape[:-1]) + (n,)
    return model(nodes, [("x", x_shape)], [(out, y_shape)], [("w", w), ("bias", b)] + list(extra_inits))


def scalar(v):
    return np.array(v, np.float32)


def fusion_cases(r):
    x = (2, 7, 33)
    acts = {
        "relu": [helper.make_node("Relu", ["h"], ["z"])],
        "sigmoid": [helper.make_node("Sigmoid", ["h"], ["z"])],
        "tanh": [helper.make_node("Tanh", ["h"], ["z"])],
        "hardswish": [helper.make_node("HardSwish", ["h"], ["z"])],
        "softsign": [helper.make_node("Softsign", ["h"], ["z"])],
        "leakyrelu": [helper.make_node("LeakyRelu", ["h"], ["z"], alpha=0.2)],
        "hardsigmoid": [helper.make_node("HardSigmoid", ["h"], ["z"], alpha=0.3, beta=0.4)],
        "silu": [helper.make_node("Sigmoid", ["h"], ["s"]), helper.make_node("Mul", ["s", "h"], ["z"])],
    }
    for name, tail in acts.items():
        yield "gemm_fuse_%s" % name, linear(r, x, 20, tail), FP32_TOL
    yield "gemm_fuse_clip", linear(r, x, 20, [helper.make_node("Clip", ["h", "lo", "hi"], ["z"])],
                                   [("lo", scalar(-0.5)), ("hi", scalar(0.75))]), FP32_TOL
    gelu_consts = [("sqrt2", scalar(np.sqrt(2))), ("one", scalar(1)), ("half", scalar(0.5))]
    gelu = [helper.make_node("Div", ["h", "sqrt2"], ["d"]), helper.make_node("Erf", ["d"], ["e"]),
            helper.make_node("Add", ["e", "one"], ["a"]), helper.make_node("Mul", ["h", "a"], ["m"]),
            helper.make_node("Mul", ["m", "half"], ["z"])]
    yield "gemm_fuse_gelu", linear(r, (3, 16, 64), 128, gelu, gelu_consts), FP32_TOL
    gelu_swapped = [helper.make_node("Mul", ["h", "rsqrt2"], ["d"]), helper.make_node("Erf", ["d"], ["e"]),
                    helper.make_node("Add", ["one", "e"], ["a"]), helper.make_node("Mul", ["a", "h"], ["m"]),
                    helper.make_node("Mul", ["half", "m"], ["z"])]
    yield "gemm_fuse_gelu_swapped", linear(r, (5, 24), 36, gelu_swapped,
                                           [("rsqrt2", scalar(np.sqrt(0.5))), ("one", scalar(1)), ("half", scalar(0.5))]), FP32_TOL
    yield "gemm_fuse_bias_only", linear(r, (9, 40), 12, [helper.make_node("Identity", ["h"], ["z"])], bias_shape=(1, 12)), FP32_TOL
    # Gemm with its own C, then a bias Add and Relu
    w = r.standard_normal((31, 17)).astype(np.float32)
    nodes = [helper.make_node("Gemm", ["x", "w", "c"], ["y"], beta=0.5), helper.make_node("Add", ["bias", "y"], ["h"]),
             helper.make_node("Relu", ["h"], ["z"])]
    yield "gemm_fuse_c_bias_relu", model(nodes, [("x", (6, 31))], [("z", (6, 17))],
                                         [("w", w), ("c", r.standard_normal((6, 1)).astype(np.float32)),
                                          ("bias", r.standard_normal(17).astype(np.float32))]), FP32_TOL
    # not fusible: the pre-activation is also a graph output; a full-matrix Add is no bias
    nodes = [helper.make_node("MatMul", ["x", "w"], ["y"]), helper.make_node("Relu", ["y"], ["z"])]
    yield "gemm_nofuse_output", model(nodes, [("x", (4, 10))], [("y", (4, 6)), ("z", (4, 6))],
                                      [("w", r.standard_normal((10, 6)).astype(np.float32))]), FP32_TOL
    nodes = [helper.make_node("MatMul", ["x", "w"], ["y"]), helper.make_node("Add", ["y", "full"], ["z"])]
    yield "gemm_nofuse_matrix_add", model(nodes, [("x", (4, 10))], [("z", (4, 6))],
                                          [("w", r.standard_normal((10, 6)).astype(np.float32)),
                                           ("full", r.standard_normal((4, 6)).astype(np.float32))]), FP32_TOL


def cases():
    r = rng(20)
    yield from gemm_cases(r)
    yield from matmul_cases(r)
    yield from fusion_cases(r)
