#!/usr/bin/env bash
# Builds @u4/opencv4nodejs against Debian's OpenCV 4.6 with only the modules the card
# pipeline uses. The package ships no install script of its own (npm would run a bare
# `node-gyp rebuild` that compiles every module, one file at a time: ~12 min here), so
# scripts/setup.sh installs with --ignore-scripts and calls this instead.
set -euo pipefail
cd "$(dirname "$0")/.."

pkg=node_modules/@u4/opencv4nodejs
[ -d "$pkg" ] || { echo "build-opencv4nodejs: $pkg is not installed (run npm ci first)" >&2; exit 1; }

# core: Mat; imgproc: colour, threshold, contours, perspective warp, drawing; imgcodecs: JPEG/PNG
# in and out; the package's io bindings (imdecode/imencode) exist only with videoio and highgui too.
modules=(core imgproc imgcodecs videoio highgui)
libdir=/usr/lib/x86_64-linux-gnu
[ -d "$libdir" ] || libdir=/usr/lib/$(gcc -dumpmachine)

defines=() libs=("-L$libdir")
for m in "${modules[@]}"; do
  defines+=("OPENCV4NODEJS_FOUND_LIBRARY_${m^^}")
  libs+=("-lopencv_$m")
done
libs+=("-Wl,-rpath,$libdir")

# binding_old.gyp reads these three variables as they are (install/parseEnv.js);
# binding.gyp would recompute them from every library in $libdir.
export OPENCV4NODEJS_DEFINES OPENCV4NODEJS_INCLUDES OPENCV4NODEJS_LIBRARIES
OPENCV4NODEJS_DEFINES=$(IFS=';'; echo "${defines[*]}")
OPENCV4NODEJS_INCLUDES="/usr/include/opencv4;/usr/include"
OPENCV4NODEJS_LIBRARIES=$(IFS=';'; echo "${libs[*]}")

# Build against the headers of the Node that runs us: node-gyp would otherwise download them.
node_prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
gyp_args=(--release --jobs "$(nproc)")
[ -f "$node_prefix/include/node/node.h" ] && gyp_args+=("--nodedir=$node_prefix")

cd "$pkg"
# The sources choose their modules from OpenCV's own opencv_modules.hpp (everything Debian
# built), not from our defines: the addon would compile every binding and then fail to load on
# the symbols of the libraries we do not link. Undefine the modules we leave out, so their
# sources compile to nothing (also most of the build time).
if ! grep -q 'pitbox: modules' cc/opencv_modules.h; then
  keep=" ${modules[*]^^} "
  undefs=""
  for m in $(sed -n 's/^#define HAVE_OPENCV_\([A-Z0-9_]*\).*/\1/p' /usr/include/opencv4/opencv2/opencv_modules.hpp); do
    [[ "$keep" == *" $m "* ]] || undefs+="#undef HAVE_OPENCV_$m;"
  done
  awk -v undefs="$undefs" '{ print } /^#include <opencv2\/opencv_modules.hpp>/ {
    print "// pitbox: modules not linked"; n = split(undefs, u, ";"); for (i = 1; i < n; i++) print u[i] }' \
    cc/opencv_modules.h >cc/opencv_modules.h.new
  mv cc/opencv_modules.h.new cc/opencv_modules.h
fi
# binding_old.gyp predates the cjs/ layout of the published package.
sed "s#\./install/parseEnv\.js#./cjs/install/parseEnv.js#g" binding_old.gyp >binding.gyp
../../.bin/node-gyp rebuild "${gyp_args[@]}" >build.log 2>&1 || {
  tail -40 build.log >&2; echo "build-opencv4nodejs: node-gyp failed; full log in $pkg/build.log" >&2; exit 1; }
echo "opencv4nodejs: built with ${modules[*]}"
