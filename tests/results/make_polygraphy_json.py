#!/usr/bin/env python3
"""Writes Polygraphy-format JSON data files for crosscheck's tests, without Polygraphy.

The format follows Polygraphy's own serializers (NVIDIA/TensorRT, tools/Polygraphy):
  - polygraphy/json/serde.py: every registered type is encoded as its dict plus a
    "polygraphy_class" key naming the type (older versions: a "__polygraphy_encoded_<type>" key
    whose value is "polygraphy_serialized_json_type"); a numpy array is
    {"array": base64(np.save(array, allow_pickle=False))}; json.dumps(indent=4).
  - polygraphy/comparator/struct.py: RunResults -> {"lst": [[runner_name, [IterationResult...]]]},
    IterationResult -> {"outputs": {name: LazyArray}, "runtime": s, "runner_name": name},
    LazyArray -> {"values": ndarray}.
  - `--save-inputs` writes a plain list of feed dicts: [{name: ndarray}, ...].

Usage: make_polygraphy_json.py OUT_DIR [MODEL_DIR]
  OUT_DIR/outputs.json      two runners x two iterations: float32 (with NaN and Inf),
                            float16, int64, bool, a float64 scalar and an int8 array in .npy v2.0
  OUT_DIR/outputs_legacy.json  the same runners in the older encoding (legacy markers, plain dicts)
  OUT_DIR/expected.json     {runner: [{name: {dtype, shape, min, max, mean, std, nan, inf, histogram}}]}
  OUT_DIR/bad/*.json + bad/manifest.json  hostile files and the text their error must contain
  with MODEL_DIR (holding test_data_set_0): OUT_DIR/model_inputs.json (feed dicts),
  OUT_DIR/model_outputs.json (RunResults that match) and model_outputs_bad.json (perturbed).
"""
import base64
import io
import json
import os
import sys

import numpy as np

LEGACY = "polygraphy_serialized_json_type"


def npy_bytes(arr, version=None):
    f = io.BytesIO()
    if version is None:
        np.save(f, arr, allow_pickle=False)
    else:
        np.lib.format.write_array(f, arr, version=version, allow_pickle=False)
    return f.getvalue()


def ndarray(arr, legacy=False, version=None):
    d = {"array": base64.b64encode(npy_bytes(arr, version)).decode()}
    if legacy:
        d["__polygraphy_encoded_ndarray"] = LEGACY
    else:
        d["polygraphy_class"] = "ndarray"
    return d


def iteration_result(outputs, runner, legacy=False):
    if legacy:  # older files: the iteration is the name -> array dict itself
        return {name: ndarray(a, legacy=True) for name, (a, _) in outputs.items()}
    lazy = {name: {"values": ndarray(a, version=v), "polygraphy_class": "LazyArray"} for name, (a, v) in outputs.items()}
    return {"outputs": lazy, "runtime": 0.0125, "runner_name": runner, "polygraphy_class": "IterationResult"}


def run_results(runners, legacy=False):
    lst = [[name, [iteration_result(it, name, legacy) for it in its]] for name, its in runners]
    d = {"lst": lst}
    d["__polygraphy_encoded_RunResults" if legacy else "polygraphy_class"] = LEGACY if legacy else "RunResults"
    return d


def save(path, obj):
    with open(path, "w") as f:
        f.write(json.dumps(obj, indent=4))


def summary(a):
    f = a.astype(np.float64).ravel()
    fin = f[np.isfinite(f)]
    hist = np.histogram(fin, bins=10, range=(fin.min(), fin.max()))[0] if fin.size and fin.max() > fin.min() else \
        np.array([fin.size] + [0] * 9)
    return {"dtype": {"float32": "float32", "float16": "float16", "int64": "int64", "bool": "bool", "float64": "float64",
                      "int8": "int8"}[str(a.dtype)],
            "shape": list(a.shape), "min": float(fin.min()), "max": float(fin.max()), "mean": float(fin.mean()),
            "std": float(fin.std()), "nan": int(np.isnan(f).sum()), "inf": int(np.isinf(f).sum()),
            "histogram": [int(x) for x in hist]}


def sample(rng, it):
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    x[0, 0, 0], x[1, 2, 3] = np.nan, np.inf
    return {
        "scores": (x, None),
        "half": (rng.uniform(-2, 2, (5, 7)).astype(np.float16), None),
        "ids": (rng.integers(-1000, 1000, (9,)).astype(np.int64), None),
        "mask": (rng.uniform(size=(3, 3)) > 0.5, None),
        "scalar": (np.array(3.25 + it, dtype=np.float64), None),
        "small/int8": (rng.integers(-128, 127, (4, 4)).astype(np.int8), (2, 0)),
    }


def hostile(out):
    """Each file must make crosscheck exit 2 with one line containing the manifest's text."""
    os.makedirs(out, exist_ok=True)
    good = npy_bytes(np.arange(6, dtype=np.float32).reshape(2, 3))

    def rr(arr_dict, name="r"):
        return {"lst": [[name, [{"outputs": arr_dict, "polygraphy_class": "IterationResult"}]]], "polygraphy_class": "RunResults"}

    def enc(b):
        return {"array": base64.b64encode(b).decode(), "polygraphy_class": "ndarray"}

    hdr = lambda h: b"\x93NUMPY\x01\x00" + len(h).to_bytes(2, "little") + h
    cases = {
        "not_json": ("{\"lst\": [", "not valid JSON"),
        "wrong_top": ({"hello": 1}, "not a Polygraphy RunResults"),
        "lst_not_list": ({"lst": 5}, "'lst' is not a list"),
        "entry_shape": ({"lst": [["r"]]}, "not [runner name, [iterations]]"),
        "bad_base64": (rr({"t0": {"array": "abc$", "polygraphy_class": "ndarray"}}), "tensor 't0'"),
        "base64_len": (rr({"t1": {"array": "abcde", "polygraphy_class": "ndarray"}}), "not valid base64"),
        "no_array": (rr({"t2": {"values": 3}}), "no \"array\" string"),
        "array_not_string": (rr({"t3": {"array": 12}}), "no \"array\" string"),
        "truncated_npy": (rr({"t4": enc(good[:-4])}), "data holds 20 bytes but shape and dtype need 24"),
        "npy_lying_header": (rr({"t5": enc(good[:8] + b"\xff\xff" + good[10:])}), "truncated header"),
        "npy_bad_magic": (rr({"t6": enc(b"NOTNUMPY" + good[8:])}), "bad magic"),
        "npy_unknown_dtype": (rr({"t7": enc(hdr(b"{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }\n") + b"\0" * 8)}),
                              "dtype '<c8' is not supported"),
        "npy_big_endian": (rr({"t8": enc(hdr(b"{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }\n") + b"\0" * 4)}),
                           "big-endian"),
        "npy_fortran": (rr({"t9": enc(hdr(b"{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }\n") + b"\0" * 16)}),
                        "Fortran"),
        "npy_shape_overflow": (rr({"ta": enc(hdr(b"{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }\n"))}),
                               "tensor 'ta'"),
        "npy_huge": (rr({"tb": enc(hdr(b"{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000,), }\n"))}),
                     "exceeds the limit"),
        "npy_bad_header": (rr({"tc": enc(hdr(b"descr=<f4\n"))}), "not a dict literal"),
        "npz": (rr({"td": enc(b"PK\x03\x04" + b"\0" * 40)}), ".npz"),
        "iteration_not_object": ({"lst": [["r", [7]]]}, "iteration 0: not a JSON object"),
        "duplicate_runner": ({"lst": [["r", []], ["r", []]], "polygraphy_class": "RunResults"}, "appears twice in RunResults"),
        "duplicate_tensor": ("{\"lst\": [[\"r\", [{\"x\": %s, \"x\": %s}]]]}" % (json.dumps(enc(good)), json.dumps(enc(good))),
                             "appears twice"),
        "feed_not_object": ([{"x": enc(good)}, "nope"], "iteration 1: not a JSON object"),
    }
    manifest = {}
    for name, (obj, expect) in cases.items():
        with open(os.path.join(out, name + ".json"), "w") as f:
            f.write(obj if isinstance(obj, str) else json.dumps(obj))
        manifest[name] = expect
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


def model_files(out, model_dir):
    from onnx import numpy_helper
    import onnx
    ds = os.path.join(model_dir, "test_data_set_0")
    ins, outs = {}, {}
    for k in range(100):
        for prefix, d in (("input", ins), ("output", outs)):
            p = os.path.join(ds, "%s_%d.pb" % (prefix, k))
            if os.path.exists(p):
                t = onnx.load_tensor(p)
                d[t.name] = numpy_helper.to_array(t)
    save(os.path.join(out, "model_inputs.json"), [{n: ndarray(a) for n, a in ins.items()}])
    good = {n: (a, None) for n, a in outs.items()}
    save(os.path.join(out, "model_outputs.json"), run_results([("onnxrt-runner-N0-05/01/25-10:00:00", [good])]))
    bad = {n: (a.copy(), None) for n, a in outs.items()}
    first = next(iter(bad.values()))[0]
    first.flat[first.size // 2] += 0.25
    save(os.path.join(out, "model_outputs_bad.json"), run_results([("onnxrt-runner-N0-05/01/25-10:00:00", [bad])]))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(7)
    runners = [("onnxrt-runner-N0-05/01/25-10:00:00", [sample(rng, 0), sample(rng, 1)]),
               ("trt-runner-N0-05/01/25-10:00:00", [sample(rng, 0), sample(rng, 1)])]
    save(os.path.join(out, "outputs.json"), run_results(runners))
    legacy = [(n, [{k: v for k, v in it.items() if v[1] is None} for it in its]) for n, its in runners]
    save(os.path.join(out, "outputs_legacy.json"), run_results(legacy, legacy=True))
    expected = {n: [{k: summary(a) for k, (a, _) in it.items()} for it in its] for n, its in runners}
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
    hostile(os.path.join(out, "bad"))
    if len(sys.argv) > 2:
        model_files(out, sys.argv[2])


if __name__ == "__main__":
    main()
