"""Section `attention_layout` (issue 15): the attention fusion absorbs the head split and merge
Transposes around the pattern (BERT as PyTorch exports it: Reshape [B, S, H, D] -> Transpose
(0,2,1,3) in front of Q and V, K as (0,2,3,1) or as (0,2,1,3) then (0,1,3,2), and the context's
Transpose (0,2,1,3) before Reshape [B, S, H*D]); the attention kernels read and write those
layouts by strides. Built here with onnx.helper at odd sizes (B 2, S 13, H 3, D 24), with and
without a mask: no Transpose layer may remain in `inspect engine`, and the engine must agree with
the reference (fp32, fp16 storage) and ONNX Runtime. A chain whose Q heads and context are also
graph outputs keeps those two Transposes (they are read twice) and still fuses the rest.
--disable-fusion attention brings every Transpose back. The tensor-core kernel
(attention_mma.cl, head size 32) runs the same layouts under CROSSCHECK_MMA_EMULATE.

The section also checks Concat and Split copies (src/ocl/layers/movement.c): concat.bands_vec.v4 /
split.bands_vec.v4 move a vector of 4 elements per work-item over a 2-D range where the row and
every band are whole vectors, concat.bands / split.bands (one element each) everywhere. One
model holds Concats and Splits of 1 to 6 tensors, float32, float16, int64 and uint8, negative
axes, widths that are and are not multiples of 4: with the vector tactics forced they must run
exactly on the layers of whole vectors (the replay file says so), and every engine (tuned,
vector forced, scalar forced) must agree with the reference and ONNX Runtime."""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from test_attention_fusion import ROOT, _run
from test_attention_mma import _rows

B, S, H = 2, 13, 3
TOL = ["--rtol", "1e-3", "--atol", "1e-4"]


def bert_heads_model(d, chains):
    """One attention block per chain (tag, K form, masked, shared) on input x [B, S, H*d]. K form: "0231" one
    Transpose, "two" (0,2,1,3) then (0,1,3,2), "self" (0,2,3,1) of Q's own head split, V from it too (the
    split read three times, each Transpose once); shared: the Q heads and the pre-merge context are graph outputs."""
    hid = H * d
    rng = np.random.default_rng(13)
    nodes, inits, outs = [], [], []

    def node(op, ins, out, **attrs):
        nodes.append(helper.make_node(op, ins, [out], name=out, **attrs))
        return out

    def const(name, value):
        inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    split = const("split", np.array([B, S, H, d], np.int64))
    merge = const("merge", np.array([B, S, hid], np.int64))
    for tag, kform, masked, shared in chains:
        def proj(n):
            w = const(tag + n + ".w", (rng.standard_normal((hid, hid)) / np.sqrt(hid)).astype(np.float32))
            b = const(tag + n + ".b", (0.1 * rng.standard_normal(hid)).astype(np.float32))
            return node("Reshape", [node("Add", [node("MatMul", ["x", w], tag + n), b], tag + n + "_b"), split], tag + n + "_split")

        qs = proj("q")
        q = node("Transpose", [qs], tag + "q_heads", perm=[0, 2, 1, 3])
        v = node("Transpose", [qs if kform == "self" else proj("v")], tag + "v_heads", perm=[0, 2, 1, 3])
        if kform in ("0231", "self"):
            kt = node("Transpose", [qs if kform == "self" else proj("k")], tag + "k_heads", perm=[0, 2, 3, 1])
        else:
            kt = node("Transpose", [node("Transpose", [proj("k")], tag + "k_heads", perm=[0, 2, 1, 3])], tag + "kt", perm=[0, 1, 3, 2])
        sc = node("MatMul", [q, kt], tag + "scores")
        if masked:
            sc = node("Add", [node("Div", [sc, const(tag + "c", np.array(np.sqrt(d), np.float32))], tag + "scaled"), "mask"], tag + "masked")
        else:
            sc = node("Mul", [sc, const(tag + "c", np.array(1 / np.sqrt(d), np.float32))], tag + "scaled")
        ctx = node("MatMul", [node("Softmax", [sc], tag + "probs", axis=-1), v], tag + "context")
        outs.append(node("Reshape", [node("Transpose", [ctx], tag + "merge", perm=[0, 2, 1, 3]), merge], tag + "merged"))
        if shared:
            outs += [q, ctx]
    ins = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [B, S, hid])]
    if any(c[2] for c in chains):
        ins.append(helper.make_tensor_value_info("mask", TensorProto.FLOAT, [B, 1, 1, S]))
    g = helper.make_graph(nodes, "bert_heads", ins, [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outs],
                          initializer=inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


def _transposes(model):
    return {n.name for n in model.graph.node if n.op_type == "Transpose"}


def _layers(text):
    """The engine's layers from `inspect engine`: (ONNX node names, kind) in order."""
    lines, out = text.splitlines(), []
    for i, line in enumerate(lines):
        t = line.strip()
        if t.startswith("[") and "] " in t and i + 1 < len(lines):
            out.append((t.split("] ", 1)[1].split(" + "), lines[i + 1].split()[0]))
    return out


def _lone_transposes(text, names):
    return sorted(n[0] for n, _ in _layers(text) if len(n) == 1 and n[0] in names)


def attention_layout(s, xc, build, tmp):
    d = os.path.join(tmp, "attention_layout")
    os.makedirs(d, exist_ok=True)
    chains = (("a_", "0231", True, False), ("b_", "two", False, False), ("c_", "two", True, True), ("d_", "self", False, False))
    m = bert_heads_model(24, chains)
    path = os.path.join(d, "bert_heads.onnx")
    onnx.save(m, path)
    names = _transposes(m)

    r = _run([xc, "inspect", "engine", path])
    attn = [n for n, kind in _layers(r.stdout) if kind == "attention"]
    lone = _lone_transposes(r.stdout, names)
    s.check("attention_layout: every head split/merge Transpose is absorbed (K as (0,2,3,1) and as two Transposes, with and "
            "without mask, K and V from Q's split); the Q heads and context read twice keep theirs",
            r.returncode == 0 and len(attn) == 4 and lone == ["c_merge", "c_q_heads"]
            and all(t in attn[3] for t in ("d_q_heads", "d_k_heads", "d_v_heads", "d_merge"))
            and all(t in attn[0] for t in ("a_q_heads", "a_k_heads", "a_v_heads", "a_merge"))
            and all(t in attn[1] for t in ("b_q_heads", "b_k_heads", "b_kt", "b_v_heads", "b_merge"))
            and all(t in attn[2] for t in ("c_k_heads", "c_kt", "c_v_heads")), r.stdout[-3000:] + r.stderr[-800:] + str(lone))

    j = os.path.join(d, "fp32.json")
    r = _run([xc, "run", path, "--ref", "--ocl", "--per-layer", "--timing-iterations", "1", "--json", j] + TOL)
    rows = [x for x in _rows(j, r) if x["tactic"].startswith("attention.flash")]
    s.check("attention_layout: the engine reading [B, S, H, D] by strides agrees with the reference, per layer too (S 13, H 3, D 24)",
            r.returncode == 0 and len(rows) == 4 and all(x["verdict"] == "pass" for x in rows), r.stdout[-2500:] + r.stderr[-800:])
    r = _run([xc, "run", path, "--ref", "--ocl", "--fp16", "--timing-iterations", "1", "--rtol", "2e-2", "--atol", "2e-2"])
    s.check("attention_layout: the fp16-storage engine agrees with the reference", r.returncode == 0, r.stdout[-2000:] + r.stderr[-800:])
    ort = "ort=%s %s {model} {inputs} {outputs}" % (sys.executable, os.path.join(ROOT, "tools", "onnxruntime_runner.py"))
    r = _run([xc, "run", path, "--ocl", "--exec-runner", ort, "--compare-to", "ort", "--timing-iterations", "1"] + TOL)
    s.check("attention_layout: the engine agrees with ONNX Runtime", r.returncode == 0, r.stdout[-2000:] + r.stderr[-800:])

    r = _run([xc, "inspect", "engine", path, "--disable-fusion", "attention"])
    s.check("attention_layout: --disable-fusion attention keeps every Transpose as its own layer",
            r.returncode == 0 and _lone_transposes(r.stdout, names) == sorted(names), r.stdout[-2000:] + r.stderr[-800:])

    # the tensor-core kernel (head size 32) on the same layouts, emulated on PoCL
    mm = bert_heads_model(32, chains[:2])
    mpath = os.path.join(d, "bert_heads_d32.onnx")
    onnx.save(mm, mpath)
    emu = dict(os.environ, CROSSCHECK_MMA_EMULATE="1")
    for tactic, extra, prec in (("attention.flash_tf32", [], "tf32"), ("attention.flash_mma_fp16", ["--fp16"], "fp16")):
        j = os.path.join(d, tactic + ".json")
        r = _run([xc, "run", mpath, "--ref", "--ocl", "--per-layer", "--val-range", "[-1,1]", "--tactics", tactic + ".64x64",
                  "--json", j] + extra, emu)
        rows = [x for x in _rows(j, r) if x["tactic"].startswith("attention.")]
        eng = _run([xc, "inspect", "engine", mpath, "--tactics", tactic + ".64x64"] + extra, emu)
        s.check("attention_layout: %s (emulated) reads and writes [B, S, H, D] with no Transpose layer and agrees (rows say %s)"
                % (tactic, prec), r.returncode == 0 and len(rows) == 2
                and all(x["tactic"] == tactic + ".64x64" and x["precision"] == prec and x["verdict"] == "pass" for x in rows)
                and eng.returncode == 0 and not _lone_transposes(eng.stdout, _transposes(mm)),
                r.stdout[-2500:] + r.stderr[-600:] + eng.stderr[-300:])

    _bands(s, xc, d)


# (name, op, dtype, shapes: Concat inputs / Split input, axis, Split sizes, whole vectors of 4)
BANDS = (("cat_f32_vec", "Concat", TensorProto.FLOAT, [[2, 3, 4], [2, 5, 4]], 1, None, True),
         ("cat_f32_odd", "Concat", TensorProto.FLOAT, [[2, 3, 5], [2, 2, 5], [2, 1, 5]], -2, None, False),
         ("cat_f32_six", "Concat", TensorProto.FLOAT, [[3, w] for w in (4, 8, 4, 12, 4, 8)], -1, None, True),
         ("cat_f32_six_odd", "Concat", TensorProto.FLOAT, [[3, w] for w in (4, 8, 4, 12, 4, 6)], -1, None, False),
         ("cat_f32_one", "Concat", TensorProto.FLOAT, [[2, 8]], 0, None, None),
         ("cat_i64_vec", "Concat", TensorProto.INT64, [[3, 4], [3, 8]], 1, None, True),
         ("cat_i64_odd", "Concat", TensorProto.INT64, [[3, 2], [3, 1], [3, 3], [3, 2]], -1, None, False),
         ("cat_f16_vec", "Concat", TensorProto.FLOAT16, [[2, 2, 8], [2, 1, 8], [2, 3, 8]], -2, None, True),
         ("cat_u8_vec", "Concat", TensorProto.UINT8, [[5, 4], [5, 12], [5, 8], [5, 4], [5, 4]], 1, None, True),
         ("cat_u8_odd", "Concat", TensorProto.UINT8, [[5, 3], [5, 6]], -1, None, False),
         ("split_f32_vec", "Split", TensorProto.FLOAT, [4, 24], -1, [8, 12, 4], True),
         ("split_f32_odd", "Split", TensorProto.FLOAT, [4, 10], 1, [3, 7], False),
         ("split_f32_five", "Split", TensorProto.FLOAT, [20, 4], 0, [4, 4, 4, 4, 4], True),
         ("split_i64_vec", "Split", TensorProto.INT64, [2, 16], -1, [8, 8], True),
         ("split_f16_six", "Split", TensorProto.FLOAT16, [2, 6, 4], -2, [1, 1, 1, 1, 1, 1], True),
         ("split_u8_odd", "Split", TensorProto.UINT8, [3, 9], 1, [4, 5], False),
         ("split_u8_vec", "Split", TensorProto.UINT8, [3, 2, 8], -1, [4, 4], True))


def bands_model():
    """Every BANDS case side by side, each reading graph inputs and writing graph outputs (so no
    Concat becomes an in-place view); a Split's sizes are a constant input (opset 13)."""
    nodes, inits, ins, outs = [], [], [], []
    for name, op, dt, shapes, axis, sizes, _ in BANDS:
        if op == "Concat":
            names = ["%s_in%d" % (name, i) for i in range(len(shapes))]
            ins += [helper.make_tensor_value_info(n, dt, sh) for n, sh in zip(names, shapes)]
            nodes.append(helper.make_node("Concat", names, [name], name=name, axis=axis))
            ax = axis % len(shapes[0])
            outs.append(helper.make_tensor_value_info(name, dt, [sum(sh[ax] for sh in shapes) if k == ax else n
                                                                 for k, n in enumerate(shapes[0])]))
        else:
            ins.append(helper.make_tensor_value_info(name + "_in", dt, shapes))
            inits.append(numpy_helper.from_array(np.array(sizes, np.int64), name + "_sizes"))
            names = ["%s_out%d" % (name, i) for i in range(len(sizes))]
            nodes.append(helper.make_node("Split", [name + "_in", name + "_sizes"], names, name=name, axis=axis))
            outs += [helper.make_tensor_value_info(n, dt, [z if k == axis % len(shapes) else m for k, m in enumerate(shapes)])
                     for n, z in zip(names, sizes)]
    g = helper.make_graph(nodes, "bands", ins, outs, initializer=inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], ir_version=8)


def _bands(s, xc, d):
    path, replay = os.path.join(d, "bands.onnx"), os.path.join(d, "bands_tactics.json")
    onnx.save(bands_model(), path)
    ort = "ort=%s %s {model} {inputs} {outputs}" % (sys.executable, os.path.join(ROOT, "tools", "onnxruntime_runner.py"))
    exact = ["--rtol", "0", "--atol", "0"]

    def tactics():
        return {L["name"]: L["tactic"] for L in json.load(open(replay))["layers"]} if os.path.exists(replay) else {}

    for label, forced in (("tuned", []), ("vector forced", ["--tactics", "concat.bands_vec*", "--tactics", "split.bands_vec*"]),
                          ("scalar forced", ["--tactics", "concat.bands", "--tactics", "split.bands"])):
        if os.path.exists(replay):
            os.remove(replay)
        r = _run([xc, "run", path, "--ref", "--ocl", "--timing-iterations", "1", "--save-tactics", replay] + forced + exact)
        r2 = _run([xc, "run", path, "--ocl", "--exec-runner", ort, "--compare-to", "ort", "--timing-iterations", "1"] + forced + exact)
        t = tactics()
        if label == "vector forced":
            want = {name: ("%s.bands_vec.v4" if vec else "%s.bands") % ("concat" if op == "Concat" else "split")
                    for name, op, _, _, _, _, vec in BANDS if vec is not None}
            ok = all(t.get(n) == w for n, w in want.items())
        elif label == "scalar forced":
            ok = all(t.get(name) in ("concat.bands", "split.bands") for name, _, _, _, _, _, vec in BANDS if vec is not None)
        else:
            ok = all(t.get(name, "").startswith(("concat.bands", "split.bands")) for name, _, _, _, _, _, vec in BANDS if vec is not None)
        s.check("attention_layout: Concat/Split %s (1..6 tensors; float32, float16, int64, uint8; negative axes; widths of whole "
                "vectors and not): agree exactly with the reference and ONNX Runtime; the replay file names the expected tactics"
                % label, r.returncode == 0 and r2.returncode == 0 and ok,
                r.stdout[-1500:] + r.stderr[-800:] + r2.stdout[-800:] + r2.stderr[-400:] + json.dumps(t)[:1500])
