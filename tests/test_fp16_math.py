"""fp16_math: --fp16 computes in fp16 as TensorRT does (products, pointwise, softmax and
normalization steps rounded to half, sums in fp32), --fp16-storage only stores half, and
--fp16-accumulate also rounds every running sum. numpy is the independent judge: its float16
emulation of the same rounding predicts the engine's values, its float16 accumulation the
direction --fp16-accumulate moves a long dot product. Models are tiny (a few PoCL kernels)."""
import json
import os
import subprocess

import numpy as np
from onnx import TensorProto, helper, numpy_helper

H = np.float16
F = np.float32


def _run(cmd, env):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)


def _save_model(path, nodes, inputs, outputs, inits):
    f = lambda n, s: helper.make_tensor_value_info(n, TensorProto.FLOAT, s)  # noqa: E731
    g = helper.make_graph(nodes, "fp16", [f(n, s) for n, s in inputs], [f(n, s) for n, s in outputs],
                          initializer=[numpy_helper.from_array(v, k) for k, v in inits.items()])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    with open(path, "wb") as fh:
        fh.write(m.SerializeToString())


def _save_inputs(d, arrays):
    os.makedirs(d, exist_ok=True)
    for i, (name, a) in enumerate(arrays.items()):
        with open(os.path.join(d, "input_%d.pb" % i), "wb") as fh:
            fh.write(numpy_helper.from_array(a, name).SerializeToString())


def _outputs(d):
    """The tensors a --save-outputs folder holds, by name."""
    from onnx import TensorProto as TP
    out = {}
    for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        if f.startswith("output_") and f.endswith(".pb"):
            t = TP()
            with open(os.path.join(d, f), "rb") as fh:
                t.ParseFromString(fh.read())
            out[t.name] = numpy_helper.to_array(t).astype(F)
    return out


def _h(x):
    """Rounds to half and back (the engine's xc_h)."""
    return np.asarray(x, F).astype(H).astype(F)


def _matmul_fp16(x, w):
    """fp16 products, fp32 accumulation in k order, the result stored as half."""
    acc = np.zeros((x.shape[0], w.shape[1]), F)
    for k in range(x.shape[1]):
        acc = (acc + (x[:, k:k + 1].astype(H) * w[k:k + 1, :].astype(H)).astype(F)).astype(F)
    return _h(acc)


def _softmax_fp16(p):
    e = _h(np.exp(_h(p - p.max(axis=-1, keepdims=True))))
    return _h(e / _h(e.astype(np.float64).sum(axis=-1, keepdims=True).astype(F)))


def _layernorm_fp16(x, scale, bias, eps=1e-5):
    t = _h(x - x[:, :1])  # the kernel works on x - x[0]
    mean = _h(t.astype(np.float64).sum(axis=-1, keepdims=True).astype(F) / F(x.shape[1]))
    d = _h(t - mean)
    var = _h(_h(d * d).astype(np.float64).sum(axis=-1, keepdims=True).astype(F) / F(x.shape[1]))
    inv = _h(F(1) / _h(np.sqrt(_h(var + F(eps)))))
    return _h(_h(_h(d * inv) * scale) + bias)


def _transformer_bits(d):
    """MatMul -> Softmax -> LayerNorm, every tensor an output. The MatMul's inputs are halves
    (storage adds no error of its own) whose products nearly cancel in pairs, so rounding the
    products to half costs far more than rounding the small sums."""
    rng = np.random.default_rng(3)
    k = 64
    x = np.empty((8, k), F)
    x[:, 0::2] = 4 + rng.random((8, k // 2))
    x[:, 1::2] = x[:, 0::2] + 0.05 * rng.standard_normal((8, k // 2))
    w = np.empty((k, 32), F)
    r = 4 * rng.standard_normal((k // 2, 32))
    w[0::2], w[1::2] = r, -r
    x, w = _h(x), _h(w)
    scale, bias = _h(1 + 0.2 * rng.standard_normal(32)), _h(0.1 * rng.standard_normal(32))
    model = os.path.join(d, "tbits.onnx")
    _save_model(model, [helper.make_node("MatMul", ["X", "W"], ["P"], name="mm"),
                        helper.make_node("Softmax", ["P"], ["S"], name="sm", axis=-1),
                        helper.make_node("LayerNormalization", ["S", "scale", "bias"], ["Y"], name="ln", axis=-1)],
                [("X", [8, k])], [("P", [8, 32]), ("S", [8, 32]), ("Y", [8, 32])], {"W": w, "scale": scale, "bias": bias})
    _save_inputs(os.path.join(d, "tbits_in"), {"X": x})
    return model, x, w, scale, bias


def _per_layer(xc, d, model, mode, env, extra=()):
    """Isolated per-layer rows {layer: row} and the saved outputs of an engine in `mode`."""
    js, out = os.path.join(d, "pl%s.json" % mode), os.path.join(d, "out%s" % mode)
    r = _run([xc, "run", model, "--ref", "--ocl", mode, "--load-inputs", os.path.join(d, "tbits_in"), "--per-layer=isolated",
              "--atol", "1", "--rtol", "1", "--json", js] + list(extra), env)
    rows = {x["layer"]: x for x in json.load(open(js))["per_layer"]["layers"]} if r.returncode == 0 else {}
    r2 = _run([xc, "run", model, "--ocl", mode, "--load-inputs", os.path.join(d, "tbits_in"), "--save-outputs", out] + list(extra), env)
    return r, rows, _outputs(out) if r2.returncode == 0 else {}


def fp16_math(s, xc, build, tmp):
    d = os.path.join(tmp, "fp16_math")
    os.makedirs(d, exist_ok=True)
    env = dict(os.environ, CROSSCHECK_BUILDER_OPTIMIZATION_LEVEL="0")

    # (1) per-layer errors: fp16 math clearly above fp16 storage, and what numpy's emulation predicts
    model, x, w, scale, bias = _transformer_bits(d)
    r16, math, o16 = _per_layer(xc, d, model, "--fp16", env)
    rst, store, _ = _per_layer(xc, d, model, "--fp16-storage", env)
    ok = r16.returncode == 0 and rst.returncode == 0 and len(math) == 3 and len(store) == 3
    # the 99th percentile of the relative error: the output's own rounding (what storage costs)
    # is half a half ulp; fp16 math adds the products', exp's, the statistics' roundings
    p99 = lambda row: row["tensors"][0]["p99_rel"]  # noqa: E731
    errs = {n: (p99(math[n]), p99(store[n])) for n in ("mm", "sm", "ln")} if ok else {}
    s.check("fp16_math: isolated per-layer p99 relative error of fp16 math is over 1.5x fp16 storage's on Softmax and "
            "LayerNorm, 10x on the MatMul (whose products nearly cancel)",
            ok and all(m > 1.5 * st for m, st in errs.values()) and errs["mm"][0] > 10 * errs["mm"][1],
            "errors (math, storage) %s\n%s%s" % (errs, r16.stdout[-1500:], r16.stderr[-800:]))
    s.check("fp16_math: the per-layer rows name fp16 (math) and fp16-storage",
            ok and all(math[n]["precision"] == "fp16" and store[n]["precision"] == "fp16-storage" for n in math),
            str([(n, math[n].get("precision"), store[n].get("precision")) for n in math]))
    s.check("fp16_math: the per-layer table prints the precision names",
            " fp16 " in r16.stdout and " fp16-storage " in rst.stdout, r16.stdout[-600:] + rst.stdout[-600:])
    if ok and set(o16) >= {"P", "S", "Y"}:
        # numpy's emulation of the same rounding, fed the engine's own layer inputs
        want = {"P": _matmul_fp16(x, w), "S": _softmax_fp16(o16["P"]), "Y": _layernorm_fp16(o16["S"], scale, bias)}
        gap = {n: float(np.max(np.abs(o16[n] - want[n]) / (np.abs(want[n]) * 2.0 ** -10 + 2.0 ** -24))) for n in want}
        s.check("fp16_math: the engine's MatMul, Softmax and LayerNorm are within one half ulp step of numpy's float16 emulation",
                all(g <= 1.01 for g in gap.values()), "gap in half ulps %s" % gap)
        ref = x.astype(np.float64) @ w.astype(np.float64)
        e_np, e_xc = np.max(np.abs(want["P"] - ref)), np.max(np.abs(o16["P"] - ref))
        s.check("fp16_math: numpy's emulation predicts the MatMul's error (%.4g engine, %.4g numpy)" % (e_xc, e_np),
                abs(e_xc - e_np) <= 0.05 * e_np + 1e-6, "")
    else:
        s.check("fp16_math: --fp16 saved P, S and Y", False, str(sorted(o16)) + r16.stderr[-800:])

    # the rounding itself: a fused Mul chain rounds its intermediate product with xc_h; numpy's
    # float16 conversion (ties to even, subnormals, overflow to inf) must agree bit for bit
    chain2 = os.path.join(d, "mulmul.onnx")
    n = 4096
    _save_model(chain2, [helper.make_node("Mul", ["X", "C"], ["T"], name="m1"), helper.make_node("Mul", ["T", "D"], ["Z"], name="m2")],
                [("X", [n]), ("C", [n]), ("D", [n])], [("Z", [n])], {})
    rng = np.random.default_rng(7)
    xs = _h(np.where(rng.random(n) < 0.5, -1, 1) * 2.0 ** rng.uniform(-26, 16, n))
    cs, ds = _h(rng.uniform(0.5, 4, n)), _h(rng.uniform(0.25, 2, n))
    xs[:8] = [65504, 2.0 ** -24, 2.0 ** -14, 1 + 2.0 ** -10, 3 * 2.0 ** -25, 2048, 2049 / 2, -65504]
    cs[:8] = [1.0004883, 0.5, 0.9995117, 1 + 2.0 ** -10, 1, 1.0004883, 1 + 2.0 ** -10, 1.5]
    _save_inputs(os.path.join(d, "mulmul_in"), {"X": xs, "C": _h(cs), "D": ds})
    want = ((xs.astype(H) * _h(cs).astype(H)).astype(F).astype(H).astype(F) * ds).astype(H).astype(F)
    out = os.path.join(d, "mulmul_out")
    r = _run([xc, "run", chain2, "--ocl", "--fp16", "--load-inputs", os.path.join(d, "mulmul_in"), "--save-outputs", out], env)
    ri = _run([xc, "inspect", "engine", chain2, "--fp16"], env)
    z = _outputs(out).get("Z") if r.returncode == 0 else None
    bad = np.flatnonzero(~((z == want) | (np.isnan(z) & np.isnan(want)))) if z is not None else []
    s.check("fp16_math: a fused Mul chain's intermediate rounds exactly as numpy's float16 (%d values, %d of them inf)"
            % (n, int(np.isinf(want).sum())), z is not None and len(bad) == 0 and "m1 + m2" in ri.stdout,
            "mismatches at %s: got %s want %s; %s" % (bad[:5], z[bad[:5]] if z is not None else None, want[bad[:5]], r.stderr[-500:]))

    # (2) overflow: products beyond 65504 are inf in fp16, the fp32 sum is not
    over = os.path.join(d, "over.onnx")
    _save_model(over, [helper.make_node("Gemm", ["A", "B"], ["G"], name="fc", alpha=0.25)], [("A", [1, 2])], [("G", [1, 1])],
                {"B": np.array([[300], [100]], F)})
    _save_inputs(os.path.join(d, "over_in"), {"A": np.array([[300, 200]], F)})
    got = {}
    for mode in ("--fp16", "--fp16-storage"):
        out = os.path.join(d, "over%s" % mode)
        r = _run([xc, "run", over, "--ocl", mode, "--load-inputs", os.path.join(d, "over_in"), "--save-outputs", out], env)
        got[mode] = _outputs(out).get("G", np.array([np.nan]))[0, 0] if r.returncode == 0 else None
    s.check("fp16_math: 300 x 300 overflows under --fp16 (G = inf), not under --fp16-storage (G = 27500 as half)",
            got["--fp16"] == np.inf and got["--fp16-storage"] == _h(27500), str(got))

    # (3) a long dot product: --fp16-accumulate moves it the way numpy's float16 accumulation does
    n = 4096
    rng = np.random.default_rng(5)
    a, b = _h(0.5 + 0.5 * rng.random((1, n))), _h(0.1 + 0.1 * rng.random((n, 1)))
    dot = os.path.join(d, "dot.onnx")
    _save_model(dot, [helper.make_node("MatMul", ["A", "B"], ["D"], name="dot")], [("A", [1, n])], [("D", [1, 1])], {"B": b})
    _save_inputs(os.path.join(d, "dot_in"), {"A": a})
    acc16 = H(0)
    for k in range(n):
        acc16 = H(acc16 + a[0, k].astype(H) * b[k, 0].astype(H))
    exact = (a.astype(np.float64) @ b.astype(np.float64)).item()
    got = {}
    for mode in ("--fp16", "--fp16-accumulate"):
        out = os.path.join(d, "dot%s" % mode)
        r = _run([xc, "run", dot, "--ocl", mode, "--load-inputs", os.path.join(d, "dot_in"), "--save-outputs", out], env)
        got[mode] = float(_outputs(out).get("D", np.array([[np.nan]]))[0, 0]) if r.returncode == 0 else None
    ok = None not in got.values()
    s.check("fp16_math: --fp16-accumulate gives numpy's float16 running sum (%s), --fp16 stays near the exact %.2f: %s"
            % (float(acc16), exact, got), ok and got["--fp16-accumulate"] == float(acc16) and abs(got["--fp16"] - exact) < 0.01 * exact
            and np.sign(got["--fp16-accumulate"] - exact) == np.sign(float(acc16) - exact), "")

    # (4) inspect engine names the math; (5) plans keep the mode, and older plans load as storage
    precs = {}
    for mode in ("--fp16", "--fp16-storage", "--fp16-accumulate"):
        r = _run([xc, "inspect", "engine", model, mode], env)
        lines = r.stdout.splitlines() if r.returncode == 0 else []
        precs[mode] = [lines[i + 1].split()[-1] for i, ln in enumerate(lines[:-1]) if ln.split()[1:] == ["mm"]]
    s.check("fp16_math: inspect engine names fp16 / fp16-storage", precs["--fp16"] == ["fp16"] and precs["--fp16-storage"] == ["fp16-storage"]
            and precs["--fp16-accumulate"] == ["fp16"], str(precs))
    plan = os.path.join(d, "m.plan")
    r = _run([xc, "build", model, "--fp16-accumulate", "-o", plan], env)
    opts = json.load(open(plan)).get("options", {}) if r.returncode == 0 else {}
    s.check("fp16_math: a plan records fp16_math and fp16_accumulate",
            opts.get("fp16") is True and opts.get("fp16_math") is True and opts.get("fp16_accumulate") is True, r.stderr + str(opts))
    r = _run([xc, "run", model, "--plan", plan, "--load-inputs", os.path.join(d, "tbits_in"), "--save-outputs", os.path.join(d, "planout")], env)
    s.check("fp16_math: the plan reloads with fp16 accumulation (the outputs of a fresh --fp16-accumulate build, not --fp16's)",
            r.returncode == 0 and _same_outputs(xc, d, model, os.path.join(d, "planout"), "--fp16-accumulate", env)
            and not _same_outputs(xc, d, model, os.path.join(d, "planout"), "--fp16", env), r.stderr[-800:])
    r = _run([xc, "run", model, "--ref", "--plan", plan, "--load-inputs", os.path.join(d, "tbits_in")], env)
    s.check("fp16_math: run --ref --plan P (P built with --fp16-accumulate, no --fp16 given) judges with fp16's tolerance",
            "x RMS of reference" in r.stdout and "0.01 x RMS" in r.stdout and "rtol=0.01" in r.stdout, r.stdout[-800:] + r.stderr[-300:])
    old = json.load(open(plan)) if os.path.exists(plan) else {"options": {}}
    for k in ("fp16_math", "fp16_accumulate"):
        old["options"].pop(k, None)
    old_plan = os.path.join(d, "old.plan")
    json.dump(old, open(old_plan, "w"))
    r = _run([xc, "inspect", "engine", old_plan], env)
    s.check("fp16_math: a plan without the field (older crosscheck) loads as fp16 storage",
            r.returncode == 0 and {ln.split()[-1] for ln in r.stdout.splitlines() if " tactic " in ln} == {"fp16-storage"},
            r.stdout[-800:] + r.stderr[-500:])

    # (6) debug precision repairs an fp16-math failure: the overflowing Gemm stays fp32
    chain = os.path.join(d, "chain.onnx")
    _save_model(chain, [helper.make_node("Gemm", ["A", "B"], ["G"], name="fc", alpha=0.25),
                        helper.make_node("Relu", ["G"], ["Y"], name="act")], [("A", [1, 2])], [("Y", [1, 1])],
                {"B": np.array([[300], [100]], F)})
    tol = ["--rtol", "1e-2", "--atol", "1e-2", "--load-inputs", os.path.join(d, "over_in")]
    pfile = os.path.join(d, "precision.json")
    r = _run([xc, "debug", "precision", chain, "--fp16", "-o", pfile] + tol, env)
    named = "'fc" in r.stdout and "must stay in fp32" in r.stdout
    r2 = _run([xc, "run", chain, "--ref", "--ocl", "--fp16", "--layer-precision-file", pfile] + tol, env)
    r3 = _run([xc, "run", chain, "--ref", "--ocl", "--fp16"] + tol, env)
    s.check("fp16_math: debug precision names the overflowing Gemm; its file makes the --fp16 build pass (fails without)",
            r.returncode == 0 and named and r2.returncode == 0 and r3.returncode == 1,
            r.stdout[-1500:] + r.stderr[-500:] + r2.stdout[-500:] + r3.stdout[-300:])


def _same_outputs(xc, d, model, got_dir, mode, env):
    out = os.path.join(d, "fresh%s" % mode)
    r = _run([xc, "run", model, "--ocl", mode, "--load-inputs", os.path.join(d, "tbits_in"), "--save-outputs", out], env)
    a, b = _outputs(got_dir), _outputs(out)
    return r.returncode == 0 and a and set(a) == set(b) and all(np.array_equal(a[k], b[k]) for k in a)
