"""`crosscheck triage` (called by tests/run_tests.py as section triage): a small residual CNN made
here with onnx.helper (level-0 builds, as the fast tier sets), once with a planted subtle fault
(scale=1.001 on one conv) that triage must name in its text, JSON and HTML (exit 1), once clean
(no divergence, exit 0). The HTML is rendered in headless Chromium when it is installed (a
screenshot that must not be blank), else parsed with html.parser for the chart and graph SVGs."""
import html.parser
import json
import os
import shutil
import struct
import subprocess
import sys
import time
import zlib

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh


def model(path, blocks=3, width=8):
    """Stem conv, `blocks` residual blocks (conv, relu, conv, add, relu), pool, two gemms, softmax:
    5 * blocks + 8 nodes, with fused conv+relu groups and residual adds."""
    rng = np.random.default_rng(0)
    inits, nodes = [], []

    def w(name, *shape, scale=0.3):
        inits.append(nh.from_array((rng.standard_normal(shape) * scale).astype(np.float32), name))
        return name

    def conv(name, x, cin, cout):
        nodes.append(h.make_node("Conv", [x, w(name + "_w", cout, cin, 3, 3, scale=0.2), w(name + "_b", cout)], [name], name=name,
                                 pads=[1, 1, 1, 1]))
        return name

    x = conv("stem", "x", 3, width)
    nodes.append(h.make_node("Relu", [x], ["stem_relu"], name="stem_relu"))
    x = "stem_relu"
    for b in range(blocks):
        p = "b%d" % b
        c1 = conv(p + "_conv1", x, width, width)
        nodes.append(h.make_node("Relu", [c1], [p + "_relu1"], name=p + "_relu1"))
        c2 = conv(p + "_conv2", p + "_relu1", width, width)
        nodes.append(h.make_node("Add", [c2, x], [p + "_add"], name=p + "_add"))
        nodes.append(h.make_node("Relu", [p + "_add"], [p + "_out"], name=p + "_out"))
        x = p + "_out"
    nodes += [h.make_node("GlobalAveragePool", [x], ["pool"], name="pool"),
              h.make_node("Flatten", ["pool"], ["flat"], name="flat"),
              h.make_node("Gemm", ["flat", w("fc1_w", width, 16), w("fc1_b", 16)], ["fc1"], name="fc1"),
              h.make_node("Relu", ["fc1"], ["fc1_relu"], name="fc1_relu"),
              h.make_node("Gemm", ["fc1_relu", w("fc2_w", 16, 10), w("fc2_b", 10)], ["fc2"], name="fc2"),
              h.make_node("Softmax", ["fc2"], ["y"], name="softmax", axis=-1)]
    g = h.make_graph(nodes, "triage_cnn", [h.make_tensor_value_info("x", T.FLOAT, [1, 3, 16, 16])],
                     [h.make_tensor_value_info("y", T.FLOAT, [1, 10])], inits)
    onnx.save(h.make_model(g, opset_imports=[h.make_opsetid("", 17)]), path)
    return len(nodes)


class Page(html.parser.HTMLParser):
    """What the report holds: element ids, inline SVG sizes, external references."""

    def __init__(self):
        super().__init__()
        self.ids, self.stack, self.svg_children, self.external, self.text = set(), [], {}, [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        for k in ("src", "href", "xlink:href"):
            if a.get(k) and not a[k].startswith("#"):
                self.external.append((tag, a[k]))
        if tag == "link" or tag == "script":
            self.external.append((tag, a.get("href") or a.get("src") or "inline"))
        owner = next((i for i in reversed(self.stack) if i), None)
        if owner:
            self.svg_children[owner] = self.svg_children.get(owner, 0) + 1
        self.stack.append(a.get("id") if tag == "svg" or a.get("id") in ("graph",) else None)

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_data(self, data):
        self.text.append(data)


def png_rgb(path):
    """The pixels of an 8-bit RGB(A) PNG as an (h, w, 3) array, decoded here (no imaging library)."""
    data = open(path, "rb").read()
    pos, idat, width, height, ctype = 8, b"", 0, 0, 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            if depth != 8 or ctype not in (2, 6):
                return None
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    bpp = 4 if ctype == 6 else 3
    raw, stride = zlib.decompress(idat), width * bpp
    img = np.zeros((height, stride), dtype=np.int32)
    prev = np.zeros(stride, dtype=np.int32)
    for y in range(height):
        f, line = raw[y * (stride + 1)], np.frombuffer(raw, np.uint8, stride, y * (stride + 1) + 1).astype(np.int32)
        if f == 1:
            out = line.copy()
            for i in range(bpp, stride):
                out[i] = (out[i] + out[i - bpp]) & 255
        elif f == 2:
            out = (line + prev) & 255
        elif f == 3:
            out = line.copy()
            for i in range(stride):
                out[i] = (out[i] + ((out[i - bpp] if i >= bpp else 0) + prev[i]) // 2) & 255
        elif f == 4:
            out = line.copy()
            for i in range(stride):
                a, b, c = (out[i - bpp] if i >= bpp else 0), prev[i], (prev[i - bpp] if i >= bpp else 0)
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                out[i] = (out[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        else:
            out = line
        img[y], prev = out, out
    return img.reshape(height, width, bpp)[:, :, :3]


def pixels_near(rgb, colour, tol=14):
    return int((np.abs(rgb - np.array(colour)).max(axis=2) <= tol).sum())


def check_html(s, path, culprit, label, screenshot=True):
    text = open(path, encoding="utf-8").read()
    p = Page()
    p.feed(text)
    s.check("triage %s: the HTML report is self-contained (no script, no external resource)" % label,
            not p.external and "<script" not in text, str(p.external[:5]))
    s.check("triage %s: the HTML holds the error chart with a bar per layer and the graph SVG" % label,
            p.svg_children.get("error-chart", 0) > 3 and "graph" in p.ids and p.svg_children.get("graph", 0) > 3,
            "children: %s ids: %s" % (p.svg_children, sorted(p.ids)))
    if culprit:
        s.check("triage %s: the HTML names the culprit %s" % (label, culprit), culprit in "".join(p.text), "")
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not screenshot:
        return
    if not browser:
        print("  triage: chromium is not installed (tools/deps.sh chromium): the HTML was checked structurally only")
        return
    shot = path + ".png"
    t0 = time.time()
    r = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--screenshot=" + shot,
                        "--window-size=1200,2000", "file://" + os.path.abspath(path)], capture_output=True, text=True, timeout=120)
    rgb = png_rgb(shot) if os.path.exists(shot) else None
    var = float(rgb.mean(axis=2).var()) if rgb is not None else None
    # the chart's bars (pass #3b9a4a, fail #d0342c) and the graph's overlay fills must show as pixels
    bars = (pixels_near(rgb, (59, 154, 74)), pixels_near(rgb, (208, 52, 44))) if rgb is not None else (0, 0)
    graph = pixels_near(rgb, (0xb9, 0xe3, 0xb2), 6) if rgb is not None else 0
    s.check("triage %s: Chromium renders the report: not blank, chart bars and graph nodes drawn (%.1f s)" % (label, time.time() - t0),
            var is not None and var > 100 and min(bars) > 500 and graph > 500,
            "variance %s, bar pixels %s, graph pixels %d, rc %d: %s" % (var, bars, graph, r.returncode, r.stderr[-500:]))


def triage(s, xc, build, tmp):
    # the report draws the graph: under the sanitizer build Graphviz's and the font stack's own
    # leaks are suppressed as for `crosscheck graph` (tests/graph/lsan.supp)
    from graph.graph_checks import ENV
    env = dict(ENV)
    env.setdefault("CROSSCHECK_BUILDER_OPTIMIZATION_LEVEL", "0")
    path = os.path.join(tmp, "triage_cnn.onnx")
    n = model(path)
    culprit = "b1_conv2"
    out = os.path.join(tmp, "triage_fault")
    t0 = time.time()
    r = subprocess.run([xc, "triage", path, "-o", out, "--inject-fault", "node=%s:scale=1.001" % culprit], capture_output=True,
                       text=True, timeout=600, env=env)
    secs = time.time() - t0
    s.check("triage: a planted scale=1.001 on %s (%d nodes) diverges: exit 1 (%.1f s)" % (culprit, n, secs), r.returncode == 1,
            r.stdout[-2000:] + r.stderr[-2000:])
    s.check("triage: the text names the culprit node", ("culprit" in r.stdout and culprit in r.stdout.split("culprit", 1)[1].split("\n")[0]),
            r.stdout[-2000:])
    s.check("triage: one progress line per step on stderr", all(("[triage] %s:" % k) in r.stderr for k in ("build+compare", "report")),
            r.stderr[-2000:])
    try:
        j = json.load(open(os.path.join(out, "report.json")))
    except (OSError, ValueError) as e:
        s.check("triage: report.json is JSON", False, str(e))
        return
    c = j["culprit"]
    s.check("triage: report.json names the culprit node and a minimal model holding it",
            j["diverged"] and c["known"] and culprit in (c["nodes"] or "") and j["minimal_model"]["path"]
            and culprit in (j["minimal_model"]["nodes"] or "") and os.path.exists(j["minimal_model"]["path"]), json.dumps(c))
    s.check("triage: report.json has the reproduce command, timings per step and the per-layer rows",
            j["commands"]["reproduce"] and "--inject-fault" in j["commands"]["reproduce"] and all(st["seconds"] >= 0 for st in j["steps"])
            and len(j["per_layer"]) > 5 and j["first_divergence"], json.dumps(j["commands"]))
    check_html(s, os.path.join(out, "report.html"), culprit, "fault")

    clean = os.path.join(tmp, "triage_clean")
    r = subprocess.run([xc, "triage", path, "-o", clean], capture_output=True, text=True, timeout=600, env=env)
    j = json.load(open(os.path.join(clean, "report.json"))) if os.path.exists(os.path.join(clean, "report.json")) else {}
    s.check("triage: the clean model reports no divergence, exit 0", r.returncode == 0 and "no divergence" in r.stdout
            and j.get("diverged") is False and not j["culprit"]["known"] and len(j["steps"]) == 2, r.stdout[-2000:] + r.stderr[-1500:])
    check_html(s, os.path.join(clean, "report.html"), None, "clean", screenshot=False)

    # a fault only while the conv is fused: debug fusions names the group and its fix passes
    out = os.path.join(tmp, "triage_fusion")
    r = subprocess.run([xc, "triage", path, "-o", out, "--inject-fault", "node-fusion=%s:scale=1.001" % culprit], capture_output=True,
                       text=True, timeout=600, env=env)
    j = json.load(open(os.path.join(out, "report.json"))) if os.path.exists(os.path.join(out, "report.json")) else {}
    c = j.get("culprit", {})
    s.check("triage: a fault in a fused group is explained by debug fusions, with a fix command",
            r.returncode == 1 and c.get("found_by") == "debug fusions" and culprit in (c.get("nodes") or "")
            and "--no-fuse-node" in (j["commands"]["fix"] or ""), r.stdout[-2000:] + r.stderr[-1500:])
    if j.get("commands", {}).get("fix"):
        fix = subprocess.run(j["commands"]["fix"].replace("crosscheck", xc, 1), shell=True, capture_output=True, text=True, timeout=600, env=env)
        s.check("triage: the fix command it prints passes", fix.returncode == 0, fix.stdout[-1500:] + fix.stderr[-800:])

    # a fault only while the fused conv runs a non-baseline tactic (pinned by a partial replay file,
    # the rest at level 0): debug tactics runs before fusions and names the tactic; its fix passes
    pin = os.path.join(tmp, "triage_pin.json")
    json.dump({"format": "crosscheck-tactics-1", "layers": [{"name": "%s + b1_add + b1_out" % culprit, "tactic": "conv2d.winograd_f2x2_3x3.8"}]},
              open(pin, "w"))
    out = os.path.join(tmp, "triage_tactic")
    r = subprocess.run([xc, "triage", path, "-o", out, "--load-tactics", pin, "--inject-fault", "node-tactic=%s:scale=1.001" % culprit],
                       capture_output=True, text=True, timeout=600, env=env)
    j = json.load(open(os.path.join(out, "report.json"))) if os.path.exists(os.path.join(out, "report.json")) else {}
    c = j.get("culprit", {})
    s.check("triage: a fault in a non-baseline tactic of a fused group is explained by debug tactics (run before fusions)",
            r.returncode == 1 and c.get("found_by") == "debug tactics" and "winograd" in (c.get("what") or "")
            and [st["step"] for st in j["steps"]][1] == "debug tactics", r.stdout[-2000:] + r.stderr[-1500:])
    if j.get("commands", {}).get("fix"):
        fix = subprocess.run(j["commands"]["fix"].replace("crosscheck", xc, 1), shell=True, capture_output=True, text=True, timeout=600, env=env)
        s.check("triage: the tactic fix command it prints passes", fix.returncode == 0, fix.stdout[-1500:] + fix.stderr[-800:])

    # the outputs pass (their tolerance loosened) while layers fail: the tools search the cut model
    out = os.path.join(tmp, "triage_cut")
    r = subprocess.run([xc, "triage", path, "-o", out, "--inject-fault", "node=b0_conv1:scale=1.001", "--atol", "y:1", "--rtol", "y:1"],
                       capture_output=True, text=True, timeout=600, env=env)
    j = json.load(open(os.path.join(out, "report.json"))) if os.path.exists(os.path.join(out, "report.json")) else {}
    s.check("triage: outputs pass but layers fail: the tools search the model cut at the first divergent layer and name b0_conv1",
            r.returncode == 1 and j.get("outputs_passed") is True and [st["step"] for st in j["steps"]][:2] == ["build+compare", "cut"]
            and "b0_conv1" in (j["culprit"]["nodes"] or "") and "b0_conv1" in (j["minimal_model"]["nodes"] or ""),
            r.stdout[-2000:] + r.stderr[-1500:])


if __name__ == "__main__":  # writes the model for trying triage by hand
    print(model(sys.argv[1], *(int(a) for a in sys.argv[2:])))
