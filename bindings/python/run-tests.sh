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

echo "== building the sandbox"
cargo build --quiet --example sandbox

work="$(mktemp -d)"
sandbox_pid=""
cleanup() {
  exec 9>&- 2>/dev/null || true  # EOF on the sandbox's stdin
  if [ -n "$sandbox_pid" ]; then
    kill "$sandbox_pid" 2>/dev/null || true
    wait "$sandbox_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo "== starting the sandbox"
mkfifo "$work/stdin"
# The sandbox also stops when its stdin reaches EOF: keep a writer open on the fifo
# (fd 9) for as long as this script runs.
cargo run --quiet --example sandbox <"$work/stdin" >"$work/sandbox.out" 2>"$work/sandbox.err" &
sandbox_pid=$!
exec 9>"$work/stdin"

url=""
for _ in $(seq 1 300); do  # up to 30 s (it was built above)
  url="$(sed -n 's/^TOKENBRIDGE_SANDBOX_URL=//p' "$work/sandbox.out" | head -n 1)"
  [ -n "$url" ] && break
  if ! kill -0 "$sandbox_pid" 2>/dev/null; then
    echo "run-tests.sh: the sandbox exited early:" >&2
    cat "$work/sandbox.err" >&2
    exit 1
  fi
  sleep 0.1
done
[ -n "$url" ] || { echo "run-tests.sh: no TOKENBRIDGE_SANDBOX_URL= line after 30 s" >&2; cat "$work/sandbox.err" >&2; exit 1; }
export TOKENBRIDGE_SANDBOX_URL="$url"
echo "sandbox at $url"

cd "$here"
echo "== tests/test_tokenbridge.py"
"$python" -X dev tests/test_tokenbridge.py -v

echo "== example.py"
"$python" -X dev example.py
echo "== Python binding: all green"
