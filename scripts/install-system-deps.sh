#!/usr/bin/env bash
# Installs the Debian 12 packages pitbox needs to build, run and test.
# Idempotent: packages already present are skipped, so a warm machine pays nothing.
set -euo pipefail

packages=(
  # native builds (better-sqlite3, serialport, opencv4nodejs, gstreamer-superficial)
  build-essential python3 pkg-config patch
  # card recognition
  libopencv-dev
  # video
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gstreamer1.0-tools
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-nice
  # uplink tests run a real broker; serial tests a real pty
  mosquitto mosquitto-clients socat
  # dealer inputs: the evdev grab helper (intercept) and the libgpiod 1.6 tools
  interception-tools gpiod
  # the scanner layouts test compiles the XKB data (xkb-data) with xkbcli and reads keysymdef.h
  xkb-data libxkbcommon-tools x11proto-dev
  # WHIP: webrtcbin driven through GObject introspection (node-gtk builds against these)
  libgirepository1.0-dev libcairo2-dev gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0 gir1.2-gst-plugins-bad-1.0
  # the frame link over RTMP is tested through a real ingest server: nginx with its RTMP module
  nginx-light libnginx-mod-rtmp
  openssl                      # TLS test certificates
  # serialport's port listing shells out to udevadm
  udev
  # the status page is tested in Debian's browser (puppeteer-core drives it; nothing downloads one);
  # systemd-analyze rates the shipped units (the hardening gate)
  chromium systemd
  # keys sealed with systemd-creds (in systemd); the HTTPS page tested in Chromium trusting a
  # test studio CA through an NSS database (certutil)
  libnss3-tools

  # pitbox-ingest's tests start their own PostgreSQL (initdb/pg_ctl on a temporary directory);
  # the conformance vectors' second verifier is Python with Debian's Ed25519 (python3-cryptography)
  postgresql python3-cryptography
  # clock steps (NTP jumps) of one process, not the machine: libfaketime preloaded, stepped via a file
  libfaketime faketime
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all ${#packages[@]} present"
  exit 0
fi

echo "system packages: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
# --no-install-recommends keeps the box lean; recommends of mosquitto would start it as a service.
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
# Debian starts mosquitto as a system service on install; the tests run their own on loopback ports.
for service in mosquitto nginx postgresql; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$service" 2>/dev/null; then
    "${sudo_cmd[@]}" systemctl disable --now "$service" || true
  fi
done
