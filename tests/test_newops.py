"""Reference ops of issue 13 added late: LinearAttention and CausalConvWithState (opset 27), and
the ai.onnx.preview.training optimizers Momentum, Adagrad and Adam (served for that domain only).
Each case is a one-node model made here with onnx.helper, run with `crosscheck run MODEL --ref`,
and compared with onnx's ReferenceEvaluator; bad inputs must fail with one line naming the node."""
import os

import numpy as np
import onnx
from onnx import TensorProto as TP
from onnx import helper, numpy_helper
from onnx.reference import ReferenceEvaluator
from xc_reference_run import run_reference as _run_xc

RNG = np.random.default_rng(27)
TRAINING = "ai.onnx.preview.training"


def _model(op, inputs, outputs, attrs, domain, out_types):
    node = helper.make_node(op, [n for n, _ in inputs], outputs, name="n_" + op.lower(), domain=domain, **attrs)
    ins = [helper.make_tensor_value_info(n, helper.np_dtype_to_tensor_dtype(a.dtype), list(a.shape)) for n, a in inputs if n]
    outs = [helper.make_tensor_value_info(o, t, None) for o, t in zip(outputs, out_types)]
    opsets = [helper.make_opsetid("", 27)] + ([helper.make_opsetid(domain, 1)] if domain else [])
    m = helper.make_model(helper.make_graph([node], "g", ins, outs), opset_imports=opsets)
    m.ir_version = 11
    return m




class Cases:
    def __init__(self, s, xc, tmp):
        self.s, self.xc, self.tmp, self.k = s, xc, os.path.join(tmp, "newops"), 0

    def _dir(self):
        self.k += 1
        return os.path.join(self.tmp, "c%d" % self.k)

    def check(self, label, op, inputs, outputs, attrs, domain="", rtol=1e-4, atol=1e-5, cast=None):
        """The reference's outputs equal onnx's ReferenceEvaluator's (cast to dtype cast if given)."""
        feeds = {n: a for n, a in inputs if n}
        probe = _model(op, inputs, outputs, attrs, domain, [TP.UNDEFINED] * len(outputs))
        want = [np.asarray(w, dtype=cast) for w in ReferenceEvaluator(probe).run(None, feeds)]
        m = _model(op, inputs, outputs, attrs, domain, [helper.np_dtype_to_tensor_dtype(w.dtype) for w in want])
        r, got = _run_xc(self.xc, self._dir(), m, inputs)
        bad = [o for o, w in zip(outputs, want)
               if o not in got or got[o].shape != w.shape or got[o].dtype != w.dtype
               or not np.allclose(got[o].astype(np.float64), w.astype(np.float64), rtol=rtol, atol=atol)]
        detail = r.stderr[-600:] + "".join("\n%s: got %s expected %s" % (o, got.get(o), w) for o, w in zip(outputs, want) if o in bad)
        self.s.check("newops: %s matches onnx reference" % label, r.returncode == 0 and not bad, detail[:3000])

    def refuse(self, label, op, inputs, outputs, attrs, needle, domain="", out_type=TP.FLOAT):
        """The run fails with one line naming the node (and needle) and a non-zero exit."""
        m = _model(op, inputs, outputs, attrs, domain, [out_type] * len(outputs))
        r, _ = _run_xc(self.xc, self._dir(), m, inputs)
        lines = r.stderr.strip().splitlines()
        ok = r.returncode != 0 and len(lines) == 1 and "n_" + op.lower() in lines[0] and needle in lines[0]
        self.s.check("newops: %s is refused (%s)" % (label, lines[0] if lines else "no message"), ok,
                     "rc %d: %s" % (r.returncode, r.stderr[-600:]))


def f32(*shape, scale=1.0):
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


def linear_attention(c):
    B, T, hq, hkv, dk, dv = 2, 5, 4, 2, 3, 2
    q, k, v = f32(B, T, hq * dk), f32(B, T, hkv * dk, scale=0.5), f32(B, T, hkv * dv)
    past = f32(B, hkv, dk, dv, scale=0.3)
    decay_dk, decay_h = -np.abs(f32(B, T, hkv * dk, scale=0.2)), -np.abs(f32(B, T, hkv, scale=0.2))
    beta_h, beta_1 = (1 / (1 + np.exp(-f32(B, T, hkv)))).astype(np.float32), np.full((B, T, 1), 0.5, np.float32)
    heads = {"q_num_heads": hq, "kv_num_heads": hkv}
    qkv = [("q", q), ("k", k), ("v", v)]
    c.check("LinearAttention linear, GQA, no past", "LinearAttention", qkv, ["y", "s"], dict(heads, update_rule="linear"))
    c.check("LinearAttention gated, per-head decay, past, scale 0.7", "LinearAttention", qkv + [("p", past), ("g", decay_h)],
            ["y", "s"], dict(heads, update_rule="gated", scale=0.7))
    c.check("LinearAttention delta, beta of width 1", "LinearAttention", qkv + [("p", past), ("", None), ("b", beta_1)],
            ["y", "s"], dict(heads, update_rule="delta"))
    c.check("LinearAttention gated_delta (default), per-key decay", "LinearAttention",
            qkv + [("p", past), ("g", decay_dk), ("b", beta_h)], ["y", "s"], heads)
    h16 = [(n, a.astype(np.float16)) for n, a in qkv + [("p", past), ("g", decay_h), ("b", beta_h)]]
    c.check("LinearAttention gated_delta float16, MQA", "LinearAttention",
            [("q", h16[0][1]), ("k", h16[1][1][:, :, :dk]), ("v", h16[2][1][:, :, :dv]), ("p", h16[3][1][:, :1]),
             ("g", h16[4][1][:, :, :1]), ("b", h16[5][1][:, :, :1])],
            ["y", "s"], {"q_num_heads": hq, "kv_num_heads": 1}, rtol=2e-3, atol=2e-3)
    c.refuse("LinearAttention gated without decay", "LinearAttention", qkv, ["y", "s"], dict(heads, update_rule="gated"),
             "requires the decay input")
    c.refuse("LinearAttention q_num_heads not a multiple of kv_num_heads", "LinearAttention", qkv, ["y", "s"],
             {"q_num_heads": 3, "kv_num_heads": 2, "update_rule": "linear"}, "positive multiple")
    c.refuse("LinearAttention past_state of the wrong shape", "LinearAttention", qkv + [("p", past[:, :, :2])], ["y", "s"],
             dict(heads, update_rule="linear"), "past_state")


def causal_conv(c):
    x, w, b, p = f32(2, 3, 6), f32(3, 1, 4), f32(3), f32(2, 3, 3)
    c.check("CausalConvWithState no bias, no past", "CausalConvWithState", [("x", x), ("w", w)], ["y", "s"], {})
    c.check("CausalConvWithState bias + past", "CausalConvWithState", [("x", x), ("w", w), ("b", b), ("p", p)], ["y", "s"], {})
    c.check("CausalConvWithState past, silu", "CausalConvWithState", [("x", x), ("w", w), ("", None), ("p", p)], ["y", "s"],
            {"activation": "silu"})
    c.check("CausalConvWithState swish, input shorter than the kernel", "CausalConvWithState", [("x", x[:, :, :2]), ("w", w)],
            ["y", "s"], {"activation": "swish"})
    c.check("CausalConvWithState kernel size 1", "CausalConvWithState", [("x", x), ("w", w[:, :, :1]), ("b", b)], ["y", "s"], {})
    c.check("CausalConvWithState float16 silu with past", "CausalConvWithState",
            [("x", x.astype(np.float16)), ("w", w.astype(np.float16)), ("b", b.astype(np.float16)),
             ("p", p.astype(np.float16))], ["y", "s"], {"activation": "silu"}, rtol=2e-3, atol=2e-3)
    c.refuse("CausalConvWithState activation 'relu'", "CausalConvWithState", [("x", x), ("w", w)], ["y", "s"],
             {"activation": "relu"}, "activation 'relu'")
    c.refuse("CausalConvWithState past_state of the wrong length", "CausalConvWithState",
             [("x", x), ("w", w), ("", None), ("p", p[:, :, :2])], ["y", "s"], {}, "past_state")


def optimizers(c):
    r, t0, t3 = np.array(0.1, np.float32), np.array(0, np.int64), np.array(3, np.int64)
    x1, g1, v1, h1 = f32(3, 2), f32(3, 2), f32(3, 2), np.abs(f32(3, 2))
    x2, g2, v2, h2 = f32(4), f32(4), f32(4), np.abs(f32(4))
    mom = {"alpha": 0.9, "beta": 0.5, "norm_coefficient": 0.01}
    c.check("Momentum standard, T=0", "Momentum", [("r", r), ("t", t0), ("x", x1), ("g", g1), ("v", v1)], ["xn", "vn"],
            dict(mom, mode="standard"), TRAINING)
    c.check("Momentum nesterov, two tensors, T=3", "Momentum",
            [("r", r), ("t", t3), ("x1", x1), ("x2", x2), ("g1", g1), ("g2", g2), ("v1", v1), ("v2", v2)],
            ["x1n", "x2n", "v1n", "v2n"], dict(mom, mode="nesterov"), TRAINING)
    c.check("Adagrad decay_factor, float64", "Adagrad",
            [("r", r.astype(np.float64)), ("t", t3)] + [(n, a.astype(np.float64)) for n, a in (("x", x1), ("g", g1), ("h", h1))],
            ["xn", "hn"], {"decay_factor": 0.1, "epsilon": 1e-5, "norm_coefficient": 0.02}, TRAINING)
    c.check("Adagrad two tensors, defaults", "Adagrad",
            [("r", r), ("t", t0), ("x1", x1), ("x2", x2), ("g1", g1), ("g2", g2), ("h1", h1), ("h2", h2)],
            ["x1n", "x2n", "h1n", "h2n"], {}, TRAINING)
    # onnx's Adam returns float64 for one float32 tensor (its Python float attributes promote it);
    # the spec keeps the inputs' type (T3), as its multi-tensor path and the node-suite data do
    c.check("Adam T=3 with both norm coefficients", "Adam",
            [("r", r), ("t", t3), ("x", x1), ("g", g1), ("v", v1), ("h", h1)], ["xn", "vn", "hn"],
            {"alpha": 0.8, "beta": 0.95, "norm_coefficient": 0.01, "norm_coefficient_post": 0.02}, TRAINING, cast=np.float32)
    c.check("Adam T=0, two tensors, defaults", "Adam",
            [("r", r), ("t", t0), ("x1", x1), ("x2", x2), ("g1", g1), ("g2", g2), ("v1", v1), ("v2", v2), ("h1", h1), ("h2", h2)],
            ["x1n", "x2n", "v1n", "v2n", "h1n", "h2n"], {}, TRAINING)
    c.refuse("Momentum mode 'heavy'", "Momentum", [("r", r), ("t", t0), ("x", x1), ("g", g1), ("v", v1)], ["xn", "vn"],
             dict(mom, mode="heavy"), "mode 'heavy'", TRAINING)
    c.refuse("Adagrad gradient of another shape", "Adagrad", [("r", r), ("t", t0), ("x", x1), ("g", g2), ("h", h1)],
             ["xn", "hn"], {}, "differs in shape", TRAINING)
    c.refuse("Adam missing its second state", "Adam", [("r", r), ("t", t0), ("x", x1), ("g", g1), ("v", v1)],
             ["xn", "vn", "hn"], {}, "multiple of 4", TRAINING)
    # the domain is served for these ops only, and these ops for that domain only
    c.refuse("Adam in the ai.onnx domain", "Adam", [("r", r), ("t", t0), ("x", x1), ("g", g1), ("v", v1), ("h", h1)],
             ["xn", "vn", "hn"], {}, "unknown op type 'Adam'")
    c.refuse("Gradient of ai.onnx.preview.training", "Gradient", [("x", x1)], ["dx"], {"xs": ["x"], "y": "x"},
             "domain 'ai.onnx.preview.training' is not supported", TRAINING)


def newops(s, xc, build, tmp):
    c = Cases(s, xc, tmp)
    linear_attention(c)
    causal_conv(c)
    optimizers(c)
