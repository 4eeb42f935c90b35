"""layers: the library's layers, and a check that no file includes a header of a higher layer.

Layers, lowest first (DESIGN.md, "Where the shape goes next"):
  public    include/crosscheck/: the API users see
  core      tensors, dtypes, errors and log, graphs, ONNX I/O, files, data sets
  ops       one schema per op family, model validation and shape inference (they need the schemas)
  reference the oracle (reference/)
  engine    the OpenCL engine (src/ocl/)
  tools     run and compare, results, inspect, surgeon, graphs, debug tools, conformance
  cli       parses options and prints (cli/)
A file may include headers of its own layer or any lower one, and outside the engine only the
engine's interface headers (ENGINE_INTERFACE): its internals (engine.h, build.h, ...) stay
inside src/ocl/. `python3 tests/arch/layers.py` prints every violation and exits 1 when there is
one; the test suite runs it."""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ORDER = ["public", "core", "ops", "reference", "engine", "tools", "cli"]

# src/ files by the stem of their name (.c and .h alike); src/ files not named here are tools
CORE = {"dtype", "tensor", "tensor_file", "tensor_proto", "tensor_values", "error", "log", "graph", "onnx_io",
        "onnx_save", "file_io", "file_map", "proto_depth", "npy", "names", "backend", "png_write", "bitmap_font",
        "shape_match", "value_stats", "tensor_list", "graph_json", "value_proto", "name_list", "text"}
# loading validates, and random inputs follow the shapes inference gives
OPS = {"validate", "infer_graph", "onnx_load", "inputs"}


def layer_of(rel):
    """The layer of a repository-relative path, or None for files outside the library."""
    parts = rel.split("/")
    if parts[0] == "include":
        return "public"
    if parts[0] == "reference":
        return "reference"
    if parts[0] == "cli":
        return "cli"
    if parts[0] != "src":
        return None
    if parts[1] == "ops":
        return "ops"
    if parts[1] == "ocl":
        return "engine"
    if len(parts) == 2:
        stem = os.path.splitext(parts[1])[0]
        return "core" if stem in CORE else "ops" if stem in OPS else "tools"
    return "tools"


# what code outside src/ocl/ may include of the engine
ENGINE_INTERFACE = {"src/ocl/ocl.h", "src/ocl/fault.h", "src/ocl/tactics_file.h", "src/ocl/profile.h",
                    "src/ocl/device.h", "src/ocl/inspect_engine.h", "src/ocl/profile_shapes.h"}
# files outside src/ocl/ allowed to read engine internals: none (the debug tools and graph
# drawing read layers through xc_engine_layer_info_get); nothing may join this list
ENGINE_INTERNAL_READERS = set()


def resolve(including, name):
    """Where `#include "name"` in file `including` lands: beside it, then -I include, src, reference."""
    for base in (os.path.dirname(including), "include", "src", "reference"):
        rel = os.path.normpath(os.path.join(base, name))
        if os.path.isfile(os.path.join(ROOT, rel)):
            return rel
    return None


def library_files():
    for top in ("include", "src", "reference", "cli"):
        for d, _, files in os.walk(os.path.join(ROOT, top)):
            for f in sorted(files):
                if f.endswith((".c", ".h")):
                    yield os.path.relpath(os.path.join(d, f), ROOT)


def upward_includes():
    """(file, its layer, included header, its layer) for every include that goes up."""
    bad = []
    for rel in library_files():
        lay = layer_of(rel)
        with open(os.path.join(ROOT, rel), errors="replace") as f:
            for m in re.finditer(r'^\s*#\s*include\s+"([^"]+)"', f.read(), re.M):
                target = resolve(rel, m.group(1))
                why = violation(rel, target) if target else None
                if why:
                    bad.append((rel, lay, target, why))
    return bad


def violation(rel, target):
    """Why file rel may not include header target (the target's layer, or "engine internals"), or None."""
    lay, tl = layer_of(rel), layer_of(target)
    if not tl:
        return None
    if ORDER.index(tl) > ORDER.index(lay):
        return tl
    if tl == "engine" and lay != "engine" and target not in ENGINE_INTERFACE and rel not in ENGINE_INTERNAL_READERS:
        return "engine internals"
    return None


def layers(s, xc, build, tmp):
    """Test-suite section: the tree holds no upward include, and the checker does catch one."""
    bad = upward_includes()
    s.check("no file includes a header of a higher layer (%d upward includes)" % len(bad), not bad,
            "\n".join("%s (%s) includes %s (%s)" % b for b in bad[:20]))
    probe = layer_of("src/tensor.c"), resolve("src/tensor.c", "runner.h")
    probes = [violation("src/tensor.c", "src/runner.h"), violation("src/graph_draw.c", "src/ocl/engine.h"),
              violation("src/graph_draw.c", "src/ocl/ocl.h"), violation("cli/cmd_run.c", "src/runner.h")]
    s.check("the check flags core -> tools and tools -> engine internals, and allows the engine's interface "
            "and cli -> tools (%s)" % probes, probes == ["tools", "engine internals", None, None])

if __name__ == "__main__":
    found = upward_includes()
    for b in found:
        print("%s (%s) includes %s (%s)" % b)
    print("%d upward includes" % len(found))
    sys.exit(1 if found else 0)
