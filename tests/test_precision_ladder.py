"""precision_ladder: per-layer precision constraints (--layer-precision NAME:int8|fp16|fp32) and
`debug precision` on int8 engines, walking TensorRT's ladder int8 -> fp16 -> fp32 (issue 14).

A three-conv model is badly quantized by design: conv1 has one output channel 3000x the others
(an outlier), so under implicit --int8 the calibrated scale of conv2's input is set by that
channel and the other five quantize to almost nothing; conv2 reads the outlier channel with
weights 1e-4 of the rest, so in float it barely matters. conv2 is the one layer that cannot be
int8; in fp16 or fp32 the model agrees with the reference.
  - debug precision --int8 names 'conv2 + relu2' as needing fp32, --int8 --fp16 as needing fp16
    (the first rung), each validated on 3 fresh input sets; the file it writes holds that layer
    and precision, and the run with --layer-precision-file passes (without it fails);
  - a second model adds a branch whose outputs (~1e5) overflow fp16 storage: with --int8 --fp16
    raising every int8 layer to fp16 still fails, so the tool climbs to fp32 and then tries each
    int8 culprit one rung lower: conv2 needs fp16, the overflowing conv fp32; the calibration ran
    once, into a cache every check read;
  - an explicit Q/DQ model (onnx.helper, no --int8) whose folded int8 conv2 is wrong (a planted
    node-fusion fault: the int8 layer only): debug precision names it; constrained, conv2 runs as
    a float conv with its Q/DQ as float quant layers;
  - constraints show in the per-layer table and in a plan's layers; an old format-1 file of bare
    names reads as fp32; bad constraints (unknown precision, int8 in a float engine, fp16
    without --fp16, an unknown layer, a bad precision in a file) are one-line errors;
  - debug reduce of an fp16 model with a constraint keeps it only where the candidate has the node."""
import json
import os
import subprocess

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

TOL = ["--atol", "0.25", "--rtol", "0"]


def _run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=600, **kw)


def _init(name, a):
    return numpy_helper.from_array(np.asarray(a, np.float32), name)


def _save(path, nodes, outs, inits):
    """The graph of input x[1,3,6,6] as an opset-17 model at path."""
    g = helper.make_graph(nodes, "ladder", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 6, 6])], outs, inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.save(m, path)
    return path


def _ladder_model(path, overflow):
    """conv1 (an outlier channel) -> conv2 + relu2 (badly quantized input) -> conv3 -> y; with
    overflow, also x -> conv_big -> y2 (outputs near 1e5: fp16 storage overflows)."""
    r = np.random.default_rng(3)
    w1 = r.normal(0, .3, [6, 3, 3, 3])
    w1[5] *= 3000
    w2 = r.normal(0, .3, [4, 6, 3, 3])
    w2[:, 5] *= 1e-4
    nodes = [helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1], name="conv1"),
             helper.make_node("Conv", ["c1", "w2", "b2"], ["c2"], pads=[1, 1, 1, 1], name="conv2"),
             helper.make_node("Relu", ["c2"], ["r2"], name="relu2"),
             helper.make_node("Conv", ["r2", "w3", "b3"], ["y"], name="conv3")]
    inits = [_init("w1", w1), _init("b1", r.normal(0, .1, [6])), _init("w2", w2), _init("b2", r.normal(0, .1, [4])),
             _init("w3", r.normal(0, .5, [2, 4, 1, 1])), _init("b3", r.normal(0, .1, [2]))]
    outs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2, 6, 6])]
    if overflow:
        nodes.append(helper.make_node("Conv", ["x", "wb"], ["y2"], name="conv_big"))
        inits.append(_init("wb", r.normal(0, 1, [2, 3, 1, 1]) * 2e5))
        outs.append(helper.make_tensor_value_info("y2", TensorProto.FLOAT, [1, 2, 6, 6]))
    return _save(path, nodes, outs, inits)


def _qdq_model(path):
    """x -Q/DQ-> conv1 -Q/DQ-> conv2 -> y (float), int8 weights per tensor."""
    r = np.random.default_rng(5)

    def const(name, a, dt=np.float32):
        return numpy_helper.from_array(np.asarray(a, dt), name)
    w1, w2 = r.normal(0, .3, [6, 3, 3, 3]), r.normal(0, .3, [4, 6, 3, 3])  # the ladder model's shapes: its kernels
    inits = [const("sx", 1 / 64), const("s1", 4 / 127), const("z", 0, np.int8),
             const("w1q", np.clip(np.rint(w1 / (.9 / 127)), -127, 127), np.int8), const("sw1", .9 / 127),
             const("w2q", np.clip(np.rint(w2 / (.9 / 127)), -127, 127), np.int8), const("sw2", .9 / 127)]
    nodes = [helper.make_node("QuantizeLinear", ["x", "sx", "z"], ["xq"], name="x_q"),
             helper.make_node("DequantizeLinear", ["xq", "sx", "z"], ["xd"], name="x_dq"),
             helper.make_node("DequantizeLinear", ["w1q", "sw1", "z"], ["w1d"], name="w1_dq"),
             helper.make_node("Conv", ["xd", "w1d"], ["c1"], pads=[1, 1, 1, 1], name="conv1"),
             helper.make_node("QuantizeLinear", ["c1", "s1", "z"], ["c1q"], name="c1_q"),
             helper.make_node("DequantizeLinear", ["c1q", "s1", "z"], ["c1d"], name="c1_dq"),
             helper.make_node("DequantizeLinear", ["w2q", "sw2", "z"], ["w2d"], name="w2_dq"),
             helper.make_node("Conv", ["c1d", "w2d"], ["y"], pads=[1, 1, 1, 1], name="conv2")]
    return _save(path, nodes, [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 6, 6])], inits)


def _calibration(folder):
    r = np.random.default_rng(9)
    for k in range(2):
        d = os.path.join(folder, "set_%d" % k)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "input_0.pb"), "wb") as f:
            f.write(numpy_helper.from_array(r.normal(0, 1, [1, 3, 6, 6]).astype(np.float32), "x").SerializeToString())
    return folder


def _layers(xc, model, args, tmp, name):
    """Built with args: {layer name: (kind, precision)} from the plan (inspect engine), or the failure."""
    plan = os.path.join(tmp, name + ".plan")
    rb = _run([xc, "build", model, "-o", plan] + args)
    if rb.returncode:
        return {}, rb.stderr[-1500:]
    ri = _run([xc, "inspect", "engine", model, "--plan", plan, "--json"])
    j = json.loads(ri.stdout) if ri.returncode == 0 else {}
    got = {L["Name"]: (L["LayerType"], L["Precision"]) for L in j.get("Layers", [])}
    got["options"] = {k: v for k, v in j.get("Options", {}).items() if k.endswith("Layers")}
    return got, ri.stderr[-800:]


def _debug(s, xc, model, args, out, layer, need, have, label):
    """debug precision names `layer` needing `need` (from `have`) and nothing else; its file holds
    exactly that; a run with the file passes. Returns the tool's stdout."""
    r = _run([xc, "debug", "precision", model, "-o", out] + args)
    verdict = r.stdout[r.stdout.find("verdict"):]
    says = "layer '%s' (nodes " % layer in verdict and "must run in %s (%s fails)" % (need, have) in verdict
    validated = "validated on 3 fresh generated input sets" in verdict and "it passes" in verdict
    got = json.load(open(out)) if os.path.exists(out) else {}
    s.check("precision_ladder: %s: debug precision says '%s' needs %s (not %s), validated on 3 fresh sets" % (label, layer, need, have),
            r.returncode == 0 and says and validated and verdict.count("must run in") == 1, r.stdout[-2500:] + r.stderr[-800:])
    s.check("precision_ladder: %s: the file it wrote holds {'%s': '%s'}" % (label, layer, need),
            got.get("format") == "crosscheck-layer-precision-2" and got.get("layers") == {layer: need}, json.dumps(got))
    rf = _run([xc, "run", model, "--ref", "--ocl", "--layer-precision-file", out] + args)
    s.check("precision_ladder: %s: the run with --layer-precision-file passes" % label, rf.returncode == 0,
            rf.stdout[-1200:] + rf.stderr[-800:])
    return r.stdout


def _one_line_error(s, r, label, words):
    lines = r.stderr.strip().splitlines()
    s.check("precision_ladder: %s: one-line error naming %s, non-zero exit" % (label, " and ".join(words)),
            r.returncode != 0 and len(lines) == 1 and all(w in lines[0] for w in words), r.stderr[-800:])


def _implicit(s, xc, tmp):
    model = _ladder_model(os.path.join(tmp, "ladder.onnx"), False)
    calib = _calibration(os.path.join(tmp, "ladder_calib"))
    i8 = ["--int8", "--calibration-data", calib]
    int8 = i8 + TOL
    r = _run([xc, "run", model, "--ref", "--ocl"] + int8)
    s.check("precision_ladder: the --int8 build of the outlier model fails against the reference", r.returncode == 1,
            r.stdout[-1200:] + r.stderr[-800:])
    out32, out16 = os.path.join(tmp, "ladder_fp32.json"), os.path.join(tmp, "ladder_fp16.json")
    _debug(s, xc, model, int8, out32, "conv2 + relu2", "fp32", "int8", "--int8")
    text = _debug(s, xc, model, int8 + ["--fp16"], out16, "conv2 + relu2", "fp16", "int8", "--int8 --fp16")
    s.check("precision_ladder: --int8 --fp16: the first rung (fp16) was enough, fp32 never tried",
            "raising them to fp16" in text and "raising them to fp32" not in text, text[-2000:])
    # a bf16 engine's 16-bit rung is bf16 (it asked for fp16 layers, which such an engine refuses)
    out_b = os.path.join(tmp, "ladder_bf16.json")
    text = _debug(s, xc, model, int8 + ["--bf16"], out_b, "conv2 + relu2", "bf16", "int8", "--int8 --bf16")
    s.check("precision_ladder: --int8 --bf16: the first rung is bf16 and was enough",
            "raising them to bf16" in text and "raising them to fp32" not in text, text[-2000:])

    # the constraint in the per-layer table and in a plan: the layer float, the others int8
    for name, args, want, nodes in (("ladder_c32", i8 + ["--layer-precision-file", out32], "fp32", ["conv2", "relu2"]),
                                    ("ladder_c16", i8 + ["--fp16", "--layer-precision", "conv2:fp16"], "fp16", ["conv2"])):
        got, err = _layers(xc, model, args, tmp, name)
        s.check("precision_ladder: constrained to %s, the plan's layers show conv2 + relu2 as a float conv in %s, the rest int8" % (want, want),
                got.get("conv2 + relu2") == ("conv", want) and got.get("conv1", ("", ""))[1] == "int8" and
                got.get("conv3", ("", ""))[1] == "int8", err + str(got))
        # a loaded plan's engine names its constraints by the nodes they cover (the plan's own strings are freed)
        s.check("precision_ladder: the engine of a plan constrained to %s lists %s under %s (as nodes)" % (want, nodes, want.title() + "Layers"),
                got["options"].get(want.title() + "Layers") == nodes, str(got["options"]))
    rp = _run([xc, "run", model, "--ref", "--ocl", "--per-layer", "--fp16", "--layer-precision", "conv2 + relu2:fp16"] + int8)
    rows = [ln for ln in rp.stdout.splitlines() if " conv2 + relu2 " in ln]
    s.check("precision_ladder: the per-layer table names the constrained layer's precision (fp16, by its joined name)",
            len(rows) == 1 and " fp16 " in rows[0] and " int8 " not in rows[0], rp.stdout[-1500:] + rp.stderr[-500:])

    # a plan's constraint list has no length limit: of 1100 fp32 names the last alone names relu2,
    # and the loaded engine lists it (1024 slots once kept the first 1024; a refusal followed)
    plan = os.path.join(tmp, "ladder_c32.plan")
    if os.path.exists(plan):
        big = json.load(open(plan))
        big["options"]["fp32_layers"] = ["conv2"] * 1099 + ["relu2"]
        many = os.path.join(tmp, "ladder_many.plan")
        json.dump(big, open(many, "w"))
        r = _run([xc, "inspect", "engine", model, "--plan", many, "--json"])
        j = json.loads(r.stdout) if r.returncode == 0 else {}
        prec = {L["Name"]: L["Precision"] for L in j.get("Layers", [])}
        s.check("precision_ladder: a plan listing 1100 fp32 layers loads with all of them (its 1100th, relu2, listed), conv2 + relu2 fp32",
                prec.get("conv2 + relu2") == "fp32" and prec.get("conv1") == "int8"
                and j.get("Options", {}).get("Fp32Layers") == ["conv2", "relu2"], r.stderr[-600:] + str(prec))

    # an old file (format 1, bare names) reads as fp32
    old = os.path.join(tmp, "ladder_old.json")
    json.dump({"format": "crosscheck-layer-precision-1", "fp32": ["conv2"]}, open(old, "w"))
    got, err = _layers(xc, model, i8 + ["--fp16", "--layer-precision-file", old], tmp, "ladder_old")
    s.check("precision_ladder: a format-1 file of bare names keeps them in fp32 (under --int8 --fp16)",
            got.get("conv2 + relu2") == ("conv", "fp32") and got.get("conv1", ("", ""))[1] == "int8", err + str(got))

    # bad constraints: one line each, before any tuning
    o = ["-o", os.path.join(tmp, "ladder_bad.plan")]
    _one_line_error(s, _run([xc, "build", model, "--layer-precision", "conv2:bf16"] + o), "unknown precision", ["conv2:bf16"])
    _one_line_error(s, _run([xc, "build", model, "--layer-precision", "conv2:int8"] + o), "int8 in a float engine",
                    ["conv2:int8", "no int8"])
    _one_line_error(s, _run([xc, "build", model, "--layer-precision", "conv2:fp16"] + o), "fp16 without --fp16", ["conv2:fp16", "--fp16"])
    _one_line_error(s, _run([xc, "build", model, "--layer-precision", "convX:fp32"] + i8 + o), "an unknown layer", ["convX"])
    _one_line_error(s, _run([xc, "build", model, "--layer-precision", "relu2:fp16", "--layer-precision", "conv1:int8", "--fp16"] + o),
                    "int8 in an fp16 engine", ["conv1:int8"])
    bad = os.path.join(tmp, "ladder_bad.json")
    json.dump({"format": "crosscheck-layer-precision-2", "layers": {"conv2": "int4"}}, open(bad, "w"))
    _one_line_error(s, _run([xc, "build", model, "--layer-precision-file", bad] + o), "a file with precision int4", ["conv2", "int4"])


def _reduce(s, xc, tmp):
    """debug reduce keeps only the constraints naming nodes a candidate has (a candidate without
    conv3 used to fail to build: "--layer-precision names 'conv3', which is no layer")."""
    model = _ladder_model(os.path.join(tmp, "ladder_float.onnx"), False)
    out = os.path.join(tmp, "ladder_min.onnx")
    r = _run([xc, "debug", "reduce", model, "-o", out, "--fp16", "--layer-precision", "conv3:fp16", "--inject-fault",
              "node=conv1:scale=2", "--atol", "0.05", "--rtol", "0"])
    s.check("precision_ladder: debug reduce --layer-precision conv3:fp16 reduces to conv1 (candidates without conv3 build)",
            r.returncode == 0 and "nodes: conv1 (Conv)" in r.stdout, r.stdout[-2000:] + r.stderr[-800:])


def _climb(s, xc, tmp):
    """Raising every int8 layer to fp16 fails (conv_big's outputs overflow half): fp32, then down."""
    model = _ladder_model(os.path.join(tmp, "ladder_big.onnx"), True)
    calib = _calibration(os.path.join(tmp, "ladder_calib"))
    out = os.path.join(tmp, "ladder_climb.json")
    args = ["--int8", "--fp16", "--calibration-data", calib, "--atol", "0.25", "--atol", "y2:20000", "--rtol", "0"]
    art = os.path.join(tmp, "ladder_artifacts")
    r = _run([xc, "debug", "precision", model, "-o", out, "--artifacts-dir", art] + args)
    verdict = r.stdout[r.stdout.find("verdict"):]
    got = json.load(open(out)) if os.path.exists(out) else {}
    cache = os.path.join(art, "check_calibration.json")
    ranges = json.load(open(cache)).get("ranges", {}) if os.path.exists(cache) else {}
    s.check("precision_ladder: --int8 --calibration-data without a cache: calibrated once into the session's cache, every check reads it",
            set(ranges) == {"x", "c1", "r2"}, str(ranges))
    s.check("precision_ladder: fp16 not enough for every layer: the tool climbs to fp32, then conv2 back to fp16; conv_big needs fp32",
            r.returncode == 0 and "raising every int8 layer to fp16 does not pass" in r.stdout and
            "layer 'conv2 + relu2' (nodes conv2, relu2) must run in fp16 (int8 fails)" in verdict and
            "layer 'conv_big' (nodes conv_big) must run in fp32 (int8 fails)" in verdict and
            got.get("layers") == {"conv2 + relu2": "fp16", "conv_big": "fp32"}, r.stdout[-3000:] + r.stderr[-800:] + json.dumps(got))
    rf = _run([xc, "run", model, "--ref", "--ocl", "--layer-precision-file", out] + args)
    s.check("precision_ladder: and the build with that file passes", rf.returncode == 0, rf.stdout[-1200:] + rf.stderr[-800:])


def _explicit(s, xc, tmp):
    model = _qdq_model(os.path.join(tmp, "ladder_qdq.onnx"))
    fault = ["--inject-fault", "node-fusion=conv2:scale=1.5"]
    got, err = _layers(xc, model, [], tmp, "ladder_qdq")
    s.check("precision_ladder: the Q/DQ model builds with both convs as int8 layers (qdq_fusion)",
            [v for k, v in got.items() if k != "options" and v[1] == "int8"] == [("qconv", "int8")] * 2, err + str(got))
    layer = next((k for k, v in got.items() if k != "options" and v[0] == "qconv" and "conv2" in k.split(" + ")), "c1_dq + conv2")
    out = os.path.join(tmp, "ladder_qdq.json")
    _debug(s, xc, model, fault + ["--atol", "0.05", "--rtol", "0"], out, layer, "fp32", "int8", "Q/DQ model, no --int8")
    got, err = _layers(xc, model, ["--layer-precision", "conv2:fp32"], tmp, "ladder_qdq_c")
    kinds = sorted(v[0] for k, v in got.items() if k in ("c1_dq", "conv2"))
    s.check("precision_ladder: Q/DQ model, conv2:fp32: conv2 runs as a float conv (fp32) after its DQ, a float quant layer",
            got.get("conv2") == ("conv", "fp32") and kinds == ["conv", "quant"] and
            [v for k, v in got.items() if k != "options" and v[1] == "int8"] == [("qconv", "int8")], err + str(got))
    got, err = _layers(xc, model, ["--layer-precision", "conv2:int8"], tmp, "ladder_qdq_i")
    s.check("precision_ladder: Q/DQ model, conv2:int8 (no --int8 needed): builds, conv2's layer int8",
            got.get(layer) == ("qconv", "int8"), err + str(got))
    _one_line_error(s, _run([xc, "build", model, "-o", os.path.join(tmp, "ladder_bad.plan"), "--layer-precision", "x_q:int8"]),
                    "int8 on a layer with no int8 form (a QuantizeLinear)", ["x_q:int8", "cannot run int8"])


def precision_ladder(s, xc, build, tmp):
    _implicit(s, xc, tmp)
    _climb(s, xc, tmp)
    _reduce(s, xc, tmp)
    _explicit(s, xc, tmp)
