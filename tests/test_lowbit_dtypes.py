"""Low-bit element types of issue 13: float8 (e4m3fn, e4m3fnuz, e5m2, e5m2fnuz, e8m0), float4e2m1,
int4/uint4 and int2/uint2. Models are made here with onnx.helper and run with `crosscheck run
MODEL --ref`; every output is compared bit for bit with onnx's ReferenceEvaluator, and the
float decode tables with ml_dtypes directly (all 256 codes of each float8 type, 16 of float4).
Also: tensors of each type survive loading and saving (inputs in, outputs and initializers out,
raw_data, int32_data and external data), a packed tensor with the wrong byte count fails with
one line, and the OpenCL engine refuses these types in one line (or, with --fallback-cpu, runs
the layers touching them on the reference)."""
import os
import subprocess

import ml_dtypes
import numpy as np
import onnx
import onnx.external_data_helper
from onnx import TensorProto as TP
from onnx import helper, numpy_helper
from onnx.reference import ReferenceEvaluator
from xc_reference_run import run_reference as _run_xc

OPSET = 25
FLOATS = [(TP.FLOAT8E4M3FN, ml_dtypes.float8_e4m3fn), (TP.FLOAT8E4M3FNUZ, ml_dtypes.float8_e4m3fnuz),
          (TP.FLOAT8E5M2, ml_dtypes.float8_e5m2), (TP.FLOAT8E5M2FNUZ, ml_dtypes.float8_e5m2fnuz),
          (TP.FLOAT4E2M1, ml_dtypes.float4_e2m1fn)]
INTS = [(TP.INT4, ml_dtypes.int4), (TP.UINT4, ml_dtypes.uint4), (TP.INT2, ml_dtypes.int2), (TP.UINT2, ml_dtypes.uint2)]
FLOAT8 = {TP.FLOAT8E4M3FN, TP.FLOAT8E4M3FNUZ, TP.FLOAT8E5M2, TP.FLOAT8E5M2FNUZ}
RNG = np.random.default_rng(8)


def _name(t):
    return TP.DataType.Name(t).lower()


def _model(nodes, inputs, outputs, inits=()):
    g = helper.make_graph(nodes, "g", [helper.make_tensor_value_info(n, helper.np_dtype_to_tensor_dtype(a.dtype), list(a.shape))
                                        for n, a in inputs],
                          [helper.make_empty_tensor_value_info(o) for o in outputs], initializer=list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", OPSET)])
    m.ir_version = 11
    return m




def _bits(a):
    """An array's element bit patterns (low-bit types: one byte each) for exact comparison."""
    a = np.asarray(a)
    if a.dtype.itemsize == 1:
        return a.view(np.uint8)
    return a.view(np.uint16 if a.dtype.itemsize == 2 else np.uint32 if a.dtype.itemsize == 4 else np.uint64)


def _same_bits(got, want):
    """Equal dtype and shape, equal bits; NaNs of a float output need only both be NaN."""
    if got is None or got.dtype != want.dtype or got.shape != want.shape:
        return False, "got %s, want %s%s" % (None if got is None else (got.dtype, got.shape), want.dtype, want.shape)
    gb, wb = _bits(got), _bits(want)
    diff = gb != wb
    if want.dtype.kind == "f" and want.dtype.itemsize > 1:
        diff &= ~(np.isnan(got.astype(np.float32)) & np.isnan(want.astype(np.float32)))
    if diff.any():
        i = int(np.flatnonzero(diff.ravel())[0])
        return False, "%d of %d differ, first at %d: got 0x%x want 0x%x" % (diff.sum(), diff.size, i, gb.ravel()[i], wb.ravel()[i])
    return True, ""


class Cases:
    def __init__(self, s, xc, tmp):
        self.s, self.xc, self.tmp, self.k = s, xc, os.path.join(tmp, "lowbit_dtypes"), 0

    def dir(self):
        self.k += 1
        return os.path.join(self.tmp, "c%d" % self.k)

    def compare(self, label, nodes, inputs, outputs, inits=()):
        """Runs on crosscheck and on onnx's ReferenceEvaluator; every output bit-equal."""
        m = _model(nodes, inputs, outputs, inits)
        want = ReferenceEvaluator(m).run(None, dict(inputs))
        r, got = _run_xc(self.xc, self.dir(), m, inputs)
        if r.returncode != 0:
            self.s.check(label, False, r.stderr.strip()[-300:])
            return got
        for o, w in zip(outputs, want):
            ok, why = _same_bits(got.get(o), np.asarray(w))
            self.s.check("%s: %s" % (label, o), ok, why)
        return got


def _float_probes(np_t):
    """Every finite value of the type, the midpoints between neighbours (ties) and the floats
    just either side of them, the overflow boundary, zeros, infinities, NaN and random values."""
    codes = np.arange(256 if np.dtype(np_t).itemsize == 1 and np_t != ml_dtypes.float4_e2m1fn else 16, dtype=np.uint8)
    vals = codes.view(np_t).astype(np.float32) if np_t != ml_dtypes.float4_e2m1fn else \
        np.array([0, .5, 1, 1.5, 2, 3, 4, 6, -0., -.5, -1, -1.5, -2, -3, -4, -6], np.float32)
    fin = np.unique(vals[np.isfinite(vals)].astype(np.float64))
    mids = (fin[:-1] + fin[1:]) / 2
    top = float(fin[-1]) + (float(fin[-1]) - float(fin[-2])) / 2  # tie between max and the next step
    edges = np.concatenate([mids, [top, -top]]).astype(np.float32)
    probes = np.concatenate([vals, edges, np.nextafter(edges, np.float32(np.inf)), np.nextafter(edges, np.float32(-np.inf)),
                             np.array([0, -0., np.inf, -np.inf, np.nan, -np.nan, 1e-10, -1e-10, 1e10, -1e10], np.float32),
                             (RNG.standard_normal(64) * 50).astype(np.float32)])
    return vals, probes.astype(np.float32)


def _float_types(c):
    for t, np_t in FLOATS:
        n = _name(t)
        vals, probes = _float_probes(np_t)
        codes = np.arange(len(vals), dtype=np.uint8).view(np_t) if np_t != ml_dtypes.float4_e2m1fn else \
            vals.astype(np_t)
        # the decode table straight from ml_dtypes, independent of onnx's reference
        r, got = _run_xc(c.xc, c.dir(), _model([helper.make_node("Cast", ["c"], ["y"], to=TP.FLOAT)], [("c", codes)], ["y"]),
                         [("c", codes)])
        ok, why = _same_bits(got.get("y"), codes.astype(np.float32)) if r.returncode == 0 else (False, r.stderr.strip())
        c.s.check("%s: all %d codes decode as ml_dtypes does" % (n, len(vals)), ok, why)
        other = TP.FLOAT8E5M2 if t != TP.FLOAT8E5M2 else TP.FLOAT8E4M3FN
        nodes = [helper.make_node("Cast", ["f"], ["sat"], to=t),
                 helper.make_node("Cast", ["f"], ["nosat"], to=t, saturate=0),
                 helper.make_node("Cast", ["h"], ["from_f16"], to=t),
                 helper.make_node("Cast", ["c"], ["to_f16"], to=TP.FLOAT16),
                 helper.make_node("Cast", ["c"], ["to_i32"], to=TP.INT32),
                 helper.make_node("Cast", ["c"], ["to_other"], to=other, saturate=0),
                 helper.make_node("CastLike", ["f", "c"], ["like"], saturate=0)]
        f16 = probes.astype(np.float16)
        fin_codes = codes[np.isfinite(codes.astype(np.float32))]
        c.compare("%s: Cast round trip, ties, overflow, saturate 0/1" % n, nodes,
                  [("f", probes), ("h", f16), ("c", fin_codes)],
                  ["sat", "nosat", "from_f16", "to_f16", "to_i32", "to_other", "like"])
    # float8e8m0 (scales of MX formats): decode table and the three round modes
    codes = np.arange(256, dtype=np.uint8).view(ml_dtypes.float8_e8m0fnu)
    probes = np.concatenate([codes.astype(np.float32), (np.abs(RNG.standard_normal(32)) * 2.0 ** RNG.integers(-60, 60, 32)),
                             [1.5, 1.25, 1.75, 3.0, 0.0, np.inf, np.nan, 3.4e38, 1e-40]]).astype(np.float32)
    nodes = [helper.make_node("Cast", ["c"], ["dec"], to=TP.FLOAT)] + \
        [helper.make_node("Cast", ["f"], ["%s_%d" % (m, sat)], to=TP.FLOAT8E8M0, round_mode=m, saturate=sat)
         for m in ("up", "down", "nearest") for sat in (0, 1)]
    c.compare("float8e8m0: decode and round modes", nodes, [("c", codes), ("f", probes)],
              ["dec"] + ["%s_%d" % (m, sat) for m in ("up", "down", "nearest") for sat in (0, 1)])


def _int_types(c):
    for t, np_t in INTS:
        n = _name(t)
        info = ml_dtypes.iinfo(np_t)
        codes = np.arange(info.min, info.max + 1).astype(np_t)
        f = np.concatenate([np.arange(-20, 20.25, 0.25), [np.nan, np.inf, -np.inf, 1e10]]).astype(np.float32)
        i = np.arange(-40, 41, dtype=np.int32)
        nodes = [helper.make_node("Cast", ["c"], ["to_f32"], to=TP.FLOAT),
                 helper.make_node("Cast", ["c"], ["to_f16"], to=TP.FLOAT16),
                 helper.make_node("Cast", ["c"], ["to_i8"], to=TP.INT8),
                 helper.make_node("Cast", ["f"], ["from_f32"], to=t),
                 helper.make_node("Cast", ["i"], ["from_i32"], to=t),
                 helper.make_node("Cast", ["c"], ["to_f8"], to=TP.FLOAT8E4M3FN)]
        c.compare("%s: Cast both ways (truncation, wrapping, out of range)" % n, nodes, [("c", codes), ("f", f), ("i", i)],
                  ["to_f32", "to_f16", "to_i8", "from_f32", "from_i32", "to_f8"])


def _qdq(c):
    x = (RNG.standard_normal((2, 8)) * 6).astype(np.float32)
    x[0, :4] = [1e6, -1e6, 0.25, -0.75]  # overflow and ties
    for t, np_t in FLOATS + INTS:
        n = _name(t)
        is_f8, is_int = t in FLOAT8, (t, np_t) in INTS
        if is_int:
            info = ml_dtypes.iinfo(np_t)
            zp_of = lambda shape: RNG.integers(info.min, info.max + 1, shape).astype(np_t)  # noqa: E731
        elif is_f8:
            zp_of = lambda shape: np.zeros(shape, np_t)  # noqa: E731
        else:
            zp_of = lambda shape: RNG.choice(np.array([0, .5, -1, 2], np.float32), shape).astype(np_t)  # noqa: E731
        layouts = [("per-tensor", np.float32(0.37), {}), ("per-axis", np.abs(RNG.standard_normal(8)).astype(np.float32) + .1, {"axis": 1}),
                   ("blocked", np.abs(RNG.standard_normal((2, 2))).astype(np.float32) + .1, {"axis": 1, "block_size": 4})]
        for lname, scale, attrs in layouts:
            scale = np.asarray(scale, np.float32)
            zp = zp_of(scale.shape)
            nodes = [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["q"], **attrs),
                     helper.make_node("DequantizeLinear", ["q", "s", "z"], ["dq"], **attrs),
                     helper.make_node("DequantizeLinear", ["q", "s", "z"], ["dq16"], output_dtype=TP.FLOAT16, **attrs)]
            outs = ["q", "dq", "dq16"]
            if is_f8:
                nodes.append(helper.make_node("QuantizeLinear", ["x", "s", "z"], ["q_nosat"], saturate=0, **attrs))
                outs.append("q_nosat")
            c.compare("%s: QuantizeLinear/DequantizeLinear %s" % (n, lname), nodes, [("x", x), ("s", scale), ("z", zp)], outs)
        # no zero point: output_dtype picks the type; precision float16 divides in half. (x / s stays
        # finite in half: numpy turns inf into int32's minimum before clipping; crosscheck saturates.)
        nodes = [helper.make_node("QuantizeLinear", ["x", "s"], ["q"], output_dtype=t, axis=1, block_size=4),
                 helper.make_node("QuantizeLinear", ["x", "s"], ["qp"], output_dtype=t, precision=TP.FLOAT16, axis=1, block_size=4),
                 helper.make_node("DequantizeLinear", ["q", "s"], ["dq"], axis=1, block_size=4)]
        c.compare("%s: output_dtype and precision, no zero point" % n, nodes,
                  [("x", np.clip(x, -100, 100)), ("s", np.abs(RNG.standard_normal((2, 2))).astype(np.float32) + .1)],
                  ["q", "qp", "dq"])
    # power-of-two float8e8m0 scales (MX formats)
    s8 = np.array([[0.5, 2.0], [4.0, 0.125]], np.float32).astype(ml_dtypes.float8_e8m0fnu)
    nodes = [helper.make_node("QuantizeLinear", ["x", "s"], ["q"], output_dtype=TP.FLOAT4E2M1, axis=1, block_size=4),
             helper.make_node("DequantizeLinear", ["q", "s"], ["dq"], output_dtype=TP.FLOAT, axis=1, block_size=4)]
    c.compare("float4e2m1 blocks with float8e8m0 scales", nodes, [("x", x), ("s", s8)], ["q", "dq"])


def _other_ops(c):
    """The other ops whose schemas allow these types: movement (Reshape, Transpose, Flatten,
    Squeeze, Unsqueeze, Identity, Pad), Shape, Size, Constant, ConstantOfShape, Dropout, IsNaN
    and IsInf of float8."""
    w = np.arange(-8, 8).reshape(4, 4).astype(ml_dtypes.int4)
    f8 = np.array([-3, -np.inf, np.nan, 0.5, np.inf, 57344], np.float32).astype(ml_dtypes.float8_e5m2)
    nodes = [helper.make_node("Reshape", ["w", "shp"], ["r"]),
             helper.make_node("Transpose", ["r"], ["t"], perm=[1, 0]),
             helper.make_node("Flatten", ["t"], ["fl"], axis=1),
             helper.make_node("Unsqueeze", ["fl", "ax"], ["u"]),
             helper.make_node("Squeeze", ["u", "ax"], ["sq"]),
             helper.make_node("Identity", ["sq"], ["id"]),
             helper.make_node("DequantizeLinear", ["id", "sc"], ["y"]),
             helper.make_node("Constant", [], ["c8"], value=numpy_helper.from_array(f8, "c8v")),
             helper.make_node("Shape", ["c8"], ["shape8"]),
             helper.make_node("Size", ["c8"], ["size8"]),
             helper.make_node("IsNaN", ["c8"], ["nan8"]),
             helper.make_node("IsInf", ["c8"], ["inf8"], detect_negative=0),
             helper.make_node("Pad", ["c8", "pads"], ["pad8"]),
             helper.make_node("Dropout", ["c8"], ["drop8"]),
             helper.make_node("ConstantOfShape", ["shp"], ["cos8"],
                              value=numpy_helper.from_array(np.array([1.5], np.float32).astype(ml_dtypes.float8_e4m3fnuz), "v8")),
             helper.make_node("ConstantOfShape", ["shp"], ["cos4"], value=numpy_helper.from_array(np.array([-3]).astype(ml_dtypes.int4), "v4"))]
    inits = [numpy_helper.from_array(w, "w"), numpy_helper.from_array(np.array([2, 8], np.int64), "shp"),
             numpy_helper.from_array(np.array([0], np.int64), "ax"), numpy_helper.from_array(np.float32(0.5), "sc"),
             numpy_helper.from_array(np.array([1, 2], np.int64), "pads")]
    c.compare("int4/float8 through movement, Shape, Size, Constant(OfShape), Dropout, IsNaN, IsInf", nodes, [],
              ["id", "y", "c8", "shape8", "size8", "nan8", "inf8", "pad8", "drop8", "cos8", "cos4"], inits)


def _typed_proto(name, t, a):
    """a TensorProto holding a in int32_data as onnx.helper.make_tensor does: one byte pattern
    per float8 value, packed bytes for the 4- and 2-bit types."""
    tp = TP()
    tp.name, tp.data_type = name, t
    tp.dims.extend(a.shape)
    b = a.ravel().view(np.uint8)
    if t in (TP.INT4, TP.UINT4, TP.FLOAT4E2M1):
        b = numpy_helper._pack_4bitx2(a)
    elif t in (TP.INT2, TP.UINT2):
        b = numpy_helper._pack_2bitx4(a)
    tp.int32_data.extend(int(v) for v in b)
    return tp


def _storage(c):
    """Initializers of each type (raw_data, int32_data and external data, odd element counts)
    load, outputs save bit-exact, and `surgeon sanitize` writes initializers back bit-exact (4-
    and 2-bit types inline even when asked for external data)."""
    for t, np_t in FLOATS + INTS + [(TP.FLOAT8E8M0, ml_dtypes.float8_e8m0fnu)]:
        n = _name(t)
        if (t, np_t) in INTS:
            info = ml_dtypes.iinfo(np_t)
            a = RNG.integers(info.min, info.max + 1, (3, 5)).astype(np_t)
        else:
            a = RNG.integers(0, 16 if t == TP.FLOAT4E2M1 else 256, (3, 5)).astype(np.uint8).view(np_t)
        nodes = [helper.make_node("Cast", ["w_raw"], ["o_raw"], to=t), helper.make_node("Cast", ["w_typed"], ["o_typed"], to=t)]
        m = _model(nodes, [], ["o_raw", "o_typed"], [numpy_helper.from_array(a, "w_raw"), _typed_proto("w_typed", t, a)])
        d = c.dir()
        r, got = _run_xc(c.xc, d, m, [])
        for o in ("o_raw", "o_typed"):
            ok, why = _same_bits(got.get(o), a) if r.returncode == 0 else (False, r.stderr.strip()[-300:])
            c.s.check("%s: %s initializer loads and its output saves bit-exact" % (n, o[2:]), ok, why)
        # the same initializers as external data written by onnx (packed types packed in the file)
        ext = os.path.join(d, "ext.onnx")
        onnx.save_model(m, ext, save_as_external_data=True, all_tensors_to_one_file=True, location="ext.data",
                        size_threshold=0)
        r = subprocess.run([c.xc, "run", ext, "--ref", "--save-outputs", os.path.join(d, "ext_out")], capture_output=True, text=True)
        ok, why = r.returncode == 0, r.stderr.strip()[-300:]
        for k in range(2 if ok else 0):
            good, w = _same_bits(numpy_helper.to_array(onnx.load_tensor(os.path.join(d, "ext_out", "output_%d.pb" % k))), a)
            ok, why = ok and good, why + w
        c.s.check("%s: initializers in external data load bit-exact" % n, ok, why)
        out = os.path.join(d, "saved.onnx")
        r = subprocess.run([c.xc, "surgeon", "sanitize", os.path.join(d, "model.onnx"), "--toposort", "--external-data-threshold", "1",
                            "-o", out], capture_output=True, text=True)
        ok, why = r.returncode == 0, r.stderr.strip()[-300:]
        if ok:
            saved = onnx.load(out, load_external_data=False)
            onnx.external_data_helper.load_external_data_for_model(saved, d)
            for i in saved.graph.initializer:
                good, w = _same_bits(numpy_helper.to_array(i), a)
                ok, why = ok and good, why + w
            ok = ok and len(saved.graph.initializer) == 2
        c.s.check("%s: initializers saved by surgeon reload bit-exact" % n, ok, why)


def _hostile(c):
    """A packed tensor with the wrong byte count, and a float8 int32_data entry that is no byte,
    fail with one line naming the tensor; the OpenCL engine refuses low-bit tensors, or with
    --fallback-cpu runs the layers touching them on the reference."""
    d = c.dir()
    m = _model([helper.make_node("Cast", ["x"], ["y"], to=TP.FLOAT)], [("x", np.zeros(5, ml_dtypes.int4))], ["y"])
    path = os.path.join(d, "model.onnx")
    os.makedirs(os.path.join(d, "in"), exist_ok=True)
    onnx.save(m, path)
    bad = TP()
    bad.name, bad.data_type, bad.raw_data = "x", TP.INT4, b"\x12\x34"  # 5 int4 values need 3 bytes
    bad.dims.extend([5])
    onnx.save_tensor(bad, os.path.join(d, "in", "input_0.pb"))
    r = subprocess.run([c.xc, "run", path, "--ref", "--load-inputs", os.path.join(d, "in")], capture_output=True, text=True)
    lines = r.stderr.strip().splitlines()
    c.s.check("int4 raw_data of 2 bytes for 5 values: one-line error", r.returncode != 0 and len(lines) == 1 and
              "'x'" in lines[0] and "needs 3" in lines[0], r.stderr.strip())
    init = TP()
    init.name, init.data_type = "w", TP.FLOAT8E4M3FN
    init.dims.extend([2])
    init.int32_data.extend([3, 300])
    m2 = _model([helper.make_node("Cast", ["w"], ["y"], to=TP.FLOAT)], [], ["y"], [init])
    d2 = c.dir()
    os.makedirs(d2, exist_ok=True)
    onnx.save(m2, os.path.join(d2, "m.onnx"))
    r = subprocess.run([c.xc, "run", os.path.join(d2, "m.onnx"), "--ref"], capture_output=True, text=True)
    lines = r.stderr.strip().splitlines()
    c.s.check("float8 int32_data value 300: one-line error", r.returncode != 0 and len(lines) == 1 and "'w'" in lines[0]
              and "300" in lines[0], r.stderr.strip())
    m3 = _model([helper.make_node("Cast", ["x"], ["y"], to=TP.FLOAT8E4M3FN)], [("x", np.ones((2, 3), np.float32))], ["y"])
    onnx.save(m3, os.path.join(d2, "ocl.onnx"))
    env = dict(os.environ)
    env.setdefault("CROSSCHECK_CACHE_DIR", os.path.join(c.tmp, "cl-cache"))
    r = subprocess.run([c.xc, "run", os.path.join(d2, "ocl.onnx"), "--ocl"], capture_output=True, text=True, env=env)
    lines = r.stderr.strip().splitlines()
    c.s.check("OpenCL engine refuses a float8 tensor in one line", r.returncode != 0 and len(lines) == 1 and
              "float8e4m3fn" in lines[0] and "OpenCL" in lines[0] and "--fallback-cpu" in lines[0], r.stderr.strip())
    # with --fallback-cpu the layers touching low-bit tensors run on the reference, the rest on
    # the engine (a Reshape view: no kernel to compile), and per-layer compares them exactly
    nodes = [helper.make_node("QuantizeLinear", ["x", "s"], ["q"], output_dtype=TP.FLOAT8E4M3FN),
             helper.make_node("DequantizeLinear", ["q", "s"], ["dq"]),
             helper.make_node("Reshape", ["dq", "shp"], ["y"])]
    m4 = _model(nodes, [("x", np.ones((2, 8), np.float32))], ["q", "y"],
                [numpy_helper.from_array(np.float32(0.05), "s"), numpy_helper.from_array(np.array([4, 4], np.int64), "shp")])
    onnx.save(m4, os.path.join(d2, "fallback.onnx"))
    r = subprocess.run([c.xc, "run", os.path.join(d2, "fallback.onnx"), "--ref", "--ocl", "--fallback-cpu", "--per-layer"],
                       capture_output=True, text=True, env=env)
    c.s.check("OpenCL engine with --fallback-cpu runs float8 layers on the reference and agrees",
              r.returncode == 0 and "cpu.reference" in r.stdout and "PASSED" in r.stdout, (r.stdout + r.stderr)[-600:])


def lowbit_dtypes(s, xc, build, tmp):
    c = Cases(s, xc, tmp)
    _float_types(c)
    _int_types(c)
    _qdq(c)
    _other_ops(c)
    _storage(c)
    _hostile(c)
