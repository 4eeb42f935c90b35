#!/usr/bin/env python3
"""Exports torchvision and transformers models (and small recurrent, control-flow, detection and
segmentation models: lstm_tagger, gru_rnn, loop_if, detector, seg_decoder) to ONNX, runs them in PyTorch (fp32, CPU) and
checks `crosscheck run --ref` agrees with PyTorch on the same inputs (rtol 1e-3, atol 1e-4).
Needs torch, torchvision, transformers and onnx (the GPU machine has them); the models are
randomly initialised with fixed seeds, so nothing is downloaded.

usage: bench/torch_compare.py --xc build/crosscheck --out DIR [--models squeezenet1_1,...]
                              [--xc-args='--ocl --ocl-device NVIDIA']
With --xc-args naming an OpenCL runner, crosscheck runs the reference AND the engine, compares
the engine against the reference, and the reference against PyTorch.
"""
import argparse
import os
import subprocess
import time

import numpy as np
import onnx
import torch
from onnx import numpy_helper


def torchvision_model(name):
    import torchvision
    model = getattr(torchvision.models, name)(weights=None).eval()
    return model, (torch.rand(1, 3, 224, 224),), ["input"]


def bert():
    from transformers import BertConfig, BertModel
    cfg = BertConfig(vocab_size=1000, hidden_size=128, num_hidden_layers=2, num_attention_heads=2,
                     intermediate_size=512, max_position_embeddings=64)
    class Positional(torch.nn.Module):  # transformers' forward takes these by keyword only
        def __init__(self):
            super().__init__()
            self.bert = BertModel(cfg).eval()

        def forward(self, input_ids, attention_mask):
            out = self.bert(input_ids=input_ids, attention_mask=attention_mask)
            return out.last_hidden_state, out.pooler_output

    ids = torch.randint(0, 1000, (1, 16))
    mask = torch.ones(1, 16, dtype=torch.int64)
    mask[0, 12:] = 0  # padding, so the attention mask matters
    return Positional().eval(), (ids, mask), ["input_ids", "attention_mask"]


def vit():
    from transformers import ViTConfig, ViTModel
    cfg = ViTConfig(image_size=64, patch_size=8, hidden_size=128, num_hidden_layers=2, num_attention_heads=2,
                    intermediate_size=512)
    return ViTModel(cfg).eval(), (torch.rand(1, 3, 64, 64),), ["pixel_values"]


def lstm_tagger():
    class Tagger(torch.nn.Module):  # embedding -> bidirectional LSTM -> per-token tags
        def __init__(self):
            super().__init__()
            self.emb = torch.nn.Embedding(100, 16)
            self.lstm = torch.nn.LSTM(16, 24, batch_first=True, bidirectional=True)
            self.out = torch.nn.Linear(48, 5)

        def forward(self, ids):
            return self.out(self.lstm(self.emb(ids))[0])
    return Tagger().eval(), (torch.randint(0, 100, (2, 12)),), ["ids"]


def gru_rnn():
    class Classifier(torch.nn.Module):  # GRU -> tanh RNN -> the last step classified
        def __init__(self):
            super().__init__()
            self.gru = torch.nn.GRU(8, 16, batch_first=True)
            self.rnn = torch.nn.RNN(16, 16, batch_first=True)
            self.out = torch.nn.Linear(16, 3)

        def forward(self, x):
            return self.out(self.rnn(self.gru(x)[0])[0][:, -1])
    return Classifier().eval(), (torch.rand(2, 10, 8),), ["x"]


def loop_if():
    class LoopIf(torch.nn.Module):  # a data-dependent trip count and branch (TorchScript -> Loop, If)
        def forward(self, x, n):
            y = x
            for _ in range(int(n)):
                y = y * 0.5 + torch.tanh(y)
            if bool(y.sum() > 0):
                y = y + 1.0
            else:
                y = y - 1.0
            return y
    return torch.jit.script(LoopIf()), (torch.rand(3, 4) - 0.3, torch.tensor(5)), ["x", "n"]


def detector():
    import torchvision

    class Detector(torch.nn.Module):  # conv heads -> boxes/scores -> NMS -> RoiAlign on the features
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(3, 8, 3, padding=1)
            self.box = torch.nn.Conv2d(8, 4, 1)
            self.score = torch.nn.Conv2d(8, 1, 1)

        def forward(self, x):
            f = torch.relu(self.conv(x))
            b = self.box(f).flatten(2).transpose(1, 2)[0]
            xy = torch.sigmoid(b[:, :2]) * 12
            boxes = torch.cat([xy, xy + torch.sigmoid(b[:, 2:]) * 4 + 1], 1)
            scores = torch.sigmoid(self.score(f).flatten())
            keep = torchvision.ops.nms(boxes, scores, 0.5)[:10]
            kept = boxes[keep]
            rois = torch.cat([torch.zeros(kept.shape[0], 1), kept], 1)
            return torchvision.ops.roi_align(f, rois, (2, 2), spatial_scale=1.0, sampling_ratio=2, aligned=True), keep
    return Detector().eval(), (torch.rand(1, 3, 16, 16),), ["image"]


def seg_decoder():
    class Decoder(torch.nn.Module):  # ConvTranspose upsampling + bilinear resize -> per-pixel classes
        def __init__(self):
            super().__init__()
            self.enc = torch.nn.Conv2d(3, 16, 3, stride=2, padding=1)
            self.up = torch.nn.ConvTranspose2d(16, 8, 4, stride=2, padding=1)
            self.head = torch.nn.Conv2d(8, 4, 1)

        def forward(self, x):
            y = torch.nn.functional.interpolate(self.up(torch.relu(self.enc(x))), scale_factor=2, mode="bilinear",
                                                align_corners=False)
            logits = self.head(y)
            return logits, logits.argmax(1)
    return Decoder().eval(), (torch.rand(1, 3, 16, 16),), ["image"]


MODELS = {
    "lstm_tagger": lstm_tagger,
    "gru_rnn": gru_rnn,
    "loop_if": loop_if,
    "detector": detector,
    "seg_decoder": seg_decoder,
    "resnet18": lambda: torchvision_model("resnet18"),
    "resnet50": lambda: torchvision_model("resnet50"),
    "mobilenet_v2": lambda: torchvision_model("mobilenet_v2"),
    "squeezenet1_1": lambda: torchvision_model("squeezenet1_1"),
    "shufflenet_v2_x1_0": lambda: torchvision_model("shufflenet_v2_x1_0"),
    "mobilenet_v3_small": lambda: torchvision_model("mobilenet_v3_small"),
    "bert_small": bert,
    "vit_small": vit,
}


def flat_outputs(out):
    if isinstance(out, torch.Tensor):
        return [out]
    if hasattr(out, "to_tuple"):
        out = out.to_tuple()
    return [o for o in out if isinstance(o, torch.Tensor)]


def export_case(name, folder):
    torch.manual_seed(0)
    model, args, input_names = MODELS[name]()
    path = os.path.join(folder, "model.onnx")
    with torch.no_grad():
        outs = flat_outputs(model(*args))
        names = ["output_%d" % i for i in range(len(outs))]
        torch.onnx.export(model, args, path, input_names=input_names, output_names=names, opset_version=17, dynamo=False)
    ds = os.path.join(folder, "test_data_set_0")
    os.makedirs(ds, exist_ok=True)
    for i, (n, a) in enumerate(zip(input_names, args)):
        onnx.save_tensor(numpy_helper.from_array(a.numpy(), n), os.path.join(ds, "input_%d.pb" % i))
    graph_outputs = [o.name for o in onnx.load(path, load_external_data=False).graph.output]
    for i, (n, o) in enumerate(zip(graph_outputs, outs)):
        onnx.save_tensor(numpy_helper.from_array(o.numpy(), n), os.path.join(ds, "output_%d.pb" % i))
    return path, ds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xc", default="build/crosscheck")
    ap.add_argument("--out", required=True)
    ap.add_argument("--models", default="squeezenet1_1,shufflenet_v2_x1_0,mobilenet_v3_small,bert_small,vit_small")
    ap.add_argument("--xc-args", default="", help="extra crosscheck run options, e.g. '--ocl --ocl-device NVIDIA'")
    a = ap.parse_args()
    failures = 0
    for name in a.models.split(","):
        folder = os.path.join(a.out, name)
        os.makedirs(folder, exist_ok=True)
        try:
            path, ds = export_case(name, folder)
        except Exception as e:
            print("EXPORT-FAILED %s: %s: %s" % (name, type(e).__name__, str(e)[:600]), flush=True)
            failures += 1
            continue
        t = time.perf_counter()
        r = subprocess.run([a.xc, "run", path, "--ref"] + a.xc_args.split() + ["--load-inputs", ds, "--load-outputs", ds,
                                                                              "--rtol", "1e-3", "--atol", "1e-4"],
                           capture_output=True, text=True)
        secs = time.perf_counter() - t
        verdict = {0: "PASSED", 1: "FAILED"}.get(r.returncode, "ERROR")
        failures += r.returncode != 0
        errs = [l.strip() for l in r.stdout.splitlines() if "abs error" in l or "rel error" in l]
        print("%-20s %s  (%.1f s)  %s %s" % (name, verdict, secs, " | ".join(errs), r.stderr.strip()), flush=True)
        if r.returncode != 0:
            print(r.stdout[-3000:], flush=True)
    print("torch_compare: %d of %d models disagree or fail" % (failures, len(a.models.split(","))))


if __name__ == "__main__":
    main()
