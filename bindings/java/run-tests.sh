#!/usr/bin/env bash
# Tests the Java binding for real: builds libtokenbridge, starts the sandbox, compiles
# the binding (Java 8 level) against Debian's JNA, runs TokenBridgeTest and the README
# example. Installs libjna-java when missing (as root). Exits non-zero on any failure.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

JNA_JAR="${JNA_JAR:-/usr/share/java/jna.jar}"

apt_install() {
    if [ "$(id -u)" = 0 ]; then
        echo "== apt-get install $*"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
    else
        echo "missing: run as root:  apt-get update && apt-get install -y $*" >&2
        exit 1
    fi
}

if [ ! -f "$JNA_JAR" ]; then
    apt_install libjna-java
fi
if ! command -v javac >/dev/null 2>&1; then
    apt_install openjdk-17-jdk-headless
fi

echo "== cargo build --release"
cargo build --release --quiet
target_dir="${CARGO_TARGET_DIR:-$root/target}"
lib_dir="$target_dir/release"

echo "== tokenbridge-sandbox (cargo install --path . --features sandbox)"
tmp="$(mktemp -d)"
# shellcheck source=../../scripts/sandbox.sh
source "$root/scripts/sandbox.sh"
cleanup() {
    sandbox_stop
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
sandbox_start
url=$TOKENBRIDGE_SANDBOX_URL
echo "sandbox at $url"

echo "== javac --release 8"
build="$target_dir/java-binding"
rm -rf "$build"
mkdir -p "$build/classes" "$build/example"
javac --release 8 -encoding UTF-8 -Xlint:all -Werror -cp "$JNA_JAR" -d "$build/classes" \
    $(find "$here/src/main/java" "$here/src/test/java" -name '*.java')

# The README's example must be examples/Example.java, character for character.
awk '/^```java$/ {inside=1; next} /^```$/ && inside {exit} inside {print}' "$here/README.md" >"$build/ReadmeExample.java"
if ! diff -u "$here/examples/Example.java" "$build/ReadmeExample.java"; then
    echo "README.md's example differs from examples/Example.java" >&2
    exit 1
fi
javac --release 8 -encoding UTF-8 -Xlint:all -Werror -cp "$JNA_JAR:$build/classes" -d "$build/example" \
    "$here/examples/Example.java"

cp_run="$build/classes:$JNA_JAR"
# jna.encoding=ISO-8859-1: the binding must send UTF-8 whatever JNA's default is.
java_opts=(-Djna.library.path="$lib_dir" -Djna.encoding=ISO-8859-1)

echo "== TokenBridgeTest"
if ! { java "${java_opts[@]}" -cp "$cp_run" io.tokenbridge.TokenBridgeTest "$url" | tee "$build/test.log"; }; then
    echo "TokenBridgeTest failed" >&2
    exit 1
fi

echo "== README example"
if ! { TOKENBRIDGE_SANDBOX_URL="$url" java "${java_opts[@]}" -cp "$cp_run:$build/example" Example \
    | tee "$build/example.log"; }; then
    echo "the README example failed" >&2
    exit 1
fi
grep -q '^REJECTED: ' "$build/example.log" || { echo "the example did not print its REJECTED line" >&2; exit 1; }

# The closing line is the test count.
tail -n 1 "$build/test.log"
