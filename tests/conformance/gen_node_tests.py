#!/usr/bin/env python3
"""Generates the ONNX node conformance suite (model.onnx + test_data_set_N/*.pb per case).

Recent onnx wheels no longer ship the node test files, so they are made here from
onnx.backend.test.case.node.collect_testcases(), with a pinned onnx installed into a venv under
build/ (so every machine generates the same suite). The real-model cases the wheel still ships
(light, pytorch-converted, pytorch-operator, simple) are copied beside them.

usage: gen_node_tests.py --out build/onnx-tests
"""
import argparse
import os
import shutil
import subprocess
import sys

ONNX_PIN = "onnx==1.23.2"
MIN_CASES = 1500


def ensure_venv(venv):
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(py):
        subprocess.check_call([sys.executable, "-m", "venv", venv])
    try:
        subprocess.check_call([py, "-c", "import onnx, sys; sys.exit(onnx.__version__ != '%s')" % ONNX_PIN.split("==")[1]],
                              stderr=subprocess.DEVNULL)
    except subprocess.CalledProcessError:
        subprocess.check_call([py, "-m", "pip", "install", "-q", ONNX_PIN, "numpy"])
    return py


def write_case(case, out_dir):
    from onnx import TensorProto, numpy_helper
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "model.onnx"), "wb") as f:
        f.write(case.model.SerializeToString())
    graph = case.model.graph
    for i, (inputs, outputs) in enumerate(case.data_sets):
        ds = os.path.join(out_dir, "test_data_set_%d" % i)
        os.makedirs(ds, exist_ok=True)
        for kind, values, infos in (("input", inputs, graph.input), ("output", outputs, graph.output)):
            for j, value in enumerate(values):
                info = infos[j] if j < len(infos) else None
                path = os.path.join(ds, "%s_%d.pb" % (kind, j))
                if info is not None and not info.type.HasField("tensor_type"):
                    # sequence/map/optional values: written for completeness, the runner skips them
                    if info.type.HasField("sequence_type"):
                        proto = numpy_helper.from_list(value, info.name)
                    elif info.type.HasField("optional_type"):
                        proto = numpy_helper.from_optional(value, info.name)
                    else:
                        proto = numpy_helper.from_dict(value, info.name)
                elif isinstance(value, TensorProto):
                    proto = value
                else:
                    proto = numpy_helper.from_array(value, info.name if info is not None else "")
                with open(path, "wb") as f:
                    f.write(proto.SerializeToString())


def write_light_cases(src, dst):
    """light_X.onnx ships with its expected output only; its input is the deterministic ramp
    onnx's backend runner feeds it: arange(n) / n as float32, unknown dims as 1."""
    import numpy as np
    import onnx
    from onnx import numpy_helper
    count = 0
    for fname in sorted(os.listdir(src)) if os.path.isdir(src) else []:
        if not fname.endswith(".onnx"):
            continue
        stem = fname[:-5]
        model = onnx.load(os.path.join(src, fname))
        case = os.path.join(dst, stem)
        ds = os.path.join(case, "test_data_set_0")
        os.makedirs(ds, exist_ok=True)
        shutil.copy(os.path.join(src, fname), os.path.join(case, "model.onnx"))
        inits = {i.name for i in model.graph.initializer}
        k = 0
        for inp in model.graph.input:
            if inp.name in inits:
                continue
            shape = tuple(d.dim_value if d.HasField("dim_value") else 1 for d in inp.type.tensor_type.shape.dim)
            n = int(np.prod(shape))
            value = (np.arange(n).reshape(shape) / n).astype(np.float32)
            with open(os.path.join(ds, "input_%d.pb" % k), "wb") as f:
                f.write(numpy_helper.from_array(value, inp.name).SerializeToString())
            k += 1
        for j in range(len(model.graph.output)):
            shutil.copy(os.path.join(src, "%s_output_%d.pb" % (stem, j)), os.path.join(ds, "output_%d.pb" % j))
        count += 1
    return count


def generate(out):
    import onnx
    from onnx.backend.test.case import node
    cases = node.collect_testcases()
    node_dir = os.path.join(out, "node")
    written = 0
    for case in cases:
        try:
            write_case(case, os.path.join(node_dir, case.name))
            written += 1
        except Exception as e:  # a case numpy cannot serialise is reported, not hidden
            print("gen_node_tests: skipped %s: %s" % (case.name, e), file=sys.stderr)
    if written < MIN_CASES:
        sys.exit("gen_node_tests: only %d node cases generated (expected >= %d)" % (written, MIN_CASES))
    data = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data")
    copied = write_light_cases(os.path.join(data, "light"), os.path.join(out, "light"))
    for kind in ("pytorch-converted", "pytorch-operator", "simple"):
        src = os.path.join(data, kind)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(out, kind), dirs_exist_ok=True)
            copied += len(os.listdir(src))
    print("gen_node_tests: %d node cases, %d shipped real-model entries, onnx %s -> %s" % (written, copied, onnx.__version__, out))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--venv", default=None, help="venv for the pinned onnx (default: <out>/../venv)")
    ap.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.inner:
        import warnings
        warnings.simplefilter("ignore")
        generate(args.out)
        return
    venv = args.venv or os.path.join(os.path.dirname(os.path.abspath(args.out)), "venv")
    py = ensure_venv(venv)
    if os.path.isdir(args.out):
        shutil.rmtree(args.out)
    subprocess.check_call([py, os.path.abspath(__file__), "--out", args.out, "--inner"])


if __name__ == "__main__":
    main()
