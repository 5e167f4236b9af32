#!/usr/bin/env bash
# Tests the C# binding for real: builds the native library, starts the sandbox,
# compiles TokenBridge.cs + Tests.cs (and the README's example, Example.cs) with Mono's
# C# 7 compiler and runs them. Exits non-zero on any failure.
#
# Needs Mono (Debian: mono-mcs, which brings mono-runtime); installs it when missing and
# running as root, else prints the command to run.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

apt_cmd="apt-get install -y --no-install-recommends mono-mcs mono-runtime"
if ! command -v mcs >/dev/null 2>&1 || ! command -v mono >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
        echo "== installing Mono: $apt_cmd"
        export DEBIAN_FRONTEND=noninteractive
        $apt_cmd >/dev/null || { apt-get update >/dev/null && $apt_cmd >/dev/null; }
    else
        echo "error: Mono's C# compiler (mcs) and runtime (mono) are missing; install them with:" >&2
        echo "    sudo $apt_cmd" >&2
        exit 1
    fi
fi

echo "== cargo build --release"
cargo build --release --quiet
target_dir="${CARGO_TARGET_DIR:-$root/target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac
libdir="$target_dir/release"
if [ ! -f "$libdir/libtokenbridge.so" ]; then
    echo "error: $libdir/libtokenbridge.so was not built" >&2
    exit 1
fi

build="$here/build"
rm -rf "$build"
mkdir -p "$build"

# The README's example must be Example.cs, character for character, so that what users
# copy is what runs here.
awk '/^<!-- Example.cs -->$/ { grab = 1; next }
     grab && /^```csharp$/ { inside = 1; next }
     inside && /^```$/ { exit }
     inside { print }' "$here/README.md" > "$build/Example.from-readme.cs"
if ! diff -u "$here/Example.cs" "$build/Example.from-readme.cs"; then
    echo "error: the example in README.md differs from Example.cs (diff above)" >&2
    exit 1
fi

echo "== mcs (C# 7)"
mcs_flags=(-langversion:7 -warn:4 -warnaserror+ -nologo -debug)
mcs "${mcs_flags[@]}" -target:library -doc:"$build/TokenBridge.xml" -out:"$build/TokenBridge.dll" "$here/TokenBridge.cs"
mcs "${mcs_flags[@]}" -out:"$build/Tests.exe" "$here/TokenBridge.cs" "$here/Tests.cs"
mcs "${mcs_flags[@]}" -out:"$build/Example.exe" -r:"$build/TokenBridge.dll" "$here/Example.cs"

echo "== tokenbridge-sandbox (cargo install --path . --features sandbox)"
# shellcheck source=../../scripts/sandbox.sh
source "$root/scripts/sandbox.sh"
trap sandbox_stop EXIT
trap 'exit 130' INT TERM
sandbox_start
url=$TOKENBRIDGE_SANDBOX_URL
echo "sandbox at $url"
export TOKENBRIDGE_SANDBOX_URL="$url"
export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export MONO_ENV_OPTIONS="${MONO_ENV_OPTIONS:---debug}" # line numbers in stack traces

echo "== Example.exe (the README's example)"
(cd "$build" && mono Example.exe)

echo "== Tests.exe"
(cd "$build" && mono Tests.exe)
