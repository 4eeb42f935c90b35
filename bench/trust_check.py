#!/usr/bin/env python3
"""Are crosscheck's default verdicts right on real exports? Exports PyTorch models (random
weights, fixed seeds: bench/torch_compare.py), then on the OpenCL engine against the reference,
with the default (auto) tolerances:
  - honest runs must PASS: fused, --no-fusion, --fp16 (fp16 tolerances), --per-layer;
  - planted faults must FAIL: a mid Conv's bias +1, every Gemm/MatMul output x2;
  - a planted scale=1.001 on one layer must be the first divergent layer in --per-layer.
Prints one line per check and a closing "N passed, N failed".

usage: bench/trust_check.py --xc build/crosscheck --out DIR [--models a,b] [--xc-args '--ocl-device NVIDIA']
"""
import argparse
import json
import os
import subprocess
import sys

import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_compare import export_case  # noqa: E402


def run(xc, args, timeout=1200):
    r = subprocess.run([xc, "run"] + args, capture_output=True, text=True, timeout=timeout)
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xc", default="build/crosscheck")
    ap.add_argument("--out", required=True)
    ap.add_argument("--models", default="resnet18,mobilenet_v3_small,squeezenet1_1,bert_small")
    ap.add_argument("--xc-args", default="")
    a = ap.parse_args()
    extra = a.xc_args.split()
    passed = failed = 0

    def check(label, ok, detail=""):
        nonlocal passed, failed
        print("%s %s" % ("ok  " if ok else "FAIL", label), flush=True)
        if not ok and detail:
            print("      " + detail.strip().replace("\n", "\n      ")[-2500:], flush=True)
        passed += ok
        failed += not ok

    for name in a.models.split(","):
        folder = os.path.join(a.out, name)
        os.makedirs(folder, exist_ok=True)
        path, ds = export_case(name, folder)
        nodes = onnx.load(path, load_external_data=False).graph.node
        base = [path, "--ref", "--ocl", "--load-inputs", ds] + extra
        for label, opts in (("fused", []), ("unfused", ["--no-fusion"]), ("fp16", ["--fp16"]), ("per-layer", ["--per-layer"])):
            r = run(a.xc, base + opts)
            tail = [L for L in r.stdout.splitlines() if "PASSED" in L or "FAILED" in L or "atol=" in L]
            check("%s %s: honest engine passes at default tolerances" % (name, label), r.returncode == 0,
                  "\n".join(tail[-6:]) + r.stderr[-800:])
        convs = [n.name for n in nodes if n.op_type == "Conv"]
        mms = {n.op_type for n in nodes if n.op_type in ("Gemm", "MatMul")}
        faults = []
        if convs:
            faults.append("node=%s:bias=1" % convs[len(convs) // 2])
        for op in sorted(mms):
            faults.append("op=%s:scale=2" % op)
        for spec in faults:
            r = run(a.xc, base + ["--inject-fault", spec])
            tail = [L for L in r.stdout.splitlines() if "PASSED" in L or "FAILED" in L]
            check("%s: planted %s fails at default tolerances" % (name, spec), r.returncode == 1, "\n".join(tail[-6:]) + r.stderr[-500:])
        target = convs[len(convs) // 2] if convs else [n.name for n in nodes if n.op_type in ("Gemm", "MatMul")][0]
        js = os.path.join(folder, "per_layer.json")
        r = run(a.xc, base + ["--per-layer", "--inject-fault", "node=%s:scale=1.001" % target, "--json", js])
        first = None
        try:
            first = json.load(open(js))["per_layer"]["first_divergence"]
        except Exception:
            pass
        check("%s: planted scale=1.001 on %s is the first divergent layer" % (name, target),
              first is not None and target in json.dumps(first), json.dumps(first)[:600] + r.stderr[-500:])
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
