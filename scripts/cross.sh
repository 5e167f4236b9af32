#!/usr/bin/env bash
# Windows x64 and Linux arm64 from a Debian x86_64 machine: builds, tests under Wine and
# qemu-user, release archives. Everything it configures is in this script's environment
# (CARGO_TARGET_<TRIPLE>_LINKER / _RUNNER, CC_<triple>): no .cargo/config.toml, so a
# user's native build is never changed by it.
#
#   setup       installs what it needs: as root with apt-get (gcc-mingw-w64-x86-64,
#               wine64, gcc-aarch64-linux-gnu, qemu-user, llvm, zip, cmake), and
#               `rustup target add`; when not root it prints the apt-get command, exits 1
#   build       the release libraries: tokenbridge.dll, libtokenbridge.dll.a (MinGW import
#               library), libtokenbridge.a (MinGW static library), tokenbridge.def and
#               tokenbridge.lib (MSVC import library, llvm-dlltool) for
#               x86_64-pc-windows-gnu; libtokenbridge.so and libtokenbridge.a for
#               aarch64-unknown-linux-gnu. Checks their machine type and exports.
#   rust-windows  the Rust suite (lib, bins, tests, examples) under Wine
#   rust-arm64    the same under qemu-aarch64
#   cli-windows   tokenbridge.exe (feature cli): tests/cli.rs under Wine, each test
#               running the Windows executable against the sandbox
#   c-windows     the C suite (test_tokenbridge.c + fake_server.c, against the DLL and
#               against the static library), hostile.c, logging.c, request.c and
#               example.c, built with MinGW, under Wine against a native sandbox on
#               127.0.0.1 (fork.c and concurrency.c are POSIX-only and left out)
#   quickstart-windows  scripts/check-quickstart.sh on x86_64-pc-windows-gnu, under Wine
#   archives    a C release archive per target in target/cross/dist/ (header, libraries,
#               pkg-config and CMake files, licences, the example), listed; then the
#               Windows example is built with MinGW from the unpacked archive alone
#               (plain gcc, and CMake) and run under Wine against the sandbox
#   all         all of the above, in this order
#
# Under Wine: a private WINEPREFIX (target/cross/wine-prefix), WINEDEBUG=-all, and the
# test aid scripts/wine/processprng.c (a bcryptprimitives.dll exporting ProcessPrng,
# which Rust's std imports and Wine 8 lacks) beside each test executable. It is never
# packaged. A summary of what ran is appended to target/cross/summary.txt.
#
# usage: scripts/cross.sh COMMAND...
set -euo pipefail
# shellcheck source=/dev/null
source "$(cd "$(dirname "$0")" && pwd)/abi.sh"
cd "$(dirname "$0")/.."
root=$PWD
export RUST_BACKTRACE=0
export CARGO_TERM_COLOR=never

WIN=x86_64-pc-windows-gnu
ARM=aarch64-unknown-linux-gnu
target_dir=${CARGO_TARGET_DIR:-$root/target}
case "$target_dir" in /*) ;; *) target_dir=$root/$target_dir ;; esac
out=$target_dir/cross
summary_file=$out/summary.txt
mkdir -p "$out"

say() { printf '\n== %s\n' "$*"; }
die() {
    echo "cross: $*" >&2
    exit 1
}
note() { # a line for the summary
    echo "$*"
    echo "$*" >>"$summary_file"
}

# ---------------------------------------------------------------- setup
APT_PACKAGES=(gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 wine64 gcc-aarch64-linux-gnu
    libc6-dev-arm64-cross qemu-user llvm zip unzip cmake)
wine_bin() {
    local w
    for w in "$(command -v wine 2>/dev/null)" "$(command -v wine64 2>/dev/null)" /usr/lib/wine/wine64; do
        [ -n "$w" ] && [ -x "$w" ] && {
            echo "$w"
            return 0
        }
    done
    return 1
}
missing_tools() {
    local tool
    for tool in x86_64-w64-mingw32-gcc x86_64-w64-mingw32-g++ aarch64-linux-gnu-gcc qemu-aarch64 \
        llvm-dlltool zip unzip cmake; do
        command -v "$tool" >/dev/null || echo "$tool"
    done
    wine_bin >/dev/null || echo wine64
    [ -d /usr/aarch64-linux-gnu/lib ] || echo libc6-dev-arm64-cross
}
cmd_setup() {
    local missing
    missing=$(missing_tools)
    if [ -n "$missing" ]; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            say "apt-get install ${APT_PACKAGES[*]} (missing: $(echo $missing))"
            export DEBIAN_FRONTEND=noninteractive
            apt-get update -qq
            apt-get install -y -qq --no-install-recommends "${APT_PACKAGES[@]}" >/dev/null
            missing=$(missing_tools)
            [ -z "$missing" ] || die "still missing after apt-get: $(echo $missing)"
        else
            echo "cross: missing: $(echo $missing); install them with:" >&2
            echo "    sudo apt-get install -y --no-install-recommends ${APT_PACKAGES[*]}" >&2
            exit 1
        fi
    fi
    local installed
    installed=$(rustup target list --installed)
    for t in $WIN $ARM; do
        grep -qx "$t" <<<"$installed" || {
            say "rustup target add $t"
            rustup target add "$t"
        }
    done
}

# The toolchain for both targets, through the environment only.
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
export CC_x86_64_pc_windows_gnu=x86_64-w64-mingw32-gcc
export AR_x86_64_pc_windows_gnu=x86_64-w64-mingw32-ar
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
export CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc
export AR_aarch64_unknown_linux_gnu=aarch64-linux-gnu-ar
wine_env() {
    local wine
    wine=$(wine_bin) || die "no wine; run: scripts/cross.sh setup"
    export WINEPREFIX=$out/wine-prefix WINEDEBUG=-all WINEARCH=win64
    # Our ProcessPrng shim before any bcryptprimitives Wine has; no Mono or Gecko
    # installer dialogs when the prefix is created.
    export WINEDLLOVERRIDES="bcryptprimitives=n,b;mscoree=;mshtml="
    export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=$wine
    WINE=$wine
    mkdir -p "$WINEPREFIX"
}
# The Wine-only ProcessPrng shim, built once, copied into each directory given.
shim() {
    local dll=$out/wine-shim/bcryptprimitives.dll dir
    if [ ! -f "$dll" ] || [ "$root/scripts/wine/processprng.c" -nt "$dll" ]; then
        mkdir -p "$out/wine-shim"
        x86_64-w64-mingw32-gcc -Wall -Wextra -Werror -O2 -shared -o "$dll" \
            "$root/scripts/wine/processprng.c" -lbcrypt
    fi
    for dir in "$@"; do
        mkdir -p "$dir"
        cp "$dll" "$dir/"
    done
}

# ---------------------------------------------------------------- build
win_rel=$target_dir/$WIN/release
arm_rel=$target_dir/$ARM/release
# The DLL's export table, one name a line.
dll_exports() {
    x86_64-w64-mingw32-objdump -p "$1" |
        sed -n '/^\[Ordinal\/Name Pointer\] Table/,/^$/p' | sed -n 's/^[[:space:]]*\[[[:space:]]*[0-9]*\] //p'
}
# The header's functions: each declaration starts with TB_API (alone on its line when
# cbindgen wraps the declaration).
header_functions() {
    awk 'pending || /^TB_API/ { line = pending $0; pending = ""
             if ($0 == "TB_API") { pending = "TB_API "; next }
             if (match(line, /tb_[a-z0-9_]*\(/)) print substr(line, RSTART, RLENGTH - 1) }' \
        "$root/include/tokenbridge.h" | sort -u
}
cmd_build() {
    cmd_setup
    say "cargo rustc --release --lib --features redis --target $WIN"
    local log=$out/native-static-libs.$WIN.log
    cargo rustc --release --lib --features redis --quiet --target $WIN -- --print native-static-libs 2>"$log" ||
        {
            cat "$log" >&2
            die "the Windows build failed"
        }
    sed -n 's/^note: native-static-libs: //p' "$log" | tail -n 1 >"$out/native-static-libs.$WIN"
    for f in tokenbridge.dll libtokenbridge.dll.a libtokenbridge.a; do
        [ -f "$win_rel/$f" ] || die "$win_rel/$f was not built"
    done
    file_out=$(x86_64-w64-mingw32-objdump -f "$win_rel/tokenbridge.dll")
    grep -q 'file format pei-x86-64' <<<"$file_out" || die "tokenbridge.dll is not a PE32+ x86-64 DLL"

    # The exports are exactly the header's functions; the .def is made from them.
    dll_exports "$win_rel/tokenbridge.dll" | sort >"$out/dll-exports.txt"
    header_functions >"$out/header-functions.txt"
    if ! diff -u "$out/header-functions.txt" "$out/dll-exports.txt"; then
        die "tokenbridge.dll's exports differ from include/tokenbridge.h's functions (diff above: - header, + DLL)"
    fi
    {
        echo "LIBRARY tokenbridge.dll"
        echo "EXPORTS"
        sed 's/^/    /' "$out/dll-exports.txt"
    } >"$win_rel/tokenbridge.def"
    llvm-dlltool -m i386:x86-64 -d "$win_rel/tokenbridge.def" -D tokenbridge.dll -l "$win_rel/tokenbridge.lib"
    # The MSVC import library holds an import stub (__imp_ symbol) for every export.
    local imps
    imps=$(llvm-nm "$win_rel/tokenbridge.lib" 2>/dev/null | grep -c ' __imp_tb_' || true)
    [ "$imps" = "$(wc -l <"$out/dll-exports.txt")" ] ||
        die "tokenbridge.lib has $imps __imp_tb_ symbols for $(wc -l <"$out/dll-exports.txt") exports"
    local imports
    imports=$(x86_64-w64-mingw32-objdump -p "$win_rel/tokenbridge.dll" | sed -n 's/^[[:space:]]*DLL Name: //p' | sort -fu | tr '\n' ' ')
    # Only Windows' own DLLs: no MinGW runtime (libgcc_s, libwinpthread) to ship beside it.
    if grep -qiE 'libgcc|libwinpthread|libstdc' <<<"$imports"; then
        die "tokenbridge.dll needs a MinGW runtime DLL: $imports"
    fi
    note "windows: tokenbridge.dll ($(wc -l <"$out/dll-exports.txt") exports = the header's functions; imports: $imports)"
    note "windows: libtokenbridge.dll.a, libtokenbridge.a, tokenbridge.def, tokenbridge.lib ($imps __imp_ stubs)"

    say "cargo rustc --release --lib --features redis --target $ARM"
    log=$out/native-static-libs.$ARM.log
    cargo rustc --release --lib --features redis --quiet --target $ARM -- --print native-static-libs 2>"$log" ||
        {
            cat "$log" >&2
            die "the arm64 build failed"
        }
    sed -n 's/^note: native-static-libs: //p' "$log" | tail -n 1 >"$out/native-static-libs.$ARM"
    for f in libtokenbridge.so libtokenbridge.a; do
        [ -f "$arm_rel/$f" ] || die "$arm_rel/$f was not built"
    done
    readelf -h "$arm_rel/libtokenbridge.so" | grep -q 'Machine:.*AArch64' || die "libtokenbridge.so is not AArch64"
    local soname
    soname=$(readelf -d "$arm_rel/libtokenbridge.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]$/\1/p')
    [ "$soname" = $TB_SONAME ] || die "the arm64 library's SONAME is '$soname'"
    local arm_exports
    arm_exports=$(readelf --dyn-syms -W "$arm_rel/libtokenbridge.so" | awk '$4 == "FUNC" && $7 != "UND" && $8 ~ /^tb_/ { print $8 }' | sort -u)
    diff -u "$out/header-functions.txt" <(echo "$arm_exports") ||
        die "the arm64 library's exports differ from the header's functions"
    note "arm64: libtokenbridge.so (AArch64, SONAME $soname, $(wc -l <<<"$arm_exports") exports = the header's functions), libtokenbridge.a"
}

# ---------------------------------------------------------------- Rust suites
# The sum of "N <word>" over libtest's result lines.
total() { # word log
    awk -v w="$1" '/^test result:/ { for (i = 2; i <= NF; i++) if ($i ~ "^" w "[;,]?$") n += $(i - 1) } END { print n + 0 }' "$2"
}
# Runs the suite for a target; counts the tests from libtest's result lines.
rust_suite() { # name target [env...]
    local name=$1 target=$2 log=$out/rust-$1.log
    shift 2
    say "cargo test --lib --bins --tests --examples --target $target ($name)"
    local start=$SECONDS status=0
    env "$@" cargo test --no-fail-fast --lib --bins --tests --examples --target "$target" >"$log" 2>&1 || status=$?
    local passed failed ignored binaries
    passed=$(total passed "$log")
    failed=$(total failed "$log")
    ignored=$(total ignored "$log")
    binaries=$(grep -c '^test result:' "$log" || true)
    if [ "$status" != 0 ] || [ "${failed:-1}" != 0 ] || [ "${passed:-0}" = 0 ]; then
        grep -E '^(test .* FAILED|thread .* panicked|---- |error)' "$log" | head -n 40 >&2 || true
        tail -n 20 "$log" >&2
        die "the Rust suite failed under $name (log: $log)"
    fi
    note "rust under $name: $passed passed, $failed failed, $ignored ignored, in $binaries test binaries ($((SECONDS - start)) s)"
}
cmd_rust_windows() {
    cmd_setup
    wine_env
    # Build first, so that the shim can be put beside the executables.
    say "cargo test --no-run --target $WIN"
    cargo test --no-run --quiet --lib --bins --tests --examples --target $WIN
    shim "$target_dir/$WIN/debug/deps" "$target_dir/$WIN/debug/examples"
    rust_suite wine $WIN
}
cmd_cli_windows() {
    cmd_setup
    wine_env
    say "cargo test --features cli --test cli --target $WIN"
    cargo test --no-run --quiet --features cli --test cli --bin tokenbridge --target $WIN
    shim "$target_dir/$WIN/debug/deps" "$target_dir/$WIN/debug"
    local log=$out/cli-windows.log status=0 passed failed
    cargo test --no-fail-fast --features cli --test cli --target $WIN >"$log" 2>&1 || status=$?
    passed=$(total passed "$log")
    failed=$(total failed "$log")
    if [ "$status" != 0 ] || [ "${failed:-1}" != 0 ] || [ "${passed:-0}" = 0 ]; then
        grep -E '^(test .* FAILED|thread .* panicked|---- |error)' "$log" | head -n 40 >&2 || true
        tail -n 30 "$log" >&2
        die "tests/cli.rs failed under Wine (log: $log)"
    fi
    note "tokenbridge.exe under Wine: tests/cli.rs $passed passed, $failed failed"
}
cmd_rust_arm64() {
    cmd_setup
    export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64 -L /usr/aarch64-linux-gnu"
    # Tests that run their own binary again as a child (tests/common/this_test.rs) put
    # the runner first: without binfmt_misc an aarch64 binary cannot be exec'd.
    export TOKENBRIDGE_TEST_RUNNER=$CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER
    # qemu-user emulates every instruction: unoptimised, tests/concurrency.rs (16 threads
    # x 500 calls) took 287 s and broke its 120 s limit; at opt-level 1 it takes 12 s.
    # Debug assertions and overflow checks stay on (the test profile's defaults); no
    # debug info, to link faster. Only this target's test build is affected.
    rust_suite qemu-aarch64 $ARM CARGO_PROFILE_TEST_OPT_LEVEL=1 CARGO_PROFILE_TEST_DEBUG=0
}

# ---------------------------------------------------------------- C suite under Wine
start_sandbox() {
    # shellcheck source=sandbox.sh
    source "$root/scripts/sandbox.sh"
    trap sandbox_stop EXIT
    trap 'exit 130' INT TERM
    sandbox_start || die "the sandbox did not start"
    eval "$(grep -E '^TOKENBRIDGE_YATIVO_(URL|ACCOUNT|SECRET)=' "$SANDBOX_OUT" | sed 's/^/export /')"
    echo "sandbox at $TOKENBRIDGE_SANDBOX_URL (pid $SANDBOX_PID, native, 127.0.0.1)"
}
# Runs a Windows program under Wine; its output goes to FILE and the terminal.
wine_run() { # file program [args...]
    local file=$1
    shift
    local status=0
    timeout 600 "$WINE" "$@" >"$file" 2>&1 || status=$?
    # Wine writes CRLF for the console: drop the CRs so the checks read lines.
    sed -i 's/\r$//' "$file"
    cat "$file"
    return "$status"
}
cmd_c_windows() {
    cmd_setup
    wine_env
    [ -f "$win_rel/tokenbridge.dll" ] || cmd_build
    local build=$out/c-windows here=$root/bindings/c
    rm -rf "$build"
    mkdir -p "$build/shared" "$build/static"

    say "the header as C11, C99 and C++11 with MinGW (-Wall -Wextra -Werror -pedantic), with and without TB_STATIC"
    for def in "" -DTB_STATIC; do
        for std in c11 c99; do
            x86_64-w64-mingw32-gcc $def -std=$std -Wall -Wextra -Werror -pedantic -fsyntax-only -x c "$root/include/tokenbridge.h"
        done
        x86_64-w64-mingw32-g++ $def -std=c++11 -Wall -Wextra -Werror -pedantic -fsyntax-only -x c++ "$root/include/tokenbridge.h"
    done
    # What MSVC sees: the functions are dllimport (the __imp_ references the .lib satisfies).
    printf '#include "tokenbridge.h"\nint main(void) { return tb_version_number() == TB_VERSION_NUMBER ? 0 : 1; }\n' >"$build/imp.c"
    x86_64-w64-mingw32-gcc -std=c11 -Wall -Wextra -Werror -I"$root/include" -c "$build/imp.c" -o "$build/imp.o"
    x86_64-w64-mingw32-nm "$build/imp.o" | grep -q ' U __imp_tb_version_number$' ||
        die "without TB_STATIC, the header does not declare the functions dllimport"

    local CFLAGS=(-std=c11 -Wall -Wextra -Werror -pthread -O1 -g -I"$root/include")
    local sources=("$here/test_tokenbridge.c" "$here/fake_server.c")
    say "build test_tokenbridge.c with MinGW: against tokenbridge.dll, and against libtokenbridge.a"
    # -static: winpthreads and libgcc inside the test program, so Wine needs no MinGW DLLs.
    x86_64-w64-mingw32-gcc "${CFLAGS[@]}" "${sources[@]}" -L"$win_rel" -l:libtokenbridge.dll.a \
        -lws2_32 -static -o "$build/shared/test_shared.exe"
    cp "$win_rel/tokenbridge.dll" "$build/shared/"
    # shellcheck disable=SC2046 # the library list is meant to split
    x86_64-w64-mingw32-gcc -DTB_STATIC "${CFLAGS[@]}" "${sources[@]}" "$win_rel/libtokenbridge.a" \
        $(cat "$out/native-static-libs.$WIN") -lws2_32 -static -o "$build/static/test_static.exe"
    if x86_64-w64-mingw32-objdump -p "$build/static/test_static.exe" | grep -qi 'DLL Name: tokenbridge.dll'; then
        die "test_static.exe imports tokenbridge.dll"
    fi
    x86_64-w64-mingw32-gcc -std=c11 -Wall -Wextra -Werror -I"$root/include" "$here/example.c" \
        -L"$win_rel" -l:libtokenbridge.dll.a -o "$build/shared/example.exe"
    # The other C programs of run-hostile.sh that are portable C (not fork.c: fork and
    # waitpid; not concurrency.c: BSD socket headers for its stats request).
    local prog
    for prog in hostile logging request; do
        local extra=()
        [ "$prog" = request ] && extra=("$here/fake_server.c")
        x86_64-w64-mingw32-gcc "${CFLAGS[@]}" "$here/$prog.c" "${extra[@]}" -L"$win_rel" \
            -l:libtokenbridge.dll.a -lws2_32 -static -o "$build/shared/$prog.exe"
    done
    shim "$build/shared" "$build/static"

    start_sandbox
    local suite
    for suite in shared/test_shared static/test_static shared/hostile shared/logging shared/request; do
        say "$suite.exe under Wine against the sandbox"
        wine_run "$build/$(basename $suite).out" "$build/$suite.exe" || die "$suite.exe failed"
        tail -n 1 "$build/$(basename $suite).out" | grep -Eq '^[0-9]+ passed, 0 failed$' ||
            die "$suite.exe: no clean summary line"
        note "C suite under wine, $(basename $suite).exe: $(tail -n 1 "$build/$(basename $suite).out")"
    done
    say "example.c under Wine against the sandbox"
    wine_run "$build/example.out" "$build/shared/example.exe" "$TOKENBRIDGE_YATIVO_URL" || die "example.exe failed"
    grep -q '"balances"' "$build/example.out" || die "example.exe: no balances in its output"
    note "C example under wine: example.exe read the balances"

    # A Windows process behind a corporate proxy: the same example with http_proxy
    # naming the lab's Basic-auth tinyproxy (Wine passes the environment on). The
    # client tunnels plain http too (CONNECT, as for https): tinyproxy must log a
    # tunnel to the sandbox, and the example must read the balances through it.
    say "example.c under Wine through tinyproxy with Basic credentials (http_proxy)"
    bash "$root/scripts/netlab.sh" install
    bash "$root/scripts/netlab.sh" start "$out/lab" "${TOKENBRIDGE_SANDBOX_URL#http://}"
    (
        # shellcheck disable=SC1091 # written by netlab.sh
        source "$out/lab/env"
        local from tunnels
        from=$(wc -c <"$TB_LAB_PROXY_AUTH_LOG")
        http_proxy=$TB_LAB_PROXY_AUTH NO_PROXY= no_proxy= wine_run "$build/example-proxy.out" \
            "$build/shared/example.exe" "$TOKENBRIDGE_YATIVO_URL" || die "example.exe through the proxy failed"
        grep -q '"balances"' "$build/example-proxy.out" || die "example.exe through the proxy: no balances"
        tunnels=$(tail -c +$((from + 1)) "$TB_LAB_PROXY_AUTH_LOG" | tr -d '\0' |
            grep -c "): CONNECT ${TOKENBRIDGE_SANDBOX_URL#http://} HTTP/1" || true)
        [ "$tunnels" -ge 1 ] || die "tinyproxy saw no tunnel from example.exe to the sandbox"
        note "C example under wine through tinyproxy (Basic credentials from http_proxy): $tunnels tunnel(s), login and balance read"
    ) || {
        bash "$root/scripts/netlab.sh" stop "$out/lab"
        die "the proxied example failed"
    }
    bash "$root/scripts/netlab.sh" stop "$out/lab"
    sandbox_stop
}

# ---------------------------------------------------------------- quickstart
cmd_quickstart_windows() {
    cmd_setup
    wine_env
    cargo build --quiet --example quickstart --target $WIN
    shim "$target_dir/$WIN/debug/examples"
    local start=$SECONDS
    bash "$root/scripts/check-quickstart.sh" --target $WIN
    note "quickstart under wine: 13 of 13 operations ($((SECONDS - start)) s)"
}

# ---------------------------------------------------------------- archives
version() { sed -n 's/^#define TB_VERSION_STRING "\(.*\)"$/\1/p' "$root/include/tokenbridge.h"; }
# A CMake list from a linker flag list (-lfoo -> foo).
cmake_list() {
    local item items=()
    for item in $1; do
        case "$item" in -l*) items+=("${item#-l}") ;; *) items+=("$item") ;; esac
    done
    (
        IFS=';'
        echo "${items[*]}"
    )
}
stage_windows() { # dir
    local dir=$1 v libs
    v=$(version)
    libs=$(cat "$out/native-static-libs.$WIN")
    install -d "$dir/include" "$dir/bin" "$dir/lib/pkgconfig" "$dir/lib/cmake/tokenbridge" "$dir/examples" \
        "$dir/share/doc/tokenbridge"
    install -m 644 "$root/include/tokenbridge.h" "$dir/include/"
    install -m 755 "$win_rel/tokenbridge.dll" "$dir/bin/"
    install -m 644 "$win_rel/tokenbridge.lib" "$win_rel/tokenbridge.def" "$win_rel/libtokenbridge.dll.a" \
        "$win_rel/libtokenbridge.a" "$dir/lib/"
    # pkg-config files relative to themselves (pkgconf's --define-prefix and MSYS2 do this).
    cat >"$dir/lib/pkgconfig/tokenbridge.pc" <<EOF
prefix=\${pcfiledir}/../..
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: tokenbridge
Description: Blocking client for the uContact, Yativo and AnnA REST APIs (C ABI), tokenbridge.dll
Version: $v
Libs: -L\${libdir} -ltokenbridge
Cflags: -I\${includedir}
EOF
    cat >"$dir/lib/pkgconfig/tokenbridge-static.pc" <<EOF
prefix=\${pcfiledir}/../..
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: tokenbridge-static
Description: tokenbridge's C library, linked statically with MinGW (the archive and what it needs)
Version: $v
Libs: \${libdir}/libtokenbridge.a $libs
Cflags: -I\${includedir} -DTB_STATIC
EOF
    sed -e "s|@VERSION@|$v|g" -e "s|@LINK_LIBRARIES@|$(cmake_list "$libs")|g" \
        "$root/bindings/c/cmake/tokenbridgeConfig-windows.cmake.in" >"$dir/lib/cmake/tokenbridge/tokenbridgeConfig.cmake"
    sed -e "s|@VERSION@|$v|g" -e "s|@SIZEOF_VOID_P@|8|g" \
        "$root/bindings/c/cmake/tokenbridgeConfigVersion.cmake.in" >"$dir/lib/cmake/tokenbridge/tokenbridgeConfigVersion.cmake"
    install -m 644 "$root/bindings/c/example.c" "$dir/examples/"
    install -m 644 "$root/bindings/c/windows/CMakeLists.txt" "$dir/examples/CMakeLists.txt"
    install -m 644 "$root/LICENSE-MIT" "$root/LICENSE-APACHE" "$root/README.md" "$dir/share/doc/tokenbridge/"
}
stage_linux() { # dir target
    local dir=$1 target=$2 tmp
    tmp=$(mktemp -d)
    # install.sh lays out a prefix (lib/, include/, pkg-config, CMake); the archive's
    # .pc files name /usr/local, the usual place to unpack it (or edit prefix=).
    local args=(--no-ldconfig)
    # The host's own build is the plain `cargo build --release` the other steps made.
    [ "$target" = "$(rustc -vV | sed -n 's/^host: //p')" ] || args+=(--target="$target")
    DESTDIR=$tmp bash "$root/scripts/install.sh" "${args[@]}" /usr/local >/dev/null
    mkdir -p "$dir"
    cp -a "$tmp/usr/local/." "$dir/"
    rm -rf "$tmp"
    install -d "$dir/examples" "$dir/share/doc/tokenbridge"
    install -m 644 "$root/bindings/c/example.c" "$dir/examples/"
    install -m 644 "$root/LICENSE-MIT" "$root/LICENSE-APACHE" "$root/README.md" "$dir/share/doc/tokenbridge/"
}
list_archive() { # archive want...
    local archive=$1 listing
    shift
    case "$archive" in
        *.zip) listing=$(unzip -Z1 "$archive") ;;
        *) listing=$(tar -tzf "$archive") ;;
    esac
    echo "$listing" | sed 's/^/    /'
    local want
    for want in "$@"; do
        grep -qxE "[^/]+/$want" <<<"$listing" || die "$(basename "$archive") lacks $want"
    done
}
cmd_archives() {
    cmd_setup
    [ -f "$win_rel/tokenbridge.lib" ] && [ -f "$arm_rel/libtokenbridge.so" ] || cmd_build
    local v dist=$out/dist stage=$out/stage
    v=$(version)
    rm -rf "$dist" "$stage"
    mkdir -p "$dist" "$stage"
    local common=(include/tokenbridge.h lib/pkgconfig/tokenbridge.pc lib/pkgconfig/tokenbridge-static.pc
        lib/cmake/tokenbridge/tokenbridgeConfig.cmake lib/cmake/tokenbridge/tokenbridgeConfigVersion.cmake
        lib/libtokenbridge.a examples/example.c share/doc/tokenbridge/LICENSE-MIT share/doc/tokenbridge/LICENSE-APACHE)

    local name=tokenbridge-$v-$WIN
    say "$name.zip"
    stage_windows "$stage/$name"
    (cd "$stage" && zip -q -X -r "$dist/$name.zip" "$name")
    list_archive "$dist/$name.zip" "${common[@]}" bin/tokenbridge.dll lib/tokenbridge.lib lib/libtokenbridge.dll.a \
        lib/tokenbridge.def examples/CMakeLists.txt
    note "archive $name.zip: $(unzip -Z1 "$dist/$name.zip" | grep -cv '/$') files"

    local t
    for t in $ARM x86_64-unknown-linux-gnu; do
        name=tokenbridge-$v-$t
        say "$name.tar.gz"
        stage_linux "$stage/$name" "$t"
        tar -C "$stage" -czf "$dist/$name.tar.gz" "$name"
        list_archive "$dist/$name.tar.gz" "${common[@]}" "lib/libtokenbridge.so.$v" lib/$TB_SONAME lib/libtokenbridge.so
        note "archive $name.tar.gz: $(tar -tzf "$dist/$name.tar.gz" | grep -cv '/$') files and links"
    done
    readelf -h "$stage/tokenbridge-$v-$ARM/lib/libtokenbridge.so.$v" | grep -q 'Machine:.*AArch64' ||
        die "the arm64 archive's library is not AArch64"

    # The Windows example from the unpacked archive alone: nothing of this repository.
    wine_env
    local app=$out/archive-app
    rm -rf "$app"
    mkdir -p "$app"
    (cd "$app" && unzip -q "$dist/tokenbridge-$v-$WIN.zip")
    local pfx=$app/tokenbridge-$v-$WIN
    say "the Windows example from the archive: MinGW gcc with pkg-config, and CMake"
    # shellcheck disable=SC2046
    (cd "$app" && x86_64-w64-mingw32-gcc -std=c11 -Wall -Wextra -Werror "$pfx/examples/example.c" \
        $(PKG_CONFIG_LIBDIR="$pfx/lib/pkgconfig" pkg-config --cflags --libs tokenbridge) -o example_gcc.exe)
    # shellcheck disable=SC2046
    (cd "$app" && x86_64-w64-mingw32-gcc -std=c11 -Wall -Wextra -Werror "$pfx/examples/example.c" \
        $(PKG_CONFIG_LIBDIR="$pfx/lib/pkgconfig" pkg-config --cflags --libs tokenbridge-static) -static -o example_static.exe)
    cp "$pfx/bin/tokenbridge.dll" "$app/"
    cat >"$app/mingw.cmake" <<'EOF'
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER x86_64-w64-mingw32-gcc)
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
EOF
    cmake -S "$pfx/examples" -B "$app/cmake-build" -DCMAKE_TOOLCHAIN_FILE="$app/mingw.cmake" \
        -DCMAKE_PREFIX_PATH="$pfx" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS="-Wall -Wextra -Werror" >/dev/null
    cmake --build "$app/cmake-build" >/dev/null
    [ -f "$app/cmake-build/tokenbridge.dll" ] || die "CMake did not copy tokenbridge.dll beside example.exe"
    shim "$app" "$app/cmake-build"

    start_sandbox
    local exe
    for exe in "$app/example_gcc.exe" "$app/example_static.exe" "$app/cmake-build/example.exe" \
        "$app/cmake-build/example_static.exe"; do
        say "${exe#"$app"/} under Wine"
        wine_run "$app/run.out" "$exe" "$TOKENBRIDGE_YATIVO_URL" || die "$exe failed"
        grep -q '"balances"' "$app/run.out" || die "$exe: no balances in its output"
    done
    if x86_64-w64-mingw32-objdump -p "$app/example_static.exe" | grep -qi 'DLL Name: tokenbridge.dll'; then
        die "example_static.exe imports tokenbridge.dll"
    fi
    note "windows example from the archive alone: gcc+pkg-config (DLL and static), CMake (tokenbridge::tokenbridge and _static), 4 programs ran under wine"
    sandbox_stop
}

# ---------------------------------------------------------------- main
[ $# -gt 0 ] || {
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit 2
}
for command in "$@"; do
    case "$command" in
        setup) cmd_setup ;;
        build) cmd_build ;;
        rust-windows) cmd_rust_windows ;;
        rust-arm64) cmd_rust_arm64 ;;
        cli-windows) cmd_cli_windows ;;
        c-windows) cmd_c_windows ;;
        quickstart-windows) cmd_quickstart_windows ;;
        archives) cmd_archives ;;
        all)
            cmd_build
            cmd_rust_windows
            cmd_cli_windows
            cmd_rust_arm64
            cmd_c_windows
            cmd_quickstart_windows
            cmd_archives
            ;;
        *) die "unknown command $command (see: scripts/cross.sh)" ;;
    esac
done
