"""engine_layers: the OpenCL engine builds for the inputs it is fed, and the layers added for
issue 14 run on it (not on the CPU fallback).

Loaded shapes: `run --ocl --load-inputs DIR` without --input-shapes builds for the loaded
tensors' shapes (a GPT decode step with a 7-long KV cache on a model whose cache length is
symbolic used to fail "built for float32[2,1,4,1,16], got float32[2,1,4,7,16]"); iterations
of one shape run; iterations of two shapes are refused in one line naming the input and both
shapes; --input-shapes still wins over the loaded shape.

The layers' numerics (fp32, fp16, unfused) are the ocl_cases section's (tests/ocl_cases/
engine_layers.py); here a ConvTranspose + ArgMax decoder head runs on the new layer kinds (not
refused, not on the CPU), and a run-time index out of range fails naming its layer."""
import json
import os
import subprocess

import numpy as np
from onnx import TensorProto, helper, numpy_helper


def _run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)


def _decode_step():
    """Attention of one new token over a cache of symbolic length T: q [2,1,4,1,16],
    kv [2,1,4,T,16] -> softmax(q kv^T) kv."""
    nodes = [helper.make_node("Transpose", ["kv"], ["kt"], perm=[0, 1, 2, 4, 3]),
             helper.make_node("MatMul", ["q", "kt"], ["scores"]),
             helper.make_node("Softmax", ["scores"], ["p"], axis=-1),
             helper.make_node("MatMul", ["p", "kv"], ["y"])]
    g = helper.make_graph(nodes, "decode",
                          [helper.make_tensor_value_info("q", TensorProto.FLOAT, [2, 1, 4, 1, 16]),
                           helper.make_tensor_value_info("kv", TensorProto.FLOAT, [2, 1, 4, "T", 16])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 1, 4, 1, 16])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    return m


def _save_set(folder, arrays):
    os.makedirs(folder, exist_ok=True)
    for k, (name, a) in enumerate(arrays):
        with open(os.path.join(folder, "input_%d.pb" % k), "wb") as f:
            f.write(numpy_helper.from_array(a, name).SerializeToString())


def _feeds(path, lengths, rng):
    """A Polygraphy feed-dict JSON with one iteration per cache length."""
    from polygraphy.json import save_json
    save_json([{"q": rng.standard_normal((2, 1, 4, 1, 16)).astype(np.float32),
                "kv": rng.standard_normal((2, 1, 4, t, 16)).astype(np.float32)} for t in lengths], path)


def loaded_shapes(s, xc, tmp):
    import onnx
    model = os.path.join(tmp, "el_decode.onnx")
    onnx.save(_decode_step(), model)
    rng = np.random.default_rng(14)
    ds = os.path.join(tmp, "el_decode_set")
    _save_set(ds, [("q", rng.standard_normal((2, 1, 4, 1, 16)).astype(np.float32)),
                   ("kv", rng.standard_normal((2, 1, 4, 7, 16)).astype(np.float32))])
    r = _run([xc, "run", model, "--ref", "--ocl", "--load-inputs", ds])
    s.check("engine_layers: run --ocl --load-inputs builds for the loaded 7-long cache (no --input-shapes)",
            r.returncode == 0 and "PASSED" in r.stdout, r.stdout[-1500:] + r.stderr[-1500:])
    r = _run([xc, "run", model, "--ref", "--ocl", "--load-inputs", ds, "--input-shapes", "kv:[2,1,4,3,16]"])
    s.check("engine_layers: --input-shapes still wins over a loaded shape (the 7-long input is refused by a 3-long engine)",
            r.returncode != 0 and "float32[2,1,4,3,16]" in r.stderr and "float32[2,1,4,7,16]" in r.stderr, r.stderr[-1500:])
    same = os.path.join(tmp, "el_same.json")
    _feeds(same, [5, 5], rng)
    r = _run([xc, "run", model, "--ref", "--ocl", "--load-inputs", same])
    s.check("engine_layers: two loaded iterations of one shape run on one engine",
            r.returncode == 0 and r.stdout.count("PASSED") >= 2, r.stdout[-1500:] + r.stderr[-1500:])
    mixed = os.path.join(tmp, "el_mixed.json")
    _feeds(mixed, [5, 9], rng)
    r = _run([xc, "run", model, "--ref", "--ocl", "--load-inputs", mixed])
    lines = [x for x in r.stderr.splitlines() if "'kv'" in x]
    s.check("engine_layers: loaded iterations of two shapes are refused in one line naming the input and both shapes",
            r.returncode != 0 and len(lines) == 1 and "float32[2,1,4,5,16]" in lines[0] and "float32[2,1,4,9,16]" in lines[0],
            r.stderr[-1500:])
    r = _run([xc, "run", model, "--ref", "--load-inputs", mixed])
    s.check("engine_layers: without an engine, loaded iterations of two shapes run (the reference takes any shape)",
            r.returncode == 0, r.stdout[-800:] + r.stderr[-800:])
    r = _run([xc, "run", model, "--ref", "--ocl", "--load-inputs", mixed, "--iterations", "1"])
    s.check("engine_layers: --iterations 1 runs the first of those loaded iterations",
            r.returncode == 0, r.stdout[-800:] + r.stderr[-800:])


def _model(nodes, inputs, outputs, inits=()):
    g = helper.make_graph(nodes, "case", [helper.make_tensor_value_info(n, t, d) for n, t, d in inputs],
                          [helper.make_tensor_value_info(n, t, d) for n, t, d in outputs],
                          initializer=[numpy_helper.from_array(v, n) for n, v in inits])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    return m


def decoder_head(s, xc, tmp):
    """The issue's segmentation decoder: ConvTranspose then ArgMax over the classes, on the engine
    without --fallback-cpu, each on its own new layer kind."""
    import onnx
    r = np.random.default_rng(3)
    m = _model([helper.make_node("ConvTranspose", ["x", "w", "b"], ["up"], strides=[2, 2], pads=[0, 1, 1, 0], output_padding=[1, 1]),
                helper.make_node("ArgMax", ["up"], ["y"], axis=1, keepdims=0)],
               [("x", TensorProto.FLOAT, [1, 4, 5, 6])], [("y", TensorProto.INT64, [1, "h", "w"])],
               [("w", r.uniform(-1, 1, (4, 3, 3, 3)).astype(np.float32)), ("b", r.uniform(-1, 1, 3).astype(np.float32))])
    path = os.path.join(tmp, "el_decoder.onnx")
    onnx.save(m, path)
    r = _run([xc, "run", path, "--ref", "--ocl", "--atol", "0", "--rtol", "0"])
    s.check("engine_layers: a ConvTranspose + ArgMax decoder head runs on the engine and matches the reference exactly",
            r.returncode == 0, r.stdout[-1500:] + r.stderr[-1500:])
    r = _run([xc, "inspect", "engine", path, "--json"])
    kinds = {}
    try:
        kinds = {x["Name"]: (x["LayerType"], x["TacticName"]) for x in json.loads(r.stdout)["Layers"]}
    except (ValueError, KeyError) as e:
        kinds = {"error": str(e)}
    s.check("engine_layers: inspect engine shows the deconv.gather and arg_extreme.axis layers",
            kinds.get("up") == ("deconv", "deconv.gather") and kinds.get("y") == ("arg_extreme", "arg_extreme.axis"),
            "%s %s" % (kinds, r.stderr[-800:]))


def index_out_of_range(s, xc, tmp):
    """A run-time index outside its axis fails the run naming the layer (the kernel's status flag),
    never reads outside the buffer."""
    import onnx
    m = _model([helper.make_node("GatherElements", ["x", "ind"], ["y"], axis=1, name="pick")],
               [("x", TensorProto.FLOAT, [2, 3]), ("ind", TensorProto.INT64, [2, 2])], [("y", TensorProto.FLOAT, [2, 2])])
    path = os.path.join(tmp, "el_gather.onnx")
    onnx.save(m, path)
    ds = os.path.join(tmp, "el_gather_set")
    _save_set(ds, [("x", np.arange(6, dtype=np.float32).reshape(2, 3)), ("ind", np.array([[0, -3], [2, 9]], dtype=np.int64))])
    r = _run([xc, "run", path, "--ocl", "--load-inputs", ds])
    s.check("engine_layers: GatherElements with an index outside its axis fails the run naming the layer",
            r.returncode != 0 and "pick" in r.stderr, r.stdout[-800:] + r.stderr[-800:])


def engine_layers(s, xc, build, tmp):
    loaded_shapes(s, xc, tmp)
    decoder_head(s, xc, tmp)
    index_out_of_range(s, xc, tmp)
