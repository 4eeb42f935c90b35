"""Checks of `crosscheck graph` (called from tests/run_tests.py): the DOT text's structure (nodes,
labels, edge shapes, initializers, clusters, overlay colours, --around selections), the rendered
formats, the size test, and bad inputs. DOT is parsed by the small reader below, which knows
the subset cgraph's agwrite produces."""
import json
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHAPE_RE = re.compile(r"^[a-z0-9]+\[[0-9A-Za-z_?,]*\]$")
GREEN, ORANGE, RED, GREY = "#b9e3b2", "#ffd08a", "#f3a09b", "#d9d9d9"


# Under the sanitizer build, leaks inside Graphviz and the font libraries are not ours (lsan.supp).
# Graphviz is built without frame pointers, so the fast unwinder stops at its allocator and the
# suppressions could not see which Graphviz function allocated: unwind the slow, exact way.
def with_option(var, option):
    return (os.environ.get(var, "") + ":" + option).lstrip(":")


# print_suppressions=0: the summary of what was suppressed would be a second stderr line.
ENV = dict(os.environ, LSAN_OPTIONS=with_option("LSAN_OPTIONS", "suppressions=" + os.path.join(HERE, "lsan.supp") +
                                                ":print_suppressions=0"),
           ASAN_OPTIONS=with_option("ASAN_OPTIONS", "fast_unwind_on_malloc=0"))


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, env=ENV, **kw)


# ---- a reader for the DOT that agwrite writes ----
TOKEN = re.compile(r'\s+|//[^\n]*|"((?:[^"\\]|\\.)*)"|(->|--|[{}\[\];,=])|([A-Za-z0-9_.:#\x80-\uffff]+)', re.S)


def tokens(text):
    pos = 0
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            raise ValueError("DOT: cannot read at %r" % text[pos:pos + 40])
        pos = m.end()
        if m.group(1) is not None:
            yield ("id", m.group(1).replace("\\\n", "").replace('\\"', '"'))
        elif m.group(2):
            yield ("sym", m.group(2))
        elif m.group(3):
            yield ("id", m.group(3))


class Dot:
    """nodes: id -> attrs; edges: [(tail, head, attrs)]; clusters: name -> (attrs, [node ids]);
    graph: the root's attributes."""

    def __init__(self, text):
        self.nodes, self.edges, self.clusters, self.graph = {}, [], {}, {}
        self.toks = list(tokens(text))
        self.i = 0
        while self.peek() != ("sym", "{"):
            self.i += 1
        self.i += 1
        self.body(None)

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def attrs(self):
        out = {}
        if self.peek() != ("sym", "["):
            return out
        self.i += 1
        while self.peek() != ("sym", "]"):
            key = self.toks[self.i][1]
            value = self.toks[self.i + 2][1]
            out[key] = value
            self.i += 3
            if self.peek() == ("sym", ","):
                self.i += 1
        self.i += 1
        return out

    def body(self, cluster):
        while True:
            kind, v = self.peek()
            if (kind, v) == ("sym", "}"):
                self.i += 1
                return
            if (kind, v) == ("sym", ";"):
                self.i += 1
                continue
            if kind == "id" and v == "subgraph":
                name = self.toks[self.i + 1][1]
                self.i += 3
                self.clusters[name] = ({}, [])
                self.body(name)
                continue
            self.i += 1
            if kind == "id" and v in ("graph", "node", "edge") and self.peek() == ("sym", "["):
                a = self.attrs()
                if v == "graph":
                    (self.clusters[cluster][0] if cluster else self.graph).update(a)
                continue
            if self.peek() == ("sym", "="):  # label="..." inside a subgraph
                self.i += 1
                value = self.toks[self.i][1]
                self.i += 1
                (self.clusters[cluster][0] if cluster else self.graph)[v] = value
                continue
            if self.peek() == ("sym", "->"):
                self.i += 1
                head = self.toks[self.i][1]
                self.i += 1
                self.edges.append((v, head, self.attrs()))
                for n in (v, head):
                    self.nodes.setdefault(n, {})
                continue
            self.nodes.setdefault(v, {}).update(self.attrs())
            if cluster:
                self.clusters[cluster][1].append(v)

    def op_nodes(self):
        return {k: a for k, a in self.nodes.items() if re.match(r"^n\d+$", k)}

    def by_name(self):
        """ONNX node display name -> attrs (node tooltips hold the name)."""
        return {a.get("tooltip"): a for a in self.op_nodes().values()}


def graph_dot(xc, args, out):
    r = run([xc, "graph"] + args + ["-o", out], timeout=600)
    if r.returncode != 0:
        return r, None
    return r, Dot(open(out).read())


def onnx_neighbourhood(model, around, radius):
    """Node names within radius edges of around (either direction), from python onnx."""
    import onnx
    g = onnx.load(model).graph
    name = lambda n: n.name or n.output[0]
    producer = {o: name(n) for n in g.node for o in n.output}
    adj = {name(n): set() for n in g.node}
    for n in g.node:
        for t in n.input:
            if t in producer and producer[t] != name(n):
                adj[name(n)].add(producer[t])
                adj[producer[t]].add(name(n))
    seen, frontier = {around}, {around}
    for _ in range(radius):
        frontier = {w for v in frontier for w in adj[v]} - seen
        seen |= frontier
    return seen


def one_line_error(r):
    lines = r.stderr.strip().splitlines()
    return r.returncode == 2 and len(lines) == 1 and not r.stdout.strip()


def model_view(s, xc, tmp):
    import onnx
    cnn = os.path.join(ROOT, "models", "small_cnn", "model.onnx")
    m = onnx.load(cnn)
    out = os.path.join(tmp, "cnn.dot")
    r, d = graph_dot(xc, [cnn], out)
    if not s.check("graph: small_cnn as DOT", d is not None, r.stderr):
        return
    ops = d.op_nodes()
    s.check("graph: one box per ONNX node (%d)" % len(m.graph.node), len(ops) == len(m.graph.node), str(sorted(ops)))
    want = {(n.name, n.op_type) for n in m.graph.node}
    got = {(a.get("tooltip"), a.get("label", "").split("\\n")[0]) for a in ops.values()}
    s.check("graph: each box names its op type and node", want == got, str(want ^ got))
    io = [k for k in d.nodes if k.startswith(("in:", "out:"))]
    shapes = {d.nodes[k].get("shape") for k in io}
    s.check("graph: graph input and output drawn as distinct shapes", sorted(io) == ["in:input", "out:probs"] and
            shapes == {"invhouse", "house"}, str(io) + str(shapes))
    labelled = [e for e in d.edges if e[1] in ops]
    s.check("graph: every edge into a node carries dtype and shape",
            labelled and all(SHAPE_RE.match(e[2].get("label", "")) for e in labelled),
            str([e for e in labelled if not SHAPE_RE.match(e[2].get("label", ""))][:3]))
    stem = d.by_name()["stem"]["label"]
    s.check("graph: Conv box lists kernel, pads and its weight collapsed",
            "kernel_shape=[3,3]" in stem and "pads=[1,1,1,1]" in stem and "stem.w float32[16,3,3,3]" in stem and
            not any(k.startswith("init:") for k in d.nodes), stem)
    r, d2 = graph_dot(xc, [cnn, "--show-initializers"], out)
    inits = [k for k in (d2.nodes if d2 else {}) if k.startswith("init:")]
    fed = {e[0] for e in d2.edges} if d2 else set()
    s.check("graph: --show-initializers draws each initializer as its own node (%d)" % len(m.graph.initializer),
            d2 is not None and len(inits) == len(m.graph.initializer) and set(inits) <= fed and
            "stem.w" not in d2.by_name()["stem"]["label"], r.stderr + str(inits[:5]))


def symbolic_dims(s, xc, tmp):
    import onnx
    from onnx import TensorProto, helper
    g = helper.make_graph([helper.make_node("Relu", ["x"], ["y"], name="r")], "sym",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 8])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 8])])
    path = os.path.join(tmp, "sym.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), path)
    r, d = graph_dot(xc, [path], os.path.join(tmp, "sym.dot"))
    label = d.nodes.get("in:x", {}).get("label", "") if d else ""
    s.check("graph: symbolic dims print by name", "float32[batch,8]" in label, r.stderr + label)
    # names with quotes, backslashes, markup and a newline stay literal and keep DOT and SVG valid
    odd = 'a"b\\c<d>&\ne'
    g = helper.make_graph([helper.make_node("Relu", [odd], ["y"], name=odd)], "odd",
                          [helper.make_tensor_value_info(odd, TensorProto.FLOAT, [2])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])])
    path = os.path.join(tmp, "odd.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), path)
    r, d = graph_dot(xc, [path], os.path.join(tmp, "odd.dot"))
    label = d.nodes.get("n0", {}).get("label", "") if d else ""
    r2 = run([xc, "graph", path, "-o", os.path.join(tmp, "odd.svg")])
    try:
        ET.parse(os.path.join(tmp, "odd.svg"))
        svg_ok = r2.returncode == 0
    except Exception:
        svg_ok = False
    s.check("graph: odd names stay literal in DOT and valid in SVG",
            'a"b\\\\c<d>& e' in label and svg_ok, r.stderr + r2.stderr + label)


def engine_view(s, xc, tmp):
    cnn = os.path.join(ROOT, "models", "small_cnn", "model.onnx")
    plan = os.path.join(tmp, "graph_cnn.plan")
    r = run([xc, "build", cnn, "-o", plan], timeout=600)
    if not s.check("graph: plan for the engine view built", r.returncode == 0, r.stderr):
        return
    layers = [l for l in json.load(open(plan))["layers"] if l["nodes"]]
    r, d = graph_dot(xc, [cnn, "--plan", plan], os.path.join(tmp, "engine.dot"))
    if not s.check("graph: --plan draws the engine", d is not None, r.stderr):
        return
    ok = len(d.clusters) == len(layers)
    for l in layers:
        cl = [c for c in d.clusters.values() if l["nodes"] == [d.nodes[k].get("tooltip") for k in c[1]]]
        label = cl[0][0].get("label", "") if len(cl) == 1 else ""
        ok = ok and l["tactic"] in label and l["precision"] in label and l["name"] in label
    s.check("graph: one cluster per layer (%d) holding its nodes, labelled with name, tactic and precision" % len(layers),
            ok, str(list(d.clusters.items())[:2]))
    into_nodes = [e for e in d.edges if re.match(r"^n\d+$", e[1])]
    s.check("graph: engine view keeps the edge shapes", into_nodes and all(SHAPE_RE.match(e[2].get("label", ""))
                                                                          for e in into_nodes))
    r, d16 = graph_dot(xc, [cnn, "--engine", "--fp16"], os.path.join(tmp, "engine16.dot"))
    reformats = [k for k in (d16.nodes if d16 else {}) if k.startswith("layer:")]
    s.check("graph: --engine --fp16 builds now and draws its reformat layers",
            d16 is not None and reformats and all("Reformat" in d16.nodes[k].get("label", "") for k in reformats),
            r.stderr + str(reformats))
    half = [e for e in (d16.edges if d16 else []) if e[2].get("label", "").endswith(" (fp16)")]
    s.check("graph: fp16 engine edges say their storage", half and not any(
        e[2].get("label", "").endswith(" (fp16)") for e in d.edges), str(half[:2]))
    r = run([xc, "graph", cnn, "--fp16", "-o", os.path.join(tmp, "x.dot")])
    s.check("graph: build options without --engine -> usage error", one_line_error(r), r.stderr)


def overlay_file(path, nested=False, **change):
    layers = [
        {"index": 0, "layer": "stem + stem_bn + stem_relu", "nodes": ["stem", "stem_bn", "stem_relu"],
         "tactic": "conv2d.direct", "precision": "fp32", "max_abs": 1e-6, "max_rel": 2e-5, "nmse": 1e-12,
         "score": 0.03, "verdict": "pass", "tensors": [{"name": "stem_relu", "max_abs": 1e-6, "max_rel": 2e-5, "passed": True}]},
        {"index": 1, "layer": "block_conv1 + block_conv1_bn + block_conv1_relu",
         "nodes": ["block_conv1", "block_conv1_bn", "block_conv1_relu"], "max_abs": 8e-6, "max_rel": 9e-6, "verdict": "near",
         "tensors": [{"name": "block_conv1_relu", "max_abs": 8e-6, "passed": True}]},
        {"index": 2, "layer": "block_conv2 + block_conv2_bn + block_add + block_relu",
         "nodes": ["block_conv2", "block_conv2_bn", "block_add", "block_relu"], "max_abs": 3e-2, "max_rel": 0.4,
         "verdict": "fail", "tensors": [{"name": "block_relu", "max_abs": 3e-2, "passed": False}]},
        {"index": 3, "layer": "pool", "nodes": ["pool"], "max_abs": 2e-2, "max_rel": 0.3, "verdict": "fail",
         "tensors": [{"name": "pool", "max_abs": 2e-2, "passed": False}]},
    ]
    o = {"format": "crosscheck-per-layer-1", "mode": "accumulated",
         "first_divergence": "block_conv2 + block_conv2_bn + block_add + block_relu", "layers": layers}
    o.update(change)
    with open(path, "w") as f:
        json.dump({"per_layer": o, "outputs": []} if nested else o, f)
    return path


def overlays(s, xc, tmp):
    cnn = os.path.join(ROOT, "models", "small_cnn", "model.onnx")
    for nested in (False, True):
        res = overlay_file(os.path.join(tmp, "per_layer%d.json" % nested), nested)
        r, d = graph_dot(xc, [cnn, "--results", res], os.path.join(tmp, "overlay.dot"))
        if not s.check("graph: --results overlay (%s)" % ("under per_layer" if nested else "at the root"), d is not None, r.stderr):
            return
        n = d.by_name()
        fills = {k: n[k].get("fillcolor") for k in ("stem", "block_conv1_bn", "block_add", "pool", "conv3", "fc")}
        s.check("graph: pass green, near orange, fail red, no data grey",
                fills == {"stem": GREEN, "block_conv1_bn": ORANGE, "block_add": RED, "pool": RED, "conv3": GREY, "fc": GREY},
                str(fills))
        thick = sorted(k for k, a in n.items() if a.get("penwidth") == "4")
        s.check("graph: the first divergent layer's nodes outlined thick",
                thick == sorted(["block_conv2", "block_conv2_bn", "block_add", "block_relu"]), str(thick))
        red_edges = {e[2].get("tooltip") for e in d.edges if e[2].get("color") == "#c00000"}
        s.check("graph: failing tensors' edges red", red_edges == {"block_relu", "pool"}, str(red_edges))
    r, d = graph_dot(xc, [cnn, "--results", res, "--highlight", "conv3", "stem_bn", "--show-initializers", "--highlight", "fc.w"],
                     os.path.join(tmp, "hl.dot"))
    n = d.by_name() if d else {}
    hl = sorted(k for k, a in n.items() if a.get("penwidth") == "3")
    fcw = [e for e in (d.edges if d else []) if e[2].get("tooltip") == "fc.w"]
    s.check("graph: --highlight outlines nodes and tensors", hl == ["conv3", "stem_bn"] and fcw and
            all(e[2].get("penwidth") == "3" for e in fcw), r.stderr + str(hl) + str(fcw))
    plan = os.path.join(tmp, "graph_cnn.plan")
    if os.path.exists(plan):
        r, d = graph_dot(xc, [cnn, "--plan", plan, "--results", res], os.path.join(tmp, "overlay_engine.dot"))
        first = [c for c in (d.clusters.values() if d else []) if c[0].get("penwidth") == "4"]
        s.check("graph: engine view outlines the first divergent layer's cluster with its numbers",
                len(first) == 1 and "fail max_abs=0.03" in first[0][0].get("label", ""), r.stderr)


def real_per_layer(s, xc, tmp):
    """End to end with the runner's own file, where `run` has --per-layer: every node of the
    engine is compared, so every box gets a verdict colour."""
    if "--per-layer" not in run([xc, "run", "--help"]).stdout:
        return
    cnn = os.path.join(ROOT, "models", "small_cnn", "model.onnx")
    res = os.path.join(tmp, "run_per_layer.json")
    r = run([xc, "run", cnn, "--ref", "--ocl", "--per-layer", "--json", res], timeout=600)
    r2, d = graph_dot(xc, [cnn, "--results", res], os.path.join(tmp, "real_overlay.dot"))
    fills = {k: a.get("fillcolor") for k, a in (d.by_name().items() if d else [])}
    s.check("graph: --results reads `run --per-layer --json` and colours every node",
            r.returncode in (0, 1) and fills and all(f in (GREEN, ORANGE, RED) for f in fills.values()),
            r.stderr[-500:] + r2.stderr + str(fills))


def around(s, xc, tmp, chain):
    cases = [(os.path.join(ROOT, "models", "small_cnn", "model.onnx"), "block_add", 1),
             (os.path.join(ROOT, "models", "small_cnn", "model.onnx"), "block_conv1_bn", 3),
             (os.path.join(ROOT, "models", "small_transformer", "model.onnx"), "attn_scores", 2),
             (chain, "skip_62", 4)]
    for model, node, radius in cases:
        want = onnx_neighbourhood(model, node, radius)
        r, d = graph_dot(xc, [model, "--around", node, "--radius", str(radius)], os.path.join(tmp, "around.dot"))
        got = set(d.by_name()) if d else set()
        s.check("graph: --around %s --radius %d selects %d nodes (%s)" % (node, radius, len(want), os.path.basename(os.path.dirname(model)) if model != chain else "generated chain"),
                got == want, r.stderr + " missing %s extra %s" % (sorted(want - got), sorted(got - want)))
    model = cases[0][0]
    r, d = graph_dot(xc, [model, "--around", "block_add", "--radius", "0"], os.path.join(tmp, "around0.dot"))
    stubs = [k for k in (d.nodes if d else {}) if k.startswith("cut")]
    s.check("graph: tensors crossing the selection end at stubs", d is not None and len(stubs) == 3, str(stubs))


def formats(s, xc, tmp):
    cnn = os.path.join(ROOT, "models", "small_cnn", "model.onnx")
    for ext, test in (("svg", lambda b: ET.fromstring(b).tag.endswith("svg")),
                      ("png", lambda b: b[:8] == b"\x89PNG\r\n\x1a\n" and len(b) > 1000),
                      ("pdf", lambda b: b[:4] == b"%PDF" and len(b) > 1000)):
        out = os.path.join(tmp, "cnn." + ext)
        r = run([xc, "graph", cnn, "-o", out, "--results", overlay_file(os.path.join(tmp, "ov.json"))])
        try:
            ok = r.returncode == 0 and test(open(out, "rb").read())
        except Exception as e:
            ok = False
        s.check("graph: renders %s" % ext.upper(), ok, r.stderr)


def size(s, xc, tmp, chain):
    out = os.path.join(tmp, "chain.svg")
    t0 = time.time()
    r = run([xc, "graph", chain, "-o", out], timeout=300)
    dt = time.time() - t0
    boxes = open(out).read().count('class="node"') if r.returncode == 0 else 0
    s.check("graph: 1,200-node model renders to SVG in %.2f s (bound 30 s, %d boxes)" % (dt, boxes),
            r.returncode == 0 and dt < 30 and boxes >= 1200, r.stderr)


def bad_inputs(s, xc, tmp):
    cnn = os.path.join(ROOT, "models", "small_cnn", "model.onnx")
    out = os.path.join(tmp, "bad.svg")
    bad_json = os.path.join(tmp, "bad.json")
    open(bad_json, "w").write("{not json")
    cases = [
        ("unknown --around node", [cnn, "--around", "nope", "-o", out], "nope"),
        ("unknown --highlight name", [cnn, "--highlight", "nope", "-o", out], "nope"),
        ("results file that is not JSON", [cnn, "--results", bad_json, "-o", out], "bad.json"),
        ("results file with a bad verdict", [cnn, "--results", overlay_file(os.path.join(tmp, "v.json"), layers=[
            {"layer": "stem", "nodes": ["stem"], "verdict": "maybe"}], first_divergence=None), "-o", out], "verdict"),
        ("results naming a node the model lacks", [cnn, "--results", overlay_file(os.path.join(tmp, "u.json"), layers=[
            {"layer": "x", "nodes": ["ghost"], "verdict": "pass"}], first_divergence=None), "-o", out], "ghost"),
        ("first_divergence not among the layers", [cnn, "--results", overlay_file(os.path.join(tmp, "f.json"),
                                                                                   first_divergence="zzz"), "-o", out], "zzz"),
        ("missing results file", [cnn, "--results", os.path.join(tmp, "none.json"), "-o", out], "none.json"),
        ("unwritable output", [cnn, "-o", os.path.join(tmp, "no", "such", "dir.svg")], "dir.svg"),
        ("unknown output extension", [cnn, "-o", os.path.join(tmp, "x.gif")], "x.gif"),
        ("no -o", [cnn], "-o"),
        ("a plan given as the model", [os.path.join(tmp, "graph_cnn.plan"), "-o", out], "--plan"),
        ("missing model", [os.path.join(tmp, "none.onnx"), "-o", out], "none.onnx"),
        ("negative --radius", [cnn, "--around", "stem", "--radius", "-1", "-o", out], "radius"),
    ]
    for name, args, needle in cases:
        r = run([xc, "graph"] + args)
        s.check("graph: %s -> exit 2, one line" % name, one_line_error(r) and needle in r.stderr and not os.path.exists(out),
                "rc %d: %s" % (r.returncode, r.stderr))
    # Graphviz without its plugins (GVBINDIR pointing at an empty folder) cannot lay out: a clean
    # error and no file, while DOT output (no layout) still works
    empty = os.path.join(tmp, "no_plugins")
    os.makedirs(empty, exist_ok=True)
    env = dict(ENV, GVBINDIR=empty)
    r = subprocess.run([xc, "graph", cnn, "-o", out], capture_output=True, text=True, env=env)
    r2 = subprocess.run([xc, "graph", cnn, "-o", os.path.join(tmp, "np.dot")], capture_output=True, text=True, env=env)
    s.check("graph: no Graphviz plugins -> exit 2, one line, no file; DOT still written",
            one_line_error(r) and "plugins" in r.stderr and not os.path.exists(out) and r2.returncode == 0,
            "rc %d: %s" % (r.returncode, r.stderr + r2.stderr))


def graph_tests(s, xc, tmp):
    chain = os.path.join(tmp, "chain.onnx")
    r = run([sys.executable, os.path.join(HERE, "make_chain.py"), chain, "1200"])
    if not s.check("graph: 1,200-node test model generated", r.returncode == 0, r.stderr):
        return
    model_view(s, xc, tmp)
    symbolic_dims(s, xc, tmp)
    engine_view(s, xc, tmp)
    overlays(s, xc, tmp)
    real_per_layer(s, xc, tmp)
    around(s, xc, tmp, chain)
    formats(s, xc, tmp)
    size(s, xc, tmp, chain)
    bad_inputs(s, xc, tmp)


if __name__ == "__main__":
    # standalone: graph_checks.py BUILD_DIR (the checks alone, while developing)
    import tempfile
    sys.path.insert(0, os.path.join(ROOT, "tests"))
    from run_tests import Suite
    suite = Suite()
    with tempfile.TemporaryDirectory() as tmp:
        graph_tests(suite, os.path.join(sys.argv[1] if len(sys.argv) > 1 else "build", "crosscheck"), tmp)
    print("%d passed, %d failed" % (suite.passed, suite.failed))
    sys.exit(1 if suite.failed else 0)
