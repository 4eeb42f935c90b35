#!/usr/bin/env python3
"""Every GEMM tactic's time on given product shapes, next to cuBLAS in the same run.

For each shape MxNxK it writes a MatMul model (A an M x K input; B a K x N constant, as a
linear layer's weight, or with --b-input a second input), builds it with `crosscheck build
--verbose --timing-iterations N` restricted to --tactics, reads the tuner's time for every
candidate from the verbose log ("layer 'L': tactic T: X ms"), and prints one row per tactic with
its TFLOP/s and its ratio to torch.matmul on the same card (TF32 on for the tf32 mode, fp16
operands for fp16), timed from a CUDA graph. The tuner's times are medians of kernel event
times, so they leave out launch overhead as the graph replay does.

  python3 bench/gemm_tactics.py --xc build/crosscheck --shapes 1024x768x768,1024x3072x768 \
      --tactics 'gemm.tf32*' --out /tmp/gt
Needs onnx and numpy; torch with CUDA for the peer column (left empty without it).
"""
import argparse
import os
import re
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from gpu_bench import time_torch_graph

LINE = re.compile(r"layer '([^']*)': tactic (\S+): ([0-9.]+) ms")


def model(path, m, n, k, b_input):
    rng = np.random.default_rng(0)
    a = helper.make_tensor_value_info("A", TensorProto.FLOAT, [m, k])
    y = helper.make_tensor_value_info("Y", TensorProto.FLOAT, [m, n])
    inputs, inits = [a], []
    if b_input:
        inputs.append(helper.make_tensor_value_info("B", TensorProto.FLOAT, [k, n]))
    else:
        inits.append(numpy_helper.from_array(rng.standard_normal((k, n), dtype=np.float32) * 0.05, "B"))
    g = helper.make_graph([helper.make_node("MatMul", ["A", "B"], ["Y"], name="mm")], "mm", inputs, [y], inits)
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), path)


def torch_ms(m, n, k, mode, iters=50):
    """torch.matmul on the GPU replayed from a CUDA graph (gpu_bench.py's timing), or None."""
    try:
        import torch
    except ImportError:
        return None
    if not torch.cuda.is_available():
        return None
    torch.backends.cuda.matmul.allow_tf32 = mode == "tf32"
    dt = torch.float16 if mode == "fp16" else torch.float32
    a = torch.randn(m, k, device="cuda", dtype=dt)
    b = torch.randn(k, n, device="cuda", dtype=dt)
    return time_torch_graph(torch, lambda: torch.matmul(a, b), iters)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--xc", default="build/crosscheck")
    ap.add_argument("--shapes", default="1024x768x768,1024x3072x768,1024x768x3072", help="MxNxK,...")
    ap.add_argument("--tactics", default="gemm.tf32*", help="crosscheck --tactics patterns (comma-separated)")
    ap.add_argument("--mode", default="tf32", choices=["tf32", "fp16"])
    ap.add_argument("--b-input", action="store_true", help="B a second input instead of a constant")
    ap.add_argument("--device", default="NVIDIA", help="crosscheck --ocl-device")
    ap.add_argument("--iterations", type=int, default=20, help="crosscheck --timing-iterations")
    ap.add_argument("--out", default="gemm-tactics")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    failed = 0
    print("| shape MxNxK | tactic | ms | TFLOP/s | vs cuBLAS |")
    print("|---|---|---|---|---|")
    for shape in a.shapes.split(","):
        m, n, k = (int(x) for x in shape.split("x"))
        path = os.path.join(a.out, "mm_%s.onnx" % shape)
        model(path, m, n, k, a.b_input)
        cmd = [a.xc, "build", path, "-o", os.path.join(a.out, "mm_%s.plan" % shape), "-vv", "--timing-iterations", str(a.iterations),
               "--builder-optimization-level", "5"] + (["--fp16"] if a.mode == "fp16" else [])
        for pattern in a.tactics.split(","):  # crosscheck takes one pattern a --tactics
            cmd += ["--tactics", pattern]
        if a.device:
            cmd += ["--ocl-device", a.device]
        r = subprocess.run(cmd, capture_output=True, text=True)
        with open(os.path.join(a.out, "build_%s.log" % shape), "w") as f:
            f.write(" ".join(cmd) + "\n" + r.stdout + r.stderr)
        times = [(t, float(ms)) for _, t, ms in LINE.findall(r.stderr + r.stdout)]
        if r.returncode or not times:
            print("| %s | build failed (exit %d): %s | | | |" % (shape, r.returncode, (r.stderr.strip().splitlines() or [""])[-1]))
            failed += 1
            continue
        peer = torch_ms(m, n, k, a.mode)
        flop = 2.0 * m * n * k
        rows = sorted(times, key=lambda x: x[1])
        if peer:
            rows.append(("torch.matmul (cuBLAS)", peer))
        for t, ms in rows:
            ratio = "%.2fx" % (ms / peer) if peer else ""
            print("| %s | %s | %.4f | %.1f | %s |" % (shape, t, ms, flop / ms * 1e-9, ratio))
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
