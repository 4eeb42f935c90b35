"""Regression tests for the debug tools' defects of issue 16 (called by tests/run_tests.py as
section debug_defects): each check fails on the code before its fix. Small models made here with
onnx.helper, level-0 builds except where timing is what is checked."""
import json
import os
import subprocess

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)


def weight(rng, name, *shape):
    return nh.from_array((rng.standard_normal(shape) * 0.3).astype(np.float32), name)


def chain_model(path):
    """MatMul+Add+Relu, MatMul, Tanh, MatMul, Softmax on a 4x16 input: 7 nodes, a fusion, gemms."""
    rng = np.random.default_rng(0)
    nodes = [h.make_node("MatMul", ["x", "w0"], ["m0"], name="mm0"), h.make_node("Add", ["m0", "b0"], ["a0"], name="add0"),
             h.make_node("Relu", ["a0"], ["r0"], name="relu0"), h.make_node("MatMul", ["r0", "w1"], ["m1"], name="mm1"),
             h.make_node("Tanh", ["m1"], ["t1"], name="tanh1"), h.make_node("MatMul", ["t1", "w2"], ["m2"], name="mm2"),
             h.make_node("Softmax", ["m2"], ["y"], name="sm", axis=-1)]
    g = h.make_graph(nodes, "chain", [h.make_tensor_value_info("x", T.FLOAT, [4, 16])], [h.make_tensor_value_info("y", T.FLOAT, [4, 16])],
                     [weight(rng, "w0", 16, 16), weight(rng, "b0", 16), weight(rng, "w1", 16, 16), weight(rng, "w2", 16, 16)])
    onnx.save(h.make_model(g, opset_imports=[h.make_opsetid("", 17)]), path)


def dynamic_model(path):
    """A PyTorch-export-like model: symbolic batch/seq dims and a Shape->Gather->Concat->Reshape,
    so the source model's inference cannot tell the middle tensors' dims."""
    rng = np.random.default_rng(1)

    def c(name, v):
        return nh.from_array(np.array(v, dtype=np.int64), name)
    nodes = [h.make_node("MatMul", ["x", "w0"], ["m0"], name="mm0"), h.make_node("Shape", ["x"], ["shp"], name="shape"),
             h.make_node("Gather", ["shp", "i0"], ["d0"], name="g0", axis=0), h.make_node("Unsqueeze", ["d0", "ax0"], ["d0u"], name="u0"),
             h.make_node("Concat", ["d0u", "rest"], ["newshape"], name="cat", axis=0),
             h.make_node("Reshape", ["m0", "newshape"], ["rs"], name="reshape"), h.make_node("Relu", ["rs"], ["r0"], name="relu0"),
             h.make_node("Reshape", ["r0", "back"], ["rb"], name="reshape_back"), h.make_node("MatMul", ["rb", "w1"], ["m1"], name="mm1"),
             h.make_node("Tanh", ["m1"], ["y"], name="tanh1")]
    g = h.make_graph(nodes, "dynamic", [h.make_tensor_value_info("x", T.FLOAT, ["batch", "seq", 16])],
                     [h.make_tensor_value_info("y", T.FLOAT, ["batch", "seq", 16])],
                     [weight(rng, "w0", 16, 16), weight(rng, "w1", 16, 16), c("i0", 0), c("ax0", [0]), c("rest", [-1, 4, 4]),
                      c("back", [0, -1, 16])])
    onnx.save(h.make_model(g, opset_imports=[h.make_opsetid("", 17)]), path)


def full_shapes(m):
    """Every graph output has a type and every dim a value or a name."""
    for o in m.graph.output:
        t = o.type.tensor_type
        if not t.elem_type or not t.HasField("shape") or any(not d.HasField("dim_value") and not d.HasField("dim_param") for d in t.shape.dim):
            return False
    return True


def checker_ok(path):
    try:
        m = onnx.load(path)
        onnx.checker.check_model(m, full_check=True)
        inferred = onnx.shape_inference.infer_shapes(m, strict_mode=True)
        return full_shapes(m) and full_shapes(inferred), ""
    except Exception as e:  # the checker's message is the detail
        return False, str(e)[:500]


def timing_cache(s, xc, model, tmp):
    """D2: --timing-cache with --tactics stores the subset's timings; a rebuild times nothing."""
    cache, plan = os.path.join(tmp, "subset_cache.json"), os.path.join(tmp, "subset.plan")
    timed = []
    for _ in range(2):
        r = run([xc, "build", model, "--builder-optimization-level", "1", "--tactics", "gemm.naive", "--tactics", "gemm.tiled*",
                 "--timing-cache", cache, "-o", plan])
        timed.append(json.load(open(plan)).get("timed_layers", -1) if r.returncode == 0 else -1)
    entries = json.load(open(cache)).get("entries", []) if os.path.exists(cache) else []
    s.check("--timing-cache with --tactics: the first build stores %d timings, the rebuild times %s layers (was all again)"
            % (len(entries), timed[1]), timed[0] > 0 and timed[1] == 0 and len(entries) >= timed[0] and
            all(e["key"].endswith("|tactics=gemm.naive,gemm.tiled*") for e in entries), str(timed) + r.stderr[-1000:])
    r = run([xc, "build", model, "--builder-optimization-level", "0", "--timing-cache", os.path.join(tmp, "level0_cache.json"), "-o", plan])
    s.check("--timing-cache at level 0 says in one warning that nothing was timed, so nothing is stored",
            r.returncode == 0 and "--timing-cache" in r.stderr and "nothing was stored" in r.stderr, r.stderr[-1000:])


def reduce_defects(s, xc, chain, dynamic, tmp):
    """D5: no 'replayed from (null)'; D6: reduced and extracted models pass onnx.checker's full
    check with every output dim known."""
    out = os.path.join(tmp, "false_min.onnx")
    r = run([xc, "debug", "reduce", chain, "-o", out, "--check", "false"])
    s.check("debug reduce --check false: exit 0, no '(null)', repeats not called replays without --replay",
            r.returncode == 0 and "(null)" not in r.stdout and "replayed" not in r.stdout, r.stdout[-2000:] + r.stderr[-500:])
    out = os.path.join(tmp, "dyn_min.onnx")
    r = run([xc, "debug", "reduce", dynamic, "--input-shapes", "x:2x3x16", "--inject-fault", "node=relu0", "-o", out])
    ok, why = checker_ok(out) if r.returncode == 0 else (False, r.stdout[-1500:] + r.stderr[-500:])
    s.check("debug reduce on a symbolic-shape model: the reduced model passes onnx.checker (full) with every output dim known", ok, why)
    out = os.path.join(tmp, "dyn_extract.onnx")
    r = run([xc, "surgeon", "extract", dynamic, "--inputs", "rs:[2,3,4,4]:float32", "--outputs", "rb", "-o", out])
    ok, why = checker_ok(out) if r.returncode == 0 else (False, r.stderr[-500:])
    dims = [d.dim_value for d in onnx.load(out).graph.output[0].type.tensor_type.shape.dim] if ok else []
    s.check("surgeon extract gives the output its inferred shape [2,3,16] (passes onnx.checker full)", ok and dims == [2, 3, 16], why + str(dims))


def output_paths(s, xc, chain, tmp):
    """D7: an unwritable output path fails at once, before the reference or any build runs."""
    missing = os.path.join(tmp, "no_such_dir")
    cases = [(["debug", "tactics", chain, "-o", missing + "/t.json"], "-o"),
             (["debug", "precision", chain, "--fp16", "-o", missing + "/p.json"], "-o"),
             (["debug", "fusions", chain, "--artifacts-dir", missing + "/a/b"], "--artifacts-dir"),
             (["debug", "reduce", chain, "-o", missing + "/r.onnx"], "-o"),
             (["debug", "reduce", chain, "-o", os.path.join(tmp, "r.onnx"), "--min-good", missing + "/g.onnx"], "--min-good"),
             (["debug", "reduce", chain, "-o", os.path.join(tmp, "r.onnx"), "--replay", missing + "/r.json"], "--replay")]
    for args, option in cases:
        r = run([xc] + args + ["--inject-fault", "node=mm1"])
        s.check("debug %s with %s in a missing folder: exit 2 at once, one line naming it" % (args[1], option),
                r.returncode == 2 and r.stdout == "" and len(r.stderr.strip().splitlines()) == 1 and option in r.stderr
                and "no_such_dir" in r.stderr, r.stdout[-1000:] + r.stderr[-500:])


def masked_model(path):
    """MatMul -> Abs -> Neg -> Relu -> Add(x): the Relu zeroes whatever the MatMul computes, so
    an error planted in the MatMul fails its per-layer row and never reaches the output."""
    nodes = [h.make_node("MatMul", ["x", "w"], ["m"], name="mm"), h.make_node("Abs", ["m"], ["a"], name="abs"),
             h.make_node("Neg", ["a"], ["n"], name="neg"), h.make_node("Relu", ["n"], ["r"], name="relu"),
             h.make_node("Add", ["r", "x"], ["y"], name="add")]
    g = h.make_graph(nodes, "masked", [h.make_tensor_value_info("x", T.FLOAT, [2, 8])], [h.make_tensor_value_info("y", T.FLOAT, [2, 8])],
                     [weight(np.random.default_rng(2), "w", 8, 8)])
    onnx.save(h.make_model(g, opset_imports=[h.make_opsetid("", 17)]), path)


def per_layer_verdict(s, xc, masked, tmp):
    """D10: a failing per-layer row fails the run by default (Polygraphy's mark all); with
    --per-layer-verdict outputs only the outputs decide, and both say so in the line and JSON."""
    js = os.path.join(tmp, "masked.json")
    base = [xc, "run", masked, "--ref", "--ocl", "--inject-fault", "node=mm:scale=1.01", "--json", js]
    for extra, code, passed, said in (([], 1, False, "(counted"), (["--per-layer=isolated"], 1, False, "(counted"),
                                      (["--per-layer-verdict", "outputs"], 0, True, "(not counted: --per-layer-verdict outputs)")):
        r = run(base + (["--per-layer"] if "--per-layer=isolated" not in extra else []) + extra)
        j = json.load(open(js)) if os.path.exists(js) and r.returncode in (0, 1) else {}
        last = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""
        s.check("run --per-layer %s on a fault the output hides: exit %d, \"passed\": %s, the report line and JSON say what decided"
                % (" ".join(extra) or "(default)", code, str(passed).lower()),
                r.returncode == code and j.get("passed") is passed and j.get("failed_layers") == 1 and "per-layer: 1 failing row " + said in last
                and j.get("verdict_from") == ("outputs and per-layer rows" if code else "outputs (--per-layer-verdict outputs)"),
                last + "\n" + str({k: j.get(k) for k in ("passed", "failed_layers", "verdict_from")}) + r.stderr[-500:])
        os.path.exists(js) and os.remove(js)
    r = run([xc, "run", masked, "--ref", "--ocl", "--per-layer", "--json", js])
    s.check("run --per-layer without a fault: exit 0, 0 failing rows", r.returncode == 0 and json.load(open(js)).get("failed_layers") == 0,
            r.stdout[-1000:])


def fault_effects(s, xc, masked):
    """D11: an unknown effect after the last ':' is an error listing the known ones, not part
    of the pattern; a name with ':' in it still reads as a pattern."""
    for spec in ("node=mm:foo=1", "node=mm:scal=2"):
        r = run([xc, "run", masked, "--ref", "--ocl", "--inject-fault", spec])
        s.check("--inject-fault %s: exit 2, one line naming the known effects" % spec,
                r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "unknown effect" in r.stderr
                and "bias=X, scale=X, nan, element" in r.stderr, r.stderr[-500:])
    r = run([xc, "run", masked, "--ref", "--ocl", "--inject-fault", "node=onnx::MatMul_1", "--inject-fault", "node=scope:x"])
    s.check("--inject-fault node=onnx::MatMul_1 and node=scope:x are patterns (warned: match no layer)", r.returncode == 0 and "matches no layer" in r.stderr,
            r.stderr[-500:])


def overflow_model(path):
    """x @ w0 * 1e5 @ w1 * 1e-5: the middle overflows fp16, so debug precision has work."""
    rng = np.random.default_rng(3)
    nodes = [h.make_node("MatMul", ["x", "w0"], ["m0"], name="mm0"), h.make_node("Mul", ["m0", "big"], ["b"], name="blow_up"),
             h.make_node("MatMul", ["b", "w1"], ["m1"], name="mm1"), h.make_node("Mul", ["m1", "small"], ["y"], name="shrink")]
    inits = [weight(rng, "w0", 16, 16), weight(rng, "w1", 16, 16), nh.from_array(np.array(1e5, np.float32), "big"),
             nh.from_array(np.array(1e-5, np.float32), "small")]
    g = h.make_graph(nodes, "overflow", [h.make_tensor_value_info("x", T.FLOAT, [4, 16])], [h.make_tensor_value_info("y", T.FLOAT, [4, 16])],
                     inits)
    onnx.save(h.make_model(g, opset_imports=[h.make_opsetid("", 17)]), path)


def artifacts(s, xc, chain, overflow, tmp):
    """D12: --artifacts-dir keeps one file per check of every bisecting tool, sorted by verdict
    into good/ and bad/ (check 1, the failing build, in bad/)."""
    import re
    pin = os.path.join(tmp, "pin.json")
    json.dump({"format": "crosscheck-tactics-1", "layers": [{"name": "mm1 + tanh1", "tactic": "gemm.tiled_local.16"}]}, open(pin, "w"))
    for tool, args, suffix in (
            ("tactics", [chain, "--inject-fault", "node-tactic=mm1", "--load-tactics", pin, "-o", os.path.join(tmp, "t.json")], "tactics.json"),
            ("fusions", [chain, "--inject-fault", "node-fusion=mm0"], "options.json"),
            ("precision", [overflow, "--fp16", "--atol", "3e-2", "--rtol", "3e-2", "-o", os.path.join(tmp, "p.json")], "precision.json")):
        art = os.path.join(tmp, "art_" + tool)
        r = run([xc, "debug", tool] + args + ["--artifacts-dir", art])
        verdicts = dict((int(n), v) for n, v in re.findall(r"^\[debug \w+\] check (\d+): .*: (PASSED|FAILED)", r.stdout, re.M))
        kept = {}
        for v in ("good", "bad"):
            for f in os.listdir(os.path.join(art, v)) if os.path.isdir(os.path.join(art, v)) else []:
                m = re.match(r"check_(\d+)_", f)
                kept[int(m.group(1))] = ("PASSED" if v == "good" else "FAILED", f) if m else None
        want = {n: v for n, v in verdicts.items() if n > 1}
        ok = r.returncode == 0 and len(verdicts) >= 2 and kept.get(1, ("", ""))[0] == "FAILED" and \
            all(kept.get(n, ("", ""))[0] == v and kept[n][1].endswith(suffix) for n, v in want.items()) and len(kept) == len(verdicts)
        s.check("debug %s --artifacts-dir: every one of its %d checks kept in good/ or bad/ by its verdict (check_NN_%s)"
                % (tool, len(verdicts), suffix), ok, str(sorted(kept.items())) + "\n" + r.stdout[-2000:] + r.stderr[-500:])


def masked_attention_model(path):
    """BERT-like: an attention mask computed from constants holds -inf on purpose (clamped before
    use), and a Sqrt of (softmax - 0.5) makes a real NaN from the inputs."""
    rng = np.random.default_rng(4)
    cond = nh.from_array(np.array([[True] * 6 + [False] * 2] * 4), "keep")
    nodes = [h.make_node("Where", ["keep", "zero", "ninf"], ["mask"], name="make_mask"),
             h.make_node("Max", ["mask", "floor"], ["bias"], name="clamp_mask"),
             h.make_node("MatMul", ["x", "w"], ["scores"], name="scores_mm"), h.make_node("Add", ["scores", "bias"], ["masked"], name="add_mask"),
             h.make_node("Softmax", ["masked"], ["probs"], name="softmax", axis=-1), h.make_node("Sub", ["probs", "half"], ["centred"], name="centre"),
             h.make_node("Sqrt", ["centred"], ["y"], name="sqrt")]
    inits = [cond, weight(rng, "w", 8, 8), nh.from_array(np.array(0, np.float32), "zero"), nh.from_array(np.array(-np.inf, np.float32), "ninf"),
             nh.from_array(np.array(-1e4, np.float32), "floor"), nh.from_array(np.array(0.5, np.float32), "half")]
    g = h.make_graph(nodes, "mask", [h.make_tensor_value_info("x", T.FLOAT, [4, 8])], [h.make_tensor_value_info("y", T.FLOAT, [4, 8])], inits)
    onnx.save(h.make_model(g, opset_imports=[h.make_opsetid("", 17)]), path)


def first_nan(s, xc, model, tmp):
    """D13: --first-nan names the first NaN/Inf that depends on the inputs; a constant-derived
    one (the mask's -inf) is shown apart, marked constant-derived."""
    js = os.path.join(tmp, "first_nan.json")
    r = run([xc, "run", model, "--ref", "--ocl", "--first-nan", "--json", js])
    j = json.load(open(js)) if os.path.exists(js) else {}
    runners = {x["name"]: x.get("first_nan", [{}])[0] for x in j.get("runners", [])}
    ref = runners.get("ref", {})
    s.check("--first-nan (ref): the input-dependent NaN of 'sqrt' is the answer, the -inf mask is marked constant-derived",
            ref.get("found") and ref.get("tensor") == "y" and ref.get("value") == "nan" and
            ref.get("constant_derived", {}).get("tensor") == "mask" and ref["constant_derived"].get("value") == "-inf"
            and "constant-derived, not counted" in r.stdout, json.dumps(runners) + "\n" + r.stdout[-1500:] + r.stderr[-500:])
    s.check("--first-nan (ocl): the same input-dependent NaN", runners.get("ocl", {}).get("tensor") == "y", json.dumps(runners))


def one_gemm_model(path):
    """MatMul -> Softmax: one layer to tune (6 candidates on a CPU device), so the cold compile
    cost of tuning stays a few programs."""
    g = h.make_graph([h.make_node("MatMul", ["x", "w"], ["m"], name="mm"), h.make_node("Softmax", ["m"], ["y"], name="sm", axis=-1)], "one_gemm",
                     [h.make_tensor_value_info("x", T.FLOAT, [4, 16])], [h.make_tensor_value_info("y", T.FLOAT, [4, 16])],
                     [weight(np.random.default_rng(6), "w", 16, 16)])
    onnx.save(h.make_model(g, opset_imports=[h.make_opsetid("", 17)]), path)


def tuning_progress(s, xc, model, tmp):
    """D1: tuning shows progress on stderr in build, run --ocl, bench and the debug tools: one
    plain line per layer timed when stderr is not a terminal, a bar when it is, nothing under
    -q; CPU devices time only the smallest tile of gemm's big-tile tactics (6 candidates for a
    vec4-friendly MatMul, not 12)."""
    import re
    plan = os.path.join(tmp, "progress.plan")
    lv = ["--builder-optimization-level", "3"]
    r = run([xc, "build", model, "-o", plan] + lv)
    lines = re.findall(r"^crosscheck: tuning (\d+)/(\d+): layer '([^']*)': (\d+) tactics? timed, (\S+) fastest", r.stderr, re.M)
    s.check("build (stderr not a terminal): one progress line per layer timed (the gemm layer, 1/2)",
            r.returncode == 0 and [(d, t, name) for d, t, name, _, _ in lines] == [("1", "2", "mm")], r.stderr[-1500:])
    cpu = "pthread" in r.stdout or "cpu" in r.stdout.lower()
    counts = [int(n) for _, _, _, n, _ in lines]
    s.check("on a CPU device a gemm layer times 6 candidates (naive, 3 tiled_local, the smallest reg_blocked and vec4 tiles)",
            not cpu or counts == [6], "%s (cpu device: %s)" % (counts, cpu))
    for args in (["run", model, "--ref", "--ocl"] + lv, ["bench", model, "--iterations", "1"] + lv,
                 ["debug", "tactics", model, "--inject-fault", "node=mm", "-o", os.path.join(tmp, "progress_tactics.json")] + lv):
        r = run([xc] + args)
        s.check("%s: tuning progress lines on stderr" % args[0] + (" " + args[1] if args[0] == "debug" else ""),
                r.returncode in (0, 1) and len(re.findall(r"^crosscheck: tuning 1/2: layer 'mm'", r.stderr, re.M)) == 1, r.stderr[-1500:])
    r = run([xc, "-q", "build", model, "-o", plan] + lv)
    s.check("build -q: no progress lines", r.returncode == 0 and "tuning" not in r.stderr, r.stderr[-800:])
    import pty
    master, slave = pty.openpty()
    p = subprocess.Popen([xc, "build", model, "-o", plan] + lv, stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    p.wait(timeout=300)
    os.close(master)
    text = out.decode(errors="replace")
    s.check("build on a terminal: a progress bar redrawn in place (layers done/total, the tactic being timed)",
            p.returncode == 0 and "\r[" in text and "2/2" in text and "gemm." in text and "crosscheck: tuning" not in text, repr(text[-600:]))


def fusion_pass_first(s, xc, chain):
    """D9: debug fusions tries each pass alone before bisecting: a wholly bad pass is answered by
    its --disable-fusion check before any group check, and the search stays among its groups."""
    import re
    r = run([xc, "debug", "fusions", chain, "--inject-fault", "fusion=gemm_bias_act:element"])
    whats = re.findall(r"^\[debug fusions\] check \d+: (.*): (PASSED|FAILED)", r.stdout, re.M)
    first_group = next((i for i, (w, _) in enumerate(whats) if "groups unfused" in w), len(whats))
    ok = r.returncode == 0 and len(whats) > 2 and whats[1] == ("--disable-fusion gemm_bias_act alone", "PASSED") and first_group > 1 \
        and "--disable-fusion gemm_bias_act alone fixes it" in r.stdout and r.stdout.count("fused group '") == 2 \
        and not any("--disable-fusion" in w for w, _ in whats[first_group:])
    s.check("debug fusions on a wholly bad pass: --disable-fusion gemm_bias_act alone is check 2, then its 2 groups are named (%d checks)"
            % len(whats), ok, r.stdout[-2500:])


def gemm_chain_model(path, n=12):
    """n fused MatMul+Add+Relu groups in a row (n candidates for debug fusions)."""
    rng = np.random.default_rng(5)
    nodes, inits, x = [], [], "x"
    for i in range(n):
        nodes += [h.make_node("MatMul", [x, "w%d" % i], ["m%d" % i], name="g%d" % i), h.make_node("Add", ["m%d" % i, "b%d" % i], ["a%d" % i], name="g%d_bias" % i),
                  h.make_node("Relu", ["a%d" % i], ["r%d" % i], name="g%d_relu" % i)]
        inits += [nh.from_array((rng.standard_normal((8, 8)) * 0.5 + np.eye(8)).astype(np.float32), "w%d" % i), weight(rng, "b%d" % i, 8)]
        x = "r%d" % i
    g = h.make_graph(nodes, "gemm_chain", [h.make_tensor_value_info("x", T.FLOAT, [2, 8])], [h.make_tensor_value_info(x, T.FLOAT, [2, 8])], inits)
    onnx.save(h.make_model(g, opset_imports=[h.make_opsetid("", 17)]), path)


def linear_cost(s, xc, model):
    """D8: --mode linear finds k culprits in about N checks, not k*N: after the first culprit it
    walks down from it. 4 culprits at the back of 12 groups: was 45 checks."""
    import re
    faults = []
    for i in (8, 9, 10, 11):
        faults += ["--inject-fault", "node-fusion=g%d" % i]
    r = run([xc, "debug", "fusions", model, "--mode", "linear"] + faults)
    checks = len(re.findall(r"^\[debug fusions\] check \d+:", r.stdout, re.M))
    named = sorted(re.findall(r"fused group 'g(\d+) \+", r.stdout))
    s.check("debug fusions --mode linear: 4 culprits among 12 groups in %d checks (<= N + 2k + 4 = 24)" % checks,
            r.returncode == 0 and named == ["10", "11", "8", "9"] and 0 < checks <= 24, r.stdout[-2500:])


def reproduce_shapes(s, xc, dynamic):
    """The reproduce command keeps --input-shapes' dims (the option's text was cut at ':' when
    parsed, so it printed '--input-shapes x')."""
    r = run([xc, "debug", "tactics", dynamic, "--input-shapes", "x:[2,3,16]", "--inject-fault", "node=mm1:scale=1.1", "-o",
             os.devnull])
    s.check("debug tactics' reproduce command keeps --input-shapes x:[2,3,16] whole",
            r.returncode == 1 and "--input-shapes 'x:[2,3,16]'" in r.stdout, r.stdout[-1500:] + r.stderr[-500:])


def debug_defects(s, xc, build, tmp):
    tmp = os.path.join(tmp, "debug_defects")
    os.makedirs(tmp, exist_ok=True)
    chain, dynamic = os.path.join(tmp, "chain.onnx"), os.path.join(tmp, "dynamic.onnx")
    masked = os.path.join(tmp, "masked.onnx")
    masked_model(masked)
    per_layer_verdict(s, xc, masked, tmp)
    fault_effects(s, xc, masked)
    attention = os.path.join(tmp, "attention_mask.onnx")
    masked_attention_model(attention)
    first_nan(s, xc, attention, tmp)
    chain_model(chain)
    dynamic_model(dynamic)
    reproduce_shapes(s, xc, dynamic)
    one_gemm = os.path.join(tmp, "one_gemm.onnx")
    one_gemm_model(one_gemm)
    timing_cache(s, xc, one_gemm, tmp)
    reduce_defects(s, xc, chain, dynamic, tmp)
    output_paths(s, xc, chain, tmp)
    overflow = os.path.join(tmp, "overflow.onnx")
    overflow_model(overflow)
    artifacts(s, xc, chain, overflow, tmp)
    tuning_progress(s, xc, one_gemm, tmp)
    fusion_pass_first(s, xc, chain)
    gemm_chain = os.path.join(tmp, "gemm_chain.onnx")
    gemm_chain_model(gemm_chain)
    linear_cost(s, xc, gemm_chain)
