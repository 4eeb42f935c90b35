"""caps: no silent caps in option lists, reproducing commands or keys (each check failed on the
build before these fixes, as noted).
  - one way to plug an option group into a command (cli_command.groups): cli/options.h has no
    single-group fields left, and conformance and build still list their groups in --help;
  - 70 --input-shapes and 70 --val-range (once refused past 64): the 70th of each takes effect;
  - debug reduce with 33 --fail-code / --fail-regex (once refused past 32): the 33rd decides, and
    the reproduce line names every regex;
  - conformance --backend ocl on a case of 70 inputs with symbolic dims (the engine's shapes were
    silently cut at 64: input 'x64' was built for [1] and the case failed);
  - 1100 --no-fuse-node names: debug reduce's reproduce line (cut at 16 KiB: 221 names) and
    debug tactics' (cut at 64 KiB: 884 names and a dangling '-') hold all of them, and the
    reduce line, run as printed, reproduces the failure; the data folder it names, holding
    input_1..3.pb of an earlier run, then holds its own input alone (stale inputs were left
    there and fed too: '70 input tensors given but the model has 1').
The layer signature (timing-cache key) at full length is checked by the unit test
ocl_layer_signature_is_whole."""
import os
import shlex
import subprocess

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LONG = "_a_node_name_sixty_characters_long_padding_padding_pad"  # 60 characters with "relu"


def _run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=300, **kw)


def _save(path, nodes, ins, outs, inits=()):
    m = helper.make_model(helper.make_graph(nodes, "g", ins, outs, list(inits)), opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.save(m, path)
    return path


def _sum70(path):
    """y = Sum(x0..x69), every input [N]."""
    ins = [helper.make_tensor_value_info("x%d" % i, TensorProto.FLOAT, ["N"]) for i in range(70)]
    return _save(path, [helper.make_node("Sum", ["x%d" % i for i in range(70)], ["y"], name="sum")], ins,
                 [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N"])])


def _relu70_case(root):
    """A conformance case: 70 inputs x_i[N_i] -> Relu -> y_i, one data set of lengths 3..6."""
    case = os.path.join(root, "test_relu70")
    data = os.path.join(case, "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    ins = [helper.make_tensor_value_info("x%d" % i, TensorProto.FLOAT, ["N%d" % i]) for i in range(70)]
    outs = [helper.make_tensor_value_info("y%d" % i, TensorProto.FLOAT, ["N%d" % i]) for i in range(70)]
    _save(os.path.join(case, "model.onnx"), [helper.make_node("Relu", ["x%d" % i], ["y%d" % i], name="r%d" % i) for i in range(70)],
          ins, outs)
    r = np.random.default_rng(0)
    for i in range(70):
        x = (r.random(3 + i % 4) - 0.5).astype(np.float32)
        with open(os.path.join(data, "input_%d.pb" % i), "wb") as f:
            f.write(numpy_helper.from_array(x, "x%d" % i).SerializeToString())
        with open(os.path.join(data, "output_%d.pb" % i), "wb") as f:
            f.write(numpy_helper.from_array(np.maximum(x, 0), "y%d" % i).SerializeToString())
    return root


def _small(path):
    """MatMul -> Relu -> Sigmoid, nodes named with 60 characters."""
    w = numpy_helper.from_array(np.full((8, 8), 0.1, np.float32), "w")
    nodes = [helper.make_node("MatMul", ["x", "w"], ["a"], name="mm" + LONG), helper.make_node("Relu", ["a"], ["b"], name="relu" + LONG),
             helper.make_node("Sigmoid", ["b"], ["y"], name="sig" + LONG)]
    return _save(path, nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8])],
                 [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8])], [w])


def _repro(stdout):
    """The command line after 'reproduce the failure...:'."""
    lines = stdout.splitlines()
    for k, line in enumerate(lines):
        if line.startswith("reproduce the failure") and k + 1 < len(lines):
            return lines[k + 1].strip()
    return ""


def caps_tests(s, xc, build, tmp):
    tmp = os.path.join(tmp, "caps")
    os.makedirs(tmp, exist_ok=True)
    xc = os.path.abspath(xc)

    with open(os.path.join(ROOT, "cli", "options.h")) as f:
        header = f.read()
    s.check("caps: cli_command plugs option groups in one way (groups; no group/group_user/group_title/group_print fields)",
            all(w not in header for w in ("group_user", "group_title", "group_print", "group_help")), "")
    conf, bld = _run([xc, "conformance", "--help"]), _run([xc, "build", "--help"])
    s.check("caps: conformance --help lists its runner group and build --help the OpenCL build options",
            "\nthe runner cases run on instead of the reference (one):\n  --ref " in conf.stdout
            and "\nOpenCL build options:\n" in bld.stdout, conf.stdout[-300:] + bld.stdout[-300:])

    sum70 = _sum70(os.path.join(tmp, "sum70.onnx"))
    shapes = ["x%d:[5]" % i for i in range(70)]
    r = _run([xc, "run", sum70, "--ref", "--input-shapes"] + shapes)
    s.check("caps: 70 --input-shapes are taken (the output is float32[5])", r.returncode == 0 and "float32[5]" in r.stdout,
            r.stdout[-300:] + r.stderr[-300:])
    ranges = [a for i in range(69) for a in ("--val-range", "x%d:[0,0]" % i)] + ["--val-range", "x69:[1000,1001]"]
    r = _run([xc, "run", sum70, "--ref"] + ranges)
    y = r.stdout[r.stdout.find("output 'y'"):]
    s.check("caps: 70 --val-range: the 70th sets x69 (the sum is 1000 and some)", r.returncode == 0 and "mean=1000." in y,
            r.stdout[-300:] + r.stderr[-300:])

    out = os.path.join(tmp, "min.onnx")
    codes = [a for i in range(1, 33) for a in ("--fail-code", str(i))] + ["--fail-code", "40"]
    r = _run([xc, "debug", "reduce", sum70, "-o", out] + codes + ["--check", "sh", "-c", "exit 40"])
    s.check("caps: debug reduce with 33 --fail-code: exit 40, the 33rd, fails the model", r.returncode == 0 and "FAILED" in r.stdout
            and "reproduce the failure" in r.stdout, r.stdout[-400:] + r.stderr[-300:])
    regexes = [a for i in range(32) for a in ("--fail-regex", "nomatch%d" % i)] + ["--fail-regex", "BA+D"]
    r = _run([xc, "debug", "reduce", sum70, "-o", out] + regexes + ["--check", "sh", "-c", "echo BAAD"])
    head = next((line for line in r.stdout.splitlines() if line.startswith("reproduce the failure")), "")
    s.check("caps: debug reduce with 33 --fail-regex: the 33rd matches, and the reproduce line names all 33",
            r.returncode == 0 and "'nomatch0' or " in head and head.endswith("or 'BA+D'):") and head.count(" or ") == 32,
            head[:200] + r.stdout[-300:] + r.stderr[-300:])

    r = _run([xc, "conformance", _relu70_case(os.path.join(tmp, "conf")), "--backend", "ocl"])
    s.check("caps: conformance --backend ocl, a case of 70 symbolic-shaped inputs: the engine gets all 70 shapes and passes",
            r.returncode == 0 and "PASS        test_relu70" in r.stdout, r.stdout[-400:] + r.stderr[-300:])

    small = _small(os.path.join(tmp, "small.onnx"))
    names = ["--no-fuse-node", "relu" + LONG] * 1100
    fault = ["--inject-fault", "node=relu" + LONG]
    data = os.path.join(tmp, "min_data", "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    for i in range(1, 4):  # as an earlier reduce of more inputs leaves them
        with open(os.path.join(data, "input_%d.pb" % i), "wb") as f:
            f.write(numpy_helper.from_array(np.zeros(3, np.float32), "stale%d" % i).SerializeToString())
    r = _run([xc, "debug", "reduce", small, "-o", out, "--builder-optimization-level", "0"] + fault + names)
    line = _repro(r.stdout)
    s.check("caps: debug reduce with 1100 --no-fuse-node: the reproduce line holds all 1100 and ends whole (--per-layer)",
            r.returncode == 0 and line.count("--no-fuse-node relu" + LONG) == 1100 and line.endswith(" --per-layer"),
            "%d names; %s" % (line.count("--no-fuse-node"), line[-200:] + r.stderr[-300:]))
    files = sorted(os.listdir(data)) if os.path.isdir(data) else []
    s.check("caps: the reduced model's data folder, holding input_1..3.pb of an earlier run, then holds its own 1 input alone",
            "input_0.pb" in files and "input_1.pb" not in files, str(files[:6]))
    again = _run(["bash", "-c", shlex.quote(xc) + line[len("crosscheck"):]]) if line.startswith("crosscheck run ") else None
    s.check("caps: that reproduce line (81 KB), run as printed, reproduces the failure",
            again is not None and again.returncode == 1 and "FAILED" in again.stdout,
            (again.stdout[-300:] + again.stderr[-300:]) if again else line[:200])
    r = _run([xc, "debug", "tactics", small, "-o", os.path.join(tmp, "t.json"), "--builder-optimization-level", "0"] + fault + names)
    line = _repro(r.stdout)
    s.check("caps: debug tactics with 1100 --no-fuse-node: its reproduce line holds all 1100 (once cut at 64 KiB)",
            line.count("--no-fuse-node relu" + LONG) == 1100 and line.endswith(" --per-layer"),
            "%d names; %s" % (line.count("--no-fuse-node"), line[-200:] + r.stderr[-300:]))
