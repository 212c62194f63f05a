#!/usr/bin/env bash
# The native addons scripts/setup.sh builds from source (better-sqlite3, serialport's bindings,
# gstreamer-superficial, node-gtk, opencv4nodejs: about 10 minutes on a 2-core box, the OpenCV
# one alone 4.5), kept outside the checkout so that the next clean clone on the same machine
# reuses them instead of compiling them again.
#
#   addon-cache.sh restore   exit 0 when every addon was restored from the cache and loads
#   addon-cache.sh save      store the addons just built
#
# Reused only when nothing that goes into them changed: the key hashes the lockfile (each
# package's version and integrity), our build script and patches, this script, Node's version,
# ABI and architecture, and the Debian versions of the compiler and of every library they are
# built against. A restored addon must also load (dlopen, which checks Node's ABI and every
# symbol) or the whole set is built again. PITBOX_ADDON_CACHE=off never uses the cache;
# PITBOX_ADDON_CACHE=DIR puts it elsewhere (default ~/.cache/pitbox/addons).
set -euo pipefail
cd "$(dirname "$0")/.."

# The built file of each addon, where its package's loader looks for it.
addons=(
  better-sqlite3/build/Release/better_sqlite3.node
  @serialport/bindings-cpp/build/Release/bindings.node
  gstreamer-superficial/build/Release/gstreamer-superficial.node
  "node-gtk/lib/binding/node-v$(node -p process.versions.modules)-linux-$(node -p process.arch)/node_gtk.node"
  @u4/opencv4nodejs/build/Release/opencv4nodejs.node
)
debs=(g++ libc6-dev libopencv-dev libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libgirepository1.0-dev libcairo2-dev)

root=${PITBOX_ADDON_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pitbox/addons}
if [ "$root" = off ]; then [ "${1:-}" = save ]; exit; fi
key=$( {
  sha256sum package-lock.json scripts/build-opencv4nodejs.sh scripts/patches/* scripts/addon-cache.sh
  node -p 'process.version + " " + process.versions.modules + " " + process.arch'
  dpkg-query -W -f='${Package} ${Version}\n' "${debs[@]}" 2>&1
} | sha256sum | cut -d' ' -f1)
dir=$root/$key

loads() {
  node -e 'for (const f of process.argv.slice(1)) process.dlopen({ exports: {} }, f)' "${@/#/node_modules/}"
}

case "${1:-}" in
  restore)
    [ -d "$dir" ] || exit 1
    for a in "${addons[@]}"; do
      mkdir -p "node_modules/$(dirname "$a")"
      cp --remove-destination "$dir/$a" "node_modules/$a"   # never through a hard link into another tree
    done
    if ! loads "${addons[@]}" 2>/dev/null; then
      echo "native addons: the cached build at $dir does not load here; building"
      exit 1
    fi
    echo "native addons: reused from $dir (PITBOX_ADDON_CACHE=off to build them)"
    ;;
  save)
    loads "${addons[@]}"
    mkdir -p "$root"
    tmp=$(mktemp -d "$root/.tmp.XXXXXX")
    for a in "${addons[@]}"; do
      mkdir -p "$tmp/$(dirname "$a")"
      cp "node_modules/$a" "$tmp/$a"
    done
    # A whole set or nothing: a run that dies half way leaves only its temporary directory.
    if mv -T "$tmp" "$dir" 2>/dev/null; then echo "native addons: saved in $dir"; else rm -rf "$tmp"; fi
    ;;
  *)
    echo "usage: addon-cache.sh restore|save" >&2
    exit 2
    ;;
esac
