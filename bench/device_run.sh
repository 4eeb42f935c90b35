#!/bin/sh
# device_run.sh — one GPU call that measures the tensor-core tactics, each step under its own
# time limit so a slow one cannot eat the others (device time is scarce: put the answers you
# need first):
#   1. correctness of every wgmma variant (TF32, split-K, fp16) against float64
#      (bench/tf32_check.py on a ragged product and BERT's FFN-output shape), then BERT-base's
#      self-attention block (tests/test_gemm_horizontal.py's model at batch 8, seq 128: Q, K, V
#      stacked into one product) with crosscheck's per-layer verdict on the GPU, the tuner's
#      tactics and forced ones, TF32 and fp16; then resnet18's accumulated per-layer verdict
#      (TF32 tolerances grown with depth: a correct engine passes);
#   2. every GEMM tactic on BERT-base's product shapes and 4096^3, TF32 and fp16, next to cuBLAS
#      (bench/gemm_tactics.py: the tuner's own times from `crosscheck build -vv`);
#   3. BERT-base (seq 128) batch 8, TF32 then fp16, against PyTorch's CUDA graph
#      (bench/gpu_bench.py; per-layer profiles in the logs);
#   4. resnet50 batch 32, TF32 and fp16, likewise, then each of its convs next to PyTorch's
#      (bench/layer_peer.py).
# Run from a bundle folder holding crosscheck and its libraries (bench/device_bundle.sh) and
# bench/ (this script and the .py files) and tests/ (test_gemm_horizontal.py, test_wgmma.py), e.g.
# carried as .device/. Logs and tables go to $OUT.
# The kernel cache lives in /tmp (the machine is fresh each time).
#   usage: OUT=/some/dir sh bench/device_run.sh [check_s gemm_s bert_s cnn_s]  (default 130 240 300 0;
#   0 skips a step, check_s 0 skips 1b too)
B=$(cd "$(dirname "$0")/.." && pwd)
: "${OUT:=/tmp/device-run}"
mkdir -p "$OUT" /tmp/xc-work
export LD_LIBRARY_PATH="$B/lib:$B" PYTHONUNBUFFERED=1 CROSSCHECK_CACHE_DIR=/tmp/xc-cl-cache
mkdir -p /tmp/icd && echo libnvidia-opencl.so.1 >/tmp/icd/nvidia.icd
export OCL_ICD_VENDORS=/tmp/icd
XC="$B/crosscheck"
{
    date -u
    nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv
    "$XC" inspect devices
} >"$OUT/env.txt" 2>&1
cat "$OUT/env.txt"

if [ "${1:-130}" -gt 0 ]; then # timeout 0 would mean no limit: 0 skips the step
    echo "== 1. correctness (tf32_check.py, every wgmma variant)"
    timeout -k 5 "${1:-130}" python3 "$B/bench/tf32_check.py" --xc "$XC" --out /tmp/xc-work/check \
        --only 'as_(ragged|constk)' --runs wgmma >"$OUT/check.log" 2>&1
    echo "exit $?" >>"$OUT/check.log"
    tail -40 "$OUT/check.log"
    echo "== 1b. BERT-base's attention block, Q K V stacked, per-layer against the reference"
    (
        cd /tmp/xc-work && python3 -c "import sys; sys.path.insert(0, '$B/tests'); import test_gemm_horizontal as t; t._model('qkv.onnx', size=(8, 128, 12, 64))"
        for spec in "tf32:" "tf32:gemm.tf32_wgmma.128x128x16.s5" "tf32:gemm.tf32_async.128x64*" \
            "tf32:gemm.tf32.64x64*" "fp16:" "fp16:gemm.mma_fp16_wgmma.128x128x32.s3.la"; do
            mode=${spec%%:*} tactic=${spec#*:}
            set -- --builder-optimization-level 3
            [ -n "$tactic" ] && set -- "$@" --tactics "$tactic"
            [ "$mode" = fp16 ] && set -- "$@" --fp16
            echo "-- $mode ${tactic:-(tuner's choice)}"
            timeout -k 2 "$([ -n "$tactic" ] && echo 60 || echo 150)" "$XC" run qkv.onnx --ref --ocl --per-layer --val-range '[-1,1]' "$@" 2>&1 | grep -E '^ +0 |^(PASSED|FAILED)|error'
        done
    ) >"$OUT/stacked.log" 2>&1
    cat "$OUT/stacked.log"
    echo "== 1c. a deep TF32 engine's own accumulated per-layer verdict (resnet18, batch 2, random weights)"
    (
        cd /tmp/xc-work && python3 -c "
import torch, torchvision
torch.manual_seed(0)
m = torchvision.models.resnet18(weights=None).eval()
torch.onnx.export(m, (torch.randn(2, 3, 224, 224),), 'resnet18_b2.onnx', opset_version=17, dynamo=False)"
        # every row after d TF32 layers is judged at sqrt(d) x one layer's tolerance: PASSED expected
        timeout -k 2 150 "$XC" run resnet18_b2.onnx --ref --ocl --per-layer 2>&1 | grep -E 'TF32 tolerances|first divergent|^(PASSED|FAILED)|error'
    ) >"$OUT/deep.log" 2>&1
    cat "$OUT/deep.log"
fi

echo "== 2. every GEMM tactic on BERT's shapes and 4096^3 vs cuBLAS"
(
    end=$(($(date +%s) + ${2:-240}))
    for spec in "tf32 gemm.tf32*" "fp16 gemm.mma_fp16*"; do
        set -- $spec
        left=$((end - $(date +%s)))
        [ "$left" -gt 5 ] || break
        timeout -k 2 "$left" python3 "$B/bench/gemm_tactics.py" --xc "$XC" --mode "$1" --tactics "$2" \
            --shapes 1024x768x768,1024x2304x768,1024x3072x768,1024x768x3072,4096x4096x4096 --out "/tmp/xc-work/gemm_$1"
    done
) >"$OUT/gemm.md" 2>&1
cat "$OUT/gemm.md"

run_bench() { # name seconds gpu_bench-args...
    name=$1 secs=$2
    shift 2
    [ "$secs" -gt 0 ] || return 0
    echo "== $name"
    timeout -k 5 "$secs" python3 "$B/bench/gpu_bench.py" --xc "$XC" --out "/tmp/xc-work/$name" --sgemm-n 0 \
        --duration-s 1 --iters 30 "$@" >"$OUT/$name.txt" 2>&1
    echo "exit $?" >>"$OUT/$name.txt"
    cat /tmp/xc-work/"$name"/*.log >"$OUT/${name}_profile.log" 2>/dev/null
    tail -6 "$OUT/$name.txt"
}
run_bench bert "${3:-300}" --models '' --transformers bert --transformer-batch 8 --modes tf32,fp16
run_bench cnn "${4:-0}" --models resnet50 --batch 32 --modes tf32,fp16
if [ "${4:-0}" -gt 0 ]; then # each conv of those runs next to PyTorch's (bench/layer_peer.py)
    for mode in tf32 fp16; do
        [ -f "/tmp/xc-work/cnn/resnet50_b32_$mode.json" ] || continue
        timeout 60 python3 "$B/bench/layer_peer.py" --json "/tmp/xc-work/cnn/resnet50_b32_$mode.json" --model resnet50 \
            --batch 32 --mode "$mode"
    done >"$OUT/cnn_peer.txt" 2>&1
    head -15 "$OUT/cnn_peer.txt"
fi
true
