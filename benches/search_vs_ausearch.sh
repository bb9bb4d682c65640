#!/usr/bin/env bash
# raudit search and report against ausearch and aureport on the same events, recorded at once by
# auditd (log file) and by raudit --observe (SQLite), generated through the
# kernel. Prints wall time and peak memory of each query for both tools,
# for the burst as recorded and (when `raudit import` exists) for the same
# log with its timestamps spread over a day.
#
# Usage (root): benches/search_vs_ausearch.sh [EVENTS]
# Starts auditd (-n: no fork, logging to its file) only for the recording
# and stops it by its pid; leaves the
# kernel as found (rules removed, audit pid released, flags restored).
set -euo pipefail
cd "$(dirname "$0")/.."
# Kernel audit state is global: take the lock the kernel tests take.
exec 9>/tmp/raudit-kernel-tests.lock
flock 9
events=${1:-1000000}

cargo build --release --quiet --bin raudit --example open_loop
target=${CARGO_TARGET_DIR:-target}
bin=$(realpath "$target/release/raudit")
gen=$(realpath "$target/release/examples/open_loop")
work=$(mktemp -d /var/tmp/raudit-bench.XXXXXX)
mkdir -p "$work/conf" "$work/data" "$work/log"
touch "$work/data/hot" "$work/data/rare" "$work/data/target"
# auditd makes its log's directory 0700: the log gets a directory of its
# own, the watched files stay readable for the uid 1000 part of the load.
chmod 755 "$work" "$work/data"; chmod 644 "$work/data/"*

# shellcheck source=benches/auditd_conf.sh
. benches/auditd_conf.sh
private_auditd_conf "$work/conf" "$work/log/audit.log" 1000

status() { "$bin" ctl -s | awk -v k="$1" '$1==k {print $2}'; }
old_backlog=$(status backlog_limit)
old_enabled=$(status enabled)
auditd_pid=; raudit_pid=
cleanup() {
  "$bin" ctl -D >/dev/null 2>&1 || true
  [ -n "$raudit_pid" ] && kill "$raudit_pid" 2>/dev/null && wait "$raudit_pid" 2>/dev/null || true
  [ -n "$auditd_pid" ] && kill "$auditd_pid" 2>/dev/null && wait "$auditd_pid" 2>/dev/null || true
  "$bin" ctl -b "$old_backlog" >/dev/null 2>&1 || true
  "$bin" ctl -e "$old_enabled" >/dev/null 2>&1 || true
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

/usr/sbin/auditd -n -c "$work/conf" >"$work/auditd.out" 2>&1 &
auditd_pid=$!
for _ in $(seq 100); do [ "$(status pid)" = "$auditd_pid" ] && break; sleep 0.1; done
[ "$(status pid)" = "$auditd_pid" ] || { echo "auditd did not start:"; tail -3 "$work/auditd.out"; exit 1; }
"$bin" daemon --observe --db "$work/raudit.db" 2>/dev/null &
raudit_pid=$!
until "$bin" search --db "$work/raudit.db" -m DAEMON_START >/dev/null 2>&1; do sleep 0.1; done
"$bin" ctl -b 8192 >/dev/null
"$bin" ctl -w "$work/data/hot" -p r -k hot
"$bin" ctl -w "$work/data/rare" -p r -k rare
"$bin" ctl -w "$work/data/target" -p r -k target

t0=$(date +%s)
"$gen" "$work/data/hot" $((events / 2)) >/dev/null
# The rare opens come from a copy of the generator: -x finds them by exe.
cp "$gen" "$work/rare_open"
"$work/rare_open" "$work/data/rare" 10 >/dev/null
setpriv --reuid=1000 --regid=1000 --clear-groups "$gen" "$work/data/target" 1000 >/dev/null
"$gen" "$work/data/hot" $((events / 2 - 1010)) >/dev/null
t1=$(date +%s)
sleep 3
"$bin" ctl -D >/dev/null
kill "$raudit_pid"; wait "$raudit_pid" || true; raudit_pid=
kill "$auditd_pid"; wait "$auditd_pid" || true; auditd_pid=
"$bin" ctl -b "$old_backlog" >/dev/null; "$bin" ctl -e "$old_enabled" >/dev/null
flock -u 9   # the kernel is as found: the queries below do not need it
echo "recorded: $(grep -c 'type=SYSCALL' "$work/log/audit.log") auditd events, $(du -h "$work/log/audit.log" | cut -f1) log, $(du -h "$work/raudit.db" | cut -f1) database, in $((t1 - t0)) s"

# One minute around the middle of the run.
mid=$(( (t0 + t1) / 2 ))
from_d=$(date -d "@$((mid - 30))" +%m/%d/%y); from_t=$(date -d "@$((mid - 30))" +%T)
to_d=$(date -d "@$((mid + 30))" +%m/%d/%y); to_t=$(date -d "@$((mid + 30))" +%T)

# Each query gets at most LIMIT seconds (ausearch on a burst-written log
# can take far longer); a query cut off is reported as such.
limit=${LIMIT:-180}
measure() { # label, then a command: prints seconds, peak memory, lines
  local label=$1; shift
  local lines
  lines=$(/usr/bin/time -o "$work/time" -f "%e %M %x" timeout "$limit" "$@" 2>/dev/null | wc -l || true)
  read -r secs kib code < <(tail -1 "$work/time" | sed 's/^Command exited with non-zero status [0-9]*//; s/^Command terminated by signal [0-9]*//'; true)
  if [ "$code" = 124 ]; then
    printf '%-44s  >%6d s %8d KiB   (cut off after %d s)\n' "$label" "$limit" "$kib" "$limit"
  else
    printf '%-44s %8.3f s %8d KiB %9d lines\n' "$label" "$secs" "$kib" "$lines"
  fi
}

run_queries() { # db log
  local db=$1 log=$2
  for q in "-k rare" "-f $work/data/target" "-ui 1000" "-ts $from_d $from_t -te $to_d $to_t" "-i -k rare" "-x rare_open"; do
    # shellcheck disable=SC2086
    measure "ausearch $q" env TZ=UTC LC_ALL=C /sbin/ausearch -if "$log" $q
    # shellcheck disable=SC2086
    measure "raudit search $q" env TZ=UTC LC_ALL=C "$bin" search --db "$db" $q
  done
  # Reports read every event in range: the whole store here.
  for q in "" "-k --summary" "-f -i" "-x --summary" "-u -i --failed"; do
    # shellcheck disable=SC2086
    measure "aureport ${q:-(summary)}" env TZ=UTC LC_ALL=C /sbin/aureport -if "$log" $q
    # shellcheck disable=SC2086
    measure "raudit report ${q:-(summary)}" env TZ=UTC LC_ALL=C "$bin" report --db "$db" $q
  done
}

echo "== burst (as recorded: $events events within $((t1 - t0)) s)"
run_queries "$work/raudit.db" "$work/log/audit.log"

if "$bin" import --help >/dev/null 2>&1; then
  # The same events spread over 24 hours: rewrite each timestamp.
  perl -pe 'BEGIN { ($start, $span) = @ARGV; @ARGV = () }
    s/audit\((\d+)\./"audit(" . ($start + int(($1 - $start) * 86400 \/ $span)) . "."/e' \
    "$t0" $((t1 - t0 + 1)) < "$work/log/audit.log" > "$work/day.log"
  "$bin" import --db "$work/day.db" "$work/day.log" >/dev/null
  # The minute around the middle event: the spread stretches the pauses in
  # the load too, so the middle of the day may hold none.
  mid=$(sed -n "$(( $(wc -l < "$work/day.log") / 2 ))p" "$work/day.log" | sed 's/.*audit(\([0-9]*\)\..*/\1/')
  from_d=$(date -d "@$((mid - 30))" +%m/%d/%y); from_t=$(date -d "@$((mid - 30))" +%T)
  to_d=$(date -d "@$((mid + 30))" +%m/%d/%y); to_t=$(date -d "@$((mid + 30))" +%T)
  echo "== day-spread (the same events over 24 h)"
  run_queries "$work/day.db" "$work/day.log"
fi
