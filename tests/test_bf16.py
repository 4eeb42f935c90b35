"""bf16: --bf16 computes in bfloat16 as TensorRT's bf16 does (inputs, products and pointwise
steps rounded to bf16, nearest even; sums in fp32), --bf16-storage only stores bf16. numpy has
no bfloat16, so the judge rounds on uint32 views (checked against ml_dtypes when it imports).
The models are tiny: a MatMul feeding a fused Mul chain, and one Mul."""
import json
import os
import subprocess

import numpy as np
from onnx import helper

from test_fp16_math import _save_inputs, _save_model

F = np.float32


def _run(cmd, env):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)


def _bf16(x):
    """x rounded to bfloat16 (nearest even; a NaN stays NaN) and back, on the bits."""
    u = np.asarray(x, F).view(np.uint32).astype(np.uint64)
    r = ((u + 0x7fff + ((u >> 16) & 1)) >> 16) << 16
    nan = (u & 0x7fffffff) > 0x7f800000
    return np.where(nan, ((u >> 16) | 0x40) << 16, r).astype(np.uint32).view(F)


def _same_bits(a, b):
    return a is not None and a.shape == b.shape and np.array_equal(a.view(np.uint32), b.view(np.uint32))


def _bf16_values(rng, shape, lo=1.0, hi=2.0):
    """Random bf16 numbers (8 significant bits) in [lo, hi) with random signs."""
    v = _bf16(rng.uniform(lo, hi, shape).astype(F))
    return np.where(rng.random(shape) < 0.5, -v, v).astype(F)


def _chain_model(d):
    """MatMul -> P (an output) -> Mul -> Mul -> Z: the Muls fuse, their product stays inside. The
    MatMul's operands have 8-bit significands in [1, 2), so every product is exact in fp32 (16
    bits) and every sum of 16 of them too (20 bits): only the roundings under test remain."""
    rng = np.random.default_rng(11)
    x, w = _bf16_values(rng, (8, 16)), _bf16_values(rng, (16, 64))
    c, dd = _bf16_values(rng, (64,), 0.5, 4), _bf16_values(rng, (64,), 0.25, 2)
    model = os.path.join(d, "chain.onnx")
    _save_model(model, [helper.make_node("MatMul", ["X", "W"], ["P"], name="mm"),
                        helper.make_node("Mul", ["P", "C"], ["T"], name="m1"),
                        helper.make_node("Mul", ["T", "D"], ["Z"], name="m2")],
                [("X", [8, 16])], [("P", [8, 64]), ("Z", [8, 64])], {"W": w, "C": c, "D": dd})
    _save_inputs(os.path.join(d, "chain_in"), {"X": x})
    return model, x, w, c, dd


def _isolated(xc, d, model, mode, env, extra=()):
    """An isolated per-layer run: its JSON rows by layer, and the outputs it saved by runner
    ({"ocl": {name: array}, "ref": ...}; the outputs come from the plain run, the rows from the
    run with each layer fed the reference's inputs)."""
    js, out = os.path.join(d, "pl%s.json" % mode), os.path.join(d, "iso%s" % mode)
    r = _run([xc, "run", model, "--ref", "--ocl", mode, "--load-inputs", os.path.join(d, "chain_in"), "--per-layer=isolated",
              "--json", js, "--save-outputs", out] + list(extra), env)
    rows = {x["layer"]: x for x in json.load(open(js))["per_layer"]["layers"]} if os.path.exists(js) else {}
    return r, rows, {k: _saved(out, k) for k in ("ocl", "ref")}


def _saved(out, runner):
    """The outputs runner saved under --save-outputs out, by name ({runner}_it0_output_K.pb, or
    output_K.pb when it ran alone)."""
    from onnx import TensorProto, numpy_helper
    files = sorted(os.listdir(out)) if os.path.isdir(out) else []
    mine = [f for f in files if f.startswith(runner + "_it0_output_")] or [f for f in files if f.startswith("output_")]
    got = {}
    for f in mine:
        t = TensorProto()
        with open(os.path.join(out, f), "rb") as fh:
            t.ParseFromString(fh.read())
        got[t.name] = numpy_helper.to_array(t).astype(F)
    return got


def _stats(got, ref):
    """max and mean absolute error, as the comparator computes them (in double)."""
    e = np.abs(got.astype(np.float64) - ref.astype(np.float64))
    return float(e.max()), float(e.mean())


def bf16(s, xc, build, tmp):
    d = os.path.join(tmp, "bf16")
    os.makedirs(d, exist_ok=True)
    env = dict(os.environ, CROSSCHECK_BUILDER_OPTIMIZATION_LEVEL="0")

    # the judge itself: ml_dtypes' bfloat16 cast, where it imports, rounds as _bf16() does
    probe = np.concatenate([np.random.default_rng(1).standard_normal(4096).astype(F) * F(1e3),
                            np.array([1 + 2.0 ** -8, 1 + 3 * 2.0 ** -8, 3.4e38, 1e-40, np.inf, -np.inf], F)]).astype(F)
    try:
        import ml_dtypes
        s.check("bf16: the uint32 emulation of bf16 rounding agrees with ml_dtypes.bfloat16",
                _same_bits(_bf16(probe), probe.astype(ml_dtypes.bfloat16).astype(F)), "")
    except ImportError:
        pass

    # (1) bit-exact rounding: the MatMul's products and result, the fused chain's intermediate and
    # result, each rounded to nearest even as the emulation does — in the plain run (saved outputs,
    # every bit) and isolated per layer (each row's errors those of the emulation fed the reference)
    model, x, w, c, dd = _chain_model(d)
    r, rows, got = _isolated(xc, d, model, "--bf16", env)
    ocl, ref = got["ocl"], got["ref"]
    prods = _bf16(x[:, :, None] * w[None, :, :])  # exact fp32 products, rounded to bf16
    p_want = _bf16(prods.astype(np.float64).sum(axis=1).astype(F))  # exact sums (20 bits), the result rounded
    p_plain = _bf16(x.astype(np.float64) @ w.astype(np.float64))  # what rounding only the result would give
    chain = lambda p: _bf16(_bf16(_bf16(p) * c) * dd)  # noqa: E731  (P stored as bf16, T and Z rounded)
    ok = r.returncode == 0 and {"P", "Z"} <= set(ocl) and {"P", "Z"} <= set(ref)
    s.check("bf16: --bf16's MatMul (products and result rounded to bf16) and fused Mul chain (intermediate too) give "
            "numpy's bf16 emulation bit for bit (%d of %d MatMul values differ from rounding the result alone)"
            % (int((p_want != p_plain).sum()), p_want.size),
            ok and _same_bits(ocl["P"], p_want) and (p_want != p_plain).any() and _same_bits(ocl["Z"], chain(ocl["P"])),
            "mismatches P %s, Z %s; %s%s" % (int((ocl["P"] != p_want).sum()) if ok else None,
                                               int((ocl["Z"] != chain(ocl["P"])).sum()) if ok else None,
                                               r.stdout[-1200:], r.stderr[-600:]))
    want = {"mm": _stats(p_want, ref["P"]), "m1 + m2": _stats(chain(ref["P"]), ref["Z"])} if ok else {}
    have = {k: (rows[k]["max_abs"], rows[k]["tensors"][0]["mean_abs"]) for k in want if k in rows}
    s.check("bf16: isolated per layer, each row's max and mean error are the emulation's fed the reference's inputs "
            "(Z: %s, not the accumulated chain's %s)" % (want.get("m1 + m2"), _stats(chain(ocl["P"]), ref["Z"]) if ok else None),
            ok and set(have) == set(want) and all(have[k][0] == want[k][0] and abs(have[k][1] - want[k][1]) <= 1e-9 * want[k][1]
                                                  for k in want)
            and want["m1 + m2"] != _stats(chain(ocl["P"]), ref["Z"]), "rows %s, emulation %s" % (have, want))
    s.check("bf16: the per-layer table and --json name the layers' precision bf16",
            len(rows) == 2 and all(v.get("precision") == "bf16" for v in rows.values()) and " bf16 " in r.stdout,
            str({k: v.get("precision") for k, v in rows.items()}) + r.stdout[-600:])

    # (2) storage: within bf16's tolerance, coarser than fp16 on small values, but fp32's range
    one = os.path.join(d, "mul.onnx")
    _save_model(one, [helper.make_node("Mul", ["X", "S"], ["Y"], name="scale")], [("X", [4096])], [("Y", [4096])],
                {"S": np.array([1.5], F)})
    rng = np.random.default_rng(2)
    sets = {"small": rng.uniform(-1, 1, 4096).astype(F), "big": (rng.uniform(0.5, 1, 4096) * 1e6).astype(F)}
    got, res = {}, {}
    for name, v in sets.items():
        _save_inputs(os.path.join(d, "mul_" + name), {"X": v})
        for mode in ("--fp16-storage", "--bf16-storage"):
            out, js = os.path.join(d, "mul%s_%s" % (mode, name)), os.path.join(d, "mul%s_%s.json" % (mode, name))
            res[mode, name] = _run([xc, "run", one, "--ref", "--ocl", mode, "--load-inputs", os.path.join(d, "mul_" + name),
                                    "--save-outputs", out, "--json", js, "--per-layer"], env)
            got[mode, name] = _saved(out, "ocl").get("Y")
    exact = {n: (v.astype(np.float64) * 1.5) for n, v in sets.items()}
    err = {m: float(np.max(np.abs(got[m, "small"] - exact["small"]))) if got[m, "small"] is not None else None
           for m in ("--fp16-storage", "--bf16-storage")}
    r = res["--bf16-storage", "small"]
    j = json.load(open(os.path.join(d, "mul--bf16-storage_small.json"))) if r.returncode == 0 else {}
    row = (j.get("per_layer", {}).get("layers") or [{}])[0]
    s.check("bf16: --bf16-storage passes the reference within bf16's tolerance (rtol 0.08 = fp16's 0.01 x 2^-8/2^-11), "
            "its layer named bf16-storage, and loses more than fp16 storage on values in [-1, 1] (max error %s)" % err,
            r.returncode == 0 and "rtol=0.08" in r.stdout and row.get("precision") == "bf16-storage"
            and None not in err.values() and err["--bf16-storage"] > 4 * err["--fp16-storage"]
            and err["--bf16-storage"] <= 2.0 ** -7 * 1.5, r.stdout[-1500:] + r.stderr[-500:])
    big16, bigb = got["--fp16-storage", "big"], got["--bf16-storage", "big"]
    s.check("bf16: values near 1e6 overflow fp16 storage (inf) but stay finite in bf16 storage, within two bf16 roundings",
            big16 is not None and np.isinf(big16).all() and bigb is not None and np.isfinite(bigb).all()
            and np.max(np.abs(bigb - exact["big"]) / exact["big"]) <= 2.0 ** -7 and res["--bf16-storage", "big"].returncode == 0,
            "%s %s" % (None if big16 is None else big16[:3], None if bigb is None else bigb[:3]))

    # --ocl-fp16 beside a --bf16 engine is the IEEE half engine its name says (it built a second bf16 one)
    js = os.path.join(d, "two.json")
    r = _run([xc, "run", model, "--ref", "--ocl-fp16", "--bf16", "--per-layer", "--json", js], env)
    pl = json.load(open(js)).get("per_layer", {}) if os.path.exists(js) else {}
    precs = {row.get("precision") for row in pl.get("layers") or []}
    s.check("bf16: --ocl-fp16 with --bf16 given (for an --ocl engine) still builds an fp16-storage engine",
            pl.get("runner") == "ocl-fp16" and precs == {"fp16-storage"}, r.stdout[-800:] + r.stderr[-400:] + str(precs))

    # the engine's graph labels a bf16 engine's tensors with their format, not "(fp16)"
    dot = os.path.join(d, "engine.dot")
    r = _run([xc, "graph", model, "--engine", "--bf16", "-o", dot], env)
    text = open(dot).read() if r.returncode == 0 and os.path.exists(dot) else ""
    s.check("bf16: graph --engine --bf16 labels the 16-bit tensors (bf16), never (fp16)",
            "(bf16)" in text and "(fp16)" not in text, r.stderr[-400:] + text[:300])

    # (3) plans record and replay the mode; plans from before bf16 still load (as fp16)
    plan = os.path.join(d, "chain.plan")
    r = _run([xc, "build", model, "--bf16", "-o", plan], env)
    opts = json.load(open(plan)).get("options", {}) if r.returncode == 0 else {}
    fresh, replay = os.path.join(d, "fresh"), os.path.join(d, "replay")
    r1 = _run([xc, "run", model, "--ocl", "--bf16", "--load-inputs", os.path.join(d, "chain_in"), "--save-outputs", fresh], env)
    r2 = _run([xc, "run", model, "--ref", "--plan", plan, "--load-inputs", os.path.join(d, "chain_in"), "--save-outputs", replay], env)
    a, b = _saved(fresh, "ocl"), _saved(replay, "plan")
    s.check("bf16: a --bf16 plan records the mode (half_format bf16, fp16_math) and replays it: the outputs of a fresh "
            "--bf16 build, judged with bf16's tolerance",
            opts.get("half_format") == "bf16" and opts.get("fp16") is True and opts.get("fp16_math") is True
            and r1.returncode == 0 and r2.returncode == 0 and a and set(a) == set(b)
            and all(_same_bits(a[k], b[k]) for k in a) and "rtol=0.08" in r2.stdout,
            r.stderr[-400:] + str(opts) + r2.stdout[-800:] + r2.stderr[-400:])
    ri = _run([xc, "inspect", "engine", plan], env)
    old_plan = os.path.join(d, "old.plan")  # an fp16 plan as crosscheck wrote them before bf16
    r = _run([xc, "build", model, "--fp16-storage", "-o", old_plan], env)
    old = json.load(open(old_plan)) if r.returncode == 0 else {"options": {}}
    old["options"].pop("half_format", None)
    old["options"].pop("bf16_layers", None)
    json.dump(old, open(old_plan, "w"))
    ro = _run([xc, "inspect", "engine", old_plan], env)
    precs = lambda out: {ln.split()[3] for ln in out.splitlines() if ln.split()[1:2] == ["tactic"]}  # noqa: E731  KIND tactic T PREC
    s.check("bf16: inspect engine shows bf16 layers and BF16 tensors; a plan without half_format (older) loads as fp16",
            ri.returncode == 0 and precs(ri.stdout) == {"bf16"} and "Row major linear BF16" in ri.stdout
            and ro.returncode == 0 and precs(ro.stdout) == {"fp16-storage"} and "BF16" not in ro.stdout,
            ri.stdout[-800:] + ro.stdout[-400:] + ro.stderr[-400:])

    # (4) --layer-precision NAME:bf16, next to an fp32 layer: reformats where the storages meet
    r, rows, _ = _isolated(xc, d, model, "--bf16", env, ["--layer-precision", "mm:fp32", "--layer-precision", "m1:bf16"])
    ri = _run([xc, "inspect", "engine", model, "--bf16", "--layer-precision", "mm:fp32", "--layer-precision", "m1:bf16"], env)
    s.check("bf16: --layer-precision mm:fp32 m1:bf16 keeps the MatMul fp32, the chain bf16, with a reformat to bf16 between",
            r.returncode == 0 and rows.get("mm", {}).get("precision") == "fp32" and rows.get("m1 + m2", {}).get("precision") == "bf16"
            and "Reformat(P -> bf16)" in ri.stdout, str({k: v.get("precision") for k, v in rows.items()}) + ri.stdout[-900:])

    # (5) combinations that mean nothing are refused in one line
    bad = {"--bf16 --fp16": [xc, "build", model, "--bf16", "--fp16"],
           "--fp16-accumulate --bf16-storage": [xc, "build", model, "--fp16-accumulate", "--bf16-storage"],
           "--fp16 with mm:bf16": [xc, "build", model, "--fp16", "--layer-precision", "mm:bf16"],
           "mm:bf16 without --bf16": [xc, "build", model, "--layer-precision", "mm:bf16"]}
    outs = {k: _run(v + ["-o", os.path.join(d, "bad.plan")], env) for k, v in bad.items()}
    s.check("bf16: --bf16 with --fp16, --fp16-accumulate with --bf16-storage, and mm:bf16 without --bf16 are refused in one line",
            all(o.returncode != 0 and len(o.stderr.strip().splitlines()) == 1 for o in outs.values())
            and "cannot be combined" in outs["--bf16 --fp16"].stderr and "needs --bf16" in outs["mm:bf16 without --bf16"].stderr,
            str({k: (o.returncode, o.stderr.strip()) for k, o in outs.items()}))
