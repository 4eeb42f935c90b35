"""Issue 17: full disks and interrupted writes, no file lost. Every file crosscheck opens or
writes: FIFOs never block, special files are written (not replaced), inputs are never
overwritten, planted temporary names and index files are never followed, mapped weights that
change under a run are reported, plans only name models inside their folder, saves and results
folders are atomic (checked by killing writers at random points), and .json results are files
Polygraphy itself loads."""
import json
import os
import random
import signal
import stat
import subprocess
import sys
import threading
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

PY = sys.executable


def _graph_env():
    """Under the sanitizer build, Graphviz's and fontconfig's own leaks are suppressed (tests/graph)."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "graph"))
    import graph_checks
    return graph_checks.ENV


def _run(cmd, timeout=60, **kw):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    except subprocess.TimeoutExpired as e:
        return subprocess.CompletedProcess(cmd, "timeout", e.stdout or "", "timed out after %ss" % timeout)


def _one_line(r, *words):
    """Exit 2 and one stderr line holding every word (the file named)."""
    lines = [x for x in (r.stderr or "").splitlines() if x.strip()]
    return r.returncode == 2 and len(lines) == 1 and all(w in lines[0] for w in words)


def _desc(r):
    return "rc=%s stderr=%s stdout=%s" % (r.returncode, (r.stderr or "")[-600:], (r.stdout or "")[-300:])


def _matmul_model(path, n=64, seed=0, external=True, location=None, inline_bytes=0):
    """y = x @ W (+ unused small initializers), W stored as external data when asked."""
    rng = np.random.default_rng(seed)
    w = rng.standard_normal((n, n)).astype(np.float32)
    inits = [numpy_helper.from_array(w, "W")]
    nodes = [helper.make_node("MatMul", ["x", "W"], ["y"], name="mm")]
    outputs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, n])]
    if inline_bytes:  # a Constant's tensor stays inline (attributes always do): a model file that takes a while to write
        big = rng.standard_normal(inline_bytes // 4).astype(np.float32)
        nodes.append(helper.make_node("Constant", [], ["z"], name="big", value=numpy_helper.from_array(big, "big")))
        outputs.append(helper.make_tensor_value_info("z", TensorProto.FLOAT, [inline_bytes // 4]))
    g = helper.make_graph(nodes, "mm", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, n])], outputs, inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    if external:
        onnx.save_model(m, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location=location or os.path.basename(path) + ".data", size_threshold=1024 if inline_bytes else 0)
    else:
        onnx.save_model(m, path)
    return w


def _many_external(path, location, count):
    """y = x + e0 (+ count-1 unused initializers), every initializer 16 bytes of one data file."""
    inits = []
    for i in range(count):
        t = TensorProto(name="e%d" % i, dims=[4], data_type=TensorProto.FLOAT, data_location=TensorProto.EXTERNAL)
        for k, v in (("location", location), ("offset", str(16 * i)), ("length", "16")):
            e = t.external_data.add()
            e.key, e.value = k, v
        inits.append(t)
    with open(os.path.join(os.path.dirname(path), location), "wb") as f:
        f.write(np.arange(4 * count, dtype=np.float32).tobytes())
    g = helper.make_graph([helper.make_node("Add", ["x", "e0"], ["y"], name="add")], "many",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    with open(path, "wb") as f:
        f.write(m.SerializeToString())


def _relu_model(path, n=8):
    g = helper.make_graph([helper.make_node("Relu", ["x"], ["y"], name="r")], "r",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, n])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, n])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.save(m, path)


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def _fifo(path):
    if os.path.lexists(path):
        os.unlink(path)
    os.mkfifo(path)
    return path


def fifo_inputs(s, xc, d):
    """H2: every file crosscheck reads may be a FIFO; none may block."""
    m = os.path.join(d, "ext.onnx")
    _matmul_model(m, location="w.bin")
    os.unlink(os.path.join(d, "w.bin"))
    _fifo(os.path.join(d, "w.bin"))
    r = _run([xc, "run", m], timeout=15)
    s.check("H2 external data file is a FIFO: refused at once, one line naming it", _one_line(r, "w.bin", "FIFO"), _desc(r))
    plain = os.path.join(d, "plain.onnx")
    _relu_model(plain)
    fifo = _fifo(os.path.join(d, "in.pb"))
    r = _run([xc, "run", plain, "--load-inputs", fifo], timeout=15)
    s.check("H2 --load-inputs FIFO: refused at once, one line naming it", _one_line(r, "in.pb"), _desc(r))
    fifo = _fifo(os.path.join(d, "model_fifo.onnx"))
    r = _run([xc, "inspect", "model", fifo], timeout=15)
    s.check("H2 a model that is a FIFO: refused at once", _one_line(r, "model_fifo.onnx"), _desc(r))
    fifo = _fifo(os.path.join(d, "cache.json"))
    r = _run([xc, "inspect", "tactics", fifo], timeout=15)
    s.check("H2 a tactics/timing-cache file that is a FIFO: refused at once", _one_line(r, "cache.json"), _desc(r))
    plan = os.path.join(d, "fifo.plan")
    _fifo(os.path.join(d, "planmodel.onnx"))
    with open(plan, "w") as f:
        json.dump({"format": "crosscheck-plan-1", "model": "planmodel.onnx"}, f)
    r = _run([xc, "bench", plan], timeout=15)
    s.check("H2 a plan whose model is a FIFO: refused at once", _one_line(r, "planmodel.onnx"), _desc(r))


def plan_model_paths(s, xc, d):
    """R1: a plan names its model inside its own folder, or the user names the model."""
    sub = os.path.join(d, "plans")
    os.makedirs(sub, exist_ok=True)
    outside = os.path.join(d, "outside.onnx")
    _relu_model(outside)
    for label, model in (("an absolute path", "/etc/passwd"), ("'..'", "../outside.onnx")):
        plan = os.path.join(sub, "p.plan")
        with open(plan, "w") as f:
            json.dump({"format": "crosscheck-plan-1", "model": model}, f)
        r = _run([xc, "bench", plan], timeout=30)
        s.check("R1 bench PLAN naming %s as its model: refused before opening it, asks for --model" % label,
                _one_line(r, "--model"), _desc(r))
    os.symlink(outside, os.path.join(sub, "link.onnx"))
    with open(os.path.join(sub, "p.plan"), "w") as f:
        json.dump({"format": "crosscheck-plan-1", "model": "link.onnx"}, f)
    r = _run([xc, "bench", os.path.join(sub, "p.plan")], timeout=30)
    s.check("R1 bench PLAN whose model is a symlink leaving its folder: refused", _one_line(r, "--model"), _desc(r))


def inputs_never_overwritten(s, xc, d):
    """L1: an output path that is an input of the same command is refused; the input survives."""
    m = os.path.join(d, "l1.onnx")
    _relu_model(m)
    before = _read(m)
    for label, args in (("run m --json m", ["run", m, "--json", m]),
                        ("surgeon sanitize m -o m", ["surgeon", "sanitize", "--cleanup", m, "-o", m]),
                        ("run m --save-inputs m.pb + --load-inputs m.pb", None)):
        if args is None:
            pb = os.path.join(d, "l1_in.pb")
            t = numpy_helper.from_array(np.ones((1, 8), np.float32), "x")
            open(pb, "wb").write(t.SerializeToString())
            pb_before = _read(pb)
            r = _run([xc, "run", m, "--load-inputs", pb, "--json", pb])
            ok = r.returncode == 2 and _read(pb) == pb_before and "l1_in.pb" in r.stderr
        else:
            r = _run([xc] + args)
            ok = r.returncode == 2 and _read(m) == before and "input" in r.stderr and "l1.onnx" in r.stderr
        s.check("L1 %s: refused (exit 2, error naming it), the input is intact" % label, ok, _desc(r))
    res = os.path.join(d, "l1_res")
    r = _run([xc, "run", m, "--save-outputs", res, "--seed", "1"])
    snap = {n: _read(os.path.join(res, n)) for n in os.listdir(res)} if r.returncode == 0 else None
    r = _run([xc, "run", m, "--load-inputs", res, "--save-outputs", res, "--seed", "2"])
    now = {n: _read(os.path.join(res, n)) for n in os.listdir(res)} if os.path.isdir(res) else {}
    s.check("L1 run --load-inputs DIR --save-outputs DIR: refused, the folder intact",
            snap is not None and r.returncode == 2 and now == snap and "l1_res" in r.stderr, _desc(r))
    link = os.path.join(d, "l1_link.onnx")
    os.symlink(m, link)
    r = _run([xc, "run", m, "--json", link])
    s.check("L1 run m --json LINK-TO-m: refused, m intact", r.returncode == 2 and _read(m) == before, _desc(r))


def build_inputs(s, xc, d):
    """L1 for build: -o and --save-tactics naming the model (needs OpenCL)."""
    m = os.path.join(d, "l1b.onnx")
    _relu_model(m)
    before = _read(m)
    for opt in ("-o", "--save-tactics"):
        r = _run([xc, "build", m, opt, m], timeout=300)
        s.check("L1 build m %s m: refused, the model intact" % opt, r.returncode == 2 and _read(m) == before, _desc(r))


def shared_data_file(s, xc, d):
    """L2/L3: a save never replaces an existing data file (another model's, or one a loaded
    model maps); the new model names fresh data instead."""
    sub = os.path.join(d, "l2")
    os.makedirs(sub, exist_ok=True)
    a = os.path.join(sub, "a.onnx")
    _matmul_model(a, n=32, seed=1, location="weights.bin")
    wb = _read(os.path.join(sub, "weights.bin"))
    b = os.path.join(sub, "b.onnx")
    _matmul_model(b, n=16, seed=2, location="bw.bin")
    out = os.path.join(sub, "out.onnx")
    r = _run([xc, "surgeon", "sanitize", "--cleanup", b, "-o", out, "--external-data-file", "weights.bin"])
    ok = r.returncode == 0 and _read(os.path.join(sub, "weights.bin")) == wb
    try:
        ma = onnx.load(a)
        wa = numpy_helper.to_array(ma.graph.initializer[0], base_dir=sub)
        mo = onnx.load(out)
        wo = numpy_helper.to_array(mo.graph.initializer[0], base_dir=sub)
        wb_arr = numpy_helper.to_array(onnx.load(b).graph.initializer[0], base_dir=sub)
        ok = ok and wa.shape == (32, 32) and np.array_equal(wo, wb_arr)
    except Exception as e:  # noqa: BLE001
        ok = False
        r.stderr += " / " + str(e)
    s.check("L2 surgeon --external-data-file naming another model's data: that file untouched, both models load right", ok, _desc(r))
    # a loaded model's own data file as the output's data file
    r = _run([xc, "surgeon", "sanitize", "--cleanup", a, "-o", os.path.join(sub, "a2.onnx"), "--external-data-file", "weights.bin"])
    ok = r.returncode == 0 and _read(os.path.join(sub, "weights.bin")) == wb
    s.check("L2 surgeon writing data under the name the loaded model maps: never replaced", ok, _desc(r))


def temp_names(s, xc, d):
    """L4: predictable temporary names are never followed."""
    m = os.path.join(d, "l4.onnx")
    _relu_model(m)
    victim = os.path.join(d, "victim.txt")
    open(victim, "w").write("keep me")
    out = os.path.join(d, "l4.json")
    os.symlink(victim, out + ".tmp")
    r = _run([xc, "run", m, "--json", out])
    ok = r.returncode == 0 and _read(victim) == b"keep me" and json.load(open(out)) is not None
    s.check("L4 run --json OUT with OUT.tmp planted as a symlink: the symlink's target untouched", ok, _desc(r))
    out = os.path.join(d, "l4out.onnx")
    os.symlink(victim, out + ".tmp")
    os.symlink(victim, out + ".data.tmp")
    mm = os.path.join(d, "l4ext.onnx")
    _matmul_model(mm, n=16)
    r = _run([xc, "surgeon", "sanitize", "--cleanup", mm, "-o", out])
    ok = r.returncode == 0 and _read(victim) == b"keep me"
    s.check("L4 surgeon -o OUT with OUT.tmp and OUT.data.tmp planted: the target untouched", ok, _desc(r))


def special_files(s, xc, d):
    """L5/L6: special files are written to, never replaced; their errors are reported."""
    m = os.path.join(d, "l5.onnx")
    _relu_model(m)
    chain = os.path.join(d, "chain.onnx")
    nodes = [helper.make_node("Relu", ["x" if i == 0 else "t%d" % i], ["y" if i == 199 else "t%d" % (i + 1)], name="relu_%d" % i)
             for i in range(200)]
    g = helper.make_graph(nodes, "chain", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8])])
    cm = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    cm.ir_version = 8
    onnx.save(cm, chain)
    pic = os.path.join(d, "pic.svg")
    os.symlink("/dev/full", pic)
    r = _run([xc, "graph", chain, "-o", pic], timeout=120, env=_graph_env())
    s.check("L6 graph -o a picture on a full disk: exit 2 and one line naming it (Graphviz never exits the process)",
            _one_line(r, "pic.svg"), _desc(r))
    # SIGINT while an existing picture is being redrawn: the old picture stays whole
    good = os.path.join(d, "good.svg")
    t0 = time.time()
    r0 = _run([xc, "graph", chain, "-o", good], timeout=120, env=_graph_env())
    span = time.time() - t0
    old_pic = _read(good) if r0.returncode == 0 else b""
    bad = []
    for k in range(3):
        with open(good, "wb") as f:
            f.write(old_pic)
        p = subprocess.Popen([xc, "graph", chain, "-o", good], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env=_graph_env())
        time.sleep(span * (0.3 + 0.2 * k))
        p.send_signal(signal.SIGINT)
        p.wait()
        if _read(good) != old_pic:
            bad.append("trial %d: %d bytes" % (k, len(_read(good))))
    s.check("L6 graph -o EXISTING interrupted (SIGINT) while rendering: the old picture is intact",
            old_pic.rstrip().endswith(b"</svg>") and not bad, "; ".join(bad))
    full = os.path.join(d, "full.json")
    os.symlink("/dev/full", full)
    r = _run([xc, "run", m, "--json", full])
    ok = _one_line(r, "full.json") and os.path.islink(full)
    if not s.check("L5 run --json LINK-TO-/dev/full: exit 2, one line naming it, the link not replaced", ok, _desc(r)):
        return  # a build that replaces special files would replace the real /dev/full (we may be root)
    r = _run([xc, "run", m, "--json", "/dev/full"])
    s.check("L5 run --json /dev/full: exit 2, one line naming it", _one_line(r, "/dev/full") and
            stat.S_ISCHR(os.stat("/dev/full").st_mode), _desc(r))
    fifo = _fifo(os.path.join(d, "out.fifo"))
    got = []

    def reader():
        with open(fifo, "rb") as f:
            got.append(f.read())
    t = threading.Thread(target=reader)
    t.start()
    r = _run([xc, "run", m, "--json", fifo], timeout=30)
    if t.is_alive():  # the writer never opened it: unblock the reader
        with open(fifo, "wb"):
            pass
    t.join()
    ok = r.returncode == 0 and stat.S_ISFIFO(os.lstat(fifo).st_mode) and got and b'"passed"' in got[0]
    s.check("L5 run --json FIFO: the report goes through the FIFO, which stays a FIFO", ok, _desc(r))
def results_folders(s, xc, d):
    """L7: a planted index never makes crosscheck delete files it did not write."""
    m = os.path.join(d, "l7.onnx")
    _relu_model(m)
    out = os.path.join(d, "l7out")
    os.makedirs(out)
    precious = os.path.join(out, "model.onnx")
    _relu_model(precious)
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump({"format": "crosscheck-results-1", "tensors": [{"file": "model.onnx"}]}, f)
    r = _run([xc, "run", m, "--save-outputs", out])
    s.check("L7 --save-outputs DIR with a planted index listing DIR/model.onnx: refused, the file kept",
            r.returncode == 2 and os.path.exists(precious) and "model.onnx" in r.stderr, _desc(r))
    out = os.path.join(d, "l7ok")
    r1 = _run([xc, "run", m, "--save-outputs", out, "--seed", "1"])
    r2 = _run([xc, "run", m, "--save-outputs", out, "--seed", "2"])
    names = sorted(os.listdir(out)) if os.path.isdir(out) else []
    leftovers = [n for n in os.listdir(d) if n.startswith(".l7ok")]
    ok = r1.returncode == 0 and r2.returncode == 0 and "index.json" in names and not leftovers
    s.check("L8 --save-outputs twice into one folder: replaced whole, no temporary folder left", ok, _desc(r2) + " %s %s" % (names, leftovers))


def polygraphy_json(s, xc, d):
    """Issue 11: --save-outputs X.json and --save-inputs X.json write Polygraphy's files."""
    m = os.path.join(d, "pj.onnx")
    w = _matmul_model(m, n=8, external=False)
    out, inp = os.path.join(d, "pj_out.json"), os.path.join(d, "pj_in.json")
    r = _run([xc, "run", m, "--iterations", "2", "--save-outputs", out, "--save-inputs", inp])
    ok = r.returncode == 0 and os.path.isfile(out) and os.path.isfile(inp)
    detail = _desc(r)
    if ok:
        code = ("import sys, numpy as np\n"
                "from polygraphy.comparator import RunResults\n"
                "from polygraphy.json import load_json\n"
                "rr = RunResults.load(sys.argv[1]); feeds = load_json(sys.argv[2])\n"
                "W = np.load(sys.argv[3])\n"
                "assert len(feeds) == 2, len(feeds)\n"
                "for name, its in rr.items():\n"
                "    assert len(its) == 2\n"
                "    for k, it in enumerate(its):\n"
                "        y = np.asarray(it['y']); x = np.asarray(feeds[k]['x'])\n"
                "        assert np.allclose(y, x @ W, rtol=1e-4, atol=1e-4), (name, k)\n"
                "print('OK', list(rr.keys()))\n")
        np.save(os.path.join(d, "pj_w.npy"), w)
        r = _run([PY, "-c", code, out, inp, os.path.join(d, "pj_w.npy")], timeout=120)
        ok = r.returncode == 0 and "OK" in r.stdout
        detail = _desc(r)
        r = _run([os.path.join(os.path.dirname(PY), "polygraphy"), "inspect", "data", out], timeout=120)
        ok = ok and r.returncode == 0
        detail += _desc(r)
        r = _run([xc, "run", m, "--load-inputs", inp, "--load-outputs", out])
        ok = ok and r.returncode == 0
        detail += _desc(r)
    s.check("issue 11 --save-outputs X.json / --save-inputs X.json: Polygraphy loads them, values right, crosscheck reads them back",
            ok, detail)


def mapped_weights_change(s, xc, d):
    """C6/H5: weights mapped in place that shrink or change during a run are an error naming the
    file, never SIGBUS or silently mixed data; 70,000 tensors of one file are one mapping."""
    m = os.path.join(d, "c6.onnx")
    _matmul_model(m, n=512, location="c6.bin")
    data = os.path.join(d, "c6.bin")
    original = _read(data)
    def timed_run(k):
        t0 = time.time()
        _run([xc, "run", m, "--iterations", str(k)], timeout=120)
        return time.time() - t0
    per = max((timed_run(40) - timed_run(1)) / 39, 0.0005)
    n = max(20, min(100000, int(1.5 / per)))  # a run of about 1.5 s
    for label, change in (("shrinks", lambda: os.truncate(data, 4096)),
                          ("is rewritten in place at the same size", None)):
        with open(data, "wb") as f:
            f.write(original)
        p = subprocess.Popen([xc, "run", m, "--iterations", str(n)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        mapped = False
        for _ in range(2000):  # change the file only once the run has it mapped
            try:
                mapped = "c6.bin" in open("/proc/%d/maps" % p.pid).read()
            except OSError:
                break
            if mapped:
                break
            time.sleep(0.002)
        time.sleep(0.05)
        if change:
            change()
        else:
            with open(data, "r+b") as f:
                f.write(bytes(len(original) // 2))
        try:
            out, err = p.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
        rr = subprocess.CompletedProcess(p.args, p.returncode, out, err)
        s.check("C6 external data %s during a run: exit 2, one line naming the file (no SIGBUS)" % label,
                _one_line(rr, "c6.bin"), _desc(rr))
    big = os.path.join(d, "h5.onnx")
    _many_external(big, "h5.bin", 70000)
    r = _run([xc, "run", big], timeout=300)
    s.check("H5 70,000 external tensors in one file: loads and runs (one mapping, not one per tensor)", r.returncode == 0, _desc(r))


def _kill_trials(s, label, trials, cmd_for, setup, verify):
    """Runs cmd, kills it with SIGKILL after a random delay within its usual run time, and checks
    the destination holds the complete old or the complete new version."""
    rng = random.Random(17)
    spans = []
    for _ in range(2):  # the first run may be cold (kernel cache): the faster one sets the pace
        setup()
        t0 = time.time()
        subprocess.run(cmd_for(0), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        spans.append(time.time() - t0)
    span, pace = min(spans), 1.0
    bad, killed = [], 0
    for i in range(trials):
        setup()
        p = subprocess.Popen(cmd_for(i), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.5, 1.05) * span * pace)  # writes come last: aim at the end
        p.send_signal(signal.SIGKILL)
        hit = p.wait() == -signal.SIGKILL
        killed += hit
        # on a loaded machine (make test runs two sections at once) runs vary: a trial that
        # ended before the kill aims earlier next time, so some trials do land mid-run
        pace = pace if hit else pace * 0.7
        v = verify()
        if v not in ("old", "new"):
            bad.append("trial %d: %s" % (i, v))
    s.check("kill -9 at random points, %d trials (%d killed mid-run): %s is the complete old or the complete new one"
            % (trials, killed, label), not bad and killed > 0, "; ".join(bad[:5]))


def kill_writers(s, xc, d):
    sub = os.path.join(d, "kill")
    os.makedirs(sub, exist_ok=True)
    src_old, src_new = os.path.join(sub, "old.onnx"), os.path.join(sub, "new.onnx")
    w_old = _matmul_model(src_old, n=512, seed=3, inline_bytes=8 << 20)
    w_new = _matmul_model(src_new, n=512, seed=4, inline_bytes=8 << 20)
    dest = os.path.join(sub, "dest.onnx")

    def model_setup():
        r = _run([xc, "surgeon", "sanitize", "--cleanup", src_old, "-o", dest])
        assert r.returncode == 0, r.stderr

    def inline_of(mo):
        node = [n for n in mo.graph.node if n.op_type == "Constant"][0]
        return numpy_helper.to_array(node.attribute[0].t)
    s_old = inline_of(onnx.load(src_old, load_external_data=False))
    s_new = inline_of(onnx.load(src_new, load_external_data=False))

    def model_verify():
        """W lies in the data file, the Constant inline in the model: both must come from one save."""
        try:
            mo = onnx.load(dest, load_external_data=False)
            w = numpy_helper.to_array([t for t in mo.graph.initializer if t.name == "W"][0], base_dir=sub)
            s0 = inline_of(mo)
        except Exception as e:  # noqa: BLE001
            return "does not load: %s" % str(e)[:200]
        if np.array_equal(w, w_old) and np.array_equal(s0, s_old):
            return "old"
        if np.array_equal(w, w_new) and np.array_equal(s0, s_new):
            return "new"
        return "mixed: weights of one save, model of the other"
    _kill_trials(s, "surgeon -o (model + external data)", 10, lambda i: [xc, "surgeon", "sanitize", "--cleanup", src_new, "-o", dest],
                 model_setup, model_verify)
    # L3: the moment the data file under the old model changes, kill: the old model must still
    # have its old data (a save that renames the data before the model loses here every time)
    model_setup()
    data = dest + ".data"
    ino = os.stat(data).st_ino
    p = subprocess.Popen([xc, "surgeon", "sanitize", "--cleanup", src_new, "-o", dest], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    fired = False
    while p.poll() is None:
        try:
            if os.stat(data).st_ino != ino:
                p.send_signal(signal.SIGKILL)
                fired = True
                break
        except OSError:
            pass
    p.wait()
    v = model_verify()
    s.check("L3 surgeon -o killed the moment the old model's data file changes: old model + old data, or new + new",
            v in ("old", "new"), "%s (killed on the data rename: %s)" % (v, fired))

    m = os.path.join(sub, "r.onnx")
    _matmul_model(m, n=256, external=False)
    res = os.path.join(sub, "res")

    def res_setup():
        r = _run([xc, "run", m, "--save-outputs", res, "--seed", "1", "--iterations", "20"])
        assert r.returncode == 0, r.stderr
    old_index = None

    def res_state():
        try:
            idx = json.load(open(os.path.join(res, "index.json")))
            return [(e["file"], _read(os.path.join(res, e["file"]))) for e in idx["tensors"]]
        except Exception as e:  # noqa: BLE001
            return "broken: %s" % str(e)[:200]
    res_setup()
    old_index = res_state()
    r = _run([xc, "run", m, "--save-outputs", res, "--seed", "2", "--iterations", "20"])
    new_index = res_state()
    _kill_trials(s, "run --save-outputs DIR", 14,
                 lambda i: [xc, "run", m, "--save-outputs", res, "--seed", "2", "--iterations", "20"], res_setup,
                 lambda: "old" if res_state() == old_index else "new" if res_state() == new_index else "mixed: %s" % str(res_state())[:200])


def kill_build(s, xc, d):
    """build -o PLAN killed at random points: the plan is the old or the new one, whole."""
    m = os.path.join(d, "kb.onnx")
    _relu_model(m)
    plan = os.path.join(d, "kb.plan")
    r = _run([xc, "build", m, "-o", plan, "--fp16"], timeout=300)
    new = _read(plan) if r.returncode == 0 else None
    r = _run([xc, "build", m, "-o", plan], timeout=300)
    old = _read(plan) if r.returncode == 0 else None
    if not s.check("build -o PLAN (the kill trials' old and new plans)", old is not None and new is not None, _desc(r)):
        return

    def setup():
        with open(plan, "wb") as f:
            f.write(old)

    def verify():
        try:
            got = json.loads(_read(plan))
        except Exception as e:  # noqa: BLE001
            return "not JSON: %s" % e
        return "old" if got == json.loads(old) else "new" if got["options"]["fp16"] else "other"
    _kill_trials(s, "build -o PLAN", 6, lambda i: [xc, "build", m, "-o", plan, "--fp16"], setup, verify)


def fileio_tests(s, xc, build, tmp):
    d = os.path.join(tmp, "fileio")
    os.makedirs(d, exist_ok=True)
    xc = os.path.abspath(xc)
    fifo_inputs(s, xc, d)
    plan_model_paths(s, xc, d)
    inputs_never_overwritten(s, xc, d)
    shared_data_file(s, xc, d)
    temp_names(s, xc, d)
    special_files(s, xc, d)
    results_folders(s, xc, d)
    polygraphy_json(s, xc, d)
    mapped_weights_change(s, xc, d)
    kill_writers(s, xc, d)
    if os.environ.get("CROSSCHECK_NO_OCL") != "1":
        build_inputs(s, xc, d)
        kill_build(s, xc, d)
