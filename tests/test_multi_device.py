"""Several OpenCL devices in one run (--ocl@N, --ocl@NAME, --plan@N): two engines on two PoCL
devices compare with each other, output by output and layer by layer; a fault planted in one of
them is caught; bad device selections are one line; plans and timing-cache entries stay bound
to their device. PoCL exposes two CPU devices with POCL_DEVICES="pthread basic" (distinct names,
so distinct device keys); the model is one MatMul+Relu+Add, so few kernels compile."""
import json
import os
import subprocess


def _run(cmd, env):
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)


def _tiny_model(tmp):
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(0)
    w = numpy_helper.from_array(rng.standard_normal((8, 8)).astype(np.float32), "w")
    nodes = [helper.make_node("MatMul", ["x", "w"], ["m"], name="mm"),
             helper.make_node("Relu", ["m"], ["r"], name="relu"),
             helper.make_node("Add", ["r", "x"], ["y"], name="add")]
    g = helper.make_graph(nodes, "multi_device", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 8])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 8])], [w])
    path = os.path.join(tmp, "multi_device.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), path)
    return path


def _one_line(r, *needles):
    lines = r.stderr.strip().splitlines()
    return r.returncode == 2 and len(lines) == 1 and all(n in lines[0] for n in needles)


def _keys(path):
    try:
        return [e["key"] for e in json.load(open(path))["entries"]]
    except Exception:
        return []


def _timed(plan):
    try:
        return json.load(open(plan))["timed_layers"]
    except Exception:
        return None


def multi_device(s, xc, build, tmp):
    env = dict(os.environ, POCL_DEVICES="pthread basic")
    r = _run([xc, "inspect", "devices", "--json"], env)
    try:
        devs = [d for p in json.loads(r.stdout) for d in p["devices"]]
    except Exception:
        devs = []
    # PoCL's two devices, wherever they are in the list (a GPU machine may list its GPUs first)
    pocl = [(d["index"], d["name"].rstrip()) for d in devs if d.get("name", "").startswith(("pthread", "basic"))]
    if not pocl:
        print("skip multi_device: PoCL's CPU devices are not available (%s)" % r.stderr.strip()[:200])
        return
    if not s.check("POCL_DEVICES='pthread basic': inspect devices lists two PoCL devices", len(pocl) == 2,
                   r.stdout[:800] + r.stderr):
        return
    (i0, n0), (i1, n1) = pocl
    d0, d1 = str(i0), str(i1)
    listed = ["[%d] %s" % (d["index"], d["name"].rstrip()) for d in devs]
    model = _tiny_model(tmp)

    out = os.path.join(tmp, "md_run.json")
    r = _run([xc, "run", model, "--ocl@" + d0, "--ocl@" + d1, "--json", out], env)
    try:
        runners = [x["name"] for x in json.load(open(out))["runners"]]
    except Exception:
        runners = []
    want = ["ocl@%s (%s)" % (d0, n0), "ocl@%s (%s)" % (d1, n1)]
    s.check("--ocl@%s --ocl@%s: two engines on two devices agree, named by device in the JSON" % (d0, d1),
            r.returncode == 0 and runners == want, "%s vs %s\n%s%s" % (runners, want, r.stdout[-800:], r.stderr))
    s.check("the report compares the second engine with the first, both named by device",
            "%s vs %s" % (want[1], want[0]) in r.stdout, r.stdout[-1200:])

    # a name picks a device; per-layer between the two engines (--compare-to by the short name)
    sel = n1.split("-")[0]  # "pthread" or "basic": only that device's name has it
    for mode in ("--per-layer", "--per-layer=isolated"):
        r = _run([xc, "run", model, "--ocl@" + d0, "--ocl@" + sel, mode, "--compare-to", "ocl@" + d0], env)
        s.check("%s between engines on two devices (--ocl@%s, --compare-to ocl@%s)" % (mode, sel, d0),
                r.returncode == 0 and "per-layer: %s vs %s" % (want[1], want[0]) in r.stdout
                and "no layer exceeds its tolerance" in r.stdout, r.stdout[-1500:] + r.stderr)

    # a fault only the fused engine has (the unfused one has no fused relu): caught at its layer
    r = _run([xc, "run", model, "--ocl-unfused@" + d0, "--ocl@" + d1, "--inject-fault", "node-fusion=relu", "--per-layer",
              "--compare-to", "ocl-unfused@" + d0], env)
    s.check("a fault in the engine on device %s only -> exit 1, first divergence at its layer" % d1,
            r.returncode == 1 and "first divergent layer: #0 'mm + relu'" in r.stdout, r.stdout[-1500:] + r.stderr)

    # the debug tools take a golden on another device, and their reproducing lines keep it
    r = _run([xc, "debug", "fusions", model, "--ocl-device", d0, "--inject-fault", "node-fusion=relu", "--ocl-unfused@" + d1,
              "-o", os.path.join(tmp, "md_fusions.json")], env)
    s.check("debug fusions against --ocl-unfused@%s finds the faulty group; its command lines keep the device" % d1,
            r.returncode == 0 and "fused group 'mm + relu'" in r.stdout
            and "run %s --ocl-unfused@%s --ocl" % (model, d1) in r.stdout, r.stdout[-1500:] + r.stderr)

    # bad selections: one line listing the devices, exit 2
    for label, arg, needle in (("an index past the last device", "--ocl@%d" % (len(devs) + 5), "matches none"),
                               ("a name no device has", "--ocl@no-such-device", "matches none"),
                               ("a name two devices have", "--ocl@portable", "matches several")):
        r = _run([xc, "run", model, "--ref", arg], env)
        s.check("%s (%s) -> exit 2, one line listing the devices" % (label, arg),
                _one_line(r, arg[2:], needle, *listed), "exit %d: %s" % (r.returncode, r.stderr))
    r = _run([xc, "run", model, "--ref@0"], env)
    s.check("--ref@0 (a runner on no device) -> exit 2, one line", _one_line(r, "--ref@0"), r.stderr)

    # plans stay bound to their device
    plan = os.path.join(tmp, "md_dev0.plan")
    r0 = _run([xc, "build", model, "-o", plan, "--ocl-device", d0], env)
    r = _run([xc, "run", model, "--plan@" + d1, plan], env)
    s.check("a plan built on device %s is refused by --plan@%s, naming both devices" % (d0, d1),
            r0.returncode == 0 and _one_line(r, "runner plan@" + d1, n0, n1), r0.stderr + r.stderr)
    r = _run([xc, "run", model, "--ocl@" + d1, "--plan@" + d0, plan], env)
    s.check("the same plan on its own device (--plan@%s) agrees with an engine on device %s" % (d0, d1), r.returncode == 0,
            r.stdout[-800:] + r.stderr)

    # the timing cache: entries keyed by device, so device 1 never takes device 0's timings
    cache, level = os.path.join(tmp, "md_cache.json"), ["--builder-optimization-level", "1"]
    plans = [os.path.join(tmp, "md_t%d.plan" % k) for k in range(3)]
    r1 = _run([xc, "build", model, "-o", plans[0], "--ocl-device", d0, "--timing-cache", cache] + level, env)
    k0 = _keys(cache)
    r2 = _run([xc, "build", model, "-o", plans[1], "--ocl-device", d1, "--timing-cache", cache] + level, env)
    r3 = _run([xc, "build", model, "-o", plans[2], "--ocl-device", d1, "--timing-cache", cache] + level, env)
    k1 = _keys(cache)
    timed = [_timed(p) for p in plans]
    s.check("timing cache: the entries of device %s are keyed by it" % d0, k0 and all(" | %s | " % n0 in k for k in k0),
            "%s\n%s" % (k0, r1.stderr))
    s.check("timing cache: device %s re-times what device %s timed, then finds its own entries" % (d1, d0),
            timed[0] and timed[1] == timed[0] and timed[2] == 0 and any(" | %s | " % n1 in k for k in k1),
            "timed layers %s, keys %s\n%s%s" % (timed, k1, r2.stderr, r3.stderr))
    cache2 = os.path.join(tmp, "md_cache2.json")
    r = _run([xc, "run", model, "--ocl@" + d0, "--ocl@" + d1, "--timing-cache", cache2] + level, env)
    k2 = _keys(cache2)
    s.check("one run with engines on two devices keeps one timing-cache entry set per device",
            r.returncode == 0 and len(k2) == 2 and sum(" | %s | " % n in k for n in (n0, n1) for k in k2) == 2,
            "%s\n%s" % (k2, r.stderr))
