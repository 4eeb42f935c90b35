"""vec4_epilogue: the float4 kernels (gemm.vec4, conv2d.{1x1,implicit,im2col,splitk}_vec4) store
each float4 of outputs as one access where the four are adjacent and aligned in the output (and
in the residual), and one by one elsewhere: a map whose size is not a multiple of 4 puts runs
across two images, the last tile runs past P or N. The implicit gather keeps its output positions
split once and walks its taps (stride, padding, dilation). Every case runs with the tactic
pinned by --tactics in fp32, the aligned ones in --fp16 and --bf16 too (half and bfloat16
storage take their own aligned accesses), and its output is checked against ONNX Runtime on the same inputs."""
import json
import os
import subprocess

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from test_wgmma import _saved  # a --save-outputs folder's tensors of one runner and role


def _conv_model(path, x, m, k, stride=1, pad=0, dil=1, residual=True, seed=0):
    """Y = Relu(Conv(X) + bias [+ R])."""
    rng = np.random.default_rng(seed)
    n, c, h, w = x
    oh = (h + 2 * pad - dil * (k - 1) - 1) // stride + 1
    ow = (w + 2 * pad - dil * (k - 1) - 1) // stride + 1
    inits = [numpy_helper.from_array((rng.uniform(-1, 1, (m, c, k, k)) / np.sqrt(c * k * k)).astype(np.float32), "W"),
             numpy_helper.from_array(rng.uniform(-1, 1, m).astype(np.float32), "b")]
    ins = [helper.make_tensor_value_info("X", TensorProto.FLOAT, x)]
    nodes = [helper.make_node("Conv", ["X", "W", "b"], ["C"], name="conv", kernel_shape=[k, k], strides=[stride, stride],
                              pads=[pad] * 4, dilations=[dil, dil])]
    last = "C"
    if residual:
        ins.append(helper.make_tensor_value_info("R", TensorProto.FLOAT, [n, m, oh, ow]))
        nodes.append(helper.make_node("Add", ["C", "R"], ["S"], name="residual"))
        last = "S"
    nodes.append(helper.make_node("Relu", [last], ["Y"], name="relu"))
    g = helper.make_graph(nodes, "vec4_conv", ins, [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)],
                          initializer=inits)
    mod = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    mod.ir_version = 8
    onnx.save(mod, path)
    return oh * ow


def _gemm_model(path, m, k, n, seed=0):
    """Y = A @ B + bias, B constant."""
    rng = np.random.default_rng(seed)
    inits = [numpy_helper.from_array((rng.uniform(-1, 1, (k, n)) / np.sqrt(k)).astype(np.float32), "B"),
             numpy_helper.from_array(rng.uniform(-1, 1, n).astype(np.float32), "bias")]
    g = helper.make_graph([helper.make_node("Gemm", ["A", "B", "bias"], ["Y"], name="gemm")], "vec4_gemm",
                          [helper.make_tensor_value_info("A", TensorProto.FLOAT, [m, k])],
                          [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)], initializer=inits)
    mod = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    mod.ir_version = 8
    onnx.save(mod, path)


# (name, builder, tactics): OHW = 64 and 16 store whole float4s, 49, 169 and 25 fall back (runs
# across images), P ends inside a tile.
CASES = (
    ("1x1_aligned", lambda p: _conv_model(p, [3, 16, 8, 8], 24, 1), ("conv2d.1x1_vec4", "conv2d.implicit_vec4")),
    ("1x1_map49", lambda p: _conv_model(p, [3, 16, 7, 7], 24, 1), ("conv2d.1x1_vec4", "conv2d.implicit_vec4")),
    ("3x3_s2_aligned", lambda p: _conv_model(p, [3, 12, 15, 15], 20, 3, stride=2, pad=1),
     ("conv2d.implicit_vec4", "conv2d.im2col_vec4")),
    ("3x3_d2_map169", lambda p: _conv_model(p, [3, 8, 13, 13], 12, 3, pad=2, dil=2, residual=False),
     ("conv2d.implicit_vec4", "conv2d.im2col_vec4")),
    # split-K (K >= 512): partial sums, then the reduce's epilogue
    ("1x1_k512", lambda p: _conv_model(p, [2, 512, 4, 4], 16, 1), ("conv2d.splitk_vec4",)),
    ("3x3_k576", lambda p: _conv_model(p, [2, 64, 5, 5], 12, 3, pad=1), ("conv2d.splitk_vec4", "conv2d.splitk_im2col_vec4")),
    ("gemm_37x24x20", lambda p: _gemm_model(p, 37, 24, 20), ("gemm.vec4",)),
)
MODES = (("fp32", [], 1e-5), ("fp16", ["--fp16"], 5e-3), ("bf16", ["--bf16"], 4e-2))
STORAGE = ("1x1_aligned", "3x3_s2_aligned", "gemm_37x24x20")  # the cases run in every mode (else fp32 only)


def vec4_epilogue(s, xc, build, tmp):
    import onnxruntime as ort
    d = os.path.join(tmp, "vec4_epilogue")
    os.makedirs(d, exist_ok=True)
    for name, make, tactics in CASES:
        model = os.path.join(d, name + ".onnx")
        make(model)
        sess = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
        for tactic in tactics:
            for mode, extra, rel_max in MODES if name in STORAGE else MODES[:1]:
                out, tac = os.path.join(d, "out_%s_%s_%s" % (name, tactic, mode)), os.path.join(d, "tactics.json")
                r = subprocess.run([xc, "run", model, "--ref", "--ocl", "--tactics", tactic + "*", "--save-tactics", tac,
                                    "--save-outputs", out, "--val-range", "[-1,1]", "--timing-iterations", "1"] + extra,
                                   capture_output=True, text=True, timeout=300)
                ran, rel = [], float("inf")
                if r.returncode == 0:
                    ran = [lay["tactic"] for lay in json.load(open(tac))["layers"]]
                    want = sess.run(None, _saved(out, "ref", "input"))[0].astype(np.float64)
                    got = next(iter(_saved(out, "ocl", "output").values())).astype(np.float64)
                    rel = float(np.linalg.norm(got - want) / np.linalg.norm(want))
                s.check("vec4_epilogue: %s on %s (%s) agrees with ONNX Runtime (relative error %.3g, tactics %s)" %
                        (tactic, name, mode, rel, ran),
                        any(t.startswith(tactic + ".") for t in ran) and rel < rel_max, r.stdout[-1200:] + r.stderr[-400:])
