"""Control flow on the reference (issue 13): If, Loop and Scan with real subgraph semantics.
Each model is built here with onnx.helper, run with `crosscheck run MODEL --ref`, and its outputs
compared with onnxruntime's: outer-scope captures (initializers, graph inputs, values computed
earlier), loop-carried values and scan outputs, every trip-count/condition combination, empty
loops, Loop inside If inside Loop, Scan axes and directions. A load + save (`surgeon sanitize`)
keeps subgraphs byte for byte; bodies of the wrong arity and unknown captures fail in one line."""
import json
import os
import subprocess

import numpy as np
import onnx
from onnx import TensorProto as T, helper as h, numpy_helper as nh


def _run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def _vi(name, t, shape):
    return h.make_tensor_value_info(name, t, shape)


def _model(nodes, inputs, outputs, inits=(), opset=17, name="cf"):
    g = h.make_graph(nodes, name, inputs, outputs, list(inits))
    m = h.make_model(g, opset_imports=[h.make_opsetid("", opset)])
    m.ir_version = 8
    return m


def _feeds_dir(d, model, feeds):
    """Writes feeds (name -> array) as a test_data_set in the graph's input order."""
    os.makedirs(d, exist_ok=True)
    inits = {i.name for i in model.graph.initializer}
    k = 0
    for vi in model.graph.input:
        if vi.name in inits:
            continue
        with open(os.path.join(d, "input_%d.pb" % k), "wb") as f:
            f.write(nh.from_array(feeds[vi.name], vi.name).SerializeToString())
        k += 1
    return d


def _xc_outputs(xc, path, model, feeds, tmp):
    """Runs the model on crosscheck's reference; returns (result, {output name: array})."""
    base = os.path.splitext(path)[0]
    cmd = [xc, "run", path, "--ref", "--save-outputs", base + "_out"]
    if feeds:
        cmd += ["--load-inputs", _feeds_dir(base + "_in", model, feeds)]
    r = _run(cmd)
    outs = {}
    if r.returncode == 0:
        with open(os.path.join(base + "_out", "index.json")) as f:
            for t in json.load(f)["tensors"]:
                if t["role"] == "output":
                    outs[t["tensor"]] = nh.to_array(onnx.load_tensor(os.path.join(base + "_out", t["file"])))
    return r, outs


def _ort(path, feeds):
    import onnxruntime as ort
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(None, feeds)))


def _same(a, b):
    return a.shape == b.shape and a.dtype == b.dtype and np.allclose(a, b, rtol=1e-5, atol=1e-6)


def _against_ort(s, xc, tmp, label, model, feeds):
    path = os.path.join(tmp, "cf_%s.onnx" % label)
    onnx.checker.check_model(model)
    onnx.save(model, path)
    r, got = _xc_outputs(xc, path, model, feeds, tmp)
    want = _ort(path, feeds)
    ok = r.returncode == 0 and set(got) == set(want) and all(_same(got[k], want[k]) for k in want)
    detail = "rc=%s %s\ngot %s\nwant %s" % (r.returncode, r.stderr[-600:], {k: (v.shape, v.ravel()[:8]) for k, v in got.items()},
                                              {k: (v.shape, v.ravel()[:8]) for k, v in want.items()})
    s.check("control_flow: %s matches onnxruntime" % label, ok, detail)
    return path


# ---- models ----

def _loop_body_capture():
    """Body: y = y_in + w (outer initializer) + hx (outer value computed before the loop);
    scan output = y * iteration. cond passes through."""
    nodes = [
        h.make_node("Identity", ["cond_in"], ["cond_out"], name="Identity_0"),
        h.make_node("Add", ["y_in", "w"], ["t0"], name="Add_1"),
        h.make_node("Add", ["t0", "hx"], ["y_out"], name="Add_2"),
        h.make_node("Cast", ["i"], ["fi"], name="Cast_3", to=T.FLOAT),
        h.make_node("Mul", ["y_out", "fi"], ["scan_out"], name="Mul_4"),
    ]
    return h.make_graph(nodes, "body", [_vi("i", T.INT64, []), _vi("cond_in", T.BOOL, []), _vi("y_in", T.FLOAT, [2])],
                        [_vi("cond_out", T.BOOL, []), _vi("y_out", T.FLOAT, [2]), _vi("scan_out", T.FLOAT, [2])])


def loop_capture_model(m_name="M", cond_name="c"):
    inputs = [_vi("x", T.FLOAT, [2]), _vi("y0", T.FLOAT, [2])]
    if m_name:
        inputs.append(_vi("M", T.INT64, []))
    if cond_name:
        inputs.append(_vi("c", T.BOOL, []))
    nodes = [h.make_node("Relu", ["x"], ["hx"], name="Relu_0"),
             h.make_node("Loop", [m_name, cond_name, "y0"], ["y", "scan"], name="Loop_1", body=_loop_body_capture())]
    return _model(nodes, inputs, [_vi("y", T.FLOAT, [2]), _vi("scan", T.FLOAT, [None, 2])],
                  [nh.from_array(np.array([0.5, -1.0], np.float32), "w")])


def loop_dynamic_cond_model(with_m):
    """cond_out = (iteration + 1) < limit (limit: an outer graph input): a while loop."""
    body = h.make_graph([
        h.make_node("Add", ["i", "one"], ["i1"], name="Add_0"),
        h.make_node("Less", ["i1", "limit"], ["cond_out"], name="Less_1"),
        h.make_node("Mul", ["y_in", "two"], ["y_out"], name="Mul_2"),
        h.make_node("Identity", ["y_out"], ["scan_out"], name="Identity_3"),
    ], "body", [_vi("i", T.INT64, []), _vi("cond_in", T.BOOL, []), _vi("y_in", T.FLOAT, [3])],
        [_vi("cond_out", T.BOOL, []), _vi("y_out", T.FLOAT, [3]), _vi("scan_out", T.FLOAT, [3])],
        [nh.from_array(np.array(1, np.int64), "one"), nh.from_array(np.array(2, np.float32), "two")])
    inputs = [_vi("y0", T.FLOAT, [3]), _vi("limit", T.INT64, []), _vi("c", T.BOOL, [])]
    if with_m:
        inputs.append(_vi("M", T.INT64, []))
    nodes = [h.make_node("Loop", ["M" if with_m else "", "c", "y0"], ["y", "scan"], name="Loop_0", body=body)]
    return _model(nodes, inputs, [_vi("y", T.FLOAT, [3]), _vi("scan", T.FLOAT, [None, 3])])


def loop_growing_model():
    """A carried value that grows each iteration (Concat) next to one the body passes through
    untouched (a body output that is its own input)."""
    body = h.make_graph([
        h.make_node("Identity", ["c_in"], ["c_out"], name="Identity_0"),
        h.make_node("Concat", ["g_in", "piece"], ["g_out"], name="Concat_1", axis=0),
    ], "body", [_vi("i", T.INT64, []), _vi("c_in", T.BOOL, []), _vi("g_in", T.FLOAT, [None]), _vi("keep", T.FLOAT, [2])],
        [_vi("c_out", T.BOOL, []), _vi("g_out", T.FLOAT, [None]), _vi("keep", T.FLOAT, [2])])
    nodes = [h.make_node("Loop", ["M", "", "g0", "k0"], ["g", "k"], name="Loop_0", body=body)]
    return _model(nodes, [_vi("M", T.INT64, []), _vi("g0", T.FLOAT, [1]), _vi("k0", T.FLOAT, [2])],
                  [_vi("g", T.FLOAT, [None]), _vi("k", T.FLOAT, [2])], [nh.from_array(np.array([7.0, 8.0], np.float32), "piece")])


def nested_model():
    """Loop_outer (3 trips) -> If (iteration is even) -> then: Loop_inner (iteration + 1 trips)
    summing the outer initializer k into a carried value; else: the carried value doubled.
    Captures cross three graphs: k (model initializer), i_outer (outer body input)."""
    inner_body = h.make_graph([
        h.make_node("Identity", ["ci"], ["co"], name="Identity_0"),
        h.make_node("Add", ["a_in", "k"], ["a_out"], name="Add_1"),
    ], "inner_body", [_vi("j", T.INT64, []), _vi("ci", T.BOOL, []), _vi("a_in", T.FLOAT, [2])],
        [_vi("co", T.BOOL, []), _vi("a_out", T.FLOAT, [2])])
    then_g = h.make_graph([
        h.make_node("Add", ["i_outer", "one"], ["trips"], name="Add_0"),
        h.make_node("Loop", ["trips", "", "v_in"], ["then_v"], name="Loop_1", body=inner_body),
    ], "then", [], [_vi("then_v", T.FLOAT, [2])])
    else_g = h.make_graph([h.make_node("Add", ["v_in", "v_in"], ["else_v"], name="Add_0")], "else", [],
                          [_vi("else_v", T.FLOAT, [2])])
    outer_body = h.make_graph([
        h.make_node("Identity", ["c_in"], ["c_out"], name="Identity_0"),
        h.make_node("Mod", ["i_outer", "two"], ["odd"], name="Mod_1"),
        h.make_node("Equal", ["odd", "zero"], ["even"], name="Equal_2"),
        h.make_node("If", ["even"], ["v_out"], name="If_3", then_branch=then_g, else_branch=else_g),
        h.make_node("Identity", ["v_out"], ["v_scan"], name="Identity_4"),
    ], "outer_body", [_vi("i_outer", T.INT64, []), _vi("c_in", T.BOOL, []), _vi("v_in", T.FLOAT, [2])],
        [_vi("c_out", T.BOOL, []), _vi("v_out", T.FLOAT, [2]), _vi("v_scan", T.FLOAT, [2])],
        [nh.from_array(np.array(2, np.int64), "two"), nh.from_array(np.array(0, np.int64), "zero")])
    nodes = [h.make_node("Loop", ["M", "", "v0"], ["v", "vs"], name="Loop_3", body=outer_body)]
    return _model(nodes, [_vi("v0", T.FLOAT, [2]), _vi("M", T.INT64, [])], [_vi("v", T.FLOAT, [2]), _vi("vs", T.FLOAT, [None, 2])],
                  [nh.from_array(np.array([1.0, 10.0], np.float32), "k"), nh.from_array(np.array(1, np.int64), "one")])


def if_model():
    """then: x * w (initializer) and x; else: x + sx and sx (sx computed before the If)."""
    then_g = h.make_graph([h.make_node("Mul", ["x", "w"], ["ty"], name="Mul_0"), h.make_node("Identity", ["x"], ["tx"], name="Identity_1")],
                          "then", [], [_vi("ty", T.FLOAT, [2, 3]), _vi("tx", T.FLOAT, [2, 3])])
    else_g = h.make_graph([h.make_node("Add", ["x", "sx"], ["ey"], name="Add_0"), h.make_node("Identity", ["sx"], ["esx"], name="Identity_1")],
                          "else", [], [_vi("ey", T.FLOAT, [2, 3]), _vi("esx", T.FLOAT, [2, 3])])
    nodes = [h.make_node("Sigmoid", ["x"], ["sx"], name="Sigmoid_0"),
             h.make_node("If", ["c"], ["y", "z"], name="If_1", then_branch=then_g, else_branch=else_g)]
    return _model(nodes, [_vi("c", T.BOOL, []), _vi("x", T.FLOAT, [2, 3])], [_vi("y", T.FLOAT, [2, 3]), _vi("z", T.FLOAT, [2, 3])],
                  [nh.from_array(np.arange(6, dtype=np.float32).reshape(2, 3), "w")])


def scan_model():
    """Two states, two scan inputs (axis 1 forward, axis 0 reversed), two scan outputs (axis 1
    forward, axis 0 reversed); the body also reads the outer initializer b."""
    body = h.make_graph([
        h.make_node("Add", ["s_in", "u"], ["t0"], name="Add_0"),
        h.make_node("Add", ["t0", "b"], ["s_out"], name="Add_1"),
        h.make_node("Mul", ["p_in", "v"], ["p_out"], name="Mul_2"),
        h.make_node("Sub", ["s_out", "p_out"], ["o1"], name="Sub_3"),
        h.make_node("Neg", ["s_out"], ["o2"], name="Neg_4"),
    ], "body", [_vi("s_in", T.FLOAT, [3]), _vi("p_in", T.FLOAT, [3]), _vi("u", T.FLOAT, [3]), _vi("v", T.FLOAT, [3])],
        [_vi("s_out", T.FLOAT, [3]), _vi("p_out", T.FLOAT, [3]), _vi("o1", T.FLOAT, [3]), _vi("o2", T.FLOAT, [3])])
    node = h.make_node("Scan", ["s0", "p0", "U", "V"], ["s", "p", "O1", "O2"], name="Scan_0", body=body, num_scan_inputs=2,
                       scan_input_axes=[1, 0], scan_input_directions=[0, 1], scan_output_axes=[1, -2],
                       scan_output_directions=[0, 1])
    return _model([node], [_vi("s0", T.FLOAT, [3]), _vi("p0", T.FLOAT, [3]), _vi("U", T.FLOAT, [3, 4]), _vi("V", T.FLOAT, [4, 3])],
                  [_vi("s", T.FLOAT, [3]), _vi("p", T.FLOAT, [3]), _vi("O1", T.FLOAT, [3, 4]), _vi("O2", T.FLOAT, [4, 3])],
                  [nh.from_array(np.array([0.25, 0.5, 1.0], np.float32), "b")])


def scan8_model(with_lens):
    """Scan-8: batch axis first, scan along axis 1 reversed, sequence_lens cutting row 1 short
    (its outputs zero-padded)."""
    body = h.make_graph([h.make_node("Add", ["s_in", "u"], ["s_out"], name="Add_0"), h.make_node("Mul", ["s_out", "u"], ["o"], name="Mul_1")],
                        "body", [_vi("s_in", T.FLOAT, [3]), _vi("u", T.FLOAT, [3])], [_vi("s_out", T.FLOAT, [3]), _vi("o", T.FLOAT, [3])])
    node = h.make_node("Scan", ["L" if with_lens else "", "s0", "U"], ["s", "O"], name="Scan_0", body=body, num_scan_inputs=1,
                       directions=[1])
    ins = [_vi("L", T.INT64, [2])] if with_lens else []
    return _model([node], ins + [_vi("s0", T.FLOAT, [2, 3]), _vi("U", T.FLOAT, [2, 4, 3])],
                  [_vi("s", T.FLOAT, [2, 3]), _vi("O", T.FLOAT, [2, 4, 3])], opset=8)


def unsorted_capture_model():
    """The Loop comes before the node computing the value its body captures: only the capture
    orders them, so the outer graph's topological sort must count it."""
    m = loop_capture_model()
    nodes = list(m.graph.node)
    del m.graph.node[:]
    m.graph.node.extend([nodes[1], nodes[0]])
    return m


# ---- sections ----

def _executions(s, xc, tmp):
    rng = np.random.default_rng(3)
    x = rng.standard_normal(2).astype(np.float32)
    y0 = rng.standard_normal(2).astype(np.float32)
    t, f = np.array(True), np.array(False)
    _against_ort(s, xc, tmp, "loop_captures_M_and_cond", loop_capture_model(),
                 {"x": x, "y0": y0, "M": np.array(4, np.int64), "c": t})
    _against_ort(s, xc, tmp, "loop_M_only", loop_capture_model(cond_name=""), {"x": x, "y0": y0, "M": np.array(3, np.int64)})
    _against_ort(s, xc, tmp, "loop_empty_M0", loop_capture_model(), {"x": x, "y0": y0, "M": np.array(0, np.int64), "c": t})
    _against_ort(s, xc, tmp, "loop_empty_cond_false", loop_capture_model(), {"x": x, "y0": y0, "M": np.array(5, np.int64), "c": f})
    y3 = rng.standard_normal(3).astype(np.float32)
    _against_ort(s, xc, tmp, "loop_cond_only_while", loop_dynamic_cond_model(False),
                 {"y0": y3, "limit": np.array(4, np.int64), "c": t})
    _against_ort(s, xc, tmp, "loop_M_and_cond_cond_stops_first", loop_dynamic_cond_model(True),
                 {"y0": y3, "limit": np.array(2, np.int64), "c": t, "M": np.array(6, np.int64)})
    _against_ort(s, xc, tmp, "loop_M_and_cond_M_stops_first", loop_dynamic_cond_model(True),
                 {"y0": y3, "limit": np.array(9, np.int64), "c": t, "M": np.array(3, np.int64)})
    _against_ort(s, xc, tmp, "loop_growing_and_passthrough_carried", loop_growing_model(),
                 {"M": np.array(3, np.int64), "g0": np.array([1.0], np.float32), "k0": np.array([4.0, 5.0], np.float32)})
    v0 = np.array([0.5, -2.0], np.float32)
    _against_ort(s, xc, tmp, "nested_loop_if_loop", nested_model(), {"v0": v0, "M": np.array(4, np.int64)})
    xs = rng.standard_normal((2, 3)).astype(np.float32)
    _against_ort(s, xc, tmp, "if_then", if_model(), {"c": t, "x": xs})
    _against_ort(s, xc, tmp, "if_else", if_model(), {"c": f, "x": xs})
    _against_ort(s, xc, tmp, "scan_axes_directions", scan_model(),
                 {"s0": rng.standard_normal(3).astype(np.float32), "p0": rng.standard_normal(3).astype(np.float32),
                  "U": rng.standard_normal((3, 4)).astype(np.float32), "V": rng.standard_normal((4, 3)).astype(np.float32)})
    s0, u = rng.standard_normal((2, 3)).astype(np.float32), rng.standard_normal((2, 4, 3)).astype(np.float32)
    _against_ort(s, xc, tmp, "scan8_reversed", scan8_model(False), {"s0": s0, "U": u})
    _against_ort(s, xc, tmp, "scan8_sequence_lens", scan8_model(True), {"s0": s0, "U": u, "L": np.array([4, 2], np.int64)})
    # unsorted: onnxruntime needs a sorted file, so its answer comes from the sorted model
    sorted_path = os.path.join(tmp, "cf_sorted.onnx")
    onnx.save(loop_capture_model(), sorted_path)
    feeds = {"x": x, "y0": y0, "M": np.array(3, np.int64), "c": t}
    want = _ort(sorted_path, feeds)
    um = unsorted_capture_model()
    upath = os.path.join(tmp, "cf_unsorted.onnx")
    onnx.save(um, upath)
    r, got = _xc_outputs(xc, upath, um, feeds, tmp)
    s.check("control_flow: a capture orders the outer graph (Loop listed before the value its body reads)",
            r.returncode == 0 and all(k in got and _same(got[k], want[k]) for k in want), r.stderr[-600:])


def _round_trip(s, xc, tmp):
    m = nested_model()
    src = os.path.join(tmp, "cf_rt_src.onnx")
    out = os.path.join(tmp, "cf_rt_out.onnx")
    onnx.save(m, src)
    r = _run([xc, "surgeon", "sanitize", src, "--toposort", "-o", out])
    ok = r.returncode == 0 and os.path.exists(out)
    detail = r.stderr[-600:]
    if ok:
        saved = onnx.load(out)
        try:
            onnx.checker.check_model(saved, full_check=True)
        except Exception as e:  # noqa: BLE001 - the checker's complaint is the detail
            ok, detail = False, "checker: %s" % e
        a = {n.name: n for n in m.graph.node}
        b = {n.name: n for n in saved.graph.node}
        same_body = set(a) == set(b) and all(
            [x.SerializeToString() for x in a[k].attribute] == [x.SerializeToString() for x in b[k].attribute] for k in a)
        ok = ok and same_body
        if not same_body:
            detail = "subgraph attributes differ after the save"
    s.check("control_flow: surgeon sanitize keeps the nested subgraphs unchanged and onnx.checker accepts them", ok, detail)
    feeds = {"v0": np.array([1.5, -0.5], np.float32), "M": np.array(5, np.int64)}
    r1, a1 = _xc_outputs(xc, src, m, feeds, tmp)
    r2, a2 = (_xc_outputs(xc, out, onnx.load(out), feeds, tmp) if os.path.exists(out) else (r, {}))
    s.check("control_flow: the saved model computes what the original does", r1.returncode == 0 and r2.returncode == 0 and
            set(a1) == set(a2) and all(np.array_equal(a1[k], a2[k]) for k in a1), r2.stderr[-400:])


def _inspect_layers(s, xc, tmp):
    path = os.path.join(tmp, "cf_inspect.onnx")
    onnx.save(nested_model(), path)
    r = _run([xc, "inspect", "model", path, "--show", "layers", "--json"])
    try:
        layers = json.loads(r.stdout)["layers"]
        names = [l["name"] for l in layers]
        inner = next(l for l in layers if l["name"] == "Loop_3/body/If_3/then_branch/Loop_1/body/Add_1")
        k = next(v for v in inner["inputs"] if v["name"] == "k")
        out = inner["outputs"][0]
        ok = (names[:2] == ["Loop_3", "Loop_3/body/Identity_0"] and len(names) == 11 and
              "Loop_3/body/If_3/else_branch/Add_0" in names and inner["graph"] == "Loop_3/body/If_3/then_branch/Loop_1/body" and
              k["initializer"] and k["shape"] == [2] and out["dtype"] == "float32" and out["shape"] == [2])
        detail = json.dumps(names)
    except Exception as e:  # noqa: BLE001
        ok, detail = False, "%r %s" % (e, r.stderr[-400:])
    s.check("control_flow: inspect model --show layers lists subgraph nodes by path (Loop_3/body/...), typed inside", ok, detail)


def _bad_bodies(s, xc, tmp):
    def expect(label, model, *words):
        path = os.path.join(tmp, "cf_bad_%s.onnx" % label)
        onnx.save(model, path)
        r = _run([xc, "run", path, "--ref"])
        lines = [x for x in r.stderr.splitlines() if x.strip()]
        ok = r.returncode != 0 and len(lines) == 1 and all(w in lines[0] for w in words)
        s.check("control_flow: %s fails in one line naming the node" % label, ok, "rc=%s stderr=%s" % (r.returncode, r.stderr[-500:]))

    def attr(node, name):
        return next(a for a in node.attribute if a.name == name).g

    m = loop_capture_model()
    attr(m.graph.node[1], "body").input.append(_vi("extra", T.FLOAT, [2]))
    expect("loop body with too many inputs", m, "Loop_1", "body has 4 inputs, expected 3")
    m = loop_capture_model()
    attr(m.graph.node[1], "body").output.append(_vi("t0", T.FLOAT, [2]))
    expect("loop body with too many outputs", m, "Loop_1", "body has 4 outputs, expected 3")
    m = loop_capture_model()
    attr(m.graph.node[1], "body").node[1].input[1] = "nowhere"
    expect("unknown capture", m, "Loop_1", "Add_1", "'nowhere'", "enclosing graph")
    m = loop_capture_model()
    del attr(m.graph.node[1], "body").node[1].input[1]
    path = os.path.join(tmp, "cf_lint_arity.onnx")
    onnx.save(m, path)
    r = _run([xc, "check", "lint", path])
    errors = [x for x in r.stdout.splitlines() if x.startswith("[E]")]
    s.check("control_flow: check lint reports a body node's problem once, under its owner, and nothing else about the body",
            r.returncode == 1 and len(errors) == 1 and "node 'Loop_1' (Loop) body: node 'Add_1' (Add): has 1 inputs" in errors[0] and
            "unsupported" not in r.stdout, r.stdout + r.stderr)
    m = if_model()
    attr(m.graph.node[1], "else_branch").output.pop()
    expect("If branch with too few outputs", m, "If_1", "else_branch has 1 outputs, expected 2")
    m = scan_model()
    attr(m.graph.node[0], "body").input.append(_vi("extra", T.FLOAT, [3]))
    expect("Scan body with too many inputs", m, "Scan_0", "body has 5 inputs, expected 4")
    m = scan_model()
    attr(m.graph.node[0], "body").output.pop()
    expect("Scan body with too few outputs", m, "Scan_0", "body has 3 outputs, expected 4")


def _engine_fallback(s, xc, tmp):
    """The OpenCL engine runs a Loop whose body reads outer values (an initializer, a value the
    engine computed) on the reference with --fallback-cpu: the captures reach the body."""
    m = loop_capture_model()
    path = os.path.join(tmp, "cf_engine_capture.onnx")
    onnx.save(m, path)
    feeds = {"x": np.array([0.25, -2.0], np.float32), "y0": np.array([1.0, 2.0], np.float32),
             "M": np.array(3, np.int64), "c": np.array(True)}
    r = _run([xc, "run", path, "--ref", "--ocl", "--fallback-cpu", "--builder-optimization-level", "0",
              "--load-inputs", _feeds_dir(os.path.join(tmp, "cf_engine_capture_in"), m, feeds)])
    s.check("engine --fallback-cpu: a Loop reading outer values (initializer w, computed hx) runs and matches the "
            "reference", r.returncode == 0 and "PASSED" in r.stdout, r.stdout[-1500:] + r.stderr)


def control_flow(s, xc, build, tmp):
    """If/Loop/Scan on the reference against onnxruntime, the save round trip, bad bodies."""
    del build
    _engine_fallback(s, xc, tmp)
    _executions(s, xc, tmp)
    _round_trip(s, xc, tmp)
    _inspect_layers(s, xc, tmp)
    _bad_bodies(s, xc, tmp)
