#!/bin/sh
# device_bundle.sh — copies the crosscheck binary and the shared libraries a GPU machine lacks
# (protobuf-c, cJSON, graphviz, the OpenCL ICD loader) into one folder, to be carried there and used with
# LD_LIBRARY_PATH=<folder>. The NVIDIA ICD is registered on that machine with:
#   mkdir -p /etc/OpenCL/vendors && echo libnvidia-opencl.so.1 > /etc/OpenCL/vendors/nvidia.icd
# usage: bench/device_bundle.sh [BUILD_DIR] [OUT_DIR]   (defaults: build .device)
set -e
build=${1:-build}
out=${2:-.device}
mkdir -p "$out"
cp "$build/crosscheck" "$out/"
# everything but the C library itself (graphviz and its helpers included; the GPU machine has
# none of them)
ldd "$build/crosscheck" | awk '$3 ~ /^\// && $1 !~ /^(libc|libm|libpthread|libdl|librt)\.so/ {print $3}' |
    xargs -r -I{} cp -L {} "$out/"
ls "$out"
