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
sys.path.insert(0, os.path.join(HERE, "debug"))
from test_reduce import debug_reduce  # noqa: E402
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
    s.check("run against a perturbed output -> exit 1, names the worst element [0,3]", r.returncode == 1 and "at [0,3]" in r.stdout,
            r.stdout + r.stderr)
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


def run_compare(s, xc, build, tmp):
    """`crosscheck run` as a comparison tool: runners, iterations, per-output tolerances, statistics,
    per-layer tables across fusions, isolated mode, first NaN, the memory bound, JSON, exit codes."""
    out = os.path.join(build, "run-models")
    r = run([sys.executable, os.path.join(HERE, "run", "make_run_models.py"), out])
    if not s.check("run test models generated", r.returncode == 0, r.stderr[-2000:]):
        return
    cnn = os.path.join(ROOT, "models", "small_cnn", "model.onnx")
    js = os.path.join(tmp, "run.json")

    def run_json(args, timeout=600):
        if os.path.exists(js):
            os.remove(js)
        r = run([xc, "run"] + args + ["--json", js], timeout=timeout)
        try:
            return r, json.load(open(js))
        except Exception:
            return r, None

    # per-layer across fusions: every ONNX node is covered by exactly one compared layer
    import onnx
    r, j = run_json([cnn, "--ref", "--ocl", "--per-layer", "--iterations", "3", "--first-nan"])
    nodes = [n.name for n in onnx.load(cnn).graph.node]
    ok = r.returncode == 0 and j is not None
    if ok:
        pl = j["per_layer"]
        covered = [n for L in pl["layers"] for n in L["nodes"]]
        fused = [L for L in pl["layers"] if len(L["nodes"]) > 1]
        ok = (sorted(covered) == sorted(nodes) and fused and pl["first_divergence"] is None and
              all(L["verdict"] in ("pass", "near") and L["tensors"] for L in pl["layers"]) and
              len(j["per_layer_all"]) == 3 and [c["iteration"] for c in j["comparisons"]] == [0, 1, 2])
    s.check("run --per-layer on small_cnn: fused groups compared at their boundary, every node covered once, 3 iterations",
            ok, (r.stdout[-2000:] + r.stderr) if r else "")
    ok = j is not None and "first divergent" not in r.stdout and "no layer exceeds its tolerance" in r.stdout and "tactic" in r.stdout
    s.check("per-layer table printed with tactic column and no divergence", ok, r.stdout[-1500:])
    # iterations use different inputs: outputs differ between iterations
    d = os.path.join(tmp, "iters")
    r1 = run([xc, "run", cnn, "--ref", "--seed", "5", "--save-outputs", d + "a"])
    r2 = run([xc, "run", cnn, "--ref", "--seed", "6", "--save-outputs", d + "b"])
    same = r1.returncode == 0 and r2.returncode == 0 and \
        open(os.path.join(d + "a", "output_0.pb"), "rb").read() == open(os.path.join(d + "b", "output_0.pb"), "rb").read()
    s.check("--seed changes the generated inputs (iteration i uses seed+i)", r1.returncode == 0 and not same, r1.stderr + r2.stderr)

    # NaN: the reference's first NaN is the Sqrt; the engine's is the fused group holding it
    nan = os.path.join(out, "nan_chain", "model.onnx")
    r, j = run_json([nan, "--ref", "--ocl", "--first-nan", "--per-layer"])
    ok = j is not None and r.returncode == 0
    if ok:
        fn = {x["name"]: x["first_nan"][0] for x in j["runners"]}
        ok = fn["ref"]["found"] and fn["ref"]["layer"] == "sqrt" and fn["ref"]["tensor"] == "s" and \
            fn["ocl"]["found"] and "sqrt" in fn["ocl"]["layer"].split(" + ") and fn["ocl"]["tensor"] == "s"
    s.check("--first-nan names the Sqrt on the reference and the fused layer holding it on the engine", ok,
            r.stdout[-1500:] + r.stderr)
    r = run([xc, "run", nan, "--ref", "--ocl", "--validate"])
    s.check("--validate fails outputs holding NaN -> exit 1", r.returncode == 1 and "hold NaN" in r.stdout, r.stdout[-800:])
    r = run([xc, "run", nan, "--ref", "--ocl", "--validate", "--val-range", "x:[0.6,1]"])
    s.check("--val-range keeps the Sqrt real: --validate passes", r.returncode == 0, r.stdout[-800:] + r.stderr)

    # the memory bound: 40 MiB of activations, per-layer completes within 12 MiB of live tensors
    chain = os.path.join(out, "long_chain", "model.onnx")
    r, j = run_json([chain, "--ref", "--ocl", "--per-layer", "--memory-limit", "12M"])
    ok = r.returncode == 0 and j is not None and len(j["per_layer"]["layers"]) == 40 and j["peak_tensor_bytes"] <= 12 << 20
    s.check("per-layer on a model whose activations (40 MiB) exceed --memory-limit 12M completes", ok,
            r.stdout[-800:] + r.stderr[-800:])
    r = run([xc, "run", chain, "--ref", "--ocl", "--per-layer", "--memory-limit", "2M"])
    s.check("--memory-limit below the live set -> exit 2 naming the limit", r.returncode == 2 and "--memory-limit" in r.stderr,
            r.stderr)

    # per-output tolerances: 'big' (x1000) fails Polygraphy's 1e-5 under fp16; a named atol fixes only it
    two = os.path.join(out, "two_outputs", "model.onnx")
    base = [two, "--ref", "--ocl-fp16", "--tolerance-preset", "polygraphy"]
    r, j = run_json(base)
    s.check("fp16 engine fails Polygraphy's default tolerances -> exit 1", r.returncode == 1 and j and not j["passed"],
            r.stdout[-800:])
    r, j = run_json(base + ["--atol", "small:0.05", "--rtol", "small:0.05", "--atol", "big:50", "--rtol", "big:0.05"])
    ok = r.returncode == 0 and j and {o["name"]: o["atol"] for o in j["comparisons"][0]["outputs"]} == {"small": 0.05, "big": 50}
    s.check("per-output --atol/--rtol NAME:X apply to their output only -> exit 0", ok, r.stdout[-1200:])
    r, j = run_json(base + ["--check-error-stat", "median", "--atol", "0.05", "--rtol", "0.05"])
    ok = j and all(o["check_error_stat"] == "median" for o in j["comparisons"][0]["outputs"])
    s.check("--check-error-stat median is recorded and applied", ok and r.returncode in (0, 1), r.stdout[-800:])
    r, j = run_json([two, "--ref", "--ocl-fp16"])
    s.check("dtype-aware default tolerances pass an honest fp16 engine", r.returncode == 0, r.stdout[-1200:])
    r, j = run_json([two, "--ref", "--ocl", "--ocl-fp16", "--compare-to", "ocl", "--fail-fast", "--iterations", "3",
                     "--tolerance-preset", "polygraphy"])
    ok = r.returncode == 1 and j and j["compare_to"] == "ocl" and j["iterations"] == 1 and \
        {(c["runner"], c["against"]) for c in j["comparisons"]} == {("ref", "ocl"), ("ocl-fp16", "ocl")}
    s.check("--compare-to ocl compares the others with it; --fail-fast stops after the failing iteration", ok,
            r.stdout[-800:] + r.stderr)
    if j:
        o = j["comparisons"][-1]["outputs"][0]
        ok = all(k in o for k in ("nmse", "cosine", "max_ulp", "min_atol", "min_rtol", "abs_histogram", "worst")) and \
            len(o["worst"]["index"]) == 4 and len(o["abs_histogram"]) == 10
        s.check("JSON comparison holds NMSE, cosine, max ULP, histogram, worst coordinates", ok, json.dumps(o)[:800])

    # a deliberately perturbed layer (fault injection): accumulated mode names it as the first
    # divergence; isolated mode names exactly the perturbed layers, even two of them in one run
    r, j = run_json([cnn, "--ref", "--ocl", "--per-layer", "--inject-fault", "node=block_conv1:bias=0.01"])
    ok = r.returncode == 1 and j and j["per_layer"]["first_divergence"] and \
        "block_conv1" in j["per_layer"]["first_divergence"].split(" + ") and "first divergent layer: #1" in r.stdout
    s.check("per-layer names the perturbed layer as the first divergence (exit 1)", ok, r.stdout[-2500:] + r.stderr)
    r, j = run_json([cnn, "--ref", "--ocl", "--per-layer=isolated", "--inject-fault", "node=block_conv1:bias=0.01",
                     "--inject-fault", "node=fc:scale=1.01"])
    failed = [L["nodes"] for L in j["per_layer"]["layers"] if L["verdict"] == "fail"] if j else None
    ok = r.returncode == 1 and j and j["per_layer"]["mode"] == "isolated" and len(failed) == 2 and \
        "block_conv1" in failed[0] and failed[1] == ["fc"]
    s.check("per-layer=isolated names exactly the two perturbed layers in one run", ok,
            "failed layers: %s\n%s%s" % (failed, r.stdout[-2500:], r.stderr))

    # exit codes for usage errors
    for args, what in (([cnn, "--ref", "--compare-to", "nope"], "nope"), ([cnn, "--ref", "--per-layer"], "--per-layer"),
                       ([cnn, "--ref", "--atol", "x:abc"], "abc"), ([cnn, "--ref", "--iterations", "0"], "--iterations"),
                       ([cnn, "--ref", "--val-range", "[2,1]"], "val-range"), ([cnn, "--ref", "--check-error-stat", "avg"], "avg")):
        r = run([xc, "run"] + args)
        s.check("run %s -> exit 2, one line naming it" % " ".join(args[1:]),
                r.returncode == 2 and what in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr)


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


def fault_injection(s, xc, models, tmp):
    """--inject-fault: every KIND and EFFECT breaks the planted layer (exit 1) and is announced; a
    spec hitting nothing is reported by name and passes; bad specs exit 2; partial replay files,
    baseline pins and --no-fuse-node behave as the debug tools need."""
    model = os.path.join(models, "resnet.onnx")
    tol = ["--rtol", "1e-3", "--atol", "1e-4"]
    pin = os.path.join(tmp, "pin_b1.json")  # a partial replay file: one layer pinned, the rest tuned
    base = os.path.join(tmp, "pin_b1_base.json")
    layer = "b1_conv1 + b1_conv1_bn + b1_conv1_relu"
    json.dump({"format": "crosscheck-tactics-1", "layers": [{"name": layer, "tactic": "conv2d.winograd_f2x2_3x3.4"}]}, open(pin, "w"))
    json.dump({"format": "crosscheck-tactics-1", "layers": [{"name": layer, "tactic": "conv2d.direct"}]}, open(base, "w"))
    group = ["--no-fuse-node", "b0_conv2", "--no-fuse-node", "b0_conv2_bn", "--no-fuse-node", "b0_add", "--no-fuse-node", "b0_relu"]
    cases = [  # (label, extra args, expected exit, text expected on stderr)
        ("op=Gemm:scale=2", [], 1, "FAULT INJECTION ON"),
        ("node=b2_conv1", [], 1, "FAULT INJECTION ON: 'node=b2_conv1' perturbs 1 layer"),
        ("tactic=gemm*:nan", [], 1, "FAULT INJECTION ON"),
        ("node-tactic=b1_conv1:element", ["--load-tactics", pin], 1, "perturbs 1 layer"),
        ("node-tactic=b1_conv1:element", ["--load-tactics", base], 0, "matches no layer"),
        ("fusion=conv_residual", [], 1, "perturbs 8 layers"),
        ("fusion=conv_residual", ["--no-fusion"], 0, "'fusion=conv_residual' matches no layer"),
        ("node-fusion=b0_add:bias=0.5", [], 1, "perturbs 1 layer"),
        ("node-fusion=b0_add:bias=0.5", group, 0, "matches no layer"),
        ("node=no_such_node", [], 0, "'node=no_such_node' matches no layer"),
    ]
    for spec, extra, want, text in cases:
        r = run([xc, "run", model, "--ref", "--ocl", "--inject-fault", spec] + tol + extra, timeout=600)
        shown = " ".join(os.path.basename(a) for a in extra[:2])
        s.check("--inject-fault %s %s -> exit %d" % (spec, shown, want), r.returncode == want and text in r.stderr,
                "exit %d\n%s%s" % (r.returncode, r.stdout[-600:], r.stderr[-600:]))
    env = dict(os.environ, CROSSCHECK_INJECT_FAULT="node=nope;node=fc:element")
    r = run([xc, "run", model, "--ref", "--ocl"] + tol, env=env, timeout=600)
    s.check("CROSSCHECK_INJECT_FAULT: specs split on ';', each announced or reported",
            r.returncode == 1 and "'node=nope' matches no layer" in r.stderr and "'node=fc:element' perturbs" in r.stderr, r.stderr)
    plan = os.path.join(tmp, "faulty.plan")
    r = run([xc, "build", model, "-o", plan, "--inject-fault", "node=fc"] + group, timeout=600)
    try:
        p = json.load(open(plan))
        names = [l["name"] for l in p["layers"]]
        ok = p.get("fault_injection") == ["node=fc"] and any(l.get("fault") == "node=fc" for l in p["layers"]) and \
            "b0_conv2" in names and "b0_add" in names and "FAULT INJECTION" in r.stdout
    except Exception as ex:
        ok, names = False, str(ex)
    s.check("the plan and the engine table announce the fault; --no-fuse-node leaves a group's nodes as separate layers", ok,
            "%s\n%s" % (names, r.stderr))
    r = run([xc, "run", model, "--ref", "--ocl"] + group + tol, timeout=600)
    s.check("the unfused engine still agrees with the reference", r.returncode == 0, r.stdout[-800:] + r.stderr)
    for bad in ("bogus=x", "node=a:bias=zz", "node="):
        r = run([xc, "run", model, "--ref", "--ocl", "--inject-fault", bad])
        s.check("--inject-fault '%s' -> exit 2, one line" % bad, r.returncode == 2 and r.stderr.count("\n") == 1 and bad in r.stderr, r.stderr)
    r = run([xc, "run", model, "--ocl", "--no-fuse-node", "nope"])
    s.check("--no-fuse-node naming no node -> exit 2", r.returncode == 2 and "nope" in r.stderr, r.stderr)
    typo = os.path.join(tmp, "typo.json")
    json.dump({"format": "crosscheck-tactics-1", "layers": [{"name": "b1_conv1", "tactic": "conv2d.direct"}]}, open(typo, "w"))
    r = run([xc, "run", model, "--ocl", "--load-tactics", typo])
    s.check("a replay file naming a layer the engine lacks -> exit 2 naming it", r.returncode == 2 and "'b1_conv1'" in r.stderr, r.stderr)


def debug_run(xc, args):
    r = run([xc, "debug"] + args, timeout=900)
    checks = len(re.findall(r"^\[debug \w+\] check \d+:", r.stdout, re.M))
    verdict = r.stdout[r.stdout.find("verdict"):]
    return r, checks, verdict


def fix_command(out):
    """The last 'and the fix:' command the tool printed, as an argv."""
    import shlex
    lines = out.splitlines()
    k = [i for i, l in enumerate(lines) if l.startswith("and the fix:")]
    return shlex.split(lines[k[-1] + 1]) if k else []


def debug_tools(s, xc, build, tmp):
    """debug tactics|fusions|precision find planted faults (and a real fp16 overflow) on a 64-node
    ResNet-like CNN and a 2-block transformer within 2*ceil(log2 N)+4 checks, write files that fix
    the build, and give the same verdict when run again."""
    import math
    models = os.path.join(build, "debug-models")
    r = run([sys.executable, os.path.join(HERE, "debug", "make_models.py"), models])
    if not s.check("debug test models generated", r.returncode == 0, r.stderr[-2000:]):
        return
    fault_injection(s, xc, models, tmp)
    resnet, transformer, overflow = (os.path.join(models, m + ".onnx") for m in ("resnet", "transformer", "overflow"))
    tol = ["--rtol", "1e-3", "--atol", "1e-4"]

    def n_layers(model, extra):
        plan = os.path.join(tmp, "count.plan")
        run([xc, "build", model, "-o", plan] + extra, timeout=600)
        try:
            return len(json.load(open(plan))["layers"])
        except Exception:
            return 1

    def bound(model, extra):
        return 2 * math.ceil(math.log2(max(n_layers(model, extra), 2))) + 4

    # tactics: the planted layer is pinned to a non-baseline tactic by a partial replay file
    pin = os.path.join(tmp, "pin_b5.json")
    layer = "b5_conv2 + b5_conv2_bn + b5_add + b5_relu"
    json.dump({"format": "crosscheck-tactics-1", "layers": [{"name": layer, "tactic": "conv2d.winograd_f2x2_3x3.4"}]}, open(pin, "w"))
    fixed = os.path.join(tmp, "fixed_tactics.json")
    args = ["tactics", resnet, "--inject-fault", "node-tactic=b5_conv2", "--load-tactics", pin, "--timing-cache",
            os.path.join(tmp, "debug_cache.json"), "-o", fixed, "--iterations", "2", "--artifacts-dir", os.path.join(tmp, "art")] + tol
    r, checks, verdict = debug_run(xc, args)
    want = "layer '%s' (nodes b5_conv2, b5_conv2_bn, b5_add, b5_relu) with tactic conv2d.winograd_f2x2_3x3.4 is wrong; " \
           "tactic conv2d.direct (baseline) is right" % layer
    b = bound(resnet, [])
    s.check("debug tactics names the planted layer and tactic in %d checks (bound %d)" % (checks, b),
            r.returncode == 0 and want in verdict and checks <= b, r.stdout[-3000:] + r.stderr[-1000:])
    arts = os.listdir(os.path.join(tmp, "art")) if os.path.isdir(os.path.join(tmp, "art")) else []
    s.check("debug tactics keeps every check's replay file in --artifacts-dir", len([a for a in arts if a.endswith("tactics.json")]) == checks - 1,
            str(arts))
    fix = fix_command(r.stdout)
    r2 = run([xc] + fix[1:]) if fix else None
    s.check("the replay file debug tactics wrote makes its reproducing command pass", bool(fix) and fix[-1] == fixed and r2.returncode == 0,
            " ".join(fix) + "\n" + (r2.stdout[-800:] + r2.stderr[-800:] if r2 else ""))
    r3, _, verdict3 = debug_run(xc, args)
    s.check("debug tactics: a second run gives the same verdict", r3.returncode == 0 and verdict3 == verdict, verdict + "\n---\n" + verdict3)
    r, checks, verdict = debug_run(xc, ["tactics", resnet, "--inject-fault", "node=b2_conv1"] + tol)
    s.check("debug tactics on a fault no tactic explains -> exit 1, says so", r.returncode == 1 and "not a tactic problem" in r.stdout,
            r.stdout[-2000:])
    r, checks, verdict = debug_run(xc, ["tactics", resnet] + tol)
    s.check("debug tactics on a passing build -> exit 0, nothing to debug", r.returncode == 0 and "nothing to debug" in r.stdout and checks == 1,
            r.stdout[-2000:])

    # fusions: a CNN group (three passes formed it) and a transformer MatMul+bias+GELU group
    for model, spec, node, group, passes in (
            (resnet, "node-fusion=b3_conv2_bn", "b3_conv2", "b3_conv2 + b3_conv2_bn + b3_add + b3_relu", "fold_batchnorm+conv_residual+conv_bias_act"),
            (transformer, "node-fusion=l0_fc1", "l0_fc1", None, "gemm_bias_act")):
        args = ["fusions", model, "--inject-fault", spec] + tol
        r, checks, verdict = debug_run(xc, args)
        b = bound(model, [])
        named = ("fused group '%s'" % group if group else "fused group '%s + " % node) in verdict and "pass %s)" % passes in verdict
        s.check("debug fusions names the group of %s and its passes in %d checks (bound %d)" % (node, checks, b),
                r.returncode == 0 and named and checks <= b and verdict.count("fused group") == 1, r.stdout[-3000:] + r.stderr[-1000:])
        fix = fix_command(r.stdout)
        r2 = run([xc] + fix[1:]) if fix else None
        s.check("debug fusions: its --no-fuse-node command passes", bool(fix) and "--no-fuse-node" in fix and r2.returncode == 0,
                " ".join(fix) + "\n" + (r2.stdout[-800:] + r2.stderr[-800:] if r2 else ""))
        r3, _, verdict3 = debug_run(xc, args)
        s.check("debug fusions: a second run gives the same verdict", verdict3 == verdict, verdict + "\n---\n" + verdict3)
    r, checks, verdict = debug_run(xc, ["fusions", transformer, "--inject-fault", "fusion=layernorm_subgraph:element"] + tol)
    s.check("debug fusions: every LayerNorm group found, and --disable-fusion layernorm_subgraph alone fixes it",
            r.returncode == 0 and verdict.count("fused group") == 4 and "--disable-fusion layernorm_subgraph alone fixes it" in verdict,
            r.stdout[-3000:])

    # precision: a real fp16 overflow (h * 1e6 before a LayerNorm): the Mul and the LayerNorm must stay fp32
    ftol = ["--rtol", "3e-2", "--atol", "3e-2"]
    out = os.path.join(tmp, "precision.json")
    for extra in ([], ["--mode", "linear", "--direction", "reverse"]):
        args = ["precision", overflow, "--fp16", "-o", out] + ftol + extra
        r, checks, verdict = debug_run(xc, args)
        b = bound(overflow, ["--fp16"])
        named = "layer 'blow_up' (nodes blow_up) must stay in fp32" in verdict and "layer 'l1_ln2_mean + " in verdict
        ok_count = checks <= b if not extra else True
        s.check("debug precision %s names the overflowing Mul and the LayerNorm after it (%d checks)" % (" ".join(extra) or "bisect", checks),
                r.returncode == 0 and named and ok_count and verdict.count("must stay in fp32") == 2, r.stdout[-3000:] + r.stderr[-1000:])
        r2 = run([xc, "run", overflow, "--ref", "--ocl", "--fp16", "--layer-precision-file", out] + ftol)
        s.check("the precision file it wrote makes the fp16 build pass", r2.returncode == 0, r2.stdout[-800:] + r2.stderr[-800:])
    r2 = run([xc, "run", overflow, "--ref", "--ocl", "--fp16"] + ftol)
    s.check("(and without it the fp16 build fails)", r2.returncode == 1, r2.stdout[-800:])
    r, _, _ = debug_run(xc, ["precision", overflow] + ftol)
    s.check("debug precision without --fp16 -> exit 2", r.returncode == 2 and "--fp16" in r.stderr, r.stderr)
    r, _, _ = debug_run(xc, ["nope", overflow])
    s.check("debug with an unknown tool -> exit 2", r.returncode == 2, r.stderr)


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
        ocl_cli(s, xc, args.build, tmp)
        run_compare(s, xc, args.build, tmp)
        ocl_cases(s, xc, args.build, args.quick_ocl)
        debug_tools(s, xc, args.build, tmp)
        debug_reduce(s, xc, args.build, tmp)
        if not args.skip_conformance:
            conformance(s, xc, args.conf, os.path.join(args.build, "conformance.json"))
            if not args.quick_ocl:
                conformance_ocl(s, xc, args.conf)
    print("%d passed, %d failed" % (s.passed, s.failed))
    sys.exit(1 if s.failed else 0)


if __name__ == "__main__":
    main()
