"""Issue 16, crash isolation (called by tests/run_tests.py as section isolate): the debug tools'
built-in checks run in a child process (--isolate, the default), so a check that crashes the
driver or hangs is a failing check with its reason ("crashed: SIGSEGV", "timed out after 2 s"),
kept in the artifacts like any verdict, and the session goes on; --no-isolate keeps the checks
in-process (a crash ends the process). Crashes and hangs are planted with fault injection's
crash and hang=S effects. debug_surface's two-gemm model with both layers pinned to a non-baseline tactic: a
fault on the baseline tactic (tactic=gemm.naive:...) fires only in candidates, never in the
failing build."""
import os
import re
import subprocess
import time

import onnx

from test_debug_surface import two_gemm_fixture


def run(cmd, timeout=300):
    t0 = time.time()
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    r.seconds = time.time() - t0
    return r


def out(r):
    return r.stdout[-2000:] + r.stderr[-800:]


def isolate(s, xc, build, tmp):
    tmp = os.path.join(tmp, "isolate")
    os.makedirs(tmp, exist_ok=True)
    model, pin = two_gemm_fixture(tmp)
    tactics = [xc, "debug", "tactics", model, "--load-tactics", pin, "-o", os.path.join(tmp, "t.json"),
               "--inject-fault", "node-tactic=ga:bias=1"]

    # the fault effects: crash and hang=S parsed, anything else after them refused
    for bad in ("node=ga:crash=2", "node=ga:hang=0", "node=ga:hang=x"):
        r = run([xc, "run", model, "--ocl", "--inject-fault", bad])
        s.check("--inject-fault %s is refused in one line (exit 2)" % bad,
                r.returncode == 2 and "is not one of" in r.stderr, out(r))
    r = run([xc, "run", model, "--ocl", "--inject-fault", "node=gb:crash"])
    s.check("run --ocl with node=gb:crash: announced, then the process dies of SIGSEGV",
            r.returncode == -11 and "FAULT INJECTION ON: 'node=gb:crash'" in r.stderr, "rc %d " % r.returncode + out(r))

    # a candidate that crashes: a failing check with its reason, kept in bad/, and the tool finishes
    art = os.path.join(tmp, "art_crash")
    r = run(tactics + ["--inject-fault", "tactic=gemm.naive:crash", "--artifacts-dir", art])
    bad = sorted(os.listdir(os.path.join(art, "bad"))) if os.path.isdir(os.path.join(art, "bad")) else []
    s.check("debug tactics, every candidate crashing (crash at the baseline tactic): check 2 FAILED (crashed: SIGSEGV), "
            "the tool finishes (unexplained, exit 1), the crashed check's replay file kept in bad/",
            r.returncode == 1 and re.search(r"^\[debug tactics\] check 2: all 2 layers at their baseline tactic: FAILED "
                                            r"\(crashed: SIGSEGV\)$", r.stdout, re.M)
            and "with all 2 candidates switched the build still fails" in r.stdout
            and bad == ["check_01_tactics.json", "check_02_tactics.json"], out(r) + str(bad))
    r = run([xc, "debug", "tactics", model, "--load-tactics", pin, "-o", os.path.join(tmp, "t.json"),
             "--inject-fault", "node-tactic=gb:crash"])
    s.check("debug tactics on a build that crashes the driver in one layer's tactic (node-tactic=gb:crash): check 1 "
            "FAILED (crashed: SIGSEGV), the search goes on and names gb's tactic (exit 0)",
            r.returncode == 0 and "check 1: the build as given: FAILED (crashed: SIGSEGV)" in r.stdout
            and "layer 'gb' (nodes gb) with tactic gemm.tiled_local.16 is wrong" in r.stdout, out(r))
    r = run(tactics + ["--inject-fault", "tactic=gemm.naive:crash", "--no-isolate"])
    s.check("the same with --no-isolate: the check runs in-process and the crash ends the session (SIGSEGV)",
            r.returncode == -11 and "check 1: the build as given: FAILED" in r.stdout and "check 2" not in r.stdout,
            "rc %d " % r.returncode + out(r))
    r = run(tactics)
    s.check("without crash or hang the isolated search finds the culprit and validates it (exit 0)",
            r.returncode == 0 and "layer 'ga' (nodes ga) with tactic gemm.tiled_local.16 is wrong" in r.stdout
            and re.search(r"check \d+: validation: .*: PASSED", r.stdout), out(r))

    # a candidate that hangs: killed at --check-timeout, a failing check
    r = run(tactics + ["--inject-fault", "tactic=gemm.naive:hang=60", "--check-timeout", "2"], timeout=50)
    s.check("debug tactics, the candidate hanging 60 s, --check-timeout 2: FAILED (timed out after 2 s), "
            "the tool finishes in well under 60 s (%.1f s)" % r.seconds,
            r.returncode == 1 and re.search(r"check 2: .*: FAILED \(timed out after 2 s\)$", r.stdout, re.M)
            and 2 <= r.seconds < 30, out(r))

    # debug repeat: each run a child; the crash announced and counted, the session goes on
    art = os.path.join(tmp, "art_repeat")
    r = run([xc, "debug", "repeat", model, "--until", "2", "--inject-fault", "node=gb:crash", "--artifacts-dir", art])
    bad = sorted(os.listdir(os.path.join(art, "bad"))) if os.path.isdir(os.path.join(art, "bad")) else []
    s.check("debug repeat --until 2, every run crashing: 2 runs, 0 good, 2 bad (crashed: SIGSEGV), the fault announced, "
            "exit 1, run 1's tactics kept in bad/",
            r.returncode == 1 and len(re.findall(r"check \d: run \d: FAILED \(crashed: SIGSEGV\)", r.stdout)) == 2
            and "verdict: 2 runs: 0 good, 2 bad" in r.stdout and "FAULT INJECTION ON: 'node=gb:crash' hits 1 layer" in r.stdout
            and bad == ["check_01_tactics.json"], out(r) + str(bad))
    r = run([xc, "debug", "build", model, "--until", "bad", "--max-runs", "2", "--inject-fault", "node=gb:hang=60",
             "--check-timeout", "1", "--builder-optimization-level", "0"], timeout=50)
    s.check("debug build --until bad with a hanging run, --check-timeout 1: the first build is bad (timed out), exit 0",
            r.returncode == 0 and "check 1: build 1: FAILED (timed out after 1 s)" in r.stdout
            and "verdict: 1 build: 0 good, 1 bad" in r.stdout and r.seconds < 30, out(r))

    # debug reduce: a node that crashes is what every failing candidate keeps
    small = os.path.join(tmp, "min.onnx")
    r = run([xc, "debug", "reduce", model, "-o", small, "--inject-fault", "node=ga:crash"])
    kept = [n.name for n in onnx.load(small).graph.node] if os.path.exists(small) else None
    s.check("debug reduce with node=ga:crash: crashing candidates fail (crashed: SIGSEGV), the model reduces to ga (exit 0)",
            r.returncode == 0 and "FAILED (crashed: SIGSEGV)" in r.stdout and kept == ["ga"], out(r) + str(kept))
