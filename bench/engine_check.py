#!/usr/bin/env python3
"""Measures the engine issue's and the debug-tools issue's done-when items on real PyTorch exports
(run it on the GPU machine; it needs torch, torchvision, transformers, onnx and onnxruntime):

  profiles   a dynamic-batch resnet18 and a dynamic-sequence BERT built once with an
             optimization profile, run at three shapes inside it against the reference; a
             shape outside must be refused
  int8       ONNX Runtime's static QDQ quantization of resnet18 built by the engine (explicit
             int8), its output against ONNX Runtime's own int8 output in quantization steps;
             implicit --int8 with calibration data against the reference, the calibration cache
             read back gives the same output
  fp16       fp16 trouble as deployments meet it: a BERT and a ViT with outlier channels in the
             residual stream (LayerNormalization's squares overflow fp16) and a resnet18 embedding
             net whose features are large (ReduceL2's squares overflow): per-layer errors of --fp16
             (fp16 arithmetic) against --fp16-storage, the fp16 engine failing, `debug precision`
             finding the layers to keep in fp32, the set validated on 5 fresh input sets and
             passing 5 more (seed 77)
  faults     a planted scale=1.001 on a Conv, a MatMul/Gemm, a LayerNormalization and a Softmax
             of mobilenet_v3_small, a 2-layer BERT and a 4-layer ViT: does --per-layer name it,
             and does `debug reduce` at default settings (its built-in check judging every
             layer) cut the MatMul/Softmax cases down to the planted node?

usage: bench/engine_check.py --xc .device/crosscheck --out DIR [--parts profiles,int8,fp16,faults] [--small]
(--small: the fp16 part's resnet18 at 64x64, for a CPU OpenCL device such as PoCL)
Every crosscheck command is printed with its exit status and time; the last lines are a summary.
Models are randomly initialised with fixed seeds, so nothing is downloaded.
"""
import argparse
import json
import os
import re
import subprocess
import time

import numpy as np
import onnx
import torch
from onnx import numpy_helper

SUMMARY = []


def note(part, what, ok, detail=""):
    SUMMARY.append((part, what, ok, detail))
    print("%-9s %-58s %s %s" % (part, what, "ok  " if ok else "MISS", detail), flush=True)


def xc(args, timeout=600):
    t = time.perf_counter()
    try:
        r = subprocess.run([A.xc] + args, capture_output=True, text=True, timeout=timeout)
        rc, out = r.returncode, r.stdout + r.stderr
    except subprocess.TimeoutExpired as e:
        rc, out = 124, (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
    secs = time.perf_counter() - t
    print("$ crosscheck %s\n  -> exit %d in %.1f s" % (" ".join(args), rc, secs), flush=True)
    if rc not in (0, 1):
        print("  " + out[-1500:].replace("\n", "\n  "), flush=True)
    return rc, out, secs


def export(model, args, path, input_names, dynamic_axes=None):
    with torch.no_grad():
        outs = model(*args)
        n = len(outs) if isinstance(outs, (tuple, list)) else 1
        torch.onnx.export(model, args, path, input_names=input_names, output_names=["output_%d" % i for i in range(n)],
                          opset_version=17, dynamic_axes=dynamic_axes, dynamo=False)
    return path


def resnet18(path, dynamic=True, size=224, embedding=False):
    """torchvision's resnet18; with embedding, an L2-normalized embedding net (re-ID, face
    recognition, retrieval: the classifier replaced by F.normalize of the pooled features) whose
    features are large. Such nets are trained through a cosine or ArcFace-style loss that sees
    only x / ||x||, so nothing bounds the features' scale and it grows during training (Wang et
    al. 2017, NormFace); here 8 of the 512 channels are put in the hundreds through the last
    BatchNorm's beta. fp16 stores values up to 65504, so storage is fine, but the norm squares
    them: 400^2 overflows fp16 arithmetic and the normalized embedding comes out 0 or NaN."""
    import torchvision
    torch.manual_seed(0)
    m = torchvision.models.resnet18(weights=None).eval()
    if embedding:
        with torch.no_grad():
            m.layer4[-1].bn2.bias[::64] = 400.0
        m.fc = torch.nn.Identity()

        class Embed(torch.nn.Module):
            def __init__(self, backbone):
                super().__init__()
                self.backbone = backbone

            def forward(self, x):
                return torch.nn.functional.normalize(self.backbone(x), dim=1)
        m = Embed(m).eval()
    return export(m, (torch.rand(1, 3, size, size),), path, ["input"],
                  {"input": {0: "batch"}, "output_0": {0: "batch"}} if dynamic else None)


# Outlier channels of transformers: a few fixed dimensions of the residual stream carry values
# far above the rest in trained models (BERT: Bondarenko et al. 2021, tied to LayerNorm's weights;
# LLMs: Dettmers et al. 2022, LLM.int8(); "massive activations" in LLMs and ViTs: Sun et al.
# 2024). fp16 stores them (to 65504), but LayerNormalization squares x - mean: beyond 256 the
# square overflows fp16 arithmetic and the row comes out NaN, which is why TensorRT warns that
# LayerNorm in FP16 may overflow and advises keeping it in FP32. Random weights have no outliers,
# so the variants plant them where trained models have them.
OUTLIERS = {3: 400.0, 77: -350.0}  # channel: value


class Bert(torch.nn.Module):
    def __init__(self, layers, seq_max=128):
        super().__init__()
        from transformers import BertConfig, BertModel
        cfg = BertConfig(vocab_size=1000, hidden_size=128, num_hidden_layers=layers, num_attention_heads=2,
                         intermediate_size=512, max_position_embeddings=seq_max)
        self.bert = BertModel(cfg).eval()

    def forward(self, input_ids, attention_mask):
        return self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state


def bert(path, layers=2, dynamic=True, outliers=False):
    """With outliers, every encoder LayerNorm's beta carries OUTLIERS (post-LN BERT: its
    outputs are the residual stream), so every LayerNorm after layer 0's attention block reads them."""
    torch.manual_seed(0)
    ids = torch.randint(0, 1000, (1, 16))
    mask = torch.ones(1, 16, dtype=torch.int64)
    axes = {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
            "output_0": {0: "batch", 1: "seq"}}
    m = Bert(layers).eval()
    if outliers:
        with torch.no_grad():
            for layer in m.bert.encoder.layer:
                for ln in (layer.attention.output.LayerNorm, layer.output.LayerNorm):
                    for c, v in OUTLIERS.items():
                        ln.bias[c] = v
    return export(m, (ids, mask), path, ["input_ids", "attention_mask"], axes if dynamic else None)


def vit(path, layers=4, outliers=False):
    """With outliers, layer 1's MLP output bias carries OUTLIERS (massive activations appear
    after an early layer and persist in the residual stream): the LayerNorms of layers 2.. and
    the final one read them; those of layers 0-1 do not."""
    from transformers import ViTConfig, ViTModel
    torch.manual_seed(0)
    cfg = ViTConfig(image_size=64, patch_size=8, hidden_size=128, num_hidden_layers=layers, num_attention_heads=2,
                    intermediate_size=512)

    class V(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.vit = ViTModel(cfg).eval()
            if outliers:
                with torch.no_grad():
                    for c, v in OUTLIERS.items():
                        self.vit.layers[1].mlp.fc2.bias[c] = v  # transformers 5 names

        def forward(self, x):
            return self.vit(pixel_values=x).last_hidden_state
    return export(V().eval(), (torch.rand(1, 3, 64, 64),), path, ["pixel_values"])


def mobilenet(path):
    import torchvision
    torch.manual_seed(0)
    m = torchvision.models.mobilenet_v3_small(weights=None).eval()
    return export(m, (torch.rand(1, 3, 224, 224),), path, ["input"])


def part_profiles(out):
    r18 = resnet18(os.path.join(out, "resnet18_dyn.onnx"))
    plan = os.path.join(out, "resnet18_dyn.plan")
    rc, _, secs = xc(["build", r18, "--profile-shapes", "input:min=[1,3,224,224],opt=[8,3,224,224],max=[32,3,224,224]",
                      "-o", plan])
    note("profiles", "resnet18 profile build (once)", rc == 0, "%.1f s" % secs)
    for b in (1, 4, 16):
        rc, o, _ = xc(["run", r18, "--ref", "--plan", plan, "--input-shapes", "input:[%d,3,224,224]" % b])
        note("profiles", "resnet18 batch %d inside the profile agrees with ref" % b, rc == 0, last_line(o))
    rc, o, _ = xc(["run", r18, "--plan", plan, "--input-shapes", "input:[40,3,224,224]"])
    note("profiles", "resnet18 batch 40 refused clearly", rc not in (0, 1) or "outside" in o, last_line(o))
    b = bert(os.path.join(out, "bert_dyn.onnx"))
    plan = os.path.join(out, "bert_dyn.plan")
    rc, _, secs = xc(["build", b, "--profile-shapes", "input_ids:min=[1,8],opt=[4,64],max=[8,128]",
                      "attention_mask:min=[1,8],opt=[4,64],max=[8,128]", "-o", plan])
    note("profiles", "BERT profile build (once)", rc == 0, "%.1f s" % secs)
    for bs, seq in ((1, 16), (4, 64), (8, 128)):
        rc, o, _ = xc(["run", b, "--ref", "--plan", plan, "--input-shapes", "input_ids:[%d,%d]" % (bs, seq),
                       "--input-shapes", "attention_mask:[%d,%d]" % (bs, seq), "--val-range", "input_ids:[0,999]",
                       "--val-range", "attention_mask:[1,1]"])
        note("profiles", "BERT batch %d seq %d inside the profile agrees with ref" % (bs, seq), rc == 0, last_line(o))
    rc, o, _ = xc(["run", b, "--plan", plan, "--input-shapes", "input_ids:[1,200]", "--input-shapes",
                   "attention_mask:[1,200]"])
    note("profiles", "BERT seq 200 refused clearly", rc not in (0, 1) or "outside" in o, last_line(o))


def last_line(text):
    lines = [l for l in text.strip().splitlines() if l.strip()]
    return lines[-1][:160] if lines else ""


def write_set(folder, arrays):
    os.makedirs(folder, exist_ok=True)
    for i, (name, a) in enumerate(arrays):
        onnx.save_tensor(numpy_helper.from_array(a, name), os.path.join(folder, "input_%d.pb" % i))


def part_int8(out):
    import onnxruntime as ort
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    r18 = resnet18(os.path.join(out, "resnet18.onnx"), dynamic=False)
    rng = np.random.default_rng(0)
    calib = [rng.random((1, 3, 224, 224), dtype=np.float32) for _ in range(8)]
    cal_dir = os.path.join(out, "calib")
    for i, c in enumerate(calib):
        write_set(os.path.join(cal_dir, "test_data_set_%d" % i), [("input", c)])

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.it = iter([{"input": c} for c in calib])

        def get_next(self):
            return next(self.it, None)
    qdq = os.path.join(out, "resnet18_qdq.onnx")
    quantize_static(r18, qdq, Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QInt8, weight_type=QuantType.QInt8)
    x = rng.random((1, 3, 224, 224), dtype=np.float32)
    test = os.path.join(out, "int8_test")
    write_set(test, [("input", x)])
    ort_out = ort.InferenceSession(qdq, providers=["CPUExecutionProvider"]).run(None, {"input": x})[0]
    saved = os.path.join(out, "qdq_out")
    rc, o, secs = xc(["run", qdq, "--ocl", "--load-inputs", test, "--save-outputs", saved, "-v"])
    model = onnx.load(qdq)
    out_name = model.graph.output[0].name
    producer = {o: n for n in model.graph.node for o in n.output}
    node = producer.get(out_name)
    while node is not None and node.op_type != "DequantizeLinear":
        node = producer.get(node.input[0])
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    scale = float(np.max(inits[node.input[1]])) if node is not None and node.input[1] in inits else float("nan")
    got = read_output(saved, "ocl")
    if got is not None:
        steps = np.abs(got.astype(np.float64) - ort_out) / scale
        # within one step: the scale is a float32, so a one-step difference reads 1 + 1e-7
        note("int8", "QDQ resnet18 (ORT static) engine vs ORT int8, in output steps", float(steps.max()) <= 1.001,
             "max %.2f steps (scale %.4g), %d of %d elements differ, %s" %
             (steps.max(), scale, int(np.count_nonzero(steps > 0.5)), steps.size, "int8 layers used" if "int8" in o else "no int8 layer?"))
    else:
        note("int8", "QDQ resnet18 built and ran", False, last_line(o))
    cache = os.path.join(out, "calib.cache")
    outs = []
    for k in range(2):  # first run writes the cache, the second reads it
        d = os.path.join(out, "implicit_%d" % k)
        rc, o, secs = xc(["run", r18, "--ref", "--ocl", "--int8", "--calibration-data", cal_dir, "--calibration-cache", cache,
                          "--load-inputs", test, "--save-outputs", d, "--atol", "0.05", "--rtol", "0.05"])
        outs.append(read_output(d, "ocl"))
        note("int8", "implicit --int8 resnet18 vs reference (atol/rtol 5e-2), run %d" % k, rc == 0, last_line(o))
    same = outs[0] is not None and outs[1] is not None and np.array_equal(outs[0], outs[1])
    note("int8", "calibration cache round trip gives identical outputs", same)


def read_output(folder, runner):
    """The first output RUNNER wrote into a --save-outputs folder (RUNNER_it0_output_0.pb)."""
    path = os.path.join(folder, "%s_it0_output_0.pb" % runner)
    if not os.path.exists(path):
        return None
    t = onnx.TensorProto()
    with open(path, "rb") as h:
        t.ParseFromString(h.read())
    return numpy_helper.to_array(t)


def per_layer_rows(json_path):
    """{layer: (nmse, p99 relative error, verdict)} of a run's per-layer table and its first
    divergent layer. nmse and the 99th percentile of the relative error, not the max relative
    error: near-zero references inflate that one (1e12 on resnet18's ReLUs) whatever the
    precision. A row with non-finite mismatches (an overflow's inf/NaN) reads inf for both."""
    d = json.load(open(json_path))
    pl = d["per_layer"] if isinstance(d.get("per_layer"), dict) else {}
    inf = float("inf")
    rows = {}
    for r in pl.get("layers", []):
        nmse = inf if r.get("nmse") is None else r["nmse"]  # JSON writes inf as null
        p99 = max([t.get("p99_rel") or 0 for t in r.get("tensors", [])] or [0])
        rows[r["layer"]] = (nmse, inf if nmse == inf else p99, r.get("verdict"))
    return rows, pl.get("first_divergence")


def fp16_case(out, name, path, extra, expect):
    """One model with fp16 trouble: per-layer errors under --fp16-storage and --fp16, the fp16
    engine's verdict, debug precision's set (validated on 5 fresh sets), and the set on 5 more."""
    res = {}
    for mode in ("--fp16-storage", "--fp16"):
        j = os.path.join(out, "%s%s.json" % (name, mode))
        rc, o, _ = xc(["run", path, "--ref", "--ocl", mode, "--per-layer", "--per-layer-verdict", "outputs", "--json", j] + extra)
        res[mode] = (rc, per_layer_rows(j) if os.path.exists(j) else ({}, None))
    (rs, (st, _)), (rm, (ma, first)) = res["--fp16-storage"], res["--fp16"]
    common = [k for k in ma if k in st]
    finite = [k for k in common if np.isfinite(ma[k][0]) and np.isfinite(st[k][0])]
    med = lambda v: float(np.median(v)) if v else float("nan")  # noqa: E731
    note("fp16", "%s: per-layer error of fp16 math > fp16 storage" % name,
         bool(finite) and med([ma[k][1] for k in finite]) > med([st[k][1] for k in finite])
         and sum(1 for k in common if not np.isfinite(ma[k][0])) > sum(1 for k in common if not np.isfinite(st[k][0])),
         "%d layers; where both finite (%d): median p99 rel %.3g (math) vs %.3g (storage), median nmse %.3g vs %.3g, nmse "
         "larger on %d; inf/NaN rows %d (math) vs %d (storage); failing rows %d vs %d; first divergence (math): '%s'" %
         (len(common), len(finite), med([ma[k][1] for k in finite]), med([st[k][1] for k in finite]),
          med([ma[k][0] for k in finite]), med([st[k][0] for k in finite]), sum(1 for k in finite if ma[k][0] > st[k][0]),
          sum(1 for k in common if not np.isfinite(ma[k][0])), sum(1 for k in common if not np.isfinite(st[k][0])),
          sum(1 for k in ma if ma[k][2] == "fail"), sum(1 for k in st if st[k][2] == "fail"), first))
    note("fp16", "%s: fp16 storage passes, the fp16 (math) engine fails" % name, rs == 0 and rm == 1,
         "exit %d under --fp16-storage, %d under --fp16" % (rs, rm))
    fix = os.path.join(out, "%s_precision.json" % name)
    rc, o, secs = xc(["debug", "precision", path, "--fp16", "--iterations", "3", "--validate-sets", "5", "-o", fix] + extra,
                     timeout=900)
    layers = json.load(open(fix))["layers"] if rc == 0 and os.path.exists(fix) else {}
    checks = [l for l in o.splitlines() if l.startswith("verdict (")]
    note("fp16", "%s: debug precision finds a set, validated on 5 fresh sets" % name,
         bool(layers) and "validated on 5 fresh" in o and "it passes" in o,
         "%.0f s, %s: %d layer(s) to fp32: %s" % (secs, checks[0][9:-1] if checks else "?", len(layers),
                                                 ", ".join(sorted(layers))[:300]))
    note("fp16", "%s: the set is what the mechanism predicts (%s)" % (name, expect[0]), bool(layers) and expect[1](layers),
         "%d layers" % len(layers))
    if layers:
        rc, o, _ = xc(["run", path, "--ref", "--ocl", "--fp16", "--layer-precision-file", fix, "--iterations", "5",
                       "--seed", "77"] + extra)
        note("fp16", "%s: --fp16 with the set passes 5 more fresh sets (seed 77)" % name, rc == 0, last_line(o))


def part_fp16(out):
    help_text = subprocess.run([A.xc, "run", "--help"], capture_output=True, text=True).stdout
    if "--fp16-storage" not in help_text:
        note("fp16", "fp16 arithmetic (--fp16-storage exists)", False, "this build has fp16 storage only")
        return
    ln = lambda layers: all(k.endswith("LayerNormalization") for k in layers)  # noqa: E731
    bert_ids = ["--val-range", "input_ids:[0,999]", "--val-range", "attention_mask:[1,1]"]
    # post-LN BERT: layer 0's attention LayerNorm plants the outliers; the 3 LayerNorms after it read them
    fp16_case(out, "bert", bert(os.path.join(out, "bert2_outliers.onnx"), dynamic=False, outliers=True), bert_ids,
              ("the 3 LayerNorms after the outliers", lambda l: ln(l) and len(l) == 3))
    # pre-LN ViT: layer 1's MLP plants them; layers 2-3's LayerNorms and the final one read them
    fp16_case(out, "vit", vit(os.path.join(out, "vit4_outliers.onnx"), outliers=True), [],
              ("the 5 LayerNorms of layers 2-3 and the final one", lambda l: ln(l) and len(l) == 5
               and not any("layers.0" in k or "layers.1" in k for k in l)))
    size = 64 if A.small else 224
    fp16_case(out, "resnet18", resnet18(os.path.join(out, "resnet18_embedding.onnx"), dynamic=False, size=size,
                                        embedding=True), [],
              ("the ReduceL2 of the normalization", lambda l: list(l) == ["/ReduceL2"]))


def pick(model_path, op_types):
    nodes = [n.name for n in onnx.load(model_path, load_external_data=False).graph.node if n.op_type in op_types]
    return nodes[len(nodes) // 2] if nodes else None


def part_faults(out):
    models = {"mobilenet_v3_small": mobilenet(os.path.join(out, "mobilenet_v3_small.onnx")),
              "bert_2layer": bert(os.path.join(out, "bert_2layer.onnx"), dynamic=False),
              "vit_4layer": vit(os.path.join(out, "vit_4layer.onnx"))}
    extra = {"bert_2layer": ["--val-range", "input_ids:[0,999]", "--val-range", "attention_mask:[1,1]"]}
    for name, path in models.items():
        for op in (("Conv",), ("MatMul", "Gemm"), ("LayerNormalization",), ("Softmax",)):
            node = pick(path, op)
            if node is None:
                continue
            for mode in ("--per-layer", "--per-layer=isolated"):
                j = os.path.join(out, "fault.json")
                rc, o, _ = xc(["run", path, "--ref", "--ocl", "--no-tf32", mode, "--inject-fault", "node=%s:scale=1.001" % node,
                               "--json", j] + extra.get(name, []))
                first = ""
                try:
                    d = json.load(open(j))
                    fd = d["per_layer"]["first_divergence"]
                    rows = [r for r in d["per_layer"]["layers"] if r["layer"] == fd]
                    first = fd
                    found = bool(rows) and node in rows[0]["nodes"]
                except Exception as e:  # noqa: BLE001 - reported as a miss
                    found, first = False, "no per-layer result: %s" % e
                note("faults", "%s %s %s" % (name, op[0], mode), found and rc == 1, "first divergence: %s" % first[:90])
            if op[0] in ("MatMul", "Softmax"):  # debug reduce at default settings must cut down to the planted node
                # its built-in check judges every layer (run --per-layer's rule), so a fault the
                # outputs mask (a MatMul before a LayerNorm, Softmax rows renormalised) is found too
                small = os.path.join(out, "%s_%s_min.onnx" % (name, op[0]))
                if os.path.exists(small):
                    os.remove(small)  # a stale result must not count
                rc, o, secs = xc(["debug", "reduce", path, "-o", small, "--no-tf32", "--inject-fault", "node=%s:scale=1.001" % node] +
                                 extra.get(name, []), timeout=500)
                kept = [n.name for n in onnx.load(small).graph.node] if os.path.exists(small) else []
                checks = re.search(r"in (\d+) checks", o)
                note("faults", "%s %s debug reduce keeps the planted node" % (name, op[0]), rc == 0 and node in kept,
                     "%d of %d nodes kept in %s checks, %.0f s (built-in check)%s" %
                     (len(kept), len(onnx.load(path).graph.node), checks.group(1) if checks else "?", secs,
                      "; said nothing to reduce" if "nothing to reduce" in o else ""))


def main():
    global A
    ap = argparse.ArgumentParser()
    ap.add_argument("--xc", default="build/crosscheck")
    ap.add_argument("--out", required=True)
    ap.add_argument("--parts", default="profiles,int8,fp16,faults")
    ap.add_argument("--small", action="store_true", help="the fp16 part's resnet18 at 64x64 (CPU OpenCL devices)")
    A = ap.parse_args()
    os.makedirs(A.out, exist_ok=True)
    for part in A.parts.split(","):
        folder = os.path.join(A.out, part)
        os.makedirs(folder, exist_ok=True)
        try:
            globals()["part_" + part](folder)
        except Exception as e:  # noqa: BLE001 - one part failing must not hide the others
            note(part, "part raised", False, "%s: %s" % (type(e).__name__, str(e)[:300]))
    print("\nsummary: %d of %d items met" % (sum(1 for s in SUMMARY if s[2]), len(SUMMARY)))
    for part, what, ok, detail in SUMMARY:
        print("  %-9s %-58s %s %s" % (part, what, "ok  " if ok else "MISS", detail))


if __name__ == "__main__":
    main()
