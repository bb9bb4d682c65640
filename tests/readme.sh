#!/usr/bin/env bash
# The README's opening commands and its tour, run exactly as written (each
# line of the two ```sh blocks at the top, comments and all), as a new
# user runs them on a fresh machine. Only the environment is a scratch
# one, so that nothing of this machine is touched:
#   CARGO_INSTALL_ROOT  where `cargo install` puts raudit (put on PATH)
#   CARGO_TARGET_DIR    the repository's target/, to reuse a release build
#   RAUDIT_CONFIG       a configuration whose rules directory is scratch
#   RAUDIT_DB           a scratch database, for the daemon and the search
# The README's second command (`cargo test`) is not run again: it is
# checked to be what .ci/run runs.
#
# Root and a kernel with audit needed; the kernel is held with the kernel
# tests' lock and left as found (the daemon stopped by its pid, the
# tour's watch deleted), even when a step fails.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

fail() { echo "tests/readme.sh: $*" >&2; exit 1; }
if [ "$(id -u)" != 0 ] || ! command -v auditctl >/dev/null; then
  [ "${CI:-}" != true ] || fail "needs root and auditctl (Debian's auditd package) in CI"
  echo "skipping tests/readme.sh: needs root and auditctl (the kernel's state is read with it)"
  exit 0
fi

# The first two ```sh blocks: the opening commands, then the tour.
blocks=$(awk '/^```sh$/ {n++; inside=1; next} /^```$/ {inside=0} inside && n<=2 {print n "\t" $0}' README.md)
opening=$(printf '%s\n' "$blocks" | awk -F'\t' '$1==1 {print $2}')
tour=$(printf '%s\n' "$blocks" | awk -F'\t' '$1==2 {print $2}')
[ "$(printf '%s\n' "$opening" | wc -l)" = 2 ] || fail "the README should open with two commands:
$opening"
start=$(printf '%s\n' "$opening" | sed -n 1p)
tests=$(printf '%s\n' "$opening" | sed -n 2p)
# shellcheck disable=SC2086 # word splitting trims the blanks before the comment
[ "$(echo ${tests%%#*})" = "cargo test" ] || fail "the second command is not cargo test: $tests"
grep -qx 'cargo test' .ci/run || fail ".ci/run does not run the README's cargo test"

exec 9>/tmp/raudit-kernel-tests.lock
flock 9
[ "$(auditctl -s | awk '/^pid /{print $2}')" = 0 ] || fail "an audit daemon is registered; stop it first"
rules_before=$(auditctl -l)

scratch=$(mktemp -d)
export CARGO_INSTALL_ROOT="$scratch/root" CARGO_TARGET_DIR="$repo/target"
export RAUDIT_DB="$scratch/audit.db" RAUDIT_CONFIG="$scratch/raudit.conf"
export PATH="$CARGO_INSTALL_ROOT/bin:$PATH"
mkdir "$scratch/rules.d"
echo "rules_dir = $scratch/rules.d" > "$RAUDIT_CONFIG"
chmod 600 "$RAUDIT_CONFIG"

daemon_pid() { auditctl -s | awk '/^pid /{print $2}'; }
cleanup() {
  local pid
  pid=$(daemon_pid)
  if [ "$pid" != 0 ] && [ "$(readlink "/proc/$pid/exe")" = "$CARGO_INSTALL_ROOT/bin/raudit" ]; then
    kill -TERM "$pid"
    for _ in $(seq 100); do [ -e "/proc/$pid" ] || break; sleep 0.1; done
  fi
  # Delete what the tour added: a watch (-w) by -W, a rule (-a) by -d,
  # with the words of its listing (auditctl splits at blanks too).
  auditctl -l | while read -r rule; do
    grep -qxF -- "$rule" <<< "$rules_before" && continue
    # shellcheck disable=SC2086
    case $rule in
      -w*) auditctl ${rule/#-w/-W} >/dev/null 2>&1 || true ;;
      -a*) auditctl ${rule/#-a/-d} >/dev/null 2>&1 || true ;;
    esac
  done
  rm -rf "$scratch"
}
trap cleanup EXIT

echo "\$ $start"
bash -c "$start" 2> "$scratch/daemon.stderr" || fail "the first command failed: $(cat "$scratch/daemon.stderr")"
registered=
for _ in $(seq 100); do
  if [ "$(daemon_pid)" != 0 ] && grep -q 'raudit daemon: started' "$scratch/daemon.stderr"; then
    registered=1; break
  fi
  sleep 0.1
done
[ -n "$registered" ] || fail "the daemon did not start: $(cat "$scratch/daemon.stderr")"
pid=$(daemon_pid)
want="raudit daemon: started (pid $pid, config $RAUDIT_CONFIG, database $RAUDIT_DB, rules: 0 loaded from $scratch/rules.d, mode primary)"
grep -qxF "$want" "$scratch/daemon.stderr" || fail "no start line like
  $want
in:
$(cat "$scratch/daemon.stderr")"

# The tour, line by line. A user takes a moment between the lines; the
# last one is retried for a few seconds, as the event is stored once the
# kernel has sent all of its records.
last=$(printf '%s\n' "$tour" | tail -n 1)
while IFS= read -r line; do
  echo "\$ $line"
  if [ "$line" != "$last" ]; then
    bash -c "$line" < /dev/null || fail "failed: $line"
    continue
  fi
  for _ in $(seq 50); do
    out=$(bash -c "$line" 2>&1 < /dev/null) && break
    sleep 0.1
  done
  printf '%s\n' "$out"
  grep -q 'type=SYSCALL' <<< "$out" || fail "no event found by: $line"
  grep -q 'key="shadow"' <<< "$out" || fail "the event lacks its key"
  grep -q 'name="/etc/shadow"' <<< "$out" || fail "the event lacks /etc/shadow"
done <<< "$tour"
echo "readme: the opening commands and the tour ran as written"
