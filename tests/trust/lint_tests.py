"""Polygraphy's surface that users reach for (issue 11): `check lint` reports every independent
problem of a model in one run (errors and warnings, human lines and --json, exit 0/1/2);
`run --outputs NAME...|mark all` keeps intermediate tensors on the reference and the engine
(a tensor a fusion keeps internal is named with the --no-fuse-node that keeps it), and
`--per-layer --load-outputs GOLDEN` compares a Polygraphy mark-all golden (or a crosscheck
folder) node by node against the reference; `--version`, -v/-q and --log-file."""
import json
import os
import re
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto as T, helper as h, numpy_helper as nh

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def save(nodes, inputs, outputs, inits, path):
    g = h.make_graph(nodes, os.path.basename(path), inputs, outputs, inits)
    onnx.save(h.make_model(g, opset_imports=[h.make_opsetid("", 17)]), path)
    return path


def bad_model(path):
    """Seven independent errors and five warnings in one graph."""
    x = h.make_tensor_value_info("x", T.FLOAT, [2, 3])
    nodes = [
        h.make_node("Relu", ["x"], ["a"], name="relu"),
        h.make_node("Frobnicate", ["a"], ["b"], name="frob"),                # unknown op
        h.make_node("Relu", ["a"], ["c"], name="relu_attr", alpha=1.0),       # unknown attribute
        h.make_node("Add", ["a"], ["d"], name="add_arity"),                   # one input of two
        h.make_node("Mul", ["a", "ghost"], ["e"], name="mul_ghost"),          # no producer
        h.make_node("Sigmoid", ["x"], ["a"], name="dup"),                     # 'a' defined twice
        h.make_node("Add", ["a", "w34"], ["f"], name="add_shape"),            # [2,3] + [3,4]
        h.make_node("Neg", ["cy2"], ["cy1"], name="cyc1"),                    # a cycle
        h.make_node("Neg", ["cy1"], ["cy2"], name="cyc2"),
        h.make_node("Tanh", ["x"], ["dead"], name="deadnode"),                # feeds no output
        h.make_node("Abs", ["f"], ["y2"]),                                    # unnamed
        h.make_node("Sum", ["c", "d", "e", "b", "cy1"], ["y"], name="sum"),
    ]
    inits = [nh.from_array(np.zeros((3, 4), np.float32), "w34"), nh.from_array(np.zeros(3, np.float32), "lonely")]
    return save(nodes, [x, h.make_tensor_value_info("unused_in", T.FLOAT, [2])],
                [h.make_tensor_value_info("y", T.FLOAT, None), h.make_tensor_value_info("y2", T.FLOAT, None)], inits, path)


def two_cycles_model(path):
    x = h.make_tensor_value_info("x", T.FLOAT, [2])
    nodes = [h.make_node("Add", ["x", "p2"], ["p1"], name="p1"), h.make_node("Neg", ["p1"], ["p2"], name="p2"),
             h.make_node("Add", ["x", "q2"], ["q1"], name="q1"), h.make_node("Neg", ["q1"], ["q2"], name="q2"),
             h.make_node("Add", ["p1", "q1"], ["y"], name="out")]
    return save(nodes, [x], [h.make_tensor_value_info("y", T.FLOAT, [2])], [], path)


def small_model(path):
    rng = np.random.default_rng(0)
    nodes = [h.make_node("Conv", ["x", "w", "b"], ["conv_out"], name="conv1", pads=[1, 1, 1, 1]),
             h.make_node("Relu", ["conv_out"], ["relu_out"], name="relu1"),
             h.make_node("Sigmoid", ["relu_out"], ["sig_out"], name="sig1"),
             h.make_node("Mul", ["sig_out", "relu_out"], ["y"], name="mul1")]
    inits = [nh.from_array(rng.standard_normal((3, 2, 3, 3)).astype(np.float32), "w"),
             nh.from_array(rng.standard_normal(3).astype(np.float32), "b")]
    return save(nodes, [h.make_tensor_value_info("x", T.FLOAT, [1, 2, 5, 5])], [h.make_tensor_value_info("y", T.FLOAT, None)],
                inits, path)


def index(folder):
    with open(os.path.join(folder, "index.json")) as f:
        return json.load(f)["tensors"]


def saved(folder, runner, role, name):
    for t in index(folder):
        if (t["runner"], t["role"], t["tensor"]) == (runner, role, name):
            return nh.to_array(onnx.load_tensor(os.path.join(folder, t["file"])))
    return None


def lint_checks(s, xc, tmp):
    bad = bad_model(os.path.join(tmp, "lint_bad.onnx"))
    js = os.path.join(tmp, "lint_bad.json")
    r = run([xc, "check", "lint", bad, "--json", js])
    s.check("check lint: a model with 7 independent errors exits 1", r.returncode == 1, r.stdout + r.stderr)
    want = {("unknown-op", "frob"), ("attribute", "relu_attr"), ("arity", "add_arity"), ("missing-producer", "mul_ghost"),
            ("duplicate-output", "dup"), ("inference", "add_shape")}
    try:
        rep = json.load(open(js))
    except (OSError, ValueError) as e:
        s.check("check lint --json writes a report", False, str(e))
        return
    errs = [f for f in rep["findings"] if f["severity"] == "error"]
    got = {(f["kind"], f["node"]) for f in errs}
    cyc = [f for f in errs if f["kind"] == "cycle"]
    s.check("check lint: every independent error reported (unknown op, attribute, arity, missing producer, duplicate "
            "output, inference, cycle), not just the first", want <= got and len(cyc) == 1 and len(errs) == 7,
            json.dumps(rep["findings"], indent=1)[:3000])
    s.check("check lint: the cycle names both of its nodes", cyc and "cyc1" in cyc[0]["message"] and "cyc2" in cyc[0]["message"],
            str(cyc))
    s.check("check lint: findings carry their tensor (the missing producer 'ghost', the duplicate 'a')",
            any(f["tensor"] == "ghost" for f in errs) and any(f["kind"] == "duplicate-output" and f["tensor"] == "a" for f in errs))
    warns = {(f["kind"], f["tensor"] or f["node"]) for f in rep["findings"] if f["severity"] == "warning"}
    s.check("check lint: warnings for the unused input, unused initializer, dead node and unnamed node",
            {("unused-input", "unused_in"), ("unused-initializer", "lonely"), ("dead-node", "dead")} <= warns and
            any(k == "unnamed-node" for k, _ in warns), str(sorted(warns)))
    s.check("check lint --json: summary counts match the findings",
            rep["summary"] == {"errors": 7, "warnings": len(rep["findings"]) - 7, "passed": False}, str(rep["summary"]))
    lines = [l for l in r.stdout.splitlines() if l.startswith("[")]
    s.check("check lint: one human line per finding, with severity and the node's name",
            len(lines) == len(rep["findings"]) and all(re.match(r"\[[EW]\] ", l) for l in lines) and
            any(l.startswith("[E]") and "'frob'" in l for l in lines), r.stdout)
    try:
        onnx.checker.check_model(onnx.load(bad), full_check=True)
        judged = False
    except Exception:
        judged = True
    s.check("onnx.checker also rejects the model check lint fails", judged)
    r2 = run([xc, "run", bad, "--ref"])
    s.check("loading for 'run' still stops at the first error (exit 2, one message)", r2.returncode == 2 and
            r2.stderr.count("crosscheck: error:") == 1, r2.stderr)

    cyc2 = two_cycles_model(os.path.join(tmp, "lint_cycles.onnx"))
    js2 = os.path.join(tmp, "lint_cycles.json")
    r = run([xc, "check", "lint", cyc2, "--json", js2])
    kinds = [f["kind"] for f in json.load(open(js2))["findings"]] if os.path.exists(js2) else []
    s.check("check lint: two independent cycles are two findings", r.returncode == 1 and kinds.count("cycle") == 2, r.stdout)

    x = h.make_tensor_value_info("x", T.FLOAT, [2, 3])
    warn = save([h.make_node("Relu", ["x"], ["y"], name="r"), h.make_node("Tanh", ["x"], ["t"], name="t")], [x],
                [h.make_tensor_value_info("y", T.FLOAT, [2, 3])], [nh.from_array(np.zeros((2, 3), np.float32), "x")],
                os.path.join(tmp, "lint_warn.onnx"))
    r = run([xc, "check", "lint", warn])
    s.check("check lint: warnings only (shadowed initializer/input, dead node) exit 0",
            r.returncode == 0 and "[W] shadowed" in r.stdout and "[W] dead-node" in r.stdout and "0 errors, 2 warnings" in r.stdout,
            r.stdout + r.stderr)
    clean = small_model(os.path.join(tmp, "lint_clean.onnx"))
    r = run([xc, "check", "lint", clean])
    s.check("check lint: a clean model has no findings, exit 0", r.returncode == 0 and "0 errors, 0 warnings" in r.stdout,
            r.stdout + r.stderr)
    junk = os.path.join(tmp, "lint_junk.onnx")
    open(junk, "wb").write(b"\x08\x07garbage\xff\xff")
    r1, r2 = run([xc, "check", "lint", junk]), run([xc, "check", "lint", os.path.join(tmp, "absent.onnx")])
    s.check("check lint: unreadable files (not protobuf, missing) exit 2", r1.returncode == 2 and r2.returncode == 2,
            r1.stderr + r2.stderr)


def global_checks(s, xc, tmp, model):
    r = run([xc, "--version"])
    header = open(os.path.join(ROOT, "include", "crosscheck", "api.h")).read()
    m = re.search(r'#define XC_VERSION "([^"]+)"', header)
    s.check("--version prints the version of include/crosscheck/api.h", r.returncode == 0 and m and r.stdout.strip() == "crosscheck " + m.group(1),
            r.stdout + r.stderr)
    defs = run(["grep", "-rn", 'define XC_VERSION "', os.path.join(ROOT, "src"), os.path.join(ROOT, "cli"),
                os.path.join(ROOT, "include")]).stdout.splitlines()
    s.check("the version string is defined in one place", len(defs) == 1, "\n".join(defs))
    r_default = run([xc, "run", model, "--ref"])
    r_v = run([xc, "-v", "run", model, "--ref"])
    r_v2 = run([xc, "run", model, "--ref", "-v"])
    s.check("-v (before or after the command) adds info lines; the default shows none",
            "crosscheck: info:" not in r_default.stderr and "crosscheck: info:" in r_v.stderr and "crosscheck: info:" in r_v2.stderr
            and r_v.returncode == 0, r_default.stderr + r_v.stderr)
    log = os.path.join(tmp, "xc.log")
    r = run([xc, "run", model, "--ref", "--log-file", log])
    text = open(log).read() if os.path.exists(log) else ""
    s.check("--log-file receives info lines even without -v", r.returncode == 0 and "info:" in text and
            "crosscheck: info:" not in r.stderr, text + r.stderr)
    r = run([xc, "run", os.path.join(tmp, "absent.onnx"), "--ref", "--log-file", log])
    s.check("--log-file also receives errors", r.returncode == 2 and "crosscheck: error:" in open(log).read(), r.stderr)


def polygraphy_golden(s, model, tmp):
    poly = os.path.join(os.path.dirname(sys.executable), "polygraphy")
    golden, inputs = os.path.join(tmp, "golden.json"), os.path.join(tmp, "golden_inputs.json")
    r = run([poly, "run", model, "--onnxrt", "--onnx-outputs", "mark", "all", "--save-outputs", golden, "--save-inputs", inputs])
    if not s.check("polygraphy run --onnx-outputs mark all saves a golden", r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]):
        return None, None
    return golden, inputs


def mark_checks(s, xc, tmp, model):
    golden, inputs = polygraphy_golden(s, model, tmp)
    if not golden:
        return
    from polygraphy.json import load_json, save_json
    gold = load_json(golden)
    ref_vals = list(gold.values())[0][0]

    out1 = os.path.join(tmp, "mark1")
    r = run([xc, "run", model, "--ref", "--load-inputs", inputs, "--outputs", "conv*", "relu_out", "--save-outputs", out1])
    layers = sorted(t["tensor"] for t in index(out1) if t["role"] == "layer") if r.returncode == 0 else []
    s.check("--outputs 'conv*' relu_out: the glob and the name are saved (role layer), nothing else",
            layers == ["conv_out", "relu_out"], r.stdout[-1000:] + r.stderr + str(layers))
    if layers:
        c = saved(out1, "ref", "layer", "conv_out")
        s.check("marked conv_out equals onnxruntime's (Polygraphy golden)", np.allclose(c, ref_vals["conv_out"], atol=1e-5),
                str(np.abs(c - ref_vals["conv_out"]).max()))
    r = run([xc, "run", model, "--ref", "--outputs", "relu_out", "nope", "zz*"])
    s.check("--outputs with unknown names exits 2 naming every one", r.returncode == 2 and "'nope'" in r.stderr and "'zz*'" in r.stderr
            and "relu_out" not in r.stderr, r.stderr)

    js = os.path.join(tmp, "pl_golden.json")
    r = run([xc, "run", model, "--ref", "--per-layer", "--load-outputs", golden, "--load-inputs", inputs, "--json", js])
    pl = json.load(open(js)).get("per_layer", {}) if r.returncode == 0 else {}
    names = [l["layer"] for l in pl.get("layers", [])]
    s.check("--per-layer --load-outputs <Polygraphy mark-all golden>: one passing row per node against the reference",
            names == ["conv1", "relu1", "sig1", "mul1"] and pl.get("first_divergence") is None and
            all(l["verdict"] == "pass" for l in pl["layers"]), r.stdout[-3000:] + r.stderr)
    # plant a wrong intermediate: the golden's relu_out scaled (its output y left right)
    ref_vals["relu_out"] = ref_vals["relu_out"] * 1.5 + 0.1
    bad_golden = os.path.join(tmp, "golden_bad.json")
    save_json(gold, bad_golden)
    js = os.path.join(tmp, "pl_bad.json")
    r = run([xc, "run", model, "--ref", "--per-layer", "--load-outputs", bad_golden, "--load-inputs", inputs, "--json", js])
    pl = json.load(open(js)).get("per_layer", {}) if os.path.exists(js) else {}
    s.check("--per-layer against a golden with a wrong relu_out names relu1 as the first divergence",
            pl.get("first_divergence") == "relu1", r.stdout[-3000:] + r.stderr)

    gold_dir = os.path.join(tmp, "mark_all")
    r1 = run([xc, "run", model, "--ref", "--outputs", "mark", "all", "--save-outputs", gold_dir])
    r2 = run([xc, "run", model, "--ref", "--per-layer", "--load-outputs", gold_dir, "--load-inputs", gold_dir])
    rows = re.findall(r"^\s+\d+\s+(\w+)\s+saved\s", r2.stdout, re.M)
    s.check("--outputs mark all saves every intermediate; a crosscheck folder golden compares node by node",
            r1.returncode == 0 and sorted(t["tensor"] for t in index(gold_dir) if t["role"] == "layer") ==
            ["conv_out", "relu_out", "sig_out"] and r2.returncode == 0 and rows == ["conv1", "relu1", "sig1", "mul1"],
            r1.stderr + r2.stdout[-2000:] + r2.stderr)
    plain = os.path.join(tmp, "no_marks")
    run([xc, "run", model, "--ref", "--save-outputs", plain])
    r = run([xc, "run", model, "--ref", "--per-layer", "--load-outputs", plain, "--load-inputs", plain])
    s.check("--per-layer against saved results without intermediates exits 2 saying how to save them",
            r.returncode == 2 and "mark all" in r.stderr, r.stderr)
    r = run([xc, "run", model, "--ref", "--per-layer=isolated", "--load-outputs", gold_dir])
    s.check("--per-layer=isolated with saved results alone is a usage error", r.returncode == 2 and "isolated" in r.stderr, r.stderr)


def engine_checks(s, xc, tmp, model):
    out2, log = os.path.join(tmp, "mark_ocl"), os.path.join(tmp, "ocl.log")
    r = run([xc, "run", model, "--ref", "--ocl", "--outputs", "mark", "all", "--save-outputs", out2, "-q", "--log-file", log])
    text = open(log).read() if os.path.exists(log) else ""
    ocl_layers = sorted(t["tensor"] for t in index(out2) if t["role"] == "layer" and t["runner"] == "ocl") if r.returncode == 0 else []
    s.check("--ocl --outputs mark all: the engine saves what it materializes (relu_out, a fused group's output)",
            ocl_layers == ["relu_out"], r.stderr + str(ocl_layers))
    s.check("a marked tensor inside a fused layer is reported with its layer and the --no-fuse-node that keeps it",
            re.search(r"'conv_out' is not materialized: it stays inside fused layer 'conv1 \+ relu1'.*--no-fuse-node conv1", text)
            is not None, text)
    s.check("-q keeps that warning off stderr; --log-file still records it", "warning" not in r.stderr and "warning" in text,
            r.stderr)
    out3 = os.path.join(tmp, "mark_ocl_nofuse")
    r = run([xc, "run", model, "--ref", "--ocl", "--no-fuse-node", "conv1", "--outputs", "conv_out", "--save-outputs", out3])
    a, b = (saved(out3, k, "layer", "conv_out") for k in ("ocl", "ref")) if r.returncode == 0 else (None, None)
    s.check("with --no-fuse-node conv1 the engine's conv_out is saved and matches the reference's",
            a is not None and b is not None and np.allclose(a, b, atol=1e-4) and "warning" not in r.stderr, r.stderr)


def lint_tests(s, xc, build, tmp):
    tmp = os.path.join(tmp, "lint_tests")
    os.makedirs(tmp, exist_ok=True)
    os.environ.setdefault("CROSSCHECK_CACHE_DIR", os.path.join(os.path.abspath(build), "cl-cache"))
    lint_checks(s, xc, tmp)
    model = small_model(os.path.join(tmp, "small.onnx"))
    global_checks(s, xc, tmp, model)
    mark_checks(s, xc, tmp, model)
    engine_checks(s, xc, tmp, model)
