#!/usr/bin/env bash
# The Debian package, end to end, on this (Debian 12, root) machine:
# install the build dependencies and tools, build the .deb from a copy of
# the tree with dpkg-buildpackage, run lintian, install it with dpkg -i,
# check the installed files and modes, the binary, every man page (man -l
# and groff -ww, no warnings) and the unit (systemd-analyze verify), then
# purge it and check that nothing is left behind.
#
# It never starts the daemon or touches kernel audit state; the unit is
# installed neither enabled nor started. raudit-compat is checked but not
# installed, since it conflicts with the auditd package that CI keeps as
# its test oracle.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
fail() { failed=$((failed + 1)); echo "FAILED: $*" >&2; }
check() { # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then ok "$what"; else fail "$what"; fi
}

[ "$(id -u)" = 0 ] || { echo "tests/packaging.sh needs root (dpkg -i)" >&2; exit 1; }
if dpkg-query -W -f='${Status}' raudit 2>/dev/null | grep -q installed; then
  echo "raudit is already installed here; purge it first (dpkg --purge raudit)" >&2
  exit 1
fi

# --- tools and build dependencies (a fresh CI machine has none) ---------
# Nothing installed here may start a service.
created_policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  created_policy=1
fi
tools="dpkg-dev debhelper fakeroot lintian groff-base man-db systemd"
missing=
for p in $tools; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed' || missing="$missing $p"
done
export DEBIAN_FRONTEND=noninteractive
if [ -n "$missing" ] || ! dpkg-checkbuilddeps >/dev/null 2>&1; then
  apt-get update -qq
  [ -z "$missing" ] || apt-get install -y -qq --no-install-recommends $missing >/dev/null
  # The way debian/README.source tells a developer to get them.
  apt-get build-dep -y -qq "$repo" >/dev/null
fi
[ -z "$created_policy" ] || rm -f /usr/sbin/policy-rc.d

# --- build ---------------------------------------------------------------
# dpkg-buildpackage writes next to the source tree, so build a copy in a
# scratch directory; share the crate's target directory to reuse builds.
work=$(mktemp -d)
installed=
cleanup() {
  if [ -n "$installed" ]; then dpkg --purge raudit >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
mkdir "$work/src"
tar --exclude=./target --exclude=./.git -cf - . | tar -xf - -C "$work/src"
export CARGO_TARGET_DIR="$repo/target"
if ! (cd "$work/src" && dpkg-buildpackage -us -uc -b) > "$work/build.log" 2>&1; then
  tail -n 40 "$work/build.log" >&2
  echo "dpkg-buildpackage failed" >&2
  exit 1
fi
ok "dpkg-buildpackage -us -uc -b"
version=$(cd "$work/src" && dpkg-parsechangelog -SVersion)
deb=$(ls "$work"/raudit_"${version}"_*.deb)
compat=$(ls "$work"/raudit-compat_"${version}"_all.deb)

# The version check in debian/rules: a mismatch must stop the build.
cp -r "$work/src" "$work/skew"
sed -i "0,/^version = /s/^version = .*/version = \"0.0.0-skew\"/" "$work/skew/Cargo.toml"
check "debian/rules refuses a changelog version unlike Cargo.toml's" \
  sh -c "cd '$work/skew' && debian/rules override_dh_auto_configure 2>&1 | grep -q 'make them agree'"

lintian_out=$(lintian --fail-on error "$work"/raudit_"${version}"_*.changes 2>&1) && lint=0 || lint=$?
[ -z "$lintian_out" ] || echo "$lintian_out"
check "lintian: no errors" test "$lint" = 0

# --- raudit-compat: the auditd names, conflicting with auditd ------------
check "raudit-compat conflicts with auditd" \
  test "$(dpkg-deb -f "$compat" Conflicts)" = auditd
for name in auditd auditctl ausearch aureport; do
  check "raudit-compat links /usr/sbin/$name to raudit" \
    sh -c "dpkg-deb -c '$compat' | grep -q './usr/sbin/$name -> raudit\$'"
done

# --- install -----------------------------------------------------------
# What exists before, so that the purge check knows what was ours.
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|; s|/$||' | grep -v '^$' > "$work/paths"
: > "$work/preexisting"
while read -r p; do [ -e "$p" ] && echo "$p" >> "$work/preexisting"; done < "$work/paths"
dpkg -i "$deb" >/dev/null
installed=1
ok "dpkg -i $(basename "$deb")"

mode_is() { # mode_is PATH MODE TYPE
  [ "$(stat -c '%a %U %G %F' "$1")" = "$2 root root $3" ] \
    || { echo "$1: $(stat -c '%a %U %G %F' "$1" 2>&1), want $2 root root $3" >&2; return 1; }
}
check "/usr/sbin/raudit 755" mode_is /usr/sbin/raudit 755 "regular file"
check "/etc/raudit/raudit.conf 640" mode_is /etc/raudit/raudit.conf 640 "regular file"
check "/etc/raudit/rules.d 750" mode_is /etc/raudit/rules.d 750 directory
check "/etc/raudit/rules.d/10-base-config.rules 640" \
  mode_is /etc/raudit/rules.d/10-base-config.rules 640 "regular file"
check "/var/lib/raudit 700" mode_is /var/lib/raudit 700 directory
check "raudit.service 644" mode_is /lib/systemd/system/raudit.service 644 "regular file"
conffiles=$(dpkg-query -W -f='${Conffiles}' raudit)
for f in /etc/raudit/raudit.conf /etc/raudit/rules.d/10-base-config.rules; do
  check "$f is a conffile" grep -q " $f " <<< "$conffiles"
done
for f in rules/*.rules; do
  [ -e "$f" ] || continue
  check "$f shipped" cmp -s "$f" "/usr/share/raudit/rules/$(basename "$f")"
done
for f in /usr/share/bash-completion/completions/raudit \
         /usr/share/zsh/vendor-completions/_raudit \
         /usr/share/fish/vendor_completions.d/raudit.fish; do
  check "$f" test -s "$f"
done
check "bash completion loads" bash -c 'source /usr/share/bash-completion/completions/raudit'

check "raudit --version is $version" test "$(/usr/sbin/raudit --version)" = "raudit $version"
# The shipped configuration is valid and says what the defaults are.
check "shipped raudit.conf passes --check-config" \
  sh -c '/usr/sbin/raudit daemon --check-config > /dev/null'
: > "$work/empty.conf"
shipped=$(/usr/sbin/raudit daemon --check-config | grep -v '^#')
defaults=$(/usr/sbin/raudit daemon --check-config --config "$work/empty.conf" | grep -v '^#')
check "shipped raudit.conf holds the defaults" test "$shipped" = "$defaults"

# --- man pages: every one, with man -l and groff -ww, no warnings --------
pages=$(dpkg -L raudit | grep -E '^/usr/share/man/man[578]/.*\.gz$')
check "man pages installed (8 5 7)" test "$(echo "$pages" | wc -l)" -ge 6
for page in $pages; do
  out=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
  check "man -l $(basename "$page")" test -z "$out"
  out=$(zcat "$page" | groff -ww -man -z 2>&1)
  check "groff -ww $(basename "$page")" test -z "$out"
done

# --- the unit -------------------------------------------------------------
out=$(systemd-analyze verify /lib/systemd/system/raudit.service 2>&1) && rc=0 || rc=$?
[ -z "$out" ] || echo "$out"
check "systemd-analyze verify raudit.service" test "$rc" = 0 -a -z "$out"
check "raudit.service is not enabled" \
  test ! -e /etc/systemd/system/multi-user.target.wants/raudit.service

# --- purge: nothing left behind -------------------------------------------
dpkg --purge raudit >/dev/null
installed=
ok "dpkg --purge raudit"
left=
while read -r p; do
  [ -e "$p" ] || [ -L "$p" ] || continue
  grep -qxF "$p" "$work/preexisting" || left="$left $p"
done < "$work/paths"
for p in /etc/raudit /var/lib/raudit; do [ -e "$p" ] && left="$left $p"; done
left="$left $(find /etc/systemd /var/lib/systemd -name 'raudit*' 2>/dev/null | tr '\n' ' ')"
left=$(echo $left)
[ -z "$left" ] || echo "left behind: $left" >&2
check "nothing left after purge" test -z "$left"
check "dpkg forgot raudit" sh -c '! dpkg-query -W raudit >/dev/null 2>&1'

echo "packaging: $passed passed, $failed failed"
[ "$failed" = 0 ]
