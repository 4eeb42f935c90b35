"""`crosscheck debug reduce` tests (called by tests/run_tests.py): planted faults in the middle of a
64-node ResNet-like CNN and a 100-node transformer are reduced to a few nodes within
2*ceil(log2 N)+4 checks; the reduced model fails on its own through the printed command; the
replay file resumes with zero new checks; --min-good passes; an external check with --fail-regex
prunes side branches; bad arguments exit 2."""
import json
import math
import os
import re
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOL = ["--atol", "1e-4", "--rtol", "1e-3"]


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=900, **kw)


class Reduced:
    """One `debug reduce` run: exit code, progress lines, verdict numbers and commands."""

    def __init__(self, xc, args):
        self.r = run([xc, "debug", "reduce"] + args)
        out = self.r.stdout
        self.lines = re.findall(r"^\[debug reduce\] check (\d+):", out, re.M)
        m = re.search(r"^verdict: reduced .* from (\d+) nodes to (\d+) in (\d+) checks", out, re.M)
        self.before, self.after, self.checks = (int(x) for x in m.groups()) if m else (0, 0, -1)
        m = re.search(r"^  nodes: (.*)$", out, re.M)
        self.nodes = re.findall(r"(\S+) \(\w+\)", m.group(1)) if m else []
        m = re.search(r", (\d+) replayed", out)
        self.replayed = int(m.group(1)) if m else 0
        lines = out.splitlines()
        k = [i for i, l in enumerate(lines) if l.startswith("reproduce the failure")]
        self.command = shlex.split(lines[k[-1] + 1]) if k and k[-1] + 1 < len(lines) else []
        self.verdict = out[out.find("verdict"):]

    def detail(self):
        return self.r.stdout[-3000:] + self.r.stderr[-2000:]


def bound(n):
    return 2 * math.ceil(math.log2(max(n, 2))) + 4


def planted(s, xc, model, fault, tmp, name, extra=(), linear=False, fed=True):
    """Reduces model with fault planted; the reduced model must hold the faulty node, be small,
    and fail on its own through the reproducing command."""
    node = fault.split("=")[1].split(":")[0]
    out = os.path.join(tmp, name + "_min.onnx")
    x = Reduced(xc, [model, "--inject-fault", fault, "-o", out] + TOL + list(extra))
    s.check("debug reduce %s (%s): exit 0, the reduced model holds %s and %d node(s) <= 3" % (name, fault, node, x.after),
            x.r.returncode == 0 and node in x.nodes and 1 <= x.after <= 3, x.detail())
    most = x.before + 3 if linear else bound(x.before)  # linear: about one check per node
    s.check("debug reduce %s: %d checks within %d for %d nodes, one progress line each" % (name, x.checks, most, x.before),
            0 < x.checks <= most and len(x.lines) == x.checks and x.lines == [str(i + 1) for i in range(x.checks)], x.detail())
    r = run([xc if a == "crosscheck" else a for a in x.command]) if x.command else None
    s.check("debug reduce %s: the reproducing command (saved inputs) fails with exit 1" % name,
            r is not None and r.returncode == 1 and x.command[2] == out and ("--load-inputs" in x.command) == fed,
            " ".join(x.command) + "\n" + (r.stdout[-1500:] + r.stderr if r else ""))
    return x


def debug_reduce(s, xc, build, tmp):
    models = os.path.join(build, "debug-models")
    resnet, transformer = (os.path.join(models, m + ".onnx") for m in ("resnet", "transformer"))
    if not os.path.exists(transformer):
        r = run([sys.executable, os.path.join(HERE, "make_models.py"), models])
        if not s.check("debug reduce: test models generated", r.returncode == 0, r.stderr[-2000:]):
            return
    tmp = os.path.join(tmp, "reduce")
    os.makedirs(tmp, exist_ok=True)

    # ResNet: two iterations, replay file, artifacts, min-good
    replay, art, good = (os.path.join(tmp, f) for f in ("replay.json", "art", "good.onnx"))
    extra = ["--iterations", "2", "--replay", replay, "--artifacts-dir", art, "--min-good", good]
    x = planted(s, xc, resnet, "node=b4_conv1", tmp, "resnet", extra)
    arts = sorted(os.listdir(art)) if os.path.isdir(art) else []
    cands = [a for a in arts if re.match(r"(good|bad)_\d\d_\w+\.onnx$", a)]
    s.check("debug reduce keeps every candidate as good_/bad_ in --artifacts-dir (%d of %d checks)" % (len(cands), x.checks),
            len(cands) == x.checks - 1 and any(a.startswith("good_") for a in cands) and any(a.startswith("bad_") for a in cands), " ".join(arts))
    r = run([xc, "run", good, "--ref", "--ocl", "--inject-fault", "node=b4_conv1", "--load-inputs",
             os.path.join(tmp, "good_data", "test_data_set_0")] + TOL)
    s.check("debug reduce --min-good writes a passing neighbour (with its inputs)", r.returncode == 0, r.stdout[-1500:] + r.stderr)
    y = Reduced(xc, [resnet, "--inject-fault", "node=b4_conv1", "-o", os.path.join(tmp, "again.onnx")] + TOL + extra)
    s.check("debug reduce --replay: a rerun takes all %d verdicts from the file (zero new checks), same verdict" % x.checks,
            y.r.returncode == 0 and y.replayed == x.checks == y.checks and y.nodes == x.nodes, y.detail())
    # an interrupted run: only the first 5 verdicts were recorded; the rerun resumes after them
    with open(replay) as f:
        j = json.load(f)
    j["checks"] = j["checks"][:5]
    with open(replay, "w") as f:
        json.dump(j, f)
    w = Reduced(xc, [resnet, "--inject-fault", "node=b4_conv1", "-o", os.path.join(tmp, "resumed.onnx")] + TOL + extra)
    s.check("debug reduce --replay: a run interrupted after 5 checks resumes (5 replayed, %d run), same verdict" % (w.checks - w.replayed),
            w.r.returncode == 0 and w.replayed == 5 and w.checks == x.checks and w.nodes == x.nodes, w.detail())
    z = Reduced(xc, [resnet, "--inject-fault", "node=b4_conv1", "-o", os.path.join(tmp, "third.onnx")] + TOL + ["--iterations", "2"])
    s.check("debug reduce: same inputs, same verdict (no replay file)", z.checks == x.checks and z.nodes == x.nodes, z.detail())

    # a fault in the second block of the transformer; linear mode (about one check per node)
    planted(s, xc, transformer, "node=l1_fc1:scale=2", tmp, "transformer")
    planted(s, xc, resnet, "node=b7_conv1", tmp, "resnet-linear", ["--mode", "linear"], True)

    # external check: fails when both b4_conv1 and b4_add are in the model; the down-sampling
    # shortcut between them in topological order is another branch and must be pruned
    script = os.path.join(tmp, "check.py")
    with open(script, "w") as f:
        f.write("import sys, onnx\nnames = {n.name for n in onnx.load(sys.argv[1]).graph.node}\n"
                "print('BAD' if {'b4_conv1', 'b4_add'} <= names else 'fine')\n")
    e = Reduced(xc, [resnet, "-o", os.path.join(tmp, "ext.onnx"), "--fail-regex", "^BAD$", "--check", sys.executable, script, "{model}"])
    want = ["b4_conv1", "b4_conv1_bn", "b4_conv1_relu", "b4_conv2", "b4_conv2_bn", "b4_add"]
    s.check("debug reduce --check --fail-regex: the path b4_conv1..b4_add without the shortcut branch, within the bound",
            e.r.returncode == 0 and sorted(e.nodes) == sorted(want) and e.checks <= bound(e.before), e.detail())
    r = run(e.command) if e.command else None
    s.check("debug reduce --check: the reproducing command is the check on the reduced model",
            r is not None and r.stdout.strip() == "BAD", " ".join(e.command))
    c = Reduced(xc, [resnet, "-o", os.path.join(tmp, "frozen.onnx"), "--inputs-as", "constants", "--fail-regex", "^BAD$", "--check",
                     sys.executable, script])
    r = run([sys.executable, "-c", "import onnx, sys; m = onnx.load(sys.argv[1]).graph; print(len(m.input), len(m.initializer))",
             os.path.join(tmp, "frozen.onnx")])
    s.check("debug reduce --inputs-as constants: the same path, cut tensors frozen (no graph input left)",
            c.r.returncode == 0 and sorted(c.nodes) == sorted(want) and r.stdout.split()[:1] == ["0"], c.detail() + r.stdout + r.stderr)
    # the built-in check written as an external one: {inputs} gives it the candidate's inputs
    i = Reduced(xc, [resnet, "-o", os.path.join(tmp, "ext_run.onnx"), "--check", os.path.abspath(xc), "run", "{model}", "--ref", "--ocl",
                     "--inject-fault", "node=b4_conv1", "--load-inputs", "{inputs}"] + TOL)
    s.check("debug reduce --check 'crosscheck run {model} ... --load-inputs {inputs}': b4_conv1 alone, within the bound",
            i.r.returncode == 0 and i.nodes == ["b4_conv1"] and i.checks <= bound(i.before), i.detail())
    p = Reduced(xc, [resnet, "-o", os.path.join(tmp, "pass.onnx"), "--check", "true"])
    s.check("debug reduce on a passing model: exit 0, nothing to reduce, one check",
            p.r.returncode == 0 and "nothing to reduce" in p.r.stdout and len(p.lines) == 1, p.detail())

    bad_replay = os.path.join(tmp, "bad_replay.json")
    with open(bad_replay, "w") as f:
        f.write('{"format": "something else"}')
    for name, args in (("no -o", [resnet]), ("no model", ["-o", "x.onnx"]), ("--mode sideways", [resnet, "-o", "x.onnx", "--mode", "sideways"]),
                       ("--inputs-as nothing", [resnet, "-o", "x.onnx", "--inputs-as", "nothing"]),
                       ("--check without a command", [resnet, "-o", "x.onnx", "--check"]),
                       ("--fail-regex without --check", [resnet, "-o", "x.onnx", "--fail-regex", "x"]),
                       ("a bad --fail-regex", [resnet, "-o", "x.onnx", "--fail-regex", "(", "--check", "true"]),
                       ("a check that cannot run", [resnet, "-o", "x.onnx", "--check", "/nonexistent/check"]),
                       ("a foreign replay file", [resnet, "-o", "x.onnx", "--replay", bad_replay, "--check", "true"]),
                       ("--inputs-as constants with the built-in check", [resnet, "-o", "x.onnx", "--inputs-as", "constants"]),
                       ("a missing model", [os.path.join(tmp, "missing.onnx"), "-o", "x.onnx"])):
        r = run([os.path.abspath(xc), "debug", "reduce"] + args, cwd=tmp)
        s.check("debug reduce with %s -> exit 2, one line" % name, r.returncode == 2 and r.stderr.count("\n") == 1, r.stdout[-500:] + r.stderr)
