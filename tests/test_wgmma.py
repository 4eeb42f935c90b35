"""wgmma_tests: gemm.tf32_wgmma, gemm.tf32_wgmma_splitk, gemm.mma_fp16_wgmma(_splitk) (Hopper's
warpgroup mma, kernels/gemm_wgmma.cl) on PoCL with CROSSCHECK_MMA_EMULATE=1: the instruction
computed in plain OpenCL C from the same local stages, descriptors and Bt layout, so the copies,
the stage ring, the A fragments' k order (WG_KPOS, the host's wgmma_kpos for constant B; TF32
within each 16, f16 within each 32) and the epilogue are checked here; the instruction itself on
the GPU is bench/tf32_check.py's job (wgmma.* runs). Every variant is forced once, each on another
way B reaches the kernel: an input transposed by gemm_wgmma_bt, an input already N x K (transB,
the same launch copying), a constant derived on the host (transposed or not); A from global memory
or through the stages (.la), split-K with a ragged last slice. Shapes are ragged on every side (M,
N past a tile, K a multiple of 4 (8 for f16) but not of 16 or 32), one K long enough for the ring
to wrap many times, with bias, alpha/beta and a fused Relu. Each run must pass crosscheck's
comparison with its layer named by the variant at tf32 (fp16 under --fp16), and agree with ONNX
Runtime within that precision's range (relative error under 2e-3, 4e-3 for fp16, and over 1e-5:
the operands really were rounded). Not offered: K not a multiple of 4 (8), transA, a batch of B,
no tensor cores (no emulation), --no-tf32, split-K or fp16 with a B that is not constant, the fp16
tactic on an fp32 layer."""
import json
import os
import subprocess

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def _run(cmd, env):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)


def _model(path, op, a, b, const_b, attrs=None, bias=None, relu=False, seed=0):
    rng = np.random.default_rng(seed)
    ins = [helper.make_tensor_value_info("A", TensorProto.FLOAT, a)]
    inits = []
    if const_b:
        inits.append(numpy_helper.from_array(rng.uniform(-1, 1, b).astype(np.float32), "B"))
    else:
        ins.append(helper.make_tensor_value_info("B", TensorProto.FLOAT, b))
    names = ["A", "B"]
    if bias:
        inits.append(numpy_helper.from_array(rng.uniform(-1, 1, bias).astype(np.float32), "C"))
        names.append("C")
    nodes = [helper.make_node(op, names, ["P" if relu else "Y"], name="prod", **(attrs or {}))]
    if relu:
        nodes.append(helper.make_node("Relu", ["P"], ["Y"], name="relu"))
    g = helper.make_graph(nodes, "wgmma", ins, [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)],
                          initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.save(m, path)
    return [n.name for n in nodes]


# name, op, A, B, constant B, attrs, C, relu, variant
CASES = [
    ("input_b", "MatMul", [70, 52], [52, 100], False, {}, None, False, "tf32_wgmma.128x64x32.s6"),
    ("input_bt_bias_relu", "Gemm", [150, 36], [90, 36], False, {"transB": 1}, [90], True, "tf32_wgmma.128x128x16.s5"),
    ("const_b_batch_folded", "MatMul", [2, 70, 100], [100, 300], True, {}, None, False, "tf32_wgmma.128x64x16.s8"),
    ("const_bt_alpha_beta", "Gemm", [33, 200], [40, 200], True, {"transB": 1, "alpha": 0.5, "beta": 2.0}, [40], False,
     "tf32_wgmma.128x64x32.s6"),
    ("long_k", "MatMul", [130, 520], [520, 70], True, {}, None, True, "tf32_wgmma.128x128x16.s5"),
    # split-K (constant B; A through the stages, .la, or from global memory): slices of whole 16s,
    # the last one ragged, planes added by the reduce
    ("splitk_k3", "MatMul", [200, 520], [520, 70], True, {}, None, True, "tf32_wgmma_splitk.128x128x16.s3.la.k3"),
    ("splitk_bt_bias", "Gemm", [130, 300], [150, 300], True, {"transB": 1}, [150], False,
     "tf32_wgmma_splitk.128x128x16.s3.la.k2"),
    ("splitk_batch_folded", "MatMul", [2, 70, 300], [300, 100], True, {}, None, False, "tf32_wgmma_splitk.128x128x16.s3.la.k2"),
    ("splitk_v2_k3", "MatMul", [100, 400], [400, 64], True, {}, None, False, "tf32_wgmma_splitk.128x128x16.s5.k3"),
    # one warpgroup a work-group (64-row tiles): A from global memory, B an input or a constant,
    # split-K (A from global memory and through the stages, .la); M past one tile
    ("wg1_input_b_ragged_m", "MatMul", [150, 52], [52, 100], False, {}, None, True, "tf32_wgmma.64x128x16.s5"),
    ("wg1_bt_bias", "Gemm", [70, 200], [130, 200], True, {"transB": 1}, [130], False, "tf32_wgmma.64x128x16.s5"),
    ("wg1_splitk_la", "MatMul", [130, 520], [520, 70], True, {}, None, True, "tf32_wgmma_splitk.64x128x16.s4.la.k2"),
    ("wg1_splitk_k2", "MatMul", [70, 400], [400, 150], True, {}, None, False, "tf32_wgmma_splitk.64x128x16.s5.k2"),
    # fp16 (--fp16, half storage; a constant B): m64nNk16, k permuted within each 32
    ("f16_ragged", "MatMul", [200, 56], [56, 100], True, {}, None, True, "mma_fp16_wgmma.128x128x32.s3.la"),
    ("f16_bt_bias", "Gemm", [150, 264], [90, 264], True, {"transB": 1}, [90], False, "mma_fp16_wgmma.128x64x32.s4.la"),
    ("f16_long_k", "MatMul", [130, 520], [520, 70], True, {}, None, False, "mma_fp16_wgmma.128x64x32.s4.la"),
    ("f16_n_past_tile", "MatMul", [70, 136], [136, 130], True, {}, None, False, "mma_fp16_wgmma.128x128x32.s3.la"),
    ("f16_splitk3", "MatMul", [200, 520], [520, 70], True, {}, None, True, "mma_fp16_wgmma_splitk.128x128x32.s3.la.k3"),
    ("f16_splitk2_bias", "Gemm", [130, 304], [304, 150], True, {}, [150], False, "mma_fp16_wgmma_splitk.128x128x32.s3.la.k2"),
    ("f16_wg1_ragged", "MatMul", [150, 72], [72, 140], True, {}, None, True, "mma_fp16_wgmma.64x128x32.s4.la"),
    ("f16_wg1_n64_splitk", "MatMul", [100, 520], [520, 60], True, {}, None, False, "mma_fp16_wgmma_splitk.64x128x32.s4.la.k2"),
]


def _saved(folder, runner, role):
    idx = json.load(open(os.path.join(folder, "index.json")))
    return {e["tensor"]: numpy_helper.to_array(onnx.load_tensor(os.path.join(folder, e["file"])))
            for e in idx["tensors"] if e["runner"].startswith(runner) and e["role"] == role}


def wgmma_tests(s, xc, build, tmp):
    import onnxruntime as ort
    d = os.path.join(tmp, "wgmma")
    os.makedirs(d, exist_ok=True)
    env = dict(os.environ, CROSSCHECK_MMA_EMULATE="1")
    env.setdefault("CROSSCHECK_CACHE_DIR", os.path.join(build, "cl-cache"))
    for name, op, a, b, const_b, attrs, bias, relu, tactic in CASES:
        model = os.path.join(d, name + ".onnx")
        nodes = _model(model, op, a, b, const_b, attrs, bias, relu)
        fp16 = tactic.startswith("mma_fp16")
        tactic = "gemm." + tactic
        j, out = os.path.join(d, name + ".json"), os.path.join(d, name + "_out")
        r = _run([xc, "run", model, "--ref", "--ocl", "--per-layer", "--json", j, "--builder-optimization-level", "3", "--tactics", tactic,
                  "--save-outputs", out,
                  "--val-range", "[-1,1]"] + (["--fp16"] if fp16 else []), env)
        rows = json.load(open(j))["per_layer"]["layers"] if r.returncode == 0 else []
        row = rows[0] if len(rows) == 1 else {}
        s.check("wgmma: %s (%s) emulated passes crosscheck's comparison; one layer covering %s runs it at tf32" %
                (tactic, name, "+".join(nodes)),
                r.returncode == 0 and row.get("tactic") == tactic and row.get("precision") == ("fp16" if fp16 else "tf32")
                and sorted(row.get("nodes", [])) == sorted(nodes), r.stdout[-1200:] + r.stderr[-400:] + str(rows)[:400])
        if r.returncode not in (0, 1):
            continue
        want = ort.InferenceSession(model, providers=["CPUExecutionProvider"]).run(None, _saved(out, "ref", "input"))[0]
        got = next(iter(_saved(out, "ocl", "output").values()))
        rel = float(np.linalg.norm(got.astype(np.float64) - want) / np.linalg.norm(want)) if got.shape == want.shape \
            else float("inf")
        s.check("wgmma: %s (%s) against ONNX Runtime: relative error %.3g within %s's range" %
                (tactic, name, rel, "fp16" if fp16 else "TF32"), 1e-5 < rel < (4e-3 if fp16 else 2e-3),
                "shapes %s %s" % (got.shape, want.shape))

    k150, ta, batched = (os.path.join(d, n + ".onnx") for n in ("k150", "trans_a", "batched"))
    _model(k150, "MatMul", [64, 150], [150, 64], True)
    _model(ta, "Gemm", [64, 32], [64, 48], True, {"transA": 1})
    _model(batched, "MatMul", [2, 64, 32], [2, 32, 48], False)
    plain, input_k300 = os.path.join(d, "input_b.onnx"), os.path.join(d, "input_k300.onnx")
    _model(input_k300, "MatMul", [64, 300], [300, 64], False)
    f16_k52 = os.path.join(d, "f16_k52.onnx")
    _model(f16_k52, "MatMul", [64, 52], [52, 64], True)
    _model(f16_k52.replace("k52", "k56"), "MatMul", [64, 56], [56, 64], True)
    every, split = "gemm.tf32_wgmma*", "gemm.tf32_wgmma_splitk*"
    for label, model, e, extra, family in (
            ("K = 150, no multiple of 4", k150, env, [], every), ("transA", ta, env, [], every),
            ("a batch of B", batched, env, [], every), ("no tensor cores (no emulation)", plain, dict(os.environ), [], every),
            ("--no-tf32", plain, env, ["--no-tf32"], every), ("split-K, B not constant", input_k300, env, [], split),
            ("fp16, B not constant", input_k300, env, ["--fp16"], "gemm.mma_fp16_wgmma*"),
            ("fp16, K = 52, no multiple of 8", f16_k52, env, ["--fp16"], "gemm.mma_fp16_wgmma*"),
            ("fp32 layer", f16_k52.replace("k52", "k56"), env, [], "gemm.mma_fp16_wgmma*")):
        r = _run([xc, "run", model, "--ocl", "--builder-optimization-level", "3", "--tactics", family] + extra, e)
        s.check("wgmma: %s is not offered (%s)" % (family.rstrip("*"), label),
                r.returncode == 2 and "matches no tactic" in r.stderr, r.stdout[-400:] + r.stderr[-400:])
