#!/usr/bin/env bash
# Follows README.md's C install ("C and C++") as a new user would, from a clean prefix
# (mktemp -d, a directory the dynamic loader does not search):
#
# * installs with scripts/install.sh (as root with --ldconfig, which adds an
#   /etc/ld.so.conf.d entry for the prefix and runs ldconfig);
# * checks the files: libtokenbridge.so.X.Y.Z with SONAME $TB_SONAME (readelf),
#   the two symlinks, the pkg-config and CMake files;
# * builds bindings/c/example.c five ways and runs each against the sandbox, with no
#   LD_LIBRARY_PATH and no ldconfig of its own:
#     pkg-config shared                  (found through ldconfig; root only)
#     pkg-config shared + -Wl,-rpath    (the way without root)
#     pkg-config --static tokenbridge    (ldd: no libtokenbridge)
#     pkg-config tokenbridge-static      (ldd: no libtokenbridge)
#     CMake find_package(tokenbridge 0.2 REQUIRED), tokenbridge::tokenbridge and
#     tokenbridge::tokenbridge_static, also from a copy of the prefix elsewhere;
# * removes everything it created, its /etc/ld.so.conf.d entry included.
#
# usage: bash bindings/c/run-install.sh
set -euo pipefail
# shellcheck source=/dev/null
source "$(cd "$(dirname "$0")/../.." && pwd)/scripts/abi.sh"
cd "$(dirname "$0")/../.."
root=$PWD
here=$root/bindings/c

step() { printf '\n== %s\n' "$*"; }
die() {
    echo "run-install: $*" >&2
    exit 1
}
is_root=0
[ "$(id -u)" = 0 ] && is_root=1

# ---------------------------------------------------------------- tools
for tool in cargo gcc pkg-config readelf ldd; do
    command -v "$tool" >/dev/null || die "$tool is missing"
done
if ! command -v cmake >/dev/null; then
    if [ "$is_root" = 1 ] && command -v apt-get >/dev/null; then
        step "installing cmake"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cmake >/dev/null
    fi
    command -v cmake >/dev/null || die "cmake is missing; install it with: sudo apt-get install -y cmake"
fi
unset LD_LIBRARY_PATH
export RUST_BACKTRACE=0

# ---------------------------------------------------------------- clean up
tmp=$(mktemp -d)
prefix=$tmp/prefix
conf_dir=/etc/ld.so.conf.d
conf_before=$(ls -A "$conf_dir" 2>/dev/null || true)
# shellcheck source=../../scripts/sandbox.sh
source "$root/scripts/sandbox.sh"
cleanup() {
    local file removed=0
    sandbox_stop
    # Only the ld.so.conf.d entries that appeared during this run and name our prefix.
    if [ "$is_root" = 1 ] && [ -d "$conf_dir" ]; then
        for file in "$conf_dir"/tokenbridge-*.conf; do
            [ -f "$file" ] || continue
            grep -Fxq "$(basename "$file")" <<<"$conf_before" && continue
            [ "$(cat "$file")" = "$prefix/lib" ] || continue
            rm -f "$file"
            echo "removed $file"
            removed=1
        done
        [ "$removed" = 0 ] || ldconfig
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

summary=()
ok() {
    echo "ok: $*"
    summary+=("$*")
}

# ---------------------------------------------------------------- install
if [ "$is_root" = 1 ]; then
    step "bash scripts/install.sh --ldconfig $prefix"
    bash scripts/install.sh --ldconfig "$prefix"
else
    step "bash scripts/install.sh $prefix (not root: no ldconfig, programs use an rpath)"
    bash scripts/install.sh "$prefix"
fi

step "the installed files"
version=$(sed -n 's/^#define TB_VERSION_STRING "\(.*\)"$/\1/p' "$prefix/include/tokenbridge.h")
[ -n "$version" ] || die "no TB_VERSION_STRING in the installed header"
lib=$prefix/lib
real=$lib/libtokenbridge.so.$version
[ -f "$real" ] && [ ! -L "$real" ] || die "$real is not a regular file"
[ "$(readlink "$lib/$TB_SONAME")" = "libtokenbridge.so.$version" ] ||
    die "$TB_SONAME does not point to libtokenbridge.so.$version"
[ "$(readlink "$lib/libtokenbridge.so")" = $TB_SONAME ] ||
    die "libtokenbridge.so does not point to $TB_SONAME"
soname=$(readelf -d "$real" | sed -n 's/.*(SONAME).*\[\(.*\)\]$/\1/p')
echo "readelf -d $real: SONAME $soname"
[ "$soname" = $TB_SONAME ] || die "SONAME is '$soname', not $TB_SONAME"
[ -f "$lib/libtokenbridge.a" ] || die "no libtokenbridge.a"
for file in pkgconfig/tokenbridge.pc pkgconfig/tokenbridge-static.pc \
    cmake/tokenbridge/tokenbridgeConfig.cmake cmake/tokenbridge/tokenbridgeConfigVersion.cmake; do
    [ -f "$lib/$file" ] || die "no $lib/$file"
done
ok "lib/libtokenbridge.so.$version (SONAME $soname), .so.$TB_ABI_MAJOR and .so symlinks, .a, 2 .pc, 2 .cmake"

# ---------------------------------------------------------------- sandbox
step "start tokenbridge-sandbox"
sandbox_start || die "the sandbox did not start"
eval "$(grep -E '^TOKENBRIDGE_YATIVO_(URL|ACCOUNT|SECRET)=' "$SANDBOX_OUT" | sed 's/^/export /')"
[ -n "${TOKENBRIDGE_YATIVO_URL:-}" ] || die "the sandbox printed no TOKENBRIDGE_YATIVO_URL"

# ---------------------------------------------------------------- checks
build=$tmp/build
mkdir -p "$build"
cp "$here/example.c" "$build/example.c"
cd "$build"
export PKG_CONFIG_PATH=$lib/pkgconfig

# Runs a built example against the sandbox; it prints the wallet balance.
run_example() { # binary
    local out
    out=$("$1" 2>&1) || {
        echo "$out" >&2
        die "$1 failed"
    }
    grep -q '"balances"' <<<"$out" || {
        echo "$out" >&2
        die "$1: no balances in its output"
    }
}
# ldd's line for $TB_SONAME: " => PATH (address)", or nothing.
resolved() { # binary
    local out
    out=$(ldd "$1")
    sed -n "s/^[[:space:]]*${TB_SONAME//./\\.} => \\(.*\\) (0x.*\$/\\1/p" <<<"$out"
}
expect_shared_from() { # binary dir
    local path
    path=$(resolved "$1")
    echo "ldd $(basename "$1"): $TB_SONAME => ${path:-not found}"
    [ -n "$path" ] && [ "$(dirname "$path")" = "$2" ] ||
        die "$1 does not load $TB_SONAME from $2"
}
expect_static() { # binary
    local out
    out=$(ldd "$1")
    if grep -q libtokenbridge <<<"$out"; then
        echo "$out" >&2
        die "$1 loads libtokenbridge dynamically"
    fi
    echo "ldd $(basename "$1"): no libtokenbridge"
}

step "pkg-config --modversion tokenbridge"
[ "$(pkg-config --modversion tokenbridge)" = "$version" ] || die "pkg-config reports the wrong version"
[ "$(pkg-config --modversion tokenbridge-static)" = "$version" ] || die "tokenbridge-static: wrong version"
echo "$version"

CC=(gcc -std=c11 -Wall -Wextra -Werror)
if [ "$is_root" = 1 ]; then
    step "shared, found by the loader through ldconfig: cc example.c \$(pkg-config --cflags --libs tokenbridge)"
    flags=$(pkg-config --cflags --libs tokenbridge)
    echo "flags: $flags"
    # shellcheck disable=SC2086 # the flags are meant to split
    "${CC[@]}" example.c $flags -o example_shared
    if grep -q 'R\(UN\)\{0,1\}PATH' <<<"$(readelf -d example_shared)"; then
        die "example_shared has an rpath; it must be found through ldconfig"
    fi
    expect_shared_from "$build/example_shared" "$lib"
    run_example ./example_shared
    ok "pkg-config shared, no rpath (ldconfig): ran, $TB_SONAME from the prefix"
else
    echo "(not root: the ldconfig way is not checked; the rpath way below is the one without root)"
fi

step "shared with an rpath: cc example.c \$(pkg-config --cflags --libs tokenbridge) -Wl,-rpath,\$(pkg-config --variable=libdir tokenbridge)"
# shellcheck disable=SC2046
"${CC[@]}" example.c $(pkg-config --cflags --libs tokenbridge) \
    -Wl,-rpath,"$(pkg-config --variable=libdir tokenbridge)" -o example_rpath
grep -Fq "[$lib]" <<<"$(readelf -d example_rpath)" || die "example_rpath has no rpath $lib"
expect_shared_from "$build/example_rpath" "$lib"
run_example ./example_rpath
ok "pkg-config shared + rpath: ran, $TB_SONAME from the prefix"

step "static: cc example.c \$(pkg-config --static --cflags --libs tokenbridge)"
flags=$(pkg-config --static --cflags --libs tokenbridge)
echo "flags: $flags"
# shellcheck disable=SC2086
"${CC[@]}" example.c $flags -o example_static
expect_static "$build/example_static"
run_example ./example_static
ok "pkg-config --static tokenbridge: ran, statically linked"

step "static: cc example.c \$(pkg-config --cflags --libs tokenbridge-static)"
flags=$(pkg-config --cflags --libs tokenbridge-static)
echo "flags: $flags"
# shellcheck disable=SC2086
"${CC[@]}" example.c $flags -o example_static2
expect_static "$build/example_static2"
run_example ./example_static2
ok "pkg-config tokenbridge-static: ran, statically linked"

step "CMake: find_package(tokenbridge 0.2 REQUIRED) and the imported targets"
major=${version%%.*}
mkdir -p cmake-app
cp example.c cmake-app/
cat >cmake-app/CMakeLists.txt <<EOF
cmake_minimum_required(VERSION 3.10)
project(tokenbridge_install_check C)

# SameMajorVersion: the next major version is not this one.
find_package(tokenbridge $((major + 1)).0 QUIET)
if(tokenbridge_FOUND)
  message(FATAL_ERROR "tokenbridge \${tokenbridge_VERSION} accepted a request for $((major + 1)).0")
endif()

find_package(tokenbridge 0.2 REQUIRED)
message(STATUS "tokenbridge \${tokenbridge_VERSION} from \${tokenbridge_DIR}")

add_executable(example_cmake example.c)
target_link_libraries(example_cmake PRIVATE tokenbridge::tokenbridge)

add_executable(example_cmake_static example.c)
target_link_libraries(example_cmake_static PRIVATE tokenbridge::tokenbridge_static)
EOF
cmake_build() { # prefix build-dir
    cmake -S cmake-app -B "$2" -DCMAKE_PREFIX_PATH="$1" -DCMAKE_BUILD_TYPE=Release >"$2.log" 2>&1 || {
        cat "$2.log" >&2
        die "cmake configure with CMAKE_PREFIX_PATH=$1 failed"
    }
    grep -F -- "-- tokenbridge $version from $1/lib/cmake/tokenbridge" "$2.log" ||
        die "cmake did not find tokenbridge $version in $1"
    cmake --build "$2" >>"$2.log" 2>&1 || {
        cat "$2.log" >&2
        die "cmake --build failed"
    }
}
cmake_build "$prefix" cmake-build
expect_shared_from "$build/cmake-build/example_cmake" "$lib"
run_example cmake-build/example_cmake
expect_static "$build/cmake-build/example_cmake_static"
run_example cmake-build/example_cmake_static
ok "CMake tokenbridge::tokenbridge (shared) and tokenbridge::tokenbridge_static: ran"

step "CMake from a copy of the prefix elsewhere (the package finds itself relative to its file)"
cp -a "$prefix" "$tmp/moved"
cmake_build "$tmp/moved" cmake-moved
expect_shared_from "$build/cmake-moved/example_cmake" "$tmp/moved/lib"
run_example cmake-moved/example_cmake
run_example cmake-moved/example_cmake_static
ok "CMake package in a moved prefix: ran, $TB_SONAME from the new place"

step "summary"
printf '%s\n' "${summary[@]}"
echo "C library install checks passed"
