"""vision_ops: the detection and sampling ops of the reference interpreter (NonMaxSuppression,
RoiAlign, MaxRoiPool, GridSample, AffineGrid, DeformConv, Col2Im, CenterCropPad, MaxUnpool).

Each case is a one-node model built here; `crosscheck run MODEL --ref` runs it on inputs loaded
from a test_data_set folder and its saved output is compared with ONNX Runtime, or with
onnx.reference.ReferenceEvaluator where ORT lacks the mode (3-D GridSample, N-cubic) or differs
from the ONNX node suite (MaxUnpool with output_shape). NonMaxSuppression's indices must match
exactly, shape included. Bad attributes and inputs must give one line naming the node, exit 2."""
import os
import subprocess

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F = TensorProto.FLOAT
I64 = TensorProto.INT64


def _model(op, inputs, attrs, opset, n_out=1, inits=(), symbolic=False):
    """inputs: list of (name, np.ndarray or None for an omitted optional input); symbolic: every
    graph input's dims are named, not numbers (load-time inference sees unknown sizes)."""
    names = [n if v is not None else "" for n, v in inputs]
    node = helper.make_node(op, names, ["y"] if n_out == 1 else ["y%d" % i for i in range(n_out)], name="node_" + op.lower(), **attrs)
    init_names = {n for n, _ in inits}
    vi = [helper.make_tensor_value_info(n, helper.np_dtype_to_tensor_dtype(v.dtype),
                                        ["%s_%d" % (n, k) for k in range(v.ndim)] if symbolic else list(v.shape))
          for n, v in inputs if v is not None and n not in init_names]
    g = helper.make_graph([node], "g", vi, [helper.make_tensor_value_info("y", F if op != "NonMaxSuppression" else I64, None)],
                          initializer=[numpy_helper.from_array(v, n) for n, v in inits])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], ir_version=9)


def _write_case(tmp, label, model, feeds):
    d = os.path.join(tmp, "vision", label.replace(" ", "_").replace("/", "_").replace("=", "").replace(",", "_"))
    os.makedirs(os.path.join(d, "in"), exist_ok=True)
    path = os.path.join(d, "model.onnx")
    onnx.save(model, path)
    for i, (n, v) in enumerate(feeds):
        with open(os.path.join(d, "in", "input_%d.pb" % i), "wb") as f:
            f.write(numpy_helper.from_array(v, n).SerializeToString())
    return d, path


def _run_ref(xc, d, path):
    out = os.path.join(d, "out")
    r = subprocess.run([xc, "run", path, "--ref", "--load-inputs", os.path.join(d, "in"), "--save-outputs", out],
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        return None, r
    t = onnx.TensorProto()
    with open(os.path.join(out, "output_0.pb"), "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t), r


def _judge(model, feeds, judge):
    if judge == "ort":
        import onnxruntime as ort
        sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
        return sess.run(None, dict(feeds))[0]
    from onnx.reference import ReferenceEvaluator
    return ReferenceEvaluator(model).run(None, dict(feeds))[0]


def _case(s, xc, tmp, label, op, inputs, attrs, opset, judge="ort", exact=False, inits=(), tol=1e-4, symbolic=False):
    model = _model(op, inputs, attrs, opset, inits=inits, symbolic=symbolic)
    feeds = [(n, v) for n, v in inputs if v is not None and n not in {k for k, _ in inits}]
    d, path = _write_case(tmp, label, model, feeds)
    got, r = _run_ref(xc, d, path)
    want = _judge(_model(op, inputs, attrs, opset, inits=inits), feeds, judge)
    if got is None:
        s.check("vision %s (vs %s)" % (label, judge), False, r.stderr[-800:])
        return
    if exact:
        ok = got.shape == want.shape and np.array_equal(got, want)
    else:
        ok = got.shape == want.shape and np.allclose(got, want, rtol=tol, atol=tol)
    detail = "" if ok else "got %s %s\nwant %s %s" % (got.shape, np.array2string(got.ravel()[:24]), want.shape,
                                                     np.array2string(want.ravel()[:24]))
    s.check("vision %s (vs %s)" % (label, judge), ok, detail)


def _bad(s, xc, tmp, label, op, inputs, attrs, opset, needle, inits=()):
    model = _model(op, inputs, attrs, opset, inits=inits)
    feeds = [(n, v) for n, v in inputs if v is not None and n not in {k for k, _ in inits}]
    d, path = _write_case(tmp, "bad " + label, model, feeds)
    r = subprocess.run([xc, "run", path, "--ref", "--load-inputs", os.path.join(d, "in")], capture_output=True, text=True, timeout=120)
    lines = r.stderr.strip().splitlines()
    ok = r.returncode == 2 and len(lines) == 1 and "node_" + op.lower() in lines[0] and needle in lines[0]
    s.check("vision bad input: %s is one line naming the node" % label, ok, "rc=%d\n%s" % (r.returncode, r.stderr[-600:]))


def _boxes(rng, b, n, center=False):
    xy = rng.uniform(0, 10, (b, n, 2)).astype(np.float32)
    wh = rng.uniform(0.5, 4, (b, n, 2)).astype(np.float32)
    if center:
        return np.concatenate([xy, wh], axis=2)
    box = np.concatenate([xy, xy + wh], axis=2)
    flip = rng.random((b, n)) < 0.3  # corners in either order
    box[flip] = box[flip][:, [2, 3, 0, 1]]
    return box


def nms_cases(s, xc, tmp, rng):
    b, c, n = 2, 3, 40
    scores = (rng.integers(0, 10, (b, c, n)) / 10).astype(np.float32)  # many equal scores: ties
    i64, f32 = np.int64, np.float32
    for cpb in (0, 1):
        boxes = _boxes(rng, b, n, center=cpb == 1)
        for mx, iou, st in ((5, 0.5, 0.3), (100, 0.0, None), (3, 1.0, 0.0), (0, 0.5, 0.2), (-1, 0.5, 0.2), (None, 0.5, 0.2)):
            ins = [("boxes", boxes), ("scores", scores), ("max", None if mx is None else np.array([mx], i64)),
                   ("iou", np.array([iou], f32)), ("score", None if st is None else np.array([st], f32))]
            while ins[-1][1] is None:
                ins.pop()
            label = "NMS center_point_box=%d max=%s iou=%s score=%s" % (cpb, mx, iou, st)
            _case(s, xc, tmp, label, "NonMaxSuppression", ins, {"center_point_box": cpb}, 11, exact=True)
    # identical boxes with identical scores: the lowest index is kept, as ORT keeps it
    same = np.tile(np.array([[[0, 0, 1, 1]]], np.float32), (1, 6, 1))
    _case(s, xc, tmp, "NMS identical boxes tie", "NonMaxSuppression",
          [("boxes", same), ("scores", np.full((1, 1, 6), 0.9, np.float32)), ("max", np.array([3], i64)),
           ("iou", np.array([0.5], f32))], {}, 10, exact=True)


def roi_cases(s, xc, tmp, rng):
    x = rng.standard_normal((2, 3, 12, 10)).astype(np.float32)
    rois = np.array([[0, 0, 9, 9], [1.5, 2.2, 7.9, 11.0], [-3, -2, 4, 5], [5, 5, 5.5, 5.2], [2, 1, 30, 20]], np.float32)
    bi = np.array([0, 1, 1, 0, 1], np.int64)
    ins = [("X", x), ("rois", rois), ("batch_indices", bi)]
    for opset, mode, ctm, sr, scale in ((16, "avg", "half_pixel", 0, 1.0), (16, "avg", "output_half_pixel", 2, 0.5),
                                        (16, "max", "half_pixel", 0, 1.0), (16, "max", "output_half_pixel", 3, 0.75),
                                        (10, "avg", None, 0, 0.5), (10, "max", None, 2, 1.0)):
        attrs = {"mode": mode, "output_height": 3, "output_width": 4, "sampling_ratio": sr, "spatial_scale": scale}
        if ctm:
            attrs["coordinate_transformation_mode"] = ctm
        _case(s, xc, tmp, "RoiAlign-%d %s %s sampling_ratio=%d" % (opset, mode, ctm or "default", sr), "RoiAlign", ins, attrs, opset)
    rois5 = np.concatenate([bi[:, None].astype(np.float32), rois], axis=1)
    _case(s, xc, tmp, "MaxRoiPool 2x3 scale=0.5", "MaxRoiPool", [("X", x), ("rois", rois5)],
          {"pooled_shape": [2, 3], "spatial_scale": 0.5}, 1)


def grid_cases(s, xc, tmp, rng):
    x = rng.standard_normal((2, 2, 5, 6)).astype(np.float32)
    grid = rng.uniform(-1.4, 1.4, (2, 4, 3, 2)).astype(np.float32)
    for mode in ("bilinear", "nearest", "bicubic"):
        for pad in ("zeros", "border", "reflection"):
            for ac in (0, 1):
                _case(s, xc, tmp, "GridSample-16 %s %s align_corners=%d" % (mode, pad, ac), "GridSample",
                      [("X", x), ("grid", grid)], {"mode": mode, "padding_mode": pad, "align_corners": ac}, 16)
    x3 = rng.standard_normal((1, 2, 3, 4, 3)).astype(np.float32)
    g3 = rng.uniform(-1.3, 1.3, (1, 2, 2, 3, 3)).astype(np.float32)
    for mode in ("linear", "nearest", "cubic"):
        for pad, ac in (("zeros", 0), ("border", 1), ("reflection", 0), ("reflection", 1)):
            if mode == "cubic" and pad != "zeros":
                continue  # the ONNX reference clamps/mirrors the coordinate first; ORT (followed here) pads each tap
            _case(s, xc, tmp, "GridSample-20 3-D %s %s align_corners=%d" % (mode, pad, ac), "GridSample",
                  [("X", x3), ("grid", g3)], {"mode": mode, "padding_mode": pad, "align_corners": ac}, 20, judge="onnx")
    x1 = rng.standard_normal((2, 3, 7)).astype(np.float32)
    g1 = rng.uniform(-1.3, 1.3, (2, 5, 1)).astype(np.float32)
    for mode, pad, ac in (("linear", "border", 0), ("nearest", "reflection", 1), ("cubic", "zeros", 0)):
        _case(s, xc, tmp, "GridSample-20 1-D %s %s align_corners=%d" % (mode, pad, ac), "GridSample", [("X", x1), ("grid", g1)],
              {"mode": mode, "padding_mode": pad, "align_corners": ac}, 20, judge="onnx")
    for pad in ("reflection", "border"):
        _case(s, xc, tmp, "GridSample-20 2-D cubic %s" % pad, "GridSample", [("X", x), ("grid", grid * 2)],
              {"mode": "cubic", "padding_mode": pad, "align_corners": 0}, 20)
    _case(s, xc, tmp, "GridSample-20 3-D cubic zeros align_corners=1", "GridSample", [("X", x3), ("grid", g3)],
          {"mode": "cubic", "padding_mode": "zeros", "align_corners": 1}, 20, judge="onnx")


def affine_cases(s, xc, tmp, rng):
    for size, ac in (([2, 3, 4, 5], 0), ([2, 3, 4, 5], 1), ([2, 1, 3, 4, 5], 0), ([2, 1, 3, 4, 5], 1)):
        nsp = len(size) - 2
        theta = rng.standard_normal((2, nsp, nsp + 1)).astype(np.float32)
        _case(s, xc, tmp, "AffineGrid %d-D align_corners=%d" % (nsp, ac), "AffineGrid",
              [("theta", theta), ("size", np.array(size, np.int64))], {"align_corners": ac}, 20,
              inits=[("size", np.array(size, np.int64))])


def deform_cases(s, xc, tmp, rng):
    x = rng.standard_normal((2, 4, 7, 6)).astype(np.float32)
    for label, attrs, kh, kw, group, og, mask, bias in (
            ("plain 3x3", {}, 3, 3, 1, 1, False, False),
            ("mask bias pads", {"pads": [1, 1, 1, 1]}, 3, 3, 1, 1, True, True),
            ("groups=2 offset_group=2 strides dilations", {"group": 2, "offset_group": 2, "strides": [2, 1], "dilations": [1, 2]},
             2, 3, 2, 2, True, False)):
        attrs = dict(attrs)
        if group > 1:
            attrs["group"] = group
        if og > 1:
            attrs["offset_group"] = og
        w = rng.standard_normal((4, 4 // group, kh, kw)).astype(np.float32)
        p = attrs.get("pads", [0, 0, 0, 0])
        st, dl = attrs.get("strides", [1, 1]), attrs.get("dilations", [1, 1])
        oh = (7 + p[0] + p[2] - dl[0] * (kh - 1) - 1) // st[0] + 1
        ow = (6 + p[1] + p[3] - dl[1] * (kw - 1) - 1) // st[1] + 1
        off = rng.uniform(-2, 2, (2, og * 2 * kh * kw, oh, ow)).astype(np.float32)
        ins = [("X", x), ("W", w), ("offset", off), ("B", rng.standard_normal(4).astype(np.float32) if bias else None),
               ("mask", rng.uniform(0, 1, (2, og * kh * kw, oh, ow)).astype(np.float32) if mask else None)]
        while ins[-1][1] is None:
            ins.pop()
        for judge in ("ort", "onnx"):
            _case(s, xc, tmp, "DeformConv %s" % label, "DeformConv", ins, attrs, 19, judge=judge)


def col2im_cases(s, xc, tmp, rng):
    for label, img, blk, attrs in (("2-D pads strides dilations", [6, 7], [2, 3], {"pads": [1, 0, 1, 2], "strides": [2, 1], "dilations": [1, 2]}),
                                   ("2-D plain", [4, 5], [2, 2], {}),
                                   ("3-D", [3, 4, 3], [2, 2, 1], {"strides": [1, 2, 1]})):
        nsp = len(img)
        p = attrs.get("pads", [0] * 2 * nsp)
        st, dl = attrs.get("strides", [1] * nsp), attrs.get("dilations", [1] * nsp)
        L = 1
        for a in range(nsp):
            L *= (img[a] + p[a] + p[a + nsp] - dl[a] * (blk[a] - 1) - 1) // st[a] + 1
        x = rng.standard_normal((2, 3 * int(np.prod(blk)), L)).astype(np.float32)
        inits = [("image_shape", np.array(img, np.int64)), ("block_shape", np.array(blk, np.int64))]
        _case(s, xc, tmp, "Col2Im %s" % label, "Col2Im", [("input", x)] + inits, attrs, 18, inits=inits,
              judge="ort" if nsp == 2 else "onnx")


def crop_cases(s, xc, tmp, rng):
    x = rng.standard_normal((5, 6, 3)).astype(np.float32)
    for label, shape, axes in (("crop and pad all axes", [3, 9, 4], None), ("axes hwc", [4, 8], [0, 1]),
                               ("negative axes", [2, 3], [-3, -2]), ("odd pad", [5, 6, 6], None)):
        attrs = {"axes": axes} if axes else {}
        _case(s, xc, tmp, "CenterCropPad %s" % label, "CenterCropPad", [("input_data", x), ("shape", np.array(shape, np.int64))],
              attrs, 18, inits=[("shape", np.array(shape, np.int64))], exact=True)


def unpool_cases(s, xc, tmp, rng):
    x = rng.standard_normal((2, 3, 6, 7)).astype(np.float32)
    import onnxruntime as ort
    pool = helper.make_model(helper.make_graph(
        [helper.make_node("MaxPool", ["x"], ["p", "i"], kernel_shape=[2, 3], strides=[2, 2])], "g",
        [helper.make_tensor_value_info("x", F, list(x.shape))],
        [helper.make_tensor_value_info("p", F, None), helper.make_tensor_value_info("i", I64, None)]),
        opset_imports=[helper.make_opsetid("", 11)])
    p, ind = ort.InferenceSession(pool.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"x": x})
    attrs = {"kernel_shape": [2, 3], "strides": [2, 2]}
    _case(s, xc, tmp, "MaxUnpool of MaxPool's indices", "MaxUnpool", [("X", p), ("I", ind)], attrs, 11, exact=True)
    os_ = np.array([2, 3, 8, 9], np.int64)
    # ORT reads indices as offsets into output_shape; the ONNX node suite (and so crosscheck) into the inferred shape
    _case(s, xc, tmp, "MaxUnpool output_shape", "MaxUnpool", [("X", p), ("I", ind), ("output_shape", os_)], attrs, 11,
          judge="onnx", exact=True, inits=[("output_shape", os_)])
    # pads shrink the inferred output: (3-1)*2 + 2 - 1 - 1 = 4 per axis; any distinct indices inside it
    xs = rng.standard_normal((1, 2, 3, 3)).astype(np.float32)
    idx = rng.permutation(2 * 4 * 4)[:18].reshape(xs.shape).astype(np.int64)
    _case(s, xc, tmp, "MaxUnpool-9 pads", "MaxUnpool", [("X", xs), ("I", idx)],
          {"kernel_shape": [2, 2], "strides": [2, 2], "pads": [1, 1, 1, 1]}, 9, exact=True)


def bad_cases(s, xc, tmp, rng):
    f32, i64 = np.float32, np.int64
    boxes = _boxes(rng, 1, 4)
    scores = rng.random((1, 1, 4)).astype(f32)
    _bad(s, xc, tmp, "NMS center_point_box=2", "NonMaxSuppression", [("boxes", boxes), ("scores", scores)],
         {"center_point_box": 2}, 11, "center_point_box")
    _bad(s, xc, tmp, "NMS boxes of 5 coordinates", "NonMaxSuppression",
         [("boxes", np.zeros((1, 4, 5), f32)), ("scores", scores)], {}, 11, "boxes")
    _bad(s, xc, tmp, "NMS iou_threshold 1.5", "NonMaxSuppression",
         [("boxes", boxes), ("scores", scores), ("max", np.array([2], i64)), ("iou", np.array([1.5], f32))], {}, 11,
         "iou_threshold")
    x = rng.standard_normal((1, 2, 5, 5)).astype(f32)
    rois = np.array([[0, 0, 3, 3]], f32)
    _bad(s, xc, tmp, "RoiAlign mode median", "RoiAlign", [("X", x), ("rois", rois), ("bi", np.array([0], i64))],
         {"mode": "median"}, 16, "mode 'median'")
    _bad(s, xc, tmp, "RoiAlign batch index 3 of 1", "RoiAlign", [("X", x), ("rois", rois), ("bi", np.array([3], i64))],
         {}, 16, "batch_indices")
    _bad(s, xc, tmp, "RoiAlign on an empty map", "RoiAlign",
         [("X", np.zeros((1, 2, 0, 5), f32)), ("rois", rois), ("bi", np.array([0], i64))], {}, 16, "empty spatial axis")
    grid = np.zeros((1, 2, 2, 2), f32)
    _bad(s, xc, tmp, "GridSample-20 old mode name bilinear", "GridSample", [("X", x), ("grid", grid)],
         {"mode": "bilinear"}, 20, "mode 'bilinear'")
    _bad(s, xc, tmp, "GridSample padding_mode mirror", "GridSample", [("X", x), ("grid", grid)],
         {"padding_mode": "mirror"}, 16, "padding_mode")
    _bad(s, xc, tmp, "GridSample grid of 3 coordinates for 2-D", "GridSample", [("X", x), ("grid", np.zeros((1, 2, 2, 3), f32))],
         {}, 16, "grid")
    _bad(s, xc, tmp, "AffineGrid size of 3 values", "AffineGrid",
         [("theta", np.zeros((1, 2, 3), f32)), ("size", np.array([1, 2, 3], i64))], {}, 20, "size",
         inits=[("size", np.array([1, 2, 3], i64))])
    _bad(s, xc, tmp, "DeformConv offset channels", "DeformConv",
         [("X", x), ("W", np.zeros((2, 2, 3, 3), f32)), ("offset", np.zeros((1, 9, 3, 3), f32))], {}, 19, "offset")
    _bad(s, xc, tmp, "Col2Im block count", "Col2Im",
         [("input", np.zeros((1, 4, 5), f32)), ("image_shape", np.array([3, 3], i64)), ("block_shape", np.array([2, 2], i64))],
         {}, 18, "blocks", inits=[("image_shape", np.array([3, 3], i64)), ("block_shape", np.array([2, 2], i64))])
    _bad(s, xc, tmp, "CenterCropPad axis twice", "CenterCropPad",
         [("input_data", x), ("shape", np.array([2, 2], i64))], {"axes": [1, -3]}, 18, "twice",
         inits=[("shape", np.array([2, 2], i64))])
    _bad(s, xc, tmp, "MaxUnpool index out of range", "MaxUnpool",
         [("X", np.ones((1, 1, 2, 2), f32)), ("I", np.array([[[[0, 1], [2, 99]]]], i64))], {"kernel_shape": [2, 2], "strides": [2, 2]},
         11, "index 99")


def _nan_case(s, xc, tmp, label, op, inputs, attrs, opset, nan_at):
    """A NaN coordinate gives NaN exactly where nan_at (a boolean mask of the output) says."""
    model = _model(op, inputs, attrs, opset)
    d, path = _write_case(tmp, "nan " + label, model, inputs)
    got, r = _run_ref(xc, d, path)
    ok = got is not None and got.shape == nan_at.shape and np.array_equal(np.isnan(got), nan_at)
    s.check("vision %s: NaN exactly where the coordinate is NaN" % label, ok, r.stderr[-600:] if got is None else str(got))


def nan_cases(s, xc, tmp, rng):
    f32 = np.float32
    x = rng.standard_normal((1, 2, 5, 5)).astype(f32)
    grid = rng.uniform(-1, 1, (1, 2, 3, 2)).astype(f32)
    grid[0, 1, 2, 0] = np.nan
    mask = np.zeros((1, 2, 2, 3), bool)
    mask[:, :, 1, 2] = True
    for mode in ("linear", "nearest", "cubic"):
        _nan_case(s, xc, tmp, "GridSample %s" % mode, "GridSample", [("X", x), ("grid", grid)], {"mode": mode}, 20, mask)
    rois = np.array([[0, 0, 3, 3], [1, np.nan, 2, 4]], f32)
    mask = np.zeros((2, 2, 2, 2), bool)
    mask[1] = True
    _nan_case(s, xc, tmp, "RoiAlign sampling_ratio=2", "RoiAlign", [("X", x), ("rois", rois), ("bi", np.array([0, 0], np.int64))],
              {"sampling_ratio": 2, "output_height": 2, "output_width": 2}, 16, mask)
    _nan_case(s, xc, tmp, "MaxRoiPool", "MaxRoiPool", [("X", x), ("rois", np.concatenate([np.zeros((2, 1), f32), rois], 1))],
              {"pooled_shape": [2, 2]}, 1, mask)


def symbolic_cases(s, xc, tmp, rng):
    """Every op once with named input dims and its shape inputs fed at run time, not constants."""
    f32, i64 = np.float32, np.int64
    sym = dict(symbolic=True)
    _case(s, xc, tmp, "symbolic NMS", "NonMaxSuppression",
          [("boxes", _boxes(rng, 1, 8)), ("scores", rng.random((1, 2, 8)).astype(f32)), ("max", np.array([3], i64)),
           ("iou", np.array([0.3], f32))], {}, 11, exact=True, **sym)
    x = rng.standard_normal((1, 2, 6, 5)).astype(f32)
    _case(s, xc, tmp, "symbolic RoiAlign", "RoiAlign",
          [("X", x), ("rois", np.array([[0, 1, 4, 5]], f32)), ("bi", np.array([0], i64))], {"output_height": 2}, 16, **sym)
    _case(s, xc, tmp, "symbolic MaxRoiPool", "MaxRoiPool", [("X", x), ("rois", np.array([[0, 0, 1, 4, 5]], f32))],
          {"pooled_shape": [2, 2]}, 1, **sym)
    _case(s, xc, tmp, "symbolic GridSample", "GridSample", [("X", x), ("grid", rng.uniform(-1, 1, (1, 3, 2, 2)).astype(f32))],
          {}, 20, **sym)
    _case(s, xc, tmp, "symbolic AffineGrid", "AffineGrid",
          [("theta", rng.standard_normal((1, 2, 3)).astype(f32)), ("size", np.array([1, 1, 3, 4], i64))], {}, 20, **sym)
    _case(s, xc, tmp, "symbolic DeformConv", "DeformConv",
          [("X", x), ("W", rng.standard_normal((3, 2, 2, 2)).astype(f32)), ("offset", rng.uniform(-1, 1, (1, 8, 5, 4)).astype(f32))],
          {}, 19, **sym)
    _case(s, xc, tmp, "symbolic Col2Im", "Col2Im",
          [("input", rng.standard_normal((1, 8, 12)).astype(f32)), ("image_shape", np.array([4, 5], i64)),
           ("block_shape", np.array([2, 2], i64))], {}, 18, **sym)
    _case(s, xc, tmp, "symbolic CenterCropPad", "CenterCropPad", [("input_data", x), ("shape", np.array([4, 7], i64))],
          {"axes": [2, 3]}, 18, exact=True, **sym)
    _case(s, xc, tmp, "symbolic MaxUnpool", "MaxUnpool",
          [("X", x[:, :, :3, :2]), ("I", rng.permutation(2 * 6 * 4)[:12].reshape(1, 2, 3, 2).astype(i64)),
           ("output_shape", np.array([1, 2, 6, 4], i64))], {"kernel_shape": [2, 2], "strides": [2, 2]}, 11,
          exact=True, **sym)


def detector_case(s, xc, tmp, rng):
    """Issue 13's user story: a detector whose post-processing is NonMaxSuppression + RoiAlign
    (selected boxes gathered into RoiAlign's regions) runs on the reference and agrees with ONNX
    Runtime through --exec-runner, data-dependent box count included."""
    def init(n, a):
        return numpy_helper.from_array(a, n)
    f32, i64 = np.float32, np.int64
    inits = [init("w1", (rng.standard_normal((8, 3, 3, 3)) * 0.3).astype(f32)),
             init("wb", (rng.standard_normal((4, 8, 4, 4)) * 0.2).astype(f32)),
             init("ws", (rng.standard_normal((2, 8, 4, 4)) * 0.2).astype(f32)),
             init("shb", np.array([1, 4, 16], i64)), init("shs", np.array([1, 2, 16], i64)), init("sixteen", np.array(16, f32)),
             init("max", np.array([5], i64)), init("iou", np.array([0.5], f32)), init("sth", np.array([0.3], f32)),
             init("two", np.array(2, i64)), init("zero", np.array(0, i64)), init("zero1", np.array([0], i64))]
    mk = helper.make_node
    nodes = [mk("Conv", ["x", "w1"], ["c1"], pads=[1, 1, 1, 1]), mk("Relu", ["c1"], ["feats"]),
             mk("Conv", ["feats", "wb"], ["hb"], strides=[4, 4]), mk("Reshape", ["hb", "shb"], ["rb"]),
             mk("Transpose", ["rb"], ["tb"], perm=[0, 2, 1]), mk("Sigmoid", ["tb"], ["sb"]), mk("Mul", ["sb", "sixteen"], ["boxes"]),
             mk("Conv", ["feats", "ws"], ["hs"], strides=[4, 4]), mk("Reshape", ["hs", "shs"], ["rs"]), mk("Sigmoid", ["rs"], ["scores"]),
             mk("NonMaxSuppression", ["boxes", "scores", "max", "iou", "sth"], ["selected"]),
             mk("Gather", ["selected", "two"], ["box_idx"], axis=1), mk("Gather", ["selected", "zero"], ["batch_idx"], axis=1),
             mk("Squeeze", ["boxes", "zero1"], ["boxes2d"]), mk("Gather", ["boxes2d", "box_idx"], ["rois"], axis=0),
             mk("RoiAlign", ["feats", "rois", "batch_idx"], ["pooled"], output_height=2, output_width=2, sampling_ratio=2)]
    g = helper.make_graph(nodes, "tiny_detector", [helper.make_tensor_value_info("x", F, [1, 3, 16, 16])],
                          [helper.make_tensor_value_info("selected", I64, None), helper.make_tensor_value_info("pooled", F, None)],
                          initializer=inits)
    d = os.path.join(tmp, "vision", "tiny_detector")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "model.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 16)]), path)
    import sys
    runner = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools", "onnxruntime_runner.py")
    r = subprocess.run([xc, "run", path, "--ref", "--exec-runner", "ort=%s %s {model} {inputs} {outputs}" % (sys.executable, runner),
                        "--val-range", "x:[-1,1]", "--iterations", "2"], capture_output=True, text=True, timeout=300)
    ok = r.returncode == 0 and "PASSED: 2 of 2 comparisons passed" in r.stdout and "int64[0,3]" not in r.stdout
    s.check("vision tiny detector (NMS -> Gather -> RoiAlign) agrees with ONNX Runtime", ok, r.stdout[-1500:] + r.stderr[-800:])


def vision_ops(s, xc, build, tmp):
    rng = np.random.default_rng(13)
    nms_cases(s, xc, tmp, rng)
    roi_cases(s, xc, tmp, rng)
    grid_cases(s, xc, tmp, rng)
    affine_cases(s, xc, tmp, rng)
    deform_cases(s, xc, tmp, rng)
    col2im_cases(s, xc, tmp, rng)
    crop_cases(s, xc, tmp, rng)
    unpool_cases(s, xc, tmp, rng)
    bad_cases(s, xc, tmp, rng)
    nan_cases(s, xc, tmp, rng)
    symbolic_cases(s, xc, tmp, rng)
    detector_case(s, xc, tmp, rng)
