#!/usr/bin/env bash
# Ingest benchmark: raudit's daemon, Debian's stock auditd and a
# read-and-discard netlink reader (examples/discard_reader.rs, the ceiling:
# what any daemon could take from the kernel at most) recording the same
# load in one run, each in turn, for two kernel settings:
#   wait    backlog_wait_time as found (the kernel default: 60 s): when the
#           daemon falls behind, the kernel makes the audited process wait;
#           the generator runs flat out.
#   nowait  backlog_wait_time 0: the kernel drops instead of waiting; the
#           generator is paced at RATE opens/s.
# backlog_limit is BACKLOG for every run. The load is examples/open_loop:
# COUNT open() calls on a watched file in a private temp dir.
#
# Usage (root): benches/ingest.sh [--quick] [COUNT]
#   --quick   smoke run: each combination once, COUNT 20000, 3 probes
#   COUNT     opens per run (default 200000)
# Environment (defaults in brackets):
#   REPS      runs of each combination; the table shows medians [3]
#   RATE      the nowait generator's pace, opens/s [50000]
#   BACKLOG   backlog_limit [8192]
#   PROBES    latency probes per raudit run [10]
#   SETTLE    seconds between a daemon's start and the load [2]
#   MAX_WAIT  seconds to wait for a busy daemon after the load [300]
#   RAUDIT_BIN  measure this raudit binary instead of the worktree's release build
#   RAUDIT_COUNT_SQL  SQL counting raudit's events with key :key (for a new schema)
#   KEEP=1    keep the work directory (databases, logs, per-run figures)
#
# Per run, on the same load: events/s stored (delivered, for the discard
# reader) = events stored / time from the generator's start to the last one
# stored, waiting after the generator until every event is stored or the
# count stops growing for 3 s; the kernel's `lost` delta; the daemon's CPU
# (utime+stime from /proc/PID/stat, from just before the load to the end of
# that wait) per event stored; peak RSS (VmHWM); bytes stored per event
# (database and -wal for raudit, the RAW log for auditd, after the daemon
# stops); the generator's own opens/s; and for raudit, with the daemon idle
# after the load, the time from one open() of a separately watched file to
# `raudit search -k` returning its event (median of PROBES probes). raudit
# counts by key in its database (sqlite3, read-only), auditd by SYSCALL
# records with the key in its log, the discard reader by EOE records.
#
# The kernel lock (/tmp/raudit-kernel-tests.lock) is held throughout. At
# exit, even on failure: daemons stopped by pid, only the rules added here
# deleted, backlog_limit, backlog_wait_time and enabled restored, the audit
# pid released.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C # EPOCHREALTIME and awk's numbers with a decimal point

count=200000 reps=${REPS:-3} probes=${PROBES:-10}
for arg in "$@"; do
  case $arg in
    --quick) count=20000 reps=${REPS:-1} probes=${PROBES:-3} ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    ''|*[!0-9]*) echo "ingest.sh: unknown argument '$arg' (usage: benches/ingest.sh [--quick] [COUNT])" >&2; exit 2 ;;
    *) count=$arg ;;
  esac
done
rate=${RATE:-50000} backlog=${BACKLOG:-8192} settle=${SETTLE:-2} max_wait=${MAX_WAIT:-300}
count_sql=${RAUDIT_COUNT_SQL:-"SELECT count(*) FROM event WHERE shape IN (SELECT id FROM shape WHERE keyset IN (SELECT keyset_id FROM keyset_member WHERE key = :key))"}
die() { echo "ingest.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (it registers audit daemons and sets kernel audit state); run it as root"
command -v sqlite3 >/dev/null || die "sqlite3 is missing: apt-get install sqlite3"
[ -x /usr/sbin/auditd ] || die "/usr/sbin/auditd is missing: apt-get install auditd"

# Kernel audit state is global: take the lock the kernel tests take.
exec 9>/tmp/raudit-kernel-tests.lock
flock 9

cargo build --release --quiet --bin raudit --example open_loop --example discard_reader
target=${CARGO_TARGET_DIR:-target}
bin=$(realpath "${RAUDIT_BIN:-$target/release/raudit}")
gen=$(realpath "$target/release/examples/open_loop")
reader=$(realpath "$target/release/examples/discard_reader")
work=$(mktemp -d /var/tmp/raudit-ingest.XXXXXX)
mkdir -p "$work/data"
load_file=$work/data/load key=ingest_$$
touch "$load_file"
for i in $(seq "$probes"); do touch "$work/data/probe$i"; done
clk_tck=$(getconf CLK_TCK)

status() { "$bin" ctl -s | awk -v k="$1" '$1==k {print $2}'; }
found_backlog=$(status backlog_limit)
found_wait=$(status backlog_wait_time)
found_enabled=$(status enabled)
[ "$(status pid)" = 0 ] || die "an audit daemon (pid $(status pid)) is registered; stop it first"
[ "$found_enabled" != 2 ] || die "the audit configuration is locked (enabled 2) until reboot"

added=()     # "path key" of each rule added here
daemon_pid=  # the daemon of the current run
stop_daemon() {
  [ -n "$daemon_pid" ] || return 0
  kill -TERM "$daemon_pid" 2>/dev/null || true
  for _ in $(seq 600); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$daemon_pid" 2>/dev/null; then
    echo "ingest.sh: pid $daemon_pid did not stop within 60 s; killing it" >&2
    kill -KILL "$daemon_pid" 2>/dev/null || true
  fi
  wait "$daemon_pid" 2>/dev/null || true
  daemon_pid=
}
cleanup() {
  local rc=$? rule
  trap - EXIT INT TERM
  stop_daemon
  for rule in "${added[@]}"; do
    "$bin" ctl -W "${rule% *}" -p r -k "${rule##* }" >/dev/null 2>&1 || echo "ingest.sh: could not delete the rule on ${rule% *}" >&2
  done
  "$bin" ctl -b "$found_backlog" >/dev/null 2>&1 || echo "ingest.sh: could not restore backlog_limit $found_backlog" >&2
  "$bin" ctl --backlog_wait_time "$found_wait" >/dev/null 2>&1 || echo "ingest.sh: could not restore backlog_wait_time $found_wait" >&2
  "$bin" ctl -e "$found_enabled" >/dev/null 2>&1 || echo "ingest.sh: could not restore enabled $found_enabled" >&2
  [ "$(status pid)" = 0 ] || echo "ingest.sh: the audit pid is still $(status pid)" >&2
  if [ -n "${KEEP:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

watch() { # path key
  "$bin" ctl -w "$1" -p r -k "$2" >/dev/null
  added+=("$1 $2")
}
"$bin" ctl -b "$backlog" >/dev/null
watch "$load_file" "$key"
for i in $(seq "$probes"); do watch "$work/data/probe$i" "${key}_probe$i"; done

# shellcheck source=benches/auditd_conf.sh
. benches/auditd_conf.sh
# raudit's defaults, which are auditd's shipped ones, except that no rules
# directory outside the work dir is loaded.
raudit_conf() { # file
  echo "rules_dir = $work/no-rules.d" > "$1"
  chmod 600 "$1"
}

# Events with the load's key stored so far by the current run's daemon.
stored() { # daemon dir
  case $1 in
    raudit) sqlite3 -cmd ".timeout 2000" -cmd ".parameter set :key '$key'" "file:$2/raudit.db?mode=ro" "$count_sql" ;;
    auditd) grep -c "^type=SYSCALL .* key=\"$key\"" "$2/log/audit.log" || true ;;
    discard) reader_counts "$2" | sed 's/.*events=\([0-9]*\).*/\1/' ;;
  esac
}
# The discard reader's counts line, asked for with SIGUSR1.
reader_counts() { # dir
  local lines
  lines=$(wc -l < "$1/reader.out")
  kill -USR1 "$daemon_pid"
  for _ in $(seq 200); do [ "$(wc -l < "$1/reader.out")" -gt "$lines" ] && break; sleep 0.005; done
  tail -1 "$1/reader.out"
}
# When the store was last written to (seconds since the epoch).
last_write() { # daemon dir
  case $1 in
    raudit) stat -c %.9Y "$2/raudit.db" "$2/raudit.db-wal" 2>/dev/null | sort -n | tail -1 ;;
    auditd) stat -c %.9Y "$2/log/audit.log" ;;
    discard) tail -1 "$2/reader.out" | sed 's/.*last=//' ;;
  esac
}
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
now() { echo "$EPOCHREALTIME"; }

start_daemon() { # daemon dir
  local d=$1 dir=$2
  case $d in
    raudit)
      raudit_conf "$dir/raudit.conf"
      "$bin" daemon --config "$dir/raudit.conf" --db "$dir/raudit.db" 2>"$dir/daemon.err" &
      ;;
    auditd)
      # freq as Debian ships it (raudit's default too).
      private_auditd_conf "$dir/conf" "$dir/log/audit.log" 50
      /usr/sbin/auditd -n -c "$dir/conf" >"$dir/daemon.err" 2>&1 &
      ;;
    discard)
      "$reader" >"$dir/reader.out" 2>"$dir/daemon.err" &
      ;;
  esac
  daemon_pid=$!
  for _ in $(seq 100); do
    [ "$(status pid)" = "$daemon_pid" ] && break
    kill -0 "$daemon_pid" 2>/dev/null || break
    sleep 0.1
  done
  [ "$(status pid)" = "$daemon_pid" ] || die "$d did not register as the audit daemon: $(tail -3 "$dir/daemon.err")"
  if [ "$d" = raudit ]; then
    for _ in $(seq 100); do
      "$bin" search --db "$dir/raudit.db" -m DAEMON_START >/dev/null 2>&1 && break
      sleep 0.1
    done
    stored raudit "$dir" >/dev/null 2>"$dir/count.err" ||
      die "counting raudit's events failed ($(head -1 "$dir/count.err")); set RAUDIT_COUNT_SQL for this schema"
  fi
  sleep "$settle"
}

# Waits after the load until COUNT events are stored, or until for 3 s
# the count has not grown and the daemon has been idle (a store that
# commits a long queue in one transaction shows nothing new for a while);
# prints the count and when the last of them was stored: the poll that
# first saw the final count, or the store's last write if that came
# earlier (a later write is about something else).
wait_stored() { # daemon dir base
  local d=$1 dir=$2 base=$3 n last=-1 t t_seen quiet_since start ticks prev
  start=$(now) quiet_since=$start prev=$(cpu_ticks "$daemon_pid")
  while :; do
    n=$(( $(stored "$d" "$dir") - base )) t=$(now) ticks=$(cpu_ticks "$daemon_pid")
    if [ "$n" != "$last" ]; then last=$n t_seen=$t quiet_since=$t; fi
    # More than a tick (10 ms) of CPU since the last poll: still working.
    [ $((ticks - prev)) -le 1 ] || quiet_since=$t
    prev=$ticks
    [ "$n" -ge "$count" ] && break
    awk -v a="$quiet_since" -v b="$t" 'BEGIN { exit !(b - a >= 3) }' && break
    if awk -v a="$start" -v b="$t" -v m="$max_wait" 'BEGIN { exit !(b - a >= m) }'; then
      echo "ingest.sh: $d still busy $max_wait s after the load; counting what it stored so far" >&2
      break
    fi
    sleep 0.1
  done
  echo "$last $(awk -v a="$t_seen" -v b="$(last_write "$d" "$dir")" 'BEGIN { printf "%.6f", (b > 0 && b < a) ? b : a }')"
}

# Median milliseconds from one open() of a watched file to `raudit search
# -k` finding its event, with the daemon idle; 10 s marks a probe that
# never found it.
probe_latency() { # dir
  local dir=$1 i t0 t1 ms=()
  sleep 1
  for i in $(seq "$probes"); do
    t0=$(now)
    : < "$work/data/probe$i"
    until "$bin" search --db "$dir/raudit.db" -k "${key}_probe$i" >/dev/null 2>&1; do
      awk -v a="$t0" -v b="$(now)" 'BEGIN { exit !(b - a >= 10) }' && break
    done
    t1=$(now)
    ms+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) * 1000 }')")
    sleep 0.2
  done
  printf '%s\n' "${ms[@]}" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Events with the load's key in the store once the daemon has stopped.
stored_at_stop() { # daemon dir
  case $1 in
    raudit|auditd) stored "$1" "$2" 2>/dev/null || echo 0 ;;
    discard) tail -1 "$2/reader.out" | sed 's/.*events=\([0-9]*\).*/\1/' ;;
  esac
}

store_bytes() { # daemon dir
  case $1 in
    raudit) find "$2" -maxdepth 1 \( -name raudit.db -o -name raudit.db-wal \) -printf '%s\n' | awk '{ n += $1 } END { print n + 0 }' ;;
    auditd) wc -c < "$2/log/audit.log" ;;
    discard) echo 0 ;;
  esac
}

results=$work/results
run_one() { # setting daemon rep
  local setting=$1 d=$2 rep=$3 dir=$work/$1-$2-$3
  mkdir -p "$dir/log"
  start_daemon "$d" "$dir"
  local lost0 cpu0 base t0 gen_out
  lost0=$(status lost); cpu0=$(cpu_ticks "$daemon_pid"); base=$(stored "$d" "$dir")
  t0=$(now)
  if [ "$setting" = wait ]; then gen_out=$("$gen" "$load_file" "$count"); else gen_out=$("$gen" "$load_file" "$count" "$rate"); fi
  local waited n t_last lost1 cpu1 hwm latency=- bytes late
  waited=$(wait_stored "$d" "$dir" "$base")
  read -r n t_last <<<"$waited"
  lost1=$(status lost); cpu1=$(cpu_ticks "$daemon_pid")
  hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$daemon_pid/status")
  [ "$d" != raudit ] || latency=$(probe_latency "$dir")
  stop_daemon
  [ "$(status pid)" = 0 ] || die "$d did not release the audit pid"
  bytes=$(store_bytes "$d" "$dir")
  late=$(( $(stored_at_stop "$d" "$dir") - base - n ))
  awk -v s="$setting" -v d="$d" -v r="$rep" -v n="$n" -v t0="$t0" -v t1="$t_last" \
      -v lost=$((lost1 - lost0)) -v cpu=$((cpu1 - cpu0)) -v hz="$clk_tck" -v hwm="$hwm" \
      -v bytes="$bytes" -v ops="${gen_out##*opens_per_sec=}" -v lat="$latency" -v late="$late" 'BEGIN {
    sec = t1 - t0
    printf "%s %s %d %d %.0f %d %.1f %.1f %s %.0f %s %d\n", s, d, r, n,
      (sec > 0 ? n / sec : 0), lost, (n ? cpu * 1e6 / hz / n : 0), hwm / 1024,
      (d == "discard" || n + late <= 0) ? "-" : sprintf("%.0f", bytes / (n + late)), ops, lat, late
  }' | tee -a "$results" >&2
}

echo "# setting daemon rep stored events/s lost cpu_us/event rss_MiB bytes/event gen_ops/s latency_ms stored_late" >&2
for rep in $(seq "$reps"); do
  for setting in wait nowait; do
    if [ "$setting" = wait ]; then w=$found_wait; else w=0; fi
    "$bin" ctl --backlog_wait_time "$w" >/dev/null
    for d in raudit auditd discard; do run_one "$setting" "$d" "$rep"; done
  done
done

echo
echo "Ingest: $count open() per run, backlog_limit $backlog, medians of $reps; wait = backlog_wait_time $found_wait (as found), generator flat out; nowait = backlog_wait_time 0, generator paced at $rate/s."
echo "raudit $(git describe --always --dirty 2>/dev/null || echo '?'), auditd $(dpkg-query -W -f '${Version}' auditd 2>/dev/null || echo '?'), kernel $(uname -r), $(nproc) CPUs, $(date -u +%F)."
echo
# Medians per setting and daemon, then one row each with ratios to auditd
# and to the discard reader (the ceiling) of the same setting.
awk -v expect="$count" '
  function median(list,   n, v, i, j, t) {
    n = split(list, v, " ")
    for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    if (n == 0 || v[1] == "-") return "-"
    return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  function ratio(a, b) { return (a == "-" || b == "-" || b + 0 == 0) ? "-" : sprintf("%.2fx", a / b) }
  {
    k = $1 SUBSEP $2
    for (f = 4; f <= 12; f++) vals[k, f] = vals[k, f] " " $f
  }
  END {
    names["raudit"] = "raudit"; names["auditd"] = "auditd"; names["discard"] = "discard reader (ceiling)"
    print "| setting | daemon | events stored | stored late | events/s stored | vs auditd | vs ceiling | kernel lost | CPU us/event | vs auditd | vs ceiling | peak RSS MiB | vs auditd | bytes/event | vs auditd | generator ops/s | syscall to search ms |"
    print "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    split("wait nowait", settings, " "); split("raudit auditd discard", daemons, " ")
    for (s = 1; s <= 2; s++) {
      for (d = 1; d <= 3; d++) for (f = 4; f <= 12; f++) m[daemons[d], f] = median(vals[settings[s] SUBSEP daemons[d], f])
      for (d = 1; d <= 3; d++) {
        x = daemons[d]
        printf "| %s | %s | %s / %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", settings[s], names[x],
          m[x, 4], expect, m[x, 12], m[x, 5], ratio(m[x, 5], m["auditd", 5]), ratio(m[x, 5], m["discard", 5]), m[x, 6],
          m[x, 7], ratio(m[x, 7], m["auditd", 7]), ratio(m[x, 7], m["discard", 7]),
          m[x, 8], ratio(m[x, 8], m["auditd", 8]), m[x, 9], ratio(m[x, 9], m["auditd", 9]), m[x, 10], m[x, 11]
      }
    }
  }' "$results"
echo
echo "events stored: with the load's key when the wait after the load ended (the rate's numerator); stored late: stored after that, before the daemon stopped; kernel lost: records; CPU and bytes: per event stored; syscall to search: raudit only, daemon idle."
