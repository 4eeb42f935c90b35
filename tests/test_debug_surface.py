"""Issue 16 D4 and Polygraphy's debug surface (called by tests/run_tests.py as section
debug_surface): the debug tools take run's comparison options (one parser), several input sets
(folders, globs, loaded + generated), build for the loaded inputs' shapes, and validate a fix on
fresh generated inputs before reporting it. A two-gemm model with a symbolic batch, both layers
pinned to a non-baseline tactic; planted faults (node-tactic=...) vanish at the baseline."""
import json
import os
import re
import subprocess

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)


def two_gemm_model(path):
    """ya = a @ wa, yb = b @ wb: two independent gemm layers (no fusion), batch symbolic."""
    rng = np.random.default_rng(0)

    def w(name):
        return nh.from_array((rng.standard_normal((16, 16)) * 0.3).astype(np.float32), name)
    nodes = [h.make_node("MatMul", ["a", "wa"], ["ya"], name="ga"), h.make_node("MatMul", ["b", "wb"], ["yb"], name="gb")]
    vi = h.make_tensor_value_info
    g = h.make_graph(nodes, "two_gemm", [vi("a", T.FLOAT, ["n", 16]), vi("b", T.FLOAT, ["n", 16])],
                     [vi("ya", T.FLOAT, ["n", 16]), vi("yb", T.FLOAT, ["n", 16])], [w("wa"), w("wb")])
    onnx.save(h.make_model(g, opset_imports=[h.make_opsetid("", 17)]), path)


def write_sets(folder, n, batch, b_zero):
    """test_data_set_K folders of (a random, b zero or random), batch rows each."""
    rng = np.random.default_rng(7)
    for k in range(n):
        d = os.path.join(folder, "test_data_set_%d" % k)
        os.makedirs(d, exist_ok=True)
        a = rng.random((batch, 16)).astype(np.float32)
        b = np.zeros((batch, 16), np.float32) if b_zero else rng.random((batch, 16)).astype(np.float32)
        for i, (name, v) in enumerate((("a", a), ("b", b))):
            with open(os.path.join(d, "input_%d.pb" % i), "wb") as f:
                f.write(nh.from_array(v, name).SerializeToString())


def sets_line(out):
    m = re.search(r"^every check ran (\d+) input sets? \((\d+) loaded, (\d+) generated\)", out, re.M)
    return tuple(int(x) for x in m.groups()) if m else None


def culprits(out):
    return re.findall(r"^  layer '(\w+)' \(nodes [^)]*\) with tactic", out, re.M)


def two_gemm_fixture(tmp):
    """The two-gemm model in tmp and a replay file pinning both layers to the tiled tactic (the
    candidates of debug tactics): (model path, replay path)."""
    model, pin = os.path.join(tmp, "two_gemm.onnx"), os.path.join(tmp, "pin.json")
    two_gemm_model(model)
    json.dump({"format": "crosscheck-tactics-1", "layers": [{"name": "ga", "tactic": "gemm.tiled_local.16"},
                                                             {"name": "gb", "tactic": "gemm.tiled_local.16"}]}, open(pin, "w"))
    return model, pin


def debug_surface(s, xc, build, tmp):
    tmp = os.path.join(tmp, "debug_surface")
    os.makedirs(tmp, exist_ok=True)
    model, pin = two_gemm_fixture(tmp)
    zero_b, both = os.path.join(tmp, "zero_b"), os.path.join(tmp, "both")
    write_sets(zero_b, 2, 4, True)
    write_sets(both, 1, 4, False)
    base = [xc, "debug", "tactics", model, "--load-tactics", pin, "-o", os.path.join(tmp, "t.json")]
    fa, fb = ["--inject-fault", "node-tactic=ga:bias=1"], ["--inject-fault", "node-tactic=gb:scale=2"]

    # several loaded sets by glob; engines built for their batch of 4 (symbolic n); the fix
    # (ga) is checked on fresh generated sets, where b is not zero and gb's fault shows
    r = run(base + fa + fb + ["--load-inputs", os.path.join(zero_b, "test_data_set_*")])
    s.check("debug tactics --load-inputs GLOB: every check runs both loaded sets, engines built for their batch of 4",
            sets_line(r.stdout) == (2, 2, 0) and "64 of 64 elements" in r.stdout, r.stdout[-2500:] + r.stderr[-800:])
    s.check("a fix that passes the searched sets but fails fresh ones is reported as failing (exit 1, the fresh set named)",
            r.returncode == 1 and culprits(r.stdout) == ["ga"] and "THE FIX FAILS ON FRESH INPUTS: fresh set 1 of 3" in r.stdout
            and re.search(r"check \d+: validation: the 1 culprit switched, on 3 fresh input sets .*: FAILED", r.stdout),
            r.stdout[-2500:] + r.stderr[-800:])
    r = run(base + fa + fb + ["--load-inputs", os.path.join(zero_b, "test_data_set_*"), "--validate-sets", "0"])
    s.check("--validate-sets 0: the fix is reported unvalidated, said so (exit 0)",
            r.returncode == 0 and "not validated on fresh inputs" in r.stdout, r.stdout[-1500:] + r.stderr[-800:])

    # loaded + generated: one loaded set and --iterations 3 gives 3 sets (loading no longer forces one)
    r = run(base + fa + ["--load-inputs", os.path.join(both, "test_data_set_0"), "--iterations", "3"])
    s.check("--load-inputs one set with --iterations 3: 1 loaded + 2 generated sets; the fix validated on 3 fresh sets (exit 0)",
            r.returncode == 0 and sets_line(r.stdout) == (3, 1, 2) and culprits(r.stdout) == ["ga"]
            and "validated on 3 fresh generated input sets" in r.stdout, r.stdout[-2500:] + r.stderr[-800:])
    r = run(base + fa + ["--load-inputs", os.path.join(both, "test_data_set_0"), os.path.join(zero_b, "test_data_set_1")])
    s.check("--load-inputs two folders: two sets", r.returncode == 0 and sets_line(r.stdout) == (2, 2, 0), r.stdout[-1500:] + r.stderr[-800:])
    r = run(base + fa + ["--iterations", "2", "--input-shapes", "a:4x16", "--input-shapes", "b:4x16"])
    s.check("--iterations 2, nothing loaded: two generated sets", r.returncode == 0 and sets_line(r.stdout) == (2, 0, 2),
            r.stdout[-1500:] + r.stderr[-800:])

    # run's comparison options, through run's parser
    r = run(base + fa + fb + ["--val-range", "b:[0,0]"])
    r2 = run(base + fa + fb)
    s.check("--val-range b:[0,0] reaches the generated sets: gb's scale fault is invisible, only ga is named (both without)",
            r.returncode == 0 and culprits(r.stdout) == ["ga"] and sorted(culprits(r2.stdout)) == ["ga", "gb"], r.stdout[-1500:] + r2.stdout[-1500:] + r.stderr[-500:])
    el = ["--inject-fault", "node-tactic=ga:element"]
    r = run(base + el + ["--check-error-stat", "mean", "--atol", "0.1"])
    r2 = run(base + el)
    s.check("--check-error-stat mean --atol 0.1: one element off by 1 passes (mean 1/64); elementwise it fails",
            r.returncode == 0 and "the build passes" in r.stdout and r2.returncode == 0 and culprits(r2.stdout) == ["ga"],
            r.stdout[-1500:] + r.stderr[-500:] + r2.stdout[-800:])
    r = run(base + el + ["--atol", "ya:2", "--rtol", "ya:0"])
    s.check("--atol NAME:X per output: the faulty output within its own tolerance passes",
            r.returncode == 0 and "the build passes" in r.stdout, r.stdout[-1500:] + r.stderr[-500:])
    r = run(base + el + ["--atol", "ya:2", "--rtol", "ya:0", "--check-metric", "ya:snr>=100"])
    s.check("--check-metric ya:snr>=100 (run's output checks, in the pipeline's check step) fails what the tolerance passes",
            r.returncode == 0 and "check 1: the build as given: FAILED" in r.stdout and culprits(r.stdout) == ["ga"],
            r.stdout[-1500:] + r.stderr[-500:])
    check_command(s, xc, tmp, model, pin)
    reduce_phases(s, xc, tmp, os.path.join(tmp, "chain.onnx"))
    repeat_tools(s, xc, tmp, model)
    loaded_shapes(s, xc, tmp)
    r = run(base + el + ["--check-average"])
    s.check("--check-average is refused by the debug tools in one line (exit 2)",
            r.returncode == 2 and "--check-average" in r.stderr, r.stdout[-500:] + r.stderr[-500:])


def check_command(s, xc, tmp, model, pin):
    """--check CMD on tactics, fusions, precision and reduce (one implementation, command_check.c):
    the candidate's plan / replay file handed to the command, --fail-code, --ignore-fail-code,
    repeatable --fail-regex, --show-output."""
    from test_debug_defects import chain_model
    chain = os.path.join(tmp, "chain.onnx")
    chain_model(chain)
    fault = ["--inject-fault", "node-tactic=ga:bias=1"]
    base = [xc, "debug", "tactics", model, "--load-tactics", pin, "-o", os.path.join(tmp, "tc.json")] + fault
    judge = [xc, "run", model, "--ref", "--ocl", "--load-tactics", "{tactics}"] + fault
    r = run(base + ["--fail-regex", "nothing like this", "--fail-regex", "FAILED", "--check"] + judge)
    s.check("debug tactics --check 'run --load-tactics {tactics}' --fail-regex x2: names ga; the second regex matched; unvalidated (said)",
            r.returncode == 0 and culprits(r.stdout) == ["ga"] and "output matches --fail-regex 'FAILED'" in r.stdout
            and "--check judges" in r.stdout, r.stdout[-2000:] + r.stderr[-800:])
    r = run(base + ["--fail-code", "3", "--check"] + judge)
    r2 = run(base + ["--ignore-fail-code", "1", "--check"] + judge)
    s.check("--fail-code 3 (the command exits 1) and --ignore-fail-code 1: every check passes, nothing to debug",
            r.returncode == 0 and r2.returncode == 0 and "the build passes" in r.stdout and "the build passes" in r2.stdout,
            r.stdout[-1000:] + r2.stdout[-1000:] + r.stderr[-500:])
    r = run(base + ["--fail-code", "1", "--show-output", "--check"] + judge)
    s.check("--fail-code 1 --show-output: found, the command's own lines shown under the checks ('  | ')",
            r.returncode == 0 and culprits(r.stdout) == ["ga"] and re.search(r"^\[debug tactics\]   \| ", r.stdout, re.M),
            r.stdout[-2000:] + r.stderr[-500:])
    ff = ["--inject-fault", "node-fusion=mm0"]
    r = run([xc, "debug", "fusions", chain] + ff + ["--check", xc, "run", chain, "--ref", "--plan", "{plan}"] + ff)
    s.check("debug fusions --check 'run --plan {plan}': the candidate's engine plan judged; the fused group of mm0 named",
            r.returncode == 0 and "fused group 'mm0 + add0 + relu0'" in r.stdout and "(exit status 1)" in r.stdout,
            r.stdout[-2000:] + r.stderr[-800:])
    tol = ["--atol", "1e-5", "--rtol", "1e-5"]
    r = run([xc, "debug", "precision", chain, "--fp16", "-o", os.path.join(tmp, "pc.json")] + tol + ["--check", xc, "run", chain, "--ref"] + tol + ["--plan"])
    s.check("debug precision --check 'run --plan' ({plan} appended): searched by the command's exit status",
            r.returncode == 0 and "must stay in fp32" in r.stdout and "check 2: all 4 layers in fp32: PASSED (exit status 0)" in r.stdout,
            r.stdout[-2000:] + r.stderr[-800:])
    r = run([xc, "debug", "reduce", chain, "-o", os.path.join(tmp, "min.onnx"), "--ignore-fail-code", "1", "--check", xc, "run", "{model}", "--ref", "--ocl",
             "--inject-fault", "node=tanh1"])
    s.check("debug reduce takes --ignore-fail-code through the same check (nothing fails: nothing to reduce)",
            r.returncode == 0 and "nothing to reduce" in r.stdout, r.stdout[-1500:] + r.stderr[-800:])
    r = run([xc, "debug", "tactics", model, "--fail-code", "1"])
    s.check("--fail-code without --check: exit 2, one line", r.returncode == 2 and "need --check" in r.stderr, r.stderr[-500:])


def reduce_phases(s, xc, tmp, chain):
    """debug reduce --no-reduce-outputs / --no-reduce-inputs: the graph's outputs, or the model's
    inputs, stay; the other side is still cut (planted fault on tanh1 of the 7-node chain)."""
    want = {(): (["tanh1"], ["m1"], ["t1"]), ("--no-reduce-outputs",): (["tanh1", "mm2", "sm"], ["m1"], ["y"]),
            ("--no-reduce-inputs",): (["mm0", "add0", "relu0", "mm1", "tanh1"], ["x"], ["t1"])}
    for flags, (nodes, ins, outs) in want.items():
        out = os.path.join(tmp, "min%d.onnx" % len(flags[0] if flags else ""))
        r = run([xc, "debug", "reduce", chain, "-o", out, "--inject-fault", "node=tanh1"] + list(flags))
        got = None
        if r.returncode == 0 and os.path.exists(out):
            m = onnx.load(out)
            got = ([n.name for n in m.graph.node], [i.name for i in m.graph.input], [o.name for o in m.graph.output])
        s.check("debug reduce %s: nodes %s, inputs %s, outputs %s" % (" ".join(flags) or "(both phases)", nodes, ins, outs),
                got == (nodes, ins, outs), str(got) + r.stdout[-1500:] + r.stderr[-500:])


def repeat_tools(s, xc, tmp, model):
    """debug build --until good|bad|N and debug repeat: counts, the stop condition, each build's
    tactics kept by verdict. A check command that fails on its third call plays the flaky failure."""
    counter = os.path.join(tmp, "calls")
    flaky = ["--check", "sh", "-c", 'n=$(cat %s 2>/dev/null || echo 0); n=$((n+1)); echo $n > %s; test $n -ne 3' % (counter, counter)]
    lv = ["--builder-optimization-level", "0"]
    for tool in ("repeat", "build"):
        art = os.path.join(tmp, "art_" + tool)
        if os.path.exists(counter):
            os.remove(counter)
        r = run([xc, "debug", tool, model, "--until", "bad", "--artifacts-dir", art] + lv + flaky)
        word = "run" if tool == "repeat" else "build"
        kept = sorted(os.listdir(os.path.join(art, "bad"))) if os.path.isdir(os.path.join(art, "bad")) else []
        want_kept = ["check_03_tactics.json"] if tool == "build" else []
        s.check("debug %s --until bad: stops at the failing third %s (2 good, 1 bad), exit 0; bad build's tactics kept %s" % (tool, word, want_kept),
                r.returncode == 0 and "verdict: 3 %ss: 2 good, 1 bad; first good: %s 1; first bad: %s 3" % (word, word, word) in r.stdout
                and (kept == want_kept or tool == "repeat"), r.stdout[-1500:] + r.stderr[-500:] + str(kept))
    art = os.path.join(tmp, "art_build3")
    r = run([xc, "debug", "build", model, "--until", "3", "--inject-fault", "node=ga", "--artifacts-dir", art] + lv)
    kept = sorted(os.listdir(os.path.join(art, "bad"))) if os.path.isdir(os.path.join(art, "bad")) else []
    s.check("debug build --until 3 with a planted fault: 3 builds, 3 bad, exit 1, the fault announced, 3 replay files in bad/",
            r.returncode == 1 and "verdict: 3 builds: 0 good, 3 bad" in r.stdout and "FAULT INJECTION ON" in r.stdout and len(kept) == 3,
            r.stdout[-1500:] + r.stderr[-500:] + str(kept))
    r = run([xc, "debug", "build", model, "--until", "good", "--max-runs", "2", "--inject-fault", "node=ga"] + lv)
    s.check("debug build --until good --max-runs 2 that never passes: exit 1, said", r.returncode == 1 and "no good build in 2 builds" in r.stdout,
            r.stdout[-1000:] + r.stderr[-500:])
    r = run([xc, "debug", "build", model, "--until", "good"] + lv)
    s.check("debug build --until good on a passing model: one build, exit 0",
            r.returncode == 0 and "verdict: 1 build: 1 good, 0 bad" in r.stdout, r.stdout[-1000:] + r.stderr[-500:])


def loaded_shapes(s, xc, tmp):
    """Engines are built for the loaded inputs' shapes (as run's): a [batch, seq, 16] model fed a
    2x3x16 set used to fail check 1 ("built for float32[1,1,16]") in every debug tool."""
    from test_debug_defects import dynamic_model
    model, sets = os.path.join(tmp, "dynamic.onnx"), os.path.join(tmp, "dyn_sets", "test_data_set_0")
    dynamic_model(model)
    os.makedirs(sets, exist_ok=True)
    with open(os.path.join(sets, "input_0.pb"), "wb") as f:
        f.write(nh.from_array(np.random.default_rng(3).random((2, 3, 16)).astype(np.float32), "x").SerializeToString())
    fault = ["--inject-fault", "node=relu0", "--load-inputs", sets]
    r = run([xc, "debug", "tactics", model, "-o", os.path.join(tmp, "dyn_t.json")] + fault)
    s.check("debug tactics --load-inputs of a 2x3x16 set on a symbolic model: built for it (check 1 runs and fails on the fault)",
            "check 1: the build as given: FAILED" in r.stdout and "built for" not in r.stderr, r.stdout[-1500:] + r.stderr[-800:])
    r = run([xc, "debug", "reduce", model, "-o", os.path.join(tmp, "dyn_min.onnx")] + fault)
    s.check("debug reduce --load-inputs of a 2x3x16 set: reduced to relu0", r.returncode == 0 and "nodes: relu0 (Relu)" in r.stdout,
            r.stdout[-1500:] + r.stderr[-800:])
