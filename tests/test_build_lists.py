"""build_lists: the build options' name lists have no fixed length (they once had 1024 slots for
layer and node names, 64 for --disable-fusion and --tactics, and refused or cut longer lists).
  - a chain of 1100 Relu nodes (one pointwise_chain layer by default) built --fp16 with
    --no-fuse-node for every node and --layer-precision NAME:fp32 for every node: 1100 layers,
    every one fp32; the plan records all 1100 names and loads again; `run` takes the same lists;
  - debug fusions on that chain with a fault on its fused layer unfuses the group's 1100 nodes in
    one check (its own copy of the options, sent to the --isolate server) and names the pass;
  - a 4-node chain: --no-fuse-node n0 given 1099 times, then n3: `debug build` (its checks in
    the --isolate server, which gets the lists as counts and strings) builds n3 unfused, so a
    fault on n3's fused layer hits nothing and the build is good;
  - debug reduce of the 4-node chain with 599 x --layer-precision 'n0 + n1:fp32' (each name two
    nodes of a candidate holding both: 1198 nodes, once refused past 1024) and n3:fp32 reduces
    to n3 and keeps n3's constraint alone;
  - 70 x --disable-fusion pointwise_chain turns the pass off; 69 --tactics globs matching nothing
    and a 70th matching everything build (a list cut at 64 would match nothing: refused);
  - two builds of a MatMul whose --tactics lists (10 KB) differ only at their ends keep two
    timing-cache entries (a key cut at 8192 characters made the second reuse the first's)."""
import json
import os
import subprocess

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def _run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=300)


def _chain(path, n):
    """x[1,4] -> Relu n0 -> ... -> Relu n{n-1} -> y."""
    nodes = [helper.make_node("Relu", ["x" if i == 0 else "t%d" % (i - 1)], ["y" if i == n - 1 else "t%d" % i], name="n%d" % i)
             for i in range(n)]
    g = helper.make_graph(nodes, "chain", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.save(m, path)
    return path


def _matmul(path):
    """x[1,8] @ w[8,8] -> y: one gemm layer with several tactics."""
    w = numpy_helper.from_array(np.random.default_rng(0).normal(size=(8, 8)).astype(np.float32), "w")
    g = helper.make_graph([helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")], "mm",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8])], [w])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.save(m, path)
    return path


def _layers(xc, model, plan):
    """{layer name: precision} and the options of plan, from inspect engine --json."""
    r = _run([xc, "inspect", "engine", model, "--plan", plan, "--json"])
    j = json.loads(r.stdout) if r.returncode == 0 else {}
    return {L["Name"]: L["Precision"] for L in j.get("Layers", [])}, j.get("Options", {}), r.stderr[-600:]


def build_lists(s, xc, build, tmp):
    tmp = os.path.join(tmp, "build_lists")
    os.makedirs(tmp, exist_ok=True)
    n = 1100
    big = _chain(os.path.join(tmp, "chain1100.onnx"), n)
    names = ["n%d" % i for i in range(n)]
    lists = [a for k in names for a in ("--no-fuse-node", k)] + [a for k in names for a in ("--layer-precision", k + ":fp32")]
    plan = os.path.join(tmp, "chain1100.plan")
    r = _run([xc, "build", big, "-o", plan, "--fp16", "--builder-optimization-level", "0"] + lists)
    prec, opts, err = _layers(xc, big, plan) if r.returncode == 0 else ({}, {}, r.stderr[-600:])
    nodes = {k: v for k, v in prec.items() if not k.startswith("Reformat")}
    s.check("build_lists: 1100 x --no-fuse-node and 1100 x --layer-precision NAME:fp32 (--fp16): 1100 layers, every one fp32",
            r.returncode == 0 and sorted(nodes) == sorted(names) and set(nodes.values()) == {"fp32"}, err + str(prec)[:400])
    s.check("build_lists: the plan records the 1100 names of both lists and loads with them",
            len(opts.get("Fp32Layers", [])) == n and len(json.load(open(plan))["options"]["no_fuse_nodes"]) == n if r.returncode == 0
            else False, err + str(opts)[:400])
    r = _run([xc, "run", big, "--ref", "--ocl", "--fp16", "--builder-optimization-level", "0"] + lists)
    s.check("build_lists: run --ocl takes the same 1100-name lists and passes", r.returncode == 0,
            r.stdout[-600:] + r.stderr[-600:])

    r = _run([xc, "debug", "fusions", big, "--builder-optimization-level", "0", "--inject-fault", "node-fusion=n700:bias=1"])
    s.check("build_lists: debug fusions unfuses a group of 1100 nodes (one check, passes) and names pointwise_chain",
            r.returncode == 0 and "all 1 groups unfused: PASSED" in r.stdout
            and "--disable-fusion pointwise_chain alone fixes it" in r.stdout, r.stdout[-600:] + r.stderr[-400:])

    small = _chain(os.path.join(tmp, "chain4.onnx"), 4)
    many_nf = ["--no-fuse-node", "n0"] * 1099 + ["--no-fuse-node", "n3"]
    fault = ["--inject-fault", "node-fusion=n3:bias=1"]  # fires only where n3 is fused with another node
    r = _run([xc, "debug", "build", small, "--until", "good", "--max-runs", "1", "--builder-optimization-level", "0"] + fault)
    s.check("build_lists: (control) the fault on a fused n3 makes the default build bad", r.returncode != 0 and "1 bad" in r.stdout,
            r.stdout[-800:] + r.stderr[-400:])
    r = _run([xc, "debug", "build", small, "--until", "good", "--max-runs", "1", "--builder-optimization-level", "0"]
             + many_nf + fault)
    s.check("build_lists: debug build (isolated checks) with 1100 --no-fuse-node, the 1100th n3: n3 unfused, the build good",
            r.returncode == 0 and "1 good" in r.stdout and "hits 0 layers" in r.stdout + r.stderr,
            r.stdout[-800:] + r.stderr[-400:])

    many_lp = ["--layer-precision", "n0 + n1:fp32"] * 599 + ["--layer-precision", "n3:fp32"]
    out = os.path.join(tmp, "min.onnx")
    r = _run([xc, "debug", "reduce", small, "-o", out, "--fp16", "--builder-optimization-level", "0",
              "--inject-fault", "node=n3:bias=1"] + many_lp)
    repro = r.stdout[r.stdout.find("reproduce"):]
    s.check("build_lists: debug reduce with --layer-precision covering 1198 nodes of its candidates reduces to n3, keeps n3:fp32 alone",
            r.returncode == 0 and "nodes: n3 (Relu)" in r.stdout and repro.count("--layer-precision") == 1
            and "--layer-precision n3:fp32" in repro, r.stdout[-1200:] + r.stderr[-400:])

    plan = os.path.join(tmp, "chain4.plan")
    r = _run([xc, "build", small, "-o", plan, "--builder-optimization-level", "0"] + ["--disable-fusion", "pointwise_chain"] * 70)
    prec, opts, err = _layers(xc, small, plan) if r.returncode == 0 else ({}, {}, r.stderr[-600:])
    s.check("build_lists: 70 x --disable-fusion pointwise_chain: accepted, the chain unfused (4 layers)",
            r.returncode == 0 and sorted(prec) == ["n0", "n1", "n2", "n3"], err + str(prec))
    globs = [a for i in range(69) for a in ("--tactics", "zz_no_tactic_%d*" % i)] + ["--tactics", "*"]
    r = _run([xc, "build", small, "-o", plan, "--builder-optimization-level", "0"] + globs)
    s.check("build_lists: 70 --tactics globs, only the 70th matching: the build takes it (69 warnings, no refusal)",
            r.returncode == 0 and r.stderr.count("matches no tactic") == 69, r.stderr[-800:])

    mm, cache = _matmul(os.path.join(tmp, "mm.onnx")), os.path.join(tmp, "timing_cache.json")
    long = [a for i in range(90) for a in ("--tactics", "zz_no_such_tactic_%03d_%s*" % (i, "x" * 90))]
    base = [xc, "build", mm, "-o", os.path.join(tmp, "mm.plan"), "--builder-optimization-level", "1", "--timing-cache", cache]
    r1 = _run(base + long + ["--tactics", "gemm.*"])
    r2 = _run(base + long + ["--tactics", "gemm.*", "--tactics", "gemm.naive"])
    keys = [e["key"] for e in json.load(open(cache))["entries"]] if os.path.exists(cache) else []
    s.check("build_lists: two --tactics lists of 10 KB differing at their ends keep two timing-cache entries, keys whole",
            r1.returncode == 0 and r2.returncode == 0 and len(keys) == 2
            and sorted(k[-25:] for k in keys) == sorted(["x" * 17 + "*,gemm.*", "xxxxxx*,gemm.*,gemm.naive"]),
            r1.stderr[-300:] + r2.stderr[-300:] + str([k[-40:] for k in keys]))
