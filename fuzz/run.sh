#!/bin/sh
# run.sh BIN_DIR CORPUS_DIR SECONDS [TARGET...] — runs each libFuzzer target for SECONDS (0: none) on its
# corpus (which grows in place), with the limits a hostile input must stay within: 2 GiB of RSS,
# 10 s per input. Exits non-zero when any target found a crash, leak, timeout or OOM; the
# input that did it is left in BIN_DIR/crashes/ (commit it under tests/fuzz_regressions/<target>/).
set -u
BIN=$1; CORPUS=$2; SECONDS_EACH=$3; shift 3
if [ "$SECONDS_EACH" -le 0 ]; then # libFuzzer reads 0 as "no limit": here it means build only
    echo "fuzz: FUZZ_SECONDS=$SECONDS_EACH: targets built and seeded, not run"
    exit 0
fi
TARGETS=${*:-$(cd "$BIN" && for f in fuzz_*; do [ -f "$f" ] && [ -x "$f" ] && echo "$f"; done)}
mkdir -p "$BIN/crashes"
failed=""
for t in $TARGETS; do
    case $t in
        fuzz_model) max_len=131072 ;;  # the shipped models are ~50 KB
        fuzz_exec) max_len=512 ;;      # one byte per choice: a few nodes need far less
        *) max_len=65536 ;;
    esac
    mkdir -p "$CORPUS/$t"
    echo "== $t: ${SECONDS_EACH}s, max_len $max_len, $(ls "$CORPUS/$t" | wc -l) corpus files"
    "$BIN/$t" "$CORPUS/$t" -max_total_time="$SECONDS_EACH" -max_len=$max_len -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix="$BIN/crashes/$t-" -print_final_stats=1 -detect_leaks=1 2>"$BIN/$t.log"
    rc=$?
    grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ *DONE)" "$BIN/$t.log" | tr '\n' ' '
    echo
    if [ $rc != 0 ]; then
        failed="$failed $t"
        grep -E "ERROR|SUMMARY|Test unit written" "$BIN/$t.log" | head -5
    fi
done
if [ -n "$failed" ]; then
    echo "fuzz: FAILED:$failed (logs in $BIN/<target>.log, inputs in $BIN/crashes/)"
    exit 1
fi
echo "fuzz: every target ran ${SECONDS_EACH}s without a crash"
