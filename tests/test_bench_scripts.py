"""bench_scripts: the parts of the GPU benchmark scripts that run without a GPU. bench/layer_peer.py
finds each conv's layer in `crosscheck bench --profile --json` by the names PyTorch's legacy
exporter gives Conv nodes (/layer1/layer1.0/conv1/Conv for module layer1.0.conv1) inside fused
layer names (joined by ' + '): a model with such names, fused with their Relu and a residual,
benched on this device, must map back to the module paths."""
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))

# ONNX node name -> the module path layer_peer must recover
NAMES = {"/conv1/Conv": "conv1",
         "/layer1/layer1.0/conv1/Conv": "layer1.0.conv1",
         "/layer1/layer1.0/downsample/downsample.0/Conv": "layer1.0.downsample.0",
         "/features/features.1/conv/conv.0/conv.0.0/Conv": "features.1.conv.0.0"}


def _model(path):
    rng = np.random.default_rng(0)
    names = list(NAMES)
    inits, nodes, last = [], [], "X"
    for i, name in enumerate(names):
        w = "W%d" % i
        inits.append(numpy_helper.from_array(rng.uniform(-1, 1, (4, 4, 3, 3)).astype(np.float32), w))
        nodes.append(helper.make_node("Conv", [last, w], ["C%d" % i], name=name, pads=[1, 1, 1, 1]))
        if i == 2:  # a residual Add before the Relu: three nodes in one fused layer
            nodes.append(helper.make_node("Add", ["C%d" % i, last], ["S%d" % i], name="/layer1/layer1.0/Add"))
            nodes.append(helper.make_node("Relu", ["S%d" % i], ["R%d" % i], name="/layer1/layer1.0/relu/Relu"))
        else:
            nodes.append(helper.make_node("Relu", ["C%d" % i], ["R%d" % i], name=name.replace("/Conv", "/Relu")))
        last = "R%d" % i
    g = helper.make_graph(nodes, "names", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [1, 4, 6, 6])],
                          [helper.make_tensor_value_info(last, TensorProto.FLOAT, None)], initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.save(m, path)


def bench_scripts(s, xc, build, tmp):
    d = os.path.join(tmp, "bench_scripts")
    os.makedirs(d, exist_ok=True)
    model, out = os.path.join(d, "names.onnx"), os.path.join(d, "bench.json")
    _model(model)
    r = subprocess.run([xc, "bench", model, "--profile", "--json", out, "--iterations", "2", "--duration-s", "0",
                        "--warmup-ms", "0"], capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, CROSSCHECK_BUILDER_OPTIMIZATION_LEVEL="0"))
    res = json.load(open(out)) if r.returncode == 0 and os.path.exists(out) else None
    s.check("bench_scripts: crosscheck bench --profile --json runs the named model", res is not None, r.stderr[-600:])
    if res is None:
        return
    import layer_peer
    found = layer_peer.xc_convs(res)
    s.check("bench_scripts: layer_peer maps every fused conv layer back to its module path",
            sorted(found) == sorted(NAMES.values()), json.dumps(sorted(found)) + " from " +
            json.dumps([l["name"] for l in res["profile"]["layers"]]))
    fused = [l["name"] for l in res["profile"]["layers"] if " + " in l["name"]]
    s.check("bench_scripts: the profile names fused layers by their nodes joined with ' + '",
            any("/layer1/layer1.0/downsample/downsample.0/Conv" in n and "Add" in n for n in fused), json.dumps(fused))


def _matmul(path, m, k, n):
    rng = np.random.default_rng(1)
    b = numpy_helper.from_array(rng.uniform(-1, 1, (k, n)).astype(np.float32), "B")
    g = helper.make_graph([helper.make_node("MatMul", ["A", "B"], ["Y"], name="/proj/MatMul")], "mm",
                          [helper.make_tensor_value_info("A", TensorProto.FLOAT, [m, k])],
                          [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)], initializer=[b])
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, path)


def kernel_dump(s, xc, build, tmp):
    """CROSSCHECK_DUMP_KERNELS writes each program as built and as fetched from the disk cache, and
    bench/kernel_occupancy.py turns a dump into ptxas's registers and work-groups an SM (where
    clang, LLVM's tools, libclc and ptxas are installed)."""
    d = os.path.join(tmp, "kernel_dump")
    os.makedirs(d, exist_ok=True)
    model, cache = os.path.join(d, "mm.onnx"), os.path.join(d, "cache")
    _matmul(model, 150, 64, 100)
    tactic = "gemm.tf32_wgmma.64x128x16.s5"
    dumps = []
    for run in ("built", "from the disk cache"):
        out = os.path.join(d, "dump_" + run.split()[0])
        os.makedirs(out, exist_ok=True)
        r = subprocess.run([xc, "build", model, "--builder-optimization-level", "3", "--tactics", tactic, "-o",
                            os.path.join(d, "mm.plan")], capture_output=True, text=True, timeout=300,
                           env=dict(os.environ, CROSSCHECK_MMA_EMULATE="1", CROSSCHECK_CACHE_DIR=cache,
                                    CROSSCHECK_DUMP_KERNELS=out))
        files = sorted(f for f in os.listdir(out) if f.startswith(tactic + ".") and f.endswith(".cl"))
        first = open(os.path.join(out, files[0])).readline() if len(files) == 1 else ""
        s.check("kernel_dump: a program %s is written under its tactic and key, its options first" % run,
                r.returncode == 0 and first.startswith("// crosscheck program %s; build options: " % tactic)
                and "-DBM=64" in first and "-DWARPS_M=4" in first, r.stderr[-400:] + str(os.listdir(out)))
        dumps.append((out, files))
    s.check("kernel_dump: the same program has the same file name either way",
            dumps[0][1] == dumps[1][1] and dumps[0][1], str(dumps))
    need = ["ptxas", "llc-14", "llvm-link-14", "opt-14"]
    if not all(shutil.which(t) for t in need) or not os.path.exists("/usr/lib/clc/nvptx64--nvidiacl.bc"):
        print("kernel_dump: kernel_occupancy.py not run (needs %s and libclc-14)" % ", ".join(need))
        return
    r = subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench",
                        "kernel_occupancy.py"), dumps[0][0], "--match", "wgmma", "--kernel", "^gemm_wgmma$"],
                       capture_output=True, text=True, timeout=300)
    rows = [l.split("|")[1:-1] for l in r.stdout.splitlines() if l.startswith("| " + tactic)]
    cells = [c.strip() for c in rows[0]] if len(rows) == 1 else []
    # one warpgroup of 128 work-items, 40 KiB of stages (5 x 128 rows x 64 bytes): at most five an SM
    s.check("kernel_occupancy: %s's gemm_wgmma compiles for sm_90a: registers, 40 KiB shared, 128 work-items, "
            "1-5 work-groups an SM" % tactic,
            r.returncode == 0 and len(cells) == 8 and 32 <= int(cells[2]) <= 255 and cells[3] == "40960"
            and cells[5] == "128" and 1 <= int(cells[6]) <= 5, r.stdout[-800:] + r.stderr[-400:])
