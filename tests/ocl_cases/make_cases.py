#!/usr/bin/env python3
"""Generates the OpenCL backend's test models: every other module in this folder defines
`cases()` yielding (name, onnx.ModelProto, tolerance dict) for one family of layers (random
shapes, awkward ones included: odd sizes, 1x1, large pads, groups, dilation, broadcasting).
Each case is written as OUT/<name>/model.onnx plus OUT/<name>/tol.json; the test driver runs
`crosscheck run MODEL --ref --ocl` on it (and with --fp16 and --no-fusion).

usage: make_cases.py OUT_DIR
"""
import importlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    out = sys.argv[1]
    sys.path.insert(0, HERE)
    count = 0
    for fname in sorted(os.listdir(HERE)):
        if not fname.endswith(".py") or fname in ("make_cases.py", "common.py"):
            continue
        module = importlib.import_module(fname[:-3])
        for name, model, tol in module.cases():
            folder = os.path.join(out, name)
            os.makedirs(folder, exist_ok=True)
            import onnx
            onnx.checker.check_model(model)
            onnx.save(model, os.path.join(folder, "model.onnx"))
            with open(os.path.join(folder, "tol.json"), "w") as f:
                json.dump(tol, f)
            count += 1
    print("make_cases: %d OpenCL test models in %s" % (count, out))


if __name__ == "__main__":
    main()
