#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for a bounded time, and prints one line per
# target: executions, seconds, corpus size, result. See FUZZING.md.
#
#   scripts/fuzz.sh            # 10 s per target (scripts/test.sh passes FUZZ_SECONDS, 5 s by default)
#   scripts/fuzz.sh 150        # 150 s per target
#   FUZZ_JOBS=2 scripts/fuzz.sh 150   # two targets at a time
#   scripts/fuzz.sh 60 yativo_login anna_get_token   # only these targets
#
# cargo-fuzz needs nightly compiler flags (-Z sanitizer); with only a stable
# toolchain, RUSTC_BOOTSTRAP=1 lets stable accept them. cargo-fuzz is installed
# when missing. Exits 1 when a target finds a crash (its input is kept under
# fuzz/artifacts/<target>/ and the log under fuzz/logs/<target>.log).
set -euo pipefail
cd "$(dirname "$0")/.."

secs="${1:-10}"
shift || true
jobs="${FUZZ_JOBS:-1}"
case "$secs" in '' | *[!0-9]*) echo "usage: $0 [SECONDS] [TARGET...]" >&2; exit 2 ;; esac

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi
export RUSTC_BOOTSTRAP=1

cd fuzz
echo "== building the fuzz targets"
cargo fuzz build 2>&1 | tail -n 1

if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi
mkdir -p logs
# This run's results, apart from any other run's (logs are per target, last run wins).
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
export results

run_one() {
    local t="$1" secs="$2"
    mkdir -p "corpus/$t" "seeds/$t"
    local log="logs/$t.log" status=ok
    # The time limit is libFuzzer's; `timeout` is only a guard against a hang in
    # the harness itself (a hung input is reported by libFuzzer's -timeout).
    if ! timeout $((secs + 120)) cargo fuzz run "$t" "corpus/$t" "seeds/$t" -- \
        -max_total_time="$secs" -dict=json.dict -max_len=4096 -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
        status=FAILED
    fi
    local runs time corpus
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    time=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
    corpus=$(find "corpus/$t" -type f | wc -l)
    printf '%s\t%s\t%s\t%s\t%s\n' "$t" "${runs:-?}" "${time:-?}" "$corpus" "$status" >"$results/$t"
    printf '%-26s %12s runs %5s s  corpus %5s  %s\n' "$t" "${runs:-?}" "${time:-?}" "$corpus" "$status"
}
export -f run_one

echo "== fuzzing ${#targets[@]} targets, ${secs} s each, ${jobs} at a time"
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one "$@"' _ {} "$secs"

failed=0
total=0
for t in "${targets[@]}"; do
    IFS=$'\t' read -r _ runs _ _ status <"$results/$t"
    [ "$status" = ok ] || failed=$((failed + 1))
    case "$runs" in *[!0-9]* | '') ;; *) total=$((total + runs)) ;; esac
done
echo "== ${#targets[@]} targets, ${total} executions, ${failed} failed"
if [ "$failed" -gt 0 ]; then
    for f in $(grep -l FAILED "$results"/*); do
        t="${f#"$results"/}"
        echo "  $t: see fuzz/logs/$t.log and fuzz/artifacts/$t/"
    done
    exit 1
fi
