#!/usr/bin/env bash
# Log assembly under a flood of events that never complete: RECORDS SYSCALL
# records (default 2,000,000; `benches/gen_log.py open`) that share one
# timestamp and have no EOE, as a log of a flooded machine (or a crafted
# one) holds them. ausearch's grouping
# would keep every event open until a record two seconds newer arrives;
# raudit holds at most 65,536 (src/event/log.rs, MAX_HELD) and completes the
# oldest early, so the time stays linear and memory flat.
#
# Usage: benches/log_flood.sh [RECORDS]
# Prints wall and user time and peak RSS (GNU time) of `raudit import` into a fresh
# database and of `raudit search -if` over the same log (output discarded),
# and the events stored. Needs no root and touches no kernel state.
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-2000000}

cargo build --release --quiet --bin raudit
target=${CARGO_TARGET_DIR:-target}
bin=$(realpath "$target/release/raudit")
work=$(mktemp -d /var/tmp/raudit-flood.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

python3 benches/gen_log.py open "$records" >"$work/flood.log"
echo "log: $records records, $(stat -c %s "$work/flood.log") bytes, one second, no EOE"

measure() {
  local what=$1; shift
  /usr/bin/time -f "%e %U %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || {
    cat "$work/err"; exit 1; }
  read -r secs user kb <"$work/time"
  printf '%-28s %8.2f s (%.2f s user)  %7.1f MB peak RSS\n' "$what" "$secs" "$user" "$(echo "$kb / 1024" | bc -l)"
}

measure "raudit import" "$bin" import --quiet --db "$work/flood.db" "$work/flood.log"
measure "raudit search -if (raw)" "$bin" search -if "$work/flood.log" -r
stored=$(sqlite3 -readonly "$work/flood.db" 'SELECT count(*) FROM event' 2>/dev/null || echo "?")
echo "events stored: $stored"
