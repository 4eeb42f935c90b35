"""Issue 16 D3 (called by tests/run_tests.py as section reduce_masked): a planted scale=1.001 that
the graph outputs mask (a scaled MatMul before a LayerNormalization, Softmax rows scaled then
normalised again, a scaled Conv before an InstanceNormalization) passes `run` on its outputs, so
a check that judges outputs alone sees nothing. The built-in check of `debug reduce` and of the
bisections judges every tensor the engine and the reference both compute by run --per-layer's
rule: at default settings reduce cuts the model down to the planted node (the result passes
onnx.checker), debug tactics and fusions name the planted layer; --per-layer-verdict outputs
brings back the outputs-only judgement (nothing to reduce, nothing to debug), and a replay file
recorded under one judgement is not reused under the other."""
import json
import os
import re
import subprocess

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh

FAULT = "scale=1.001"


def run(cmd, timeout=300):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def out(r):
    return "rc %d\n%s%s" % (r.returncode, r.stdout[-2500:], r.stderr[-1000:])


def weights(rng, name, *shape):
    return nh.from_array((rng.standard_normal(shape) * 0.5).astype(np.float32), name)


def save(path, nodes, inputs, outputs, inits):
    m = h.make_model(h.make_graph(nodes, "masked", inputs, outputs, inits), opset_imports=[h.make_opsetid("", 17)])
    onnx.checker.check_model(m, full_check=True)
    onnx.save(m, path)
    return path


def mm_layernorm(path):
    """x @ w0 -> Relu (fused: a group) -> @ w1 ('mm') -> LayerNormalization -> + x. A scale on
    'mm' (or on the fused group before it) is removed by the LayerNormalization."""
    rng = np.random.default_rng(0)
    vi = h.make_tensor_value_info
    nodes = [h.make_node("MatMul", ["x", "w0"], ["a"], name="mm0"), h.make_node("Relu", ["a"], ["b"], name="relu0"),
             h.make_node("MatMul", ["b", "w1"], ["c"], name="mm"),
             h.make_node("LayerNormalization", ["c", "g", "be"], ["d"], name="ln", axis=-1),
             h.make_node("Add", ["d", "x"], ["y"], name="res")]
    inits = [weights(rng, "w0", 16, 16), weights(rng, "w1", 16, 16), nh.from_array(np.ones(16, np.float32), "g"),
             nh.from_array(np.zeros(16, np.float32), "be")]
    return save(path, nodes, [vi("x", T.FLOAT, [4, 16])], [vi("y", T.FLOAT, [4, 16])], inits)


def softmax_renorm(path):
    """x @ w -> Softmax ('sm') -> divided by its own row sum: a scale on the Softmax cancels."""
    rng = np.random.default_rng(1)
    vi = h.make_tensor_value_info
    nodes = [h.make_node("MatMul", ["x", "w"], ["a"], name="proj"), h.make_node("Softmax", ["a"], ["p"], name="sm", axis=-1),
             h.make_node("ReduceSum", ["p", "axes"], ["s"], name="rowsum", keepdims=1),
             h.make_node("Div", ["p", "s"], ["y"], name="renorm")]
    inits = [weights(rng, "w", 16, 16), nh.from_array(np.array([-1], np.int64), "axes")]
    return save(path, nodes, [vi("x", T.FLOAT, [4, 16])], [vi("y", T.FLOAT, [4, 16])], inits)


def conv_instnorm(path):
    """Conv ('conv') -> InstanceNormalization -> Relu: a scale on the Conv is normalised away."""
    rng = np.random.default_rng(2)
    vi = h.make_tensor_value_info
    nodes = [h.make_node("Conv", ["x", "w"], ["c"], name="conv", pads=[1, 1, 1, 1]),
             h.make_node("InstanceNormalization", ["c", "g", "be"], ["n"], name="inorm"),
             h.make_node("Relu", ["n"], ["y"], name="act")]
    inits = [weights(rng, "w", 4, 3, 3, 3), nh.from_array(np.ones(4, np.float32), "g"),
             nh.from_array(np.zeros(4, np.float32), "be")]
    return save(path, nodes, [vi("x", T.FLOAT, [1, 3, 8, 8])], [vi("y", T.FLOAT, [1, 4, 8, 8])], inits)


def triage(xc, model, folder, fault):
    """`crosscheck triage` with one planted fault: (the process, report.json or None)."""
    r = run([xc, "triage", model, "-o", folder, "--no-graph", "--inject-fault", fault])
    try:
        return r, json.load(open(os.path.join(folder, "report.json")))
    except (OSError, ValueError):
        return r, None


def reduce_masked(s, xc, build, tmp):
    tmp = os.path.join(tmp, "reduce_masked")
    os.makedirs(tmp, exist_ok=True)
    cases = [("MatMul -> LayerNormalization", mm_layernorm(os.path.join(tmp, "mm_ln.onnx")), "mm"),
             ("Softmax -> row renormalisation", softmax_renorm(os.path.join(tmp, "sm_renorm.onnx")), "sm"),
             ("Conv -> InstanceNormalization", conv_instnorm(os.path.join(tmp, "conv_in.onnx")), "conv")]
    for what, model, node in cases:
        fault = ["--inject-fault", "node=%s:%s" % (node, FAULT)]
        r = run([xc, "run", model, "--ref", "--ocl"] + fault)
        s.check("%s, %s planted on '%s': run (outputs only) passes: the outputs mask it" % (what, FAULT, node),
                r.returncode == 0 and "FAULT INJECTION ON" in r.stderr, out(r))
        j = os.path.join(tmp, node + "_pl.json")
        r = run([xc, "run", model, "--ref", "--ocl", "--per-layer", "--json", j] + fault)
        pl = json.load(open(j))["per_layer"] if os.path.exists(j) else None
        first = [L for L in pl["layers"] if L["layer"] == pl["first_divergence"]] if pl else []
        s.check("%s: run --per-layer fails and names '%s' as the first divergence" % (what, node),
                r.returncode == 1 and first and node in first[0]["nodes"], out(r))
        small = os.path.join(tmp, node + "_min.onnx")
        r = run([xc, "debug", "reduce", model, "-o", small] + fault)
        kept = [n.name for n in onnx.load(small).graph.node] if os.path.exists(small) else []
        try:
            onnx.checker.check_model(onnx.load(small), full_check=True)
            checked = ""
        except Exception as e:  # noqa: BLE001 - reported as the failure
            checked = str(e)[:300]
        s.check("%s: debug reduce at default settings fails on a layer, cuts the model down to the planted node "
                "(kept %s), the result passes onnx.checker" % (what, kept),
                r.returncode == 0 and kept == [node] and not checked
                and re.search(r"check 1: the build as given: FAILED \(iteration 0, layer '[^']*', tensor", r.stdout)
                and "--per-layer" in r.stdout.split("reproduce the failure")[-1], out(r) + checked)
        r = run([xc, "debug", "reduce", model, "-o", os.path.join(tmp, node + "_out.onnx"),
                 "--per-layer-verdict", "outputs"] + fault)
        s.check("%s: debug reduce --per-layer-verdict outputs (the old judgement): nothing to reduce" % what,
                r.returncode == 0 and "passes the check (1 check): nothing to reduce" in r.stdout, out(r))

    # the replay key includes the judgement: an outputs-only PASSED is not replayed for layers
    model = cases[0][1]
    fault = ["--inject-fault", "node=mm:%s" % FAULT]
    replay, small = os.path.join(tmp, "replay.json"), os.path.join(tmp, "replay_min.onnx")
    r1 = run([xc, "debug", "reduce", model, "-o", small, "--replay", replay, "--per-layer-verdict", "outputs"] + fault)
    r2 = run([xc, "debug", "reduce", model, "-o", small, "--replay", replay] + fault)
    s.check("a replay file recorded with --per-layer-verdict outputs (check 1 PASSED) is not reused when layers judge: "
            "the rerun fails check 1 and reduces to 'mm'",
            r1.returncode == 0 and "nothing to reduce" in r1.stdout and r2.returncode == 0
            and "check 1: the build as given: FAILED" in r2.stdout and "replayed from" not in r2.stdout
            and os.path.exists(small) and [n.name for n in onnx.load(small).graph.node] == ["mm"], out(r1) + out(r2))

    # the bisections share the check: debug tactics (mm pinned to a non-baseline tactic, the fault on
    # it) and debug fusions (the fused MatMul+Relu group) name the planted layer at default settings
    pin = os.path.join(tmp, "pin.json")
    json.dump({"format": "crosscheck-tactics-1", "layers": [{"name": "mm", "tactic": "gemm.tiled_local.16"}]}, open(pin, "w"))
    tools = [("tactics", "a masked node-tactic=mm:%s" % FAULT, "layer 'mm' (nodes mm) with tactic gemm.tiled_local.16 is wrong",
              ["--load-tactics", pin, "-o", os.path.join(tmp, "t.json"), "--inject-fault", "node-tactic=mm:%s" % FAULT]),
             ("fusions", "a masked node-fusion=mm0:%s on the MatMul+Relu group" % FAULT, "fused group 'mm0 + relu0' (nodes mm0, relu0;",
              ["--inject-fault", "node-fusion=mm0:%s" % FAULT])]
    for tool, what, verdict, args in tools:
        r = run([xc, "debug", tool, model] + args)
        s.check("debug %s, %s: names the planted layer at default settings (exit 0)" % (tool, what),
                r.returncode == 0 and verdict in r.stdout, out(r))
        r = run([xc, "debug", tool, model, "--per-layer-verdict", "outputs"] + args)
        s.check("debug %s --per-layer-verdict outputs: the build passes, nothing to debug" % tool,
                r.returncode == 0 and "the build passes (1 check): nothing to debug" in r.stdout, out(r))

    # triage runs every step that builds an engine in a child: a driver crash in its first build
    # is a failing step, the tools and reduce go on (each check isolated) and name the node
    r, j = triage(xc, model, os.path.join(tmp, "triage_crash"), "node=mm:crash")
    steps = {st["step"]: st["result"] for st in j["steps"]} if j else {}
    s.check("triage with node=mm:crash: the first build's crash is a failing step (crashed: SIGSEGV), not the end: "
            "tactics and fusions run, reduce cuts the model down to 'mm' (exit 1, report written)",
            r.returncode == 1 and j is not None and j["crashed"] == "crashed: SIGSEGV"
            and steps.get("build+compare", "").startswith("crashed: SIGSEGV") and "debug tactics" in steps
            and "debug fusions" in steps and j["culprit"]["found_by"] == "debug reduce" and "mm" in j["culprit"]["nodes"]
            and j["minimal_model"]["path"] and [n.name for n in onnx.load(j["minimal_model"]["path"]).graph.node] == ["mm"]
            and "the first build or run crashed: SIGSEGV" in r.stdout, out(r) + json.dumps(steps)[:1500])
    r = run([xc, "triage", model, "-o", os.path.join(tmp, "triage_inproc"), "--no-graph", "--no-isolate",
             "--inject-fault", "node=mm:crash"])
    s.check("triage --no-isolate with node=mm:crash: the first build runs in-process and the crash ends it (SIGSEGV)",
            r.returncode == -11, out(r))
    r, j = triage(xc, model, os.path.join(tmp, "triage_masked"), "node=mm:%s" % FAULT)
    s.check("triage on the masked scale (its steps in child processes, the per-layer rows sent back): first divergence "
            "'mm', outputs pass, the minimal model is 'mm' (exit 1)",
            r.returncode == 1 and j is not None and j["first_divergence"] == "mm" and j["outputs_passed"]
            and not j["crashed"] and len(j["per_layer"]) == 4 and j["minimal_model"]["path"]
            and [n.name for n in onnx.load(j["minimal_model"]["path"]).graph.node] == ["mm"], out(r))
