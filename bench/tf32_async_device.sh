#!/bin/sh
# tf32_async_device.sh — one GPU run for the cp.async tensor-core GEMM tactics (gemm.tf32_async,
# gemm.tf32_splitk, gemm.mma_fp16_async, gemm.mma_fp16_splitk), each step under its own time limit
# so a slow one cannot eat the others:
#   1. correctness of every new variant against float64 (bench/tf32_check.py --async-only);
#   2. SGEMM (TF32) and HGEMM 4096^3 against cuBLAS (bench/gpu_bench.py, tuner's choice);
#   3. the same products restricted to the old and the new tactic families (--tactics), so the
#      new main loop is compared with the register-staged one on the same card;
#   4. BERT-base (seq 128) batch 8, TF32 and fp16, against PyTorch's CUDA graph.
# Run from a bundle folder holding crosscheck, lib/ (bench/device_bundle.sh's libraries) and
# bench/ (this script, tf32_check.py, gpu_bench.py). Logs and results go to $OUT (at most 8 files).
# The OpenCL kernel cache lives in /tmp (cold: the machine is fresh), not in $OUT, to keep the
# files that come back under the tool's limit of eight.
#   usage: OUT=/some/dir sh bench/tf32_async_device.sh [check_s sgemm_s family_s bert_s]  (default 100 90 40 180)
B=$(cd "$(dirname "$0")/.." && pwd)
: "${OUT:=/tmp/tf32-async-out}"
mkdir -p "$OUT" /tmp/xc-work
export LD_LIBRARY_PATH="$B/lib" PYTHONUNBUFFERED=1 CROSSCHECK_CACHE_DIR=/tmp/xc-cl-cache
mkdir -p /etc/OpenCL/vendors && echo libnvidia-opencl.so.1 >/etc/OpenCL/vendors/nvidia.icd
XC="$B/crosscheck"
{
    date -u
    nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv
    "$XC" inspect devices
    python3 -c 'import torch; print("torch", torch.__version__, torch.version.cuda)'
} >"$OUT/env.txt" 2>&1
cat "$OUT/env.txt"

echo "== 1. correctness (tf32_check.py --async-only)"
timeout -k 5 "${1:-100}" python3 "$B/bench/tf32_check.py" --xc "$XC" --out /tmp/xc-work/check --async-only \
    --only 'as_ragged|as_tAtB|as_splitk' >"$OUT/check.log" 2>&1
echo "exit $?" >>"$OUT/check.log"
# the first kernel build failure in full (the table shows its last line only)
f=$(grep -l "kernel build failed" /tmp/xc-work/check/*.log 2>/dev/null | head -1)
[ -n "$f" ] && { echo "--- $f"; head -c 6000 "$f"; } >>"$OUT/check.log"
cat "$OUT/check.log"

echo "== 2. SGEMM / HGEMM 4096^3 vs cuBLAS"
timeout -k 5 "${2:-90}" python3 "$B/bench/gpu_bench.py" --xc "$XC" --out /tmp/xc-work/sgemm --models '' \
    --sgemm-n 4096 --modes tf32,fp16 --duration-s 1 --iters 30 >"$OUT/sgemm.log" 2>&1
echo "exit $?" >>"$OUT/sgemm.log"
cat "$OUT/sgemm.log"
cp /tmp/xc-work/sgemm/results.json "$OUT/results_sgemm.json" 2>/dev/null

echo "== 3. old vs new tactic family on the same product, then each new variant"
(
    end=$(($(date +%s) + ${3:-40}))
    for spec in "tf32 gemm.tf32.*" "tf32 gemm.tf32_async.*" "fp16 gemm.mma_fp16.*" "fp16 gemm.mma_fp16_async.*" \
        "tf32 gemm.tf32_async.128x128x16.2x2.s3" "tf32 gemm.tf32_async.256x128x16.4x2.s2" \
        "tf32 gemm.tf32_async.128x256x16.2x4.s2" "tf32 gemm.tf32_async.128x64x16.2x2.s4" \
        "fp16 gemm.mma_fp16_async.128x128x32.2x2.s3" "fp16 gemm.mma_fp16_async.256x128x32.4x2.s2" \
        "fp16 gemm.mma_fp16_async.128x256x32.2x4.s2" "fp16 gemm.mma_fp16_async.128x64x32.2x2.s4"; do
        set -- $spec
        left=$((end - $(date +%s)))
        [ "$left" -gt 2 ] || break
        extra=""
        [ "$1" = fp16 ] && extra=--fp16
        echo "-- $2"
        timeout -k 2 "$left" "$XC" bench /tmp/xc-work/sgemm/sgemm_4096.onnx --ocl-device NVIDIA --profile --duration-s 0.5 \
            $extra --tactics "$2" 2>&1 | grep -E " sgemm$|rror" | head -3
    done
) >"$OUT/families.log" 2>&1
cat "$OUT/families.log"

echo "== 4. BERT-base b8"
timeout -k 5 "${4:-180}" python3 "$B/bench/gpu_bench.py" --xc "$XC" --out /tmp/xc-work/bert --models '' --transformers bert \
    --transformer-batch 8 --modes tf32,fp16 --sgemm-n 0 --duration-s 1 --iters 30 >"$OUT/bert.log" 2>&1
echo "exit $?" >>"$OUT/bert.log"
cat "$OUT/bert.log"
cp /tmp/xc-work/bert/results.json "$OUT/results_bert.json" 2>/dev/null
cat /tmp/xc-work/bert/*.log >"$OUT/bert_profile.log" 2>/dev/null # per-layer profiles
true
