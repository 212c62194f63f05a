#!/usr/bin/env bash
# Installs, runs, upgrades and removes the package on a Debian 12 root where pitbox never was:
#   bash scripts/test-package.sh OLD.deb NEW.deb
# The root is built once with debootstrap from the Debian mirror (cached as a tarball under
# /var/cache/pitbox-test-root), then unpacked afresh for every run. The table inside runs in
# simulation (the SS2 simulator on a pty) and must pass `pitbox doctor`; the upgrade must leave
# the journal and the keys byte for byte; remove and purge must leave them too.
# Not part of the test command: it needs root, mounts and a few hundred MB from the mirror.
set -euo pipefail
old=$(readlink -f "$1")
new=$(readlink -f "$2")
cache=/var/cache/pitbox-test-root
root=$(mktemp -d /tmp/pitbox-pkgtest-XXXXXX)
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
step() { printf '\n== %s\n' "$*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

cleanup() {
  [ -n "${sim_pid:-}" ] && kill "$sim_pid" 2>/dev/null || true
  pkill -f '/opt/pitbox/dist/appliance/cli.js' 2>/dev/null || true   # only the root's (the host has no /opt/pitbox)
  for m in dev/pts dev proc sys; do umount -l "$root/$m" 2>/dev/null || true; done
  rm -rf "$root"
}
trap cleanup EXIT

if [ ! -f "$cache/bookworm.tar" ]; then
  step "debootstrap bookworm from $mirror (once; cached in $cache)"
  mkdir -p "$cache"
  debootstrap --variant=minbase bookworm "$cache/root" "$mirror" >/dev/null
  tar -C "$cache/root" -cf "$cache/bookworm.tar" .
  rm -rf "$cache/root"
fi
step "a fresh Debian 12 root"
tar -C "$root" -xf "$cache/bookworm.tar"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
cp /etc/resolv.conf "$root/etc/resolv.conf"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root DEBIAN_FRONTEND=noninteractive "$@"; }
[ ! -e "$root/usr/bin/pitbox" ] || fail "pitbox already in the root"

step "install $(basename "$old")"
cp "$old" "$new" "$root/tmp/"
in_root apt-get update -qq
in_root apt-get install -y -qq --no-install-recommends "/tmp/$(basename "$old")" >/tmp/pitbox-pkgtest-install.log
in_root pitbox --help | head -3
in_root id pitbox
in_root id -nG pitbox | grep -qw dialout || fail "pitbox is not in dialout"
[ -d "$root/var/lib/pitbox" ] || fail "no /var/lib/pitbox"

step "a simulated table on the installed package"
in_root apt-get install -y -qq --no-install-recommends socat >/dev/null   # the simulator's pty, not a dependency
mkdir -p "$root/tmp/sim"
cat >"$root/etc/pitbox/sim.yaml" <<'EOF'
studio: pkgtest
table: sim-01
game: roulette
openOnStart: true
wheel:
  driver: cammegh-ss2
  port: /tmp/sim/wheel
  mode: 1157
  timeScale: 10
  statusPeriodMs: 50
  rotorRpm: { min: 16.0, max: 18.0 }
journal:
  path: /var/lib/pitbox/sim-01/journal.db
signing:
  keyDir: /etc/pitbox/keys/sim-01
control:
  socket: /tmp/sim/control.sock
EOF
in_root pitbox config check /etc/pitbox/sim.yaml
in_root pitbox keys generate --dir /etc/pitbox/keys/sim-01 >/dev/null
in_root pitbox journal init --config /etc/pitbox/sim.yaml
in_root pitbox simulate wheel --link /tmp/sim/wheel --speed 10 >/dev/null 2>&1 &
sim_pid=$!
for _ in $(seq 100); do [ -e "$root/tmp/sim/wheel" ] && break; sleep 0.1; done
in_root pitbox run --config /etc/pitbox/sim.yaml >"$root/tmp/sim/run.log" 2>&1 &
for _ in $(seq 150); do grep -q '"table running"\|table running' "$root/tmp/sim/run.log" 2>/dev/null && break; sleep 0.2; done
sleep 8
step "pitbox doctor (the appliance running)"
in_root pitbox doctor --config /etc/pitbox/sim.yaml || doctor_rc=$?
in_root pitbox doctor --config /etc/pitbox/sim.yaml --json >"$root/tmp/sim/doctor.json" || true
[ "${doctor_rc:-0}" -eq 0 ] || fail "doctor found a failure"
pkill -TERM -f '/opt/pitbox/dist/appliance/cli.js run' || true
sleep 3
in_root pitbox journal verify --config /etc/pitbox/sim.yaml
seq_before=$(in_root pitbox journal info --config /etc/pitbox/sim.yaml | sed 's/.*"lastSeq":\([0-9]*\).*/\1/')
[ "$seq_before" -gt 0 ] || fail "no events journaled"
# The keys: sealed (keys/sim-01/sealed/*.cred) by a package that seals, plain *.key by an older one.
sum() { (cd "$root" && sha256sum var/lib/pitbox/sim-01/journal.db $(find etc/pitbox/keys/sim-01 -type f | sort) etc/pitbox/sim.yaml); }
before=$(sum)

step "upgrade to $(basename "$new")"
in_root apt-get install -y -qq --no-install-recommends "/tmp/$(basename "$new")" >>/tmp/pitbox-pkgtest-install.log
in_root dpkg-query -W pitbox
[ "$(sum)" = "$before" ] || fail "the upgrade changed the journal, the keys or the config"
in_root pitbox journal verify --config /etc/pitbox/sim.yaml

step "the installed files against the package's SBOM"
sbom="$root/usr/share/doc/pitbox/sbom.cdx.json"
[ -s "$sbom" ] || fail "no SBOM in /usr/share/doc/pitbox"
in_root pitbox doctor --config /etc/pitbox/sim.yaml --only package-files || fail "a fresh install does not match its SBOM"
changed=/opt/pitbox/dist/appliance/cli.js
cp "$root$changed" "$root/tmp/cli.js.orig"
echo '// changed after install' >>"$root$changed"
if out=$(in_root pitbox doctor --config /etc/pitbox/sim.yaml --only package-files 2>&1); then fail "doctor passed a modified $changed"; fi
echo "$out" | grep -q "modified: $changed" || fail "doctor did not name $changed: $out"
cp "$root/tmp/cli.js.orig" "$root$changed"

step "remove and purge"
in_root apt-get remove -y -qq pitbox >/dev/null
[ ! -e "$root/usr/bin/pitbox" ] && [ ! -e "$root/opt/pitbox" ] || fail "files left after remove"
[ "$(sum)" = "$before" ] || fail "remove touched the journal or the keys"
in_root apt-get purge -y -qq pitbox >/dev/null
[ "$(sum)" = "$before" ] || fail "purge touched the journal or the keys"
kill "$sim_pid" 2>/dev/null || true
echo
echo "OK: installed on a clean Debian 12, ran a simulated table that passed pitbox doctor ($seq_before events), upgraded with the journal and keys byte for byte, the doctor named a file changed against the SBOM, removed and purged without touching them"
