"""Section `recurrent` (issue 13): RNN, GRU and LSTM on the reference, judged by ONNX Runtime.

Each case is one generated node (onnx.helper) covering a few attributes: directions, the eleven
activations with activation_alpha/beta, clip, input_forget, linear_before_reset, layout 0/1,
sequence_lens (shorter rows, a row of length 0), initial_h/initial_c, peepholes, B absent,
outputs omitted, opsets 7/14/22, float16/float64. `crosscheck run --ref` saves its outputs and
they are compared with ONNX Runtime's. Where ORT lacks something the judge is still ORT, on an
equivalent model: layout=1 runs as the layout-0 model on transposed tensors (also checked
against onnx.reference.ReferenceEvaluator, which ignores activations and sequence_lens, so only
for default ones), and float16/float64 run ORT in float32 on the same values. Bad attributes
must fail with one line naming the node, and inspect must show the inferred output shapes."""
import json
import os
import subprocess

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}
NP = {TensorProto.FLOAT: np.float32, TensorProto.DOUBLE: np.float64, TensorProto.FLOAT16: np.float16}
INPUTS = ["X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P"]


def _run(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired as e:
        return subprocess.CompletedProcess(cmd, "timeout", e.stdout or "", "timed out")


def _feeds(op, c, rng):
    """The case's input tensors, by name (absent optional inputs left out)."""
    H, I, S, N = c.get("hidden", 3), c.get("input", 2), c.get("seq", 4), c.get("batch", 3)
    D = 2 if c.get("attrs", {}).get("direction") == "bidirectional" else 1
    G, layout, dt = GATES[op], c.get("layout", 0), NP[c.get("dtype", TensorProto.FLOAT)]
    u = lambda *shape: rng.uniform(-1, 1, shape).astype(dt)  # noqa: E731
    f = {"X": u(N, S, I) if layout else u(S, N, I), "W": u(D, G * H, I) * dt(0.7), "R": u(D, G * H, H) * dt(0.7)}
    state = (N, D, H) if layout else (D, N, H)
    if c.get("B"):
        f["B"] = u(D, 2 * G * H) * dt(0.5)
    if "lens" in c:
        f["sequence_lens"] = np.array(c["lens"], np.int32)
    if c.get("h0"):
        f["initial_h"] = u(*state)
    if c.get("c0"):
        f["initial_c"] = u(*state)
    if c.get("P"):
        f["P"] = u(D, 3 * H)
    return f


def _model(op, c, feeds, layout=None, dtype=None, name="rnn"):
    """One node of op over feeds; layout/dtype override the case's (for the judge's twin)."""
    dtype = c.get("dtype", TensorProto.FLOAT) if dtype is None else dtype
    layout = c.get("layout", 0) if layout is None else layout
    ins = [n if n in feeds else "" for n in INPUTS[:8 if op == "LSTM" else 6]]
    while not ins[-1]:
        ins.pop()
    outs = [n if n in c.get("outputs", ("Y", "Y_h", "Y_c")) else "" for n in ("Y", "Y_h", "Y_c")[:3 if op == "LSTM" else 2]]
    while not outs[-1]:
        outs.pop()
    attrs = dict(c.get("attrs", {}))
    attrs.setdefault("hidden_size", c.get("hidden", 3))
    if layout:
        attrs["layout"] = layout
    node = helper.make_node(op, ins, outs, name=name, **attrs)
    def vi(n, t, shape):
        return helper.make_tensor_value_info(n, TensorProto.INT32 if n == "sequence_lens" else t, shape)
    graph = helper.make_graph([node], "g", [vi(n, dtype, feeds[n].shape) for n in ins if n], [vi(n, dtype, None) for n in outs if n])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", c.get("opset", 22))], ir_version=8)


def _ref(xc, model, feeds, where):
    """Runs model on crosscheck's reference; (outputs by name, the CompletedProcess)."""
    os.makedirs(os.path.join(where, "in"), exist_ok=True)
    path = os.path.join(where, "model.onnx")
    onnx.save(model, path)
    for k, n in enumerate(i.name for i in model.graph.input):
        onnx.save_tensor(numpy_helper.from_array(feeds[n], n), os.path.join(where, "in", "input_%d.pb" % k))
    out = os.path.join(where, "out")
    r = _run([xc, "run", path, "--ref", "--load-inputs", os.path.join(where, "in"), "--save-outputs", out])
    if r.returncode != 0:
        return None, r
    with open(os.path.join(out, "index.json")) as fh:
        index = json.load(fh)
    got = {}
    for t in index["tensors"]:
        if t["role"] == "output":
            got[t["tensor"]] = numpy_helper.to_array(onnx.load_tensor(os.path.join(out, t["file"])))
    return got, r


def _ort(model, feeds):
    import onnxruntime as ort
    ort.set_default_logger_severity(3)
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(None, {i.name: feeds[i.name] for i in sess.get_inputs()})))


def _judge(op, c, feeds):
    """ORT's outputs for the case: on the layout-0 float32 twin where ORT lacks layout 1 or
    the dtype, transposed back."""
    layout = c.get("layout", 0)
    twin = {}
    for n, v in feeds.items():
        if v.dtype != np.int32:
            v = v.astype(np.float32)
        if layout and n in ("X", "initial_h", "initial_c"):
            v = np.ascontiguousarray(v.transpose(1, 0, 2))
        twin[n] = v
    got = _ort(_model(op, c, twin, layout=0, dtype=TensorProto.FLOAT), twin)
    if layout:
        got = {n: v.transpose(2, 0, 1, 3) if n == "Y" else v.transpose(1, 0, 2) for n, v in got.items()}
    return got


def _compare(got, want, atol):
    if set(got) != set(want):
        return "outputs %s, expected %s" % (sorted(got), sorted(want))
    for n in want:
        g, w = got[n].astype(np.float64), want[n].astype(np.float64)
        if g.shape != w.shape:
            return "%s: shape %s, expected %s" % (n, g.shape, w.shape)
        err = np.abs(g - w).max() if g.size else 0.0
        if not np.allclose(g, w, atol=atol, rtol=1e-5):
            return "%s: max abs error %.3g (atol %g)" % (n, err, atol)
    return ""


# The matrix: every attribute at least once, not every combination.
CASES = [
    ("RNN", "defaults, B absent", {}),
    ("RNN", "reverse Relu, B, initial_h, sequence_lens [4,1,2]",
     {"attrs": {"direction": "reverse", "activations": ["Relu"]}, "B": 1, "h0": 1, "lens": [4, 1, 2]}),
    ("RNN", "bidirectional LeakyRelu(0.2)/ThresholdedRelu(0.1), sequence_lens [3,0,4]",
     {"attrs": {"direction": "bidirectional", "activations": ["LeakyRelu", "ThresholdedRelu"], "activation_alpha": [0.2, 0.1]},
      "B": 1, "lens": [3, 0, 4]}),
    ("RNN", "clip 0.3, Y only, opset 7", {"attrs": {"clip": 0.3}, "B": 1, "outputs": ("Y",), "opset": 7}),
    ("RNN", "layout 1 bidirectional, sequence_lens, initial_h",
     {"attrs": {"direction": "bidirectional"}, "layout": 1, "B": 1, "h0": 1, "lens": [2, 4, 1]}),
    ("RNN", "Y_h only, Softsign", {"attrs": {"activations": ["Softsign"]}, "outputs": ("Y_h",)}),
    ("GRU", "defaults, B absent", {}),
    ("GRU", "linear_before_reset, reverse, B, initial_h",
     {"attrs": {"direction": "reverse", "linear_before_reset": 1}, "B": 1, "h0": 1}),
    ("GRU", "bidirectional HardSigmoid(0.3,0.4)/Softsign, Elu(0.8)/Softplus, sequence_lens [4,2,3]",
     {"attrs": {"direction": "bidirectional", "activations": ["HardSigmoid", "Softsign", "Elu", "Softplus"],
                "activation_alpha": [0.3, 0.8], "activation_beta": [0.4]}, "B": 1, "h0": 1, "lens": [4, 2, 3]}),
    ("GRU", "Affine(0.5,0.1) / ScaledTanh(1.5,0.7), clip 0.5, Y_h only",
     {"attrs": {"activations": ["Affine", "ScaledTanh"], "activation_alpha": [0.5, 1.5], "activation_beta": [0.1, 0.7],
                "clip": 0.5}, "B": 1, "outputs": ("Y_h",)}),
    ("GRU", "default alphas: HardSigmoid/LeakyRelu, lower-case names", {"attrs": {"activations": ["hardsigmoid", "leakyrelu"]},
                                                                         "B": 1}),
    ("GRU", "layout 1 linear_before_reset, sequence_lens", {"attrs": {"linear_before_reset": 1}, "layout": 1, "B": 1,
                                                            "h0": 1, "lens": [4, 3, 1]}),
    ("GRU", "float16, opset 14", {"dtype": TensorProto.FLOAT16, "B": 1, "h0": 1, "opset": 14}),
    ("LSTM", "defaults, B absent", {}),
    ("LSTM", "peepholes, initial_h/c, B, every output", {"B": 1, "h0": 1, "c0": 1, "P": 1}),
    ("LSTM", "input_forget, peepholes", {"attrs": {"input_forget": 1}, "B": 1, "P": 1, "c0": 1}),
    ("LSTM", "bidirectional, sequence_lens [4,0,2], initial_h/c",
     {"attrs": {"direction": "bidirectional"}, "B": 1, "h0": 1, "c0": 1, "P": 1, "lens": [4, 0, 2]}),
    ("LSTM", "reverse, sequence_lens [1,3,4]", {"attrs": {"direction": "reverse"}, "B": 1, "c0": 1, "lens": [1, 3, 4]}),
    ("LSTM", "Sigmoid/Softplus/Relu then HardSigmoid/Tanh/ScaledTanh, alpha/beta consumed in order",
     {"attrs": {"direction": "bidirectional", "activations": ["Sigmoid", "Softplus", "Relu", "HardSigmoid", "Tanh", "ScaledTanh"],
                "activation_alpha": [0.25, 0.9], "activation_beta": [0.45, 0.6]}, "B": 1}),
    ("LSTM", "clip 0.2, Y_c only", {"attrs": {"clip": 0.2}, "B": 1, "c0": 1, "outputs": ("Y_c",)}),
    ("LSTM", "layout 1 bidirectional, peepholes, sequence_lens",
     {"attrs": {"direction": "bidirectional"}, "layout": 1, "B": 1, "h0": 1, "c0": 1, "P": 1, "lens": [3, 4, 2]}),
    ("LSTM", "float64, Y and Y_c (Y_h omitted), opset 7", {"dtype": TensorProto.DOUBLE, "B": 1, "P": 1, "outputs": ("Y", "Y_c"),
                                                          "opset": 7}),
]


def _matrix(s, xc, tmp):
    for k, (op, label, c) in enumerate(CASES):
        rng = np.random.default_rng(100 + k)
        feeds = _feeds(op, c, rng)
        where = os.path.join(tmp, "recurrent_%d" % k)
        got, r = _ref(xc, _model(op, c, feeds), feeds, where)
        name = "recurrent: %s %s matches onnxruntime" % (op, label)
        if got is None:
            s.check(name, False, "crosscheck exit %s: %s" % (r.returncode, r.stderr[-500:]))
            continue
        atol = 2e-3 if c.get("dtype") == TensorProto.FLOAT16 else 1e-6  # measured: 1.9e-4, 2.4e-7
        try:
            err = _compare(got, _judge(op, c, feeds), atol)
        except Exception as e:  # noqa: BLE001 (ORT refusing the case is a test failure, not a crash)
            err = "onnxruntime: %s" % str(e)[-300:]
        s.check(name, not err, err)
        if c.get("layout"):  # the ONNX reference ignores sequence_lens: judge layout 1 without them
            plain = {key: v for key, v in c.items() if key != "lens"}
            feeds.pop("sequence_lens", None)
            model = _model(op, plain, feeds)
            got, r = _ref(xc, model, feeds, where + "_plain")
            from onnx.reference import ReferenceEvaluator
            want = dict(zip([o.name for o in model.graph.output], ReferenceEvaluator(model).run(None, feeds)))
            err = "crosscheck: " + r.stderr[-300:] if got is None else _compare(got, want, 1e-6)
            s.check("recurrent: %s %s (no sequence_lens) matches onnx ReferenceEvaluator" % (op, label), not err, err)


# Bad attributes: (label, op, case, words the one error line must hold).
BAD = [
    ("hidden_size disagrees with W", "LSTM", {"attrs": {"hidden_size": 4}}, ["node 'bad'", "hidden_size 4", "W"]),
    ("unknown activation name", "GRU", {"attrs": {"activations": ["Sigmoid", "Bogus"]}},
     ["node 'bad'", "unknown activation 'Bogus'"]),
    ("wrong activations count", "GRU", {"attrs": {"activations": ["Sigmoid", "Tanh", "Tanh"]}},
     ["node 'bad'", "lists 3", "expected 2"]),
    ("RNN bidirectional with 3 activations", "RNN", {"attrs": {"direction": "bidirectional", "activations": ["Tanh"] * 3}},
     ["node 'bad'", "lists 3"]),
    ("unknown direction", "RNN", {"attrs": {"direction": "sideways"}}, ["node 'bad'", "direction 'sideways'"]),
    ("sequence_lens past seq_length", "LSTM", {"lens": [2, 9, 1]}, ["node 'bad'", "sequence_lens[1] is 9"]),
    ("clip not positive", "RNN", {"attrs": {"clip": -1.0}}, ["node 'bad'", "clip"]),
]


def _bad(s, xc, tmp):
    for k, (label, op, c, words) in enumerate(BAD):
        feeds = _feeds(op, c, np.random.default_rng(k))
        got, r = _ref(xc, _model(op, c, feeds, name="bad"), feeds, os.path.join(tmp, "recurrent_bad_%d" % k))
        lines = [x for x in r.stderr.splitlines() if x.strip()]
        ok = got is None and r.returncode not in (0, "timeout") and len(lines) == 1 and all(w in lines[0] for w in words)
        s.check("recurrent: %s fails in one line naming the node" % label, ok, "exit %s: %s" % (r.returncode, r.stderr[-400:]))
    # An unnamed node whose Y is omitted is named by its first given output, not by ''.
    feeds = _feeds("LSTM", {}, np.random.default_rng(0))
    c = {"attrs": {"hidden_size": 5}, "outputs": ("Y_h",)}
    got, r = _ref(xc, _model("LSTM", c, feeds, name=""), feeds, os.path.join(tmp, "recurrent_bad_unnamed"))
    s.check("recurrent: unnamed node with Y omitted is named by 'Y_h'", got is None and "producing 'Y_h' (LSTM)" in r.stderr,
            r.stderr[-300:])


def _shapes(s, xc, tmp):
    """inspect shows the inferred shapes of Y, Y_h, Y_c under both layouts."""
    for layout, want in ((0, ("[5,2,3,4]", "[2,3,4]")), (1, ("[3,5,2,4]", "[3,2,4]"))):
        c = {"attrs": {"direction": "bidirectional"}, "hidden": 4, "seq": 5, "batch": 3, "layout": layout}
        feeds = _feeds("LSTM", c, np.random.default_rng(1))
        path = os.path.join(tmp, "recurrent_shapes_%d.onnx" % layout)
        onnx.save(_model("LSTM", c, feeds), path)
        r = _run([xc, "inspect", "model", path, "--show", "layers"])
        outs = {p[1]: p[3] for p in (line.split() for line in r.stdout.splitlines()) if len(p) == 4 and p[0] == "out"}
        ok = r.returncode == 0 and outs == {"Y": want[0], "Y_h": want[1], "Y_c": want[1]}
        s.check("recurrent: inspect infers LSTM layout %d shapes Y %s, Y_h/Y_c %s" % (layout, want[0], want[1]), ok,
                "%s %s" % (outs, r.stderr[-300:]))


def recurrent(s, xc, build, tmp):
    _matrix(s, xc, tmp)
    _bad(s, xc, tmp)
    _shapes(s, xc, tmp)
