#!/usr/bin/env bash
# Tests the Python binding against the sandbox: builds the library, starts the
# sandbox, runs tests/test_tokenbridge.py and example.py. Exits non-zero on any failure.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

python="${PYTHON:-python3}"
command -v "$python" >/dev/null || { echo "run-tests.sh: $python not found" >&2; exit 1; }

echo "== cargo build --release"
cargo build --release --quiet
case "$(uname -s)" in
  Darwin) lib="$root/target/release/libtokenbridge.dylib" ;;
  MINGW*|MSYS*|CYGWIN*) lib="$root/target/release/tokenbridge.dll" ;;
  *) lib="$root/target/release/libtokenbridge.so" ;;
esac
[ -f "$lib" ] || { echo "run-tests.sh: $lib was not built" >&2; exit 1; }
export TOKENBRIDGE_LIBRARY="$lib"

work="$(mktemp -d)"
# shellcheck source=../../scripts/sandbox.sh
source "$root/scripts/sandbox.sh"
cleanup() {
  sandbox_stop
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo "== starting tokenbridge-sandbox (cargo install --path . --features sandbox)"
sandbox_start
url=$TOKENBRIDGE_SANDBOX_URL
echo "sandbox at $url"

cd "$here"
echo "== tests/test_tokenbridge.py"
"$python" -X dev tests/test_tokenbridge.py -v

echo "== example.py"
"$python" -X dev example.py
echo "== Python binding: all green"
