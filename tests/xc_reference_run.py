"""xc_reference_run: run a model on crosscheck's reference with given inputs and read back its
outputs — the one helper the op-family sections (misc_ops, lowbit_dtypes, newops) share."""
import json
import os
import subprocess

import onnx
from onnx import numpy_helper


def run_reference(xc, d, model, feeds, extra=()):
    """Saves model into folder d, feeds [(name, array)] (unnamed entries skipped: omitted
    optional inputs) as a test_data_set, runs `crosscheck run --ref --save-outputs`; returns
    (process, {output name: array}) — the dict is empty when the run failed."""
    os.makedirs(d, exist_ok=True)
    path, ind, outd = os.path.join(d, "model.onnx"), os.path.join(d, "in"), os.path.join(d, "out")
    onnx.save(model, path)
    os.makedirs(ind, exist_ok=True)
    feeds = [(n, a) for n, a in feeds if n]
    for k, (n, a) in enumerate(feeds):
        onnx.save_tensor(numpy_helper.from_array(a, n), os.path.join(ind, "input_%d.pb" % k))
    cmd = [xc, "run", path, "--ref", "--save-outputs", outd] + (["--load-inputs", ind] if feeds else []) + list(extra)
    r = subprocess.run(cmd, capture_output=True, text=True)
    got = {}
    if r.returncode == 0:
        with open(os.path.join(outd, "index.json")) as f:
            for e in json.load(f)["tensors"]:
                if e["role"] == "output":
                    got[e["tensor"]] = numpy_helper.to_array(onnx.load_tensor(os.path.join(outd, e["file"])))
    return r, got
