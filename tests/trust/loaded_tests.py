"""Verdicts you can trust (issue 11) and one-line messages (issue 17): every iteration of every
loaded runner is compared, names are never cut, options that match nothing say so, and bad
values are refused. Models are made here with onnx.helper; Polygraphy's own files come from
the polygraphy in this venv."""
import json
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto as TP
from onnx import helper, numpy_helper


def _run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def _relu_model(path, shape=(2, 3), out="y"):
    g = helper.make_graph([helper.make_node("Relu", ["x"], [out], name="relu")], "g",
                          [helper.make_tensor_value_info("x", TP.FLOAT, list(shape))],
                          [helper.make_tensor_value_info(out, TP.FLOAT, list(shape))])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.save(m, path)
    return path


def _one_line(r):
    return len(r.stderr.strip().splitlines()) == 1


def loaded_iterations(s, xc, tmp):
    """Issue 11 item 1 (and 7): iterations after the first of a loaded runner are compared."""
    d = os.path.join(tmp, "loaded_its")
    os.makedirs(d, exist_ok=True)
    model = _relu_model(os.path.join(d, "model.onnx"))
    good, inputs, bad = (os.path.join(d, f) for f in ("good.json", "inputs.json", "bad.json"))
    poly = os.path.join(os.path.dirname(sys.executable), "polygraphy")
    r = _run([poly, "run", model, "--onnxrt", "--iterations", "2", "--save-outputs", good, "--save-inputs", inputs])
    if not s.check("loaded: polygraphy saved 2 iterations", r.returncode == 0, r.stdout + r.stderr):
        return
    from polygraphy.comparator import RunResults
    from polygraphy.logger import G_LOGGER
    G_LOGGER.module_severity = G_LOGGER.ERROR
    res = RunResults.load(good)
    runner, its = res.lst[0]
    its[1]["y"] = np.full_like(its[1]["y"], 0.5)
    res.save(bad)
    r = _run([xc, "run", model, "--ref", "--load-outputs", good, "--load-inputs", inputs])
    s.check("loaded: polygraphy's 2 iterations match the reference",
            r.returncode == 0 and "2 of 2 comparisons passed over 2 iterations" in r.stdout, r.stdout[-800:] + r.stderr)
    r = _run([xc, "run", model, "--ref", "--load-outputs", bad, "--load-inputs", inputs])
    s.check("loaded: polygraphy iteration 1 set to 0.5 fails", r.returncode == 1 and "1 of 2 comparisons passed" in r.stdout,
            r.stdout[-800:] + r.stderr)
    r = _run([xc, "run", model, "--ref", "--load-outputs", good, "--iterations", "3"])
    s.check("loaded: more iterations than the saved runner holds is an error",
            r.returncode == 2 and _one_line(r) and "holds outputs for 2 iterations" in r.stderr, r.stdout[-400:] + r.stderr)
    # Polygraphy's runner names run past 31 characters ("onnxrt-runner-N0-12/06/26-06:43:23")
    r = _run([xc, "run", model, "--ref", "--load-outputs", good, "--load-inputs", inputs, "--compare-to", runner])
    s.check("loaded: --compare-to takes a Polygraphy runner name whole (%d chars)" % len(runner),
            len(runner) > 31 and r.returncode == 0 and ("against %s)" % runner) in r.stdout, r.stdout[-400:] + r.stderr)

    # the same with a crosscheck results folder
    saved = os.path.join(d, "saved")
    r = _run([xc, "run", model, "--ref", "--iterations", "2", "--save-outputs", saved])
    if not s.check("loaded: run --save-outputs with 2 iterations", r.returncode == 0, r.stdout[-400:] + r.stderr):
        return
    with open(os.path.join(saved, "index.json")) as f:
        index = json.load(f)
    e = [e for e in index["tensors"] if e["iteration"] == 1 and e["role"] == "output"][0]
    t = onnx.load_tensor(os.path.join(saved, e["file"]))
    arr = np.full_like(numpy_helper.to_array(t), 0.5)
    onnx.save_tensor(numpy_helper.from_array(arr, t.name), os.path.join(saved, e["file"]))
    r = _run([xc, "run", model, "--ref", "--load-outputs", saved, "--load-inputs", saved])
    s.check("loaded: results folder iteration 1 set to 0.5 fails", r.returncode == 1 and "1 of 2 comparisons passed" in r.stdout,
            r.stdout[-800:] + r.stderr)


def silent_acceptance(s, xc, tmp):
    """Issue 11 item 6: options naming nothing warn (or fail), ranges a dtype cannot hold are refused."""
    d = os.path.join(tmp, "silent")
    os.makedirs(d, exist_ok=True)
    model = _relu_model(os.path.join(d, "model.onnx"))
    for opt, val in (("--atol", "nosuch:1e-4"), ("--rtol", "nosuch:1e-4"), ("--val-range", "nosuch:[0,1]")):
        r = _run([xc, "run", model, "--ref", opt, val])
        s.check("silent: %s %s warns" % (opt, val), r.returncode == 0 and "warning" in r.stderr and "'nosuch'" in r.stderr, r.stderr)
    r = _run([xc, "run", model, "--ref", "--atol", "y:1e-4", "--val-range", "x:[0,1]"])
    s.check("silent: names that match give no warning", r.returncode == 0 and "warning" not in r.stderr, r.stderr)
    for rng in ("[0,1e39]", "[-1e39,0]", "x:[0,1e39]"):
        r = _run([xc, "run", model, "--ref", "--val-range", rng])
        s.check("silent: --val-range %s on float32 is refused" % rng, r.returncode == 2 and _one_line(r) and "float32" in r.stderr,
                r.stdout[-300:] + r.stderr)
    r = _run([xc, "run", model, "--ref", "--val-range", "[-3e38,3e38]"])
    s.check("silent: --val-range within float32 runs", r.returncode == 0 and "inf" not in r.stdout.lower(), r.stdout[-300:] + r.stderr)
    # an int8 input: a range past the dtype would wrap
    g = helper.make_graph([helper.make_node("Identity", ["i"], ["o"])], "g", [helper.make_tensor_value_info("i", TP.INT8, [4])],
                          [helper.make_tensor_value_info("o", TP.INT8, [4])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.save(m, os.path.join(d, "int8.onnx"))
    r = _run([xc, "run", os.path.join(d, "int8.onnx"), "--ref", "--val-range", "[0,1000]"])
    s.check("silent: --val-range [0,1000] on int8 is refused", r.returncode == 2 and "int8" in r.stderr, r.stderr)
    r = _run([xc, "run", os.path.join(d, "int8.onnx"), "--ref", "--val-range", "[-128,127]"])
    s.check("silent: --val-range [-128,127] on int8 runs", r.returncode == 0, r.stderr)
    # a loaded output whose name is not the model's is matched by position: say so
    other = os.path.join(d, "other.pb")
    onnx.save_tensor(numpy_helper.from_array(np.zeros((2, 3), np.float32), "other"), other)
    r = _run([xc, "run", model, "--ref", "--load-outputs", other])
    s.check("silent: a loaded output named 'other' matched by position warns",
            "warning" in r.stderr and "'other'" in r.stderr and "'y'" in r.stderr, r.stderr)
    unnamed = os.path.join(d, "unnamed.pb")
    onnx.save_tensor(numpy_helper.from_array(np.zeros((2, 3), np.float32)), unnamed)
    r = _run([xc, "run", model, "--ref", "--load-outputs", unnamed])
    s.check("silent: an unnamed loaded output matched by position does not warn", "warning" not in r.stderr, r.stderr)
    # --tactics matching no tactic of any layer fails before anything is compiled
    r = _run([xc, "build", model, "-o", os.path.join(d, "x.plan"), "--tactics", "nosuch*"])
    s.check("silent: --tactics 'nosuch*' fails", r.returncode == 2 and _one_line(r) and "nosuch*" in r.stderr, r.stdout + r.stderr)
    cnn = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "models", "small_cnn", "model.onnx")
    r = _run([xc, "build", cnn, "-o", os.path.join(d, "y.plan"), "--tactics", "nosuch*", "--tactics", "conv2d.direct*"])
    s.check("silent: a --tactics glob matching nothing beside one that matches -> a warning naming it, exit 0",
            r.returncode == 0 and "warning" in r.stderr and "nosuch*" in r.stderr, r.stdout[-500:] + r.stderr)


def plan_surgeon_inspect(s, xc, tmp):
    """Issue 11 item 9: run --plan takes the plan's input shapes; surgeon insert in place; inspect
    results on an empty or unreadable folder."""
    d = os.path.join(tmp, "item9")
    os.makedirs(d, exist_ok=True)
    g = helper.make_graph([helper.make_node("Relu", ["x"], ["y"], name="relu")], "g",
                          [helper.make_tensor_value_info("x", TP.FLOAT, ["N", 3])],
                          [helper.make_tensor_value_info("y", TP.FLOAT, ["N", 3])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    dyn, plan = os.path.join(d, "dyn.onnx"), os.path.join(d, "dyn.plan")
    onnx.save(m, dyn)
    r = _run([xc, "build", dyn, "--input-shapes", "x:[4,3]", "-o", plan])
    if s.check("item9: build a plan with --input-shapes x:[4,3]", r.returncode == 0, r.stdout[-300:] + r.stderr):
        r = _run([xc, "run", dyn, "--ref", "--plan", plan])
        s.check("item9: run --plan generates inputs of the plan's shape", r.returncode == 0 and "float32[4,3]" in r.stdout,
                r.stdout[-400:] + r.stderr)
        r = _run([xc, "run", dyn, "--ref", "--plan", plan, "--input-shapes", "x:[2,3]"])
        s.check("item9: another shape than the plan's names --input-shapes with the plan's dims, not 'rebuild'",
                r.returncode == 2 and _one_line(r) and "--input-shapes x:[4,3]" in r.stderr and "rebuild" not in r.stderr, r.stderr)
    # surgeon insert in place (Polygraphy allows --inputs fc --outputs fc)
    g = helper.make_graph([helper.make_node("Neg", ["x"], ["fc"], name="neg"), helper.make_node("Softmax", ["fc"], ["y"], name="sm")],
                          "g", [helper.make_tensor_value_info("x", TP.FLOAT, [2, 3])],
                          [helper.make_tensor_value_info("y", TP.FLOAT, [2, 3])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    src, out = os.path.join(d, "ins.onnx"), os.path.join(d, "ins_out.onnx")
    onnx.save(m, src)
    r = _run([xc, "surgeon", "insert", src, "--inputs", "fc", "--outputs", "fc", "--op", "Relu", "-o", out])
    ok = r.returncode == 0 and os.path.exists(out)
    if ok:
        from onnx.reference import ReferenceEvaluator
        got = onnx.load(out)
        onnx.checker.check_model(got)
        x = np.array([[1, -2, 3], [-4, 5, -6]], np.float32)
        y = ReferenceEvaluator(got).run(None, {"x": x})[0]
        e = np.exp(np.maximum(-x, 0))
        ok = np.allclose(y, e / e.sum(axis=1, keepdims=True), atol=1e-6) and [n.op_type for n in got.graph.node] == ["Neg", "Relu", "Softmax"]
    s.check("item9: surgeon insert --inputs fc --outputs fc puts the node after fc (no false cycle)", ok, r.stdout + r.stderr)
    # inspect results on an empty folder, and on one it cannot read
    empty = os.path.join(d, "empty")
    os.makedirs(empty)
    r = _run([xc, "inspect", "results", empty])
    s.check("item9: inspect results on an empty folder fails", r.returncode == 2 and _one_line(r) and "no tensors" in r.stderr,
            r.stdout + r.stderr)
    if os.geteuid() != 0:  # root reads any folder
        locked = os.path.join(d, "locked")
        os.makedirs(locked)
        os.chmod(locked, 0)
        r = _run([xc, "inspect", "results", locked])
        os.chmod(locked, 0o755)
        s.check("item9: inspect results on an unreadable folder fails", r.returncode == 2 and _one_line(r), r.stdout + r.stderr)


def messages(s, xc, tmp):
    """Issue 17 "Messages": one line always, control characters as '?', bad values refused, and
    the spec's rules enforced at load time naming the node or tensor."""
    d = os.path.join(tmp, "messages")
    os.makedirs(d, exist_ok=True)
    model = _relu_model(os.path.join(d, "model.onnx"))
    for args in (["run", model, "--iterations", "x"], ["run", model, "--iterations", "0"], ["build", model, "-o", "p", "--queues", "x"],
                 ["build", model, "-o", "p", "--timing-iterations", "1.5"]):
        r = _run([xc] + args)
        s.check("messages: %s is one line" % " ".join(args[2:]), r.returncode == 2 and _one_line(r), r.stderr)
    r = _run([xc, "run", model, "--iterations", "a\x1b[31mb\nc"])
    s.check("messages: control characters typed by the user are shown as '?'",
            r.returncode == 2 and _one_line(r) and "\x1b" not in r.stderr and "a?[31mb?c" in r.stderr, repr(r.stderr))
    for v in ("nan", "inf", "3.5", "-1", "0", "1.5G", "99999999999999999999G"):
        r = _run([xc, "run", model, "--memory-limit", v])
        s.check("messages: --memory-limit %s is refused" % v, r.returncode == 2 and _one_line(r), r.stdout[-200:] + r.stderr)
    r = _run([xc, "run", model, "--memory-limit", "64M"])
    s.check("messages: --memory-limit 64M runs", r.returncode == 0, r.stderr)
    conf = os.path.join(d, "conf")
    os.makedirs(os.path.join(conf, "case_relu"))
    _relu_model(os.path.join(conf, "case_relu", "model.onnx"))
    for v in ("-1", "nan", "inf"):
        r = _run([xc, "conformance", conf, "--ulp", v])
        s.check("messages: conformance --ulp %s is refused" % v, r.returncode == 2 and _one_line(r), r.stdout[-200:] + r.stderr)
    readme = os.path.join(d, "README.md")
    with open(readme, "w") as f:
        f.write("# crosscheck\n\ncrosscheck is a model debugging toolkit\n")
    r = _run([xc, "conformance", conf, "--expected-failures", readme])
    s.check("messages: conformance --expected-failures README.md is refused",
            r.returncode == 2 and _one_line(r) and "line 3" in r.stderr, r.stdout[-200:] + r.stderr)
    xf = os.path.join(d, "xfail.txt")
    with open(xf, "w") as f:
        f.write("# known\ncase_relu   flaky\n")
    r = _run([xc, "conformance", conf, "--expected-failures", xf])
    s.check("messages: an expected-failures file naming a real case is read", r.returncode != 2, r.stdout[-300:] + r.stderr)
    r = _run([xc, "build", model, "-o", os.path.join(d, "p.plan"), "--ocl-device", ""])
    s.check("messages: --ocl-device '' is refused", r.returncode == 2 and _one_line(r) and "--ocl-device" in r.stderr, r.stderr)
    for v in ("x:", "x:["):
        r = _run([xc, "run", model, "--input-shapes", v])
        s.check("messages: --input-shapes %s is refused" % v, r.returncode == 2 and _one_line(r), r.stdout[-200:] + r.stderr)

    vi = helper.make_tensor_value_info

    def bad(name, nodes, ins, outs, inits=(), opsets=(("", 17),), needle=""):
        g = helper.make_graph(nodes, "g", ins, outs, list(inits))
        m = helper.make_model(g, opset_imports=[helper.make_opsetid(dom, v) for dom, v in opsets])
        m.ir_version = 8
        path = os.path.join(d, name + ".onnx")
        onnx.save(m, path)
        r = _run([xc, "inspect", "model", path])
        s.check("messages: %s is a load-time error naming '%s'" % (name, needle),
                r.returncode == 2 and _one_line(r) and needle in r.stderr, r.stdout[-300:] + r.stderr)
    bad("output_declared_int64", [helper.make_node("Relu", ["x"], ["y"], name="r")], [vi("x", TP.FLOAT, [2])],
        [vi("y", TP.INT64, [2])], needle="'y'")
    bad("reshape_int32_shape", [helper.make_node("Reshape", ["x", "s"], ["y"], name="rs")], [vi("x", TP.FLOAT, [2, 3])],
        [vi("y", TP.FLOAT, [6])], [numpy_helper.from_array(np.array([6], np.int32), "s")], needle="'rs'")
    bad("reshape_int32_shape_input", [helper.make_node("Reshape", ["x", "s"], ["y"], name="rs")],
        [vi("x", TP.FLOAT, [2, 3]), vi("s", TP.INT32, [1])], [vi("y", TP.FLOAT, None)], needle="'s'")
    bad("bitshift_signed_opset17", [helper.make_node("BitShift", ["a", "b"], ["y"], name="bs", direction="LEFT")],
        [vi("a", TP.INT32, [2]), vi("b", TP.INT32, [2])], [vi("y", TP.INT32, [2])], needle="'bs'")
    bad("default_domain_twice", [helper.make_node("Relu", ["x"], ["y"], name="r")], [vi("x", TP.FLOAT, [2])],
        [vi("y", TP.FLOAT, [2])], opsets=(("", 17), ("ai.onnx", 13)), needle="ai.onnx")


def saved_sets_alone(s, xc, tmp):
    """run --load-outputs A B with no model: two saved sets compared directly, every iteration,
    for a model the reference cannot run (com.microsoft's Gelu) whose results ONNX Runtime saved
    through Polygraphy."""
    d = os.path.join(tmp, "sets")
    os.makedirs(d, exist_ok=True)
    g = helper.make_graph([helper.make_node("Gelu", ["x"], ["y"], name="gelu", domain="com.microsoft")], "g",
                          [helper.make_tensor_value_info("x", TP.FLOAT, [2, 3, 3])],
                          [helper.make_tensor_value_info("y", TP.FLOAT, [2, 3, 3])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)])
    m.ir_version = 8
    model = os.path.join(d, "gelu.onnx")
    onnx.save(m, model)
    r = _run([xc, "run", model, "--ref"])
    s.check("sets: the reference cannot run com.microsoft's Gelu", r.returncode == 2 and "Gelu" in r.stderr, r.stderr)
    a, b, near = (os.path.join(d, f) for f in ("a.json", "b.json", "near.json"))
    poly = os.path.join(os.path.dirname(sys.executable), "polygraphy")
    r = _run([poly, "run", model, "--onnxrt", "--iterations", "2", "--save-outputs", a])
    if not s.check("sets: polygraphy saved Gelu's outputs for 2 iterations", r.returncode == 0, r.stdout + r.stderr):
        return
    from polygraphy.comparator import RunResults
    res = RunResults.load(a)
    its = res.lst[0][1]
    its[1]["y"] = its[1]["y"] + 1.0
    res.save(b)
    res = RunResults.load(a)
    res.lst[0][1][1]["y"] = res.lst[0][1][1]["y"] * (1 + 1e-7)
    res.save(near)
    r = _run([xc, "run", "--load-outputs", a, near])
    s.check("sets: two saved sets agreeing within tolerance pass, both iterations",
            r.returncode == 0 and "2 of 2 comparisons passed over 2 iterations" in r.stdout, r.stdout[-500:] + r.stderr)
    r = _run([xc, "run", "--load-outputs", a, "--load-outputs", b])
    s.check("sets: iteration 1 changed in the second set fails", r.returncode == 1 and "1 of 2 comparisons passed" in r.stdout,
            r.stdout[-500:] + r.stderr)
    r = _run([xc, "run", "--load-outputs", a])
    s.check("sets: one saved set alone is a usage error", r.returncode == 2 and _one_line(r), r.stderr)
    r = _run([xc, "run", "--ref", "--load-outputs", a, b])
    s.check("sets: a live runner without a model is a usage error", r.returncode == 2 and _one_line(r), r.stderr)


def per_iteration_folders(s, xc, tmp):
    """Polygraphy 0.53's per-iteration folders (--save-outputs DIR / --save-inputs DIR without an
    extension: one JSON file per iteration) are read like its single files."""
    d = os.path.join(tmp, "poly_dirs")
    os.makedirs(d, exist_ok=True)
    model = _relu_model(os.path.join(d, "model.onnx"))
    outs, ins = os.path.join(d, "outs"), os.path.join(d, "ins")
    poly = os.path.join(os.path.dirname(sys.executable), "polygraphy")
    r = _run([poly, "run", model, "--onnxrt", "--iterations", "2", "--save-outputs", outs, "--save-inputs", ins])
    files = sorted(os.listdir(outs)) if os.path.isdir(outs) else []
    if not s.check("polygraphy wrote per-iteration folders (%s)" % files, r.returncode == 0 and len(files) == 2, r.stdout + r.stderr):
        return
    r = _run([xc, "run", model, "--ref", "--load-outputs", outs, "--load-inputs", ins])
    s.check("per-iteration folders: both iterations compared and pass",
            r.returncode == 0 and "2 of 2 comparisons passed over 2 iterations" in r.stdout, r.stdout[-800:] + r.stderr)
    from polygraphy.comparator import RunResults
    from polygraphy.logger import G_LOGGER
    G_LOGGER.module_severity = G_LOGGER.ERROR
    second = os.path.join(outs, files[1])
    res = RunResults.load(second)
    res.lst[0][1][0]["y"] = np.full_like(res.lst[0][1][0]["y"], 0.5)
    res.save(second)
    r = _run([xc, "run", model, "--ref", "--load-outputs", outs, "--load-inputs", ins])
    s.check("per-iteration folders: iteration 1 set to 0.5 fails", r.returncode == 1 and "1 of 2 comparisons passed" in r.stdout,
            r.stdout[-800:] + r.stderr)
    os.remove(os.path.join(outs, files[0]))
    r = _run([xc, "inspect", "results", outs])
    s.check("per-iteration folders: a missing iteration file is one line, exit 2",
            r.returncode == 2 and _one_line(r) and "not all there" in r.stderr, r.stdout[-400:] + r.stderr)


def long_layer_names(s, xc, tmp):
    """Item 7: no fixed-size buffer on user-visible names: debug tactics names a fused layer of
    two 300-character nodes whole (it was cut at 511 characters)."""
    from onnx import helper, TensorProto
    d = os.path.join(tmp, "long_names")
    os.makedirs(d, exist_ok=True)
    conv, relu = "conv_" + "c" * 295, "relu_" + "r" * 295
    rng = np.random.default_rng(1)
    w = numpy_helper.from_array((rng.standard_normal((4, 2, 3, 3)) * 0.3).astype(np.float32), "w")
    nodes = [helper.make_node("Conv", ["x", "w"], ["c"], pads=[1, 1, 1, 1], name=conv),
             helper.make_node("Relu", ["c"], ["y"], name=relu)]
    g = helper.make_graph(nodes, "long", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 6, 6])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 6, 6])], [w])
    model = os.path.join(d, "model.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), model)
    layer = conv + " + " + relu
    pin = os.path.join(d, "pin.json")
    with open(pin, "w") as f:
        json.dump({"format": "crosscheck-tactics-1", "layers": [{"name": layer, "tactic": "conv2d.winograd_f2x2_3x3.4"}]}, f)
    r = _run([xc, "debug", "tactics", model, "--inject-fault", "node-tactic=" + conv, "--load-tactics", pin,
              "-o", os.path.join(d, "fixed.json")], timeout=600)
    want = "layer '%s' (nodes %s, %s) with tactic conv2d.winograd_f2x2_3x3.4 is wrong" % (layer, conv, relu)
    s.check("debug tactics names a %d-character fused layer whole" % len(layer), r.returncode == 0 and want in r.stdout,
            r.stdout[-1500:] + r.stderr[-800:])


def loaded_tests(s, xc, build, tmp):
    long_layer_names(s, xc, tmp)
    loaded_iterations(s, xc, tmp)
    per_iteration_folders(s, xc, tmp)
    silent_acceptance(s, xc, tmp)
    plan_surgeon_inspect(s, xc, tmp)
    messages(s, xc, tmp)
    saved_sets_alone(s, xc, tmp)
