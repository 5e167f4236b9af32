#!/usr/bin/env bash
# Tests the Python binding as users install it: builds the wheel (build-wheel.sh:
# the release library inside, a manylinux tag), checks its tag and contents, installs
# it in a fresh virtualenv, starts the sandbox and runs tests/test_tokenbridge.py and
# example.py with that virtualenv's python, WITHOUT TOKENBRIDGE_LIBRARY (the package
# loads the library inside it), then tests/test_proxy.py through the proxy lab
# (scripts/netlab.sh, stopped on exit). The token store tests' redis:// case uses the
# Redis lab (scripts/redislab.sh, stopped on exit). Exits non-zero on any failure.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

python="${PYTHON:-python3}"
command -v "$python" >/dev/null || { echo "run-tests.sh: $python not found" >&2; exit 1; }
command -v unzip >/dev/null || {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && apt-get install -y -qq unzip
  else
    echo "run-tests.sh: unzip is missing; install it: sudo apt-get install -y unzip" >&2; exit 1
  fi
}
export PIP_CACHE_DIR="${PIP_CACHE_DIR:-$root/target/python-wheel/pip-cache}"
export PIP_DISABLE_PIP_VERSION_CHECK=1
unset TOKENBRIDGE_LIBRARY

work="$(mktemp -d)"
# shellcheck source=../../scripts/sandbox.sh
source "$root/scripts/sandbox.sh"
cleanup() {
  bash "$root/scripts/redislab.sh" stop "$work/redis"
  bash "$root/scripts/netlab.sh" stop "$work/lab"
  sandbox_stop
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo "== build-wheel.sh"
wheel="$(PYTHON="$python" bash "$here/build-wheel.sh" | tail -n 1)"
name="$(basename "$wheel")"
echo "wheel: $name"

echo "== the wheel is a platform wheel with the library inside"
case "$name" in
  tokenbridge-0.2.0-py3-none-manylinux_*.whl) ;;
  *) echo "run-tests.sh: $name: expected a py3-none-manylinux_* platform tag" >&2; exit 1 ;;
esac
case "$name" in
  *-none-any.whl) echo "run-tests.sh: $name is a pure wheel" >&2; exit 1 ;;
esac
unzip -l "$wheel" | tee "$work/contents"
grep -q ' tokenbridge/libtokenbridge\.so$' "$work/contents" ||
  { echo "run-tests.sh: tokenbridge/libtokenbridge.so is not in $name" >&2; exit 1; }
unzip -p "$wheel" tokenbridge-0.2.0.dist-info/WHEEL | tee "$work/WHEEL"
grep -q '^Root-Is-Purelib: false' "$work/WHEEL" &&
  grep -q '^Tag: py3-none-manylinux_' "$work/WHEEL" ||
  { echo "run-tests.sh: the wheel's WHEEL file has the wrong tag or purelib flag" >&2; exit 1; }

# The cross builds' wheels (scripts/cross.sh build): built and listed when the libraries
# exist, required when TOKENBRIDGE_REQUIRE_CROSS=1 (scripts/test.sh builds them first).
# Nothing here can run them: no Windows or arm64 Python on this machine.
target_dir="${CARGO_TARGET_DIR:-$root/target}"
for cross in "x86_64-pc-windows-gnu:tokenbridge.dll:win_amd64" \
  "aarch64-unknown-linux-gnu:libtokenbridge.so:manylinux_*_aarch64"; do
  triple=${cross%%:*}; file=${cross#*:}; file=${file%%:*}; tag=${cross##*:}
  if [ ! -f "$target_dir/$triple/release/$file" ]; then
    if [ "${TOKENBRIDGE_REQUIRE_CROSS:-0}" = 1 ]; then
      echo "run-tests.sh: no $triple library for its wheel (run: bash scripts/cross.sh build)" >&2; exit 1
    fi
    echo "(no $triple wheel: bash scripts/cross.sh build makes its library)"
    continue
  fi
  echo "== build-wheel.sh --target $triple"
  cross_wheel="$(TOKENBRIDGE_WHEEL_DIST="$work/dist-$triple" PYTHON="$python" bash "$here/build-wheel.sh" --target "$triple" | tail -n 1)"
  cross_name="$(basename "$cross_wheel")"
  # shellcheck disable=SC2254 # the tag is a pattern
  case "$cross_name" in
    tokenbridge-0.2.0-py3-none-$tag.whl) ;;
    *) echo "run-tests.sh: $cross_name: expected the tag py3-none-$tag" >&2; exit 1 ;;
  esac
  unzip -l "$cross_wheel" | tee "$work/contents-$triple"
  grep -q " tokenbridge/${file//./\\.}\$" "$work/contents-$triple" ||
    { echo "run-tests.sh: tokenbridge/$file is not in $cross_name" >&2; exit 1; }
  grep -q ' tokenbridge/_native\.py$' "$work/contents-$triple" ||
    { echo "run-tests.sh: $cross_name has no tokenbridge/_native.py" >&2; exit 1; }
  echo "wheel: $cross_name"
done

echo "== fresh virtualenv, pip install $name"
if ! "$python" -m venv "$work/venv"; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    rm -rf "$work/venv"
    apt-get update -qq && apt-get install -y -qq python3-venv
    "$python" -m venv "$work/venv"
  else
    echo "run-tests.sh: '$python -m venv' failed; install the venv module:" >&2
    echo "  sudo apt-get install -y python3-venv" >&2
    exit 1
  fi
fi
venv_python="$work/venv/bin/python"
# The README's install line, as written (from the repository root).
(cd "$root" && "$venv_python" -m pip install --quiet --no-index bindings/python/dist/tokenbridge-0.2.0-*.whl)
(cd "$work" && "$venv_python" -c \
  'import tokenbridge; print("installed", tokenbridge.__file__, "library", tokenbridge.library_version())')

echo "== starting tokenbridge-sandbox (cargo install --path . --features sandbox)"
sandbox_start
url=$TOKENBRIDGE_SANDBOX_URL
echo "sandbox at $url"

echo "== the proxy lab (scripts/netlab.sh: nginx TLS front, tinyproxy open and with Basic auth)"
bash "$root/scripts/netlab.sh" start "$work/lab" "${url#http://}"
# shellcheck disable=SC1091 # written by netlab.sh
source "$work/lab/env"

# The token store tests' redis:// case uses it (TB_REDIS_URL: an ACL user and password).
echo "== the Redis lab (scripts/redislab.sh: redis-server with an ACL user)"
bash "$root/scripts/redislab.sh" start "$work/redis"
source "$work/redis/env"

echo "== the README's first call (installed wheel, no TOKENBRIDGE_LIBRARY)"
"$python" - "$here/README.md" "$work/first_call.py" "$url" <<'PY'
import re, sys
readme, out, url = sys.argv[1:]
text = open(readme, encoding="utf-8").read()
m = re.search(r"<!-- first call: run-tests.sh runs this block -->\n```python\n(.*?)\n```", text, re.S)
assert m, "README.md: the first-call block is missing"
code = m.group(1)
assert len(code.splitlines()) <= 5, "README.md: the first call is longer than five lines"
assert "http://127.0.0.1:8787" in code
open(out, "w", encoding="utf-8").write(code.replace("http://127.0.0.1:8787", url) + "\n")
PY
(cd "$work" && "$venv_python" -X dev first_call.py)

echo "== tests/test_tokenbridge.py (installed wheel, no TOKENBRIDGE_LIBRARY)"
cd "$here"
TOKENBRIDGE_TEST_INSTALLED=1 "$venv_python" -X dev tests/test_tokenbridge.py -v

echo "== tests/test_proxy.py: through the lab's proxies (installed wheel)"
TOKENBRIDGE_TEST_INSTALLED=1 "$venv_python" -X dev tests/test_proxy.py -v

echo "== example.py (installed wheel, no TOKENBRIDGE_LIBRARY)"
# Run from a copy: python puts a script's folder first on sys.path, and this folder
# holds the source package.
cp "$here/example.py" "$work/example.py"
(cd "$work" && "$venv_python" -X dev example.py)
echo "== Python binding: all green"
