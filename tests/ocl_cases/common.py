"""Helpers for the OpenCL test-case families (see make_cases.py)."""
import numpy as np
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
FP32_TOL = {"rtol": 1e-3, "atol": 1e-4}


def model(nodes, inputs, outputs, inits=(), opset=OPSET):
    """inputs/outputs: [(name, shape)] float32; inits: [(name, numpy array)]."""
    g = helper.make_graph(
        nodes, "case",
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, list(s)) for n, s in inputs],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, list(s) if s is not None else None) for n, s in outputs],
        initializer=[numpy_helper.from_array(np.asarray(v), n) for n, v in inits])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m


def rng(seed):
    return np.random.default_rng(seed)
