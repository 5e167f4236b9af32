#!/usr/bin/env bash
# Installs tokenbridge's C library under a prefix, the way C libraries install
# (README.md, "C and C++"). On Linux:
#
#   include/tokenbridge.h
#   lib/libtokenbridge.so.X.Y.Z      the shared library, SONAME libtokenbridge.so.N (N: ABI_MAJOR in build.rs)
#   lib/libtokenbridge.so.N          -> libtokenbridge.so.X.Y.Z (what programs load)
#   lib/libtokenbridge.so            -> libtokenbridge.so.N (what -ltokenbridge links)
#   lib/libtokenbridge.a             the static library
#   lib/tokenbridge/static/libtokenbridge.a -> ../../libtokenbridge.a
#                                    (a directory without the .so: `pkg-config --static
#                                    --cflags` puts it first, so -ltokenbridge is the .a)
#   lib/pkgconfig/tokenbridge.pc         pkg-config --cflags --libs tokenbridge
#   lib/pkgconfig/tokenbridge-static.pc  pkg-config --cflags --libs tokenbridge-static
#   lib/cmake/tokenbridge/tokenbridgeConfig.cmake, tokenbridgeConfigVersion.cmake
#                                    find_package(tokenbridge 0.2 REQUIRED), targets
#                                    tokenbridge::tokenbridge, tokenbridge::tokenbridge_static
#
# X.Y.Z is the package version (TB_VERSION_STRING); the 0 of the SONAME is the C ABI's
# major version (ABI_MAJOR in build.rs), which changes only when the C ABI breaks.
# On macOS: lib/libtokenbridge.dylib with the install name PREFIX/lib/libtokenbridge.dylib
# instead of the three .so files; the rest is the same.
#
# Then, on Linux, the dynamic loader must find libtokenbridge.so.N:
#   (default)      as root, when the loader searches PREFIX/lib (/usr/local/lib on
#                  Debian and Ubuntu): runs `ldconfig`. Otherwise prints what to do.
#   --ldconfig     as root: also for a PREFIX/lib the loader does not search, writes
#                  /etc/ld.so.conf.d/tokenbridge-<PREFIX/lib with / as ->.conf and runs
#                  `ldconfig` (undo: remove that file, run `ldconfig`).
#   --no-ldconfig  leaves the loader alone (packaging, or when you link with an rpath).
# With DESTDIR (staging for a package) the loader is never touched.
#
# --target=TRIPLE installs a Linux cross build (cargo's --target, e.g.
# aarch64-unknown-linux-gnu, with the linker from the environment: scripts/cross.sh
# makes its release archives this way); the loader is then never touched.
#
# usage: scripts/install.sh [--ldconfig | --no-ldconfig] [--target=TRIPLE] [PREFIX]
#        (PREFIX defaults to /usr/local; DESTDIR is honoured)
set -euo pipefail
cd "$(dirname "$0")/.."

die() {
    echo "install: $*" >&2
    exit 1
}

ldconfig_mode=auto
prefix=
target=
for arg in "$@"; do
    case "$arg" in
        --target=*) target=${arg#--target=} ;;
        --ldconfig) ldconfig_mode=yes ;;
        --no-ldconfig) ldconfig_mode=no ;;
        -h | --help)
            sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
            exit 0
            ;;
        -*) die "unknown option $arg (usage: scripts/install.sh [--ldconfig | --no-ldconfig] [--target=TRIPLE] [PREFIX])" ;;
        *)
            [ -z "$prefix" ] || die "more than one PREFIX: $prefix and $arg"
            prefix=$arg
            ;;
    esac
done
prefix=${prefix:-/usr/local}
case "$prefix" in
    /*) ;;
    *) prefix="$PWD/$prefix" ;; # the .pc file needs an absolute path
esac
[ "$prefix" = / ] || prefix=${prefix%/}
dest="${DESTDIR:-}$prefix"
libdir=${prefix%/}/lib

os=$(uname -s)
cargo_target=()
if [ -n "$target" ]; then
    case "$target" in
        *-linux-*) os=Linux ;;
        *) die "--target=$target: only Linux targets (scripts/cross.sh packs Windows itself)" ;;
    esac
    [ "$ldconfig_mode" != yes ] || die "--ldconfig with --target: the loader is configured where the library runs"
    ldconfig_mode=no
    cargo_target=(--target "$target")
fi
if [ "$ldconfig_mode" = yes ]; then
    [ "$os" = Linux ] || die "--ldconfig is for Linux"
    [ -z "${DESTDIR:-}" ] || die "--ldconfig with DESTDIR: the loader is configured where the package is installed"
    [ "$(id -u)" = 0 ] || die "--ldconfig needs root (it writes /etc/ld.so.conf.d and runs ldconfig)"
fi

# Build the release library. rustc prints the native libraries a program linking the
# static library needs besides it (replayed by cargo when nothing changed).
build_log=$(mktemp)
trap 'rm -f "$build_log"' EXIT
if ! cargo rustc --release --lib --features redis --quiet "${cargo_target[@]}" -- --print native-static-libs 2>"$build_log"; then
    cat "$build_log" >&2
    die "cargo build failed"
fi
native_libs=$(sed -n 's/^note: native-static-libs: //p' "$build_log" | tail -n 1)
# Anything else (warnings) is shown.
grep -v -e '^note: native-static-libs:' -e '^note: link against the following native artifacts' \
    -e '^$' "$build_log" >&2 || true
target_dir=${CARGO_TARGET_DIR:-target}${target:+/$target}/release

version=$(sed -n 's/^#define TB_VERSION_STRING "\(.*\)"$/\1/p' include/tokenbridge.h)
[ -n "$version" ] || die "no TB_VERSION_STRING in include/tokenbridge.h"

case "$os" in
    Darwin)
        built=libtokenbridge.dylib
        shared=libtokenbridge.dylib # the installed file
        soname=$libdir/$shared      # its install name
        links=()
        fallback_libs="-framework Security -framework CoreFoundation -liconv -lc -lm"
        ;;
    Linux)
        built=libtokenbridge.so
        command -v readelf >/dev/null || die "readelf is missing (binutils)"
        soname=$(readelf -d "$target_dir/$built" | sed -n 's/.*(SONAME).*\[\(.*\)\]$/\1/p')
        [ -n "$soname" ] || die "$target_dir/$built has no SONAME (build.rs sets it on Linux)"
        shared=libtokenbridge.so.$version
        # symlink:target pairs, made in this order.
        links=("$soname:$shared" "libtokenbridge.so:$soname")
        fallback_libs="-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"
        ;;
    *)
        built=libtokenbridge.so
        shared=libtokenbridge.so
        soname=$shared
        links=()
        fallback_libs="-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"
        ;;
esac
if [ -z "$native_libs" ]; then
    echo "install: rustc printed no native-static-libs; using the usual list for $os" >&2
    native_libs=$fallback_libs
fi

# The same libraries as a CMake list: -lpthread is Threads::Threads, -framework X one item.
cmake_libs=()
uses_threads=0
set -f # the flags are split on spaces, never globbed
# shellcheck disable=SC2086
set -- $native_libs
set +f
while [ $# -gt 0 ]; do
    case "$1" in
        -framework)
            cmake_libs+=("-framework $2")
            shift
            ;;
        -lpthread)
            cmake_libs+=(Threads::Threads)
            uses_threads=1
            ;;
        -l*) cmake_libs+=("${1#-l}") ;;
        *) cmake_libs+=("$1") ;;
    esac
    shift
done
cmake_link_libraries=$(
    IFS=';'
    echo "${cmake_libs[*]}"
)
if [ "$uses_threads" = 1 ]; then
    find_threads='find_dependency(Threads)'
else
    find_threads='# (no Threads dependency on this platform)'
fi
# The pointer size the library was built for (the CMake version file checks it).
sizeof_void_p=$(getconf LONG_BIT 2>/dev/null || echo 64)
sizeof_void_p=$((sizeof_void_p / 8))

# ---------------------------------------------------------------- files
install -d "$dest/include" "$dest/lib/pkgconfig" "$dest/lib/cmake/tokenbridge" \
    "$dest/lib/tokenbridge/static"
install -m 644 include/tokenbridge.h "$dest/include/tokenbridge.h"
install -m 755 "$target_dir/$built" "$dest/lib/$shared"
for pair in "${links[@]}"; do
    ln -sfn "${pair#*:}" "$dest/lib/${pair%%:*}"
done
install -m 644 "$target_dir/libtokenbridge.a" "$dest/lib/libtokenbridge.a"
ln -sfn ../../libtokenbridge.a "$dest/lib/tokenbridge/static/libtokenbridge.a"
if [ "$os" = Darwin ]; then
    install_name_tool -id "$soname" "$dest/lib/$shared"
fi

sed -e "s|@PREFIX@|$prefix|g" \
    -e "s|@VERSION@|$version|g" \
    -e "s|@LIBS_PRIVATE@|$native_libs|g" \
    bindings/c/tokenbridge.pc.in >"$dest/lib/pkgconfig/tokenbridge.pc"
cat >"$dest/lib/pkgconfig/tokenbridge-static.pc" <<EOF
prefix=$prefix
exec_prefix=\${prefix}
libdir=\${exec_prefix}/lib
includedir=\${prefix}/include

Name: tokenbridge-static
Description: tokenbridge's C library, linked statically (the archive and what it needs)
Version: $version
Libs: \${libdir}/libtokenbridge.a $native_libs
Cflags: -I\${includedir}
EOF

for file in tokenbridgeConfig tokenbridgeConfigVersion; do
    sed -e "s|@VERSION@|$version|g" \
        -e "s|@SHARED_FILE@|$shared|g" \
        -e "s|@SONAME@|$soname|g" \
        -e "s|@LINK_LIBRARIES@|$cmake_link_libraries|g" \
        -e "s|@FIND_THREADS@|$find_threads|g" \
        -e "s|@SIZEOF_VOID_P@|$sizeof_void_p|g" \
        "bindings/c/cmake/$file.cmake.in" >"$dest/lib/cmake/tokenbridge/$file.cmake"
done

echo "installed tokenbridge $version under $dest:"
echo "  $dest/include/tokenbridge.h"
echo "  $dest/lib/$shared"
for pair in "${links[@]}"; do
    echo "  $dest/lib/${pair%%:*} -> ${pair#*:}"
done
echo "  $dest/lib/libtokenbridge.a"
echo "  $dest/lib/tokenbridge/static/libtokenbridge.a -> ../../libtokenbridge.a"
echo "  $dest/lib/pkgconfig/tokenbridge.pc, tokenbridge-static.pc"
echo "  $dest/lib/cmake/tokenbridge/tokenbridgeConfig.cmake, tokenbridgeConfigVersion.cmake"

# ---------------------------------------------------------------- the loader
[ "$os" = Linux ] || exit 0
if [ -n "${DESTDIR:-}" ]; then
    echo "DESTDIR set: the loader is not touched (run ldconfig where the package is installed)"
    exit 0
fi
ldconfig_bin=$(command -v ldconfig || true)
for candidate in /sbin/ldconfig /usr/sbin/ldconfig; do
    [ -n "$ldconfig_bin" ] && break
    [ -x "$candidate" ] && ldconfig_bin=$candidate
done

# Whether the loader's cache covers a directory: the directories `ldconfig` scans
# (its built-in ones and /etc/ld.so.conf), compared as real paths.
loader_searches() {
    local want dir listed
    want=$(readlink -f "$1")
    listed=$("$ldconfig_bin" -v -N -X 2>/dev/null | sed -n 's|^\(/[^:]*\):.*|\1|p') || true
    while IFS= read -r dir; do
        [ -n "$dir" ] || continue
        [ "$(readlink -f "$dir")" = "$want" ] && return 0
    done <<<"$listed"
    return 1
}
rpath_hint() {
    echo "  * link with an rpath: cc ... \$(pkg-config --cflags --libs tokenbridge) -Wl,-rpath,$libdir"
    echo "    (CMake's imported target tokenbridge::tokenbridge adds it in the build tree)"
}

if [ -z "$ldconfig_bin" ]; then
    echo "no ldconfig on this system: programs find $soname through an rpath:"
    rpath_hint
    exit 0
fi
searched=0
loader_searches "$libdir" && searched=1

if [ "$ldconfig_mode" = no ]; then
    echo "--no-ldconfig: the loader was left alone. For programs to find $soname:"
    if [ "$searched" = 1 ]; then
        echo "  * run ldconfig as root (the loader searches $libdir)"
    else
        echo "  * run: scripts/install.sh --ldconfig $prefix (as root), or"
        rpath_hint
    fi
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "not root: the loader was left alone. For programs to find $soname:"
    if [ "$searched" = 1 ]; then
        echo "  * run ldconfig as root (the loader searches $libdir)"
    else
        echo "  * run: sudo scripts/install.sh --ldconfig $prefix, or"
        rpath_hint
    fi
    exit 0
fi
if [ "$searched" = 0 ]; then
    if [ "$ldconfig_mode" = auto ]; then
        echo "the loader does not search $libdir; for programs to find $soname:"
        echo "  * run: scripts/install.sh --ldconfig $prefix (writes /etc/ld.so.conf.d/tokenbridge-....conf), or"
        rpath_hint
        exit 0
    fi
    case "$libdir" in
        *[[:space:]]*) die "--ldconfig: $libdir has white space, which ld.so.conf cannot hold" ;;
    esac
    conf_name=$(printf '%s' "${libdir#/}" | tr -c 'A-Za-z0-9._-' '-')
    conf=/etc/ld.so.conf.d/tokenbridge-$conf_name.conf
    install -d /etc/ld.so.conf.d
    printf '%s\n' "$libdir" >"$conf"
    echo "wrote $conf ($libdir); to undo: rm $conf && ldconfig"
fi
"$ldconfig_bin"
# The cache's entry for the SONAME must be this install's (compared as real paths).
cached=$("$ldconfig_bin" -p | sed -n "s|^[[:space:]]*$soname (.*) => ||p")
while IFS= read -r path; do
    if [ -n "$path" ] && [ "$(readlink -f "$path")" = "$(readlink -f "$dest/lib/$soname")" ]; then
        echo "ldconfig: the loader finds $soname in $libdir"
        exit 0
    fi
done <<<"$cached"
die "ldconfig ran but the loader's cache has no $libdir/$soname (it has: ${cached:-nothing})"
