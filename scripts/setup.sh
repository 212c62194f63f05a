#!/usr/bin/env bash
# Everything pitbox needs on a fresh Debian 12 machine, idempotently: Debian packages, npm
# dependencies, native addons built from source, and the TypeScript build. A second run with
# nothing changed takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-system-deps.sh

# No install step may fetch a binary: native addons build against Debian's libraries and
# Node's own headers. onnxruntime-node's postinstall would fetch CUDA libraries; we never run it
# (its CPU runtime ships in the package).
export ONNXRUNTIME_NODE_INSTALL=skip npm_config_build_from_source=true
stamp=node_modules/.pitbox-deps
want=$(sha256sum package-lock.json scripts/build-opencv4nodejs.sh scripts/patches/* | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "npm: installing dependencies"
  # --ignore-scripts: @u4/opencv4nodejs has a binding.gyp but no install script, so npm would run
  # a bare node-gyp rebuild of every OpenCV module. The addons we need are built by name below.
  # --prefer-offline: what npm's cache holds is used without asking the registry again (the
  # lockfile pins each tarball's integrity); anything missing is still downloaded.
  npm ci --prefer-offline --ignore-scripts --no-audit --no-fund
  # Our patch to gstreamer-superficial: appsink pulls also give each buffer's PTS, capture clock
  # time and keyframe flag (the camera worker stamps frames with their capture time).
  patch -d node_modules/gstreamer-superficial -p1 --forward --quiet <scripts/patches/gstreamer-superficial-timing.patch
  # node-gtk (WHIP: webrtcbin through GObject introspection) builds from source against Debian's
  # GStreamer introspection data (npm_config_build_from_source: node-pre-gyp never downloads).
  # The same addons built before on this machine, from the same sources against the same
  # libraries, are reused (scripts/addon-cache.sh says what must match): minutes of compiling.
  if bash scripts/addon-cache.sh restore; then
    npm rebuild --no-audit esbuild
  else
    npm rebuild --no-audit better-sqlite3 @serialport/bindings-cpp gstreamer-superficial esbuild node-gtk
    bash scripts/build-opencv4nodejs.sh
    bash scripts/addon-cache.sh save
  fi
  echo "$want" >"$stamp"
fi

npm run --silent build
