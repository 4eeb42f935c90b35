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
        surgeon_tests(s, xc, tmp)
        # kernel binaries do not depend on how crosscheck was compiled: every build dir shares them
        os.environ.setdefault("CROSSCHECK_CACHE_DIR", os.path.join(ROOT, "build", "cl-cache"))
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
