"""Hostile inputs that used to crash, hang or trip the sanitizers (issue 17). Every case ends
with exit 2 and a one-line error naming the node or tensor, or succeeds correctly; never a
signal, a sanitizer report or a timeout. Models are written here with onnx.helper (raw protobuf
where python's protobuf refuses to build them)."""
import os
import shutil
import subprocess
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from protobuf_wire import field as _field, varint as _varint  # noqa: E402

BIG = 2**62 - 1
I64_MAX, I64_MIN = 2**63 - 1, -2**63
F, I64 = TensorProto.FLOAT, TensorProto.INT64


def _run(cmd, timeout=60, env=None):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return None


def _crashed(r):
    return r is None or r.returncode < 0 or r.returncode > 2 or "Sanitizer" in r.stderr or "runtime error" in r.stderr


def _detail(r):
    return "timed out" if r is None else "exit %d, stderr: %s" % (r.returncode, r.stderr[-1500:])


def _check(s, label, r, want, needle=None):
    """want 0: succeeds; want 2: one line naming needle."""
    if want == 0:
        ok = not _crashed(r) and r.returncode == 0
    else:
        lines = r.stderr.strip().splitlines() if r else []
        ok = not _crashed(r) and r.returncode == 2 and len(lines) == 1 and (needle is None or needle in lines[0])
    return s.check("%s -> %s" % (label, "exit 0" if want == 0 else "exit 2 naming %s" % needle), ok, _detail(r))


def _vi(name, dtype, shape):
    return helper.make_tensor_value_info(name, dtype, shape)


def _model(nodes, inputs=(), outputs=(), inits=(), opset=17):
    g = helper.make_graph(nodes, "hostile", list(inputs), list(outputs), initializer=list(inits))
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])


def _save(m, tmp, name):
    d = os.path.join(tmp, "crash", name)
    os.makedirs(d, exist_ok=True)
    p = os.path.join(d, "model.onnx")
    with open(p, "wb") as f:
        f.write(m if isinstance(m, bytes) else m.SerializeToString())
    return p


def _empty(name, dims, dtype=F):
    """A zero-element initializer with the given (huge) dims and no data."""
    return TensorProto(name=name, data_type=dtype, dims=list(dims))


def _i64(name, vals):
    return numpy_helper.from_array(np.array(vals, dtype=np.int64), name)


# ---- raw protobuf for nesting python's protobuf refuses to build ----





def _nest(core, wrappers):
    """core wrapped by each (prefix, field number, suffix) in turn, innermost first, in linear
    time: message k is prefix + field(number, message k-1) + suffix."""
    heads, tails, length = [], [], len(core)
    for prefix, number, suffix in wrappers:
        head = prefix + _varint(number << 3 | 2) + _varint(length)
        heads.append(head)
        tails.append(suffix)
        length += len(head) + len(suffix)
    return b"".join(reversed(heads)) + core + b"".join(tails)


def _model_bytes(graph):
    opset = _field(8, _field(1, b"") + _varint(2 << 3) + _varint(17))
    return _varint(1 << 3) + _varint(8) + opset + _field(7, graph)


def nested_type(depth):
    """A graph input whose type is a sequence of a sequence of ... depth levels."""
    tensor = _field(1, _varint(1 << 3) + _varint(1))  # TypeProto.tensor_type{elem_type: FLOAT}
    # TypeProto.sequence_type (4) -> Sequence.elem_type (1) -> TypeProto
    typ = _nest(tensor, [(b"", 1, b""), (b"", 4, b"")] * depth)
    vi = _field(1, b"x") + _field(2, typ)
    node = _field(1, b"x") + _field(2, b"y") + _field(4, b"Identity")
    graph = _field(1, node) + _field(2, b"g") + _field(11, vi) + _field(12, _field(1, b"y"))
    return _model_bytes(graph)


def nested_if(depth):
    """An If whose then_branch holds an If ... depth levels deep."""
    inner = _field(1, _field(1, b"c") + _field(2, b"o") + _field(4, b"Identity"))
    attr_head = _field(1, b"then_branch") + _varint(20 << 3) + _varint(5)  # type = GRAPH
    node_head = _field(1, b"c") + _field(2, b"o") + _field(4, b"If")
    # graph -> attr.g (6) -> node.attribute (5) -> graph.node (1)
    return _model_bytes(_nest(inner, [(attr_head, 6, b""), (node_head, 5, b""), (b"", 1, _field(2, b"level"))] * depth))


# ---- the cases ----

def arithmetic_cases(s, xc, tmp):
    """C1, C2: shape arithmetic at load time that used to divide INT64_MIN by -1 or overflow."""
    m = _model([helper.make_node("Range", ["s", "l", "d"], ["y"], name="range")], outputs=[_vi("y", I64, None)],
               inits=[_i64("s", 0), _i64("l", I64_MIN), _i64("d", -1)])
    _check(s, "Range with limit - start == INT64_MIN, delta -1", _run([xc, "inspect", "model", _save(m, tmp, "range")]), 2,
           "'range'")

    def conv(name, attrs, want, op="Conv", kernel=(3, 3), xdims=(1, 1, 5, 5)):
        inits = [numpy_helper.from_array(np.ones((1, 1) + kernel, np.float32), "w")] if op in ("Conv", "ConvTranspose") else []
        m = _model([helper.make_node(op, ["x", "w"] if inits else ["x"], ["y"], name=name, **attrs)],
                   [_vi("x", F, list(xdims))], [_vi("y", F, None)], inits)
        r = _run([xc, "run", _save(m, tmp, name), "--ref"])
        _check(s, "%s %s" % (op, ", ".join("%s=%s" % kv for kv in sorted(attrs.items()))), r, want, None if want == 0 else "'%s'" % name)

    conv("conv_dil", {"dilations": [2**62, 1]}, 2)
    conv("conv_pads", {"pads": [I64_MAX, 0, I64_MAX, 0]}, 2)
    conv("conv_stride", {"strides": [I64_MAX, I64_MAX]}, 0)
    conv("convt_stride", {"strides": [I64_MAX, 1]}, 2, op="ConvTranspose")
    for op in ("MaxPool", "AveragePool", "LpPool"):
        conv(op.lower() + "_pads", {"kernel_shape": [2, 2], "pads": [I64_MAX - 1, 0, 1, 0]}, 2, op=op)
        conv(op.lower() + "_stride", {"kernel_shape": [2, 2], "strides": [I64_MAX, 1]}, 0, op=op)
    conv("maxpool_ceil", {"kernel_shape": [2, 2], "strides": [I64_MAX, I64_MAX], "ceil_mode": 1}, 0, op="MaxPool")
    conv("maxpool_dil", {"kernel_shape": [2, 2], "dilations": [I64_MAX, 1]}, 2, op="MaxPool")
    # a kernel of 1 makes any dilation valid
    conv("maxpool_dil1", {"kernel_shape": [1, 2], "dilations": [I64_MAX, 1]}, 0, op="MaxPool")
    conv("conv_dil1", {"dilations": [I64_MAX, 1], "pads": [1, 0, 1, 0]}, 0, kernel=(1, 2))

    # blocked DequantizeLinear: ceil(4 / INT64_MAX) is one block, not an overflow
    m = _model([helper.make_node("DequantizeLinear", ["x", "sc"], ["y"], name="dq", axis=1, block_size=I64_MAX)],
               [_vi("x", TensorProto.INT8, [2, 4])], [_vi("y", F, [2, 4])],
               [numpy_helper.from_array(np.array([[0.5], [2.0]], np.float32), "sc")], opset=21)
    r = _run([xc, "run", _save(m, tmp, "dq_block"), "--ref"])
    _check(s, "DequantizeLinear block_size=INT64_MAX", r, 0)


def _empty_op_models():
    """(label, nodes, input shape, extra initializers, output shape): ops whose output has zero
    elements but a dim near 2^62."""
    z = [0, BIG, 2]
    return [
        ("Transpose", [helper.make_node("Transpose", ["x"], ["y"], name="op", perm=[2, 1, 0])], z, [], [2, BIG, 0]),
        ("Expand", [helper.make_node("Expand", ["x", "shape"], ["y"], name="op")], [0, 1, 2], [_i64("shape", z)], z),
        ("Tile", [helper.make_node("Tile", ["x", "reps"], ["y"], name="op")], [0, 1, 2], [_i64("reps", [1, BIG, 1])], z),
        ("DepthToSpace", [helper.make_node("DepthToSpace", ["x"], ["y"], name="op", blocksize=2)], [0, 4, 2**61 - 1, 1], [],
         [0, 1, 2**62 - 2, 2]),
        ("ArgMax", [helper.make_node("ArgMax", ["x"], ["y"], name="op", axis=0)], [BIG, 0], [], [1, 0]),
        ("CumSum", [helper.make_node("CumSum", ["x", "ax"], ["y"], name="op")], [BIG, 0], [_i64("ax", 0)], [BIG, 0]),
        ("TopK", [helper.make_node("TopK", ["x", "k"], ["y", "i"], name="op", axis=1)], [BIG, 0], [_i64("k", [0])], [BIG, 0]),
    ]


def empty_tensor_cases(s, xc, tmp, ocl):
    """C3, H1: zero-element tensors with huge dims, from every way a tensor gets in."""
    # a reduction of all of [0, 2^62-1, 2] is one element: the kernel does see that input
    m = _model([helper.make_node("ReduceSum", ["x"], ["y"], name="op", keepdims=0)], [_vi("x", F, [0, BIG, 2])], [_vi("y", F, [])])
    p = _save(m, tmp, "reducesum")
    r = _run([xc, "run", p, "--ref", "--save-outputs", os.path.join(os.path.dirname(p), "out")])
    if _check(s, "ReduceSum of all of a [0, 2^62-1, 2] input", r, 0):
        y = numpy_helper.to_array(onnx.load_tensor(os.path.join(os.path.dirname(p), "out", "output_0.pb")))
        s.check("ReduceSum of an empty tensor is 0", y.shape == () and float(y) == 0.0, str(y))
    # nonzero dims whose product leaves int64 are refused even next to a 0
    m = _model([helper.make_node("Identity", ["x"], ["y"], name="op")], [], [_vi("y", F, None)], [_empty("x", [0, BIG, BIG])])
    _check(s, "initializer [0, 2^62-1, 2^62-1]", _run([xc, "run", _save(m, tmp, "overflow_dims"), "--ref"]), 2, "'x'")
    for label, nodes, xdims, inits, ydims in _empty_op_models():
        ydt = I64 if label == "ArgMax" else F
        outs = [_vi("y", ydt, ydims)] + ([_vi("i", I64, ydims)] if label == "TopK" else [])
        name = label.lower()
        # a graph input
        p = _save(_model(nodes, [_vi("x", F, xdims)], outs, inits), tmp, name + "_input")
        _check(s, "%s of a graph input %s" % (label, xdims), _run([xc, "run", p, "--ref"]), 0)
        if ocl and label in ("Transpose", "Expand", "Tile", "DepthToSpace"):
            # the engine's offset tables wrapped like the reference's: it now refuses the layer
            r = _run([xc, "run", p, "--ocl"], timeout=120)
            if r is None or r.returncode != 0:
                _check(s, "%s of a graph input on the engine" % label, r, 2, "'op'")
            _check(s, "%s of a graph input on the engine --fallback-cpu" % label,
                   _run([xc, "run", p, "--ref", "--ocl", "--fallback-cpu"], timeout=120), 0)
        # a --load-inputs file, the model's dim symbolic
        sym = _model(nodes, [_vi("x", F, ["N"] + xdims[1:])], [_vi(o.name, o.type.tensor_type.elem_type, None) for o in outs], inits)
        p = _save(sym, tmp, name + "_loaded")
        pb = os.path.join(os.path.dirname(p), "x.pb")
        with open(pb, "wb") as f:
            f.write(_empty("x", xdims).SerializeToString())
        _check(s, "%s of a --load-inputs tensor %s" % (label, xdims), _run([xc, "run", p, "--ref", "--load-inputs", pb]), 0)
        # an initializer: run, fold with the surgeon, fold in the engine
        const = _model(nodes, [], outs, inits + [_empty("x", xdims)])
        p = _save(const, tmp, name + "_init")
        _check(s, "%s of an initializer %s" % (label, xdims), _run([xc, "run", p, "--ref"]), 0)
        out = os.path.join(os.path.dirname(p), "folded.onnx")
        r = _run([xc, "surgeon", "sanitize", p, "--fold-constants", "-o", out])
        if _check(s, "%s folded by surgeon sanitize" % label, r, 0):
            folded = onnx.load(out)
            got = {t.name: list(t.dims) for t in folded.graph.initializer}
            s.check("%s folded: y is an initializer %s" % (label, ydims), not folded.graph.node and got.get("y") == ydims, str(got))
        if ocl and label in ("Transpose", "Expand", "Tile", "DepthToSpace"):
            r = _run([xc, "run", p, "--ocl"], timeout=120)
            s.check("%s of an initializer, engine constant folding -> no crash" % label,
                    not _crashed(r) and (r.returncode == 0 or len(r.stderr.strip().splitlines()) == 1), _detail(r))


def nesting_cases(s, xc, tmp):
    """C4: nesting that overflowed protobuf-c's recursive unpack, refused before unpacking."""
    for label, data in (("TypeProto nested 5,000 deep", nested_type(5000)), ("If nested 100,000 deep", nested_if(100000))):
        p = _save(data, tmp, "nest_" + label.split()[0])
        for cmd in (["inspect", "model", p], ["run", p, "--ref"], ["surgeon", "sanitize", p, "--cleanup", "-o", p + ".out"]):
            _check(s, "%s (%s)" % (label, cmd[0]), _run([xc] + cmd), 2, "nested deeper than")
        # conformance goes on past the bad case and prints its summary
        root = os.path.dirname(p)
        os.makedirs(os.path.join(root, "test_data_set_0"), exist_ok=True)
        r = _run([xc, "conformance", os.path.dirname(root), "--filter", os.path.basename(root)])
        s.check("%s in conformance -> summary printed, no crash" % label,
                not _crashed(r) and "passed," in r.stdout and "failed" in r.stdout, _detail(r) + r.stdout[-500:])
    # nesting within the limits still loads: Ifs 32 deep (the subgraph limit), each with a
    # shaped output, reach the deepest message levels a valid model can have
    g = None
    for k in range(32, -1, -1):
        leaf = helper.make_graph([helper.make_node("Identity", ["x"], ["e%d" % k])], "else%d" % k, [], [_vi("e%d" % k, F, [1, 2])])
        nodes = [helper.make_node("If", ["c"], ["o%d" % k], then_branch=g, else_branch=leaf)] if g else \
            [helper.make_node("Identity", ["x"], ["o%d" % k])]
        g = helper.make_graph(nodes, "level%d" % k, [], [_vi("o%d" % k, F, [1, 2])])
    g.input.extend([_vi("c", TensorProto.BOOL, []), _vi("x", F, [1, 2])])
    p = _save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), tmp, "nest_ok")
    r = _run([xc, "inspect", "model", p])
    s.check("If nested 32 deep (the subgraph limit) still loads", r is not None and r.returncode == 0, _detail(r))


def wide_node_cases(s, xc, tmp, ocl):
    """C5: 100,000 inputs to one node (1,100,000 for the engine, whose arrays were smaller): no
    stack array sized by the input count."""
    n = 100000
    for op in ("Concat", "Sum"):
        attrs = {"axis": 0} if op == "Concat" else {}
        m = _model([helper.make_node(op, ["c"] * n, ["y"], name="wide", **attrs)], [], [_vi("y", F, None)],
                   [numpy_helper.from_array(np.array([1.5], np.float32), "c")])
        p = _save(m, tmp, "wide_" + op)
        out = os.path.join(os.path.dirname(p), "folded.onnx")
        r = _run([xc, "surgeon", "sanitize", p, "--fold-constants", "-o", out], timeout=120)
        if _check(s, "%s of 100,000 constants folded by the surgeon" % op, r, 0):
            y = numpy_helper.to_array(onnx.load(out).graph.initializer[0])
            want = np.full(n, 1.5, np.float32) if op == "Concat" else np.array([1.5 * n], np.float32)
            s.check("%s folded value is right" % op, y.shape == want.shape and np.allclose(y, want, rtol=1e-5), str(y[:4]))
    if ocl:
        m = _model([helper.make_node("Sum", ["c"] * (11 * n), ["y"], name="wide")], [], [_vi("y", F, None)],
                   [numpy_helper.from_array(np.array([1.5], np.float32), "c")])
        r = _run([xc, "run", _save(m, tmp, "wide_engine"), "--ocl"], timeout=120)
        s.check("Sum of 1,100,000 constants folded by the engine -> exit 0", not _crashed(r) and r.returncode == 0, _detail(r))


def program_cache_cases(s, xc, tmp):
    """C7: a truncated or corrupt compiled-program cache entry is ignored and rebuilt."""
    m = _model([helper.make_node("Relu", ["x"], ["y"], name="relu")], [_vi("x", F, [1, 8])], [_vi("y", F, [1, 8])])
    p = _save(m, tmp, "cache_model")
    cache = os.path.join(tmp, "crash", "cl-cache")
    shutil.rmtree(cache, ignore_errors=True)
    env = dict(os.environ, CROSSCHECK_CACHE_DIR=cache)
    r = _run([xc, "run", p, "--ref", "--ocl"], timeout=300, env=env)
    if not _check(s, "engine run filling a fresh program cache", r, 0):
        return
    entries = [os.path.join(cache, f) for f in os.listdir(cache) if f.endswith(".bin")]
    if not s.check("program cache has entries", entries, str(os.listdir(cache))):
        return
    s.check("no temporary files left in the program cache", all(f.endswith(".bin") for f in os.listdir(cache)), str(os.listdir(cache)))
    for how in ("truncated", "corrupt"):
        for e in entries:
            data = open(e, "rb").read()
            with open(e, "wb") as f:
                if how == "truncated":
                    f.write(data[: len(data) // 3])
                else:
                    f.write(data[:64] + bytes(b ^ 0x5A for b in data[64:]))
        r = _run([xc, "run", p, "--ref", "--ocl"], timeout=300, env=env)
        s.check("%s cache entries -> warning, rebuilt, exit 0" % how,
                not _crashed(r) and r.returncode == 0 and "cache" in r.stderr, _detail(r))
        r = _run([xc, "run", p, "--ref", "--ocl"], timeout=300, env=env)
        s.check("%s cache entries were rewritten (next run is silent)" % how,
                not _crashed(r) and r.returncode == 0 and "cache" not in r.stderr, _detail(r))


def cleanup_cases(s, xc, tmp):
    """H4: merging identical initializers is not quadratic in same-shaped ones."""
    n = 30000
    inits = [numpy_helper.from_array(np.array(float(k % (n // 2)), np.float32), "c%d" % k) for k in range(n)]
    nodes = [helper.make_node("Sum", ["c%d" % k for k in range(n)], ["y"], name="sum")]
    p = _save(_model(nodes, [], [_vi("y", F, [])], inits), tmp, "cleanup")
    out = os.path.join(os.path.dirname(p), "clean.onnx")
    t0 = time.time()
    r = _run([xc, "surgeon", "sanitize", p, "--cleanup", "-o", out], timeout=120)
    dt = time.time() - t0
    if _check(s, "sanitize --cleanup of 30,000 scalar initializers", r, 0):
        m = onnx.load(out)
        s.check("cleanup merged the duplicates (%d -> %d initializers)" % (n, len(m.graph.initializer)),
                len(m.graph.initializer) == n // 2, "")
        s.check("cleanup of 30,000 scalars takes %.1f s (< 3 s; pairwise comparison took 10+)" % dt, dt < 3)


def crash_tests(s, xc, build, tmp):
    """The section (runs after the OpenCL sections start: engine folding and the program cache
    need a device)."""
    arithmetic_cases(s, xc, tmp)
    empty_tensor_cases(s, xc, tmp, ocl=True)
    nesting_cases(s, xc, tmp)
    wide_node_cases(s, xc, tmp, ocl=True)
    cleanup_cases(s, xc, tmp)
    program_cache_cases(s, xc, tmp)
