"""Polygraphy's surface that users reach for (issue 11): --compare-func indices (side by side with
Polygraphy's IndicesCompareFunc), --postprocess top-K (with TopKPostprocessFunc), --check-metric
bounds (values against numpy and Polygraphy's metric functions), --no-shape-check (with
Polygraphy's try_match_shape), --check-average (with Comparator.compare_accuracy(check_average=
True)), heat maps and error plots (valid files, the planted error where it belongs) and inspect
results --show-values. Loaded results against the reference; one OpenCL run (--check-average
needs a second live runner whose outputs differ per iteration)."""
import json
import os
import re
import struct
import subprocess
import warnings
import xml.etree.ElementTree as ET
import zlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ONNX_TYPE = {np.float32: TensorProto.FLOAT, np.int64: TensorProto.INT64}


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def identity_model(path, dtype, shape, name="y", out_shape=None):
    t = ONNX_TYPE[np.dtype(dtype).type]
    g = helper.make_graph([helper.make_node("Identity", ["x"], [name], name="id")], "id",
                          [helper.make_tensor_value_info("x", t, list(shape))],
                          [helper.make_tensor_value_info(name, t, list(out_shape or shape))])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), path)


def save_pb(arr, name, path):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(np.asarray(arr), name).SerializeToString())


class Case:
    """An identity model fed ref, compared with loaded out: crosscheck's 'out' vs 'ref'."""

    def __init__(self, xc, d, tag, out, ref, name="y"):
        self.xc, self.d = xc, d
        self.model, self.x, self.y = (os.path.join(d, "%s_%s" % (tag, n)) for n in ("m.onnx", "x.pb", "y.pb"))
        self.json = os.path.join(d, tag + ".json")
        identity_model(self.model, ref.dtype, ref.shape, name)
        save_pb(ref, "x", self.x)
        save_pb(out, name, self.y)

    def run(self, *extra):
        return run([self.xc, "run", self.model, "--ref", "--load-inputs", self.x, "--load-outputs", self.y, "--json", self.json]
                   + list(extra))

    def output(self):
        return json.load(open(self.json))["comparisons"][0]["outputs"][0]


def quiet_polygraphy():
    from polygraphy.logger import G_LOGGER
    G_LOGGER.module_severity = G_LOGGER.CRITICAL
    warnings.simplefilter("ignore")


def poly_indices(o, r, tol):
    from polygraphy.comparator import IndicesCompareFunc, IterationResult
    res = IndicesCompareFunc(index_tolerance=tol)(IterationResult({"y": o}, runner_name="out"), IterationResult({"y": r}, runner_name="ref"))
    return bool(res["y"])


def indices_side_by_side(s, xc, d):
    rng = np.random.default_rng(3)
    pairs = [("equal", [0, 1, 2], [0, 1, 2]), ("swapped neighbours", [0, 1, 2], [1, 0, 2]), ("rotated", [0, 1, 2], [1, 2, 0]),
             ("missing value", [0, 1, 5], [0, 1, 2]), ("last position differs", [4, 3, 2, 9], [4, 3, 2, 1]),
             ("far swap", [5, 1, 2, 3, 0], [0, 1, 2, 3, 5]), ("duplicates in ref", [1, 2, 3], [2, 2, 1])]
    perm = np.stack([rng.permutation(6) for _ in range(6)]).reshape(2, 3, 6)
    near = perm.copy()
    near[0, 1, [1, 2]] = near[0, 1, [2, 1]]
    near[1, 2, [0, 3]] = near[1, 2, [3, 0]]
    pairs += [("3-D batches, one near and one far swap", near, perm), ("3-D batches equal", perm, perm)]
    mism, n = [], 0
    for k, (label, o, r) in enumerate(pairs):
        o, r = np.asarray(o, np.int64), np.asarray(r, np.int64)
        c = Case(xc, d, "idx%d" % k, o, r)
        for tol in (0, 1, 2, 3):
            p = c.run("--compare-func", "indices", "--index-tolerance", str(tol))
            want = poly_indices(o, r, tol)
            n += 1
            got = p.returncode == 0
            ind = c.output().get("indices", {}) if p.returncode in (0, 1) else {}
            if p.returncode not in (0, 1) or got != want or ind.get("passed") != want:
                mism.append("%s tol %d: crosscheck rc %d, Polygraphy %s %s" % (label, tol, p.returncode, want, p.stderr.strip()))
    s.check("indices: crosscheck's verdict equals Polygraphy's IndicesCompareFunc on %d (pair, tolerance) cases" % n, not mism,
            "\n".join(mism))
    # per-output form, and the verdict line names what failed
    c = Case(xc, d, "idxname", np.array([5, 1, 2, 3, 0], np.int64), np.array([0, 1, 2, 3, 5], np.int64), name="cls:idx")
    p1, p2 = c.run("--compare-func", "indices", "--index-tolerance", "cls:idx:4"), c.run("--compare-func", "indices")
    s.check("indices: --index-tolerance NAME:N (a name holding ':') applies to that output",
            p1.returncode == 0 and p2.returncode == 1 and "4 positions away" in p2.stdout and "compare-func indices" in p2.stdout,
            p1.stdout[-600:] + p1.stderr + p2.stdout[-600:])


def poly_topk_then(o, r, k, axis, func):
    from polygraphy.comparator import IterationResult, SimpleCompareFunc, TopKPostprocessFunc, IndicesCompareFunc
    post = TopKPostprocessFunc(k=(k, axis) if axis is not None else k)
    a, b = post(IterationResult({"y": o.copy()}, runner_name="out")), post(IterationResult({"y": r.copy()}, runner_name="ref"))
    fn = IndicesCompareFunc(index_tolerance=func[1]) if func[0] == "indices" else SimpleCompareFunc()
    return bool(fn(a, b)["y"])


def postprocess_side_by_side(s, xc, d):
    rng = np.random.default_rng(5)
    logits = rng.standard_normal((2, 10)).astype(np.float32)
    noisy = (logits + rng.normal(0, 1e-3, logits.shape)).astype(np.float32)  # scores differ, ranking kept
    swap = logits.copy()
    order = np.argsort(-logits[0])
    swap[0, order[1]], swap[0, order[2]] = logits[0, order[2]], logits[0, order[1]]  # 2nd and 3rd place swap
    ties = np.array([[1, 3, 3, 0, 3, 2]], np.float32)
    nan = np.array([[0.5, np.nan, 0.9, 0.1]], np.float32)
    cases = [("noisy scores", noisy, logits), ("2nd/3rd swapped", swap, logits), ("ties kept in index order", ties, ties),
             ("NaN ranks last", nan, np.array([[0.5, 0.0, 0.9, 0.1]], np.float32)), ("axis 0", swap, logits)]
    mism, n = [], 0
    for k, (label, o, r) in enumerate(cases):
        c = Case(xc, d, "pp%d" % k, o, r)
        axis = 0 if label == "axis 0" else None
        for K in (1, 3, 5, 20):
            for func in (("simple", 0), ("indices", 1)):
                spec = "top-%d" % K + (",axis=%d" % axis if axis is not None else "")
                args = ["--postprocess", spec, "--compare-func", func[0]] + (["--index-tolerance", "1"] if func[0] == "indices" else [])
                p = c.run(*args)
                want = poly_topk_then(o, r, K, axis, func)
                n += 1
                if p.returncode not in (0, 1) or (p.returncode == 0) != want:
                    mism.append("%s %s %s: crosscheck rc %d, Polygraphy %s %s" % (label, spec, func[0], p.returncode, want, p.stderr.strip()))
    s.check("postprocess: --postprocess top-K[,axis=A] then simple or indices gives Polygraphy's verdict (%d cases)" % n, not mism,
            "\n".join(mism))
    c = Case(xc, d, "ppplain", noisy, logits)
    p0, p5 = c.run(), c.run("--postprocess", "top-5")
    s.check("postprocess: scores that differ fail, their top-5 classes pass (postprocessing printed)",
            p0.returncode == 1 and p5.returncode == 0 and "top-5 indices along axis -1" in p5.stdout, p5.stdout[-800:])
    bad = [c.run("--postprocess", v) for v in ("top-0", "top5", "top-5,axis=x", "y:bottom-3")]
    ax = c.run("--postprocess", "top-2,axis=3")
    s.check("postprocess: malformed specs and an axis the output lacks are one-line errors, exit 2",
            all(p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1 for p in bad + [ax]) and "rank 2" in ax.stderr,
            "\n".join(p.stderr for p in bad + [ax]))


def metrics_tests(s, xc, d):
    quiet_polygraphy()
    from polygraphy.comparator import IterationResult, CosineSimilarityCompareFunc, SnrCompareFunc, PsnrCompareFunc, L2CompareFunc
    rng = np.random.default_rng(7)
    r = rng.uniform(0.1, 1, (4, 16)).astype(np.float32)
    o = (r + rng.normal(0, 0.01, r.shape)).astype(np.float32)
    c = Case(xc, d, "met", o, r)
    p = c.run("--check-metric", "cosine>=0.9", "--check-metric", "snr>=10", "--check-metric", "psnr>=10", "--check-metric", "l2<=0.5",
              "--atol", "1", "--rtol", "1")
    got = {m["metric"]: m["value"] for m in c.output().get("metrics", [])} if p.returncode in (0, 1) else {}
    od, rd = o.astype(np.float64), r.astype(np.float64)
    want = {"cosine": float(np.sum(od * rd) / np.sqrt(np.sum(od * od) * np.sum(rd * rd))),
            "snr": float(10 * np.log10(np.sum(rd * rd) / np.sum((od - rd) ** 2))),
            "psnr": float(10 * np.log10(np.max(np.abs(rd)) ** 2 / np.mean((od - rd) ** 2))),
            "l2": float(np.linalg.norm(od - rd) / np.linalg.norm(rd))}

    def poly(fn, a, b):
        m = fn(IterationResult({"y": a}, runner_name="a"), IterationResult({"y": b}, runner_name="b"))["y"]
        return float(list(m.metric_values().values())[0])
    # Polygraphy takes its first runner as the signal: pass the reference first
    pwant = {"cosine": poly(CosineSimilarityCompareFunc(), r, o), "snr": poly(SnrCompareFunc(), r, o),
             "psnr": poly(PsnrCompareFunc(), r, o), "l2": poly(L2CompareFunc(), r, o) / float(np.linalg.norm(rd))}
    close = all(k in got and abs(got[k] - want[k]) <= 1e-9 * max(1, abs(want[k])) and abs(got[k] - pwant[k]) <= 1e-5 * max(1, abs(want[k]))
                for k in want)
    s.check("metrics: cosine, snr, psnr and relative l2 equal numpy's definitions and Polygraphy's functions (r >= 0, r as signal)",
            p.returncode == 0 and close, "got %s\nnumpy %s\npolygraphy %s\n%s" % (got, want, pwant, p.stderr))
    # bounds just either side of each measured value decide the verdict, and are printed with the value
    fails = []
    for m, v in want.items():
        hi = m != "l2"
        for margin, ok in ((-1e-6, True), (1e-6, False)):
            bound = v + margin * max(1, abs(v)) * (1 if hi else -1)
            p = c.run("--atol", "1", "--rtol", "1", "--check-metric", "%s%s%.12g" % (m, ">=" if hi else "<=", bound))
            printed = re.search(r"(PASSED|FAILED)  %s=\S+( dB)? (>=|<|<=|>) " % m, p.stdout)
            if (p.returncode == 0) != ok or not printed:
                fails.append("%s bound %.12g: rc %d\n%s" % (m, bound, p.returncode, p.stdout[-400:]))
    s.check("metrics: a bound just past the measured value fails the output (exit 1), just short of it passes; the value is printed",
            not fails, "\n".join(fails))
    p = c.run("--atol", "1", "--rtol", "1", "--check-metric", "cosine>=0.5", "--check-metric", "y:cosine>=0.99999999")
    s.check("metrics: NAME:metric>=X overrides the global bound for that output", p.returncode == 1 and "0.99999999" in p.stdout,
            p.stdout[-500:])
    bad = [c.run("--check-metric", v) for v in ("cosine>0.9", "cos>=0.9", "l2>=0.1", "snr<=3", "snr>=abc", "psnr>=", "cosine")]
    s.check("metrics: malformed --check-metric specs are one-line errors, exit 2",
            all(p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1 for p in bad), "\n".join(p.stderr for p in bad))
    nan = o.copy()
    nan[0, 0] = np.nan
    cn = Case(xc, d, "metnan", nan, r)
    p = cn.run("--atol", "1", "--rtol", "1", "--check-metric", "l2<=1e9")
    s.check("metrics: a NaN against a number makes the metric NaN, which fails any bound", p.returncode == 1 and "l2=nan" in p.stdout,
            p.stdout[-400:])


def poly_shapes(o, r):
    from polygraphy.comparator import IterationResult, SimpleCompareFunc
    try:
        res = SimpleCompareFunc(check_shapes=False)(IterationResult({"y": o}, runner_name="o"), IterationResult({"y": r}, runner_name="r"))
        return bool(res["y"])
    except Exception:
        return None  # Polygraphy raises when the element counts differ


def shape_check_tests(s, xc, d):
    a = np.arange(6, dtype=np.float32).reshape(2, 3) + 1
    cases = [("transposed [3,2] vs [2,3]", a, a.T.copy()), ("reshaped [1,6]", a, a.reshape(1, 6)), ("rank 3 [2,3,1]", a, a.reshape(2, 3, 1)),
             ("wrong values reshaped", a, (a + 1).reshape(6)), ("same dims, transposed wrongly", a, a.reshape(3, 2)),
             ("[2,2] vs [2,2] transposed data", np.array([[1, 2], [3, 4]], np.float32), np.array([[1, 3], [2, 4]], np.float32)),
             ("element counts differ", a, np.ones(7, np.float32))]
    mism = []
    for k, (label, o, r) in enumerate(cases):
        d2 = os.path.join(d, "shape%d" % k)
        os.makedirs(d2, exist_ok=True)
        c = Case(xc, d2, "s", o, r)
        strict, loose = c.run("--tolerance-preset", "polygraphy"), c.run("--tolerance-preset", "polygraphy", "--no-shape-check")
        want = poly_shapes(o, r)
        want_strict = o.shape == r.shape and bool(np.all(o == r))
        if loose.returncode != (1 if want in (None, False) else 0) or strict.returncode != (0 if want_strict else 1):
            mism.append("%s: strict rc %d, --no-shape-check rc %d, Polygraphy %s\n%s%s" % (label, strict.returncode, loose.returncode, want,
                                                                                           loose.stdout[-300:], loose.stderr))
    s.check("--no-shape-check: reshape/transpose as Polygraphy's try_match_shape; verdicts equal its own on %d pairs "
            "(counts that differ stay a shape mismatch, exit 1, where Polygraphy raises)" % len(cases), not mism, "\n".join(mism))
    c = Case(xc, os.path.join(d, "shape0"), "s", a, a.T.copy())
    p = c.run("--no-shape-check")
    s.check("--no-shape-check: the report says the reference was transposed", "reference [3,2] transposed to [2,3]" in p.stdout, p.stdout)


def percentiles_test(s, xc, d):
    rng = np.random.default_rng(9)
    r = rng.uniform(0.5, 1, 200).astype(np.float32)
    o = (r + rng.normal(0, 1e-3, 200)).astype(np.float32)
    c = Case(xc, d, "pct", o, r)
    p = c.run()
    e = np.abs(o.astype(np.float64) - r.astype(np.float64))
    m = re.search(r"abs error .* p90=(\S+) p95=(\S+) p99=(\S+)", p.stdout)
    j = c.output()
    ok = m and all(abs(float(m.group(i + 1)) - np.quantile(e, q)) <= 1e-3 * np.quantile(e, q) and
                   abs(j["p%d_abs" % int(q * 100)] - np.quantile(e, q)) <= 1e-12 for i, q in enumerate((0.9, 0.95, 0.99)))
    s.check("statistics: p90/p95/p99 of |error| are printed and in the JSON, equal to numpy.quantile", bool(ok), p.stdout[-500:])


def read_png(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "signature"
    pos, chunks, idat = 8, {}, b""
    while pos < len(data):
        n, = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        crc, = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
        assert zlib.crc32(kind + body) == crc, "crc of " + kind.decode()
        if kind == b"IDAT":
            idat += body
        elif kind == b"tEXt":
            k, v = body.split(b"\0", 1)
            chunks[k.decode()] = v.decode("latin-1")
        else:
            chunks[kind.decode()] = body
        pos += 12 + n
    w, h, depth, ctype = struct.unpack(">IIBB", chunks["IHDR"][:10])
    raw = zlib.decompress(idat)
    assert depth == 8 and ctype == 2 and len(raw) == h * (3 * w + 1)
    rows = [raw[y * (3 * w + 1):(y + 1) * (3 * w + 1)] for y in range(h)]
    assert all(row[0] == 0 for row in rows)
    img = np.frombuffer(b"".join(row[1:] for row in rows), np.uint8).reshape(h, w, 3)
    return w, h, img, chunks


def pictures_tests(s, xc, d):
    rng = np.random.default_rng(13)
    r = rng.uniform(0.5, 1, (2, 3, 6, 7)).astype(np.float32)
    o = (r + rng.normal(0, 1e-4, r.shape)).astype(np.float32)
    o[1, 1, 4, 2] += 0.5  # the planted error
    o[0, 2, 1, 5] = np.nan  # a non-finite mismatch
    name = "logits/out:0"
    c = Case(xc, d, "pic", o, r, name=name)
    hm, svg = os.path.join(d, "heat maps"), os.path.join(d, "errors.svg")
    p = c.run("--save-heatmaps", hm, "--save-error-plot", svg)
    files = sorted(os.listdir(hm)) if os.path.isdir(hm) else []
    s.check("heatmaps: one PNG per compared output, named from the output made filesystem-safe (a hash tells 'a/b' from 'a:b')",
            p.returncode == 1 and len(files) == 1 and re.fullmatch(r"logits_out_0-[0-9a-f]{8}\.loaded-vs-ref\.it0\.png", files[0]) is not None,
            str(files) + p.stderr)
    if not files:
        return
    try:
        w, h, img, ch = read_png(os.path.join(hm, files[0]))
        lay = dict(kv.split("=") for kv in ch["crosscheck:layout"].split())
        valid = True
    except Exception as e:  # noqa: BLE001 - any parse failure is the finding
        s.check("heatmaps: the PNG is valid (signature, IHDR, CRCs, zlib data)", False, repr(e))
        return
    s.check("heatmaps: the PNG is valid (signature, IHDR, CRCs, zlib data) and carries title and layout", valid and
            "logits/out:0" in ch.get("Title", "") and lay["slices"] == "6" and lay["slice"] == "6x7", str(ch.get("Title")) + str(lay))
    cw, chh = map(int, lay["cell"].split("x"))
    ox, oy = map(int, lay["origin"].split(","))
    gap, cols, lx = int(lay["gap"]), int(lay["cols"]), int(lay["legend_x"])

    def cells_of(mask):
        ys, xs = np.nonzero(mask[:, :lx])
        found = set()
        for y, x in zip(ys, xs):
            tx, ty = (x - ox) // (7 * cw + gap), (y - oy) // (6 * chh + gap)
            cx, cy = (x - ox - tx * (7 * cw + gap)) // cw, (y - oy - ty * (6 * chh + gap)) // chh
            sl = ty * cols + tx
            found.add((sl // 3, sl % 3, cy, cx))
        return found
    hottest = np.all(img == np.array([252, 255, 164], np.uint8), axis=2)  # the top of the colour scale
    s.check("heatmaps: the hottest pixels are exactly the planted error's cell (slice [1,1], row 4, column 2)",
            cells_of(hottest) == {(1, 1, 4, 2)} and hottest[:, lx:].any(), str(cells_of(hottest)))
    cyan = np.all(img == np.array([0, 255, 255], np.uint8), axis=2)
    s.check("heatmaps: the NaN mismatch is cyan, at its own cell, and the scale has a cyan swatch",
            cells_of(cyan) == {(0, 2, 1, 5)} and cyan[:, lx:].any(), str(cells_of(cyan)))
    try:
        root = ET.parse(svg).getroot()
        ok_xml = True
    except Exception as e:  # noqa: BLE001
        root, ok_xml = None, repr(e)
    s.check("error plot: the SVG parses as XML", ok_xml is True, str(ok_xml))
    if root is None:
        return
    ns = "{http://www.w3.org/2000/svg}"
    circles = list(root.iter(ns + "circle"))
    red = [int(c.get("data-index")) for c in circles if c.get("fill") == "#d62728"]
    failed = c.output()["failed"]
    s.check("error plot: a point per finite pair, the planted error red, red points = the failing count (less the NaN), a tolerance line",
            len(circles) == r.size - 1 and np.ravel_multi_index((1, 1, 4, 2), r.shape) in red and len(red) == failed - 1 and
            any(e.get("class") == "tolerance" for e in root.iter(ns + "polyline")),
            "circles %d red %s failed %d" % (len(circles), red[:5], failed))


def check_average_tests(s, xc, d):
    """Iterations differ through an injected fault on the OpenCL engine (y = 1.01 x)."""
    quiet_polygraphy()
    g = helper.make_graph([helper.make_node("Mul", ["x", "c"], ["y"], name="mul")], "m",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])], [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])],
                          [numpy_helper.from_array(np.array(1.0, np.float32), "c")])
    model = os.path.join(d, "avg.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), model)
    saved, js = os.path.join(d, "avg_saved"), os.path.join(d, "avg.json")
    base = [xc, "run", model, "--ref", "--ocl", "--iterations", "4", "--inject-fault", "op=Mul:scale=1.01", "--check-error-stat", "mean",
            "--rtol", "0"]
    p = run(base + ["--atol", "1", "--save-outputs", saved, "--json", js])
    if not s.check("check-average: the faulty engine runs 4 iterations", p.returncode == 0, p.stderr):
        return
    idx = json.load(open(os.path.join(saved, "index.json")))
    ents = idx.get("tensors", idx.get("entries", []))
    outs = {(e["runner"], e["iteration"]): numpy_helper.to_array(onnx.load_tensor(os.path.join(saved, e["file"])))
            for e in ents if e["role"] == "output"}
    per_it = [cmp["outputs"][0]["check_abs"] for cmp in json.load(open(js))["comparisons"]]
    mean = float(np.mean(per_it))
    from polygraphy.comparator import Comparator, RunResults, IterationResult, SimpleCompareFunc
    rr = RunResults()
    for runner in ("ocl", "ref"):
        rr.append((runner, [IterationResult({"y": outs[(runner, it)]}, runner_name=runner) for it in range(4)]))
    mism = []
    for atol in (mean * 0.98, mean * 1.02, min(per_it) * 1.0001, max(per_it) * 1.0001):
        p = run(base + ["--atol", repr(atol), "--check-average", "--json", js])
        fn = SimpleCompareFunc(check_error_stat="mean", atol=atol, rtol=0)
        want = bool(Comparator.compare_accuracy(rr, compare_func=fn, check_average=True))
        avg = json.load(open(js)).get("averages", [{}])[0] if p.returncode in (0, 1) else {}
        if (p.returncode == 0) != want or abs(avg.get("check_abs", -1) - mean) > 1e-12 * mean:
            mism.append("atol %g: rc %d, Polygraphy %s, average %s vs %g\n%s" % (atol, p.returncode, want, avg.get("check_abs"), mean,
                                                                                 p.stdout[-300:] + p.stderr))
    s.check("check-average: the verdict is on the statistic averaged over iterations, equal to Polygraphy's "
            "compare_accuracy(check_average=True) at 4 tolerances (iterations disagreeing among themselves)", not mism, "\n".join(mism))
    bad = [run([xc, "run", model, "--ref", "--check-average"] + a) for a in
           ([], ["--check-error-stat", "elemwise"], ["--check-error-stat", "max", "--fail-fast"],
            ["--check-error-stat", "max", "--compare-func", "indices"], ["--check-error-stat", "max", "--check-error-stat", "y:elemwise"])]
    s.check("check-average: without a statistic, with elemwise, --fail-fast or indices: one-line errors, exit 2",
            all(p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1 for p in bad), "\n".join(p.stderr for p in bad))


def show_values_tests(s, xc, d):
    t = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 8
    f = os.path.join(d, "vals.pb")
    save_pb(t, "v", f)
    p = run([xc, "inspect", "results", f, "--show-values", "--max-values", "10"])
    lines = [l.strip() for l in p.stdout.splitlines()]
    s.check("inspect results --show-values: rows of the last axis with their coordinates, cut at --max-values with '... N more'",
            p.returncode == 0 and "[0,0,:] 0 0.125 0.25 0.375" in lines and "[0,2,:] 1 1.125" in lines and
            "... 14 more values (of 24)" in lines, p.stdout + p.stderr)
    p = run([xc, "inspect", "results", f, "--show-values", "--max-values", "0"])
    s.check("inspect results --show-values --max-values 0: every value, no marker",
            "[1,2,:] 2.5 2.625 2.75 2.875" in p.stdout and "more value" not in p.stdout, p.stdout)
    p = run([xc, "inspect", "results", f])
    s.check("inspect results without --show-values prints no values", "[0,0,:]" not in p.stdout, p.stdout)


def surface_tests(s, xc, build, tmp):
    d = os.path.join(tmp, "surface")
    os.makedirs(d, exist_ok=True)
    quiet_polygraphy()
    with np.errstate(all="ignore"):
        indices_side_by_side(s, xc, d)
        postprocess_side_by_side(s, xc, d)
        metrics_tests(s, xc, d)
        shape_check_tests(s, xc, d)
        percentiles_test(s, xc, d)
        pictures_tests(s, xc, d)
        show_values_tests(s, xc, d)
        check_average_tests(s, xc, d)
