#!/usr/bin/env python3
"""crosscheck's test driver (`make test`): unit tests, round-trip checks with python onnx, the
hostile-model battery, CLI behaviour (exit codes, files), the demo models, and the ONNX
conformance suite on the reference. Prints one line per check and ends with
'N passed, N failed' (conformance cases count one each)."""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


class Suite:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        print("%s %s%s" % ("ok  " if ok else "FAIL", name, "" if ok or not detail else "\n      " + detail.strip().replace("\n", "\n      ")))
        sys.stdout.flush()
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        return ok


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def summary_counts(text):
    m = re.findall(r"^(\d+) passed, (\d+) failed", text, re.M)
    return (int(m[-1][0]), int(m[-1][1])) if m else (0, 1)


def unit_tests(s, xc_build, fixtures):
    r = run([sys.executable, os.path.join(HERE, "make_fixtures.py"), fixtures])
    if not s.check("fixtures generated", r.returncode == 0, r.stderr):
        return
    r = run([os.path.join(xc_build, "unit_tests"), "--fixtures", fixtures])
    for line in r.stdout.splitlines():
        if line.startswith("FAIL "):
            print("FAIL unit:" + line[5:])
    passed, failed = summary_counts(r.stdout)
    print(r.stderr, end="")
    s.passed += passed
    s.failed += failed
    s.check("unit test binary exits cleanly", r.returncode in (0, 1) and failed == 0, r.stderr[-2000:])
    roundtrip_check(s, fixtures)


def roundtrip_check(s, fixtures):
    """The saved model keeps unknown fields and is semantically identical (python onnx view)."""
    import onnx
    from onnx import numpy_helper
    import numpy as np
    src, dst = os.path.join(fixtures, "roundtrip.onnx"), os.path.join(fixtures, "roundtrip_saved.onnx")
    if not s.check("round-trip file written", os.path.exists(dst)):
        return
    a, b = open(src, "rb").read(), open(dst, "rb").read()
    marker = bytes([0xC0, 0x3E, 0x2A])
    s.check("round trip keeps unknown fields (model, graph, node)", b.count(marker) == a.count(marker) == 3)
    ma, mb = onnx.load_from_string(a), onnx.load_from_string(b)
    try:
        onnx.checker.check_model(mb)
        checker_ok, msg = True, ""
    except Exception as e:  # the custom-domain node is allowed; anything else is a bug
        checker_ok, msg = "com.example" in str(e) or "Everything" in str(e), str(e)
    s.check("saved model passes onnx.checker", checker_ok, msg)

    def norm(model):
        inits = {t.name: numpy_helper.to_array(t).tolist() for t in model.graph.initializer}
        nodes = []
        for n in model.graph.node:
            attrs = {}
            for at in n.attribute:
                v = onnx.helper.get_attribute_value(at)
                if isinstance(v, onnx.TensorProto):
                    v = numpy_helper.to_array(v).tolist()
                elif isinstance(v, onnx.GraphProto):
                    v = [x.op_type for x in v.node]
                elif isinstance(v, list) and v and isinstance(v[0], onnx.TensorProto):
                    v = [numpy_helper.to_array(x).tolist() for x in v]
                attrs[at.name] = v
            nodes.append((n.name, n.op_type, n.domain, list(n.input), list(n.output), attrs, n.doc_string))
        return (inits, nodes, [(p.key, p.value) for p in model.metadata_props], model.doc_string,
                str(model.graph.input), str(model.graph.output), str(model.graph.value_info), model.producer_name,
                [(o.domain, o.version) for o in model.opset_import])
    s.check("round trip is semantically identical", norm(ma) == norm(mb))


def bad_models(s, xc, out):
    r = run([sys.executable, os.path.join(HERE, "bad_models", "make_bad_models.py"), out])
    if not s.check("bad models generated", r.returncode == 0, r.stderr):
        return
    manifest = json.load(open(os.path.join(out, "manifest.json")))
    for name, expect in sorted(manifest.items()):
        path = os.path.join(out, name, "model.onnx")
        for cmd in (["inspect", "model", path], ["run", path, "--ref"]):
            try:
                r = run([xc] + cmd, timeout=60)
            except subprocess.TimeoutExpired:
                s.check("bad model %s (%s): no hang" % (name, cmd[0]), False)
                continue
            lines = r.stderr.strip().splitlines()
            ok = r.returncode == 2 and len(lines) == 1 and expect in lines[0] and "Sanitizer" not in r.stderr
            s.check("bad model %s (%s) -> exit 2, one-line error" % (name, cmd[0]), ok,
                    "exit %d, stderr: %s" % (r.returncode, r.stderr[-1500:]))


def cli_tests(s, xc, conf, tmp):
    case = os.path.join(conf, "node", "test_constant")
    model, ds = os.path.join(case, "model.onnx"), os.path.join(case, "test_data_set_0")
    r = run([xc, "run", model, "--ref", "--load-outputs", ds])
    s.check("run --load-outputs matching -> exit 0", r.returncode == 0 and "PASSED" in r.stdout, r.stdout + r.stderr)
    # a perturbed expected output must fail with exit 1
    import numpy as np
    from onnx import numpy_helper
    import onnx
    t = onnx.load_tensor(os.path.join(ds, "output_0.pb"))
    arr = numpy_helper.to_array(t).copy()
    arr.flat[3] += 0.5
    bad = os.path.join(tmp, "perturbed.pb")
    onnx.save_tensor(numpy_helper.from_array(arr, t.name), bad)
    r = run([xc, "run", model, "--ref", "--load-outputs", bad])
    s.check("run against a perturbed output -> exit 1, names worst index 3", r.returncode == 1 and "index 3" in r.stdout, r.stdout + r.stderr)
    r = run([xc, "run", model, "--ref", "--load-outputs", bad, "--atol", "0.6"])
    s.check("run --atol loose enough -> exit 0", r.returncode == 0, r.stdout + r.stderr)
    r = run([xc, "run", model, "--bogus"])
    s.check("unknown option -> exit 2", r.returncode == 2 and "unknown option" in r.stderr, r.stderr)
    r = run([xc, "run", os.path.join(tmp, "missing.onnx")])
    s.check("missing model -> exit 2 naming the file", r.returncode == 2 and "missing.onnx" in r.stderr, r.stderr)
    r = run([xc, "frobnicate"])
    s.check("unknown command -> exit 2", r.returncode == 2, r.stderr)
    for cmd in (["--help"], ["run", "--help"], ["inspect", "--help"], ["conformance", "--help"]):
        r = run([xc] + cmd)
        s.check("%s -> usage text, exit 0" % " ".join(cmd), r.returncode == 0 and "usage" in r.stdout, r.stderr)
    saved = os.path.join(tmp, "saved")
    r = run([xc, "run", model, "--ref", "--save-outputs", saved])
    r2 = run([xc, "run", model, "--ref", "--load-outputs", saved])
    idx = json.load(open(os.path.join(saved, "index.json"))) if os.path.exists(os.path.join(saved, "index.json")) else {}
    s.check("--save-outputs then --load-outputs round trip", r.returncode == 0 and r2.returncode == 0 and
            idx.get("tensors", [{}])[0].get("tensor") == "values", r.stderr + r2.stderr)
    r = run([xc, "inspect", "model", model, "--json"])
    try:
        j = json.loads(r.stdout)
        ok = j["ops"] == {"Constant": 1} and j["outputs"][0]["shape"] == [5, 5] and j["unsupported"] == []
    except Exception as e:
        ok = False
    s.check("inspect model --json", ok, r.stdout[-1000:] + r.stderr)


def demo_models(s, xc):
    """The shipped models agree with onnx's reference evaluator (their test_data_set_0)."""
    mdir = os.path.join(ROOT, "models")
    for name in sorted(os.listdir(mdir)):
        case = os.path.join(mdir, name)
        if not os.path.exists(os.path.join(case, "model.onnx")):
            continue
        ds = os.path.join(case, "test_data_set_0")
        r = run([xc, "run", os.path.join(case, "model.onnx"), "--ref", "--load-inputs", ds, "--load-outputs", ds,
                 "--rtol", "1e-4", "--atol", "1e-5"], timeout=600)
        s.check("demo model %s matches onnx's reference evaluator" % name, r.returncode == 0, r.stdout[-800:] + r.stderr[-800:])


def graph_command(s, xc, tmp):
    """`crosscheck graph`: DOT structure, engine clusters, overlays, --around, formats, size, errors."""
    sys.path.insert(0, os.path.join(HERE, "graph"))
    import graph_checks
    graph_checks.graph_tests(s, xc, tmp)


def ocl_cases(s, xc, build, quick):
    """Every OpenCL layer kind, tactic and fusion against the reference (tests/ocl_cases), fp32 with
    canaries guarding every buffer, fp16 storage, and with fusion off (quick: fp32 only)."""
    out = os.path.join(build, "ocl-cases")
    r = run([sys.executable, os.path.join(HERE, "ocl_cases", "make_cases.py"), out])
    if not s.check("OpenCL test models generated", r.returncode == 0, r.stderr[-3000:]):
        return
    canary = dict(os.environ, CROSSCHECK_OCL_CANARY="1")
    for name in sorted(os.listdir(out)):
        model = os.path.join(out, name, "model.onnx")
        tol = json.load(open(os.path.join(out, name, "tol.json")))
        fp32 = ["--rtol", str(tol.get("rtol", 1e-3)), "--atol", str(tol.get("atol", 1e-4))]
        fp16 = ["--rtol", str(tol.get("fp16_rtol", 2e-2)), "--atol", str(tol.get("fp16_atol", 2e-2))]
        variants = (("fp32", fp32, canary), ("fp16", ["--fp16"] + fp16, None), ("unfused", ["--no-fusion"] + fp32, None))
        for label, extra, env in variants[:1] if quick else variants:
            r = run([xc, "run", model, "--ref", "--ocl", "--timing-iterations", "2"] + extra, env=env, timeout=600)
            s.check("ocl %s %s" % (name, label), r.returncode == 0, r.stdout[-1500:] + r.stderr[-1500:])


def ocl_cli(s, xc, build, tmp):
    """Plans, the timing cache, tactic replay, fallback and device errors, on the demo models."""
    for name in ("small_cnn", "small_transformer"):
        model = os.path.join(ROOT, "models", name, "model.onnx")
        r = run([xc, "run", model, "--ref", "--ocl", "--rtol", "1e-3", "--atol", "1e-4"], timeout=600)
        s.check("demo %s: OpenCL engine agrees with the reference" % name, r.returncode == 0, r.stdout[-1500:] + r.stderr[-1500:])
        r = run([xc, "run", model, "--ref", "--ocl", "--fp16", "--rtol", "3e-2", "--atol", "3e-2"], timeout=600)
        s.check("demo %s: fp16 engine within fp16 tolerance" % name, r.returncode == 0, r.stdout[-1500:] + r.stderr[-1500:])
        r = run([xc, "run", model, "--ref", "--ocl", "--queues", "3", "--rtol", "1e-3", "--atol", "1e-4"], timeout=600)
        s.check("demo %s: three queues give the same answer" % name, r.returncode == 0, r.stdout[-1500:] + r.stderr[-1500:])
    model = os.path.join(ROOT, "models", "small_cnn", "model.onnx")
    plan, cache, tactics = (os.path.join(tmp, f) for f in ("cnn.plan", "cache.json", "tactics.json"))
    r1 = run([xc, "build", model, "-o", plan, "--timing-cache", cache, "--save-tactics", tactics], timeout=600)
    r2 = run([xc, "build", model, "-o", plan + "2", "--timing-cache", cache], timeout=600)
    try:
        timed = json.load(open(plan))["timed_layers"], json.load(open(plan + "2"))["timed_layers"]
    except Exception:
        timed = (None, None)
    s.check("build writes a plan; a second build with the timing cache times nothing",
            r1.returncode == 0 and r2.returncode == 0 and timed[1] == 0, "timed layers %s\n%s%s" % (timed, r1.stderr, r2.stderr))
    outs = []
    for k in range(2):
        d = os.path.join(tmp, "plan_out%d" % k)
        r = run([xc, "run", model, "--plan", plan, "--save-outputs", d], timeout=600)
        outs.append(open(os.path.join(d, "output_0.pb"), "rb").read() if r.returncode == 0 else b"")
    s.check("an engine loaded from a plan gives bit-identical outputs run after run", outs[0] and outs[0] == outs[1])
    d = os.path.join(tmp, "replay_out")
    r = run([xc, "run", model, "--ocl", "--load-tactics", tactics, "--save-outputs", d], timeout=600)
    same = r.returncode == 0 and open(os.path.join(d, "output_0.pb"), "rb").read() == outs[0]
    s.check("--load-tactics replays the build exactly (same outputs as the plan)", same, r.stderr)
    r = run([xc, "run", plan + "-missing", "--ocl"])
    s.check("missing model -> exit 2", r.returncode == 2)
    r = run([xc, "run", model, "--ocl", "--ocl-device", "no-such-device"])
    s.check("unknown --ocl-device -> exit 2 naming it", r.returncode == 2 and "no-such-device" in r.stderr, r.stderr)
    r = run([xc, "run", model, "--ocl", "--disable-fusion", "nope"])
    s.check("unknown --disable-fusion pass -> exit 2", r.returncode == 2 and "nope" in r.stderr, r.stderr)
    r = run([xc, "inspect", "devices"])
    s.check("inspect devices lists a device", r.returncode == 0 and "[0]" in r.stdout, r.stderr)
    cumsum = os.path.join(ROOT, "build", "onnx-tests", "node", "test_cumsum_2d_axis_0", "model.onnx")
    if os.path.exists(cumsum):
        r = run([xc, "run", cumsum, "--ocl"])
        s.check("a node no kernel handles -> exit 2 naming it", r.returncode == 2 and "CumSum" in r.stderr, r.stderr)
        r = run([xc, "run", cumsum, "--ref", "--ocl", "--fallback-cpu"])
        s.check("--fallback-cpu runs it on the reference", r.returncode == 0, r.stdout[-800:] + r.stderr)


def conformance_ocl(s, xc, conf):
    r = run([xc, "conformance", os.path.join(conf, "node"), "--backend", "ocl", "--quiet"], timeout=3600)
    print(r.stdout[-4000:], end="")
    m = re.findall(r"^(\d+) passed, (\d+) failed, (\d+) skipped", r.stdout, re.M)
    s.check("conformance --backend ocl: every case the engine builds passes (%s)" % (", ".join(m[-1]) if m else "?"),
            r.returncode == 0 and bool(m), r.stderr[-2000:])


def conformance(s, xc, conf, json_out):
    roots = [os.path.join(conf, k) for k in ("node", "light", "pytorch-converted", "pytorch-operator", "simple")]
    roots = [r for r in roots if os.path.isdir(r)]
    xfail = os.path.join(HERE, "conformance", "EXPECTED_FAILURES")
    r = run([xc, "conformance"] + roots + ["--expected-failures", xfail, "--json", json_out, "--quiet"], timeout=3600)
    print(r.stdout[-20000:], end="")
    print(r.stderr[-2000:], end="")
    try:
        j = json.load(open(json_out))
    except Exception:
        s.check("conformance ran", False, r.stderr)
        return
    for c in j["cases"]:
        if c["verdict"] in ("PASS", "XFAIL"):
            s.passed += 1
        elif c["verdict"] in ("FAIL", "XPASS"):
            s.failed += 1
    s.check("conformance suite: no unexpected failure (%d passed, %d skipped, %d expected failures)" %
            (j["passed"], j["skipped"], j["expected_failures"]), r.returncode == 0, r.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--conf", default="build/onnx-tests")
    ap.add_argument("--skip-conformance", action="store_true")
    ap.add_argument("--quick-ocl", action="store_true", help="OpenCL cases in fp32 only, no OpenCL conformance (sanitizer runs)")
    args = ap.parse_args()
    xc = os.path.join(args.build, "crosscheck")
    s = Suite()
    with tempfile.TemporaryDirectory() as tmp:
        unit_tests(s, args.build, os.path.join(args.build, "fixtures"))
        bad_models(s, xc, os.path.join(args.build, "bad_models"))
        cli_tests(s, xc, args.conf, tmp)
        demo_models(s, xc)
        # kernel binaries do not depend on how crosscheck was compiled: every build dir shares them
        os.environ.setdefault("CROSSCHECK_CACHE_DIR", os.path.join(ROOT, "build", "cl-cache"))
        graph_command(s, xc, tmp)
        ocl_cli(s, xc, args.build, tmp)
        ocl_cases(s, xc, args.build, args.quick_ocl)
        if not args.skip_conformance:
            conformance(s, xc, args.conf, os.path.join(args.build, "conformance.json"))
            if not args.quick_ocl:
                conformance_ocl(s, xc, args.conf)
    print("%d passed, %d failed" % (s.passed, s.failed))
    sys.exit(1 if s.failed else 0)


if __name__ == "__main__":
    main()
