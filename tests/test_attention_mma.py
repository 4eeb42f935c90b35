"""Section `attention_mma` (issue 15): the attention layer's tensor-core tactics
attention.flash_tf32 (fp32 layers, TF32 allowed) and attention.flash_mma_fp16 (--fp16 layers),
kernels/attention_mma.cl, run here (PoCL) under CROSSCHECK_MMA_EMULATE=1: every mma.sync and
warp shuffle is computed from all lanes' registers by the PTX fragment layouts, so a wrong
fragment index (Q, K, V^T or P's reuse of S's registers) fails here.

One model holds four attention chains built with onnx.helper, head size 64: sequence 128 and a
ragged 77 (no multiple of the 64-key blocks), with and without a mask (a [1,1,1,S] padding mask,
and a full [1,1,S,S] bias holding -10000 and -inf), K given as Kt or as rows transposed in the
pattern. Each tactic is forced with --tactics and must agree with the reference at its
precision's tolerance, with per-layer rows naming precision tf32 / fp16 and errors above fp32's
level (the rounded products really ran). The ONNX Attention op (3-D heads, grouped-query,
is_causal) takes the TF32 tactic too. --no-tf32 withdraws the TF32 tactic, as does a head size
the kernel does not take (48), and without the emulation PoCL is never offered either."""
import json
import os
import subprocess

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

H, D = 2, 64
CHAINS = (("a", 128, False, False), ("b", 128, True, True), ("c", 77, False, True), ("d", 77, True, False))


def _run(cmd, env):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    except subprocess.TimeoutExpired as e:
        return subprocess.CompletedProcess(cmd, "timeout", e.stdout or "", "timed out")


def chains_model():
    """Four MatMul -> Mul(1/sqrt(D)) -> [Add mask] -> Softmax -> MatMul chains (tag, seq, mask, K as rows)."""
    nodes, inits, ins, outs = [], [], [], []
    r = np.random.default_rng(5)
    for tag, S, masked, rows in CHAINS:
        q, k, v = tag + "_q", tag + "_k", tag + "_v"
        ins += [helper.make_tensor_value_info(q, TensorProto.FLOAT, [1, H, S, D]),
                helper.make_tensor_value_info(k, TensorProto.FLOAT, [1, H, S, D] if rows else [1, H, D, S]),
                helper.make_tensor_value_info(v, TensorProto.FLOAT, [1, H, S, D])]
        kt = k
        if rows:
            kt = tag + "_kt"
            nodes.append(helper.make_node("Transpose", [k], [kt], name=kt, perm=[0, 1, 3, 2]))
        nodes.append(helper.make_node("MatMul", [q, kt], [tag + "_s"], name=tag + "_s"))
        inits.append(numpy_helper.from_array(np.array(1 / np.sqrt(D), np.float32), tag + "_c"))
        x = tag + "_x"
        nodes.append(helper.make_node("Mul", [tag + "_s", tag + "_c"], [x], name=x))
        if masked:
            if S == 128:  # padding over the last keys, as BERT builds it
                m = np.zeros((1, 1, 1, S), np.float32)
                m[..., 100:] = -10000
            else:  # a full bias: small values, -10000 and -inf, every row keeping its diagonal
                m = r.uniform(-2, 0, (1, 1, S, S)).astype(np.float32)
                m[r.random(m.shape) < 0.3] = -10000
                m[r.random(m.shape) < 0.1] = -np.inf
                m[0, 0, np.arange(S), np.arange(S)] = 0
            inits.append(numpy_helper.from_array(m, tag + "_m"))
            nodes.append(helper.make_node("Add", [x, tag + "_m"], [tag + "_xm"], name=tag + "_xm"))
            x = tag + "_xm"
        nodes.append(helper.make_node("Softmax", [x], [tag + "_p"], name=tag + "_p", axis=-1))
        nodes.append(helper.make_node("MatMul", [tag + "_p", v], [tag + "_y"], name=tag + "_y"))
        outs.append(helper.make_tensor_value_info(tag + "_y", TensorProto.FLOAT, [1, H, S, D]))
    g = helper.make_graph(nodes, "attention_mma", ins, outs, initializer=inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


def attention_op_model(seq, head, causal):
    """The ONNX Attention op (opset 23) on 3-D [B, S, heads * head] operands, 4 query heads on 2 key/value heads."""
    node = helper.make_node("Attention", ["Q", "K", "V"], ["Y"], name="attn", q_num_heads=4, kv_num_heads=2, is_causal=causal)
    g = helper.make_graph([node], "attention_op",
                          [helper.make_tensor_value_info("Q", TensorProto.FLOAT, [2, seq, 4 * head]),
                           helper.make_tensor_value_info("K", TensorProto.FLOAT, [2, seq, 2 * head]),
                           helper.make_tensor_value_info("V", TensorProto.FLOAT, [2, seq, 2 * head])],
                          [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [2, seq, 4 * head])])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 23)], ir_version=10)


def _rows(path, r):
    if r.returncode != 0 or not os.path.exists(path):
        return []
    return json.load(open(path)).get("per_layer", {}).get("layers", [])


def _has_nvidia(xc):
    """Whether crosscheck sees an NVIDIA OpenCL device (where tensor-core tactics are offered)."""
    r = _run([xc, "inspect", "devices", "--json"], os.environ)
    try:
        return any("NVIDIA" in d.get("vendor", "") for p in json.loads(r.stdout) for d in p["devices"])
    except ValueError:
        return False


def attention_mma(s, xc, build, tmp):
    d = os.path.join(tmp, "attention_mma")
    os.makedirs(d, exist_ok=True)
    chains, op, op48 = (os.path.join(d, n) for n in ("chains.onnx", "op.onnx", "op48.onnx"))
    onnx.save(chains_model(), chains)
    onnx.save(attention_op_model(77, 64, 1), op)
    onnx.save(attention_op_model(8, 48, 0), op48)
    emu = dict(os.environ, CROSSCHECK_MMA_EMULATE="1")
    base = ["--ref", "--ocl", "--per-layer", "--val-range", "[-1,1]"]

    # (tactic, extra options, precision, nmse band: above it the rounded products ran, below it they agree)
    for tactic, extra, prec, lo, hi in (("attention.flash_tf32", [], "tf32", 1e-10, 1e-5),
                                        ("attention.flash_mma_fp16", ["--fp16"], "fp16", 1e-10, 1e-4)):
        j = os.path.join(d, tactic + ".json")
        r = _run([xc, "run", chains] + base + extra + ["--tactics", tactic + ".64x64", "--json", j], emu)
        rows = _rows(j, r)
        ok = r.returncode == 0 and len(rows) == len(CHAINS) and all(
            x["tactic"] == tactic + ".64x64" and x["precision"] == prec and x["verdict"] == "pass" and lo < x["nmse"] < hi for x in rows)
        s.check("attention_mma: %s (emulated) agrees with the reference on seq 128 and ragged 77, with and without masks; "
                "rows say %s" % (tactic, prec), ok, r.stdout[-2500:] + r.stderr[-600:] + str(rows)[:600])

    j = os.path.join(d, "op.json")
    r = _run([xc, "run", op] + base + ["--tactics", "attention.flash_tf32.64x64", "--json", j], emu)
    rows = _rows(j, r)
    s.check("attention_mma: the ONNX Attention op (3-D, grouped-query, causal, seq 77) on attention.flash_tf32 agrees",
            r.returncode == 0 and len(rows) == 1 and rows[0]["precision"] == "tf32" and rows[0]["verdict"] == "pass",
            r.stdout[-1500:] + r.stderr[-600:])

    # without the emulation the tensor-core tactics are offered on NVIDIA GPUs only: those two
    # checks hold where no device is one (CI's PoCL), and are left out on a GPU machine
    plain = [] if _has_nvidia(xc) else [("no emulation (PoCL)", chains, [], os.environ)]
    for label, model, extra, env in [("--no-tf32", chains, ["--no-tf32"], emu), ("head size 48", op48, [], emu)] + plain:
        r = _run([xc, "run", model, "--ocl", "--tactics", "attention.flash_tf32*"] + extra, env)
        s.check("attention_mma: %s: --tactics 'attention.flash_tf32*' matches no tactic (never offered)" % label,
                r.returncode == 2 and "matches no tactic" in r.stderr, r.stdout[-400:] + r.stderr[-400:])
    if plain:
        r = _run([xc, "run", chains, "--ocl", "--fp16", "--tactics", "attention.flash_mma_fp16*"], os.environ)
        s.check("attention_mma: no emulation (PoCL): --tactics 'attention.flash_mma_fp16*' matches no tactic",
                r.returncode == 2 and "matches no tactic" in r.stderr, r.stdout[-400:] + r.stderr[-400:])
    else:
        print("skip attention_mma: the two no-emulation checks (an NVIDIA device is present)")
