#!/bin/sh
# deps.sh — makes sure this Debian machine has what crosscheck needs to build and test.
# As root it installs what is missing (apt-get); otherwise it prints the exact command and fails.
# The Python side (a venv with a pinned onnx, a test-time tool only) is made by the Makefile.
set -e
PKGS="gcc make libc6-dev libprotobuf-c-dev protobuf-c-compiler libcjson-dev libgraphviz-dev libonnx-dev \
ocl-icd-opencl-dev opencl-headers pocl-opencl-icd zlib1g-dev python3 python3-venv python3-pip clang-format"
PKGS="$PKGS $*" # extra packages a make target needs (make fuzz: clang libclang-rt-dev)
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
    echo "deps.sh: installing:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
    echo "deps.sh: missing packages; run:"
    echo "  sudo apt-get install -y$missing"
    exit 1
fi
