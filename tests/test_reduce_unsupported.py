"""Issue 16: `debug reduce` on a model the reference cannot run, and --interactive checks (called by
tests/run_tests.py as section reduce_unsupported; OpenCL engines are built for --interactive on
tactics and precision).

The model: an LSTM, then Squeeze, Tanh, a custom op Boom of domain "test.unsupported" (no plugin:
neither the reference nor ONNX Runtime can run it; its output's type is declared in value_info,
as exporters write it), then Relu and Add. Checks judge candidates by the model itself (a
node's presence, read from the protobuf without importing onnx: a check per candidate stays fast)
or by running it (onnx's ReferenceEvaluator with Boom implemented, once right and once with a
planted error). Cut tensors the reference can compute come from it; those after Boom come from
the runner given (--exec-runner), else generated data (--val-range), said once. Every reduced
model passes onnx.checker's full check."""
import json
import os
import re
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh

S, B, I, H = 4, 2, 3, 5


def _run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kw)


def lstm_boom_model(path):
    rng = np.random.default_rng(0)

    def w(name, shape, scale):
        return nh.from_array((rng.standard_normal(shape) * scale).astype(np.float32), name)
    nodes = [h.make_node("LSTM", ["x", "W", "R", "B"], ["y", "yh"], name="lstm", hidden_size=H),
             h.make_node("Squeeze", ["y", "ax"], ["ys"], name="sq"),
             h.make_node("Tanh", ["ys"], ["t"], name="tanh"),
             h.make_node("Boom", ["t"], ["b"], name="boom", domain="test.unsupported"),
             h.make_node("Relu", ["b"], ["r"], name="relu"),
             h.make_node("Add", ["r", "t"], ["z"], name="add")]
    vi = h.make_tensor_value_info
    inits = [w("W", (1, 4 * H, I), 0.4), w("R", (1, 4 * H, H), 0.4), w("B", (1, 8 * H), 0.1),
             nh.from_array(np.array([1], np.int64), "ax")]
    g = h.make_graph(nodes, "lstm_boom", [vi("x", T.FLOAT, [S, B, I])], [vi("z", T.FLOAT, [S, B, H])], inits,
                     value_info=[vi("b", T.FLOAT, [S, B, H])])
    onnx.save(h.make_model(g, opset_imports=[h.make_opsetid("", 17), h.make_opsetid("test.unsupported", 1)]), path)


# A check reading the model's node names from the protobuf wire format (ModelProto.graph = 7,
# GraphProto.node = 1, NodeProto.name = 3): exit 1 when the node named argv[2] is there.
HAS_NODE = r'''
import sys
def fields(b):
    i = 0
    while i < len(b):
        key = shift = 0
        while True:
            c = b[i]; i += 1; key |= (c & 127) << shift; shift += 7
            if c < 128: break
        wire = key & 7
        if wire == 0:
            while b[i] & 128: i += 1
            i += 1; continue
        if wire == 5: i += 4; continue
        if wire == 1: i += 8; continue
        n = shift = 0
        while True:
            c = b[i]; i += 1; n |= (c & 127) << shift; shift += 7
            if c < 128: break
        yield key >> 3, b[i:i + n]; i += n
m = open(sys.argv[1], "rb").read()
names = [v for f, g in fields(m) if f == 7 for f2, n in fields(g) if f2 == 1 for f3, v in fields(n) if f3 == 3]
sys.exit(1 if sys.argv[2].encode() in names else 0)
'''

# An external runner (or, with 'check', a check) for models holding Boom: onnx's ReferenceEvaluator
# with Boom implemented as 2x. runner: MODEL INPUTS OUTPUTS; check: MODEL INPUTS, exit 1 when a
# planted wrong Boom (2x + 0.25) changes any output.
BOOM_RT = r'''
import glob, os, sys
import numpy as np, onnx
from onnx import numpy_helper as nh
from onnx.reference import ReferenceEvaluator
from onnx.reference.op_run import OpRun
def boom(extra):
    class Boom(OpRun):
        op_domain = "test.unsupported"
        def _run(self, x):
            return ((x * 2 + extra).astype(x.dtype),)
    return Boom
m = onnx.load(sys.argv[2])
feeds = {}
for f in sorted(glob.glob(os.path.join(sys.argv[3], "input_*.pb"))):
    t = onnx.TensorProto()
    with open(f, "rb") as fh:
        t.ParseFromString(fh.read())
    feeds[t.name] = nh.to_array(t)
good = ReferenceEvaluator(m, new_ops=[boom(0.0)]).run(None, feeds)
if sys.argv[1] == "check":
    bad = ReferenceEvaluator(m, new_ops=[boom(0.25)]).run(None, feeds)
    sys.exit(0 if all(np.allclose(a, b) for a, b in zip(good, bad)) else 1)
os.makedirs(sys.argv[4], exist_ok=True)
for i, (o, v) in enumerate(zip(m.graph.output, good)):
    with open(os.path.join(sys.argv[4], "output_%d.pb" % i), "wb") as fh:
        fh.write(nh.from_array(np.asarray(v), o.name).SerializeToString())
'''


def _load_pb(path):
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return t.name, nh.to_array(t)


def _reduced(out):
    """(node names of the reduced model, its input names, checker error or None)."""
    if not os.path.exists(out):
        return None, None, "not written"
    m = onnx.load(out)
    try:
        onnx.checker.check_model(m, full_check=True)
        err = None
    except Exception as e:  # the checker's message is the detail
        err = str(e)[:300]
    return [n.name for n in m.graph.node], [i.name for i in m.graph.input], err


def reduce_unsupported(s, xc, build, tmp):
    tmp = os.path.join(tmp, "reduce_unsupported")
    os.makedirs(tmp, exist_ok=True)
    model = os.path.join(tmp, "lstm_boom.onnx")
    lstm_boom_model(model)
    has_node, boom_rt = os.path.join(tmp, "has_node.py"), os.path.join(tmp, "boom_rt.py")
    for path, text in ((has_node, HAS_NODE), (boom_rt, BOOM_RT)):
        with open(path, "w") as f:
            f.write(text)
    py = sys.executable
    fast = [py, "-S", "-E", has_node]  # no site packages: a check costs a few ms

    r = _run([xc, "run", model, "--ref"])
    s.check("reduce_unsupported: the reference cannot run the LSTM + Boom model (it says so)",
            r.returncode != 0 and "Boom" in r.stderr, r.stderr[-500:])

    # 1. a check inspecting the model: fails iff node 'boom' is there
    out = os.path.join(tmp, "min_inspect.onnx")
    r = _run([xc, "debug", "reduce", model, "-o", out, "--check"] + fast + ["{model}", "boom"])
    nodes, ins, err = _reduced(out)
    s.check("debug reduce --check (inspects the model) on LSTM + unsupported Boom: reduced to boom fed 't', valid ONNX",
            r.returncode == 0 and nodes == ["boom"] and ins == ["t"] and err is None and "nodes: boom (Boom)" in r.stdout,
            "%s %s %s\n%s%s" % (nodes, ins, err, r.stdout[-1500:], r.stderr[-500:]))
    n_checks = re.search(r"in (\d+) checks", r.stdout)
    s.check("debug reduce --check: within 2*ceil(log2 6)+4 = 10 checks, inputs saved without reference outputs",
            n_checks and int(n_checks.group(1)) <= 10 and "(inputs in " in r.stdout
            and os.path.exists(out[:-5] + "_data/test_data_set_0/input_0.pb")
            and not os.path.exists(out[:-5] + "_data/test_data_set_0/output_0.pb"), r.stdout[-800:])

    # 2. a check running the model (a wrong Boom planted): the failing node is boom; the
    # reproducing command fails on the reduced model and its saved inputs
    out = os.path.join(tmp, "min_run.onnx")
    r = _run([xc, "debug", "reduce", model, "-o", out, "--check", py, boom_rt, "check", "{model}", "{inputs}"])
    nodes, ins, err = _reduced(out)
    s.check("debug reduce --check (runs the model, a wrong Boom planted) on LSTM + Boom: reduced to boom, valid ONNX",
            r.returncode == 0 and nodes == ["boom"] and err is None,
            "%s %s\n%s%s" % (nodes, err, r.stdout[-1500:], r.stderr[-500:]))
    m = re.search(r"reproduce the failure:\n (.*)", r.stdout)
    if m:
        rep = subprocess.run(m.group(1), shell=True, capture_output=True, text=True, timeout=120)
        s.check("debug reduce --check: the reproducing command fails (exit 1) on the reduced model",
                rep.returncode == 1, m.group(1) + "\n" + rep.stderr[-500:])
    else:
        s.check("debug reduce --check: prints the reproducing command", False, r.stdout[-800:])

    # 3. the failure after Boom (a check failing iff 'relu' is there): tensors cut after Boom
    # come from the runner given, else generated data (--val-range 5,6 tells them apart: Boom's
    # real values are 2*tanh, within (-2, 2)); said once
    runner = "boomrt=%s %s run {model} {inputs} {outputs}" % (py, boom_rt)
    cases = (("no runner", [], "generated", lambda b: b.min() >= 5 and b.max() <= 6),
             ("--exec-runner boomrt", ["--exec-runner", runner], "computed by runner 'boomrt'",
              lambda b: np.abs(b).max() < 2),
             ("a runner that fails", ["--exec-runner", "broken=false {outputs}"], "runner 'broken' cannot compute",
              lambda b: b.min() >= 5 and b.max() <= 6))
    for k, (label, extra, note, values_ok) in enumerate(cases):
        out = os.path.join(tmp, "min_relu_%d.onnx" % k)
        r = _run([xc, "debug", "reduce", model, "-o", out, "--val-range", "[5,6]"] + extra
                 + ["--check"] + fast + ["{model}", "relu"])
        nodes, ins, err = _reduced(out)
        b = None
        data = out[:-5] + "_data/test_data_set_0/input_0.pb"
        if os.path.exists(data):
            name, b = _load_pb(data)
        notes = [line for line in r.stdout.splitlines() if "note:" in line]
        s.check("debug reduce --check, failure after Boom, %s: reduced to relu fed 'b' (%s), valid ONNX, one note"
                % (label, note), r.returncode == 0 and nodes == ["relu"] and ins == ["b"] and err is None
                and b is not None and bool(values_ok(b)) and len(notes) == 1 and note in notes[0],
                "%s %s %s %s\n%s%s" % (nodes, ins, err, None if b is None else (b.min(), b.max()), r.stdout[-1500:],
                                       r.stderr[-500:]))

    interactive(s, xc, tmp, model)


def _answer(proc, judge, junk_first):
    """Answers every 'good or bad?' question of proc: judge(what it printed since the last answer)
    -> 'g', 'b', 'good' or 'bad'; the first answer is junk (re-asked). Returns all it printed."""
    buf, said_junk, since = b"", not junk_first, 0
    fd = proc.stdout.fileno()
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            return buf.decode(errors="replace")
        buf += chunk
        text = buf.decode(errors="replace")
        if text.endswith("good or bad? [g/b] ") or text.endswith("please answer good or bad (g/b): "):
            reply = "maybe" if not said_junk else judge(text[since:])
            if said_junk:
                since = len(text)
            said_junk = True
            proc.stdin.write((reply + "\n").encode())
            proc.stdin.flush()


def _drive(cmd, judge):
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    text = _answer(proc, judge, junk_first=True)
    return proc.wait(timeout=300), text


def _file(text, token):
    found = re.findall(re.escape(token) + r" (\S+)", text)
    return found[-1] if found else None


def interactive(s, xc, tmp, model):
    """--interactive: the test answers on stdin as a user would, after looking at the candidate
    model printed (bad iff it holds boom); an input that ends is an error and writes nothing."""
    out = os.path.join(tmp, "min_interactive.onnx")

    def judge(text):
        return "b" if "boom" in [n.name for n in onnx.load(_file(text, "{model}")).graph.node] else "good"
    rc, text = _drive([xc, "debug", "reduce", model, "-o", out, "--interactive"], judge)
    nodes, ins, err = _reduced(out)
    s.check("debug reduce --interactive (answers on stdin, one junk answer re-asked): reduced to boom, valid ONNX",
            rc == 0 and nodes == ["boom"] and err is None and "please answer good or bad" in text
            and "judged bad interactively" in text and "{inputs} " in text, "%s %s\n%s" % (nodes, err, text[-1500:]))
    out = os.path.join(tmp, "min_eof.onnx")
    r = subprocess.run([xc, "debug", "reduce", model, "-o", out, "--interactive"], input="bad\n", capture_output=True,
                       text=True, timeout=120)
    errs = [line for line in r.stderr.splitlines() if line.strip()]
    s.check("debug reduce --interactive: the input ending is a one-line error, exit 2, nothing written",
            r.returncode == 2 and len(errs) == 1 and "input ended" in errs[0] and not os.path.exists(out),
            r.stdout[-600:] + r.stderr[-600:])
    r = _run([xc, "debug", "reduce", model, "-o", out, "--interactive", "--check", "true"])
    s.check("debug reduce: --interactive with --check is a usage error", r.returncode == 2 and "give one" in r.stderr,
            r.stderr[-400:])

    # the other tools (OpenCL builds of a two-gemm model, both layers pinned to a tiled tactic):
    # the user judges by the candidate's replay file, or by its precision file
    from test_debug_surface import two_gemm_model
    tg, pin = os.path.join(tmp, "two_gemm.onnx"), os.path.join(tmp, "pin.json")
    two_gemm_model(tg)
    with open(pin, "w") as f:
        json.dump({"format": "crosscheck-tactics-1", "layers": [{"name": "ga", "tactic": "gemm.tiled_local.16"},
                                                                 {"name": "gb", "tactic": "gemm.tiled_local.16"}]}, f)

    def tiled_gb(text):  # bad while gb runs the tiled tactic
        with open(_file(text, "{tactics}")) as f:
            layers = {x["name"]: x["tactic"] for x in json.load(f)["layers"]}
        return "bad" if layers.get("gb") == "gemm.tiled_local.16" else "g"
    rc, text = _drive([xc, "debug", "tactics", tg, "--load-tactics", pin, "-o", os.path.join(tmp, "t.json"),
                       "--interactive"], tiled_gb)
    s.check("debug tactics --interactive (judged by each candidate's {tactics} file): names gb, unvalidated (said)",
            rc == 0 and re.search(r"layer 'gb' \(nodes gb\) with tactic gemm.tiled_local.16 is wrong", text) is not None
            and "{plan} " in text and "(--interactive judges)" in text, text[-2000:])

    def fp16_gb(text):  # bad unless the candidate's precision file keeps gb in fp32
        path = _file(text, "the candidate's precision file:")
        if not path:
            return "b"
        with open(path) as f:
            return "g" if json.load(f)["layers"].get("gb") == "fp32" else "b"
    rc, text = _drive([xc, "debug", "precision", tg, "--fp16", "-o", os.path.join(tmp, "p.json"), "--interactive"], fp16_gb)
    s.check("debug precision --interactive (judged by each candidate's precision file): gb must stay in fp32",
            rc == 0 and "layer 'gb' (nodes gb) must stay in fp32" in text and "precision file:" in text, text[-2000:])
