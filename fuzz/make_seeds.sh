#!/bin/sh
# make_seeds.sh OUT XC PY — builds the seed corpora of every fuzz target into OUT/<target>/ from
# what the project already has: the shipped models and their .pb files, the test fixtures, the
# hostile models and the OpenCL case models (generated with the test venv's python PY, when
# there is one), a plan, a replay file and a timing cache made by the crosscheck binary XC on
# small_cnn, small byte patterns for the execution fuzzer, and every committed regression input.
# Nothing here is committed: it is regenerated at fuzz time.
set -eu
OUT=$1; XC=$2; PY=${3:-}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
GEN=$OUT/_generated
mkdir -p "$GEN"
for f in "$ROOT"/fuzz/fuzz_*.c; do mkdir -p "$OUT/$(basename "$f" .c)"; done # a new target gets a corpus folder too
n=0
seed() { # seed TARGET FILE: copies FILE in under a unique name
    [ -f "$2" ] || return 0
    n=$((n + 1))
    cp "$2" "$OUT/$1/seed_$n"
}
if [ -n "$PY" ] && [ -x "$PY" ]; then
    "$PY" "$ROOT/tests/make_fixtures.py" "$GEN/fixtures" >/dev/null 2>&1 || echo "make_seeds: fixtures not generated" >&2
    "$PY" "$ROOT/tests/bad_models/make_bad_models.py" "$GEN/bad" >/dev/null 2>&1 || echo "make_seeds: bad models not generated" >&2
    "$PY" "$ROOT/tests/ocl_cases/make_cases.py" "$GEN/ocl" >/dev/null 2>&1 || echo "make_seeds: OpenCL cases not generated" >&2
    "$PY" "$ROOT/tests/results/make_polygraphy_json.py" "$GEN/poly" >/dev/null 2>&1 || echo "make_seeds: Polygraphy JSON not generated" >&2
    # .npy seeds: one array per dtype the reader knows
    "$PY" -c "import numpy as np, sys
for i, t in enumerate(['<f4', '<f8', '<f2', '<i8', '<i4', '|b1', '|u1', '|i1']):
    np.save('%s/a%d.npy' % (sys.argv[1], i), (np.arange(6) % 3).astype(t).reshape(2, 3))
np.save(sys.argv[1] + '/scalar.npy', np.float32(2.5))" "$OUT/fuzz_npy" 2>/dev/null || echo "make_seeds: .npy not generated" >&2
fi
for f in "$ROOT"/models/*/model.onnx "$GEN"/fixtures/*.onnx "$GEN"/fixtures/*/*.onnx "$GEN"/bad/*/model.onnx; do seed fuzz_model "$f"; done
# the OpenCL cases: one model per layer kind and tactic, all small; every fourth is plenty
k=0
for f in "$GEN"/ocl/*/model.onnx; do
    k=$((k + 1))
    [ $((k % 4)) = 0 ] && seed fuzz_model "$f"
done
for f in "$ROOT"/models/*/test_data_set_*/*.pb "$GEN"/fixtures/*.pb "$GEN"/fixtures/*/*.pb; do seed fuzz_tensor_pb "$f"; done
if [ -x "$XC" ]; then
    "$XC" build "$ROOT/models/small_cnn/model.onnx" -o "$GEN/cnn.plan" --timing-cache "$GEN/cache.json" \
        --save-tactics "$GEN/tactics.json" --timing-iterations 1 >/dev/null 2>&1 || echo "make_seeds: no plan (no OpenCL device?)" >&2
fi
seed fuzz_plan "$GEN/cnn.plan"
seed fuzz_tactics "$GEN/tactics.json"
seed fuzz_tactics "$GEN/cnn.plan"
seed fuzz_timing_cache "$GEN/cache.json"
for f in "$GEN"/poly/*.json "$GEN"/poly/bad/*.json; do seed fuzz_polygraphy_json "$f"; done
# the generator reads one choice per byte: ramps and constant runs reach different op families
i=0
while [ $i -lt 17 ]; do
    awk -v s=$i 'BEGIN { for (j = 0; j < 96; j++) printf "%c", (s * 7 + j * (s + 1)) % 251 + 1 }' > "$OUT/fuzz_exec/seed_ramp_$i"
    i=$((i + 1))
done
for d in "$ROOT"/tests/fuzz_regressions/*/; do
    t=$(basename "$d")
    [ -d "$OUT/$t" ] || continue
    for f in "$d"*; do seed "$t" "$f"; done
done
for t in "$OUT"/fuzz_*; do echo "seeds: $(basename "$t"): $(ls "$t" | wc -l) files"; done
