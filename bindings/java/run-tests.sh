#!/usr/bin/env bash
# Tests the Java binding for real: builds libtokenbridge, starts the sandbox, then
# `mvn -B verify` (Maven Central, plugins pinned in pom.xml) compiles the binding at the
# Java 8 level, puts libtokenbridge.so into the jar as linux-x86-64/libtokenbridge.so and
# runs the JUnit 5 tests (src/test/java) against the sandbox, loading the library from the
# classpath (no jna.library.path). Then checks the jar holds the library, and runs the
# README's first call (at most five lines) and its example against the jar alone.
# ProxyTest goes through the proxy lab (scripts/netlab.sh), started after the sandbox;
# TokenStoreTest uses the Redis lab (scripts/redislab.sh) too.
# Installs Maven / a JDK when missing (as root). Exits non-zero on any failure.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

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

if ! command -v javac >/dev/null 2>&1; then
    apt_install openjdk-17-jdk-headless
fi
if ! command -v mvn >/dev/null 2>&1; then
    apt_install maven
fi

echo "== cargo build --release --lib --features redis"
cargo build --release --lib --features redis --quiet
target_dir="${CARGO_TARGET_DIR:-$root/target}"
lib_dir="$target_dir/release"

echo "== tokenbridge-sandbox (cargo install --path . --features sandbox)"
# shellcheck source=../../scripts/sandbox.sh
source "$root/scripts/sandbox.sh"
lab="$(mktemp -d)"
cleanup() {
    bash "$root/scripts/redislab.sh" stop "$lab/redis"
    bash "$root/scripts/netlab.sh" stop "$lab"
    rm -rf "$lab"
    sandbox_stop
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
sandbox_start
url=$TOKENBRIDGE_SANDBOX_URL
echo "sandbox at $url"
# ProxyTest goes through it: surefire's JVM inherits the TB_LAB_* variables.
echo "== the proxy lab (scripts/netlab.sh: nginx TLS front, tinyproxy open and with Basic auth)"
bash "$root/scripts/netlab.sh" start "$lab" "${url#http://}"
# shellcheck disable=SC1091 # written by netlab.sh
source "$lab/env"
# TokenStoreTest's redis:// case uses it (TB_REDIS_URL: an ACL user and password).
echo "== the Redis lab (scripts/redislab.sh: redis-server with an ACL user)"
bash "$root/scripts/redislab.sh" start "$lab/redis"
# shellcheck disable=SC1091 # written by redislab.sh
source "$lab/redis/env"

# Maven's downloads stay inside the tree (once per fresh clone), nothing in ~/.m2.
m2="$root/target/m2"
jar="$here/target/tokenbridge-0.2.0.jar"
echo "== mvn -B verify (bindings/java; no jna.library.path: the library comes from the jar's resources)"
rm -rf "$here/target"
(cd "$here" && TOKENBRIDGE_SANDBOX_URL="$url" mvn -B -ntp -Dstyle.color=never -Dmaven.repo.local="$m2" \
    -Dtokenbridge.native.dir="$lib_dir" \
    -Dtokenbridge.native.win-x64.dir="$target_dir/x86_64-pc-windows-gnu/release" \
    -Dtokenbridge.native.linux-arm64.dir="$target_dir/aarch64-unknown-linux-gnu/release" verify)

echo "== the jar carries the native library"
listing="$(unzip -l "$jar")"
if ! grep -E '[[:space:]]linux-x86-64/libtokenbridge\.so$' <<<"$listing"; then
    echo "$jar has no linux-x86-64/libtokenbridge.so" >&2
    exit 1
fi
# The cross builds (scripts/cross.sh build): in the jar whenever they were built, and
# required when TOKENBRIDGE_REQUIRE_CROSS=1 (scripts/test.sh builds them first).
for native in "win32-x86-64/tokenbridge.dll:x86_64-pc-windows-gnu/release/tokenbridge.dll" \
    "linux-aarch64/libtokenbridge.so:aarch64-unknown-linux-gnu/release/libtokenbridge.so"; do
    entry=${native%%:*}
    built=$target_dir/${native#*:}
    if grep -E "[[:space:]]${entry//./\\.}\$" <<<"$listing"; then
        continue
    fi
    if [ -f "$built" ] || [ "${TOKENBRIDGE_REQUIRE_CROSS:-0}" = 1 ]; then
        echo "$jar has no $entry (build it with: bash scripts/cross.sh build)" >&2
        exit 1
    fi
    echo "    (no $entry: $built was not built; bash scripts/cross.sh build makes it)"
done

# The JNA jar Maven resolved (the version pom.xml pins).
jna_version="$(sed -n '/<artifactId>jna<\/artifactId>/{n;s/.*<version>\(.*\)<\/version>.*/\1/p;}' "$here/pom.xml")"
jna_jar="$m2/net/java/dev/jna/jna/$jna_version/jna-$jna_version.jar"
[ -f "$jna_jar" ] || { echo "JNA $jna_version not in $m2" >&2; exit 1; }

# The README's example must be examples/Example.java, character for character.
build="$here/target/example"
mkdir -p "$build/classes" "$build/first-call"
# The java block after a marker line of README.md.
readme_block() {
    awk -v marker="$1" '$0 == marker {found=1; next} found && /^```java$/ {inside=1; next} inside && /^```$/ {exit} inside {print}' \
        "$here/README.md"
}
readme_block '<!-- example: examples/Example.java -->' >"$build/ReadmeExample.java"
if ! diff -u "$here/examples/Example.java" "$build/ReadmeExample.java"; then
    echo "README.md's example differs from examples/Example.java" >&2
    exit 1
fi

# jna.encoding=ISO-8859-1: the binding must send UTF-8 whatever JNA's default is.
run_java() {
    TOKENBRIDGE_SANDBOX_URL="$url" java -Djna.encoding=ISO-8859-1 -Djna.tmpdir="$build/jna" "$@"
}

echo "== README's first call (at most five lines) against the jar"
readme_block '<!-- first call: run-tests.sh runs this block -->' >"$build/first-call.txt"
lines=$(wc -l <"$build/first-call.txt")
if [ "$lines" -lt 1 ] || [ "$lines" -gt 5 ]; then
    echo "README.md's first call has $lines lines (1 to 5 wanted)" >&2
    exit 1
fi
grep -q 'http://127.0.0.1:8787' "$build/first-call.txt" || { echo "the first call does not name the sandbox URL" >&2; exit 1; }
{
    echo 'import io.tokenbridge.*;'
    echo 'public class FirstCall {'
    echo '    public static void main(String[] args) {'
    sed "s|http://127.0.0.1:8787|$url|" "$build/first-call.txt"
    echo '    }'
    echo '}'
} >"$build/first-call/FirstCall.java"
javac --release 8 -encoding UTF-8 -Xlint:all -Werror -cp "$jar:$jna_jar" -d "$build/first-call" \
    "$build/first-call/FirstCall.java"
run_java -cp "$jar:$jna_jar:$build/first-call" FirstCall | tee "$build/first-call.log"
grep -q '^token expires at [0-9]' "$build/first-call.log" || { echo "the first call printed no expiry" >&2; exit 1; }

echo "== README's webhook receiver compiles against the jar (it serves forever: WebhookTest runs its handler)"
mkdir -p "$build/webhook-receiver"
readme_block '<!-- webhook receiver: run-tests.sh compiles this block -->' >"$build/webhook-receiver/WebhookReceiver.java"
[ -s "$build/webhook-receiver/WebhookReceiver.java" ] || { echo "README.md has no webhook receiver block" >&2; exit 1; }
javac --release 8 -encoding UTF-8 -Xlint:all -Werror -cp "$jar:$jna_jar" -d "$build/webhook-receiver" \
    "$build/webhook-receiver/WebhookReceiver.java"

echo "== README example against the jar (classpath: the jar and JNA, nothing else)"
javac --release 8 -encoding UTF-8 -Xlint:all -Werror -cp "$jar:$jna_jar" -d "$build/classes" \
    "$here/examples/Example.java"
if ! { run_java -cp "$jar:$jna_jar:$build/classes" Example | tee "$build/example.log"; }; then
    echo "the README example failed" >&2
    exit 1
fi
grep -q '^REJECTED: ' "$build/example.log" || { echo "the example did not print its REJECTED line" >&2; exit 1; }
grep -q '^department financeiro: ' "$build/example.log" || { echo "the example printed no department" >&2; exit 1; }
echo "== Java binding: all green"
