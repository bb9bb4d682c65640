#!/usr/bin/env bash
# Daemon throughput: a loop of open() on a watched file, recorded by
# `raudit daemon` into a temp database. Prints the sustained events/s, the
# kernel's lost counter after the run, and the time `raudit search -k` takes.
#
# Usage (root): benches/daemon_load.sh [OPENS] [BACKLOG_LIMIT]
# Leaves the kernel as found: the watch is removed, the daemon stopped, the
# backlog limit and enabled flag restored.
set -euo pipefail
cd "$(dirname "$0")/.."
# Kernel audit state is global: take the lock the kernel tests take.
exec 9>/tmp/raudit-kernel-tests.lock
flock 9
opens=${1:-200000}
backlog=${2:-8192}

cargo build --release --quiet --bin raudit --example open_loop
target=${CARGO_TARGET_DIR:-target}
bin=$target/release/raudit
gen=$target/release/examples/open_loop
work=$(mktemp -d)
db=$work/audit.db
touch "$work/file"

status() { "$bin" ctl -s | awk -v k="$1" '$1==k {print $2}'; }
old_backlog=$(status backlog_limit)
old_enabled=$(status enabled)
daemon_pid=
cleanup() {
  "$bin" ctl -W "$work/file" -p r -k bench >/dev/null 2>&1 || true
  [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" || true
  "$bin" ctl -b "$old_backlog" >/dev/null || true
  "$bin" ctl -e "$old_enabled" >/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$bin" ctl -b "$backlog" >/dev/null
"$bin" daemon --db "$db" &
daemon_pid=$!
until "$bin" search --db "$db" -m DAEMON_START >/dev/null 2>&1; do sleep 0.1; done
"$bin" ctl -w "$work/file" -p r -k bench
lost_before=$(status lost)

start=$(date +%s.%N)
"$gen" "$work/file" "$opens"
# Wait until every event is stored (or nothing new arrives for 3 s).
prev=-1; stored=0; idle=0
while [ "$idle" -lt 30 ]; do
  stored=$(sqlite3 "file:$db?mode=ro" "SELECT count(*) FROM event_key WHERE key='bench'" 2>/dev/null || echo 0)
  [ "$stored" -ge "$opens" ] && break
  if [ "$stored" = "$prev" ]; then idle=$((idle+1)); else idle=0; fi
  prev=$stored; sleep 0.1
done
end=$(date +%s.%N)
lost_after=$(status lost)
peak_kib=$(awk '/^VmHWM/ {print $2}' "/proc/$daemon_pid/status")
kill "$daemon_pid"; wait "$daemon_pid"; daemon_pid=

elapsed=$(echo "$end - $start" | bc -l)
printf 'opens=%d stored=%d seconds=%.2f events_per_sec=%.0f kernel_lost=%d backlog_limit=%d daemon_peak_rss=%d MiB\n' \
  "$opens" "$stored" "$elapsed" "$(echo "$stored / $elapsed" | bc -l)" \
  "$((lost_after - lost_before))" "$backlog" "$((peak_kib / 1024))"
"$bin" search --db "$db" --loss || true
t0=$(date +%s.%N)
n=$("$bin" search --db "$db" -k bench --format json | wc -l)
t1=$(date +%s.%N)
printf 'search -k bench: %d events in %.3f s\n' "$n" "$(echo "$t1 - $t0" | bc -l)"
t0=$(date +%s.%N)
"$bin" search --db "$db" -k bench -ts recent -a 999999999 >/dev/null 2>&1 || true
t1=$(date +%s.%N)
printf 'search -k bench -a <none>: %.3f s\n' "$(echo "$t1 - $t0" | bc -l)"
printf 'database size: %s\n' "$(du -h "$db" | cut -f1)"
