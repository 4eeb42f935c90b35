"""Reference ops of issue 13 ("the rest of ai.onnx"): losses, signal (DFT, STFT, windows,
MelWeightMatrix), integer quantized products, Compress/Unique/Det/ReverseSequence/TensorScatter/
SwiGLU/BitCast and the random generators. Each case is a one-node model made here with
onnx.helper, run with `crosscheck run MODEL --ref`, and compared with onnx's ReferenceEvaluator
or ONNX Runtime; bad attributes and inputs must fail with one line naming the node. Random ops
are checked for shape, dtype, statistics within bounds of their distribution, and seeded
reproducibility (no other runtime's generator can be matched)."""
import os

import numpy as np
import onnx
from onnx import TensorProto as TP
from onnx import helper, numpy_helper
from onnx.reference import ReferenceEvaluator
from xc_reference_run import run_reference as _run_xc

RNG = np.random.default_rng(13)


def _vi(name, arr):
    return helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(arr.dtype), list(arr.shape))


def _model(op, inputs, outputs, attrs, opset, consts=(), out_types=None):
    """One node; inputs is a list of (name, array); names in consts become initializers."""
    node = helper.make_node(op, [n for n, _ in inputs], outputs, name="n_" + op.lower(), **attrs)
    graph_in = [_vi(n, a) for n, a in inputs if n and n not in consts]
    inits = [numpy_helper.from_array(a, n) for n, a in inputs if n in consts]
    outs = [helper.make_tensor_value_info(o, out_types[i], None) if out_types else helper.make_empty_tensor_value_info(o)
            for i, o in enumerate(outputs)]
    g = helper.make_graph([node], "g", graph_in, outs, initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 10
    return m




def _same(a, b, rtol, atol):
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.kind in "fc":
        return np.allclose(a.astype(np.float64), b.astype(np.float64), rtol=rtol, atol=atol, equal_nan=True)
    return np.array_equal(a, b)


class Cases:
    def __init__(self, s, xc, tmp):
        self.s, self.xc, self.tmp, self.k = s, xc, os.path.join(tmp, "misc_ops"), 0

    def _dir(self):
        self.k += 1
        return os.path.join(self.tmp, "c%d" % self.k)

    def check(self, label, op, inputs, outputs, attrs=None, opset=17, consts=(), judge="ref", rtol=1e-4, atol=1e-5,
              out_types=None):
        """The reference's outputs equal the judge's (onnx ReferenceEvaluator or onnxruntime)."""
        attrs = attrs or {}
        untyped = _model(op, inputs, outputs, attrs, opset, consts)
        feeds = {n: a for n, a in inputs if n and n not in consts}
        if judge == "ort":
            import onnxruntime as ort
            types = out_types or [helper.np_dtype_to_tensor_dtype(a.dtype) for a in
                                  ReferenceEvaluator(untyped).run(None, feeds)]  # output types only
            typed = _model(op, inputs, outputs, attrs, opset, consts, types)
            want = ort.InferenceSession(typed.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, feeds)
        else:
            want = ReferenceEvaluator(untyped).run(None, feeds)
        typed = _model(op, inputs, outputs, attrs, opset, consts, [helper.np_dtype_to_tensor_dtype(w.dtype) for w in want])
        r, got = _run_xc(self.xc, self._dir(), typed, [(n, a) for n, a in inputs if n in feeds])
        bad = [o for o, w in zip(outputs, want) if o not in got or not _same(got[o], np.asarray(w), rtol, atol)]
        detail = r.stderr[-600:] + "".join("\n%s: got %s expected %s" % (o, got.get(o), w) for o, w in zip(outputs, want) if o in bad)
        self.s.check("misc_ops: %s matches %s" % (label, judge), r.returncode == 0 and not bad, detail[:3000])

    def refuse(self, label, op, inputs, outputs, attrs=None, opset=17, needle="", consts=(), out_types=None):
        """The model (or the run) fails with one line naming the node and a non-zero exit."""
        m = _model(op, inputs, outputs, attrs or {}, opset, consts, out_types)
        feeds = [(n, a) for n, a in inputs if n and n not in consts]
        r, _ = _run_xc(self.xc, self._dir(), m, feeds)
        lines = r.stderr.strip().splitlines()
        ok = r.returncode != 0 and len(lines) == 1 and "n_" + op.lower() in lines[0] and needle in lines[0]
        self.s.check("misc_ops: %s is refused (%s)" % (label, lines[0] if lines else "no message"), ok,
                     "rc %d: %s" % (r.returncode, r.stderr[-600:]))

    def run(self, op, inputs, outputs, attrs, opset=17, out_types=None):
        m = _model(op, inputs, outputs, attrs, opset, (), out_types)
        return _run_xc(self.xc, self._dir(), m, [(n, a) for n, a in inputs if n])


def f32(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def i64(a):
    return np.array(a, np.int64)


def losses(c):
    x4, t3 = f32(2, 3, 4, 2), RNG.integers(0, 3, (2, 4, 2)).astype(np.int64)
    t3n = t3.copy()
    t3n[0, 1, 0] = t3n[1, 2, 1] = -1
    w = np.array([0.3, 1.2, 0.7], np.float32)
    c.check("NLL none, N-d, weight, ignore_index -1", "NegativeLogLikelihoodLoss", [("x", x4), ("t", t3n), ("w", w)], ["z"],
            {"reduction": "none", "ignore_index": -1}, 13)
    c.check("NLL sum, no weight", "NegativeLogLikelihoodLoss", [("x", x4), ("t", t3)], ["z"], {"reduction": "sum"}, 13)
    c.check("NLL mean, weight, ignore_index 1", "NegativeLogLikelihoodLoss", [("x", x4), ("t", t3), ("w", w)], ["z"],
            {"ignore_index": 1}, 22)
    c.check("NLL mean, no weight, ignore_index 0 (int32 target)", "NegativeLogLikelihoodLoss",
            [("x", f32(5, 4)), ("t", np.array([0, 1, 0, 3, 2], np.int32))], ["z"], {"ignore_index": 0}, 13, judge="ort")
    c.check("SCE mean + log_prob", "SoftmaxCrossEntropyLoss", [("x", f32(4, 5)), ("t", i64([0, 4, 2, 1]))], ["z", "lp"], {}, 13)
    c.check("SCE none, N-d, weight, ignore_index -1 + log_prob", "SoftmaxCrossEntropyLoss", [("x", x4), ("t", t3n), ("w", w)],
            ["z", "lp"], {"reduction": "none", "ignore_index": -1}, 13)
    c.check("SCE sum float64", "SoftmaxCrossEntropyLoss", [("x", f32(3, 4, 2).astype(np.float64)),
                                                           ("t", RNG.integers(0, 4, (3, 2)).astype(np.int64))], ["z"],
            {"reduction": "sum"}, 13)
    c.refuse("NLL target outside [0, C)", "NegativeLogLikelihoodLoss", [("x", f32(2, 3)), ("t", i64([0, 3]))], ["z"], {}, 13,
             "outside [0, 3)", out_types=[TP.FLOAT])
    c.refuse("NLL reduction 'avg'", "NegativeLogLikelihoodLoss", [("x", f32(2, 3)), ("t", i64([0, 1]))], ["z"],
             {"reduction": "avg"}, 13, "reduction 'avg'", out_types=[TP.FLOAT])
    c.refuse("SCE target of the wrong rank", "SoftmaxCrossEntropyLoss", [("x", f32(2, 3, 4)), ("t", i64([0, 1]))], ["z"], {},
             13, "rank", out_types=[TP.FLOAT])


def signal(c):
    xc2, xr = f32(2, 7, 3, 2), f32(1, 8, 4, 1)
    c.check("DFT-17 complex, axis 1, dft_length 10 (zero pad)", "DFT", [("x", xc2), ("len", i64(10))], ["y"], {"axis": 1}, 17)
    c.check("DFT-20 onesided real, axis input 2, dft_length 3 (truncate)", "DFT", [("x", xr), ("len", i64(3)), ("ax", i64(2))],
            ["y"], {"onesided": 1}, 20)
    c.check("DFT-20 inverse complex, default axis -2", "DFT", [("x", xc2)], ["y"], {"inverse": 1}, 20)
    c.check("DFT-20 inverse onesided (irfft), odd dft_length 9, constant inputs", "DFT",
            [("x", f32(1, 5, 3, 2)), ("len", i64(9)), ("ax", i64(-3))], ["y"], {"inverse": 1, "onesided": 1}, 20,
            consts=("len", "ax"))
    c.check("STFT two-sided, window + frame_length", "STFT",
            [("s", f32(2, 40, 1)), ("step", i64(6)), ("w", np.hanning(10).astype(np.float32)), ("fl", i64(10))], ["y"],
            {"onesided": 0}, 17)
    c.check("STFT onesided complex signal, no window", "STFT", [("s", f32(1, 33, 2)), ("step", i64(4)), ("", None), ("fl", i64(8))],
            ["y"], {"onesided": 0}, 17)
    c.check("HannWindow periodic, int64 size, float64 out", "HannWindow", [("n", i64(9))], ["y"], {"output_datatype": TP.DOUBLE}, 17)
    c.check("HammingWindow symmetric", "HammingWindow", [("n", np.array(7, np.int32))], ["y"], {"periodic": 0}, 17)
    c.check("BlackmanWindow periodic float16", "BlackmanWindow", [("n", i64(12))], ["y"], {"output_datatype": TP.FLOAT16}, 17,
            rtol=2e-3, atol=1e-3)
    c.check("MelWeightMatrix float64", "MelWeightMatrix",
            [("b", i64(6)), ("d", i64(64)), ("r", i64(16000)), ("lo", np.array(20, np.float32)), ("hi", np.array(7000, np.float32))],
            ["y"], {"output_datatype": TP.DOUBLE}, 17)
    c.refuse("MelWeightMatrix upper edge past the spectrum", "MelWeightMatrix",
             [("b", i64(4)), ("d", i64(16)), ("r", i64(8000)), ("lo", np.array(0, np.float32)), ("hi", np.array(1e30, np.float32))],
             ["y"], {}, 17, "outside [0, 9)", out_types=[TP.FLOAT])
    c.refuse("DFT last dim 3", "DFT", [("x", f32(1, 4, 3))], ["y"], {}, 20, "last dim", out_types=[TP.FLOAT])
    c.refuse("DFT axis -1 (the complex dim)", "DFT", [("x", f32(1, 4, 1)), ("", None), ("ax", i64(-1))], ["y"], {}, 20,
             "axis -1", out_types=[TP.FLOAT])
    c.refuse("STFT without window or frame_length", "STFT", [("s", f32(1, 16, 1)), ("step", i64(2))], ["y"], {}, 17,
             "window", out_types=[TP.FLOAT])
    c.refuse("HannWindow output_datatype string", "HannWindow", [("n", i64(4))], ["y"], {"output_datatype": TP.STRING}, 17,
             "output_datatype", out_types=[TP.FLOAT])


def quant(c):
    c.check("DynamicQuantizeLinear, all outputs", "DynamicQuantizeLinear", [("x", f32(3, 5) * 4)], ["y", "s", "zp"], {}, 11)
    c.check("DynamicQuantizeLinear, positive only", "DynamicQuantizeLinear", [("x", np.abs(f32(6)) + 1)], ["y", "s", "zp"], {}, 11)
    a8 = RNG.integers(0, 256, (2, 3, 4)).astype(np.uint8)
    b8 = RNG.integers(0, 256, (4, 5)).astype(np.uint8)
    c.check("MatMulInteger batched, a_zp scalar, b_zp per column", "MatMulInteger",
            [("a", a8), ("b", b8), ("az", np.array(12, np.uint8)), ("bz", RNG.integers(0, 256, 5).astype(np.uint8))], ["y"], {}, 10)
    xi = RNG.integers(-128, 128, (1, 4, 5, 6)).astype(np.int8)
    wi = RNG.integers(-128, 128, (6, 2, 3, 3)).astype(np.int8)
    c.check("ConvInteger int8, group 2, pads, strides, w_zp per channel", "ConvInteger",
            [("x", xi), ("w", wi), ("xz", np.array(-3, np.int8)), ("wz", RNG.integers(-5, 5, 6).astype(np.int8))], ["y"],
            {"group": 2, "pads": [1, 0, 1, 2], "strides": [2, 1]}, 10)  # onnxruntime: per-tensor w_zp only
    c.check("ConvInteger uint8, dilations, no zero points", "ConvInteger",
            [("x", RNG.integers(0, 256, (2, 2, 7, 7)).astype(np.uint8)), ("w", RNG.integers(0, 256, (3, 2, 2, 3)).astype(np.uint8))],
            ["y"], {"dilations": [2, 1]}, 10, judge="ort")
    qa = RNG.integers(-128, 128, (3, 4)).astype(np.int8)
    qb = RNG.integers(-128, 128, (4, 2)).astype(np.int8)
    sc = lambda v: np.array(v, np.float32)  # noqa: E731
    c.check("QLinearMatMul int8 per tensor", "QLinearMatMul",
            [("a", qa), ("as", sc(0.05)), ("az", np.array(3, np.int8)), ("b", qb), ("bs", sc(0.02)), ("bz", np.array(-2, np.int8)),
             ("ys", sc(0.03)), ("yz", np.array(5, np.int8))], ["y"], {}, 10)
    c.check("QLinearMatMul uint8 3-D, float16 scales", "QLinearMatMul",
            [("a", a8), ("as", np.array(0.05, np.float16)), ("az", np.array(100, np.uint8)), ("b", b8),
             ("bs", np.array(0.01, np.float16)), ("bz", np.array(90, np.uint8)), ("ys", np.array(0.5, np.float16)),
             ("yz", np.array(128, np.uint8))], ["y"], {}, 21)
    xq = RNG.integers(0, 256, (1, 2, 6, 5)).astype(np.uint8)
    wq = RNG.integers(0, 256, (3, 2, 3, 3)).astype(np.uint8)
    c.check("QLinearConv uint8, bias, per-channel w_scale, pads", "QLinearConv",
            [("x", xq), ("xs", sc(0.02)), ("xz", np.array(120, np.uint8)), ("w", wq), ("ws", np.array([0.01, 0.02, 0.005], np.float32)),
             ("wz", np.array(128, np.uint8)), ("ys", sc(0.1)), ("yz", np.array(100, np.uint8)), ("B", np.array([50, -70, 0], np.int32))],
            ["y"], {"pads": [1, 1, 1, 1]}, 10, judge="ort")
    c.refuse("MatMulInteger zero point of another type", "MatMulInteger",
             [("a", a8), ("b", b8), ("az", np.array(1, np.int8))], ["y"], {}, 10, "zero point", out_types=[TP.INT32])
    c.refuse("QLinearMatMul inner dims differ", "QLinearMatMul",
             [("a", qa), ("as", sc(1)), ("az", np.array(0, np.int8)), ("b", qa), ("bs", sc(1)), ("bz", np.array(0, np.int8)),
              ("ys", sc(1)), ("yz", np.array(0, np.int8))], ["y"], {}, 10, "inner dimensions", out_types=[TP.INT8])


def misc(c):
    x = f32(3, 4, 2)
    cond = np.array([True, False, True, True], bool)
    c.check("Compress axis 1", "Compress", [("x", x), ("c", cond)], ["y"], {"axis": 1}, 11)
    c.check("Compress negative axis, short condition", "Compress", [("x", x), ("c", np.array([False, True]))], ["y"], {"axis": -1}, 11)
    c.check("Compress flattened, constant condition", "Compress", [("x", x), ("c", RNG.integers(0, 2, 24).astype(bool))], ["y"], {},
            11, consts=("c",))
    vals = np.array([[2, 1, 2], [0, 1, 0], [2, 1, 2], [0, 0, 0]], np.int64)
    out4 = ["y", "idx", "inv", "cnt"]
    c.check("Unique sorted, flattened floats", "Unique", [("x", np.array([3.5, -1, 3.5, 0, -1, 7], np.float32))], out4, {}, 11)
    c.check("Unique unsorted, flattened", "Unique", [("x", np.array([3, 1, 3, 0, 1, 7, 0], np.int32))], out4, {"sorted": 0}, 11)
    c.check("Unique sorted, axis 0", "Unique", [("x", vals)], out4, {"axis": 0}, 11)
    c.check("Unique unsorted, axis -1 (columns)", "Unique", [("x", vals.T.copy())], out4, {"axis": -1, "sorted": 0}, 11,
            judge="ort", out_types=[TP.INT64] * 4)  # onnx's reference takes unsorted slices along axis 0
    c.check("Unique Y only", "Unique", [("x", np.array([5, 5, 2], np.int64))], ["y"], {}, 11)
    c.check("Det batched float64", "Det", [("x", f32(2, 3, 4, 4).astype(np.float64))], ["y"], {}, 22, rtol=1e-9, atol=1e-12)
    c.check("Det singular", "Det", [("x", np.array([[1, 2], [2, 4]], np.float32))], ["y"], {}, 11)
    c.check("ReverseSequence time 0, batch 1", "ReverseSequence", [("x", f32(4, 3, 2)), ("l", i64([4, 0, 2]))], ["y"],
            {"time_axis": 0, "batch_axis": 1}, 10)
    c.check("ReverseSequence batch 0, time 1", "ReverseSequence", [("x", f32(3, 5)), ("l", i64([1, 5, 3]))], ["y"],
            {"time_axis": 1, "batch_axis": 0}, 10)
    c.check("TensorScatter linear, 4-D", "TensorScatter", [("p", f32(2, 3, 6, 4)), ("u", f32(2, 3, 2, 4)), ("w", i64([0, 4]))], ["y"],
            {}, 24)
    c.check("TensorScatter circular wraps, axis 1", "TensorScatter", [("p", f32(2, 5, 3)), ("u", f32(2, 3, 3)), ("w", i64([3, 4]))],
            ["y"], {"mode": "circular", "axis": 1}, 24)
    c.check("TensorScatter without write_indices", "TensorScatter", [("p", f32(2, 5, 3)), ("u", f32(2, 2, 3))], ["y"], {"axis": 1}, 24)
    c.check("SwiGLU alpha 1.702", "SwiGLU", [("a", f32(3, 4)), ("b", f32(3, 4))], ["y"], {"alpha": 1.702}, 28)
    c.check("SwiGLU float16", "SwiGLU", [("a", f32(8).astype(np.float16)), ("b", f32(8).astype(np.float16))], ["y"], {}, 28,
            rtol=2e-3, atol=1e-3)
    c.check("BitCast float32 -> int32", "BitCast", [("x", f32(2, 3))], ["y"], {"to": TP.INT32}, 26)
    c.check("BitCast float64 -> uint64", "BitCast", [("x", f32(3).astype(np.float64))], ["y"], {"to": TP.UINT64}, 26)
    c.check("BitCast int8 -> uint8", "BitCast", [("x", np.array([-1, 5, -128], np.int8))], ["y"], {"to": TP.UINT8}, 26)
    ft = [TP.FLOAT]
    c.refuse("Compress condition past the axis", "Compress", [("x", f32(2, 2)), ("c", np.array([0, 0, 1], bool))], ["y"],
             {"axis": 0}, 11, "condition selects index 2", out_types=ft)
    c.refuse("Unique axis out of range", "Unique", [("x", f32(2, 2))], ["y"], {"axis": 2}, 11, "axis 2", out_types=ft)
    c.refuse("Det of non-square matrices", "Det", [("x", f32(2, 3))], ["y"], {}, 11, "square", out_types=ft)
    c.refuse("ReverseSequence length past the time axis", "ReverseSequence", [("x", f32(3, 2)), ("l", i64([1, 4]))], ["y"],
             {"time_axis": 0, "batch_axis": 1}, 10, "sequence_lens[1]", out_types=ft)
    c.refuse("ReverseSequence equal axes", "ReverseSequence", [("x", f32(3, 2)), ("l", i64([1, 1]))], ["y"],
             {"time_axis": 1, "batch_axis": 1}, 10, "batch_axis", out_types=ft)
    c.refuse("TensorScatter linear write past the cache", "TensorScatter", [("p", f32(1, 4, 2)), ("u", f32(1, 2, 2)), ("w", i64([3]))],
             ["y"], {"axis": 1}, 24, "outside the cache", out_types=ft)
    c.refuse("BitCast to another width", "BitCast", [("x", f32(2))], ["y"], {"to": TP.INT16}, 26, "width", out_types=[TP.INT16])
    c.refuse("SwiGLU shapes differ", "SwiGLU", [("a", f32(2, 3)), ("b", f32(3, 2))], ["y"], {}, 28, "same shape", out_types=ft)


def _stats(s, label, y, shape, dtype, mean, var, tol_mean, tol_var):
    ok = y is not None and y.shape == shape and y.dtype == dtype
    m, v = (float(np.mean(y.astype(np.float64))), float(np.var(y.astype(np.float64)))) if ok else (None, None)
    s.check("misc_ops: %s: %s %s, mean %s (want %g +- %g), var %s (want %g +- %g)" % (label, shape, np.dtype(dtype).name, m, mean,
            tol_mean, v, var, tol_var), ok and abs(m - mean) <= tol_mean and abs(v - var) <= tol_var,
            "got %s" % str(None if y is None else (y.shape, y.dtype)))


def random_ops(c):
    s = c.s

    def one(op, inputs, attrs, out_type, opset=17):
        r, got = c.run(op, inputs, ["y"], attrs, opset, [out_type])
        if r.returncode:
            s.check("misc_ops: %s runs" % op, False, r.stderr[-600:])
        return got.get("y")

    n = 4000
    # 5 standard errors of the mean; the variance bound is ~5 standard errors of the sample variance
    u = one("RandomUniform", [], {"shape": [40, 100], "low": -2.0, "high": 4.0, "seed": 3.0}, TP.FLOAT)
    _stats(s, "RandomUniform [-2, 4)", u, (40, 100), np.float32, 1.0, 3.0, 5 * np.sqrt(3 / n), 0.25)
    s.check("misc_ops: RandomUniform stays in [low, high)", u is not None and u.min() >= -2 and u.max() < 4)
    u2 = one("RandomUniform", [], {"shape": [40, 100], "low": -2.0, "high": 4.0, "seed": 3.0}, TP.FLOAT)
    u3 = one("RandomUniform", [], {"shape": [40, 100], "low": -2.0, "high": 4.0, "seed": 4.0}, TP.FLOAT)
    s.check("misc_ops: RandomUniform with one seed repeats, another seed differs",
            u is not None and u2 is not None and u3 is not None and np.array_equal(u, u2) and not np.array_equal(u, u3))
    g = one("RandomNormal", [], {"shape": [n], "mean": 1.0, "scale": 2.0, "seed": 7.0, "dtype": TP.DOUBLE}, TP.DOUBLE)
    _stats(s, "RandomNormal(1, 2) float64", g, (n,), np.float64, 1.0, 4.0, 5 * 2 / np.sqrt(n), 5 * 4 * np.sqrt(2 / n))
    like = one("RandomUniformLike", [("x", np.zeros((n,), np.int32))], {"dtype": TP.FLOAT, "seed": 1.0}, TP.FLOAT)
    _stats(s, "RandomUniformLike of int32, dtype float", like, (n,), np.float32, 0.5, 1 / 12, 5 * np.sqrt(1 / 12 / n), 0.01)
    nl = one("RandomNormalLike", [("x", np.zeros((50, 80), np.float16))], {"seed": 2.0}, TP.FLOAT16)
    _stats(s, "RandomNormalLike of float16", nl, (50, 80), np.float16, 0.0, 1.0, 5 / np.sqrt(n), 5 * np.sqrt(2 / n))
    p = np.full((n,), 0.3, np.float32)
    b = one("Bernoulli", [("p", p)], {"dtype": TP.INT32, "seed": 5.0}, TP.INT32, 15)
    _stats(s, "Bernoulli(0.3), dtype int32", b, (n,), np.int32, 0.3, 0.21, 5 * np.sqrt(0.21 / n), 0.03)
    s.check("misc_ops: Bernoulli draws only 0 and 1", b is not None and set(np.unique(b)) <= {0, 1})
    edge = one("Bernoulli", [("p", np.array([0, 1, 0, 1], np.float64))], {}, TP.DOUBLE, 15)
    s.check("misc_ops: Bernoulli p=0 gives 0 and p=1 gives 1 (no seed)",
            edge is not None and edge.dtype == np.float64 and edge.tolist() == [0, 1, 0, 1], str(edge))
    nodes = [helper.make_node("RandomNormal", [], [o], name=o, shape=[64]) for o in ("a", "b")]
    g = helper.make_graph(nodes, "g", [], [helper.make_tensor_value_info(o, TP.FLOAT, [64]) for o in ("a", "b")])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 10
    (r1, o1), (r2, o2) = (_run_xc(c.xc, c._dir(), m, []) for _ in range(2))
    s.check("misc_ops: unseeded RandomNormal nodes draw different streams, the same on every run",
            not r1.returncode and not r2.returncode and not np.array_equal(o1["a"], o1["b"]) and np.array_equal(o1["a"], o2["a"])
            and np.array_equal(o1["b"], o2["b"]), r1.stderr + r2.stderr)
    c.refuse("Bernoulli probability above 1", "Bernoulli", [("p", np.array([0.5, 1.5], np.float32))], ["y"], {}, 15, "outside [0, 1]",
             out_types=[TP.FLOAT])
    c.refuse("RandomUniform low above high", "RandomUniform", [], ["y"], {"shape": [2], "low": 2.0, "high": 1.0}, 17, "low",
             out_types=[TP.FLOAT])
    c.refuse("RandomNormal integer dtype", "RandomNormal", [], ["y"], {"shape": [2], "dtype": TP.INT32}, 17, "dtype",
             out_types=[TP.INT32])


def misc_ops(s, xc, build, tmp):
    c = Cases(s, xc, tmp)
    losses(c)
    signal(c)
    quant(c)
    misc(c)
    random_ops(c)
