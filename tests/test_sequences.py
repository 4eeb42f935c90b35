"""Sequences and optionals on the reference (issue 13). Each model is built here with
onnx.helper, run with `crosscheck run MODEL --ref` (sequence and optional inputs given as
SequenceProto/OptionalProto files), and its outputs compared with onnx's ReferenceEvaluator:
SequenceConstruct/At/Insert/Erase/Length/Empty, SplitToSequence, ConcatFromSequence,
SequenceMap, Optional/OptionalHasElement/OptionalGetElement, Identity on both, If and Loop
carrying sequences. Bad positions and empty optionals fail in one line; `conformance` compares
sequence outputs element by element (a wrong element fails); a save keeps the types; the OpenCL
engine refuses a sequence in one line."""
import json
import os
import re
import subprocess

import numpy as np
import onnx
from onnx import TensorProto as T, helper as h, numpy_helper as nh
from onnx.reference import ReferenceEvaluator

F = T.FLOAT


def _run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def _seq_t(elem=F, shape=None):
    return h.make_sequence_type_proto(h.make_tensor_type_proto(elem, shape))


def _opt_t(inner):
    return h.make_optional_type_proto(inner)


def _vi(name, tp):
    return h.make_value_info(name, tp)


def _tvi(name, elem=F, shape=None):
    return h.make_tensor_value_info(name, elem, shape)


def _model(nodes, inputs, outputs, opset=18, inits=()):
    g = h.make_graph(nodes, "seq", inputs, outputs, list(inits))
    m = h.make_model(g, opset_imports=[h.make_opsetid("", opset)])
    m.ir_version = 8
    return m


def _proto(value, name, tp):
    """value as the .pb message its type takes: TensorProto, SequenceProto or OptionalProto."""
    which = tp.WhichOneof("value")
    if which == "tensor_type":
        return nh.from_array(value, name)
    if which == "sequence_type":
        return nh.from_list(list(value), name)
    return nh.from_optional(value, name, dtype=None if value is not None else onnx.OptionalProto.TENSOR)


def _read(path, tp):
    data = open(path, "rb").read()
    which = tp.WhichOneof("value")
    if which == "tensor_type":
        t = onnx.TensorProto()
        t.ParseFromString(data)
        return nh.to_array(t)
    if which == "sequence_type":
        q = onnx.SequenceProto()
        q.ParseFromString(data)
        return nh.to_list(q)
    o = onnx.OptionalProto()
    o.ParseFromString(data)
    return nh.to_optional(o)


def _write_inputs(d, model, feeds, prefix="input"):
    os.makedirs(d, exist_ok=True)
    for k, vi in enumerate(model.graph.input):
        with open(os.path.join(d, "%s_%d.pb" % (prefix, k)), "wb") as f:
            f.write(_proto(feeds[vi.name], vi.name, vi.type).SerializeToString())
    return d


def _same(a, b):
    if isinstance(b, list):
        return isinstance(a, list) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if b is None or a is None:
        return a is None and b is None
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and np.allclose(a, b, rtol=1e-6, atol=1e-7)


def _xc(xc, tmp, label, model, feeds):
    """Runs on crosscheck's reference; returns (result, {output name: value})."""
    path = os.path.join(tmp, "sq_%s.onnx" % label)
    onnx.save(model, path)
    out = path[:-5] + "_out"
    cmd = [xc, "run", path, "--ref", "--save-outputs", out]
    if feeds:
        cmd += ["--load-inputs", _write_inputs(path[:-5] + "_in", model, feeds)]
    r = _run(cmd)
    got = {}
    if r.returncode == 0:
        types = {o.name: o.type for o in model.graph.output}
        with open(os.path.join(out, "index.json")) as f:
            for t in json.load(f)["tensors"]:
                if t["role"] == "output":
                    got[t["tensor"]] = _read(os.path.join(out, t["file"]), types[t["tensor"]])
    return path, r, got


def _ort(path, feeds):
    import onnxruntime as ort
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    return sess.run(None, feeds)


def _against_ref(s, xc, tmp, label, model, feeds, judge="onnx"):
    """judge: onnx's ReferenceEvaluator, or onnxruntime where the evaluator is wrong (onnx
    1.23 wraps OptionalGetElement's result in a list and runs no iteration of a Loop whose
    condition input is omitted)."""
    path, r, got = _xc(xc, tmp, label, model, feeds)
    res = _ort(path, feeds) if judge == "ort" else ReferenceEvaluator(model).run(None, feeds)
    want = dict(zip([o.name for o in model.graph.output], res))
    ok = r.returncode == 0 and set(got) == set(want) and all(_same(got[k], want[k]) for k in want)
    s.check("sequences: %s matches %s" % (label, "onnxruntime" if judge == "ort" else "onnx's ReferenceEvaluator"), ok,
            "rc=%s %s\ngot  %s\nwant %s" % (r.returncode, r.stderr[-500:], got, want))


def _a(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _one_line_error(s, label, r, needle):
    err = r.stderr.strip()
    s.check("sequences: %s fails in one line" % label, r.returncode != 0 and needle in err and err.count("\n") == 0,
            "rc=%s stderr=%r" % (r.returncode, r.stderr[-600:]))


def sequences(s, xc, build, tmp):
    tmp = os.path.join(tmp, "sequences")
    os.makedirs(tmp, exist_ok=True)
    i64 = lambda v: np.array(v, dtype=np.int64)  # noqa: E731

    # construct / at (negative position) / length / erase / insert, on tensors of different shapes
    m = _model([h.make_node("SequenceConstruct", ["a", "b", "c"], ["s"]),
                h.make_node("SequenceAt", ["s", "p"], ["at"]),
                h.make_node("SequenceLength", ["s"], ["n"]),
                h.make_node("SequenceErase", ["s", "p"], ["e"]),
                h.make_node("SequenceErase", ["s"], ["e_last"]),
                h.make_node("SequenceInsert", ["s", "a", "q"], ["ins"]),
                h.make_node("SequenceInsert", ["e", "b"], ["ins_back"])],
               [_tvi("a", F, [2, 3]), _tvi("b", F, [4]), _tvi("c", F, [1, 2, 2]), _tvi("p", T.INT64, []), _tvi("q", T.INT64, [])],
               [_vi("s", _seq_t()), _tvi("at"), _tvi("n", T.INT64, []), _vi("e", _seq_t()), _vi("e_last", _seq_t()),
                _vi("ins", _seq_t()), _vi("ins_back", _seq_t())])
    _against_ref(s, xc, tmp, "construct_at_erase_insert", m,
                 {"a": _a(2, 3), "b": _a(4, seed=1), "c": _a(1, 2, 2, seed=2), "p": i64(-2), "q": i64(1)})

    with open(os.path.join(tmp, "sq_construct_at_erase_insert_out", "index.json")) as f:
        entry = [t for t in json.load(f)["tensors"] if t["tensor"] == "s" and t["role"] == "output"]
    s.check("sequences: the results index says an output is a sequence and how many tensors it holds",
            len(entry) == 1 and entry[0].get("value") == "sequence" and entry[0].get("items") == 3, str(entry))

    # a sequence graph input (a SequenceProto file), SequenceEmpty, ConcatFromSequence both ways
    m = _model([h.make_node("ConcatFromSequence", ["xs"], ["cat"], axis=1),
                h.make_node("ConcatFromSequence", ["xs2"], ["stack"], axis=-1, new_axis=1),
                h.make_node("SequenceEmpty", [], ["empty"], dtype=F),
                h.make_node("SequenceInsert", ["empty", "t"], ["one"]),
                h.make_node("SequenceLength", ["empty"], ["zero"])],
               [_vi("xs", _seq_t(F, [2, None])), _vi("xs2", _seq_t(F, [2, 3])), _tvi("t", F, [3])],
               [_tvi("cat"), _tvi("stack"), _vi("one", _seq_t()), _tvi("zero", T.INT64, [])])
    _against_ref(s, xc, tmp, "concat_from_sequence_and_empty", m,
                 {"xs": [_a(2, 1), _a(2, 3, seed=1), _a(2, 2, seed=2)], "xs2": [_a(2, 3, seed=3), _a(2, 3, seed=4)], "t": _a(3)})

    # SplitToSequence: one per index without keepdims, a scalar split (last part shorter), a list
    m = _model([h.make_node("SplitToSequence", ["x"], ["per"], axis=1, keepdims=0),
                h.make_node("SplitToSequence", ["x", "k"], ["even"], axis=1),
                h.make_node("SplitToSequence", ["x", "parts"], ["listed"], axis=-1)],
               [_tvi("x", F, [2, 5]), _tvi("k", T.INT64, []), _tvi("parts", T.INT64, [3])],
               [_vi("per", _seq_t()), _vi("even", _seq_t()), _vi("listed", _seq_t())])
    _against_ref(s, xc, tmp, "split_to_sequence", m, {"x": _a(2, 5), "k": i64(2), "parts": i64([1, 0, 4])})

    # SequenceMap over two sequences (a body that also changes shapes: Shape), and over a
    # sequence and a tensor given whole to every run (onnx's evaluator handles these two forms)
    body = h.make_graph([h.make_node("Add", ["e0", "e1"], ["y0"]), h.make_node("Shape", ["e0"], ["y1"])], "body",
                        [_tvi("e0", F, None), _tvi("e1", F, None)], [_tvi("y0", F, None), _tvi("y1", T.INT64, None)])
    m = _model([h.make_node("SequenceMap", ["s0", "s1"], ["o0", "o1"], body=body)],
               [_vi("s0", _seq_t()), _vi("s1", _seq_t())], [_vi("o0", _seq_t()), _vi("o1", _seq_t(T.INT64))])
    _against_ref(s, xc, tmp, "sequence_map_two_sequences", m,
                 {"s0": [_a(3), _a(2, 2, seed=1)], "s1": [_a(3, seed=2), _a(2, 2, seed=3)]})
    body = h.make_graph([h.make_node("Mul", ["e0", "t"], ["y0"])], "body", [_tvi("e0", F, None), _tvi("t", F, None)], [_tvi("y0", F, None)])
    m = _model([h.make_node("SequenceMap", ["s0", "t"], ["o0"], body=body)], [_vi("s0", _seq_t()), _tvi("t", F, [1])], [_vi("o0", _seq_t())])
    _against_ref(s, xc, tmp, "sequence_map_sequence_and_tensor", m, {"s0": [_a(3), _a(2, 2, seed=1), _a(1, seed=6)], "t": _a(1, seed=4)})

    # Optional of a tensor and of a sequence, Has/Get, Identity on both; optional graph inputs,
    # one holding a value and one empty
    m = _model([h.make_node("Optional", ["x"], ["ox"]),
                h.make_node("OptionalHasElement", ["ox"], ["has_x"]),
                h.make_node("OptionalGetElement", ["ox"], ["got_x"]),
                h.make_node("SequenceConstruct", ["x", "x"], ["sx"]),
                h.make_node("Optional", ["sx"], ["osx"]),
                h.make_node("Identity", ["osx"], ["osx_id"]),
                h.make_node("OptionalGetElement", ["osx_id"], ["sx_back"]),
                h.make_node("Identity", ["sx_back"], ["sx_id"]),
                h.make_node("OptionalHasElement", ["oin"], ["has_in"]),
                h.make_node("OptionalHasElement", ["oempty"], ["has_empty"]),
                h.make_node("OptionalGetElement", ["oin"], ["got_in"]),
                h.make_node("Optional", [], ["none"], type=_seq_t()),
                h.make_node("OptionalHasElement", ["none"], ["has_none"])],
               [_tvi("x", F, [2]), _vi("oin", _opt_t(h.make_tensor_type_proto(F, [3]))), _vi("oempty", _opt_t(h.make_tensor_type_proto(F, [3])))],
               [_tvi("has_x", T.BOOL, []), _tvi("got_x", F, [2]), _vi("sx_id", _seq_t()), _tvi("has_in", T.BOOL, []),
                _tvi("has_empty", T.BOOL, []), _tvi("got_in", F, [3]), _tvi("has_none", T.BOOL, [])])
    _against_ref(s, xc, tmp, "optional", m, {"x": _a(2), "oin": _a(3, seed=5), "oempty": None}, judge="ort")

    # If choosing between two sequences; Loop growing a sequence one tensor per iteration
    then_g = h.make_graph([h.make_node("SequenceConstruct", ["x", "x"], ["r"])], "then", [], [_vi("r", _seq_t())])
    else_g = h.make_graph([h.make_node("SequenceConstruct", ["x"], ["r2"])], "else", [], [_vi("r2", _seq_t())])
    lbody = h.make_graph([h.make_node("Identity", ["c_in"], ["c_out"]),
                          h.make_node("Cast", ["i"], ["fi"], to=F),
                          h.make_node("Mul", ["x", "fi"], ["xi"]),
                          h.make_node("SequenceInsert", ["acc_in", "xi"], ["acc_out"])], "lbody",
                         [_tvi("i", T.INT64, []), _tvi("c_in", T.BOOL, []), _vi("acc_in", _seq_t())],
                         [_tvi("c_out", T.BOOL, []), _vi("acc_out", _seq_t())])
    m = _model([h.make_node("If", ["cond"], ["picked"], then_branch=then_g, else_branch=else_g),
                h.make_node("SequenceEmpty", [], ["acc0"]),
                h.make_node("Loop", ["trips", "", "acc0"], ["grown"], body=lbody)],
               [_tvi("cond", T.BOOL, []), _tvi("x", F, [2]), _tvi("trips", T.INT64, [])],
               [_vi("picked", _seq_t()), _vi("grown", _seq_t())])
    for c in (True, False):
        _against_ref(s, xc, tmp, "if_loop_sequences_cond_%d" % c, m, {"cond": np.array(c), "x": _a(2), "trips": i64(3)}, judge="ort")

    # bad inputs: one-line errors naming the node
    m = _model([h.make_node("SequenceAt", ["s", "p"], ["y"], name="at")], [_vi("s", _seq_t()), _tvi("p", T.INT64, [])], [_tvi("y")])
    _, r, _ = _xc(xc, tmp, "at_out_of_range", m, {"s": [_a(2), _a(2)], "p": i64(2)})
    _one_line_error(s, "SequenceAt out of range", r, "position 2 is out of range for a sequence of 2 tensors")
    m = _model([h.make_node("SplitToSequence", ["x", "k"], ["y"], name="split")], [_tvi("x", F, [4]), _tvi("k", T.INT64, [2])],
               [_vi("y", _seq_t())])
    _, r, _ = _xc(xc, tmp, "split_negative", m, {"x": _a(4), "k": i64([5, -1])})
    _one_line_error(s, "SplitToSequence with a negative length", r, "node 'split' (SplitToSequence): split length -1 is negative")
    m = _model([h.make_node("OptionalGetElement", ["o"], ["y"], name="get")], [_vi("o", _opt_t(h.make_tensor_type_proto(F, [2])))], [_tvi("y")])
    _, r, _ = _xc(xc, tmp, "get_empty", m, {"o": None})
    _one_line_error(s, "OptionalGetElement on an empty optional", r, "optional input 'o' is empty")
    m = _model([h.make_node("Relu", ["s"], ["y"], name="relu")], [_vi("s", _seq_t())], [_tvi("y")])
    _, r, _ = _xc(xc, tmp, "tensor_op_on_sequence", m, {"s": [_a(2)]})
    _one_line_error(s, "a tensor op given a sequence", r, "input 's' is a sequence, but Relu takes tensors")
    body = h.make_graph([h.make_node("Identity", ["c_in"], ["c_out"]), h.make_node("SequenceConstruct", ["x"], ["s"])], "b",
                        [_tvi("i", T.INT64, []), _tvi("c_in", T.BOOL, [])], [_tvi("c_out", T.BOOL, []), _vi("s", _seq_t())])
    m = _model([h.make_node("Loop", ["n", ""], ["st"], body=body, name="loop")], [_tvi("n", T.INT64, []), _tvi("x", F, [2])], [_tvi("st")])
    _, r, _ = _xc(xc, tmp, "loop_scan_sequence", m, {"n": i64(2), "x": _a(2)})
    _one_line_error(s, "a Loop scan output that is a sequence", r, "node 'loop' (Loop): body output 1 is a sequence, but scan outputs stack tensors")
    m = _model([h.make_node("SequenceLength", ["s"], ["n"])], [_vi("s", _seq_t())], [_tvi("n", T.INT64, [])])
    path = os.path.join(tmp, "sq_no_inputs.onnx")
    onnx.save(m, path)
    r = _run([xc, "run", path, "--ref"])
    _one_line_error(s, "a sequence input without --load-inputs", r, "input 's' is a sequence, which crosscheck cannot make up")
    bad = os.path.join(tmp, "sq_tensor_for_seq")
    os.makedirs(bad, exist_ok=True)
    with open(os.path.join(bad, "input_0.pb"), "wb") as f:
        f.write(nh.from_array(_a(2), "s").SerializeToString())
    r = _run([xc, "run", path, "--ref", "--load-inputs", bad])
    _one_line_error(s, "a tensor file given for a sequence input", r, "input 's': the model declares a sequence, the given value is float32[2]")
    r = _run([xc, "run", path, "--ocl", "--load-inputs", _write_inputs(os.path.join(tmp, "sq_ocl_in"), m, {"s": [_a(2)]})])
    _one_line_error(s, "the OpenCL engine given a sequence", r, "the OpenCL engine runs tensors only, and 's' is a sequence")

    # conformance compares sequences element by element: the right one passes, a wrong element,
    # a missing element or an optional for a sequence fails
    m = _model([h.make_node("SplitToSequence", ["x"], ["parts"], axis=0)], [_tvi("x", F, [3, 2])], [_vi("parts", _seq_t())])
    x = _a(3, 2)
    right = [x[0:1], x[1:2], x[2:3]]
    wrong_elem = [x[0:1], x[1:2] + 1.0, x[2:3]]
    cases = {"right": right, "wrong_element": wrong_elem, "missing_element": right[:2]}
    root = os.path.join(tmp, "conf")
    for name, want in cases.items():
        d = os.path.join(root, "test_seq_" + name)
        os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
        onnx.save(m, os.path.join(d, "model.onnx"))
        _write_inputs(os.path.join(d, "test_data_set_0"), m, {"x": x})
        with open(os.path.join(d, "test_data_set_0", "output_0.pb"), "wb") as f:
            f.write(nh.from_list(want, "parts").SerializeToString())
    r = _run([xc, "conformance", root])
    lines = {ln.split()[1]: ln.split()[0] for ln in r.stdout.splitlines() if ln.startswith(("PASS", "FAIL", "UNSUPPORTED"))}
    s.check("sequences: conformance passes the right sequence and fails a wrong or missing element",
            lines == {"test_seq_right": "PASS", "test_seq_wrong_element": "FAIL", "test_seq_missing_element": "FAIL"},
            r.stdout[-1500:] + r.stderr[-500:])

    # a save keeps sequence and optional types (inputs, outputs and subgraph values), and
    # constant folding leaves a sequence made of constants as a node, not an initializer
    src = os.path.join(tmp, "sq_optional.onnx")
    out = os.path.join(tmp, "sq_saved.onnx")
    r = _run([xc, "surgeon", "sanitize", src, "--fold-constants", "-o", out])
    ok = r.returncode == 0
    if ok:
        a, b = onnx.load(src), onnx.load(out)
        ok = [str(v.type) for v in a.graph.input] == [str(v.type) for v in b.graph.input] and \
            [str(v.type) for v in a.graph.output] == [str(v.type) for v in b.graph.output]
    s.check("sequences: a save keeps sequence and optional types", ok, r.stderr[-600:])
    r = _run([xc, "inspect", "model", src])
    s.check("sequences: inspect model names sequence and optional values",
            re.search(r"oin\s+float32\s+\[3\]\s+optional\(tensor\)", r.stdout) is not None and
            re.search(r"sx_id\s+float32\s+\(unknown rank\)\s+sequence", r.stdout) is not None, r.stdout[-800:])
    m = _model([h.make_node("Constant", [], ["c"], value=nh.from_array(_a(2))),
                h.make_node("SequenceConstruct", ["c", "c"], ["s"]),
                h.make_node("SequenceAt", ["s", "p"], ["y"])],
               [_tvi("p", T.INT64, [])], [_tvi("y", F, None)])
    src = os.path.join(tmp, "sq_fold.onnx")
    onnx.save(m, src)
    r = _run([xc, "surgeon", "sanitize", src, "--fold-constants", "-o", out])
    ok = r.returncode == 0
    if ok:
        b = onnx.load(out)
        ok = [n.op_type for n in b.graph.node] == ["SequenceConstruct", "SequenceAt"] and len(b.graph.initializer) == 1
        ok = ok and _same(ReferenceEvaluator(b).run(None, {"p": i64(1)})[0], ReferenceEvaluator(m).run(None, {"p": i64(1)})[0])
    s.check("sequences: folding keeps a constant sequence as a node", ok, r.stderr[-600:])
