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

echo "== sandbox"
cargo build --quiet --example sandbox
# The sandbox runs until its stdin reaches EOF or it is killed. Its stdin is a FIFO this
# script holds open on fd 3, so it also stops if this script dies without running the trap.
mkfifo "$build/sandbox.in"
exec 3<>"$build/sandbox.in"
cargo run --quiet --example sandbox <"$build/sandbox.in" >"$build/sandbox.out" 2>"$build/sandbox.err" &
sandbox_pid=$!
cleanup() {
    exec 3>&- 2>/dev/null || true
    if kill -0 "$sandbox_pid" 2>/dev/null; then
        kill "$sandbox_pid" 2>/dev/null || true
        wait "$sandbox_pid" 2>/dev/null || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

url=""
for _ in $(seq 1 600); do # up to 60 s
    line="$(head -n 1 "$build/sandbox.out" 2>/dev/null || true)"
    case "$line" in
        TOKENBRIDGE_SANDBOX_URL=*) url="${line#TOKENBRIDGE_SANDBOX_URL=}"; break ;;
    esac
    if ! kill -0 "$sandbox_pid" 2>/dev/null; then
        echo "error: the sandbox exited early:" >&2
        cat "$build/sandbox.err" >&2
        exit 1
    fi
    sleep 0.1
done
if [ -z "$url" ]; then
    echo "error: no TOKENBRIDGE_SANDBOX_URL= line from the sandbox within 60 s" >&2
    cat "$build/sandbox.err" >&2
    exit 1
fi
echo "sandbox at $url"
export TOKENBRIDGE_SANDBOX_URL="$url"
export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export MONO_ENV_OPTIONS="${MONO_ENV_OPTIONS:---debug}" # line numbers in stack traces

echo "== Example.exe (the README's example)"
(cd "$build" && mono Example.exe)

echo "== Tests.exe"
(cd "$build" && mono Tests.exe)
