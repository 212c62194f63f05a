#!/usr/bin/env bash
# Builds pitbox_<version>_amd64.deb from this checkout:  bash scripts/package.sh [OUT_DIR] [DEBIAN_REVISION]
#
# /opt/pitbox       the built appliance (dist/), its production node_modules (native addons built
#                   here against Debian 12's libraries), the card model, and the Node.js runtime
#                   itself (node/bin/node): Debian 12's nodejs is 18.19, pitbox needs >= 20.15, and a
#                   studio box must not depend on a third-party apt repository being reachable.
# /usr/bin/pitbox   the CLI; /lib/systemd/system/pitbox@.service; /lib/udev/rules.d/; sysusers.d
#                   (the pitbox user and its device groups); tmpfiles.d (/var/lib/pitbox, /etc/pitbox)
# Depends:          computed from what the binaries link (ldd + dpkg -S), plus the GStreamer
#                   plugin packages the camera pipelines load at run time.
# Journals (/var/lib/pitbox) and keys (/etc/pitbox) are never touched by install, upgrade,
# remove or purge: they are the table's record and identity.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=${1:-$root/dist-deb}
revision=${2:-1}
bash scripts/setup.sh >&2

version=$(node -p 'require("./package.json").version')
name=pitbox_${version}-${revision}_amd64
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage=$work/$name
opt=$stage/opt/pitbox
mkdir -p "$opt/models" "$opt/node/bin" "$stage/usr/bin" "$stage/lib/systemd/system" "$stage/lib/udev/rules.d" \
  "$stage/usr/lib/sysusers.d" "$stage/usr/lib/tmpfiles.d" "$stage/usr/share/doc/pitbox/examples" "$stage/DEBIAN"

echo "package: staging $name" >&2
cp -a dist package.json package-lock.json "$opt/"
cp models/corners.onnx models/corner-reader.onnx models/cards.json models/README.md "$opt/models/"
# `pitbox cards enrol` fine-tunes the reader on the box (in Debian's Python, Suggests below): the
# reader's checkpoint and the scripts that render and train, never the art or the fonts' decks.
mkdir -p "$opt/models/training"
cp models/corner-reader.pt "$opt/models/"
cp models/training/{camera_patches,decks,scenes,table_scenes,train_reader,train_camera_reader,calibrate_reader}.py "$opt/models/training/"
cp -a node_modules "$opt/"
# The npm workspaces (packages/: @pitbox/consumer, pitbox-ingest) are not part of the appliance:
# it runs the consumer's code compiled into dist/. Without the workspaces, prune drops their links
# and their own dependencies (pg).
rm -rf "$opt/node_modules/@pitbox"
node -e 'const f=process.argv[1];const p=JSON.parse(require("fs").readFileSync(f,"utf8"));delete p.workspaces;require("fs").writeFileSync(f,JSON.stringify(p,null,2)+"\n")' "$opt/package.json"
# Production dependencies only (removes tap, typescript, eslint, tsx...; nothing is fetched).
(cd "$opt" && npm prune --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null 2>&1)
# Build leftovers that are not needed at run time (object files), and the runtimes other
# platforms need (onnxruntime-node ships darwin, win32 and arm64 builds: 245 MB).
find "$opt/node_modules" -type d \( -name obj.target -o -name .deps \) -prune -exec rm -rf {} +
find "$opt/node_modules" -name '*.o' -delete
ort="$opt/node_modules/onnxruntime-node/bin"
find "$ort" -mindepth 2 -maxdepth 2 -type d ! -path '*/linux' -exec rm -rf {} +
find "$ort" -mindepth 3 -maxdepth 3 -type d ! -path '*/linux/x64' -exec rm -rf {} +
rm -f "$opt/node_modules/.pitbox-deps"
# Prebuilt addons for other platforms (ours are built here into build/Release), build tools,
# and files that only matter to a package's own development.
rm -rf "$opt/node_modules/@serialport/bindings-cpp/prebuilds" "$opt/node_modules/node-gyp" \
  "$opt/node_modules/better-sqlite3/build/Release/test_extension.node"
find "$opt/node_modules" \( -name '.eslintrc*' -o -name '.npmignore' -o -name '*.py' -o -name '.gitignore' -o -name '.gitattributes' -o -name '.travis.yml' \) -delete
# Shared objects: not executable, stripped of symbols (as Debian ships its own).
find "$opt" \( -name '*.node' -o -name '*.so' -o -name '*.so.*' \) -type f -exec chmod 0644 {} + -exec strip --strip-unneeded {} +
# The lockfile says what was installed: the SBOM's package list comes from it (below).
mkdir -p "$work/lock" && mv "$opt/package-lock.json" "$work/lock/" && cp "$opt/package.json" "$work/lock/"
install -m 0755 "$(readlink -f "$(command -v node)")" "$opt/node/bin/node"
strip --strip-unneeded "$opt/node/bin/node"

cat >"$stage/usr/bin/pitbox" <<'EOF'
#!/bin/sh
# pitbox: the studio edge appliance (see /usr/share/doc/pitbox/README.md)
exec /opt/pitbox/node/bin/node /opt/pitbox/dist/appliance/cli.js "$@"
EOF
chmod 0755 "$stage/usr/bin/pitbox"

install -m 0644 systemd/pitbox@.service "$stage/lib/systemd/system/"
install -m 0644 systemd/*.rules "$stage/lib/udev/rules.d/"
cat >"$stage/usr/lib/sysusers.d/pitbox.conf" <<'EOF'
# The service user: the wheel's serial port (dialout), cameras (video), VA-API encoders (render),
# USB keypads, pedals and shoes (input).
u pitbox - "pitbox table appliance" /var/lib/pitbox /usr/sbin/nologin
m pitbox dialout
m pitbox video
m pitbox render
m pitbox input
EOF
cat >"$stage/usr/lib/tmpfiles.d/pitbox.conf" <<'EOF'
d /var/lib/pitbox 0750 pitbox pitbox -
d /etc/pitbox 0755 root root -
d /etc/pitbox/keys 0750 pitbox pitbox -
d /etc/pitbox/credentials 0750 root pitbox -
EOF
cp config/*.yaml "$stage/usr/share/doc/pitbox/examples/"
mkdir -p "$stage/usr/share/lintian/overrides"
cat >"$stage/usr/share/lintian/overrides/pitbox" <<'EOF'
# pitbox is a vendor add-on, installed where FHS 3.13 puts add-on software; not for the archive.
pitbox: dir-or-file-in-opt *
# Scripts under node_modules run with pitbox's own runtime (/opt/pitbox/node), not Debian's nodejs
# (18.19 in Debian 12; pitbox needs >= 20.15).
pitbox: missing-dep-for-interpreter node (does not satisfy nodejs:any) *
# Libraries that upstream builds we ship unchanged carry inside: Node's zlib, ONNX Runtime's curl and mbedtls.
pitbox: embedded-library *
# The OpenCV addon finds Debian's OpenCV 4.6 through the multiarch directory it was linked against.
pitbox: custom-library-search-path RUNPATH /usr/lib/x86_64-linux-gnu *
# The Node.js binary as NodeSource builds it (not a PIE).
pitbox: hardening-no-pie *
# node_modules as npm publishes it: modes, sources and READMEs with links are not ours to change.
pitbox: script-not-executable *
pitbox: executable-not-elf-or-script *
pitbox: privacy-breach-generic *
pitbox: package-contains-vcs-control-file *
# Restarting running tables on upgrade and stopping them on remove is the point of these calls.
pitbox: maintainer-script-calls-systemctl *
# `pitbox --help` and the README in /usr/share/doc/pitbox are the manual.
pitbox: no-manual-page *
pitbox: initial-upload-closes-no-bugs
EOF
cp README.md appliance/contract/CONTRACT.md "$stage/usr/share/doc/pitbox/"
cat >"$stage/usr/share/doc/pitbox/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: pitbox

Files: *
Copyright: $(date +%Y) pitbox
License: proprietary
 All rights reserved.

Files: opt/pitbox/node/*
Copyright: Node.js contributors
License: MIT
 The Node.js runtime $(node -v), as packaged by NodeSource; see https://github.com/nodejs/node/blob/main/LICENSE

Files: opt/pitbox/node_modules/*
Copyright: their authors
License: various
 Each package's licence is in its own directory (LICENSE, package.json "license").
EOF
# What the package is made of (CycloneDX 1.5): the production npm packages with versions and
# licences, the Node.js runtime, the native addons as built here and the models, and every file
# under /opt/pitbox with its SHA-256, which `pitbox doctor` (package-files) checks the box against.
node --import tsx scripts/make-sbom.ts "$opt" /opt/pitbox "$work/lock" "$stage/usr/share/doc/pitbox/sbom.cdx.json"
printf 'pitbox (%s-%s) stable; urgency=medium\n\n  * Release %s.\n\n -- pitbox <ops@pitbox.invalid>  %s\n' \
  "$version" "$revision" "$version" "$(date -R)" | gzip -9n >"$stage/usr/share/doc/pitbox/changelog.Debian.gz"

# Depends: the Debian packages of the shared libraries the runtime and the addons link directly
# (their NEEDED entries, resolved as ldd resolves them); apt brings what those need in turn.
libs=$(for f in "$opt/node/bin/node" $(find "$opt/node_modules" -name '*.node'); do
  needed=$(objdump -p "$f" 2>/dev/null | awk '/NEEDED/ {print $2}')
  ldd "$f" 2>/dev/null | awk -v want="$(echo $needed)" 'BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) ok[w[i]] = 1 } /=> \// && ($1 in ok) {print $3}'
done | sort -u)
pkgs=$(for l in $libs; do dpkg -S "$(readlink -f "$l")" 2>/dev/null || dpkg -S "$l" 2>/dev/null || true; done \
  | cut -d: -f1 | sort -u | grep -v -E '^(pitbox|nodejs)$' || true)
runtime="gstreamer1.0-plugins-base, gstreamer1.0-plugins-good, gstreamer1.0-plugins-bad, gstreamer1.0-plugins-ugly, gstreamer1.0-libav, gstreamer1.0-nice, gir1.2-gstreamer-1.0, gir1.2-gst-plugins-base-1.0, gir1.2-gst-plugins-bad-1.0, systemd, openssl, interception-tools, gpiod"
depends=$(echo "$pkgs" | tr '\n' ',' | sed 's/,$//; s/,/, /g')
size=$(du -sk "$stage" --exclude=DEBIAN | cut -f1)
cat >"$stage/DEBIAN/control" <<EOF
Package: pitbox
Version: ${version}-${revision}
Architecture: amd64
Maintainer: pitbox <ops@pitbox.invalid>
Installed-Size: $size
Depends: ${depends}, ${runtime}
Suggests: python3-torch, python3-opencv, python3-onnx, python3-numpy, python3-pil
Section: misc
Priority: optional
Homepage: https://pitbox.invalid
Description: studio edge appliance for live-casino tables
 Reads the roulette wheel (Cammegh SS2) and the cards dealt at baccarat and
 blackjack tables, encodes the table's cameras, runs the table's game and
 publishes signed, hash-chained results over MQTT, journaled in SQLite first.
EOF
cat >"$stage/DEBIAN/postinst" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
  systemd-sysusers /usr/lib/sysusers.d/pitbox.conf
  if command -v systemd-tmpfiles >/dev/null 2>&1; then
    systemd-tmpfiles --create /usr/lib/tmpfiles.d/pitbox.conf
  fi
  if [ -d /run/systemd/system ]; then
    systemctl daemon-reload || true
    udevadm control --reload-rules || true
    # Running tables pick up the new version; their journals and keys are untouched.
    systemctl try-restart 'pitbox@*.service' || true
  fi
fi
exit 0
EOF
cat >"$stage/DEBIAN/prerm" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
  systemctl stop 'pitbox@*.service' || true
fi
exit 0
EOF
cat >"$stage/DEBIAN/postrm" <<'EOF'
#!/bin/sh
set -e
# Never removes /var/lib/pitbox (journals) or /etc/pitbox (keys, configs), not even on purge:
# a deleted journal cannot be recovered and a fresh one would reuse seq numbers.
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
exit 0
EOF
chmod 0755 "$stage/DEBIAN/postinst" "$stage/DEBIAN/prerm" "$stage/DEBIAN/postrm"

mkdir -p "$out"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$out/$name.deb" >/dev/null
echo "$out/$name.deb"
