"""Elementwise layers and their fusion into one generated kernel, with broadcasting."""
import numpy as np
from onnx import helper

from common import FP32_TOL, OPSET, model, rng


def cases():
    r = rng(10)
    unary = ["Relu", "Sigmoid", "Tanh", "Exp", "Abs", "Neg", "Erf", "Floor", "Ceil", "Sin", "Cos",
             "LeakyRelu", "HardSigmoid", "HardSwish", "Softplus", "Elu", "Selu", "Softsign", "ThresholdedRelu",
             "Mish"]
    for op in unary:
        yield ("pw_%s" % op.lower(), model([helper.make_node(op, ["x"], ["y"])], [("x", [3, 5, 7])], [("y", [3, 5, 7])],
                                           opset=18 if op == "Mish" else OPSET), FP32_TOL)  # Mish: opset 18
    for op in ["Add", "Sub", "Mul", "Div", "Max", "Min", "PRelu"]:
        for shape_b in ([3, 5, 7], [7], [5, 1], [1, 1, 1]):
            name = "pw_%s_%s" % (op.lower(), "x".join(map(str, shape_b)))
            b = r.uniform(0.5, 2.0, shape_b).astype(np.float32)
            yield (name, model([helper.make_node(op, ["x", "b"], ["y"])], [("x", [3, 5, 7])], [("y", [3, 5, 7])], [("b", b)]), FP32_TOL)
    # both operands runtime inputs, broadcasting both ways
    yield ("pw_add_two_way", model([helper.make_node("Add", ["x", "z"], ["y"])], [("x", [4, 1, 6]), ("z", [5, 1])],
                                   [("y", [4, 5, 6])]), FP32_TOL)
    yield ("pw_clip", model([helper.make_node("Clip", ["x", "lo", "hi"], ["y"])], [("x", [17])], [("y", [17])],
                            [("lo", np.array(0.2, np.float32)), ("hi", np.array(0.7, np.float32))]), FP32_TOL)
    # a chain with a branch: GELU as exporters write it, fused into one kernel
    nodes = [helper.make_node("Div", ["x", "sqrt2"], ["d"]), helper.make_node("Erf", ["d"], ["e"]),
             helper.make_node("Add", ["e", "one"], ["a"]), helper.make_node("Mul", ["x", "a"], ["m"]),
             helper.make_node("Mul", ["m", "half"], ["y"])]
    yield ("pw_gelu_chain", model(nodes, [("x", [2, 9, 33])], [("y", [2, 9, 33])],
                                  [("sqrt2", np.array(np.sqrt(2), np.float32)), ("one", np.array(1, np.float32)),
                                   ("half", np.array(0.5, np.float32))]), FP32_TOL)
    yield from shape_subgraph_cases()


def shape_subgraph_cases():
    """Reshape whose target comes from Shape -> Gather -> Concat of an activation, as exporters
    write it: folded at build time because engine shapes are static."""
    nodes = [helper.make_node("Relu", ["x"], ["r"]), helper.make_node("Shape", ["r"], ["s"]),
             helper.make_node("Gather", ["s", "i0"], ["b"], axis=0), helper.make_node("Unsqueeze", ["b", "ax"], ["bu"]),
             helper.make_node("Concat", ["bu", "minus1"], ["shape"], axis=0), helper.make_node("Reshape", ["r", "shape"], ["y"]),
             helper.make_node("Size", ["x"], ["n"]), helper.make_node("Cast", ["n"], ["nf"], to=1),
             helper.make_node("Div", ["y", "nf"], ["z"])]
    yield ("pw_shape_subgraph", model(nodes, [("x", [2, 3, 4])], [("z", [2, 12])],
                                      [("i0", np.array(0, np.int64)), ("ax", np.array([0], np.int64)),
                                       ("minus1", np.array([-1], np.int64))]), FP32_TOL)
