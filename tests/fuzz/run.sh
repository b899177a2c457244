#!/usr/bin/env bash
# Builds and runs the libFuzzer targets of httperf-rs, one after another.
#
#   tests/fuzz/run.sh [RUNS] [TARGET...]
#
# RUNS: executions per target (default 100000); TARGETs default to all.
# Each target starts from its committed seeds (tests/fuzz/seeds/TARGET) and
# keeps what it finds in tests/fuzz/corpus/TARGET (not committed). A crash
# is saved under tests/fuzz/artifacts/TARGET, its report is printed and the
# script stops with status 1. Extra libFuzzer flags may be given in
# FUZZ_FLAGS (e.g. FUZZ_FLAGS=-max_total_time=1800).
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
# Runs at low priority with one job at a time: the machine is shared.
set -euo pipefail
fuzz_dir="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$fuzz_dir/../.." && pwd)"
runs="${1:-100000}"
shift || true
# The targets are safe Rust: overflow checks and debug assertions find more
# than AddressSanitizer would, at a fraction of its cost.
build_flags="--sanitizer=none --debug-assertions"
cd "$repo"
if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo +nightly fuzz list --fuzz-dir "$fuzz_dir")
fi
# shellcheck disable=SC2086
nice -n 10 cargo +nightly fuzz build --fuzz-dir "$fuzz_dir" $build_flags
mkdir -p "$fuzz_dir/artifacts"
for target in "${targets[@]}"; do
  mkdir -p "$fuzz_dir/corpus/$target"
  log="$fuzz_dir/artifacts/$target.log"
  echo "== $target: $runs runs"
  status=0
  # shellcheck disable=SC2086
  nice -n 10 cargo +nightly fuzz run --fuzz-dir "$fuzz_dir" $build_flags "$target" \
    "$fuzz_dir/corpus/$target" "$fuzz_dir/seeds/$target" -- \
    -runs="$runs" -print_final_stats=1 ${FUZZ_FLAGS:-} >"$log" 2>&1 || status=$?
  grep -E '^(Done |stat::number_of_executed_units|stat::peak_rss_mb)' "$log" || true
  if [ "$status" -ne 0 ]; then
    tail -n 60 "$log"
    echo "== $target: FAILED (status $status; input in tests/fuzz/artifacts/$target)"
    exit 1
  fi
done
echo "== all targets passed"
