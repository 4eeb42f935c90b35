"""tf32_tests: the TF32 tensor-core tactics' surface on a device without tensor cores (PoCL).

gemm.tf32 is offered only on NVIDIA GPUs of compute capability >= 8.0, so here: no engine of a
MatMul/Gemm model names it at any optimization level, and --tactics 'gemm.tf32*' matches nothing
(an error), nor do 'conv2d.1x1_tf32*' and 'conv2d.implicit_tf32*' on a conv model. --no-tf32 is a shared OpenCL option: run, build, bench and inspect engine accept it,
a plan records it, and the per-layer table names the layer's precision (fp32 here). Under
CROSSCHECK_MMA_EMULATE=1 the conv mma tactics (implicit TF32 and FP16) run here with emulated
products and must agree with the reference. Correctness
on the GPU itself is bench/tf32_check.py's job (it needs the device)."""
import json
import os
import subprocess

import numpy as np
from onnx import TensorProto, helper, numpy_helper


def _run(cmd, env=None):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)


def _save(path, g):
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    with open(path, "wb") as f:
        f.write(m.SerializeToString())


def _model(path):
    w = numpy_helper.from_array(np.linspace(-1, 1, 24 * 20, dtype=np.float32).reshape(20, 24), "W")
    nodes = [helper.make_node("MatMul", ["X", "X2"], ["P"], name="mm"),
             helper.make_node("Gemm", ["P", "W"], ["Y"], name="fc", transB=1)]
    g = helper.make_graph(nodes, "tf32", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [16, 12]),
                                          helper.make_tensor_value_info("X2", TensorProto.FLOAT, [12, 24])],
                          [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [16, 20])], initializer=[w])
    _save(path, g)


def _conv_model(path):
    """A 1x1 conv then a strided 3x3 conv: the shapes conv2d.1x1_tf32 / conv2d.implicit_tf32 take."""
    rng = np.random.default_rng(0)
    w1 = numpy_helper.from_array(rng.uniform(-1, 1, (8, 4, 1, 1)).astype(np.float32), "W1")
    w2 = numpy_helper.from_array(rng.uniform(-1, 1, (8, 8, 3, 3)).astype(np.float32), "W2")
    nodes = [helper.make_node("Conv", ["X", "W1"], ["A"], name="pw"),
             helper.make_node("Conv", ["A", "W2"], ["Y"], name="s2", strides=[2, 2], pads=[1, 1, 1, 1])]
    g = helper.make_graph(nodes, "tf32conv", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [1, 4, 8, 8])],
                          [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [1, 8, 4, 4])], initializer=[w1, w2])
    _save(path, g)


def _conv_taps_model(path):
    """Windows whose taps straddle the mma's chunks and tiles: a 7x7 stride-2 stem on 3 channels
    (K = 147, no multiple of 4 or 16) over a batch of 2 odd-sized maps, a 1x1 over 40 channels (K in
    three tiles, the last partial; its 10 x 8 planes whole 16-byte chunks, as the cp.async 1x1
    tactics need, but 160 positions: the last tile partial), then a grouped, dilated 3x3 with
    uneven pads."""
    rng = np.random.default_rng(1)
    w1 = numpy_helper.from_array(rng.uniform(-1, 1, (40, 3, 7, 7)).astype(np.float32), "W1")
    w3 = numpy_helper.from_array(rng.uniform(-1, 1, (8, 40, 1, 1)).astype(np.float32), "W3")
    w2 = numpy_helper.from_array(rng.uniform(-1, 1, (8, 4, 3, 3)).astype(np.float32), "W2")
    nodes = [helper.make_node("Conv", ["X", "W1"], ["A"], name="stem", strides=[2, 2], pads=[3, 3, 3, 3]),
             helper.make_node("Conv", ["A", "W3"], ["B"], name="pw40"),
             helper.make_node("Conv", ["B", "W2"], ["Y"], name="dil", group=2, dilations=[2, 2], pads=[2, 1, 1, 2])]
    g = helper.make_graph(nodes, "tf32taps", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [2, 3, 19, 15])],
                          [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)], initializer=[w1, w3, w2])
    _save(path, g)


def _conv_wino_model(path):
    """3x3 stride-1 convs the Winograd tactics take: 12 channels over a batch of 2 odd-sized maps
    (5 x 6 = 30 tiles an image, 60 in all), then 20 channels with the residual and a Relu,
    so the GEMMs' last tiles are partial in M, N and K."""
    rng = np.random.default_rng(2)
    w1 = numpy_helper.from_array(rng.uniform(-1, 1, (20, 12, 3, 3)).astype(np.float32), "W1")
    w2 = numpy_helper.from_array(rng.uniform(-1, 1, (20, 20, 3, 3)).astype(np.float32), "W2")
    b2 = numpy_helper.from_array(rng.uniform(-1, 1, (20,)).astype(np.float32), "B2")
    nodes = [helper.make_node("Conv", ["X", "W1"], ["A"], name="w1", pads=[1, 1, 1, 1]),
             helper.make_node("Conv", ["A", "W2", "B2"], ["C"], name="w2", pads=[1, 1, 1, 1]),
             helper.make_node("Add", ["C", "A"], ["D"], name="res"),
             helper.make_node("Relu", ["D"], ["Y"], name="relu")]
    g = helper.make_graph(nodes, "tf32wino", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [2, 12, 9, 11])],
                          [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)], initializer=[w1, w2, b2])
    _save(path, g)


def _conv_chain_model(path, depth=14):
    """depth 3x3 convs + ReLU (32 channels, 8x8, He-scaled weights), a global pool and an fc:
    a chain whose output carries the TF32 error of every conv."""
    rng = np.random.default_rng(0)
    nodes, inits, x = [], [], "X"
    for i in range(depth):
        c = 32 if i else 3
        inits += [numpy_helper.from_array((rng.standard_normal((32, c, 3, 3)) * np.sqrt(2.0 / (9 * c))).astype(np.float32), "w%d" % i),
                  numpy_helper.from_array((rng.standard_normal(32) * 0.1).astype(np.float32), "b%d" % i)]
        nodes += [helper.make_node("Conv", [x, "w%d" % i, "b%d" % i], ["c%d" % i], name="conv%d" % i, pads=[1, 1, 1, 1]),
                  helper.make_node("Relu", ["c%d" % i], ["r%d" % i], name="relu%d" % i)]
        x = "r%d" % i
    _classifier_save(path, "tf32chain", nodes, inits, x, (rng.standard_normal((10, 32)) * 0.2), [2, 3, 8, 8])


def _classifier_save(path, name, nodes, inits, x, fc, in_shape):
    """Ends a conv trunk (its last tensor x) with a global pool, Flatten and an fc of weights fc
    (classes x channels) into Y, and saves the graph with input X of in_shape."""
    inits.append(numpy_helper.from_array(fc.astype(np.float32), "fw"))
    nodes += [helper.make_node("GlobalAveragePool", [x], ["gap"], name="gap"),
              helper.make_node("Flatten", ["gap"], ["flat"], name="flat"),
              helper.make_node("Gemm", ["flat", "fw"], ["Y"], name="fc", transB=1)]
    g = helper.make_graph(nodes, name, [helper.make_tensor_value_info("X", TensorProto.FLOAT, in_shape)],
                          [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [in_shape[0], fc.shape[0]])], initializer=inits)
    _save(path, g)


def _resnet_model(path):
    """resnet18's shape at 64x64, batch 2: a 7x7 stem, max pool, four stages of two basic blocks
    (3x3 convs, BatchNormalization, residual Adds, 1x1 downsamples), global pool and fc -- 20
    convs with He-scaled random weights and random BatchNorm statistics."""
    rng = np.random.default_rng(0)
    nodes, inits = [], []

    def conv(x, cin, cout, k, stride, relu=True, res=None):
        n = "conv%d" % (sum(1 for v in nodes if v.op_type == "Conv") + 1)
        w = rng.standard_normal((cout, cin, k, k)) * np.sqrt(2.0 / (k * k * cin))
        bn = (1 + 0.1 * rng.standard_normal(cout), 0.1 * rng.standard_normal(cout), 0.1 * rng.standard_normal(cout),
              1 + 0.1 * rng.random(cout))
        inits.extend(numpy_helper.from_array(np.asarray(a, np.float32), n + t) for t, a in zip(("w", "g", "b", "m", "v"), (w,) + bn))
        nodes.extend([helper.make_node("Conv", [x, n + "w"], [n], name=n, pads=[k // 2] * 4, strides=[stride] * 2),
                      helper.make_node("BatchNormalization", [n] + [n + t for t in "gbmv"], [n + "_bn"], name=n + "_bn")])
        y = n + "_bn"
        if res is not None:
            nodes.append(helper.make_node("Add", [y, res], [n + "_add"], name=n + "_add"))
            y = n + "_add"
        if relu:
            nodes.append(helper.make_node("Relu", [y], [n + "_relu"], name=n + "_relu"))
            y = n + "_relu"
        return y

    x = conv("X", 3, 64, 7, 2)
    nodes.append(helper.make_node("MaxPool", [x], ["pool"], name="pool", kernel_shape=[3, 3], strides=[2, 2], pads=[1] * 4))
    x, cin = "pool", 64
    for stage, cout in enumerate((64, 128, 256, 512)):
        for block in range(2):
            stride = 2 if stage and not block else 1
            h = conv(x, cin, cout, 3, stride)
            short = conv(x, cin, cout, 1, stride, relu=False) if stride != 1 or cin != cout else x
            x, cin = conv(h, cout, cout, 3, 1, res=short), cout
    _classifier_save(path, "tf32resnet", nodes, inits, x, rng.standard_normal((100, 512)) * 0.05, [2, 3, 64, 64])


def _two_paths_model(path):
    """Y1 from a 3x3 conv (a TF32 layer), Y2 from a Relu of the input alone."""
    rng = np.random.default_rng(1)
    w = numpy_helper.from_array(rng.uniform(-1, 1, (16, 8, 3, 3)).astype(np.float32), "W")
    nodes = [helper.make_node("Conv", ["X", "W"], ["Y1"], name="conv", pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["X"], ["Y2"], name="relu")]
    g = helper.make_graph(nodes, "tf32paths", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [2, 8, 6, 6])],
                          [helper.make_tensor_value_info("Y1", TensorProto.FLOAT, [2, 16, 6, 6]),
                           helper.make_tensor_value_info("Y2", TensorProto.FLOAT, [2, 8, 6, 6])], initializer=[w])
    _save(path, g)


def tf32_chain_tests(s, xc, emu, d):
    """Accumulated per-layer compare of a correct TF32 engine 14 convs deep: every row carries the
    errors of the TF32 layers before it, so its tolerance is sqrt(depth) times one layer's. With
    one layer's tolerance throughout (the rule before), rows 6 to 13 failed and conv6 was blamed
    for plain TF32 rounding. A 4 % scale planted at conv6 still fails there."""
    chain = os.path.join(d, "chain.onnx")
    _conv_chain_model(chain)
    base = [xc, "run", chain, "--ref", "--ocl", "--per-layer", "--tactics", "conv2d.implicit_tf32.64x64*",
            "--builder-optimization-level", "3", "--json"]
    j = os.path.join(d, "chain.json")
    r = _run(base + [j], emu)
    p = json.load(open(j))["per_layer"] if r.returncode == 0 else {}
    rows = p.get("layers", [])
    depths = [t.get("rounded_layers") for x in rows for t in x["tensors"]]
    s.check("tf32: a 14-conv TF32 chain passes accumulated per-layer; row i allows the TF32 error of i + 1 layers",
            r.returncode == 0 and len(rows) == 17 and p.get("failed_layers") == 0 and depths[:14] == list(range(1, 15))
            and depths[14:] == [14, 14, 14] and all(x["verdict"] != "fail" for x in rows)
            and "the rounding error of 14 layers" in r.stdout and "one layer's error (0.005; 16-bit storage's base covers 4 layers), up to d = 14" in r.stdout, r.stdout[-1500:] + r.stderr[-400:] + str(depths))
    # a residual network: BatchNorms, Adds and downsamples on the paths; a 3 % scale at conv10 fails there
    net = os.path.join(d, "resnet.onnx")
    _resnet_model(net)
    cmd = [xc, "run", net, "--ref", "--ocl", "--per-layer", "--tactics", "conv2d.implicit_tf32.64x64*", "--builder-optimization-level", "3", "--json", j]
    r = _run(cmd, emu)
    p = json.load(open(j))["per_layer"] if r.returncode == 0 else {}
    rows = p.get("layers", [])
    s.check("tf32: a resnet18-shaped network with every conv on TF32 passes accumulated per-layer, its last conv allowing d = 20",
            r.returncode == 0 and len(rows) == 24 and p.get("failed_layers") == 0 and sum(x["precision"] == "tf32" for x in rows) == 20
            and rows[20]["tensors"][0].get("rounded_layers") == 20, r.stdout[-1500:] + r.stderr[-400:])
    r = _run(cmd + ["--inject-fault", "node=conv10:scale=1.03"], emu)
    p = json.load(open(j))["per_layer"] if r.returncode == 1 else {}
    s.check("tf32: a 3 % scale planted at conv10 of that network fails there, after ten TF32 layers",
            r.returncode == 1 and str(p.get("first_divergence")).startswith("conv10 "), r.stdout[-1500:] + r.stderr[-400:] + str(p.get("first_divergence")))
    # the same network on fp16 storage: tolerances grow past the 4 product layers fp16's base covers
    fp16 = [xc, "run", net, "--ref", "--ocl", "--fp16", "--per-layer", "--builder-optimization-level", "0", "--json", j]
    r = _run(fp16, emu)
    p = json.load(open(j))["per_layer"] if r.returncode == 0 else {}
    grown = [x["tensors"][0].get("rounded_layers") for x in p.get("layers", [])]
    s.check("tf32: that network under --fp16 passes accumulated per-layer; rows after 5 or more conv layers allow their rounding (conv20: 20)",
            r.returncode == 0 and p.get("failed_layers") == 0 and grown[:5] == [None] * 5 and grown[5] == 5 and grown[20] == 20
            and grown[-1] == 21, r.stdout[-1500:] + r.stderr[-400:] + str(grown))
    r = _run(fp16 + ["--inject-fault", "node=conv10:scale=1.03"], emu)
    p = json.load(open(j))["per_layer"] if r.returncode == 1 else {}
    s.check("tf32: under --fp16 a 3 % scale planted at conv10 still fails there",
            r.returncode == 1 and str(p.get("first_divergence")).startswith("conv10 "), r.stdout[-1500:] + r.stderr[-400:] + str(p.get("first_divergence")))
    # two TF32 engines against each other: each value carries both engines' errors (14 + 14)
    two = dict(emu, POCL_DEVICES="pthread basic")
    r = _run([xc, "run", chain, "--ocl@0", "--ocl@1", "--per-layer", "--compare-to", "ocl@0", "--tactics",
              "conv2d.implicit_tf32.64x64*", "--builder-optimization-level", "3", "--json", j], two)
    out = json.load(open(j)) if r.returncode == 0 else {}
    depths = [t.get("rounded_layers") for x in out.get("per_layer", {}).get("layers", []) for t in x["tensors"]]
    final = [o.get("rounded_layers") for c in out.get("comparisons", []) for o in c.get("outputs", [])]
    s.check("tf32: engine against TF32 engine, layer by layer and at the output, allows both engines' TF32 error",
            r.returncode == 0 and depths == list(range(2, 29, 2)) + [28] * 3 and final == [28], r.stdout[-800:] + r.stderr[-400:] + str(depths) + str(final))
    # an output no TF32 layer leads to keeps fp32's tolerance in an engine that uses TF32 elsewhere
    paths = os.path.join(d, "paths.onnx")
    _two_paths_model(paths)
    r = _run([xc, "run", paths, "--ref", "--ocl", "--tactics", "conv2d.implicit_tf32.64x64*", "--builder-optimization-level",
              "3", "--json", j], emu)
    outs = [o for c in json.load(open(j)).get("comparisons", []) for o in c["outputs"]] if r.returncode == 0 else []
    s.check("tf32: an output after a TF32 conv is judged at TF32's tolerance, one from a Relu of the input at fp32's",
            [(o.get("rtol"), o.get("rounded_layers")) for o in outs] == [(0.005, 1), (1e-4, None)], r.stdout[-800:] + r.stderr[-400:] + str(outs))
    # a debug tool judging an exact engine against a TF32 golden (a plan) allows the golden's error
    plan = os.path.join(d, "chain_tf32.plan")
    r = _run([xc, "build", chain, "--tactics", "conv2d.implicit_tf32.64x64*", "--builder-optimization-level", "3", "-o", plan], emu)
    r = _run([xc, "debug", "tactics", chain, "--plan", plan, "--no-tf32", "--builder-optimization-level", "0"], emu) if r.returncode == 0 else r
    s.check("tf32: debug tactics of an exact engine against a TF32 plan passes the build (the golden's 14 TF32 layers allowed)",
            r.returncode == 0 and "the build as given: PASSED" in r.stdout + r.stderr, r.stdout[-800:] + r.stderr[-800:])
    r = _run(base + [j, "--inject-fault", "node=conv6:scale=1.04"], emu)
    p = json.load(open(j))["per_layer"] if r.returncode == 1 else {}
    s.check("tf32: a 4 % scale planted at conv6 of the chain still fails there, after six TF32 layers",
            r.returncode == 1 and p.get("first_divergence") == "conv6 + relu6", r.stdout[-1500:] + r.stderr[-400:] + str(p.get("first_divergence")))


def tf32_tests(s, xc, build, tmp):
    d = os.path.join(tmp, "tf32")
    os.makedirs(d, exist_ok=True)
    model = os.path.join(d, "m.onnx")
    _model(model)
    fast = dict(os.environ, CROSSCHECK_BUILDER_OPTIMIZATION_LEVEL="0")

    r = _run([xc, "run", model, "--ref", "--ocl", "--no-tf32", "--per-layer", "--json", os.path.join(d, "run.json")], fast)
    ok = r.returncode == 0
    rows = json.load(open(os.path.join(d, "run.json")))["per_layer"]["layers"] if ok else []
    s.check("tf32: run --no-tf32 passes; per-layer rows name precision fp32",
            ok and rows and all(x["precision"] == "fp32" for x in rows), r.stdout[-1500:] + r.stderr)
    s.check("tf32: the per-layer table has a precision column", " prec " in r.stdout and " fp32 " in r.stdout, r.stdout[-800:])

    plan = os.path.join(d, "m.plan")
    r = _run([xc, "build", model, "--no-tf32", "-o", plan], fast)
    opts = json.load(open(plan)).get("options", {}) if r.returncode == 0 and os.path.exists(plan) else {}
    s.check("tf32: build --no-tf32 writes a plan recording no_tf32", opts.get("no_tf32") is True, r.stderr + str(opts))
    r = _run([xc, "build", model, "-o", plan], fast)
    opts = json.load(open(plan)).get("options", {}) if r.returncode == 0 else {}
    s.check("tf32: a default plan records no_tf32 false", opts.get("no_tf32") is False, r.stderr + str(opts))

    r = _run([xc, "bench", model, "--no-tf32", "--iterations", "1", "--duration-s", "0", "--warmup-ms", "0"], fast)
    s.check("tf32: bench accepts --no-tf32", r.returncode == 0, r.stderr[-800:])
    r = _run([xc, "inspect", "engine", model, "--no-tf32"], fast)
    s.check("tf32: inspect engine accepts --no-tf32", r.returncode == 0, r.stderr[-800:])
    r = _run([xc, "run", model, "--ocl", "--no-tf32=1"], fast)
    s.check("tf32: --no-tf32 takes no value", r.returncode == 2, r.stderr[-400:])

    # a tuned build times every applicable tactic: gemm.tf32 must not be among them off NVIDIA
    r = _run([xc, "build", model, "--builder-optimization-level", "1", "-o", plan])
    layers = json.load(open(plan)).get("layers", []) if r.returncode == 0 else []
    s.check("tf32: a tuned build on this device picks no tf32 tactic and names no tf32 precision",
            r.returncode == 0 and layers and not any("tf32" in (x.get("tactic", "") + x.get("precision", "")) for x in layers),
            r.stderr + str(layers)[:600])
    r = _run([xc, "run", model, "--ocl", "--tactics", "gemm.tf32*"], fast)
    s.check("tf32: --tactics 'gemm.tf32*' matches no tactic here (never offered off NVIDIA)",
            r.returncode == 2 and "matches no tactic" in r.stderr, r.stdout[-400:] + r.stderr[-400:])

    # a variant this device is offered only at a higher optimization level (CPU devices time
    # their smallest tile below level 4): forcing it at level 0 ran the baseline silently
    pin = "gemm.reg_blocked.64x64x8.4x4"
    r = _run([xc, "run", model, "--ref", "--ocl", "--tactics", pin], fast)
    s.check("tf32: --tactics naming a variant not offered at this level fails and names the level that offers it",
            r.returncode == 2 and "--builder-optimization-level 5 offers it" in r.stderr, r.stdout[-400:] + r.stderr[-400:])
    js = os.path.join(d, "pin.json")
    r = _run([xc, "run", model, "--ref", "--ocl", "--tactics", pin, "--builder-optimization-level", "5", "--per-layer", "--json", js])
    rows = json.load(open(js))["per_layer"]["layers"] if r.returncode == 0 else []
    s.check("tf32: at level 5 the same --tactics runs that very variant", rows and all(x["tactic"] == pin for x in rows),
            r.stdout[-400:] + r.stderr[-400:] + str(rows)[:300])

    # the conv GEMM's TF32 tactics are refused here too: a filter naming only them matches nothing
    conv = os.path.join(d, "conv.onnx")
    _conv_model(conv)
    for pat in ("conv2d.1x1_tf32*", "conv2d.implicit_tf32*"):
        r = _run([xc, "run", conv, "--ocl", "--tactics", pat], fast)
        s.check("tf32: --tactics '%s' matches no tactic here (never offered off NVIDIA)" % pat,
                r.returncode == 2 and "matches no tactic" in r.stderr, r.stdout[-400:] + r.stderr[-400:])
    r = _run([xc, "run", conv, "--ref", "--ocl", "--per-layer", "--json", os.path.join(d, "conv.json")], fast)
    rows = json.load(open(os.path.join(d, "conv.json")))["per_layer"]["layers"] if r.returncode == 0 else []
    s.check("tf32: a conv model runs here with fp32 conv tactics (no tf32 layer)",
            r.returncode == 0 and len(rows) == 2 and all(x["precision"] == "fp32" and "tf32" not in x["tactic"] for x in rows),
            r.stdout[-800:] + r.stderr[-400:])

    # CROSSCHECK_MMA_EMULATE: the mma tactics offered here too, their products computed in plain
    # OpenCL C from the same local stages, so the loads, layouts and epilogues are checked on PoCL
    emu = dict(fast, CROSSCHECK_MMA_EMULATE="1")
    tf32_chain_tests(s, xc, emu, d)
    taps, wino = os.path.join(d, "taps.onnx"), os.path.join(d, "wino.onnx")
    _conv_taps_model(taps)
    _conv_wino_model(wino)
    every = lambda prec: lambda rows: all(x["precision"] == prec and "64x64" in x["tactic"] for x in rows)
    runs = lambda tactic, prec: lambda rows: any(x["tactic"].startswith(tactic) and x["precision"] == prec for x in rows)
    every_tactic = lambda tactic: lambda rows: all(x["tactic"].startswith(tactic) and x["precision"] == "tf32" for x in rows)
    for label, m, extra, want in (("conv2d.implicit_tf32", conv, ["--tactics", "conv2d.implicit_tf32.64x64*"], every("tf32")),
                                  ("conv2d.implicit_mma_fp16", conv, ["--fp16", "--tactics", "conv2d.implicit_mma_fp16.64x64*"],
                                   every("fp16")),
                                  ("conv2d.implicit_tf32 (7x7 stem, 1x1 over 40 channels, grouped dilated)", taps,
                                   ["--tactics", "conv2d.implicit_tf32.64x64*"], every("tf32")),
                                  ("conv2d.1x1_tf32 (its 1x1 layer over 40 channels)", taps, ["--tactics", "conv2d.1x1_tf32.64x64*"],
                                   runs("conv2d.1x1_tf32.64x64", "tf32")),
                                  ("conv2d.1x1_tf32_async (NPERM columns)", taps, ["--tactics", "conv2d.1x1_tf32_async.64x64*"],
                                   runs("conv2d.1x1_tf32_async.64x64", "tf32")),
                                  ("conv2d.1x1_tf32_async (8 n8 tiles a warp)", taps,
                                   ["--tactics", "conv2d.1x1_tf32_async.128x128*"], runs("conv2d.1x1_tf32_async.128x128", "tf32")),
                                  ("conv2d.implicit_tf32_async (gathered 4-byte copies: the grouped dilated 3x3)",
                                   taps, ["--tactics", "conv2d.implicit_tf32_async.64x64*"],
                                   runs("conv2d.implicit_tf32_async.64x64", "tf32")),
                                  ("conv2d.implicit_tf32_async (9x11 maps, 8 n8 tiles a warp)", wino,
                                   ["--tactics", "conv2d.implicit_tf32_async.128x128*"], every_tactic("conv2d.implicit_tf32_async.128x128")),
                                  ("conv2d.1x1_mma_fp16_async", taps, ["--fp16", "--tactics", "conv2d.1x1_mma_fp16_async.64x64*"],
                                   runs("conv2d.1x1_mma_fp16_async.64x64", "fp16")),
                                  ("conv2d.implicit_tf32 (9x11 maps, the plain column numbering)", wino,
                                   ["--tactics", "conv2d.implicit_tf32.64x64*"], every("tf32")),
                                  ("conv2d.implicit_mma_fp16 (9x11 maps, the plain column numbering)", wino,
                                   ["--fp16", "--tactics", "conv2d.implicit_mma_fp16.64x64*"], every("fp16")),
                                  ("conv2d.winograd_gemm_tf32", wino, ["--tactics", "conv2d.winograd_gemm_tf32.64x64*"],
                                   every("tf32")),
                                  ("conv2d.winograd_gemm_tf32_async (NPERM columns)", wino,
                                   ["--tactics", "conv2d.winograd_gemm_tf32_async.64x64*"], every("tf32")),
                                  ("conv2d.winograd_gemm_tf32_async (8 n8 tiles a warp)", wino,
                                   ["--tactics", "conv2d.winograd_gemm_tf32_async.128x128*"], runs("conv2d.winograd_gemm_tf32_async.128x128", "tf32"))):
        j = os.path.join(d, "emu.json")
        r = _run([xc, "run", m, "--ref", "--ocl", "--per-layer", "--json", j, "--builder-optimization-level", "3"] + extra, emu)
        rows = json.load(open(j))["per_layer"]["layers"] if r.returncode == 0 else []
        s.check("tf32: %s emulated (CROSSCHECK_MMA_EMULATE) agrees with the reference; its layers run it" % label,
                r.returncode == 0 and rows and want(rows),
                r.stdout[-800:] + r.stderr[-400:])
