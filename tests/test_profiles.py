"""profiles: optimization profiles (build --profile-shapes, run/bench --opt-profile).

A dynamic-batch CNN is built once with a profile (min 1, opt 4, max 6) into a plan; the plan
runs batches 1, 3 and 6 in one run (three loaded iterations of three shapes, so the engine
serves several shapes at once), each output agreeing with ONNX Runtime; its memory plan is the
one a static build at the max batch makes; a batch outside the range is refused in one line
naming the input, its shape and the range. Two profiles: a batch of the second runs, and
--opt-profile 0 refuses it. The plan round-trips the profiles and `inspect engine` lists them.
A tactic that does not apply over the whole range (gemm.vec4 needs the transposed A's batch
dim to be a multiple of 4) is not chosen, though it is at a single shape where it applies.

Data-dependent shapes with --fallback-cpu: NonZero and NonMaxSuppression outputs (and the
layers reading them) run on the reference inside the engine, the rest on the device; the
outputs agree with ONNX Runtime, and without --fallback-cpu the build is refused naming it."""
import json
import os
import subprocess

import numpy as np
from onnx import TensorProto, helper, numpy_helper

PROFILE = "x:min=[1,3,8,8],opt=[4,3,8,8],max=[6,3,8,8]"
SECOND = "x:min=[7,3,8,8],opt=[8,3,8,8],max=[16,3,8,8]"


def _run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600)


def _model(name, nodes, inputs, outputs, inits):
    m = helper.make_model(helper.make_graph(nodes, name, inputs, outputs, inits), opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    return m


def _cnn():
    rng = np.random.default_rng(14)
    inits = [numpy_helper.from_array(rng.standard_normal((8, 3, 3, 3)).astype(np.float32), "W"),
             numpy_helper.from_array(rng.standard_normal(8).astype(np.float32), "B"),
             numpy_helper.from_array(rng.standard_normal((8, 5)).astype(np.float32), "G")]
    nodes = [helper.make_node("Conv", ["x", "W", "B"], ["c"], pads=[1, 1, 1, 1], name="conv"),
             helper.make_node("Relu", ["c"], ["r"], name="relu"),
             helper.make_node("GlobalAveragePool", ["r"], ["p"], name="gap"),
             helper.make_node("Flatten", ["p"], ["f"], name="flat"),
             helper.make_node("MatMul", ["f", "G"], ["y"], name="fc")]
    return _model("cnn", nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3, 8, 8])],
                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 5])], inits)


def _gemm_t():
    """Gemm with transA: A is [16, M], so the float4 loads run along the dynamic M."""
    b = numpy_helper.from_array(np.random.default_rng(3).standard_normal((16, 8)).astype(np.float32), "B")
    return _model("gemm", [helper.make_node("Gemm", ["a", "B"], ["y"], transA=1, name="gemm")],
                  [helper.make_tensor_value_info("a", TensorProto.FLOAT, [16, "M"])],
                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["M", 8])], [b])


def _attention():
    """Two-head self-attention over a symbolic sequence S, its head reshapes computed from
    Shape(x) as exporters write them (so every shape engine folds its own)."""
    rng = np.random.default_rng(2)
    inits = [numpy_helper.from_array((rng.standard_normal((16, 16)) * 0.3).astype(np.float32), n) for n in ("Wq", "Wk")]
    inits += [numpy_helper.from_array(np.array(v, np.int64), n) for n, v in (("st", [0]), ("en", [2]), ("heads", [2, 8]), ("flat", [16]))]
    mk = helper.make_node
    nodes = [mk("MatMul", ["x", "Wq"], ["q0"]), mk("MatMul", ["x", "Wk"], ["k0"]), mk("Shape", ["x"], ["xs"]),
             mk("Slice", ["xs", "st", "en"], ["bs"]), mk("Concat", ["bs", "heads"], ["shp"], axis=0),
             mk("Reshape", ["q0", "shp"], ["q1"]), mk("Reshape", ["k0", "shp"], ["k1"]),
             mk("Transpose", ["q1"], ["q"], perm=[0, 2, 1, 3]), mk("Transpose", ["k1"], ["kt"], perm=[0, 2, 3, 1]),
             mk("MatMul", ["q", "kt"], ["sc"]), mk("Softmax", ["sc"], ["p"], axis=-1),
             mk("Transpose", ["k1"], ["v"], perm=[0, 2, 1, 3]), mk("MatMul", ["p", "v"], ["o"]),
             mk("Transpose", ["o"], ["o1"], perm=[0, 2, 1, 3]), mk("Concat", ["bs", "flat"], ["shp2"], axis=0),
             mk("Reshape", ["o1", "shp2"], ["y"])]
    return _model("attn", nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, "S", 16])],
                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, "S", 16])], inits)


def _nonzero():
    """Relu -> NonZero -> Transpose (host: [?,2]); Shape of it -> Cast -> + ReduceSum(Sigmoid(x))
    on the device again."""
    nodes = [helper.make_node("Relu", ["x"], ["r"]), helper.make_node("NonZero", ["r"], ["nz"]),
             helper.make_node("Transpose", ["nz"], ["idx"], perm=[1, 0]), helper.make_node("Shape", ["idx"], ["n"]),
             helper.make_node("Cast", ["n"], ["nf"], to=TensorProto.FLOAT), helper.make_node("Sigmoid", ["x"], ["s"]),
             helper.make_node("ReduceSum", ["s"], ["ss"], keepdims=0), helper.make_node("Add", ["ss", "nf"], ["y"])]
    return _model("nz", nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 6])],
                  [helper.make_tensor_value_info("idx", TensorProto.INT64, ["K", 2]),
                   helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])], [])


def _nms():
    inits = [numpy_helper.from_array(np.array([3], np.int64), "mo"), numpy_helper.from_array(np.array([0.5], np.float32), "iou"),
             numpy_helper.from_array(np.array([0.0], np.float32), "st"), numpy_helper.from_array(np.array(2, np.int64), "two")]
    nodes = [helper.make_node("Sigmoid", ["scores"], ["sc"]),
             helper.make_node("NonMaxSuppression", ["boxes", "sc", "mo", "iou", "st"], ["sel"]),
             helper.make_node("Gather", ["sel", "two"], ["box"], axis=1)]
    return _model("nms", nodes, [helper.make_tensor_value_info("boxes", TensorProto.FLOAT, [1, 6, 4]),
                                 helper.make_tensor_value_info("scores", TensorProto.FLOAT, [1, 1, 6])],
                  [helper.make_tensor_value_info("box", TensorProto.INT64, ["K"])], inits)


def _against_ort(xc, model, d, name):
    """Runs the engine with --fallback-cpu and compares every output with ONNX Runtime."""
    import onnxruntime as ort
    out = os.path.join(d, name)
    r = _run([xc, "run", model, "--ocl", "--fallback-cpu", "--save-outputs", out])
    if r.returncode != 0:
        return False, r.stderr[-500:]
    idx = _index(out)
    feeds = {e["tensor"]: _tensor(out, e) for e in idx if e["role"] == "input"}
    sess = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    want = dict(zip([o.name for o in sess.get_outputs()], sess.run(None, feeds)))
    got = {e["tensor"]: _tensor(out, e) for e in idx if e["role"] == "output"}
    for k, w in want.items():
        if k not in got or got[k].shape != w.shape or not np.allclose(got[k], w, rtol=1e-4, atol=1e-5):
            return False, "%s: got %s, want %s" % (k, got.get(k), w)
    return True, ""


def _index(folder):
    with open(os.path.join(folder, "index.json")) as f:
        return json.load(f)["tensors"]


def _tensor(folder, entry):
    from onnx import TensorProto as TP
    t = TP()
    with open(os.path.join(folder, entry["file"]), "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def _plan_json(xc, model, plan):
    r = _run([xc, "inspect", "engine", model, "--plan", plan, "--json"])
    return json.loads(r.stdout) if r.returncode == 0 else {}


def profiles(s, xc, build, tmp):
    import onnx
    import onnxruntime as ort
    from polygraphy.json import save_json
    d = os.path.join(tmp, "profiles")
    os.makedirs(d, exist_ok=True)
    cnn, plan = os.path.join(d, "cnn.onnx"), os.path.join(d, "cnn.plan")
    onnx.save(_cnn(), cnn)

    r = _run([xc, "build", cnn, "--profile-shapes", PROFILE, "-o", plan])
    s.check("profiles: build --profile-shapes writes a plan", r.returncode == 0, r.stderr[-500:])
    static = os.path.join(d, "max.plan")
    r2 = _run([xc, "build", cnn, "--input-shapes", "x:[6,3,8,8]", "-o", static])
    mem, mem_max = _plan_json(xc, cnn, plan).get("Memory", {}), _plan_json(xc, cnn, static).get("Memory", {})
    s.check("profiles: the memory plan is the one made at max",
            r2.returncode == 0 and mem and mem.get("PlannedBytes") == mem_max.get("PlannedBytes"), "%s vs %s" % (mem, mem_max))

    # batches 1, 3 and max in one run of the plan, each against ONNX Runtime
    rng = np.random.default_rng(5)
    batches = [1, 3, 6]
    feeds = os.path.join(d, "feeds.json")
    save_json([{"x": rng.standard_normal((b, 3, 8, 8)).astype(np.float32)} for b in batches], feeds)
    out = os.path.join(d, "out")
    r = _run([xc, "run", cnn, "--ref", "--plan", plan, "--load-inputs", feeds, "--save-outputs", out])
    s.check("profiles: one plan runs batches 1, 3 and 6 and matches the reference",
            r.returncode == 0 and "PASSED" in r.stdout and "over 3 iterations" in r.stdout, (r.stdout + r.stderr)[-800:])
    ok, detail = r.returncode == 0, ""
    if ok:
        sess = ort.InferenceSession(cnn, providers=["CPUExecutionProvider"])
        idx = _index(out)
        for it, b in enumerate(batches):
            xs = [e for e in idx if e["iteration"] == it and e["role"] == "input" and e["runner"] == "plan"][:1] or \
                [e for e in idx if e["iteration"] == it and e["role"] == "input"][:1]
            ys = [e for e in idx if e["iteration"] == it and e["role"] == "output" and e["runner"] == "plan"]
            if len(xs) != 1 or len(ys) != 1:
                ok, detail = False, "iteration %d: %d inputs, %d outputs saved" % (it, len(xs), len(ys))
                break
            want = sess.run(None, {"x": _tensor(out, xs[0])})[0]
            got = _tensor(out, ys[0])
            if got.shape != (b, 5) or not np.allclose(got, want, rtol=1e-4, atol=1e-4):
                ok, detail = False, "batch %d: shape %s, max error %s" % (b, got.shape, np.abs(got - want).max() if got.shape == want.shape else "-")
                break
    s.check("profiles: batches 1, 3 and 6 agree with ONNX Runtime", ok, detail)

    # a dynamic sequence length: one plan, three lengths, each against ONNX Runtime
    attn, aplan = os.path.join(d, "attn.onnx"), os.path.join(d, "attn.plan")
    onnx.save(_attention(), attn)
    r = _run([xc, "build", attn, "--profile-shapes", "x:min=[1,1,16],opt=[1,4,16],max=[1,8,16]", "-o", aplan])
    lengths = [1, 3, 8]
    afeeds, aout = os.path.join(d, "afeeds.json"), os.path.join(d, "aout")
    save_json([{"x": rng.standard_normal((1, n, 16)).astype(np.float32)} for n in lengths], afeeds)
    r2 = _run([xc, "run", attn, "--plan", aplan, "--load-inputs", afeeds, "--save-outputs", aout]) if r.returncode == 0 else r
    ok, detail = r2.returncode == 0, (r.stderr + r2.stderr)[-500:]
    if ok:
        sess = ort.InferenceSession(attn, providers=["CPUExecutionProvider"])
        idx = _index(aout)
        for it, n in enumerate(lengths):
            x = [e for e in idx if e["iteration"] == it and e["role"] == "input"][:1]
            y = [e for e in idx if e["iteration"] == it and e["role"] == "output"]
            got = _tensor(aout, y[0]) if x and len(y) == 1 else None
            want = sess.run(None, {"x": _tensor(aout, x[0])})[0] if x else None
            if got is None or got.shape != (1, n, 16) or not np.allclose(got, want, rtol=1e-4, atol=1e-5):
                ok, detail = False, "length %d: %s" % (n, None if got is None else got.shape)
                break
    s.check("profiles: a dynamic-sequence attention plan runs lengths 1, 3 and 8, each agreeing with ONNX Runtime", ok, detail)

    r = _run([xc, "run", cnn, "--plan", plan, "--input-shapes", "x:[7,3,8,8]"])
    err = [l for l in r.stderr.splitlines() if "error" in l]
    s.check("profiles: a batch outside the range is refused in one line naming input, shape and range",
            r.returncode != 0 and len(err) == 1 and all(w in err[0] for w in ("'x'", "[7,3,8,8]", "min [1,3,8,8]", "max [6,3,8,8]")),
            r.stderr[-500:])
    r = _run([xc, "build", cnn, "--profile-shapes", "x:min=[1,3,8,8],opt=[8,3,8,8],max=[4,3,8,8]", "-o", os.path.join(d, "bad.plan")])
    s.check("profiles: opt outside min..max is a usage error", r.returncode != 0 and "min <= opt <= max" in r.stderr, r.stderr[-300:])
    r = _run([xc, "build", cnn, "--profile-shapes", "z:min=[1],opt=[1],max=[2]", "-o", os.path.join(d, "bad.plan")])
    s.check("profiles: a profile naming no input of the model is refused", r.returncode != 0 and "'z'" in r.stderr, r.stderr[-300:])

    # two profiles
    two = os.path.join(d, "two.plan")
    r = _run([xc, "build", cnn, "--profile-shapes", PROFILE, "--profile-shapes", SECOND, "-o", two])
    s.check("profiles: build with two profiles", r.returncode == 0, r.stderr[-500:])
    r = _run([xc, "run", cnn, "--ref", "--plan", two, "--input-shapes", "x:[10,3,8,8]"])
    s.check("profiles: a batch of the second profile runs and matches the reference", r.returncode == 0 and "PASSED" in r.stdout,
            (r.stdout + r.stderr)[-500:])
    r = _run([xc, "run", cnn, "--plan", two, "--opt-profile", "0", "--input-shapes", "x:[10,3,8,8]"])
    s.check("profiles: --opt-profile 0 refuses a batch of profile 1", r.returncode != 0 and "profile 0: min [1,3,8,8], max [6,3,8,8]" in r.stderr,
            r.stderr[-500:])
    r = _run([xc, "run", cnn, "--ref", "--ocl", "--profile-shapes", PROFILE, "--profile-shapes", SECOND, "--opt-profile", "1"])
    s.check("profiles: run --ocl --opt-profile 1 feeds that profile's opt shapes", r.returncode == 0 and "PASSED" in r.stdout,
            (r.stdout + r.stderr)[-500:])

    r = _run([xc, "run", cnn, "--ocl", "--opt-profile", "0"])
    s.check("profiles: --opt-profile without profiles is refused", r.returncode != 0 and "no optimization profiles" in r.stderr, r.stderr[-300:])

    # the plan records the profiles; inspect engine shows them
    j = _plan_json(xc, cnn, two)
    profs = j.get("Profiles", [])
    s.check("profiles: the plan round-trips both profiles (and profile 1's tactics)",
            len(profs) == 2 and profs[1]["Inputs"][0]["Max"] == [16, 3, 8, 8] and "Tactics" in profs[1], json.dumps(profs)[:500])
    r = _run([xc, "inspect", "engine", cnn, "--plan", two])
    s.check("profiles: inspect engine lists the profiles",
            r.returncode == 0 and "profile 0  x min [1,3,8,8] opt [4,3,8,8] max [6,3,8,8]" in r.stdout
            and "profile 1  x min [7,3,8,8] opt [8,3,8,8] max [16,3,8,8]" in r.stdout, r.stdout[:600] + r.stderr[-300:])

    # tactics valid over the range only
    gm = os.path.join(d, "gemm.onnx")
    onnx.save(_gemm_t(), gm)
    tuned = ["--builder-optimization-level", "1", "--tactics", "gemm.vec4*"]
    r1 = _run([xc, "build", gm, *tuned, "--profile-shapes", "a:min=[16,4],opt=[16,4],max=[16,4]", "-o", os.path.join(d, "g1.plan")])
    r2 = _run([xc, "build", gm, *tuned, "--profile-shapes", "a:min=[16,1],opt=[16,4],max=[16,8]", "-o", os.path.join(d, "g2.plan")])
    s.check("profiles: gemm.vec4 is chosen where it applies to the whole range, not where a shape in it breaks it",
            r1.returncode == 0 and r2.returncode == 0 and "gemm.vec4" in r1.stdout and "gemm.vec4" not in r2.stdout,
            (r1.stdout + r1.stderr + r2.stdout + r2.stderr)[-800:])
    r = _run([xc, "run", gm, "--ref", "--plan", os.path.join(d, "g2.plan"), "--input-shapes", "a:[16,3]"])
    s.check("profiles: that engine runs a batch that is not a multiple of 4", r.returncode == 0 and "PASSED" in r.stdout,
            (r.stdout + r.stderr)[-500:])

    # data-dependent shapes inside the engine (--fallback-cpu)
    nz, nms = os.path.join(d, "nz.onnx"), os.path.join(d, "nms.onnx")
    onnx.save(_nonzero(), nz)
    onnx.save(_nms(), nms)
    r = _run([xc, "run", nz, "--ocl"])
    s.check("profiles: a NonZero output refuses the engine without --fallback-cpu, naming it",
            r.returncode != 0 and "'nz'" in r.stderr and "--fallback-cpu" in r.stderr, r.stderr[-400:])
    r = _run([xc, "inspect", "engine", nz, "--fallback-cpu", "--json"])
    layers = {l["Name"]: l for l in json.loads(r.stdout)["Layers"]} if r.returncode == 0 else {}
    s.check("profiles: NonZero and its readers run on the CPU, the rest on the device",
            layers and layers["nz"]["LayerType"] == "cpu" and layers["idx"]["LayerType"] == "cpu"
            and layers["r"]["LayerType"] != "cpu" and layers["nf"]["LayerType"] != "cpu" and layers["y"]["LayerType"] != "cpu",
            r.stderr[-300:] + str({k: v.get("LayerType") for k, v in layers.items()}))
    for model, name in ((nz, "NonZero"), (nms, "NonMaxSuppression")):
        ok, detail = _against_ort(xc, model, d, "out_" + name)
        s.check("profiles: run --ocl --fallback-cpu with %s outputs agrees with ONNX Runtime" % name, ok, detail)
