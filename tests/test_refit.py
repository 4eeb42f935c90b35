"""refit: `crosscheck refit PLAN --weights NEW.onnx -o NEW.plan` (issue 14). A small
Conv(3x3)+BatchNormalization+Relu+Flatten+Gemm model is built with weights A, its conv forced onto
the Winograd tactic (--tactics), and refit with weights B (same structure). Then:
  - the refit plan's engine gives outputs bit-identical (np.array_equal) to a fresh build of B
    with A's tactics replayed (--load-tactics), keeps every layer's tactic (Winograd included),
    times none, and differs from A's outputs (the weights really changed: BatchNorm folded again,
    Winograd filters transformed again);
  - the same for an fp16 engine (half weights converted again);
  - the same for an int8 engine of the QDQ model ONNX Runtime's quantize_static makes from A and
    B (int8 weights and per-channel scales derived again), and for an implicitly quantized one
    (--int8: the calibration cache of A's activations is kept, as TensorRT keeps dynamic ranges);
  - a model of another structure (a conv kernel of another shape; a renamed node) is refused:
    exit status non-zero, one line naming the initializer or node, and no plan written;
  - the same for a plan with an optimization profile (dynamic batch);
  - the plan written names the new model (run NEW.onnx --plan NEW.plan accepts it) and the
    measured times of refit and build are reported.
The in-process API (xc_engine_refit) is covered by the C unit test tests/unit/test_refit.c."""
import json
import os
import subprocess
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def _run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=600)


def _model(seed, kernel=3, node_name="conv", batch=1):
    r = np.random.default_rng(seed)

    def init(n, a):
        return numpy_helper.from_array(np.asarray(a, np.float32), n)
    c = 8
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["c"], name=node_name, pads=[kernel // 2] * 4),
             helper.make_node("BatchNormalization", ["c", "g", "beta", "mean", "var"], ["n"], name="bn"),
             helper.make_node("Relu", ["n"], ["r"], name="relu"),
             helper.make_node("Flatten", ["r"], ["f"], name="flatten"),
             helper.make_node("Gemm", ["f", "wf", "bf"], ["y"], name="fc", transB=1)]
    g = helper.make_graph(nodes, "refit", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, 4, 6, 6])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [batch, 5])],
                          [init("w", r.normal(0, .3, [c, 4, kernel, kernel])), init("b", r.normal(0, .1, [c])),
                           init("g", r.uniform(.5, 1.5, [c])), init("beta", r.normal(0, .1, [c])),
                           init("mean", r.normal(0, .1, [c])), init("var", r.uniform(.5, 1.5, [c])),
                           init("wf", r.normal(0, .1, [5, c * 36])), init("bf", r.normal(0, .1, [5]))])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    return m


def _dataset(folder, x):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "input_0.pb"), "wb") as f:
        f.write(numpy_helper.from_array(x, "x").SerializeToString())
    return folder


def _outputs(xc, model, plan, ds, out):
    r = _run([xc, "run", model, "--plan", plan, "--load-inputs", ds, "--save-outputs", out])
    if r.returncode != 0:
        return None, r.stderr[-1500:]
    return numpy_helper.to_array(onnx.load_tensor(os.path.join(out, "output_0.pb"))), ""


def _tactics(plan):
    try:
        with open(plan) as f:
            return {L["name"]: L["tactic"] for L in json.load(f)["layers"]}
    except (OSError, ValueError, KeyError):
        return {}


def _case(s, xc, tmp, label, a, b, ds, build_opts, want_tactic):
    """Build a (plan A), refit with b (plan R), fresh build of b with A's tactics (plan F)."""
    plan_a, plan_r, plan_f = (os.path.join(tmp, "refit_%s_%s.plan" % (label, k)) for k in "arf")
    t0 = time.monotonic()
    r = _run([xc, "build", a, "-o", plan_a] + build_opts)
    t_build = time.monotonic() - t0
    if not s.check("refit %s: builds with weights A" % label, r.returncode == 0, r.stderr[-1500:]):
        return None
    tact_a = _tactics(plan_a)
    s.check("refit %s: the plan has a %s layer" % (label, want_tactic), any(want_tactic in t for t in tact_a.values()),
            str(tact_a))
    t0 = time.monotonic()
    r = _run([xc, "refit", plan_a, "--weights", b, "-o", plan_r])
    t_refit = time.monotonic() - t0
    if not s.check("refit %s: refit with weights B" % label, r.returncode == 0 and "none timed" in r.stdout,
                   r.stdout[-800:] + r.stderr[-1500:]):
        return None
    r = _run([xc, "build", b, "-o", plan_f, "--load-tactics", plan_a] + build_opts)
    s.check("refit %s: fresh build of B with A's tactics replayed" % label, r.returncode == 0, r.stderr[-1500:])
    s.check("refit %s: the refit plan keeps every layer's tactic" % label, _tactics(plan_r) == tact_a,
            "%s vs %s" % (_tactics(plan_r), tact_a))
    ya, ea = _outputs(xc, a, plan_a, ds, os.path.join(tmp, "refit_%s_out_a" % label))
    yr, er = _outputs(xc, b, plan_r, ds, os.path.join(tmp, "refit_%s_out_r" % label))
    yf, ef = _outputs(xc, b, plan_f, ds, os.path.join(tmp, "refit_%s_out_f" % label))
    ok = ya is not None and yr is not None and yf is not None
    s.check("refit %s: refit outputs bit-identical to the fresh build of B" % label, ok and np.array_equal(yr, yf),
            ea + er + ef if not ok else "max |diff| %g" % float(np.max(np.abs(yr - yf))))
    s.check("refit %s: and different from A's" % label, ok and not np.array_equal(yr, ya), ea + er)
    return t_build, t_refit


def _quantize(fp32, qdq, x):
    import logging
    logging.getLogger().setLevel(logging.ERROR)
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.it = iter([{"x": x}])

        def get_next(self):
            return next(self.it, None)
    quantize_static(fp32, qdq, Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QInt8, weight_type=QuantType.QInt8)


def refit(s, xc, build, tmp):
    d = os.path.join(tmp, "refit")
    os.makedirs(d, exist_ok=True)
    a, b = os.path.join(d, "a.onnx"), os.path.join(d, "b.onnx")
    onnx.save(_model(1), a)
    onnx.save(_model(2), b)
    x = np.random.default_rng(0).normal(0, 1, [1, 4, 6, 6]).astype(np.float32)
    ds = _dataset(os.path.join(d, "in"), x)
    wino = ["--tactics", "conv2d.winograd_f2x2_3x3*", "--tactics", "gemm*", "--timing-iterations", "1"]
    times = _case(s, xc, d, "fp32", a, b, ds, wino, "winograd")
    _case(s, xc, d, "fp16", a, b, ds, wino + ["--fp16"], "winograd")
    qa, qb = os.path.join(d, "qa.onnx"), os.path.join(d, "qb.onnx")
    try:
        _quantize(a, qa, x)
        _quantize(b, qb, x)
    except Exception as ex:  # noqa: BLE001 — reported as a failed check, not a crash of the suite
        s.check("refit int8: ONNX Runtime quantizes the model", False, repr(ex))
    else:
        _case(s, xc, d, "int8", qa, qb, ds, ["--timing-iterations", "1"], "qconv")
    da, db = os.path.join(d, "dyn_a.onnx"), os.path.join(d, "dyn_b.onnx")
    onnx.save(_model(1, batch="N"), da)
    onnx.save(_model(2, batch="N"), db)
    _case(s, xc, d, "profile", da, db, ds, wino + ["--profile-shapes", "x:min=[1,4,6,6],opt=[2,4,6,6],max=[4,4,6,6]"],
          "winograd")
    cal = _dataset(os.path.join(d, "cal", "set0"), x)
    _case(s, xc, d, "int8-implicit", a, b, ds, ["--int8", "--calibration-data", os.path.dirname(cal), "--calibration-cache",
                                                 os.path.join(d, "cal.cache"), "--timing-iterations", "1"], "qconv")
    if times:
        print("refit: build %.2f s, refit %.2f s (fp32 model, PoCL)" % times)

    # structure differs: one line naming the difference, nothing written
    plan_a = os.path.join(d, "refit_fp32_a.plan")
    for what, m, name in (("a 5x5 kernel", _model(2, kernel=5), "initializer 'w'"),
                          ("a renamed node", _model(2, node_name="conv_renamed"), "conv_renamed")):
        bad, out = os.path.join(d, "bad.onnx"), os.path.join(d, "bad.plan")
        onnx.save(m, bad)
        r = _run([xc, "refit", plan_a, "--weights", bad, "-o", out])
        lines = r.stderr.strip().splitlines()
        s.check("refit: a model with %s is refused in one line naming %s" % (what, name),
                r.returncode != 0 and len(lines) == 1 and name in lines[0] and not os.path.exists(out),
                "rc %d: %s" % (r.returncode, r.stderr[-800:]))

    r = _run([xc, "refit", "--help"])
    s.check("refit --help lists --weights, -o and --ocl-device",
            r.returncode == 0 and all(o in r.stdout for o in ("--weights", "-o NEW.plan", "--ocl-device")), r.stderr)
    r = _run([xc, "refit", plan_a, "-o", os.path.join(d, "x.plan")])
    s.check("refit without --weights: one usage line, exit 2",
            r.returncode == 2 and "--weights" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr)
    r = _run([xc, "--help"])
    s.check("crosscheck --help lists refit", r.returncode == 0 and "\n  refit " in r.stdout, r.stdout[-500:])

    # same structure, but a weight the engine's shapes depend on (a Reshape's shape): refused
    ra, rb = os.path.join(d, "reshape_a.onnx"), os.path.join(d, "reshape_b.onnx")
    for path, shape in ((ra, [6, 4]), (rb, [4, 6])):
        nodes = [helper.make_node("Reshape", ["x", "shp"], ["r"], name="reshape"), helper.make_node("Relu", ["r"], ["y"], name="relu")]
        g = helper.make_graph(nodes, "rs", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                              [numpy_helper.from_array(np.array(shape, np.int64), "shp")])
        onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), path)
    rplan, rout = os.path.join(d, "reshape_a.plan"), os.path.join(d, "reshape_b.plan")
    r = _run([xc, "build", ra, "-o", rplan])
    r2 = _run([xc, "refit", rplan, "--weights", rb, "-o", rout])
    lines = r2.stderr.strip().splitlines()
    s.check("refit: weights that change a tensor's shape (Reshape) are refused in one line naming it",
            r.returncode == 0 and r2.returncode != 0 and len(lines) == 1 and "tensor 'r'" in lines[0]
            and not os.path.exists(rout), r.stderr[-500:] + r2.stderr[-800:])

    # a plan moved away from its model: --model names the model it was built from
    moved = os.path.join(d, "moved")
    os.makedirs(moved, exist_ok=True)
    import shutil
    shutil.copy(plan_a, moved)
    mplan, mout = os.path.join(moved, os.path.basename(plan_a)), os.path.join(moved, "r.plan")
    r = _run([xc, "refit", mplan, "--weights", b, "-o", mout])
    s.check("refit of a plan whose model is not beside it: one line suggesting --model",
            r.returncode != 0 and "refit --model" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr)
    r = _run([xc, "refit", mplan, "--model", a, "--weights", b, "-o", mout])
    s.check("refit --model OLD.onnx: the plan is refit", r.returncode == 0 and os.path.exists(mout), r.stderr)
