"""bench_scripts: the parts of the GPU benchmark scripts that run without a GPU. bench/layer_peer.py
finds each conv's layer in `crosscheck bench --profile --json` by the names PyTorch's legacy
exporter gives Conv nodes (/layer1/layer1.0/conv1/Conv for module layer1.0.conv1) inside fused
layer names (joined by ' + '): a model with such names, fused with their Relu and a residual,
benched on this device, must map back to the module paths."""
import json
import os
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
