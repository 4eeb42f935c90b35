"""format_check: every C file of the tree is laid out as .clang-format says.

`clang-format --dry-run -Werror` over the C sources and headers git tracks (tools/deps.sh
installs clang-format); a file that needs reformatting fails the check naming it. To fix:
`clang-format -i FILE`. The kernels (.cl) are OpenCL sources embedded as text and keep their own
layout."""
import os
import shutil
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def c_files():
    r = subprocess.run(["git", "-C", ROOT, "ls-files", "*.c", "*.h"], capture_output=True, text=True)
    if r.returncode == 0 and r.stdout.strip():
        return [f for f in r.stdout.split() if not f.startswith("tests/fuzz_regressions/")]
    found = []  # not a git checkout (an unpacked tarball): walk the source folders
    for top in ("include", "src", "reference", "cli", "tests/unit", "fuzz", "plugins"):
        for d, _, files in os.walk(os.path.join(ROOT, top)):
            found += [os.path.relpath(os.path.join(d, f), ROOT) for f in files if f.endswith((".c", ".h"))]
    return sorted(found)


def format_check(s, xc, build, tmp):
    tool = shutil.which("clang-format")
    if not s.check("clang-format is installed (tools/deps.sh installs it)", tool is not None):
        return
    files = c_files()
    bad = []
    for k in range(0, len(files), 40):
        chunk = files[k:k + 40]
        r = subprocess.run([tool, "--dry-run", "-Werror"] + chunk, cwd=ROOT, capture_output=True, text=True)
        if r.returncode != 0:
            bad += sorted({ln.split(":")[0] for ln in r.stderr.splitlines() if ln.endswith("]") and ":" in ln})
    s.check("%d C files follow .clang-format (%d do not)" % (len(files), len(bad)), files and not bad,
            "reformat with clang-format -i: " + " ".join(bad[:20]))
    probe = os.path.join(tmp, "format_probe.c")
    with open(probe, "w") as f:
        f.write("int  f( int x ){return x;}\n")
    r = subprocess.run([tool, "--dry-run", "-Werror", "--style=file:" + os.path.join(ROOT, ".clang-format"), probe],
                       capture_output=True, text=True)
    if r.returncode != 0 or "--style=file:" in r.stderr:  # clang-format < 14 has no --style=file:PATH
        shutil.copy(os.path.join(ROOT, ".clang-format"), os.path.join(tmp, ".clang-format"))
        r = subprocess.run([tool, "--dry-run", "-Werror", probe], capture_output=True, text=True)
    s.check("the check catches a badly laid out file", r.returncode != 0, r.stderr[-300:])
