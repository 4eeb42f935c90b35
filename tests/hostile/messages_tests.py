"""Issue 17, "Messages" leftovers: sizes are never printed wrapped, output names up to the file
system's limit work (temporary names fit it too) and longer ones are one clear error, and tight
address-space limits end in one line naming what ran out (never empty stderr, never a signal)."""
import os
import resource
import subprocess
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from hostile.fileio_tests import _relu_model as _relu  # noqa: E402

WRAPPED = ("18446744073709551608", "18446744073709551615")


def _run(cmd, timeout=120, **kw):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    except subprocess.TimeoutExpired as e:
        return subprocess.CompletedProcess(cmd, "timeout", e.stdout or "", "timed out after %ss" % timeout)


def _lines(r):
    return [x for x in (r.stderr or "").splitlines() if x.strip()]


def _one_line(r, *words):
    lines = _lines(r)
    return r.returncode == 2 and len(lines) == 1 and all(w in lines[0] for w in words)


def _desc(r):
    return "rc=%s stderr=%s" % (r.returncode, (r.stderr or "")[-500:])


def _external(path, data_name, **kv):
    """y = x + W, W int64[2] in data_name with the given external_data keys."""
    t = TensorProto(name="W", dims=[2], data_type=TensorProto.INT64, data_location=TensorProto.EXTERNAL)
    for k, v in [("location", data_name)] + sorted(kv.items()):
        e = t.external_data.add()
        e.key, e.value = k, v
    g = helper.make_graph([helper.make_node("Add", ["x", "W"], ["y"], name="add")], "ext",
                          [helper.make_tensor_value_info("x", TensorProto.INT64, [2])],
                          [helper.make_tensor_value_info("y", TensorProto.INT64, [2])], [t])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    with open(path, "wb") as f:
        f.write(m.SerializeToString())


def wrapped_sizes(s, xc, d):
    """External data offset/length that are negative or past int64 (a writer's -8 printed as
    uint64): reported as given, never as a wrapped byte count."""
    with open(os.path.join(d, "w.bin"), "wb") as f:
        f.write(np.arange(2, dtype=np.int64).tobytes())
    m = os.path.join(d, "ext.onnx")
    for key, value, word in (("offset", "-8", "negative"), ("length", "-8", "negative"),
                             ("offset", "18446744073709551608", "out of range"),
                             ("length", "18446744073709551608", "out of range")):
        _external(m, "w.bin", **{key: value})
        for cmd in (["run", m], ["inspect", "model", m]):
            r = _run([xc] + cmd)
            ok = _one_line(r, "'W'", key, word) and not any(w + " " in r.stderr for w in WRAPPED)
            s.check("msgs %s with external data %s %s: one line saying it is %s, no wrapped size" % (cmd[0], key, value, word),
                    ok, _desc(r))
    _external(m, "w.bin", offset="8")
    r = _run([xc, "run", m])
    s.check("msgs external data offset 8 + 16 bytes past a 16-byte file: one line with the sizes as given",
            _one_line(r, "offset 8 + 16 bytes", "16 bytes"), _desc(r))


def long_names(s, xc, d):
    """Output names of 250..255 bytes work (their temporary names are cut to fit NAME_MAX);
    256 bytes is one error naming the path and the cause, exit 2, nothing left behind."""
    sub = os.path.join(d, "names")
    os.makedirs(sub, exist_ok=True)
    m = os.path.join(d, "relu.onnx")
    _relu(m)
    for n in (250, 255, 256):
        for label, suffix, args in (("run --json", ".json", lambda p: ["run", m, "--json", p]),
                                    ("run --save-outputs DIR", "", lambda p: ["run", m, "--save-outputs", p]),
                                    ("surgeon sanitize -o", ".onnx", lambda p: ["surgeon", "sanitize", "--cleanup", m, "-o", p])):
            name = "n" * (n - len(suffix)) + suffix
            path = os.path.join(sub, name)
            r = _run([xc] + args(path))
            left = [x for x in os.listdir(sub) if x.startswith(".")]
            if n <= 255:
                ok = r.returncode == 0 and os.path.exists(path) and not left
                s.check("msgs %s with a %d-byte file name: written, no temporary left" % (label, n), ok, _desc(r) + " left=%s" % left)
            else:
                ok = _one_line(r, name, "File name too long") and not os.path.exists(path) and not left
                s.check("msgs %s with a %d-byte file name: exit 2, one line naming the path and the cause" % (label, n), ok,
                        _desc(r) + " left=%s" % left)
        for x in os.listdir(sub):
            p = os.path.join(sub, x)
            if os.path.isdir(p):
                for y in os.listdir(p):
                    os.unlink(os.path.join(p, y))
                os.rmdir(p)
            else:
                os.unlink(p)


def long_data_names(s, xc, d):
    """surgeon -o NAME (250 bytes) of a model with external data, three times: NAME.data is at
    the limit, so the fresh data names of the later saves are cut to fit; each save works, the
    model runs, and replaced fresh data files are removed."""
    sub = os.path.join(d, "datanames")
    os.makedirs(sub, exist_ok=True)
    src = os.path.join(d, "mx.onnx")
    _matmul_external(src, "mx.bin", n=64)
    out = os.path.join(sub, "c" * 245 + ".onnx")
    rs = [_run([xc, "surgeon", "sanitize", "--cleanup", src, "-o", out]) for _ in range(3)]
    r = _run([xc, "run", out, "--ref"])
    names = sorted(os.listdir(sub))
    ok = all(x.returncode == 0 for x in rs) and r.returncode == 0 and len(names) <= 3
    s.check("msgs surgeon -o a 250-byte name with external data, saved 3 times: each save works, the model runs, "
            "at most one fresh data file beside NAME.data", ok, " / ".join(_desc(x) for x in rs + [r]) + " files=%d" % len(names))


def _limited(nbytes):
    def f():
        resource.setrlimit(resource.RLIMIT_AS, (nbytes, nbytes))
    return f


def _sanitized(xc):
    with open(xc, "rb") as f:
        data = f.read()
    return b"__asan_init" in data or b"__tsan_init" in data


def address_space(s, xc, d, model):
    """Under RLIMIT_AS (ulimit -v) every run ends with exit 0/1/2 and, on exit 2, exactly one
    stderr line: never empty stderr, never a signal. The sweep starts where the dynamic loader
    itself can start crosscheck (below that, glibc's loader fails or crashes before main)."""
    if _sanitized(xc):
        return  # sanitizers reserve terabytes of shadow memory: an address-space limit stops them before main
    step = 16 << 10
    floor = None
    for k in range(4 << 20, 64 << 20, 16 << 10):
        r = _run([xc, "--version"], timeout=30, preexec_fn=_limited(k))
        if r.returncode == 0:
            floor = k
            break
    if not s.check("msgs address-space sweep: crosscheck starts under some limit below 64 MiB", floor is not None, ""):
        return
    limits = [floor + i * step for i in range(48)] + [m << 20 for m in (50, 100, 200, 400)]
    bad = []
    for cmd in (["run", model, "--ref"], ["inspect", "model", model]):
        for k in limits:
            r = _run([xc] + cmd, timeout=120, preexec_fn=_limited(k))
            lines = _lines(r)
            if r.returncode not in (0, 1, 2) or (r.returncode == 2 and len(lines) != 1):
                bad.append("%s at %d KiB: rc=%s stderr=%r" % (cmd[0], k >> 10, r.returncode, lines[:3]))
    s.check("msgs %d address-space limits (%d KiB.. and 50M..400M) on run --ref and inspect model: exit 0/1/2, exit 2 "
            "with exactly one stderr line" % (len(limits), floor >> 10), not bad, "; ".join(bad[:6]))
    # a 16 MiB model that maps but whose unpacked copy does not fit: out of memory, not "corrupt"
    big = os.path.join(d, "big.onnx")
    n = 2048
    g = helper.make_graph([helper.make_node("MatMul", ["x", "W"], ["y"], name="mm")], "big",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, n])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, n])],
                          [numpy_helper.from_array(np.ones((n, n), np.float32), "W")])
    bm = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    bm.ir_version = 8
    onnx.save(bm, big)
    bad, unpack = [], 0
    for extra in (20, 23, 26, 29):
        for cmd in (["run", big, "--ref"], ["inspect", "model", big]):
            r = _run([xc] + cmd, timeout=120, preexec_fn=_limited(floor + (extra << 20)))
            lines = _lines(r)
            unpack += r.returncode == 2 and len(lines) == 1 and "out of memory unpacking" in lines[0]
            if r.returncode not in (0, 1, 2) or (r.returncode == 2 and (len(lines) != 1 or "corrupt" in lines[0])):
                bad.append("%s at +%d MiB: rc=%s stderr=%r" % (cmd[0], extra, r.returncode, lines[:3]))
    s.check("msgs a 16 MiB model under address-space limits its unpacked copy does not fit: 'out of memory unpacking', "
            "never 'corrupt'", not bad and unpack > 0, "; ".join(bad[:4]))
    for mb in (20, 40, 60, 200):
        r = _run([xc, "graph", model, "-o", os.path.join(d, "g.svg")], timeout=120, preexec_fn=_limited(mb << 20))
        ok = r.returncode == 0 if mb == 200 else _one_line(r, "g.svg", "Graphviz", "address space")
        s.check("msgs graph -o SVG under a %d MiB address-space limit: %s" % (mb, "drawn" if mb == 200 else
                "exit 2, one line (Graphviz is not entered to crash)"), ok, _desc(r))
    if os.environ.get("CROSSCHECK_NO_OCL") == "1":
        return
    for mb in (50, 200, 400, 700):
        r = _run([xc, "run", model, "--ocl"], timeout=300, preexec_fn=_limited(mb << 20))
        s.check("msgs run --ocl under a %d MiB address-space limit: exit 2, one line saying OpenCL ran out of address space" % mb,
                _one_line(r, "OpenCL", "address space"), _desc(r))


def _matmul_external(path, data_name, n=512):
    w = np.random.default_rng(0).standard_normal((n, n)).astype(np.float32)
    g = helper.make_graph([helper.make_node("MatMul", ["x", "W"], ["y"], name="mm")], "mm",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, n])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, n])], [numpy_helper.from_array(w, "W")])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.save_model(m, path, save_as_external_data=True, all_tensors_to_one_file=True, location=data_name, size_threshold=0)


def weights_change_mid_run(s, xc, d):
    """C6: external data truncated while `run` is in progress stops the run at the next
    iteration with one line naming the file, before any verdict is printed (it used to run every
    iteration, print a verdict computed from zeroed weights, and only then fail)."""
    m = os.path.join(d, "c6.onnx")
    data = os.path.join(d, "c6m.bin")
    _matmul_external(m, "c6m.bin")
    original = open(data, "rb").read()
    saved = os.path.join(d, "c6_saved")

    def timed_run(k):
        t0 = time.time()
        _run([xc, "run", m, "--ref", "--iterations", str(k)])
        return time.time() - t0
    per = max((timed_run(40) - timed_run(1)) / 39, 0.0005)
    n = max(20, min(20000, int(1.5 / per)))  # a run of about 1.5 s
    r = _run([xc, "run", m, "--ref", "--iterations", str(n), "--seed", "3", "--save-outputs", saved])
    if not s.check("msgs C6 setup: outputs of %d iterations saved" % n, r.returncode == 0, _desc(r)):
        return
    for label, removed in (("truncated", False), ("truncated then removed", True)):
        with open(data, "wb") as f:
            f.write(original)
        p = subprocess.Popen([xc, "run", m, "--ref", "--iterations", str(n), "--seed", "3", "--load-outputs", saved],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2000):  # change the file only once the run has it mapped
            try:
                if "c6m.bin" in open("/proc/%d/maps" % p.pid).read():
                    break
            except OSError:
                break
            time.sleep(0.002)
        time.sleep(0.05)
        os.truncate(data, 4096)
        if removed:
            os.unlink(data)
        try:
            out, err = p.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
        rr = subprocess.CompletedProcess(p.args, p.returncode, out, err)
        verdict = "comparisons passed over" in out or "passed over" in out
        s.check("msgs C6 external data %s during run --ref --iterations %d: exit 2, one line naming the file, no verdict "
                "printed, no negative size" % (label, n),
                _one_line(rr, "c6m.bin") and not verdict and "-1 bytes" not in err, _desc(rr) + " stdout tail=%r" % out[-300:])
    with open(data, "wb") as f:
        f.write(original)


def messages_tests(s, xc, build, tmp):
    d = os.path.join(tmp, "messages")
    os.makedirs(d, exist_ok=True)
    xc = os.path.abspath(xc)
    here = os.path.dirname(os.path.abspath(__file__))
    model = os.path.join(here, "..", "..", "models", "small_cnn", "model.onnx")
    wrapped_sizes(s, xc, d)
    long_names(s, xc, d)
    long_data_names(s, xc, d)
    address_space(s, xc, d, os.path.abspath(model))
    weights_change_mid_run(s, xc, d)
