"""engine_act_tests: the OpenCL engine against the reference where activations and reductions used
to go wrong.

Activations (one table, src/ocl/activation.h; one Clip-bounds rule, src/ops/clip_bounds.h):
Clip with one bound or none after MatMul and Conv, at opset 13 (an absent bound bounds nothing,
so +-inf pass through) and opset 10 (attributes default to the largest float), with producers
whose outputs reach +-inf and large finite values; fused into the producer's epilogue (checked
in the plan) and with fusion off. Elu and Softplus, which fuse only through the table, too.

Reductions: rows long enough, and offset far enough from zero, that a serial float sum loses the
answer (LayerNormalization over 65,537 values 1000 +- 0.001), for every reduction kind the engine
has, at the default tolerance."""
import json
import os
import subprocess

import numpy as np
from onnx import TensorProto, helper, numpy_helper


def _run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)


def _model(nodes, inputs, outputs, inits, opset):
    g = helper.make_graph(
        nodes, "case",
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs],
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in outputs],
        initializer=[numpy_helper.from_array(np.asarray(v, dtype=np.float32), n) for n, v in inits])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m


def _clip(opset, lo, hi):
    """A Clip node on 'y' giving 'z' with bounds lo/hi (None: absent), and its initializers."""
    if opset < 11:
        attrs = {k: v for k, v in (("min", lo), ("max", hi)) if v is not None}
        return helper.make_node("Clip", ["y"], ["z"], **attrs), []
    ins, inits = ["y"], []
    for name, v in (("lo", lo), ("hi", hi)):
        ins.append(name if v is not None else "")
        if v is not None:
            inits.append((name, np.array(v, dtype=np.float32)))
    while ins[-1] == "":
        ins.pop()
    return helper.make_node("Clip", ins, ["z"]), inits


def _big_weights(rows, cols):
    """Row 0 of x decides overflow: its weights are ~3e38, the rest small, so x0 beyond ~1.1
    gives +-inf (finite terms added to inf stay inf: no NaN whatever the summation order) and
    smaller x0 large finite values."""
    w = np.full((rows, cols), 0.25, dtype=np.float32)
    w[0] = np.linspace(1e38, 3e38, cols, dtype=np.float32) * np.where(np.arange(cols) % 2, -1, 1)
    return w


def _matmul_model(post, opset):
    node, inits = post
    nodes = [helper.make_node("MatMul", ["x", "w"], ["y"]), node]
    return _model(nodes, [("x", [6, 4])], [("z", [6, 5])], [("w", _big_weights(4, 5))] + inits, opset)


def _conv_model(post, opset):
    node, inits = post
    w = _big_weights(2, 3).T.reshape(3, 2, 1, 1)
    nodes = [helper.make_node("Conv", ["x", "w"], ["y"]), node]
    return _model(nodes, [("x", [1, 2, 4, 4])], [("z", [1, 3, 4, 4])], [("w", w)] + inits, opset)


ACT_CASES = (
    # name, model, fused layer kind, what the epilogue must hold
    ("MatMul->Clip(min only) opset 13", lambda: _matmul_model(_clip(13, 0.0, None), 13)),
    ("MatMul->Clip(max only) opset 13", lambda: _matmul_model(_clip(13, None, 0.5), 13)),
    ("MatMul->Clip() opset 13", lambda: _matmul_model(_clip(13, None, None), 13)),
    ("MatMul->Clip() opset 10 (attribute defaults)", lambda: _matmul_model(_clip(10, None, None), 10)),
    ("Conv->Clip() opset 13", lambda: _conv_model(_clip(13, None, None), 13)),
    ("Conv->Clip(min only) opset 13", lambda: _conv_model(_clip(13, -1.0, None), 13)),
    ("Conv->Clip(max only) opset 10", lambda: _conv_model(_clip(10, None, 2.0), 10)),
    ("Conv->Elu(alpha 0.5)", lambda: _conv_model((helper.make_node("Elu", ["y"], ["z"], alpha=0.5), []), 13)),
    ("MatMul->Softplus", lambda: _matmul_model((helper.make_node("Softplus", ["y"], ["z"]), []), 13)),
)


def _fused(plan):
    """Whether the plan's producer layer absorbed the activation node."""
    layers = json.load(open(plan))["layers"]
    return len(layers) == 1 and layers[0].get("fusion") in ("conv_bias_act", "gemm_bias_act")


def activation_cases(s, xc, tmp):
    for k, (label, make) in enumerate(ACT_CASES):
        model = os.path.join(tmp, "act_%d.onnx" % k)
        m = make()
        with open(model, "wb") as f:
            f.write(m.SerializeToString())
        # +-2 reaches inf through the 1e38 weights; small values stay large but finite
        # one tactic per kind: the epilogue is common to all of them, and PoCL compiles are slow
        tune = ["--tactics", "gemm.naive", "--tactics", "conv2d.direct", "--timing-iterations", "1"]
        common = ["--val-range", "[-2,2]", "--iterations", "2"]
        plan = os.path.join(tmp, "act_%d.plan" % k)
        r = _run([xc, "build", model, "-o", plan] + tune)
        ok = r.returncode == 0 and _fused(plan)
        if ok:
            r = _run([xc, "run", model, "--ref", "--plan", plan] + common)
            ok = r.returncode == 0
        s.check("engine-act: %s, fused into the epilogue, matches the reference" % label, ok, r.stdout[-1500:] + r.stderr[-1500:])
        r = _run([xc, "run", model, "--ref", "--ocl", "--no-fusion"] + tune + common)
        s.check("engine-act: %s, unfused, matches the reference" % label, r.returncode == 0, r.stdout[-1500:] + r.stderr[-1500:])


ROW = 65537  # one more than a power of two: no tile divides it


def _norm_model(op, shape, attrs, opset):
    c = shape[1] if op == "InstanceNormalization" else shape[-1]
    r = np.random.default_rng(7)
    inits = [("g", r.uniform(0.5, 1.5, c)), ("b", r.uniform(-0.5, 0.5, c))]
    node = helper.make_node(op, ["x", "g", "b"], ["z"], **attrs)
    return _model([node], [("x", shape)], [("z", shape)], inits, opset)


def _one_op(op, shape, out, attrs=None, opset=17):
    return _model([helper.make_node(op, ["x"], ["z"], **(attrs or {}))], [("x", shape)], [("z", out)], [], opset)


# name, model, value range, tactic globs (each run pins one; every kernel of the kind is checked)
REDUCTION_CASES = (
    ("LayerNormalization over 65537 values 1000 +- 0.001",
     lambda: _norm_model("LayerNormalization", [2, ROW], {"axis": -1}, 17), "[999.999,1000.001]",
     ("layernorm.row_serial", "layernorm.row_local*")),
    # row_registers holds a row in registers (32 values a work-item, 64 work-items): a shorter row
    ("LayerNormalization over 2000 values 1000 +- 0.001",
     lambda: _norm_model("LayerNormalization", [2, 2000], {"axis": -1}, 17), "[999.999,1000.001]",
     ("layernorm.row_registers*",)),
    ("InstanceNormalization over 65537 values 1000 +- 0.001",
     lambda: _norm_model("InstanceNormalization", [1, 2, ROW], {}, 17), "[999.999,1000.001]",
     ("layernorm.row_local*",)),
    ("Softmax over 65537 values 1000 +- 0.001", lambda: _one_op("Softmax", [2, ROW], [2, ROW], {"axis": -1}),
     "[999.999,1000.001]", ("softmax.row_serial", "softmax.row_local*")),
    ("ReduceMean over 65537 values in [1000,1001]",
     lambda: _one_op("ReduceMean", [2, ROW], [2, 1], {"axes": [-1]}, 17), "[1000,1001]", ("reduce.direct", "reduce.group*")),
    ("ReduceSumSquare over 65537 values in [1000,1001]",
     lambda: _one_op("ReduceSumSquare", [2, ROW], [2, 1], {"axes": [-1]}, 17), "[1000,1001]", ("reduce.direct", "reduce.group*")),
    ("GlobalAveragePool over 257x255 values in [1000,1001]",
     lambda: _one_op("GlobalAveragePool", [1, 2, 257, 255], [1, 2, 1, 1]), "[1000,1001]", ("pool.direct", "pool.global_reduce*")),
)


def reduction_cases(s, xc, tmp):
    for k, (label, make, val_range, tactics) in enumerate(REDUCTION_CASES):
        model = os.path.join(tmp, "red_%d.onnx" % k)
        with open(model, "wb") as f:
            f.write(make().SerializeToString())
        for t in tactics:
            r = _run([xc, "run", model, "--ref", "--ocl", "--val-range", val_range, "--tactics", t, "--timing-iterations", "1"])
            s.check("engine-act: %s, %s, matches the reference at the default tolerance" % (label, t), r.returncode == 0,
                    r.stdout[-1500:] + r.stderr[-1500:])


def engine_act_tests(s, xc, build, tmp):
    activation_cases(s, xc, tmp)
    reduction_cases(s, xc, tmp)
