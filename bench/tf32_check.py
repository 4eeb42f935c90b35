#!/usr/bin/env python3
"""Correctness of the TF32 tensor-core tactic (gemm.tf32) on an NVIDIA GPU, against float64.

For each case (a MatMul or Gemm over fresh random inputs: aligned and ragged sizes, transA/
transB, alpha/beta with C, batched and broadcast MatMuls, an fp16 engine) it runs
`crosscheck run M --ref --ocl --per-layer --save-outputs DIR --json J` three ways:
  tf32.<variant>  each gemm.tf32 variant (conv cases: winograd_gemm_tf32, or 1x1_tf32 and
                  implicit_tf32 by the case's window) forced with --tactics: the relative error
                  |out - ref64| / |ref64| (Frobenius norms, ref64 the product in float64 of the
                  saved inputs) must lie in TF32's range (under 2e-3, over 1e-5 where K >= 64 so
                  the tensor cores really ran), crosscheck's own verdict must pass, and the
                  per-layer table must name the layer's precision tf32;
  fp16.*          --fp16 engines with a tensor-core tactic forced (gemm.tf32 under half storage,
                  gemm.mma_fp16 / conv2d.*_mma_fp16 variants: f16 products, fp32 sums): the
                  forced tactic ran, precision fp16, error under 2e-2;
  default         no --tactics: the tactic the tuner chose is printed;
  --no-tf32       the tuner's choice with --no-tf32: no tf32 tactic, precision fp32, error at
                  fp32's level (under 1e-5).
  async.*, splitk.*, fp16.async.*, fp16.splitk.*  (ASYNC_CASES, all of them with --async-only) each
                  cp.async variant (gemm.tf32_async, gemm.tf32_splitk; gemm.mma_fp16_async and
                  gemm.mma_fp16_splitk under --fp16) forced, judged as tf32.* and fp16.* above;
  wgmma.*         (ASYNC_CASES without transA, one batch) each gemm.tf32_wgmma variant (Hopper only:
                  compute capability 9.0), judged as tf32.*: Bt transposed at run time (input B),
                  copied (transB) or derived from a constant B (as_constb);
  wgmma_splitk.*  (as_constk) each gemm.tf32_wgmma_splitk variant, judged likewise;
  fp16.wgmma.*, fp16.wgmma_splitk.*  (constant-B cases; split-K on as_constk) each
                  gemm.mma_fp16_wgmma(_splitk) variant under --fp16, judged as fp16.*;
  1x1_tf32_async.*, fp16.1x1_async.*  (1x1 conv cases whose C and OH*OW are multiples of 4, or 8
                  under --fp16) each conv2d.1x1_tf32_async / conv2d.1x1_mma_fp16_async variant,
                  judged likewise;
  splitk_tf32.*, fp16.splitk.*  (SPLITK_CONV_CASES: few output tiles, long K, as resnet18's
                  layer4 at batch 32) each conv2d.splitk_tf32 / conv2d.splitk_mma_fp16 variant,
                  judged likewise;
Which variants of each tactic a case runs is the tuner's answer, not a table here: `crosscheck
build -vv --tactics FAMILY.*` on the case lists every variant it offers the layer (offered());
one it offers but cannot build or run on the device is printed as skipped, as the tuner skips it.
--runs is matched against each family's tag prefix ("wgmma.", "fp16.async.") before its variants
are listed, then against every run's full tag.
Every output element is checked to be written (a NaN-poisoned output would show as NaN error).
Attention cases (attn_*: MatMul -> scale -> mask Add -> Softmax -> MatMul chains fused into one
attention layer, and the ONNX Attention op) force each attention.flash_tf32 variant (tf32.*) and
each attention.flash_mma_fp16 variant under --fp16 (fp16.*), against softmax(Q K^T s + mask) V in
float64 of the saved inputs, with the same bounds, default and --no-tf32 runs.

  LD_LIBRARY_PATH=.device python3 bench/tf32_check.py --xc .device/crosscheck --out /tmp/tf32 [--only REGEX]
Exit status 0 when every check holds. Needs numpy and onnx.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper



def make_case(path, op, a_shape, b_shape, c_shape=None, attrs=None):
    """const_b in attrs: B is an initializer (uniform in [-1, 1], seed 3) instead of an input."""
    attrs = dict(attrs or {})
    const_b = attrs.pop("const_b", False)
    ins = [helper.make_tensor_value_info("A", TensorProto.FLOAT, a_shape)]
    init = [numpy_helper.from_array(np.random.default_rng(3).uniform(-1, 1, b_shape).astype(np.float32), "B")] if const_b else []
    if not const_b:
        ins.append(helper.make_tensor_value_info("B", TensorProto.FLOAT, b_shape))
    names = ["A", "B"]
    if c_shape is not None:
        ins.append(helper.make_tensor_value_info("C", TensorProto.FLOAT, c_shape))
        names.append("C")
    node = helper.make_node(op, names, ["Y"], name="prod", **(attrs or {}))
    out = helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)
    g = helper.make_graph([node], "tf32_case", ins, [out], initializer=init)
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), path)


def make_conv(path, n, c, hw, m, k=3, stride=1, pad=1, group=1):
    """A k x k Conv with constant weights and bias (default 3x3 stride 1 pad 1: the Winograd
    tactics' case)."""
    rng = np.random.default_rng(3)
    cg = c // group
    w = numpy_helper.from_array((rng.uniform(-1, 1, (m, cg, k, k)) / np.sqrt(k * k * cg)).astype(np.float32), "W")
    b = numpy_helper.from_array(rng.uniform(-1, 1, m).astype(np.float32), "Bias")
    node = helper.make_node("Conv", ["A", "W", "Bias"], ["Y"], name="prod", pads=[pad] * 4, kernel_shape=[k, k],
                            strides=[stride, stride], group=group)
    g = helper.make_graph([node], "tf32_conv", [helper.make_tensor_value_info("A", TensorProto.FLOAT, [n, c, hw, hw])],
                          [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)], initializer=[w, b])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), path)


def make_attention(path, b, h, s, d, mask, op):
    """op False: the chain as exporters write it (K as rows, transposed in the pattern), mask None,
    "pad" (BERT's [B,1,1,S] padding bias) or "full" ([1,1,S,S] with -10000 and -inf entries, every
    row keeping its diagonal). op True: the ONNX Attention op on 3-D [B, S, heads * d], grouped-query
    (h query heads on h / 2 key/value heads), is_causal."""
    rng = np.random.default_rng(11)
    if op:
        node = helper.make_node("Attention", ["Q", "K", "V"], ["Y"], name="attn", q_num_heads=h, kv_num_heads=h // 2, is_causal=1)
        ins = [helper.make_tensor_value_info("Q", TensorProto.FLOAT, [b, s, h * d]),
               helper.make_tensor_value_info("K", TensorProto.FLOAT, [b, s, h // 2 * d]),
               helper.make_tensor_value_info("V", TensorProto.FLOAT, [b, s, h // 2 * d])]
        g = helper.make_graph([node], "attn_op", ins, [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)])
        onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 23)], ir_version=10), path)
        return None
    inits = [numpy_helper.from_array(np.array(1 / np.sqrt(d), np.float32), "c")]
    nodes = [helper.make_node("Transpose", ["K"], ["Kt"], name="kt", perm=[0, 1, 3, 2]),
             helper.make_node("MatMul", ["Q", "Kt"], ["S"], name="scores"), helper.make_node("Mul", ["S", "c"], ["X"], name="scale")]
    m = None
    if mask == "pad":
        m = np.zeros((b, 1, 1, s), np.float32)
        for i in range(b):
            m[i, ..., s - 7 * i:] = -10000 if i else 0
    elif mask == "full":
        m = rng.uniform(-2, 0, (1, 1, s, s)).astype(np.float32)
        m[rng.random(m.shape) < 0.3] = -10000
        m[rng.random(m.shape) < 0.1] = -np.inf
        m[0, 0, np.arange(s), np.arange(s)] = 0
    x = "X"
    if m is not None:
        inits.append(numpy_helper.from_array(m, "M"))
        nodes.append(helper.make_node("Add", ["X", "M"], ["XM"], name="mask"))
        x = "XM"
    nodes += [helper.make_node("Softmax", [x], ["P"], name="softmax", axis=-1), helper.make_node("MatMul", ["P", "V"], ["Y"], name="context")]
    ins = [helper.make_tensor_value_info(n, TensorProto.FLOAT, [b, h, s, d]) for n in ("Q", "K", "V")]
    g = helper.make_graph(nodes, "attn_chain", ins, [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)], initializer=inits)
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], ir_version=8), path)
    return m


def attention64(feeds, mask, h, op):
    """softmax(Q K^T / sqrt(d) + mask) V in float64 (op: 3-D operands, grouped-query heads, causal)."""
    q, k, v = (feeds[n].astype(np.float64) for n in ("Q", "K", "V"))
    if op:  # [B, S, heads * d] -> [B, heads, S, d]; key/value head j serves query heads 2j, 2j + 1
        b, s, _ = q.shape
        q, k, v = (t.reshape(b, s, -1, q.shape[2] // h).transpose(0, 2, 1, 3) for t in (q, k, v))
        k, v = np.repeat(k, 2, axis=1), np.repeat(v, 2, axis=1)
    x = q @ k.transpose(0, 1, 3, 2) / np.sqrt(q.shape[-1])
    if mask is not None:
        x = x + mask.astype(np.float64)
    if op:
        x = np.where(np.triu(np.ones(x.shape[-2:], bool), 1), -np.inf, x)
    p = np.exp(x - x.max(axis=-1, keepdims=True))
    y = (p / p.sum(axis=-1, keepdims=True)) @ v
    return y.transpose(0, 2, 1, 3).reshape(y.shape[0], y.shape[2], -1) if op else y


def reference64(op, feeds, attrs):
    a, b = feeds["A"].astype(np.float64), feeds["B"].astype(np.float64)
    if op == "MatMul":
        return np.matmul(a, b)
    if attrs.get("transA"):
        a = a.T
    if attrs.get("transB"):
        b = b.T
    y = attrs.get("alpha", 1.0) * (a @ b)
    if "C" in feeds:
        y = y + attrs.get("beta", 1.0) * feeds["C"].astype(np.float64)
    return y


CASES = [  # name, op, A, B, C, attrs
    ("mm_512", "MatMul", [512, 512], [512, 512], None, {}),
    ("mm_ragged", "MatMul", [1000, 333], [333, 777], None, {}),
    ("gemm_tAtB_512", "Gemm", [256, 512], [512, 256], None, {"transA": 1, "transB": 1}),
    ("gemm_fc", "Gemm", [64, 512], [1000, 512], [1000], {"transB": 1}),
    ("gemm_tA", "Gemm", [300, 200], [300, 128], None, {"transA": 1}),
    ("gemm_tAtB_ab", "Gemm", [130, 70], [90, 130], [70, 90], {"transA": 1, "transB": 1, "alpha": 0.5, "beta": 2.0}),
    ("mm_batched", "MatMul", [4, 128, 64], [4, 64, 96], None, {}),
    ("mm_bcast", "MatMul", [2, 3, 50, 64], [64, 40], None, {}),
    ("mm_k7", "MatMul", [33, 7], [7, 19], None, {}),
    ("conv_64", "Conv", [2, 64, 28, 28], 64, None, {}),     # B: output channels
    ("conv_ragged", "Conv", [3, 36, 13, 13], 40, None, {}),
    # conv2d.1x1_tf32 / conv2d.implicit_tf32 (attrs: window k, stride, pad, group)
    ("conv1x1_256", "Conv", [2, 64, 28, 28], 256, None, {"k": 1, "pad": 0}),
    ("conv1x1_ragged", "Conv", [3, 37, 9, 11], 70, None, {"k": 1, "pad": 0}),
    # conv2d.1x1_tf32_async too (C and OH*OW multiples of 4; ragged M and last position tile)
    ("conv1x1_async_ragged", "Conv", [3, 64, 14, 14], 70, None, {"k": 1, "pad": 0}),
    ("conv3x3_s2", "Conv", [2, 128, 28, 28], 256, None, {"k": 3, "stride": 2}),
    ("conv7x7_stem", "Conv", [2, 3, 64, 64], 64, None, {"k": 7, "stride": 2, "pad": 3}),
    ("conv1x1_s2", "Conv", [2, 64, 28, 28], 128, None, {"k": 1, "stride": 2, "pad": 0}),
    ("conv3x3_g4", "Conv", [2, 64, 14, 14], 64, None, {"k": 3, "group": 4}),
]
# conv2d.splitk_tf32 / conv2d.splitk_mma_fp16 (same fields as CASES' convs): resnet18's layer4.0
# at batch 32 (stride-2 3x3 256 -> 512, then 3x3 512 -> 512: 200 tiles of 64 x 64), a grouped 3x3,
# a 1x1, and K = 2700 that no slice count divides
SPLITK_CONV_CASES = [
    ("convsk_l4_s2", "Conv", [32, 256, 14, 14], 512, None, {"k": 3, "stride": 2}),
    ("convsk_l4", "Conv", [32, 512, 7, 7], 512, None, {"k": 3}),
    ("convsk_g2", "Conv", [4, 256, 7, 7], 256, None, {"k": 3, "group": 2}),
    ("convsk_1x1", "Conv", [8, 1024, 7, 7], 256, None, {"k": 1, "pad": 0}),
    ("convsk_ragged", "Conv", [3, 300, 9, 9], 70, None, {"k": 3}),
]
# the cp.async tactics (gemm.tf32_async, gemm.mma_fp16_async; the split-K ones where the output has few
# tiles): run on the cases whose contiguous dimensions are whole 16-byte chunks
ASYNC_CASES = [  # name, op, A, B, C, attrs
    ("as_ragged", "MatMul", [1000, 336], [336, 776], None, {}),
    ("as_splitk", "MatMul", [64, 3072], [3072, 768], None, {}),
    ("as_tAtB_ab", "Gemm", [336, 200], [96, 336], [200, 96], {"transA": 1, "transB": 1, "alpha": 0.5, "beta": 2.0}),
    ("as_512", "MatMul", [512, 512], [512, 512], None, {}),
    ("as_batched", "MatMul", [4, 128, 64], [4, 64, 96], None, {}),
    ("as_tB", "Gemm", [1000, 336], [776, 336], [776], {"transB": 1}),
    ("as_constb", "MatMul", [3, 345, 768], [768, 3072], None, {"const_b": True}),
    ("as_constk", "MatMul", [1000, 3072], [3072, 768], None, {"const_b": True}),  # BERT's FFN output: wgmma split-K
]
# attention: name, batch, heads, seq, head size, mask, ONNX Attention op (attn_bert_b8: BERT-base b8)
ATTN_CASES = [
    ("attn_bert_b8", 8, 12, 128, 64, "pad", False),
    ("attn_ragged", 2, 4, 77, 64, "full", False),
    ("attn_d32", 2, 4, 100, 32, None, False),
    ("attn_d128", 1, 2, 200, 128, "full", False),
    ("attn_op_causal", 2, 4, 150, 64, None, True),
]


def run(a, model, tag, extra):
    d = os.path.join(a.out, tag)
    shutil.rmtree(d, ignore_errors=True)  # --save-outputs refuses a folder holding files it did not write
    os.makedirs(d, exist_ok=True)
    j = os.path.join(a.out, tag + ".json")
    cmd = [a.xc, "run", model, "--ref", "--ocl", "--per-layer", "--save-outputs", d, "--json", j, "--seed", str(a.seed),
           "--val-range", "[-1,1]"] + (["--ocl-device", a.device] if a.device else []) + extra
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    with open(os.path.join(a.out, tag + ".log"), "w") as f:
        f.write("$ %s\n%s%s" % (" ".join(cmd), r.stdout, r.stderr))
    if r.returncode not in (0, 1):
        return None, "exit %d: %s" % (r.returncode, (r.stderr.strip().splitlines() or [""])[-1])
    with open(j) as f:
        rep = json.load(f)
    with open(os.path.join(d, "index.json")) as f:
        idx = json.load(f)
    tensors = {}
    for e in idx["tensors"]:
        key = (e["runner"], e["role"], e["tensor"])
        if e.get("iteration", 0) == 0:
            tensors[key] = numpy_helper.to_array(onnx.load_tensor(os.path.join(d, e["file"])))
    return (r.returncode, rep, tensors), None


CANDIDATE = re.compile(r"layer '[^']*': tactic (\S+)(?:: [0-9.]+ ms| not a candidate here: (.*))$", re.M)


def offered(a, model, family, flags):
    """The variants of tactic `family` the tuner offers this case's layer, as `crosscheck build -vv`
    lists them (each one it times, or finds it cannot build or run there): this script keeps no
    copy of the tactic tables, and a family that does not apply to the case offers none. Returns
    (variants that ran, [(variant, why) refused])."""
    plan = os.path.join(a.out, "offered.plan")
    cmd = [a.xc, "build", model, "-o", plan, "-vv", "--timing-iterations", "1", "--tactics", family + ".*"] + \
        (["--ocl-device", a.device] if a.device else []) + flags
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    ran, refused = [], []
    for m in CANDIDATE.finditer(r.stderr):
        if m.group(1).startswith(family + "."):
            (refused.append((m.group(1), m.group(2))) if m.group(2) else ran.append(m.group(1)))
    return sorted(set(ran)), refused


def layer_row(rep):
    pl = rep.get("per_layer") or {}
    rows = pl.get("layers") or []
    return rows[0] if rows else {}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--xc", default="build/crosscheck")
    ap.add_argument("--out", default="tf32-check")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--only", default="", help="regular expression: the cases to run")
    ap.add_argument("--device", default="NVIDIA", help="crosscheck --ocl-device ('' for its default)")
    ap.add_argument("--runs", default="", help="regular expression: the runs of each case (tags: tf32.*, wgmma.*, ...)")
    ap.add_argument("--async-only", action="store_true", help="the cp.async cases alone (ASYNC_CASES)")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    failures = 0
    print("%-14s %-28s %-30s %-5s %10s  %s" % ("case", "run", "tactic", "prec", "rel err", "verdict"))
    attention = [(c[0], "Attention", c, None, None, {}) for c in ATTN_CASES]
    for name, op, sa, sb, sc, attrs in ([] if a.async_only else CASES + SPLITK_CONV_CASES + attention) + ASYNC_CASES:
        if a.only and not re.search(a.only, name):
            continue
        model = os.path.join(a.out, name + ".onnx")
        if op == "Attention":
            _, b, h, sq, d, mask_kind, is_op = sa
            mask = make_attention(model, b, h, sq, d, mask_kind, is_op)
            k = d
            families = [("tf32", "attention.flash_tf32", [], "tf32"), ("fp16.mma", "attention.flash_mma_fp16", ["--fp16"], "fp16")]
            runs = []
        elif name.startswith("convsk_"):
            make_conv(model, sa[0], sa[1], sa[2], sb, **attrs)
            k = attrs["k"] ** 2 * sa[1] // attrs.get("group", 1)
            families = [("splitk_tf32", "conv2d.splitk_tf32", [], "tf32"),
                        ("fp16.splitk", "conv2d.splitk_mma_fp16", ["--fp16"], "fp16")]
            runs = []
        elif op == "Conv" and attrs:
            make_conv(model, sa[0], sa[1], sa[2], sb, **attrs)
            k = attrs["k"] ** 2 * sa[1] // attrs.get("group", 1)
            families = [(t.split(".")[1], t, [], "tf32") for t in ("conv2d.implicit_tf32", "conv2d.1x1_tf32", "conv2d.1x1_tf32_async")]
            families += [("fp16." + t.split(".")[1], t, ["--fp16"], "fp16")
                         for t in ("conv2d.1x1_mma_fp16_async", "conv2d.1x1_mma_fp16", "conv2d.implicit_mma_fp16")]
            runs = [("fp16.1x1_tf32", ["--fp16", "--tactics", "conv2d.1x1_tf32.*"], "fp16")] if name == "conv1x1_256" else []
        elif op == "Conv":
            make_conv(model, sa[0], sa[1], sa[2], sb)
            k = 9 * sa[1]
            families = [("tf32", "conv2d.winograd_gemm_tf32", [], "tf32")]
            runs = []
        elif name.startswith("as_"):
            make_case(model, op, sa, sb, sc, attrs)
            k = sa[-2] if attrs.get("transA") else sa[-1]
            families = [(tag, "gemm." + t, [], "tf32") for tag, t in (("async", "tf32_async"), ("splitk", "tf32_splitk"),
                                                                     ("wgmma", "tf32_wgmma"), ("wgmma_splitk", "tf32_wgmma_splitk"))]
            families += [("fp16." + tag, "gemm." + t, ["--fp16"], "fp16")
                         for tag, t in (("async", "mma_fp16_async"), ("splitk", "mma_fp16_splitk"), ("wgmma", "mma_fp16_wgmma"),
                                        ("wgmma_splitk", "mma_fp16_wgmma_splitk"))]
            runs = []
        else:
            make_case(model, op, sa, sb, sc, attrs)
            k = sa[-2] if attrs.get("transA") else sa[-1]
            families = [("tf32", "gemm.tf32", [], "tf32")]
            runs = []
            if name in ("mm_512", "mm_ragged", "gemm_tAtB_512", "mm_batched"):
                runs.append(("fp16.tf32", ["--fp16", "--tactics", "gemm.tf32.*"], "fp16"))
                families.append(("fp16.mma", "gemm.mma_fp16", ["--fp16"], "fp16"))
        for prefix, family, flags, prec in families:
            if a.runs and not re.search(a.runs, prefix + "."):
                continue
            variants, refused = offered(a, model, family, flags)
            for v, why in refused:
                print("%-14s %-28s %-30s not built here (the tuner skips it too): %s" % (name, prefix, v, why))
            runs += [(prefix + v[len(family):], flags + ["--tactics", v], prec) for v in variants]
        runs += [("default", [], None)] + ([] if name.startswith("as_") else [("no-tf32", ["--no-tf32"], "fp32")])
        for tag, extra, want_prec in runs:
            if a.runs and not re.search(a.runs, tag):
                continue
            res, err = run(a, model, name + "_" + tag, extra)
            if err:
                print("%-14s %-28s FAILED: %s" % (name, tag, err))
                failures += 1
                continue
            rc, rep, t = res
            feeds = {n: t[("ref", "input", n)] for n in ("A", "B", "C") if ("ref", "input", n) in t}
            if attrs.get("const_b"):
                feeds["B"] = numpy_helper.to_array(onnx.load(model).graph.initializer[0])
            # Conv: the reference interpreter's fp32 output (exact to ~1e-7) stands in for float64
            if op == "Attention":
                feeds = {n: t[("ref", "input", n)] for n in ("Q", "K", "V")}
                ref = attention64(feeds, mask, sa[2], sa[6])
            elif op == "Conv":
                ref = t[("ref", "output", "Y")].astype(np.float64)
            else:
                ref = reference64(op, feeds, attrs)
            out = t.get(("ocl", "output", "Y"))
            if out is None:
                out = next(v for (r_, role, n), v in t.items() if r_.startswith("ocl") and role == "output")
            rel = float(np.linalg.norm(out.astype(np.float64) - ref) / np.linalg.norm(ref))
            row = layer_row(rep)
            tactic, prec = row.get("tactic", "?"), row.get("precision", "?")
            ok = rc == 0 and np.isfinite(rel)
            if want_prec == "tf32":
                ok = ok and "tf32" in tactic and prec == "tf32" and rel < 2e-3 and (k < 64 or rel > 1e-5)
            elif want_prec == "fp32":
                ok = ok and "tf32" not in tactic and prec == "fp32" and rel < 1e-5
            elif want_prec == "fp16":  # the forced tactic ran, in fp16 (half storage; f16 products for the mma tactics)
                ok = ok and tactic.startswith(extra[-1].rstrip("*")) and prec == "fp16" and rel < 2e-2
            failures += not ok
            print("%-14s %-28s %-30s %-5s %10.3g  %s" % (name, tag, tactic, prec, rel, "ok" if ok else "FAIL (exit %d)" % rc),
                  flush=True)
    print("\n%s" % ("all checks hold" if not failures else "%d check(s) failed" % failures))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
