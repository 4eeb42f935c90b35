"""cli_options_tests: commands whose options are declared in one table (cli/options.h).

The help text is generated from the table, so every option the parser takes is listed; an
unknown option or a bad choice is one usage line and exit 2; lists grow (no silent cap: 70
conformance roots are all run, where a fixed array of 64 dropped the rest)."""
import os
import re
import shutil
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


def _table_options(source):
    """Option spellings declared in a cli/*.c option table ({"--name|-n", ...})."""
    text = open(os.path.join(ROOT, "cli", source)).read()
    names = []
    for m in re.finditer(r'\{\s*"(--?[a-z][\w|-]*)",', text):
        names += m.group(1).split("|")
    return names


def cli_options_tests(s, xc, build, tmp, conf):
    for cmd, source in (("conformance", "cmd_conformance.c"), ("graph", "cmd_graph.c"),
                        ("inspect model", "cmd_inspect.c"), ("inspect results", "cmd_inspect_results.c"),
                        ("check lint", "cmd_check.c"), ("surgeon extract", "cmd_surgeon.c")):
        declared = _table_options(source)
        views = [cmd] if cmd != "surgeon extract" else [
            "surgeon " + v for v in ("extract", "sanitize", "insert", "prune-outputs")]  # one table each
        helps = [_run([xc] + v.split() + ["--help"]) for v in views]
        r = helps[0]
        r.stdout = "".join(h.stdout for h in helps)
        missing = [o for o in declared if o not in r.stdout]
        s.check("%s --help lists all %d options of its table" % (cmd, len(declared)),
                r.returncode == 0 and declared and not missing, " ".join(missing) + r.stderr)
        r = _run([xc] + cmd.split() + ["x", "--no-such-option"])
        s.check("%s: an unknown option is one usage line, exit 2" % cmd,
                r.returncode == 2 and "unknown option '--no-such-option'" in r.stderr
                and len(r.stderr.strip().splitlines()) == 1, r.stderr)
    r = _run([xc, "inspect", "devices", "--jsn"])
    s.check("inspect devices --jsn: unknown option, exit 2 (extra arguments used to be ignored)",
            r.returncode == 2 and "--jsn" in r.stderr, r.stderr)
    r = _run([xc, "conformance", "x", "--backend", "gpu"])
    s.check("conformance --backend gpu: the choices are named, exit 2",
             r.returncode == 2 and "ref|ocl" in r.stderr, r.stderr)
    r = _run([xc, "conformance"])
    s.check("conformance without ROOT: usage error naming ROOT, exit 2", r.returncode == 2 and "ROOT" in r.stderr,
            r.stderr)
    import tempfile
    case = os.path.join(conf, "node", "test_abs")
    one = tempfile.mkdtemp(prefix="one_case_root_", dir=tmp)  # its own folder: no other section's leftovers
    if os.path.isdir(case):
        shutil.copytree(case, os.path.join(one, "test_abs"))
    unsup = os.path.join(conf, "node", "test_gradient_of_add")
    if os.path.isdir(unsup):
        root = tempfile.mkdtemp(prefix="unlisted_", dir=tmp)
        shutil.copytree(unsup, os.path.join(root, "test_gradient_of_add"))
        empty = os.path.join(root, "..", os.path.basename(root) + ".xfail")
        open(empty, "w").close()
        r = _run([xc, "conformance", root, "--expected-failures", empty])
        s.check("conformance with an expected-failures list: an unlisted unsupported case fails (the list is complete)",
                r.returncode == 1 and "unsupported and not listed" in r.stdout, r.stdout[-400:] + r.stderr)
    r = _run([xc, "conformance"] + [one] * 70)
    s.check("conformance with 70 ROOTs runs every one (lists grow: no cap at 64)",
            r.returncode == 0 and "70 passed, 0 failed" in r.stdout, r.stdout[-300:] + r.stderr)
    model = os.path.join(ROOT, "models", "small_cnn", "model.onnx")
    out = os.path.join(tmp, "highlight300.dot")
    r = _run([xc, "graph", model, "-o", out, "--highlight"] + ["input"] * 300)
    s.check("graph --highlight with 300 names takes them all (a fixed array of 256 used to end the list)",
            r.returncode == 0 and os.path.isfile(out), r.stderr)
    r = _run([xc, "graph", model, "-o", out, "--engine", "--builder-optimization-level", "9"])
    s.check("graph: the shared OpenCL options parse through the table's group (bad level: one line, exit 2)",
            r.returncode == 2 and "0..5" in r.stderr, r.stderr)
    r = _run([xc, "surgeon", "extract", model, "--outputs", "probs", "--fold-constants", "-o", out + ".onnx"])
    s.check("surgeon extract --fold-constants: an option of another subcommand is refused, exit 2 (it was ignored)",
            r.returncode == 2 and "--fold-constants" in r.stderr, r.stderr)
    _prune_300(s, xc, tmp)


def _prune_300(s, xc, tmp):
    """300 graph outputs kept by name: a fixed array of 256 names used to drop the rest silently."""
    import onnx
    from onnx import TensorProto, helper
    names = ["y%d" % i for i in range(300)]
    g = helper.make_graph([helper.make_node("Identity", ["x"], [n]) for n in names], "wide",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
                          [helper.make_tensor_value_info(n, TensorProto.FLOAT, [2]) for n in names])
    src, dst = os.path.join(tmp, "wide300.onnx"), os.path.join(tmp, "wide300_kept.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), src)
    r = _run([xc, "surgeon", "prune-outputs", src, "--keep", ",".join(names), "-o", dst])
    kept = len(onnx.load(dst).graph.output) if r.returncode == 0 and os.path.isfile(dst) else -1
    s.check("surgeon prune-outputs --keep with 300 names keeps all 300 outputs (got %d)" % kept, kept == 300,
            r.stdout + r.stderr)


def plan_open_tests(s, xc, build, tmp):
    """inspect engine and bench open a plan alone (its model found through it) or MODEL --plan PLAN."""
    d = os.path.join(tmp, "plan_open")
    os.makedirs(d, exist_ok=True)
    shutil.copy(os.path.join(ROOT, "models", "small_cnn", "model.onnx"), d)
    model, plan = os.path.join(d, "model.onnx"), os.path.join(d, "m.plan")
    r = _run([xc, "build", model, "-o", plan, "--builder-optimization-level", "0"])
    if not s.check("build writes a plan for the plan-opening checks", r.returncode == 0, r.stderr):
        return
    r1 = _run([xc, "inspect", "engine", plan])
    r2 = _run([xc, "inspect", "engine", model, "--plan", plan])
    s.check("inspect engine PLAN finds its model through the plan, like MODEL --plan PLAN (it used to need MODEL)",
            r1.returncode == 0 and r2.returncode == 0 and "model.onnx" in r1.stdout and "layers" in r1.stdout
            and r1.stdout.split("layers")[1] == r2.stdout.split("layers")[1], r1.stdout[-500:] + r1.stderr + r2.stderr)
    bad = os.path.join(d, "outside.plan")
    with open(bad, "w") as f:
        f.write('{"model": "../../../etc/passwd"}')
    r = _run([xc, "inspect", "engine", bad])
    s.check("inspect engine on a plan naming a model outside its folder: one line, exit 2",
            r.returncode == 2 and "leaves" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr)
