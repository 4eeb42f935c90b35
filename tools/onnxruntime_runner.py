#!/usr/bin/env python3
"""ONNX Runtime as a crosscheck external runner.

    python tools/onnxruntime_runner.py MODEL INPUTS_DIR OUTPUTS_DIR [--no-optimizations]

Reads INPUTS_DIR/input_K.pb (an ONNX test_data_set, as `crosscheck run --exec-runner` writes it),
runs MODEL on ONNX Runtime's CPU provider and writes OUTPUTS_DIR/output_K.pb, each named after
the graph output it holds, in the graph's output order. Inputs are matched to the session's
inputs by tensor name, else by position. Any failure is one line on stderr and exit status 2.

With CROSSCHECK_MARK_ALL=1 in the environment (crosscheck sets it when it compares layer by
layer: `run --per-layer`), every node output of the main graph is marked as an output too (as
Polygraphy's `--onnx-outputs mark all` does) and written as well, output_K.pb named after it;
intermediate values that are not tensors (sequences, maps) are left out. The marked outputs
carry no type (ONNX Runtime infers them); the model is edited as bytes, or through onnx when
its weights live in external files.

    crosscheck run M --ref --exec-runner ort='python3 tools/onnxruntime_runner.py {model} {inputs} {outputs}'
"""
import os
import sys


# TensorProto's numeric data types held as raw_data (onnx.proto's DataType numbers). The proto is
# read and written here by hand: importing onnx takes a second, ten times ONNX Runtime's import,
# and a run per iteration pays it each time. Anything else (strings, external data, typed
# fields) goes through onnx itself.
DTYPES = {1: "<f4", 2: "u1", 3: "i1", 4: "<u2", 5: "<i2", 6: "<i4", 7: "<i8", 9: "?", 10: "<f2",
          11: "<f8", 12: "<u4", 13: "<u8"}


def _varint(buf, i):
    v = shift = 0
    while True:
        b = buf[i]
        i += 1
        v |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return v, i


def _parse_raw(buf):
    """(name, array) of a TensorProto holding raw_data, or None when it holds anything else."""
    import numpy as np
    dims, dtype, name, raw, i = [], None, "", None, 0
    while i < len(buf):
        key, i = _varint(buf, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            v, i = _varint(buf, i)
            if field == 1:
                dims.append(v)
            elif field == 2:
                dtype = v
            elif field == 14 and v:  # data_location EXTERNAL
                return None
        elif wire == 2:
            n, i = _varint(buf, i)
            chunk, i = buf[i:i + n], i + n
            if field == 1:
                j = 0
                while j < len(chunk):
                    v, j = _varint(chunk, j)
                    dims.append(v)
            elif field == 8:
                name = chunk.decode("utf-8")
            elif field == 9:
                raw = chunk
            elif field != 12 and n:  # doc_string is harmless; typed data, segments, external data are not
                return None
        else:
            return None
    if dtype not in DTYPES or raw is None:
        return None
    return name, np.frombuffer(raw, dtype=np.dtype(DTYPES[dtype])).reshape(dims)


def _pb_varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _pb_bytes(field, data):
    return _pb_varint(field << 3 | 2) + _pb_varint(len(data)) + data


def tensor_bytes(array, name):
    """A serialized TensorProto of array named name."""
    import numpy as np
    codes = {np.dtype(v).newbyteorder("<") if np.dtype(v).itemsize > 1 else np.dtype(v): k for k, v in DTYPES.items()}
    dt = array.dtype.newbyteorder("<") if array.dtype.itemsize > 1 else array.dtype
    if dt not in codes:
        from onnx import numpy_helper
        return numpy_helper.from_array(array, name).SerializeToString()
    dims = b"".join(_pb_varint(int(d)) for d in array.shape)
    return ((_pb_bytes(1, dims) if dims else b"") + _pb_varint(2 << 3) + _pb_varint(codes[dt]) +
            _pb_bytes(8, name.encode("utf-8")) + _pb_bytes(9, np.ascontiguousarray(array, dtype=dt).tobytes()))


def load_tensor(path):
    with open(path, "rb") as f:
        buf = f.read()
    got = _parse_raw(buf)
    if got is None:
        from onnx import TensorProto, numpy_helper
        t = TensorProto()
        t.ParseFromString(buf)
        got = t.name, numpy_helper.to_array(t, base_dir=os.path.dirname(path))
    return got


def load_inputs(folder):
    tensors = []
    k = 0
    while os.path.exists(os.path.join(folder, "input_%d.pb" % k)):
        tensors.append(load_tensor(os.path.join(folder, "input_%d.pb" % k)))
        k += 1
    return tensors


def feeds(session, tensors):
    wanted = session.get_inputs()
    by_name = {name: a for name, a in tensors if name}
    if len(tensors) != len(wanted) and not all(i.name in by_name for i in wanted):
        raise ValueError("%d input tensors given but the session takes %d (%s)" %
                         (len(tensors), len(wanted), ", ".join(i.name for i in wanted)))
    out = {}
    for k, i in enumerate(wanted):
        out[i.name] = by_name[i.name] if i.name in by_name else tensors[k][1]
    return out


def _fields(buf):
    """(field, wire, start, end, payload) of each field of a serialized message; payload is the
    varint's value, or the (start, end) of a length-delimited field's bytes."""
    i = 0
    while i < len(buf):
        key, j = _varint(buf, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            v, k = _varint(buf, j)
            yield field, wire, i, k, v
        elif wire == 2:
            n, k = _varint(buf, j)
            yield field, wire, i, k + n, (k, k + n)
        elif wire in (1, 5):
            k = j + (8 if wire == 1 else 4)
            yield field, wire, i, k, None
        else:
            raise ValueError("unsupported protobuf wire type %d" % wire)
        i = (k + n) if wire == 2 else k


def _strings(buf, field):
    return [buf[a:b].decode("utf-8") for f, w, _, _, (a, b) in
            ((f, w, s, e, p) for f, w, s, e, p in _fields(buf) if w == 2) if f == field]


def _mark_all_raw(buf):
    """mark_all on the serialized model, by hand (no onnx import, a second of the run): graph
    outputs without a type, which ONNX Runtime accepts. None for a model whose initializers
    live in external files (bytes handed to ONNX Runtime have no folder to find them in)."""
    graphs = [(s, e, p) for f, w, s, e, p in _fields(buf) if f == 7 and w == 2]
    if len(graphs) != 1:
        return None
    start, end, (a, b) = graphs[0]
    graph = buf[a:b]
    own, seen, marked = [], set(), []
    nodes = []
    for f, w, _, _, p in _fields(graph):
        if w != 2:
            continue
        part = graph[p[0]:p[1]]
        if f == 1:
            nodes.append(part)
        elif f in (11, 12):  # inputs, outputs: ValueInfoProto.name
            names = _strings(part, 1)
            seen.update(names)
            if f == 12:
                own += names
        elif f == 5:  # TensorProto: name 8, external_data 13, data_location 14
            fields = list(_fields(part))
            if any(x[0] == 13 for x in fields) or any(x[0] == 14 and x[4] for x in fields):
                return None
            seen.update(_strings(part, 8))
    for node in nodes:
        for name in _strings(node, 2):
            if name and name not in seen:
                seen.add(name)
                marked.append(name)
    extra = b"".join(_pb_bytes(12, _pb_bytes(1, n.encode("utf-8"))) for n in marked)
    return buf[:start] + _pb_bytes(7, graph + extra) + buf[end:], set(own)


def mark_all(path):
    """The model at path with every node output of its main graph marked as a graph output
    (serialized), and the names of its own outputs."""
    with open(path, "rb") as f:
        got = _mark_all_raw(f.read())
    if got is not None:
        return got
    import onnx
    m = onnx.load(path)
    own = [o.name for o in m.graph.output]
    try:
        typed = {v.name: v for v in onnx.shape_inference.infer_shapes(m).graph.value_info}
    except Exception:  # a model shape inference refuses still runs: its outputs go untyped
        typed = {}
    seen = set(own) | {i.name for i in m.graph.input} | {t.name for t in m.graph.initializer}
    for node in m.graph.node:
        for name in node.output:
            if name and name not in seen:
                seen.add(name)
                v = onnx.ValueInfoProto()
                if name in typed:
                    v.CopyFrom(typed[name])
                else:
                    v.name = name
                m.graph.output.append(v)
    return m.SerializeToString(), set(own)


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    if len(args) != 3 or any(a not in ("--no-optimizations",) for a in argv if a.startswith("--")):
        sys.stderr.write("usage: onnxruntime_runner.py MODEL INPUTS_DIR OUTPUTS_DIR [--no-optimizations]\n")
        return 2
    model, inputs, outputs = args
    import numpy as np
    import onnxruntime as ort
    opts = ort.SessionOptions()
    opts.log_severity_level = 3  # errors only: warnings would be taken for the command's last word
    if "--no-optimizations" in argv:
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    marked = os.environ.get("CROSSCHECK_MARK_ALL") == "1"
    graph_outputs = None
    if marked:
        model, graph_outputs = mark_all(model)
    session = ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])
    results = session.run(None, feeds(session, load_inputs(inputs)))
    os.makedirs(outputs, exist_ok=True)
    for k, (info, value) in enumerate(zip(session.get_outputs(), results)):
        if not isinstance(value, np.ndarray) and marked and info.name not in graph_outputs:
            continue  # an intermediate sequence or map: not a tensor to compare
        if not isinstance(value, np.ndarray):
            raise ValueError("output '%s' is a %s, not a tensor" % (info.name, type(value).__name__))
        with open(os.path.join(outputs, "output_%d.pb" % k), "wb") as f:
            f.write(tensor_bytes(value, info.name))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except Exception as e:  # one line: crosscheck quotes the last line of stderr
        sys.stderr.write("onnxruntime_runner: %s: %s\n" % (type(e).__name__, " ".join(str(e).split())))
        sys.exit(2)
