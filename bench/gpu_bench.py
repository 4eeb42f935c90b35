#!/usr/bin/env python3
"""crosscheck's OpenCL engine against PyTorch on an NVIDIA GPU, in one run.

For each torchvision model (random weights, seed 0) and batch size it exports the model to ONNX
and times PyTorch on the GPU the way /work/shared/bench/torch_peer.py does (cudnn.benchmark on,
10 warm-up runs, then the mean over --iters runs; eager, and replayed from a CUDA graph, timed
with CUDA events), then runs `crosscheck bench` on the very same .onnx file and reports
crosscheck's median GPU compute time (first kernel's start to last kernel's end) next to
PyTorch's. Last, an SGEMM case: a MatMul of two 4096x4096 float inputs, reported as TFLOP/s of
the tactic the tuner chose (its median layer time from --profile), next to torch.mm.

Each case runs in every --modes: `exact` (crosscheck --no-tf32; PyTorch with
allow_tf32 = False for matmul and cuDNN) and `tf32` (crosscheck's default, TF32 tensor-core
tactics where the device has them; PyTorch with allow_tf32 = True), so every ratio compares
like with like.

  LD_LIBRARY_PATH=... python3 bench/gpu_bench.py --xc build/crosscheck --out /tmp/gpu-bench
  -> one line per case, a Markdown table for bench/RESULTS.md, OUT/results.json, and each
     crosscheck run's output in OUT/<case>.log and OUT/<case>.json

`--transformers bert,vit` adds BERT-base (seq 128) and ViT-B/16 (224x224) built from transformers'
default configs with random weights (no download), at --transformer-batch (default 1 and 8):
exported with eager attention, PyTorch timed with SDPA attention (the same weights).

Needs torch, torchvision and onnx (transformers for --transformers). `--models ''` skips the torchvision cases (then torch is
only needed for the SGEMM peer figure, which is skipped when torch is missing).
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import time
import warnings

import onnx
from onnx import TensorProto, helper


# ---- PyTorch side (torch imported only when needed) ----

def torch_setup(tf32=False):
    import torch
    torch.manual_seed(0)
    torch.backends.cudnn.benchmark = True
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.allow_tf32 = tf32
    return torch


def time_torch(torch, fn, iters):
    """Mean ms per call after 10 warm-up calls (torch_peer.py's method)."""
    with torch.no_grad():
        for _ in range(10):
            fn()
        torch.cuda.synchronize()
        t = time.perf_counter()
        for _ in range(iters):
            fn()
        torch.cuda.synchronize()
    return (time.perf_counter() - t) / iters * 1e3


def time_torch_graph(torch, fn, iters):
    """Mean ms per replay of fn captured in a CUDA graph, by CUDA events (no launch overhead)."""
    with torch.no_grad():
        s = torch.cuda.Stream()
        s.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(s):
            for _ in range(3):
                fn()
        torch.cuda.current_stream().wait_stream(s)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            fn()
        for _ in range(10):
            graph.replay()
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        for _ in range(iters):
            graph.replay()
        b.record()
        torch.cuda.synchronize()
    return a.elapsed_time(b) / iters


def torchvision_case(name, batch, path, iters, modes):
    """Exports torchvision `name` at `batch` to path; returns {mode: (eager ms, graph ms)}."""
    torch = torch_setup()
    import torchvision
    model = getattr(torchvision.models, name)(weights=None).eval()
    x = torch.randn(batch, 3, 224, 224)
    warnings.filterwarnings("ignore", category=DeprecationWarning)  # dynamo=False: the legacy exporter, as torch_peer.py
    torch.onnx.export(model, x, path, input_names=["input"], output_names=["output"],
                      opset_version=17, dynamo=False)
    g, xg = model.cuda(), x.cuda()
    out = {}
    for mode in modes:
        torch_setup(tf32=mode == "tf32")
        m, xm = (g.half(), xg.half()) if mode == "fp16" else (g.float(), xg)
        out[mode] = (time_torch(torch, lambda: m(xm), iters), time_torch_graph(torch, lambda: m(xm), iters))
    g.float()
    del g, xg
    model.cpu()
    torch.cuda.empty_cache()  # leave the GPU's memory to crosscheck
    return out


class _LastHidden:
    """transformers models take their inputs by keyword and return a ModelOutput: a module with one
    positional input and the last hidden state as its output (defined lazily: torch is optional)."""

    @staticmethod
    def wrap(torch, model, key):
        class Wrapped(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.m = model

            def forward(self, x):
                return self.m(**{key: x}).last_hidden_state
        return Wrapped().eval()


def transformer_model(torch, name, attn):
    """BERT-base (seq 128) or ViT-B/16 (224x224) from their default configs, random weights
    (seed 0, no download): (module, its input name, input maker(batch))."""
    import transformers
    torch.manual_seed(0)
    # bert-base-uncased's shape (12 layers, 768 wide, 12 heads), ViT-B/16 at 224
    cfg = transformers.BertConfig() if name == "bert" else transformers.ViTConfig()
    m = transformers.AutoModel.from_config(cfg, attn_implementation=attn).eval()
    if name == "bert":  # ids in [0, 3]: crosscheck bench draws integer inputs there too; the mask is all ones
        return _LastHidden.wrap(torch, m, "input_ids"), "input_ids", lambda b: torch.randint(0, 4, (b, 128))
    return _LastHidden.wrap(torch, m, "pixel_values"), "pixel_values", lambda b: torch.randn(b, 3, 224, 224)


def transformer_case(name, batch, path, iters, modes):
    """Exports transformer `name` at `batch` (eager attention: the ONNX graph holds the plain
    MatMul/Softmax chain); PyTorch is timed with SDPA attention, its fastest, same weights."""
    torch = torch_setup()
    model, input_name, make = transformer_model(torch, name, "eager")
    x = make(batch)
    warnings.filterwarnings("ignore")
    with torch.no_grad():
        torch.onnx.export(model, (x,), path, input_names=[input_name], output_names=["last_hidden_state"],
                          opset_version=17, dynamo=False)
    fast, _, _ = transformer_model(torch, name, "sdpa")
    fast.load_state_dict(model.state_dict())
    g, xg = fast.cuda(), x.cuda()
    out = {}
    for mode in modes:
        torch_setup(tf32=mode == "tf32")
        m = g.half() if mode == "fp16" else g.float()
        xm = xg.half() if mode == "fp16" and xg.is_floating_point() else xg
        out[mode] = (time_torch(torch, lambda: m(xm), iters), time_torch_graph(torch, lambda: m(xm), iters))
    del g, xg, fast
    torch.cuda.empty_cache()
    return out


def torch_sgemm_ms(n, iters, mode):
    try:
        torch = torch_setup(tf32=mode == "tf32")
    except ImportError:
        return None
    dt = torch.float16 if mode == "fp16" else torch.float32
    a = torch.randn(n, n, device="cuda", dtype=dt)
    b = torch.randn(n, n, device="cuda", dtype=dt)
    ms = time_torch_graph(torch, lambda: torch.mm(a, b), iters)
    del a, b
    torch.cuda.empty_cache()
    return ms


def sgemm_model(path, n):
    """Y = A @ B with A and B both n x n float inputs (no constant for a tactic to pre-pack)."""
    inputs = [helper.make_tensor_value_info(x, TensorProto.FLOAT, [n, n]) for x in ("A", "B")]
    out = helper.make_tensor_value_info("Y", TensorProto.FLOAT, [n, n])
    graph = helper.make_graph([helper.make_node("MatMul", ["A", "B"], ["Y"], name="sgemm")], "sgemm", inputs, [out])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)


# ---- crosscheck side ----

MODE_ARGS = {"exact": ["--no-tf32"], "tf32": [], "fp16": ["--fp16"]}


def crosscheck_bench(a, model, case, mode):
    """Runs `crosscheck bench` on model; returns its JSON results, or a string saying why not."""
    out_json = os.path.join(a.out, case + ".json")
    cmd = [a.xc, "bench", model, "--timing-cache", a.timing_cache, "--json", out_json, "--profile",
           "--duration-s", str(a.duration_s)] + shlex.split(a.xc_args) + MODE_ARGS[mode]
    if a.device:
        cmd += ["--ocl-device", a.device]
    t = time.perf_counter()
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=a.timeout)
    except subprocess.TimeoutExpired:
        return "timed out after %d s" % a.timeout
    with open(os.path.join(a.out, case + ".log"), "w") as f:
        f.write("$ %s\n%s%s\n(%.1f s)\n" % (" ".join(cmd), r.stdout, r.stderr, time.perf_counter() - t))
    if r.returncode != 0:
        lines = r.stderr.strip().splitlines()
        return "exit %d: %s" % (r.returncode, lines[-1] if lines else "")
    with open(out_json) as f:
        return json.load(f)


def cpu_layers(res):
    return sum(1 for l in res["engine"]["layers"] if l["precision"] == "cpu-fp32")


def mma_layers(res):
    """Layers on tensor cores: TF32, or an f16 mma tactic."""
    return sum(1 for l in res["engine"]["layers"] if l["precision"] == "tf32" or "mma_fp16" in l.get("tactic", ""))


TRANSFORMERS = ("bert", "vit")


def model_rows(a, name, batch):
    base = "%s_b%d" % (name, batch)
    path = os.path.join(a.out, base + ".onnx")
    peers = (transformer_case if name in TRANSFORMERS else torchvision_case)(name, batch, path, a.iters, a.modes)
    rows = []
    for mode in a.modes:
        case = "%s_%s" % (base, mode)
        row = dict(case=case, model=name, batch=batch, mode=mode, torch_ms=peers[mode][0], torch_graph_ms=peers[mode][1])
        rows.append(row)
        res = crosscheck_bench(a, path, case, mode)
        if isinstance(res, str):
            row["error"] = res
            print("%-26s torch %8.3f ms   crosscheck failed: %s" % (case, row["torch_ms"], res), flush=True)
            continue
        row["xc_gpu_median_ms"] = res["gpu_compute_ms"]["median"]
        row["xc_latency_median_ms"] = res["latency_ms"]["median"]
        row["ratio"] = row["xc_gpu_median_ms"] / row["torch_ms"]
        row["ratio_graph"] = row["xc_gpu_median_ms"] / row["torch_graph_ms"]
        row["cpu_layers"] = cpu_layers(res)
        row["tf32_layers"] = mma_layers(res)
        print("%-26s torch %8.3f ms (graph %8.3f)   crosscheck GPU %8.3f ms (latency %8.3f ms)   ratio %6.2fx (graph %6.2fx)"
              "   %d tensor-core layers%s" % (case, row["torch_ms"], row["torch_graph_ms"], row["xc_gpu_median_ms"],
                                       row["xc_latency_median_ms"], row["ratio"], row["ratio_graph"], row["tf32_layers"],
                                       "   (%d CPU layers)" % row["cpu_layers"] if row["cpu_layers"] else ""), flush=True)
    return rows


def sgemm_row(a, mode):
    n = a.sgemm_n
    case = "sgemm_%d_%s" % (n, mode)
    path = os.path.join(a.out, "sgemm_%d.onnx" % n)
    sgemm_model(path, n)
    tflops = lambda ms: 2.0 * n ** 3 / (ms * 1e-3) / 1e12
    row = dict(case=case, n=n, mode=mode)
    torch_ms = torch_sgemm_ms(n, a.iters, mode)
    if torch_ms is not None:
        row.update(torch_ms=torch_ms, torch_tflops=tflops(torch_ms))
    res = crosscheck_bench(a, path, case, mode)
    if isinstance(res, str):
        row["error"] = res
        print("%-26s crosscheck failed: %s" % (case, res), flush=True)
        return row
    layer = res["profile"]["layers"][0]  # slowest first: the MatMul
    row.update(tactic=layer["tactic"], xc_ms=layer["median_ms"], xc_tflops=tflops(layer["median_ms"]))
    if torch_ms is not None:
        row["ratio"] = row["xc_ms"] / torch_ms
    peer = "   torch (graph) %.3f ms = %.2f TFLOP/s   ratio %.2fx" % (torch_ms, row["torch_tflops"], row["ratio"]) \
        if torch_ms is not None else ""
    print("%-26s crosscheck %s %.3f ms = %.2f TFLOP/s%s" % (case, row["tactic"], row["xc_ms"], row["xc_tflops"], peer),
          flush=True)
    return row


def fmt(v, spec):
    return format(v, spec) if v is not None else "-"


def markdown(rows, sgemms):
    print("\n| model | batch | mode | PyTorch eager (ms) | PyTorch CUDA graph (ms) | crosscheck GPU compute, median (ms) "
          "| crosscheck latency, median (ms) | tensor-core layers | crosscheck / PyTorch eager | crosscheck / PyTorch graph |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if "error" in r:
            print("| %s | %d | %s | %s | %s | failed: %s | | | | |" % (r["model"], r["batch"], r["mode"], fmt(r["torch_ms"], ".3f"),
                                                                fmt(r["torch_graph_ms"], ".3f"), r["error"]))
        else:
            print("| %s | %d | %s | %.3f | %.3f | %.3f | %.3f | %d | %.2fx | %.2fx |" % (
                r["model"], r["batch"], r["mode"], r["torch_ms"], r["torch_graph_ms"], r["xc_gpu_median_ms"],
                r["xc_latency_median_ms"], r["tf32_layers"], r["ratio"], r["ratio_graph"]))
    if sgemms:
        print("\n| SGEMM | mode | crosscheck tactic | crosscheck (ms) | crosscheck TFLOP/s | cuBLAS via torch.mm, CUDA graph (ms) "
              "| cuBLAS TFLOP/s | crosscheck / cuBLAS |")
        print("|---|---|---|---|---|---|---|---|")
        for sg in sgemms:
            print("| %d^3 | %s | %s | %s | %s | %s | %s | %s |" % (
                sg["n"], sg["mode"], sg.get("tactic", "failed: " + sg.get("error", "")), fmt(sg.get("xc_ms"), ".3f"),
                fmt(sg.get("xc_tflops"), ".2f"), fmt(sg.get("torch_ms"), ".3f"), fmt(sg.get("torch_tflops"), ".2f"),
                fmt(sg.get("ratio"), ".2f")))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--xc", default="build/crosscheck", help="the crosscheck binary")
    ap.add_argument("--out", default="gpu-bench", help="folder for models, logs and results")
    ap.add_argument("--models", default="resnet50,resnet18,mobilenet_v2,squeezenet1_1")
    ap.add_argument("--batch", default="1,32")
    ap.add_argument("--transformers", default="", help="bert (BERT-base, seq 128) and/or vit (ViT-B/16), e.g. 'bert,vit'")
    ap.add_argument("--transformer-batch", default="1,8")
    ap.add_argument("--iters", type=int, default=50, help="PyTorch timed runs per case")
    ap.add_argument("--device", default="NVIDIA", help="crosscheck --ocl-device ('' for its default)")
    ap.add_argument("--timing-cache", default="", help="crosscheck --timing-cache (default OUT/timing_cache.json)")
    ap.add_argument("--duration-s", type=float, default=3, help="crosscheck bench --duration-s")
    ap.add_argument("--xc-args", default="", help="more crosscheck bench options, given with '=': --xc-args='--fallback-cpu --fp16'")
    ap.add_argument("--sgemm-n", type=int, default=4096, help="SGEMM size (0: no SGEMM case)")
    ap.add_argument("--timeout", type=int, default=1800, help="seconds per crosscheck run")
    ap.add_argument("--modes", default="exact,tf32", help="exact (--no-tf32, PyTorch TF32 off), tf32 (defaults, TF32 on), "
                    "fp16 (--fp16, PyTorch .half())")
    a = ap.parse_args()
    a.modes = [m for m in a.modes.split(",") if m]
    if any(m not in MODE_ARGS for m in a.modes):
        sys.exit("--modes takes exact, tf32 and/or fp16")
    os.makedirs(a.out, exist_ok=True)
    a.timing_cache = a.timing_cache or os.path.join(a.out, "timing_cache.json")
    if not os.access(a.xc, os.X_OK):
        sys.exit("no crosscheck binary at %s (give --xc)" % a.xc)
    rows = [r for name in filter(None, a.models.split(",")) for b in a.batch.split(",") for r in model_rows(a, name, int(b))]
    rows += [r for name in filter(None, a.transformers.split(",")) for b in a.transformer_batch.split(",")
             for r in model_rows(a, name, int(b))]
    sgemms = [sgemm_row(a, mode) for mode in a.modes] if a.sgemm_n else []
    markdown(rows, sgemms)
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(dict(models=rows, sgemm=sgemms), f, indent=1)
    print("\nwrote %s" % os.path.join(a.out, "results.json"))


if __name__ == "__main__":
    main()
