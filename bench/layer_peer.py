#!/usr/bin/env python3
"""Each conv layer of a torchvision model next to PyTorch's own time for the same convolution.

A whole-model ratio (bench/gpu_bench.py) says how far behind crosscheck is, not where. This
script takes the JSON that gpu_bench.py wrote for a case (crosscheck's per-layer profile, the
median of each layer) and, for every Conv2d of the model, times torch.nn.functional.conv2d with
that layer's shapes and the case's math (exact: TF32 off; tf32: TF32 on; fp16: half operands)
replayed from a CUDA graph, cuDNN's autotuner on. crosscheck's layer also holds what it fused
(bias, BatchNorm, ReLU, the residual Add), while PyTorch's conv is the convolution alone, so a
ratio above 1 is a layer crosscheck loses even with its fusions counted in its favour.

  python3 bench/layer_peer.py --json /tmp/gb/resnet50_b32_tf32.json --model resnet50 --batch 32 --mode tf32

Prints one row per conv, slowest crosscheck layer first, then the sums. Needs torch (CUDA) and
torchvision; crosscheck's layers are matched by the ONNX node name the legacy exporter gives a
module ("/layer1/layer1.0/conv1/Conv" for layer1.0.conv1).
"""
import argparse
import json
import sys

from gpu_bench import time_torch_graph, torch_setup


def conv_shapes(torch, name, batch):
    """{module path: (conv module, input shape)} of every Conv2d, from one forward pass on the CPU."""
    import torchvision
    model = getattr(torchvision.models, name)(weights=None).eval()
    shapes, hooks = {}, []
    for path, mod in model.named_modules():
        if isinstance(mod, torch.nn.Conv2d):
            hooks.append(mod.register_forward_hook(
                lambda m, inp, out, path=path: shapes.__setitem__(path, (m, tuple(inp[0].shape)))))
    with torch.no_grad():
        model(torch.randn(1, 3, 224, 224))
    for h in hooks:
        h.remove()
    return {p: (m, (batch,) + s[1:]) for p, (m, s) in shapes.items()}


def module_path(node):
    """The module path of a legacy exporter's Conv node name: /layer1/layer1.0/conv1/Conv is
    layer1.0.conv1, /features/features.1/conv/conv.0/conv.0.0/Conv is features.1.conv.0.0 (a scope
    repeats its parent's name as a prefix when the parent is a container)."""
    segs = [s for s in node.split("/") if s][:-1]
    path, prev = "", ""
    for s in segs:
        if prev and s.startswith(prev + "."):
            path += s[len(prev):]
        else:
            path += ("." if path else "") + s
        prev = s
    return path


def xc_convs(res):
    """{module path: crosscheck's profiled layer} for every layer holding a Conv node (a fused
    layer joins its nodes' names with ' + ')."""
    out = {}
    for l in res["profile"]["layers"]:
        for node in l["name"].split(" + "):
            if node.endswith("/Conv"):
                out[module_path(node)] = l
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", required=True, help="gpu_bench.py's OUT/<case>.json for this model, batch and mode")
    ap.add_argument("--model", required=True)
    ap.add_argument("--batch", type=int, required=True)
    ap.add_argument("--mode", choices=("exact", "tf32", "fp16"), required=True)
    ap.add_argument("--iters", type=int, default=50)
    a = ap.parse_args()
    with open(a.json) as f:
        res = json.load(f)
    torch = torch_setup(tf32=a.mode == "tf32")
    dt = torch.float16 if a.mode == "fp16" else torch.float32
    rows, unmatched, xc = [], [], xc_convs(res)
    for path, (m, shape) in conv_shapes(torch, a.model, a.batch).items():
        x = torch.randn(shape, device="cuda", dtype=dt)
        w = torch.randn(m.weight.shape, device="cuda", dtype=dt)
        b = torch.randn(m.out_channels, device="cuda", dtype=dt)
        peer = time_torch_graph(torch, lambda: torch.nn.functional.conv2d(
            x, w, b, m.stride, m.padding, m.dilation, m.groups), a.iters)
        del x, w, b
        l = xc.get(path)
        if l is None:
            unmatched.append(path)
            continue
        rows.append((l["median_ms"], peer, path, l["tactic"], "x".join(map(str, shape)), tuple(m.kernel_size), m.out_channels))
    rows.sort(reverse=True)
    print("%9s %9s %6s  %-26s %-20s %-7s %5s  %s" % ("xc ms", "torch ms", "ratio", "layer", "input", "kernel", "out", "tactic"))
    for xc, peer, path, tactic, shape, k, oc in rows:
        print("%9.4f %9.4f %6.2f  %-26s %-20s %-7s %5d  %s" % (xc, peer, xc / peer, path, shape, "%dx%d" % k, oc, tactic))
    sx, sp = sum(r[0] for r in rows), sum(r[1] for r in rows)
    print("%9.4f %9.4f %6.2f  convs (%d matched)" % (sx, sp, sx / sp if sp else 0, len(rows)))
    total = res["profile"]["total_ms"]
    print("%9.4f %9s %6s  every crosscheck layer (the convs above are %.0f %%)" % (total, "", "", 100 * sx / total))
    if unmatched:
        print("no crosscheck layer for: " + ", ".join(unmatched), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
