"""cli_tables: build, bench, inspect engine, inspect tactics, inspect diff-tactics, run and the
debug tools declare their options in one table (cli/options.h): --help lists every one; an unknown option, a missing value,
a single-value option given twice and an out-of-range number are one usage line (exit 2) naming
the option; lists grow. Also the defects of the old hand parsers, each checked here: diff-tactics
stopped at 256 files a side, `-o --fp16` wrote a plan named '--fp16', a second -o or --json
silently won, inspect engine ignored --iterations without --profile, and bench MODEL --model X
(inspect engine MODEL --plan MODEL2) ignored one model. No OpenCL build runs: every check stops
at the parser or before the engine is built."""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "arch"))
from cli_options_tests import _table_options  # noqa: E402


def _run(cmd, cwd=None):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=cwd)


def _usage_line(r, *needles):
    lines = r.stderr.strip().splitlines()
    return r.returncode == 2 and len(lines) == 1 and all(n in r.stderr for n in needles)


def cli_tables(s, xc, build, tmp):
    xc = os.path.abspath(xc)  # some checks run in their own folder
    model = os.path.join(ROOT, "models", "small_cnn", "model.onnx")
    here = os.path.join(HERE, "inspect")
    good, bad = os.path.join(here, "good1.json"), os.path.join(here, "bad1.json")
    views = (("build", "cmd_build.c"), ("bench", "cmd_bench.c"), ("inspect engine", "cmd_inspect_engine.c"),
             ("inspect tactics", "cmd_inspect_tactics.c"), ("run", "cmd_run.c"), ("debug tactics", "cmd_debug.c"))
    for cmd, source in views:
        declared = _table_options(source)
        helps = [_run([xc] + cmd.split() + ["--help"])]
        if cmd == "inspect tactics":
            helps.append(_run([xc, "inspect", "diff-tactics", "--help"]))
        if cmd == "debug tactics":  # reduce's table and build|repeat's --until are theirs
            helps += [_run([xc, "debug", tool, "--help"]) for tool in ("reduce", "build")]
        text = "".join(h.stdout for h in helps)
        missing = [o for o in declared if o not in text]
        if cmd != "inspect tactics":  # the shared OpenCL group follows the table
            missing += [o for o in ("--fp16", "--builder-optimization-level", "--inject-fault") if o not in text]
        s.check("cli_tables: %s --help lists all %d options of its table (and the OpenCL group)" % (cmd, len(declared)),
                all(h.returncode == 0 for h in helps) and declared and not missing, " ".join(missing) + text[-300:])
        r = _run([xc] + cmd.split() + [model, "--no-such-option"])
        s.check("cli_tables: %s: an unknown option is one usage line, exit 2" % cmd,
                _usage_line(r, "unknown option '--no-such-option'"), r.stderr)
    r = _run([xc, "build", "--help"])
    s.check("cli_tables: build --help still names the fusion passes for --disable-fusion",
            "passes (for --disable-fusion):" in r.stdout and "qdq_fusion" in r.stdout, r.stdout[-400:])

    # missing values, repeats, ranges: one line naming the option
    cases = [
        ("build -o without a value", ["build", model, "-o"], ("-o", "needs a value")),
        ("build -o given twice (the last one silently won)", ["build", model, "-o", "a.plan", "-o", "b.plan"], ("-o", "twice")),
        ("bench --json given twice", ["bench", model, "--json", "a", "--json", "b"], ("--json", "twice")),
        ("bench --iterations 0", ["bench", model, "--iterations", "0"], ("--iterations", "1 to 100000000")),
        ("bench --duration-s -1", ["bench", model, "--duration-s", "-1"], ("--duration-s",)),
        ("bench --warmup-ms nan", ["bench", model, "--warmup-ms", "nan"], ("--warmup-ms",)),
        ("bench --seed x", ["bench", model, "--seed", "x"], ("--seed",)),
        ("inspect engine --plan given twice", ["inspect", "engine", model, "--plan", "a", "--plan", "b"], ("--plan", "twice")),
        ("inspect engine --iterations 1000001", ["inspect", "engine", model, "--profile", "--iterations", "1000001"],
         ("--iterations", "1000000")),
        ("inspect engine with two models", ["inspect", "engine", model, model], ("unexpected argument",)),
        ("inspect tactics without a file", ["inspect", "tactics"], ("PLAN|REPLAY",)),
        ("inspect tactics --json=1", ["inspect", "tactics", good, "--json=1"], ("--json=1",)),
        ("inspect engine --iterations without --profile (it was ignored)",
         ["inspect", "engine", model, "--iterations", "3"], ("--iterations", "--profile")),
        ("bench MODEL --model X (--model was ignored for a model)", ["bench", model, "--model", model], ("not a plan",)),
        ("inspect engine MODEL --plan MODEL2 (MODEL was ignored and MODEL2 built)",
         ["inspect", "engine", model, "--plan", model], ("not a plan",)),
        ("diff-tactics: a file before --good/--bad", ["inspect", "diff-tactics", good, "--good", good, "--bad", bad],
         ("--good or --bad",)),
        ("diff-tactics --good without files", ["inspect", "diff-tactics", "--bad", bad, "--good"], ("--good", "needs a value")),
        # run and the debug tools parse through tables too (their hand parsers let the last one win)
        ("run --json given twice", ["run", model, "--json", "a", "--json", "b"], ("--json", "twice")),
        ("run --per-layer with --per-layer=isolated", ["run", model, "--per-layer", "--per-layer=isolated"],
         ("--per-layer=isolated", "give one")),
        ("debug tactics -o given twice", ["debug", "tactics", model, "-o", "a", "-o", "b"], ("-o", "twice")),
        ("debug tactics --isolate --no-isolate", ["debug", "tactics", model, "--isolate", "--no-isolate"], ("--no-isolate",)),
        ("debug tactics --until 3 (build and repeat's; it was ignored)", ["debug", "tactics", model, "--until", "3"],
         ("unknown option '--until'",)),
        ("debug reduce --direction", ["debug", "reduce", model, "-o", "m.onnx", "--direction", "reverse"], ("--direction", "--mode")),
        ("debug tactics --check without a command", ["debug", "tactics", model, "--check"], ("--check", "command")),
    ]
    for label, args, needles in cases:
        r = _run([xc] + args, cwd=tmp)
        s.check("cli_tables: %s: one usage line naming it, exit 2" % label, _usage_line(r, *needles), r.stderr)

    d = os.path.join(tmp, "cli_tables")
    os.makedirs(d, exist_ok=True)
    r = _run([xc, "build", model, "-o", "--fp16"], cwd=d)
    s.check("cli_tables: build -o --fp16 is a missing value (it wrote a plan named '--fp16' in fp32)",
            _usage_line(r, "-o", "--fp16") and not os.path.exists(os.path.join(d, "--fp16")), r.stderr)

    r = _run([xc, "inspect", "diff-tactics", "--good"] + [good] * 300 + ["--bad", bad])
    s.check("cli_tables: diff-tactics takes 300 good files (a fixed array of 256 refused the rest)",
            r.returncode == 0 and "compared 300 good and 1 bad build" in r.stdout, r.stdout[-300:] + r.stderr)
    r = _run([xc, "inspect", "diff-tactics", "--good", good, "--bad", bad, "--good", os.path.join(here, "good2.json")])
    s.check("cli_tables: diff-tactics --good given again adds to the good side (lists are repeatable)",
            r.returncode == 0 and "compared 2 good and 1 bad build" in r.stdout, r.stdout[-300:] + r.stderr)
    # run and debug lists had fixed arrays too (256 / 512 slots): the rest read as stray arguments
    names = ["t%d" % k for k in range(300)]
    r = _run([xc, "run", model, "--ref", "--outputs"] + names)
    s.check("cli_tables: run --outputs takes 300 names (one short line: eight named and '292 more', not 'unexpected argument')",
            r.returncode == 2 and "'t7' and 292 more" in r.stderr and "unexpected" not in r.stderr and len(r.stderr) < 400,
            r.stderr[-300:])
    sets = os.path.join(d, "outs")
    r0 = _run([xc, "run", model, "--ref", "--save-outputs", sets])
    r = _run([xc, "run", model, "--ref", "--load-outputs"] + [sets] * 300)
    s.check("cli_tables: run --load-outputs takes 300 result folders", r0.returncode == 0 and r.returncode == 0
            and "unexpected" not in r.stderr, r.stdout[-300:] + r.stderr[-300:])
    r = _run([xc, "debug", "tactics", model, "--load-inputs"] + [os.path.join(sets, "input_0.pb")] * 600)
    s.check("cli_tables: debug --load-inputs takes 600 input sets (a fixed array of 512 refused the rest)",
            r.returncode == 0 and "unexpected" not in r.stderr, r.stdout[-300:] + r.stderr[-300:])
    r = _run([xc, "inspect", "tactics", good, "--json"])
    s.check("cli_tables: inspect tactics FILE --json still prints the replay's layers", r.returncode == 0
            and '"layers"' in r.stdout, r.stderr)
