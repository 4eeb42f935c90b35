"""Section `engine_recurrent` (issue 14): RNN, GRU and LSTM on the OpenCL engine (layer kinds rnn,
gru, lstm; src/ocl/layers/recurrent.c, kernels/recurrent.cl).

Two models each hold several generated nodes (one per case; tests/test_recurrent.py makes the
cases) so that one run covers many layers: every direction, sequence_lens (a row of length 0
included), initial_h/initial_c, B absent, layout 1, GRU linear_before_reset 0 and 1, LSTM
peepholes and input_forget, clip, non-default activations with alpha/beta, omitted outputs, and
a hidden size above the work-group size (units strided over work-items). Each model runs
`crosscheck run --ref --ocl --ocl-fp16 --ocl-unfused` under canaries (fp16 judged with the fp16
tolerance) once per variant of the <kind>.sequence tactic (direct, rt), and the engine's fp32 outputs are checked independently against ONNX Runtime. The
layers must be the new kinds (not the CPU fallback), a sequence_lens past seq_length must fail
naming the layer, and a dtype the kinds refuse must fail naming the node (or fall back with
--fallback-cpu). Four kernel programs in all (two variants, fp32 and fp16): few cold PoCL compiles."""
import json
import os
import subprocess

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from test_recurrent import _compare, _feeds, _judge, _model

# (op, case) per node; "fwd" holds layout-0 nodes whose weights are inputs (under --fp16 each is
# reformatted: more reformats than layers, which the precision pass once truncated silently),
# "alt" layout 1 and the rarer attributes with constant weights.
MODELS = {
    "fwd": [
        ("RNN", {"attrs": {"activations": ["Relu"], "clip": 1.5}, "B": 1, "h0": 1}),
        ("GRU", {"attrs": {"direction": "reverse"}, "B": 1, "h0": 1, "lens": [4, 2, 0]}),
        ("LSTM", {"attrs": {"direction": "bidirectional"}, "B": 1, "h0": 1, "c0": 1, "P": 1, "lens": [4, 0, 2]}),
        ("LSTM", {"hidden": 300, "input": 4, "seq": 3, "batch": 2, "B": 1, "h0": 1}),
        ("GRU", {}),
    ],
    "alt": [
        ("RNN", {"attrs": {"direction": "bidirectional", "activations": ["Tanh", "Softsign"]}, "layout": 1, "B": 1, "h0": 1,
                 "lens": [2, 4, 1]}),
        ("GRU", {"attrs": {"direction": "bidirectional", "linear_before_reset": 1,
                           "activations": ["HardSigmoid", "LeakyRelu", "Sigmoid", "Elu"], "activation_alpha": [0.3, 0.2, 0.8],
                           "activation_beta": [0.4]}, "layout": 1, "B": 1, "h0": 1, "lens": [3, 4, 1], "outputs": ("Y_h",)}),
        ("LSTM", {"attrs": {"direction": "reverse", "input_forget": 1, "clip": 0.7,
                            "activations": ["Sigmoid", "Softplus", "Tanh"]}, "layout": 1, "P": 1, "c0": 1, "lens": [1, 3, 4]}),
        ("LSTM", {"attrs": {"activations": ["HardSigmoid", "Tanh", "Relu"]}, "B": 1, "outputs": ("Y", "Y_c")}),
    ],
}
KINDS = {"RNN": "rnn", "GRU": "gru", "LSTM": "lstm"}
VARIANTS = ("direct", "rt")  # R read by rows, or transposed first (reads consecutive across units)


def _run(cmd, env=None):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
    except subprocess.TimeoutExpired as e:
        return subprocess.CompletedProcess(cmd, "timeout", e.stdout or "", "timed out")


def _merged(parts, consts=False):
    """One model holding each part's node, its tensors prefixed p<k>_; (model, feeds by name).
    consts: W, R, B and P become initializers (constants on the engine) instead of inputs."""
    nodes, inputs, outputs, feeds, inits = [], [], [], {}, []
    for k, (op, c, part, part_feeds) in enumerate(parts):
        p = "p%d_" % k
        node = part.graph.node[0]
        nodes.append(helper.make_node(op, [p + n if n else "" for n in node.input], [p + n if n else "" for n in node.output],
                                      name=p + op))
        nodes[-1].attribute.extend(node.attribute)
        for vi in part.graph.input:
            if consts and vi.name in ("W", "R", "B", "P"):
                inits.append(numpy_helper.from_array(part_feeds[vi.name], p + vi.name))
                continue
            vi.name = p + vi.name
            inputs.append(vi)
            feeds[vi.name] = part_feeds[vi.name[len(p):]]
        for vi in part.graph.output:
            vi.name = p + vi.name
            outputs.append(vi)
    graph = helper.make_graph(nodes, "recurrent", inputs, outputs, initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 22)], ir_version=8), feeds


def _save(tmp, label, model, feeds):
    where = os.path.join(tmp, "engine_recurrent_" + label)
    os.makedirs(os.path.join(where, "in"), exist_ok=True)
    path = os.path.join(where, "model.onnx")
    onnx.save(model, path)
    for k, vi in enumerate(model.graph.input):
        onnx.save_tensor(numpy_helper.from_array(feeds[vi.name], vi.name), os.path.join(where, "in", "input_%d.pb" % k))
    return where, path


def _outputs(folder):
    with open(os.path.join(folder, "index.json")) as fh:
        index = json.load(fh)
    return {t["tensor"]: numpy_helper.to_array(onnx.load_tensor(os.path.join(folder, t["file"])))
            for t in index["tensors"] if t["role"] == "output"}


def _engine_vs_all(s, xc, tmp, label, cases):
    parts = []
    for k, (op, c) in enumerate(cases):
        feeds = _feeds(op, c, np.random.default_rng(40 + k))
        parts.append((op, c, _model(op, c, feeds), feeds))
    model, feeds = _merged(parts, consts=label == "alt")
    where, path = _save(tmp, label, model, feeds)
    ins = os.path.join(where, "in")
    canary = dict(os.environ, CROSSCHECK_OCL_CANARY="1")
    for variant in VARIANTS:
        r = _run([xc, "run", path, "--ref", "--ocl", "--ocl-fp16", "--ocl-unfused", "--load-inputs", ins, "--tactics",
                  "*.sequence." + variant, "--builder-optimization-level", "5"], env=canary)  # every variant offered
        s.check("engine_recurrent %s: %s on the engine (variant %s) agree with the reference (fp32 under canaries, fp16, "
                "unfused)" % (label, "/".join(op for op, _ in cases), variant),
                r.returncode == 0 and "3 of 3 comparisons passed" in r.stdout, r.stdout[-2000:] + r.stderr[-1500:])

    r = _run([xc, "inspect", "engine", path, "--json"])
    try:
        kinds = {x["Name"]: (x["LayerType"], x["TacticName"].rsplit(".", 1)[0]) for x in json.loads(r.stdout)["Layers"]}
    except (ValueError, KeyError) as e:
        kinds = {"error": str(e)}
    want = {"p%d_%s" % (k, op): (KINDS[op], KINDS[op] + ".sequence") for k, (op, _) in enumerate(cases)}
    s.check("engine_recurrent %s: inspect engine shows every node as its rnn/gru/lstm layer (not the CPU)" % label,
            kinds == want, "%s\nwanted %s\n%s" % (kinds, want, r.stderr[-500:]))

    out = os.path.join(where, "out")
    r = _run([xc, "run", path, "--ocl", "--load-inputs", ins, "--save-outputs", out])
    if not s.check("engine_recurrent %s: the engine saves its outputs" % label, r.returncode == 0, r.stderr[-1500:]):
        return
    got, errs = _outputs(out), []
    for k, (op, c, _, part_feeds) in enumerate(parts):
        p = "p%d_" % k
        mine = {n[len(p):]: v for n, v in got.items() if n.startswith(p)}
        err = _compare(mine, _judge(op, c, part_feeds), 1e-5)  # measured: 4.1e-6 (the hidden-300 LSTM), 1.2e-7 (alt)
        if err:
            errs.append("%s%s %s: %s" % (p, op, c, err))
    s.check("engine_recurrent %s: the engine's fp32 outputs match onnxruntime's" % label, not errs, "\n".join(errs))


def _refusals(s, xc, tmp):
    """A sequence_lens past seq_length fails naming the layer; float64 is refused naming the node."""
    c = {"lens": [2, 9, 1], "B": 1}
    feeds = _feeds("LSTM", c, np.random.default_rng(5))
    where, path = _save(tmp, "bad_lens", _model("LSTM", c, feeds, name="long_row"), feeds)
    r = _run([xc, "run", path, "--ocl", "--load-inputs", os.path.join(where, "in")])
    s.check("engine_recurrent: a sequence_lens past seq_length fails the engine run naming the layer",
            r.returncode not in (0, "timeout") and "long_row" in r.stderr, "exit %s: %s" % (r.returncode, r.stderr[-600:]))
    c = {"dtype": TensorProto.DOUBLE, "B": 1}
    feeds = _feeds("GRU", c, np.random.default_rng(6))
    where, path = _save(tmp, "double", _model("GRU", c, feeds, name="wide_gru"), feeds)
    r = _run([xc, "inspect", "engine", path])
    s.check("engine_recurrent: a float64 GRU is refused, the build naming the node",
            r.returncode not in (0, "timeout") and "wide_gru" in r.stderr and "--fallback-cpu" in r.stderr, r.stderr[-600:])
    r = _run([xc, "run", path, "--ref", "--ocl", "--fallback-cpu", "--load-inputs", os.path.join(where, "in")])
    s.check("engine_recurrent: with --fallback-cpu the refused GRU runs on the reference", r.returncode == 0,
            r.stdout[-800:] + r.stderr[-800:])


def engine_recurrent(s, xc, build, tmp):
    for label, cases in MODELS.items():
        _engine_vs_all(s, xc, tmp, label, cases)
    _refusals(s, xc, tmp)
