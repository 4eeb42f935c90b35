"""The external-command runner (issue 12, point 3): `run --exec-runner NAME='CMD {model} {inputs}
{outputs}'` against the reference, with ONNX Runtime through tools/onnxruntime_runner.py as the
command (the shipped models and a deterministic sample of the ONNX node suite), planted wrong and
failing commands, a time limit, quoting, and the output forms a command may write."""
import json
import os
import subprocess
import sys
import time

import numpy as np
import onnx
from onnx import TensorProto as TP
from onnx import helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TOOL = os.path.join(ROOT, "tools", "onnxruntime_runner.py")
NODE_SAMPLE = 30  # node-suite cases both the reference and ONNX Runtime run
NODE_STRIDE = 37  # walk the sorted case list in steps of 37 (mod its length): spread, repeatable

# A command that does what a runner should, or plants one fault: it reads input_K.pb with the
# ONNX Runtime tool's own TensorProto reader and computes Relu with numpy.
FAKE = r'''
import os, sys
sys.path.insert(0, os.path.dirname(sys.argv[1]))
from onnxruntime_runner import load_tensor, tensor_bytes
mode, inputs, outputs = sys.argv[2], sys.argv[4], sys.argv[5]
name, x = load_tensor(os.path.join(inputs, "input_0.pb"))
y = (x * (x > 0)).astype(x.dtype)
if mode == "scaled":
    y = y * 1.5
if mode == "none":
    sys.exit(0)
if mode == "fail":
    sys.stderr.write("loading the model\nfake runner: cannot allocate the device\n")
    sys.exit(3)
if mode == "sleep":
    import time
    time.sleep(60)
file, tname = {"byname": ("y.pb", ""), "renamed": ("output_0.pb", "zzz")}.get(mode, ("output_0.pb", "y"))
open(os.path.join(outputs, file), "wb").write(tensor_bytes(y, tname))
'''


def _run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def _relu_model(path):
    g = helper.make_graph([helper.make_node("Relu", ["x"], ["y"], name="relu")], "g",
                          [helper.make_tensor_value_info("x", TP.FLOAT, [2, 3])],
                          [helper.make_tensor_value_info("y", TP.FLOAT, [2, 3])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.save(m, path)
    return path


def _ort(name="ort", tool=TOOL):
    return "%s=%s %s {model} {inputs} {outputs}" % (name, sys.executable, tool)


def _one_line(r):
    return len(r.stderr.strip().splitlines()) == 1


def shipped_models(s, xc, env):
    for m in ("small_cnn", "small_transformer"):
        model = os.path.join(ROOT, "models", m, "model.onnx")
        r = _run([xc, "run", model, "--ref", "--exec-runner", _ort(), "--iterations", "2"], env=env)
        s.check("exec ort: %s agrees with the reference over 2 iterations (default tolerances)" % m,
                r.returncode == 0 and "PASSED: 2 of 2 comparisons passed over 2 iterations (against ref)" in r.stdout,
                r.stdout[-1500:] + r.stderr)
    # the runner's name is what --compare-to and the JSON report know it by
    model = os.path.join(ROOT, "models", "small_cnn", "model.onnx")
    js = os.path.join(env["TMPDIR"], "..", "exec_report.json")
    r = _run([xc, "run", model, "--ref", "--exec-runner", _ort("onnxrt"), "--compare-to", "onnxrt", "--json", js], env=env)
    ok = r.returncode == 0 and "(against onnxrt)" in r.stdout
    if ok:
        runners = json.load(open(js))["runners"]
        ok = [(x["name"], x["kind"]) for x in runners] == [("ref", "ref"), ("onnxrt", "exec")]
    s.check("exec ort: --compare-to names the runner; the JSON report gives it kind exec", ok, r.stdout[-800:] + r.stderr)


def _ort_runs(case_dir):
    """Whether ONNX Runtime runs the case's model on its test_data_set_0 and gives tensors."""
    import onnxruntime as ort
    ds = os.path.join(case_dir, "test_data_set_0")
    try:
        opts = ort.SessionOptions()
        opts.log_severity_level = 4
        sess = ort.InferenceSession(os.path.join(case_dir, "model.onnx"), opts, providers=["CPUExecutionProvider"])
        feeds, k = [], 0
        while os.path.exists(os.path.join(ds, "input_%d.pb" % k)):
            t = TP()
            with open(os.path.join(ds, "input_%d.pb" % k), "rb") as f:
                t.ParseFromString(f.read())
            feeds.append(numpy_helper.to_array(t))
            k += 1
        if len(feeds) != len(sess.get_inputs()):
            return False
        out = sess.run(None, {i.name: a for i, a in zip(sess.get_inputs(), feeds)})
        return all(isinstance(o, np.ndarray) for o in out)
    except Exception:
        return False


def node_suite(s, xc, conf, env):
    root = os.path.join(conf, "node")
    if not os.path.isdir(root):
        s.check("exec ort: the ONNX node suite is at %s" % root, False, "")
        return
    cases = sorted(c for c in os.listdir(root)
                   if os.path.isfile(os.path.join(root, c, "model.onnx")) and os.path.isdir(os.path.join(root, c, "test_data_set_0")))
    picked, failed = [], []
    for i in range(len(cases)):
        if len(picked) == NODE_SAMPLE:
            break
        case = cases[i * NODE_STRIDE % len(cases)]
        d = os.path.join(root, case)
        model, ds = os.path.join(d, "model.onnx"), os.path.join(d, "test_data_set_0")
        if _run([xc, "run", model, "--ref", "--load-inputs", ds], env=env).returncode != 0 or not _ort_runs(d):
            continue  # one of the two does not run it
        picked.append(case)
        r = _run([xc, "run", model, "--ref", "--load-inputs", ds, "--exec-runner", _ort()], env=env)
        if r.returncode != 0:
            failed.append("%s: exit %d\n%s%s" % (case, r.returncode, r.stdout[-600:], r.stderr[-300:]))
    s.check("exec ort: %d of %d sampled node-suite cases (both run them; every %dth case) agree with the reference"
            % (len(picked) - len(failed), len(picked), NODE_STRIDE),
            len(picked) == NODE_SAMPLE and not failed, "\n".join(failed)[-3000:] or " ".join(picked))


def faults(s, xc, d, env):
    model = _relu_model(os.path.join(d, "relu.onnx"))
    fake = os.path.join(d, "fake_runner.py")
    with open(fake, "w") as f:
        f.write(FAKE)

    def cmd(mode, name="fake"):
        return "%s=%s %s %s %s {model} {inputs} {outputs}" % (name, sys.executable, fake, TOOL, mode)

    r = _run([xc, "run", model, "--ref", "--exec-runner", cmd("good")], env=env)
    s.check("exec: a command writing output_0.pb passes", r.returncode == 0 and "PASSED: 1 of 1" in r.stdout, r.stdout[-600:] + r.stderr)
    r = _run([xc, "run", model, "--ref", "--exec-runner", cmd("scaled")], env=env)
    s.check("exec: a planted command writing outputs x1.5 fails the comparison (exit 1)",
            r.returncode == 1 and "0 of 1 comparison passed" in r.stdout and "fake vs ref" in r.stdout, r.stdout[-600:] + r.stderr)
    r = _run([xc, "run", model, "--ref", "--exec-runner", cmd("byname")], env=env)
    s.check("exec: an unnamed tensor in y.pb is output y", r.returncode == 0 and not r.stderr, r.stdout[-600:] + r.stderr)
    r = _run([xc, "run", model, "--ref", "--exec-runner", cmd("renamed")], env=env)
    s.check("exec: a tensor named for no output is compared by position, with one warning",
            r.returncode == 0 and "output 'zzz' matches no output of the model; compared with output 'y' by position" in r.stderr
            and _one_line(r), r.stdout[-600:] + r.stderr)
    # crosscheck itself as the command: it writes a results folder (index.json) into {outputs}
    self_cmd = "self=%s run {model} --ref --load-inputs {inputs} --save-outputs {outputs}" % os.path.abspath(xc)
    r = _run([xc, "run", model, "--ref", "--exec-runner", self_cmd, "--iterations", "2"], env=env)
    s.check("exec: a command writing a crosscheck results folder is read back (2 iterations)",
            r.returncode == 0 and "2 of 2 comparisons passed" in r.stdout, r.stdout[-600:] + r.stderr)

    r = _run([xc, "run", model, "--ref", "--exec-runner", cmd("fail")], env=env)
    s.check("exec: a command exiting 3 is one line naming runner, command, status and its last stderr line (exit 2)",
            r.returncode == 2 and _one_line(r) and "runner fake: command '" in r.stderr and "fake_runner.py" in r.stderr
            and "exited with status 3" in r.stderr and "cannot allocate the device" in r.stderr
            and "loading the model" not in r.stderr, r.stderr)
    t0 = time.time()
    r = _run([xc, "run", model, "--ref", "--exec-timeout", "1", "--exec-runner", cmd("sleep")], env=env)
    took = time.time() - t0
    s.check("exec: --exec-timeout 1 stops a sleeping command: one line, exit 2 (took %.1f s)" % took,
            r.returncode == 2 and _one_line(r) and "did not finish within 1 s" in r.stderr and took < 20, r.stderr)
    r = _run([xc, "run", model, "--ref", "--exec-runner", cmd("none")], env=env)
    s.check("exec: a command writing no outputs is one line, exit 2",
            r.returncode == 2 and _one_line(r) and "exited with status 0 but wrote no outputs" in r.stderr, r.stderr)
    r = _run([xc, "run", model, "--ref", "--exec-runner", "gone=%s/no-such-program {outputs}" % d], env=env)
    s.check("exec: a command that cannot start is one line, exit 2",
            r.returncode == 2 and _one_line(r) and "cannot run" in r.stderr and "No such file" in r.stderr, r.stderr)
    for arg, want in (("noequals", "NAME="), ("x=echo {inputs}", "must name {outputs}"), ("x=echo 'open {outputs}", "unterminated"),
                      ("ref=echo {outputs}", "another runner has that name"), ("a/b=echo {outputs}", "a runner name is")):
        r = _run([xc, "run", model, "--ref", "--exec-runner", arg], env=env)
        s.check("exec: --exec-runner %r is refused in one line (exit 2)" % arg, r.returncode == 2 and _one_line(r) and want in r.stderr,
                r.stderr)


def quoting(s, xc, d, env):
    """Paths with spaces reach the command whole: quoted, backslash-escaped, and substituted."""
    spaced = os.path.join(d, "a folder with spaces")
    os.makedirs(spaced, exist_ok=True)
    model = _relu_model(os.path.join(spaced, "relu model.onnx"))
    tool = os.path.join(spaced, "ort runner.py")
    with open(TOOL) as f, open(tool, "w") as g:
        g.write(f.read())
    for how, word in (("double quotes", '"%s"' % tool), ("single quotes", "'%s'" % tool), ("backslashes", tool.replace(" ", "\\ "))):
        r = _run([xc, "run", model, "--ref", "--exec-runner", "ort=%s %s {model} {inputs} {outputs}" % (sys.executable, word)], env=env)
        s.check("exec: a tool path with spaces in %s, and a model path with spaces in {model}" % how,
                r.returncode == 0 and "PASSED: 1 of 1" in r.stdout, r.stdout[-600:] + r.stderr)


def exec_runner_tests(s, xc, build, tmp, conf=None):
    """conf: the ONNX conformance folder (run_tests.py --conf; default BUILD/onnx-tests)."""
    d = os.path.join(tmp, "exec_runner")
    private = os.path.join(d, "tmpdir")  # TMPDIR of every run: what is left in it was not cleaned up
    os.makedirs(private, exist_ok=True)
    env = dict(os.environ, TMPDIR=private)
    conf = conf or os.path.join(build, "onnx-tests")
    shipped_models(s, xc, env)
    faults(s, xc, d, env)
    quoting(s, xc, d, env)
    node_suite(s, xc, conf, env)
    left = [f for f in os.listdir(private) if f.startswith("crosscheck-exec-")]  # (Python leaves files of its own)
    s.check("exec: every temporary folder was removed (after passing, failing and timed-out commands)", not left, str(left))
