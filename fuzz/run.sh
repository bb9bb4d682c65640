#!/usr/bin/env bash
# Runs the fuzz targets one after another, each for a set time, and prints
# how many inputs each ran. Crashing inputs are left in
# fuzz/artifacts/<target>/ (copy them into fuzz/regressions/<target>/ once
# fixed, so that `cargo test` replays them); the corpus each run grows is
# kept in fuzz/corpus/<target>/ (not in git) and the next run starts from
# it, fuzz/seeds/<target>/ and fuzz/minimized/<target>/.
#
#   fuzz/run.sh [-t SECONDS] [-n RUNS] [TARGET...]
#   fuzz/run.sh -m [TARGET...]
#
# Each target runs for SECONDS (default 60), or until it has run RUNS
# inputs if that comes first (default: no limit); every target by default.
# With -m, nothing is fuzzed: fuzz/minimized/<target>/ is rewritten as the
# smallest set of inputs of fuzz/corpus/<target>/ that covers what it
# covers (libFuzzer's -set_cover_merge); `cargo test` replays it.
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`) and a C++ compiler
# for libFuzzer. It works on the stable toolchain: the build uses no
# sanitizer (AddressSanitizer needs nightly's -Zsanitizer); Rust's own
# checks, debug assertions and overflow checks are on. An input that runs
# longer than 10 s (a hang) or uses more than 2 GiB counts as a crash.
# The time target runs in a zone with daylight saving time (FUZZ_TZ, default
# Europe/Berlin), so that local times in a gap or an overlap are tried.
# FUZZ_ARGS adds libFuzzer options (e.g. FUZZ_ARGS=-jobs=2).
set -euo pipefail
cd "$(dirname "$0")"

seconds=60
runs=-1
minimize=0
while [ $# -gt 0 ]; do
  case $1 in
    -t | -n)
      case ${2:-} in
        '' | *[!0-9]*) echo "fuzz/run.sh: $1 takes a whole number, not '${2:-}'" >&2; exit 2 ;;
      esac
      if [ "$1" = -t ]; then seconds=$2; else runs=$2; fi
      shift 2
      ;;
    -m) minimize=1; shift ;;
    *) break ;;
  esac
done
all=$(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | grep -v '^raudit-fuzz$')
targets=${*:-$all}
for t in $targets; do
  if ! grep -qx "$t" <<<"$all"; then
    echo "fuzz/run.sh: no target '$t'; the targets are: $(echo $all)" >&2
    exit 2
  fi
done

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz/run.sh: cargo-fuzz is missing; install it with: cargo install cargo-fuzz --locked" >&2
  exit 2
fi

cargo fuzz build --sanitizer none >/dev/null || exit 1

export TZ=${FUZZ_TZ:-Europe/Berlin}
limits=(-timeout=10 -rss_limit_mb=2048 -max_len=8192)

if [ "$minimize" = 1 ]; then
  small=$(mktemp -d)
  trap 'rm -rf "$small"' EXIT
  for t in $targets; do
    mkdir -p "corpus/$t" "artifacts/$t"
    rm -rf "minimized/$t" "${small:?}/$t"
    mkdir -p "minimized/$t" "$small/$t"
    # Inputs of at most 1 KiB, so that the kept set stays small in git.
    find "corpus/$t" -type f -size -1025c -exec cp -t "$small/$t" {} +
    cargo fuzz run --sanitizer none "$t" "minimized/$t" "$small/$t" -- \
      -set_cover_merge=1 -use_counters=0 "${limits[@]}" >"artifacts/$t/minimize.log" 2>&1 ||
      { echo "fuzz/run.sh: minimizing $t failed: see fuzz/artifacts/$t/minimize.log" >&2; exit 1; }
    printf '%-14s %6s of %6s inputs kept\n' "$t" "$(ls "minimized/$t" | wc -l)" "$(ls "corpus/$t" | wc -l)"
  done
  exit 0
fi

printf '%-14s %12s %10s %8s  %s\n' target executions 'execs/s' seconds result
failed=0
for t in $targets; do
  mkdir -p "corpus/$t" "artifacts/$t" "minimized/$t"
  log="artifacts/$t/last-run.log"
  dict=()
  [ -f "dicts/$t.dict" ] && dict=("-dict=dicts/$t.dict")
  start=$(date +%s)
  status=ok
  # shellcheck disable=SC2086 # FUZZ_ARGS is a list of options
  if ! cargo fuzz run --sanitizer none "$t" "corpus/$t" "seeds/$t" "minimized/$t" -- \
    -max_total_time="$seconds" -runs="$runs" "${limits[@]}" -print_final_stats=1 \
    "${dict[@]}" ${FUZZ_ARGS:-} >"$log" 2>&1; then
    status="FAILED: see $log and fuzz/artifacts/$t/"
    failed=1
  fi
  elapsed=$(($(date +%s) - start))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  printf '%-14s %12s %10s %8s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "$elapsed" "$status"
done
exit "$failed"
