"""tf32_async_tests: the cp.async tensor-core GEMM tactics (gemm.tf32_async, gemm.tf32_splitk,
gemm.mma_fp16_async, gemm.mma_fp16_splitk) on PoCL with CROSSCHECK_MMA_EMULATE=1: the copies
become plain 16-byte loads and stores and the products plain OpenCL C, over the same stage
layouts (k-rows and the swizzled k-major stages), tile edges and K slices. Each case forces one
variant and must agree with the reference interpreter at the layer's precision: odd M and N, K
not a multiple of the tile, transA/transB with alpha, beta and C, 3- and 4-stage variants (one of 128 x 128),
split-K over a batched product with a ragged last slice (and bit-identical outputs on a second
run: the slices are added in order), the fp16 forms under --fp16, and the register-staged tactic's
variant that loads two tiles ahead (.a2). CROSSCHECK_KERNEL_PROBE=1 marks each phase of the main
loops once a tile (counted, without NVIDIA's clock). A product whose
contiguous dimension is not a multiple of a 16-byte chunk is never offered them. The GPU run
itself is bench/tf32_check.py's job."""
import json
import os
import subprocess

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def _run(cmd, env):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)


def _product(path, op, a, b, c=None, **attrs):
    ins = [helper.make_tensor_value_info("A", TensorProto.FLOAT, a), helper.make_tensor_value_info("B", TensorProto.FLOAT, b)]
    names = ["A", "B"]
    if c:
        ins.append(helper.make_tensor_value_info("C", TensorProto.FLOAT, c))
        names.append("C")
    g = helper.make_graph([helper.make_node(op, names, ["Y"], name="prod", **attrs)], "async", ins,
                          [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.save(m, path)


# name, op, A, B, C, attrs, extra options, forced variant, precision
CASES = [
    ("odd_mk", "MatMul", [37, 52], [52, 44], None, {}, [], "gemm.tf32_async.64x64x16.2x2.s4", "tf32"),
    ("tAtB_ab", "Gemm", [36, 68], [29, 36], [68, 29], {"transA": 1, "transB": 1, "alpha": 0.5, "beta": 2.0}, [],
     "gemm.tf32_async.64x64x16.2x2.s4", "tf32"),
    ("stages3_tA", "Gemm", [40, 68], [40, 132], None, {"transA": 1}, [], "gemm.tf32_async.128x128x16.2x2.s3", "tf32"),
    ("splitk", "MatMul", [2, 20, 300], [2, 300, 24], None, {}, [], "gemm.tf32_splitk.64x64x16.2x2.s4.k4", "tf32"),
    ("fp16_odd", "MatMul", [37, 40], [40, 56], None, {}, ["--fp16"], "gemm.mma_fp16_async.64x64x32.2x2.s4", "fp16"),
    ("fp16_tAtB", "Gemm", [40, 72], [29, 40], None, {"transA": 1, "transB": 1}, ["--fp16"],
     "gemm.mma_fp16_async.64x64x32.2x2.s4", "fp16"),
    ("fp16_splitk", "MatMul", [2, 20, 296], [2, 296, 24], None, {}, ["--fp16"], "gemm.mma_fp16_splitk.64x64x32.2x2.s4.k4",
     "fp16"),
    # the register-staged tactic loading two tiles ahead (AHEAD2, two warps): an odd count of
    # tiles over a batch with ragged edges, two tiles with transposes, alpha, beta and C, one tile
    # (K not a whole chunk)
    ("a2_odd", "MatMul", [2, 45, 68], [68, 70], None, {}, [], "gemm.tf32.32x64x16.1x2.a2", "tf32"),
    ("a2_tAtB", "Gemm", [20, 36], [29, 20], [36, 29], {"transA": 1, "transB": 1, "alpha": 0.5, "beta": 2.0}, [],
     "gemm.tf32.32x64x16.1x2.a2", "tf32"),
    ("a2_k13", "MatMul", [40, 13], [13, 24], None, {}, [], "gemm.tf32.32x64x16.1x2.a2", "tf32"),
]


def tf32_async_tests(s, xc, build, tmp):
    d = os.path.join(tmp, "tf32_async")
    os.makedirs(d, exist_ok=True)
    emu = dict(os.environ, CROSSCHECK_MMA_EMULATE="1")
    for name, op, a, b, c, attrs, extra, variant, prec in CASES:
        model = os.path.join(d, name + ".onnx")
        _product(model, op, a, b, c, **attrs)
        j = os.path.join(d, name + ".json")
        out = os.path.join(d, name + "_out")
        cmd = [xc, "run", model, "--ref", "--ocl", "--per-layer", "--json", j, "--builder-optimization-level", "3",
               "--tactics", variant, "--save-outputs", out, "--val-range", "[-1,1]"] + extra
        r = _run(cmd, emu)
        rows = json.load(open(j))["per_layer"]["layers"] if r.returncode == 0 else []
        s.check("tf32_async: %s (%s) emulated agrees with the reference; the layer says %s" % (variant, name, prec),
                r.returncode == 0 and len(rows) == 1 and rows[0]["tactic"] == variant and rows[0]["precision"] == prec,
                r.stdout[-1200:] + r.stderr[-400:])
        if "splitk" not in name or r.returncode != 0:
            continue
        out2 = out + "2"
        r2 = _run(cmd[:cmd.index("--save-outputs") + 1] + [out2] + cmd[cmd.index("--save-outputs") + 2:], emu)

        def ocl_y(folder):
            idx = json.load(open(os.path.join(folder, "index.json")))
            f = next(e["file"] for e in idx["tensors"] if e["runner"].startswith("ocl") and e["role"] == "output")
            return numpy_helper.to_array(onnx.load_tensor(os.path.join(folder, f)))
        same = r2.returncode == 0 and np.array_equal(ocl_y(out), ocl_y(out2))
        s.check("tf32_async: %s gives bit-identical outputs on a second run (slices added in order)" % variant, same,
                r2.stderr[-400:])

    # CROSSCHECK_KERNEL_PROBE=1: without NVIDIA's clock each mark counts one, so every phase of the
    # main loop must read the tile count (K 68: 5 tiles of 16) and the store once
    model = os.path.join(d, "probe.onnx")
    _product(model, "MatMul", [70, 68], [68, 72])
    probe_env = dict(emu, CROSSCHECK_KERNEL_PROBE="1")
    for tactic, kernel, want in (("gemm.tf32.64x64x16.2x2", "gemm_mma", [5, 5, 5, 5, 1, 0]),
                                 ("gemm.tf32.32x64x16.1x2.a2", "gemm_mma", [5, 5, 5, 5, 1, 0]),
                                 ("gemm.tf32_async.64x64x16.2x2.s4", "gemm_mma_pipe", [5, 5, 5, 5, 1, 0]),
                                 ("gemm.tf32_wgmma.128x64x16.s8", "gemm_wgmma", [5, 5, 5, 5, 5, 6])):
        r = _run([xc, "run", model, "--ocl", "--builder-optimization-level", "3", "--tactics", tactic], probe_env)
        lines = [x for x in r.stdout.splitlines() if x.startswith("probe %s group " % kernel)]
        counts = [[int(v) for v in x.rsplit(":", 1)[1].split()] for x in lines]
        s.check("tf32_async: CROSSCHECK_KERNEL_PROBE=1 on %s reports two work-groups of %s, each phase marked once a tile "
                "(%s)" % (tactic, kernel, want), r.returncode == 0 and len(lines) == 2 and all(c == want for c in counts)
                and all(" 5 tiles" in x for x in lines), r.stdout[-800:] + r.stderr[-400:])
    # K = 333 along A's rows: no whole 16-byte chunks, so the cp.async tactics are not offered
    model = os.path.join(d, "k333.onnx")
    _product(model, "MatMul", [8, 333], [333, 16])
    for pat in ("gemm.tf32_async*", "gemm.tf32_splitk*"):
        r = _run([xc, "run", model, "--ocl", "--builder-optimization-level", "3", "--tactics", pat], emu)
        s.check("tf32_async: --tactics '%s' matches no tactic when K %% 4 != 0" % pat,
                r.returncode == 2 and "matches no tactic" in r.stderr, r.stdout[-400:] + r.stderr[-400:])
