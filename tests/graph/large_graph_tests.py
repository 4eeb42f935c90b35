"""Checks of `crosscheck graph` on models too large to lay out node by node (called from
tests/run_tests.py): above --max-nodes the picture collapses into blocks. The blocks are read
back from the SVG (each box's tooltip names its first and last node, its label its node count)
and checked against the ONNX file itself: they tile the node list, a prefix block holds exactly
that prefix's nodes, and the edges between boxes are exactly the tensors crossing blocks."""
import json
import os
import re
import resource
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
RED, GREEN, GREY = "#f3a09b", "#b9e3b2", "#d9d9d9"
sys.path.insert(0, HERE)
from graph_checks import ENV  # noqa: E402  (sanitizer options for Graphviz's own leaks)

# these checks read stderr: under the sanitizer build, LSan's list of suppressions used is noise


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, env=ENV, **kw)


def timed_run(cmd, **kw):
    """run() and its wall and CPU seconds (user + system). Seven engineers share this machine's
    two cores, so wall time says more about them than about us: bounds are on CPU time, with a
    loose bound on wall time against hangs."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.time()
    r = run(cmd, **kw)
    wall = time.time() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r, wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def svg_boxes(path):
    """(title, [label lines], tooltip, shape attrs) of every box, the root's title lines, and the
    (tail, head) titles of every edge."""
    root = ET.parse(path).getroot()
    boxes, edges = {}, []
    for g in root.iter(SVG + "g"):
        title = g.find(SVG + "title")
        if g.get("class") == "node":
            a = g.find(".//" + SVG + "a")
            shape = next((e for e in g.iter() if e.tag in (SVG + "polygon", SVG + "path")), None)
            boxes[title.text] = ([t.text or "" for t in g.iter(SVG + "text")], a.get(XLINK + "title") if a is not None else "",
                                 shape.attrib if shape is not None else {})
        elif g.get("class") == "edge":
            edges.append(tuple(title.text.split("->")))
    graph = root.find(SVG + "g")
    heading = [t.text for t in graph.findall(SVG + "text")]
    return boxes, edges, heading


def block_ranges(boxes, names):
    """Maps every box standing for model nodes (id "block<k>" or "n<i>") to its index range in
    the ONNX node list, from the tooltip ("first ... last" for a block, the node's name else)."""
    where = {n: i for i, n in enumerate(names)}
    ranges = {}
    for bid, (lines, tip, _) in boxes.items():
        if bid.startswith("block"):
            first, last = tip.split(" ... ")
            ranges[bid] = (where[first], where[last] + 1)
        elif re.fullmatch(r"n\d+", bid):
            ranges[bid] = (where[tip], where[tip] + 1)
    return ranges


def check_blocks(s, label, path, model, budget):
    """The collapsed picture's blocks against the model: returns (boxes, block of each node)."""
    try:
        boxes, edges, heading = svg_boxes(path)
    except Exception as e:
        s.check("%s: SVG parses as XML" % label, False, str(e))
        return None, None
    names = [n.name for n in model.graph.node]
    ranges = block_ranges(boxes, names)
    spans = sorted(ranges.values())
    tiles = spans and spans[0][0] == 0 and spans[-1][1] == len(names) and all(
        a[1] == b[0] for a, b in zip(spans, spans[1:]))
    counts = all(int(boxes[b][0][1].split()[0]) == hi - lo for b, (lo, hi) in ranges.items() if b.startswith("block"))
    s.check("%s: SVG is valid XML, %d boxes (<= %d) tile all %d nodes, labels count their nodes" % (
        label, len(ranges), budget, len(names)), tiles and counts and len(ranges) <= budget,
        "spans %s" % spans[:8])
    s.check("%s: the title says the picture was collapsed and how to see more" % label,
            any("collapsed into %d blocks" % len(ranges) in (h or "") and "--around" in h for h in heading), str(heading))
    # a block labelled with one prefix holds exactly the nodes under it
    bad = []
    for b, (lo, hi) in ranges.items():
        head = boxes[b][0][0]
        if b.startswith("block") and " ... " not in head:
            inside = [i for i, n in enumerate(names) if n.startswith(head + "/")]
            if inside != list(range(lo, hi)):
                bad.append(head)
    s.check("%s: each prefix block holds exactly that prefix's nodes" % label, not bad, str(bad[:5]))
    # edges between boxes are exactly the tensors crossing from one block to another
    block_of = [None] * len(names)
    for b, (lo, hi) in ranges.items():
        for i in range(lo, hi):
            block_of[i] = b
    producer = {o: i for i, n in enumerate(model.graph.node) for o in n.output}
    want = {(block_of[producer[t]], block_of[i]) for i, n in enumerate(model.graph.node) for t in n.input
            if t in producer and block_of[producer[t]] != block_of[i]}
    got = {e for e in edges if e[0] in ranges and e[1] in ranges}
    s.check("%s: %d edges between boxes, one per pair of blocks a tensor crosses" % (label, len(want)), got == want,
            "missing %s extra %s" % (sorted(want - got)[:5], sorted(got - want)[:5]))
    return boxes, block_of


def one_line(r, *needles):
    lines = r.stderr.strip().splitlines()
    return len(lines) == 1 and all(n in lines[0] for n in needles)


def transformer_50k(s, xc, tmp):
    model_path = os.path.join(tmp, "transformer50k.onnx")
    r = run([sys.executable, os.path.join(HERE, "make_transformer.py"), model_path, "50000"])
    if not s.check("large graph: 50k-node transformer-like model generated", r.returncode == 0, r.stderr):
        return
    model = onnx.load(model_path)
    n = len(model.graph.node)
    out = os.path.join(tmp, "t50k.svg")
    r, wall, cpu = timed_run([xc, "graph", model_path, "-o", out], timeout=300)
    s.check("large graph: %d-node model renders to SVG in %.1f s CPU, %.1f s wall (bounds 30 s CPU, 120 s wall)" % (
        n, cpu, wall), r.returncode == 0 and cpu < 30 and wall < 120, r.stderr[-500:])
    s.check("large graph: one stderr line says what was collapsed and points at --around and .dot",
            one_line(r, "%d nodes" % n, "blocks", "by name prefix", "--around", ".dot"), r.stderr)
    if r.returncode == 0:
        boxes, _ = check_blocks(s, "large graph (50k transformer)", out, model, 200)
        runs = [b for b, v in (boxes or {}).items() if b.startswith("block") and re.fullmatch(
            r"/encoder/layer\.\d+ \.\.\. /encoder/layer\.\d+", v[0][0])]
        s.check("large graph: encoder layers collapse into runs labelled '/encoder/layer.A ... /encoder/layer.B'",
                len(runs) > 100, str(list((boxes or {}).values())[:3]))
    # DOT needs no layout: it stays complete, and fast
    dot = os.path.join(tmp, "t50k.dot")
    r, wall, cpu = timed_run([xc, "graph", model_path, "-o", dot], timeout=300)
    drawn = len(re.findall(r"^\s*n\d+\s*\[", open(dot).read(), re.M)) if r.returncode == 0 else 0
    s.check("large graph: DOT of the %d-node model is complete (%d node boxes) in %.1f s CPU, %.1f s wall, "
            "nothing on stderr" % (n, drawn, cpu, wall), r.returncode == 0 and drawn == n and not r.stderr, r.stderr[-300:])
    # --around shows one block's detail, in full
    node = "/encoder/layer.500/attention/self/Softmax"
    out = os.path.join(tmp, "t50k_around.svg")
    r = run([xc, "graph", model_path, "--around", node, "--radius", "3", "-o", out], timeout=120)
    try:
        boxes, _, _ = svg_boxes(out) if r.returncode == 0 else ({}, None, None)
    except Exception:
        boxes = {}
    s.check("large graph: --around NODE in the 50k model draws its neighbourhood in full, not collapsed",
            r.returncode == 0 and not r.stderr and 4 <= sum(bool(re.fullmatch(r"n\d+", b)) for b in boxes) <= 20,
            r.stderr + str(list(boxes)[:10]))


def prefixes(s, xc, tmp):
    """119 layers and a 200-block budget: every layer gets its own block and some are split
    further, into their attention / intermediate / output parts."""
    model_path = os.path.join(tmp, "transformer5k.onnx")
    r = run([sys.executable, os.path.join(HERE, "make_transformer.py"), model_path, "5000"])
    if not s.check("large graph: 5k-node transformer-like model generated", r.returncode == 0, r.stderr):
        return
    out = os.path.join(tmp, "t5k.svg")
    r = run([xc, "graph", model_path, "-o", out], timeout=300)
    if not s.check("large graph: 5k-node model renders", r.returncode == 0, r.stderr):
        return
    boxes, _ = check_blocks(s, "large graph (5k transformer)", out, onnx.load(model_path), 200)
    heads = [v[0][0] for b, v in (boxes or {}).items() if b.startswith("block")]
    layers = [h for h in heads if re.fullmatch(r"/encoder/layer\.\d+", h)]
    parts = [h for h in heads if re.fullmatch(r"/encoder/layer\.\d+/(attention|intermediate|output)(/\w+)*", h)]
    s.check("large graph: blocks by prefix at two depths (%d whole layers, %d layer parts)" % (len(layers), len(parts)),
            layers and parts, str(heads[:10]))


def overlay(path, fail_node, pass_node):
    layers = [{"index": 0, "layer": pass_node, "nodes": [pass_node], "verdict": "pass"},
              {"index": 1, "layer": fail_node, "nodes": [fail_node], "verdict": "fail", "max_abs": 0.5}]
    with open(path, "w") as f:
        json.dump({"format": "crosscheck-per-layer-1", "mode": "accumulated", "first_divergence": fail_node,
                   "layers": layers}, f)
    return path


def threshold(s, xc, tmp):
    chain = os.path.join(tmp, "chain300.onnx")
    r = run([sys.executable, os.path.join(HERE, "make_chain.py"), chain, "300"])
    if not s.check("large graph: 301-node chain generated", r.returncode == 0, r.stderr):
        return
    model = onnx.load(chain)
    n = len(model.graph.node)
    full, at, over = (os.path.join(tmp, "chain_%s.svg" % k) for k in ("full", "at", "over"))
    r0 = run([xc, "graph", chain, "-o", full, "--max-nodes", "0"])
    r1 = run([xc, "graph", chain, "-o", at, "--max-nodes", str(n)])
    same = r0.returncode == r1.returncode == 0 and open(full, "rb").read() == open(at, "rb").read()
    s.check("large graph: a model of exactly --max-nodes nodes is drawn in full, byte for byte as with no limit",
            same and not r1.stderr and len(svg_boxes(at)[0]) >= n, r0.stderr + r1.stderr)
    r = run([xc, "graph", chain, "-o", over, "--max-nodes", str(n - 1)])
    s.check("large graph: one node over --max-nodes collapses (runs of consecutive nodes), one stderr line",
            r.returncode == 0 and one_line(r, "runs of consecutive nodes", "--around"), r.stderr)
    if r.returncode == 0:
        check_blocks(s, "large graph (chain, --max-nodes %d)" % (n - 1), over, model, 200)
    # --max-nodes smaller than the block budget bounds the boxes; overlays and highlights reach blocks
    small = os.path.join(tmp, "chain_50.svg")
    ov = overlay(os.path.join(tmp, "chain_ov.json"), "relu_151", "add_0")
    r = run([xc, "graph", chain, "-o", small, "--max-nodes", "50", "--results", ov, "--highlight", "skip_13"])
    if not s.check("large graph: --max-nodes 50 with --results and --highlight", r.returncode == 0, r.stderr):
        return
    boxes, block_of = check_blocks(s, "large graph (chain, --max-nodes 50)", small, model, 50)
    if not boxes:
        return
    names = [nd.name for nd in model.graph.node]
    fail_b, pass_b, hi_b = (block_of[names.index(k)] for k in ("relu_151", "add_0", "skip_13"))
    fills = {b: v[2].get("fill") for b, v in boxes.items() if b.startswith("block")}
    s.check("large graph: a block takes its worst verdict (red fail, green pass, grey no data)",
            fills.get(fail_b) == RED and fills.get(pass_b) == GREEN and
            all(f == GREY for b, f in fills.items() if b not in (fail_b, pass_b)), str(fills))
    s.check("large graph: the first divergence's block outlined thick, a highlighted node's block blue",
            boxes[fail_b][2].get("stroke") == "#b00000" and boxes[hi_b][2].get("stroke") == "#1f4fd0",
            str(boxes[fail_b][2]) + str(boxes[hi_b][2]))


def small_models(s, xc, tmp):
    for name in ("small_cnn", "small_transformer"):
        model = os.path.join(ROOT, "models", name, "model.onnx")
        a, b = os.path.join(tmp, name + "_default.svg"), os.path.join(tmp, name + "_nolimit.svg")
        ra = run([xc, "graph", model, "-o", a])
        rb = run([xc, "graph", model, "-o", b, "--max-nodes", "0"])
        n = len(onnx.load(model).graph.node)
        ok = ra.returncode == rb.returncode == 0 and not ra.stderr and open(a, "rb").read() == open(b, "rb").read()
        s.check("large graph: %s (%d nodes) renders in full with the default limit, nothing on stderr" % (name, n),
                ok and sum(bool(re.fullmatch(r"n\d+", k)) for k in svg_boxes(a)[0]) == n, ra.stderr + rb.stderr)


def large_graph_tests(s, xc, build, tmp):
    """`crosscheck graph` on large models: collapsed blocks, the --max-nodes threshold, DOT complete."""
    small_models(s, xc, tmp)
    threshold(s, xc, tmp)
    prefixes(s, xc, tmp)
    transformer_50k(s, xc, tmp)


if __name__ == "__main__":
    # standalone: large_graph_tests.py BUILD_DIR
    import tempfile
    sys.path.insert(0, os.path.join(ROOT, "tests"))
    from run_tests import Suite
    suite = Suite()
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    with tempfile.TemporaryDirectory() as tmp:
        large_graph_tests(suite, os.path.join(build, "crosscheck"), build, tmp)
    print("%d passed, %d failed" % (suite.passed, suite.failed))
    sys.exit(1 if suite.failed else 0)
