#!/usr/bin/env python3
"""crosscheck's test driver (`make test`): unit tests, round-trip checks with python onnx, the
hostile-model battery, CLI behaviour (exit codes, files), the demo models, and the ONNX
conformance suite on the reference. Prints one line per check and ends with
'N passed, N failed' (conformance cases count one each)."""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "debug"))
from test_reduce import debug_reduce  # noqa: E402
from test_attention_fusion import attention_fusion  # noqa: E402
from test_attention_mma import attention_mma  # noqa: E402
from test_attention_layout import attention_layout  # noqa: E402
sys.path.insert(0, os.path.join(HERE, "trust"))
from verdict_tests import verdict_tests  # noqa: E402
from hostile.battery import hostile_battery  # noqa: E402
from graph.large_graph_tests import large_graph_tests  # noqa: E402
from surface_tests import surface_tests  # noqa: E402
from trust.loaded_tests import loaded_tests  # noqa: E402
from lint_tests import lint_tests  # noqa: E402
from hostile.crash_tests import crash_tests  # noqa: E402
from hostile.fileio_tests import fileio_tests  # noqa: E402
from hostile.messages_tests import messages_tests  # noqa: E402
from trust.engine_act_tests import engine_act_tests  # noqa: E402
from arch.install_tests import install_tests  # noqa: E402
from arch.layers import layers  # noqa: E402
from arch.format_check import format_check  # noqa: E402
from arch.cli_options_tests import cli_options_tests, plan_open_tests  # noqa: E402
from arch.exec_runner_tests import exec_runner_tests  # noqa: E402
from test_recurrent import recurrent  # noqa: E402
from test_misc_ops import misc_ops  # noqa: E402
from test_vision_ops import vision_ops  # noqa: E402
from test_control_flow import control_flow  # noqa: E402
from test_pipeline import pipeline  # noqa: E402
from test_engine_layers import engine_layers  # noqa: E402
from test_tf32 import tf32_tests  # noqa: E402
from test_tf32_async import tf32_async_tests  # noqa: E402
from test_debug_defects import debug_defects  # noqa: E402
from test_reduce_unsupported import reduce_unsupported  # noqa: E402
from test_plugins import plugins  # noqa: E402
from test_lowbit_dtypes import lowbit_dtypes  # noqa: E402
from test_profiles import profiles  # noqa: E402
from test_sequences import sequences  # noqa: E402
from test_debug_surface import debug_surface  # noqa: E402
from test_int8_engine import int8_engine  # noqa: E402
from test_triage import triage  # noqa: E402
from test_isolate import isolate  # noqa: E402
from test_reduce_masked import reduce_masked  # noqa: E402
from test_precision_ladder import precision_ladder  # noqa: E402
from test_refit import refit  # noqa: E402
from test_fp16_math import fp16_math  # noqa: E402
from test_bf16 import bf16  # noqa: E402
from test_newops import newops  # noqa: E402
from test_strings import strings  # noqa: E402
from test_multi_device import multi_device  # noqa: E402
from test_cli_tables import cli_tables  # noqa: E402
from test_engine_recurrent import engine_recurrent  # noqa: E402
from test_fp16_trouble import fp16_trouble  # noqa: E402
from test_build_lists import build_lists  # noqa: E402
from test_caps import caps_tests  # noqa: E402
from test_splitk_mma import splitk_mma  # noqa: E402
from test_gemm_residual import gemm_residual  # noqa: E402
from test_gemm_horizontal import gemm_horizontal  # noqa: E402
from test_wgmma import wgmma_tests  # noqa: E402
from test_vec4_epilogue import vec4_epilogue  # noqa: E402
from test_bench_scripts import bench_scripts, kernel_dump  # noqa: E402
from test_concat_strided import concat_strided  # noqa: E402
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
def results_tests(s, xc, tmp):
    """Results sets: Polygraphy JSON import (inspect results, run --load-inputs/--load-outputs),
    hostile JSON files, and inspect results on a folder written by run --save-outputs."""
    out = os.path.join(tmp, "polygraphy")
    r = run([sys.executable, os.path.join(HERE, "results", "make_polygraphy_json.py"), out, os.path.join(ROOT, "models", "small_cnn")])
    if not s.check("polygraphy sample files generated", r.returncode == 0, r.stderr):
        return
    expected = json.load(open(os.path.join(out, "expected.json")))
    for name in ("outputs.json", "outputs_legacy.json"):
        r = run([xc, "inspect", "results", os.path.join(out, name), "--json"])
        problems = []
        try:
            got = json.loads(r.stdout)
            runners = [x["name"] for x in got["runners"]]
            if runners != list(expected):
                problems.append("runners %s" % runners)
            for runner in got["runners"]:
                its = runner["iterations"]
                if [it["iteration"] for it in its] != [0, 1]:
                    problems.append("iterations of %s" % runner["name"])
                for it in its:
                    want = expected[runner["name"]][it["iteration"]]
                    if name == "outputs_legacy.json":
                        want = {k: v for k, v in want.items() if k != "small/int8"}
                    if [t["name"] for t in it["tensors"]] != list(want):
                        problems.append("tensors %s" % [t["name"] for t in it["tensors"]])
                    for t in it["tensors"]:
                        w, st = want.get(t["name"], {}), t["stats"]
                        ok = t["dtype"] == w.get("dtype") and t["shape"] == w.get("shape") and t["role"] == "output" and \
                            st["nan"] == w.get("nan") and st["inf"] == w.get("inf") and st["histogram"] == w.get("histogram") and \
                            all(abs(st[k] - w[k]) <= 1e-9 * max(1.0, abs(w[k])) for k in ("min", "max", "mean", "std"))
                        if not ok:
                            problems.append("%s/%d/%s: %s vs %s" % (runner["name"], it["iteration"], t["name"], t, w))
        except Exception as e:
            problems.append("bad JSON: %r" % e)
        s.check("inspect results %s --json: runners, iterations, dtypes, shapes, stats, histograms" % name,
                r.returncode == 0 and not problems, "\n".join(problems[:5]) + r.stderr)
    r = run([xc, "inspect", "results", os.path.join(out, "outputs.json")])
    s.check("inspect results (text) lists runners and iterations", r.returncode == 0 and
            "runner trt-runner-N0-05/01/25-10:00:00" in r.stdout and "iteration 1" in r.stdout and "histogram" in r.stdout,
            r.stdout[-800:] + r.stderr)
    model = os.path.join(ROOT, "models", "small_cnn", "model.onnx")
    ins, good, bad = (os.path.join(out, f) for f in ("model_inputs.json", "model_outputs.json", "model_outputs_bad.json"))
    r = run([xc, "run", model, "--ref", "--load-inputs", ins, "--load-outputs", good])
    s.check("run --load-inputs/--load-outputs Polygraphy JSON -> PASSED, exit 0", r.returncode == 0 and "PASSED" in r.stdout,
            r.stdout[-800:] + r.stderr)
    r = run([xc, "run", model, "--ref", "--load-inputs", ins, "--load-outputs", bad])
    s.check("run against perturbed Polygraphy outputs -> FAILED, exit 1", r.returncode == 1 and "FAILED" in r.stdout,
            r.stdout[-800:] + r.stderr)
    r = run([xc, "run", model, "--ref", "--load-inputs", good])
    s.check("RunResults given as inputs -> exit 2, one line", r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and
            "no input tensors" in r.stderr, r.stderr)
    manifest = json.load(open(os.path.join(out, "bad", "manifest.json")))
    for name, expect in sorted(manifest.items()):
        path = os.path.join(out, "bad", name + ".json")
        for cmd in (["inspect", "results", path], ["run", model, "--ref", "--load-outputs", path]):
            try:
                r = run([xc] + cmd, timeout=60)
            except subprocess.TimeoutExpired:
                s.check("hostile polygraphy %s (%s): no hang" % (name, cmd[0]), False)
                continue
            lines = r.stderr.strip().splitlines()
            ok = r.returncode == 2 and len(lines) == 1 and expect in lines[0] and path in lines[0] and "Sanitizer" not in r.stderr
            s.check("hostile polygraphy %s (%s) -> exit 2, one line naming the file" % (name, cmd[0]), ok,
                    "exit %d, stderr: %s" % (r.returncode, r.stderr[-800:]))
    saved = os.path.join(tmp, "saved_results")
    ds = os.path.join(ROOT, "models", "small_cnn", "test_data_set_0")
    r = run([xc, "run", model, "--ref", "--load-inputs", ds, "--save-outputs", saved])
    r2 = run([xc, "inspect", "results", saved, "--json"])
    try:
        import numpy as np
        import onnx
        from onnx import numpy_helper
        got = json.loads(r2.stdout)
        runner = got["runners"][0]
        tensors = runner["iterations"][0]["tensors"]
        want = numpy_helper.to_array(onnx.load_tensor(os.path.join(saved, "output_0.pb"))).astype(np.float64)
        st = [t for t in tensors if t["role"] == "output"][0]["stats"]
        ok = got["format"] == "crosscheck-results-1" and [t["role"] for t in tensors] == ["input", "output"] and \
            abs(st["mean"] - want.mean()) < 1e-9 and abs(st["std"] - want.std()) < 1e-9 and sum(st["histogram"]) == want.size
        idx = json.load(open(os.path.join(saved, "index.json")))
        ok = ok and all(os.path.exists(os.path.join(saved, e["file"])) and "/" not in e["file"] and "stats" in e for e in idx["tensors"])
    except Exception as e:
        ok = False
    s.check("inspect results on a run --save-outputs folder", r.returncode == 0 and r2.returncode == 0 and ok,
            r.stderr + r2.stdout[-800:] + r2.stderr)
    r = run([xc, "run", model, "--ref", "--load-inputs", saved, "--load-outputs", os.path.join(saved, "index.json")])
    s.check("results folder (and its index.json) reads back with --load-inputs/--load-outputs", r.returncode == 0, r.stdout[-500:] + r.stderr)
    r = run([xc, "inspect", "results", ds])
    s.check("inspect results on an ONNX test_data_set folder", r.returncode == 0 and "(test_data_set)" in r.stdout and
            "input " in r.stdout and "output " in r.stdout, r.stdout[-500:] + r.stderr)
    arr = numpy_helper.to_array(onnx.load_tensor(os.path.join(ds, "input_0.pb")))
    npy = os.path.join(tmp, "input.npy")
    np.save(npy, arr)
    r = run([xc, "run", model, "--ref", "--load-inputs", npy, "--load-outputs", ds])
    s.check("run --load-inputs FILE.npy", r.returncode == 0 and "PASSED" in r.stdout, r.stdout[-500:] + r.stderr)
    r = run([xc, "inspect", "results", os.path.join(tmp, "nothing-here")])
    s.check("inspect results on a missing path -> exit 2 naming it", r.returncode == 2 and "nothing-here" in r.stderr, r.stderr)
def surgeon_tests(s, xc, tmp):
    """surgeon extract/sanitize/insert/prune-outputs: results load, pass onnx.checker, and compute
    what the original computes (bit-identical on the reference where nothing is approximated)."""
    import numpy as np
    import onnx
    from onnx import numpy_helper
    from onnx.reference import ReferenceEvaluator
    d = os.path.join(tmp, "surgeon")
    big = shutil.disk_usage(tmp).free > (1 << 30)  # the big model is sparse; keep a margin anyway
    r = run([sys.executable, os.path.join(HERE, "surgeon", "make_models.py"), d] + (["--big"] if big else []))
    if not s.check("surgeon test models generated", r.returncode == 0, r.stderr):
        return
    P = lambda *a: os.path.join(d, *a)

    def checker(path):
        try:
            onnx.checker.check_model(path, full_check=True)
            return True, ""
        except Exception as e:
            return False, str(e)[:500]

    def outputs(model, seed, *extra):
        out = P("run_%d" % outputs.n)
        outputs.n += 1
        r = run([xc, "run", model, "--ref", "--seed", str(seed), "--save-outputs", out] + list(extra))
        files = sorted(f for f in os.listdir(out) if f.startswith("output_")) if r.returncode == 0 else []
        return [open(os.path.join(out, f), "rb").read() for f in files], r.stderr
    outputs.n = 0

    def surgeon(*args):
        return run([xc, "surgeon"] + [str(a) for a in args])

    # extract: [input -> T] and [T -> output] against onnx's reference evaluator on the original
    st = os.path.join(ROOT, "models", "small_transformer", "model.onnx")
    r = surgeon("extract", st, "--inputs", "input_ids:auto", "--outputs", "residual1", "-o", P("head.onnx"))
    r2 = surgeon("extract", st, "--inputs", "residual1:[1,16,32]:float32", "--outputs", "output:auto", "-o", P("tail.onnx"))
    ok = r.returncode == 0 and r2.returncode == 0
    s.check("surgeon extract writes head and tail of small_transformer", ok, r.stderr + r2.stderr)
    if ok:
        for name in ("head.onnx", "tail.onnx"):
            good, msg = checker(P(name))
            s.check("surgeon extract: %s passes onnx.checker (full_check)" % name, good, msg)
        full = onnx.load(st)
        full.graph.output.append(onnx.helper.make_tensor_value_info("residual1", onnx.TensorProto.FLOAT, None))
        ids = np.array([[(i * 7) % 50 for i in range(16)]], dtype=np.int64)
        want_mid, want_out = ReferenceEvaluator(full).run(["residual1", "output"], {"input_ids": ids})
        ids_pb, mid_pb = P("ids.pb"), P("mid.pb")
        onnx.save_tensor(numpy_helper.from_array(ids, "input_ids"), ids_pb)
        onnx.save_tensor(numpy_helper.from_array(want_mid, "residual1"), mid_pb)
        for name, inp, want in (("head.onnx", ids_pb, want_mid), ("tail.onnx", mid_pb, want_out)):
            out = P("cmp_" + name)
            r = run([xc, "run", P(name), "--ref", "--load-inputs", inp, "--save-outputs", out])
            got = numpy_helper.to_array(onnx.load_tensor(os.path.join(out, "output_0.pb"))) if r.returncode == 0 else None
            s.check("surgeon extract: %s on the reference matches onnx's evaluator on the original" % name,
                    got is not None and np.allclose(got, want, rtol=1e-4, atol=1e-5), r.stderr)

    # sanitize: the shape subgraph folds once the batch is static; outputs stay bit-identical
    shape = P("shape.onnx")
    base, err = outputs(shape, 5, "--input-shapes", "x:[2,4,8]")
    variants = {
        "fold+cleanup, shapes overridden": (["--fold-constants", "--cleanup", "--override-input-shapes", "x:[2,4,8]"],
                                            {"Reshape", "MatMul", "Add", "Mul", "Div"}),
        "fold+cleanup, symbolic batch": (["--fold-constants", "--cleanup"],
                                         {"Shape", "Gather", "Unsqueeze", "Concat", "Reshape", "MatMul", "Add", "Mul",
                                          "Size", "Cast", "Div"}),
        "fold with a 200-byte threshold": (["--fold-constants", "--fold-size-threshold", 200, "--override-input-shapes",
                                            "x:[2,4,8]"], {"Reshape", "MatMul", "Constant", "Add", "Tile", "Mul", "Div"}),
    }
    for i, (label, (args, ops)) in enumerate(sorted(variants.items())):
        out = P("sanitized_%d.onnx" % i)
        r = surgeon("sanitize", shape, "-o", out, *args)
        if not s.check("surgeon sanitize (%s) -> exit 0" % label, r.returncode == 0, r.stderr):
            continue
        m = onnx.load(out)
        got_ops = {n.op_type for n in m.graph.node}
        inits = {t.name for t in m.graph.initializer}
        s.check("surgeon sanitize (%s): remaining ops %s" % (label, sorted(ops)), got_ops == ops, str(sorted(got_ops)))
        gone = {"unused_w", "dupB"} if "--cleanup" in args else {"unused_w"}  # merging is --cleanup's
        s.check("surgeon sanitize (%s): dead node, unused%s initializers gone" % (label, " and duplicate" if len(gone) > 1 else ""),
                "dead_neg" not in {n.name for n in m.graph.node} and not gone & inits and ("dupB" in inits) == (len(gone) == 1),
                str(sorted(inits)))
        good, msg = checker(out)
        s.check("surgeon sanitize (%s): passes onnx.checker (full_check)" % label, good, msg)
        got, err2 = outputs(out, 5, "--input-shapes", "x:[2,4,8]") if "symbolic" in label else outputs(out, 5)
        s.check("surgeon sanitize (%s): outputs bit-identical to the original's" % label, got and got == base, err + err2)
    for model in ("small_cnn", "small_transformer"):
        src = os.path.join(ROOT, "models", model, "model.onnx")
        out = P("%s_sanitized.onnx" % model)
        r = surgeon("sanitize", src, "--fold-constants", "--cleanup", "--toposort", "-o", out)
        a, e1 = outputs(src, 11)
        b, e2 = outputs(out, 11) if r.returncode == 0 else (None, r.stderr)
        s.check("surgeon sanitize %s: outputs bit-identical" % model, a and a == b, e1 + e2)
    r = surgeon("sanitize", P("unsorted.onnx"), "--toposort", "-o", P("sorted.onnx"))
    good, msg = checker(P("sorted.onnx")) if r.returncode == 0 else (False, r.stderr)
    s.check("surgeon sanitize --toposort: a reverse-ordered model passes onnx.checker", good and not checker(P("unsorted.onnx"))[0], msg)

    # values read only from inside an If's branches are live
    r = surgeon("sanitize", P("capture.onnx"), "--cleanup", "-o", P("capture_s.onnx"))
    r2 = surgeon("extract", P("capture.onnx"), "--inputs", "x,cond", "--outputs", "o", "-o", P("capture_x.onnx"))
    ok = r.returncode == 0 and r2.returncode == 0
    for f in ("capture_s.onnx", "capture_x.onnx"):
        m = onnx.load(P(f)) if ok else None
        ok = ok and [n.name for n in m.graph.node] == ["relu", "if"] and [t.name for t in m.graph.initializer] == ["w"]
        ok = ok and checker(P(f))[0]
    s.check("surgeon cleanup/extract keep what subgraphs capture (node output, initializer)", ok, r.stderr + r2.stderr)

    # unknown protobuf fields survive every operation
    marker = bytes([0xC0, 0x3E, 0x2A])
    r = surgeon("extract", P("unknown.onnx"), "--inputs", "x", "--outputs", "y", "-o", P("unknown_x.onnx"))
    r2 = surgeon("sanitize", P("unknown.onnx"), "--cleanup", "-o", P("unknown_s.onnx"))
    counts = [open(P(f), "rb").read().count(marker) if os.path.exists(P(f)) else 0 for f in ("unknown_x.onnx", "unknown_s.onnx")]
    s.check("surgeon keeps unknown fields of the model, graph and node", counts == [3, 3], str(counts) + r.stderr + r2.stderr)

    # insert: the residual block of small_cnn becomes one LeakyRelu
    cnn = os.path.join(ROOT, "models", "small_cnn", "model.onnx")
    r = surgeon("insert", cnn, "--inputs", "stem_relu", "--outputs", "block_relu", "--op", "LeakyRelu", "--name", "lr",
                "--attrs", "alpha=0.25", "-o", P("inserted.onnx"))
    if s.check("surgeon insert -> exit 0", r.returncode == 0, r.stderr):
        m = onnx.load(P("inserted.onnx"))
        names = [n.name for n in m.graph.node]
        lr = [n for n in m.graph.node if n.name == "lr"]
        ok = (lr and list(lr[0].input) == ["stem_relu"] and list(lr[0].output) == ["block_relu"] and
              onnx.helper.get_attribute_value(lr[0].attribute[0]) == 0.25 and
              not {"block_conv1", "block_conv2", "block_add", "block_relu"} & set(names) and len(names) == 12)
        s.check("surgeon insert: the block is replaced by one node with its attribute", ok, str(names))
        good, msg = checker(P("inserted.onnx"))
        s.check("surgeon insert: passes onnx.checker (full_check)", good, msg)
        x = numpy_helper.to_array(onnx.load_tensor(os.path.join(ROOT, "models", "small_cnn", "test_data_set_0", "input_0.pb")))
        want = ReferenceEvaluator(m).run(None, {"input": x})[0]
        out = P("cmp_inserted")
        r = run([xc, "run", P("inserted.onnx"), "--ref", "--load-inputs",
                 os.path.join(ROOT, "models", "small_cnn", "test_data_set_0"), "--save-outputs", out])
        got = numpy_helper.to_array(onnx.load_tensor(os.path.join(out, "output_0.pb"))) if r.returncode == 0 else None
        s.check("surgeon insert: the result runs and matches onnx's evaluator", got is not None and np.allclose(got, want, atol=1e-5), r.stderr)

    # prune-outputs: dropping an output removes what only it needed
    r = surgeon("extract", cnn, "--inputs", "input", "--outputs", "pool,probs", "-o", P("two_out.onnx"))
    r2 = surgeon("prune-outputs", P("two_out.onnx"), "--keep", "pool", "-o", P("pruned.onnx"))
    ok = r.returncode == 0 and r2.returncode == 0
    if ok:
        m = onnx.load(P("pruned.onnx"))
        ok = [o.name for o in m.graph.output] == ["pool"] and len(m.graph.node) == 11 and checker(P("pruned.onnx"))[0]
    s.check("surgeon prune-outputs --keep: one output, its 11 nodes", ok, r.stderr + r2.stderr)

    # external data: stays external, realigned, named as asked; sparse 2.4 GB model round-trips
    os.makedirs(P("ext_out"))
    r = surgeon("sanitize", P("ext", "model.onnx"), "--cleanup", "-o", P("ext_out", "m.onnx"))
    r2 = surgeon("extract", P("ext", "model.onnx"), "--inputs", "x", "--outputs", "z", "--external-data-file", "w.bin",
                 "--external-data-threshold", "0", "-o", P("ext_out", "m2.onnx"))
    ok = r.returncode == 0 and r2.returncode == 0
    if ok:
        m = onnx.load(P("ext_out", "m.onnx"), load_external_data=False)
        w = [t for t in m.graph.initializer if t.name == "w"][0]
        b = [t for t in m.graph.initializer if t.name == "b"][0]
        ext = {e.key: e.value for e in w.external_data}
        m2 = onnx.load(P("ext_out", "m2.onnx"), load_external_data=False)
        ok = (ext.get("location") == "m.onnx.data" and int(ext.get("offset", 1)) % 64 == 0 and b.raw_data and
              all(t.data_location == onnx.TensorProto.EXTERNAL for t in m2.graph.initializer) and
              os.path.exists(P("ext_out", "w.bin")))
        for t in m2.graph.initializer:
            ok = ok and int({e.key: e.value for e in t.external_data}["offset"]) % 64 == 0
        a1, e1 = outputs(P("ext", "model.onnx"), 2)
        a2, e2 = outputs(P("ext_out", "m.onnx"), 2)
        a3, e3 = outputs(P("ext_out", "m2.onnx"), 2)
        ok = ok and a1 and a1 == a2 == a3 and checker(P("ext_out", "m.onnx"))[0]
    s.check("surgeon: external data stays external (aligned, --external-data-file, threshold)", ok, r.stderr + r2.stderr)
    if big:
        os.makedirs(P("big_out"))
        r = surgeon("sanitize", P("big", "model.onnx"), "--cleanup", "-o", P("big_out", "model.onnx"))
        data = P("big_out", "model.onnx.data")
        ok = r.returncode == 0 and os.path.getsize(data) == 600000 * 1024 * 4 and os.stat(data).st_blocks * 512 < (64 << 20)
        s.check("surgeon sanitize --cleanup: a 2.4 GB external model round-trips with a sparse data file", ok, r.stderr)
        a1, e1 = outputs(P("big", "model.onnx"), 1)
        a2, e2 = outputs(P("big_out", "model.onnx"), 1)
        mid = np.memmap(data, dtype=np.float32, mode="r", shape=(600000, 1024))[300001, :4].tolist() if ok else None
        s.check("surgeon: the big model's copy computes the same rows and keeps the data in the middle",
                a1 and a1 == a2 and mid == [300001.0, 300002.0, 300003.0, 300004.0], e1 + e2)
        r = run([xc, "inspect", "model", P("big_out", "model.onnx")])
        s.check("inspect works on the >2 GB copy", r.returncode == 0 and "2457600000 bytes" in r.stdout, r.stderr)
        shutil.rmtree(P("big_out"))
        shutil.rmtree(P("big"))

    # every bad argument: one line, exit 2, no output file
    bad = [
        (["extract", cnn, "--inputs", "nope", "--outputs", "probs"], "'nope'"),
        (["extract", cnn, "--inputs", "block_conv1_relu", "--outputs", "block_relu"], "'input'"),
        (["extract", cnn, "--inputs", "stem_relu:[1,a-b]", "--outputs", "probs"], "a-b"),
        (["extract", cnn, "--inputs", "stem_relu:[1,16]", "--outputs", "probs"], "rank"),
        (["extract", cnn, "--outputs", "probs:int64"], "int64"),
        (["insert", cnn, "--inputs", "stem_relu", "--outputs", "pool", "--op", "NoSuchOp"], "NoSuchOp"),
        (["insert", cnn, "--inputs", "block_relu", "--outputs", "stem_relu", "--op", "Relu"], "cycle"),
        (["insert", cnn, "--inputs", "pool", "--outputs", "gap", "--op", "LeakyRelu", "--attrs", "alpha=[1,2]"], "alpha"),
        (["sanitize", cnn, "--override-input-shapes", "nope:[1]"], "nope"),
        (["sanitize", cnn, "--override-input-shapes", "input:[1,3]"], "rank"),
        (["sanitize", cnn, "--cleanup", "--external-data-file", "../x.data"], "x.data"),
        (["prune-outputs", cnn, "--drop", "nope"], "nope"),
        (["sanitize", P("missing.onnx"), "--cleanup"], "missing.onnx"),
        (["sanitize", cnn], "nothing to do"),
        (["frobnicate", cnn], "frobnicate"),
    ]
    for args, expect in bad:
        out = P("bad.onnx")
        r = surgeon(*(args + ["-o", out]))
        lines = r.stderr.strip().splitlines()
        s.check("surgeon %s -> exit 2, one line naming %s, no file" % (" ".join(os.path.basename(a) for a in args[:1] + args[2:]), expect),
                r.returncode == 2 and len(lines) == 1 and expect in lines[0] and not os.path.exists(out), r.stderr)


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


def ocl_cases(s, xc, build, quick, long_tier=True):
    """Every OpenCL layer kind, tactic and fusion against the reference (tests/ocl_cases), fp32 with
    canaries guarding every buffer, fp16 storage, and with fusion off (quick: fp32 only; the fast
    tier: fp16 and unfused on every third case, since each variant is a cold PoCL compile)."""
    out = os.path.join(build, "ocl-cases")
    r = run([sys.executable, os.path.join(HERE, "ocl_cases", "make_cases.py"), out])
    if not s.check("OpenCL test models generated", r.returncode == 0, r.stderr[-3000:]):
        return
    canary = dict(os.environ, CROSSCHECK_OCL_CANARY="1")
    for k, name in enumerate(sorted(os.listdir(out))):
        model = os.path.join(out, name, "model.onnx")
        tol = json.load(open(os.path.join(out, name, "tol.json")))
        fp32 = ["--rtol", str(tol.get("rtol", 1e-3)), "--atol", str(tol.get("atol", 1e-4))]
        fp16 = ["--rtol", str(tol.get("fp16_rtol", 2e-2)), "--atol", str(tol.get("fp16_atol", 2e-2))]
        variants = (("fp32", fp32, canary), ("fp16", ["--fp16"] + fp16, None), ("unfused", ["--no-fusion"] + fp32, None))
        for label, extra, env in variants[:1] if quick or (not long_tier and k % 3) else variants:
            r = run([xc, "run", model, "--ref", "--ocl", "--timing-iterations", "2"] + extra, env=env, timeout=600)
            s.check("ocl %s %s" % (name, label), r.returncode == 0, r.stdout[-1500:] + r.stderr[-1500:])


CONV_TACTICS = ("conv2d.direct", "conv2d.im2col_gemm", "conv2d.1x1_gemm", "conv2d.implicit_gemm", "conv2d.im2col_vec4",
                "conv2d.1x1_vec4", "conv2d.implicit_vec4", "conv2d.splitk_gemm", "conv2d.splitk_vec4",
                "conv2d.splitk_im2col_vec4",
                "conv2d.depthwise", "conv2d.winograd_f2x2_3x3")
GEMM_TACTICS = ("gemm.naive", "gemm.tiled_local", "gemm.reg_blocked", "gemm.vec4")


def tactic_coverage(s, xc, build, tmp, per_tactic=None):
    """Every conv and gemm tactic against the reference on every case it applies to (the fast
    tier: on its first per_tactic cases), whatever the tuner would pick on this device
    (--tactics restricts the choice), and each tactic really ran somewhere."""
    out = os.path.join(build, "ocl-cases")
    if not os.path.isdir(out):
        return
    ran = {t: 0 for t in CONV_TACTICS + GEMM_TACTICS}
    failures = []
    replay = os.path.join(tmp, "coverage_tactics.json")
    import hashlib  # a fixed order that mixes the case kinds, so the first few cases per tactic differ in kind
    for name in sorted(os.listdir(out), key=lambda n: hashlib.sha1(n.encode()).hexdigest()):
        family = CONV_TACTICS if name.startswith("conv") else GEMM_TACTICS if name.startswith(("gemm", "matmul")) else ()
        tol = json.load(open(os.path.join(out, name, "tol.json"))) if family else {}
        for tactic in family:
            if per_tactic is not None and ran[tactic] >= per_tactic:
                continue
            r = run([xc, "run", os.path.join(out, name, "model.onnx"), "--ref", "--ocl", "--tactics", tactic + "*",
                     "--timing-iterations", "1", "--save-tactics", replay, "--rtol", str(tol.get("rtol", 1e-3)),
                     "--atol", str(tol.get("atol", 1e-4))], timeout=600)
            if r.returncode == 2 and "matches no tactic" in r.stderr:
                continue  # the tactic does not apply to this case's layers (the builder says so before building)
            used = r.returncode == 0 and any(L["tactic"].startswith(tactic) for L in json.load(open(replay))["layers"])
            ran[tactic] += used
            if r.returncode != 0:
                failures.append("%s with %s: exit %d\n%s" % (name, tactic, r.returncode, (r.stdout + r.stderr)[-600:]))
    s.check("every conv/gemm tactic agrees with the reference on %s" %
            ("every case it applies to" if per_tactic is None else "up to %d cases it applies to" % per_tactic), not failures,
            "\n".join(failures[:5]))
    s.check("every conv/gemm tactic ran on some case", all(ran.values()), json.dumps(ran))


# Variant suffixes of the conv GEMM tactics whose big tiles are tuned on GPUs only (CPU devices
# tune the smallest): pinned one by one, each must build, run and agree. The names are part of
# the replay-file format, so a renamed variant fails here too.
VEC4_TILES = ("256x128x8.16x8", "128x128x8.16x8", "128x128x8.8x8", "128x64x8.8x8", "64x128x8.8x8", "64x64x8.4x8")
SPLIT_TILES = ("128x128x8.16x8.s2", "128x128x8.8x8.s2", "64x128x8.8x8.s2", "64x128x8.8x8.s4", "64x64x8.4x8.s4", "64x64x8.4x8.s8")
GPU_VARIANTS = (("conv_deep_3x3_small_map", "conv2d.im2col_vec4", VEC4_TILES),
                ("conv_deep_3x3_small_map", "conv2d.implicit_vec4", VEC4_TILES),
                ("conv_deep_3x3_small_map", "conv2d.winograd_gemm", VEC4_TILES),
                ("conv_deep_3x3_small_map", "conv2d.splitk_vec4", SPLIT_TILES),
                ("conv_deep_3x3_small_map", "conv2d.splitk_im2col_vec4", SPLIT_TILES),
                ("conv_deep_1x1_vec_plane", "conv2d.1x1_vec4", VEC4_TILES),
                ("conv_deep_1x1_vec_plane", "conv2d.splitk_vec4", SPLIT_TILES))


def tactic_variants(s, xc, build, tmp):
    """Every GPU-sized variant of the vec4 conv tactics, pinned with --load-tactics on PoCL."""
    failures, pin = [], os.path.join(tmp, "variant_pin.json")
    for case, tactic, suffixes in GPU_VARIANTS:
        model = os.path.join(build, "ocl-cases", case, "model.onnx")
        for suffix in suffixes:
            name = tactic + "." + suffix
            json.dump({"format": "crosscheck-tactics-1", "layers": [{"name": "Conv_0", "tactic": name}]}, open(pin, "w"))
            r = run([xc, "run", model, "--ref", "--ocl", "--load-tactics", pin, "--rtol", "1e-3", "--atol", "1e-4"],
                    env=dict(os.environ, CROSSCHECK_OCL_CANARY="1"), timeout=600)
            if r.returncode != 0:
                failures.append("%s on %s: exit %d\n%s" % (name, case, r.returncode, (r.stdout + r.stderr)[-600:]))
    s.check("every GPU-sized vec4 conv variant builds, runs and agrees when pinned (%d)" %
            sum(len(v) for _, _, v in GPU_VARIANTS), not failures, "\n".join(failures[:5]))


def graph_env():
    """Graphviz's and fontconfig's own leaks are suppressed under LeakSanitizer (tests/graph)."""
    sys.path.insert(0, os.path.join(HERE, "graph"))
    import graph_checks
    return graph_checks.ENV


def real_models(s, xc, conf, tmp):
    """inspect, graph, surgeon and a per-layer run on models exported from real frameworks (the
    onnx wheel's light_* zoo models: Caffe2 exports whose weights are built by ConstantOfShape
    and friends, old-style initializers listed as inputs, Sum residuals, Dropout with a mask)."""
    import onnx
    for name in ("light_squeezenet", "light_shufflenet"):
        model = os.path.join(conf, "light", name, "model.onnx")
        if not os.path.exists(model):
            continue
        m = onnx.load(model)
        r = run([xc, "inspect", "model", model, "--show", "layers,attrs,weights", "--json"])
        try:
            j = json.loads(r.stdout)
            ok = r.returncode == 0 and len(j["layers"]) == len(m.graph.node) and len(j["weights"]) == len(m.graph.initializer)
        except Exception:
            ok = False
        s.check("%s: inspect model --show layers,attrs,weights covers every node and initializer" % name, ok,
                r.stdout[-500:] + r.stderr)
        svg = os.path.join(tmp, name + ".svg")
        r = run([xc, "graph", model, "-o", svg], timeout=300, env=graph_env())
        ok = r.returncode == 0 and os.path.exists(svg) and open(svg).read().count("<g id=\"node") >= len(m.graph.node)
        s.check("%s: graph draws every node (SVG)" % name, ok, r.stderr)
        clean = os.path.join(tmp, name + "_sanitized.onnx")
        r = run([xc, "surgeon", "sanitize", model, "--fold-constants", "--cleanup", "-o", clean], timeout=300)
        outs = []
        for path in (model, clean):
            d = os.path.join(tmp, os.path.basename(path) + "_out")
            rr = run([xc, "run", path, "--ref", "--seed", "3", "--save-outputs", d], timeout=600)
            outs.append(open(os.path.join(d, "output_0.pb"), "rb").read() if rr.returncode == 0 else None)
        folded = len(onnx.load(clean).graph.node) if r.returncode == 0 else None
        s.check("%s: sanitize --fold-constants folds the weight-building nodes (%s -> %s nodes), same outputs bit for bit"
                % (name, len(m.graph.node), folded), r.returncode == 0 and folded < len(m.graph.node) and outs[0] and
                outs[0] == outs[1], r.stderr)
        # the head up to a middle tensor (a tail would need every branch crossing the cut as input)
        mid = m.graph.node[len(m.graph.node) * 2 // 3].output[0]
        part = os.path.join(tmp, name + "_head.onnx")
        r = run([xc, "surgeon", "extract", clean, "--outputs", mid + ":auto", "-o", part])
        ok = r.returncode == 0
        if ok:
            try:
                onnx.checker.check_model(onnx.load(part), full_check=True)
                ok = run([xc, "run", part, "--ref"]).returncode == 0
            except Exception as e:
                ok, r = False, subprocess.CompletedProcess([], 1, "", str(e))
        s.check("%s: surgeon extract up to a middle tensor passes onnx.checker and runs" % name, ok, r.stderr)
    model = os.path.join(conf, "light", "light_squeezenet", "model.onnx")
    if os.path.exists(model):
        js, svg = os.path.join(tmp, "sq_layers.json"), os.path.join(tmp, "sq_overlay.svg")
        r = run([xc, "run", model, "--ref", "--ocl", "--per-layer", "--fallback-cpu", "--timing-iterations", "1", "--json", js],
                timeout=900)
        ok = r.returncode == 0 and os.path.exists(js) and len(json.load(open(js))["per_layer"]["layers"]) > 20
        s.check("light_squeezenet: per-layer comparison of the OpenCL engine passes", ok, r.stdout[-1000:] + r.stderr)
        r = run([xc, "graph", model, "--results", js, "-o", svg], timeout=300, env=graph_env())
        s.check("light_squeezenet: graph overlays the per-layer results", r.returncode == 0 and os.path.exists(svg), r.stderr)


def tuning_model(tmp):
    """One 3x3 conv + ReLU: enough for the tuner to have a choice (direct, GEMMs, Winograd)."""
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper, TensorProto
    path = os.path.join(tmp, "tuning_conv.onnx")
    rng = np.random.default_rng(0)
    w = numpy_helper.from_array((rng.standard_normal((8, 4, 3, 3)) * 0.2).astype(np.float32), "w")
    b = numpy_helper.from_array(rng.standard_normal(8).astype(np.float32), "b")
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["c"], pads=[1, 1, 1, 1], name="conv"),
             helper.make_node("Relu", ["c"], ["y"], name="relu")]
    g = helper.make_graph(nodes, "tuning", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 8, 8])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8, 8, 8])], [w, b])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), path)
    return path


def tuned_env():
    """The environment with the builder's default optimization level (tuning on)."""
    return dict(os.environ, CROSSCHECK_BUILDER_OPTIMIZATION_LEVEL="3")


def tuned_as_logged(log, chosen):
    """Whether every layer -vv timed kept what the tuner's rule says: the candidates whose time came
    within 10 % of the fastest (the finalists, when two or more) are timed again and the fastest
    of that round wins; else the fastest. Times are printed to 0.1 us: a candidate that close to
    the bound may fall either way."""
    first, final = {}, {}
    for layer, what, t, ms in re.findall(r"layer '([^']*)': (tactic|finalist) (\S+): ([0-9.]+) ms", log):
        (first if what == "tactic" else final).setdefault(layer, {})[t] = float(ms)
    if not first:
        return False
    for layer, times in first.items():
        bound = min(times.values()) * 1.10
        want = {t for t, ms in times.items() if ms <= bound}
        unsure = {t for t, ms in times.items() if abs(ms - bound) <= 1e-4}
        got = set(final.get(layer, {}))
        if len(want - unsure) > 1 and not (want - unsure) <= got <= (want | unsure):
            return False
        if len(want | unsure) < 2 and got:
            return False
        pool = final.get(layer) or times
        if chosen.get(layer) != min(pool, key=pool.get):
            return False
    return True


def timing_weights(s, xc, model, tmp):
    """--timing-weights: cold empties the device cache before each timed run (said by -vv), the
    engine still agrees with the reference, and a timing cache keeps cold and cached times apart;
    auto is cached on a CPU device; a bad value is refused with one line."""
    cache = os.path.join(tmp, "weights_cache.json")
    quick = ["--timing-iterations", "2", "--builder-optimization-level", "1", "--timing-cache", cache, "-vv"]
    r = run([xc, "run", model, "--ref", "--ocl", "--timing-weights", "cold"] + quick, timeout=600)
    s.check("--timing-weights cold: -vv says the cache is emptied before each timed run; the engine agrees with the reference",
            r.returncode == 0 and "timed with the device cache emptied before each run" in r.stderr
            and re.search(r"tactic \S+: [0-9.]+ ms", r.stderr) is not None, r.stdout[-800:] + r.stderr[-1500:])
    r = run([xc, "build", model, "-o", os.path.join(tmp, "cached.plan"), "--timing-weights", "cached"] + quick, timeout=600)
    s.check("--timing-weights cached re-times what a cold build left in the timing cache (kept apart)",
            r.returncode == 0 and "whatever the previous run left" in r.stderr
            and re.search(r"tactic \S+: [0-9.]+ ms", r.stderr) is not None, r.stderr[-1500:])
    r = run([xc, "build", model, "-o", os.path.join(tmp, "auto.plan"), "-vv", "--builder-optimization-level", "1"], timeout=600)
    s.check("--timing-weights auto (default) keeps the cache's contents on a CPU device",
            r.returncode == 0 and "whatever the previous run left" in r.stderr, r.stderr[-800:])
    r = run([xc, "build", model, "-o", os.path.join(tmp, "bad.plan"), "--timing-weights", "warm"])
    s.check("--timing-weights warm -> exit 2, one line naming the choices", one_line_error(r, "auto, cached or cold"), r.stderr)


def builder_levels(s, xc, model, tmp):
    """--builder-optimization-level: 0 times nothing; the option beats the environment; bad
    values are refused with one line."""
    plans = {}
    for level, env in (("0", tuned_env()), ("1", None)):
        p = os.path.join(tmp, "level%s.plan" % level)
        r = run([xc, "build", model, "-o", p, "--builder-optimization-level", level], timeout=600, env=env)
        plans[level] = json.load(open(p)) if r.returncode == 0 else None
    p0, p1 = plans["0"], plans["1"]
    s.check("--builder-optimization-level 0 times no layer (the option beats the environment)",
            p0 is not None and p0["timed_layers"] == 0, json.dumps(p0)[:800])
    s.check("--builder-optimization-level 1 times the layers with a choice", p1 is not None and p1["timed_layers"] > 0,
            json.dumps(p1)[:800])
    # -vv lists every timed candidate (as trtexec --verbose): the plan's tactic is the fastest listed
    p = os.path.join(tmp, "verbose.plan")
    r = run([xc, "build", model, "-o", p, "--builder-optimization-level", "1", "-vv"], timeout=600)
    chosen = {x.get("name"): x.get("tactic") for x in json.load(open(p)).get("layers", [])} if r.returncode == 0 else {}
    s.check("-vv prints each tactic's time; the plan keeps the fastest, of the finalists' second timing when some came "
            "within 10 %% of the fastest (%d layers)" % len(chosen), tuned_as_logged(r.stderr, chosen), r.stderr[-1500:] + str(chosen))
    timing_weights(s, xc, model, tmp)
    r = run([xc, "build", model, "-o", os.path.join(tmp, "bad.plan"), "--builder-optimization-level", "6"])
    s.check("--builder-optimization-level 6 -> exit 2, one line", one_line_error(r, "0..5"), r.stderr)
    r = run([xc, "run", model, "--ocl"], env=dict(os.environ, CROSSCHECK_BUILDER_OPTIMIZATION_LEVEL="x"))
    s.check("a bad CROSSCHECK_BUILDER_OPTIMIZATION_LEVEL -> exit 2 naming it",
            one_line_error(r, "CROSSCHECK_BUILDER_OPTIMIZATION_LEVEL"), r.stderr)


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
    # What these check is tuning itself, so they tune whatever the tier, on one 3x3 conv: on PoCL
    # each candidate tactic is a cold compile (small_cnn at the default level: 53 programs).
    model = tuning_model(tmp)
    plan, cache, tactics = (os.path.join(tmp, f) for f in ("conv.plan", "cache.json", "tactics.json"))
    level1 = ["--builder-optimization-level", "1"]
    r1 = run([xc, "build", model, "-o", plan, "--timing-cache", cache, "--save-tactics", tactics] + level1, timeout=600)
    r2 = run([xc, "build", model, "-o", plan + "2", "--timing-cache", cache] + level1, timeout=600)
    try:
        timed = json.load(open(plan))["timed_layers"], json.load(open(plan + "2"))["timed_layers"]
    except Exception:
        timed = (None, None)
    s.check("build writes a plan; a second build with the timing cache times nothing",
            r1.returncode == 0 and r2.returncode == 0 and timed[1] == 0, "timed layers %s\n%s%s" % (timed, r1.stderr, r2.stderr))
    times = [[L.get("time_ms") for L in json.load(open(p))["layers"] if L.get("kind") == "conv"] if r1.returncode == 0 and
             r2.returncode == 0 else None for p in (plan, plan + "2")]
    # the tuner prepares each winograd variant; the transformed filters must be uploaded once,
    # so the tuned engine holds exactly the weights a replay of its choices holds
    wino, replay = os.path.join(tmp, "wino.plan"), os.path.join(tmp, "wino_replay.plan")
    r3 = run([xc, "build", model, "-o", wino, "--tactics", "conv2d.winograd*"], timeout=600, env=tuned_env())
    r4 = run([xc, "build", model, "-o", replay, "--load-tactics", wino], timeout=600)
    wb = [json.load(open(p))["memory"]["weight_bytes"] if r.returncode == 0 else None for p, r in ((wino, r3), (replay, r4))]
    s.check("tuning leaves no extra copies of derived weights (tuned == replayed weight bytes)", wb[0] and wb[0] == wb[1],
            "%s\n%s%s" % (wb, r3.stderr, r4.stderr))
    s.check("a layer served by the timing cache shows the time the cache recorded", times[0] and times[0] == times[1] and
            all(t > 0 for t in times[0]), str(times))
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
    builder_levels(s, xc, model, tmp)
    model = os.path.join(ROOT, "models", "small_cnn", "model.onnx")
    r = run([xc, "run", plan + "-missing", "--ocl"])
    s.check("missing model -> exit 2", r.returncode == 2)
    r = run([xc, "run", model, "--ocl", "--ocl-device", "no-such-device"])
    s.check("unknown --ocl-device -> exit 2 naming it", r.returncode == 2 and "no-such-device" in r.stderr, r.stderr)
    r = run([xc, "run", model, "--ocl", "--disable-fusion", "nope"])
    s.check("unknown --disable-fusion pass -> exit 2", r.returncode == 2 and "nope" in r.stderr, r.stderr)
    r = run([xc, "inspect", "devices"])
    s.check("inspect devices lists a device", r.returncode == 0 and "[0]" in r.stdout, r.stderr)
    unsupported = os.path.join(ROOT, "build", "onnx-tests", "node", "test_bitshift_left_uint8", "model.onnx")
    if os.path.exists(unsupported):
        r = run([xc, "run", unsupported, "--ocl"])
        s.check("a node no kernel handles -> exit 2 naming it", r.returncode == 2 and "BitShift" in r.stderr, r.stderr)
        r = run([xc, "run", unsupported, "--ref", "--ocl", "--fallback-cpu"])
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


DEBUG_OUT = tempfile.mkdtemp(prefix="xc-debug-out-")


def debug_run(xc, args):
    if "-o" not in args:  # the tool's default file lands in the working folder: keep it out of the tree
        args = args + ["-o", os.path.join(DEBUG_OUT, "%s.json" % args[0])]
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
    arts = [v + "/" + a for v in ("good", "bad") if os.path.isdir(os.path.join(tmp, "art", v)) for a in os.listdir(os.path.join(tmp, "art", v))]
    s.check("debug tactics keeps every check's replay file in --artifacts-dir (good/, bad/)", len([a for a in arts if a.endswith("tactics.json")]) == checks,
            str(arts))
    fix = fix_command(r.stdout)
    r2 = run([xc] + fix[1:]) if fix else None
    s.check("the replay file debug tactics wrote makes its reproducing command pass", bool(fix) and fix[-1] == fixed and r2.returncode == 0,
            " ".join(fix) + "\n" + (r2.stdout[-800:] + r2.stderr[-800:] if r2 else ""))
    r3, _, verdict3 = debug_run(xc, args)
    s.check("debug tactics: a second run gives the same verdict", r3.returncode == 0 and verdict3 == verdict, verdict + "\n---\n" + verdict3)
    pin = os.path.join(tmp, "pin_scores.json")  # the transformer: its fused attention on the GPU-sized tactic
    attn = "l1_q_heads + l1_k_heads + l1_v_heads + l1_kt + l1_scores + l1_scaled + l1_probs + l1_context + l1_merge"
    json.dump({"format": "crosscheck-tactics-1", "layers": [{"name": attn, "tactic": "attention.flash_wide.64x32"}]}, open(pin, "w"))
    r, checks, verdict = debug_run(xc, ["tactics", transformer, "--inject-fault", "node-tactic=l1_scores:scale=1.5", "--load-tactics", pin,
                                        "--timing-cache", os.path.join(tmp, "debug_cache.json")] + tol)
    b = bound(transformer, [])
    s.check("debug tactics names the transformer's planted attention layer in %d checks (bound %d)" % (checks, b),
            r.returncode == 0 and checks <= b and "layer '%s' (nodes l1_q_heads, l1_k_heads, l1_v_heads, l1_kt, l1_scores, l1_scaled, l1_probs, l1_context, l1_merge) with tactic "
            "attention.flash_wide.64x32 is wrong; tactic attention.flash.32x32 (baseline) is right" % attn in verdict
            and verdict.count(" is wrong") == 1, r.stdout[-3000:] + r.stderr[-1000:])
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
def inspect_views(s, xc, tmp):
    """inspect model --show, inspect engine (built and from a plan, profiled), inspect tactics and
    diff-tactics on the demo models and the hand-made replays in tests/inspect, checked against
    onnx and numpy; bad inputs exit 2 with one line."""
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper, shape_inference

    def stats_match(w, arr):
        a = arr.astype(np.float64).ravel()
        fin = a[np.isfinite(a)]
        want = {"count": a.size, "nan": int(np.isnan(a).sum()), "inf": int(np.isinf(a).sum()),
                "zero_fraction": float((a == 0).sum()) / a.size if a.size else 0.0}
        if fin.size:  # scaled, as crosscheck does, so float64 values near 1e300 do not overflow numpy's std
            scale = max(np.abs(fin).max(), 1e-300)
            want.update(min=fin.min(), max=fin.max(), mean=(fin / scale).mean() * scale, std=(fin / scale).std() * scale)
        return all(w[k] is not None and abs(w[k] - v) <= 1e-9 * max(1.0, abs(v)) for k, v in want.items())

    def one_line_exit2(r):
        return r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1

    for name in ("small_cnn", "small_transformer"):
        path = os.path.join(ROOT, "models", name, "model.onnx")
        m = onnx.load(path)
        inferred = shape_inference.infer_shapes(m).graph
        types = {v.name: v.type.tensor_type for v in list(inferred.value_info) + list(inferred.input) + list(inferred.output)}
        inits = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
        r = run([xc, "inspect", "model", path, "--show", "layers,attrs,weights", "--json"])
        try:
            j = json.loads(r.stdout)
            layers = j["layers"]
            ok = [l["name"] for l in layers] == [n.name for n in m.graph.node]
            for l, n in zip(layers, m.graph.node):
                ok &= [v["name"] for v in l["inputs"]] == [i for i in n.input if i]
                ok &= [v["name"] for v in l["outputs"]] == list(n.output)
                for v in l["inputs"] + l["outputs"]:
                    t = types.get(v["name"])
                    if v["name"] in inits:
                        ok &= v["initializer"] and v["shape"] == list(inits[v["name"]].shape)
                    elif t is not None:
                        ok &= v["shape"] == [d.dim_value for d in t.shape.dim]
                        ok &= v["dtype"] == onnx.helper.tensor_dtype_to_np_dtype(t.elem_type).name
                for a in n.attribute:
                    want, got = helper.get_attribute_value(a), l["attributes"][a.name]
                    ok &= got == want.decode() if isinstance(want, bytes) else bool(np.allclose(got, want, rtol=1e-7))
            layers_ok = ok
            weights_ok = [w["name"] for w in j["weights"]] == list(inits) and all(stats_match(w, inits[w["name"]]) for w in j["weights"])
        except Exception as e:
            layers_ok = weights_ok = False
            r.stderr += repr(e)
        s.check("inspect model %s --show layers,attrs: every node, typed as onnx infers it, attributes as onnx reads them" % name,
                layers_ok, r.stderr[-1500:])
        s.check("inspect model %s --show weights: statistics equal numpy's" % name, weights_ok, r.stderr[-1500:])
        r = run([xc, "inspect", "model", path, "--show", "attrs,weights"])
        s.check("inspect model %s --show text" % name, r.returncode == 0 and "layers (%d)" % len(m.graph.node) in r.stdout and
                "weights (%d)" % len(inits) in r.stdout, r.stderr)

        plan = os.path.join(tmp, "%s-inspect.plan" % name)
        rb = run([xc, "build", path, "-o", plan, "--timing-iterations", "2"], timeout=600)
        views = {}
        for label, extra in (("built", ["--timing-iterations", "2"]), ("plan", ["--plan", plan]), ("profiled", ["--plan", plan, "--profile", "--iterations", "3"])):
            r = run([xc, "inspect", "engine", path, "--json"] + extra, timeout=600)
            try:
                views[label] = json.loads(r.stdout)
            except Exception as e:
                views[label] = None
                s.check("inspect engine %s (%s) prints JSON" % (name, label), False, r.stdout[-500:] + r.stderr[-1500:])
        d = views.get("built")
        if d:
            covered = [n for l in d["Layers"] for n in l["Nodes"]]
            ok = all(l["Name"] and l["LayerType"] and l["TacticName"] and l["Metadata"].startswith("[ONNX Layer: ") and
                     all(isinstance(t["Dimensions"], list) and t["Format/Datatype"] and t["Storage"] for t in l["Inputs"] + l["Outputs"])
                     for l in d["Layers"])
            ok &= sorted(covered) == sorted(n.name for n in m.graph.node)
            ok &= d["Bindings"] == [i.name for i in m.graph.input if i.name not in inits] + [o.name for o in m.graph.output]
            mem = d["Memory"]
            ok &= len(mem["SlotBytes"]) == mem["Slots"] and sum(mem["SlotBytes"]) == mem["PlannedBytes"] <= mem["ActivationBytes"]
            ok &= bool(d["DeviceName"]) and bool(d["Driver"]) and bool(d["Version"])
            s.check("inspect engine %s --json: every layer with tactic, ONNX nodes (each node once), typed IO; bindings; memory plan" % name,
                    ok, json.dumps(d)[:1500])
        p, pl = views.get("plan"), None
        try:
            pl = json.load(open(plan))
        except Exception:
            pass
        if p and pl:
            s.check("inspect engine %s --plan shows the plan's layers and tactics" % name,
                    [(l["Name"], l["TacticName"]) for l in p["Layers"]] == [(l["name"], l["tactic"]) for l in pl["layers"]], rb.stderr)
        q = views.get("profiled")
        if q:
            timed = [l for l in q["Layers"] if "Profile" in l]
            ok = q["Profile"]["Iterations"] >= 3 and timed and all(l["Profile"]["AverageMs"] >= 0 for l in timed)
            ok &= all("Profile" in l for l in q["Layers"] if l["Kernels"])
            ok &= abs(sum(l["Profile"]["Percent"] for l in timed) - 100) < 1e-6
            s.check("inspect engine %s --profile times every layer that runs a kernel" % name, ok, json.dumps(q)[:1500])
        r = run([xc, "inspect", "tactics", plan, "--json"])
        try:
            ok = pl is not None and [(l["name"], l["tactic"]) for l in json.loads(r.stdout)["layers"]] == [(l["name"], l["tactic"]) for l in pl["layers"]]
        except Exception:
            ok = False
        s.check("inspect tactics %s.plan lists every layer's tactic" % name, ok, r.stdout[-800:] + r.stderr)
        r = run([xc, "inspect", "engine", path])
        s.check("inspect engine %s text view" % name, r.returncode == 0 and "memory " in r.stdout and "bindings" in r.stdout, r.stderr[-800:])

    # weight statistics for every stored dtype, NaN and Inf included, against numpy
    arrays = {"f16": np.array([1.5, -2, 0, np.nan, np.inf, -np.inf, 3], np.float16),
              "f64": np.array([[1e300, -1e300], [0.25, 0]], np.float64), "i64": np.array([-(2 ** 40), 7, 0], np.int64),
              "u8": np.array([0, 255, 3], np.uint8), "i8": np.array([-128, 127], np.int8), "b": np.array([True, False, True]),
              "i32": np.array([5, -5, 0, 0], np.int32), "f32nan": np.array([np.nan, np.nan], np.float32)}
    nodes = [helper.make_node("Identity", [k], [k + "_out"]) for k in arrays]
    g = helper.make_graph(nodes, "dtypes", [], [helper.make_tensor_value_info(k + "_out", helper.np_dtype_to_tensor_dtype(v.dtype), v.shape)
                                                for k, v in arrays.items()], [numpy_helper.from_array(v, k) for k, v in arrays.items()])
    dt = os.path.join(tmp, "dtypes.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), dt)
    r = run([xc, "inspect", "model", dt, "--show", "weights", "--json"])
    try:
        ws = {w["name"]: w for w in json.loads(r.stdout)["weights"]}
        ok = set(ws) == set(arrays) and all(stats_match(ws[k], v) for k, v in arrays.items() if k != "f32nan")
        ok &= ws["f32nan"]["nan"] == 2 and ws["f32nan"]["min"] is None and ws["f16"]["inf"] == 2
    except Exception as e:
        ok = False
        r.stderr += repr(e)
    s.check("inspect --show weights: every stored dtype (NaN, Inf, bool, 64-bit ints) against numpy", ok, r.stdout[-1500:] + r.stderr)

    here = os.path.join(HERE, "inspect")
    good = [os.path.join(here, f) for f in ("good1.json", "good2.json")]
    r = run([xc, "inspect", "diff-tactics", "--good"] + good + ["--bad", os.path.join(here, "bad1.json"), "--json"])
    try:
        d = json.loads(r.stdout)
        ok = r.returncode == 0 and d["layers_compared"] == 4 and [(l["name"], [t["tactic"] for t in l["suspects"]]) for l in d["layers"]] == \
            [("block_conv1 + block_conv1_bn + block_conv1_relu", ["conv2d.implicit_gemm.32x32"])]
    except Exception:
        ok = False
    s.check("inspect diff-tactics names exactly the one layer and tactic seen only in the bad build", ok, r.stdout[-1500:] + r.stderr)
    r = run([xc, "inspect", "diff-tactics", "--good", here, "--bad", os.path.join(here, "bad1.json")])
    s.check("inspect diff-tactics refuses a folder holding a malformed replay (exit 2, one line)", one_line_exit2(r), r.stdout + r.stderr)
    r = run([xc, "inspect", "diff-tactics", "--good", good[0], "--bad", good[1]])
    s.check("inspect diff-tactics text: prints the suspects, exit 0", r.returncode == 0 and "Layer: stem + stem_bn + stem_relu" in r.stdout and
            "conv2d.direct" in r.stdout, r.stdout + r.stderr)
    cnn, tr = (os.path.join(ROOT, "models", n, "model.onnx") for n in ("small_cnn", "small_transformer"))
    bad_cases = (
        ("inspect engine with a missing plan", ["engine", cnn, "--plan", os.path.join(tmp, "nope.plan")], "nope.plan"),
        ("inspect engine with a plan for another model", ["engine", tr, "--plan", os.path.join(tmp, "small_cnn-inspect.plan")], "another model"),
        ("inspect engine with a plan that is not JSON", ["engine", cnn, "--plan", os.path.join(here, "not_json.json")], "not_json.json"),
        ("inspect tactics on a malformed replay", ["tactics", os.path.join(here, "malformed.json")], "malformed.json"),
        ("inspect tactics on a file that is not JSON", ["tactics", os.path.join(here, "not_json.json")], "not_json.json"),
        ("inspect tactics on a missing file", ["tactics", os.path.join(tmp, "missing.json")], "missing.json"),
        ("inspect diff-tactics with a malformed bad replay", ["diff-tactics", "--good", good[0], "--bad", os.path.join(here, "malformed.json")], "malformed.json"),
        ("inspect diff-tactics without bad files", ["diff-tactics", "--good", good[0]], "--bad"),
        ("inspect model --show with an unknown view", ["model", cnn, "--show", "layers,bogus"], "bogus"),
        ("inspect engine without a model", ["engine", "--plan", os.path.join(tmp, "small_cnn-inspect.plan")], "MODEL"),
    )
    for label, args, needle in bad_cases:
        r = run([xc, "inspect"] + args, timeout=600)
        s.check("%s -> exit 2, one line naming it" % label, one_line_exit2(r) and needle in r.stderr, r.stdout[-500:] + r.stderr)
def fuzz_regressions(s, build, bad_dir):
    """Every input a fuzzer ever crashed on (tests/fuzz_regressions/<target>/) replays through the
    same target code, built without libFuzzer; so do the hostile models and the shipped models."""
    reg = os.path.join(HERE, "fuzz_regressions")
    runs = []
    for target in sorted(os.listdir(reg)) if os.path.isdir(reg) else []:
        runs.append((target, [os.path.join(reg, target)], "regression inputs"))
    models = [os.path.join(ROOT, "models", m, "model.onnx") for m in sorted(os.listdir(os.path.join(ROOT, "models")))]
    bad = [os.path.join(bad_dir, d, "model.onnx") for d in sorted(os.listdir(bad_dir))] if os.path.isdir(bad_dir) else []
    runs.append(("fuzz_model", [p for p in models + bad if os.path.exists(p)], "shipped and hostile models"))
    for target, paths, what in runs:
        exe = os.path.join(build, "replay", target)
        if not s.check("fuzz target %s is built" % target, os.path.exists(exe)):
            continue
        r = run([exe] + paths, timeout=600)
        n = r.stdout.count("replayed ")
        ok = r.returncode == 0 and n > 0 and "Sanitizer" not in r.stderr and "runtime error" not in r.stderr
        s.check("fuzz %s: %d %s replay cleanly" % (target, n, what), ok, "exit %d\n%s" % (r.returncode, r.stderr[-3000:]))


def one_line_error(r, *needles):
    lines = r.stderr.strip().splitlines()
    return r.returncode == 2 and len(lines) == 1 and all(n in lines[0] for n in needles) and "Sanitizer" not in r.stderr


def ocl_errors(s, xc, tmp):
    """OpenCL failures reach the user as one line with what to do (the unit tests cover kernel
    build failures, error-code mapping and lost devices)."""
    model = os.path.join(ROOT, "models", "small_cnn", "model.onnx")
    r = run([xc, "run", model, "--ocl"], env=dict(os.environ, OCL_ICD_VENDORS="/nonexistent"))
    s.check("no OpenCL platform -> exit 2, one line with an install hint",
            one_line_error(r, "no OpenCL platform", "pocl-opencl-icd"), "exit %d: %s" % (r.returncode, r.stderr))
    r = run([xc, "run", model, "--ocl", "--ocl-device", "99"])
    s.check("--ocl-device 99 -> exit 2, one line listing the devices", one_line_error(r, "'99'", "[0] "),
            "exit %d: %s" % (r.returncode, r.stderr))
    r = run([xc, "run", model, "--ocl"], env=dict(os.environ, CROSSCHECK_OCL_MAX_ALLOC="1000"), timeout=600)
    s.check("an engine over the device's allocation limit -> exit 2, one line with a hint",
            one_line_error(r, "larger than the device can allocate", "--fp16", "--queues"), "exit %d: %s" % (r.returncode, r.stderr))
    # run-time indices out of range: the kernel flags them, the run fails naming the layer (the
    # reference fails too); in-range negative indices still agree
    import onnx
    from onnx import TensorProto, helper
    g = helper.make_graph([helper.make_node("Gather", ["x", "idx"], ["y"], name="Gather_7", axis=0)], "g",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 3]),
                           helper.make_tensor_value_info("idx", TensorProto.INT64, [2])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3])])
    gather = os.path.join(tmp, "gather_runtime_indices.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), gather)
    r = run([xc, "run", gather, "--ocl", "--val-range", "idx:[4,9]"], timeout=600)
    s.check("OpenCL Gather with an index out of range -> exit 2, one line naming the layer",
            one_line_error(r, "'Gather_7'", "out of range"), "exit %d: %s" % (r.returncode, r.stderr))
    r = run([xc, "run", gather, "--ref", "--ocl", "--val-range", "idx:[-4,3]"], timeout=600)
    s.check("OpenCL Gather with negative in-range indices agrees with the reference", r.returncode == 0, r.stdout + r.stderr)


def limit_options(s, xc):
    """--max-tensor-bytes bounds every tensor; a bad value is a usage error."""
    model = os.path.join(ROOT, "models", "small_cnn", "model.onnx")
    r = run([xc, "run", model, "--ref", "--max-tensor-bytes", "1000"])
    s.check("--max-tensor-bytes below a weight's size -> exit 2, one line naming the tensor",
            one_line_error(r, "stem.w", "exceeds the limit of 1000 bytes"), "exit %d: %s" % (r.returncode, r.stderr))
    r = run([xc, "run", model, "--max-tensor-bytes", "64M", "--ref"])
    s.check("--max-tensor-bytes 64M (any position) runs the model", r.returncode == 0, r.stderr)
    r = run([xc, "inspect", "model", model, "--max-tensor-bytes", "lots"])
    s.check("--max-tensor-bytes with a bad value -> exit 2", one_line_error(r, "--max-tensor-bytes", "lots"), r.stderr)


def determinism(s, xc, tmp):
    """The reference, and an engine with pinned tactics, give bit-identical outputs run after run."""
    for name in ("small_cnn", "small_transformer"):
        model = os.path.join(ROOT, "models", name, "model.onnx")
        tactics = os.path.join(tmp, "det_%s_tactics.json" % name)
        r = run([xc, "build", model, "-o", os.path.join(tmp, "det_%s.plan" % name), "--save-tactics", tactics,
                 "--timing-iterations", "2"], timeout=600)
        s.check("determinism %s: tactics saved" % name, r.returncode == 0, r.stderr[-1500:])
        for label, extra in (("reference", ["--ref"]), ("engine with pinned tactics", ["--ocl", "--load-tactics", tactics])):
            outs = []
            for k in range(2):
                d = os.path.join(tmp, "det_%s_%s_%d" % (name, extra[0].strip("-"), k))
                r = run([xc, "run", model] + extra + ["--save-outputs", d], timeout=600)
                files = sorted(f for f in os.listdir(d) if f.startswith("output_")) if r.returncode == 0 else []
                outs.append([open(os.path.join(d, f), "rb").read() for f in files])
            s.check("determinism %s: the %s gives bit-identical outputs in two runs" % (name, label),
                    outs[0] and outs[0] == outs[1], "outputs %s vs %s" % ([len(x) for x in outs[0]], [len(x) for x in outs[1]]))


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


ONLY = None  # --only: the sections to run (None: all)
QUEUE = None  # with --jobs N > 1: the sections main() named, run later by run_queued()


def run_section(fn, args):
    """Runs one section and prints how long it took (CI time is a budget: see where it goes)."""
    import time
    t0 = time.time()
    try:
        fn(*args)
    except Exception:  # a broken section is one failure, and the rest of the suite still runs
        import traceback
        args[0].check("section %s ran to the end" % fn.__name__, False, traceback.format_exc()[-3000:])
    print("## %s: %.1f s" % (fn.__name__, time.time() - t0))
    sys.stdout.flush()


def timed(fn, *args):
    if ONLY is not None and fn.__name__ not in ONLY:
        return
    if QUEUE is None:
        run_section(fn, args)
    else:
        QUEUE.append((fn, args))


def run_queued(s, tmp, jobs):
    """Runs the queued sections in up to JOBS child processes (PoCL compiles and the reference are
    single-threaded, so a 2-core machine otherwise idles a core). Each child gets its own Suite and
    its own temporary folder (a section's argument equal to TMP is replaced), its stdout and stderr
    (subprocesses included) go to a file printed whole when it ends, so sections never interleave.
    Sections keep main()'s order of starting; the first SERIAL ones run alone first (later ones read
    what they write: fuzz_regressions replays bad_models' models)."""
    import time
    serial = 3
    pending = list(QUEUE)
    for fn, args in pending[:serial]:
        run_section(fn, args)
    # the longest sections start first, so none of them is left running alone at the end (their
    # cold times on a 2-core machine, seconds: ocl_cases ~360, hostile_battery ~180,
    # tactic_coverage ~120, debug_reduce ~50-100, large_graph_tests ~45, exec_runner_tests ~40)
    longest = ["ocl_cases", "hostile_battery", "tactic_coverage", "debug_reduce", "large_graph_tests", "exec_runner_tests",
               "conformance", "graph_command"]
    pending = sorted(pending[serial:], key=lambda job: longest.index(job[0].__name__) if job[0].__name__ in longest else len(longest))
    running = {}
    t0 = time.time()
    while pending or running:
        while pending and len(running) < jobs:
            fn, args = pending.pop(0)
            folder = os.path.join(tmp, "section-" + fn.__name__)
            os.makedirs(folder, exist_ok=True)
            log, counts = os.path.join(folder, "log.txt"), os.path.join(folder, "counts.txt")
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                code = 0
                try:
                    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
                    os.dup2(fd, 1)
                    os.dup2(fd, 2)
                    child = Suite()
                    run_section(fn, tuple(child if a is s else folder if a == tmp else a for a in args))
                    with open(counts, "w") as f:
                        f.write("%d %d" % (child.passed, child.failed))
                except BaseException:  # noqa: B036 - the child must never return into the parent's loop
                    code = 1
                finally:
                    sys.stdout.flush()
                    sys.stderr.flush()
                    os._exit(code)
            running[pid] = (fn.__name__, log, counts)
        pid, status = os.wait()
        name, log, counts = running.pop(pid)
        with open(log, errors="replace") as f:
            sys.stdout.write(f.read())
        try:
            with open(counts) as f:
                passed, failed = map(int, f.read().split())
        except (OSError, ValueError):
            passed, failed = 0, 0
            s.check("section %s ran to the end (its process ended with status %d)" % (name, status), False)
        s.passed += passed
        s.failed += failed
        sys.stdout.flush()
    print("## %d parallel sections: %.1f s wall with %d jobs" % (len(QUEUE) - serial, time.time() - t0, jobs))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--conf", default="build/onnx-tests")
    ap.add_argument("--skip-conformance", action="store_true")
    ap.add_argument("--quick-ocl", action="store_true", help="OpenCL cases in fp32 only, no OpenCL conformance (sanitizer runs)")
    ap.add_argument("--only", help="comma-separated section names (the functions main() calls)")
    ap.add_argument("--jobs", type=int, default=1, help="run sections in this many processes (make test: 2)")
    ap.add_argument("--tier", choices=("fast", "long"), default="fast",
                    help="fast (make test, CI): engines are built at optimization level 0 (baseline tactics, "
                         "nothing timed) except where tuning is what a test checks, and the long-only sections are "
                         "skipped; long (make test-long): the default level 3 everywhere, every section")
    args = ap.parse_args()
    if args.tier == "fast":
        # Tuning builds every candidate tactic and PoCL compiles each one cold (a small CNN: 53
        # programs, ~100 s of CPU); the fast tier builds each layer's baseline only. Every tactic
        # is still compared with the reference in tactic_coverage, which pins them one by one.
        os.environ.setdefault("CROSSCHECK_BUILDER_OPTIMIZATION_LEVEL", "0")
    global ONLY, QUEUE
    if args.only:
        ONLY = set(args.only.split(","))
    if args.jobs > 1:
        QUEUE = []
    xc = os.path.join(args.build, "crosscheck")
    s = Suite()
    with tempfile.TemporaryDirectory() as tmp:
        timed(unit_tests, s, args.build, os.path.join(args.build, "fixtures"))
        timed(bad_models, s, xc, os.path.join(args.build, "bad_models"))
        timed(fuzz_regressions, s, args.build, os.path.join(args.build, "bad_models"))
        timed(limit_options, s, xc)
        timed(cli_tests, s, xc, args.conf, tmp)
        timed(results_tests, s, xc, tmp)
        timed(demo_models, s, xc)
        timed(surgeon_tests, s, xc, tmp)
        # kernel binaries do not depend on how crosscheck was compiled: every build dir shares them
        os.environ.setdefault("CROSSCHECK_CACHE_DIR", os.path.join(ROOT, "build", "cl-cache"))
        timed(large_graph_tests, s, xc, args.build, tmp)
        timed(loaded_tests, s, xc, args.build, tmp)
        timed(install_tests, s, xc, args.build, tmp)
        timed(layers, s, xc, args.build, tmp)
        timed(format_check, s, xc, args.build, tmp)
        timed(cli_options_tests, s, xc, args.build, tmp, args.conf)
        timed(exec_runner_tests, s, xc, args.build, tmp, args.conf)
        timed(messages_tests, s, xc, args.build, tmp)
        timed(recurrent, s, xc, args.build, tmp)
        timed(misc_ops, s, xc, args.build, tmp)
        timed(vision_ops, s, xc, args.build, tmp)
        timed(control_flow, s, xc, args.build, tmp)
        timed(lowbit_dtypes, s, xc, args.build, tmp)
        timed(sequences, s, xc, args.build, tmp)
        timed(newops, s, xc, args.build, tmp)
        timed(strings, s, xc, args.build, tmp)
        timed(cli_tables, s, xc, args.build, tmp)
        timed(graph_command, s, xc, tmp)
        timed(ocl_cli, s, xc, args.build, tmp)
        timed(hostile_battery, s, xc, args.build, tmp)
        timed(run_compare, s, xc, args.build, tmp)
        timed(inspect_views, s, xc, tmp)
        timed(ocl_errors, s, xc, tmp)
        timed(determinism, s, xc, tmp)
        timed(splitk_mma, s, xc, args.build, tmp)
        timed(gemm_residual, s, xc, args.build, tmp)
        timed(gemm_horizontal, s, xc, args.build, tmp)
        timed(wgmma_tests, s, xc, args.build, tmp)
        timed(vec4_epilogue, s, xc, args.build, tmp)
        timed(bench_scripts, s, xc, args.build, tmp)
        timed(kernel_dump, s, xc, args.build, tmp)
        timed(concat_strided, s, xc, tmp, args.tier == "long")
        timed(attention_layout, s, xc, args.build, tmp)
        timed(caps_tests, s, xc, args.build, tmp)
        timed(build_lists, s, xc, args.build, tmp)
        timed(bf16, s, xc, args.build, tmp)
        timed(reduce_masked, s, xc, args.build, tmp)
        timed(fp16_trouble, s, xc, args.build, tmp)
        timed(attention_mma, s, xc, args.build, tmp)
        timed(tf32_async_tests, s, xc, args.build, tmp)
        timed(engine_recurrent, s, xc, args.build, tmp)
        timed(multi_device, s, xc, args.build, tmp)
        timed(reduce_unsupported, s, xc, args.build, tmp)
        timed(isolate, s, xc, args.build, tmp)
        timed(precision_ladder, s, xc, args.build, tmp)
        timed(refit, s, xc, args.build, tmp)
        timed(fp16_math, s, xc, args.build, tmp)
        timed(triage, s, xc, args.build, tmp)
        timed(plan_open_tests, s, xc, args.build, tmp)
        timed(profiles, s, xc, args.build, tmp)
        timed(debug_surface, s, xc, args.build, tmp)
        timed(int8_engine, s, xc, args.build, tmp)
        timed(pipeline, s, xc, args.build, tmp, args.conf)
        timed(engine_layers, s, xc, args.build, tmp)
        timed(tf32_tests, s, xc, args.build, tmp)
        timed(debug_defects, s, xc, args.build, tmp)
        timed(plugins, s, xc, args.build, tmp)
        timed(attention_fusion, s, xc, args.build, tmp)
        timed(surface_tests, s, xc, args.build, tmp)
        timed(lint_tests, s, xc, args.build, tmp)
        timed(verdict_tests, s, xc, args.build, tmp)
        timed(crash_tests, s, xc, args.build, tmp)
        timed(fileio_tests, s, xc, args.build, tmp)
        timed(engine_act_tests, s, xc, args.build, tmp)
        timed(ocl_cases, s, xc, args.build, args.quick_ocl, args.tier == "long")
        timed(tactic_coverage, s, xc, args.build, tmp, None if args.tier == "long" else 6)
        if not args.quick_ocl and args.tier == "long":
            timed(tactic_variants, s, xc, args.build, tmp)
        timed(real_models, s, xc, args.conf, tmp)
        timed(debug_tools, s, xc, args.build, tmp)
        timed(debug_reduce, s, xc, args.build, tmp)
        if not args.skip_conformance:
            timed(conformance, s, xc, args.conf, os.path.join(args.build, "conformance.json"))
            if not args.quick_ocl and args.tier == "long":
                timed(conformance_ocl, s, xc, args.conf)
        if QUEUE is not None:
            run_queued(s, tmp, args.jobs)
    print("%d passed, %d failed" % (s.passed, s.failed))
    sys.exit(1 if s.failed else 0)


if __name__ == "__main__":
    main()
