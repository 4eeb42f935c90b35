"""concat_strided: channel Concats written in place at batch > 1 (concat_elimination's strided
slices). Each image of a conv's output is then one block of the Concat's image, so the conv
kernels place their outputs by an offset and an image stride (conv_out in
kernels/conv2d_common.cl) and the runtime reads such a slice back an image at a time.

Two models: a squeezenet fire module at batch 3 on 7x9 maps (odd: the tensor-core epilogues'
plain column numbering, runs that straddle images) and a wide block at batch 2 on 4x4 maps whose
three branches are a deep 3x3 (split-K), a depthwise 3x3 and a 1x1 (the cp.async 1x1, LPERM
numbering). With every conv tactic pinned in turn (the tensor-core ones under
CROSSCHECK_MMA_EMULATE=1; the fast tier one of each epilogue they store through), canaries around every buffer, the streaming per-layer compare must
pass on every row -- the branches' rows read the strided slices back -- with the Concat left
in place and the tactic on a branch (the fast tier: on the first model each tactic applies to,
fire first). Also: --fp16, the isolated per-layer mode (which writes the
reference's values into the slices), and the cases that must keep copying: a branch with a fused
residual, a branch read by another layer too."""
import json
import os
import subprocess

import numpy as np
from onnx import TensorProto, helper, numpy_helper


def _run(cmd, env=None):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)


def _save(path, nodes, x_shape, y_shape, inits):
    g = helper.make_graph(nodes, os.path.basename(path), [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape)], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    with open(path, "wb") as f:
        f.write(m.SerializeToString())


def _weights(rng, specs):
    return [numpy_helper.from_array((rng.standard_normal(shape) / np.sqrt(np.prod(shape[1:]))).astype(np.float32), name)
            for name, shape in specs]


def _fire(path):
    rng = np.random.default_rng(3)
    inits = _weights(rng, [("sq", (8, 16, 1, 1)), ("e1", (12, 8, 1, 1)), ("e3", (20, 8, 3, 3)), ("c", (8, 32, 1, 1))])
    inits.append(numpy_helper.from_array(rng.standard_normal(20).astype(np.float32), "b3"))
    nodes = [helper.make_node("Conv", ["x", "sq"], ["s"], name="squeeze"),
             helper.make_node("Relu", ["s"], ["sr"], name="squeeze_relu"),
             helper.make_node("Conv", ["sr", "e1"], ["a"], name="branch_1x1"),
             helper.make_node("Relu", ["a"], ["ar"], name="branch_1x1_relu"),
             helper.make_node("Conv", ["sr", "e3", "b3"], ["b"], name="branch_3x3", pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["b"], ["br"], name="branch_3x3_relu"),
             helper.make_node("Concat", ["ar", "br"], ["cat"], name="fire_concat", axis=1),
             helper.make_node("Conv", ["cat", "c"], ["y"], name="after")]
    _save(path, nodes, [3, 16, 7, 9], [3, 8, 7, 9], inits)


def _wide(path):
    rng = np.random.default_rng(4)
    inits = _weights(rng, [("wa", (16, 64, 3, 3)), ("wd", (64, 1, 3, 3)), ("wc", (8, 64, 1, 1)), ("wo", (8, 88, 1, 1))])
    nodes = [helper.make_node("Relu", ["x"], ["r"], name="stem_relu"),
             helper.make_node("Conv", ["r", "wa"], ["a"], name="branch_deep", pads=[1, 1, 1, 1]),
             helper.make_node("Conv", ["r", "wd"], ["d"], name="branch_dw", pads=[1, 1, 1, 1], group=64),
             helper.make_node("Conv", ["r", "wc"], ["c"], name="branch_1x1"),
             helper.make_node("Concat", ["a", "d", "c"], ["cat"], name="wide_concat", axis=1),
             helper.make_node("Conv", ["cat", "wo"], ["y"], name="after")]
    _save(path, nodes, [2, 64, 4, 4], [2, 8, 4, 4], inits)


def _copying(path):
    """Concats that must keep copying: one whose branch has a fused residual Add, one whose branch
    the final Add reads too (the other branch of each could be a slice)."""
    rng = np.random.default_rng(5)
    inits = _weights(rng, [("w1", (8, 8, 1, 1)), ("w2", (8, 8, 3, 3)), ("w3", (8, 8, 1, 1)), ("w4", (8, 8, 3, 3)),
                           ("wo", (8, 32, 1, 1))])
    nodes = [helper.make_node("Conv", ["x", "w1"], ["p"], name="branch_res"),
             helper.make_node("Add", ["p", "x"], ["pr"], name="branch_res_add"),
             helper.make_node("Conv", ["x", "w2"], ["q"], name="branch_plain", pads=[1, 1, 1, 1]),
             helper.make_node("Concat", ["pr", "q"], ["cat1"], name="residual_concat", axis=1),
             helper.make_node("Conv", ["x", "w3"], ["u"], name="branch_shared"),
             helper.make_node("Conv", ["x", "w4"], ["v"], name="branch_plain2", pads=[1, 1, 1, 1]),
             helper.make_node("Concat", ["u", "v"], ["cat2"], name="shared_concat", axis=1),
             helper.make_node("Concat", ["cat1", "cat2"], ["cat"], name="outer_concat", axis=1),
             helper.make_node("Conv", ["cat", "wo"], ["o"], name="after"),
             helper.make_node("Add", ["o", "u"], ["y"], name="reuse_u")]
    _save(path, nodes, [2, 8, 6, 6], [2, 8, 6, 6], inits)


def _storage(xc, model, env, extra=()):
    """{tensor name: storage column} of `inspect engine --json`'s layers, or None."""
    r = _run([xc, "inspect", "engine", model, "--json"] + list(extra), env)
    if r.returncode != 0:
        return None
    found = {}

    def walk(o):
        if isinstance(o, dict):
            if "Name" in o and "Storage" in o:
                found[o["Name"]] = o["Storage"]
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)
    walk(json.loads(r.stdout))
    return found


PORTABLE = ("conv2d.direct", "conv2d.im2col_gemm", "conv2d.1x1_gemm", "conv2d.implicit_gemm", "conv2d.im2col_vec4",
            "conv2d.1x1_vec4", "conv2d.implicit_vec4", "conv2d.splitk_gemm", "conv2d.splitk_vec4", "conv2d.splitk_im2col_vec4",
            "conv2d.depthwise", "conv2d.winograd_f2x2_3x3", "conv2d.winograd_gemm")
# the tensor-core tactics, emulated here: (pattern, extra options, in the fast tier). The fast
# tier keeps one of each epilogue a strided slice goes through: pairs and single stores on odd
# maps (implicit_tf32 on fire), runs of four (1x1_tf32_async, NPERM), split-K's reduce, half
# storage, and the gathered cp.async kernel; the others repeat one of those stores.
EMULATED = (("conv2d.1x1_tf32.64x64", [], False), ("conv2d.implicit_tf32.64x64", [], True),
            ("conv2d.1x1_tf32_async.64x64", [], True), ("conv2d.1x1_tf32_async.128x128", [], False),
            ("conv2d.implicit_tf32_async.64x64", [], True), ("conv2d.splitk_tf32.64x64", [], True),
            ("conv2d.winograd_gemm_tf32.64x64", [], False), ("conv2d.winograd_gemm_tf32_async.64x64", [], False),
            ("conv2d.implicit_mma_fp16.64x64", ["--fp16"], True), ("conv2d.1x1_mma_fp16_async.64x64", ["--fp16"], False))


def concat_strided(s, xc, tmp, long_tier=True):
    d = os.path.join(tmp, "concat_strided")
    os.makedirs(d, exist_ok=True)
    env = dict(os.environ, CROSSCHECK_OCL_CANARY="1")
    emu = dict(env, CROSSCHECK_MMA_EMULATE="1")
    models = {"fire": os.path.join(d, "fire.onnx"), "wide": os.path.join(d, "wide.onnx")}
    _fire(models["fire"])
    _wide(models["wide"])

    for name, m in models.items():
        st = _storage(xc, m, env) or {}
        slices = {t: v for t, v in st.items() if "of each image" in v}
        want = {"fire": {"ar", "br"}, "wide": {"a", "d", "c"}}[name]
        s.check("concat_strided: %s at batch > 1: every branch is a strided slice of the Concat's output" % name,
                set(slices) == want and all(v.startswith("slice of cat") for v in slices.values()), json.dumps(st))

    # every tactic pinned: the run passes on every row, the Concat stays in place, the tactic ran
    # on a branch (a strided output)
    ran, failures = {}, []
    # the portable tactics at the tier's optimization level (level 0 in the fast tier: the other
    # layers take their baseline tactic, nothing compiled to be timed); the emulated ones are
    # offered from level 3 on
    level3 = ["--builder-optimization-level", "3"]
    runs = [(t, [], env) for t in PORTABLE] + [(t, x + level3, emu) for t, x, fast in EMULATED if fast or long_tier]
    for tactic, extra, e in runs:
        for name, m in models.items():
            if not long_tier and ran.get(tactic):
                continue  # the fast tier: each tactic on its first model (fire's odd maps first)
            j = os.path.join(d, "run.json")
            if os.path.exists(j):
                os.remove(j)
            r = _run([xc, "run", m, "--ref", "--ocl", "--per-layer", "--json", j, "--tactics", tactic + "*"] + extra, e)
            if r.returncode == 2 and "matches no tactic" in r.stderr:
                continue
            rows = json.load(open(j))["per_layer"]["layers"] if r.returncode == 0 and os.path.exists(j) else []
            in_place = any(x["tactic"] == "concat.in_place" for x in rows)
            on_branch = any(x["layer"].startswith("branch") and x["tactic"].startswith(tactic) for x in rows)
            ran[tactic] = ran.get(tactic, 0) + (r.returncode == 0 and in_place and on_branch)
            if r.returncode != 0 or not in_place or not all(x["verdict"] == "pass" for x in rows):
                failures.append("%s on %s: exit %d, in place %s\n%s" % (tactic, name, r.returncode, in_place,
                                                                        (r.stdout + r.stderr)[-700:]))
    s.check("concat_strided: every conv tactic writing a strided slice agrees with the reference on every row",
            not failures, "\n".join(failures[:4]))
    s.check("concat_strided: every conv tactic ran on a branch writing a strided slice (%d tactics)" % len(runs),
            all(ran.get(t, 0) for t, _, _ in runs), json.dumps(ran))

    for name, m in models.items():
        r = _run([xc, "run", m, "--ref", "--ocl", "--fp16", "--per-layer"], env)
        s.check("concat_strided: %s under --fp16 passes on every row" % name, r.returncode == 0, r.stdout[-800:] + r.stderr[-400:])
        r = _run([xc, "run", m, "--ref", "--ocl", "--per-layer=isolated"], env)
        s.check("concat_strided: %s in the isolated per-layer mode (the reference's values written into the slices)" % name,
                r.returncode == 0 and "in_place" in r.stdout, r.stdout[-800:] + r.stderr[-400:])

    plan = os.path.join(d, "fire.plan")
    r = _run([xc, "build", models["fire"], "-o", plan], env)
    r2 = _run([xc, "run", models["fire"], "--ref", "--ocl", "--plan", plan], env) if r.returncode == 0 else r
    st = _storage(xc, models["fire"], env, ["--plan", plan]) if r2.returncode == 0 else {}
    s.check("concat_strided: a plan keeps the strided slices and runs from them", r2.returncode == 0 and st and
            sum("of each image" in v for v in st.values()) == 2, r2.stdout[-600:] + r2.stderr[-400:])

    copying = os.path.join(d, "copying.onnx")
    _copying(copying)
    st = _storage(xc, copying, env) or {}
    s.check("concat_strided: a Concat of a branch with a fused residual, and one of a branch another layer reads, copy",
            st and not any("slice of" in st.get(t, "?") for t in ("pr", "q", "u", "v")), json.dumps(st))
    r = _run([xc, "run", copying, "--ref", "--ocl", "--per-layer"], env)
    s.check("concat_strided: the copying Concat agrees with the reference", r.returncode == 0, r.stdout[-800:] + r.stderr[-400:])
