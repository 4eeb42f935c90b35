"""install_tests: the library as a user outside the tree gets it.

`make install` (PREFIX and DESTDIR) lays out bin/crosscheck, lib/libcrosscheck.{a,so} with the
soname and version of include/crosscheck/api.h, the public headers (each compiles on its own) and crosscheck.pc;
`make uninstall` removes them. The README's library example, cut from README.md between its
markers exactly as printed, is built against the installed copy with
`pkg-config --cflags --libs crosscheck` (shared, found through rpath) and statically from
`--static --libs`, and run on models/small_cnn: it passes with the folder's saved outputs and
reports a mismatch when one saved value is moved. The shared library exports exactly the
functions the public headers mark XC_API (the rest is built with -fvisibility=hidden): no
protobuf-c onnx__* code, no internal xc_ helper."""
import os
import re
import shutil
import subprocess

import numpy as np
from onnx import TensorProto, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODEL = os.path.join(ROOT, "models", "small_cnn")


def _run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kw)


def _version():
    with open(os.path.join(ROOT, "include", "crosscheck", "api.h")) as f:
        return re.search(r'#define XC_VERSION "([^"]+)"', f.read()).group(1)


def _readme_example():
    with open(os.path.join(ROOT, "README.md")) as f:
        text = f.read()
    m = re.search(r"<!-- library-example:begin -->\n```c\n(.*?)```\n<!-- library-example:end -->", text, re.S)
    return m.group(1) if m else None


def _files_under(d):
    return sorted(os.path.relpath(os.path.join(p, f), d) for p, _, fs in os.walk(d) for f in fs)


def _exports(s, build):
    so = os.path.join(build, "libcrosscheck.so")
    r = _run(["nm", "-D", "--defined-only", so])
    names = [ln.split()[-1] for ln in r.stdout.splitlines() if ln.strip()]
    bad = [n for n in names if not n.startswith(("xc_", "XC_"))]
    s.check("libcrosscheck.so exports only xc_/XC_ symbols (%d exported, %d others)" % (len(names), len(bad)),
            r.returncode == 0 and names and not bad, r.stderr + " ".join(bad[:20]))
    public = _public_functions()
    s.check("libcrosscheck.so exports exactly the %d XC_API functions of include/crosscheck/ (missing: %s; extra: %s)"
            % (len(public), sorted(public - set(names))[:10], sorted(set(names) - public)[:10]),
            public and set(names) == public and {"xc_model_load", "xc_compare", "xc_ref_backend_create"} <= public)
    r = _run(["readelf", "-d", so])
    soname = re.search(r"Library soname: \[([^\]]+)\]", r.stdout)
    want = "libcrosscheck.so.%s" % _version().split(".")[0]
    s.check("libcrosscheck.so's soname is %s" % want, soname and soname.group(1) == want, r.stdout[-500:])


def _public_functions():
    """Names declared with XC_API in the public headers (declarations may span lines)."""
    inc = os.path.join(ROOT, "include", "crosscheck")
    names = set()
    for h in os.listdir(inc):
        text = open(os.path.join(inc, h)).read()
        names |= set(re.findall(r"XC_API\b[^;(]*?\b(xc_\w+)\s*\(", text))
    return names


def _san_flags(build):
    """The example must link the sanitizer runtime when the library was built with one."""
    needed = _run(["readelf", "-d", os.path.join(build, "libcrosscheck.so")]).stdout
    return ["-fsanitize=address,undefined"] if ("libasan" in needed or "libubsan" in needed) else []


def _perturbed_set(tmp):
    d = os.path.join(tmp, "perturbed_set")
    shutil.copytree(os.path.join(MODEL, "test_data_set_0"), d)
    p = os.path.join(d, "output_0.pb")
    t = TensorProto()
    with open(p, "rb") as f:
        t.ParseFromString(f.read())
    a = numpy_helper.to_array(t).copy()
    a.flat[0] += np.float32(0.01)  # far above atol + rtol*|x| = 1e-5 + 1e-5*|x|
    with open(p, "wb") as f:
        f.write(numpy_helper.from_array(a, t.name).SerializeToString())
    return d


def _engine_api(s, tmp, strict, cflags, libs, lib):
    """tests/arch/engine_api_example.c: the engine's public calls against the installed copy."""
    exe = os.path.join(tmp, "engine_api_example")
    r = _run(strict + ["-o", exe, os.path.join(ROOT, "tests", "arch", "engine_api_example.c")] + cflags + libs
             + ["-Wl,-rpath," + lib])
    if not s.check("engine API example builds against the installed copy (crosscheck/crosscheck.h only)",
                   r.returncode == 0, r.stderr[-2000:]):
        return
    plan = os.path.join(tmp, "engine_api.plan")
    r = _run([exe, os.path.join(MODEL, "model.onnx"), os.path.join(MODEL, "test_data_set_0"), plan])
    out = r.stdout
    s.check("engine API: level 9 refused with a message, an engine built at level 0 and the plan saved and "
            "loaded both match the reference; the library printed nothing (log callback)",
            r.returncode == 0 and "level 9 refused: builder optimization level 9" in out and "bad profiles refused" in out
            and re.search(r"^built \S+ \S+: PASS", out, re.M) and re.search(r"^plan \S+ \S+: PASS", out, re.M)
            and "MISMATCH" not in out and os.path.isfile(plan) and r.stderr == "", out + r.stderr)


def install_tests(s, xc, build, tmp):
    build = os.path.abspath(build)
    _exports(s, build)
    version, major = _version(), _version().split(".")[0]
    make = ["make", "-s", "-C", ROOT, "BUILD=" + build]
    # a sub-make of `make test` would inherit its command-line variables (and DESTDIR from the environment)
    make_env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "DESTDIR")}

    # DESTDIR: files land under it, the .pc names the final prefix
    stage = os.path.join(tmp, "install_stage")
    r = _run(make + ["install", "PREFIX=/opt/xc-install-test", "DESTDIR=" + stage], env=make_env)
    staged = os.path.join(stage, "opt", "xc-install-test")
    pc = os.path.join(staged, "lib", "pkgconfig", "crosscheck.pc")
    ok = r.returncode == 0 and os.path.isfile(pc) and "prefix=/opt/xc-install-test\n" in open(pc).read()
    s.check("make install DESTDIR=D PREFIX=P: files under D/P, crosscheck.pc says prefix=P", ok, r.stderr[-2000:])

    prefix = os.path.join(tmp, "install_prefix")
    r = _run(make + ["install", "PREFIX=" + prefix], env=make_env)
    if not s.check("make install PREFIX=%s -> exit 0" % os.path.basename(prefix), r.returncode == 0, r.stderr[-2000:]):
        return
    lib, inc = os.path.join(prefix, "lib"), os.path.join(prefix, "include", "crosscheck")
    links = [os.readlink(os.path.join(lib, n)) if os.path.islink(os.path.join(lib, n)) else None
             for n in ("libcrosscheck.so", "libcrosscheck.so." + major)]
    real = os.path.join(lib, "libcrosscheck.so." + version)
    s.check("installed libcrosscheck.so -> .so.%s -> .so.%s (src/version.h), and libcrosscheck.a" % (major, version),
            links == ["libcrosscheck.so." + major, "libcrosscheck.so." + version] and os.path.isfile(real)
            and not os.path.islink(real) and os.path.isfile(os.path.join(lib, "libcrosscheck.a")), str(links))
    r = _run([os.path.join(prefix, "bin", "crosscheck"), "--version"])
    s.check("installed bin/crosscheck --version prints %s" % version, r.returncode == 0 and version in r.stdout,
            r.stdout + r.stderr)

    # every installed header compiles on its own with the .pc's Cflags (nothing it includes is missing)
    env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(lib, "pkgconfig"))
    cflags = _run(["pkg-config", "--cflags", "crosscheck"], env=env).stdout.split()
    headers = [h for h in _files_under(inc) if h.endswith(".h")]
    bad = []
    for h in headers:
        r = _run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-fsyntax-only", "-x", "c"] + cflags
                 + [os.path.join(inc, h)])
        if r.returncode != 0:
            bad.append("%s: %s" % (h, r.stderr.strip()[:300]))
    s.check("%d installed headers (exactly include/crosscheck/) each compile alone with pkg-config's Cflags"
            % len(headers), headers and not bad
            and set(headers) == set(os.listdir(os.path.join(ROOT, "include", "crosscheck"))),
            "\n".join(bad[:5]))
    r = _run(["pkg-config", "--modversion", "crosscheck"], env=env)
    s.check("pkg-config --modversion crosscheck = %s" % version, r.stdout.strip() == version, r.stdout + r.stderr)

    # the README's example, verbatim, against the installed copy
    code = _readme_example()
    if not s.check("README.md holds the library example between its markers", code is not None):
        return
    src = os.path.join(tmp, "readme_example.c")
    with open(src, "w") as f:
        f.write(code)
    libs = _run(["pkg-config", "--libs", "crosscheck"], env=env).stdout.split()
    static_libs = [f for f in _run(["pkg-config", "--static", "--libs", "crosscheck"], env=env).stdout.split()
                   if f != "-lcrosscheck"]
    strict = ["cc", "-std=c11", "-Wall", "-Wextra", "-Werror"] + _san_flags(build)
    shared_exe, static_exe = os.path.join(tmp, "readme_example"), os.path.join(tmp, "readme_example_static")
    builds = [("shared", shared_exe, [src] + cflags + libs + ["-Wl,-rpath," + lib]),
              ("static", static_exe, [src] + cflags + [os.path.join(lib, "libcrosscheck.a")] + static_libs)]
    perturbed = _perturbed_set(tmp)
    for kind, exe, args in builds:
        r = _run(strict + ["-o", exe] + args)
        how = "pkg-config --cflags --libs, rpath" if kind == "shared" else "libcrosscheck.a, pkg-config --static --libs"
        if not s.check("README example builds against the installed copy (%s: %s)" % (kind, how),
                       r.returncode == 0, r.stderr[-2000:]):
            continue
        needed = _run(["readelf", "-d", exe]).stdout
        s.check("README example (%s) %s libcrosscheck.so.%s" % (kind, "needs" if kind == "shared" else "does not need", major),
                ("[libcrosscheck.so.%s]" % major in needed) == (kind == "shared"), needed[-800:])
        model = os.path.join(MODEL, "model.onnx")
        r = _run([exe, model, os.path.join(MODEL, "test_data_set_0")])
        s.check("README example (%s) on small_cnn with its saved outputs: PASS, exit 0" % kind,
                r.returncode == 0 and "PASS" in r.stdout and "MISMATCH" not in r.stdout, r.stdout + r.stderr)
        r = _run([exe, model, perturbed])
        s.check("README example (%s) with one saved output value moved by 0.01: MISMATCH, exit 1" % kind,
                r.returncode == 1 and "MISMATCH" in r.stdout, r.stdout + r.stderr)
        r = _run([exe, model, os.path.join(tmp, "no_such_set")])
        s.check("README example (%s) on a missing folder: exit 2 naming it" % kind,
                r.returncode == 2 and "no_such_set" in r.stderr, r.stdout + r.stderr)

    _engine_api(s, tmp, strict, cflags, libs, lib)

    for d, extra in ((prefix, []), (staged, ["DESTDIR=" + stage])):
        p = "/opt/xc-install-test" if extra else prefix
        r = _run(make + ["uninstall", "PREFIX=" + p] + extra, env=make_env)
        left = _files_under(d)
        s.check("make uninstall%s removes every installed file" % (" with DESTDIR" if extra else ""),
                r.returncode == 0 and not left, r.stderr[-1000:] + " ".join(left[:10]))
