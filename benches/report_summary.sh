#!/usr/bin/env bash
# Summaries over a database against aureport over the log: EVENTS events
# (default 1,000,000) of a busy machine from benches/synth_log.py (RAW
# format, no EOE as auditd writes it), imported with `raudit import`; then
# the overall summary and the summary reports answered from the store's
# indexes (`raudit report --db`), and aureport -if over the same log. Also
# prints the import's rate and the database's size against the log's.
#
# Usage: benches/report_summary.sh [EVENTS] [SEED]
# Needs python3 and Debian's auditd package (aureport); no root, no kernel
# state. KEEP=1 keeps the work directory. Wall time and peak RSS from GNU
# time; TZ=UTC LC_ALL=C for both tools; each output is compared too.
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-1000000}
seed=${2:-1}

cargo build --release --quiet --bin raudit
target=${CARGO_TARGET_DIR:-target}
bin=$(realpath "$target/release/raudit")
work=$(mktemp -d /var/tmp/raudit-reports.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
export TZ=UTC LC_ALL=C

python3 benches/synth_log.py "$events" "$seed" >"$work/audit.log"
log_bytes=$(stat -c %s "$work/audit.log")
echo "log: $(wc -l <"$work/audit.log") records, $log_bytes bytes"

timed() { # label, command...: prints seconds and peak MB, output to $work/out
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>"$work/err" || true
  read -r secs kb < <(tail -1 "$work/time")
  printf '%-34s %7.2f s %7.1f MB\n' "$label" "$secs" "$(echo "$kb / 1024" | bc -l)"
}

/usr/bin/time -f "%e %U %M" -o "$work/time" "$bin" import --db "$work/audit.db" "$work/audit.log" 2>"$work/import.err"
read -r secs user kb <"$work/time"
tail -1 "$work/import.err"
stored=$(sqlite3 -readonly "$work/audit.db" 'SELECT count(*) FROM event')
printf 'import: %.2f s (%.2f s user), %.0f events/s, %.1f MB peak RSS\n' "$secs" "$user" "$(echo "$stored / $secs" | bc -l)" "$(echo "$kb / 1024" | bc -l)"
db_bytes=$(( $(stat -c %s "$work/audit.db") + $(stat -c %s "$work/audit.db-wal" 2>/dev/null || echo 0) ))
printf 'size: database %d bytes, log %d bytes: %.2fx\n' "$db_bytes" "$log_bytes" "$(echo "$db_bytes / $log_bytes" | bc -l)"

for flags in "" "-k --summary" "-f --summary" "-x --summary" "-u --summary" "-p --summary" "-e --summary" "-h --summary" "-s --summary -i"; do
  # shellcheck disable=SC2086
  timed "raudit report --db $flags" "$bin" report --db "$work/audit.db" $flags
  mv "$work/out" "$work/raudit.out"
  # shellcheck disable=SC2086
  timed "aureport -if $flags" /usr/sbin/aureport -if "$work/audit.log" $flags
  if cmp -s "$work/out" "$work/raudit.out"; then echo "  same output ($(wc -l <"$work/out") lines)"; else echo "  OUTPUTS DIFFER"; diff "$work/out" "$work/raudit.out" | head -5; fi
done
