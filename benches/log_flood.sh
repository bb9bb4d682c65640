#!/usr/bin/env bash
# Log assembly under a flood of events that never complete: RECORDS SYSCALL
# records (default 2,000,000) that share one second and have no EOE, as a
# log of a flooded machine (or a crafted one) holds them. ausearch's grouping
# would keep every event open until a record two seconds newer arrives;
# raudit holds at most 65,536 (src/event/log.rs, MAX_HELD) and completes the
# oldest early, so the time stays linear and memory flat.
#
# Usage: benches/log_flood.sh [RECORDS]
# Prints wall time and peak RSS (GNU time) of `raudit import` into a fresh
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

awk -v n="$records" 'BEGIN {
  for (i = 1; i <= n; i++)
    printf "type=SYSCALL msg=audit(1700000000.100:%d): arch=c000003e syscall=2 success=yes exit=3 a0=1 a1=2 a2=3 a3=4 items=1 ppid=1 pid=%d auid=0 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm=\"cat\" exe=\"/usr/bin/cat\" key=(null)\n", i, 1000 + i % 5000
}' >"$work/flood.log"
echo "log: $records records, $(stat -c %s "$work/flood.log") bytes, one second, no EOE"

measure() {
  local what=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || {
    cat "$work/err"; exit 1; }
  read -r secs kb <"$work/time"
  printf '%-28s %8.2f s  %7.1f MB peak RSS\n' "$what" "$secs" "$(echo "$kb / 1024" | bc -l)"
}

measure "raudit import" "$bin" import --quiet --db "$work/flood.db" "$work/flood.log"
measure "raudit search -if (raw)" "$bin" search -if "$work/flood.log" -r
stored=$(sqlite3 -readonly "$work/flood.db" 'SELECT count(*) FROM event' 2>/dev/null || echo "?")
echo "events stored: $stored"
