"""The hostile battery (issue 17): hundreds of generated inputs a hostile user would try --
overflowing shape arithmetic, empty tensors with huge dimensions, deep nesting, wide nodes,
mutated model bytes, special files where files are expected, absurd option values. Every case
runs in a scratch folder with a 10 s limit and must end with exit 0, 1 or 2 (2: one line on
stderr), no signal, no sanitizer report, and no file in the folder changed except the outputs
the case names (hashed before and after).

Usage from the suite: hostile_battery(s, xc, build, tmp). Standalone:
    python3 tests/hostile/battery.py build/crosscheck  (prints every failing case)
"""
import hashlib
import os
import random
import stat
import subprocess
import sys
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from protobuf_wire import field, varint  # noqa: E402

FLOAT, INT64 = TensorProto.FLOAT, TensorProto.INT64
BIG = [2 ** 62, 2 ** 63 - 1, 2 ** 31, 2 ** 32 + 1, -(2 ** 62), -1, 0]
LIMIT_S = 10


def model_bytes(nodes, inputs, outputs, inits=(), opset=17):
    g = helper.make_graph(nodes, "hostile", inputs, outputs, initializer=list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m.SerializeToString()


def vi(name, shape, dtype=FLOAT):
    return helper.make_tensor_value_info(name, dtype, shape)


def const_i64(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


# ---- model families -------------------------------------------------------------------------

def conv_cases():
    x = vi("x", [1, 1, 5, 5])
    w = numpy_helper.from_array(np.ones((1, 1, 3, 3), np.float32), "w")
    for attr in ("dilations", "strides", "pads", "kernel_shape"):
        for v in BIG:
            n = 4 if attr == "pads" else 2
            vals = [v] + [1] * (n - 1) if attr != "pads" else [v, 0, 0, 0]
            node = helper.make_node("Conv", ["x", "w"], ["y"], **{attr: vals})
            yield "conv_%s_%d" % (attr, v), model_bytes([node], [x], [vi("y", None)], [w])


def pool_cases():
    x = vi("x", [1, 1, 5, 5])
    for op in ("MaxPool", "AveragePool", "LpPool"):
        for attr in ("pads", "strides", "kernel_shape", "dilations"):
            if attr == "dilations" and op != "MaxPool":
                continue
            for v in BIG:
                kw = {"kernel_shape": [2, 2]}
                kw[attr] = [v, 0, 0, 0] if attr == "pads" else [v, 1]
                node = helper.make_node(op, ["x"], ["y"], **kw)
                yield "%s_%s_%d" % (op.lower(), attr, v), model_bytes([node], [x], [vi("y", None)])


def range_cases():
    for start, limit, delta in ((2 ** 63 - 1, -(2 ** 63), -1), (-(2 ** 63), 2 ** 63 - 1, 1), (0, 2 ** 62, 1),
                                (0, 10, 0), (0, -(2 ** 63), -(2 ** 63)), (5, 5, 1), (2 ** 62, -(2 ** 62), -3)):
        inits = [numpy_helper.from_array(np.array(v, np.int64), k) for k, v in (("s", start), ("l", limit), ("d", delta))]
        node = helper.make_node("Range", ["s", "l", "d"], ["y"])
        yield "range_%d_%d_%d" % (start, limit, delta), model_bytes([node], [], [vi("y", None, INT64)], inits)


def empty_huge_cases():
    """Zero-element tensors whose other dims are huge, through the movement and index ops."""
    for dims in ([0, 2 ** 62 - 1, 2], [2 ** 40, 0, 2 ** 30], [0, 2 ** 31, 2 ** 31]):
        x = vi("x", dims)
        name = "x".join(str(d) for d in dims)
        for op, kw, extra in (("Transpose", {"perm": [2, 1, 0]}, []), ("Identity", {}, []), ("Neg", {}, []),
                              ("ArgMax", {"axis": 1}, []), ("CumSum", {}, ["ax"]), ("Softmax", {"axis": 1}, []),
                              ("ReduceSum", {"keepdims": 1}, []), ("Tile", {}, ["reps"]), ("Expand", {}, ["shape"]),
                              ("TopK", {"axis": 1}, ["k"])):
            inits = {"ax": [const_i64("ax", 1)], "reps": [const_i64("reps", [2, 1, 2])],
                     "shape": [const_i64("shape", [1, 1, 1])], "k": [const_i64("k", [0])]}
            init = [t for e in extra for t in inits[e]]
            outs = ["y", "yi"] if op == "TopK" else ["y"]
            node = helper.make_node(op, ["x"] + extra, outs, **kw)
            outputs = [vi("y", None), vi("yi", None, INT64)] if op == "TopK" else [vi("y", None, INT64 if op == "ArgMax" else FLOAT)]
            yield "empty_%s_%s" % (op.lower(), name), model_bytes([node], [x], outputs, init)
            # the same tensor as an initializer: constant folding meets it at load time
            t = TensorProto(name="x", data_type=FLOAT, dims=dims)
            node = helper.make_node(op, ["x"] + extra, outs, **kw)
            yield "empty_init_%s_%s" % (op.lower(), name), model_bytes([node], [], outputs, [t] + init)
        for bs in (2, 2 ** 62, 2 ** 63 - 1):
            for op in ("DepthToSpace", "SpaceToDepth"):
                node = helper.make_node(op, ["x4"], ["y"], blocksize=bs)
                yield "%s_%s_bs%d" % (op.lower(), name, bs), model_bytes([node], [vi("x4", dims + [1])], [vi("y", None)])


def shape_value_cases():
    """Shapes given as values: Reshape, ConstantOfShape, Expand, Slice, Pad with extreme numbers."""
    x = vi("x", [2, 3])
    for v in BIG + [2 ** 63 - 2]:
        yield "reshape_%d" % v, model_bytes([helper.make_node("Reshape", ["x", "s"], ["y"])], [x], [vi("y", None)],
                                            [const_i64("s", [v, -1])])
        yield "constantofshape_%d" % v, model_bytes([helper.make_node("ConstantOfShape", ["s"], ["y"])], [], [vi("y", None)],
                                                    [const_i64("s", [v, v])])
        yield "expand_%d" % v, model_bytes([helper.make_node("Expand", ["x", "s"], ["y"])], [x], [vi("y", None)],
                                           [const_i64("s", [v, 3])])
        yield "slice_%d" % v, model_bytes([helper.make_node("Slice", ["x", "st", "en", "ax", "sp"], ["y"])], [x], [vi("y", None)],
                                          [const_i64("st", [v]), const_i64("en", [-v if v != -(2 ** 62) else v]),
                                           const_i64("ax", [1]), const_i64("sp", [v if v else 1])])
        yield "pad_%d" % v, model_bytes([helper.make_node("Pad", ["x", "p"], ["y"])], [x], [vi("y", None)],
                                        [const_i64("p", [v, 0, 0, v])])
        yield "tile_%d" % v, model_bytes([helper.make_node("Tile", ["x", "r"], ["y"])], [x], [vi("y", None)],
                                         [const_i64("r", [v, v])])


def wide_cases():
    """Nodes with very many inputs (VLAs sized by input count overflowed the stack)."""
    for op, n in (("Concat", 100000), ("Sum", 100000), ("Max", 30000)):
        names = ["x%d" % i for i in range(n)]
        kw = {"axis": 0} if op == "Concat" else {}
        node = helper.make_node(op, names, ["y"], **kw)
        inits = [numpy_helper.from_array(np.array([float(k % 7)], np.float32), nm) for k, nm in enumerate(names)]
        yield "wide_%s_%d" % (op.lower(), n), model_bytes([node], [], [vi("y", None)], inits)






def nesting_cases():
    """Messages nested thousands deep, written as raw protobuf (python's protobuf refuses them)."""
    for depth in (200, 5000, 100000):
        t = field(1, field(1, b""))  # TypeProto.tensor_type {elem_type...}: start with an empty tensor type
        for _ in range(depth):
            t = field(4, field(1, t))  # TypeProto.sequence_type { elem_type: t }
        value = field(1, b"x") + field(2, t)  # ValueInfoProto {name, type}
        graph = field(1, field(1, b"x") + field(2, b"y") + field(4, b"Identity")) + field(2, b"g") + field(11, value) + \
            field(12, field(1, b"y"))
        model = b"\x08\x08" + field(7, graph) + field(8, field(1, b"") + b"\x10\x11")
        yield "nested_type_%d" % depth, model
    for depth in (1000, 100000):
        g = field(1, field(1, b"c") + field(2, b"o") + field(4, b"Identity"))
        for _ in range(depth):
            attr = field(1, b"then_branch") + b"\x20\x05" + field(6, g)  # AttributeProto {name, type GRAPH, g}
            g = field(1, field(1, b"c") + field(2, b"o") + field(4, b"If") + field(5, attr))
        model = b"\x08\x08" + field(7, g + field(2, b"g")) + field(8, field(1, b"") + b"\x10\x11")
        yield "nested_if_%d" % depth, model


def mutated_cases(root, count):
    """Byte-level mutations of the shipped models: flips, truncations, duplicated runs."""
    rng = random.Random(17)
    seeds = [open(os.path.join(root, "models", d, "model.onnx"), "rb").read()
             for d in sorted(os.listdir(os.path.join(root, "models"))) if os.path.exists(os.path.join(root, "models", d, "model.onnx"))]
    for i in range(count):
        b = bytearray(seeds[i % len(seeds)])
        kind = i % 4
        if kind == 0:
            for _ in range(rng.randint(1, 8)):
                b[rng.randrange(len(b))] = rng.randrange(256)
        elif kind == 1:
            b = b[:rng.randrange(len(b))]
        elif kind == 2:
            at = rng.randrange(len(b))
            b[at:at] = b[at:at + rng.randint(1, 64)] * rng.randint(1, 4)
        else:
            at = rng.randrange(len(b))
            b[at:at + 4] = rng.choice([b"\xff\xff\xff\xff", b"\x7f\xff\xff\xff", b"\x00\x00\x00\x80", b"\x80\x80\x80\x80"])
        yield "mutated_%03d" % i, bytes(b)


# ---- running ----------------------------------------------------------------------------------

def folder_hash(path, skip):
    h = {}
    for dp, dn, fn in os.walk(path):
        for f in fn:
            p = os.path.join(dp, f)
            if p in skip:
                continue
            st = os.lstat(p)
            if stat.S_ISREG(st.st_mode):
                h[p] = hashlib.sha1(open(p, "rb").read()).hexdigest()
            else:
                h[p] = "special:%o" % st.st_mode
    return h


def run_case(xc, folder, args, outputs=()):
    """Runs one command; returns a failure description or None."""
    skip = {os.path.join(folder, o) for o in outputs}
    before = folder_hash(folder, skip)
    t0 = time.time()
    try:
        r = subprocess.run([xc] + args, cwd=folder, capture_output=True, timeout=LIMIT_S, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return "hang (over %d s)" % LIMIT_S
    err = r.stderr.decode("utf-8", "replace")
    if r.returncode < 0 or r.returncode not in (0, 1, 2):
        return "exit %d (signal or crash) %.1fs: %s" % (r.returncode, time.time() - t0, err[-400:])
    if "Sanitizer" in err or "runtime error" in err:
        return "sanitizer report: " + err[-600:]
    lines = [L for L in err.strip().splitlines() if not L.startswith(("Suppressions used", "  count", "---", "#"))]
    if r.returncode == 2 and len(lines) != 1:
        return "exit 2 with %d stderr lines: %s" % (len(lines), err[-400:])
    after = folder_hash(folder, skip)
    if after != before:
        changed = sorted(set(before.items()) ^ set(after.items()))
        return "changed files outside the named outputs: %s" % [c[0] for c in changed][:5]
    return None


def file_cases(folder, model):
    """Special files where crosscheck expects files: FIFOs, folders, empty files, dangling links."""
    os.mkfifo(os.path.join(folder, "fifo"))
    os.mkdir(os.path.join(folder, "adir"))
    open(os.path.join(folder, "empty"), "wb").close()
    os.symlink("nowhere", os.path.join(folder, "dangling"))
    for special in ("fifo", "adir", "empty", "dangling", "/dev/null"):
        yield "model_is_%s" % special.strip("/").replace("/", "_"), ["run", special, "--ref"], ()
        yield "inspect_%s" % special.strip("/").replace("/", "_"), ["inspect", "model", special], ()
        for opt in ("--load-inputs", "--load-outputs"):
            yield "%s_%s" % (opt[2:], special.strip("/").replace("/", "_")), ["run", model, "--ref", opt, special], ()
        for opt in ("--timing-cache", "--load-tactics"):
            # the timing cache is read and updated: the path the user named is an output too
            named = ("out.plan", special) if opt == "--timing-cache" else ("out.plan",)
            yield "%s_%s" % (opt[2:], special.strip("/").replace("/", "_")), ["build", model, "-o", "out.plan", opt, special], named
        yield "plan_%s" % special.strip("/").replace("/", "_"), ["run", model, "--plan", special], ()
        yield "results_%s" % special.strip("/").replace("/", "_"), ["inspect", "results", special], ()


def option_cases(model):
    """Absurd option values: each must be refused with one line (or accepted sensibly)."""
    values = ["nan", "inf", "-inf", "-1", "1e400", "99999999999999999999", "0x10", "", "3.5", "\x1b[31m", "a\nb", "1:2:3"]
    for opt in ("--atol", "--rtol", "--seed", "--iterations", "--memory-limit", "--max-tensor-bytes", "--val-range",
                "--input-shapes", "--error-quantile", "--check-error-stat"):
        for i, v in enumerate(values):
            yield "opt%s_%d" % (opt, i), ["run", model, "--ref", opt, v], ()


def collect(root, folder, model):
    cases = []
    families = (conv_cases(), pool_cases(), range_cases(), empty_huge_cases(), shape_value_cases(), wide_cases(),
                nesting_cases(), mutated_cases(root, 120))
    for fam in families:
        for name, data in fam:
            path = os.path.join(folder, name + ".onnx")
            with open(path, "wb") as f:
                f.write(data)
            cases.append((name + " (run)", ["run", name + ".onnx", "--ref"], ()))
            cases.append((name + " (inspect)", ["inspect", "model", name + ".onnx"], ()))
    cases += list(file_cases(folder, model))
    cases += list(option_cases(model))
    return cases


def battery(xc, root, folder, every=1):
    """Returns (number of cases, failures as (name, why), seconds); every: run every Nth case."""
    import shutil
    os.makedirs(folder, exist_ok=True)
    model = "small_cnn.onnx"
    shutil.copy(os.path.join(root, "models", "small_cnn", "model.onnx"), os.path.join(folder, model))
    xc = os.path.abspath(xc)
    cases = collect(root, folder, model)[::every]
    t0 = time.time()
    failures = []
    for name, args, outs in cases:
        why = run_case(xc, folder, args, outs)
        if why:
            failures.append((name, why))
    return len(cases), failures, time.time() - t0


def hostile_battery(s, xc, build, tmp):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    # sanitizers slow every case several times over: their build runs every other case, unbounded
    asan = "libasan" in subprocess.run(["ldd", xc], capture_output=True, text=True).stdout
    n, failures, secs = battery(xc, root, os.path.join(tmp, "hostile"), 2 if asan else 1)
    s.check("hostile battery: %d cases in %.0f s, no crash, hang, multi-line error or stray write" % (n, secs),
            not failures and n >= (250 if asan else 500),
            "%d failures:\n%s" % (len(failures), "\n".join("%s: %s" % f for f in failures[:30])))
    if not asan:
        s.check("hostile battery runs within 3 minutes", secs < 180, "%.0f s" % secs)


if __name__ == "__main__":
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        n, failures, secs = battery(sys.argv[1], os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), d)
        for f in failures:
            print("FAIL %s: %s" % f)
        print("%d cases, %d failures, %.0f s" % (n, len(failures), secs))
