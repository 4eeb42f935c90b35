"""The runner interface and the one pipeline (issue 12, steps 2 and 3): runners registered one
line each, and an external command (ONNX Runtime through tools/onnxruntime_runner.py) serving
`run` layer by layer (as the runner compared and as the golden), the debug tools, `debug reduce`'s
built-in check and `conformance`, all through the same runner options."""
import json
import os
import re
import shlex
import subprocess
import sys

import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TOOL = os.path.join(ROOT, "tools", "onnxruntime_runner.py")
CNN = os.path.join(ROOT, "models", "small_cnn", "model.onnx")

# ONNX Runtime, then one intermediate tensor of its marked outputs scaled by 1.5: a bug the
# graph outputs may hide, that only a per-layer comparison sees.
PLANT = r'''
import os, subprocess, sys
tool, target, model, inputs, outputs = sys.argv[1:6]
sys.path.insert(0, os.path.dirname(tool))
from onnxruntime_runner import load_tensor, tensor_bytes
r = subprocess.run([sys.executable, tool, model, inputs, outputs])
for f in os.listdir(outputs):
    name, a = load_tensor(os.path.join(outputs, f))
    if name == target:
        open(os.path.join(outputs, f), "wb").write(tensor_bytes((a * 1.5).astype(a.dtype), name))
sys.exit(r.returncode)
'''


# ONNX Runtime, noting whether crosscheck asked it to mark all (CROSSCHECK_MARK_ALL) in a file.
NOTE = r'''
import os, subprocess, sys
note, tool = sys.argv[1:3]
with open(note, "a") as f:
    f.write(os.environ.get("CROSSCHECK_MARK_ALL", "-") + "\n")
sys.exit(subprocess.run([sys.executable, tool] + sys.argv[3:]).returncode)
'''


def _run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900, **kw)


def _ort(name="ort"):
    return "%s=%s %s {model} {inputs} {outputs}" % (name, sys.executable, TOOL)


def _json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def registry(s, xc):
    """Every registered runner is one file defining its type, and the CLI knows it from the table."""
    src = os.path.join(ROOT, "src", "runners")
    with open(os.path.join(src, "registry.h")) as f:
        names = re.findall(r"^\s*X\((\w+)\)", f.read(), re.M)
    defined, options = {}, []
    for fn in sorted(os.listdir(src)):
        if fn.endswith(".c"):
            with open(os.path.join(src, fn)) as f:
                text = f.read()
            for n in re.findall(r"^const xc_runner_type xc_runner_(\w+) = \{", text, re.M):
                defined[n] = fn
            options += re.findall(r'\.option = "([^"]+)"', text)
    s.check("pipeline: each of the %d registered runners (%s) is defined once in src/runners/" % (len(names), ", ".join(names)),
            names and sorted(names) == sorted(defined), "registered %s, defined %s" % (names, defined))
    # nothing outside src/runners/ names runner kinds: the enum and its switches are gone
    hits = []
    for d in ("src", "cli"):
        for base, _, files in os.walk(os.path.join(ROOT, d)):
            if os.path.abspath(base).startswith(os.path.abspath(src)):
                continue
            for fn in files:
                if fn.endswith((".c", ".h")):
                    with open(os.path.join(base, fn)) as f:
                        text = f.read()
                    hits += ["%s: %s" % (fn, m) for m in re.findall(r"XC_RUNNER_(?:REF|OCL|PLAN|LOADED|EXEC)\w*|xc_runner_kind\b", text)]
    s.check("pipeline: no runner-kind enum or switch outside src/runners/", not hits, "\n".join(hits[:20]))
    r = _run([xc, "run", "--help"])
    missing = [o for o in options if not re.search(r"^  %s\b" % re.escape(o), r.stdout, re.M)]
    s.check("pipeline: run --help lists every registered runner's option (%s)" % " ".join(options),
            r.returncode == 0 and options and not missing, "missing %s\n%s" % (missing, r.stdout[:2000]))


def per_layer_exec(s, xc, d):
    nodes = [n.name for n in onnx.load(CNN).graph.node]
    js = os.path.join(d, "ort_layers.json")
    r = _run([xc, "run", CNN, "--ref", "--exec-runner", _ort(), "--per-layer", "--json", js])
    j = _json(js)
    rows = j["per_layer"]["layers"] if j and "per_layer" in j else []
    ok = r.returncode == 0 and j and j["per_layer"]["runner"] == "ort" and j["per_layer"]["against"] == "reference" \
        and [x["layer"] for x in rows] == nodes and all(x["verdict"] != "fail" for x in rows)
    s.check("pipeline: run --ref --exec-runner ort --per-layer compares all %d node outputs ONNX Runtime wrote (marked all), "
            "none failing" % len(nodes), ok, r.stdout[-2000:] + r.stderr)

    # weights in an external file: the tool marks all through onnx (bytes alone could not find them)
    ext = os.path.join(d, "external")
    os.makedirs(ext, exist_ok=True)
    onnx.save(onnx.load(CNN), os.path.join(ext, "m.onnx"), save_as_external_data=True, location="w.bin", size_threshold=0)
    js = os.path.join(d, "ort_external.json")
    r = _run([xc, "run", os.path.join(ext, "m.onnx"), "--ref", "--exec-runner", _ort(), "--per-layer", "--json", js])
    j = _json(js)
    rows = j["per_layer"]["layers"] if j and "per_layer" in j else []
    s.check("pipeline: the same with the weights in an external data file (%d node rows)" % len(rows),
            r.returncode == 0 and [x["layer"] for x in rows] == nodes, r.stdout[-1500:] + r.stderr)

    note, wrapper = os.path.join(d, "mark_all.txt"), os.path.join(d, "note.py")
    with open(wrapper, "w") as f:
        f.write(NOTE)
    cmd = "ort=%s %s %s %s {model} {inputs} {outputs}" % (sys.executable, wrapper, note, TOOL)
    r1 = _run([xc, "run", CNN, "--ref", "--exec-runner", cmd, "--compare-to", "ort"])
    r2 = _run([xc, "run", CNN, "--ref", "--exec-runner", cmd, "--compare-to", "ort", "--per-layer"])
    with open(note) as f:
        seen = f.read().split()
    s.check("pipeline: the command is asked to mark all only when its tensors are observed (plain run: no; --per-layer: "
            "CROSSCHECK_MARK_ALL=1): %s" % seen, r1.returncode == 0 and r2.returncode == 0 and seen == ["-", "1"],
            r1.stderr + r2.stdout[-1000:] + r2.stderr)

    plant = os.path.join(d, "plant.py")
    with open(plant, "w") as f:
        f.write(PLANT)
    target = [n for n in onnx.load(CNN).graph.node if n.name == "block_conv1"][0].output[0]
    cmd = "bad=%s %s %s %s {model} {inputs} {outputs}" % (sys.executable, plant, TOOL, target)
    js = os.path.join(d, "planted.json")
    r = _run([xc, "run", CNN, "--ref", "--exec-runner", cmd, "--per-layer", "--json", js])
    j = _json(js)
    p = j["per_layer"] if j and "per_layer" in j else None
    first = p.get("first_divergence") if p else None
    outputs = j["comparisons"][0]["passed"] if j and j.get("comparisons") else None
    s.check("pipeline: an exec runner wrong only in an intermediate tensor (block_conv1 x1.5): its outputs pass, per-layer "
            "names block_conv1 as the first divergent node (got %s) and the failing row fails the run (exit 1)" % first,
            r.returncode == 1 and first == "block_conv1" and outputs is not False, r.stdout[-2500:] + r.stderr)

    js = os.path.join(d, "golden.json")
    r = _run([xc, "run", CNN, "--ref", "--exec-runner", _ort(), "--compare-to", "ort", "--per-layer", "--json", js])
    j = _json(js)
    rows = j["per_layer"]["layers"] if j and "per_layer" in j else []
    ok = r.returncode == 0 and j and j["per_layer"]["runner"] == "ref" and j["per_layer"]["against"] == "ort" \
        and [x["layer"] for x in rows] == nodes and all(x["verdict"] != "fail" for x in rows)
    s.check("pipeline: --compare-to ort makes ONNX Runtime the per-layer golden: the reference compared with its %d "
            "tensors" % len(nodes), ok, r.stdout[-2000:] + r.stderr)


def engine_vs_ort(s, xc, d):
    js = os.path.join(d, "ocl_ort.json")
    r = _run([xc, "run", CNN, "--exec-runner", _ort(), "--ocl", "--compare-to", "ort", "--per-layer", "--json", js,
              "--inject-fault", "node=block_conv1:bias=0.01"])
    j = _json(js)
    p = j["per_layer"] if j and "per_layer" in j else None
    first = [x["nodes"] for x in p["layers"] if x["layer"] == p.get("first_divergence")] if p else []
    first = first[0] if first else None
    s.check("pipeline: the OpenCL engine (fault planted on block_conv1) per layer against ONNX Runtime: exit 1, the first "
            "divergent layer covers block_conv1 (got %s)" % first,
            r.returncode == 1 and p and p["runner"] == "ocl" and p["against"] == "ort" and first and "block_conv1" in first,
            r.stdout[-2500:] + r.stderr)


def unfused(s, xc, d):
    """--ocl-unfused, the runner added as one file and one registry line: a fault planted in the
    conv_residual fusion fails the fused engine and not the unfused one, in one run."""
    js = os.path.join(d, "unfused.json")
    r = _run([xc, "run", CNN, "--ref", "--ocl", "--ocl-unfused", "--inject-fault", "fusion=conv_residual", "--json", js])
    j = _json(js)
    verdicts = {c["runner"]: c["passed"] for c in j["comparisons"]} if j else {}
    s.check("pipeline: run --ref --ocl --ocl-unfused with fusion=conv_residual planted: ocl fails, ocl-unfused passes (exit 1)",
            r.returncode == 1 and verdicts == {"ocl": False, "ocl-unfused": True}, "%s\n%s%s" % (verdicts, r.stdout[-1500:], r.stderr))


def debug_tools(s, xc, d):
    out = os.path.join(d, "reduced.onnx")
    r = _run([xc, "debug", "reduce", CNN, "--inject-fault", "node=block_conv1", "-o", out, "--atol", "1e-4", "--rtol", "1e-3",
              "--exec-runner", _ort()])
    m = re.search(r"^  nodes: (.*)$", r.stdout, re.M)
    kept = [re.sub(r" \(.*\)$", "", x) for x in m.group(1).split(", ")] if m else []
    ok = r.returncode == 0 and "block_conv1" in kept and 1 <= len(kept) <= 3
    s.check("pipeline: debug reduce --exec-runner ort (built-in check: engine vs ONNX Runtime on each candidate) reduces "
            "to the planted node (%s)" % ", ".join(kept), ok, r.stdout[-2500:] + r.stderr)
    cmd = re.search(r"^reproduce the failure.*:\n  (crosscheck .*)$", r.stdout, re.M)
    words = shlex.split(cmd.group(1)) if cmd else []
    rr = _run([xc] + words[1:]) if words else None
    s.check("pipeline: its reproducing command compares with the same runner (--exec-runner ort, not --ref) and fails (exit 1)",
            rr is not None and rr.returncode == 1 and "--exec-runner" in words and "--ref" not in words,
            " ".join(words) + "\n" + (rr.stdout[-1500:] + rr.stderr if rr else r.stdout[-1500:]))
    r = _run([xc, "debug", "reduce", CNN, "-o", out, "--exec-runner", _ort(), "--check", "true"])
    # with --check a runner no longer compares: it feeds cut tensors the reference cannot compute
    # (reduce_unsupported tests that); the check judges, here passing the model as given
    s.check("pipeline: debug reduce --exec-runner with --check: the check judges (the model passes 'true', exit 0)",
            r.returncode == 0 and "passes the check" in r.stdout, r.stdout[-1500:] + r.stderr)
    r = _run([xc, "debug", "fusions", CNN, "--exec-runner", _ort(), "--atol", "1e-4", "--rtol", "1e-3"])
    ok = r.returncode == 0 and "verdict: the build passes" in r.stdout
    s.check("pipeline: debug fusions --exec-runner ort: a sound engine passes against ONNX Runtime (exit 0)", ok,
            r.stdout[-1500:] + r.stderr)
    r = _run([xc, "debug", "tactics", CNN, "--exec-runner", "x=" + sys.executable + " -c pass {outputs}"])
    s.check("pipeline: debug tactics --exec-runner with a command writing nothing: one line naming the golden run (exit 2)",
            r.returncode == 2 and "golden run:" in r.stderr and "wrote no outputs" in r.stderr
            and len(r.stderr.strip().splitlines()) == 1, r.stderr)


def conformance_ort(s, xc, conf):
    root = os.path.join(conf, "node")
    if not os.path.isdir(root):
        s.check("pipeline: the ONNX node suite is at %s" % root, False, "")
        return
    flt = "^test_(relu|add|sigmoid|softmax_axis_1|matmul_2d|gemm_default_no_bias|transpose_default)$"
    r = _run([xc, "conformance", root, "--filter", flt, "--exec-runner", _ort()])
    m = re.search(r"^(\d+) passed, (\d+) failed, (\d+) skipped", r.stdout, re.M)
    ok = r.returncode == 0 and m and int(m.group(1)) == 7 and m.group(2) == "0"
    s.check("pipeline: conformance --exec-runner ort: ONNX Runtime passes the node cases it runs (%s)"
            % (m.group(0) if m else "no summary"), ok, r.stdout[-2000:] + r.stderr)


def pipeline(s, xc, build, tmp, conf=None):
    d = os.path.join(tmp, "pipeline")
    os.makedirs(d, exist_ok=True)
    registry(s, xc)
    per_layer_exec(s, xc, d)
    conformance_ort(s, xc, conf or os.path.join(build, "onnx-tests"))
    engine_vs_ort(s, xc, d)
    unfused(s, xc, d)
    debug_tools(s, xc, d)
