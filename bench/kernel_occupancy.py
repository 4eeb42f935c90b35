#!/usr/bin/env python3
"""Registers, local memory, spills and work-groups an SM of crosscheck's GPU kernels, without a GPU.

Input: the folder written by CROSSCHECK_DUMP_KERNELS=DIR (src/ocl/program.h), one .cl file per
program with its build options on the first line. Build the programs there with the tensor-core
instructions emulated, so that PoCL offers every tactic:

  CROSSCHECK_MMA_EMULATE=1 CROSSCHECK_DUMP_KERNELS=/tmp/k crosscheck build model.onnx \\
      --builder-optimization-level 3 -o /tmp/x.plan
  python3 bench/kernel_occupancy.py /tmp/k --match 'tf32|mma'

Each program is compiled as NVIDIA's OpenCL would get it (the emulation left out, -DXC_PTX in):
clang's OpenCL C to NVPTX with libclc's builtins, retargeted to sm_90a with the Hopper-only lines
uncommented (as src/ocl/ptx_patch.c does), then `ptxas -v`. Work-groups an SM follow from the
H100's limits (64 K registers, 228 KiB of shared memory with 1 KiB reserved per work-group, 64
warps, 32 work-groups). An estimate: clang's PTX is not the driver's, and ptxas allocates
registers from it (on the 128-row wgmma split-K tiles it gave 105 registers where the driver's
own build gave 112-114, bench/RESULTS.md). Needs clang and llvm-link/opt/llc (Debian's llvm-14),
libclc-14 and the CUDA toolkit's ptxas.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

REGS_PER_SM, SMEM_PER_SM, RESERVED_PER_WG, WARPS_PER_SM, WG_PER_SM = 65536, 228 * 1024, 1024, 64, 32
LIBCLC = "/usr/lib/clc/nvptx64--nvidiacl.bc"
MARK = "//XCPTX "  # src/ocl/ptx_patch.h's XC_PTX_MARK
# inline functions the compiler chose not to inline would be undefined in C99 semantics; NVIDIA's
# compiler inlines them all
PRELUDE = "#define inline inline __attribute__((always_inline))\n"


def tool(names):
    for n in names:
        if shutil.which(n):
            return n
    sys.exit("kernel_occupancy: none of %s on PATH" % ", ".join(names))


def occupancy(regs, smem, warps):
    """Work-groups an SM: registers go to a warp in 256s, rounded up from 8 a work-item."""
    per_warp = ((regs + 7) // 8 * 8 * 32 + 255) // 256 * 256
    by_regs = REGS_PER_SM // (per_warp * warps)
    by_smem = SMEM_PER_SM // (smem + RESERVED_PER_WG)
    return min(by_regs, by_smem, WARPS_PER_SM // warps, WG_PER_SM)


def work_group_sizes(cl, opts, clang, tmp):
    """kernel name -> work-items of its reqd_work_group_size, from the preprocessed source."""
    pre = subprocess.run([clang, "-E", "-x", "cl", "-cl-std=CL1.2", "-target", "nvptx64-nvidia-nvcl"] + opts + [cl],
                         capture_output=True, text=True)
    sizes = {}
    for dims, name in re.findall(r"reqd_work_group_size\(([^)]*(?:\([^)]*\)[^)]*)*)\)\)\)\s*void\s+(\w+)", pre.stdout):
        expr = dims.replace(",", ")*(")
        if re.fullmatch(r"[0-9()*+/ -]+", expr):
            sizes[name] = eval("(" + expr + ")")  # digits and operators only, checked above
    return sizes


def analyse(cl, tmp, tools, arch):
    with open(cl) as f:
        first = f.readline()
    m = re.match(r"// crosscheck program (.*); build options: (.*)", first)
    if not m:
        return None, "not a CROSSCHECK_DUMP_KERNELS file (no options line)"
    label = m.group(1)
    opts = [o for o in m.group(2).split() if o != "-DMMA_EMULATE" and not o.startswith("-cl-")] + ["-DXC_PTX"]
    clang, link, opt, llc, ptxas = tools
    prelude = os.path.join(tmp, "prelude.h")  # written once by main
    bc, linked, ptx = (os.path.join(tmp, n) for n in ("k.bc", "kl.bc", "k.ptx"))
    steps = [[clang, "-x", "cl", "-cl-std=CL1.2", "-target", "nvptx64-nvidia-nvcl", "-march=sm_80", "-O3", "-emit-llvm", "-c",
              "-o", bc, "-Dasm=__asm__", "-include", prelude, "-Xclang", "-finclude-default-header",
              "-Xclang", "-cl-ext=+cl_khr_fp16,+cl_khr_fp64"] + opts + [cl],
             [link, bc, LIBCLC, "-o", linked], [opt, "-O3", linked, "-o", linked],
             [llc, "-march=nvptx64", "-mcpu=sm_80", "-O3", linked, "-o", ptx]]
    for cmd in steps:
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            err = [l for l in r.stderr.splitlines() if "error" in l]
            return label, "%s failed: %s" % (os.path.basename(cmd[0]), (err or r.stderr.splitlines() or ["?"])[0][:200])
    with open(ptx) as f:
        text = f.read()
    text = re.sub(r"^\.version .*$", ".version 8.0", text, count=1, flags=re.M)
    text = re.sub(r"^\.target .*$", ".target " + arch, text, count=1, flags=re.M).replace(MARK, "")
    with open(ptx, "w") as f:
        f.write(text)
    r = subprocess.run([ptxas, "-arch=" + arch, "-v", "-o", os.path.join(tmp, "k.cubin"), ptx], capture_output=True, text=True)
    if r.returncode != 0:
        return label, "ptxas failed: " + (r.stderr.strip().splitlines() or ["?"])[-1][:200]
    sizes = work_group_sizes(cl, opts, clang, tmp)
    rows = []
    for block in re.split(r"(?=ptxas info\s+: Compiling entry function)", r.stderr):
        e = re.search(r"entry function '(\w+)'", block)
        regs = re.search(r"Used (\d+) registers", block)
        if not e or not regs:
            continue
        smem = re.search(r"(\d+) bytes smem", block)
        spill = re.search(r"(\d+) bytes spill stores, (\d+) bytes spill loads", block)
        name, items = e.group(1), sizes.get(e.group(1))
        row = {"kernel": name, "registers": int(regs.group(1)), "smem": int(smem.group(1)) if smem else 0,
               "spill_stores": int(spill.group(1)) if spill else 0, "spill_loads": int(spill.group(2)) if spill else 0,
               "work_items": items}
        if items:
            warps = (items + 31) // 32
            row["per_sm"] = occupancy(row["registers"], row["smem"], warps)
            row["warps_per_sm"] = row["per_sm"] * warps
        rows.append(row)
    return label, rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", help="a CROSSCHECK_DUMP_KERNELS folder")
    ap.add_argument("--match", default="", help="regular expression on the program's file name")
    ap.add_argument("--kernel", default="", help="regular expression on the kernel name (default: every kernel)")
    ap.add_argument("--arch", default="sm_90a")
    a = ap.parse_args()
    if not os.path.exists(LIBCLC):
        sys.exit("kernel_occupancy: %s missing (Debian's libclc-14)" % LIBCLC)
    tools = (tool(["clang-14", "clang"]), tool(["llvm-link-14", "llvm-link"]), tool(["opt-14", "opt"]),
             tool(["llc-14", "llc"]), tool(["ptxas"]))
    files = sorted(f for f in os.listdir(a.dir) if f.endswith(".cl") and re.search(a.match, f))
    if not files:
        sys.exit("kernel_occupancy: no .cl file in %s matches '%s'" % (a.dir, a.match))
    print("| program | kernel | registers | shared bytes | spills (st/ld bytes) | work-items | work-groups an SM | warps an SM |")
    print("|---|---|---|---|---|---|---|---|")
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "prelude.h"), "w") as f:
            f.write(PRELUDE)
        for f in files:
            label, rows = analyse(os.path.join(a.dir, f), tmp, tools, a.arch)
            if isinstance(rows, str):
                print("| %s | (%s) | | | | | | |" % (label or f, rows))
                failed += 1
                continue
            for r in rows:
                if a.kernel and not re.search(a.kernel, r["kernel"]):
                    continue
                print("| %s | %s | %d | %d | %d/%d | %s | %s | %s |" % (
                    label, r["kernel"], r["registers"], r["smem"], r["spill_stores"], r["spill_loads"],
                    r["work_items"] or "?", r.get("per_sm", "?"), r.get("warps_per_sm", "?")))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
